//! JSONata, the query language of `"QueryLanguage": "JSONata"` states, as AWS Step Functions
//! runs it.
//!
//! # The dialect
//!
//! AWS evaluates JSONata **2.0.6** (jsonata-js), with `$eval` removed and six functions added
//! ([AWS: Transforming data with JSONata in Step Functions][aws]). This module evaluates with
//! the `jsonata-core` crate (a Rust port implementing JSONata 2.2) and closes the gaps it can:
//!
//! - `??` and `?:` (JSONata 2.1) are refused at parse time with S0211, as AWS refuses them.
//! - `$eval` answers `T1006: Attempted to invoke a non-function`, what AWS answers for a
//!   function it does not define.
//! - `$now()` and `$millis()` read [`Host::now_ms`] (the harness clock), never the system clock;
//!   `$random()` and `$uuid()` draw from [`Host::rng`], so a seeded host repeats itself.
//! - AWS's added functions:
//!
//! | function | result |
//! |---|---|
//! | `$partition(array, size)` | the array in chunks of `size` (the last may be shorter); `size` a positive integer |
//! | `$range(start, end, step)` | `start, start+step, …` up to and including `end` when a step lands on it; integers, `step ≠ 0`, at most 1000 items (the cap AWS documents for `States.ArrayRange`, assumed here); one item comes back as that item (AWS: `$range(1, 9, 9)` is `1`) |
//! | `$hash(string, algorithm)` | lowercase hex digest; `MD5`, `SHA-1`, `SHA-256`, `SHA-384`, `SHA-512` |
//! | `$random([seed])` | without a seed, uniform in [0, 1) from the host RNG; with one, `new java.util.Random(seed).nextDouble()` bit for bit (`$random(42)` is `0.7275636800328681`) |
//! | `$uuid()` | a version 4 UUID from the host RNG |
//! | `$parse(jsonString)` | the JSON text as a value |
//!
//! A wrong argument type raises jsonata-js's signature error (`T0410: Argument 1 of function
//! "hash" does not match function signature`); AWS registers these functions with signatures
//! but does not document their argument errors (the page above and the intrinsic-functions page
//! only describe the `States.*` equivalents), so the codes are the closest jsonata-js analogue
//! and the value errors (a chunk size of 0, an unknown algorithm, invalid JSON) carry no code.
//!
//! # Evaluating
//!
//! ```
//! use sfn_harness::internals::{Expression, Host};
//! use serde_json::json;
//!
//! let expr = Expression::parse("{'total': $sum($states.input.items.price), 'id': $uuid()}")?;
//! let states = json!({"input": {"items": [{"price": 2}, {"price": 3}]}});
//! let mut host = Host::new(1_700_000_000_000, 7); // harness clock (ms) and RNG seed
//! let out = expr.evaluate(None, &[("states", &states)], &mut host)?.expect("a value");
//! assert_eq!(out["total"], json!(5)); // 5, not 5.0
//! assert_eq!(out["id"].as_str().map(str::len), Some(36));
//!
//! // Undefined is `None`; the interpreter turns it into AWS's cause text.
//! let missing = Expression::parse("$states.input.nothing")?;
//! assert_eq!(missing.evaluate(None, &[("states", &states)], &mut host)?, None);
//! # Ok::<(), sfn_harness::internals::JsonataError>(())
//! ```
//!
//! Evaluation is synchronous and self-contained: jsonata-core values are `!Send` and never leave
//! this module; inputs and results are `serde_json::Value`. Results serialize as jsonata-js's
//! do: integral numbers as integers (`i64`/`u64` when exact), undefined object members dropped,
//! undefined array items removed, a function as undefined (in an array: null), key order kept.
//! Conversion in both directions is iterative, so a value 100,000 levels deep converts on any
//! stack.
//!
//! # Limits
//!
//! [`Limits`] (in [`Host::limits`]) bound every evaluation; each breach is an error of kind
//! [`ErrorKind::Limit`]:
//!
//! | limit | default | error |
//! |---|---|---|
//! | [`timeout_ms`](Limits::timeout_ms) (checked between evaluation steps) | 1000 ms | D1012 |
//! | [`max_depth`](Limits::max_depth) (evaluation stack) | engine's own cap, ~10,000 non-tail calls | D1011, or U1001 at the cap |
//! | [`max_sequence_length`](Limits::max_sequence_length) | 1,000,000 | D2015 (and jsonata's own D2014 for a range over 10^7) |
//! | [`max_string_length`](Limits::max_string_length) (`$pad`, roman `$formatInteger`) | 1,000,000 characters | no code |
//! | [`Host::cancel`] from another thread | - | U1003 |
//!
//! The defaults are far above what a state can carry (AWS caps a payload at 256 KiB) and low
//! enough that no single step allocates more than tens of megabytes. Measured in a debug
//! build (release is several times faster): `[1..99999999]` ends with D2014 and
//! `$count([1..9999999])` with D2015 in under a millisecond; infinite recursion with D1012 at
//! the timeout (1.0 s); non-tail recursion a million deep with U1001 at the engine's depth cap
//! or D1012, whichever comes first (about 1 s in debug, ~60 ms in release); repeated doubling
//! `$reduce([1..40], function($a, $v){$a & $a}, 'x')` with D1012 at 1.0 s;
//! `$pad('x', 1e10)` and `$formatInteger(1e15, 'I')` with the string cap at once.
//!
//! Memory is not metered: an evaluation can allocate what it manages to allocate before the
//! timeout, and one built-in call overruns the timeout by its own duration
//! (`$string([1..1000000])` is one call of about a second in a debug build).
//!
//! One built-in call runs to completion: the timeout and the cancel are only checked between
//! evaluation steps. Two built-ins can allocate without bound in one call
//! (`$formatInteger(1e15, 'I')` writes 10^12 'M's and never returns; `$pad('x', 1e10)` asks
//! for 10 GB). They are replaced by guards that check the width / the number against
//! `max_string_length` and then call the real built-in; a call in call position is rewritten to
//! pass its context too, so context filling (`'x'.$pad(5)`) keeps working. (Overriding is
//! possible only because both are "non-compilable" built-ins in jsonata-core; pre-validating
//! literal arguments would miss `$pad('x', $n)`.)
//!
//! Evaluation runs under `catch_unwind` as a last resort: jsonata-core has no known panic
//! (fuzzed), but a panic in a dependency must not take the interpreter's thread down; it comes
//! back as [`ErrorKind::Internal`].
//!
//! # AWS cause texts
//!
//! The interpreter reports failures as `States.QueryEvaluationError` with AWS's wording, which
//! these functions produce (the interpreter adds `"An error occurred while executing the state
//! '…' (entered at the event id #…). "`):
//!
//! | function | AWS text | recorded in (`shared/conformance/v2`) |
//! |---|---|---|
//! | [`cause_returned_nothing`] | `The JSONata expression '…' specified for the field '…' returned nothing (undefined).` | `assign.test_assign_reference_variables.test_undefined_reference[BASE_UNDEFINED_OUTPUT]`, `[…_OUTPUT_FIELD]`, `[…_ARGUMENTS_FIELD]`, `[…_OUTPUT_MULTIPLE_STATES]` |
//! | [`cause_evaluation_error`] | `The JSONata expression '…' specified for the field '…' threw an error during evaluation. T1006: Attempted to invoke a non-function` | `intrinsic_functions.test_math_operations_jsonata.test_math_random_seeded.exec_hist_resp_0` |
//! | [`cause_unexpected_type`] | `The JSONata expression '…' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'boolean' for value: true` | `scenarios.test_base_scenarios.test_map_state_items_eval_jsonata_fail[*]`, `…_variable_sampling_fail[*]` |
//!
//! (Also recorded, but not JSONata texts: `Map state input must be an array but was: …` in
//! `test_map_state_items_input_types[*]`, and `The Timestamp field cannot be parsed as an
//! ISO-8601 extended offset date-time format string: …` in `test_wait_timestamp_jsonata[*]`.)
//!
//! # Known divergences from AWS (jsonata-js 2.0.6)
//!
//! Fixed by this module: `??`/`?:` refused; `$eval` unavailable; `$now`/`$millis`/`$random`/
//! `$uuid` deterministic from the host; results as jsonata-js serializes them (`2`, not `2.0`);
//! the two unbounded built-ins guarded. Not fixed (jsonata-core's compiled built-ins cannot be
//! overridden, and the lexer and regex engine are its own):
//!
//! - `$string()` of numbers with more than 15 significant digits: `$string(12345678901234567)`
//!   is `"12345678901234568"` here, `"12345678901234600"` on AWS (jsonata-js #762); likewise
//!   `1.2345678901234568e+29` vs `1.23456789012346e+29`.
//! - Regular expressions use the Rust `regex` dialect: no backreferences or lookaround (an
//!   error without a code), Rust-only syntax such as `(?i)` accepted, and regex literals
//!   accepted in positions jsonata-js rejects (`[/a/]`).
//! - Names: jsonata-js accepts `\`, `"` and control characters inside names; jsonata-core
//!   rejects them (S0204/S0101). Nesting deeper than 1000 levels in the parser (e.g. a chain of
//!   more than 1000 `+`) is U1002 here; jsonata-js evaluates it.
//! - Syntax error codes often differ (jsonata-core S0204 where jsonata-js says S0201/S0202);
//!   (an unclosed comment, uncoded in jsonata-core, is given jsonata-js's S0106 here).
//! - Built-ins: `$number('  12  ')` is 12 (AWS: D3030); `$decodeUrlComponent('%')` is `"%"`
//!   (AWS: D3140); `$substring('abc', 1e20)` is `"abc"` (AWS: `""`); `$split` on `''` splits by
//!   code point (AWS: UTF-16 unit); `$formatBase` of numbers beyond i64 saturates; `$parseInteger`
//!   with bad words is D3136 (AWS: null); `$fromMillis` out of range is an uncoded error (AWS: a
//!   string); `$sort`/`$single` accept an undefined function argument (AWS: T0410);
//!   `$toMillis` with `[h]…[P]` pictures gives a value (AWS: undefined).
//! - Recursion: about 10,000 non-tail calls before U1001 (jsonata-js 2.0.6 manages 50,000).
//! - `$type($eval)` is `"function"` (AWS: `$eval` is undefined, so undefined).
//! - Strings cannot hold lone surrogates (`"\uD800"`), which jsonata-js strings can.
//! - Limits: AWS has its own (undocumented) time and memory limits; ours are [`Limits`], so an
//!   expression near a limit can succeed on one and fail on the other. In particular the
//!   default sequence cap (10^6) refuses `$count([1..10000000])`, which jsonata-js evaluates
//!   (raise [`Limits::max_sequence_length`] to 10^7 for that). `$toMillis` fills
//!   missing date parts from the system clock (jsonata-core's), not from [`Host::now_ms`].
//!
//! [aws]: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html

