//! `arn:aws:states:::sns:publish` (and `….waitForTaskToken`): a Task that publishes to a topic
//! of the account's SNS.
//!
//! Parameters are the Publish request's ("Publish messages to Amazon SNS topics with Step
//! Functions", AWS Step Functions Developer Guide): `TopicArn` (or `TargetArn`), `Message` (a
//! string, or any JSON value, published as its JSON text), `Subject`, `MessageStructure`,
//! `MessageAttributes` (`{name: {DataType, StringValue | BinaryValue}}`), `MessageGroupId` and
//! `MessageDeduplicationId`. The result is what AWS records (`services.test_sns_task_service.*`
//! in ../shared/conformance/v2): `MessageId` (and a FIFO topic's `SequenceNumber`) with the
//! `SdkHttpMetadata` of SNS's XML answer (`Content-Type: text/xml`, its `Content-Length`) and
//! `SdkResponseMetadata`. An SNS error fails the task with `SNS.<Code>Exception` and the Java
//! SDK's cause, e.g. `SNS.NotFoundException`, "Topic does not exist (Service: AmazonSNS; Status
//! Code: 404; Error Code: NotFound; Request ID: …; Proxy: null)".

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::asl::StatesError;
use crate::engine::task::{BoxFuture, TaskHandler, TaskRequest};
use crate::integrations::sdk_metadata_of;
use crate::server::sns_api::query::encode;
use crate::server::JsonReply;
use crate::sns::{MessageAttribute, Publish, PublishOutput, Sns, SnsError};

/// The resource ARN this integration answers (without `.waitForTaskToken`).
pub(crate) const PUBLISH: &str = "arn:aws:states:::sns:publish";

/// The `sns:publish` integration over an in-process [`Sns`].
#[derive(Debug, Clone)]
pub(crate) struct SnsIntegration {
    sns: Arc<Sns>,
}

