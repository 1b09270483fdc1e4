//! Receiving: `ReceiveMessage` with its long poll on the clock, the FIFO group rules, the
//! redrive of messages received `maxReceiveCount` times to the dead-letter queue, and the
//! rendering of a stored message as a [`ReceivedMessage`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::MutexGuard;

use super::message::StoredMessage;
use super::queue::Queue;
use super::{
    md5, secs_to_ms, MessageAttributeValue, ReceiveMessage, ReceivedMessage, Sqs, SqsError, State,
};
use crate::sync::lock;
use crate::time::Millis;

/// The system attributes `ReceiveMessage` can return, in the order they are returned.
const SYSTEM_ATTRIBUTES: &[&str] = &[
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
];

impl Sqs {
    /// `ReceiveMessage`: up to `MaxNumberOfMessages` visible messages; with a wait time, waits
    /// (on the clock) until a message arrives or becomes visible, or the wait is over.
    ///
    /// A long poll parks the calling fiber with `Clock::park`, so on
    /// a virtual clock the caller must count as a live fiber (hold a
    /// `Clock::activity`), as every HTTP request served by
    /// `crate::server` does; otherwise the activity count would drop below what is running.
    pub(crate) async fn receive_message(
        &self,
        input: ReceiveMessage,
    ) -> Result<Vec<ReceivedMessage>, SqsError> {
        let max = input.max_number_of_messages.unwrap_or(1);
        if !(1..=10).contains(&max) {
            return Err(SqsError::invalid_value(
                "MaxNumberOfMessages",
                max,
                "Must be between 1 and 10, if provided.",
            ));
        }
        if let Some(v) = input.visibility_timeout {
            if !(0..=43_200).contains(&v) {
                return Err(SqsError::invalid_value(
                    "VisibilityTimeout",
                    v,
                    "Must be >= 0 and <= 43200, if provided.",
                ));
            }
        }
        if let Some(w) = input.wait_time_seconds {
            if !(0..=20).contains(&w) {
                return Err(SqsError::invalid_value(
                    "WaitTimeSeconds",
                    w,
                    "Must be >= 0 and <= 20, if provided.",
                ));
            }
        }
        for n in &input.message_system_attribute_names {
            if n != "All" && !SYSTEM_ATTRIBUTES.contains(&n.as_str()) {
                return Err(SqsError::InvalidAttributeName(format!(
                    "Unknown Attribute {n}."
                )));
            }
        }
        let wait = match input.wait_time_seconds {
            Some(w) => w,
            None => self.with_queue(&input.queue_url, |q, _| Ok(q.config.wait_time_seconds()))?,
        };
        let deadline = self.clock.now_ms().saturating_add(secs_to_ms(wait));
        loop {
            let notify = self.with_queue(&input.queue_url, |q, _| Ok(q.notify.clone()))?;
            let notified = notify.notified();
            tokio::pin!(notified);
            // Register before looking, so a send between the look and the wait is not missed.
            notified.as_mut().enable();
            let (found, next_visible) = self.try_receive(&input, max as usize)?;
            let now = self.clock.now_ms();
            if !found.is_empty() || now >= deadline {
                return Ok(found);
            }
            let wake_at = next_visible.map_or(deadline, |t| t.min(deadline));
            self.wait(notified, wake_at).await;
        }
    }

    /// Waits for `notified` or until `wake_at` on the clock, whichever comes first, counting as
    /// an idle wait of the calling fiber.
    async fn wait(
        &self,
        notified: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>,
        wake_at: Millis,
    ) {
        // One park around the whole race: while both are pending the fiber is idle; a send
        // (the notification) or the timer wakes it through the park's waker, which counts the
        // fiber again before it is scheduled. The loser (the timer, say) is dropped with the
        // race, so no stale timer is left for a skipping clock to jump to. Called from inside
        // another park (a tracked task), this park is transparent and the outer one accounts.
        self.clock
            .park(async {
                tokio::select! {
                    _ = notified => {}
                    _ = self.clock.sleep_until(wake_at) => {}
                }
            })
            .await;
    }

