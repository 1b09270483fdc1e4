//! Executions: their status, result and history, and how to wait for them.

use crate::sync::lock;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use serde_json::Value;
use tokio::sync::Notify;

use crate::engine::history::events::EventType;
use crate::engine::history::{Event, HistoryEvent};
use crate::engine::machine::StateMachine;
use crate::time::Millis;

/// An execution's status, as `DescribeExecution` reports it.
///
/// ```
/// use sfn_harness::Status;
///
/// // `Display` is AWS's name.
/// assert_eq!(Status::TimedOut.to_string(), "TIMED_OUT");
/// assert_eq!(Status::Aborted.to_string(), "ABORTED");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Still running.
    Running,
    /// Finished successfully.
    Succeeded,
    /// Failed.
    Failed,
    /// Exceeded its `TimeoutSeconds`.
    TimedOut,
    /// Stopped with `StopExecution`.
    Aborted,
}

impl Status {
    /// AWS's name for it (`RUNNING`, `SUCCEEDED`, …; also its `Display`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }

    /// Parses AWS's name.
    pub(crate) fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "RUNNING" => Status::Running,
            "SUCCEEDED" => Status::Succeeded,
            "FAILED" => Status::Failed,
            "TIMED_OUT" => Status::TimedOut,
            "ABORTED" => Status::Aborted,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug)]
pub(crate) struct ExecState {
    pub status: Status,
    /// The output as its compact JSON text (a `Value` tree took several times its size, for as
    /// long as the record is kept: issue 13); [`ExecutionRecord::output`] parses it.
    pub output: Option<Box<str>>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub stop_ms: Option<Millis>,
    pub events: Vec<StoredEvent>,
}

/// One recorded event, stored compactly: its details as their JSON text (one allocation, not
/// a tree of maps; issue 13 measured ~1 KB per event as `Value`s). Its id is its position.
/// [`ExecutionRecord::history`] turns it back into a [`HistoryEvent`]: serde_json keeps key
/// order (`preserve_order`) and numbers (`float_roundtrip`), so the round trip is exact.
///
/// 32 bytes (tested): the type is one byte, and `previousEventId` fits 32 bits (AWS caps a
/// history at 25,000 events).
#[derive(Debug)]
pub(crate) struct StoredEvent {
    timestamp_ms: Millis,
    /// The details as packed JSON text ([`packed`](crate::engine::history::packed)).
    details: Option<Box<str>>,
    previous_event_id: u32,
    event_type: EventType,
}

impl StoredEvent {
    fn to_history_event(&self, id: u64) -> HistoryEvent {
        HistoryEvent {
            id,
            previous_event_id: u64::from(self.previous_event_id),
            timestamp_ms: self.timestamp_ms,
            event_type: self.event_type.name().to_string(),
            // Every type recorded with details has a key (`event_types!`).
            details: self
                .details
                .as_ref()
                .zip(self.event_type.details_key())
                .map(|(text, k)| {
                    // The text was written by `serde_json::to_string` of a `Value` or by a
                    // renderer, then packed: unpacked, it parses.
                    (
                        k.to_string(),
                        serde_json::from_str(&crate::engine::history::packed::unpack(text))
                            .unwrap_or(Value::Null),
                    )
                }),
        }
    }
}

