//! FIFO queues: group order and deduplication.

use super::*;

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
