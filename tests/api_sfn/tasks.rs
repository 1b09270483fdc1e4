//! SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat: the typed errors a worker meets, one
//! test each.

use super::*;

#[sfn_harness::test(seed = 20)]
async fn answering_a_timed_out_task_is_task_timed_out(h: Harness) {
    let c = h.sfn_client().await;
    let (q, _, exec) = waiting_execution(&h, &c, 5).await;
    // The task's 5 s pass (virtual time) before the worker gets to the message.
    h.clock().advance(Duration::from_secs(6)).await;
    let d = wait_done(&c, &exec).await;
    assert_eq!(d.status, ExecutionStatus::Failed);
    assert_eq!(d.error(), Some("States.Timeout"));
    let (token, _) = receive_token(&h, &q).await;
    for err in [
        c.send_task_success()
            .task_token(&token)
            .output("{}")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
        c.send_task_heartbeat()
            .task_token(&token)
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
    ] {
        assert_eq!(err.code(), Some("TaskTimedOut"));
        assert_eq!(
            err.message(),
            Some("Task Timed Out: 'Provided task does not exist anymore'")
        );
    }
    let err = refused!(c.send_task_failure().task_token(&token));
    assert!(err.is_task_timed_out(), "{err:?}");
}

#[sfn_harness::test(seed = 21)]
async fn answering_twice_is_task_timed_out(h: Harness) {
    let c = h.sfn_client().await;
    let (q, _, exec) = waiting_execution(&h, &c, 3600).await;
    let (token, _) = receive_token(&h, &q).await;
    c.send_task_success()
        .task_token(&token)
        .output(r#"{"ok":true}"#)
        .send()
        .await
        .unwrap();
    let err = refused!(c
        .send_task_success()
        .task_token(&token)
        .output(r#"{"ok":true}"#));
    assert!(err.is_task_timed_out(), "{err:?}");
    let d = wait_done(&c, &exec).await;
    assert_eq!(d.output(), Some(r#"{"ok":true}"#));
}

#[sfn_harness::test(seed = 22)]
async fn a_token_this_endpoint_never_issued_is_task_does_not_exist(h: Harness) {
    let c = h.sfn_client().await;
    let (q, _, _) = waiting_execution(&h, &c, 3600).await;
    let (token, _) = receive_token(&h, &q).await;
    // Same shape, other bits: a token that could have been issued, but was not.
    let mut forged: Vec<char> = token.chars().collect();
    let i = forged.len() / 2;
    forged[i] = if forged[i] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let err = refused!(c.send_task_success().task_token(&forged).output("{}"));
    assert!(err.is_task_does_not_exist(), "{err:?}");
    let err = refused!(c.send_task_heartbeat().task_token(&forged));
    assert!(err.is_task_does_not_exist(), "{err:?}");
    // The real token is untouched by that.
    c.send_task_success()
        .task_token(&token)
        .output("{}")
        .send()
        .await
        .unwrap();
}

#[sfn_harness::test(seed = 23)]
async fn a_malformed_token_is_invalid_token(h: Harness) {
    let c = h.sfn_client().await;
    let err = refused!(c
        .send_task_success()
        .task_token("not-a-task-token")
        .output("{}"));
    assert!(err.is_invalid_token(), "{err:?}");
    let err = refused!(c
        .send_task_failure()
        .task_token("not-a-task-token")
        .error("E"));
    assert!(err.is_invalid_token(), "{err:?}");
    let err = refused!(c.send_task_heartbeat().task_token("x".repeat(2049)));
    assert_eq!(err.code(), Some("ValidationException"), "{err:?}");
}

#[sfn_harness::test(seed = 24)]
async fn output_that_is_not_json_is_invalid_output(h: Harness) {
    let c = h.sfn_client().await;
    let (q, _, exec) = waiting_execution(&h, &c, 3600).await;
    let (token, _) = receive_token(&h, &q).await;
    let err = refused!(c.send_task_success().task_token(&token).output("{not json"));
    assert!(err.is_invalid_output(), "{err:?}");
    // The token is still open: a good answer goes through.
    c.send_task_success()
        .task_token(&token)
        .output(r#"[1,2]"#)
        .send()
        .await
        .unwrap();
    assert_eq!(wait_done(&c, &exec).await.output(), Some("[1,2]"));
}
