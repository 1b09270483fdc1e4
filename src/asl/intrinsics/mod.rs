//! Intrinsic functions (`States.Format`, `States.Array`, …) of JSONPath-mode ASL.
//!
//! An intrinsic call appears as the value of a `.$` field in a payload template:
//! `"greeting.$": "States.Format('Hello, {}!', $.name)"`. Arguments are string literals in
//! single quotes (with `\'`, `\{`, `\}` and `\\` escapes), numbers, `true`/`false`/`null`,
//! paths into the input (`$…`) or the context object (`$$…`), and nested calls.
//!
//! Semantics follow the AWS developer guide ("Intrinsic functions for JSONPath states") and the
//! executions recorded on AWS in `../shared/conformance`: `States.MathAdd` rounds each argument
//! half up like Java's `Math.round` (1.5 → 2, -1.5 → -1), `States.Format` prints objects the way
//! Java prints a map (`{a=1, b=[]}`), `States.StringSplit` splits on any of the delimiter's
//! characters and drops empty pieces, `States.StringToJson('')` is `null`.
//!
//! ```
//! use sfn_harness::internals::{evaluate_intrinsic, parse_intrinsic, Env};
//! use serde_json::json;
//!
//! let call = parse_intrinsic("States.Format('Hello, {}! You have {} items.', $.name, States.ArrayLength($.items))").unwrap();
//! let input = json!({ "name": "Ada", "items": [1, 2, 3] });
//! let out = evaluate_intrinsic(&call, &Env::new(&input, &json!({}))).unwrap();
//! assert_eq!(out, json!("Hello, Ada! You have 3 items."));
//! ```
//!
//! Each function is one entry of a table (name → fn), which is also the list the parser accepts;
//! the functions live by family in `array.rs`, `string.rs`, `math.rs` and `encoding.rs`.

use serde_json::Value;

use crate::asl::cursor::Cursor;
use crate::asl::path::Path;
use crate::asl::{Env, StatesError};

mod array;
mod encoding;
mod math;
mod string;

/// A parsed intrinsic function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The function name without the `States.` prefix, e.g. `Format`.
    pub name: String,
    args: Vec<Arg>,
}

#[derive(Debug, Clone, PartialEq)]
enum Arg {
    /// A string literal, kept with its escapes (`States.Format` needs to tell `\{` from `{`).
    Str(String),
    Literal(Value),
    Path(Path),
    Call(Call),
}

/// An intrinsic call that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The value '{text}' is not a valid intrinsic function call: {reason}")]
pub struct IntrinsicSyntaxError {
    /// The text as written.
    pub text: String,
    /// What is wrong.
    pub reason: String,
}

