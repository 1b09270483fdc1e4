//! Execution operations: start (and start synchronously), describe, list, stop.

use serde_json::{json, Value};

use super::{
    page, seconds, secs, standard_execution, with_next, SfnMembers, LIST_EXECUTIONS_PAGE_TOKEN_MAX,
};
use crate::engine::{ApiError, Engine, ExecutionRecord, MachineType, Status};
use crate::json_text::ObjectText;
use crate::server::json::{Members, ReplyBody};
use crate::server::BoxFuture;

/// DescribeExecution's members (StartSyncExecution's are these less the redrive ones).
fn describe(e: &ExecutionRecord) -> Value {
    // The text is the one source of the shape; this `Value` serves the colder callers.
    serde_json::from_str(&describe_text(e, Described::AsRecorded)).unwrap_or_default()
}

/// What [`describe_text`] leaves out or adds for DescribeExecution.
enum Described<'a> {
    /// Every member the record has.
    AsRecorded,
    /// DescribeExecution's: a timed-out execution without `error`/`cause`, and the Map Run
    /// of a child execution.
    ForDescribeExecution { map_run: Option<&'a str> },
}

/// The text of [`describe`], written without a `Value` (issue 13: DescribeExecution is one
/// call of every callback round trip). The members come in the order AWS's and the earlier
/// `Value`'s came; a test checks the text against that `Value`.
fn describe_text(e: &ExecutionRecord, how: Described<'_>) -> String {
    let status = e.status();
    let mut o = ObjectText::new();
    o.string("executionArn", e.arn())
        .string("stateMachineArn", &e.state_machine().arn)
        .string("name", e.name())
        .string("status", status.as_str())
        .number("startDate", seconds(e.start_ms()))
        // The record's text is `json_text` of the input (no parse and write again).
        .string("input", e.input_text())
        .raw("inputDetails", r#"{"included":true}"#)
        .integer("redriveCount", 0);
    if let Some(a) = e.state_machine_alias_arn() {
        o.string("stateMachineAliasArn", a);
    }
    if let Some(ver) = e.state_machine_version_arn() {
        o.string("stateMachineVersionArn", ver);
    }
    // Succeeded and running executions cannot be redriven; failed, timed-out and aborted ones
    // can (for 14 days). The reason text is AWS's (LocalStack's AWS-validated snapshots of
    // `test_describe_execution` and `test_state_fail`).
    match status {
        Status::Running | Status::Succeeded => {
            let reason = ["Execution is ", status.as_str(), " and cannot be redriven"].concat();
            o.string("redriveStatus", "NOT_REDRIVABLE")
                .string("redriveStatusReason", &reason);
        }
        Status::Failed | Status::TimedOut | Status::Aborted => {
            o.string("redriveStatus", "REDRIVABLE");
        }
    }
    if let Some(stop) = e.stop_ms() {
        o.number("stopDate", seconds(stop));
    }
    if let Some(out) = e.output_text() {
        o.string("output", &out)
            .raw("outputDetails", r#"{"included":true}"#);
    }
    // A timed-out execution is described without `error` (its history's ExecutionTimedOut
    // still names States.Timeout): LocalStack's AWS-validated
    // `timeouts/test_timeouts.py::test_global_timeout`.
    let errors =
        !matches!(how, Described::ForDescribeExecution { .. }) || status != Status::TimedOut;
    if errors {
        if let Some(err) = e.error() {
            o.string("error", &err);
        }
        if let Some(cause) = e.cause() {
            o.string("cause", &cause);
        }
    }
    // A Map Run's child names it (DescribeExecution's `mapRunArn`).
    if let Described::ForDescribeExecution { map_run: Some(run) } = how {
        o.string("mapRunArn", run);
    }
    o.finish()
}

/// `stateMachineVersionArn` / `stateMachineAliasArn` of an execution started on a version or
/// through an alias (as DescribeExecution and ListExecutions return them: LocalStack's
/// AWS-validated `test_base_lifecycle_create_invoke_describe_list`).
fn started_on(e: &ExecutionRecord, v: &mut Value) {
    if let Some(a) = e.state_machine_alias_arn() {
        v["stateMachineAliasArn"] = json!(a);
    }
    if let Some(ver) = e.state_machine_version_arn() {
        v["stateMachineVersionArn"] = json!(ver);
    }
}

/// `StartExecution`.
pub(super) fn start_execution(engine: &Engine, r: Members<'_>) -> Result<ReplyBody, ApiError> {
    let machine_arn = r.required("stateMachineArn")?;
    let exec = engine.start_execution(
        &machine_arn,
        r.string("name")?.as_deref(),
        r.string("input")?.as_deref(),
    )?;
    let mut o = ObjectText::new();
    o.string("executionArn", exec.arn())
        .number("startDate", seconds(exec.start_ms()));
    Ok(ReplyBody::Text(o.finish()))
}

/// `StartSyncExecution`: EXPRESS machines only; answers once the execution has ended.
pub(super) fn start_sync_execution<'a>(
    engine: &'a Engine,
    r: Members<'a>,
) -> BoxFuture<'a, Result<Value, ApiError>> {
    Box::pin(async move {
        let machine_arn = r.required("stateMachineArn")?;
        if let Some((_, case)) = machine_arn.split_once('#') {
            // Step Functions Local runs mock test cases on StartExecution only.
            return Err(ApiError::validation(format!(
                "sfn-harness runs MockConfigFile test cases ('#{case}') on StartExecution only, as Step Functions Local does; StartSyncExecution takes a plain state machine ARN"
            )));
        }
        let machine = engine.state_machine(&machine_arn)?;
        if machine.machine_type != MachineType::Express {
            return Err(ApiError::StateMachineTypeNotSupported);
        }
        let exec = engine.start_execution(
            &machine_arn,
            r.string("name")?.as_deref(),
            r.string("input")?.as_deref(),
        )?;
        let clock = engine.clock().clone();
        clock.park(clock.run_until(exec.wait())).await;
        let mut out = describe(&exec);
        if let Some(o) = out.as_object_mut() {
            for k in ["redriveCount", "redriveStatus", "redriveStatusReason"] {
                o.remove(k);
            }
            // What AWS reports for a short execution (LocalStack's AWS-validated
            // `test_start_sync_execution`); nothing is billed here.
            // A failed sync execution has no output, yet AWS still says
            // `outputDetails: {included: true}`
            // (`express.test_express_sync.test_base[BASE_RAISE_FAILURE]` in
            // ../shared/conformance/v2).
            o.entry("outputDetails")
                .or_insert_with(|| json!({ "included": true }));
            o.insert(
                "billingDetails".into(),
                json!({ "billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100 }),
            );
        }
        Ok(out)
    })
}

/// `DescribeExecution`.
pub(super) fn describe_execution(engine: &Engine, r: Members<'_>) -> Result<ReplyBody, ApiError> {
    let e = standard_execution(engine, &r.required("executionArn")?)?;
    let map_run = engine.map_run_of(e.arn());
    let map_run = map_run.as_ref().map(|run| run.arn());
    Ok(ReplyBody::Text(describe_text(
        &e,
        Described::ForDescribeExecution { map_run },
    )))
}

/// `ListExecutions`: newest first, optionally of one status.
pub(super) fn list_executions(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    if let Some(map_run) = r.string("mapRunArn")? {
        return map_run_executions(engine, r, &map_run);
    }
    let machine_arn = r.required("stateMachineArn")?;
    let status = match r.string("statusFilter")?.as_deref() {
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
    // A version or alias ARN lists the executions started on it (ListExecutions reference).
    let machine = match engine.state_machine_version(&machine_arn) {
        Ok(v) => v.machine.clone(),
        Err(_) => match engine.state_machine_alias(&machine_arn) {
            Ok(a) => engine.state_machine(a.arn.rsplit_once(':').map_or(&a.arn[..], |(m, _)| m))?,
            Err(_) => engine.state_machine(&machine_arn)?,
        },
    };
    if machine.machine_type == MachineType::Express {
        return Err(ApiError::StateMachineTypeNotSupported);
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
            started_on(e, &mut v);
            if let Some(s) = e.stop_ms() {
                v["stopDate"] = secs(s);
            }
            v
        })
        .collect();
    Ok(with_next(json!({ "executions": executions }), next))
}

/// `ListExecutions` by `mapRunArn`: a Map Run's child executions, newest first.
fn map_run_executions(engine: &Engine, r: Members<'_>, arn: &str) -> Result<Value, ApiError> {
    let run = engine.map_run(arn)?;
    let status = match r.string("statusFilter")?.as_deref() {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value '{s}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
            ))
        })?),
    };
    let mut children = run.child_executions();
    children.reverse();
    children.retain(|e| status.is_none_or(|s| e.status() == s));
    let (max, start) = (
        r.max_results()?,
        r.next_token(LIST_EXECUTIONS_PAGE_TOKEN_MAX)?,
    );
    let (items, next) = page(children, start, max)?;
    let executions: Vec<Value> = items
        .iter()
        .map(|e| {
            let mut v = json!({
                "executionArn": e.arn(),
                "stateMachineArn": e.state_machine().arn,
                "name": e.name(),
                "status": e.status().as_str(),
                "startDate": secs(e.start_ms()),
                "mapRunArn": run.arn(),
                "itemCount": run.child_item_count(e.arn()).unwrap_or(1),
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

/// `StopExecution`.
pub(super) fn stop_execution(engine: &Engine, r: Members<'_>) -> Result<Value, ApiError> {
    let arn = r.required("executionArn")?;
    standard_execution(engine, &arn)?;
    let e = engine.stop_execution(
        &arn,
        r.string("error")?.as_deref(),
        r.string("cause")?.as_deref(),
    )?;
    Ok(json!({ "stopDate": secs(e.stop_ms().unwrap_or_else(|| engine.clock().now_ms())) }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineConfig;
    use crate::server::sfn_api;

    /// DescribeExecution's members as they were built before the text writer (issue 13):
    /// the oracle the text is checked against, byte for byte.
    fn as_value_was(e: &ExecutionRecord) -> Value {
        let status = e.status();
        let mut v = json!({
            "executionArn": e.arn(),
            "stateMachineArn": e.state_machine().arn,
            "name": e.name(),
            "status": status.as_str(),
            "startDate": secs(e.start_ms()),
            "input": e.input_text(),
            "inputDetails": { "included": true },
            "redriveCount": 0,
        });
        started_on(e, &mut v);
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
        if let Some(out) = e.output_text() {
            v["output"] = json!(out);
            v["outputDetails"] = json!({ "included": true });
        }
        if let Some(err) = e.error() {
            v["error"] = json!(err);
        }
        if let Some(cause) = e.cause() {
            v["cause"] = json!(cause);
        }
        if status == Status::TimedOut {
            if let Some(o) = v.as_object_mut() {
                o.remove("error");
                o.remove("cause");
            }
        }
        v
    }

    async fn machine(engine: &Engine, name: &str, definition: Value) -> String {
        let body = json!({
            "name": name,
            "definition": definition.to_string(),
            "roleArn": "arn:aws:iam::123456789012:role/r"
        });
        let out = sfn_api::handle(engine, "CreateStateMachine", body.to_string().as_bytes())
            .await
            .unwrap()
            .into_value();
        out["stateMachineArn"].as_str().unwrap().to_string()
    }

    /// The text of DescribeExecution and StartExecution is what serde_json wrote for the
    /// `Value`s they were built as: running, succeeded, failed, aborted and timed out, with
    /// inputs and outputs that need escaping.
    #[tokio::test(flavor = "current_thread")]
    async fn described_as_the_value_was() {
        let engine = Engine::new(EngineConfig::default());
        let pass = machine(&engine, "pass", json!({"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"q\"uote":"é\n"},"End":true}}})).await;
        let fail = machine(
            &engine,
            "fail",
            json!({"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E\"rr","Cause":"c\\ause"}}}),
        )
        .await;
        let wait = machine(
            &engine,
            "wait",
            json!({"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100000,"End":true}}}),
        )
        .await;
        let timeout = machine(&engine, "timeout", json!({"TimeoutSeconds":1,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100000,"End":true}}})).await;
        let mut records = Vec::new();
        for (n, arn) in [&pass, &fail, &wait, &wait, &timeout]
            .into_iter()
            .enumerate()
        {
            let start = json!({
                "stateMachineArn": arn,
                "name": format!("run-{n}"),
                "input": json!({"k": "v\"\\", "n": n}).to_string(),
            });
            let out = sfn_api::handle(&engine, "StartExecution", start.to_string().as_bytes())
                .await
                .unwrap();
            let ReplyBody::Text(text) = out else {
                panic!("StartExecution writes its text: {out:?}")
            };
            let e = engine
                .execution(&format!(
                    "{}:run-{n}",
                    arn.replace(":stateMachine:", ":execution:")
                ))
                .unwrap();
            let was = json!({ "executionArn": e.arn(), "startDate": secs(e.start_ms()) });
            assert_eq!(text, serde_json::to_string(&was).unwrap());
            records.push(e);
        }
        engine
            .stop_execution(records[3].arn(), Some("Stop\"ped"), None)
            .unwrap();
        let clock = engine.clock().clone();
        for e in &records[..2] {
            tokio::time::timeout(std::time::Duration::from_secs(10), e.wait())
                .await
                .expect("the Pass and Fail executions end at once");
        }
        clock.advance(std::time::Duration::from_secs(2)).await;
        tokio::time::timeout(std::time::Duration::from_secs(10), records[4].wait())
            .await
            .expect("the execution with TimeoutSeconds 1 times out");
        let statuses: Vec<_> = records.iter().map(|e| e.status()).collect();
        assert_eq!(
            statuses,
            [
                Status::Succeeded,
                Status::Failed,
                Status::Running,
                Status::Aborted,
                Status::TimedOut
            ]
        );
        for e in &records {
            let body = json!({ "executionArn": e.arn() });
            let out = sfn_api::handle(&engine, "DescribeExecution", body.to_string().as_bytes())
                .await
                .unwrap();
            let ReplyBody::Text(text) = out else {
                panic!("DescribeExecution writes its text: {out:?}")
            };
            assert_eq!(
                text,
                serde_json::to_string(&as_value_was(e)).unwrap(),
                "{:?}",
                e.status()
            );
        }
    }
}
