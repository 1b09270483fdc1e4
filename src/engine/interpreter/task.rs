//! Task states: one attempt, one function per integration pattern.
//!
//! Every attempt evaluates `Parameters`, `TimeoutSeconds` and `HeartbeatSeconds`, records
//! `TaskScheduled` and `TaskStarted`, and finds the resource's handler ([`Run::task_attempt`]).
//! Then the resource's pattern decides:
//! - request/response ([`Run::request_response`]): the handler's result is the task's result;
//! - `.waitForTaskToken` ([`Run::wait_for_task_token`]): the handler's result is
//!   `TaskSubmitted`, and the token's answer (or a timeout) ends the task;
//! - `.sync` ([`Run::sync`]): the handler starts the job (`TaskSubmitted`) and its
//!   [`wait_for_completion`](crate::engine::task::TaskHandler::wait_for_completion) ends the task
//!   (nested executions wait for the child here); a handler with no such wait answers as
//!   request/response.

use std::sync::Arc;

use serde_json::Value;

use super::dataflow;
use super::retry::Attempt;
use super::{Failure, Here, Run};
use crate::asl::Task;
use crate::engine::history::Event;
use crate::engine::task::{EngineHandle, EventFamily, Pattern, Resource, TaskHandler, TaskRequest};
use crate::engine::tokens::TokenOutcome;
use crate::engine::TaskSubmission;
use crate::time::{Clock, Millis};

/// A task attempt once it has been scheduled and started: what the pattern functions share.
struct Scheduled<'a> {
    here: &'a Here<'a>,
    res: Resource,
    handler: Arc<dyn TaskHandler>,
    /// Which history events the task records.
    family: EventFamily,
    /// The token, for `.waitForTaskToken`.
    token: Option<String>,
    /// The effective parameters the handler is called with.
    params: Value,
    retries: u64,
    /// When the task started (its timeouts count from here).
    started: Millis,
    /// `TimeoutSeconds` as a deadline.
    deadline: Option<Millis>,
    heartbeat: Option<u64>,
}

/// Sleeps until `deadline`, or forever without one (no timer is registered, so virtual time
/// never skips toward it).
async fn sleep_until_opt(clock: &Clock, deadline: Option<Millis>) {
    match deadline {
        Some(d) => clock.sleep_until(d).await,
        None => std::future::pending().await,
    }
}

impl Run {
    /// One attempt of a Task state.
    pub(super) async fn task_attempt(
        &self,
        at: &Attempt<'_>,
        t: &Task,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
        let Attempt { here, eff, retries } = *at;
        let res = Resource::parse(&t.resource);
        let handler = self.engine.handler(&res);
        let family = handler.as_ref().map_or(EventFamily::Task, |h| h.family());
        let activity = family == EventFamily::Activity;
        // AWS gives `.sync` tasks a token too (`$$.Task.Token`): a child execution may answer
        // its parent's `.sync` task with it (LocalStack's AWS-validated
        // `test_sync_with_task_token`).
        let token =
            (activity || res.pattern != Pattern::RequestResponse).then(|| self.task_token());
        let ctx = self.context(here, retries, token.as_deref(), None);
        let params = match &t.parameters {
            Some(tpl) => dataflow::payload(here, tpl, eff, &ctx, &self.rng)?,
            None => eff.clone(),
        };
        let timeout = t
            .timeout
            .as_ref()
            .map(|s| dataflow::seconds(here, s, eff))
            .transpose()?;
        let heartbeat = t
            .heartbeat
            .as_ref()
            .map(|s| dataflow::seconds(here, s, eff))
            .transpose()?;
        if activity {
            // AWS fails the execution before scheduling anything: `TaskStateEntered` then
            // `ExecutionFailed` with "… The activity <arn> does not exist." (LocalStack's
            // AWS-validated `test_activity_task_on_deleted`, `../shared/conformance/v2`).
            if self.engine.activities.get(&res.arn).is_none() {
                return Err(dataflow::runtime(
                    here,
                    format!("The activity {} does not exist.", res.arn),
                ));
            }
            self.emit(
                chain,
                Event::activity_scheduled(&res.arn, &params, timeout, heartbeat),
            );
        } else {
            self.emit(
                chain,
                Event::task_scheduled(
                    &res,
                    &self.engine.config.region,
                    &params,
                    timeout,
                    heartbeat,
                ),
            );
            self.emit(chain, Event::task_started(&res));
        }
        let Some(handler) = handler else {
            let f = Failure::new(
                "States.Runtime",
                format!(
                    "No handler is registered for the resource '{}' (state '{}'). Register one with Engine::register_resource (or use an integration the harness provides).",
                    res.arn, here.state.name
                ),
            );
            return Err(self.task_failed(chain, family, &res, f));
        };
        let started = self.now();
        let task = Scheduled {
            here,
            handler,
            family,
            token,
            params,
            retries,
            started,
            deadline: timeout.map(|s| started + s * 1000),
            heartbeat,
            res,
        };
        if activity {
            return self.wait_for_task_token(task, chain).await;
        }
        match task.res.pattern {
            Pattern::RequestResponse => self.request_response(task, chain).await,
            Pattern::Sync => self.sync(task, chain).await,
            Pattern::WaitForTaskToken => self.wait_for_task_token(task, chain).await,
        }
    }

