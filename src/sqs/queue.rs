//! Queues: names, settable attributes with AWS's ranges and defaults, and the stored state.
//!
//! Ranges and defaults are those of the `SetQueueAttributes` reference: `DelaySeconds` 0–900
//! (0), `MaximumMessageSize` 1,024–1,048,576 (1,048,576: AWS raised it from 256 KiB to 1 MiB in
//! August 2025, "Amazon SQS increases maximum message payload size to 1 MiB"),
//! `MessageRetentionPeriod` 60–1,209,600
//! (345,600), `ReceiveMessageWaitTimeSeconds` 0–20 (0), `VisibilityTimeout` 0–43,200 (30),
//! `RedrivePolicy` `{"deadLetterTargetArn", "maxReceiveCount" 1–1000}`; FIFO queues add
//! `FifoQueue`, `ContentBasedDeduplication`, `DeduplicationScope` (`queue` | `messageGroup`) and
//! `FifoThroughputLimit` (`perQueue` | `perMessageGroupId`).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use tokio::sync::Notify;

use super::error::SqsError;
use super::message::StoredMessage;
use crate::arn::Arn;
use crate::time::Millis;

/// The attributes a client may set, in the order `GetQueueAttributes` with `All` lists them
/// (after the read-only counters and timestamps).
pub(crate) const SETTABLE: &[&str] = &[
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "Policy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "RedriveAllowPolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
];

const FIFO_ONLY: &[&str] = &[
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
];

/// The largest message (and batch) AWS accepts, and the default `MaximumMessageSize`: 1 MiB.
pub(crate) const MAX_MESSAGE_BYTES: i64 = 1_048_576;

/// The read-only attributes, in AWS's order.
pub(crate) const READ_ONLY: &[&str] = &[
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
];

/// A parsed redrive policy.
///
/// After `max_receive_count` receives a message moves to the dead-letter queue. Set it as a
/// queue's `RedrivePolicy` attribute with [`RedrivePolicy::to_json`].
///
/// Example: the unit test `sqs_queue_67` in `src/tests/doc_examples.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RedrivePolicy {
    /// The ARN of the dead-letter queue.
    pub dead_letter_target_arn: String,
    /// How many receives a message gets before it is moved.
    pub max_receive_count: u32,
}

impl RedrivePolicy {
    /// The canonical JSON text AWS returns for the policy.
    pub(crate) fn to_json(&self) -> String {
        serde_json::json!({
            "deadLetterTargetArn": self.dead_letter_target_arn,
            "maxReceiveCount": self.max_receive_count,
        })
        .to_string()
    }
}

/// A queue's configuration: the canonical string value of every attribute that is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueueConfig {
    pub values: BTreeMap<String, String>,
}

impl QueueConfig {
    pub(crate) fn defaults(fifo: bool) -> QueueConfig {
        let mut values = BTreeMap::new();
        for (k, v) in [
            ("VisibilityTimeout", "30"),
            ("MaximumMessageSize", "1048576"),
            ("MessageRetentionPeriod", "345600"),
            ("DelaySeconds", "0"),
            ("ReceiveMessageWaitTimeSeconds", "0"),
            ("SqsManagedSseEnabled", "true"),
        ] {
            values.insert(k.to_string(), v.to_string());
        }
        if fifo {
            for (k, v) in [
                ("FifoQueue", "true"),
                ("ContentBasedDeduplication", "false"),
                ("DeduplicationScope", "queue"),
                ("FifoThroughputLimit", "perQueue"),
            ] {
                values.insert(k.to_string(), v.to_string());
            }
        }
        QueueConfig { values }
    }

