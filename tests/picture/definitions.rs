//! Snapshots of the Mermaid pictures (`sfn_harness::Picture`): the fixtures, hand-made
//! machines with hand-made histories, and real histories from the conformance cases.
//!
//! `tests/picture/render.rs` feeds every snapshot this file writes to the real Mermaid
//! library, so a snapshot that Mermaid cannot parse fails there.

use serde_json::{json, Value};
use sfn_harness::{Picture, PictureError};

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

fn fixture(name: &str) -> Value {
    read_json(&format!(
        "{}/fixtures/{name}.asl.json",
        env!("CARGO_MANIFEST_DIR")
    ))
}

/// A conformance case's definition and expected history, read where the shared folder lies
/// beside the checkout.
fn case(file: &str) -> (Value, Vec<Value>) {
    let path = format!(
        "{}/../shared/conformance/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let case = read_json(&path);
    let events = case["expected"]["events"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{file} has no expected.events"));
    (case["definition"].clone(), events)
}

fn picture(def: &Value) -> Picture {
    Picture::of_definition(def).unwrap_or_else(|e| panic!("{e}"))
}

/// One history event; `details` goes under `<lowerCamel type>EventDetails` unless it
/// names its key itself (`("stateEnteredEventDetails", {...})` style is not needed: the key
/// is derived the way AWS derives it, with `StateEntered`/`StateExited` shared).
fn ev(id: i64, prev: i64, ty: &str, ts: Value, details: Value) -> Value {
    let key = if ty.ends_with("StateEntered") {
        "stateEnteredEventDetails".to_string()
    } else if ty.ends_with("StateExited") {
        "stateExitedEventDetails".to_string()
    } else {
        let mut k = ty.to_string();
        k[..1].make_ascii_lowercase();
        format!("{k}EventDetails")
    };
    let mut e = json!({ "id": id, "previousEventId": prev, "type": ty, "timestamp": ts });
    if !details.is_null() {
        e[key] = details;
    }
    e
}

#[test]
fn fixture_credit() {
    insta::assert_snapshot!(picture(&fixture("credit")).mermaid());
}

#[test]
fn fixture_order() {
    insta::assert_snapshot!(picture(&fixture("order")).mermaid());
}

#[test]
fn fixture_approval() {
    insta::assert_snapshot!(picture(&fixture("approval")).mermaid());
}

#[test]
fn fixture_greeting() {
    insta::assert_snapshot!(picture(&fixture("greeting")).mermaid());
}

/// The credit machine waiting for its worker's callback: the history says the task is
/// submitted; `with_waiting` says who holds the token.
#[test]
fn callback_waiting_for_its_worker() {
    let history = [
        ev(
            1,
            0,
            "ExecutionStarted",
            json!(1_700_000_000.0),
            json!({"input": "{}"}),
        ),
        ev(
            2,
            0,
            "TaskStateEntered",
            json!(1_700_000_000.0),
            json!({"name": "CheckCredit"}),
        ),
        ev(
            3,
            2,
            "TaskScheduled",
            json!(1_700_000_000.01),
            json!({"resourceType": "lambda", "resource": "invoke.waitForTaskToken"}),
        ),
        ev(
            4,
            3,
            "TaskStarted",
            json!(1_700_000_000.02),
            json!({"resourceType": "lambda", "resource": "invoke.waitForTaskToken"}),
        ),
        ev(
            5,
            4,
            "TaskSubmitted",
            json!(1_700_000_000.25),
            json!({"resourceType": "lambda", "resource": "invoke.waitForTaskToken"}),
        ),
        ev(
            6,
            5,
            "HeartbeatLikeUnknownEvent",
            json!(1_700_000_090.0),
            Value::Null,
        ),
    ];
    let p = picture(&fixture("credit"))
        .with_history(&history)
        .with_waiting("CheckCredit", "credit-desk worker");
    insta::assert_snapshot!(p.mermaid());
}

fn charge_machine() -> Value {
    json!({
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [
                    { "ErrorEquals": ["PaymentBusy"], "IntervalSeconds": 60, "MaxAttempts": 3 },
                    { "ErrorEquals": ["States.Timeout", "States.TaskFailed"], "MaxAttempts": 1 }
                ],
                "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "Refund" }],
                "Next": "Done"
            },
            "Done": { "Type": "Pass", "End": true },
            "Refund": { "Type": "Fail", "Error": "ChargeFailed", "Cause": "gave up" }
        }
    })
}

