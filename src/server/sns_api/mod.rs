//! The SNS API: its operation table over [`Sns`], behind the query front-end (`query.rs`) that
//! speaks the protocol the AWS SDKs use for SNS (botocore `sns/2010-03-31/service-2.json`:
//! `"protocol": "query"`, form-encoded `Action=…&Version=2010-03-31`, XML responses).
//!
//! A query request is decoded into the JSON members of its operation (the model's member names)
//! and routed through the [`Router`](crate::server::Router) as `AmazonSimpleNotificationService.
//! <Action>` (the service's Smithy name), so interceptors and faults see SNS calls like any
//! other; the JSON reply is written back as XML. An error's `__type` is the query `<Code>`
//! (`NotFound`, `InvalidParameter`, …).
//!
//! One table, `OPERATIONS`, is both the dispatch and [`SNS_OPERATIONS`].
#![warn(unreachable_pub)]

pub(crate) mod query;

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

use super::json::{self, parse_request, JsonReply, Members};
use super::{BoxFuture, JsonService};
use crate::sns::{MessageAttribute, Publish, Sns, SnsError};

/// The target prefix SNS operations are routed under.
pub(crate) const SNS_TARGET_PREFIX: &str = "AmazonSimpleNotificationService";

/// Serves the SNS API from an [`Sns`].
///
/// Example: the unit test `server_sns_api_mod_32` in `src/tests/doc_examples.rs`.
#[derive(Debug, Clone)]
pub(crate) struct SnsApi {
    sns: Arc<Sns>,
}

impl SnsApi {
    /// The API of `sns`.
    pub(crate) fn new(sns: Arc<Sns>) -> SnsApi {
        SnsApi { sns }
    }
}

/// Why a request failed: a member that cannot be read, or an SNS error.
type Failure = json::Failure<SnsError>;

impl From<SnsError> for Failure {
    fn from(e: SnsError) -> Self {
        Failure::Service(e)
    }
}

type Answer = Result<Value, Failure>;

/// One operation's handler.
type Handler = fn(&Sns, Members<'_>) -> Answer;

/// Every operation served, with its handler.
const OPERATIONS: &[(&str, Handler)] = &[
    ("CreateTopic", create_topic),
    ("DeleteTopic", delete_topic),
    ("ListTopics", list_topics),
    ("GetTopicAttributes", get_topic_attributes),
    ("SetTopicAttributes", set_topic_attributes),
    ("Subscribe", subscribe),
    ("Unsubscribe", unsubscribe),
    ("ListSubscriptions", list_subscriptions),
    ("ListSubscriptionsByTopic", list_subscriptions_by_topic),
    ("GetSubscriptionAttributes", get_subscription_attributes),
    ("SetSubscriptionAttributes", set_subscription_attributes),
    ("Publish", publish),
    ("PublishBatch", publish_batch),
];

const fn operation_names<const N: usize>() -> [&'static str; N] {
    let mut names = [""; N];
    let mut i = 0;
    while i < N {
        names[i] = OPERATIONS[i].0;
        i += 1;
    }
    names
}

/// Every SNS operation sfn-harness serves (read from the dispatch table).
pub(crate) const SNS_OPERATIONS: &[&str] = &operation_names::<{ OPERATIONS.len() }>();

/// The JSON reply of an SNS error: `__type` is the query code.
pub(crate) fn sns_error_reply(e: &SnsError) -> JsonReply {
    JsonReply::error(e.status(), e.code(), &e.to_string())
}

fn required(r: &Members<'_>, name: &str) -> Result<String, Failure> {
    match r.string(name)? {
        Some(s) => Ok(s),
        // The query protocol's validation message for a missing member.
        None => Err(SnsError::Validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_first(name)
        ))
        .into()),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn create_topic(sns: &Sns, r: Members<'_>) -> Answer {
    let name = required(&r, "Name")?;
    let attributes = r.string_map("Attributes")?;
    let arn = sns.create_topic(&name, attributes)?;
    let mut tags = Vec::new();
    for t in r.object_list("Tags")? {
        tags.push((required(&t, "Key")?, t.string("Value")?.unwrap_or_default()));
    }
    if !tags.is_empty() {
        sns.tag_topic(&arn, tags)?;
    }
    Ok(json!({ "TopicArn": arn }))
}

fn delete_topic(sns: &Sns, r: Members<'_>) -> Answer {
    sns.delete_topic(&required(&r, "TopicArn")?);
    Ok(json!({}))
}

fn list_topics(sns: &Sns, _r: Members<'_>) -> Answer {
    let topics: Vec<Value> = sns
        .list_topics()
        .into_iter()
        .map(|t| json!({ "TopicArn": t }))
        .collect();
    Ok(json!({ "Topics": topics }))
}

fn get_topic_attributes(sns: &Sns, r: Members<'_>) -> Answer {
    let attrs = sns.topic_attributes(&required(&r, "TopicArn")?)?;
    Ok(json!({ "Attributes": attrs }))
}

fn set_topic_attributes(sns: &Sns, r: Members<'_>) -> Answer {
    let value = r.string("AttributeValue")?.unwrap_or_default();
    sns.set_topic_attribute(
        &required(&r, "TopicArn")?,
        &required(&r, "AttributeName")?,
        &value,
    )?;
    Ok(json!({}))
}

fn subscribe(sns: &Sns, r: Members<'_>) -> Answer {
    let endpoint = r.string("Endpoint")?.unwrap_or_default();
    let arn = sns.subscribe(
        &required(&r, "TopicArn")?,
        &required(&r, "Protocol")?,
        &endpoint,
        r.string_map("Attributes")?,
    )?;
    Ok(json!({ "SubscriptionArn": arn }))
}

fn unsubscribe(sns: &Sns, r: Members<'_>) -> Answer {
    sns.unsubscribe(&required(&r, "SubscriptionArn")?)?;
    Ok(json!({}))
}

fn subscriptions(sns: &Sns, topic: Option<&str>) -> Answer {
    let subs: Vec<Value> = sns
        .list_subscriptions(topic)?
        .into_iter()
        .map(|s| {
            json!({
                "SubscriptionArn": s.subscription_arn,
                "Owner": s.owner,
                "Protocol": s.protocol,
                "Endpoint": s.endpoint,
                "TopicArn": s.topic_arn,
            })
        })
        .collect();
    Ok(json!({ "Subscriptions": subs }))
}

fn list_subscriptions(sns: &Sns, _r: Members<'_>) -> Answer {
    subscriptions(sns, None)
}

fn list_subscriptions_by_topic(sns: &Sns, r: Members<'_>) -> Answer {
    subscriptions(sns, Some(&required(&r, "TopicArn")?))
}

fn get_subscription_attributes(sns: &Sns, r: Members<'_>) -> Answer {
    let attrs = sns.subscription_attributes(&required(&r, "SubscriptionArn")?)?;
    Ok(json!({ "Attributes": attrs }))
}

fn set_subscription_attributes(sns: &Sns, r: Members<'_>) -> Answer {
    let value = r.string("AttributeValue")?.unwrap_or_default();
    sns.set_subscription_attribute(
        &required(&r, "SubscriptionArn")?,
        &required(&r, "AttributeName")?,
        &value,
    )?;
    Ok(json!({}))
}

/// The `Publish` of request members `r` (also a PublishBatch entry, without a topic).
fn publish_request(r: &Members<'_>) -> Result<Publish, Failure> {
    let topic_arn = match (r.string("TopicArn")?, r.string("TargetArn")?) {
        (Some(t), _) | (None, Some(t)) => t,
        (None, None) if r.string("PhoneNumber")?.is_some() => {
            return Err(SnsError::Unsupported(
                "sfn-harness's SNS does not send SMS: publish to a topic (an sfn-harness gap)"
                    .into(),
            )
            .into())
        }
        (None, None) => String::new(),
    };
    let mut message_attributes = BTreeMap::new();
    for (name, a) in r.object_map("MessageAttributes")? {
        let binary_value = match a.string("BinaryValue")? {
            Some(b) => Some(STANDARD.decode(b.as_bytes()).map_err(|_| {
                SnsError::InvalidParameterValue(format!(
                    "The message attribute '{name}' has an invalid binary value."
                ))
            })?),
            None => None,
        };
        message_attributes.insert(
            name,
            MessageAttribute {
                data_type: a.string("DataType")?.unwrap_or_default(),
                string_value: a.string("StringValue")?,
                binary_value,
            },
        );
    }
    Ok(Publish {
        topic_arn,
        message: r.string("Message")?.unwrap_or_default(),
        subject: r.string("Subject")?,
        message_structure: r.string("MessageStructure")?,
        message_attributes,
        message_group_id: r.string("MessageGroupId")?,
        message_deduplication_id: r.string("MessageDeduplicationId")?,
    })
}

/// The members of a Publish answer.
fn publish_answer(out: &crate::sns::PublishOutput) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("MessageId".into(), json!(out.message_id));
    if let Some(s) = &out.sequence_number {
        m.insert("SequenceNumber".into(), json!(s));
    }
    Value::Object(m)
}

