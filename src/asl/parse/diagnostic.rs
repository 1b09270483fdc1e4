//! Diagnostics: one problem in a definition, and a definition rejected with all of them.

/// One problem in a definition, shaped like a ValidateStateMachineDefinition diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// `ERROR` or `WARNING`.
    pub severity: String,
    /// AWS's code, e.g. `SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`.
    pub code: String,
    /// The human-readable message.
    pub message: String,
    /// Where, as a JSON pointer into the definition, e.g. `/States/Approve/Next`.
    pub location: String,
}

/// A definition rejected with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid State Machine Definition: {}", .diagnostics.iter().map(|d| format!("'{}: {} at {}'", d.code, d.message, if d.location.is_empty() { "/" } else { &d.location })).collect::<Vec<_>>().join(", "))]
pub struct InvalidDefinition {
    /// The problems: each state's own, in document order, then the transitions of each scope.
    pub diagnostics: Vec<Diagnostic>,
}
