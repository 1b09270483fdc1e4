//! # sfn-harness
//!
//! An in-process fake of AWS Step Functions and Amazon SQS for Rust integration tests.
#![warn(missing_docs)]

pub mod asl;
pub mod engine;
pub mod server;
pub mod sqs;
