//! TestState through `Harness::test_state` and through the endpoint with the SDK: the answers
//! of AWS's TestState API (recorded in ../shared/conformance/v2/test_state.*), and one test per
//! kind of request AWS refuses.

use sfn_harness::HarnessError;
use sfn_harness::{FieldValidationMode, InspectionLevel, TestStatus};

use super::*;

fn lambda_task() -> Value {
    json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": { "FunctionName": "price", "Payload.$": "$.order" },
        "ResultSelector": { "total.$": "$.Payload.total" },
        "ResultPath": "$.price",
        "Retry": [{ "ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2.0 }],
        "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "Apologise" }],
        "Next": "Ship"
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mocked_task_shows_each_step_of_its_data_flow() {
    let h = Harness::start().await;
    let out = h
        .test_state(lambda_task())
        .input(json!({ "order": { "id": 7 } }))
        .mock_result(json!({ "Payload": { "total": 42 }, "StatusCode": 200 }))
        .inspection_level(InspectionLevel::Debug)
        .run()
        .await
        .unwrap();
    assert_eq!(out.status, TestStatus::Succeeded, "{out:?}");
    assert_eq!(out.next_state.as_deref(), Some("Ship"));
    assert_eq!(
        out.output,
        Some(json!({ "order": { "id": 7 }, "price": { "total": 42 } }))
    );
    let d = &out.inspection_data;
    assert_eq!(d["input"], json!({ "order": { "id": 7 } }));
    assert_eq!(d["afterInputPath"], json!({ "order": { "id": 7 } }));
    assert_eq!(
        d["afterParameters"],
        json!({ "FunctionName": "price", "Payload": { "id": 7 } })
    );
    assert_eq!(
        d["result"],
        json!({ "Payload": { "total": 42 }, "StatusCode": 200 })
    );
    assert_eq!(d["afterResultSelector"], json!({ "total": 42 }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mocked_error_is_retriable_until_the_retrier_is_spent_then_caught() {
    let h = Harness::start().await;
    let order = json!({ "order": { "id": 7 } });
    let throttled = || {
        h.test_state(lambda_task())
            .input(order.clone())
            .mock_error("Lambda.TooManyRequestsException", "slow down")
            .inspection_level(InspectionLevel::Trace)
    };
    // Retry 2: IntervalSeconds 2 × BackoffRate 2² = 8 s before the next attempt.
    let out = throttled().retrier_retry_count(2).run().await.unwrap();
    assert_eq!(out.status, TestStatus::Retriable, "{out:?}");
    assert_eq!(
        out.error.as_deref(),
        Some("Lambda.TooManyRequestsException")
    );
    assert_eq!(
        out.inspection_data["errorDetails"],
        json!({ "retryIndex": 0, "retryBackoffIntervalSeconds": 8 })
    );
    // Three retries made: the retrier is spent, the catcher takes the error.
    let out = throttled().retrier_retry_count(3).run().await.unwrap();
    assert_eq!(out.status, TestStatus::CaughtError, "{out:?}");
    assert_eq!(out.next_state.as_deref(), Some("Apologise"));
    assert_eq!(
        out.output,
        Some(json!({ "Error": "Lambda.TooManyRequestsException", "Cause": "slow down" }))
    );
    assert_eq!(
        out.inspection_data["errorDetails"],
        json!({ "retryIndex": 0, "catchIndex": 0 })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_of_a_whole_machine_sees_the_variables_given() {
    let h = Harness::start().await;
    let machine = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": { "Type": "Pass", "Assign": { "rate": 2 }, "Next": "Total" },
            "Total": {
                "Type": "Pass",
                "Output": { "total": "{% $sum($states.input.items) * $rate %}" },
                "Assign": { "last": "{% $states.input.items[-1] %}" },
                "End": true
            }
        }
    });
    let out = h
        .test_state(&machine)
        .state_name("Total")
        .input(json!({ "items": [1, 2, 3] }))
        .variables(json!({ "rate": 10 }))
        .inspection_level(InspectionLevel::Debug)
        .run()
        .await
        .unwrap();
    assert_eq!(out.status, TestStatus::Succeeded, "{out:?}");
    assert_eq!(out.output, Some(json!({ "total": 60 })));
    assert_eq!(out.next_state, None);
    // `variables`: those given, and what the state assigned.
    assert_eq!(
        out.inspection_data["variables"],
        json!({ "rate": 10, "last": 3 })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_choice_names_its_next_state() {
    let h = Harness::start().await;
    let choice = json!({
        "Type": "Choice",
        "Choices": [{ "Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big" }],
        "Default": "Small"
    });
    let out = h
        .test_state(&choice)
        .input(json!({ "n": 11 }))
        .run()
        .await
        .unwrap();
    assert_eq!(out.next_state.as_deref(), Some("Big"));
    // INFO (the default) shows no inspection data.
    assert_eq!(out.inspection_data, json!({}));
    let out = h
        .test_state(&choice)
        .input(json!({ "n": 1 }))
        .run()
        .await
        .unwrap();
    assert_eq!(out.next_state.as_deref(), Some("Small"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unmocked_task_calls_its_scripted_worker() {
    let h = Harness::start().await;
    h.on_lambda("price")
        .respond(json!({ "total": 5 }))
        .expect(1)
        .mount()
        .await;
    let out = h
        .test_state(lambda_task())
        .input(json!({ "order": { "id": 1 } }))
        .run()
        .await
        .unwrap();
    assert_eq!(out.status, TestStatus::Succeeded, "{out:?}");
    assert_eq!(
        out.output,
        Some(json!({ "order": { "id": 1 }, "price": { "total": 5 } }))
    );
    h.verify().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_map_answers_with_its_mock_and_its_failure_threshold() {
    let h = Harness::start().await;
    let map = json!({
        "Type": "Map",
        "ItemsPath": "$.items",
        "ToleratedFailureCount": 1,
        "ItemProcessor": { "StartAt": "One", "States": { "One": { "Type": "Pass", "End": true } } },
        "Catch": [{ "ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "TooMany" }],
        "End": true
    });
    let run = |failed| {
        h.test_state(&map)
            .input(json!({ "items": ["a", "b", "c"] }))
            .mock_result(json!(["A", "B", "C"]))
            .map_iteration_failure_count(failed)
            .inspection_level(InspectionLevel::Debug)
            .run()
    };
    let out = run(1).await.unwrap();
    assert_eq!(out.status, TestStatus::Succeeded, "{out:?}");
    assert_eq!(out.output, Some(json!(["A", "B", "C"])));
    assert_eq!(
        out.inspection_data["afterItemsPath"],
        json!(["a", "b", "c"])
    );
    assert_eq!(out.inspection_data["toleratedFailureCount"], json!(1));
    let out = run(2).await.unwrap();
    assert_eq!(out.status, TestStatus::CaughtError, "{out:?}");
    assert_eq!(
        out.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    assert_eq!(out.next_state.as_deref(), Some("TooMany"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_answers_the_sdk() {
    let h = Harness::start().await;
    let sfn = h.sfn_client().await;
    let out = sfn
        .test_state()
        .definition(lambda_task().to_string())
        .input(r#"{"order": {"id": 3}}"#)
        .inspection_level(aws_sdk_sfn::types::InspectionLevel::Debug)
        .mock(
            aws_sdk_sfn::types::MockInput::builder()
                .result(r#"{"Payload": {"total": 9}}"#)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.status(),
        Some(&aws_sdk_sfn::types::TestExecutionStatus::Succeeded)
    );
    assert_eq!(out.next_state(), Some("Ship"));
    let output: Value = serde_json::from_str(out.output().unwrap()).unwrap();
    assert_eq!(
        output,
        json!({ "order": { "id": 3 }, "price": { "total": 9 } })
    );
    let data = out.inspection_data().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(data.after_result_selector().unwrap()).unwrap(),
        json!({ "total": 9 })
    );
    // A refusal arrives as AWS's ValidationException.
    let err = sfn
        .test_state()
        .definition(r#"{"Type": "Pass", "End": true}"#)
        .mock(
            aws_sdk_sfn::types::MockInput::builder()
                .result("{}")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    let e = err.into_service_error();
    assert!(e.is_validation_exception(), "{e:?}");
}

// --- what AWS refuses (texts as recorded in ../shared/conformance/v2/test_state.*) ----------

async fn refused(b: sfn_harness::TestStateBuilder<'_>) -> (String, String) {
    match b.run().await {
        Err(HarnessError::Api(e)) => (e.code().to_string(), e.message()),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_on_a_state_that_calls_nothing_is_refused() {
    let h = Harness::start().await;
    for ty in ["Pass", "Succeed", "Fail", "Wait"] {
        let mut state = json!({ "Type": ty });
        if ty == "Wait" {
            state["Seconds"] = json!(1);
        }
        if ty != "Succeed" && ty != "Fail" {
            state["End"] = json!(true);
        }
        let (code, msg) = refused(h.test_state(&state).mock_result(json!({}))).await;
        assert_eq!(code, "ValidationException");
        assert!(
            msg.contains(&format!(
                "State type '{ty}' is not supported when a mock is specified"
            )),
            "{msg}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_map_or_parallel_without_a_mock_is_refused() {
    let h = Harness::start().await;
    let parallel = json!({
        "Type": "Parallel",
        "Branches": [{ "StartAt": "B", "States": { "B": { "Type": "Pass", "End": true } } }],
        "End": true
    });
    let (code, msg) = refused(h.test_state(&parallel)).await;
    assert_eq!(code, "InvalidDefinition");
    assert!(
        msg.contains("TestState API does not support Map or Parallel states"),
        "{msg}"
    );
    // With a mock, the result must have one item per branch.
    let (code, msg) = refused(h.test_state(&parallel).mock_result(json!([1, 2]))).await;
    assert_eq!(code, "ValidationException");
    assert!(
        msg.contains(
            "Mocked result must contain the same number of items as number of Parallel branches."
        ),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_that_does_not_fit_the_service_model_is_refused() {
    let h = Harness::start().await;
    let bad = json!({ "StatusCode": "200" });
    let (code, msg) = refused(
        h.test_state(lambda_task())
            .input(json!({ "order": {} }))
            .mock_result(bad.clone()),
    )
    .await;
    assert_eq!(code, "ValidationException");
    assert!(
        msg.contains("Mock result schema validation error: Field 'StatusCode' must be a number"),
        "{msg}"
    );
    // NONE takes it as it is.
    let out = h
        .test_state(lambda_task())
        .input(json!({ "order": {} }))
        .mock_result(bad)
        .field_validation(FieldValidationMode::None)
        .run()
        .await
        .unwrap();
    assert_eq!(
        out.status,
        TestStatus::Failed,
        "no Payload.total to select: {out:?}"
    );
    // A mock that is not JSON (only the wire can carry one: the builder takes a JSON value).
    let err = h
        .sfn_client()
        .await
        .test_state()
        .definition(lambda_task().to_string())
        .mock(
            aws_sdk_sfn::types::MockInput::builder()
                .result("not JSON")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    let e = err.into_service_error();
    assert!(e.is_validation_exception(), "{e:?}");
    assert_eq!(
        aws_sdk_sfn::error::ProvideErrorMetadata::message(&e),
        Some("Mocked result must be valid JSON")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_state_name_a_bad_definition_and_a_bad_context_are_refused() {
    let h = Harness::start().await;
    let machine = json!({ "StartAt": "A", "States": { "A": { "Type": "Pass", "End": true } } });
    let (code, msg) = refused(h.test_state(&machine).state_name("B")).await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("ValidationException", "State not found in definition")
    );
    let (code, msg) = refused(h.test_state(json!({ "Type": "Teleport", "End": true }))).await;
    assert_eq!(code, "InvalidDefinition");
    assert!(msg.contains("/States/StateName/Type"), "{msg}");
    let (code, msg) = refused(
        h.test_state(lambda_task())
            .mock_result(json!({}))
            .context(json!({ "Map": {} })),
    )
    .await;
    assert_eq!(code, "ValidationException");
    assert!(
        msg.contains("'Map' field is not supported when mocking a Context object"),
        "{msg}"
    );
    let (_, msg) = refused(
        h.test_state(lambda_task())
            .mock_result(json!({}))
            .context(json!({ "Task": { "Token": "t" } })),
    )
    .await;
    assert!(msg.contains("Context object contains 'Task'"), "{msg}");
    let map = json!({
        "Type": "Map",
        "ItemProcessor": { "StartAt": "One", "States": { "One": { "Type": "Pass", "End": true } } },
        "End": true
    });
    let (_, msg) = refused(h.test_state(&map).map_iteration_failure_count(1)).await;
    assert_eq!(
        msg,
        "TestState does not support MapIterationFailureCount when a mock is not specified."
    );
}
