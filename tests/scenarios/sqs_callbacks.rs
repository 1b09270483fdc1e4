//! Callbacks through SQS (`arn:aws:states:::sqs:sendMessage.waitForTaskToken`), written as users
//! write them: the state sends a message that carries the task token, a scripted worker receives
//! that very message from the harness's SQS, works, answers with the token and deletes it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use sfn_harness::prelude::*;

use super::support::{one_state, sqs_callback, with_parameters};
use super::APPROVAL;

/// A Task that sends the input and the task token to `queue` (with `extra` parameters) and
/// waits for the callback.
fn send_and_wait(queue: &str, extra: Value) -> Value {
    let body = json!({ "input.$": "$", "taskToken.$": "$$.Task.Token" });
    with_parameters(sqs_callback(queue, body), extra)
}

#[sfn_harness::test(seed = 51)]
async fn reviewer_approves_through_sqs(h: Harness) {
    let queue = h.create_queue("approvals").await?;
    let machine = h.create_state_machine("approval", APPROVAL).await?;
    // Two hours of review, heartbeating every 30 minutes (the state allows 1 h of silence).
    h.on_task("RequestApproval")
        .respond_with(
            Reply::respond(json!({ "approved": true, "by": "ana" }))
                .after(Duration::from_secs(2 * 3600))
                .heartbeat_every(Duration::from_secs(1800)),
        )
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "queueUrl": queue, "request": { "expense": 120 } }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    let out = done.output().unwrap();
    assert_eq!(out["outcome"], "approved");
    assert_eq!(out["approval"], json!({ "approved": true, "by": "ana" }));
    assert_eq!(done.duration(), Duration::from_secs(2 * 3600));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 52)]
async fn reviewer_rejects_through_sqs(h: Harness) {
    let queue = h.create_queue("approvals").await?;
    let machine = h.create_state_machine("approval", APPROVAL).await?;
    h.on_task("RequestApproval")
        .respond_with(Reply::fail("Rejected", "over budget").after(Duration::from_secs(600)))
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "queueUrl": queue, "request": { "expense": 9000 } }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    let out = done.output().unwrap();
    assert_eq!(out["outcome"], "rejected");
    assert_eq!(
        out["error"],
        json!({ "Error": "Rejected", "Cause": "over budget" })
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 53)]
async fn a_silent_reviewer_is_escalated_after_the_heartbeat_timeout(h: Harness) {
    let queue = h.create_queue("approvals").await?;
    let machine = h.create_state_machine("approval", APPROVAL).await?;
    h.on_task("RequestApproval")
        .respond_with(Reply::silent())
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "queueUrl": queue, "request": { "expense": 75 } }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    let out = done.output().unwrap();
    assert_eq!(out["outcome"], "escalated");
    assert_eq!(out["error"]["Error"], "States.Timeout");
    // HeartbeatSeconds is 3600: one hour of silence, long before the 24 h TimeoutSeconds.
    assert_eq!(done.duration(), Duration::from_secs(3600));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 54)]
async fn a_crashed_worker_gets_the_message_back_after_the_visibility_timeout(h: Harness) {
    let queue = h
        .sqs_client()
        .await
        .create_queue()
        .queue_name("jobs")
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
            "120",
        )
        .send()
        .await?
        .queue_url()
        .expect("a queue URL")
        .to_string();
    let machine = h
        .create_state_machine("job", one_state("Work", send_and_wait(&queue, json!({}))))
        .await?;
    let clock = h.clock().clone();
    let redelivered = Arc::new(Mutex::new(None));
    let seen = redelivered.clone();
    let worker = h
        .on_task("Work")
        .respond_with(Reply::crash())
        .then(Reply::with(move |task| {
            let count = task
                .message
                .as_ref()
                .and_then(|m| m.attribute("ApproximateReceiveCount"))
                .map(String::from);
            *seen.lock().unwrap() = Some((clock.now_ms(), count));
            Answer::Success(json!({ "done": task.input["input"]["job"] }))
        }))
        .expect(2)
        .mount()
        .await;

    let started = h.clock().now_ms();
    let done = machine.start(json!({ "job": 7 })).await?.finish().await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.output(), Some(&json!({ "done": 7 })));
    assert_eq!(worker.deliveries(), 2);
    // The message came back once its 120 s visibility timeout passed, received a second time.
    let (at, count) = redelivered
        .lock()
        .unwrap()
        .clone()
        .expect("a second delivery");
    assert_eq!(at - started, 120_000);
    assert_eq!(count.as_deref(), Some("2"));
    assert_eq!(done.duration(), Duration::from_secs(120));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 55)]
