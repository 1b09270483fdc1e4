//! Human approval: an expense waits for a manager's decision, sent as an SQS message that
//! carries the task token. The workflow runs three times, with a manager who approves, one who
//! rejects, and one who never answers, so the 24-hour `TimeoutSeconds` passes (in milliseconds of
//! wall time: the harness clock is virtual).
//!
//! Run it with `cargo run --example human_approval`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sfn_harness::prelude::*;

/// `HH:MM:SS.mmm`, as the harness's timelines print a time.
fn hms(d: Duration) -> String {
    let ms = d.as_millis();
    let (h, m, s) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60);
    format!("{h:02}:{m:02}:{s:02}.{:03}", ms % 1000)
}

/// The workflow under test.
fn definition() -> Value {
    json!({
        "Comment": "An expense waits up to 24 hours for a manager's decision",
        "StartAt": "AskManager",
        "States": {
            "AskManager": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl.$": "$.queueUrl",
                    "MessageBody": { "expense.$": "$.expense", "taskToken.$": "$$.Task.Token" }
                },
                "TimeoutSeconds": 86400,
                "ResultPath": "$.review",
                "Next": "Decision"
            },
            "Decision": {
                "Type": "Choice",
                "Choices": [
                    { "Variable": "$.review.decision", "StringEquals": "approve", "Next": "Reimburse" }
                ],
                "Default": "Reject"
            },
            "Reimburse": {
                "Type": "Pass",
                "Parameters": { "reimbursed.$": "$.expense.amount", "by.$": "$.review.by" },
                "End": true
            },
            "Reject": {
                "Type": "Fail",
                "Error": "ExpenseRejected",
                "Cause": "The manager rejected the expense"
            }
        }
    })
}

/// How the manager behaves in one run.
enum Manager {
    /// Answers "approve" after this long.
    Approves(Duration),
    /// Answers "reject" after this long.
    Rejects(Duration),
    /// Reads the message and never answers.
    NeverAnswers,
}

async fn run(title: &str, manager: Manager) -> Result<(), Box<dyn std::error::Error>> {
    let h = Harness::builder().seed(1).start().await;
    let queue = h.create_queue("expense-approvals").await?;
    let machine = h.create_state_machine("expense", definition()).await?;

    let worker = h.on_task("AskManager").named("the manager");
    let worker = match manager {
        Manager::Approves(after) => worker.respond_with(
            Reply::respond(json!({ "decision": "approve", "by": "maria" })).after(after),
        ),
        Manager::Rejects(after) => worker.respond_with(
            Reply::respond(json!({ "decision": "reject", "by": "maria" })).after(after),
        ),
        Manager::NeverAnswers => worker.respond_with(Reply::silent()),
    };
    worker.expect(1).mount().await;

    let wall = Instant::now();
    let done = machine
        .start(json!({ "queueUrl": queue, "expense": { "id": "e-17", "amount": 240 } }))
        .await?
        .finish()
        .await?;

    println!("== {title}");
    println!("status:   {}", done.status());
    if let Some(output) = done.output() {
        println!("output:   {output}");
    }
    if let Some(error) = done.error() {
        match done.cause() {
            Some(cause) => println!("error:    {error}: {cause}"),
            None => println!("error:    {error}"),
        }
    }
    println!(
        "took:     {} of harness time, {:?} of wall time",
        hms(done.duration()),
        wall.elapsed()
    );
    println!("timeline:\n{}", done.timeline());
    h.verify()?;
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(
        "approved after 3 hours",
        Manager::Approves(Duration::from_secs(3 * 3600)),
    )
    .await?;
    run(
        "rejected after 20 minutes",
        Manager::Rejects(Duration::from_secs(20 * 60)),
    )
    .await?;
    run("never answered: the 24 h timeout", Manager::NeverAnswers).await?;
    Ok(())
}
