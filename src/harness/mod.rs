//! What a test touches: [`Harness`], machines, executions, scripted workers, expectations,
//! faults and snapshots.
//!
//! A harness is one fake AWS account for one test: a Step Functions engine, an SQS engine and
//! a loopback endpoint that serves both to real SDK clients. It starts in microseconds and shuts
//! down when dropped, verifying the expectations of its scripted workers on the way out.
//!
//! ```
//! use sfn_harness::prelude::*;
//! use serde_json::json;
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let h = Harness::builder().seed(7).start().await;
//! let machine = h.create_state_machine("approval", json!({
//!     "StartAt": "Approve",
//!     "States": { "Approve": {
//!         "Type": "Task",
//!         "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
//!         "Parameters": { "token.$": "$$.Task.Token" },
//!         "TimeoutSeconds": 86400,
//!         "End": true } }
//! })).await?;
//!
//! // A reviewer who takes six hours to say yes.
//! h.on_task("Approve")
//!     .respond_with(Reply::respond(json!({ "approved": true })).after(Duration::from_secs(6 * 3600)))
//!     .expect(1)
//!     .mount()
//!     .await;
//!
//! let done = machine.start(json!({})).await?.finish().await?; // milliseconds of wall time
//! assert_eq!(done.status(), Status::Succeeded);
//! assert_eq!(done.duration(), Duration::from_secs(6 * 3600));
//! # Ok(()) }
//! ```
//!
//! # Map of the module
//!
//! | file | what lives there |
//! |---|---|
//! | `mod.rs` | [`Harness`], the facade: machines, queues, time, workers, faults, verification |
//! | `builder.rs` | [`HarnessBuilder`], and the wiring of a harness over an [`Account`] |
//! | `error.rs` | [`HarnessError`], [`ExecutionReport`], [`VerificationError`], [`InvalidFault`] |
//! | `report.rs` | building those reports from the harness's state |
//! | `picture.rs` | [`Finished::picture`] and the reports' pictures: the execution over its definition ([`crate::picture`]) |
//! | `sdk.rs` | the SDK clients ([`Harness::sfn_client`], [`Harness::sqs_client`]), [`NoHostPrefix`] |
//! | `definition.rs` | [`IntoDefinition`]: JSON text or values as definitions |
//! | `execution.rs` | [`Machine`], [`Execution`], [`Finished`] |
//! | `worker/` | [`Worker`] (a value), [`WorkerHandle`], [`Reply`], [`Answer`], [`WorkerTask`] |
//! | `scope.rs` | the narrowing workers and faults share (state, machine, queue, predicate, times) |
//! | `expect.rs` | [`Times`] and the unmet-expectation entries ([`Unmet`]) |
//! | `dispatch/` | the scripted-worker runtime: tasks to workers (`direct.rs`, `sqs.rs`), answers back (`answer.rs`) |
//! | `holds.rs` | virtual-time holds while real SDK workers work, once a real client can be involved (README §4) |
//! | `names.rs` | the warning for a worker on a state no machine has (nearest names) |
//! | [`faults`] | [`Fault`], [`FaultPlan`], [`FaultReport`] and the injector |
//! | [`snapshot`] | [`NormalizedHistory`], [`Timeline`] |
//! | `mock_workers.rs` | [`Machine::mock_workers`]: a MockConfigFile test case as [`Worker`] values |
//! | `test_state.rs` | [`Harness::test_state`], [`TestStateBuilder`]: AWS's TestState API |
//!
//! # Determinism
//!
//! A seeded harness ([`HarnessBuilder::seed`]) gives byte-identical normalized and raw
//! histories (queue URLs aside, which carry the endpoint's port) however threads interleave.
//! Events due at the same virtual instant happen one at a time, each after what the previous
//! one set off has settled, in a defined order: timers due together fire in the order the fibers
//! that set them were started (see [`Clock`]). A scripted worker's delivery is started when its
//! task is issued, so simultaneous answers (four Map items answered after the same delay) are
//! recorded in the order the tasks were issued. Seeded ids come from streams no other thread
//! draws from at the same moment: task tokens per execution, SQS message ids from the senders'
//! stream and receipt handles from their own (README §4, "Simultaneous events").
//!
//! # Threads
//!
//! The endpoint is served from a thread of the harness's own (`sfn-harness-endpoint`, a
//! current-thread tokio runtime), with the executions and long polls its requests start. The
//! test's runtime runs the test, its SDK clients and the scripted workers. So the endpoint
//! still answers while the test's only thread is blocked, and the SDK clients do not share
//! worker threads with the server (README › Benchmarks, ninth round). Dropping the harness
//! stops that thread; requests in flight get up to 5 s to finish.
//!
//! The power-user door is [`Harness::account`]: the [`Account`] the harness runs, with its
//! engine, SQS service and router. Custom Task handlers go in through
//! [`Harness::on_resource`].

