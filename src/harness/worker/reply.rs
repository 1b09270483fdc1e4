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
///     .respond_with(Reply::with(|task| match task.input["amount"].as_u64() {
///         Some(a) if a > 1000 => Answer::Failure { error: "TooLarge".into(), cause: "over the limit".into() },
///         _ => Answer::Success(json!({ "approved": true })),
///     }))
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
/// ([`respond`](crate::Worker::respond), or [`respond_with`](crate::Worker::respond_with) a
/// `Reply`); each
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
///     .respond_with(Reply::fail("Busy", "try again"))
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
    ///
    /// `Retry` and `Catch` see them.
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let machine = h.create_state_machine("credit", json!({
    ///     "StartAt": "CheckCredit",
    ///     "States": { "CheckCredit": {
    ///         "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    ///         "Parameters": { "token.$": "$$.Task.Token" },
    ///         "End": true } }
    /// })).await?;
    ///
    /// h.on_task("CheckCredit").respond_with(Reply::fail("Bureau.Down", "no answer from the bureau")).mount().await;
    ///
    /// let done = machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(done.status(), Status::Failed);
    /// assert_eq!(done.error().as_deref(), Some("Bureau.Down"));
    /// assert_eq!(done.cause().as_deref(), Some("no answer from the bureau"));
    /// # Ok(()) }
    /// ```
    pub fn fail(error: impl Into<String>, cause: impl Into<String>) -> Reply {
        Reply::of(Answer::Failure {
            error: error.into(),
            cause: cause.into(),
        })
    }

    /// Take the task and never answer.
    ///
    /// The state's timeout decides.
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let machine = h.create_state_machine("review", json!({
    ///     "StartAt": "Review",
    ///     "States": { "Review": {
    ///         "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    ///         "Parameters": { "token.$": "$$.Task.Token" },
    ///         "TimeoutSeconds": 3600,
    ///         "End": true } }
    /// })).await?;
    ///
    /// h.on_task("Review").respond_with(Reply::silent()).expect(1).mount().await;
    ///
    /// let done = machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    /// assert_eq!(done.duration(), Duration::from_secs(3600));
    /// # Ok(()) }
    /// ```
    pub fn silent() -> Reply {
        Reply::of(Answer::Silent)
    }

    /// Take the SQS message and never delete it (a worker that crashed mid-task).
    ///
    /// SQS hands the message out again after the queue's visibility timeout.
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let queue = h.create_queue("jobs").await?; // visibility timeout: 30 s
    /// let machine = h.create_state_machine("job", json!({
    ///     "StartAt": "Work",
    ///     "States": { "Work": {
    ///         "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    ///         "Parameters": { "QueueUrl": queue, "MessageBody": { "token.$": "$$.Task.Token" } },
    ///         "End": true } }
    /// })).await?;
    ///
    /// h.on_task("Work").respond_with(Reply::crash()).then(Reply::respond(json!({ "done": true }))).expect(2).mount().await;
    ///
    /// let done = machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(done.output(), Some(&json!({ "done": true })));
    /// assert_eq!(done.duration(), Duration::from_secs(30));
    /// # Ok(()) }
    /// ```
    pub fn crash() -> Reply {
        Reply::of(Answer::Crash)
    }

    /// Answer `SendTaskSuccess` with `raw` as the output text, as it is: text that is not JSON
    /// (refused with `InvalidOutput`), or JSON over 262,144 characters (refused with a
    /// `ValidationException`, the `output` member's length constraint in the service model).
    /// Either way the task stays open.
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    ///
    /// let not_json = Reply::raw_output("{not json");
    /// let too_large = Reply::raw_output(format!(r#"{{"blob":"{}"}}"#, "x".repeat(300_000)));
    /// let _worker = Worker::on_task("Work").respond_with(not_json).then(too_large);
    /// ```
    pub fn raw_output(raw: impl Into<String>) -> Reply {
        Reply::of(Answer::RawOutput(raw.into()))
    }

    /// Decide per task with a closure.
    ///
    /// Per task, from its input, token, attempt or SQS message.
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let machine = h.create_state_machine("double", json!({
    ///     "StartAt": "Double",
    ///     "States": { "Double": {
    ///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
    ///         "End": true } }
    /// })).await?;
    ///
    /// h.on_task("Double")
    ///     .respond_with(Reply::with(|task| Answer::Success(json!(task.input["n"].as_i64().unwrap_or(0) * 2))))
    ///     .mount()
    ///     .await;
    ///
    /// let done = machine.start(json!({ "n": 21 })).await?.finish().await?;
    /// assert_eq!(done.output(), Some(&json!(42)));
    /// # Ok(()) }
    /// ```
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
    ///
    /// Virtual time: the test does not wait it out.
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let machine = h.create_state_machine("review", json!({
    ///     "StartAt": "Review",
    ///     "States": { "Review": {
    ///         "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    ///         "Parameters": { "token.$": "$$.Task.Token" },
    ///         "End": true } }
    /// })).await?;
    ///
    /// // A reviewer who takes two days.
    /// h.on_task("Review")
    ///     .respond_with(Reply::respond(json!({ "ok": true })).after(Duration::from_secs(2 * 86400)))
    ///     .mount()
    ///     .await;
    ///
    /// let done = machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(done.duration(), Duration::from_secs(2 * 86400));
    /// # Ok(()) }
    /// ```
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// While waiting to answer, send `SendTaskHeartbeat` every `every`.
    ///
    /// A state's `HeartbeatSeconds` then does not fire.
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let machine = h.create_state_machine("render", json!({
    ///     "StartAt": "Render",
    ///     "States": { "Render": {
    ///         "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    ///         "Parameters": { "token.$": "$$.Task.Token" },
    ///         "HeartbeatSeconds": 60,
    ///         "End": true } }
    /// })).await?;
    ///
    /// // Ten minutes of work, a heartbeat every 30 s.
    /// let worker = h.on_task("Render")
    ///     .respond_with(Reply::respond(json!({ "frames": 240 })).after(Duration::from_secs(600)).heartbeat_every(Duration::from_secs(30)))
    ///     .mount()
    ///     .await;
    ///
    /// let done = machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(done.status(), Status::Succeeded);
    /// assert_eq!(worker.log().iter().filter(|l| l.ends_with("heartbeat")).count(), 19);
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let machine = h.create_state_machine("pay", json!({
    ///     "StartAt": "Pay",
    ///     "States": { "Pay": {
    ///         "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    ///         "Parameters": { "token.$": "$$.Task.Token" },
    ///         "End": true } }
    /// })).await?;
    ///
    /// let worker = h.on_task("Pay").respond_with(Reply::respond(json!({ "paid": true })).twice()).mount().await;
    ///
    /// let done = machine.start(json!({})).await?.finish().await?;
    /// h.clock().settle().await;
    /// assert_eq!(done.output(), Some(&json!({ "paid": true })));
    /// assert!(worker.log()[1].ends_with("refused: TaskTimedOut"), "{:?}", worker.log());
    /// # Ok(()) }
    /// ```
    pub fn twice(mut self) -> Reply {
        self.twice = true;
        self
    }
}
