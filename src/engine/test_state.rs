//! AWS's TestState API: one state run on its own, with its data flow laid open.
//!
//! [`Engine::test_state`] takes what the API takes (`definition`: one state, or a whole machine
//! with `stateName`; `input`, `variables`, `context`, `mock`, `stateConfiguration`,
//! `inspectionLevel`) and answers what AWS answers: a `status` (`SUCCEEDED`, `FAILED`,
//! `RETRIABLE`, `CAUGHT_ERROR`), the output or the error, the next state, and at `DEBUG`/`TRACE`
//! the `inspectionData` (the value after each data-flow step). The state runs through the same
//! data-flow functions as in an execution (`interpreter/dataflow.rs`), so one state behaves the
//! same in both, in JSONPath and in JSONata, variables included; an unmocked Task calls the
//! resource's registered handler as an execution would.
//!
//! What AWS accepts and refuses, and the texts of its refusals, follow the responses AWS gave to
//! LocalStack's AWS-validated TestState tests (`tests/aws/services/stepfunctions/v2/test_state/`
//! in localstack/localstack, replayed from `../shared/conformance/v2/test_state.*`); the field
//! names are those of the service model (botocore `stepfunctions/2016-11-23/service-2.json`:
//! `TestStateInput`, `TestStateOutput`, `InspectionData`, `MockInput`,
//! `TestStateConfiguration`).
//!
//! ```
//! use sfn_harness::prelude::*;
//! use sfn_harness::{InspectionLevel, TestStatus};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
//! let h = Harness::start().await;
//! let out = h
//!     .test_state(r#"{"Type":"Pass","Parameters":{"n.$":"$.x"},"Next":"After"}"#)
//!     .input(json!({ "x": 1 }))
//!     .inspection_level(InspectionLevel::Debug)
//!     .run()
//!     .await
//!     .unwrap();
//! assert_eq!(out.status, TestStatus::Succeeded);
//! assert_eq!(out.output, Some(json!({ "n": 1 })));
//! assert_eq!(out.next_state.as_deref(), Some("After"));
//! assert_eq!(out.inspection_data["afterParameters"], json!({ "n": 1 }));
//! # }
//! ```

use serde_json::{json, Map as JsonMap, Value};

use super::interpreter::test_state as runner;
use super::{ApiError, Engine};
use crate::asl::{self, State, StateKind};

mod shapes;

/// How much `inspectionData` the answer carries (`InspectionLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InspectionLevel {
    /// `INFO` (the default): none.
    #[default]
    Info,
    /// `DEBUG`: the value after each data-flow step.
    Debug,
    /// `TRACE`: as `DEBUG`, plus the HTTP request and response of HTTP Tasks.
    Trace,
}

impl InspectionLevel {
    /// Parses AWS's name (`INFO`, `DEBUG`, `TRACE`).
    pub(crate) fn parse(s: &str) -> Option<InspectionLevel> {
        match s {
            "INFO" => Some(InspectionLevel::Info),
            "DEBUG" => Some(InspectionLevel::Debug),
            "TRACE" => Some(InspectionLevel::Trace),
            _ => None,
        }
    }
}

/// How a mocked result is checked against the service's API model (`fieldValidationMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldValidationMode {
    /// `STRICT` (the default): every field the mock gives that the API model knows must have
    /// the model's type and constraints.
    #[default]
    Strict,
    /// `PRESENT`: the fields present are checked (as `STRICT` does here: sfn-harness does not
    /// check required fields in either mode).
    Present,
    /// `NONE`: no check.
    None,
}

/// A mocked answer for the state (`mock`).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TestStateMock {
    /// `result`: the JSON text the service (or the Map/Parallel state) answers.
    pub result: Option<String>,
    /// `errorOutput`: the error and cause the state fails with.
    pub error_output: Option<(Option<String>, Option<String>)>,
    /// `fieldValidationMode`.
    pub field_validation_mode: FieldValidationMode,
}

/// `stateConfiguration`: where in its life the tested state is.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct StateConfiguration {
    /// `retrierRetryCount`: the retries already made (decides `RETRIABLE` or not).
    pub retrier_retry_count: Option<u64>,
    /// `errorCausedByState`: the state inside a Map or Parallel that raised the mocked error.
    pub error_caused_by_state: Option<String>,
    /// `mapIterationFailureCount`: how many Map iterations failed.
    pub map_iteration_failure_count: Option<u64>,
    /// `mapItemReaderData`: the items a Map's `ItemReader` would have read (JSON text).
    pub map_item_reader_data: Option<String>,
}

