//! SNS errors, with the query error code, HTTP status and message AWS answers.

use thiserror::Error;

/// An SNS error. [`SnsError::code`] is the query protocol's `<Code>` (and the Java SDK's
/// `Error Code`), [`SnsError::status`] the HTTP status, the `Display` text AWS's `<Message>`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SnsError {
    /// The topic does not exist (`NotFound`, 404: "Topic does not exist", as recorded in
    /// `services.test_sns_task_service.test_publish_base_error_topic_arn`).
    #[error("Topic does not exist")]
    TopicNotFound,
    /// The subscription does not exist (`NotFound`, 404).
    #[error("Subscription does not exist")]
    SubscriptionNotFound,
    /// A parameter AWS rejects (`InvalidParameter`, 400): the text after "Invalid parameter: ".
    #[error("Invalid parameter: {0}")]
    InvalidParameter(String),
    /// A value that is not allowed (`InvalidParameterValue`, 400), the whole message.
    #[error("{0}")]
    InvalidParameterValue(String),
    /// A request whose required parameter is absent (`ValidationError`, 400).
    #[error("{0}")]
    Validation(String),
    /// What sfn-harness's SNS does not implement (`InvalidParameter`, 400), saying so.
    #[error("{0}")]
    Unsupported(String),
}

impl SnsError {
    /// The query protocol error code.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            SnsError::TopicNotFound | SnsError::SubscriptionNotFound => "NotFound",
            SnsError::InvalidParameter(_) | SnsError::Unsupported(_) => "InvalidParameter",
            SnsError::InvalidParameterValue(_) => "InvalidParameterValue",
            SnsError::Validation(_) => "ValidationError",
        }
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> u16 {
        match self {
            SnsError::TopicNotFound | SnsError::SubscriptionNotFound => 404,
            _ => 400,
        }
    }

    /// The exception name the Java SDK (and so Step Functions) gives the error:
    /// `NotFoundException`, `InvalidParameterException`, ….
    pub(crate) fn exception(&self) -> String {
        match self.code() {
            "ValidationError" => "AmazonSNSException".to_string(),
            code => format!("{code}Exception"),
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> SnsError {
        SnsError::InvalidParameter(msg.into())
    }
}

#[cfg(test)]
mod doc_example_8 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::sns::SnsError;
        let e = SnsError::TopicNotFound;
        assert_eq!((e.code(), e.status()), ("NotFound", 404));
        assert_eq!(e.to_string(), "Topic does not exist");
    }
}
