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
    pub fn as_str(self) -> &'static str {
        match self {
            MachineType::Standard => "STANDARD",
            MachineType::Express => "EXPRESS",
        }
    }
}

/// One version of a state machine's definition and settings.
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
}
