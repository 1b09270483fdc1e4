//! Map Runs: what a distributed Map state starts (AWS's developer guide, "Examining a Map
//! Run"). A Map Run holds the child executions that run the Map's iterations, its runtime
//! settings (`MaxConcurrency`, the tolerated failures) and its item and execution counts, as
//! `DescribeMapRun`, `ListMapRuns` and `UpdateMapRun` report and change them (shapes: the Step
//! Functions API reference and botocore's `stepfunctions` service model).

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::engine::execution::ExecutionRecord;
use crate::engine::{ApiError, Engine, Status};
use crate::sync::{lock, read, write};
use crate::time::Millis;

/// A Map Run's status (`DescribeMapRun`'s `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MapRunStatus {
    /// Its child executions are running.
    Running,
    /// Ended within its tolerated failures.
    Succeeded,
    /// Exceeded its tolerated failures, or could not read or write its items.
    Failed,
    /// Its execution was stopped.
    Aborted,
}

impl MapRunStatus {
    /// AWS's name for it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            MapRunStatus::Running => "RUNNING",
            MapRunStatus::Succeeded => "SUCCEEDED",
            MapRunStatus::Failed => "FAILED",
            MapRunStatus::Aborted => "ABORTED",
        }
    }
}

/// A Map Run's `itemCounts` or `executionCounts` (`MapRunItemCounts`, `MapRunExecutionCounts`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MapRunCounts {
    /// Not started yet.
    pub pending: u64,
    /// Running.
    pub running: u64,
    /// Succeeded.
    pub succeeded: u64,
    /// Failed.
    pub failed: u64,
    /// Timed out.
    pub timed_out: u64,
    /// Aborted.
    pub aborted: u64,
    /// All of them.
    pub total: u64,
    /// Whose results a `ResultWriter` wrote.
    pub results_written: u64,
}

impl MapRunCounts {
    /// The counts as the API returns them.
    pub(crate) fn to_json(self) -> Value {
        json!({
            "pending": self.pending,
            "running": self.running,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "timedOut": self.timed_out,
            "aborted": self.aborted,
            "total": self.total,
            "resultsWritten": self.results_written,
            "failuresNotRedrivable": 0,
            "pendingRedrive": 0,
        })
    }

    /// Moves one unit from running to the bucket of `status`.
    pub(crate) fn finish(&mut self, status: Status, n: u64) {
        self.running = self.running.saturating_sub(n);
        match status {
            Status::Succeeded => self.succeeded += n,
            Status::Failed => self.failed += n,
            Status::TimedOut => self.timed_out += n,
            Status::Aborted => self.aborted += n,
            Status::Running => self.running += n,
        }
    }
}

/// What changes while a Map Run runs.
#[derive(Debug, Clone)]
pub(crate) struct MapRunState {
    pub status: MapRunStatus,
    pub stop_ms: Option<Millis>,
    pub max_concurrency: u64,
    pub tolerated_failure_count: Option<u64>,
    pub tolerated_failure_percentage: Option<f64>,
    pub items: MapRunCounts,
    pub executions: MapRunCounts,
    pub children: Vec<Arc<ExecutionRecord>>,
    /// How many items each child holds (1, or its batch's size).
    pub child_items: Vec<u64>,
}

/// One Map Run. Cheap to share; every accessor returns a snapshot.
///
/// Example: the unit test `engine_map_runs_109` in `src/tests/doc_examples.rs`.
#[derive(Debug)]
pub(crate) struct MapRun {
    pub(crate) arn: String,
    pub(crate) execution_arn: String,
    pub(crate) state_machine_arn: String,
    pub(crate) start_ms: Millis,
    pub(crate) state: Mutex<MapRunState>,
}

