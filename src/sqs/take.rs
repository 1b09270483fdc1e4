//! Receiving one particular message: how the harness's scripted workers consume the message
//! that carries their task token, as a real worker would (its receive count goes up, it stays
//! in flight for the queue's visibility timeout, a crash returns it to the queue).

use super::queue::Queue;
use super::{lock, message, Millis, ReceiveMessage, ReceivedMessage, Sqs, SqsError};

impl Sqs {
    /// Receives the message `message_id` if it is in the queue and visible now, exactly as a
    /// `ReceiveMessage` that returned it would (new receipt handle, receive count + 1, invisible
    /// for the queue's visibility timeout). `Ok(None)` if it is gone, in flight, or in a FIFO
    /// queue held back by its group (as `ReceiveMessage` would hold it back).
    pub fn take_message(
        &self,
        queue_url: &str,
        message_id: &str,
    ) -> Result<Option<ReceivedMessage>, SqsError> {
        let name = self.name_of(queue_url)?;
        let now = self.clock.now_ms();
        let mut st = lock(&self.state);
        let q = st
            .queues
            .get_mut(&name)
            .ok_or(SqsError::QueueDoesNotExist)?;
        q.expire(now);
        let visibility = q.config.visibility_timeout();
        let Some(i) = q.messages.iter().position(|m| m.id == message_id) else {
            return Ok(None);
        };
        if receivable_at(q, i, now) > now {
            return Ok(None);
        }
        let Some(m) = q.messages.get_mut(i) else {
            return Ok(None);
        };
        m.receive_count += 1;
        m.first_received_at.get_or_insert(now);
        m.last_received_at = Some(now);
        m.visible_at = now.saturating_add((visibility.max(0) as u64).saturating_mul(1000));
        let handle = message::mint_receipt(&name, &m.id);
        m.receipt = Some(handle.clone());
        let input = ReceiveMessage {
            queue_url: queue_url.to_string(),
            message_system_attribute_names: vec!["All".into()],
            message_attribute_names: vec!["All".into()],
            ..ReceiveMessage::default()
        };
        Ok(Some(Self::render(m, handle, &input)))
    }

    /// Waits (on the harness clock) until `message_id` can be received again: visible, and in a
    /// FIFO queue not held back by its group. Returns `false` if the message or its queue is
    /// gone.
    pub async fn wait_until_visible(&self, queue_url: &str, message_id: &str) -> bool {
        loop {
            let found = self.with_queue(queue_url, |q, now| {
                Ok(q.messages
                    .iter()
                    .position(|m| m.id == message_id)
                    .map(|i| (receivable_at(q, i, now), now, q.notify.clone())))
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
