//! A worker written as a user writes it, against the harness's endpoint through the real SDK
//! clients: long-poll SQS, parse the message, decide, call SendTaskSuccess or SendTaskFailure,
//! delete the message. It drives 100 concurrent callback executions to completion.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{json, Value};

use super::support::{sqs_callback_machine, Decision, Delivery, Handled, RealWorker};

const EXECUTIONS: usize = 100;
const WORKERS: usize = 4;
/// Orders above this amount are refused by the worker.
const LIMIT: u64 = 1000;

fn machine(queue_url: &str) -> Value {
    let body = json!({ "TaskToken.$": "$$.Task.Token", "Order.$": "$" });
    sqs_callback_machine("Approve", queue_url, body, 3600)
}

/// The worker's decision: what an application's worker does, nothing harness-specific in it.
fn decide(message: &Delivery) -> Decision {
    let order = &message.body["Order"];
    let amount = order["amount"].as_u64().expect("an amount");
    if amount <= LIMIT {
        Decision::Succeed(json!({ "approved": true, "id": order["id"] }))
    } else {
        Decision::Fail(
            "OrderTooLarge".into(),
            format!("{amount} is over the limit of {LIMIT}"),
        )
    }
}

#[sfn_harness::test(seed = 100)]
async fn workers_drive_a_hundred_callback_executions(h: Harness) {
    let sfn = h.sfn_client().await;
    let sqs = h.sqs_client().await;
    let queue_url = sqs
        .create_queue()
        .queue_name("approvals")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let machine_arn = sfn
        .create_state_machine()
        .name("approve-orders")
        .definition(machine(&queue_url).to_string())
        .role_arn("arn:aws:iam::123456789012:role/sfn")
        .send()
        .await
        .unwrap()
        .state_machine_arn;

    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            // Answers refused because the task had already been answered are redeliveries (SQS
            // delivers at least once); any other refusal is a bug in the endpoint.
            let worker = RealWorker::new(sqs.clone(), sfn.clone(), &queue_url)
                .batch(10)
                .wait_seconds(20)
                .refusals_allowed(&["TaskTimedOut"]);
            let stop = stop.clone();
            tokio::spawn(async move { worker.run_until(stop, decide).await })
        })
        .collect();

    // 100 executions started at once; every other one is over the limit.
    let mut starts = tokio::task::JoinSet::new();
    for i in 0..EXECUTIONS as u64 {
        let sfn = sfn.clone();
        let machine_arn = machine_arn.clone();
        starts.spawn(async move {
            let amount = if i % 2 == 0 { 10 * i } else { LIMIT + i };
            let arn = sfn
                .start_execution()
                .state_machine_arn(machine_arn)
                .name(format!("order-{i:03}"))
                .input(json!({ "id": i, "amount": amount }).to_string())
                .send()
                .await
                .expect("StartExecution")
                .execution_arn;
            (i, amount, arn)
        });
    }
    let mut started = starts.join_all().await;
    started.sort();
    assert_eq!(started.len(), EXECUTIONS);

    // Wait (bounded) until none is running.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let running = sfn
            .list_executions()
            .state_machine_arn(&machine_arn)
            .status_filter(ExecutionStatus::Running)
            .max_results(1000)
            .send()
            .await
            .unwrap()
            .executions;
        if running.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "after 30 s of wall time {} executions are still RUNNING, e.g. {}",
            running.len(),
            running[0].execution_arn
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Stop the workers. A worker in a long poll returns when its 20 s are over on the harness
    // clock, which `run_until` skips forward while everything else is idle.
    stop.store(true, Ordering::SeqCst);
    let joined = tokio::time::timeout(
        Duration::from_secs(10),
        h.clock().run_until(futures_util::future::join_all(workers)),
    )
    .await
    .expect("the workers did not stop within 10 s of wall time after their last long poll");
    let mut total = Handled::default();
    for t in joined {
        total.add(t.expect("a worker panicked"));
    }
    assert_eq!(total.succeeded + total.failed, EXECUTIONS, "{total:?}");
    assert_eq!(total.failed, EXECUTIONS / 2, "{total:?}");

    for (i, amount, arn) in &started {
        let approved = *amount <= LIMIT;
        let d = sfn
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
            .unwrap();
        let history = sfn
            .get_execution_history()
            .execution_arn(arn)
            .send()
            .await
            .unwrap()
            .events;
        let types: Vec<&HistoryEventType> = history.iter().map(|e| &e.r#type).collect();
        let submitted = types
            .iter()
            .position(|t| **t == HistoryEventType::TaskSubmitted)
            .unwrap_or_else(|| panic!("no TaskSubmitted in the history of {arn}: {types:?}"));
        let (expected, unexpected) = if approved {
            (
                HistoryEventType::TaskSucceeded,
                HistoryEventType::TaskFailed,
            )
        } else {
            (
                HistoryEventType::TaskFailed,
                HistoryEventType::TaskSucceeded,
            )
        };
        let answered = types
            .iter()
            .position(|t| **t == expected)
            .unwrap_or_else(|| panic!("no {expected:?} in the history of {arn}: {types:?}"));
        assert!(submitted < answered, "{arn}: {types:?}");
        assert!(!types.contains(&&unexpected), "{arn}: {types:?}");
        assert_eq!(
            types.iter().filter(|t| ***t == expected).count(),
            1,
            "{arn}: {types:?}"
        );
        // TaskSubmitted carries what SQS answered to the integration's SendMessage.
        let sub = history[submitted].task_submitted_event_details().unwrap();
        assert_eq!(
            (sub.resource_type.as_str(), sub.resource.as_str()),
            ("sqs", "sendMessage.waitForTaskToken")
        );
        let sent: Value = serde_json::from_str(sub.output().unwrap()).unwrap();
        assert!(sent["MessageId"].is_string(), "{sent}");

        if approved {
            assert_eq!(d.status, ExecutionStatus::Succeeded, "{arn}");
            let out: Value = serde_json::from_str(d.output().unwrap()).unwrap();
            assert_eq!(out, json!({ "approved": true, "id": i }));
            let ev = history[answered].task_succeeded_event_details().unwrap();
            assert_eq!(
                serde_json::from_str::<Value>(ev.output().unwrap()).unwrap(),
                out
            );
        } else {
            assert_eq!(d.status, ExecutionStatus::Failed, "{arn}");
            assert_eq!(d.error(), Some("OrderTooLarge"));
            let ev = history[answered].task_failed_event_details().unwrap();
            assert_eq!(ev.error(), Some("OrderTooLarge"));
            assert_eq!(
                ev.cause(),
                Some(format!("{amount} is over the limit of {LIMIT}").as_str())
            );
        }
    }

    // Every message was deleted: nothing waits and nothing is in flight.
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let attr = |name: QueueAttributeName| {
        attrs
            .attributes()
            .and_then(|a| a.get(&name))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(attr(QueueAttributeName::ApproximateNumberOfMessages), "0");
    assert_eq!(
        attr(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        "0"
    );
    assert_eq!(
        attr(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
        "0"
    );
    assert!(h.open_tokens().is_empty(), "{:?}", h.open_tokens());
}

/// The worker's own typed error: its queue is gone.
#[sfn_harness::test(seed = 101)]
async fn polling_a_deleted_queue_is_queue_does_not_exist(h: Harness) {
    let sqs = h.sqs_client().await;
    let url = h.create_queue("gone").await.unwrap();
    sqs.delete_queue().queue_url(&url).send().await.unwrap();
    let err = sqs
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(20)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_queue_does_not_exist(), "{err:?}");
}

/// The harness serves its endpoint from a thread of its own, so a test whose runtime has one
/// thread (`#[tokio::test]`'s default) can block that thread, on a synchronous worker say,
/// and the endpoint still answers. Bounded: the worker's socket gives up after 10 s.
#[tokio::test]
async fn the_endpoint_answers_while_the_tests_only_thread_is_blocked() {
    let h = sfn_harness::Harness::start().await;
    let url = h.endpoint_url().to_string();
    let worker = std::thread::spawn(move || {
        super::support::raw_json_call(
            &url,
            "AWSStepFunctions.ListStateMachines",
            "{}",
            Duration::from_secs(10),
        )
    });
    // Joined without an await: the test's one runtime thread is blocked until the worker ends.
    let reply = worker
        .join()
        .expect("the worker thread")
        .expect("an answer within 10 s while the test's thread was blocked");
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(reply.body.contains(r#""stateMachines":[]"#), "{reply:?}");
}
