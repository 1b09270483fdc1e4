//! The task-token registry: tokens issued by `.waitForTaskToken` tasks and the answers
//! (`SendTaskSuccess`, `SendTaskFailure`, `SendTaskHeartbeat`) that reach them.
//!
//! A token answers once. After its task succeeded, failed, timed out or its execution ended,
//! every further call is refused with `TaskTimedOut`, as AWS refuses it. A malformed token is
//! `InvalidToken`; a well-formed token this engine never issued is `TaskDoesNotExist`.

use crate::sync::lock;
use std::collections::HashMap;
use std::sync::Mutex;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::{watch, Notify};

use crate::engine::error::ApiError;
use crate::ids::Ids;

/// What a worker sent for a token: the outcome the waiting task receives.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenOutcome {
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
    /// An activity worker took the task with `GetActivityTask` (keeps the token open).
    Started {
        /// The poller's `workerName`, if it gave one.
        worker_name: Option<String>,
    },
}

/// Where a token's answers wait for its task: a queue and a wake-up, ~100 bytes. (A tokio
/// `mpsc` channel allocates a block of 32 slots up front, ~2.8 KB for every parked callback
/// execution: issue 13.)
#[derive(Debug, Default)]
struct Inbox {
    queue: Mutex<VecDeque<TokenOutcome>>,
    /// The registry let go of the token (it closed): no answer comes any more.
    sender_gone: AtomicBool,
    /// The waiting task is gone: answers have nowhere to go.
    receiver_gone: AtomicBool,
    ready: Notify,
}

/// The registry's end of a token's [`Inbox`].
#[derive(Debug)]
struct Sender(Arc<Inbox>);

impl Sender {
    /// Queues an answer; gives it back when the waiting task is gone.
    fn send(&self, answer: TokenOutcome) -> Result<(), TokenOutcome> {
        if self.0.receiver_gone.load(Ordering::Acquire) {
            return Err(answer);
        }
        lock(&self.0.queue).push_back(answer);
        // A stored permit if the task is not waiting yet: no answer is missed.
        self.0.ready.notify_one();
        Ok(())
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        self.0.sender_gone.store(true, Ordering::Release);
        self.0.ready.notify_one();
    }
}

/// The waiting task's end of a token's inbox: its answers in the order they were sent.
#[derive(Debug)]
pub(crate) struct Answers(Arc<Inbox>);

impl Answers {
    /// The next answer, or `None` once the token was closed from outside and every answer
    /// sent before was taken.
    pub(crate) async fn recv(&mut self) -> Option<TokenOutcome> {
        loop {
            if let Some(a) = lock(&self.0.queue).pop_front() {
                return Some(a);
            }
            if self.0.sender_gone.load(Ordering::Acquire) {
                // An answer queued just before the sender went.
                return lock(&self.0.queue).pop_front();
            }
            self.0.ready.notified().await;
        }
    }

    /// The next answer if one is waiting (tests).
    #[cfg(test)]
    fn try_recv(&mut self) -> Option<TokenOutcome> {
        lock(&self.0.queue).pop_front()
    }
}

impl Drop for Answers {
    fn drop(&mut self) {
        self.0.receiver_gone.store(true, Ordering::Release);
    }
}

#[derive(Debug)]
struct Open {
    /// Shared with the registry's other entries for the token and its execution: one copy of
    /// the token and of the ARN however many maps name them (issue 13).
    execution_arn: Arc<str>,
    state_name: Box<str>,
    tx: Sender,
    /// Dropped when the token closes, which ends every [`Tokens::closed`] wait on it. Made on
    /// the first such wait only.
    closing: Option<watch::Sender<()>>,
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

#[derive(Debug, Default)]
struct Registry {
    open: HashMap<Arc<str>, Open>,
    /// Closed tokens, with their execution and state: answers to them are refused with
    /// `TaskTimedOut`.
    closed: HashMap<Arc<str>, (Arc<str>, Box<str>)>,
    /// The open tokens of each execution, so an execution's end closes them without a scan.
    by_execution: HashMap<Arc<str>, Vec<Arc<str>>>,
}

impl Registry {
    /// Moves an open token to the closed ones (which ends its [`Tokens::closed`] waits).
    fn close(&mut self, token: &str) {
        let Some((token, open)) = self.open.remove_entry(token) else {
            return;
        };
        if let Some(tokens) = self.by_execution.get_mut(&*open.execution_arn) {
            tokens.retain(|t| *t != token);
            if tokens.is_empty() {
                self.by_execution.remove(&*open.execution_arn);
            }
        }
        self.closed
            .insert(token, (open.execution_arn, open.state_name));
    }
}

/// The registry of the tokens an engine issued, open and closed.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    map: Mutex<Registry>,
}

