//! HeartbeatSeconds: heartbeats that keep a task alive, and heartbeats that stop.

use super::*;

#[sfn_harness::test(seed = 7)]
async fn heartbeats_keep_a_slow_worker_alive(h: Harness) {
    let machine = h
        .create_state_machine(
            "slow",
            json!({
                "StartAt": "Crunch",
                "States": { "Crunch": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": { "token.$": "$$.Task.Token" },
                    "HeartbeatSeconds": 60,
                    "TimeoutSeconds": 7200,
                    "End": true } }
            }),
        )
        .await?;
    let worker = h
        .on_task("Crunch")
        .respond_with(
            Reply::respond(json!({ "done": true }))
                .after(Duration::from_secs(600))
                .heartbeat_every(Duration::from_secs(45)),
        )
        .expect(1)
        .mount()
        .await;

    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.duration(), Duration::from_secs(600));
    assert_eq!(
        worker
            .log()
            .iter()
            .filter(|l| l.contains("heartbeat"))
            .count(),
        13
    );
    // Heartbeats leave no events of their own: AWS records only the task's end, 10 min later.
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 8)]
async fn heartbeats_that_stop_end_in_heartbeat_timeout(h: Harness) {
    let machine = h
        .create_state_machine(
            "hang",
            json!({
                "StartAt": "Crunch",
                "States": { "Crunch": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": { "token.$": "$$.Task.Token" },
                    "HeartbeatSeconds": 60,
                    "End": true } }
            }),
        )
        .await?;
    h.on_task("Crunch")
        .then(
            Reply::respond(json!({}))
                .after(Duration::from_secs(3600))
                .heartbeat_every(Duration::from_secs(30))
                .stop_heartbeats_after(Duration::from_secs(300)),
        )
        .mount()
        .await;

    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    // Last heartbeat at 300 s, then 60 s of silence.
    assert_eq!(done.duration(), Duration::from_secs(360));
    insta::assert_json_snapshot!(done.history());
}