/// What every intrinsic function is: its evaluated arguments and the environment in, a value out.
type Function = fn(Args, &Env<'_>) -> Result<Value, StatesError>;

/// Every intrinsic function, by name without the `States.` prefix: the list the parser accepts
/// and the dispatch of [`evaluate`].
const FUNCTIONS: [(&str, Function); 18] = [
    ("Format", string::format),
    ("StringToJson", string::string_to_json),
    ("JsonToString", string::json_to_string),
    ("Array", array::array),
    ("ArrayPartition", array::array_partition),
    ("ArrayContains", array::array_contains),
    ("ArrayRange", array::array_range),
    ("ArrayGetItem", array::array_get_item),
    ("ArrayLength", array::array_length),
    ("ArrayUnique", array::array_unique),
    ("Base64Encode", encoding::base64_encode),
    ("Base64Decode", encoding::base64_decode),
    ("Hash", encoding::hash),
    ("JsonMerge", string::json_merge),
    ("MathRandom", math::math_random),
    ("MathAdd", math::math_add),
    ("StringSplit", string::string_split),
    ("UUID", encoding::uuid),
];

/// The function named `name` (without the `States.` prefix).
fn function(name: &str) -> Option<Function> {
    FUNCTIONS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Whether `text` is an intrinsic function call (starts with `States.`).
pub(crate) fn is_intrinsic(text: &str) -> bool {
    text.trim_start().starts_with("States.")
}

/// Parses an intrinsic call.
///
/// ```
/// use sfn_harness::internals::parse_intrinsic;
///
/// assert!(parse_intrinsic("States.Array($.a, 1)").is_ok());
/// assert!(parse_intrinsic("States.Nope()").is_err());
/// ```
pub fn parse(text: &str) -> Result<Call, IntrinsicSyntaxError> {
    let mut p = P {
        text,
        cur: Cursor::new(text),
    };
    p.cur.skip_ws();
    let call = p.call()?;
    p.cur.skip_ws();
    if !p.cur.at_end() {
        return Err(p.err("unexpected text after the closing parenthesis"));
    }
    Ok(call)
}

struct P<'a> {
    text: &'a str,
    cur: Cursor,
}

impl P<'_> {
    fn err(&self, reason: &str) -> IntrinsicSyntaxError {
        IntrinsicSyntaxError {
            text: self.text.to_string(),
            reason: reason.to_string(),
        }
    }

    fn call(&mut self) -> Result<Call, IntrinsicSyntaxError> {
        if !self.cur.starts_with("States.") {
            return Err(self.err("a call must start with 'States.'"));
        }
        self.cur.advance("States.".len());
        let start = self.cur.pos();
        self.cur.eat_while(|c| c.is_ascii_alphanumeric());
        let name = self.cur.since(start);
        if function(&name).is_none() {
            return Err(self.err(&format!(
                "'States.{name}' is not a known intrinsic function"
            )));
        }
        self.cur.skip_ws();
        if self.cur.peek() != Some('(') {
            return Err(self.err("expected '(' after the function name"));
        }
        self.cur.bump();
        let mut args = Vec::new();
        self.cur.skip_ws();
        if self.cur.peek() == Some(')') {
            self.cur.bump();
            return Ok(Call { name, args });
        }
        loop {
            self.cur.skip_ws();
            args.push(self.arg()?);
            self.cur.skip_ws();
            match self.cur.peek() {
                Some(',') => self.cur.bump(),
                Some(')') => {
                    self.cur.bump();
                    return Ok(Call { name, args });
                }
                _ => return Err(self.err("expected ',' or ')' after an argument")),
            }
        }
    }

    fn arg(&mut self) -> Result<Arg, IntrinsicSyntaxError> {
        match self.cur.peek() {
            Some('\'') => {
                self.cur.bump();
                let mut s = String::new();
                loop {
                    match self.cur.peek() {
                        None => return Err(self.err("unterminated string literal")),
                        Some('\\') => {
                            let Some(n) = self.cur.peek_at(1) else {
                                return Err(self.err("unterminated string literal"));
                            };
                            // Only `\'`, `\{`, `\}` and `\\` are escapes in a string
                            // literal (AWS's "Intrinsic functions" guide, "Reserved
                            // characters"); AWS refuses `\"` at creation
                            // (`scenarios.test_base_scenarios.test_illegal_escapes[*]` in
                            // ../shared/conformance/v2).
                            if !matches!(n, '\'' | '{' | '}' | '\\') {
                                return Err(self.err(&format!("illegal escape sequence '\\{n}'")));
                            }
                            s.push('\\');
                            s.push(n);
                            self.cur.advance(2);
                        }
                        Some('\'') => {
                            self.cur.bump();
                            return Ok(Arg::Str(s));
                        }
                        Some(c) => {
                            s.push(c);
                            self.cur.bump();
                        }
                    }
                }
            }
            Some('$') => {
                let start = self.cur.pos();
                let mut depth = 0i32;
                let mut quote: Option<char> = None;
                while let Some(c) = self.cur.peek() {
                    match (quote, c) {
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '\'' | '"') => quote = Some(c),
                        (None, '[' | '(') => depth += 1,
                        (None, ']') => depth -= 1,
                        (None, ')') if depth == 0 => break,
                        (None, ')') => depth -= 1,
                        (None, ',') if depth == 0 => break,
                        _ => {}
                    }
                    self.cur.bump();
                }
                let text = self.cur.since(start);
                Path::parse(text.trim())
                    .map(Arg::Path)
                    .map_err(|e| self.err(&e.to_string()))
            }
            Some('S') => self.call().map(Arg::Call),
            _ => {
                let text = self.cur.literal_token();
                match serde_json::from_str::<Value>(&text) {
                    Ok(v @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => {
                        Ok(Arg::Literal(v))
                    }
                    _ => Err(self.err(&format!("'{text}' is not a valid argument"))),
                }
            }
        }
    }
}

