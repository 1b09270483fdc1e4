//! Distributed Map: child executions in a Map Run, tolerated failures, items read from S3 and
//! results written to it, and the children's own variable scope.

use serde_json::{json, Value};

use super::support::event_types;
use crate::prelude::*;

fn distributed(extra: Value, processor_states: Value, start_at: &str) -> Value {
    let mut map = json!({
        "Type": "Map",
        "End": true,
        "ItemProcessor": {
            "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
            "StartAt": start_at,
            "States": processor_states
        }
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        map[k] = v;
    }
    json!({ "StartAt": "M", "States": { "M": map } })
}

/// Items that are even fail their child execution.
fn odd_or_fail() -> Value {
    json!({
        "Check": { "Type": "Choice",
                   "Choices": [{ "Variable": "$.n", "NumericGreaterThan": 100, "Next": "Boom" }],
                   "Default": "Done" },
        "Boom": { "Type": "Fail", "Error": "TooBig", "Cause": "over 100" },
        "Done": { "Type": "Pass", "End": true }
    })
}

#[sfn_harness::test(seed = 41)]
async fn tolerated_failures_let_the_map_run_succeed(h: Harness) {
    let machine = h
        .create_state_machine(
            "tolerant",
            distributed(
                json!({ "ToleratedFailureCount": 1, "Label": "Items" }),
                odd_or_fail(),
                "Check",
            ),
        )
        .await?;
    let input = json!([{ "n": 1 }, { "n": 500 }, { "n": 3 }]);
    let done = machine.start(input).await?.finish().await?;

    assert_eq!(done.status(), Status::Succeeded);
    // The failed child adds nothing to the result.
    assert_eq!(done.output(), Some(&json!([{ "n": 1 }, { "n": 3 }])));
    let runs = h.engine().list_map_runs(done.arn())?;
    assert_eq!(runs.len(), 1);
    let counts = runs[0].execution_counts();
    assert_eq!((counts.succeeded, counts.failed), (2, 1));
    let children = runs[0].child_executions();
    assert_eq!(children[1].error().as_deref(), Some("TooBig"));
    assert_eq!(
        event_types(&children[1].history()),
        [
            "ExecutionStarted",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "FailStateEntered",
            "ExecutionFailed"
        ]
    );
    // The parent's history holds the Map Run, not the iterations.
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 42)]
async fn exceeding_the_tolerated_failures_fails_the_map_run(h: Harness) {
    let mut def = distributed(
        json!({ "ToleratedFailurePercentage": 40,
                "Catch": [{ "ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "Handled" }] }),
        odd_or_fail(),
        "Check",
    );
    def["States"]["M"].as_object_mut().unwrap().remove("End");
    def["States"]["M"]["Next"] = json!("Never");
    def["States"]["Never"] = json!({ "Type": "Pass", "End": true });
    def["States"]["Handled"] = json!({ "Type": "Pass", "End": true });
    let machine = h.create_state_machine("intolerant", def).await?;
    let done = machine
        .start(json!([{ "n": 500 }, { "n": 1 }, { "n": 600 }]))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(
        done.output(),
        Some(&json!({
            "Error": "States.ExceedToleratedFailureThreshold",
            "Cause": "The specified tolerated failure threshold was exceeded"
        }))
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 43)]
async fn item_reader_reads_a_csv_object_and_result_writer_writes_the_results(h: Harness) {
    let s3 = h.account().s3();
    s3.create_bucket("inputs").unwrap();
    s3.create_bucket("results").unwrap();
    s3.put_object(
        "inputs",
        "rows.csv",
        b"id,name\n1,ann\n2,bob\n3,cy\n".to_vec(),
        None,
    )
    .unwrap();
    let machine = h
        .create_state_machine(
            "from-s3",
            distributed(
                json!({
                    "ItemReader": {
                        "Resource": "arn:aws:states:::s3:getObject",
                        "ReaderConfig": { "InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 2 },
                        "Parameters": { "Bucket": "inputs", "Key.$": "$.key" }
                    },
                    "ResultWriter": {
                        "Resource": "arn:aws:states:::s3:putObject",
                        "Parameters": { "Bucket": "results", "Prefix": "out" }
                    }
                }),
                json!({ "Echo": { "Type": "Pass", "End": true } }),
                "Echo",
            ),
        )
        .await?;
    let done = machine
        .start(json!({ "key": "rows.csv" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    let out = done.output().unwrap();
    let manifest_key = out["ResultWriterDetails"]["Key"].as_str().unwrap();
    assert!(manifest_key.starts_with("out/") && manifest_key.ends_with("/manifest.json"));
    let manifest: Value =
        serde_json::from_slice(&s3.get_object("results", manifest_key).unwrap().body).unwrap();
    assert_eq!(manifest["MapRunArn"], out["MapRunArn"]);
    let succeeded_key = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
        .as_str()
        .unwrap();
    let results: Value =
        serde_json::from_slice(&s3.get_object("results", succeeded_key).unwrap().body).unwrap();
    let outputs: Vec<Value> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(r["Output"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(
        outputs,
        [
            json!({ "id": "1", "name": "ann" }),
            json!({ "id": "2", "name": "bob" })
        ]
    );
    assert_eq!(manifest["ResultFiles"]["FAILED"], json!([]));
}

#[sfn_harness::test(seed = 44)]
async fn a_missing_object_fails_the_item_reader(h: Harness) {
    h.account().s3().create_bucket("inputs").unwrap();
    let machine = h
        .create_state_machine(
            "no-object",
            distributed(
                json!({ "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": { "InputType": "JSON" },
                    "Parameters": { "Bucket": "inputs", "Key": "missing.json" } } }),
                json!({ "Echo": { "Type": "Pass", "End": true } }),
                "Echo",
            ),
        )
        .await?;
    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.ItemReaderFailed"));
    assert!(done
        .cause()
        .unwrap()
        .starts_with("The specified key does not exist."));
    assert_eq!(
        event_types(&done.aws_history()),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapRunStarted",
            "MapRunFailed",
            "MapStateFailed",
            "ExecutionFailed"
        ]
    );
}

/// Issue 9: a distributed Map's child executions cannot read the parent's variables (AWS's
/// developer guide, "Variable scope"); an ItemSelector, evaluated in the parent, can.
#[sfn_harness::test(seed = 45)]
async fn children_do_not_see_the_parents_variables(h: Harness) {
    let machine = h
        .create_state_machine(
            "scoped",
            json!({
                "StartAt": "Set",
                "States": {
                    "Set": { "Type": "Pass", "Assign": { "greeting": "hi" }, "Result": [1], "Next": "M" },
                    "M": {
                        "Type": "Map",
                        "ItemSelector": { "passed.$": "$greeting" },
                        "ItemProcessor": {
                            "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
                            "StartAt": "Read",
                            "States": { "Read": { "Type": "Pass",
                                                  "Parameters": { "passed.$": "$.passed", "own.$": "$greeting" },
                                                  "End": true } }
                        },
                        "End": true
                    }
                }
            }),
        )
        .await?;
    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(
        done.error().as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    let runs = h.engine().list_map_runs(done.arn())?;
    let child = &runs[0].child_executions()[0];
    assert_eq!(child.input(), &json!({ "passed": "hi" }));
    assert_eq!(child.error().as_deref(), Some("States.Runtime"));
}

#[sfn_harness::test(seed = 46)]
async fn item_reader_lists_objects_and_batches_them(h: Harness) {
    let s3 = h.account().s3();
    s3.create_bucket("photos").unwrap();
    for k in ["a.jpg", "b.jpg", "c.jpg", "notes/d.txt"] {
        s3.put_object("photos", k, b"xyz".to_vec(), None).unwrap();
    }
    let machine = h
        .create_state_machine(
            "listing",
            distributed(
                json!({
                    "ItemReader": {
                        "Resource": "arn:aws:states:::s3:listObjectsV2",
                        "Parameters": { "Bucket": "photos", "Prefix": "" }
                    },
                    "ItemSelector": { "key.$": "$$.Map.Item.Value.Key", "size.$": "$$.Map.Item.Value.Size" },
                    "ItemBatcher": { "MaxItemsPerBatch": 3, "BatchInput": { "job": "thumbs" } }
                }),
                json!({ "Echo": { "Type": "Pass", "End": true } }),
                "Echo",
            ),
        )
        .await?;
    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(
        done.output(),
        Some(&json!([
            { "BatchInput": { "job": "thumbs" }, "Items": [
                { "key": "a.jpg", "size": 3 }, { "key": "b.jpg", "size": 3 }, { "key": "c.jpg", "size": 3 }] },
            { "BatchInput": { "job": "thumbs" }, "Items": [{ "key": "notes/d.txt", "size": 3 }] }
        ]))
    );
    let runs = h.engine().list_map_runs(done.arn())?;
    assert_eq!(runs[0].item_counts().total, 4);
    assert_eq!(runs[0].execution_counts().total, 2);
}

#[sfn_harness::test(seed = 47)]
async fn stopping_the_parent_aborts_its_map_run_and_children(h: Harness) {
    let machine = h
        .create_state_machine(
            "long",
            distributed(
                json!({}),
                json!({ "Nap": { "Type": "Wait", "Seconds": 3600, "End": true } }),
                "Nap",
            ),
        )
        .await?;
    let exec = machine.start(json!([1, 2])).await?;
    h.clock().settle().await; // no time passes: both children wait in their Wait state
    let runs = h.engine().list_map_runs(exec.arn())?;
    assert_eq!(runs[0].execution_counts().running, 2);
    exec.stop(None, None).await?;

    assert_eq!(runs[0].status().as_str(), "ABORTED");
    for child in runs[0].child_executions() {
        assert_eq!(child.status(), Status::Aborted);
    }
}

// Moved from `tests/scenarios/seeds.rs`: it reads the Map Run's children off the engine.

/// A distributed Map's Map Run and child executions repeat byte for byte too: three lanes of
/// children waiting different virtual times on a two-thread runtime, one of them a tolerated
/// failure, give the same parent and child histories (ARNs, Map Run ids, timestamps) on every
/// run with one seed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_distributed_maps_repeat_byte_for_byte() {
    async fn run(seed: u64) -> String {
        let h = Harness::builder().seed(seed).start().await;
        let machine = h
            .create_state_machine(
                "fanout",
                json!({
                    "StartAt": "Each",
                    "States": { "Each": {
                        "Type": "Map",
                        "ItemProcessor": {
                            "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
                            "StartAt": "Nap",
                            "States": {
                                "Nap": { "Type": "Wait", "SecondsPath": "$.n", "Next": "Small?" },
                                "Small?": { "Type": "Choice",
                                    "Choices": [{ "Variable": "$.n", "NumericLessThan": 5, "Next": "Ok" }],
                                    "Default": "TooBig" },
                                "Ok": { "Type": "Succeed" },
                                "TooBig": { "Type": "Fail", "Error": "TooBig" }
                            }
                        },
                        "MaxConcurrency": 3,
                        "ToleratedFailureCount": 1,
                        "End": true
                    } }
                }),
            )
            .await
            .unwrap();
        let input = json!([{ "n": 3 }, { "n": 1 }, { "n": 7 }, { "n": 2 }, { "n": 4 }, { "n": 1 }]);
        let done = machine.start(input).await.unwrap().finish().await.unwrap();
        assert_eq!(done.status(), Status::Succeeded, "{}", done.timeline());
        let mut out = vec![serde_json::to_string(
            &done
                .aws_history()
                .iter()
                .map(|e| e.to_aws_json())
                .collect::<Vec<_>>(),
        )
        .unwrap()];
        for run in h.engine().list_map_runs(done.arn()).unwrap() {
            for child in run.child_executions() {
                let events: Vec<_> = child.history().iter().map(|e| e.to_aws_json()).collect();
                out.push(format!(
                    "{} {}",
                    child.arn(),
                    serde_json::to_string(&events).unwrap()
                ));
            }
        }
        out.join("\n")
    }
    let first = run(7).await;
    assert!(first.contains("MapRunStarted"), "{first}");
    assert_eq!(first, run(7).await, "a seeded distributed Map repeats");
    assert_ne!(first, run(8).await, "another seed gives other ids");
}
