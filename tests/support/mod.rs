//! What the test binaries share: callback definitions, SDK clients pointed at an endpoint, a
//! real-SDK worker loop written as a user writes one, and event types.
//!
//! Each binary includes this module with `mod support;`; a binary uses only part of it.
#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::MessageSystemAttributeName;
use serde_json::{json, Value};
use sfn_harness::HistoryEvent;

// ---------------------------------------------------------------------------------------------
// Definitions

/// The SQS callback integration: send a message carrying the token, wait for the answer.
pub const SQS_CALLBACK: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";
/// The Lambda callback integration: invoke with the token in the payload, wait for the answer.
pub const LAMBDA_CALLBACK: &str = "arn:aws:states:::lambda:invoke.waitForTaskToken";

/// A Task state (`"End": true`) that sends `message_body` (which carries `$$.Task.Token`) to
/// `queue_url` and waits for the token to be answered.
pub fn sqs_callback(queue_url: &str, message_body: Value) -> Value {
    json!({
        "Type": "Task",
        "Resource": SQS_CALLBACK,
        "Parameters": { "QueueUrl": queue_url, "MessageBody": message_body },
        "End": true
    })
}

/// A Task state (`"End": true`) that invokes a Lambda with `parameters` (which carry
/// `$$.Task.Token`) and waits for the token to be answered.
pub fn lambda_callback(parameters: Value) -> Value {
    json!({
        "Type": "Task",
        "Resource": LAMBDA_CALLBACK,
        "Parameters": parameters,
        "End": true
    })
}

/// `state` with the fields of `extra` added or replaced; a `Next` in `extra` removes `End`.
pub fn with(mut state: Value, extra: Value) -> Value {
    if let (Some(s), Some(e)) = (state.as_object_mut(), extra.as_object()) {
        if e.contains_key("Next") {
            s.remove("End");
        }
        for (k, v) in e {
            s.insert(k.clone(), v.clone());
        }
    }
    state
}

/// `task` with the fields of `extra` added to its `Parameters`.
pub fn with_parameters(mut task: Value, extra: Value) -> Value {
    if let (Some(p), Some(e)) = (task["Parameters"].as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    task
}

/// A machine of one state, `name`.
pub fn one_state(name: &str, state: Value) -> Value {
    json!({ "StartAt": name, "States": { name: state } })
}

/// The one-state callback machine most tests use: the Task `state` sends `message_body` to
/// `queue_url` and waits at most `timeout_seconds` for the answer.
pub fn sqs_callback_machine(
    state: &str,
    queue_url: &str,
    message_body: Value,
    timeout_seconds: u64,
) -> Value {
    one_state(
        state,
        with(
            sqs_callback(queue_url, message_body),
            json!({ "TimeoutSeconds": timeout_seconds }),
        ),
    )
}

/// Creates machine `name` from `definition`, runs it once with `input` and waits for its end.
pub async fn run_once(
    h: &sfn_harness::prelude::Harness,
    name: &str,
    definition: Value,
    input: Value,
) -> sfn_harness::prelude::Finished {
    let machine = h
        .create_state_machine(name, definition)
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e}"));
    machine
        .start(input)
        .await
        .unwrap_or_else(|e| panic!("start {name}: {e}"))
        .finish()
        .await
        .unwrap_or_else(|e| panic!("finish {name}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP

/// A response read off the wire by [`raw_request`].
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    /// The `content-type` header's value (empty without one).
    pub content_type: String,
    pub body: String,
}

/// One AWS JSON 1.0 call (`POST /`, `X-Amz-Target: target`) by [`raw_request`].
pub fn raw_json_call(
    url: &str,
    target: &str,
    body: &str,
    bound: Duration,
) -> std::io::Result<RawResponse> {
    let headers = [
        ("X-Amz-Target", target),
        ("Content-Type", "application/x-amz-json-1.0"),
    ];
    raw_request(url, "POST", "/", &headers, body, bound)
}

/// One HTTP/1.1 request to `url` (`http://host:port`) over a blocking socket, with
/// `Connection: close`: no runtime involved, so it also works while a test's runtime thread is
/// blocked. It gives up with an error after `bound` without an answer.
pub fn raw_request(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    bound: Duration,
) -> std::io::Result<RawResponse> {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(bound))?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut out = String::new();
    stream.read_to_string(&mut out)?;
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{what}: {out}"));
    let (head, body) = out
        .split_once("\r\n\r\n")
        .ok_or_else(|| invalid("no end of head"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| invalid("no status"))?;
    let content_type = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default();
    Ok(RawResponse {
        status,
        content_type,
        body: body.to_string(),
    })
}

// ---------------------------------------------------------------------------------------------
// Event types

/// The event types of `events`, in order.
pub fn event_types(events: &[HistoryEvent]) -> Vec<String> {
    events.iter().map(|e| e.event_type.clone()).collect()
}

// ---------------------------------------------------------------------------------------------
// SDK clients for an endpoint that is not a `Harness` (`sfn-harness serve`, a bare server)

/// Static test credentials in us-east-1, plain HTTP.
pub fn sfn_config(url: &str) -> aws_sdk_sfn::config::Builder {
    aws_sdk_sfn::Config::builder()
        .behavior_version(aws_sdk_sfn::config::BehaviorVersion::latest())
        .endpoint_url(url)
        .region(aws_sdk_sfn::config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .interceptor(sfn_harness::NoHostPrefix)
}

/// Static test credentials in us-east-1, plain HTTP.
pub fn sqs_config(url: &str) -> aws_sdk_sqs::config::Builder {
    aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .endpoint_url(url)
        .region(aws_sdk_sqs::config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
}

/// A Step Functions client for the endpoint at `url`.
pub fn sfn_client(url: &str) -> aws_sdk_sfn::Client {
    aws_sdk_sfn::Client::from_conf(sfn_config(url).build())
}

/// An SQS client for the endpoint at `url`.
pub fn sqs_client(url: &str) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::from_conf(sqs_config(url).build())
}

// ---------------------------------------------------------------------------------------------
// A real worker

/// Whether an SDK error code is a throttle (Step Functions' or SQS's).
pub fn is_throttle(code: Option<&str>) -> bool {
    matches!(code, Some("ThrottlingException" | "RequestThrottled"))
}

/// Retries `call` while it is throttled past the SDK's own retries (up to 20 times, with a short
/// back-off), counting each retry in `throttled`: what a careful caller does.
pub async fn persist<T, E, F, Fut>(throttled: &AtomicU64, mut call: F) -> Result<T, E>
where
    E: ProvideErrorMetadata,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 0u32;
    loop {
        match call().await {
            Err(e) if is_throttle(e.code()) && attempt < 20 => {
                throttled.fetch_add(1, Ordering::Relaxed);
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt))).await;
            }
            other => break other,
        }
    }
}

