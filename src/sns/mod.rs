//! An in-process Amazon SNS: topics (standard and FIFO), SQS subscriptions, Publish and
//! PublishBatch, with AWS's validations and errors.
//!
//! It knows no Step Functions and no SQS internals: it hands each notification to a
//! [`QueueDelivery`] port (the composition root, [`Account`](crate::account::Account), plugs the
//! account's SQS in), as SNS hands a message to a subscribed queue. Delivery is what SNS does
//! after Publish answered: a failed delivery does not fail the Publish.
//!
//! What a subscribed queue receives is the notification AWS writes ("Amazon SNS message and JSON
//! formats", HTTP/HTTPS notification JSON, SNS Developer Guide; also the body SQS subscribers
//! receive): `Type`, `MessageId`, `TopicArn`, `Subject` (when given), `Message`, `Timestamp`,
//! `SignatureVersion`, `Signature`, `SigningCertURL`, `UnsubscribeURL` and `MessageAttributes`
//! (`{name: {Type, Value}}`, when given), in that order, in AWS's layout (`"Key" : value`, two-space
//! indent). A FIFO topic adds `SequenceNumber` after `MessageId`. sfn-harness holds no AWS
//! signing key: `Signature` is the base64 SHA-1 of the notification's string to sign, which no
//! certificate verifies. With `RawMessageDelivery` the queue receives the message itself and
//! the message attributes as SQS message attributes ("Amazon SNS raw message delivery").
//!
//! Example: the unit test `sns_mod_19` in `src/tests/doc_examples.rs`.

mod error;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest, Sha1};
use sha2::Sha256;

pub(crate) use error::SnsError;

use crate::ids::{Ids, SharedIds};
use crate::sync::lock;
use crate::time::Clock;

/// How long a FIFO topic remembers a deduplication id: 5 minutes (the Publish API reference,
/// `MessageDeduplicationId`: "the 5 minute minimum deduplication interval").
const DEDUPLICATION_INTERVAL_MS: u64 = 5 * 60 * 1000;

/// At most 10 entries per PublishBatch (the PublishBatch API reference).
const MAX_BATCH_ENTRIES: usize = 10;

/// A message attribute: `DataType` `String`, `String.Array`, `Number` or `Binary`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct MessageAttribute {
    /// The data type.
    pub data_type: String,
    /// The value of a `String`, `String.Array` or `Number` attribute.
    pub string_value: Option<String>,
    /// The value of a `Binary` attribute.
    pub binary_value: Option<Vec<u8>>,
}

/// A `Publish` request (also one PublishBatch entry, with its `topic_arn` the batch's).
#[derive(Debug, Clone, Default)]
pub(crate) struct Publish {
    /// The topic (`TopicArn`, or `TargetArn` naming a topic).
    pub topic_arn: String,
    /// The message.
    pub message: String,
    /// The subject, written into the notification when present.
    pub subject: Option<String>,
    /// `json`: `message` is a JSON object of per-protocol messages with a `default`.
    pub message_structure: Option<String>,
    /// Message attributes.
    pub message_attributes: BTreeMap<String, MessageAttribute>,
    /// The message group (required on a FIFO topic).
    pub message_group_id: Option<String>,
    /// The deduplication id (FIFO topics).
    pub message_deduplication_id: Option<String>,
}

/// What Publish answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublishOutput {
    /// The message id.
    pub message_id: String,
    /// The sequence number (FIFO topics only).
    pub sequence_number: Option<String>,
}

/// A subscription as ListSubscriptions shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subscription {
    /// Its ARN (`<topic ARN>:<uuid>`).
    pub subscription_arn: String,
    /// The owner account.
    pub owner: String,
    /// The protocol (`sqs`).
    pub protocol: String,
    /// The endpoint (a queue ARN).
    pub endpoint: String,
    /// The topic.
    pub topic_arn: String,
}

/// The message SNS hands a subscribed queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueueMessage {
    /// The SQS message body: the notification JSON, or the raw message.
    pub body: String,
    /// SQS message attributes (raw delivery only).
    pub message_attributes: BTreeMap<String, MessageAttribute>,
    /// The message group (FIFO topics).
    pub message_group_id: Option<String>,
    /// The deduplication id (FIFO topics).
    pub message_deduplication_id: Option<String>,
}

