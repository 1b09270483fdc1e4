//! Scenario tests: Parallel and Map with callbacks, data flow, retries, catchers and timeouts.

use std::time::Duration;

use serde_json::json;
use sfn_harness::prelude::*;

fn callback_task(state: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut t = json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": { "Payload.$": "$", "token.$": "$$.Task.Token", "state": state },
        "End": true
    });
    if let (Some(o), Some(e)) = (t.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
    }
    t
}

#[sfn_harness::test(seed = 21)]
async fn parallel_branches_each_wait_for_a_callback(h: Harness) {
    let machine = h
        .create_state_machine(
            "fanout",
            json!({
                "StartAt": "Both",
                "States": { "Both": {
                    "Type": "Parallel",
                    "Branches": [
                        { "StartAt": "Fraud", "States": { "Fraud": callback_task("Fraud", json!({})) } },
                        { "StartAt": "Stock", "States": { "Stock": callback_task("Stock", json!({})) } }
                    ],
                    "ResultSelector": { "fraud.$": "$[0]", "stock.$": "$[1]" },
                    "End": true } }
            }),
        )
        .await?;
    h.on_task("Fraud")
        .respond_after(Duration::from_secs(90), json!({ "risk": "low" }))
        .expect(1)
        .mount()
        .await;
    h.on_task("Stock")
        .respond_after(Duration::from_secs(30), json!({ "available": true }))
        .expect(1)
        .mount()
        .await;

    let done = machine.start(json!({ "order": 1 })).await?.finish().await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(
        done.output(),
        Some(&json!({ "fraud": { "risk": "low" }, "stock": { "available": true } }))
    );
    // Branches run at the same time: the slower one decides.
    assert_eq!(done.duration(), Duration::from_secs(90));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 22)]
