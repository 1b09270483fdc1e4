//! Behaviour AWS recorded, replayed against the engine: each test names the case file of
//! `../shared/conformance/v2` (LocalStack's AWS-validated snapshots) its expected texts and
//! events come from.

use std::time::Duration;

use crate::engine::{Engine, EngineConfig, ExecutionRecord, MachineType, Status};
use serde_json::{json, Value};
use sfn_harness::time::Clock;

const T0: u64 = 1_700_000_000_000;

fn engine() -> Engine {
    Engine::new(EngineConfig {
        clock: Clock::virtual_at(T0),
        seed: Some(7),
        ..EngineConfig::default()
    })
}

/// Runs `definition` on `input` to its end (virtual time) and returns the execution.
async fn run_with(
    e: &Engine,
    kind: MachineType,
    definition: Value,
    input: Value,
) -> std::sync::Arc<ExecutionRecord> {
    let m = e
        .create_state_machine_with("recorded", &definition.to_string(), None, kind)
        .unwrap();
    let exec = e
        .start_execution(&m.arn, None, Some(&input.to_string()))
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), e.clock().run_until(exec.wait()))
        .await
        .expect("the execution ends within 10 s of wall time");
    exec
}

async fn run(definition: Value, input: Value) -> std::sync::Arc<ExecutionRecord> {
    run_with(&engine(), MachineType::Standard, definition, input).await
}

fn types(exec: &ExecutionRecord) -> Vec<String> {
    exec.history()
        .iter()
        .map(|e| e.event_type.clone())
        .collect()
}

async fn failed_cause(definition: Value, input: Value) -> (Option<String>, Option<String>) {
    let exec = run(definition, input).await;
    assert_eq!(exec.status(), Status::Failed, "{:#?}", exec.history());
    (exec.error(), exec.cause())
}

fn wait_path(field: &str, path: &str) -> Value {
    json!({"StartAt": "W", "States": {"W": {"Type": "Wait", field: path, "End": true}}})
}

#[tokio::test]
async fn seconds_path_causes_are_aws_texts() {
    // base.test_wait.test_base_wait_seconds_path[1.5], [-1.5], [-1]
    for (v, text) in [
        (json!(1.5), "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5"),
        (json!(-1.5), "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == -1.5"),
        (json!(-1), "The SecondsPath parameter references a negative value: $.input.waitSeconds == -1"),
    ] {
        let (error, cause) = failed_cause(
            wait_path("SecondsPath", "$.input.waitSeconds"),
            json!({"input": {"waitSeconds": v}}),
        )
        .await;
        assert_eq!(error.as_deref(), Some("States.Runtime"));
        assert_eq!(
            cause.unwrap(),
            format!("An error occurred while executing the state 'W' (entered at the event id #2). {text}")
        );
    }
}

#[tokio::test]
async fn timestamp_path_needs_an_offset_date_time() {
    // scenarios.test_base_scenarios.test_wait_timestamp_path[NO_T], [INVALID_DATE],
    // [INVALID_TIME]; base.test_wait.test_wait_timestamppath[] (no offset).
    for bad in [
        "2016-12-05 21:29:29Z",
        "2016-13-05T21:29:29Z",
        "2016-12-05T25:29:29Z",
        "2016-12-05T21:29:29",
    ] {
        let (_, cause) = failed_cause(
            wait_path("TimestampPath", "$.TimestampValue"),
            json!({"TimestampValue": bad}),
        )
        .await;
        assert_eq!(
            cause.unwrap(),
            format!(
                "An error occurred while executing the state 'W' (entered at the event id #2). \
                 The TimestampPath parameter does not reference a valid ISO-8601 extended offset \
                 date-time format string: $.TimestampValue == {bad}"
            )
        );
    }
    // scenarios.test_base_scenarios.test_wait_timestamp_path[SECONDS]: a valid one waits.
    let exec = run(
        wait_path("TimestampPath", "$.TimestampValue"),
        json!({"TimestampValue": "2016-03-14T01:59:00Z"}),
    )
    .await;
    assert_eq!(exec.status(), Status::Succeeded);
}

