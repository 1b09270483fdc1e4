//! Scripted workers: "when the token for state X arrives, respond with Y after N ms".
//!
//! A scripted worker is a worker like any other. For a `sqs:sendMessage.waitForTaskToken` task it
//! receives the very SQS message the state sent (so `ApproximateReceiveCount` counts it, and a
//! [`crash`](WorkerBuilder::crash) leaves it in flight until its visibility timeout returns it to
//! the queue), reads the task from it, and answers through the same `SendTaskSuccess` /
//! `SendTaskFailure` / `SendTaskHeartbeat` entry points the HTTP API uses. For a Task whose
//! resource has no handler (a Lambda function, say), the worker *is* the resource: its reply is
//! the task's result.
//!
//! Builders follow `wiremock`: describe what to match, what to do, how often it must happen,
//! then [`mount`](WorkerBuilder::mount). Expectations are verified by
//! [`Harness::verify`](crate::harness::Harness::verify) and when the harness is dropped.
//!
//! ```
//! use sfn_harness::prelude::*;
//! use serde_json::json;
//! use std::time::Duration;
//!
//! # async fn demo(h: &Harness) {
//! // Fail twice, then succeed; it must happen exactly three times.
//! h.on_task("Charge")
//!     .fail("Busy", "try again")
//!     .then(Reply::fail("Busy", "try again"))
//!     .then(Reply::respond(json!({ "charged": true })).after(Duration::from_millis(250)))
//!     .expect(3)
//!     .mount()
//!     .await;
//! # }
//! ```

use crate::sync::lock;
use std::fmt;
use std::ops::{Bound, RangeBounds};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::Value;

use crate::harness::Harness;
use crate::sqs::ReceivedMessage;

/// What a scripted worker sees of a task.
#[derive(Debug, Clone)]
pub struct WorkerTask {
    /// The Task state's name.
    pub state_name: String,
    /// The execution's ARN.
    pub execution_arn: String,
    /// The state machine's ARN.
    pub state_machine_arn: String,
    /// The task as the worker receives it: for SQS, the message body (parsed if it is JSON);
    /// otherwise the task's effective input.
    pub input: Value,
    /// The task token, for `.waitForTaskToken` tasks.
    pub token: Option<String>,
    /// `$$.State.RetryCount` of the attempt (0 for the first).
    pub attempt: u64,
    /// How many deliveries this worker had before this one (0 for the first).
    pub delivery: u64,
    /// For a `sqs:sendMessage` task, the SQS message as the worker received it: its system
    /// attributes (`ApproximateReceiveCount`, `SentTimestamp`, …) and `MessageAttributes`.
    pub message: Option<ReceivedMessage>,
}

/// How a worker answers one delivery.
#[derive(Clone)]
pub enum Answer {
    /// `SendTaskSuccess` with this output (or the task's result, without a token).
    Success(Value),
    /// `SendTaskFailure` with this error and cause.
    Failure {
        /// The error name.
        error: String,
        /// The cause.
        cause: String,
    },
    /// Never answer; the message is deleted (the state's timeout decides).
    Silent,
    /// Take the message and never delete it: SQS redelivers it after its visibility timeout.
    Crash,
    /// Answer with output that is not valid JSON (`SendTaskSuccess` refuses it: `InvalidOutput`).
    RawOutput(String),
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Success(v) => write!(f, "respond {v}"),
            Answer::Failure { error, cause } => write!(f, "fail {error:?} ({cause:?})"),
            Answer::Silent => f.write_str("stay silent"),
            Answer::Crash => f.write_str("crash"),
            Answer::RawOutput(s) => write!(f, "send raw output {s:?}"),
        }
    }
}

type Compute = Arc<dyn Fn(WorkerTask) -> BoxFuture<'static, Answer> + Send + Sync>;

/// One step of a worker's script: what to answer, after how long, with what heartbeats.
#[derive(Clone)]
pub struct Reply {
    pub(crate) answer: ReplyKind,
    pub(crate) delay: Duration,
    pub(crate) heartbeat: Option<Duration>,
    pub(crate) heartbeat_stop_after: Option<Duration>,
    pub(crate) twice: bool,
}