async fn a_worker_reads_the_message_attributes(h: Harness) {
    let queue = h.create_queue("tickets").await?;
    let task = send_and_wait(
        &queue,
        json!({ "MessageAttributes": {
            "priority": { "DataType": "String", "StringValue.$": "$.priority" }
        } }),
    );
    let machine = h
        .create_state_machine("ticket", one_state("Triage", task))
        .await?;
    h.on_task("Triage")
        .respond_with(Reply::with(|task| {
            let priority = task
                .message
                .as_ref()
                .and_then(|m| m.message_attributes.get("priority"))
                .and_then(|a| a.string_value.clone());
            Answer::Success(json!({ "queue": priority }))
        }))
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "priority": "urgent", "text": "printer on fire" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.output(), Some(&json!({ "queue": "urgent" })));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 56)]
async fn a_fifo_queue_carries_the_group_and_sequence(h: Harness) {
    let queue = h.create_queue("orders.fifo").await?;
    let task = send_and_wait(
        &queue,
        json!({
            "MessageGroupId.$": "$.customer",
            "MessageDeduplicationId.$": "$$.Execution.Name"
        }),
    );
    let machine = h
        .create_state_machine("fifo", one_state("Fulfil", task))
        .await?;
    h.on_task("Fulfil")
        .respond_with(Reply::with(|task| {
            let m = task.message.as_ref();
            let attr = |name| m.and_then(|m| m.attribute(name)).map(String::from);
            Answer::Success(json!({
                "group": attr("MessageGroupId"),
                "sequence": attr("SequenceNumber")
            }))
        }))
        .expect(2)
        .mount()
        .await;

    let first = machine
        .start(json!({ "customer": "c-1" }))
        .await?
        .finish()
        .await?;
    let second = machine
        .start(json!({ "customer": "c-1" }))
        .await?
        .finish()
        .await?;

    let seq = |d: &Finished| {
        let out = d.output().unwrap();
        assert_eq!(out["group"], "c-1");
        out["sequence"].as_str().unwrap().parse::<u128>().unwrap()
    };
    assert!(seq(&first) < seq(&second), "sequence numbers grow");
    insta::assert_json_snapshot!(first.history());
}

#[sfn_harness::test(seed = 59)]
async fn a_fifo_group_is_worked_one_message_at_a_time(h: Harness) {
    let queue = h.create_queue("orders.fifo").await?;
    let task = send_and_wait(
        &queue,
        json!({ "MessageGroupId": "c-1", "MessageDeduplicationId.$": "$$.Execution.Name" }),
    );
    let machine = h
        .create_state_machine("fifo", one_state("Fulfil", task))
        .await?;
    h.on_task("Fulfil")
        // 20 s of work, well within the queue's 30 s visibility timeout.
        .respond_with(Reply::respond(json!({ "ok": true })).after(Duration::from_secs(20)))
        .expect(2)
        .mount()
        .await;

    // Both messages are sent at once, but SQS hands out no more of a group while one of its
    // messages is in flight: one is received only after the other is deleted. (Which goes
    // first is up to the two executions, as on AWS.)
    let a = machine.start(json!({ "n": 1 })).await?;
    let b = machine.start(json!({ "n": 2 })).await?;

    let mut took = [a.finish().await?.duration(), b.finish().await?.duration()];
    took.sort();
    assert_eq!(took, [Duration::from_secs(20), Duration::from_secs(40)]);
}

