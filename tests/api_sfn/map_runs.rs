//! Map Run operations: DescribeMapRun, ListMapRuns, UpdateMapRun, and ListExecutions by
//! mapRunArn (shapes: botocore's `stepfunctions` service model).

use super::*;

const DISTRIBUTED: &str = r#"{"StartAt": "M", "States": {"M": {
    "Type": "Map", "Label": "Fan", "MaxConcurrency": 2, "ToleratedFailureCount": 1, "End": true,
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Odd", "States": {
            "Odd": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Boom"}],
                    "Default": "Done"},
            "Boom": {"Type": "Fail", "Error": "Even", "Cause": "two"},
            "Done": {"Type": "Pass", "End": true}}}}}}"#;

#[sfn_harness::test(seed = 31)]
async fn map_runs_are_described_listed_and_updated(h: Harness) {
    let c = h.sfn_client().await;
    let machine = create(&c, "fan", DISTRIBUTED).await;
    let exec = start(&c, &machine, Some("e1"), "[1, 2, 3]").await;
    let done = wait_done(&c, &exec).await;
    assert_eq!(done.status, ExecutionStatus::Succeeded);
    assert_eq!(done.output(), Some("[1,3]"));

    let runs = c.list_map_runs().execution_arn(&exec).send().await.unwrap();
    assert_eq!(runs.map_runs().len(), 1);
    let run = &runs.map_runs()[0];
    assert!(
        run.map_run_arn
            .starts_with("arn:aws:states:us-east-1:123456789012:mapRun:fan/Fan:"),
        "{}",
        run.map_run_arn
    );
    assert_eq!(run.execution_arn, exec);
    assert_eq!(run.state_machine_arn, machine);

    let d = c
        .describe_map_run()
        .map_run_arn(&run.map_run_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status.as_str(), "SUCCEEDED");
    assert_eq!(d.max_concurrency, 2);
    assert_eq!(d.tolerated_failure_count, 1);
    let items = d.item_counts().unwrap();
    assert_eq!(
        (items.total, items.succeeded, items.failed, items.pending),
        (3, 2, 1, 0)
    );
    let runs_counts = d.execution_counts().unwrap();
    assert_eq!((runs_counts.total, runs_counts.running), (3, 0));

    // The children are executions of `fan/Fan`, listed by the Map Run, newest first.
    let children = c
        .list_executions()
        .map_run_arn(&run.map_run_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(children.executions().len(), 3);
    assert!(children
        .executions()
        .iter()
        .all(|e| e.item_count() == Some(1)));
    let failed: Vec<_> = children
        .executions()
        .iter()
        .filter(|e| e.status == ExecutionStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0]
        .execution_arn
        .starts_with("arn:aws:states:us-east-1:123456789012:execution:fan/Fan:"));
    let child = c
        .describe_execution()
        .execution_arn(&failed[0].execution_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(child.error(), Some("Even"));
    assert_eq!(child.map_run_arn(), Some(run.map_run_arn.as_str()));
    assert_eq!(child.input(), Some("2"));

    c.update_map_run()
        .map_run_arn(&run.map_run_arn)
        .max_concurrency(5)
        .tolerated_failure_percentage(50.0)
        .send()
        .await
        .unwrap();
    let d = c
        .describe_map_run()
        .map_run_arn(&run.map_run_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.max_concurrency, 5);
    assert_eq!(d.tolerated_failure_percentage, 50.0);
}

#[sfn_harness::test(seed = 32)]
async fn map_run_operations_refuse_bad_arns_and_updates(h: Harness) {
    let c = h.sfn_client().await;
    let missing = "arn:aws:states:us-east-1:123456789012:mapRun:fan/Fan:0000";
    let err = refused!(c.describe_map_run().map_run_arn(missing));
    assert!(err.is_resource_not_found(), "{err:?}");
    let err = refused!(c.describe_map_run().map_run_arn("not-an-arn"));
    assert!(err.is_invalid_arn(), "{err:?}");
    let err = refused!(c
        .list_map_runs()
        .execution_arn("arn:aws:states:us-east-1:123456789012:execution:fan:nope"));
    assert!(err.is_execution_does_not_exist(), "{err:?}");

    let machine = create(&c, "fan", DISTRIBUTED).await;
    let exec = start(&c, &machine, None, "[1]").await;
    wait_done(&c, &exec).await;
    let runs = c.list_map_runs().execution_arn(&exec).send().await.unwrap();
    let arn = runs.map_runs()[0].map_run_arn.clone();
    let err = refused!(c.update_map_run().map_run_arn(&arn));
    assert!(err.is_validation_exception(), "{err:?}");
    let err = refused!(c
        .update_map_run()
        .map_run_arn(&arn)
        .tolerated_failure_percentage(101.0));
    assert!(err.is_validation_exception(), "{err:?}");
}
