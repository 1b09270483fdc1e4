//! Engine throughput, in-process (no HTTP): `cargo bench --bench engine`.
//!
//! - state transitions per second through a machine of 20 Pass states, in JSONPath and in
//!   JSONata (each state building `{ i, prev }` from its input and assigning a variable);
//! - executions per second of a Choice + Map machine;
//! - wall time of a one-hour Wait followed by a Task that fails twice and then succeeds
//!   (retries 60 s and 120 s apart), under virtual time.
//!
//! When `node` and the peer package are present (`npm ci --prefix benches/peer`), the pass20
//! figure is followed by the same machine, input and batching run by `aws-local-stepfunctions`
//! 3.0.0 (`benches/peer/aws-local-stepfunctions.mjs`) and the ratio of the two.
//!
//! `cargo bench --bench engine -- memory [N]` measures memory instead: N (default 100,000)
//! executions parked on an SQS `.waitForTaskToken` task in a harness, then answered (the
//! message deleted, `SendTaskSuccess`) and finished with their 8-event history. It prints the
//! live heap (counted by this binary's allocator) and the process RSS per parked and per
//! finished execution, and the heap's peak while they parked.
//!
//! The executions arrive as they do through the API, where each `StartExecution` awaits its
//! reply: the loop that starts them lets at most 64 be started and not yet parked (as 64
//! clients awaiting their replies would), so the executions run up to their wait as they come. `memory N --burst` starts all N without yielding, so most
//! are queued before any runs: their transient state then peaks together, and the allocator
//! keeps the pages it grew for (RSS well above the live heap).
//!
//! Figures are printed, never asserted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sfn_harness::asl::StatesError;
use sfn_harness::internals::{handler, Account, AccountConfig, Engine, TaskRequest};
use sfn_harness::time::Clock;
use sfn_harness::Status;

/// The system allocator, counting the bytes live (for the memory mode).
struct Counting;

static LIVE: AtomicI64 = AtomicI64::new(0);
/// The most `LIVE` has been.
static PEAK: AtomicI64 = AtomicI64::new(0);
/// Counting is on in the memory mode only (a shared counter would slow the throughput figures).
static COUNT: AtomicBool = AtomicBool::new(false);

