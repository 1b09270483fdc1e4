//! Describe/list/history fields as AWS answered them in LocalStack's AWS-validated snapshot
//! tests (`tests/aws/services/stepfunctions/v2/test_sfn_api.snapshot.json` and
//! `test_sfn_api_versioning.snapshot.json` in localstack/localstack), where sfn-harness had
//! differed: `revisionId` on versions and on unchanged updates, and the `previousEventId` of
//! `ExecutionAborted`; and where the API reference says more than the recordings (aliases of a
//! version, the default `encryptionConfiguration`).

use super::*;

fn pass(comment: &str) -> String {
    json!({
        "Comment": comment,
        "StartAt": "State_1",
        "States": { "State_1": { "Type": "Pass", "Result": { "Arg1": "argument1" }, "End": true } }
    })
    .to_string()
}

/// `test_create_publish_describe_no_version_description` (a version of a never-updated machine
/// has no `revisionId`) and `test_publish_state_machine_version` (one published after an update
/// has the update's).
#[sfn_harness::test(seed = 15)]
async fn a_version_has_a_revision_id_only_if_the_machine_had_one(h: Harness) {
    let c = h.sfn_client().await;
    let created = c
        .create_state_machine()
        .name("published")
        .definition(pass("R0"))
        .role_arn(ROLE)
        .publish(true)
        .send()
        .await
        .unwrap();
    let v1 = created.state_machine_version_arn().unwrap();
    let d = c
        .describe_state_machine()
        .state_machine_arn(v1)
        .send()
        .await
        .unwrap();
    assert_eq!(d.state_machine_arn, v1);
    assert_eq!(d.revision_id(), None);

    let up = c
        .update_state_machine()
        .state_machine_arn(&created.state_machine_arn)
        .definition(pass("R1"))
        .publish(true)
        .send()
        .await
        .unwrap();
    let rev = up
        .revision_id()
        .expect("a changed definition is a revision");
    let v2 = up.state_machine_version_arn().unwrap();
    assert!(v2.ends_with(":2"), "{v2}");
    let d = c
        .describe_state_machine()
        .state_machine_arn(v2)
        .send()
        .await
        .unwrap();
    assert_eq!(d.revision_id(), Some(rev));
    // The first version keeps its (absent) revision.
    let d = c
        .describe_state_machine()
        .state_machine_arn(v1)
        .send()
        .await
        .unwrap();
    assert_eq!(d.revision_id(), None);
}

/// `test_empty_revision_with_publish_and_no_publish_on_creation` and
/// `test_empty_revision_with_publish_and_publish_on_creation`: an update that changes nothing on
/// a never-updated machine answers `updateDate` and the (one) version, but no `revisionId`.
#[sfn_harness::test(seed = 15)]
async fn an_unchanged_update_of_a_never_updated_machine_has_no_revision_id(h: Harness) {
    let c = h.sfn_client().await;
    for publish_on_creation in [false, true] {
        let name = format!("unchanged-{publish_on_creation}");
        let arn = c
            .create_state_machine()
            .name(&name)
            .definition(pass("same"))
            .role_arn(ROLE)
            .publish(publish_on_creation)
            .send()
            .await
            .unwrap()
            .state_machine_arn;
        for _ in 0..2 {
            let up = c
                .update_state_machine()
                .state_machine_arn(&arn)
                .definition(pass("same"))
                .publish(true)
                .send()
                .await
                .unwrap();
            assert_eq!(up.revision_id(), None, "{name}");
            assert_eq!(
                up.state_machine_version_arn(),
                Some(format!("{arn}:1").as_str()),
                "{name}"
            );
        }
        let d = c
            .describe_state_machine()
            .state_machine_arn(&arn)
            .send()
            .await
            .unwrap();
        assert_eq!(d.revision_id(), None, "{name}");
    }
}