#[derive(Clone)]
pub(crate) enum ReplyKind {
    Fixed(Answer),
    Computed(Compute),
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.answer {
            ReplyKind::Fixed(a) => write!(f, "{a:?}")?,
            ReplyKind::Computed(_) => f.write_str("respond with a closure")?,
        }
        if !self.delay.is_zero() {
            write!(f, " after {:?}", self.delay)?;
        }
        if let Some(h) = self.heartbeat {
            write!(f, ", heartbeat every {h:?}")?;
        }
        if self.twice {
            f.write_str(", twice")?;
        }
        Ok(())
    }
}

impl Reply {
    fn of(answer: Answer) -> Reply {
        Reply {
            answer: ReplyKind::Fixed(answer),
            delay: Duration::ZERO,
            heartbeat: None,
            heartbeat_stop_after: None,
            twice: false,
        }
    }

    /// Succeed with `output`.
    pub fn respond(output: Value) -> Reply {
        Reply::of(Answer::Success(output))
    }

    /// Fail with `error` and `cause`.
    pub fn fail(error: impl Into<String>, cause: impl Into<String>) -> Reply {
        Reply::of(Answer::Failure {
            error: error.into(),
            cause: cause.into(),
        })
    }

    /// Take the task and never answer.
    pub fn silent() -> Reply {
        Reply::of(Answer::Silent)
    }

    /// Take the SQS message and never delete it (a worker that crashed mid-task).
    pub fn crash() -> Reply {
        Reply::of(Answer::Crash)
    }

    /// Answer `SendTaskSuccess` with output that is not JSON.
    pub fn invalid_output(raw: impl Into<String>) -> Reply {
        Reply::of(Answer::RawOutput(raw.into()))
    }

    /// Answer `SendTaskSuccess` with valid JSON of `bytes` bytes. Step Functions refuses output
    /// over 262,144 characters with a `ValidationException` (the `output` member's length
    /// constraint in the service model), so the task stays open.
    pub fn oversize_output(bytes: usize) -> Reply {
        // `{"blob":"…"}` is 11 bytes around the padding.
        let pad = "x".repeat(bytes.saturating_sub(11));
        Reply::of(Answer::RawOutput(format!("{{\"blob\":\"{pad}\"}}")))
    }

    /// Decide per task with a closure.
    pub fn with<F>(f: F) -> Reply
    where
        F: Fn(&WorkerTask) -> Answer + Send + Sync + 'static,
    {
        let f = Arc::new(f);
        Reply {
            answer: ReplyKind::Computed(Arc::new(move |t| {
                let f = f.clone();
                Box::pin(async move { f(&t) })
            })),
            ..Reply::of(Answer::Silent)
        }
    }

    /// Decide per task with an async closure.
    pub fn with_async<F, Fut>(f: F) -> Reply
    where
        F: Fn(WorkerTask) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Answer> + Send + 'static,
    {
        Reply {
            answer: ReplyKind::Computed(Arc::new(move |t| Box::pin(f(t)))),
            ..Reply::of(Answer::Silent)
        }
    }

    /// Answer only after `delay` (harness time).
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// While waiting to answer, send `SendTaskHeartbeat` every `every`.
    pub fn heartbeat_every(mut self, every: Duration) -> Reply {
        self.heartbeat = Some(every);
        self
    }

    /// Stop heartbeating after `d` (a worker that hangs part way).
    pub fn stop_heartbeats_after(mut self, d: Duration) -> Reply {
        self.heartbeat_stop_after = Some(d);
        self
    }

    /// Answer twice (the second answer is refused with `TaskTimedOut`, as AWS refuses it).
    pub fn twice(mut self) -> Reply {
        self.twice = true;
        self
    }
}

/// How many deliveries a worker expects: `.expect(1)`, `.expect(2..)`, `.expect(..=3)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    min: u64,
    max: Option<u64>,
}

impl Times {
    pub(crate) fn contains(&self, n: u64) -> bool {
        n >= self.min && self.max.is_none_or(|m| n <= m)
    }
}

impl fmt::Display for Times {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(m) if m == self.min => write!(f, "exactly {m}"),
            Some(m) => write!(f, "between {} and {m}", self.min),
            None => write!(f, "at least {}", self.min),
        }
    }
}

impl From<u64> for Times {
    fn from(n: u64) -> Times {
        Times {
            min: n,
            max: Some(n),
        }
    }
}

