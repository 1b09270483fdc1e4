//! Parallel states: every branch runs on its own fiber; the first failure fails the state.

use futures_util::future::try_join_all;
use serde_json::Value;

use super::dataflow;
use super::retry::Attempt;
use super::{Failure, Run};
use crate::asl::Parallel;
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
                    Err(f) => Err((f, c)),
                }
            }
        });
        let joined = try_join_all(branches).await.map(Value::Array);
        self.join_fibers(joined, Event::parallel_state_succeeded(), chain)
    }
}