/// A TestState request (`TestStateInput`).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TestStateRequest {
    /// `definition`: one state, or a whole machine (then `state_name` picks the state).
    pub definition: String,
    /// `stateName`.
    pub state_name: Option<String>,
    /// `input` (JSON text; `{}` when absent).
    pub input: Option<String>,
    /// `roleArn` (optional: nothing here checks IAM).
    pub role_arn: Option<String>,
    /// `inspectionLevel`.
    pub inspection_level: InspectionLevel,
    /// `revealSecrets` (accepted; no HTTP Task here has secrets to hide).
    pub reveal_secrets: bool,
    /// `variables` (a JSON object text): the workflow variables in scope.
    pub variables: Option<String>,
    /// `context` (a JSON object text): the context object the state sees.
    pub context: Option<String>,
    /// `mock`.
    pub mock: Option<TestStateMock>,
    /// `stateConfiguration`.
    pub state_configuration: Option<StateConfiguration>,
}

impl TestStateRequest {
    /// A request for `definition` with everything else at its default.
    pub(crate) fn new(definition: impl Into<String>) -> TestStateRequest {
        TestStateRequest {
            definition: definition.into(),
            ..TestStateRequest::default()
        }
    }
}

/// `status` of a TestState answer (`TestExecutionStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStatus {
    /// The state succeeded.
    Succeeded,
    /// The state failed and nothing retries or catches it.
    Failed,
    /// The state failed and a retrier would retry it.
    Retriable,
    /// The state failed and a catcher took the error.
    CaughtError,
}

impl TestStatus {
    /// AWS's name (also its `Display`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TestStatus::Succeeded => "SUCCEEDED",
            TestStatus::Failed => "FAILED",
            TestStatus::Retriable => "RETRIABLE",
            TestStatus::CaughtError => "CAUGHT_ERROR",
        }
    }
}

/// `TestStatus::CaughtError.to_string()` is AWS's `CAUGHT_ERROR`.
///
/// ```
/// assert_eq!(sfn_harness::TestStatus::CaughtError.to_string(), "CAUGHT_ERROR");
/// ```
impl std::fmt::Display for TestStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A TestState answer (`TestStateOutput`).
#[derive(Debug, Clone, PartialEq)]
pub struct TestStateOutput {
    /// `status`.
    pub status: TestStatus,
    /// `output` (on success, or a caught error's output).
    pub output: Option<Value>,
    /// `error`.
    pub error: Option<String>,
    /// `cause`.
    pub cause: Option<String>,
    /// `nextState`.
    pub next_state: Option<String>,
    /// `inspectionData` (an empty object at `INFO`): `input`, `afterInputPath`,
    /// `afterParameters`, `result`, `afterResultSelector`, `afterResultPath`,
    /// `afterArguments`, `variables`, `errorDetails`, and the Map fields.
    pub inspection_data: Value,
}

impl TestStateOutput {
    /// The answer as the API writes it: JSON text for `output` and the documents of
    /// `inspectionData`, numbers for its counts.
    ///
    pub(crate) fn to_api(&self) -> Value {
        let mut m = JsonMap::new();
        m.insert("status".into(), json!(self.status.as_str()));
        if let Some(o) = &self.output {
            m.insert("output".into(), json!(o.to_string()));
        }
        for (k, v) in [
            ("error", &self.error),
            ("cause", &self.cause),
            ("nextState", &self.next_state),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), json!(v));
            }
        }
        if let Value::Object(d) = &self.inspection_data {
            if !d.is_empty() {
                let mut out = JsonMap::new();
                for (k, v) in d {
                    let v = match k.as_str() {
                        "errorDetails"
                        | "maxConcurrency"
                        | "toleratedFailureCount"
                        | "toleratedFailurePercentage"
                        | "request"
                        | "response" => v.clone(),
                        _ => json!(v.to_string()),
                    };
                    out.insert(k.clone(), v);
                }
                m.insert("inspectionData".into(), Value::Object(out));
            }
        }
        Value::Object(m)
    }
}