/// RFC 3339 timestamps; a failed attempt, a retry one minute later, success.
#[test]
fn retry_then_success() {
    let t = |s: &str| json!(format!("2024-05-01T12:{s}Z"));
    let lambda = json!({"resourceType": "lambda", "resource": "invoke"});
    let history = [
        ev(1, 0, "ExecutionStarted", t("00:00.000"), json!({})),
        ev(
            2,
            0,
            "TaskStateEntered",
            t("00:00.000"),
            json!({"name": "Charge"}),
        ),
        ev(3, 2, "TaskScheduled", t("00:00.010"), lambda.clone()),
        ev(4, 3, "TaskStarted", t("00:00.020"), lambda.clone()),
        ev(
            5,
            4,
            "TaskFailed",
            t("00:00.250"),
            json!({"error": "PaymentBusy", "cause": "try later"}),
        ),
        ev(6, 5, "TaskScheduled", t("01:00.250"), lambda.clone()),
        ev(7, 6, "TaskStarted", t("01:00.260"), lambda.clone()),
        ev(
            8,
            7,
            "TaskSucceeded",
            t("01:01.750"),
            json!({"output": "{}"}),
        ),
        ev(
            9,
            8,
            "TaskStateExited",
            t("01:01.750"),
            json!({"name": "Charge"}),
        ),
        ev(
            10,
            9,
            "PassStateEntered",
            t("01:01.750"),
            json!({"name": "Done"}),
        ),
        ev(
            11,
            10,
            "PassStateExited",
            t("01:02.000"),
            json!({"name": "Done"}),
        ),
        ev(
            12,
            11,
            "ExecutionSucceeded",
            t("01:02.000"),
            json!({"output": "{}"}),
        ),
    ];
    let text = picture(&charge_machine()).with_history(&history).mermaid();
    assert!(text.contains("↻ retried after 1 failure"), "{text}");
    assert!(text.contains("×1 · 1m2s"), "{text}");
    insta::assert_snapshot!(text);
}

/// Epoch-second timestamps; the attempts fail, the catcher leads to the fallback.
#[test]
fn catch_to_fallback() {
    let def = json!({
        "StartAt": "Call primary",
        "States": {
            "Call primary": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:primary",
                "TimeoutSeconds": 30,
                "Catch": [
                    { "ErrorEquals": ["Throttled"], "Next": "Call primary" },
                    { "ErrorEquals": ["ServiceDown", "States.Timeout"], "ResultPath": "$.error", "Next": "Use fallback" }
                ],
                "Next": "Notify"
            },
            "Use fallback": { "Type": "Pass", "Result": "fallback", "Next": "Notify" },
            "Notify": { "Type": "Succeed" }
        }
    });
    let history = [
        ev(1, 0, "ExecutionStarted", json!(100.0), json!({})),
        ev(
            2,
            0,
            "TaskStateEntered",
            json!(100.0),
            json!({"name": "Call primary"}),
        ),
        ev(
            3,
            2,
            "LambdaFunctionScheduled",
            json!(100.0),
            json!({"resource": "primary"}),
        ),
        ev(4, 3, "LambdaFunctionStarted", json!(100.1), Value::Null),
        ev(
            5,
            4,
            "LambdaFunctionFailed",
            json!(102.5),
            json!({"error": "ServiceDown", "cause": "503"}),
        ),
        ev(
            6,
            5,
            "TaskStateExited",
            json!(102.5),
            json!({"name": "Call primary"}),
        ),
        ev(
            7,
            6,
            "PassStateEntered",
            json!(102.5),
            json!({"name": "Use fallback"}),
        ),
        ev(
            8,
            7,
            "PassStateExited",
            json!(102.5),
            json!({"name": "Use fallback"}),
        ),
        ev(
            9,
            8,
            "SucceedStateEntered",
            json!(102.75),
            json!({"name": "Notify"}),
        ),
        ev(
            10,
            9,
            "SucceedStateExited",
            json!(102.75),
            json!({"name": "Notify"}),
        ),
        ev(11, 10, "ExecutionSucceeded", json!(102.75), json!({})),
    ];
    let text = picture(&def).with_history(&history).mermaid();
    assert!(text.contains("s_Call_primary -.->|\"ServiceDown, States.Timeout\"| s_Use_fallback"));
    insta::assert_snapshot!(text);
}

