//! Fault injection: make the failures of AWS and of workers scriptable, then assert that nothing
//! was lost.
//!
//! The types are documented on [`Fault`], the way in.

pub(crate) mod injector;
pub(crate) mod plan;
pub(crate) mod report;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

pub(crate) use injector::Injector;
pub use plan::{FaultPlan, FaultPlanError};
pub use report::{FaultReport, InjectedFault};

use crate::harness::scope::{scope_methods, Scope};

/// What a fault's predicate ([`Fault::when`]) sees of the call or message it may apply to.
#[derive(Debug, Clone, Default)]
pub struct FaultEvent {
    /// For API faults: the service prefix (`AWSStepFunctions`, `AmazonSQS`).
    pub service: Option<String>,
    /// For API faults: the operation (`SendTaskSuccess`).
    pub operation: Option<String>,
    /// For API faults: the request body (`Null` if it is not JSON).
    pub request: Value,
    /// The queue's name (SQS calls and deliveries).
    pub queue: Option<String>,
    /// The Task state whose task token the call or message carries.
    pub state: Option<String>,
    /// The execution of that task, or the execution the call names.
    pub execution_arn: Option<String>,
    /// For deliveries: the message id.
    pub message_id: Option<String>,
    /// For deliveries: the message body.
    pub body: Option<String>,
}

impl FaultEvent {
    /// The state machine's name, from the execution ARN.
    pub fn machine_name(&self) -> Option<&str> {
        // arn:aws:states:<region>:<account>:execution:<machine>:<name>
        crate::arn::Arn::parse(self.execution_arn.as_deref()?)?.part(1)
    }
}

/// What an API fault does to a call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ApiAction {
    /// Answer with an AWS error instead of handling the call.
    Error {
        code: String,
        status: u16,
        message: Option<String>,
    },
    /// Wait this long (wall time) before handling the call.
    Latency(Duration),
    /// Close the connection before handling the call.
    DropConnection,
    /// Handle the call, then close the connection instead of answering.
    LoseResponse,
}

/// What a delivery fault does to a message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DeliveryAction {
    Lose,
    Delay(Duration),
    Duplicate { copies: u32, after: Duration },
    Reorder,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Api {
        /// `*`, `AmazonSQS.*`, `SendTaskSuccess` or `AWSStepFunctions.SendTaskSuccess`.
        operation: String,
        action: ApiAction,
    },
    Delivery(DeliveryAction),
    ClockJump(Duration),
}

