//! Fault plans: a set of faults, written in code or loaded from a JSON file, so that CI can run
//! one suite under several plans. The file format is on [`FaultPlan`].

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::injector::check_operation;
use super::Fault;
use crate::harness::expect::Times;

/// Why a fault plan could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FaultPlanError {
    /// The file could not be read.
    #[error("cannot read fault plan {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a plan: bad JSON, or an unknown field.
    #[error("fault plan {path} is not valid: {source}")]
    Json {
        /// The path (`<inline>` for text).
        path: String,
        /// The error, with its line and column.
        source: serde_json::Error,
    },
    /// A fault is not well described.
    #[error("fault plan {path}: faults[{index}] ({kind}): {message}")]
    Invalid {
        /// The path (`<inline>` for text).
        path: String,
        /// The fault's index in `faults`.
        index: usize,
        /// The fault's kind.
        kind: String,
        /// What is wrong.
        message: String,
    },
}

/// A set of faults to inject together, with the seed their probabilities use: written in code
/// or loaded from a JSON file ([`from_file`](Self::from_file), [`from_env`](Self::from_env)), so
/// that CI can run one suite under several plans.
///
/// A plan file is a JSON object with an optional `seed` (for the faults' probabilities; the
/// harness's seed otherwise) and a list of `faults`. Each fault names its `kind` and the fields
/// that kind takes, plus the narrowing and frequency fields every fault takes:
///
/// | `kind` | fields |
/// |---|---|
/// | `throttle`, `service_unavailable`, `internal_error`, `drop_connection`, `lose_response` | `operation` |
/// | `api_error` | `operation`, `code`, `status`, `message`? |
/// | `latency` | `operation`, `ms` |
/// | `duplicate_delivery` | `copies`? (1), `ms`? (copies visible this much later) |
/// | `delay_delivery` | `ms` |
/// | `reorder_deliveries`, `lose_message` | — |
/// | `jump_clock` | `ms` |
/// | every kind | `state`, `machine`, `queue`, `times`, `skip`, `probability`, `name`, `expect` (a number, or `{"min": 1, "max": 3}`) |
///
/// ```
/// use sfn_harness::FaultPlan;
///
/// let plan = FaultPlan::from_json(r#"{
///   "seed": 7,
///   "faults": [
///     { "kind": "throttle", "operation": "SendTaskSuccess", "probability": 0.2 },
///     { "kind": "duplicate_delivery", "queue": "jobs", "times": 1, "expect": 1 },
///     { "kind": "jump_clock", "ms": 7200000, "state": "Review", "times": 1 }
///   ]
/// }"#).unwrap();
/// assert_eq!(plan.faults().len(), 3);
///
/// let err = FaultPlan::from_json(r#"{ "faults": [ { "kind": "throttle" } ] }"#).unwrap_err();
/// assert_eq!(err.to_string(), "fault plan <inline>: faults[0] (throttle): 'operation' is required");
/// ```
///
/// In code:
///
/// ```
/// use sfn_harness::prelude::*;
///
/// let plan = FaultPlan::new()
///     .seed(42)
///     .with(Fault::throttle("SendTaskSuccess").probability(0.1))
///     .with(Fault::duplicate_delivery().on_queue("jobs").probability(0.1));
/// assert_eq!(plan.faults().len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    seed: Option<u64>,
    faults: Vec<Fault>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    #[serde(default)]
    seed: Option<u64>,
    faults: Vec<FaultSpec>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ExpectSpec {
    Exactly(u64),
    Range { min: Option<u64>, max: Option<u64> },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultSpec {
    kind: String,
    operation: Option<String>,
    code: Option<String>,
    status: Option<u16>,
    message: Option<String>,
    ms: Option<u64>,
    copies: Option<u32>,
    state: Option<String>,
    machine: Option<String>,
    queue: Option<String>,
    times: Option<u64>,
    skip: Option<u64>,
    probability: Option<f64>,
    name: Option<String>,
    expect: Option<ExpectSpec>,
}

impl FaultSpec {
    fn into_fault(self) -> Result<Fault, String> {
        let kind = self.kind.as_str();
        let mut used = vec!["kind"];
        let mut need_op = || -> Result<String, String> {
            used.push("operation");
            let op = self
                .operation
                .clone()
                .ok_or_else(|| "'operation' is required".to_string())?;
            check_operation(&op).map_err(|e| e.to_string())?;
            Ok(op)
        };
        let mut fault = match kind {
            "throttle" => Fault::throttle(&need_op()?),
            "service_unavailable" => Fault::service_unavailable(&need_op()?),
            "internal_error" => Fault::internal_error(&need_op()?),
            "drop_connection" => Fault::drop_connection(&need_op()?),
            "lose_response" => Fault::lose_response(&need_op()?),
            "api_error" => {
                let op = need_op()?;
                used.extend(["code", "status", "message"]);
                let code = self.code.as_deref().ok_or("'code' is required")?;
                let status = self.status.ok_or("'status' is required")?;
                if !(400..=599).contains(&status) {
                    return Err(format!(
                        "'status' must be an error status (400-599), not {status}"
                    ));
                }
                let f = Fault::api_error(&op, code, status);
                match &self.message {
                    Some(m) => f.message(m.clone()),
                    None => f,
                }
            }
            "latency" => {
                let op = need_op()?;
                used.push("ms");
                Fault::latency(&op, self.duration()?)
            }
            "duplicate_delivery" => {
                used.extend(["copies", "ms"]);
                Fault::duplicate_delivery()
                    .copies(self.copies.unwrap_or(1))
                    .copy_after(Duration::from_millis(self.ms.unwrap_or(0)))
            }
            "delay_delivery" => {
                used.push("ms");
                Fault::delay_delivery(self.duration()?)
            }
            "reorder_deliveries" => Fault::reorder_deliveries(),
            "lose_message" => Fault::lose_message(),
            "jump_clock" => {
                used.push("ms");
                Fault::jump_clock(self.duration()?)
            }
            other => {
                return Err(format!(
                    "unknown kind '{other}' (throttle, service_unavailable, internal_error, \
                     api_error, latency, drop_connection, lose_response, duplicate_delivery, \
                     delay_delivery, reorder_deliveries, lose_message, jump_clock)"
                ))
            }
        };
        for (field, present) in [
            ("operation", self.operation.is_some()),
            ("code", self.code.is_some()),
            ("status", self.status.is_some()),
            ("message", self.message.is_some()),
            ("ms", self.ms.is_some()),
            ("copies", self.copies.is_some()),
        ] {
            if present && !used.contains(&field) {
                return Err(format!("'{field}' does not apply to kind '{kind}'"));
            }
        }
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("'probability' must be between 0 and 1, not {p}"));
            }
            fault = fault.probability(p);
        }
        if let Some(s) = self.state {
            fault = fault.for_state(s);
        }
        if let Some(m) = self.machine {
            fault = fault.for_machine(m);
        }
        if let Some(q) = self.queue {
            fault = fault.on_queue(q);
        }
        if let Some(n) = self.times {
            fault = fault.times(n);
        }
        if let Some(k) = self.skip {
            fault = fault.skip(k);
        }
        if let Some(n) = self.name {
            fault = fault.named(n);
        }
        match self.expect {
            Some(ExpectSpec::Exactly(n)) => fault = fault.expect(n),
            Some(ExpectSpec::Range { min, max }) => {
                let min = min.unwrap_or(0);
                let times: Times = match max {
                    Some(max) if max < min => {
                        return Err(format!("'expect' has max {max} below min {min}"))
                    }
                    Some(max) => (min..=max).into(),
                    None => (min..).into(),
                };
                fault = fault.expect(times);
            }
            None => {}
        }
        Ok(fault)
    }

    fn duration(&self) -> Result<Duration, String> {
        self.ms
            .map(Duration::from_millis)
            .ok_or_else(|| "'ms' is required".to_string())
    }
}

