//! Step Functions versions and aliases, and `loggingConfiguration`, through the real
//! `aws-sdk-sfn` client.
//!
//! Texts and shapes are those AWS returned to LocalStack's AWS-validated tests
//! (`tests/aws/services/stepfunctions/v2/test_sfn_api_aliasing.snapshot.json` in
//! localstack/localstack: the routing-configuration errors, `ConflictException` for a
//! non-idempotent alias or a version an alias references, `ResourceNotFound` "Request references a
//! resource that does not exist.", DescribeExecution / ListExecutions naming
//! `stateMachineVersionArn` and `stateMachineAliasArn`) and the service model (botocore
//! `stepfunctions/2016-11-23/service-2.json`).

use aws_sdk_sfn::error::ProvideErrorMetadata;
use aws_sdk_sfn::types::{
    CloudWatchLogsLogGroup, ExecutionStatus, LogDestination, LogLevel, LoggingConfiguration,
    RoutingConfigurationListItem,
};
use aws_sdk_sfn::Client;
use rstest::rstest;
use sfn_harness::prelude::Harness;

const ROLE: &str = "arn:aws:iam::123456789012:role/sfn";

fn pass(result: &str) -> String {
    format!(
        r#"{{"StartAt":"P","States":{{"P":{{"Type":"Pass","Result":"{result}","End":true}}}}}}"#
    )
}

fn route(version: &str, weight: i32) -> RoutingConfigurationListItem {
    RoutingConfigurationListItem::builder()
        .state_machine_version_arn(version)
        .weight(weight)
        .build()
        .unwrap()
}

/// A machine `name` published twice (versions 1 and 2, whose `Pass` results are `"one"` and
/// `"two"`): its ARN and the two version ARNs.
async fn two_versions(c: &Client, name: &str) -> (String, String, String) {
    let created = c
        .create_state_machine()
        .name(name)
        .definition(pass("one"))
        .role_arn(ROLE)
        .publish(true)
        .send()
        .await
        .unwrap();
    let v1 = created.state_machine_version_arn().unwrap().to_string();
    let arn = created.state_machine_arn().to_string();
    let updated = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(pass("two"))
        .publish(true)
        .send()
        .await
        .unwrap();
    let v2 = updated.state_machine_version_arn().unwrap().to_string();
    (arn, v1, v2)
}

async fn finish(
    c: &Client,
    exec: &str,
) -> aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput {
    for _ in 0..200 {
        let d = c
            .describe_execution()
            .execution_arn(exec)
            .send()
            .await
            .unwrap();
        if d.status() != &ExecutionStatus::Running {
            return d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{exec} did not finish");
}

#[sfn_harness::test(seed = 7)]
async fn versions_publish_list_describe_delete(h: Harness) {
    let c = h.sfn_client().await;
    let created = c
        .create_state_machine()
        .name("v")
        .definition(pass("one"))
        .role_arn(ROLE)
        .publish(true)
        .version_description("first")
        .send()
        .await
        .unwrap();
    let arn = created.state_machine_arn().to_string();
    let v1 = created.state_machine_version_arn().unwrap().to_string();
    assert_eq!(v1, format!("{arn}:1"));

    // Nothing changed since: publishing again returns version 1.
    let again = c
        .publish_state_machine_version()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(again.state_machine_version_arn(), v1);

    let updated = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(pass("two"))
        .publish(true)
        .send()
        .await
        .unwrap();
    let v2 = updated.state_machine_version_arn().unwrap().to_string();
    assert_eq!(v2, format!("{arn}:2"));

    // A stale revision id is a conflict.
    let err = c
        .publish_state_machine_version()
        .state_machine_arn(&arn)
        .revision_id("not-the-revision")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("ConflictException"));

    let listed = c
        .list_state_machine_versions()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let arns: Vec<&str> = listed
        .state_machine_versions()
        .iter()
        .map(|v| v.state_machine_version_arn())
        .collect();
    assert_eq!(arns, [v2.as_str(), v1.as_str()]);

    // A version describes its own snapshot.
    let d = c
        .describe_state_machine()
        .state_machine_arn(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(d.state_machine_arn(), v1);
    assert_eq!(d.description(), Some("first"));
    assert!(d.definition().contains("one"));

    // versionDescription needs publish.
    let err = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(pass("three"))
        .version_description("x")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("ValidationException"));

    c.delete_state_machine_version()
        .state_machine_version_arn(&v1)
        .send()
        .await
        .unwrap();
    let listed = c
        .list_state_machine_versions()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.state_machine_versions().len(), 1);
    // Numbers are not reused.
    let v3 = c
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(pass("three"))
        .publish(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        v3.state_machine_version_arn(),
        Some(format!("{arn}:3").as_str())
    );
}

