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
        "loggingConfiguration": m.logging_configuration,
        "tracingConfiguration": m.tracing_configuration,
        // The default AWS has answered since customer-managed keys came (November 2024):
        // LocalStack's AWS-validated `test_sfn_api_variable_references` snapshots (recorded
        // 20-11-2024) show it in DescribeStateMachine and DescribeStateMachineForExecution.
        // Only this default is served (see `encryption_configuration`).
        "encryptionConfiguration": { "type": "AWS_OWNED_KEY" },
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

/// `loggingConfiguration`, checked as AWS checks it: `level` one of `ALL | ERROR | FATAL | OFF`,
/// at most one destination, and a destination for any level but `OFF` (the model's
/// `LoggingConfiguration`; the `InvalidLoggingConfiguration` text is sfn-harness's, AWS's own is
/// not recorded). Nothing is logged: sfn-harness has no CloudWatch Logs behind it.
fn logging_configuration(r: &Members<'_>) -> Result<Option<Value>, ApiError> {
    let Some(v) = r.value("loggingConfiguration").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let Some(obj) = v.as_object() else {
        return Err(ApiError::Serialization(
            "Start of structure or map found where not expected.".into(),
        ));
    };
    let c = Members::of(obj);
    let level = c.string("level")?.unwrap_or_else(|| "OFF".into());
    if !["ALL", "ERROR", "FATAL", "OFF"].contains(&level.as_str()) {
        return Err(ApiError::validation(format!("1 validation error detected: Value '{level}' at 'loggingConfiguration.level' failed to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]")));
    }
    let include = c.boolean("includeExecutionData")?.unwrap_or(false);
    let destinations = c.object_list("destinations")?;
    if destinations.len() > 1 {
        return Err(ApiError::InvalidLoggingConfiguration(
            "Invalid Logging Configuration: Must specify exactly one Log Destination.".into(),
        ));
    }
    if level != "OFF" && destinations.is_empty() {
        return Err(ApiError::InvalidLoggingConfiguration(
            "Invalid Logging Configuration: Must specify exactly one Log Destination.".into(),
        ));
    }
    let mut out = json!({ "level": level, "includeExecutionData": include });
    if let Some(d) = obj.get("destinations").filter(|d| !d.is_null()) {
        out["destinations"] = d.clone();
    }
    Ok(Some(out))
}

/// `tracingConfiguration` (`{"enabled": bool}`, botocore's `TracingConfiguration`), returned
/// by DescribeStateMachine as given. Nothing is sent to X-Ray.
fn tracing_configuration(r: &Members<'_>) -> Result<Option<Value>, ApiError> {
    let Some(v) = r.value("tracingConfiguration").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let Some(obj) = v.as_object() else {
        return Err(ApiError::Serialization(
            "Start of structure or map found where not expected.".into(),
        ));
    };
    let enabled = Members::of(obj).boolean("enabled")?.unwrap_or(false);
    Ok(Some(json!({ "enabled": enabled })))
}

/// `encryptionConfiguration` on Create/UpdateStateMachine (and CreateActivity): its `type` is
/// `AWS_OWNED_KEY | CUSTOMER_MANAGED_KMS_KEY` (botocore's `EncryptionConfiguration`).
/// sfn-harness serves only the default, AWS-owned key; a customer-managed KMS key is refused
/// rather than silently described as AWS-owned.
pub(super) fn encryption_configuration(r: &Members<'_>) -> Result<(), ApiError> {
    let Some(v) = r.value("encryptionConfiguration").filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let Some(obj) = v.as_object() else {
        return Err(ApiError::Serialization(
            "Start of structure or map found where not expected.".into(),
        ));
    };
    match Members::of(obj).string("type")?.as_deref() {
        Some("AWS_OWNED_KEY") => Ok(()),
        Some("CUSTOMER_MANAGED_KMS_KEY") => Err(ApiError::validation(
            "sfn-harness does not serve customer-managed KMS keys (encryptionConfiguration type CUSTOMER_MANAGED_KMS_KEY): its state machines and activities use the AWS-owned key only",
        )),
        Some(other) => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{other}' at 'encryptionConfiguration.type' failed to satisfy constraint: Member must satisfy enum value set: [CUSTOMER_MANAGED_KMS_KEY, AWS_OWNED_KEY]"
        ))),
        None => Err(ApiError::validation(
            "1 validation error detected: Value null at 'encryptionConfiguration.type' failed to satisfy constraint: Member must not be null",
        )),
    }
}

