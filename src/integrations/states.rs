//! Nested executions: `arn:aws:states:::states:startExecution` (request/response, `.sync`,
//! `.sync:2`, `.waitForTaskToken`) and `arn:aws:states:::aws-sdk:sfn:startExecution`.
//!
//! The child runs on the same engine (through [`TaskRequest::engine`]) and is visible through
//! the API like any execution. Shapes as AWS records them (LocalStack's AWS-validated
//! `callback/test_callback.py::test_start_execution_sync*`, `services/test_sfn_task_service.py`,
//! `services/test_aws_sdk_task_service.py`; `../shared/conformance/v2`):
//! - the StartExecution answer is `{ExecutionArn, SdkHttpMetadata, SdkResponseMetadata,
//!   StartDate}` (epoch milliseconds) for `states:startExecution`, and `{ExecutionArn,
//!   StartDate}` (ISO-8601) for the `aws-sdk` form;
//! - `.sync` ends with the child's DescribeExecution shape, `Input`/`Output` as JSON text;
//!   `.sync:2` the same with them as JSON;
//! - a child that fails, times out or is stopped fails the task with `States.TaskFailed` and
//!   that description (with the child's `Error`/`Cause`) as JSON text in the cause;
//! - a missing machine is `StepFunctions.StateMachineDoesNotExistException` with the Java SDK's
//!   cause text;
//! - the child's input is the task's `Input` (`{}` when null or absent); as on AWS, nothing is
//!   added to it: pass `"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"` in
//!   `Input` to link the two, as the developer guide advises.
//!
//! Stopping the parent (or its task timing out) stops a `.sync` child.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::asl::StatesError;
use crate::engine::history::json_text;
use crate::engine::task::{BoxFuture, Pattern, TaskHandler, TaskRequest};
use crate::engine::{ApiError, Engine, ExecutionRecord, Status};
use crate::integrations::sdk_metadata;

/// `arn:aws:states:::states:startExecution` (without its suffix).
pub(crate) const START_EXECUTION: &str = "arn:aws:states:::states:startExecution";
/// `arn:aws:states:::aws-sdk:sfn:startExecution`.
pub(crate) const SDK_START_EXECUTION: &str = "arn:aws:states:::aws-sdk:sfn:startExecution";

/// The nested-execution integration.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StatesIntegration {
    /// The `aws-sdk:sfn` form (ISO dates, no SDK metadata, `Sfn.` error prefix).
    sdk: bool,
}

impl StatesIntegration {
    /// The optimized `states:startExecution` integration.
    pub(crate) fn optimized() -> StatesIntegration {
        StatesIntegration { sdk: false }
    }

    /// The `aws-sdk:sfn:startExecution` integration.
    pub(crate) fn aws_sdk() -> StatesIntegration {
        StatesIntegration { sdk: true }
    }

    /// The task error for an API error: `StepFunctions.<Code>Exception` with the Java SDK v1
    /// cause for the optimized form, `Sfn.<Code>Exception` with the SDK v2 cause for the
    /// `aws-sdk` form (both as recorded, see the module docs and
    /// `test_sfn_send_task_outcome_with_no_such_token`).
    fn error(&self, e: &ApiError, request_id: &str) -> StatesError {
        let (message, status, code) = (e.message(), e.status(), e.code());
        if self.sdk {
            StatesError::new(
                format!("Sfn.{code}Exception"),
                format!("{message} (Service: Sfn, Status Code: {status}, Request ID: {request_id}) (SDK Attempt Count: 1)"),
            )
        } else {
            StatesError::new(
                format!("StepFunctions.{code}Exception"),
                format!("{message} (Service: AWSStepFunctions; Status Code: {status}; Error Code: {code}; Request ID: {request_id}; Proxy: null)"),
            )
        }
    }
}

fn engine_of(request: &TaskRequest) -> Result<Engine, StatesError> {
    request
        .engine
        .engine()
        .ok_or_else(|| StatesError::new("States.Runtime", "The engine running this task is gone"))
}

/// Epoch seconds as AWS's JSON writes them (Java's `Double.toString`: `1.710679799123E9`).
fn java_seconds(ms: u64) -> String {
    let digits = format!("{}{:03}", ms / 1000, ms % 1000);
    let int_len = digits.len() - 3;
    let (first, rest) = digits.split_at(1);
    let rest = rest.trim_end_matches('0');
    let rest = if rest.is_empty() { "0" } else { rest };
    format!("{first}.{rest}E{}", int_len - 1)
}

