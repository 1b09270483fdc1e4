//! Invalid definitions are rejected as `ValidateStateMachineDefinition` rejects them: AWS's
//! diagnostic code, at the right location, every problem at once — and nothing panics.
//!
//! Codes: API reference, `ValidateStateMachineDefinitionDiagnostic`. Messages checked here are
//! ones AWS is recorded returning ("These fields are required: [StartAt]" at `/`, "String does
//! not match RFC3339 timestamp", "Value cannot be empty", "The field 'Type' should have one of
//! these values: [...]", "Missing 'Next' target: X").

use proptest::prelude::*;
use rstest::rstest;
use serde_json::{json, Value};
use sfn_harness::asl;

fn pass_end() -> Value {
    json!({ "Type": "Pass", "End": true })
}

/// A one-state machine around `state`.
fn one(state: Value) -> Value {
    json!({ "StartAt": "S", "States": { "S": state } })
}

fn task(extra: Value) -> Value {
    let mut t =
        json!({ "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true });
    for (k, v) in extra.as_object().unwrap() {
        t[k] = v.clone();
    }
    t
}

fn choice(rule: Value) -> Value {
    json!({ "StartAt": "C", "States": {
        "C": { "Type": "Choice", "Choices": [rule], "Default": "D" },
        "D": pass_end(), "T": pass_end() } })
}

#[rstest]
#[case::empty_object(json!({}), "SCHEMA_VALIDATION_FAILED", "/", "These fields are required: [States, StartAt]")]
#[case::not_an_object(json!([1]), "SCHEMA_VALIDATION_FAILED", "/", "Definition must be a valid JSON object")]
#[case::no_start_at(json!({ "States": { "A": pass_end() } }), "SCHEMA_VALIDATION_FAILED", "/", "These fields are required: [StartAt]")]
#[case::start_at_not_a_state(json!({ "StartAt": "X", "States": { "A": pass_end() } }), "MISSING_TRANSITION_TARGET", "/StartAt", "Missing 'Next' target: X")]
#[case::empty_states(json!({ "StartAt": "A", "States": {} }), "SCHEMA_VALIDATION_FAILED", "/States", "Value cannot be empty")]
#[case::unknown_top_level_field(json!({ "StartAt": "A", "States": { "A": pass_end() }, "Foo": 1 }), "SCHEMA_VALIDATION_FAILED", "/", "The field \"Foo\" is not supported by Step Functions")]
#[case::missing_type(one(json!({ "End": true })), "SCHEMA_VALIDATION_FAILED", "/States/S", "These fields are required: [Type]")]
#[case::unknown_type(one(json!({ "Type": "Sleep", "End": true })), "SCHEMA_VALIDATION_FAILED", "/States/S/Type", "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]")]
#[case::unknown_state_field(one(json!({ "Type": "Pass", "End": true, "Resource": "x" })), "SCHEMA_VALIDATION_FAILED", "/States/S", "The field \"Resource\" is not supported by Step Functions")]
#[case::next_and_end(json!({ "StartAt": "A", "States": { "A": { "Type": "Pass", "Next": "B", "End": true }, "B": pass_end() } }), "SCHEMA_VALIDATION_FAILED", "/States/A", "The fields 'Next' and 'End' are mutually exclusive")]
#[case::neither_next_nor_end(json!({ "StartAt": "A", "States": { "A": { "Type": "Pass" }, "B": pass_end() } }), "SCHEMA_VALIDATION_FAILED", "/States/A", "This state must have either a 'Next' or an 'End' field")]
#[case::missing_next_target(json!({ "StartAt": "A", "States": { "A": { "Type": "Pass", "Next": "Approve" }, "B": pass_end() } }), "MISSING_TRANSITION_TARGET", "/States/A/Next", "Missing 'Next' target: Approve")]
#[case::no_terminal_state(json!({ "StartAt": "A", "States": { "A": { "Type": "Pass", "Next": "A" } } }), "MISSING_END_STATE", "/", "Workflow has no terminal state")]
#[case::bad_input_path(one(json!({ "Type": "Pass", "End": true, "InputPath": "nope" })), "SCHEMA_VALIDATION_FAILED", "/States/S/InputPath", "The value for the field 'InputPath' must be a valid JSONPath")]
#[case::result_path_not_a_reference_path(one(json!({ "Type": "Pass", "End": true, "ResultPath": "$.a[*]" })), "SCHEMA_VALIDATION_FAILED", "/States/S/ResultPath", "The value for the field 'ResultPath' must be a valid ReferencePath")]
#[case::bad_parameters_path(one(json!({ "Type": "Pass", "End": true, "Parameters": { "x.$": "nope" } })), "SCHEMA_VALIDATION_FAILED", "/States/S/Parameters", "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call")]
#[case::unknown_intrinsic(one(json!({ "Type": "Pass", "End": true, "Parameters": { "x.$": "States.Nope()" } })), "SCHEMA_VALIDATION_FAILED", "/States/S/Parameters", "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call")]
#[case::wait_without_duration(one(json!({ "Type": "Wait", "End": true })), "SCHEMA_VALIDATION_FAILED", "/States/S", "A Wait state must have exactly one of the fields: [Seconds, Timestamp, SecondsPath, TimestampPath]")]
#[case::wait_with_two_durations(one(json!({ "Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true })), "SCHEMA_VALIDATION_FAILED", "/States/S", "A Wait state must have exactly one of the fields: [Seconds, Timestamp, SecondsPath, TimestampPath]")]
#[case::wait_negative_seconds(one(json!({ "Type": "Wait", "Seconds": -1, "End": true })), "SCHEMA_VALIDATION_FAILED", "/States/S/Seconds", "The value for the field 'Seconds' must be a non-negative integer no greater than 99999999")]
#[case::wait_bad_timestamp(one(json!({ "Type": "Wait", "Timestamp": "2024-13-01", "End": true })), "SCHEMA_VALIDATION_FAILED", "/States/S/Timestamp", "String does not match RFC3339 timestamp")]
#[case::fail_error_and_error_path(one(json!({ "Type": "Fail", "Error": "E", "ErrorPath": "$.e" })), "SCHEMA_VALIDATION_FAILED", "/States/S", "The fields 'Error' and 'ErrorPath' are mutually exclusive")]
#[case::fail_with_next(json!({ "StartAt": "S", "States": { "S": { "Type": "Fail", "Next": "T" }, "T": pass_end() } }), "SCHEMA_VALIDATION_FAILED", "/States/S", "The field \"Next\" is not supported by Step Functions")]
#[case::task_without_resource(one(json!({ "Type": "Task", "End": true })), "SCHEMA_VALIDATION_FAILED", "/States/S", "These fields are required: [Resource]")]
#[case::task_resource_not_an_arn(one(task(json!({ "Resource": "my-lambda" }))), "INVALID_RESOURCE", "/States/S/Resource", "The resource provided my-lambda is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.")]
#[case::timeout_and_timeout_path(one(task(json!({ "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t" }))), "SCHEMA_VALIDATION_FAILED", "/States/S", "The fields 'TimeoutSeconds' and 'TimeoutSecondsPath' are mutually exclusive")]
#[case::heartbeat_not_below_timeout(one(task(json!({ "TimeoutSeconds": 5, "HeartbeatSeconds": 5 }))), "SCHEMA_VALIDATION_FAILED", "/States/S/HeartbeatSeconds", "HeartbeatSeconds must be smaller than TimeoutSeconds")]
#[case::timeout_zero(one(task(json!({ "TimeoutSeconds": 0 }))), "SCHEMA_VALIDATION_FAILED", "/States/S/TimeoutSeconds", "The value for the field 'TimeoutSeconds' must be a positive integer no greater than 99999999")]
#[case::retry_negative_attempts(one(task(json!({ "Retry": [{ "ErrorEquals": ["E"], "MaxAttempts": -1 }] }))), "SCHEMA_VALIDATION_FAILED", "/States/S/Retry[0]/MaxAttempts", "The value for the field 'MaxAttempts' must be an integer between 0 and 99999999")]
#[case::retry_backoff_below_one(one(task(json!({ "Retry": [{ "ErrorEquals": ["E"], "BackoffRate": 0.5 }] }))), "SCHEMA_VALIDATION_FAILED", "/States/S/Retry[0]/BackoffRate", "The value for the field 'BackoffRate' must be a number greater than or equal to 1.0")]
#[case::retry_zero_interval(one(task(json!({ "Retry": [{ "ErrorEquals": ["E"], "IntervalSeconds": 0 }] }))), "SCHEMA_VALIDATION_FAILED", "/States/S/Retry[0]/IntervalSeconds", "The value for the field 'IntervalSeconds' must be an integer between 1 and 99999999")]
#[case::retry_without_error_equals(one(task(json!({ "Retry": [{ "MaxAttempts": 1 }] }))), "SCHEMA_VALIDATION_FAILED", "/States/S/Retry[0]", "These fields are required: [ErrorEquals]")]
#[case::states_all_not_alone(one(task(json!({ "Retry": [{ "ErrorEquals": ["States.ALL", "E"] }] }))), "SCHEMA_VALIDATION_FAILED", "/States/S/Retry[0]/ErrorEquals", "States.ALL must appear alone in ErrorEquals")]
#[case::states_all_not_last(one(task(json!({ "Retry": [{ "ErrorEquals": ["States.ALL"] }, { "ErrorEquals": ["E"] }] }))), "SCHEMA_VALIDATION_FAILED", "/States/S/Retry[0]", "A Retry with States.ALL must be the last one")]
#[case::catch_without_next(one(task(json!({ "Catch": [{ "ErrorEquals": ["E"] }] }))), "SCHEMA_VALIDATION_FAILED", "/States/S/Catch[0]", "These fields are required: [Next]")]
#[case::catch_to_missing_state(one(task(json!({ "Catch": [{ "ErrorEquals": ["E"], "Next": "Nowhere" }] }))), "MISSING_TRANSITION_TARGET", "/States/S/Catch[0]/Next", "Missing 'Next' target: Nowhere")]
#[case::choice_without_choices(json!({ "StartAt": "C", "States": { "C": { "Type": "Choice", "Default": "D" }, "D": pass_end() } }), "SCHEMA_VALIDATION_FAILED", "/States/C", "These fields are required: [Choices]")]
#[case::choice_rule_without_next(choice(json!({ "Variable": "$.x", "StringEquals": "a" })), "SCHEMA_VALIDATION_FAILED", "/States/C/Choices[0]", "These fields are required: [Next]")]
#[case::choice_rule_without_operator(choice(json!({ "Variable": "$.x", "Next": "T" })), "SCHEMA_VALIDATION_FAILED", "/States/C/Choices[0]", "A choice rule must have exactly one comparison operator or And/Or/Not")]
#[case::choice_rule_two_operators(choice(json!({ "Variable": "$.x", "StringEquals": "a", "IsNull": true, "Next": "T" })), "SCHEMA_VALIDATION_FAILED", "/States/C/Choices[0]", "A choice rule must have exactly one comparison operator, but has: [StringEquals, IsNull]")]
#[case::string_equals_number(choice(json!({ "Variable": "$.x", "StringEquals": 1, "Next": "T" })), "SCHEMA_VALIDATION_FAILED", "/States/C/Choices[0]/StringEquals", "The value for the field 'StringEquals' must be a STRING")]
#[case::numeric_equals_string(choice(json!({ "Variable": "$.x", "NumericEquals": "1", "Next": "T" })), "SCHEMA_VALIDATION_FAILED", "/States/C/Choices[0]/NumericEquals", "The value for the field 'NumericEquals' must be a NUMBER")]
#[case::is_null_not_boolean(choice(json!({ "Variable": "$.x", "IsNull": "yes", "Next": "T" })), "SCHEMA_VALIDATION_FAILED", "/States/C/Choices[0]/IsNull", "The value for the field 'IsNull' must be a BOOLEAN")]
#[case::choice_default_missing(json!({ "StartAt": "C", "States": { "C": { "Type": "Choice", "Choices": [{ "Variable": "$.x", "IsPresent": true, "Next": "D" }], "Default": "Gone" }, "D": pass_end() } }), "MISSING_TRANSITION_TARGET", "/States/C/Default", "Missing 'Next' target: Gone")]
#[case::parallel_without_branches(one(json!({ "Type": "Parallel", "End": true })), "SCHEMA_VALIDATION_FAILED", "/States/S", "These fields are required: [Branches]")]
#[case::parallel_empty_branches(one(json!({ "Type": "Parallel", "Branches": [], "End": true })), "SCHEMA_VALIDATION_FAILED", "/States/S/Branches", "Value cannot be empty")]
#[case::map_without_processor(one(json!({ "Type": "Map", "End": true })), "SCHEMA_VALIDATION_FAILED", "/States/S", "These fields are required: [ItemProcessor]")]
#[case::map_selector_and_parameters(one(json!({ "Type": "Map", "End": true, "ItemSelector": {}, "Parameters": {}, "ItemProcessor": { "StartAt": "I", "States": { "I": pass_end() } } })), "SCHEMA_VALIDATION_FAILED", "/States/S", "The fields 'ItemSelector' and 'Parameters' are mutually exclusive")]
#[case::duplicate_state_name_in_branch(json!({ "StartAt": "P", "States": { "P": { "Type": "Parallel", "End": true, "Branches": [{ "StartAt": "P", "States": { "P": pass_end() } }] } } }), "DUPLICATE_STATE_NAME", "/States/P/Branches[0]/States/P", "Duplicate State name: P")]
#[case::state_name_too_long(json!({ "StartAt": "A", "States": { "A": { "Type": "Pass", "Next": "x".repeat(81) }, "x".repeat(81): pass_end() } }), "INVALID_STATE_NAME", &format!("/States/{}", "x".repeat(81)), "State names must be between 1 and 80 characters long")]
#[case::jsonpath_field_in_jsonata_state(json!({ "QueryLanguage": "JSONata", "StartAt": "A", "States": { "A": { "Type": "Pass", "ResultPath": "$.x", "End": true } } }), "SCHEMA_VALIDATION_FAILED", "/States/A", "The field 'ResultPath' is not supported for JSONata. Use the fields of JSONata mode (Arguments, Output, Assign, {% %} expressions) instead")]
#[case::jsonata_syntax_error(json!({ "QueryLanguage": "JSONata", "StartAt": "A", "States": { "A": { "Type": "Pass", "Output": "{% 1 + %}", "End": true } } }), "SCHEMA_VALIDATION_FAILED", "/States/A/Output", "The JSONata expression '1 +' is invalid: S0207: Unexpected end of expression")]
fn rejected_with_aws_diagnostic(
    #[case] definition: Value,
    #[case] code: &str,
    #[case] location: &str,
    #[case] message: &str,
) {
    let err = asl::parse(&definition).expect_err("the definition must be rejected");
    assert!(
        err.diagnostics.iter().any(|d| d.code == code
            && d.location == location
            && d.message == message
            && d.severity == "ERROR"),
        "expected {code} at {location}: {message}\ngot: {:#?}",
        err.diagnostics
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let err = asl::parse(&json!({
        "StartAt": "A",
        "States": {
            "A": { "Type": "Pass", "Next": "Nowhere" },
            "B": { "Type": "Wait", "End": true },
            "C": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
                   "Retry": [{ "ErrorEquals": ["E"], "BackoffRate": 0 }] },
            "D": { "Type": "Choice", "Choices": [] }
        }
    }))
    .unwrap_err();
    let locations: Vec<&str> = err
        .diagnostics
        .iter()
        .map(|d| d.location.as_str())
        .collect();
    for expected in [
        "/States/A/Next",
        "/States/B",
        "/States/C/Retry[0]/BackoffRate",
        "/States/D/Choices",
    ] {
        assert!(
            locations.contains(&expected),
            "{expected} missing from {locations:?}"
        );
    }
}

#[test]
fn invalid_json_text_is_invalid_json_description() {
    let err = asl::parse_str("{ \"StartAt\": ").unwrap_err();
    assert_eq!(err.diagnostics[0].code, "INVALID_JSON_DESCRIPTION");
    let err = asl::parse_str("").unwrap_err();
    assert_eq!(
        err.diagnostics[0].message,
        "Definition must be a valid JSON object"
    );
}

#[test]
fn valid_definitions_of_every_kind_parse() {
    let def = json!({
        "Comment": "all the states", "Version": "1.0", "TimeoutSeconds": 60,
        "StartAt": "P",
        "States": {
            "P": { "Type": "Pass", "Result": 1, "ResultPath": "$.r", "Next": "W" },
            "W": { "Type": "Wait", "Timestamp": "2024-01-01T00:00:00Z", "Next": "T" },
            "T": { "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                   "Parameters": { "t.$": "$$.Task.Token", "f.$": "States.Format('{}', $.r)" },
                   "TimeoutSecondsPath": "$.timeout", "HeartbeatSeconds": 10,
                   "Retry": [{ "ErrorEquals": ["E"], "JitterStrategy": "FULL", "MaxDelaySeconds": 5 }, { "ErrorEquals": ["States.ALL"] }],
                   "Catch": [{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "F" }],
                   "Next": "C" },
            "C": { "Type": "Choice", "Choices": [
                     { "And": [{ "Variable": "$.a", "IsPresent": true }, { "Not": { "Variable": "$.b", "StringMatches": "x*" } }], "Next": "Par" },
                     { "Variable": "$.n", "NumericGreaterThanPath": "$.m", "Next": "M" } ],
                   "Default": "S" },
            "Par": { "Type": "Parallel", "Branches": [{ "StartAt": "B1", "States": { "B1": { "Type": "Succeed" } } }], "Next": "M" },
            "M": { "Type": "Map", "ItemsPath": "$.items", "MaxConcurrencyPath": "$.mc",
                   "ItemSelector": { "v.$": "$$.Map.Item.Value" },
                   "ItemProcessor": { "ProcessorConfig": { "Mode": "INLINE" }, "StartAt": "I", "States": { "I": { "Type": "Pass", "End": true } } },
                   "End": true },
            "S": { "Type": "Succeed" },
            "F": { "Type": "Fail", "ErrorPath": "$.e.Error", "CausePath": "States.Format('{}', $.e.Cause)" }
        }
    });
    let parsed = asl::parse(&def).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.state_names().count(), 8);
    assert_eq!(parsed.timeout_seconds, Some(60));
}

/// Arbitrary JSON, and valid definitions with random fields deleted or replaced.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[A-Za-z$.*\\[\\]()' ]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("Type".to_string()),
                    Just("StartAt".to_string()),
                    Just("States".to_string()),
                    Just("Next".to_string()),
                    Just("End".to_string()),
                    Just("Choices".to_string()),
                    Just("Branches".to_string()),
                    Just("ItemProcessor".to_string()),
                    Just("Retry".to_string()),
                    Just("Catch".to_string()),
                    Just("ErrorEquals".to_string()),
                    Just("Variable".to_string()),
                    Just("Parameters".to_string()),
                    Just("x.$".to_string()),
                    "[A-Z][a-z]{0,6}",
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn mutate(v: &mut Value, path: &[usize], replacement: &Value) {
    let Some((first, rest)) = path.split_first() else {
        *v = replacement.clone();
        return;
    };
    match v {
        Value::Object(o) if !o.is_empty() => {
            let key = o.keys().nth(first % o.len()).cloned().unwrap_or_default();
            if rest.is_empty() && replacement.is_null() {
                o.remove(&key);
            } else if let Some(child) = o.get_mut(&key) {
                mutate(child, rest, replacement);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            let len = a.len();
            mutate(&mut a[first % len], rest, replacement);
        }
        _ => *v = replacement.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        let _ = asl::parse(&v);
        let _ = asl::parse(&json!({ "StartAt": "A", "States": { "A": v } }));
    }

    #[test]
    fn mutated_definitions_never_panic(path in proptest::collection::vec(any::<usize>(), 1..6), replacement in arb_json()) {
        let mut def: Value = serde_json::from_str(include_str!("../fixtures/order.asl.json")).unwrap();
        mutate(&mut def, &path, &replacement);
        let _ = asl::parse(&def);
        let mut def: Value = serde_json::from_str(include_str!("../fixtures/approval.asl.json")).unwrap();
        mutate(&mut def, &path, &Value::Null);
        let _ = asl::parse(&def);
    }
}
