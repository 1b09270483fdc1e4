//! One constructor per AWS history event type: the single place where AWS's event types and
//! `*EventDetails` shapes live.
//!
//! Each constructor returns an [`Event`]: the event type and its details, not yet numbered. The
//! execution numbers it, chains it (`previousEventId`) and stamps it when it is recorded. Key
//! order inside the details follows what `GetExecutionHistory` returns (serde_json keeps
//! insertion order here), and an absent `error` or `cause` stays absent, as in AWS.
//!
//! The shapes were read off executions recorded on AWS (`../shared/conformance`, from
//! LocalStack's AWS-validated snapshots) and the `HistoryEvent` structure of the Step Functions
//! API reference.
//!
//! Lambda functions invoked as the resource itself (`arn:aws:lambda:…:function:…`) record the
//! `LambdaFunction*` family instead of the `Task*` one (see
//! [`EventFamily`](crate::engine::task::EventFamily)).
//!
//! Room for what comes next, each as constructors here:
//! - **Lambda**: `LambdaFunctionScheduleFailed` and `LambdaFunctionStartFailed`.
//! - **Activities**: `ActivityScheduled` (`activityScheduledEventDetails`: `resource`, `input`,
//!   `inputDetails`, `timeoutInSeconds`, `heartbeatInSeconds`), `ActivityStarted`
//!   (`workerName`), `ActivitySucceeded`, `ActivityFailed`, `ActivityTimedOut` and
//!   `ActivityScheduleFailed`.
//! - **Nested executions** (`states:startExecution.sync`, `.sync:2`, `.waitForTaskToken`): the
//!   task events below with `resourceType` `states`; the child's `ExecutionArn` and
//!   `StartDate` sit in `TaskSubmitted`'s output, and `.sync` ends with `TaskSucceeded`
//!   carrying the child's description.
//! - **Variables** (`Assign`): `assignedVariables` (a map of name to JSON text) and
//!   `assignedVariablesDetails` (`{"truncated": false}`) in `stateExitedEventDetails`, so
//!   [`Event::state_exited`] gains the assigned variables.
//! - **Map runs** (distributed Map): `MapRunAborted`, `MapRunRedriven` (`MapRunStarted`,
//!   `MapRunSucceeded` and `MapRunFailed` are below).

use crate::json_text::{push_json_str, push_json_str_contents};
use serde_json::{json, Map, Value};

use super::packed::{self, code};
use crate::asl::StateKind;
use crate::engine::task::{Resource, Submission};

/// Declares [`EventType`]: each AWS event type with the key its details sit under.
macro_rules! event_types {
    ($($name:ident => $key:expr,)*) => {
        /// An AWS history event type, e.g. `TaskStateEntered`: one byte in a stored event,
        /// where the type's name and its details key took 32 (issue 13).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum EventType {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name,
            )*
        }

        impl EventType {
            /// The type as `GetExecutionHistory` names it.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(EventType::$name => stringify!($name),)*
                }
            }

            /// The key the details of an event of this type sit under, e.g.
            /// `stateEnteredEventDetails`; `None` for a type recorded without details.
            pub(crate) fn details_key(self) -> Option<&'static str> {
                match self {
                    $(EventType::$name => $key,)*
                }
            }
        }
    };
}

