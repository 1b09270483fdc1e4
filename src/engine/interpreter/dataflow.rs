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
    cause_evaluation_error, cause_returned_nothing, cause_unexpected_type, Host,
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
    let mut output = output;
    match &here.state.output_path {
        PathOrNull::Default => return Ok(output),
        // The merged result is not needed after: move the selection out rather than copy it.
        PathOrNull::Path(p) => {
            if let Some(v) = p.take(&mut output) {
                return Ok(v);
            }
        }
        PathOrNull::Null => {}
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
            read_path(here, p, doc, &ctx)
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
    jsonpath_payload(here, template, input, ctx).map_err(|e| lift(here, e))
}

/// A JSONPath payload template against `input`, with the state's variables and seeded RNG.
fn jsonpath_payload(
    here: &Here<'_>,
    template: &Value,
    input: &Value,
    ctx: &Value,
) -> Result<Value, StatesError> {
    let mut rng = lock(here.rng);
    payload::evaluate(
        template,
        &Env::new(input, ctx)
            .with_variables(here.vars)
            .with_rng(&mut *rng),
    )
}

/// [`payload`] over an input the caller no longer needs: a JSONPath template whose only
/// `.$` field selects part of the input moves that part instead of copying it
/// ([`payload::evaluate_owned`]).
pub(crate) fn payload_owned(
    here: &Here<'_>,
    template: &payload::Template,
    field: &str,
    input: Value,
    ctx: &Value,
) -> Result<Value, Failure> {
    if here.state.query_language == QueryLanguage::Jsonata {
        return payload(here, template, field, &input, ctx);
    }
    payload::evaluate_owned(template, input, |input| {
        jsonpath_payload(here, template, input, ctx)
    })
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
            let v = read_path(here, p, input, &Value::Null)?;
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
    let expr = here
        .expressions
        .get(source)
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
        Value::Object(m) => {
            check_variable_sizes(here.vars, &m)?;
            Ok(m)
        }
        _ => Ok(serde_json::Map::new()),
    }
}

/// Reads a reference path (`ItemsPath`, `…SecondsPath`, `InputPath`, …) from `doc`, with
/// `ctx` as `$$` and the state's variables; a path with no value is AWS's `States.Runtime`
/// "Invalid path '…' : No results for path: …" (recorded:
/// `scenarios.test_base_scenarios.test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH]`
/// and `[…HEARTBEATSECONDSPATH]` in ../shared/conformance/v2).
pub(crate) fn read_path(
    here: &Here<'_>,
    p: &crate::asl::path::Path,
    doc: &Value,
    ctx: &Value,
) -> Result<Value, Failure> {
    p.read(&Env::new(doc, ctx).with_variables(here.vars))
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

/// A JSONata Choice state's decision: the state it goes to and the `Output` and `Assign` that
/// apply (the matching rule's own, else the state's), from the first rule whose `Condition`
/// holds, else `Default`, else `States.NoChoiceMatched`. Executions and TestState both decide
/// through here.
pub(crate) fn jsonata_choice<'a>(
    here: &Here<'_>,
    state: &'a crate::asl::State,
    choice: &'a crate::asl::Choice,
    states: &Value,
) -> Result<(String, Option<&'a Value>, Option<&'a Value>), Failure> {
    for b in &choice.choices {
        if condition(here, &b.rule, states)? {
            return Ok((
                b.next.clone(),
                b.output.as_ref().or(state.output.as_ref()),
                b.assign.as_ref().or(state.assign.as_ref()),
            ));
        }
    }
    match &choice.default {
        Some(d) => Ok((d.clone(), state.output.as_ref(), state.assign.as_ref())),
        None => Err(Failure::new("States.NoChoiceMatched", "No Matches!")),
    }
}

/// A JSONata Choice `Condition`: `true`/`false` or an expression that must give a Boolean.
fn condition(
    here: &Here<'_>,
    rule: &crate::asl::ChoiceRule,
    states: &Value,
) -> Result<bool, Failure> {
    let crate::asl::ChoiceRule::Condition(c) = rule else {
        return Err(runtime(
            here,
            "A JSONata Choice state can only have Condition rules",
        ));
    };
    let Value::String(text) = c else {
        return Ok(c.as_bool().unwrap_or(false));
    };
    match jsonata_expression(here, text, "Condition", states)? {
        Value::Bool(b) => Ok(b),
        other => Err(query_error(
            here,
            "Condition",
            cause_unexpected_type(source(text), "Condition", "boolean", &other),
        )),
    }
}

