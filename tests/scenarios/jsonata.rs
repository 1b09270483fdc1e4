//! JSONata machines and workflow variables, as users write them: scripted workers, virtual time,
//! seeded runs, variable scopes in Map and Parallel, AWS's errors; and a property test that
//! feeds JSONata strings to every field type.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sfn_harness::prelude::*;

/// The `…StateExited` event of `state` in an AWS-shaped history.
fn exited(done: &Finished, state: &str) -> Value {
    done.aws_history()
        .iter()
        .filter(|e| e.event_type.ends_with("StateExited"))
        .filter_map(|e| e.details().cloned())
        .find(|d| d["name"] == state)
        .unwrap_or_else(|| panic!("no exit of {state}"))
}

#[sfn_harness::test(seed = 7)]
async fn an_order_pipeline_in_jsonata_with_a_callback(h: Harness) {
    let queue = h.create_queue("approvals").await?;
    let machine = h
        .create_state_machine(
            "order",
            json!({
                "QueryLanguage": "JSONata",
                "StartAt": "Price",
                "States": {
                    "Price": { "Type": "Pass",
                        "Assign": { "total": "{% $sum($states.input.items.(price * qty)) %}",
                                    "customer": "{% $states.input.customer %}" },
                        "Next": "Big?" },
                    "Big?": { "Type": "Choice",
                        "Choices": [{ "Condition": "{% $total > 100 %}", "Next": "Approve" }],
                        "Default": "Done" },
                    "Approve": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Arguments": { "QueueUrl": queue,
                            "MessageBody": { "token": "{% $states.context.Task.Token %}",
                                             "total": "{% $total %}" } },
                        "Assign": { "approver": "{% $states.result.by %}" },
                        "Output": "{% $merge([$states.input, {'approved': $states.result.ok}]) %}",
                        "HeartbeatSeconds": 60,
                        "TimeoutSeconds": "{% 3600 %}",
                        "Next": "Done" },
                    "Done": { "Type": "Succeed",
                        "Output": { "customer": "{% $customer %}", "total": "{% $total %}",
                                    "approved": "{% $states.input.approved ? true : false %}" } }
                }
            }),
        )
        .await?;
    h.on_task("Approve")
        .respond_with(Reply::with(|task| {
            // The worker receives the message body the Arguments built.
            if task.input["total"] == json!(150) && task.input["token"] == json!(task.token) {
                Answer::Success(json!({ "ok": true, "by": "ada" }))
            } else {
                Answer::Failure {
                    error: "Unexpected".into(),
                    cause: task.input.to_string(),
                }
            }
        }))
        .expect(1)
        .mount()
        .await;

    let input = json!({ "customer": "c-1", "items": [{ "price": 50, "qty": 3 }] });
    let done = machine.start(input).await?.finish().await?;
    assert_eq!(done.status(), Status::Succeeded, "{:?}", done.cause());
    assert_eq!(
        done.output(),
        Some(&json!({ "customer": "c-1", "total": 150, "approved": true }))
    );
    let price = exited(&done, "Price");
    assert_eq!(
        price["assignedVariables"],
        json!({ "total": "150", "customer": "\"c-1\"" })
    );
    assert_eq!(
        price["assignedVariablesDetails"],
        json!({ "truncated": false })
    );
    assert_eq!(
        exited(&done, "Approve")["assignedVariables"],
        json!({ "approver": "\"ada\"" })
    );
    // A state without Assign records no assignedVariables.
    assert!(exited(&done, "Done").get("assignedVariables").is_none());
    h.verify()?;
}

#[sfn_harness::test(seed = 1)]
async fn every_expression_sees_the_values_from_state_entry(h: Harness) {
    let machine = h
        .create_state_machine(
            "order-of-evaluation",
            json!({
                "QueryLanguage": "JSONata",
                "StartAt": "Init",
                "States": {
                    "Init": { "Type": "Pass", "Assign": { "n": 1 }, "Next": "Bump" },
                    "Bump": { "Type": "Pass",
                        "Assign": { "n": "{% $n + 1 %}", "old": "{% $n %}" },
                        "Output": { "seen": "{% $n %}" }, "Next": "Read" },
                    "Read": { "Type": "Pass", "Output": { "n": "{% $n %}", "old": "{% $old %}",
                        "seen": "{% $states.input.seen %}" }, "End": true }
                }
            }),
        )
        .await?;
    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.output(), Some(&json!({ "n": 2, "old": 1, "seen": 1 })));
}

