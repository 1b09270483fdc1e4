//! Executions as a test sees them: start, wait (bounded, driving virtual time), inspect.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::engine::history::HistoryEvent;
use crate::engine::{self, Status};
use crate::harness::snapshot::{NormalizedHistory, Timeline};
use crate::harness::{HarnessError, HarnessInner};
use crate::picture::{Picture, PictureError};

/// How long (wall time) an execution must stay with nothing able to happen before `finish()`
/// calls it stuck: long enough for code of the test's own that the clock cannot see to act,
/// short enough to cost nothing.
const STUCK_AFTER: Duration = Duration::from_millis(50);

/// A state machine created through the harness.
///
/// ```
/// # use sfn_harness::prelude::*;
/// # use serde_json::json;
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::start().await;
/// let machine = h.create_state_machine("hello", json!({
///     "StartAt": "Hi", "States": { "Hi": { "Type": "Pass", "Result": "hi", "End": true } }
/// })).await?;
/// let done = machine.start(json!({})).await?.finish().await?;
/// assert_eq!(done.output(), Some(&json!("hi")));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Machine {
    pub(crate) harness: Arc<HarnessInner>,
    pub(crate) inner: Arc<engine::StateMachine>,
}

impl std::fmt::Debug for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Machine")
            .field("arn", &self.inner.arn)
            .finish()
    }
}

impl Machine {
    /// The state machine's ARN.
    pub fn arn(&self) -> &str {
        &self.inner.arn
    }

    /// Starts an execution with a generated name.
    pub async fn start(&self, input: Value) -> Result<Execution, HarnessError> {
        self.start_execution(None, input)
    }

    /// Starts an execution with the given name.
    pub async fn start_named(&self, name: &str, input: Value) -> Result<Execution, HarnessError> {
        self.start_execution(Some(name), input)
    }

    /// Starts an execution that runs the test case `test_case` of the mock configuration
    /// loaded with [`Harness::load_mock_config`](crate::Harness::load_mock_config) (as
    /// StartExecution on `<stateMachineArn>#<TestCase>`). An unknown test case is refused.
    pub async fn start_test_case(
        &self,
        test_case: &str,
        input: Value,
    ) -> Result<Execution, HarnessError> {
        self.start_at(&format!("{}#{test_case}", self.inner.arn), None, input)
    }

    fn start_execution(&self, name: Option<&str>, input: Value) -> Result<Execution, HarnessError> {
        self.start_at(&self.inner.arn, name, input)
    }

    fn start_at(
        &self,
        arn: &str,
        name: Option<&str>,
        input: Value,
    ) -> Result<Execution, HarnessError> {
        let text = input.to_string();
        let exec = self
            .harness
            .engine()
            .start_execution(arn, name, Some(&text))?;
        Ok(Execution {
            harness: self.harness.clone(),
            inner: exec,
        })
    }
}

/// A running (or finished) execution: [`finish`](Execution::finish) waits for it to end,
/// driving virtual time; [`history`](Execution::history) and [`timeline`](Execution::timeline)
/// show it so far.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::start().await;
/// let machine = h.create_state_machine("nap", json!({
///     "StartAt": "Nap", "States": { "Nap": { "Type": "Wait", "Seconds": 3600, "End": true } }
/// })).await?;
///
/// let exec: Execution = machine.start_named("first", json!({})).await?;
/// assert!(exec.arn().ends_with(":nap:first"));
/// assert_eq!(exec.status(), Status::Running);
/// h.clock().advance(Duration::from_secs(1800)).await; // half way, by hand
/// assert_eq!(exec.status(), Status::Running);
///
/// let done = exec.finish().await?;            // the rest, skipped
/// assert_eq!(done.duration(), Duration::from_secs(3600));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Execution {
    pub(crate) harness: Arc<HarnessInner>,
    pub(crate) inner: Arc<engine::ExecutionRecord>,
}

impl std::fmt::Debug for Execution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Execution")
            .field("arn", &self.inner.arn())
            .field("status", &self.inner.status())
            .finish()
    }
}

impl Execution {
    /// The execution ARN.
    pub fn arn(&self) -> &str {
        self.inner.arn()
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.inner.status()
    }

