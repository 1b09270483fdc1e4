//! The errors SQS answers with, typed.
//!
//! Every variant knows the four things a client sees on the wire (AWS JSON 1.0 with
//! `awsQueryCompatible` errors):
//!
//! * [`SqsError::aws_type`]: the JSON `__type`, e.g. `com.amazonaws.sqs#QueueDoesNotExist`;
//! * [`SqsError::query_code`]: the awsQuery code sent in the `x-amzn-query-error` header, e.g.
//!   `AWS.SimpleQueueService.NonExistentQueue`. The AWS SDKs for Rust match typed errors on this
//!   code, not on `__type` (see `shared/notes/rust-ecosystem.md` §1.2, verified by running
//!   `aws-sdk-sqs` 1.119.0);
//! * [`SqsError::error_type`]: `Sender` or `Receiver` (the query protocol's `<Type>`);
//! * [`SqsError::status`]: the HTTP status.
//!
//! Sources for codes and messages: the SQS service model (`aws-sdk-sqs` generated error
//! matchers, botocore `sqs/2012-11-05/service-2.json`), LocalStack's snapshot tests recorded
//! against real AWS (`tests/aws/services/sqs/test_sqs.snapshot.json`: PurgeQueueInProgress is a
//! 403, BatchRequestTooLong / TooManyEntriesInBatchRequest / InvalidBatchEntryId texts, "Message
//! must be shorter than N bytes", the `Value X for parameter P is invalid. Reason: …` family),
//! and LocalStack's `sqs/exceptions.py` for the JSON `__type` of the common parameter errors
//! (`InvalidParameterValueException` / `MissingRequiredParameterException`, whose query codes
//! are `InvalidParameterValue` / `MissingParameter`).

use std::fmt;

/// Who is at fault for an error: the `<Type>` of AWS's query-protocol error XML, and the part
/// after the `;` of the `x-amzn-query-error` header.
///
/// Example: the unit test `sqs_error_28` in `src/tests/doc_examples.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorType {
    /// The request was wrong (HTTP 4xx).
    Sender,
    /// The service failed (HTTP 5xx).
    Receiver,
}

impl ErrorType {
    /// The type of an error answered with HTTP `status`: `Receiver` for a 5xx, else `Sender`.
    pub(crate) fn for_status(status: u16) -> ErrorType {
        if status >= 500 {
            ErrorType::Receiver
        } else {
            ErrorType::Sender
        }
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorType::Sender => "Sender",
            ErrorType::Receiver => "Receiver",
        })
    }
}

/// An SQS error, as AWS would answer it. The `Display` text is AWS's message.
///
/// Example: the unit test `sqs_error_65` in `src/tests/doc_examples.rs`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SqsError {
    /// The queue named by a URL or name does not exist.
    #[error("The specified queue does not exist.")]
    QueueDoesNotExist,
    /// `CreateQueue` for an existing name with a different attribute value.
    #[error("A queue already exists with the same name and a different value for attribute {0}")]
    QueueNameExists(String),
    /// `CreateQueue` within 60 seconds of deleting a queue of the same name.
    #[error(
        "You must wait 60 seconds after deleting a queue before you can create another with the same name."
    )]
    QueueDeletedRecently,
    /// A receipt handle that is not well-formed (or belongs to another queue).
    #[error("The input receipt handle \"{0}\" is not a valid receipt handle.")]
    ReceiptHandleIsInvalid(String),
    /// `ChangeMessageVisibility` on a message that is not in flight.
    #[error("The specified message isn't in flight.")]
    MessageNotInflight,
    /// A second `PurgeQueue` within 60 seconds.
    #[error("Only one PurgeQueue operation on {0} is allowed every 60 seconds.")]
    PurgeQueueInProgress(String),
    /// A batch request with no entries; carries the entry shape name.
    #[error("There should be at least one {0} in the request.")]
    EmptyBatchRequest(&'static str),
    /// A batch request with more than 10 entries; carries the count sent.
    #[error("Maximum number of entries per request are 10. You have sent {0}.")]
    TooManyEntriesInBatchRequest(usize),
    /// Two batch entries with one id.
    #[error("Id {0} repeated.")]
    BatchEntryIdsNotDistinct(String),
    /// A batch entry id with characters other than alphanumerics, `-` and `_`, or too long.
    #[error(
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."
    )]
    InvalidBatchEntryId,
    /// The total size of a batch is over the limit; carries the size sent.
    #[error("Batch requests cannot be longer than 1048576 bytes. You have sent {0} bytes.")]
    BatchRequestTooLong(usize),
    /// An attribute name that SQS does not know; carries AWS's full message.
    #[error("{0}")]
    InvalidAttributeName(String),
    /// A queue attribute with a value out of range; carries AWS's full message.
    #[error("{0}")]
    InvalidAttributeValue(String),
    /// A message body with characters outside the allowed set; carries AWS's full message.
    #[error("{0}")]
    InvalidMessageContents(String),
    /// A parameter with an invalid value; carries AWS's full message.
    #[error("{0}")]
    InvalidParameterValue(String),
    /// A required parameter is missing; carries the parameter name.
    #[error("The request must contain the parameter {0}.")]
    MissingParameter(String),
    /// A queue URL that cannot name a queue.
    #[error("The address {0} is not valid for this endpoint.")]
    InvalidAddress(String),
    /// A resource named by ARN or handle (a message move task's) does not exist; carries AWS's
    /// message.
    #[error("{0}")]
    ResourceNotFound(String),
    /// An operation this fake (or AWS, for this queue type) does not support.
    #[error("{0}")]
    UnsupportedOperation(String),
}

