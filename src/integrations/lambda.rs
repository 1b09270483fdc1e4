//! AWS Lambda: `arn:aws:states:::lambda:invoke` (and `….waitForTaskToken`), and a function
//! ARN named as the resource itself (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`).
//!
//! What AWS records (read off the recorded executions, `../shared/conformance/README.md`, "How
//! recorded histories represent Lambda calls"):
//! - the **service form** (`lambda:invoke`) records `TaskScheduled`/`TaskSucceeded` with the
//!   Invoke response as Step Functions shapes it: `ExecutedVersion`, `Payload` (the function's
//!   result, parsed), `SdkHttpMetadata`, `SdkResponseMetadata` and `StatusCode`;
//! - the **function-ARN form** records the `LambdaFunction*` events with the raw result (this
//!   integration says so through [`TaskHandler::event_family`]).
//!
//! A function error fails the task with the function's `errorType` and the error JSON as the
//! cause; a function nobody serves fails with `Lambda.ResourceNotFoundException` and AWS's cause
//! text (`Function not found: arn:…:function:NAME:$LATEST (Service: AWSLambda; Status Code: 404;
//! …)`). A function answering an error named `Lambda.<Exception>` (a scripted worker's
//! `fail("Lambda.TooManyRequestsException", ..)`, or a Lambda endpoint's error reply) fails the
//! task as that service exception, with the Java SDK's cause text, so Retry policies on
//! `Lambda.ServiceException`, `Lambda.AWSLambdaException`, `Lambda.SdkClientException` and
//! `Lambda.TooManyRequestsException` (the errors AWS tells users to retry: developer guide,
//! "Handle transient Lambda service exceptions") are testable.
//!
//! Functions are found, in order, among the [`FunctionSource`]s added to the integration (Rust
//! closures registered by name, [`Functions`]; the test harness's scripted workers), then at
//! the Lambda endpoint ([`LambdaEndpoint`]: the Invoke REST call, as `sam local start-lambda`
//! serves it), else they do not exist.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};

use crate::asl::StatesError;
use crate::engine::task::{BoxFuture, EventFamily, Resource, TaskHandler, TaskRequest};
use crate::ids::Ids;
use crate::sync::{lock, read, write};

/// The service-integration resource (without `.waitForTaskToken`).
pub(crate) const INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// The prefix of every function ARN named as a Task's resource.
pub(crate) const FUNCTION_ARN_PREFIX: &str = "arn:aws:lambda:";

/// Salt for the request-id stream of a seeded account.
const LAMBDA_SEED_SALT: u64 = 0x004c_414d;

/// One invocation of a function, as a [`LambdaFunction`] sees it.
#[derive(Debug, Clone)]
pub struct FunctionCall {
    /// The function's name (from a name, a full or a partial ARN).
    pub function_name: String,
    /// The version or alias, when one was given.
    pub qualifier: Option<String>,
    /// The event the function receives.
    pub payload: Value,
    /// The task that invokes it (state, execution, clock, retry count).
    pub task: TaskRequest,
}

/// A function's implementation: the event in, the function's return value out (or its error:
/// `StatesError { error: errorType, cause: errorMessage }`).
pub trait LambdaFunction: Send + Sync + 'static {
    /// Runs the function.
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'static, Result<Value, StatesError>>;
}

struct FnFunction<F>(F);

impl<F, Fut> LambdaFunction for FnFunction<F>
where
    F: Fn(Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, StatesError>> + Send + 'static,
{
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'static, Result<Value, StatesError>> {
        Box::pin((self.0)(call.payload))
    }
}

