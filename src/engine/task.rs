//! The task port: what a Task state's `Resource` handler gets and returns.
//!
//! The engine resolves a Task's resource ARN to a [`TaskHandler`] registered for it. A handler
//! receives the task's effective input (after `InputPath` and `Parameters`) and returns the
//! result, or an error that the state's `Retry`/`Catch` then sees. For a
//! `….waitForTaskToken` resource, the handler's result is what AWS records as `TaskSubmitted`
//! (for SQS, the SendMessage response), and the task then waits for `SendTaskSuccess` /
//! `SendTaskFailure` with the token found in [`TaskRequest::token`].
//!
//! The engine defines this port and knows no integration; the
//! [integrations](crate::integrations) implement it, and the composition root
//! ([`Account`](crate::account::Account)) registers them.
//!
//! Closures are handlers:
//!
//! ```
//! use sfn_harness::internals::{handler, TaskRequest};
//! use sfn_harness::asl::StatesError;
//! use serde_json::json;
//!
//! let h = handler(|req: TaskRequest| async move {
//!     if req.input["amount"].as_i64() > Some(100) {
//!         Err(StatesError::new("TooMuch", "amount over limit"))
//!     } else {
//!         Ok(json!({ "charged": req.input["amount"] }))
//!     }
//! });
//! # let _ = h;
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use crate::asl::StatesError;
use crate::engine::Engine;
use crate::time::Clock;

/// A boxed, sendable future: what Task handlers return (`BoxFuture<'static, _>`), and the
/// crate's one such alias (the server's [`JsonService`](crate::server::JsonService) returns it
/// too).
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How a Task waits for its result, from the resource suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Request/response: the handler's result is the task's result.
    RequestResponse,
    /// `.waitForTaskToken`: the handler submits; the token's answer is the result.
    WaitForTaskToken,
    /// `.sync` / `.sync:2`: the handler starts a job, then the task waits for it (see
    /// [`TaskHandler::wait_for_completion`]).
    Sync,
}

/// A Task `Resource` split as AWS reports it in history events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// The ARN as written in the definition.
    pub arn: String,
    /// The ARN without the `.waitForTaskToken` / `.sync` suffix: the key handlers register under.
    pub base: String,
    /// The integration pattern.
    pub pattern: Pattern,
    /// `resourceType` in history events (`sqs` for `arn:aws:states:::sqs:sendMessage`).
    pub resource_type: String,
    /// `resource` in history events (`sendMessage.waitForTaskToken`).
    pub resource: String,
}

/// The engine's parsed resources, by ARN: every Task attempt looks its resource up here
/// rather than splitting the ARN into four new strings, and a parked task holds a shared
/// pointer to it (issue 13: ~250 bytes a parked callback execution).
#[derive(Debug, Default)]
pub(crate) struct Resources(crate::sync::ByText<Arc<Resource>>);

impl Resources {
    /// The parsed resource of `arn`, parsed on first use.
    pub(crate) fn get(&self, arn: &str) -> Arc<Resource> {
        let parsed = self.0.get_or_try(arn, |a| {
            Ok::<_, std::convert::Infallible>(Arc::new(Resource::parse(a)))
        });
        match parsed {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }
}

impl Resource {
    /// Splits a resource ARN.
    ///
    /// Example: the unit test `engine_task_76` in `src/tests/doc_examples.rs`.
    pub(crate) fn parse(arn: &str) -> Resource {
        let (base, pattern) = if let Some(b) = arn.strip_suffix(".waitForTaskToken") {
            (b, Pattern::WaitForTaskToken)
        } else if let Some(b) = arn.strip_suffix(".sync:2") {
            (b, Pattern::Sync)
        } else if let Some(b) = arn.strip_suffix(".sync") {
            (b, Pattern::Sync)
        } else {
            (arn, Pattern::RequestResponse)
        };
        // `arn:aws:states:::<service>:<action>[.suffix]` -> ("<service>", "<action>[.suffix]").
        let parts: Vec<&str> = arn.splitn(7, ':').collect();
        let (resource_type, resource) = if parts.len() >= 7 && parts[2] == "states" {
            match parts[6].split_once(':') {
                // `arn:aws:states:::aws-sdk:sfn:startExecution` -> ("aws-sdk:sfn",
                // "startExecution"), as AWS records it (LocalStack's AWS-validated
                // `test_sfn_start_execution`, `../shared/conformance/v2`).
                Some((service, action)) if parts[5] == "aws-sdk" => {
                    (format!("aws-sdk:{service}"), action.to_string())
                }
                _ => (parts[5].to_string(), parts[6].to_string()),
            }
        } else if parts.len() >= 6 {
            (parts[2].to_string(), arn.to_string())
        } else {
            ("custom".to_string(), arn.to_string())
        };
        Resource {
            arn: arn.to_string(),
            base: base.to_string(),
            pattern,
            resource_type,
            resource,
        }
    }