mod ast;
mod convert;
mod error;
mod functions;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Arc;

use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::{
    error_code_prefix, CancelToken, Context, Evaluator, EvaluatorError, EvaluatorOptions,
};
use jsonata_core::value::JValue;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::Value;

pub(crate) use error::ErrorKind;
pub use error::JsonataError;
pub(crate) use error::{cause_evaluation_error, cause_returned_nothing, cause_unexpected_type};

use functions::Shared;

/// A parsed JSONata expression: parse once, evaluate many times, share across threads (the
/// tree is immutable and `Send + Sync`; cloning is cheap).
///
/// ```
/// use sfn_harness::internals::{Expression, Host};
/// use serde_json::json;
///
/// let expr = Expression::parse("$sum($states.input.prices)")?;
/// let states = json!({ "input": { "prices": [2, 3] } });
/// let mut host = Host::new(0, 1);
/// assert_eq!(expr.evaluate(None, &[("states", &states)], &mut host)?, Some(json!(5)));
/// # Ok::<(), sfn_harness::internals::JsonataError>(())
/// ```
#[derive(Clone)]
pub struct Expression {
    source: Arc<str>,
    ast: Arc<AstNode>,
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expression").field(&self.source).finish()
    }
}

/// Parsed expressions by their source text: each distinct expression of the definitions an
/// engine runs is parsed once, not at every evaluation (issue 13: parsing was a third of a
/// JSONata state's cost). Only expressions that parse are kept; the texts come from
/// definitions, so the cache grows with them, not with executions.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    by_source: crate::sync::ByText<Expression>,
}

