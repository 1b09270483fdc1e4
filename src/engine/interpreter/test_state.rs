//! TestState's single-state run: the data flow of one state through the interpreter's own
//! steps (`dataflow.rs`, `choice`, the retriers' and catchers' matching of `retry.rs`), with
//! the value after each step kept for `inspectionData`. Nothing is recorded in a history.
//!
//! What AWS reports at each step, and when, was read off its answers to LocalStack's
//! AWS-validated TestState tests (`../shared/conformance/v2/test_state.*`): a JSONPath Pass
//! with `Result` shows `result` and no `afterInputPath`/`afterParameters`; a Parallel shows
//! neither; a JSONata state shows `input` (and a Task `afterArguments`); a Map shows
//! `maxConcurrency` (0 when unset) and its tolerated failure threshold; a retrier that would
//! retry makes the status `RETRIABLE` with `errorDetails.retryIndex` and
//! `retryBackoffIntervalSeconds` (`IntervalSeconds × BackoffRate^retrierRetryCount`); an
//! exhausted one still names its `retryIndex`; a catcher gives `CAUGHT_ERROR` and `catchIndex`.
//! The context object of a state tested alone belongs to an EXPRESS execution of a fresh
//! machine, the state being named `StateName` (`$$.State.Name`).

use std::sync::{Arc, Mutex};

use serde_json::{json, Map as JsonMap, Value};

use super::dataflow;
use super::retry::error_matches;
use super::{Failure, Here, Variables};
use crate::asl::{
    choice, Catcher, Env, PathOrNull, QueryLanguage, Retrier, State, StateKind, StringOrPath,
    Transition,
};
use crate::engine::task::{EngineHandle, Pattern, Resource, TaskRequest};
use crate::engine::test_state::{
    InspectionLevel, Prepared, TestStateOutput, TestStatus, SINGLE_STATE_NAME,
};
use crate::engine::EngineInner;
use crate::ids::{Ids, Stream};
use crate::time::iso8601;

/// A checked mock: the state's result, or its error.
#[derive(Debug, Clone)]
pub(crate) enum Mock {
    Result(Value),
    Error {
        error: Option<String>,
        cause: Option<String>,
    },
}

/// A state that succeeded: its output and where it goes.
struct Done {
    output: Value,
    next: Option<String>,
}

struct Tester {
    engine: Arc<EngineInner>,
    p: Prepared,
    rng: Mutex<Stream>,
    ctx: Value,
    data: Mutex<JsonMap<String, Value>>,
    assigned: Mutex<Variables>,
}

fn next_of(state: &State) -> Option<String> {
    match &state.transition {
        Transition::Next(n) => Some(n.clone()),
        Transition::End => None,
    }
}

/// A number field of the state's JSON (`ToleratedFailureCount`…): a literal, a `…Path`, or a
/// JSONata expression.
fn number_field(
    here: &Here<'_>,
    raw_state: &Value,
    key: &str,
    input: &Value,
    states: &Value,
) -> Result<Option<Value>, Failure> {
    match raw_state.get(key) {
        Some(Value::String(text)) => {
            dataflow::jsonata_expression(here, text, key, states).map(Some)
        }
        Some(v) => Ok(Some(v.clone())),
        None => match raw_state.get(format!("{key}Path")) {
            Some(Value::String(p)) => match crate::asl::path::Path::parse(p) {
                Ok(path) => Ok(path
                    .read(&Env::new(input, &Value::Null).with_variables(here.vars))
                    .ok()),
                Err(_) => Ok(None),
            },
            _ => Ok(None),
        },
    }
}

impl Tester {
    fn put(&self, key: &str, v: &Value) {
        crate::sync::lock(&self.data).insert(key.into(), v.clone());
    }

    fn jsonata(&self) -> bool {
        self.p.state.query_language == QueryLanguage::Jsonata
    }

    fn states(&self, input: &Value, result: Option<&Value>, err: Option<&Value>) -> Value {
        dataflow::states(input, &self.ctx, result, err)
    }

