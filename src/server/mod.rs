//! The HTTP endpoint: one loopback port that the real AWS SDK clients talk to.
//!
//! Every AWS JSON 1.0 request is `POST /` with an `X-Amz-Target: <Prefix>.<Operation>` header.
//! A request without one whose body is a form (`Action=…&Version=2012-11-05`) is an SQS query
//! request: the SQS query front-end (`sqs_api::query`) turns it into the JSON request of the same
//! operation, routes it like any other, and answers in XML; one whose `Version` is SNS's
//! (`2010-03-31`) goes to the SNS query front-end (`sns_api::query`) the same way. A [`Router`] maps prefixes to [`JsonService`]s — `AmazonSQS` to the SQS engine
//! ([`SqsApi`]), and `AWSStepFunctions` to whatever Step Functions API is plugged in with
//! [`Router::with_service`]. A [`Server`] binds `127.0.0.1:0` (or, with [`Server::bind`], any
//! address) synchronously (so its URL is known at once), serves with hyper (the harness's
//! endpoint from a thread of its own, [`Server::bind`] on the current tokio runtime), logs one
//! `tracing` event per request (target `sfn_harness::request`), and shuts down gracefully when
//! dropped or on [`Server::shutdown`].
//!
//! Every request holds a [`Clock::activity`] while it is handled, so virtual time never skips
//! under a request in progress; a long poll parks while it waits.
//!
//! Example: the unit test `server_mod_17` in `src/tests/doc_examples.rs`.

pub(crate) mod intercept;
pub(crate) mod json;
pub(crate) mod query;
pub(crate) mod s3_api;
pub(crate) mod sfn_api;
pub(crate) mod sns_api;
pub(crate) mod sqs_api;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub(crate) use json::JsonReply;
pub(crate) use sqs_api::{SqsApi, SQS_TARGET_PREFIX};

use crate::sqs::Sqs;
use crate::time::Clock;
use intercept::{After, Before, Call, Interceptor, Outcome};

/// A boxed, sendable future, as returned by [`JsonService::call`] (the crate's one
/// `BoxFuture`, defined with the task port).
pub(crate) use crate::engine::task::BoxFuture;

/// The largest request body accepted (bigger ones get a 413 error).
pub(crate) const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// How much of an oversized body is read and discarded before answering.
const DRAIN_BYTES: usize = 32 * 1024 * 1024;

/// The target prefix of Step Functions operations.
pub(crate) const SFN_TARGET_PREFIX: &str = "AWSStepFunctions";

/// The name of the thread that serves a harness's endpoint ([`Server::start`]).
const ENDPOINT_THREAD: &str = "sfn-harness-endpoint";

/// One AWS JSON 1.0 service: answers operations of one `X-Amz-Target` prefix.
///
/// Every failure should be a [`JsonReply`] error; a panic is caught by the [`Router`] and
/// answered as a 500 `InternalFailure` naming the target.
pub(crate) trait JsonService: Send + Sync + 'static {
    /// Handles `operation` (the part of the target after the dot) with the raw request body.
    fn call<'a>(&'a self, operation: &'a str, body: &'a [u8]) -> BoxFuture<'a, JsonReply>;
}

/// Routes requests to services by the prefix of `X-Amz-Target`.
///
/// ```
/// use sfn_harness::internals::{Account, AccountConfig};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let router = Account::new(AccountConfig::default()).router();
/// let reply = router.handle(Some("AWSStepFunctions.ListStateMachines"), b"{}").await;
/// assert_eq!(reply.status, 200);
/// let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
/// assert_eq!(body["stateMachines"], serde_json::json!([]));
/// # }
/// ```
#[derive(Clone)]
pub struct Router {
    clock: Clock,
    services: Vec<(String, Arc<dyn JsonService>)>,
    interceptors: Vec<Arc<dyn Interceptor>>,
    sqs: Option<Arc<Sqs>>,
    s3: Option<Arc<crate::s3::S3>>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field(
                "prefixes",
                &self.services.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            )
            .field("interceptors", &self.interceptors.len())
            .finish_non_exhaustive()
    }
}

