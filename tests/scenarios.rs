//! Scenario tests written as users write them: a harness per test, scripted workers, and the
//! history asserted with `insta` snapshots (committed under `tests/snapshots/`).

use std::time::Duration;

use serde_json::json;
use sfn_harness::prelude::*;

const CREDIT: &str = include_str!("../fixtures/credit.asl.json");
const ORDER: &str = include_str!("../fixtures/order.asl.json");

#[sfn_harness::test(seed = 1)]
async fn approves_good_credit(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .respond_after(Duration::from_millis(250), json!({ "status": "approved" }))
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": "c-1" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.duration(), Duration::from_millis(250));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 2)]
async fn rejects_bad_credit(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .respond(json!({ "status": "declined" }))
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": "c-2" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("CreditRejected"));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 3)]
async fn worker_failure_fails_the_execution(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .fail("BureauDown", "the credit bureau is unreachable")
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": "c-3" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("BureauDown"));
    assert_eq!(
        done.cause().as_deref(),
        Some("the credit bureau is unreachable")
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 4)]
async fn silent_worker_times_out_after_an_hour(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit").silent().expect(1).mount().await;

    let done = machine
        .start(json!({ "customer": "c-4" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    assert_eq!(done.duration(), Duration::from_secs(3600));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 5)]
async fn order_waits_retries_and_ships_every_item(h: Harness) {
    let machine = h.create_state_machine("order", ORDER).await?;
    h.on_task("Charge")
        .fail("PaymentBusy", "try again")
        .then(Reply::fail("PaymentBusy", "try again"))
        .then(Reply::respond(json!({ "charged": 42 })))
        .expect(3)
        .mount()
        .await;
    h.on_task("ShipItem")
        .respond_with(|task| Answer::Success(json!({ "shipped": task.input["item"]["sku"] })))
        .after(Duration::from_secs(30))
        .expect(3)
        .mount()
        .await;

    let done = machine
        .start(json!({ "orderId": "o-42", "items": ["apple", "pear", "plum"] }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    let out = done.output().unwrap();
    assert_eq!(out["payment"], json!({ "charged": 42 }));
    assert_eq!(
        out["shipments"],
        json!([{ "shipped": "apple" }, { "shipped": "pear" }, { "shipped": "plum" }])
    );
    // 1 h wait + retries after 60 s and 120 s + two lanes of 30 s shipments (3 items => 60 s).
    assert_eq!(done.duration(), Duration::from_secs(3600 + 60 + 120 + 60));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 6)]
async fn payment_that_never_recovers_is_refunded(h: Harness) {
    let machine = h.create_state_machine("order", ORDER).await?;
    h.on_task("Charge")
        .fail("PaymentBusy", "still busy")
        .expect(4)
        .mount()
        .await;

    let done = machine
        .start(json!({ "orderId": "o-1", "items": [] }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.output().unwrap()["outcome"], "refunded");
    assert_eq!(
        done.output().unwrap()["error"],
        json!({ "Error": "PaymentBusy", "Cause": "still busy" })
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 7)]
async fn heartbeats_keep_a_slow_worker_alive(h: Harness) {
    let machine = h
        .create_state_machine(
            "slow",
            json!({
                "StartAt": "Crunch",
                "States": { "Crunch": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": { "token.$": "$$.Task.Token" },
                    "HeartbeatSeconds": 60,
                    "TimeoutSeconds": 7200,
                    "End": true } }
            }),
        )
        .await?;
    let worker = h
        .on_task("Crunch")
        .respond_after(Duration::from_secs(600), json!({ "done": true }))
        .heartbeat_every(Duration::from_secs(45))
        .expect(1)
        .mount()
        .await;

    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.duration(), Duration::from_secs(600));
    assert_eq!(
        worker
            .log()
            .iter()
            .filter(|l| l.contains("heartbeat"))
            .count(),
        13
    );
    // Heartbeats leave no events of their own: AWS records only the task's end, 10 min later.
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 8)]
async fn heartbeats_that_stop_end_in_heartbeat_timeout(h: Harness) {
    let machine = h
        .create_state_machine(
            "hang",
            json!({
                "StartAt": "Crunch",
                "States": { "Crunch": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": { "token.$": "$$.Task.Token" },
                    "HeartbeatSeconds": 60,
                    "End": true } }
            }),
        )
        .await?;
    h.on_task("Crunch")
        .then(
            Reply::respond(json!({}))
                .after(Duration::from_secs(3600))
                .heartbeat_every(Duration::from_secs(30))
                .stop_heartbeats_after(Duration::from_secs(300)),
        )
        .mount()
        .await;

    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    // Last heartbeat at 300 s, then 60 s of silence.
    assert_eq!(done.duration(), Duration::from_secs(360));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 9)]
async fn duplicate_answer_is_refused(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    let worker = h
        .on_task("CheckCredit")
        .respond(json!({ "status": "approved" }))
        .respond_twice()
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": "c-9" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    let succeeded = done
        .history()
        .types()
        .iter()
        .filter(|t| **t == "TaskSucceeded")
        .count();
    assert_eq!(succeeded, 1);
    assert!(
        worker
            .log()
            .iter()
            .any(|l| l.ends_with("refused: TaskTimedOut")),
        "the second answer is refused: {:?}",
        worker.log()
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 10)]
async fn stopped_while_waiting_for_a_token(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    let exec = machine.start(json!({ "customer": "c-10" })).await?;
    // No worker: the token waits. Stop the execution.
    h.advance(Duration::from_secs(5)).await;
    exec.stop(Some("Cancelled"), Some("customer withdrew"))
        .await?;

    let done = exec.finish().await?;
    assert_eq!(done.status(), Status::Aborted);
    assert!(h.open_tokens().is_empty(), "stopping closes the token");
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 11, timeout = 2)]
async fn an_unanswered_token_fails_finish_with_a_report(h: Harness) {
    let machine = h
        .create_state_machine(
            "forever",
            json!({
                "StartAt": "Ask",
                "States": { "Ask": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": { "token.$": "$$.Task.Token" },
                    "End": true } }
            }),
        )
        .await?;
    let exec = machine.start(json!({})).await?;
    let err = exec.finish().await.unwrap_err();
    let report = err.to_string();
    // Nothing can ever answer the token (no worker, no timer, no real client): `finish()` says
    // so at once rather than after its 2 s bound (issue 12).
    assert!(matches!(err, HarnessError::Stuck { .. }), "{report}");
    assert!(report.contains("can never finish"), "{report}");
    assert!(report.contains("state machine: forever"), "{report}");
    assert!(
        report.contains("task token for state 'Ask' is waiting"),
        "{report}"
    );
    exec.stop(None, None).await?;
}