/// One fault: what goes wrong, where and how often.
///
/// A fault says what goes wrong, where, and how often; [`Harness::inject`] arms it. Four kinds:
///
/// - **API faults** on any Step Functions or SQS operation served over the HTTP endpoint (what
///   the real SDK clients of the code under test see): [`Fault::throttle`],
///   any [`Fault::api_error`] (`ServiceUnavailable` 503, `InternalServerError` 500, …),
///   [`Fault::latency`], [`Fault::drop_connection`] (closed before the call is handled) and
///   [`Fault::lose_response`] (handled, but the client never hears so, and retries).
/// - **Delivery faults** in SQS standard queues: [`Fault::duplicate_delivery`],
///   [`Fault::delay_delivery`], [`Fault::reorder_deliveries`] and [`Fault::lose_message`]
///   (`SendMessage` succeeds, no receiver ever sees it). They apply to real workers and scripted
///   workers alike: a scripted worker receives a duplicate as a second delivery.
/// - **Time faults**: [`Fault::jump_clock`] moves virtual time forward the moment a worker takes
///   a task, as if the worker had stalled for that long.
/// - **Worker faults** are replies of scripted workers ([`Reply`](crate::Reply)):
///   crash after receive, answer late, answer twice, invalid or oversize output, stop
///   heartbeating. They compose with the faults above.
///
/// Each fault narrows what it applies to ([`for_state`](Fault::for_state),
/// [`for_machine`](Fault::for_machine), [`on_queue`](Fault::on_queue), [`when`](Fault::when)) and
/// how often: every time (the default), the first [`times(n)`](Fault::times) after
/// [`skip(k)`](Fault::skip), or with a [`probability`](Fault::probability). Probabilities are
/// seeded (the harness's seed, or [`FaultPlan::seed`]) and decided per *subject* — the task token,
/// execution, message or receipt a call is about — so the same run injects the same faults
/// however threads interleave. [`expect`](Fault::expect) makes a fault that never fired fail the
/// test, as a worker's expectation does.
///
/// Everything injected is recorded: [`Harness::fault_report`] lists each injection with the
/// harness time, operation or queue, state and execution, and failure messages include it.
/// Plans can live in JSON files under `fixtures/` ([`FaultPlan::from_file`]), so CI can run the
/// same suite under different plans.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::builder().seed(3).start().await;
/// // The first two StartExecution calls are throttled; the SDK retries them.
/// let throttle = h.inject(Fault::throttle("StartExecution").times(2).expect(2))?;
/// let machine = h.create_state_machine("hello", json!({
///     "StartAt": "Done", "States": { "Done": { "Type": "Succeed" } }
/// })).await?;
///
/// let sfn = h.sfn_client().await;
/// let started = sfn.start_execution().state_machine_arn(machine.arn()).send().await?;
/// assert_eq!(throttle.injected(), 2);
/// let done = h.execution(started.execution_arn())?.finish().await?;
/// assert_eq!(done.status(), Status::Succeeded);
/// assert_eq!(h.fault_report().len(), 2);
/// # Ok(()) }
/// ```
///
/// [`Harness::inject`]: crate::Harness::inject
/// [`Harness::fault_report`]: crate::Harness::fault_report
///
/// Faults are built like scripted workers — a constructor for the failure, then narrowing and
/// frequency — and armed with [`Harness::inject`](crate::Harness::inject):
///
/// ```
/// use sfn_harness::prelude::*;
/// use std::time::Duration;
///
/// # async fn demo(h: &Harness) -> Result<(), HarnessError> {
/// // One in five SendTaskSuccess calls of the state "Charge" is throttled.
/// h.inject(Fault::throttle("SendTaskSuccess").for_state("Charge").probability(0.2))?;
/// // Every message sent to the queue "jobs" arrives twice.
/// h.inject(Fault::duplicate_delivery().on_queue("jobs"))?;
/// // The worker of "Review" stalls for two hours after taking its task, once.
/// h.inject(Fault::jump_clock(Duration::from_secs(7200)).for_state("Review").times(1))?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "a fault does nothing until it is armed with `h.inject(..)`"]
pub struct Fault {
    pub(crate) kind: Kind,
    /// What it applies to, how often at most, how often it must fire.
    pub(crate) scope: Scope<FaultEvent>,
    pub(crate) skip: u64,
    pub(crate) probability: Option<f64>,
}

impl fmt::Debug for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

impl Fault {
    fn new(kind: Kind) -> Fault {
        Fault {
            kind,
            scope: Scope::default(),
            skip: 0,
            probability: None,
        }
    }

    fn api(operation: &str, action: ApiAction) -> Fault {
        Fault::new(Kind::Api {
            operation: operation.to_string(),
            action,
        })
    }

    /// Throttles calls of `operation` with the error each service sends when its request rate
    /// is exceeded: `ThrottlingException` (400, "Rate exceeded") from Step Functions,
    /// `RequestThrottled` (400) from SQS. The AWS SDKs retry both with back-off.
    ///
    /// `operation` is an operation name (`"SendTaskSuccess"`), a target
    /// (`"AmazonSQS.ReceiveMessage"`), a whole service (`"AmazonSQS.*"`) or `"*"`.
    pub fn throttle(operation: &str) -> Fault {
        Fault::api(
            operation,
            ApiAction::Error {
                code: injector::THROTTLE.into(),
                status: 400,
                message: None,
            },
        )
    }

    /// Fails calls of `operation` with `ServiceUnavailable` (503), which the SDKs retry (the
    /// plan file's `service_unavailable`).
    pub(crate) fn service_unavailable(operation: &str) -> Fault {
        Fault::api_error(operation, "ServiceUnavailable", 503)
    }

    /// Fails calls of `operation` with `InternalServerError` (500), which the SDKs retry (the
    /// plan file's `internal_error`).
    pub(crate) fn internal_error(operation: &str) -> Fault {
        Fault::api_error(operation, "InternalServerError", 500)
    }

    /// Fails calls of `operation` with any error code and HTTP status (`"KmsThrottlingException"`,
    /// 400). The message defaults to one naming the fault; set it with [`Fault::message`].
    pub fn api_error(operation: &str, code: &str, status: u16) -> Fault {
        Fault::api(
            operation,
            ApiAction::Error {
                code: code.to_string(),
                status,
                message: None,
            },
        )
    }