/// `test_stop_execution`: stopped in a Wait state, the history is ExecutionStarted,
/// WaitStateEntered, ExecutionAborted, and the abort's `previousEventId` is 0.
#[sfn_harness::test(seed = 15)]
async fn execution_aborted_points_back_to_no_event(h: Harness) {
    let c = h.sfn_client().await;
    let wait = json!({
        "StartAt": "State_1",
        "States": { "State_1": { "Type": "Wait", "Seconds": 60, "End": true } }
    })
    .to_string();
    let machine = create(&c, "waiting", &wait).await;
    let arn = start(&c, &machine, None, "{}").await;
    h.clock().settle().await;
    c.stop_execution().execution_arn(&arn).send().await.unwrap();
    let hist = c
        .get_execution_history()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap();
    let chain: Vec<(i64, i64, HistoryEventType)> = hist
        .events
        .iter()
        .map(|e| (e.id, e.previous_event_id, e.r#type.clone()))
        .collect();
    assert_eq!(
        chain,
        vec![
            (1, 0, HistoryEventType::ExecutionStarted),
            (2, 0, HistoryEventType::WaitStateEntered),
            (3, 0, HistoryEventType::ExecutionAborted),
        ]
    );
    let d = c
        .describe_execution()
        .execution_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.status, ExecutionStatus::Aborted);
}

/// `test_sfn_api_variable_references` (recorded 20-11-2024): DescribeStateMachine and
/// DescribeStateMachineForExecution name the default `encryptionConfiguration`, AWS_OWNED_KEY.
/// A customer-managed key is sfn-harness's gap and is refused, not described as AWS-owned.
#[sfn_harness::test(seed = 15)]
async fn describe_names_the_aws_owned_key(h: Harness) {
    use aws_sdk_sfn::types::{EncryptionConfiguration, EncryptionType};
    let c = h.sfn_client().await;
    let owned = EncryptionConfiguration::builder()
        .r#type(EncryptionType::AwsOwnedKey)
        .build()
        .unwrap();
    let arn = c
        .create_state_machine()
        .name("encrypted")
        .definition(pass("E"))
        .role_arn(ROLE)
        .encryption_configuration(owned)
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let d = c
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.encryption_configuration().map(|e| e.r#type()),
        Some(&EncryptionType::AwsOwnedKey)
    );
    let exec = start(&c, &arn, None, "{}").await;
    wait_done(&c, &exec).await;
    let f = c
        .describe_state_machine_for_execution()
        .execution_arn(&exec)
        .send()
        .await
        .unwrap();
    assert_eq!(
        f.encryption_configuration().map(|e| e.r#type()),
        Some(&EncryptionType::AwsOwnedKey)
    );

    let kms = EncryptionConfiguration::builder()
        .r#type(EncryptionType::CustomerManagedKmsKey)
        .kms_key_id("arn:aws:kms:us-east-1:123456789012:key/k")
        .build()
        .unwrap();
    let err = refused!(c
        .create_state_machine()
        .name("kms")
        .definition(pass("E"))
        .role_arn(ROLE)
        .encryption_configuration(kms));
    assert!(err.is_validation_exception(), "{err:?}");
    assert!(err
        .message()
        .unwrap()
        .starts_with("sfn-harness does not serve customer-managed KMS keys"));
}

/// ListStateMachineAliases on a version ARN lists the aliases that route to that version (the
/// API reference: "To list aliases that reference a state machine version, you can specify the
/// version ARN in the stateMachineArn parameter").
#[sfn_harness::test(seed = 15)]
async fn list_aliases_of_a_version(h: Harness) {
    use aws_sdk_sfn::types::RoutingConfigurationListItem;
    let c = h.sfn_client().await;
    let created = c
        .create_state_machine()
        .name("aliased")
        .definition(pass("V1"))
        .role_arn(ROLE)
        .publish(true)
        .send()
        .await
        .unwrap();
    let v1 = created.state_machine_version_arn().unwrap().to_string();
    let v2 = c
        .update_state_machine()
        .state_machine_arn(&created.state_machine_arn)
        .definition(pass("V2"))
        .publish(true)
        .send()
        .await
        .unwrap()
        .state_machine_version_arn()
        .unwrap()
        .to_string();
    let route = |v: &str, w: i32| {
        RoutingConfigurationListItem::builder()
            .state_machine_version_arn(v)
            .weight(w)
            .build()
            .unwrap()
    };
    let only_v1 = c
        .create_state_machine_alias()
        .name("only-v1")
        .routing_configuration(route(&v1, 100))
        .send()
        .await
        .unwrap()
        .state_machine_alias_arn;
    let split = c
        .create_state_machine_alias()
        .name("split")
        .routing_configuration(route(&v1, 50))
        .routing_configuration(route(&v2, 50))
        .send()
        .await
        .unwrap()
        .state_machine_alias_arn;
    let listed = |arn: String| {
        let c = c.clone();
        async move {
            c.list_state_machine_aliases()
                .state_machine_arn(arn)
                .send()
                .await
                .unwrap()
                .state_machine_aliases
                .into_iter()
                .map(|a| a.state_machine_alias_arn)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(v1.clone()).await,
        vec![only_v1.clone(), split.clone()]
    );
    assert_eq!(listed(v2.clone()).await, vec![split.clone()]);
    assert_eq!(
        listed(created.state_machine_arn.clone()).await,
        vec![only_v1, split]
    );
}

/// `timeouts/test_timeouts.py::test_global_timeout`: a machine's `TimeoutSeconds` passing is
/// described TIMED_OUT, REDRIVABLE, without `error` or `cause`.
#[sfn_harness::test(seed = 15)]
async fn a_timed_out_execution_is_described_without_an_error(h: Harness) {
    let c = h.sfn_client().await;
    let wait = json!({
        "TimeoutSeconds": 5,
        "StartAt": "State_1",
        "States": { "State_1": { "Type": "Wait", "Seconds": 60, "End": true } }
    })
    .to_string();
    let machine = create(&c, "global-timeout", &wait).await;
    let arn = start(&c, &machine, Some("timing-out"), "{}").await;
    h.clock().advance(Duration::from_secs(6)).await;
    let d = wait_done(&c, &arn).await;
    assert_eq!(d.status, ExecutionStatus::TimedOut);
    assert_eq!((d.error(), d.cause()), (None, None));
    assert_eq!(
        d.redrive_status(),
        Some(&aws_sdk_sfn::types::ExecutionRedriveStatus::Redrivable)
    );
    assert_eq!(d.redrive_status_reason(), None);
}

/// `tracingConfiguration` is returned as given (the model's `TracingConfiguration`; no recording
/// sets it) and an update of it alone is an update, as UpdateStateMachine's "Either the
/// definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be
/// specified" says.
#[sfn_harness::test(seed = 15)]
async fn tracing_configuration_is_returned_as_given(h: Harness) {
    use aws_sdk_sfn::types::TracingConfiguration;
    let c = h.sfn_client().await;
    let arn = c
        .create_state_machine()
        .name("traced")
        .definition(pass("T"))
        .role_arn(ROLE)
        .tracing_configuration(TracingConfiguration::builder().enabled(true).build())
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let d = c
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.tracing_configuration().map(|t| t.enabled()), Some(true));
    assert_eq!(d.revision_id(), None);
    let up = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .tracing_configuration(TracingConfiguration::builder().enabled(false).build())
        .send()
        .await
        .unwrap();
    assert!(up.revision_id().is_some());
    let d = c
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.tracing_configuration().map(|t| t.enabled()), Some(false));
}
