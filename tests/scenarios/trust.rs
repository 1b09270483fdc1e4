//! Trust (issue 12): seeded histories that repeat byte for byte, reports that survive a panic,
//! warnings instead of silent no-ops, and no wall time where there should be none.

use std::time::Duration;

use serde_json::json;
use sfn_harness::prelude::*;

/// A task that sends its token through SQS and waits for it.
fn sqs_callback(queue: &str, state: &str) -> serde_json::Value {
    json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {
            "QueueUrl": queue,
            "MessageBody": { "token.$": "$$.Task.Token", "state": state, "item.$": "$" }
        },
        "TimeoutSeconds": 300,
        "End": true
    })
}

/// One run of the seeded scenario: a Map of four SQS callbacks all answered 10 s after they were
/// sent (the same virtual instant), then a Parallel of two answered at the same instant too.
/// Returns the normalized and the raw history as text.
async fn seeded_run() -> (String, String) {
    let h = Harness::builder().seed(12).start().await;
    let queue = h.create_queue("work").await.expect("a queue");
    let machine = h
        .create_state_machine(
            "same-instant",
            json!({
                "StartAt": "Each",
                "States": {
                    "Each": {
                        "Type": "Map",
                        "ItemsPath": "$.items",
                        "ItemProcessor": { "StartAt": "Ship", "States": { "Ship": sqs_callback(&queue, "Ship") } },
                        "ResultPath": "$.shipped",
                        "Next": "Both"
                    },
                    "Both": {
                        "Type": "Parallel",
                        "Branches": [
                            { "StartAt": "Bill", "States": { "Bill": sqs_callback(&queue, "Bill") } },
                            { "StartAt": "Mail", "States": { "Mail": sqs_callback(&queue, "Mail") } }
                        ],
                        "End": true
                    }
                }
            }),
        )
        .await
        .expect("a machine");
    for state in ["Ship", "Bill", "Mail"] {
        h.on_task(state)
            .respond_with(
                Reply::with(|task| Answer::Success(json!({ "done": task.input["item"] })))
                    .after(Duration::from_secs(10)),
            )
            .mount()
            .await;
    }
    let done = machine
        .start(json!({ "items": [1, 2, 3, 4] }))
        .await
        .expect("started")
        .finish()
        .await
        .expect("finished");
    assert_eq!(done.status(), Status::Succeeded, "{:?}", done.error());
    let normalized = serde_json::to_string_pretty(done.history()).expect("serializable");
    let raw: Vec<serde_json::Value> = done.aws_history().iter().map(|e| e.to_aws_json()).collect();
    // The one thing a seed cannot fix is the endpoint's port (the OS picks it), which queue URLs
    // carry: it is written as `ENDPOINT` so that runs compare.
    let raw = serde_json::to_string_pretty(&raw).expect("serializable");
    (normalized, raw.replace(h.endpoint_url(), "ENDPOINT"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_seeded_scenario_repeats_byte_for_byte_with_simultaneous_answers() {
    let (normalized, raw) = seeded_run().await;
    for run in 1..50 {
        let (n, r) = seeded_run().await;
        assert_eq!(n, normalized, "normalized history differs on run {run}");
        assert_eq!(r, raw, "raw history differs on run {run}");
    }
}

/// A callback task whose worker heartbeats every minute for an hour (HeartbeatSeconds 120).
async fn heartbeating_run(h: &Harness, via_sqs: bool) -> Finished {
    let resource = if via_sqs {
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    } else {
        "arn:aws:states:::lambda:invoke.waitForTaskToken"
    };
    let params = if via_sqs {
        let queue = h.create_queue("beats").await.expect("a queue");
        json!({ "QueueUrl": queue, "MessageBody": { "token.$": "$$.Task.Token" } })
    } else {
        json!({ "FunctionName": "slow", "Payload": { "token.$": "$$.Task.Token" } })
    };
    let machine = h
        .create_state_machine(
            "beating",
            json!({
                "StartAt": "Slow",
                "States": { "Slow": {
                    "Type": "Task", "Resource": resource, "Parameters": params,
                    "HeartbeatSeconds": 120, "TimeoutSeconds": 7200, "End": true } }
            }),
        )
        .await
        .expect("a machine");
    h.on_task("Slow")
        .respond_with(
            Reply::respond(json!({ "ok": true }))
                .after(Duration::from_secs(3600))
                .heartbeat_every(Duration::from_secs(60)),
        )
        .expect(1)
        .mount()
        .await;
    machine
        .start(json!({}))
        .await
        .expect("started")
        .finish()
        .await
        .expect("finished")
}

#[sfn_harness::test(seed = 3)]
async fn a_heartbeating_scripted_worker_succeeds_in_virtual_time(h: Harness) {
    let done = heartbeating_run(&h, false).await;
    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.duration(), Duration::from_secs(3600));
    let h2 = Harness::builder().seed(3).start().await;
    let done = heartbeating_run(&h2, true).await;
    assert_eq!(done.status(), Status::Succeeded);
}

#[sfn_harness::test(seed = 4)]
async fn a_task_nobody_can_answer_fails_finish_at_once_with_the_report(h: Harness) {
    let machine = h
        .create_state_machine(
            "forever",
            json!({
                "StartAt": "Ask",
                "States": { "Ask": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": { "token.$": "$$.Task.Token" },
                    "End": true } }
            }),
        )
        .await?;
    h.on_task("Ask").respond_with(Reply::silent()).mount().await;
    let exec = machine.start(json!({})).await?;
    let err = exec.finish().await.unwrap_err();
    let HarnessError::Stuck { report } = &err else {
        panic!("expected Stuck, got {err}");
    };
    assert_eq!(report.waiting.len(), 1, "{err}");
    assert!(err.to_string().contains("can never finish"), "{err}");
    exec.stop(None, None).await?;
}

/// A machine with a Map whose item processor has the state `ShipItem`.
fn shipping() -> serde_json::Value {
    json!({
        "StartAt": "Each",
        "States": { "Each": {
            "Type": "Map",
            "ItemProcessor": { "StartAt": "ShipItem", "States": { "ShipItem": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": { "token.$": "$$.Task.Token" },
                "TimeoutSeconds": 60,
                "End": true } } },
            "End": true } }
    })
}

