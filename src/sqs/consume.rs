//! Crate-internal: consuming one particular message, how the harness's scripted workers take
//! the message that carries their task token, as a real worker would (its receive count goes
//! up, it stays in flight for the queue's visibility timeout, a crash returns it to the queue,
//! and once it has been received `maxReceiveCount` times the queue's redrive policy moves it to
//! the dead-letter queue instead). The harness's skip lock also asks here what is waiting.
//!
//! It shares its start and its bookkeeping with `ReceiveMessage` (`receive.rs`), so a message
//! taken here is indistinguishable from one a real worker received.

use super::queue::Queue;
use super::{ReceiveMessage, ReceivedMessage, Sqs, SqsError};
use crate::sync::lock;
use crate::time::Millis;

impl Sqs {
    /// Receives the message `message_id` if it is in the queue and visible now, exactly as a
    /// `ReceiveMessage` that returned it would (new receipt handle, receive count + 1, invisible
    /// for the queue's visibility timeout). Of several copies (a duplicate delivery), the first
    /// receivable one is taken. `Ok(None)` if it is gone, in flight, in a FIFO queue held back
    /// by its group (as `ReceiveMessage` would hold it back), or was just moved to the
    /// dead-letter queue because it had been received `maxReceiveCount` times.
    pub(crate) fn take_message(
        &self,
        queue_url: &str,
        message_id: &str,
    ) -> Result<Option<ReceivedMessage>, SqsError> {
        let name = self.name_of(queue_url)?;
        let (now, mut st, redrive) = self.lock_for_receive(&name);
        let q = st.live_queue(&name, now)?;
        let visibility = q.config.visibility_timeout();
        let Some(i) = (0..q.messages.len())
            .find(|&i| q.messages[i].id == message_id && receivable_at(q, i, now) <= now)
        else {
            return Ok(None);
        };
        if let Some((dlq, limit)) = redrive {
            if q.messages[i].receive_count >= limit {
                Self::dead_letter(&mut st.queues, &name, &dlq, vec![i], now);
                return Ok(None);
            }
        }
        let m = &mut q.messages[i];
        Self::mark_received(m, now, visibility);
        let handle = self.receipt(&name, m);
        m.receipt = Some(handle.clone());
        let input = ReceiveMessage {
            queue_url: queue_url.to_string(),
            message_system_attribute_names: vec!["All".into()],
            message_attribute_names: vec!["All".into()],
            ..ReceiveMessage::default()
        };
        Ok(Some(Self::render(m, handle, &input)))
    }

    /// Waits (on the harness clock) until a copy of `message_id` can be received: visible, and
    /// in a FIFO queue not held back by its group. Returns `false` if no copy of the message is
    /// left in its queue (deleted, moved to a dead-letter queue, lost) or the queue is gone.
    pub(crate) async fn wait_until_visible(&self, queue_url: &str, message_id: &str) -> bool {
        loop {
            let found = self.with_queue(queue_url, |q, now| {
                Ok(q.messages
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.id == message_id)
                    .map(|(i, _)| receivable_at(q, i, now))
                    .min()
                    .map(|at| (at, now, q.notify.clone())))
            });
            let Ok(Some((visible_at, now, notify))) = found else {
                return false;
            };
            if visible_at <= now {
                return true;
            }
            tokio::select! {
                _ = notify.notified() => {}
                _ = self.clock.sleep_until(visible_at) => {}
            }
        }
    }

    /// The id of the newest message in the queue whose body contains `needle` (how the harness
    /// finds the copy of an SNS notification that carries a task token).
    pub(crate) fn message_id_containing(&self, queue_url: &str, needle: &str) -> Option<String> {
        self.with_queue(queue_url, |q, _| {
            Ok(q.messages
                .iter()
                .rev()
                .find(|m| m.body.contains(needle))
                .map(|m| m.id.clone()))
        })
        .ok()
        .flatten()
    }

    /// The body of message `message_id`, if it is in the queue.
    pub(crate) fn message_body_of(&self, queue_url: &str, message_id: &str) -> Option<String> {
        self.with_queue(queue_url, |q, _| {
            Ok(q.messages
                .iter()
                .find(|m| m.id == message_id)
                .map(|m| m.body.clone()))
        })
        .ok()
        .flatten()
    }

    /// Whether any copy of `message_id` is still in the queue (visible or not).
    pub(crate) fn holds_message(&self, queue_url: &str, message_id: &str) -> bool {
        self.with_queue(queue_url, |q, _| {
            Ok(q.messages.iter().any(|m| m.id == message_id))
        })
        .unwrap_or(false)
    }

    /// Whether the delivery a receipt handle belongs to (that copy of the message) is still in
    /// its queue: not yet deleted, moved or expired.
    pub(crate) fn holds_delivery(&self, receipt_handle: &str) -> bool {
        let Some(r) = super::message::parse_receipt(receipt_handle) else {
            return false;
        };
        let st = lock(&self.state);
        st.queues
            .get(&r.queue)
            .is_some_and(|q| q.messages.iter().any(|m| m.has_key(&r.message_id)))
    }

    /// The messages visible now, in every queue, whose body satisfies `pred`: `(queue name,
    /// delivery key, receive count)`, where the key tells duplicate copies apart. The harness
    /// holds virtual time still while such a task message waits for a worker to take it.
    pub(crate) fn visible_matching(
        &self,
        pred: impl Fn(&str) -> bool,
    ) -> Vec<(String, String, u32)> {
        let now = self.clock.now_ms();
        let st = lock(&self.state);
        st.queues
            .values()
            .flat_map(|q| {
                q.messages
                    .iter()
                    .filter(|m| m.visible_at <= now && pred(&m.body))
                    .map(|m| (q.name.clone(), m.key(), m.receive_count))
            })
            .collect()
    }
}

/// When the message at `i` could be returned by `ReceiveMessage`: `now` if it can be now, else
/// the earliest instant it might. Besides its own visibility, in a FIFO queue a message waits for
/// its group: "you can't receive messages with the same message group ID while another message
/// from that group is in flight", and messages of a group come out in the order they were sent
/// (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html>),
/// the same rule `receive_message` applies.
fn receivable_at(q: &Queue, i: usize, now: Millis) -> Millis {
    let Some(m) = q.messages.get(i) else {
        return now;
    };
    let mut at = m.visible_at.max(now);
    if q.fifo {
        for (j, other) in q.messages.iter().enumerate() {
            if j != i
                && other.group_id == m.group_id
                && (other.in_flight(now) || (j < i && other.visible_at > now))
            {
                at = at.max(other.visible_at);
            }
        }
    }
    at
}
