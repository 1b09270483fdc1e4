//! [`Machine::mock_workers`]: a MockConfigFile test case as scripted [`Worker`] values, for a
//! test that starts from the mock file the team has and changes one response in code.

use std::time::Duration;

use serde_json::Value;

use super::{HarnessError, Machine, Reply, Worker};
use crate::asl::{Definition, State, StateKind};
use crate::engine::ApiError;
use crate::mock_config::{MockConfig, Mocked};

/// A state by name, anywhere in the machine (Parallel branches, Map processors).
fn find<'a>(def: &'a Definition, name: &str) -> Option<&'a State> {
    def.state(name).or_else(|| {
        def.states.iter().find_map(|s| match &s.kind {
            StateKind::Parallel(p) => p.branches.iter().find_map(|b| find(b, name)),
            StateKind::Map(m) => find(&m.processor, name),
            _ => None,
        })
    })
}

impl Machine {
    /// The test case `test_case` of `config` for this machine, as scripted workers: one
    /// [`Worker`] per mocked state, answering its invocations in the mock file's order (`Return`
    /// → [`Reply::respond`], `Throw` → [`Reply::fail`], `AfterMs` → [`Reply::after`]) and taking
    /// as many tasks as the response has entries ([`Worker::times`]), so later invocations are
    /// left to the workers mounted after it. A Lambda state's worker is the function, so it
    /// answers the mocked Invoke response's `Payload`. Mount them all, or change one first.
    ///
    /// Workers answer the tasks the harness gives them: Lambda, `.waitForTaskToken`, activities
    /// and resources with no integration of their own. A state of a test case whose resource has
    /// its own integration (`sqs:sendMessage`, `states:startExecution`) is refused: keep it in
    /// the mock file ([`Machine::start_test_case`]).
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use sfn_harness::MockConfig;
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::start().await;
    /// let config = MockConfig::from_value(&json!({
    ///     "StateMachines": { "quote": { "TestCases": { "Flaky": { "Price": "FlakyPrice" } } } },
    ///     "MockedResponses": { "FlakyPrice": {
    ///         "0": { "Throw": { "Error": "Busy", "Cause": "try again" } },
    ///         "1": { "Return": { "StatusCode": 200, "Payload": { "price": 10 } } } } }
    /// }))?;
    /// let quote = h.create_state_machine("quote", json!({ "StartAt": "Price", "States": {
    ///     "Price": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
    ///                "Parameters": { "FunctionName": "price" },
    ///                "Retry": [{ "ErrorEquals": ["Busy"], "IntervalSeconds": 1 }],
    ///                "OutputPath": "$.Payload", "End": true } } })).await?;
    /// for worker in quote.mock_workers(&config, "Flaky")? {
    ///     h.mount(worker).await;
    /// }
    /// let done = quote.start(json!({})).await?.finish().await?;
    /// assert_eq!(done.output(), Some(&json!({ "price": 10 })));
    /// # Ok(()) }
    /// ```
    pub fn mock_workers(
        &self,
        config: &MockConfig,
        test_case: &str,
    ) -> Result<Vec<Worker>, HarnessError> {
        let machine = &self.inner.name;
        let case = config.test_case(machine, test_case).ok_or_else(|| {
            ApiError::validation(format!(
                "the mock configuration has no test case '{test_case}' for the state machine '{machine}' (it has: {})",
                config.test_cases(machine).join(", ")
            ))
        })?;
        let mut workers = Vec::new();
        for state in case.states() {
            let resource = match find(&self.inner.definition, state).map(|s| &s.kind) {
                Some(StateKind::Task(t)) => t.resource.clone(),
                _ => {
                    return Err(ApiError::validation(format!(
                        "test case '{test_case}' mocks '{state}', which is not a Task state of '{machine}'"
                    ))
                    .into())
                }
            };
            let own_integration = !resource.ends_with(".waitForTaskToken")
                && (resource.starts_with("arn:aws:states:::sqs:sendMessage")
                    || resource.starts_with("arn:aws:states:::states:startExecution")
                    || resource.starts_with("arn:aws:states:::aws-sdk:sfn:"));
            if own_integration {
                return Err(ApiError::validation(format!(
                    "state '{state}' ({resource}) runs its own integration, which a scripted worker cannot stand in for: keep it in the mock file (start_test_case)"
                ))
                .into());
            }
            let lambda = resource.starts_with("arn:aws:lambda:")
                || resource.starts_with("arn:aws:states:::lambda:invoke");
            // `case.states()` lists only states the test case names.
            let Some(response) = case.response(state) else {
                continue;
            };
            let mut worker = Worker::on_task(state)
                .for_machine(machine.clone())
                .named(format!(
                    "{} ({test_case})",
                    case.response_name(state).unwrap_or(state)
                ))
                .times(response.len());
            for n in 0..response.len() {
                let Some(entry) = response.entry(n) else {
                    break;
                };
                let reply = match &entry.answer {
                    Mocked::Return(v) if lambda => {
                        Reply::respond(v.get("Payload").cloned().unwrap_or(Value::Null))
                    }
                    Mocked::Return(v) => Reply::respond(v.clone()),
                    Mocked::Throw { error, cause } => Reply::fail(error.clone(), cause.clone()),
                };
                let reply = if entry.after_ms > 0 {
                    reply.after(Duration::from_millis(entry.after_ms))
                } else {
                    reply
                };
                worker = worker.then(reply);
            }
            workers.push(worker);
        }
        Ok(workers)
    }
}
