//! Engine throughput, in-process (no HTTP): `cargo bench --bench engine`.
//!
//! - state transitions per second through a machine of 20 Pass states, in JSONPath and in
//!   JSONata (each state building `{ i, prev }` from its input and assigning a variable);
//! - executions per second of a Choice + Map machine;
//! - wall time of a one-hour Wait followed by a Task that fails twice and then succeeds
//!   (retries 60 s and 120 s apart), under virtual time.
//!
//! Figures are printed, never asserted.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sfn_harness::asl::StatesError;
use sfn_harness::internals::{handler, TaskRequest};
use sfn_harness::internals::{Engine, EngineConfig, Status};
use sfn_harness::time::Clock;

fn engine() -> Engine {
    Engine::new(EngineConfig {
        clock: Clock::virtual_at(1_700_000_000_000),
        seed: Some(1),
        ..EngineConfig::default()
    })
}

fn pass_chain(n: usize) -> String {
    let mut states = serde_json::Map::new();
    for i in 0..n {
        let mut s = json!({ "Type": "Pass", "Parameters": { "i": i, "prev.$": "$" }, "OutputPath": "$.prev" });
        if i + 1 < n {
            s["Next"] = json!(format!("S{}", i + 1));
        } else {
            s["End"] = json!(true);
        }
        states.insert(format!("S{i}"), s);
    }
    json!({ "StartAt": "S0", "States": states }).to_string()
}

/// The JSONata twin of [`pass_chain`]: each state outputs its input's `prev` under a new
/// object (as `Parameters` + `OutputPath` do) and assigns `$last`.
fn jsonata_pass_chain(n: usize) -> String {
    let mut states = serde_json::Map::new();
    for i in 0..n {
        let mut s = json!({ "Type": "Pass",
            "Output": format!("{{% {{'i': {i}, 'prev': $states.input}}.prev %}}"),
            "Assign": { "last": i } });
        if i + 1 < n {
            s["Next"] = json!(format!("S{}", i + 1));
        } else {
            s["End"] = json!(true);
        }
        states.insert(format!("S{i}"), s);
    }
    json!({ "QueryLanguage": "JSONata", "StartAt": "S0", "States": states }).to_string()
}

const CHOICE_MAP: &str = r#"{
  "StartAt": "Route",
  "States": {
    "Route": { "Type": "Choice",
      "Choices": [{ "Variable": "$.kind", "StringEquals": "batch", "Next": "Each" }],
      "Default": "Single" },
    "Single": { "Type": "Pass", "End": true },
    "Each": { "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 4,
      "ItemProcessor": { "StartAt": "Check", "States": {
        "Check": { "Type": "Choice",
          "Choices": [{ "Variable": "$", "NumericGreaterThan": 5, "Next": "Big" }],
          "Default": "Small" },
        "Big": { "Type": "Pass", "Result": "big", "End": true },
        "Small": { "Type": "Pass", "Result": "small", "End": true } } },
      "End": true }
  }
}"#;

async fn run_many(e: &Engine, arn: &str, input: &str, n: usize) -> Duration {
    let start = Instant::now();
    let mut pending = Vec::with_capacity(64);
    for _ in 0..n {
        pending.push(e.start_execution(arn, None, Some(input)).expect("start"));
        if pending.len() == 64 {
            for ex in pending.drain(..) {
                assert_eq!(ex.wait().await, Status::Succeeded);
            }
        }
    }
    for ex in pending {
        assert_eq!(ex.wait().await, Status::Succeeded);
    }
    start.elapsed()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        // 1. Transitions per second.
        let e = engine();
        let m = e.create_state_machine("pass20", &pass_chain(20)).expect("valid");
        run_many(&e, &m.arn, "{}", 200).await; // warm-up
        let n = 2_000;
        let took = run_many(&e, &m.arn, r#"{"k":1}"#, n).await;
        let transitions = (n * 20) as f64;
        println!(
            "pass20: {n} executions, {:.0} state transitions/s ({:.1} µs per execution)",
            transitions / took.as_secs_f64(),
            took.as_secs_f64() * 1e6 / n as f64
        );

        // 1b. The same through 20 JSONata Pass states.
        let e = engine();
        let m = e
            .create_state_machine("jsonata20", &jsonata_pass_chain(20))
            .expect("valid");
        run_many(&e, &m.arn, "{}", 100).await; // warm-up
        let n = 1_000;
        let took = run_many(&e, &m.arn, r#"{"k":1}"#, n).await;
        println!(
            "jsonata pass20: {n} executions, {:.0} state transitions/s ({:.1} µs per execution)",
            (n * 20) as f64 / took.as_secs_f64(),
            took.as_secs_f64() * 1e6 / n as f64
        );

        // 2. Executions per second of a Choice + Map machine.
        let e = engine();
        let m = e.create_state_machine("choicemap", CHOICE_MAP).expect("valid");
        let input = r#"{"kind":"batch","items":[1,2,3,4,5,6,7,8,9,10]}"#;
        run_many(&e, &m.arn, input, 200).await;
        let n = 2_000;
        let took = run_many(&e, &m.arn, input, n).await;
        println!(
            "choice+map (10 items): {:.0} executions/s",
            n as f64 / took.as_secs_f64()
        );

        // 3. Virtual time: one hour of Wait plus two retries, in wall time.
        let mut walls = Vec::new();
        for _ in 0..20 {
            let e = engine();
            let calls = Arc::new(AtomicU32::new(0));
            let c = calls.clone();
            e.register_resource(
                "arn:aws:states:::test:flaky",
                handler(move |_r: TaskRequest| {
                    let k = c.fetch_add(1, Ordering::SeqCst);
                    async move {
                        if k < 2 {
                            Err(StatesError::new("Flaky", "again"))
                        } else {
                            Ok(json!({}))
                        }
                    }
                }),
            );
            let m = e
                .create_state_machine(
                    "hour",
                    r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"Next":"T"},
                        "T":{"Type":"Task","Resource":"arn:aws:states:::test:flaky",
                        "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":60,"BackoffRate":2.0}],"End":true}}}"#,
                )
                .expect("valid");
            let start = Instant::now();
            let ex = e.start_execution(&m.arn, None, None).expect("start");
            e.clock().run_until(ex.wait()).await;
            walls.push(start.elapsed());
            assert_eq!(ex.status(), Status::Succeeded);
        }
        walls.sort();
        println!(
            "virtual time: 1 h Wait + retries at 60 s and 120 s (63 min of harness time) finish in {:.3} ms of wall time (median of 20; {:.0}x faster than real time)",
            walls[10].as_secs_f64() * 1e3,
            3_780_000.0 / (walls[10].as_secs_f64() * 1e3)
        );
    });
}
