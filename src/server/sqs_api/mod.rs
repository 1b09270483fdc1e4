//! The SQS API over AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Operation>`, PascalCase members),
//! translated to calls on [`Sqs`].
//!
//! Errors carry both the JSON `__type` and the `x-amzn-query-error: <code>;Sender` header that
//! SQS sends as an `awsQueryCompatible` service; the SDKs' typed errors match on the header.
//!
//! One table, `OPERATIONS`, names every operation with its handler: it is the dispatch, and
//! [`SQS_OPERATIONS`] is read from it, so the two cannot drift apart. A handler is one function
//! that reads the request's members, calls the [`Sqs`] and renders the reply: queue operations
//! are in `queues.rs`, message operations and batches in `messages.rs`.
#![warn(unreachable_pub)]

mod messages;
pub(crate) mod query;
mod queues;

use std::sync::Arc;

use serde_json::{json, Value};

use super::json::{self, parse_request, JsonReply, Members, ReplyBody};
use super::{BoxFuture, JsonService};
use crate::sqs::{ErrorType, Sqs, SqsError};

/// The target prefix of SQS operations.
pub(crate) const SQS_TARGET_PREFIX: &str = "AmazonSQS";

/// Serves the SQS JSON API from an [`Sqs`] engine.
#[derive(Clone)]
pub(crate) struct SqsApi {
    sqs: Arc<Sqs>,
    receives: Option<Arc<dyn ReceiveObserver>>,
}

impl std::fmt::Debug for SqsApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqsApi")
            .field("sqs", &self.sqs)
            .field("observed", &self.receives.is_some())
            .finish()
    }
}

impl SqsApi {
    /// The API of `sqs`.
    pub(crate) fn new(sqs: Arc<Sqs>) -> SqsApi {
        SqsApi {
            sqs,
            receives: None,
        }
    }

    /// The API of `sqs`, telling `observer` of every `ReceiveMessage` it serves.
    pub(crate) fn observed(sqs: Arc<Sqs>, observer: Arc<dyn ReceiveObserver>) -> SqsApi {
        SqsApi {
            sqs,
            receives: Some(observer),
        }
    }
}

/// Told of every `ReceiveMessage` the API serves, as it is answered: what the harness's
/// virtual-time holds learn of a worker's poll (issue 13: they read it from the reply's JSON
/// before, parsing the request and the reply again).
pub(crate) trait ReceiveObserver: Send + Sync + 'static {
    /// The poll of `queue_url` (as the request named it) is over; `messages` are what it
    /// handed out (none when the queue had none, or the call failed).
    fn received(&self, queue_url: &str, messages: &[crate::sqs::ReceivedMessage]);
}

/// Why a request failed: a member that cannot be read, or an SQS error.
type Failure = json::Failure<SqsError>;

impl From<SqsError> for Failure {
    fn from(e: SqsError) -> Self {
        Failure::Service(e)
    }
}

/// What a handler answers: the reply's JSON members, or why the request failed.
type Answer = Result<Value, Failure>;