    fn int(&self, name: &str, default: i64) -> i64 {
        self.values
            .get(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    pub(crate) fn visibility_timeout(&self) -> i64 {
        self.int("VisibilityTimeout", 30)
    }
    pub(crate) fn delay_seconds(&self) -> i64 {
        self.int("DelaySeconds", 0)
    }
    pub(crate) fn maximum_message_size(&self) -> i64 {
        self.int("MaximumMessageSize", MAX_MESSAGE_BYTES)
    }
    pub(crate) fn retention_seconds(&self) -> i64 {
        self.int("MessageRetentionPeriod", 345_600)
    }
    pub(crate) fn wait_time_seconds(&self) -> i64 {
        self.int("ReceiveMessageWaitTimeSeconds", 0)
    }
    pub(crate) fn content_based_dedup(&self) -> bool {
        self.values
            .get("ContentBasedDeduplication")
            .map(String::as_str)
            == Some("true")
    }
    pub(crate) fn dedup_per_group(&self) -> bool {
        self.values.get("DeduplicationScope").map(String::as_str) == Some("messageGroup")
    }
    pub(crate) fn redrive_policy(&self) -> Option<RedrivePolicy> {
        let text = self.values.get("RedrivePolicy")?;
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        Some(RedrivePolicy {
            dead_letter_target_arn: v.get("deadLetterTargetArn")?.as_str()?.to_string(),
            max_receive_count: u32::try_from(v.get("maxReceiveCount")?.as_u64()?).ok()?,
        })
    }
}

/// What AWS does beyond storing the attributes of one Create/SetQueueAttributes request, as
/// LocalStack's AWS-validated `test_set_queue_attributes_default_values` recorded it: a KMS key
/// replaces SQS-managed encryption (`SqsManagedSseEnabled` becomes `false` unless the request
/// sets it too), and `KmsDataKeyReusePeriodSeconds` is dropped with the key.
pub(crate) fn apply_sse_rules(config: &mut QueueConfig, request: &BTreeMap<String, String>) {
    if request.get("KmsMasterKeyId").is_some_and(|k| !k.is_empty())
        && !request.contains_key("SqsManagedSseEnabled")
    {
        config
            .values
            .insert("SqsManagedSseEnabled".into(), "false".into());
    }
    if !config.values.contains_key("KmsMasterKeyId") {
        config.values.remove("KmsDataKeyReusePeriodSeconds");
    }
}

/// Checks a queue name; `fifo` says whether the queue is being created as FIFO.
pub(crate) fn validate_name(name: &str, fifo: bool) -> Result<(), SqsError> {
    let stem = if fifo {
        name.strip_suffix(".fifo")
    } else {
        Some(name)
    };
    let ok = stem.is_some_and(|s| {
        !s.is_empty()
            && name.len() <= 80
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    if ok {
        return Ok(());
    }
    Err(SqsError::InvalidParameterValue(if fifo {
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.".into()
    } else {
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
            .into()
    }))
}

fn invalid_attr(name: &str) -> SqsError {
    SqsError::InvalidAttributeValue(format!("Invalid value for the parameter {name}."))
}

fn int_in(name: &str, value: &str, lo: i64, hi: i64) -> Result<String, SqsError> {
    match value.trim().parse::<i64>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n.to_string()),
        _ => Err(invalid_attr(name)),
    }
}

fn boolean(name: &str, value: &str) -> Result<String, SqsError> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok("true".into()),
        "false" => Ok("false".into()),
        _ => Err(invalid_attr(name)),
    }
}