impl Router {
    /// A router with no services; every request gets `UnknownOperationException`.
    pub(crate) fn new(clock: Clock) -> Router {
        Router {
            clock,
            services: Vec::new(),
            interceptors: Vec::new(),
            sqs: None,
            s3: None,
        }
    }

    /// Serves `AmazonSQS.*` from `sqs`. When the server starts, `sqs` mints queue URLs on the
    /// server's address.
    pub(crate) fn with_sqs(mut self, sqs: Arc<Sqs>) -> Router {
        self.sqs = Some(sqs.clone());
        self.with_service(SQS_TARGET_PREFIX, Arc::new(SqsApi::new(sqs)))
    }

    /// Tells `observer` of every `ReceiveMessage` the SQS API serves. Called after
    /// [`Router::with_sqs`] (a router without SQS serves no `ReceiveMessage` to observe).
    pub(crate) fn with_sqs_receives(self, observer: Arc<dyn sqs_api::ReceiveObserver>) -> Router {
        debug_assert!(self.sqs.is_some(), "with_sqs_receives before with_sqs");
        match self.sqs.clone() {
            Some(sqs) => {
                self.with_service(SQS_TARGET_PREFIX, Arc::new(SqsApi::observed(sqs, observer)))
            }
            None => self,
        }
    }

    /// Serves S3's REST-XML requests (the `s3_api` module) from `s3`.
    pub(crate) fn with_s3(mut self, s3: Arc<crate::s3::S3>) -> Router {
        self.s3 = Some(s3);
        self
    }

    /// Serves `<prefix>.*` from `service` (replacing an earlier one), e.g.
    /// `with_service("AWSStepFunctions", sfn_api)`.
    pub(crate) fn with_service(mut self, prefix: &str, service: Arc<dyn JsonService>) -> Router {
        self.services.retain(|(p, _)| p != prefix);
        self.services.push((prefix.to_string(), service));
        self
    }

    /// Adds an [`Interceptor`] that sees every call served over HTTP (and through
    /// [`Router::call`]); interceptors run in the order they were added.
    pub(crate) fn with_interceptor(mut self, interceptor: Arc<dyn Interceptor>) -> Router {
        self.interceptors.push(interceptor);
        self
    }

    /// Serves one call as the endpoint does: through the interceptors, then the service.
    pub(crate) async fn call(&self, target: Option<&str>, body: &[u8]) -> Outcome {
        let call = Call { target, body };
        for i in &self.interceptors {
            match i.before(&call).resolve().await {
                Before::Continue => {}
                Before::Reply(reply) => return Outcome::Reply(reply),
                Before::DropConnection => return Outcome::Dropped,
            }
        }
        let reply = self.handle(target, body).await;
        for i in &self.interceptors {
            if i.after(&call, &reply).resolve().await == After::DropConnection {
                return Outcome::Dropped;
            }
        }
        Outcome::Reply(reply)
    }

    /// Answers one request, given its `X-Amz-Target` header and body, from its service alone
    /// (interceptors are not consulted; see [`Router::call`]).
    pub async fn handle(&self, target: Option<&str>, body: &[u8]) -> JsonReply {
        let Some(target) = target else {
            return JsonReply::error(
                400,
                json::UNKNOWN_OPERATION_EXCEPTION,
                "Missing X-Amz-Target header: the operation cannot be determined.",
            );
        };
        let Some((prefix, op)) = target.split_once('.') else {
            return JsonReply::unknown_operation(target);
        };
        match self.services.iter().find(|(p, _)| p == prefix) {
            Some((_, svc)) => match CatchUnwind(svc.call(op, body)).await {
                Ok(reply) => reply,
                // A bug in a service must not take the connection down silently.
                Err(panic) => JsonReply::error(
                    500,
                    "com.amazon.coral.service#InternalFailure",
                    &format!("{target} panicked: {panic}"),
                ),
            },
            None => JsonReply::unknown_operation(target),
        }
    }
}

