//! The interpreter: runs one execution state by state and records its history.
//!
//! Each state follows the JSONPath data flow of the ASL specification:
//! `InputPath` → `Parameters` (or `ItemSelector`) → the state's work → `ResultSelector` →
//! `ResultPath` (merged into the *raw* state input) → `OutputPath`.
//!
//! History events form chains through `previousEventId`. The rules below were read off
//! executions recorded on AWS (`../shared/conformance/cases`, from LocalStack's AWS-validated
//! snapshots):
//! - the first state of an execution is entered with `previousEventId` 0;
//! - each event otherwise follows the last event of its own *fiber* (the execution, a Parallel
//!   branch or a Map iteration); a branch or iteration starts after `…StateStarted` or, for Map
//!   iterations that wait for a concurrency slot, after the last event of the iteration that freed
//!   the slot;
//! - `MapIterationSucceeded`/`Failed` follow their iteration's last event but do not extend the
//!   Map's chain; `MapStateSucceeded`/`ParallelStateSucceeded` and the `…StateExited` after them
//!   both follow the last event recorded before them; `…StateFailed` follows the failed fiber's
//!   last event, and so does the `…StateStarted` of a retry.

mod dataflow;
mod distributed;
mod map;
mod parallel;
mod retry;
mod task;
pub(super) mod test_state;
mod wait;

use crate::sync::lock;
use std::sync::{Arc, Mutex};

use futures_util::future::FutureExt;
use serde_json::{json, Value};

use crate::asl::payload::ContextReads;
use crate::asl::{
    choice, Definition, Env, PathOrNull, QueryLanguage, State, StateKind, StatesError, Transition,
};
use crate::engine::execution::{ExecutionRecord, Terminal};
use crate::engine::history::Event;
use crate::engine::machine::MachineType;
use crate::engine::task::BoxFuture;
use crate::engine::EngineInner;
use crate::ids::{Ids, Stream};
use crate::mock_config::MockRun;
use crate::time::Clock;
use crate::time::Millis;
use dataflow::lift;
use retry::{Attempted, Work};

/// A state (or execution) failure: an ASL error name and cause, both optional as in AWS.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub error: Option<String>,
    pub cause: Option<String>,
    /// A Task's `HeartbeatSeconds` passed without a heartbeat. AWS names that error
    /// `States.Timeout` (as for `TimeoutSeconds`), and `ErrorEquals: ["States.HeartbeatTimeout"]`
    /// matches it too.
    pub missed_heartbeat: bool,
    /// A Task's `TimeoutSeconds` passed (`TaskTimedOut`, `LambdaFunctionTimedOut`): a Catch
    /// then sees `"Cause": ""`.
    pub timed_out: bool,
    /// The failure is a task's result (its handler's error). A result over the size limit
    /// (`States.DataLimitExceeded`) is then caught like any task error, `States.ALL` too
    /// (recorded: `error_handling.test_states_errors.test_task_lambda_catch_state_all_data_limit_exceeded_on_large_utf8_response`).
    pub from_task: bool,
    /// A JSONata state failed to evaluate (`States.QueryEvaluationError`): the field's location
    /// (`Output/result`; `None` when the state's input, not a field, was wrong), for the
    /// `EvaluationFailed` event (recorded once, then cleared).
    pub evaluation: Option<Option<String>>,
    /// A distributed Map failed before its Map Run started (a bad tolerated-failure value):
    /// AWS records no `MapStateFailed` then (`test_map_state_tolerated_failure_count_path[-1]`
    /// in ../shared/conformance/v2: MapStateStarted, then ExecutionFailed).
    pub before_map_run: bool,
    /// Not a failure: a top-level Task parked on its token, its wait and what resuming the
    /// state needs handed up in [`Run::detached`] (each layer it passes adds its part), so
    /// that the execution waits holding no interpreter future (issue 13).
    pub detached: bool,
}

impl Failure {
    fn new(error: impl Into<String>, cause: impl Into<String>) -> Failure {
        Failure::named(Some(error.into()), Some(cause.into()))
    }

    /// A failure with this error and cause (both optional, as a `SendTaskFailure` may leave
    /// them out).
    fn named(error: Option<String>, cause: Option<String>) -> Failure {
        Failure {
            error,
            cause,
            missed_heartbeat: false,
            timed_out: false,
            from_task: false,
            evaluation: None,
            before_map_run: false,
            detached: false,
        }
    }

    fn is_runtime(&self) -> bool {
        match self.error.as_deref() {
            Some("States.Runtime") => true,
            Some("States.DataLimitExceeded") => !self.from_task,
            _ => false,
        }
    }
}

impl From<StatesError> for Failure {
    fn from(e: StatesError) -> Self {
        Failure::new(e.error, e.cause)
    }
}

/// A state's step and the quoted JSON text of its output.
type Ran = (Step, Option<String>);

enum Step {
    /// Go to the state named (a Choice branch, a catcher).
    Next(String, Value),
    /// Go to the state's own `Next` (resolved by index when the definition was parsed).
    Follow(Value),
    End(Value),
}

