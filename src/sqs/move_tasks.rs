//! Dead-letter queue redrive: `StartMessageMoveTask`, `CancelMessageMoveTask`,
//! `ListMessageMoveTasks` (the "Start DLQ redrive" of the console).
//!
//! sfn-harness's simplification: a task moves every message of its source at once, so it is
//! `COMPLETED` when `StartMessageMoveTask` returns (`MaxNumberOfMessagesPerSecond` is validated
//! and reported, not used to pace the move), and there is never a `RUNNING` task to cancel:
//! `CancelMessageMoveTask` answers `ResourceNotFoundException` for every handle.
//!
//! Shapes and ranges: the SQS API reference and the service model (botocore
//! `sqs/2012-11-05/service-2.json`: `ListMessageMoveTasksResultEntry` — `TaskHandle` only for a
//! running task, `Status`, `SourceArn`, `DestinationArn` and `MaxNumberOfMessagesPerSecond`
//! when given, `ApproximateNumberOfMessagesMoved`, `ApproximateNumberOfMessagesToMove`,
//! `StartedTimestamp` in epoch milliseconds; `MaxResults` 1–10, default 1; the rate 1–500).

use base64::Engine as _;

use super::queue;
use super::{Sqs, SqsError};
use crate::sync::lock;
use crate::time::Millis;

/// One message move task, as `ListMessageMoveTasks` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MessageMoveTask {
    /// The opaque handle `StartMessageMoveTask` returned.
    pub task_handle: String,
    /// `RUNNING`, `COMPLETED`, `CANCELLING`, `CANCELLED` or `FAILED`.
    pub status: String,
    /// The dead-letter queue messages were moved from.
    pub source_arn: String,
    /// The queue they were moved to, when the request named one (else each message went back
    /// to the queue it was dead-lettered from).
    pub destination_arn: Option<String>,
    /// The rate the request asked for.
    pub max_number_of_messages_per_second: Option<i64>,
    /// How many messages were moved.
    pub approximate_number_of_messages_moved: u64,
    /// How many there were to move when the task started.
    pub approximate_number_of_messages_to_move: u64,
    /// Why the task failed (`FAILED` only).
    pub failure_reason: Option<String>,
    /// When it started, in epoch milliseconds.
    pub started_timestamp: Millis,
}

impl Sqs {
    /// `StartMessageMoveTask`: moves the messages of dead-letter queue `source_arn` to
    /// `destination_arn`, or each back to its source queue; returns the task handle.
    ///
    /// Example: the unit test `sqs_move_tasks_50` in `src/tests/doc_examples.rs`.
    pub(crate) fn start_message_move_task(
        &self,
        source_arn: &str,
        destination_arn: Option<&str>,
        max_number_of_messages_per_second: Option<i64>,
    ) -> Result<String, SqsError> {
        if source_arn.is_empty() {
            return Err(SqsError::MissingParameter("SourceArn".into()));
        }
        if let Some(rate) = max_number_of_messages_per_second {
            if !(1..=500).contains(&rate) {
                return Err(SqsError::invalid_value(
                    "MaxNumberOfMessagesPerSecond",
                    rate,
                    "Must be between 1 and 500.",
                ));
            }
        }
        let now = self.clock.now_ms();
        let source = self.queue_named_by(source_arn, "SourceArn")?;
        let destination = destination_arn
            .map(|d| self.queue_named_by(d, "DestinationArn"))
            .transpose()?;
        let mut st = lock(&self.state);
        let source_queue_arn = st
            .queues
            .get(&source)
            .map(|q| q.arn.clone())
            .ok_or_else(|| not_found("SourceArn"))?;
        let is_dlq = st.queues.values().any(|q| {
            q.config
                .redrive_policy()
                .is_some_and(|p| p.dead_letter_target_arn == source_queue_arn)
        });
        if !is_dlq {
            return Err(SqsError::InvalidParameterValue(
                "Source queue must be configured as a Dead Letter Queue.".into(),
            ));
        }
        if let Some(d) = &destination {
            if !st.queues.contains_key(d) {
                return Err(not_found("DestinationArn"));
            }
        }
        let messages = match st.live_queue(&source, now) {
            Ok(q) => std::mem::take(&mut q.messages),
            Err(e) => return Err(e),
        };
        let to_move = messages.len() as u64;
        let mut moved = 0u64;
        let mut left = Vec::new();
        for mut m in messages {
            let target = match &destination {
                Some(d) => Some(d.clone()),
                None => m
                    .dead_letter_source_arn
                    .as_deref()
                    .and_then(|arn| self.key_of_arn(arn))
                    .filter(|n| st.queues.contains_key(n)),
            };
            let Some(target) = target else {
                left.push(m);
                continue;
            };
            m.receive_count = 0;
            m.first_received_at = None;
            m.last_received_at = None;
            m.receipt = None;
            m.visible_at = now;
            m.dead_letter_source_arn = None;
            if let Some(q) = st.queues.get_mut(&target) {
                q.messages.push_back(m);
                q.expired_at = None;
                q.notify.notify_waiters();
                moved += 1;
            }
        }
        let failed = !left.is_empty();
        if let Some(q) = st.queues.get_mut(&source) {
            q.messages = left.into();
        }
        let id = self.ids.with(crate::ids::Ids::uuid);
        let task_handle = base64::engine::general_purpose::STANDARD
            .encode(serde_json::json!({ "taskId": id, "sourceArn": source_queue_arn }).to_string());
        st.move_tasks.push(MessageMoveTask {
            task_handle: task_handle.clone(),
            status: if failed { "FAILED" } else { "COMPLETED" }.into(),
            source_arn: source_queue_arn,
            destination_arn: destination_arn.map(str::to_owned),
            max_number_of_messages_per_second,
            approximate_number_of_messages_moved: moved,
            approximate_number_of_messages_to_move: to_move,
            failure_reason: failed.then(|| {
                "Some messages have no source queue to return to: they were not dead-lettered \
                 by a redrive policy, or their source queue is gone."
                    .to_string()
            }),
            started_timestamp: now,
        });
        Ok(task_handle)
    }

