//! The definition, read into scopes, nodes and edges that both renderers draw.
//!
//! Everything here is built from the raw Amazon States Language document: no parser of the
//! crate is involved, so the picture keeps working whatever the rest of the crate does with
//! definitions. Malformed parts below the top level degrade: a state that is not an object, a
//! branch without `States`, a transition to a state that does not exist each become a node
//! that says so, never a panic.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use super::time::format_duration;
use super::PictureError;

/// Deeper nesting than this (Parallel in Map in Parallel ...) is drawn as a note.
const MAX_DEPTH: usize = 48;
/// Choice rules nested deeper than this are shown as `…`.
const MAX_RULE_DEPTH: usize = 16;
/// Labels longer than this many characters are cut with `…`.
const MAX_LABEL: usize = 90;

/// One state of the definition (or a placeholder for a missing one).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Mermaid id: `s_` + scope prefix + sanitized name, unique in the picture.
    pub id: String,
    /// The state's name as written.
    pub name: String,
    /// The state's `Type` (`?` when absent, `missing` for a placeholder).
    pub ty: String,
    /// Scope the state belongs to.
    pub scope: usize,
    /// Detail lines below the name (type and resource, retry, timeout, error).
    pub lines: Vec<String>,
    /// Child scopes: the branches of a Parallel, the processor of a Map.
    pub children: Vec<usize>,
    /// The error a Fail state fails with, when written literally.
    pub fail_error: Option<String>,
}

impl Node {
    /// Whether the node is drawn as a group around its child scopes.
    pub(crate) fn is_container(&self) -> bool {
        !self.children.is_empty()
    }
}

/// A list of states with its own `StartAt`: the machine, a branch, a Map's processor.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// Mermaid subgraph id of a Parallel branch; `None` for the top level and for a Map's
    /// processor (drawn directly inside the Map's own subgraph).
    pub subgraph: Option<String>,
    /// Title of the branch subgraph.
    pub title: String,
    /// The container node, `None` for the top level.
    pub owner: Option<usize>,
    /// Start and end marker ids.
    pub start: String,
    /// See `start`.
    pub end: String,
    /// Nodes in definition order.
    pub members: Vec<usize>,
}

/// One end of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Point {
    /// The start marker of a scope.
    Start(usize),
    /// The end marker of a scope.
    End(usize),
    /// A node.
    Node(usize),
}

/// Why an edge exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EdgeKind {
    /// From a scope's start marker to its `StartAt`.
    Start,
    /// `Next`.
    Next,
    /// The Choice rule with this index.
    Choice,
    /// A Choice's `Default`.
    Default,
    /// A catcher.
    Catch,
    /// From a terminal state to its scope's end marker.
    End,
}

/// A transition the definition allows.
#[derive(Debug, Clone)]
pub(crate) struct Edge {
    pub from: Point,
    pub to: Point,
    pub kind: EdgeKind,
    pub label: Option<String>,
}

/// The whole definition as drawable parts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Graph {
    pub nodes: Vec<Node>,
    pub scopes: Vec<Scope>,
    pub edges: Vec<Edge>,
    /// Node ids by state name (a name can occur in several scopes).
    pub by_name: BTreeMap<String, Vec<usize>>,
}

impl Graph {
    /// Reads a definition. Only a document without a usable top level is an error.
    pub(crate) fn from_definition(def: &Value) -> Result<Graph, PictureError> {
        let obj = def.as_object().ok_or(PictureError::NotAnObject)?;
        let start_at = obj
            .get("StartAt")
            .ok_or(PictureError::MissingStartAt)?
            .as_str()
            .ok_or(PictureError::MissingStartAt)?;
        let states = obj
            .get("States")
            .and_then(Value::as_object)
            .ok_or(PictureError::MissingStates)?;
        if !states.contains_key(start_at) {
            return Err(PictureError::UnknownStartAt(start_at.to_string()));
        }
        let mut b = Builder::default();
        b.scope(obj, "", None, None, 0);
        Ok(b.graph)
    }

