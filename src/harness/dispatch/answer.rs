//! A worker's answer on its way back: the reply's closure run with its panics caught
//! ([`compute`]), then the delay, the heartbeats and the `SendTask*` calls ([`answer_token`]).

use crate::sync::lock;

use crate::harness::faults::injector::InProcess;
use crate::harness::worker::{Answer, Reply, ReplyKind, WorkerState, WorkerTask};
use crate::harness::HarnessInner;
use crate::time::Millis;
use serde_json::{json, Value};

/// Runs a reply's closure, catching panics (recorded for the test to fail with).
pub(super) async fn compute(
    h: &HarnessInner,
    worker: &WorkerState,
    reply: &Reply,
    task: WorkerTask,
) -> Option<Answer> {
    use futures_util::FutureExt;
    match &reply.answer {
        ReplyKind::Fixed(a) => Some(a.clone()),
        ReplyKind::Computed(f) => {
            let fut = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(task)));
            let result = match fut {
                Ok(fut) => std::panic::AssertUnwindSafe(fut).catch_unwind().await,
                Err(p) => Err(p),
            };
            match result {
                Ok(a) => Some(a),
                Err(p) => {
                    record_panic(h, worker, p);
                    None
                }
            }
        }
    }
}

/// Records a worker's panic: in its log, in the harness's list (which `finish()` and `verify()`
/// report), and wakes every `finish()` waiting.
fn record_panic(h: &HarnessInner, worker: &WorkerState, payload: Box<dyn std::any::Any + Send>) {
    let msg = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(non-string panic payload)".into());
    let line = format!("{} panicked: {msg}", worker.label());
    worker.note(line.clone());
    lock(&h.panics).push(line);
    h.panicked.notify_waiters();
}

/// Waits the reply's delay (heartbeating if asked) and sends the answer. `about` says which
/// task the reply is for in the worker's log (` (item 2)`, ` (message 5f3c…)`).
pub(super) async fn answer_token(
    h: &HarnessInner,
    worker: &WorkerState,
    n: u64,
    reply: &Reply,
    answer: Answer,
    token: &str,
    about: &str,
) {
    let engine = h.engine();
    let clock = engine.clock();
    let start = clock.now_ms();
    let end = start + reply.delay.as_millis() as Millis;
    if let Some(every) = reply.heartbeat.filter(|d| !d.is_zero()) {
        let every = every.as_millis() as Millis;
        let stop = reply
            .heartbeat_stop_after
            .map(|d| start + d.as_millis() as Millis)
            .unwrap_or(Millis::MAX);
        let mut next = start + every;
        while next < end && next <= stop {
            clock.sleep_until(next).await;
            let call = Scripted::heartbeat(token);
            match send(h, &call, || {
                engine
                    .send_task_heartbeat(token)
                    .map_err(|e| e.code().to_string())
            })
            .await
            {
                Ok(()) => worker.note(format!("#{n}{about}: heartbeat")),
                Err(e) => {
                    worker.note(format!("#{n}{about}: heartbeat refused: {e}"));
                    return;
                }
            }
            next += every;
        }
    }
    clock.sleep_until(end).await;
    let times = if reply.twice { 2 } else { 1 };
    for _ in 0..times {
        let result = match &answer {
            Answer::Success(v) => {
                let output = v.to_string();
                let call = Scripted::success(token, &output);
                send(h, &call, || {
                    engine
                        .send_task_success(token, &output)
                        .map_err(|e| e.code().to_string())
                })
                .await
            }
            Answer::RawOutput(s) => {
                let call = Scripted::success(token, s);
                send(h, &call, || {
                    engine
                        .send_task_success(token, s)
                        .map_err(|e| e.code().to_string())
                })
                .await
            }
            Answer::Failure { error, cause } => {
                let call = Scripted::failure(token, error, cause);
                send(h, &call, || {
                    engine
                        .send_task_failure(token, Some(error), Some(cause))
                        .map_err(|e| e.code().to_string())
                })
                .await
            }
            Answer::Silent | Answer::Crash => {
                worker.note(format!("#{n}{about}: {answer:?}"));
                return;
            }
        };
        match result {
            Ok(()) => worker.note(format!("#{n}{about}: {answer:?}")),
            Err(e) => worker.note(format!("#{n}{about}: {answer:?} refused: {e}")),
        }
    }
}

