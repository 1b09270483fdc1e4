//! The engine through its Rust API (moved into the crate from `tests/engine`): virtual time, retries, task tokens, timeouts, stops.
//!
//! Expected behaviour follows the AWS Step Functions developer guide: "Handling errors in Step
//! Functions workflows" (Retry/Catch, BackoffRate, States.ALL), "Wait for a Callback with Task
//! Token" (SendTaskSuccess/Failure/Heartbeat, HeartbeatSeconds), and the API reference of
//! SendTaskSuccess (TaskTimedOut, TaskDoesNotExist, InvalidToken, InvalidOutput).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::account::{Account, AccountConfig};
use crate::engine::task::{handler, TaskRequest};
use crate::engine::{Engine, ExecutionRecord, Status};
use serde_json::{json, Value};
use sfn_harness::asl::StatesError;
use sfn_harness::time::Clock;

use super::support;

mod recorded_behaviour;
mod retention;

const T0: u64 = 1_700_000_000_000;

fn engine(seed: u64) -> Engine {
    let account = Account::new(AccountConfig {
        clock: Clock::virtual_at(T0),
        seed: Some(seed),
        ..AccountConfig::default()
    });
    account.engine().clone()
}

/// Waits (bounded by real time) for an execution to end, driving virtual time.
async fn finish(engine: &Engine, exec: &ExecutionRecord) -> Status {
    tokio::time::timeout(
        Duration::from_secs(10),
        engine.clock().run_until(exec.wait()),
    )
    .await
    .unwrap_or_else(|_| {
        panic!(
            "execution {} did not finish within 10 s of wall time; history: {:#?}",
            exec.arn(),
            exec.history()
        )
    })
}

fn types(exec: &ExecutionRecord) -> Vec<String> {
    support::event_types(&exec.history())
}

fn event_ms(exec: &ExecutionRecord, ty: &str) -> Vec<u64> {
    exec.history()
        .iter()
        .filter(|e| e.event_type == ty)
        .map(|e| e.timestamp_ms)
        .collect()
}

/// Captures the task tokens a `.waitForTaskToken` resource receives.
fn token_sink(engine: &Engine, arn: &str) -> Arc<Mutex<Vec<String>>> {
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let sink = tokens.clone();
    engine.register_resource(
        arn,
        handler(move |req: TaskRequest| {
            let sink = sink.clone();
            async move {
                sink.lock()
                    .unwrap()
                    .push(req.token.clone().expect("a token"));
                Ok(json!({ "MessageId": "m-1" }))
            }
        }),
    );
    tokens
}

