//! Redrive to a dead-letter queue after maxReceiveCount.

use super::*;

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