/// The child's input text: `Input` as JSON text, a string as it is, `{}` when null or absent.
fn child_input(p: &Map<String, Value>) -> String {
    match p.get("Input") {
        None | Some(Value::Null) => "{}".into(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => json_text(v),
    }
}

impl TaskHandler for StatesIntegration {
    fn call(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, StatesError>> {
        let this = *self;
        Box::pin(async move {
            let engine = engine_of(&request)?;
            let Some(p) = request.input.as_object() else {
                return Err(StatesError::new(
                    "States.Runtime",
                    format!(
                        "The parameters of a states:startExecution task must be a JSON object, but were {}",
                        request.input
                    ),
                ));
            };
            let request_id = engine.request_id();
            let Some(machine) = p.get("StateMachineArn").and_then(Value::as_str) else {
                let e = ApiError::validation(
                    "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
                );
                return Err(this.error(&e, &request_id));
            };
            let name = p.get("Name").and_then(Value::as_str);
            let input = child_input(p);
            let child = engine
                .start_execution(machine, name, Some(&input))
                .map_err(|e| this.error(&e, &request_id))?;
            if this.sdk {
                return Ok(json!({
                    "ExecutionArn": child.arn(),
                    "StartDate": crate::time::iso8601(child.start_ms()),
                }));
            }
            let mut body = Map::new();
            body.insert("ExecutionArn".into(), json!(child.arn()));
            // The length of the JSON body AWS answered: `{"executionArn":…,"startDate":…}`.
            let length = format!(
                r#"{{"executionArn":"{}","startDate":{}}}"#,
                child.arn(),
                java_seconds(child.start_ms())
            )
            .len();
            sdk_metadata(&mut body, &request_id, request.clock.now_ms(), length);
            // After the metadata: AWS's keys are in alphabetical order here.
            body.insert("StartDate".into(), json!(child.start_ms()));
            Ok(Value::Object(body))
        })
    }

    fn wait_for_completion(
        &self,
        request: TaskRequest,
        submitted: &Value,
    ) -> Option<BoxFuture<'static, Result<Value, StatesError>>> {
        if request.resource.pattern != Pattern::Sync || self.sdk {
            return None;
        }
        let as_json = request.resource.arn.ends_with(".sync:2");
        let arn = submitted["ExecutionArn"].as_str()?.to_string();
        Some(Box::pin(async move {
            let engine = engine_of(&request)?;
            let child = engine
                .execution(&arn)
                .map_err(|e| StatesError::new("States.Runtime", e.message()))?;
            let guard = StopOnDrop {
                engine: engine.clone(),
                child: child.clone(),
            };
            child.wait().await;
            drop(guard);
            let description = describe(&child, as_json);
            if child.status() == Status::Succeeded {
                Ok(description)
            } else {
                Err(StatesError::new(
                    "States.TaskFailed",
                    json_text(&description),
                ))
            }
        }))
    }
}

/// Stops the child when the parent's wait is dropped before the child ended (the parent was
/// stopped, or its task timed out).
struct StopOnDrop {
    engine: Engine,
    child: Arc<ExecutionRecord>,
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if self.child.status() == Status::Running {
            // The child exists (it is running): stopping it cannot fail.
            let _ = self.engine.stop_execution(self.child.arn(), None, None);
        }
    }
}

/// The child as DescribeExecution shows it, in the Java SDK's member names.
fn describe(child: &ExecutionRecord, as_json: bool) -> Value {
    let text_or_json = |v: &Value| {
        if as_json {
            v.clone()
        } else {
            json!(json_text(v))
        }
    };
    let mut m = Map::new();
    if let Some(c) = child.cause() {
        m.insert("Cause".into(), json!(c));
    }
    if let Some(e) = child.error() {
        m.insert("Error".into(), json!(e));
    }
    m.insert("ExecutionArn".into(), json!(child.arn()));
    m.insert("Input".into(), text_or_json(&child.input_value()));
    m.insert("InputDetails".into(), json!({ "Included": true }));
    m.insert("Name".into(), json!(child.name()));
    if let Some(o) = child.output() {
        m.insert("Output".into(), text_or_json(&o));
        m.insert("OutputDetails".into(), json!({ "Included": true }));
    }
    m.insert("StartDate".into(), json!(child.start_ms()));
    m.insert("StateMachineArn".into(), json!(child.state_machine().arn));
    m.insert("Status".into(), json!(child.status().as_str()));
    if let Some(s) = child.stop_ms() {
        m.insert("StopDate".into(), json!(s));
    }
    Value::Object(m)
}

/// `arn:aws:states:::aws-sdk:sfn:sendTaskSuccess`.
pub(crate) const SDK_SEND_TASK_SUCCESS: &str = "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess";
/// `arn:aws:states:::aws-sdk:sfn:sendTaskFailure`.
pub(crate) const SDK_SEND_TASK_FAILURE: &str = "arn:aws:states:::aws-sdk:sfn:sendTaskFailure";
/// `arn:aws:states:::aws-sdk:sfn:sendTaskHeartbeat`.
pub(crate) const SDK_SEND_TASK_HEARTBEAT: &str = "arn:aws:states:::aws-sdk:sfn:sendTaskHeartbeat";

/// `aws-sdk:sfn:sendTaskSuccess` / `sendTaskFailure` / `sendTaskHeartbeat`: a Task that answers
/// another task's token on the same engine (parameters `TaskToken`, `Output`, `Error`, `Cause`;
/// the SDK's answer is `{}`; an API error is `Sfn.<Code>Exception`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SdkTaskAnswer {
    /// `sendTaskSuccess`.
    Success,
    /// `sendTaskFailure`.
    Failure,
    /// `sendTaskHeartbeat`.
    Heartbeat,
}

impl TaskHandler for SdkTaskAnswer {
    fn call(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, StatesError>> {
        let this = *self;
        Box::pin(async move {
            let engine = engine_of(&request)?;
            let p = request.input.as_object().cloned().unwrap_or_default();
            let text = |k: &str| match p.get(k) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(v) => Some(json_text(v)),
            };
            let token = text("TaskToken").unwrap_or_default();
            let answered = match this {
                SdkTaskAnswer::Success => {
                    engine.send_task_success(&token, &text("Output").unwrap_or_default())
                }
                SdkTaskAnswer::Failure => engine.send_task_failure(
                    &token,
                    text("Error").as_deref(),
                    text("Cause").as_deref(),
                ),
                SdkTaskAnswer::Heartbeat => engine.send_task_heartbeat(&token),
            };
            answered
                .map(|()| json!({}))
                .map_err(|e| StatesIntegration::aws_sdk().error(&e, &engine.request_id()))
        })
    }
}
