//! State machine operations: create, describe, update, list, delete, versions.

use super::*;

#[sfn_harness::test(seed = 1)]
async fn state_machine_lifecycle(h: Harness) {
    let c = h.sfn_client().await;
    let def = pass_definition();
    let created = c
        .create_state_machine()
        .name("orders")
        .definition(&def)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    let arn = created.state_machine_arn.clone();
    assert_eq!(
        arn,
        "arn:aws:states:us-east-1:123456789012:stateMachine:orders"
    );
    assert_eq!(
        created.creation_date.to_millis().unwrap() as u64,
        h.clock().now_ms()
    );

    let d = c
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.name, "orders");
    assert_eq!(d.definition, def);
    assert_eq!(d.role_arn, ROLE);
    assert_eq!(d.r#type, StateMachineType::Standard);
    assert_eq!(d.status().map(|s| s.as_str()), Some("ACTIVE"));
    // No revision before the first update (as AWS describes a new machine).
    assert_eq!(d.revision_id(), None);

    // Creating it again exactly is idempotent; with another definition it is refused.
    let again = c
        .create_state_machine()
        .name("orders")
        .definition(&def)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    assert_eq!(again.state_machine_arn, arn);
    assert_eq!(again.creation_date, created.creation_date);
    let err = refused!(c
        .create_state_machine()
        .name("orders")
        .definition(callback_definition(
            "https://sqs.us-east-1.amazonaws.com/123456789012/q",
            10,
        ))
        .role_arn(ROLE));
    assert!(err.is_state_machine_already_exists(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("State Machine Already Exists: '{arn}'").as_str())
    );

    // Update: a new revision; the same parameters again keep it.
    let new_def =
        json!({ "StartAt": "Only", "States": { "Only": { "Type": "Succeed" } } }).to_string();
    let u1 = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(&new_def)
        .send()
        .await
        .unwrap();
    let rev = u1.revision_id().expect("a revision id").to_string();
    let d = c
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.definition, new_def);
    assert_eq!(d.revision_id(), Some(rev.as_str()));
    let u2 = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(&new_def)
        .send()
        .await
        .unwrap();
    assert_eq!(u2.revision_id(), Some(rev.as_str()));
    let err = refused!(c.update_state_machine().state_machine_arn(&arn));
    assert!(err.is_missing_required_parameter(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
    );
    let err = refused!(c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition("{}"));
    assert!(err.is_invalid_definition(), "{err:?}");

    // Delete: gone, and deleting again still succeeds (AWS answers 200).
    c.delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = refused!(c.describe_state_machine().state_machine_arn(&arn));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("State Machine Does Not Exist: '{arn}'").as_str())
    );
    c.delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = refused!(c
        .update_state_machine()
        .state_machine_arn(&arn)
        .role_arn(ROLE));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
}

type CreateError = aws_sdk_sfn::operation::create_state_machine::CreateStateMachineError;

#[rstest]
#[case::missing_states("bad", r#"{"StartAt":"A"}"#.to_string(), None,
    CreateError::is_invalid_definition,
    Some("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"))]
#[case::name_with_space(
    "has space",
    pass_definition(),
    None,
    CreateError::is_invalid_name,
    None
)]
#[case::unknown_type(
    "typed",
    pass_definition(),
    Some(StateMachineType::from("SLOW")),
    CreateError::is_validation_exception,
    None
)]
// An EXPRESS machine cannot wait for a task token.
#[case::express_callback("express-callback",
    callback_definition("https://sqs.us-east-1.amazonaws.com/123456789012/q", 10),
    Some(StateMachineType::Express), CreateError::is_invalid_definition,
    Some("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  at /States/Work/Resource'"))]
// An empty name is not a name.
#[case::empty_name("", pass_definition(), None, CreateError::is_invalid_name, None)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_state_machine_errors(
    #[case] name: &str,
    #[case] definition: String,
    #[case] kind: Option<StateMachineType>,
    #[case] is_expected: fn(&CreateError) -> bool,
    #[case] message: Option<&str>,
) {
    let h = Harness::builder().seed(2).start().await;
    let c = h.sfn_client().await;
    let err = refused!(c
        .create_state_machine()
        .name(name)
        .definition(definition)
        .role_arn(ROLE)
        .set_type(kind));
    assert!(is_expected(&err), "{err:?}");
    if let Some(message) = message {
        assert_eq!(err.message(), Some(message));
    }
}

