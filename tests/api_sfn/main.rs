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

use rstest::rstest;
use serde_json::{json, Value};
use sfn_harness::prelude::*;

#[path = "../support/mod.rs"]
mod support;

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
    let body = json!({ "token.$": "$$.Task.Token", "input.$": "$" });
    support::sqs_callback_machine("Work", queue_url, body, timeout_seconds).to_string()
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

// The modules come after the helpers and `refused!`, which they use.
mod executions;
mod express;
mod history;
mod machines;
mod map_runs;
mod recorded_fields;
mod s3;
mod tags;
mod tasks;
mod validate;
mod versions;