/// Wraps an async closure over the event as a [`LambdaFunction`].
///
/// ```
/// use sfn_harness::internals::function;
/// use serde_json::json;
/// let f = function(|event| async move { Ok(json!({ "seen": event })) });
/// # let _ = f;
/// ```
pub fn function<F, Fut>(f: F) -> Arc<dyn LambdaFunction>
where
    F: Fn(Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, StatesError>> + Send + 'static,
{
    Arc::new(FnFunction(f))
}

/// Where functions come from: a source answers the calls it knows, and passes (`None`) on the
/// others, which go to the next source, then to the Lambda endpoint.
pub(crate) trait FunctionSource: Send + Sync + 'static {
    /// The function that answers `call`, if this source has one.
    fn find(&self, call: &FunctionCall) -> Option<Arc<dyn LambdaFunction>>;
}

/// A check made before every invocation, whoever serves the function: `Some(error)` (a
/// `Lambda.<Exception>`) makes Lambda refuse the call as that service exception. The test
/// harness's fault injection is one ([`Fault::lambda_error`](crate::Fault::lambda_error)).
pub(crate) trait InvokeGate: Send + Sync + 'static {
    /// The refusal of `call`, if any.
    fn before<'a>(&'a self, call: &'a FunctionCall) -> BoxFuture<'a, Option<StatesError>>;
}

/// Functions registered by name (Rust closures).
#[derive(Default)]
pub(crate) struct Functions {
    by_name: RwLock<HashMap<String, Arc<dyn LambdaFunction>>>,
}

impl std::fmt::Debug for Functions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<String> = read(&self.by_name).keys().cloned().collect();
        names.sort();
        f.debug_struct("Functions").field("names", &names).finish()
    }
}

impl Functions {
    /// Registers (or replaces) the function `name`.
    pub(crate) fn register(&self, name: impl Into<String>, f: Arc<dyn LambdaFunction>) {
        write(&self.by_name).insert(name.into(), f);
    }
}

impl FunctionSource for Functions {
    fn find(&self, call: &FunctionCall) -> Option<Arc<dyn LambdaFunction>> {
        read(&self.by_name).get(&call.function_name).cloned()
    }
}

/// A Lambda endpoint that serves the Invoke REST API (`POST
/// /2015-03-31/functions/{name}/invocations`): `sam local start-lambda`, a Lambda emulator, or
/// the conformance runner's host.
#[derive(Debug, Clone)]
pub(crate) struct LambdaEndpoint {
    base: String,
}

/// What a Lambda endpoint answered.
#[derive(Debug, Clone)]
struct Invoked {
    status: u16,
    payload: Bytes,
    function_error: Option<String>,
    executed_version: Option<String>,
    error_type: Option<String>,
}

/// Why a call to a Lambda endpoint did not get an answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum EndpointError {
    /// The endpoint URL is not a valid URI.
    #[error("the Lambda endpoint URL '{0}' is not valid")]
    BadUrl(String),
    /// The connection or the exchange failed.
    #[error("{0}")]
    Transport(String),
}

impl LambdaEndpoint {
    /// An endpoint at `url` (`http://127.0.0.1:3001`).
    pub(crate) fn new(url: impl Into<String>) -> LambdaEndpoint {
        LambdaEndpoint {
            base: url.into().trim_end_matches('/').to_string(),
        }
    }

    /// The endpoint's base URL.
    pub(crate) fn url(&self) -> &str {
        &self.base
    }

    async fn invoke(
        &self,
        function: &str,
        qualifier: Option<&str>,
        payload: &Value,
        invocation_type: Option<&str>,
    ) -> Result<Invoked, EndpointError> {
        let mut uri = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.base,
            percent_encode(function)
        );
        if let Some(q) = qualifier {
            uri.push_str(&format!("?Qualifier={}", percent_encode(q)));
        }
        let body = Bytes::from(payload.to_string());
        let mut req = hyper::Request::post(&uri).header("content-type", "application/json");
        if let Some(t) = invocation_type {
            req = req.header("X-Amz-Invocation-Type", t);
        }
        let req = req
            .body(Full::new(body))
            .map_err(|_| EndpointError::BadUrl(uri.clone()))?;
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<Full<Bytes>>();
        let resp = client
            .request(req)
            .await
            .map_err(|e| EndpointError::Transport(format!("{e}")))?;
        let status = resp.status().as_u16();
        let header = |k: &str| {
            resp.headers()
                .get(k)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        let function_error = header("X-Amz-Function-Error");
        let executed_version = header("X-Amz-Executed-Version");
        let error_type = header("x-amzn-ErrorType");
        let payload = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| EndpointError::Transport(format!("{e}")))?
            .to_bytes();
        Ok(Invoked {
            status,
            payload,
            function_error,
            executed_version,
            error_type,
        })
    }
}

