//! Map states in Distributed mode: each iteration (or batch of items) runs as a child
//! execution of a Map Run, with its own history; the parent history holds only the Map Run.
//!
//! As recorded on AWS (`../shared/conformance/v2`, e.g.
//! `scenarios.test_base_scenarios.test_map_state_tolerated_failure_count_path[0]`,
//! `test_map_item_reader_base_json_with_items_path[*]`, `test_map_item_reader_csv_*`):
//! - the parent records `MapStateEntered`, `MapStateStarted` (its `length` is the number of
//!   items, 0 when an `ItemReader` reads them), `MapRunStarted` (`mapRunArn`), then
//!   `MapRunSucceeded` and `MapStateSucceeded`, each after the one before, and `MapStateExited`
//!   after `MapRunStarted` (recordings from November 2024 on; older ones chain it to
//!   `MapRunSucceeded`);
//! - a bad `ToleratedFailure…` value fails the execution after `MapStateStarted`, with no
//!   `MapRunStarted` and no `MapStateFailed`;
//! - an `ItemReader` failure (`States.ItemReaderFailed`), too many failed children
//!   (`States.ExceedToleratedFailureThreshold`) or a `ResultWriter` failure
//!   (`States.ResultWriterFailed`) record `MapRunFailed` (with error and cause), then
//!   `MapStateFailed`;
//! - child executions start with no workflow variables: a distributed iteration cannot read
//!   the parent's variables (AWS's developer guide, "Variable scope": a Distributed Map's
//!   child workflow has its own scope).
//!
//! The Map Run's ARN is `arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<id>` and
//! its children's `…:execution:<machine>/<label>:<id>`, with the state's `Label` or, without
//! one, a UUID (AWS's developer guide, "Examining a Map Run": child state machines are
//! `stateMachine:<machine>/<MapRunLabel or UUID>`; the recording of
//! `test_map_state_result_writer` shows `mapRun:<machine>/TestMap:<id>` for `Label: TestMap`).
//!
//! S3 (ItemReader, ResultWriter) is reached through the task port: the handlers registered for
//! `arn:aws:states:::s3:getObject`, `…:s3:listObjectsV2` and `…:s3:putObject`.

use std::sync::{Arc, Mutex};

use futures_util::future::join_all;
use serde_json::{json, Value};

use super::dataflow::{self, runtime};
use super::map::max_concurrency;
use super::retry::Attempt;
use super::{Failure, Here, Run};
use crate::asl::{Distributed, ItemBatcher, ItemReader, Map, ResultWriter, Setting};
use crate::engine::execution::ExecutionRecord;
use crate::engine::history::{json_text, Event};
use crate::engine::machine::{MachineType, StateMachine};
use crate::engine::map_runs::{MapRun, MapRunStatus};
use crate::engine::task::{EngineHandle, Resource, TaskRequest};
use crate::engine::{Engine, Status};
use crate::sync::lock;
use crate::time::iso8601;

/// AWS's cause for `States.ExceedToleratedFailureThreshold` (recorded in
/// `test_state.test_state_configuration.test_map_state_failure_count[*].exceeds_tolerated_failure`).
const EXCEEDED: &str = "The specified tolerated failure threshold was exceeded";

/// One child execution to run: its input (an item, or a batch) and how many items it holds.
struct Child {
    input: Value,
    items: u64,
    name: String,
    seed: u64,
}

/// A failure of the Map Run itself (recorded as `MapRunFailed`).
fn run_failure(error: &str, cause: impl Into<String>) -> Failure {
    Failure::named(Some(error.to_string()), Some(cause.into()))
}

fn reader_failure(cause: impl Into<String>) -> Failure {
    run_failure("States.ItemReaderFailed", cause)
}

