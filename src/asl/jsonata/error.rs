//! [`JsonataError`] and the texts AWS writes into a `States.QueryEvaluationError` cause.

use serde_json::Value;

/// What went wrong, broadly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub(crate) enum ErrorKind {
    /// The expression does not parse, or uses syntax AWS's JSONata 2.0.6 refuses (`??`, `?:`).
    Syntax,
    /// Evaluation raised an error (a type error, `$error()`, a failed `$assert`, ...).
    Evaluation,
    /// Evaluation hit a limit of [`Limits`](super::Limits): the time limit, the depth limit,
    /// the sequence or string size caps, or a cancel.
    Limit,
    /// The engine failed in a way no expression should cause (a caught panic).
    Internal,
}

/// A JSONata parse or evaluation error.
///
/// [`message`](Self::message) is the full text, starting with the JSONata code when there is
/// one (`"T2002: The right side of the \"+\" operator must evaluate to a number"`), which is
/// how AWS quotes it in a cause (see `cause_evaluation_error`).
///
/// ```
/// use sfn_harness::internals::Expression;
///
/// let err = Expression::parse("{").unwrap_err();
/// assert!(err.code().is_some_and(|c| c.starts_with('S')), "a syntax error: {err}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonataError {
    kind: ErrorKind,
    code: Option<String>,
    message: String,
}

impl JsonataError {
    pub(crate) fn new(kind: ErrorKind, code: Option<String>, message: String) -> Self {
        JsonataError {
            kind,
            code,
            message,
        }
    }

    /// What kind of error this is.
    #[cfg(test)]
    pub(crate) fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The JSONata error code (`"T2002"`, `"D3030"`, `"S0211"`, ...), when there is one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The message, starting with the code when there is one.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

/// The first JSONata-style code (`[STDU]` and four digits, not inside a longer word) in `text`.
pub(crate) fn find_code(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(4)).find_map(|i| {
        let starts = matches!(b[i], b'S' | b'T' | b'D' | b'U')
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b[i + 1..i + 5].iter().all(u8::is_ascii_digit)
            && b.get(i + 5).is_none_or(|c| !c.is_ascii_alphanumeric());
        starts.then(|| &text[i..i + 5])
    })
}

/// `"The JSONata expression '<expr>' specified for the field '<field>' returned nothing
/// (undefined)."`: the expression evaluated to undefined where a value is needed.
///
/// Found in `assign.test_assign_reference_variables.test_undefined_reference[*]` (fields
/// `Output`, `Output/result`, `Arguments/FunctionName`). The interpreter adds AWS's
/// `"An error occurred while executing the state '…' (entered at the event id #…). "` prefix.
pub(crate) fn cause_returned_nothing(expr: &str, field: &str) -> String {
    format!(
        "The JSONata expression '{expr}' specified for the field '{field}' returned nothing \
         (undefined)."
    )
}

/// `"The JSONata expression '<expr>' specified for the field '<field>' threw an error during
/// evaluation. <code>: <message>"`: evaluation raised `error`.
///
/// Found in `intrinsic_functions.test_math_operations_jsonata.test_math_random_seeded`
/// (`... threw an error during evaluation. T1006: Attempted to invoke a non-function`).
pub(crate) fn cause_evaluation_error(expr: &str, field: &str, error: &JsonataError) -> String {
    format!(
        "The JSONata expression '{expr}' specified for the field '{field}' threw an error during \
         evaluation. {}",
        error.message()
    )
}

/// `"The JSONata expression '<expr>' specified for the field '<field>' returned an unexpected
/// result type. Expected '<expected>', but was '<type>' for value: <json>"`: the value has the
/// wrong JSON type for the field (e.g. a Map state's `Items` that is not an array).
///
/// `expected` is AWS's type word (`"array"`, `"object"`, `"string"`, `"number"`, ...); the
/// value's type word comes from [`json_type_name`] and the value is written as compact JSON.
/// Found in `scenarios.test_base_scenarios.test_map_state_items_eval_jsonata_fail[*]` and
/// `test_map_state_items_eval_jsonata_variable_sampling_fail[*]`.
pub(crate) fn cause_unexpected_type(
    expr: &str,
    field: &str,
    expected: &str,
    value: &Value,
) -> String {
    format!(
        "The JSONata expression '{expr}' specified for the field '{field}' returned an unexpected \
         result type. Expected '{expected}', but was '{}' for value: {value}",
        json_type_name(value)
    )
}

/// AWS's word for a JSON value's type in [`cause_unexpected_type`]: `null`, `boolean`,
/// `number`, `string`, `array` or `object`.
pub(crate) fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
