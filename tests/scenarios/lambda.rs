//! Lambda Tasks as users write them: `lambda:invoke` and function ARNs, played by scripted
//! workers, Rust closures and a Lambda endpoint (a wiremock server), checked against what AWS
//! records (`../shared/conformance/README.md`, "How recorded histories represent Lambda calls").

use std::time::Duration;

use serde_json::{json, Value};
use sfn_harness::asl::StatesError;
use sfn_harness::internals::function;
use sfn_harness::prelude::*;
use sfn_harness::NormalizedEvent;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The `*EventDetails` object of an event.
fn details(e: &NormalizedEvent) -> &Value {
    static NONE: Value = Value::Null;
    e.details.values().next().unwrap_or(&NONE)
}

const FN_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:validate";

/// An order workflow: validate with Lambda (retried on throttling, as AWS's guide advises for
/// `Lambda.TooManyRequestsException`), then ship.
fn order_workflow() -> Value {
    json!({
        "StartAt": "Validate",
        "States": {
            "Validate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": { "FunctionName": "validate", "Payload.$": "$" },
                "ResultSelector": { "valid.$": "$.Payload.valid" },
                "ResultPath": "$.validation",
                "Retry": [{
                    "ErrorEquals": ["Lambda.TooManyRequestsException", "Lambda.ServiceException"],
                    "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2.0
                }],
                "Next": "Ship"
            },
            "Ship": { "Type": "Pass", "End": true }
        }
    })
}

#[sfn_harness::test(seed = 41)]
async fn a_throttled_lambda_is_retried_until_it_answers(h: Harness) {
    let machine = h
        .create_state_machine("orders", order_workflow())
        .await
        .unwrap();
    let validate = h
        .on_lambda("validate")
        .respond_with(Reply::fail(
            "Lambda.TooManyRequestsException",
            "Rate Exceeded.",
        ))
        .then(Reply::fail(
            "Lambda.TooManyRequestsException",
            "Rate Exceeded.",
        ))
        .then(Reply::respond(json!({ "valid": true })))
        .expect(3)
        .mount()
        .await;

    let done = machine
        .start(json!({ "order": 7 }))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(
        done.output(),
        Some(&json!({ "order": 7, "validation": { "valid": true } }))
    );
    assert_eq!(validate.deliveries(), 3);
    // Retries wait 2 s, then 4 s.
    assert_eq!(done.duration(), Duration::from_secs(6));
    let failed: Vec<&Value> = done
        .history()
        .events()
        .iter()
        .filter(|e| e.event_type == "TaskFailed")
        .map(details)
        .collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["error"], "Lambda.TooManyRequestsException");
    let cause = failed[0]["cause"].as_str().unwrap();
    assert!(
        cause.starts_with("Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; Request ID: "),
        "{cause}"
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 49)]
async fn an_injected_lambda_throttle_and_service_error_are_retried(h: Harness) {
    let machine = h.create_state_machine("orders", order_workflow()).await?;
    // Lambda itself refuses the first two calls, whoever serves the function.
    let throttle = h.inject(
        Fault::lambda_error("TooManyRequestsException")
            .for_state("Validate")
            .times(1)
            .expect(1),
    )?;
    let outage = h.inject(
        Fault::lambda_error("Lambda.ServiceException")
            .times(1)
            .expect(1),
    )?;
    let validate = h
        .on_lambda("validate")
        .respond(json!({ "valid": true }))
        .expect(1)
        .mount()
        .await;

    let done = machine.start(json!({ "order": 8 })).await?.finish().await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(
        validate.deliveries(),
        1,
        "the refused calls never reach the function"
    );
    assert_eq!((throttle.injected(), outage.injected()), (1, 1));
    let failed: Vec<&Value> = done
        .history()
        .events()
        .iter()
        .filter(|e| e.event_type == "TaskFailed")
        .map(details)
        .collect();
    assert_eq!(failed[0]["error"], "Lambda.TooManyRequestsException");
    assert_eq!(failed[1]["error"], "Lambda.ServiceException");
    let cause = failed[1]["cause"].as_str().unwrap();
    assert!(
        cause.contains(
            "(Service: AWSLambda; Status Code: 500; Error Code: ServiceException; Request ID: "
        ),
        "{cause}"
    );
    assert_eq!(done.duration(), Duration::from_secs(6));
    assert_eq!(h.fault_report().len(), 2);
}