// Each type with its details key, as the Step Functions API reference's `HistoryEvent` and
// the recorded histories (`../shared/conformance`) spell them.
event_types! {
    ActivityFailed => Some("activityFailedEventDetails"),
    ActivityScheduleFailed => Some("activityScheduleFailedEventDetails"),
    ActivityScheduled => Some("activityScheduledEventDetails"),
    ActivityStarted => Some("activityStartedEventDetails"),
    ActivitySucceeded => Some("activitySucceededEventDetails"),
    ActivityTimedOut => Some("activityTimedOutEventDetails"),
    ChoiceStateEntered => Some("stateEnteredEventDetails"),
    ChoiceStateExited => Some("stateExitedEventDetails"),
    EvaluationFailed => Some("evaluationFailedEventDetails"),
    ExecutionAborted => Some("executionAbortedEventDetails"),
    ExecutionFailed => Some("executionFailedEventDetails"),
    ExecutionStarted => Some("executionStartedEventDetails"),
    ExecutionSucceeded => Some("executionSucceededEventDetails"),
    ExecutionTimedOut => Some("executionTimedOutEventDetails"),
    FailStateEntered => Some("stateEnteredEventDetails"),
    FailStateExited => Some("stateExitedEventDetails"),
    LambdaFunctionFailed => Some("lambdaFunctionFailedEventDetails"),
    LambdaFunctionScheduled => Some("lambdaFunctionScheduledEventDetails"),
    LambdaFunctionStarted => None,
    LambdaFunctionSucceeded => Some("lambdaFunctionSucceededEventDetails"),
    LambdaFunctionTimedOut => Some("lambdaFunctionTimedOutEventDetails"),
    MapIterationFailed => Some("mapIterationFailedEventDetails"),
    MapIterationStarted => Some("mapIterationStartedEventDetails"),
    MapIterationSucceeded => Some("mapIterationSucceededEventDetails"),
    MapRunFailed => Some("mapRunFailedEventDetails"),
    MapRunStarted => Some("mapRunStartedEventDetails"),
    MapRunSucceeded => None,
    MapStateEntered => Some("stateEnteredEventDetails"),
    MapStateExited => Some("stateExitedEventDetails"),
    MapStateFailed => None,
    MapStateStarted => Some("mapStateStartedEventDetails"),
    MapStateSucceeded => None,
    ParallelStateEntered => Some("stateEnteredEventDetails"),
    ParallelStateExited => Some("stateExitedEventDetails"),
    ParallelStateFailed => None,
    ParallelStateStarted => None,
    ParallelStateSucceeded => None,
    PassStateEntered => Some("stateEnteredEventDetails"),
    PassStateExited => Some("stateExitedEventDetails"),
    SucceedStateEntered => Some("stateEnteredEventDetails"),
    SucceedStateExited => Some("stateExitedEventDetails"),
    TaskFailed => Some("taskFailedEventDetails"),
    TaskScheduled => Some("taskScheduledEventDetails"),
    TaskStarted => Some("taskStartedEventDetails"),
    TaskStateAborted => None,
    TaskStateEntered => Some("stateEnteredEventDetails"),
    TaskStateExited => Some("stateExitedEventDetails"),
    TaskSubmitted => Some("taskSubmittedEventDetails"),
    TaskSucceeded => Some("taskSucceededEventDetails"),
    TaskTimedOut => Some("taskTimedOutEventDetails"),
    WaitStateEntered => Some("stateEnteredEventDetails"),
    WaitStateExited => Some("stateExitedEventDetails"),
}

/// An event before it is recorded: its AWS type and its details (under the type's
/// [`EventType::details_key`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    /// The event type, e.g. `TaskStateEntered`.
    pub(crate) event_type: EventType,
    /// The details object, e.g. a `stateEnteredEventDetails`'s `{"name": …, "input": …}`.
    /// `Value::Null` when `rendered` holds the details instead.
    pub(crate) details: Option<Value>,
    /// The details already written as JSON text, for the events recorded on every state
    /// (`…StateEntered`, `…StateExited`): they skip building a `Value` tree only to
    /// serialize it (issue 13). The execution stores details as text either way.
    /// Packed in part: the renderer writes its fixed parts as [`packed::code`]s.
    pub(crate) rendered: Option<String>,
}

impl Event {
    /// The details text of this event, if it has details (what the execution stores).
    /// The text is packed ([`super::packed`]): [`super::packed::unpack`] gives the JSON.
    pub(crate) fn into_details_text(self) -> Option<Box<str>> {
        let value = self.details?;
        Some(match self.rendered {
            Some(text) => packed::pack(text, false),
            None => packed::pack(json_text(&value), true),
        })
    }

    /// An event whose details `text` a renderer wrote, with the codes of [`packed::code`]
    /// for its fixed parts.
    fn rendered(event_type: EventType, text: String) -> Event {
        Event {
            event_type,
            details: Some(Value::Null),
            rendered: Some(text),
        }
    }
}

/// The JSON string literal of a value's compact JSON text (quotes included): what
/// `serde_json::to_string(&json_text(v))` gives, as the `input`/`output` fields of the state
/// events hold it (issue 13).
///
/// The text is written into a per-thread scratch buffer first (serde_json's writer to a `Vec`
/// is its fast path), then copied once, escaped ([`quoted_text`]).
pub(crate) fn quoted_json_text(v: &Value) -> String {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with(|scratch| {
        // Not re-entered (serializing a `Value` calls no code of ours), so never borrowed twice;
        // were it ever, a fresh buffer would do.
        let mut fresh = Vec::new();
        let mut guard = scratch.try_borrow_mut();
        let buf = match &mut guard {
            Ok(b) => &mut **b,
            Err(_) => &mut fresh,
        };
        buf.clear();
        // Writing into a `Vec` cannot fail, nor can serializing a `Value` (its keys are strings).
        let _ = serde_json::to_writer(&mut *buf, v);
        // serde_json writes UTF-8.
        let out = quoted_text(std::str::from_utf8(buf).unwrap_or_default());
        // A big value's text is not kept for the next one.
        if buf.capacity() > 64 * 1024 {
            *buf = Vec::new();
        }
        out
    })
}

