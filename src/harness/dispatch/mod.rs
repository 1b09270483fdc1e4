//! The scripted-worker runtime: how a task reaches the first mounted worker that takes it, and
//! how the worker's reply goes back.
//!
//! Two ways in, one per task kind:
//!
//! - [`direct`]: a Task whose resource has no handler calls the [`ScriptedResource`], the
//!   engine's fallback handler; the worker's reply becomes the task's result. A
//!   `.waitForTaskToken` task of such a resource gets its token from the dispatcher instead.
//! - the dispatcher ([`run`]): every task token the engine hands out is offered to the workers.
//!   A token sent through `sqs:sendMessage` (or `sns:publish` to a topic a queue subscribes
//!   to) is delivered through SQS ([`sqs`]), as a real worker receives it; any other token is given to the worker directly ([`direct::deliver`]).
//!
//! - [`lambda`]: a Lambda invocation finds its function among the workers (`on_lambda(name)`,
//!   or a worker on the Task's state); the reply is the function's return value.
//!
//! Either way the worker's answer goes back through [`answer`], with its delay, heartbeats and
//! panic capture. A task scheduled on an activity is taken off the activity's queue first
//! ([`activity`]), so the history records `ActivityStarted` as for a polling worker.

mod activity;
mod answer;
mod direct;
mod lambda;
mod sqs;

use crate::sync::lock;
use std::sync::{Arc, Weak};

use serde_json::Value;
use tokio::sync::mpsc;

use crate::engine::{TaskObserver, TaskSubmission};
use crate::harness::worker::WorkerState;
use crate::harness::HarnessInner;
use crate::integrations::sns::PUBLISH;
use crate::integrations::sqs::SEND_MESSAGE;

/// Wires the runtime into the harness's engine: tasks with no handler go to the
/// [`ScriptedResource`](direct::ScriptedResource); task tokens go to the dispatcher.
pub(crate) fn install(inner: &Arc<HarnessInner>) {
    inner
        .account
        .lambda()
        .add_source(Arc::new(lambda::ScriptedFunctions::new(Arc::downgrade(
            inner,
        ))));
    inner
        .account
        .lambda()
        .add_gate(Arc::new(lambda::FaultGate::new(Arc::downgrade(inner))));
    let engine = inner.engine();
    engine.set_fallback_handler(Arc::new(direct::ScriptedResource::new(Arc::downgrade(
        inner,
    ))));
    let (tx, rx) = mpsc::unbounded_channel::<TaskSubmission>();
    engine.observe_tasks(Arc::new(Submissions {
        harness: Arc::downgrade(inner),
        tx,
    }));
    let dispatcher = engine.clock().spawn(run(Arc::downgrade(inner), rx));
    lock(&inner.tasks).push(dispatcher);
}

impl HarnessInner {
    /// The first mounted worker that takes this task; taking it counts against `.times(n)`.
    fn find_worker(
        &self,
        state: &str,
        machine_arn: &str,
        queue: Option<&str>,
        input: &Value,
    ) -> Option<Arc<WorkerState>> {
        self.workers()
            .into_iter()
            .find(|w| w.matches(state, machine_arn, queue, input) && w.try_take())
    }
}

/// Hands each submitted task to [`run`] while a scripted worker is mounted.
struct Submissions {
    harness: Weak<HarnessInner>,
    tx: mpsc::UnboundedSender<TaskSubmission>,
}

impl TaskObserver for Submissions {
    /// No scripted worker is mounted: none can take the task (what `find_worker` would find),
    /// so the submission is not even built (issue 13: every real worker's task comes by). A
    /// worker mounted later takes the tasks submitted after it, as when it is mounted first.
    fn wants(&self) -> bool {
        self.harness
            .upgrade()
            .is_some_and(|h| !lock(&h.workers).is_empty())
    }

    fn submitted(&self, s: TaskSubmission) {
        // The receiver ends only with the harness, when no task is handed out any more.
        let _ = self.tx.send(s);
    }
}