async fn parallel_branch_failure_is_caught(h: Harness) {
    let machine = h
        .create_state_machine(
            "fanout-fail",
            json!({
                "StartAt": "Both",
                "States": {
                    "Both": {
                        "Type": "Parallel",
                        "Branches": [
                            { "StartAt": "A", "States": { "A": callback_task("A", json!({})) } },
                            { "StartAt": "B", "States": { "B": callback_task("B", json!({})) } }
                        ],
                        "Catch": [{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Fallback" }],
                        "End": true },
                    "Fallback": { "Type": "Pass", "End": true }
                }
            }),
        )
        .await?;
    h.on_task("A")
        .fail("Boom", "branch A exploded")
        .mount()
        .await;
    h.on_task("B")
        .respond_after(Duration::from_secs(60), json!({}))
        .mount()
        .await;

    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(
        done.output().unwrap()["failure"],
        json!({ "Error": "Boom", "Cause": "branch A exploded" })
    );
    let types = done.history().types();
    assert!(types.contains(&"ParallelStateFailed"));
    assert_eq!(types.last(), Some(&"ExecutionSucceeded"));
}

#[sfn_harness::test(seed = 23)]
async fn map_items_each_wait_for_a_callback(h: Harness) {
    let machine = h
        .create_state_machine(
            "per-item",
            json!({
                "StartAt": "Each",
                "States": { "Each": {
                    "Type": "Map",
                    "ItemsPath": "$.ids",
                    "ItemSelector": { "id.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index" },
                    "ItemProcessor": { "StartAt": "Review", "States": { "Review": callback_task("Review", json!({ "TimeoutSeconds": 300 })) } },
                    "End": true } }
            }),
        )
        .await?;
    h.on_task("Review")
        .respond_with(|task| {
            let id = task.input["Payload"]["id"].as_i64().unwrap_or(0);
            Answer::Success(json!({ "id": id, "ok": id % 2 == 0 }))
        })
        .after(Duration::from_secs(10))
        .expect(4)
        .mount()
        .await;

    let done = machine
        .start(json!({ "ids": [10, 11, 12, 13] }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(
        done.output(),
        Some(&json!([
            { "id": 10, "ok": true }, { "id": 11, "ok": false },
            { "id": 12, "ok": true }, { "id": 13, "ok": false }
        ]))
    );
    assert_eq!(
        done.duration(),
        Duration::from_secs(10),
        "unbounded concurrency"
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 24)]
async fn map_item_timeout_is_retried_then_succeeds(h: Harness) {
    let machine = h
        .create_state_machine(
            "flaky-item",
            json!({
                "StartAt": "Each",
                "States": { "Each": {
                    "Type": "Map",
                    "MaxConcurrency": 1,
                    "ItemProcessor": { "StartAt": "Work", "States": { "Work": callback_task("Work", json!({
                        "TimeoutSeconds": 60,
                        "Retry": [{ "ErrorEquals": ["States.Timeout"], "IntervalSeconds": 5, "MaxAttempts": 2 }]
                    })) } },
                    "End": true } }
            }),
        )
        .await?;
    // The first delivery is never answered; the retry is.
    h.on_task("Work")
        .silent()
        .then(Reply::respond(json!("done")))
        .expect(3)
        .mount()
        .await;

    let done = machine.start(json!(["a", "b"])).await?.finish().await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.output(), Some(&json!(["done", "done"])));
    assert_eq!(done.duration(), Duration::from_secs(65));
    assert_eq!(
        done.history()
            .types()
            .iter()
            .filter(|t| **t == "TaskTimedOut")
            .count(),
        1
    );
}

#[sfn_harness::test(seed = 25)]
async fn data_flow_paths_shape_the_output(h: Harness) {
    let machine = h
        .create_state_machine(
            "shape",
            json!({
                "StartAt": "Lookup",
                "States": {
                    "Lookup": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:lookup",
                        "InputPath": "$.customer",
                        "Parameters": { "id.$": "$.id", "at.$": "$$.State.EnteredTime" },
                        "ResultSelector": { "tier.$": "$.Payload.tier" },
                        "ResultPath": "$.lookup.result",
                        "OutputPath": "$.lookup",
                        "Next": "Done"
                    },
                    "Done": { "Type": "Succeed" }
                }
            }),
        )
        .await?;
    h.on_task("Lookup")
        .respond_with(|task| {
            assert_eq!(task.input["id"], json!("c-9"));
            Answer::Success(json!({ "Payload": { "tier": "gold" }, "StatusCode": 200 }))
        })
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": { "id": "c-9" }, "other": 1 }))
        .await?
        .finish()
        .await?;

    assert_eq!(
        done.output(),
        Some(&json!({ "result": { "tier": "gold" } }))
    );
}

#[sfn_harness::test(seed = 26)]
async fn no_choice_matched_fails_the_execution(h: Harness) {
    let machine = h
        .create_state_machine(
            "route",
            json!({
                "StartAt": "Route",
                "States": {
                    "Route": { "Type": "Choice", "Choices": [
                        { "Variable": "$.kind", "StringEquals": "a", "Next": "A" } ] },
                    "A": { "Type": "Succeed" }
                }
            }),
        )
        .await?;

    let done = machine
        .start(json!({ "kind": "z" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.NoChoiceMatched"));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 27)]
async fn fail_state_reads_error_and_cause_from_the_input(h: Harness) {
    let machine = h
        .create_state_machine(
            "fail-paths",
            json!({
                "StartAt": "Stop",
                "States": { "Stop": { "Type": "Fail",
                    "ErrorPath": "$.code",
                    "CausePath": "States.Format('order {} failed', $.order)" } }
            }),
        )
        .await?;

    let done = machine
        .start(json!({ "code": "E42", "order": 7 }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.error().as_deref(), Some("E42"));
    assert_eq!(done.cause().as_deref(), Some("order 7 failed"));
}

#[sfn_harness::test(seed = 28)]
async fn execution_timeout_ends_a_long_wait(h: Harness) {
    let machine = h
        .create_state_machine(
            "deadline",
            json!({
                "TimeoutSeconds": 600,
                "StartAt": "Nap",
                "States": { "Nap": { "Type": "Wait", "Seconds": 86400, "End": true } }
            }),
        )
        .await?;

    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.status(), Status::TimedOut);
    assert_eq!(done.duration(), Duration::from_secs(600));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 29)]
async fn advancing_time_by_hand(h: Harness) {
    let machine = h
        .create_state_machine(
            "steps",
            json!({
                "StartAt": "Hour",
                "States": {
                    "Hour": { "Type": "Wait", "Seconds": 3600, "Next": "Done" },
                    "Done": { "Type": "Succeed" }
                }
            }),
        )
        .await?;
    let exec = machine.start(json!({})).await?;

    h.advance(Duration::from_secs(3599)).await;
    assert_eq!(exec.status(), Status::Running);
    assert_eq!(exec.timeline().visits[0].exited, None);

    h.advance(Duration::from_secs(1)).await;
    let done = exec.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.duration(), Duration::from_secs(3600));
}

#[sfn_harness::test(real_time)]
async fn real_time_mode_waits_for_real(h: Harness) {
    let machine = h
        .create_state_machine(
            "short",
            json!({
                "StartAt": "Blink",
                "States": { "Blink": { "Type": "Wait", "Seconds": 1, "End": true } }
            }),
        )
        .await?;
    let started = std::time::Instant::now();
    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    assert!(started.elapsed() >= Duration::from_millis(900));
}
