//! The Task resources the crate implements, each a [`TaskHandler`](crate::engine::task::TaskHandler)
//! of the engine's task port, in one file per resource family.
//!
//! | file | resources |
//! |---|---|
//! | [`sqs`] | `arn:aws:states:::sqs:sendMessage` (and `.waitForTaskToken`) |
//! | [`lambda`] | `arn:aws:states:::lambda:invoke` (and `.waitForTaskToken`), `arn:aws:lambda:…:function:…` |
//! | [`states`] | `arn:aws:states:::states:startExecution` (`.sync`, `.sync:2`, `.waitForTaskToken`), `arn:aws:states:::aws-sdk:sfn:startExecution`, `aws-sdk:sfn:sendTask{Success,Failure,Heartbeat}` |
//! | [`s3`] | `arn:aws:states:::aws-sdk:s3:*`, and the `s3:getObject`/`listObjectsV2`/`putObject` of a distributed Map's `ItemReader`/`ResultWriter` |
//! | [`activity`] | `arn:aws:states:<region>:<account>:activity:<name>` |
//! | [`http`] | `arn:aws:states:::http:invoke` (HTTP Tasks) |
//! | [`sns`] | `arn:aws:states:::sns:publish` (and `.waitForTaskToken`) |
//!
//! Integrations depend on the engine's port and on the services they call (SQS, S3, SNS); the engine
//! knows none of them. The composition root, [`Account`](crate::account::Account), registers
//! them on an engine.

pub(crate) mod activity;
pub(crate) mod http;
pub(crate) mod lambda;
pub(crate) mod s3;
pub(crate) mod sns;
pub(crate) mod sqs;
pub(crate) mod states;

use serde_json::{json, Map, Value};

/// A mocked answer (MockConfigFile `Return`) as the integration would shape it: `shape` gets the
/// members when the mock returns an object; anything else is passed through as written.
pub(crate) fn shape_mocked_object(
    response: Value,
    shape: impl FnOnce(Map<String, Value>) -> Value,
) -> Value {
    match response {
        Value::Object(members) => shape(members),
        other => other,
    }
}

/// Adds the `SdkHttpMetadata` and `SdkResponseMetadata` the Java SDK attaches to an optimized
/// integration's answer, as AWS records them (`x-amzn-RequestId`, `Content-Length` of the JSON
/// body AWS sent, `Date` in RFC 1123 form).
pub(crate) fn sdk_metadata(
    body: &mut Map<String, Value>,
    request_id: &str,
    now_ms: u64,
    length: usize,
) {
    sdk_metadata_of(
        body,
        request_id,
        now_ms,
        length,
        "application/x-amz-json-1.0",
    );
}

/// [`sdk_metadata`] for a service that answers in `content_type` (SNS: `text/xml`).
pub(crate) fn sdk_metadata_of(
    body: &mut Map<String, Value>,
    request_id: &str,
    now_ms: u64,
    length: usize,
    content_type: &str,
) {
    let date = crate::time::http_date(now_ms);
    let length = length.to_string();
    body.insert(
        "SdkHttpMetadata".into(),
        json!({
            "AllHttpHeaders": {
                "x-amzn-RequestId": [request_id],
                "connection": ["keep-alive"],
                "Content-Length": [length],
                "Date": [date],
                "Content-Type": [content_type]
            },
            "HttpHeaders": {
                "connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": content_type,
                "Date": date,
                "x-amzn-RequestId": request_id
            },
            "HttpStatusCode": 200
        }),
    );
    body.insert(
        "SdkResponseMetadata".into(),
        json!({ "RequestId": request_id }),
    );
}
