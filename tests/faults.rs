//! Fault injection: every fault, with the failure it injects and the outcome a workflow meets.

use std::time::Duration;

use aws_sdk_sfn::error::ProvideErrorMetadata;
use serde_json::{json, Value};
use sfn_harness::prelude::*;

/// A machine whose one Task sends its token through SQS and waits (1 h timeout).
fn callback_machine(queue_url: &str, timeout: u64) -> Value {
    json!({
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": queue_url,
                    "MessageBody": { "TaskToken.$": "$$.Task.Token", "input.$": "$" }
                },
                "TimeoutSeconds": timeout,
                "End": true
            }
        }
    })
}

async fn setup(h: &Harness, timeout: u64) -> (Machine, String) {
    let url = h.create_queue("jobs").await.unwrap();
    let m = h
        .create_state_machine("work", callback_machine(&url, timeout))
        .await
        .unwrap();
    (m, url)
}

/// What a real worker did with one message.
#[derive(Debug, Default, Clone)]
struct Handled {
    answered: u32,
    refused: Vec<String>,
}

/// A worker as a user writes it: long-poll, answer with the input echoed, delete. Handles
/// `n` messages, then returns what happened.
async fn real_worker(h: &Harness, queue: &str, n: usize) -> Handled {
    let (sqs, sfn) = (h.sqs_client().await, h.sfn_client().await);
    let mut handled = Handled::default();
    let mut seen = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while seen < n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker waited 20 s of wall time for message {} of {n}",
            seen + 1
        );
        let got = sqs
            .receive_message()
            .queue_url(queue)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        for m in got.messages() {
            seen += 1;
            let body: Value = serde_json::from_str(m.body().unwrap_or("{}")).unwrap();
            let token = body["TaskToken"].as_str().unwrap();
            let out = json!({ "echo": body["input"] }).to_string();
            match sfn
                .send_task_success()
                .task_token(token)
                .output(out)
                .send()
                .await
            {
                Ok(_) => handled.answered += 1,
                Err(e) => handled
                    .refused
                    .push(e.code().unwrap_or("<no code>").to_string()),
            }
            sqs.delete_message()
                .queue_url(queue)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .expect("delete");
        }
    }
    handled
}

fn types(done: &Finished) -> Vec<String> {
    done.aws_history()
        .iter()
        .map(|e| e.event_type.clone())
        .collect()
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
    assert_eq!((handled.answered, handled.refused.len()), (1, 0));
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
        Fault::service_unavailable("StartExecution")
            .times(1)
            .expect(1),
    )?;
    h.inject(Fault::internal_error("StartExecution").times(1).expect(1))?;
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
    assert_eq!(h.engine().executions(None, None).len(), 1);
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
    let before = h.now_ms();
    let e = impatient.list_queues().send().await.unwrap_err();
    assert!(
        matches!(e, aws_sdk_sqs::error::SdkError::TimeoutError(_)),
        "expected the client's attempt timeout, got {e:?}"
    );
    assert_eq!(h.now_ms(), before, "a request in flight holds virtual time");
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
    assert_eq!((handled.answered, handled.refused.len()), (1, 0));
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
    let t = types(&done);
    assert_eq!(
        t.iter().filter(|t| *t == "TaskSucceeded").count(),
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

#[test]
fn every_listed_operation_is_served() {
    // The operation lists faults are checked against must match what the APIs serve.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let h = Harness::start().await;
        let router = sfn_harness::server::Router::new(h.clock().clone())
            .with_sqs(h.sqs().clone())
            .with_service(
                "AWSStepFunctions",
                sfn_harness::server::sfn::SfnApi::new(h.engine().clone()),
            );
        for (prefix, ops) in [
            ("AWSStepFunctions", sfn_harness::server::sfn::SFN_OPERATIONS),
            ("AmazonSQS", sfn_harness::server::sqs_api::SQS_OPERATIONS),
        ] {
            for op in ops {
                let reply = router.handle(Some(&format!("{prefix}.{op}")), b"{}").await;
                let body = String::from_utf8_lossy(&reply.body);
                assert!(!body.contains("UnknownOperation"), "{prefix}.{op}: {body}");
            }
        }
    });
}