impl Parsed {
    /// The expression `source` parses to ([`Expression::parse`]), parsed once.
    pub(crate) fn get(&self, source: &str) -> Result<Expression, JsonataError> {
        self.by_source.get_or_try(source, Expression::parse)
    }
}

/// Whether a JSONata field (a `{% … %}` string, or an object or array holding some) can read
/// `$states.context`: some text names `$states` other than as `$states.input`,
/// `$states.result` or `$states.errorOutput`. Conservative: `$states` passed whole, spaced
/// (`$states . context`) or in a string literal counts as reading it. When no field of a
/// state does, the interpreter does not build the context object (issue 13: building it
/// copies the execution input and formats two timestamps).
///
/// Example: the unit test `states_context_is_found` in `src/asl/jsonata/tests.rs`.
pub(crate) fn reads_states_context(field: &Value) -> bool {
    const SAFE: [&str; 3] = [".input", ".result", ".errorOutput"];
    match field {
        Value::String(text) => text.match_indices("$states").any(|(i, m)| {
            let rest = &text[i + m.len()..];
            !SAFE.iter().any(|s| {
                rest.strip_prefix(s).is_some_and(|after| {
                    !after.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            })
        }),
        Value::Array(a) => a.iter().any(reads_states_context),
        Value::Object(o) => o.values().any(reads_states_context),
        _ => false,
    }
}

/// Bounds on one evaluation. See the module docs of `asl::jsonata` (limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time limit in milliseconds, checked between evaluation steps (D1012).
    pub timeout_ms: u64,
    /// Evaluation stack depth limit (D1011); `None` leaves jsonata-core's own cap of 30,000
    /// levels, about 10,000 non-tail recursive calls (U1001).
    pub max_depth: Option<usize>,
    /// The longest sequence a path, map, filter, range or similar may build (D2015).
    pub max_sequence_length: usize,
    /// The longest string `$pad` or a roman-numeral `$formatInteger` may build.
    pub max_string_length: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout_ms: 1000,
            max_depth: None,
            max_sequence_length: 1_000_000,
            max_string_length: 1_000_000,
        }
    }
}

