//! `Retry` and `Catch`: attempts of a Task, Parallel or Map state until one succeeds, the
//! retriers give up, or a catcher takes the error.

use std::time::Duration;

use rand::Rng;
use serde_json::{json, Map as JsonMap, Value};

use super::dataflow;
use super::{Failure, Here, Run, Step};
use crate::asl::{Catcher, Jitter, Map, Parallel, PathOrNull, QueryLanguage, Retrier, Task};
use crate::engine::history::Event;
use crate::sync::lock;

/// The work a retried state repeats, with the fields every such state has.
#[derive(Clone, Copy)]
pub(super) enum Work<'a> {
    Task(&'a Task),
    Parallel(&'a Parallel),
    Map(&'a Map),
}

impl<'a> Work<'a> {
    fn retriers(self) -> &'a [Retrier] {
        match self {
            Work::Task(t) => &t.retry,
            Work::Parallel(p) => &p.retry,
            Work::Map(m) => &m.retry,
        }
    }

    fn catchers(self) -> &'a [Catcher] {
        match self {
            Work::Task(t) => &t.catch,
            Work::Parallel(p) => &p.catch,
            Work::Map(m) => &m.catch,
        }
    }

    /// `ResultSelector`.
    pub(super) fn result_selector(self) -> &'a Option<crate::asl::payload::Template> {
        match self {
            Work::Task(t) => &t.result_selector,
            Work::Parallel(p) => &p.result_selector,
            Work::Map(m) => &m.result_selector,
        }
    }

    /// `ResultPath`.
    pub(super) fn result_path(self) -> &'a PathOrNull {
        match self {
            Work::Task(t) => &t.result_path,
            Work::Parallel(p) => &p.result_path,
            Work::Map(m) => &m.result_path,
        }
    }

    /// What Map and Parallel record once their last attempt failed (a retry restarts at
    /// `…Started`); a Task records its `TaskFailed`/`TaskTimedOut` on every attempt instead.
    fn failed_event(self) -> Option<Event> {
        match self {
            Work::Task(_) => None,
            Work::Parallel(_) => Some(Event::parallel_state_failed()),
            Work::Map(_) => Some(Event::map_state_failed()),
        }
    }
}

/// One attempt of a retried state: where it runs, its effective input, and
/// `$$.State.RetryCount`.
#[derive(Clone, Copy)]
pub(super) struct Attempt<'a> {
    pub here: &'a Here<'a>,
    pub eff: &'a Value,
    pub retries: u64,
}

/// Where a resumed state's attempts stand: the retriers' counts, `$$.State.RetryCount`, and
/// the outcome of the attempt whose wait was detached ([`super::Detached`]).
pub(super) struct Resumed {
    pub counts: Vec<u64>,
    pub retries: u64,
    pub outcome: Result<Value, Failure>,
}

/// The outcome of a state's attempts: a result to finish with, or a catcher's transition.
pub(super) enum Attempted {
    Done(Value),
    Caught(Step),
}

/// Whether an `ErrorEquals` list matches a failure, by AWS's rules (the developer guide's
/// "Handling errors in Step Functions workflows"):
/// - `States.ALL` matches every error (`States.Runtime` is never caught or retried at all);
/// - `States.TaskFailed` matches every error except a timeout;
/// - `States.Timeout` matches a task timeout, a missed heartbeat included (AWS records both as
///   `States.Timeout`);
/// - `States.HeartbeatTimeout` matches a missed heartbeat (and a worker's own error of that
///   name);
/// - any other name matches the error of that name.
pub(super) fn error_matches(names: &[String], f: &Failure) -> bool {
    let error = f.error.as_deref();
    names.iter().any(|n| match n.as_str() {
        "States.ALL" => true,
        "States.TaskFailed" => !matches!(
            error,
            Some("States.Timeout") | Some("States.HeartbeatTimeout")
        ),
        "States.HeartbeatTimeout" => f.missed_heartbeat || error == Some(n.as_str()),
        other => error == Some(other),
    })
}