/// Validates one settable attribute and returns its canonical value. `None` means "unset"
/// (an empty `RedrivePolicy`). `queue_exists` checks a dead-letter ARN and returns whether the
/// target is FIFO.
pub(crate) fn canonical_attribute(
    name: &str,
    value: &str,
    fifo: bool,
    dlq_lookup: &dyn Fn(&str) -> Option<bool>,
) -> Result<Option<String>, SqsError> {
    if !SETTABLE.contains(&name) || (!fifo && FIFO_ONLY.contains(&name) && name != "FifoQueue") {
        return Err(SqsError::InvalidAttributeName(format!(
            "Unknown Attribute {name}."
        )));
    }
    if name == "FifoQueue" && !fifo {
        // `FifoQueue=false` is accepted on a standard queue and stored as nothing.
        boolean(name, value)?;
        return if value.eq_ignore_ascii_case("false") {
            Ok(None)
        } else {
            Err(invalid_attr(name))
        };
    }
    let v = match name {
        "VisibilityTimeout" => int_in(name, value, 0, 43_200)?,
        "MaximumMessageSize" => int_in(name, value, 1_024, MAX_MESSAGE_BYTES)?,
        "MessageRetentionPeriod" => int_in(name, value, 60, 1_209_600)?,
        "DelaySeconds" => int_in(name, value, 0, 900)?,
        "ReceiveMessageWaitTimeSeconds" => int_in(name, value, 0, 20)?,
        "KmsDataKeyReusePeriodSeconds" => int_in(name, value, 60, 86_400)?,
        "SqsManagedSseEnabled" | "ContentBasedDeduplication" => boolean(name, value)?,
        "FifoQueue" => {
            let b = boolean(name, value)?;
            if (b == "true") != fifo {
                return Err(invalid_attr(name));
            }
            b
        }
        "DeduplicationScope" => match value {
            "queue" | "messageGroup" => value.to_string(),
            _ => return Err(invalid_attr(name)),
        },
        "FifoThroughputLimit" => match value {
            "perQueue" | "perMessageGroupId" => value.to_string(),
            _ => return Err(invalid_attr(name)),
        },
        // An empty policy removes it (recorded against AWS by LocalStack,
        // `test_set_empty_queue_policy`: the attribute is gone from GetQueueAttributes after).
        "Policy" if value.is_empty() => return Ok(None),
        // An empty key turns SSE-KMS off: the attribute is gone from GetQueueAttributes after
        // (LocalStack's AWS-validated `test_set_queue_attributes_default_values`).
        "KmsMasterKeyId" if value.is_empty() => return Ok(None),
        "RedrivePolicy" => {
            if value.is_empty() {
                return Ok(None);
            }
            parse_redrive_policy(value, fifo, dlq_lookup)?.to_json()
        }
        _ => value.to_string(),
    };
    Ok(Some(v))
}

fn parse_redrive_policy(
    text: &str,
    fifo: bool,
    dlq_lookup: &dyn Fn(&str) -> Option<bool>,
) -> Result<RedrivePolicy, SqsError> {
    let bad = |reason: &str| SqsError::invalid_value("RedrivePolicy", text, reason);
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|_| bad("Redrive policy is not a valid JSON map."))?;
    let obj = v
        .as_object()
        .ok_or_else(|| bad("Redrive policy is not a valid JSON map."))?;
    let arn = match obj.get("deadLetterTargetArn") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return Err(bad("Invalid value for deadLetterTargetArn.")),
        None => {
            return Err(bad(
                "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.",
            ))
        }
    };
    let count = match obj.get("maxReceiveCount") {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
        None => {
            return Err(bad(
                "Redrive policy does not contain mandatory attribute: maxReceiveCount.",
            ))
        }
    };
    let count = match count {
        Some(n) if (1..=1000).contains(&n) => n as u32,
        other => {
            let shown = other.map_or_else(
                || {
                    obj.get("maxReceiveCount")
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                },
                |n| n.to_string(),
            );
            return Err(bad(&format!(
                "Invalid value for maxReceiveCount: {shown}, valid values are from 1 to 1000 both inclusive."
            )));
        }
    };
    if parse_arn(&arn).is_none() {
        return Err(bad("Invalid value for deadLetterTargetArn."));
    }
    match dlq_lookup(&arn) {
        None => Err(bad("Dead letter target does not exist.")),
        Some(dlq_fifo) if dlq_fifo != fifo => Err(bad(
            "Dead-letter queue must be same type of queue as the source.",
        )),
        Some(_) => Ok(RedrivePolicy {
            dead_letter_target_arn: arn,
            max_receive_count: count,
        }),
    }
}

