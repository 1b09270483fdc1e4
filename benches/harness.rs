//! The harness as tests use it: `cargo bench --bench harness`.
//!
//! - start-up: 200 harnesses started and dropped in one process (per-harness cost);
//! - virtual time: a one-hour Wait, then a Task whose scripted worker answers after 30 minutes,
//!   measured in wall time (1.5 h of harness time);
//! - heartbeats: an SQS callback whose scripted worker heartbeats every minute for an hour
//!   (it cost ~2 s of wall time per execution before issue 12: the message came visible again
//!   while the worker worked, and the pick-up hold for real workers waited for nobody);
//! - stuck: a task nobody can answer, reported by `finish()` (it waited out its 30 s bound
//!   before issue 12).
//!
//! Figures are printed, never asserted.

use std::time::{Duration, Instant};

use serde_json::json;
use sfn_harness::prelude::*;

const MACHINE: &str = r#"{
  "StartAt": "Hour",
  "States": {
    "Hour": { "Type": "Wait", "Seconds": 3600, "Next": "Review" },
    "Review": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": { "token.$": "$$.Task.Token" },
      "TimeoutSeconds": 7200,
      "End": true
    }
  }
}"#;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        // 1. Start and drop 200 harnesses.
        let n = 200;
        let start = Instant::now();
        for i in 0..n {
            let h = Harness::builder().seed(i).start().await;
            drop(h);
        }
        let took = start.elapsed();
        println!(
            "start-up: {n} harnesses started and dropped in {:.2} ms ({:.1} µs each)",
            took.as_secs_f64() * 1e3,
            took.as_secs_f64() * 1e6 / n as f64
        );

        // 2. One hour of Wait plus a worker answering after 30 minutes.
        let mut walls = Vec::new();
        for i in 0..50 {
            let h = Harness::builder().seed(i).start().await;
            let m = h.create_state_machine("review", MACHINE).await.expect("valid");
            h.on_task("Review")
                .respond_with(Reply::respond(json!({ "ok": true })).after(Duration::from_secs(1800)))
                .expect(1)
                .mount()
                .await;
            let start = Instant::now();
            let done = m
                .start(json!({}))
                .await
                .expect("started")
                .finish()
                .await
                .expect("finished");
            walls.push(start.elapsed());
            assert_eq!(done.status(), Status::Succeeded);
            assert_eq!(done.duration(), Duration::from_secs(5400));
        }
        walls.sort();
        let median = walls[walls.len() / 2];
        println!(
            "virtual time: 1 h Wait + worker answering after 30 min (1.5 h of harness time) in {:.3} ms of wall time (median of 50; {:.0}x faster than real time)",
            median.as_secs_f64() * 1e3,
            5_400.0 / median.as_secs_f64()
        );

        // 3. An SQS callback whose scripted worker heartbeats every minute for an hour.
        let mut walls = Vec::new();
        for i in 0..20 {
            let h = Harness::builder().seed(i).start().await;
            let queue = h.create_queue("beats").await.expect("a queue");
            let m = h
                .create_state_machine(
                    "beating",
                    json!({
                        "StartAt": "Slow",
                        "States": { "Slow": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                            "Parameters": { "QueueUrl": queue, "MessageBody": { "token.$": "$$.Task.Token" } },
                            "HeartbeatSeconds": 120, "TimeoutSeconds": 7200, "End": true } }
                    }),
                )
                .await
                .expect("valid");
            h.on_task("Slow")
                .respond_with(Reply::respond(json!({ "ok": true })).after(Duration::from_secs(3600)).heartbeat_every(Duration::from_secs(60)))


                .mount()
                .await;
            let start = Instant::now();
            let done = m
                .start(json!({}))
                .await
                .expect("started")
                .finish()
                .await
                .expect("finished");
            walls.push(start.elapsed());
            assert_eq!(done.status(), Status::Succeeded);
        }
        walls.sort();
        println!(
            "heartbeats: SQS callback, 60 heartbeats over 1 h of harness time, in {:.3} ms of wall time (median of 20)",
            walls[walls.len() / 2].as_secs_f64() * 1e3
        );

        // 4. A task nobody can answer.
        let mut walls = Vec::new();
        for i in 0..20 {
            let h = Harness::builder().seed(i).start().await;
            let m = h
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
                .await
                .expect("valid");
            let exec = m.start(json!({})).await.expect("started");
            let start = Instant::now();
            let err = exec.finish().await.expect_err("it cannot finish");
            walls.push(start.elapsed());
            assert!(matches!(err, HarnessError::Stuck { .. }), "{err}");
            exec.stop(None, None).await.expect("stopped");
        }
        walls.sort();
        println!(
            "stuck: a task nobody can answer reported by finish() in {:.3} ms of wall time (median of 20)",
            walls[walls.len() / 2].as_secs_f64() * 1e3
        );
    });
}
