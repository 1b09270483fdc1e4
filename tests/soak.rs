//! Soak: 1,000 callback executions under a seeded mix of throttles, duplicate deliveries and
//! worker crashes, answered by workers written as a careful user writes them. Every execution
//! must end as its input says, no message may be left in a queue, no token open, and the same
//! seed must give the same histories.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::config::retry::RetryConfig;
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{json, Value};
use sfn_harness::prelude::*;

mod support;

use support::{persist, sqs_callback_machine, Decision, Delivery, Handled, RealWorker};

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

/// The worker's decision: crash (see [`crashes`]), reject what the input says to reject, ship
/// the rest.
fn decide(m: &Delivery) -> Decision {
    let input = &m.body["input"];
    let id = input["id"].as_u64().expect("an id");
    if crashes(id, m.receive_count) {
        Decision::Crash
    } else if input["reject"] == json!(true) {
        Decision::Fail("Rejected".into(), format!("order {id} was rejected"))
    } else {
        Decision::Succeed(json!({ "id": id, "shipped": true }))
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
    // The harness's clients with the SDK's standard retries, backing off from 10 ms instead of
    // 1 s: throttles are a tenth of all calls here, and the back-off sleeps are wall time (the
    // SDK's own sleep), which would be most of this test's run time.
    let backoff = || RetryConfig::standard().with_initial_backoff(Duration::from_millis(10));
    let sqs = h.sqs_client().await;
    let sqs =
        aws_sdk_sqs::Client::from_conf(sqs.config().to_builder().retry_config(backoff()).build());
    let sfn = h.sfn_client().await;
    let sfn =
        aws_sdk_sfn::Client::from_conf(sfn.config().to_builder().retry_config(backoff()).build());
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
            sqs_callback_machine(
                "Ship",
                &queue,
                json!({ "TaskToken.$": "$$.Task.Token", "input.$": "$" }),
                3600,
            ),
        )
        .await
        .expect("machine");

    let stop = Arc::new(AtomicBool::new(false));
    // Each worker long-polls, decides, answers (treating "already answered" as done: a duplicate
    // delivery or a retried answer) and deletes, retrying throttles past the SDK's retries.
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let worker = RealWorker::new(sqs.clone(), sfn.clone(), &queue)
                .batch(10)
                .wait_seconds(20)
                .with_receive_count()
                .persist_through_throttles()
                .refusals_allowed(&["TaskTimedOut", "TaskDoesNotExist"]);
            let stop = stop.clone();
            tokio::spawn(async move { worker.run_until(stop, decide).await })
        })
        .collect();
    let start_throttles = AtomicU64::new(0);

    // The code under test starts the executions through the SDK, retrying throttles.
    let mut arns = Vec::with_capacity(EXECUTIONS);
    for id in 0..EXECUTIONS as u64 {
        let input = json!({ "id": id, "reject": id % 10 == 3 }).to_string();
        let started = persist(&start_throttles, || {
            sfn.start_execution()
                .state_machine_arn(machine.arn())
                .name(format!("order-{id:04}"))
                .input(&input)
                .send()
        })
        .await
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
    let joined = tokio::time::timeout(
        Duration::from_secs(30),
        h.clock().run_until(futures_util::future::join_all(workers)),
    )
    .await
    .expect("the workers stop within 30 s once told to");
    let mut tally = Handled::default();
    for t in joined {
        tally.add(t.expect("a worker panicked"));
    }
    tally.throttled += start_throttles.into_inner();

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
    let crashed = tally.crashed;
    let already_answered = tally.refused.len() as u64;
    println!(
        "soak(seed {seed}): {EXECUTIONS} executions; {} answers, {} refused as already answered, {crashed} crashes, {} throttles past the SDK's retries; faults injected: {} throttles, {} duplicated messages",
        tally.answered(),
        already_answered,
        tally.throttled,
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
    assert!(already_answered >= report.count("delivered 2 times") as u64);
    assert_eq!(tally.answered() as u64, EXECUTIONS as u64);
    histories
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
