//! Holding virtual time still while a real worker works on a task token.
//!
//! Between a worker's `ReceiveMessage` and its `SendTaskSuccess`, the worker's own code runs
//! outside the harness, where the clock cannot see it. Were virtual time to skip then, a
//! task's `TimeoutSeconds` could fire before a worker that is answering as fast as it can. So, as
//! Temporal's time-skipping test server locks skipping while an activity runs, the harness locks
//! it from the moment a message carrying an open task token is received over HTTP until that
//! token is answered (or closed by a timeout, a stop, or the execution's end). A lock is bounded
//! in real time, so a worker that received a token and died does not freeze the clock forever.
//! A lock waits on the token's close (no polling); a real clock never skips, so it takes none.

use std::sync::Arc;
use std::time::Duration;

use crate::engine::ids::Ids;
use crate::engine::tokens::Tokens;
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

/// Every open token that appears in a `ReceiveMessage` reply, each once.
///
/// The raw reply is scanned for the token prefix rather than parsed: a token's characters
/// (URL-safe base64) are never escaped in JSON, so a token in a message's body (or attributes)
/// appears in the reply verbatim. Each candidate is then looked up in the registry.
fn tokens_in(reply: &[u8], tokens: &Tokens) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let prefix = Ids::TOKEN_PREFIX.as_bytes();
    let mut rest = reply;
    while let Some(at) = find(rest, prefix) {
        let candidate = rest.get(at..at + Ids::TOKEN_LEN);
        rest = &rest[at + prefix.len()..];
        let Some(candidate) = candidate.and_then(|c| std::str::from_utf8(c).ok()) else {
            continue;
        };
        if !found.iter().any(|t| t == candidate) && tokens.is_open(candidate) {
            found.push(candidate.to_string());
        }
    }
    found
}

/// The first position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl JsonService for LockingSqsApi {
    fn call<'a>(&'a self, operation: &'a str, body: &'a [u8]) -> BoxFuture<'a, JsonReply> {
        Box::pin(async move {
            let reply = self.inner.call(operation, body).await;
            let clock = self.engine.clock();
            if operation != "ReceiveMessage" || reply.status != 200 || !clock.is_virtual() {
                return reply;
            }
            for token in tokens_in(&reply.body, self.engine.tokens()) {
                // Taken now, while this request still counts as activity: no gap.
                let activity = clock.activity();
                let closed = self.engine.tokens().closed(&token);
                tokio::spawn(async move {
                    let _activity = activity;
                    let _ = tokio::time::timeout(LOCK_BOUND, closed).await;
                });
            }
            reply
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_open_token_once_wherever_it_appears() {
        let tokens = Tokens::default();
        let mut ids = Ids::seeded(3);
        let (a, b, closed) = (ids.task_token(), ids.task_token(), ids.task_token());
        let _ra = tokens.open(&a, "arn:e", "S");
        let _rb = tokens.open(&b, "arn:e", "S");
        let _rc = tokens.open(&closed, "arn:e", "S");
        tokens.close(&closed);
        let reply = serde_json::json!({ "Messages": [
            { "Body": serde_json::json!({ "token": a, "again": a }).to_string() },
            { "Body": format!("{b}{b}"), "MessageAttributes": { "t": { "StringValue": closed } } },
            { "Body": a[..20].to_string() },
        ]})
        .to_string();
        assert_eq!(tokens_in(reply.as_bytes(), &tokens), vec![a, b]);
        assert!(tokens_in(b"", &tokens).is_empty());
        assert!(tokens_in(Ids::TOKEN_PREFIX.as_bytes(), &tokens).is_empty());
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
    /// skip again once the token is answered (the one-hour Wait after it).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_received_token_holds_virtual_time_until_it_is_answered() {
        // Below LOCK_BOUND: a lock not released on the answer would fail `finish()`.
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
        // The worker's own work, which the clock cannot see, runs while the test drives time.
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
            "the task timed out under the worker: {:?}",
            done.error()
        );
        assert!(worker.await.unwrap().is_ok(), "the answer was refused");
        assert_eq!(done.duration(), Duration::from_secs(3600));
    }
}
