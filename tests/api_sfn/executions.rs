//! Execution operations: start, describe, list, stop.

use super::*;

#[sfn_harness::test(seed = 6)]
async fn start_execution_names_and_inputs(h: Harness) {
    let c = h.sfn_client().await;
    let q = h.create_queue("jobs").await.unwrap();
    let machine = create(&c, "callback", &callback_definition(&q, 3600)).await;

    // A running execution: the same name and input again is the same execution.
    let first = c
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.execution_arn,
        "arn:aws:states:us-east-1:123456789012:execution:callback:order-1"
    );
    let again = c
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(again.execution_arn, first.execution_arn);
    assert_eq!(again.start_date, first.start_date);
    // Other input: ExecutionAlreadyExists.
    let err = refused!(c
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id":2}"#));
    assert!(err.is_execution_already_exists(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("Execution Already Exists: '{}'", first.execution_arn).as_str())
    );
    // Once closed, even the same input is refused.
    c.stop_execution()
        .execution_arn(&first.execution_arn)
        .send()
        .await
        .unwrap();
    let err = refused!(c
        .start_execution()
        .state_machine_arn(&machine)
        .name("order-1")
        .input(r#"{"id":1}"#));
    assert!(err.is_execution_already_exists(), "{err:?}");

    // Inputs: JSON of any type is accepted; text that is not JSON is not.
    let pass = create(&c, "pass", &pass_definition()).await;
    for input in ["1", "\"text\"", "null", "[1,2]"] {
        start(&c, &pass, None, input).await;
    }
    let err = refused!(c
        .start_execution()
        .state_machine_arn(&pass)
        .input("not json"));
    assert!(err.is_invalid_execution_input(), "{err:?}");
    assert!(err
        .message()
        .unwrap()
        .starts_with("Invalid State Machine Execution Input: '"));
    let err = refused!(c.start_execution().state_machine_arn(&pass).input(""));
    assert!(err.is_invalid_execution_input(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Invalid State Machine Execution Input: 'Invalid execution input.'")
    );
    let err = refused!(c.start_execution().state_machine_arn(&pass).name("a/b"));
    assert!(err.is_invalid_name(), "{err:?}");
    // No input at all means `{}`.
    let arn = c
        .start_execution()
        .state_machine_arn(&pass)
        .send()
        .await
        .unwrap()
        .execution_arn;
    let d = wait_done(&c, &arn).await;
    assert_eq!(d.input(), Some("{}"));

    // A machine that does not exist, or no longer does.
    let gone = create(&c, "gone", &pass_definition()).await;
    c.delete_state_machine()
        .state_machine_arn(&gone)
        .send()
        .await
        .unwrap();
    let err = refused!(c.start_execution().state_machine_arn(&gone));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("State Machine Does Not Exist: '{gone}'").as_str())
    );
}

#[sfn_harness::test(seed = 7)]
async fn describe_and_list_executions(h: Harness) {
    let c = h.sfn_client().await;
    let q = h.create_queue("jobs").await.unwrap();
    let pass = create(&c, "pass", &pass_definition()).await;
    let callback = create(&c, "callback", &callback_definition(&q, 3600)).await;

    let done_arn = start(&c, &pass, Some("done"), r#"{"a":1}"#).await;
    let d = wait_done(&c, &done_arn).await;
    assert_eq!(d.status, ExecutionStatus::Succeeded);
    assert_eq!(d.name(), Some("done"));
    assert_eq!(d.state_machine_arn, pass);
    assert_eq!(d.input(), Some(r#"{"a":1}"#));
    assert_eq!(d.output(), Some(r#"{"a":1,"first":{"step":1}}"#));
    assert_eq!(d.output_details().map(|o| o.included), Some(true));
    assert!(d.stop_date.is_some());
    assert_eq!(d.redrive_count(), Some(0));
    assert_eq!(
        d.redrive_status().map(|s| s.as_str()),
        Some("NOT_REDRIVABLE")
    );
    assert_eq!(
        d.redrive_status_reason(),
        Some("Execution is SUCCEEDED and cannot be redriven")
    );

    let running_arn = start(&c, &callback, Some("running"), "{}").await;
    let d = c
        .describe_execution()
        .execution_arn(&running_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status, ExecutionStatus::Running);
    assert!(d.stop_date.is_none() && d.output().is_none());
    assert_eq!(
        d.redrive_status_reason(),
        Some("Execution is RUNNING and cannot be redriven")
    );

    let stopped_arn = start(&c, &callback, Some("stopped"), "{}").await;
    c.stop_execution()
        .execution_arn(&stopped_arn)
        .error("Cancelled")
        .cause("by the test")
        .send()
        .await
        .unwrap();
    let d = c
        .describe_execution()
        .execution_arn(&stopped_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status, ExecutionStatus::Aborted);
    assert_eq!(
        (d.error(), d.cause()),
        (Some("Cancelled"), Some("by the test"))
    );
    assert_eq!(d.redrive_status().map(|s| s.as_str()), Some("REDRIVABLE"));

    // Status filter.
    let list = |status: ExecutionStatus| {
        let c = c.clone();
        let machine = callback.clone();
        async move {
            c.list_executions()
                .state_machine_arn(machine)
                .status_filter(status)
                .send()
                .await
                .unwrap()
                .executions
                .into_iter()
                .map(|e| e.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(ExecutionStatus::Running).await, ["running"]);
    assert_eq!(list(ExecutionStatus::Aborted).await, ["stopped"]);
    assert!(list(ExecutionStatus::Succeeded).await.is_empty());
    let all = c
        .list_executions()
        .state_machine_arn(&pass)
        .send()
        .await
        .unwrap();
    let item = &all.executions[0];
    assert_eq!(
        (item.name.as_str(), &item.status, item.redrive_count()),
        ("done", &ExecutionStatus::Succeeded, Some(0))
    );
    assert!(item.stop_date.is_some());
    let err = refused!(c
        .list_executions()
        .state_machine_arn(&pass)
        .status_filter(ExecutionStatus::from("succeeded")));
    assert!(err.is_validation_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]")
    );

    // Pagination: newest first, pages of 5.
    let mut started = vec!["done".to_string()];
    for i in 0..11 {
        let name = format!("run-{i:02}");
        let arn = start(&c, &pass, Some(&name), "{}").await;
        wait_done(&c, &arn).await;
        started.push(name);
    }
    started.reverse();
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_executions()
            .state_machine_arn(&pass)
            .max_results(5)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.executions.len() <= 5);
        seen.extend(page.executions.into_iter().map(|e| e.name));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, started);
    let long = "x".repeat(3097);
    let err = refused!(c
        .list_executions()
        .state_machine_arn(&pass)
        .next_token(&long));
    assert!(err.is_validation_exception(), "{err:?}");
    assert!(err
        .message()
        .unwrap()
        .ends_with("Member must have length less than or equal to 3096"));
}

#[sfn_harness::test(seed = 9)]
async fn stop_execution_records_the_abort(h: Harness) {
    let c = h.sfn_client().await;
    let q = h.create_queue("jobs").await.unwrap();
    let machine = create(&c, "callback", &callback_definition(&q, 3600)).await;
    let arn = start(&c, &machine, None, "{}").await;
    let stopped = c
        .stop_execution()
        .execution_arn(&arn)
        .error("Cancelled")
        .cause("operator")
        .send()
        .await
        .unwrap();
    assert_eq!(
        stopped.stop_date.to_millis().unwrap() as u64,
        h.clock().now_ms()
    );
    let hist = c
        .get_execution_history()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap();
    let last = hist.events.last().unwrap();
    assert_eq!(last.r#type, HistoryEventType::ExecutionAborted);
    let details = last.execution_aborted_event_details().unwrap();
    assert_eq!(
        (details.error(), details.cause()),
        (Some("Cancelled"), Some("operator"))
    );

    // Stopping without error or cause records empty details, as AWS does.
    let arn = start(&c, &machine, None, "{}").await;
    c.stop_execution().execution_arn(&arn).send().await.unwrap();
    let hist = c
        .get_execution_history()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap();
    let details = hist
        .events
        .last()
        .unwrap()
        .execution_aborted_event_details()
        .unwrap();
    assert_eq!((details.error(), details.cause()), (None, None));
}

#[sfn_harness::test(seed = 25)]
async fn describing_an_unknown_execution_is_execution_does_not_exist(h: Harness) {
    let c = h.sfn_client().await;
    let (_, _, exec) = waiting_execution(&h, &c, 3600).await;
    let other = exec.replace(":execution:callback:", ":execution:callback:x");
    let err = refused!(c.describe_execution().execution_arn(&other));
    assert!(err.is_execution_does_not_exist(), "{err:?}");
}