    /// The key a handler registers under to serve every resource of one ARN type in any
    /// region and account: `arn:<partition>:<service>:::<type>` for an ARN with a region or an
    /// account (`arn:aws:states:::activity` serves
    /// `arn:aws:states:us-east-1:123456789012:activity:resize`); `None` for the others.
    ///
    /// Example: the unit test `engine_task_126` in `src/tests/doc_examples.rs`.
    pub(crate) fn type_key(&self) -> Option<String> {
        let parts: Vec<&str> = self.base.splitn(7, ':').collect();
        if parts.len() < 6 || parts[0] != "arn" || (parts[3].is_empty() && parts[4].is_empty()) {
            return None;
        }
        let kind = parts[5].split('/').next().unwrap_or_default();
        Some(format!("arn:{}:{}:::{kind}", parts[1], parts[2]))
    }
}

/// What a handler is asked to do.
///
/// ```
/// use sfn_harness::internals::{handler, TaskRequest};
/// use serde_json::json;
///
/// let echo = handler(|req: TaskRequest| async move {
///     Ok(json!({ "state": req.state_name, "input": req.input, "retries": req.retry_count }))
/// });
/// # let _ = echo;
/// ```
#[derive(Debug, Clone)]
pub struct TaskRequest {
    /// The resource as written in the definition.
    pub resource: Resource,
    /// The effective input (after `InputPath` and `Parameters`).
    pub input: Value,
    /// The task token, for `.waitForTaskToken` resources.
    pub token: Option<String>,
    /// The execution's ARN.
    pub execution_arn: String,
    /// The state machine's ARN.
    pub state_machine_arn: String,
    /// The Task state's name.
    pub state_name: String,
    /// How many times this state has been retried so far (`$$.State.RetryCount`).
    pub retry_count: u64,
    /// The harness clock, for handlers that take time.
    pub clock: Clock,
    /// The engine running the task, for the crate's integrations that start child executions
    /// or reach activities (its methods are crate-private: not part of the
    /// [`internals`](crate::internals) door).
    pub engine: EngineHandle,
}

/// A handle on the engine that runs a task, given to handlers in [`TaskRequest::engine`].
///
/// It does not keep the engine alive: a handler that outlives its engine gets `None`.
#[derive(Clone)]
pub struct EngineHandle(pub(crate) std::sync::Weak<crate::engine::EngineInner>);

impl EngineHandle {
    /// A handle attached to no engine (for calling a handler directly, outside an execution).
    #[cfg(test)]
    pub(crate) fn detached() -> EngineHandle {
        EngineHandle(std::sync::Weak::new())
    }

    /// The engine, while it exists.
    pub(crate) fn engine(&self) -> Option<Engine> {
        self.0.upgrade().map(Engine::from_inner)
    }
}

impl std::fmt::Debug for EngineHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.strong_count() > 0 {
            "EngineHandle(live)"
        } else {
            "EngineHandle(gone)"
        })
    }
}

/// Which family of history events a Task records: AWS records most resources as `Task*`
/// events, but a Lambda function named as the resource itself as `LambdaFunction*` events. The
/// handler says which ([`TaskHandler::event_family`]), so the engine knows no integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventFamily {
    /// `TaskScheduled`, `TaskStarted`, `TaskSucceeded`, `TaskFailed`, `TaskTimedOut` (and
    /// `TaskSubmitted`), with `resourceType`/`resource`.
    #[default]
    Task,
    /// `LambdaFunctionScheduled`, `LambdaFunctionStarted`, `LambdaFunctionSucceeded`,
    /// `LambdaFunctionFailed`, `LambdaFunctionTimedOut`, with the function ARN.
    LambdaFunction,
    /// `ActivityScheduled`, `ActivityStarted`, `ActivitySucceeded`, … (activity ARNs). The
    /// handler only queues the task (with [`TaskRequest::token`], always issued for this
    /// family) for the activity's workers; it is started when a worker takes it with
    /// `GetActivityTask`, and the token's answer ends it.
    Activity,
}

/// A handler's answer to a `.waitForTaskToken` task ([`TaskHandler::submit`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Submission {
    /// The answer.
    Value(Value),
    /// The answer's compact JSON text, exactly as `serde_json` writes the answer's value (the
    /// history records it as written).
    Text(String),
}

impl Submission {
    /// The answer as a value.
    pub fn into_value(self) -> Value {
        match self {
            Submission::Value(v) => v,
            // A handler writes JSON text here (see the variant); were it not JSON, the text is
            // kept as a string rather than lost.
            Submission::Text(t) => serde_json::from_str(&t).unwrap_or(Value::String(t)),
        }
    }
}

