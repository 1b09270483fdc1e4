//! Holding virtual time still while a real worker works on a task token, or is about to take one.
//!
//! A real worker's code runs outside the harness, where the clock cannot see it. Were virtual
//! time to skip while such a worker is busy, a task's `TimeoutSeconds` could fire before a worker
//! that is answering as fast as it can. So, as Temporal's time-skipping test server locks skipping
//! while an activity runs, the harness holds automatic skipping
//!
//! - from the moment a message carrying an open task token is received over HTTP until that
//!   token is answered or closed *and* the message is deleted (a worker answers, then deletes:
//!   were time to skip in between, the message would come back after its visibility timeout),
//!   for as long as workers show progress: a worker that received ten messages in one call and
//!   works through them keeps all ten held (every `SendTask*`, `DeleteMessage` or
//!   `ChangeMessageVisibility` call, even one refused by an injected fault and retried by the
//!   SDK, and every receive that returns messages, is progress);
//! - while a queue that a worker has polled recently holds a visible message carrying an open
//!   token: the worker is about to take it (it may be sleeping in its SDK's retry back-off);
//! - from the moment `GetActivityTask` hands a real activity worker a task until its token is
//!   answered or closed, for as long as workers show progress (as for a received message);
//! - for a moment ([`PICKUP_GRACE`]) after a message carrying an open token is first seen
//!   visible in any queue, so that a worker that has not polled yet (a task the test just
//!   spawned) gets to take it before time moves on.
//!
//! All are bounded in real time ([`HOLD_BOUND`] since the receive or the last progress, or since
//! the last poll; [`PICKUP_GRACE`] since the message was first seen), so a worker that received
//! a token and died, stopped polling, or never existed does not freeze the clock: once the other
//! workers have nothing left to do, its hold lapses. These are *holds* ([`Clock::add_hold`]):
//! they stop automatic skipping only; [`Clock::advance`](crate::Clock::advance) by
//! hand is not held up.

use crate::sync::lock;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::engine::Engine;
use crate::ids::Ids;
use crate::server::intercept::{After, Before, Call, Decision, Interceptor};
use crate::server::sqs_api::ReceiveObserver;
use crate::server::JsonReply;
use crate::sqs::ReceivedMessage;
use crate::sqs::{queue_name_in, Sqs};
use crate::time::Clock;

/// How long (wall time) a received token, or a polled queue, holds virtual time still without
/// news from its worker.
pub(crate) const HOLD_BOUND: Duration = Duration::from_secs(5);

/// How long (wall time) a task message that has just become visible holds virtual time still
/// for a worker that has not polled its queue yet.
pub(crate) const PICKUP_GRACE: Duration = Duration::from_secs(2);

/// The smallest number of received tokens at which [`Holds::prune_received`] looks for ones
/// that can go.
const PRUNE_FROM: usize = 64;

/// Received tokens → the receipt handles of their deliveries, and when they were received; and
/// the size at which [`Holds::prune_received`] next drops what can never hold again.
struct Received {
    tokens: HashMap<String, (Vec<String>, Instant)>,
    prune_at: usize,
}

/// The holds of one harness, fed by the requests its endpoint serves.
pub(crate) struct Holds {
    engine: Engine,
    sqs: Weak<Sqs>,
    /// Received tokens → the receipt handles of their deliveries, and when they were received.
    received: Mutex<Received>,
    /// When a worker last showed progress (see the module docs).
    progress: Mutex<Instant>,
    /// Queue names → when a worker last polled them.
    polled: Mutex<HashMap<String, Instant>>,
    /// Visible task messages (queue, key, receive count) → when they were first seen visible.
    seen: Mutex<HashMap<(String, String, u32), Instant>>,
    /// Whether a real client can be involved: the endpoint has served a request, or the test
    /// asked for its URL or for an SDK client. Until then nothing outside the process can take
    /// a task, and nothing holds virtual time (a scripted worker's message that comes visible
    /// again while it works, say, costs no wall time).
    engaged: AtomicBool,
}

