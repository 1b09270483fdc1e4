//! TimeoutSeconds and execution timeouts.

use super::*;

#[sfn_harness::test(seed = 4)]
async fn silent_worker_times_out_after_an_hour(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .respond_with(Reply::silent())
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": "c-4" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("States.Timeout"));
    assert_eq!(done.duration(), Duration::from_secs(3600));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 18)]
async fn execution_timeout_ends_a_callback_and_the_late_answer_is_refused(h: Harness) {
    let machine = h
        .create_state_machine(
            "deadline",
            json!({ "TimeoutSeconds": 300, "StartAt": "Ask", "States": { "Ask": callback(json!({})) } }),
        )
        .await?;
    let worker = h
        .on_task("Ask")
        .respond_with(Reply::respond(json!({ "late": true })).after(Duration::from_secs(600)))
        .mount()
        .await;

    let done = machine.start(json!({})).await?.finish().await?;
    assert_eq!(done.status(), Status::TimedOut);
    assert_eq!(done.duration(), Duration::from_secs(300));

    // Let the worker answer at 600 s: AWS refuses a token whose execution has ended.
    h.clock().advance(Duration::from_secs(300)).await;
    assert!(
        worker
            .log()
            .iter()
            .any(|l| l.ends_with("refused: TaskTimedOut")),
        "{:?}",
        worker.log()
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 28)]
async fn execution_timeout_ends_a_long_wait(h: Harness) {
    let machine = h
        .create_state_machine(
            "deadline",
            json!({
                "TimeoutSeconds": 600,
                "StartAt": "Nap",
                "States": { "Nap": { "Type": "Wait", "Seconds": 86400, "End": true } }
            }),
        )
        .await?;

    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.status(), Status::TimedOut);
    assert_eq!(done.duration(), Duration::from_secs(600));
    insta::assert_json_snapshot!(done.history());
}
