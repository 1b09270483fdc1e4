//! What a test touches: [`Harness`], machines, executions, scripted workers, expectations and
//! snapshots.
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
//!     .respond_after(Duration::from_secs(6 * 3600), json!({ "approved": true }))
//!     .expect(1)
//!     .mount()
//!     .await;
//!
//! let done = machine.start(json!({})).await?.finish().await?; // milliseconds of wall time
//! assert_eq!(done.status(), Status::Succeeded);
//! assert_eq!(done.duration(), Duration::from_secs(6 * 3600));
//! # Ok(()) }
//! ```

pub mod execution;
pub mod faults;
mod skip_lock;
pub mod snapshot;
pub mod worker;

use crate::sync::lock;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

use crate::account::{Account, AccountConfig};
use crate::asl::{InvalidDefinition, StatesError};
use crate::engine::task::{BoxFuture, TaskHandler, TaskRequest};
use crate::engine::{self, ApiError, Engine, Status, TaskSubmission};
use crate::integrations::sqs::SEND_MESSAGE;
use crate::server::Server;
use crate::sqs::{CreateQueue, Sqs};
use crate::time::{Clock, Millis};

pub use execution::{Execution, Finished, Machine};
pub use faults::{Fault, FaultEvent, FaultHandle, FaultPlan, FaultReport};
pub use snapshot::{NormalizedHistory, Timeline};
pub use worker::{Answer, Reply, Times, WorkerBuilder, WorkerHandle, WorkerTask};

use faults::injector::{ApiFaults, DeliveryFaults};
use faults::Injector;
use skip_lock::{SkipLock, SkipLockInterceptor};
use worker::{ReplyKind, WorkerState};

/// Errors a test meets through the harness.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A definition was rejected; every diagnostic is listed.
    #[error("the state machine definition is invalid:\n{}", .0.bullet_list())]
    InvalidDefinition(InvalidDefinition),
    /// An API call failed as AWS would fail it.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// An SQS call failed as AWS would fail it (shown as `<query code>: <message>`).
    #[error("{}: {}", .0.query_code(), .0.message())]
    Sqs(crate::sqs::SqsError),
    /// An execution did not end within the bound.
    #[error("execution did not finish within {waited:?} of wall time\n{report}")]
    Timeout {
        /// The bound.
        waited: Duration,
        /// Machine, execution, timeline, open tokens and workers.
        report: String,
    },
    /// A scripted worker's closure panicked.
    #[error("a scripted worker panicked: {0}")]
    WorkerPanicked(String),
    /// A fault cannot be armed (it names no operation the endpoint serves, say).
    #[error("invalid fault: {0}")]
    InvalidFault(String),
    /// A fault plan could not be loaded.
    #[error(transparent)]
    FaultPlan(#[from] faults::FaultPlanError),
    /// A fixture file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// How a harness is set up; see [`Harness::builder`].
#[derive(Debug, Clone)]
pub struct HarnessConfig {
    pub(crate) seed: Option<u64>,
    pub(crate) virtual_time: bool,
    pub(crate) start_ms: Option<Millis>,
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) finish_timeout: Duration,
    pub(crate) fault_plan: Option<FaultPlan>,
}

impl Default for HarnessConfig {
    fn default() -> Self {
        HarnessConfig {
            seed: None,
            virtual_time: true,
            start_ms: None,
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            finish_timeout: Duration::from_secs(30),
            fault_plan: None,
        }
    }
}

/// Builds a [`Harness`].
///
/// ```
/// # use sfn_harness::prelude::*;
/// # use std::time::Duration;
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
/// let h = Harness::builder()
///     .seed(42)                                   // repeatable ids, tokens and histories
///     .region("eu-west-1")
///     .finish_timeout(Duration::from_secs(5))     // bound on `finish()` in wall time
///     .start()
///     .await;
/// assert!(h.clock().is_virtual());
/// # }
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "call `.start().await` to get a Harness"]
pub struct HarnessBuilder {
    config: HarnessConfig,
}

