//! Interceptors: a seam around every request, for whoever needs to bend the endpoint's behaviour
//! (the harness injects API faults through it: throttles, latency, dropped connections).
//!
//! An [`Interceptor`] sees each call twice. [`before`](Interceptor::before) runs first and may
//! answer in the service's place, wait (latency), or drop the connection without a response.
//! [`after`](Interceptor::after) sees the reply the service produced; it may hold the reply back
//! while it acts on it, and may still lose it: the request was handled, but the client never
//! hears so (as when a response is lost on the network). Interceptors run in the order they were
//! added; the first that does not let a call through decides.
//!
//! Example: the unit test `server_intercept_11` in `src/tests/doc_examples.rs`.

use super::{BoxFuture, JsonReply};

/// One request as interceptors see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The `X-Amz-Target` header, if any (`AWSStepFunctions.StartExecution`).
    pub target: Option<&'a str>,
    /// The raw request body.
    pub body: &'a [u8],
}

impl<'a> Call<'a> {
    /// The service prefix of the target (`AWSStepFunctions`, `AmazonSQS`).
    pub(crate) fn prefix(&self) -> Option<&'a str> {
        self.target.and_then(|t| t.split_once('.')).map(|(p, _)| p)
    }

    /// The operation of the target (`StartExecution`).
    pub(crate) fn operation(&self) -> Option<&'a str> {
        self.target.and_then(|t| t.split_once('.')).map(|(_, o)| o)
    }
}

/// What [`Interceptor::before`] decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Before {
    /// Let the call through to the service (or to the next interceptor).
    Continue,
    /// Answer with this reply; the service never sees the call.
    Reply(JsonReply),
    /// Close the connection without answering; the service never sees the call.
    DropConnection,
}

/// What [`Interceptor::after`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum After {
    /// Send the reply.
    Send,
    /// The call was handled, but close the connection instead of answering.
    DropConnection,
}

/// How a call ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// This reply is sent.
    Reply(JsonReply),
    /// The connection is closed without a response.
    Dropped,
}

/// What an interceptor decides: at once, or once a future resolves (an injected latency
/// waits). Most calls are decided at once, and then nothing is boxed (issue 13: every
/// interceptor boxed a future for every call, twice).
pub(crate) enum Decision<'a, T> {
    /// Decided.
    Now(T),
    /// Decided when this resolves.
    Later(BoxFuture<'a, T>),
}

impl<T> Decision<'_, T> {
    /// The decision, waited for if need be.
    pub(crate) async fn resolve(self) -> T {
        match self {
            Decision::Now(t) => t,
            Decision::Later(f) => f.await,
        }
    }
}

/// Sees every request before and after its service; see the [module docs](crate::internals::intercept).
pub(crate) trait Interceptor: Send + Sync + 'static {
    /// Runs before the service. May wait (an injected latency) before deciding.
    fn before<'a>(&'a self, call: &'a Call<'a>) -> Decision<'a, Before>;

    /// Runs after the service with its reply (not called when `before` did not continue). The
    /// client gets the reply only once this resolves.
    fn after<'a>(&'a self, call: &'a Call<'a>, reply: &'a JsonReply) -> Decision<'a, After>;
}
