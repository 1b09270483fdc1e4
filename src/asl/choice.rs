//! Evaluation of Choice rules.
//!
//! (Implementation in progress.)

use serde_json::Value;

use crate::asl::{Choice, ChoiceRule, StatesError};

/// Evaluates one Choice rule against the state input and the context object.
pub fn evaluate(rule: &ChoiceRule, input: &Value, context: &Value) -> Result<bool, StatesError> {
    let _ = (rule, input, context);
    todo!("choice::evaluate")
}

/// The `Next` of the first matching choice, or the `Default`; `None` if neither applies (the
/// engine then fails with `States.NoChoiceMatched`).
pub fn select<'a>(
    choice: &'a Choice,
    input: &Value,
    context: &Value,
) -> Result<Option<&'a str>, StatesError> {
    for branch in &choice.choices {
        if evaluate(&branch.rule, input, context)? {
            return Ok(Some(&branch.next));
        }
    }
    Ok(choice.default.as_deref())
}
