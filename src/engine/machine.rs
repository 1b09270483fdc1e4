//! State machines as the engine stores them.

use std::sync::Arc;

use crate::asl::Definition;
use crate::time::Millis;

/// `STANDARD` or `EXPRESS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MachineType {
    /// Standard workflows (the default).
    #[default]
    Standard,
    /// Express workflows.
    Express,
}

impl MachineType {
    /// AWS's name for it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            MachineType::Standard => "STANDARD",
            MachineType::Express => "EXPRESS",
        }
    }
}

/// One version of a state machine's definition and settings, as `CreateStateMachine` and
/// `UpdateStateMachine` leave it. Executions keep the version they started with.
///
/// Example: the unit test `engine_machine_31` in `src/tests/doc_examples.rs`.
#[derive(Debug, Clone)]
pub struct StateMachine {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// The definition text as given.
    pub definition_text: String,
    /// The parsed definition.
    pub definition: Arc<Definition>,
    /// `roleArn`.
    pub role_arn: String,
    /// `type`.
    pub machine_type: MachineType,
    /// `creationDate`.
    pub created_ms: Millis,
    /// Last `UpdateStateMachine`, if any.
    pub updated_ms: Option<Millis>,
    /// A revision id that changes on every update.
    pub revision_id: String,
    /// `loggingConfiguration` as given (`{"level":"OFF","includeExecutionData":false}` unless
    /// set). Accepted and returned as AWS does; sfn-harness has no CloudWatch Logs behind it and
    /// writes no log events.
    pub logging_configuration: serde_json::Value,
    /// `tracingConfiguration` as given (`{"enabled":false}` unless set). Accepted and returned
    /// as AWS does; sfn-harness sends nothing to X-Ray.
    pub tracing_configuration: serde_json::Value,
}
