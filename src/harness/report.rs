//! Failure reports: where an execution stood when `finish()` gave up
//! ([`ExecutionReport`](crate::ExecutionReport)), and what
//! [`Harness::verify`](crate::Harness::verify) found unmet
//! ([`VerificationError`](crate::VerificationError)). Both are built here from the
//! harness's state; their text is in `error.rs`, next to the types.

use crate::engine;
use crate::harness::error::{
    ExecutionReport, Pictures, VerificationError, WaitingTask, WorkerSummary,
};
use crate::harness::expect::Unmet;
use crate::harness::faults::FaultReport;
use crate::harness::snapshot::Timeline;
use crate::harness::{names, HarnessInner};
use crate::sync::lock;

impl HarnessInner {
    /// Machine, execution, timeline, open tokens, workers and faults, for a failure message.
    pub(crate) fn report_for(&self, exec: &engine::ExecutionRecord) -> ExecutionReport {
        let workers = self.workers();
        let waiting = self
            .engine()
            .tokens()
            .open_tokens()
            .into_iter()
            .filter(|t| t.execution_arn == exec.arn())
            .map(|t| WaitingTask {
                has_worker: workers.iter().any(|w| w.state() == t.state_name),
                state_name: t.state_name,
            })
            .collect();
        ExecutionReport {
            state_machine: exec.state_machine().name.clone(),
            execution_arn: exec.arn().to_string(),
            status: exec.status(),
            timeline: Timeline::new(&exec.history(), exec.start_ms()),
            waiting,
            workers: workers
                .iter()
                .map(|w| WorkerSummary {
                    label: w.label(),
                    deliveries: w.deliveries(),
                    log: w.log(),
                })
                .collect(),
            faults: FaultReport::new(self.faults.injected()),
            picture: self.mermaid_of(exec),
            unmet: self.unmet(),
            warnings: self.warnings(),
        }
    }

    /// The expectations not met so far: faults first, then workers.
    fn unmet(&self) -> Vec<Unmet> {
        let mut unmet = self.faults.verification_failures();
        unmet.extend(self.workers().iter().filter_map(|w| w.unmet()));
        unmet
    }

    /// A warning for every worker mounted on a state no state machine has.
    pub(crate) fn warnings(&self) -> Vec<String> {
        let machines = self.engine().state_machines();
        self.workers()
            .iter()
            .filter_map(|w| names::unknown_state(&w.label(), w.state(), &machines))
            .collect()
    }

    /// The expectations not met and the workers' panics; `None` when all is well.
    pub(crate) fn verification(&self) -> Option<VerificationError> {
        let unmet = self.unmet();
        let panics = lock(&self.panics).clone();
        if unmet.is_empty() && panics.is_empty() {
            return None;
        }
        Some(VerificationError {
            unmet,
            panics,
            faults: FaultReport::new(self.faults.injected()),
            open_tokens: self.engine().tokens().open_tokens().into_boxed_slice(),
            pictures: Box::new(Pictures(self.report_pictures())),
            warnings: self.warnings(),
        })
    }
}
