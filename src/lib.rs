//! # sfn-harness
//!
//! An in-process fake of AWS Step Functions and Amazon SQS for Rust integration tests.
#![warn(missing_docs)]

pub mod account;
pub mod arn;
pub mod asl;
pub mod engine;
pub mod harness;
pub mod ids;
pub mod integrations;
pub mod picture;
pub mod server;
pub mod sqs;
pub(crate) mod sync;
pub mod time;

pub use sfn_harness_macros::test;

#[doc(hidden)]
pub mod __private {
    pub use tokio;
    /// The error type a `#[sfn_harness::test]` body's `?` converts into.
    pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
}

/// Everything a test usually needs: `use sfn_harness::prelude::*;`.
pub mod prelude {
    pub use crate::engine::Status;
    pub use crate::harness::{
        Answer, Execution, Fault, FaultPlan, Finished, Harness, HarnessBuilder, HarnessError,
        Machine, Reply, WorkerTask,
    };
}

/// The README's code blocks, compiled and run as doc-tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