/// The name AWS gives a state tested on its own (`/States/StateName/…` in its diagnostics,
/// `$$.State.Name` in its context object).
pub(crate) const SINGLE_STATE_NAME: &str = "StateName";

fn validation(message: impl Into<String>) -> ApiError {
    ApiError::validation(message)
}

/// A JSON text member, parsed (`what` names it in the refusal).
fn json_member(text: Option<&str>, what: &str) -> Result<Option<Value>, ApiError> {
    match text {
        None => Ok(None),
        Some(t) => serde_json::from_str(t)
            .map(Some)
            .map_err(|_| validation(format!("Invalid {what}: the value must be JSON text"))),
    }
}

/// Finds a state by name anywhere in a machine (inside Parallel branches and Map processors
/// too).
fn find_state<'a>(def: &'a asl::Definition, name: &str) -> Option<&'a State> {
    if let Some(s) = def.state(name) {
        return Some(s);
    }
    def.states.iter().find_map(|s| match &s.kind {
        StateKind::Parallel(p) => p.branches.iter().find_map(|b| find_state(b, name)),
        StateKind::Map(m) => find_state(&m.processor, name),
        _ => None,
    })
}

/// Finds a state's JSON by name anywhere in a machine document.
fn find_raw<'a>(states: &'a Value, name: &str) -> Option<&'a Value> {
    let states = states.as_object()?;
    if let Some(s) = states.get(name) {
        return Some(s);
    }
    states.values().find_map(|s| {
        let mut scopes: Vec<&Value> = Vec::new();
        for k in ["ItemProcessor", "Iterator"] {
            if let Some(p) = s.get(k) {
                scopes.push(p);
            }
        }
        if let Some(Value::Array(b)) = s.get("Branches") {
            scopes.extend(b.iter());
        }
        scopes
            .into_iter()
            .find_map(|p| p.get("States").and_then(|st| find_raw(st, name)))
    })
}

/// The transition targets a lone state names (`Next`, Choice's `Next`s and `Default`,
/// catchers' `Next`): a machine wrapping it gets a placeholder for each, so the parser checks
/// the state and nothing else.
fn targets(state: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |v: Option<&Value>| {
        if let Some(Value::String(s)) = v {
            out.push(s.clone());
        }
    };
    push(state.get("Next"));
    push(state.get("Default"));
    for list in ["Choices", "Catch"] {
        if let Some(Value::Array(items)) = state.get(list) {
            for i in items {
                push(i.get("Next"));
            }
        }
    }
    out
}

