//! Histories made for snapshots: deterministic without redactions, readable in review.
//!
//! The [`Timeline`] is the compact view that failure messages print.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::engine::history::HistoryEvent;
use crate::time::Millis;

/// Formats a duration in milliseconds as `+HH:MM:SS.mmm`.
pub(crate) fn offset(ms: Millis) -> String {
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    format!("+{h:02}:{m:02}:{s:02}.{milli:03}")
}

/// One normalized event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormalizedEvent {
    /// The event id.
    pub id: u64,
    /// The id of the event it follows.
    #[serde(rename = "previousEventId")]
    pub previous_event_id: u64,
    /// Time since the execution started, `+HH:MM:SS.mmm`.
    pub at: String,
    /// AWS's event type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The `*EventDetails` object under its AWS key, normalized.
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

/// An execution history normalized for `insta` snapshots. Serializes as a JSON array.
///
/// It keeps every event of `GetExecutionHistory` — type, id,
/// `previousEventId`, details — and changes only what differs from run to run:
/// - timestamps become offsets from the execution's start on the harness clock
///   (`"+01:00:00.250"`), so a one-hour Wait reads as one hour;
/// - task tokens become `<token:1>`, `<token:2>`… and UUIDs (message ids, execution names)
///   `<uuid:1>`…, numbered in order of first appearance;
/// - the endpoint's `http://127.0.0.1:<port>` becomes `<endpoint>`, MD5 digests `<md5>`;
/// - `input`, `output` and `parameters` (JSON text in AWS's API) are shown parsed.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::builder().seed(1).start().await;
/// let m = h.create_state_machine("ids", json!({
///     "StartAt": "P", "States": { "P": { "Type": "Pass", "End": true } } })).await?;
/// let done = m.start(json!({ "id": "6f1c2a4e-0b7d-4a7e-9c1f-2f3b4c5d6e7f" })).await?.finish().await?;
/// let history = serde_json::to_value(done.history())?;
/// assert_eq!(history[0]["at"], "+00:00:00.000");
/// assert_eq!(history[0]["type"], "ExecutionStarted");
/// // The input is shown parsed, its UUID numbered.
/// let id = &history[0]["executionStartedEventDetails"]["input"]["id"];
/// assert!(id.as_str().is_some_and(|id| id.starts_with("<uuid:")), "{id}");
/// assert_eq!(done.history().types().last(), Some(&"ExecutionSucceeded"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct NormalizedHistory {
    events: Vec<NormalizedEvent>,
}

impl NormalizedHistory {
    /// Normalizes `events` of an execution that started at `start_ms`. `known` lists exact
    /// strings to replace first (e.g. `("http://127.0.0.1:4567", "<endpoint>")`).
    pub(crate) fn new(
        events: &[HistoryEvent],
        start_ms: Millis,
        known: &[(String, String)],
    ) -> Self {
        let mut n = Normalizer::new(known);
        let events = events
            .iter()
            .map(|e| {
                let mut details = Map::new();
                if let Some((k, v)) = &e.details {
                    details.insert(k.clone(), n.value(v, true));
                }
                NormalizedEvent {
                    id: e.id,
                    previous_event_id: e.previous_event_id,
                    at: offset(e.timestamp_ms.saturating_sub(start_ms)),
                    event_type: e.event_type.clone(),
                    details,
                }
            })
            .collect();
        NormalizedHistory { events }
    }

    /// The events.
    pub fn events(&self) -> &[NormalizedEvent] {
        &self.events
    }

    /// The event types in order (handy for `assert_eq!`).
    pub fn types(&self) -> Vec<&str> {
        self.events.iter().map(|e| e.event_type.as_str()).collect()
    }
}

struct Normalizer {
    known: Vec<(String, String)>,
    seen: HashMap<String, String>,
    tokens: usize,
    uuids: usize,
}

const TOKEN_PREFIX: &str = "AQsfnh";
const TOKEN_LEN: usize = TOKEN_PREFIX.len() + 22;

impl Normalizer {
    fn new(known: &[(String, String)]) -> Normalizer {
        Normalizer {
            known: known.to_vec(),
            seen: HashMap::new(),
            tokens: 0,
            uuids: 0,
        }
    }

