//! The top level and every nested scope: `StartAt`, `States`, state names, each state's
//! `Next`/`End`, and the scope-wide checks that every transition names a state of the same
//! scope and that some state ends the scope.

use serde_json::{Map, Value};

use crate::asl::parse::{Code, Parser, MAX_DEPTH};
use crate::asl::{Catcher, Definition, State, StateKind, Transition};

impl Parser {
    pub(super) fn machine(&mut self, v: &Value, loc: &str, depth: usize) -> Option<Definition> {
        let Some(o) = v.as_object() else {
            self.schema(
                loc,
                "The value must be a JSON object with StartAt and States",
            );
            return None;
        };
        if depth > MAX_DEPTH {
            self.push(
                Code::TooDeeplyNested,
                loc,
                format!("The states are nested more than {MAX_DEPTH} levels deep"),
            );
            return None;
        }
        self.scope_fields(o, loc, depth);
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
        let (states, names) = self.states(o, loc, depth);
        self.check_targets(o, &states, &names, start_at.as_deref(), loc);
        self.check_terminal(o, loc);
        let start_at = start_at?;
        let index: std::collections::HashMap<_, _, _> = states
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect();
        let next = states
            .iter()
            .map(|s| match &s.transition {
                Transition::Next(n) => index.get(n.as_str()).copied(),
                Transition::End => None,
            })
            .collect();
        Some(Definition {
            comment: o.get("Comment").and_then(Value::as_str).map(String::from),
            start_at,
            states,
            index,
            next,
            timeout_seconds,
            query_language: self.default_lang,
        })
    }

    /// A state's `Next` or `End`. Succeed, Fail and Choice states have neither (a Choice moves
    /// through its branches).
    pub(super) fn transition(&mut self, o: &Map<String, Value>, ty: &str, loc: &str) -> Transition {
        let terminal = matches!(ty, "Succeed" | "Fail" | "Choice");
        if terminal {
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
        }
    }

    /// The fields a scope may have: `StartAt` and `States` always, `TimeoutSeconds`, `Version`
    /// and `QueryLanguage` at the top, `ProcessorConfig` in a Map's processor.
    fn scope_fields(&mut self, o: &Map<String, Value>, loc: &str, depth: usize) {
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
                Some(Some("JSONata")) => self.default_lang = crate::asl::QueryLanguage::Jsonata,
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
    }

    /// The states of one scope, in document order, and the names of all of them (also of those
    /// that did not parse).
    fn states(
        &mut self,
        o: &Map<String, Value>,
        loc: &str,
        depth: usize,
    ) -> (Vec<State>, Vec<String>) {
        let mut states = Vec::new();
        let mut names: Vec<String> = Vec::new();
        match o.get("States") {
            Some(Value::Object(m)) if !m.is_empty() => {
                for (name, sv) in m {
                    let sloc = format!("{loc}/States/{name}");
                    names.push(name.clone());
                    if !self.names.insert(name.clone()) {
                        self.push(
                            Code::DuplicateStateName,
                            &sloc,
                            format!("Duplicate State name: {name}"),
                        );
                    }
                    if name.is_empty() || name.chars().count() > 80 {
                        self.push(
                            Code::InvalidStateName,
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
        (states, names)
    }

    /// `StartAt` and every transition (`Next`, Choice branches and `Default`, catchers) must
    /// name a state of the same scope.
    fn check_targets(
        &mut self,
        o: &Map<String, Value>,
        states: &[State],
        names: &[String],
        start_at: Option<&str>,
        loc: &str,
    ) {
        if let Some(s) = start_at {
            if o.get("States")
                .and_then(Value::as_object)
                .is_some_and(|m| !m.is_empty())
                && !names.iter().any(|n| n == s)
            {
                self.push(
                    Code::MissingTransitionTarget,
                    &format!("{loc}/StartAt"),
                    format!("Missing 'Next' target: {s}"),
                );
            }
        }
        // Every transition must name a state of the same scope.
        for s in states {
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
                        Code::MissingTransitionTarget,
                        &tloc,
                        format!("Missing 'Next' target: {t}"),
                    );
                }
            }
        }
    }

    /// Some state must end the scope: `End: true`, or a Succeed or Fail state.
    fn check_terminal(&mut self, o: &Map<String, Value>, loc: &str) {
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
            self.push(Code::MissingEndState, loc, "Workflow has no terminal state");
        }
    }
}

fn catch_targets(c: &[Catcher], loc: &str, out: &mut Vec<(String, String)>) {
    for (i, c) in c.iter().enumerate() {
        out.push((c.next.clone(), format!("{loc}/Catch[{i}]/Next")));
    }
}