/// Gives each submitted task token to the first scripted worker that takes it.
async fn run(harness: Weak<HarnessInner>, mut rx: mpsc::UnboundedReceiver<TaskSubmission>) {
    while let Some(sub) = rx.recv().await {
        let Some(h) = harness.upgrade() else { return };
        // A task sent through SQS is matched as its worker sees it: by the queue it went to and
        // by the message body (what `.on_queue(..)` and `.when(..)` promise).
        let delivery = sqs_delivery(&h, &sub);
        let queue = delivery.as_ref().map(|(queue, _)| queue.clone());
        let seen = match (&delivery, sub.input.get("MessageBody")) {
            (Some(_), Some(body)) => message_body(body),
            // Through SNS: the worker sees the message its queue got (the envelope, or raw).
            (Some((queue, id)), None) => h
                .sqs()
                .message_body_of(queue, id)
                .map(|b| message_body(&Value::String(b)))
                .unwrap_or_else(|| sub.input.clone()),
            _ => sub.input.clone(),
        };
        let Some(worker) = h.find_worker(
            &sub.state_name,
            &sub.state_machine_arn,
            queue.as_deref(),
            &seen,
        ) else {
            // No scripted worker takes it: a real worker may be about to receive it, and the
            // holds keep virtual time still for it while the message waits in its queue.
            continue;
        };
        h.hold_token(&sub.token, worker.label());
        let clock = h.engine().clock().clone();
        let weak = harness.clone();
        let handle = clock.spawn(async move {
            if let Some(h) = weak.upgrade() {
                deliver(&h, &worker, sub).await;
            }
        });
        lock(&h.tasks).push(handle);
    }
}

/// Plays one delivery of a token to a worker: through SQS if the task went there, else directly.
async fn deliver(h: &HarnessInner, worker: &WorkerState, sub: TaskSubmission) {
    if activity::is_activity(&sub) {
        return activity::deliver(h, worker, sub).await;
    }
    match sqs_delivery(h, &sub) {
        // A mocked submission sent no message: the worker gets the token directly.
        Some((queue, id)) if !sub.mocked => sqs::deliver(h, worker, sub, &queue, &id).await,
        _ => direct::deliver(h, worker, sub).await,
    }
}

/// Which task a reply is for, as the worker's log says it: the Map item (` (item 2)`) found by
/// following the history's chain from the task's `TaskScheduled` event back to its
/// `MapIterationStarted`, and the SQS message (` (message 5f3c…)`) it came in.
fn about(h: &HarnessInner, sub: &TaskSubmission, message_id: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(index) = map_item(h, sub) {
        parts.push(format!("item {index}"));
    }
    if let Some(id) = message_id {
        parts.push(format!("message {id}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// The Map iteration index of the task holding `sub`'s token (the innermost Map's), if it runs
/// in one.
fn map_item(h: &HarnessInner, sub: &TaskSubmission) -> Option<u64> {
    let history = h.engine().execution(&sub.execution_arn).ok()?.history();
    let scheduled = history.iter().rev().find(|e| {
        e.event_type == "TaskScheduled"
            && e.details
                .as_ref()
                .is_some_and(|(_, d)| d.to_string().contains(&sub.token))
    })?;
    let by_id: std::collections::HashMap<u64, &crate::engine::history::HistoryEvent> =
        history.iter().map(|e| (e.id, e)).collect();
    let mut at = by_id.get(&scheduled.previous_event_id).copied();
    while let Some(e) = at {
        if e.event_type == "MapIterationStarted" {
            return e.details.as_ref()?.1.get("index")?.as_u64();
        }
        at = by_id.get(&e.previous_event_id).copied();
    }
    None
}

/// The queue URL and message id of a task submitted through `sqs:sendMessage`, or through
/// `sns:publish` to a topic with an SQS subscription (the first subscribed queue whose message
/// carries the token).
fn sqs_delivery(h: &HarnessInner, sub: &TaskSubmission) -> Option<(String, String)> {
    if sub.resource.starts_with(PUBLISH) {
        let topic = sub.input.get("TopicArn")?.as_str()?;
        let subscriptions = h.account.sns().list_subscriptions(Some(topic)).ok()?;
        return subscriptions.iter().find_map(|s| {
            let queue = h.sqs().queue_url_of_arn(&s.endpoint)?;
            let id = h.sqs().message_id_containing(&queue, &sub.token)?;
            Some((queue, id))
        });
    }
    if !sub.resource.starts_with(SEND_MESSAGE) {
        return None;
    }
    let queue = sub.input.get("QueueUrl")?.as_str()?.to_string();
    let id = sub.submitted.get("MessageId")?.as_str()?.to_string();
    Some((queue, id))
}

/// A message body as a worker sees it: parsed if it is JSON, else the string.
fn message_body(body: &Value) -> Value {
    match body {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| body.clone()),
        other => other.clone(),
    }
}
