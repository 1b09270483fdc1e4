//! The one door to the parts below the [`Harness`](crate::Harness): for tests of the fake
//! itself, custom entry points and benchmarks.
//!
//! A test of *your* workflow never needs this module: [`Harness`](crate::Harness),
//! [`Worker`](crate::Worker), [`Fault`](crate::Fault) and the [`prelude`](crate::prelude) cover
//! it. What is here is what the harness is built from, re-exported one by one so the set stays
//! small and deliberate; the modules it comes from are private, and anything not listed here may
//! change in any release.
//!
//! | item | what it is for |
//! |---|---|
//! | [`Account`], [`AccountConfig`] | one fake AWS account wired together (clock, ids, engine, SQS, integrations, router): the composition root the harness, `sfn-harness serve` and the conformance tests share. [`Harness::account`](crate::Harness::account) returns the harness's own |
//! | [`Engine`], [`EngineConfig`], [`ExecutionRecord`], [`Retained`], [`MachineType`], [`ApiError`] | the Step Functions service as Rust calls, without HTTP: drive executions step by step on a virtual clock |
//! | [`TaskHandler`], [`TaskRequest`], [`handler`], [`EngineHandle`], [`EventFamily`], [`Pattern`], [`Resource`], [`BoxFuture`] | the task port: what a Task state's resource handler receives, to register your own resource on an [`Engine`] |
//! | [`LambdaFunction`], [`FunctionCall`], [`function`], [`LambdaEndpoint`] | a Lambda function in-process ([`Harness::lambda_function`](crate::Harness::lambda_function)), or a real Lambda endpoint to forward `lambda:invoke` to |
//! | [`Sqs`], [`SqsError`], [`ErrorType`], its requests and answers ([`CreateQueue`], [`SendMessage`], [`ReceiveMessage`], [`ListQueues`], [`ChangeVisibilityEntry`], [`BatchOutput`], …), [`MessageAttributeValue`], [`RedrivePolicy`], [`in_region`] | the SQS service as Rust calls, without HTTP (in a region other than the account's with [`in_region`]) |
//! | [`S3`], [`S3Error`], [`Sns`], [`Publish`], [`QueueDelivery`], [`QueueMessage`], [`SnsApi`] | the S3 (buckets and objects for distributed Maps and `aws-sdk:s3:*` tasks: [`Account::s3`]) and SNS (topics delivering to queues: [`Account::sns`]) services as Rust calls |
//! | [`Router`], [`Server`], [`JsonService`], [`JsonReply`], [`intercept`], [`SFN_OPERATIONS`], [`SQS_OPERATIONS`], [`SfnApi`] | the HTTP layer: serve an account on a port, plug in a service or an interceptor, check the operation tables |
//! | [`Env`], [`path`], [`payload`], [`intrinsics`], [`jsonata`] | the ASL evaluators (JSONPath, payload templates, intrinsic functions, JSONata) as pure functions, for fuzzing and conformance suites |
//!
//! ```
//! use sfn_harness::internals::{handler, Account, AccountConfig, TaskRequest};
//! use sfn_harness::Clock;
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let account = Account::new(AccountConfig { clock: Clock::virtual_at(0), ..AccountConfig::default() });
//! let engine = account.engine();
//! engine.register_resource(
//!     "arn:aws:lambda:us-east-1:123456789012:function:double",
//!     handler(|req: TaskRequest| async move { Ok(json!(req.input["n"].as_i64().unwrap_or(0) * 2)) }),
//! );
//! let reply = account.router().handle(Some("AmazonSQS.ListQueues"), b"{}").await;
//! assert_eq!(reply.status, 200);
//! # }
//! ```

pub use crate::account::{Account, AccountConfig};
pub use crate::asl::env::Env;

/// JSONPath as Step Functions reads and writes it (`$.a.b`, `$$.Execution.Id`, `$var`).
pub mod path {
    pub use crate::asl::path::*;
}

/// Payload templates (`"key.$": "$.path"`) evaluated against an [`Env`].
pub mod payload {
    pub use crate::asl::payload::*;
}

/// Intrinsic functions (`States.Format`, `States.Array`, ...): parse and evaluate.
pub mod intrinsics {
    pub use crate::asl::intrinsics::*;
}

/// The JSONata bridge (over `jsonata-core`), with the Step Functions host functions.
pub mod jsonata {
    pub use crate::asl::jsonata::{
        CancelHandle, ErrorKind, Expression, Host, JsonataError, Limits,
    };
}
pub use crate::engine::task::{
    handler, BoxFuture, EngineHandle, EventFamily, Pattern, Resource, TaskHandler, TaskRequest,
};
pub use crate::engine::{ApiError, Engine, EngineConfig, ExecutionRecord, MachineType, Retained};
// Also at the crate root; here too so every `engine::`, `sqs::` and `asl::` path of the
// services has one replacement (a re-export counts once).
pub use crate::asl::StatesError;
pub use crate::engine::{HistoryEvent, OpenToken, Status};
pub use crate::integrations::lambda::{function, FunctionCall, LambdaEndpoint, LambdaFunction};
pub use crate::s3::{S3Error, S3};
pub use crate::server::sfn_api::{SfnApi, SFN_OPERATIONS};
pub use crate::server::sns_api::SnsApi;
pub use crate::server::sqs_api::SQS_OPERATIONS;
pub use crate::server::{JsonReply, JsonService, Router, Server};
pub use crate::sns::{Publish, QueueDelivery, QueueMessage, Sns};
pub use crate::sqs::ReceivedMessage;

/// Interceptors: a seam around every request of a [`Router`] (the harness injects its API faults
/// through one); see [`Router::with_interceptor`].
pub mod intercept {
    pub use crate::server::intercept::{After, Before, Call, Interceptor, Outcome};
}
pub use crate::sqs::{
    in_region, BatchFailure, BatchOutput, ChangeVisibilityEntry, CreateQueue, ErrorType,
    ListQueues, ListQueuesOutput, MessageAttributeValue, ReceiveMessage, RedrivePolicy,
    SendMessage, SendMessageOutput, Sqs, SqsError,
};
