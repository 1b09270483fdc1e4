//! Fault injection: every fault, with the failure it injects and the outcome a workflow meets.

use std::time::Duration;

use aws_sdk_sfn::error::ProvideErrorMetadata;
use serde_json::{json, Value};
use sfn_harness::prelude::*;

use super::support::{sqs_callback_machine, Decision, Delivery, Handled, RealWorker};

/// A machine whose one Task sends its token through SQS and waits (`timeout` seconds).
fn callback_machine(queue_url: &str, timeout: u64) -> Value {
    let body = json!({ "TaskToken.$": "$$.Task.Token", "input.$": "$" });
    sqs_callback_machine("Work", queue_url, body, timeout)
}

async fn setup(h: &Harness, timeout: u64) -> (Machine, String) {
    let url = h.create_queue("jobs").await.unwrap();
    let m = h
        .create_state_machine("work", callback_machine(&url, timeout))
        .await
        .unwrap();
    (m, url)
}

/// A worker as a user writes it: long-poll, answer with the input echoed, delete. Handles
/// `n` messages, then returns what happened.
async fn real_worker(h: &Harness, queue: &str, n: usize) -> Handled {
    let echo = |m: &Delivery| Decision::Succeed(json!({ "echo": m.body["input"] }));
    RealWorker::of(h, queue).await.handle(n, echo).await
}

#[sfn_harness::test(seed = 1)]
async fn throttled_send_task_success_is_retried_by_the_sdk_and_completes(h: Harness) {
    let (m, url) = setup(&h, 3600).await;
    let throttle = h.inject(Fault::throttle("SendTaskSuccess").times(2).expect(2))?;
    let exec = m.start(json!({ "n": 1 })).await?;
    let handled = real_worker(&h, &url, 1).await;
    let done = exec.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.output(), Some(&json!({ "echo": { "n": 1 } })));
    // The SDK's standard retries (3 attempts) absorbed both throttles.
    assert_eq!((handled.answered(), handled.refused.len()), (1, 0));
    assert_eq!(throttle.injected(), 2);
    let report = h.fault_report();
    assert_eq!(report.count("ThrottlingException (400)"), 2, "{report}");
    for f in &report {
        assert_eq!(
            f.operation.as_deref(),
            Some("AWSStepFunctions.SendTaskSuccess")
        );
        assert_eq!(f.state.as_deref(), Some("Work"));
        assert_eq!(f.execution_arn.as_deref(), Some(done.arn()));
    }
}

#[sfn_harness::test(seed = 1)]
async fn throttles_have_each_services_error_shape(h: Harness) {
    h.inject(Fault::throttle("ListStateMachines"))?;
    h.inject(Fault::throttle("AmazonSQS.ListQueues"))?;
    let no_retry = aws_sdk_sfn::config::retry::RetryConfig::disabled();
    let sfn = aws_sdk_sfn::Client::from_conf(
        h.sfn_client()
            .await
            .config()
            .to_builder()
            .retry_config(no_retry.clone())
            .build(),
    );
    let sqs = aws_sdk_sqs::Client::from_conf(
        h.sqs_client()
            .await
            .config()
            .to_builder()
            .retry_config(no_retry)
            .build(),
    );
    let e = sfn.list_state_machines().send().await.unwrap_err();
    assert_eq!(e.code(), Some("ThrottlingException"));
    assert_eq!(e.message(), Some("Rate exceeded"));
    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(400));
    let e = sqs.list_queues().send().await.unwrap_err();
    // SQS's own throttling error, from the x-amzn-query-error header.
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&e),
        Some("RequestThrottled")
    );
    assert_eq!(h.fault_report().len(), 2);
}

