//! The JSONPath data flow of one state, as plain functions: `InputPath` → `Parameters` (or
//! `ItemSelector`) → the state's work → `ResultSelector` → `ResultPath` (merged into the *raw*
//! state input) → `OutputPath`.
//!
//! Nothing here needs an execution: each step takes the state it runs for ([`Here`], for AWS's
//! error texts), its values, and for templates the context object and a random generator. So an
//! execution, a single-state test (TestState) and the JSONata data flow can all run the same
//! steps.

use serde_json::{json, Value};

use super::{Failure, Here};
use crate::asl::jsonata::{
    cause_evaluation_error, cause_returned_nothing, cause_unexpected_type, Expression, Host,
};
use crate::asl::path::PathError;
use crate::asl::{payload, Env, PathOrNull, QueryLanguage, Seconds, StatesError};
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
            p.read(&Env::new(doc, &ctx).with_variables(here.vars))
                .map_err(|_| {
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
/// context object `ctx`. In a JSONata state the template is JSONata's (`Arguments`,
/// `ItemSelector`; `field` names it in error causes) and `input` is `$states.input`.
pub(crate) fn payload(
    here: &Here<'_>,
    template: &Value,
    field: &str,
    input: &Value,
    ctx: &Value,
) -> Result<Value, Failure> {
    if here.state.query_language == QueryLanguage::Jsonata {
        return jsonata(here, template, field, &states(input, ctx, None, None));
    }
    let mut rng = lock(here.rng);
    payload::evaluate(
        template,
        &Env::new(input, ctx)
            .with_variables(here.vars)
            .with_rng(&mut *rng),
    )
    .map_err(|e| lift(here, e))
}

/// A number of seconds (`TimeoutSeconds`, `HeartbeatSeconds`, `MaxConcurrency`, Wait's
/// `Seconds`), literal or read from `input` by its `…Path`.
pub(crate) fn seconds(
    here: &Here<'_>,
    s: &Seconds,
    field: &str,
    input: &Value,
) -> Result<u64, Failure> {
    match s {
        Seconds::Literal(n) => Ok(*n),
        Seconds::Expression(text) => {
            let v =
                jsonata_expression(here, text, field, &states(input, &Value::Null, None, None))?;
            v.as_u64().ok_or_else(|| {
                let source = source(text);
                query_error(
                    here,
                    field,
                    cause_unexpected_type(source, field, "integer", &v),
                )
            })
        }
        Seconds::Path(p) => {
            let v = p
                .read(&Env::new(input, &Value::Null).with_variables(here.vars))
                .map_err(|_| {
                    // AWS's text (`scenarios.test_base_scenarios.test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH]`
                    // and `[…HEARTBEATSECONDSPATH]` in ../shared/conformance/v2).
                    runtime(
                        here,
                        format!(
                            "Invalid path '{p}' : No results for path: {}",
                            p.normalized()
                        ),
                    )
                })?;
            // AWS takes a numeric string for MaxConcurrencyPath
            // (`test_reference_in_map_state[MAP_STATE_REFERENCE_IN_MAX_CONCURRENCY_PATH]`).
            let n = match &v {
                Value::String(s) if field == "MaxConcurrency" => s.parse::<u64>().ok(),
                other => other.as_u64(),
            };
            n.ok_or_else(|| {
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

// --- JSONata ---------------------------------------------------------------------------------

/// `$states` of a JSONata expression: `input` always; `context` (the context object),
/// `result` (Task, Parallel, Map: in `Output` and `Assign`) and `errorOutput` (in a catcher's
/// `Output` and `Assign`) where AWS provides them.
pub(crate) fn states(
    input: &Value,
    context: &Value,
    result: Option<&Value>,
    error_output: Option<&Value>,
) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("input".into(), input.clone());
    m.insert("context".into(), context.clone());
    if let Some(r) = result {
        m.insert("result".into(), r.clone());
    }
    if let Some(e) = error_output {
        m.insert("errorOutput".into(), e.clone());
    }
    Value::Object(m)
}

/// A `States.QueryEvaluationError` of the state at `here` for the field at `location`, with
/// AWS's "while executing" prefix; the interpreter records it as `EvaluationFailed`.
pub(crate) fn query_error(here: &Here<'_>, location: &str, cause: String) -> Failure {
    let mut f = Failure::new(
        "States.QueryEvaluationError",
        format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). {cause}",
            here.state.name, here.entered_id
        ),
    );
    f.evaluation = Some(Some(location.to_string()));
    f
}

/// The expression of a `{% … %}` string as AWS quotes it in causes: without the braces,
/// trimmed.
pub(crate) fn source(text: &str) -> &str {
    crate::asl::expression_text(text).unwrap_or(text).trim()
}

/// Evaluates one `{% … %}` string (`text`, braces included) for the field at `location`.
/// Undefined is AWS's "returned nothing" error.
pub(crate) fn jsonata_expression(
    here: &Here<'_>,
    text: &str,
    location: &str,
    states: &Value,
) -> Result<Value, Failure> {
    let source = source(text);
    let expr = Expression::parse(source)
        .map_err(|e| query_error(here, location, cause_evaluation_error(source, location, &e)))?;
    let mut bindings: Vec<(&str, &Value)> = Vec::with_capacity(here.vars.len() + 1);
    bindings.push(("states", states));
    for (k, v) in here.vars {
        bindings.push((k.as_str(), v));
    }
    let seed = rand::RngCore::next_u64(&mut *lock(here.rng));
    let mut host = Host::new(here.clock.now_ms() as i64, seed);
    match expr.evaluate(Some(&states["input"]), &bindings, &mut host) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(query_error(
            here,
            location,
            cause_returned_nothing(source, location),
        )),
        Err(e) => Err(query_error(
            here,
            location,
            cause_evaluation_error(source, location, &e),
        )),
    }
}

/// The output of a JSONata state: its `Output` template evaluated over `states`, or `default`.
pub(crate) fn output_template(
    here: &Here<'_>,
    template: Option<&Value>,
    default: &Value,
    states: &Value,
) -> Result<Value, Failure> {
    match template {
        Some(t) => jsonata(here, t, "Output", states),
        None => Ok(default.clone()),
    }
}

/// Evaluates a JSONata template (`Arguments`, `Output`, `Assign`, `ItemSelector`, …): every
/// `{% … %}` string inside `template` is replaced by its value; `field` names the field in
/// error causes (`Output/result` for the member `result` of `Output`).
pub(crate) fn jsonata(
    here: &Here<'_>,
    template: &Value,
    field: &str,
    states: &Value,
) -> Result<Value, Failure> {
    match template {
        Value::String(s) if crate::asl::expression_text(s).is_some() => {
            jsonata_expression(here, s, field, states)
        }
        Value::Object(o) => {
            let mut out = serde_json::Map::with_capacity(o.len());
            for (k, v) in o {
                let v = jsonata(here, v, &format!("{field}/{k}"), states)?;
                out.insert(k.clone(), v);
            }
            Ok(Value::Object(out))
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| jsonata(here, v, &format!("{field}[{i}]"), states))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// An `Assign` block: the values of the variables it sets, evaluated from the state's entry
/// view (JSONata: `$states` as given; JSONPath: `$` is `assign_input`, a payload template).
pub(crate) fn assign(
    here: &Here<'_>,
    assign: &Value,
    assign_input: &Value,
    ctx: &Value,
    states: impl FnOnce() -> Value,
) -> Result<serde_json::Map<String, Value>, Failure> {
    let v = match here.state.query_language {
        QueryLanguage::Jsonata => jsonata(here, assign, "Assign", &states())?,
        QueryLanguage::JsonPath => {
            let mut rng = lock(here.rng);
            payload::evaluate(
                assign,
                &Env::new(assign_input, ctx)
                    .with_variables(here.vars)
                    .with_rng(&mut *rng),
            )
            .map_err(|e| lift(here, e))?
        }
    };
    match v {
        Value::Object(m) => Ok(m),
        _ => Ok(serde_json::Map::new()),
    }
}
