//! Evaluation of Choice rules.
//!
//! (Implementation in progress.)

use serde_json::Value;

use crate::asl::{Choice, ChoiceRule, StatesError};

/// Evaluates one Choice rule against the state input and the context object.
pub fn evaluate(rule: &ChoiceRule, input: &Value, context: &Value) -> Result<bool, StatesError> {
    // Interim: a subset of the operators (the full evaluator arrives with its own change).
    use crate::asl::{Comparison::*, Operand};
    match rule {
        ChoiceRule::And(rs) => {
            for r in rs {
                if !evaluate(r, input, context)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        ChoiceRule::Or(rs) => {
            for r in rs {
                if evaluate(r, input, context)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        ChoiceRule::Not(r) => Ok(!evaluate(r, input, context)?),
        ChoiceRule::Compare {
            variable,
            op,
            operand,
        } => {
            let v = variable.read(input, context).ok();
            let rhs = match operand {
                Operand::Literal(l) => l.clone(),
                Operand::Path(p) => p.read(input, context).map_err(|_| {
                    StatesError::runtime(format!("Invalid path '{p}': The choice state's condition path references an invalid value."))
                })?,
            };
            if *op == IsPresent {
                return Ok(v.is_some() == rhs.as_bool().unwrap_or(true));
            }
            let Some(v) = v else {
                return Err(StatesError::runtime(format!(
                    "Invalid path '{variable}': The choice state's condition path references an invalid value."
                )));
            };
            Ok(match op {
                StringEquals => v.is_string() && v == rhs,
                NumericEquals => v.as_f64().zip(rhs.as_f64()).is_some_and(|(a, b)| a == b),
                NumericLessThan => v.as_f64().zip(rhs.as_f64()).is_some_and(|(a, b)| a < b),
                NumericGreaterThan => v.as_f64().zip(rhs.as_f64()).is_some_and(|(a, b)| a > b),
                BooleanEquals => v.is_boolean() && v == rhs,
                IsNull => v.is_null() == rhs.as_bool().unwrap_or(true),
                _ => false,
            })
        }
    }
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