    /// Request/response: the handler's result is the task's result.
    async fn request_response(
        &self,
        task: Scheduled<'_>,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
        let output = self.call_handler(&task, chain).await?;
        self.emit(chain, succeeded(task.family, &task.res, &output));
        Ok(output)
    }

    /// `.sync`: the handler starts the job; if it then has a wait to offer
    /// ([`TaskHandler::wait_for_completion`]), its answer is recorded as `TaskSubmitted` and the
    /// task ends with the job (or with an answer on the task's token, or `TimeoutSeconds`);
    /// otherwise the handler's answer is the task's result.
    async fn sync(&self, task: Scheduled<'_>, chain: &mut u64) -> Result<Value, Failure> {
        let here = task.here;
        let mut rx = task.token.as_deref().map(|tok| {
            self.engine
                .tokens
                .open(tok, &self.exec.arn, &here.state.name)
        });
        let close = || {
            if let Some(tok) = &task.token {
                self.engine.tokens.close(tok);
            }
        };
        let submitted = self.call_handler(&task, chain).await?;
        let Some(wait) = task
            .handler
            .wait_for_completion(self.request(&task), &submitted)
        else {
            close();
            self.emit(chain, succeeded(task.family, &task.res, &submitted));
            return Ok(submitted);
        };
        self.emit(chain, Event::task_submitted(&task.res, &submitted));
        let answer = async {
            match rx.as_mut() {
                Some(rx) => loop {
                    match rx.recv().await {
                        Some(TokenOutcome::Success(v)) => break Ok(v),
                        Some(TokenOutcome::Failure { error, cause }) => {
                            break Err(Failure::named(error, cause))
                        }
                        Some(_) => continue,
                        None => std::future::pending().await,
                    }
                },
                None => std::future::pending().await,
            }
        };
        let outcome = tokio::select! {
            r = wait => r.map_err(Failure::from),
            r = answer => r,
            _ = sleep_until_opt(&self.engine.clock, task.deadline) => {
                close();
                return Err(self.task_timed_out(chain, task.family, &task.res));
            }
        };
        close();
        match outcome {
            Ok(v) => {
                self.emit(chain, succeeded(task.family, &task.res, &v));
                Ok(v)
            }
            Err(f) => Err(self.task_failed(chain, task.family, &task.res, f)),
        }
    }

    /// `.waitForTaskToken`: the handler submits the work (`TaskSubmitted`), then the token's
    /// answer (`SendTaskSuccess`/`SendTaskFailure`), a missed heartbeat or `TimeoutSeconds` ends
    /// the task.
    async fn wait_for_task_token(
        &self,
        task: Scheduled<'_>,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
        let here = task.here;
        let Some(tok) = task.token.as_deref() else {
            // `task_attempt` issues a token for every `.waitForTaskToken` resource.
            return self.request_response(task, chain).await;
        };
        // Opened before the handler runs, so an answer sent from inside it is not lost.
        let mut rx = self
            .engine
            .tokens
            .open(tok, &self.exec.arn, &here.state.name);
        let submitted = self.call_handler(&task, chain).await?;
        if task.family == EventFamily::Task {
            // An activity's handler only queues the task: AWS records no submission for it.
            self.emit(chain, Event::task_submitted(&task.res, &submitted));
        }
        self.engine.notify_submitted(&TaskSubmission {
            execution_arn: self.exec.arn.clone(),
            state_machine_arn: self.exec.machine.arn.clone(),
            state_name: here.state.name.clone(),
            resource: task.res.arn.clone(),
            token: tok.to_string(),
            input: task.params.clone(),
            submitted: submitted.clone(),
            retry_count: task.retries,
        });
        let clock = &self.engine.clock;
        let deadline = task.deadline;
        let heartbeat = task.heartbeat;
        let mut beat_deadline = heartbeat.map(|s| task.started + s * 1000);
        loop {
            let far = Millis::MAX;
            let timeout_at = deadline.unwrap_or(far);
            let beat_at = beat_deadline.unwrap_or(far);
            let next =
                (deadline.is_some() || beat_deadline.is_some()).then(|| timeout_at.min(beat_at));
            let answer = tokio::select! {
                a = rx.recv() => a,
                _ = sleep_until_opt(clock, next) => {
                    self.engine.tokens.close(tok);
                    let mut f = self.task_timed_out(chain, task.family, &task.res);
                    f.missed_heartbeat = beat_at < timeout_at;
                    return Err(f);
                }
            };
            match answer {
                Some(TokenOutcome::Heartbeat) => {
                    beat_deadline = heartbeat.map(|s| self.now() + s * 1000);
                }
                Some(TokenOutcome::Started { worker_name }) => {
                    if task.family == EventFamily::Activity {
                        self.emit(chain, Event::activity_started(worker_name.as_deref()));
                    }
                }
                Some(TokenOutcome::Success(v)) => {
                    self.emit(chain, succeeded(task.family, &task.res, &v));
                    return Ok(v);
                }
                Some(TokenOutcome::Failure { error, cause }) => {
                    let f = Failure::named(error, cause);
                    return Err(self.task_failed(chain, task.family, &task.res, f));
                }
                None => {
                    // The registry dropped the sender: the token was closed from outside.
                    return Err(self.task_timed_out(chain, task.family, &task.res));
                }
            }
        }
    }