    /// Evaluates an `Assign` and keeps what it set.
    fn assign(
        &self,
        here: &Here<'_>,
        assign: Option<&Value>,
        assign_input: &Value,
        states: impl FnOnce() -> Value,
    ) -> Result<(), Failure> {
        if let Some(a) = assign {
            let set = dataflow::assign(here, a, assign_input, &self.ctx, states)?;
            crate::sync::lock(&self.assigned).extend(set);
        }
        Ok(())
    }

    fn output(
        &self,
        here: &Here<'_>,
        template: Option<&Value>,
        default: &Value,
        states: &Value,
    ) -> Result<Value, Failure> {
        dataflow::output_template(here, template, default, states)
    }

    /// The input the state works on: JSONata's raw input, or JSONPath's after `InputPath`
    /// (kept as `afterInputPath`).
    fn effective_input(&self, here: &Here<'_>, raw: &Value) -> Result<Value, Failure> {
        if self.jsonata() {
            return Ok(raw.clone());
        }
        let eff = dataflow::input_path(here, raw, || self.ctx.clone())?;
        self.put("afterInputPath", &eff);
        Ok(eff)
    }

    /// The state's work, up to its output (or its failure, before retriers and catchers).
    async fn body(&self, here: &Here<'_>, raw: &Value) -> Result<Done, Failure> {
        let state = here.state;
        self.put("input", raw);
        let ctx = self.ctx.clone();
        let jsonata = self.jsonata();
        let ctx_fn = || ctx.clone();
        let simple_jsonata = |next: Option<String>| -> Result<Done, Failure> {
            let st = self.states(raw, None, None);
            let out = self.output(here, state.output.as_ref(), raw, &st)?;
            self.assign(here, state.assign.as_ref(), raw, || st.clone())?;
            Ok(Done { output: out, next })
        };
        match &state.kind {
            StateKind::Pass(_) | StateKind::Succeed | StateKind::Wait(_) if jsonata => {
                simple_jsonata(next_of(state))
            }
            StateKind::Pass(p) => {
                let eff = dataflow::input_path(here, raw, ctx_fn)?;
                let result = match &p.result {
                    Some(r) => {
                        self.put("result", r);
                        r.clone()
                    }
                    None => {
                        self.put("afterInputPath", &eff);
                        let params = match &p.parameters {
                            Some(t) => dataflow::payload(here, t, "Parameters", &eff, &ctx)?,
                            None => eff,
                        };
                        self.put("afterParameters", &params);
                        params
                    }
                };
                self.put("afterResultSelector", &result);
                let out = dataflow::result_path(here, &p.result_path, raw, result.clone())?;
                self.put("afterResultPath", &out);
                let out = dataflow::output_path(here, out, ctx_fn)?;
                self.assign(here, state.assign.as_ref(), &result, || Value::Null)?;
                Ok(Done {
                    output: out,
                    next: next_of(state),
                })
            }
            StateKind::Succeed | StateKind::Wait(_) => {
                let eff = dataflow::input_path(here, raw, ctx_fn)?;
                self.put("afterInputPath", &eff);
                let out = dataflow::output_path(here, eff.clone(), ctx_fn)?;
                self.assign(here, state.assign.as_ref(), &eff, || Value::Null)?;
                Ok(Done {
                    output: out,
                    next: next_of(state),
                })
            }
            StateKind::Fail(f) => {
                let doc = self.effective_input(here, raw)?;
                let st = self.states(raw, None, None);
                let resolve =
                    |v: &Option<StringOrPath>, field: &str| -> Result<Option<String>, Failure> {
                        match v {
                            None => Ok(None),
                            Some(StringOrPath::Literal(s)) => Ok(Some(s.clone())),
                            Some(StringOrPath::Expression(text)) => {
                                match dataflow::jsonata_expression(here, text, field, &st)? {
                                    Value::String(s) => Ok(Some(s)),
                                    other => Ok(Some(other.to_string())),
                                }
                            }
                            Some(StringOrPath::Path(p)) => {
                                let path = crate::asl::path::Path::parse(p)
                                    .map_err(|e| dataflow::runtime(here, e))?;
                                let v = path
                                    .read(&Env::new(&doc, &ctx).with_variables(here.vars))
                                    .map_err(|_| {
                                        dataflow::runtime(
                                            here,
                                            format!("Invalid path '{p}': no value for {field}Path"),
                                        )
                                    })?;
                                Ok(Some(match v {
                                    Value::String(s) => s,
                                    other => other.to_string(),
                                }))
                            }
                        }
                    };
                let error = resolve(&f.error, "Error")?;
                let cause = resolve(&f.cause, "Cause")?;
                Err(Failure::named(error, cause))
            }
            StateKind::Choice(c) if jsonata => {
                let st = self.states(raw, None, None);
                let (next, output, assign) = dataflow::jsonata_choice(here, state, c, &st)?;
                let out = self.output(here, output, raw, &st)?;
                self.assign(here, assign, raw, || st.clone())?;
                Ok(Done {
                    output: out,
                    next: Some(next),
                })
            }
            StateKind::Choice(c) => {
                let eff = dataflow::input_path(here, raw, ctx_fn)?;
                self.put("afterInputPath", &eff);
                let env = Env::new(&eff, &ctx).with_variables(here.vars);
                let branch = choice::select_branch(c, &env).map_err(|e| dataflow::lift(here, e))?;
                let (next, assign) = match branch {
                    Some(b) => (b.next.clone(), b.assign.as_ref().or(state.assign.as_ref())),
                    None => match &c.default {
                        Some(d) => (d.clone(), state.assign.as_ref()),
                        None => return Err(Failure::new("States.NoChoiceMatched", "No Matches!")),
                    },
                };
                let out = dataflow::output_path(here, eff.clone(), ctx_fn)?;
                self.assign(here, assign, &eff, || Value::Null)?;
                Ok(Done {
                    output: out,
                    next: Some(next),
                })
            }
            StateKind::Task(t) => {
                let eff = self.effective_input(here, raw)?;
                let params = match &t.parameters {
                    Some(tpl) => dataflow::payload(here, tpl, "Arguments", &eff, &ctx)?,
                    None => eff.clone(),
                };
                self.put(
                    if jsonata {
                        "afterArguments"
                    } else {
                        "afterParameters"
                    },
                    &params,
                );
                let result = self.task_result(here, &t.resource, params).await?;
                if !jsonata {
                    self.put("result", &result);
                }
                self.finish(here, raw, result, &t.result_selector, &t.result_path)
            }
            StateKind::Parallel(p) => {
                let eff = if jsonata {
                    raw.clone()
                } else {
                    dataflow::input_path(here, raw, ctx_fn)?
                };
                if let Some(tpl) = &p.parameters {
                    let v = dataflow::payload(here, tpl, "Arguments", &eff, &ctx)?;
                    if !jsonata {
                        self.put("afterParameters", &v);
                    }
                }
                let result = self.mocked_result()?;
                self.finish(here, raw, result, &p.result_selector, &p.result_path)
            }
            StateKind::Map(m) => {
                let eff = self.effective_input(here, raw)?;
                let st = self.states(raw, None, None);
                let items = self.map_items(here, m, &eff, &st)?;
                if !jsonata && self.p.raw.get("ItemReader").is_none() {
                    self.put("afterItemsPath", &items);
                }
                let mc = match self.p.raw.get("MaxConcurrency") {
                    Some(Value::String(text)) => {
                        dataflow::jsonata_expression(here, text, "MaxConcurrency", &st)?
                    }
                    Some(v) => v.clone(),
                    None => json!(0),
                };
                self.put("maxConcurrency", &mc);
                let count = number_field(here, &self.p.raw, "ToleratedFailureCount", &eff, &st)?;
                if let Some(c) = &count {
                    self.put("toleratedFailureCount", c);
                }
                let pct = number_field(here, &self.p.raw, "ToleratedFailurePercentage", &eff, &st)?;
                if let Some(p) = &pct {
                    self.put("toleratedFailurePercentage", p);
                }
                if let Some(Mock::Error { error, cause }) = &self.p.mock {
                    return Err(Failure::named(error.clone(), cause.clone()));
                }
                if let Some(failed) = self.p.config.map_iteration_failure_count {
                    let n = items.as_array().map_or(0, Vec::len) as f64;
                    let over_count = count
                        .as_ref()
                        .and_then(Value::as_f64)
                        .is_some_and(|c| failed as f64 > c);
                    let over_pct = pct
                        .as_ref()
                        .and_then(Value::as_f64)
                        .is_some_and(|p| n > 0.0 && failed as f64 * 100.0 / n > p);
                    // Without a threshold AWS reports no threshold failure
                    // (`test_map_state_failure_count[*-BASE_MAP_STATE].exceeds_tolerated_failure`:
                    // SUCCEEDED with 2 failed iterations).
                    let _ = failed;
                    if over_count || over_pct {
                        return Err(Failure::new(
                            "States.ExceedToleratedFailureThreshold",
                            "The specified tolerated failure threshold was exceeded",
                        ));
                    }
                }
                let result = self.mocked_result()?;
                self.finish(here, raw, result, &m.result_selector, &m.result_path)
            }
        }
    }

