//! The Step Functions API (AWS JSON 1.0, target prefix `AWSStepFunctions.`) over an [`Engine`].
//!
//! Each operation reads its request members (camelCase, as in the service model
//! `aws-sdk-rust/aws-models/sfn.json` / botocore's `stepfunctions/2016-11-23/service-2.json`),
//! calls the engine, and writes the response members AWS returns. Timestamps are epoch seconds
//! as JSON numbers, and `input`/`output`/`definition` are JSON text, as the SDKs expect.
//! Anything else answers `UnknownOperationException`.
//!
//! [`SFN_OPERATIONS`] is the operation table: each operation's name and the function that
//! serves it, one function per operation in the file of its family (`machines`, `executions`,
//! `history`, `tasks`, `activities`, `tags`, `validate`). The table is both what the
//! API serves and what fault injection checks operation names against, so the two cannot
//! drift.
//!
//! Where AWS's exact response or error text is known it is followed, and the source is named
//! next to the code. Most come from the responses AWS returned to LocalStack's AWS-validated
//! tests (`tests/aws/services/stepfunctions/v2/test_sfn_api*.snapshot.json` in
//! localstack/localstack): `Invalid Arn: 'Invalid ARN prefix: …'`, `State Machine Does Not
//! Exist: '…'`, `This operation is not supported by this type of state machine`, the
//! `redriveStatus` of DescribeExecution, ListStateMachines sorted by name, no `revisionId` before
//! the first update, EXPRESS execution ARNs (`…:express:<machine>:<name>:<id>`) that
//! DescribeExecution, StopExecution and GetExecutionHistory refuse.

mod activities;
mod executions;
mod history;
mod machines;
mod map_runs;
mod tags;
mod tasks;
mod test_state;
mod validate;
mod versions;

use std::sync::Arc;

use serde_json::{json, Value};

use crate::engine::{ApiError, Engine, ExecutionRecord, MachineType};
use crate::server::json::{parse_request, Malformed, Members, ReplyBody};
use crate::server::{BoxFuture, JsonReply, JsonService, SFN_TARGET_PREFIX};
use crate::time::Millis;

/// One operation of the API: its name and the function that serves it.
#[derive(Clone, Copy)]
pub(crate) struct Operation {
    name: &'static str,
    serve: Serve,
}