mod builder;
mod definition;
mod dispatch;
mod error;
mod execution;
mod expect;
mod faults;
mod holds;
mod mock_workers;
mod names;
mod picture;
mod report;
mod scope;
mod sdk;
mod snapshot;
mod test_state;
mod worker;

use crate::sync::lock;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::account::Account;
use crate::engine::task::TaskHandler;
use crate::engine::{self, Engine, OpenToken, Status};
use crate::server::Server;
use crate::sqs::{CreateQueue, Sqs};
use crate::time::Clock;

pub use crate::engine::test_state::{
    FieldValidationMode, InspectionLevel, TestStateOutput, TestStatus,
};
pub use builder::HarnessBuilder;
pub use definition::IntoDefinition;
pub use error::{
    ExecutionReport, HarnessError, InvalidFault, Pictures, VerificationError, WaitingTask,
    WorkerSummary,
};
pub use execution::{Execution, Finished, Machine};
pub use expect::{Times, Unmet};
pub use faults::{
    Fault, FaultEvent, FaultHandle, FaultPlan, FaultPlanError, FaultReport, InjectedFault,
};
#[cfg(feature = "sdk")]
pub use sdk::NoHostPrefix;
pub use snapshot::{NormalizedEvent, NormalizedHistory, Timeline, Visit};
pub use test_state::TestStateBuilder;
pub use worker::{Answer, Reply, Worker, WorkerHandle, WorkerTask};

use builder::HarnessConfig;
use faults::Injector;
use worker::WorkerState;

/// What the harness's handles share: the account, the endpoint, the mounted workers and
/// everything the reports need.
pub(crate) struct HarnessInner {
    account: Account,
    server: Mutex<Option<Server>>,
    url: String,
    pub(crate) config: HarnessConfig,
    workers: Mutex<Vec<Arc<WorkerState>>>,
    panics: Mutex<Vec<String>>,
    pub(crate) panicked: Arc<Notify>,
    known: Mutex<Vec<(String, String)>>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    pub(crate) faults: Arc<Injector>,
    /// Which scripted worker took which task token (token → worker label), for pictures.
    holders: Mutex<std::collections::HashMap<String, String>>,
    pub(crate) holds: Arc<holds::Holds>,
}

impl HarnessInner {
    pub(crate) fn engine(&self) -> &Engine {
        self.account.engine()
    }

    pub(crate) fn sqs(&self) -> &Arc<Sqs> {
        self.account.sqs()
    }

    pub(crate) fn normalize(&self, exec: &engine::ExecutionRecord) -> NormalizedHistory {
        let known = lock(&self.known).clone();
        NormalizedHistory::new(&exec.history(), exec.start_ms(), &known)
    }

    pub(crate) fn first_panic(&self) -> Option<String> {
        lock(&self.panics).first().cloned()
    }

    fn workers(&self) -> Vec<Arc<WorkerState>> {
        lock(&self.workers).clone()
    }
}

