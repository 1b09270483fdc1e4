//! `GetExecutionHistory`: paging, reverse order, and hiding execution data on request.

use serde_json::{json, Value};

use super::{page, standard_execution, with_next, SfnMembers, PAGE_TOKEN_MAX};
use crate::engine::history::HistoryEvent;
use crate::engine::{ApiError, Engine};
use crate::server::json::Members;

/// One event as the API returns it; without `includeExecutionData`, its `input`, `output` and
/// `parameters` are left out.
fn history_event(e: &HistoryEvent, include_data: bool) -> Value {
    let mut v = e.to_aws_json();
    if !include_data {
        if let Some((key, _)) = &e.details {
            if let Some(details) = v.get_mut(key).and_then(Value::as_object_mut) {
                for k in ["input", "output", "parameters"] {
                    details.remove(k);
                }
                for k in ["inputDetails", "outputDetails"] {
                    if details.contains_key(k) {
                        details.insert(k.into(), json!({ "truncated": false }));
                    }
                }
            }
        }
    }
    v
}

/// `GetExecutionHistory`.
pub(super) fn get_execution_history(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let arn = r.required("executionArn")?;
    let include = r.boolean("includeExecutionData")?.unwrap_or(true);
    let reverse = r.boolean("reverseOrder")?.unwrap_or(false);
    let (max, start) = (r.max_results()?, r.next_token(PAGE_TOKEN_MAX)?);
    let e = standard_execution(engine, &arn)?;
    let mut events = e.history();
    if reverse {
        events.reverse();
    }
    let (items, next) = page(events, start, max)?;
    let events: Vec<Value> = items.iter().map(|ev| history_event(ev, include)).collect();
    Ok(with_next(json!({ "events": events }), next))
}
