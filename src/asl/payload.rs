//! Payload templates: `Parameters`, `ResultSelector` and `ItemSelector`.
//!
//! A template is JSON copied as is, except that a key ending in `.$` loses the suffix and its
//! value — a path into the input (`$…`), into the context object (`$$…`), or an intrinsic
//! function call — is replaced by what it selects. Objects are walked recursively, including
//! objects inside arrays.
//!
//! ```
//! use sfn_harness::internals::{evaluate_payload, Env};
//! use serde_json::json;
//!
//! let template = json!({
//!     "order.$": "$.id",
//!     "execution.$": "$$.Execution.Name",
//!     "summary.$": "States.Format('{} items', States.ArrayLength($.items))",
//!     "fixed": { "nested": [{ "first.$": "$.items[0]" }] }
//! });
//! let input = json!({ "id": 7, "items": ["a", "b"] });
//! let context = json!({ "Execution": { "Name": "run-1" } });
//! let out = evaluate_payload(&template, &Env::new(&input, &context)).unwrap();
//! assert_eq!(out, json!({
//!     "order": 7, "execution": "run-1", "summary": "2 items",
//!     "fixed": { "nested": [{ "first": "a" }] }
//! }));
//! ```
//!
//! A path that selects nothing fails with `States.Runtime`, worded as AWS words it (the engine
//! adds the "An error occurred while executing the state …" prefix).

use serde_json::{Map, Value};

use crate::asl::path::Path;
use crate::asl::{intrinsics, Env, StatesError};