impl FaultPlan {
    /// An empty plan.
    pub fn new() -> FaultPlan {
        FaultPlan::default()
    }

    /// The seed the plan's probabilities use (instead of the harness's).
    pub fn seed(mut self, seed: u64) -> FaultPlan {
        self.seed = Some(seed);
        self
    }

    /// Adds a fault.
    pub fn with(mut self, fault: Fault) -> FaultPlan {
        self.faults.push(fault);
        self
    }

    /// The plan's seed, if it sets one.
    pub(crate) fn seed_value(&self) -> Option<u64> {
        self.seed
    }

    /// The plan's faults, in order.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// Parses a plan from JSON text.
    pub fn from_json(text: &str) -> Result<FaultPlan, FaultPlanError> {
        Self::parse(text, "<inline>")
    }

    /// Loads a plan from a JSON file (e.g. `fixtures/faults/throttled.json`).
    pub fn from_file(path: impl AsRef<Path>) -> Result<FaultPlan, FaultPlanError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| FaultPlanError::Io {
            path: shown.clone(),
            source,
        })?;
        Self::parse(&text, &shown)
    }

    /// Loads the plan file named by the environment variable `var`, if it is set and not empty
    /// (so CI can run one suite under several plans: `SFN_HARNESS_FAULTS=fixtures/faults/x.json`).
    pub fn from_env(var: &str) -> Result<Option<FaultPlan>, FaultPlanError> {
        match std::env::var(var) {
            Ok(path) if !path.trim().is_empty() => Self::from_file(path.trim()).map(Some),
            _ => Ok(None),
        }
    }

    fn parse(text: &str, path: &str) -> Result<FaultPlan, FaultPlanError> {
        let file: PlanFile = serde_json::from_str(text).map_err(|source| FaultPlanError::Json {
            path: path.to_string(),
            source,
        })?;
        let faults = file
            .faults
            .into_iter()
            .enumerate()
            .map(|(index, spec)| {
                let kind = spec.kind.clone();
                spec.into_fault()
                    .map_err(|message| FaultPlanError::Invalid {
                        path: path.to_string(),
                        index,
                        kind,
                        message,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FaultPlan {
            seed: file.seed,
            faults,
        })
    }
}
