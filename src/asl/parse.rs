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
//! let found: Vec<_> = err.diagnostics.iter().map(|d| (d.code.as_str(), d.location.as_str())).collect();
//! assert_eq!(found, [
//!     ("SCHEMA_VALIDATION_FAILED", "/States/Wait/Timestamp"),
//!     ("MISSING_TRANSITION_TARGET", "/States/Check/Next"),
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

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::asl::choice::timestamp;
use crate::asl::path::Path;
use crate::asl::{
    payload, Catcher, Choice, ChoiceBranch, ChoiceRule, Comparison, Definition, Fail, Jitter,
    Map as MapState, Operand, Parallel, Pass, PathOrNull, Retrier, Seconds, State, StateKind,
    StringOrPath, Task, Transition, Wait, WaitFor,
};

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

/// The most nested Parallel/Map scopes accepted (AWS: `TOO_DEEPLY_NESTED`).
const MAX_DEPTH: usize = 32;

/// Parses and validates a definition given as JSON.
pub fn parse(definition: &Value) -> Result<Definition, InvalidDefinition> {
    let mut p = Parser {
        diags: Vec::new(),
        names: HashSet::new(),
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
pub fn parse_str(text: &str) -> Result<Definition, InvalidDefinition> {
    if text.trim().is_empty() {
        return Err(InvalidDefinition {
            diagnostics: vec![Diagnostic {
                severity: "ERROR".into(),
                code: "SCHEMA_VALIDATION_FAILED".into(),
                message: "Definition must be a valid JSON object".into(),
                location: String::new(),
            }],
        });
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => parse(&v),
        Err(e) => Err(InvalidDefinition {
            diagnostics: vec![Diagnostic {
                severity: "ERROR".into(),
                code: "INVALID_JSON_DESCRIPTION".into(),
                message: e.to_string(),
                location: format!("line {}, column {}", e.line(), e.column()),
            }],
        }),
    }
}

struct Parser {
    diags: Vec<Diagnostic>,
    /// Every state name seen so far, across nested scopes (names must be unique machine-wide).
    names: HashSet<String>,
}

const COMMON: &[&str] = &["Type", "Comment", "InputPath", "OutputPath", "Next", "End"];

fn allowed(ty: &str) -> &'static [&'static str] {
    match ty {
        "Pass" => &["Result", "ResultPath", "Parameters"],
        "Task" => &[
            "Resource",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
        ],
        "Choice" => &["Choices", "Default"],
        "Wait" => &["Seconds", "Timestamp", "SecondsPath", "TimestampPath"],
        "Succeed" => &[],
        "Fail" => &["Error", "Cause", "ErrorPath", "CausePath"],
        "Parallel" => &[
            "Branches",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
        ],
        "Map" => &[
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "ItemSelector",
            "Parameters",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "Label",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentagePath",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
        ],
        _ => &[],
    }
}

const STATE_TYPES: &str = "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]";

impl Parser {
    fn push(&mut self, code: &str, loc: &str, msg: impl Into<String>) {
        self.diags.push(Diagnostic {
            severity: "ERROR".into(),
            code: code.into(),
            message: msg.into(),
            location: if loc.is_empty() {
                "/".into()
            } else {
                loc.into()
            },
        });
    }

    fn schema(&mut self, loc: &str, msg: impl Into<String>) {
        self.push("SCHEMA_VALIDATION_FAILED", loc, msg);
    }

    fn machine(&mut self, v: &Value, loc: &str, depth: usize) -> Option<Definition> {
        let Some(o) = v.as_object() else {
            self.schema(
                loc,
                "The value must be a JSON object with StartAt and States",
            );
            return None;
        };
        if depth > MAX_DEPTH {
            self.push(
                "TOO_DEEPLY_NESTED",
                loc,
                format!("The states are nested more than {MAX_DEPTH} levels deep"),
            );
            return None;
        }
        let mut missing = Vec::new();
        if !o.contains_key("States") {
            missing.push("States");
        }
        if !o.contains_key("StartAt") {
            missing.push("StartAt");
        }
        if !missing.is_empty() {
            self.schema(
                loc,
                format!("These fields are required: [{}]", missing.join(", ")),
            );
        }
        for key in o.keys() {
            let ok = matches!(key.as_str(), "StartAt" | "States" | "Comment")
                || (depth == 0
                    && matches!(key.as_str(), "TimeoutSeconds" | "Version" | "QueryLanguage"))
                || (depth > 0 && key == "ProcessorConfig");
            if !ok {
                self.schema(
                    loc,
                    format!("The field \"{key}\" is not supported by Step Functions"),
                );
            }
        }
        if depth == 0 {
            match o.get("QueryLanguage").map(Value::as_str) {
                None | Some(Some("JSONPath")) => {}
                Some(Some("JSONata")) => self.schema(
                    &format!("{loc}/QueryLanguage"),
                    "QueryLanguage 'JSONata' is not supported by sfn-harness yet; use JSONPath",
                ),
                Some(_) => self.schema(
                    &format!("{loc}/QueryLanguage"),
                    "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
                ),
            }
            if let Some(v) = o.get("Version") {
                if v.as_str() != Some("1.0") {
                    self.schema(
                        &format!("{loc}/Version"),
                        "The field 'Version' should have one of these values: [1.0]",
                    );
                }
            }
        }
        if let Some(c) = o.get("Comment") {
            if !c.is_string() {
                self.schema(
                    &format!("{loc}/Comment"),
                    "The value for the field 'Comment' must be a STRING",
                );
            }
        }
        let timeout_seconds = match o.get("TimeoutSeconds") {
            None => None,
            Some(t) => match t.as_u64() {
                Some(n) if n > 0 && n <= 99_999_999 => Some(n),
                _ => {
                    self.schema(
                        &format!("{loc}/TimeoutSeconds"),
                        "The value for the field 'TimeoutSeconds' must be a positive integer no greater than 99999999",
                    );
                    None
                }
            },
        };
        let start_at = match o.get("StartAt") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.schema(
                    &format!("{loc}/StartAt"),
                    "The value for the field 'StartAt' must be a STRING",
                );
                None
            }
            None => None,
        };
        let mut states = Vec::new();
        let mut names: Vec<String> = Vec::new();
        match o.get("States") {
            Some(Value::Object(m)) if !m.is_empty() => {
                for (name, sv) in m {
                    let sloc = format!("{loc}/States/{name}");
                    names.push(name.clone());
                    if !self.names.insert(name.clone()) {
                        self.push(
                            "DUPLICATE_STATE_NAME",
                            &sloc,
                            format!("Duplicate State name: {name}"),
                        );
                    }
                    if name.is_empty() || name.chars().count() > 80 {
                        self.push(
                            "INVALID_STATE_NAME",
                            &sloc,
                            "State names must be between 1 and 80 characters long",
                        );
                    }
                    if let Some(s) = self.state(name, sv, &sloc, depth) {
                        states.push(s);
                    }
                }
            }
            Some(Value::Object(_)) => {
                self.schema(&format!("{loc}/States"), "Value cannot be empty")
            }
            Some(_) => self.schema(
                &format!("{loc}/States"),
                "The value for the field 'States' must be an OBJECT",
            ),
            None => {}
        }
        if let Some(s) = &start_at {
            if o.get("States")
                .and_then(Value::as_object)
                .is_some_and(|m| !m.is_empty())
                && !names.contains(s)
            {
                self.push(
                    "MISSING_TRANSITION_TARGET",
                    &format!("{loc}/StartAt"),
                    format!("Missing 'Next' target: {s}"),
                );
            }
        }
        // Every transition must name a state of the same scope.
        for s in &states {
            let sloc = format!("{loc}/States/{}", s.name);
            let mut targets: Vec<(String, String)> = Vec::new();
            if let Transition::Next(n) = &s.transition {
                targets.push((n.clone(), format!("{sloc}/Next")));
            }
            match &s.kind {
                StateKind::Choice(c) => {
                    for (i, b) in c.choices.iter().enumerate() {
                        targets.push((b.next.clone(), format!("{sloc}/Choices[{i}]/Next")));
                    }
                    if let Some(d) = &c.default {
                        targets.push((d.clone(), format!("{sloc}/Default")));
                    }
                }
                StateKind::Task(t) => catch_targets(&t.catch, &sloc, &mut targets),
                StateKind::Parallel(p) => catch_targets(&p.catch, &sloc, &mut targets),
                StateKind::Map(m) => catch_targets(&m.catch, &sloc, &mut targets),
                _ => {}
            }
            for (t, tloc) in targets {
                if !names.contains(&t) {
                    self.push(
                        "MISSING_TRANSITION_TARGET",
                        &tloc,
                        format!("Missing 'Next' target: {t}"),
                    );
                }
            }
        }
        let terminal = |s: &Value| {
            s.get("End") == Some(&Value::Bool(true))
                || matches!(
                    s.get("Type").and_then(Value::as_str),
                    Some("Succeed" | "Fail")
                )
        };
        if o.get("States")
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty() && !m.values().any(terminal))
        {
            self.push("MISSING_END_STATE", loc, "Workflow has no terminal state");
        }
        let start_at = start_at?;
        let index = states
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect();
        Some(Definition {
            comment: o.get("Comment").and_then(Value::as_str).map(String::from),
            start_at,
            states,
            index,
            timeout_seconds,
        })
    }

    fn string_field<'a>(
        &mut self,
        o: &'a Map<String, Value>,
        key: &str,
        loc: &str,
    ) -> Option<&'a str> {
        match o.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.schema(
                    &format!("{loc}/{key}"),
                    format!("The value for the field '{key}' must be a STRING"),
                );
                None
            }
        }
    }

    fn path_field(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
        reference: bool,
    ) -> PathOrNull {
        match o.get(key) {
            None => PathOrNull::Default,
            Some(Value::Null) => PathOrNull::Null,
            Some(Value::String(s)) => match Path::parse(s) {
                Ok(p) if reference && (p.is_context() || !p.is_reference()) => {
                    self.schema(
                        &format!("{loc}/{key}"),
                        format!("The value for the field '{key}' must be a valid ReferencePath"),
                    );
                    PathOrNull::Default
                }
                Ok(p) => PathOrNull::Path(p),
                Err(_) => {
                    self.schema(
                        &format!("{loc}/{key}"),
                        format!("The value for the field '{key}' must be a valid JSONPath"),
                    );
                    PathOrNull::Default
                }
            },
            Some(_) => {
                self.schema(
                    &format!("{loc}/{key}"),
                    format!("The value for the field '{key}' must be a STRING"),
                );
                PathOrNull::Default
            }
        }
    }

    fn template(&mut self, o: &Map<String, Value>, key: &str, loc: &str) -> Option<Value> {
        let v = o.get(key)?;
        for problem in payload::check(v) {
            let field = problem
                .location
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string();
            self.schema(
                &format!("{loc}/{key}"),
                format!("The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call"),
            );
        }
        Some(v.clone())
    }

    fn seconds(&mut self, o: &Map<String, Value>, key: &str, loc: &str) -> Option<Seconds> {
        let path_key = format!("{key}Path");
        match (o.get(key), o.get(&path_key)) {
            (Some(_), Some(_)) => {
                self.schema(
                    loc,
                    format!("The fields '{key}' and '{path_key}' are mutually exclusive"),
                );
                None
            }
            (Some(v), None) => match v.as_u64() {
                Some(n) if n > 0 && n <= 99_999_999 => Some(Seconds::Literal(n)),
                _ => {
                    self.schema(
                        &format!("{loc}/{key}"),
                        format!("The value for the field '{key}' must be a positive integer no greater than 99999999"),
                    );
                    None
                }
            },
            (None, Some(Value::String(s))) => {
                match Path::parse(s) {
                    Ok(p) if p.is_reference() => Some(Seconds::Path(p)),
                    _ => {
                        self.schema(&format!("{loc}/{path_key}"), format!("The value for the field '{path_key}' must be a valid ReferencePath"));
                        None
                    }
                }
            }
            (None, Some(_)) => {
                self.schema(
                    &format!("{loc}/{path_key}"),
                    format!("The value for the field '{path_key}' must be a STRING"),
                );
                None
            }
            (None, None) => None,
        }
    }

    fn error_equals(&mut self, o: &Map<String, Value>, loc: &str) -> Vec<String> {
        match o.get("ErrorEquals") {
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => {
                let names: Vec<String> = a
                    .iter()
                    .filter_map(|e| e.as_str().map(String::from))
                    .collect();
                if names.iter().any(|n| n == "States.ALL") && names.len() > 1 {
                    self.schema(
                        &format!("{loc}/ErrorEquals"),
                        "States.ALL must appear alone in ErrorEquals",
                    );
                }
                names
            }
            Some(Value::Array(a)) if a.is_empty() => {
                self.schema(&format!("{loc}/ErrorEquals"), "Value cannot be empty");
                Vec::new()
            }
            Some(_) => {
                self.schema(
                    &format!("{loc}/ErrorEquals"),
                    "The value for the field 'ErrorEquals' must be an ARRAY of STRINGs",
                );
                Vec::new()
            }
            None => {
                self.schema(loc, "These fields are required: [ErrorEquals]");
                Vec::new()
            }
        }
    }

    /// Checks that a `States.ALL` retrier/catcher is the last one.
    fn all_last(&mut self, lists: &[Vec<String>], loc: &str, field: &str) {
        for (i, l) in lists.iter().enumerate() {
            if l.iter().any(|n| n == "States.ALL") && i + 1 != lists.len() {
                self.schema(
                    &format!("{loc}/{field}[{i}]"),
                    format!("A {field} with States.ALL must be the last one"),
                );
            }
        }
    }

    fn retriers(&mut self, o: &Map<String, Value>, loc: &str) -> Vec<Retrier> {
        let Some(v) = o.get("Retry") else {
            return Vec::new();
        };
        let Some(arr) = v.as_array() else {
            self.schema(
                &format!("{loc}/Retry"),
                "The value for the field 'Retry' must be an ARRAY",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, r) in arr.iter().enumerate() {
            let rloc = format!("{loc}/Retry[{i}]");
            let Some(ro) = r.as_object() else {
                self.schema(&rloc, "A retrier must be an OBJECT");
                continue;
            };
            for k in ro.keys() {
                if !matches!(
                    k.as_str(),
                    "ErrorEquals"
                        | "IntervalSeconds"
                        | "MaxAttempts"
                        | "BackoffRate"
                        | "MaxDelaySeconds"
                        | "JitterStrategy"
                        | "Comment"
                ) {
                    self.schema(
                        &rloc,
                        format!("The field \"{k}\" is not supported by Step Functions"),
                    );
                }
            }
            let error_equals = self.error_equals(ro, &rloc);
            let int = |this: &mut Parser, key: &str, default: u64, min: u64| -> u64 {
                match ro.get(key) {
                    None => default,
                    Some(v) => match v.as_u64() {
                        Some(n) if n >= min && n <= 99_999_999 => n,
                        _ => {
                            this.schema(
                                &format!("{rloc}/{key}"),
                                format!("The value for the field '{key}' must be an integer between {min} and 99999999"),
                            );
                            default
                        }
                    },
                }
            };
            let interval_seconds = int(self, "IntervalSeconds", 1, 1);
            let max_attempts = int(self, "MaxAttempts", 3, 0);
            let max_delay_seconds = ro
                .contains_key("MaxDelaySeconds")
                .then(|| int(self, "MaxDelaySeconds", 0, 1));
            let backoff_rate = match ro.get("BackoffRate") {
                None => 2.0,
                Some(v) => match v.as_f64() {
                    Some(f) if f >= 1.0 => f,
                    _ => {
                        self.schema(&format!("{rloc}/BackoffRate"), "The value for the field 'BackoffRate' must be a number greater than or equal to 1.0");
                        2.0
                    }
                },
            };
            let jitter = match ro.get("JitterStrategy") {
                None => Jitter::None,
                Some(v) if v == "FULL" => Jitter::Full,
                Some(v) if v == "NONE" => Jitter::None,
                Some(_) => {
                    self.schema(
                        &format!("{rloc}/JitterStrategy"),
                        "The field 'JitterStrategy' should have one of these values: [FULL, NONE]",
                    );
                    Jitter::None
                }
            };
            out.push(Retrier {
                error_equals,
                interval_seconds,
                max_attempts,
                backoff_rate,
                max_delay_seconds,
                jitter,
            });
        }
        let lists: Vec<Vec<String>> = out.iter().map(|r| r.error_equals.clone()).collect();
        self.all_last(&lists, loc, "Retry");
        out
    }

    fn catchers(&mut self, o: &Map<String, Value>, loc: &str) -> Vec<Catcher> {
        let Some(v) = o.get("Catch") else {
            return Vec::new();
        };
        let Some(arr) = v.as_array() else {
            self.schema(
                &format!("{loc}/Catch"),
                "The value for the field 'Catch' must be an ARRAY",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, c) in arr.iter().enumerate() {
            let cloc = format!("{loc}/Catch[{i}]");
            let Some(co) = c.as_object() else {
                self.schema(&cloc, "A catcher must be an OBJECT");
                continue;
            };
            for k in co.keys() {
                if !matches!(
                    k.as_str(),
                    "ErrorEquals" | "ResultPath" | "Next" | "Comment"
                ) {
                    self.schema(
                        &cloc,
                        format!("The field \"{k}\" is not supported by Step Functions"),
                    );
                }
            }
            let error_equals = self.error_equals(co, &cloc);
            let result_path = self.path_field(co, "ResultPath", &cloc, true);
            match co.get("Next") {
                Some(Value::String(next)) => out.push(Catcher {
                    error_equals,
                    result_path,
                    next: next.clone(),
                }),
                Some(_) => self.schema(
                    &format!("{cloc}/Next"),
                    "The value for the field 'Next' must be a STRING",
                ),
                None => self.schema(&cloc, "These fields are required: [Next]"),
            }
        }
        let lists: Vec<Vec<String>> = out.iter().map(|c| c.error_equals.clone()).collect();
        self.all_last(&lists, loc, "Catch");
        out
    }

    fn state(&mut self, name: &str, v: &Value, loc: &str, depth: usize) -> Option<State> {
        let Some(o) = v.as_object() else {
            self.schema(loc, "The value for a state must be an OBJECT");
            return None;
        };
        let ty = match o.get("Type") {
            Some(Value::String(t)) if allowed(t).is_empty() && t != "Succeed" => {
                self.schema(
                    &format!("{loc}/Type"),
                    format!("The field 'Type' should have one of these values: {STATE_TYPES}"),
                );
                return None;
            }
            Some(Value::String(t)) => t.as_str(),
            Some(_) => {
                self.schema(
                    &format!("{loc}/Type"),
                    format!("The field 'Type' should have one of these values: {STATE_TYPES}"),
                );
                return None;
            }
            None => {
                self.schema(loc, "These fields are required: [Type]");
                return None;
            }
        };
        for key in o.keys() {
            let ok = COMMON.contains(&key.as_str()) || allowed(ty).contains(&key.as_str());
            let bad_common = matches!(ty, "Succeed" | "Fail")
                && matches!(key.as_str(), "Next" | "End")
                || ty == "Fail" && matches!(key.as_str(), "InputPath" | "OutputPath")
                || ty == "Choice" && matches!(key.as_str(), "Next" | "End");
            if !ok || bad_common {
                self.schema(
                    loc,
                    format!("The field \"{key}\" is not supported by Step Functions"),
                );
            }
        }
        let terminal = matches!(ty, "Succeed" | "Fail" | "Choice");
        let transition = if terminal {
            Transition::End
        } else {
            match (o.get("Next"), o.get("End")) {
                (Some(_), Some(_)) => {
                    self.schema(loc, "The fields 'Next' and 'End' are mutually exclusive");
                    Transition::End
                }
                (Some(Value::String(n)), None) => Transition::Next(n.clone()),
                (Some(_), None) => {
                    self.schema(
                        &format!("{loc}/Next"),
                        "The value for the field 'Next' must be a STRING",
                    );
                    Transition::End
                }
                (None, Some(Value::Bool(true))) => Transition::End,
                (None, Some(_)) => {
                    self.schema(
                        &format!("{loc}/End"),
                        "The value for the field 'End' must be true",
                    );
                    Transition::End
                }
                (None, None) => {
                    self.schema(
                        loc,
                        "This state must have either a 'Next' or an 'End' field",
                    );
                    Transition::End
                }
            }
        };
        let comment = match o.get("Comment") {
            None => None,
            Some(Value::String(c)) => Some(c.clone()),
            Some(_) => {
                self.schema(
                    &format!("{loc}/Comment"),
                    "The value for the field 'Comment' must be a STRING",
                );
                None
            }
        };
        let input_path = self.path_field(o, "InputPath", loc, false);
        let output_path = self.path_field(o, "OutputPath", loc, false);
        let kind = match ty {
            "Pass" => StateKind::Pass(Pass {
                result: o.get("Result").cloned(),
                parameters: self.template(o, "Parameters", loc),
                result_path: self.path_field(o, "ResultPath", loc, true),
            }),
            "Succeed" => StateKind::Succeed,
            "Fail" => StateKind::Fail(Fail {
                error: self.str_or_path(o, "Error", loc),
                cause: self.str_or_path(o, "Cause", loc),
            }),
            "Wait" => StateKind::Wait(Wait {
                wait_for: self.wait(o, loc)?,
            }),
            "Task" => self.task(o, loc)?,
            "Choice" => self.choice(o, loc)?,
            "Parallel" => {
                let mut branches = Vec::new();
                match o.get("Branches") {
                    Some(Value::Array(arr)) if !arr.is_empty() => {
                        for (i, b) in arr.iter().enumerate() {
                            if let Some(d) =
                                self.machine(b, &format!("{loc}/Branches[{i}]"), depth + 1)
                            {
                                branches.push(d);
                            }
                        }
                    }
                    Some(Value::Array(_)) => {
                        self.schema(&format!("{loc}/Branches"), "Value cannot be empty")
                    }
                    Some(_) => self.schema(
                        &format!("{loc}/Branches"),
                        "The value for the field 'Branches' must be an ARRAY",
                    ),
                    None => self.schema(loc, "These fields are required: [Branches]"),
                }
                StateKind::Parallel(Box::new(Parallel {
                    branches,
                    parameters: self.template(o, "Parameters", loc),
                    result_selector: self.template(o, "ResultSelector", loc),
                    result_path: self.path_field(o, "ResultPath", loc, true),
                    retry: self.retriers(o, loc),
                    catch: self.catchers(o, loc),
                }))
            }
            "Map" => self.map(o, loc, depth)?,
            _ => return None,
        };
        Some(State {
            name: name.to_string(),
            comment,
            input_path,
            output_path,
            transition,
            kind,
        })
    }

    fn str_or_path(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
    ) -> Option<StringOrPath> {
        let path_key = format!("{key}Path");
        match (o.get(key), o.get(&path_key)) {
            (Some(_), Some(_)) => {
                self.schema(
                    loc,
                    format!("The fields '{key}' and '{path_key}' are mutually exclusive"),
                );
                None
            }
            (Some(_), None) => self
                .string_field(o, key, loc)
                .map(|s| StringOrPath::Literal(s.to_string())),
            (None, Some(_)) => {
                let s = self.string_field(o, &path_key, loc)?.to_string();
                let valid = if crate::asl::intrinsics::is_intrinsic(&s) {
                    crate::asl::intrinsics::parse(&s).is_ok()
                } else {
                    Path::parse(&s).is_ok()
                };
                if !valid {
                    self.schema(
                        &format!("{loc}/{path_key}"),
                        format!("The value for the field '{path_key}' must be a valid JSONPath or a valid intrinsic function call"),
                    );
                    return None;
                }
                Some(StringOrPath::Path(s))
            }
            (None, None) => None,
        }
    }

    fn wait(&mut self, o: &Map<String, Value>, loc: &str) -> Option<WaitFor> {
        let present: Vec<&str> = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
            .into_iter()
            .filter(|k| o.contains_key(*k))
            .collect();
        if present.len() != 1 {
            self.schema(
                loc,
                "A Wait state must have exactly one of the fields: [Seconds, Timestamp, SecondsPath, TimestampPath]",
            );
            return None;
        }
        let key = present[0];
        let v = &o[key];
        let bad = |this: &mut Parser, msg: &str| {
            this.schema(&format!("{loc}/{key}"), msg.to_string());
            None
        };
        match key {
            "Seconds" => match v.as_u64() {
                Some(n) if n <= 99_999_999 => Some(WaitFor::Seconds(n)),
                _ => bad(self, "The value for the field 'Seconds' must be a non-negative integer no greater than 99999999"),
            },
            "Timestamp" => match v.as_str() {
                Some(s) if timestamp(s).is_some() => Some(WaitFor::Timestamp(s.to_string())),
                _ => bad(self, "String does not match RFC3339 timestamp"),
            },
            _ => match v.as_str().map(Path::parse) {
                Some(Ok(p)) if p.is_reference() => Some(if key == "SecondsPath" {
                    WaitFor::SecondsPath(p)
                } else {
                    WaitFor::TimestampPath(p)
                }),
                _ => bad(self, &format!("The value for the field '{key}' must be a valid ReferencePath")),
            },
        }
    }

    fn task(&mut self, o: &Map<String, Value>, loc: &str) -> Option<StateKind> {
        let resource = match o.get("Resource") {
            Some(Value::String(r)) if crate::arn::Arn::parse(r).is_some() => r.clone(),
            Some(Value::String(r)) => {
                self.push(
                    "INVALID_RESOURCE",
                    &format!("{loc}/Resource"),
                    format!("The resource provided {r} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."),
                );
                return None;
            }
            Some(_) => {
                self.schema(
                    &format!("{loc}/Resource"),
                    "The value for the field 'Resource' must be a STRING",
                );
                return None;
            }
            None => {
                self.schema(loc, "These fields are required: [Resource]");
                return None;
            }
        };
        let timeout = self.seconds(o, "TimeoutSeconds", loc);
        let heartbeat = self.seconds(o, "HeartbeatSeconds", loc);
        if let (Some(Seconds::Literal(t)), Some(Seconds::Literal(h))) = (&timeout, &heartbeat) {
            if h >= t {
                self.schema(
                    &format!("{loc}/HeartbeatSeconds"),
                    "HeartbeatSeconds must be smaller than TimeoutSeconds",
                );
            }
        }
        Some(StateKind::Task(Box::new(Task {
            resource,
            parameters: self.template(o, "Parameters", loc),
            result_selector: self.template(o, "ResultSelector", loc),
            result_path: self.path_field(o, "ResultPath", loc, true),
            retry: self.retriers(o, loc),
            catch: self.catchers(o, loc),
            timeout,
            heartbeat,
        })))
    }

    fn choice(&mut self, o: &Map<String, Value>, loc: &str) -> Option<StateKind> {
        let mut choices = Vec::new();
        match o.get("Choices") {
            Some(Value::Array(arr)) if !arr.is_empty() => {
                for (i, c) in arr.iter().enumerate() {
                    let cloc = format!("{loc}/Choices[{i}]");
                    let rule = self.rule(c, &cloc, true);
                    match c.get("Next") {
                        Some(Value::String(next)) => {
                            if let Some(rule) = rule {
                                choices.push(ChoiceBranch {
                                    rule,
                                    next: next.clone(),
                                });
                            }
                        }
                        Some(_) => self.schema(
                            &format!("{cloc}/Next"),
                            "The value for the field 'Next' must be a STRING",
                        ),
                        None => self.schema(&cloc, "These fields are required: [Next]"),
                    }
                }
            }
            Some(Value::Array(_)) => {
                self.schema(&format!("{loc}/Choices"), "Value cannot be empty")
            }
            Some(_) => self.schema(
                &format!("{loc}/Choices"),
                "The value for the field 'Choices' must be an ARRAY",
            ),
            None => self.schema(loc, "These fields are required: [Choices]"),
        }
        let default = self.string_field(o, "Default", loc).map(String::from);
        Some(StateKind::Choice(Choice { choices, default }))
    }

    fn rule(&mut self, v: &Value, loc: &str, top: bool) -> Option<ChoiceRule> {
        let Some(o) = v.as_object() else {
            self.schema(loc, "A choice rule must be an OBJECT");
            return None;
        };
        let mut ops: Vec<&String> = o
            .keys()
            .filter(|k| !matches!(k.as_str(), "Variable" | "Next" | "Comment"))
            .collect();
        for k in o.keys() {
            if k == "Next" && !top {
                self.schema(loc, "Nested choice rules cannot have a 'Next' field");
            }
        }
        if ops.len() != 1 {
            self.schema(
                loc,
                if ops.is_empty() {
                    "A choice rule must have exactly one comparison operator or And/Or/Not"
                        .to_string()
                } else {
                    format!(
                        "A choice rule must have exactly one comparison operator, but has: [{}]",
                        ops.iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
            );
            return None;
        }
        let op = ops.remove(0).as_str();
        let val = &o[op];
        match op {
            "And" | "Or" => {
                let Some(arr) = val.as_array().filter(|a| !a.is_empty()) else {
                    self.schema(&format!("{loc}/{op}"), "Value cannot be empty");
                    return None;
                };
                if o.contains_key("Variable") {
                    self.schema(
                        loc,
                        format!("A choice rule with '{op}' cannot have a 'Variable'"),
                    );
                }
                let rules: Vec<ChoiceRule> = arr
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| self.rule(r, &format!("{loc}/{op}[{i}]"), false))
                    .collect();
                Some(if op == "And" {
                    ChoiceRule::And(rules)
                } else {
                    ChoiceRule::Or(rules)
                })
            }
            "Not" => self
                .rule(val, &format!("{loc}/Not"), false)
                .map(|r| ChoiceRule::Not(Box::new(r))),
            _ => {
                let (base, is_path) = match op.strip_suffix("Path") {
                    Some(b) if comparison(b).is_some() && !b.starts_with("Is") => (b, true),
                    _ => (op, false),
                };
                let Some(cmp) = comparison(base) else {
                    self.schema(
                        loc,
                        format!("The field \"{op}\" is not supported by Step Functions"),
                    );
                    return None;
                };
                let variable = match o.get("Variable").and_then(Value::as_str).map(Path::parse) {
                    Some(Ok(p)) => p,
                    Some(Err(_)) => {
                        self.schema(
                            &format!("{loc}/Variable"),
                            "The value for the field 'Variable' must be a valid JSONPath",
                        );
                        return None;
                    }
                    None => {
                        self.schema(loc, "These fields are required: [Variable]");
                        return None;
                    }
                };
                let operand = if is_path {
                    match val.as_str().map(Path::parse) {
                        Some(Ok(p)) => Operand::Path(p),
                        _ => {
                            self.schema(
                                &format!("{loc}/{op}"),
                                format!("The value for the field '{op}' must be a valid JSONPath"),
                            );
                            return None;
                        }
                    }
                } else {
                    let ok = match cmp {
                        Comparison::BooleanEquals
                        | Comparison::IsNull
                        | Comparison::IsPresent
                        | Comparison::IsNumeric
                        | Comparison::IsString
                        | Comparison::IsBoolean
                        | Comparison::IsTimestamp => val.is_boolean(),
                        Comparison::NumericEquals
                        | Comparison::NumericLessThan
                        | Comparison::NumericGreaterThan
                        | Comparison::NumericLessThanEquals
                        | Comparison::NumericGreaterThanEquals => val.is_number(),
                        _ => val.is_string(),
                    };
                    if !ok {
                        let expected = if val.is_boolean()
                            || matches!(cmp, Comparison::BooleanEquals)
                            || base.starts_with("Is")
                        {
                            "BOOLEAN"
                        } else if base.starts_with("Numeric") {
                            "NUMBER"
                        } else {
                            "STRING"
                        };
                        self.schema(
                            &format!("{loc}/{op}"),
                            format!("The value for the field '{op}' must be a {expected}"),
                        );
                        return None;
                    }
                    Operand::Literal(val.clone())
                };
                Some(ChoiceRule::Compare {
                    variable,
                    op: cmp,
                    operand,
                })
            }
        }
    }

    fn map(&mut self, o: &Map<String, Value>, loc: &str, depth: usize) -> Option<StateKind> {
        let (proc_value, key, legacy) = match (o.get("ItemProcessor"), o.get("Iterator")) {
            (Some(_), Some(_)) => {
                self.schema(
                    loc,
                    "The fields 'ItemProcessor' and 'Iterator' are mutually exclusive",
                );
                return None;
            }
            (Some(p), None) => (p, "ItemProcessor", false),
            (None, Some(i)) => (i, "Iterator", true),
            (None, None) => {
                self.schema(loc, "These fields are required: [ItemProcessor]");
                return None;
            }
        };
        if o.contains_key("ItemSelector") && o.contains_key("Parameters") {
            self.schema(
                loc,
                "The fields 'ItemSelector' and 'Parameters' are mutually exclusive",
            );
        }
        for unsupported in ["ItemReader", "ResultWriter", "ItemBatcher"] {
            if o.contains_key(unsupported) {
                self.schema(
                    &format!("{loc}/{unsupported}"),
                    format!(
                        "'{unsupported}' (distributed Map) is not supported by sfn-harness yet"
                    ),
                );
            }
        }
        if let Some(cfg) = proc_value.get("ProcessorConfig") {
            match cfg.get("Mode").and_then(Value::as_str) {
                None | Some("INLINE") | Some("DISTRIBUTED") => {}
                Some(_) => self.schema(
                    &format!("{loc}/{key}/ProcessorConfig/Mode"),
                    "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
                ),
            }
        }
        let processor = self.machine(proc_value, &format!("{loc}/{key}"), depth + 1);
        let max_concurrency = match (o.get("MaxConcurrency"), o.get("MaxConcurrencyPath")) {
            (Some(_), Some(_)) => {
                self.schema(
                    loc,
                    "The fields 'MaxConcurrency' and 'MaxConcurrencyPath' are mutually exclusive",
                );
                None
            }
            (Some(v), None) => {
                match v.as_u64() {
                    Some(n) => Some(Seconds::Literal(n)),
                    None => {
                        self.schema(&format!("{loc}/MaxConcurrency"), "The value for the field 'MaxConcurrency' must be a non-negative integer");
                        None
                    }
                }
            }
            (None, Some(v)) => match v.as_str().map(Path::parse) {
                Some(Ok(p)) if p.is_reference() => Some(Seconds::Path(p)),
                _ => {
                    self.schema(&format!("{loc}/MaxConcurrencyPath"), "The value for the field 'MaxConcurrencyPath' must be a valid ReferencePath");
                    None
                }
            },
            (None, None) => None,
        };
        let item_selector = match self.template(o, "ItemSelector", loc) {
            Some(t) => Some(t),
            None => self.template(o, "Parameters", loc),
        };
        let items_path = self.path_field(o, "ItemsPath", loc, false);
        let result_selector = self.template(o, "ResultSelector", loc);
        let result_path = self.path_field(o, "ResultPath", loc, true);
        let retry = self.retriers(o, loc);
        let catch = self.catchers(o, loc);
        Some(StateKind::Map(Box::new(MapState {
            processor: processor?,
            items_path,
            item_selector,
            max_concurrency,
            result_selector,
            result_path,
            retry,
            catch,
            legacy_iterator: legacy,
        })))
    }
}

fn catch_targets(c: &[Catcher], loc: &str, out: &mut Vec<(String, String)>) {
    for (i, c) in c.iter().enumerate() {
        out.push((c.next.clone(), format!("{loc}/Catch[{i}]/Next")));
    }
}

fn comparison(name: &str) -> Option<Comparison> {
    use Comparison::*;
    Some(match name {
        "StringEquals" => StringEquals,
        "StringLessThan" => StringLessThan,
        "StringGreaterThan" => StringGreaterThan,
        "StringLessThanEquals" => StringLessThanEquals,
        "StringGreaterThanEquals" => StringGreaterThanEquals,
        "StringMatches" => StringMatches,
        "NumericEquals" => NumericEquals,
        "NumericLessThan" => NumericLessThan,
        "NumericGreaterThan" => NumericGreaterThan,
        "NumericLessThanEquals" => NumericLessThanEquals,
        "NumericGreaterThanEquals" => NumericGreaterThanEquals,
        "BooleanEquals" => BooleanEquals,
        "TimestampEquals" => TimestampEquals,
        "TimestampLessThan" => TimestampLessThan,
        "TimestampGreaterThan" => TimestampGreaterThan,
        "TimestampLessThanEquals" => TimestampLessThanEquals,
        "TimestampGreaterThanEquals" => TimestampGreaterThanEquals,
        "IsNull" => IsNull,
        "IsPresent" => IsPresent,
        "IsNumeric" => IsNumeric,
        "IsString" => IsString,
        "IsBoolean" => IsBoolean,
        "IsTimestamp" => IsTimestamp,
        _ => return None,
    })
}
