//! Task token operations: `SendTaskSuccess`, `SendTaskFailure`, `SendTaskHeartbeat`.

use serde_json::{json, Value};

use super::SfnMembers;
use crate::engine::{ApiError, Engine};
use crate::server::json::{Members, ReplyBody};

/// `SendTaskSuccess`.
pub(super) fn send_task_success(engine: &Engine, r: Members<'_>) -> Result<ReplyBody, ApiError> {
    let token = r.required("taskToken")?;
    let output = r.required("output")?;
    engine.send_task_success(&token, &output)?;
    Ok(ReplyBody::Empty)
}

/// `SendTaskFailure`.
pub(super) fn send_task_failure(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let token = r.required("taskToken")?;
    engine.send_task_failure(
        &token,
        r.string("error")?.as_deref(),
        r.string("cause")?.as_deref(),
    )?;
    Ok(json!({}))
}

/// `SendTaskHeartbeat`.
pub(super) fn send_task_heartbeat(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    engine.send_task_heartbeat(&r.required("taskToken")?)?;
    Ok(json!({}))
}
