//! Activity resources (`arn:aws:states:<region>:<account>:activity:<name>`): a Task that hands
//! its input to the activity's workers, who take it with `GetActivityTask` and answer with
//! `SendTaskSuccess` / `SendTaskFailure` / `SendTaskHeartbeat`.
//!
//! The handler only queues the task on the engine's activity (the token is always issued for
//! an activity task, see [`EventFamily::Activity`]); the engine records `ActivityScheduled`,
//! `ActivityStarted` (when a worker takes it), then `ActivitySucceeded` / `ActivityFailed` /
//! `ActivityTimedOut`, as AWS does.
//!
//! Example: the unit test `integrations_activity_10` in `src/tests/doc_examples.rs`.

use serde_json::Value;

use crate::asl::StatesError;
use crate::engine::task::{BoxFuture, EventFamily, TaskHandler, TaskRequest};

/// The key the activity handler is registered under: it serves every activity ARN (see
/// [`Resource::type_key`](crate::engine::task::Resource::type_key)).
pub(crate) const ACTIVITY: &str = "arn:aws:states:::activity";

/// The activity integration: queues the task on the engine running it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ActivityIntegration;

impl TaskHandler for ActivityIntegration {
    fn call(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, StatesError>> {
        Box::pin(async move {
            let runtime = |m: String| StatesError::new("States.Runtime", m);
            let Some(engine) = request.engine.engine() else {
                return Err(runtime("The engine running this task is gone".into()));
            };
            let Some(token) = request.token.as_deref() else {
                return Err(runtime(format!(
                    "sfn-harness issued no task token for the activity task of state '{}'",
                    request.state_name
                )));
            };
            let arn = &request.resource.arn;
            if engine.queue_activity_task(arn, token, &request.input) {
                Ok(Value::Null)
            } else {
                Err(runtime(format!("The activity {arn} does not exist.")))
            }
        })
    }

    fn event_family(&self, _resource: &crate::engine::task::Resource) -> EventFamily {
        EventFamily::Activity
    }
}
