//! The inputs and outputs of the SQS operations, as plain Rust values.
//!
//! Field names follow the SQS API members (`QueueUrl` → `queue_url`). Integer parameters are
//! `i64` so that out-of-range values reach the engine and get AWS's own error.

use std::collections::BTreeMap;

use super::message::MessageAttributeValue;

/// `CreateQueue` input.
///
/// ```
/// # use sfn_harness::internals::*;
/// # use sfn_harness::time::Clock;
/// # let sqs = Sqs::new(Clock::virtual_at(0), "123456789012", "us-east-1", "http://127.0.0.1:1");
/// let url = sqs.create_queue(CreateQueue {
///     queue_name: "orders.fifo".into(),
///     attributes: [
///         ("FifoQueue".to_string(), "true".to_string()),
///         ("ContentBasedDeduplication".to_string(), "true".to_string()),
///     ]
///     .into(),
///     ..Default::default()
/// })?;
/// let mut m = SendMessage::body("one");
/// m.message_group_id = Some("customer-1".into());
/// let first = sqs.send_message(&url, m.clone())?;
/// // The same body again within five minutes: accepted, deduplicated.
/// assert_eq!(sqs.send_message(&url, m)?.message_id, first.message_id);
/// # Ok::<(), SqsError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub(crate) struct CreateQueue {
    /// The queue name (`.fifo` suffix and `FifoQueue=true` for a FIFO queue).
    pub queue_name: String,
    /// Queue attributes, by name, as strings.
    pub attributes: BTreeMap<String, String>,
    /// Tags to put on a new queue.
    pub tags: BTreeMap<String, String>,
}

/// `ListQueues` input.
///
/// ```
/// # use sfn_harness::internals::*;
/// # use sfn_harness::time::Clock;
/// # let sqs = Sqs::new(Clock::virtual_at(0), "123456789012", "us-east-1", "http://127.0.0.1:1");
/// for name in ["a1", "a2", "b1"] {
///     sqs.create_queue(CreateQueue { queue_name: name.into(), ..Default::default() })?;
/// }
/// let page = |next_token| ListQueues {
///     queue_name_prefix: Some("a".into()),
///     max_results: Some(1),
///     next_token,
/// };
/// let first = sqs.list_queues(page(None))?;
/// assert_eq!(first.queue_urls, ["http://127.0.0.1:1/123456789012/a1"]);
/// let second = sqs.list_queues(page(first.next_token))?;
/// assert_eq!(second.queue_urls, ["http://127.0.0.1:1/123456789012/a2"]);
/// assert_eq!(second.next_token, None);
/// # Ok::<(), SqsError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub(crate) struct ListQueues {
    /// Only queues whose names start with this.
    pub queue_name_prefix: Option<String>,
    /// Page size, 1–1000.
    pub max_results: Option<i64>,
    /// The token from the previous page.
    pub next_token: Option<String>,
}

/// `ListQueues` output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ListQueuesOutput {
    /// Queue URLs, sorted by name.
    pub queue_urls: Vec<String>,
    /// Present when more queues follow.
    pub next_token: Option<String>,
}

/// One message to send: the `SendMessage` input without the queue, and a
/// `SendMessageBatchRequestEntry` without its id.
///
/// ```
/// # use sfn_harness::internals::*;
/// # use sfn_harness::time::Clock;
/// # let sqs = Sqs::new(Clock::virtual_at(0), "123456789012", "us-east-1", "http://127.0.0.1:1");
/// # let url = sqs.create_queue(CreateQueue { queue_name: "jobs".into(), ..Default::default() })?;
/// let mut m = SendMessage::body("resize photo 7");
/// m.delay_seconds = Some(10);
/// m.message_attributes.insert("size".into(), MessageAttributeValue::number("640"));
/// let sent = sqs.send_message(&url, m)?;
/// assert_eq!(sent.md5_of_message_body.len(), 32);
/// assert!(sent.md5_of_message_attributes.is_some());
/// // Delayed: invisible for its first ten seconds.
/// let delayed = ["ApproximateNumberOfMessagesDelayed".to_string()];
/// assert_eq!(sqs.get_queue_attributes(&url, &delayed)?[0].1, "1");
/// # Ok::<(), SqsError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub(crate) struct SendMessage {
    /// The message body.
    pub message_body: String,
    /// Per-message delay, 0–900 seconds (standard queues only).
    pub delay_seconds: Option<i64>,
    /// User message attributes.
    pub message_attributes: BTreeMap<String, MessageAttributeValue>,
    /// System message attributes (`AWSTraceHeader`).
    pub message_system_attributes: BTreeMap<String, MessageAttributeValue>,
    /// FIFO deduplication id.
    pub message_deduplication_id: Option<String>,
    /// FIFO (or fair-queue) message group id.
    pub message_group_id: Option<String>,
}

