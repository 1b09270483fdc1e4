//! Pictures of state machines and of executions on them: Mermaid flowcharts and a
//! self-contained HTML page.
//!
//! The types are documented on [`Picture`], the way in.

mod graph;
mod html;
mod mermaid;
mod overlay;
mod time;
mod view;

use serde_json::Value;

use graph::Graph;
use overlay::Overlay;
use view::View;

/// Why a definition cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    /// The definition is not a JSON object.
    #[error("the definition is not a JSON object")]
    NotAnObject,
    /// The definition has no string `StartAt`.
    #[error("the definition has no StartAt string")]
    MissingStartAt,
    /// The definition has no `States` object.
    #[error("the definition has no States object")]
    MissingStates,
    /// `StartAt` names a state that `States` lacks.
    #[error("StartAt names {0:?}, which is not among the States")]
    UnknownStartAt(String),
}

/// A picture of a state machine, and optionally of one execution on it.
///
/// Build it with [`Picture::of_definition`], add an execution with
/// [`Picture::with_history`] and [`Picture::with_waiting`], then write it with
/// [`Picture::mermaid`] or [`Picture::html`].
///
/// A picture reads nothing but JSON: the **raw definition** (the Amazon States Language
/// document as written, JSONPath or JSONata alike) and, optionally, the execution's
/// **history** in the shape of AWS's `GetExecutionHistory` (`events` with `id`,
/// `previousEventId`, `type`, `timestamp` and a `<type>EventDetails` object). So the same code
/// draws a harness execution in a test, a history saved by the AWS CLI
/// (`aws stepfunctions get-execution-history ... > history.json`), or a definition alone.
///
/// # A definition
///
/// [`Picture::of_definition`] reads the definition; [`Picture::mermaid`] writes a
/// `flowchart TD`:
///
/// - every state is a node labelled with its name and type, Tasks with their short resource
///   (`lambda:invoke`, `sqs:sendMessage.waitForTaskToken`), retriers as `retry ×3 ...`;
/// - each scope (the machine, each Parallel branch, each Map's item processor) has its own
///   `Start` and `End` markers; Parallel and Map states are subgraphs around their scopes,
///   nested as deep as the definition nests them;
/// - `Next` edges are plain arrows, Choice edges carry their condition (`$.amount > 1000`,
///   `... and not (...)`, or a JSONata `Condition`'s text) and `Default`, catchers are dotted
///   arrows labelled with their errors; terminal states have an edge to the `End` marker.
///
/// Node ids are readable and stable: `s_` and the state's name with everything but ASCII
/// letters and digits turned into `_`, with the enclosing states' names as a prefix
/// (`s_Ship__ShipItem`), and `_2`, `_3` ... when two names would give the same id. Labels are
/// quoted and escaped with Mermaid's entity codes, so any state name works.
///
/// # An execution
///
/// [`Picture::with_history`] lays an execution over the definition: states entered (`×N`
/// when entered several times: Map iterations, Parallel retries, loops), time spent in them
/// (from the events' timestamps, when they have any), the failed state and its error, a
/// state's failures that a retry got past, the edges taken (thick green), and the state still
/// waiting in a running execution. [`Picture::with_waiting`] adds what a history cannot know:
/// which worker holds an open task token.
///
/// ```
/// use serde_json::json;
/// use sfn_harness::Picture;
///
/// let definition = json!({
///     "StartAt": "Charge",
///     "States": {
///         "Charge": {
///             "Type": "Task",
///             "Resource": "arn:aws:states:::lambda:invoke",
///             "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "Refund" }],
///             "End": true
///         },
///         "Refund": { "Type": "Fail", "Error": "ChargeFailed" }
///     }
/// });
/// let history = [
///     json!({"id": 1, "previousEventId": 0, "type": "ExecutionStarted", "timestamp": 0.0}),
///     json!({"id": 2, "previousEventId": 1, "type": "TaskStateEntered", "timestamp": 0.0,
///            "stateEnteredEventDetails": {"name": "Charge"}}),
///     json!({"id": 3, "previousEventId": 2, "type": "TaskFailed", "timestamp": 1.5,
///            "taskFailedEventDetails": {"error": "Declined"}}),
///     json!({"id": 4, "previousEventId": 3, "type": "TaskStateExited", "timestamp": 1.5,
///            "stateExitedEventDetails": {"name": "Charge"}}),
///     json!({"id": 5, "previousEventId": 4, "type": "FailStateEntered", "timestamp": 1.5,
///            "stateEnteredEventDetails": {"name": "Refund"}}),
///     json!({"id": 6, "previousEventId": 5, "type": "ExecutionFailed", "timestamp": 1.5,
///            "executionFailedEventDetails": {"error": "ChargeFailed"}}),
/// ];
/// let picture = Picture::of_definition(&definition)?.with_history(&history);
/// let text = picture.mermaid();
/// assert!(text.contains("\nflowchart TD\n"));
/// assert!(text.contains(r#"s_Charge["Charge<br/>Task · lambda:invoke<br/>×1 · 1.5s<br/>✗ Declined"]"#));
/// assert!(text.contains(r#"s_Charge -.->|"States.ALL"| s_Refund"#));
/// assert!(text.contains("class s_Charge,s_Refund failed"));
///
/// // One file, no scripts from anywhere: open it in a browser, attach it to a bug report.
/// let page = picture.html("Charge failed");
/// assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<svg"));
/// # Ok::<(), sfn_harness::PictureError>(())
/// ```
///
/// # The HTML page
///
/// [`Picture::html`] draws the same picture as inline SVG with its own simple layered layout
/// (no Mermaid script, nothing fetched: it opens offline), and beside it the history as a
/// timeline table. It also carries the Mermaid text, for pasting into a Markdown file.
///
/// Output is deterministic: the same definition and history give byte-identical text.
/// Nothing here panics on odd input: a definition without a usable top level is a
/// [`PictureError`]; anything malformed below it (a branch without `States`, a `Next` to a
/// state that does not exist, a state that is not an object) is drawn as a placeholder node;
/// history events that cannot be placed are listed in the timeline and otherwise ignored.
#[derive(Debug, Clone)]
pub struct Picture {
    graph: Graph,
    overlay: Option<Overlay>,
    waiting: Vec<(String, String)>,
}