/// One fake AWS account for one test: state machines, queues, a virtual clock, scripted
/// workers and faults, served to real SDK clients on a loopback endpoint. See the
/// [crate docs](crate) and the README.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::start().await;
/// let queue = h.create_queue("orders").await?;
/// let machine = h.create_state_machine("order", json!({
///     "StartAt": "Pack",
///     "States": { "Pack": {
///         "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
///         "Parameters": { "QueueUrl": queue, "MessageBody": { "token.$": "$$.Task.Token" } },
///         "End": true } }
/// })).await?;
/// h.on_task("Pack").respond(json!({ "packed": true })).expect(1).mount().await;
///
/// let done = machine.start(json!({})).await?.finish().await?;
/// assert_eq!(done.status(), Status::Succeeded);
/// h.verify()?; // also checked when `h` is dropped
/// # Ok(()) }
/// ```
pub struct Harness {
    inner: Arc<HarnessInner>,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness")
            .field("region", &self.inner.config.region)
            .field("virtual_time", &self.inner.config.virtual_time)
            .finish()
    }
}

impl Harness {
    /// A harness with virtual time and random ids.
    pub async fn start() -> Harness {
        Harness::builder().start().await
    }

    /// A builder for a harness with options.
    pub fn builder() -> HarnessBuilder {
        HarnessBuilder::default()
    }

    /// The account the harness runs: the power-user door ([`internals`](crate::internals)) to
    /// the Step Functions engine, the S3 and SNS services and the HTTP router, for what the
    /// harness itself does not offer. What a test usually needs has a
    /// method here; prefer those, which keep working when the internals move.
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// let h = Harness::builder().region("eu-west-1").start().await;
    /// let machine = h.account().engine()
    ///     .create_state_machine("m", r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
    ///     .unwrap();
    /// assert!(machine.arn.starts_with("arn:aws:states:eu-west-1:"));
    /// # }
    /// ```
    pub fn account(&self) -> &Account {
        &self.inner.account
    }

    /// Loads a Step Functions Local mock configuration (a
    /// [`MockConfig`](crate::MockConfig), read from a file or a value):
    /// [`Machine::start_test_case`] then runs one of its test cases, as StartExecution on
    /// `<stateMachineArn>#<TestCase>` does over the endpoint.
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// use sfn_harness::MockConfig;
    /// use serde_json::json;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// h.load_mock_config(MockConfig::from_value(&json!({
    ///     "StateMachines": { "pay": { "TestCases": { "Declined": { "Charge": "Declined" } } } },
    ///     "MockedResponses": { "Declined": { "0": { "Throw": { "Error": "Card.Declined", "Cause": "no funds" } } } }
    /// }))?);
    /// let pay = h.create_state_machine("pay", json!({ "StartAt": "Charge", "States": {
    ///     "Charge": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true } } })).await?;
    /// let done = pay.start_test_case("Declined", json!({})).await?.finish().await?;
    /// assert_eq!(done.error().as_deref(), Some("Card.Declined"));
    /// # Ok(()) }
    /// ```
    pub fn load_mock_config(&self, config: crate::mock_config::MockConfig) {
        self.inner
            .account
            .engine()
            .set_mock_config(Some(Arc::new(config)));
    }

    /// The Step Functions engine behind the harness.
    // Kept for the tests that reach the engine directly (`tests/faults.rs`); new code goes
    // through `account()`.
    #[doc(hidden)]
    pub fn engine(&self) -> &Engine {
        self.inner.engine()
    }

    /// The SQS engine behind the harness.
    // Kept for the tests that reach SQS directly (`tests/faults.rs`, `tests/sqs_callbacks.rs`);
    // new code goes through `account()`.
    #[doc(hidden)]
    pub fn sqs(&self) -> &Arc<Sqs> {
        self.inner.sqs()
    }

    /// The endpoint's URL (`http://127.0.0.1:<port>`): point any AWS SDK, the AWS CLI or boto3
    /// at it (Step Functions and SQS share it).
    pub fn endpoint_url(&self) -> &str {
        // Whoever has the URL can send a real client: from now on the holds for real workers
        // apply, and `finish()` no longer takes an idle clock for a stuck execution.
        self.inner.holds.engage();
        &self.inner.url
    }

