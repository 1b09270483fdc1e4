//! Queue operations: create, get URL, attributes, list, tag, purge, delete.

use super::*;

/// The tags of the queue at `url`.
async fn tags_of(c: &Client, url: &str) -> std::collections::HashMap<String, String> {
    c.list_queue_tags()
        .queue_url(url)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap()
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
    // Same attributes: idempotent. Different: QueueAlreadyExists.
    let again = c
        .create_queue()
        .queue_name("orders")
        .attributes(QueueAttributeName::VisibilityTimeout, "20")
        .send()
        .await
        .unwrap();
    assert_eq!(again.queue_url.as_deref(), Some(url.as_str()));
    // No attributes: idempotent too (only the attributes a request names are compared:
    // LocalStack's AWS-validated `test_create_queue_with_different_attributes_raises_exception`).
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
    // Out of range: `out_of_range_attribute_values_are_refused`.
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
    let tags = tags_of(c, &url).await;
    assert_eq!(tags.len(), 2);
    c.untag_queue()
        .queue_url(&url)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = tags_of(c, &url).await;
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

/// A value outside an attribute's range is `InvalidAttributeValue` (DelaySeconds: 0 to 900;
/// MaximumMessageSize: 1,024 to 1,048,576, the SQS API reference of SetQueueAttributes).
#[rstest::rstest]
#[case::delay_seconds(QueueAttributeName::DelaySeconds, "901")]
#[case::maximum_message_size(QueueAttributeName::MaximumMessageSize, "1048577")]
#[tokio::test]
async fn out_of_range_attribute_values_are_refused(
    #[case] name: QueueAttributeName,
    #[case] value: &str,
) {
    let f = fake(Clock::real());
    let url = create(&f, "ranges").await;
    let err = f
        .client
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(name, value)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_attribute_value(), "{err:?}");
    assert_eq!(err.code(), Some("InvalidAttributeValue"));
}