impl Picture {
    /// Reads a raw Amazon States Language definition.
    ///
    /// Fails only when the top level is unusable (not an object, no `StartAt` string, no
    /// `States` object, `StartAt` not among the `States`); anything malformed below it is
    /// drawn as a placeholder.
    ///
    /// ```
    /// use sfn_harness::{Picture, PictureError};
    /// let ok = Picture::of_definition(&serde_json::json!({
    ///     "StartAt": "A", "States": { "A": { "Type": "Succeed" } }
    /// }));
    /// assert!(ok.is_ok());
    /// let bad = Picture::of_definition(&serde_json::json!({ "StartAt": "A", "States": {} }));
    /// assert_eq!(bad.unwrap_err(), PictureError::UnknownStartAt("A".into()));
    /// ```
    pub fn of_definition(definition: &Value) -> Result<Picture, PictureError> {
        Ok(Picture {
            graph: Graph::from_definition(definition)?,
            overlay: None,
            waiting: Vec::new(),
        })
    }

    /// Lays an execution's history over the picture: the `events` of `GetExecutionHistory`
    /// (in either order; `timestamp` as epoch seconds or an RFC 3339 string). Replaces a
    /// history given before. Events it cannot place are kept in the HTML timeline only.
    ///
    /// ```
    /// # use sfn_harness::Picture;
    /// # use serde_json::json;
    /// let def = json!({ "StartAt": "A", "States": { "A": { "Type": "Pass", "End": true } } });
    /// let history = [
    ///     json!({"id": 1, "type": "ExecutionStarted"}),
    ///     json!({"id": 2, "previousEventId": 1, "type": "PassStateEntered",
    ///            "stateEnteredEventDetails": {"name": "A"}}),
    /// ];
    /// let text = Picture::of_definition(&def)?.with_history(&history).mermaid();
    /// assert!(text.contains("class s_A waiting"));
    /// # Ok::<(), sfn_harness::PictureError>(())
    /// ```
    pub fn with_history(mut self, events: &[Value]) -> Picture {
        self.overlay = Some(Overlay::from_history(&self.graph, events));
        self
    }

    /// Marks the states named `state` as waiting, with a note such as the worker that holds
    /// the task token (`"credit-desk (message 3 of 5)"`): a history says a callback task is
    /// open, not who works on it. Several calls add several facts.
    ///
    /// ```
    /// # use sfn_harness::Picture;
    /// let def = serde_json::json!({ "StartAt": "Ask", "States": { "Ask": {
    ///     "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    ///     "End": true } } });
    /// let text = Picture::of_definition(&def)?.with_waiting("Ask", "reviewer bot").mermaid();
    /// assert!(text.contains("◔ waiting: reviewer bot"));
    /// # Ok::<(), sfn_harness::PictureError>(())
    /// ```
    pub fn with_waiting(mut self, state: impl Into<String>, note: impl Into<String>) -> Picture {
        self.waiting.push((state.into(), note.into()));
        self
    }

    fn view(&self) -> View<'_> {
        View::new(&self.graph, self.overlay.as_ref(), &self.waiting)
    }

    /// The picture as Mermaid flowchart text (`flowchart TD ...`), ready for a Markdown
    /// ```` ```mermaid ```` block or mermaid.live.
    pub fn mermaid(&self) -> String {
        mermaid::render(&self.view())
    }

    /// One self-contained HTML page titled `title`: the picture as inline SVG, the history's
    /// timeline as a table, and the Mermaid text. It loads nothing from anywhere.
    pub fn html(&self, title: &str) -> String {
        let view = self.view();
        html::render(&view, title, &mermaid::render(&view))
    }
}