/// Splits `arn:aws:sqs:<region>:<account>:<name>` into (region, account, name).
pub(crate) fn parse_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let a = Arn::parse(arn)?;
    if a.partition.is_empty() || a.service != "sqs" || a.account.is_empty() {
        return None;
    }
    if a.resource.is_empty() || a.resource.contains(':') {
        return None;
    }
    Some((a.region, a.account, a.resource))
}

/// A queue and everything in it.
#[derive(Debug)]
pub(crate) struct Queue {
    pub name: String,
    pub arn: String,
    pub fifo: bool,
    pub config: QueueConfig,
    pub created_at: Millis,
    pub modified_at: Millis,
    pub tags: BTreeMap<String, String>,
    /// Messages in send order. A deque: the oldest are received and deleted first, and
    /// removing one near the front moves only the messages before it (a `Vec` moved all
    /// those after it: issue 13, 100,000 parked callbacks).
    pub messages: VecDeque<StoredMessage>,
    /// FIFO deduplication: key → (expiry, message id, sequence number).
    pub dedup: HashMap<String, (Millis, String, Option<String>)>,
    pub last_purge: Option<Millis>,
    /// Woken whenever a message may have become receivable.
    pub notify: Arc<Notify>,
    /// The instant and retention of the last [`Queue::expire`] scan: another one at the same
    /// instant with the same retention finds nothing (a message sent since was sent *now*),
    /// so it is skipped. Every queue call expires first; without this each one scanned all
    /// messages (issue 13: O(n²) with 10,000 parked callbacks). Cleared when a message that
    /// was sent earlier (a moved or dead-lettered one) is added.
    pub expired_at: Option<(Millis, u64)>,
}

impl Queue {
    /// Drops messages past the retention period and stale deduplication entries.
    pub(crate) fn expire(&mut self, now: Millis) {
        let retention = (self.config.retention_seconds().max(0) as u64).saturating_mul(1000);
        if self.expired_at == Some((now, retention)) {
            return;
        }
        self.messages
            .retain(|m| m.sent_at.saturating_add(retention) > now);
        self.dedup.retain(|_, (until, _, _)| *until > now);
        self.expired_at = Some((now, retention));
    }

    /// The earliest future time at which some message becomes visible.
    pub(crate) fn next_visible(&self, now: Millis) -> Option<Millis> {
        self.messages
            .iter()
            .map(|m| m.visible_at)
            .filter(|t| *t > now)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("a-b_C1", false).is_ok());
        assert!(validate_name("q.fifo", true).is_ok());
        assert!(validate_name("q.fifo", false).is_err());
        assert!(validate_name("q", true).is_err());
        assert!(validate_name(&"x".repeat(81), false).is_err());
        assert!(validate_name("", false).is_err());
    }

    #[test]
    fn attributes() {
        let none = |_: &str| None;
        assert_eq!(
            canonical_attribute("DelaySeconds", "900", false, &none).unwrap(),
            Some("900".into())
        );
        assert_eq!(
            canonical_attribute("DelaySeconds", "901", false, &none)
                .unwrap_err()
                .query_code(),
            "InvalidAttributeValue"
        );
        assert_eq!(
            canonical_attribute("Nope", "1", false, &none)
                .unwrap_err()
                .message(),
            "Unknown Attribute Nope."
        );
        let exists = |_: &str| Some(false);
        let p = canonical_attribute(
            "RedrivePolicy",
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":"3"}"#,
            false,
            &exists,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            p,
            r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":3}"#
        );
        let e = canonical_attribute(
            "RedrivePolicy",
            r#"{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}"#,
            false,
            &exists,
        )
        .unwrap_err();
        // Recorded against AWS by LocalStack (test_invalid_dead_letter_arn_rejected_before_lookup).
        assert_eq!(
            e.message(),
            r#"Value {"deadLetterTargetArn": "dummy", "maxReceiveCount": 42} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn."#
        );
    }
}
