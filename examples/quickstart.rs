//! The README's main example: a callback workflow answered by a scripted worker, under virtual
//! time, with the normalized history printed.
//!
//! Run it with `cargo run --example quickstart`.

use std::time::Duration;

use serde_json::json;
use sfn_harness::prelude::*;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One fake AWS account, seeded so the run repeats exactly.
    let h = Harness::builder().seed(7).start().await;

    let machine = h
        .create_state_machine("credit", include_str!("../fixtures/credit.asl.json"))
        .await?;

    // The worker we don't want to run for real: it answers the task token after 250 ms.
    h.on_task("CheckCredit")
        .respond_with(
            Reply::respond(json!({ "status": "approved" })).after(Duration::from_millis(250)),
        )
        .expect(1)
        .mount()
        .await;

    let started = std::time::Instant::now();
    let done = machine
        .start(json!({ "customer": "c-1" }))
        .await?
        .finish()
        .await?;

    println!("status: {}", done.status());
    println!("output: {}", serde_json::to_string(&done.output())?);
    println!(
        "ran {:?} of harness time in {:?} of wall time",
        done.duration(),
        started.elapsed()
    );
    println!("\ntimeline:\n{}", done.timeline());
    println!("normalized history (what insta snapshots):");
    println!("{}", serde_json::to_string_pretty(done.history())?);
    Ok(())
}