/// A `SendTask*` call a scripted worker makes in-process, as the API fault rules see it: the
/// target and the request body the SDK would send.
struct Scripted {
    target: &'static str,
    body: Value,
}

impl Scripted {
    fn success(token: &str, output: &str) -> Scripted {
        Scripted {
            target: "AWSStepFunctions.SendTaskSuccess",
            body: json!({ "taskToken": token, "output": output }),
        }
    }

    fn failure(token: &str, error: &str, cause: &str) -> Scripted {
        Scripted {
            target: "AWSStepFunctions.SendTaskFailure",
            body: json!({ "taskToken": token, "error": error, "cause": cause }),
        }
    }

    fn heartbeat(token: &str) -> Scripted {
        Scripted {
            target: "AWSStepFunctions.SendTaskHeartbeat",
            body: json!({ "taskToken": token }),
        }
    }
}

/// How many attempts the SDK's standard retry mode makes ("Makes three attempts":
/// <https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html>).
const MAX_ATTEMPTS: u64 = 3;
/// The standard mode's initial backoff (the Rust SDK's `RetryConfig` default: 1 s) and its cap
/// (20 s): attempt `i` waits a random fraction of `min(1 s × 2^i, 20 s)` (full jitter).
const INITIAL_BACKOFF_MS: f64 = 1_000.0;
const MAX_BACKOFF_MS: f64 = 20_000.0;

/// Whether the standard retry mode retries an error reply: throttling codes and transient
/// statuses (500, 502, 503, 504), as the AWS SDKs' standard mode lists them.
fn retryable(code: &str, status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504)
        || matches!(
            code,
            "Throttling"
                | "ThrottlingException"
                | "ThrottledException"
                | "RequestThrottledException"
                | "TooManyRequestsException"
                | "ProvisionedThroughputExceededException"
                | "TransactionInProgressException"
                | "RequestLimitExceeded"
                | "BandwidthLimitExceeded"
                | "LimitExceededException"
                | "RequestThrottled"
                | "SlowDown"
                | "PriorRequestNotComplete"
                | "EC2ThrottledException"
        )
}

/// Makes a scripted worker's `SendTask*` call through the same API fault rules as the same
/// call over HTTP, retried as the SDK's standard retry mode would on the harness clock: up to
/// [`MAX_ATTEMPTS`] attempts, exponential backoff with jitter from the harness's seed. A lost
/// response (the call was handled) is retried too, and the retry meets the service's answer to
/// a second call. The error is the last attempt's code.
async fn send(
    h: &HarnessInner,
    call: &Scripted,
    mut make: impl FnMut() -> Result<(), String>,
) -> Result<(), String> {
    let clock = h.engine().clock();
    let subject = format!("{}\u{0}{}", call.target, call.body);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let outcome = {
            // The call is in flight: time must not skip under it (as for an HTTP request).
            let _in_flight = clock.activity();
            match h.faults.in_process_before(call.target, &call.body).await {
                InProcess::Proceed => match make() {
                    Ok(())
                        if h.faults
                            .in_process_response_lost(call.target, &call.body)
                            .await =>
                    {
                        Err(("connection closed before the response".to_string(), true))
                    }
                    Ok(()) => Ok(()),
                    Err(code) => Err((code, false)),
                },
                InProcess::Refused { code, status } => {
                    let again = retryable(&code, status);
                    Err((code, again))
                }
                InProcess::Dropped => Err(("connection dropped".to_string(), true)),
            }
        };
        match outcome {
            Ok(()) => return Ok(()),
            Err((_, true)) if attempt < MAX_ATTEMPTS => {
                let cap = (INITIAL_BACKOFF_MS * 2f64.powi(attempt as i32 - 1)).min(MAX_BACKOFF_MS);
                let wait = (h.faults.jitter(&subject, attempt) * cap) as Millis;
                clock.sleep_until(clock.now_ms() + wait).await;
            }
            Err((code, _)) => return Err(code),
        }
    }
}
