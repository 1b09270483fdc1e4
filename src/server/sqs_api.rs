//! The SQS API over AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Operation>`, PascalCase members),
//! translated to calls on [`Sqs`].
//!
//! Errors carry both the JSON `__type` and the `x-amzn-query-error: <code>;Sender` header that
//! SQS sends as an `awsQueryCompatible` service; the SDKs' typed errors match on the header.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::json::{parse_object, JsonReply, Malformed, Members};
use super::{BoxFuture, JsonService};
use crate::sqs::{
    BatchOutput, ChangeVisibilityEntry, CreateQueue, ListQueues, MessageAttributeValue,
    ReceiveMessage, SendMessage, SendMessageOutput, Sqs, SqsError,
};

/// The target prefix of SQS operations.
pub const SQS_TARGET_PREFIX: &str = "AmazonSQS";

/// Serves the SQS JSON API from an [`Sqs`] engine.
#[derive(Debug, Clone)]
pub struct SqsApi {
    sqs: Arc<Sqs>,
}

impl SqsApi {
    /// The API of `sqs`.
    pub fn new(sqs: Arc<Sqs>) -> SqsApi {
        SqsApi { sqs }
    }

    /// The engine behind the API.
    pub fn sqs(&self) -> &Arc<Sqs> {
        &self.sqs
    }
}

/// Why a request failed: a member that cannot be read, or an SQS error.
enum Failure {
    Malformed(Malformed),
    Sqs(SqsError),
}

impl From<Malformed> for Failure {
    fn from(m: Malformed) -> Self {
        Failure::Malformed(m)
    }
}

impl From<SqsError> for Failure {
    fn from(e: SqsError) -> Self {
        Failure::Sqs(e)
    }
}

/// The AWS JSON reply for an SQS error.
pub fn error_reply(e: &SqsError) -> JsonReply {
    JsonReply::error(e.status(), &e.aws_type(), &e.message()).with_header(
        "x-amzn-query-error",
        format!("{};{}", e.query_code(), e.error_type()),
    )
}

fn required(r: &Members<'_>, name: &str) -> Result<String, Failure> {
    match r.string(name)? {
        Some(s) => Ok(s),
        None => Err(SqsError::MissingParameter(name.to_string()).into()),
    }
}

fn attribute_values(
    r: &Members<'_>,
    name: &str,
) -> Result<BTreeMap<String, MessageAttributeValue>, Failure> {
    let mut out = BTreeMap::new();
    for (k, v) in r.object_map(name)? {
        let binary_value = match v.string("BinaryValue")? {
            Some(b) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(b.as_bytes())
                    .map_err(|_| Malformed(format!("Base64 encoded value of {k} is invalid.")))?,
            ),
            None => None,
        };
        // List values are reserved by SQS ("not implemented"); read them only to type-check.
        v.string_list("StringListValues")?;
        v.string_list("BinaryListValues")?;
        out.insert(
            k,
            MessageAttributeValue {
                data_type: v.string("DataType")?.unwrap_or_default(),
                string_value: v.string("StringValue")?,
                binary_value,
            },
        );
    }
    Ok(out)
}

fn render_attribute(v: &MessageAttributeValue) -> Value {
    let mut m = Map::new();
    if let Some(s) = &v.string_value {
        m.insert("StringValue".into(), json!(s));
    }
    if let Some(b) = v.binary_base64() {
        m.insert("BinaryValue".into(), json!(b));
    }
    m.insert("DataType".into(), json!(v.data_type));
    Value::Object(m)
}

fn send_entry(r: &Members<'_>) -> Result<SendMessage, Failure> {
    Ok(SendMessage {
        message_body: r.string("MessageBody")?.unwrap_or_default(),
        delay_seconds: r.integer("DelaySeconds")?,
        message_attributes: attribute_values(r, "MessageAttributes")?,
        message_system_attributes: attribute_values(r, "MessageSystemAttributes")?,
        message_deduplication_id: r.string("MessageDeduplicationId")?,
        message_group_id: r.string("MessageGroupId")?,
    })
}

fn sent(out: &SendMessageOutput, id: Option<&str>) -> Value {
    let mut m = Map::new();
    if let Some(id) = id {
        m.insert("Id".into(), json!(id));
    }
    m.insert("MessageId".into(), json!(out.message_id));
    m.insert("MD5OfMessageBody".into(), json!(out.md5_of_message_body));
    if let Some(x) = &out.md5_of_message_attributes {
        m.insert("MD5OfMessageAttributes".into(), json!(x));
    }
    if let Some(x) = &out.md5_of_message_system_attributes {
        m.insert("MD5OfMessageSystemAttributes".into(), json!(x));
    }
    if let Some(x) = &out.sequence_number {
        m.insert("SequenceNumber".into(), json!(x));
    }
    Value::Object(m)
}

