//! String and JSON functions: `States.Format`, `States.StringToJson`, `States.JsonToString`,
//! `States.StringSplit` and `States.JsonMerge`.

use serde_json::{Map, Number, Value};

use crate::asl::intrinsics::Args;
use crate::asl::{Env, StatesError};

/// `States.Format`.
pub(super) fn format(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    if args.values.is_empty() {
        return Err(args.fail("expected at least 1 argument"));
    }
    // A literal keeps its escapes (`\{`); a path's string value has none (AWS reads the
    // template from a path too: `States.Format($.AnswerTemplate, …)` in
    // `assign.test_assign_reference_variables.test_reference_in_map_state[*]`).
    let template = match (args.raw.first(), args.values.first()) {
        (Some(Some(t)), _) => t.clone(),
        (_, Some(Value::String(s))) => s.replace('\\', "\\\\"),
        _ => return Err(args.fail("the first argument must be a string")),
    };
    let mut out = String::new();
    let mut values = args.values[1..].iter();
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
                    args.fail("the template has more '{}' placeholders than arguments")
                })?;
                out.push_str(&java_string(v));
            }
            other => out.push(other),
        }
    }
    if values.next().is_some() {
        return Err(args.fail("the template has fewer '{}' placeholders than arguments"));
    }
    Ok(Value::String(out))
}

/// `States.StringToJson`.
pub(super) fn string_to_json(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(1)?;
    let s = args.string(0)?;
    if s.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(s).map_err(|e| args.fail(format!("the string is not valid JSON: {e}")))
}

/// `States.JsonToString`.
pub(super) fn json_to_string(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(1)?;
    Ok(Value::String(args.values[0].to_string()))
}

/// `States.StringSplit`.
pub(super) fn string_split(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(2)?;
    let (s, delims) = (args.string(0)?, args.string(1)?);
    let parts: Vec<Value> = s
        .split(|c| delims.contains(c))
        .filter(|p| !p.is_empty())
        .map(|p| Value::String(p.to_string()))
        .collect();
    Ok(Value::Array(parts))
}

/// `States.JsonMerge`.
pub(super) fn json_merge(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(3)?;
    if args.values[2] != Value::Bool(false) {
        return Err(
            args.fail("only shallow merges are supported: the third argument must be false")
        );
    }
    let (Some(a), Some(b)) = (args.values[0].as_object(), args.values[1].as_object()) else {
        return Err(args.fail("both arguments to merge must be JSON objects"));
    };
    let mut out: Map<String, Value> = a.clone();
    for (k, v) in b {
        out.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(out))
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
