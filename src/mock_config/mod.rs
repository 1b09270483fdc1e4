//! Step Functions Local's mock configuration (`MockConfigFile.json`), read as Step Functions
//! Local 2.0 reads it, and the per-execution state of a test case that runs with it.
//!
//! The format is documented on [`MockConfig`], the way in.

mod responses;
mod schema;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::Value;

pub(crate) use responses::{Mocked, MockedEntry, MockedResponse};

use crate::sync::lock;

/// Why a mock configuration was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MockConfigError {
    /// The file could not be read.
    #[error("cannot read the mock configuration {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The OS's reason.
        message: String,
    },
    /// The text is not JSON.
    #[error("the mock configuration is not JSON: {0}")]
    Json(String),
    /// The document breaks a rule of the format, at `path` inside it.
    #[error("invalid mock configuration at {path}: {message}")]
    Invalid {
        /// The JSON path of the offending value (`$.MockedResponses.R["1-2"]`).
        path: String,
        /// What is wrong there.
        message: String,
    },
}

/// A mock configuration document (Step Functions Local's MockConfigFile), checked when it is
/// read: [`Harness::load_mock_config`](crate::Harness::load_mock_config) loads it, and
/// [`Machine::start_test_case`](crate::Machine::start_test_case) runs one of its test cases.
///
/// ```
/// use sfn_harness::{MockConfig, MockConfigError};
///
/// let cfg = MockConfig::from_str(r#"{
///   "StateMachines": { "Orders": { "TestCases": { "HappyPath": { "Charge": "Charged" } } } },
///   "MockedResponses": { "Charged": { "0": { "Return": { "charged": true } } } }
/// }"#);
/// assert!(cfg.is_ok());
///
/// // A test case that names no mocked response is refused where it is wrong.
/// let err = MockConfig::from_str(r#"{ "StateMachines": { "Orders": { "TestCases": {
///     "HappyPath": { "Charge": "Nope" } } } } }"#).unwrap_err();
/// assert!(matches!(&err, MockConfigError::Invalid { path, .. }
///     if path == "$.StateMachines.Orders.TestCases.HappyPath.Charge"), "{err}");
///
/// // Invocation numbers must count from 0.
/// let bad = MockConfig::from_str(r#"{"MockedResponses": {"R": {"1": {"Return": 1}}}}"#).unwrap_err();
/// assert!(bad.to_string().contains("$.MockedResponses.R[\"1\"]"), "{bad}");
/// ```
///
/// A document maps state machine names to test cases, each naming, per Task state, a mocked
/// response; a mocked response answers invocation by invocation (`"0"`, `"1-2"`, …, inclusive
/// ranges numbered consecutively from 0), with `Return` (any JSON: the service's response) or
/// `Throw` (`Error` and `Cause`). An execution started on `<stateMachineArn>#<TestCase>` runs
/// that test case: each listed state's counter advances on every invocation (retries, loop
/// passes and Map iterations included), and an invocation with no response left fails with
/// `States.Runtime`; unlisted states call their real integration (developer guide,
/// "Configuration file for mocked service integrations in Step Functions",
/// sfn-local-mock-cfg-file.html, and "Using mocked service integrations for testing in Step
/// Functions Local", sfn-local-test-sm-exec.html).
///
/// The harness runs a test case with [`Harness::load_mock_config`](crate::Harness::load_mock_config)
/// and [`Machine::start_test_case`](crate::Machine::start_test_case), or turns one into scripted
/// workers with [`Machine::mock_workers`](crate::Machine::mock_workers).
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// machine name → test case name → test case.
    machines: HashMap<String, HashMap<String, Arc<TestCase>>>,
}

/// One test case: the mocked response of each state it lists.
#[derive(Debug, Clone)]
pub(crate) struct TestCase {
    /// The test case's name.
    pub name: String,
    /// state name → (response name, response).
    pub(crate) states: HashMap<String, (String, Arc<MockedResponse>)>,
}

impl TestCase {
    /// The mocked response of `state`, if the test case lists it.
    pub(crate) fn response(&self, state: &str) -> Option<&Arc<MockedResponse>> {
        self.states.get(state).map(|(_, r)| r)
    }

    /// The name of the mocked response of `state`.
    pub(crate) fn response_name(&self, state: &str) -> Option<&str> {
        self.states.get(state).map(|(n, _)| n.as_str())
    }

    /// The states it mocks, sorted.
    pub(crate) fn states(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.states.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }
}

