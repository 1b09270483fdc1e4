//! Soak: 1,000 callback executions under a seeded mix of throttles, duplicate deliveries and
//! worker crashes, answered by workers written as a careful user writes them. Every execution
//! must end as its input says, no message may be left in a queue, no token open, and the same
//! seed must give the same histories.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sfn::error::ProvideErrorMetadata as _;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use serde_json::{json, Value};
use sfn_harness::prelude::*;

const EXECUTIONS: usize = 1_000;
const WORKERS: usize = 8;

/// The faults of the run: throttles on every call the workers and the starter make, and
/// duplicate deliveries.
fn plan(seed: u64) -> FaultPlan {
    FaultPlan::new()
        .seed(seed)
        .with(Fault::throttle("StartExecution").probability(0.1))
        .with(Fault::throttle("SendTaskSuccess").probability(0.2))
        .with(Fault::throttle("SendTaskFailure").probability(0.2))
        .with(Fault::throttle("ReceiveMessage").probability(0.1))
        .with(Fault::throttle("DeleteMessage").probability(0.1))
        .with(
            Fault::duplicate_delivery()
                .on_queue("jobs")
                .probability(0.1),
        )
}

/// Whether the worker "crashes" on this delivery: it took the message and dies before answering
/// or deleting it (about one in twenty executions, on their first delivery only).
fn crashes(id: u64, receive_count: u32) -> bool {
    receive_count == 1 && id.wrapping_mul(0x9e37_79b9_7f4a_7c15) % 20 == 7
}

#[derive(Default)]
struct Tally {
    answered: AtomicU64,
    already_answered: AtomicU64,
    crashed: AtomicU64,
    throttled_after_sdk_retries: AtomicU64,
}

/// Retries `call` while it is throttled past the SDK's own retries, with a short back-off: what
/// a careful worker does.
macro_rules! persist {
    ($tally:expr, $call:expr) => {{
        let mut attempt = 0u32;
        loop {
            match $call.await {
                Err(e) if is_throttle(e.code()) && attempt < 20 => {
                    $tally
                        .throttled_after_sdk_retries
                        .fetch_add(1, Ordering::Relaxed);
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt))).await;
                }
                other => break other,
            }
        }
    }};
}

fn is_throttle(code: Option<&str>) -> bool {
    matches!(code, Some("ThrottlingException" | "RequestThrottled"))
}

/// One worker loop: long-poll, decide, answer (treating "already answered" as done: a duplicate
/// delivery or a retried answer), delete. Runs until `stop`.
async fn worker(
    sqs: aws_sdk_sqs::Client,
    sfn: aws_sdk_sfn::Client,
    queue: String,
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
) {
    while !stop.load(Ordering::SeqCst) {
        let got = persist!(
            tally,
            sqs.receive_message()
                .queue_url(&queue)
                .max_number_of_messages(10)
                .wait_time_seconds(20)
                .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
                .send()
        );
        let Ok(got) = got else { continue };
        for m in got.messages() {
            let body: Value = serde_json::from_str(m.body().unwrap_or("{}")).expect("JSON body");
            let token = body["TaskToken"].as_str().expect("a token");
            let id = body["input"]["id"].as_u64().expect("an id");
            let receives: u32 = m
                .attributes()
                .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            if crashes(id, receives) {
                tally.crashed.fetch_add(1, Ordering::Relaxed);
                continue; // no answer, no delete: SQS brings it back after the visibility timeout
            }
            let answer = if body["input"]["reject"] == json!(true) {
                persist!(
                    tally,
                    sfn.send_task_failure()
                        .task_token(token)
                        .error("Rejected")
                        .cause(format!("order {id} was rejected"))
                        .send()
                )
                .map(|_| ())
                .map_err(|e| (e.code().map(str::to_string), format!("{e:?}")))
            } else {
                persist!(
                    tally,
                    sfn.send_task_success()
                        .task_token(token)
                        .output(json!({ "id": id, "shipped": true }).to_string())
                        .send()
                )
                .map(|_| ())
                .map_err(|e| (e.code().map(str::to_string), format!("{e:?}")))
            };
            match answer {
                Ok(()) => {
                    tally.answered.fetch_add(1, Ordering::Relaxed);
                }
                Err((Some(code), _)) if code == "TaskTimedOut" || code == "TaskDoesNotExist" => {
                    tally.already_answered.fetch_add(1, Ordering::Relaxed);
                }
                Err((_, e)) => panic!("order {id}: the answer failed: {e}"),
            }
            let receipt = m.receipt_handle().expect("a receipt handle");
            persist!(
                tally,
                sqs.delete_message()
                    .queue_url(&queue)
                    .receipt_handle(receipt)
                    .send()
            )
            .unwrap_or_else(|e| panic!("order {id}: delete failed: {e:?}"));
        }
    }
}

