//! The functions AWS adds to JSONata, the overrides of impure built-ins, and the guards on
//! built-ins whose single call can allocate without bound.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorError, EvaluatorOptions};
use jsonata_core::value::JValue;
use md5::Md5;
use rand::rngs::StdRng;
use rand::{Rng, RngCore};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::convert::to_jvalue;

/// Marks the message of an error raised by one of our limit guards, so the error comes back
/// as [`ErrorKind::Limit`](super::ErrorKind::Limit).
pub(crate) const LIMIT_MARK: &str = "sfn-harness limit: ";

/// The most items `$range` returns, as `States.ArrayRange` (AWS documents the same cap).
pub(crate) const RANGE_MAX_ITEMS: usize = 1000;

/// Everything the host functions of one evaluation share.
pub(crate) struct Shared {
    pub(crate) rng: RefCell<StdRng>,
    pub(crate) now_ms: i64,
    pub(crate) max_string_length: usize,
    pub(crate) options: EvaluatorOptions,
}

fn err(message: impl Into<String>) -> EvaluatorError {
    EvaluatorError::EvaluationError(message.into())
}

/// jsonata-js's signature-mismatch error, which AWS's functions (registered with signatures)
/// raise for an argument of the wrong type.
fn t0410(arg: usize, function: &str) -> EvaluatorError {
    EvaluatorError::TypeError(format!(
        "T0410: Argument {arg} of function \"{function}\" does not match function signature"
    ))
}

fn limit(message: String) -> EvaluatorError {
    err(format!("{LIMIT_MARK}{message}"))
}

/// An integer argument (JSONata has only doubles; a fraction is refused).
fn integer(args: &[JValue], i: usize, function: &str) -> Result<i64, EvaluatorError> {
    match args.get(i) {
        Some(JValue::Number(n)) if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 => {
            Ok(*n as i64)
        }
        Some(JValue::Number(n)) => Err(err(format!(
            "Argument {} of function \"{function}\" must be an integer, but was {n}",
            i + 1
        ))),
        _ => Err(t0410(i + 1, function)),
    }
}

/// `$partition(array, size)`: the array cut into chunks of `size` items, the last one shorter.
/// A non-array first argument is a one-item array, as JSONata's `a` signature type makes it.
pub(crate) fn partition(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    if args.len() != 2 {
        return Err(t0410(args.len().min(2) + 1, "partition"));
    }
    let items: Vec<JValue> = match &args[0] {
        JValue::Array(a) => a.iter().cloned().collect(),
        JValue::Undefined => return Err(t0410(1, "partition")),
        JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. } => {
            return Err(t0410(1, "partition"))
        }
        other => vec![other.clone()],
    };
    let size = integer(args, 1, "partition")?;
    if size <= 0 {
        return Err(err(format!(
            "The chunk size of function \"partition\" must be greater than 0, but was {size}"
        )));
    }
    // `size` is positive and below 2^53, so it fits in a usize on 64-bit targets; saturate
    // elsewhere (a chunk that size holds everything anyway).
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(JValue::array(
        items
            .chunks(size)
            .map(|c| JValue::array(c.to_vec()))
            .collect(),
    ))
}

/// `$range(start, end, step)`: `start`, `start + step`, ... while not past `end` (so `end` is
/// included when a step lands on it). At most [`RANGE_MAX_ITEMS`] items. The result is a
/// sequence, so one item comes back as that item: AWS answers `$range(1, 9, 9)` with `1`
/// (`intrinsic_functions.test_array_jsonata.test_array_range.exec_hist_resp_2`).
pub(crate) fn range(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    if args.len() != 3 {
        return Err(t0410(args.len().min(3) + 1, "range"));
    }
    let start = integer(args, 0, "range")?;
    let end = integer(args, 1, "range")?;
    let step = integer(args, 2, "range")?;
    if step == 0 {
        return Err(err("The step of function \"range\" must not be 0"));
    }
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i <= end) || (step < 0 && i >= end) {
        if out.len() == RANGE_MAX_ITEMS {
            return Err(err(format!(
                "The range of function \"range\" has more than {RANGE_MAX_ITEMS} elements"
            )));
        }
        out.push(JValue::Number(i as f64));
        // |start|, |end|, |step| < 2^53, so this cannot overflow an i64.
        i += step;
    }
    Ok(JValue::sequence(out))
}

