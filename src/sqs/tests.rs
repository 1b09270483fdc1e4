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

/// A queue URL names its queue as the slice pattern over its segments read it (the code
/// before issue 13, kept here as the reference): bare names, path-style and host-style URLs,
/// other regions and accounts, queries, fragments, stray slashes and no queue at all.
#[test]
fn queue_urls_name_their_queues_as_the_segment_pattern_did() {
    fn by_segments(sqs: &Sqs, queue_url: &str) -> Result<String, SqsError> {
        if queue_url.is_empty() {
            return Err(SqsError::MissingParameter("QueueUrl".into()));
        }
        let path = queue_url.split(['?', '#']).next().unwrap_or(queue_url);
        let path = path.split_once("://").map_or(path, |(_, rest)| rest);
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            [name] if !queue_url.contains("://") && !queue_url.contains('/') => {
                Ok(sqs.key_here(name))
            }
            [.., "queue", region, account, name] => {
                if *account != sqs.account_id {
                    return Err(SqsError::QueueDoesNotExist);
                }
                Ok(sqs.key(region, name))
            }
            [.., account, name] => {
                if *account != sqs.account_id {
                    return Err(SqsError::QueueDoesNotExist);
                }
                Ok((*name).to_string())
            }
            _ => Err(SqsError::InvalidAddress(queue_url.to_string())),
        }
    }
    let sqs = service();
    for url in [
        "",
        "q",
        "q/",
        "/q",
        "http://h",
        "http://h/",
        "http://h/q",
        "http://127.0.0.1:1/123456789012/q",
        "http://127.0.0.1:1/123456789012/q/",
        "http://127.0.0.1:1//123456789012//q?x=1#f",
        "http://127.0.0.1:1/999999999999/q",
        "http://127.0.0.1:1/queue/eu-west-1/123456789012/q",
        "http://127.0.0.1:1/queue/us-east-1/123456789012/q",
        "http://127.0.0.1:1/queue/eu-west-1/999999999999/q",
        "https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo",
        "a/b/queue/r/123456789012/n",
        "123456789012/q",
        "queue/r/123456789012/q",
        "http://h/queue",
    ] {
        assert_eq!(
            format!("{:?}", sqs.name_of(url)),
            format!("{:?}", by_segments(&sqs, url)),
            "{url:?}"
        );
    }
}