#[tokio::test]
async fn a_wait_beyond_2_pow_31_seconds_is_too_long() {
    // base.test_wait.test_timestamp_too_far_in_future_boundary[24856]: now + 24,856 days.
    let far = jiff::Timestamp::from_millisecond(T0 as i64 + 2_147_558_400_000).unwrap();
    let (_, cause) = failed_cause(
        wait_path("TimestampPath", "$.start_at"),
        json!({"start_at": far.to_string()}),
    )
    .await;
    assert_eq!(
        cause.unwrap(),
        "An error occurred while executing the state 'W' (entered at the event id #2). Wait state delay is too long."
    );
}

fn map_with_path() -> Value {
    json!({"StartAt": "MapState", "States": {"MapState": {"Type": "Map",
        "MaxConcurrencyPath": "$.MaxConcurrencyValue", "ItemsPath": "$.Values",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true}}})
}

#[tokio::test]
async fn max_concurrency_path_that_is_no_integer_fails_the_execution_at_once() {
    // scenarios.test_base_scenarios.test_max_concurrency_path[NoNumber], [max_concurrency_value0]
    for (v, shown) in [(json!("NoNumber"), "NoNumber"), (json!({}), "{}")] {
        let exec = run(
            map_with_path(),
            json!({"Values": [1], "MaxConcurrencyValue": v}),
        )
        .await;
        assert_eq!(
            types(&exec),
            ["ExecutionStarted", "MapStateEntered", "ExecutionFailed"]
        );
        assert_eq!(
            exec.cause().unwrap(),
            format!(
                "An error occurred while executing the state 'MapState' (entered at the event id #2). \
                 The MaxConcurrencyPath field refers to value \"{shown}\" which is not a valid integer: $.MaxConcurrencyValue"
            )
        );
    }
}

#[tokio::test]
async fn every_map_iteration_starts_before_the_iterations_run() {
    // timeouts.test_timeouts.test_service_lambda_map_timeout: with no MaxConcurrency the
    // MapIterationStarted events are 4-7, all after MapStateStarted (3), then each
    // iteration's states follow its own MapIterationStarted.
    let exec = run(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P",
                "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}}),
        json!([1, 2, 3]),
    )
    .await;
    let h = exec.history();
    let got: Vec<(u64, u64, &str)> = h
        .iter()
        .take(9)
        .map(|e| (e.id, e.previous_event_id, e.event_type.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (1, 0, "ExecutionStarted"),
            (2, 0, "MapStateEntered"),
            (3, 2, "MapStateStarted"),
            (4, 3, "MapIterationStarted"),
            (5, 3, "MapIterationStarted"),
            (6, 3, "MapIterationStarted"),
            (7, 4, "PassStateEntered"),
            (8, 7, "PassStateExited"),
            (9, 8, "MapIterationSucceeded"),
        ]
    );
    assert_eq!(exec.output(), Some(json!([1, 2, 3])));
}

fn context_query(kind: MachineType) -> (MachineType, Value) {
    (
        kind,
        json!({"StartAt": "Q", "States": {"Q": {"Type": "Pass",
            "Parameters": {"context_object.$": "$$"}, "End": true}}}),
    )
}

#[tokio::test]
async fn the_context_object_has_the_fields_aws_shows() {
    // base.test_base.test_query_context_object_values (STANDARD: RedriveCount, and no
    // RetryCount in a Pass state); express.test_express_sync.test_query_runtime_memory
    // (EXPRESS: no RedriveCount).
    for (kind, redrive) in [(MachineType::Standard, true), (MachineType::Express, false)] {
        let (kind, def) = context_query(kind);
        let exec = run_with(&engine(), kind, def, json!({"message": "TestMessage"})).await;
        let ctx = &exec.output().unwrap()["context_object"];
        let state: Vec<&String> = ctx["State"].as_object().unwrap().keys().collect();
        assert_eq!(state, ["EnteredTime", "Name"]);
        assert_eq!(
            ctx["Execution"].get("RedriveCount").is_some(),
            redrive,
            "{ctx}"
        );
    }
}