// SAFETY: every call is forwarded to `System` with the same arguments; the counter is a
// side effect only.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if COUNT.load(Ordering::Relaxed) {
            let now = LIVE.fetch_add(l.size() as i64, Ordering::Relaxed) + l.size() as i64;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract for `alloc`, passed on unchanged.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if COUNT.load(Ordering::Relaxed) {
            LIVE.fetch_sub(l.size() as i64, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract for `dealloc`, passed on unchanged.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if COUNT.load(Ordering::Relaxed) {
            LIVE.fetch_add(new as i64 - l.size() as i64, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract for `realloc`, passed on unchanged.
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The process's resident set, in bytes (Linux; 0 elsewhere).
fn rss() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<i64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// The memory mode: `n` SQS callback executions parked, then finished; `burst` starts them
/// without yielding.
async fn memory(n: usize, burst: bool) {
    use sfn_harness::prelude::*;
    let h = Harness::builder().seed(1).start().await;
    let queue = h.create_queue("work").await.expect("a queue");
    let e = h.account().engine();
    let m = e
        .create_state_machine(
            "callback",
            &json!({
                "StartAt": "Ask",
                "States": { "Ask": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": { "QueueUrl": queue,
                        "MessageBody": { "token.$": "$$.Task.Token", "order.$": "$.order" } },
                    "End": true } }
            })
            .to_string(),
        )
        .expect("valid");
    let (heap0, rss0) = (LIVE.load(Ordering::Relaxed), rss());
    let started = Instant::now();
    let mut execs = Vec::with_capacity(n);
    for i in 0..n {
        let input = format!(r#"{{"order":{{"id":{i},"items":["a","b","c"]}}}}"#);
        execs.push(
            e.start_execution(&m.arn, Some(&format!("x{i}")), Some(&input))
                .expect("start"),
        );
        // At most 64 started and not yet parked, as 64 clients awaiting their replies would.
        while !burst && i + 1 > e.open_token_count() + 64 {
            tokio::time::sleep(Duration::from_micros(100)).await;
        }
    }
    // Every execution parked: its token open.
    let deadline = Instant::now() + Duration::from_secs(600);
    while e.open_token_count() < n {
        assert!(
            Instant::now() < deadline,
            "{n} executions did not park within 600 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let parked = started.elapsed();
    let (heap1, rss1) = (LIVE.load(Ordering::Relaxed), rss());
    println!(
        "memory: {n} executions parked on sqs:sendMessage.waitForTaskToken in {:.2} s: heap {:.0} B and RSS {:.0} B per execution (RSS {} MB in all)",
        parked.as_secs_f64(),
        (heap1 - heap0) as f64 / n as f64,
        (rss1 - rss0) as f64 / n as f64,
        rss1 / (1 << 20)
    );
    println!(
        "memory: {} while parking: heap peak {} MB, live now {} MB",
        if burst {
            "started in a burst"
        } else {
            "at most 64 starting at a time"
        },
        (PEAK.load(Ordering::Relaxed) - heap0) >> 20,
        (heap1 - heap0) >> 20
    );
    // A worker's part, through the SDK as a user's worker does: receive and delete each
    // message, answer its token.
    let (sqs, sfn) = (h.sqs_client().await, h.sfn_client().await);
    let mut answered = 0;
    while answered < n {
        let batch = sqs
            .receive_message()
            .queue_url(&queue)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .send()
            .await
            .expect("receive");
        assert!(
            !batch.messages().is_empty(),
            "the queue ran dry after {answered} answers"
        );
        for msg in batch.messages() {
            let body: serde_json::Value =
                serde_json::from_str(msg.body().expect("a body")).expect("json");
            let token = body["token"].as_str().expect("a token");
            sfn.send_task_success()
                .task_token(token)
                .output(r#"{"ok":true}"#)
                .send()
                .await
                .expect("answered");
            sqs.delete_message()
                .queue_url(&queue)
                .receipt_handle(msg.receipt_handle().expect("a receipt handle"))
                .send()
                .await
                .expect("deleted");
            answered += 1;
        }
    }
    for x in &execs {
        assert_eq!(x.wait().await, Status::Succeeded);
    }
    let first = sfn
        .get_execution_history()
        .execution_arn(format!(
            "{}:x0",
            m.arn.replace(":stateMachine:", ":execution:")
        ))
        .send()
        .await
        .expect("a history");
    assert_eq!(first.events().len(), 8);
    // Give the finished tasks a moment to be dropped by the runtime.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (heap2, rss2) = (LIVE.load(Ordering::Relaxed), rss());
    println!(
        "memory: {n} executions finished (8-event history each): heap {:.0} B and RSS {:.0} B per execution (RSS {} MB in all)",
        (heap2 - heap0) as f64 / n as f64,
        (rss2 - rss0) as f64 / n as f64,
        rss2 / (1 << 20)
    );
    drop(execs);
}

/// A fresh account on a virtual clock; the benchmarks drive its engine.
fn fresh_account() -> Account {
    Account::new(AccountConfig {
        clock: Clock::virtual_at(1_700_000_000_000),
        seed: Some(1),
        ..AccountConfig::default()
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

/// The peer's pass20 rate (transitions/s), when `node` and the package are installed.
fn peer(n: usize) -> Option<f64> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer");
    if !dir.join("node_modules/aws-local-stepfunctions").is_dir() {
        return None;
    }
    let out = std::process::Command::new("node")
        .arg(dir.join("aws-local-stepfunctions.mjs"))
        .arg(n.to_string())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // `peer pass20: <n> executions, <rate> state transitions/s`
    text.split(", ")
        .nth(1)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "memory") {
        let n = args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(100_000);
        // Counted from before the harness starts: every byte of it is live heap.
        COUNT.store(true, Ordering::Relaxed);
        rt.block_on(memory(n, args.iter().any(|a| a == "--burst")));
        return;
    }
    // `-- pass20`: that figure alone, 10 times longer (for a profiler).
    let only_pass20 = args.iter().any(|a| a == "pass20");
    rt.block_on(async {
        // 1. Transitions per second.
        let account = fresh_account();
        let e = account.engine();
        let m = e.create_state_machine("pass20", &pass_chain(20)).expect("valid");
        run_many(e, &m.arn, "{}", 200).await; // warm-up
        let n = if only_pass20 { 20_000 } else { 2_000 };
        let took = run_many(e, &m.arn, r#"{"k":1}"#, n).await;
        let transitions = (n * 20) as f64;
        let rate = transitions / took.as_secs_f64();
        println!(
            "pass20: {n} executions, {rate:.0} state transitions/s ({:.1} µs per execution)",
            took.as_secs_f64() * 1e6 / n as f64
        );
        if only_pass20 {
            return;
        }
        match peer(n) {
            Some(peer_rate) => println!(
                "peer pass20 (aws-local-stepfunctions 3.0.0, node): {peer_rate:.0} state transitions/s; sfn-harness is {:.1}x the peer",
                rate / peer_rate
            ),
            None => println!(
                "peer pass20: skipped (needs `node` and `npm ci --prefix benches/peer`)"
            ),
        }

        // 1b. The same through 20 JSONata Pass states.
        let account = fresh_account();
        let e = account.engine();
        let m = e
            .create_state_machine("jsonata20", &jsonata_pass_chain(20))
            .expect("valid");
        run_many(e, &m.arn, "{}", 100).await; // warm-up
        let n = 1_000;
        let took = run_many(e, &m.arn, r#"{"k":1}"#, n).await;
        println!(
            "jsonata pass20: {n} executions, {:.0} state transitions/s ({:.1} µs per execution)",
            (n * 20) as f64 / took.as_secs_f64(),
            took.as_secs_f64() * 1e6 / n as f64
        );

        // 2. Executions per second of a Choice + Map machine.
        let account = fresh_account();
        let e = account.engine();
        let m = e.create_state_machine("choicemap", CHOICE_MAP).expect("valid");
        let input = r#"{"kind":"batch","items":[1,2,3,4,5,6,7,8,9,10]}"#;
        run_many(e, &m.arn, input, 200).await;
        let n = 2_000;
        let took = run_many(e, &m.arn, input, n).await;
        println!(
            "choice+map (10 items): {:.0} executions/s",
            n as f64 / took.as_secs_f64()
        );

        // 3. Virtual time: one hour of Wait plus two retries, in wall time.
        let mut walls = Vec::new();
        for _ in 0..20 {
            // A clone of a virtual clock is the same clock: the account's.
            let clock = Clock::virtual_at(1_700_000_000_000);
            let account = Account::new(AccountConfig {
                clock: clock.clone(),
                seed: Some(1),
                ..AccountConfig::default()
            });
            let e = account.engine();
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
            let status = clock.run_until(ex.wait()).await;
            walls.push(start.elapsed());
            assert_eq!(status, Status::Succeeded);
        }
        walls.sort();
        println!(
            "virtual time: 1 h Wait + retries at 60 s and 120 s (63 min of harness time) finish in {:.3} ms of wall time (median of 20; {:.0}x faster than real time)",
            walls[10].as_secs_f64() * 1e3,
            3_780_000.0 / (walls[10].as_secs_f64() * 1e3)
        );
    });
}
