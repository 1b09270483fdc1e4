//! [`Harness::test_state`]: AWS's TestState API as a builder, answered by the harness's engine
//! ([`Engine::test_state`](crate::engine::Engine::test_state)) without HTTP, with the same
//! answers and refusals the endpoint gives to `aws stepfunctions test-state`.

use serde_json::Value;

use super::{Harness, HarnessError, IntoDefinition};
use crate::engine::test_state::{
    FieldValidationMode, InspectionLevel, StateConfiguration, TestStateMock, TestStateOutput,
    TestStateRequest,
};

/// A TestState call being put together; [`run`](TestStateBuilder::run) sends it.
///
/// ```
/// use sfn_harness::prelude::*;
/// use sfn_harness::{InspectionLevel, TestStatus};
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::start().await;
/// let task = json!({
///     "Type": "Task",
///     "Resource": "arn:aws:states:::lambda:invoke",
///     "Parameters": { "FunctionName": "price", "Payload.$": "$.order" },
///     "ResultSelector": { "total.$": "$.Payload.total" },
///     "ResultPath": "$.price",
///     "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "Apologise" }],
///     "Next": "Ship"
/// });
/// let out = h
///     .test_state(&task)
///     .input(json!({ "order": { "id": 7 } }))
///     .mock_result(json!({ "Payload": { "total": 42 }, "StatusCode": 200 }))
///     .inspection_level(InspectionLevel::Debug)
///     .run()
///     .await?;
/// assert_eq!(out.status, TestStatus::Succeeded);
/// assert_eq!(out.next_state.as_deref(), Some("Ship"));
/// assert_eq!(out.output, Some(json!({ "order": { "id": 7 }, "price": { "total": 42 } })));
/// assert_eq!(out.inspection_data["afterResultSelector"], json!({ "total": 42 }));
///
/// // The same state when the function fails: the catcher takes it.
/// let out = h
///     .test_state(&task)
///     .input(json!({ "order": { "id": 7 } }))
///     .mock_error("Lambda.ServiceException", "down")
///     .run()
///     .await?;
/// assert_eq!(out.status, TestStatus::CaughtError);
/// assert_eq!(out.next_state.as_deref(), Some("Apologise"));
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a TestState call does nothing until `.run()`"]
pub struct TestStateBuilder<'h> {
    harness: &'h Harness,
    req: TestStateRequest,
}

impl<'h> TestStateBuilder<'h> {
    pub(super) fn new(harness: &'h Harness, definition: String) -> Self {
        TestStateBuilder {
            harness,
            req: TestStateRequest::new(definition),
        }
    }

    fn mock(&mut self) -> &mut TestStateMock {
        self.req.mock.get_or_insert_with(TestStateMock::default)
    }

    fn config(&mut self) -> &mut StateConfiguration {
        self.req
            .state_configuration
            .get_or_insert_with(StateConfiguration::default)
    }

    /// `stateName`: the definition is a whole machine, and this state is tested.
    pub fn state_name(mut self, name: impl Into<String>) -> Self {
        self.req.state_name = Some(name.into());
        self
    }

    /// `input`.
    pub fn input(mut self, input: Value) -> Self {
        self.req.input = Some(input.to_string());
        self
    }

    /// `variables`: the workflow variables in scope (a JSON object).
    pub fn variables(mut self, variables: Value) -> Self {
        self.req.variables = Some(variables.to_string());
        self
    }

    /// `context`: the context object the state sees.
    pub fn context(mut self, context: Value) -> Self {
        self.req.context = Some(context.to_string());
        self
    }

    /// `roleArn`.
    pub fn role_arn(mut self, arn: impl Into<String>) -> Self {
        self.req.role_arn = Some(arn.into());
        self
    }

    /// `inspectionLevel` (`INFO` by default).
    pub fn inspection_level(mut self, level: InspectionLevel) -> Self {
        self.req.inspection_level = level;
        self
    }

    /// `revealSecrets`.
    pub fn reveal_secrets(mut self, reveal: bool) -> Self {
        self.req.reveal_secrets = reveal;
        self
    }

    /// `mock.result`: what the service (or the Map/Parallel state) answers.
    pub fn mock_result(mut self, result: Value) -> Self {
        self.mock().result = Some(result.to_string());
        self
    }

    /// `mock.errorOutput`: the state fails with this error and cause.
    pub fn mock_error(mut self, error: impl Into<String>, cause: impl Into<String>) -> Self {
        self.mock().error_output = Some((Some(error.into()), Some(cause.into())));
        self
    }

    /// `mock.fieldValidationMode` (`STRICT` by default).
    pub fn field_validation(mut self, mode: FieldValidationMode) -> Self {
        self.mock().field_validation_mode = mode;
        self
    }

    /// `stateConfiguration.retrierRetryCount`.
    pub fn retrier_retry_count(mut self, n: u64) -> Self {
        self.config().retrier_retry_count = Some(n);
        self
    }

    /// `stateConfiguration.errorCausedByState`.
    pub fn error_caused_by_state(mut self, state: impl Into<String>) -> Self {
        self.config().error_caused_by_state = Some(state.into());
        self
    }

    /// `stateConfiguration.mapIterationFailureCount`.
    pub fn map_iteration_failure_count(mut self, n: u64) -> Self {
        self.config().map_iteration_failure_count = Some(n);
        self
    }

    /// `stateConfiguration.mapItemReaderData`: the items a Map's `ItemReader` reads.
    pub fn map_item_reader_data(mut self, items: Value) -> Self {
        self.config().map_item_reader_data = Some(items.to_string());
        self
    }

    /// Sends the call. An unmocked Task calls its resource as an execution would (scripted
    /// workers included), on the harness's clock.
    pub async fn run(self) -> Result<TestStateOutput, HarnessError> {
        let engine = self.harness.engine();
        let clock = engine.clock().clone();
        let out = clock
            .park(clock.run_until(engine.test_state(self.req)))
            .await?;
        Ok(out)
    }
}

impl Harness {
    /// AWS's TestState API: tests one state (or, with
    /// [`state_name`](TestStateBuilder::state_name), one state of a whole machine), mocked or
    /// not. See [`TestStateBuilder`] for an example.
    pub fn test_state(&self, definition: impl IntoDefinition) -> TestStateBuilder<'_> {
        TestStateBuilder::new(self, definition.into_definition())
    }
}
