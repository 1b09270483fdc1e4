//! Scenario tests written as users write them: a harness per test, scripted workers (or real
//! SDK workers), and the history asserted with `insta` snapshots (committed under
//! `tests/scenarios/snapshots/`). One module per feature.

use std::time::Duration;

use serde_json::{json, Value};
use sfn_harness::prelude::*;

#[path = "../support/mod.rs"]
mod support;

mod activities;
mod callbacks;
mod data_flow;
mod faults;
mod fixtures;
mod heartbeats;
mod http;
mod jsonata;
mod lambda;
mod mock_config;
mod nested;
mod parallel_map;
mod reports;
mod retries;
mod seeds;
mod sns;
mod sqs_callbacks;
mod test_state;
mod time;
mod timeouts;
mod trust;
mod worker_loop;

const CREDIT: &str = include_str!("../../fixtures/credit.asl.json");
const ORDER: &str = include_str!("../../fixtures/order.asl.json");
const APPROVAL: &str = include_str!("../../fixtures/approval.asl.json");

/// A Task that waits for a callback: the worker gets the task token in the Lambda payload.
fn callback(extra: Value) -> Value {
    let parameters = json!({ "Payload.$": "$", "token.$": "$$.Task.Token" });
    support::with(support::lambda_callback(parameters), extra)
}

/// [`callback`], with the state's name in the payload too.
fn named_callback(state: &str, extra: Value) -> Value {
    let parameters = json!({ "Payload.$": "$", "token.$": "$$.Task.Token", "state": state });
    support::with(support::lambda_callback(parameters), extra)
}