    fn value(&mut self, v: &Value, top: bool) -> Value {
        match v {
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| {
                        let x = if k.starts_with("MD5Of") && x.is_string() {
                            Value::String("<md5>".into())
                        } else if top && k == "assignedVariables" && x.is_object() {
                            // Each assigned value is JSON text, like `output`: shown parsed.
                            let vars = x.as_object().into_iter().flatten().map(|(name, t)| {
                                let parsed = t.as_str().and_then(|t| serde_json::from_str(t).ok());
                                (
                                    name.clone(),
                                    self.value(parsed.as_ref().unwrap_or(t), false),
                                )
                            });
                            Value::Object(vars.collect())
                        } else if top && matches!(k.as_str(), "input" | "output" | "parameters") {
                            match x.as_str().map(serde_json::from_str::<Value>) {
                                Some(Ok(parsed)) => self.value(&parsed, false),
                                _ => self.value(x, false),
                            }
                        } else {
                            self.value(x, false)
                        };
                        (k.clone(), x)
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.value(x, false)).collect()),
            Value::String(s) => {
                // Message bodies are JSON text that carries tokens: normalize inside them too.
                if let Ok(inner @ (Value::Object(_) | Value::Array(_))) =
                    serde_json::from_str::<Value>(s)
                {
                    let normalized = self.value(&inner, false);
                    return Value::String(normalized.to_string());
                }
                Value::String(self.string(s))
            }
            other => other.clone(),
        }
    }

    fn label(&mut self, raw: &str, kind: &str) -> String {
        if let Some(l) = self.seen.get(raw) {
            return l.clone();
        }
        let n = match kind {
            "token" => {
                self.tokens += 1;
                self.tokens
            }
            _ => {
                self.uuids += 1;
                self.uuids
            }
        };
        let l = format!("<{kind}:{n}>");
        self.seen.insert(raw.to_string(), l.clone());
        l
    }

    fn string(&mut self, s: &str) -> String {
        let mut s = s.to_string();
        for (from, to) in &self.known {
            if !from.is_empty() && s.contains(from.as_str()) {
                s = s.replace(from.as_str(), to);
            }
        }
        let mut out = String::with_capacity(s.len());
        let mut rest = s.as_str();
        while !rest.is_empty() {
            if rest.starts_with(TOKEN_PREFIX)
                && rest.len() >= TOKEN_LEN
                && rest.is_char_boundary(TOKEN_LEN)
            {
                let raw = &rest[..TOKEN_LEN];
                let l = self.label(raw, "token");
                out.push_str(&l);
                rest = &rest[TOKEN_LEN..];
                continue;
            }
            if rest.len() >= 36
                && rest.is_char_boundary(36)
                && uuid::Uuid::try_parse(&rest[..36]).is_ok()
                && rest.as_bytes()[8] == b'-'
            {
                let raw = &rest[..36];
                let l = self.label(raw, "uuid");
                out.push_str(&l);
                rest = &rest[36..];
                continue;
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
        out
    }
}

/// One line of a [`Timeline`]: a state's visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// The state's name.
    pub state: String,
    /// Its type (`Task`, `Wait`, …).
    pub kind: String,
    /// When it was entered (ms since the execution's start).
    pub entered: Millis,
    /// When it was exited, if it was.
    pub exited: Option<Millis>,
    /// How many times its task was retried / scheduled again.
    pub retries: u32,
    /// The last error seen in the state (TaskFailed / TaskTimedOut), if any.
    pub error: Option<String>,
}

/// A compact account of an execution: the states visited with their times and retries.
///
/// ```
/// use sfn_harness::Timeline;
/// let t = Timeline::default();
/// assert_eq!(t.to_string(), "(no states entered)\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    /// The visits, in the order states were entered.
    pub visits: Vec<Visit>,
    /// How the execution ended (`ExecutionSucceeded`, …) and when, if it has.
    pub end: Option<(String, Millis)>,
}

