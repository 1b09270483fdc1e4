//! What an execution did on top of the definition, read from its history events.
//!
//! A history names states, not scopes, so each event is placed by following its
//! `previousEventId` chain back to the state entry it belongs to (falling back to the event
//! before it when the chain is missing or broken). A state entry's predecessor on that chain
//! says which edge was taken: the previous state's exit (a `Next`, Choice or `Default` edge),
//! a failure of the previous state (a catcher), or the start of a scope (the start edge).
//! Unknown event types, unknown state names and events without details are kept in the
//! timeline and otherwise ignored.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::graph::{cut, EdgeKind, Graph, Point};
use super::time::parse_timestamp;

/// The execution's status as far as the history tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

/// What the history says about one node.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeStats {
    /// How often the state was entered.
    pub entered: u32,
    /// Failures seen in its visits (retried ones included).
    pub failures: u32,
    /// Sum of entered→exited times, when the events carry timestamps.
    pub seconds: Option<f64>,
    /// Some visit's time is still running (the sum is a lower bound).
    pub open_time: bool,
    /// The last visit ended in a failure (caught or not).
    pub failed: bool,
    /// The error of that failure.
    pub error: Option<String>,
    /// Entered and neither exited nor failed while the execution runs.
    pub waiting: bool,
}

/// One row of the timeline.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub id: i64,
    pub offset: Option<f64>,
    pub ty: String,
    pub state: String,
    pub detail: String,
}

/// The execution drawn on a graph.
#[derive(Debug, Clone)]
pub(crate) struct Overlay {
    pub status: Status,
    pub error: Option<String>,
    pub nodes: Vec<NodeStats>,
    pub taken: BTreeSet<usize>,
    pub rows: Vec<Row>,
}

struct Event<'a> {
    id: i64,
    prev: Option<i64>,
    ty: &'a str,
    ts: Option<f64>,
    details: Option<&'a Map<String, Value>>,
}

struct Visit {
    node: usize,
    enter_ts: Option<f64>,
    last_ts: Option<f64>,
    closed: bool,
    failed: bool,
    error: Option<String>,
}

/// Which node types an event family belongs to.
fn family(ty: &str) -> Option<&'static str> {
    if ty.starts_with("Task") || ty.starts_with("Lambda") || ty.starts_with("Activity") {
        Some("Task")
    } else if ty.starts_with("MapState")
        || ty.starts_with("MapRun")
        || ty.starts_with("MapIteration")
    {
        Some("Map")
    } else if ty.starts_with("ParallelState") {
        Some("Parallel")
    } else {
        None
    }
}

fn is_entered(ty: &str) -> bool {
    ty.ends_with("StateEntered")
}

fn is_exited(ty: &str) -> bool {
    ty.ends_with("StateExited")
}

/// A failure of the state the event belongs to.
fn is_failure(ty: &str) -> bool {
    matches!(
        ty,
        "TaskFailed"
            | "TaskTimedOut"
            | "TaskStartFailed"
            | "TaskSubmitFailed"
            | "LambdaFunctionFailed"
            | "LambdaFunctionTimedOut"
            | "LambdaFunctionStartFailed"
            | "LambdaFunctionScheduleFailed"
            | "ActivityFailed"
            | "ActivityTimedOut"
            | "ActivityScheduleFailed"
            | "MapStateFailed"
            | "MapStateAborted"
            | "ParallelStateFailed"
            | "ParallelStateAborted"
            | "EvaluationFailed"
    )
}

/// A success of an attempt (after which earlier failures were retried ones).
fn is_success(ty: &str) -> bool {
    matches!(
        ty,
        "TaskSucceeded"
            | "LambdaFunctionSucceeded"
            | "ActivitySucceeded"
            | "MapStateSucceeded"
            | "ParallelStateSucceeded"
    )
}

/// The start of a scope's run: what a `StartAt` state's entry follows.
fn is_scope_start(ty: &str) -> bool {
    matches!(
        ty,
        "MapIterationStarted" | "ParallelStateStarted" | "MapStateStarted" | "MapRunStarted"
    )
}