#[tokio::test]
async fn context_paths_in_input_path_and_output_path() {
    // context_object.test_context_object.test_output_path[$$.Execution.Input]
    let exec = run(
        json!({"StartAt": "T", "States": {"T": {"Type": "Pass", "OutputPath": "$$.Execution.Input", "End": true}}}),
        json!({"input-value": 0}),
    )
    .await;
    assert_eq!(exec.output(), Some(json!({"input-value": 0})));
    // Issue 15: `InputPath: "$$"` yields the whole context object.
    let exec = run(
        json!({"StartAt": "T", "States": {"T": {"Type": "Pass", "InputPath": "$$", "End": true}}}),
        json!({"a": 1}),
    )
    .await;
    let out = exec.output().unwrap();
    assert_eq!(out["Execution"]["Input"], json!({"a": 1}));
    assert_eq!(out["State"]["Name"], json!("T"));
}

#[tokio::test]
async fn jsonpath_not_found_causes_name_the_field_as_aws_does() {
    // scenarios.test_base_scenarios.test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_CAUSEPATH]
    let (_, cause) = failed_cause(
        json!({"StartAt": "pass", "States": {
            "pass": {"Type": "Pass", "Next": "fail", "Parameters": {"Error": "error-value"}},
            "fail": {"Type": "Fail", "ErrorPath": "$.Error", "CausePath": "$.NoSuchCausePath"}}}),
        json!({"int-literal": 0}),
    )
    .await;
    assert_eq!(
        cause.unwrap(),
        "An error occurred while executing the state 'fail' (entered at the event id #4). \
         The JSONPath '$.NoSuchCausePath' specified for the field 'CausePath' could not be found \
         in the input '{\"Error\":\"error-value\"}'"
    );
    // [INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH]: "in the input" for a `$$` path too.
    let (_, cause) = failed_cause(
        json!({"StartAt": "pass", "States": {"pass": {"Type": "Pass",
            "Parameters": {"value.$": "$$.Execution.Input.no_such_jsonpath"}, "End": true}}}),
        json!({"int-literal": 0}),
    )
    .await;
    assert!(cause.unwrap().starts_with(
        "An error occurred while executing the state 'pass' (entered at the event id #2). \
             The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' \
             could not be found in the input '"
    ));
}

#[tokio::test]
async fn bracket_names_keep_their_backslashes() {
    // scenarios.test_base_scenarios.test_escape_sequence_parsing[ESCAPE_SEQUENCES_JSONPATH]
    let exec = run(
        json!({"StartAt": "J", "States": {"J": {"Type": "Pass",
            "Parameters": {"value.$": "$['Test\\\"\"Name\"']"}, "End": true}}}),
        json!({"Test\\\"\"Name\"": "Value\"\\"}),
    )
    .await;
    assert_eq!(exec.output(), Some(json!({"value": "Value\"\\"})));
}

#[tokio::test]
async fn a_parallel_catch_of_a_failure_without_error_writes_nulls() {
    // callback.test_callback.test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_PARALLEL_WAIT_FOR_TASK_TOKEN]:
    // a branch fails with neither error nor cause; the catcher's ResultPath gets
    // {"Error": null, "Cause": null}.
    let exec = run(
        json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail"}}}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Done"}],
                "End": true},
            "Done": {"Type": "Pass", "End": true}}}),
        json!({"m": 1}),
    )
    .await;
    assert_eq!(
        exec.output(),
        Some(json!({"m": 1, "err": {"Error": null, "Cause": null}}))
    );
}

