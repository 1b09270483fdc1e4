//! JSONata-mode field rules (`"QueryLanguage": "JSONata"` on the machine or on a state), and
//! the `Assign` field of both languages.
//!
//! AWS's rules ([Transforming data with JSONata][aws], [Passing data with variables][vars]):
//! - a JSONata state has `Arguments` (Task, Parallel) and `Output` instead of `Parameters`,
//!   `ResultSelector`, `ResultPath`, `InputPath` and `OutputPath`; Choice rules are
//!   `Condition`s; Map reads `Items`; `…Path` fields (`SecondsPath`, `ErrorPath`, …) do not
//!   exist, their plain fields take `{% … %}` strings instead;
//! - every string of the form `{% … %}` anywhere inside those fields is a JSONata expression,
//!   and must parse;
//! - when the machine is JSONata, no state may fall back to JSONPath.
//!
//! [aws]: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
//! [vars]: https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html

use serde_json::{Map, Value};

use crate::asl::jsonata::Expression;
use crate::asl::parse::Parser;
use crate::asl::QueryLanguage;

/// The expression inside a `{% … %}` string, if `s` is one.
pub(crate) fn expression_text(s: &str) -> Option<&str> {
    s.strip_prefix("{%")?.strip_suffix("%}")
}

/// Fields a JSONata state of type `ty` may have (besides `Type`, `Comment`, `QueryLanguage`).
pub(super) fn allowed(ty: &str) -> &'static [&'static str] {
    match ty {
        "Pass" => &["Next", "End", "Output", "Assign"],
        "Task" => &[
            "Next",
            "End",
            "Output",
            "Assign",
            "Resource",
            "Arguments",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "Credentials",
        ],
        "Choice" => &["Choices", "Default", "Output", "Assign"],
        "Wait" => &["Next", "End", "Output", "Assign", "Seconds", "Timestamp"],
        "Succeed" => &["Output"],
        "Fail" => &["Error", "Cause"],
        "Parallel" => &[
            "Next",
            "End",
            "Output",
            "Assign",
            "Branches",
            "Arguments",
            "Retry",
            "Catch",
        ],
        "Map" => &[
            "Next",
            "End",
            "Output",
            "Assign",
            "ItemProcessor",
            "Iterator",
            "Items",
            "ItemSelector",
            "MaxConcurrency",
            "Retry",
            "Catch",
            "Label",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
        ],
        _ => &[],
    }
}

/// Fields only a JSONata state has: a JSONPath state with one of them is refused.
pub(super) const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items", "Condition"];

impl Parser {
    /// The effective `QueryLanguage` of the state object `o` (its own, else the machine's).
    pub(super) fn state_language(&mut self, o: &Map<String, Value>, loc: &str) -> QueryLanguage {
        match o.get("QueryLanguage").map(Value::as_str) {
            None => self.default_lang,
            Some(Some("JSONata")) => QueryLanguage::Jsonata,
            Some(Some("JSONPath")) => {
                if self.default_lang == QueryLanguage::Jsonata {
                    self.schema(
                        &format!("{loc}/QueryLanguage"),
                        "The QueryLanguage of a state cannot be JSONPath when the state machine's QueryLanguage is JSONata",
                    );
                }
                QueryLanguage::JsonPath
            }
            Some(_) => {
                self.schema(
                    &format!("{loc}/QueryLanguage"),
                    "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]",
                );
                self.default_lang
            }
        }
    }

    /// Checks every `{% … %}` string inside `v` (at `loc`) parses as JSONata.
    /// Each problem is reported at the JSON pointer of its string (`/States/A/Output/a`).
    pub(super) fn check_expressions(&mut self, v: &Value, loc: &str) {
        let mut stack = vec![(v, loc.to_string())];
        while let Some((v, at)) = stack.pop() {
            match v {
                Value::String(s) => {
                    if let Some(text) = expression_text(s) {
                        self.check_expression(text, &at);
                    }
                }
                Value::Array(a) => stack.extend(
                    a.iter()
                        .enumerate()
                        .rev()
                        .map(|(i, v)| (v, format!("{at}[{i}]"))),
                ),
                Value::Object(o) => {
                    stack.extend(o.iter().rev().map(|(k, v)| (v, format!("{at}/{k}"))))
                }
                _ => {}
            }
        }
    }

    /// Checks one expression (the text inside `{% … %}`).
    pub(super) fn check_expression(&mut self, text: &str, loc: &str) {
        let text = text.trim();
        if let Err(e) = Expression::parse(text) {
            self.schema(
                loc,
                format!(
                    "The JSONata expression '{text}' is invalid: {}",
                    e.message()
                ),
            );
        }
    }

    /// A JSONata template field (`Arguments`, `Output`, `ItemSelector`, …): any JSON value,
    /// with every `{% … %}` string a valid expression.
    pub(super) fn jsonata_template(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
    ) -> Option<Value> {
        let v = o.get(key)?;
        self.check_expressions(v, &format!("{loc}/{key}"));
        Some(v.clone())
    }

    /// A JSONata field that is a literal of some type or one `{% … %}` string; `literal_ok`
    /// judges the literal. Returns the value as given.
    pub(super) fn jsonata_scalar(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
        literal_ok: impl Fn(&Value) -> bool,
        must_be: &str,
    ) -> Option<Value> {
        let v = o.get(key)?;
        let floc = format!("{loc}/{key}");
        match v.as_str().and_then(expression_text) {
            Some(text) => {
                self.check_expression(text, &floc);
                Some(v.clone())
            }
            None if literal_ok(v) => Some(v.clone()),
            None => {
                self.schema(
                    &floc,
                    format!(
                        "The value for the field '{key}' must be {must_be} or a JSONata expression"
                    ),
                );
                None
            }
        }
    }

    /// `Assign`: an object of variable names. In JSONata the values are templates with
    /// `{% … %}` strings; in JSONPath a payload template (`name.$` keys).
    pub(super) fn assign(
        &mut self,
        o: &Map<String, Value>,
        loc: &str,
        lang: QueryLanguage,
    ) -> Option<Value> {
        let v = o.get("Assign")?;
        let aloc = format!("{loc}/Assign");
        let Some(fields) = v.as_object() else {
            self.schema(&aloc, "The value for the field 'Assign' must be an OBJECT");
            return None;
        };
        for key in fields.keys() {
            let name = key.strip_suffix(".$").unwrap_or(key);
            let valid = name
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_alphanumeric() || c == '_')
                && name.chars().count() <= 80;
            if !valid {
                self.schema(
                    &aloc,
                    format!("The variable name '{name}' is invalid: a name starts with a letter or '_' and has only letters, digits and '_'"),
                );
            }
            if name == "states" {
                self.schema(&aloc, "The variable name 'states' is reserved");
            }
        }
        match lang {
            QueryLanguage::Jsonata => self.jsonata_template(o, "Assign", loc),
            QueryLanguage::JsonPath => self.template(o, "Assign", loc),
        }
    }
}

#[cfg(test)]
mod doc_example_24 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::asl::expression_text as expr;
        assert_eq!(expr("{% $states.input %}"), Some(" $states.input "));
        assert_eq!(expr("plain"), None);
    }
}
