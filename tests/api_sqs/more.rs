//! SQS behaviour AWS's recorded tests expect, through the real `aws-sdk-sqs` client: FIFO
//! receive order by message group, FIFO delays, PurgeQueue and the deduplication window,
//! `AWSTraceHeader`, an empty `Policy`, the 1 MiB `MaximumMessageSize`, queue names where a
//! `QueueUrl` is expected, re-creating a queue, AddPermission/RemovePermission, message move
//! tasks (DLQ redrive) and regions.
//!
//! Sources: LocalStack's AWS-validated tests, `tests/aws/services/sqs/test_sqs.py` in
//! localstack/localstack (`test_fifo_receive_message_group_id_ordering`,
//! `test_fifo_queue_send_message_with_delay_on_queue_works`,
//! `test_fifo_queue_send_message_with_zero_delay_defaults_to_queue_delay`,
//! `test_purge_queue_clears_fifo_deduplication_cache`, `test_aws_trace_header_propagation`,
//! `test_set_empty_queue_policy`), the SQS API reference (CreateQueue, AddPermission,
//! StartMessageMoveTask, ListMessageMoveTasks) and the service model.

use std::time::Duration;

use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use aws_sdk_sqs::Client;
use sfn_harness::time::Clock;

use super::{client_in, fake};

async fn fifo(c: &Client, name: &str, extra: &[(&str, &str)]) -> String {
    let mut req = c
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::ContentBasedDeduplication, "true");
    for (k, v) in extra {
        req = req.attributes(QueueAttributeName::from(*k), *v);
    }
    req.send().await.unwrap().queue_url().unwrap().to_string()
}

async fn bodies(c: &Client, url: &str) -> Vec<String> {
    c.receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap()
        .messages()
        .iter()
        .map(|m| m.body().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn fifo_receive_is_grouped_by_message_group() {
    let f = fake(Clock::virtual_now());
    let url = fifo(&f.client, "order.fifo", &[]).await;
    for (body, group) in [
        ("g1-m1", "group-1"),
        ("g2-m1", "group-2"),
        ("g1-m2", "group-1"),
        ("g1-m3", "group-1"),
    ] {
        f.client
            .send_message()
            .queue_url(&url)
            .message_body(body)
            .message_group_id(group)
            .send()
            .await
            .unwrap();
    }
    assert_eq!(
        bodies(&f.client, &url).await,
        ["g1-m1", "g1-m2", "g1-m3", "g2-m1"]
    );
}

#[tokio::test]
async fn fifo_messages_take_the_queue_delay() {
    let f = fake(Clock::virtual_now());
    let url = fifo(&f.client, "delay.fifo", &[("DelaySeconds", "2")]).await;
    f.client
        .send_message()
        .queue_url(&url)
        .message_body("a")
        .message_group_id("1")
        .send()
        .await
        .unwrap();
    // DelaySeconds=0 on a FIFO message means the queue's delay.
    f.client
        .send_message()
        .queue_url(&url)
        .message_body("b")
        .message_group_id("1")
        .delay_seconds(0)
        .send()
        .await
        .unwrap();
    assert!(bodies(&f.client, &url).await.is_empty());
    f.clock.advance(Duration::from_secs(3)).await;
    assert_eq!(bodies(&f.client, &url).await, ["a", "b"]);
    let err = f
        .client
        .send_message()
        .queue_url(&url)
        .message_body("c")
        .message_group_id("1")
        .delay_seconds(5)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.message(), Some("Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."));
}

#[tokio::test]
async fn purge_clears_the_deduplication_window() {
    let f = fake(Clock::virtual_now());
    let url = fifo(&f.client, "purge.fifo", &[]).await;
    let send = |body: &'static str| {
        f.client
            .send_message()
            .queue_url(&url)
            .message_body(body)
            .message_group_id("g")
            .message_deduplication_id("d")
            .send()
    };
    send("message-1").await.unwrap();
    f.client.purge_queue().queue_url(&url).send().await.unwrap();
    send("message-2").await.unwrap();
    assert_eq!(bodies(&f.client, &url).await, ["message-2"]);
}

