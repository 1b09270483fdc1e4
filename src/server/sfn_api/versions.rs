//! Versions and aliases: PublishStateMachineVersion, ListStateMachineVersions,
//! DeleteStateMachineVersion, Create/Describe/Update/Delete/ListStateMachineAliases (shapes:
//! botocore `stepfunctions/2016-11-23/service-2.json`; see `engine::versions` for the rules).

use serde_json::{json, Value};

use super::{page, secs, with_next, SfnMembers, PAGE_TOKEN_MAX};
use crate::engine::{ApiError, Engine, StateMachineAlias};
use crate::server::json::Members;

/// `routingConfiguration`: `[{stateMachineVersionArn, weight}]`.
pub(super) fn routing(r: &Members<'_>) -> Result<Option<Vec<(String, u32)>>, ApiError> {
    if r.value("routingConfiguration").is_none_or(Value::is_null) {
        return Ok(None);
    }
    let mut out = Vec::new();
    for (i, item) in r.object_list("routingConfiguration")?.iter().enumerate() {
        let arn = item.required("stateMachineVersionArn")?;
        let weight = item.integer("weight")?.ok_or_else(|| {
            ApiError::validation(format!("1 validation error detected: Value null at 'routingConfiguration.{}.member.weight' failed to satisfy constraint: Member must not be null", i + 1))
        })?;
        if weight < 0 {
            return Err(ApiError::validation(format!("1 validation error detected: Value '{weight}' at 'routingConfiguration.{}.member.weight' failed to satisfy constraint: Member must have value greater than or equal to 0", i + 1)));
        }
        out.push((arn, weight.min(u32::MAX as i64) as u32));
    }
    Ok(Some(out))
}

fn alias_json(a: &StateMachineAlias) -> Value {
    let mut v = json!({
        "stateMachineAliasArn": a.arn,
        "name": a.name,
        "routingConfiguration": a.routing.iter().map(|(v, w)| json!({
            "stateMachineVersionArn": v,
            "weight": w,
        })).collect::<Vec<_>>(),
        "creationDate": secs(a.created_ms),
        "updateDate": secs(a.updated_ms),
    });
    if let Some(d) = &a.description {
        v["description"] = json!(d);
    }
    v
}

/// `PublishStateMachineVersion`.
pub(super) fn publish_state_machine_version(
    engine: &Engine,
    r: Members<'_>,
) -> Result<Value, ApiError> {
    let v = engine.publish_state_machine_version(
        &r.required("stateMachineArn")?,
        r.string("revisionId")?.as_deref(),
        r.string("description")?.as_deref(),
    )?;
    Ok(json!({ "creationDate": secs(v.created_ms), "stateMachineVersionArn": v.arn }))
}

/// `ListStateMachineVersions`: newest first.
pub(super) fn list_state_machine_versions(
    engine: &Engine,
    r: Members<'_>,
) -> Result<Value, ApiError> {
    let (max, start) = (r.max_results()?, r.next_token(PAGE_TOKEN_MAX)?);
    let all = engine.state_machine_versions(&r.required("stateMachineArn")?)?;
    let (items, next) = page(all, start, max)?;
    let versions: Vec<Value> = items
        .iter()
        .map(|v| json!({ "stateMachineVersionArn": v.arn, "creationDate": secs(v.created_ms) }))
        .collect();
    Ok(with_next(json!({ "stateMachineVersions": versions }), next))
}

/// `DeleteStateMachineVersion`.
pub(super) fn delete_state_machine_version(
    engine: &Engine,
    r: Members<'_>,
) -> Result<Value, ApiError> {
    engine.delete_state_machine_version(&r.required("stateMachineVersionArn")?)?;
    Ok(json!({}))
}

/// `CreateStateMachineAlias`.
pub(super) fn create_state_machine_alias(
    engine: &Engine,
    r: Members<'_>,
) -> Result<Value, ApiError> {
    let name = r.required("name")?;
    let routing = routing(&r)?.unwrap_or_default();
    let a =
        engine.create_state_machine_alias(&name, r.string("description")?.as_deref(), &routing)?;
    Ok(json!({ "stateMachineAliasArn": a.arn, "creationDate": secs(a.created_ms) }))
}

/// `DescribeStateMachineAlias`.
pub(super) fn describe_state_machine_alias(
    engine: &Engine,
    r: Members<'_>,
) -> Result<Value, ApiError> {
    Ok(alias_json(&engine.state_machine_alias(
        &r.required("stateMachineAliasArn")?,
    )?))
}

/// `UpdateStateMachineAlias`.
pub(super) fn update_state_machine_alias(
    engine: &Engine,
    r: Members<'_>,
) -> Result<Value, ApiError> {
    let routing = routing(&r)?;
    let a = engine.update_state_machine_alias(
        &r.required("stateMachineAliasArn")?,
        r.string("description")?.as_deref(),
        routing.as_deref(),
    )?;
    Ok(json!({ "updateDate": secs(a.updated_ms) }))
}

/// `DeleteStateMachineAlias`.
pub(super) fn delete_state_machine_alias(
    engine: &Engine,
    r: Members<'_>,
) -> Result<Value, ApiError> {
    engine.delete_state_machine_alias(&r.required("stateMachineAliasArn")?)?;
    Ok(json!({}))
}

/// `ListStateMachineAliases`: in creation order.
pub(super) fn list_state_machine_aliases(
    engine: &Engine,
    r: Members<'_>,
) -> Result<Value, ApiError> {
    let (max, start) = (r.max_results()?, r.next_token(PAGE_TOKEN_MAX)?);
    let arn = r.required("stateMachineArn")?;
    // A version ARN lists the aliases that route to that version (ListStateMachineAliases
    // reference: "If you specify a state machine version ARN, this API returns a list of
    // aliases for that version").
    let all = match engine.state_machine_version(&arn) {
        Ok(v) => engine
            .state_machine_aliases(&v.machine.arn)?
            .into_iter()
            .filter(|a| a.routing.iter().any(|(version, _)| *version == v.arn))
            .collect(),
        Err(_) => engine.state_machine_aliases(&arn)?,
    };
    let (items, next) = page(all, start, max)?;
    let aliases: Vec<Value> = items
        .iter()
        .map(|a| json!({ "stateMachineAliasArn": a.arn, "creationDate": secs(a.created_ms) }))
        .collect();
    Ok(with_next(json!({ "stateMachineAliases": aliases }), next))
}
