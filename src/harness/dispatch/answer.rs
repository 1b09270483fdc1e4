//! A worker's answer on its way back: the reply's closure run with its panics caught
//! ([`compute`]), then the delay, the heartbeats and the `SendTask*` calls ([`answer_token`]).

use crate::sync::lock;

use crate::harness::worker::{Answer, Reply, ReplyKind, WorkerState, WorkerTask};
use crate::harness::HarnessInner;
use crate::time::Millis;

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

/// Waits the reply's delay (heartbeating if asked) and sends the answer.
pub(super) async fn answer_token(
    h: &HarnessInner,
    worker: &WorkerState,
    n: u64,
    reply: &Reply,
    answer: Answer,
    token: &str,
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
            match engine.send_task_heartbeat(token) {
                Ok(()) => worker.note(format!("#{n}: heartbeat")),
                Err(e) => {
                    worker.note(format!("#{n}: heartbeat refused: {}", e.code()));
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
            Answer::Success(v) => engine.send_task_success(token, &v.to_string()),
            Answer::RawOutput(s) => engine.send_task_success(token, s),
            Answer::Failure { error, cause } => {
                engine.send_task_failure(token, Some(error), Some(cause))
            }
            Answer::Silent | Answer::Crash => {
                worker.note(format!("#{n}: {answer:?}"));
                return;
            }
        };
        match result {
            Ok(()) => worker.note(format!("#{n}: {answer:?}")),
            Err(e) => worker.note(format!("#{n}: {answer:?} refused: {}", e.code())),
        }
    }
}