#[sfn_harness::test(seed = 1)]
async fn jsonpath_states_assign_and_read_variables(h: Harness) {
    let machine = h
        .create_state_machine(
            "jsonpath-vars",
            json!({
                "StartAt": "Set",
                "States": {
                    "Set": { "Type": "Pass", "Result": { "limit": 3, "who": "ada" },
                             "Assign": { "limit.$": "$.limit", "greeting.$": "States.Format('hi {}', $.who)" },
                             "ResultPath": null, "Next": "Use" },
                    "Use": { "Type": "Pass",
                             "Parameters": { "limit.$": "$limit", "msg.$": "$greeting", "more.$": "States.MathAdd($limit, 1)" },
                             "Next": "Check" },
                    "Check": { "Type": "Choice",
                               "Choices": [{ "Variable": "$limit", "NumericGreaterThan": 2, "Next": "Big" }],
                               "Default": "Small" },
                    "Big": { "Type": "Pass", "OutputPath": "$.msg", "End": true },
                    "Small": { "Type": "Fail", "Error": "Small" }
                }
            }),
        )
        .await?;
    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::Succeeded, "{:?}", done.cause());
    assert_eq!(done.output(), Some(&json!("hi ada")));
}

#[sfn_harness::test(seed = 3)]
async fn map_iterations_and_parallel_branches_read_outer_variables_but_cannot_write_them(
    h: Harness,
) {
    let machine = h
        .create_state_machine(
            "scopes",
            json!({
                "QueryLanguage": "JSONata",
                "StartAt": "Init",
                "States": {
                    "Init": { "Type": "Pass", "Assign": { "bias": 10, "x": "outer" }, "Next": "Each" },
                    "Each": { "Type": "Map", "Items": "{% [1, 2, 3] %}",
                        "ItemProcessor": { "StartAt": "Shift", "States": {
                            "Shift": { "Type": "Pass", "Assign": { "x": "inner" },
                                       "Output": "{% $states.input + $bias %}", "Next": "Inner" },
                            "Inner": { "Type": "Pass", "Output": "{% $states.input & ':' & $x %}", "End": true } } },
                        "Assign": { "shifted": "{% $states.result %}" },
                        "Next": "Both" },
                    "Both": { "Type": "Parallel",
                        "Branches": [
                            { "StartAt": "A", "States": { "A": { "Type": "Pass", "Assign": { "x": "branch" }, "Output": "{% $x %}", "Next": "A2" },
                                                         "A2": { "Type": "Pass", "Output": "{% $x %}", "End": true } } },
                            { "StartAt": "B", "States": { "B": { "Type": "Pass", "Output": "{% $shifted[0] %}", "End": true } } }
                        ],
                        "Next": "After" },
                    "After": { "Type": "Pass",
                        "Output": { "x": "{% $x %}", "shifted": "{% $shifted %}", "both": "{% $states.input %}" },
                        "End": true }
                }
            }),
        )
        .await?;
    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::Succeeded, "{:?}", done.cause());
    assert_eq!(
        done.output(),
        Some(&json!({
            "x": "outer",
            "shifted": ["11:inner", "12:inner", "13:inner"],
            "both": ["branch", "11:inner"]
        }))
    );
}