    /// The history so far, normalized for snapshots.
    pub fn history(&self) -> NormalizedHistory {
        self.harness.normalize(&self.inner)
    }

    /// The history so far, exactly as `GetExecutionHistory` returns it.
    pub fn aws_history(&self) -> Vec<HistoryEvent> {
        self.inner.history()
    }

    /// The states visited so far.
    pub fn timeline(&self) -> Timeline {
        Timeline::new(&self.inner.history(), self.inner.start_ms())
    }

    /// The picture of the execution so far, as Mermaid flowchart text: the definition, the
    /// states entered and the edges taken, and each open task token's scripted worker. See
    /// [`Finished::picture`] for an example.
    pub fn picture(&self) -> String {
        self.harness.mermaid_of(&self.inner)
    }

    /// Stops the execution (`StopExecution`).
    pub async fn stop(&self, error: Option<&str>, cause: Option<&str>) -> Result<(), HarnessError> {
        self.harness
            .engine()
            .stop_execution(self.arn(), error, cause)?;
        Ok(())
    }

    /// Waits for the execution to end, skipping virtual time while everything else is idle.
    ///
    /// The wait is bounded by the harness's finish timeout in *real* time; past it, the error
    /// names the machine, the execution, the states visited and the tokens left unanswered.
    /// A scripted worker's panic also ends the wait, with the panic's message. An execution
    /// that can never end (it waits for a task no scripted worker took, no timer is due, and
    /// no real client has connected to the endpoint) fails at once with
    /// [`HarnessError::Stuck`] and the same report.
    pub async fn finish(&self) -> Result<Finished, HarnessError> {
        let bound = self.harness.config.finish_timeout;
        self.finish_within(bound).await
    }

    /// Returns once nothing can ever happen to the execution: it is running, the clock is
    /// quiescent ([`Clock::is_quiescent`](crate::time::Clock::is_quiescent)) and no real client
    /// can be involved, continuously for [`STUCK_AFTER`] of wall time (a margin for code of
    /// the test's own that the clock cannot see).
    async fn stuck(&self, clock: &crate::time::Clock) {
        let mut since: Option<std::time::Instant> = None;
        loop {
            tokio::time::sleep(Duration::from_millis(2)).await;
            let idle = self.inner.status() == Status::Running
                && !self.harness.holds.engaged()
                && clock.is_quiescent();
            if !idle {
                since = None;
                continue;
            }
            if since.get_or_insert_with(std::time::Instant::now).elapsed() >= STUCK_AFTER {
                return;
            }
        }
    }

    /// [`finish`](Self::finish) with an explicit real-time bound.
    pub(crate) async fn finish_within(&self, bound: Duration) -> Result<Finished, HarnessError> {
        let clock = self.harness.engine().clock().clone();
        let panicked = self.harness.panicked.clone();
        let wait = async {
            tokio::select! {
                _ = self.inner.wait() => false,
                _ = panicked.notified() => false,
                _ = self.stuck(&clock) => true,
            }
        };
        let waited = tokio::time::timeout(bound, clock.run_until(wait)).await;
        if let Some(p) = self.harness.first_panic() {
            return Err(HarnessError::WorkerPanicked(p));
        }
        if waited == Ok(true) && self.inner.status() == Status::Running {
            return Err(HarnessError::Stuck {
                report: Box::new(self.harness.report_for(&self.inner)),
            });
        }
        let ended = waited.is_ok();
        if !ended || self.inner.status() == Status::Running {
            return Err(HarnessError::Timeout {
                waited: bound,
                report: Box::new(self.harness.report_for(&self.inner)),
            });
        }
        Ok(Finished {
            picture: self.harness.picture_of(&self.inner),
            history: self.history(),
            timeline: self.timeline(),
            output: self.inner.output(),
            exec: self.inner.clone(),
        })
    }
}