impl HarnessBuilder {
    /// Seeds every id, token and random intrinsic, and starts the virtual clock at a fixed
    /// instant (2024-01-01T00:00:00Z), so histories repeat byte for byte.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = Some(seed);
        self
    }

    /// Virtual time (the default): timers skip ahead while everything is idle.
    pub fn virtual_time(mut self) -> Self {
        self.config.virtual_time = true;
        self
    }

    /// Real time: Wait states and timeouts take as long as they say.
    pub fn real_time(mut self) -> Self {
        self.config.virtual_time = false;
        self
    }

    /// Starts the virtual clock at `ms` since the Unix epoch.
    pub fn start_time_ms(mut self, ms: Millis) -> Self {
        self.config.start_ms = Some(ms);
        self
    }

    /// The account id in ARNs and queue URLs (default `123456789012`).
    pub fn account_id(mut self, id: impl Into<String>) -> Self {
        self.config.account_id = id.into();
        self
    }

    /// The region (default `us-east-1`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.config.region = region.into();
        self
    }

    /// How long (wall time) `finish()` waits before failing with a report (default 30 s).
    pub fn finish_timeout(mut self, d: Duration) -> Self {
        self.config.finish_timeout = d;
        self
    }

    /// Arms a [`FaultPlan`] as the harness starts (its seed, if it sets one, decides the faults'
    /// probabilities).
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// let plan = FaultPlan::new().with(Fault::throttle("ReceiveMessage").probability(0.1));
    /// let h = Harness::builder().seed(1).fault_plan(plan).start().await;
    /// assert!(h.fault_report().is_empty());
    /// # }
    /// ```
    pub fn fault_plan(mut self, plan: FaultPlan) -> Self {
        self.config.fault_plan = Some(plan);
        self
    }

    /// Starts the harness. Must run inside a Tokio runtime.
    ///
    /// # Panics
    ///
    /// If a fault of the [`fault_plan`](Self::fault_plan) cannot be armed: plans read from files
    /// are checked when they are loaded, so this is a fault built in code that names an
    /// operation the endpoint does not serve.
    pub async fn start(self) -> Harness {
        let plan = self.config.fault_plan.clone();
        let h = Harness::with_config(self.config);
        if let Some(plan) = plan {
            if let Err(e) = h.inject_plan(&plan) {
                panic!("sfn-harness: the fault plan given to the builder is invalid: {e}");
            }
        }
        h
    }
}

/// 2024-01-01T00:00:00Z: where a seeded harness's virtual clock starts.
const SEEDED_EPOCH_MS: Millis = 1_704_067_200_000;

pub(crate) struct HarnessInner {
    pub(crate) engine: Engine,
    pub(crate) sqs: Arc<Sqs>,
    server: Mutex<Option<Server>>,
    url: String,
    pub(crate) config: HarnessConfig,
    workers: Mutex<Vec<Arc<WorkerState>>>,
    panics: Mutex<Vec<String>>,
    pub(crate) panicked: Arc<Notify>,
    known: Mutex<Vec<(String, String)>>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    pub(crate) faults: Arc<Injector>,
}

impl HarnessInner {
    pub(crate) fn normalize(&self, exec: &engine::ExecutionRecord) -> NormalizedHistory {
        let known = lock(&self.known).clone();
        NormalizedHistory::new(&exec.history(), exec.start_ms(), &known)
    }

    pub(crate) fn first_panic(&self) -> Option<String> {
        lock(&self.panics).first().cloned()
    }

    fn record_panic(&self, worker: &WorkerState, payload: Box<dyn std::any::Any + Send>) {
        let msg = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(non-string panic payload)".into());
        let line = format!("{} panicked: {msg}", worker.label());
        worker.note(line.clone());
        lock(&self.panics).push(line);
        self.panicked.notify_waiters();
    }