fn parallel_machine() -> Value {
    json!({
        "StartAt": "Checks",
        "States": {
            "Checks": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Validate",
                        "States": {
                            "Validate": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Is valid?" },
                            "Is valid?": {
                                "Type": "Choice",
                                "Choices": [
                                    { "And": [
                                        { "Variable": "$.amount", "NumericGreaterThan": 1000 },
                                        { "Or": [
                                            { "Variable": "$.country", "StringEquals": "DE" },
                                            { "Not": { "Variable": "$.vip", "IsPresent": true } }
                                        ] }
                                    ], "Next": "Too much" },
                                    { "Variable": "$.amount", "NumericLessThanEqualsPath": "$.limit", "Next": "Fine" }
                                ],
                                "Default": "Too much"
                            },
                            "Fine": { "Type": "Succeed" },
                            "Too much": { "Type": "Fail", "Error": "Limit", "Cause": "over the limit" }
                        }
                    },
                    {
                        "StartAt": "Pause",
                        "States": {
                            "Pause": { "Type": "Wait", "Seconds": 5, "Next": "Ping" },
                            "Ping": { "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sns:publish", "End": true }
                        }
                    }
                ],
                "Retry": [{ "ErrorEquals": ["States.ALL"], "MaxAttempts": 2 }],
                "Catch": [{ "ErrorEquals": ["Limit"], "Next": "Reject" }],
                "Next": "Accept"
            },
            "Accept": { "Type": "Succeed" },
            "Reject": { "Type": "Fail", "Error": "Rejected" }
        }
    })
}

#[test]
fn parallel_definition() {
    insta::assert_snapshot!(picture(&parallel_machine()).mermaid());
}

fn map_machine() -> Value {
    json!({
        "StartAt": "Each order",
        "States": {
            "Each order": {
                "Type": "Map",
                "ItemsPath": "$.orders",
                "MaxConcurrency": 2,
                "ItemProcessor": {
                    "ProcessorConfig": { "Mode": "INLINE" },
                    "StartAt": "Ask warehouse",
                    "States": {
                        "Ask warehouse": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                            "HeartbeatSeconds": 600,
                            "Next": "Record"
                        },
                        "Record": { "Type": "Pass", "End": true }
                    }
                },
                "Next": "Summarise"
            },
            "Summarise": { "Type": "Pass", "End": true }
        }
    })
}