#[test]
fn unmet_expectation_fails_the_test_with_a_report() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = rt.block_on(async {
        let h = Harness::start().await;
        h.on_task("Never")
            .named("the bureau")
            .respond(json!({}))
            .expect(1)
            .mount()
            .await;
        let report = h.verify().unwrap_err();
        // Dropping it would panic with the same report: catch that too.
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(h)));
        assert!(
            dropped.is_err(),
            "dropping a harness with unmet expectations panics"
        );
        report
    });
    assert!(
        report.contains("worker 'the bureau' (state 'Never')"),
        "{report}"
    );
    assert!(
        report.contains("Expected deliveries: exactly 1"),
        "{report}"
    );
    assert!(report.contains("Received: 0"), "{report}");
}

#[sfn_harness::test]
#[should_panic(expected = "bureau client exploded")]
async fn a_panicking_closure_fails_the_test_with_its_message(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .respond_with(|_| panic!("bureau client exploded"))
        .mount()
        .await;

    // `finish()` returns the panic as an error; `?` fails the test with it.
    machine
        .start(json!({ "customer": "c" }))
        .await?
        .finish()
        .await?;
}

#[sfn_harness::test]
async fn a_panicking_closure_is_reported_by_finish_and_verify(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .respond_with(|_| panic!("bureau client exploded"))
        .mount()
        .await;
    let exec = machine.start(json!({ "customer": "c" })).await?;

    let err = exec.finish().await.unwrap_err();
    assert!(matches!(err, HarnessError::WorkerPanicked(_)), "{err}");
    assert!(err.to_string().contains("bureau client exploded"), "{err}");
    let report = h.verify().unwrap_err();
    assert!(
        report.contains("worker for state 'CheckCredit' panicked: bureau client exploded"),
        "{report}"
    );
    exec.stop(None, None).await?;
    // The harness would fail this test on drop with the same report; this test expects it.
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(h)));
    assert!(dropped.is_err(), "dropping the harness reports the panic");
}

