//! Token callbacks answered by scripted workers: answers, failures, duplicates, stops, and which worker gets which task.

use super::*;

#[sfn_harness::test(seed = 1)]
async fn approves_good_credit(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .respond_with(
            Reply::respond(json!({ "status": "approved" })).after(Duration::from_millis(250)),
        )
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": "c-1" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    assert_eq!(done.duration(), Duration::from_millis(250));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 2)]
async fn rejects_bad_credit(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .respond(json!({ "status": "declined" }))
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": "c-2" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("CreditRejected"));
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 3)]
async fn worker_failure_fails_the_execution(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    h.on_task("CheckCredit")
        .respond_with(Reply::fail(
            "BureauDown",
            "the credit bureau is unreachable",
        ))
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": "c-3" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Failed);
    assert_eq!(done.error().as_deref(), Some("BureauDown"));
    assert_eq!(
        done.cause().as_deref(),
        Some("the credit bureau is unreachable")
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 9)]
async fn duplicate_answer_is_refused(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    let worker = h
        .on_task("CheckCredit")
        .respond_with(Reply::respond(json!({ "status": "approved" })).twice())
        .expect(1)
        .mount()
        .await;

    let done = machine
        .start(json!({ "customer": "c-9" }))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    let succeeded = done
        .history()
        .types()
        .iter()
        .filter(|t| **t == "TaskSucceeded")
        .count();
    assert_eq!(succeeded, 1);
    assert!(
        worker
            .log()
            .iter()
            .any(|l| l.ends_with("refused: TaskTimedOut")),
        "the second answer is refused: {:?}",
        worker.log()
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 10)]
async fn stopped_while_waiting_for_a_token(h: Harness) {
    let machine = h.create_state_machine("credit", CREDIT).await?;
    let exec = machine.start(json!({ "customer": "c-10" })).await?;
    // No worker: the token waits. Stop the execution.
    h.clock().advance(Duration::from_secs(5)).await;
    exec.stop(Some("Cancelled"), Some("customer withdrew"))
        .await?;

    let done = exec.finish().await?;
    assert_eq!(done.status(), Status::Aborted);
    assert!(h.open_tokens().is_empty(), "stopping closes the token");
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 14)]
async fn when_routes_big_orders_to_a_human(h: Harness) {
    let machine = h
        .create_state_machine(
            "review",
            json!({ "StartAt": "Review", "States": { "Review": callback(json!({})) } }),
        )
        .await?;
    // Workers are tried in the order they were mounted: the narrow one first.
    h.on_task("Review")
        .named("human reviewer")
        .when(|input| input["Payload"]["amount"].as_u64() > Some(1000))
        .respond_with(Reply::respond(json!({ "by": "human" })).after(Duration::from_secs(4 * 3600)))
        .expect(1)
        .mount()
        .await;
    h.on_task("Review")
        .named("auto approver")
        .respond(json!({ "by": "rules" }))
        .expect(1)
        .mount()
        .await;

    let small = machine
        .start(json!({ "amount": 20 }))
        .await?
        .finish()
        .await?;
    let big = machine
        .start(json!({ "amount": 5000 }))
        .await?
        .finish()
        .await?;

    assert_eq!(small.output(), Some(&json!({ "by": "rules" })));
    assert_eq!(small.duration(), Duration::ZERO);
    assert_eq!(big.output(), Some(&json!({ "by": "human" })));
    assert_eq!(big.duration(), Duration::from_secs(4 * 3600));
    insta::assert_json_snapshot!(big.history());
}

#[sfn_harness::test(seed = 15)]
async fn times_hands_later_tasks_to_the_next_worker(h: Harness) {
    let machine = h
        .create_state_machine(
            "label",
            json!({ "StartAt": "Each", "States": { "Each": {
                "Type": "Map",
                "ItemProcessor": { "StartAt": "Print", "States": { "Print": callback(json!({})) } },
                "End": true } } }),
        )
        .await?;
    // The primary printer has paper for two labels; the backup takes the rest.
    let primary = h
        .on_task("Print")
        .times(2)
        .respond(json!("primary"))
        .mount()
        .await;
    let backup = h.on_task("Print").respond(json!("backup")).mount().await;

    let done = machine
        .start(json!(["a", "b", "c", "d"]))
        .await?
        .finish()
        .await?;

    assert_eq!(done.status(), Status::Succeeded);
    let printed = done.output().unwrap().as_array().unwrap();
    let by = |who: &str| printed.iter().filter(|p| *p == who).count();
    assert_eq!((by("primary"), by("backup")), (2, 2));
    assert_eq!((primary.deliveries(), backup.deliveries()), (2, 2));
}

#[sfn_harness::test(seed = 16)]
async fn respond_with_sees_the_token_and_the_attempt(h: Harness) {
    let machine = h
        .create_state_machine(
            "charge",
            json!({ "StartAt": "Charge", "States": { "Charge": callback(json!({
                "Retry": [{ "ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 2 }]
            })) } }),
        )
        .await?;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    h.on_task("Charge")
        .respond_with(Reply::with(move |task| {
            // The token the worker was handed is the one in the payload the state sent.
            let token = task.token.clone().unwrap_or_default();
            log.lock().unwrap().push((task.attempt, token.clone()));
            assert_eq!(task.input["token"], json!(token));
            if task.attempt == 0 {
                Answer::Failure {
                    error: "Busy".into(),
                    cause: "first attempt".into(),
                }
            } else {
                Answer::Success(json!({ "attempt": task.attempt }))
            }
        }))
        .expect(2)
        .mount()
        .await;

    let done = machine.start(json!({})).await?.finish().await?;

    assert_eq!(done.output(), Some(&json!({ "attempt": 1 })));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.iter().map(|(a, _)| *a).collect::<Vec<_>>(), [0, 1]);
    assert_ne!(
        seen[0].1, seen[1].1,
        "every attempt gets a token of its own"
    );
    insta::assert_json_snapshot!(done.history());
}

#[sfn_harness::test(seed = 20)]
async fn for_machine_keeps_workers_of_two_machines_apart(h: Harness) {
    let eu = h.create_state_machine("credit-eu", CREDIT).await?;
    let us = h.create_state_machine("credit-us", CREDIT).await?;
    h.on_task("CheckCredit")
        .for_machine("credit-eu")
        .respond(json!({ "status": "approved" }))
        .expect(1)
        .mount()
        .await;
    h.on_task("CheckCredit")
        .for_machine(us.arn())
        .respond(json!({ "status": "declined" }))
        .expect(1)
        .mount()
        .await;

    let eu = eu
        .start(json!({ "customer": "c-eu" }))
        .await?
        .finish()
        .await?;
    let us = us
        .start(json!({ "customer": "c-us" }))
        .await?
        .finish()
        .await?;

    assert_eq!(eu.status(), Status::Succeeded);
    assert_eq!(us.status(), Status::Failed);
    assert_eq!(us.error().as_deref(), Some("CreditRejected"));
}
