//! `arn:aws:states:::sqs:sendMessage` (and `….waitForTaskToken`): a Task that sends a message to
//! a queue of the harness's SQS.
//!
//! Parameters, as the AWS developer guide lists them for the optimized SQS integration:
//! `QueueUrl` (required), `MessageBody` (a string, or any JSON value, which is sent as its JSON
//! text), `MessageAttributes` (`{ name: { DataType, StringValue | BinaryValue } }`),
//! `MessageGroupId`, `MessageDeduplicationId` and `DelaySeconds`. The task's result is what AWS
//! records in `TaskSucceeded` / `TaskSubmitted`: the SendMessage response (`MD5OfMessageBody`,
//! `MessageId`, …) with the `SdkHttpMetadata` and `SdkResponseMetadata` the Java SDK adds.
//! An SQS error fails the task with `SQS.<Exception>` (e.g. `SQS.QueueDoesNotExistException`) and
//! a cause in the Java SDK's format.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::asl::StatesError;
use crate::engine::task::{BoxFuture, Submission, TaskHandler, TaskRequest};
use crate::integrations::sdk_metadata;
use crate::sqs::md5::md5_of_body;
use crate::sqs::{MessageAttributeValue, SendMessage, SendMessageOutput, Sqs, SqsError};

/// The resource ARN this integration answers (without `.waitForTaskToken`).
pub(crate) const SEND_MESSAGE: &str = "arn:aws:states:::sqs:sendMessage";

/// The `sqs:sendMessage` integration over an in-process [`Sqs`].
#[derive(Debug, Clone)]
pub(crate) struct SqsIntegration {
    sqs: Arc<Sqs>,
}

impl SqsIntegration {
    /// The integration for `sqs`.
    pub(crate) fn new(sqs: Arc<Sqs>) -> SqsIntegration {
        SqsIntegration { sqs }
    }
}

/// Builds a `SendMessage` from the task's effective parameters.
fn parse_parameters(p: &Value) -> Result<(String, SendMessage), StatesError> {
    let bad = |msg: String| StatesError::new("States.Runtime", msg);
    let Some(o) = p.as_object() else {
        return Err(bad(format!(
            "The parameters of an sqs:sendMessage task must be a JSON object, but were {p}"
        )));
    };
    let queue_url = match o.get("QueueUrl") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(bad(
                "The field 'QueueUrl' is required and must be a string for sqs:sendMessage".into(),
            ))
        }
    };
    let message_body = match o.get("MessageBody") {
        Some(Value::String(s)) => s.clone(),
        // The same text as `to_string`, written without `fmt` (issue 13).
        Some(other) => crate::engine::history::events::json_text(other),
        None => {
            return Err(bad(
                "The field 'MessageBody' is required for sqs:sendMessage".into(),
            ))
        }
    };
    let mut message_attributes = BTreeMap::new();
    if let Some(attrs) = o.get("MessageAttributes") {
        let Some(attrs) = attrs.as_object() else {
            return Err(bad("'MessageAttributes' must be an object".into()));
        };
        for (name, a) in attrs {
            message_attributes.insert(name.clone(), attribute(name, a)?);
        }
    }
    let delay_seconds = match o.get("DelaySeconds") {
        None => None,
        Some(v) => Some(
            v.as_i64()
                .ok_or_else(|| bad("'DelaySeconds' must be an integer".into()))?,
        ),
    };
    let text = |k: &str| o.get(k).and_then(Value::as_str).map(String::from);
    Ok((
        queue_url,
        SendMessage {
            message_body,
            delay_seconds,
            message_attributes,
            message_system_attributes: BTreeMap::new(),
            message_deduplication_id: text("MessageDeduplicationId"),
            message_group_id: text("MessageGroupId"),
        },
    ))
}