    fn workers(&self) -> Vec<Arc<WorkerState>> {
        lock(&self.workers).clone()
    }

    /// The first mounted worker that takes this task; taking it counts against `.times(n)`.
    fn find_worker(
        &self,
        state: &str,
        machine_arn: &str,
        queue: Option<&str>,
        input: &Value,
    ) -> Option<Arc<WorkerState>> {
        self.workers()
            .into_iter()
            .find(|w| w.matches(state, machine_arn, queue, input) && w.try_take())
    }

    /// A report for failure messages: machine, execution, timeline, open tokens, workers.
    pub(crate) fn report_for(&self, exec: &engine::ExecutionRecord) -> String {
        let mut s = format!(
            "  state machine: {}\n  execution:     {}\n  status:        {}\n  timeline:\n{}",
            exec.state_machine().name,
            exec.arn(),
            exec.status(),
            Timeline::new(&exec.history(), exec.start_ms())
                .to_string()
                .lines()
                .map(|l| format!("  {l}\n"))
                .collect::<String>()
        );
        let open: Vec<_> = self
            .engine
            .tokens()
            .open_tokens()
            .into_iter()
            .filter(|t| t.execution_arn == exec.arn())
            .collect();
        if open.is_empty() {
            s.push_str("  no task token is waiting for an answer\n");
        } else {
            for t in open {
                s.push_str(&format!(
                    "  task token for state '{}' is waiting for an answer (no scripted worker took it{})\n",
                    t.state_name,
                    if self.workers().iter().any(|w| w.state == t.state_name) {
                        ", or the worker's reply was silent"
                    } else {
                        "; mount one with h.on_task(\"...\")"
                    }
                ));
            }
        }
        s.push_str(&self.workers_report());
        let injected = self.faults.injected();
        if !injected.is_empty() {
            s.push_str("  faults injected:\n");
            for f in injected {
                s.push_str(&format!("    - {f}\n"));
            }
        }
        s
    }

    fn workers_report(&self) -> String {
        let mut s = String::new();
        for w in self.workers() {
            s.push_str(&format!(
                "  {}: {} deliveries\n",
                w.label(),
                w.deliveries.load(std::sync::atomic::Ordering::SeqCst)
            ));
            for line in lock(&w.log).iter() {
                s.push_str(&format!("      {line}\n"));
            }
        }
        s
    }

    /// Expectations not met, one block per worker or fault; empty when all hold.
    fn verification_failures(&self) -> Vec<String> {
        let mut failures = self.faults.verification_failures();
        for w in self.workers() {
            let n = w.deliveries.load(std::sync::atomic::Ordering::SeqCst);
            if let Some(expect) = w.expect {
                if !expect.contains(n) {
                    let mut msg = format!(
                        "{}\n\tExpected deliveries: {expect}\n\tReceived: {n}",
                        w.label()
                    );
                    let log = lock(&w.log);
                    for line in log.iter() {
                        msg.push_str(&format!("\n\t- {line}"));
                    }
                    failures.push(msg);
                }
            }
        }
        failures
    }
}

