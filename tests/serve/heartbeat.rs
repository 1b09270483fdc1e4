//! `sfn-harness serve` and issue 12: a missed heartbeat is `States.Timeout` there too.
#![cfg(feature = "cli")]

use std::time::{Duration, Instant};

use aws_sdk_sfn::types::ExecutionStatus;
use serde_json::{json, Value};

use crate::support::{sfn_client, sqs_client};
use crate::Served;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_catches_a_missed_heartbeat_as_states_timeout() {
    let served = Served::start(&["--port", "0"]);
    let sfn = sfn_client(&served.url);
    let queue = sqs_client(&served.url)
        .create_queue()
        .queue_name("packing")
        .send()
        .await
        .expect("a queue")
        .queue_url()
        .unwrap_or_default()
        .to_string();
    let definition = json!({
        "StartAt": "Pack",
        "States": {
            "Pack": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": { "QueueUrl": queue, "MessageBody": { "token.$": "$$.Task.Token" } },
                "HeartbeatSeconds": 1,
                "TimeoutSeconds": 60,
                "Catch": [{ "ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Compensate" }],
                "End": true
            },
            "Compensate": { "Type": "Pass", "End": true }
        }
    });
    let machine = sfn
        .create_state_machine()
        .name("beats")
        .definition(definition.to_string())
        .role_arn("arn:aws:iam::123456789012:role/test")
        .send()
        .await
        .expect("created");
    let exec = sfn
        .start_execution()
        .state_machine_arn(machine.state_machine_arn())
        .input("{}")
        .send()
        .await
        .expect("started");
    // Nobody heartbeats: after 1 s (wall time: serve runs on real time) the task times out.
    let deadline = Instant::now() + Duration::from_secs(20);
    let done = loop {
        let d = sfn
            .describe_execution()
            .execution_arn(exec.execution_arn())
            .send()
            .await
            .expect("described");
        if d.status() != &ExecutionStatus::Running {
            break d;
        }
        assert!(Instant::now() < deadline, "still running after 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        done.status(),
        &ExecutionStatus::Succeeded,
        "{:?}",
        done.error()
    );
    let output: Value = serde_json::from_str(done.output().unwrap_or("null")).expect("json");
    assert_eq!(output["error"]["Error"], "States.Timeout", "{output}");
}