#[sfn_harness::test]
async fn invalid_definitions_list_every_problem(h: Harness) {
    let err = h
        .create_state_machine(
            "broken",
            json!({
                "StartAt": "Nowhere",
                "States": { "A": { "Type": "Pass", "Next": "Missing" } }
            }),
        )
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("MISSING_TRANSITION_TARGET at /StartAt"),
        "{msg}"
    );
    assert!(
        msg.contains("MISSING_TRANSITION_TARGET at /States/A/Next"),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_runs_give_byte_identical_snapshots() {
    /// One seeded run of an order (Wait, retries, a Map of callbacks) and of an approval sent
    /// through SQS (message ids, MD5s, request ids). Returns the normalized history as insta
    /// snapshots it and the raw history as `GetExecutionHistory` returns it.
    async fn run(seed: u64) -> (String, String) {
        let h = Harness::builder().seed(seed).start().await;
        let order = h.create_state_machine("order", ORDER).await.unwrap();
        let approval = h
            .create_state_machine("approval", include_str!("../fixtures/approval.asl.json"))
            .await
            .unwrap();
        let queue = h.create_queue("approvals").await.unwrap();
        h.on_task("Charge")
            .fail("PaymentBusy", "busy")
            .then(Reply::respond(json!({ "ok": true })))
            .mount()
            .await;
        h.on_task("ShipItem")
            .respond_after(Duration::from_secs(5), json!({ "ok": true }))
            .mount()
            .await;
        h.on_task("RequestApproval")
            .respond_after(Duration::from_secs(90), json!({ "approved": true }))
            .mount()
            .await;
        let mut normalized = Vec::new();
        let mut raw = Vec::new();
        for (machine, input) in [
            (&order, json!({ "orderId": "o", "items": [1, 2, 3, 4] })),
            (
                &approval,
                json!({ "queueUrl": queue, "request": { "expense": 1 } }),
            ),
        ] {
            let done = machine.start(input).await.unwrap().finish().await.unwrap();
            assert_eq!(done.status(), Status::Succeeded, "{}", done.timeline());
            normalized.push(serde_json::to_string_pretty(done.history()).unwrap());
            let events: Vec<_> = done.aws_history().iter().map(|e| e.to_aws_json()).collect();
            raw.push(serde_json::to_string(&events).unwrap());
        }
        // The one thing a seed cannot fix: the port the OS gave the endpoint (queue URLs).
        let raw = raw
            .join("\n")
            .replace(h.endpoint_url(), "http://<endpoint>");
        (normalized.join("\n"), raw)
    }

    let (normalized, raw) = run(99).await;
    let (normalized_again, raw_again) = run(99).await;
    assert_eq!(normalized, normalized_again);
    assert_eq!(
        raw, raw_again,
        "the raw history repeats too: ARNs, tokens, message ids, request ids, timestamps"
    );
    // Not equal by accident: the raw history carries the run's tokens and ids, which another
    // seed changes, while the normalized history does not depend on them.
    assert!(
        raw.contains("AQsfnh"),
        "the raw history carries task tokens"
    );
    let (normalized_other, raw_other) = run(100).await;
    assert_ne!(raw, raw_other);
    assert_eq!(normalized, normalized_other);
}

/// A Task that waits for a callback: the worker gets the task token in the Lambda payload.
fn callback(extra: serde_json::Value) -> serde_json::Value {
    let mut task = json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": { "Payload.$": "$", "token.$": "$$.Task.Token" },
        "End": true
    });
    if let (Some(t), Some(e)) = (task.as_object_mut(), extra.as_object()) {
        if e.contains_key("Next") {
            t.remove("End");
        }
        t.extend(e.clone());
    }
    task
}