    /// The items a Map iterates: `mapItemReaderData` for an `ItemReader`, else `Items` /
    /// `ItemsPath`, which must give an array.
    fn map_items(
        &self,
        here: &Here<'_>,
        m: &crate::asl::Map,
        eff: &Value,
        st: &Value,
    ) -> Result<Value, Failure> {
        if self.p.raw.get("ItemReader").is_some() {
            let data = self
                .p
                .config
                .map_item_reader_data
                .as_deref()
                .unwrap_or("[]");
            return Ok(serde_json::from_str(data).unwrap_or(Value::Array(Vec::new())));
        }
        let (items, shown) = match (&m.items, &m.items_path) {
            (Some(expr), _) => (
                dataflow::jsonata(here, expr, "Items", st)?,
                "Items".to_string(),
            ),
            (None, PathOrNull::Path(p)) => {
                let text = p.to_string();
                let v = p
                    .read(&Env::new(eff, &self.ctx).with_variables(here.vars))
                    .map_err(|_| {
                        dataflow::runtime(here, format!("Invalid path '{text}' : No results"))
                    })?;
                (
                    v,
                    text.strip_prefix('$')
                        .filter(|t| t.starts_with('$'))
                        .map_or(text.clone(), str::to_string),
                )
            }
            _ => (eff.clone(), "$".to_string()),
        };
        if !items.is_array() {
            return Err(Failure::new(
                "States.Runtime",
                format!("Reference path \"{shown}\" must point to array."),
            ));
        }
        Ok(items)
    }

