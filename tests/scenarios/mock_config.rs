//! Step Functions Local's MockConfigFile, run by sfn-harness: AWS's own sample
//! (`LambdaSQSIntegration` with `HappyPath`, `RetryPath`, `HybridPath`, from the developer
//! guide's "Configuration file for mocked service integrations in Step Functions",
//! sfn-local-mock-cfg-file.html — this test keeps its own copy), and one test per refusal.

use serde_json::{json, Value};
use sfn_harness::internals::{Account, AccountConfig};
use sfn_harness::prelude::*;
use sfn_harness::Clock;
use sfn_harness::{MockConfig, MockConfigError};
use std::time::Duration;

/// The sample mock file (the MD5 and message ids are AWS's sample's own, not real digests).
fn sample() -> Value {
    json!({
      "StateMachines": {
        "LambdaSQSIntegration": {
          "TestCases": {
            "HappyPath": { "LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess" },
            "RetryPath": { "LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess" },
            "HybridPath": { "LambdaState": "MockedLambdaSuccess" }
          }
        }
      },
      "MockedResponses": {
        "MockedLambdaSuccess": {
          "0": { "Return": { "StatusCode": 200, "Payload": { "StatusCode": 200, "body": "Hello from Lambda!" } } }
        },
        "LambdaMockedResourceNotReady": {
          "0": { "Throw": { "Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready." } }
        },
        "MockedSQSSuccess": {
          "0": { "Return": { "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51", "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51" } }
        },
        "MockedLambdaRetry": {
          "0": { "Throw": { "Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready." } },
          "1-2": { "Throw": { "Error": "Lambda.TimeoutException", "Cause": "Lambda timed out." } },
          "3": { "Return": { "StatusCode": 200, "Payload": { "StatusCode": 200, "body": "Hello from Lambda!" } } }
        }
      }
    })
}