/// One message as the worker received it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The message body, parsed.
    pub body: Value,
    /// The `TaskToken` field of the body.
    pub token: String,
    /// `ApproximateReceiveCount` (1 unless the worker asks for it).
    pub receive_count: u32,
}

/// What the worker does with one message.
#[derive(Debug, Clone)]
pub enum Decision {
    /// SendTaskSuccess with this output, then delete.
    Succeed(Value),
    /// SendTaskFailure with this error and cause, then delete.
    Fail(String, String),
    /// Neither answer nor delete: the worker "crashed" and SQS brings the message back.
    Crash,
}

/// What a worker did.
#[derive(Debug, Default, Clone)]
pub struct Handled {
    /// Messages received.
    pub seen: usize,
    /// SendTaskSuccess calls accepted.
    pub succeeded: usize,
    /// SendTaskFailure calls accepted.
    pub failed: usize,
    /// The error codes of the answers refused.
    pub refused: Vec<String>,
    /// Messages taken and dropped ([`Decision::Crash`]).
    pub crashed: usize,
    /// Calls retried after a throttle past the SDK's retries.
    pub throttled: u64,
}

impl Handled {
    /// Answers accepted.
    pub fn answered(&self) -> usize {
        self.succeeded + self.failed
    }

    /// Adds what another worker did.
    pub fn add(&mut self, other: Handled) {
        self.seen += other.seen;
        self.succeeded += other.succeeded;
        self.failed += other.failed;
        self.refused.extend(other.refused);
        self.crashed += other.crashed;
        self.throttled += other.throttled;
    }
}

/// A worker as a user writes it, through the real SDK clients: long-poll SQS, parse the body,
/// decide, call SendTaskSuccess or SendTaskFailure, delete the message. Nothing in it is
/// harness-specific.
#[derive(Debug, Clone)]
pub struct RealWorker {
    sqs: aws_sdk_sqs::Client,
    sfn: aws_sdk_sfn::Client,
    queue: String,
    batch: i32,
    wait_seconds: i32,
    persist: bool,
    receive_count: bool,
    careless: bool,
    expected_refusals: Option<Vec<String>>,
}

impl RealWorker {
    /// A worker on `queue` receiving one message per 1 s long poll.
    pub fn new(sqs: aws_sdk_sqs::Client, sfn: aws_sdk_sfn::Client, queue: &str) -> RealWorker {
        RealWorker {
            sqs,
            sfn,
            queue: queue.to_string(),
            batch: 1,
            wait_seconds: 1,
            persist: false,
            receive_count: false,
            careless: false,
            expected_refusals: None,
        }
    }

    /// The worker of `h`'s SDK clients.
    pub async fn of(h: &sfn_harness::prelude::Harness, queue: &str) -> RealWorker {
        RealWorker::new(h.sqs_client().await, h.sfn_client().await, queue)
    }

    /// Receive up to `n` messages per poll (`MaxNumberOfMessages`).
    pub fn batch(mut self, n: i32) -> Self {
        self.batch = n;
        self
    }

    /// Long-poll for `s` seconds (`WaitTimeSeconds`).
    pub fn wait_seconds(mut self, s: i32) -> Self {
        self.wait_seconds = s;
        self
    }

    /// Retry every call throttled past the SDK's retries ([`persist`]); a receive that still
    /// fails polls again.
    pub fn persist_through_throttles(mut self) -> Self {
        self.persist = true;
        self
    }

