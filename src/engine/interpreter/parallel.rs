//! Parallel states: every branch runs on its own fiber; the first failure fails the state.

use futures_util::future::try_join_all;
use serde_json::Value;

use super::dataflow;
use super::retry::Attempt;
use super::{Failure, Run};
use crate::asl::Parallel;
use crate::engine::history::events::EventType;
use crate::engine::history::Event;

impl Run {
    /// One attempt of a Parallel state.
    pub(super) async fn parallel_attempt(
        &self,
        at: &Attempt<'_>,
        p: &Parallel,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
        let Attempt { here, eff, retries } = *at;
        let input = match &p.parameters {
            Some(t) => {
                let ctx = self.context(here, retries, None, None);
                dataflow::payload(here, t, "Arguments", eff, &ctx)?
            }
            None => eff.clone(),
        };
        let started = self.emit(chain, Event::parallel_state_started());
        let branches = p.branches.iter().map(|b| {
            let input = input.clone();
            async move {
                let mut c = started;
                match self.run_program(b, input, &mut c, here.vars.clone()).await {
                    Ok(v) => Ok(v),
                    Err(f) => {
                        // A Task whose failure ends its branch is then recorded as aborted,
                        // after its `TaskFailed`/`TaskTimedOut`; `ParallelStateFailed` still
                        // follows the task's failure event
                        // (`callback.test_callback.test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_PARALLEL_WAIT_FOR_TASK_TOKEN]`
                        // in ../shared/conformance/v2: 8 TaskFailed, 9 TaskStateAborted
                        // after 8, 10 ParallelStateFailed after 8; a Fail state has no such
                        // event: `cases/scenarios.test_parallel_state_fail`).
                        if [EventType::TaskFailed, EventType::TaskTimedOut]
                            .into_iter()
                            .any(|t| self.exec.event_is(c, t))
                        {
                            self.emit_after(c, Event::task_state_aborted());
                        }
                        Err((f, c))
                    }
                }
            }
        });
        let joined = try_join_all(branches).await.map(Value::Array);
        self.join_fibers(joined, Event::parallel_state_succeeded(), chain)
    }
}
