//! Holding virtual time still while a real worker works on a task token, or is about to take one.
//!
//! A real worker's code runs outside the harness, where the clock cannot see it. Were virtual
//! time to skip while such a worker is busy, a task's `TimeoutSeconds` could fire before a worker
//! that is answering as fast as it can. So, as Temporal's time-skipping test server locks skipping
//! while an activity runs, the harness holds automatic skipping
//!
//! - from the moment a message carrying an open task token is received over HTTP until that
//!   token is answered or closed (each `SendTask*` call for it, even one refused by an injected
//!   fault and retried by the SDK, renews the hold); and
//! - while a queue that a worker has polled recently holds a visible message carrying an open
//!   token: the worker is about to take it (it may be sleeping in its SDK's retry back-off).
//!
//! Both are bounded in real time ([`LOCK_BOUND`] since the receive, the last `SendTask*` call or
//! the last poll), so a worker that received a token and died, or stopped polling, does not
//! freeze the clock. These are *holds* ([`Clock::add_hold`]): they stop automatic skipping only;
//! [`Harness::advance`](crate::harness::Harness::advance) by hand is not held up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::engine::clock::Clock;
use crate::engine::ids::Ids;
use crate::engine::Engine;
use crate::server::intercept::{After, Before, Call, Interceptor};
use crate::server::{BoxFuture, JsonReply};
use crate::sqs::Sqs;

/// How long (wall time) a received token, or a polled queue, holds virtual time still without
/// news from its worker.
pub const LOCK_BOUND: Duration = Duration::from_secs(5);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Maps updated by single inserts and retains: a poisoned lock is consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The holds of one harness, fed by the requests its endpoint serves.
pub(crate) struct SkipLock {
    engine: Engine,
    sqs: Weak<Sqs>,
    /// Received, still unanswered tokens → until when they hold.
    received: Mutex<HashMap<String, Instant>>,
    /// Queue names → when a worker last polled them.
    polled: Mutex<HashMap<String, Instant>>,
}

impl SkipLock {
    /// Creates the lock and registers its hold with the engine's clock.
    pub(crate) fn install(engine: Engine, sqs: &Arc<Sqs>, clock: &Clock) -> Arc<SkipLock> {
        let lock = Arc::new(SkipLock {
            engine,
            sqs: Arc::downgrade(sqs),
            received: Mutex::new(HashMap::new()),
            polled: Mutex::new(HashMap::new()),
        });
        let weak = Arc::downgrade(&lock);
        clock.add_hold(Arc::new(move || weak.upgrade().is_some_and(|l| l.held())));
        lock
    }

    fn is_open(&self, token: &str) -> bool {
        self.engine.tokens().is_open(token)
    }

    /// Whether a real worker is working on a token, or about to take one.
    fn held(&self) -> bool {
        let now = Instant::now();
        {
            let mut received = lock(&self.received);
            received.retain(|token, until| *until > now && self.is_open(token));
            if !received.is_empty() {
                return true;
            }
        }
        let queues: Vec<String> = {
            let mut polled = lock(&self.polled);
            polled.retain(|_, at| now.duration_since(*at) < LOCK_BOUND);
            polled.keys().cloned().collect()
        };
        if queues.is_empty() {
            return false;
        }
        let Some(sqs) = self.sqs.upgrade() else {
            return false;
        };
        sqs.any_visible(&queues, |body| {
            Ids::find_tokens(body).any(|t| self.is_open(t))
        })
    }

    fn before(&self, call: &Call<'_>) {
        let Some(op) = call.operation() else { return };
        if call.prefix() != Some("AWSStepFunctions") || !op.starts_with("SendTask") {
            return;
        }
        let Ok(request) = serde_json::from_slice::<Value>(call.body) else {
            return;
        };
        if let Some(token) = request.get("taskToken").and_then(Value::as_str) {
            let mut received = lock(&self.received);
            if let Some(until) = received.get_mut(token) {
                *until = Instant::now() + LOCK_BOUND;
            }
        }
    }

    fn after(&self, call: &Call<'_>, reply: &JsonReply) {
        if call.target != Some("AmazonSQS.ReceiveMessage") {
            return;
        }
        let now = Instant::now();
        let queue = serde_json::from_slice::<Value>(call.body)
            .ok()
            .and_then(|r| {
                r.get("QueueUrl")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
        if let Some(url) = queue {
            let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or(&url);
            lock(&self.polled).insert(name.to_string(), now);
        }
        if reply.status != 200 {
            return;
        }
        let text = String::from_utf8_lossy(&reply.body);
        let mut received = lock(&self.received);
        for token in Ids::find_tokens(&text) {
            if self.is_open(token) {
                received.insert(token.to_string(), now + LOCK_BOUND);
            }
        }
    }
}

/// The lock as an interceptor of the endpoint (it lets every call through).
pub(crate) struct SkipLockInterceptor(pub(crate) Arc<SkipLock>);

impl Interceptor for SkipLockInterceptor {
    fn before<'a>(&'a self, call: &'a Call<'a>) -> BoxFuture<'a, Before> {
        self.0.before(call);
        Box::pin(async { Before::Continue })
    }

    fn after<'a>(&'a self, call: &'a Call<'a>, reply: &'a JsonReply) -> BoxFuture<'a, After> {
        self.0.after(call, reply);
        Box::pin(async { After::Send })
    }
}