impl Run {
    /// A UUID from the execution's own random source (so a seeded run names its Map Runs and
    /// children the same way whatever other executions do).
    fn own_uuid(&self) -> String {
        let mut b = [0u8; 16];
        rand::RngCore::fill_bytes(&mut *lock(&self.rng), &mut b);
        uuid::Builder::from_random_bytes(b)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// One attempt of a distributed Map state.
    pub(super) async fn distributed_attempt(
        &self,
        at: &Attempt<'_>,
        m: &Map,
        d: &Distributed,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
        let Attempt { here, eff, .. } = *at;
        let inline_items = match d.item_reader {
            None => Some(self.map_items(at, m)?),
            Some(_) => None,
        };
        let max = max_concurrency(here, m, eff)?;
        self.emit(
            chain,
            Event::map_state_started(inline_items.as_ref().map_or(0, Vec::len)),
        );
        let quiet = |mut f: Failure| {
            f.before_map_run = true;
            f
        };
        let count = tolerated_count(here, d, eff).map_err(quiet)?;
        let percentage = tolerated_percentage(here, d, eff).map_err(quiet)?;
        let c = &self.engine.config;
        let machine_name = self
            .exec
            .machine
            .name
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let label = d.label.clone().unwrap_or_else(|| self.own_uuid());
        let run_id = self.own_uuid();
        let prefix = format!("arn:aws:states:{}:{}", c.region, c.account_id);
        let map_run = Arc::new(MapRun::new(
            format!("{prefix}:mapRun:{machine_name}/{label}:{run_id}"),
            self.exec.arn.clone(),
            self.exec.machine.arn.clone(),
            self.now(),
            max as u64,
            count,
            percentage,
        ));
        let engine = Engine::from_inner(self.engine.clone());
        engine.add_map_run(map_run.clone());
        let started = self.emit(chain, Event::map_run_started(&map_run.arn));
        let child_machine = Arc::new(StateMachine {
            arn: format!("{prefix}:stateMachine:{machine_name}/{label}"),
            name: format!("{machine_name}/{label}"),
            definition_text: String::new(),
            definition: Arc::new(m.processor.clone()),
            role_arn: self.exec.machine.role_arn.clone(),
            machine_type: match d.execution_type.as_deref() {
                Some("EXPRESS") => MachineType::Express,
                _ => MachineType::Standard,
            },
            created_ms: self.now(),
            updated_ms: None,
            revision_id: String::new(),
            logging_configuration: Value::Null,
            tracing_configuration: Value::Null,
        });
        let ctx = RunCtx {
            map_run: &map_run,
            engine: &engine,
            machine: &child_machine,
            exec_prefix: format!("{prefix}:execution:{machine_name}/{label}"),
            run_id: &run_id,
        };
        let outcome = self.map_run_body(at, m, d, inline_items, &ctx, max).await;
        {
            let mut s = lock(&map_run.state);
            s.stop_ms = Some(self.now());
            s.status = if outcome.is_ok() {
                MapRunStatus::Succeeded
            } else {
                MapRunStatus::Failed
            };
        }
        match outcome {
            Ok(out) => {
                let ok = self.emit_after(started, Event::map_run_succeeded());
                self.emit_after(ok, Event::map_state_succeeded());
                *chain = started;
                Ok(out)
            }
            Err(f) => {
                self.emit(
                    chain,
                    Event::map_run_failed(f.error.as_deref(), f.cause.as_deref()),
                );
                Err(f)
            }
        }
    }

    /// Reads the items, runs the children, and builds the state's result.
    async fn map_run_body(
        &self,
        at: &Attempt<'_>,
        m: &Map,
        d: &Distributed,
        inline_items: Option<Vec<Value>>,
        ctx: &RunCtx<'_>,
        max: usize,
    ) -> Result<Value, Failure> {
        let items = match (&d.item_reader, inline_items) {
            (_, Some(items)) => items,
            (Some(r), None) => self.read_items(at, r).await?,
            (None, None) => Vec::new(),
        };
        let mut inputs = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            inputs.push(self.item_input(at, m, i, item)?);
        }
        let groups = match &d.item_batcher {
            Some(b) => self.batches(at, b, inputs)?,
            None => inputs.into_iter().map(|v| (v, 1)).collect(),
        };
        let children: Vec<Child> = groups
            .into_iter()
            .map(|(input, items)| Child {
                input,
                items,
                name: self.own_uuid(),
                seed: rand::RngCore::next_u64(&mut *lock(&self.rng)),
            })
            .collect();
        let total_items = children.iter().map(|c| c.items).sum::<u64>();
        {
            let mut s = lock(&ctx.map_run.state);
            s.items.total = total_items;
            s.items.pending = total_items;
            s.executions.total = children.len() as u64;
            s.executions.pending = children.len() as u64;
        }
        let lanes = if max == 0 {
            children.len()
        } else {
            max.min(children.len())
        };
        let done: Vec<Mutex<Option<Arc<ExecutionRecord>>>> =
            children.iter().map(|_| Mutex::new(None)).collect();
        let failed_items = Mutex::new(0u64);
        let stop = Mutex::new(false);
        let lane_futs = (0..lanes).map(|lane| {
            let (children, done, failed_items, stop) = (&children, &done, &failed_items, &stop);
            async move {
                let mut index = lane;
                while index < children.len() && !*lock(stop) {
                    let child = &children[index];
                    let exec = self.run_child(ctx, child).await;
                    let status = exec.status();
                    {
                        let mut s = lock(&ctx.map_run.state);
                        s.executions.pending -= 1;
                        s.executions.finish(status, 1);
                        s.items.pending -= child.items;
                        s.items.finish(status, child.items);
                    }
                    if status != Status::Succeeded {
                        let mut f = lock(failed_items);
                        *f += child.items;
                        if ctx.map_run.exceeded(*f, total_items) {
                            *lock(stop) = true;
                        }
                    }
                    *lock(&done[index]) = Some(exec);
                    index += lanes;
                }
            }
        });
        join_all(lane_futs).await;
        if ctx.map_run.exceeded(*lock(&failed_items), total_items) {
            return Err(run_failure(
                "States.ExceedToleratedFailureThreshold",
                EXCEEDED,
            ));
        }
        let finished: Vec<Arc<ExecutionRecord>> = done
            .into_iter()
            .filter_map(crate::sync::into_inner)
            .collect();
        if let Some(w) = &d.result_writer {
            return self.write_results(at, w, ctx, &finished).await;
        }
        // Without a ResultWriter the result is the outputs of the children that succeeded, in
        // item order (a failed, tolerated child adds none: AWS's TestState refuses a mocked
        // Map result whose length is not the item count less `mapIterationFailureCount`).
        Ok(Value::Array(
            finished
                .iter()
                .filter(|e| e.status() == Status::Succeeded)
                .map(|e| e.output().unwrap_or(Value::Null))
                .collect(),
        ))
    }

