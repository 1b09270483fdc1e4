//! The one door to the parts below the [`Harness`](crate::Harness): for custom entry points
//! (serving an account on a port), custom Task resources, benchmarks, and fuzzing or
//! conformance suites of the ASL evaluators.
//!
//! A test of *your* workflow never needs this module: [`Harness`](crate::Harness),
//! [`Worker`](crate::Worker), [`Fault`](crate::Fault) and the [`prelude`](crate::prelude) cover
//! it. What is here is re-exported one by one, with only the methods listed public, so the set
//! stays small and deliberate; the modules it comes from are private, and anything not listed
//! here may change in any release. The fake's own tests of its services (engine, SQS, SNS,
//! S3, the HTTP layer) live inside the crate (`src/tests/`), not on this door.
//!
//! | item | what it is for |
//! |---|---|
//! | [`Account`] (`new`, `router`, `engine`, `s3`, `sns`), [`AccountConfig`] | one fake AWS account wired together (clock, ids, engine, SQS, S3, SNS, integrations, router): the composition root the harness and `sfn-harness serve` share; the config also points Lambda Tasks at a Lambda endpoint and loads a MockConfigFile. [`Harness::account`](crate::Harness::account) returns the harness's own |
//! | [`Server`] (`bind`, `url`, `shutdown`), [`Router`] (`handle`) | the HTTP layer: serve an account on a port (what `sfn-harness serve` does; port 0 lets the OS pick), or answer one JSON-protocol request in-process |
//! | [`Engine`] (`register_resource`, `create_state_machine`, `start_execution`, `open_token_count`), [`ExecutionRecord`] (`wait`) | the Step Functions engine without HTTP, for benchmarks and custom entry points: create a machine, start executions, wait for their status, count the tokens still open |
//! | [`handler`], [`TaskRequest`] | the task port: a closure as the handler of a Task resource ([`Engine::register_resource`], [`Harness::on_resource`](crate::Harness::on_resource)) |
//! | [`function`] | a Rust closure as a Lambda function ([`Harness::lambda_function`](crate::Harness::lambda_function)) |
//! | [`S3`] (`create_bucket`, `put_object`), [`Sns`] (`create_topic`, `subscribe`) | seed the account's S3 objects (a distributed Map's `ItemReader`) and SNS topics and subscriptions from a test ([`Account::s3`], [`Account::sns`]) |
//! | [`Env`] (`new`), [`Path`] (`parse`, `read`, `set`), [`evaluate_payload`], [`parse_intrinsic`], [`evaluate_intrinsic`], [`Expression`] (`parse`, `evaluate`), [`Host`] (`new`), [`JsonataError`] | the ASL evaluators (JSONPath, payload templates, intrinsic functions, JSONata) as pure functions, for fuzzing and conformance suites |
//!
//! ```
//! use sfn_harness::internals::{handler, Account, AccountConfig, TaskRequest};
//! use sfn_harness::{Clock, Status};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let account = Account::new(AccountConfig { clock: Clock::virtual_at(0), ..AccountConfig::default() });
//! let engine = account.engine();
//! let double = "arn:aws:lambda:us-east-1:123456789012:function:double";
//! engine.register_resource(
//!     double,
//!     handler(|req: TaskRequest| async move { Ok(json!(req.input["n"].as_i64().unwrap_or(0) * 2)) }),
//! );
//! let definition = json!({ "StartAt": "Double",
//!     "States": { "Double": { "Type": "Task", "Resource": double, "End": true } } });
//! let machine = engine.create_state_machine("math", &definition.to_string()).unwrap();
//! let execution = engine.start_execution(&machine.arn, None, Some(r#"{"n": 21}"#)).unwrap();
//! assert_eq!(execution.wait().await, Status::Succeeded);
//!
//! // The same account over its JSON protocol, in-process (a `Server` puts it on a port).
//! let reply = account.router().handle(Some("AmazonSQS.ListQueues"), b"{}").await;
//! assert_eq!(reply.status, 200);
//! # }
//! ```

pub use crate::account::{Account, AccountConfig};
pub use crate::asl::env::Env;
pub use crate::asl::intrinsics::{evaluate as evaluate_intrinsic, parse as parse_intrinsic};
pub use crate::asl::jsonata::{Expression, Host, JsonataError};
pub use crate::asl::path::Path;
pub use crate::asl::payload::evaluate as evaluate_payload;
pub use crate::engine::task::{handler, TaskRequest};
pub use crate::engine::{Engine, ExecutionRecord};
pub use crate::integrations::lambda::function;
pub use crate::s3::S3;
pub use crate::server::{Router, Server};
pub use crate::sns::Sns;