    /// A real `aws_sdk_sfn::Client` configured for this harness (plain HTTP, test
    /// credentials, the harness's region, the SDK's standard retries, [`NoHostPrefix`]).
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let sfn = h.sfn_client().await;
    /// assert!(sfn.list_state_machines().send().await?.state_machines().is_empty());
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "sdk")]
    pub async fn sfn_client(&self) -> aws_sdk_sfn::Client {
        sdk::sfn_client(self.endpoint_url(), self.inner.config.region.clone())
    }

    /// A real `aws_sdk_sqs::Client` configured for this harness.
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let url = h.create_queue("jobs").await?;
    /// let sqs = h.sqs_client().await;
    /// sqs.send_message().queue_url(&url).message_body("hi").send().await?;
    /// let got = sqs.receive_message().queue_url(&url).send().await?;
    /// assert_eq!(got.messages()[0].body(), Some("hi"));
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "sdk")]
    pub async fn sqs_client(&self) -> aws_sdk_sqs::Client {
        sdk::sqs_client(self.endpoint_url(), self.inner.config.region.clone())
    }

    /// Creates a standard queue (or a FIFO queue, for a name ending in `.fifo`) and returns its
    /// URL.
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let url = h.create_queue("jobs.fifo").await?;
    /// assert!(url.ends_with("/123456789012/jobs.fifo"), "{url}");
    /// # Ok(()) }
    /// ```
    pub async fn create_queue(&self, name: &str) -> Result<String, HarnessError> {
        let mut attributes = std::collections::BTreeMap::new();
        if name.ends_with(".fifo") {
            attributes.insert("FifoQueue".to_string(), "true".to_string());
        }
        Ok(self.inner.sqs().create_queue(CreateQueue {
            queue_name: name.to_string(),
            attributes,
            ..CreateQueue::default()
        })?)
    }

    /// The harness clock: virtual unless the builder said
    /// [`real_time`](HarnessBuilder::real_time).
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// let h = Harness::start().await;
    /// let clock: &Clock = h.clock();
    /// // Your own worker, run on the harness clock so a long poll it is in ends in virtual time.
    /// let worker = tokio::spawn(async { 42 });
    /// assert_eq!(clock.run_until(worker).await.unwrap(), 42);
    ///
    /// // Virtual time moves when the test says so (or when everything waits on a timer).
    /// let before = clock.now_ms();
    /// clock.advance(std::time::Duration::from_secs(3600)).await;
    /// assert_eq!(clock.now_ms() - before, 3_600_000);
    /// # }
    /// ```
    pub fn clock(&self) -> &Clock {
        self.inner.engine().clock()
    }

    /// Creates a state machine from JSON text, a `serde_json::Value`, or anything that
    /// serializes to a definition. Validation errors list every diagnostic.
    pub async fn create_state_machine(
        &self,
        name: &str,
        definition: impl IntoDefinition,
    ) -> Result<Machine, HarnessError> {
        let text = definition.into_definition();
        if let Err(e) = crate::asl::parse_str(&text) {
            return Err(HarnessError::InvalidDefinition(e));
        }
        let m = self.inner.engine().create_state_machine(name, &text)?;
        Ok(Machine {
            harness: self.inner.clone(),
            inner: m,
        })
    }

    /// Creates a state machine from a file (e.g. `fixtures/credit.asl.json`), named after the
    /// file's stem unless `name` is given.
    pub async fn load_state_machine(
        &self,
        path: impl AsRef<Path>,
        name: Option<&str>,
    ) -> Result<Machine, HarnessError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| HarnessError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let stem = path
            .file_name()
            .and_then(|s| s.to_str())
            .map(|s| s.split('.').next().unwrap_or(s).to_string())
            .unwrap_or_else(|| "machine".into());
        self.create_state_machine(name.unwrap_or(&stem), text).await
    }

    /// Starts describing a scripted worker for the Task state `state`, mounted here by its
    /// `.mount().await`: the shorthand for `h.mount(Worker::on_task(state)…)`. See [`Worker`]
    /// for the builder methods.
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # use serde_json::json;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// let h = Harness::start().await;
    /// let worker = h.on_task("CheckCredit").respond(json!({ "ok": true })).mount().await;
    /// assert_eq!(worker.deliveries(), 0);
    /// # }
    /// ```
    pub fn on_task(&self, state: &str) -> Worker<&Harness> {
        Worker::new(self, state)
    }

    /// Starts describing a scripted worker that is the Lambda function `name`: every
    /// invocation of it (`lambda:invoke` with that `FunctionName`, or its function ARN as a
    /// Task's resource), from any state, plays the worker's script. The reply is the function's
    /// return value, which the integration wraps as AWS does (`$.Payload` for `lambda:invoke`);
    /// `fail(error, cause)` is the function raising `error` (`Lambda.TooManyRequestsException`
    /// and the other `Lambda.<Exception>` names are Lambda's own refusals, with AWS's cause).
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # use serde_json::json;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let machine = h.create_state_machine("check", json!({
    ///     "StartAt": "Validate",
    ///     "States": { "Validate": {
    ///         "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
    ///         "Parameters": { "FunctionName": "validate", "Payload.$": "$" },
    ///         "OutputPath": "$.Payload", "End": true } }
    /// })).await?;
    /// h.on_lambda("validate").respond(json!({ "valid": true })).mount().await;
    /// let done = machine.start(json!({ "order": 1 })).await?.finish().await?;
    /// assert_eq!(done.output(), Some(&json!({ "valid": true })));
    /// # Ok(()) }
    /// ```
    pub fn on_lambda(&self, name: &str) -> Worker<&Harness> {
        Worker::new_function(self, name)
    }

    /// Registers a Rust closure as the Lambda function `name`: it receives the event and
    /// returns the function's result (or its error, `StatesError { error: errorType, cause:
    /// errorMessage }`).
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// use sfn_harness::internals::function;
    /// # use serde_json::json;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// h.lambda_function("double", function(|event| async move {
    ///     Ok(json!(event["n"].as_i64().unwrap_or(0) * 2))
    /// }));
    /// let machine = h.create_state_machine("math", json!({
    ///     "StartAt": "Double",
    ///     "States": { "Double": {
    ///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
    ///         "End": true } }
    /// })).await?;
    /// let done = machine.start(json!({ "n": 21 })).await?.finish().await?;
    /// assert_eq!(done.output(), Some(&json!(42)));
    /// # Ok(()) }
    /// ```
    pub fn lambda_function(
        &self,
        name: impl Into<String>,
        f: Arc<dyn crate::integrations::lambda::LambdaFunction>,
    ) {
        self.inner.account.lambda().functions().register(name, f);
    }

    /// Mounts a [`Worker`] built elsewhere (a helper fn, a table of workers). Workers are tried
    /// in the order they were mounted; the first that matches takes the task.
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # use serde_json::json;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let machine = h.create_state_machine("greet", json!({
    ///     "StartAt": "Greet",
    ///     "States": { "Greet": {
    ///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet",
    ///         "End": true } }
    /// })).await?;
    ///
    /// let greeter = h.mount(Worker::on_task("Greet").respond(json!("hi")).expect(1)).await;
    ///
    /// machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(greeter.deliveries(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn mount(&self, worker: Worker) -> WorkerHandle {
        let state = worker.into_state();
        // A worker on a state no machine has would never take a task: say so now if there are
        // machines to judge by (else `verify()` says it, when they exist).
        let machines = self.inner.engine().state_machines();
        if let Some(warning) = names::unknown_state(&state.label(), state.state(), &machines) {
            eprintln!("sfn-harness: warning: {warning}");
            state.note(format!("warning: {warning}"));
        }
        lock(&self.inner.workers).push(state.clone());
        WorkerHandle::new(state)
    }

    /// Registers a custom handler for the Task resource `arn` (without `.waitForTaskToken` or
    /// `.sync`): for a resource whose behaviour is code, not a script. Tasks of a resource with
    /// no handler go to scripted workers.
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use sfn_harness::internals::{handler, TaskRequest};
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let arn = "arn:aws:lambda:us-east-1:123456789012:function:upper";
    /// h.on_resource(arn, handler(|req: TaskRequest| async move {
    ///     Ok(json!(req.input["name"].as_str().unwrap_or_default().to_uppercase()))
    /// }));
    /// let machine = h.create_state_machine("shout", json!({
    ///     "StartAt": "Shout",
    ///     "States": { "Shout": { "Type": "Task", "Resource": arn, "End": true } }
    /// })).await?;
    ///
    /// let done = machine.start(json!({ "name": "ada" })).await?.finish().await?;
    /// assert_eq!(done.output(), Some(&json!("ADA")));
    /// # Ok(()) }
    /// ```
    pub fn on_resource(&self, arn: impl Into<String>, handler: Arc<dyn TaskHandler>) {
        self.inner.engine().register_resource(arn, handler);
    }

    /// Checks every worker's and fault's `.expect(..)`, and that no worker's closure panicked;
    /// returns a report of what is not met (also checked when the harness is dropped).
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # use serde_json::json;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// let h = Harness::start().await;
    /// h.on_task("Never").respond(json!({})).expect(0).mount().await;
    /// assert!(h.verify().is_ok());
    /// # }
    /// ```
    pub fn verify(&self) -> Result<(), VerificationError> {
        match self.inner.verification() {
            None => Ok(()),
            Some(report) => Err(report),
        }
    }

    /// Tokens issued and not yet answered, with their state and execution.
    pub fn open_tokens(&self) -> Vec<OpenToken> {
        self.inner.engine().tokens().open_tokens()
    }

    /// An execution by ARN, e.g. one the code under test started through the SDK.
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # use serde_json::json;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let m = h.create_state_machine("m", json!({
    ///     "StartAt": "S", "States": { "S": { "Type": "Succeed" } } })).await?;
    /// let sfn = h.sfn_client().await;
    /// let out = sfn.start_execution().state_machine_arn(m.arn()).send().await?;
    /// let done = h.execution(out.execution_arn())?.finish().await?;
    /// assert_eq!(done.status(), Status::Succeeded);
    /// # Ok(()) }
    /// ```
    pub fn execution(&self, arn: &str) -> Result<Execution, HarnessError> {
        Ok(Execution {
            harness: self.inner.clone(),
            inner: self.inner.engine().execution(arn)?,
        })
    }

    /// Arms a fault (see [`Fault`]). Fails if it names an operation the endpoint does not
    /// serve.
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// let h = Harness::start().await;
    /// assert!(h.inject(Fault::throttle("SendTaskSuccess")).is_ok());
    /// let typo = h.inject(Fault::throttle("SendTaskSucess")).unwrap_err();
    /// assert!(typo.to_string().contains("did you mean SendTaskSuccess"), "{typo}");
    /// # }
    /// ```
    pub fn inject(&self, fault: Fault) -> Result<FaultHandle, HarnessError> {
        Ok(self.inner.faults.arm(fault)?)
    }

    /// Arms every fault of a plan, in order. A plan's own seed applies to faults armed from
    /// then on ([`HarnessBuilder::fault_plan`] calls it).
    pub(crate) fn inject_plan(&self, plan: &FaultPlan) -> Result<Vec<FaultHandle>, HarnessError> {
        if let Some(seed) = plan.seed_value() {
            self.inner.faults.set_seed(seed);
        }
        plan.faults()
            .iter()
            .map(|f| self.inject(f.clone()))
            .collect()
    }

    /// Every fault injected so far, in order: for assertions, snapshots and reports.
    pub fn fault_report(&self) -> FaultReport {
        FaultReport::new(self.inner.faults.injected())
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // Stops accepting requests; connections end gracefully.
        drop(lock(&self.inner.server).take());
        for t in lock(&self.inner.tasks).drain(..) {
            t.abort();
        }
        for e in self.inner.engine().executions(None, Some(Status::Running)) {
            if let Some(t) = lock(&e.task).take() {
                t.abort();
            }
        }
        let Err(report) = self.verify() else { return };
        if std::thread::panicking() {
            // Another assertion failed first: a second panic would abort the process, so the
            // report is printed instead (as wiremock does), where the test's output shows it.
            self.inner.config.report_sink.send(&report.to_string());
            return;
        }
        panic!("{report}");
    }
}