/// Where a state runs: the state, and the id and time of its `…StateEntered` event (AWS names
/// the id in `States.Runtime` causes; the time is `$$.State.EnteredTime`).
pub(crate) struct Here<'a> {
    pub state: &'a State,
    pub entered_id: u64,
    /// The event the `…StateEntered` followed.
    pub entered_prev: u64,
    pub entered_ms: Millis,
    /// The workflow variables as they were when the state was entered (every expression of
    /// the state reads these; its own assignments take effect at exit).
    pub vars: &'a Variables,
    /// The execution's random source (`States.UUID`, `$uuid()`, `$random()`).
    pub rng: &'a Mutex<Stream>,
    /// The harness clock (`$now()`, `$millis()`).
    pub clock: &'a Clock,
    /// The engine's parsed JSONata expressions.
    pub expressions: &'a crate::asl::jsonata::Parsed,
    /// What the state's `Assign` (or its catcher's, or its Choice rule's) set when it exited.
    pub assigned: Mutex<Option<Variables>>,
    /// The quoted JSON text of the output the state exited with (its `…StateExited` event's),
    /// handed on to the next state's `…StateEntered`: its input is that output (issue 13).
    pub exited_text: Mutex<Option<String>>,
    /// The state runs at the top level of its execution, where a Task that parks on its token
    /// detaches its wait from the interpreter's futures ([`Detached`]); in a branch, an
    /// iteration or a TestState call it waits in place.
    pub detach: bool,
}

/// Workflow variables in scope: name -> value.
pub(crate) type Variables = serde_json::Map<String, Value>;

pub(crate) struct Run {
    pub engine: Arc<EngineInner>,
    pub exec: Arc<ExecutionRecord>,
    /// Kept as (seed, position), not as a live generator: ~300 bytes less a parked execution
    /// (issue 13).
    pub rng: Mutex<Stream>,
    /// In a seeded engine, this execution's own token generator: its tokens then depend only on
    /// the seed and the execution, not on how other executions' tasks interleave with its own.
    tokens: Option<Mutex<Ids>>,
    /// The MockConfigFile test case this execution runs (`StartExecution` on
    /// `<stateMachineArn>#<TestCase>`), with its per-state invocation counters.
    pub mock: Option<Arc<MockRun>>,
    /// The execution's input for the context object (`$$.Execution.Input`), parsed from the
    /// record's text once and copied from here (a Choice state builds the context every time
    /// it runs); let go of while a task waits for its token (issue 13).
    input: Mutex<Option<Box<Value>>>,
    /// A top-level Task's wait on its token while it is handed up to [`Run::run_execution`]
    /// (a failure with `detached` set says it is here).
    detached: Mutex<Option<Box<Detached>>>,
}

/// A top-level Task parked on its token, as data: its wait, and what resuming its state takes
/// once the wait ends (issue 13). While the execution waits it holds this and the wait's own
/// future, not the futures of `run_steps`, `run_state`, `retried`, `with_retry` and
/// `task_attempt` (~2.3 KB), nor the state's input as a tree (its text instead).
struct Detached {
    /// The task's token, receiver and timeouts.
    parked: task::Parked,
    /// The state, by index in the execution's definition (set by `run_steps`).
    state: usize,
    /// The workflow variables in scope, if any (set by `run_steps`).
    vars: Option<Box<Variables>>,
    /// The state's `…StateEntered` event and time (set by `run_state`).
    entered_id: u64,
    entered_prev: u64,
    entered_ms: Millis,
    /// The state's raw input, as compact JSON text (set by `retried`).
    raw: Box<str>,
    /// The retriers' counts and `$$.State.RetryCount` (set by `with_retry`).
    counts: Vec<u64>,
    retries: u64,
    /// The task's outcome once its wait ended (set by `run_top`).
    outcome: Option<Box<Result<Value, Failure>>>,
}

impl Drop for Run {
    fn drop(&mut self) {
        // Observed by `ExecutionRecord::retained`: the interpreter state (RNG, token
        // generator, mock counters) is gone.
        self.exec
            .interpreter_dropped
            .store(true, std::sync::atomic::Ordering::Release);
    }
}

/// Mixed into an execution's seed for its token generator ("tokens").
const TOKEN_SEED_SALT: u64 = 0x746f_6b65_6e73;

impl Run {
    pub(crate) fn new(
        engine: Arc<EngineInner>,
        exec: Arc<ExecutionRecord>,
        seed: u64,
        mock: Option<Arc<MockRun>>,
    ) -> Run {
        let seeded = engine.ids().is_seeded();
        Run {
            engine,
            exec,
            rng: Mutex::new(Stream::seed_from_u64(seed)),
            tokens: seeded.then(|| Mutex::new(Ids::seeded(seed ^ TOKEN_SEED_SALT))),
            mock,
            input: Mutex::new(None),
            detached: Mutex::new(None),
        }
    }

    /// A copy of the execution's input (`$$.Execution.Input`).
    fn execution_input(&self) -> Value {
        let mut cached = lock(&self.input);
        match &*cached {
            Some(v) => Value::clone(v),
            None => {
                let v = self.exec.input_value();
                *cached = Some(Box::new(v.clone()));
                v
            }
        }
    }

