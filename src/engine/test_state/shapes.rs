//! The response shapes a mocked Task result is checked against (`fieldValidationMode`
//! `STRICT`/`PRESENT`), for the integrations sfn-harness knows.
//!
//! Only the few output shapes TestState needs, copied by hand from the AWS API models
//! (botocore `data/<service>/<version>/service-2.json`): `kms` 2014-11-01 `EncryptResponse`
//! (`CiphertextType`: blob, min 1, max 6144), `lambda` 2015-03-31 `GetFunctionResponse`
//! (`FunctionConfiguration.MemorySize`: `MemorySize`, integer 128–10240) and `InvocationResponse`,
//! `s3` 2006-03-01 `GetObjectOutput` (`ContentLength`: long, `StorageClass` enum), `dynamodb`
//! 2012-08-10 `PutItemOutput` (`ConsumedCapacity.CapacityUnits`: double), `events` 2015-10-07
//! `PutEventsResponse`, `stepfunctions` 2016-11-23 `StartExecutionOutput` and `sqs` 2012-11-05
//! `SendMessageResult`. A field the model does not know is accepted (AWS accepts it:
//! `test_strict_mode_mock_result_field_not_in_api_spec` in ../shared/conformance/v2), and so is
//! a resource with no shape here. The refusal texts are AWS's (`Field 'X' must be a string`,
//! `... is smaller than the minimum length`, `... is less than the minimum value`,
//! `... exceeds the maximum value`, `... is not an expected value`, recorded in the same
//! corpus).

use serde_json::{json, Value};

/// The output shape of a Task resource (its base ARN, without `.sync`/`.waitForTaskToken`).
fn shape(resource: &str) -> Option<Value> {
    let base = resource
        .split(".sync")
        .next()
        .unwrap_or(resource)
        .trim_end_matches(".waitForTaskToken");
    let s = |extra: Value| {
        let mut m = json!({ "type": "string" });
        if let (Some(m), Value::Object(e)) = (m.as_object_mut(), extra) {
            m.extend(e);
        }
        m
    };
    Some(match base {
        "arn:aws:states:::aws-sdk:kms:encrypt" => json!({ "type": "structure", "members": {
            "CiphertextBlob": { "type": "blob", "min": 1, "max": 6144 },
            "KeyId": s(json!({ "min": 1, "max": 2048 })),
            "EncryptionAlgorithm": { "type": "string", "enum":
                ["SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"] },
        }}),
        "arn:aws:states:::aws-sdk:lambda:getFunction" => json!({ "type": "structure", "members": {
            "Configuration": { "type": "structure", "members": {
                "FunctionName": s(json!({})),
                "FunctionArn": s(json!({})),
                "Runtime": s(json!({})),
                "Role": s(json!({})),
                "Handler": s(json!({})),
                "CodeSize": { "type": "long" },
                "Description": s(json!({})),
                "Timeout": { "type": "integer", "min": 1 },
                "MemorySize": { "type": "integer", "min": 128, "max": 10240 },
                "LastModified": s(json!({})),
                "CodeSha256": s(json!({})),
                "Version": s(json!({})),
                "State": { "type": "string", "enum": ["Pending", "Active", "Inactive", "Failed"] },
            }},
            "Code": { "type": "structure", "members": {
                "RepositoryType": s(json!({})),
                "Location": s(json!({})),
            }},
            "Tags": { "type": "map" },
            "Concurrency": { "type": "structure", "members": {
                "ReservedConcurrentExecutions": { "type": "integer", "min": 0 },
            }},
        }}),
        "arn:aws:states:::aws-sdk:s3:getObject" => json!({ "type": "structure", "members": {
            "Body": s(json!({})),
            "DeleteMarker": { "type": "boolean" },
            "AcceptRanges": s(json!({})),
            "Expiration": s(json!({})),
            "Restore": s(json!({})),
            "LastModified": { "type": "timestamp" },
            "ContentLength": { "type": "long" },
            "ETag": s(json!({})),
            "VersionId": s(json!({})),
            "CacheControl": s(json!({})),
            "ContentDisposition": s(json!({})),
            "ContentEncoding": s(json!({})),
            "ContentLanguage": s(json!({})),
            "ContentRange": s(json!({})),
            "ContentType": s(json!({})),
            "StorageClass": { "type": "string", "enum": [
                "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR",
                "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS"] },
            "PartsCount": { "type": "integer" },
            "TagCount": { "type": "integer" },
            "MissingMeta": { "type": "integer" },
            "Metadata": { "type": "map" },
        }}),
        "arn:aws:states:::dynamodb:putItem" => json!({ "type": "structure", "members": {
            "Attributes": { "type": "map" },
            "ConsumedCapacity": { "type": "structure", "members": {
                "TableName": s(json!({})),
                "CapacityUnits": { "type": "double" },
                "ReadCapacityUnits": { "type": "double" },
                "WriteCapacityUnits": { "type": "double" },
            }},
            "ItemCollectionMetrics": { "type": "structure", "members": {
                "ItemCollectionKey": { "type": "map" },
                "SizeEstimateRangeGB": { "type": "list", "member": { "type": "double" } },
            }},
        }}),
        "arn:aws:states:::events:putEvents" => json!({ "type": "structure", "members": {
            "FailedEntryCount": { "type": "integer" },
            "Entries": { "type": "list", "member": { "type": "structure", "members": {
                "EventId": s(json!({})),
                "ErrorCode": s(json!({})),
                "ErrorMessage": s(json!({})),
            }}},
        }}),
        "arn:aws:states:::lambda:invoke" => json!({ "type": "structure", "members": {
            "StatusCode": { "type": "integer" },
            "FunctionError": s(json!({})),
            "LogResult": s(json!({})),
            "ExecutedVersion": s(json!({ "min": 1, "max": 1024 })),
        }}),
        "arn:aws:states:::states:startExecution" => json!({ "type": "structure", "members": {
            "ExecutionArn": s(json!({ "min": 1, "max": 256 })),
            "StartDate": { "type": "timestamp" },
        }}),
        "arn:aws:states:::sqs:sendMessage" => json!({ "type": "structure", "members": {
            "MD5OfMessageBody": s(json!({})),
            "MD5OfMessageAttributes": s(json!({})),
            "MD5OfMessageSystemAttributes": s(json!({})),
            "MessageId": s(json!({})),
            "SequenceNumber": s(json!({})),
        }}),
        _ => return None,
    })
}