fn text(d: Option<&Map<String, Value>>, key: &str) -> Option<String> {
    match d?.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn details(e: &Map<String, Value>) -> Option<&Map<String, Value>> {
    // The details object is `<lowerCamelType>EventDetails`; take the first such key so that
    // an unknown type's details are found too.
    e.iter()
        .find(|(k, v)| k.ends_with("EventDetails") && v.is_object())
        .and_then(|(_, v)| v.as_object())
}

impl Overlay {
    /// Reads a history against a graph.
    pub(crate) fn from_history(graph: &Graph, history: &[Value]) -> Overlay {
        let mut events: Vec<Event> = Vec::new();
        for (i, e) in history.iter().enumerate() {
            let Some(obj) = e.as_object() else { continue };
            let id = obj
                .get("id")
                .and_then(Value::as_i64)
                .unwrap_or(i as i64 + 1);
            events.push(Event {
                id,
                prev: obj.get("previousEventId").and_then(Value::as_i64),
                ty: obj.get("type").and_then(Value::as_str).unwrap_or("?"),
                ts: obj.get("timestamp").and_then(parse_timestamp),
                details: details(obj),
            });
        }
        // GetExecutionHistory may be read in reverse order; ids say the real order.
        events.sort_by_key(|e| e.id);
        let mut ov = Reader::new(graph, &events);
        ov.run();
        ov.finish()
    }
}

struct Reader<'g, 'e> {
    graph: &'g Graph,
    events: &'e [Event<'e>],
    pos_of: HashMap<i64, usize>,
    visit_of: Vec<Option<usize>>,
    visits: Vec<Visit>,
    taken: BTreeSet<usize>,
    rows: Vec<Row>,
    status: Status,
    error: Option<String>,
    end_ts: Option<f64>,
    /// The latest error any failure named: what a container's own failure event (which has
    /// no details) failed with.
    last_error: Option<String>,
}

impl<'g, 'e> Reader<'g, 'e> {
    fn new(graph: &'g Graph, events: &'e [Event<'e>]) -> Self {
        let mut pos_of = HashMap::new();
        for (p, e) in events.iter().enumerate() {
            pos_of.entry(e.id).or_insert(p);
        }
        Reader {
            graph,
            events,
            pos_of,
            visit_of: vec![None; events.len()],
            visits: Vec::new(),
            taken: BTreeSet::new(),
            rows: Vec::new(),
            status: Status::Running,
            error: None,
            end_ts: None,
            last_error: None,
        }
    }

    /// The event before `p` on its chain: `previousEventId` when it names an earlier event,
    /// else the event before it in the list; `None` at the start.
    fn prev(&self, p: usize) -> Option<usize> {
        let e = &self.events[p];
        match e.prev {
            Some(0) => None,
            Some(id) if id < e.id => match self.pos_of.get(&id) {
                Some(&q) if q < p => Some(q),
                _ => p.checked_sub(1),
            },
            _ => p.checked_sub(1),
        }
    }

    /// Walks the chain back from `p` (exclusive), at most the whole history.
    fn chain(&self, p: usize) -> impl Iterator<Item = usize> + '_ {
        let mut at = Some(p);
        let mut steps = self.events.len();
        std::iter::from_fn(move || {
            let q = self.prev(at?)?;
            if steps == 0 {
                return None;
            }
            steps -= 1;
            at = Some(q);
            Some(q)
        })
    }

    /// The open visit an event belongs to: the nearest entry on its chain of a still open
    /// visit of the event's node type; else the latest open such visit.
    fn owner(&self, p: usize) -> Option<usize> {
        let fam = family(self.events[p].ty);
        let fits = |v: usize| -> bool {
            let visit = &self.visits[v];
            !visit.closed && fam.is_none_or(|f| self.graph.nodes[visit.node].ty == f)
        };
        for q in self.chain(p) {
            if is_entered(self.events[q].ty) {
                if let Some(v) = self.visit_of[q] {
                    if fits(v) {
                        return Some(v);
                    }
                }
            }
        }
        (0..self.visits.len()).rev().find(|&v| fits(v))
    }

