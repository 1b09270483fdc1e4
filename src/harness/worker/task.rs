//! What a scripted worker sees of a task.

use serde_json::Value;

use crate::sqs::ReceivedMessage;

/// What a scripted worker sees of a task: what a reply closure
/// ([`Worker::respond_with`](crate::Worker::respond_with), [`Reply::with`](crate::Reply::with))
/// decides from.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::start().await;
/// let machine = h.create_state_machine("quote", json!({
///     "StartAt": "Price",
///     "States": { "Price": {
///         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:price",
///         "End": true } }
/// })).await?;
///
/// h.on_task("Price")
///     .respond_with(Reply::with(|task: &WorkerTask| {
///         assert_eq!(task.state_name, "Price");
///         assert!(task.token.is_none()); // no `.waitForTaskToken`: the worker is the resource
///         Answer::Success(json!({ "total": task.input["qty"].as_u64().unwrap_or(0) * 3 }))
///     }))
///     .mount()
///     .await;
///
/// let done = machine.start(json!({ "qty": 4 })).await?.finish().await?;
/// assert_eq!(done.output(), Some(&json!({ "total": 12 })));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WorkerTask {
    /// The Task state's name.
    pub state_name: String,
    /// The execution's ARN.
    pub execution_arn: String,
    /// The state machine's ARN.
    pub state_machine_arn: String,
    /// The task as the worker receives it: for SQS, the message body (parsed if it is JSON);
    /// otherwise the task's effective input.
    pub input: Value,
    /// The task token, for `.waitForTaskToken` tasks.
    pub token: Option<String>,
    /// `$$.State.RetryCount` of the attempt (0 for the first).
    pub attempt: u64,
    /// How many deliveries this worker had before this one (0 for the first).
    pub delivery: u64,
    /// For a `sqs:sendMessage` task, the SQS message as the worker received it: its system
    /// attributes (`ApproximateReceiveCount`, `SentTimestamp`, …) and `MessageAttributes`.
    pub message: Option<ReceivedMessage>,
}