impl MockConfig {
    /// Reads a document from JSON text.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<MockConfig, MockConfigError> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| MockConfigError::Json(e.to_string()))?;
        MockConfig::from_value(&v)
    }

    /// Reads a document from a JSON value.
    pub fn from_value(doc: &Value) -> Result<MockConfig, MockConfigError> {
        schema::parse(doc)
    }

    /// Reads a document from a file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<MockConfig, MockConfigError> {
        let p = path.as_ref();
        let text = std::fs::read_to_string(p).map_err(|e| MockConfigError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        })?;
        MockConfig::from_str(&text)
    }

    /// A test case of a state machine (by the machine's name).
    pub(crate) fn test_case(&self, machine: &str, test_case: &str) -> Option<Arc<TestCase>> {
        self.machines.get(machine)?.get(test_case).cloned()
    }

    /// The test case names of a state machine, sorted.
    pub(crate) fn test_cases(&self, machine: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .machines
            .get(machine)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        v.sort_unstable();
        v
    }
}

/// A test case as one execution runs it: the invocation counter of each mocked state.
#[derive(Debug)]
pub(crate) struct MockRun {
    case: Arc<TestCase>,
    counters: Mutex<HashMap<String, u64>>,
}

/// What a mocked state's next invocation gets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Invocation {
    /// The state is not mocked: call the real integration.
    Real,
    /// The mocked answer of invocation `number`.
    Mocked {
        /// The invocation number (from 0).
        number: u64,
        /// The answer.
        entry: MockedEntry,
    },
    /// The state is mocked but its response has no entry for invocation `number`.
    Exhausted {
        /// The invocation number (from 0).
        number: u64,
        /// The mocked response's name.
        response: String,
    },
}

impl MockRun {
    /// A fresh run of `case` (every counter at 0).
    pub(crate) fn new(case: Arc<TestCase>) -> MockRun {
        MockRun {
            case,
            counters: Mutex::new(HashMap::new()),
        }
    }

    /// The test case.
    pub(crate) fn case(&self) -> &Arc<TestCase> {
        &self.case
    }

    /// Advances `state`'s counter and says what this invocation gets.
    pub(crate) fn next(&self, state: &str) -> Invocation {
        let Some((name, resp)) = self.case.states.get(state) else {
            return Invocation::Real;
        };
        let number = {
            let mut c = lock(&self.counters);
            let n = c.entry(state.to_string()).or_insert(0);
            let number = *n;
            *n += 1;
            number
        };
        match resp.entry(number) {
            Some(e) => Invocation::Mocked {
                number,
                entry: e.clone(),
            },
            None => Invocation::Exhausted {
                number,
                response: name.clone(),
            },
        }
    }
}