impl Holds {
    /// Creates the holds and registers them with the engine's clock.
    pub(crate) fn install(engine: Engine, sqs: &Arc<Sqs>, clock: &Clock) -> Arc<Holds> {
        let holds = Arc::new(Holds {
            engine,
            sqs: Arc::downgrade(sqs),
            received: Mutex::new(Received {
                tokens: HashMap::new(),
                prune_at: PRUNE_FROM,
            }),
            progress: Mutex::new(Instant::now()),
            polled: Mutex::new(HashMap::new()),
            seen: Mutex::new(HashMap::new()),
            engaged: AtomicBool::new(false),
        });
        let weak = Arc::downgrade(&holds);
        clock.add_hold(Arc::new(move || weak.upgrade().is_some_and(|h| h.held())));
        holds
    }

    fn is_open(&self, token: &str) -> bool {
        self.engine.tokens().is_open(token)
    }

    /// Whether a received token can still hold virtual time: it is open, or a delivery of its
    /// message is still in flight. Once false it stays false (a closed token is not reopened,
    /// a receipt handle names one delivery), so an entry for which it is false can go at once.
    fn may_hold(&self, sqs: &Sqs, token: &str, receipts: &[String]) -> bool {
        self.is_open(token) || receipts.iter().any(|r| sqs.holds_delivery(r))
    }

    /// Drops the received tokens that can never hold again, now and then: when they have
    /// doubled since the last time. [`Holds::held`] prunes too, but only runs when the clock is
    /// otherwise idle, which a busy endpoint may never be; without this, every token a worker
    /// ever received would stay, for as long as the harness lives (issue 13: three blocks for
    /// every finished execution).
    fn prune_received(&self, received: &mut Received) {
        if received.tokens.len() < received.prune_at {
            return;
        }
        if let Some(sqs) = self.sqs.upgrade() {
            received
                .tokens
                .retain(|token, (receipts, _)| self.may_hold(&sqs, token, receipts));
        }
        received.prune_at = (2 * received.tokens.len()).max(PRUNE_FROM);
    }

    /// From now on a real client can be involved (see [`Holds::engaged`]).
    pub(crate) fn engage(&self) {
        // Stored once: every request engages, and a store on every one would bounce the
        // flag's cache line between the worker threads (issue 13).
        if !self.engaged.load(Ordering::SeqCst) {
            self.engaged.store(true, Ordering::SeqCst);
        }
    }

    /// Whether a real client can be involved: the endpoint has served a request, or the test
    /// asked for its URL or an SDK client.
    pub(crate) fn engaged(&self) -> bool {
        self.engaged.load(Ordering::SeqCst)
    }

    /// Whether a real worker is working on a token, or about to take one.
    fn held(&self) -> bool {
        if !self.engaged() {
            return false;
        }
        let now = Instant::now();
        let Some(sqs) = self.sqs.upgrade() else {
            return false;
        };
        {
            let progress = *lock(&self.progress);
            let mut received = lock(&self.received);
            received.tokens.retain(|token, (receipts, received_at)| {
                now.duration_since((*received_at).max(progress)) < HOLD_BOUND
                    && self.may_hold(&sqs, token, receipts)
            });
            if !received.tokens.is_empty() {
                return true;
            }
        }
        let waiting = sqs.visible_matching(|body| Ids::find_tokens(body).any(|t| self.is_open(t)));
        let polled = {
            let mut polled = lock(&self.polled);
            polled.retain(|_, at| now.duration_since(*at) < HOLD_BOUND);
            polled.clone()
        };
        let mut seen = lock(&self.seen);
        seen.retain(|k, _| waiting.contains(k));
        let mut held = false;
        for key in waiting {
            let first_seen = *seen.entry(key.clone()).or_insert(now);
            held |= polled.contains_key(&key.0) || now.duration_since(first_seen) < PICKUP_GRACE;
        }
        held
    }

