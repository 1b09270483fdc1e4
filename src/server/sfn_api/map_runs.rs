//! `DescribeMapRun`, `ListMapRuns`, `UpdateMapRun` (shapes from botocore's `stepfunctions`
//! service model), and the child executions `ListExecutions` lists by `mapRunArn`.

use serde_json::{json, Value};

use super::{page, secs, with_next, SfnMembers, PAGE_TOKEN_MAX};
use crate::engine::{ApiError, Engine};
use crate::server::json::Members;

/// `DescribeMapRun`.
pub(super) fn describe_map_run(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let run = engine.map_run(&r.required("mapRunArn")?)?;
    let mut v = json!({
        "mapRunArn": run.arn(),
        "executionArn": run.execution_arn(),
        "status": run.status().as_str(),
        "startDate": secs(run.start_ms()),
        "maxConcurrency": run.max_concurrency(),
        "toleratedFailurePercentage": run.tolerated_failure_percentage(),
        "toleratedFailureCount": run.tolerated_failure_count(),
        "itemCounts": run.item_counts().to_json(),
        "executionCounts": run.execution_counts().to_json(),
        "redriveCount": 0,
    });
    if let Some(stop) = run.stop_ms() {
        v["stopDate"] = secs(stop);
    }
    Ok(v)
}

/// `ListMapRuns`: the Map Runs of one execution.
pub(super) fn list_map_runs(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let runs = engine.list_map_runs(&r.required("executionArn")?)?;
    let (items, next) = page(runs, r.next_token(PAGE_TOKEN_MAX)?, r.max_results()?)?;
    let map_runs: Vec<Value> = items
        .iter()
        .map(|run| {
            let mut v = json!({
                "executionArn": run.execution_arn(),
                "mapRunArn": run.arn(),
                "stateMachineArn": run.state_machine_arn(),
                "startDate": secs(run.start_ms()),
            });
            if let Some(stop) = run.stop_ms() {
                v["stopDate"] = secs(stop);
            }
            v
        })
        .collect();
    Ok(with_next(json!({ "mapRuns": map_runs }), next))
}

/// `UpdateMapRun`: `maxConcurrency`, `toleratedFailurePercentage` (a float 0-100),
/// `toleratedFailureCount`.
pub(super) fn update_map_run(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let arn = r.required("mapRunArn")?;
    let non_negative = |key: &str| -> Result<Option<u64>, ApiError> {
        match r.integer(key)? {
            Some(n) if n < 0 => Err(ApiError::validation(format!(
                "1 validation error detected: Value '{n}' at '{key}' failed to satisfy constraint: Member must have value greater than or equal to 0"
            ))),
            other => Ok(other.map(|n| n as u64)),
        }
    };
    let max = non_negative("maxConcurrency")?;
    let count = non_negative("toleratedFailureCount")?;
    let percentage = match r.value("toleratedFailurePercentage") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(_) => {
            return Err(ApiError::Serialization(
                "toleratedFailurePercentage must be a number".into(),
            ))
        }
    };
    engine.update_map_run(&arn, max, percentage, count)?;
    Ok(json!({}))
}