async fn uuid_and_random(seed: u64) -> Value {
    let h = Harness::builder().seed(seed).start().await;
    let machine = h
        .create_state_machine(
            "random",
            json!({
                "QueryLanguage": "JSONata",
                "StartAt": "Roll",
                "States": { "Roll": { "Type": "Pass",
                    "Output": { "id": "{% $uuid() %}", "r": "{% $random() %}", "fixed": "{% $random(42) %}",
                                "now": "{% $millis() %}" },
                    "End": true } }
            }),
        )
        .await
        .expect("valid machine");
    let done = machine
        .start(json!({}))
        .await
        .expect("started")
        .finish()
        .await
        .expect("finished");
    done.output().cloned().expect("an output")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_harness_repeats_uuid_random_and_the_clock() {
    let (a, b, c) = (
        uuid_and_random(7).await,
        uuid_and_random(7).await,
        uuid_and_random(8).await,
    );
    assert_eq!(a, b);
    assert_ne!(a["id"], c["id"]);
    assert_eq!(a["id"].as_str().map(str::len), Some(36));
    // AWS's $random(seed) is java.util.Random(seed).nextDouble().
    assert_eq!(a["fixed"], json!(0.7275636800328681));
}

#[sfn_harness::test(seed = 1)]
async fn an_undefined_result_fails_with_aws_cause_and_an_evaluation_failed_event(h: Harness) {
    let machine = h
        .create_state_machine(
            "undefined",
            json!({
                "QueryLanguage": "JSONata",
                "StartAt": "S",
                "States": { "S": { "Type": "Pass", "Output": { "result": "{% $doesNotExist %}" }, "End": true } }
            }),
        )
        .await?;
    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.QueryEvaluationError"));
    assert_eq!(
        done.cause().as_deref(),
        Some("An error occurred while executing the state 'S' (entered at the event id #2). The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined).")
    );
    let failed = done
        .aws_history()
        .into_iter()
        .find(|e| e.event_type == "EvaluationFailed")
        .expect("an EvaluationFailed event");
    assert_eq!(
        failed.details().unwrap()["location"],
        json!("Output/result")
    );
    assert_eq!(failed.details().unwrap()["state"], json!("S"));
}

#[sfn_harness::test(seed = 1)]
async fn a_query_evaluation_error_can_be_caught_with_its_error_output(h: Harness) {
    let machine = h
        .create_state_machine(
            "caught",
            json!({
                "QueryLanguage": "JSONata",
                "StartAt": "Bad",
                "States": {
                    "Bad": { "Type": "Map", "Items": "{% 'not a list' %}",
                        "ItemProcessor": { "StartAt": "P", "States": { "P": { "Type": "Pass", "End": true } } },
                        "Catch": [{ "ErrorEquals": ["States.QueryEvaluationError"],
                                    "Assign": { "why": "{% $states.errorOutput.Error %}" },
                                    "Output": { "error": "{% $states.errorOutput.Error %}" },
                                    "Next": "Handled" }],
                        "End": true },
                    "Handled": { "Type": "Pass", "Output": { "why": "{% $why %}", "in": "{% $states.input %}" }, "End": true }
                }
            }),
        )
        .await?;
    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::Succeeded, "{:?}", done.cause());
    assert_eq!(
        done.output(),
        Some(&json!({
            "why": "States.QueryEvaluationError",
            "in": { "error": "States.QueryEvaluationError" }
        }))
    );
}