    /// Lets go of the parsed input while the execution waits (it is parsed again if needed).
    fn forget_input(&self) {
        lock(&self.input).take();
    }

    /// Hands a parked top-level Task's wait up to `run_execution`: the returned failure is the
    /// marker each layer on the way passes on, adding its part ([`Run::detached_part`]).
    fn detach(&self, parked: task::Parked) -> Failure {
        *lock(&self.detached) = Some(Box::new(Detached {
            parked,
            state: 0,
            vars: None,
            entered_id: 0,
            entered_prev: 0,
            entered_ms: 0,
            raw: Box::from(""),
            counts: Vec::new(),
            retries: 0,
            outcome: None,
        }));
        let mut f = Failure::named(None, None);
        f.detached = true;
        f
    }

    /// Adds a layer's part to the detached wait that `f` marks; false if `f` marks none.
    fn detached_part(&self, f: &Failure, part: impl FnOnce(&mut Detached)) -> bool {
        if !f.detached {
            return false;
        }
        if let Some(d) = lock(&self.detached).as_mut() {
            part(d);
        }
        true
    }

    /// A new task token: from the execution's own generator when seeded, else 128 bits from
    /// the OS RNG.
    fn task_token(&self) -> String {
        match &self.tokens {
            Some(ids) => lock(ids).task_token(),
            None => self.engine.ids().with(Ids::task_token),
        }
    }

    fn now(&self) -> Millis {
        self.engine.clock.now_ms()
    }

    /// Records an event after `*chain` and moves the chain to it.
    fn emit(&self, chain: &mut u64, event: Event) -> u64 {
        let id = self.exec.record(self.now(), *chain, event);
        *chain = id;
        id
    }

    /// Records an event after `prev` without moving any chain.
    fn emit_after(&self, prev: u64, event: Event) -> u64 {
        self.exec.record(self.now(), prev, event)
    }

    /// The context object (`$$`) for a state.
    fn context(
        &self,
        here: &Here<'_>,
        retry_count: u64,
        token: Option<&str>,
        item: Option<(usize, &Value)>,
    ) -> Value {
        self.context_reading(here, retry_count, token, item, ContextReads::ALL)
    }

    /// [`Run::context`] with only the top-level members `reads` names (the others are what
    /// nothing reads).
    fn context_reading(
        &self,
        here: &Here<'_>,
        retry_count: u64,
        token: Option<&str>,
        item: Option<(usize, &Value)>,
        reads: ContextReads,
    ) -> Value {
        let m = &self.exec.machine;
        let mut ctx = json!({});
        if reads.reads("Execution") {
            ctx["Execution"] = json!({
                "Id": self.exec.arn,
                "Input": self.execution_input(),
                "StartTime": crate::time::iso8601(self.exec.start_ms),
                "Name": self.exec.name,
                "RoleArn": m.role_arn,
            });
            if m.machine_type == MachineType::Standard {
                ctx["Execution"]["RedriveCount"] = json!(0);
            }
        }
        if reads.reads("StateMachine") {
            ctx["StateMachine"] = json!({ "Id": m.arn, "Name": m.name });
        }
        if reads.reads("State") {
            ctx["State"] = json!({
                "EnteredTime": crate::time::iso8601(here.entered_ms),
                "Name": here.state.name,
            });
        }
        // As recorded on AWS (../shared/conformance/v2): `Execution.RedriveCount` only in
        // STANDARD executions (`base.test_base.test_query_context_object_values` has it,
        // `express.test_express_sync.test_query_runtime_memory` not), and `State.RetryCount`
        // only in the states that can retry (a Task has it:
        // `scenarios.test_base_scenarios.test_lambda_invoke_with_retry_extended_input`; a Pass
        // state not: the same two cases).
        if reads.reads("State")
            && matches!(
                here.state.kind,
                StateKind::Task(_) | StateKind::Parallel(_) | StateKind::Map(_)
            )
        {
            ctx["State"]["RetryCount"] = json!(retry_count);
        }
        if let Some(t) = token.filter(|_| reads.reads("Task")) {
            ctx["Task"] = json!({ "Token": t });
        }
        if let Some((index, value)) = item.filter(|_| reads.reads("Map")) {
            ctx["Map"] = json!({ "Item": { "Index": index, "Value": value } });
        }
        ctx
    }

    /// The context object for a JSONPath payload template: built only when the template can
    /// read it (`$$`), else `null` (building it formats two timestamps and copies the input).
    fn template_context(&self, here: &Here<'_>, template: &crate::asl::payload::Template) -> Value {
        if here.state.query_language == QueryLanguage::JsonPath && !template.reads_context() {
            Value::Null
        } else {
            self.context(here, 0, None, None)
        }
    }

    fn transition(state: &State, output: Value) -> Step {
        match &state.transition {
            Transition::Next(_) => Step::Follow(output),
            Transition::End => Step::End(output),
        }
    }