    /// Starts one child execution of the Map Run and runs it to its end.
    async fn run_child(&self, ctx: &RunCtx<'_>, child: &Child) -> Arc<ExecutionRecord> {
        let exec = Arc::new(ExecutionRecord::new(
            format!("{}:{}", ctx.exec_prefix, child.name),
            child.name.clone(),
            ctx.machine.clone(),
            &child.input,
            self.now(),
        ));
        exec.record(
            exec.start_ms,
            0,
            Event::execution_started_on(exec.input_text(), &ctx.machine.role_arn, None, None),
        );
        ctx.engine
            .add_child_execution(ctx.map_run, exec.clone(), child.items);
        {
            let mut s = lock(&ctx.map_run.state);
            s.executions.running += 1;
            s.items.running += child.items;
        }
        let run = Arc::new(Run::new(
            self.engine.clone(),
            exec.clone(),
            child.seed,
            self.mock.clone(),
        ));
        run.run_execution(child.input.clone()).await;
        exec
    }

    /// Calls the S3 handler registered for `resource` with `input`.
    async fn s3_call(
        &self,
        here: &Here<'_>,
        resource: &str,
        input: Value,
        retries: u64,
    ) -> Result<Value, crate::asl::StatesError> {
        let res = Resource::parse(resource);
        let Some(handler) = self.engine.handler(&res) else {
            return Err(crate::asl::StatesError::new(
                "States.Runtime",
                format!("sfn-harness has no handler for the resource '{resource}'"),
            ));
        };
        handler
            .call(TaskRequest {
                resource: res,
                input,
                token: None,
                execution_arn: self.exec.arn.clone(),
                state_machine_arn: self.exec.machine.arn.clone(),
                state_name: here.state.name.clone(),
                retry_count: retries,
                clock: self.engine.clock.clone(),
                engine: EngineHandle(Arc::downgrade(&self.engine)),
            })
            .await
    }

    /// The `Parameters`/`Arguments` of an `ItemReader` or `ResultWriter`.
    fn io_parameters(&self, at: &Attempt<'_>, template: Option<&Value>) -> Result<Value, Failure> {
        let Attempt { here, eff, retries } = *at;
        match template {
            Some(t) => {
                let ctx = self.context(here, retries, None, None);
                let field = match here.state.query_language {
                    crate::asl::QueryLanguage::Jsonata => "Arguments",
                    crate::asl::QueryLanguage::JsonPath => "Parameters",
                };
                dataflow::payload(here, t, field, eff, &ctx)
            }
            None => Ok(json!({})),
        }
    }