/// The task result of a mocked `Return` for a resource no integration shapes: for a Lambda
/// function ARN used as the resource (`arn:aws:lambda:…:function:…`, not
/// `arn:aws:states:::lambda:invoke`), the mocked Lambda Invoke response's `Payload`, as AWS
/// gives the function's payload as the result (the v2 corpus's `mock_config` case
/// `test_lambda_invoke`: `{"StatusCode": 200, "Payload": {"body": …}}` → `{"body": …}`);
/// otherwise the response itself.
pub(crate) fn service_result(resource_arn: &str, response: Value) -> Value {
    let lambda_fn = resource_arn.starts_with("arn:")
        && resource_arn.split(':').nth(2) == Some("lambda")
        && resource_arn.split(':').nth(5) == Some("function");
    match response {
        Value::Object(mut o) if lambda_fn && o.contains_key("Payload") => {
            o.remove("Payload").unwrap_or(Value::Null)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Moved from the doc examples of the (now crate-private) test case and response accessors.
    #[test]
    fn a_test_case_finds_each_state_response_by_invocation() {
        let cfg = MockConfig::from_value(&json!({
            "StateMachines": { "Orders": { "TestCases": { "Declined": { "Charge": "Declined" } } } },
            "MockedResponses": { "Declined": { "0": { "Throw": { "Error": "Card.Declined", "Cause": "no" } } } }
        }))
        .unwrap();
        let case = cfg.test_case("Orders", "Declined").unwrap();
        let first = case.response("Charge").unwrap().entry(0).unwrap();
        assert!(matches!(&first.answer, Mocked::Throw { error, .. } if error == "Card.Declined"));

        let cfg = MockConfig::from_str(
            r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}}, "MockedResponses": {"R": {
            "0": {"Throw": {"Error": "E", "Cause": "c"}},
            "1-2": {"Return": {"ok": true}}}}}"#,
        )
        .unwrap();
        let case = cfg.test_case("M", "T").unwrap();
        assert_eq!(case.response_name("S"), Some("R"));
        let r = case.response("S").unwrap();
        assert!(r.entry(0).is_some() && r.entry(2).is_some());
        assert!(r.entry(3).is_none());
        assert_eq!(r.len(), 3);
    }

    // Moved from the doc example of the (now crate-private) `MockRun::next`.
    #[test]
    fn a_run_counts_invocations_per_state() {
        let cfg = MockConfig::from_str(
            r#"{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
            "MockedResponses": {"R": {"0": {"Return": 1}}}}"#,
        )
        .unwrap();
        let run = MockRun::new(cfg.test_case("M", "T").unwrap());
        assert!(matches!(
            run.next("S"),
            Invocation::Mocked { number: 0, .. }
        ));
        assert!(matches!(
            run.next("S"),
            Invocation::Exhausted { number: 1, .. }
        ));
        assert_eq!(run.next("Other"), Invocation::Real);
    }

    // Moved from the doc example of the (now crate-private) `service_result`.
    #[test]
    fn a_lambda_function_resource_gets_the_payload() {
        let r = json!({"StatusCode": 200, "Payload": {"ok": 1}});
        assert_eq!(
            service_result("arn:aws:lambda:us-east-1:1:function:f", r.clone()),
            json!({"ok": 1})
        );
        assert_eq!(
            service_result("arn:aws:states:::lambda:invoke", r.clone()),
            r
        );
    }

    fn bad(doc: Value) -> (String, String) {
        match MockConfig::from_value(&doc) {
            Err(MockConfigError::Invalid { path, message }) => (path, message),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn ranges_must_be_consecutive_from_zero() {
        let (p, m) =
            bad(json!({"MockedResponses": {"R": {"0": {"Return": 1}, "2": {"Return": 2}}}}));
        assert_eq!(p, "$.MockedResponses.R[\"2\"]");
        assert!(m.contains("invocation 1 has no response"), "{m}");
        let (p, m) =
            bad(json!({"MockedResponses": {"R": {"0-2": {"Return": 1}, "1": {"Return": 2}}}}));
        assert_eq!(p, "$.MockedResponses.R[\"1\"]");
        assert!(m.contains("overlap"), "{m}");
        let (_, m) = bad(json!({"MockedResponses": {"R": {"3-1": {"Return": 1}}}}));
        assert!(m.contains("ends before it starts"), "{m}");
        let (_, m) = bad(json!({"MockedResponses": {"R": {"x": {"Return": 1}}}}));
        assert!(m.contains("not an invocation number"), "{m}");
    }

    #[test]
    fn entries_are_checked() {
        let (p, m) = bad(json!({"MockedResponses": {"R": {"0": {"Throw": {"Error": "E"}}}}}));
        assert_eq!(
            (p.as_str(), m.as_str()),
            ("$.MockedResponses.R[\"0\"].Throw", "needs 'Cause'")
        );
        let (p, _) = bad(json!({"MockedResponses": {"R": {"0": {"Retrun": 1}}}}));
        assert_eq!(p, "$.MockedResponses.R[\"0\"].Retrun");
        let (p, m) = bad(json!({"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}}}));
        assert_eq!(p, "$.StateMachines.M.TestCases.T.S");
        assert!(m.contains("'Nope'"), "{m}");
    }

    #[test]
    fn a_range_answers_each_of_its_invocations() {
        let cfg = MockConfig::from_value(&json!({
            "StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
            "MockedResponses": {"R": {"0": {"Throw": {"Error": "E", "Cause": "c"}}, "1-2": {"Return": "ok", "AfterMs": 5}}}
        }))
        .unwrap();
        let run = MockRun::new(cfg.test_case("M", "T").unwrap());
        assert!(matches!(
            run.next("S"),
            Invocation::Mocked {
                entry: MockedEntry {
                    answer: Mocked::Throw { .. },
                    ..
                },
                ..
            }
        ));
        for n in 1..=2 {
            assert_eq!(
                run.next("S"),
                Invocation::Mocked {
                    number: n,
                    entry: MockedEntry {
                        answer: Mocked::Return(json!("ok")),
                        after_ms: 5,
                        answered_by_worker: false
                    }
                }
            );
        }
        assert_eq!(
            run.next("S"),
            Invocation::Exhausted {
                number: 3,
                response: "R".into()
            }
        );
    }
}