/// One fake AWS account for one test. See the [module docs](self).
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

    fn with_config(config: HarnessConfig) -> Harness {
        let start = config.start_ms.or(config.seed.map(|_| SEEDED_EPOCH_MS));
        let clock = match (config.virtual_time, start) {
            (false, _) => Clock::real(),
            (true, Some(ms)) => Clock::virtual_at(ms),
            (true, None) => Clock::virtual_now(),
        };
        let account = Account::new(AccountConfig {
            clock: clock.clone(),
            seed: config.seed,
            account_id: config.account_id.clone(),
            region: config.region.clone(),
        });
        let engine = account.engine().clone();
        let sqs = account.sqs().clone();
        // A plan given to the builder sets its own seed when `start` arms it.
        let injector = Injector::new(engine.clone(), config.seed.unwrap_or_else(rand::random));
        sqs.set_delivery_hook(Arc::new(DeliveryFaults(Arc::downgrade(&injector))));
        let skip_lock = SkipLock::install(engine.clone(), &sqs, &clock);
        let router = account
            .router()
            .with_interceptor(Arc::new(SkipLockInterceptor(skip_lock)))
            .with_interceptor(Arc::new(ApiFaults(injector.clone())));
        // Binding 127.0.0.1:0 fails only if the machine has no loopback interface or no free
        // port; a harness cannot work without its endpoint, so that is a setup error.
        let server = Server::start(router).unwrap_or_else(|e| {
            panic!("sfn-harness could not bind its endpoint on 127.0.0.1: {e}")
        });
        let url = server.url().to_string();
        let inner = Arc::new(HarnessInner {
            engine: engine.clone(),
            sqs,
            server: Mutex::new(Some(server)),
            url: url.clone(),
            config,
            workers: Mutex::new(Vec::new()),
            panics: Mutex::new(Vec::new()),
            panicked: Arc::new(Notify::new()),
            known: Mutex::new(vec![(url, "<endpoint>".to_string())]),
            tasks: Mutex::new(Vec::new()),
            faults: injector,
        });
        // Tasks with no handler of their own go to scripted workers.
        engine.set_fallback_handler(Arc::new(ScriptedResource {
            harness: Arc::downgrade(&inner),
        }));
        // Tokens handed out go to the dispatcher, which gives them to scripted workers.
        let (tx, rx) = mpsc::unbounded_channel::<TaskSubmission>();
        engine.observe_tasks(Arc::new(move |s: &TaskSubmission| {
            let _ = tx.send(s.clone());
        }));
        let dispatcher = clock.spawn(dispatch(Arc::downgrade(&inner), rx));
        lock(&inner.tasks).push(dispatcher);
        Harness { inner }
    }

    /// The Step Functions engine behind the harness.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The endpoint's URL (`http://127.0.0.1:<port>`): point any AWS SDK, the AWS CLI or boto3
    /// at it (Step Functions and SQS share it).
    pub fn endpoint_url(&self) -> &str {
        &self.inner.url
    }

    /// A real `aws_sdk_sfn::Client` configured for this harness (plain HTTP, test
    /// credentials, the harness's region, the SDK's standard retries).
    #[cfg(feature = "sdk")]
    pub async fn sfn_client(&self) -> aws_sdk_sfn::Client {
        let conf = aws_sdk_sfn::Config::builder()
            .behavior_version(aws_sdk_sfn::config::BehaviorVersion::latest())
            .endpoint_url(self.endpoint_url())
            .region(aws_sdk_sfn::config::Region::new(
                self.inner.config.region.clone(),
            ))
            .credentials_provider(aws_credential_types::Credentials::new(
                "test",
                "test",
                None,
                None,
                "sfn-harness",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .interceptor(crate::server::sfn_api::NoHostPrefix)
            .build();
        aws_sdk_sfn::Client::from_conf(conf)
    }

    /// A real `aws_sdk_sqs::Client` configured for this harness.
    #[cfg(feature = "sdk")]
    pub async fn sqs_client(&self) -> aws_sdk_sqs::Client {
        let conf = aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .endpoint_url(self.endpoint_url())
            .region(aws_sdk_sqs::config::Region::new(
                self.inner.config.region.clone(),
            ))
            .credentials_provider(aws_credential_types::Credentials::new(
                "test",
                "test",
                None,
                None,
                "sfn-harness",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_sqs::Client::from_conf(conf)
    }

    /// The SQS engine behind the harness.
    pub fn sqs(&self) -> &Arc<Sqs> {
        &self.inner.sqs
    }

    /// Creates a standard queue (or a FIFO queue, for a name ending in `.fifo`) and returns its
    /// URL.
    pub async fn create_queue(&self, name: &str) -> Result<String, HarnessError> {
        let mut attributes = std::collections::BTreeMap::new();
        if name.ends_with(".fifo") {
            attributes.insert("FifoQueue".to_string(), "true".to_string());
        }
        self.inner
            .sqs
            .create_queue(CreateQueue {
                queue_name: name.to_string(),
                attributes,
                ..CreateQueue::default()
            })
            .map_err(HarnessError::Sqs)
    }

    /// The harness clock.
    pub fn clock(&self) -> &Clock {
        self.inner.engine.clock()
    }

    /// The current time on the harness clock (ms since the Unix epoch).
    pub fn now_ms(&self) -> Millis {
        self.clock().now_ms()
    }

    /// Lets everything that can happen without time passing happen: returns once no execution,
    /// scripted worker or request is busy (bounded by one second of wall time). Useful after
    /// `finish()`, when a worker may still be answering a duplicate delivery, say.
    pub async fn settle(&self) {
        self.clock().settle().await
    }

    /// Moves virtual time forward by `d`, firing every timer on the way.
    pub async fn advance(&self, d: Duration) {
        self.clock().advance(d).await
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
        let m = self.inner.engine.create_state_machine(name, &text)?;
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

    /// Starts describing a scripted worker for the Task state `state`.
    pub fn on_task(&self, state: &str) -> WorkerBuilder<'_> {
        WorkerBuilder::new(self, state)
    }

    pub(crate) fn mount_worker(&self, w: Arc<WorkerState>) {
        lock(&self.inner.workers).push(w);
    }

    /// Checks every worker's `.expect(..)`; returns a report of those not met.
    pub fn verify(&self) -> Result<(), String> {
        let failures = self.inner.verification_failures();
        let panics = lock(&self.inner.panics).clone();
        if failures.is_empty() && panics.is_empty() {
            return Ok(());
        }
        let mut msg = String::from("Verifications failed:\n");
        for f in failures {
            msg.push_str(&format!("- {f}\n"));
        }
        for p in panics {
            msg.push_str(&format!("- {p}\n"));
        }
        let injected = self.fault_report();
        if !injected.is_empty() {
            msg.push_str(&format!("\nFaults injected:\n{injected}"));
        }
        let open = self.inner.engine.tokens().open_tokens();
        if !open.is_empty() {
            msg.push_str("\nTask tokens left unanswered:\n");
            for t in open {
                msg.push_str(&format!(
                    "- state '{}' of {}\n",
                    t.state_name, t.execution_arn
                ));
            }
        }
        Err(msg)
    }

    /// Tokens issued and not yet answered, with their state and execution.
    pub fn open_tokens(&self) -> Vec<crate::engine::OpenToken> {
        self.inner.engine.tokens().open_tokens()
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
            inner: self.inner.engine.execution(arn)?,
        })
    }

    /// Arms a fault (see [`faults`]). Fails if it names an operation the endpoint does not
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
        self.inner
            .faults
            .arm(fault)
            .map_err(HarnessError::InvalidFault)
    }

    /// Arms every fault of a plan, in order. A plan's own seed applies to faults armed from
    /// then on.
    pub fn inject_plan(&self, plan: &FaultPlan) -> Result<Vec<FaultHandle>, HarnessError> {
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
        for e in self.inner.engine.executions(None, Some(Status::Running)) {
            if let Some(t) = lock(&e.task).take() {
                t.abort();
            }
        }
        if std::thread::panicking() {
            return;
        }
        if let Err(report) = self.verify() {
            panic!("{report}");
        }
    }
}

