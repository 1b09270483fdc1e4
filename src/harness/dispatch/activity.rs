//! Activity tasks given to scripted workers: the worker takes the very task from the
//! activity's queue, as a `GetActivityTask` poller would (so the history records
//! `ActivityStarted`), then answers its token like any other callback.

use super::direct;
use crate::arn::Arn;
use crate::engine::TaskSubmission;
use crate::harness::worker::WorkerState;
use crate::harness::HarnessInner;

/// Whether the task was scheduled on an activity (`arn:…:activity:<name>`).
pub(super) fn is_activity(sub: &TaskSubmission) -> bool {
    Arn::parse(&sub.resource).is_some_and(|a| a.resource_type() == "activity")
}

/// Takes the task off the activity's queue for `worker`, then delivers it. If a real poller
/// took it first, the scripted worker leaves it to that poller.
pub(super) async fn deliver(h: &HarnessInner, worker: &WorkerState, sub: TaskSubmission) {
    if h.engine()
        .take_activity_task(&sub.resource, &sub.token, None)
    {
        direct::deliver(h, worker, sub).await;
    }
}
