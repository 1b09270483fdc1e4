//! `rstest` with the harness: a fixture per harness and per machine, and one test per
//! `fixtures/*.asl.json` that has a matching `*.input.json` (generated with `#[files]`).
//!
//! Every such fixture must succeed when each of its Task states is answered by a scripted worker:
//! with the reply given for that state in `<name>.replies.json` if there is one, else with the
//! task's own input.

use std::path::PathBuf;

use rstest::{fixture, rstest};
use serde_json::Value;
use sfn_harness::prelude::*;

/// A fresh, seeded harness per test.
#[fixture]
async fn harness() -> Harness {
    Harness::builder().seed(1).start().await
}

/// Loads `fixtures/<name>.asl.json` into a harness.
async fn machine(h: &Harness, name: &str) -> Machine {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.asl.json"));
    h.load_state_machine(path, None)
        .await
        .expect("the fixture is a valid definition")
}

/// The Task states of a definition (recursively, through Parallel branches and Map processors).
fn task_states(def: &Value, out: &mut Vec<String>) {
    if let Some(states) = def.get("States").and_then(Value::as_object) {
        for (name, s) in states {
            match s.get("Type").and_then(Value::as_str) {
                Some("Task") => out.push(name.clone()),
                Some("Parallel") => {
                    for b in s["Branches"].as_array().into_iter().flatten() {
                        task_states(b, out);
                    }
                }
                Some("Map") => {
                    let p = s.get("ItemProcessor").or_else(|| s.get("Iterator"));
                    if let Some(p) = p {
                        task_states(p, out);
                    }
                }
                _ => {}
            }
        }
    }
}

#[rstest]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_runs_to_the_end(
    #[files("fixtures/*.input.json")] input: PathBuf,
    #[future] harness: Harness,
) {
    let h = harness.await;
    let stem = input
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".input.json"))
        .expect("an input fixture name");
    let definition: Value = serde_json::from_str(
        &std::fs::read_to_string(input.with_file_name(format!("{stem}.asl.json"))).unwrap(),
    )
    .unwrap();
    let replies: Value =
        std::fs::read_to_string(input.with_file_name(format!("{stem}.replies.json")))
            .map(|t| serde_json::from_str(&t).expect("replies fixture is JSON"))
            .unwrap_or(Value::Null);
    let mut tasks = Vec::new();
    task_states(&definition, &mut tasks);
    for t in &tasks {
        let reply = replies.get(t).cloned();
        h.on_task(t)
            .respond_with(Reply::with(move |task| {
                Answer::Success(reply.clone().unwrap_or_else(|| task.input.clone()))
            }))
            .mount()
            .await;
    }
    let m = machine(&h, stem).await;
    let input: Value = serde_json::from_str(&std::fs::read_to_string(&input).unwrap()).unwrap();
    let done = m.start(input).await.unwrap().finish().await.unwrap();
    assert_eq!(
        done.status(),
        Status::Succeeded,
        "{stem}: {:?} {:?}\n{}",
        done.error(),
        done.cause(),
        done.timeline()
    );
}

#[rstest]
#[case::approved("approved", Status::Succeeded)]
#[case::declined("declined", Status::Failed)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_decision(
    #[case] verdict: &str,
    #[case] expected: Status,
    #[future] harness: Harness,
) {
    let h = harness.await;
    let m = machine(&h, "credit").await;
    h.on_task("CheckCredit")
        .respond(serde_json::json!({ "status": verdict }))
        .expect(1)
        .mount()
        .await;
    let done = m
        .start(serde_json::json!({ "customer": "c" }))
        .await
        .unwrap()
        .finish()
        .await
        .unwrap();
    assert_eq!(done.status(), expected);
}
