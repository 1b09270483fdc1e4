//! Activities: the registry behind `CreateActivity` … `DeleteActivity`, and the queue of
//! scheduled activity tasks that `GetActivityTask` hands to workers.
//!
//! An activity is a name in the account (`arn:aws:states:<region>:<account>:activity:<name>`).
//! A Task state whose `Resource` is an activity ARN schedules a task on it (the
//! [activity integration](crate::integrations::activity) calls [`Activities::enqueue`]); a worker
//! polling `GetActivityTask` takes the oldest task still open, which records `ActivityStarted`
//! with the worker's name, and then answers with `SendTaskSuccess` / `SendTaskFailure` /
//! `SendTaskHeartbeat` on the task's token, as for any callback.
//!
//! AWS's behaviour followed here (Step Functions API reference, `CreateActivity`,
//! `GetActivityTask`, `DeleteActivity`; LocalStack's AWS-validated `test_sfn_api_activities.py`
//! recordings in `../shared/conformance/v2`):
//! - `CreateActivity` is idempotent: the same name answers the same ARN and creation date;
//! - `DeleteActivity` of an unknown (or already deleted) activity succeeds;
//! - `DescribeActivity` / `GetActivityTask` of an unknown one is `ActivityDoesNotExist`;
//! - `GetActivityTask` waits up to 60 seconds (on the engine's clock) and then answers an empty
//!   task (no `taskToken`).
//!
//! Example: the unit test `engine_activities_20` in `src/tests/doc_examples.rs`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::Notify;

use crate::engine::history::json_text;
use crate::engine::ApiError;
use crate::sync::lock;
use crate::time::{Clock, Millis};

/// How long `GetActivityTask` waits for a task: "the maximum time for the service to hold on to
/// the request is 60 seconds" (Step Functions API reference, `GetActivityTask`).
pub(crate) const POLL_MILLIS: Millis = 60_000;

/// An activity, as `DescribeActivity` and `ListActivities` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Activity {
    /// `activityArn`.
    pub arn: String,
    /// `name`.
    pub name: String,
    /// `creationDate`, in milliseconds of the engine's clock.
    pub created: Millis,
}

/// A task a worker took with `GetActivityTask`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActivityTask {
    /// `taskToken`: answer it with `SendTaskSuccess` / `SendTaskFailure`.
    pub token: String,
    /// `input`: the task's effective input, as JSON text.
    pub input: String,
}

/// A scheduled task waiting for a worker.
#[derive(Debug)]
struct Pending {
    token: String,
    input: String,
}

#[derive(Debug)]
struct Entry {
    activity: Activity,
    queue: VecDeque<Pending>,
    /// Woken when a task is queued.
    ready: Arc<Notify>,
}

/// The activities of one engine.
#[derive(Debug, Default)]
pub(crate) struct Activities {
    map: Mutex<BTreeMap<String, Entry>>,
}

impl Activities {
    /// Creates `name` at `arn`, or answers the existing one.
    pub(crate) fn create(&self, arn: String, name: &str, now: Millis) -> Activity {
        let mut map = lock(&self.map);
        map.entry(arn.clone())
            .or_insert_with(|| Entry {
                activity: Activity {
                    arn,
                    name: name.to_string(),
                    created: now,
                },
                queue: VecDeque::new(),
                ready: Arc::new(Notify::new()),
            })
            .activity
            .clone()
    }

    /// The activity at `arn`, if it exists.
    pub(crate) fn get(&self, arn: &str) -> Option<Activity> {
        lock(&self.map).get(arn).map(|e| e.activity.clone())
    }

    /// Every activity, in creation order (then by ARN).
    pub(crate) fn list(&self) -> Vec<Activity> {
        let mut all: Vec<Activity> = lock(&self.map)
            .values()
            .map(|e| e.activity.clone())
            .collect();
        all.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.arn.cmp(&b.arn)));
        all
    }

    /// Deletes the activity (a no-op when there is none). Its queued tasks stay open until
    /// their states time out, as on AWS.
    pub(crate) fn delete(&self, arn: &str) {
        lock(&self.map).remove(arn);
    }

    /// Queues a task for the activity's workers; `false` when the activity does not exist.
    pub(crate) fn enqueue(&self, arn: &str, token: &str, input: &Value) -> bool {
        let mut map = lock(&self.map);
        let Some(entry) = map.get_mut(arn) else {
            return false;
        };
        entry.queue.push_back(Pending {
            token: token.to_string(),
            input: json_text(input),
        });
        entry.ready.notify_one();
        true
    }

    /// Takes the queued task of `token` off the activity's queue; `false` when it is not there
    /// (a worker took it, or the activity is gone).
    pub(crate) fn take_token(&self, arn: &str, token: &str) -> bool {
        let mut map = lock(&self.map);
        let Some(entry) = map.get_mut(arn) else {
            return false;
        };
        let before = entry.queue.len();
        entry.queue.retain(|p| p.token != token);
        entry.queue.len() < before
    }

    /// Takes the oldest queued task for which `open` holds, waiting up to [`POLL_MILLIS`] on
    /// `clock`. `Ok(None)` when none came in time.
    pub(crate) async fn take(
        &self,
        clock: &Clock,
        arn: &str,
        open: impl Fn(&str) -> bool,
    ) -> Result<Option<ActivityTask>, ApiError> {
        let deadline = clock.now_ms().saturating_add(POLL_MILLIS);
        loop {
            let ready = {
                let mut map = lock(&self.map);
                let Some(entry) = map.get_mut(arn) else {
                    return Err(ApiError::ActivityDoesNotExist(arn.to_string()));
                };
                while let Some(p) = entry.queue.pop_front() {
                    if open(&p.token) {
                        return Ok(Some(ActivityTask {
                            token: p.token,
                            input: p.input,
                        }));
                    }
                }
                entry.ready.clone()
            };
            if clock.now_ms() >= deadline {
                return Ok(None);
            }
            tokio::select! {
                _ = ready.notified() => {}
                _ = clock.sleep_until(deadline) => return Ok(None),
            }
        }
    }
}