    /// Calls the handler, bounded by `TimeoutSeconds`. A timeout or an error closes the token
    /// (if any) and records `TaskTimedOut` or `TaskFailed`.
    async fn call_handler(&self, task: &Scheduled<'_>, chain: &mut u64) -> Result<Value, Failure> {
        let clock = self.engine.clock.clone();
        let call = task.handler.call(self.request(task));
        let called = tokio::select! {
            r = call => Some(r),
            _ = sleep_until_opt(&clock, task.deadline) => None,
        };
        let close = || {
            if let Some(tok) = &task.token {
                self.engine.tokens.close(tok);
            }
        };
        match called {
            None => {
                close();
                Err(self.task_timed_out(chain, task.family, &task.res))
            }
            Some(Err(e)) if task.family == EventFamily::Activity => {
                // The activity's handler failed to queue the task.
                close();
                let f: Failure = e.into();
                let event = Event::activity_schedule_failed(f.error.as_deref(), f.cause.as_deref());
                self.emit(chain, event);
                Err(f)
            }
            Some(Err(e)) => {
                close();
                Err(self.task_failed(chain, task.family, &task.res, e.into()))
            }
            Some(Ok(v)) => Ok(v),
        }
    }

    /// What the handler is asked to do for `task`.
    fn request(&self, task: &Scheduled<'_>) -> TaskRequest {
        TaskRequest {
            resource: task.res.clone(),
            input: task.params.clone(),
            token: task.token.clone(),
            execution_arn: self.exec.arn.clone(),
            state_machine_arn: self.exec.machine.arn.clone(),
            state_name: task.here.state.name.clone(),
            retry_count: task.retries,
            clock: self.engine.clock.clone(),
            engine: EngineHandle(Arc::downgrade(&self.engine)),
        }
    }

    /// Records `TaskFailed` for `f` and returns it.
    fn task_failed(
        &self,
        chain: &mut u64,
        family: EventFamily,
        res: &Resource,
        f: Failure,
    ) -> Failure {
        let (error, cause) = (f.error.as_deref(), f.cause.as_deref());
        self.emit(
            chain,
            match family {
                EventFamily::Task => Event::task_failed(res, error, cause),
                EventFamily::Activity => Event::activity_failed(error, cause),
            },
        );
        f
    }

    /// Records `TaskTimedOut` and returns the failure. AWS names every task timeout
    /// `States.Timeout`, a missed heartbeat too: "States.Timeout: A Task state either ran longer
    /// than the TimeoutSeconds value, or failed to send a heartbeat for a period longer than the
    /// HeartbeatSeconds value" (Step Functions developer guide, "Handling errors in Step
    /// Functions workflows", concepts-error-handling.html), and a heartbeat timeout recorded on
    /// AWS reads `TaskTimedOut {"error": "States.Timeout"}` then `ExecutionFailed {"error":
    /// "States.Timeout"}` (LocalStack's AWS-validated `timeouts/test_heartbeats.py::
    /// test_heartbeat_timeout`, `../shared/conformance/v2`).
    /// An activity's timeout reads `ActivityTimedOut {"error": "States.Timeout"}` (LocalStack's
    /// AWS-validated `test_activity_task_start_timeout`).
    fn task_timed_out(&self, chain: &mut u64, family: EventFamily, res: &Resource) -> Failure {
        let error = "States.Timeout";
        self.emit(
            chain,
            match family {
                EventFamily::Task => Event::task_timed_out(res, Some(error), None),
                EventFamily::Activity => Event::activity_timed_out(Some(error), None),
            },
        );
        Failure::named(Some(error.to_string()), None)
    }
}

/// The success event of a task of `family`.
fn succeeded(family: EventFamily, res: &Resource, output: &Value) -> Event {
    match family {
        EventFamily::Task => Event::task_succeeded(res, output),
        EventFamily::Activity => Event::activity_succeeded(output),
    }
}