/// The characters a path segment keeps as they are: RFC 3986's unreserved ones.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a path segment (function names and ARNs carry `:`).
fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, PATH_SEGMENT).to_string()
}

/// The Lambda integration: the task handler for `lambda:invoke` and for function ARNs.
pub struct LambdaIntegration {
    account_id: String,
    region: String,
    functions: Arc<Functions>,
    sources: RwLock<Vec<Arc<dyn FunctionSource>>>,
    gates: RwLock<Vec<Arc<dyn InvokeGate>>>,
    endpoint: RwLock<Option<LambdaEndpoint>>,
    ids: Mutex<Ids>,
}

impl std::fmt::Debug for LambdaIntegration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LambdaIntegration")
            .field("region", &self.region)
            .field("functions", &self.functions)
            .field("endpoint", &*read(&self.endpoint))
            .finish()
    }
}

/// The outcome of one invocation, before the resource form shapes it.
enum Outcome {
    /// The function returned: its payload bytes and the version that ran.
    Returned { payload: Bytes, version: String },
    /// The function raised: its `errorType` and the error JSON.
    FunctionError { error: String, cause: String },
    /// Lambda itself refused (`Lambda.<Exception>`), with the Java SDK's cause.
    Service(StatesError),
}

impl LambdaIntegration {
    /// An integration for functions of `account_id` in `region`; `seed` makes its request ids
    /// deterministic.
    pub(crate) fn new(
        account_id: impl Into<String>,
        region: impl Into<String>,
        seed: Option<u64>,
    ) -> LambdaIntegration {
        let functions = Arc::new(Functions::default());
        LambdaIntegration {
            account_id: account_id.into(),
            region: region.into(),
            sources: RwLock::new(vec![functions.clone() as Arc<dyn FunctionSource>]),
            functions,
            gates: RwLock::new(Vec::new()),
            endpoint: RwLock::new(None),
            ids: Mutex::new(match seed {
                Some(s) => Ids::seeded(s ^ LAMBDA_SEED_SALT),
                None => Ids::random(),
            }),
        }
    }

    /// The functions registered by name (Rust closures), tried first.
    pub(crate) fn functions(&self) -> &Functions {
        &self.functions
    }

    /// Adds a source of functions, tried after those already added (the harness adds its
    /// scripted workers here).
    pub(crate) fn add_source(&self, source: Arc<dyn FunctionSource>) {
        write(&self.sources).push(source);
    }

    /// Adds a check made before every invocation (see [`InvokeGate`]).
    pub(crate) fn add_gate(&self, gate: Arc<dyn InvokeGate>) {
        write(&self.gates).push(gate);
    }

    /// Sends the calls no source answers to a Lambda endpoint.
    pub(crate) fn set_endpoint(&self, endpoint: Option<LambdaEndpoint>) {
        *write(&self.endpoint) = endpoint;
    }

    fn request_id(&self) -> String {
        lock(&self.ids).uuid()
    }