    /// One non-waiting receive. Returns the messages and, when there were none, the next time
    /// one becomes visible.
    fn try_receive(
        &self,
        input: &ReceiveMessage,
        max: usize,
    ) -> Result<(Vec<ReceivedMessage>, Option<Millis>), SqsError> {
        let name = self.name_of(&input.queue_url)?;
        let reorder = self.hook().and_then(|h| h.reorder(&name));
        let (now, mut st, redrive) = self.lock_for_receive(&name);
        let q = st.live_queue(&name, now)?;
        let visibility = input
            .visibility_timeout
            .unwrap_or_else(|| q.config.visibility_timeout());
        let mut blocked: HashSet<String> = HashSet::new();
        if q.fifo {
            for m in &q.messages {
                if m.in_flight(now) {
                    if let Some(g) = &m.group_id {
                        blocked.insert(g.clone());
                    }
                }
            }
        }
        // A standard queue is read in send order and only until the batch is full (issue 13:
        // collecting every index first made each receive O(n) with 100,000 messages queued);
        // FIFO group order and a fault's reordering need the whole order.
        let whole = q.fifo || reorder.is_some();
        let mut order: Vec<usize> = if whole {
            (0..q.messages.len()).collect()
        } else {
            Vec::new()
        };
        if q.fifo {
            // "When receiving messages from a FIFO queue with multiple message groups, Amazon SQS
            // first attempts to return as many messages with the same message group ID as
            // possible" (SQS Developer Guide, "FIFO queue delivery logic"): groups in the order
            // of their oldest message, each group's messages in send order.
            let mut rank: HashMap<&str, usize> = HashMap::new();
            for m in &q.messages {
                let next = rank.len();
                rank.entry(m.group_id.as_deref().unwrap_or_default())
                    .or_insert(next);
            }
            let rank_of = |i: &usize| {
                q.messages
                    .get(*i)
                    .and_then(|m| rank.get(m.group_id.as_deref().unwrap_or_default()))
                    .copied()
                    .unwrap_or(usize::MAX)
            };
            order.sort_by_key(rank_of);
        }
        if let (false, Some(seed)) = (q.fifo, reorder) {
            use rand::seq::SliceRandom;
            use rand::SeedableRng;
            order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
        }
        let mut out = Vec::new();
        let mut dead = Vec::new();
        let indices: Box<dyn Iterator<Item = usize>> = if whole {
            Box::new(order.into_iter())
        } else {
            Box::new(0..q.messages.len())
        };
        for i in indices {
            if out.len() >= max {
                break;
            }
            let fifo = q.fifo;
            let Some(m) = q.messages.get_mut(i) else {
                continue;
            };
            let group = m.group_id.clone().unwrap_or_default();
            if fifo && blocked.contains(&group) {
                continue;
            }
            if m.visible_at > now {
                if fifo {
                    // Keep order within the group: nothing after an invisible message.
                    blocked.insert(group);
                }
                continue;
            }
            if redrive
                .as_ref()
                .is_some_and(|(_, limit)| m.receive_count >= *limit)
            {
                dead.push(i);
                continue;
            }
            Self::mark_received(m, now, visibility);
            let handle = self.receipt(&name, m);
            m.receipt = Some(handle.clone());
            out.push(Self::render(m, handle, input));
        }
        // Only an empty receive waits for the next message to become visible.
        let next_visible = if out.is_empty() {
            q.next_visible(now)
        } else {
            None
        };
        if let Some((dlq, _)) = redrive {
            Self::dead_letter(&mut st.queues, &name, &dlq, dead, now);
        }
        Ok((out, next_visible))
    }

    /// What every receive starts with (`ReceiveMessage`'s and the harness's, in `consume.rs`):
    /// the time, the locked state, and where queue `name`'s redrive policy moves messages to.
    pub(super) fn lock_for_receive(
        &self,
        name: &str,
    ) -> (Millis, MutexGuard<'_, State>, Option<(String, u32)>) {
        let now = self.clock.now_ms();
        let st = lock(&self.state);
        let redrive = self.redrive(&st.queues, name);
        (now, st, redrive)
    }

    /// The dead-letter queue and `maxReceiveCount` of queue `name`'s redrive policy, when that
    /// queue exists in this account (otherwise messages are never moved, as in AWS).
    fn redrive(&self, queues: &BTreeMap<String, Queue>, name: &str) -> Option<(String, u32)> {
        let policy = queues.get(name)?.config.redrive_policy()?;
        let dlq = self.key_of_arn(&policy.dead_letter_target_arn)?;
        (dlq != name && queues.contains_key(&dlq)).then_some((dlq, policy.max_receive_count))
    }

    /// Moves the messages at `indices` of queue `from` to the dead-letter queue `dlq`, as new
    /// messages there (receive count reset, `DeadLetterQueueSourceArn` set), in send order.
    pub(super) fn dead_letter(
        queues: &mut BTreeMap<String, Queue>,
        from: &str,
        dlq: &str,
        mut indices: Vec<usize>,
        now: Millis,
    ) {
        if indices.is_empty() {
            return;
        }
        let Some(q) = queues.get_mut(from) else {
            return;
        };
        let source_arn = q.arn.clone();
        indices.sort_unstable();
        indices.dedup();
        let mut moved = Vec::with_capacity(indices.len());
        for i in indices.into_iter().rev() {
            if let Some(m) = q.messages.remove(i) {
                moved.push(m);
            }
        }
        if let Some(d) = queues.get_mut(dlq) {
            for mut m in moved.into_iter().rev() {
                m.receive_count = 0;
                m.first_received_at = None;
                m.last_received_at = None;
                m.receipt = None;
                m.visible_at = now;
                m.dead_letter_source_arn = Some(source_arn.clone());
                d.messages.push_back(m);
            }
            d.expired_at = None;
            d.notify.notify_waiters();
        }
    }