/// The JSON string literal of a compact JSON `text` that is already written: what
/// [`quoted_json_text`] gives for its value. Compact JSON text holds no raw control
/// character, so only its `"` and `\\` are escaped, the runs between them copied whole
/// ([`push_json_str`]); the room is guessed (a quote or backslash in every ~6 bytes of JSON
/// text is usual) rather than counted first (issue 13: the counting pass was half the cost).
pub(crate) fn quoted_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4 + 2);
    push_json_str(&mut out, text);
    out
}

/// Compact JSON text of a value, as AWS puts it in `input`/`output` fields.
pub(crate) fn json_text(v: &Value) -> String {
    // Serializing a `Value` cannot fail: every map key is a string.
    serde_json::to_string(v).unwrap_or_default()
}

/// `{"truncated": false}`, the `inputDetails`/`outputDetails` of every event.
fn not_truncated() -> Value {
    json!({ "truncated": false })
}

/// Details carrying an error and an optional cause (absent keys stay absent, as in AWS).
fn error_details(error: Option<&str>, cause: Option<&str>) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(e) = error {
        m.insert("error".into(), json!(e));
    }
    if let Some(c) = cause {
        m.insert("cause".into(), json!(c));
    }
    m
}

/// `{"output": …, "outputDetails": {"truncated": false}}`.
fn output_details(output: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("output".into(), json!(json_text(output)));
    m.insert("outputDetails".into(), not_truncated());
    m
}

/// The `resourceType` and `resource` every task event starts with, then `extra`.
fn task_details(res: &Resource, extra: Map<String, Value>) -> Value {
    let mut m = Map::new();
    m.insert("resourceType".into(), json!(res.resource_type));
    m.insert("resource".into(), json!(res.resource));
    m.extend(extra);
    Value::Object(m)
}

/// `{"resourceType":"…","resource":"…` (the value's closing quote left to what follows), the
/// opening every task event renders, its keys as codes; `extra` bytes more are reserved.
fn task_head(res: &Resource, extra: usize) -> String {
    let mut d = String::with_capacity(res.resource_type.len() + res.resource.len() + 2 + extra);
    d.push_str(code::RESOURCE_TYPE_FIRST);
    push_json_str_contents(&mut d, &res.resource_type);
    d.push_str(code::RESOURCE);
    // A short event (`TaskStarted`, a small `TaskSucceeded`) is not scanned for fragments:
    // the callback suffix is written as its code here.
    match res.resource.strip_suffix(".waitForTaskToken") {
        Some(base) => {
            push_json_str_contents(&mut d, base);
            d.push_str(code::WAIT_FOR_TASK_TOKEN);
        }
        None => push_json_str_contents(&mut d, &res.resource),
    }
    d
}

/// `{"resourceType": …, "resource": …, "output": …, "outputDetails": {"truncated": false}}`.
fn task_with_output(res: &Resource, output: &Value) -> String {
    task_with_quoted_output(res, &quoted_json_text(output))
}

/// [`task_with_output`] with the output's text already quoted.
fn task_with_quoted_output(res: &Resource, quoted: &str) -> String {
    let mut d = task_head(res, quoted.len() + 4);
    d.push('"');
    d.push_str(code::OUTPUT);
    d.push_str(quoted);
    d.push_str(code::OUTPUT_DETAILS);
    d.push('}');
    d
}

impl Event {
    fn new(event_type: EventType, details: Value) -> Event {
        Event {
            event_type,
            details: Some(details),
            rendered: None,
        }
    }

    fn bare(event_type: EventType) -> Event {
        Event {
            event_type,
            details: None,
            rendered: None,
        }
    }

    // --- the execution ---

    /// `ExecutionStarted`: the execution's input and role.
    #[cfg(test)]
    pub(crate) fn execution_started(input: &Value, role_arn: &str) -> Event {
        Event::execution_started_on(&json_text(input), role_arn, None, None)
    }

    /// `ExecutionStarted` of an execution started on a version or through an alias: the
    /// details name them (`stateMachineAliasArn`, `stateMachineVersionArn`, as in the service
    /// model's `ExecutionStartedEventDetails`). `input_text` is the input's compact JSON text
    /// ([`json_text`]), as the execution's record keeps it: quoted, not written again.
    pub(crate) fn execution_started_on(
        input_text: &str,
        role_arn: &str,
        alias_arn: Option<&str>,
        version_arn: Option<&str>,
    ) -> Event {
        // `{"input": …, "inputDetails": {"truncated": false}, "roleArn": …}`, written directly.
        let quoted = quoted_text(input_text);
        let mut d = String::with_capacity(quoted.len() + role_arn.len() + 16);
        d.push_str(code::INPUT_FIRST);
        d.push_str(&quoted);
        d.push_str(code::INPUT_DETAILS);
        // A short event is not scanned for fragments: the role's usual start as its code.
        match role_arn.strip_prefix("arn:aws:iam::") {
            Some(rest) => {
                d.push_str(code::ROLE_ARN_IAM);
                push_json_str_contents(&mut d, rest);
                d.push('"');
            }
            None => {
                d.push_str(",\"roleArn\":");
                push_json_str(&mut d, role_arn);
            }
        }
        if let Some(a) = alias_arn {
            d.push_str(",\"stateMachineAliasArn\":");
            push_json_str(&mut d, a);
        }
        if let Some(v) = version_arn {
            d.push_str(",\"stateMachineVersionArn\":");
            push_json_str(&mut d, v);
        }
        d.push('}');
        Event::rendered(EventType::ExecutionStarted, d)
    }

