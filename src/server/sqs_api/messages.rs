//! The message operations: send, receive, delete and change visibility, one by one and in
//! batches.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::{empty, required, Answer, Failure, SqsApi};
use crate::json_text::ObjectText;
use crate::server::json::{Malformed, Members, ReplyBody};
use crate::server::BoxFuture;
use crate::sqs::{
    BatchOutput, ChangeVisibilityEntry, MessageAttributeValue, ReceiveMessage, ReceivedMessage,
    SendMessage, SendMessageOutput, Sqs, SqsError,
};

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

pub(super) fn send_message(sqs: &Sqs, r: Members<'_>) -> Answer {
    let url = required(&r, "QueueUrl")?;
    if r.string("MessageBody")?.is_none() {
        return Err(SqsError::MissingParameter("MessageBody".into()).into());
    }
    let out = sqs.send_message(&url, send_entry(&r)?)?;
    Ok(sent(&out, None))
}

pub(super) fn send_message_batch(sqs: &Sqs, r: Members<'_>) -> Answer {
    let url = required(&r, "QueueUrl")?;
    let mut entries = Vec::new();
    for e in r.object_list("Entries")? {
        entries.push((required(&e, "Id")?, send_entry(&e)?));
    }
    let out = sqs.send_message_batch(&url, entries)?;
    Ok(batch_reply(out, |id, v| sent(v, Some(id))))
}

pub(super) fn receive_message<'a>(
    api: &'a SqsApi,
    r: Members<'a>,
) -> BoxFuture<'a, Result<ReplyBody, Failure>> {
    Box::pin(async move {
        let sqs = &api.sqs;
        let queue_url = required(&r, "QueueUrl")?;
        let input = ReceiveMessage {
            queue_url: queue_url.clone(),
            attribute_names: r.string_list("AttributeNames")?,
            message_system_attribute_names: r.string_list("MessageSystemAttributeNames")?,
            message_attribute_names: r.string_list("MessageAttributeNames")?,
            max_number_of_messages: r.integer("MaxNumberOfMessages")?,
            visibility_timeout: r.integer("VisibilityTimeout")?,
            wait_time_seconds: r.integer("WaitTimeSeconds")?,
            receive_request_attempt_id: r.string("ReceiveRequestAttemptId")?,
        };
        let msgs = sqs.receive_message(input).await;
        if let Some(observer) = &api.receives {
            observer.received(&queue_url, msgs.as_deref().unwrap_or_default());
        }
        let msgs = msgs?;
        if msgs.is_empty() {
            return Ok(ReplyBody::Empty);
        }
        // Written as text (issue 13: one receive a callback round trip); a test checks it
        // against the `Value` it was built as.
        let mut out = String::with_capacity(256 * msgs.len());
        out.push_str(r#"{"Messages":["#);
        for (i, m) in msgs.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&received(m));
        }
        out.push_str("]}");
        Ok(ReplyBody::Text(out))
    })
}

/// One message of a `ReceiveMessage` reply, as JSON text.
pub(super) fn received(m: &ReceivedMessage) -> String {
    let mut o = ObjectText::new();
    o.string("MessageId", &m.message_id)
        .string("ReceiptHandle", &m.receipt_handle)
        .string("MD5OfBody", &m.md5_of_body)
        .string("Body", &m.body);
    if !m.attributes.is_empty() {
        let mut a = ObjectText::new();
        for (k, v) in &m.attributes {
            a.string(k, v);
        }
        o.raw("Attributes", &a.finish());
    }
    if let Some(md5) = &m.md5_of_message_attributes {
        o.string("MD5OfMessageAttributes", md5);
        let mut a = ObjectText::new();
        for (k, v) in &m.message_attributes {
            let mut one = ObjectText::new();
            if let Some(s) = &v.string_value {
                one.string("StringValue", s);
            }
            if let Some(b) = v.binary_base64() {
                one.string("BinaryValue", &b);
            }
            one.string("DataType", &v.data_type);
            a.raw(k, &one.finish());
        }
        o.raw("MessageAttributes", &a.finish());
    }
    o.finish()
}

pub(super) fn delete_message(sqs: &Sqs, r: Members<'_>) -> Result<ReplyBody, Failure> {
    let url = required(&r, "QueueUrl")?;
    sqs.delete_message(&url, &required(&r, "ReceiptHandle")?)?;
    Ok(ReplyBody::Empty)
}

pub(super) fn delete_message_batch(sqs: &Sqs, r: Members<'_>) -> Answer {
    let url = required(&r, "QueueUrl")?;
    let mut entries = Vec::new();
    for e in r.object_list("Entries")? {
        entries.push((required(&e, "Id")?, required(&e, "ReceiptHandle")?));
    }
    let out = sqs.delete_message_batch(&url, entries)?;
    Ok(batch_reply(out, |id, _| json!({ "Id": id })))
}

pub(super) fn change_message_visibility(sqs: &Sqs, r: Members<'_>) -> Answer {
    let url = required(&r, "QueueUrl")?;
    let handle = required(&r, "ReceiptHandle")?;
    let timeout = r
        .integer("VisibilityTimeout")?
        .ok_or_else(|| SqsError::MissingParameter("VisibilityTimeout".into()))?;
    sqs.change_message_visibility(&url, &handle, timeout)?;
    empty()
}

pub(super) fn change_message_visibility_batch(sqs: &Sqs, r: Members<'_>) -> Answer {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A received message as its `Value` was built before the text writer (issue 13).
    fn as_value_was(m: &ReceivedMessage) -> Value {
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
    }

    /// The text of a received message is what serde_json wrote for its `Value`: bare, with
    /// system attributes, and with string, number and binary attributes, escapes included.
    #[test]
    fn received_as_the_value_was() {
        let bare = ReceivedMessage {
            message_id: "5fea7756-0ea4-451a-a703-a558b933e274".into(),
            receipt_handle: "r\"h".into(),
            md5_of_body: "d6d3e6e8ce6fe3d8d6b3f1bbb6a3a9cd".into(),
            body: "{\"token\":\"AQsfnh\\u00e9\"}\n\u{1}".into(),
            attributes: Vec::new(),
            md5_of_message_attributes: None,
            message_attributes: BTreeMap::new(),
        };
        let mut full = bare.clone();
        full.attributes = vec![
            ("SenderId".into(), "AIDA\"x".into()),
            ("ApproximateReceiveCount".into(), "1".into()),
        ];
        full.md5_of_message_attributes = Some("0123".into());
        full.message_attributes = BTreeMap::from([
            (
                "s".to_string(),
                MessageAttributeValue {
                    data_type: "String".into(),
                    string_value: Some("v\"é".into()),
                    binary_value: None,
                },
            ),
            (
                "n".to_string(),
                MessageAttributeValue {
                    data_type: "Number.int".into(),
                    string_value: Some("7".into()),
                    binary_value: None,
                },
            ),
            (
                "b".to_string(),
                MessageAttributeValue {
                    data_type: "Binary".into(),
                    string_value: None,
                    binary_value: Some(vec![0, 255, 7]),
                },
            ),
        ]);
        for m in [&bare, &full] {
            assert_eq!(
                received(m),
                serde_json::to_string(&as_value_was(m)).unwrap()
            );
        }
    }
}