    /// The nodes whose parent scopes' owners lead up to `node` (innermost first).
    pub(crate) fn ancestors(&self, node: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut scope = self.nodes[node].scope;
        // Depth is bounded by MAX_DEPTH; the loop follows strictly outward links.
        while let Some(owner) = self.scopes[scope].owner {
            out.push(owner);
            scope = self.nodes[owner].scope;
        }
        out
    }
}

#[derive(Default)]
struct Builder {
    graph: Graph,
    used: HashSet<String>,
}

impl Builder {
    /// A unique id from a wanted one.
    fn id(&mut self, want: String) -> String {
        let mut id = want.clone();
        let mut n = 2;
        while !self.used.insert(id.clone()) {
            id = format!("{want}_{n}");
            n += 1;
        }
        id
    }

    /// Builds one scope from an object with `StartAt` and `States`; returns its index.
    fn scope(
        &mut self,
        obj: &Map<String, Value>,
        prefix: &str,
        owner: Option<usize>,
        subgraph: Option<(String, String)>,
        depth: usize,
    ) -> usize {
        let start = self.id(format!("m_{prefix}start"));
        let end = self.id(format!("m_{prefix}end"));
        let (subgraph, title) = match subgraph {
            Some((id, title)) => (Some(id), title),
            None => (None, String::new()),
        };
        let scope = self.graph.scopes.len();
        self.graph.scopes.push(Scope {
            subgraph,
            title,
            owner,
            start,
            end,
            members: Vec::new(),
        });

        let states = obj.get("States").and_then(Value::as_object);
        let mut local: BTreeMap<String, usize> = BTreeMap::new();
        let mut pending: Vec<(usize, &Map<String, Value>)> = Vec::new();
        if depth > MAX_DEPTH {
            self.placeholder(scope, prefix, "…", "nested too deeply to draw");
        } else if let Some(states) = states {
            for (name, state) in states {
                let node = self.node(scope, prefix, name, state);
                local.insert(name.clone(), node);
                if let Some(s) = state.as_object() {
                    pending.push((node, s));
                }
            }
        } else {
            self.placeholder(scope, prefix, "?", "no States object");
        }

        // Child scopes after the whole scope's ids, so ids read in document order.
        for &(node, s) in &pending {
            self.children(node, s, depth);
        }

        // Edges: start, then each state's transitions in document order.
        let start_at = obj.get("StartAt").and_then(Value::as_str);
        match start_at.and_then(|n| local.get(n).copied()) {
            Some(first) => self.edge(
                Point::Start(scope),
                Point::Node(first),
                EdgeKind::Start,
                None,
            ),
            None => {
                let label = match start_at {
                    Some(n) => n.to_string(),
                    None => "no StartAt".to_string(),
                };
                let missing = self.missing(scope, prefix, &mut local, &label);
                self.edge(
                    Point::Start(scope),
                    Point::Node(missing),
                    EdgeKind::Start,
                    None,
                );
            }
        }
        for (node, s) in pending {
            self.transitions(scope, prefix, &mut local, node, s);
        }
        scope
    }

    fn placeholder(&mut self, scope: usize, prefix: &str, name: &str, why: &str) -> usize {
        let id = self.id(format!("s_{prefix}{}", sanitize(name)));
        let node = self.graph.nodes.len();
        self.graph.nodes.push(Node {
            id,
            name: name.to_string(),
            ty: "missing".to_string(),
            scope,
            lines: vec![why.to_string()],
            children: Vec::new(),
            fail_error: None,
        });
        self.graph.scopes[scope].members.push(node);
        node
    }

    /// The placeholder for a transition to a state that the scope does not have.
    fn missing(
        &mut self,
        scope: usize,
        prefix: &str,
        local: &mut BTreeMap<String, usize>,
        name: &str,
    ) -> usize {
        let key = format!("\u{0}missing:{name}");
        if let Some(&n) = local.get(&key) {
            return n;
        }
        let n = self.placeholder(scope, prefix, name, "missing state");
        local.insert(key, n);
        n
    }