    /// The items an `ItemReader` reads from S3 (`s3:getObject` of a JSON, JSONL or CSV
    /// object, or `s3:listObjectsV2`), cut to `MaxItems`.
    async fn read_items(&self, at: &Attempt<'_>, r: &ItemReader) -> Result<Vec<Value>, Failure> {
        let Attempt { here, eff, retries } = *at;
        let params = self.io_parameters(at, r.parameters.as_ref())?;
        let max_items = match &r.max_items {
            None => None,
            Some(s) => {
                let v = setting_value(here, s, "MaxItems", eff)?;
                let n = number(&v).ok_or_else(|| {
                    reader_failure(format!(
                        "field MaxItems must be an integer: {}",
                        json_text(&v)
                    ))
                })?;
                if n < 0.0 {
                    return Err(reader_failure("field MaxItems must be positive"));
                }
                (n >= 1.0).then_some(n as usize)
            }
        };
        let action = r.resource.rsplit(':').next().unwrap_or_default();
        let out = self
            .s3_call(here, &r.resource, params, retries)
            .await
            .map_err(|e| reader_failure(e.cause))?;
        let mut items = match action {
            // Items as AWS's developer guide ("ItemReader (Map)", listing objects) shows them:
            // `Etag`, `Key`, `LastModified` (epoch seconds), `Size`, `StorageClass`.
            "listObjectsV2" => out
                .get("Contents")
                .and_then(Value::as_array)
                .map(|objects| objects.iter().map(listed_item).collect())
                .unwrap_or_default(),
            "getObject" => {
                let body = out.get("Body").and_then(Value::as_str).unwrap_or_default();
                match r.input_type.as_deref().unwrap_or("JSON") {
                    "JSON" => match serde_json::from_str::<Value>(body) {
                        Ok(Value::Array(a)) => a,
                        Ok(_) => {
                            return Err(reader_failure("Attempting to map over non-iterable node."))
                        }
                        Err(e) => return Err(reader_failure(format!("Invalid JSON: {e}"))),
                    },
                    "JSONL" => body
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(|l| {
                            serde_json::from_str::<Value>(l)
                                .map_err(|e| reader_failure(format!("Invalid JSON line: {e}")))
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                    "CSV" => csv_items(body, r).map_err(reader_failure)?,
                    other => {
                        return Err(reader_failure(format!(
                            "sfn-harness does not read the ItemReader InputType '{other}' yet"
                        )))
                    }
                }
            }
            other => {
                return Err(reader_failure(format!(
                    "sfn-harness reads items with s3:getObject and s3:listObjectsV2 only, not '{other}'"
                )))
            }
        };
        if let Some(n) = max_items {
            items.truncate(n);
        }
        Ok(items)
    }

    /// Groups item inputs into `{"BatchInput"?, "Items": [...]}` batches; returns each batch
    /// with its item count.
    fn batches(
        &self,
        at: &Attempt<'_>,
        b: &ItemBatcher,
        inputs: Vec<Value>,
    ) -> Result<Vec<(Value, u64)>, Failure> {
        let Attempt { here, eff, retries } = *at;
        let limit = |s: &Option<Setting>, field: &str| -> Result<Option<usize>, Failure> {
            match s {
                None => Ok(None),
                Some(s) => {
                    let v = setting_value(here, s, field, eff)?;
                    match number(&v) {
                        Some(n) if n >= 1.0 => Ok(Some(n as usize)),
                        _ => Err(runtime(
                            here,
                            format!(
                                "The {field} field must be a positive integer, but was {}",
                                json_text(&v)
                            ),
                        )),
                    }
                }
            }
        };
        let max_items = limit(&b.max_items_per_batch, "MaxItemsPerBatch")?;
        let max_bytes = limit(&b.max_input_bytes_per_batch, "MaxInputBytesPerBatch")?;
        let batch_input = match &b.batch_input {
            Some(t) => {
                let ctx = self.context(here, retries, None, None);
                Some(dataflow::payload(here, t, "BatchInput", eff, &ctx)?)
            }
            None => None,
        };
        let wrap = |items: Vec<Value>| {
            let mut o = serde_json::Map::new();
            if let Some(bi) = &batch_input {
                o.insert("BatchInput".into(), bi.clone());
            }
            o.insert("Items".into(), Value::Array(items));
            Value::Object(o)
        };
        let mut out = Vec::new();
        let mut current: Vec<Value> = Vec::new();
        for input in inputs {
            let full_items = max_items.is_some_and(|m| current.len() >= m);
            let full_bytes = max_bytes.is_some_and(|m| {
                !current.is_empty() && {
                    let mut probe = current.clone();
                    probe.push(input.clone());
                    json_text(&wrap(probe)).len() > m
                }
            });
            if full_items || full_bytes {
                let n = current.len() as u64;
                out.push((wrap(std::mem::take(&mut current)), n));
            }
            current.push(input);
        }
        if !current.is_empty() {
            let n = current.len() as u64;
            out.push((wrap(current), n));
        }
        Ok(out)
    }

    /// Writes the children's results to S3 as AWS's `ResultWriter` does (AWS's developer
    /// guide, "ResultWriter (Map)": `<Prefix>/<map run id>/manifest.json` and one
    /// `<STATUS>_0.json` per status), and returns the state's result
    /// (`{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}`, as recorded in
    /// `test_map_state_result_writer`).
    async fn write_results(
        &self,
        at: &Attempt<'_>,
        w: &ResultWriter,
        ctx: &RunCtx<'_>,
        finished: &[Arc<ExecutionRecord>],
    ) -> Result<Value, Failure> {
        let Attempt { here, retries, .. } = *at;
        let writer_failure = |cause: String| run_failure("States.ResultWriterFailed", cause);
        if w.writer_config.is_some() {
            return Err(writer_failure(
                "sfn-harness does not apply a ResultWriter's WriterConfig (OutputType, Transformation) yet".into(),
            ));
        }
        let params = self.io_parameters(at, w.parameters.as_ref())?;
        let bucket = params
            .get("Bucket")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let prefix = params
            .get("Prefix")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let base = if prefix.is_empty() {
            format!("{}/", ctx.run_id)
        } else {
            format!("{}/{}/", prefix.trim_end_matches('/'), ctx.run_id)
        };
        let put = "arn:aws:states:::s3:putObject";
        let mut files = serde_json::Map::new();
        for status in ["FAILED", "PENDING", "SUCCEEDED"] {
            let records: Vec<Value> = finished
                .iter()
                .filter(|e| {
                    e.status().as_str() == status
                        || (status == "FAILED"
                            && matches!(e.status(), Status::TimedOut | Status::Aborted))
                })
                .map(|e| child_record(e))
                .collect();
            let mut list = Vec::new();
            if !records.is_empty() {
                let key = format!("{base}{status}_0.json");
                let body = json_text(&Value::Array(records));
                let size = body.len();
                self.s3_call(
                    here,
                    put,
                    json!({ "Bucket": bucket, "Key": key, "Body": body }),
                    retries,
                )
                .await
                .map_err(|e| writer_failure(e.cause))?;
                list.push(json!({ "Key": key, "Size": size }));
            }
            files.insert(status.into(), Value::Array(list));
        }
        let manifest_key = format!("{base}manifest.json");
        let manifest = json!({
            "DestinationBucket": bucket,
            "MapRunArn": ctx.map_run.arn,
            "ResultFiles": files,
        });
        self.s3_call(
            here,
            put,
            json!({ "Bucket": bucket, "Key": manifest_key, "Body": json_text(&manifest) }),
            retries,
        )
        .await
        .map_err(|e| writer_failure(e.cause))?;
        lock(&ctx.map_run.state).items.results_written = finished.len() as u64;
        Ok(json!({
            "MapRunArn": ctx.map_run.arn,
            "ResultWriterDetails": { "Bucket": bucket, "Key": manifest_key },
        }))
    }
}

/// One object of an `s3:listObjectsV2` listing as an item.
fn listed_item(o: &Value) -> Value {
    let modified = o
        .get("LastModified")
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map_or(Value::Null, |t| json!(t.as_second()));
    json!({
        "Etag": o.get("ETag").cloned().unwrap_or(Value::Null),
        "Key": o.get("Key").cloned().unwrap_or(Value::Null),
        "LastModified": modified,
        "Size": o.get("Size").cloned().unwrap_or(Value::Null),
        "StorageClass": o.get("StorageClass").cloned().unwrap_or(Value::Null),
    })
}

/// What every child of one Map Run shares.
struct RunCtx<'a> {
    map_run: &'a Arc<MapRun>,
    engine: &'a Engine,
    machine: &'a Arc<StateMachine>,
    /// `arn:aws:states:<region>:<account>:execution:<machine>/<label>`.
    exec_prefix: String,
    run_id: &'a str,
}

/// A child execution as a `ResultWriter` file lists it.
fn child_record(e: &ExecutionRecord) -> Value {
    let status = e.status();
    let mut o = serde_json::Map::new();
    o.insert("ExecutionArn".into(), json!(e.arn));
    o.insert("Input".into(), json!(e.input_text()));
    o.insert("InputDetails".into(), json!({ "Included": true }));
    o.insert("Name".into(), json!(e.name));
    match status {
        Status::Succeeded => {
            o.insert(
                "Output".into(),
                json!(json_text(&e.output().unwrap_or(Value::Null))),
            );
            o.insert("OutputDetails".into(), json!({ "Included": true }));
        }
        _ => {
            if let Some(err) = e.error() {
                o.insert("Error".into(), json!(err));
            }
            if let Some(c) = e.cause() {
                o.insert("Cause".into(), json!(c));
            }
        }
    }
    o.insert("RedriveCount".into(), json!(0));
    o.insert("RedriveStatus".into(), json!("NOT_REDRIVABLE"));
    o.insert(
        "RedriveStatusReason".into(),
        json!(format!(
            "Execution is {} and cannot be redriven",
            status.as_str()
        )),
    );
    o.insert("StartDate".into(), json!(iso8601(e.start_ms)));
    o.insert("StateMachineArn".into(), json!(e.machine.arn));
    o.insert("Status".into(), json!(status.as_str()));
    if let Some(stop) = e.stop_ms() {
        o.insert("StopDate".into(), json!(iso8601(stop)));
    }
    Value::Object(o)
}

/// A number, or a string holding one (AWS reads `"1"` assigned to a variable:
/// `test_reference_in_map_state[MAP_STATE_REFERENCE_IN_TOLERATED_FAILURE_PATH]`).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// The value of a setting: its literal (a JSONata expression evaluated) or what its path reads.
fn setting_value(here: &Here<'_>, s: &Setting, field: &str, eff: &Value) -> Result<Value, Failure> {
    match s {
        Setting::Literal(v) => match v {
            Value::String(_) => {
                let st = dataflow::states(eff, &Value::Null, None, None);
                dataflow::jsonata(here, v, field, &st)
            }
            other => Ok(other.clone()),
        },
        Setting::Path(p) => dataflow::read_path(here, p, eff, &Value::Null),
    }
}

/// How a path's value is quoted in AWS's "refers to value" causes.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => json_text(other),
    }
}