/// How an operation is served: at once, or by a future (`StartSyncExecution` waits for its
/// execution).
#[derive(Clone, Copy)]
enum Serve {
    Now(fn(&Engine, Members<'_>) -> Result<Value, ApiError>),
    /// At once, with the reply's text written by the handler (the round trip's operations).
    Written(fn(&Engine, Members<'_>) -> Result<ReplyBody, ApiError>),
    Later(for<'a> fn(&'a Engine, Members<'a>) -> BoxFuture<'a, Result<Value, ApiError>>),
}

impl Operation {
    const fn now(
        name: &'static str,
        f: fn(&Engine, Members<'_>) -> Result<Value, ApiError>,
    ) -> Self {
        Operation {
            name,
            serve: Serve::Now(f),
        }
    }

    const fn written(
        name: &'static str,
        f: fn(&Engine, Members<'_>) -> Result<ReplyBody, ApiError>,
    ) -> Self {
        Operation {
            name,
            serve: Serve::Written(f),
        }
    }

    /// The operation's name, e.g. `StartExecution`.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }
}

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Operation").field(&self.name).finish()
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The operations this API serves, each with the function that serves it (every other
/// `AWSStepFunctions.*` target is `UnknownOperationException`).
///
/// Example: the unit test `server_sfn_api_mod_91` in `src/tests/doc_examples.rs`.
pub(crate) const SFN_OPERATIONS: &[Operation] = &[
    Operation::now("CreateStateMachine", machines::create_state_machine),
    Operation::now("DescribeStateMachine", machines::describe_state_machine),
    Operation::now("UpdateStateMachine", machines::update_state_machine),
    Operation::now("DeleteStateMachine", machines::delete_state_machine),
    Operation::now("ListStateMachines", machines::list_state_machines),
    Operation::now(
        "PublishStateMachineVersion",
        versions::publish_state_machine_version,
    ),
    Operation::now(
        "ListStateMachineVersions",
        versions::list_state_machine_versions,
    ),
    Operation::now(
        "DeleteStateMachineVersion",
        versions::delete_state_machine_version,
    ),
    Operation::now(
        "CreateStateMachineAlias",
        versions::create_state_machine_alias,
    ),
    Operation::now(
        "DescribeStateMachineAlias",
        versions::describe_state_machine_alias,
    ),
    Operation::now(
        "UpdateStateMachineAlias",
        versions::update_state_machine_alias,
    ),
    Operation::now(
        "DeleteStateMachineAlias",
        versions::delete_state_machine_alias,
    ),
    Operation::now(
        "ListStateMachineAliases",
        versions::list_state_machine_aliases,
    ),
    Operation::now(
        "ValidateStateMachineDefinition",
        validate::validate_state_machine_definition,
    ),
    Operation::written("StartExecution", executions::start_execution),
    Operation {
        name: "StartSyncExecution",
        serve: Serve::Later(executions::start_sync_execution),
    },
    Operation::written("DescribeExecution", executions::describe_execution),
    Operation::now(
        "DescribeStateMachineForExecution",
        machines::describe_state_machine_for_execution,
    ),
    Operation::now("ListExecutions", executions::list_executions),
    Operation::now("DescribeMapRun", map_runs::describe_map_run),
    Operation::now("ListMapRuns", map_runs::list_map_runs),
    Operation::now("UpdateMapRun", map_runs::update_map_run),
    Operation::now("StopExecution", executions::stop_execution),
    Operation::now("GetExecutionHistory", history::get_execution_history),
    Operation::written("SendTaskSuccess", tasks::send_task_success),
    Operation::now("SendTaskFailure", tasks::send_task_failure),
    Operation::now("SendTaskHeartbeat", tasks::send_task_heartbeat),
    Operation::now("CreateActivity", activities::create_activity),
    Operation::now("DescribeActivity", activities::describe_activity),
    Operation::now("ListActivities", activities::list_activities),
    Operation::now("DeleteActivity", activities::delete_activity),
    Operation {
        name: "GetActivityTask",
        serve: Serve::Later(activities::get_activity_task),
    },
    Operation {
        name: "TestState",
        serve: Serve::Later(test_state::test_state),
    },
    Operation::now("TagResource", tags::tag_resource),
    Operation::now("UntagResource", tags::untag_resource),
    Operation::now("ListTagsForResource", tags::list_tags_for_resource),
];

/// The Step Functions API as a [`JsonService`] for the router.
///
/// Example: the unit test `server_sfn_api_mod_175` in `src/tests/doc_examples.rs`.
#[derive(Debug, Clone)]
pub(crate) struct SfnApi {
    engine: Engine,
}

impl SfnApi {
    /// The API over `engine`.
    pub(crate) fn new(engine: Engine) -> Arc<SfnApi> {
        Arc::new(SfnApi { engine })
    }
}

impl JsonService for SfnApi {
    fn call<'a>(&'a self, operation: &'a str, body: &'a [u8]) -> BoxFuture<'a, JsonReply> {
        Box::pin(async move {
            match handle(&self.engine, operation, body).await {
                Ok(body) => JsonReply::ok_body(body),
                Err(e) => error_reply(&e),
            }
        })
    }
}

/// Handles one `AWSStepFunctions.<operation>` request body; returns the response body.
pub(crate) async fn handle(
    engine: &Engine,
    operation: &str,
    body: &[u8],
) -> Result<ReplyBody, ApiError> {
    let request = parse_request(body)?;
    let r = request.members();
    let Some(op) = SFN_OPERATIONS.iter().find(|op| op.name == operation) else {
        return Err(ApiError::UnknownOperation(operation.to_string()));
    };
    match op.serve {
        Serve::Now(f) => f(engine, r).map(ReplyBody::Value),
        Serve::Written(f) => f(engine, r),
        Serve::Later(f) => f(engine, r).await.map(ReplyBody::Value),
    }
}

/// The reply for an error: its status, `__type` and message (an unknown operation gets coral's
/// own text).
fn error_reply(e: &ApiError) -> JsonReply {
    match e {
        ApiError::UnknownOperation(operation) => {
            JsonReply::unknown_operation(&format!("{SFN_TARGET_PREFIX}.{operation}"))
        }
        _ => JsonReply::error(e.status(), &e.aws_type(), &e.message()),
    }
}

impl From<Malformed> for ApiError {
    fn from(m: Malformed) -> ApiError {
        ApiError::Serialization(m.0)
    }
}

fn secs(ms: Millis) -> Value {
    json!(seconds(ms))
}

/// A date as the API writes it: seconds since the epoch, with the milliseconds as a fraction.
fn seconds(ms: Millis) -> f64 {
    ms as f64 / 1000.0
}

/// The page-token limits of the service model: `PageToken` (1–1024 characters) and
/// `ListExecutionsPageToken` (1–3096), as AWS enforces them (LocalStack's AWS-validated
/// `test_list_sms_pagination` / `test_list_executions_pagination`).
const PAGE_TOKEN_MAX: usize = 1024;
const LIST_EXECUTIONS_PAGE_TOKEN_MAX: usize = 3096;

/// The Step Functions rules for reading request members, over the shared
/// [`Members`](crate::server::json::Members) reader: AWS's (coral's) validation messages.
trait SfnMembers {
    /// A required string member.
    fn required(&self, key: &str) -> Result<String, ApiError>;
    /// `maxResults`: 0–1000; absent or 0 means the default, 100.
    fn max_results(&self) -> Result<usize, ApiError>;
    /// Where a page starts: `nextToken` as returned by an earlier page.
    fn next_token(&self, max_len: usize) -> Result<usize, ApiError>;
}

impl SfnMembers for Members<'_> {
    fn required(&self, key: &str) -> Result<String, ApiError> {
        self.string(key)?.ok_or_else(|| missing(key))
    }

    fn max_results(&self) -> Result<usize, ApiError> {
        match self.integer("maxResults")? {
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

    /// A token this endpoint did not issue is `InvalidToken` (the model lists it for every
    /// paginated operation; the text is LocalStack's, AWS's own is not recorded).
    fn next_token(&self, max_len: usize) -> Result<usize, ApiError> {
        let Some(t) = self.string("nextToken")? else {
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

/// An execution the STANDARD-only operations (DescribeExecution, StopExecution,
/// GetExecutionHistory, DescribeStateMachineForExecution) may see: an EXPRESS execution's ARN is
/// refused as AWS refuses it.
fn standard_execution(engine: &Engine, arn: &str) -> Result<Arc<ExecutionRecord>, ApiError> {
    if crate::arn::Arn::parse(arn).is_some_and(|a| a.resource_type() == "express") {
        return Err(ApiError::resource_type_not_valid("express"));
    }
    engine.execution(arn)
}

#[cfg(test)]
mod doc_example_24 {
    // Moved from a doc example (the item is crate-private).
    use crate::engine::{Engine, EngineConfig};
    use crate::server::sfn_api;
    use serde_json::json;

    #[tokio::test(flavor = "current_thread")]
    async fn example() {
        let engine = Engine::new(EngineConfig::default());
        let body = json!({
            "name": "hello",
            "definition": r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
            "roleArn": "arn:aws:iam::123456789012:role/r"
        });
        let out = sfn_api::handle(&engine, "CreateStateMachine", body.to_string().as_bytes())
            .await
            .unwrap()
            .into_value();
        assert!(out["stateMachineArn"]
            .as_str()
            .unwrap()
            .ends_with(":stateMachine:hello"));
    }
}
