//! Execution history: the events of `GetExecutionHistory`, with AWS's types, ids,
//! `previousEventId` chains and `*EventDetails`.
//!
//! Each event's details are kept exactly as the API returns them: `input`, `output` and
//! `parameters` are JSON *text*, and every detail object sits under its AWS key
//! (`stateEnteredEventDetails`, `taskSucceededEventDetails`, …).
//!
//! `events` (crate-internal) is the one place where AWS's event types and detail shapes are written down: the
//! interpreter and the engine build every event through its constructors and never spell an
//! event type or a details key themselves.

pub(crate) mod events;
pub(crate) mod packed;

use serde_json::{json, Map, Value};

use crate::time::Millis;
pub(crate) use events::{json_text, quoted_json_text, Event};

/// One history event, as `GetExecutionHistory` lists it.
///
/// ```
/// use sfn_harness::HistoryEvent;
/// use serde_json::json;
///
/// let e = HistoryEvent {
///     id: 2,
///     previous_event_id: 0,
///     timestamp_ms: 1_700_000_000_123,
///     event_type: "PassStateEntered".into(),
///     details: Some(("stateEnteredEventDetails".into(), json!({ "name": "Hello" }))),
/// };
/// assert_eq!(e.to_aws_json()["timestamp"], json!(1_700_000_000.123));
/// assert_eq!(e.to_aws_json()["stateEnteredEventDetails"]["name"], "Hello");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    /// 1-based id, in order of recording.
    pub id: u64,
    /// The id of the event this one follows on its chain (0 for none).
    pub previous_event_id: u64,
    /// When it was recorded, on the harness clock.
    pub timestamp_ms: Millis,
    /// AWS's event type, e.g. `TaskStateEntered`.
    pub event_type: String,
    /// The details object and its key, e.g. (`stateEnteredEventDetails`, {...}).
    pub details: Option<(String, Value)>,
}

impl HistoryEvent {
    /// The event as the `GetExecutionHistory` API returns it (timestamps in epoch seconds).
    pub fn to_aws_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("timestamp".into(), json!(self.timestamp_ms as f64 / 1000.0));
        m.insert("type".into(), json!(self.event_type));
        m.insert("id".into(), json!(self.id));
        m.insert("previousEventId".into(), json!(self.previous_event_id));
        if let Some((k, v)) = &self.details {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    }

    /// The details object, if any.
    pub fn details(&self) -> Option<&Value> {
        self.details.as_ref().map(|(_, v)| v)
    }
}