#[test]
fn the_verification_report_is_printed_when_an_assertion_panics_first() {
    let printed = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = printed.clone();
    let test = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        rt.block_on(async move {
            let h = Harness::builder()
                .seed(5)
                .report_to(move |report| sink.lock().expect("not poisoned").push_str(report))
                .start()
                .await;
            let machine = h
                .create_state_machine("ship", shipping())
                .await
                .expect("valid");
            // The typo: no task of state 'ShipItme' will ever come.
            h.on_task("ShipItme")
                .named("mugs")
                .respond(json!({}))
                .expect(1)
                .mount()
                .await;
            let done = machine
                .start(json!([1]))
                .await
                .expect("started")
                .finish()
                .await
                .expect("ends");
            assert_eq!(
                done.status(),
                Status::Succeeded,
                "the assertion that fails first"
            );
        });
    });
    let panic = test.join().expect_err("the test thread panicked");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("the assertion that fails first"),
        "{message}"
    );
    let report = printed.lock().expect("not poisoned").clone();
    assert!(report.starts_with("Verifications failed:"), "{report}");
    assert!(
        report.contains("worker 'mugs' (state 'ShipItme')"),
        "{report}"
    );
    assert!(report.contains("Received: 0"), "{report}");
    assert!(report.contains("did you mean 'ShipItem'?"), "{report}");
}