#[sfn_harness::test(seed = 1)]
async fn unavailable_and_internal_errors_are_retried_by_the_sdk(h: Harness) {
    let m = h
        .create_state_machine(
            "pass",
            json!({ "StartAt": "P", "States": { "P": { "Type": "Pass", "End": true } } }),
        )
        .await?;
    h.inject(
        Fault::api_error("StartExecution", "ServiceUnavailable", 503)
            .times(1)
            .expect(1),
    )?;
    h.inject(
        Fault::api_error("StartExecution", "InternalServerError", 500)
            .times(1)
            .expect(1),
    )?;
    let sfn = h.sfn_client().await;
    let out = sfn
        .start_execution()
        .state_machine_arn(m.arn())
        .name("once")
        .send()
        .await?;
    let done = h.execution(out.execution_arn())?.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    let actions: Vec<String> = h.fault_report().iter().map(|f| f.action.clone()).collect();
    assert_eq!(
        actions,
        ["ServiceUnavailable (503)", "InternalServerError (500)"]
    );
    // Three attempts, one execution.
    let listed = sfn
        .list_executions()
        .state_machine_arn(m.arn())
        .send()
        .await?;
    assert_eq!(listed.executions().len(), 1);
}

#[sfn_harness::test(seed = 1)]
async fn any_named_error_with_its_status_and_message(h: Harness) {
    h.inject(
        Fault::api_error("DescribeExecution", "KmsThrottlingException", 400)
            .message("KMS is busy")
            .times(1),
    )?;
    let sfn = h.sfn_client().await;
    let e = sfn
        .describe_execution()
        .execution_arn("arn:aws:states:us-east-1:123456789012:execution:m:e")
        .send()
        .await
        .unwrap_err();
    // Not a throttling code the SDK retries, so the client sees it as the service's typed error.
    assert!(e
        .as_service_error()
        .is_some_and(|s| s.code() == Some("KmsThrottlingException")));
    assert_eq!(e.message(), Some("KMS is busy"));
    // Once only: the next call reaches the service.
    let e = sfn
        .describe_execution()
        .execution_arn("arn:aws:states:us-east-1:123456789012:execution:m:e")
        .send()
        .await
        .unwrap_err();
    assert!(e
        .as_service_error()
        .is_some_and(|s| s.is_execution_does_not_exist()));
}

#[sfn_harness::test(seed = 1)]
async fn latency_is_wall_time_that_client_timeouts_see_and_virtual_time_ignores(h: Harness) {
    h.inject(Fault::latency("ListQueues", Duration::from_secs(3)).times(1))?;
    let impatient = aws_sdk_sqs::Client::from_conf(
        h.sqs_client()
            .await
            .config()
            .to_builder()
            .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled())
            .timeout_config(
                aws_sdk_sqs::config::timeout::TimeoutConfig::builder()
                    .operation_attempt_timeout(Duration::from_millis(200))
                    .build(),
            )
            .build(),
    );
    let before = h.clock().now_ms();
    let e = impatient.list_queues().send().await.unwrap_err();
    assert!(
        matches!(e, aws_sdk_sqs::error::SdkError::TimeoutError(_)),
        "expected the client's attempt timeout, got {e:?}"
    );
    assert_eq!(
        h.clock().now_ms(),
        before,
        "a request in flight holds virtual time"
    );
    assert_eq!(
        h.fault_report().iter().next().map(|f| f.action.as_str()),
        Some("latency 3s")
    );
    // The fault was for one call: the next one is prompt.
    impatient.list_queues().send().await?;
}

#[sfn_harness::test(seed = 1)]
async fn a_dropped_connection_is_retried_by_the_sdk(h: Harness) {
    let (m, url) = setup(&h, 3600).await;
    h.inject(Fault::drop_connection("SendTaskSuccess").times(1).expect(1))?;
    let exec = m.start(json!({})).await?;
    let handled = real_worker(&h, &url, 1).await;
    assert_eq!((handled.answered(), handled.refused.len()), (1, 0));
    let done = exec.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(h.fault_report().count("connection dropped"), 1);
    // Without retries, the client sees the transport failure.
    h.inject(Fault::drop_connection("ListStateMachines").times(1))?;
    let sfn = aws_sdk_sfn::Client::from_conf(
        h.sfn_client()
            .await
            .config()
            .to_builder()
            .retry_config(aws_sdk_sfn::config::retry::RetryConfig::disabled())
            .build(),
    );
    let e = sfn.list_state_machines().send().await.unwrap_err();
    assert!(
        matches!(e, aws_sdk_sfn::error::SdkError::DispatchFailure(_)),
        "expected a dispatch failure, got {e:?}"
    );
}