    fn before(&self, call: &Call<'_>) {
        self.engage();
        if call.target == Some("AmazonSQS.ReceiveMessage") {
            // A poll counts even if it is then refused (an injected throttle, say): the worker is
            // there, and will poll again after its back-off.
            self.polled(call);
            return;
        }
        let progress = match (call.prefix(), call.operation()) {
            (Some("AWSStepFunctions"), Some(op)) => op.starts_with("SendTask"),
            (Some("AmazonSQS"), Some(op)) => {
                op.starts_with("DeleteMessage") || op.starts_with("ChangeMessageVisibility")
            }
            _ => false,
        };
        if progress {
            *lock(&self.progress) = Instant::now();
        }
    }

    /// Records a `ReceiveMessage` call: its queue has a worker.
    fn polled(&self, call: &Call<'_>) {
        if let Some(url) = queue_url_of(call.body) {
            self.polled_queue(&url);
        }
    }

    /// Records a poll of the queue at `url`.
    fn polled_queue(&self, url: &str) {
        let name = queue_name_in(url);
        let now = Instant::now();
        let mut polled = lock(&self.polled);
        // A queue polled before keeps its entry (no name to copy).
        match polled.get_mut(name) {
            Some(at) => *at = now,
            None => {
                polled.insert(name.to_string(), now);
            }
        }
    }

    fn after(&self, call: &Call<'_>, reply: &JsonReply) {
        if call.target == Some("AWSStepFunctions.GetActivityTask") {
            self.took_activity_task(reply);
        }
    }
}

/// The holds learn of a `ReceiveMessage` served over HTTP from the SQS API itself, as it
/// answers (issue 13: they parsed the request and the reply's JSON again before): the poll is
/// over, and the tokens its messages carry are held.
impl ReceiveObserver for Holds {
    fn received(&self, queue_url: &str, messages: &[ReceivedMessage]) {
        // The poll is over: from now the worker has HOLD_BOUND to come back.
        self.polled_queue(queue_url);
        if messages.is_empty() {
            return;
        }
        let now = Instant::now();
        *lock(&self.progress) = now;
        let mut received = lock(&self.received);
        for m in messages {
            for token in Ids::find_tokens(&m.body).filter(|t| self.is_open(t)) {
                let entry = received
                    .tokens
                    .entry(token.to_string())
                    .or_insert_with(|| (Vec::new(), now));
                entry.0.push(m.receipt_handle.clone());
                entry.1 = now;
            }
        }
        self.prune_received(&mut received);
    }
}

/// The `QueueUrl` of a `ReceiveMessage` request body, read as the SQS API reads it (the
/// last member of that name wins; one that is not a string counts as absent), its other
/// members left unread (`server::json::Request`).
fn queue_url_of(body: &[u8]) -> Option<String> {
    let request = crate::server::json::parse_request(body).ok()?;
    request.members().string("QueueUrl").ok().flatten()
}

impl Holds {
    /// Records a `GetActivityTask` that handed a worker a task: its token is held as a received
    /// SQS token is, until it is answered (or HOLD_BOUND passes without progress).
    fn took_activity_task(&self, reply: &JsonReply) {
        if reply.status != 200 {
            return;
        }
        let Ok(reply) = serde_json::from_slice::<Value>(&reply.body) else {
            return;
        };
        let Some(token) = reply["taskToken"].as_str().filter(|t| self.is_open(t)) else {
            return;
        };
        let now = Instant::now();
        *lock(&self.progress) = now;
        let mut received = lock(&self.received);
        received.tokens.insert(token.to_string(), (Vec::new(), now));
        self.prune_received(&mut received);
    }
}

/// The holds as an interceptor of the endpoint, fed by the calls it serves (it lets every
/// call through).
pub(crate) struct HoldsInterceptor(pub(crate) Arc<Holds>);

