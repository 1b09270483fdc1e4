//! Tests of the service itself: its ids.

use super::*;

fn service() -> Sqs {
    Sqs::new(
        Clock::virtual_at(0),
        "123456789012",
        "us-east-1",
        "http://127.0.0.1:1",
    )
}

#[test]
fn seeded_ids_repeat() {
    let ids = |seed| {
        let sqs = service();
        sqs.seed_ids(seed);
        let url = sqs
            .create_queue(CreateQueue {
                queue_name: "q".into(),
                ..Default::default()
            })
            .unwrap();
        sqs.send_message(&url, SendMessage::body("hi"))
            .unwrap()
            .message_id
    };
    assert_eq!(ids(7), ids(7));
    assert_ne!(ids(7), ids(8));
}

#[test]
fn request_ids_are_uuids() {
    let sqs = service();
    sqs.seed_ids(1);
    let id = sqs.request_id();
    assert_eq!(id.len(), 36);
    assert_ne!(id, sqs.request_id());
}
