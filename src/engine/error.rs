//! Errors of the engine's API operations, shaped as AWS shapes them (`__type`, `message`).

/// An API error: AWS's error code (the `__type` of the JSON error body) and its message.
///
/// ```
/// use sfn_harness::engine::ApiError;
/// let e = ApiError::execution_does_not_exist("arn:aws:states:us-east-1:123456789012:execution:m:x");
/// assert_eq!(e.code, "ExecutionDoesNotExist");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// The error code, e.g. `ExecutionDoesNotExist`.
    pub code: &'static str,
    /// The human-readable message.
    pub message: String,
}

impl ApiError {
    /// An error with the given code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// `InvalidArn` for a string that is not a Step Functions ARN at all. AWS's text for one
    /// that does not start with `arn:` is `Invalid Arn: 'Invalid ARN prefix: <arn>'` (recorded
    /// against AWS in LocalStack's `test_sfn_api.snapshot.json`, `test_describe_invalid_arn_sm`).
    pub fn invalid_arn(arn: &str) -> ApiError {
        if arn.starts_with("arn:") {
            ApiError::new("InvalidArn", format!("Invalid Arn: '{arn}'"))
        } else {
            ApiError::new(
                "InvalidArn",
                format!("Invalid Arn: 'Invalid ARN prefix: {arn}'"),
            )
        }
    }

    /// `InvalidArn` for an ARN of the wrong resource type, e.g. an EXPRESS execution's ARN given
    /// to `DescribeExecution`: `Invalid Arn: 'Resource type not valid in this context: express'`
    /// (recorded against AWS in LocalStack's `test_sfn_api_express.snapshot.json`).
    ///
    /// ```
    /// use sfn_harness::engine::ApiError;
    /// let e = ApiError::resource_type_not_valid("express");
    /// assert_eq!(e.message, "Invalid Arn: 'Resource type not valid in this context: express'");
    /// ```
    pub fn resource_type_not_valid(resource_type: &str) -> ApiError {
        ApiError::new(
            "InvalidArn",
            format!("Invalid Arn: 'Resource type not valid in this context: {resource_type}'"),
        )
    }

    /// `StateMachineDoesNotExist`.
    pub fn state_machine_does_not_exist(arn: &str) -> ApiError {
        ApiError::new(
            "StateMachineDoesNotExist",
            format!("State Machine Does Not Exist: '{arn}'"),
        )
    }

    /// `ExecutionDoesNotExist`.
    pub fn execution_does_not_exist(arn: &str) -> ApiError {
        ApiError::new(
            "ExecutionDoesNotExist",
            format!("Execution Does Not Exist: '{arn}'"),
        )
    }

    /// `ValidationException`.
    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new("ValidationException", message)
    }

    /// `InvalidToken`.
    pub fn invalid_token(message: impl Into<String>) -> ApiError {
        ApiError::new("InvalidToken", message)
    }

    /// `TaskDoesNotExist`.
    pub fn task_does_not_exist() -> ApiError {
        ApiError::new("TaskDoesNotExist", "Task does not exist anymore")
    }

    /// `TaskTimedOut`: the task timed out, was already answered, or its execution ended.
    pub fn task_timed_out() -> ApiError {
        ApiError::new(
            "TaskTimedOut",
            "Task Timed Out: 'Provided task does not exist anymore'",
        )
    }
}