#[tokio::test]
async fn the_trace_header_becomes_aws_trace_header() {
    let f = fake(Clock::real());
    let url = f
        .client
        .create_queue()
        .queue_name("traced")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    let trace = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1";
    f.client
        .send_message()
        .queue_url(&url)
        .message_body("t")
        .customize()
        .mutate_request(move |r| {
            r.headers_mut().insert("X-Amzn-Trace-Id", trace);
        })
        .send()
        .await
        .unwrap();
    let got = f
        .client
        .receive_message()
        .queue_url(&url)
        .message_system_attribute_names(MessageSystemAttributeName::AwsTraceHeader)
        .send()
        .await
        .unwrap();
    let attrs = got.messages()[0].attributes().unwrap();
    assert_eq!(
        attrs
            .get(&MessageSystemAttributeName::AwsTraceHeader)
            .map(String::as_str),
        Some(trace)
    );
}

#[tokio::test]
async fn attributes_names_and_recreation_as_aws_has_them() {
    let f = fake(Clock::real());
    let c = &f.client;
    let url = c
        .create_queue()
        .queue_name("attrs")
        .attributes(QueueAttributeName::VisibilityTimeout, "7")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    // Re-creating with no attributes returns the URL; with a different value it conflicts.
    assert_eq!(
        c.create_queue()
            .queue_name("attrs")
            .send()
            .await
            .unwrap()
            .queue_url(),
        Some(url.as_str())
    );
    let err = c
        .create_queue()
        .queue_name("attrs")
        .attributes(QueueAttributeName::VisibilityTimeout, "8")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("QueueAlreadyExists"));

    // 1 MiB: the default, and the most accepted.
    let get = |name: QueueAttributeName| {
        let url = url.clone();
        async move {
            c.get_queue_attributes()
                .queue_url(url)
                .attribute_names(name.clone())
                .send()
                .await
                .unwrap()
                .attributes()
                .and_then(|a| a.get(&name).cloned())
        }
    };
    assert_eq!(
        get(QueueAttributeName::MaximumMessageSize).await.as_deref(),
        Some("1048576")
    );
    // One more is refused: `queues::out_of_range_attribute_values_are_refused`.

    // An empty Policy removes it.
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}"#;
    c.set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::Policy, policy)
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(QueueAttributeName::Policy).await.as_deref(),
        Some(policy)
    );
    c.set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::Policy, "")
        .send()
        .await
        .unwrap();
    assert_eq!(get(QueueAttributeName::Policy).await, None);

    // A bare queue name where a QueueUrl is expected.
    c.send_message()
        .queue_url("attrs")
        .message_body("by name")
        .send()
        .await
        .unwrap();
    assert_eq!(bodies(c, "attrs").await, ["by name"]);
    let err = c
        .send_message()
        .queue_url("nope")
        .message_body("x")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_queue_does_not_exist());
}