/// The sample's state machine, with a queue of this harness.
fn definition(queue_url: &str) -> Value {
    json!({
      "Comment": "This state machine is called: LambdaSQSIntegration",
      "StartAt": "LambdaState",
      "States": {
        "LambdaState": {
          "Type": "Task",
          "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": { "Payload.$": "$", "FunctionName": "HelloWorldFunction" },
          "Retry": [{ "ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2 }],
          "Next": "SQSState"
        },
        "SQSState": {
          "Type": "Task",
          "Resource": "arn:aws:states:::sqs:sendMessage",
          "Parameters": { "QueueUrl": queue_url, "MessageBody.$": "$" },
          "End": true
        }
      }
    })
}

async fn sample_harness() -> (Harness, Machine) {
    let h = Harness::builder().seed(11).start().await;
    h.load_mock_config(MockConfig::from_value(&sample()).unwrap());
    let url = h.create_queue("myQueue").await.unwrap();
    let m = h
        .create_state_machine("LambdaSQSIntegration", definition(&url))
        .await
        .unwrap();
    (h, m)
}

fn types(done: &Finished) -> Vec<String> {
    super::support::event_types(&done.aws_history())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_returns_the_mocked_responses() {
    let (_h, m) = sample_harness().await;
    let done = m
        .start_test_case("HappyPath", json!({}))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(done.status(), Status::Succeeded);
    let out = done.output().unwrap();
    // The SQS integration shapes the mocked SendMessage response as its own.
    assert_eq!(out["MessageId"], "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51");
    assert_eq!(out["SdkHttpMetadata"]["HttpStatusCode"], 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_path_counts_every_retry() {
    let (_h, m) = sample_harness().await;
    let done = m
        .start_test_case("RetryPath", json!({}))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(done.status(), Status::Succeeded);
    let t = types(&done);
    assert_eq!(t.iter().filter(|t| *t == "TaskFailed").count(), 3, "{t:?}");
    // Three retries, 2 + 4 + 8 seconds apart.
    assert_eq!(done.duration(), std::time::Duration::from_secs(14));
    let failed: Vec<_> = done
        .aws_history()
        .iter()
        .filter(|e| e.event_type == "TaskFailed")
        .filter_map(|e| {
            e.details()
                .and_then(|d| d.get("error"))
                .and_then(Value::as_str)
                .map(String::from)
        })
        .collect();
    assert_eq!(
        failed,
        [
            "Lambda.ResourceNotReadyException",
            "Lambda.TimeoutException",
            "Lambda.TimeoutException"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hybrid_path_calls_the_real_queue() {
    let (_h, m) = sample_harness().await;
    let done = m
        .start_test_case("HybridPath", json!({}))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(done.status(), Status::Succeeded);
    let out = done.output().unwrap();
    // A real SendMessage: the digest of the body sent (the mocked Lambda response), not the
    // sample's made-up one.
    assert_ne!(out["MessageId"], "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51");
    assert_eq!(out["MD5OfMessageBody"].as_str().map(str::len), Some(32));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_test_case_is_refused() {
    let (_h, m) = sample_harness().await;
    let e = m.start_test_case("SadPath", json!({})).await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("no test case 'SadPath'")
            && text.contains("HappyPath, HybridPath, RetryPath"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exhausted_responses_fail_the_execution_with_states_runtime() {
    let h = Harness::builder().seed(3).start().await;
    h.load_mock_config(
        MockConfig::from_value(&json!({
            "StateMachines": { "loop": { "TestCases": { "Once": { "Work": "One" } } } },
            "MockedResponses": { "One": { "0": { "Throw": { "Error": "Boom", "Cause": "first" } } } }
        }))
        .unwrap(),
    );
    let m = h
        .create_state_machine(
            "loop",
            json!({ "StartAt": "Work", "States": { "Work": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{ "ErrorEquals": ["Boom"], "MaxAttempts": 2, "IntervalSeconds": 1 }],
            "End": true } } }),
        )
        .await
        .unwrap();
    let done = m
        .start_test_case("Once", json!({}))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.Runtime"));
    assert!(
        done.cause()
            .unwrap()
            .contains("has no entry for invocation 1"),
        "{:?}",
        done.cause()
    );
}

#[test]
fn a_malformed_file_is_refused_with_its_place() {
    let dir = std::env::temp_dir().join(format!("sfnh-mock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("MockConfigFile.json");
    std::fs::write(&p, "{ \"StateMachines\": ").unwrap();
    assert!(matches!(
        MockConfig::from_file(&p),
        Err(MockConfigError::Json(_))
    ));
    std::fs::write(
        &p,
        r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": 7}}}}}"#,
    )
    .unwrap();
    let e = MockConfig::from_file(&p).unwrap_err();
    assert_eq!(e.to_string(), "invalid mock configuration at $.StateMachines.M.TestCases.T.S: must name a mocked response, not a number");
    assert!(matches!(
        MockConfig::from_file(dir.join("absent.json")),
        Err(MockConfigError::Io { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_ranges_are_refused() {
    let e = MockConfig::from_value(&json!({ "MockedResponses": { "R": {
        "0": { "Return": 1 }, "2-3": { "Return": 2 } } } }))
    .unwrap_err();
    assert_eq!(
        e,
        MockConfigError::Invalid {
            path: "$.MockedResponses.R[\"2-3\"]".into(),
            message: "the invocations must be numbered consecutively from 0: '2-3' starts at 2, but invocation 1 has no response".into()
        }
    );
}

/// A callback task whose mock says `AnsweredByWorker`: the mocked SendMessage answer is the
/// submission, and a scripted worker answers the token, `AfterMs` and the worker's own delay
/// adding up on the harness clock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mocked_callback_can_be_answered_by_a_worker() {
    let config = json!({
        "StateMachines": { "approve": { "TestCases": { "Slow": { "Ask": "Asked" } } } },
        "MockedResponses": { "Asked": { "0": {
            "Return": { "MessageId": "m-1", "MD5OfMessageBody": "x" },
            "AfterMs": 1000,
            "AnsweredByWorker": true } } }
    });
    let machine = json!({ "StartAt": "Ask", "States": { "Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": { "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/nowhere",
                        "MessageBody": { "token.$": "$$.Task.Token" } },
        "TimeoutSeconds": 60, "End": true } } });
    let h = Harness::builder().seed(5).start().await;
    h.load_mock_config(MockConfig::from_value(&config).unwrap());
    let m = h.create_state_machine("approve", &machine).await.unwrap();
    h.on_task("Ask")
        .respond_with(Reply::respond(json!({ "approved": true })).after(Duration::from_secs(5)))
        .expect(1)
        .mount()
        .await;
    let done = m
        .start_test_case("Slow", json!({}))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(done.status(), Status::Succeeded, "{:?}", types(&done));
    assert_eq!(done.output(), Some(&json!({ "approved": true })));
    assert_eq!(done.duration(), Duration::from_secs(6));
    let t = types(&done);
    assert!(t.contains(&"TaskSubmitted".to_string()), "{t:?}");
    let submitted = done
        .aws_history()
        .into_iter()
        .find(|e| e.event_type == "TaskSubmitted")
        .unwrap();
    let output = &submitted.details().unwrap()["output"];
    let output: Value = match output.as_str() {
        Some(text) => serde_json::from_str(text).unwrap(),
        None => output.clone(),
    };
    assert_eq!(output["MessageId"], "m-1", "{output}");
    // Nobody answers: the task's own timeout ends it, as for an unmocked callback.
    let h2 = Harness::builder().seed(5).start().await;
    h2.load_mock_config(MockConfig::from_value(&config).unwrap());
    let m2 = h2.create_state_machine("approve", &machine).await.unwrap();
    let done = m2
        .start_test_case("Slow", json!({}))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_by_worker_needs_a_callback_task_and_a_return() {
    let e = MockConfig::from_value(&json!({ "MockedResponses": { "R": {
        "0": { "Throw": { "Error": "E", "Cause": "c" }, "AnsweredByWorker": true } } } }))
    .unwrap_err();
    assert!(e.to_string().contains("needs a Return"), "{e}");
    let h = Harness::builder().seed(6).start().await;
    h.load_mock_config(
        MockConfig::from_value(&json!({
            "StateMachines": { "plain": { "TestCases": { "T": { "Call": "R" } } } },
            "MockedResponses": { "R": { "0": { "Return": {}, "AnsweredByWorker": true } } }
        }))
        .unwrap(),
    );
    let m = h
        .create_state_machine(
            "plain",
            json!({ "StartAt": "Call", "States": { "Call": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true } } }),
        )
        .await
        .unwrap();
    let done = m
        .start_test_case("T", json!({}))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(done.error().as_deref(), Some("States.Runtime"));
    assert!(
        done.cause()
            .unwrap()
            .contains("only a .waitForTaskToken task"),
        "{:?}",
        done.cause()
    );
}

/// A test case as scripted workers, one response changed in code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_case_becomes_scripted_workers() {
    let h = Harness::builder().seed(12).start().await;
    let url = h.create_queue("myQueue").await.unwrap();
    let m = h
        .create_state_machine("LambdaSQSIntegration", definition(&url))
        .await
        .unwrap();
    let config = MockConfig::from_value(&sample()).unwrap();
    // The sample's SQSState runs its own integration: it stays in the mock file.
    let e = m.mock_workers(&config, "RetryPath").unwrap_err();
    assert!(e.to_string().contains("state 'SQSState'"), "{e}");
    // A test case of the Lambda state alone (HybridPath), its one response changed.
    let workers = m.mock_workers(&config, "HybridPath").unwrap();
    assert_eq!(workers.len(), 1);
    for w in workers {
        h.mount(w.then(Reply::respond(json!("second call")))).await;
    }
    let done = m.start(json!({})).await.unwrap().finish().await.unwrap();
    assert_eq!(done.status(), Status::Succeeded);
    // The function's payload (the mocked Invoke response's `Payload`) went to the real queue.
    let body = &done.output().unwrap();
    assert_eq!(body["MD5OfMessageBody"].as_str().map(str::len), Some(32));
    let e = m.mock_workers(&config, "SadPath").unwrap_err();
    assert!(e.to_string().contains("no test case 'SadPath'"), "{e}");
}

#[tokio::test(flavor = "current_thread")]
async fn the_endpoint_selects_test_cases_by_arn_suffix() {
    let account = Account::new(AccountConfig {
        clock: Clock::virtual_at(0),
        seed: Some(1),
        mock_config: Some(MockConfig::from_value(&sample()).unwrap()),
        ..AccountConfig::default()
    });
    let router = account.router();
    let call = |op: &'static str, body: Value| {
        let router = router.clone();
        async move {
            let r = router
                .handle(
                    Some(&format!("AWSStepFunctions.{op}")),
                    body.to_string().as_bytes(),
                )
                .await;
            (
                r.status,
                serde_json::from_slice::<Value>(&r.body).unwrap_or(Value::Null),
            )
        }
    };
    let (s, m) = call(
        "CreateStateMachine",
        json!({ "name": "LambdaSQSIntegration",
        "definition": definition("https://sqs.us-east-1.amazonaws.com/123456789012/q").to_string(),
        "roleArn": "arn:aws:iam::123456789012:role/r" }),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    let arn = m["stateMachineArn"].as_str().unwrap().to_string();
    let (s, e) = call(
        "StartExecution",
        json!({ "stateMachineArn": format!("{arn}#Nope") }),
    )
    .await;
    assert_eq!(
        (s, e["__type"].as_str()),
        (400, Some("ValidationException")),
        "{e}"
    );
    let (s, e) = call(
        "StartSyncExecution",
        json!({ "stateMachineArn": format!("{arn}#HappyPath") }),
    )
    .await;
    assert_eq!(
        (s, e["__type"].as_str()),
        (400, Some("ValidationException")),
        "{e}"
    );
    let (s, x) = call(
        "StartExecution",
        json!({ "stateMachineArn": format!("{arn}#HappyPath") }),
    )
    .await;
    assert_eq!(s, 200, "{x}");
    // The execution belongs to the machine itself (the suffix selects the test case only).
    assert!(
        x["executionArn"]
            .as_str()
            .unwrap()
            .contains(":execution:LambdaSQSIntegration:"),
        "{x}"
    );
}

/// The sample through `sfn-harness serve --mock-config` with the AWS CLI, as a Step Functions
/// Local user runs it: HappyPath, RetryPath, and HybridPath (whose SQS state sends to a real
/// queue of the endpoint). Needs the `cli` feature (for the binary) and `aws` on PATH
/// (`.ci/install-aws-cli.sh` installs it; `.ci/run` puts it on PATH). Without `aws` it says so
/// and returns, except under `CI=true`, where it fails: CI must run it.
#[cfg(feature = "cli")]
#[test]
fn the_sample_runs_through_serve_with_the_aws_cli() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    if Command::new("aws").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the AWS CLI (aws) is not on PATH: .ci/run installs it with .ci/install-aws-cli.sh"
        );
        eprintln!(
            "skipped: the AWS CLI (aws) is not on PATH (bash .ci/install-aws-cli.sh installs it)"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("sfnh-mock-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("MockConfigFile.json");
    std::fs::write(&file, sample().to_string()).unwrap();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_sfn-harness"))
        .args(["serve", "--port", "0", "--mock-config"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(serve.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    let cli = |service: &str, args: &[&str]| -> Value {
        let out = Command::new("aws")
            .args([service, "--endpoint-url", &url, "--output", "json"])
            .args(args)
            // Dummy values: the local endpoint checks no signature.
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let aws = |args: &[&str]| cli("stepfunctions", args);
    // HybridPath's SQSState calls the real SendMessage: the queue must exist.
    let queue = cli("sqs", &["create-queue", "--queue-name", "myQueue"]);
    let queue_url = queue["QueueUrl"].as_str().unwrap().to_string();
    let def = definition(&queue_url).to_string();
    let m = aws(&[
        "create-state-machine",
        "--name",
        "LambdaSQSIntegration",
        "--definition",
        &def,
        "--role-arn",
        "arn:aws:iam::123456789012:role/DummyRole",
    ]);
    let arn = m["stateMachineArn"].as_str().unwrap().to_string();
    for (case, retries) in [("HappyPath", 0), ("RetryPath", 3), ("HybridPath", 0)] {
        let x = aws(&[
            "start-execution",
            "--state-machine-arn",
            &format!("{arn}#{case}"),
        ]);
        let exec = x["executionArn"].as_str().unwrap().to_string();
        // RetryPath waits 2 + 4 + 8 s of real time between its attempts.
        let mut d = Value::Null;
        for _ in 0..60 {
            d = aws(&["describe-execution", "--execution-arn", &exec]);
            if d["status"] != "RUNNING" {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        assert_eq!(d["status"], "SUCCEEDED", "{case}: {d}");
        let hist = aws(&["get-execution-history", "--execution-arn", &exec]);
        let failed = hist["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "TaskFailed")
            .count();
        assert_eq!(failed, retries, "{case}");
        let output: Value = serde_json::from_str(d["output"].as_str().unwrap()).unwrap();
        let mocked_sqs = output["MessageId"] == "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51";
        assert_eq!(mocked_sqs, case != "HybridPath", "{case}: {output}");
    }
    // The hybrid run's message is in the queue.
    let got = cli("sqs", &["receive-message", "--queue-url", &queue_url]);
    assert_eq!(got["Messages"].as_array().map(Vec::len), Some(1), "{got}");
    let _ = serve.kill();
    let _ = serve.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
