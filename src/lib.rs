//! # sfn-harness
//!
//! An in-process fake of AWS Step Functions and Amazon SQS for Rust integration tests.
//!
//! Start with [`prelude`] and [`Harness`]; the README (below the crate's items on docs.rs, and
//! in the repository) walks through the concepts in the order a test needs them.
//!
//! ```
//! use sfn_harness::prelude::*;
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let h = Harness::start().await;
//! let machine = h.create_state_machine("hello", json!({
//!     "StartAt": "Greet",
//!     "States": { "Greet": {
//!         "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet",
//!         "End": true } }
//! })).await?;
//! h.mount(Worker::on_task("Greet").respond(json!("Hello, world!")).expect(1)).await;
//!
//! let done = machine.start(json!({})).await?.finish().await?;
//! assert_eq!(done.output(), Some(&json!("Hello, world!")));
//! # Ok(()) }
//! ```
//!
//! What a test touches is here at the root, as `wiremock`'s and `insta`'s is (the common part
//! also in the [`prelude`]):
//!
//! | items | what they are |
//! |---|---|
//! | [`Harness`], [`HarnessBuilder`], [`Machine`], [`Execution`], [`Finished`] | one fake AWS account per test, its state machines and executions |
//! | [`Worker`], [`Reply`], [`Answer`], [`WorkerTask`], [`WorkerHandle`], [`Times`] | scripted workers, built like `wiremock` mocks, with expectations |
//! | [`Fault`], [`FaultPlan`], [`FaultReport`], [`FaultHandle`] | injected failures of AWS, of queues and of time, and what was injected |
//! | [`NormalizedHistory`], [`Timeline`], [`HistoryEvent`], [`Picture`] | histories for snapshots, the compact timeline, and pictures (Mermaid, HTML) |
//! | [`Harness::test_state`], [`TestStateBuilder`], [`TestStateOutput`] | AWS's TestState API |
//! | [`MockConfig`] | Step Functions Local's MockConfigFile ([`Harness::load_mock_config`]) |
//! | [`HarnessError`], [`VerificationError`], [`ExecutionReport`] | what went wrong, with where each execution stood |
//! | [`Clock`] ([`time`]) | the clock (virtual or real) every part of the fake runs on |
//!
//! | module | what it is |
//! |---|---|
//! | [`asl`] | the Amazon States Language: parse and inspect a definition offline |
//! | [`internals`] | the one door to the parts below the harness: the account, the engine, SQS, the HTTP server, the task port and the ASL evaluators |
//!
//! # Determinism
//!
//! A seeded harness ([`HarnessBuilder::seed`]) gives byte-identical normalized and raw
//! histories (queue URLs aside, which carry the endpoint's port) however threads interleave.
//! Events due at the same virtual instant happen one at a time, each after what the previous
//! one set off has settled, in a defined order: timers due together fire in the order the fibers
//! that set them were started (see [`Clock`]). A scripted worker's delivery is started when its
//! task is issued, so simultaneous answers (four Map items answered after the same delay) are
//! recorded in the order the tasks were issued. Seeded ids come from streams no other thread
//! draws from at the same moment: task tokens per execution, SQS message ids from the senders'
//! stream and receipt handles from their own (README §4, "Simultaneous events").
#![warn(missing_docs, unreachable_pub, missing_debug_implementations)]

// The services and their wiring are crate-private: a user reaches what they need of them
// through `internals` (one documented door) or through the harness, whose items (and those of
// `mock_config` and `picture`) are re-exported here.
pub(crate) mod account;
pub(crate) mod arn;
pub mod asl;
pub(crate) mod engine;
pub(crate) mod harness;
pub(crate) mod ids;
pub(crate) mod integrations;
pub mod internals;
pub(crate) mod json_text;
pub(crate) mod mock_config;
pub(crate) mod picture;
pub(crate) mod s3;
pub(crate) mod server;
pub(crate) mod sns;
pub(crate) mod sqs;
pub(crate) mod sync;
pub mod time;

