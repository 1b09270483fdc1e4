//! Conformance: executions recorded on real AWS Step Functions, replayed on the engine.
//!
//! The cases live outside the project, in `../shared/conformance/cases` (or the directory named
//! by `SFN_HARNESS_CONFORMANCE_DIR`); their README describes the format and how to compare. This
//! test runs every case without a `needs` field, prints `N passed, M failed`, lists each failure
//! with its reason, and fails below a 98% pass rate. Where the corpus is missing it says it
//! skipped, except under `CI=true`, where a missing corpus is an error.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::account::{Account, AccountConfig};
use crate::engine::Engine;
use crate::sqs::{CreateQueue, ReceiveMessage, Sqs};
use serde_json::Value;
use sfn_harness::time::Clock;

const REQUIRED_PASS_RATE: f64 = 0.98;

fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("SFN_HARNESS_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/cases"),
    };
    dir.is_dir().then_some(dir)
}

/// Words that stand for per-run values in the recordings.
const WILDCARD_WORDS: [&str; 4] = [
    "snf_role_arn",
    "generated-uuid",
    "RandomNumberGenerated",
    "timestamp",
];

/// Whole values the recordings' transformers wrote over per-run data: LocalStack writes `date`
/// over HTTP `Date` headers (in the SQS callback cases' `SdkHttpMetadata`).
const WILDCARD_VALUES: [&str; 1] = ["date"];

enum Piece {
    Lit(String),
    Any,
}

/// Splits an expected string into literal pieces and wildcards (`<...>` tokens, which may nest,
/// and the placeholder words).
fn pattern(expected: &str) -> Vec<Piece> {
    let chars: Vec<char> = expected.chars().collect();
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '<' {
            let mut depth = 0;
            let mut j = i;
            let mut end = None;
            while j < chars.len() {
                match chars[j] {
                    '<' => depth += 1,
                    '>' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            if let Some(end) = end {
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Any);
                i = end + 1;
                continue;
            }
        }
        if let Some(w) = WILDCARD_WORDS
            .iter()
            .find(|w| chars[i..].iter().collect::<String>().starts_with(**w))
        {
            if !lit.is_empty() {
                pieces.push(Piece::Lit(std::mem::take(&mut lit)));
            }
            pieces.push(Piece::Any);
            i += w.chars().count();
            continue;
        }
        lit.push(chars[i]);
        i += 1;
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    pieces
}

fn glob_match(pieces: &[Piece], s: &str) -> bool {
    match pieces.split_first() {
        None => s.is_empty(),
        Some((Piece::Lit(l), rest)) => s
            .strip_prefix(l.as_str())
            .is_some_and(|r| glob_match(rest, r)),
        Some((Piece::Any, rest)) => (0..=s.len())
            .filter(|&k| s.is_char_boundary(k))
            .any(|k| glob_match(rest, &s[k..])),
    }
}

fn string_matches(expected: &str, actual: &str) -> bool {
    expected == actual || glob_match(&pattern(expected), actual)
}

/// JSON text fields are compared parsed.
fn parsed(v: &Value) -> Value {
    match v {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| v.clone()),
        other => other.clone(),
    }
}

fn compare(path: &str, expected: &Value, actual: &Value) -> Result<(), String> {
    match (expected, actual) {
        (Value::String(e), _)
            if WILDCARD_VALUES.contains(&e.as_str()) && path.ends_with(".Date") =>
        {
            Ok(())
        }
        (Value::String(e), Value::String(a)) => {
            if string_matches(e, a) {
                Ok(())
            } else {
                Err(format!("{path}: expected {e:?}, got {a:?}"))
            }
        }
        (Value::String(e), _) if pattern(e).iter().all(|p| matches!(p, Piece::Any)) => Ok(()),
        (Value::Number(e), Value::Number(a)) => {
            if e.as_f64() == a.as_f64() {
                Ok(())
            } else {
                Err(format!("{path}: expected {e}, got {a}"))
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{path}: expected {} elements, got {}: {}",
                    e.len(),
                    a.len(),
                    actual
                ));
            }
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                compare(&format!("{path}[{i}]"), x, y)?;
            }
            Ok(())
        }
        (Value::Object(e), Value::Object(a)) => {
            for k in e.keys().chain(a.keys()) {
                match (e.get(k), a.get(k)) {
                    (Some(x), Some(y)) => {
                        let (x, y) = if matches!(k.as_str(), "input" | "output" | "parameters") {
                            (parsed(x), parsed(y))
                        } else {
                            (x.clone(), y.clone())
                        };
                        compare(&format!("{path}.{k}"), &x, &y)?
                    }
                    (Some(x), None) => return Err(format!("{path}.{k}: expected {x}, missing")),
                    (None, Some(y)) => return Err(format!("{path}.{k}: unexpected {y}")),
                    (None, None) => {}
                }
            }
            Ok(())
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: expected {expected}, got {actual}")),
    }
}