    /// `ListMessageMoveTasks`: the latest tasks of `source_arn`, newest first (`max_results`
    /// 1–10, default 1).
    pub(crate) fn list_message_move_tasks(
        &self,
        source_arn: &str,
        max_results: Option<i64>,
    ) -> Result<Vec<MessageMoveTask>, SqsError> {
        if source_arn.is_empty() {
            return Err(SqsError::MissingParameter("SourceArn".into()));
        }
        let limit = max_results.unwrap_or(1);
        if !(1..=10).contains(&limit) {
            return Err(SqsError::invalid_value(
                "MaxResults",
                limit,
                "Must be between 1 and 10, if provided.",
            ));
        }
        let source = self.queue_named_by(source_arn, "SourceArn")?;
        let st = lock(&self.state);
        let arn = st
            .queues
            .get(&source)
            .map(|q| q.arn.clone())
            .ok_or_else(|| not_found("SourceArn"))?;
        Ok(st
            .move_tasks
            .iter()
            .rev()
            .filter(|t| t.source_arn == arn)
            .take(limit as usize)
            .cloned()
            .collect())
    }

    /// `CancelMessageMoveTask`: sfn-harness's tasks complete when they start, so no handle names
    /// a running task (see the module docs).
    pub(crate) fn cancel_message_move_task(&self, task_handle: &str) -> Result<u64, SqsError> {
        if task_handle.is_empty() {
            return Err(SqsError::MissingParameter("TaskHandle".into()));
        }
        let st = lock(&self.state);
        match st.move_tasks.iter().find(|t| t.task_handle == task_handle) {
            Some(t) => Err(SqsError::ResourceNotFound(format!(
                "The task is {}: only a RUNNING task can be cancelled (sfn-harness moves messages \
                 at once, so its tasks are never RUNNING).",
                t.status
            ))),
            None => Err(SqsError::ResourceNotFound("Task does not exist.".into())),
        }
    }

    /// The name of the queue of this account that `arn` names, or `ResourceNotFoundException`.
    fn queue_named_by(&self, arn: &str, param: &str) -> Result<String, SqsError> {
        if queue::parse_arn(arn).is_none() {
            return Err(SqsError::invalid_value(param, arn, "Invalid ARN."));
        }
        self.key_of_arn(arn).ok_or_else(|| not_found(param))
    }
}

fn not_found(param: &str) -> SqsError {
    SqsError::ResourceNotFound(format!(
        "The resource that you specified for the {param} parameter doesn't exist."
    ))
}
