//! Parallel and Map, with callbacks in their branches and items.

use super::*;

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
                        { "StartAt": "Fraud", "States": { "Fraud": named_callback("Fraud", json!({})) } },
                        { "StartAt": "Stock", "States": { "Stock": named_callback("Stock", json!({})) } }
                    ],
                    "ResultSelector": { "fraud.$": "$[0]", "stock.$": "$[1]" },
                    "End": true } }
            }),
        )
        .await?;
    h.on_task("Fraud")
        .respond_with(Reply::respond(json!({ "risk": "low" })).after(Duration::from_secs(90)))
        .expect(1)
        .mount()
        .await;
    h.on_task("Stock")
        .respond_with(Reply::respond(json!({ "available": true })).after(Duration::from_secs(30)))
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
                            { "StartAt": "A", "States": { "A": named_callback("A", json!({})) } },
                            { "StartAt": "B", "States": { "B": named_callback("B", json!({})) } }
                        ],
                        "Catch": [{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Fallback" }],
                        "End": true },
                    "Fallback": { "Type": "Pass", "End": true }
                }
            }),
        )
        .await?;
    h.on_task("A")
        .respond_with(Reply::fail("Boom", "branch A exploded"))
        .mount()
        .await;
    h.on_task("B")
        .respond_with(Reply::respond(json!({})).after(Duration::from_secs(60)))
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
                    "ItemProcessor": { "StartAt": "Review", "States": { "Review": named_callback("Review", json!({ "TimeoutSeconds": 300 })) } },
                    "End": true } }
            }),
        )
        .await?;
    h.on_task("Review")
        .respond_with(
            Reply::with(|task| {
                let id = task.input["Payload"]["id"].as_i64().unwrap_or(0);
                Answer::Success(json!({ "id": id, "ok": id % 2 == 0 }))
            })
            .after(Duration::from_secs(10)),
        )
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
                    "ItemProcessor": { "StartAt": "Work", "States": { "Work": named_callback("Work", json!({
                        "TimeoutSeconds": 60,
                        "Retry": [{ "ErrorEquals": ["States.Timeout"], "IntervalSeconds": 5, "MaxAttempts": 2 }]
                    })) } },
                    "End": true } }
            }),
        )
        .await?;
    // The first delivery is never answered; the retry is.
    h.on_task("Work")
        .respond_with(Reply::silent())
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
