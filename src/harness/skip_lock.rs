//! Holding virtual time still while a real worker works on a task token.
//!
//! Between a worker's `ReceiveMessage` and its `SendTaskSuccess`, the worker's own code runs
//! outside the harness, where the clock cannot see it. Were virtual time to skip then, a
//! task's `TimeoutSeconds` could fire before a worker that is answering as fast as it can. So, as
//! Temporal's time-skipping test server locks skipping while an activity runs, the harness locks
//! it from the moment a message carrying an open task token is received over HTTP until that
//! token is answered (or closed by a timeout, a stop, or the execution's end). A lock is bounded
//! in real time, so a worker that received a token and died does not freeze the clock forever.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::engine::Engine;
use crate::server::{BoxFuture, JsonReply, JsonService, SqsApi};

/// How long (wall time) one received token can hold virtual time still without an answer.
pub const LOCK_BOUND: Duration = Duration::from_secs(5);

/// The SQS JSON API, with skip locks for received task tokens.
pub(crate) struct LockingSqsApi {
    inner: SqsApi,
    engine: Engine,
}

impl LockingSqsApi {
    pub(crate) fn new(inner: SqsApi, engine: Engine) -> Arc<LockingSqsApi> {
        Arc::new(LockingSqsApi { inner, engine })
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
                // Taken now, while this request still counts as activity: no gap.
                let activity = engine.clock().activity();
                let engine = engine.clone();
                tokio::spawn(async move {
                    let _activity = activity;
                    let until = tokio::time::Instant::now() + LOCK_BOUND;
                    while tokio::time::Instant::now() < until
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
            reply
        })
    }
}