/// Removes what only a running distributed Map reads (`ItemReader`, `ResultWriter`) from
/// every Map state of `doc`: under a mock the Map does not run (its items come from
/// `stateConfiguration.mapItemReaderData`, its result from the mock), and the parser refuses
/// them as sfn-harness's own gap.
fn strip_distributed(doc: &mut Value) {
    match doc {
        Value::Object(o) => {
            if o.get("Type").and_then(Value::as_str) == Some("Map") {
                o.remove("ItemReader");
                o.remove("ResultWriter");
            }
            for v in o.values_mut() {
                strip_distributed(v);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_distributed),
        _ => {}
    }
}

/// The definition, parsed, with the tested state and its JSON.
fn prepare(req: &TestStateRequest) -> Result<(asl::Definition, String, Value), ApiError> {
    let doc: Value = serde_json::from_str(&req.definition).map_err(|e| {
        ApiError::InvalidDefinition(
            asl::InvalidDefinition {
                diagnostics: vec![asl::Diagnostic::error(
                    asl::Code::InvalidJsonDescription,
                    format!("line {}, column {}", e.line(), e.column()),
                    e.to_string(),
                )],
            }
            .to_string(),
        )
    })?;
    let invalid = |e: asl::InvalidDefinition| ApiError::InvalidDefinition(e.to_string());
    match &req.state_name {
        Some(name) => {
            if name.is_empty() {
                return Err(validation(
                    "1 validation error detected: Value '' at 'stateName' failed to satisfy constraint: Member must have length greater than or equal to 1",
                ));
            }
            let mut parsed = doc.clone();
            if req.mock.is_some() {
                strip_distributed(&mut parsed);
            }
            let def = asl::parse(&parsed).map_err(invalid)?;
            let raw = doc
                .get("States")
                .and_then(|s| find_raw(s, name))
                .cloned()
                .ok_or_else(|| validation("State not found in definition"))?;
            if find_state(&def, name).is_none() {
                return Err(validation("State not found in definition"));
            }
            Ok((def, name.clone(), raw))
        }
        None => {
            let mut states = JsonMap::new();
            states.insert(SINGLE_STATE_NAME.into(), doc.clone());
            for t in targets(&doc) {
                if t != SINGLE_STATE_NAME {
                    states.insert(t, json!({ "Type": "Succeed" }));
                }
            }
            let mut machine = json!({ "StartAt": SINGLE_STATE_NAME, "States": states });
            // A lone state may leave out `End` and `Next` (AWS tests a Choice's rules, or a
            // state cut out of a machine, as it stands).
            if let Some(s) = machine["States"][SINGLE_STATE_NAME].as_object_mut() {
                let ty = s.get("Type").and_then(Value::as_str).unwrap_or_default();
                if !matches!(ty, "Choice" | "Succeed" | "Fail")
                    && !s.contains_key("Next")
                    && !s.contains_key("End")
                {
                    s.insert("End".into(), json!(true));
                }
            }
            if req.mock.is_some() {
                strip_distributed(&mut machine);
            }
            let def = asl::parse(&machine).map_err(invalid)?;
            Ok((def, SINGLE_STATE_NAME.to_string(), doc))
        }
    }
}

/// The fields AWS lets a mocked context object have (`Map` is refused on its own).
fn check_context(ctx: &Value, state: &State) -> Result<(), ApiError> {
    let bad = |m: String| validation(format!("Invalid Context object provided: {m}"));
    let Value::Object(top) = ctx else {
        return Err(bad("the context object must be a JSON object".into()));
    };
    let allowed: &[(&str, &[&str])] = &[
        (
            "Execution",
            &[
                "Id",
                "Input",
                "Name",
                "RoleArn",
                "StartTime",
                "RedriveCount",
                "RedriveTime",
            ],
        ),
        ("State", &["EnteredTime", "Name", "RetryCount"]),
        ("StateMachine", &["Id", "Name"]),
        ("Task", &["Token"]),
    ];
    for (k, v) in top {
        if k == "Map" {
            return Err(bad(
                "'Map' field is not supported when mocking a Context object".into(),
            ));
        }
        let Some((_, fields)) = allowed.iter().find(|(n, _)| n == k) else {
            return Err(bad(format!("Field '{k}' is not allowed")));
        };
        if let Value::Object(inner) = v {
            for (f, fv) in inner {
                if !fields.contains(&f.as_str()) {
                    return Err(bad(format!("Field '{f}' is not allowed")));
                }
                let string_field = matches!(
                    f.as_str(),
                    "Id" | "Name" | "RoleArn" | "StartTime" | "EnteredTime" | "Token"
                );
                if string_field && !fv.is_string() {
                    return Err(bad(format!("{k}.{f} must be a string")));
                }
            }
        }
    }
    if top.contains_key("Task") {
        let pattern_ok = match &state.kind {
            StateKind::Task(t) => {
                t.resource.ends_with(".waitForTaskToken")
                    || t.resource.contains(".sync")
                    || t.resource.starts_with("arn:aws:states:")
                        && t.resource.contains(":activity:")
            }
            _ => false,
        };
        if !pattern_ok {
            return Err(bad("Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern".into()));
        }
    }
    Ok(())
}

/// What the request asks of the tested state, checked and parsed.
pub(crate) struct Prepared {
    pub state: State,
    pub raw: Value,
    pub input: Value,
    pub variables: JsonMap<String, Value>,
    pub context: Option<Value>,
    pub role_arn: Option<String>,
    pub level: InspectionLevel,
    pub mock: Option<runner::Mock>,
    pub config: StateConfiguration,
}

fn check(req: TestStateRequest) -> Result<Prepared, ApiError> {
    let (def, state_name, raw) = prepare(&req)?;
    let state =
        find_state(&def, &state_name).ok_or_else(|| validation("State not found in definition"))?;
    let ty = raw.get("Type").and_then(Value::as_str).unwrap_or_default();
    let config = req.state_configuration.clone().unwrap_or_default();
    let is_map = matches!(state.kind, StateKind::Map(_));
    let is_parallel = matches!(state.kind, StateKind::Parallel(_));
    if req.mock.is_none() {
        if config.map_iteration_failure_count.is_some() {
            return Err(validation(
                "TestState does not support MapIterationFailureCount when a mock is not specified.",
            ));
        }
        if is_map || is_parallel {
            return Err(ApiError::InvalidDefinition(
                "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]".into(),
            ));
        }
    }
    let mock = match &req.mock {
        None => None,
        Some(m) => {
            if !matches!(state.kind, StateKind::Task(_)) && !is_map && !is_parallel {
                return Err(validation(format!(
                    "State type '{ty}' is not supported when a mock is specified"
                )));
            }
            Some(check_mock(m, state, &raw)?)
        }
    };
    let input = json_member(req.input.as_deref(), "input")?.unwrap_or_else(|| json!({}));
    let variables = match json_member(req.variables.as_deref(), "variables")? {
        None => JsonMap::new(),
        Some(Value::Object(m)) => m,
        Some(_) => {
            return Err(validation(
                "Invalid variables: the value must be a JSON object",
            ))
        }
    };
    let context = json_member(req.context.as_deref(), "context")?;
    if let Some(c) = &context {
        check_context(c, state)?;
    }
    Ok(Prepared {
        state: state.clone(),
        raw,
        input,
        variables,
        context,
        role_arn: req.role_arn,
        level: req.inspection_level,
        mock,
        config,
    })
}

/// Checks a mock against the state it stands in for.
fn check_mock(m: &TestStateMock, state: &State, raw: &Value) -> Result<runner::Mock, ApiError> {
    if let Some((error, cause)) = &m.error_output {
        return Ok(runner::Mock::Error {
            error: error.clone(),
            cause: cause.clone(),
        });
    }
    let Some(text) = &m.result else {
        return Err(validation(
            "The mock must have either a result or an errorOutput",
        ));
    };
    let v: Value =
        serde_json::from_str(text).map_err(|_| validation("Mocked result must be valid JSON"))?;
    match &state.kind {
        StateKind::Parallel(p) => {
            let Value::Array(items) = &v else {
                return Err(validation("Mocked result must be an array."));
            };
            if items.len() != p.branches.len() {
                return Err(validation(
                    "Mocked result must contain the same number of items as number of Parallel branches.",
                ));
            }
        }
        StateKind::Map(_) => {
            if raw.get("ResultWriter").is_some() {
                if !v.is_object() {
                    return Err(validation("Mocked result must be a JSON object."));
                }
            } else if !v.is_array() {
                return Err(validation("Mocked result must be an array."));
            }
        }
        StateKind::Task(t) if m.field_validation_mode != FieldValidationMode::None => {
            if let Some(problem) = shapes::check(&t.resource, &v) {
                return Err(validation(format!(
                    "Mock result schema validation error: {problem}"
                )));
            }
        }
        _ => {}
    }
    Ok(runner::Mock::Result(v))
}

impl Engine {
    /// TestState: runs one state on its own and answers as AWS's `TestState` does (see
    /// [`Harness::test_state`](crate::Harness::test_state)). Refusals are AWS's `ValidationException` and `InvalidDefinition`.
    ///
    /// Example: the unit test `a_request_runs_one_state_or_is_refused` below.
    pub(crate) async fn test_state(
        &self,
        req: TestStateRequest,
    ) -> Result<TestStateOutput, ApiError> {
        let prepared = check(req)?;
        Ok(runner::run(self.inner.clone(), prepared).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineConfig;

    // Once the doc example of `Engine::test_state` (crate-private since the request types are).
    #[tokio::test(flavor = "current_thread")]
    async fn a_request_runs_one_state_or_is_refused() {
        let engine = Engine::new(EngineConfig::default());
        let mut req = TestStateRequest::new(
            r#"{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
            "Retry":[{"ErrorEquals":["Boom"],"MaxAttempts":2}],"End":true}"#,
        );
        req.mock = Some(TestStateMock {
            error_output: Some((Some("Boom".into()), None)),
            ..Default::default()
        });
        let out = engine
            .test_state(req)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status, TestStatus::Retriable);

        // A Pass state cannot be mocked.
        let mut req = TestStateRequest::new(r#"{"Type":"Pass","End":true}"#);
        req.mock = Some(TestStateMock {
            result: Some("{}".into()),
            ..Default::default()
        });
        assert!(matches!(
            engine.test_state(req).await,
            Err(ApiError::ValidationException(_))
        ));
    }
}