/// The first problem of `v` against `shape`, `field` being its member name.
fn problem(field: &str, shape: &Value, v: &Value) -> Option<String> {
    let ty = shape["type"].as_str().unwrap_or_default();
    let wrong = |what: &str| Some(format!("Field '{field}' must be {what}"));
    let min = shape["min"].as_f64();
    let max = shape["max"].as_f64();
    match ty {
        "string" | "blob" | "timestamp" => {
            let Value::String(s) = v else {
                return wrong("a string");
            };
            let len = s.chars().count() as f64;
            if min.is_some_and(|m| len < m) {
                return Some(format!(
                    "Field '{field}' is smaller than the minimum length"
                ));
            }
            if max.is_some_and(|m| len > m) {
                return Some(format!("Field '{field}' is larger than the maximum length"));
            }
            if let Value::Array(values) = &shape["enum"] {
                if !values.iter().any(|e| e.as_str() == Some(s)) {
                    return Some(format!("Field '{field}' is not an expected value"));
                }
            }
            None
        }
        "integer" | "long" | "double" => {
            let Some(n) = v.as_f64() else {
                return wrong("a number");
            };
            if ty != "double" && !(v.is_i64() || v.is_u64()) {
                return wrong("an integer");
            }
            if min.is_some_and(|m| n < m) {
                return Some(format!("Field '{field}' is less than the minimum value"));
            }
            if max.is_some_and(|m| n > m) {
                return Some(format!("Field '{field}' exceeds the maximum value"));
            }
            None
        }
        "boolean" => (!v.is_boolean()).then(|| format!("Field '{field}' must be a boolean")),
        "list" => {
            let Value::Array(items) = v else {
                return wrong("an array");
            };
            items
                .iter()
                .find_map(|item| problem(field, &shape["member"], item))
        }
        "map" => (!v.is_object()).then(|| format!("Field '{field}' must be an object")),
        "structure" => {
            let Value::Object(m) = v else {
                return wrong("an object");
            };
            m.iter().find_map(|(k, fv)| match shape["members"].get(k) {
                Some(member) => problem(k, member, fv),
                None => None,
            })
        }
        _ => None,
    }
}

/// The refusal for a mocked `result` of `resource`, if its shape is known and the result does
/// not fit it.
pub(super) fn check(resource: &str, result: &Value) -> Option<String> {
    let shape = shape(resource)?;
    problem("", &shape, result)
}
