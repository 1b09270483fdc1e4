//! Virtual time, time advanced by hand, real time.

use super::*;

#[sfn_harness::test(seed = 19)]
async fn advancing_time_by_hand_while_a_worker_is_busy(h: Harness) {
    let machine = h
        .create_state_machine(
            "approve",
            json!({ "StartAt": "Approve", "States": { "Approve": callback(json!({})) } }),
        )
        .await?;
    h.on_task("Approve")
        .respond_with(Reply::respond(json!({ "ok": true })).after(Duration::from_secs(600)))
        .mount()
        .await;
    let exec = machine.start(json!({})).await?;

    h.clock().advance(Duration::from_secs(599)).await;
    assert_eq!(exec.status(), Status::Running);
    let waiting: Vec<_> = h.open_tokens().into_iter().map(|t| t.state_name).collect();
    assert_eq!(waiting, ["Approve"]);

    h.clock().advance(Duration::from_secs(1)).await;
    assert_eq!(exec.status(), Status::Succeeded);
    assert!(h.open_tokens().is_empty());
    assert_eq!(exec.finish().await?.duration(), Duration::from_secs(600));
}

#[sfn_harness::test(seed = 41)]
async fn an_sdk_client_sees_virtual_time(h: Harness) {
    use aws_sdk_sfn::types::ExecutionStatus;

    let machine = h
        .create_state_machine(
            "nap-then-ask",
            json!({
                "StartAt": "Nap",
                "States": {
                    "Nap": { "Type": "Wait", "Seconds": 3600, "Next": "Ask" },
                    "Ask": callback(json!({}))
                }
            }),
        )
        .await?;
    h.on_task("Ask")
        .respond_with(Reply::respond(json!({ "ok": true })).after(Duration::from_secs(30 * 60)))
        .expect(1)
        .mount()
        .await;
    let sfn = h.sfn_client().await;
    let exec = machine.start(json!({})).await?;

    // While the hour-long Wait is pending, the SDK sees a running execution…
    let running = sfn
        .describe_execution()
        .execution_arn(exec.arn())
        .send()
        .await?;
    assert_eq!(running.status(), &ExecutionStatus::Running);
    assert_eq!(running.stop_date(), None);

    // …and once it ends (in milliseconds of wall time), one and a half hours of harness time.
    let started = std::time::Instant::now();
    let done = exec.finish().await?;
    assert!(started.elapsed() < Duration::from_secs(5));
    let ended = sfn
        .describe_execution()
        .execution_arn(exec.arn())
        .send()
        .await?;
    assert_eq!(ended.status(), &ExecutionStatus::Succeeded);
    let (start, stop) = (ended.start_date(), ended.stop_date().unwrap());
    assert_eq!(stop.to_millis()? - start.to_millis()?, 90 * 60 * 1000);
    assert_eq!(ended.output(), Some(r#"{"ok":true}"#));
    let history = sfn
        .get_execution_history()
        .execution_arn(exec.arn())
        .send()
        .await?;
    assert_eq!(history.events().len(), done.aws_history().len());
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 29)]
async fn advancing_time_by_hand(h: Harness) {
    let machine = h
        .create_state_machine(
            "steps",
            json!({
                "StartAt": "Hour",
                "States": {
                    "Hour": { "Type": "Wait", "Seconds": 3600, "Next": "Done" },
                    "Done": { "Type": "Succeed" }
                }
            }),
        )
        .await?;
    let exec = machine.start(json!({})).await?;

    h.clock().advance(Duration::from_secs(3599)).await;
    assert_eq!(exec.status(), Status::Running);
    assert_eq!(exec.timeline().visits[0].exited, None);

    h.clock().advance(Duration::from_secs(1)).await;
    let done = exec.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.duration(), Duration::from_secs(3600));
}

#[sfn_harness::test(real_time)]
async fn real_time_mode_waits_for_real(h: Harness) {
    let machine = h
        .create_state_machine(
            "short",
            json!({
                "StartAt": "Blink",
                "States": { "Blink": { "Type": "Wait", "Seconds": 1, "End": true } }
            }),
        )
        .await?;
    let started = std::time::Instant::now();
    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    assert!(started.elapsed() >= Duration::from_millis(900));
}