/// Polls a future, turning a panic into `Err(message)`.
struct CatchUnwind<F>(F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let fut = &mut self.0;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Pin::new(fut).poll(cx))) {
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(payload) => {
                let msg = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_string());
                std::task::Poll::Ready(Err(msg))
            }
        }
    }
}

/// A running endpoint. Dropping it stops accepting connections and closes idle ones
/// gracefully; [`Server::shutdown`] also waits for in-flight requests.
///
/// ```
/// use sfn_harness::internals::{Account, AccountConfig, Server};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let server = Server::bind(Account::new(AccountConfig::default()).router(), ("127.0.0.1", 0))?;
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// server.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Server {
    url: String,
    // Read by the crate's own tests only (`Server::router`).
    #[cfg_attr(not(test), allow(dead_code))]
    router: Arc<Router>,
    stop: watch::Sender<bool>,
    running: Option<Running>,
}

/// A bound listener, before its accept loop is running somewhere ([`Server::listen`]).
struct Listening {
    listener: tokio::net::TcpListener,
    url: String,
    router: Arc<Router>,
    stop: watch::Sender<bool>,
    stop_rx: watch::Receiver<bool>,
}

impl Listening {
    /// Hands the accept loop to `run`, which starts it somewhere and says where.
    fn serve(
        self,
        run: impl FnOnce(BoxFuture<'static, ()>) -> std::io::Result<Running>,
    ) -> std::io::Result<Server> {
        let accepting = Box::pin(accept_loop(
            self.listener,
            self.router.clone(),
            self.stop_rx,
        ));
        Ok(Server {
            running: Some(run(accepting)?),
            url: self.url,
            router: self.router,
            stop: self.stop,
        })
    }
}

/// Where a [`Server`]'s accept loop runs, and how [`Server::shutdown`] waits for it.
#[derive(Debug)]
enum Running {
    /// A task on the runtime that called [`Server::bind`].
    Task(tokio::task::JoinHandle<()>),
    /// A thread of its own ([`Server::start`]): its loop has ended when this resolves (a send,
    /// or the sender dropped by a thread that panicked).
    Thread(tokio::sync::oneshot::Receiver<()>),
}

impl Server {
    /// Binds `127.0.0.1:0` and serves `router` from a thread of its own, named
    /// `sfn-harness-endpoint`, on a current-thread tokio runtime: the [`Harness`]'s endpoint.
    ///
    /// Its connections, and the executions and long polls that its requests start, run on
    /// that thread, apart from the test's own runtime, where the SDK clients run. Sharing the
    /// test's two worker threads cost the in-process harness a sixth of its round trips per
    /// second against a stub endpoint in the same process (`cargo bench --bench roundtrip`,
    /// concurrency 16: a median of 88% of the stub, 99% from its own thread, while the stub
    /// gains nothing from one; README › Benchmarks, ninth round). Nothing about what the
    /// endpoint does depends on the runtime it runs on: virtual time counts activities, not
    /// runtimes.
    ///
    /// When the server stops, its runtime is dropped with whatever still runs on it.
    ///
    /// Fails if the runtime or the thread cannot be created or the port cannot be bound.
    ///
    /// [`Harness`]: crate::Harness
    pub(crate) fn start(router: Router) -> std::io::Result<Server> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name(ENDPOINT_THREAD)
            .build()?;
        let listening = {
            let _guard = runtime.enter();
            Server::listen(router, (std::net::Ipv4Addr::LOCALHOST, 0))?
        };
        listening.serve(|accepting| {
            let (done, finished) = tokio::sync::oneshot::channel();
            std::thread::Builder::new()
                .name(ENDPOINT_THREAD.into())
                .spawn(move || {
                    runtime.block_on(accepting);
                    let _ = done.send(());
                    // Dropping the runtime here ends what still runs on it.
                })?;
            Ok(Running::Thread(finished))
        })
    }

