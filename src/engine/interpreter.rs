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

use crate::sync::lock;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::{try_join_all, BoxFuture, FutureExt};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map as JsonMap, Value};

use crate::asl::path::PathError;
use crate::asl::{
    choice, payload, Catcher, Definition, Env, Fail, Jitter, PathOrNull, Retrier, Seconds, State,
    StateKind, StatesError, StringOrPath, Task, Transition, WaitFor,
};
use crate::engine::execution::{Execution, Status};
use crate::engine::history::{
    error_details, json_text, not_truncated, state_entered, state_exited,
};
use crate::engine::task::{Pattern, Resource, TaskRequest};
use crate::engine::tokens::TaskAnswer;
use crate::engine::EngineInner;
use crate::ids::Ids;
use crate::time::Millis;

/// A state (or execution) failure: an ASL error name and cause, both optional as in AWS.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub error: Option<String>,
    pub cause: Option<String>,
}

impl Failure {
    fn new(error: impl Into<String>, cause: impl Into<String>) -> Failure {
        Failure {
            error: Some(error.into()),
            cause: Some(cause.into()),
        }
    }

    fn is_runtime(&self) -> bool {
        matches!(
            self.error.as_deref(),
            Some("States.Runtime") | Some("States.DataLimitExceeded")
        )
    }
}

impl From<StatesError> for Failure {
    fn from(e: StatesError) -> Self {
        Failure::new(e.error, e.cause)
    }
}

enum Step {
    Next(String, Value),
    End(Value),
}

/// Where a state runs: its name and the id of its `…StateEntered` event.
struct Here<'a> {
    state: &'a State,
    entered_id: u64,
    entered_ms: Millis,
}

pub(crate) struct Run {
    pub engine: Arc<EngineInner>,
    pub exec: Arc<Execution>,
    pub rng: Mutex<StdRng>,
    /// In a seeded engine, this execution's own token generator: its tokens then depend only on
    /// the seed and the execution, not on how other executions' tasks interleave with its own.
    tokens: Option<Mutex<Ids>>,
}

/// Mixed into an execution's seed for its token generator ("tokens").
const TOKEN_SEED_SALT: u64 = 0x746f_6b65_6e73;

