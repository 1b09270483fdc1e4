//! Mocked responses: what one invocation of a mocked Task state answers, and the numbered
//! sequence a `MockedResponses` entry is.
//!
//! Step Functions Local numbers the invocations of a state from 0 and keys each response by an
//! invocation number (`"0"`) or an inclusive range (`"1-2"`); the keys must number the
//! invocations consecutively from 0 (developer guide, "Configuration file for mocked service
//! integrations in Step Functions", sfn-local-mock-cfg-file.html).

use serde_json::Value;

/// What a mocked invocation answers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mocked {
    /// `{"Return": …}`: the service's response (any JSON).
    Return(Value),
    /// `{"Throw": {"Error": …, "Cause": …}}`: the task fails with this error.
    Throw {
        /// The error name.
        error: String,
        /// The cause.
        cause: String,
    },
}

/// One entry of a mocked response: the answer, and sfn-harness's extensions `"AfterMs"` (the
/// answer comes that many milliseconds of harness time after the task starts) and
/// `"AnsweredByWorker": true` (for a `.waitForTaskToken` task: `Return` is the service's answer
/// to the submission, recorded as `TaskSubmitted`, and the task then waits for a worker to
/// answer its token, as an unmocked one does).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MockedEntry {
    /// The answer.
    pub answer: Mocked,
    /// Delay before the answer, in milliseconds (sfn-harness's extension; 0 answers at once).
    pub after_ms: u64,
    /// A worker answers the task's token (sfn-harness's extension; `false` in Step Functions
    /// Local's format).
    pub answered_by_worker: bool,
}

/// A `MockedResponses` entry: answers by invocation number.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MockedResponse {
    /// `(first, last, entry)`, inclusive, consecutive from 0.
    pub(crate) ranges: Vec<(u64, u64, MockedEntry)>,
}

impl MockedResponse {
    /// The answer of invocation `n` (counted from 0), or `None` once the entries are used up.
    pub(crate) fn entry(&self, n: u64) -> Option<&MockedEntry> {
        self.ranges
            .iter()
            .find(|(a, b, _)| (*a..=*b).contains(&n))
            .map(|(_, _, e)| e)
    }

    /// How many invocations the response answers.
    pub(crate) fn len(&self) -> u64 {
        self.ranges.last().map_or(0, |(_, b, _)| b + 1)
    }
}