/// Two items at once: item 0 is done, item 1's worker still holds its token.
#[test]
fn map_with_callbacks_running() {
    let sqs = json!({"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken"});
    let history = [
        ev(1, 0, "ExecutionStarted", json!(0.0), json!({})),
        ev(
            2,
            0,
            "MapStateEntered",
            json!(0.0),
            json!({"name": "Each order"}),
        ),
        ev(3, 2, "MapStateStarted", json!(0.0), json!({"length": 2})),
        ev(
            4,
            3,
            "MapIterationStarted",
            json!(0.0),
            json!({"index": 0, "name": "Each order"}),
        ),
        ev(
            5,
            3,
            "MapIterationStarted",
            json!(0.0),
            json!({"index": 1, "name": "Each order"}),
        ),
        ev(
            6,
            4,
            "TaskStateEntered",
            json!(0.0),
            json!({"name": "Ask warehouse"}),
        ),
        ev(
            7,
            5,
            "TaskStateEntered",
            json!(0.0),
            json!({"name": "Ask warehouse"}),
        ),
        ev(8, 6, "TaskScheduled", json!(0.0), sqs.clone()),
        ev(9, 7, "TaskScheduled", json!(0.0), sqs.clone()),
        ev(10, 8, "TaskSubmitted", json!(0.1), sqs.clone()),
        ev(11, 9, "TaskSubmitted", json!(0.1), sqs.clone()),
        ev(12, 10, "TaskSucceeded", json!(30.0), sqs.clone()),
        ev(
            13,
            12,
            "TaskStateExited",
            json!(30.0),
            json!({"name": "Ask warehouse"}),
        ),
        ev(
            14,
            13,
            "PassStateEntered",
            json!(30.0),
            json!({"name": "Record"}),
        ),
        ev(
            15,
            14,
            "PassStateExited",
            json!(30.0),
            json!({"name": "Record"}),
        ),
        ev(
            16,
            15,
            "MapIterationSucceeded",
            json!(30.0),
            json!({"index": 0, "name": "Each order"}),
        ),
        ev(17, 11, "TaskSubmitted", json!(90.0), sqs),
    ];
    let text = picture(&map_machine())
        .with_history(&history)
        .with_waiting("Ask warehouse", "warehouse-2 holds item 1")
        .mermaid();
    assert!(text.contains("×2 · ≥2m"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn jsonata_machine() {
    let def = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Price",
        "States": {
            "Price": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": { "FunctionName": "price", "Payload": "{% $states.input %}" },
                "Output": "{% $states.result.Payload %}",
                "Assign": { "total": "{% $states.result.Payload.total %}" },
                "Next": "Big?"
            },
            "Big?": {
                "Type": "Choice",
                "Choices": [
                    { "Condition": "{% $total > 1000 and $states.input.currency = \"EUR\" %}", "Next": "Review" }
                ],
                "Default": "Ship"
            },
            "Review": {
                "Type": "Wait",
                "Seconds": "{% $total / 10 %}",
                "Next": "Ship"
            },
            "Ship": { "Type": "Pass", "Output": "{% { 'shipped': true } %}", "End": true },
            "Broken": { "Type": "Fail", "Error": "{% 'E' & $string($total) %}" }
        }
    });
    insta::assert_snapshot!(picture(&def).mermaid());
}

