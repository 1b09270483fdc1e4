//! Parsing and validating definitions, as `ValidateStateMachineDefinition` and
//! `CreateStateMachine` do.
//!
//! [`parse`] turns a JSON definition into a typed [`Definition`], or reports **every** problem
//! it finds, each as a [`Diagnostic`] with AWS's code and a JSON-pointer location:
//!
//! ```
//! use sfn_harness::asl;
//! use serde_json::json;
//!
//! let err = asl::parse(&json!({
//!     "StartAt": "Check",
//!     "States": {
//!         "Check": { "Type": "Pass", "Next": "Approve" },
//!         "Wait": { "Type": "Wait", "Timestamp": "tomorrow", "End": true }
//!     }
//! })).unwrap_err();
//! let found: Vec<_> = err.diagnostics.iter().map(|d| format!("{} {}", d.code, d.location)).collect();
//! assert_eq!(found, [
//!     "SCHEMA_VALIDATION_FAILED /States/Wait/Timestamp",
//!     "MISSING_TRANSITION_TARGET /States/Check/Next",
//! ]);
//! assert!(err.to_string().ends_with(
//!     "'MISSING_TRANSITION_TARGET: Missing 'Next' target: Approve at /States/Check/Next'"
//! ));
//! ```
//!
//! Codes come from the API reference of `ValidateStateMachineDefinitionDiagnostic`; message
//! texts, where AWS's are known, from responses AWS returned (recorded in LocalStack's
//! AWS-validated snapshots, e.g. "These fields are required: [StartAt]" at `/`, "The field
//! 'Type' should have one of these values: [...]", "String does not match RFC3339 timestamp",
//! "Value cannot be empty"). Nothing in a definition can make the parser panic.
//!
//! The parser is one [`Parser`] value that collects diagnostics while it walks the document;
//! its methods are spread over this module's files by concern:
//! - `machine.rs`: the top level and every nested scope (`StartAt`, `States`, state names),
//!   each state's `Next`/`End`, and the scope-wide checks of transition targets and terminals;
//! - `states.rs`: which fields each state type allows, and the body of each state type;
//! - `fields.rs`: readers for string, path, payload-template and seconds fields;
//! - `errors.rs`: `Retry` and `Catch`, through one list parser;
//! - `choice.rs`: Choice rules;
//! - `diagnostic.rs`: [`Diagnostic`] and [`InvalidDefinition`].
//!
//! - `jsonata.rs`: JSONata-mode field rules (`QueryLanguage: JSONata`: `Arguments`, `Output`,
//!   `{% %}` expressions) with their own field table, and `Assign` in both languages.

use std::collections::HashSet;

use serde_json::Value;

use crate::asl::{Definition, QueryLanguage};

mod choice;
mod diagnostic;
mod distributed;
mod errors;
mod fields;
mod jsonata;
mod machine;
mod states;

pub use diagnostic::{Code, Diagnostic, InvalidDefinition, Severity};
pub(crate) use jsonata::expression_text;

/// The most nested Parallel/Map scopes accepted (AWS: `TOO_DEEPLY_NESTED`).
const MAX_DEPTH: usize = 32;

/// Parses and validates a definition given as JSON.
///
/// ```
/// use sfn_harness::asl::{self, Code};
/// use serde_json::json;
///
/// let def = asl::parse(&json!({
///     "StartAt": "A",
///     "States": { "A": { "Type": "Pass", "Result": 1, "End": true } }
/// })).unwrap();
/// assert_eq!(def.state_names().count(), 1);
///
/// let err = asl::parse(&json!({ "StartAt": "A", "States": {} })).unwrap_err();
/// assert_eq!(err.diagnostics[0].code, Code::SchemaValidationFailed);
/// assert_eq!(err.diagnostics[0].location, "/States");
/// assert_eq!(err.diagnostics[0].message, "Value cannot be empty");
/// ```
pub fn parse(definition: &Value) -> Result<Definition, InvalidDefinition> {
    let mut p = Parser {
        diags: Vec::new(),
        names: HashSet::new(),
        default_lang: QueryLanguage::JsonPath,
        lang: QueryLanguage::JsonPath,
    };
    if !definition.is_object() {
        p.schema("", "Definition must be a valid JSON object");
        return Err(InvalidDefinition {
            diagnostics: p.diags,
        });
    }
    let def = p.machine(definition, "", 0);
    match def {
        Some(def) if p.diags.is_empty() => Ok(def),
        _ => Err(InvalidDefinition {
            diagnostics: p.diags,
        }),
    }
}

/// Parses and validates a definition given as JSON text.
///
/// ```
/// use sfn_harness::asl::{self, Code};
///
/// let err = asl::parse_str("{ \"StartAt\": ").unwrap_err();
/// assert_eq!(err.diagnostics[0].code, Code::InvalidJsonDescription);
/// ```
pub fn parse_str(text: &str) -> Result<Definition, InvalidDefinition> {
    if text.trim().is_empty() {
        return Err(InvalidDefinition {
            diagnostics: vec![Diagnostic::error(
                Code::SchemaValidationFailed,
                "",
                "Definition must be a valid JSON object",
            )],
        });
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => parse(&v),
        Err(e) => Err(InvalidDefinition {
            diagnostics: vec![Diagnostic::error(
                Code::InvalidJsonDescription,
                format!("line {}, column {}", e.line(), e.column()),
                e.to_string(),
            )],
        }),
    }
}

pub(super) struct Parser {
    pub(super) diags: Vec<Diagnostic>,
    /// Every state name seen so far, across nested scopes (names must be unique machine-wide).
    pub(super) names: HashSet<String>,
    /// The machine's `QueryLanguage`, which states without their own inherit.
    pub(super) default_lang: QueryLanguage,
    /// The language of the state being parsed.
    pub(super) lang: QueryLanguage,
}

impl Parser {
    pub(super) fn push(&mut self, code: Code, loc: &str, msg: impl Into<String>) {
        let loc = if loc.is_empty() { "/" } else { loc };
        self.diags.push(Diagnostic::error(code, loc, msg));
    }

    pub(super) fn schema(&mut self, loc: &str, msg: impl Into<String>) {
        self.push(Code::SchemaValidationFailed, loc, msg);
    }
}