impl SendMessage {
    /// A message with just a body.
    pub(crate) fn body(body: impl Into<String>) -> SendMessage {
        SendMessage {
            message_body: body.into(),
            ..SendMessage::default()
        }
    }

    pub(crate) fn size(&self) -> usize {
        self.message_body.len()
            + self
                .message_attributes
                .iter()
                .map(|(k, v)| v.size(k))
                .sum::<usize>()
    }
}

/// `SendMessage` output (and a `SendMessageBatchResultEntry` without its id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SendMessageOutput {
    /// The message id.
    pub message_id: String,
    /// Hex MD5 of the body.
    pub md5_of_message_body: String,
    /// MD5 of the user attributes, when there are any.
    pub md5_of_message_attributes: Option<String>,
    /// MD5 of the system attributes, when there are any.
    pub md5_of_message_system_attributes: Option<String>,
    /// FIFO sequence number.
    pub sequence_number: Option<String>,
}

/// `ReceiveMessage` input.
///
/// ```
/// # use sfn_harness::internals::*;
/// # use sfn_harness::time::Clock;
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), SqsError> {
/// # let sqs = Sqs::new(Clock::virtual_at(0), "123456789012", "us-east-1", "http://127.0.0.1:1");
/// # let url = sqs.create_queue(CreateQueue { queue_name: "jobs".into(), ..Default::default() })?;
/// let mut m = SendMessage::body("hello");
/// m.message_attributes.insert("lang".into(), MessageAttributeValue::string("en"));
/// m.message_attributes.insert("trace".into(), MessageAttributeValue::string("t-1"));
/// sqs.send_message(&url, m)?;
/// let got = sqs
///     .receive_message(ReceiveMessage {
///         queue_url: url.clone(),
///         max_number_of_messages: Some(10),
///         wait_time_seconds: Some(20), // a long poll: it returns at once when a message is there
///         message_system_attribute_names: vec!["SentTimestamp".into()],
///         message_attribute_names: vec!["lang".into()],
///         ..Default::default()
///     })
///     .await?;
/// assert_eq!(got.len(), 1);
/// assert_eq!(got[0].message_attributes.keys().collect::<Vec<_>>(), ["lang"]);
/// assert_eq!(got[0].attribute("SentTimestamp"), Some("0"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub(crate) struct ReceiveMessage {
    /// The queue.
    pub queue_url: String,
    /// System attributes to return (the deprecated `AttributeNames`).
    pub attribute_names: Vec<String>,
    /// System attributes to return.
    pub message_system_attribute_names: Vec<String>,
    /// User attributes to return: names, `All`, `.*` or `prefix.*`.
    pub message_attribute_names: Vec<String>,
    /// 1–10, default 1.
    pub max_number_of_messages: Option<i64>,
    /// Visibility timeout for the received messages, 0–43,200 seconds.
    pub visibility_timeout: Option<i64>,
    /// Long-poll time, 0–20 seconds; defaults to the queue's `ReceiveMessageWaitTimeSeconds`.
    pub wait_time_seconds: Option<i64>,
    /// FIFO receive-attempt id (accepted, not used for deduplication).
    pub receive_request_attempt_id: Option<String>,
}