#[test]
fn conformance_map_catch() {
    let (def, events) = case("cases/scenarios.test_map_state_catch.get_execution_history.json");
    let text = picture(&def).with_history(&events).mermaid();
    assert!(
        text.contains("class s_MapState,s_MapState__HandleItemFail failed"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn conformance_map_retry() {
    let (def, events) = case("cases/scenarios.test_map_state_retry.get_execution_history.json");
    let text = picture(&def).with_history(&events).mermaid();
    assert!(text.contains("×3"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn conformance_parallel_retry() {
    let (def, events) =
        case("cases/scenarios.test_parallel_state_retry.get_execution_history.json");
    insta::assert_snapshot!(picture(&def).with_history(&events).mermaid());
}

#[test]
fn conformance_nested_map() {
    let (def, events) = case("cases/scenarios.test_map_state_nested.get_execution_history.json");
    let text = picture(&def).with_history(&events).mermaid();
    assert!(text.contains("×6"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn conformance_callback_timeout() {
    let (def, events) = case("cases/callback.test_sqs_wait_for_task_token_timeout.json");
    insta::assert_snapshot!(picture(&def).with_history(&events).mermaid());
}

#[test]
fn conformance_lambda_retry_then_catch() {
    let (def, events) = case(
        "v2/scenarios.test_base_scenarios.test_lambda_invoke_with_retry_base.get_execution_history.json",
    );
    insta::assert_snapshot!(picture(&def).with_history(&events).mermaid());
}

#[test]
fn conformance_parallel_callback_catch() {
    let (def, events) = case(
        "v2/callback.test_callback.test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_PARALLEL_WAIT_FOR_TASK_TOKEN].get_execution_history.json",
    );
    insta::assert_snapshot!(picture(&def).with_history(&events).mermaid());
}

#[test]
fn conformance_choice_jsonata() {
    let (def, events) =
        case("cases/scenarios.test_choice_condition_constant_jsonata.get_execution_history.json");
    insta::assert_snapshot!(picture(&def).with_history(&events).mermaid());
}

/// Names with spaces, quotes, brackets, `#`, `<>`, `|`, `%`, backticks and non-ASCII text.
#[test]
fn escaping_odd_names() {
    let def = json!({
        "StartAt": "Say \"hi\" [now] #1",
        "States": {
            "Say \"hi\" [now] #1": { "Type": "Pass", "Next": "Prüfe <Größe> & {Menge}" },
            "Prüfe <Größe> & {Menge}": {
                "Type": "Choice",
                "Choices": [
                    { "Variable": "$.a|b", "StringEquals": "x \"y\" 100% `z`; end", "Next": "end" }
                ],
                "Default": "日本語 (テスト)"
            },
            "end": { "Type": "Succeed" },
            "日本語 (テスト)": { "Type": "Fail", "Error": "Bad\nLine" }
        }
    });
    let text = picture(&def).mermaid();
    for bad in ["\"hi\"", "<Gr", "] #1", "|b", "100%", "`z`", "\nLine"] {
        assert!(!text.contains(bad), "unescaped {bad:?} in\n{text}");
    }
    assert!(text.contains("Say #quot;hi#quot; [now] #35;1"));
    assert!(text.contains("Prüfe #lt;Größe#gt; #amp; {Menge}"));
    insta::assert_snapshot!(text);
}

#[test]
fn output_is_deterministic() {
    let (def, events) = case("cases/scenarios.test_map_state_nested.get_execution_history.json");
    let a = picture(&def).with_history(&events);
    // The same JSON read again, and the history given newest first.
    let def2: Value = serde_json::from_str(&def.to_string()).unwrap_or_default();
    let mut reversed = events.clone();
    reversed.reverse();
    let b = picture(&def2).with_history(&reversed);
    assert_eq!(a.mermaid(), b.mermaid());
    assert_eq!(a.html("t"), b.html("t"));
    assert_eq!(a.mermaid(), a.mermaid());
}

#[test]
fn malformed_inputs_degrade() {
    assert_eq!(
        Picture::of_definition(&json!("x")).unwrap_err(),
        PictureError::NotAnObject
    );
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Map", "ItemProcessor": {"StartAt": "Nope", "States": {"B": 3}}, "Next": "Gone"},
        "P": {"Type": "Parallel", "Branches": "no"},
    }});
    let history = [
        json!(17),
        json!({"type": 5}),
        json!({"id": "x", "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": 3}}),
        json!({"id": 9, "previousEventId": 9, "type": "MapStateEntered", "stateEnteredEventDetails": {"name": "A"}}),
        json!({"id": 10, "previousEventId": 99, "type": "PassStateExited", "stateExitedEventDetails": {"name": "B"}}),
        json!({"id": 11, "previousEventId": 11, "type": "ExecutionFailed"}),
        json!({"id": 3, "timestamp": "not a time", "type": "TaskFailed", "taskFailedEventDetails": {"error": ["odd"]}}),
    ];
    let p = picture(&def).with_history(&history);
    let text = p.mermaid();
    assert!(text.contains("missing state"), "{text}");
    assert!(p.html("odd <title>").contains("odd &lt;title&gt;"));
}