/// Removes the escapes of a string literal.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn fail(name: &str, msg: impl std::fmt::Display) -> StatesError {
    StatesError::intrinsic(format!("The function 'States.{name}' failed: {msg}"))
}

/// Evaluates a call in `env` (the state input, the context object, …). The random source of
/// `env` feeds `States.UUID` and `States.MathRandom` (without a seed argument).
///
/// ```
/// use sfn_harness::internals::{evaluate_intrinsic, parse_intrinsic, Env};
/// use serde_json::json;
///
/// let call = parse_intrinsic("States.MathAdd($.n, 1)").unwrap();
/// let input = json!({ "n": 41 });
/// assert_eq!(evaluate_intrinsic(&call, &Env::new(&input, &json!({}))).unwrap(), json!(42));
/// ```
pub fn evaluate(call: &Call, env: &Env<'_>) -> Result<Value, StatesError> {
    let n = call.name.as_str();
    let mut args = Args {
        name: n,
        values: Vec::with_capacity(call.args.len()),
        raw: Vec::with_capacity(call.args.len()),
    };
    for a in &call.args {
        let v = match a {
            Arg::Str(s) => {
                args.raw.push(Some(s.clone()));
                Value::String(unescape(s))
            }
            Arg::Literal(v) => {
                args.raw.push(None);
                v.clone()
            }
            Arg::Path(p) => {
                args.raw.push(None);
                p.read(env).map_err(|_| {
                    StatesError::runtime(format!(
                        "The JsonPath argument '{p}' of the function 'States.{n}' could not be found in the input '{}'",
                        env.input()
                    ))
                })?
            }
            Arg::Call(c) => {
                args.raw.push(None);
                evaluate(c, env)?
            }
        };
        args.values.push(v);
    }
    match function(n) {
        Some(f) => f(args, env),
        None => Err(fail(n, "unknown function")),
    }
}

/// The evaluated arguments of one call, with readers that fail as AWS does.
struct Args<'c> {
    /// The function name without `States.`, for error messages.
    name: &'c str,
    /// The argument values.
    values: Vec<Value>,
    /// Each argument's string literal as written (escapes kept), or `None` if it was not one.
    raw: Vec<Option<String>>,
}

impl Args<'_> {
    /// `States.IntrinsicFailure` for this function.
    fn fail(&self, msg: impl std::fmt::Display) -> StatesError {
        fail(self.name, msg)
    }

    /// Exactly `expected` arguments.
    fn count(&self, expected: usize) -> Result<(), StatesError> {
        if self.values.len() == expected {
            Ok(())
        } else {
            Err(self.fail(format!(
                "expected {expected} argument(s) but got {}",
                self.values.len()
            )))
        }
    }

    /// Argument `i` (counted after [`count`](Args::count)) as a string.
    fn string(&self, i: usize) -> Result<&str, StatesError> {
        self.values[i].as_str().ok_or_else(|| {
            self.fail(format!(
                "argument {} must be a string, but was {}",
                i + 1,
                self.values[i]
            ))
        })
    }

    /// Argument `i` as an array.
    fn array(&self, i: usize) -> Result<&Vec<Value>, StatesError> {
        self.values[i].as_array().ok_or_else(|| {
            self.fail(format!(
                "argument {} must be an array, but was {}",
                i + 1,
                self.values[i]
            ))
        })
    }

    /// Argument `i` as an integer (`2.0` counts as `2`).
    fn int(&self, i: usize) -> Result<i64, StatesError> {
        match &self.values[i] {
            Value::Number(num) => num
                .as_i64()
                .or_else(|| num.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .ok_or_else(|| {
                    self.fail(format!(
                        "argument {} must be an integer, but was {num}",
                        i + 1
                    ))
                }),
            other => Err(self.fail(format!(
                "argument {} must be an integer, but was {other}",
                i + 1
            ))),
        }
    }
}

#[cfg(test)]
mod tests;