/// The port through which SNS delivers to SQS queues, by queue ARN.
pub(crate) trait QueueDelivery: Send + Sync + fmt::Debug {
    /// Sends `message` to the queue `queue_arn`; an error is the reason delivery failed.
    fn deliver(&self, queue_arn: &str, message: QueueMessage) -> Result<(), String>;
}

#[derive(Debug)]
struct Topic {
    attributes: BTreeMap<String, String>,
    tags: Vec<(String, String)>,
    fifo: bool,
    sequence: u128,
    /// Deduplication id → (when it was first seen, the message id then answered).
    seen: BTreeMap<String, (u64, String)>,
}

#[derive(Debug, Clone)]
struct Sub {
    arn: String,
    topic_arn: String,
    protocol: String,
    endpoint: String,
    attributes: BTreeMap<String, String>,
}

impl Sub {
    fn raw(&self) -> bool {
        self.attributes
            .get("RawMessageDelivery")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

#[derive(Debug, Default)]
struct State {
    topics: BTreeMap<String, Topic>,
    subscriptions: Vec<Sub>,
}

/// The SNS service of one account and region.
///
/// ```
/// use sfn_harness::internals::{Account, AccountConfig};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let account = Account::new(AccountConfig::default());
/// account.router().handle(Some("AmazonSQS.CreateQueue"), br#"{"QueueName":"shipping"}"#).await;
/// let sns = account.sns();
/// let topic = sns.create_topic("orders", Default::default()).unwrap();
/// assert_eq!(topic, "arn:aws:sns:us-east-1:123456789012:orders");
/// sns.subscribe(&topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:shipping", Default::default())
///     .unwrap();
/// # }
/// ```
pub struct Sns {
    clock: Clock,
    account_id: String,
    region: String,
    ids: SharedIds,
    state: Mutex<State>,
    delivery: Arc<dyn QueueDelivery>,
}

impl fmt::Debug for Sns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sns")
            .field("account_id", &self.account_id)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

fn valid_topic_name(name: &str) -> bool {
    (1..=256).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_true(v: Option<&String>) -> bool {
    v.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The topic attributes a client may set (CreateTopic / SetTopicAttributes API references).
const SETTABLE_TOPIC_ATTRIBUTES: &[&str] = &[
    "DeliveryPolicy",
    "DisplayName",
    "Policy",
    "TracingConfig",
    "KmsMasterKeyId",
    "SignatureVersion",
    "FifoTopic",
    "ContentBasedDeduplication",
    "ArchivePolicy",
    "FifoThroughputScope",
    "DataProtectionPolicy",
];

/// The subscription attributes a client may set (Subscribe API reference).
const SETTABLE_SUBSCRIPTION_ATTRIBUTES: &[&str] = &[
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
];

impl Sns {
    /// An SNS for `account_id` in `region`, delivering to queues through `delivery`.
    pub(crate) fn new(
        clock: Clock,
        account_id: impl Into<String>,
        region: impl Into<String>,
        delivery: Arc<dyn QueueDelivery>,
    ) -> Sns {
        Sns {
            clock,
            account_id: account_id.into(),
            region: region.into(),
            ids: SharedIds::new(Ids::random()),
            state: Mutex::new(State::default()),
            delivery,
        }
    }

    /// Draws message, subscription and request ids from `seed` from now on.
    pub(crate) fn seed_ids(&self, seed: u64) {
        self.ids.set(Ids::seeded(seed));
    }

    /// A fresh request id (a uuid), as SNS's `RequestId`.
    pub(crate) fn request_id(&self) -> String {
        self.ids.with(Ids::uuid)
    }

    /// The ARN of topic `name`.
    pub(crate) fn topic_arn(&self, name: &str) -> String {
        format!("arn:aws:sns:{}:{}:{name}", self.region, self.account_id)
    }

    /// `CreateTopic`: the topic's ARN. Creating an existing topic with the same attributes
    /// answers its ARN again.
    pub fn create_topic(
        &self,
        name: &str,
        attributes: BTreeMap<String, String>,
    ) -> Result<String, SnsError> {
        let fifo = is_true(attributes.get("FifoTopic"));
        if fifo {
            let base = name.strip_suffix(".fifo");
            if !base.is_some_and(valid_topic_name) {
                return Err(SnsError::invalid(
                    "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
                ));
            }
        } else if !valid_topic_name(name) {
            return Err(SnsError::invalid("Topic Name"));
        }
        for k in attributes.keys() {
            if !SETTABLE_TOPIC_ATTRIBUTES.contains(&k.as_str()) {
                return Err(SnsError::invalid(format!(
                    "Attributes Reason: Unknown attribute {k}"
                )));
            }
        }
        if !fifo && attributes.contains_key("ContentBasedDeduplication") {
            return Err(SnsError::invalid(
                "Attributes Reason: Content-based deduplication can only be set for FIFO topics",
            ));
        }
        let arn = self.topic_arn(name);
        let mut st = lock(&self.state);
        if let Some(t) = st.topics.get(&arn) {
            let same = attributes
                .iter()
                .all(|(k, v)| t.attributes.get(k) == Some(v));
            if !same {
                return Err(SnsError::invalid(
                    "Attributes Reason: Topic already exists with different attributes",
                ));
            }
            return Ok(arn);
        }
        st.topics.insert(
            arn.clone(),
            Topic {
                attributes,
                tags: Vec::new(),
                fifo,
                sequence: 10_000_000_000_000_000_000,
                seen: BTreeMap::new(),
            },
        );
        Ok(arn)
    }

    /// Tags a topic (CreateTopic's `Tags`).
    pub(crate) fn tag_topic(
        &self,
        topic_arn: &str,
        tags: Vec<(String, String)>,
    ) -> Result<(), SnsError> {
        let mut st = lock(&self.state);
        let t = st
            .topics
            .get_mut(topic_arn)
            .ok_or(SnsError::TopicNotFound)?;
        for (k, v) in tags {
            t.tags.retain(|(key, _)| *key != k);
            t.tags.push((k, v));
        }
        Ok(())
    }

    /// `DeleteTopic`, with its subscriptions. Deleting a topic that does not exist is not an
    /// error (the DeleteTopic API reference).
    pub(crate) fn delete_topic(&self, topic_arn: &str) {
        let mut st = lock(&self.state);
        st.topics.remove(topic_arn);
        st.subscriptions.retain(|s| s.topic_arn != topic_arn);
    }

    /// `ListTopics`: every topic ARN, in name order.
    pub(crate) fn list_topics(&self) -> Vec<String> {
        lock(&self.state).topics.keys().cloned().collect()
    }

    /// `GetTopicAttributes`: the attributes AWS lists for a topic.
    pub(crate) fn topic_attributes(
        &self,
        topic_arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        let st = lock(&self.state);
        let t = st.topics.get(topic_arn).ok_or(SnsError::TopicNotFound)?;
        let subs = st
            .subscriptions
            .iter()
            .filter(|s| s.topic_arn == topic_arn)
            .count();
        let mut out = BTreeMap::new();
        out.insert("DisplayName".to_string(), String::new());
        out.insert("EffectiveDeliveryPolicy".to_string(), r#"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}"#.to_string());
        out.insert("Owner".to_string(), self.account_id.clone());
        out.insert("Policy".to_string(), format!(
            r#"{{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{{"AWS":"*"}},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"{topic_arn}","Condition":{{"StringEquals":{{"AWS:SourceOwner":"{}"}}}}}}]}}"#,
            self.account_id
        ));
        out.insert("SubscriptionsConfirmed".to_string(), subs.to_string());
        out.insert("SubscriptionsDeleted".to_string(), "0".to_string());
        out.insert("SubscriptionsPending".to_string(), "0".to_string());
        out.insert("TopicArn".to_string(), topic_arn.to_string());
        if t.fifo {
            out.insert("ContentBasedDeduplication".to_string(), "false".to_string());
        }
        for (k, v) in &t.attributes {
            out.insert(k.clone(), v.clone());
        }
        Ok(out)
    }

    /// `SetTopicAttributes`.
    pub(crate) fn set_topic_attribute(
        &self,
        topic_arn: &str,
        name: &str,
        value: &str,
    ) -> Result<(), SnsError> {
        let mut st = lock(&self.state);
        let t = st
            .topics
            .get_mut(topic_arn)
            .ok_or(SnsError::TopicNotFound)?;
        if !SETTABLE_TOPIC_ATTRIBUTES.contains(&name) || name == "FifoTopic" {
            return Err(SnsError::invalid("AttributeName"));
        }
        if name == "ContentBasedDeduplication" && !t.fifo {
            return Err(SnsError::invalid(
                "AttributeName Reason: Content-based deduplication can only be set for FIFO topics",
            ));
        }
        t.attributes.insert(name.to_string(), value.to_string());
        Ok(())
    }

    /// `Subscribe`: the subscription's ARN. sfn-harness delivers to the `sqs` protocol only; a
    /// subscription that exists already (same topic, protocol and endpoint) is answered again.
    pub fn subscribe(
        &self,
        topic_arn: &str,
        protocol: &str,
        endpoint: &str,
        attributes: BTreeMap<String, String>,
    ) -> Result<String, SnsError> {
        if protocol != "sqs" {
            return Err(SnsError::Unsupported(format!(
                "sfn-harness's SNS delivers only to the sqs protocol, not to '{protocol}' (an sfn-harness gap)"
            )));
        }
        let queue_fifo = match crate::arn::Arn::parse(endpoint) {
            Some(a) if a.service == "sqs" && !a.resource.is_empty() => {
                a.resource.ends_with(".fifo")
            }
            _ => return Err(SnsError::invalid("SQS endpoint ARN")),
        };
        for (k, v) in &attributes {
            if !SETTABLE_SUBSCRIPTION_ATTRIBUTES.contains(&k.as_str()) {
                return Err(SnsError::invalid(format!(
                    "Attributes Reason: Unknown attribute {k}"
                )));
            }
            if k == "FilterPolicy" && !v.trim().is_empty() {
                return Err(SnsError::Unsupported(
                    "sfn-harness's SNS does not apply subscription filter policies (an sfn-harness gap)".into(),
                ));
            }
        }
        let mut st = lock(&self.state);
        let t = st.topics.get(topic_arn).ok_or(SnsError::TopicNotFound)?;
        if queue_fifo != t.fifo {
            return Err(SnsError::invalid(if t.fifo {
                "Invalid parameter: Endpoint Reason: Please use FIFO SQS queue"
            } else {
                "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
            }));
        }
        if let Some(s) = st
            .subscriptions
            .iter()
            .find(|s| s.topic_arn == topic_arn && s.protocol == protocol && s.endpoint == endpoint)
        {
            return Ok(s.arn.clone());
        }
        let arn = format!("{topic_arn}:{}", self.ids.with(Ids::uuid));
        st.subscriptions.push(Sub {
            arn: arn.clone(),
            topic_arn: topic_arn.to_string(),
            protocol: protocol.to_string(),
            endpoint: endpoint.to_string(),
            attributes,
        });
        Ok(arn)
    }

    /// `Unsubscribe`.
    pub(crate) fn unsubscribe(&self, subscription_arn: &str) -> Result<(), SnsError> {
        let mut st = lock(&self.state);
        let before = st.subscriptions.len();
        st.subscriptions.retain(|s| s.arn != subscription_arn);
        if st.subscriptions.len() == before {
            return Err(SnsError::SubscriptionNotFound);
        }
        Ok(())
    }

    /// `ListSubscriptions` (every topic) or `ListSubscriptionsByTopic`.
    pub(crate) fn list_subscriptions(
        &self,
        topic_arn: Option<&str>,
    ) -> Result<Vec<Subscription>, SnsError> {
        let st = lock(&self.state);
        if let Some(t) = topic_arn {
            if !st.topics.contains_key(t) {
                return Err(SnsError::TopicNotFound);
            }
        }
        Ok(st
            .subscriptions
            .iter()
            .filter(|s| topic_arn.is_none_or(|t| s.topic_arn == t))
            .map(|s| Subscription {
                subscription_arn: s.arn.clone(),
                owner: self.account_id.clone(),
                protocol: s.protocol.clone(),
                endpoint: s.endpoint.clone(),
                topic_arn: s.topic_arn.clone(),
            })
            .collect())
    }

    /// `GetSubscriptionAttributes`.
    pub(crate) fn subscription_attributes(
        &self,
        subscription_arn: &str,
    ) -> Result<BTreeMap<String, String>, SnsError> {
        let st = lock(&self.state);
        let s = st
            .subscriptions
            .iter()
            .find(|s| s.arn == subscription_arn)
            .ok_or(SnsError::SubscriptionNotFound)?;
        let mut out = BTreeMap::new();
        out.insert("ConfirmationWasAuthenticated".into(), "true".into());
        out.insert("Endpoint".into(), s.endpoint.clone());
        out.insert("Owner".into(), self.account_id.clone());
        out.insert("PendingConfirmation".into(), "false".into());
        out.insert("Protocol".into(), s.protocol.clone());
        out.insert("RawMessageDelivery".into(), s.raw().to_string());
        out.insert("SubscriptionArn".into(), s.arn.clone());
        out.insert(
            "SubscriptionPrincipal".into(),
            format!("arn:aws:iam::{}:root", self.account_id),
        );
        out.insert("TopicArn".into(), s.topic_arn.clone());
        for (k, v) in &s.attributes {
            out.insert(k.clone(), v.clone());
        }
        Ok(out)
    }

    /// `SetSubscriptionAttributes`.
    pub(crate) fn set_subscription_attribute(
        &self,
        subscription_arn: &str,
        name: &str,
        value: &str,
    ) -> Result<(), SnsError> {
        if !SETTABLE_SUBSCRIPTION_ATTRIBUTES.contains(&name) {
            return Err(SnsError::invalid("AttributeName"));
        }
        if name == "FilterPolicy" && !value.trim().is_empty() {
            return Err(SnsError::Unsupported(
                "sfn-harness's SNS does not apply subscription filter policies (an sfn-harness gap)".into(),
            ));
        }
        let mut st = lock(&self.state);
        let s = st
            .subscriptions
            .iter_mut()
            .find(|s| s.arn == subscription_arn)
            .ok_or(SnsError::SubscriptionNotFound)?;
        s.attributes.insert(name.to_string(), value.to_string());
        Ok(())
    }

    /// `Publish`: validates, answers the message id, and delivers to every subscribed queue.
    pub(crate) fn publish(&self, input: Publish) -> Result<PublishOutput, SnsError> {
        let (out, deliveries) = {
            let mut st = lock(&self.state);
            self.accept(&mut st, input)?
        };
        self.deliver(deliveries);
        Ok(out)
    }

    /// `PublishBatch`: each entry `(Id, Publish)` published as by [`Sns::publish`]; the answer
    /// is per entry, `(Id, result)`. A batch of more than 10 entries, or none, fails as a whole.
    #[allow(clippy::type_complexity)]
    pub(crate) fn publish_batch(
        &self,
        topic_arn: &str,
        entries: Vec<(String, Publish)>,
    ) -> Result<Vec<(String, Result<PublishOutput, SnsError>)>, SnsError> {
        if entries.is_empty() {
            return Err(SnsError::Validation(
                "The batch request doesn't contain any entries".into(),
            ));
        }
        if entries.len() > MAX_BATCH_ENTRIES {
            return Err(SnsError::Validation(format!(
                "The batch request contains more entries than permissible (more than {MAX_BATCH_ENTRIES})."
            )));
        }
        let mut ids: Vec<&str> = entries.iter().map(|(id, _)| id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(SnsError::Validation(
                "Two or more batch entries in the request have the same Id.".into(),
            ));
        }
        if !lock(&self.state).topics.contains_key(topic_arn) {
            return Err(SnsError::TopicNotFound);
        }
        let mut results = Vec::new();
        for (id, mut p) in entries {
            p.topic_arn = topic_arn.to_string();
            results.push((id, self.publish(p)));
        }
        Ok(results)
    }

    /// Validates one publish and records it; the deliveries it makes.
    fn accept(
        &self,
        st: &mut State,
        input: Publish,
    ) -> Result<(PublishOutput, Vec<(String, QueueMessage)>), SnsError> {
        let now = self.clock.now_ms();
        if input.message.is_empty() {
            return Err(SnsError::invalid("Empty message"));
        }
        for (name, a) in &input.message_attributes {
            let base = a.data_type.split('.').next().unwrap_or_default();
            let ok = match base {
                "String" | "Number" => a.string_value.is_some(),
                "Binary" => a.binary_value.is_some(),
                _ => false,
            };
            if !ok {
                return Err(SnsError::InvalidParameterValue(format!(
                    "The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
                )));
            }
        }
        let message = match input.message_structure.as_deref() {
            None => None,
            Some("json") => {
                let parsed: serde_json::Value = serde_json::from_str(&input.message)
                    .map_err(|_| SnsError::invalid("Message Structure - JSON message body failed to parse"))?;
                let pick = |k: &str| parsed.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                let Some(default) = pick("default") else {
                    return Err(SnsError::invalid(
                        "Message Structure - No default entry in JSON message body",
                    ));
                };
                Some(pick("sqs").unwrap_or(default))
            }
            Some(other) => {
                return Err(SnsError::invalid(format!(
                    "MessageStructure Reason: '{other}' is not a valid message structure; the only one is json"
                )))
            }
        };
        let message = message.unwrap_or_else(|| input.message.clone());
        let topic_arn = input.topic_arn.clone();
        let t = st
            .topics
            .get_mut(&topic_arn)
            .ok_or(SnsError::TopicNotFound)?;
        let mut dedup = input.message_deduplication_id.clone();
        if t.fifo {
            // As recorded: services.test_sns_task_service.test_fifo_message_attribute.
            if input.message_group_id.is_none() {
                return Err(SnsError::invalid(
                    "The MessageGroupId parameter is required for FIFO topics",
                ));
            }
            if dedup.is_none() {
                if !is_true(t.attributes.get("ContentBasedDeduplication")) {
                    return Err(SnsError::invalid(
                        "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                    ));
                }
                // "Amazon SNS uses a SHA-256 hash to generate the MessageDeduplicationId using
                // the body of the message" (CreateTopic API reference).
                let digest = Sha256::digest(input.message.as_bytes());
                dedup = Some(digest.iter().map(|b| format!("{b:02x}")).collect());
            }
        } else if input.message_deduplication_id.is_some() {
            return Err(SnsError::invalid(
                "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
            ));
        }
        let message_id = self.ids.with(Ids::uuid);
        let mut sequence_number = None;
        if t.fifo {
            t.seen
                .retain(|_, (at, _)| now.saturating_sub(*at) < DEDUPLICATION_INTERVAL_MS);
            if let Some(key) = &dedup {
                if let Some((_, id)) = t.seen.get(key) {
                    // A duplicate is accepted and not delivered again.
                    t.sequence += 1;
                    return Ok((
                        PublishOutput {
                            message_id: id.clone(),
                            sequence_number: Some(t.sequence.to_string()),
                        },
                        Vec::new(),
                    ));
                }
                t.seen.insert(key.clone(), (now, message_id.clone()));
            }
            t.sequence += 1;
            sequence_number = Some(t.sequence.to_string());
        }
        let fifo = t.fifo;
        let subs: Vec<Sub> = st
            .subscriptions
            .iter()
            .filter(|s| s.topic_arn == topic_arn && s.protocol == "sqs")
            .cloned()
            .collect();
        let notification = Notification {
            message_id: &message_id,
            sequence_number: sequence_number.as_deref(),
            topic_arn: &topic_arn,
            subject: input.subject.as_deref(),
            message: &message,
            timestamp_ms: now,
            region: &self.region,
            attributes: &input.message_attributes,
        };
        let deliveries = subs
            .iter()
            .map(|s| {
                let body = if s.raw() {
                    message.clone()
                } else {
                    notification.json(&s.arn, fifo)
                };
                let message_attributes = if s.raw() {
                    input.message_attributes.clone()
                } else {
                    BTreeMap::new()
                };
                (
                    s.endpoint.clone(),
                    QueueMessage {
                        body,
                        message_attributes,
                        message_group_id: input.message_group_id.clone(),
                        message_deduplication_id: if fifo { dedup.clone() } else { None },
                    },
                )
            })
            .collect();
        Ok((
            PublishOutput {
                message_id,
                sequence_number,
            },
            deliveries,
        ))
    }

    fn deliver(&self, deliveries: Vec<(String, QueueMessage)>) {
        for (queue_arn, message) in deliveries {
            if let Err(e) = self.delivery.deliver(&queue_arn, message) {
                // SNS delivers after Publish answered: a failed delivery is not the
                // publisher's error.
                tracing::warn!(target: "sfn_harness::sns", queue_arn, error = e, "delivery failed");
            }
        }
    }
}

/// One notification, as SNS writes it for a subscriber.
struct Notification<'a> {
    message_id: &'a str,
    sequence_number: Option<&'a str>,
    topic_arn: &'a str,
    subject: Option<&'a str>,
    message: &'a str,
    timestamp_ms: u64,
    region: &'a str,
    attributes: &'a BTreeMap<String, MessageAttribute>,
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

impl Notification<'_> {
    /// The notification JSON for subscription `subscription_arn`, in AWS's layout.
    fn json(&self, subscription_arn: &str, fifo: bool) -> String {
        let timestamp = crate::time::iso8601(self.timestamp_ms);
        let mut fields: Vec<(&str, String)> = vec![
            ("Type", json_string("Notification")),
            ("MessageId", json_string(self.message_id)),
        ];
        if let Some(seq) = self.sequence_number {
            fields.push(("SequenceNumber", json_string(seq)));
        }
        fields.push(("TopicArn", json_string(self.topic_arn)));
        if let Some(s) = self.subject {
            fields.push(("Subject", json_string(s)));
        }
        fields.push(("Message", json_string(self.message)));
        fields.push(("Timestamp", json_string(&timestamp)));
        let host = format!("https://sns.{}.amazonaws.com", self.region);
        if !fifo {
            // The string to sign of a Notification ("Verifying the signatures of Amazon SNS
            // messages"): each key and value on its own line, in this order.
            let mut to_sign = format!(
                "Message\n{}\nMessageId\n{}\n",
                self.message, self.message_id
            );
            if let Some(s) = self.subject {
                to_sign.push_str(&format!("Subject\n{s}\n"));
            }
            to_sign.push_str(&format!(
                "Timestamp\n{timestamp}\nTopicArn\n{}\nType\nNotification\n",
                self.topic_arn
            ));
            let signature = STANDARD.encode(Sha1::digest(to_sign.as_bytes()));
            fields.push(("SignatureVersion", json_string("1")));
            fields.push(("Signature", json_string(&signature)));
            fields.push((
                "SigningCertURL",
                json_string(&format!(
                    "{host}/SimpleNotificationService-sfn-harness-unsigned.pem"
                )),
            ));
        }
        fields.push((
            "UnsubscribeURL",
            json_string(&format!(
                "{host}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"
            )),
        ));
        if !self.attributes.is_empty() {
            // One attribute a line: `"name" : {"Type":"String","Value":"v"}`.
            let lines: Vec<String> = self
                .attributes
                .iter()
                .map(|(k, a)| {
                    let value = match &a.binary_value {
                        Some(b) => STANDARD.encode(b),
                        None => a.string_value.clone().unwrap_or_default(),
                    };
                    format!(
                        "    {} : {{\"Type\":{},\"Value\":{}}}",
                        json_string(k),
                        json_string(&a.data_type),
                        json_string(&value)
                    )
                })
                .collect();
            fields.push((
                "MessageAttributes",
                format!("{{\n{}\n  }}", lines.join(",\n")),
            ));
        }
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("  \"{k}\" : {v}"))
            .collect();
        format!("{{\n{}\n}}", body.join(",\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default)]
    struct Inbox(Mutex<Vec<(String, QueueMessage)>>);
    impl QueueDelivery for Inbox {
        fn deliver(&self, queue_arn: &str, message: QueueMessage) -> Result<(), String> {
            lock(&self.0).push((queue_arn.to_string(), message));
            Ok(())
        }
    }

    fn sns() -> (Sns, Arc<Inbox>) {
        let inbox = Arc::new(Inbox::default());
        let sns = Sns::new(Clock::virtual_at(0), "1", "us-east-1", inbox.clone());
        sns.seed_ids(1);
        (sns, inbox)
    }

    #[test]
    fn fifo_topics_need_a_group_and_deduplicate() {
        let (sns, inbox) = sns();
        let attrs = BTreeMap::from([("FifoTopic".to_string(), "true".to_string())]);
        assert!(sns.create_topic("t", attrs.clone()).is_err());
        let t = sns.create_topic("t.fifo", attrs).unwrap();
        sns.subscribe(&t, "sqs", "arn:aws:sqs:us-east-1:1:q.fifo", BTreeMap::new())
            .unwrap();
        let p = Publish {
            topic_arn: t.clone(),
            message: "m".into(),
            ..Publish::default()
        };
        let e = sns.publish(p.clone()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
        );
        let p = Publish {
            message_group_id: Some("g".into()),
            message_deduplication_id: Some("d".into()),
            ..p
        };
        let a = sns.publish(p.clone()).unwrap();
        let b = sns.publish(p).unwrap();
        assert_eq!(a.message_id, b.message_id);
        assert!(a.sequence_number.unwrap() < b.sequence_number.unwrap());
        let got = lock(&inbox.0);
        assert_eq!(got.len(), 1, "the duplicate is not delivered");
        assert!(got[0].1.body.contains("\"SequenceNumber\" : "));
        assert_eq!(got[0].1.message_group_id.as_deref(), Some("g"));
    }

    #[test]
    fn raw_delivery_sends_the_message_and_its_attributes() {
        let (sns, inbox) = sns();
        let t = sns.create_topic("t", BTreeMap::new()).unwrap();
        let raw = BTreeMap::from([("RawMessageDelivery".to_string(), "true".to_string())]);
        sns.subscribe(&t, "sqs", "arn:aws:sqs:us-east-1:1:raw", raw)
            .unwrap();
        sns.subscribe(&t, "sqs", "arn:aws:sqs:us-east-1:1:env", BTreeMap::new())
            .unwrap();
        let attrs = BTreeMap::from([(
            "k".to_string(),
            MessageAttribute {
                data_type: "String".into(),
                string_value: Some("v".into()),
                binary_value: None,
            },
        )]);
        sns.publish(Publish {
            topic_arn: t,
            message: "{\"a\":1}".into(),
            subject: Some("s".into()),
            message_attributes: attrs,
            ..Publish::default()
        })
        .unwrap();
        let got = lock(&inbox.0);
        assert_eq!(got[0].1.body, "{\"a\":1}");
        assert_eq!(
            got[0].1.message_attributes["k"].string_value.as_deref(),
            Some("v")
        );
        let env: serde_json::Value = serde_json::from_str(&got[1].1.body).unwrap();
        let keys: Vec<&String> = env.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "Type",
                "MessageId",
                "TopicArn",
                "Subject",
                "Message",
                "Timestamp",
                "SignatureVersion",
                "Signature",
                "SigningCertURL",
                "UnsubscribeURL",
                "MessageAttributes"
            ]
        );
        assert_eq!(env["Message"], "{\"a\":1}");
        assert_eq!(env["Timestamp"], "1970-01-01T00:00:00.000Z");
        assert_eq!(
            env["MessageAttributes"]["k"],
            serde_json::json!({"Type": "String", "Value": "v"})
        );
        assert!(got[1]
            .1
            .body
            .starts_with("{\n  \"Type\" : \"Notification\",\n"));
    }

    #[test]
    fn missing_topics_and_subscriptions_are_not_found() {
        let (sns, _) = sns();
        let p = Publish {
            topic_arn: sns.topic_arn("nope"),
            message: "m".into(),
            ..Publish::default()
        };
        assert_eq!(sns.publish(p).unwrap_err(), SnsError::TopicNotFound);
        assert_eq!(
            sns.unsubscribe("arn:aws:sns:us-east-1:1:nope:x")
                .unwrap_err(),
            SnsError::SubscriptionNotFound
        );
        sns.delete_topic("arn:aws:sns:us-east-1:1:nope");
        assert!(sns.list_topics().is_empty());
    }
}
