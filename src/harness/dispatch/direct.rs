//! Deliveries with no queue in between: a Task whose resource has no handler is answered by its
//! worker as the resource ([`ScriptedResource`]), and a task token not sent through SQS is given
//! to the worker as it is ([`deliver`]).

use std::sync::Weak;

use serde_json::{json, Value};

use super::answer::{answer_token, compute};
use crate::asl::StatesError;
use crate::engine::task::no_response_message;
use crate::engine::task::{BoxFuture, TaskHandler, TaskRequest};
use crate::engine::TaskSubmission;
use crate::harness::worker::{Answer, WorkerState, WorkerTask};
use crate::harness::HarnessInner;

/// The resource behind Tasks that have no handler: a scripted worker answers as the resource.
pub(super) struct ScriptedResource {
    harness: Weak<HarnessInner>,
}

impl ScriptedResource {
    pub(super) fn new(harness: Weak<HarnessInner>) -> ScriptedResource {
        ScriptedResource { harness }
    }
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
                return Err(StatesError::runtime(no_response_message(
                    &req.resource.arn,
                    &req.state_name,
                )));
            };
            let task = WorkerTask {
                state_name: req.state_name.clone(),
                execution_arn: req.execution_arn.clone(),
                state_machine_arn: req.state_machine_arn.clone(),
                input: req.input.clone(),
                token: None,
                attempt: req.retry_count,
                delivery: 0,
                message: None,
            };
            play(&h, &worker, task, &req.clock, "the resource's result").await
        })
    }
}

/// Plays one reply of `worker` as a result (a resource's, a Lambda function's return value):
/// its closure, its delay, then its answer as `Ok`/`Err`. A silent or crashed reply, or a
/// panicking closure, never answers.
pub(super) async fn play(
    h: &HarnessInner,
    worker: &WorkerState,
    mut task: WorkerTask,
    clock: &crate::time::Clock,
    what: &str,
) -> Result<Value, StatesError> {
    let (n, reply) = worker.claim();
    task.delivery = n;
    let Some(answer) = compute(h, worker, &reply, task).await else {
        return std::future::pending().await;
    };
    clock.sleep(reply.delay).await;
    worker.note(format!("#{n}: {answer:?} as {what}"));
    match answer {
        Answer::Success(v) => Ok(v),
        Answer::Failure { error, cause } => Err(StatesError::new(error, cause)),
        Answer::RawOutput(s) => Ok(Value::String(s)),
        Answer::Silent | Answer::Crash => std::future::pending().await,
    }
}

/// Gives a task token to a worker as it is (no queue in between), and sends its answer.
pub(super) async fn deliver(h: &HarnessInner, worker: &WorkerState, sub: TaskSubmission) {
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
    let about = super::about(h, &sub, None);
    answer_token(h, worker, n, &reply, answer, &sub.token, &about).await;
}
