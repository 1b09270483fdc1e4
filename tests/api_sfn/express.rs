//! EXPRESS machines and StartSyncExecution.

use super::*;

#[sfn_harness::test(seed = 10)]
async fn start_sync_execution_is_for_express_machines(h: Harness) {
    let c = h.sfn_client().await;
    let express = c
        .create_state_machine()
        .name("quick")
        .definition(pass_definition())
        .role_arn(ROLE)
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let d = c
        .describe_state_machine()
        .state_machine_arn(&express)
        .send()
        .await
        .unwrap();
    assert_eq!(d.r#type, StateMachineType::Express);

    let out = c
        .start_sync_execution()
        .state_machine_arn(&express)
        .name("sync-1")
        .input(r#"{"n":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status.as_str(), "SUCCEEDED");
    assert_eq!(out.name(), Some("sync-1"));
    assert_eq!(out.output(), Some(r#"{"n":1,"first":{"step":1}}"#));
    assert_eq!(out.input(), Some(r#"{"n":1}"#));
    assert!(
        out.execution_arn
            .starts_with("arn:aws:states:us-east-1:123456789012:express:quick:sync-1:"),
        "{}",
        out.execution_arn
    );
    assert!(out.billing_details().is_some());
    // Express names can be reused at once: another execution, another ARN.
    let again = c
        .start_sync_execution()
        .state_machine_arn(&express)
        .name("sync-1")
        .send()
        .await
        .unwrap();
    assert_ne!(again.execution_arn, out.execution_arn);

    // A failing EXPRESS execution reports its error and cause.
    let failing = c
        .create_state_machine()
        .name("failing")
        .definition(
            r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"on purpose"}}}"#,
        )
        .role_arn(ROLE)
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let out = c
        .start_sync_execution()
        .state_machine_arn(&failing)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status.as_str(), "FAILED");
    assert_eq!(
        (out.error(), out.cause()),
        (Some("Boom"), Some("on purpose"))
    );

    // STANDARD machines do not run synchronously.
    let standard = create(&c, "standard", &pass_definition()).await;
    let err = refused!(c.start_sync_execution().state_machine_arn(&standard));
    assert!(err.is_state_machine_type_not_supported(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("This operation is not supported by this type of state machine")
    );

    // EXPRESS executions are not listed, described, stopped or given a history.
    let err = refused!(c.list_executions().state_machine_arn(&express));
    assert!(err.is_state_machine_type_not_supported(), "{err:?}");
    let async_arn = start(&c, &express, None, "{}").await;
    assert!(async_arn.contains(":express:quick:"), "{async_arn}");
    let err = refused!(c.describe_execution().execution_arn(&async_arn));
    assert!(err.is_invalid_arn(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("Invalid Arn: 'Resource type not valid in this context: express'")
    );
    let err = refused!(c.get_execution_history().execution_arn(&out.execution_arn));
    assert!(err.is_invalid_arn(), "{err:?}");
    let err = refused!(c.stop_execution().execution_arn(&async_arn));
    assert!(err.is_invalid_arn(), "{err:?}");
}
