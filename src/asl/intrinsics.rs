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
//! use sfn_harness::asl::{intrinsics, Env};
//! use serde_json::json;
//!
//! let call = intrinsics::parse("States.Format('Hello, {}! You have {} items.', $.name, States.ArrayLength($.items))").unwrap();
//! let input = json!({ "name": "Ada", "items": [1, 2, 3] });
//! let out = intrinsics::evaluate(&call, &Env::new(&input, &json!({}))).unwrap();
//! assert_eq!(out, json!("Hello, Ada! You have 3 items."));
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Number, Value};

use crate::asl::path::Path;
use crate::asl::{Env, StatesError};

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

const FUNCTIONS: [&str; 18] = [
    "Format",
    "StringToJson",
    "JsonToString",
    "Array",
    "ArrayPartition",
    "ArrayContains",
    "ArrayRange",
    "ArrayGetItem",
    "ArrayLength",
    "ArrayUnique",
    "Base64Encode",
    "Base64Decode",
    "Hash",
    "JsonMerge",
    "MathRandom",
    "MathAdd",
    "StringSplit",
    "UUID",
];

/// Whether `text` is an intrinsic function call (starts with `States.`).
pub fn is_intrinsic(text: &str) -> bool {
    text.trim_start().starts_with("States.")
}

/// Parses an intrinsic call.
pub fn parse(text: &str) -> Result<Call, IntrinsicSyntaxError> {
    let mut p = P {
        text,
        chars: text.chars().collect(),
        pos: 0,
    };
    p.ws();
    let call = p.call()?;
    p.ws();
    if p.pos != p.chars.len() {
        return Err(p.err("unexpected text after the closing parenthesis"));
    }
    Ok(call)
}

struct P<'a> {
    text: &'a str,
    chars: Vec<char>,
    pos: usize,
}