impl Interceptor for HoldsInterceptor {
    fn before<'a>(&'a self, call: &'a Call<'a>) -> Decision<'a, Before> {
        self.0.before(call);
        Decision::Now(Before::Continue)
    }

    fn after<'a>(&'a self, call: &'a Call<'a>, reply: &'a JsonReply) -> Decision<'a, After> {
        self.0.after(call, reply);
        Decision::Now(After::Send)
    }
}

#[cfg(test)]
mod parse_tests {
    use serde_json::Value;

    use super::queue_url_of;

    /// `queue_url_of` reads a request body's `QueueUrl` as `Value` did: the last of that name,
    /// strings only, nothing from a body that is not an object.
    #[test]
    fn queue_url_reads_as_value_did() {
        fn by_value(b: &str) -> Option<String> {
            serde_json::from_str::<Value>(b).ok().and_then(|r| {
                r.get("QueueUrl")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
        }
        for b in [
            r#"{"QueueUrl":"http://h/1/q","WaitTimeSeconds":20}"#,
            r#"{"MaxNumberOfMessages":1,"QueueUrl":"http:\/\/h\/1\/q\u00e9"}"#,
            r#"{"QueueUrl":"a","QueueUrl":"b"}"#,
            r#"{"QueueUrl":7}"#,
            r#"{"QueueUrl":null}"#,
            r#"{"QueueUrl":["a"],"x":{"QueueUrl":"no"}}"#,
            r#"{"x":{"QueueUrl":"nested"}}"#,
            r#"["QueueUrl","a"]"#,
            r#"{"QueueUrl":"a"} trailing"#,
            "",
            "{}",
        ] {
            assert_eq!(queue_url_of(b.as_bytes()), by_value(b), "{b}");
        }
    }
}

#[cfg(test)]
mod prune_tests {
    use crate::ids::Ids;
    use crate::internals::{Account, AccountConfig};
    use crate::server::sqs_api::ReceiveObserver;
    use crate::sqs::ReceivedMessage;
    use crate::sync::lock;
    use crate::time::Clock;

    use super::{Holds, PRUNE_FROM};

    fn message(token: &str, receipt: &str) -> ReceivedMessage {
        ReceivedMessage {
            message_id: "m".into(),
            receipt_handle: receipt.into(),
            md5_of_body: String::new(),
            body: format!(r#"{{"token":"{token}"}}"#),
            attributes: Vec::new(),
            md5_of_message_attributes: None,
            message_attributes: Default::default(),
        }
    }

    /// A token received, then answered, with no delivery left in flight, can never hold
    /// virtual time again: the holds drop it as received tokens accumulate, even though the
    /// clock is never idle enough to ask them whether they hold (a busy endpoint). A token
    /// still open stays, however many come and go around it.
    #[tokio::test]
    async fn received_tokens_that_can_never_hold_again_are_dropped() {
        let account = Account::new(AccountConfig::default());
        let engine = account.engine().clone();
        let holds = Holds::install(engine.clone(), account.sqs(), &Clock::virtual_at(0));
        let tokens = engine.tokens();
        let mut ids = Ids::seeded(3);
        let kept = ids.task_token();
        let _answers = tokens.open(&kept, "arn:e", "Keep");
        holds.received("http://h/1/q", &[message(&kept, "no-such-receipt")]);
        for _ in 0..10 * PRUNE_FROM {
            let token = ids.task_token();
            let _answers = tokens.open(&token, "arn:e", "Ask");
            holds.received("http://h/1/q", &[message(&token, "no-such-receipt")]);
            tokens.close(&token);
        }
        let received = &lock(&holds.received).tokens;
        assert!(
            received.len() <= 2 * PRUNE_FROM,
            "{} received tokens kept of {} (all but one answered)",
            received.len(),
            10 * PRUNE_FROM + 1
        );
        assert!(received.contains_key(&kept), "the open token was dropped");
    }
}

#[cfg(all(test, feature = "sdk"))]
mod sdk_tests {
    use std::time::Duration;

    use serde_json::{json, Value};

    use crate::harness::Harness;
    use crate::prelude::Status;

    /// A real worker that takes 300 ms of wall time between receiving a token and answering
    /// it. Virtual time must not skip meanwhile (the task's 1 s timeout would fire), and must
    /// skip again once the token is answered and its message deleted (the one-hour Wait after
    /// it).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_received_token_holds_virtual_time_until_it_is_answered() {
        // Below HOLD_BOUND: a hold not released once the work is done would fail `finish()`.
        let h = Harness::builder()
            .seed(5)
            .finish_timeout(Duration::from_secs(3))
            .start()
            .await;
        let queue = h.create_queue("work").await.unwrap();
        let machine = h
            .create_state_machine(
                "held",
                json!({
                    "StartAt": "Ask",
                    "States": {
                        "Ask": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                            "Parameters": { "QueueUrl": queue, "MessageBody": { "token.$": "$$.Task.Token" } },
                            "TimeoutSeconds": 1,
                            "Next": "Hour"
                        },
                        "Hour": { "Type": "Wait", "Seconds": 3600, "End": true }
                    }
                }),
            )
            .await
            .unwrap();
        let exec = machine.start(json!({})).await.unwrap();
        let (sqs, sfn) = (h.sqs_client().await, h.sfn_client().await);
        let got = sqs
            .receive_message()
            .queue_url(&queue)
            .wait_time_seconds(20)
            .send()
            .await
            .unwrap();
        let body: Value =
            serde_json::from_str(got.messages()[0].body().unwrap_or_default()).unwrap();
        let token = body["token"].as_str().unwrap().to_string();
        let receipt = got.messages()[0].receipt_handle().unwrap().to_string();
        // The worker's own work, which the clock cannot see, runs while the test drives time;
        // then it answers and deletes the message, as a worker does.
        let worker = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let answered = sfn
                .send_task_success()
                .task_token(token)
                .output("{}")
                .send()
                .await;
            sqs.delete_message()
                .queue_url(queue)
                .receipt_handle(receipt)
                .send()
                .await
                .expect("deleted");
            answered
        });
        let done = exec.finish().await.unwrap();
        assert_eq!(
            done.status(),
            Status::Succeeded,
            "the task timed out under the worker: {:?}",
            done.error()
        );
        assert!(worker.await.unwrap().is_ok(), "the answer was refused");
        assert_eq!(done.duration(), Duration::from_secs(3600));
    }

    /// The same for an activity worker polling through the SDK: between `GetActivityTask` and
    /// its `SendTaskSuccess` (300 ms of wall time), the activity's 1 s timeout must not fire.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_activity_task_taken_holds_virtual_time_until_it_is_answered() {
        let h = Harness::builder()
            .seed(6)
            .finish_timeout(Duration::from_secs(3))
            .start()
            .await;
        let activity = h.engine().create_activity("slow").unwrap();
        let machine = h
            .create_state_machine(
                "held",
                json!({
                    "StartAt": "Work",
                    "States": {
                        "Work": { "Type": "Task", "Resource": activity.arn, "TimeoutSeconds": 1, "Next": "Hour" },
                        "Hour": { "Type": "Wait", "Seconds": 3600, "End": true }
                    }
                }),
            )
            .await
            .unwrap();
        let exec = machine.start(json!({})).await.unwrap();
        let sfn = h.sfn_client().await;
        let task = sfn
            .get_activity_task()
            .activity_arn(&activity.arn)
            .send()
            .await
            .unwrap();
        let token = task.task_token().unwrap().to_string();
        let worker = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            sfn.send_task_success()
                .task_token(token)
                .output("{}")
                .send()
                .await
        });
        let done = exec.finish().await.unwrap();
        assert_eq!(
            done.status(),
            Status::Succeeded,
            "the activity timed out under the worker: {:?}",
            done.error()
        );
        assert!(worker.await.unwrap().is_ok(), "the answer was refused");
        assert_eq!(done.duration(), Duration::from_secs(3600));
    }
}
