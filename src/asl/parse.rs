//! Parsing and validating definitions, as ValidateStateMachineDefinition does.
//!
//! (Implementation in progress.)

use serde_json::Value;

use crate::asl::Definition;

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
#[error("Invalid State Machine Definition: {}", .diagnostics.iter().map(|d| format!("'{}: {} at {}'", d.code, d.message, d.location)).collect::<Vec<_>>().join(", "))]
pub struct InvalidDefinition {
    /// The problems, in document order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and validates a definition given as JSON.
pub fn parse(definition: &Value) -> Result<Definition, InvalidDefinition> {
    let _ = definition;
    todo!("parse")
}

/// Parses and validates a definition given as JSON text.
pub fn parse_str(text: &str) -> Result<Definition, InvalidDefinition> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => parse(&v),
        Err(e) => Err(InvalidDefinition {
            diagnostics: vec![Diagnostic {
                severity: "ERROR".into(),
                code: "INVALID_JSON_DESCRIPTION".into(),
                message: e.to_string(),
                location: String::new(),
            }],
        }),
    }
}
