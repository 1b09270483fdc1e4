//! The Step Functions endpoint through the real `aws-sdk-sfn` client: every operation the
//! harness serves, its happy path and its main errors, asserted against AWS's behaviour.
//!
//! Where a test pins an exact message, the text is one AWS returned, as recorded in LocalStack's
//! AWS-validated snapshots (`tests/aws/services/stepfunctions/v2/test_sfn_api*.snapshot.json`
//! in localstack/localstack); error codes per operation are those of the service model.

use std::time::{Duration, Instant};

use aws_sdk_sfn::error::ProvideErrorMetadata;
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType, StateMachineType, Tag};
use aws_sdk_sfn::Client;
use serde_json::{json, Value};
use sfn_harness::prelude::*;

/// The service error a request fails with (the test fails if it succeeds).
macro_rules! refused {
    ($request:expr) => {
        $request.send().await.unwrap_err().into_service_error()
    };
}

const ROLE: &str = "arn:aws:iam::123456789012:role/sfn";

/// Two Pass states: six history events.
fn pass_definition() -> String {
    json!({
        "StartAt": "First",
        "States": {
            "First": { "Type": "Pass", "Result": { "step": 1 }, "ResultPath": "$.first", "Next": "Second" },
            "Second": { "Type": "Pass", "End": true }
        }
    })
    .to_string()
}

/// A Task that sends its token to `queue_url` and waits for an answer.
fn callback_definition(queue_url: &str, timeout_seconds: u64) -> String {
    json!({
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": queue_url,
                    "MessageBody": { "token.$": "$$.Task.Token", "input.$": "$" }
                },
                "TimeoutSeconds": timeout_seconds,
                "End": true
            }
        }
    })
    .to_string()
}

async fn create(c: &Client, name: &str, definition: &str) -> String {
    c.create_state_machine()
        .name(name)
        .definition(definition)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine {name}: {e:?}"))
        .state_machine_arn
}

async fn start(c: &Client, machine: &str, name: Option<&str>, input: &str) -> String {
    c.start_execution()
        .state_machine_arn(machine)
        .set_name(name.map(String::from))
        .input(input)
        .send()
        .await
        .unwrap_or_else(|e| panic!("StartExecution: {e:?}"))
        .execution_arn
}

/// Polls DescribeExecution until the execution has left RUNNING (bounded: 10 s of wall time).
async fn wait_done(
    c: &Client,
    arn: &str,
) -> aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let d = c
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
            .unwrap();
        if d.status != ExecutionStatus::Running {
            return d;
        }
        assert!(
            Instant::now() < deadline,
            "execution {arn} still RUNNING after 10 s of wall time"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The token of the next message on `queue` (bounded by the long poll).
async fn receive_token(h: &Harness, queue: &str) -> (String, String) {
    let sqs = h.sqs_client().await;
    let got = sqs
        .receive_message()
        .queue_url(queue)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap();
    let m = got
        .messages()
        .first()
        .unwrap_or_else(|| panic!("no message on {queue} within the long poll"));
    let body: Value = serde_json::from_str(m.body().unwrap()).unwrap();
    (
        body["token"].as_str().unwrap().to_string(),
        m.receipt_handle().unwrap().to_string(),
    )
}

#[sfn_harness::test(seed = 1)]
async fn state_machine_lifecycle(h: Harness) {
    let c = h.sfn_client().await;
    let def = pass_definition();
    let created = c
        .create_state_machine()
        .name("orders")
        .definition(&def)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    let arn = created.state_machine_arn.clone();
    assert_eq!(
        arn,
        "arn:aws:states:us-east-1:123456789012:stateMachine:orders"
    );
    assert_eq!(
        created.creation_date.to_millis().unwrap() as u64,
        h.now_ms()
    );

    let d = c
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.name, "orders");
    assert_eq!(d.definition, def);
    assert_eq!(d.role_arn, ROLE);
    assert_eq!(d.r#type, StateMachineType::Standard);
    assert_eq!(d.status().map(|s| s.as_str()), Some("ACTIVE"));
    // No revision before the first update (as AWS describes a new machine).
    assert_eq!(d.revision_id(), None);

    // Creating it again exactly is idempotent; with another definition it is refused.
    let again = c
        .create_state_machine()
        .name("orders")
        .definition(&def)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    assert_eq!(again.state_machine_arn, arn);
    assert_eq!(again.creation_date, created.creation_date);
    let err = refused!(c
        .create_state_machine()
        .name("orders")
        .definition(callback_definition(
            "https://sqs.us-east-1.amazonaws.com/123456789012/q",
            10,
        ))
        .role_arn(ROLE));
    assert!(err.is_state_machine_already_exists(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("State Machine Already Exists: '{arn}'").as_str())
    );

    // Update: a new revision; the same parameters again keep it.
    let new_def =
        json!({ "StartAt": "Only", "States": { "Only": { "Type": "Succeed" } } }).to_string();
    let u1 = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(&new_def)
        .send()
        .await
        .unwrap();
    let rev = u1.revision_id().expect("a revision id").to_string();
    let d = c
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.definition, new_def);
    assert_eq!(d.revision_id(), Some(rev.as_str()));
    let u2 = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(&new_def)
        .send()
        .await
        .unwrap();
    assert_eq!(u2.revision_id(), Some(rev.as_str()));
    let err = refused!(c.update_state_machine().state_machine_arn(&arn));
    assert!(err.is_missing_required_parameter(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
    );
    let err = refused!(c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition("{}"));
    assert!(err.is_invalid_definition(), "{err:?}");

    // Delete: gone, and deleting again still succeeds (AWS answers 200).
    c.delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = refused!(c.describe_state_machine().state_machine_arn(&arn));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("State Machine Does Not Exist: '{arn}'").as_str())
    );
    c.delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = refused!(c
        .update_state_machine()
        .state_machine_arn(&arn)
        .role_arn(ROLE));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
}