#[sfn_harness::test(seed = 7)]
async fn aliases_route_executions_to_versions(h: Harness) {
    let c = h.sfn_client().await;
    let (arn, v1, v2) = two_versions(&c, "a").await;

    let alias = c
        .create_state_machine_alias()
        .name("live")
        .description("d")
        .routing_configuration(route(&v1, 100))
        .send()
        .await
        .unwrap();
    let alias_arn = alias.state_machine_alias_arn().to_string();
    assert_eq!(alias_arn, format!("{arn}:live"));
    // Idempotent with the same configuration, a conflict with another.
    let same = c
        .create_state_machine_alias()
        .name("live")
        .description("d")
        .routing_configuration(route(&v1, 100))
        .send()
        .await
        .unwrap();
    assert_eq!(same.state_machine_alias_arn(), alias_arn);
    let err = c
        .create_state_machine_alias()
        .name("live")
        .routing_configuration(route(&v2, 100))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("ConflictException"));
    assert_eq!(err.message(), Some("Failed to create alias because an alias with the same name and a different routing configuration already exists."));

    // Through the alias: version 1 runs, and the execution names both.
    let exec = c
        .start_execution()
        .state_machine_arn(&alias_arn)
        .send()
        .await
        .unwrap();
    let d = finish(&c, exec.execution_arn()).await;
    assert_eq!(d.output(), Some("\"one\""));
    assert_eq!(d.state_machine_arn(), arn);
    assert_eq!(d.state_machine_version_arn(), Some(v1.as_str()));
    assert_eq!(d.state_machine_alias_arn(), Some(alias_arn.as_str()));
    let history = c
        .get_execution_history()
        .execution_arn(exec.execution_arn())
        .send()
        .await
        .unwrap();
    let started = history.events()[0]
        .execution_started_event_details()
        .unwrap();
    assert_eq!(started.state_machine_alias_arn(), Some(alias_arn.as_str()));
    assert_eq!(started.state_machine_version_arn(), Some(v1.as_str()));

    // On a version: only the version is named.
    let exec = c
        .start_execution()
        .state_machine_arn(&v2)
        .send()
        .await
        .unwrap();
    let d = finish(&c, exec.execution_arn()).await;
    assert_eq!(d.output(), Some("\"two\""));
    assert_eq!(d.state_machine_version_arn(), Some(v2.as_str()));
    assert_eq!(d.state_machine_alias_arn(), None);
    let listed = c
        .list_executions()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.executions()[0].state_machine_version_arn(),
        Some(v2.as_str())
    );
    assert_eq!(
        listed.executions()[1].state_machine_alias_arn(),
        Some(alias_arn.as_str())
    );

    // Listing by a version or an alias ARN lists the executions started on it.
    let by_version = c
        .list_executions()
        .state_machine_arn(&v2)
        .send()
        .await
        .unwrap();
    assert_eq!(by_version.executions().len(), 1);
    let by_alias = c
        .list_executions()
        .state_machine_arn(&alias_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(by_alias.executions().len(), 1);
    assert_eq!(
        by_alias.executions()[0].state_machine_alias_arn(),
        Some(alias_arn.as_str())
    );

    // A version an alias routes to cannot be deleted.
    let err = c
        .delete_state_machine_version()
        .state_machine_version_arn(&v1)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.message(), Some("Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [live]"));

    // Update to a 50/50 split; describe shows it.
    c.update_state_machine_alias()
        .state_machine_alias_arn(&alias_arn)
        .routing_configuration(route(&v1, 50))
        .routing_configuration(route(&v2, 50))
        .send()
        .await
        .unwrap();
    let d = c
        .describe_state_machine_alias()
        .state_machine_alias_arn(&alias_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(d.name(), Some("live"));
    assert_eq!(d.description(), Some("d"));
    let weights: Vec<(&str, i32)> = d
        .routing_configuration()
        .iter()
        .map(|r| (r.state_machine_version_arn(), r.weight()))
        .collect();
    assert_eq!(weights, [(v1.as_str(), 50), (v2.as_str(), 50)]);
    let list = c
        .list_state_machine_aliases()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(list.state_machine_aliases().len(), 1);

    c.delete_state_machine_alias()
        .state_machine_alias_arn(&alias_arn)
        .send()
        .await
        .unwrap();
    // Deleting it again succeeds; updating a missing alias does not.
    c.delete_state_machine_alias()
        .state_machine_alias_arn(&alias_arn)
        .send()
        .await
        .unwrap();
    let err = c
        .update_state_machine_alias()
        .state_machine_alias_arn(&alias_arn)
        .description("x")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("ResourceNotFound"));
    assert_eq!(
        err.message(),
        Some("Request references a resource that does not exist.")
    );
}