    /// `ExecutionSucceeded`: the execution's output.
    pub(crate) fn execution_succeeded(output: &Value) -> Event {
        Event::execution_succeeded_quoted(&quoted_json_text(output))
    }

    /// [`Event::execution_succeeded`] with the output's text already quoted
    /// ([`quoted_json_text`]).
    pub(crate) fn execution_succeeded_quoted(quoted_output: &str) -> Event {
        let mut d = String::with_capacity(quoted_output.len() + 3);
        d.push_str(code::OUTPUT_FIRST);
        d.push_str(quoted_output);
        d.push_str(code::OUTPUT_DETAILS);
        d.push('}');
        Event::rendered(EventType::ExecutionSucceeded, d)
    }

    /// `ExecutionFailed`: the error and cause that ended it.
    pub(crate) fn execution_failed(error: Option<&str>, cause: Option<&str>) -> Event {
        Event::new(
            EventType::ExecutionFailed,
            Value::Object(error_details(error, cause)),
        )
    }

    /// `ExecutionTimedOut`: the machine's `TimeoutSeconds` passed.
    pub(crate) fn execution_timed_out(error: Option<&str>, cause: Option<&str>) -> Event {
        Event::new(
            EventType::ExecutionTimedOut,
            Value::Object(error_details(error, cause)),
        )
    }

    /// `ExecutionAborted`: `StopExecution`, with its error and cause.
    pub(crate) fn execution_aborted(error: Option<&str>, cause: Option<&str>) -> Event {
        Event::new(
            EventType::ExecutionAborted,
            Value::Object(error_details(error, cause)),
        )
    }

    // --- every state ---

    /// `PassStateEntered`, `TaskStateEntered`, `ChoiceStateEntered`, `WaitStateEntered`,
    /// `SucceedStateEntered`, `FailStateEntered`, `ParallelStateEntered` or `MapStateEntered`.
    pub(crate) fn state_entered(kind: &StateKind, name: &str, input: &Value) -> Event {
        Event::state_entered_quoted(kind, name, &quoted_json_text(input))
    }

    /// [`Event::state_entered`] with the input's text already quoted ([`quoted_json_text`]):
    /// a state's input is the output the state before it exited with, whose text the
    /// interpreter hands on rather than writing it twice.
    pub(crate) fn state_entered_quoted(kind: &StateKind, name: &str, quoted_input: &str) -> Event {
        let event_type = match kind {
            StateKind::Pass(_) => EventType::PassStateEntered,
            StateKind::Task(_) => EventType::TaskStateEntered,
            StateKind::Choice(_) => EventType::ChoiceStateEntered,
            StateKind::Wait(_) => EventType::WaitStateEntered,
            StateKind::Succeed => EventType::SucceedStateEntered,
            StateKind::Fail(_) => EventType::FailStateEntered,
            StateKind::Parallel(_) => EventType::ParallelStateEntered,
            StateKind::Map(_) => EventType::MapStateEntered,
        };
        // `{"name": …, "input": …, "inputDetails": {"truncated": false}}`, written directly,
        // its fixed parts as their codes. The exact length (for a name without escapes), so
        // the text becomes the event's `Box<str>` without a reallocation.
        let len = name.len() + quoted_input.len() + 6;
        let mut d = String::with_capacity(len);
        d.push_str(code::NAME_FIRST);
        push_json_str(&mut d, name);
        d.push_str(code::INPUT);
        d.push_str(quoted_input);
        d.push_str(code::INPUT_DETAILS);
        d.push('}');
        Event::rendered(event_type, d)
    }

    /// `PassStateExited`, `TaskStateExited`, `ChoiceStateExited`, `WaitStateExited`,
    /// `SucceedStateExited`, `ParallelStateExited` or `MapStateExited` (a Fail state never
    /// exits; asked for one, this says `FailStateExited`, which AWS does not record).
    /// When the state's `Assign` set `assigned`, AWS adds
    /// `assignedVariables` (each value as JSON text) and `assignedVariablesDetails`, recorded
    /// in `assign.test_assign_base.test_base_cases[BASE_VAR]`.
    #[cfg(test)]
    pub(crate) fn state_exited(
        kind: &StateKind,
        name: &str,
        output: &Value,
        assigned: Option<&Map<String, Value>>,
    ) -> Event {
        Event::state_exited_quoted(kind, name, &quoted_json_text(output), assigned)
    }