#[sfn_harness::test(seed = 1)]
async fn a_jsonata_wait_runs_on_virtual_time(h: Harness) {
    let machine = h
        .create_state_machine(
            "wait",
            json!({
                "QueryLanguage": "JSONata",
                "StartAt": "W",
                "States": { "W": { "Type": "Wait", "Seconds": "{% $states.input.delay * 60 %}",
                                   "Output": "{% $states.input.delay %}", "End": true } }
            }),
        )
        .await?;
    let done = machine
        .start(json!({ "delay": 90 }))
        .await?
        .finish()
        .await?;
    assert_eq!(done.output(), Some(&json!(90)));
    assert_eq!(done.duration(), Duration::from_secs(90 * 60));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definitions_are_validated_per_query_language() {
    let h = Harness::start().await;
    let refused = |def: Value| {
        let h = &h;
        async move {
            h.create_state_machine("bad", def)
                .await
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        }
    };
    // JSONPath-only fields in a JSONata state.
    let e = refused(json!({ "QueryLanguage": "JSONata", "StartAt": "A",
        "States": { "A": { "Type": "Pass", "Parameters": { "a": 1 }, "End": true } } }))
    .await;
    assert!(e.contains("SCHEMA_VALIDATION_FAILED"), "{e}");
    assert!(
        e.contains("'Parameters' is not supported for JSONata"),
        "{e}"
    );
    // JSONata-only fields in a JSONPath state.
    let e = refused(json!({ "StartAt": "A",
        "States": { "A": { "Type": "Pass", "Output": { "a": 1 }, "End": true } } }))
    .await;
    assert!(
        e.contains("'Output' is supported only when QueryLanguage is JSONata"),
        "{e}"
    );
    // A syntax error inside {% %}.
    let e = refused(json!({ "QueryLanguage": "JSONata", "StartAt": "A",
        "States": { "A": { "Type": "Pass", "Output": { "a": "{% $states.input.( %}" }, "End": true } } }))
    .await;
    assert!(e.contains("/States/A/Output/a"), "{e}");
    // A JSONata machine cannot fall back to JSONPath in a state.
    let e = refused(json!({ "QueryLanguage": "JSONata", "StartAt": "A",
        "States": { "A": { "Type": "Pass", "QueryLanguage": "JSONPath", "End": true } } }))
    .await;
    assert!(e.contains("/States/A/QueryLanguage"), "{e}");
    // But a JSONPath machine may have JSONata states.
    assert!(h
        .create_state_machine(
            "mixed",
            json!({ "StartAt": "A", "States": {
                "A": { "Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 %}", "Next": "B" },
                "B": { "Type": "Pass", "InputPath": "$", "End": true } } })
        )
        .await
        .is_ok());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Pathological and ordinary expressions.
    fn expression() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("[1..99999999]".to_string()),
            Just("$count([1..9999999])".to_string()),
            Just("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000000))".to_string()),
            Just("($f := function(){ $f() }; $f())".to_string()),
            Just("$pad('x', 1e10)".to_string()),
            Just("$formatInteger(1e15, 'I')".to_string()),
            Just("$eval('1')".to_string()),
            Just("1 ?? 2".to_string()),
            Just("$states.input".to_string()),
            Just("$states.context.State.Name".to_string()),
            Just("$nope".to_string()),
            Just("{".to_string()),
            Just("$uuid()".to_string()),
            Just("$random()".to_string()),
            Just("true".to_string()),
            Just("-1".to_string()),
            Just("'2024-01-01T00:00:00Z'".to_string()),
            Just("[1,2]".to_string()),
            "[ -~]{0,24}",
            (0i64..5).prop_map(|n| n.to_string()),
        ]
    }

    /// A machine with `{% expr %}` in one field of one state type.
    fn machine(field: usize, expr: &str) -> Value {
        let e = format!("{{% {expr} %}}");
        let processor =
            json!({ "StartAt": "P", "States": { "P": { "Type": "Pass", "End": true } } });
        let state = match field {
            0 => json!({ "Type": "Pass", "Output": e, "End": true }),
            1 => json!({ "Type": "Pass", "Assign": { "v": e }, "End": true }),
            2 => {
                json!({ "Type": "Choice", "Choices": [{ "Condition": e, "Next": "End" }], "Default": "End" })
            }
            3 => json!({ "Type": "Wait", "Seconds": e, "Next": "End" }),
            4 => json!({ "Type": "Wait", "Timestamp": e, "Next": "End" }),
            5 => json!({ "Type": "Fail", "Error": e, "Cause": e }),
            6 => json!({ "Type": "Map", "Items": e, "ItemProcessor": processor, "Next": "End" }),
            7 => {
                json!({ "Type": "Map", "Items": [1], "ItemSelector": { "x": e }, "MaxConcurrency": e, "ItemProcessor": processor, "Next": "End" })
            }
            8 => {
                json!({ "Type": "Parallel", "Arguments": e, "Output": { "o": e }, "Branches": [processor], "Next": "End" })
            }
            _ => json!({ "Type": "Succeed", "Output": [e] }),
        };
        json!({ "QueryLanguage": "JSONata", "StartAt": "S",
                "States": { "S": state, "End": { "Type": "Succeed" } } })
    }

    const AWS_ERRORS: &[&str] = &[
        "States.QueryEvaluationError",
        "States.Runtime",
        "States.NoChoiceMatched",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn jsonata_in_any_field_ends_with_a_result_or_an_aws_error(field in 0usize..10, expr in expression()) {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
            rt.block_on(async {
                let h = Harness::builder().seed(1).start().await;
                let started = Instant::now();
                let def = machine(field, &expr);
                let Ok(m) = h.create_state_machine("p", def).await else {
                    return; // refused at creation with diagnostics: fine
                };
                let done = m.start(json!({ "a": 1 })).await.expect("started").finish().await.expect("finished in bounded time");
                match done.status() {
                    Status::Succeeded => {}
                    Status::Failed => {
                        let error = done.error().unwrap_or_default();
                        // A Fail state fails with its own (evaluated) error name.
                        assert!(field == 5 || AWS_ERRORS.contains(&error.as_str()), "{expr} in field {field}: {error} {:?}", done.cause());
                    }
                    other => panic!("{expr} in field {field}: {other:?}"),
                }
                // Limits bound every evaluation (1 s each); a state evaluates a few fields.
                assert!(started.elapsed() < Duration::from_secs(20), "{expr} took {:?}", started.elapsed());
            });
        }
    }
}

