//! `TestState`: the request members read into a
//! [`TestStateRequest`](crate::engine::test_state::TestStateRequest), the engine's answer
//! written back (member names from botocore `stepfunctions/2016-11-23/service-2.json`:
//! `TestStateInput`, `MockInput`, `MockErrorOutput`, `TestStateConfiguration`).

use serde_json::Value;

use super::SfnMembers;
use crate::engine::test_state::{
    FieldValidationMode, InspectionLevel, StateConfiguration, TestStateMock, TestStateRequest,
};
use crate::engine::{ApiError, Engine};
use crate::server::json::Members;
use crate::server::BoxFuture;

/// A nested structure member (`mock`, `errorOutput`, `stateConfiguration`).
fn structure<'a>(r: &Members<'a>, key: &str) -> Result<Option<Members<'a>>, ApiError> {
    match r.value(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(Members::of(o))),
        Some(_) => Err(ApiError::validation(format!(
            "Start of structure or map found where not expected (member {key})"
        ))),
    }
}

fn count(r: &Members<'_>, key: &str) -> Result<Option<u64>, ApiError> {
    match r.integer(key)? {
        None => Ok(None),
        Some(n) if n < 0 => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{n}' at 'stateConfiguration.{key}' failed to satisfy constraint: Member must have value greater than or equal to 0"
        ))),
        Some(n) => Ok(Some(n as u64)),
    }
}

fn request(r: Members<'_>) -> Result<TestStateRequest, ApiError> {
    let mut req = TestStateRequest::new(r.required("definition")?);
    req.state_name = r.string("stateName")?;
    req.input = r.string("input")?;
    req.role_arn = r.string("roleArn")?;
    req.variables = r.string("variables")?;
    req.context = r.string("context")?;
    req.reveal_secrets = r.boolean("revealSecrets")?.unwrap_or(false);
    if let Some(level) = r.string("inspectionLevel")? {
        req.inspection_level = InspectionLevel::parse(&level).ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value '{level}' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"
            ))
        })?;
    }
    if let Some(m) = structure(&r, "mock")? {
        let mode = match m.string("fieldValidationMode")?.as_deref() {
            None | Some("STRICT") => FieldValidationMode::Strict,
            Some("PRESENT") => FieldValidationMode::Present,
            Some("NONE") => FieldValidationMode::None,
            Some(other) => return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{other}' at 'mock.fieldValidationMode' failed to satisfy constraint: Member must satisfy enum value set: [STRICT, PRESENT, NONE]"
            ))),
        };
        let error_output = match structure(&m, "errorOutput")? {
            Some(e) => Some((e.string("error")?, e.string("cause")?)),
            None => None,
        };
        req.mock = Some(TestStateMock {
            result: m.string("result")?,
            error_output,
            field_validation_mode: mode,
        });
    }
    if let Some(c) = structure(&r, "stateConfiguration")? {
        req.state_configuration = Some(StateConfiguration {
            retrier_retry_count: count(&c, "retrierRetryCount")?,
            error_caused_by_state: c.string("errorCausedByState")?,
            map_iteration_failure_count: count(&c, "mapIterationFailureCount")?,
            map_item_reader_data: c.string("mapItemReaderData")?,
        });
    }
    Ok(req)
}

/// `TestState`.
pub(super) fn test_state<'a>(
    engine: &'a Engine,
    r: Members<'a>,
) -> BoxFuture<'a, Result<Value, ApiError>> {
    Box::pin(async move {
        let req = request(r)?;
        let clock = engine.clock().clone();
        let out = clock.park(clock.run_until(engine.test_state(req))).await?;
        Ok(out.to_api())
    })
}