#[sfn_harness::test(seed = 12)]
async fn retry_then_success(h: Harness) {
    let machine = h
        .create_state_machine(
            "reserve",
            json!({ "StartAt": "Reserve", "States": { "Reserve": callback(json!({
                "Retry": [{ "ErrorEquals": ["Busy"], "IntervalSeconds": 10, "BackoffRate": 2.0, "MaxAttempts": 3 }]
            })) } }),
        )
        .await?;
    h.on_task("Reserve")
        .fail("Busy", "warehouse busy")
        .then(Reply::fail("Busy", "still busy"))
        .then(Reply::respond(json!({ "reserved": true })))
        .expect(3)
        .mount()
        .await;

    let done = machine
        .start(json!({ "sku": "s-1" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.output(), Some(&json!({ "reserved": true })));
    // Retried after 10 s, then after 20 s (BackoffRate 2).
    assert_eq!(done.duration(), Duration::from_secs(30));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 13)]
async fn catch_then_fallback(h: Harness) {
    let machine = h
        .create_state_machine(
            "pay",
            json!({
                "StartAt": "CardPayment",
                "States": {
                    "CardPayment": callback(json!({
                        "Catch": [{ "ErrorEquals": ["CardDeclined"], "ResultPath": "$.declined", "Next": "SendInvoice" }],
                        "Next": "Paid"
                    })),
                    "SendInvoice": callback(json!({ "ResultPath": "$.invoice" })),
                    "Paid": { "Type": "Succeed" }
                }
            }),
        )
        .await?;
    h.on_task("CardPayment")
        .fail("CardDeclined", "insufficient funds")
        .expect(1)
        .mount()
        .await;
    h.on_task("SendInvoice")
        .respond_after(Duration::from_secs(2), json!({ "invoice": "inv-7" }))
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "amount": 30 }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(
        done.output(),
        Some(&json!({
            "amount": 30,
            "declined": { "Error": "CardDeclined", "Cause": "insufficient funds" },
            "invoice": { "invoice": "inv-7" }
        }))
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 14)]
async fn when_routes_big_orders_to_a_human(h: Harness) {
    let machine = h
        .create_state_machine(
            "review",
            json!({ "StartAt": "Review", "States": { "Review": callback(json!({})) } }),
        )
        .await?;
    // Workers are tried in the order they were mounted: the narrow one first.
    h.on_task("Review")
        .named("human reviewer")
        .when(|input| input["Payload"]["amount"].as_u64() > Some(1000))
        .respond_after(Duration::from_secs(4 * 3600), json!({ "by": "human" }))
        .expect(1)
        .mount()
        .await;
    h.on_task("Review")
        .named("auto approver")
        .respond(json!({ "by": "rules" }))
        .expect(1)
        .mount()
        .await;

    let small = machine
        .start(json!({ "amount": 20 }))
        .await?
        .finish()
        .await?;
    let big = machine
        .start(json!({ "amount": 5000 }))
        .await?
        .finish()
        .await?;

    assert_eq!(small.output(), Some(&json!({ "by": "rules" })));
    assert_eq!(small.duration(), Duration::ZERO);
    assert_eq!(big.output(), Some(&json!({ "by": "human" })));
    assert_eq!(big.duration(), Duration::from_secs(4 * 3600));
    insta::assert_json_snapshot!(big.history());
}