    /// Ask for `ApproximateReceiveCount` ([`Delivery::receive_count`]).
    pub fn with_receive_count(mut self) -> Self {
        self.receive_count = true;
        self
    }

    /// A failed receive polls again and a failed delete is ignored (instead of failing the test).
    pub fn careless(mut self) -> Self {
        self.careless = true;
        self
    }

    /// An answer refused with another code than these fails the test.
    pub fn refusals_allowed(mut self, codes: &[&str]) -> Self {
        self.expected_refusals = Some(codes.iter().map(|c| c.to_string()).collect());
        self
    }

    /// Handles `n` messages (bounded: 20 s of wall time), answering each as `decide` says.
    pub async fn handle(&self, n: usize, mut decide: impl FnMut(&Delivery) -> Decision) -> Handled {
        let mut handled = Handled::default();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while handled.seen < n {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the worker waited 20 s of wall time for message {} of {n}",
                handled.seen + 1
            );
            self.poll(&mut handled, &mut decide).await;
        }
        handled
    }

    /// Handles messages until `stop` is set, answering each as `decide` says.
    pub async fn run_until(
        &self,
        stop: Arc<AtomicBool>,
        mut decide: impl FnMut(&Delivery) -> Decision,
    ) -> Handled {
        let mut handled = Handled::default();
        while !stop.load(Ordering::SeqCst) {
            self.poll(&mut handled, &mut decide).await;
        }
        handled
    }

    /// Makes `call`, retrying throttles if the worker persists.
    async fn call<T, E, F, Fut>(&self, throttled: &AtomicU64, call: F) -> Result<T, E>
    where
        E: ProvideErrorMetadata,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if self.persist {
            persist(throttled, call).await
        } else {
            let mut call = call;
            call().await
        }
    }

    /// One long poll, and every message it brings.
    async fn poll(&self, handled: &mut Handled, decide: &mut impl FnMut(&Delivery) -> Decision) {
        let throttled = AtomicU64::new(0);
        let receive = || {
            let mut r = self
                .sqs
                .receive_message()
                .queue_url(&self.queue)
                .wait_time_seconds(self.wait_seconds);
            if self.batch != 1 {
                r = r.max_number_of_messages(self.batch);
            }
            if self.receive_count {
                r = r.message_system_attribute_names(
                    MessageSystemAttributeName::ApproximateReceiveCount,
                );
            }
            r.send()
        };
        let got = self.call(&throttled, receive).await;
        let got = match got {
            Ok(got) => got,
            Err(_) if self.persist || self.careless => {
                handled.throttled += throttled.into_inner();
                return; // failed past the SDK's retries: poll again
            }
            Err(e) => panic!("ReceiveMessage: {e:?}"),
        };
        for m in got.messages() {
            handled.seen += 1;
            let body: Value = serde_json::from_str(m.body().unwrap_or("{}")).expect("a JSON body");
            let token = body["TaskToken"]
                .as_str()
                .expect("a TaskToken in the body")
                .to_string();
            let receive_count = m
                .attributes()
                .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            let delivery = Delivery {
                body,
                token,
                receive_count,
            };
            let decision = decide(&delivery);
            let answer = match &decision {
                Decision::Crash => {
                    handled.crashed += 1;
                    continue; // no answer, no delete: SQS brings it back after the visibility timeout
                }
                Decision::Succeed(output) => {
                    let output = output.to_string();
                    let call = || {
                        self.sfn
                            .send_task_success()
                            .task_token(&delivery.token)
                            .output(&output)
                            .send()
                    };
                    self.call(&throttled, call)
                        .await
                        .map(|_| ())
                        .map_err(refusal)
                }
                Decision::Fail(error, cause) => {
                    let call = || {
                        self.sfn
                            .send_task_failure()
                            .task_token(&delivery.token)
                            .error(error)
                            .cause(cause)
                            .send()
                    };
                    self.call(&throttled, call)
                        .await
                        .map(|_| ())
                        .map_err(refusal)
                }
            };
            match answer {
                Ok(()) if matches!(decision, Decision::Succeed(_)) => handled.succeeded += 1,
                Ok(()) => handled.failed += 1,
                Err((code, e)) => {
                    if let Some(allowed) = &self.expected_refusals {
                        assert!(
                            allowed.contains(&code),
                            "the answer to {} was refused: {e}",
                            delivery.body
                        );
                    }
                    handled.refused.push(code);
                }
            }
            let receipt = m.receipt_handle().unwrap_or_default();
            let delete = || {
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue)
                    .receipt_handle(receipt)
                    .send()
            };
            let deleted = self.call(&throttled, delete).await;
            if let Err(e) = deleted {
                assert!(
                    self.careless,
                    "DeleteMessage for {} failed: {e:?}",
                    delivery.body
                );
            }
        }
        handled.throttled += throttled.into_inner();
    }
}

/// The code and the whole text of a refused answer.
fn refusal<E: ProvideErrorMetadata + std::fmt::Debug>(e: E) -> (String, String) {
    (
        e.code().unwrap_or("<no code>").to_string(),
        format!("{e:?}"),
    )
}