impl SnsIntegration {
    /// The integration for `sns`.
    pub(crate) fn new(sns: Arc<Sns>) -> SnsIntegration {
        SnsIntegration { sns }
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The Publish of the task's effective parameters.
fn parse_parameters(p: &Value) -> Result<Publish, StatesError> {
    let Some(o) = p.as_object() else {
        return Err(StatesError::runtime(format!(
            "The parameters of an sns:publish task must be a JSON object, but were {p}"
        )));
    };
    let text = |k: &str| o.get(k).filter(|v| !v.is_null()).map(text_of);
    let mut message_attributes = BTreeMap::new();
    if let Some(attrs) = o.get("MessageAttributes") {
        let Some(attrs) = attrs.as_object() else {
            return Err(StatesError::runtime(
                "'MessageAttributes' must be an object",
            ));
        };
        for (name, a) in attrs {
            let field = |k: &str| a.get(k).and_then(Value::as_str).map(String::from);
            let binary_value = match field("BinaryValue") {
                Some(b) => Some(STANDARD.decode(b).map_err(|_| {
                    StatesError::runtime(format!(
                        "The BinaryValue of message attribute '{name}' is not valid base64"
                    ))
                })?),
                None => None,
            };
            message_attributes.insert(
                name.clone(),
                MessageAttribute {
                    data_type: field("DataType").unwrap_or_default(),
                    string_value: field("StringValue"),
                    binary_value,
                },
            );
        }
    }
    if text("PhoneNumber").is_some() && text("TopicArn").is_none() {
        return Err(StatesError::runtime(
            "sfn-harness's SNS does not send SMS (PhoneNumber): publish to a topic (an sfn-harness gap)",
        ));
    }
    Ok(Publish {
        topic_arn: text("TopicArn")
            .or_else(|| text("TargetArn"))
            .unwrap_or_default(),
        message: text("Message").unwrap_or_default(),
        subject: text("Subject"),
        message_structure: text("MessageStructure"),
        message_attributes,
        message_group_id: text("MessageGroupId"),
        message_deduplication_id: text("MessageDeduplicationId"),
    })
}

/// The task error for an SNS error, in the Java SDK's words.
fn sns_error(e: &SnsError, request_id: &str) -> StatesError {
    StatesError::new(
        format!("SNS.{}", e.exception()),
        format!(
            "{e} (Service: AmazonSNS; Status Code: {}; Error Code: {}; Request ID: {request_id}; Proxy: null)",
            e.status(),
            e.code()
        ),
    )
}

/// `answer` (the Publish result members) with the SDK metadata of SNS's XML answer.
fn with_sdk_metadata(answer: Map<String, Value>, request_id: &str, now_ms: u64) -> Value {
    let xml = encode(
        "Publish",
        JsonReply::ok(&Value::Object(answer.clone())),
        request_id,
    );
    let mut body = Map::new();
    if let Some(id) = answer.get("MessageId") {
        body.insert("MessageId".into(), id.clone());
    }
    sdk_metadata_of(&mut body, request_id, now_ms, xml.body.len(), "text/xml");
    // After the metadata: AWS's keys are in alphabetical order here.
    for (k, v) in answer {
        if k != "MessageId" {
            body.insert(k, v);
        }
    }
    Value::Object(body)
}

fn answer_of(out: &PublishOutput) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("MessageId".into(), json!(out.message_id));
    if let Some(s) = &out.sequence_number {
        m.insert("SequenceNumber".into(), json!(s));
    }
    m
}

impl TaskHandler for SnsIntegration {
    fn call(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, StatesError>> {
        let sns = self.sns.clone();
        Box::pin(async move {
            let publish = parse_parameters(&request.input)?;
            let request_id = sns.request_id();
            if publish.topic_arn.is_empty() {
                return Err(sns_error(
                    &SnsError::invalid(
                        "TopicArn or TargetArn Reason: no value for required parameter",
                    ),
                    &request_id,
                ));
            }
            let out = sns
                .publish(publish)
                .map_err(|e| sns_error(&e, &request_id))?;
            Ok(with_sdk_metadata(
                answer_of(&out),
                &request_id,
                request.clock.now_ms(),
            ))
        })
    }

    /// A mocked Publish answer gets the metadata the real one gets (the v2 corpus's
    /// `mock_config` case `test_sns_publish_base`: AWS's output carries `SdkHttpMetadata`).
    fn mocked(&self, request: &TaskRequest, response: Value) -> Value {
        super::shape_mocked_object(response, |body| {
            with_sdk_metadata(body, &self.sns.request_id(), request.clock.now_ms())
        })
    }

    /// What Publish would have answered, without publishing.
    fn mocked_submission(&self, request: &TaskRequest) -> Value {
        let mut m = Map::new();
        m.insert("MessageId".into(), json!(self.sns.request_id()));
        with_sdk_metadata(m, &self.sns.request_id(), request.clock.now_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_read_as_aws_reads_them() {
        let p = parse_parameters(&json!({
            "TopicArn": "arn:aws:sns:us-east-1:1:t",
            "Message": {"Message": "HelloWorld!"},
            "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"}},
            "MessageGroupId": "g"
        }))
        .unwrap();
        assert_eq!(p.message, r#"{"Message":"HelloWorld!"}"#);
        assert_eq!(p.message_attributes["a"].string_value.as_deref(), Some("x"));
        assert_eq!(p.message_group_id.as_deref(), Some("g"));
        assert!(parse_parameters(&json!([1])).is_err());
    }

    #[test]
    fn errors_read_as_the_java_sdk_writes_them() {
        // services.test_sns_task_service.test_fifo_message_attribute (../shared/conformance/v2).
        let e = sns_error(
            &SnsError::invalid("The MessageGroupId parameter is required for FIFO topics"),
            "r",
        );
        assert_eq!(e.error, "SNS.InvalidParameterException");
        assert_eq!(e.cause, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics (Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter; Request ID: r; Proxy: null)");
    }
}

#[cfg(test)]
mod doc_example_15 {
    // Moved from a doc example (the item is crate-private).
    use crate::engine::task::{EngineHandle, Resource, TaskHandler, TaskRequest};
    use crate::integrations::sns::SnsIntegration;
    use crate::sns::{QueueDelivery, QueueMessage, Sns};
    use crate::time::Clock;
    use serde_json::json;
    use std::sync::Arc;

    #[derive(Debug)]
    struct Nowhere;
    impl QueueDelivery for Nowhere {
        fn deliver(&self, _: &str, _: QueueMessage) -> Result<(), String> {
            Ok(())
        }
    }
    #[tokio::test(flavor = "current_thread")]
    async fn example() {
        let clock = Clock::virtual_at(0);
        let sns = Arc::new(Sns::new(
            clock.clone(),
            "123456789012",
            "us-east-1",
            Arc::new(Nowhere),
        ));
        let topic = sns.create_topic("orders", Default::default()).unwrap();
        let request = |input| TaskRequest {
            resource: Resource::parse("arn:aws:states:::sns:publish"),
            input,
            token: None,
            execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
            state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
            state_name: "Notify".into(),
            retry_count: 0,
            clock: clock.clone(),
            engine: EngineHandle::detached(),
        };
        let integration = SnsIntegration::new(sns.clone());
        let out = integration
            .call(request(
                json!({ "TopicArn": topic, "Message": { "order": 1 } }),
            ))
            .await
            .unwrap();
        assert_eq!(
            out["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"],
            "294"
        );
        let e = integration
            .call(request(
                json!({ "TopicArn": "arn:aws:sns:us-east-1:123456789012:gone", "Message": "m" }),
            ))
            .await
            .unwrap_err();
        assert_eq!(e.error, "SNS.NotFoundException");
    }
}
