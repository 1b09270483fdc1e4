//! What can go wrong through the harness: [`HarnessError`], and the typed reports it carries.

use std::fmt;
use std::time::Duration;

use crate::asl::InvalidDefinition;
use crate::engine::{ApiError, OpenToken, Status};
use crate::harness::expect::Unmet;
use crate::harness::faults::{FaultPlanError, FaultReport};
use crate::harness::snapshot::Timeline;
use crate::sqs::SqsError;

/// Errors a test meets through the harness. Every variant prints what a failing test should
/// show; `?` in a `#[sfn_harness::test]` body (or a `main` returning
/// `Result<(), Box<dyn std::error::Error>>`) fails with that text.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() {
/// let h = Harness::start().await;
/// let err = h.create_state_machine("broken", json!({ "StartAt": "Nowhere", "States": {} }))
///     .await
///     .unwrap_err();
/// assert!(matches!(err, HarnessError::InvalidDefinition(_)));
/// assert!(err.to_string().starts_with("the state machine definition is invalid:\n  - "), "{err}");
///
/// let err = h.execution("arn:aws:states:us-east-1:123456789012:execution:m:none").unwrap_err();
/// assert!(matches!(&err, HarnessError::Api(e) if e.code() == "ExecutionDoesNotExist"), "{err}");
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// A definition was rejected; every diagnostic is listed.
    #[error("the state machine definition is invalid:\n{}", .0.bullet_list())]
    InvalidDefinition(InvalidDefinition),
    /// A Step Functions call failed as AWS would fail it.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// An SQS call failed as AWS would fail it.
    #[error("{}: {}", .0.query_code(), .0.message())]
    Sqs(#[from] SqsError),
    /// An execution did not end within the bound.
    #[error("execution did not finish within {waited:?} of wall time\n{report}")]
    Timeout {
        /// The bound.
        waited: Duration,
        /// Machine, execution, timeline, open tokens, workers and faults.
        report: Box<ExecutionReport>,
    },
    /// An execution can never end: it waits for something, and nothing can happen any more
    /// (no activity is live, no timer is due, no scripted worker holds its task, and no real
    /// client has connected to the endpoint). `finish()` reports it at once instead of
    /// waiting out its wall-time bound.
    #[error("execution can never finish: it is waiting, and nothing can happen any more (no scripted worker is at work, no timer is due, and no real client has connected to the endpoint)\n{report}")]
    Stuck {
        /// Machine, execution, timeline, open tokens, workers and faults.
        report: Box<ExecutionReport>,
    },
    /// A scripted worker's closure panicked.
    #[error("a scripted worker panicked: {0}")]
    WorkerPanicked(String),
    /// A picture could not be drawn or written ([`Finished::write_html`](crate::Finished::write_html)).
    #[error("picture: {0}")]
    Picture(String),
    /// A fault cannot be armed (it names no operation the endpoint serves, say).
    #[error("invalid fault: {0}")]
    InvalidFault(#[from] InvalidFault),
    /// A fault plan could not be loaded.
    #[error(transparent)]
    FaultPlan(#[from] FaultPlanError),
    /// Expectations were not met ([`Harness::verify`](crate::Harness::verify)).
    #[error(transparent)]
    Verification(#[from] VerificationError),
    /// A fixture file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// Why a fault cannot be armed.
///
/// ```
/// use sfn_harness::prelude::*;
/// use sfn_harness::InvalidFault;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() {
/// let h = Harness::start().await;
/// let err = h.inject(Fault::throttle("SendTaskSucess")).unwrap_err();
/// let HarnessError::InvalidFault(InvalidFault::UnknownOperation { suggestions, .. }) = &err else {
///     panic!("{err}");
/// };
/// assert_eq!(suggestions[0], "SendTaskSuccess");
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidFault {
    /// The operation pattern names nothing the endpoint serves.
    #[error(
        "no operation '{operation}' is served by the endpoint{}; use an operation name \
         (\"SendTaskSuccess\"), a target (\"AmazonSQS.ReceiveMessage\"), a service \
         (\"AWSStepFunctions.*\") or \"*\"",
        did_you_mean(.suggestions)
    )]
    UnknownOperation {
        /// The pattern as given.
        operation: String,
        /// Operations with a similar name.
        suggestions: Vec<String>,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", suggestions.join(", "))
    }
}

/// Where an execution stood when [`finish`](crate::Execution::finish) gave up on it: machine,
/// execution, states visited, the task tokens still waiting, what each worker did and the faults
/// injected. Its text is what [`HarnessError::Timeout`] prints.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExecutionReport {
    /// The state machine's name.
    pub state_machine: String,
    /// The execution's ARN.
    pub execution_arn: String,
    /// Its status.
    pub status: Status,
    /// The states it visited.
    pub timeline: Timeline,
    /// The states whose task tokens are waiting for an answer.
    pub waiting: Vec<WaitingTask>,
    /// Every mounted worker.
    pub workers: Vec<WorkerSummary>,
    /// Every fault injected.
    pub faults: FaultReport,
    /// Where it stood, as Mermaid flowchart text ([`Execution::picture`](crate::Execution::picture)).
    pub picture: String,
    /// The expectations not met when `finish()` gave up (what [`Harness::verify`] would report
    /// now).
    ///
    /// [`Harness::verify`]: crate::Harness::verify
    pub unmet: Vec<Unmet>,
    /// Workers mounted on a state no state machine has (`did you mean 'ShipItem'?`).
    pub warnings: Vec<String>,
}

/// A task token still waiting for an answer, in an [`ExecutionReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitingTask {
    /// The Task state that issued the token.
    pub state_name: String,
    /// Whether a scripted worker is mounted for that state (it took the token and stayed
    /// silent, or its narrowing did not admit the task).
    pub has_worker: bool,
}

