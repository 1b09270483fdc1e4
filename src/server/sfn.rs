//! The Step Functions API (AWS JSON 1.0, target prefix `AWSStepFunctions.`) over an [`Engine`].
//!
//! Each operation reads its request members (camelCase, as in the service model
//! `aws-sdk-rust/aws-models/sfn.json` / botocore's `stepfunctions/2016-11-23/service-2.json`),
//! calls the engine, and writes the response members AWS returns. Timestamps are epoch seconds
//! as JSON numbers, and `input`/`output`/`definition` are JSON text, as the SDKs expect.
//! Anything else answers `UnknownOperationException`.
//!
//! Where AWS's exact response or error text is known it is followed, and the source is named
//! next to the code. Most come from the responses AWS returned to LocalStack's AWS-validated
//! tests (`tests/aws/services/stepfunctions/v2/test_sfn_api*.snapshot.json` in
//! localstack/localstack): `Invalid Arn: 'Invalid ARN prefix: …'`, `State Machine Does Not
//! Exist: '…'`, `This operation is not supported by this type of state machine`, the
//! `redriveStatus` of DescribeExecution, ListStateMachines sorted by name, no `revisionId` before
//! the first update, EXPRESS execution ARNs (`…:express:<machine>:<name>:<id>`) that
//! DescribeExecution, StopExecution and GetExecutionHistory refuse.
//!
//! ```
//! use sfn_harness::engine::{Engine, EngineConfig};
//! use sfn_harness::server::sfn;
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let engine = Engine::new(EngineConfig::default());
//! let body = json!({
//!     "name": "hello",
//!     "definition": r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
//!     "roleArn": "arn:aws:iam::123456789012:role/r"
//! });
//! let out = sfn::handle(&engine, "CreateStateMachine", body.to_string().as_bytes()).await.unwrap();
//! assert!(out["stateMachineArn"].as_str().unwrap().ends_with(":stateMachine:hello"));
//! # }
//! ```

use std::sync::Arc;

use serde_json::{json, Value};

use crate::asl;
use crate::engine::history::{self, HistoryEvent};
use crate::engine::{ApiError, Engine, Execution, MachineType, StateMachine, Status};
use crate::server::json::{parse_object, Malformed, Members};
use crate::server::{BoxFuture, JsonReply, JsonService};
use crate::time::Millis;

/// The operations this API serves (every other `AWSStepFunctions.*` target is
/// `UnknownOperationException`).
pub const SFN_OPERATIONS: &[&str] = &[
    "CreateStateMachine",
    "DescribeStateMachine",
    "UpdateStateMachine",
    "DeleteStateMachine",
    "ListStateMachines",
    "ValidateStateMachineDefinition",
    "StartExecution",
    "StartSyncExecution",
    "DescribeExecution",
    "DescribeStateMachineForExecution",
    "ListExecutions",
    "StopExecution",
    "GetExecutionHistory",
    "SendTaskSuccess",
    "SendTaskFailure",
    "SendTaskHeartbeat",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
];

/// The Step Functions API as a [`JsonService`] for the router.
///
/// ```
/// use sfn_harness::engine::{Engine, EngineConfig};
/// use sfn_harness::server::{sfn::SfnApi, JsonService};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let api = SfnApi::new(Engine::new(EngineConfig::default()));
/// let reply = api.call("ListStateMachines", b"{}").await;
/// assert_eq!(reply.status, 200);
/// let reply = api.call("CreateActivity", b"{}").await;
/// assert!(String::from_utf8_lossy(&reply.body).contains("UnknownOperationException"));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SfnApi {
    engine: Engine,
}

impl SfnApi {
    /// The API over `engine`.
    pub fn new(engine: Engine) -> Arc<SfnApi> {
        Arc::new(SfnApi { engine })
    }
}

impl JsonService for SfnApi {
    fn call<'a>(&'a self, operation: &'a str, body: &'a [u8]) -> BoxFuture<'a, JsonReply> {
        Box::pin(async move {
            match handle(&self.engine, operation, body).await {
                Ok(v) => JsonReply::ok(&v),
                Err(e) => error_reply(operation, &e),
            }
        })
    }
}