impl Run {
    /// Runs attempts until one succeeds, the retriers give up, or a catcher takes the error.
    pub(super) async fn with_retry(
        &self,
        here: &Here<'_>,
        work: Work<'_>,
        raw: &Value,
        eff: &Value,
        chain: &mut u64,
        resumed: Option<Resumed>,
    ) -> Result<Attempted, Failure> {
        let retriers = work.retriers();
        let (mut counts, mut retries, mut outcome) = match resumed {
            Some(r) => (r.counts, r.retries, Some(r.outcome)),
            None => (vec![0u64; retriers.len()], 0u64, None),
        };
        loop {
            let attempt = match outcome.take() {
                Some(o) => o,
                None => {
                    let at = Attempt { here, eff, retries };
                    // Boxed, so a waiting Task holds the future of a Task attempt only.
                    match work {
                        Work::Task(t) => Box::pin(self.task_attempt(&at, t, chain)).await,
                        Work::Parallel(p) => Box::pin(self.parallel_attempt(&at, p, chain)).await,
                        Work::Map(m) => Box::pin(self.map_attempt(&at, m, chain)).await,
                    }
                }
            };
            let mut failure = match attempt {
                Ok(v) => return Ok(Attempted::Done(v)),
                Err(f) => f,
            };
            let detached = self.detached_part(&failure, |d| {
                d.counts = std::mem::take(&mut counts);
                d.retries = retries;
            });
            if detached {
                return Err(failure);
            }
            self.evaluation_failed(here, &mut failure, chain);
            if let Some(delay) = self.retry_delay(retriers, &mut counts, &failure) {
                // Neither the failure nor the sleep takes room in the future for the attempts'
                // waits (a parked Task's future holds it for as long as it waits: issue 13).
                drop(failure);
                Box::pin(self.engine.clock.sleep(delay)).await;
                retries += 1;
                continue;
            }
            if let Some(failed) = work.failed_event().filter(|_| !failure.before_map_run) {
                self.emit(chain, failed);
            }
            return match self.catch(here, work, raw, &failure, chain)? {
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
            .find(|(_, r)| error_matches(&r.error_equals, f))?;
        if counts[i] >= r.max_attempts {
            return None;
        }
        let mut secs = r.interval_seconds as f64 * r.backoff_rate.powi(counts[i] as i32);
        if let Some(max) = r.max_delay_seconds {
            secs = secs.min(max as f64);
        }
        if r.jitter == Jitter::Full {
            let mut rng = lock(&self.rng);
            secs *= rng.r#gen::<f64>();
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
        work: Work<'_>,
        raw: &Value,
        f: &Failure,
        chain: &mut u64,
    ) -> Result<Option<Step>, Failure> {
        let catchers = work.catchers();
        if f.is_runtime() {
            return Ok(None);
        }
        let Some(c) = catchers.iter().find(|c| error_matches(&c.error_equals, f)) else {
            return Ok(None);
        };
        // A Parallel or Map state that catches a branch's failure without error or cause
        // writes both as null (`callback.test_callback.test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_PARALLEL_WAIT_FOR_TASK_TOKEN]`
        // in ../shared/conformance/v2: `{"Error": null, "Cause": null}`). For a Task no recording
        // shows it; the engine leaves the absent fields out there.
        let nulls = !matches!(work, Work::Task(_));
        let mut err = JsonMap::new();
        match &f.error {
            Some(e) => _ = err.insert("Error".into(), json!(e)),
            None if nulls => _ = err.insert("Error".into(), Value::Null),
            None => {}
        }
        match &f.cause {
            Some(c) => _ = err.insert("Cause".into(), json!(c)),
            // A caught task timeout reads `{"Error": "States.Timeout", "Cause": ""}` although
            // the TaskTimedOut event has no cause (recorded on AWS:
            // `error_handling.test_task_service_lambda.test_invoke_timeout`,
            // `callback.test_callback.test_start_execution_sync_delegate_timeout`).
            None if f.timed_out => _ = err.insert("Cause".into(), json!("")),
            None if nulls => _ = err.insert("Cause".into(), Value::Null),
            None => {}
        }
        let err = Value::Object(err);
        if here.state.query_language == QueryLanguage::Jsonata {
            let ctx = self.context(here, 0, None, None);
            let st = dataflow::states(raw, &ctx, None, Some(&err));
            let out = match &c.output {
                Some(t) => dataflow::jsonata(here, t, "Output", &st)?,
                None => err.clone(),
            };
            self.exit_state(here, chain, &out, c.assign.as_ref(), raw, || st)?;
            return Ok(Some(Step::Next(c.next.clone(), out)));
        }
        let out = dataflow::result_path(here, &c.result_path, raw, err.clone())?;
        self.exit_state(here, chain, &out, c.assign.as_ref(), &err, || Value::Null)?;
        Ok(Some(Step::Next(c.next.clone(), out)))
    }
}
