//! Holding virtual time still while a real worker works on a task token.
//!
//! Between a worker's `ReceiveMessage` and its `SendTaskSuccess`, the worker's own code runs
//! outside the harness, where the clock cannot see it. Were virtual time to skip then, a
//! task's `TimeoutSeconds` could fire before a worker that is answering as fast as it can. So, as
//! Temporal's time-skipping test server locks skipping while an activity runs, the harness locks
//! it from the moment a message carrying an open task token is received over HTTP until that
//! token is answered (or closed by a timeout, a stop, or the execution's end). A lock is bounded
//! in real time, so a worker that received a token and died does not freeze the clock forever.
//!
//! Before that, a message that carries an open token and that no scripted worker takes is work
//! a real worker is about to pick up: the one starting up, or the one between two
//! `ReceiveMessage` calls. The clock cannot see either, so it holds still until some client
//! receives the message, for at most [`PICKUP_BOUND`] of wall time (a test that lets such a task
//! time out with no worker at all pays that once per token; a `.silent()` worker does not).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::engine::Engine;
use crate::server::{BoxFuture, JsonReply, JsonService, SqsApi};

/// How long (wall time) one received token can hold virtual time still without an answer.
pub const LOCK_BOUND: Duration = Duration::from_secs(5);

/// How long (wall time) a token's message that no scripted worker takes holds virtual time
/// still, waiting for a real worker to receive it.
pub const PICKUP_BOUND: Duration = Duration::from_secs(2);

/// Task tokens whose message a client has received over HTTP.
#[derive(Debug, Default)]
pub(crate) struct ReceivedTokens(Mutex<HashSet<String>>);

impl ReceivedTokens {
    fn set(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        // Single inserts and removals: a poisoned set is still consistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Holds virtual time still (as one activity) while `token` is open and `until_done` is false,
/// for at most `bound` of wall time. The activity is taken now, by the caller, so there is no
/// gap between the caller's own activity and the hold.
fn hold(
    engine: &Engine,
    token: String,
    bound: Duration,
    until_done: impl Fn() -> bool + Send + 'static,
) {
    let activity = engine.clock().activity();
    let engine = engine.clone();
    tokio::spawn(async move {
        let _activity = activity;
        let until = tokio::time::Instant::now() + bound;
        while tokio::time::Instant::now() < until
            && !until_done()
            && engine
                .tokens()
                .open_tokens()
                .iter()
                .any(|t| t.token == token)
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
}

/// Holds virtual time still until some client receives the message that carries `token` (see
/// the [module docs](self)).
pub(crate) fn hold_for_pickup(engine: &Engine, received: &Arc<ReceivedTokens>, token: String) {
    let seen = received.clone();
    let key = token.clone();
    hold(engine, token, PICKUP_BOUND, move || seen.set().remove(&key));
}

/// The SQS JSON API, with skip locks for received task tokens.
pub(crate) struct LockingSqsApi {
    inner: SqsApi,
    engine: Engine,
    received: Arc<ReceivedTokens>,
}

impl LockingSqsApi {
    pub(crate) fn new(
        inner: SqsApi,
        engine: Engine,
        received: Arc<ReceivedTokens>,
    ) -> Arc<LockingSqsApi> {
        Arc::new(LockingSqsApi {
            inner,
            engine,
            received,
        })
    }
}

/// The open tokens that appear in a `ReceiveMessage` reply's message bodies.
fn tokens_in(reply: &JsonReply, open: &[String]) -> Vec<String> {
    if open.is_empty() {
        return Vec::new();
    }
    let Ok(v) = serde_json::from_slice::<Value>(&reply.body) else {
        return Vec::new();
    };
    let bodies: Vec<&str> = v
        .get("Messages")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .filter_map(|m| m.get("Body").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    open.iter()
        .filter(|t| bodies.iter().any(|b| b.contains(t.as_str())))
        .cloned()
        .collect()
}

impl JsonService for LockingSqsApi {
    fn call<'a>(&'a self, operation: &'a str, body: &'a [u8]) -> BoxFuture<'a, JsonReply> {
        Box::pin(async move {
            let reply = self.inner.call(operation, body).await;
            if operation != "ReceiveMessage" || reply.status != 200 {
                return reply;
            }
            let engine = &self.engine;
            let open: Vec<String> = engine
                .tokens()
                .open_tokens()
                .into_iter()
                .map(|t| t.token)
                .collect();
            for token in tokens_in(&reply, &open) {
                self.received.set().insert(token.clone());
                // Taken now, while this request still counts as activity: no gap.
                hold(engine, token, LOCK_BOUND, || false);
            }
            reply
        })
    }
}