/// The code marking an undecodable body or a member of the wrong JSON type.
const SERIALIZATION: &str = "SerializationException";
/// The code marking an operation this API does not serve.
const UNKNOWN_OPERATION: &str = "UnknownOperationException";

fn error_reply(operation: &str, e: &ApiError) -> JsonReply {
    match e.code {
        SERIALIZATION => JsonReply::serialization(&e.message),
        UNKNOWN_OPERATION => JsonReply::unknown_operation(&format!("AWSStepFunctions.{operation}")),
        "ServiceException" => JsonReply::error(500, e.code, &e.message),
        _ => JsonReply::error(400, e.code, &e.message),
    }
}

impl From<Malformed> for ApiError {
    fn from(m: Malformed) -> ApiError {
        ApiError::new(SERIALIZATION, m.0)
    }
}

fn secs(ms: Millis) -> Value {
    json!(ms as f64 / 1000.0)
}

/// The page-token limits of the service model: `PageToken` (1–1024 characters) and
/// `ListExecutionsPageToken` (1–3096), as AWS enforces them (LocalStack's AWS-validated
/// `test_list_sms_pagination` / `test_list_executions_pagination`).
const PAGE_TOKEN_MAX: usize = 1024;
const LIST_EXECUTIONS_PAGE_TOKEN_MAX: usize = 3096;

/// Reads request members, with AWS's (coral's) validation messages.
struct Req<'a>(Members<'a>);

impl Req<'_> {
    fn opt_str(&self, key: &str) -> Result<Option<String>, ApiError> {
        Ok(self.0.string(key)?)
    }

    fn str(&self, key: &str) -> Result<String, ApiError> {
        self.opt_str(key)?.ok_or_else(|| missing(key))
    }

    fn opt_bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        Ok(self.0.boolean(key)?)
    }

    /// `maxResults`: 0–1000; absent or 0 means the default, 100.
    fn max_results(&self) -> Result<usize, ApiError> {
        match self.0.integer("maxResults")? {
            None | Some(0) => Ok(100),
            Some(n) if n < 0 => Err(ApiError::validation(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0"
            ))),
            Some(n) if n > 1000 => Err(ApiError::validation(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
            ))),
            Some(n) => Ok(n as usize),
        }
    }

    /// Where a page starts: `nextToken` as returned by an earlier page. A token this endpoint
    /// did not issue is `InvalidToken` (the model lists it for every paginated operation; the
    /// text is LocalStack's, AWS's own is not recorded).
    fn next_token(&self, max_len: usize) -> Result<usize, ApiError> {
        let Some(t) = self.opt_str("nextToken")? else {
            return Ok(0);
        };
        let len = t.chars().count();
        if len == 0 || len > max_len {
            let bound = if len == 0 {
                "greater than or equal to 1".to_string()
            } else {
                format!("less than or equal to {max_len}")
            };
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{t}' at 'nextToken' failed to satisfy constraint: Member must have length {bound}"
            )));
        }
        t.strip_prefix(PAGE_TOKEN_PREFIX)
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| ApiError::invalid_token("Invalid Token: 'Invalid token'"))
    }
}

fn missing(key: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value null at '{key}' failed to satisfy constraint: Member must not be null"
    ))
}

const PAGE_TOKEN_PREFIX: &str = "sfnh-page-";

/// One page of `items` from `start`, and the token of the next page if there is one.
fn page<T>(items: Vec<T>, start: usize, max: usize) -> Result<(Vec<T>, Option<String>), ApiError> {
    let total = items.len();
    if start > total {
        return Err(ApiError::invalid_token("Invalid Token: 'Invalid token'"));
    }
    let end = start.saturating_add(max).min(total);
    let next = (end < total).then(|| format!("{PAGE_TOKEN_PREFIX}{end}"));
    let page = items.into_iter().skip(start).take(end - start).collect();
    Ok((page, next))
}

/// Sets `nextToken` on a list response when there are more pages.
fn with_next(mut out: Value, next: Option<String>) -> Value {
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    out
}

fn machine_type(s: Option<&str>) -> Result<MachineType, ApiError> {
    match s {
        None | Some("STANDARD") => Ok(MachineType::Standard),
        Some("EXPRESS") => Ok(MachineType::Express),
        Some(other) => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{other}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
        ))),
    }
}

