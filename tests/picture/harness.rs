//! Pictures of executions run through the harness (`done.picture()`), snapshotted: a callback,
//! a retry then success, a catch to a fallback, a Parallel, a Map with callbacks; the same seed
//! gives the same text; the failure reports carry the picture; `write_html` writes the page.
//! `tests/picture/render.rs` renders every snapshot here with the real mermaid library.

use std::time::Duration;

use serde_json::{json, Value};
use sfn_harness::prelude::*;

const CALLBACK: &str = "arn:aws:states:::lambda:invoke.waitForTaskToken";
const LAMBDA: &str = "arn:aws:states:::lambda:invoke";

fn callback_task(next: Option<&str>) -> Value {
    let mut t = json!({ "Type": "Task", "Resource": CALLBACK,
        "Parameters": { "token.$": "$$.Task.Token" } });
    match next {
        Some(n) => t["Next"] = json!(n),
        None => t["End"] = json!(true),
    }
    t
}

async fn harness() -> Harness {
    Harness::builder().seed(42).start().await
}

/// A seeded harness, `mount` run on it, then one execution of `definition` to its end.
async fn run_with(
    definition: Value,
    mount: impl for<'a> FnOnce(
        &'a Harness,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>,
) -> Finished {
    let h = harness().await;
    mount(&h).await;
    let done = run(&h, definition).await;
    h.verify().expect("every expectation met");
    done
}

async fn run(h: &Harness, definition: Value) -> Finished {
    let machine = h
        .create_state_machine("pictured", definition)
        .await
        .expect("valid definition");
    machine
        .start(json!({ "items": [1, 2, 3] }))
        .await
        .expect("started")
        .finish()
        .await
        .expect("finished")
}

fn callback_machine() -> Value {
    json!({ "StartAt": "Approve", "States": { "Approve": callback_task(None) } })
}

