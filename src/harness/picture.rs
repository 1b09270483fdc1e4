//! Pictures of harness executions: the definition with the execution overlaid
//! ([`crate::picture`]), the history as `GetExecutionHistory` returns it
//! ([`HistoryEvent::to_aws_json`](crate::engine::history::HistoryEvent::to_aws_json), the
//! conversion the server's `GetExecutionHistory` uses), and each open task token's scripted
//! worker as a waiting note. [`Finished::picture`](crate::Finished::picture),
//! [`Execution::picture`](crate::Execution::picture) and the failure reports use them.

use std::fmt::Write as _;

use serde_json::Value;

use crate::engine;
use crate::harness::HarnessInner;
use crate::picture::{Picture, PictureError};
use crate::sync::lock;

/// How many executions a verification report draws at most.
const MAX_REPORT_PICTURES: usize = 3;

impl HarnessInner {
    /// Records that the scripted worker `label` took `token`.
    pub(crate) fn hold_token(&self, token: &str, label: String) {
        lock(&self.holders).insert(token.to_string(), label);
    }

    /// The picture of `exec`: its definition, its history, and who holds its open tokens.
    pub(crate) fn picture_of(
        &self,
        exec: &engine::ExecutionRecord,
    ) -> Result<Picture, PictureError> {
        let definition: Value = serde_json::from_str(&exec.state_machine().definition_text)
            .map_err(|_| PictureError::NotAnObject)?;
        let events: Vec<Value> = exec.history().iter().map(|e| e.to_aws_json()).collect();
        let mut picture = Picture::of_definition(&definition)?.with_history(&events);
        let holders = lock(&self.holders).clone();
        for t in self.engine().tokens().open_tokens() {
            if t.execution_arn != exec.arn() {
                continue;
            }
            let note = match holders.get(&t.token) {
                Some(label) => format!("{label} holds the token"),
                None => "no scripted worker took the token".to_string(),
            };
            picture = picture.with_waiting(t.state_name, note);
        }
        Ok(picture)
    }

    /// The Mermaid text of [`picture_of`](Self::picture_of), or a line saying why there is none.
    pub(crate) fn mermaid_of(&self, exec: &engine::ExecutionRecord) -> String {
        match self.picture_of(exec) {
            Ok(p) => p.mermaid(),
            Err(e) => format!("%% sfn-harness drew no picture: {e}\n"),
        }
    }

    /// Pictures for a verification report: the executions still running (where they stood),
    /// or the newest execution when none runs; newest first, at most three.
    pub(crate) fn report_pictures(&self) -> Vec<(String, String)> {
        let all = self.engine().executions(None, None);
        let running: Vec<_> = all
            .iter()
            .filter(|e| e.status() == engine::Status::Running)
            .cloned()
            .collect();
        let chosen = if running.is_empty() {
            all.into_iter().take(1).collect()
        } else {
            running
        };
        chosen
            .iter()
            .take(MAX_REPORT_PICTURES)
            .map(|e| (e.arn().to_string(), self.mermaid_of(e)))
            .collect()
    }
}

/// Writes `mermaid` as a fenced ```` ```mermaid ```` block, indented by `indent`.
pub(crate) fn fenced(out: &mut String, indent: &str, mermaid: &str) {
    let _ = writeln!(out, "{indent}```mermaid");
    for line in mermaid.lines() {
        let _ = writeln!(out, "{indent}{line}");
    }
    let _ = writeln!(out, "{indent}```");
}
