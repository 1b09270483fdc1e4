//! Callbacks through SNS (`arn:aws:states:::sns:publish.waitForTaskToken`): the state publishes
//! the task token to a topic, SNS fans the notification out to the subscribed queue, and a
//! scripted worker on that queue receives what a real one would: the SNS envelope (`Type`,
//! `MessageId`, `TopicArn`, `Message`, …), or the message itself with `RawMessageDelivery`.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sfn_harness::prelude::*;

use super::support::one_state;

/// A Task that publishes the order and its task token to `topic` and waits for the callback.
fn publish_and_wait(topic: &str) -> Value {
    json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
        "Parameters": {
            "TopicArn": topic,
            "Subject": "new order",
            "Message": { "order.$": "$.order", "taskToken.$": "$$.Task.Token" }
        },
        "TimeoutSeconds": 3600,
        "End": true
    })
}

/// A topic `name` with the queue `queue` subscribed to it (raw delivery when `raw`).
fn topic_for(h: &Harness, name: &str, queue: &str, raw: bool) -> String {
    let sns = h.account().sns();
    let topic = sns.create_topic(name, BTreeMap::new()).unwrap();
    let mut attributes = BTreeMap::new();
    if raw {
        attributes.insert("RawMessageDelivery".to_string(), "true".to_string());
    }
    let queue_arn = format!("arn:aws:sqs:us-east-1:123456789012:{queue}");
    sns.subscribe(&topic, "sqs", &queue_arn, attributes)
        .unwrap();
    topic
}

#[sfn_harness::test(seed = 81)]
async fn a_worker_on_the_subscribed_queue_sees_the_sns_envelope(h: Harness) {
    h.create_queue("shipping").await?;
    let topic = topic_for(&h, "orders", "shipping", false);
    let machine = h
        .create_state_machine("ship", one_state("Notify", publish_and_wait(&topic)))
        .await?;
    h.on_task("Notify")
        .on_queue("shipping")
        .respond_with(Reply::with(|task| {
            // The body is the notification; the state's message is the JSON text in `Message`.
            let envelope = &task.input;
            let message: Value =
                serde_json::from_str(envelope["Message"].as_str().unwrap_or("null")).unwrap();
            Answer::Success(json!({
                "type": envelope["Type"],
                "subject": envelope["Subject"],
                "topic": envelope["TopicArn"],
                "signed": envelope["SignatureVersion"],
                "order": message["order"],
                "token_matches": message["taskToken"].as_str() == task.token.as_deref(),
            }))
        }))
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "order": { "id": 7 } }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(
        done.output(),
        Some(&json!({
            "type": "Notification",
            "subject": "new order",
            "topic": topic,
            "signed": "1",
            "order": { "id": 7 },
            "token_matches": true,
        }))
    );
    // TaskSubmitted carries the Publish answer as AWS records it.
    let submitted = done
        .history()
        .events()
        .iter()
        .find(|e| e.event_type == "TaskSubmitted")
        .expect("a TaskSubmitted event");
    let details = submitted.details.values().next().expect("its details");
    let output = &details["output"];
    assert_eq!(
        output["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"],
        "text/xml"
    );
    assert_eq!(
        output["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"],
        "294"
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 82)]
async fn raw_message_delivery_hands_the_worker_the_message_itself(h: Harness) {
    h.create_queue("raw").await?;
    let topic = topic_for(&h, "orders", "raw", true);
    let machine = h
        .create_state_machine("ship", one_state("Notify", publish_and_wait(&topic)))
        .await?;
    h.on_task("Notify")
        .on_queue("raw")
        .respond_with(Reply::with(|task| {
            Answer::Success(json!({ "got": task.input["order"] }))
        }))
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "order": "A-1" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.output(), Some(&json!({ "got": "A-1" })));
}

#[sfn_harness::test(seed = 83)]
async fn publishing_to_a_missing_topic_fails_as_aws_records_it(h: Harness) {
    let missing = "arn:aws:sns:us-east-1:123456789012:gone";
    let task = json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::sns:publish",
        "Parameters": { "TopicArn": missing, "Message": "m" },
        "End": true
    });
    let machine = h
        .create_state_machine("notify", one_state("Notify", task))
        .await?;

    let done = machine.start(json!({})).await?.finish().await?;

    // services.test_sns_task_service.test_publish_base_error_topic_arn (../shared/conformance/v2).
    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("SNS.NotFoundException"));
    let cause = done.cause().unwrap_or_default();
    assert!(
        cause.starts_with("Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: "),
        "{cause}"
    );
}