    fn node(&mut self, scope: usize, prefix: &str, name: &str, state: &Value) -> usize {
        let id = self.id(format!("s_{prefix}{}", sanitize(name)));
        let node = self.graph.nodes.len();
        let (ty, lines, fail_error) = match state.as_object() {
            Some(s) => describe(s),
            None => ("?".to_string(), vec!["not an object".to_string()], None),
        };
        self.graph.nodes.push(Node {
            id,
            name: name.to_string(),
            ty,
            scope,
            lines,
            children: Vec::new(),
            fail_error,
        });
        self.graph.scopes[scope].members.push(node);
        self.graph
            .by_name
            .entry(name.to_string())
            .or_default()
            .push(node);
        node
    }

    fn children(&mut self, node: usize, s: &Map<String, Value>, depth: usize) {
        let base = self.graph.nodes[node]
            .id
            .strip_prefix("s_")
            .unwrap_or_default()
            .to_string();
        let ty = self.graph.nodes[node].ty.clone();
        if ty == "Parallel" {
            let branches = s.get("Branches").and_then(Value::as_array);
            for (i, branch) in branches.into_iter().flatten().enumerate() {
                let sub = self.id(format!("s_{base}__b{}", i + 1));
                let prefix = format!("{base}__b{}__", i + 1);
                let empty = Map::new();
                let obj = branch.as_object().unwrap_or(&empty);
                let title = format!("branch {}", i + 1);
                let child = self.scope(obj, &prefix, Some(node), Some((sub, title)), depth + 1);
                self.graph.nodes[node].children.push(child);
            }
        } else if ty == "Map" {
            let processor = s
                .get("ItemProcessor")
                .or_else(|| s.get("Iterator"))
                .and_then(Value::as_object);
            let empty = Map::new();
            let obj = processor.unwrap_or(&empty);
            let prefix = format!("{base}__");
            let child = self.scope(obj, &prefix, Some(node), None, depth + 1);
            self.graph.nodes[node].children.push(child);
        }
    }

    fn edge(&mut self, from: Point, to: Point, kind: EdgeKind, label: Option<String>) {
        self.graph.edges.push(Edge {
            from,
            to,
            kind,
            label,
        });
    }

    fn target(
        &mut self,
        scope: usize,
        prefix: &str,
        local: &mut BTreeMap<String, usize>,
        next: Option<&Value>,
    ) -> Option<usize> {
        let name = next?.as_str()?;
        Some(match local.get(name) {
            Some(&n) => n,
            None => self.missing(scope, prefix, local, name),
        })
    }

    fn transitions(
        &mut self,
        scope: usize,
        prefix: &str,
        local: &mut BTreeMap<String, usize>,
        node: usize,
        s: &Map<String, Value>,
    ) {
        let from = Point::Node(node);
        let ty = s.get("Type").and_then(Value::as_str).unwrap_or("?");
        if ty == "Choice" {
            for rule in s
                .get("Choices")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(to) = self.target(scope, prefix, local, rule.get("Next")) {
                    let label = cut(&condition(rule, 0));
                    self.edge(from, Point::Node(to), EdgeKind::Choice, Some(label));
                }
            }
            if let Some(to) = self.target(scope, prefix, local, s.get("Default")) {
                self.edge(
                    from,
                    Point::Node(to),
                    EdgeKind::Default,
                    Some("Default".to_string()),
                );
            }
        } else if let Some(to) = self.target(scope, prefix, local, s.get("Next")) {
            self.edge(from, Point::Node(to), EdgeKind::Next, None);
        }
        for catcher in s
            .get("Catch")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(to) = self.target(scope, prefix, local, catcher.get("Next")) {
                let label = cut(&errors(catcher.get("ErrorEquals")));
                self.edge(from, Point::Node(to), EdgeKind::Catch, Some(label));
            }
        }
        let terminal = matches!(ty, "Succeed" | "Fail")
            || s.get("End").and_then(Value::as_bool).unwrap_or(false);
        if terminal {
            self.edge(from, Point::End(scope), EdgeKind::End, None);
        }
    }
}

