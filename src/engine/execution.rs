//! Executions: their status, result and history, and how to wait for them.

use crate::sync::lock;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::watch;

use crate::engine::history::HistoryEvent;
use crate::engine::machine::StateMachine;
use crate::time::Millis;

/// An execution's status, as `DescribeExecution` reports it.
///
/// ```
/// use sfn_harness::prelude::*;
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let h = Harness::start().await;
/// let machine = h.create_state_machine("ok", json!({
///     "StartAt": "Done", "States": { "Done": { "Type": "Succeed" } }
/// })).await?;
/// let done = machine.start(json!({})).await?.finish().await?;
/// assert_eq!(done.status(), Status::Succeeded);
/// assert_eq!(done.status().to_string(), "SUCCEEDED"); // AWS's name
/// assert_eq!(Status::parse("TIMED_OUT"), Some(Status::TimedOut));
/// # Ok(()) }
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
    /// AWS's name for it (`RUNNING`, `SUCCEEDED`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }

    /// Parses AWS's name.
    pub fn parse(s: &str) -> Option<Status> {
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
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub stop_ms: Option<Millis>,
    pub events: Vec<HistoryEvent>,
}

/// One execution of a state machine. Cheap to share (`Arc`); every accessor returns a snapshot.
#[derive(Debug)]
pub struct Execution {
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) machine: Arc<StateMachine>,
    pub(crate) input: Value,
    pub(crate) start_ms: Millis,
    pub(crate) state: Mutex<ExecState>,
    pub(crate) done: watch::Sender<bool>,
    pub(crate) task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Execution {
    pub(crate) fn new(
        arn: String,
        name: String,
        machine: Arc<StateMachine>,
        input: Value,
        start_ms: Millis,
    ) -> Execution {
        Execution {
            arn,
            name,
            machine,
            input,
            start_ms,
            state: Mutex::new(ExecState {
                status: Status::Running,
                output: None,
                error: None,
                cause: None,
                stop_ms: None,
                events: Vec::new(),
            }),
            done: watch::channel(false).0,
            task: Mutex::new(None),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, ExecState> {
        // State is updated field by field under the lock; a poisoned lock is still consistent.
        lock(&self.state)
    }

    /// The execution ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The execution name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The state machine (as it was when the execution started).
    pub fn state_machine(&self) -> &Arc<StateMachine> {
        &self.machine
    }

    /// The input.
    pub fn input(&self) -> &Value {
        &self.input
    }

    /// When it started (ms since the epoch, harness clock).
    pub fn start_ms(&self) -> Millis {
        self.start_ms
    }

    /// When it stopped, if it has.
    pub fn stop_ms(&self) -> Option<Millis> {
        self.lock().stop_ms
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.lock().status
    }

    /// The output, once succeeded.
    pub fn output(&self) -> Option<Value> {
        self.lock().output.clone()
    }

    /// The error, once failed, timed out or aborted.
    pub fn error(&self) -> Option<String> {
        self.lock().error.clone()
    }

    /// The cause, once failed, timed out or aborted.
    pub fn cause(&self) -> Option<String> {
        self.lock().cause.clone()
    }

    /// A copy of the history so far.
    pub fn history(&self) -> Vec<HistoryEvent> {
        self.lock().events.clone()
    }

    /// Waits until the execution has ended (on any clock; this does not drive virtual time —
    /// use [`Clock::run_until`](crate::time::Clock::run_until) for that).
    pub async fn wait(&self) -> Status {
        let mut rx = self.done.subscribe();
        // `wait_for` fails only if the sender is dropped, which cannot happen while `self` lives.
        let _ = rx.wait_for(|done| *done).await;
        self.status()
    }

    /// Appends an event unless the execution has already ended. Returns its id (or the last id).
    pub(crate) fn record(
        &self,
        now: Millis,
        prev: u64,
        event_type: &str,
        details: Option<(&str, Value)>,
    ) -> u64 {
        let mut st = self.lock();
        if st.status != Status::Running {
            return st.events.len() as u64;
        }
        let id = st.events.len() as u64 + 1;
        st.events.push(HistoryEvent {
            id,
            previous_event_id: prev,
            timestamp_ms: now,
            event_type: event_type.to_string(),
            details: details.map(|(k, v)| (k.to_string(), v)),
        });
        id
    }

    /// The id of the last event recorded.
    pub(crate) fn last_event_id(&self) -> u64 {
        self.lock().events.len() as u64
    }

    /// Records the terminal event and status, once. Returns false if already ended.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn finish(
        &self,
        now: Millis,
        prev: u64,
        status: Status,
        event_type: &str,
        details: Option<(&str, Value)>,
        output: Option<Value>,
        error: Option<String>,
        cause: Option<String>,
    ) -> bool {
        {
            let mut st = self.lock();
            if st.status != Status::Running {
                return false;
            }
            let id = st.events.len() as u64 + 1;
            st.events.push(HistoryEvent {
                id,
                previous_event_id: prev,
                timestamp_ms: now,
                event_type: event_type.to_string(),
                details: details.map(|(k, v)| (k.to_string(), v)),
            });
            st.status = status;
            st.output = output;
            st.error = error;
            st.cause = cause;
            st.stop_ms = Some(now);
        }
        self.done.send_replace(true);
        true
    }
}
