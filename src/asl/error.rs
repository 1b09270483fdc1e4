//! Runtime errors raised while evaluating ASL (paths, templates, intrinsics, Choice rules).

/// An error with an ASL error name (`States.Runtime`, `States.IntrinsicFailure`, …) and a cause,
/// exactly as it would appear in an execution's history.
///
/// ```
/// use sfn_harness::asl::StatesError;
/// use sfn_harness::internals::{evaluate_intrinsic, parse_intrinsic, Env};
/// use serde_json::json;
///
/// let e = StatesError::new("Payment.Declined", "card expired");
/// assert_eq!(e.to_string(), "Payment.Declined: card expired");
///
/// // What the language raises at run time:
/// let call = parse_intrinsic("States.ArrayGetItem($.a, 5)").unwrap();
/// let input = json!({ "a": [1] });
/// let err = evaluate_intrinsic(&call, &Env::new(&input, &json!({}))).unwrap_err();
/// assert_eq!(err.error, "States.IntrinsicFailure");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct StatesError {
    /// The error name, e.g. `States.Runtime`.
    pub error: String,
    /// The human-readable cause.
    pub cause: String,
}

impl StatesError {
    /// An error with the given name and cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        StatesError {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// `States.Runtime`.
    pub(crate) fn runtime(cause: impl Into<String>) -> Self {
        Self::new("States.Runtime", cause)
    }

    /// `States.IntrinsicFailure`.
    pub(crate) fn intrinsic(cause: impl Into<String>) -> Self {
        Self::new("States.IntrinsicFailure", cause)
    }
}