/// Stops evaluations from another thread. Clones share one flag; once cancelled, every
/// evaluation with a host holding it fails with U1003 (it cannot be reset; make a new one).
#[derive(Debug, Clone, Default)]
pub struct CancelHandle(CancelToken);

impl CancelHandle {
    /// A handle that has not been cancelled.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Stop the evaluations using this handle, at their next evaluation step.
    #[cfg(test)]
    pub(crate) fn cancel(&self) {
        self.0.cancel();
    }

    /// Whether [`cancel`](Self::cancel) has been called on any clone.
    #[cfg(test)]
    pub(crate) fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// What an evaluation may read from the harness: its clock, its randomness, its limits.
///
/// ```
/// use sfn_harness::internals::{Expression, Host};
///
/// // `$now()` reads the host's clock (ms), `$uuid()` and `$random()` its seeded generator.
/// let mut host = Host::new(1_700_000_000_000, 7);
/// let now = Expression::parse("$now()")?.evaluate(None, &[], &mut host)?;
/// let now = now.as_ref().and_then(|v| v.as_str()).unwrap_or_default();
/// assert!(now.starts_with("2023-11-14T22:13:20"), "{now}");
/// # Ok::<(), sfn_harness::internals::JsonataError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Host {
    /// The current time in milliseconds since the Unix epoch: what `$now()` and `$millis()`
    /// return.
    pub now_ms: i64,
    /// The randomness of `$random()` (without a seed) and `$uuid()`.
    pub rng: StdRng,
    /// Bounds on each evaluation.
    pub limits: Limits,
    /// Cancels evaluations from another thread.
    pub cancel: CancelHandle,
}

