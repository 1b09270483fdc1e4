//! SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch.

use super::*;

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
    let big = "x".repeat(140_000);
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
        Some("Batch requests cannot be longer than 262144 bytes. You have sent 280000 bytes.")
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
