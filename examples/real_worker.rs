//! The worker under test is real code: `invoice_worker` is what a service would run in
//! production, written against `aws_sdk_sqs` and `aws_sdk_sfn`. It long-polls a queue, parses
//! each message, totals the invoice, answers the task token with `SendTaskSuccess` (or
//! `SendTaskFailure` for a bad invoice) and deletes the message.
//!
//! Here it runs against a `Harness`: the same clients, pointed at the harness's endpoint, drive a
//! state machine whose Task sends the invoice with `sqs:sendMessage.waitForTaskToken`.
//!
//! Run it with `cargo run --example real_worker`.

use std::time::Instant;

use serde_json::{json, Value};
use sfn_harness::prelude::*;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The invoice's total in cents, or why it cannot be totalled.
fn total_cents(invoice: &Value) -> Result<u64, String> {
    let lines = invoice["lines"]
        .as_array()
        .ok_or("the invoice has no lines")?;
    lines.iter().try_fold(0u64, |sum, line| {
        let qty = line["qty"].as_u64().filter(|q| *q > 0);
        let price = line["priceCents"].as_u64();
        match (qty, price) {
            (Some(q), Some(p)) => Ok(sum + q * p),
            _ => Err(format!("bad line: {line}")),
        }
    })
}

/// The worker, as it would run in production: receive, work, answer the token, delete.
async fn invoice_worker(
    sqs: aws_sdk_sqs::Client,
    sfn: aws_sdk_sfn::Client,
    queue_url: String,
) -> Result<(), BoxError> {
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(20)
            .send()
            .await?;
        for message in received.messages() {
            let body: Value = serde_json::from_str(message.body().unwrap_or("{}"))?;
            let token = body["taskToken"].as_str().unwrap_or_default();
            match total_cents(&body["invoice"]) {
                Ok(total) => {
                    sfn.send_task_success()
                        .task_token(token)
                        .output(json!({ "totalCents": total }).to_string())
                        .send()
                        .await?;
                }
                Err(why) => {
                    sfn.send_task_failure()
                        .task_token(token)
                        .error("InvalidInvoice")
                        .cause(why)
                        .send()
                        .await?;
                }
            }
            if let Some(handle) = message.receipt_handle() {
                sqs.delete_message()
                    .queue_url(&queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await?;
            }
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    let h = Harness::builder().seed(3).start().await;
    let sqs = h.sqs_client().await;
    let sfn = h.sfn_client().await;

    // The infrastructure, created through the SDK as a deployment would.
    let queue_url = sqs
        .create_queue()
        .queue_name("invoices")
        .send()
        .await?
        .queue_url()
        .unwrap_or_default()
        .to_string();
    let machine = h
        .create_state_machine(
            "billing",
            json!({
                "StartAt": "TotalInvoice",
                "States": { "TotalInvoice": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {
                        "QueueUrl": queue_url,
                        "MessageBody": { "invoice.$": "$", "taskToken.$": "$$.Task.Token" }
                    },
                    "TimeoutSeconds": 300,
                    "End": true } }
            }),
        )
        .await?;

    // The code under test runs next to the harness, as it would next to AWS.
    let worker = tokio::spawn(invoice_worker(sqs, sfn, queue_url));

    let invoices = [
        json!({ "lines": [{ "sku": "pen", "qty": 3, "priceCents": 150 }] }),
        json!({ "lines": [{ "sku": "desk", "qty": 1, "priceCents": 24900 },
                          { "sku": "lamp", "qty": 2, "priceCents": 3450 }] }),
        json!({ "lines": [{ "sku": "chair", "qty": 0, "priceCents": 8900 }] }),
    ];
    let wall = Instant::now();
    let mut executions = Vec::new();
    for invoice in invoices {
        executions.push(machine.start(invoice).await?);
    }
    for exec in &executions {
        let done = exec.finish().await?;
        match done.status() {
            Status::Succeeded => println!(
                "{}: {}",
                done.status(),
                done.output().cloned().unwrap_or_default()
            ),
            status => println!(
                "{status}: {} ({})",
                done.error().unwrap_or_default(),
                done.cause().unwrap_or_default()
            ),
        }
    }
    println!(
        "{} executions answered by the real worker in {:?} of wall time",
        executions.len(),
        wall.elapsed()
    );

    // The worker loops until it is stopped; if it stopped by itself, it hit an error: show it.
    if worker.is_finished() {
        worker.await??;
    } else {
        worker.abort();
    }
    Ok(())
}
