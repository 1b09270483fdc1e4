//! Payload templates: `Parameters`, `ResultSelector` and `ItemSelector`.
//!
//! (Implementation in progress.)

use serde_json::Value;

use crate::asl::StatesError;

/// Evaluates a payload template against the state input and the context object.
///
/// Keys ending in `.$` are replaced (without the suffix) by the value their path or intrinsic
/// function selects; every other value is copied as is, recursively.
pub fn evaluate(
    template: &Value,
    input: &Value,
    context: &Value,
    rng: &mut dyn rand::RngCore,
) -> Result<Value, StatesError> {
    // Interim: paths only (intrinsic functions arrive with their own change).
    let _ = rng;
    match template {
        Value::Object(o) => {
            let mut out = serde_json::Map::new();
            for (k, v) in o {
                if let Some(key) = k.strip_suffix(".$") {
                    let Some(expr) = v.as_str() else {
                        return Err(StatesError::runtime(format!(
                            "The value of the field '{k}' must be a string"
                        )));
                    };
                    let path = crate::asl::path::Path::parse(expr)
                        .map_err(|e| StatesError::runtime(e.to_string()))?;
                    let val = path.read(input, context).map_err(|_| {
                        StatesError::runtime(format!(
                            "The JSONPath '{expr}' specified for the field '{k}' could not be found in the input '{input}'"
                        ))
                    })?;
                    out.insert(key.to_string(), val);
                } else {
                    out.insert(k.clone(), evaluate(v, input, context, rng)?);
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(a) => a
            .iter()
            .map(|v| evaluate(v, input, context, rng))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// A problem found in a payload template at definition time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblem {
    /// JSON-pointer-like location inside the template, e.g. `/a/b.$`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

/// Checks a template's `.$` fields at definition time (each must be a valid path or intrinsic
/// function call).
pub fn check(template: &Value) -> Vec<TemplateProblem> {
    let _ = template;
    Vec::new()
}
