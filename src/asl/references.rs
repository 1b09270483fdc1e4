//! Which workflow variables each state reads: `variableReferences` of `DescribeStateMachine`
//! and `DescribeStateMachineForExecution`.
//!
//! AWS lists, per state name (nested states included, as state names are unique machine-wide),
//! the variables the state's fields read; states that read none are left out, and so is the
//! whole member when no state reads a variable. What counts as a read, as recorded in
//! `shared/conformance/v2/test_sfn_api_variable_references.*`:
//! - JSONPath: `$name…` in the path fields (`InputPath`, `OutputPath`, `ItemsPath`, every
//!   `…Path` field, Choice `Variable` and `…Path` operands, `MaxItemsPath` of a reader) and in
//!   the values of `name.$` keys of templates (`Parameters`, `ResultSelector`, `ItemSelector`,
//!   `Assign`, catchers' `Assign`), intrinsic function arguments included; a plain value such as
//!   `"bucketName": "$bucket"` is a literal, not a read;
//! - JSONata: `$name` in any `{% … %}` expression of the state, except `$states`, function calls
//!   (`$sum(…)`) and names the expression binds itself (`$x := …`).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::asl::expression_text;

/// The `variableReferences` of a definition given as JSON: state name -> the variables it
/// reads, sorted. An empty object when no state reads one.
pub(crate) fn variable_references(definition: &Value) -> Value {
    let mut out = Map::new();
    let top_jsonata = definition.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    let mut scopes = vec![definition];
    while let Some(scope) = scopes.pop() {
        let Some(states) = scope.get("States").and_then(Value::as_object) else {
            continue;
        };
        for (name, state) in states {
            let Some(o) = state.as_object() else { continue };
            if let Some(branches) = o.get("Branches").and_then(Value::as_array) {
                scopes.extend(branches.iter());
            }
            for key in ["ItemProcessor", "Iterator"] {
                if let Some(p) = o.get(key) {
                    scopes.push(p);
                }
            }
            let jsonata = match o.get("QueryLanguage").and_then(Value::as_str) {
                Some(l) => l == "JSONata",
                None => top_jsonata,
            };
            let mut names = BTreeSet::new();
            if jsonata {
                for (k, v) in o {
                    if !matches!(k.as_str(), "Branches" | "ItemProcessor" | "Iterator") {
                        jsonata_reads(v, &mut names);
                    }
                }
            } else {
                jsonpath_reads(o, &mut names);
            }
            if !names.is_empty() {
                out.insert(
                    name.clone(),
                    Value::Array(names.into_iter().map(Value::String).collect()),
                );
            }
        }
    }
    Value::Object(out)
}

/// Reads in the fields of a JSONPath state (or any object under it: rules, catchers,
/// reader configs): `…Path` and `Variable` string fields, and `name.$` values.
fn jsonpath_reads(o: &Map<String, Value>, names: &mut BTreeSet<String>) {
    let mut stack = vec![o];
    while let Some(o) = stack.pop() {
        for (k, v) in o {
            match v {
                Value::String(s) if k.ends_with(".$") || k.ends_with("Path") || k == "Variable" => {
                    path_reads(s, names)
                }
                Value::Object(inner)
                    if !matches!(k.as_str(), "Branches" | "ItemProcessor" | "Iterator")
                        && k != "Result" =>
                {
                    stack.push(inner)
                }
                Value::Array(items) if matches!(k.as_str(), "Choices" | "Catch" | "And" | "Or") => {
                    stack.extend(items.iter().filter_map(Value::as_object))
                }
                _ => {}
            }
        }
    }
}

/// `$name` in a JSONPath or intrinsic function (not `$`, `$$…`, `$.…`, `$[…]`, nor inside a
/// quoted string argument).
fn path_reads(s: &str, names: &mut BTreeSet<String>) {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut quote = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            i += 2;
            continue;
        }
        if c == '\'' {
            quote = !quote;
        } else if c == '$' && !quote && (i == 0 || chars[i - 1] != '$') {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .collect();
            if name
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
            {
                i += name.chars().count();
                names.insert(name);
            }
        }
        i += 1;
    }
}

/// `$name` in every `{% … %}` string under `v`.
fn jsonata_reads(v: &Value, names: &mut BTreeSet<String>) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => {
                if let Some(text) = expression_text(s) {
                    expression_reads(text, names);
                }
            }
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
}

/// `$name` in one JSONata expression: not `$states`, not a call (`$f(`), not bound in the
/// expression (`$x :=`, function parameters), not inside a string literal.
fn expression_reads(text: &str, names: &mut BTreeSet<String>) {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut bound = BTreeSet::new();
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == '\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '$' => {
                let name: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_alphanumeric() || **c == '_')
                    .collect();
                let after = chars[i + 1 + name.chars().count()..]
                    .iter()
                    .find(|c| !c.is_whitespace());
                i += name.chars().count();
                if !name.is_empty() && name != "states" {
                    match after {
                        Some('(') => {}
                        Some(':') => {
                            bound.insert(name);
                        }
                        _ => found.push(name),
                    }
                }
            }
            None => {}
        }
        i += 1;
    }
    // Parameters of `function($a, $b)` are bound too.
    let mut rest = text;
    while let Some(at) = rest.find("function") {
        rest = &rest[at + "function".len()..];
        if let Some(params) = rest.trim_start().strip_prefix('(') {
            if let Some(end) = params.find(')') {
                for p in params[..end].split(',') {
                    if let Some(n) = p.trim().strip_prefix('$') {
                        bound.insert(n.to_string());
                    }
                }
            }
        }
    }
    names.extend(found.into_iter().filter(|n| !bound.contains(n)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn literals_context_paths_and_quoted_text_are_not_reads() {
        let refs = variable_references(&json!({
            "StartAt": "A",
            "States": { "A": { "Type": "Pass",
                "Parameters": { "lit": "$bucket", "ctx.$": "$$.Execution.Id", "f.$": "States.Format('$x {}', $.a)" },
                "End": true } }
        }));
        assert_eq!(refs, json!({}));
    }

    #[test]
    fn jsonata_bound_names_and_calls_are_not_reads() {
        let mut names = BTreeSet::new();
        expression_reads(
            " ($t := $total; $map($items, function($v) { $v * $t }) & 'a $b') ",
            &mut names,
        );
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["items", "total"]);
    }

    #[test]
    fn nested_states_and_choice_rules_are_listed() {
        let refs = variable_references(&json!({
            "StartAt": "P",
            "States": { "P": { "Type": "Parallel", "End": true, "Branches": [
                { "StartAt": "C", "States": { "C": { "Type": "Choice",
                    "Choices": [{ "Not": { "Variable": "$guess", "StringEqualsPath": "$answer" }, "Next": "D" }],
                    "Default": "D" },
                  "D": { "Type": "Succeed" } } }
            ] } }
        }));
        assert_eq!(refs, json!({ "C": ["answer", "guess"] }));
    }
}

#[cfg(test)]
mod doc_example_16 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::asl::variable_references;
        use serde_json::json;

        let refs = variable_references(&json!({
            "StartAt": "A",
            "States": {
                "A": { "Type": "Pass", "Assign": { "n": 1 }, "Next": "B" },
                "B": { "Type": "Pass", "InputPath": "$n", "Parameters": { "x.$": "States.MathAdd($n, $m)" }, "Next": "C" },
                "C": { "Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $sum([$n, 1]) & $states.input %}", "End": true }
            }
        }));
        assert_eq!(refs, json!({ "B": ["m", "n"], "C": ["n"] }));
    }
}