    fn mocked_result(&self) -> Result<Value, Failure> {
        match &self.p.mock {
            Some(Mock::Result(v)) => Ok(v.clone()),
            Some(Mock::Error { error, cause }) => {
                let mut f = Failure::named(error.clone(), cause.clone());
                f.from_task = true;
                Err(f)
            }
            None => Err(Failure::new(
                "States.Runtime",
                "sfn-harness's TestState runs Map and Parallel states only with a mock",
            )),
        }
    }

    /// A Task's result: the mock's, or its resource handler's.
    async fn task_result(
        &self,
        here: &Here<'_>,
        resource: &str,
        params: Value,
    ) -> Result<Value, Failure> {
        if self.p.mock.is_some() {
            return self.mocked_result();
        }
        let res = Resource::parse(resource);
        if res.pattern != Pattern::RequestResponse || resource.contains(":activity:") {
            return Err(dataflow::runtime(
                here,
                "sfn-harness's TestState runs `.sync`, `.waitForTaskToken` and activity tasks only with a mock (give `mock.result` or `mock.errorOutput`)",
            ));
        }
        let Some(handler) = self.engine.handler(&res) else {
            return Err(Failure::new(
                "States.Runtime",
                crate::engine::task::no_response_message(&res.arn, &here.state.name),
            ));
        };
        let request = TaskRequest {
            resource: res,
            input: params,
            token: None,
            execution_arn: self.ctx["Execution"]["Id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            state_machine_arn: self.ctx["StateMachine"]["Id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            state_name: here.state.name.clone(),
            retry_count: self.p.config.retrier_retry_count.unwrap_or(0),
            clock: self.engine.clock.clone(),
            engine: EngineHandle(Arc::downgrade(&self.engine)),
        };
        handler.call(request).await.map_err(|e| {
            let mut f = Failure::from(e);
            f.from_task = true;
            f
        })
    }

    /// After a Task/Parallel/Map result: `ResultSelector`, `ResultPath`, `OutputPath` (or
    /// JSONata's `Output`), `Assign`.
    fn finish(
        &self,
        here: &Here<'_>,
        raw: &Value,
        result: Value,
        selector: &Option<crate::asl::payload::Template>,
        result_path: &PathOrNull,
    ) -> Result<Done, Failure> {
        let state = here.state;
        if self.jsonata() {
            let st = self.states(raw, Some(&result), None);
            let out = self.output(here, state.output.as_ref(), &result, &st)?;
            self.assign(here, state.assign.as_ref(), raw, || st)?;
            return Ok(Done {
                output: out,
                next: next_of(state),
            });
        }
        let result = match selector {
            Some(t) => dataflow::payload(here, t, "ResultSelector", &result, &self.ctx)?,
            None => result,
        };
        self.put("afterResultSelector", &result);
        let out = dataflow::result_path(here, result_path, raw, result.clone())?;
        self.put("afterResultPath", &out);
        let ctx = self.ctx.clone();
        let out = dataflow::output_path(here, out, || ctx)?;
        self.assign(here, state.assign.as_ref(), &result, || Value::Null)?;
        Ok(Done {
            output: out,
            next: next_of(state),
        })
    }

    /// A failure of the state: `RETRIABLE` if a retrier has attempts left, `CAUGHT_ERROR` if a
    /// catcher takes it, else `FAILED`.
    fn failed(&self, here: &Here<'_>, raw: &Value, f: Failure) -> TestStateOutput {
        let (retriers, catchers): (&[Retrier], &[Catcher]) = match &here.state.kind {
            StateKind::Task(t) => (&t.retry, &t.catch),
            StateKind::Parallel(p) => (&p.retry, &p.catch),
            StateKind::Map(m) => (&m.retry, &m.catch),
            _ => (&[], &[]),
        };
        let fail = |status, output, next, f: &Failure| TestStateOutput {
            status,
            output,
            error: f.error.clone(),
            cause: f.cause.clone(),
            next_state: next,
            inspection_data: Value::Null,
        };
        if f.is_runtime() {
            return fail(TestStatus::Failed, None, None, &f);
        }
        let mut details = JsonMap::new();
        if let Some((i, r)) = retriers
            .iter()
            .enumerate()
            .find(|(_, r)| error_matches(&r.error_equals, &f))
        {
            details.insert("retryIndex".into(), json!(i));
            let done = self.p.config.retrier_retry_count.unwrap_or(0);
            if done < r.max_attempts {
                let mut secs = r.interval_seconds as f64 * r.backoff_rate.powi(done as i32);
                if let Some(max) = r.max_delay_seconds {
                    secs = secs.min(max as f64);
                }
                details.insert(
                    "retryBackoffIntervalSeconds".into(),
                    json!(secs.round() as u64),
                );
                self.put("errorDetails", &Value::Object(details));
                return fail(TestStatus::Retriable, None, None, &f);
            }
        }
        let caught = catchers
            .iter()
            .enumerate()
            .find(|(_, c)| error_matches(&c.error_equals, &f));
        let Some((j, c)) = caught else {
            if !details.is_empty() {
                self.put("errorDetails", &Value::Object(details));
            }
            return fail(TestStatus::Failed, None, None, &f);
        };
        details.insert("catchIndex".into(), json!(j));
        self.put("errorDetails", &Value::Object(details));
        let mut err = JsonMap::new();
        if let Some(e) = &f.error {
            err.insert("Error".into(), json!(e));
        }
        if let Some(c) = &f.cause {
            err.insert("Cause".into(), json!(c));
        }
        let err = Value::Object(err);
        let out = if self.jsonata() {
            let st = self.states(raw, None, Some(&err));
            self.output(here, c.output.as_ref(), &err, &st)
                .and_then(|out| {
                    self.assign(here, c.assign.as_ref(), raw, || st.clone())?;
                    Ok(out)
                })
        } else {
            dataflow::result_path(here, &c.result_path, raw, err.clone()).and_then(|out| {
                self.assign(here, c.assign.as_ref(), &err, || Value::Null)?;
                Ok(out)
            })
        };
        match out {
            Ok(out) => fail(TestStatus::CaughtError, Some(out), Some(c.next.clone()), &f),
            Err(f2) => fail(TestStatus::Failed, None, None, &f2),
        }
    }
}

/// The context object of a state tested alone: an EXPRESS execution of a fresh machine.
fn default_context(engine: &EngineInner, p: &Prepared, now: u64) -> Value {
    let (machine, exec) = { engine.ids().with(|ids| (ids.uuid(), ids.uuid())) };
    let c = &engine.config;
    let mut ctx = json!({
        "Execution": {
            "Id": format!("arn:aws:states:{}:{}:express:{machine}:{exec}", c.region, c.account_id),
            "Input": p.input,
            "Name": exec,
            "RoleArn": p.role_arn,
            "StartTime": iso8601(now),
        },
        "StateMachine": {
            "Id": format!("arn:aws:states:{}:{}:stateMachine:{machine}", c.region, c.account_id),
            "Name": machine,
        },
        "State": { "Name": SINGLE_STATE_NAME, "EnteredTime": iso8601(now) },
    });
    if let StateKind::Task(_) | StateKind::Parallel(_) | StateKind::Map(_) = &p.state.kind {
        ctx["State"]["RetryCount"] = json!(p.config.retrier_retry_count.unwrap_or(0));
    }
    if let StateKind::Task(t) = &p.state.kind {
        if Resource::parse(&t.resource).pattern != Pattern::RequestResponse {
            ctx["Task"] = json!({ "Token": engine.ids().with(Ids::task_token) });
        }
    }
    ctx
}

/// Runs the prepared state and shapes the answer.
pub(crate) async fn run(engine: Arc<EngineInner>, p: Prepared) -> TestStateOutput {
    let now = engine.clock.now_ms();
    let ctx = match &p.context {
        Some(c) => c.clone(),
        None => default_context(&engine, &p, now),
    };
    let seed = engine.ids().with(Ids::next_u64);
    let vars = p.variables.clone();
    let t = Tester {
        engine: engine.clone(),
        rng: Mutex::new(Stream::seed_from_u64(seed)),
        ctx,
        data: Mutex::new(JsonMap::new()),
        assigned: Mutex::new(Variables::new()),
        p,
    };
    let here = Here {
        state: &t.p.state,
        entered_id: 0,
        entered_prev: 0,
        entered_ms: now,
        vars: &vars,
        rng: &t.rng,
        clock: &engine.clock,
        expressions: &engine.expressions,
        assigned: Mutex::new(None),
        exited_text: Mutex::new(None),
        detach: false,
    };
    let raw = t.p.input.clone();
    let mut out = match t.body(&here, &raw).await {
        Ok(done) => TestStateOutput {
            status: TestStatus::Succeeded,
            output: Some(done.output),
            error: None,
            cause: None,
            next_state: done.next,
            inspection_data: Value::Null,
        },
        Err(f) => t.failed(&here, &raw, f),
    };
    let mut data = std::mem::take(&mut *crate::sync::lock(&t.data));
    let mut all_vars = vars.clone();
    all_vars.extend(std::mem::take(&mut *crate::sync::lock(&t.assigned)));
    if !all_vars.is_empty() {
        data.insert("variables".into(), Value::Object(all_vars));
    }
    out.inspection_data = match t.p.level {
        InspectionLevel::Info => json!({}),
        InspectionLevel::Debug | InspectionLevel::Trace => Value::Object(data),
    };
    out
}