#[sfn_harness::test(seed = 57)]
async fn on_queue_gives_each_queue_its_own_worker(h: Harness) {
    let email = h.create_queue("email").await?;
    let sms = h.create_queue("sms").await?;
    let mut task = send_and_wait("", json!({}));
    task["Parameters"]["QueueUrl.$"] = json!("$.queue");
    if let Some(p) = task["Parameters"].as_object_mut() {
        p.remove("QueueUrl");
    }
    let machine = h
        .create_state_machine("notify", one_state("Notify", task))
        .await?;
    h.on_task("Notify")
        .on_queue("email")
        .respond(json!({ "sent": "email" }))
        .expect(1)
        .mount()
        .await;
    h.on_task("Notify")
        .on_queue(&sms)
        .respond(json!({ "sent": "sms" }))
        .expect(1)
        .mount()
        .await;

    let by_email = machine
        .start(json!({ "queue": email }))
        .await?
        .finish()
        .await?;
    let by_sms = machine
        .start(json!({ "queue": sms }))
        .await?
        .finish()
        .await?;

    assert_eq!(by_email.output(), Some(&json!({ "sent": "email" })));
    assert_eq!(by_sms.output(), Some(&json!({ "sent": "sms" })));
}

#[sfn_harness::test(seed = 58)]
async fn when_sees_the_message_body(h: Harness) {
    let queue = h.create_queue("payments").await?;
    let machine = h
        .create_state_machine("pay", one_state("Pay", send_and_wait(&queue, json!({}))))
        .await?;
    h.on_task("Pay")
        .when(|body| body["input"]["currency"] == "EUR")
        .respond(json!({ "via": "sepa" }))
        .expect(1)
        .mount()
        .await;
    h.on_task("Pay")
        .respond(json!({ "via": "card" }))
        .expect(1)
        .mount()
        .await;

    let eur = machine
        .start(json!({ "currency": "EUR" }))
        .await?
        .finish()
        .await?;
    let usd = machine
        .start(json!({ "currency": "USD" }))
        .await?
        .finish()
        .await?;

    assert_eq!(eur.output(), Some(&json!({ "via": "sepa" })));
    assert_eq!(usd.output(), Some(&json!({ "via": "card" })));
}

#[sfn_harness::test(seed = 60)]
async fn a_real_sdk_worker_answers_through_the_endpoint(h: Harness) {
    let sqs = h.sqs_client().await;
    let sfn = h.sfn_client().await;
    let queue = h.create_queue("jobs").await?;
    let mut task = send_and_wait(&queue, json!({}));
    task["TimeoutSeconds"] = json!(60);
    let machine = h
        .create_state_machine("job", one_state("Work", task))
        .await?;

    // A worker as a service would run it, started just now: its first ReceiveMessage may not
    // have reached the endpoint when the execution sends its message, yet the 60 s timeout
    // must not fire before it had its chance.
    let url = queue.clone();
    let worker = tokio::spawn(async move {
        loop {
            let got = sqs
                .receive_message()
                .queue_url(&url)
                .wait_time_seconds(20)
                .send()
                .await?;
            for m in got.messages() {
                let body: Value = serde_json::from_str(m.body().unwrap_or_default())?;
                let token = body["taskToken"].as_str().unwrap_or_default();
                sfn.send_task_success()
                    .task_token(token)
                    .output(
                        json!({ "doubled": body["input"]["n"].as_i64().map(|n| n * 2) })
                            .to_string(),
                    )
                    .send()
                    .await?;
                sqs.delete_message()
                    .queue_url(&url)
                    .receipt_handle(m.receipt_handle().unwrap_or_default())
                    .send()
                    .await?;
            }
        }
        #[allow(unreachable_code)]
        Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    });

    let done = machine.start(json!({ "n": 21 })).await?.finish().await?;
    worker.abort();

    assert_eq!(done.status(), Status::Succeeded, "{}", done.timeline());
    assert_eq!(done.output(), Some(&json!({ "doubled": 42 })));
    assert_eq!(done.duration(), Duration::ZERO);
}