/// How one operation is answered.
#[derive(Clone, Copy)]
enum Handler {
    /// At once.
    Now(fn(&Sqs, Members<'_>) -> Answer),
    /// At once, with the reply's text written by the handler.
    Written(fn(&Sqs, Members<'_>) -> Result<ReplyBody, Failure>),
    /// After a wait on the clock (a long poll), with the reply's text written by the handler
    /// (which tells the API's [`ReceiveObserver`]).
    Waits(for<'a> fn(&'a SqsApi, Members<'a>) -> BoxFuture<'a, Result<ReplyBody, Failure>>),
}

/// Every operation of the SQS API, with its handler. Every other `AmazonSQS.*` target is
/// `UnknownOperationException`.
const OPERATIONS: &[(&str, Handler)] = &[
    ("CreateQueue", Handler::Now(queues::create_queue)),
    ("GetQueueUrl", Handler::Now(queues::get_queue_url)),
    ("ListQueues", Handler::Now(queues::list_queues)),
    ("DeleteQueue", Handler::Now(queues::delete_queue)),
    ("PurgeQueue", Handler::Now(queues::purge_queue)),
    (
        "GetQueueAttributes",
        Handler::Now(queues::get_queue_attributes),
    ),
    (
        "SetQueueAttributes",
        Handler::Now(queues::set_queue_attributes),
    ),
    ("SendMessage", Handler::Now(messages::send_message)),
    (
        "SendMessageBatch",
        Handler::Now(messages::send_message_batch),
    ),
    ("ReceiveMessage", Handler::Waits(messages::receive_message)),
    ("DeleteMessage", Handler::Written(messages::delete_message)),
    (
        "DeleteMessageBatch",
        Handler::Now(messages::delete_message_batch),
    ),
    (
        "ChangeMessageVisibility",
        Handler::Now(messages::change_message_visibility),
    ),
    (
        "ChangeMessageVisibilityBatch",
        Handler::Now(messages::change_message_visibility_batch),
    ),
    ("TagQueue", Handler::Now(queues::tag_queue)),
    ("UntagQueue", Handler::Now(queues::untag_queue)),
    ("ListQueueTags", Handler::Now(queues::list_queue_tags)),
    (
        "ListDeadLetterSourceQueues",
        Handler::Now(queues::list_dead_letter_source_queues),
    ),
    ("AddPermission", Handler::Now(queues::add_permission)),
    ("RemovePermission", Handler::Now(queues::remove_permission)),
    (
        "StartMessageMoveTask",
        Handler::Now(queues::start_message_move_task),
    ),
    (
        "CancelMessageMoveTask",
        Handler::Now(queues::cancel_message_move_task),
    ),
    (
        "ListMessageMoveTasks",
        Handler::Now(queues::list_message_move_tasks),
    ),
];

/// The names in `OPERATIONS`, in its order.
const fn operation_names<const N: usize>() -> [&'static str; N] {
    let mut names = [""; N];
    let mut i = 0;
    while i < N {
        names[i] = OPERATIONS[i].0;
        i += 1;
    }
    names
}

/// Every operation of the SQS API (every other `AmazonSQS.*` target is
/// `UnknownOperationException`), every one served. Read from the dispatch table, so it lists
/// exactly what is served.
pub(crate) const SQS_OPERATIONS: &[&str] = &operation_names::<{ OPERATIONS.len() }>();

/// SQS's wire shape of an error: the JSON `__type` `com.amazonaws.sqs#<shape>` and the
/// `x-amzn-query-error: <query code>;<type>` header.
fn wire_error(
    shape: &str,
    query_code: &str,
    error_type: ErrorType,
    status: u16,
    message: &str,
) -> JsonReply {
    JsonReply::error(status, &SqsError::aws_type_of(shape), message)
        .with_header("x-amzn-query-error", format!("{query_code};{error_type}"))
}

/// The AWS JSON reply for an SQS error.
fn sqs_error_reply(e: &SqsError) -> JsonReply {
    wire_error(
        e.shape_name(),
        e.query_code(),
        e.error_type(),
        e.status(),
        &e.message(),
    )
}

/// An SQS error reply for an error that is not an [`SqsError`] (one the harness injects):
/// `code` is both the shape of `__type` and the query code, and a 5xx `status` is the
/// `Receiver`'s fault, anything else the `Sender`'s.
pub(crate) fn error_reply(code: &str, status: u16, message: &str) -> JsonReply {
    wire_error(code, code, ErrorType::for_status(status), status, message)
}

/// A required string member, or `MissingParameter`.
fn required(r: &Members<'_>, name: &str) -> Result<String, Failure> {
    match r.string(name)? {
        Some(s) => Ok(s),
        None => Err(SqsError::MissingParameter(name.to_string()).into()),
    }
}

/// The reply of an operation that answers nothing.
fn empty() -> Answer {
    Ok(json!({}))
}

impl SqsApi {
    async fn dispatch(&self, handler: Handler, body: &[u8]) -> Result<ReplyBody, Failure> {
        let request = parse_request(body)?;
        let r = request.members();
        match handler {
            Handler::Now(f) => f(&self.sqs, r).map(ReplyBody::Value),
            Handler::Written(f) => f(&self.sqs, r),
            Handler::Waits(f) => f(self, r).await,
        }
    }
}

impl JsonService for SqsApi {
    fn call<'a>(&'a self, operation: &'a str, body: &'a [u8]) -> BoxFuture<'a, JsonReply> {
        Box::pin(async move {
            let Some(&(_, handler)) = OPERATIONS.iter().find(|(name, _)| *name == operation) else {
                return JsonReply::unknown_operation(&format!("{SQS_TARGET_PREFIX}.{operation}"));
            };
            match self.dispatch(handler, body).await {
                Ok(body) => JsonReply::ok_body(body),
                Err(Failure::Malformed(m)) => m.into(),
                Err(Failure::Service(e)) => sqs_error_reply(&e),
            }
        })
    }
}

#[cfg(test)]
mod observer_tests {
    use std::sync::{Arc, Mutex};

    use super::{ReceiveObserver, SqsApi};
    use crate::server::JsonService;
    use crate::sqs::{ReceivedMessage, Sqs};
    use crate::time::Clock;

    /// One receive as heard: the queue URL, and each message's body and receipt handle.
    type Heard = (String, Vec<(String, String)>);

    /// Records what it is told.
    #[derive(Default)]
    struct Seen(Mutex<Vec<Heard>>);

    impl ReceiveObserver for Seen {
        fn received(&self, queue_url: &str, messages: &[ReceivedMessage]) {
            let bodies = messages
                .iter()
                .map(|m| (m.body.clone(), m.receipt_handle.clone()))
                .collect();
            crate::sync::lock(&self.0).push((queue_url.to_string(), bodies));
        }
    }

    /// The observer hears every `ReceiveMessage` the API answers, with the messages as handed
    /// out (bodies unescaped, the receipts of the reply), and one that fails, without any;
    /// a call refused before the queue is known is not a poll.
    #[tokio::test(flavor = "current_thread")]
    async fn the_observer_hears_every_receive() {
        let sqs = Arc::new(Sqs::new(
            Clock::real(),
            "123456789012",
            "us-east-1",
            "http://127.0.0.1:1",
        ));
        let seen = Arc::new(Seen::default());
        let api = SqsApi::observed(sqs, seen.clone());
        let created = api.call("CreateQueue", br#"{"QueueName":"q"}"#).await;
        let url: serde_json::Value = serde_json::from_slice(&created.body).unwrap();
        let url = url["QueueUrl"].as_str().unwrap().to_string();
        let send = serde_json::json!({ "QueueUrl": url, "MessageBody": "{\"t\":\"a\\\"b\"}" });
        assert_eq!(
            api.call("SendMessage", send.to_string().as_bytes())
                .await
                .status,
            200
        );
        let receive = serde_json::json!({ "QueueUrl": url }).to_string();
        let reply = api.call("ReceiveMessage", receive.as_bytes()).await;
        assert_eq!(reply.status, 200);
        let replied: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        let again = api.call("ReceiveMessage", receive.as_bytes()).await;
        assert_eq!(again.status, 200, "an empty receive");
        let gone = serde_json::json!({ "QueueUrl": format!("{url}-gone") }).to_string();
        assert_eq!(
            api.call("ReceiveMessage", gone.as_bytes()).await.status,
            400
        );
        assert_eq!(api.call("ReceiveMessage", b"{}").await.status, 400);
        let seen = crate::sync::lock(&seen.0).clone();
        let message = &replied["Messages"][0];
        assert_eq!(
            seen,
            vec![
                (
                    url.clone(),
                    vec![(
                        message["Body"].as_str().unwrap().to_string(),
                        message["ReceiptHandle"].as_str().unwrap().to_string()
                    )]
                ),
                (url.clone(), vec![]),
                (format!("{url}-gone"), vec![]),
            ]
        );
        assert_eq!(seen[0].1[0].0, "{\"t\":\"a\\\"b\"}");
    }
}
