//! Errors of the engine's API operations, typed, shaped as AWS shapes them.
//!
//! Every variant knows what a client sees on the wire (AWS JSON 1.0):
//!
//! * [`ApiError::code`]: the error code, e.g. `ExecutionDoesNotExist` (the SDKs match typed
//!   errors on it);
//! * [`ApiError::aws_type`]: the `__type` of the JSON error body (the code, or coral's
//!   `com.amazon.coral.service#…` for the protocol errors);
//! * [`ApiError::status`]: the HTTP status;
//! * [`ApiError::message`]: AWS's message text.
//!
//! `Display` is `<code>: <message>`. The texts follow AWS where it is known, as recorded against
//! AWS in LocalStack's `tests/aws/services/stepfunctions/v2/test_sfn_api*.snapshot.json`.

use std::fmt;

/// An API error, as AWS would answer it.
///
/// Example: the unit test `engine_error_19` in `src/tests/doc_examples.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiError {
    /// `InvalidArn`: carries the text AWS puts inside `Invalid Arn: '…'` (the ARN, or
    /// `Invalid ARN prefix: <arn>`, or `Resource type not valid in this context: <type>`).
    InvalidArn(String),
    /// `InvalidName`: carries the name.
    InvalidName(String),
    /// `InvalidDefinition`: carries the diagnostics' text.
    InvalidDefinition(String),
    /// `InvalidExecutionInput`: carries the text inside
    /// `Invalid State Machine Execution Input: '…'`.
    InvalidExecutionInput(String),
    /// `InvalidOutput`: carries the text inside `Invalid Output: '…'`.
    InvalidOutput(String),
    /// `InvalidToken`: carries the full message.
    InvalidToken(String),
    /// `StateMachineDoesNotExist`: carries the ARN.
    StateMachineDoesNotExist(String),
    /// `StateMachineAlreadyExists`: carries the ARN.
    StateMachineAlreadyExists(String),
    /// `StateMachineTypeNotSupported`: the operation is not for this machine type.
    StateMachineTypeNotSupported,
    /// `ExecutionDoesNotExist`: carries the ARN.
    ExecutionDoesNotExist(String),
    /// `ExecutionAlreadyExists`: carries the ARN.
    ExecutionAlreadyExists(String),
    /// `ActivityDoesNotExist`: carries the ARN.
    ActivityDoesNotExist(String),
    /// `TaskDoesNotExist`: a well-formed token this engine never issued.
    TaskDoesNotExist,
    /// `TaskTimedOut`: the task timed out, was already answered, or its execution ended.
    TaskTimedOut,
    /// `MissingRequiredParameter`: `UpdateStateMachine` with nothing to update.
    MissingRequiredParameter,
    /// `ValidationException`: carries the full message.
    ValidationException(String),
    /// `ResourceNotFound`: carries the ARN.
    ResourceNotFound(String),
    /// `ResourceNotFound` with AWS's text for an alias or version that does not exist
    /// (`Request references a resource that does not exist.`, recorded against AWS in
    /// LocalStack's `test_sfn_api_aliasing.snapshot.json`, `test_update_no_such_alias_arn`).
    NoSuchResource,
    /// `InvalidLoggingConfiguration`: carries the full message.
    InvalidLoggingConfiguration(String),
    /// `ConflictException`: carries the full message.
    Conflict(String),
    /// `TooManyTags`: carries the ARN.
    TooManyTags(String),
    /// `SerializationException`: an undecodable body or a member of the wrong JSON type;
    /// carries the full message.
    Serialization(String),
    /// `UnknownOperationException`: carries the operation name.
    UnknownOperation(String),
    /// `ServiceException` (HTTP 500): carries the full message.
    ServiceException(String),
}

impl ApiError {
    /// `InvalidArn` for a string that is not a Step Functions ARN at all. AWS's text for one
    /// that does not start with `arn:` is `Invalid Arn: 'Invalid ARN prefix: <arn>'` (recorded
    /// against AWS in LocalStack's `test_sfn_api.snapshot.json`, `test_describe_invalid_arn_sm`).
    pub(crate) fn invalid_arn(arn: &str) -> ApiError {
        if arn.starts_with("arn:") {
            ApiError::InvalidArn(arn.to_string())
        } else {
            ApiError::InvalidArn(format!("Invalid ARN prefix: {arn}"))
        }
    }