#[sfn_harness::test(seed = 5)]
async fn the_normalized_history_shows_assigned_variables_parsed(h: Harness) {
    let machine = h
        .create_state_machine(
            "normalized",
            json!({ "StartAt": "A", "States": { "A": { "Type": "Pass",
                "Assign": { "id.$": "States.UUID()", "n": 3, "o": { "k": [1] } }, "End": true } } }),
        )
        .await?;
    let done = machine.start(json!({})).await?.finish().await?;
    let history = serde_json::to_value(done.history())?;
    let exited = history
        .as_array()
        .and_then(|events| events.iter().find(|e| e["type"] == "PassStateExited"))
        .cloned()
        .unwrap_or_default();
    let vars = &exited["stateExitedEventDetails"]["assignedVariables"];
    assert_eq!(vars["n"], json!(3));
    assert_eq!(vars["o"], json!({ "k": [1] }));
    assert_eq!(vars["id"], json!("<uuid:1>"));
}

/// AWS's variable limits (Developer Guide, "Passing data between states with variables",
/// Limits): one variable at most 256 KiB, one `Assign` at most 256 KiB together, an
/// execution's variables at most 10 MiB. Over a limit the state fails with
/// `States.DataLimitExceeded` (AWS names no error for these limits; sfn-harness uses the one
/// AWS names for its other size quotas), in both query languages.
#[sfn_harness::test(seed = 11)]
async fn variables_over_aws_size_limits_fail_the_state(h: Harness) {
    let big = "x".repeat(200 * 1024);
    let cases = [
        // One variable over 256 KiB (JSONata builds it from the input).
        (
            "one",
            json!({ "QueryLanguage": "JSONata", "StartAt": "A", "States": {
                "A": { "Type": "Pass",
                       "Assign": { "v": "{% $states.input.s & $states.input.s %}" }, "End": true } } }),
            "The variable 'v' is",
        ),
        // Two variables of 200 KiB each: each fits, the Assign does not (JSONPath).
        (
            "assign",
            json!({ "StartAt": "A", "States": {
                "A": { "Type": "Pass", "Assign": { "a.$": "$.s", "b.$": "$.s" }, "End": true } } }),
            "The variables of this Assign are",
        ),
    ];
    for (name, definition, cause) in cases {
        let machine = h.create_state_machine(name, definition).await?;
        let done = machine.start(json!({ "s": big })).await?.finish().await?;
        assert_eq!(done.status(), Status::Failed, "{name}");
        assert_eq!(
            done.error().as_deref(),
            Some("States.DataLimitExceeded"),
            "{name}"
        );
        let got = done.cause().unwrap_or_default();
        assert!(got.starts_with(cause), "{name}: {got}");
    }

    // The 10 MiB per execution: a unit test of engine::interpreter::dataflow (an execution
    // that stores 10 MiB of variables is too slow for a debug-build test).
}
