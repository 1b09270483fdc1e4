//! What a finished execution keeps (issue 13): its result and history only. Its interpreter
//! task, the interpreter's state (random and token generators) and its open-token entries are
//! gone once it has ended, so a soak of many executions does not grow by the machinery that
//! ran them.

use super::*;
use crate::engine::Retained;

const GONE: Retained = Retained {
    interpreter_task: false,
    interpreter_state: false,
};

/// Waits (bounded by real time) until the execution has let go of its machinery: the
/// interpreter drops it just after recording the terminal event, which `wait` already sees.
async fn released(exec: &ExecutionRecord) -> Retained {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let r = exec.retained();
        if r == GONE || std::time::Instant::now() >= deadline {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_callback_execution_keeps_no_task_rng_or_open_token() {
    let e = engine(13);
    let tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let m = e
        .create_state_machine(
            "cb",
            r#"{"StartAt":"Ask","States":{"Ask":{"Type":"Task",
                "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token"}},
                "End":true}}}"#,
        )
        .unwrap();
    let exec = e.start_execution(&m.arn, None, Some(r#"{"x":1}"#)).unwrap();
    let token = wait_for_token(&e, &tokens, 1).await;
    // Parked: it holds its task, its interpreter state and one open token.
    assert_eq!(
        exec.retained(),
        Retained {
            interpreter_task: true,
            interpreter_state: true
        }
    );
    let open = |e: &Engine| {
        e.open_tokens()
            .into_iter()
            .filter(|t| t.execution_arn == exec.arn())
            .count()
    };
    assert_eq!(open(&e), 1);

    e.send_task_success(&token, r#"{"ok":true}"#).unwrap();
    assert_eq!(finish(&e, &exec).await, Status::Succeeded);
    assert_eq!(released(&exec).await, GONE);
    assert_eq!(open(&e), 0);
    // What it keeps still answers: its 8-event history and output, and a late answer to
    // its token is refused as AWS refuses it.
    assert_eq!(exec.history().len(), 8);
    assert_eq!(exec.output(), Some(json!({ "ok": true })));
    assert_eq!(
        e.send_task_success(&token, "{}").unwrap_err().code(),
        "TaskTimedOut"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_and_failed_executions_let_go_too() {
    let e = engine(14);
    let _tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let parked = e
        .create_state_machine(
            "park",
            r#"{"StartAt":"Ask","States":{"Ask":{"Type":"Task",
                "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token"}},
                "End":true}}}"#,
        )
        .unwrap();
    let failing = e
        .create_state_machine(
            "fail",
            r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"c"}}}"#,
        )
        .unwrap();
    let stopped = e.start_execution(&parked.arn, None, None).unwrap();
    let failed = e.start_execution(&failing.arn, None, None).unwrap();
    assert_eq!(finish(&e, &failed).await, Status::Failed);
    assert_eq!(released(&failed).await, GONE);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while e.open_tokens().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the task never parked within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    e.stop_execution(stopped.arn(), None, None).unwrap();
    assert_eq!(stopped.status(), Status::Aborted);
    assert_eq!(released(&stopped).await, GONE);
    assert!(e.open_tokens().is_empty());
}

/// A callback execution reading `$$.Execution.Input` keeps its input once, as text, while it
/// waits and after it has ended; the output is text too. Both still read back as the values
/// they were (issue 13: each `Value` tree took several times its text's size).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_keeps_its_input_and_output_as_text() {
    let e = engine(15);
    let tokens = token_sink(&e, "arn:aws:states:::sqs:sendMessage");
    let m = e
        .create_state_machine(
            "text",
            r#"{"StartAt":"Ask","States":{"Ask":{"Type":"Task",
                "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token",
                    "input.$":"$$.Execution.Input"}},
                "End":true}}}"#,
        )
        .unwrap();
    let input = r#"{ "b": [1, 2.5, -0.0, 1e300], "a": {"z": null, "y": "\u00e9\n"} }"#;
    let exec = e.start_execution(&m.arn, None, Some(input)).unwrap();
    let token = wait_for_token(&e, &tokens, 1).await;
    let value: serde_json::Value = serde_json::from_str(input).unwrap();
    assert_eq!(exec.input_text(), serde_json::to_string(&value).unwrap());
    assert!(
        !exec.input_parsed(),
        "the parked execution's record parsed its input"
    );
    e.send_task_success(&token, r#"{"ok": [true, 0.1]}"#)
        .unwrap();
    assert_eq!(finish(&e, &exec).await, Status::Succeeded);
    assert!(!exec.input_parsed());
    assert_eq!(exec.output(), Some(json!({ "ok": [true, 0.1] })));
    // A description parses it, to the value it was started with, key order included.
    assert_eq!(exec.input(), &value);
    assert_eq!(
        serde_json::to_string(exec.input()).unwrap(),
        serde_json::to_string(&value).unwrap()
    );
}