    /// Binds `addr` (port 0: the OS picks one) and serves `router` on the current tokio
    /// runtime. [`Server::url`] names the bound address; for an unspecified address
    /// (`0.0.0.0`, `::`) it names loopback, which reaches it from this machine.
    ///
    /// ```
    /// use sfn_harness::internals::{Account, AccountConfig, Server};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let account = Account::new(AccountConfig::default());
    /// let server = Server::bind(account.router(), ("0.0.0.0", 0))?;
    /// assert!(server.url().starts_with("http://127.0.0.1:"), "{}", server.url());
    /// server.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub fn bind(router: Router, addr: impl std::net::ToSocketAddrs) -> std::io::Result<Server> {
        let handle = tokio::runtime::Handle::try_current().map_err(|e| {
            std::io::Error::other(format!("Server::bind needs a tokio runtime: {e}"))
        })?;
        Server::listen(router, addr)?.serve(|accepting| Ok(Running::Task(handle.spawn(accepting))))
    }

    /// Binds `addr` for the runtime entered by the caller, and names the URL clients use.
    fn listen(router: Router, addr: impl std::net::ToSocketAddrs) -> std::io::Result<Listening> {
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let reachable = match addr.ip() {
            std::net::IpAddr::V4(ip) if ip.is_unspecified() => {
                SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, addr.port()))
            }
            std::net::IpAddr::V6(ip) if ip.is_unspecified() => {
                SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, addr.port()))
            }
            _ => addr,
        };
        let url = format!("http://{reachable}");
        if let Some(sqs) = &router.sqs {
            sqs.set_base_url(&url);
        }
        let router = Arc::new(router);
        let (stop, stop_rx) = watch::channel(false);
        let listener = tokio::net::TcpListener::from_std(std_listener)?;
        Ok(Listening {
            listener,
            url,
            router,
            stop,
            stop_rx,
        })
    }

    /// `http://<address>:<port>`, the endpoint URL for SDK clients.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The router requests go through.
    #[cfg(test)]
    pub(crate) fn router(&self) -> &Router {
        &self.router
    }

    /// Stops accepting, lets in-flight requests finish (up to 5 s of real time), then returns.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        match self.running.take() {
            Some(Running::Task(task)) => {
                let _ = task.await;
            }
            Some(Running::Thread(finished)) => {
                let _ = finished.await;
            }
            None => {}
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    router: Arc<Router>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(_) => {
                        // Out of descriptors or a reset before accept: back off briefly.
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                conns.spawn(serve_connection(stream, router.clone(), stop.clone()));
            }
            // Reap finished connections so the set does not grow.
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .is_err()
    {
        conns.abort_all();
    }
}

