//! The inputs and outputs of the SQS operations, as plain Rust values.
//!
//! Field names follow the SQS API members (`QueueUrl` → `queue_url`). Integer parameters are
//! `i64` so that out-of-range values reach the engine and get AWS's own error.

use std::collections::BTreeMap;

use super::message::MessageAttributeValue;

/// `CreateQueue` input.
///
/// Example: the unit test `sqs_types_12` in `src/tests/doc_examples.rs`.
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
/// Example: the unit test `sqs_types_44` in `src/tests/doc_examples.rs`.
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
/// Example: the unit test `sqs_types_85` in `src/tests/doc_examples.rs`.
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
    #[cfg(test)]
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
/// Example: the unit test `sqs_types_153` in `src/tests/doc_examples.rs`.
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
    #[allow(dead_code)]
    pub receive_request_attempt_id: Option<String>,
}

/// A received message.
/// What a worker needs to process it (`body`) and then to delete it or change its visibility
/// (`receipt_handle`, new for every receive).
///
/// Example: the unit test `sqs_types_202` in `src/tests/doc_examples.rs`.
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
/// Example: the unit test `sqs_types_263` in `src/tests/doc_examples.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BatchOutput<T> {
    /// Successful entries, by id, in request order.
    pub successful: Vec<(String, T)>,
    /// Failed entries, in request order.
    pub failed: Vec<BatchFailure>,
}

/// A `ChangeMessageVisibilityBatchRequestEntry`.
///
/// Example: the unit test `sqs_types_289` in `src/tests/doc_examples.rs`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChangeVisibilityEntry {
    /// The entry id.
    pub id: String,
    /// The receipt handle.
    pub receipt_handle: String,
    /// The new timeout in seconds.
    pub visibility_timeout: i64,
}