/// Evaluates a payload template in `env` (the state input, the context object, …).
///
/// ```
/// use sfn_harness::internals::{evaluate_payload, Env};
/// use serde_json::json;
///
/// let template = json!({ "id.$": "$.order", "fixed": 1 });
/// let input = json!({ "order": 7 });
/// let out = evaluate_payload(&template, &Env::new(&input, &json!({}))).unwrap();
/// assert_eq!(out, json!({ "id": 7, "fixed": 1 }));
/// ```
pub fn evaluate(template: &Value, env: &Env<'_>) -> Result<Value, StatesError> {
    match template {
        Value::Object(o) => {
            let mut out = Map::with_capacity(o.len());
            for (k, v) in o {
                match k.strip_suffix(".$") {
                    Some(key) => {
                        out.insert(key.to_string(), dynamic(k, v, env)?);
                    }
                    None => {
                        out.insert(k.clone(), evaluate(v, env)?);
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(a) => a
            .iter()
            .map(|v| evaluate(v, env))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// A payload template as a state holds it: the JSON, and what evaluating it needs worked out
/// once when the definition is parsed instead of at every evaluation (issue 13: parsing the
/// path and walking the template were a visible part of a Pass state's cost).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Template {
    value: Value,
    /// The template's only `.$` field, when it is a path into the input (not `$$…`, not an
    /// intrinsic): what [`evaluate_owned`] can move out of the input.
    sole: Option<Box<Path>>,
    /// [`reads_context`] of the template.
    reads_context: bool,
}

impl Template {
    /// The template `value`, analysed.
    pub(crate) fn new(value: Value) -> Template {
        let mut dynamic = 0;
        let mut sole = None;
        count_dynamic(&value, &mut dynamic, &mut sole);
        let sole = match (dynamic, sole) {
            (1, Some(expr)) if !intrinsics::is_intrinsic(expr) => {
                Path::parse(expr).ok().map(Box::new)
            }
            _ => None,
        };
        Template {
            reads_context: reads_context(&value),
            value,
            sole,
        }
    }

    /// Whether evaluating the template can read the context object ([`reads_context`]).
    pub(crate) fn reads_context(&self) -> bool {
        self.reads_context
    }
}

impl std::ops::Deref for Template {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.value
    }
}

/// [`evaluate`] for an input its caller no longer needs: when the template's only `.$` field
/// is a definite path into the input (`"prev.$": "$"`, `"id.$": "$.order.id"`), the value it
/// selects is moved out of `input`, not copied. Otherwise (and when the path selects
/// nothing, for the error) `fallback` evaluates the template over the input as [`evaluate`]
/// does.
pub(crate) fn evaluate_owned(
    template: &Template,
    mut input: Value,
    fallback: impl FnOnce(&Value) -> Result<Value, StatesError>,
) -> Result<Value, StatesError> {
    if let Some(path) = &template.sole {
        if let Some(v) = path.take(&mut input) {
            return Ok(fill(&template.value, &mut Some(v)));
        }
    }
    fallback(&input)
}

/// Counts the `.$` fields of a template; `sole` is the expression of the last one seen.
fn count_dynamic<'a>(template: &'a Value, n: &mut usize, sole: &mut Option<&'a str>) {
    match template {
        Value::Object(o) => {
            for (k, v) in o {
                if k.ends_with(".$") {
                    *n += 1;
                    *sole = v.as_str();
                } else {
                    count_dynamic(v, n, sole);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| count_dynamic(v, n, sole)),
        _ => {}
    }
}

/// The template with its one `.$` field's value taken from `value`.
fn fill(template: &Value, value: &mut Option<Value>) -> Value {
    match template {
        Value::Object(o) => {
            let mut out = Map::with_capacity(o.len());
            for (k, v) in o {
                match k.strip_suffix(".$") {
                    Some(key) => out.insert(key.to_string(), value.take().unwrap_or_default()),
                    None => out.insert(k.clone(), fill(v, value)),
                };
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| fill(v, value)).collect()),
        other => other.clone(),
    }
}

/// Which top-level members of the context object a JSONPath template's paths can read, so a
/// caller may build only those (issue 13: the Task state's context object, a copy of the
/// execution input and two formatted timestamps, was built for a `$$.Task.Token`).
///
/// ```text
/// {"token.$": "$$.Task.Token"}          -> Task
/// {"a.$": "$$.Execution.Input.x"}       -> Execution
/// {"a.$": "$$"}, {"a.$": "$$['Task']"}  -> every member
/// {"a.$": "States.Format('{}', $$.Execution.Id)"} -> every member (an intrinsic's arguments
///                                          are not looked into)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ContextReads(u8);

impl ContextReads {
    /// Every member: what a context built whole gives.
    pub(crate) const ALL: ContextReads = ContextReads(u8::MAX);
    const NAMES: [&'static str; 5] = ["Execution", "StateMachine", "State", "Task", "Map"];

    /// Whether `member` (`Execution`, `StateMachine`, `State`, `Task` or `Map`) may be read.
    pub(crate) fn reads(self, member: &str) -> bool {
        match Self::NAMES.iter().position(|n| *n == member) {
            Some(i) => self.0 & (1 << i) != 0,
            None => self == Self::ALL,
        }
    }

    fn of_expression(expr: &str) -> ContextReads {
        if !expr.contains("$$") {
            return ContextReads(0);
        }
        // A plain `$$.Member…` path (an intrinsic's arguments, a bracket, `$$` alone: all).
        let member = expr
            .strip_prefix("$$.")
            .filter(|_| !intrinsics::is_intrinsic(expr))
            .map(|rest| &rest[..rest.find(['.', '[']).unwrap_or(rest.len())]);
        match member.and_then(|m| Self::NAMES.iter().position(|n| *n == m)) {
            Some(i) => ContextReads(1 << i),
            // A member the context never has reads nothing, whole or not.
            None if member.is_some_and(|m| !m.is_empty()) => ContextReads(0),
            None => Self::ALL,
        }
    }
}

/// [`ContextReads`] of a JSONPath payload template.
pub(crate) fn context_reads(template: &Value) -> ContextReads {
    match template {
        Value::Object(o) => o.iter().fold(ContextReads(0), |acc, (k, v)| {
            let r = if k.ends_with(".$") {
                v.as_str()
                    .map_or(ContextReads::ALL, ContextReads::of_expression)
            } else {
                context_reads(v)
            };
            ContextReads(acc.0 | r.0)
        }),
        Value::Array(a) => a.iter().fold(ContextReads(0), |acc, v| {
            ContextReads(acc.0 | context_reads(v).0)
        }),
        _ => ContextReads(0),
    }
}

/// Whether evaluating `template` can read the context object: some `.$` field mentions `$$`
/// (a `$$…` path, or an intrinsic function with one among its arguments). When not, a caller
/// may pass `Value::Null` for the context instead of building it.
///
/// Example: the unit test `asl_payload_65` in `src/tests/doc_examples.rs`.
pub(crate) fn reads_context(template: &Value) -> bool {
    match template {
        Value::Object(o) => o.iter().any(|(k, v)| {
            if k.ends_with(".$") {
                v.as_str().is_none_or(|s| s.contains("$$"))
            } else {
                reads_context(v)
            }
        }),
        Value::Array(a) => a.iter().any(reads_context),
        _ => false,
    }
}

fn dynamic(key: &str, v: &Value, env: &Env<'_>) -> Result<Value, StatesError> {
    let Some(expr) = v.as_str() else {
        return Err(StatesError::runtime(format!(
            "The value for the field '{key}' must be a STRING that contains a JSONPath or an intrinsic function"
        )));
    };
    if intrinsics::is_intrinsic(expr) {
        let call = intrinsics::parse(expr).map_err(|e| StatesError::intrinsic(e.to_string()))?;
        return intrinsics::evaluate(&call, env);
    }
    let path = Path::parse_remembered(expr).map_err(|e| StatesError::runtime(e.to_string()))?;
    path.read(env).map_err(|_| {
        // AWS says "in the input" for a `$$` path too
        // (`scenarios.test_base_scenarios.test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_CONTEXTPATH]`
        // in ../shared/conformance/v2); what it prints there is the document the path read.
        let doc = if path.is_context() {
            env.context()
        } else {
            env.input()
        };
        StatesError::runtime(not_found_cause(expr, key, doc))
    })
}

/// AWS's cause for a JSONPath that matched nothing in a field's document:
/// `The JSONPath '<expr>' specified for the field '<field>' could not be found in the input
/// '<doc>'`.
pub(crate) fn not_found_cause(expr: &str, field: &str, doc: &Value) -> String {
    format!("The JSONPath '{expr}' specified for the field '{field}' could not be found in the input '{doc}'")
}

/// A problem found in a payload template at definition time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateProblem {
    /// JSON-pointer-like location inside the template, e.g. `/a/b.$`.
    pub(crate) location: String,
    /// What is wrong.
    pub(crate) message: String,
}

/// Checks a template's `.$` fields at definition time: each must be a string holding a valid
/// path or intrinsic function call.
pub(crate) fn check(template: &Value) -> Vec<TemplateProblem> {
    let mut out = Vec::new();
    walk(template, "", &mut out);
    out
}

fn walk(v: &Value, loc: &str, out: &mut Vec<TemplateProblem>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let here = format!("{loc}/{k}");
                if k.ends_with(".$") {
                    match x.as_str() {
                        None => out.push(TemplateProblem {
                            location: here,
                            message: format!(
                                "The value for the field '{k}' must be a STRING that contains a JSONPath but was {}",
                                type_name(x)
                            ),
                        }),
                        Some(s) if intrinsics::is_intrinsic(s) => {
                            if let Err(e) = intrinsics::parse(s) {
                                out.push(TemplateProblem {
                                    location: here,
                                    message: e.to_string(),
                                });
                            }
                        }
                        Some(s) => {
                            if let Err(e) = Path::parse(s) {
                                out.push(TemplateProblem {
                                    location: here,
                                    message: format!(
                                        "The value for the field '{k}' must be a valid JSONPath or a valid intrinsic function call: {e}"
                                    ),
                                });
                            }
                        }
                    }
                } else {
                    walk(x, &here, out);
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, &format!("{loc}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Bool(_) => "BOOLEAN",
        Value::Number(_) => "NUMBER",
        Value::String(_) => "STRING",
        Value::Array(_) => "ARRAY",
        Value::Object(_) => "OBJECT",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn eval(t: Value, input: Value) -> Result<Value, StatesError> {
        let context = json!({"Task": {"Token": "tok"}});
        let mut rng = rand::thread_rng();
        evaluate(&t, &Env::new(&input, &context).with_rng(&mut rng))
    }

    /// A template reads the context members its `$$` paths name, and all of them when it
    /// cannot be told (`$$` whole, a bracket, an intrinsic); evaluating it against a context
    /// of only those members gives what the whole context gives.
    #[test]
    fn a_template_reads_the_context_members_its_paths_name() {
        let members = |t: Value| {
            let r = context_reads(&t);
            ContextReads::NAMES
                .iter()
                .filter(|m| r.reads(m))
                .copied()
                .collect::<Vec<_>>()
        };
        let all = ContextReads::NAMES.to_vec();
        assert_eq!(members(json!({"t.$": "$$.Task.Token"})), ["Task"]);
        assert_eq!(
            members(
                json!({"a": [{"i.$": "$$.Execution.Input.x"}], "m.$": "$$.Map.Item.Value", "p.$": "$.x"})
            ),
            ["Execution", "Map"]
        );
        assert_eq!(
            members(json!({"p.$": "$.x", "v": "$$.Task.Token"})),
            Vec::<&str>::new()
        );
        assert_eq!(members(json!({"n.$": "$$.Nothing"})), Vec::<&str>::new());
        for t in [
            json!({"c.$": "$$"}),
            json!({"c.$": "$$['Task']"}),
            json!({"c.$": "$$."}),
            json!({"c.$": "States.Format('{}', $$.Execution.Id)"}),
            json!({"c.$": 7}),
        ] {
            assert_eq!(members(t.clone()), all, "{t}");
            assert!(context_reads(&t).reads("Anything"), "{t}");
        }
        let whole = json!({"Execution": {"Id": "e"}, "Task": {"Token": "tok"}});
        let only_task = json!({"Task": {"Token": "tok"}});
        let t = json!({"t.$": "$$.Task.Token", "i.$": "$.a"});
        let mut rng = rand::thread_rng();
        let input = json!({"a": 1});
        assert_eq!(
            evaluate(&t, &Env::new(&input, &whole).with_rng(&mut rng)).unwrap(),
            evaluate(&t, &Env::new(&input, &only_task).with_rng(&mut rng)).unwrap()
        );
    }

    #[test]
    fn missing_path_is_a_runtime_error_worded_like_aws() {
        let e = eval(json!({"x.$": "$.nope"}), json!({"a": 1})).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert_eq!(
            e.cause,
            "The JSONPath '$.nope' specified for the field 'x.$' could not be found in the input '{\"a\":1}'"
        );
    }

    #[test]
    fn context_paths_and_indefinite_paths() {
        assert_eq!(
            eval(
                json!({"t.$": "$$.Task.Token", "all.$": "$.l[*].v"}),
                json!({"l": [{"v": 1}, {"v": 2}]})
            )
            .unwrap(),
            json!({"t": "tok", "all": [1, 2]})
        );
    }

    #[test]
    fn non_string_dynamic_value_fails() {
        assert!(eval(json!({"x.$": 1}), json!({})).is_err());
        assert_eq!(check(&json!({"x.$": 1}))[0].location, "/x.$");
        assert!(check(&json!({"ok.$": "$.a", "f.$": "States.Array(1)"})).is_empty());
        assert_eq!(check(&json!({"f.$": "States.Nope()"})).len(), 1);
        let problems = check(&json!({ "a.$": "not a path", "b": { "c.$": 3 } }));
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[1].location, "/b/c.$");
    }

    proptest! {
        /// Moving the one path's value out of an owned input gives what copying it gives,
        /// and a template with other dynamic fields (or a path that selects nothing) is
        /// evaluated over the input as before.
        #[test]
        fn owned_evaluation_is_evaluation(t in crate::asl::path::tests_support::arb_json(), input in crate::asl::path::tests_support::arb_json(), expr in "\\$(\\.[a-c]|\\[-?[0-2]\\]){0,3}|\\$\\$|\\$\\.a\\[\\*\\]|States\\.Array\\(\\$\\)") {
            let t = json!({ "x": t, "n": [{ "v.$": expr }] });
            let copied = eval(t.clone(), input.clone());
            let context = json!({"Task": {"Token": "tok"}});
            let owned = evaluate_owned(&Template::new(t.clone()), input, |i| {
                let mut rng = rand::thread_rng();
                evaluate(&t, &Env::new(i, &context).with_rng(&mut rng))
            });
            prop_assert_eq!(copied, owned);
        }

        /// A template without `.$` keys is copied as is.
        #[test]
        fn static_templates_are_identity(t in crate::asl::path::tests_support::arb_json(), input in crate::asl::path::tests_support::arb_json()) {
            let has_dynamic = t.to_string().contains(".$");
            prop_assume!(!has_dynamic);
            prop_assert_eq!(eval(t.clone(), input).unwrap(), t);
        }

        /// Arbitrary templates and inputs never panic.
        #[test]
        fn never_panics(key in "[a-c]{1,3}", expr in "[$.a-c\\[\\]0-9*()'States,FormatUID ]{0,30}", input in crate::asl::path::tests_support::arb_json()) {
            let t = json!({ format!("{key}.$"): expr });
            let _ = eval(t.clone(), input);
            let _ = check(&t);
        }
    }
}