    /// Makes Lambda refuse invocations with the service exception `exception`
    /// (`"TooManyRequestsException"`, `"ServiceException"`, `"AWSLambdaException"`,
    /// `"SdkClientException"`, with or without the `Lambda.` prefix): the task fails with
    /// `Lambda.<exception>` and the Java SDK's cause, as AWS records Lambda's own refusals, so a
    /// Retry policy on them (the errors AWS's developer guide tells users to retry) is testable.
    /// It applies to every invocation, whoever serves the function (a scripted worker, a
    /// closure, the Lambda endpoint); narrow it with [`for_state`](Fault::for_state),
    /// [`times`](Fault::times), ….
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::builder().seed(4).start().await;
    /// let throttled = h.inject(Fault::lambda_error("TooManyRequestsException").times(2).expect(2))?;
    /// h.on_lambda("validate").respond(json!({ "valid": true })).mount().await;
    /// let machine = h.create_state_machine("orders", json!({
    ///     "StartAt": "Validate",
    ///     "States": { "Validate": {
    ///         "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
    ///         "Parameters": { "FunctionName": "validate", "Payload.$": "$" },
    ///         "Retry": [{ "ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 3 }],
    ///         "OutputPath": "$.Payload", "End": true } }
    /// })).await?;
    /// let done = machine.start(json!({})).await?.finish().await?;
    /// assert_eq!(done.output(), Some(&json!({ "valid": true })));
    /// assert_eq!(throttled.injected(), 2);
    /// # Ok(()) }
    /// ```
    pub fn lambda_error(exception: &str) -> Fault {
        let code = exception.strip_prefix("Lambda.").unwrap_or(exception);
        let status = match code {
            "TooManyRequestsException" => 429,
            "ServiceException" | "AWSLambdaException" => 500,
            _ => 400,
        };
        Fault::api(
            injector::LAMBDA_INVOKE,
            ApiAction::Error {
                code: code.to_string(),
                status,
                message: None,
            },
        )
    }

    /// Delays calls of `operation` by `d` of wall time before they are handled. The request
    /// holds virtual time still meanwhile (time never skips under a request being served), and
    /// the client's own timeouts see the delay.
    pub fn latency(operation: &str, d: Duration) -> Fault {
        Fault::api(operation, ApiAction::Latency(d))
    }

    /// Closes the connection of calls of `operation` before they are handled, without a
    /// response. The SDKs retry such transport errors.
    pub fn drop_connection(operation: &str) -> Fault {
        Fault::api(operation, ApiAction::DropConnection)
    }

    /// Handles calls of `operation`, then closes the connection instead of answering: the call
    /// took effect, but the client does not know, and retries (a `SendTaskSuccess` retried this
    /// way meets `TaskTimedOut`, as on AWS when a response is lost).
    pub fn lose_response(operation: &str) -> Fault {
        Fault::api(operation, ApiAction::LoseResponse)
    }

    /// Delivers messages twice: a second copy (same `MessageId`, its own receipt handle) is
    /// visible together with the original. Standard queues only (FIFO queues deliver exactly
    /// once); see [`Fault::copies`] and [`Fault::copy_after`].
    pub fn duplicate_delivery() -> Fault {
        Fault::new(Kind::Delivery(DeliveryAction::Duplicate {
            copies: 1,
            after: Duration::ZERO,
        }))
    }

    /// Delays messages by `d` (harness time) before their first delivery.
    pub fn delay_delivery(d: Duration) -> Fault {
        Fault::new(Kind::Delivery(DeliveryAction::Delay(d)))
    }

    /// Hands the visible messages of a standard queue out in a shuffled (seeded) order instead
    /// of the order they were sent in.
    pub fn reorder_deliveries() -> Fault {
        Fault::new(Kind::Delivery(DeliveryAction::Reorder))
    }

    /// Loses messages: `SendMessage` (or the Step Functions integration) is told the message
    /// was sent, but no receiver ever sees it. The execution's history still shows the task
    /// submitted, then its timeout.
    pub fn lose_message() -> Fault {
        Fault::new(Kind::Delivery(DeliveryAction::Lose))
    }

    /// Moves virtual time forward by `d` the moment a worker (scripted, or real over HTTP) takes
    /// a task: timers due on the way fire, as if the worker had stalled that long.
    pub fn jump_clock(d: Duration) -> Fault {
        Fault::new(Kind::ClockJump(d))
    }