    /// Runs a whole execution and records its terminal event.
    /// (Not an `async fn`, for the reason [`Run::run_steps`] gives: this future is the
    /// execution's task.)
    #[expect(
        clippy::manual_async_fn,
        reason = "an `async fn` would store each argument twice (issue 13)"
    )]
    pub(crate) fn run_execution(
        self: Arc<Self>,
        input: Value,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        async move {
            let exec = self.exec.clone();
            let machine = exec.machine.clone();
            let mut chain = 0u64;
            let def = machine.definition.clone();
            let run = self.run_top(&def, Box::new(input), &mut chain);
            let outcome = match def.timeout_seconds {
                Some(secs) => {
                    let deadline = exec.start_ms + secs * 1000;
                    tokio::select! {
                        r = run => Some(r),
                        _ = self.engine.clock.sleep_until(deadline) => None,
                    }
                }
                None => Some(run.await),
            };
            let now = self.now();
            match outcome {
                Some(Ok((output, text))) => {
                    exec.finish(now, chain, Terminal::succeeded(output, text.as_deref()));
                }
                Some(Err(f)) => {
                    exec.finish(now, chain, Terminal::failed(f.error, f.cause));
                }
                None => {
                    let last = exec.last_event_id();
                    exec.finish(now, last, Terminal::timed_out());
                    // The Map Runs it still ran end with it.
                    crate::engine::Engine::from_inner(self.engine.clone())
                        .abort_map_runs(&exec.arn);
                }
            }
            self.engine.tokens.close_execution(&exec.arn);
            // Nothing is left to abort: drop the task's handle (and with it the task's memory).
            lock(&exec.task).take();
        }
    }

    /// The execution's top level: its states run (boxed) until a Task parks on its token;
    /// then the states' futures are gone, the wait is awaited here ([`Detached`]), and the
    /// states run on from that Task's outcome (issue 13: a parked execution holds this
    /// future, the wait's and the `Detached`, ~1.4 KB less than the states' futures with the
    /// input as a tree).
    #[expect(
        clippy::manual_async_fn,
        reason = "an `async fn` would store each argument twice (issue 13)"
    )]
    fn run_top<'a>(
        &'a self,
        def: &'a Definition,
        input: Box<Value>,
        chain: &'a mut u64,
    ) -> impl std::future::Future<Output = Result<(Value, Option<String>), Failure>> + Send + 'a
    {
        // What lives across the awaits is kept to pointers (the input comes boxed, the run's
        // result is gone before the wait): this future is part of the execution's task for as
        // long as it waits.
        async move {
            let mut input = Some(input);
            let mut resume: Option<Box<Detached>> = None;
            loop {
                let mut d = {
                    let input = input.take().map(|v| *v).unwrap_or_default();
                    let steps =
                        self.run_steps(def, input, Variables::new(), resume.take(), chain, true);
                    let ran = Box::pin(steps).await;
                    match ran {
                        Err(f) if f.detached => {
                            match lock(&self.detached).take() {
                                Some(d) => d,
                                // `detach` leaves the wait before the marker travels up.
                                None => return Err(Failure::new(
                                    "States.Runtime",
                                    "sfn-harness lost a parked task's wait (a bug in sfn-harness)",
                                )),
                            }
                        }
                        done => return done,
                    }
                };
                let outcome = Box::pin(self.wait_on_token(&mut d.parked, chain)).await;
                d.outcome = Some(Box::new(outcome));
                resume = Some(d);
            }
        }
    }

    /// Runs a (sub-)machine from its `StartAt` to its end.
    /// `vars` is the scope's own copy of the variables it can read (an inner scope starts
    /// from its outer scope's, so it reads them but its assignments stay its own).
    fn run_program<'a>(
        &'a self,
        def: &'a Definition,
        input: Value,
        chain: &'a mut u64,
        vars: Variables,
    ) -> BoxFuture<'a, Result<Value, Failure>> {
        async move {
            self.run_steps(def, input, vars, None, chain, false)
                .await
                .map(|(out, _)| out)
        }
        .boxed()
    }

    /// [`Run::run_program`] from its `StartAt`, or from a top-level Task whose detached wait
    /// has ended (`resume`: then `input` and `vars` are unused, the wait has the variables),
    /// also returning the quoted JSON text of the output (as its last state exited with it,
    /// when it did). `detach`: the execution's top level, where a parked Task hands its wait
    /// up.
    ///
    /// Written as a function returning an `async move` block that uses its arguments as they
    /// are: an `async fn` stores each argument twice (as captured and as its own local), and
    /// this future and [`Run::run_state`]'s live as long as an execution waits (issue 13).
    #[expect(
        clippy::manual_async_fn,
        reason = "an `async fn` would store each argument twice (issue 13)"
    )]
    fn run_steps<'a>(
        &'a self,
        def: &'a Definition,
        mut input: Value,
        mut vars: Variables,
        mut resume: Option<Box<Detached>>,
        chain: &'a mut u64,
        detach: bool,
    ) -> impl std::future::Future<Output = Result<(Value, Option<String>), Failure>> + Send + 'a
    {
        async move {
            let mut at = match &mut resume {
                Some(d) => {
                    vars = d.vars.take().map(|v| *v).unwrap_or_default();
                    Some(d.state)
                }
                None => def.position(&def.start_at),
            };
            let mut text = None;
            // The state before, for the name of a missing one.
            let mut from: Option<usize> = None;
            loop {
                let Some(i) = at else {
                    let name = match from.map(|p| &def.states[p].transition) {
                        Some(Transition::Next(n)) => n.as_str(),
                        _ => def.start_at.as_str(),
                    };
                    return Err(Failure::new(
                        "States.Runtime",
                        format!("The state '{name}' does not exist in the definition"),
                    ));
                };
                from = Some(i);
                let state = &def.states[i];
                let ran = match resume.take() {
                    Some(d) => Box::pin(self.resume_state(state, d, chain, &mut vars)).await,
                    None => {
                        let input = std::mem::take(&mut input);
                        self.run_state(state, input, text.take(), chain, &mut vars, detach)
                            .await
                    }
                };
                let ran = match ran {
                    Err(f) => {
                        self.detached_part(&f, |d| {
                            d.state = i;
                            d.vars =
                                (!vars.is_empty()).then(|| Box::new(std::mem::take(&mut vars)));
                        });
                        return Err(f);
                    }
                    Ok(r) => r,
                };
                match ran {
                    (Step::Follow(out), t) => {
                        at = def.next[i];
                        input = out;
                        text = t;
                    }
                    (Step::Next(next, out), t) => {
                        let Some(j) = def.position(&next) else {
                            return Err(Failure::new(
                                "States.Runtime",
                                format!("The state '{next}' does not exist in the definition"),
                            ));
                        };
                        at = Some(j);
                        input = out;
                        text = t;
                    }
                    (Step::End(out), t) => return Ok((out, t)),
                }
            }
        }
    }

    /// Runs one state from its raw input (`raw_text`: that input's quoted JSON text, when the
    /// state before wrote it already). Returns where to go and the quoted text of the output.
    /// (Not an `async fn`, for the reason [`Run::run_steps`] gives.)
    #[expect(
        clippy::manual_async_fn,
        reason = "an `async fn` would store each argument twice (issue 13)"
    )]
    fn run_state<'a>(
        &'a self,
        state: &'a State,
        raw: Value,
        raw_text: Option<String>,
        chain: &'a mut u64,
        vars: &'a mut Variables,
        detach: bool,
    ) -> impl std::future::Future<Output = Result<Ran, Failure>> + Send + 'a {
        async move {
            let entered_ms = self.now();
            let entered_prev = *chain;
            let entered = match &raw_text {
                Some(text) => Event::state_entered_quoted(&state.kind, &state.name, text),
                None => Event::state_entered(&state.kind, &state.name, &raw),
            };
            drop(raw_text);
            let entered_id = self.emit(chain, entered);
            let here = self.here(state, vars, (entered_id, entered_prev, entered_ms), detach);
            let step = self.state_body(&here, raw, chain).await;
            let (step, assigned) = self.settle(here, step, chain)?;
            if let Some(a) = assigned {
                vars.extend(a);
            }
            Ok(step)
        }
    }

    /// Resumes a top-level Task whose wait was detached ([`Detached`]), from its attempt's
    /// outcome: its retries, catchers and result's data flow run as if it had waited in place.
    async fn resume_state(
        &self,
        state: &State,
        d: Box<Detached>,
        chain: &mut u64,
        vars: &mut Variables,
    ) -> Result<Ran, Failure> {
        let Detached {
            entered_id,
            entered_prev,
            entered_ms,
            raw,
            counts,
            retries,
            outcome,
            ..
        } = *d;
        let StateKind::Task(t) = &state.kind else {
            return Err(Failure::new(
                "States.Runtime",
                format!(
                    "sfn-harness resumed the state '{}', which is not a Task (a bug in sfn-harness)",
                    state.name
                ),
            ));
        };
        // The text was written from a `Value` by serde_json: it parses back to the same value.
        let raw: Value = serde_json::from_str(&raw).unwrap_or_default();
        let here = self.here(state, vars, (entered_id, entered_prev, entered_ms), true);
        let resumed = retry::Resumed {
            counts,
            retries,
            outcome: outcome.map(|o| *o).unwrap_or_else(|| {
                Err(Failure::new(
                    "States.Runtime",
                    "sfn-harness resumed a task with no outcome (a bug in sfn-harness)",
                ))
            }),
        };
        let step = self
            .retried(&here, Work::Task(t), &raw, chain, Some(resumed))
            .await;
        let (step, assigned) = self.settle(here, step, chain)?;
        if let Some(a) = assigned {
            vars.extend(a);
        }
        Ok(step)
    }

    /// Where a state runs, entered as `entered` says (its event's id, the event before, its
    /// time).
    fn here<'a>(
        &'a self,
        state: &'a State,
        vars: &'a Variables,
        (entered_id, entered_prev, entered_ms): (u64, u64, Millis),
        detach: bool,
    ) -> Here<'a> {
        Here {
            state,
            entered_id,
            entered_prev,
            entered_ms,
            vars,
            rng: &self.rng,
            clock: &self.engine.clock,
            expressions: &self.engine.expressions,
            assigned: Mutex::new(None),
            exited_text: Mutex::new(None),
            detach,
        }
    }

    /// A state's end: its step and the quoted text of its output, and the variables its
    /// `Assign` set (for the caller to take into scope once `here` is gone). A failure records
    /// its `EvaluationFailed`; a detached wait takes the state's entry.
    fn settle(
        &self,
        here: Here<'_>,
        step: Result<Step, Failure>,
        chain: &mut u64,
    ) -> Result<(Ran, Option<Variables>), Failure> {
        let step = match step {
            Ok(step) => step,
            Err(mut f) => {
                let entered = (here.entered_id, here.entered_prev, here.entered_ms);
                if !self.detached_part(&f, |d| {
                    (d.entered_id, d.entered_prev, d.entered_ms) = entered;
                }) {
                    self.evaluation_failed(&here, &mut f, chain);
                }
                return Err(f);
            }
        };
        let assigned = lock(&here.assigned).take();
        let text = lock(&here.exited_text).take();
        Ok(((step, text), assigned))
    }

    /// Records `EvaluationFailed` for a JSONata failure that has not been recorded yet, and
    /// continues the state's chain from it. AWS records it after the event the state's
    /// `…StateEntered` followed (`test_undefined_reference[BASE_UNDEFINED_OUTPUT_MULTIPLE_STATES]`:
    /// entered #6 after #5, EvaluationFailed after #5), except in a Wait state, where it follows
    /// the `WaitStateEntered` (`test_wait_timestamp_jsonata[*]`).
    fn evaluation_failed(&self, here: &Here<'_>, f: &mut Failure, chain: &mut u64) {
        if let Some(location) = f.evaluation.take() {
            let prev = if matches!(here.state.kind, StateKind::Wait(_)) {
                *chain
            } else {
                here.entered_prev
            };
            let id = self.emit_after(
                prev,
                Event::evaluation_failed(
                    f.error.as_deref().unwrap_or_default(),
                    f.cause.as_deref().unwrap_or_default(),
                    location.as_deref(),
                    &here.state.name,
                ),
            );
            *chain = id;
        }
    }

    /// Records a state's `…StateExited` after evaluating its `Assign` (from the state's entry
    /// view: `assign_input` is JSONPath's `$`, `states` JSONata's `$states`).
    pub(super) fn exit_state(
        &self,
        here: &Here<'_>,
        chain: &mut u64,
        out: &Value,
        assign: Option<&Value>,
        assign_input: &Value,
        states: impl FnOnce() -> Value,
    ) -> Result<(), Failure> {
        let assigned = match assign {
            Some(a) => {
                // JSONata's `Assign` reads the context through `states`; a JSONPath one only
                // through a `$$` path.
                let ctx = if here.state.query_language == QueryLanguage::JsonPath
                    && crate::asl::payload::reads_context(a)
                {
                    self.context(here, 0, None, None)
                } else {
                    Value::Null
                };
                Some(dataflow::assign(here, a, assign_input, &ctx, states)?)
            }
            None => None,
        };
        let text = crate::engine::history::quoted_json_text(out);
        self.emit(
            chain,
            Event::state_exited_quoted(
                &here.state.kind,
                &here.state.name,
                &text,
                assigned.as_ref(),
            ),
        );
        *lock(&here.assigned) = assigned;
        *lock(&here.exited_text) = Some(text);
        Ok(())
    }

    /// The output of a JSONata state: its `Output` template, or `default`.
    fn jsonata_output(
        &self,
        here: &Here<'_>,
        output: Option<&Value>,
        default: &Value,
        states: &Value,
    ) -> Result<Value, Failure> {
        dataflow::output_template(here, output, default, states)
    }

    async fn state_body(
        &self,
        here: &Here<'_>,
        raw: Value,
        chain: &mut u64,
    ) -> Result<Step, Failure> {
        let state = here.state;
        let jsonata = state.query_language == QueryLanguage::Jsonata;
        // JSONata states: no paths; `Output` (default: the input) and `Assign` over `$states`.
        let simple_jsonata = |this: &Run, chain: &mut u64, raw: &Value| -> Result<Value, Failure> {
            let reads = |f: &Option<Value>| {
                f.as_ref()
                    .is_some_and(crate::asl::jsonata::reads_states_context)
            };
            let ctx = if reads(&state.output) || reads(&state.assign) {
                this.context(here, 0, None, None)
            } else {
                Value::Null
            };
            let st = dataflow::states(raw, &ctx, None, None);
            let out = this.jsonata_output(here, state.output.as_ref(), raw, &st)?;
            this.exit_state(here, chain, &out, state.assign.as_ref(), raw, || st.clone())?;
            Ok(out)
        };
        match &state.kind {
            StateKind::Pass(_) | StateKind::Succeed if jsonata => {
                let out = simple_jsonata(self, chain, &raw)?;
                Ok(Self::transition(state, out))
            }
            StateKind::Pass(p) => {
                // With the default `InputPath` and `ResultPath` the raw input is read once,
                // as the effective input: move it rather than copy it.
                let moves = matches!(state.input_path, PathOrNull::Default)
                    && matches!(p.result_path, PathOrNull::Default);
                let (eff, raw) = if moves {
                    (raw, Value::Null)
                } else {
                    let eff =
                        dataflow::input_path(here, &raw, || self.context(here, 0, None, None))?;
                    (eff, raw)
                };
                let params = match &p.parameters {
                    Some(t) => {
                        let ctx = self.template_context(here, t);
                        dataflow::payload_owned(here, t, "Parameters", eff, &ctx)?
                    }
                    None => eff,
                };
                let result = match &p.result {
                    Some(r) => r.clone(),
                    None => params,
                };
                // `Assign` reads the result: keep a copy only when there is one.
                let (for_assign, result) = match &state.assign {
                    Some(_) => (Some(result.clone()), result),
                    None => (None, result),
                };
                let out = dataflow::result_path(here, &p.result_path, &raw, result)?;
                let out = dataflow::output_path(here, out, || self.context(here, 0, None, None))?;
                let assign_input = for_assign.unwrap_or(Value::Null);
                self.exit_state(
                    here,
                    chain,
                    &out,
                    state.assign.as_ref(),
                    &assign_input,
                    || Value::Null,
                )?;
                Ok(Self::transition(state, out))
            }
            StateKind::Succeed => {
                let eff = dataflow::input_path(here, &raw, || self.context(here, 0, None, None))?;
                let out =
                    dataflow::output_path(here, eff.clone(), || self.context(here, 0, None, None))?;
                self.exit_state(here, chain, &out, None, &eff, || Value::Null)?;
                Ok(Self::transition(state, out))
            }
            StateKind::Fail(f) => Err(self.fail_state(here, f, &raw)?),
            StateKind::Choice(c) if jsonata => {
                let ctx = self.context(here, 0, None, None);
                let st = dataflow::states(&raw, &ctx, None, None);
                let (next, output, assign) = dataflow::jsonata_choice(here, state, c, &st)?;
                let out = self.jsonata_output(here, output, &raw, &st)?;
                self.exit_state(here, chain, &out, assign, &raw, || st.clone())?;
                Ok(Step::Next(next, out))
            }
            StateKind::Choice(c) => {
                let eff = dataflow::input_path(here, &raw, || self.context(here, 0, None, None))?;
                let ctx = if c.choices.iter().any(|b| b.rule.reads_context()) {
                    self.context(here, 0, None, None)
                } else {
                    Value::Null
                };
                let env = Env::new(&eff, &ctx).with_variables(here.vars);
                let branch = choice::select_branch(c, &env).map_err(|e| lift(here, e))?;
                let (next, assign) = match branch {
                    Some(b) => (b.next.clone(), b.assign.as_ref().or(state.assign.as_ref())),
                    None => match &c.default {
                        Some(d) => (d.clone(), state.assign.as_ref()),
                        None => return Err(Failure::new("States.NoChoiceMatched", "No Matches!")),
                    },
                };
                let out =
                    dataflow::output_path(here, eff.clone(), || self.context(here, 0, None, None))?;
                self.exit_state(here, chain, &out, assign, &eff, || Value::Null)?;
                Ok(Step::Next(next, out))
            }
            StateKind::Wait(w) => {
                let eff = dataflow::input_path(here, &raw, || self.context(here, 0, None, None))?;
                let deadline = self.wait_deadline(here, &w.wait_for, &eff)?;
                self.engine.clock.sleep_until(deadline).await;
                if jsonata {
                    let out = simple_jsonata(self, chain, &raw)?;
                    return Ok(Self::transition(state, out));
                }
                let out =
                    dataflow::output_path(here, eff.clone(), || self.context(here, 0, None, None))?;
                self.exit_state(here, chain, &out, state.assign.as_ref(), &eff, || {
                    Value::Null
                })?;
                Ok(Self::transition(state, out))
            }
            // Boxed: the future of every state would otherwise hold room for the largest of
            // these (issue 13: a parked execution keeps its future for as long as it waits).
            StateKind::Task(t) => {
                Box::pin(self.retried(here, Work::Task(t), &raw, chain, None)).await
            }
            StateKind::Parallel(p) => {
                Box::pin(self.retried(here, Work::Parallel(p), &raw, chain, None)).await
            }
            StateKind::Map(m) => {
                Box::pin(self.retried(here, Work::Map(m), &raw, chain, None)).await
            }
        }
    }

    /// A Task, Parallel or Map state: `InputPath`, the attempts with their `Retry` and `Catch`,
    /// then the result's data flow.
    async fn retried(
        &self,
        here: &Here<'_>,
        work: Work<'_>,
        raw: &Value,
        chain: &mut u64,
        resumed: Option<retry::Resumed>,
    ) -> Result<Step, Failure> {
        // With the default `InputPath` the effective input is the raw input: borrowed, not
        // copied (a waiting Task kept both copies: issue 13).
        let selected;
        let eff = if matches!(here.state.input_path, PathOrNull::Default) {
            raw
        } else {
            selected = dataflow::input_path(here, raw, || self.context(here, 0, None, None))?;
            &selected
        };
        if let Work::Map(m) = work {
            // A bad `MaxConcurrencyPath` value fails the execution before the Map starts, with
            // no `MapStateFailed` and no retry or catch
            // (`scenarios.test_base_scenarios.test_max_concurrency_path[NoNumber]` in
            // ../shared/conformance/v2: MapStateEntered, then ExecutionFailed).
            map::max_concurrency(here, m, eff)?;
        }
        let r = match self.with_retry(here, work, raw, eff, chain, resumed).await {
            Ok(r) => r,
            Err(f) => {
                // A detached wait keeps the state's input as text, not as a tree.
                self.detached_part(&f, |d| {
                    d.raw = crate::engine::history::json_text(raw).into_boxed_str()
                });
                return Err(f);
            }
        };
        self.finish_result(here, r, work, raw, chain)
    }

    /// After a successful Task/Parallel/Map: ResultSelector, ResultPath, OutputPath, exit event.
    /// A caught failure arrives here already exited (`Attempted::Caught`).
    fn finish_result(
        &self,
        here: &Here<'_>,
        r: Attempted,
        work: Work<'_>,
        raw: &Value,
        chain: &mut u64,
    ) -> Result<Step, Failure> {
        let result = match r {
            Attempted::Caught(step) => return Ok(step),
            Attempted::Done(v) => v,
        };
        if here.state.query_language == QueryLanguage::Jsonata {
            let ctx = self.context(here, 0, None, None);
            let st = dataflow::states(raw, &ctx, Some(&result), None);
            let out = self.jsonata_output(here, here.state.output.as_ref(), &result, &st)?;
            self.exit_state(here, chain, &out, here.state.assign.as_ref(), raw, || st)?;
            return Ok(Self::transition(here.state, out));
        }
        let result = match work.result_selector() {
            Some(t) => {
                let ctx = self.template_context(here, t);
                dataflow::payload_owned(here, t, "ResultSelector", result, &ctx)?
            }
            None => result,
        };
        let out = dataflow::result_path(here, work.result_path(), raw, result.clone())?;
        let out = dataflow::output_path(here, out, || self.context(here, 0, None, None))?;
        self.exit_state(
            here,
            chain,
            &out,
            here.state.assign.as_ref(),
            &result,
            || Value::Null,
        )?;
        Ok(Self::transition(here.state, out))
    }

    /// Ends a Parallel or Map attempt once its fibers (branches, lanes) have all ended: on
    /// success `succeeded` follows the last event recorded, and so does the state's chain; on a
    /// failure the chain moves to the failed fiber's last event.
    fn join_fibers(
        &self,
        joined: Result<Value, (Failure, u64)>,
        succeeded: Event,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
        match joined {
            Ok(v) => {
                let last = self.exec.last_event_id();
                self.emit_after(last, succeeded);
                *chain = last;
                Ok(v)
            }
            Err((f, c)) => {
                *chain = c;
                Err(f)
            }
        }
    }
}