    /// Records one receive of `m`: count, timestamps, invisible for `visibility` seconds.
    pub(super) fn mark_received(m: &mut StoredMessage, now: Millis, visibility: i64) {
        m.receive_count += 1;
        m.first_received_at.get_or_insert(now);
        m.last_received_at = Some(now);
        m.visible_at = now.saturating_add(secs_to_ms(visibility));
    }

    pub(super) fn render(
        m: &StoredMessage,
        handle: String,
        input: &ReceiveMessage,
    ) -> ReceivedMessage {
        let names: Vec<&String> = input
            .attribute_names
            .iter()
            .chain(&input.message_system_attribute_names)
            .collect();
        let all = names.iter().any(|n| *n == "All");
        let mut attributes = Vec::new();
        for name in SYSTEM_ATTRIBUTES {
            if !all && !names.iter().any(|n| n == name) {
                continue;
            }
            let v = match *name {
                "SenderId" => Some(m.sender_id.clone()),
                "ApproximateFirstReceiveTimestamp" => m.first_received_at.map(|t| t.to_string()),
                "ApproximateReceiveCount" => Some(m.receive_count.to_string()),
                "SentTimestamp" => Some(m.sent_at.to_string()),
                "SequenceNumber" => m.sequence_number.clone(),
                "MessageDeduplicationId" => m.dedup_id.clone(),
                "MessageGroupId" => m.group_id.clone(),
                "AWSTraceHeader" => m
                    .system_attributes
                    .get("AWSTraceHeader")
                    .and_then(|v| v.string_value.clone()),
                _ => m.dead_letter_source_arn.clone(),
            };
            if let Some(v) = v {
                attributes.push(((*name).to_string(), v));
            }
        }
        let wanted = |attr: &str| {
            input.message_attribute_names.iter().any(|n| {
                n == "All"
                    || n == ".*"
                    || n == attr
                    || n.strip_suffix(".*")
                        .is_some_and(|p| attr.starts_with(&format!("{p}.")))
            })
        };
        let message_attributes: BTreeMap<String, MessageAttributeValue> = m
            .attributes
            .iter()
            .filter(|(k, _)| wanted(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        ReceivedMessage {
            message_id: m.id.clone(),
            receipt_handle: handle,
            md5_of_body: m.md5_of_body.clone(),
            body: m.body.clone(),
            attributes,
            md5_of_message_attributes: md5::md5_of_attributes(&message_attributes),
            message_attributes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqs::{CreateQueue, SendMessage};
    use crate::time::Clock;
    use std::sync::Arc;
    use std::time::Duration;

    fn setup() -> (Clock, Arc<Sqs>, String) {
        let clock = Clock::virtual_at(1_000_000);
        let sqs = Arc::new(Sqs::new(
            clock.clone(),
            "123456789012",
            "us-east-1",
            "http://h",
        ));
        let url = sqs
            .create_queue(CreateQueue {
                queue_name: "q".into(),
                ..Default::default()
            })
            .unwrap();
        (clock, sqs, url)
    }

    async fn until(mut f: impl FnMut() -> bool) {
        for _ in 0..1000 {
            if f() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        panic!("condition never held");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_long_poll_is_idle_while_waiting_and_leaves_no_timer() {
        let (clock, sqs, url) = setup();
        let poll = {
            let (clock, sqs, url) = (clock.clone(), sqs.clone(), url.clone());
            let activity = clock.activity(); // as an HTTP request holds one
            tokio::spawn(async move {
                let _activity = activity;
                sqs.receive_message(ReceiveMessage {
                    queue_url: url,
                    wait_time_seconds: Some(20),
                    ..Default::default()
                })
                .await
            })
        };
        // Parked on the notification and the 20 s timer: the clock sees nothing live.
        until(|| clock.active() == 0 && clock.next_deadline().is_some()).await;
        assert_eq!(clock.next_deadline(), Some(1_020_000));
        sqs.send_message(&url, SendMessage::body("hi")).unwrap();
        let got = poll.await.unwrap().unwrap();
        assert_eq!(got[0].body, "hi");
        assert_eq!(clock.now_ms(), 1_000_000, "no time passed");
        assert_eq!(clock.active(), 0, "every count restored");
        assert_eq!(clock.next_deadline(), None, "the wait's timer is gone");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_long_poll_ends_when_a_message_becomes_visible() {
        let (clock, sqs, url) = setup();
        let mut m = SendMessage::body("later");
        m.delay_seconds = Some(5);
        sqs.send_message(&url, m).unwrap();
        let _activity = clock.activity();
        let got = clock
            .run_until(sqs.receive_message(ReceiveMessage {
                queue_url: url,
                wait_time_seconds: Some(20),
                ..Default::default()
            }))
            .await
            .unwrap();
        assert_eq!(got[0].body, "later");
        assert_eq!(clock.now_ms(), 1_005_000);
    }
}
