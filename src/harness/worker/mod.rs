//! Scripted workers: "when the token for state X arrives, respond with Y after N ms".
//!
//! A scripted worker is a worker like any other. For a `sqs:sendMessage.waitForTaskToken` task it
//! receives the very SQS message the state sent (so `ApproximateReceiveCount` counts it, and a
//! [`Reply::crash`] leaves it in flight until its visibility timeout returns it to
//! the queue), reads the task from it, and answers through the same `SendTaskSuccess` /
//! `SendTaskFailure` / `SendTaskHeartbeat` entry points the HTTP API uses. For a Task whose
//! resource has no handler (a Lambda function, say), the worker *is* the resource: its reply is
//! the task's result.
//!
//! Workers follow `wiremock`'s `Mock`: a [`Worker`] is a value that says what to match, what to
//! do and how often it must happen; [`Harness::mount`] activates it and
//! returns a [`WorkerHandle`]. `h.on_task("X")…mount().await` is the shorthand for a worker
//! mounted on the spot. Expectations are verified by [`Harness::verify`] and when the harness is
//! dropped.
//!
//! ```
//! use sfn_harness::prelude::*;
//! use serde_json::json;
//! use std::time::Duration;
//!
//! /// The workers of the payment flow, built without a harness.
//! fn payment_workers() -> Vec<Worker> {
//!     vec![
//!         // Busy twice, then charged; it must happen exactly three times.
//!         Worker::on_task("Charge")
//!             .respond_with(Reply::fail("Busy", "try again"))
//!             .then(Reply::fail("Busy", "try again"))
//!             .then(Reply::respond(json!({ "charged": true })).after(Duration::from_millis(250)))
//!             .expect(3),
//!         Worker::on_task("Receipt").respond(json!({ "sent": true })).expect(1),
//!     ]
//! }
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let h = Harness::start().await;
//! let machine = h.create_state_machine("payment", json!({
//!     "StartAt": "Charge",
//!     "States": {
//!         "Charge": { "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
//!                     "Retry": [{ "ErrorEquals": ["Busy"], "MaxAttempts": 3 }], "Next": "Receipt" },
//!         "Receipt": { "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:receipt",
//!                      "End": true } }
//! })).await?;
//! for worker in payment_workers() {
//!     h.mount(worker).await;
//! }
//!
//! let done = machine.start(json!({})).await?.finish().await?;
//! assert_eq!(done.output(), Some(&json!({ "sent": true })));
//! # Ok(()) }
//! ```

mod reply;
mod task;

use crate::sync::lock;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

pub(crate) use reply::ReplyKind;
pub use reply::{Answer, Reply};
pub use task::WorkerTask;

use crate::harness::expect::{Counted, Unmet};
use crate::harness::scope::{scope_methods, Scope, Subject};
use crate::harness::Harness;

/// A scripted worker, built like a `wiremock` `Mock`: what it takes, what it answers, how often.
/// The [crate docs](crate) show how workers, faults and reports fit together.
///
/// `Worker` (that is, `Worker<()>`) is a value: [`Worker::on_task`] builds one without a
/// harness, and [`Harness::mount`] activates it. [`Harness::on_task`] builds
/// a `Worker<&Harness>` instead, a worker already tied to its harness, whose
/// `mount()` takes no argument. Both have the same builder methods.
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
///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:bureau",
///         "End": true } }
/// })).await?;
///
/// let bureau = Worker::on_task("CheckCredit")
///     .named("the bureau")
///     .respond(json!({ "status": "approved" }))
///     .expect(1);
/// let handle = h.mount(bureau).await;
///
/// let done = machine.start(json!({})).await?.finish().await?;
/// assert_eq!(done.output(), Some(&json!({ "status": "approved" })));
/// assert_eq!(handle.deliveries(), 1);
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "a worker does nothing until it is mounted: `h.mount(worker).await`, or `.mount().await` after `h.on_task(..)`"]
pub struct Worker<H = ()> {
    harness: H,
    scope: Scope<Value>,
    script: Vec<Reply>,
}

