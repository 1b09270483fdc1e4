//! One step of a worker's script ([`Reply`]) and what it answers ([`Answer`]).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::WorkerTask;

/// How a worker answers one delivery: what a [`Reply::with`] closure returns.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::start().await;
/// let machine = h.create_state_machine("check", json!({
///     "StartAt": "Check",
///     "States": { "Check": {
///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:check",
///         "End": true } }
/// })).await?;
///
/// // Refuse large amounts, approve the rest.
/// h.on_task("Check")
///     .respond_with(|task| match task.input["amount"].as_u64() {
///         Some(a) if a > 1000 => Answer::Failure { error: "TooLarge".into(), cause: "over the limit".into() },
///         _ => Answer::Success(json!({ "approved": true })),
///     })
///     .mount()
///     .await;
///
/// let done = machine.start(json!({ "amount": 5000 })).await?.finish().await?;
/// assert_eq!(done.status(), Status::Failed);
/// assert_eq!(done.error().as_deref(), Some("TooLarge"));
/// # Ok(()) }
/// ```
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

/// One step of a worker's script: what to answer, after how long, with what heartbeats. The
/// first step is set by the worker's own builder methods
/// ([`respond`](crate::Worker::respond), [`fail`](crate::Worker::fail), …); each
/// [`then`](crate::Worker::then) adds the reply for the next delivery.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::start().await;
/// let machine = h.create_state_machine("charge", json!({
///     "StartAt": "Charge",
///     "States": { "Charge": {
///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
///         "Retry": [{ "ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 3 }],
///         "End": true } }
/// })).await?;
///
/// // Busy twice, then charged after 250 ms.
/// h.on_task("Charge")
///     .fail("Busy", "try again")
///     .then(Reply::fail("Busy", "try again"))
///     .then(Reply::respond(json!({ "charged": true })).after(Duration::from_millis(250)))
///     .expect(3)
///     .mount()
///     .await;
///
/// let done = machine.start(json!({})).await?.finish().await?;
/// assert_eq!(done.output(), Some(&json!({ "charged": true })));
/// # Ok(()) }
/// ```
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