// The crate's own tests of its services (`src/tests/`) share `tests/support` with the test
// binaries, whose paths name the crate `sfn_harness`.
#[cfg(test)]
extern crate self as sfn_harness;
#[cfg(test)]
mod tests;

/// A Tokio test that receives a fresh [`Harness`]: `#[sfn_harness::test]`,
/// `#[sfn_harness::test(seed = 7)]`, `#[sfn_harness::test(real_time, timeout = 60)]`.
///
/// The body may use `?` on any error that converts into
/// `Box<dyn std::error::Error + Send + Sync>`: [`HarnessError`] (from `create_state_machine`,
/// `start`, `finish`, `inject`, …), [`VerificationError`] (from
/// `verify`), the AWS SDKs' errors, `serde_json::Error`, `std::io::Error`, a `String`. An error
/// fails the test with its text (`test `name` returned an error: …`). A body that declares its
/// own return type (`-> Result<(), MyError>`) keeps it.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
///
/// #[sfn_harness::test(seed = 7)]
/// async fn greets(h: Harness) {
///     let machine = h.create_state_machine("hello", json!({
///         "StartAt": "Hi", "States": { "Hi": { "Type": "Pass", "Result": "hi", "End": true } }
///     })).await?;                                        // HarnessError
///     let done = machine.start(json!({})).await?.finish().await?;
///     let text = serde_json::to_string(done.history())?; // serde_json::Error
///     assert!(text.contains("PassStateEntered"));
///     h.verify()?;                                       // VerificationError
/// }
/// # fn main() {}
/// ```
pub use sfn_harness_macros::test;

#[doc(inline)]
pub use crate::engine::HistoryEvent;
#[doc(inline)]
pub use crate::engine::OpenToken;
#[doc(inline)]
pub use crate::engine::Status;
#[cfg(feature = "sdk")]
#[doc(inline)]
pub use crate::harness::NoHostPrefix;
#[doc(inline)]
pub use crate::harness::{
    Answer, Execution, ExecutionReport, Fault, FaultEvent, FaultHandle, FaultPlan, FaultPlanError,
    FaultReport, FieldValidationMode, Finished, Harness, HarnessBuilder, HarnessError,
    InjectedFault, InspectionLevel, IntoDefinition, InvalidFault, Machine, NormalizedEvent,
    NormalizedHistory, Pictures, Reply, TestStateBuilder, TestStateOutput, TestStatus, Timeline,
    Times, Unmet, VerificationError, Visit, WaitingTask, Worker, WorkerHandle, WorkerSummary,
    WorkerTask,
};
#[doc(inline)]
pub use crate::mock_config::{MockConfig, MockConfigError};
#[doc(inline)]
pub use crate::picture::{Picture, PictureError};
#[doc(inline)]
pub use crate::sqs::ReceivedMessage;
#[doc(inline)]
pub use crate::time::Clock;

#[doc(hidden)]
pub mod __private {
    pub use tokio;
    /// The error type a `#[sfn_harness::test]` body's `?` converts into.
    pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
}

/// Everything a test usually needs: `use sfn_harness::prelude::*;`.
///
/// ```
/// use sfn_harness::prelude::*;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), HarnessError> {
/// let h: Harness = Harness::builder().seed(1).start().await;
/// let _clock: &Clock = h.clock();
/// let _worker: Worker = Worker::on_task("Work").respond(serde_json::json!({})).expect(Times::from(0..));
/// h.inject(Fault::throttle("StartExecution").times(0))?;
/// assert_eq!(Status::Succeeded.to_string(), "SUCCEEDED");
/// # Ok(()) }
/// ```
pub mod prelude {
    pub use crate::engine::Status;
    pub use crate::harness::{
        Answer, Execution, Fault, FaultPlan, Finished, Harness, HarnessBuilder, HarnessError,
        IntoDefinition, Machine, Reply, Times, Worker, WorkerHandle, WorkerTask,
    };
    pub use crate::time::Clock;
}

/// The README's code blocks, compiled and run as doc-tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