/// Resolves once a stop was signalled (or the server handle is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    loop {
        if *stop.borrow_and_update() {
            return;
        }
        if stop.changed().await.is_err() {
            return;
        }
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    router: Arc<Router>,
    mut stop: watch::Receiver<bool>,
) {
    // A service error makes hyper close the connection without a response: that is how an
    // interceptor's dropped connection reaches the client.
    let service = hyper::service::service_fn(move |req| {
        let router = router.clone();
        async move { serve(&router, req).await }
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// The error that closes a connection on purpose (an interceptor dropped the call).
#[derive(Debug)]
struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the connection was dropped by an interceptor")
    }
}

impl std::error::Error for ConnectionDropped {}

async fn serve(
    router: &Router,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, ConnectionDropped> {
    let _activity = router.clock.activity();
    let started = std::time::Instant::now();
    let request_id = request_id();
    // The headers are read in place from the request's parts (no copies; issue 13).
    let (parts, body) = req.into_parts();
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let mut target = header("x-amz-target").map(std::borrow::Cow::Borrowed);
    let url_query = parts.uri.query();
    // Without a target, a form body (or an `Action` in the URL) is an SQS query request.
    let query = target.is_none() && sqs_api::query::is_query(header("content-type"), url_query);
    let path = parts.uri.path();
    let authorization = header("authorization");
    if let Some(s3) = router
        .s3
        .as_ref()
        .filter(|_| target.is_none() && !query && s3_api::is_s3_request(authorization))
    {
        return Ok(serve_s3(s3, &parts, body, path, url_query, &request_id, started).await);
    }
    if target.is_none() && !query && sqs_api::query::is_queue_url_get(parts.method.as_str(), path) {
        let reply = sqs_api::query::unknown_operation_document();
        log_request(None, &reply, started.elapsed(), &request_id);
        return Ok(to_response(reply, &request_id));
    }
    // SQS queues follow the client's signing region.
    let region = authorization.and_then(crate::sqs::signing_region);
    let trace_header = header("x-amzn-trace-id").map(str::to_owned);
    let handled = async {
        serve_body(
            router,
            body,
            query,
            &mut target,
            path,
            url_query,
            &request_id,
        )
        .await
    };
    let reply = crate::sqs::in_request(region, trace_header, handled).await?;
    log_request(target.as_deref(), &reply, started.elapsed(), &request_id);
    Ok(to_response(reply, &request_id))
}

/// A fresh request id: a random (version 4) UUID, as AWS's are. Its bytes come from the
/// thread's RNG rather than the OS's: `Uuid::new_v4` costs a `getrandom` system call per
/// request (issue 13).
fn request_id() -> String {
    let uuid = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
    let mut buf = uuid::Uuid::encode_buffer();
    uuid.hyphenated().encode_lower(&mut buf).to_owned()
}

/// Answers an S3 request (`s3_api`).
async fn serve_s3(
    s3: &crate::s3::S3,
    parts: &hyper::http::request::Parts,
    body: Incoming,
    path: &str,
    url_query: Option<&str>,
    request_id: &str,
    started: std::time::Instant,
) -> Response<Full<Bytes>> {
    let method = parts.method.as_str();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let reply = match read_body(body).await {
        Body::Complete(body) => {
            s3_api::serve(s3, method, path, url_query, &headers, &body, request_id)
        }
        Body::TooLarge => JsonReply::error(
            413,
            "EntityTooLarge",
            &format!("sfn-harness's S3 takes bodies up to {MAX_BODY_BYTES} bytes."),
        ),
        Body::Broken(e) => JsonReply::error(400, "IncompleteBody", &e),
    };
    log_request(
        Some(&format!("S3.{method}")),
        &reply,
        started.elapsed(),
        request_id,
    );
    to_response(reply, request_id)
}

/// Reads the body of a request and answers it: as an SQS query request (`query`), or routed by
/// `target`. A query request's target is filled in from its `Action`.
async fn serve_body(
    router: &Router,
    body: Incoming,
    query: bool,
    target: &mut Option<std::borrow::Cow<'_, str>>,
    path: &str,
    url_query: Option<&str>,
    request_id: &str,
) -> Result<JsonReply, ConnectionDropped> {
    let reply = match read_body(body).await {
        // SNS speaks the query protocol too; its requests name its API version.
        Body::Complete(body) if query && sns_api::query::is_sns(url_query, &body) => {
            match sns_api::query::serve(router, url_query, &body, request_id).await {
                Some((served, reply)) => {
                    *target = Some(std::borrow::Cow::Owned(served));
                    reply
                }
                None => return Err(ConnectionDropped),
            }
        }
        Body::Complete(body) if query => {
            match sqs_api::query::serve(router, path, url_query, &body, request_id).await {
                Some((served, reply)) => {
                    *target = Some(std::borrow::Cow::Owned(served));
                    reply
                }
                None => return Err(ConnectionDropped),
            }
        }
        Body::Complete(body) => match router.call(target.as_deref(), &body).await {
            Outcome::Reply(reply) => reply,
            Outcome::Dropped => return Err(ConnectionDropped),
        },
        Body::TooLarge => JsonReply::error(
            413,
            "com.amazon.coral.service#RequestEntityTooLargeException",
            &format!("Request body is larger than {MAX_BODY_BYTES} bytes."),
        ),
        Body::Broken(e) => {
            JsonReply::serialization(&format!("Could not read the request body: {e}"))
        }
    };
    Ok(reply)
}

/// One `tracing` event per request: operation, status, duration (and the error's `__type`).
fn log_request(target: Option<&str>, reply: &JsonReply, took: Duration, request_id: &str) {
    // Nothing to do (not even the error's parse) unless a subscriber wants these events.
    if !tracing::enabled!(target: "sfn_harness::request", tracing::Level::INFO) {
        return;
    }
    let operation = target.unwrap_or("-");
    let micros = took.as_micros() as u64;
    if reply.status < 400 {
        tracing::info!(target: "sfn_harness::request", operation, status = reply.status, micros, request_id, "served");
        return;
    }
    let error = serde_json::from_slice::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|v| v.get("__type").and_then(|t| t.as_str()).map(str::to_owned))
        .unwrap_or_default();
    tracing::info!(target: "sfn_harness::request", operation, status = reply.status, micros, request_id, error, "served");
}

enum Body {
    Complete(Bytes),
    TooLarge,
    Broken(String),
}

/// Reads a body of at most [`MAX_BODY_BYTES`]. A larger body is read on and discarded (up to
/// [`DRAIN_BYTES`]) so that the client, still sending, gets the error response instead of a reset.
async fn read_body(mut body: Incoming) -> Body {
    let mut buf = bytes::BytesMut::new();
    let mut seen = 0usize;
    loop {
        match body.frame().await {
            None => break,
            Some(Err(e)) => return Body::Broken(e.to_string()),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    seen = seen.saturating_add(data.len());
                    if seen <= MAX_BODY_BYTES {
                        buf.extend_from_slice(&data);
                    } else if seen > DRAIN_BYTES {
                        return Body::TooLarge;
                    }
                }
            }
        }
    }
    if seen > MAX_BODY_BYTES {
        Body::TooLarge
    } else {
        Body::Complete(buf.freeze())
    }
}