    fn function_arn(&self, name: &str, qualifier: Option<&str>) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{name}:{}",
            self.region,
            self.account_id,
            qualifier.unwrap_or("$LATEST")
        )
    }

    /// Invokes the function `name`: a source's function, else the endpoint, else not found.
    async fn invoke(
        &self,
        name: &str,
        qualifier: Option<&str>,
        payload: Value,
        invocation_type: Option<&str>,
        task: TaskRequest,
    ) -> Outcome {
        let call = FunctionCall {
            function_name: name.to_string(),
            qualifier: qualifier.map(String::from),
            payload: payload.clone(),
            task,
        };
        let gates: Vec<Arc<dyn InvokeGate>> = read(&self.gates).clone();
        for gate in gates {
            if let Some(e) = gate.before(&call).await {
                let request_id = self.request_id();
                return self.error_outcome(e, &request_id);
            }
        }
        let found = read(&self.sources).iter().find_map(|s| s.find(&call));
        if let Some(f) = found {
            let request_id = self.request_id();
            return match f.invoke(call).await {
                Ok(v) => Outcome::Returned {
                    payload: Bytes::from(v.to_string()),
                    version: qualifier.unwrap_or("$LATEST").to_string(),
                },
                Err(e) => self.error_outcome(e, &request_id),
            };
        }
        let endpoint = read(&self.endpoint).clone();
        if name.is_empty() {
            return Outcome::Service(StatesError::runtime(
                "The field 'FunctionName' is required (a string: a function name or ARN) for lambda:invoke, and no scripted worker answers this state",
            ));
        }
        let Some(endpoint) = endpoint else {
            return self.not_found(name, qualifier);
        };
        match endpoint
            .invoke(name, qualifier, &payload, invocation_type)
            .await
        {
            Err(e) => Outcome::Service(StatesError::new(
                "Lambda.SdkClientException",
                format!(
                    "Unable to execute HTTP request: {e} (the Lambda endpoint {})",
                    endpoint.url()
                ),
            )),
            Ok(r) if r.status == 404 => self.not_found(name, qualifier),
            Ok(r) if r.status >= 400 => {
                let code = r
                    .error_type
                    .as_deref()
                    .and_then(|t| t.split(':').next())
                    .unwrap_or("AWSLambdaException")
                    .to_string();
                let message = serde_json::from_slice::<Value>(&r.payload)
                    .ok()
                    .and_then(|v| {
                        v.get("message")
                            .or_else(|| v.get("Message"))
                            .and_then(Value::as_str)
                            .map(String::from)
                    })
                    .unwrap_or_else(|| String::from_utf8_lossy(&r.payload).into_owned());
                Outcome::Service(service_error(&code, &message, r.status, &self.request_id()))
            }
            Ok(r) => match r.function_error {
                Some(_) => {
                    let parsed = serde_json::from_slice::<Value>(&r.payload).ok();
                    let error = parsed
                        .as_ref()
                        .and_then(|v| v.get("errorType"))
                        .and_then(Value::as_str)
                        .unwrap_or("Lambda.Unknown")
                        .to_string();
                    Outcome::FunctionError {
                        error,
                        cause: String::from_utf8_lossy(&r.payload).into_owned(),
                    }
                }
                None => Outcome::Returned {
                    payload: r.payload,
                    version: r.executed_version.unwrap_or_else(|| "$LATEST".into()),
                },
            },
        }
    }

    /// A function's (or a script's) error: a `Lambda.<Exception>` is Lambda's own refusal; any
    /// other is the function's error, with the error JSON Lambda reports as the cause.
    fn error_outcome(&self, e: StatesError, request_id: &str) -> Outcome {
        if let Some(code) = e.error.strip_prefix("Lambda.") {
            let status = match code {
                "TooManyRequestsException" => 429,
                "ResourceNotFoundException" => 404,
                "ServiceException" | "AWSLambdaException" => 500,
                _ => 400,
            };
            if code == "SdkClientException" {
                return Outcome::Service(StatesError::new(e.error.clone(), e.cause));
            }
            return Outcome::Service(service_error(code, &e.cause, status, request_id));
        }
        let cause = match serde_json::from_str::<Value>(&e.cause) {
            Ok(Value::Object(_)) => e.cause.clone(),
            _ => json!({
                "errorMessage": e.cause,
                "errorType": e.error,
                "requestId": request_id,
                "stackTrace": []
            })
            .to_string(),
        };
        Outcome::FunctionError {
            error: e.error,
            cause,
        }
    }

    fn not_found(&self, name: &str, qualifier: Option<&str>) -> Outcome {
        let arn = self.function_arn(name, qualifier);
        Outcome::Service(service_error(
            "ResourceNotFoundException",
            &format!("Function not found: {arn}"),
            404,
            &self.request_id(),
        ))
    }

    /// The Invoke response as Step Functions shapes it for `lambda:invoke`.
    fn service_output(&self, payload: &Bytes, version: &str, now_ms: u64) -> Value {
        let request_id = self.request_id();
        // AWS's trace id is `Root=1-<8 hex>-<24 hex>`; sfn-harness puts a UUID after `Root=1-`
        // instead, so that normalized histories (`<uuid:N>`) do not depend on the seed.
        let trace = format!("Root=1-{}", self.request_id());
        let date = crate::time::http_date(now_ms);
        let length = payload.len().to_string();
        json!({
            "ExecutedVersion": version,
            "Payload": parse_payload(payload),
            "SdkHttpMetadata": {
                "AllHttpHeaders": {
                    "X-Amz-Executed-Version": [version],
                    "x-amzn-Remapped-Content-Length": ["0"],
                    "Connection": ["keep-alive"],
                    "x-amzn-RequestId": [request_id],
                    "Content-Length": [length],
                    "Date": [date],
                    "X-Amzn-Trace-Id": [trace],
                    "Content-Type": ["application/json"]
                },
                "HttpHeaders": {
                    "Connection": "keep-alive",
                    "Content-Length": length,
                    "Content-Type": "application/json",
                    "Date": date,
                    "X-Amz-Executed-Version": version,
                    "x-amzn-Remapped-Content-Length": "0",
                    "x-amzn-RequestId": request_id,
                    "X-Amzn-Trace-Id": trace
                },
                "HttpStatusCode": 200
            },
            "SdkResponseMetadata": { "RequestId": request_id },
            "StatusCode": 200
        })
    }
}