    /// [`Event::state_exited`] with the output's text already quoted ([`quoted_json_text`]).
    pub(crate) fn state_exited_quoted(
        kind: &StateKind,
        name: &str,
        quoted_output: &str,
        assigned: Option<&Map<String, Value>>,
    ) -> Event {
        let event_type = match kind {
            StateKind::Pass(_) => EventType::PassStateExited,
            StateKind::Task(_) => EventType::TaskStateExited,
            StateKind::Choice(_) => EventType::ChoiceStateExited,
            StateKind::Wait(_) => EventType::WaitStateExited,
            StateKind::Succeed => EventType::SucceedStateExited,
            StateKind::Fail(_) => EventType::FailStateExited,
            StateKind::Parallel(_) => EventType::ParallelStateExited,
            StateKind::Map(_) => EventType::MapStateExited,
        };
        // `{"name": …, "output": …, "outputDetails": {"truncated": false}}` and, after an
        // `Assign`, `"assignedVariables": {name: JSON text}, "assignedVariablesDetails": …`.
        // The exact length without `Assign` (for a name without escapes): see
        // `state_entered_quoted`.
        let len = name.len() + quoted_output.len() + 6;
        let mut d = String::with_capacity(len);
        d.push_str(code::NAME_FIRST);
        push_json_str(&mut d, name);
        d.push_str(code::OUTPUT);
        d.push_str(quoted_output);
        d.push_str(code::OUTPUT_DETAILS);
        if let Some(a) = assigned {
            d.push_str(",\"assignedVariables\":{");
            for (i, (k, v)) in a.iter().enumerate() {
                if i > 0 {
                    d.push(',');
                }
                push_json_str(&mut d, k);
                d.push(':');
                d.push_str(&quoted_json_text(v));
            }
            d.push_str("},\"assignedVariablesDetails\":{\"truncated\":false}");
        }
        d.push('}');
        Event::rendered(event_type, d)
    }

    /// `EvaluationFailed`: a JSONata field of `state` failed (`location` names the field, as
    /// in `Output/result`); recorded in
    /// `assign.test_assign_reference_variables.test_undefined_reference[*]`.
    /// Without a location when the state's input was wrong, not one of its fields
    /// (`test_map_state_items_input_types[*]`).
    pub(crate) fn evaluation_failed(
        error: &str,
        cause: &str,
        location: Option<&str>,
        state: &str,
    ) -> Event {
        let mut d = json!({ "error": error, "cause": cause, "state": state });
        if let Some(l) = location {
            d["location"] = json!(l);
        }
        Event::new(EventType::EvaluationFailed, d)
    }

    // --- Task states ---

    /// `TaskScheduled`: the resource, the region, the effective parameters and the timeouts.
    pub(crate) fn task_scheduled(
        res: &Resource,
        region: &str,
        parameters: &Value,
        timeout_seconds: Option<u64>,
        heartbeat_seconds: Option<u64>,
    ) -> Event {
        use std::fmt::Write as _;
        let quoted = quoted_json_text(parameters);
        let mut d = task_head(res, region.len() + quoted.len() + 32);
        d.push_str(code::REGION);
        push_json_str_contents(&mut d, region);
        d.push_str(code::PARAMETERS);
        d.push_str(&quoted);
        // Writing into a `String` cannot fail.
        if let Some(s) = timeout_seconds {
            let _ = write!(d, "{}{s}", code::TIMEOUT);
        }
        if let Some(s) = heartbeat_seconds {
            let _ = write!(d, "{}{s}", code::HEARTBEAT);
        }
        d.push('}');
        Event::rendered(EventType::TaskScheduled, d)
    }

    /// `TaskStarted`.
    pub(crate) fn task_started(res: &Resource) -> Event {
        let mut d = task_head(res, 2);
        d.push_str("\"}");
        Event::rendered(EventType::TaskStarted, d)
    }

    /// `TaskSubmitted`: what the resource answered when the task was handed to it.
    pub(crate) fn task_submitted(res: &Resource, output: &Value) -> Event {
        Event::rendered(EventType::TaskSubmitted, task_with_output(res, output))
    }

    /// [`Event::task_submitted`] with the handler's answer as it gave it (a value, or its
    /// JSON text, quoted as written).
    pub(crate) fn task_submission(res: &Resource, answer: &Submission) -> Event {
        let d = match answer {
            Submission::Value(v) => task_with_output(res, v),
            Submission::Text(t) => task_with_quoted_output(res, &quoted_text(t)),
        };
        Event::rendered(EventType::TaskSubmitted, d)
    }

    /// `TaskSucceeded`: the task's result.
    pub(crate) fn task_succeeded(res: &Resource, output: &Value) -> Event {
        Event::rendered(EventType::TaskSucceeded, task_with_output(res, output))
    }