macro_rules! times_from_range {
    ($($t:ty),*) => {$(
        impl From<$t> for Times {
            fn from(r: $t) -> Times {
                let min = match r.start_bound() {
                    Bound::Included(&n) => n,
                    Bound::Excluded(&n) => n + 1,
                    Bound::Unbounded => 0,
                };
                let max = match r.end_bound() {
                    Bound::Included(&n) => Some(n),
                    Bound::Excluded(&n) => Some(n.saturating_sub(1)),
                    Bound::Unbounded => None,
                };
                Times { min, max }
            }
        }
    )*};
}
times_from_range!(
    std::ops::Range<u64>,
    std::ops::RangeInclusive<u64>,
    std::ops::RangeFrom<u64>,
    std::ops::RangeTo<u64>,
    std::ops::RangeToInclusive<u64>
);

type Predicate = Arc<dyn Fn(&Value) -> bool + Send + Sync>;

/// A mounted worker's script, counters and log.
pub(crate) struct WorkerState {
    pub name: Option<String>,
    pub state: String,
    pub machine: Option<String>,
    pub queue: Option<String>,
    pub predicate: Option<Predicate>,
    pub script: Vec<Reply>,
    pub limit: Option<u64>,
    pub expect: Option<Times>,
    pub deliveries: AtomicU64,
    /// Tasks this worker has taken (reserved when matched, so `.times(n)` holds even when
    /// several tasks arrive before the first delivery is played).
    pub taken: AtomicU64,
    pub log: Mutex<Vec<String>>,
}

impl WorkerState {
    pub(crate) fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("worker '{n}' (state '{}')", self.state),
            None => format!("worker for state '{}'", self.state),
        }
    }

    /// Whether this worker takes a task of `state` in `machine_arn` with `input`.
    pub(crate) fn matches(
        &self,
        state: &str,
        machine_arn: &str,
        queue: Option<&str>,
        input: &Value,
    ) -> bool {
        if self.state != state {
            return false;
        }
        if let Some(m) = &self.machine {
            let name = crate::arn::name_of(machine_arn);
            if m != machine_arn && m != name {
                return false;
            }
        }
        if let Some(q) = &self.queue {
            let Some(url) = queue else { return false };
            if url != q && crate::sqs::queue_name_in(url) != q {
                return false;
            }
        }
        if let Some(p) = &self.predicate {
            if !p(input) {
                return false;
            }
        }
        true
    }

    /// Takes one more task if `.times(n)` allows it (atomically: two tasks arriving together
    /// cannot both take the last slot).
    pub(crate) fn try_take(&self) -> bool {
        self.taken
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                self.limit.is_none_or(|limit| n < limit).then_some(n + 1)
            })
            .is_ok()
    }

    /// Claims the next delivery: its index and the reply the script gives it.
    pub(crate) fn claim(&self) -> (u64, Reply) {
        let n = self.deliveries.fetch_add(1, Ordering::SeqCst);
        let i = (n as usize).min(self.script.len().saturating_sub(1));
        (n, self.script.get(i).cloned().unwrap_or_else(Reply::silent))
    }

    pub(crate) fn note(&self, line: String) {
        lock(&self.log).push(line);
    }
}

/// Builds a scripted worker; see the [module docs](self). Created by
/// [`Harness::on_task`](crate::harness::Harness::on_task).
#[must_use = "a worker does nothing until it is mounted with `.mount().await`"]
pub struct WorkerBuilder<'h> {
    harness: &'h Harness,
    state: String,
    name: Option<String>,
    machine: Option<String>,
    queue: Option<String>,
    predicate: Option<Predicate>,
    script: Vec<Reply>,
    limit: Option<u64>,
    expect: Option<Times>,
}

impl<'h> WorkerBuilder<'h> {
    pub(crate) fn new(harness: &'h Harness, state: &str) -> Self {
        WorkerBuilder {
            harness,
            state: state.to_string(),
            name: None,
            machine: None,
            queue: None,
            predicate: None,
            script: Vec::new(),
            limit: None,
            expect: None,
        }
    }

    fn first(mut self, r: Reply) -> Self {
        if self.script.is_empty() {
            self.script.push(r);
        } else {
            self.script[0] = r;
        }
        self
    }

    fn edit_last(mut self, f: impl FnOnce(Reply) -> Reply) -> Self {
        let last = self
            .script
            .pop()
            .unwrap_or_else(|| Reply::respond(Value::Null));
        self.script.push(f(last));
        self
    }