/// `ToleratedFailureCount[Path]`, checked as AWS does at run time (recorded:
/// `test_map_state_tolerated_failure_count_path[-1]`, `[tolerated_failure_count_value0]`).
fn tolerated_count(here: &Here<'_>, d: &Distributed, eff: &Value) -> Result<Option<u64>, Failure> {
    let Some(s) = &d.tolerated_failure_count else {
        return Ok(None);
    };
    let v = setting_value(here, s, "ToleratedFailureCount", eff)?;
    let n = match &v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    let Some(n) = n else {
        let path = match s {
            Setting::Path(p) => p.to_string(),
            Setting::Literal(_) => String::new(),
        };
        return Err(runtime(
            here,
            format!(
                "The ToleratedFailureCountPath field refers to value \"{}\" which is not a valid integer: {path}",
                shown(&v)
            ),
        ));
    };
    if n < 0 {
        return Err(runtime(here, "ToleratedFailureCount cannot be negative."));
    }
    Ok(Some(n as u64))
}

/// `ToleratedFailurePercentage[Path]` (recorded: `test_map_state_tolerated_failure_percentage_path[*]`).
fn tolerated_percentage(
    here: &Here<'_>,
    d: &Distributed,
    eff: &Value,
) -> Result<Option<f64>, Failure> {
    let Some(s) = &d.tolerated_failure_percentage else {
        return Ok(None);
    };
    let v = setting_value(here, s, "ToleratedFailurePercentage", eff)?;
    let Some(p) = number(&v) else {
        let path = match s {
            Setting::Path(p) => p.to_string(),
            Setting::Literal(_) => String::new(),
        };
        return Err(runtime(
            here,
            format!(
                "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float: {path}",
                shown(&v)
            ),
        ));
    };
    if !(0.0..=100.0).contains(&p) {
        return Err(runtime(
            here,
            "ToleratedFailurePercentage must be between 0 and 100.",
        ));
    }
    Ok(Some(p))
}