/// Anything that can be a definition: JSON text or a JSON value.
pub trait IntoDefinition {
    /// The definition as JSON text.
    fn into_definition(self) -> String;
}

impl IntoDefinition for &str {
    fn into_definition(self) -> String {
        self.to_string()
    }
}

impl IntoDefinition for String {
    fn into_definition(self) -> String {
        self
    }
}

impl IntoDefinition for Value {
    fn into_definition(self) -> String {
        self.to_string()
    }
}

impl IntoDefinition for &Value {
    fn into_definition(self) -> String {
        self.to_string()
    }
}

/// The resource behind Tasks that have no handler: a scripted worker answers as the resource.
struct ScriptedResource {
    harness: std::sync::Weak<HarnessInner>,
}

impl TaskHandler for ScriptedResource {
    fn call(&self, req: TaskRequest) -> BoxFuture<'static, Result<Value, StatesError>> {
        let harness = self.harness.clone();
        Box::pin(async move {
            let Some(h) = harness.upgrade() else {
                return Err(StatesError::runtime("the harness was dropped"));
            };
            if req.token.is_some() {
                // The token goes to workers through the dispatcher once the task is submitted.
                return Ok(json!({}));
            }
            let Some(worker) =
                h.find_worker(&req.state_name, &req.state_machine_arn, None, &req.input)
            else {
                return Err(StatesError::runtime(format!(
                    "No handler is registered for the resource '{}' and no scripted worker takes state '{}'. Mount one with h.on_task(\"{}\").",
                    req.resource.arn, req.state_name, req.state_name
                )));
            };
            let (n, reply) = worker.claim();
            let task = WorkerTask {
                state_name: req.state_name.clone(),
                execution_arn: req.execution_arn.clone(),
                state_machine_arn: req.state_machine_arn.clone(),
                input: req.input.clone(),
                token: None,
                attempt: req.retry_count,
                delivery: n,
                message: None,
            };
            let Some(answer) = compute(&h, &worker, &reply, task).await else {
                return std::future::pending().await;
            };
            req.clock.sleep(reply.delay).await;
            worker.note(format!("#{n}: {answer:?} as the resource's result"));
            match answer {
                Answer::Success(v) => Ok(v),
                Answer::Failure { error, cause } => Err(StatesError::new(error, cause)),
                Answer::RawOutput(s) => Ok(Value::String(s)),
                Answer::Silent | Answer::Crash => std::future::pending().await,
            }
        })
    }
}