    /// `InvalidArn` for an ARN of the wrong resource type, e.g. an EXPRESS execution's ARN given
    /// to `DescribeExecution`: `Invalid Arn: 'Resource type not valid in this context: express'`
    /// (recorded against AWS in LocalStack's `test_sfn_api_express.snapshot.json`).
    ///
    /// Example: the unit test `engine_error_109` in `src/tests/doc_examples.rs`.
    pub(crate) fn resource_type_not_valid(resource_type: &str) -> ApiError {
        ApiError::InvalidArn(format!(
            "Resource type not valid in this context: {resource_type}"
        ))
    }

    /// `StateMachineDoesNotExist`.
    pub(crate) fn state_machine_does_not_exist(arn: &str) -> ApiError {
        ApiError::StateMachineDoesNotExist(arn.to_string())
    }

    /// `ExecutionDoesNotExist`.
    pub(crate) fn execution_does_not_exist(arn: &str) -> ApiError {
        ApiError::ExecutionDoesNotExist(arn.to_string())
    }

    /// `ValidationException`.
    pub(crate) fn validation(message: impl Into<String>) -> ApiError {
        ApiError::ValidationException(message.into())
    }

    /// `InvalidToken`.
    pub(crate) fn invalid_token(message: impl Into<String>) -> ApiError {
        ApiError::InvalidToken(message.into())
    }

    /// `TaskDoesNotExist`.
    pub(crate) fn task_does_not_exist() -> ApiError {
        ApiError::TaskDoesNotExist
    }

    /// `TaskTimedOut`: the task timed out, was already answered, or its execution ended.
    pub(crate) fn task_timed_out() -> ApiError {
        ApiError::TaskTimedOut
    }