/// The rows of a CSV object as items: objects from header to field (AWS's developer guide,
/// "ItemReader (Map)", CSV files; recorded: `test_map_item_reader_base_csv_headers_first_line`,
/// `test_map_item_reader_csv_first_row_extra_fields`: a missing field reads `""`, an extra one
/// is dropped; `test_map_item_reader_csv_headers_decl_duplicate_headers`).
fn csv_items(body: &str, r: &ItemReader) -> Result<Vec<Value>, String> {
    let delimiter = match r.csv_delimiter.as_deref() {
        None | Some("COMMA") => ',',
        Some("PIPE") => '|',
        Some("SEMICOLON") => ';',
        Some("SPACE") => ' ',
        Some("TAB") => '\t',
        Some(other) => return Err(format!("Unknown CSVDelimiter '{other}'")),
    };
    let mut rows = csv_rows(body, delimiter).into_iter();
    let headers = match r.csv_header_location.as_deref() {
        Some("GIVEN") => r.csv_headers.clone().unwrap_or_default(),
        _ => rows.next().unwrap_or_default(),
    };
    let mut seen = std::collections::HashSet::new();
    if !headers.iter().all(|h| seen.insert(h.as_str())) {
        return Err("CSV headers cannot contain duplicates.".into());
    }
    Ok(rows
        .map(|fields| {
            let mut o = serde_json::Map::new();
            for (i, h) in headers.iter().enumerate() {
                o.insert(
                    h.clone(),
                    json!(fields.get(i).map(String::as_str).unwrap_or("")),
                );
            }
            Value::Object(o)
        })
        .collect())
}