fn case_input(v: &Value) -> String {
    match v {
        // Non-object inputs are recorded as JSON text.
        Value::String(s) if serde_json::from_str::<Value>(s).is_ok() => s.clone(),
        other => other.to_string(),
    }
}

/// Plays a `sqs-callback` case's worker (see the corpus README) against the in-process SQS: a
/// worker loop as a user writes it, long-polling the queue.
async fn play_worker(engine: Engine, sqs: Arc<Sqs>, queue_url: String, worker: Value) {
    let received = loop {
        let got = sqs
            .receive_message(ReceiveMessage {
                queue_url: queue_url.clone(),
                wait_time_seconds: Some(20),
                ..ReceiveMessage::default()
            })
            .await
            .expect("receive from the case's queue");
        if let Some(m) = got.into_iter().next() {
            break m;
        }
    };
    let body: Value = serde_json::from_str(&received.body).expect("the message body is JSON");
    let token = body["TaskToken"]
        .as_str()
        .expect("the body carries TaskToken")
        .to_string();
    let output = |w: &Value| {
        let from = w["output_from"].as_str().unwrap_or("Message");
        body[from].to_string()
    };
    match worker["on_message"].as_str() {
        Some("success") => engine
            .send_task_success(&token, &output(&worker))
            .expect("success accepted"),
        Some("failure") => engine
            .send_task_failure(&token, worker["error"].as_str(), worker["cause"].as_str())
            .expect("failure accepted"),
        Some("heartbeat_then_success") => {
            let secs = worker["wait_seconds"].as_u64().unwrap_or(0);
            engine.clock().sleep(Duration::from_secs(secs)).await;
            engine
                .send_task_heartbeat(&token)
                .expect("heartbeat accepted");
            engine
                .send_task_success(&token, &output(&worker))
                .expect("success accepted");
        }
        _ => return, // "none": never answer
    }
    sqs.delete_message(&queue_url, &received.receipt_handle)
        .expect("delete accepted");
}