fn batch_reply<T>(out: BatchOutput<T>, render: impl Fn(&str, &T) -> Value) -> Value {
    json!({
        "Successful": out.successful.iter().map(|(id, v)| render(id, v)).collect::<Vec<_>>(),
        "Failed": out.failed.iter().map(|f| json!({
            "Id": f.id,
            "SenderFault": f.sender_fault,
            "Code": f.code,
            "Message": f.message,
        })).collect::<Vec<_>>(),
    })
}

impl SqsApi {
    async fn dispatch(&self, op: &str, body: &[u8]) -> Result<Value, Failure> {
        let obj = parse_object(body)?;
        let r = Members(&obj);
        let sqs = &self.sqs;
        let empty = || Ok(json!({}));
        match op {
            "CreateQueue" => {
                let url = sqs.create_queue(CreateQueue {
                    queue_name: required(&r, "QueueName")?,
                    attributes: r.string_map("Attributes")?,
                    tags: r.string_map("tags")?,
                })?;
                Ok(json!({ "QueueUrl": url }))
            }
            "GetQueueUrl" => {
                let name = required(&r, "QueueName")?;
                let owner = r.string("QueueOwnerAWSAccountId")?;
                let url = sqs.get_queue_url(&name, owner.as_deref())?;
                Ok(json!({ "QueueUrl": url }))
            }
            "ListQueues" => {
                let out = sqs.list_queues(ListQueues {
                    queue_name_prefix: r.string("QueueNamePrefix")?,
                    max_results: r.integer("MaxResults")?,
                    next_token: r.string("NextToken")?,
                })?;
                let mut m = Map::new();
                if !out.queue_urls.is_empty() {
                    m.insert("QueueUrls".into(), json!(out.queue_urls));
                }
                if let Some(t) = out.next_token {
                    m.insert("NextToken".into(), json!(t));
                }
                Ok(Value::Object(m))
            }
            "DeleteQueue" => {
                sqs.delete_queue(&required(&r, "QueueUrl")?)?;
                empty()
            }
            "PurgeQueue" => {
                sqs.purge_queue(&required(&r, "QueueUrl")?)?;
                empty()
            }
            "GetQueueAttributes" => {
                let url = required(&r, "QueueUrl")?;
                let names = r.string_list("AttributeNames")?;
                let attrs = sqs.get_queue_attributes(&url, &names)?;
                if attrs.is_empty() {
                    return empty();
                }
                let m: Map<String, Value> = attrs.into_iter().map(|(k, v)| (k, json!(v))).collect();
                Ok(json!({ "Attributes": m }))
            }
            "SetQueueAttributes" => {
                let url = required(&r, "QueueUrl")?;
                if !obj.contains_key("Attributes") {
                    return Err(SqsError::MissingParameter("Attributes".into()).into());
                }
                sqs.set_queue_attributes(&url, &r.string_map("Attributes")?)?;
                empty()
            }
            "SendMessage" => {
                let url = required(&r, "QueueUrl")?;
                if r.string("MessageBody")?.is_none() {
                    return Err(SqsError::MissingParameter("MessageBody".into()).into());
                }
                let out = sqs.send_message(&url, send_entry(&r)?)?;
                Ok(sent(&out, None))
            }
            "SendMessageBatch" => {
                let url = required(&r, "QueueUrl")?;
                let mut entries = Vec::new();
                for e in r.object_list("Entries")? {
                    entries.push((required(&e, "Id")?, send_entry(&e)?));
                }
                let out = sqs.send_message_batch(&url, entries)?;
                Ok(batch_reply(out, |id, v| sent(v, Some(id))))
            }
            "ReceiveMessage" => {
                let input = ReceiveMessage {
                    queue_url: required(&r, "QueueUrl")?,
                    attribute_names: r.string_list("AttributeNames")?,
                    message_system_attribute_names: r.string_list("MessageSystemAttributeNames")?,
                    message_attribute_names: r.string_list("MessageAttributeNames")?,
                    max_number_of_messages: r.integer("MaxNumberOfMessages")?,
                    visibility_timeout: r.integer("VisibilityTimeout")?,
                    wait_time_seconds: r.integer("WaitTimeSeconds")?,
                    receive_request_attempt_id: r.string("ReceiveRequestAttemptId")?,
                };
                let msgs = sqs.receive_message(input).await?;
                if msgs.is_empty() {
                    return empty();
                }
                let rendered: Vec<Value> = msgs
                    .iter()
                    .map(|m| {
                        let mut o = Map::new();
                        o.insert("MessageId".into(), json!(m.message_id));
                        o.insert("ReceiptHandle".into(), json!(m.receipt_handle));
                        o.insert("MD5OfBody".into(), json!(m.md5_of_body));
                        o.insert("Body".into(), json!(m.body));
                        if !m.attributes.is_empty() {
                            let a: Map<String, Value> = m
                                .attributes
                                .iter()
                                .map(|(k, v)| (k.clone(), json!(v)))
                                .collect();
                            o.insert("Attributes".into(), Value::Object(a));
                        }
                        if let Some(md5) = &m.md5_of_message_attributes {
                            o.insert("MD5OfMessageAttributes".into(), json!(md5));
                            let a: Map<String, Value> = m
                                .message_attributes
                                .iter()
                                .map(|(k, v)| (k.clone(), render_attribute(v)))
                                .collect();
                            o.insert("MessageAttributes".into(), Value::Object(a));
                        }
                        Value::Object(o)
                    })
                    .collect();
                Ok(json!({ "Messages": rendered }))
            }
            "DeleteMessage" => {
                let url = required(&r, "QueueUrl")?;
                sqs.delete_message(&url, &required(&r, "ReceiptHandle")?)?;
                empty()
            }
            "DeleteMessageBatch" => {
                let url = required(&r, "QueueUrl")?;
                let mut entries = Vec::new();
                for e in r.object_list("Entries")? {
                    entries.push((required(&e, "Id")?, required(&e, "ReceiptHandle")?));
                }
                let out = sqs.delete_message_batch(&url, entries)?;
                Ok(batch_reply(out, |id, _| json!({ "Id": id })))
            }
            "ChangeMessageVisibility" => {
                let url = required(&r, "QueueUrl")?;
                let handle = required(&r, "ReceiptHandle")?;
                let timeout = r
                    .integer("VisibilityTimeout")?
                    .ok_or_else(|| SqsError::MissingParameter("VisibilityTimeout".into()))?;
                sqs.change_message_visibility(&url, &handle, timeout)?;
                empty()
            }
            "ChangeMessageVisibilityBatch" => {
                let url = required(&r, "QueueUrl")?;
                let mut entries = Vec::new();
                for e in r.object_list("Entries")? {
                    entries.push(ChangeVisibilityEntry {
                        id: required(&e, "Id")?,
                        receipt_handle: required(&e, "ReceiptHandle")?,
                        visibility_timeout: e.integer("VisibilityTimeout")?.unwrap_or(0),
                    });
                }
                let out = sqs.change_message_visibility_batch(&url, entries)?;
                Ok(batch_reply(out, |id, _| json!({ "Id": id })))
            }
            "TagQueue" => {
                let url = required(&r, "QueueUrl")?;
                if !obj.contains_key("Tags") {
                    return Err(SqsError::MissingParameter("Tags".into()).into());
                }
                sqs.tag_queue(&url, r.string_map("Tags")?)?;
                empty()
            }
            "UntagQueue" => {
                let url = required(&r, "QueueUrl")?;
                if !obj.contains_key("TagKeys") {
                    return Err(SqsError::MissingParameter("TagKeys".into()).into());
                }
                sqs.untag_queue(&url, &r.string_list("TagKeys")?)?;
                empty()
            }
            "ListQueueTags" => {
                let tags = sqs.list_queue_tags(&required(&r, "QueueUrl")?)?;
                if tags.is_empty() {
                    return empty();
                }
                Ok(json!({ "Tags": tags }))
            }
            "ListDeadLetterSourceQueues" => {
                let urls = sqs.list_dead_letter_source_queues(&required(&r, "QueueUrl")?)?;
                // The one lowercase output member of the SQS model.
                Ok(json!({ "queueUrls": urls }))
            }
            "AddPermission"
            | "RemovePermission"
            | "StartMessageMoveTask"
            | "CancelMessageMoveTask"
            | "ListMessageMoveTasks" => Err(SqsError::UnsupportedOperation(format!(
                "{op} is not supported by sfn-harness."
            ))
            .into()),
            _ => Err(Failure::Malformed(Malformed(String::new()))),
        }
    }
}