/// Runs a reply's closure, catching panics (recorded for the test to fail with).
async fn compute(
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
                    h.record_panic(worker, p);
                    None
                }
            }
        }
    }
}

/// Gives each submitted task token to the first scripted worker that takes it.
async fn dispatch(
    harness: std::sync::Weak<HarnessInner>,
    mut rx: mpsc::UnboundedReceiver<TaskSubmission>,
) {
    while let Some(sub) = rx.recv().await {
        let Some(h) = harness.upgrade() else { return };
        // A task sent through SQS is matched as its worker sees it: by the queue it went to and
        // by the message body (what `.on_queue(..)` and `.when(..)` promise).
        let queue = sqs_delivery(&sub).map(|(queue, _)| queue);
        let seen = match (&queue, sub.input.get("MessageBody")) {
            (Some(_), Some(body)) => message_body(body),
            _ => sub.input.clone(),
        };
        let Some(worker) = h.find_worker(
            &sub.state_name,
            &sub.state_machine_arn,
            queue.as_deref(),
            &seen,
        ) else {
            // No scripted worker takes it: a real worker may be about to receive it, and the
            // skip lock holds virtual time for it while the message waits in its queue.
            continue;
        };
        let clock = h.engine.clock().clone();
        let weak = harness.clone();
        let handle = clock.spawn(async move {
            if let Some(h) = weak.upgrade() {
                deliver(&h, &worker, sub).await;
            }
        });
        lock(&h.tasks).push(handle);
    }
}

/// The queue URL and message id of a task submitted through `sqs:sendMessage`.
fn sqs_delivery(sub: &TaskSubmission) -> Option<(String, String)> {
    if !sub.resource.starts_with(SEND_MESSAGE) {
        return None;
    }
    let queue = sub.input.get("QueueUrl")?.as_str()?.to_string();
    let id = sub.submitted.get("MessageId")?.as_str()?.to_string();
    Some((queue, id))
}

