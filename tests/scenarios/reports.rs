//! What a failing test says: unanswered tokens, unmet expectations, panicking workers, invalid definitions.

use super::*;

#[sfn_harness::test(seed = 11, timeout = 2)]
async fn an_unanswered_token_fails_finish_with_a_report(h: Harness) {
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
    let exec = machine.start(json!({})).await?;
    let err = exec.finish().await.unwrap_err();
    let report = err.to_string();
    // Nothing can ever answer the token (no worker, no timer, no real client): `finish()` says
    // so at once rather than after its 2 s bound (issue 12).
    assert!(matches!(err, HarnessError::Stuck { .. }), "{report}");
    assert!(report.contains("can never finish"), "{report}");
    assert!(report.contains("state machine: forever"), "{report}");
    assert!(
        report.contains("task token for state 'Ask' is waiting"),
        "{report}"
    );
    exec.stop(None, None).await?;
}

#[test]
fn unmet_expectation_fails_the_test_with_a_report() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = rt.block_on(async {
        let h = Harness::start().await;
        h.on_task("Never")
            .named("the bureau")
            .respond(json!({}))
            .expect(1)
            .mount()
            .await;
        let report = h.verify().unwrap_err();
        // Dropping it would panic with the same report: catch that too.
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(h)));
        assert!(
            dropped.is_err(),
            "dropping a harness with unmet expectations panics"
        );
        report
    });
    assert!(
        report.contains("worker 'the bureau' (state 'Never')"),
        "{report}"
    );
    assert!(
        report.contains("Expected deliveries: exactly 1"),
        "{report}"
    );
    assert!(report.contains("Received: 0"), "{report}");
}

#[sfn_harness::test]
#[should_panic(expected = "bureau client exploded")]
async fn a_panicking_closure_fails_the_test_with_its_message(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .respond_with(Reply::with(|_| panic!("bureau client exploded")))
        .mount()
        .await;

    // `finish()` returns the panic as an error; `?` fails the test with it.
    machine
        .start(json!({ "customer": "c" }))
        .await?
        .finish()
        .await?;
}

#[sfn_harness::test]
async fn a_panicking_closure_is_reported_by_finish_and_verify(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .respond_with(Reply::with(|_| panic!("bureau client exploded")))
        .mount()
        .await;
    let exec = machine.start(json!({ "customer": "c" })).await?;

    let err = exec.finish().await.unwrap_err();
    assert!(matches!(err, HarnessError::WorkerPanicked(_)), "{err}");
    assert!(err.to_string().contains("bureau client exploded"), "{err}");
    let report = h.verify().unwrap_err();
    assert!(
        report.contains("worker for state 'CheckCredit' panicked: bureau client exploded"),
        "{report}"
    );
    exec.stop(None, None).await?;
    // The harness would fail this test on drop with the same report; this test expects it.
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(h)));
    assert!(dropped.is_err(), "dropping the harness reports the panic");
}

#[sfn_harness::test]
async fn invalid_definitions_list_every_problem(h: Harness) {
    let err = h
        .create_state_machine(
            "broken",
            json!({
                "StartAt": "Nowhere",
                "States": { "A": { "Type": "Pass", "Next": "Missing" } }
            }),
        )
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("MISSING_TRANSITION_TARGET at /StartAt"),
        "{msg}"
    );
    assert!(
        msg.contains("MISSING_TRANSITION_TARGET at /States/A/Next"),
        "{msg}"
    );
}

#[sfn_harness::test(seed = 30)]
#[should_panic(expected = "Expected deliveries: exactly 3\n\tReceived: 1")]
async fn an_unmet_expectation_fails_the_test(h: Harness) {
    // The test expects the bureau to be retried, but the definition has no Retry.
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .named("the bureau")
        .respond_with(Reply::fail("BureauDown", "unreachable"))
        .expect(3)
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": "c-30" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.error().as_deref(), Some("BureauDown"));
    insta::assert_json_snapshot!(done.history());
    // The harness is dropped here and panics with its verification report.
}