#[cfg(test)]
mod memory_design {
    //! Issue 13: what a parked execution holds. Its interpreter future lives in its task for as
    //! long as it waits, so the future's size is part of every parked execution's memory.

    use std::sync::Arc;

    use super::{Run, Variables};
    use crate::engine::execution::ExecutionRecord;
    use crate::engine::{Engine, EngineConfig};
    use crate::time::Clock;

    #[test]
    fn the_interpreter_future_of_an_execution_is_small() {
        let engine = Engine::new(EngineConfig {
            clock: Clock::virtual_at(0),
            ..EngineConfig::default()
        });
        let machine = engine
            .create_state_machine(
                "m",
                r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
            )
            .unwrap();
        let exec = Arc::new(ExecutionRecord::new(
            "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
            "e".into(),
            machine.clone(),
            &serde_json::json!({}),
            0,
        ));
        let run = Run::new(engine.inner.clone(), exec, 1, None);
        let mut chain = 0;
        let def = machine.definition.clone();
        let input = serde_json::json!({});
        let steps = run.run_steps(&def, input, Variables::new(), None, &mut chain, true);
        // The Task, Parallel and Map futures are boxed, each only while its state runs: the
        // future every execution holds is the size of the simple states' (872 bytes; 1,088
        // while `run_steps` and `run_state` were `async fn`s, which store every argument
        // twice; 3,376 before the boxing).
        let size = std::mem::size_of_val(&steps);
        eprintln!("run_steps future: {size} B");
        assert!(size <= 960, "the future of run_steps is {size} bytes");
        // The interpreter's state keeps its two random streams as (seed, position), not as
        // live generators (~330 bytes each): 176 bytes in all, ~750 before.
        let run_size = std::mem::size_of::<Run>();
        assert!(run_size <= 192, "the interpreter state is {run_size} bytes");
    }
}