/// A received message.
/// What a worker needs to process it (`body`) and then to delete it or change its visibility
/// (`receipt_handle`, new for every receive).
///
/// ```
/// # use sfn_harness::internals::*;
/// # use sfn_harness::time::Clock;
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), SqsError> {
/// # let sqs = Sqs::new(Clock::virtual_at(0), "123456789012", "us-east-1", "http://127.0.0.1:1");
/// # let url = sqs.create_queue(CreateQueue { queue_name: "jobs".into(), ..Default::default() })?;
/// sqs.send_message(&url, SendMessage::body("job"))?;
/// let receive = ReceiveMessage {
///     queue_url: url.clone(),
///     message_system_attribute_names: vec!["All".into()],
///     ..Default::default()
/// };
/// let m = sqs.receive_message(receive.clone()).await?.remove(0);
/// assert_eq!((m.body.as_str(), m.attribute("ApproximateReceiveCount")), ("job", Some("1")));
/// sqs.delete_message(&url, &m.receipt_handle)?;
/// assert!(sqs.receive_message(receive).await?.is_empty());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// The message id.
    pub message_id: String,
    /// The receipt handle of this receive.
    pub receipt_handle: String,
    /// Hex MD5 of the body.
    pub md5_of_body: String,
    /// The body.
    pub body: String,
    /// The requested system attributes, in AWS's order.
    pub attributes: Vec<(String, String)>,
    /// MD5 of the returned user attributes.
    pub md5_of_message_attributes: Option<String>,
    /// The requested user attributes.
    pub message_attributes: BTreeMap<String, MessageAttributeValue>,
}

impl ReceivedMessage {
    /// A system attribute by name.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A failed batch entry (`BatchResultErrorEntry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BatchFailure {
    /// The entry id.
    pub id: String,
    /// Whether the caller is at fault.
    pub sender_fault: bool,
    /// The awsQuery error code.
    pub code: String,
    /// The error message.
    pub message: String,
}

/// The result of a batch operation: per-entry successes and failures.
///
/// ```
/// # use sfn_harness::internals::*;
/// # use sfn_harness::time::Clock;
/// # let sqs = Sqs::new(Clock::virtual_at(0), "123456789012", "us-east-1", "http://127.0.0.1:1");
/// # let url = sqs.create_queue(CreateQueue { queue_name: "jobs".into(), ..Default::default() })?;
/// let out = sqs.send_message_batch(
///     &url,
///     vec![
///         ("ok".into(), SendMessage::body("fine")),
///         ("bad".into(), SendMessage::body("")), // an empty body is refused
///     ],
/// )?;
/// assert_eq!(out.successful[0].0, "ok");
/// assert_eq!((out.failed[0].id.as_str(), out.failed[0].sender_fault), ("bad", true));
/// # Ok::<(), SqsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BatchOutput<T> {
    /// Successful entries, by id, in request order.
    pub successful: Vec<(String, T)>,
    /// Failed entries, in request order.
    pub failed: Vec<BatchFailure>,
}

/// A `ChangeMessageVisibilityBatchRequestEntry`.
///
/// ```
/// # use sfn_harness::internals::*;
/// # use sfn_harness::time::Clock;
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), SqsError> {
/// # let sqs = Sqs::new(Clock::virtual_at(0), "123456789012", "us-east-1", "http://127.0.0.1:1");
/// # let url = sqs.create_queue(CreateQueue { queue_name: "jobs".into(), ..Default::default() })?;
/// sqs.send_message(&url, SendMessage::body("job"))?;
/// let receive = ReceiveMessage { queue_url: url.clone(), ..Default::default() };
/// let m = sqs.receive_message(receive.clone()).await?.remove(0);
/// let entry = ChangeVisibilityEntry {
///     id: "1".into(),
///     receipt_handle: m.receipt_handle,
///     visibility_timeout: 0, // visible again at once
/// };
/// let out = sqs.change_message_visibility_batch(&url, vec![entry])?;
/// assert!(out.failed.is_empty());
/// assert_eq!(sqs.receive_message(receive).await?[0].body, "job");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub(crate) struct ChangeVisibilityEntry {
    /// The entry id.
    pub id: String,
    /// The receipt handle.
    pub receipt_handle: String,
    /// The new timeout in seconds.
    pub visibility_timeout: i64,
}