#[sfn_harness::test(seed = 3)]
async fn invalid_and_unknown_arns(h: Harness) {
    let c = h.sfn_client().await;
    let machine = create(&c, "m", &pass_definition()).await;

    let err = refused!(c
        .describe_state_machine()
        .state_machine_arn("not_a_valid_arn"));
    assert!(err.is_invalid_arn(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'")
    );

    let err = refused!(c.describe_execution().execution_arn(&machine));
    assert!(err.is_invalid_arn(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Invalid Arn: 'Resource type not valid in this context: stateMachine'")
    );

    let missing = "arn:aws:states:us-east-1:123456789012:execution:m:nope";
    let err = refused!(c.describe_execution().execution_arn(missing));
    assert!(err.is_execution_does_not_exist(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(format!("Execution Does Not Exist: '{missing}'").as_str())
    );
    let err = refused!(c.get_execution_history().execution_arn(missing));
    assert!(err.is_execution_does_not_exist(), "{err:?}");
    let err = refused!(c
        .get_execution_history()
        .execution_arn("invalid_state_machine_arn"));
    assert!(err.is_invalid_arn(), "{err:?}");
    let err = refused!(c
        .list_executions()
        .state_machine_arn("invalid_state_machine_arn"));
    assert!(err.is_invalid_arn(), "{err:?}");
    let err = refused!(c
        .list_executions()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:nope"));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
    let err = refused!(c.stop_execution().execution_arn(missing));
    assert!(err.is_execution_does_not_exist(), "{err:?}");
    let err = refused!(c.delete_state_machine().state_machine_arn("nope"));
    assert!(err.is_invalid_arn(), "{err:?}");
}

#[sfn_harness::test(seed = 4)]
async fn list_state_machines_pages_in_name_order(h: Harness) {
    let c = h.sfn_client().await;
    let mut names: Vec<String> = (0..13).map(|i| format!("statemachine_{i}")).collect();
    for n in &names {
        create(&c, n, &pass_definition()).await;
    }
    // AWS lists by name: statemachine_0, _1, _10, _11, _12, _2, …
    names.sort();
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = c
            .list_state_machines()
            .max_results(5)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.state_machines.len() <= 5);
        for m in &page.state_machines {
            assert_eq!(m.r#type, StateMachineType::Standard);
            assert!(m
                .state_machine_arn
                .ends_with(&format!(":stateMachine:{}", m.name)));
            seen.push(m.name.clone());
        }
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, names);
    // The SDK's paginator walks the same pages.
    let all: Vec<_> = c
        .list_state_machines()
        .max_results(4)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(all.len(), 13);
    // 0 means the default page size (100).
    let all = c.list_state_machines().max_results(0).send().await.unwrap();
    assert_eq!(all.state_machines.len(), 13);
    assert!(all.next_token.is_none());

    let err = refused!(c.list_state_machines().max_results(1001));
    assert!(err.meta().code() == Some("ValidationException"), "{err:?}");
    assert_eq!(
        err.message(),
        Some("1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000")
    );
    let long = "x".repeat(1025);
    let err = refused!(c.list_state_machines().next_token(&long));
    assert_eq!(
        err.message(),
        Some(format!("1 validation error detected: Value '{long}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024").as_str())
    );
    let err = refused!(c.list_state_machines().next_token("not-a-token-we-issued"));
    assert!(err.is_invalid_token(), "{err:?}");
}

#[sfn_harness::test(seed = 11)]
async fn describe_state_machine_for_execution_shows_the_version_it_ran(h: Harness) {
    let c = h.sfn_client().await;
    let q = h.create_queue("jobs").await.unwrap();
    let v1 = callback_definition(&q, 3600);
    let machine = create(&c, "versioned", &v1).await;
    let arn = start(&c, &machine, None, "{}").await;
    let v2 = pass_definition();
    c.update_state_machine()
        .state_machine_arn(&machine)
        .definition(&v2)
        .send()
        .await
        .unwrap();

    let for_exec = c
        .describe_state_machine_for_execution()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(for_exec.definition, v1);
    assert_eq!(for_exec.state_machine_arn, machine);
    assert_eq!(for_exec.name, "versioned");
    assert_eq!(for_exec.role_arn, ROLE);
    assert_eq!(for_exec.revision_id(), None);
    let now = c
        .describe_state_machine()
        .state_machine_arn(&machine)
        .send()
        .await
        .unwrap();
    assert_eq!(now.definition, v2);
    // A new execution runs (and is described with) the new version.
    let arn2 = start(&c, &machine, None, "{}").await;
    let for_exec2 = c
        .describe_state_machine_for_execution()
        .execution_arn(&arn2)
        .send()
        .await
        .unwrap();
    assert_eq!(for_exec2.definition, v2);
    assert_eq!(for_exec2.revision_id(), now.revision_id());

    let err = refused!(c
        .describe_state_machine_for_execution()
        .execution_arn("arn:aws:states:us-east-1:123456789012:execution:versioned:nope"));
    assert!(err.is_execution_does_not_exist(), "{err:?}");
}

#[sfn_harness::test(seed = 13)]
async fn operations_not_served_are_unknown(h: Harness) {
    let c = h.sfn_client().await;
    // RedriveExecution is not served (Map runs are: map_runs.rs; activities too).
    let err = refused!(c
        .redrive_execution()
        .execution_arn("arn:aws:states:us-east-1:123456789012:execution:m:e"));
    assert_eq!(err.code(), Some("UnknownOperationException"), "{err:?}");
    // The endpoint still serves what it knows afterwards.
    c.list_state_machines().send().await.unwrap();
}

#[sfn_harness::test(seed = 26)]
async fn starting_a_missing_machine_is_state_machine_does_not_exist(h: Harness) {
    let c = h.sfn_client().await;
    let err = refused!(c
        .start_execution()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:missing")
        .input("{}"));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
    let err = refused!(c
        .describe_state_machine()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:missing"));
    assert!(err.is_state_machine_does_not_exist(), "{err:?}");
}