impl Timeline {
    /// Builds the timeline of an execution's events.
    ///
    /// Events are matched to their visit along the history's chain (`previousEventId`), so
    /// the iterations of a Map or the branches of a Parallel, which enter states of the same
    /// name side by side, each get their own exit, retries and error.
    pub(crate) fn new(events: &[HistoryEvent], start_ms: Millis) -> Timeline {
        let mut t = Timeline::default();
        let by_id: HashMap<u64, &HistoryEvent> = events.iter().map(|e| (e.id, e)).collect();
        // `…StateEntered` event id → its visit.
        let mut entered: HashMap<u64, usize> = HashMap::new();
        // The visit of the nearest `…StateEntered` up `e`'s chain that `fits`.
        let on_chain = |entered: &HashMap<u64, usize>,
                        visits: &[Visit],
                        e: &HistoryEvent,
                        fits: &dyn Fn(&Visit) -> bool| {
            let mut id = e.previous_event_id;
            for _ in 0..events.len() {
                if let Some(&i) = entered.get(&id) {
                    if fits(&visits[i]) {
                        return Some(i);
                    }
                }
                id = by_id.get(&id)?.previous_event_id;
            }
            None
        };
        for e in events {
            let at = e.timestamp_ms.saturating_sub(start_ms);
            let name = e
                .details()
                .and_then(|d| d.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string);
            if let Some(kind) = e.event_type.strip_suffix("StateEntered") {
                entered.insert(e.id, t.visits.len());
                t.visits.push(Visit {
                    state: name.unwrap_or_default(),
                    kind: kind.to_string(),
                    entered: at,
                    exited: None,
                    retries: 0,
                    error: None,
                });
            } else if e.event_type.ends_with("StateExited") {
                let Some(name) = name else { continue };
                let visit = on_chain(&entered, &t.visits, e, &|v| v.state == name).or_else(|| {
                    t.visits
                        .iter()
                        .rposition(|v| v.state == name && v.exited.is_none())
                });
                if let Some(i) = visit {
                    t.visits[i].exited = Some(at);
                }
            } else if e.event_type == "TaskScheduled" {
                let task = |v: &Visit| v.kind == "Task";
                let visit = on_chain(&entered, &t.visits, e, &task)
                    .or_else(|| t.visits.iter().rposition(task));
                if let Some(v) = visit.map(|i| &mut t.visits[i]) {
                    if v.exited.is_none() && v.error.is_some() {
                        v.retries += 1;
                    }
                }
            } else if matches!(e.event_type.as_str(), "TaskFailed" | "TaskTimedOut") {
                let err = e
                    .details()
                    .and_then(|d| d.get("error"))
                    .and_then(Value::as_str)
                    .unwrap_or("(no error name)")
                    .to_string();
                let open_task = |v: &Visit| v.kind == "Task" && v.exited.is_none();
                let visit = on_chain(&entered, &t.visits, e, &open_task)
                    .or_else(|| t.visits.iter().rposition(open_task));
                if let Some(i) = visit {
                    t.visits[i].error = Some(err);
                }
            } else if e.event_type.starts_with("Execution") && e.event_type != "ExecutionStarted" {
                t.end = Some((e.event_type.clone(), at));
            }
        }
        t
    }
}

impl fmt::Display for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.visits.is_empty() {
            writeln!(f, "(no states entered)")?;
        }
        for v in &self.visits {
            write!(f, "  {}  {:<9} {}", offset(v.entered), v.kind, v.state)?;
            match v.exited {
                Some(x) => write!(f, "  -> exited {}", offset(x))?,
                None => write!(f, "  -> not exited")?,
            }
            if v.retries > 0 {
                write!(f, ", {} retries", v.retries)?;
            }
            if let Some(e) = &v.error {
                write!(f, ", last error {e}")?;
            }
            writeln!(f)?;
        }
        if let Some((end, at)) = &self.end {
            writeln!(f, "  {}  {end}", offset(*at))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn offsets_format_hours_minutes_seconds_millis() {
        assert_eq!(offset(0), "+00:00:00.000");
        assert_eq!(offset(3_600_000 + 61_250), "+01:01:01.250");
    }

    #[test]
    fn tokens_and_uuids_get_stable_ordinals() {
        let tok = format!("{TOKEN_PREFIX}{}", "A".repeat(22));
        let events = vec![HistoryEvent {
            id: 3,
            previous_event_id: 2,
            timestamp_ms: 10,
            event_type: "TaskScheduled".into(),
            details: Some((
                "taskScheduledEventDetails".into(),
                json!({
                    "parameters": json!({ "QueueUrl": "http://127.0.0.1:5555/1/q", "MessageBody": { "t": tok, "again": tok } }).to_string(),
                    "MD5OfMessageBody": "abc"
                }),
            )),
        }];
        let h = NormalizedHistory::new(
            &events,
            0,
            &[("http://127.0.0.1:5555".into(), "<endpoint>".into())],
        );
        let v = serde_json::to_value(&h).unwrap();
        assert_eq!(
            v[0]["taskScheduledEventDetails"],
            json!({ "parameters": { "QueueUrl": "<endpoint>/1/q", "MessageBody": { "t": "<token:1>", "again": "<token:1>" } }, "MD5OfMessageBody": "<md5>" })
        );
    }
}
