//! The SQS endpoint through the real `aws-sdk-sqs` client.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use aws_sdk_sqs::config::retry::RetryConfig;
use aws_sdk_sqs::config::{BehaviorVersion, Region};
use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::primitives::Blob;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
    MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName,
    SendMessageBatchRequestEntry,
};
use aws_sdk_sqs::Client;
use md5::{Digest, Md5};
use sfn_harness::server::{Router, Server};
use sfn_harness::sqs::Sqs;
use sfn_harness::time::Clock;

const ACCOUNT: &str = "123456789012";

struct Fake {
    server: Server,
    sqs: Arc<Sqs>,
    clock: Clock,
    client: Client,
}

fn fake(clock: Clock) -> Fake {
    let sqs = Arc::new(Sqs::new(
        clock.clone(),
        ACCOUNT,
        "us-east-1",
        "http://unbound",
    ));
    let server = Server::start(Router::new(clock.clone()).with_sqs(sqs.clone())).expect("start");
    let client = client(server.url());
    Fake {
        server,
        sqs,
        clock,
        client,
    }
}

fn client(url: &str) -> Client {
    let conf = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(conf)
}

fn hex_md5(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An independent implementation of the documented attribute digest, for cross-checking.
fn attrs_md5(attrs: &[(&str, &str, &[u8], u8)]) -> String {
    let mut sorted = attrs.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut buf = Vec::new();
    for (name, ty, value, transport) in sorted {
        for part in [name.as_bytes(), ty.as_bytes()] {
            buf.extend_from_slice(&(part.len() as u32).to_be_bytes());
            buf.extend_from_slice(part);
        }
        buf.push(transport);
        buf.extend_from_slice(&(value.len() as u32).to_be_bytes());
        buf.extend_from_slice(value);
    }
    hex_md5(&buf)
}

async fn create(f: &Fake, name: &str) -> String {
    f.client
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("create")
        .queue_url
        .expect("url")
}

#[tokio::test]
async fn queue_lifecycle() {
    let f = fake(Clock::virtual_now());
    let c = &f.client;
    let url = c
        .create_queue()
        .queue_name("orders")
        .attributes(QueueAttributeName::VisibilityTimeout, "20")
        .tags("team", "a")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    assert_eq!(url, format!("{}/{ACCOUNT}/orders", f.server.url()));
    // Same attributes: idempotent. No attributes: idempotent too (only the attributes a request
    // names are compared: LocalStack's AWS-validated
    // `test_create_queue_with_different_attributes_raises_exception`). Different: QueueAlreadyExists.
    let again = c
        .create_queue()
        .queue_name("orders")
        .attributes(QueueAttributeName::VisibilityTimeout, "20")
        .send()
        .await
        .unwrap();
    assert_eq!(again.queue_url.as_deref(), Some(url.as_str()));
    let bare = c.create_queue().queue_name("orders").send().await.unwrap();
    assert_eq!(bare.queue_url.as_deref(), Some(url.as_str()));
    let err = c
        .create_queue()
        .queue_name("orders")
        .attributes(QueueAttributeName::VisibilityTimeout, "21")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_queue_name_exists(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("A queue already exists with the same name and a different value for attribute VisibilityTimeout")
    );

    let got = c.get_queue_url().queue_name("orders").send().await.unwrap();
    assert_eq!(got.queue_url.as_deref(), Some(url.as_str()));
    let err = c
        .get_queue_url()
        .queue_name("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_queue_does_not_exist(), "{err:?}");
    assert_eq!(err.message(), Some("The specified queue does not exist."));

    for n in ["orders-dlq", "other", "orders-2"] {
        create(&f, n).await;
    }
    let all = c.list_queues().send().await.unwrap();
    assert_eq!(all.queue_urls().len(), 4);
    assert!(all.next_token.is_none());
    let p1 = c
        .list_queues()
        .queue_name_prefix("orders")
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(p1.queue_urls().len(), 2);
    let token = p1.next_token.clone().expect("more pages");
    let p2 = c
        .list_queues()
        .queue_name_prefix("orders")
        .max_results(2)
        .next_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        p2.queue_urls(),
        [format!("{}/{ACCOUNT}/orders-dlq", f.server.url())]
    );
    assert!(p2.next_token.is_none());

    // Attributes.
    let attrs = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    let get = |k: QueueAttributeName| attrs.get(&k).cloned();
    assert_eq!(
        get(QueueAttributeName::VisibilityTimeout).as_deref(),
        Some("20")
    );
    assert_eq!(
        get(QueueAttributeName::MaximumMessageSize).as_deref(),
        Some("1048576")
    );
    assert_eq!(
        get(QueueAttributeName::MessageRetentionPeriod).as_deref(),
        Some("345600")
    );
    assert_eq!(get(QueueAttributeName::DelaySeconds).as_deref(), Some("0"));
    assert_eq!(
        get(QueueAttributeName::ApproximateNumberOfMessages).as_deref(),
        Some("0")
    );
    assert_eq!(
        get(QueueAttributeName::QueueArn).as_deref(),
        Some("arn:aws:sqs:us-east-1:123456789012:orders")
    );
    assert_eq!(
        get(QueueAttributeName::CreatedTimestamp),
        Some((f.clock.now_ms() / 1000).to_string())
    );
    c.set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::DelaySeconds, "5")
        .send()
        .await
        .unwrap();
    let one = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::DelaySeconds)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(
        one.get(&QueueAttributeName::DelaySeconds)
            .map(String::as_str),
        Some("5")
    );
    let err = c
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::DelaySeconds, "901")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_attribute_value(), "{err:?}");
    let err = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::from("Bogus"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_attribute_name(), "{err:?}");

    // Tags.
    c.tag_queue()
        .queue_url(&url)
        .tags("env", "test")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_queue_tags()
        .queue_url(&url)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap();
    assert_eq!(tags.len(), 2);
    c.untag_queue()
        .queue_url(&url)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_queue_tags()
        .queue_url(&url)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap();
    assert_eq!(tags.keys().collect::<Vec<_>>(), ["env"]);

    // Purge: once per 60 s.
    c.purge_queue().queue_url(&url).send().await.unwrap();
    let err = c.purge_queue().queue_url(&url).send().await.unwrap_err();
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(403));
    assert!(err.into_service_error().is_purge_queue_in_progress());
    f.clock.advance(Duration::from_secs(61)).await;
    c.purge_queue().queue_url(&url).send().await.unwrap();

    // Delete, then the name is blocked for 60 s.
    c.delete_queue().queue_url(&url).send().await.unwrap();
    let err = c
        .get_queue_url()
        .queue_name("orders")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_queue_does_not_exist());
    let err = c
        .delete_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_queue_does_not_exist());
    let err = c
        .create_queue()
        .queue_name("orders")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_queue_deleted_recently(), "{err:?}");
    f.clock.advance(Duration::from_secs(60)).await;
    create(&f, "orders").await;

    // Fixture URLs of another host resolve by /<account>/<name>.
    let aws_url = format!("https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/orders");
    c.send_message()
        .queue_url(&aws_url)
        .message_body("x")
        .send()
        .await
        .unwrap();
    let err = c
        .send_message()
        .queue_url("https://sqs.us-east-1.amazonaws.com/999999999999/orders")
        .message_body("x")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_queue_does_not_exist());
    // FifoQueue=false is accepted for a standard queue and does not make it differ.
    let same = c
        .create_queue()
        .queue_name("orders")
        .attributes(QueueAttributeName::FifoQueue, "false")
        .send()
        .await
        .unwrap();
    assert!(same.queue_url.is_some());
    // Invalid names.
    let err = c
        .create_queue()
        .queue_name("bad name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn send_and_receive_with_attributes_and_md5s() {
    let f = fake(Clock::real());
    let c = &f.client;
    let url = create(&f, "attrs").await;
    let sent = c
        .send_message()
        .queue_url(&url)
        .message_body("héllo wörld")
        .message_attributes(
            "Hello",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("There")
                .build()
                .unwrap(),
        )
        .message_attributes(
            "count",
            MessageAttributeValue::builder()
                .data_type("Number.int")
                .string_value("42")
                .build()
                .unwrap(),
        )
        .message_attributes(
            "Help.Me",
            MessageAttributeValue::builder()
                .data_type("Binary")
                .binary_value(Blob::new(vec![0u8, 1, 2, 255]))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let body_md5 = hex_md5("héllo wörld".as_bytes());
    let all_md5 = attrs_md5(&[
        ("Hello", "String", b"There", 1),
        ("count", "Number.int", b"42", 1),
        ("Help.Me", "Binary", &[0, 1, 2, 255], 2),
    ]);
    assert_eq!(sent.md5_of_message_body.as_deref(), Some(body_md5.as_str()));
    assert_eq!(
        sent.md5_of_message_attributes.as_deref(),
        Some(all_md5.as_str())
    );
    assert!(sent.sequence_number.is_none());

    let got = c
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("All")
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let m = &got.messages()[0];
    assert_eq!(m.body(), Some("héllo wörld"));
    assert_eq!(m.md5_of_body(), Some(body_md5.as_str()));
    assert_eq!(m.md5_of_message_attributes(), Some(all_md5.as_str()));
    assert_eq!(m.message_id(), sent.message_id());
    let attrs = m.message_attributes().unwrap();
    assert_eq!(attrs["count"].string_value(), Some("42"));
    assert_eq!(
        attrs["Help.Me"].binary_value().map(|b| b.as_ref()),
        Some(&[0u8, 1, 2, 255][..])
    );
    let sys = m.attributes().unwrap();
    assert_eq!(
        sys[&MessageSystemAttributeName::ApproximateReceiveCount],
        "1"
    );
    assert_eq!(sys[&MessageSystemAttributeName::SenderId], ACCOUNT);
    assert!(
        sys[&MessageSystemAttributeName::SentTimestamp]
            .parse::<u64>()
            .unwrap()
            > 1_600_000_000_000
    );

    // Filters: prefix `Help.*` and an exact name; the MD5 covers what is returned.
    let got = c
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("Help.*")
        .message_attribute_names("count")
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let m = &got.messages()[0];
    assert_eq!(m.message_attributes().unwrap().len(), 2);
    assert_eq!(
        m.md5_of_message_attributes(),
        Some(
            attrs_md5(&[
                ("count", "Number.int", b"42", 1),
                ("Help.Me", "Binary", &[0, 1, 2, 255], 2)
            ])
            .as_str()
        )
    );
    assert!(m.attributes().is_none());
    // No names: no attributes and no attribute MD5.
    let got = c.receive_message().queue_url(&url).send().await.unwrap();
    assert!(got.messages()[0].message_attributes().is_none());
    assert!(got.messages()[0].md5_of_message_attributes().is_none());

    // Validation errors.
    let err = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(11)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    assert_eq!(
        err.message(),
        Some("Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
    );
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("a\u{1}b")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_message_contents());
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x".repeat(1_048_577))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        Some("One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.")
    );
    c.send_message()
        .queue_url(&url)
        .message_body("x".repeat(1_048_576))
        .send()
        .await
        .unwrap();
    let err = c.send_message().queue_url(&url).send().await.unwrap_err();
    assert_eq!(err.code(), Some("MissingParameter"));
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .message_attributes(
            "AWS.reserved",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("v")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("x")
        .delay_seconds(901)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn delay_seconds_follow_the_clock() {
    let f = fake(Clock::virtual_now());
    let c = &f.client;
    let url = create(&f, "delayed").await;
    c.send_message()
        .queue_url(&url)
        .message_body("later")
        .delay_seconds(60)
        .send()
        .await
        .unwrap();
    let attrs = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(
        attrs[&QueueAttributeName::ApproximateNumberOfMessagesDelayed],
        "1"
    );
    assert!(c
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap()
        .messages()
        .is_empty());
    f.clock.advance(Duration::from_secs(60)).await;
    let got = c.receive_message().queue_url(&url).send().await.unwrap();
    assert_eq!(got.messages()[0].body(), Some("later"));
}

#[tokio::test]
async fn long_polling_returns_as_soon_as_a_message_arrives() {
    let f = fake(Clock::real());
    let url = create(&f, "poll").await;
    let sender = f.client.clone();
    let url2 = url.clone();
    let t0 = Instant::now();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        sender
            .send_message()
            .queue_url(&url2)
            .message_body("ping")
            .send()
            .await
            .unwrap();
    });
    let got = f
        .client
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(10)
        .send()
        .await
        .unwrap();
    assert_eq!(got.messages()[0].body(), Some("ping"));
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
        "{waited:?}"
    );

    // With nothing to receive, it returns empty after the wait.
    let t0 = Instant::now();
    let got = f
        .client
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap();
    assert!(got.messages().is_empty());
    assert!(t0.elapsed() >= Duration::from_millis(900));

    let err = f
        .client
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(21)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn long_polls_skip_ahead_on_a_virtual_clock() {
    let f = fake(Clock::virtual_at(1_700_000_000_000));
    let url = create(&f, "vpoll").await;
    let t0 = Instant::now();
    let got = f
        .clock
        .run_until(
            f.client
                .receive_message()
                .queue_url(&url)
                .wait_time_seconds(20)
                .send(),
        )
        .await
        .unwrap();
    assert!(got.messages().is_empty());
    assert_eq!(f.clock.now_ms(), 1_700_000_020_000);
    assert!(t0.elapsed() < Duration::from_secs(5));

    // A message that becomes visible during the wait (after its delay) ends the poll then.
    f.sqs
        .send_message(&url, {
            let mut m = sfn_harness::sqs::SendMessage::body("soon");
            m.delay_seconds = Some(7);
            m
        })
        .unwrap();
    let start = f.clock.now_ms();
    let got = f
        .clock
        .run_until(
            f.client
                .receive_message()
                .queue_url(&url)
                .wait_time_seconds(20)
                .send(),
        )
        .await
        .unwrap();
    assert_eq!(got.messages()[0].body(), Some("soon"));
    assert_eq!(f.clock.now_ms() - start, 7_000);
}