async fn queue_depth(sqs: &aws_sdk_sqs::Client, queue: &str) -> (u64, u64) {
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(queue)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .expect("queue attributes");
    let n = |k: QueueAttributeName| {
        attrs
            .attributes()
            .and_then(|a| a.get(&k))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(u64::MAX)
    };
    (
        n(QueueAttributeName::ApproximateNumberOfMessages),
        n(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
    )
}

/// Runs the soak once; returns every execution's normalized history by name.
async fn soak(seed: u64) -> BTreeMap<String, String> {
    let h = Harness::builder()
        .seed(seed)
        .fault_plan(plan(seed))
        .start()
        .await;
    let (sqs, sfn) = (h.sqs_client().await, h.sfn_client().await);
    let queue = sqs
        .create_queue()
        .queue_name("jobs")
        .attributes(QueueAttributeName::VisibilityTimeout, "30")
        .send()
        .await
        .expect("queue")
        .queue_url()
        .expect("url")
        .to_string();
    let machine = h
        .create_state_machine(
            "orders",
            json!({
                "StartAt": "Ship",
                "States": { "Ship": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {
                        "QueueUrl": queue,
                        "MessageBody": { "TaskToken.$": "$$.Task.Token", "input.$": "$" }
                    },
                    "TimeoutSeconds": 3600,
                    "End": true
                } }
            }),
        )
        .await
        .expect("machine");

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            tokio::spawn(worker(
                sqs.clone(),
                sfn.clone(),
                queue.clone(),
                stop.clone(),
                tally.clone(),
            ))
        })
        .collect();

    // The code under test starts the executions through the SDK, retrying throttles.
    let mut arns = Vec::with_capacity(EXECUTIONS);
    for id in 0..EXECUTIONS as u64 {
        let input = json!({ "id": id, "reject": id % 10 == 3 }).to_string();
        let started = persist!(
            tally,
            sfn.start_execution()
                .state_machine_arn(machine.arn())
                .name(format!("order-{id:04}"))
                .input(&input)
                .send()
        )
        .expect("started");
        arns.push(started.execution_arn().to_string());
    }

    // Drive virtual time until every execution has ended and the queue is empty (a crashed
    // delivery comes back after 30 s; a duplicate may outlive its execution).
    let executions: Vec<_> = arns
        .iter()
        .map(|a| h.execution(a).expect("known"))
        .collect();
    let all_done = async {
        loop {
            let running = executions
                .iter()
                .filter(|e| e.status() == Status::Running)
                .count();
            if running == 0 && queue_depth(&sqs, &queue).await == (0, 0) {
                break;
            }
            h.clock().sleep(Duration::from_secs(1)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(240), h.clock().run_until(all_done))
        .await
        .unwrap_or_else(|_| {
            let running: Vec<_> = executions
                .iter()
                .filter(|e| e.status() == Status::Running)
                .map(|e| e.arn().to_string())
                .take(5)
                .collect();
            panic!(
                "the soak did not settle within 240 s of wall time; still running (first 5): {running:?}; open tokens: {}",
                h.open_tokens().len()
            )
        });
    stop.store(true, Ordering::SeqCst);
    tokio::time::timeout(
        Duration::from_secs(30),
        h.clock().run_until(futures_join(workers)),
    )
    .await
    .expect("the workers stop within 30 s once told to");

    // Every execution ended as its input says.
    let mut histories = BTreeMap::new();
    for (id, e) in executions.iter().enumerate() {
        let done = e.finish().await.expect("finished");
        if id % 10 == 3 {
            assert_eq!(done.status(), Status::Failed, "order {id}");
            assert_eq!(done.error().as_deref(), Some("Rejected"), "order {id}");
        } else {
            assert_eq!(
                done.status(),
                Status::Succeeded,
                "order {id}: {}",
                done.timeline()
            );
            assert_eq!(done.output(), Some(&json!({ "id": id, "shipped": true })));
        }
        let history = serde_json::to_string(done.history()).expect("serializable");
        histories.insert(
            e.arn().rsplit(':').next().unwrap_or_default().to_string(),
            history,
        );
    }
    // Nothing left behind.
    assert_eq!(
        queue_depth(&sqs, &queue).await,
        (0, 0),
        "messages left in the queue"
    );
    assert!(
        h.open_tokens().is_empty(),
        "open tokens: {:?}",
        h.open_tokens()
    );

    // The faults really happened, and the workers met what they should.
    let report = h.fault_report();
    let crashed = tally.crashed.load(Ordering::Relaxed);
    println!(
        "soak(seed {seed}): {EXECUTIONS} executions; {} answers, {} refused as already answered, {crashed} crashes, {} throttles past the SDK's retries; faults injected: {} throttles, {} duplicated messages",
        tally.answered.load(Ordering::Relaxed),
        tally.already_answered.load(Ordering::Relaxed),
        tally.throttled_after_sdk_retries.load(Ordering::Relaxed),
        report.count("ThrottlingException") + report.count("RequestThrottled"),
        report.count("delivered 2 times"),
    );
    assert!(crashed >= 20, "crashes: {crashed}");
    assert!(report.count("delivered 2 times") >= 50, "{}", report.len());
    assert!(
        report.count("ThrottlingException") >= 200,
        "{}",
        report.len()
    );
    assert!(report.count("RequestThrottled") >= 100, "{}", report.len());
    // Every duplicate was answered too, and refused.
    assert!(
        tally.already_answered.load(Ordering::Relaxed) >= report.count("delivered 2 times") as u64
    );
    assert_eq!(tally.answered.load(Ordering::Relaxed), EXECUTIONS as u64);
    histories
}

async fn futures_join(handles: Vec<tokio::task::JoinHandle<()>>) {
    for h in handles {
        h.await.expect("a worker panicked");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_executions_survive_throttles_duplicates_and_crashes_repeatably() {
    let first = soak(2026).await;
    let second = soak(2026).await;
    assert_eq!(first.len(), EXECUTIONS);
    let differing: Vec<&String> = first
        .iter()
        .filter(|(name, h)| second.get(*name) != Some(h))
        .map(|(name, _)| name)
        .collect();
    let first_difference = |name: &str| -> String {
        let parse = |h: Option<&String>| -> Vec<Value> {
            h.and_then(|h| serde_json::from_str(h).ok())
                .unwrap_or_default()
        };
        let (a, b) = (parse(first.get(name)), parse(second.get(name)));
        let at = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        format!(
            "{name}, event {at}:\n  first run:  {}\n  second run: {}",
            a.get(at).map_or("(none)".into(), Value::to_string),
            b.get(at).map_or("(none)".into(), Value::to_string)
        )
    };
    assert!(
        differing.is_empty(),
        "{} histories differ between two runs with the same seed:\n{}",
        differing.len(),
        differing
            .iter()
            .take(3)
            .map(|n| first_difference(n))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Crashed executions really took a visibility timeout longer.
    let slow = first
        .values()
        .filter(|h| h.contains("+00:00:30.000"))
        .count();
    assert!(slow >= 20, "executions redelivered after 30 s: {slow}");
}