#[sfn_harness::test(seed = 15)]
async fn times_hands_later_tasks_to_the_next_worker(h: Harness) {
    let machine = h
        .create_state_machine(
            "label",
            json!({ "StartAt": "Each", "States": { "Each": {
                "Type": "Map",
                "ItemProcessor": { "StartAt": "Print", "States": { "Print": callback(json!({})) } },
                "End": true } } }),
        )
        .await?;
    // The primary printer has paper for two labels; the backup takes the rest.
    let primary = h
        .on_task("Print")
        .times(2)
        .respond(json!("primary"))
        .mount()
        .await;
    let backup = h.on_task("Print").respond(json!("backup")).mount().await;

    let done = machine
        .start(json!(["a", "b", "c", "d"]))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    let printed = done.output().unwrap().as_array().unwrap();
    let by = |who: &str| printed.iter().filter(|p| *p == who).count();
    assert_eq!((by("primary"), by("backup")), (2, 2));
    assert_eq!((primary.deliveries(), backup.deliveries()), (2, 2));
}

#[sfn_harness::test(seed = 16)]
async fn respond_with_sees_the_token_and_the_attempt(h: Harness) {
    let machine = h
        .create_state_machine(
            "charge",
            json!({ "StartAt": "Charge", "States": { "Charge": callback(json!({
                "Retry": [{ "ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 2 }]
            })) } }),
        )
        .await?;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    h.on_task("Charge")
        .respond_with(move |task| {
            // The token the worker was handed is the one in the payload the state sent.
            let token = task.token.clone().unwrap_or_default();
            log.lock().unwrap().push((task.attempt, token.clone()));
            assert_eq!(task.input["token"], json!(token));
            if task.attempt == 0 {
                Answer::Failure {
                    error: "Busy".into(),
                    cause: "first attempt".into(),
                }
            } else {
                Answer::Success(json!({ "attempt": task.attempt }))
            }
        })
        .expect(2)
        .mount()
        .await;

    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.output(), Some(&json!({ "attempt": 1 })));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.iter().map(|(a, _)| *a).collect::<Vec<_>>(), [0, 1]);
    assert_ne!(
        seen[0].1, seen[1].1,
        "every attempt gets a token of its own"
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 17)]
async fn result_selector_and_result_path_shape_a_callback_result(h: Harness) {
    let machine = h
        .create_state_machine(
            "shape",
            json!({ "StartAt": "Review", "States": { "Review": callback(json!({
                "ResultSelector": { "decision.$": "$.verdict", "reviewer.$": "$.by" },
                "ResultPath": "$.review"
            })) } }),
        )
        .await?;
    h.on_task("Review")
        .respond(json!({ "verdict": "ok", "by": "ana", "debug": { "took_ms": 812 } }))
        .mount()
        .await;

    let done = machine
        .start(json!({ "doc": "d-1" }))
        .await?
        .finish()
        .await?;

    assert_eq!(
        done.output(),
        Some(&json!({ "doc": "d-1", "review": { "decision": "ok", "reviewer": "ana" } }))
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 18)]
async fn execution_timeout_ends_a_callback_and_the_late_answer_is_refused(h: Harness) {
    let machine = h
        .create_state_machine(
            "deadline",
            json!({ "TimeoutSeconds": 300, "StartAt": "Ask", "States": { "Ask": callback(json!({})) } }),
        )
        .await?;
    let worker = h
        .on_task("Ask")
        .respond_after(Duration::from_secs(600), json!({ "late": true }))
        .mount()
        .await;

    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::TimedOut);
    assert_eq!(done.duration(), Duration::from_secs(300));

    // Let the worker answer at 600 s: AWS refuses a token whose execution has ended.
    h.advance(Duration::from_secs(300)).await;
    assert!(
        worker
            .log()
            .iter()
            .any(|l| l.ends_with("refused: TaskTimedOut")),
        "{:?}",
        worker.log()
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 19)]
async fn advancing_time_by_hand_while_a_worker_is_busy(h: Harness) {
    let machine = h
        .create_state_machine(
            "approve",
            json!({ "StartAt": "Approve", "States": { "Approve": callback(json!({})) } }),
        )
        .await?;
    h.on_task("Approve")
        .respond_after(Duration::from_secs(600), json!({ "ok": true }))
        .mount()
        .await;
    let exec = machine.start(json!({})).await?;

    h.advance(Duration::from_secs(599)).await;
    assert_eq!(exec.status(), Status::Running);
    let waiting: Vec<_> = h.open_tokens().into_iter().map(|t| t.state_name).collect();
    assert_eq!(waiting, ["Approve"]);

    h.advance(Duration::from_secs(1)).await;
    assert_eq!(exec.status(), Status::Succeeded);
    assert!(h.open_tokens().is_empty());
    assert_eq!(exec.finish().await?.duration(), Duration::from_secs(600));
}