/// An execution that has ended, as [`Execution::finish`] returns it: status, output or error,
/// duration on the harness clock, and the history, normalized for snapshots.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::start().await;
/// let machine = h.create_state_machine("refuse", json!({
///     "StartAt": "No", "States": { "No": { "Type": "Fail", "Error": "Refused", "Cause": "policy" } }
/// })).await?;
///
/// let done: Finished = machine.start(json!({})).await?.finish().await?;
/// assert_eq!(done.status(), Status::Failed);
/// assert_eq!(done.error().as_deref(), Some("Refused"));
/// assert_eq!(done.cause().as_deref(), Some("policy"));
/// assert_eq!(done.output(), None);
/// assert_eq!(done.history().types(), ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]);
/// // insta::assert_json_snapshot!(done.history());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Finished {
    exec: Arc<engine::ExecutionRecord>,
    history: NormalizedHistory,
    timeline: Timeline,
    output: Option<Value>,
    picture: Result<Picture, PictureError>,
}

impl Finished {
    /// How it ended.
    pub fn status(&self) -> Status {
        self.exec.status()
    }

    /// Its output, if it succeeded.
    pub fn output(&self) -> Option<&Value> {
        self.output.as_ref()
    }

    /// Its error, if it failed, timed out or was aborted with one.
    pub fn error(&self) -> Option<String> {
        self.exec.error()
    }

    /// Its cause, if any.
    pub fn cause(&self) -> Option<String> {
        self.exec.cause()
    }

    /// The execution ARN.
    pub fn arn(&self) -> &str {
        self.exec.arn()
    }

    /// The history, normalized for `insta` snapshots.
    pub fn history(&self) -> &NormalizedHistory {
        &self.history
    }

    /// The history exactly as `GetExecutionHistory` returns it.
    pub fn aws_history(&self) -> Vec<HistoryEvent> {
        self.exec.history()
    }

    /// The states it visited.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The picture of the execution, as Mermaid flowchart text (for a ```` ```mermaid ````
    /// block): the definition's states and edges, with the states entered (`×N` when entered
    /// several times), the time spent in each on the harness clock, the edges taken, and the
    /// state that failed with its error. Under a seed it is the same text on every run, so
    /// it makes an `insta` snapshot: `insta::assert_snapshot!(done.picture())`.
    ///
    /// ```
    /// use sfn_harness::prelude::*;
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let h = Harness::builder().seed(1).start().await;
    /// let machine = h.create_state_machine("hello", json!({
    ///     "StartAt": "Hello", "States": { "Hello": { "Type": "Pass", "End": true } }
    /// })).await?;
    /// let done = machine.start(json!({})).await?.finish().await?;
    /// let picture = done.picture();
    /// assert!(picture.contains("\nflowchart TD\n"), "{picture}");
    /// assert!(picture.contains("class s_Hello"), "{picture}");
    /// // insta::assert_snapshot!(picture);
    /// # Ok(()) }
    /// ```
    pub fn picture(&self) -> String {
        match &self.picture {
            Ok(p) => p.mermaid(),
            Err(e) => format!("%% sfn-harness drew no picture: {e}\n"),
        }
    }

    /// One self-contained HTML page (no network: the picture as inline SVG, the history's
    /// timeline and the Mermaid text) titled `title`; see [`Picture::html`].
    pub(crate) fn html(&self, title: &str) -> Result<String, PictureError> {
        self.picture
            .as_ref()
            .map(|p| p.html(title))
            .map_err(Clone::clone)
    }

    /// Writes one self-contained HTML page (no network: the picture as inline SVG, the
    /// history's timeline and the Mermaid text; see [`Picture::html`]), titled with the
    /// execution ARN, to `path`.
    ///
    /// ```no_run
    /// # async fn f(done: sfn_harness::Finished) -> Result<(), Box<dyn std::error::Error>> {
    /// done.write_html("target/approval.html")?;
    /// # Ok(()) }
    /// ```
    pub fn write_html(&self, path: impl AsRef<std::path::Path>) -> Result<(), HarnessError> {
        let page = self
            .html(self.arn())
            .map_err(|e| HarnessError::Picture(e.to_string()))?;
        std::fs::write(path.as_ref(), page).map_err(|e| {
            HarnessError::Picture(format!("cannot write {}: {e}", path.as_ref().display()))
        })
    }

    /// How long it ran, on the harness clock.
    pub fn duration(&self) -> Duration {
        Duration::from_millis(
            self.exec
                .stop_ms()
                .unwrap_or_else(|| self.exec.start_ms())
                .saturating_sub(self.exec.start_ms()),
        )
    }
}
