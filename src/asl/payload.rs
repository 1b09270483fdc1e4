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
    let _ = (template, input, context, rng);
    todo!("payload::evaluate")
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
