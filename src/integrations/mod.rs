//! The Task resources the crate implements, each a [`TaskHandler`](crate::engine::task::TaskHandler)
//! of the engine's task port, in one file per resource family.
//!
//! | file | resources |
//! |---|---|
//! | [`sqs`] | `arn:aws:states:::sqs:sendMessage` (and `.waitForTaskToken`) |
//! | [`activity`] | `arn:aws:states:<region>:<account>:activity:<name>` |
//!
//! Integrations depend on the engine's port and on the services they call (SQS); the engine
//! knows none of them. The composition root, [`Account`](crate::account::Account), registers
//! them on an engine.

pub mod activity;
pub mod sqs;