async fn callback_run() -> Finished {
    run_with(callback_machine(), |h| {
        Box::pin(async move {
            h.on_task("Approve")
                .respond_with(Reply::respond(json!({"ok": true})).after(Duration::from_secs(3600)))
                .mount()
                .await;
        })
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback() {
    let done = callback_run().await;
    assert_eq!(done.status(), Status::Succeeded);
    let picture = done.picture();
    assert!(
        picture.contains("1h"),
        "the hour on the harness clock is drawn:\n{picture}"
    );
    insta::assert_snapshot!("callback", picture);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_seed_same_picture() {
    let (a, b) = (
        callback_run().await.picture(),
        callback_run().await.picture(),
    );
    assert_eq!(a.as_bytes(), b.as_bytes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_then_success() {
    let def = json!({ "StartAt": "Charge", "States": { "Charge": {
        "Type": "Task", "Resource": LAMBDA,
        "Retry": [{ "ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 3 }],
        "End": true } } });
    let done = run_with(def, |h| {
        Box::pin(async move {
            h.on_task("Charge")
                .then(Reply::fail("Busy", "try later"))
                .then(Reply::respond(json!({"charged": true})))
                .mount()
                .await;
        })
    })
    .await;
    assert_eq!(done.status(), Status::Succeeded);
    insta::assert_snapshot!("retry_then_success", done.picture());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_to_fallback() {
    let def = json!({ "StartAt": "Charge", "States": {
        "Charge": { "Type": "Task", "Resource": LAMBDA,
            "Catch": [{ "ErrorEquals": ["Declined"], "Next": "Fallback" }], "End": true },
        "Fallback": { "Type": "Pass", "Result": "queued", "End": true } } });
    let done = run_with(def, |h| {
        Box::pin(async move {
            h.on_task("Charge")
                .respond_with(Reply::fail("Declined", "card refused"))
                .mount()
                .await;
        })
    })
    .await;
    assert_eq!(done.status(), Status::Succeeded);
    let picture = done.picture();
    assert!(picture.contains("Declined"), "{picture}");
    insta::assert_snapshot!("catch_to_fallback", picture);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel() {
    let def = json!({ "StartAt": "Both", "States": { "Both": { "Type": "Parallel", "End": true,
        "Branches": [
            { "StartAt": "Left", "States": { "Left": callback_task(None) } },
            { "StartAt": "Right", "States": { "Right": { "Type": "Wait", "Seconds": 60, "End": true } } }
        ] } } });
    let done = run_with(def, |h| {
        Box::pin(async move {
            h.on_task("Left").respond(json!("l")).mount().await;
        })
    })
    .await;
    assert_eq!(done.status(), Status::Succeeded);
    insta::assert_snapshot!("parallel", done.picture());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_with_callbacks() {
    let def = json!({ "StartAt": "Each", "States": { "Each": { "Type": "Map",
        "ItemsPath": "$.items", "MaxConcurrency": 1, "End": true,
        "ItemProcessor": { "StartAt": "Review", "States": { "Review": callback_task(None) } } } } });
    let done = run_with(def, |h| {
        Box::pin(async move {
            h.on_task("Review")
                .respond_with(Reply::respond(json!("ok")).after(Duration::from_secs(10)))
                .mount()
                .await;
        })
    })
    .await;
    assert_eq!(done.status(), Status::Succeeded);
    let picture = done.picture();
    assert!(picture.contains("×3"), "three iterations:\n{picture}");
    insta::assert_snapshot!("map_with_callbacks", picture);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finish_timeout_report_shows_where_it_stood() {
    let h = Harness::builder()
        .seed(1)
        .finish_timeout(Duration::from_millis(200))
        .start()
        .await;
    let machine = h
        .create_state_machine("stuck", callback_machine())
        .await
        .expect("valid");
    h.on_task("Approve")
        .respond_with(Reply::silent())
        .mount()
        .await;
    let exec = machine.start(json!({})).await.expect("started");
    let err = exec.finish().await.expect_err("nobody answers");
    let text = err.to_string();
    assert!(text.contains("  where it stood:\n  ```mermaid\n"), "{text}");
    assert!(text.contains("\n  flowchart TD\n"), "{text}");
    assert!(
        text.contains("holds the token"),
        "the worker holding the token is named:\n{text}"
    );
    assert!(exec.picture().contains("waiting"), "{}", exec.picture());
    exec.stop(None, None).await.expect("stopped");
    std::mem::forget(h);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_report_shows_where_it_stood() {
    let h = Harness::builder().seed(1).start().await;
    let machine = h
        .create_state_machine("unmet", callback_machine())
        .await
        .expect("valid");
    h.on_task("Approve")
        .respond(json!(1))
        .expect(2)
        .mount()
        .await;
    machine
        .start(json!({}))
        .await
        .expect("started")
        .finish()
        .await
        .expect("done");
    let report = h.verify().expect_err("one delivery of two");
    assert!(report.contains("stood:\n```mermaid\n"), "{report}");
    assert!(report.contains("\nflowchart TD\n"), "{report}");
    assert_eq!(report.pictures.0.len(), 1);
    std::mem::forget(h);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_html_writes_a_self_contained_page() {
    let done = callback_run().await;
    let path =
        std::env::temp_dir().join(format!("sfn-harness-picture-{}.html", std::process::id()));
    done.write_html(&path).expect("written");
    let page = std::fs::read_to_string(&path).expect("readable");
    let _ = std::fs::remove_file(&path);
    assert!(
        page.starts_with("<!DOCTYPE html>") || page.starts_with("<!doctype html>"),
        "{}",
        &page[..80.min(page.len())]
    );
    assert!(page.contains("<svg"), "inline SVG");
    assert!(!page.contains("<script src="), "loads nothing");
    let err = done
        .write_html("/nonexistent-dir/x.html")
        .expect_err("no such directory");
    assert!(
        err.to_string()
            .contains("cannot write /nonexistent-dir/x.html"),
        "{err}"
    );
}
