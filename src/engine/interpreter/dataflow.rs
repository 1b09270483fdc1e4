//! The JSONPath data flow of one state, as plain functions: `InputPath` → `Parameters` (or
//! `ItemSelector`) → the state's work → `ResultSelector` → `ResultPath` (merged into the *raw*
//! state input) → `OutputPath`.
//!
//! Nothing here needs an execution: each step takes the state it runs for ([`Here`], for AWS's
//! error texts), its values, and for templates the context object and a random generator. So an
//! execution, a single-state test (TestState) and the JSONata data flow can all run the same
//! steps.

use std::sync::Mutex;

use rand::rngs::StdRng;
use serde_json::{json, Value};

use super::{Failure, Here};
use crate::asl::path::PathError;
use crate::asl::{payload, Env, PathOrNull, Seconds, StatesError};
use crate::engine::history::json_text;
use crate::sync::lock;

/// A `States.Runtime` failure of the state at `here`, with AWS's "while executing" prefix.
pub(crate) fn runtime(here: &Here<'_>, message: impl std::fmt::Display) -> Failure {
    Failure::new(
        "States.Runtime",
        format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). {message}",
            here.state.name, here.entered_id
        ),
    )
}

/// Wraps a `States.Runtime` error from the ASL layer with AWS's "while executing" prefix.
pub(crate) fn lift(here: &Here<'_>, e: StatesError) -> Failure {
    if e.error == "States.Runtime" {
        runtime(here, e.cause)
    } else {
        e.into()
    }
}

/// `InputPath`: the effective input from the raw state input. A `$$…` path reads the
/// context object (`InputPath: "$$"` yields all of it, as on AWS), built by `ctx` only then.
pub(crate) fn input_path(
    here: &Here<'_>,
    input: &Value,
    ctx: impl FnOnce() -> Value,
) -> Result<Value, Failure> {
    select(here, &here.state.input_path, input, ctx)
}

/// `OutputPath`: the state output from the merged result; `$$…` reads the context object
/// (`OutputPath: "$$.Execution.Input"`:
/// `context_object.test_context_object.test_output_path[$$.Execution.Input]` in
/// ../shared/conformance/v2).
pub(crate) fn output_path(
    here: &Here<'_>,
    output: Value,
    ctx: impl FnOnce() -> Value,
) -> Result<Value, Failure> {
    if let PathOrNull::Default = here.state.output_path {
        return Ok(output);
    }
    select(here, &here.state.output_path, &output, ctx)
}

/// `InputPath`/`OutputPath` over `doc`.
fn select(
    here: &Here<'_>,
    path: &PathOrNull,
    doc: &Value,
    ctx: impl FnOnce() -> Value,
) -> Result<Value, Failure> {
    match path {
        PathOrNull::Default => Ok(doc.clone()),
        PathOrNull::Null => Ok(json!({})),
        PathOrNull::Path(p) => {
            let ctx = if p.is_context() { ctx() } else { Value::Null };
            p.read(&Env::new(doc, &ctx)).map_err(|_| {
                runtime(
                    here,
                    format!(
                        "Invalid path '{p}' : No results for path: {}",
                        p.normalized()
                    ),
                )
            })
        }
    }
}

/// `ResultPath`: merges `result` into the raw state input.
pub(crate) fn result_path(
    here: &Here<'_>,
    result_path: &PathOrNull,
    raw_input: &Value,
    result: Value,
) -> Result<Value, Failure> {
    match result_path {
        PathOrNull::Default => Ok(result),
        PathOrNull::Null => Ok(raw_input.clone()),
        PathOrNull::Path(p) => p.set(raw_input.clone(), result).map_err(|e| match e {
            PathError::NotWritable { .. } | PathError::NotFound { .. } => Failure::new(
                "States.ResultPathMatchFailure",
                format!(
                    "States.ResultPathMatchFailure: Unable to apply ResultPath \"{p}\" to input \"{}\"",
                    json_text(raw_input)
                ),
            ),
            PathError::Syntax { .. } => runtime(here, e),
        }),
    }
}

/// A payload template (`Parameters`, `ItemSelector`, `ResultSelector`) over `input`, with the
/// context object `ctx`.
pub(crate) fn payload(
    here: &Here<'_>,
    template: &Value,
    input: &Value,
    ctx: &Value,
    rng: &Mutex<StdRng>,
) -> Result<Value, Failure> {
    let mut rng = lock(rng);
    payload::evaluate(template, &Env::new(input, ctx).with_rng(&mut *rng))
        .map_err(|e| lift(here, e))
}

/// A number of seconds (`TimeoutSeconds`, `HeartbeatSeconds`, `MaxConcurrency`, Wait's
/// `Seconds`), literal or read from `input` by its `…Path`.
pub(crate) fn seconds(here: &Here<'_>, s: &Seconds, input: &Value) -> Result<u64, Failure> {
    match s {
        Seconds::Literal(n) => Ok(*n),
        Seconds::Path(p) => {
            let v = p.read(&Env::new(input, &Value::Null)).map_err(|_| {
                runtime(
                    here,
                    format!("Invalid path '{p}': the path references no value"),
                )
            })?;
            v.as_u64().ok_or_else(|| {
                runtime(
                    here,
                    format!(
                        "The value of the path '{p}' must be a non-negative integer, but was {}",
                        json_text(&v)
                    ),
                )
            })
        }
    }
}
