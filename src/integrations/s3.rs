//! `arn:aws:states:::aws-sdk:s3:<action>`: Tasks that call the account's [S3](crate::s3), with
//! the AWS SDK's output shapes and errors as AWS records them (`../shared/conformance/v2`:
//! `services.test_aws_sdk_task_service.test_s3_put_object[*]`, `…test_s3_get_object[*]`,
//! `error_handling.test_aws_sdk.test_no_such_bucket`, `…test_s3_no_such_key`). The same
//! handler answers the resources a distributed Map's `ItemReader` and `ResultWriter` name
//! (`arn:aws:states:::s3:getObject`, `…:s3:listObjectsV2`, `…:s3:putObject`).
//!
//! Actions: `getObject`, `putObject`, `headObject`, `deleteObject`, `listBuckets`, `listObjects`,
//! `listObjectsV2`, `createBucket`, `deleteBucket`, `headBucket`. An S3 error fails the task
//! with `S3.<Code>Exception` and a cause in the Java SDK's format
//! (`The specified key does not exist. (Service: S3, Status Code: 404, Request ID: …, Extended
//! Request ID: …)`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::asl::StatesError;
use crate::engine::task::{BoxFuture, TaskHandler, TaskRequest};
use crate::s3::{S3Error, S3};
use crate::time::Millis;

/// The prefix of the AWS SDK S3 resources.
pub(crate) const SDK_S3_PREFIX: &str = "arn:aws:states:::aws-sdk:s3:";

/// The resources a distributed Map's `ItemReader` and `ResultWriter` name.
pub(crate) const MAP_RESOURCES: [&str; 3] = [
    "arn:aws:states:::s3:getObject",
    "arn:aws:states:::s3:listObjectsV2",
    "arn:aws:states:::s3:putObject",
];

/// The S3 integration over an in-process [`S3`].
#[derive(Debug)]
pub(crate) struct S3Integration {
    s3: Arc<S3>,
    requests: AtomicU64,
}

impl S3Integration {
    /// The integration for `s3`.
    pub(crate) fn new(s3: Arc<S3>) -> S3Integration {
        S3Integration {
            s3,
            requests: AtomicU64::new(1),
        }
    }

    fn error(&self, e: S3Error) -> StatesError {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let request_id = format!("{:016X}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let extended = STANDARD.encode(request_id.as_bytes());
        StatesError::new(
            format!("S3.{}Exception", e.code()),
            format!(
                "{e} (Service: S3, Status Code: {}, Request ID: {request_id}, Extended Request ID: {extended})",
                e.status()
            ),
        )
    }

    fn answer(&self, action: &str, p: &Value) -> Result<Value, StatesError> {
        let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default();
        let (bucket, key) = (text("Bucket"), text("Key"));
        let s3 = &self.s3;
        let r = match action {
            // HeadObject answers GetObject's members without the `Body`.
            "getObject" | "headObject" => s3.get_object(bucket, key).map(|o| {
                let mut out = json!({
                    "AcceptRanges": "bytes",
                    "ContentLength": o.body.len(),
                    "ContentType": o.content_type,
                    "ETag": o.etag,
                    "LastModified": iso8601(o.last_modified_ms),
                    "Metadata": {},
                    "ServerSideEncryption": "AES256",
                });
                if action == "getObject" {
                    out["Body"] = json!(String::from_utf8_lossy(&o.body));
                }
                out
            }),
            "putObject" => {
                // A JSON Body that is no string is stored as its JSON text (recorded: the dict,
                // list and bool cases' ETags are the MD5s of `{"Dict":"Value"}`, … and `false`).
                let body = match p.get("Body") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::String(s)) => s.clone().into_bytes(),
                    Some(other) => crate::engine::history::json_text(other).into_bytes(),
                };
                let crc = STANDARD.encode(crc32(&body).to_be_bytes());
                let ct = p.get("ContentType").and_then(Value::as_str);
                s3.put_object(bucket, key, body, ct).map(|o| {
                    json!({
                        "ChecksumCRC32": crc,
                        "ChecksumType": "FULL_OBJECT",
                        "ETag": o.etag,
                        "ServerSideEncryption": "AES256",
                    })
                })
            }
            "deleteObject" => s3.delete_object(bucket, key).map(|()| json!({})),
            "listBuckets" => {
                let buckets: Vec<Value> = s3
                    .list_buckets()
                    .into_iter()
                    .map(
                        |(name, created)| json!({ "CreationDate": iso8601(created), "Name": name }),
                    )
                    .collect();
                Ok(
                    json!({ "Buckets": buckets, "Owner": { "DisplayName": "sfn-harness", "Id": "sfn-harness" } }),
                )
            }
            "createBucket" => s3
                .create_bucket(bucket)
                .map(|()| json!({ "Location": format!("/{bucket}") })),
            "deleteBucket" => s3.delete_bucket(bucket).map(|()| json!({})),
            "headBucket" => s3
                .head_bucket(bucket)
                .map(|()| json!({ "BucketRegion": "us-east-1", "AccessPointAlias": false })),
            "listObjects" | "listObjectsV2" => {
                let v2 = action == "listObjectsV2";
                let prefix = text("Prefix");
                let max = p
                    .get("MaxKeys")
                    .and_then(Value::as_u64)
                    .map_or(1000, |m| m as usize);
                let after = if v2 {
                    p.get("ContinuationToken")
                        .or(p.get("StartAfter"))
                        .and_then(Value::as_str)
                } else {
                    p.get("Marker").and_then(Value::as_str)
                };
                let delimiter = p.get("Delimiter").and_then(Value::as_str);
                s3.list_objects(bucket, prefix, delimiter, after, max)
                    .map(|l| {
                        let mut o = serde_json::Map::new();
                        if !l.objects.is_empty() {
                            let contents: Vec<Value> = l
                                .objects
                                .iter()
                                .map(|obj| {
                                    json!({
                                        "ETag": obj.etag,
                                        "Key": obj.key,
                                        "LastModified": iso8601(obj.last_modified_ms),
                                        "Size": obj.body.len(),
                                        "StorageClass": "STANDARD",
                                    })
                                })
                                .collect();
                            o.insert("Contents".into(), Value::Array(contents));
                        }
                        if !l.common_prefixes.is_empty() {
                            let cps: Vec<Value> = l
                                .common_prefixes
                                .iter()
                                .map(|c| json!({ "Prefix": c }))
                                .collect();
                            o.insert("CommonPrefixes".into(), Value::Array(cps));
                        }
                        o.insert("IsTruncated".into(), json!(l.truncated));
                        if v2 {
                            o.insert(
                                "KeyCount".into(),
                                json!(l.objects.len() + l.common_prefixes.len()),
                            );
                            if let Some(n) = &l.next_key {
                                o.insert("NextContinuationToken".into(), json!(n));
                            }
                        } else {
                            o.insert("Marker".into(), json!(""));
                            if let Some(n) = &l.next_key {
                                o.insert("NextMarker".into(), json!(n));
                            }
                        }
                        o.insert("MaxKeys".into(), json!(max));
                        o.insert("Name".into(), json!(bucket));
                        o.insert("Prefix".into(), json!(prefix));
                        Value::Object(o)
                    })
            }
            other => {
                return Err(StatesError::new(
                    "States.Runtime",
                    format!(
                        "sfn-harness's S3 integration does not implement the action '{other}' yet"
                    ),
                ))
            }
        };
        r.map_err(|e| self.error(e))
    }
}