impl MapRun {
    pub(crate) fn new(
        arn: String,
        execution_arn: String,
        state_machine_arn: String,
        start_ms: Millis,
        max_concurrency: u64,
        tolerated_failure_count: Option<u64>,
        tolerated_failure_percentage: Option<f64>,
    ) -> MapRun {
        MapRun {
            arn,
            execution_arn,
            state_machine_arn,
            start_ms,
            state: Mutex::new(MapRunState {
                status: MapRunStatus::Running,
                stop_ms: None,
                max_concurrency,
                tolerated_failure_count,
                tolerated_failure_percentage,
                items: MapRunCounts::default(),
                executions: MapRunCounts::default(),
                children: Vec::new(),
                child_items: Vec::new(),
            }),
        }
    }

    /// Its ARN (`arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<id>`).
    pub(crate) fn arn(&self) -> &str {
        &self.arn
    }

    /// The execution whose Map state started it.
    pub(crate) fn execution_arn(&self) -> &str {
        &self.execution_arn
    }

    /// The state machine of that execution.
    pub(crate) fn state_machine_arn(&self) -> &str {
        &self.state_machine_arn
    }

    /// When it started.
    pub(crate) fn start_ms(&self) -> Millis {
        self.start_ms
    }

    /// When it ended, if it has.
    pub(crate) fn stop_ms(&self) -> Option<Millis> {
        lock(&self.state).stop_ms
    }

    /// Its status.
    pub(crate) fn status(&self) -> MapRunStatus {
        lock(&self.state).status
    }

    /// `maxConcurrency` (0: no limit).
    pub(crate) fn max_concurrency(&self) -> u64 {
        lock(&self.state).max_concurrency
    }

    /// `toleratedFailureCount`.
    pub(crate) fn tolerated_failure_count(&self) -> u64 {
        lock(&self.state).tolerated_failure_count.unwrap_or(0)
    }

    /// `toleratedFailurePercentage`.
    pub(crate) fn tolerated_failure_percentage(&self) -> f64 {
        lock(&self.state)
            .tolerated_failure_percentage
            .unwrap_or(0.0)
    }

    /// `itemCounts`.
    pub(crate) fn item_counts(&self) -> MapRunCounts {
        lock(&self.state).items
    }

    /// `executionCounts`.
    pub(crate) fn execution_counts(&self) -> MapRunCounts {
        lock(&self.state).executions
    }

    /// Its child executions, in the order they started (`ListExecutions` with `mapRunArn`
    /// lists them newest first).
    pub(crate) fn child_executions(&self) -> Vec<Arc<ExecutionRecord>> {
        lock(&self.state).children.clone()
    }

    /// How many items the child execution `arn` of this Map Run processes (`itemCount`).
    pub(crate) fn child_item_count(&self, arn: &str) -> Option<u64> {
        let s = lock(&self.state);
        s.children
            .iter()
            .position(|e| e.arn == arn)
            .map(|i| s.child_items[i])
    }

    /// Whether `failed` failed items of `total` exceed the tolerated failures (AWS's
    /// developer guide, "Tolerated failure threshold for Distributed Map state": either limit
    /// given fails the run when exceeded; with neither, one failure does).
    pub(crate) fn exceeded(&self, failed: u64, total: u64) -> bool {
        let s = lock(&self.state);
        let pct = if total == 0 {
            0.0
        } else {
            failed as f64 * 100.0 / total as f64
        };
        match (s.tolerated_failure_count, s.tolerated_failure_percentage) {
            (None, None) => failed > 0,
            (count, percentage) => {
                count.is_some_and(|c| failed > c) || percentage.is_some_and(|p| pct > p)
            }
        }
    }
}

impl Engine {
    pub(crate) fn add_map_run(&self, run: Arc<MapRun>) {
        write(&self.inner.map_runs).push(run);
    }

    pub(crate) fn add_child_execution(&self, run: &MapRun, exec: Arc<ExecutionRecord>, items: u64) {
        write(&self.inner.by_arn).insert(exec.arn.clone(), exec.clone());
        let mut s = lock(&run.state);
        s.children.push(exec);
        s.child_items.push(items);
    }