/// A Task resource implementation.
pub trait TaskHandler: Send + Sync + 'static {
    /// Runs the task.
    fn call(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, StatesError>>;

    /// Runs a `.waitForTaskToken` task, whose answer the engine only records (`TaskSubmitted`;
    /// the task's result comes on its token). A handler that writes its answer's JSON text
    /// itself answers [`Submission::Text`], and the engine parses it only if a scripted worker
    /// reads it (issue 13: the crate's SQS integration, whose answer carries the ~20 fields of
    /// `SdkHttpMetadata` AWS records). The default answers what [`call`](TaskHandler::call)
    /// does.
    fn submit(&self, request: TaskRequest) -> BoxFuture<'static, Result<Submission, StatesError>> {
        let call = self.call(request);
        Box::pin(async move { call.await.map(Submission::Value) })
    }

    /// The history events a task of `resource` records: [`EventFamily::Task`] unless the
    /// handler says otherwise.
    ///
    /// Example: the unit test `engine_task_221` in `src/tests/doc_examples.rs`.
    fn event_family(&self, resource: &Resource) -> EventFamily {
        let _ = resource;
        EventFamily::Task
    }

    /// The task result for a mocked response (a MockConfigFile's `Return`: the service's API
    /// response), shaped as this integration shapes the service's real response (for SQS, with
    /// the `SdkHttpMetadata` AWS adds). The default is the mocked response itself.
    fn mocked(&self, request: &TaskRequest, response: Value) -> Value {
        let _ = request;
        response
    }

    /// What a mocked `.waitForTaskToken` task whose mock throws records as `TaskSubmitted`: what
    /// the integration would have answered on submission (AWS records the submission before the
    /// failure: `../shared/conformance/v2`'s `test_sqs_wait_for_task_token_task_failure`). The
    /// default is `{}`.
    fn mocked_submission(&self, request: &TaskRequest) -> Value {
        let _ = request;
        Value::Object(Default::default())
    }

    /// For a `.sync` resource: the wait for the job that [`call`](TaskHandler::call) started,
    /// whose answer `submitted` the engine records as `TaskSubmitted`. The future's result ends
    /// the task (an answer on the task's token or `TimeoutSeconds` may end it first; the future
    /// is then dropped). `None` (the default) means the call's answer is the task's result.
    fn wait_for_completion(
        &self,
        request: TaskRequest,
        submitted: &Value,
    ) -> Option<BoxFuture<'static, Result<Value, StatesError>>> {
        let _ = (request, submitted);
        None
    }
}

struct FnHandler<F>(F);

impl<F, Fut> TaskHandler for FnHandler<F>
where
    F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, StatesError>> + Send + 'static,
{
    fn call(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, StatesError>> {
        Box::pin((self.0)(request))
    }
}

/// Wraps an async closure as a [`TaskHandler`].
///
/// ```
/// use sfn_harness::internals::{handler, Account, AccountConfig, TaskRequest};
/// use sfn_harness::Status;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let account = Account::new(AccountConfig::default());
/// let engine = account.engine();
/// engine.register_resource("arn:aws:states:::custom:double", handler(|req: TaskRequest| async move {
///     Ok(json!(req.input["n"].as_i64().unwrap_or(0) * 2))
/// }));
/// let m = engine.create_state_machine("d", r#"{"StartAt":"D","States":{"D":{"Type":"Task",
///     "Resource":"arn:aws:states:::custom:double","End":true}}}"#).unwrap();
/// let execution = engine.start_execution(&m.arn, None, Some(r#"{"n":21}"#)).unwrap();
/// assert_eq!(execution.wait().await, Status::Succeeded);
/// # }
/// ```
pub fn handler<F, Fut>(f: F) -> Arc<dyn TaskHandler>
where
    F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, StatesError>> + Send + 'static,
{
    Arc::new(FnHandler(f))
}

/// Why a Task with nothing to answer it fails, and how to give it an answer: in a Rust test
/// (a scripted worker, a handler) and under `sfn-harness serve` (where no test code runs).
pub(crate) fn no_response_message(arn: &str, state: &str) -> String {
    format!(
        "sfn-harness has no response for the resource '{arn}' (state '{state}'). In a Rust \
         test, script one with h.on_task(\"{state}\").respond(..) or register a handler with \
         h.on_resource(..). Under `sfn-harness serve`, only the integrations sfn-harness \
         implements answer (sqs:sendMessage, sns:publish, http:invoke, activities, \
         states:startExecution, Lambda through --lambda-endpoint or LAMBDA_ENDPOINT); answering this resource there is not supported by \
         sfn-harness yet."
    )
}
