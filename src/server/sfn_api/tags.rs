//! Tag operations: `TagResource`, `UntagResource`, `ListTagsForResource`.

use serde_json::{json, Value};

use super::{missing, SfnMembers};
use crate::engine::{ApiError, Engine};
use crate::server::json::Members;

/// A state machine ARN for the tagging operations (anything else is not a resource).
fn taggable(arn: String) -> Result<String, ApiError> {
    if arn.starts_with("arn:") {
        Ok(arn)
    } else {
        Err(ApiError::invalid_arn(&arn))
    }
}

/// `TagResource`.
pub(super) fn tag_resource(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let arn = taggable(r.required("resourceArn")?)?;
    let tags = parse_tags(&r, true)?;
    engine.tag_resource(&arn, &tags)?;
    Ok(json!({}))
}

/// `UntagResource`.
pub(super) fn untag_resource(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let arn = taggable(r.required("resourceArn")?)?;
    if r.value("tagKeys").is_none_or(Value::is_null) {
        return Err(missing("tagKeys"));
    }
    let keys = r.string_list("tagKeys")?;
    engine.untag_resource(&arn, &keys)?;
    Ok(json!({}))
}

/// `ListTagsForResource`.
pub(super) fn list_tags_for_resource(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let tags = engine.tags(&taggable(r.required("resourceArn")?)?)?;
    let tags: Vec<Value> = tags
        .iter()
        .map(|(k, v)| json!({ "key": k, "value": v }))
        .collect();
    Ok(json!({ "tags": tags }))
}

/// The `tags` member: a list of `{key, value}` (a key of 1–128 characters, a value of 0–256,
/// as the service model's `TagKey`/`TagValue` say). `required` makes an absent list an error.
pub(super) fn parse_tags(
    r: &Members<'_>,
    required: bool,
) -> Result<Vec<(String, String)>, ApiError> {
    if required && r.value("tags").is_none_or(Value::is_null) {
        return Err(missing("tags"));
    }
    r.object_list("tags")?
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let at = |member: &str| format!("tags.{}.member.{member}", i + 1);
            let key = t.string("key")?.ok_or_else(|| missing(&at("key")))?;
            let value = t.string("value")?.unwrap_or_default();
            let bad_len = |member: &str, bound: &str| {
                ApiError::validation(format!(
                    "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must have length {bound}",
                    at(member)
                ))
            };
            if key.is_empty() {
                return Err(bad_len("key", "greater than or equal to 1"));
            }
            if key.chars().count() > 128 {
                return Err(bad_len("key", "less than or equal to 128"));
            }
            if value.chars().count() > 256 {
                return Err(bad_len("value", "less than or equal to 256"));
            }
            Ok((key, value))
        })
        .collect()
}