fn type_not_supported() -> ApiError {
    // AWS's text (LocalStack's AWS-validated `test_start_sync_execution` and
    // `test_start_async_describe_history_execution`).
    ApiError::new(
        "StateMachineTypeNotSupported",
        "This operation is not supported by this type of state machine",
    )
}

/// The settings both DescribeStateMachine and DescribeStateMachineForExecution report.
/// `revisionId` appears only once the machine has been updated, as on AWS.
fn machine_fields(m: &StateMachine) -> Value {
    let mut v = json!({
        "stateMachineArn": m.arn,
        "name": m.name,
        "definition": m.definition_text,
        "roleArn": m.role_arn,
        "loggingConfiguration": { "level": "OFF", "includeExecutionData": false },
        "tracingConfiguration": { "enabled": false },
    });
    if m.updated_ms.is_some() {
        v["revisionId"] = json!(m.revision_id);
    }
    v
}

fn describe_machine(m: &StateMachine) -> Value {
    let mut v = machine_fields(m);
    v["status"] = json!("ACTIVE");
    v["type"] = json!(m.machine_type.as_str());
    v["creationDate"] = secs(m.created_ms);
    v
}

/// DescribeExecution's members (StartSyncExecution's are these less the redrive ones).
fn describe_execution(e: &Execution) -> Value {
    let status = e.status();
    let mut v = json!({
        "executionArn": e.arn(),
        "stateMachineArn": e.state_machine().arn,
        "name": e.name(),
        "status": status.as_str(),
        "startDate": secs(e.start_ms()),
        "input": history::json_text(e.input()),
        "inputDetails": { "included": true },
        "redriveCount": 0,
    });
    // Succeeded and running executions cannot be redriven; failed, timed-out and aborted ones
    // can (for 14 days). The reason text is AWS's (LocalStack's AWS-validated snapshots of
    // `test_describe_execution` and `test_state_fail`).
    match status {
        Status::Running | Status::Succeeded => {
            v["redriveStatus"] = json!("NOT_REDRIVABLE");
            v["redriveStatusReason"] =
                json!(format!("Execution is {status} and cannot be redriven"));
        }
        Status::Failed | Status::TimedOut | Status::Aborted => {
            v["redriveStatus"] = json!("REDRIVABLE");
        }
    }
    if let Some(stop) = e.stop_ms() {
        v["stopDate"] = secs(stop);
    }
    if let Some(out) = e.output() {
        v["output"] = json!(history::json_text(&out));
        v["outputDetails"] = json!({ "included": true });
    }
    if let Some(err) = e.error() {
        v["error"] = json!(err);
    }
    if let Some(cause) = e.cause() {
        v["cause"] = json!(cause);
    }
    v
}

fn history_event(e: &HistoryEvent, include_data: bool) -> Value {
    let mut v = e.to_aws_json();
    if !include_data {
        if let Some((key, _)) = &e.details {
            if let Some(details) = v.get_mut(key).and_then(Value::as_object_mut) {
                for k in ["input", "output", "parameters"] {
                    details.remove(k);
                }
                for k in ["inputDetails", "outputDetails"] {
                    if details.contains_key(k) {
                        details.insert(k.into(), json!({ "truncated": false }));
                    }
                }
            }
        }
    }
    v
}

/// An execution the STANDARD-only operations (DescribeExecution, StopExecution,
/// GetExecutionHistory, DescribeStateMachineForExecution) may see: an EXPRESS execution's ARN is
/// refused as AWS refuses it.
fn standard_execution(engine: &Engine, arn: &str) -> Result<Arc<Execution>, ApiError> {
    if crate::arn::Arn::parse(arn).is_some_and(|a| a.resource_type() == "express") {
        return Err(ApiError::resource_type_not_valid("express"));
    }
    engine.execution(arn)
}

/// A state machine ARN for the tagging operations (anything else is not a resource).
fn taggable(arn: String) -> Result<String, ApiError> {
    if arn.starts_with("arn:") {
        Ok(arn)
    } else {
        Err(ApiError::invalid_arn(&arn))
    }
}

