//! The fake's own tests of its services (engine, SQS, the HTTP layer), moved into the crate
//! from `tests/` so they can reach what the [`internals`](crate::internals) door does not
//! export. Tests of a workflow through the harness or the wire stay in `tests/`.
//!
//! `tests/support` is shared with the test binaries; the crate names itself `sfn_harness`
//! under `cfg(test)` (see `lib.rs`) so its paths resolve here too.

#[allow(unreachable_pub)]
#[path = "../../tests/support/mod.rs"]
pub(crate) mod support;

mod conformance;
mod distributed_map;
mod doc_examples;
mod engine;
mod operations;