#[sfn_harness::test(seed = 20)]
async fn for_machine_keeps_workers_of_two_machines_apart(h: Harness) {
    let eu = h.create_state_machine("credit-eu", CREDIT).await?;
    let us = h.create_state_machine("credit-us", CREDIT).await?;
    h.on_task("CheckCredit")
        .for_machine("credit-eu")
        .respond(json!({ "status": "approved" }))
        .expect(1)
        .mount()
        .await;
    h.on_task("CheckCredit")
        .for_machine(us.arn())
        .respond(json!({ "status": "declined" }))
        .expect(1)
        .mount()
        .await;

    let eu = eu
        .start(json!({ "customer": "c-eu" }))
        .await?
        .finish()
        .await?;
    let us = us
        .start(json!({ "customer": "c-us" }))
        .await?
        .finish()
        .await?;

    assert_eq!(eu.status(), Status::Succeeded);
    assert_eq!(us.status(), Status::Failed);
    assert_eq!(us.error().as_deref(), Some("CreditRejected"));
}

#[sfn_harness::test(seed = 30)]
#[should_panic(expected = "Expected deliveries: exactly 3\n\tReceived: 1")]
async fn an_unmet_expectation_fails_the_test(h: Harness) {
    // The test expects the bureau to be retried, but the definition has no Retry.
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .named("the bureau")
        .fail("BureauDown", "unreachable")
        .expect(3)
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": "c-30" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.error().as_deref(), Some("BureauDown"));
    insta::assert_json_snapshot!(done.history());
    // The harness is dropped here and panics with its verification report.
}

#[sfn_harness::test(seed = 41)]
async fn an_sdk_client_sees_virtual_time(h: Harness) {
    use aws_sdk_sfn::types::ExecutionStatus;

    let machine = h
        .create_state_machine(
            "nap-then-ask",
            json!({
                "StartAt": "Nap",
                "States": {
                    "Nap": { "Type": "Wait", "Seconds": 3600, "Next": "Ask" },
                    "Ask": callback(json!({}))
                }
            }),
        )
        .await?;
    h.on_task("Ask")
        .respond_after(Duration::from_secs(30 * 60), json!({ "ok": true }))
        .expect(1)
        .mount()
        .await;
    let sfn = h.sfn_client().await;
    let exec = machine.start(json!({})).await?;

    // While the hour-long Wait is pending, the SDK sees a running execution…
    let running = sfn
        .describe_execution()
        .execution_arn(exec.arn())
        .send()
        .await?;
    assert_eq!(running.status(), &ExecutionStatus::Running);
    assert_eq!(running.stop_date(), None);

    // …and once it ends (in milliseconds of wall time), one and a half hours of harness time.
    let started = std::time::Instant::now();
    let done = exec.finish().await?;
    assert!(started.elapsed() < Duration::from_secs(5));
    let ended = sfn
        .describe_execution()
        .execution_arn(exec.arn())
        .send()
        .await?;
    assert_eq!(ended.status(), &ExecutionStatus::Succeeded);
    let (start, stop) = (ended.start_date(), ended.stop_date().unwrap());
    assert_eq!(stop.to_millis()? - start.to_millis()?, 90 * 60 * 1000);
    assert_eq!(ended.output(), Some(r#"{"ok":true}"#));
    let history = sfn
        .get_execution_history()
        .execution_arn(exec.arn())
        .send()
        .await?;
    assert_eq!(history.events().len(), done.aws_history().len());
    insta::assert_json_snapshot!(done.history());
}