/// Letters and digits kept, everything else `_`, runs of `_` folded to one.
pub(crate) fn sanitize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_matches('_').to_string();
    if out.is_empty() {
        "state".to_string()
    } else {
        out
    }
}

/// Cuts a label to `MAX_LABEL` characters.
pub(crate) fn cut(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= MAX_LABEL {
        clean
    } else {
        let mut out: String = clean.chars().take(MAX_LABEL - 1).collect();
        out.push('…');
        out
    }
}

/// Type, detail lines and literal Fail error of a state object.
fn describe(s: &Map<String, Value>) -> (String, Vec<String>, Option<String>) {
    let ty = s
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string();
    let mut lines = Vec::new();
    let mut fail_error = None;
    let mut head = ty.clone();
    match ty.as_str() {
        "Task" => {
            if let Some(r) = s.get("Resource").and_then(Value::as_str) {
                head = format!("Task · {}", short_resource(r));
            }
        }
        "Wait" => {
            if let Some(secs) = s.get("Seconds").and_then(Value::as_f64) {
                head = format!("Wait · {}", format_duration(secs));
            } else if let Some(v) = s.get("Seconds").and_then(Value::as_str) {
                head = format!("Wait · {}", jsonata_text(v));
            } else if let Some(p) = s.get("SecondsPath").and_then(Value::as_str) {
                head = format!("Wait · {p} s");
            } else if let Some(t) = s.get("Timestamp").and_then(Value::as_str) {
                head = format!("Wait · until {}", jsonata_text(t));
            } else if let Some(p) = s.get("TimestampPath").and_then(Value::as_str) {
                head = format!("Wait · until {p}");
            }
        }
        "Fail" => {
            if let Some(e) = s.get("Error").and_then(Value::as_str) {
                head = format!("Fail · {}", jsonata_text(e));
                if !e.starts_with("{%") {
                    fail_error = Some(e.to_string());
                }
            } else if let Some(p) = s.get("ErrorPath").and_then(Value::as_str) {
                head = format!("Fail · {p}");
            }
        }
        "Map" => {
            let distributed = s
                .get("ItemProcessor")
                .and_then(|p| p.get("ProcessorConfig"))
                .and_then(|c| c.get("Mode"))
                .and_then(Value::as_str)
                == Some("DISTRIBUTED");
            if distributed {
                head = "Map · distributed".to_string();
            }
            if let Some(n) = s.get("MaxConcurrency").and_then(Value::as_u64) {
                if n > 0 {
                    head = format!("{head} · max {n} at once");
                }
            }
        }
        _ => {}
    }
    lines.push(cut(&head));
    let mut limits = Vec::new();
    if let Some(t) = s.get("TimeoutSeconds").and_then(Value::as_f64) {
        limits.push(format!("timeout {}", format_duration(t)));
    }
    if let Some(t) = s.get("HeartbeatSeconds").and_then(Value::as_f64) {
        limits.push(format!("heartbeat {}", format_duration(t)));
    }
    if !limits.is_empty() {
        lines.push(limits.join(" · "));
    }
    for retrier in s
        .get("Retry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let attempts = retrier
            .get("MaxAttempts")
            .and_then(Value::as_u64)
            .unwrap_or(3);
        let line = format!("retry ×{attempts} {}", errors(retrier.get("ErrorEquals")));
        lines.push(cut(&line));
    }
    (ty, lines, fail_error)
}

/// `arn:aws:states:::lambda:invoke` → `lambda:invoke`; a Lambda function ARN → `lambda:NAME`;
/// an activity ARN → `activity:NAME`; anything else as written.
pub(crate) fn short_resource(r: &str) -> String {
    let parts: Vec<&str> = r.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return r.to_string();
    }
    let (service, region, account, rest) = (parts[2], parts[3], parts[4], parts[5]);
    match service {
        "states" if region.is_empty() && account.is_empty() => rest.to_string(),
        "states" => rest.to_string(),
        "lambda" => match rest.strip_prefix("function:") {
            Some(f) => format!("lambda:{f}"),
            None => format!("lambda:{rest}"),
        },
        _ => format!("{service}:{rest}"),
    }
}