impl Host {
    /// A host at time `now_ms` whose RNG is seeded with `seed`, with default limits.
    pub fn new(now_ms: i64, seed: u64) -> Self {
        Host {
            now_ms,
            rng: StdRng::seed_from_u64(seed),
            limits: Limits::default(),
            cancel: CancelHandle::new(),
        }
    }
}

/// The codes jsonata-core raises when a limit stops it.
const LIMIT_CODES: &[&str] = &[
    "D1011", "D1012", "D2014", "D2015", "U1001", "U1002", "U1003",
];

fn evaluation_error(e: &EvaluatorError) -> JsonataError {
    let message = e.message();
    if let Some(rest) = message.strip_prefix(functions::LIMIT_MARK) {
        return JsonataError::new(ErrorKind::Limit, None, rest.to_string());
    }
    let code = e.code().or_else(|| error::find_code(message));
    // jsonata-core appends the callee's name to T1006 ("…non-function: $f"); jsonata-js, and so
    // AWS's cause text, says only "T1006: Attempted to invoke a non-function".
    const T1006: &str = "T1006: Attempted to invoke a non-function";
    let message = if message.starts_with(T1006) {
        T1006
    } else {
        message
    };
    let kind = match code {
        Some(c) if LIMIT_CODES.contains(&c) => ErrorKind::Limit,
        _ => ErrorKind::Evaluation,
    };
    JsonataError::new(kind, code.map(str::to_string), message.to_string())
}

fn internal(what: &str) -> JsonataError {
    JsonataError::new(
        ErrorKind::Internal,
        None,
        format!("internal error: the JSONata engine panicked while {what}"),
    )
}

impl Expression {
    /// Parse `source`. Refuses syntax errors and what AWS's JSONata 2.0.6 refuses (`??`, `?:`).
    pub fn parse(source: &str) -> Result<Expression, JsonataError> {
        // Last resort: jsonata-core's parser has no known panic (fuzzed), but a panic must not
        // unwind into the interpreter.
        let parsed = catch_unwind(|| jsonata_core::parser::parse(source))
            .map_err(|_| internal("parsing"))?;
        let mut ast = parsed.map_err(|e| {
            let mut text = e.to_string();
            // jsonata-core raises an unclosed comment without a code; jsonata-js says S0106.
            if matches!(e, jsonata_core::parser::ParserError::UnclosedComment) {
                text = "S0106: Comment has no closing tag".to_string();
            }
            let code = error_code_prefix(&text)
                .or_else(|| error::find_code(&text))
                .map(str::to_string);
            // "Invalid syntax: T1006: ..." reads as the code and its message.
            let message = match &code {
                Some(c) => text
                    .find(c.as_str())
                    .map_or(text.clone(), |i| text[i..].to_string()),
                None => text,
            };
            JsonataError::new(ErrorKind::Syntax, code, message)
        })?;
        let bound = ast::check(&ast)?;
        ast::rewrite_guarded_calls(&mut ast, &bound);
        Ok(Expression {
            source: source.into(),
            ast: Arc::new(ast),
        })
    }