/// `publish` and `versionDescription` (a description only with `publish`).
fn publish_flags(r: &Members<'_>) -> Result<(bool, Option<String>), ApiError> {
    let publish = r.boolean("publish")?.unwrap_or(false);
    let description = r.string("versionDescription")?;
    if description.is_some() && !publish {
        return Err(ApiError::validation(
            "Version description can only be set when publish is true",
        ));
    }
    Ok((publish, description))
}

/// `CreateStateMachine`.
pub(super) fn create_state_machine(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let name = r.required("name")?;
    let definition = r.required("definition")?;
    let role = r.required("roleArn")?;
    let kind = machine_type(r.string("type")?.as_deref())?;
    let tags = parse_tags(&r, false)?;
    let logging = logging_configuration(&r)?;
    let tracing = tracing_configuration(&r)?;
    encryption_configuration(&r)?;
    let (publish, version_description) = publish_flags(&r)?;
    let mut m = engine.create_state_machine_with(&name, &definition, Some(&role), kind)?;
    if let Some(l) = logging {
        m = engine.set_logging_configuration(&m.arn, l, false)?;
    }
    if let Some(t) = tracing {
        m = engine.set_tracing_configuration(&m.arn, t, false)?;
    }
    if !tags.is_empty() {
        engine.tag_resource(&m.arn, &tags)?;
    }
    let mut out = json!({ "stateMachineArn": m.arn, "creationDate": secs(m.created_ms) });
    if publish {
        let v =
            engine.publish_state_machine_version(&m.arn, None, version_description.as_deref())?;
        out["stateMachineVersionArn"] = json!(v.arn);
    }
    Ok(out)
}

/// `DescribeStateMachine`: of a machine, or of a version (a version ARN: its snapshot, its
/// number's ARN and its description).
pub(super) fn describe_state_machine(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let arn = r.required("stateMachineArn")?;
    if let Ok(v) = engine.state_machine_version(&arn) {
        let mut out = describe_machine(&v.machine);
        out["stateMachineArn"] = json!(v.arn);
        out["creationDate"] = secs(v.created_ms);
        // `revisionId` only when the machine had been updated before the version was
        // published, as for the machine itself (LocalStack's AWS-validated
        // `test_create_publish_describe_no_version_description` has none,
        // `test_publish_state_machine_version` has one): `machine_fields` decides.
        if let Some(d) = &v.description {
            out["description"] = json!(d);
        }
        return Ok(out);
    }
    let m = engine.state_machine(&arn)?;
    Ok(describe_machine(&m))
}

/// `UpdateStateMachine`.
pub(super) fn update_state_machine(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let arn = r.required("stateMachineArn")?;
    let definition = r.string("definition")?;
    let role = r.string("roleArn")?;
    let logging = logging_configuration(&r)?;
    let tracing = tracing_configuration(&r)?;
    encryption_configuration(&r)?;
    let (publish, version_description) = publish_flags(&r)?;
    let settings_only = logging.is_some() || tracing.is_some();
    let mut m = if definition.is_none() && role.is_none() && settings_only {
        engine.state_machine(&arn)?
    } else {
        engine.update_state_machine(&arn, definition.as_deref(), role.as_deref())?
    };
    if let Some(l) = logging {
        m = engine.set_logging_configuration(&arn, l, true)?;
    }
    if let Some(t) = tracing {
        m = engine.set_tracing_configuration(&arn, t, true)?;
    }
    let mut out = json!({
        "updateDate": secs(m.updated_ms.unwrap_or_else(|| engine.clock().now_ms())),
    });
    // An update that changed nothing on a never-updated machine answers no `revisionId`
    // (the machine has no revision yet: LocalStack's AWS-validated
    // `test_empty_revision_with_publish_and_no_publish_on_creation` and
    // `..._and_publish_on_creation`).
    if m.updated_ms.is_some() {
        out["revisionId"] = json!(m.revision_id);
    }
    if publish {
        let v = engine.publish_state_machine_version(&arn, None, version_description.as_deref())?;
        out["stateMachineVersionArn"] = json!(v.arn);
    }
    Ok(out)
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