/// A message body as a worker sees it: parsed if it is JSON, else the string.
fn message_body(body: &Value) -> Value {
    match body {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| body.clone()),
        other => other.clone(),
    }
}

/// Plays one delivery of a token to a worker.
async fn deliver(h: &HarnessInner, worker: &WorkerState, sub: TaskSubmission) {
    if let Some((queue, id)) = sqs_delivery(&sub) {
        return deliver_via_sqs(h, worker, sub, &queue, &id).await;
    }
    let (n, reply) = worker.claim();
    h.faults.task_taken(&sub.token, None).await;
    let task = WorkerTask {
        state_name: sub.state_name.clone(),
        execution_arn: sub.execution_arn.clone(),
        state_machine_arn: sub.state_machine_arn.clone(),
        input: sub.input.clone(),
        token: Some(sub.token.clone()),
        attempt: sub.retry_count,
        delivery: n,
        message: None,
    };
    let Some(answer) = compute(h, worker, &reply, task).await else {
        return;
    };
    answer_token(h, worker, n, &reply, answer, &sub.token).await;
}

/// Consumes the SQS message that carries the token, as a real worker would: receive it, work,
/// answer, delete it. A crash leaves it in flight; when SQS makes it visible again the worker
/// takes it again and plays the next reply of its script. A duplicate delivery (a second copy
/// of the message) is taken and answered too, as the next delivery.
async fn deliver_via_sqs(
    h: &HarnessInner,
    worker: &WorkerState,
    sub: TaskSubmission,
    queue: &str,
    id: &str,
) {
    loop {
        let received = match h.sqs.take_message(queue, id) {
            Ok(Some(m)) => m,
            Ok(None) => {
                // In flight elsewhere (a real worker took it) or gone: wait until it is visible.
                if !h.sqs.wait_until_visible(queue, id).await {
                    worker.note(format!(
                        "message {id} is gone before the worker could receive it"
                    ));
                    return;
                }
                continue;
            }
            Err(e) => {
                worker.note(format!("cannot receive from {queue}: {}", e.message()));
                return;
            }
        };
        let (n, reply) = worker.claim();
        h.faults.task_taken(&sub.token, Some(queue)).await;
        let task = WorkerTask {
            state_name: sub.state_name.clone(),
            execution_arn: sub.execution_arn.clone(),
            state_machine_arn: sub.state_machine_arn.clone(),
            input: message_body(&Value::String(received.body.clone())),
            token: Some(sub.token.clone()),
            attempt: sub.retry_count,
            delivery: n,
            message: Some(received.clone()),
        };
        let Some(answer) = compute(h, worker, &reply, task).await else {
            return;
        };
        let crashed = matches!(answer, Answer::Crash);
        answer_token(h, worker, n, &reply, answer, &sub.token).await;
        if !crashed {
            if let Err(e) = h.sqs.delete_message(queue, &received.receipt_handle) {
                worker.note(format!("#{n}: delete refused: {}", e.message()));
            }
            if h.sqs.holds_message(queue, id) {
                // Another copy of the message (a duplicate delivery) is still to come.
                continue;
            }
            return;
        }
        // Crashed: the message comes back after its visibility timeout, unless the task ended.
        if !h.sqs.wait_until_visible(queue, id).await {
            return;
        }
        if !h
            .engine
            .tokens()
            .open_tokens()
            .iter()
            .any(|t| t.token == sub.token)
        {
            worker.note(format!(
                "message {id} came back, but its task already ended"
            ));
            return;
        }
    }
}

/// Waits the reply's delay (heartbeating if asked) and sends the answer.
async fn answer_token(
    h: &HarnessInner,
    worker: &WorkerState,
    n: u64,
    reply: &Reply,
    answer: Answer,
    token: &str,
) {
    let engine = &h.engine;
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
