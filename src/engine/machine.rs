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
/// ```
/// use sfn_harness::internals::{Engine, EngineConfig, MachineType};
///
/// let engine = Engine::new(EngineConfig::default());
/// let m = engine
///     .create_state_machine("hello", r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
///     .unwrap();
/// assert_eq!(m.arn, "arn:aws:states:us-east-1:123456789012:stateMachine:hello");
/// assert_eq!(m.machine_type, MachineType::Standard);
/// assert_eq!(m.definition.start_at, "P");
/// assert_eq!(m.updated_ms, None);
/// ```
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