    // --- activities (`arn:aws:states:<region>:<account>:activity:<name>` resources) ---
    //
    // Shapes as AWS records them (LocalStack's AWS-validated `activities/test_activities.py`,
    // `../shared/conformance/v2/activities.*`): `ActivityScheduled` carries the full activity ARN
    // as `resource` (no `resourceType`, no `region`, no `parameters`: the input is `input`),
    // `ActivityStarted` the poller's `workerName` (an empty object when it gave none).

    /// `ActivityScheduled`: the activity's ARN, the task's input and its timeouts.
    pub(crate) fn activity_scheduled(
        resource: &str,
        input: &Value,
        timeout_seconds: Option<u64>,
        heartbeat_seconds: Option<u64>,
    ) -> Event {
        let mut details = json!({
            "resource": resource,
            "input": json_text(input),
            "inputDetails": not_truncated(),
        });
        if let Some(s) = timeout_seconds {
            details["timeoutInSeconds"] = json!(s);
        }
        if let Some(s) = heartbeat_seconds {
            details["heartbeatInSeconds"] = json!(s);
        }
        Event::new(EventType::ActivityScheduled, details)
    }

    /// `ActivityScheduleFailed`: the activity could not be scheduled.
    pub(crate) fn activity_schedule_failed(error: Option<&str>, cause: Option<&str>) -> Event {
        Event::new(
            EventType::ActivityScheduleFailed,
            Value::Object(error_details(error, cause)),
        )
    }

    /// `ActivityStarted`: a worker took the task with `GetActivityTask`.
    pub(crate) fn activity_started(worker_name: Option<&str>) -> Event {
        let mut m = Map::new();
        if let Some(w) = worker_name {
            m.insert("workerName".into(), json!(w));
        }
        Event::new(EventType::ActivityStarted, Value::Object(m))
    }

    /// `ActivitySucceeded`: the worker's `SendTaskSuccess` output.
    pub(crate) fn activity_succeeded(output: &Value) -> Event {
        Event::new(
            EventType::ActivitySucceeded,
            Value::Object(output_details(output)),
        )
    }

    /// `ActivityFailed`: the worker's `SendTaskFailure` error and cause.
    pub(crate) fn activity_failed(error: Option<&str>, cause: Option<&str>) -> Event {
        Event::new(
            EventType::ActivityFailed,
            Value::Object(error_details(error, cause)),
        )
    }

    /// `ActivityTimedOut`: `TimeoutSeconds` or `HeartbeatSeconds` ran out.
    pub(crate) fn activity_timed_out(error: Option<&str>, cause: Option<&str>) -> Event {
        Event::new(
            EventType::ActivityTimedOut,
            Value::Object(error_details(error, cause)),
        )
    }

    /// `TaskFailed`: the resource's (or the token answer's) error and cause.
    pub(crate) fn task_failed(res: &Resource, error: Option<&str>, cause: Option<&str>) -> Event {
        Event::new(
            EventType::TaskFailed,
            task_details(res, error_details(error, cause)),
        )
    }

    /// `TaskTimedOut`: `TimeoutSeconds` or `HeartbeatSeconds` passed.
    pub(crate) fn task_timed_out(
        res: &Resource,
        error: Option<&str>,
        cause: Option<&str>,
    ) -> Event {
        Event::new(
            EventType::TaskTimedOut,
            task_details(res, error_details(error, cause)),
        )
    }

    // --- Lambda functions as the resource (`arn:aws:lambda:…:function:…`) ---

    /// `LambdaFunctionScheduled`: the function ARN, its input and the state's timeouts, as
    /// recorded on AWS (`lambdaFunctionScheduledEventDetails`: `resource`, `input`,
    /// `inputDetails`, `timeoutInSeconds`; `../shared/conformance/README.md`, "How recorded
    /// histories represent Lambda calls").
    pub(crate) fn lambda_function_scheduled(
        function_arn: &str,
        input: &Value,
        timeout_seconds: Option<u64>,
        heartbeat_seconds: Option<u64>,
    ) -> Event {
        let mut details = json!({
            "resource": function_arn,
            "input": json_text(input),
            "inputDetails": not_truncated(),
        });
        if let Some(s) = timeout_seconds {
            details["timeoutInSeconds"] = json!(s);
        }
        if let Some(s) = heartbeat_seconds {
            details["heartbeatInSeconds"] = json!(s);
        }
        Event::new(EventType::LambdaFunctionScheduled, details)
    }

    /// `LambdaFunctionStarted` (no details).
    pub(crate) fn lambda_function_started() -> Event {
        Event::bare(EventType::LambdaFunctionStarted)
    }

    /// `LambdaFunctionSucceeded`: the function's result, as it returned it.
    pub(crate) fn lambda_function_succeeded(output: &Value) -> Event {
        Event::new(
            EventType::LambdaFunctionSucceeded,
            Value::Object(output_details(output)),
        )
    }