/// `$hash(value, algorithm)`: the lowercase hex digest of the string's UTF-8 bytes, with
/// algorithm `MD5`, `SHA-1`, `SHA-256`, `SHA-384` or `SHA-512`.
pub(crate) fn hash(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let Some(JValue::String(data)) = args.first() else {
        return Err(t0410(1, "hash"));
    };
    let Some(JValue::String(algorithm)) = args.get(1) else {
        return Err(t0410(2, "hash"));
    };
    if args.len() > 2 {
        return Err(t0410(3, "hash"));
    }
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match &**algorithm {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        other => {
            return Err(err(format!(
                "The hash algorithm of function \"hash\" must be one of MD5, SHA-1, SHA-256, \
                 SHA-384, SHA-512, but was '{other}'"
            )))
        }
    };
    let mut hex = String::with_capacity(digest.len() * 2);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    Ok(JValue::string(hex))
}

/// `java.util.Random(seed).nextDouble()`, bit for bit.
pub(crate) fn java_random_double(seed: i64) -> f64 {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;
    let mut state = (seed as u64 ^ MULTIPLIER) & MASK;
    let mut next = |bits: u32| -> u64 {
        state = (state.wrapping_mul(MULTIPLIER).wrapping_add(0xB)) & MASK;
        state >> (48 - bits)
    };
    let high = next(26);
    let low = next(27);
    ((high << 27) + low) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `$random([seed])`: without a seed, the next double from the host RNG in [0, 1); with a
/// numeric seed, `new java.util.Random(seed).nextDouble()` (the seed cast to a Java long:
/// truncated toward zero, saturating, NaN as 0), as AWS computes it.
pub(crate) fn random(shared: &Shared, args: &[JValue]) -> Result<JValue, EvaluatorError> {
    match args {
        [] | [JValue::Undefined] => Ok(JValue::Number(shared.rng.borrow_mut().r#gen::<f64>())),
        [JValue::Number(seed)] => Ok(JValue::Number(java_random_double(*seed as i64))),
        [_] => Err(t0410(1, "random")),
        _ => Err(t0410(2, "random")),
    }
}

/// `$uuid()`: a version 4 UUID from the host RNG. Arguments are ignored (as jsonata-js
/// ignores extra arguments of a function without a signature), so `$map(xs, $uuid)` works.
pub(crate) fn uuid(shared: &Shared, _args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let mut bytes = [0u8; 16];
    shared.rng.borrow_mut().fill_bytes(&mut bytes);
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    Ok(JValue::string(id.hyphenated().to_string()))
}

/// `$parse(jsonString)`: the JSON text as a value.
pub(crate) fn parse(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let Some(JValue::String(text)) = args.first() else {
        return Err(t0410(1, "parse"));
    };
    if args.len() > 1 {
        return Err(t0410(2, "parse"));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        err(format!(
            "The argument of function \"parse\" is not valid JSON: {e}"
        ))
    })?;
    Ok(to_jvalue(&value))
}

/// `$millis()`: the host clock. Arguments are ignored, as jsonata-js's `$millis` ignores them
/// (`$map([1], $millis)` passes one).
pub(crate) fn millis(shared: &Shared, _args: &[JValue]) -> Result<JValue, EvaluatorError> {
    Ok(JValue::Number(shared.now_ms as f64))
}

/// `$now([picture [, timezone]])`: the host clock, formatted by the built-in `$fromMillis`.
pub(crate) fn now(shared: &Shared, args: &[JValue]) -> Result<JValue, EvaluatorError> {
    if args.len() > 2 {
        return Err(t0410(3, "now"));
    }
    let mut all = vec![JValue::Number(shared.now_ms as f64)];
    all.extend(args.iter().cloned());
    delegate("fromMillis", &all, &JValue::Undefined, &shared.options)
}

/// `$eval` is not available in AWS Step Functions: "All built-in JSONata functions and
/// operators in the 2.0.6 specification are supported, with one exception: `$eval` is not
/// available—use `$parse` instead"
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html>, "Supported
/// JSONata version"). A call answers what AWS answers for a function it does not define (the
/// recorded `$randomSeeded(...)` case): T1006.
pub(crate) fn eval_disabled(_args: &[JValue]) -> Result<JValue, EvaluatorError> {
    Err(EvaluatorError::ReferenceError(
        "T1006: Attempted to invoke a non-function".to_string(),
    ))
}

/// The built-ins whose single call can allocate without bound, with what to check. These are
/// all overridable (not compiled), so the override catches both call position and function
/// values (`$map(x, $pad)`); call positions are additionally rewritten to pass the context (see
/// `rewrite_guarded_calls`).
pub(crate) const GUARDED: &[&str] = &["pad", "formatInteger"];

/// The host function name that receives the context as argument 0 for a guarded built-in.
pub(crate) fn context_name(builtin: &str) -> String {
    format!("__sfnh_ctx_{builtin}")
}

/// Check the arguments of a guarded built-in (`args` as the built-in would get them, after
/// any context fill) against the string cap.
fn check_guarded(builtin: &str, args: &[JValue], max: usize) -> Result<(), EvaluatorError> {
    let max_f = max as f64;
    match builtin {
        // $pad(str, width [, char]): the result is |width| characters long.
        "pad" => {
            for a in args {
                if let JValue::Number(w) = a {
                    if w.abs() > max_f {
                        return Err(limit(format!(
                            "$pad to width {w} exceeds the string cap of {max} characters \
                             (Limits::max_string_length)"
                        )));
                    }
                }
            }
        }
        // $formatInteger(n, picture): a roman-numeral picture writes about n/1000 'M's; a
        // number beyond 2^53 has no exact integer reading, and the word and decimal forms of
        // numbers up to there are short.
        "formatInteger" => {
            let roman = args
                .iter()
                .any(|a| matches!(a, JValue::String(p) if p.contains(['I', 'i'])));
            for a in args {
                if let JValue::Number(n) = a {
                    if roman && n.abs() / 1000.0 > max_f {
                        return Err(limit(format!(
                            "$formatInteger({n}) as roman numerals exceeds the string cap of \
                             {max} characters (Limits::max_string_length)"
                        )));
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// A guarded built-in reached as a function value, or in call position when the expression
/// was not rewritten: check, then run the built-in.
pub(crate) fn guarded(
    shared: &Shared,
    builtin: &str,
    args: &[JValue],
) -> Result<JValue, EvaluatorError> {
    check_guarded(builtin, args, shared.max_string_length)?;
    delegate(builtin, args, &JValue::Undefined, &shared.options)
}

/// A guarded built-in in call position: `args[0]` is the context (`$`), the rest the call's
/// arguments. The built-in runs with that context, so its context fill works as usual.
pub(crate) fn guarded_with_context(
    shared: &Shared,
    builtin: &str,
    args: &[JValue],
) -> Result<JValue, EvaluatorError> {
    let (context, rest) = match args.split_first() {
        Some((c, rest)) => (c, rest),
        None => (&JValue::Undefined, args),
    };
    let mut filled = Vec::with_capacity(rest.len() + 1);
    filled.push(context.clone());
    filled.extend(rest.iter().cloned());
    // Check both readings (with and without the context filled in): whichever the built-in
    // takes, its width or number was checked.
    check_guarded(builtin, &filled, shared.max_string_length)?;
    delegate(builtin, rest, context, &shared.options)
}

thread_local! {
    /// Parsed `$name($a0, ..., $aN)` calls, by name and argument count.
    static CALLS: RefCell<HashMap<(String, usize), Rc<AstNode>>> = RefCell::new(HashMap::new());
}

/// Call the real built-in `$name` with `args` and `context` in a fresh evaluator (which has no
/// overrides), with the same limits.
pub(crate) fn delegate(
    name: &str,
    args: &[JValue],
    context: &JValue,
    options: &EvaluatorOptions,
) -> Result<JValue, EvaluatorError> {
    let ast = CALLS.with(|calls| -> Result<Rc<AstNode>, EvaluatorError> {
        let mut calls = calls.borrow_mut();
        if let Some(ast) = calls.get(&(name.to_string(), args.len())) {
            return Ok(Rc::clone(ast));
        }
        let params: Vec<String> = (0..args.len()).map(|i| format!("$a{i}")).collect();
        let src = format!("${name}({})", params.join(", "));
        let ast =
            Rc::new(jsonata_core::parser::parse(&src).map_err(|e| err(format!("internal: {e}")))?);
        calls.insert((name.to_string(), args.len()), Rc::clone(&ast));
        Ok(ast)
    })?;
    let mut ctx = Context::new();
    for (i, a) in args.iter().enumerate() {
        ctx.bind(format!("a{i}"), a.clone());
    }
    let mut ev = Evaluator::with_options(ctx, options.clone());
    ev.evaluate(&ast, context)
}