fn to_response(reply: JsonReply, request_id: &str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(reply.body));
    *resp.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = resp.headers_mut();
    // JSON unless the reply names its own type (the SQS query protocol's XML).
    if !reply
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-amz-json-1.0"),
        );
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert(HeaderName::from_static("x-amzn-requestid"), v);
    }
    for (name, value) in reply.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.append(n, v);
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Panics;
    impl JsonService for Panics {
        fn call<'a>(&'a self, _op: &'a str, _body: &'a [u8]) -> BoxFuture<'a, JsonReply> {
            Box::pin(async { panic!("boom") })
        }
    }

    #[tokio::test]
    async fn routing_and_panics() {
        let router = Router::new(Clock::real()).with_service(SFN_TARGET_PREFIX, Arc::new(Panics));
        let r = router
            .handle(Some("AWSStepFunctions.StartExecution"), b"{}")
            .await;
        assert_eq!(r.status, 500);
        assert!(String::from_utf8_lossy(&r.body).contains("boom"));
        let r = router.handle(Some("AmazonSQS.ListQueues"), b"{}").await;
        assert_eq!(r.status, 400);
        assert!(String::from_utf8_lossy(&r.body).contains("UnknownOperationException"));
        let r = router.handle(None, b"{}").await;
        assert_eq!(r.status, 400);
    }

    /// Answers every call with the name of the thread that served it; `Boom` panics.
    struct ThreadName;
    impl JsonService for ThreadName {
        fn call<'a>(&'a self, op: &'a str, _body: &'a [u8]) -> BoxFuture<'a, JsonReply> {
            let name = std::thread::current().name().unwrap_or("").to_string();
            Box::pin(async move {
                assert_ne!(op, "Boom", "the service was asked to panic");
                JsonReply::ok(&serde_json::json!({ "thread": name }))
            })
        }
    }

    fn thread_name_router() -> Router {
        Router::new(Clock::real()).with_service(SFN_TARGET_PREFIX, Arc::new(ThreadName))
    }

    /// A `ListStateMachines` call from a blocking thread, answered 200 within 10 s: its body.
    async fn ask(url: &str) -> String {
        let url = url.to_string();
        let reply = tokio::task::spawn_blocking(move || {
            crate::tests::support::raw_json_call(
                &url,
                "AWSStepFunctions.ListStateMachines",
                "{}",
                Duration::from_secs(10),
            )
        })
        .await
        .expect("the request thread")
        .expect("an answer from the endpoint within 10 s");
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.body
    }

    /// The harness's endpoint (`Server::start`) serves from its own thread, and its shutdown
    /// waits for that thread's loop and closes the port.
    #[tokio::test]
    async fn the_harness_endpoint_serves_from_a_thread_of_its_own() {
        let server = Server::start(thread_name_router()).expect("bind 127.0.0.1:0");
        let url = server.url().to_string();
        let reply = ask(&url).await;
        assert!(
            reply.contains(&format!(r#"{{"thread":"{ENDPOINT_THREAD}"}}"#)),
            "served by another thread: {reply}"
        );
        tokio::time::timeout(Duration::from_secs(10), server.shutdown())
            .await
            .expect("the endpoint's thread ends its loop within 10 s of shutdown");
        let addr = url.trim_start_matches("http://");
        assert!(
            std::net::TcpStream::connect(addr).is_err(),
            "the port still accepts connections after shutdown"
        );
    }

    /// Bad input to the endpoint's thread: a request that is not HTTP, one without a target,
    /// one whose service panics. Each gets its error (AWS-shaped where it is a call), and the
    /// thread serves on.
    #[tokio::test]
    async fn the_endpoint_thread_answers_bad_input_and_serves_on() {
        use crate::tests::support::{raw_json_call, raw_request};
        let server = Server::start(thread_name_router()).expect("bind 127.0.0.1:0");
        let url = server.url().to_string();
        let bound = Duration::from_secs(10);
        let replies = tokio::task::spawn_blocking(move || {
            let not_http = {
                use std::io::{Read, Write};
                let mut s = std::net::TcpStream::connect(url.trim_start_matches("http://"))?;
                s.set_read_timeout(Some(bound))?;
                s.write_all(b"\x16\x03\x01 not http at all\r\n\r\n")?;
                let mut out = String::new();
                // hyper answers 400 and closes, or just closes: either way the read ends.
                let _ = s.read_to_string(&mut out);
                out
            };
            let untargeted = raw_request(&url, "POST", "/", &[], "{}", bound)?;
            let panicked = raw_json_call(&url, "AWSStepFunctions.Boom", "{}", bound)?;
            let after = raw_json_call(&url, "AWSStepFunctions.ListStateMachines", "{}", bound)?;
            std::io::Result::Ok((not_http, untargeted, panicked, after))
        })
        .await
        .expect("the request thread")
        .expect("answers from the endpoint within 10 s each");
        let (not_http, untargeted, panicked, after) = replies;
        assert!(
            not_http.is_empty() || not_http.starts_with("HTTP/1.1 400"),
            "{not_http}"
        );
        assert_eq!(untargeted.status, 400, "{untargeted:?}");
        assert!(untargeted.body.contains("__type"), "{untargeted:?}");
        assert_eq!(panicked.status, 500, "{panicked:?}");
        let error: serde_json::Value = serde_json::from_str(&panicked.body).expect("JSON");
        assert!(error["__type"].as_str().is_some(), "{error}");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("Boom")),
            "{error}"
        );
        assert_eq!(after.status, 200, "{after:?}");
        assert!(
            after.body.contains(ENDPOINT_THREAD),
            "served by another thread after the bad input: {after:?}"
        );
        server.shutdown().await;
    }

    /// `Server::bind` (what `sfn-harness serve` uses) serves on the caller's runtime.
    #[tokio::test(flavor = "current_thread")]
    async fn a_bound_server_serves_on_the_callers_runtime() {
        let server =
            Server::bind(thread_name_router(), ("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
        let reply = ask(server.url()).await;
        let test_thread = std::thread::current().name().unwrap_or("").to_string();
        assert!(
            reply.contains(&format!(r#"{{"thread":"{test_thread}"}}"#)),
            "not served on the test's thread ({test_thread}): {reply}"
        );
        server.shutdown().await;
    }
}