    /// The source text, as parsed (for AWS's cause texts).
    #[cfg(test)]
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Evaluate against `input` (`None`: no input, JSONata's undefined) with variables
    /// `bindings` (`("states", &v)` is `$states`; a leading `$` is ignored). `Ok(None)` is
    /// undefined.
    ///
    /// Reads the clock and advances the RNG of `host`; bounded by `host.limits`.
    pub fn evaluate(
        &self,
        input: Option<&Value>,
        bindings: &[(&str, &Value)],
        host: &mut Host,
    ) -> Result<Option<Value>, JsonataError> {
        let limits = &host.limits;
        // `..Default::default()` covers every field today; it keeps this compiling when a
        // jsonata-core release adds options (2.2.13 did, breaking exhaustive literals).
        #[allow(clippy::needless_update)]
        let options = EvaluatorOptions {
            timeout_ms: Some(limits.timeout_ms),
            max_stack_depth: limits.max_depth,
            max_sequence_length: Some(limits.max_sequence_length),
            cancel: Some(host.cancel.0.clone()),
            ..Default::default()
        };
        // The RNG moves into the evaluation and back out, so the host functions (plain
        // closures, 'static) can draw from it.
        let rng = std::mem::replace(&mut host.rng, StdRng::from_seed([0; 32]));
        let shared = Rc::new(Shared {
            rng: RefCell::new(rng),
            now_ms: host.now_ms,
            max_string_length: limits.max_string_length,
            options: options.clone(),
        });
        // Last resort: jsonata-core has no known panic (8k fuzz cases, the whole reference
        // suite), but a panic in it must become an error, not unwind through the interpreter.
        // Nothing observable outlives a panic: the evaluator is dropped, and the RNG (the
        // only state carried out) is at worst advanced.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            self.run(input, bindings, options, &shared)
        }));
        host.rng = match Rc::try_unwrap(shared) {
            Ok(shared) => shared.rng.into_inner(),
            // Every clone lives in the evaluator, which is gone; keep the state regardless.
            Err(shared) => shared.rng.borrow().clone(),
        };
        outcome.unwrap_or_else(|_| Err(internal("evaluating")))
    }

    fn run(
        &self,
        input: Option<&Value>,
        bindings: &[(&str, &Value)],
        options: EvaluatorOptions,
        shared: &Rc<Shared>,
    ) -> Result<Option<Value>, JsonataError> {
        let mut context = Context::new();
        for (name, value) in bindings {
            let name = name.strip_prefix('$').unwrap_or(name);
            context.bind(name.to_string(), convert::to_jvalue(value));
        }
        let mut ev = Evaluator::with_options(context, options);
        register(&mut ev, shared).map_err(|e| {
            JsonataError::new(
                ErrorKind::Internal,
                None,
                format!("internal error: {}", e.message()),
            )
        })?;
        let data = input.map_or(JValue::Undefined, convert::to_jvalue);
        let result = ev
            .evaluate(&self.ast, &data)
            .map_err(|e| evaluation_error(&e))?;
        Ok(convert::from_jvalue(&result.unwrap_sequence()))
    }
}

/// Register AWS's functions, the host overrides and the guards on `ev`.
fn register(ev: &mut Evaluator, shared: &Rc<Shared>) -> Result<(), EvaluatorError> {
    ev.register_fn("partition", functions::partition)?;
    ev.register_fn("range", functions::range)?;
    ev.register_fn("hash", functions::hash)?;
    ev.register_fn("parse", functions::parse)?;
    let s = Rc::clone(shared);
    ev.register_fn("uuid", move |a: &[JValue]| functions::uuid(&s, a))?;
    let s = Rc::clone(shared);
    ev.register_fn_override("random", move |a: &[JValue]| functions::random(&s, a))?;
    let s = Rc::clone(shared);
    ev.register_fn_override("millis", move |a: &[JValue]| functions::millis(&s, a))?;
    let s = Rc::clone(shared);
    ev.register_fn_override("now", move |a: &[JValue]| functions::now(&s, a))?;
    ev.register_fn_override("eval", functions::eval_disabled)?;
    for &name in functions::GUARDED {
        let s = Rc::clone(shared);
        ev.register_fn_override(name, move |a: &[JValue]| functions::guarded(&s, name, a))?;
        let s = Rc::clone(shared);
        ev.register_fn(functions::context_name(name), move |a: &[JValue]| {
            functions::guarded_with_context(&s, name, a)
        })?;
    }
    Ok(())
}
