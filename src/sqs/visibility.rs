//! After a receive: `DeleteMessage`, `ChangeMessageVisibility` and their batches, with the
//! receipt-handle rules of standard and FIFO queues.

use super::batch::{batch, check_batch};
use super::message;
use super::{secs_to_ms, BatchOutput, ChangeVisibilityEntry, Sqs, SqsError};
use crate::time::Millis;

/// The most a message's visibility can be extended to, from its latest receive.
const MAX_VISIBILITY_MS: Millis = 43_200 * 1000;

impl Sqs {
    /// `DeleteMessage`. A well-formed handle of a message that is already gone succeeds, as in
    /// AWS; on a standard queue an older handle of the message still deletes it; on a FIFO queue
    /// a handle whose visibility timeout has passed is rejected as expired.
    pub(crate) fn delete_message(
        &self,
        queue_url: &str,
        receipt_handle: &str,
    ) -> Result<(), SqsError> {
        if receipt_handle.is_empty() {
            return Err(SqsError::MissingParameter("ReceiptHandle".into()));
        }
        self.with_queue(queue_url, |q, now| {
            let r = message::parse_receipt(receipt_handle)
                .filter(|r| r.queue == q.name)
                .ok_or_else(|| SqsError::ReceiptHandleIsInvalid(receipt_handle.to_string()))?;
            let Some(i) = q.messages.iter().position(|m| m.has_key(&r.message_id)) else {
                return Ok(());
            };
            if q.fifo {
                let m = &q.messages[i];
                if m.receipt.as_deref() != Some(receipt_handle) || m.visible_at <= now {
                    return Err(SqsError::invalid_value(
                        "ReceiptHandle",
                        receipt_handle,
                        "The receipt handle has expired.",
                    ));
                }
            }
            q.messages.remove(i);
            // The group of a FIFO message may be free now.
            q.notify.notify_waiters();
            Ok(())
        })
    }

    /// `DeleteMessageBatch`: entries are `(id, receipt handle)`.
    pub(crate) fn delete_message_batch(
        &self,
        queue_url: &str,
        entries: Vec<(String, String)>,
    ) -> Result<BatchOutput<()>, SqsError> {
        self.name_of(queue_url)?;
        check_batch(
            entries.iter().map(|(id, _)| id.as_str()),
            "DeleteMessageBatchRequestEntry",
        )?;
        self.with_queue(queue_url, |_, _| Ok(()))?;
        let results = entries
            .into_iter()
            .map(|(id, h)| {
                let r = self.delete_message(queue_url, &h);
                (id, r)
            })
            .collect();
        Ok(batch(results))
    }

    /// `ChangeMessageVisibility`: makes an in-flight message visible again after
    /// `visibility_timeout` seconds from now (0 = at once).
    pub(crate) fn change_message_visibility(
        &self,
        queue_url: &str,
        receipt_handle: &str,
        visibility_timeout: i64,
    ) -> Result<(), SqsError> {
        if receipt_handle.is_empty() {
            return Err(SqsError::MissingParameter("ReceiptHandle".into()));
        }
        if !(0..=43_200).contains(&visibility_timeout) {
            return Err(SqsError::invalid_value(
                "VisibilityTimeout",
                visibility_timeout,
                "Must be >= 0 and <= 43200, if provided.",
            ));
        }
        self.with_queue(queue_url, |q, now| {
            let r = message::parse_receipt(receipt_handle)
                .filter(|r| r.queue == q.name)
                .ok_or_else(|| SqsError::ReceiptHandleIsInvalid(receipt_handle.to_string()))?;
            let fifo = q.fifo;
            let m = q
                .messages
                .iter_mut()
                .find(|m| m.has_key(&r.message_id))
                .ok_or_else(|| {
                    SqsError::invalid_value(
                        "ReceiptHandle",
                        receipt_handle,
                        "Message does not exist or is not available for visibility timeout change.",
                    )
                })?;
            if fifo && m.receipt.as_deref() != Some(receipt_handle) {
                return Err(SqsError::invalid_value(
                    "ReceiptHandle",
                    receipt_handle,
                    "The receipt handle has expired.",
                ));
            }
            if !m.in_flight(now) {
                return Err(SqsError::MessageNotInflight);
            }
            let until = now.saturating_add(secs_to_ms(visibility_timeout));
            // At most 12 hours from the receive the handle belongs to.
            let received = m.last_received_at.unwrap_or(now);
            if until > received.saturating_add(MAX_VISIBILITY_MS) {
                return Err(SqsError::invalid_value(
                    "VisibilityTimeout",
                    visibility_timeout,
                    "Total VisibilityTimeout for the message is beyond the limit [43200 seconds].",
                ));
            }
            m.visible_at = until;
            q.notify.notify_waiters();
            Ok(())
        })
    }

    /// `ChangeMessageVisibilityBatch`.
    pub(crate) fn change_message_visibility_batch(
        &self,
        queue_url: &str,
        entries: Vec<ChangeVisibilityEntry>,
    ) -> Result<BatchOutput<()>, SqsError> {
        self.name_of(queue_url)?;
        check_batch(
            entries.iter().map(|e| e.id.as_str()),
            "ChangeMessageVisibilityBatchRequestEntry",
        )?;
        self.with_queue(queue_url, |_, _| Ok(()))?;
        let results = entries
            .into_iter()
            .map(|e| {
                let r = self.change_message_visibility(
                    queue_url,
                    &e.receipt_handle,
                    e.visibility_timeout,
                );
                (e.id, r)
            })
            .collect();
        Ok(batch(results))
    }
}