#[sfn_harness::test(seed = 1)]
async fn a_lost_response_makes_the_retry_meet_task_timed_out(h: Harness) {
    let (m, url) = setup(&h, 3600).await;
    h.inject(Fault::lose_response("SendTaskSuccess").times(1).expect(1))?;
    let exec = m.start(json!({ "n": 7 })).await?;
    let handled = real_worker(&h, &url, 1).await;
    // The first attempt took effect; the SDK retried it and AWS refuses a second answer.
    assert_eq!(handled.refused, ["TaskTimedOut"]);
    let done = exec.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.output(), Some(&json!({ "echo": { "n": 7 } })));
    let t = done.history().types();
    assert_eq!(
        t.iter().filter(|t| **t == "TaskSucceeded").count(),
        1,
        "{t:?}"
    );
    assert!(h
        .fault_report()
        .iter()
        .next()
        .unwrap()
        .action
        .starts_with("response lost"));
}

#[sfn_harness::test(seed = 1)]
async fn faults_narrow_to_a_state_and_a_predicate(h: Harness) {
    let url = h.create_queue("jobs").await?;
    let step = |next: Option<&str>| {
        let mut s = json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": { "QueueUrl": url, "MessageBody": { "TaskToken.$": "$$.Task.Token", "input.$": "$" } },
            "TimeoutSeconds": 3600
        });
        match next {
            Some(n) => s["Next"] = json!(n),
            None => s["End"] = json!(true),
        }
        s
    };
    let m = h
        .create_state_machine(
            "two",
            json!({ "StartAt": "A", "States": { "A": step(Some("B")), "B": step(None) } }),
        )
        .await?;
    h.inject(
        Fault::throttle("SendTaskSuccess")
            .for_state("B")
            .times(1)
            .expect(1),
    )?;
    h.inject(
        Fault::api_error("SendTaskSuccess", "ServiceUnavailable", 503)
            .when(|e| {
                e.request["output"]
                    .as_str()
                    .is_some_and(|o| o.contains("never"))
            })
            .expect(0),
    )?;
    let exec = m.start(json!({})).await?;
    real_worker(&h, &url, 2).await;
    let done = exec.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    let report = h.fault_report();
    assert_eq!(report.len(), 1);
    assert_eq!(report.iter().next().unwrap().state.as_deref(), Some("B"));
}