/// The largest result a task may return: 256 KiB ("Quotas related to state throttling …":
/// the maximum input or output size for a task, state, or execution is 256 KiB of UTF-8 data).
const MAX_RESULT_BYTES: usize = 256 * 1024;

/// `States.DataLimitExceeded` for a result over [`MAX_RESULT_BYTES`], with AWS's cause (recorded:
/// `error_handling.test_states_errors.test_*lambda*_data_limit_exceeded_on_large_utf8_response`,
/// where `what` is `lambda` for `lambda:invoke` and the function ARN for the function form).
fn data_limit_exceeded(what: &str) -> StatesError {
    StatesError::new(
        "States.DataLimitExceeded",
        format!(
            "The state/task '{what}' returned a result with a size exceeding the maximum number of bytes service limit."
        ),
    )
}

/// A payload as JSON; a payload that is not JSON is kept as its text.
fn parse_payload(payload: &Bytes) -> Value {
    if payload.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(payload)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(payload).into_owned()))
}

/// `Lambda.<code>` with the Java SDK's cause text, as AWS records it.
fn service_error(code: &str, message: &str, status: u16, request_id: &str) -> StatesError {
    StatesError::new(
        format!("Lambda.{code}"),
        format!(
            "{message} (Service: AWSLambda; Status Code: {status}; Error Code: {code}; Request ID: {request_id}; Proxy: null)"
        ),
    )
}

/// Splits a function name, full or partial ARN (with an optional qualifier) into the name and
/// the qualifier.
fn split_function(s: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = s.split(':').collect();
    let (name, qualifier) = if s.starts_with("arn:") {
        (parts.get(6).copied().unwrap_or(s), parts.get(7).copied())
    } else if let Some(i) = parts.iter().position(|p| *p == "function") {
        (
            parts.get(i + 1).copied().unwrap_or(s),
            parts.get(i + 2).copied(),
        )
    } else {
        (parts[0], parts.get(1).copied())
    };
    (name.to_string(), qualifier.map(String::from))
}