#[sfn_harness::test(seed = 42)]
async fn a_scripted_lambda_answers_after_its_delay_and_is_wrapped_like_aws(h: Harness) {
    let machine = h
        .create_state_machine(
            "slow",
            json!({
                "StartAt": "Price",
                "States": { "Price": {
                    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": { "FunctionName": "price", "Payload": { "sku": "A" } },
                    "End": true } }
            }),
        )
        .await
        .unwrap();
    h.on_lambda("price")
        .respond_with(Reply::respond(json!({ "cents": 250 })).after(Duration::from_millis(1500)))
        .mount()
        .await;

    let done = machine
        .start(json!({}))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();

    assert_eq!(done.duration(), Duration::from_millis(1500));
    let out = done.output().unwrap();
    assert_eq!(out["Payload"], json!({ "cents": 250 }));
    assert_eq!(out["ExecutedVersion"], "$LATEST");
    assert_eq!(out["StatusCode"], 200);
    assert_eq!(out["SdkHttpMetadata"]["HttpStatusCode"], 200);
    assert_eq!(
        out["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"],
        json!(r#"{"cents":250}"#.len().to_string())
    );
    assert!(out["SdkResponseMetadata"]["RequestId"].is_string());
}

#[sfn_harness::test(seed = 43)]
async fn a_function_arn_records_the_lambda_function_events(h: Harness) {
    let machine = h
        .create_state_machine(
            "direct",
            json!({
                "StartAt": "Validate",
                "States": {
                    "Validate": { "Type": "Task", "Resource": FN_ARN, "TimeoutSeconds": 10,
                        "Catch": [{ "ErrorEquals": ["BadOrder"], "Next": "Rejected" }], "End": true },
                    "Rejected": { "Type": "Pass", "End": true }
                }
            }),
        )
        .await
        .unwrap();
    h.on_task("Validate")
        .respond(json!({ "ok": 1 }))
        .then(Reply::fail("BadOrder", "no items"))
        .mount()
        .await;

    let ok = machine
        .start(json!({ "items": [1] }))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(ok.output(), Some(&json!({ "ok": 1 })));
    assert_eq!(
        ok.history().types(),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    let scheduled = details(&ok.history().events()[2]);
    assert_eq!(scheduled["resource"], FN_ARN);
    assert_eq!(scheduled["timeoutInSeconds"], 10);

    let caught = machine
        .start(json!({ "items": [] }))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    let out = caught.output().unwrap();
    assert_eq!(out["Error"], "BadOrder");
    // The cause is the Lambda error JSON, as AWS records a function's error.
    let cause: Value = serde_json::from_str(out["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["errorType"], "BadOrder");
    assert_eq!(cause["errorMessage"], "no items");
    insta::assert_json_snapshot!(caught.history());
}

#[sfn_harness::test(seed = 44)]
async fn a_rust_closure_is_the_function(h: Harness) {
    h.lambda_function(
        "double",
        function(|event| async move {
            match event["n"].as_i64() {
                Some(n) => Ok(json!(n * 2)),
                None => Err(StatesError::new("ValueError", "n is missing")),
            }
        }),
    );
    let machine = h
        .create_state_machine(
            "math",
            json!({
                "StartAt": "Double",
                "States": { "Double": {
                    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": { "FunctionName": "double", "Payload.$": "$" },
                    "OutputPath": "$.Payload", "End": true } }
            }),
        )
        .await
        .unwrap();
    let done = machine
        .start(json!({ "n": 21 }))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(done.output(), Some(&json!(42)));
    let failed = machine
        .start(json!({}))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(failed.status(), Status::Failed);
    assert_eq!(failed.error().as_deref(), Some("ValueError"));
}

#[sfn_harness::test(seed = 45)]
async fn a_missing_function_is_resource_not_found(h: Harness) {
    let done = super::support::run_once(
        &h,
        "missing",
        json!({
            "StartAt": "Call",
            "States": { "Call": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": { "FunctionName": "nowhere", "Payload": {} },
                "End": true } }
        }),
        json!({}),
    )
    .await;
    assert_eq!(
        done.error().as_deref(),
        Some("Lambda.ResourceNotFoundException")
    );
    let failed = done
        .history()
        .events()
        .iter()
        .find(|e| e.event_type == "TaskFailed")
        .map(|e| details(e).clone())
        .unwrap();
    let cause = failed["cause"].as_str().unwrap();
    assert!(
        cause.starts_with("Function not found: arn:aws:lambda:us-east-1:123456789012:function:nowhere:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: "),
        "{cause}"
    );
}

#[sfn_harness::test(seed = 46)]
async fn a_wait_for_task_token_lambda_is_answered_by_its_worker(h: Harness) {
    let machine = h
        .create_state_machine(
            "approval",
            json!({
                "StartAt": "Approve",
                "States": { "Approve": {
                    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": { "FunctionName": "ask-manager",
                        "Payload": { "token.$": "$$.Task.Token", "order.$": "$.order" } },
                    "HeartbeatSeconds": 600,
                    "End": true } }
            }),
        )
        .await
        .unwrap();
    let approver = h
        .on_task("Approve")
        .respond_with(Reply::respond(json!({ "approved": true })).after(Duration::from_secs(120)))
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "order": 9 }))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(done.output(), Some(&json!({ "approved": true })));
    assert_eq!(done.duration(), Duration::from_secs(120));
    assert_eq!(approver.deliveries(), 1);
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
    // TaskSubmitted carries the Invoke response of the function that took the token.
    let submitted = details(&done.history().events()[4]);
    let output: Value = match &submitted["output"] {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        other => other.clone(),
    };
    assert_eq!(output["StatusCode"], 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lambda_endpoint_serves_the_functions() {
    let lambda = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2015-03-31/functions/validate/invocations"))
        .and(body_json(json!({ "order": 3 })))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Amz-Executed-Version", "7")
                .set_body_json(json!({ "valid": true })),
        )
        .expect(1)
        .mount(&lambda)
        .await;
    Mock::given(method("POST"))
        .and(path("/2015-03-31/functions/explode/invocations"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Amz-Function-Error", "Unhandled")
                .set_body_json(json!({ "errorType": "KeyError", "errorMessage": "'sku'",
                    "requestId": "r-1", "stackTrace": [] })),
        )
        .mount(&lambda)
        .await;

    let h = Harness::builder()
        .seed(47)
        .lambda_endpoint(lambda.uri())
        .start()
        .await;
    let machine = h
        .create_state_machine(
            "remote",
            json!({
                "StartAt": "Validate",
                "States": {
                    "Validate": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": { "FunctionName": "validate", "Payload.$": "$" },
                        "Next": "Explode" },
                    "Explode": { "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:explode",
                        "Catch": [{ "ErrorEquals": ["KeyError"], "ResultPath": "$.error", "Next": "Done" }],
                        "End": true },
                    "Done": { "Type": "Pass", "End": true }
                }
            }),
        )
        .await
        .unwrap();
    let done = machine
        .start(json!({ "order": 3 }))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(done.status(), Status::Succeeded);
    let out = done.output().unwrap();
    assert_eq!(out["Payload"], json!({ "valid": true }));
    assert_eq!(out["ExecutedVersion"], "7");
    assert_eq!(out["error"]["Error"], "KeyError");
    let cause: Value = serde_json::from_str(out["error"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["errorMessage"], "'sku'");
    lambda.verify().await;
}

#[sfn_harness::test(seed = 48)]
async fn a_resource_with_no_response_says_how_to_give_one(h: Harness) {
    let done = super::support::run_once(
        &h,
        "stock",
        json!({
            "StartAt": "Reserve",
            "States": { "Reserve": {
                "Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": { "TableName": "stock", "Key": { "sku": { "S": "A" } } },
                "End": true } }
        }),
        json!({}),
    )
    .await;
    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.Runtime"));
    let failed = done
        .history()
        .events()
        .iter()
        .find(|e| e.event_type == "TaskFailed")
        .map(|e| details(e).clone())
        .unwrap();
    assert_eq!(failed["resourceType"], "dynamodb");
    assert_eq!(failed["resource"], "updateItem");
    let cause = failed["cause"].as_str().unwrap();
    assert!(
        cause.contains("h.on_task(\"Reserve\").respond(..)"),
        "{cause}"
    );
    assert!(cause.contains("sfn-harness serve"), "{cause}");
    assert!(!cause.contains("Engine::register_resource"), "{cause}");
}