impl<H> fmt::Debug for Worker<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("scope", &self.scope)
            .field("script", &self.script)
            .finish()
    }
}

impl Worker {
    /// A worker for the Task state `state`, not yet mounted.
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    ///
    /// // A helper can return workers: no harness is needed to build them.
    /// fn approvals() -> Vec<Worker> {
    ///     vec![
    ///         Worker::on_task("Manager").respond(json!({ "approved": true })),
    ///         Worker::on_task("Finance").respond(json!({ "approved": true })).expect(1),
    ///     ]
    /// }
    /// assert_eq!(approvals().len(), 2);
    /// ```
    pub fn on_task(state: &str) -> Worker {
        Worker {
            harness: (),
            scope: Scope::for_state(state),
            script: Vec::new(),
        }
    }
}

impl<'h> Worker<&'h Harness> {
    pub(crate) fn new(harness: &'h Harness, state: &str) -> Self {
        Worker {
            harness,
            scope: Scope::for_state(state),
            script: Vec::new(),
        }
    }

    /// A worker that is the Lambda function `name` (see [`Harness::on_lambda`]).
    pub(crate) fn new_function(harness: &'h Harness, name: &str) -> Self {
        Worker {
            harness,
            scope: Scope {
                function: Some(name.to_string()),
                ..Scope::default()
            },
            script: Vec::new(),
        }
    }