fn attribute(name: &str, a: &Value) -> Result<MessageAttributeValue, StatesError> {
    let field = |k: &str| a.get(k).and_then(Value::as_str);
    let data_type = field("DataType").ok_or_else(|| {
        StatesError::runtime(format!("The message attribute '{name}' needs a DataType"))
    })?;
    let binary_value = match field("BinaryValue") {
        Some(b) => Some(STANDARD.decode(b).map_err(|_| {
            StatesError::runtime(format!(
                "The BinaryValue of message attribute '{name}' is not valid base64"
            ))
        })?),
        None => None,
    };
    Ok(MessageAttributeValue {
        data_type: data_type.to_string(),
        string_value: field("StringValue").map(String::from),
        binary_value,
    })
}

/// The error name and cause AWS reports for an SQS error, in the Java SDK's wording.
fn sqs_error(e: &SqsError, request_id: &str) -> StatesError {
    // A `QueueUrl` that names a host but no queue (`http://no-such-queue-…`): AWS's SDK sends
    // the request to that host, whose name does not resolve
    // (`error_handling.test_task_service_sqs.test_send_message_no_such_queue[_no_catch]` in
    // ../shared/conformance/v2: `SQS.SdkClientException`, "Unable to execute HTTP request:
    // no-such-queue-fa484d45: Name or service not known").
    if let SqsError::InvalidAddress(url) = e {
        if let Some((_, rest)) = url.split_once("://") {
            let host = rest.split(['/', ':', '?', '#']).next().unwrap_or(rest);
            return StatesError::new(
                "SQS.SdkClientException",
                format!("Unable to execute HTTP request: {host}: Name or service not known"),
            );
        }
    }
    let exception = match e.query_code() {
        "AWS.SimpleQueueService.NonExistentQueue" => "QueueDoesNotExistException".to_string(),
        "InvalidMessageContents" => "InvalidMessageContentsException".to_string(),
        "AWS.SimpleQueueService.UnsupportedOperation" => {
            "UnsupportedOperationException".to_string()
        }
        _ => "AmazonSQSException".to_string(),
    };
    StatesError::new(
        format!("SQS.{exception}"),
        format!(
            "{} (Service: AmazonSQS; Status Code: {}; Error Code: {}; Request ID: {request_id}; Proxy: null)",
            e.message(),
            e.status(),
            e.query_code()
        ),
    )
}

/// `body` with the `SdkHttpMetadata` and `SdkResponseMetadata` the Java SDK adds to an SQS
/// response ([`sdk_metadata`], with the `Content-Length` of `body` itself as the JSON AWS sent).
fn with_sdk_metadata(mut body: Map<String, Value>, request_id: &str, now_ms: u64) -> Value {
    // The length of the body's JSON text, as the reply's `Content-Length` (serializing a map
    // of string keys cannot fail).
    let length = serde_json::to_vec(&body).map_or(0, |t| t.len());
    sdk_metadata(&mut body, request_id, now_ms, length);
    Value::Object(body)
}

impl SqsIntegration {
    /// Sends the message the task's parameters describe; the answer as its JSON text.
    fn send(&self, request: TaskRequest) -> BoxFuture<'static, Result<String, StatesError>> {
        let sqs = self.sqs.clone();
        Box::pin(async move {
            let (queue_url, message) = parse_parameters(&request.input)?;
            let request_id = sqs.request_id();
            let out = sqs
                .send_message(&queue_url, message)
                .map_err(|e| sqs_error(&e, &request_id))?;
            Ok(answer_text(&out, &request_id, request.clock.now_ms()))
        })
    }
}