/// Which ARN a routing entry names, for the case table below.
#[derive(Clone, Copy)]
enum Target {
    Machine,
    V1,
    V2,
}

#[rstest]
#[case::not_a_version("x", &[(Target::Machine, 100)],
    "Routing configuration must contain state machine version ARNs. Received: [{arn}]")]
#[case::versions_not_distinct("x", &[(Target::V1, 50), (Target::V1, 50)],
    "Routing configuration must contain distinct state machine version ARNs. Received: [{v1}, {v1}]")]
#[case::weights_not_100("x", &[(Target::V1, 70), (Target::V2, 29)],
    "Sum of routing configuration weights must equal 100. Received: [70, 29]")]
#[case::weight_over_100("x", &[(Target::V1, 101)],
    "1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100")]
#[case::name_pattern("123", &[(Target::V1, 100)],
    "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alias_routing_errors_are_aws_s(
    #[case] name: &str,
    #[case] routes: &[(Target, i32)],
    #[case] expected: &str,
) {
    let h = Harness::builder().seed(7).start().await;
    let c = h.sfn_client().await;
    let (arn, v1, v2) = two_versions(&c, "e").await;
    let mut create = c.create_state_machine_alias().name(name);
    for &(target, weight) in routes {
        let version = match target {
            Target::Machine => &arn,
            Target::V1 => &v1,
            Target::V2 => &v2,
        };
        create = create.routing_configuration(route(version, weight));
    }
    let err = create.send().await.unwrap_err().into_service_error();
    let expected = expected.replace("{arn}", &arn).replace("{v1}", &v1);
    assert_eq!(err.message().unwrap_or_default(), expected);
}

#[sfn_harness::test(seed = 7)]
async fn deleting_a_machine_takes_its_versions_and_aliases(h: Harness) {
    let c = h.sfn_client().await;
    let (arn, v1, _v2) = two_versions(&c, "e").await;
    c.create_state_machine_alias()
        .name("ok")
        .routing_configuration(route(&v1, 100))
        .send()
        .await
        .unwrap();
    c.delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = c
        .start_execution()
        .state_machine_arn(&v1)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("StateMachineDoesNotExist"));
}

#[sfn_harness::test(seed = 7)]
async fn logging_configuration_is_accepted_and_returned(h: Harness) {
    let c = h.sfn_client().await;
    let group = "arn:aws:logs:us-east-1:123456789012:log-group:/sfn/x:*";
    let logging = LoggingConfiguration::builder()
        .level(LogLevel::All)
        .include_execution_data(true)
        .destinations(
            LogDestination::builder()
                .cloud_watch_logs_log_group(
                    CloudWatchLogsLogGroup::builder()
                        .log_group_arn(group)
                        .build(),
                )
                .build(),
        )
        .build();
    let m = c
        .create_state_machine()
        .name("l")
        .definition(pass("x"))
        .role_arn(ROLE)
        .logging_configuration(logging)
        .send()
        .await
        .unwrap();
    let d = c
        .describe_state_machine()
        .state_machine_arn(m.state_machine_arn())
        .send()
        .await
        .unwrap();
    let l = d.logging_configuration().unwrap();
    assert_eq!(l.level(), Some(&LogLevel::All));
    assert!(l.include_execution_data());
    assert_eq!(
        l.destinations()[0]
            .cloud_watch_logs_log_group()
            .unwrap()
            .log_group_arn(),
        Some(group)
    );

    // An update of the logging alone is an update: a new revision.
    let before = d.revision_id().map(str::to_owned);
    let up = c
        .update_state_machine()
        .state_machine_arn(m.state_machine_arn())
        .logging_configuration(LoggingConfiguration::builder().level(LogLevel::Off).build())
        .send()
        .await
        .unwrap();
    assert_ne!(up.revision_id().map(str::to_owned), before);
    let d = c
        .describe_state_machine()
        .state_machine_arn(m.state_machine_arn())
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.logging_configuration().unwrap().level(),
        Some(&LogLevel::Off)
    );

    // A level other than OFF needs a destination.
    let err = c
        .create_state_machine()
        .name("l2")
        .definition(pass("x"))
        .role_arn(ROLE)
        .logging_configuration(
            LoggingConfiguration::builder()
                .level(LogLevel::Error)
                .build(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.code(), Some("InvalidLoggingConfiguration"));
}
