//! Seeded runs repeat byte for byte.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_runs_give_byte_identical_snapshots() {
    /// One seeded run of an order (Wait, retries, a Map of callbacks) and of an approval sent
    /// through SQS (message ids, MD5s, request ids). Returns the normalized history as insta
    /// snapshots it and the raw history as `GetExecutionHistory` returns it.
    async fn run(seed: u64) -> (String, String) {
        let h = Harness::builder().seed(seed).start().await;
        let order = h.create_state_machine("order", ORDER).await.unwrap();
        let approval = h.create_state_machine("approval", APPROVAL).await.unwrap();
        let queue = h.create_queue("approvals").await.unwrap();
        h.on_task("Charge")
            .respond_with(Reply::fail("PaymentBusy", "busy"))
            .then(Reply::respond(json!({ "ok": true })))
            .mount()
            .await;
        h.on_task("ShipItem")
            .respond_with(Reply::respond(json!({ "ok": true })).after(Duration::from_secs(5)))
            .mount()
            .await;
        h.on_task("RequestApproval")
            .respond_with(
                Reply::respond(json!({ "approved": true })).after(Duration::from_secs(90)),
            )
            .mount()
            .await;
        let mut normalized = Vec::new();
        let mut raw = Vec::new();
        for (machine, input) in [
            (&order, json!({ "orderId": "o", "items": [1, 2, 3, 4] })),
            (
                &approval,
                json!({ "queueUrl": queue, "request": { "expense": 1 } }),
            ),
        ] {
            let done = machine.start(input).await.unwrap().finish().await.unwrap();
            assert_eq!(done.status(), Status::Succeeded, "{}", done.timeline());
            normalized.push(serde_json::to_string_pretty(done.history()).unwrap());
            let events: Vec<_> = done.aws_history().iter().map(|e| e.to_aws_json()).collect();
            raw.push(serde_json::to_string(&events).unwrap());
        }
        // The one thing a seed cannot fix: the port the OS gave the endpoint (queue URLs).
        let raw = raw
            .join("\n")
            .replace(h.endpoint_url(), "http://<endpoint>");
        (normalized.join("\n"), raw)
    }

    let (normalized, raw) = run(99).await;
    let (normalized_again, raw_again) = run(99).await;
    assert_eq!(normalized, normalized_again);
    assert_eq!(
        raw, raw_again,
        "the raw history repeats too: ARNs, tokens, message ids, request ids, timestamps"
    );
    // Not equal by accident: the raw history carries the run's tokens and ids, which another
    // seed changes, while the normalized history does not depend on them.
    assert!(
        raw.contains("AQsfnh"),
        "the raw history carries task tokens"
    );
    let (normalized_other, raw_other) = run(100).await;
    assert_ne!(raw, raw_other);
    assert_eq!(normalized, normalized_other);
}

/// Executions started through the endpoint run on the endpoint's own thread, beside the test's
/// runtime where the scripted workers answer: a seeded run repeats byte for byte there too.
/// Four executions of the order machine are started at once through the SDK, so their steps
/// interleave across the threads differently from run to run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_runs_started_through_the_endpoint_repeat_byte_for_byte() {
    async fn run(seed: u64) -> String {
        let h = Harness::builder().seed(seed).start().await;
        let order = h.create_state_machine("order", ORDER).await.unwrap();
        h.on_task("Charge")
            .respond_with(Reply::fail("PaymentBusy", "busy"))
            .then(Reply::respond(json!({ "ok": true })))
            .mount()
            .await;
        h.on_task("ShipItem")
            .respond_with(Reply::respond(json!({ "ok": true })).after(Duration::from_secs(5)))
            .mount()
            .await;
        let sfn = h.sfn_client().await;
        let mut started = Vec::new();
        for i in 0..4 {
            let input = json!({ "orderId": format!("o{i}"), "items": [1, 2, 3] });
            let out = sfn
                .start_execution()
                .state_machine_arn(order.arn())
                .name(format!("run-{i}"))
                .input(input.to_string())
                .send()
                .await
                .expect("StartExecution through the endpoint");
            started.push(out.execution_arn().to_string());
        }
        let mut raw = Vec::new();
        for arn in &started {
            let done = h.execution(arn).unwrap().finish().await.unwrap();
            assert_eq!(done.status(), Status::Succeeded, "{}", done.timeline());
            let events: Vec<_> = done.aws_history().iter().map(|e| e.to_aws_json()).collect();
            raw.push(serde_json::to_string(&events).unwrap());
        }
        raw.join("\n")
            .replace(h.endpoint_url(), "http://<endpoint>")
    }

    let first = run(7).await;
    for _ in 0..3 {
        assert_eq!(
            first,
            run(7).await,
            "a seeded run through the endpoint repeated differently"
        );
    }
    assert!(
        first.contains("AQsfnh"),
        "the raw history carries task tokens"
    );
}