/// RFC 4180 rows: `delimiter`-separated fields, `"`-quoted fields with `""` escapes, rows
/// ending in `\n` or `\r\n`; empty lines are skipped.
fn csv_rows(body: &str, delimiter: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = body.chars().peekable();
    let end_row = |row: &mut Vec<String>, field: &mut String, rows: &mut Vec<Vec<String>>| {
        row.push(std::mem::take(field));
        let r = std::mem::take(row);
        if !(r.len() == 1 && r[0].is_empty()) {
            rows.push(r);
        }
    };
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && field.is_empty() {
            quoted = true;
        } else if c == delimiter {
            row.push(std::mem::take(&mut field));
        } else if c == '\n' {
            end_row(&mut row, &mut field, &mut rows);
        } else if c == '\r' && chars.peek() == Some(&'\n') {
        } else {
            field.push(c);
        }
    }
    if !field.is_empty() || !row.is_empty() {
        end_row(&mut row, &mut field, &mut rows);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_read_quotes_and_skip_the_final_newline() {
        let rows = csv_rows("a,\"b,\"\"c\"\"\"\n1,2\r\n\n", ',');
        assert_eq!(rows, vec![vec!["a", "b,\"c\""], vec!["1", "2"]]);
    }

    #[test]
    fn csv_items_fill_missing_fields_and_drop_extra_ones() {
        let r = ItemReader::default();
        let items = csv_items("H1,\nValue4,Value5,Value6\n,,,\n   \n", &r).unwrap();
        assert_eq!(
            Value::Array(items),
            json!([{"H1": "Value4", "": "Value5"}, {"H1": "", "": ""}, {"H1": "   ", "": ""}])
        );
    }

    #[test]
    fn duplicate_csv_headers_are_refused() {
        let r = ItemReader {
            csv_header_location: Some("GIVEN".into()),
            csv_headers: Some(vec!["H1".into(), "H1".into()]),
            ..ItemReader::default()
        };
        assert_eq!(
            csv_items("a,b\n", &r).unwrap_err(),
            "CSV headers cannot contain duplicates."
        );
    }
}