impl TaskHandler for Arc<LambdaIntegration> {
    fn call(&self, request: TaskRequest) -> BoxFuture<'static, Result<Value, StatesError>> {
        LambdaIntegration::call(self, request)
    }

    fn event_family(&self, resource: &Resource) -> EventFamily {
        LambdaIntegration::event_family(self, resource)
    }

    /// A mocked Invoke response (a MockConfigFile's `Return`: `{"StatusCode": 200, "Payload":
    /// …}`), shaped as a real answer is: the function-ARN form's result is the `Payload`
    /// (`test_lambda_invoke` in the v2 corpus's `mock_config` cases); `lambda:invoke`'s is the
    /// Invoke response with the metadata Step Functions adds (`test_lambda_service_invoke`),
    /// its `Content-Length` that of the payload as a Python function's runtime writes it
    /// (`json.dumps`: `", "` and `": "` separators), the runtime of the recorded functions.
    fn mocked(&self, request: &TaskRequest, response: Value) -> Value {
        let Value::Object(mut o) = response else {
            return response;
        };
        if !o.contains_key("Payload") {
            return Value::Object(o);
        }
        if request.resource.base.starts_with(FUNCTION_ARN_PREFIX) {
            return o.remove("Payload").unwrap_or(Value::Null);
        }
        if request.resource.resource != "invoke" {
            return Value::Object(o);
        }
        let payload = python_json(&o["Payload"]);
        let version = o
            .get("ExecutedVersion")
            .and_then(Value::as_str)
            .unwrap_or("$LATEST")
            .to_string();
        let mut out = self.service_output(&Bytes::from(payload), &version, request.clock.now_ms());
        if let Some(code) = o.get("StatusCode") {
            out["StatusCode"] = code.clone();
        }
        out
    }
}

/// JSON text as Python's `json.dumps` writes it by default (`", "` and `": "` separators).
fn python_json(v: &Value) -> Vec<u8> {
    struct Spaced;
    impl serde_json::ser::Formatter for Spaced {
        fn begin_array_value<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            if first {
                Ok(())
            } else {
                w.write_all(b", ")
            }
        }
        fn begin_object_key<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> std::io::Result<()> {
            if first {
                Ok(())
            } else {
                w.write_all(b", ")
            }
        }
        fn begin_object_value<W: ?Sized + std::io::Write>(
            &mut self,
            w: &mut W,
        ) -> std::io::Result<()> {
            w.write_all(b": ")
        }
    }
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Spaced);
    // Serializing a `Value` into a `Vec` cannot fail (no I/O error, no non-string keys).
    let _ = serde::Serialize::serialize(v, &mut ser);
    out
}

