//! Parsing and validating definitions, as ValidateStateMachineDefinition does.
//!
//! (Interim version: builds the typed AST and reports structural problems; the full validator
//! lands with its own change.)

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::asl::path::Path;
use crate::asl::{
    Catcher, Choice, ChoiceBranch, ChoiceRule, Comparison, Definition, Fail, Jitter,
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
#[error("Invalid State Machine Definition: {}", .diagnostics.iter().map(|d| format!("'{}: {} at {}'", d.code, d.message, d.location)).collect::<Vec<_>>().join(", "))]
pub struct InvalidDefinition {
    /// The problems, in document order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and validates a definition given as JSON.
pub fn parse(definition: &Value) -> Result<Definition, InvalidDefinition> {
    let mut p = Parser { diags: Vec::new() };
    let def = p.machine(definition, "", true);
    if p.diags.is_empty() {
        if let Some(def) = def {
            return Ok(def);
        }
    }
    Err(InvalidDefinition {
        diagnostics: p.diags,
    })
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

struct Parser {
    diags: Vec<Diagnostic>,
}

impl Parser {
    fn err(&mut self, code: &str, loc: &str, msg: impl Into<String>) {
        self.diags.push(Diagnostic {
            severity: "ERROR".into(),
            code: code.into(),
            message: msg.into(),
            location: loc.into(),
        });
    }

    fn schema(&mut self, loc: &str, msg: impl Into<String>) {
        self.err("SCHEMA_VALIDATION_FAILED", loc, msg);
    }

    fn machine(&mut self, v: &Value, loc: &str, top: bool) -> Option<Definition> {
        let Some(o) = v.as_object() else {
            self.schema(loc, "The definition must be a JSON object");
            return None;
        };
        let start_at = match o.get("StartAt") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.schema(&format!("{loc}/StartAt"), "StartAt must be a string");
                None
            }
            None => {
                self.schema(loc, "These fields are required: [StartAt, States]");
                None
            }
        };
        let timeout_seconds = match o.get("TimeoutSeconds") {
            None => None,
            Some(t) => match t.as_u64() {
                Some(n) if top => Some(n),
                _ => {
                    self.schema(
                        &format!("{loc}/TimeoutSeconds"),
                        "TimeoutSeconds must be a non-negative integer",
                    );
                    None
                }
            },
        };
        let mut states = Vec::new();
        let mut index = HashMap::new();
        match o.get("States") {
            Some(Value::Object(m)) if !m.is_empty() => {
                for (name, sv) in m {
                    let sloc = format!("{loc}/States/{name}");
                    if let Some(s) = self.state(name, sv, &sloc) {
                        index.insert(name.clone(), states.len());
                        states.push(s);
                    }
                }
            }
            _ => self.schema(
                &format!("{loc}/States"),
                "States must be a non-empty object",
            ),
        }
        let start_at = start_at?;
        if o.get("States")
            .and_then(Value::as_object)
            .is_some_and(|m| !m.contains_key(&start_at))
        {
            self.err(
                "MISSING_TRANSITION_TARGET",
                &format!("{loc}/StartAt"),
                format!("Missing 'Next' target: {start_at}"),
            );
        }
        // Transition targets.
        let names: Vec<String> = o
            .get("States")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
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
                StateKind::Task(t) => collect_catch(&t.catch, &sloc, &mut targets),
                StateKind::Parallel(p) => collect_catch(&p.catch, &sloc, &mut targets),
                StateKind::Map(m) => collect_catch(&m.catch, &sloc, &mut targets),
                _ => {}
            }
            for (t, tloc) in targets {
                if !names.contains(&t) {
                    self.err(
                        "MISSING_TRANSITION_TARGET",
                        &tloc,
                        format!("Missing 'Next' target: {t}"),
                    );
                }
            }
        }
        Some(Definition {
            comment: o.get("Comment").and_then(Value::as_str).map(String::from),
            start_at,
            states,
            index,
            timeout_seconds,
        })
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
                Ok(p) if !reference || p.is_reference() => PathOrNull::Path(p),
                Ok(_) => {
                    self.schema(
                        &format!("{loc}/{key}"),
                        format!("The value for the field '{key}' must be a valid ReferencePath"),
                    );
                    PathOrNull::Default
                }
                Err(e) => {
                    self.schema(
                        &format!("{loc}/{key}"),
                        format!("The value for the field '{key}' must be a valid JSONPath: {e}"),
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

    fn seconds(&mut self, o: &Map<String, Value>, key: &str, loc: &str) -> Option<Seconds> {
        let path_key = format!("{key}Path");
        match (o.get(key), o.get(&path_key)) {
            (Some(_), Some(_)) => {
                self.schema(loc, format!("{key} and {path_key} are mutually exclusive"));
                None
            }
            (Some(v), None) => match v.as_u64() {
                Some(n) if n > 0 => Some(Seconds::Literal(n)),
                _ => {
                    self.schema(
                        &format!("{loc}/{key}"),
                        format!("{key} must be a positive integer"),
                    );
                    None
                }
            },
            (None, Some(Value::String(s))) => match Path::parse(s) {
                Ok(p) => Some(Seconds::Path(p)),
                Err(e) => {
                    self.schema(&format!("{loc}/{path_key}"), e.to_string());
                    None
                }
            },
            (None, Some(_)) => {
                self.schema(
                    &format!("{loc}/{path_key}"),
                    format!("{path_key} must be a string"),
                );
                None
            }
            (None, None) => None,
        }
    }

    fn retriers(&mut self, o: &Map<String, Value>, loc: &str) -> Vec<Retrier> {
        let Some(v) = o.get("Retry") else {
            return Vec::new();
        };
        let Some(arr) = v.as_array() else {
            self.schema(&format!("{loc}/Retry"), "Retry must be an array");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, r) in arr.iter().enumerate() {
            let rloc = format!("{loc}/Retry[{i}]");
            let Some(ro) = r.as_object() else {
                self.schema(&rloc, "A retrier must be an object");
                continue;
            };
            let error_equals = self.error_equals(ro, &rloc);
            let jitter = match ro.get("JitterStrategy").and_then(Value::as_str) {
                Some("FULL") => Jitter::Full,
                _ => Jitter::None,
            };
            out.push(Retrier {
                error_equals,
                interval_seconds: ro
                    .get("IntervalSeconds")
                    .and_then(Value::as_u64)
                    .unwrap_or(1),
                max_attempts: ro.get("MaxAttempts").and_then(Value::as_u64).unwrap_or(3),
                backoff_rate: ro.get("BackoffRate").and_then(Value::as_f64).unwrap_or(2.0),
                max_delay_seconds: ro.get("MaxDelaySeconds").and_then(Value::as_u64),
                jitter,
            });
        }
        out
    }

    fn error_equals(&mut self, o: &Map<String, Value>, loc: &str) -> Vec<String> {
        match o.get("ErrorEquals").and_then(Value::as_array) {
            Some(a) if !a.is_empty() => a
                .iter()
                .filter_map(|e| e.as_str().map(String::from))
                .collect(),
            _ => {
                self.schema(
                    &format!("{loc}/ErrorEquals"),
                    "ErrorEquals must be a non-empty array of strings",
                );
                Vec::new()
            }
        }
    }

    fn catchers(&mut self, o: &Map<String, Value>, loc: &str) -> Vec<Catcher> {
        let Some(v) = o.get("Catch") else {
            return Vec::new();
        };
        let Some(arr) = v.as_array() else {
            self.schema(&format!("{loc}/Catch"), "Catch must be an array");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, c) in arr.iter().enumerate() {
            let cloc = format!("{loc}/Catch[{i}]");
            let Some(co) = c.as_object() else {
                self.schema(&cloc, "A catcher must be an object");
                continue;
            };
            let error_equals = self.error_equals(co, &cloc);
            let result_path = self.path_field(co, "ResultPath", &cloc, true);
            let Some(next) = co.get("Next").and_then(Value::as_str) else {
                self.schema(&cloc, "These fields are required: [Next]");
                continue;
            };
            out.push(Catcher {
                error_equals,
                result_path,
                next: next.to_string(),
            });
        }
        out
    }

    fn state(&mut self, name: &str, v: &Value, loc: &str) -> Option<State> {
        let Some(o) = v.as_object() else {
            self.schema(loc, "A state must be an object");
            return None;
        };
        let Some(ty) = o.get("Type").and_then(Value::as_str) else {
            self.schema(loc, "These fields are required: [Type]");
            return None;
        };
        let terminal = matches!(ty, "Succeed" | "Fail" | "Choice");
        let transition = match (o.get("Next"), o.get("End")) {
            (Some(Value::String(n)), None) if !terminal => Transition::Next(n.clone()),
            (None, Some(Value::Bool(true))) if !terminal => Transition::End,
            _ if terminal => Transition::End,
            (Some(_), Some(_)) => {
                self.schema(loc, "Next and End are mutually exclusive");
                Transition::End
            }
            _ => {
                self.schema(loc, "This state must have either a Next or an End field");
                Transition::End
            }
        };
        let input_path = self.path_field(o, "InputPath", loc, false);
        let output_path = self.path_field(o, "OutputPath", loc, false);
        let kind = match ty {
            "Pass" => StateKind::Pass(Pass {
                result: o.get("Result").cloned(),
                parameters: o.get("Parameters").cloned(),
                result_path: self.path_field(o, "ResultPath", loc, true),
            }),
            "Succeed" => StateKind::Succeed,
            "Fail" => StateKind::Fail(Fail {
                error: str_or_path(o, "Error"),
                cause: str_or_path(o, "Cause"),
            }),
            "Wait" => {
                let wait_for = if let Some(s) = o.get("Seconds") {
                    WaitFor::Seconds(s.as_u64().unwrap_or(0))
                } else if let Some(t) = o.get("Timestamp").and_then(Value::as_str) {
                    WaitFor::Timestamp(t.to_string())
                } else if let Some(p) = o
                    .get("SecondsPath")
                    .and_then(Value::as_str)
                    .and_then(|p| Path::parse(p).ok())
                {
                    WaitFor::SecondsPath(p)
                } else if let Some(p) = o
                    .get("TimestampPath")
                    .and_then(Value::as_str)
                    .and_then(|p| Path::parse(p).ok())
                {
                    WaitFor::TimestampPath(p)
                } else {
                    self.schema(loc, "A Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath");
                    WaitFor::Seconds(0)
                };
                StateKind::Wait(Wait { wait_for })
            }
            "Task" => {
                let Some(resource) = o.get("Resource").and_then(Value::as_str) else {
                    self.schema(loc, "These fields are required: [Resource]");
                    return None;
                };
                StateKind::Task(Box::new(Task {
                    resource: resource.to_string(),
                    parameters: o.get("Parameters").cloned(),
                    result_selector: o.get("ResultSelector").cloned(),
                    result_path: self.path_field(o, "ResultPath", loc, true),
                    retry: self.retriers(o, loc),
                    catch: self.catchers(o, loc),
                    timeout: self.seconds(o, "TimeoutSeconds", loc),
                    heartbeat: self.seconds(o, "HeartbeatSeconds", loc),
                }))
            }
            "Choice" => {
                let mut choices = Vec::new();
                match o.get("Choices").and_then(Value::as_array) {
                    Some(arr) if !arr.is_empty() => {
                        for (i, c) in arr.iter().enumerate() {
                            let cloc = format!("{loc}/Choices[{i}]");
                            let next = c.get("Next").and_then(Value::as_str);
                            let rule = self.rule(c, &cloc);
                            match (rule, next) {
                                (Some(rule), Some(next)) => choices.push(ChoiceBranch {
                                    rule,
                                    next: next.to_string(),
                                }),
                                (_, None) => {
                                    self.schema(&cloc, "These fields are required: [Next]")
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => self.schema(loc, "A Choice state needs a non-empty Choices array"),
                }
                StateKind::Choice(Choice {
                    choices,
                    default: o.get("Default").and_then(Value::as_str).map(String::from),
                })
            }
            "Parallel" => {
                let mut branches = Vec::new();
                match o.get("Branches").and_then(Value::as_array) {
                    Some(arr) => {
                        for (i, b) in arr.iter().enumerate() {
                            if let Some(d) = self.machine(b, &format!("{loc}/Branches[{i}]"), false)
                            {
                                branches.push(d);
                            }
                        }
                    }
                    None => self.schema(loc, "These fields are required: [Branches]"),
                }
                StateKind::Parallel(Box::new(Parallel {
                    branches,
                    parameters: o.get("Parameters").cloned(),
                    result_selector: o.get("ResultSelector").cloned(),
                    result_path: self.path_field(o, "ResultPath", loc, true),
                    retry: self.retriers(o, loc),
                    catch: self.catchers(o, loc),
                }))
            }
            "Map" => {
                let (proc_value, key, legacy) = match (o.get("ItemProcessor"), o.get("Iterator")) {
                    (Some(p), _) => (Some(p), "ItemProcessor", false),
                    (None, Some(i)) => (Some(i), "Iterator", true),
                    _ => (None, "ItemProcessor", false),
                };
                let Some(proc_value) = proc_value else {
                    self.schema(loc, "These fields are required: [ItemProcessor]");
                    return None;
                };
                let processor = self.machine(proc_value, &format!("{loc}/{key}"), false)?;
                StateKind::Map(Box::new(MapState {
                    processor,
                    items_path: self.path_field(o, "ItemsPath", loc, false),
                    item_selector: o
                        .get("ItemSelector")
                        .or_else(|| o.get("Parameters"))
                        .cloned(),
                    max_concurrency: match (o.get("MaxConcurrency"), o.get("MaxConcurrencyPath")) {
                        (Some(v), _) => Some(Seconds::Literal(v.as_u64().unwrap_or(0))),
                        (None, Some(Value::String(p))) => Path::parse(p).ok().map(Seconds::Path),
                        _ => None,
                    },
                    result_selector: o.get("ResultSelector").cloned(),
                    result_path: self.path_field(o, "ResultPath", loc, true),
                    retry: self.retriers(o, loc),
                    catch: self.catchers(o, loc),
                    legacy_iterator: legacy,
                }))
            }
            other => {
                self.schema(
                    &format!("{loc}/Type"),
                    format!("Unknown state type '{other}'"),
                );
                return None;
            }
        };
        Some(State {
            name: name.to_string(),
            comment: o.get("Comment").and_then(Value::as_str).map(String::from),
            input_path,
            output_path,
            transition,
            kind,
        })
    }

    fn rule(&mut self, v: &Value, loc: &str) -> Option<ChoiceRule> {
        let o = v.as_object()?;
        if let Some(a) = o.get("And").and_then(Value::as_array) {
            return Some(ChoiceRule::And(
                a.iter()
                    .enumerate()
                    .filter_map(|(i, r)| self.rule(r, &format!("{loc}/And[{i}]")))
                    .collect(),
            ));
        }
        if let Some(a) = o.get("Or").and_then(Value::as_array) {
            return Some(ChoiceRule::Or(
                a.iter()
                    .enumerate()
                    .filter_map(|(i, r)| self.rule(r, &format!("{loc}/Or[{i}]")))
                    .collect(),
            ));
        }
        if let Some(n) = o.get("Not") {
            return self
                .rule(n, &format!("{loc}/Not"))
                .map(|r| ChoiceRule::Not(Box::new(r)));
        }
        let variable = match o.get("Variable").and_then(Value::as_str).map(Path::parse) {
            Some(Ok(p)) => p,
            _ => {
                self.schema(loc, "A choice rule needs a valid Variable");
                return None;
            }
        };
        for (key, val) in o {
            let (base, is_path) = match key.strip_suffix("Path") {
                Some(b) if comparison(b).is_some() => (b, true),
                _ => (key.as_str(), false),
            };
            if let Some(op) = comparison(base) {
                let operand = if is_path {
                    match val.as_str().map(Path::parse) {
                        Some(Ok(p)) => Operand::Path(p),
                        _ => {
                            self.schema(
                                &format!("{loc}/{key}"),
                                format!("{key} must be a valid path"),
                            );
                            return None;
                        }
                    }
                } else {
                    Operand::Literal(val.clone())
                };
                return Some(ChoiceRule::Compare {
                    variable,
                    op,
                    operand,
                });
            }
        }
        self.schema(loc, "A choice rule needs a comparison operator");
        None
    }
}

fn collect_catch(c: &[Catcher], loc: &str, out: &mut Vec<(String, String)>) {
    for (i, c) in c.iter().enumerate() {
        out.push((c.next.clone(), format!("{loc}/Catch[{i}]/Next")));
    }
}

fn str_or_path(o: &Map<String, Value>, key: &str) -> Option<StringOrPath> {
    if let Some(s) = o.get(key).and_then(Value::as_str) {
        return Some(StringOrPath::Literal(s.to_string()));
    }
    o.get(&format!("{key}Path"))
        .and_then(Value::as_str)
        .map(|s| StringOrPath::Path(s.to_string()))
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
