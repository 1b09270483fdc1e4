//! Diagnostics: one problem in a definition, and a definition rejected with all of them.
//!
//! Both renderings of a rejected definition live on [`InvalidDefinition`]: AWS's one-line
//! text (`InvalidDefinition::aws_message`, also its `Display`) and the harness's bulleted
//! list (`InvalidDefinition::bullet_list`).

use std::fmt;

/// How bad a [`Diagnostic`] is, as `ValidateStateMachineDefinition` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// `ERROR`: the definition is rejected.
    Error,
    /// `WARNING`: the definition is accepted, but something is likely wrong.
    Warning,
}

impl Severity {
    /// The text AWS uses: `ERROR` or `WARNING` (also its `Display`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
        }
    }
}

/// What kind of problem a [`Diagnostic`] reports: the codes of the API reference of
/// `ValidateStateMachineDefinitionDiagnostic` that sfn-harness raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `SCHEMA_VALIDATION_FAILED`: a field is missing, unknown, or has the wrong type or value.
    SchemaValidationFailed,
    /// `INVALID_JSON_DESCRIPTION`: the definition text is not JSON.
    InvalidJsonDescription,
    /// `MISSING_TRANSITION_TARGET`: a `Next`, `Default`, `StartAt` or catcher names no state of
    /// its scope.
    MissingTransitionTarget,
    /// `MISSING_END_STATE`: no state of a scope ends it.
    MissingEndState,
    /// `INVALID_RESOURCE`: a Task's `Resource` is not a resource ARN.
    InvalidResource,
    /// `TOO_DEEPLY_NESTED`: Parallel and Map scopes are nested too deeply.
    TooDeeplyNested,
    /// `INVALID_STATE_NAME`: a state name is empty or too long.
    InvalidStateName,
    /// `DUPLICATE_STATE_NAME`: two states share a name.
    DuplicateStateName,
    /// A Map state's `Label` is empty, longer than 40 characters, or holds a character AWS
    /// refuses. AWS words the `CreateStateMachine` error differently from the others (see
    /// `CreateStateMachine`'s `Error=ValueError …` text); as a diagnostic it reads
    /// `SCHEMA_VALIDATION_FAILED`.
    InvalidLabel,
}

impl Code {
    /// The text AWS uses, e.g. `SCHEMA_VALIDATION_FAILED` (also its `Display`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Code::SchemaValidationFailed => "SCHEMA_VALIDATION_FAILED",
            Code::InvalidJsonDescription => "INVALID_JSON_DESCRIPTION",
            Code::MissingTransitionTarget => "MISSING_TRANSITION_TARGET",
            Code::MissingEndState => "MISSING_END_STATE",
            Code::InvalidResource => "INVALID_RESOURCE",
            Code::TooDeeplyNested => "TOO_DEEPLY_NESTED",
            Code::InvalidStateName => "INVALID_STATE_NAME",
            Code::DuplicateStateName => "DUPLICATE_STATE_NAME",
            Code::InvalidLabel => "SCHEMA_VALIDATION_FAILED",
        }
    }
}

/// `Display`, `Serialize` and comparison with text, all through `as_str()`.
macro_rules! aws_text {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

aws_text!(Severity);
aws_text!(Code);

/// One problem in a definition, shaped like a ValidateStateMachineDefinition diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// `ERROR` or `WARNING`.
    pub severity: Severity,
    /// AWS's code, e.g. `SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`.
    pub code: Code,
    /// The human-readable message.
    pub message: String,
    /// Where, as a JSON pointer into the definition, e.g. `/States/Approve/Next`.
    pub location: String,
}

impl Diagnostic {
    /// An `ERROR` diagnostic.
    pub(crate) fn error(
        code: Code,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: location.into(),
        }
    }

    /// The location, with `/` for the root.
    fn location_or_root(&self) -> &str {
        if self.location.is_empty() {
            "/"
        } else {
            &self.location
        }
    }
}

/// A definition rejected with every problem found.
///
/// ```
/// use sfn_harness::asl::{self, Code};
/// use serde_json::json;
///
/// let err = asl::parse(&json!({ "StartAt": "A", "States": { "A": { "Type": "Pass" } } })).unwrap_err();
/// assert_eq!(err.diagnostics[0].code, Code::SchemaValidationFailed);
/// assert_eq!(err.diagnostics[0].code.to_string(), "SCHEMA_VALIDATION_FAILED");
/// assert_eq!(err.diagnostics[0].location, "/States/A");
/// // `Display` is the text of AWS's `InvalidDefinition` error.
/// assert_eq!(
///     err.to_string(),
///     "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: This state must have \
///      either a 'Next' or an 'End' field at /States/A', \
///      'MISSING_END_STATE: Workflow has no terminal state at /'"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.aws_message())]
pub struct InvalidDefinition {
    /// The problems: each state's own, in document order, then the transitions of each scope.
    pub diagnostics: Vec<Diagnostic>,
}

