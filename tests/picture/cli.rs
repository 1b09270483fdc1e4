//! `sfn-harness picture`, the built binary: Mermaid of a definition, with a GetExecutionHistory
//! response (`{"events": [...]}`) or a bare array of events, `--html` and `-o`, and errors
//! that name the file.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_sfn-harness");

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("sfn-harness-picture-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn write(name: &str, value: &serde_json::Value) -> PathBuf {
    let p = dir().join(name);
    std::fs::write(&p, value.to_string()).expect("written");
    p
}

fn picture(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(BIN)
        .arg("picture")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn definition() -> PathBuf {
    // One file per thread: the tests run in parallel.
    let name = format!("machine-{:?}.json", std::thread::current().id()).replace(
        |c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '-',
        "",
    );
    write(
        &name,
        &json!({ "StartAt": "Charge", "States": {
        "Charge": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "Refund" }], "End": true },
        "Refund": { "Type": "Fail", "Error": "ChargeFailed" } } }),
    )
}

fn events() -> serde_json::Value {
    json!([
        {"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 0.0},
        {"id": 2, "previousEventId": 1, "type": "TaskStateEntered", "timestamp": 0.0,
         "stateEnteredEventDetails": {"name": "Charge"}},
        {"id": 3, "previousEventId": 2, "type": "TaskFailed", "timestamp": 1.5,
         "taskFailedEventDetails": {"error": "Declined"}},
        {"id": 4, "previousEventId": 3, "type": "TaskStateExited", "timestamp": 1.5,
         "stateExitedEventDetails": {"name": "Charge"}},
        {"id": 5, "previousEventId": 4, "type": "FailStateEntered", "timestamp": 1.5,
         "stateEnteredEventDetails": {"name": "Refund"}},
        {"id": 6, "previousEventId": 5, "type": "ExecutionFailed", "timestamp": 1.5,
         "executionFailedEventDetails": {"error": "ChargeFailed"}}
    ])
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

#[test]
fn a_definition_alone() {
    let text = stdout(&picture(&[definition().as_os_str()]));
    assert!(text.contains("flowchart TD"), "{text}");
    assert!(
        text.contains("s_Charge -.->"),
        "the catcher is a dotted edge:\n{text}"
    );
    assert!(
        !text.contains("class s_Charge failed"),
        "no execution, nothing failed:\n{text}"
    );
}

#[test]
fn with_a_get_execution_history_response_or_a_bare_array() {
    let response = write("history.json", &json!({ "events": events() }));
    let bare = write("bare.json", &events());
    let a = stdout(&picture(&[definition().as_os_str(), response.as_os_str()]));
    let b = stdout(&picture(&[definition().as_os_str(), bare.as_os_str()]));
    assert_eq!(a, b, "both shapes give the same picture");
    assert!(a.contains("Declined"), "{a}");
    assert!(
        a.contains("✗ ChargeFailed"),
        "the Fail state and its error:\n{a}"
    );
    // The library draws the same text: the subcommand adds nothing of its own.
    let lib = sfn_harness::Picture::of_definition(
        &serde_json::from_str(&std::fs::read_to_string(definition()).expect("read")).expect("json"),
    )
    .expect("drawable")
    .with_history(events().as_array().expect("array"))
    .mermaid();
    assert_eq!(a, lib);
}

#[test]
fn html_to_a_file() {
    let out = dir().join("page.html");
    let history = write("history2.json", &json!({ "events": events() }));
    let o = picture(&[
        definition().as_os_str(),
        history.as_os_str(),
        "--html".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(
        stdout(&o),
        "",
        "the page goes to the file, not to standard output"
    );
    let page = std::fs::read_to_string(&out).expect("the page was written");
    assert!(page.contains("<svg"), "inline SVG");
    assert!(
        page.contains("<title>machine-"),
        "titled with the file's stem"
    );
}

#[test]
fn errors_name_the_file() {
    let missing = dir().join("missing.json");
    let o = picture(&[missing.as_os_str()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot read") && err.contains("missing.json"),
        "{err}"
    );

    let bad = write("bad-history.json", &json!({ "nextToken": "x" }));
    let o = picture(&[definition().as_os_str(), bad.as_os_str()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("has no \"events\" array"), "{err}");

    let undrawable = write("undrawable.json", &json!({ "StartAt": "A", "States": {} }));
    let o = picture(&[undrawable.as_os_str()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot draw") && err.contains("undrawable.json"),
        "{err}"
    );
}
