//! [`HarnessBuilder`]: a harness's options, and the wiring that builds one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use crate::account::{Account, AccountConfig};
use crate::harness::faults::injector::{ApiFaults, DeliveryFaults};
use crate::harness::faults::{FaultPlan, Injector};
use crate::harness::holds::{Holds, HoldsInterceptor};
use crate::harness::{dispatch, Harness, HarnessInner};
use crate::server::Server;
use crate::time::{Clock, Millis};

/// How a harness is set up; see [`Harness::builder`].
#[derive(Debug, Clone)]
pub(crate) struct HarnessConfig {
    pub(crate) seed: Option<u64>,
    pub(crate) virtual_time: bool,
    pub(crate) start_ms: Option<Millis>,
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) finish_timeout: Duration,
    pub(crate) fault_plan: Option<FaultPlan>,
    pub(crate) lambda_endpoint: Option<String>,
    pub(crate) report_sink: ReportSink,
}

/// Where the verification report goes when a harness is dropped while the test is already
/// panicking: stderr (which the test's output shows), or the closure given to
/// [`HarnessBuilder::report_to`].
#[derive(Clone, Default)]
pub(crate) struct ReportSink(Option<Arc<ReportFn>>);

/// A closure that receives a report's text.
type ReportFn = dyn Fn(&str) + Send + Sync;

impl ReportSink {
    pub(crate) fn send(&self, report: &str) {
        match &self.0 {
            Some(f) => f(report),
            None => eprintln!("{report}"),
        }
    }
}

impl std::fmt::Debug for ReportSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ReportSink(custom)"
        } else {
            "ReportSink(stderr)"
        })
    }
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
            lambda_endpoint: None,
            report_sink: ReportSink::default(),
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
/// // Virtual time (the default): an hour passes at once.
/// let before = h.clock().now_ms();
/// h.clock().advance(Duration::from_secs(3600)).await;
/// assert_eq!(h.clock().now_ms() - before, 3_600_000);
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
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// let h = Harness::builder().seed(7).start().await;
    /// assert_eq!(h.clock().now_ms(), 1_704_067_200_000); // 2024-01-01T00:00:00Z
    /// # }
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = Some(seed);
        self
    }

    /// Real time: Wait states and timeouts take as long as they say.
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// let h = Harness::builder().real_time().start().await;
    /// assert!(format!("{:?}", h.clock()).contains("virtual: false"));
    /// # }
    /// ```
    pub fn real_time(mut self) -> Self {
        self.config.virtual_time = false;
        self
    }

    /// Where the verification report goes when the harness is dropped while the test is already
    /// panicking (an assertion failed before the expectations were checked). By default it is
    /// printed to stderr, which the test's output shows under the first panic's message: the
    /// typo in a worker's filter that made the assertion fail is named there. When nothing else
    /// panicked, an unmet expectation panics with the same text instead.
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// use std::sync::{Arc, Mutex};
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// let printed = Arc::new(Mutex::new(String::new()));
    /// let sink = printed.clone();
    /// let test = tokio::spawn(async move {
    ///     let h = Harness::builder()
    ///         .report_to(move |report| sink.lock().unwrap().push_str(report))
    ///         .start()
    ///         .await;
    ///     h.on_task("Ship").respond(serde_json::json!({})).expect(1).mount().await;
    ///     panic!("an assertion failed first");
    /// });
    /// assert!(test.await.is_err());
    /// assert!(printed.lock().unwrap().contains("Received: 0"));
    /// # }
    /// ```
    pub fn report_to(mut self, sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.config.report_sink = ReportSink(Some(Arc::new(sink)));
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

    /// Sends the Lambda invocations no scripted worker or registered function answers to a
    /// Lambda endpoint serving the Invoke REST API (`POST
    /// /2015-03-31/functions/{name}/invocations`): `sam local start-lambda`, an emulator, or a
    /// mock server in the test.
    ///
    /// ```
    /// # use sfn_harness::prelude::*;
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
    /// let h = Harness::builder().lambda_endpoint("http://127.0.0.1:3001").start().await;
    /// # let _ = h;
    /// # }
    /// ```
    pub fn lambda_endpoint(mut self, url: impl Into<String>) -> Self {
        self.config.lambda_endpoint = Some(url.into());
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

impl Harness {
    /// Builds the harness's world through the [`Account`], then adds what only tests have: the
    /// fault injector, the holds for real workers, the endpoint and the scripted-worker runtime.
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
            ..AccountConfig::default()
        });
        if let Some(url) = &config.lambda_endpoint {
            account
                .lambda()
                .set_endpoint(Some(crate::integrations::lambda::LambdaEndpoint::new(url)));
        }
        let engine = account.engine().clone();
        let sqs = account.sqs().clone();
        // A plan given to the builder sets its own seed when `start` arms it.
        let injector = Injector::new(engine.clone(), config.seed.unwrap_or_else(rand::random));
        sqs.set_delivery_hook(Arc::new(DeliveryFaults(Arc::downgrade(&injector))));
        let holds = Holds::install(engine, &sqs, &clock);
        let router = account
            .router()
            .with_sqs_receives(holds.clone())
            .with_interceptor(Arc::new(HoldsInterceptor(holds.clone())))
            .with_interceptor(Arc::new(ApiFaults(injector.clone())));
        // Starting fails only if the machine has no loopback interface or no free port, or
        // the process can start no thread (or no runtime's epoll) any more; a harness cannot
        // work without its endpoint, so that is a setup error.
        let server = Server::start(router).unwrap_or_else(|e| {
            panic!("sfn-harness could not start its endpoint on 127.0.0.1 (binding the port, its thread and that thread's runtime): {e}")
        });
        let url = server.url().to_string();
        let inner = Arc::new(HarnessInner {
            account,
            server: Mutex::new(Some(server)),
            url: url.clone(),
            config,
            workers: Mutex::new(Vec::new()),
            panics: Mutex::new(Vec::new()),
            panicked: Arc::new(Notify::new()),
            known: Mutex::new(vec![(url, "<endpoint>".to_string())]),
            tasks: Mutex::new(Vec::new()),
            faults: injector,
            holders: Mutex::new(std::collections::HashMap::new()),
            holds,
        });
        dispatch::install(&inner);
        Harness { inner }
    }
}
