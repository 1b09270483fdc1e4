//! What was injected: one [`InjectedFault`] per injection, in order, for assertions, snapshots
//! and failure messages.

use std::fmt;

use serde::Serialize;

use crate::harness::snapshot::offset;
use crate::time::Millis;

/// One injection: which fault, what it did, when (harness time since the harness started) and
/// to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InjectedFault {
    /// 1, 2, … in order of injection.
    pub seq: u64,
    /// Harness time since the harness started, in ms.
    #[serde(rename = "at", serialize_with = "as_offset")]
    pub at_ms: Millis,
    /// The fault's label (its name, or a description).
    pub fault: String,
    /// What happened: `ThrottlingException (400)`, `message lost`, `clock jumped 2h`, …
    pub action: String,
    /// The API call (`AWSStepFunctions.SendTaskSuccess`), for API faults.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The queue's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// The message id, for delivery faults.
    #[serde(rename = "messageId", skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The Task state whose token the call or message carried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The execution concerned.
    #[serde(rename = "executionArn", skip_serializing_if = "Option::is_none")]
    pub execution_arn: Option<String>,
}

fn as_offset<S: serde::Serializer>(ms: &Millis, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&offset(*ms))
}

impl fmt::Display for InjectedFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {} {}: {}",
            self.seq,
            offset(self.at_ms),
            self.fault,
            self.action
        )?;
        let mut on = Vec::new();
        if let Some(o) = &self.operation {
            on.push(o.clone());
        }
        if let Some(q) = &self.queue {
            on.push(format!("queue '{q}'"));
        }
        if let Some(m) = &self.message_id {
            on.push(format!("message {m}"));
        }
        if let Some(s) = &self.state {
            on.push(format!("state '{s}'"));
        }
        if let Some(e) = &self.execution_arn {
            on.push(format!("execution {e}"));
        }
        if !on.is_empty() {
            write!(f, " [{}]", on.join(", "))?;
        }
        Ok(())
    }
}

/// Every fault a harness injected, in order. Serializes as a JSON array (for snapshots) and
/// displays one line per injection (for failure messages).
///
/// ```
/// use sfn_harness::FaultReport;
/// let report = FaultReport::default();
/// assert!(report.is_empty());
/// assert_eq!(report.to_string(), "no fault was injected\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FaultReport {
    faults: Vec<InjectedFault>,
}

impl FaultReport {
    pub(crate) fn new(faults: Vec<InjectedFault>) -> FaultReport {
        FaultReport { faults }
    }

    /// How many injections.
    pub fn len(&self) -> usize {
        self.faults.len()
    }

    /// Whether nothing was injected.
    pub fn is_empty(&self) -> bool {
        self.faults.is_empty()
    }

    /// The injections, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, InjectedFault> {
        self.faults.iter()
    }

    /// How many injections did `action` (exact match, e.g. `"message lost"`) or started with
    /// it (e.g. `"ThrottlingException"`).
    pub fn count(&self, action: &str) -> usize {
        self.faults
            .iter()
            .filter(|f| f.action.starts_with(action))
            .count()
    }
}

impl<'a> IntoIterator for &'a FaultReport {
    type Item = &'a InjectedFault;
    type IntoIter = std::slice::Iter<'a, InjectedFault>;
    fn into_iter(self) -> Self::IntoIter {
        self.faults.iter()
    }
}

impl fmt::Display for FaultReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.faults.is_empty() {
            return writeln!(f, "no fault was injected");
        }
        for i in &self.faults {
            writeln!(f, "- {i}")?;
        }
        Ok(())
    }
}
