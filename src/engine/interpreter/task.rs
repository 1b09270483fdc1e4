//! Task states: one attempt, one function per integration pattern.
//!
//! Every attempt evaluates `Parameters`, `TimeoutSeconds` and `HeartbeatSeconds`, records
//! `TaskScheduled` and `TaskStarted`, and finds the resource's handler ([`Run::task_attempt`]).
//! Then the resource's pattern decides:
//! - request/response ([`Run::request_response`]): the handler's result is the task's result;
//! - `.waitForTaskToken` ([`Run::submit_for_token`], [`Run::wait_parked`]): the handler's result is
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
use crate::asl::payload::ContextReads;
use crate::asl::{QueryLanguage, StatesError, Task};
use crate::engine::history::Event;
use crate::engine::task::{
    BoxFuture, EngineHandle, EventFamily, Pattern, Resource, TaskHandler, TaskRequest,
};
use crate::engine::tokens::TokenOutcome;
use crate::engine::TaskSubmission;
use crate::mock_config::{Invocation, Mocked, MockedEntry};
use crate::time::{Clock, Millis};

/// A task attempt once it has been scheduled and started: what the pattern functions share.
struct Scheduled<'a> {
    here: &'a Here<'a>,
    res: Arc<Resource>,
    /// The history events this resource records.
    family: EventFamily,
    handler: Arc<dyn TaskHandler>,
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

/// What waiting on a task's token needs to know of the task.
struct Waiting<'a> {
    res: &'a Resource,
    family: EventFamily,
    /// When the task started (heartbeats count from here).
    started: Millis,
    deadline: Option<Millis>,
    heartbeat: Option<u64>,
}

/// A `.waitForTaskToken` task once submitted: what its wait needs, and nothing else.
pub(super) struct Parked {
    rx: crate::engine::tokens::Answers,
    token: String,
    res: Arc<Resource>,
    family: EventFamily,
    started: Millis,
    deadline: Option<Millis>,
    heartbeat: Option<u64>,
}

impl Parked {
    /// The wait of a submitted `task` for its answers on `rx`.
    fn of(task: Scheduled<'_>, rx: crate::engine::tokens::Answers) -> Parked {
        let Scheduled {
            res,
            family,
            started,
            deadline,
            heartbeat,
            token,
            ..
        } = task;
        Parked {
            rx,
            token: token.unwrap_or_default(),
            res,
            family,
            started,
            deadline,
            heartbeat,
        }
    }
}