#[tokio::test]
async fn visibility_timeout_redelivers_and_receipt_handles_behave_like_aws() {
    let f = fake(Clock::virtual_now());
    let c = &f.client;
    let url = create(&f, "vis").await;
    c.send_message()
        .queue_url(&url)
        .message_body("work")
        .send()
        .await
        .unwrap();
    let receive = || {
        c.receive_message()
            .queue_url(&url)
            .visibility_timeout(30)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .message_system_attribute_names(
                MessageSystemAttributeName::ApproximateFirstReceiveTimestamp,
            )
            .send()
    };
    let first = receive().await.unwrap();
    let m1 = first.messages()[0].clone();
    let first_ts = f.clock.now_ms().to_string();
    assert_eq!(
        m1.attributes().unwrap()[&MessageSystemAttributeName::ApproximateReceiveCount],
        "1"
    );
    assert!(receive().await.unwrap().messages().is_empty());
    let attrs = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(
        attrs[&QueueAttributeName::ApproximateNumberOfMessagesNotVisible],
        "1"
    );
    assert_eq!(attrs[&QueueAttributeName::ApproximateNumberOfMessages], "0");

    f.clock.advance(Duration::from_secs(29)).await;
    assert!(receive().await.unwrap().messages().is_empty());
    f.clock.advance(Duration::from_secs(1)).await;
    let second = receive().await.unwrap();
    let m2 = second.messages()[0].clone();
    let a2 = m2.attributes().unwrap();
    assert_eq!(
        a2[&MessageSystemAttributeName::ApproximateReceiveCount],
        "2"
    );
    assert_eq!(
        a2[&MessageSystemAttributeName::ApproximateFirstReceiveTimestamp],
        first_ts
    );
    assert_ne!(
        m1.receipt_handle(),
        m2.receipt_handle(),
        "a new handle per receive"
    );

    // ChangeMessageVisibility: 0 makes it visible at once.
    c.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(m2.receipt_handle().unwrap())
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let third = receive().await.unwrap();
    let m3 = third.messages()[0].clone();
    // Changing a message that is not in flight: MessageNotInflight.
    c.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(m3.receipt_handle().unwrap())
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let err = c
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle(m3.receipt_handle().unwrap())
        .visibility_timeout(10)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_message_not_inflight(), "{err:?}");

    // A stale but well-formed handle deletes on a standard queue, as in AWS.
    c.delete_message()
        .queue_url(&url)
        .receipt_handle(m1.receipt_handle().unwrap())
        .send()
        .await
        .unwrap();
    f.clock.advance(Duration::from_secs(60)).await;
    assert!(receive().await.unwrap().messages().is_empty());
    // Deleting again (message gone) still succeeds.
    c.delete_message()
        .queue_url(&url)
        .receipt_handle(m3.receipt_handle().unwrap())
        .send()
        .await
        .unwrap();
    // A malformed handle is ReceiptHandleIsInvalid.
    let err = c
        .delete_message()
        .queue_url(&url)
        .receipt_handle("not-a-handle")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_receipt_handle_is_invalid(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("The input receipt handle \"not-a-handle\" is not a valid receipt handle.")
    );
    let err = c
        .change_message_visibility()
        .queue_url(&url)
        .receipt_handle("junk")
        .visibility_timeout(5)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_receipt_handle_is_invalid());
}