impl P<'_> {
    fn err(&self, reason: &str) -> IntrinsicSyntaxError {
        IntrinsicSyntaxError {
            text: self.text.to_string(),
            reason: reason.to_string(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn call(&mut self) -> Result<Call, IntrinsicSyntaxError> {
        let rest: String = self.chars[self.pos..].iter().collect();
        if !rest.starts_with("States.") {
            return Err(self.err("a call must start with 'States.'"));
        }
        self.pos += "States.".len();
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        if !FUNCTIONS.contains(&name.as_str()) {
            return Err(self.err(&format!(
                "'States.{name}' is not a known intrinsic function"
            )));
        }
        self.ws();
        if self.peek() != Some('(') {
            return Err(self.err("expected '(' after the function name"));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.ws();
        if self.peek() == Some(')') {
            self.pos += 1;
            return Ok(Call { name, args });
        }
        loop {
            self.ws();
            args.push(self.arg()?);
            self.ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(Call { name, args });
                }
                _ => return Err(self.err("expected ',' or ')' after an argument")),
            }
        }
    }

    fn arg(&mut self) -> Result<Arg, IntrinsicSyntaxError> {
        match self.peek() {
            Some('\'') => {
                self.pos += 1;
                let mut s = String::new();
                loop {
                    match self.peek() {
                        None => return Err(self.err("unterminated string literal")),
                        Some('\\') => {
                            let next = self.chars.get(self.pos + 1).copied();
                            let Some(n) = next else {
                                return Err(self.err("unterminated string literal"));
                            };
                            s.push('\\');
                            s.push(n);
                            self.pos += 2;
                        }
                        Some('\'') => {
                            self.pos += 1;
                            return Ok(Arg::Str(s));
                        }
                        Some(c) => {
                            s.push(c);
                            self.pos += 1;
                        }
                    }
                }
            }
            Some('$') => {
                let start = self.pos;
                let mut depth = 0i32;
                let mut quote: Option<char> = None;
                while let Some(c) = self.peek() {
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
                    self.pos += 1;
                }
                let text: String = self.chars[start..self.pos].iter().collect();
                Path::parse(text.trim())
                    .map(Arg::Path)
                    .map_err(|e| self.err(&e.to_string()))
            }
            Some('S') => self.call().map(Arg::Call),
            _ => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                {
                    self.pos += 1;
                }
                let text: String = self.chars[start..self.pos].iter().collect();
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
pub fn evaluate(call: &Call, env: &Env<'_>) -> Result<Value, StatesError> {
    let n = call.name.as_str();
    let mut args = Vec::with_capacity(call.args.len());
    let mut raw = Vec::with_capacity(call.args.len());
    for a in &call.args {
        let v = match a {
            Arg::Str(s) => {
                raw.push(Some(s.clone()));
                Value::String(unescape(s))
            }
            Arg::Literal(v) => {
                raw.push(None);
                v.clone()
            }
            Arg::Path(p) => {
                raw.push(None);
                p.read(env).map_err(|_| {
                    StatesError::runtime(format!(
                        "The JsonPath argument '{p}' of the function 'States.{n}' could not be found in the input '{}'",
                        env.input()
                    ))
                })?
            }
            Arg::Call(c) => {
                raw.push(None);
                evaluate(c, env)?
            }
        };
        args.push(v);
    }
    let count = |expected: usize| -> Result<(), StatesError> {
        if args.len() == expected {
            Ok(())
        } else {
            Err(fail(
                n,
                format!("expected {expected} argument(s) but got {}", args.len()),
            ))
        }
    };
    let string = |i: usize| -> Result<&str, StatesError> {
        args[i].as_str().ok_or_else(|| {
            fail(
                n,
                format!("argument {} must be a string, but was {}", i + 1, args[i]),
            )
        })
    };
    let array = |i: usize| -> Result<&Vec<Value>, StatesError> {
        args[i].as_array().ok_or_else(|| {
            fail(
                n,
                format!("argument {} must be an array, but was {}", i + 1, args[i]),
            )
        })
    };
    let int = |i: usize| -> Result<i64, StatesError> {
        match &args[i] {
            Value::Number(num) => num
                .as_i64()
                .or_else(|| num.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .ok_or_else(|| {
                    fail(
                        n,
                        format!("argument {} must be an integer, but was {num}", i + 1),
                    )
                }),
            other => Err(fail(
                n,
                format!("argument {} must be an integer, but was {other}", i + 1),
            )),
        }
    };
    match n {
        "Format" => {
            if args.is_empty() {
                return Err(fail(n, "expected at least 1 argument"));
            }
            let Some(Some(template)) = raw.first() else {
                return Err(fail(n, "the first argument must be a string literal"));
            };
            let mut out = String::new();
            let mut values = args[1..].iter();
            let mut chars = template.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    }
                    '{' if chars.peek() == Some(&'}') => {
                        chars.next();
                        let v = values.next().ok_or_else(|| {
                            fail(n, "the template has more '{}' placeholders than arguments")
                        })?;
                        out.push_str(&java_string(v));
                    }
                    other => out.push(other),
                }
            }
            if values.next().is_some() {
                return Err(fail(
                    n,
                    "the template has fewer '{}' placeholders than arguments",
                ));
            }
            Ok(Value::String(out))
        }
        "StringToJson" => {
            count(1)?;
            let s = string(0)?;
            if s.trim().is_empty() {
                return Ok(Value::Null);
            }
            serde_json::from_str(s)
                .map_err(|e| fail(n, format!("the string is not valid JSON: {e}")))
        }
        "JsonToString" => {
            count(1)?;
            Ok(Value::String(args[0].to_string()))
        }
        "Array" => Ok(Value::Array(args)),
        "ArrayPartition" => {
            count(2)?;
            let a = array(0)?;
            let size = int(1)?;
            if size <= 0 {
                return Err(fail(
                    n,
                    format!("the chunk size must be greater than 0, but was {size}"),
                ));
            }
            Ok(Value::Array(
                a.chunks(size as usize)
                    .map(|c| Value::Array(c.to_vec()))
                    .collect(),
            ))
        }
        "ArrayContains" => {
            count(2)?;
            Ok(Value::Bool(array(0)?.contains(&args[1])))
        }
        "ArrayRange" => {
            count(3)?;
            let (start, end, step) = (int(0)?, int(1)?, int(2)?);
            if step == 0 {
                return Err(fail(n, "the step must not be 0"));
            }
            let mut out = Vec::new();
            let mut i = start;
            while (step > 0 && i <= end) || (step < 0 && i >= end) {
                out.push(json!(i));
                if out.len() > 1000 {
                    return Err(fail(n, "the range has more than 1000 elements"));
                }
                // Past the integers there is nothing more in the range.
                let Some(next) = i.checked_add(step) else {
                    break;
                };
                i = next;
            }
            Ok(Value::Array(out))
        }
        "ArrayGetItem" => {
            count(2)?;
            let a = array(0)?;
            let i = int(1)?;
            usize::try_from(i)
                .ok()
                .and_then(|i| a.get(i))
                .cloned()
                .ok_or_else(|| {
                    fail(
                        n,
                        format!(
                            "the index {i} is out of bounds for an array of {} items",
                            a.len()
                        ),
                    )
                })
        }
        "ArrayLength" => {
            count(1)?;
            Ok(json!(array(0)?.len()))
        }
        "ArrayUnique" => {
            count(1)?;
            let mut out: Vec<Value> = Vec::new();
            for v in array(0)? {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            Ok(Value::Array(out))
        }
        "Base64Encode" => {
            count(1)?;
            let s = string(0)?;
            if s.len() > 10_000 {
                return Err(fail(n, "the input is longer than 10000 characters"));
            }
            Ok(Value::String(STANDARD.encode(s.as_bytes())))
        }
        "Base64Decode" => {
            count(1)?;
            let s = string(0)?;
            if s.len() > 10_000 {
                return Err(fail(n, "the input is longer than 10000 characters"));
            }
            let bytes = STANDARD
                .decode(s.as_bytes())
                .map_err(|e| fail(n, format!("the input is not valid base64: {e}")))?;
            String::from_utf8(bytes)
                .map(Value::String)
                .map_err(|_| fail(n, "the decoded data is not valid UTF-8"))
        }
        "Hash" => {
            count(2)?;
            let data = match &args[0] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let algorithm = string(1)?;
            let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
            use sha2::Digest;
            let digest = match algorithm {
                "MD5" => hex(&md5::Md5::digest(data.as_bytes())),
                "SHA-1" => hex(&sha1::Sha1::digest(data.as_bytes())),
                "SHA-256" => hex(&sha2::Sha256::digest(data.as_bytes())),
                "SHA-384" => hex(&sha2::Sha384::digest(data.as_bytes())),
                "SHA-512" => hex(&sha2::Sha512::digest(data.as_bytes())),
                other => {
                    return Err(fail(
                        n,
                        format!("'{other}' is not a supported algorithm (MD5, SHA-1, SHA-256, SHA-384, SHA-512)"),
                    ))
                }
            };
            Ok(Value::String(digest))
        }
        "JsonMerge" => {
            count(3)?;
            if args[2] != Value::Bool(false) {
                return Err(fail(
                    n,
                    "only shallow merges are supported: the third argument must be false",
                ));
            }
            let (Some(a), Some(b)) = (args[0].as_object(), args[1].as_object()) else {
                return Err(fail(n, "both arguments to merge must be JSON objects"));
            };
            let mut out: Map<String, Value> = a.clone();
            for (k, v) in b {
                out.insert(k.clone(), v.clone());
            }
            Ok(Value::Object(out))
        }
        "MathRandom" => {
            if !(2..=3).contains(&args.len()) {
                return Err(fail(
                    n,
                    format!("expected 2 or 3 arguments but got {}", args.len()),
                ));
            }
            let (start, end) = (int(0)?, int(1)?);
            if start >= end {
                return Err(fail(n, "the start must be less than the end"));
            }
            let value = if args.len() == 3 {
                let seed = int(2)?;
                StdRng::seed_from_u64(seed as u64).gen_range(start..end)
            } else {
                // `start < end`, so the span fits in a u64 and start + offset in an i64.
                let span = end.abs_diff(start);
                start.wrapping_add_unsigned(env.random(|rng| rng.next_u64())? % span)
            };
            Ok(json!(value))
        }
        "MathAdd" => {
            count(2)?;
            let num = |i: usize| -> Result<i64, StatesError> {
                args[i]
                    .as_f64()
                    .map(|f| (f + 0.5).floor() as i64)
                    .ok_or_else(|| {
                        fail(
                            n,
                            format!("argument {} must be a number, but was {}", i + 1, args[i]),
                        )
                    })
            };
            let sum = num(0)?
                .checked_add(num(1)?)
                .ok_or_else(|| fail(n, "the sum overflows"))?;
            Ok(json!(sum))
        }
        "StringSplit" => {
            count(2)?;
            let (s, delims) = (string(0)?, string(1)?);
            let parts: Vec<Value> = s
                .split(|c| delims.contains(c))
                .filter(|p| !p.is_empty())
                .map(|p| Value::String(p.to_string()))
                .collect();
            Ok(Value::Array(parts))
        }
        "UUID" => {
            count(0)?;
            let mut b = [0u8; 16];
            env.random(|rng| rng.fill_bytes(&mut b))?;
            Ok(Value::String(
                uuid::Builder::from_random_bytes(b)
                    .into_uuid()
                    .hyphenated()
                    .to_string(),
            ))
        }
        other => Err(fail(other, "unknown function")),
    }
}

/// A value as Java's `String.valueOf` prints it, which is what `States.Format` does.
fn java_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_string(n),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(java_string).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{k}={}", java_string(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn number_string(n: &Number) -> String {
    n.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, input: Value) -> Result<Value, StatesError> {
        let call = parse(text).unwrap();
        let context = json!({"Execution": {"Name": "run-1"}});
        let mut rng = StdRng::seed_from_u64(1);
        evaluate(&call, &Env::new(&input, &context).with_rng(&mut rng))
    }

    #[test]
    fn each_function_behaves_as_aws() {
        assert_eq!(
            run(
                "States.Format('a{}b\\{\\}{}', $.x, 'y')",
                json!({"x": {"k": [1]}})
            )
            .unwrap(),
            json!("a{k=[1]}b{}y")
        );
        assert_eq!(
            run("States.StringToJson('{\"a\":1}')", json!({})).unwrap(),
            json!({"a": 1})
        );
        assert_eq!(
            run("States.JsonToString($)", json!({"a": [1, "x"]})).unwrap(),
            json!("{\"a\":[1,\"x\"]}")
        );
        assert_eq!(
            run("States.Array(1, 'two', null, true)", json!({})).unwrap(),
            json!([1, "two", null, true])
        );
        assert_eq!(
            run("States.ArrayPartition($.a, 2)", json!({"a": [1, 2, 3]})).unwrap(),
            json!([[1, 2], [3]])
        );
        assert_eq!(
            run("States.ArrayContains($.a, 2)", json!({"a": [1, 2]})).unwrap(),
            json!(true)
        );
        assert_eq!(
            run("States.ArrayRange(1, 9, 2)", json!({})).unwrap(),
            json!([1, 3, 5, 7, 9])
        );
        assert_eq!(
            run("States.ArrayGetItem($.a, 1)", json!({"a": [1, 2]})).unwrap(),
            json!(2)
        );
        assert_eq!(
            run("States.ArrayLength($.a)", json!({"a": [1, 2]})).unwrap(),
            json!(2)
        );
        assert_eq!(
            run("States.ArrayUnique($.a)", json!({"a": [1, 2, 1, "1"]})).unwrap(),
            json!([1, 2, "1"])
        );
        assert_eq!(
            run("States.Base64Encode('Data to encode')", json!({})).unwrap(),
            json!("RGF0YSB0byBlbmNvZGU=")
        );
        assert_eq!(
            run("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", json!({})).unwrap(),
            json!("Data to encode")
        );
        assert_eq!(
            run("States.Hash('input data', 'SHA-1')", json!({})).unwrap(),
            json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
        );
        assert_eq!(
            run("States.Hash('', 'MD5')", json!({})).unwrap(),
            json!("d41d8cd98f00b204e9800998ecf8427e")
        );
        assert_eq!(
            run(
                "States.JsonMerge($.a, $.b, false)",
                json!({"a": {"x": 1, "y": 1}, "b": {"y": 2}})
            )
            .unwrap(),
            json!({"x": 1, "y": 2})
        );
        assert_eq!(
            run("States.MathAdd(1.5, -1.5)", json!({})).unwrap(),
            json!(1)
        );
        assert_eq!(
            run("States.StringSplit('a,b;;c', ',;')", json!({})).unwrap(),
            json!(["a", "b", "c"])
        );
        assert_eq!(
            run("States.MathRandom(1, 10, 7)", json!({})).unwrap(),
            run("States.MathRandom(1, 10, 7)", json!({})).unwrap()
        );
        let uuid = run("States.UUID()", json!({})).unwrap();
        assert_eq!(uuid.as_str().unwrap().len(), 36);
        assert_eq!(
            run("States.Format('{}', $$.Execution.Name)", json!({})).unwrap(),
            json!("run-1")
        );
    }

    #[test]
    fn extreme_integers_do_not_overflow() {
        // Found by `cargo fuzz run intrinsic`: these overflowed i64 arithmetic (a panic in
        // debug builds, where users' tests run).
        let run = |text: &str| {
            let empty = json!({});
            let mut rng = StdRng::seed_from_u64(1);
            evaluate(
                &parse(text).unwrap(),
                &Env::new(&empty, &empty).with_rng(&mut rng),
            )
        };
        let big = i64::MAX;
        assert_eq!(
            run(&format!("States.ArrayRange(0, {big}, {big})")).unwrap(),
            json!([0, big])
        );
        let v = run(&format!("States.MathRandom({}, {big})", i64::MIN)).unwrap();
        assert!(v.as_i64().is_some(), "{v}");
        assert!(run(&format!("States.MathAdd({big}, 1)")).is_err());
    }

    #[test]
    fn bad_arguments_fail_with_intrinsic_failure() {
        for (text, input) in [
            ("States.ArrayPartition($.a, 0)", json!({"a": [1]})),
            ("States.ArrayGetItem($.a, 5)", json!({"a": [1]})),
            ("States.ArrayRange(0, 5000, 1)", json!({})),
            ("States.Base64Decode('%%%')", json!({})),
            ("States.Hash('x', 'SHA-3')", json!({})),
            ("States.JsonMerge($.a, $.a, true)", json!({"a": {}})),
            ("States.StringToJson('{')", json!({})),
            ("States.Format('{} {}', 1)", json!({})),
            ("States.ArrayLength('no')", json!({})),
            ("States.MathRandom(5, 1)", json!({})),
        ] {
            let err = run(text, input).unwrap_err();
            assert_eq!(err.error, "States.IntrinsicFailure", "{text}: {err}");
        }
    }

    #[test]
    fn syntax_errors_are_reported() {
        for text in [
            "States.Nope()",
            "States.Format('x'",
            "States.Array(1,)",
            "Format('x')",
            "States.Array(@)",
            "States.Format('x') y",
        ] {
            assert!(parse(text).is_err(), "{text} should not parse");
        }
        assert!(parse("States.Array($.a[?(@.x == 1)], States.UUID())").is_ok());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parse_never_panics(s in "\\PC{0,60}") {
                let _ = parse(&s);
                let _ = parse(&format!("States.{s}"));
            }

            #[test]
            fn partition_concatenates_back(v in proptest::collection::vec(any::<i32>(), 0..40), size in 1i64..10) {
                let out = run(&format!("States.ArrayPartition($.a, {size})"), json!({"a": v})).unwrap();
                let flat: Vec<Value> = out.as_array().unwrap().iter().flat_map(|c| c.as_array().unwrap().clone()).collect();
                prop_assert_eq!(Value::Array(flat), json!(v));
            }

            #[test]
            fn range_has_the_expected_length(start in -50i64..50, len in 0i64..50, step in 1i64..5) {
                let end = start + len;
                let out = run(&format!("States.ArrayRange({start}, {end}, {step})"), json!({})).unwrap();
                prop_assert_eq!(out.as_array().unwrap().len() as i64, len / step + 1);
            }

            #[test]
            fn json_round_trips(v in crate::asl::path::tests_support::arb_json()) {
                let s = run("States.JsonToString($)", v.clone()).unwrap();
                let back = run("States.StringToJson($.s)", json!({"s": s})).unwrap();
                prop_assert_eq!(back, v);
            }

            #[test]
            fn base64_round_trips(s in "\\PC{0,100}") {
                let enc = run("States.Base64Encode($.s)", json!({"s": s})).unwrap();
                let dec = run("States.Base64Decode($.e)", json!({"e": enc})).unwrap();
                prop_assert_eq!(dec, json!(s));
            }

            #[test]
            fn evaluation_never_panics(f in prop::sample::select(FUNCTIONS.to_vec()), args in proptest::collection::vec(crate::asl::path::tests_support::arb_json(), 0..4)) {
                let text = format!("States.{f}({})", (0..args.len()).map(|i| format!("$.a[{i}]")).collect::<Vec<_>>().join(", "));
                let _ = run(&text, json!({"a": args}));
            }
        }
    }
}
