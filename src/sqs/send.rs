//! Sending: `SendMessage` and `SendMessageBatch`, the validation of a message, FIFO sequence
//! numbers and deduplication, and the [`DeliveryHook`](super::delivery::DeliveryHook) call that
//! decides each accepted message's fate.

use sha2::{Digest, Sha256};

use super::batch::{batch, check_batch};
use super::delivery::Sent;
use super::message::{self, MessageAttributeValue, StoredMessage};
use super::queue;
use super::{md5, secs_to_ms, BatchOutput, SendMessage, SendMessageOutput, Sqs, SqsError, State};
use crate::sync::lock;
use crate::time::Millis;

/// Deduplication interval of FIFO queues.
const DEDUP_WINDOW_MS: Millis = 5 * 60 * 1000;

/// Message group and deduplication ids: 1–128 alphanumeric or punctuation characters.
fn valid_fifo_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.chars().all(|c| c.is_ascii_graphic())
}

impl Sqs {
    /// `SendMessage`. Also the in-process entry point for integrations: same validation, same
    /// result.
    pub(crate) fn send_message(
        &self,
        queue_url: &str,
        message: SendMessage,
    ) -> Result<SendMessageOutput, SqsError> {
        let name = self.name_of(queue_url)?;
        let now = self.clock.now_ms();
        let mut st = lock(&self.state);
        let out = self.enqueue(&mut st, &name, message, now)?;
        if let Some(q) = st.queues.get(&name) {
            q.notify.notify_waiters();
        }
        Ok(out)
    }

    /// `SendMessageBatch`: up to 10 entries, at most 1 MiB (1,048,576 bytes) in total.
    pub(crate) fn send_message_batch(
        &self,
        queue_url: &str,
        entries: Vec<(String, SendMessage)>,
    ) -> Result<BatchOutput<SendMessageOutput>, SqsError> {
        let name = self.name_of(queue_url)?;
        check_batch(
            entries.iter().map(|(id, _)| id.as_str()),
            "SendMessageBatchRequestEntry",
        )?;
        let total: usize = entries.iter().map(|(_, m)| m.size()).sum();
        if total > queue::MAX_MESSAGE_BYTES as usize {
            return Err(SqsError::BatchRequestTooLong(total));
        }
        let now = self.clock.now_ms();
        let mut st = lock(&self.state);
        if !st.queues.contains_key(&name) {
            return Err(SqsError::QueueDoesNotExist);
        }
        let results = entries
            .into_iter()
            .map(|(id, m)| {
                let r = self.enqueue(&mut st, &name, m, now);
                (id, r)
            })
            .collect();
        if let Some(q) = st.queues.get(&name) {
            q.notify.notify_waiters();
        }
        Ok(batch(results))
    }