/// What one scripted worker did, in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerSummary {
    /// The worker's label (`worker 'the bureau' (state 'CheckCredit')`).
    pub label: String,
    /// How many tasks it took.
    pub deliveries: u64,
    /// What it did, one line per action.
    pub log: Vec<String>,
}

impl fmt::Display for ExecutionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  state machine: {}", self.state_machine)?;
        writeln!(f, "  execution:     {}", self.execution_arn)?;
        writeln!(f, "  status:        {}", self.status)?;
        writeln!(f, "  timeline:")?;
        for line in self.timeline.to_string().lines() {
            writeln!(f, "  {line}")?;
        }
        if self.waiting.is_empty() {
            writeln!(f, "  no task token is waiting for an answer")?;
        }
        for t in &self.waiting {
            writeln!(
                f,
                "  task token for state '{}' is waiting for an answer (no scripted worker took it{})",
                t.state_name,
                if t.has_worker {
                    ", or the worker's reply was silent"
                } else {
                    "; mount one with h.on_task(\"...\")"
                }
            )?;
        }
        for w in &self.workers {
            writeln!(f, "  {}: {} deliveries", w.label, w.deliveries)?;
            for line in &w.log {
                writeln!(f, "      {line}")?;
            }
        }
        if !self.faults.is_empty() {
            writeln!(f, "  faults injected:")?;
            for i in &self.faults {
                writeln!(f, "    - {i}")?;
            }
        }
        if !self.unmet.is_empty() {
            writeln!(f, "  expectations not met:")?;
            for u in &self.unmet {
                writeln!(f, "    - {}", u.to_string().replace('\n', "\n      "))?;
            }
        }
        for w in &self.warnings {
            writeln!(f, "  warning: {w}")?;
        }
        let mut block = String::new();
        crate::harness::picture::fenced(&mut block, "  ", &self.picture);
        write!(f, "  where it stood:\n{block}")
    }
}

/// The pictures in a [`VerificationError`]: `(execution ARN, Mermaid text)`, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pictures(pub Vec<(String, String)>);

/// The expectations [`Harness::verify`](crate::Harness::verify) found unmet, and the scripted
/// workers' panics, with the faults injected and the task tokens left unanswered for context.
/// Its text is `wiremock`'s kind of report:
///
/// ```text
/// Verifications failed:
/// - worker 'the bureau' (state 'CheckCredit')
///     Expected deliveries: exactly 1
///     Received: 0
/// ```
///
/// ```
/// use sfn_harness::prelude::*;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() {
/// let h = Harness::start().await;
/// h.inject(Fault::throttle("StartExecution").expect(1)).unwrap();
/// let report = h.verify().unwrap_err();
/// assert_eq!(report.unmet.len(), 1);
/// assert_eq!(report.unmet[0].label, "fault 'throttle StartExecution'");
/// assert!(report.contains("Expected injections: exactly 1"), "{report}");
/// # std::mem::forget(h); // dropping it would fail with the same report
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerificationError {
    /// Expectations not met: faults first, then workers, in the order they were armed and
    /// mounted.
    pub unmet: Vec<Unmet>,
    /// Panics of scripted workers' closures (`worker for state 'X' panicked: …`).
    pub panics: Vec<String>,
    /// Every fault injected.
    pub faults: FaultReport,
    /// Task tokens left unanswered.
    pub open_tokens: Box<[OpenToken]>,
    /// Where the executions stood: `(execution ARN, Mermaid text)` of those still running, or
    /// of the newest one when none runs (newest first, at most three).
    /// (Boxed, to keep this report under clippy's `result_large_err` bound.)
    pub pictures: Box<Pictures>,
    /// Workers mounted on a state no state machine has (`did you mean 'ShipItem'?`): likely
    /// why an expectation is unmet.
    pub warnings: Vec<String>,
}

impl VerificationError {
    /// Whether the report's text contains `text`: a shorthand for assertions on it.
    pub fn contains(&self, text: &str) -> bool {
        self.to_string().contains(text)
    }
}

impl fmt::Display for VerificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Verifications failed:")?;
        for u in &self.unmet {
            writeln!(f, "- {u}")?;
        }
        for p in &self.panics {
            writeln!(f, "- {p}")?;
        }
        for w in &self.warnings {
            writeln!(f, "- warning: {w}")?;
        }
        if !self.faults.is_empty() {
            write!(f, "\nFaults injected:\n{}", self.faults)?;
        }
        if !self.open_tokens.is_empty() {
            writeln!(f, "\nTask tokens left unanswered:")?;
            for t in self.open_tokens.iter() {
                writeln!(f, "- state '{}' of {}", t.state_name, t.execution_arn)?;
            }
        }
        for (arn, mermaid) in &self.pictures.0 {
            let mut block = String::new();
            crate::harness::picture::fenced(&mut block, "", mermaid);
            write!(f, "\nWhere {arn} stood:\n{block}")?;
        }
        Ok(())
    }
}

impl std::error::Error for VerificationError {}