fn publish(sns: &Sns, r: Members<'_>) -> Answer {
    let p = publish_request(&r)?;
    if p.topic_arn.is_empty() {
        return Err(SnsError::invalid(
            "TopicArn or TargetArn Reason: no value for required parameter",
        )
        .into());
    }
    Ok(publish_answer(&sns.publish(p)?))
}

fn publish_batch(sns: &Sns, r: Members<'_>) -> Answer {
    let topic = required(&r, "TopicArn")?;
    let mut entries = Vec::new();
    for e in r.object_list("PublishBatchRequestEntries")? {
        entries.push((required(&e, "Id")?, publish_request(&e)?));
    }
    let mut successful = Vec::new();
    let mut failed = Vec::new();
    for (id, result) in sns.publish_batch(&topic, entries)? {
        match result {
            Ok(out) => {
                let mut v = publish_answer(&out);
                if let Value::Object(m) = &mut v {
                    m.shift_insert(0, "Id".into(), json!(id));
                }
                successful.push(v);
            }
            Err(e) => failed.push(json!({
                "Id": id,
                "Code": e.code(),
                "Message": e.to_string(),
                "SenderFault": e.status() < 500,
            })),
        }
    }
    Ok(json!({ "Successful": successful, "Failed": failed }))
}

impl JsonService for SnsApi {
    fn call<'a>(&'a self, operation: &'a str, body: &'a [u8]) -> BoxFuture<'a, JsonReply> {
        Box::pin(async move {
            let Some(&(_, handler)) = OPERATIONS.iter().find(|(name, _)| *name == operation) else {
                return JsonReply::unknown_operation(&format!("{SNS_TARGET_PREFIX}.{operation}"));
            };
            let answer = parse_request(body)
                .map_err(Failure::from)
                .and_then(|request| handler(&self.sns, request.members()));
            match answer {
                Ok(v) => JsonReply::ok(&v),
                Err(Failure::Malformed(m)) => m.into(),
                Err(Failure::Service(e)) => sns_error_reply(&e),
            }
        })
    }
}