    /// The Map Run that started the child execution `arn`, if one did.
    pub(crate) fn map_run_of(&self, arn: &str) -> Option<Arc<MapRun>> {
        read(&self.inner.map_runs)
            .iter()
            .find(|r| lock(&r.state).children.iter().any(|e| e.arn == arn))
            .cloned()
    }

    /// Stops what a stopped execution's Map Runs still run: the runs end `ABORTED` and their
    /// running children `ABORTED` too (AWS's developer guide: stopping the parent aborts the
    /// Map Run's child executions).
    pub(crate) fn abort_map_runs(&self, execution_arn: &str) {
        let now = self.inner.clock.now_ms();
        let runs: Vec<Arc<MapRun>> = read(&self.inner.map_runs)
            .iter()
            .filter(|r| r.execution_arn == execution_arn)
            .cloned()
            .collect();
        for run in runs {
            let children = {
                let mut s = lock(&run.state);
                if s.status != MapRunStatus::Running {
                    continue;
                }
                s.status = MapRunStatus::Aborted;
                s.stop_ms = Some(now);
                s.children.clone()
            };
            for child in children {
                if child.status() == Status::Running {
                    let _ = self.stop_execution(&child.arn, None, None);
                }
            }
        }
    }

    /// A Map Run by ARN (`DescribeMapRun`).
    pub(crate) fn map_run(&self, arn: &str) -> Result<Arc<MapRun>, ApiError> {
        Self::check_arn(arn, &["mapRun"], 8)?;
        read(&self.inner.map_runs)
            .iter()
            .find(|r| r.arn == arn)
            .cloned()
            .ok_or_else(|| ApiError::ResourceNotFound(arn.to_string()))
    }

    /// The Map Runs an execution started, oldest first (`ListMapRuns`).
    pub(crate) fn list_map_runs(&self, execution_arn: &str) -> Result<Vec<Arc<MapRun>>, ApiError> {
        self.execution(execution_arn)?;
        Ok(read(&self.inner.map_runs)
            .iter()
            .filter(|r| r.execution_arn == execution_arn)
            .cloned()
            .collect())
    }

    /// Changes a Map Run's settings (`UpdateMapRun`): at least one must be given. New tolerated
    /// failures apply to the children that end after the call; a new `maxConcurrency` is
    /// reported by `DescribeMapRun` but does not re-plan the lanes already running (sfn-harness's
    /// gap: its children run in fixed lanes).
    pub(crate) fn update_map_run(
        &self,
        arn: &str,
        max_concurrency: Option<u64>,
        tolerated_failure_percentage: Option<f64>,
        tolerated_failure_count: Option<u64>,
    ) -> Result<(), ApiError> {
        let run = self.map_run(arn)?;
        if max_concurrency.is_none()
            && tolerated_failure_percentage.is_none()
            && tolerated_failure_count.is_none()
        {
            return Err(ApiError::validation(
                "at least one of the fields 'maxConcurrency', 'toleratedFailurePercentage', 'toleratedFailureCount' must be given",
            ));
        }
        if let Some(p) = tolerated_failure_percentage {
            if !(0.0..=100.0).contains(&p) {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '{p}' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value less than or equal to 100"
                )));
            }
        }
        let mut s = lock(&run.state);
        if let Some(m) = max_concurrency {
            s.max_concurrency = m;
        }
        if let Some(p) = tolerated_failure_percentage {
            s.tolerated_failure_percentage = Some(p);
        }
        if let Some(c) = tolerated_failure_count {
            s.tolerated_failure_count = Some(c);
        }
        Ok(())
    }
}

#[cfg(test)]
mod doc_example_18 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::engine::map_runs::MapRunStatus;
        assert_eq!(MapRunStatus::Succeeded.as_str(), "SUCCEEDED");
    }
}

#[cfg(test)]
mod doc_example_48 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::engine::map_runs::MapRunCounts;
        let c = MapRunCounts {
            total: 2,
            succeeded: 2,
            ..MapRunCounts::default()
        };
        assert_eq!(c.to_json()["total"], 2);
        assert_eq!(c.to_json()["pendingRedrive"], 0);
    }
}
