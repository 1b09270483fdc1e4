//! Visibility timeouts and receipt handles.

use super::*;

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