#[tokio::test]
async fn fifo_queues_keep_group_order_and_deduplicate() {
    let f = fake(Clock::virtual_now());
    let c = &f.client;
    let url = c
        .create_queue()
        .queue_name("jobs.fifo")
        .attributes(QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let send = |body: &'static str, group: &'static str| {
        c.send_message()
            .queue_url(&url)
            .message_body(body)
            .message_group_id(group)
            .message_deduplication_id(body)
            .send()
    };
    let a = send("a", "g1").await.unwrap();
    send("b", "g1").await.unwrap();
    send("x", "g2").await.unwrap();
    send("c", "g1").await.unwrap();
    let dup = send("a", "g1").await.unwrap();
    assert_eq!(
        dup.message_id(),
        a.message_id(),
        "deduplicated within 5 minutes"
    );
    assert_eq!(dup.sequence_number(), a.sequence_number());
    assert!(a.sequence_number().unwrap().len() >= 20);

    let recv = |n: i32| {
        c.receive_message()
            .queue_url(&url)
            .max_number_of_messages(n)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
    };
    let bodies = |r: &aws_sdk_sqs::operation::receive_message::ReceiveMessageOutput| {
        r.messages()
            .iter()
            .map(|m| m.body().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let r1 = recv(1).await.unwrap();
    assert_eq!(bodies(&r1), ["a"]);
    let sys = r1.messages()[0].attributes().unwrap();
    assert_eq!(sys[&MessageSystemAttributeName::MessageGroupId], "g1");
    assert_eq!(
        sys[&MessageSystemAttributeName::MessageDeduplicationId],
        "a"
    );
    // g1 is in flight: only g2 is available.
    let r2 = recv(10).await.unwrap();
    assert_eq!(bodies(&r2), ["x"]);
    assert!(recv(10).await.unwrap().messages().is_empty());
    c.delete_message()
        .queue_url(&url)
        .receipt_handle(r1.messages()[0].receipt_handle().unwrap())
        .send()
        .await
        .unwrap();
    let r3 = recv(10).await.unwrap();
    assert_eq!(bodies(&r3), ["b", "c"]);

    // FIFO rules.
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("m")
        .message_deduplication_id("d")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MissingParameter"));
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("m")
        .message_group_id("g")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    let err = c
        .send_message()
        .queue_url(&url)
        .message_body("m")
        .message_group_id("g")
        .message_deduplication_id("d2")
        .delay_seconds(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        Some("Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.")
    );
    // An expired handle on a FIFO queue is rejected.
    f.clock.advance(Duration::from_secs(31)).await;
    let err = c
        .delete_message()
        .queue_url(&url)
        .receipt_handle(r3.messages()[0].receipt_handle().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    assert!(err
        .message()
        .unwrap()
        .ends_with("Reason: The receipt handle has expired."));

    // Content-based deduplication; the window ends after 5 minutes.
    let cb = c
        .create_queue()
        .queue_name("cb.fifo")
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::ContentBasedDeduplication, "true")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let s1 = c
        .send_message()
        .queue_url(&cb)
        .message_body("same")
        .message_group_id("g")
        .send()
        .await
        .unwrap();
    let s2 = c
        .send_message()
        .queue_url(&cb)
        .message_body("same")
        .message_group_id("g")
        .send()
        .await
        .unwrap();
    assert_eq!(s1.message_id(), s2.message_id());
    // The content hash is the deduplication id AWS reports.
    let got = c
        .receive_message()
        .queue_url(&cb)
        .message_system_attribute_names(MessageSystemAttributeName::MessageDeduplicationId)
        .send()
        .await
        .unwrap();
    let sha = {
        use sha2::Digest as _;
        sha2::Sha256::digest(b"same")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(
        got.messages()[0].attributes().unwrap()
            [&MessageSystemAttributeName::MessageDeduplicationId],
        sha
    );
    f.clock.advance(Duration::from_secs(301)).await;
    let s3 = c
        .send_message()
        .queue_url(&cb)
        .message_body("same")
        .message_group_id("g")
        .send()
        .await
        .unwrap();
    assert_ne!(s1.message_id(), s3.message_id());
    // A standard queue name cannot end in .fifo without FifoQueue.
    let err = c
        .create_queue()
        .queue_name("plain.fifo")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
}

#[tokio::test]
async fn dead_letter_redrive_after_max_receive_count() {
    let f = fake(Clock::virtual_now());
    let c = &f.client;
    let dlq = create(&f, "dead").await;
    let policy = format!(
        r#"{{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:{ACCOUNT}:dead","maxReceiveCount":"2"}}"#
    );
    let src = c
        .create_queue()
        .queue_name("src")
        .attributes(QueueAttributeName::RedrivePolicy, &policy)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let attrs = c
        .get_queue_attributes()
        .queue_url(&src)
        .attribute_names(QueueAttributeName::RedrivePolicy)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(
        attrs[&QueueAttributeName::RedrivePolicy],
        format!(
            r#"{{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:{ACCOUNT}:dead","maxReceiveCount":2}}"#
        )
    );
    let sent = c
        .send_message()
        .queue_url(&src)
        .message_body("poison")
        .send()
        .await
        .unwrap();
    for _ in 0..2 {
        let r = c
            .receive_message()
            .queue_url(&src)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
        assert_eq!(r.messages().len(), 1);
    }
    // The third receive finds the count exhausted: the message moves to the DLQ.
    assert!(c
        .receive_message()
        .queue_url(&src)
        .send()
        .await
        .unwrap()
        .messages()
        .is_empty());
    let r = c
        .receive_message()
        .queue_url(&dlq)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap();
    let m = &r.messages()[0];
    assert_eq!(m.message_id(), sent.message_id());
    assert_eq!(m.body(), Some("poison"));
    assert_eq!(
        m.attributes().unwrap()[&MessageSystemAttributeName::DeadLetterQueueSourceArn],
        format!("arn:aws:sqs:us-east-1:{ACCOUNT}:src")
    );
    let sources = c
        .list_dead_letter_source_queues()
        .queue_url(&dlq)
        .send()
        .await
        .unwrap();
    assert_eq!(sources.queue_urls(), std::slice::from_ref(&src));

    // Bad policies.
    let err = c
        .set_queue_attributes()
        .queue_url(&src)
        .attributes(QueueAttributeName::RedrivePolicy, r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:missing","maxReceiveCount":2}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    assert!(err
        .message()
        .unwrap()
        .ends_with("Reason: Dead letter target does not exist."));
}

#[tokio::test]
async fn batches() {
    let f = fake(Clock::virtual_now());
    let c = &f.client;
    let url = create(&f, "batch").await;
    let entry = |id: &str, body: &str| {
        SendMessageBatchRequestEntry::builder()
            .id(id)
            .message_body(body)
            .build()
            .unwrap()
    };
    let out = c
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("ok-1", "one"))
        .entries(entry("bad_2", "bad\u{0}"))
        .entries(entry("ok3", "three"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.successful().iter().map(|s| s.id()).collect::<Vec<_>>(),
        ["ok-1", "ok3"]
    );
    assert_eq!(out.successful()[0].md5_of_message_body(), hex_md5(b"one"));
    assert_eq!(out.failed().len(), 1);
    assert_eq!(out.failed()[0].id(), "bad_2");
    assert_eq!(out.failed()[0].code(), "InvalidMessageContents");
    assert!(out.failed()[0].sender_fault());

    let err = c
        .send_message_batch()
        .queue_url(&url)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_empty_batch_request(), "{err:?}");
    let mut eleven = c.send_message_batch().queue_url(&url);
    for i in 0..11 {
        eleven = eleven.entries(entry(&format!("e{i}"), "x"));
    }
    let err = eleven.send().await.unwrap_err().into_service_error();
    assert!(err.is_too_many_entries_in_batch_request());
    assert_eq!(
        err.message(),
        Some("Maximum number of entries per request are 10. You have sent 11.")
    );
    let err = c
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a", "x"))
        .entries(entry("a", "y"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_batch_entry_ids_not_distinct());
    let err = c
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a:b", "x"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_batch_entry_id());
    // The total limit is 1 MiB since AWS raised the message size (SendMessageBatch reference).
    let big = "x".repeat(600_000);
    let err = c
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("a", &big))
        .entries(entry("b", &big))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_batch_request_too_long());
    assert_eq!(
        err.message(),
        Some("Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.")
    );

    let got = c
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    assert_eq!(got.messages().len(), 2);
    let handles: Vec<String> = got
        .messages()
        .iter()
        .map(|m| m.receipt_handle().unwrap().to_string())
        .collect();
    let out = c
        .change_message_visibility_batch()
        .queue_url(&url)
        .entries(
            ChangeMessageVisibilityBatchRequestEntry::builder()
                .id("1")
                .receipt_handle(&handles[0])
                .visibility_timeout(100)
                .build()
                .unwrap(),
        )
        .entries(
            ChangeMessageVisibilityBatchRequestEntry::builder()
                .id("2")
                .receipt_handle("garbage")
                .visibility_timeout(100)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.successful().len(), 1);
    assert_eq!(out.failed()[0].code(), "ReceiptHandleIsInvalid");
    let out = c
        .delete_message_batch()
        .queue_url(&url)
        .entries(
            DeleteMessageBatchRequestEntry::builder()
                .id("1")
                .receipt_handle(&handles[0])
                .build()
                .unwrap(),
        )
        .entries(
            DeleteMessageBatchRequestEntry::builder()
                .id("2")
                .receipt_handle(&handles[1])
                .build()
                .unwrap(),
        )
        .entries(
            DeleteMessageBatchRequestEntry::builder()
                .id("3")
                .receipt_handle("garbage")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.successful().len(), 2);
    assert_eq!(out.failed()[0].id(), "3");
    assert_eq!(out.failed()[0].code(), "ReceiptHandleIsInvalid");
    let attrs = c
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attrs[&QueueAttributeName::ApproximateNumberOfMessages], "0");
    assert_eq!(
        attrs[&QueueAttributeName::ApproximateNumberOfMessagesNotVisible],
        "0"
    );
}

#[tokio::test]
async fn errors_carry_the_query_error_header_and_request_id() {
    let f = fake(Clock::real());
    let err = f
        .client
        .get_queue_url()
        .queue_name("missing")
        .send()
        .await
        .unwrap_err();
    let raw = err.raw_response().expect("a response");
    assert_eq!(raw.status().as_u16(), 400);
    assert_eq!(
        raw.headers().get("x-amzn-query-error"),
        Some("AWS.SimpleQueueService.NonExistentQueue;Sender")
    );
    assert_eq!(
        raw.headers().get("content-type"),
        Some("application/x-amz-json-1.0")
    );
    let body: serde_json::Value = serde_json::from_slice(raw.body().bytes().unwrap()).unwrap();
    assert_eq!(body["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
    assert_eq!(body["message"], "The specified queue does not exist.");
    let ok = f.client.list_queues().send().await.unwrap();
    use aws_sdk_sqs::operation::RequestId;
    assert!(ok.request_id().is_some_and(|id| id.len() == 36));
}

/// Sends one raw HTTP/1.1 request and returns (status, body).
async fn raw(addr: std::net::SocketAddr, target: Option<&str>, body: &[u8]) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(t) = target {
        head.push_str(&format!("x-amz-target: {t}\r\n"));
    }
    head.push_str("\r\n");
    let (mut rd, mut wr) = s.split();
    let write = async {
        wr.write_all(head.as_bytes()).await?;
        wr.write_all(body).await?;
        wr.flush().await
    };
    let mut resp = Vec::new();
    let read = rd.read_to_end(&mut resp);
    let (w, r) = tokio::join!(write, read);
    w.expect("write");
    r.expect("read");
    let text = String::from_utf8_lossy(&resp);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(resp.len(), |i| i + 4);
    (status, resp[split..].to_vec())
}

fn malformed_cases(queue_url: &str) -> Vec<(Option<String>, Vec<u8>)> {
    let sqs = |op: &str| Some(format!("AmazonSQS.{op}"));
    let mut cases: Vec<(Option<String>, Vec<u8>)> = Vec::new();
    // Bodies that are not JSON objects.
    for body in [
        &b"{"[..],
        b"[]",
        b"\"str\"",
        b"42",
        b"{\"QueueUrl\":",
        b"\xff\xfe\x00garbage",
        b"{\"QueueUrl\": \"\\ud800\"}",
        b"null",
        b"{}{}",
    ] {
        for op in [
            "SendMessage",
            "ReceiveMessage",
            "CreateQueue",
            "DeleteMessageBatch",
        ] {
            cases.push((sqs(op), body.to_vec()));
        }
    }
    // Members of the wrong type.
    let q = queue_url;
    for body in [
        serde_json::json!({"QueueUrl": 5, "MessageBody": "x"}),
        serde_json::json!({"QueueUrl": q, "MessageBody": ["x"]}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "DelaySeconds": "5"}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "DelaySeconds": 1.5}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageAttributes": []}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageAttributes": {"a": "b"}}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": "%%%"}}}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Foo", "StringValue": "v"}}}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Number", "StringValue": "nan"}}}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "\u{0}"}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "DelaySeconds": 99999999999999999i64}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageGroupId": ""}),
        serde_json::json!({"QueueUrl": q, "MessageBody": "x", "MessageDeduplicationId": "d"}),
    ] {
        cases.push((sqs("SendMessage"), body.to_string().into_bytes()));
    }
    for body in [
        serde_json::json!({"QueueUrl": q, "MaxNumberOfMessages": "ten"}),
        serde_json::json!({"QueueUrl": q, "MaxNumberOfMessages": 0}),
        serde_json::json!({"QueueUrl": q, "MaxNumberOfMessages": 11}),
        serde_json::json!({"QueueUrl": q, "MaxNumberOfMessages": -1}),
        serde_json::json!({"QueueUrl": q, "MaxNumberOfMessages": 1e30}),
        serde_json::json!({"QueueUrl": q, "WaitTimeSeconds": 21}),
        serde_json::json!({"QueueUrl": q, "VisibilityTimeout": 43201}),
        serde_json::json!({"QueueUrl": q, "MessageSystemAttributeNames": ["Bogus"]}),
        serde_json::json!({"QueueUrl": q, "AttributeNames": "All"}),
        serde_json::json!({"QueueUrl": []}),
        serde_json::json!({"QueueUrl": "not a url"}),
        serde_json::json!({"QueueUrl": "http://127.0.0.1/123456789012/nope"}),
    ] {
        cases.push((sqs("ReceiveMessage"), body.to_string().into_bytes()));
    }
    // Missing members.
    for op in [
        "CreateQueue",
        "GetQueueUrl",
        "DeleteQueue",
        "PurgeQueue",
        "GetQueueAttributes",
        "SetQueueAttributes",
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
        "TagQueue",
        "UntagQueue",
        "ListQueueTags",
        "ListDeadLetterSourceQueues",
    ] {
        cases.push((sqs(op), b"{}".to_vec()));
        if op.ends_with("Batch") {
            // `Entries` of the wrong type.
            cases.push((
                sqs(op),
                serde_json::json!({"QueueUrl": q, "Entries": {}})
                    .to_string()
                    .into_bytes(),
            ));
        }
    }
    for body in [
        serde_json::json!({"QueueUrl": q}),
        serde_json::json!({"QueueUrl": q, "Entries": []}),
        serde_json::json!({"QueueUrl": q, "Entries": [{"Id": "a"}]}),
        serde_json::json!({"QueueUrl": q, "Entries": [{"Id": "a", "ReceiptHandle": 7}]}),
        serde_json::json!({"QueueUrl": q, "Entries": ["x"]}),
    ] {
        cases.push((sqs("DeleteMessageBatch"), body.to_string().into_bytes()));
    }
    cases.push((
        sqs("CreateQueue"),
        br#"{"QueueName":"q","Attributes":{"DelaySeconds":5}}"#.to_vec(),
    ));
    cases.push((
        sqs("CreateQueue"),
        br#"{"QueueName":"q!","Attributes":{}}"#.to_vec(),
    ));
    cases.push((
        sqs("CreateQueue"),
        br#"{"QueueName":"q","Attributes":{"Nope":"1"}}"#.to_vec(),
    ));
    cases.push((
        sqs("CreateQueue"),
        br#"{"QueueName":"q","Attributes":{"RedrivePolicy":"{"}}"#.to_vec(),
    ));
    cases.push((sqs("ListQueues"), br#"{"MaxResults":0}"#.to_vec()));
    cases.push((sqs("ListQueues"), br#"{"NextToken":"!!!"}"#.to_vec()));
    // Unknown targets.
    for t in [
        None,
        Some("AmazonSQS.Nope".to_string()),
        Some("AmazonSQS".to_string()),
        Some("Foo.Bar".to_string()),
        Some("".to_string()),
        Some("AWSStepFunctions.StartExecution".to_string()),
        Some("AmazonSQS.".to_string()),
        Some("AmazonSQS.AddPermission".to_string()),
    ] {
        cases.push((t, b"{}".to_vec()));
    }
    // Bad receipt handles.
    for h in [
        "",
        "x",
        "====",
        "c2ZuaDEgcSBpZCBub25jZQ==",
        "\u{7f}",
        &"A".repeat(5000),
    ] {
        cases.push((
            sqs("DeleteMessage"),
            serde_json::json!({"QueueUrl": q, "ReceiptHandle": h})
                .to_string()
                .into_bytes(),
        ));
        cases.push((
            sqs("ChangeMessageVisibility"),
            serde_json::json!({"QueueUrl": q, "ReceiptHandle": h, "VisibilityTimeout": 1})
                .to_string()
                .into_bytes(),
        ));
    }
    cases
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_malformed_requests_get_aws_shaped_errors() {
    let f = fake(Clock::real());
    let url = create(&f, "robust").await;
    let addr = f.server.addr();
    let cases = malformed_cases(&url);
    let mut all = Vec::new();
    while all.len() < 1_100 {
        all.extend(cases.iter().cloned());
    }
    // Oversized bodies (3 MiB, over the 2 MiB limit).
    for _ in 0..3 {
        all.push((
            Some("AmazonSQS.SendMessage".into()),
            vec![b'x'; 3 * 1024 * 1024],
        ));
    }
    let total = all.len();
    let all = Arc::new(all);
    let mut tasks = Vec::new();
    for w in 0..8 {
        let all = all.clone();
        tasks.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            for i in (w..all.len()).step_by(8) {
                let (target, body) = &all[i];
                let (status, resp) = raw(addr, target.as_deref(), body).await;
                let parsed: Option<serde_json::Value> = serde_json::from_slice(&resp).ok();
                let shaped = parsed.as_ref().is_some_and(|v| {
                    v["__type"].as_str().is_some_and(|t| !t.is_empty()) && v["message"].is_string()
                });
                if !(400..600).contains(&status) || !shaped {
                    failures.push(format!(
                        "{target:?} {} -> {status} {}",
                        String::from_utf8_lossy(&body[..body.len().min(120)]),
                        String::from_utf8_lossy(&resp)
                    ));
                }
            }
            failures
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        failures.extend(t.await.unwrap());
    }
    assert!(total >= 1_000);
    assert!(
        failures.is_empty(),
        "{} of {total} not AWS-shaped errors:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // The server is still healthy.
    let sent = f
        .client
        .send_message()
        .queue_url(&url)
        .message_body("still alive")
        .send()
        .await
        .unwrap();
    assert!(sent.message_id.is_some());
    let got = f
        .client
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(got.messages()[0].body(), Some("still alive"));
}