    /// AWS's error code, e.g. `ExecutionDoesNotExist`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidArn(_) => "InvalidArn",
            ApiError::InvalidName(_) => "InvalidName",
            ApiError::InvalidDefinition(_) => "InvalidDefinition",
            ApiError::InvalidExecutionInput(_) => "InvalidExecutionInput",
            ApiError::InvalidOutput(_) => "InvalidOutput",
            ApiError::InvalidToken(_) => "InvalidToken",
            ApiError::StateMachineDoesNotExist(_) => "StateMachineDoesNotExist",
            ApiError::StateMachineAlreadyExists(_) => "StateMachineAlreadyExists",
            ApiError::StateMachineTypeNotSupported => "StateMachineTypeNotSupported",
            ApiError::ExecutionDoesNotExist(_) => "ExecutionDoesNotExist",
            ApiError::ExecutionAlreadyExists(_) => "ExecutionAlreadyExists",
            ApiError::ActivityDoesNotExist(_) => "ActivityDoesNotExist",
            ApiError::TaskDoesNotExist => "TaskDoesNotExist",
            ApiError::TaskTimedOut => "TaskTimedOut",
            ApiError::MissingRequiredParameter => "MissingRequiredParameter",
            ApiError::ValidationException(_) => "ValidationException",
            ApiError::ResourceNotFound(_) | ApiError::NoSuchResource => "ResourceNotFound",
            ApiError::Conflict(_) => "ConflictException",
            ApiError::InvalidLoggingConfiguration(_) => "InvalidLoggingConfiguration",
            ApiError::TooManyTags(_) => "TooManyTags",
            ApiError::Serialization(_) => "SerializationException",
            ApiError::UnknownOperation(_) => "UnknownOperationException",
            ApiError::ServiceException(_) => "ServiceException",
        }
    }

    /// The `__type` of the JSON error body: the code, or for the protocol errors coral's
    /// `com.amazon.coral.service#SerializationException` /
    /// `com.amazon.coral.service#UnknownOperationException`.
    pub(crate) fn aws_type(&self) -> String {
        match self {
            ApiError::Serialization(_) | ApiError::UnknownOperation(_) => {
                format!("com.amazon.coral.service#{}", self.code())
            }
            _ => self.code().to_string(),
        }
    }

    /// The HTTP status AWS answers with: 500 for `ServiceException`, else 400.
    pub(crate) fn status(&self) -> u16 {
        match self {
            ApiError::ServiceException(_) => 500,
            _ => 400,
        }
    }

    /// AWS's message text.
    pub fn message(&self) -> String {
        match self {
            ApiError::InvalidArn(detail) => format!("Invalid Arn: '{detail}'"),
            ApiError::InvalidName(name) => format!("Invalid Name: '{name}'"),
            ApiError::InvalidExecutionInput(detail) => {
                format!("Invalid State Machine Execution Input: '{detail}'")
            }
            ApiError::InvalidOutput(detail) => format!("Invalid Output: '{detail}'"),
            ApiError::StateMachineDoesNotExist(arn) => {
                format!("State Machine Does Not Exist: '{arn}'")
            }
            ApiError::StateMachineAlreadyExists(arn) => {
                format!("State Machine Already Exists: '{arn}'")
            }
            // AWS's text (LocalStack's AWS-validated `test_start_sync_execution` and
            // `test_start_async_describe_history_execution`).
            ApiError::StateMachineTypeNotSupported => {
                "This operation is not supported by this type of state machine".into()
            }
            ApiError::ExecutionDoesNotExist(arn) => format!("Execution Does Not Exist: '{arn}'"),
            ApiError::ExecutionAlreadyExists(arn) => {
                format!("Execution Already Exists: '{arn}'")
            }
            // AWS's text (LocalStack's AWS-validated `test_describe_deleted_activity`).
            ApiError::ActivityDoesNotExist(arn) => format!("Activity Does Not Exist: '{arn}'"),
            ApiError::TaskDoesNotExist => "Task does not exist anymore".into(),
            ApiError::TaskTimedOut => {
                "Task Timed Out: 'Provided task does not exist anymore'".into()
            }
            ApiError::MissingRequiredParameter => "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified".into(),
            ApiError::ResourceNotFound(arn) => format!("Resource not found: '{arn}'"),
            ApiError::NoSuchResource => "Request references a resource that does not exist.".into(),
            ApiError::TooManyTags(arn) => {
                format!("Too many tags on resource '{arn}' (at most 50)")
            }
            ApiError::UnknownOperation(operation) => {
                format!("Unknown operation: AWSStepFunctions.{operation}")
            }
            ApiError::InvalidDefinition(message)
            | ApiError::InvalidToken(message)
            | ApiError::ValidationException(message)
            | ApiError::Conflict(message)
            | ApiError::InvalidLoggingConfiguration(message)
            | ApiError::Serialization(message)
            | ApiError::ServiceException(message) => message.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_statuses_and_messages_are_aws_s() {
        let cases = [
            (
                ApiError::invalid_arn("nope"),
                "InvalidArn",
                "Invalid Arn: 'Invalid ARN prefix: nope'",
            ),
            (
                ApiError::invalid_arn("arn:x"),
                "InvalidArn",
                "Invalid Arn: 'arn:x'",
            ),
            (
                ApiError::InvalidExecutionInput("Invalid execution input.".into()),
                "InvalidExecutionInput",
                "Invalid State Machine Execution Input: 'Invalid execution input.'",
            ),
            (
                ApiError::TaskTimedOut,
                "TaskTimedOut",
                "Task Timed Out: 'Provided task does not exist anymore'",
            ),
            (
                ApiError::TooManyTags("arn:m".into()),
                "TooManyTags",
                "Too many tags on resource 'arn:m' (at most 50)",
            ),
        ];
        for (e, code, message) in cases {
            assert_eq!(
                (e.code(), e.message().as_str(), e.status()),
                (code, message, 400)
            );
            assert_eq!(e.aws_type(), code);
        }
        let e = ApiError::Serialization("bad".into());
        assert_eq!(
            e.aws_type(),
            "com.amazon.coral.service#SerializationException"
        );
    }
}