    fn enqueue(
        &self,
        st: &mut State,
        name: &str,
        m: SendMessage,
        now: Millis,
    ) -> Result<SendMessageOutput, SqsError> {
        let sender = &self.account_id;
        let State {
            queues,
            next_sequence,
            ..
        } = st;
        let q = queues.get_mut(name).ok_or(SqsError::QueueDoesNotExist)?;
        q.expire(now);
        message::validate_body(&m.message_body)?;
        message::validate_attributes(&m.message_attributes)?;
        message::validate_system_attributes(&m.message_system_attributes)?;
        let max = q.config.maximum_message_size().max(0) as usize;
        if m.size() > max {
            return Err(SqsError::InvalidParameterValue(format!(
                "One or more parameters are invalid. Reason: Message must be shorter than {max} bytes."
            )));
        }
        if let Some(d) = m.delay_seconds {
            if !(0..=900).contains(&d) {
                return Err(SqsError::invalid_value(
                    "DelaySeconds",
                    d,
                    "DelaySeconds must be >= 0 and <= 900.",
                ));
            }
        }
        if let Some(g) = &m.message_group_id {
            if !valid_fifo_id(g) {
                return Err(SqsError::invalid_value(
                    "MessageGroupId",
                    g,
                    "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
                ));
            }
        }
        let not_for_type = "The request include parameter that is not valid for this queue type.";
        let md5_of_message_body = md5::md5_of_body(&m.message_body);
        let md5_of_message_attributes = md5::md5_of_attributes(&m.message_attributes);
        let md5_of_message_system_attributes = md5::md5_of_attributes(&m.message_system_attributes);
        let mut sequence_number = None;
        let mut dedup_key = None;
        let mut effective_dedup_id = None;
        if q.fifo {
            if let Some(d) = m.delay_seconds.filter(|d| *d != 0) {
                return Err(SqsError::invalid_value("DelaySeconds", d, not_for_type));
            }
            let Some(group) = &m.message_group_id else {
                return Err(SqsError::MissingParameter("MessageGroupId".into()));
            };
            let dedup_id = match &m.message_deduplication_id {
                Some(d) if !valid_fifo_id(d) => {
                    return Err(SqsError::invalid_value(
                        "MessageDeduplicationId",
                        d,
                        "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
                    ))
                }
                Some(d) => d.clone(),
                None if q.config.content_based_dedup() => {
                    let digest = Sha256::digest(m.message_body.as_bytes());
                    digest.iter().map(|b| format!("{b:02x}")).collect()
                }
                None => {
                    return Err(SqsError::InvalidParameterValue(
                        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
                            .into(),
                    ))
                }
            };
            let key = if q.config.dedup_per_group() {
                format!("{group}\u{0}{dedup_id}")
            } else {
                dedup_id.clone()
            };
            effective_dedup_id = Some(dedup_id);
            if let Some((_, id, seq)) = q.dedup.get(&key) {
                // A duplicate within the deduplication interval: accepted, not enqueued.
                return Ok(SendMessageOutput {
                    message_id: id.clone(),
                    md5_of_message_body,
                    md5_of_message_attributes,
                    md5_of_message_system_attributes,
                    sequence_number: seq.clone(),
                });
            }
            *next_sequence += 1;
            sequence_number = Some(format!("{:020}", *next_sequence));
            dedup_key = Some(key);
        } else if let Some(d) = &m.message_deduplication_id {
            return Err(SqsError::invalid_value(
                "MessageDeduplicationId",
                d,
                not_for_type,
            ));
        }
        // A FIFO queue's messages all take the queue's delay (a per-message DelaySeconds other
        // than 0 was refused above; 0 "defaults to the queue delay": LocalStack's AWS-validated
        // `test_fifo_queue_send_message_with_zero_delay_defaults_to_queue_delay`).
        let delay = match m.delay_seconds {
            Some(d) if !q.fifo => d,
            _ => q.config.delay_seconds(),
        };
        let mut system_attributes = m.message_system_attributes;
        if !system_attributes.contains_key("AWSTraceHeader") {
            if let Some(trace) = super::region::trace_header() {
                system_attributes.insert(
                    "AWSTraceHeader".into(),
                    MessageAttributeValue {
                        data_type: "String".into(),
                        string_value: Some(trace),
                        binary_value: None,
                    },
                );
            }
        }
        let message_id = self.request_id();
        if let Some(key) = dedup_key {
            q.dedup.insert(
                key,
                (
                    now.saturating_add(DEDUP_WINDOW_MS),
                    message_id.clone(),
                    sequence_number.clone(),
                ),
            );
        }
        let stored = StoredMessage {
            id: message_id.clone(),
            body: m.message_body,
            md5_of_body: md5_of_message_body.clone(),
            attributes: m.message_attributes,
            system_attributes,
            sent_at: now,
            last_received_at: None,
            visible_at: now.saturating_add(secs_to_ms(delay)),
            receive_count: 0,
            first_received_at: None,
            receipt: None,
            group_id: m.message_group_id,
            dedup_id: effective_dedup_id,
            sequence_number: sequence_number.clone(),
            sender_id: sender.to_string(),
            dead_letter_source_arn: None,
            copy: 0,
        };
        let fate = self
            .hook()
            .map(|h| {
                h.on_send(&Sent {
                    queue_name: name,
                    fifo: q.fifo,
                    message_id: &message_id,
                    body: &stored.body,
                })
            })
            .unwrap_or_default();
        if !fate.lose {
            let mut stored = stored;
            stored.visible_at = stored.visible_at.saturating_add(fate.delay_ms);
            let copies: Vec<StoredMessage> = if q.fifo {
                Vec::new()
            } else {
                fate.duplicates
                    .iter()
                    .zip(1u32..)
                    .map(|(after, copy)| StoredMessage {
                        copy,
                        visible_at: stored.visible_at.saturating_add(*after),
                        ..stored.clone()
                    })
                    .collect()
            };
            q.messages.push_back(stored);
            q.messages.extend(copies);
        }
        Ok(SendMessageOutput {
            message_id,
            md5_of_message_body,
            md5_of_message_attributes,
            md5_of_message_system_attributes,
            sequence_number,
        })
    }
}