/// Handles one `AWSStepFunctions.<operation>` request body; returns the response body.
pub async fn handle(engine: &Engine, operation: &str, body: &[u8]) -> Result<Value, ApiError> {
    let map = parse_object(body)?;
    let r = Req(Members(&map));
    match operation {
        "CreateStateMachine" => {
            let name = r.str("name")?;
            let definition = r.str("definition")?;
            let role = r.str("roleArn")?;
            let kind = machine_type(r.opt_str("type")?.as_deref())?;
            let tags = parse_tags(&r.0, false)?;
            let m = engine.create_state_machine_with(&name, &definition, Some(&role), kind)?;
            if !tags.is_empty() {
                engine.tag_resource(&m.arn, &tags)?;
            }
            Ok(json!({ "stateMachineArn": m.arn, "creationDate": secs(m.created_ms) }))
        }
        "DescribeStateMachine" => {
            let m = engine.state_machine(&r.str("stateMachineArn")?)?;
            Ok(describe_machine(&m))
        }
        "UpdateStateMachine" => {
            let m = engine.update_state_machine(
                &r.str("stateMachineArn")?,
                r.opt_str("definition")?.as_deref(),
                r.opt_str("roleArn")?.as_deref(),
            )?;
            Ok(json!({
                "updateDate": secs(m.updated_ms.unwrap_or_else(|| engine.clock().now_ms())),
                "revisionId": m.revision_id,
            }))
        }
        "DeleteStateMachine" => {
            // Deleting a machine that does not exist succeeds (LocalStack's AWS-validated
            // `test_delete_nonexistent_sm`); the model lists only InvalidArn and validation.
            engine.delete_state_machine(&r.str("stateMachineArn")?)?;
            Ok(json!({}))
        }
        "ListStateMachines" => {
            let (max, start) = (r.max_results()?, r.next_token(PAGE_TOKEN_MAX)?);
            // AWS lists state machines in name order (LocalStack's AWS-validated
            // `test_list_sms_pagination`: statemachine_0, _10, _11, _12, _1, …).
            let mut all = engine.state_machines();
            all.sort_by(|a, b| a.name.cmp(&b.name));
            let (items, next) = page(all, start, max)?;
            let machines: Vec<Value> = items
                .iter()
                .map(|m| {
                    json!({
                        "stateMachineArn": m.arn,
                        "name": m.name,
                        "type": m.machine_type.as_str(),
                        "creationDate": secs(m.created_ms),
                    })
                })
                .collect();
            Ok(with_next(json!({ "stateMachines": machines }), next))
        }
        "ValidateStateMachineDefinition" => {
            let definition = r.str("definition")?;
            let kind = machine_type(r.opt_str("type")?.as_deref())?;
            let diagnostics = match asl::parse_str(&definition) {
                Ok(def) if kind == MachineType::Express => asl::validate::express_violations(&def),
                Ok(_) => Vec::new(),
                Err(e) => e.diagnostics,
            };
            Ok(json!({
                "result": if diagnostics.is_empty() { "OK" } else { "FAIL" },
                "diagnostics": diagnostics,
                "truncated": false,
            }))
        }
        "StartExecution" => {
            let machine_arn = r.str("stateMachineArn")?;
            let exec = engine.start_execution(
                &machine_arn,
                r.opt_str("name")?.as_deref(),
                r.opt_str("input")?.as_deref(),
            )?;
            Ok(json!({ "executionArn": exec.arn(), "startDate": secs(exec.start_ms()) }))
        }
        "StartSyncExecution" => {
            let machine_arn = r.str("stateMachineArn")?;
            let machine = engine.state_machine(&machine_arn)?;
            if machine.machine_type != MachineType::Express {
                return Err(type_not_supported());
            }
            let exec = engine.start_execution(
                &machine_arn,
                r.opt_str("name")?.as_deref(),
                r.opt_str("input")?.as_deref(),
            )?;
            let clock = engine.clock().clone();
            clock.park(clock.run_until(exec.wait())).await;
            let mut out = describe_execution(&exec);
            if let Some(o) = out.as_object_mut() {
                for k in ["redriveCount", "redriveStatus", "redriveStatusReason"] {
                    o.remove(k);
                }
                // What AWS reports for a short execution (LocalStack's AWS-validated
                // `test_start_sync_execution`); nothing is billed here.
                o.insert(
                    "billingDetails".into(),
                    json!({ "billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100 }),
                );
            }
            Ok(out)
        }
        "DescribeExecution" => {
            let e = standard_execution(engine, &r.str("executionArn")?)?;
            Ok(describe_execution(&e))
        }
        "DescribeStateMachineForExecution" => {
            let e = standard_execution(engine, &r.str("executionArn")?)?;
            let m = e.state_machine();
            let mut out = machine_fields(m);
            out["updateDate"] = secs(m.updated_ms.unwrap_or(m.created_ms));
            Ok(out)
        }
        "ListExecutions" => {
            let machine_arn = r.str("stateMachineArn")?;
            let status = match r.opt_str("statusFilter")?.as_deref() {
                None => None,
                // Listed in the enum, but only meaningful for a Map Run's child executions:
                // with a stateMachineArn AWS answers a validation error (API reference).
                Some("PENDING_REDRIVE") => {
                    return Err(ApiError::validation(
                        "The PENDING_REDRIVE statusFilter is only valid with a mapRunArn",
                    ))
                }
                Some(s) => Some(Status::parse(s).ok_or_else(|| {
                    ApiError::validation(format!(
                        "1 validation error detected: Value '{s}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
                    ))
                })?),
            };
            let (max, start) = (
                r.max_results()?,
                r.next_token(LIST_EXECUTIONS_PAGE_TOKEN_MAX)?,
            );
            let machine = engine.state_machine(&machine_arn)?;
            if machine.machine_type == MachineType::Express {
                return Err(type_not_supported());
            }
            let (items, next) = page(engine.executions(Some(&machine_arn), status), start, max)?;
            let executions: Vec<Value> = items
                .iter()
                .map(|e| {
                    let mut v = json!({
                        "executionArn": e.arn(),
                        "stateMachineArn": e.state_machine().arn,
                        "name": e.name(),
                        "status": e.status().as_str(),
                        "startDate": secs(e.start_ms()),
                        "redriveCount": 0,
                    });
                    if let Some(s) = e.stop_ms() {
                        v["stopDate"] = secs(s);
                    }
                    v
                })
                .collect();
            Ok(with_next(json!({ "executions": executions }), next))
        }
        "StopExecution" => {
            let arn = r.str("executionArn")?;
            standard_execution(engine, &arn)?;
            let e = engine.stop_execution(
                &arn,
                r.opt_str("error")?.as_deref(),
                r.opt_str("cause")?.as_deref(),
            )?;
            Ok(json!({ "stopDate": secs(e.stop_ms().unwrap_or_else(|| engine.clock().now_ms())) }))
        }
        "GetExecutionHistory" => {
            let arn = r.str("executionArn")?;
            let include = r.opt_bool("includeExecutionData")?.unwrap_or(true);
            let reverse = r.opt_bool("reverseOrder")?.unwrap_or(false);
            let (max, start) = (r.max_results()?, r.next_token(PAGE_TOKEN_MAX)?);
            let e = standard_execution(engine, &arn)?;
            let mut events = e.history();
            if reverse {
                events.reverse();
            }
            let (items, next) = page(events, start, max)?;
            let events: Vec<Value> = items.iter().map(|ev| history_event(ev, include)).collect();
            Ok(with_next(json!({ "events": events }), next))
        }
        "SendTaskSuccess" => {
            let token = r.str("taskToken")?;
            let output = r.str("output")?;
            engine.send_task_success(&token, &output)?;
            Ok(json!({}))
        }
        "SendTaskFailure" => {
            let token = r.str("taskToken")?;
            engine.send_task_failure(
                &token,
                r.opt_str("error")?.as_deref(),
                r.opt_str("cause")?.as_deref(),
            )?;
            Ok(json!({}))
        }
        "SendTaskHeartbeat" => {
            engine.send_task_heartbeat(&r.str("taskToken")?)?;
            Ok(json!({}))
        }
        "TagResource" => {
            let arn = taggable(r.str("resourceArn")?)?;
            let tags = parse_tags(&r.0, true)?;
            engine.tag_resource(&arn, &tags)?;
            Ok(json!({}))
        }
        "UntagResource" => {
            let arn = taggable(r.str("resourceArn")?)?;
            if r.0 .0.get("tagKeys").is_none_or(Value::is_null) {
                return Err(missing("tagKeys"));
            }
            let keys = r.0.string_list("tagKeys")?;
            engine.untag_resource(&arn, &keys)?;
            Ok(json!({}))
        }
        "ListTagsForResource" => {
            let tags = engine.tags(&taggable(r.str("resourceArn")?)?)?;
            let tags: Vec<Value> = tags
                .iter()
                .map(|(k, v)| json!({ "key": k, "value": v }))
                .collect();
            Ok(json!({ "tags": tags }))
        }
        other => Err(ApiError::new(
            UNKNOWN_OPERATION,
            format!("Unknown operation: AWSStepFunctions.{other}"),
        )),
    }
}

/// The `tags` member: a list of `{key, value}` (a key of 1–128 characters, a value of 0–256,
/// as the service model's `TagKey`/`TagValue` say). `required` makes an absent list an error.
fn parse_tags(r: &Members<'_>, required: bool) -> Result<Vec<(String, String)>, ApiError> {
    if required && r.0.get("tags").is_none_or(Value::is_null) {
        return Err(missing("tags"));
    }
    r.object_list("tags")?
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let at = |member: &str| format!("tags.{}.member.{member}", i + 1);
            let key = t.string("key")?.ok_or_else(|| missing(&at("key")))?;
            let value = t.string("value")?.unwrap_or_default();
            let bad_len = |member: &str, bound: &str| {
                ApiError::validation(format!(
                    "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must have length {bound}",
                    at(member)
                ))
            };
            if key.is_empty() {
                return Err(bad_len("key", "greater than or equal to 1"));
            }
            if key.chars().count() > 128 {
                return Err(bad_len("key", "less than or equal to 128"));
            }
            if value.chars().count() > 256 {
                return Err(bad_len("value", "less than or equal to 256"));
            }
            Ok((key, value))
        })
        .collect()
}