impl LambdaIntegration {
    /// Runs a Lambda task (the [`TaskHandler`] of an `Arc<LambdaIntegration>`).
    pub(crate) fn call(
        self: &Arc<Self>,
        request: TaskRequest,
    ) -> BoxFuture<'static, Result<Value, StatesError>> {
        let this = self.clone();
        Box::pin(async move {
            if request.resource.base.starts_with(FUNCTION_ARN_PREFIX) {
                let (name, qualifier) = split_function(&request.resource.base);
                let payload = request.input.clone();
                return match this
                    .invoke(&name, qualifier.as_deref(), payload, None, request.clone())
                    .await
                {
                    Outcome::Returned { payload, .. } if payload.len() > MAX_RESULT_BYTES => {
                        Err(data_limit_exceeded(&request.resource.arn))
                    }
                    Outcome::Returned { payload, .. } => Ok(parse_payload(&payload)),
                    Outcome::FunctionError { error, cause } => Err(StatesError::new(error, cause)),
                    Outcome::Service(e) => Err(e),
                };
            }
            let p = &request.input;
            // Without a FunctionName only a scripted worker on the state can answer (the
            // harness's tests script such states); anything else fails below.
            let target = p.get("FunctionName").and_then(Value::as_str).unwrap_or("");
            let (name, mut qualifier) = split_function(target);
            if let Some(q) = p.get("Qualifier").and_then(Value::as_str) {
                qualifier = Some(q.to_string());
            }
            let payload = match p.get("Payload") {
                Some(Value::String(s)) => {
                    serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
                }
                // A null or absent Payload invokes the function with `{}` (recorded:
                // `services.test_lambda_task_service.test_invoke`, Payload null, an echoing
                // function, `"Payload": {}`).
                Some(Value::Null) | None => json!({}),
                Some(v) => v.clone(),
            };
            let invocation_type = p
                .get("InvocationType")
                .and_then(Value::as_str)
                .map(String::from);
            let now = request.clock.now_ms();
            match this
                .invoke(
                    &name,
                    qualifier.as_deref(),
                    payload,
                    invocation_type.as_deref(),
                    request,
                )
                .await
            {
                Outcome::Returned { payload, .. } if payload.len() > MAX_RESULT_BYTES => {
                    Err(data_limit_exceeded("lambda"))
                }
                Outcome::Returned { payload, version } => {
                    Ok(this.service_output(&payload, &version, now))
                }
                Outcome::FunctionError { error, cause } => {
                    // The service form reports the error JSON as Lambda's SDK re-serializes it
                    // (compact), as recorded in `test_task_service_lambda.test_raise_custom_exception`.
                    let cause = serde_json::from_str::<Value>(&cause)
                        .map(|v| v.to_string())
                        .unwrap_or(cause);
                    Err(StatesError::new(error, cause))
                }
                Outcome::Service(e) => Err(e),
            }
        })
    }

    /// `LambdaFunction*` events for a function ARN, `Task*` events for `lambda:invoke`.
    pub(crate) fn event_family(&self, resource: &Resource) -> EventFamily {
        if resource.base.starts_with(FUNCTION_ARN_PREFIX) {
            EventFamily::LambdaFunction
        } else {
            EventFamily::Task
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_split_like_lambda() {
        assert_eq!(split_function("f"), ("f".into(), None));
        assert_eq!(split_function("f:prod"), ("f".into(), Some("prod".into())));
        assert_eq!(
            split_function("arn:aws:lambda:us-east-1:1:function:f:3"),
            ("f".into(), Some("3".into()))
        );
        assert_eq!(
            split_function("123456789012:function:f"),
            ("f".into(), None)
        );
    }

    #[test]
    fn service_errors_read_like_the_java_sdk() {
        let e = service_error("TooManyRequestsException", "Rate Exceeded.", 429, "r-1");
        assert_eq!(e.error, "Lambda.TooManyRequestsException");
        assert_eq!(
            e.cause,
            "Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; Request ID: r-1; Proxy: null)"
        );
    }
}

#[cfg(test)]
mod doc_example_27 {
    // Moved from a doc example (the item is crate-private).
    use crate::engine::task::{EngineHandle, Resource, TaskRequest};
    use crate::integrations::lambda::{function, LambdaIntegration};
    use crate::time::Clock;
    use serde_json::json;

    #[tokio::test(flavor = "current_thread")]
    async fn example() {
        let lambda =
            std::sync::Arc::new(LambdaIntegration::new("123456789012", "us-east-1", Some(7)));
        lambda.functions().register(
            "double",
            function(|event| async move { Ok(json!(event["n"].as_i64().unwrap_or(0) * 2)) }),
        );
        let out = lambda
            .call(TaskRequest {
                resource: Resource::parse("arn:aws:states:::lambda:invoke"),
                input: json!({ "FunctionName": "double", "Payload": { "n": 21 } }),
                token: None,
                execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
                state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
                state_name: "Double".into(),
                retry_count: 0,
                clock: Clock::virtual_at(0),
                engine: EngineHandle::detached(),
            })
            .await
            .unwrap();
        assert_eq!(out["Payload"], json!(42));
        assert_eq!(out["StatusCode"], json!(200));
    }
}
