//! The Step Functions API (AWS JSON 1.0, target prefix `AWSStepFunctions.`) over an [`Engine`].
//!
//! Each operation reads its request members (camelCase, as in the service model
//! `aws-sdk-rust/aws-models/sfn.json`), calls the engine, and writes the response members AWS
//! returns. Timestamps are epoch seconds as JSON numbers, and `input`/`output`/`definition` are
//! JSON text, as the SDKs expect. Anything else answers `UnknownOperationException`.
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

use serde_json::{json, Map, Value};

use crate::asl;
use crate::engine::clock::Millis;
use crate::engine::history::HistoryEvent;
use crate::engine::{ApiError, Engine, Execution, MachineType, StateMachine, Status};

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

/// The Step Functions API as a [`JsonService`](crate::server::JsonService) for the router.
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

impl crate::server::JsonService for SfnApi {
    fn call<'a>(
        &'a self,
        operation: &'a str,
        body: &'a [u8],
    ) -> crate::server::BoxFuture<'a, crate::server::JsonReply> {
        Box::pin(async move {
            match handle(&self.engine, operation, body).await {
                Ok(v) => crate::server::JsonReply::ok(&v),
                Err(e) if e.code == "SerializationException" => {
                    crate::server::JsonReply::serialization(&e.message)
                }
                Err(e) if e.code == "UnknownOperationException" => {
                    crate::server::JsonReply::unknown_operation(&format!(
                        "AWSStepFunctions.{operation}"
                    ))
                }
                Err(e) => {
                    let status = if e.code == "ServiceException" {
                        500
                    } else {
                        400
                    };
                    crate::server::JsonReply::error(status, e.code, &e.message)
                }
            }
        })
    }
}

fn secs(ms: Millis) -> Value {
    json!(ms as f64 / 1000.0)
}

/// Reads request members with AWS's validation messages.
struct Req<'a> {
    body: &'a Map<String, Value>,
}

impl<'a> Req<'a> {
    fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ApiError> {
        match self.body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ApiError::new(
                "SerializationException",
                format!("Unexpected value type for member '{key}': expected a string"),
            )),
        }
    }

    fn str(&self, key: &str) -> Result<&'a str, ApiError> {
        self.opt_str(key)?.ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value null at '{key}' failed to satisfy constraint: Member must not be null"
            ))
        })
    }

    fn opt_bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::new(
                "SerializationException",
                format!("Unexpected value type for member '{key}': expected a boolean"),
            )),
        }
    }

    fn opt_u64(&self, key: &str) -> Result<Option<u64>, ApiError> {
        match self.body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| {
                ApiError::validation(format!(
                    "1 validation error detected: Value '{n}' at '{key}' failed to satisfy constraint: Member must have value greater than or equal to 0"
                ))
            }),
            Some(_) => Err(ApiError::new(
                "SerializationException",
                format!("Unexpected value type for member '{key}': expected a number"),
            )),
        }
    }

    fn max_results(&self) -> Result<usize, ApiError> {
        match self.opt_u64("maxResults")? {
            None | Some(0) => Ok(100),
            Some(n) if n <= 1000 => Ok(n as usize),
            Some(n) => Err(ApiError::validation(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
            ))),
        }
    }

    fn next_token(&self) -> Result<usize, ApiError> {
        match self.opt_str("nextToken")? {
            None => Ok(0),
            Some(t) => t
                .strip_prefix("sfnh-page-")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| ApiError::new("InvalidToken", format!("Invalid Token: '{t}'"))),
        }
    }
}