    /// Names the worker in reports.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Only tasks of this state machine (name or ARN).
    pub fn for_machine(mut self, machine: impl Into<String>) -> Self {
        self.machine = Some(machine.into());
        self
    }

    /// Only tasks sent to this queue (name or URL).
    pub fn on_queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = Some(queue.into());
        self
    }

    /// Only tasks whose input (the message body, for SQS) satisfies `predicate`.
    pub fn when<F>(mut self, predicate: F) -> Self
    where
        F: Fn(&Value) -> bool + Send + Sync + 'static,
    {
        self.predicate = Some(Arc::new(predicate));
        self
    }

    /// Answer with `output` at once.
    pub fn respond(self, output: Value) -> Self {
        self.first(Reply::respond(output))
    }

    /// Answer with `output` after `delay` of harness time.
    pub fn respond_after(self, delay: Duration, output: Value) -> Self {
        self.first(Reply::respond(output).after(delay))
    }

    /// Decide the answer per task.
    pub fn respond_with<F>(self, f: F) -> Self
    where
        F: Fn(&WorkerTask) -> Answer + Send + Sync + 'static,
    {
        self.first(Reply::with(f))
    }

    /// Decide the answer per task, asynchronously.
    pub fn respond_with_async<F, Fut>(self, f: F) -> Self
    where
        F: Fn(WorkerTask) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Answer> + Send + 'static,
    {
        self.first(Reply::with_async(f))
    }

    /// Answer with `SendTaskFailure`.
    pub fn fail(self, error: impl Into<String>, cause: impl Into<String>) -> Self {
        self.first(Reply::fail(error, cause))
    }

    /// Never answer (let the task time out).
    pub fn silent(self) -> Self {
        self.first(Reply::silent())
    }

    /// Take the message and never delete it: SQS redelivers it after the visibility timeout.
    pub fn crash(self) -> Self {
        self.first(Reply::crash())
    }

    /// Answer with output that is not valid JSON.
    pub fn invalid_output(self, raw: impl Into<String>) -> Self {
        self.first(Reply::invalid_output(raw))
    }

    /// Answer with valid JSON output of `bytes` bytes (over 262,144 it is refused).
    pub fn oversize_output(self, bytes: usize) -> Self {
        self.first(Reply::oversize_output(bytes))
    }

    /// Delay the current reply by `delay`.
    pub fn after(self, delay: Duration) -> Self {
        self.edit_last(|r| r.after(delay))
    }

    /// While the current reply waits, heartbeat every `every`.
    pub fn heartbeat_every(self, every: Duration) -> Self {
        self.edit_last(|r| r.heartbeat_every(every))
    }

    /// Answer the current reply twice (the second is refused).
    pub fn respond_twice(self) -> Self {
        self.edit_last(Reply::twice)
    }

    /// Then, for the next delivery, `reply` (the last reply repeats for every later delivery).
    pub fn then(mut self, reply: Reply) -> Self {
        self.script.push(reply);
        self
    }

    /// Take at most `n` deliveries; later ones are left for other workers.
    pub fn times(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Expect this many deliveries (`3`, `1..=2`, `1..`), verified by `verify()` and on drop.
    pub fn expect(mut self, times: impl Into<Times>) -> Self {
        self.expect = Some(times.into());
        self
    }

    /// Activates the worker.
    pub async fn mount(self) -> WorkerHandle {
        let script = if self.script.is_empty() {
            vec![Reply::respond(Value::Object(Default::default()))]
        } else {
            self.script
        };
        let state = Arc::new(WorkerState {
            name: self.name,
            state: self.state,
            machine: self.machine,
            queue: self.queue,
            predicate: self.predicate,
            script,
            limit: self.limit,
            expect: self.expect,
            deliveries: AtomicU64::new(0),
            taken: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
        });
        self.harness.mount_worker(state.clone());
        WorkerHandle { state }
    }
}

/// A mounted worker, to look at what it did.
#[derive(Clone)]
pub struct WorkerHandle {
    state: Arc<WorkerState>,
}

impl fmt::Debug for WorkerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.state.label())
    }
}

impl WorkerHandle {
    /// How many tasks it has taken.
    pub fn deliveries(&self) -> u64 {
        self.state.deliveries.load(Ordering::SeqCst)
    }

    /// What it did, one line per action (`respond`, `refused: TaskTimedOut`, …).
    pub fn log(&self) -> Vec<String> {
        lock(&self.state.log).clone()
    }
}