    /// `LambdaFunctionFailed`: the function's `errorType` and its error JSON.
    pub(crate) fn lambda_function_failed(error: Option<&str>, cause: Option<&str>) -> Event {
        Event::new(
            EventType::LambdaFunctionFailed,
            Value::Object(error_details(error, cause)),
        )
    }

    /// `LambdaFunctionTimedOut`: `TimeoutSeconds` passed (`error: States.Timeout`).
    pub(crate) fn lambda_function_timed_out(error: Option<&str>, cause: Option<&str>) -> Event {
        Event::new(
            EventType::LambdaFunctionTimedOut,
            Value::Object(error_details(error, cause)),
        )
    }

    // --- Parallel states ---

    /// `ParallelStateStarted`.
    pub(crate) fn parallel_state_started() -> Event {
        Event::bare(EventType::ParallelStateStarted)
    }

    /// `ParallelStateSucceeded`.
    pub(crate) fn parallel_state_succeeded() -> Event {
        Event::bare(EventType::ParallelStateSucceeded)
    }

    /// `ParallelStateFailed` (recorded once, after the last attempt).
    pub(crate) fn parallel_state_failed() -> Event {
        Event::bare(EventType::ParallelStateFailed)
    }

    // --- Map states ---

    /// `MapStateStarted`: the number of items.
    pub(crate) fn map_state_started(length: usize) -> Event {
        Event::new(EventType::MapStateStarted, json!({ "length": length }))
    }

    /// `MapStateSucceeded`.
    pub(crate) fn map_state_succeeded() -> Event {
        Event::bare(EventType::MapStateSucceeded)
    }

    /// `TaskStateAborted`: a Task state whose failure ends its Parallel branch.
    pub(crate) fn task_state_aborted() -> Event {
        Event::bare(EventType::TaskStateAborted)
    }

    /// `MapStateFailed` (recorded once, after the last attempt).
    pub(crate) fn map_state_failed() -> Event {
        Event::bare(EventType::MapStateFailed)
    }

    /// `MapIterationStarted`: the item's index and the Map state's name.
    pub(crate) fn map_iteration_started(index: usize, name: &str) -> Event {
        Event::new(
            EventType::MapIterationStarted,
            json!({ "index": index, "name": name }),
        )
    }

    /// `MapIterationSucceeded`.
    pub(crate) fn map_iteration_succeeded(index: usize, name: &str) -> Event {
        Event::new(
            EventType::MapIterationSucceeded,
            json!({ "index": index, "name": name }),
        )
    }

    /// `MapIterationFailed`.
    pub(crate) fn map_iteration_failed(index: usize, name: &str) -> Event {
        Event::new(
            EventType::MapIterationFailed,
            json!({ "index": index, "name": name }),
        )
    }

    // --- Map runs (distributed Map) ---

    /// `MapRunStarted`: the Map Run's ARN.
    pub(crate) fn map_run_started(map_run_arn: &str) -> Event {
        Event::new(
            EventType::MapRunStarted,
            json!({ "mapRunArn": map_run_arn }),
        )
    }

    /// `MapRunSucceeded`.
    pub(crate) fn map_run_succeeded() -> Event {
        Event::bare(EventType::MapRunSucceeded)
    }

