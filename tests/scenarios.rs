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
    assert_eq!(done.error().as_deref(), Some("States.HeartbeatTimeout"));
    // Last heartbeat at 300 s, then 60 s of silence.
    assert_eq!(done.duration(), Duration::from_secs(360));
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
    assert!(report.contains("did not finish within 2s"), "{report}");
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
async fn a_panicking_closure_fails_finish_with_its_message(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .respond_with(|_| panic!("bureau client exploded"))
        .mount()
        .await;
    let exec = machine.start(json!({ "customer": "c" })).await?;
    let err = exec.finish().await.unwrap_err();
    assert!(err.to_string().contains("bureau client exploded"), "{err}");
    exec.stop(None, None).await?;
    // Clear the recorded panic so the harness's drop does not fail this (passing) test.
    std::mem::forget(h);
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
    async fn run() -> String {
        let h = Harness::builder().seed(99).start().await;
        let machine = h.create_state_machine("order", ORDER).await.unwrap();
        h.on_task("Charge")
            .respond(json!({ "ok": true }))
            .mount()
            .await;
        h.on_task("ShipItem")
            .respond_after(Duration::from_secs(5), json!({ "ok": true }))
            .mount()
            .await;
        let done = machine
            .start(json!({ "orderId": "o", "items": [1, 2, 3, 4] }))
            .await
            .unwrap()
            .finish()
            .await
            .unwrap();
        serde_json::to_string_pretty(&serde_json::json!({
            "normalized": done.history(),
            "raw": done.aws_history().iter().map(|e| e.to_aws_json()).collect::<Vec<_>>(),
        }))
        .unwrap()
    }
    let first = run().await;
    assert_eq!(first, run().await);
}
