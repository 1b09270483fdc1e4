//! State machine operations: create, describe, update, delete, list.

use serde_json::{json, Value};

use super::tags::parse_tags;
use super::{machine_type, page, secs, standard_execution, with_next, SfnMembers, PAGE_TOKEN_MAX};
use crate::engine::{ApiError, Engine, StateMachine};
use crate::server::json::Members;

/// The settings both DescribeStateMachine and DescribeStateMachineForExecution report.
/// `revisionId` appears only once the machine has been updated, as on AWS.
fn machine_fields(m: &StateMachine) -> Value {
    let mut v = json!({
        "stateMachineArn": m.arn,
        "name": m.name,
        "definition": m.definition_text,
        "roleArn": m.role_arn,
        "loggingConfiguration": { "level": "OFF", "includeExecutionData": false },
        "tracingConfiguration": { "enabled": false },
    });
    if m.updated_ms.is_some() {
        v["revisionId"] = json!(m.revision_id);
    }
    // `variableReferences`: only when some state reads a variable (as AWS answers).
    if let Ok(def) = serde_json::from_str::<Value>(&m.definition_text) {
        let refs = crate::asl::variable_references(&def);
        if refs.as_object().is_some_and(|r| !r.is_empty()) {
            v["variableReferences"] = refs;
        }
    }
    v
}

fn describe_machine(m: &StateMachine) -> Value {
    let mut v = machine_fields(m);
    v["status"] = json!("ACTIVE");
    v["type"] = json!(m.machine_type.as_str());
    v["creationDate"] = secs(m.created_ms);
    v
}

/// `CreateStateMachine`.
pub(super) fn create_state_machine(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let name = r.required("name")?;
    let definition = r.required("definition")?;
    let role = r.required("roleArn")?;
    let kind = machine_type(r.string("type")?.as_deref())?;
    let tags = parse_tags(&r, false)?;
    let m = engine.create_state_machine_with(&name, &definition, Some(&role), kind)?;
    if !tags.is_empty() {
        engine.tag_resource(&m.arn, &tags)?;
    }
    Ok(json!({ "stateMachineArn": m.arn, "creationDate": secs(m.created_ms) }))
}

/// `DescribeStateMachine`.
pub(super) fn describe_state_machine(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let m = engine.state_machine(&r.required("stateMachineArn")?)?;
    Ok(describe_machine(&m))
}

/// `UpdateStateMachine`.
pub(super) fn update_state_machine(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let m = engine.update_state_machine(
        &r.required("stateMachineArn")?,
        r.string("definition")?.as_deref(),
        r.string("roleArn")?.as_deref(),
    )?;
    Ok(json!({
        "updateDate": secs(m.updated_ms.unwrap_or_else(|| engine.clock().now_ms())),
        "revisionId": m.revision_id,
    }))
}

/// `DeleteStateMachine`.
pub(super) fn delete_state_machine(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    // Deleting a machine that does not exist succeeds (LocalStack's AWS-validated
    // `test_delete_nonexistent_sm`); the model lists only InvalidArn and validation.
    engine.delete_state_machine(&r.required("stateMachineArn")?)?;
    Ok(json!({}))
}

/// `ListStateMachines`.
pub(super) fn list_state_machines(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let (max, start) = (r.max_results()?, r.next_token(PAGE_TOKEN_MAX)?);
    // AWS lists state machines in name order (LocalStack's AWS-validated
    // `test_list_sms_pagination`: statemachine_0, _10, _11, _12, _1, …).
    let mut all = engine.state_machines();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let (items, next) = page(all, start, max)?;
    let machines: Vec<Value> = items
        .iter()
        .map(|m| {
            json!({
                "stateMachineArn": m.arn,
                "name": m.name,
                "type": m.machine_type.as_str(),
                "creationDate": secs(m.created_ms),
            })
        })
        .collect();
    Ok(with_next(json!({ "stateMachines": machines }), next))
}

/// `DescribeStateMachineForExecution`: the machine as the execution started with it.
pub(super) fn describe_state_machine_for_execution(
    engine: &Engine,
    r: Members<'_>,
) -> Result<Value, ApiError> {
    let e = standard_execution(engine, &r.required("executionArn")?)?;
    let m = e.state_machine();
    let mut out = machine_fields(m);
    out["updateDate"] = secs(m.updated_ms.unwrap_or(m.created_ms));
    Ok(out)
}