    /// `MapRunFailed`: why (`States.ExceedToleratedFailureThreshold`,
    /// `States.ItemReaderFailed`, `States.ResultWriterFailed`).
    pub(crate) fn map_run_failed(error: Option<&str>, cause: Option<&str>) -> Event {
        Event::new(
            EventType::MapRunFailed,
            Value::Object(error_details(error, cause)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The task and execution events are written as text (issue 13); each is the text of the
    /// object AWS records, in its key order, escapes included.
    #[test]
    fn the_task_and_execution_renderers_write_aws_shapes() {
        let text = |e: Event| packed::unpack(&e.into_details_text().unwrap()).into_owned();
        let res = Resource::parse("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
        let params = json!({ "QueueUrl": "q\"1", "MessageBody": { "t": "a\\b" } });
        assert_eq!(
            text(Event::task_scheduled(
                &res,
                "eu-\"west",
                &params,
                Some(30),
                Some(5)
            )),
            json_text(&json!({
                "resourceType": "sqs", "resource": "sendMessage.waitForTaskToken",
                "region": "eu-\"west", "parameters": json_text(&params),
                "timeoutInSeconds": 30, "heartbeatInSeconds": 5
            }))
        );
        // An answer given as its text records as the same answer given as a value.
        assert_eq!(
            text(Event::task_submission(
                &res,
                &Submission::Text(json_text(&params))
            )),
            text(Event::task_submitted(&res, &params))
        );
        assert_eq!(
            text(Event::task_submission(
                &res,
                &Submission::Value(params.clone())
            )),
            text(Event::task_submitted(&res, &params))
        );
        assert_eq!(
            text(Event::task_started(&res)),
            r#"{"resourceType":"sqs","resource":"sendMessage.waitForTaskToken"}"#
        );
        assert_eq!(
            text(Event::task_submitted(&res, &params)),
            json_text(&json!({
                "resourceType": "sqs", "resource": "sendMessage.waitForTaskToken",
                "output": json_text(&params), "outputDetails": { "truncated": false }
            }))
        );
        assert_eq!(
            text(Event::execution_started_on(
                &json_text(&params),
                "arn:aws:iam::1:role/r",
                Some("arn:a"),
                Some("arn:v")
            )),
            json_text(&json!({
                "input": json_text(&params), "inputDetails": { "truncated": false },
                "roleArn": "arn:aws:iam::1:role/r",
                "stateMachineAliasArn": "arn:a", "stateMachineVersionArn": "arn:v"
            }))
        );
        assert_eq!(
            text(Event::execution_started_on("1", "r\"ole", None, None)),
            r#"{"input":"1","inputDetails":{"truncated":false},"roleArn":"r\"ole"}"#
        );
        assert_eq!(
            text(Event::execution_succeeded(&params)),
            json_text(
                &json!({ "output": json_text(&params), "outputDetails": { "truncated": false } })
            )
        );
    }

    #[test]
    fn task_details_keep_aws_key_order_and_leave_absent_fields_out() {
        let res = Resource::parse("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
        let e = Event::task_timed_out(&res, Some("States.Timeout"), None);
        assert_eq!(e.event_type.name(), "TaskTimedOut");
        assert_eq!(e.event_type.details_key(), Some("taskTimedOutEventDetails"));
        let details = e.details.unwrap();
        assert_eq!(
            json_text(&details),
            r#"{"resourceType":"sqs","resource":"sendMessage.waitForTaskToken","error":"States.Timeout"}"#
        );
        let e = Event::task_succeeded(&res, &json!({ "ok": true }));
        assert_eq!(
            packed::unpack(&e.into_details_text().unwrap()),
            r#"{"resourceType":"sqs","resource":"sendMessage.waitForTaskToken","output":"{\"ok\":true}","outputDetails":{"truncated":false}}"#
        );
        let e = Event::task_scheduled(&res, "us-east-1", &json!({}), None, Some(5));
        assert_eq!(
            packed::unpack(&e.into_details_text().unwrap()),
            r#"{"resourceType":"sqs","resource":"sendMessage.waitForTaskToken","region":"us-east-1","parameters":"{}","heartbeatInSeconds":5}"#
        );
    }

    proptest::proptest! {
        /// The one-pass writers give serde_json's text exactly: a value's quoted JSON text and
        /// a string literal, control characters, quotes, backslashes and non-ASCII included.
        #[test]
        fn quoted_text_is_serde_jsons(v in crate::asl::path::tests_support::arb_json(), s in "[\\x00-\\x21\"\\\\a-z\u{7f}\u{e9}\u{1F600}]{0,12}") {
            proptest::prop_assert_eq!(quoted_json_text(&v), serde_json::to_string(&json_text(&v)).unwrap());
            let mut out = String::new();
            push_json_str(&mut out, &s);
            proptest::prop_assert_eq!(&out, &serde_json::to_string(&s).unwrap());
            let v = json!({ s.clone(): [s.clone(), v] });
            proptest::prop_assert_eq!(quoted_json_text(&v), serde_json::to_string(&json_text(&v)).unwrap());
        }
    }

    #[test]
    fn state_events_written_as_text_match_their_value_shape() {
        let kind = StateKind::Succeed;
        let input = json!({ "a": "q\"uote", "n": [1.5, null] });
        let e = Event::state_entered(&kind, "S \"1\"", &input);
        let text = e.into_details_text().unwrap();
        let expected = json!({ "name": "S \"1\"", "input": json_text(&input), "inputDetails": { "truncated": false } });
        assert_eq!(packed::unpack(&text), json_text(&expected));
        assert!(
            text.len() < json_text(&expected).len() - 40,
            "packed: {text:?}"
        );
        let mut assigned = Map::new();
        assigned.insert("x".into(), json!({ "k": 1 }));
        assigned.insert("y\"".into(), json!("s"));
        let e = Event::state_exited(&kind, "S", &input, Some(&assigned));
        let text = e.into_details_text().unwrap();
        let expected = json!({ "name": "S", "output": json_text(&input),
            "outputDetails": { "truncated": false },
            "assignedVariables": { "x": "{\"k\":1}", "y\"": "\"s\"" },
            "assignedVariablesDetails": { "truncated": false } });
        assert_eq!(packed::unpack(&text), json_text(&expected));
    }
}