#[sfn_harness::test]
async fn an_operation_the_endpoint_does_not_serve_is_refused(h: Harness) {
    let e = h.inject(Fault::throttle("SendTaskSucess")).unwrap_err();
    assert!(
        e.to_string().contains("no operation 'SendTaskSucess'")
            && e.to_string().contains("did you mean SendTaskSuccess"),
        "{e}"
    );
    assert!(h
        .inject(Fault::throttle("AmazonSQS.SendTaskSuccess"))
        .is_err());
    assert!(h.inject(Fault::throttle("AmazonSQS.*")).is_ok());
    assert!(h.inject(Fault::throttle("*")).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Delivery faults

fn events_of<'a>(done: &'a Finished, ty: &'a str) -> impl Iterator<Item = Value> + 'a {
    done.history()
        .events()
        .iter()
        .filter(move |e| e.event_type == ty)
        .map(|e| serde_json::to_value(e).unwrap())
}

#[sfn_harness::test(seed = 2)]
async fn a_duplicate_delivery_is_answered_twice_and_the_second_answer_refused(h: Harness) {
    let (m, url) = setup(&h, 3600).await;
    h.inject(Fault::duplicate_delivery().on_queue("jobs").expect(1))?;
    let worker = h
        .on_task("Work")
        .respond(json!({ "ok": true }))
        .expect(2)
        .mount()
        .await;
    let done = m.start(json!({})).await?.finish().await?;
    h.clock().settle().await;
    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(events_of(&done, "TaskSucceeded").count(), 1);
    let log = worker.log();
    assert_eq!(worker.deliveries(), 2, "{log:?}");
    assert!(log[1].ends_with("refused: TaskTimedOut"), "{log:?}");
    // Both copies were consumed: nothing is left in flight.
    let attrs = h
        .sqs_client()
        .await
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await?;
    let n = |k| attrs.attributes().and_then(|a| a.get(&k)).cloned();
    use aws_sdk_sqs::types::QueueAttributeName as A;
    assert_eq!(n(A::ApproximateNumberOfMessages).as_deref(), Some("0"));
    assert_eq!(
        n(A::ApproximateNumberOfMessagesNotVisible).as_deref(),
        Some("0")
    );
}

#[sfn_harness::test(seed = 2)]
async fn a_real_worker_sees_one_message_id_twice(h: Harness) {
    let (m, url) = setup(&h, 3600).await;
    h.inject(Fault::duplicate_delivery().times(1))?;
    let exec = m.start(json!({})).await?;
    let sqs = h.sqs_client().await;
    let got = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .send()
        .await?;
    let ids: Vec<_> = got
        .messages()
        .iter()
        .map(|m| m.message_id().unwrap())
        .collect();
    let handles: Vec<_> = got
        .messages()
        .iter()
        .map(|m| m.receipt_handle().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1], "one message, delivered twice");
    assert_ne!(
        handles[0], handles[1],
        "each delivery has its own receipt handle"
    );
    let sfn = h.sfn_client().await;
    let token = |i: usize| -> String {
        let b: Value = serde_json::from_str(got.messages()[i].body().unwrap()).unwrap();
        b["TaskToken"].as_str().unwrap().to_string()
    };
    sfn.send_task_success()
        .task_token(token(0))
        .output("1")
        .send()
        .await?;
    let second = sfn
        .send_task_success()
        .task_token(token(1))
        .output("2")
        .send()
        .await;
    assert!(second
        .unwrap_err()
        .as_service_error()
        .is_some_and(|e| e.is_task_timed_out()));
    let done = exec.finish().await?;
    assert_eq!(done.output(), Some(&json!(1)));
}

#[sfn_harness::test(seed = 2)]
async fn a_delayed_delivery_reaches_the_worker_later_on_the_harness_clock(h: Harness) {
    let (m, _) = setup(&h, 3600).await;
    h.inject(Fault::delay_delivery(Duration::from_secs(30)).expect(1))?;
    h.on_task("Work").respond(json!({})).expect(1).mount().await;
    let done = m.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.duration(), Duration::from_secs(30));
}