/// A client-side interceptor for `aws_sdk_sfn` clients pointed at this endpoint: it undoes the
/// `sync-` host prefix that the SDKs put before the endpoint's host for `StartSyncExecution`.
///
/// The Step Functions service model gives `StartSyncExecution` the endpoint host prefix
/// `sync-` (botocore `stepfunctions/2016-11-23/service-2.json`, `"endpoint": {"hostPrefix":
/// "sync-"}`), and the SDKs apply it to a custom endpoint URL too, so
/// `http://127.0.0.1:8083` becomes `http://sync-127.0.0.1:8083`, a host that does not resolve.
/// [`Harness::sfn_client`](crate::harness::Harness::sfn_client) installs this interceptor; add
/// it to your own client when you point one at `sfn-harness serve`. (boto3 and the AWS CLI
/// have `inject_host_prefix=False` / `AWS_DISABLE_HOST_PREFIX_INJECTION=true` for the same.)
///
/// ```no_run
/// # async fn f() {
/// let conf = aws_sdk_sfn::Config::builder()
///     .behavior_version(aws_sdk_sfn::config::BehaviorVersion::latest())
///     .endpoint_url("http://127.0.0.1:8083")
///     .interceptor(sfn_harness::server::sfn::NoHostPrefix)
///     .build();
/// let client = aws_sdk_sfn::Client::from_conf(conf);
/// # }
/// ```
#[cfg(feature = "sdk")]
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHostPrefix;

#[cfg(feature = "sdk")]
impl aws_sdk_sfn::config::Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "sfn_harness::NoHostPrefix"
    }

    fn modify_before_signing(
        &self,
        context: &mut aws_sdk_sfn::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &aws_sdk_sfn::config::RuntimeComponents,
        _cfg: &mut aws_sdk_sfn::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let request = context.request_mut();
        if let Some(uri) = strip_sync_prefix(request.uri()) {
            request.set_uri(uri)?;
        }
        Ok(())
    }
}

/// `scheme://sync-host…` without the `sync-`, or `None` if the URI has no such prefix.
#[cfg_attr(not(feature = "sdk"), allow(dead_code))]
fn strip_sync_prefix(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let host = rest.strip_prefix("sync-")?;
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_prefix_is_stripped_only_where_present() {
        assert_eq!(
            strip_sync_prefix("http://sync-127.0.0.1:8083/").as_deref(),
            Some("http://127.0.0.1:8083/")
        );
        assert_eq!(strip_sync_prefix("http://127.0.0.1:8083/"), None);
        assert_eq!(strip_sync_prefix("not a uri"), None);
    }
}