#[sfn_harness::test(seed = 6)]
async fn finish_reports_the_unmet_workers_and_the_unknown_state(h: Harness) {
    let machine = h.create_state_machine("ship", shipping()).await?;
    let worker = h
        .on_task("ShipItme")
        .respond(json!({}))
        .expect(1)
        .mount()
        .await;
    assert!(
        worker
            .log()
            .iter()
            .any(|l| l.contains("did you mean 'ShipItem'?")),
        "warned at mount: {:?}",
        worker.log()
    );
    let exec = machine.start(json!([1])).await?;
    // The task times out after 60 s of virtual time: finish() sees a failure, not a timeout.
    let done = exec.finish().await?;
    assert_eq!(done.status(), Status::Failed);
    let report = h.verify().unwrap_err();
    assert_eq!(report.warnings.len(), 1, "{report}");
    assert!(
        report.contains("no state machine of this harness has"),
        "{report}"
    );
    // And when finish() gives up, its report names the unmet worker and the warning.
    let forever = h
        .create_state_machine(
            "forever",
            json!({ "StartAt": "Ask", "States": { "Ask": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": { "token.$": "$$.Task.Token" }, "End": true } } }),
        )
        .await?;
    let exec = forever.start(json!({})).await?;
    let err = exec.finish().await.unwrap_err();
    let HarnessError::Stuck { report } = &err else {
        panic!("{err}")
    };
    assert_eq!(report.unmet.len(), 1, "{err}");
    let text = err.to_string();
    assert!(text.contains("expectations not met:"), "{text}");
    assert!(text.contains("worker for state 'ShipItme'"), "{text}");
    assert!(text.contains("did you mean 'ShipItem'?"), "{text}");
    exec.stop(None, None).await?;
    std::mem::forget(h); // dropping it would fail with the report checked above
}

#[sfn_harness::test(seed = 7)]
async fn a_worker_mounted_before_any_machine_is_warned_about_at_verify(h: Harness) {
    h.on_task("Nowhere").respond(json!({})).mount().await;
    assert!(h.verify().is_ok(), "no expectation: nothing to fail");
    h.create_state_machine("ship", shipping()).await?;
    let worker = h
        .on_task("ShipItem")
        .respond(json!({}))
        .expect(1)
        .mount()
        .await;
    assert!(worker.log().is_empty(), "a known state is not warned about");
    let report = h.verify().unwrap_err();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("'Nowhere'") && w.contains("the states are 'Each', 'ShipItem'")),
        "{report}"
    );
    std::mem::forget(h);
}

/// A callback task answered by a scripted worker after 10 s, with a 60 s timeout.
async fn answered_after_ten_seconds(h: &Harness) -> (Machine, WorkerHandle) {
    let machine = h
        .create_state_machine(
            "throttled",
            json!({ "StartAt": "Ask", "States": { "Ask": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": { "token.$": "$$.Task.Token" }, "TimeoutSeconds": 60, "End": true } } }),
        )
        .await
        .expect("valid");
    let worker = h
        .on_task("Ask")
        .respond_with(Reply::respond(json!({ "ok": true })).after(Duration::from_secs(10)))
        .mount()
        .await;
    (machine, worker)
}

#[sfn_harness::test(seed = 8)]
async fn a_throttled_scripted_answer_is_retried_as_the_sdk_would(h: Harness) {
    let (machine, _) = answered_after_ten_seconds(&h).await;
    let fault = h.inject(Fault::throttle("SendTaskSuccess").times(2).expect(2))?;
    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(
        done.status(),
        Status::Succeeded,
        "the third attempt got through"
    );
    assert_eq!(fault.injected(), 2);
    // Two back-offs of the standard retry mode (at most 1 s, then 2 s) on the harness clock.
    assert!(
        done.duration() >= Duration::from_secs(10),
        "{:?}",
        done.duration()
    );
    assert!(
        done.duration() <= Duration::from_secs(13),
        "{:?}",
        done.duration()
    );
    // Seeded: the jitter, and so the history, is the same on every run.
    let again = Harness::builder().seed(8).start().await;
    let (machine, _) = answered_after_ten_seconds(&again).await;
    again.inject(Fault::throttle("SendTaskSuccess").times(2))?;
    let twin = machine.start(json!({})).await?.finish().await?;
    assert_eq!(twin.duration(), done.duration());
    assert_eq!(twin.history(), done.history());
}

#[sfn_harness::test(seed = 9)]
async fn a_scripted_answer_throttled_past_the_retries_is_refused_and_logged(h: Harness) {
    let (machine, worker) = answered_after_ten_seconds(&h).await;
    let fault = h.inject(Fault::throttle("SendTaskSuccess"))?;
    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    assert_eq!(
        fault.injected(),
        3,
        "three attempts, as the standard retry mode makes"
    );
    let log = worker.log();
    assert!(
        log.iter()
            .any(|l| l.contains("refused: ThrottlingException")),
        "{log:?}"
    );
}

#[sfn_harness::test(seed = 10)]
async fn the_timeline_gives_each_map_iteration_its_own_exit(h: Harness) {
    let machine = h.create_state_machine("ship", shipping()).await?;
    // Three iterations enter `ShipItem` side by side, then all exit at +5 s.
    h.on_task("ShipItem")
        .respond_with(Reply::respond(json!({ "shipped": true })).after(Duration::from_secs(5)))
        .expect(3)
        .mount()
        .await;
    let done = machine.start(json!([1, 2, 3])).await?.finish().await?;
    assert_eq!(done.status(), Status::Succeeded);
    let text = done.timeline().to_string();
    assert!(!text.contains("not exited"), "{text}");
    let ships: Vec<_> = done
        .timeline()
        .visits
        .iter()
        .filter(|v| v.state == "ShipItem")
        .collect();
    assert_eq!(ships.len(), 3, "{text}");
    for v in ships {
        assert_eq!(v.exited, Some(5_000), "{text}");
    }
}

/// A task with `HeartbeatSeconds`, caught by `States.Timeout` into a compensation state.
fn heartbeat_caught(heartbeat_seconds: u64) -> serde_json::Value {
    json!({
        "StartAt": "Pack",
        "States": {
            "Pack": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": { "token.$": "$$.Task.Token" },
                "HeartbeatSeconds": heartbeat_seconds,
                "TimeoutSeconds": 3600,
                "Catch": [{ "ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Compensate" }],
                "End": true
            },
            "Compensate": { "Type": "Pass", "End": true }
        }
    })
}

#[sfn_harness::test(seed = 11)]
async fn a_missed_heartbeat_is_caught_by_states_timeout(h: Harness) {
    // AWS: "States.Timeout: A Task state ... failed to send a heartbeat for a period longer than
    // the HeartbeatSeconds value" (Error handling in Step Functions, error names), and its
    // recorded histories show TaskTimedOut with error States.Timeout for a missed heartbeat.
    let machine = h
        .create_state_machine("beats", heartbeat_caught(60))
        .await?;
    h.on_task("Pack")
        .respond_with(Reply::silent())
        .expect(1)
        .mount()
        .await;
    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::Succeeded, "{:?}", done.error());
    assert_eq!(
        done.output().map(|o| o["error"]["Error"].clone()),
        Some(json!("States.Timeout"))
    );
    assert!(done.history().types().contains(&"TaskTimedOut"));
    assert_eq!(done.duration(), Duration::from_secs(60));
}