impl TaskHandler for S3Integration {
    fn call(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, StatesError>> {
        let action = request
            .resource
            .base
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_string();
        let out = self.answer(&action, &request.input);
        Box::pin(async move { out })
    }
}

fn iso8601(ms: Millis) -> String {
    jiff::Timestamp::from_millisecond(ms as i64)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// CRC-32 (IEEE 802.3, reflected, as S3's `ChecksumCRC32`).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::crc32;

    #[test]
    fn crc32_matches_the_recorded_checksums() {
        // `services.test_aws_sdk_task_service.test_s3_put_object[bool]`: "K81oMA==" for `false`.
        assert_eq!(crc32(b"false").to_be_bytes(), [0x2b, 0xcd, 0x68, 0x30]);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}

#[cfg(test)]
mod doc_example_14 {
    // Moved from a doc example (the item is crate-private).
    use crate::engine::task::{EngineHandle, Resource, TaskHandler, TaskRequest};
    use crate::integrations::s3::S3Integration;
    use crate::s3::S3;
    use crate::time::Clock;
    use serde_json::json;
    use std::sync::Arc;

    #[tokio::test(flavor = "current_thread")]
    async fn example() {
        let clock = Clock::virtual_at(0);
        let s3 = Arc::new(S3::new(clock.clone()));
        s3.create_bucket("bkt").unwrap();
        let call = |action: &str, input| TaskRequest {
            resource: Resource::parse(&format!("arn:aws:states:::aws-sdk:s3:{action}")),
            input,
            token: None,
            execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
            state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
            state_name: "S3".into(),
            retry_count: 0,
            clock: clock.clone(),
            engine: EngineHandle::detached(),
        };
        let s3i = S3Integration::new(s3);
        let put = s3i
            .call(call(
                "putObject",
                json!({"Bucket": "bkt", "Key": "k", "Body": {"Dict": "Value"}}),
            ))
            .await
            .unwrap();
        assert_eq!(put["ChecksumCRC32"], "hnEfWw=="); // recorded on AWS for this body
        let got = s3i
            .call(call("getObject", json!({"Bucket": "bkt", "Key": "k"})))
            .await
            .unwrap();
        assert_eq!(got["Body"], r#"{"Dict":"Value"}"#);
        let err = s3i
            .call(call("getObject", json!({"Bucket": "bkt", "Key": "nope"})))
            .await
            .unwrap_err();
        assert_eq!(err.error, "S3.NoSuchKeyException");
    }
}