async fn wait_for_token(engine: &Engine, tokens: &Arc<Mutex<Vec<String>>>, n: usize) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(t) = tokens.lock().unwrap().get(n - 1).cloned() {
            return t;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no task token #{n} was issued within 5 s; open tokens: {:?}",
            engine.open_tokens()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hour_wait_then_retries_follow_virtual_time() {
    let e = engine(1);
    let calls = Arc::new(AtomicU32::new(0));
    let c = calls.clone();
    e.register_resource(
        "arn:aws:states:::test:flaky",
        handler(move |_req: TaskRequest| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < 2 {
                    Err(StatesError::new("Flaky", format!("attempt {}", n + 1)))
                } else {
                    Ok(json!({ "ok": true }))
                }
            }
        }),
    );
    let m = e
        .create_state_machine(
            "waits",
            r#"{"StartAt":"Hour","States":{
                "Hour":{"Type":"Wait","Seconds":3600,"Next":"Flaky"},
                "Flaky":{"Type":"Task","Resource":"arn:aws:states:::test:flaky",
                    "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":60,"BackoffRate":2.0,"MaxAttempts":3}],
                    "End":true}}}"#,
        )
        .unwrap();
    let exec = e.start_execution(&m.arn, None, None).unwrap();
    assert_eq!(finish(&e, &exec).await, Status::Succeeded);
    assert_eq!(exec.output(), Some(json!({ "ok": true })));
    let waited = event_ms(&exec, "WaitStateExited")[0] - event_ms(&exec, "WaitStateEntered")[0];
    assert_eq!(waited, 3_600_000, "the Wait lasts one hour of harness time");
    let scheduled = event_ms(&exec, "TaskScheduled");
    let failed = event_ms(&exec, "TaskFailed");
    assert_eq!(scheduled.len(), 3);
    assert_eq!(
        scheduled[1] - failed[0],
        60_000,
        "first retry after IntervalSeconds"
    );
    assert_eq!(
        scheduled[2] - failed[1],
        120_000,
        "second retry after IntervalSeconds x BackoffRate"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_success_records_submitted_then_succeeded() {
    let e = engine(2);
    let tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let m = e
        .create_state_machine(
            "cb",
            r#"{"StartAt":"Ask","States":{"Ask":{"Type":"Task",
                "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token","x.$":"$.x"}},
                "ResultPath":"$.answer","End":true}}}"#,
        )
        .unwrap();
    let exec = e
        .start_execution(&m.arn, Some("one"), Some(r#"{"x":1}"#))
        .unwrap();
    let token = wait_for_token(&e, &tokens, 1).await;
    e.send_task_success(&token, r#"{"approved":true}"#).unwrap();
    assert_eq!(finish(&e, &exec).await, Status::Succeeded);
    assert_eq!(
        exec.output(),
        Some(json!({ "x": 1, "answer": { "approved": true } }))
    );
    assert_eq!(
        types(&exec),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    let scheduled = exec.history()[2].details().unwrap().clone();
    assert_eq!(scheduled["resourceType"], "sqs");
    assert_eq!(scheduled["resource"], "sendMessage.waitForTaskToken");
    let params: Value = serde_json::from_str(scheduled["parameters"].as_str().unwrap()).unwrap();
    assert_eq!(params["MessageBody"]["token"], json!(token));
    // A token answers once.
    let again = e.send_task_success(&token, "{}").unwrap_err();
    assert_eq!(again.code(), "TaskTimedOut");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_failure_is_caught_with_error_output() {
    let e = engine(3);
    let tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let m = e
        .create_state_machine(
            "catch",
            r#"{"StartAt":"Ask","States":{"Ask":{"Type":"Task",
                "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters":{"MessageBody":{"t.$":"$$.Task.Token"}},
                "Catch":[{"ErrorEquals":["Rejected"],"ResultPath":"$.why","Next":"Fallback"}],
                "End":true},
              "Fallback":{"Type":"Pass","End":true}}}"#,
        )
        .unwrap();
    let exec = e
        .start_execution(&m.arn, None, Some(r#"{"id":7}"#))
        .unwrap();
    let token = wait_for_token(&e, &tokens, 1).await;
    e.send_task_failure(&token, Some("Rejected"), Some("score too low"))
        .unwrap();
    assert_eq!(finish(&e, &exec).await, Status::Succeeded);
    assert_eq!(
        exec.output(),
        Some(json!({ "id": 7, "why": { "Error": "Rejected", "Cause": "score too low" } }))
    );
    assert!(types(&exec).contains(&"TaskFailed".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_keep_a_task_alive_until_they_stop() {
    let e = engine(4);
    let tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let m = e
        .create_state_machine(
            "hb",
            r#"{"StartAt":"Work","States":{"Work":{"Type":"Task",
                "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "HeartbeatSeconds":60,"TimeoutSeconds":3600,"End":true}}}"#,
        )
        .unwrap();
    let exec = e.start_execution(&m.arn, None, None).unwrap();
    let token = wait_for_token(&e, &tokens, 1).await;
    let start = e.clock().now_ms();
    // Three heartbeats 50 s apart keep it alive past the 60 s heartbeat window...
    for _ in 0..3 {
        e.clock().advance(Duration::from_secs(50)).await;
        e.send_task_heartbeat(&token).unwrap();
    }
    assert_eq!(exec.status(), Status::Running);
    // ...then silence: it fails 60 s after the last heartbeat.
    // AWS names a missed heartbeat `States.Timeout` (issue 12).
    assert_eq!(finish(&e, &exec).await, Status::Failed);
    assert_eq!(exec.error().as_deref(), Some("States.Timeout"));
    assert_eq!(event_ms(&exec, "TaskTimedOut")[0] - start, 150_000 + 60_000);
    // A late answer is refused.
    assert_eq!(
        e.send_task_success(&token, "{}").unwrap_err().code(),
        "TaskTimedOut"
    );
}

/// Issue 12: a missed heartbeat is a `States.Timeout`, as AWS records it (`TaskTimedOut` and
/// `ExecutionFailed` with `"error": "States.Timeout"`, LocalStack's AWS-validated
/// `test_heartbeat_timeout`) and documents it ("States.Timeout: A Task state either ran longer
/// than the TimeoutSeconds value, or failed to send a heartbeat for a period longer than the
/// HeartbeatSeconds value", developer guide, "Handling errors in Step Functions workflows"). So
/// `Retry` and `Catch` on `States.Timeout` take it, `States.HeartbeatTimeout` still does, and
/// `States.TaskFailed` does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_heartbeat_is_retried_and_caught_as_states_timeout() {
    let e = engine(12);
    let _tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let machine = |name: &str, error_equals: &str| {
        e.create_state_machine(
            name,
            &format!(
                r#"{{"StartAt":"Work","States":{{
                "Work":{{"Type":"Task",
                    "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "HeartbeatSeconds":60,"TimeoutSeconds":3600,
                    "Retry":[{{"ErrorEquals":[{error_equals}],"IntervalSeconds":1,"MaxAttempts":1}}],
                    "Catch":[{{"ErrorEquals":[{error_equals}],"ResultPath":"$.error","Next":"Escalate"}}],
                    "End":true}},
                "Escalate":{{"Type":"Pass","End":true}}}}}}"#
            ),
        )
        .unwrap()
    };

    for (name, error_equals) in [
        ("timeout", r#""States.Timeout""#),
        ("heartbeat", r#""States.HeartbeatTimeout""#),
    ] {
        let m = machine(name, error_equals);
        let exec = e.start_execution(&m.arn, None, None).unwrap();
        assert_eq!(finish(&e, &exec).await, Status::Succeeded, "{error_equals}");
        // Retried once, then caught: two attempts, each timed out 60 s after it started.
        let timed_out: Vec<_> = exec
            .history()
            .into_iter()
            .filter(|ev| ev.event_type == "TaskTimedOut")
            .collect();
        assert_eq!(timed_out.len(), 2, "{error_equals}: {:#?}", exec.history());
        for ev in &timed_out {
            assert_eq!(ev.details().unwrap()["error"], "States.Timeout");
        }
        assert_eq!(event_ms(&exec, "TaskScheduled").len(), 2);
        assert_eq!(
            exec.output().unwrap()["error"],
            json!({ "Error": "States.Timeout" }),
            "{error_equals}"
        );
    }

    // States.TaskFailed does not take a timeout: the execution fails with States.Timeout.
    let m = machine("task-failed", r#""States.TaskFailed""#);
    let exec = e.start_execution(&m.arn, None, None).unwrap();
    assert_eq!(finish(&e, &exec).await, Status::Failed);
    assert_eq!(exec.error().as_deref(), Some("States.Timeout"));
    assert_eq!(event_ms(&exec, "TaskTimedOut").len(), 1);
    let failed = exec.history().pop().unwrap();
    assert_eq!(failed.event_type, "ExecutionFailed");
    assert_eq!(failed.details().unwrap()["error"], "States.Timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_timeout_fails_with_states_timeout() {
    let e = engine(5);
    let _tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let m = e
        .create_state_machine(
            "to",
            r#"{"StartAt":"Work","States":{"Work":{"Type":"Task",
                "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "TimeoutSeconds":300,"End":true}}}"#,
        )
        .unwrap();
    let exec = e.start_execution(&m.arn, None, None).unwrap();
    assert_eq!(finish(&e, &exec).await, Status::Failed);
    assert_eq!(exec.error().as_deref(), Some("States.Timeout"));
    assert_eq!(exec.cause(), None);
    let timed_out = exec
        .history()
        .into_iter()
        .find(|e| e.event_type == "TaskTimedOut")
        .expect("a TaskTimedOut event");
    assert_eq!(timed_out.details().unwrap()["error"], "States.Timeout");
    assert_eq!(timed_out.timestamp_ms - exec.start_ms(), 300_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_execution_aborts_and_closes_tokens() {
    let e = engine(6);
    let tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let m = e
        .create_state_machine(
            "stop",
            r#"{"StartAt":"Work","States":{"Work":{"Type":"Task",
                "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}"#,
        )
        .unwrap();
    let exec = e.start_execution(&m.arn, None, None).unwrap();
    let token = wait_for_token(&e, &tokens, 1).await;
    e.stop_execution(exec.arn(), Some("Operator"), Some("no longer needed"))
        .unwrap();
    assert_eq!(exec.status(), Status::Aborted);
    let last = exec.history().last().unwrap().clone();
    assert_eq!(last.event_type, "ExecutionAborted");
    assert_eq!(last.details().unwrap()["cause"], "no longer needed");
    assert_eq!(
        e.send_task_success(&token, "{}").unwrap_err().code(),
        "TaskTimedOut"
    );
    // Stopping twice is harmless and records nothing more.
    let n = exec.history().len();
    e.stop_execution(exec.arn(), None, None).unwrap();
    assert_eq!(exec.history().len(), n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execution_timeout_times_out() {
    let e = engine(7);
    let m = e
        .create_state_machine(
            "exto",
            r#"{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}"#,
        )
        .unwrap();
    let exec = e.start_execution(&m.arn, None, None).unwrap();
    assert_eq!(finish(&e, &exec).await, Status::TimedOut);
    let last = exec.history().last().unwrap().clone();
    assert_eq!(last.event_type, "ExecutionTimedOut");
    assert_eq!(last.timestamp_ms - exec.start_ms(), 10_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_variants_compute_their_deadline() {
    let e = engine(8);
    let m = e
        .create_state_machine(
            "waits2",
            r#"{"StartAt":"A","States":{
                "A":{"Type":"Wait","SecondsPath":"$.secs","Next":"B"},
                "B":{"Type":"Wait","TimestampPath":"$.until","Next":"C"},
                "C":{"Type":"Wait","Timestamp":"2023-11-14T23:00:00Z","End":true}}}"#,
        )
        .unwrap();
    // T0 = 2023-11-14T22:13:20Z
    let exec = e
        .start_execution(
            &m.arn,
            None,
            Some(r#"{"secs":20,"until":"2023-11-14T22:30:00Z"}"#),
        )
        .unwrap();
    assert_eq!(finish(&e, &exec).await, Status::Succeeded);
    let exits = event_ms(&exec, "WaitStateExited");
    assert_eq!(exits[0] - T0, 20_000);
    assert_eq!(exits[1], T0 + (16 * 60 + 40) * 1000);
    assert_eq!(exits[2], T0 + (46 * 60 + 40) * 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_wait_path_fails_with_runtime_error() {
    let e = engine(9);
    let m = e
        .create_state_machine(
            "badwait",
            r#"{"StartAt":"A","States":{"A":{"Type":"Wait","SecondsPath":"$.secs","End":true}}}"#,
        )
        .unwrap();
    let exec = e
        .start_execution(&m.arn, None, Some(r#"{"secs":"soon"}"#))
        .unwrap();
    assert_eq!(finish(&e, &exec).await, Status::Failed);
    assert_eq!(exec.error().as_deref(), Some("States.Runtime"));
    assert!(exec
        .cause()
        .unwrap()
        .contains("'A' (entered at the event id #2)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unregistered_resource_fails_loudly() {
    let e = engine(10);
    let m = e
        .create_state_machine(
            "nohandler",
            r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::nothing:here",
                "Catch":[{"ErrorEquals":["States.ALL"],"Next":"P"}],"End":true},"P":{"Type":"Pass","End":true}}}"#,
        )
        .unwrap();
    let exec = e.start_execution(&m.arn, None, None).unwrap();
    assert_eq!(finish(&e, &exec).await, Status::Failed);
    assert_eq!(exec.error().as_deref(), Some("States.Runtime"));
    assert!(exec
        .cause()
        .unwrap()
        .contains("arn:aws:states:::nothing:here"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_engines_repeat_histories_exactly() {
    async fn run(seed: u64) -> Vec<Value> {
        let e = engine(seed);
        let m = e
            .create_state_machine(
                "det",
                r#"{"StartAt":"P","States":{"P":{"Type":"Pass",
                    "Parameters":{"id.$":"States.UUID()","n.$":"States.MathRandom(1, 1000)","name.$":"$$.Execution.Name"},
                    "Next":"W"},"W":{"Type":"Wait","Seconds":5,"End":true}}}"#,
            )
            .unwrap();
        let exec = e.start_execution(&m.arn, None, None).unwrap();
        finish(&e, &exec).await;
        exec.history().iter().map(|e| e.to_aws_json()).collect()
    }
    let a = run(42).await;
    assert_eq!(a, run(42).await);
    assert_ne!(a, run(43).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_executions_run_concurrently() {
    let e = engine(11);
    let tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let m = e
        .create_state_machine(
            "many",
            r#"{"StartAt":"Work","States":{"Work":{"Type":"Task",
                "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}"#,
        )
        .unwrap();
    let execs: Vec<_> = (0..100)
        .map(|i| {
            e.start_execution(&m.arn, None, Some(&format!("{{\"i\":{i}}}")))
                .unwrap()
        })
        .collect();
    for n in 1..=100 {
        let t = wait_for_token(&e, &tokens, n).await;
        e.send_task_success(&t, &format!("{n}")).unwrap();
    }
    for exec in &execs {
        assert_eq!(finish(&e, exec).await, Status::Succeeded);
    }
    assert_eq!(
        e.executions(Some(&m.arn), Some(Status::Succeeded)).len(),
        100
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_are_shaped_like_aws() {
    let e = engine(12);
    let m = e
        .create_state_machine(
            "api",
            r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
        )
        .unwrap();
    assert_eq!(
        e.create_state_machine(
            "api",
            r#"{"StartAt":"X","States":{"X":{"Type":"Succeed"}}}"#
        )
        .unwrap_err()
        .code(),
        "StateMachineAlreadyExists"
    );
    assert_eq!(
        e.create_state_machine("bad name", "{}").unwrap_err().code(),
        "InvalidName"
    );
    assert_eq!(
        e.create_state_machine("x", "{").unwrap_err().code(),
        "InvalidDefinition"
    );
    assert_eq!(
        e.start_execution(&m.arn, None, Some("{nope"))
            .unwrap_err()
            .code(),
        "InvalidExecutionInput"
    );
    assert_eq!(
        e.start_execution("nope", None, None).unwrap_err().code(),
        "InvalidArn"
    );
    let missing = m.arn.replace(":api", ":missing");
    assert_eq!(
        e.start_execution(&missing, None, None).unwrap_err().code(),
        "StateMachineDoesNotExist"
    );
    let one = e.start_execution(&m.arn, Some("same"), Some("{}")).unwrap();
    let again = e.start_execution(&m.arn, Some("same"), Some("{}"));
    finish(&e, &one).await;
    // Reused name after the first ended (or with other input): ExecutionAlreadyExists.
    let _ = again;
    assert_eq!(
        e.start_execution(&m.arn, Some("same"), Some(r#"{"a":1}"#))
            .unwrap_err()
            .code(),
        "ExecutionAlreadyExists"
    );
    assert_eq!(
        e.send_task_success("garbage", "{}").unwrap_err().code(),
        "InvalidToken"
    );
    assert_eq!(
        e.send_task_heartbeat("").unwrap_err().code(),
        "ValidationException"
    );
    let tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let cb = e
        .create_state_machine(
            "cb2",
            r#"{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}"#,
        )
        .unwrap();
    let _exec = e.start_execution(&cb.arn, None, None).unwrap();
    let token = wait_for_token(&e, &tokens, 1).await;
    assert_eq!(
        e.send_task_success(&token, "not json").unwrap_err().code(),
        "InvalidOutput"
    );
}

/// Issue 13: a top-level Task parked on its token hands its wait up to the execution's own
/// future (the states' futures are dropped, the input kept as text) and resumes its state from
/// the outcome; in a Parallel branch the same Task waits in place. Both must record the same
/// Task events and reach the same output through a retry, `InputPath`, `ResultSelector`,
/// `ResultPath` and `Assign`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detached_callback_wait_resumes_as_a_wait_in_place_does() {
    let e = engine(14);
    let tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let states = r#"{
        "Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "InputPath":"$.order","Parameters":{"MessageBody":{"id.$":"$.id"}},
            "Retry":[{"ErrorEquals":["Busy"],"IntervalSeconds":2,"MaxAttempts":2}],
            "ResultSelector":{"v.$":"$.value"},"ResultPath":"$.answer",
            "Assign":{"seen.$":"$.v"},"Next":"After"},
        "After":{"Type":"Pass","Parameters":{"seen.$":"$seen","all.$":"$"},"End":true}}"#;
    let top = e
        .create_state_machine("top", &format!(r#"{{"StartAt":"Ask","States":{states}}}"#))
        .unwrap();
    let nested = e
        .create_state_machine(
            "nested",
            &format!(
                r#"{{"StartAt":"Par","States":{{"Par":{{"Type":"Parallel","End":true,
                    "Branches":[{{"StartAt":"Ask","States":{states}}}]}}}}}}"#
            ),
        )
        .unwrap();
    let mut runs = Vec::new();
    for (i, m) in [&top, &nested].into_iter().enumerate() {
        let exec = e
            .start_execution(&m.arn, None, Some(r#"{"order":{"id":7}}"#))
            .unwrap();
        let answer = async {
            let first = wait_for_token(&e, &tokens, 2 * i + 1).await;
            e.send_task_failure(&first, Some("Busy"), Some("try later"))
                .unwrap();
            let second = wait_for_token(&e, &tokens, 2 * i + 2).await;
            e.send_task_success(&second, r#"{"value":42}"#).unwrap();
        };
        let (status, ()) = tokio::join!(finish(&e, &exec), answer);
        assert_eq!(status, Status::Succeeded, "{:#?}", exec.history());
        runs.push(exec);
    }
    let expected = json!({ "seen": 42, "all": { "order": { "id": 7 }, "answer": { "v": 42 } } });
    assert_eq!(runs[0].output(), Some(expected.clone()));
    assert_eq!(runs[1].output(), Some(json!([expected])));
    // The Task's events, from its entry to its exit, with the time since its entry.
    let task_events = |exec: &ExecutionRecord| {
        let h = exec.history();
        let from = h
            .iter()
            .position(|ev| ev.event_type == "TaskStateEntered")
            .expect("the Task was entered");
        let to = h
            .iter()
            .position(|ev| ev.event_type == "TaskStateExited")
            .expect("the Task exited");
        h[from..=to]
            .iter()
            .map(|ev| {
                (
                    ev.event_type.clone(),
                    ev.timestamp_ms - h[from].timestamp_ms,
                    ev.previous_event_id.saturating_sub(h[from].id),
                    ev.details.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let (detached, in_place) = (task_events(&runs[0]), task_events(&runs[1]));
    assert_eq!(detached, in_place);
    let types: Vec<_> = detached.iter().map(|ev| ev.0.as_str()).collect();
    assert_eq!(
        types,
        [
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskFailed",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded",
            "TaskStateExited"
        ]
    );
    // The retry waited its two seconds of virtual time.
    assert!(detached[5].1 >= 2000, "{detached:#?}");
}
