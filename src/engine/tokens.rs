//! The task-token registry: tokens issued by `.waitForTaskToken` tasks and the answers
//! (`SendTaskSuccess`, `SendTaskFailure`, `SendTaskHeartbeat`) that reach them.
//!
//! A token answers once. After its task succeeded, failed, timed out or its execution ended,
//! every further call is refused with `TaskTimedOut`, as AWS refuses it. A malformed token is
//! `InvalidToken`; a well-formed token this engine never issued is `TaskDoesNotExist`.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;
use tokio::sync::mpsc;

use crate::engine::error::ApiError;
use crate::engine::ids::Ids;

/// What a worker sent for a token.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskAnswer {
    /// `SendTaskSuccess` with the parsed output.
    Success(Value),
    /// `SendTaskFailure`.
    Failure {
        /// `error`, if given.
        error: Option<String>,
        /// `cause`, if given.
        cause: Option<String>,
    },
    /// `SendTaskHeartbeat`.
    Heartbeat,
}

#[derive(Debug)]
enum Entry {
    Open {
        execution_arn: String,
        state_name: String,
        tx: mpsc::UnboundedSender<TaskAnswer>,
    },
    Closed {
        execution_arn: String,
        state_name: String,
    },
}

impl Entry {
    fn closed(&self) -> Entry {
        match self {
            Entry::Open {
                execution_arn,
                state_name,
                ..
            }
            | Entry::Closed {
                execution_arn,
                state_name,
            } => Entry::Closed {
                execution_arn: execution_arn.clone(),
                state_name: state_name.clone(),
            },
        }
    }
}

/// Where an open token belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenToken {
    /// The token.
    pub token: String,
    /// Its execution.
    pub execution_arn: String,
    /// The Task state that issued it.
    pub state_name: String,
}

/// The registry.
#[derive(Debug, Default)]
pub struct Tokens {
    map: Mutex<HashMap<String, Entry>>,
}

impl Tokens {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // The map is only mutated by single inserts/replacements: a poisoned lock is consistent.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new open token; answers arrive on the returned receiver.
    pub fn open(
        &self,
        token: &str,
        execution_arn: &str,
        state_name: &str,
    ) -> mpsc::UnboundedReceiver<TaskAnswer> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock().insert(
            token.to_string(),
            Entry::Open {
                execution_arn: execution_arn.to_string(),
                state_name: state_name.to_string(),
                tx,
            },
        );
        rx
    }

    /// Closes a token: later answers are refused with `TaskTimedOut`.
    pub fn close(&self, token: &str) {
        let mut map = self.lock();
        if let Some(e @ Entry::Open { .. }) = map.get(token) {
            let closed = e.closed();
            map.insert(token.to_string(), closed);
        }
    }

    /// Closes every token of an execution (it ended).
    pub fn close_execution(&self, execution_arn: &str) {
        let mut map = self.lock();
        for entry in map.values_mut() {
            if let Entry::Open {
                execution_arn: arn, ..
            } = entry
            {
                if arn == execution_arn {
                    *entry = entry.closed();
                }
            }
        }
    }

    /// Tokens that are open now (for reports of unanswered work).
    pub fn open_tokens(&self) -> Vec<OpenToken> {
        let mut v: Vec<OpenToken> = self
            .lock()
            .iter()
            .filter_map(|(token, e)| match e {
                Entry::Open {
                    execution_arn,
                    state_name,
                    ..
                } => Some(OpenToken {
                    token: token.clone(),
                    execution_arn: execution_arn.clone(),
                    state_name: state_name.clone(),
                }),
                Entry::Closed { .. } => None,
            })
            .collect();
        v.sort_by(|a, b| a.token.cmp(&b.token));
        v
    }

    /// Whether `token` is open: issued and not yet answered, timed out or closed.
    pub fn is_open(&self, token: &str) -> bool {
        matches!(self.lock().get(token), Some(Entry::Open { .. }))
    }

    /// The execution a token (open or closed) belongs to.
    pub fn execution_of(&self, token: &str) -> Option<String> {
        self.task_of(token).map(|t| t.execution_arn)
    }

    /// The execution and state of a token this registry issued, open or closed.
    pub fn task_of(&self, token: &str) -> Option<OpenToken> {
        self.lock().get(token).map(|e| match e {
            Entry::Open {
                execution_arn,
                state_name,
                ..
            }
            | Entry::Closed {
                execution_arn,
                state_name,
            } => OpenToken {
                token: token.to_string(),
                execution_arn: execution_arn.clone(),
                state_name: state_name.clone(),
            },
        })
    }

    /// Delivers an answer. Success and failure close the token; a heartbeat keeps it open.
    pub fn answer(&self, token: &str, answer: TaskAnswer) -> Result<(), ApiError> {
        // `TaskToken` is a sensitive string of 1 to 2048 characters in the service model
        // (botocore `stepfunctions/2016-11-23/service-2.json`); a sensitive value is not echoed.
        if token.is_empty() {
            return Err(ApiError::validation(
                "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
            ));
        }
        if token.chars().count() > 2048 {
            return Err(ApiError::validation(
                "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048",
            ));
        }
        if !Ids::is_well_formed_token(token) {
            return Err(ApiError::invalid_token(format!("Invalid token: '{token}'")));
        }
        let mut map = self.lock();
        match map.get(token) {
            None => Err(ApiError::task_does_not_exist()),
            Some(Entry::Closed { .. }) => Err(ApiError::task_timed_out()),
            Some(e @ Entry::Open { tx, .. }) => {
                let closing = !matches!(answer, TaskAnswer::Heartbeat);
                if tx.send(answer).is_err() {
                    // The waiting task is gone (its execution ended): treat as closed.
                    let closed = e.closed();
                    map.insert(token.to_string(), closed);
                    return Err(ApiError::task_timed_out());
                }
                if closing {
                    let closed = e.closed();
                    map.insert(token.to_string(), closed);
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_lifecycle_matches_aws() {
        let tokens = Tokens::default();
        let mut ids = Ids::seeded(1);
        let t = ids.task_token();
        let mut rx = tokens.open(&t, "arn:x", "S");
        assert_eq!(tokens.answer(&t, TaskAnswer::Heartbeat), Ok(()));
        assert_eq!(
            tokens.answer(&t, TaskAnswer::Success(serde_json::json!(1))),
            Ok(())
        );
        assert_eq!(rx.try_recv().unwrap(), TaskAnswer::Heartbeat);
        assert!(matches!(rx.try_recv().unwrap(), TaskAnswer::Success(_)));
        // Answered once: refused afterwards.
        assert_eq!(
            tokens.answer(&t, TaskAnswer::Heartbeat).unwrap_err().code,
            "TaskTimedOut"
        );
        assert_eq!(
            tokens
                .answer("garbage", TaskAnswer::Heartbeat)
                .unwrap_err()
                .code,
            "InvalidToken"
        );
        assert_eq!(
            tokens
                .answer(&ids.task_token(), TaskAnswer::Heartbeat)
                .unwrap_err()
                .code,
            "TaskDoesNotExist"
        );
        assert_eq!(
            tokens.answer("", TaskAnswer::Heartbeat).unwrap_err().code,
            "ValidationException"
        );
    }
}