impl Tokens {
    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        // The registry is mutated by single inserts/moves: a poisoned lock is consistent.
        lock(&self.map)
    }

    /// Registers a new open token; answers arrive on the returned receiver.
    pub(crate) fn open(&self, token: &str, execution_arn: &str, state_name: &str) -> Answers {
        let inbox = Arc::new(Inbox::default());
        let (tx, rx) = (Sender(inbox.clone()), Answers(inbox));
        let mut map = self.lock();
        map.closed.remove(token);
        let token: Arc<str> = token.into();
        let arn: Arc<str> = match map.by_execution.get_key_value(execution_arn) {
            Some((arn, _)) => arn.clone(),
            None => execution_arn.into(),
        };
        let previous = map.open.insert(
            token.clone(),
            Open {
                execution_arn: arn.clone(),
                state_name: state_name.into(),
                tx,
                closing: None,
            },
        );
        if previous.is_none() {
            map.by_execution.entry(arn).or_default().push(token);
        }
        rx
    }

    /// Closes a token: later answers are refused with `TaskTimedOut`.
    pub(crate) fn close(&self, token: &str) {
        self.lock().close(token);
    }

    /// Closes every token of an execution (it ended).
    pub(crate) fn close_execution(&self, execution_arn: &str) {
        let mut map = self.lock();
        for token in map.by_execution.remove(execution_arn).unwrap_or_default() {
            map.close(&token);
        }
    }

    /// Whether `token` is open now.
    pub(crate) fn is_open(&self, token: &str) -> bool {
        self.lock().open.contains_key(token)
    }

    /// A future that is ready once `token` is no longer open: at once if it is not open now,
    /// else when it is answered, times out, or its execution ends.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "the harness's holds for real workers are to wait on it; tested below"
        )
    )]
    pub(crate) fn closed(
        &self,
        token: &str,
    ) -> impl std::future::Future<Output = ()> + Send + 'static + use<> {
        let rx = self.lock().open.get_mut(token).map(|open| {
            open.closing
                .get_or_insert_with(|| watch::channel(()).0)
                .subscribe()
        });
        async move {
            if let Some(mut rx) = rx {
                // Nothing is ever sent: `changed` fails once the sender, held by the open
                // token, is dropped as the token closes.
                while rx.changed().await.is_ok() {}
            }
        }
    }

    /// How many tokens are open now.
    pub(crate) fn open_count(&self) -> usize {
        self.lock().open.len()
    }

    /// Tokens that are open now (for reports of unanswered work).
    pub(crate) fn open_tokens(&self) -> Vec<OpenToken> {
        let mut v: Vec<OpenToken> = self
            .lock()
            .open
            .iter()
            .map(|(token, e)| OpenToken {
                token: token.to_string(),
                execution_arn: e.execution_arn.to_string(),
                state_name: e.state_name.to_string(),
            })
            .collect();
        v.sort_by(|a, b| a.token.cmp(&b.token));
        v
    }

    /// The execution and state of a token this registry issued, open or closed.
    pub(crate) fn task_of(&self, token: &str) -> Option<OpenToken> {
        let map = self.lock();
        let (execution_arn, state_name) = match map.open.get(token) {
            Some(open) => (open.execution_arn.to_string(), open.state_name.to_string()),
            None => map
                .closed
                .get(token)
                .map(|(arn, state)| (arn.to_string(), state.to_string()))?,
        };
        Some(OpenToken {
            token: token.to_string(),
            execution_arn,
            state_name,
        })
    }

    /// Refuses a token that is too long, empty or not one this engine's format, as AWS does
    /// before anything else in `SendTask*`.
    pub(crate) fn check_format(token: &str) -> Result<(), ApiError> {
        if token.is_empty() || token.len() > 2048 {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and 2048 (got {})",
                token.len()
            )));
        }
        if !Ids::is_well_formed_token(token) {
            // AWS's text, whatever the token (recorded for `aws-sdk:sfn:sendTaskSuccess` with
            // the token `NoSuchTaskToken` in LocalStack's AWS-validated
            // `test_sfn_send_task_outcome_with_no_such_token`, `../shared/conformance/v2`).
            return Err(ApiError::invalid_token("Invalid Token: 'Invalid token'"));
        }
        Ok(())
    }

    /// Delivers an answer. Success and failure close the token; a heartbeat keeps it open.
    pub(crate) fn answer(&self, token: &str, answer: TokenOutcome) -> Result<(), ApiError> {
        Tokens::check_format(token)?;
        let mut map = self.lock();
        let Some(open) = map.open.get(token) else {
            return Err(if map.closed.contains_key(token) {
                ApiError::task_timed_out()
            } else {
                ApiError::task_does_not_exist()
            });
        };
        let closing = !matches!(
            answer,
            TokenOutcome::Heartbeat | TokenOutcome::Started { .. }
        );
        if open.tx.send(answer).is_err() {
            // The waiting task is gone (its execution ended): treat as closed.
            map.close(token);
            return Err(ApiError::task_timed_out());
        }
        if closing {
            map.close(token);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_closes_the_token_and_reaches_the_task() {
        let tokens = Tokens::default();
        let token = Ids::seeded(1).task_token();
        let mut answers = tokens.open(
            &token,
            "arn:aws:states:us-east-1:123456789012:execution:m:e",
            "Ask",
        );
        assert!(tokens.is_open(&token));
        let closed = tokens.closed(&token);
        tokens
            .answer(
                &token,
                TokenOutcome::Success(serde_json::json!({ "ok": true })),
            )
            .unwrap();
        closed.await; // the answer closed the token
        assert!(!tokens.is_open(&token));
        assert!(matches!(
            answers.recv().await,
            Some(TokenOutcome::Success(_))
        ));
        assert!(tokens.open_tokens().is_empty());
    }

    #[tokio::test]
    async fn an_inbox_delivers_in_order_and_ends_when_either_side_goes() {
        // What every open token holds while its task waits (issue 13: the tokio channel it
        // replaced allocated ~2.8 KB up front); an empty queue allocates nothing.
        assert!(
            std::mem::size_of::<Inbox>() <= 128,
            "{}",
            std::mem::size_of::<Inbox>()
        );
        let inbox = Arc::new(Inbox::default());
        let (tx, mut rx) = (Sender(inbox.clone()), Answers(inbox));
        // Answers sent before the task waits are kept, in order.
        tx.send(TokenOutcome::Heartbeat).unwrap();
        tx.send(TokenOutcome::Success(serde_json::json!(1)))
            .unwrap();
        assert_eq!(rx.recv().await, Some(TokenOutcome::Heartbeat));
        assert_eq!(
            rx.recv().await,
            Some(TokenOutcome::Success(serde_json::json!(1)))
        );
        // One sent while the task waits wakes it.
        let waiting = tokio::spawn(async move {
            let a = rx.recv().await;
            (a, rx)
        });
        tokio::task::yield_now().await;
        tx.send(TokenOutcome::Heartbeat).unwrap();
        let (a, mut rx) = waiting.await.unwrap();
        assert_eq!(a, Some(TokenOutcome::Heartbeat));
        // The registry letting go ends the wait, after what was sent before.
        tx.send(TokenOutcome::Heartbeat).unwrap();
        drop(tx);
        assert_eq!(rx.recv().await, Some(TokenOutcome::Heartbeat));
        assert_eq!(rx.recv().await, None);
        // The task gone: a send gives the answer back.
        let inbox = Arc::new(Inbox::default());
        let (tx, rx) = (Sender(inbox.clone()), Answers(inbox));
        drop(rx);
        assert_eq!(
            tx.send(TokenOutcome::Heartbeat),
            Err(TokenOutcome::Heartbeat)
        );
    }

    #[test]
    fn token_lifecycle_matches_aws() {
        let tokens = Tokens::default();
        let mut ids = Ids::seeded(1);
        let t = ids.task_token();
        let mut rx = tokens.open(&t, "arn:x", "S");
        assert_eq!(tokens.answer(&t, TokenOutcome::Heartbeat), Ok(()));
        assert_eq!(
            tokens.answer(&t, TokenOutcome::Success(serde_json::json!(1))),
            Ok(())
        );
        assert_eq!(rx.try_recv().unwrap(), TokenOutcome::Heartbeat);
        assert!(matches!(rx.try_recv().unwrap(), TokenOutcome::Success(_)));
        // Answered once: refused afterwards.
        assert_eq!(
            tokens
                .answer(&t, TokenOutcome::Heartbeat)
                .unwrap_err()
                .code(),
            "TaskTimedOut"
        );
        assert_eq!(
            tokens
                .answer("garbage", TokenOutcome::Heartbeat)
                .unwrap_err()
                .code(),
            "InvalidToken"
        );
        assert_eq!(
            tokens
                .answer(&ids.task_token(), TokenOutcome::Heartbeat)
                .unwrap_err()
                .code(),
            "TaskDoesNotExist"
        );
        assert_eq!(
            tokens
                .answer("", TokenOutcome::Heartbeat)
                .unwrap_err()
                .code(),
            "ValidationException"
        );
    }

    #[tokio::test]
    async fn closed_resolves_when_the_token_closes_and_not_before() {
        use std::time::Duration;
        let pending = |f| async move {
            tokio::time::timeout(Duration::from_millis(20), f)
                .await
                .is_err()
        };
        let tokens = Tokens::default();
        let mut ids = Ids::seeded(2);
        let (a, b, c) = (ids.task_token(), ids.task_token(), ids.task_token());
        let _ra = tokens.open(&a, "arn:e1", "S");
        let _rb = tokens.open(&b, "arn:e1", "S");
        let _rc = tokens.open(&c, "arn:e2", "S");

        // Open, and a heartbeat keeps it open.
        assert!(pending(tokens.closed(&a)).await);
        tokens.answer(&a, TokenOutcome::Heartbeat).unwrap();
        assert!(pending(tokens.closed(&a)).await);
        // Answered: closed, for a waiter from before and one from after.
        let before = tokens.closed(&a);
        tokens
            .answer(&a, TokenOutcome::Success(serde_json::json!({})))
            .unwrap();
        before.await;
        tokens.closed(&a).await;
        assert!(!tokens.is_open(&a));
        assert_eq!(
            tokens.task_of(&a).map(|t| t.execution_arn).as_deref(),
            Some("arn:e1")
        );

        // The execution's end closes its tokens, not another execution's.
        let waiting_b = tokens.closed(&b);
        tokens.close_execution("arn:e1");
        waiting_b.await;
        assert!(pending(tokens.closed(&c)).await);
        assert_eq!(
            tokens
                .open_tokens()
                .iter()
                .map(|t| &t.token)
                .collect::<Vec<_>>(),
            vec![&c]
        );
        // A timeout closes it; an unknown token is "not open" at once.
        tokens.close(&c);
        tokens.closed(&c).await;
        tokens.closed(&ids.task_token()).await;
        assert_eq!(
            tokens
                .answer(&c, TokenOutcome::Heartbeat)
                .unwrap_err()
                .code(),
            "TaskTimedOut"
        );
    }

    /// Issue 13: the registry keeps one copy of a token and of its execution's ARN, however
    /// many of its maps name them, open and closed.
    #[test]
    fn the_registry_shares_its_strings() {
        let tokens = Tokens::default();
        let mut ids = Ids::seeded(3);
        let (a, b) = (ids.task_token(), ids.task_token());
        let _ra = tokens.open(&a, "arn:e1", "S");
        let _rb = tokens.open(&b, "arn:e1", "T");
        {
            let map = tokens.lock();
            let (key, open) = map.open.get_key_value(a.as_str()).unwrap();
            let (arn, listed) = map.by_execution.get_key_value("arn:e1").unwrap();
            assert!(Arc::ptr_eq(arn, &open.execution_arn));
            assert!(Arc::ptr_eq(arn, &map.open[b.as_str()].execution_arn));
            assert!(Arc::ptr_eq(key, &listed[0]));
        }
        tokens.close(&a);
        let map = tokens.lock();
        let (key, (arn, state)) = map.closed.get_key_value(a.as_str()).unwrap();
        assert!(Arc::ptr_eq(arn, &map.open[b.as_str()].execution_arn));
        assert_eq!((&**key, &**state), (a.as_str(), "S"));
    }
}