    /// Activates the worker on the harness that built it. Workers are tried in the order they
    /// were mounted; the first that matches takes the task.
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let machine = h.create_state_machine("hello", json!({
    ///     "StartAt": "Greet",
    ///     "States": { "Greet": {
    ///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet",
    ///         "End": true } }
    /// })).await?;
    ///
    /// let greeter = h.on_task("Greet").respond(json!("hello")).expect(1).mount().await;
    ///
    /// machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(greeter.deliveries(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn mount(self) -> WorkerHandle {
        let harness = self.harness;
        harness.mount(self.detach()).await
    }

    /// The worker as a plain value, not yet mounted.
    fn detach(self) -> Worker {
        Worker {
            harness: (),
            scope: self.scope,
            script: self.script,
        }
    }
}

impl<H> Worker<H> {
    fn first(mut self, r: Reply) -> Self {
        if self.script.is_empty() {
            self.script.push(r);
        } else {
            self.script[0] = r;
        }
        self
    }

    /// Answer with `output` at once.
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
    /// h.on_task("CheckCredit").respond(json!({ "status": "approved" })).mount().await;
    ///
    /// let done = machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(done.output(), Some(&json!({ "status": "approved" })));
    /// # Ok(()) }
    /// ```
    pub fn respond(self, output: Value) -> Self {
        self.first(Reply::respond(output))
    }

    /// Answer with `reply`: what to answer ([`Reply::respond`], [`Reply::fail`],
    /// [`Reply::silent`], [`Reply::crash`], a closure with [`Reply::with`], …), after how long
    /// ([`Reply::after`]), with what heartbeats ([`Reply::heartbeat_every`]). As `wiremock`'s
    /// `Mock::respond_with(ResponseTemplate)`: one builder for every kind of answer.
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
    /// h.on_task("CheckCredit")
    ///     .respond_with(Reply::fail("Bureau.Down", "no answer from the bureau"))
    ///     .mount()
    ///     .await;
    ///
    /// let done = machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(done.status(), Status::Failed);
    /// assert_eq!(done.error().as_deref(), Some("Bureau.Down"));
    /// assert_eq!(done.cause().as_deref(), Some("no answer from the bureau"));
    /// # Ok(()) }
    /// ```
    pub fn respond_with(self, reply: Reply) -> Self {
        self.first(reply)
    }

    /// Then, for the next delivery, `reply` (the last reply repeats for every later delivery).
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let machine = h.create_state_machine("charge", json!({
    ///     "StartAt": "Charge",
    ///     "States": { "Charge": {
    ///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
    ///         "Retry": [{ "ErrorEquals": ["Busy"], "MaxAttempts": 2 }],
    ///         "End": true } }
    /// })).await?;
    ///
    /// // Busy on the first attempt, fine on the retry.
    /// h.on_task("Charge")
    ///     .respond_with(Reply::fail("Busy", "try again"))
    ///     .then(Reply::respond(json!({ "charged": true })))
    ///     .expect(2)
    ///     .mount()
    ///     .await;
    ///
    /// let done = machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(done.output(), Some(&json!({ "charged": true })));
    /// # Ok(()) }
    /// ```
    pub fn then(mut self, reply: Reply) -> Self {
        self.script.push(reply);
        self
    }
}

scope_methods! {
    impl [H] Worker<H>, seen: Value {
        /// Names the worker in reports (`worker 'the bureau' (state 'CheckCredit')`).
        fn named(name);
        /// Only tasks of this state machine (name or ARN).
        ///
        /// ```
        /// use sfn_harness::prelude::*;
        /// use serde_json::json;
        ///
        /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
        /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// let h = Harness::start().await;
        /// let definition = json!({
        ///     "StartAt": "Price",
        ///     "States": { "Price": {
        ///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:price",
        ///         "End": true } }
        /// });
        /// let retail = h.create_state_machine("retail", &definition).await?;
        /// let wholesale = h.create_state_machine("wholesale", &definition).await?;
        ///
        /// // Two machines share the state name "Price"; each gets its own worker.
        /// h.on_task("Price").for_machine("retail").respond(json!(10)).mount().await;
        /// h.on_task("Price").for_machine(wholesale.arn()).respond(json!(7)).mount().await;
        ///
        /// assert_eq!(retail.start(json!({})).await?.finish().await?.output(), Some(&json!(10)));
        /// assert_eq!(wholesale.start(json!({})).await?.finish().await?.output(), Some(&json!(7)));
        /// # Ok(()) }
        /// ```
        fn for_machine(machine);
        /// Only tasks sent to this queue (name or URL), for `sqs:sendMessage.waitForTaskToken`.
        ///
        /// ```
        /// use sfn_harness::prelude::*;
        /// use serde_json::json;
        ///
        /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
        /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// let h = Harness::start().await;
        /// let urgent = h.create_queue("urgent").await?;
        /// let machine = h.create_state_machine("triage", json!({
        ///     "StartAt": "Handle",
        ///     "States": { "Handle": {
        ///         "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        ///         "Parameters": { "QueueUrl": urgent, "MessageBody": { "token.$": "$$.Task.Token" } },
        ///         "End": true } }
        /// })).await?;
        ///
        /// h.on_task("Handle").on_queue("urgent").respond(json!({ "by": "on call" })).mount().await;
        ///
        /// let done = machine.start(json!({})).await?.finish().await?;
        /// assert_eq!(done.output(), Some(&json!({ "by": "on call" })));
        /// # Ok(()) }
        /// ```
        fn on_queue(queue);
        /// Only tasks whose input (the message body, for SQS) satisfies `predicate`.
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
        ///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:bureau",
        ///         "End": true } }
        /// })).await?;
        ///
        /// // Mounted first, tried first: VIPs are approved, everyone else is referred.
        /// h.on_task("CheckCredit").when(|input| input["vip"] == true).respond(json!("approved")).mount().await;
        /// h.on_task("CheckCredit").respond(json!("referred")).mount().await;
        ///
        /// let vip = machine.start(json!({ "vip": true })).await?.finish().await?;
        /// let other = machine.start(json!({ "vip": false })).await?.finish().await?;
        /// assert_eq!(vip.output(), Some(&json!("approved")));
        /// assert_eq!(other.output(), Some(&json!("referred")));
        /// # Ok(()) }
        /// ```
        fn when(when);
        /// Take at most `n` deliveries; later ones are left for the workers mounted after it.
        ///
        /// ```
        /// use sfn_harness::prelude::*;
        /// use serde_json::json;
        ///
        /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
        /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// let h = Harness::start().await;
        /// let machine = h.create_state_machine("seat", json!({
        ///     "StartAt": "Book",
        ///     "States": { "Book": {
        ///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:book",
        ///         "End": true } }
        /// })).await?;
        ///
        /// // One seat left: the first booking gets it, the next one the waiting list.
        /// h.on_task("Book").times(1).respond(json!("seat 12A")).mount().await;
        /// h.on_task("Book").respond(json!("waiting list")).mount().await;
        ///
        /// let first = machine.start(json!({})).await?.finish().await?;
        /// let second = machine.start(json!({})).await?.finish().await?;
        /// assert_eq!(first.output(), Some(&json!("seat 12A")));
        /// assert_eq!(second.output(), Some(&json!("waiting list")));
        /// # Ok(()) }
        /// ```
        fn times(times);
        /// Expect this many deliveries (`3`, `1..=2`, `1..`; see [`Times`](crate::Times)),
        /// verified by [`Harness::verify`] and when the harness is dropped.
        ///
        /// ```
        /// use sfn_harness::prelude::*;
        /// use serde_json::json;
        ///
        /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
        /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// let h = Harness::start().await;
        /// h.on_task("CheckCredit").named("the bureau").respond(json!({})).expect(1).mount().await;
        ///
        /// // No execution ran: the expectation is not met.
        /// let report = h.verify().unwrap_err();
        /// assert_eq!(report.to_string(), "Verifications failed:\n\
        ///     - worker 'the bureau' (state 'CheckCredit')\n\
        ///     \tExpected deliveries: exactly 1\n\
        ///     \tReceived: 0\n");
        /// # std::mem::forget(h); // dropping it would fail with the same report
        /// # Ok(()) }
        /// ```
        fn expect(expect);
    }
}

impl Worker {
    /// The worker's runtime state, as [`Harness::mount`] registers it.
    pub(crate) fn into_state(self) -> Arc<WorkerState> {
        let script = if self.script.is_empty() {
            vec![Reply::respond(Value::Object(Default::default()))]
        } else {
            self.script
        };
        Arc::new(WorkerState {
            scope: self.scope,
            script,
            deliveries: AtomicU64::new(0),
            taken: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
        })
    }
}

/// A mounted worker's script, counters and log.
pub(crate) struct WorkerState {
    scope: Scope<Value>,
    script: Vec<Reply>,
    deliveries: AtomicU64,
    /// Tasks this worker has taken (reserved when matched, so `.times(n)` holds even when
    /// several tasks arrive before the first delivery is played).
    taken: AtomicU64,
    log: Mutex<Vec<String>>,
}

impl WorkerState {
    /// The Task state the worker answers.
    pub(crate) fn state(&self) -> &str {
        self.scope.state.as_deref().unwrap_or_default()
    }

    pub(crate) fn label(&self) -> String {
        if let Some(f) = &self.scope.function {
            return match &self.scope.name {
                Some(n) => format!("worker '{n}' (Lambda function '{f}')"),
                None => format!("worker for Lambda function '{f}'"),
            };
        }
        match &self.scope.name {
            Some(n) => format!("worker '{n}' (state '{}')", self.state()),
            None => format!("worker for state '{}'", self.state()),
        }
    }

    /// Whether this worker takes a task of `state` in `machine_arn` (sent to `queue`, for SQS)
    /// with `input`.
    pub(crate) fn matches(
        &self,
        state: &str,
        machine_arn: &str,
        queue: Option<&str>,
        input: &Value,
    ) -> bool {
        let machine = [machine_arn, crate::arn::name_of(machine_arn)];
        let subject = Subject {
            state: Some(state),
            machine: &machine,
            queue,
            function: None,
        };
        self.scope.admits(&subject, input)
    }

    /// Whether this worker is the Lambda function `function` (a worker made by
    /// [`Harness::on_lambda`](crate::Harness::on_lambda)) for an invocation by the Task state
    /// `state` of `machine_arn`, with the event `payload`.
    pub(crate) fn is_function(
        &self,
        function: &str,
        state: &str,
        machine_arn: &str,
        payload: &Value,
    ) -> bool {
        if self.scope.function.is_none() {
            return false;
        }
        let machine = [machine_arn, crate::arn::name_of(machine_arn)];
        let subject = Subject {
            state: Some(state),
            machine: &machine,
            queue: None,
            function: Some(function),
        };
        self.scope.admits(&subject, payload)
    }

    /// Takes one more task if `.times(n)` allows it (atomically: two tasks arriving together
    /// cannot both take the last slot).
    pub(crate) fn try_take(&self) -> bool {
        self.taken
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                self.scope.allows(n).then_some(n + 1)
            })
            .is_ok()
    }

    /// Claims the next delivery: its index and the reply the script gives it.
    pub(crate) fn claim(&self) -> (u64, Reply) {
        let n = self.deliveries.fetch_add(1, Ordering::SeqCst);
        let i = (n as usize).min(self.script.len().saturating_sub(1));
        (n, self.script.get(i).cloned().unwrap_or_else(Reply::silent))
    }

    /// How many deliveries it has had.
    pub(crate) fn deliveries(&self) -> u64 {
        self.deliveries.load(Ordering::SeqCst)
    }

    pub(crate) fn note(&self, line: String) {
        lock(&self.log).push(line);
    }

    /// What it did, one line per action.
    pub(crate) fn log(&self) -> Vec<String> {
        lock(&self.log).clone()
    }

    /// The verification entry if its `.expect(..)` is not met.
    pub(crate) fn unmet(&self) -> Option<Unmet> {
        self.scope
            .unmet(self.label(), Counted::Deliveries, self.deliveries(), || {
                self.log()
            })
    }
}

/// A mounted worker, to look at what it did. Returned by [`Harness::mount`] and `.mount()`.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::start().await;
/// let machine = h.create_state_machine("ship", json!({
///     "StartAt": "Ship",
///     "States": { "Ship": {
///         "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
///         "Parameters": { "token.$": "$$.Task.Token" },
///         "End": true } }
/// })).await?;
///
/// let handle: WorkerHandle = h.on_task("Ship").respond(json!({ "shipped": true })).mount().await;
/// machine.start(json!({})).await?.finish().await?;
///
/// assert_eq!(handle.deliveries(), 1);
/// assert_eq!(handle.log(), vec![r#"#0: respond {"shipped":true}"#]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct WorkerHandle {
    state: Arc<WorkerState>,
}

impl WorkerHandle {
    pub(crate) fn new(state: Arc<WorkerState>) -> WorkerHandle {
        WorkerHandle { state }
    }
}

impl fmt::Debug for WorkerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.state.label())
    }
}

impl WorkerHandle {
    /// How many tasks it has taken.
    pub fn deliveries(&self) -> u64 {
        self.state.deliveries()
    }

    /// What it did, one line per action (`respond`, `refused: TaskTimedOut`, …).
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let machine = h.create_state_machine("hello", json!({
    ///     "StartAt": "Greet",
    ///     "States": { "Greet": {
    ///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet",
    ///         "End": true } }
    /// })).await?;
    ///
    /// let greeter = Worker::on_task("Greet").respond(json!("hello")).expect(1);
    /// let handle = h.mount(greeter).await;
    ///
    /// machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(handle.log(), vec![r#"#0: respond "hello" as the return value of Lambda function 'greet'"#]);
    /// # Ok(()) }
    /// ```
    pub fn log(&self) -> Vec<String> {
        self.state.log()
    }
}