impl InvalidDefinition {
    /// The text AWS puts in an `InvalidDefinition` error: `Invalid State Machine Definition:`
    /// followed by `'CODE: message at location'` for each diagnostic, comma-separated.
    pub(crate) fn aws_message(&self) -> String {
        let each: Vec<String> = self
            .diagnostics
            .iter()
            .map(|d| format!("'{}: {} at {}'", d.code, d.message, d.location_or_root()))
            .collect();
        format!("Invalid State Machine Definition: {}", each.join(", "))
    }

    /// The message of AWS's `InvalidDefinition` error for the definition `text` as it was sent:
    /// [`aws_message`](Self::aws_message), except for a bad Map `Label`, which AWS reports
    /// alone as `Error=ValueError Args=['<reason>'] in definition '<text>'.` (the reason
    /// quoted as Python prints a string), as recorded in LocalStack's AWS-validated
    /// `test_sfn_api_map_run.py::test_map_state_label_empty_fail`, `…_too_long_fail` and
    /// `…_invalid_char_fail[*]`.
    pub(crate) fn aws_message_for(&self, text: &str) -> String {
        match self
            .diagnostics
            .iter()
            .find(|d| d.code == Code::InvalidLabel)
        {
            Some(d) => format!(
                "Error=ValueError Args=[{}] in definition '{text}'.",
                python_repr(&d.message)
            ),
            None => self.aws_message(),
        }
    }

    /// One line per diagnostic, `  - CODE at location: message`, as the harness lists them.
    pub(crate) fn bullet_list(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| format!("  - {} at {}: {}", d.code, d.location_or_root(), d.message))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A string as Python's `repr()` prints it: in single quotes, or double quotes when it holds a
/// single quote and no double quote; backslashes, the quote, `\t` `\n` `\r` and the other
/// control characters (U+0000-U+001F, U+007F-U+009F) escaped.
fn python_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts the two inline closures (in this type's `#[error]` and in `HarnessError`)
    /// produced before they became methods.
    #[test]
    fn renderings_are_the_former_texts() {
        let err = InvalidDefinition {
            diagnostics: vec![
                Diagnostic::error(
                    Code::SchemaValidationFailed,
                    "",
                    "Definition must be a valid JSON object",
                ),
                Diagnostic::error(
                    Code::MissingTransitionTarget,
                    "/States/A/Next",
                    "Missing 'Next' target: B",
                ),
            ],
        };
        let location = |d: &Diagnostic| {
            if d.location.is_empty() {
                "/".to_string()
            } else {
                d.location.clone()
            }
        };
        let aws = format!(
            "Invalid State Machine Definition: {}",
            err.diagnostics
                .iter()
                .map(|d| format!("'{}: {} at {}'", d.code.as_str(), d.message, location(d)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let bullets = err
            .diagnostics
            .iter()
            .map(|d| format!("  - {} at {}: {}", d.code.as_str(), location(d), d.message))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(err.aws_message(), aws);
        assert_eq!(err.to_string(), aws);
        assert_eq!(err.bullet_list(), bullets);
        assert_eq!(
            serde_json::to_value(&err.diagnostics[1]).expect("plain strings serialize"),
            serde_json::json!({
                "severity": "ERROR", "code": "MISSING_TRANSITION_TARGET",
                "message": "Missing 'Next' target: B", "location": "/States/A/Next"
            })
        );
    }

    /// A bad Map `Label` is worded as AWS words it (once the doc example of the now
    /// crate-private `aws_message_for`).
    #[test]
    fn a_bad_label_reads_as_aws_value_error() {
        let text = r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "Label": "", "End": true,
    "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}"#;
        let err = crate::asl::parse_str(text).expect_err("an empty label is refused");
        assert_eq!(
            err.aws_message_for(text),
            format!("Error=ValueError Args=['Label cannot be empty'] in definition '{text}'.")
        );
        let missing = crate::asl::parse(
            &serde_json::json!({ "StartAt": "A", "States": { "A": { "Type": "Pass" } } }),
        )
        .expect_err("no Next nor End");
        assert!(missing
            .bullet_list()
            .starts_with("  - SCHEMA_VALIDATION_FAILED at /States/A: This state must have either"));
    }
}
