//! Activity operations: `CreateActivity`, `DescribeActivity`, `ListActivities`,
//! `DeleteActivity` and `GetActivityTask` (members and responses as in botocore's
//! `stepfunctions/2016-11-23/service-2.json`; the answers AWS gave to LocalStack's
//! AWS-validated `test_sfn_api_activities.py`, `../shared/conformance/v2`).

use serde_json::{json, Value};

use super::{page, secs, with_next, SfnMembers, PAGE_TOKEN_MAX};
use crate::engine::activities::Activity;
use crate::engine::{ApiError, Engine};
use crate::server::json::Members;
use crate::server::BoxFuture;

/// `CreateActivity`: `activityArn` and `creationDate` (the same for a name created before).
pub(super) fn create_activity(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let name = r.required("name")?;
    super::machines::encryption_configuration(&r)?;
    let a = engine.create_activity(&name)?;
    Ok(json!({ "activityArn": a.arn, "creationDate": secs(a.created) }))
}

/// `DescribeActivity`: AWS adds the default `encryptionConfiguration`
/// (`{"type": "AWS_OWNED_KEY"}`, as recorded in `test_create_describe_delete_activity`).
pub(super) fn describe_activity(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let a = engine.describe_activity(&r.required("activityArn")?)?;
    Ok(json!({
        "activityArn": a.arn,
        "name": a.name,
        "creationDate": secs(a.created),
        "encryptionConfiguration": { "type": "AWS_OWNED_KEY" },
    }))
}

fn list_item(a: &Activity) -> Value {
    json!({ "activityArn": a.arn, "name": a.name, "creationDate": secs(a.created) })
}

/// `ListActivities`: oldest first, paginated with `maxResults` / `nextToken`.
pub(super) fn list_activities(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let max = r.max_results()?;
    let start = r.next_token(PAGE_TOKEN_MAX)?;
    let items: Vec<Value> = engine.list_activities().iter().map(list_item).collect();
    let (items, next) = page(items, start, max)?;
    Ok(with_next(json!({ "activities": items }), next))
}

/// `DeleteActivity`: `{}`, also for an activity already deleted.
pub(super) fn delete_activity(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    engine.delete_activity(&r.required("activityArn")?)?;
    Ok(json!({}))
}

/// `GetActivityTask`: waits up to 60 s for a task; `{taskToken, input}`, or `{}` when none
/// came.
pub(super) fn get_activity_task<'a>(
    engine: &'a Engine,
    r: Members<'a>,
) -> BoxFuture<'a, Result<Value, ApiError>> {
    Box::pin(async move {
        let arn = r.required("activityArn")?;
        let worker = r.string("workerName")?;
        if let Some(w) = &worker {
            if w.chars().count() > 80 {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '{w}' at 'workerName' failed to satisfy constraint: Member must have length less than or equal to 80"
                )));
            }
        }
        Ok(
            match engine.get_activity_task(&arn, worker.as_deref()).await? {
                Some(t) => json!({ "taskToken": t.token, "input": t.input }),
                None => json!({}),
            },
        )
    })
}
