//! Nested executions (`arn:aws:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]`),
//! written as users write them: a parent starts a child on the same harness, which shows it
//! like any execution. Shapes checked against AWS's recordings (LocalStack's AWS-validated
//! `callback/test_callback.py::test_start_execution_sync*`, `../shared/conformance/v2`).

use std::time::Duration;

use serde_json::{json, Value};
use sfn_harness::prelude::*;

const CHILD_PASS: &str = r#"{"StartAt":"Work","States":{"Work":{"Type":"Pass","Result":{"Arg1":"argument1"},"End":true}}}"#;

fn parent(resource: &str, input: Value) -> Value {
    json!({ "StartAt": "Child", "States": { "Child": {
        "Type": "Task",
        "Resource": resource,
        "Parameters": { "StateMachineArn.$": "$.child", "Name": "kid", "Input": input },
        "End": true
    }}})
}

#[sfn_harness::test(seed = 80)]
async fn sync_returns_the_child_description_with_json_text(h: Harness) {
    let child = h.create_state_machine("child", CHILD_PASS).await?;
    let machine = h
        .create_state_machine(
            "parent",
            parent("arn:aws:states:::states:startExecution.sync", Value::Null),
        )
        .await?;
    let done = machine
        .start(json!({ "child": child.arn() }))
        .await?
        .finish()
        .await?;
    assert_eq!(done.status(), Status::Succeeded);
    let out = done.output().unwrap();
    assert_eq!(out["Output"], "{\"Arg1\":\"argument1\"}");
    assert_eq!(out["Input"], "{}");
    assert_eq!(out["Status"], "SUCCEEDED");
    assert_eq!(out["Name"], "kid");
    assert_eq!(
        done.history().types(),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    // The child is an execution like any other.
    let kid = h.execution(out["ExecutionArn"].as_str().unwrap())?;
    assert_eq!(kid.status(), Status::Succeeded);
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 81)]
async fn sync2_returns_json_and_a_failed_child_fails_the_task(h: Harness) {
    let child = h.create_state_machine("child", CHILD_PASS).await?;
    let failing = h
        .create_state_machine(
            "failing",
            r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"SomeFailure","Cause":"boom"}}}"#,
        )
        .await?;
    let machine = h
        .create_state_machine(
            "parent",
            parent(
                "arn:aws:states:::states:startExecution.sync:2",
                json!({ "n": 1 }),
            ),
        )
        .await?;
    let done = machine
        .start(json!({ "child": child.arn() }))
        .await?
        .finish()
        .await?;
    assert_eq!(
        done.output().unwrap()["Output"],
        json!({ "Arg1": "argument1" })
    );
    assert_eq!(done.output().unwrap()["Input"], json!({ "n": 1 }));

    let done = machine
        .start(json!({ "child": failing.arn() }))
        .await?
        .finish()
        .await?;
    assert_eq!(done.error().as_deref(), Some("States.TaskFailed"));
    let cause: Value = serde_json::from_str(&done.cause().unwrap()).unwrap();
    assert_eq!(cause["Status"], "FAILED");
    assert_eq!(cause["Error"], "SomeFailure");
    assert_eq!(cause["Cause"], "boom");
}

#[sfn_harness::test(seed = 82)]
async fn wait_for_task_token_child_answers_its_parent(h: Harness) {
    // The child answers its parent's token with an aws-sdk:sfn:sendTaskSuccess Task.
    let child = h
        .create_state_machine(
            "child",
            json!({ "StartAt": "Answer", "States": { "Answer": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                "Parameters": { "TaskToken.$": "$.token", "Output": "{\"ok\":true}" },
                "End": true
            }}}),
        )
        .await?;
    let machine = h
        .create_state_machine(
            "parent",
            parent(
                "arn:aws:states:::states:startExecution.waitForTaskToken",
                json!({ "token.$": "$$.Task.Token" }),
            ),
        )
        .await?;
    let done = machine
        .start(json!({ "child": child.arn() }))
        .await?
        .finish()
        .await?;
    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.output(), Some(&json!({ "ok": true })));
}

#[sfn_harness::test(seed = 83)]
async fn stopping_the_parent_stops_a_sync_child(h: Harness) {
    let child = h
        .create_state_machine(
            "child",
            r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}"#,
        )
        .await?;
    let machine = h
        .create_state_machine(
            "parent",
            parent("arn:aws:states:::states:startExecution.sync", Value::Null),
        )
        .await?;
    let exec = machine.start(json!({ "child": child.arn() })).await?;
    h.clock().advance(Duration::from_secs(10)).await;
    let kid_arn = exec
        .aws_history()
        .iter()
        .find(|e| e.event_type == "TaskSubmitted")
        .and_then(|e| e.details.as_ref())
        .and_then(|(_, d)| d["output"].as_str().map(str::to_string))
        .and_then(|o| serde_json::from_str::<Value>(&o).ok())
        .and_then(|o| o["ExecutionArn"].as_str().map(str::to_string))
        .expect("the child was submitted");
    exec.stop(None, None).await?;
    h.clock().settle().await;
    assert_eq!(h.execution(&kid_arn)?.status(), Status::Aborted);
}

#[sfn_harness::test(seed = 84)]
async fn a_missing_machine_fails_as_aws_records_it(h: Harness) {
    let machine = h
        .create_state_machine(
            "parent",
            parent("arn:aws:states:::states:startExecution", Value::Null),
        )
        .await?;
    let missing = "arn:aws:states:us-east-1:123456789012:stateMachine:nope";
    let done = machine
        .start(json!({ "child": missing }))
        .await?
        .finish()
        .await?;
    assert_eq!(
        done.error().as_deref(),
        Some("StepFunctions.StateMachineDoesNotExistException")
    );
    let cause = done.cause().unwrap();
    assert!(
        cause.starts_with(&format!(
            "State Machine Does Not Exist: '{missing}' (Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: "
        )),
        "{cause}"
    );
}