/// An `ErrorEquals` list as `A, B`.
fn errors(list: Option<&Value>) -> String {
    let names: Vec<&str> = list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if names.is_empty() {
        "?".to_string()
    } else {
        names.join(", ")
    }
}

/// The text of a JSONata expression without its `{% %}` delimiters.
pub(crate) fn jsonata_text(s: &str) -> String {
    let t = s.trim();
    match t.strip_prefix("{%").and_then(|t| t.strip_suffix("%}")) {
        Some(inner) => inner.trim().to_string(),
        None => s.to_string(),
    }
}

/// A Choice rule (or a nested condition) in a compact form: `$.amount > 1000`,
/// `($.a == "x" and not ($.b is present))`, or a JSONata `Condition`'s text.
pub(crate) fn condition(rule: &Value, depth: usize) -> String {
    if depth > MAX_RULE_DEPTH {
        return "…".to_string();
    }
    let Some(r) = rule.as_object() else {
        return "?".to_string();
    };
    if let Some(c) = r.get("Condition") {
        return match c {
            Value::String(s) => jsonata_text(s),
            other => other.to_string(),
        };
    }
    let join = |list: Option<&Value>, op: &str| -> String {
        let parts: Vec<String> = list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| {
                let inner = condition(c, depth + 1);
                if is_compound(c) {
                    format!("({inner})")
                } else {
                    inner
                }
            })
            .collect();
        if parts.is_empty() {
            "?".to_string()
        } else {
            parts.join(&format!(" {op} "))
        }
    };
    if r.contains_key("And") {
        return join(r.get("And"), "and");
    }
    if r.contains_key("Or") {
        return join(r.get("Or"), "or");
    }
    if let Some(n) = r.get("Not") {
        return format!("not ({})", condition(n, depth + 1));
    }
    let var = r.get("Variable").and_then(Value::as_str).unwrap_or("?");
    for (key, value) in r {
        if matches!(
            key.as_str(),
            "Variable" | "Next" | "Comment" | "Assign" | "Output"
        ) {
            continue;
        }
        if let Some(text) = comparison(var, key, value) {
            return text;
        }
    }
    format!("{var} ?")
}

fn is_compound(c: &Value) -> bool {
    c.get("And").is_some() || c.get("Or").is_some()
}

