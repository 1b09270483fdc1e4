//! Lambda functions played by scripted workers: a worker made by `h.on_lambda(name)` is the
//! function `name`, and a worker mounted on a Lambda Task's state answers its invocations. The
//! worker's reply is the function's return value, which the Lambda integration then wraps as
//! AWS does (`Payload` and the Invoke metadata for `lambda:invoke`, the raw value for a function
//! ARN); a `fail(..)` is the function's error (`Lambda.<Exception>`: Lambda's own refusal).

use std::sync::{Arc, Weak};

use serde_json::Value;

use super::direct::play;
use crate::asl::StatesError;
use crate::engine::task::BoxFuture;
use crate::harness::worker::{WorkerState, WorkerTask};
use crate::harness::HarnessInner;
use crate::integrations::lambda::{FunctionCall, FunctionSource, InvokeGate, LambdaFunction};

/// The harness's scripted workers, as a source of Lambda functions.
pub(super) struct ScriptedFunctions {
    harness: Weak<HarnessInner>,
}

impl ScriptedFunctions {
    pub(super) fn new(harness: Weak<HarnessInner>) -> ScriptedFunctions {
        ScriptedFunctions { harness }
    }
}

/// One worker playing a function.
struct ScriptedFunction {
    harness: Weak<HarnessInner>,
    worker: Arc<WorkerState>,
}

/// A `.waitForTaskToken` invocation whose token goes to a state's worker: the function itself
/// returns `null` at once, and the dispatcher gives the worker the token.
struct Accepts;

impl LambdaFunction for Accepts {
    fn invoke(&self, _call: FunctionCall) -> BoxFuture<'static, Result<Value, StatesError>> {
        Box::pin(async { Ok(Value::Null) })
    }
}

impl FunctionSource for ScriptedFunctions {
    fn find(&self, call: &FunctionCall) -> Option<Arc<dyn LambdaFunction>> {
        let h = self.harness.upgrade()?;
        let t = &call.task;
        let by_name = h.workers().into_iter().find(|w| {
            w.is_function(
                &call.function_name,
                &t.state_name,
                &t.state_machine_arn,
                &call.payload,
            ) && w.try_take()
        });
        if let Some(worker) = by_name {
            return Some(Arc::new(ScriptedFunction {
                harness: self.harness.clone(),
                worker,
            }));
        }
        if t.token.is_some() {
            // A worker on the state answers the token (through the dispatcher), not the call.
            // Without a Lambda endpoint, the test's own code may answer it too (SendTask* through
            // the SDK, `h.send_task_success`): the invocation is accepted and the token waits.
            let answered = h.config.lambda_endpoint.is_none()
                || call.function_name.is_empty()
                || h.workers()
                    .iter()
                    .any(|w| w.matches(&t.state_name, &t.state_machine_arn, None, &call.payload));
            return answered.then(|| Arc::new(Accepts) as Arc<dyn LambdaFunction>);
        }
        let worker = h.find_worker(&t.state_name, &t.state_machine_arn, None, &call.payload)?;
        Some(Arc::new(ScriptedFunction {
            harness: self.harness.clone(),
            worker,
        }))
    }
}

impl LambdaFunction for ScriptedFunction {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'static, Result<Value, StatesError>> {
        let harness = self.harness.clone();
        let worker = self.worker.clone();
        Box::pin(async move {
            let Some(h) = harness.upgrade() else {
                return Err(StatesError::runtime("the harness was dropped"));
            };
            let t = call.task;
            let task = WorkerTask {
                state_name: t.state_name.clone(),
                execution_arn: t.execution_arn.clone(),
                state_machine_arn: t.state_machine_arn.clone(),
                input: call.payload,
                token: t.token.clone(),
                attempt: t.retry_count,
                delivery: 0,
                message: None,
            };
            let what = format!(
                "the return value of Lambda function '{}'",
                call.function_name
            );
            play(&h, &worker, task, &t.clock, &what).await
        })
    }
}

/// The harness's Lambda faults ([`Fault::lambda_error`](crate::Fault::lambda_error)),
/// checked before every invocation.
pub(super) struct FaultGate {
    harness: Weak<HarnessInner>,
}

impl FaultGate {
    pub(super) fn new(harness: Weak<HarnessInner>) -> FaultGate {
        FaultGate { harness }
    }
}

impl InvokeGate for FaultGate {
    fn before<'a>(&'a self, call: &'a FunctionCall) -> BoxFuture<'a, Option<StatesError>> {
        Box::pin(async move {
            let h = self.harness.upgrade()?;
            let t = &call.task;
            let (error, cause) = h
                .faults
                .lambda_refusal(
                    &call.function_name,
                    &t.state_name,
                    &t.execution_arn,
                    t.retry_count,
                )
                .await?;
            Some(StatesError::new(error, cause))
        })
    }
}