    /// For [`Fault::duplicate_delivery`]: how many extra copies (default 1).
    pub fn copies(mut self, n: u32) -> Fault {
        if let Kind::Delivery(DeliveryAction::Duplicate { copies, .. }) = &mut self.kind {
            *copies = n.max(1);
        }
        self
    }

    /// For [`Fault::duplicate_delivery`]: the copies become visible `d` after the original.
    pub fn copy_after(mut self, d: Duration) -> Fault {
        if let Kind::Delivery(DeliveryAction::Duplicate { after, .. }) = &mut self.kind {
            *after = d;
        }
        self
    }

    /// For API errors: the error message.
    pub fn message(mut self, text: impl Into<String>) -> Fault {
        if let Kind::Api {
            action: ApiAction::Error { message, .. },
            ..
        } = &mut self.kind
        {
            *message = Some(text.into());
        }
        self
    }

    /// Let the first `k` matching calls or messages through untouched.
    pub fn skip(mut self, k: u64) -> Fault {
        self.skip = k;
        self
    }

    /// Inject into each matching call or message with probability `p` (0.0–1.0), decided by
    /// the seed and the call's subject, so a seeded run repeats.
    pub fn probability(mut self, p: f64) -> Fault {
        self.probability = Some(if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) });
        self
    }

    /// How the fault reads in reports: its name, or a description.
    pub(crate) fn label(&self) -> String {
        if let Some(n) = &self.scope.name {
            return format!("fault '{n}'");
        }
        let what = match &self.kind {
            Kind::Api { operation, action } => match action {
                ApiAction::Error { code, status, .. } => {
                    format!("{} {operation}", injector::error_label(code, *status))
                }
                ApiAction::Latency(d) => format!("latency {d:?} on {operation}"),
                ApiAction::DropConnection => format!("drop connection of {operation}"),
                ApiAction::LoseResponse => format!("lose response of {operation}"),
            },
            Kind::Delivery(a) => match a {
                DeliveryAction::Lose => "lose message".to_string(),
                DeliveryAction::Delay(d) => format!("delay delivery {d:?}"),
                DeliveryAction::Duplicate { copies, .. } => {
                    format!("duplicate delivery (+{copies})")
                }
                DeliveryAction::Reorder => "reorder deliveries".to_string(),
            },
            Kind::ClockJump(d) => format!("jump clock {d:?}"),
        };
        let mut s = format!("fault '{what}'");
        for (k, v) in [
            ("state", &self.scope.state),
            ("machine", &self.scope.machine),
            ("queue", &self.scope.queue),
        ] {
            if let Some(v) = v {
                s.push_str(&format!(" {k} '{v}'"));
            }
        }
        s
    }
}

scope_methods! {
    impl [] Fault, seen: FaultEvent {
        /// Only calls and messages that carry a task token of the Task state `state` (for SQS API
        /// calls other than `SendMessage`, which carry no token, this never matches).
        fn for_state(state);
        /// Only calls and messages of executions of this state machine (name or ARN).
        fn for_machine(machine);
        /// Only SQS calls and messages of this queue (name or URL).
        fn on_queue(queue);
        /// Only calls and messages for which `predicate` holds.
        ///
        /// ```
        /// # use sfn_harness::prelude::*;
        /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() -> Result<(), HarnessError> {
        /// let h = Harness::start().await;
        /// // Throttle only the SendTaskSuccess calls of executions of "orders".
        /// h.inject(Fault::throttle("SendTaskSuccess").when(|e| e.machine_name() == Some("orders")))?;
        /// # Ok(()) }
        /// ```
        fn when(when);
        /// Inject at most `n` times.
        fn times(times);
        /// Names the fault in reports.
        fn named(name);
        /// Expect this many injections (`2`, `1..`), verified by
        /// [`Harness::verify`](crate::Harness::verify) and when the harness drops: a fault
        /// that never fired proves nothing.
        fn expect(expect);
    }
}

/// An armed fault, to look at what it did. Returned by
/// [`Harness::inject`](crate::Harness::inject).
#[derive(Clone)]
pub struct FaultHandle {
    pub(crate) injected: Arc<AtomicU64>,
    pub(crate) label: String,
}

impl fmt::Debug for FaultHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} injected)", self.label, self.injected())
    }
}

impl FaultHandle {
    /// How many times the fault was injected so far.
    pub fn injected(&self) -> u64 {
        self.injected.load(Ordering::SeqCst)
    }
}