async fn receive_order(seed: u64, reorder: bool) -> Vec<String> {
    let h = Harness::builder().seed(seed).start().await;
    let url = h.create_queue("jobs").await.unwrap();
    if reorder {
        h.inject(Fault::reorder_deliveries().on_queue("jobs"))
            .unwrap();
    }
    let sqs = h.sqs_client().await;
    for i in 0..8 {
        sqs.send_message()
            .queue_url(&url)
            .message_body(i.to_string())
            .send()
            .await
            .unwrap();
    }
    let mut order = Vec::new();
    while order.len() < 8 {
        let got = sqs.receive_message().queue_url(&url).send().await.unwrap();
        for m in got.messages() {
            order.push(m.body().unwrap().to_string());
            sqs.delete_message()
                .queue_url(&url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
    order
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reordered_deliveries_are_a_seeded_shuffle_of_every_message() {
    let sent: Vec<String> = (0..8).map(|i| i.to_string()).collect();
    assert_eq!(
        receive_order(5, false).await,
        sent,
        "without the fault: send order"
    );
    let a = receive_order(5, true).await;
    assert_ne!(a, sent, "reordered");
    let mut sorted = a.clone();
    sorted.sort();
    assert_eq!(sorted, sent, "every message exactly once");
    assert_eq!(
        receive_order(5, true).await,
        a,
        "the same seed, the same order"
    );
}

#[sfn_harness::test(seed = 2)]
async fn a_lost_message_ends_in_states_timeout_with_the_history_saying_so(h: Harness) {
    let (m, _) = setup(&h, 60).await;
    h.inject(Fault::lose_message().for_state("Work").times(1).expect(1))?;
    let worker = h.on_task("Work").respond(json!({})).expect(0).mount().await;
    let done = m.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    let t = done.history().types();
    let at = t
        .iter()
        .position(|t| *t == "TaskSubmitted")
        .expect("submitted");
    assert_eq!(t[at + 1], "TaskTimedOut", "{t:?}");
    assert_eq!(done.duration(), Duration::from_secs(60));
    // The report names the very message the history says was sent.
    let submitted = done
        .aws_history()
        .into_iter()
        .find(|e| e.event_type == "TaskSubmitted")
        .unwrap();
    let output: Value = serde_json::from_str(
        submitted.details.as_ref().unwrap().1["output"]
            .as_str()
            .unwrap(),
    )?;
    let lost = h.fault_report();
    let lost = lost.iter().next().unwrap();
    assert_eq!(lost.action, "message lost");
    assert_eq!(lost.message_id.as_deref(), output["MessageId"].as_str());
    assert_eq!(worker.deliveries(), 0);
}

#[sfn_harness::test(seed = 2)]
async fn a_message_received_max_receive_count_times_moves_to_the_dead_letter_queue(h: Harness) {
    let sqs = h.sqs_client().await;
    let dlq = h.create_queue("jobs-dlq").await?;
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let url = sqs
        .create_queue()
        .queue_name("jobs")
        .attributes(A::VisibilityTimeout, "30")
        .attributes(
            A::RedrivePolicy,
            json!({ "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:jobs-dlq", "maxReceiveCount": 2 })
                .to_string(),
        )
        .send()
        .await?
        .queue_url()
        .unwrap()
        .to_string();
    let m = h
        .create_state_machine("work", callback_machine(&url, 3600))
        .await?;
    // A worker that takes the message and dies, every time.
    let worker = h
        .on_task("Work")
        .respond_with(Reply::crash())
        .expect(2)
        .mount()
        .await;
    let done = m.start(json!({})).await?.finish().await?;
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    assert_eq!(worker.deliveries(), 2, "{:?}", worker.log());
    let dead = sqs
        .receive_message()
        .queue_url(&dlq)
        .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
        .send()
        .await?;
    let msg = &dead.messages()[0];
    let attrs = msg.attributes().unwrap();
    use aws_sdk_sqs::types::MessageSystemAttributeName as S;
    assert_eq!(
        attrs.get(&S::DeadLetterQueueSourceArn).map(String::as_str),
        Some("arn:aws:sqs:us-east-1:123456789012:jobs")
    );
    assert!(msg.body().unwrap().contains("TaskToken"));
}

/// Lets the worker's late answer happen, and checks that AWS refused it.
async fn assert_answer_refused_late(h: &Harness, w: &sfn_harness::WorkerHandle) {
    h.clock().settle().await; // the worker answers as its timer fires
    assert!(
        w.log().iter().any(|l| l.ends_with("refused: TaskTimedOut")),
        "the worker's late answer was not refused: {:?}",
        w.log()
    );
}

// ---------------------------------------------------------------------------------------------
// Worker faults

#[sfn_harness::test(seed = 3)]
async fn an_answer_after_the_task_timeout_is_refused(h: Harness) {
    let (m, _) = setup(&h, 3600).await;
    let w = h
        .on_task("Work")
        .respond_with(Reply::respond(json!({})).after(Duration::from_secs(7200)))
        .mount()
        .await;
    let done = m.start(json!({})).await?.finish().await?;
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    assert_eq!(done.duration(), Duration::from_secs(3600));
    h.clock().advance(Duration::from_secs(3600)).await;
    assert_answer_refused_late(&h, &w).await;
}

#[sfn_harness::test(seed = 3)]
async fn invalid_and_oversize_output_are_refused_and_the_task_times_out(h: Harness) {
    let (m, _) = setup(&h, 600).await;
    let w = h
        .on_task("Work")
        .respond_with(Reply::raw_output("{not json"))
        .then(Reply::raw_output(format!(
            r#"{{"blob":"{}"}}"#,
            "x".repeat(300_000 - 11)
        )))
        .mount()
        .await;
    let first = m.start(json!({})).await?.finish().await?;
    let second = m.start(json!({})).await?.finish().await?;
    for done in [&first, &second] {
        assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    }
    let log = w.log();
    assert!(log[0].ends_with("refused: InvalidOutput"), "{log:?}");
    assert!(log[1].ends_with("refused: ValidationException"), "{log:?}");
}

#[sfn_harness::test(seed = 3)]
async fn a_worker_that_stops_heartbeating_part_way_meets_the_heartbeat_timeout(h: Harness) {
    let url = h.create_queue("jobs").await?;
    let mut def = callback_machine(&url, 3600);
    def["States"]["Work"]["HeartbeatSeconds"] = json!(60);
    let m = h.create_state_machine("work", def).await?;
    h.on_task("Work")
        .then(
            Reply::respond(json!({}))
                .after(Duration::from_secs(600))
                .heartbeat_every(Duration::from_secs(30))
                .stop_heartbeats_after(Duration::from_secs(120)),
        )
        .mount()
        .await;
    let done = m.start(json!({})).await?.finish().await?;
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    // Last heartbeat at 2 min, then 60 s of silence.
    assert_eq!(done.duration(), Duration::from_secs(180));
}

// ---------------------------------------------------------------------------------------------
// Time faults

#[sfn_harness::test(seed = 4)]
async fn a_clock_jump_while_a_scripted_worker_works_fires_the_timeout(h: Harness) {
    let (m, _) = setup(&h, 3600).await;
    h.inject(
        Fault::jump_clock(Duration::from_secs(7200))
            .for_state("Work")
            .times(1)
            .expect(1),
    )?;
    let w = h
        .on_task("Work")
        .respond_with(Reply::respond(json!({})).after(Duration::from_secs(60)))
        .mount()
        .await;
    let done = m.start(json!({})).await?.finish().await?;
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    // The timeout fired at its own instant on the way, not at the end of the jump.
    assert_eq!(done.duration(), Duration::from_secs(3600));
    h.clock().advance(Duration::from_secs(120)).await;
    assert_answer_refused_late(&h, &w).await;
    let jump = h.fault_report();
    let jump = jump.iter().next().unwrap();
    assert_eq!(
        (jump.action.as_str(), jump.state.as_deref()),
        ("clock jumped 7200s", Some("Work"))
    );
}

#[sfn_harness::test(seed = 4)]
async fn a_clock_jump_after_a_real_worker_receives_makes_its_answer_late(h: Harness) {
    let (m, url) = setup(&h, 3600).await;
    h.inject(
        Fault::jump_clock(Duration::from_secs(7200))
            .times(1)
            .expect(1),
    )?;
    let exec = m.start(json!({})).await?;
    let handled = real_worker(&h, &url, 1).await;
    assert_eq!(handled.refused, ["TaskTimedOut"]);
    let done = exec.finish().await?;
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
}

// ---------------------------------------------------------------------------------------------
// Plans, reports, expectations

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_files_in_fixtures_arm_their_faults() {
    let mut files: Vec<_> = std::fs::read_dir("fixtures/faults")
        .expect("fixtures/faults exists")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    for f in files {
        let plan = FaultPlan::from_file(&f).unwrap_or_else(|e| panic!("{e}"));
        let h = Harness::builder().seed(9).fault_plan(plan).start().await;
        let (m, url) = setup(&h, 3600).await;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        // A careful worker: it answers every message it receives (a refused answer is expected
        // after duplicates and lost responses) and polls again after a failed call.
        let worker = RealWorker::of(&h, &url).await.wait_seconds(20).careless();
        let answer = |_: &Delivery| Decision::Succeed(json!({}));
        let worker = tokio::spawn({
            let stop = stop.clone();
            async move { worker.run_until(stop, answer).await }
        });
        let done = m.start(json!({})).await.unwrap().finish().await.unwrap();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // The worker may be in a long poll: drive virtual time until it returns.
        let handled = tokio::time::timeout(Duration::from_secs(10), h.clock().run_until(worker))
            .await
            .unwrap_or_else(|_| panic!("{}: the worker did not stop within 10 s", f.display()))
            .unwrap();
        let lost = h.fault_report().count("message lost") > 0;
        match (lost, done.status()) {
            (false, Status::Succeeded) => {
                assert!(handled.answered() == 1, "{}: {handled:?}", f.display())
            }
            (true, Status::Failed) => assert_eq!(done.error().as_deref(), Some("States.Timeout")),
            other => panic!(
                "{}: unexpected {other:?}\n{}",
                f.display(),
                h.fault_report()
            ),
        }
        assert!(
            !h.fault_report().is_empty(),
            "{} injected nothing",
            f.display()
        );
        h.verify()
            .unwrap_or_else(|r| panic!("{}: {r}", f.display()));
    }
}

#[test]
fn bad_plans_are_refused_with_what_is_wrong() {
    let err = |text: &str| FaultPlan::from_json(text).unwrap_err().to_string();
    assert!(err(r#"{ "faults": [ { "kind": "explode" } ] }"#).contains("unknown kind 'explode'"));
    assert!(
        err(r#"{ "faults": [ { "kind": "throttle", "operation": "Nope" } ] }"#)
            .contains("no operation 'Nope'")
    );
    assert!(
        err(r#"{ "faults": [ { "kind": "lose_message", "operation": "SendMessage" } ] }"#)
            .contains("'operation' does not apply to kind 'lose_message'")
    );
    assert!(
        err(r#"{ "faults": [ { "kind": "lose_message", "probability": 2 } ] }"#)
            .contains("'probability' must be between 0 and 1")
    );
    assert!(
        err(r#"{ "faults": [ { "kind": "latency", "operation": "SendMessage" } ] }"#)
            .contains("'ms' is required")
    );
    assert!(
        err(r#"{ "faults": [ { "kind": "lose_message", "colour": "red" } ] }"#)
            .contains("unknown field `colour`")
    );
    assert!(err(
        r#"{ "faults": [ { "kind": "lose_message", "expect": { "min": 3, "max": 1 } } ] }"#
    )
    .contains("max 1 below min 3"));
    let missing = FaultPlan::from_file("fixtures/faults/does-not-exist.json").unwrap_err();
    assert!(
        missing.to_string().starts_with("cannot read fault plan"),
        "{missing}"
    );
}

/// `SFN_HARNESS_FAULTS_TEST_PLAN` is set for every cargo run of this repository by
/// `.cargo/config.toml` (`[env]`): setting a variable from inside a multi-threaded test process
/// is unsound (`std::env::set_var` is `unsafe` since Rust 2024).
#[test]
fn a_plan_can_come_from_the_environment() {
    assert!(FaultPlan::from_env("SFN_HARNESS_FAULTS_TEST_UNSET")
        .unwrap()
        .is_none());
    let plan = FaultPlan::from_env("SFN_HARNESS_FAULTS_TEST_PLAN")
        .unwrap()
        .expect("a plan: .cargo/config.toml sets SFN_HARNESS_FAULTS_TEST_PLAN");
    assert!(!plan.faults().is_empty());
}

#[sfn_harness::test(seed = 11)]
async fn the_report_lists_every_injection_for_snapshots(h: Harness) {
    let (m, url) = setup(&h, 3600).await;
    h.inject(
        Fault::throttle("SendTaskSuccess")
            .named("slow control plane")
            .times(1),
    )?;
    h.inject(Fault::duplicate_delivery().on_queue("jobs").times(1))?;
    let exec = m.start_named("order-1", json!({ "order": 1 })).await?;
    real_worker(&h, &url, 2).await;
    exec.finish().await?;
    let report = h.fault_report();
    insta::assert_json_snapshot!(report);
    insta::assert_snapshot!(report.to_string());
}

#[test]
#[should_panic(expected = "Expected injections: exactly 1")]
fn a_fault_that_never_fired_fails_the_test() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let h = Harness::start().await;
        h.inject(Fault::throttle("StartExecution").expect(1))
            .unwrap();
        let report = h.verify().unwrap_err();
        assert!(
            report.contains("fault 'throttle StartExecution'"),
            "{report}"
        );
        // Dropped here: the unmet expectation fails the test.
    });
}
