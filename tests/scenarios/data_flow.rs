//! Paths, selectors, Choice and Fail: how data moves through a machine.

use super::*;

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
        .respond_with(Reply::with(|task| {
            assert_eq!(task.input["id"], json!("c-9"));
            Answer::Success(json!({ "Payload": { "tier": "gold" }, "StatusCode": 200 }))
        }))
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