/// The engine's record of one execution of a state machine: its input, status, result and
/// history. Cheap to share (`Arc`); every accessor returns a snapshot. (The harness wraps it in
/// its own [`Execution`](crate::Execution) handle for tests.)
///
/// Example: the unit test `engine_execution_113` in `src/tests/doc_examples.rs`.
///
/// ```
/// use sfn_harness::internals::{Account, AccountConfig};
/// use sfn_harness::Status;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let account = Account::new(AccountConfig::default());
/// let m = account.engine().create_state_machine("fails", r#"{"StartAt":"F","States":{
///     "F":{"Type":"Fail","Error":"Nope","Cause":"on purpose"}}}"#).unwrap();
/// let execution = account.engine().start_execution(&m.arn, None, None).unwrap();
/// assert_eq!(execution.wait().await, Status::Failed);
/// # }
/// ```
#[derive(Debug)]
pub struct ExecutionRecord {
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) machine: Arc<StateMachine>,
    /// The input as its compact JSON text: one allocation where the `Value` tree took ~600
    /// bytes, and the running interpreter holds the input as a tree already (issue 13).
    input_text: Box<str>,
    /// The input as a `Value`, parsed on the first [`ExecutionRecord::input`] (a description
    /// asks for it, rarely while the execution runs). Boxed: 16 bytes in every record, not 80.
    input: OnceLock<Box<Value>>,
    pub(crate) start_ms: Millis,
    pub(crate) state: Mutex<ExecState>,
    /// Woken when the execution ends. (A `watch` channel took ~350 bytes a record, for eight
    /// `Notify`s of its own: issue 13.)
    pub(crate) done: Notify,
    pub(crate) task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// The version it was started on (by a version or alias ARN).
    pub(crate) version_arn: Option<String>,
    /// The alias it was started through.
    pub(crate) alias_arn: Option<String>,
    /// Set when the interpreter's state (`interpreter::Run`: RNG, token generator) is dropped.
    pub(crate) interpreter_dropped: std::sync::atomic::AtomicBool,
}

/// What an execution still holds of the machinery that ran it ([`ExecutionRecord::retained`]).
/// Once it has finished, all of it should be gone: its record keeps only its result and history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg(test)]
pub(crate) struct Retained {
    /// The handle of its interpreter task (and with it the task's memory).
    pub interpreter_task: bool,
    /// The interpreter's own state: its random generator, its token generator.
    pub interpreter_state: bool,
}

