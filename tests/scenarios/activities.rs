//! Activities (`arn:aws:states:<region>:<account>:activity:<name>`), written as users write
//! them: a worker polling `GetActivityTask` through the AWS SDK, and a scripted worker mounted on
//! the state. Histories checked against AWS's recordings (LocalStack's AWS-validated
//! `activities/test_activities.py`, `../shared/conformance/v2/activities.*`).

use std::time::Duration;

use serde_json::{json, Value};
use sfn_harness::prelude::*;

fn activity_machine(activity_arn: &str, extra: Value) -> Value {
    let mut task = json!({ "Type": "Task", "Resource": activity_arn, "End": true });
    if let (Some(t), Some(e)) = (task.as_object_mut(), extra.as_object()) {
        t.extend(e.clone());
    }
    json!({ "StartAt": "Resize", "States": { "Resize": task } })
}

/// An activity created through the SDK, as a user's setup code does (`CreateActivity`).
struct Activity {
    arn: String,
}

async fn create_activity(
    h: &Harness,
    name: &str,
) -> Result<Activity, Box<dyn std::error::Error + Send + Sync>> {
    let out = h
        .sfn_client()
        .await
        .create_activity()
        .name(name)
        .send()
        .await?;
    Ok(Activity {
        arn: out.activity_arn().to_string(),
    })
}

#[sfn_harness::test(seed = 70)]
async fn a_scripted_worker_takes_the_activity_task(h: Harness) {
    let activity = create_activity(&h, "resize").await?;
    let machine = h
        .create_state_machine("resizer", activity_machine(&activity.arn, json!({})))
        .await?;
    h.on_task("Resize")
        .respond_with(Reply::respond(json!({ "px": 128 })).after(Duration::from_secs(30)))
        .expect(1)
        .mount()
        .await;
    let done = machine.start(json!({ "px": 64 })).await?.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.output(), Some(&json!({ "px": 128 })));
    assert_eq!(
        done.history().types(),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivitySucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 71)]
async fn an_activity_nobody_answers_times_out_as_aws_records_it(h: Harness) {
    let activity = create_activity(&h, "slow").await?;
    let machine = h
        .create_state_machine(
            "slow",
            activity_machine(&activity.arn, json!({ "TimeoutSeconds": 5 })),
        )
        .await?;
    let done = machine
        .start(json!({ "Value1": "HelloWorld" }))
        .await?
        .finish()
        .await?;
    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    assert_eq!(done.duration(), Duration::from_secs(5));
    let events = done.aws_history();
    let scheduled = &events[2];
    assert_eq!(scheduled.event_type, "ActivityScheduled");
    let (key, details) = scheduled.details.clone().unwrap();
    assert_eq!(key, "activityScheduledEventDetails");
    assert_eq!(
        details,
        json!({
            "resource": activity.arn,
            "input": "{\"Value1\":\"HelloWorld\"}",
            "inputDetails": { "truncated": false },
            "timeoutInSeconds": 5
        })
    );
    assert_eq!(events[3].event_type, "ActivityTimedOut");
    assert_eq!(
        events[3].details.clone().unwrap().1,
        json!({ "error": "States.Timeout" })
    );
}

#[sfn_harness::test(seed = 72)]
async fn a_deleted_activity_fails_the_execution_before_scheduling(h: Harness) {
    let activity = create_activity(&h, "gone").await?;
    let machine = h
        .create_state_machine("gone", activity_machine(&activity.arn, json!({})))
        .await?;
    h.sfn_client()
        .await
        .delete_activity()
        .activity_arn(&activity.arn)
        .send()
        .await?;
    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.error().as_deref(), Some("States.Runtime"));
    assert_eq!(
        done.cause().as_deref(),
        Some(format!(
            "An error occurred while executing the state 'Resize' (entered at the event id #2). The activity {} does not exist.",
            activity.arn
        ).as_str())
    );
    assert_eq!(
        done.history().types(),
        ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]
    );
}

/// A worker as a user writes it with the AWS SDK: poll, work, answer. Real time: the SDK's
/// requests go through the harness's HTTP endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_polls_through_the_sdk() {
    let h = Harness::start().await;
    let sfn = h.sfn_client().await;
    let created = sfn
        .create_activity()
        .name("thumbnail")
        .send()
        .await
        .unwrap();
    let arn = created.activity_arn().to_string();
    assert_eq!(
        sfn.create_activity()
            .name("thumbnail")
            .send()
            .await
            .unwrap()
            .activity_arn(),
        arn,
        "CreateActivity is idempotent"
    );
    let machine = h
        .create_state_machine(
            "thumbs",
            activity_machine(&arn, json!({ "HeartbeatSeconds": 30 })),
        )
        .await
        .unwrap();
    let exec = machine.start(json!({ "image": "cat.png" })).await.unwrap();

    let task = sfn
        .get_activity_task()
        .activity_arn(&arn)
        .worker_name("thumbnailer-1")
        .send()
        .await
        .unwrap();
    assert_eq!(task.input(), Some(r#"{"image":"cat.png"}"#));
    let token = task.task_token().unwrap().to_string();
    sfn.send_task_heartbeat()
        .task_token(&token)
        .send()
        .await
        .unwrap();
    sfn.send_task_success()
        .task_token(&token)
        .output(r#"{"thumb":"cat.small.png"}"#)
        .send()
        .await
        .unwrap();
    let done = exec.finish().await.unwrap();
    assert_eq!(done.output(), Some(&json!({ "thumb": "cat.small.png" })));
    let started = done
        .aws_history()
        .into_iter()
        .find(|e| e.event_type == "ActivityStarted")
        .unwrap();
    assert_eq!(
        started.details.unwrap().1,
        json!({ "workerName": "thumbnailer-1" })
    );

    let listed = sfn.list_activities().send().await.unwrap();
    assert_eq!(listed.activities().len(), 1);
    let described = sfn
        .describe_activity()
        .activity_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(described.name(), "thumbnail");
    sfn.delete_activity()
        .activity_arn(&arn)
        .send()
        .await
        .unwrap();
    sfn.delete_activity()
        .activity_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = sfn
        .describe_activity()
        .activity_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.into_service_error().meta().code(),
        Some("ActivityDoesNotExist")
    );
}