#[sfn_harness::test(seed = 2)]
async fn create_state_machine_errors(h: Harness) {
    let c = h.sfn_client().await;
    let err = refused!(c
        .create_state_machine()
        .name("bad")
        .definition(r#"{"StartAt":"A"}"#)
        .role_arn(ROLE));
    assert!(err.is_invalid_definition(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'")
    );

    let err = refused!(c
        .create_state_machine()
        .name("has space")
        .definition(pass_definition())
        .role_arn(ROLE));
    assert!(err.is_invalid_name(), "{err:?}");

    let err = refused!(c
        .create_state_machine()
        .name("typed")
        .definition(pass_definition())
        .role_arn(ROLE)
        .r#type(StateMachineType::from("SLOW")));
    assert!(err.is_validation_exception(), "{err:?}");

    // An EXPRESS machine cannot wait for a task token.
    let err = refused!(c
        .create_state_machine()
        .name("express-callback")
        .definition(callback_definition(
            "https://sqs.us-east-1.amazonaws.com/123456789012/q",
            10,
        ))
        .role_arn(ROLE)
        .r#type(StateMachineType::Express));
    assert!(err.is_invalid_definition(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  at /States/Work/Resource'")
    );

    // An empty name is not a name.
    let err = refused!(c
        .create_state_machine()
        .name("")
        .definition(pass_definition())
        .role_arn(ROLE));
    assert!(err.is_invalid_name(), "{err:?}");
}

#[sfn_harness::test(seed = 3)]
async fn invalid_and_unknown_arns(h: Harness) {
    let c = h.sfn_client().await;
    let machine = create(&c, "m", &pass_definition()).await;

    let err = refused!(c
        .describe_state_machine()
        .state_machine_arn("not_a_valid_arn"));
    assert!(err.is_invalid_arn(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'")
    );

    let err = refused!(c.describe_execution().execution_arn(&machine));
    assert!(err.is_invalid_arn(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Invalid Arn: 'Resource type not valid in this context: stateMachine'")
    );

    let missing = "arn:aws:states:us-east-1:123456789012:execution:m:nope";
    let err = refused!(c.describe_execution().execution_arn(missing));
    assert!(err.is_execution_does_not_exist(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("Execution Does Not Exist: '{missing}'").as_str())
    );
    let err = refused!(c.get_execution_history().execution_arn(missing));
    assert!(err.is_execution_does_not_exist(), "{err:?}");
    let err = refused!(c
        .get_execution_history()
        .execution_arn("invalid_state_machine_arn"));
    assert!(err.is_invalid_arn(), "{err:?}");
    let err = refused!(c
        .list_executions()
        .state_machine_arn("invalid_state_machine_arn"));
    assert!(err.is_invalid_arn(), "{err:?}");
    let err = refused!(c
        .list_executions()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:nope"));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
    let err = refused!(c.stop_execution().execution_arn(missing));
    assert!(err.is_execution_does_not_exist(), "{err:?}");
    let err = refused!(c.delete_state_machine().state_machine_arn("nope"));
    assert!(err.is_invalid_arn(), "{err:?}");
}

#[sfn_harness::test(seed = 4)]
async fn list_state_machines_pages_in_name_order(h: Harness) {
    let c = h.sfn_client().await;
    let mut names: Vec<String> = (0..13).map(|i| format!("statemachine_{i}")).collect();
    for n in &names {
        create(&c, n, &pass_definition()).await;
    }
    // AWS lists by name: statemachine_0, _1, _10, _11, _12, _2, …
    names.sort();
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = c
            .list_state_machines()
            .max_results(5)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.state_machines.len() <= 5);
        for m in &page.state_machines {
            assert_eq!(m.r#type, StateMachineType::Standard);
            assert!(m
                .state_machine_arn
                .ends_with(&format!(":stateMachine:{}", m.name)));
            seen.push(m.name.clone());
        }
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, names);
    // The SDK's paginator walks the same pages.
    let all: Vec<_> = c
        .list_state_machines()
        .max_results(4)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(all.len(), 13);
    // 0 means the default page size (100).
    let all = c.list_state_machines().max_results(0).send().await.unwrap();
    assert_eq!(all.state_machines.len(), 13);
    assert!(all.next_token.is_none());

    let err = refused!(c.list_state_machines().max_results(1001));
    assert!(err.meta().code() == Some("ValidationException"), "{err:?}");
    assert_eq!(
        err.message(),
        Some("1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000")
    );
    let long = "x".repeat(1025);
    let err = refused!(c.list_state_machines().next_token(&long));
    assert_eq!(
        err.message(),
        Some(format!("1 validation error detected: Value '{long}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024").as_str())
    );
    let err = refused!(c.list_state_machines().next_token("not-a-token-we-issued"));
    assert!(err.is_invalid_token(), "{err:?}");
}

#[sfn_harness::test(seed = 5)]
async fn validate_state_machine_definition(h: Harness) {
    let c = h.sfn_client().await;
    let ok = c
        .validate_state_machine_definition()
        .definition(pass_definition())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.result.as_str(), "OK");
    assert!(ok.diagnostics.is_empty());

    let bad = c
        .validate_state_machine_definition()
        .definition(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.result.as_str(), "FAIL");
    let d = &bad.diagnostics[0];
    assert_eq!(d.code, "MISSING_TRANSITION_TARGET");
    assert_eq!(d.location(), Some("/States/A/Next"));
    assert_eq!(d.severity.as_str(), "ERROR");

    // A definition a STANDARD machine may have can be invalid for EXPRESS.
    let q = "https://sqs.us-east-1.amazonaws.com/123456789012/q";
    let standard = c
        .validate_state_machine_definition()
        .definition(callback_definition(q, 10))
        .send()
        .await
        .unwrap();
    assert_eq!(standard.result.as_str(), "OK");
    let express = c
        .validate_state_machine_definition()
        .definition(callback_definition(q, 10))
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap();
    assert_eq!(express.result.as_str(), "FAIL");
    assert_eq!(
        express.diagnostics[0].location(),
        Some("/States/Work/Resource")
    );
}

#[sfn_harness::test(seed = 6)]
async fn start_execution_names_and_inputs(h: Harness) {
    let c = h.sfn_client().await;
    let q = h.create_queue("jobs").await.unwrap();
    let machine = create(&c, "callback", &callback_definition(&q, 3600)).await;

    // A running execution: the same name and input again is the same execution.
    let first = c
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.execution_arn,
        "arn:aws:states:us-east-1:123456789012:execution:callback:order-1"
    );
    let again = c
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(again.execution_arn, first.execution_arn);
    assert_eq!(again.start_date, first.start_date);
    // Other input: ExecutionAlreadyExists.
    let err = refused!(c
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id":2}"#));
    assert!(err.is_execution_already_exists(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("Execution Already Exists: '{}'", first.execution_arn).as_str())
    );
    // Once closed, even the same input is refused.
    c.stop_execution()
        .execution_arn(&first.execution_arn)
        .send()
        .await
        .unwrap();
    let err = refused!(c
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id":1}"#));
    assert!(err.is_execution_already_exists(), "{err:?}");

    // Inputs: JSON of any type is accepted; text that is not JSON is not.
    let pass = create(&c, "pass", &pass_definition()).await;
    for input in ["1", "\"text\"", "null", "[1,2]"] {
        start(&c, &pass, None, input).await;
    }
    let err = refused!(c
        .start_execution()
        .state_machine_arn(&pass)
        .input("not json"));
    assert!(err.is_invalid_execution_input(), "{err:?}");
    assert!(err
        .message()
        .unwrap()
        .starts_with("Invalid State Machine Execution Input: '"));
    let err = refused!(c.start_execution().state_machine_arn(&pass).input(""));
    assert!(err.is_invalid_execution_input(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Invalid State Machine Execution Input: 'Invalid execution input.'")
    );
    let err = refused!(c.start_execution().state_machine_arn(&pass).name("a/b"));
    assert!(err.is_invalid_name(), "{err:?}");
    // No input at all means `{}`.
    let arn = c
        .start_execution()
        .state_machine_arn(&pass)
        .send()
        .await
        .unwrap()
        .execution_arn;
    let d = wait_done(&c, &arn).await;
    assert_eq!(d.input(), Some("{}"));

    // A machine that does not exist, or no longer does.
    let gone = create(&c, "gone", &pass_definition()).await;
    c.delete_state_machine()
        .state_machine_arn(&gone)
        .send()
        .await
        .unwrap();
    let err = refused!(c.start_execution().state_machine_arn(&gone));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("State Machine Does Not Exist: '{gone}'").as_str())
    );
}

#[sfn_harness::test(seed = 7)]
async fn describe_and_list_executions(h: Harness) {
    let c = h.sfn_client().await;
    let q = h.create_queue("jobs").await.unwrap();
    let pass = create(&c, "pass", &pass_definition()).await;
    let callback = create(&c, "callback", &callback_definition(&q, 3600)).await;

    let done_arn = start(&c, &pass, Some("done"), r#"{"a":1}"#).await;
    let d = wait_done(&c, &done_arn).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(d.name(), Some("done"));
    assert_eq!(d.state_machine_arn, pass);
    assert_eq!(d.input(), Some(r#"{"a":1}"#));
    assert_eq!(d.output(), Some(r#"{"a":1,"first":{"step":1}}"#));
    assert_eq!(d.output_details().map(|o| o.included), Some(true));
    assert!(d.stop_date.is_some());
    assert_eq!(d.redrive_count(), Some(0));
    assert_eq!(
        d.redrive_status().map(|s| s.as_str()),
        Some("NOT_REDRIVABLE")
    );
    assert_eq!(
        d.redrive_status_reason(),
        Some("Execution is SUCCEEDED and cannot be redriven")
    );

    let running_arn = start(&c, &callback, Some("running"), "{}").await;
    let d = c
        .describe_execution()
        .execution_arn(&running_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status, ExecutionStatus::Running);
    assert!(d.stop_date.is_none() && d.output().is_none());
    assert_eq!(
        d.redrive_status_reason(),
        Some("Execution is RUNNING and cannot be redriven")
    );

    let stopped_arn = start(&c, &callback, Some("stopped"), "{}").await;
    c.stop_execution()
        .execution_arn(&stopped_arn)
        .error("Cancelled")
        .cause("by the test")
        .send()
        .await
        .unwrap();
    let d = c
        .describe_execution()
        .execution_arn(&stopped_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status, ExecutionStatus::Aborted);
    assert_eq!(
        (d.error(), d.cause()),
        (Some("Cancelled"), Some("by the test"))
    );
    assert_eq!(d.redrive_status().map(|s| s.as_str()), Some("REDRIVABLE"));

    // Status filter.
    let list = |status: ExecutionStatus| {
        let c = c.clone();
        let machine = callback.clone();
        async move {
            c.list_executions()
                .state_machine_arn(machine)
                .status_filter(status)
                .send()
                .await
                .unwrap()
                .executions
                .into_iter()
                .map(|e| e.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(ExecutionStatus::Running).await, ["running"]);
    assert_eq!(list(ExecutionStatus::Aborted).await, ["stopped"]);
    assert!(list(ExecutionStatus::Succeeded).await.is_empty());
    let all = c
        .list_executions()
        .state_machine_arn(&pass)
        .send()
        .await
        .unwrap();
    let item = &all.executions[0];
    assert_eq!(
        (item.name.as_str(), &item.status, item.redrive_count()),
        ("done", &ExecutionStatus::Succeeded, Some(0))
    );
    assert!(item.stop_date.is_some());
    let err = refused!(c
        .list_executions()
        .state_machine_arn(&pass)
        .status_filter(ExecutionStatus::from("succeeded")));
    assert!(err.is_validation_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]")
    );

    // Pagination: newest first, pages of 5.
    let mut started = vec!["done".to_string()];
    for i in 0..11 {
        let name = format!("run-{i:02}");
        let arn = start(&c, &pass, Some(&name), "{}").await;
        wait_done(&c, &arn).await;
        started.push(name);
    }
    started.reverse();
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_executions()
            .state_machine_arn(&pass)
            .max_results(5)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.executions.len() <= 5);
        seen.extend(page.executions.into_iter().map(|e| e.name));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, started);
    let long = "x".repeat(3097);
    let err = refused!(c
        .list_executions()
        .state_machine_arn(&pass)
        .next_token(&long));
    assert!(err.is_validation_exception(), "{err:?}");
    assert!(err
        .message()
        .unwrap()
        .ends_with("Member must have length less than or equal to 3096"));
}

#[sfn_harness::test(seed = 8)]
async fn execution_history_pages_reverses_and_hides_data(h: Harness) {
    let c = h.sfn_client().await;
    let pass = create(&c, "pass", &pass_definition()).await;
    let arn = start(&c, &pass, None, r#"{"secret":"s3cr3t"}"#).await;
    wait_done(&c, &arn).await;

    let full = c
        .get_execution_history()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap();
    let types: Vec<_> = full.events.iter().map(|e| e.r#type.clone()).collect();
    assert_eq!(
        types,
        [
            HistoryEventType::ExecutionStarted,
            HistoryEventType::PassStateEntered,
            HistoryEventType::PassStateExited,
            HistoryEventType::PassStateEntered,
            HistoryEventType::PassStateExited,
            HistoryEventType::ExecutionSucceeded,
        ]
    );
    let ids: Vec<i64> = full.events.iter().map(|e| e.id).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    let prev: Vec<i64> = full.events.iter().map(|e| e.previous_event_id).collect();
    // The first state's entry points back to nothing, as on AWS (previousEventId 0).
    assert_eq!(prev, [0, 0, 2, 3, 4, 5]);
    let started = full.events[0].execution_started_event_details().unwrap();
    assert_eq!(started.input(), Some(r#"{"secret":"s3cr3t"}"#));
    assert!(full.next_token.is_none());

    // reverseOrder: newest first.
    let rev = c
        .get_execution_history()
        .execution_arn(&arn)
        .reverse_order(true)
        .send()
        .await
        .unwrap();
    let rev_ids: Vec<i64> = rev.events.iter().map(|e| e.id).collect();
    assert_eq!(rev_ids, [6, 5, 4, 3, 2, 1]);

    // maxResults + nextToken, in both orders.
    for reverse in [false, true] {
        let mut ids = Vec::new();
        let mut token = None;
        loop {
            let page = c
                .get_execution_history()
                .execution_arn(&arn)
                .reverse_order(reverse)
                .max_results(4)
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            assert!(page.events.len() <= 4);
            ids.extend(page.events.iter().map(|e| e.id));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        let expected: Vec<i64> = if reverse {
            rev_ids.clone()
        } else {
            (1..=6).collect()
        };
        assert_eq!(ids, expected);
    }

    // includeExecutionData=false: the events without their input and output.
    let bare = c
        .get_execution_history()
        .execution_arn(&arn)
        .include_execution_data(false)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.events.len(), 6);
    let started = bare.events[0].execution_started_event_details().unwrap();
    assert_eq!(started.input(), None);
    assert_eq!(started.role_arn(), Some(ROLE));
    let entered = bare.events[1].state_entered_event_details().unwrap();
    assert_eq!((entered.name.as_str(), entered.input()), ("First", None));
    let exited = bare.events[2].state_exited_event_details().unwrap();
    assert_eq!(exited.output(), None);
    let succeeded = bare.events[5].execution_succeeded_event_details().unwrap();
    assert_eq!(succeeded.output(), None);
    assert!(format!("{bare:?}").find("s3cr3t").is_none());

    let err = refused!(c
        .get_execution_history()
        .execution_arn(&arn)
        .next_token("sfnh-page-99"));
    assert!(err.is_invalid_token(), "{err:?}");
}

#[sfn_harness::test(seed = 9)]
async fn stop_execution_records_the_abort(h: Harness) {
    let c = h.sfn_client().await;
    let q = h.create_queue("jobs").await.unwrap();
    let machine = create(&c, "callback", &callback_definition(&q, 3600)).await;
    let arn = start(&c, &machine, None, "{}").await;
    let stopped = c
        .stop_execution()
        .execution_arn(&arn)
        .error("Cancelled")
        .cause("operator")
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.stop_date.to_millis().unwrap() as u64, h.now_ms());
    let hist = c
        .get_execution_history()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap();
    let last = hist.events.last().unwrap();
    assert_eq!(last.r#type, HistoryEventType::ExecutionAborted);
    let details = last.execution_aborted_event_details().unwrap();
    assert_eq!(
        (details.error(), details.cause()),
        (Some("Cancelled"), Some("operator"))
    );

    // Stopping without error or cause records empty details, as AWS does.
    let arn = start(&c, &machine, None, "{}").await;
    c.stop_execution().execution_arn(&arn).send().await.unwrap();
    let hist = c
        .get_execution_history()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap();
    let details = hist
        .events
        .last()
        .unwrap()
        .execution_aborted_event_details()
        .unwrap();
    assert_eq!((details.error(), details.cause()), (None, None));
}

#[sfn_harness::test(seed = 10)]
async fn start_sync_execution_is_for_express_machines(h: Harness) {
    let c = h.sfn_client().await;
    let express = c
        .create_state_machine()
        .name("quick")
        .definition(pass_definition())
        .role_arn(ROLE)
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let d = c
        .describe_state_machine()
        .state_machine_arn(&express)
        .send()
        .await
        .unwrap();
    assert_eq!(d.r#type, StateMachineType::Express);

    let out = c
        .start_sync_execution()
        .state_machine_arn(&express)
        .name("sync-1")
        .input(r#"{"n":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status.as_str(), "SUCCEEDED");
    assert_eq!(out.name(), Some("sync-1"));
    assert_eq!(out.output(), Some(r#"{"n":1,"first":{"step":1}}"#));
    assert_eq!(out.input(), Some(r#"{"n":1}"#));
    assert!(
        out.execution_arn
            .starts_with("arn:aws:states:us-east-1:123456789012:express:quick:sync-1:"),
        "{}",
        out.execution_arn
    );
    assert!(out.billing_details().is_some());
    // Express names can be reused at once: another execution, another ARN.
    let again = c
        .start_sync_execution()
        .state_machine_arn(&express)
        .name("sync-1")
        .send()
        .await
        .unwrap();
    assert_ne!(again.execution_arn, out.execution_arn);

    // A failing EXPRESS execution reports its error and cause.
    let failing = c
        .create_state_machine()
        .name("failing")
        .definition(
            r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"on purpose"}}}"#,
        )
        .role_arn(ROLE)
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let out = c
        .start_sync_execution()
        .state_machine_arn(&failing)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status.as_str(), "FAILED");
    assert_eq!(
        (out.error(), out.cause()),
        (Some("Boom"), Some("on purpose"))
    );

    // STANDARD machines do not run synchronously.
    let standard = create(&c, "standard", &pass_definition()).await;
    let err = refused!(c.start_sync_execution().state_machine_arn(&standard));
    assert!(err.is_state_machine_type_not_supported(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("This operation is not supported by this type of state machine")
    );

    // EXPRESS executions are not listed, described, stopped or given a history.
    let err = refused!(c.list_executions().state_machine_arn(&express));
    assert!(err.is_state_machine_type_not_supported(), "{err:?}");
    let async_arn = start(&c, &express, None, "{}").await;
    assert!(async_arn.contains(":express:quick:"), "{async_arn}");
    let err = refused!(c.describe_execution().execution_arn(&async_arn));
    assert!(err.is_invalid_arn(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Invalid Arn: 'Resource type not valid in this context: express'")
    );
    let err = refused!(c.get_execution_history().execution_arn(&out.execution_arn));
    assert!(err.is_invalid_arn(), "{err:?}");
    let err = refused!(c.stop_execution().execution_arn(&async_arn));
    assert!(err.is_invalid_arn(), "{err:?}");
}

#[sfn_harness::test(seed = 11)]
async fn describe_state_machine_for_execution_shows_the_version_it_ran(h: Harness) {
    let c = h.sfn_client().await;
    let q = h.create_queue("jobs").await.unwrap();
    let v1 = callback_definition(&q, 3600);
    let machine = create(&c, "versioned", &v1).await;
    let arn = start(&c, &machine, None, "{}").await;
    let v2 = pass_definition();
    c.update_state_machine()
        .state_machine_arn(&machine)
        .definition(&v2)
        .send()
        .await
        .unwrap();

    let for_exec = c
        .describe_state_machine_for_execution()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(for_exec.definition, v1);
    assert_eq!(for_exec.state_machine_arn, machine);
    assert_eq!(for_exec.name, "versioned");
    assert_eq!(for_exec.role_arn, ROLE);
    assert_eq!(for_exec.revision_id(), None);
    let now = c
        .describe_state_machine()
        .state_machine_arn(&machine)
        .send()
        .await
        .unwrap();
    assert_eq!(now.definition, v2);
    // A new execution runs (and is described with) the new version.
    let arn2 = start(&c, &machine, None, "{}").await;
    let for_exec2 = c
        .describe_state_machine_for_execution()
        .execution_arn(&arn2)
        .send()
        .await
        .unwrap();
    assert_eq!(for_exec2.definition, v2);
    assert_eq!(for_exec2.revision_id(), now.revision_id());

    let err = refused!(c
        .describe_state_machine_for_execution()
        .execution_arn("arn:aws:states:us-east-1:123456789012:execution:versioned:nope"));
    assert!(err.is_execution_does_not_exist(), "{err:?}");
}

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build()
}

#[sfn_harness::test(seed = 12)]
async fn tags(h: Harness) {
    let c = h.sfn_client().await;
    let arn = c
        .create_state_machine()
        .name("tagged")
        .definition(pass_definition())
        .role_arn(ROLE)
        .tags(tag("team", "payments"))
        .tags(tag("env", "test"))
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let listed = |c: Client, arn: String| async move {
        c.list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .unwrap()
            .tags()
            .iter()
            .map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string()))
            .collect::<Vec<_>>()
    };
    let pairs = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        listed(c.clone(), arn.clone()).await,
        pairs(&[("team", "payments"), ("env", "test")])
    );
    c.tag_resource()
        .resource_arn(&arn)
        .tags(tag("env", "prod"))
        .tags(tag("owner", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed(c.clone(), arn.clone()).await,
        pairs(&[("team", "payments"), ("env", "prod"), ("owner", "")])
    );
    c.untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .tag_keys("absent")
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed(c.clone(), arn.clone()).await,
        pairs(&[("env", "prod"), ("owner", "")])
    );

    let unknown = "arn:aws:states:us-east-1:123456789012:stateMachine:nope";
    let err = refused!(c.tag_resource().resource_arn(unknown).tags(tag("a", "b")));
    assert!(err.is_resource_not_found(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("Resource not found: '{unknown}'").as_str())
    );
    let err = refused!(c.list_tags_for_resource().resource_arn(unknown));
    assert!(err.is_resource_not_found(), "{err:?}");
    let err = refused!(c.untag_resource().resource_arn("nope").tag_keys("a"));
    assert!(err.is_invalid_arn(), "{err:?}");
    let mut too_many = c.tag_resource().resource_arn(&arn);
    for i in 0..50 {
        too_many = too_many.tags(tag(&format!("k{i}"), "v"));
    }
    let err = refused!(too_many);
    assert!(err.is_too_many_tags(), "{err:?}");
}

#[sfn_harness::test(seed = 13)]
async fn operations_not_served_are_unknown(h: Harness) {
    let c = h.sfn_client().await;
    let err = refused!(c.create_activity().name("a"));
    assert_eq!(err.code(), Some("UnknownOperationException"), "{err:?}");
    let err = refused!(c.list_activities());
    assert_eq!(err.code(), Some("UnknownOperationException"), "{err:?}");
    // The endpoint still serves what it knows afterwards.
    c.list_state_machines().send().await.unwrap();
}

// ---- The typed errors a worker meets, one test each -------------------------------------

/// A callback execution waiting on `jobs`; returns (machine, execution).
async fn waiting_execution(
    h: &Harness,
    c: &Client,
    timeout_seconds: u64,
) -> (String, String, String) {
    let q = h.create_queue("jobs").await.unwrap();
    let machine = create(c, "callback", &callback_definition(&q, timeout_seconds)).await;
    let exec = start(c, &machine, None, r#"{"order":7}"#).await;
    (q, machine, exec)
}

#[sfn_harness::test(seed = 20)]
async fn answering_a_timed_out_task_is_task_timed_out(h: Harness) {
    let c = h.sfn_client().await;
    let (q, _, exec) = waiting_execution(&h, &c, 5).await;
    // The task's 5 s pass (virtual time) before the worker gets to the message.
    h.advance(Duration::from_secs(6)).await;
    let d = wait_done(&c, &exec).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error(), Some("States.Timeout"));
    let (token, _) = receive_token(&h, &q).await;
    for err in [
        c.send_task_success()
            .task_token(&token)
            .output("{}")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
        c.send_task_heartbeat()
            .task_token(&token)
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
    ] {
        assert_eq!(err.code(), Some("TaskTimedOut"));
        assert_eq!(
            err.message(),
            Some("Task Timed Out: 'Provided task does not exist anymore'")
        );
    }
    let err = refused!(c.send_task_failure().task_token(&token));
    assert!(err.is_task_timed_out(), "{err:?}");
}

#[sfn_harness::test(seed = 21)]
async fn answering_twice_is_task_timed_out(h: Harness) {
    let c = h.sfn_client().await;
    let (q, _, exec) = waiting_execution(&h, &c, 3600).await;
    let (token, _) = receive_token(&h, &q).await;
    c.send_task_success()
        .task_token(&token)
        .output(r#"{"ok":true}"#)
        .send()
        .await
        .unwrap();
    let err = refused!(c
        .send_task_success()
        .task_token(&token)
        .output(r#"{"ok":true}"#));
    assert!(err.is_task_timed_out(), "{err:?}");
    let d = wait_done(&c, &exec).await;
    assert_eq!(d.output(), Some(r#"{"ok":true}"#));
}

#[sfn_harness::test(seed = 22)]
async fn a_token_this_endpoint_never_issued_is_task_does_not_exist(h: Harness) {
    let c = h.sfn_client().await;
    let (q, _, _) = waiting_execution(&h, &c, 3600).await;
    let (token, _) = receive_token(&h, &q).await;
    // Same shape, other bits: a token that could have been issued, but was not.
    let mut forged: Vec<char> = token.chars().collect();
    let i = forged.len() / 2;
    forged[i] = if forged[i] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let err = refused!(c.send_task_success().task_token(&forged).output("{}"));
    assert!(err.is_task_does_not_exist(), "{err:?}");
    let err = refused!(c.send_task_heartbeat().task_token(&forged));
    assert!(err.is_task_does_not_exist(), "{err:?}");
    // The real token is untouched by that.
    c.send_task_success()
        .task_token(&token)
        .output("{}")
        .send()
        .await
        .unwrap();
}

#[sfn_harness::test(seed = 23)]
async fn a_malformed_token_is_invalid_token(h: Harness) {
    let c = h.sfn_client().await;
    let err = refused!(c
        .send_task_success()
        .task_token("not-a-task-token")
        .output("{}"));
    assert!(err.is_invalid_token(), "{err:?}");
    let err = refused!(c
        .send_task_failure()
        .task_token("not-a-task-token")
        .error("E"));
    assert!(err.is_invalid_token(), "{err:?}");
    let err = refused!(c.send_task_heartbeat().task_token("x".repeat(2049)));
    assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
}

#[sfn_harness::test(seed = 24)]
async fn output_that_is_not_json_is_invalid_output(h: Harness) {
    let c = h.sfn_client().await;
    let (q, _, exec) = waiting_execution(&h, &c, 3600).await;
    let (token, _) = receive_token(&h, &q).await;
    let err = refused!(c.send_task_success().task_token(&token).output("{not json"));
    assert!(err.is_invalid_output(), "{err:?}");
    // The token is still open: a good answer goes through.
    c.send_task_success()
        .task_token(&token)
        .output(r#"[1,2]"#)
        .send()
        .await
        .unwrap();
    assert_eq!(wait_done(&c, &exec).await.output(), Some("[1,2]"));
}

#[sfn_harness::test(seed = 25)]
async fn describing_an_unknown_execution_is_execution_does_not_exist(h: Harness) {
    let c = h.sfn_client().await;
    let (_, _, exec) = waiting_execution(&h, &c, 3600).await;
    let other = exec.replace(":execution:callback:", ":execution:callback:x");
    let err = refused!(c.describe_execution().execution_arn(&other));
    assert!(err.is_execution_does_not_exist(), "{err:?}");
}

#[sfn_harness::test(seed = 26)]
async fn starting_a_missing_machine_is_state_machine_does_not_exist(h: Harness) {
    let c = h.sfn_client().await;
    let err = refused!(c
        .start_execution()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:missing")
        .input("{}"));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
    let err = refused!(c
        .describe_state_machine()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:missing"));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
}
