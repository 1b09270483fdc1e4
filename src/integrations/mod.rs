//! What a Task state's `Resource` does.
//!
//! The engine resolves a Task's resource ARN to a [`TaskHandler`] registered for it. A handler
//! receives the task's effective input (after `InputPath` and `Parameters`) and returns the
//! result, or an error that the state's `Retry`/`Catch` then sees. For a
//! `….waitForTaskToken` resource, the handler's result is what AWS records as `TaskSubmitted`
//! (for SQS, the SendMessage response), and the task then waits for `SendTaskSuccess` /
//! `SendTaskFailure` with the token found in [`TaskRequest::token`].
//!
//! Closures are handlers:
//!
//! ```
//! use sfn_harness::integrations::{handler, TaskRequest};
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

pub mod sqs;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use crate::asl::StatesError;
use crate::engine::clock::Clock;

/// A boxed future, as handlers return.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// How a Task waits for its result, from the resource suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Request/response: the handler's result is the task's result.
    RequestResponse,
    /// `.waitForTaskToken`: the handler submits; the token's answer is the result.
    WaitForTaskToken,
    /// `.sync`: treated as request/response (the handler waits for the job itself).
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

impl Resource {
    /// Splits a resource ARN.
    ///
    /// ```
    /// use sfn_harness::integrations::{Pattern, Resource};
    /// let r = Resource::parse("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
    /// assert_eq!(r.base, "arn:aws:states:::sqs:sendMessage");
    /// assert_eq!(r.pattern, Pattern::WaitForTaskToken);
    /// assert_eq!((r.resource_type.as_str(), r.resource.as_str()), ("sqs", "sendMessage.waitForTaskToken"));
    /// ```
    pub fn parse(arn: &str) -> Resource {
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
            (parts[5].to_string(), parts[6].to_string())
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
}

/// What a handler is asked to do.
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
}

/// A Task resource implementation.
pub trait TaskHandler: Send + Sync + 'static {
    /// Runs the task.
    fn call(&self, request: TaskRequest) -> BoxFuture<Result<Value, StatesError>>;
}

struct FnHandler<F>(F);

impl<F, Fut> TaskHandler for FnHandler<F>
where
    F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, StatesError>> + Send + 'static,
{
    fn call(&self, request: TaskRequest) -> BoxFuture<Result<Value, StatesError>> {
        Box::pin((self.0)(request))
    }
}

/// Wraps an async closure as a [`TaskHandler`].
pub fn handler<F, Fut>(f: F) -> Arc<dyn TaskHandler>
where
    F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, StatesError>> + Send + 'static,
{
    Arc::new(FnHandler(f))
}