/// The largest a single variable, and all the variables one `Assign` sets, may be: 256 KiB.
pub(crate) const MAX_VARIABLE_BYTES: usize = 256 * 1024;
/// The largest all of an execution's stored variables may be together: 10 MiB.
pub(crate) const MAX_VARIABLES_BYTES: usize = 10 * 1024 * 1024;

/// AWS's variable limits ("Limits" in the Developer Guide's "Passing data between states with
/// variables": "The maximum size of a single variable is 256KiB ... The maximum combined size for
/// all variables in a single `Assign` field is also 256KiB ... The total size of all stored
/// variables cannot exceed 10MiB per execution"), measured as the UTF-8 JSON text of each value.
///
/// AWS documents the limits but not the error it raises for them; sfn-harness fails the state
/// with `States.DataLimitExceeded`, the error AWS names for every other payload-size quota, and
/// a cause of its own that says which limit was crossed.
fn check_variable_sizes(
    before: &super::Variables,
    assigned: &serde_json::Map<String, Value>,
) -> Result<(), Failure> {
    let size = |v: &Value| v.to_string().len();
    let mut in_assign = 0;
    for (name, value) in assigned {
        let n = size(value);
        if n > MAX_VARIABLE_BYTES {
            return Err(Failure::new(
                "States.DataLimitExceeded",
                format!(
                    "The variable '{name}' is {n} bytes, over the maximum size of a variable ({MAX_VARIABLE_BYTES} bytes)."
                ),
            ));
        }
        in_assign += n;
    }
    if in_assign > MAX_VARIABLE_BYTES {
        return Err(Failure::new(
            "States.DataLimitExceeded",
            format!(
                "The variables of this Assign are {in_assign} bytes together, over the maximum for one Assign field ({MAX_VARIABLE_BYTES} bytes)."
            ),
        ));
    }
    let kept: usize = before
        .iter()
        .filter(|(name, _)| !assigned.contains_key(*name))
        .map(|(_, v)| size(v))
        .sum();
    let total = kept + in_assign;
    if total > MAX_VARIABLES_BYTES {
        return Err(Failure::new(
            "States.DataLimitExceeded",
            format!(
                "The execution's variables would be {total} bytes together, over the maximum of {MAX_VARIABLES_BYTES} bytes per execution."
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod variable_limits {
    use serde_json::{json, Map, Value};

    use super::{check_variable_sizes, MAX_VARIABLES_BYTES, MAX_VARIABLE_BYTES};

    fn vars(prefix: &str, n: usize, bytes: usize) -> Map<String, Value> {
        (0..n)
            .map(|i| (format!("{prefix}{i}"), json!("x".repeat(bytes))))
            .collect()
    }

    #[test]
    fn the_execution_total_counts_kept_and_new_variables_once() {
        // 40 stored variables of 250 KiB (~9.8 MiB) leave room for one more of 100 KiB ...
        let before = vars("old", 40, 250 * 1024);
        assert!(check_variable_sizes(&before, &vars("new", 1, 100 * 1024)).is_ok());
        // ... not for one of 250 KiB (under the one-Assign limit: the execution total fails) ...
        let f = check_variable_sizes(&before, &vars("new", 1, 250 * 1024)).unwrap_err();
        assert_eq!(f.error.as_deref(), Some("States.DataLimitExceeded"));
        assert!(f.cause.unwrap().contains(&MAX_VARIABLES_BYTES.to_string()));
        // ... and overwriting a stored variable replaces its size instead of adding to it.
        assert!(check_variable_sizes(&before, &vars("old", 1, 250 * 1024)).is_ok());
    }

    #[test]
    fn one_variable_and_one_assign_are_limited_to_256_kib() {
        let none = Map::new();
        // A JSON string's size includes its quotes: 256 KiB - 2 characters is the largest.
        assert!(check_variable_sizes(&none, &vars("v", 1, MAX_VARIABLE_BYTES - 2)).is_ok());
        let f = check_variable_sizes(&none, &vars("v", 1, MAX_VARIABLE_BYTES - 1)).unwrap_err();
        assert!(f.cause.unwrap().starts_with("The variable 'v0' is"));
        let f = check_variable_sizes(&none, &vars("v", 2, 130 * 1024)).unwrap_err();
        assert!(f
            .cause
            .unwrap()
            .starts_with("The variables of this Assign are"));
    }
}
