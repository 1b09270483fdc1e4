//! Delivery hooks: a seam through which a test decides what happens to accepted messages
//! (the harness's delivery faults: lose a message, delay it, deliver it twice, reorder a queue).
//!
//! SQS promises less than a queue in memory gives: a standard queue delivers *at least once*
//! (a message can arrive twice) and in *best-effort* order. A [`DeliveryHook`] lets a test make
//! those promises bite on purpose. For every message a `SendMessage` (or the Step Functions
//! integration) accepts, [`DeliveryHook::on_send`] returns its [`Fate`]; for every receive from
//! a standard queue, [`DeliveryHook::reorder`] may shuffle which visible messages are handed out
//! first. A duplicate is a second copy of the message: the same `MessageId`, body and
//! attributes, its own receipt handles and receive count, deleted separately.
//!
//! Crate-internal: the harness installs one hook, which plays the delivery faults of its
//! `FaultPlan`; the test at the bottom of this file shows a hook.

use crate::time::Millis;

/// A message a queue has just accepted, as a [`DeliveryHook`] sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sent<'a> {
    /// The queue's name.
    pub queue_name: &'a str,
    /// Whether the queue is a FIFO queue.
    pub fifo: bool,
    /// The `MessageId` the sender was given.
    pub message_id: &'a str,
    /// The message body.
    pub body: &'a str,
}

/// What happens to one accepted message. The default is a plain delivery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Fate {
    /// The sender is told the message was sent, but no receiver will ever see it.
    pub lose: bool,
    /// Extra time (ms, on the queue's clock) before the message is first visible, on top of
    /// its `DelaySeconds`.
    pub delay_ms: Millis,
    /// Extra copies of the message: each becomes visible this many ms after the original does.
    /// Ignored on FIFO queues, which deliver exactly once.
    pub duplicates: Vec<Millis>,
}

/// Decides the fate of accepted messages; see the [module docs](self).
///
/// Hooks are called while the queue is locked: they must not call back into the [`Sqs`](super::Sqs).
pub(crate) trait DeliveryHook: Send + Sync + 'static {
    /// The fate of a message just accepted.
    fn on_send(&self, sent: &Sent<'_>) -> Fate;

    /// For a receive from the standard queue `queue_name`: `Some(seed)` hands the visible
    /// messages out in an order shuffled by `seed` instead of the order they were sent in.
    fn reorder(&self, queue_name: &str) -> Option<u64>;
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{DeliveryHook, Fate, Sent};
    use crate::sqs::{CreateQueue, ReceiveMessage, SendMessage, Sqs};
    use crate::time::Clock;

    /// Every message arrives twice.
    struct Twice;
    impl DeliveryHook for Twice {
        fn on_send(&self, _sent: &Sent<'_>) -> Fate {
            Fate {
                duplicates: vec![0],
                ..Fate::default()
            }
        }
        fn reorder(&self, _queue: &str) -> Option<u64> {
            None
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_duplicate_is_a_second_copy_with_its_own_receipt() {
        let sqs = Sqs::new(
            Clock::virtual_at(0),
            "123456789012",
            "us-east-1",
            "http://127.0.0.1:1",
        );
        sqs.set_delivery_hook(Arc::new(Twice));
        let url = sqs
            .create_queue(CreateQueue {
                queue_name: "jobs".into(),
                ..Default::default()
            })
            .unwrap();
        let sent = sqs.send_message(&url, SendMessage::body("hello")).unwrap();
        let got = sqs
            .receive_message(ReceiveMessage {
                queue_url: url,
                max_number_of_messages: Some(10),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|m| m.message_id == sent.message_id));
        assert_ne!(got[0].receipt_handle, got[1].receipt_handle);
    }
}
