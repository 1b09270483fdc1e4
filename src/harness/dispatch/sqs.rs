//! Deliveries through SQS: a scripted worker consumes the message that carries its task token
//! as a real worker would.

use serde_json::Value;

use super::answer::{answer_token, compute};
use super::message_body;
use crate::engine::TaskSubmission;
use crate::harness::worker::{Answer, WorkerState, WorkerTask};
use crate::harness::HarnessInner;

/// Consumes the SQS message that carries the token, as a real worker would: receive it, work,
/// answer, delete it. A crash leaves it in flight; when SQS makes it visible again the worker
/// takes it again and plays the next reply of its script. A duplicate delivery (a second copy
/// of the message) is taken and answered too, as the next delivery.
pub(super) async fn deliver(
    h: &HarnessInner,
    worker: &WorkerState,
    sub: TaskSubmission,
    queue: &str,
    id: &str,
) {
    let sqs = h.sqs();
    loop {
        let received = match sqs.take_message(queue, id) {
            Ok(Some(m)) => m,
            Ok(None) => {
                // In flight elsewhere (a real worker took it) or gone: wait until it is visible.
                if !sqs.wait_until_visible(queue, id).await {
                    worker.note(format!(
                        "message {id} is gone before the worker could receive it"
                    ));
                    return;
                }
                continue;
            }
            Err(e) => {
                worker.note(format!("cannot receive from {queue}: {}", e.message()));
                return;
            }
        };
        let (n, reply) = worker.claim();
        h.faults.task_taken(&sub.token, Some(queue)).await;
        let task = WorkerTask {
            state_name: sub.state_name.clone(),
            execution_arn: sub.execution_arn.clone(),
            state_machine_arn: sub.state_machine_arn.clone(),
            input: message_body(&Value::String(received.body.clone())),
            token: Some(sub.token.clone()),
            attempt: sub.retry_count,
            delivery: n,
            message: Some(received.clone()),
        };
        let Some(answer) = compute(h, worker, &reply, task).await else {
            return;
        };
        let crashed = matches!(answer, Answer::Crash);
        let about = super::about(h, &sub, Some(id));
        answer_token(h, worker, n, &reply, answer, &sub.token, &about).await;
        if !crashed {
            if let Err(e) = sqs.delete_message(queue, &received.receipt_handle) {
                worker.note(format!("#{n}: delete refused: {}", e.message()));
            }
            if sqs.holds_message(queue, id) {
                // Another copy of the message (a duplicate delivery) is still to come.
                continue;
            }
            return;
        }
        // Crashed: the message comes back after its visibility timeout, unless the task ended.
        if !sqs.wait_until_visible(queue, id).await {
            return;
        }
        if !h
            .engine()
            .tokens()
            .open_tokens()
            .iter()
            .any(|t| t.token == sub.token)
        {
            worker.note(format!(
                "message {id} came back, but its task already ended"
            ));
            return;
        }
    }
}