/// What submitting a `.waitForTaskToken` task led to.
enum Submitted {
    /// It waits for its token (boxed: the attempt's future then holds a pointer to it).
    Parked(Box<Parked>),
    /// It had no token and ran as request/response.
    Done(Value),
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
        let res = self.engine.resources.get(&t.resource);
        let handler = self.engine.handler(&res);
        let family = handler
            .as_ref()
            .map(|h| h.event_family(&res))
            .unwrap_or_default();
        let activity = family == EventFamily::Activity;
        // AWS gives `.sync` tasks a token too (`$$.Task.Token`): a child execution may answer
        // its parent's `.sync` task with it (LocalStack's AWS-validated
        // `test_sync_with_task_token`).
        let token =
            (activity || res.pattern != Pattern::RequestResponse).then(|| self.task_token());
        // The context object is not kept while the task waits (issue 13: ~2.4 KB a parked
        // callback execution).
        let params = match &t.parameters {
            Some(tpl) => {
                // JSONata's `$states.context` is passed whole; a JSONPath template's paths
                // name what they read.
                let reads = match here.state.query_language {
                    QueryLanguage::JsonPath => crate::asl::payload::context_reads(tpl),
                    QueryLanguage::Jsonata => ContextReads::ALL,
                };
                let ctx = self.context_reading(here, retries, token.as_deref(), None, reads);
                dataflow::payload(here, tpl, "Arguments", eff, &ctx)?
            }
            None => eff.clone(),
        };
        let timeout = t
            .timeout
            .as_ref()
            .map(|s| dataflow::seconds(here, s, "TimeoutSeconds", eff))
            .transpose()?;
        let heartbeat = t
            .heartbeat
            .as_ref()
            .map(|s| dataflow::seconds(here, s, "HeartbeatSeconds", eff))
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
        }
        let scheduled = match family {
            EventFamily::Task => Event::task_scheduled(
                &res,
                &self.engine.config.region,
                &params,
                timeout,
                heartbeat,
            ),
            EventFamily::LambdaFunction => {
                Event::lambda_function_scheduled(&res.arn, &params, timeout, heartbeat)
            }
            EventFamily::Activity => {
                Event::activity_scheduled(&res.arn, &params, timeout, heartbeat)
            }
        };
        self.emit(chain, scheduled);
        match family {
            EventFamily::Task => {
                self.emit(chain, Event::task_started(&res));
            }
            EventFamily::LambdaFunction => {
                self.emit(chain, Event::lambda_function_started());
            }
            // An activity starts when a worker takes it (GetActivityTask).
            EventFamily::Activity => {}
        }
        // Bound before the await: a `match` scrutinee (the invocation) would live through it.
        let mocked = match &self.mock {
            None => None,
            Some(mock) => match mock.next(&here.state.name) {
                Invocation::Real => None,
                Invocation::Exhausted { number, response } => {
                    // Step Functions Local fails the execution when a mocked state is invoked
                    // more often than its response has entries (sfn-local-test-sm-exec.html).
                    return Err(dataflow::runtime(
                        here,
                        format!(
                            "The mocked response '{response}' has no entry for invocation {number} of the state (test case '{}'; invocations are counted from 0, retries included).",
                            mock.case().name
                        ),
                    ));
                }
                Invocation::Mocked { entry, .. } => Some(entry),
            },
        };
        if let Some(entry) = mocked {
            let request = self.request(here, &res, token.clone(), params, retries);
            let deadline = timeout.map(|s| self.now() + s * 1000);
            return Box::pin(self.mocked(request, entry, deadline, heartbeat, family, chain)).await;
        }
        let Some(handler) = handler else {
            let f = Failure::new(
                "States.Runtime",
                crate::engine::task::no_response_message(&res.arn, &here.state.name),
            );
            return Err(self.task_failed(chain, &res, family, f));
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
        // Each pattern's future boxed: a waiting task holds its own pattern's only (issue 13).
        match (activity, task.res.pattern) {
            // `.waitForTaskToken` (and an activity): the handler submits the work
            // (`TaskSubmitted`), then the token's answer (`SendTaskSuccess`/`SendTaskFailure`), a
            // missed heartbeat or `TimeoutSeconds` ends the task. Two futures, each boxed, and
            // awaited here rather than in a function of their own (whose future would keep the
            // task): the submission's (the task, its parameters, the handler's call) is gone by
            // the time the task waits, and the waiting one holds only what the wait needs
            // (issue 13: a parked callback execution keeps it for as long as it waits).
            (true, _) | (_, Pattern::WaitForTaskToken) => {
                // Bound before the match: a scrutinee (and the `?`'s temporary) would live
                // through the wait.
                let parked = match Box::pin(self.submit_for_token(task, chain)).await? {
                    Submitted::Parked(parked) => parked,
                    Submitted::Done(v) => return Ok(v),
                };
                if here.detach {
                    // At the top level the wait is handed up to `run_execution`, which waits
                    // holding none of the state's futures (`Detached`).
                    return Err(self.detach(*parked));
                }
                Box::pin(self.wait_parked(parked, chain)).await
            }
            (_, Pattern::RequestResponse) => Box::pin(self.request_response(task, chain)).await,
            (_, Pattern::Sync) => Box::pin(self.sync(task, chain)).await,
        }
    }

    /// A mocked invocation (MockConfigFile): the mocked answer stands for the service's, shaped
    /// by the resource's integration as its own response ([`TaskHandler::mocked`]). A mocked
    /// `.waitForTaskToken` task records `TaskSubmitted` and does not wait for a token.
    async fn mocked(
        &self,
        request: TaskRequest,
        entry: MockedEntry,
        deadline: Option<Millis>,
        heartbeat: Option<u64>,
        family: EventFamily,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
        let res = request.resource.clone();
        let clock = &self.engine.clock;
        let started = self.now();
        if entry.after_ms > 0 {
            let at = self.now() + entry.after_ms;
            if deadline.is_some_and(|d| d < at) {
                sleep_until_opt(clock, deadline).await;
                return Err(self.task_timed_out(chain, &res, family));
            }
            clock.sleep_until(at).await;
        }
        let handler = self.engine.handler(&res);
        let waits = res.pattern == Pattern::WaitForTaskToken;
        match entry.answer {
            Mocked::Return(v) if entry.answered_by_worker => {
                // sfn-harness's `AnsweredByWorker`: the mocked answer is the submission's; a
                // worker (scripted or real) answers the token, within the task's timeouts.
                let (Some(tok), true) = (request.token.clone(), waits) else {
                    return Err(Failure::new(
                        "States.Runtime",
                        format!(
                            "The mocked response of the state '{}' says AnsweredByWorker, which only a .waitForTaskToken task can follow (its resource is {}).",
                            request.state_name, res.arn
                        ),
                    ));
                };
                let mut rx = self
                    .engine
                    .tokens
                    .open(&tok, &self.exec.arn, &request.state_name);
                let submitted = match &handler {
                    Some(h) => h.mocked(&request, v),
                    None => crate::mock_config::service_result(&res.arn, v),
                };
                self.emit(chain, Event::task_submitted(&res, &submitted));
                self.engine.notify_submitted(|| TaskSubmission {
                    execution_arn: self.exec.arn.clone(),
                    state_machine_arn: self.exec.machine.arn.clone(),
                    state_name: request.state_name.clone(),
                    resource: res.arn.clone(),
                    token: tok.clone(),
                    input: request.input.clone(),
                    submitted,
                    retry_count: request.retry_count,
                    mocked: true,
                });
                let waiting = Waiting {
                    res: &res,
                    family,
                    started,
                    deadline,
                    heartbeat,
                };
                self.await_token(&mut rx, &tok, &waiting, chain).await
            }
            Mocked::Return(v) => {
                let output = match &handler {
                    Some(h) => h.mocked(&request, v),
                    None => crate::mock_config::service_result(&res.arn, v),
                };
                if waits {
                    self.emit(chain, Event::task_submitted(&res, &output));
                }
                self.emit(chain, succeeded(&res, family, &output));
                Ok(output)
            }
            Mocked::Throw { error, cause } => {
                if waits {
                    let submitted = handler.as_ref().map_or_else(
                        || Value::Object(Default::default()),
                        |h| h.mocked_submission(&request),
                    );
                    self.emit(chain, Event::task_submitted(&res, &submitted));
                }
                Err(self.task_failed(chain, &res, family, Failure::new(error, cause)))
            }
        }
    }

    /// The request a handler gets for this attempt.
    fn request(
        &self,
        here: &Here<'_>,
        res: &Resource,
        token: Option<String>,
        params: Value,
        retries: u64,
    ) -> TaskRequest {
        TaskRequest {
            resource: res.clone(),
            input: params,
            token,
            execution_arn: self.exec.arn.clone(),
            state_machine_arn: self.exec.machine.arn.clone(),
            state_name: here.state.name.clone(),
            retry_count: retries,
            clock: self.engine.clock.clone(),
            engine: EngineHandle(Arc::downgrade(&self.engine)),
        }
    }

    /// Request/response: the handler's result is the task's result.
    async fn request_response(
        &self,
        task: Scheduled<'_>,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
        let output = self.call_handler(&task, chain).await?;
        self.emit(chain, succeeded(&task.res, task.family, &output));
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
        // Boxed, as in `submit_for_token`: the job's wait holds no room for the call.
        let submitted = Box::pin(self.call_handler(&task, chain)).await?;
        let Some(wait) = task
            .handler
            .wait_for_completion(self.scheduled_request(&task), &submitted)
        else {
            close();
            self.emit(chain, succeeded(&task.res, task.family, &submitted));
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
                return Err(self.task_timed_out(chain, &task.res, task.family));
            }
        };
        close();
        match outcome {
            Ok(v) => {
                self.emit(chain, succeeded(&task.res, task.family, &v));
                Ok(v)
            }
            Err(f) => Err(self.task_failed(chain, &task.res, task.family, f)),
        }
    }

    /// The submission of a `.waitForTaskToken` task: its token opened, its handler called,
    /// `TaskSubmitted` recorded and the harness told.
    async fn submit_for_token(
        &self,
        mut task: Scheduled<'_>,
        chain: &mut u64,
    ) -> Result<Submitted, Failure> {
        let here = task.here;
        let Some(tok) = task.token.as_deref() else {
            // `task_attempt` issues a token for every `.waitForTaskToken` resource.
            return Box::pin(self.request_response(task, chain))
                .await
                .map(Submitted::Done);
        };
        // Opened before the handler runs, so an answer sent from inside it is not lost.
        let rx = self
            .engine
            .tokens
            .open(tok, &self.exec.arn, &here.state.name);
        // The parameters go to the handler, copied only for an observer that wants the
        // submission (a scripted worker mounted now; issue 13). One mounted while this task
        // is submitted sees the next submission, as if it had been mounted a moment later.
        let observed = self.engine.wants_submissions();
        let request = if observed {
            self.scheduled_request(&task)
        } else {
            let params = std::mem::take(&mut task.params);
            self.request(
                task.here,
                &task.res,
                task.token.clone(),
                params,
                task.retries,
            )
        };
        let submit = task.handler.submit(request);
        let submitted = Box::pin(self.answer_of(&task, chain, submit)).await?;
        if task.family == EventFamily::Task {
            // An activity's handler only queues the task: AWS records no submission for it.
            self.emit(chain, Event::task_submission(&task.res, &submitted));
        }
        if !observed {
            return Ok(Submitted::Parked(Box::new(Parked::of(task, rx))));
        }
        self.engine.notify_submitted(|| TaskSubmission {
            execution_arn: self.exec.arn.clone(),
            state_machine_arn: self.exec.machine.arn.clone(),
            state_name: here.state.name.clone(),
            resource: task.res.arn.clone(),
            token: tok.to_string(),
            input: task.params.clone(),
            submitted: submitted.into_value(),
            retry_count: task.retries,
            mocked: false,
        });
        Ok(Submitted::Parked(Box::new(Parked::of(task, rx))))
    }

    /// A submitted `.waitForTaskToken` task's wait for its answer.
    async fn wait_parked(
        &self,
        mut parked: Box<Parked>,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
        self.wait_on_token(&mut parked, chain).await
    }

    /// The wait of a parked task, in place or detached ([`super::Detached`]).
    pub(super) async fn wait_on_token(
        &self,
        p: &mut Parked,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
        // The context object's copy of the input is not kept through the wait.
        self.forget_input();
        let waiting = Waiting {
            res: &p.res,
            family: p.family,
            started: p.started,
            deadline: p.deadline,
            heartbeat: p.heartbeat,
        };
        self.await_token(&mut p.rx, &p.token, &waiting, chain).await
    }

    /// Waits for the answer on a task's token (`SendTaskSuccess`/`SendTaskFailure`, heartbeats,
    /// an activity's start), or a missed heartbeat or `TimeoutSeconds`, and records it.
    async fn await_token(
        &self,
        rx: &mut crate::engine::tokens::Answers,
        tok: &str,
        task: &Waiting<'_>,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
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
                    let mut f = self.task_timed_out(chain, task.res, task.family);
                    f.missed_heartbeat = beat_at < timeout_at;
                    // Only a TimeoutSeconds timeout is recorded with `"Cause": ""` when caught;
                    // no recording shows a caught missed heartbeat with one.
                    f.timed_out = !f.missed_heartbeat;
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
                    self.emit(chain, succeeded(task.res, task.family, &v));
                    return Ok(v);
                }
                Some(TokenOutcome::Failure { error, cause }) => {
                    return Err(self.task_failed(
                        chain,
                        task.res,
                        task.family,
                        Failure::named(error, cause),
                    ));
                }
                None => {
                    // The registry dropped the sender: the token was closed from outside.
                    return Err(self.task_timed_out(chain, task.res, task.family));
                }
            }
        }
    }

    /// Calls the handler, bounded by `TimeoutSeconds`. A timeout or an error closes the token
    /// (if any) and records `TaskTimedOut` or `TaskFailed`.
    async fn call_handler(&self, task: &Scheduled<'_>, chain: &mut u64) -> Result<Value, Failure> {
        let call = task.handler.call(self.scheduled_request(task));
        self.answer_of(task, chain, call).await
    }

    /// What the handler is asked for `task`.
    fn scheduled_request(&self, task: &Scheduled<'_>) -> TaskRequest {
        self.request(
            task.here,
            &task.res,
            task.token.clone(),
            task.params.clone(),
            task.retries,
        )
    }

    /// The answer of the handler's `call` for `task`, or the failure it records: the task's
    /// `TimeoutSeconds` may pass first, or the handler fail.
    async fn answer_of<T>(
        &self,
        task: &Scheduled<'_>,
        chain: &mut u64,
        call: BoxFuture<'static, Result<T, StatesError>>,
    ) -> Result<T, Failure> {
        let clock = self.engine.clock.clone();
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
                Err(self.task_timed_out(chain, &task.res, task.family))
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
                let mut f: Failure = e.into();
                f.from_task = true;
                Err(self.task_failed(chain, &task.res, task.family, f))
            }
            Some(Ok(v)) => Ok(v),
        }
    }

    /// Records `TaskFailed` for `f` and returns it.
    fn task_failed(
        &self,
        chain: &mut u64,
        res: &Resource,
        family: EventFamily,
        f: Failure,
    ) -> Failure {
        let (error, cause) = (f.error.as_deref(), f.cause.as_deref());
        self.emit(
            chain,
            match family {
                EventFamily::Task => Event::task_failed(res, error, cause),
                EventFamily::LambdaFunction => Event::lambda_function_failed(error, cause),
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
    fn task_timed_out(&self, chain: &mut u64, res: &Resource, family: EventFamily) -> Failure {
        let error = "States.Timeout";
        self.emit(
            chain,
            match family {
                EventFamily::Task => Event::task_timed_out(res, Some(error), None),
                EventFamily::LambdaFunction => Event::lambda_function_timed_out(Some(error), None),
                EventFamily::Activity => Event::activity_timed_out(Some(error), None),
            },
        );
        let mut f = Failure::named(Some(error.to_string()), None);
        f.timed_out = true;
        f
    }
}

/// The success event of `family`.
fn succeeded(res: &Resource, family: EventFamily, output: &Value) -> Event {
    match family {
        EventFamily::Task => Event::task_succeeded(res, output),
        EventFamily::LambdaFunction => Event::lambda_function_succeeded(output),
        EventFamily::Activity => Event::activity_succeeded(output),
    }
}

#[cfg(test)]
mod memory_design {
    //! Issue 13: a parked callback execution holds its task's waiting future for as long as it
    //! waits, so that future's size is part of every parked execution's memory.

    use std::sync::{Arc, Mutex};

    use serde_json::json;

    use super::Parked;
    use crate::engine::execution::ExecutionRecord;
    use crate::engine::interpreter::{Here, Run, Variables};
    use crate::engine::task::{EventFamily, Resource};
    use crate::engine::tokens::Tokens;
    use crate::engine::{Engine, EngineConfig};
    use crate::ids::Stream;
    use crate::time::Clock;

    #[tokio::test]
    async fn the_future_of_a_waiting_task_is_small() {
        let clock = Clock::virtual_at(0);
        let engine = Engine::new(EngineConfig {
            clock: clock.clone(),
            ..EngineConfig::default()
        });
        let machine = engine
            .create_state_machine(
                "m",
                r#"{"StartAt":"T","States":{"T":{"Type":"Task","End":true,
                    "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken"}}}"#,
            )
            .unwrap();
        let exec = Arc::new(ExecutionRecord::new(
            "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
            "e".into(),
            machine.clone(),
            &json!({}),
            0,
        ));
        let run = Run::new(engine.inner.clone(), exec, 1, None);
        let state = machine.definition.state("T").unwrap();
        let (vars, rng) = (Variables::new(), Mutex::new(Stream::seed_from_u64(1)));
        let here = Here {
            state,
            entered_id: 1,
            entered_prev: 0,
            entered_ms: 0,
            vars: &vars,
            rng: &rng,
            clock: &clock,
            expressions: &Default::default(),
            assigned: Mutex::new(None),
            exited_text: Mutex::new(None),
            detach: false,
        };
        let tokens = Tokens::default();
        let parked = Box::new(Parked {
            rx: tokens.open("t", "e", "T"),
            token: "t".into(),
            res: Arc::new(Resource::parse(
                "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            )),
            family: EventFamily::Task,
            started: 0,
            deadline: None,
            heartbeat: None,
        });
        let mut chain = 0;
        let waiting = run.wait_parked(parked, &mut chain);
        // 480 bytes in a debug build; the future that submitted the task and waited for its
        // answer in one was 1,432 (it kept the task, its parameters and room for the handler's
        // call for as long as it waited).
        let size = std::mem::size_of_val(&waiting);
        eprintln!("wait_parked future: {size} B");
        assert!(size <= 640, "the future of a waiting task is {size} bytes");
        drop(waiting);
        // The attempt awaits the submission and the wait itself (boxed), so its own future
        // keeps no task either.
        let crate::asl::StateKind::Task(t) = &state.kind else {
            panic!("T is a Task state");
        };
        let eff = json!({});
        let at = crate::engine::interpreter::retry::Attempt {
            here: &here,
            eff: &eff,
            retries: 0,
        };
        let attempt = run.task_attempt(&at, t, &mut chain);
        // Only a wait in a branch or an iteration keeps this future (a top-level wait is
        // detached: `a_detached_callback_wait_resumes_as_a_wait_in_place_does`). 480 bytes
        // since the resource is shared (`Arc<Resource>`: the attempt keeps a slot for the
        // scheduled task beside it, +88 bytes, where the parsed resource's four strings,
        // ~250 bytes of heap, are gone); 392 before, 448 while the submission's result was a
        // `match` scrutinee, alive through the wait.
        let size = std::mem::size_of_val(&attempt);
        eprintln!("task_attempt future: {size} B");
        assert!(size <= 512, "the future of a task attempt is {size} bytes");
    }
}