/// Every operation of the SQS API (every other `AmazonSQS.*` target is
/// `UnknownOperationException`); the few this fake does not implement answer AWS's
/// `UnsupportedOperation`.
pub const SQS_OPERATIONS: &[&str] = &[
    "CreateQueue",
    "GetQueueUrl",
    "ListQueues",
    "DeleteQueue",
    "PurgeQueue",
    "GetQueueAttributes",
    "SetQueueAttributes",
    "SendMessage",
    "SendMessageBatch",
    "ReceiveMessage",
    "DeleteMessage",
    "DeleteMessageBatch",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "TagQueue",
    "UntagQueue",
    "ListQueueTags",
    "ListDeadLetterSourceQueues",
    "AddPermission",
    "RemovePermission",
    "StartMessageMoveTask",
    "CancelMessageMoveTask",
    "ListMessageMoveTasks",
];

impl JsonService for SqsApi {
    fn call<'a>(&'a self, operation: &'a str, body: &'a [u8]) -> BoxFuture<'a, JsonReply> {
        Box::pin(async move {
            if !SQS_OPERATIONS.contains(&operation) {
                return JsonReply::unknown_operation(&format!("{SQS_TARGET_PREFIX}.{operation}"));
            }
            match self.dispatch(operation, body).await {
                Ok(v) => JsonReply::ok(&v),
                Err(Failure::Malformed(m)) => m.into(),
                Err(Failure::Sqs(e)) => error_reply(&e),
            }
        })
    }
}