fn page<T>(items: Vec<T>, start: usize, max: usize) -> (Vec<T>, Option<String>) {
    let total = items.len();
    let end = start.saturating_add(max).min(total);
    let next = (end < total).then(|| format!("sfnh-page-{end}"));
    let page = items
        .into_iter()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect();
    (page, next)
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

fn describe_machine(m: &StateMachine) -> Value {
    json!({
        "stateMachineArn": m.arn,
        "name": m.name,
        "status": "ACTIVE",
        "definition": m.definition_text,
        "roleArn": m.role_arn,
        "type": m.machine_type.as_str(),
        "creationDate": secs(m.created_ms),
        "revisionId": m.revision_id,
        "loggingConfiguration": { "level": "OFF", "includeExecutionData": false },
        "tracingConfiguration": { "enabled": false },
    })
}

fn describe_execution(e: &Execution) -> Value {
    let mut v = json!({
        "executionArn": e.arn(),
        "stateMachineArn": e.state_machine().arn,
        "name": e.name(),
        "status": e.status().as_str(),
        "startDate": secs(e.start_ms()),
        "input": crate::engine::history::json_text(e.input()),
        "inputDetails": { "included": true },
        "redriveCount": 0,
    });
    if let Some(stop) = e.stop_ms() {
        v["stopDate"] = secs(stop);
    }
    if let Some(out) = e.output() {
        v["output"] = json!(crate::engine::history::json_text(&out));
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

/// Handles one `AWSStepFunctions.<operation>` request body; returns the response body.
pub async fn handle(engine: &Engine, operation: &str, body: &[u8]) -> Result<Value, ApiError> {
    let parsed: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::new(
                "SerializationException",
                format!("Malformed request body: {e}"),
            )
        })?
    };
    let Value::Object(map) = parsed else {
        return Err(ApiError::new(
            "SerializationException",
            "The request body must be a JSON object",
        ));
    };
    let r = Req { body: &map };
    match operation {
        "CreateStateMachine" => {
            let name = r.str("name")?;
            let definition = r.str("definition")?;
            let role = r.str("roleArn")?;
            let kind = machine_type(r.opt_str("type")?)?;
            let m = engine.create_state_machine_with(name, definition, Some(role), kind)?;
            if let Some(Value::Array(tags)) = map.get("tags") {
                engine.tag_resource(&m.arn, &parse_tags(tags)?)?;
            }
            Ok(json!({ "stateMachineArn": m.arn, "creationDate": secs(m.created_ms) }))
        }
        "DescribeStateMachine" => {
            let m = engine.state_machine(r.str("stateMachineArn")?)?;
            Ok(describe_machine(&m))
        }
        "UpdateStateMachine" => {
            let m = engine.update_state_machine(
                r.str("stateMachineArn")?,
                r.opt_str("definition")?,
                r.opt_str("roleArn")?,
            )?;
            Ok(json!({
                "updateDate": secs(m.updated_ms.unwrap_or(m.created_ms)),
                "revisionId": m.revision_id,
            }))
        }
        "DeleteStateMachine" => {
            engine.delete_state_machine(r.str("stateMachineArn")?)?;
            Ok(json!({}))
        }
        "ListStateMachines" => {
            let (items, next) = page(engine.state_machines(), r.next_token()?, r.max_results()?);
            let mut out = json!({
                "stateMachines": items.iter().map(|m| json!({
                    "stateMachineArn": m.arn,
                    "name": m.name,
                    "type": m.machine_type.as_str(),
                    "creationDate": secs(m.created_ms),
                })).collect::<Vec<_>>()
            });
            if let Some(n) = next {
                out["nextToken"] = json!(n);
            }
            Ok(out)
        }
        "ValidateStateMachineDefinition" => {
            let definition = r.str("definition")?;
            machine_type(r.opt_str("type")?)?;
            let diagnostics = match asl::parse_str(definition) {
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
            let exec =
                engine.start_execution(machine_arn, r.opt_str("name")?, r.opt_str("input")?)?;
            Ok(json!({ "executionArn": exec.arn(), "startDate": secs(exec.start_ms()) }))
        }
        "StartSyncExecution" => {
            let machine_arn = r.str("stateMachineArn")?;
            let machine = engine.state_machine(machine_arn)?;
            if machine.machine_type != MachineType::Express {
                return Err(ApiError::new(
                    "StateMachineTypeNotSupported",
                    "This operation is not supported by this type of state machine",
                ));
            }
            let exec =
                engine.start_execution(machine_arn, r.opt_str("name")?, r.opt_str("input")?)?;
            let clock = engine.clock().clone();
            clock.park(clock.run_until(exec.wait())).await;
            let mut out = describe_execution(&exec);
            if let Some(o) = out.as_object_mut() {
                o.remove("redriveCount");
                o.insert(
                    "billingDetails".into(),
                    json!({ "billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100 }),
                );
            }
            Ok(out)
        }
        "DescribeExecution" => {
            let e = engine.execution(r.str("executionArn")?)?;
            Ok(describe_execution(&e))
        }
        "DescribeStateMachineForExecution" => {
            let e = engine.execution(r.str("executionArn")?)?;
            let m = e.state_machine();
            let mut out = describe_machine(m);
            if let Some(o) = out.as_object_mut() {
                o.remove("status");
                o.remove("type");
                o.remove("creationDate");
                o.insert(
                    "updateDate".into(),
                    secs(m.updated_ms.unwrap_or(m.created_ms)),
                );
            }
            Ok(out)
        }
        "ListExecutions" => {
            let machine_arn = r.str("stateMachineArn")?;
            engine.state_machine(machine_arn)?;
            let status = match r.opt_str("statusFilter")? {
                None => None,
                Some(s) => Some(Status::parse(s).ok_or_else(|| {
                    ApiError::validation(format!(
                        "1 validation error detected: Value '{s}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
                    ))
                })?),
            };
            let all = engine.executions(Some(machine_arn), status);
            let (items, next) = page(all, r.next_token()?, r.max_results()?);
            let mut out = json!({
                "executions": items.iter().map(|e| {
                    let mut v = json!({
                        "executionArn": e.arn(),
                        "stateMachineArn": e.state_machine().arn,
                        "name": e.name(),
                        "status": e.status().as_str(),
                        "startDate": secs(e.start_ms()),
                        "redriveCount": 0,
                    });
                    if let Some(s) = e.stop_ms() { v["stopDate"] = secs(s); }
                    v
                }).collect::<Vec<_>>()
            });
            if let Some(n) = next {
                out["nextToken"] = json!(n);
            }
            Ok(out)
        }
        "StopExecution" => {
            let e = engine.stop_execution(
                r.str("executionArn")?,
                r.opt_str("error")?,
                r.opt_str("cause")?,
            )?;
            Ok(json!({ "stopDate": secs(e.stop_ms().unwrap_or_else(|| engine.clock().now_ms())) }))
        }
        "GetExecutionHistory" => {
            let e = engine.execution(r.str("executionArn")?)?;
            let include = r.opt_bool("includeExecutionData")?.unwrap_or(true);
            let mut events = e.history();
            if r.opt_bool("reverseOrder")?.unwrap_or(false) {
                events.reverse();
            }
            let (items, next) = page(events, r.next_token()?, r.max_results()?);
            let mut out = json!({
                "events": items.iter().map(|ev| history_event(ev, include)).collect::<Vec<_>>()
            });
            if let Some(n) = next {
                out["nextToken"] = json!(n);
            }
            Ok(out)
        }
        "SendTaskSuccess" => {
            let token = r.str("taskToken")?;
            let output = r.str("output")?;
            engine.send_task_success(token, output)?;
            Ok(json!({}))
        }
        "SendTaskFailure" => {
            let token = r.str("taskToken")?;
            engine.send_task_failure(token, r.opt_str("error")?, r.opt_str("cause")?)?;
            Ok(json!({}))
        }
        "SendTaskHeartbeat" => {
            engine.send_task_heartbeat(r.str("taskToken")?)?;
            Ok(json!({}))
        }
        "TagResource" => {
            let arn = r.str("resourceArn")?;
            let tags = match map.get("tags") {
                Some(Value::Array(t)) => parse_tags(t)?,
                _ => {
                    return Err(ApiError::validation(
                        "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
                    ))
                }
            };
            engine.tag_resource(arn, &tags)?;
            Ok(json!({}))
        }
        "UntagResource" => {
            let arn = r.str("resourceArn")?;
            let keys: Vec<String> = match map.get("tagKeys") {
                Some(Value::Array(k)) => k.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
                _ => {
                    return Err(ApiError::validation(
                        "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
                    ))
                }
            };
            engine.untag_resource(arn, &keys)?;
            Ok(json!({}))
        }
        "ListTagsForResource" => {
            let tags = engine.tags(r.str("resourceArn")?)?;
            Ok(json!({
                "tags": tags.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect::<Vec<_>>()
            }))
        }
        other => Err(ApiError::new(
            "UnknownOperationException",
            format!("Unknown operation: AWSStepFunctions.{other}"),
        )),
    }
}

fn parse_tags(tags: &[Value]) -> Result<Vec<(String, String)>, ApiError> {
    tags.iter()
        .map(|t| {
            let key = t.get("key").and_then(Value::as_str).ok_or_else(|| {
                ApiError::validation("1 validation error detected: Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null")
            })?;
            let value = t.get("value").and_then(Value::as_str).unwrap_or("");
            Ok((key.to_string(), value.to_string()))
        })
        .collect()
}
