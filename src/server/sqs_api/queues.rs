//! The queue operations: lifecycle, attributes and tags.

use serde_json::{json, Map, Value};

use super::{empty, required, Answer, Failure};
use crate::server::json::Members;
use crate::sqs::{CreateQueue, ListQueues, Sqs, SqsError};

pub(super) fn create_queue(sqs: &Sqs, r: Members<'_>) -> Answer {
    let url = sqs.create_queue(CreateQueue {
        queue_name: required(&r, "QueueName")?,
        attributes: r.string_map("Attributes")?,
        tags: r.string_map("tags")?,
    })?;
    Ok(json!({ "QueueUrl": url }))
}

pub(super) fn get_queue_url(sqs: &Sqs, r: Members<'_>) -> Answer {
    let name = required(&r, "QueueName")?;
    let owner = r.string("QueueOwnerAWSAccountId")?;
    let url = sqs.get_queue_url(&name, owner.as_deref())?;
    Ok(json!({ "QueueUrl": url }))
}

pub(super) fn list_queues(sqs: &Sqs, r: Members<'_>) -> Answer {
    let out = sqs.list_queues(ListQueues {
        queue_name_prefix: r.string("QueueNamePrefix")?,
        max_results: r.integer("MaxResults")?,
        next_token: r.string("NextToken")?,
    })?;
    let mut m = Map::new();
    if !out.queue_urls.is_empty() {
        m.insert("QueueUrls".into(), json!(out.queue_urls));
    }
    if let Some(t) = out.next_token {
        m.insert("NextToken".into(), json!(t));
    }
    Ok(Value::Object(m))
}

pub(super) fn delete_queue(sqs: &Sqs, r: Members<'_>) -> Answer {
    sqs.delete_queue(&required(&r, "QueueUrl")?)?;
    empty()
}

pub(super) fn purge_queue(sqs: &Sqs, r: Members<'_>) -> Answer {
    sqs.purge_queue(&required(&r, "QueueUrl")?)?;
    empty()
}

pub(super) fn get_queue_attributes(sqs: &Sqs, r: Members<'_>) -> Answer {
    let url = required(&r, "QueueUrl")?;
    let names = r.string_list("AttributeNames")?;
    let attrs = sqs.get_queue_attributes(&url, &names)?;
    if attrs.is_empty() {
        return empty();
    }
    let m: Map<String, Value> = attrs.into_iter().map(|(k, v)| (k, json!(v))).collect();
    Ok(json!({ "Attributes": m }))
}

pub(super) fn set_queue_attributes(sqs: &Sqs, r: Members<'_>) -> Answer {
    let url = required(&r, "QueueUrl")?;
    present(&r, "Attributes")?;
    sqs.set_queue_attributes(&url, &r.string_map("Attributes")?)?;
    empty()
}

pub(super) fn tag_queue(sqs: &Sqs, r: Members<'_>) -> Answer {
    let url = required(&r, "QueueUrl")?;
    present(&r, "Tags")?;
    sqs.tag_queue(&url, r.string_map("Tags")?)?;
    empty()
}

pub(super) fn untag_queue(sqs: &Sqs, r: Members<'_>) -> Answer {
    let url = required(&r, "QueueUrl")?;
    present(&r, "TagKeys")?;
    sqs.untag_queue(&url, &r.string_list("TagKeys")?)?;
    empty()
}

pub(super) fn list_queue_tags(sqs: &Sqs, r: Members<'_>) -> Answer {
    let tags = sqs.list_queue_tags(&required(&r, "QueueUrl")?)?;
    if tags.is_empty() {
        return empty();
    }
    Ok(json!({ "Tags": tags }))
}

pub(super) fn list_dead_letter_source_queues(sqs: &Sqs, r: Members<'_>) -> Answer {
    let urls = sqs.list_dead_letter_source_queues(&required(&r, "QueueUrl")?)?;
    // The one lowercase output member of the SQS model.
    Ok(json!({ "queueUrls": urls }))
}

/// Refuses a request without member `name` (whatever its value) with `MissingParameter`.
fn present(r: &Members<'_>, name: &str) -> Result<(), Failure> {
    if r.contains(name) {
        Ok(())
    } else {
        Err(SqsError::MissingParameter(name.to_string()).into())
    }
}

pub(super) fn add_permission(sqs: &Sqs, r: Members<'_>) -> Answer {
    let url = required(&r, "QueueUrl")?;
    let label = r.string("Label")?.unwrap_or_default();
    sqs.add_permission(
        &url,
        &label,
        &r.string_list("AWSAccountIds")?,
        &r.string_list("Actions")?,
    )?;
    empty()
}

pub(super) fn remove_permission(sqs: &Sqs, r: Members<'_>) -> Answer {
    let url = required(&r, "QueueUrl")?;
    sqs.remove_permission(&url, &r.string("Label")?.unwrap_or_default())?;
    empty()
}

pub(super) fn start_message_move_task(sqs: &Sqs, r: Members<'_>) -> Answer {
    let source = required(&r, "SourceArn")?;
    let handle = sqs.start_message_move_task(
        &source,
        r.string("DestinationArn")?.as_deref(),
        r.integer("MaxNumberOfMessagesPerSecond")?,
    )?;
    Ok(json!({ "TaskHandle": handle }))
}

pub(super) fn cancel_message_move_task(sqs: &Sqs, r: Members<'_>) -> Answer {
    let moved = sqs.cancel_message_move_task(&required(&r, "TaskHandle")?)?;
    Ok(json!({ "ApproximateNumberOfMessagesMoved": moved }))
}

pub(super) fn list_message_move_tasks(sqs: &Sqs, r: Members<'_>) -> Answer {
    let tasks =
        sqs.list_message_move_tasks(&required(&r, "SourceArn")?, r.integer("MaxResults")?)?;
    let results: Vec<Value> = tasks
        .iter()
        .map(|t| {
            let mut m = Map::new();
            if t.status == "RUNNING" {
                m.insert("TaskHandle".into(), json!(t.task_handle));
            }
            m.insert("Status".into(), json!(t.status));
            m.insert("SourceArn".into(), json!(t.source_arn));
            if let Some(d) = &t.destination_arn {
                m.insert("DestinationArn".into(), json!(d));
            }
            if let Some(rate) = t.max_number_of_messages_per_second {
                m.insert("MaxNumberOfMessagesPerSecond".into(), json!(rate));
            }
            m.insert(
                "ApproximateNumberOfMessagesMoved".into(),
                json!(t.approximate_number_of_messages_moved),
            );
            m.insert(
                "ApproximateNumberOfMessagesToMove".into(),
                json!(t.approximate_number_of_messages_to_move),
            );
            if let Some(f) = &t.failure_reason {
                m.insert("FailureReason".into(), json!(f));
            }
            m.insert("StartedTimestamp".into(), json!(t.started_timestamp));
            Value::Object(m)
        })
        .collect();
    Ok(json!({ "Results": results }))
}