impl ExecutionRecord {
    pub(crate) fn new(
        arn: String,
        name: String,
        machine: Arc<StateMachine>,
        input: &Value,
        start_ms: Millis,
    ) -> ExecutionRecord {
        let room = 2 * machine.definition.state_names().count() + 2;
        ExecutionRecord {
            arn,
            name,
            machine,
            input_text: crate::engine::history::json_text(input).into_boxed_str(),
            input: OnceLock::new(),
            start_ms,
            state: Mutex::new(ExecState {
                status: Status::Running,
                output: None,
                error: None,
                cause: None,
                stop_ms: None,
                // Room for a run through the top-level states once (each enters and exits)
                // plus the start and the end, so a straight run never regrows its history
                // (issue 13); `finish` shrinks what a shorter one did not use.
                events: Vec::with_capacity(room),
            }),
            done: Notify::new(),
            task: Mutex::new(None),
            version_arn: None,
            alias_arn: None,
            interpreter_dropped: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, ExecState> {
        // State is updated field by field under the lock; a poisoned lock is still consistent.
        lock(&self.state)
    }

    /// The execution ARN.
    pub(crate) fn arn(&self) -> &str {
        &self.arn
    }

    /// The execution name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The version the execution was started on (`stateMachineVersionArn`), if it was started
    /// by a version or alias ARN.
    pub(crate) fn state_machine_version_arn(&self) -> Option<&str> {
        self.version_arn.as_deref()
    }

    /// The alias the execution was started through (`stateMachineAliasArn`), if any.
    pub(crate) fn state_machine_alias_arn(&self) -> Option<&str> {
        self.alias_arn.as_deref()
    }

    /// The state machine (as it was when the execution started).
    pub(crate) fn state_machine(&self) -> &Arc<StateMachine> {
        &self.machine
    }

    /// The input.
    pub(crate) fn input(&self) -> &Value {
        self.input.get_or_init(|| Box::new(self.parse_input()))
    }

    /// A new copy of the input (`$$.Execution.Input`), parsed from its text without keeping
    /// the tree in the record.
    pub(crate) fn input_value(&self) -> Value {
        match self.input.get() {
            Some(v) => Value::clone(v),
            None => self.parse_input(),
        }
    }

    /// The input's compact JSON text (`json_text` of [`ExecutionRecord::input`]).
    pub(crate) fn input_text(&self) -> &str {
        &self.input_text
    }

    /// Whether the record holds its input as a `Value` tree besides its text (tests of issue
    /// 13: only a description of the execution parses it into the record).
    #[cfg(test)]
    pub(crate) fn input_parsed(&self) -> bool {
        self.input.get().is_some()
    }

    fn parse_input(&self) -> Value {
        // The text was written by `serde_json::to_string` of a `Value`, so it parses, and back
        // to an equal `Value`: serde_json keeps key order (`preserve_order`) and numbers
        // (`float_roundtrip`), as the stored history relies on too.
        serde_json::from_str(&self.input_text).unwrap_or(Value::Null)
    }

    /// When it started (ms since the epoch, harness clock).
    pub(crate) fn start_ms(&self) -> Millis {
        self.start_ms
    }

    /// When it stopped, if it has.
    pub(crate) fn stop_ms(&self) -> Option<Millis> {
        self.lock().stop_ms
    }

    /// The current status.
    pub(crate) fn status(&self) -> Status {
        self.lock().status
    }

    /// The output, once succeeded.
    pub(crate) fn output(&self) -> Option<Value> {
        let st = self.lock();
        // Written by `serde_json::to_string` of a `Value`: it parses, to an equal value (see
        // `parse_input`).
        st.output
            .as_deref()
            .map(|text| serde_json::from_str(text).unwrap_or(Value::Null))
    }

    /// The output's JSON text, once succeeded: what `json_text` of [`ExecutionRecord::output`]
    /// gives, without parsing it.
    pub(crate) fn output_text(&self) -> Option<String> {
        self.lock().output.as_deref().map(str::to_string)
    }

    /// The error, once failed, timed out or aborted.
    pub(crate) fn error(&self) -> Option<String> {
        self.lock().error.clone()
    }

    /// The cause, once failed, timed out or aborted.
    pub(crate) fn cause(&self) -> Option<String> {
        self.lock().cause.clone()
    }

    /// A copy of the history so far.
    pub(crate) fn history(&self) -> Vec<HistoryEvent> {
        let st = self.lock();
        st.events
            .iter()
            .zip(1..)
            .map(|(e, id)| e.to_history_event(id))
            .collect()
    }

    /// Waits until the execution has ended (on any clock; this does not drive virtual time —
    /// use [`Clock::run_until`](crate::time::Clock::run_until) for that).
    pub async fn wait(&self) -> Status {
        loop {
            let ended = self.done.notified();
            tokio::pin!(ended);
            // Registered before the status is read: an end in between still wakes it.
            ended.as_mut().enable();
            let status = self.status();
            if status != Status::Running {
                return status;
            }
            ended.await;
        }
    }

    /// What the execution still holds of the machinery that runs it: while it runs, its
    /// interpreter task and state; once it has finished, nothing.
    ///
    /// Example: the unit test `engine_execution_274` in `src/tests/doc_examples.rs`.
    #[cfg(test)]
    pub(crate) fn retained(&self) -> Retained {
        Retained {
            interpreter_task: lock(&self.task).is_some(),
            interpreter_state: !self
                .interpreter_dropped
                .load(std::sync::atomic::Ordering::Acquire),
        }
    }

    /// Appends an event unless the execution has already ended. Returns its id (or the last id).
    pub(crate) fn record(&self, now: Millis, prev: u64, event: Event) -> u64 {
        let mut st = self.lock();
        if st.status != Status::Running {
            return st.events.len() as u64;
        }
        push(&mut st, now, prev, event)
    }

    /// Whether the event with this id (1-based) has this type.
    pub(crate) fn event_is(&self, id: u64, event_type: EventType) -> bool {
        let st = self.lock();
        id.checked_sub(1)
            .and_then(|i| st.events.get(i as usize))
            .is_some_and(|e| e.event_type == event_type)
    }

    /// The id of the last event recorded.
    pub(crate) fn last_event_id(&self) -> u64 {
        self.lock().events.len() as u64
    }

    /// Records the terminal event and status, once. Returns false if already ended.
    pub(crate) fn finish(&self, now: Millis, prev: u64, end: Terminal) -> bool {
        {
            let mut st = self.lock();
            if st.status != Status::Running {
                return false;
            }
            push(&mut st, now, prev, end.event);
            // No event follows the terminal one: the room the vector grew for is not needed
            // for as long as the record is kept (issue 13).
            st.events.shrink_to_fit();
            st.status = end.status;
            st.output = end.output;
            st.error = end.error;
            st.cause = end.cause;
            st.stop_ms = Some(now);
        }
        self.done.notify_waiters();
        true
    }
}

/// Appends `event` as the next one; returns its id.
fn push(st: &mut ExecState, now: Millis, prev: u64, event: Event) -> u64 {
    let id = st.events.len() as u64 + 1;
    st.events.push(StoredEvent {
        // An id past `u32::MAX` would need a history of four billion events.
        previous_event_id: u32::try_from(prev).unwrap_or(u32::MAX),
        timestamp_ms: now,
        event_type: event.event_type,
        details: event.into_details_text(),
    });
    id
}

/// How an execution ended: its status, terminal event, and what `DescribeExecution` reports.
#[derive(Debug)]
pub(crate) struct Terminal {
    status: Status,
    event: Event,
    output: Option<Box<str>>,
    error: Option<String>,
    cause: Option<String>,
}

impl Terminal {
    /// Succeeded with `output` (`ExecutionSucceeded`); `quoted` is the output's quoted JSON
    /// text when the last state wrote it already.
    pub(crate) fn succeeded(output: Value, quoted: Option<&str>) -> Terminal {
        Terminal {
            status: Status::Succeeded,
            event: match quoted {
                Some(text) => Event::execution_succeeded_quoted(text),
                None => Event::execution_succeeded(&output),
            },
            output: Some(crate::engine::history::json_text(&output).into_boxed_str()),
            error: None,
            cause: None,
        }
    }

    /// Failed with an error and cause (`ExecutionFailed`).
    pub(crate) fn failed(error: Option<String>, cause: Option<String>) -> Terminal {
        Terminal {
            status: Status::Failed,
            event: Event::execution_failed(error.as_deref(), cause.as_deref()),
            output: None,
            error,
            cause,
        }
    }

    /// The machine's `TimeoutSeconds` passed (`ExecutionTimedOut`, error `States.Timeout`).
    pub(crate) fn timed_out() -> Terminal {
        let error = "States.Timeout";
        Terminal {
            status: Status::TimedOut,
            event: Event::execution_timed_out(Some(error), None),
            output: None,
            error: Some(error.into()),
            cause: None,
        }
    }

    /// Stopped by `StopExecution` (`ExecutionAborted`).
    pub(crate) fn aborted(error: Option<&str>, cause: Option<&str>) -> Terminal {
        Terminal {
            status: Status::Aborted,
            event: Event::execution_aborted(error, cause),
            output: None,
            error: error.map(str::to_string),
            cause: cause.map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    // Once the doc example of `Status` (`as_str` and `parse` are crate-private; `Display` is public).
    #[test]
    fn status_names_are_aws_s() {
        assert_eq!(Status::TimedOut.as_str(), "TIMED_OUT");
        assert_eq!(Status::parse("SUCCEEDED"), Some(Status::Succeeded));
        assert_eq!(Status::parse("PENDING_REDRIVE"), None);
    }

    /// A stored event stays 32 bytes: a parked callback execution keeps room for eight, a
    /// finished one its eight (issue 13; 64 bytes each with the type and key as `&str`s).
    #[test]
    fn a_stored_event_is_32_bytes() {
        assert_eq!(std::mem::size_of::<super::StoredEvent>(), 32);
    }

    /// Each event keeps its type, previous id and details through storage: the type's name
    /// and details key come back from the one byte it is stored as.
    #[test]
    fn a_stored_event_reads_back_as_recorded() {
        use crate::engine::history::Event;
        let input = serde_json::json!({ "n": 1 });
        let text = Event::execution_started(&input, "arn:aws:iam::123456789012:role/r")
            .into_details_text();
        let stored = super::StoredEvent {
            timestamp_ms: 7,
            details: text,
            previous_event_id: 0,
            event_type: super::EventType::ExecutionStarted,
        };
        let e = stored.to_history_event(1);
        assert_eq!((e.id, e.previous_event_id, e.timestamp_ms), (1, 0, 7));
        assert_eq!(e.event_type, "ExecutionStarted");
        let (key, details) = e.details.expect("details");
        assert_eq!(key, "executionStartedEventDetails");
        assert_eq!(
            details,
            serde_json::json!({ "input": "{\"n\":1}", "inputDetails": { "truncated": false },
                "roleArn": "arn:aws:iam::123456789012:role/r" })
        );
    }
}