/// The JSON text of `with_sdk_metadata` of the SendMessage response `out`, written directly
/// (issue 13: building the answer as a `Value` and writing it for `TaskSubmitted` was a third
/// of the interpreter's work in the callback round trip). The same text, key for key
/// (tested).
fn answer_text(out: &SendMessageOutput, request_id: &str, now_ms: u64) -> String {
    // String literals as serde_json writes them (`json_text`), without a serializer a string.
    use crate::json_text::push_json_str as string;
    let mut t = String::with_capacity(640);
    t.push('{');
    if let Some(m) = &out.md5_of_message_attributes {
        t.push_str(r#""MD5OfMessageAttributes":"#);
        string(&mut t, m);
        t.push(',');
    }
    t.push_str(r#""MD5OfMessageBody":"#);
    string(&mut t, &out.md5_of_message_body);
    t.push_str(r#","MessageId":"#);
    string(&mut t, &out.message_id);
    if let Some(n) = &out.sequence_number {
        t.push_str(r#","SequenceNumber":"#);
        string(&mut t, n);
    }
    // The body's own text, closed, is what AWS sent: its length is the `Content-Length`.
    let length = (t.len() + 1).to_string();
    let date = crate::time::http_date(now_ms);
    let content_type = "application/x-amz-json-1.0";
    t.push_str(r#","SdkHttpMetadata":{"AllHttpHeaders":{"x-amzn-RequestId":["#);
    string(&mut t, request_id);
    t.push_str(r#"],"connection":["keep-alive"],"Content-Length":["#);
    string(&mut t, &length);
    t.push_str(r#"],"Date":["#);
    string(&mut t, &date);
    t.push_str(r#"],"Content-Type":["#);
    string(&mut t, content_type);
    t.push_str(r#"]},"HttpHeaders":{"connection":"keep-alive","Content-Length":"#);
    string(&mut t, &length);
    t.push_str(r#","Content-Type":"#);
    string(&mut t, content_type);
    t.push_str(r#","Date":"#);
    string(&mut t, &date);
    t.push_str(r#","x-amzn-RequestId":"#);
    string(&mut t, request_id);
    t.push_str(r#"},"HttpStatusCode":200},"SdkResponseMetadata":{"RequestId":"#);
    string(&mut t, request_id);
    t.push_str("}}");
    t
}

impl TaskHandler for SqsIntegration {
    fn call(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, StatesError>> {
        let send = self.send(request);
        Box::pin(async move { Ok(Submission::Text(send.await?).into_value()) })
    }

    /// The answer stays text: a `.waitForTaskToken` task only records it.
    fn submit(&self, request: TaskRequest) -> BoxFuture<'static, Result<Submission, StatesError>> {
        let send = self.send(request);
        Box::pin(async move { send.await.map(Submission::Text) })
    }

    /// A mocked SendMessage response gets the metadata the real one gets (the v2 corpus's
    /// `mock_config` case `test_sqs_send_message`: AWS's output carries `SdkHttpMetadata`).
    fn mocked(&self, request: &TaskRequest, response: Value) -> Value {
        super::shape_mocked_object(response, |body| {
            with_sdk_metadata(body, &self.sqs.request_id(), request.clock.now_ms())
        })
    }

    /// What SendMessage would have answered, without sending: the body's MD5 and a message id.
    fn mocked_submission(&self, request: &TaskRequest) -> Value {
        let body = match request.input.get("MessageBody") {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => String::new(),
        };
        let mut o = Map::new();
        o.insert("MD5OfMessageBody".into(), json!(md5_of_body(&body)));
        o.insert("MessageId".into(), json!(self.sqs.request_id()));
        with_sdk_metadata(o, &self.sqs.request_id(), request.clock.now_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer written as text is the text of the answer built as a value, with and
    /// without the optional fields, escapes included.
    #[test]
    fn the_answer_text_is_the_value_answers_text() {
        let outs = [
            SendMessageOutput {
                message_id: "2d48ddc9-8871-4eb6-812d-c15095c4f86b".into(),
                md5_of_message_body: "f6185c085a50a9b2b02c79681b21976c".into(),
                md5_of_message_attributes: None,
                md5_of_message_system_attributes: None,
                sequence_number: None,
            },
            SendMessageOutput {
                message_id: "m\"1\\é".into(),
                md5_of_message_body: "b".into(),
                md5_of_message_attributes: Some("a".into()),
                md5_of_message_system_attributes: Some("ignored, as before".into()),
                sequence_number: Some("18800000000000000000".into()),
            },
        ];
        for out in outs {
            let mut body = Map::new();
            if let Some(m) = &out.md5_of_message_attributes {
                body.insert("MD5OfMessageAttributes".into(), json!(m));
            }
            body.insert("MD5OfMessageBody".into(), json!(out.md5_of_message_body));
            body.insert("MessageId".into(), json!(out.message_id));
            if let Some(s) = &out.sequence_number {
                body.insert("SequenceNumber".into(), json!(s));
            }
            let value = with_sdk_metadata(body, "r-1", 1_710_679_799_123);
            let text = answer_text(&out, "r-1", 1_710_679_799_123);
            assert_eq!(text, value.to_string());
            assert_eq!(Submission::Text(text).into_value(), value);
        }
    }

    #[test]
    fn parameters_are_parsed_like_aws() {
        let (url, m) = parse_parameters(&json!({
            "QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/q",
            "MessageBody": { "a": [1] },
            "MessageAttributes": { "k": { "DataType": "String", "StringValue": "v" } },
            "DelaySeconds": 5,
            "MessageGroupId": "g"
        }))
        .unwrap();
        assert_eq!(url, "https://sqs.us-east-1.amazonaws.com/1/q");
        assert_eq!(m.message_body, "{\"a\":[1]}");
        assert_eq!(m.message_attributes["k"].string_value.as_deref(), Some("v"));
        assert_eq!(m.delay_seconds, Some(5));
        assert_eq!(m.message_group_id.as_deref(), Some("g"));
        assert!(parse_parameters(&json!({ "MessageBody": "x" })).is_err());
        assert!(parse_parameters(&json!({ "QueueUrl": "q" })).is_err());
        assert!(parse_parameters(&json!("nope")).is_err());
    }

    #[test]
    fn a_queue_url_with_a_host_and_no_queue_fails_as_the_sdk_does() {
        // error_handling.test_task_service_sqs.test_send_message_no_such_queue_no_catch
        // (../shared/conformance/v2).
        let e = sqs_error(
            &SqsError::InvalidAddress("http://no-such-queue-fa484d45".into()),
            "r",
        );
        assert_eq!(e.error, "SQS.SdkClientException");
        assert_eq!(
            e.cause,
            "Unable to execute HTTP request: no-such-queue-fa484d45: Name or service not known"
        );
    }
}

#[cfg(test)]
mod doc_example_13 {
    // Moved from a doc example (the item is crate-private).
    use crate::engine::task::{EngineHandle, Resource, TaskHandler, TaskRequest};
    use crate::integrations::sqs::SqsIntegration;
    use crate::sqs::{CreateQueue, Sqs};
    use crate::time::Clock;
    use serde_json::json;
    use std::sync::Arc;

    #[tokio::test(flavor = "current_thread")]
    async fn example() {
        let clock = Clock::virtual_at(0);
        let sqs = Arc::new(Sqs::new(
            clock.clone(),
            "123456789012",
            "us-east-1",
            "http://127.0.0.1:1",
        ));
        let url = sqs
            .create_queue(CreateQueue {
                queue_name: "jobs".into(),
                ..Default::default()
            })
            .unwrap();
        let integration = SqsIntegration::new(sqs.clone());
        let out = integration
            .call(TaskRequest {
                resource: Resource::parse("arn:aws:states:::sqs:sendMessage"),
                input: json!({ "QueueUrl": url, "MessageBody": { "job": 1 } }),
                token: None,
                execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
                state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
                state_name: "Send".into(),
                retry_count: 0,
                clock,
                engine: EngineHandle::detached(),
            })
            .await
            .unwrap();
        assert_eq!(out["MD5OfMessageBody"], "c5e179508b1710fec2b8c51a8a5efd8e");
        // md5 of {"job":1}
    }
}