#[test]
fn illegal_escapes_in_intrinsic_strings_are_refused_at_creation() {
    // scenarios.test_base_scenarios.test_illegal_escapes[ESCAPE_SEQUENCES_ILLEGAL_INTRINSIC_FUNCTION]
    let e = engine();
    let def = json!({"StartAt": "I", "States": {"I": {"Type": "Pass", "Parameters": {
        "parsed.$": "States.StringToJson('{\"text\":\"An \\\"escaped double quote\\\" here\"}')"},
        "End": true}}});
    let err = e.create_state_machine("bad", &def.to_string()).unwrap_err();
    assert_eq!(err.code(), "InvalidDefinition");
    assert!(
        err.message().contains(
            "The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic function call at /States/I/Parameters"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_task_failing_its_parallel_branch_is_recorded_as_aborted() {
    // callback.test_callback.test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_PARALLEL_WAIT_FOR_TASK_TOKEN]:
    // TaskFailed (8), TaskStateAborted after 8, ParallelStateFailed after 8. A Fail state in a
    // branch has no such event (cases/scenarios.test_parallel_state_fail).
    let e = engine();
    e.register_resource(
        "arn:aws:states:::test:fails",
        crate::engine::task::handler(|_req: crate::engine::task::TaskRequest| async {
            Err(sfn_harness::asl::StatesError::new("Boom", "it failed"))
        }),
    );
    let exec = run_with(
        &e,
        MachineType::Standard,
        json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
            "Branches": [{"StartAt": "T", "States": {"T": {"Type": "Task",
                "Resource": "arn:aws:states:::test:fails", "End": true}}}]}}}),
        json!({}),
    )
    .await;
    let got: Vec<(u64, u64, String)> = exec
        .history()
        .iter()
        .skip(6)
        .map(|e| (e.id, e.previous_event_id, e.event_type.clone()))
        .collect();
    let want = [
        (7, 6, "TaskFailed"),
        (8, 7, "TaskStateAborted"),
        (9, 7, "ParallelStateFailed"),
        (10, 9, "ExecutionFailed"),
    ];
    assert_eq!(
        got,
        want.map(|(a, b, t)| (a, b, t.to_string())),
        "{:#?}",
        exec.history()
    );
    let exec = run(
        json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
            "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}]}}}),
        json!({}),
    )
    .await;
    assert!(!types(&exec).contains(&"TaskStateAborted".to_string()));
}

#[test]
fn dynamodb_actions_step_functions_does_not_integrate_are_refused() {
    // services.test_dynamodb_task_service.test_invalid_integration
    let def = json!({"StartAt": "Query", "States": {"Query": {"Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:query", "End": true}}});
    let err = engine()
        .create_state_machine("ddb", &def.to_string())
        .unwrap_err();
    assert_eq!(
        err.message(),
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The resource provided \
         arn:aws:states:::dynamodb:query is not recognized. The value is not a valid resource \
         ARN, or the resource is not available in this region. at /States/Query/Resource'"
    );
}

/// A distributed Map with this `Label`, as LocalStack's `map_state_label*.json5` templates.
fn labelled(label: &str) -> String {
    serde_json::to_string(
        &json!({"Comment": "MAP_STATE_LABEL_JSON", "StartAt": "MapState",
        "States": {"MapState": {"Type": "Map", "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "IteratorInner", "States": {"IteratorInner": {"Type": "Pass", "End": true}}},
        "Label": label, "End": true}}}),
    )
    .unwrap()
}

#[test]
fn map_labels_are_checked_as_aws_checks_them() {
    // LocalStack's AWS-validated tests/aws/services/stepfunctions/v2/test_sfn_api_map_run.py
    // (snapshot test_sfn_api_map_run.snapshot.json): test_map_state_label_empty_fail,
    // test_map_state_label_too_long_fail, test_map_state_label_invalid_char_fail[ ], ["],
    // [\x00], [\\].
    let e = engine();
    for (label, args) in [
        ("", "['Label cannot be empty']"),
        (
            "12345678901234567890123456789012345678901",
            "['Label cannot exceed 40 characters']",
        ),
        ("label_ ", "[\"Label contains invalid character: ' '\"]"),
        ("label_\"", "['Label contains invalid character: \\'\"\\'']"),
        (
            "label_\u{0}",
            "[\"Label contains invalid character: '\\x00'\"]",
        ),
        ("label_\\", "[\"Label contains invalid character: '\\\\'\"]"),
    ] {
        let text = labelled(label);
        let err = e.create_state_machine("label", &text).unwrap_err();
        assert_eq!(err.code(), "InvalidDefinition");
        assert_eq!(
            err.message(),
            format!("Error=ValueError Args={args} in definition '{text}'."),
            "label {label:?}"
        );
    }
    // A valid label (test_map_state_label: "TestMap").
    assert!(e.create_state_machine("ok", &labelled("TestMap")).is_ok());
}