fn comparison(var: &str, key: &str, value: &Value) -> Option<String> {
    let (base, path) = match key.strip_suffix("Path") {
        Some(b) if !b.is_empty() && b != "Items" => (b, true),
        _ => (key, false),
    };
    let rhs = || -> String {
        match value {
            Value::String(s) if path => s.clone(),
            Value::String(s) => format!("\"{s}\""),
            other => other.to_string(),
        }
    };
    let is = |what: &str| -> String {
        match value.as_bool() {
            Some(true) => format!("{var} is {what}"),
            Some(false) => format!("{var} is not {what}"),
            None => format!("{var} is {what}? {value}"),
        }
    };
    let op = match base {
        "StringEquals" | "NumericEquals" | "BooleanEquals" | "TimestampEquals" => "==",
        "StringLessThan" | "NumericLessThan" | "TimestampLessThan" => "<",
        "StringGreaterThan" | "NumericGreaterThan" | "TimestampGreaterThan" => ">",
        "StringLessThanEquals" | "NumericLessThanEquals" | "TimestampLessThanEquals" => "<=",
        "StringGreaterThanEquals" | "NumericGreaterThanEquals" | "TimestampGreaterThanEquals" => {
            ">="
        }
        "StringMatches" => "matches",
        "IsNull" => return Some(is("null")),
        "IsPresent" => {
            return Some(match value.as_bool() {
                Some(false) => format!("{var} is absent"),
                _ => is("present"),
            })
        }
        "IsString" => return Some(is("string")),
        "IsNumeric" => return Some(is("numeric")),
        "IsBoolean" => return Some(is("boolean")),
        "IsTimestamp" => return Some(is("timestamp")),
        _ => return None,
    };
    Some(format!("{var} {op} {}", rhs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resources_are_shortened() {
        assert_eq!(
            short_resource("arn:aws:states:::lambda:invoke"),
            "lambda:invoke"
        );
        assert_eq!(
            short_resource("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            "sqs:sendMessage.waitForTaskToken"
        );
        assert_eq!(
            short_resource("arn:aws:lambda:us-east-1:123456789012:function:charge"),
            "lambda:charge"
        );
        assert_eq!(
            short_resource("arn:aws:states:us-east-1:1:activity:Review"),
            "activity:Review"
        );
        assert_eq!(
            short_resource("arn:aws:states:::aws-sdk:s3:getObject"),
            "aws-sdk:s3:getObject"
        );
        assert_eq!(short_resource("not-an-arn"), "not-an-arn");
        assert_eq!(short_resource("arn:short"), "arn:short");
    }

    #[test]
    fn conditions_are_compact() {
        let rule = json!({"Variable": "$.amount", "NumericGreaterThan": 1000, "Next": "x"});
        assert_eq!(condition(&rule, 0), "$.amount > 1000");
        let rule = json!({"And": [
            {"Variable": "$.s", "StringEquals": "ok"},
            {"Or": [{"Variable": "$.a", "IsPresent": false}, {"Variable": "$.b", "BooleanEqualsPath": "$.c"}]},
            {"Not": {"Variable": "$.n", "IsNull": true}}
        ], "Next": "x"});
        assert_eq!(
            condition(&rule, 0),
            "$.s == \"ok\" and ($.a is absent or $.b == $.c) and not ($.n is null)"
        );
        let rule = json!({"Condition": "{% $states.input.n > 3 %}", "Next": "x"});
        assert_eq!(condition(&rule, 0), "$states.input.n > 3");
        assert_eq!(condition(&json!(7), 0), "?");
        assert_eq!(condition(&json!({"Variable": "$.x", "Odd": 1}), 0), "$.x ?");
    }

    #[test]
    fn deep_rules_do_not_overflow() {
        let mut rule = json!({"Variable": "$.x", "IsNull": true});
        for _ in 0..200 {
            rule = json!({ "Not": rule });
        }
        assert!(condition(&rule, 0).contains('…'));
    }

    #[test]
    fn sanitized_ids() {
        assert_eq!(sanitize("Cooling-off"), "Cooling_off");
        assert_eq!(sanitize("  ü "), "state");
        assert_eq!(sanitize("a  b"), "a_b");
    }

    #[test]
    fn colliding_ids_get_a_suffix() {
        let def = json!({"StartAt": "a b", "States": {
            "a b": {"Type": "Pass", "Next": "a_b"},
            "a_b": {"Type": "Pass", "Next": "a-b"},
            "a-b": {"Type": "Succeed"}
        }});
        let g = Graph::from_definition(&def).unwrap();
        let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["s_a_b", "s_a_b_2", "s_a_b_3"]);
    }

    #[test]
    fn malformed_parts_degrade() {
        let def = json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Branches": [7, {"StartAt": "X"}], "Next": "Nowhere"},
            "Q": 5
        }});
        let g = Graph::from_definition(&def).unwrap();
        assert!(g
            .nodes
            .iter()
            .any(|n| n.name == "Nowhere" && n.ty == "missing"));
        assert!(g.nodes.iter().any(|n| n.name == "Q" && n.ty == "?"));
        assert_eq!(g.nodes[0].children.len(), 2);
    }

    #[test]
    fn top_level_errors() {
        assert!(matches!(
            Graph::from_definition(&json!([])),
            Err(PictureError::NotAnObject)
        ));
        assert!(matches!(
            Graph::from_definition(&json!({"States": {}})),
            Err(PictureError::MissingStartAt)
        ));
        assert!(matches!(
            Graph::from_definition(&json!({"StartAt": "A"})),
            Err(PictureError::MissingStates)
        ));
        assert!(matches!(
            Graph::from_definition(&json!({"StartAt": "A", "States": {}})),
            Err(PictureError::UnknownStartAt(_))
        ));
    }
}