    fn resolve(&self, p: usize, name: &str) -> Option<usize> {
        let candidates = self.graph.by_name.get(name)?;
        if candidates.len() == 1 {
            return candidates.first().copied();
        }
        let ty = self.events[p]
            .ty
            .strip_suffix("StateEntered")
            .unwrap_or_default();
        let typed: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&n| self.graph.nodes[n].ty == ty)
            .collect();
        let candidates = if typed.is_empty() {
            candidates.clone()
        } else {
            typed
        };
        // The innermost open container on the chain decides.
        for q in self.chain(p) {
            if let Some(v) = self.visit_of[q] {
                if is_entered(self.events[q].ty) && !self.visits[v].closed {
                    let owner = self.visits[v].node;
                    if let Some(&n) = candidates
                        .iter()
                        .find(|&&n| self.graph.ancestors(n).first() == Some(&owner))
                    {
                        return Some(n);
                    }
                }
            }
        }
        candidates
            .iter()
            .copied()
            .find(|&n| self.graph.nodes[n].scope == 0)
            .or_else(|| candidates.first().copied())
    }

    fn take(&mut self, from: Point, to: Point, prefer_catch: bool) {
        let matching: Vec<usize> = self
            .graph
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.from == from && e.to == to)
            .map(|(i, _)| i)
            .collect();
        let preferred = matching
            .iter()
            .copied()
            .find(|&i| (self.graph.edges[i].kind == EdgeKind::Catch) == prefer_catch);
        if let Some(i) = preferred.or_else(|| matching.first().copied()) {
            self.taken.insert(i);
        }
    }

    fn enter(&mut self, p: usize) {
        let e = &self.events[p];
        let Some(name) = text(e.details, "name") else {
            return;
        };
        let Some(node) = self.resolve(p, &name) else {
            return;
        };
        let scope = self.graph.nodes[node].scope;
        // Which edge led here?
        let mut from: Option<(Point, bool)> = None;
        let mut reached_start = self.prev(p).is_none();
        for q in self.chain(p) {
            let ty = self.events[q].ty;
            if is_exited(ty) {
                if let Some(v) = self.visit_of[q] {
                    let prev = self.visits[v].node;
                    if self.graph.nodes[prev].scope == scope {
                        from = Some((Point::Node(prev), self.visits[v].failed));
                    }
                }
                break;
            }
            if is_failure(ty) {
                if let Some(v) = self.visit_of[q] {
                    let prev = self.visits[v].node;
                    if self.graph.nodes[prev].scope == scope {
                        from = Some((Point::Node(prev), true));
                    }
                }
                break;
            }
            if is_scope_start(ty) || is_entered(ty) || ty == "ExecutionStarted" {
                reached_start = true;
                break;
            }
        }
        match from {
            Some((point, failed)) => self.take(point, Point::Node(node), failed),
            None if reached_start => self.take(Point::Start(scope), Point::Node(node), false),
            None => {}
        }
        let failed = self.graph.nodes[node].ty == "Fail";
        let v = self.visits.len();
        self.visits.push(Visit {
            node,
            enter_ts: e.ts,
            last_ts: e.ts,
            closed: false,
            failed,
            error: if failed {
                self.graph.nodes[node].fail_error.clone()
            } else {
                None
            },
        });
        if failed {
            self.take(Point::Node(node), Point::End(scope), false);
            if let Some(e) = &self.graph.nodes[node].fail_error {
                self.last_error = Some(e.clone());
            }
        }
        self.visit_of[p] = Some(v);
    }

    fn exit(&mut self, p: usize) {
        let e = &self.events[p];
        let name = text(e.details, "name");
        let open_named = |v: usize| {
            let visit = &self.visits[v];
            !visit.closed && Some(&self.graph.nodes[visit.node].name) == name.as_ref()
        };
        let on_chain = self
            .chain(p)
            .filter(|&q| is_entered(self.events[q].ty))
            .filter_map(|q| self.visit_of[q])
            .find(|&v| open_named(v));
        let Some(v) = on_chain.or_else(|| (0..self.visits.len()).rev().find(|&v| open_named(v)))
        else {
            return;
        };
        let visit = &mut self.visits[v];
        visit.closed = true;
        visit.last_ts = e.ts.or(visit.last_ts);
        let (node, failed) = (visit.node, visit.failed);
        self.visit_of[p] = Some(v);
        if !failed {
            let scope = self.graph.nodes[node].scope;
            self.take(Point::Node(node), Point::End(scope), false);
        }
    }

    fn other(&mut self, p: usize) {
        let e = &self.events[p];
        match e.ty {
            "ExecutionStarted" => {}
            "ExecutionSucceeded" => {
                self.status = Status::Succeeded;
                self.end_ts = e.ts;
            }
            "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted" => {
                self.status = match e.ty {
                    "ExecutionFailed" => Status::Failed,
                    "ExecutionTimedOut" => Status::TimedOut,
                    _ => Status::Aborted,
                };
                self.end_ts = e.ts;
                let error = text(e.details, "error").or_else(|| match self.status {
                    Status::TimedOut => Some("States.Timeout".to_string()),
                    Status::Aborted => Some("aborted".to_string()),
                    _ => None,
                });
                self.error = error.clone();
                // Whatever was still open ended with the execution.
                for visit in self.visits.iter_mut().filter(|v| !v.closed) {
                    if !visit.failed {
                        visit.failed = true;
                        visit.error = error.clone();
                    }
                    visit.last_ts = e.ts.or(visit.last_ts);
                }
            }
            ty => {
                let Some(v) = self.owner(p) else { return };
                self.visit_of[p] = Some(v);
                let visit = &mut self.visits[v];
                visit.last_ts = e.ts.or(visit.last_ts);
                if is_failure(ty) {
                    visit.failed = true;
                    let error = text(e.details, "error").or(match ty {
                        "TaskTimedOut" | "ActivityTimedOut" | "LambdaFunctionTimedOut" => {
                            Some("States.Timeout".to_string())
                        }
                        "MapStateFailed" | "ParallelStateFailed" => self.last_error.clone(),
                        _ => visit.error.take(),
                    });
                    visit.error = error.clone();
                    if error.is_some() {
                        self.last_error = error;
                    }
                } else if ty == "TaskStateAborted" {
                    // Stopped because a sibling branch failed: ended, not one more failure.
                    visit.failed = true;
                } else if is_success(ty) {
                    visit.failed = false;
                }
            }
        }
    }

    fn run(&mut self) {
        for p in 0..self.events.len() {
            let ty = self.events[p].ty;
            if is_entered(ty) {
                self.enter(p);
            } else if is_exited(ty) {
                self.exit(p);
            } else {
                self.other(p);
            }
        }
    }

    fn row(&self, p: usize, first_ts: Option<f64>) -> Row {
        let e = &self.events[p];
        let state = text(e.details, "name")
            .filter(|_| is_entered(e.ty) || is_exited(e.ty))
            .or_else(|| {
                self.visit_of[p].map(|v| self.graph.nodes[self.visits[v].node].name.clone())
            })
            .unwrap_or_default();
        let d = e.details;
        let detail = if let Some(err) = text(d, "error") {
            match text(d, "cause") {
                Some(c) => format!("{err}: {c}"),
                None => err,
            }
        } else if e.ty.starts_with("MapIteration") {
            text(d, "index")
                .map(|i| format!("item {i}"))
                .unwrap_or_default()
        } else if e.ty == "MapStateStarted" {
            text(d, "length")
                .map(|n| format!("{n} item{}", if n == "1" { "" } else { "s" }))
                .unwrap_or_default()
        } else if let (Some(t), Some(r)) = (text(d, "resourceType"), text(d, "resource")) {
            format!("{t}:{r}")
        } else if let Some(r) = text(d, "resource") {
            r
        } else if let Some(o) = text(d, "output") {
            format!("output {o}")
        } else {
            String::new()
        };
        Row {
            id: e.id,
            offset: match (e.ts, first_ts) {
                (Some(t), Some(f)) => Some(t - f),
                _ => None,
            },
            ty: e.ty.to_string(),
            state,
            detail: cut(&detail),
        }
    }

    fn finish(mut self) -> Overlay {
        let first_ts = self.events.iter().find_map(|e| e.ts);
        let last_ts = self.events.iter().rev().find_map(|e| e.ts);
        self.rows = (0..self.events.len())
            .map(|p| self.row(p, first_ts))
            .collect();
        let running = self.status == Status::Running;
        let mut nodes = vec![NodeStats::default(); self.graph.nodes.len()];
        for visit in &self.visits {
            let stats = &mut nodes[visit.node];
            stats.entered += 1;
            let end = if visit.closed || !running {
                visit.last_ts.or(self.end_ts)
            } else {
                stats.open_time = true;
                last_ts
            };
            if let (Some(a), Some(b)) = (visit.enter_ts, end) {
                *stats.seconds.get_or_insert(0.0) += (b - a).max(0.0);
            }
            stats.failed |= visit.failed;
            if visit.failed {
                stats.error = visit.error.clone();
            }
            if running
                && !visit.closed
                && !visit.failed
                && !self.graph.nodes[visit.node].is_container()
            {
                stats.waiting = true;
            }
        }
        // Failures per node: every failure event owned by one of its visits.
        for (p, e) in self.events.iter().enumerate() {
            if is_failure(e.ty) {
                if let Some(v) = self.visit_of[p] {
                    nodes[self.visits[v].node].failures += 1;
                }
            }
        }
        Overlay {
            status: self.status,
            error: self.error,
            nodes,
            taken: self.taken,
            rows: self.rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entered(ty: &str, name: &str) -> Value {
        json!({ "type": format!("{ty}StateEntered"), "stateEnteredEventDetails": { "name": name } })
    }

    fn exited(ty: &str, name: &str) -> Value {
        json!({ "type": format!("{ty}StateExited"), "stateExitedEventDetails": { "name": name } })
    }

    /// No ids, no `previousEventId`: the list order is the chain. A loop is entered twice.
    #[test]
    fn loops_count_entries_without_ids() {
        let def = json!({"StartAt": "Poll", "States": {
            "Poll": {"Type": "Pass", "Next": "Done?"},
            "Done?": {"Type": "Choice", "Choices": [
                {"Variable": "$.done", "BooleanEquals": true, "Next": "End it"}
            ], "Default": "Poll"},
            "End it": {"Type": "Succeed"}
        }});
        let g = Graph::from_definition(&def).unwrap_or_default();
        let history = [
            json!({"type": "ExecutionStarted"}),
            entered("Pass", "Poll"),
            exited("Pass", "Poll"),
            entered("Choice", "Done?"),
            exited("Choice", "Done?"),
            entered("Pass", "Poll"),
            exited("Pass", "Poll"),
            entered("Choice", "Done?"),
            exited("Choice", "Done?"),
            entered("Succeed", "End it"),
            exited("Succeed", "End it"),
            json!({"type": "ExecutionSucceeded"}),
        ];
        let ov = Overlay::from_history(&g, &history);
        assert_eq!(ov.status, Status::Succeeded);
        let counts: Vec<u32> = ov.nodes.iter().map(|n| n.entered).collect();
        assert_eq!(counts, [2, 2, 1]);
        // Every edge was taken: start, Poll→Done?, both Choice edges, End it→End.
        assert_eq!(ov.taken.len(), g.edges.len());
        assert_eq!(ov.rows.len(), history.len());
    }

    #[test]
    fn an_open_task_waits_and_a_failed_one_does_not() {
        let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "x", "End": true}}});
        let g = Graph::from_definition(&def).unwrap_or_default();
        let open = [json!({"type": "ExecutionStarted"}), entered("Task", "T")];
        let ov = Overlay::from_history(&g, &open);
        assert!(ov.nodes[0].waiting && !ov.nodes[0].failed);
        let failed = [
            json!({"type": "ExecutionStarted"}),
            entered("Task", "T"),
            json!({"type": "TaskFailed", "taskFailedEventDetails": {"error": "Boom"}}),
            json!({"type": "ExecutionFailed", "executionFailedEventDetails": {"error": "Boom"}}),
        ];
        let ov = Overlay::from_history(&g, &failed);
        assert_eq!(ov.status, Status::Failed);
        assert!(!ov.nodes[0].waiting && ov.nodes[0].failed);
        assert_eq!(ov.nodes[0].error.as_deref(), Some("Boom"));
        assert_eq!(ov.nodes[0].failures, 1);
    }
}