#[tokio::test]
async fn add_and_remove_permission_edit_the_policy() {
    let f = fake(Clock::real());
    let c = &f.client;
    let url = c
        .create_queue()
        .queue_name("perm")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    c.add_permission()
        .queue_url(&url)
        .label("send")
        .aws_account_ids("111122223333")
        .actions("SendMessage")
        .send()
        .await
        .unwrap();
    let attrs = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::Policy)
        .send()
        .await
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(
        attrs
            .attributes()
            .unwrap()
            .get(&QueueAttributeName::Policy)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        policy["Id"],
        "arn:aws:sqs:us-east-1:123456789012:perm/SQSDefaultPolicy"
    );
    assert_eq!(policy["Statement"][0]["Sid"], "send");
    assert_eq!(
        policy["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::111122223333:root"
    );
    assert_eq!(policy["Statement"][0]["Action"], "SQS:SendMessage");
    let err = c
        .add_permission()
        .queue_url(&url)
        .label("send")
        .aws_account_ids("1")
        .actions("*")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        Some("Value send for parameter Label is invalid. Reason: Already exists.")
    );
    c.remove_permission()
        .queue_url(&url)
        .label("send")
        .send()
        .await
        .unwrap();
    let attrs = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::Policy)
        .send()
        .await
        .unwrap();
    assert!(attrs
        .attributes()
        .is_none_or(|a| !a.contains_key(&QueueAttributeName::Policy)));
    let err = c
        .remove_permission()
        .queue_url(&url)
        .label("send")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn message_move_tasks_redrive_a_dead_letter_queue() {
    let f = fake(Clock::virtual_now());
    let c = &f.client;
    let dlq = c
        .create_queue()
        .queue_name("dlq")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    let dlq_arn = "arn:aws:sqs:us-east-1:123456789012:dlq";
    let policy = format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":1}}"#);
    let src = c
        .create_queue()
        .queue_name("src")
        .attributes(QueueAttributeName::RedrivePolicy, policy)
        .attributes(QueueAttributeName::VisibilityTimeout, "1")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    c.send_message()
        .queue_url(&src)
        .message_body("poison")
        .send()
        .await
        .unwrap();
    assert_eq!(bodies(c, &src).await, ["poison"]);
    f.clock.advance(Duration::from_secs(2)).await;
    // The second receive moves it to the dead-letter queue.
    assert!(bodies(c, &src).await.is_empty());

    // Not a dead-letter queue: refused.
    let err = c
        .start_message_move_task()
        .source_arn("arn:aws:sqs:us-east-1:123456789012:src")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    let err = c
        .start_message_move_task()
        .source_arn("arn:aws:sqs:us-east-1:123456789012:missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ResourceNotFoundException"));

    // Without a destination, messages go back where they came from.
    let handle = c
        .start_message_move_task()
        .source_arn(dlq_arn)
        .send()
        .await
        .unwrap()
        .task_handle()
        .unwrap()
        .to_string();
    assert_eq!(bodies(c, &src).await, ["poison"]);
    assert!(bodies(c, &dlq).await.is_empty());
    let tasks = c
        .list_message_move_tasks()
        .source_arn(dlq_arn)
        .send()
        .await
        .unwrap();
    let t = &tasks.results()[0];
    assert_eq!(t.status(), Some("COMPLETED"));
    assert_eq!(t.approximate_number_of_messages_moved(), 1);
    assert_eq!(t.approximate_number_of_messages_to_move(), Some(1));
    assert_eq!(t.task_handle(), None);
    let err = c
        .cancel_message_move_task()
        .task_handle(handle)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn queues_follow_the_signing_region() {
    let f = fake(Clock::real());
    let east = &f.client;
    let west = client_in(f.server.url(), "us-west-2");
    let e = east
        .create_queue()
        .queue_name("same")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    let w = west
        .create_queue()
        .queue_name("same")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    assert_ne!(e, w);
    assert_eq!(
        w,
        format!("{}/queue/us-west-2/123456789012/same", f.server.url())
    );
    let arn = |c: Client, url: String| async move {
        c.get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes()
            .unwrap()[&QueueAttributeName::QueueArn]
            .clone()
    };
    assert_eq!(
        arn(west.clone(), w.clone()).await,
        "arn:aws:sqs:us-west-2:123456789012:same"
    );
    assert_eq!(
        arn(east.clone(), e.clone()).await,
        "arn:aws:sqs:us-east-1:123456789012:same"
    );
    west.send_message()
        .queue_url(&w)
        .message_body("west")
        .send()
        .await
        .unwrap();
    assert!(bodies(east, &e).await.is_empty());
    assert_eq!(
        west.list_queues().send().await.unwrap().queue_urls(),
        std::slice::from_ref(&w)
    );
    assert_eq!(east.list_queues().send().await.unwrap().queue_urls(), [e]);
    // A bare name resolves in the caller's region.
    assert_eq!(bodies(&west, "same").await, ["west"]);
}