impl SqsError {
    /// Shorthand for the common `Value V for parameter P is invalid. Reason: R` error.
    pub(crate) fn invalid_value(param: &str, value: impl fmt::Display, reason: &str) -> SqsError {
        SqsError::InvalidParameterValue(format!(
            "Value {value} for parameter {param} is invalid. Reason: {reason}"
        ))
    }

    /// The shape name of the error in the SQS service model (the last part of `__type`).
    pub(crate) fn shape_name(&self) -> &'static str {
        match self {
            SqsError::QueueDoesNotExist => "QueueDoesNotExist",
            SqsError::QueueNameExists(_) => "QueueNameExists",
            SqsError::QueueDeletedRecently => "QueueDeletedRecently",
            SqsError::ReceiptHandleIsInvalid(_) => "ReceiptHandleIsInvalid",
            SqsError::MessageNotInflight => "MessageNotInflight",
            SqsError::PurgeQueueInProgress(_) => "PurgeQueueInProgress",
            SqsError::EmptyBatchRequest(_) => "EmptyBatchRequest",
            SqsError::TooManyEntriesInBatchRequest(_) => "TooManyEntriesInBatchRequest",
            SqsError::BatchEntryIdsNotDistinct(_) => "BatchEntryIdsNotDistinct",
            SqsError::InvalidBatchEntryId => "InvalidBatchEntryId",
            SqsError::BatchRequestTooLong(_) => "BatchRequestTooLong",
            SqsError::InvalidAttributeName(_) => "InvalidAttributeName",
            SqsError::InvalidAttributeValue(_) => "InvalidAttributeValue",
            SqsError::InvalidMessageContents(_) => "InvalidMessageContents",
            SqsError::InvalidParameterValue(_) => "InvalidParameterValueException",
            SqsError::MissingParameter(_) => "MissingRequiredParameterException",
            SqsError::InvalidAddress(_) => "InvalidAddress",
            SqsError::UnsupportedOperation(_) => "UnsupportedOperation",
            SqsError::ResourceNotFound(_) => "ResourceNotFoundException",
        }
    }

    /// The JSON `__type` of the error body, e.g. `com.amazonaws.sqs#QueueDoesNotExist`.
    #[cfg(test)]
    pub(crate) fn aws_type(&self) -> String {
        Self::aws_type_of(self.shape_name())
    }

    /// The JSON `__type` of an SQS error of shape `shape` (also of errors the harness injects).
    pub(crate) fn aws_type_of(shape: &str) -> String {
        format!("com.amazonaws.sqs#{shape}")
    }

    /// The awsQuery error code, sent as `x-amzn-query-error: <code>;<fault>`. These are the
    /// codes the generated SDK error matchers compare against.
    pub(crate) fn query_code(&self) -> &'static str {
        match self {
            SqsError::QueueDoesNotExist => "AWS.SimpleQueueService.NonExistentQueue",
            SqsError::QueueNameExists(_) => "QueueAlreadyExists",
            SqsError::QueueDeletedRecently => "AWS.SimpleQueueService.QueueDeletedRecently",
            SqsError::ReceiptHandleIsInvalid(_) => "ReceiptHandleIsInvalid",
            SqsError::MessageNotInflight => "AWS.SimpleQueueService.MessageNotInflight",
            SqsError::PurgeQueueInProgress(_) => "AWS.SimpleQueueService.PurgeQueueInProgress",
            SqsError::EmptyBatchRequest(_) => "AWS.SimpleQueueService.EmptyBatchRequest",
            SqsError::TooManyEntriesInBatchRequest(_) => {
                "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
            }
            SqsError::BatchEntryIdsNotDistinct(_) => {
                "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
            }
            SqsError::InvalidBatchEntryId => "AWS.SimpleQueueService.InvalidBatchEntryId",
            SqsError::BatchRequestTooLong(_) => "AWS.SimpleQueueService.BatchRequestTooLong",
            SqsError::InvalidAttributeName(_) => "InvalidAttributeName",
            SqsError::InvalidAttributeValue(_) => "InvalidAttributeValue",
            SqsError::InvalidMessageContents(_) => "InvalidMessageContents",
            SqsError::InvalidParameterValue(_) => "InvalidParameterValue",
            SqsError::MissingParameter(_) => "MissingParameter",
            SqsError::InvalidAddress(_) => "InvalidAddress",
            SqsError::UnsupportedOperation(_) => "AWS.SimpleQueueService.UnsupportedOperation",
            // No `awsQueryError` in the model: the shape name is the code.
            SqsError::ResourceNotFound(_) => "ResourceNotFoundException",
        }
    }

    /// Whether the sender or the service is at fault.
    pub(crate) fn error_type(&self) -> ErrorType {
        ErrorType::Sender
    }

    /// The HTTP status code AWS answers with.
    pub(crate) fn status(&self) -> u16 {
        match self {
            // Recorded against AWS by LocalStack (test_successive_purge_calls_fail).
            SqsError::PurgeQueueInProgress(_) => 403,
            _ => match self.error_type() {
                ErrorType::Sender => 400,
                ErrorType::Receiver => 500,
            },
        }
    }

    /// AWS's message text.
    pub(crate) fn message(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_sdk_matchers() {
        let e = SqsError::QueueDoesNotExist;
        assert_eq!(e.aws_type(), "com.amazonaws.sqs#QueueDoesNotExist");
        assert_eq!(e.query_code(), "AWS.SimpleQueueService.NonExistentQueue");
        assert_eq!(e.status(), 400);
        assert_eq!(e.error_type().to_string(), "Sender");
        assert_eq!(
            SqsError::invalid_value("MaxNumberOfMessages", 11, "Must be between 1 and 10, if provided.")
                .message(),
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
        );
        assert_eq!(SqsError::PurgeQueueInProgress("q".into()).status(), 403);
    }
}