fn rfc3339(ms: Millis) -> String {
    jiff::Timestamp::from_millisecond(ms as i64)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

impl Run {
    pub(crate) fn new(engine: Arc<EngineInner>, exec: Arc<Execution>, seed: u64) -> Run {
        let seeded = engine.ids().is_seeded();
        Run {
            engine,
            exec,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            tokens: seeded.then(|| Mutex::new(Ids::seeded(seed ^ TOKEN_SEED_SALT))),
        }
    }

    /// A new task token: from the execution's own generator when seeded, else 128 bits from
    /// the OS RNG.
    fn task_token(&self) -> String {
        match &self.tokens {
            Some(ids) => lock(ids).task_token(),
            None => self.engine.ids().task_token(),
        }
    }

    fn now(&self) -> Millis {
        self.engine.clock.now_ms()
    }

    /// Records an event after `*chain` and moves the chain to it.
    fn emit(&self, chain: &mut u64, event_type: &str, details: Option<(&str, Value)>) -> u64 {
        let id = self.exec.record(self.now(), *chain, event_type, details);
        *chain = id;
        id
    }

    /// Records an event after `prev` without moving any chain.
    fn emit_after(&self, prev: u64, event_type: &str, details: Option<(&str, Value)>) -> u64 {
        self.exec.record(self.now(), prev, event_type, details)
    }

    /// The context object (`$$`) for a state.
    fn context(
        &self,
        here: &Here<'_>,
        retry_count: u64,
        token: Option<&str>,
        item: Option<(usize, &Value)>,
    ) -> Value {
        let m = &self.exec.machine;
        let mut ctx = json!({
            "Execution": {
                "Id": self.exec.arn,
                "Input": self.exec.input,
                "StartTime": rfc3339(self.exec.start_ms),
                "Name": self.exec.name,
                "RoleArn": m.role_arn,
                "RedriveCount": 0,
            },
            "StateMachine": { "Id": m.arn, "Name": m.name },
            "State": {
                "EnteredTime": rfc3339(here.entered_ms),
                "Name": here.state.name,
                "RetryCount": retry_count,
            },
        });
        if let Some(t) = token {
            ctx["Task"] = json!({ "Token": t });
        }
        if let Some((index, value)) = item {
            ctx["Map"] = json!({ "Item": { "Index": index, "Value": value } });
        }
        ctx
    }

    fn runtime(&self, here: &Here<'_>, message: impl std::fmt::Display) -> Failure {
        Failure::new(
            "States.Runtime",
            format!(
                "An error occurred while executing the state '{}' (entered at the event id #{}). {message}",
                here.state.name, here.entered_id
            ),
        )
    }

    /// Wraps a `States.Runtime` error from the ASL layer with AWS's "while executing" prefix.
    fn lift(&self, here: &Here<'_>, e: StatesError) -> Failure {
        if e.error == "States.Runtime" {
            self.runtime(here, e.cause)
        } else {
            e.into()
        }
    }

    fn input_path(&self, here: &Here<'_>, input: &Value) -> Result<Value, Failure> {
        match &here.state.input_path {
            PathOrNull::Default => Ok(input.clone()),
            PathOrNull::Null => Ok(json!({})),
            PathOrNull::Path(p) => p.read(&Env::new(input, &Value::Null)).map_err(|_| {
                self.runtime(
                    here,
                    format!(
                        "Invalid path '{p}' : No results for path: {}",
                        p.normalized()
                    ),
                )
            }),
        }
    }

    fn output_path(&self, here: &Here<'_>, output: Value) -> Result<Value, Failure> {
        match &here.state.output_path {
            PathOrNull::Default => Ok(output),
            PathOrNull::Null => Ok(json!({})),
            PathOrNull::Path(p) => p.read(&Env::new(&output, &Value::Null)).map_err(|_| {
                self.runtime(
                    here,
                    format!(
                        "Invalid path '{p}' : No results for path: {}",
                        p.normalized()
                    ),
                )
            }),
        }
    }

    fn result_path(
        &self,
        here: &Here<'_>,
        result_path: &PathOrNull,
        raw_input: &Value,
        result: Value,
    ) -> Result<Value, Failure> {
        match result_path {
            PathOrNull::Default => Ok(result),
            PathOrNull::Null => Ok(raw_input.clone()),
            PathOrNull::Path(p) => p.set(raw_input.clone(), result).map_err(|e| match e {
                PathError::NotWritable { .. } | PathError::NotFound { .. } => Failure::new(
                    "States.ResultPathMatchFailure",
                    format!(
                        "States.ResultPathMatchFailure: Unable to apply ResultPath \"{p}\" to input \"{}\"",
                        json_text(raw_input)
                    ),
                ),
                PathError::Syntax { .. } => self.runtime(here, e),
            }),
        }
    }

    fn payload(
        &self,
        here: &Here<'_>,
        template: &Value,
        input: &Value,
        ctx: &Value,
    ) -> Result<Value, Failure> {
        let mut rng = lock(&self.rng);
        payload::evaluate(template, &Env::new(input, ctx).with_rng(&mut *rng))
            .map_err(|e| self.lift(here, e))
    }

    fn seconds(&self, here: &Here<'_>, s: &Seconds, input: &Value) -> Result<u64, Failure> {
        match s {
            Seconds::Literal(n) => Ok(*n),
            Seconds::Path(p) => {
                let v = p.read(&Env::new(input, &Value::Null)).map_err(|_| {
                    self.runtime(
                        here,
                        format!("Invalid path '{p}': the path references no value"),
                    )
                })?;
                v.as_u64().ok_or_else(|| {
                    self.runtime(
                        here,
                        format!(
                            "The value of the path '{p}' must be a non-negative integer, but was {}",
                            json_text(&v)
                        ),
                    )
                })
            }
        }
    }

    fn transition(state: &State, output: Value) -> Step {
        match &state.transition {
            Transition::Next(n) => Step::Next(n.clone(), output),
            Transition::End => Step::End(output),
        }
    }

    /// Runs a whole execution and records its terminal event.
    pub(crate) async fn run_execution(self: Arc<Self>) {
        let exec = self.exec.clone();
        let machine = exec.machine.clone();
        let mut chain = 0u64;
        let def = machine.definition.clone();
        let run = self.run_program(&def, exec.input.clone(), &mut chain);
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
            Some(Ok(output)) => {
                exec.finish(
                    now,
                    chain,
                    Status::Succeeded,
                    "ExecutionSucceeded",
                    Some((
                        "executionSucceededEventDetails",
                        json!({ "output": json_text(&output), "outputDetails": not_truncated() }),
                    )),
                    Some(output),
                    None,
                    None,
                );
            }
            Some(Err(f)) => {
                exec.finish(
                    now,
                    chain,
                    Status::Failed,
                    "ExecutionFailed",
                    Some((
                        "executionFailedEventDetails",
                        error_details(f.error.as_deref(), f.cause.as_deref()),
                    )),
                    None,
                    f.error,
                    f.cause,
                );
            }
            None => {
                let last = exec.last_event_id();
                exec.finish(
                    now,
                    last,
                    Status::TimedOut,
                    "ExecutionTimedOut",
                    Some((
                        "executionTimedOutEventDetails",
                        error_details(Some("States.Timeout"), None),
                    )),
                    None,
                    Some("States.Timeout".into()),
                    None,
                );
            }
        }
        self.engine.tokens.close_execution(&exec.arn);
    }

    /// Runs a (sub-)machine from its `StartAt` to its end.
    fn run_program<'a>(
        &'a self,
        def: &'a Definition,
        input: Value,
        chain: &'a mut u64,
    ) -> BoxFuture<'a, Result<Value, Failure>> {
        async move {
            let mut name = def.start_at.clone();
            let mut input = input;
            loop {
                let Some(state) = def.state(&name) else {
                    return Err(Failure::new(
                        "States.Runtime",
                        format!("The state '{name}' does not exist in the definition"),
                    ));
                };
                match self.run_state(state, input, chain).await? {
                    Step::Next(next, out) => {
                        name = next;
                        input = out;
                    }
                    Step::End(out) => return Ok(out),
                }
            }
        }
        .boxed()
    }

    async fn run_state(&self, state: &State, raw: Value, chain: &mut u64) -> Result<Step, Failure> {
        let prefix = state.kind.event_prefix();
        let entered_ms = self.now();
        let entered_id = self.emit(
            chain,
            &format!("{prefix}StateEntered"),
            Some(("stateEnteredEventDetails", state_entered(&state.name, &raw))),
        );
        let here = Here {
            state,
            entered_id,
            entered_ms,
        };
        let exited = format!("{prefix}StateExited");
        let exit = |this: &Run, chain: &mut u64, out: Value| -> Step {
            this.emit(
                chain,
                &exited,
                Some(("stateExitedEventDetails", state_exited(&state.name, &out))),
            );
            Self::transition(state, out)
        };
        match &state.kind {
            StateKind::Pass(p) => {
                let eff = self.input_path(&here, &raw)?;
                let params = match &p.parameters {
                    Some(t) => {
                        let ctx = self.context(&here, 0, None, None);
                        self.payload(&here, t, &eff, &ctx)?
                    }
                    None => eff,
                };
                let result = p.result.clone().unwrap_or(params);
                let out = self.result_path(&here, &p.result_path, &raw, result)?;
                let out = self.output_path(&here, out)?;
                Ok(exit(self, chain, out))
            }
            StateKind::Succeed => {
                let eff = self.input_path(&here, &raw)?;
                let out = self.output_path(&here, eff)?;
                Ok(exit(self, chain, out))
            }
            StateKind::Fail(f) => Err(self.fail_state(&here, f, &raw)?),
            StateKind::Choice(c) => {
                let eff = self.input_path(&here, &raw)?;
                let ctx = self.context(&here, 0, None, None);
                let next = choice::select(c, &Env::new(&eff, &ctx))
                    .map_err(|e| self.lift(&here, e))?
                    .map(str::to_string);
                let Some(next) = next else {
                    return Err(Failure::new("States.NoChoiceMatched", "No Matches!"));
                };
                let out = self.output_path(&here, eff)?;
                self.emit(
                    chain,
                    &exited,
                    Some(("stateExitedEventDetails", state_exited(&state.name, &out))),
                );
                Ok(Step::Next(next, out))
            }
            StateKind::Wait(w) => {
                let eff = self.input_path(&here, &raw)?;
                let deadline = self.wait_deadline(&here, &w.wait_for, &eff)?;
                self.engine.clock.sleep_until(deadline).await;
                let out = self.output_path(&here, eff)?;
                Ok(exit(self, chain, out))
            }
            StateKind::Task(t) => {
                let eff = self.input_path(&here, &raw)?;
                let r = self
                    .with_retry(&here, Work::Task(t), &t.retry, &t.catch, &raw, &eff, chain)
                    .await?;
                self.finish_result(&here, r, &t.result_selector, &t.result_path, &raw, chain)
            }
            StateKind::Parallel(p) => {
                let eff = self.input_path(&here, &raw)?;
                let r = self
                    .with_retry(
                        &here,
                        Work::Parallel(p),
                        &p.retry,
                        &p.catch,
                        &raw,
                        &eff,
                        chain,
                    )
                    .await?;
                self.finish_result(&here, r, &p.result_selector, &p.result_path, &raw, chain)
            }
            StateKind::Map(m) => {
                let eff = self.input_path(&here, &raw)?;
                let r = self
                    .with_retry(&here, Work::Map(m), &m.retry, &m.catch, &raw, &eff, chain)
                    .await?;
                self.finish_result(&here, r, &m.result_selector, &m.result_path, &raw, chain)
            }
        }
    }

    /// After a successful Task/Parallel/Map: ResultSelector, ResultPath, OutputPath, exit event.
    /// A caught failure arrives here already exited (`Attempted::Caught`).
    fn finish_result(
        &self,
        here: &Here<'_>,
        r: Attempted,
        result_selector: &Option<Value>,
        result_path: &PathOrNull,
        raw: &Value,
        chain: &mut u64,
    ) -> Result<Step, Failure> {
        let result = match r {
            Attempted::Caught(step) => return Ok(step),
            Attempted::Done(v) => v,
        };
        let result = match result_selector {
            Some(t) => {
                let ctx = self.context(here, 0, None, None);
                self.payload(here, t, &result, &ctx)?
            }
            None => result,
        };
        let out = self.result_path(here, result_path, raw, result)?;
        let out = self.output_path(here, out)?;
        let prefix = here.state.kind.event_prefix();
        self.emit(
            chain,
            &format!("{prefix}StateExited"),
            Some((
                "stateExitedEventDetails",
                state_exited(&here.state.name, &out),
            )),
        );
        Ok(Self::transition(here.state, out))
    }

    /// Runs attempts until one succeeds, the retriers give up, or a catcher takes the error.
    #[allow(clippy::too_many_arguments)]
    async fn with_retry(
        &self,
        here: &Here<'_>,
        work: Work<'_>,
        retriers: &[Retrier],
        catchers: &[Catcher],
        raw: &Value,
        eff: &Value,
        chain: &mut u64,
    ) -> Result<Attempted, Failure> {
        let mut counts = vec![0u64; retriers.len()];
        let mut retries = 0u64;
        loop {
            let attempt = match work {
                Work::Task(t) => self.task_attempt(here, t, eff, chain, retries).await,
                Work::Parallel(p) => self.parallel_attempt(here, p, eff, chain, retries).await,
                Work::Map(m) => self.map_attempt(here, m, eff, chain, retries).await,
            };
            let failure = match attempt {
                Ok(v) => return Ok(Attempted::Done(v)),
                Err(f) => f,
            };
            if let Some(delay) = self.retry_delay(retriers, &mut counts, &failure) {
                self.engine.clock.sleep(delay).await;
                retries += 1;
                continue;
            }
            // Map and Parallel record only the final failure (a retry restarts at `…Started`).
            if let Work::Map(_) | Work::Parallel(_) = work {
                let prefix = here.state.kind.event_prefix();
                self.emit(chain, &format!("{prefix}StateFailed"), None);
            }
            return match self.catch(here, catchers, raw, &failure, chain)? {
                Some(step) => Ok(Attempted::Caught(step)),
                None => Err(failure),
            };
        }
    }

    /// The delay before the next attempt, if a retrier takes this failure.
    fn retry_delay(
        &self,
        retriers: &[Retrier],
        counts: &mut [u64],
        f: &Failure,
    ) -> Option<Duration> {
        if f.is_runtime() {
            return None;
        }
        let (i, r) = retriers
            .iter()
            .enumerate()
            .find(|(_, r)| error_matches(&r.error_equals, f.error.as_deref()))?;
        if counts[i] >= r.max_attempts {
            return None;
        }
        let mut secs = r.interval_seconds as f64 * r.backoff_rate.powi(counts[i] as i32);
        if let Some(max) = r.max_delay_seconds {
            secs = secs.min(max as f64);
        }
        if r.jitter == Jitter::Full {
            let mut rng = lock(&self.rng);
            secs *= rng.gen::<f64>();
        }
        counts[i] += 1;
        Some(Duration::from_millis(
            (secs * 1000.0).round().max(0.0) as u64
        ))
    }

    /// Applies the first matching catcher: records the exit and returns where to go.
    fn catch(
        &self,
        here: &Here<'_>,
        catchers: &[Catcher],
        raw: &Value,
        f: &Failure,
        chain: &mut u64,
    ) -> Result<Option<Step>, Failure> {
        if f.is_runtime() {
            return Ok(None);
        }
        let Some(c) = catchers
            .iter()
            .find(|c| error_matches(&c.error_equals, f.error.as_deref()))
        else {
            return Ok(None);
        };
        let mut err = JsonMap::new();
        if let Some(e) = &f.error {
            err.insert("Error".into(), json!(e));
        }
        if let Some(c) = &f.cause {
            err.insert("Cause".into(), json!(c));
        }
        let out = self.result_path(here, &c.result_path, raw, Value::Object(err))?;
        let prefix = here.state.kind.event_prefix();
        self.emit(
            chain,
            &format!("{prefix}StateExited"),
            Some((
                "stateExitedEventDetails",
                state_exited(&here.state.name, &out),
            )),
        );
        Ok(Some(Step::Next(c.next.clone(), out)))
    }

    fn fail_state(&self, here: &Here<'_>, f: &Fail, raw: &Value) -> Result<Failure, Failure> {
        let ctx = self.context(here, 0, None, None);
        let resolve = |v: &Option<StringOrPath>, field: &str| -> Result<Option<String>, Failure> {
            match v {
                None => Ok(None),
                Some(StringOrPath::Literal(s)) => Ok(Some(s.clone())),
                Some(StringOrPath::Path(expr)) => {
                    let template = json!({ format!("{field}.$"): expr });
                    let out = self.payload(here, &template, raw, &ctx)?;
                    match &out[field] {
                        Value::String(s) => Ok(Some(s.clone())),
                        other => Err(self.runtime(
                            here,
                            format!(
                                "The {field}Path '{expr}' must resolve to a string, but was {}",
                                json_text(other)
                            ),
                        )),
                    }
                }
            }
        };
        Ok(Failure {
            error: resolve(&f.error, "Error")?,
            cause: resolve(&f.cause, "Cause")?,
        })
    }

    fn wait_deadline(
        &self,
        here: &Here<'_>,
        w: &WaitFor,
        input: &Value,
    ) -> Result<Millis, Failure> {
        let now = self.now();
        let parse_ts = |s: &str| -> Result<Millis, Failure> {
            s.parse::<jiff::Timestamp>()
                .map(|t| t.as_millisecond().max(0) as Millis)
                .map_err(|_| {
                    self.runtime(
                        here,
                        format!("The timestamp '{s}' is not a valid ISO-8601 timestamp"),
                    )
                })
        };
        match w {
            WaitFor::Seconds(s) => Ok(now + s * 1000),
            WaitFor::Timestamp(ts) => parse_ts(ts),
            WaitFor::SecondsPath(p) => {
                let secs = self.seconds(here, &Seconds::Path(p.clone()), input)?;
                Ok(now + secs * 1000)
            }
            WaitFor::TimestampPath(p) => {
                let v = p.read(&Env::new(input, &Value::Null)).map_err(|_| {
                    self.runtime(
                        here,
                        format!("Invalid path '{p}': the path references no value"),
                    )
                })?;
                match v.as_str() {
                    Some(s) => parse_ts(s),
                    None => Err(self.runtime(
                        here,
                        format!(
                            "The TimestampPath '{p}' must reference a string, but was {}",
                            json_text(&v)
                        ),
                    )),
                }
            }
        }
    }

    async fn task_attempt(
        &self,
        here: &Here<'_>,
        t: &Task,
        eff: &Value,
        chain: &mut u64,
        retries: u64,
    ) -> Result<Value, Failure> {
        let res = Resource::parse(&t.resource);
        let token = (res.pattern == Pattern::WaitForTaskToken).then(|| self.task_token());
        let ctx = self.context(here, retries, token.as_deref(), None);
        let params = match &t.parameters {
            Some(tpl) => self.payload(here, tpl, eff, &ctx)?,
            None => eff.clone(),
        };
        let timeout = t
            .timeout
            .as_ref()
            .map(|s| self.seconds(here, s, eff))
            .transpose()?;
        let heartbeat = t
            .heartbeat
            .as_ref()
            .map(|s| self.seconds(here, s, eff))
            .transpose()?;
        let ids = json!({ "resourceType": res.resource_type, "resource": res.resource });
        let mut scheduled = json!({
            "resourceType": res.resource_type,
            "resource": res.resource,
            "region": self.engine.config.region,
            "parameters": json_text(&params),
        });
        if let Some(s) = timeout {
            scheduled["timeoutInSeconds"] = json!(s);
        }
        if let Some(s) = heartbeat {
            scheduled["heartbeatInSeconds"] = json!(s);
        }
        self.emit(
            chain,
            "TaskScheduled",
            Some(("taskScheduledEventDetails", scheduled)),
        );
        self.emit(
            chain,
            "TaskStarted",
            Some(("taskStartedEventDetails", ids.clone())),
        );
        let with = |mut v: Value, extra: Value| {
            if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
                for (k, x) in e {
                    o.insert(k.clone(), x.clone());
                }
            }
            v
        };
        let failed = |this: &Run, chain: &mut u64, f: Failure| -> Failure {
            this.emit(
                chain,
                "TaskFailed",
                Some((
                    "taskFailedEventDetails",
                    with(
                        ids.clone(),
                        error_details(f.error.as_deref(), f.cause.as_deref()),
                    ),
                )),
            );
            f
        };
        let timed_out = |this: &Run, chain: &mut u64, error: &str| -> Failure {
            this.emit(
                chain,
                "TaskTimedOut",
                Some((
                    "taskTimedOutEventDetails",
                    with(ids.clone(), error_details(Some(error), None)),
                )),
            );
            Failure {
                error: Some(error.to_string()),
                cause: None,
            }
        };

        let Some(handler) = self.engine.handler(&res.base) else {
            return Err(failed(
                self,
                chain,
                Failure::new(
                    "States.Runtime",
                    format!(
                        "No handler is registered for the resource '{}' (state '{}'). Register one with Engine::register_resource (or use an integration the harness provides).",
                        res.arn, here.state.name
                    ),
                ),
            ));
        };
        let clock = self.engine.clock.clone();
        let started = self.now();
        let deadline = timeout.map(|s| started + s * 1000);
        let mut rx = token.as_deref().map(|tok| {
            self.engine
                .tokens
                .open(tok, &self.exec.arn, &here.state.name)
        });
        let request_input = params.clone();
        let request = TaskRequest {
            resource: res.clone(),
            input: params,
            token: token.clone(),
            execution_arn: self.exec.arn.clone(),
            state_machine_arn: self.exec.machine.arn.clone(),
            state_name: here.state.name.clone(),
            retry_count: retries,
            clock: clock.clone(),
            engine: crate::engine::task::EngineHandle(Arc::downgrade(&self.engine)),
        };
        let call = handler.call(request);
        let called = tokio::select! {
            r = call => Some(r),
            _ = sleep_until_opt(&clock, deadline) => None,
        };
        let close = |this: &Run| {
            if let Some(tok) = &token {
                this.engine.tokens.close(tok);
            }
        };
        let submitted = match called {
            None => {
                close(self);
                return Err(timed_out(self, chain, "States.Timeout"));
            }
            Some(Err(e)) => {
                close(self);
                return Err(failed(self, chain, e.into()));
            }
            Some(Ok(v)) => v,
        };
        let Some(rx) = rx.as_mut() else {
            self.emit(
                chain,
                "TaskSucceeded",
                Some((
                    "taskSucceededEventDetails",
                    with(ids.clone(), json!({ "output": json_text(&submitted), "outputDetails": not_truncated() })),
                )),
            );
            return Ok(submitted);
        };
        self.emit(
            chain,
            "TaskSubmitted",
            Some((
                "taskSubmittedEventDetails",
                with(
                    ids.clone(),
                    json!({ "output": json_text(&submitted), "outputDetails": not_truncated() }),
                ),
            )),
        );
        if let Some(tok) = &token {
            self.engine
                .notify_submitted(&crate::engine::TaskSubmission {
                    execution_arn: self.exec.arn.clone(),
                    state_machine_arn: self.exec.machine.arn.clone(),
                    state_name: here.state.name.clone(),
                    resource: res.arn.clone(),
                    token: tok.clone(),
                    input: request_input,
                    submitted: submitted.clone(),
                    retry_count: retries,
                });
        }
        let mut beat_deadline = heartbeat.map(|s| started + s * 1000);
        loop {
            let far = Millis::MAX;
            let timeout_at = deadline.unwrap_or(far);
            let beat_at = beat_deadline.unwrap_or(far);
            let next =
                (deadline.is_some() || beat_deadline.is_some()).then(|| timeout_at.min(beat_at));
            let answer = tokio::select! {
                a = rx.recv() => a,
                _ = sleep_until_opt(&clock, next) => {
                    close(self);
                    let error = if beat_at < timeout_at { "States.HeartbeatTimeout" } else { "States.Timeout" };
                    return Err(timed_out(self, chain, error));
                }
            };
            match answer {
                Some(TaskAnswer::Heartbeat) => {
                    beat_deadline = heartbeat.map(|s| self.now() + s * 1000);
                }
                Some(TaskAnswer::Success(v)) => {
                    self.emit(
                        chain,
                        "TaskSucceeded",
                        Some((
                            "taskSucceededEventDetails",
                            with(ids.clone(), json!({ "output": json_text(&v), "outputDetails": not_truncated() })),
                        )),
                    );
                    return Ok(v);
                }
                Some(TaskAnswer::Failure { error, cause }) => {
                    return Err(failed(self, chain, Failure { error, cause }));
                }
                None => {
                    // The registry dropped the sender: the token was closed from outside.
                    return Err(timed_out(self, chain, "States.Timeout"));
                }
            }
        }
    }

    async fn parallel_attempt(
        &self,
        here: &Here<'_>,
        p: &crate::asl::Parallel,
        eff: &Value,
        chain: &mut u64,
        retries: u64,
    ) -> Result<Value, Failure> {
        let input = match &p.parameters {
            Some(t) => {
                let ctx = self.context(here, retries, None, None);
                self.payload(here, t, eff, &ctx)?
            }
            None => eff.clone(),
        };
        let started = self.emit(chain, "ParallelStateStarted", None);
        let branches = p.branches.iter().map(|b| {
            let input = input.clone();
            async move {
                let mut c = started;
                match self.run_program(b, input, &mut c).await {
                    Ok(v) => Ok(v),
                    Err(f) => Err((f, c)),
                }
            }
        });
        match try_join_all(branches).await {
            Ok(results) => {
                let last = self.exec.last_event_id();
                self.emit_after(last, "ParallelStateSucceeded", None);
                *chain = last;
                Ok(Value::Array(results))
            }
            Err((f, c)) => {
                *chain = c;
                Err(f)
            }
        }
    }

    async fn map_attempt(
        &self,
        here: &Here<'_>,
        m: &crate::asl::Map,
        eff: &Value,
        chain: &mut u64,
        retries: u64,
    ) -> Result<Value, Failure> {
        let items = match &m.items_path {
            PathOrNull::Default | PathOrNull::Null => eff.clone(),
            PathOrNull::Path(p) => p.read(&Env::new(eff, &Value::Null)).map_err(|_| {
                self.runtime(
                    here,
                    format!(
                        "Invalid path '{p}' : No results for path: {}",
                        p.normalized()
                    ),
                )
            })?,
        };
        let Value::Array(items) = items else {
            return Err(self.runtime(
                here,
                format!(
                    "Item path '{}' must point to a JSON array, but it points to {}",
                    match &m.items_path {
                        PathOrNull::Path(p) => p.to_string(),
                        _ => "$".into(),
                    },
                    json_text(&items)
                ),
            ));
        };
        let max = match &m.max_concurrency {
            Some(s) => self.seconds(here, s, eff)? as usize,
            None => 0,
        };
        let started = self.emit(
            chain,
            "MapStateStarted",
            Some((
                "mapStateStartedEventDetails",
                json!({ "length": items.len() }),
            )),
        );
        let lanes = if max == 0 {
            items.len()
        } else {
            max.min(items.len())
        };
        let results: Vec<Mutex<Value>> = items.iter().map(|_| Mutex::new(Value::Null)).collect();
        let name = &here.state.name;
        let lane_futs = (0..lanes).map(|lane| {
            let items = &items;
            let results = &results;
            async move {
                let mut lane_chain = started;
                let mut index = lane;
                while index < items.len() {
                    let item = &items[index];
                    let input = match &m.item_selector {
                        Some(t) => {
                            let ctx = self.context(here, retries, None, Some((index, item)));
                            match self.payload(here, t, eff, &ctx) {
                                Ok(v) => v,
                                Err(f) => return Err((f, lane_chain)),
                            }
                        }
                        None => item.clone(),
                    };
                    let details = json!({ "index": index, "name": name });
                    let mut iter_chain = lane_chain;
                    self.emit(
                        &mut iter_chain,
                        "MapIterationStarted",
                        Some(("mapIterationStartedEventDetails", details.clone())),
                    );
                    match self.run_program(&m.processor, input, &mut iter_chain).await {
                        Ok(v) => {
                            self.emit_after(
                                iter_chain,
                                "MapIterationSucceeded",
                                Some(("mapIterationSucceededEventDetails", details)),
                            );
                            *lock(&results[index]) = v;
                        }
                        Err(f) => {
                            self.emit_after(
                                iter_chain,
                                "MapIterationFailed",
                                Some(("mapIterationFailedEventDetails", details)),
                            );
                            return Err((f, iter_chain));
                        }
                    }
                    lane_chain = iter_chain;
                    index += lanes;
                }
                Ok(())
            }
        });
        match try_join_all(lane_futs).await {
            Ok(_) => {
                let last = self.exec.last_event_id();
                self.emit_after(last, "MapStateSucceeded", None);
                *chain = last;
                Ok(Value::Array(
                    results.into_iter().map(crate::sync::into_inner).collect(),
                ))
            }
            Err((f, c)) => {
                *chain = c;
                Err(f)
            }
        }
    }
}

/// Sleeps until `deadline`, or forever without one (no timer is registered, so virtual time
/// never skips toward it).
async fn sleep_until_opt(clock: &crate::time::Clock, deadline: Option<Millis>) {
    match deadline {
        Some(d) => clock.sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// The work a retried state repeats.
#[derive(Clone, Copy)]
enum Work<'a> {
    Task(&'a Task),
    Parallel(&'a crate::asl::Parallel),
    Map(&'a crate::asl::Map),
}

/// The outcome of a state's attempts: a result to finish with, or a catcher's transition.
enum Attempted {
    Done(Value),
    Caught(Step),
}

/// Whether an `ErrorEquals` list matches an error name (AWS's rules for `States.ALL` and
/// `States.TaskFailed`; `States.Runtime` is never caught or retried).
pub(crate) fn error_matches(names: &[String], error: Option<&str>) -> bool {
    names.iter().any(|n| match n.as_str() {
        "States.ALL" => true,
        "States.TaskFailed" => !matches!(
            error,
            Some("States.Timeout") | Some("States.HeartbeatTimeout")
        ),
        other => error == Some(other),
    })
}