async fn run_case(case: &Value) -> Result<(), String> {
    let clock = Clock::virtual_at(1_700_000_000_000);
    // The account the recordings were made in.
    let account = Account::with_role(
        AccountConfig {
            clock: clock.clone(),
            seed: Some(1),
            account_id: "111111111111".into(),
            ..AccountConfig::default()
        },
        "arn:aws:iam::111111111111:role/conformance".into(),
    );
    let engine = account.engine().clone();
    let sqs = account.sqs().clone();
    let mut input_text = case_input(&case["input"]);
    if case["needs"] == serde_json::json!(["sqs-callback"]) {
        let url = sqs
            .create_queue(CreateQueue {
                queue_name: "conformance-queue".into(),
                ..CreateQueue::default()
            })
            .map_err(|e| e.message())?;
        input_text = input_text.replace("<sqs_queue_url>", &url);
        clock.spawn(play_worker(
            engine.clone(),
            sqs.clone(),
            url,
            case["worker"].clone(),
        ));
    }
    let definition = serde_json::to_string(&case["definition"]).map_err(|e| e.to_string())?;
    let machine = engine
        .create_state_machine("ConformanceMachine", &definition)
        .map_err(|e| format!("definition rejected: {e}"))?;
    let exec = engine
        .start_execution(&machine.arn, None, Some(&input_text))
        .map_err(|e| format!("start failed: {e}"))?;
    tokio::time::timeout(
        Duration::from_secs(10),
        engine.clock().run_until(exec.wait()),
    )
    .await
    .map_err(|_| "execution did not finish within 10 s of wall time".to_string())?;

    let expected = &case["expected"];
    let status = exec.status().to_string();
    if expected["status"] != status {
        return Err(format!(
            "status: expected {}, got {status} (error {:?}, cause {:?})",
            expected["status"],
            exec.error(),
            exec.cause()
        ));
    }
    if status == "SUCCEEDED" {
        if let Some(out) = expected.get("output") {
            compare(
                "output",
                &parsed(out),
                &exec.output().unwrap_or(Value::Null),
            )?;
        }
    } else {
        for (key, actual) in [("error", exec.error()), ("cause", exec.cause())] {
            let e = expected.get(key).unwrap_or(&Value::Null);
            let a = actual.map(Value::String).unwrap_or(Value::Null);
            if e.is_null() && a.is_null() {
                continue;
            }
            compare(key, &parsed(e), &parsed(&a))?;
        }
    }
    if let Some(events) = expected.get("events").and_then(Value::as_array) {
        let actual: Vec<Value> = exec
            .history()
            .iter()
            .map(|e| {
                let mut v = e.to_aws_json();
                if let Some(o) = v.as_object_mut() {
                    o.remove("timestamp");
                }
                v
            })
            .collect();
        if events.len() != actual.len() {
            let types: Vec<String> = actual
                .iter()
                .map(|e| {
                    format!(
                        "{}/{} {}",
                        e["id"],
                        e["previousEventId"],
                        e["type"].as_str().unwrap_or("")
                    )
                })
                .collect();
            return Err(format!(
                "expected {} events, got {}: {}",
                events.len(),
                actual.len(),
                types.join(", ")
            ));
        }
        for (i, (e, a)) in events.iter().zip(&actual).enumerate() {
            compare(&format!("events[{i}]"), e, a)?;
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_recorded_executions() {
    let Some(dir) = corpus_dir() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the conformance corpus (../shared/conformance/cases or $SFN_HARNESS_CONFORMANCE_DIR) is missing under CI"
        );
        eprintln!("conformance: skipped, no corpus found (set SFN_HARNESS_CONFORMANCE_DIR)");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the corpus directory is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let (mut passed, mut failed, mut skipped) = (0usize, Vec::new(), 0usize);
    for f in &files {
        let text = std::fs::read_to_string(f).expect("case file is readable");
        let case: Value = serde_json::from_str(&text).expect("case file is JSON");
        // Beyond JSONPath ASL, the engine plays the SQS callback cases (with their worker) and
        // the JSONata ones; distributed Map is not implemented yet.
        let playable = |n: &Value| matches!(n.as_str(), Some("sqs-callback" | "jsonata"));
        if case
            .get("needs")
            .and_then(Value::as_array)
            .is_some_and(|n| !n.iter().all(playable))
        {
            skipped += 1;
            continue;
        }
        let name = case["name"].as_str().unwrap_or("?").to_string();
        match run_case(&case).await {
            Ok(()) => passed += 1,
            Err(reason) => failed.push((name, reason)),
        }
    }
    for (name, reason) in &failed {
        println!("FAILED {name}: {reason}");
    }
    let total = passed + failed.len();
    println!(
        "conformance: {passed} passed, {} failed, {skipped} skipped",
        failed.len()
    );
    let rate = passed as f64 / total.max(1) as f64;
    println!("conformance pass rate: {:.1}%", rate * 100.0);
    assert!(total > 0, "no conformance case ran");
    assert!(
        rate >= REQUIRED_PASS_RATE,
        "conformance pass rate {:.1}% is below {:.0}%",
        rate * 100.0,
        REQUIRED_PASS_RATE * 100.0
    );
}

#[test]
fn placeholder_matching() {
    assert!(string_matches(
        "arn:<partition>:states:<region>:111:x",
        "arn:aws:states:us-east-1:111:x"
    ));
    assert!(string_matches("<<task_token>:1>", "AQabc"));
    assert!(string_matches("snf_role_arn", "arn:aws:iam::1:role/x"));
    assert!(!string_matches("abc<x>def", "abcXYZdeg"));
    assert!(string_matches(
        "fst=<ExecArnPart_0idx> and",
        "fst=9f3e-1 and"
    ));
}
