//! Choice rules: `And`/`Or`/`Not` and the comparison operators.

use serde_json::{Map, Value};

use crate::asl::parse::Parser;
use crate::asl::path::Path;
use crate::asl::{Choice, ChoiceBranch, ChoiceRule, Comparison, Operand, QueryLanguage, StateKind};

impl Parser {
    pub(super) fn choice(
        &mut self,
        o: &Map<String, Value>,
        loc: &str,
        lang: QueryLanguage,
    ) -> Option<StateKind> {
        let mut choices = Vec::new();
        match o.get("Choices") {
            Some(Value::Array(arr)) if !arr.is_empty() => {
                for (i, c) in arr.iter().enumerate() {
                    let cloc = format!("{loc}/Choices[{i}]");
                    let (rule, assign, output) = match (lang, c.as_object()) {
                        (QueryLanguage::Jsonata, Some(co)) => (
                            self.condition(co, &cloc),
                            self.assign(co, &cloc, lang),
                            self.jsonata_template(co, "Output", &cloc),
                        ),
                        (QueryLanguage::JsonPath, Some(co)) => (
                            self.rule(c, &cloc, true),
                            self.assign(co, &cloc, lang),
                            None,
                        ),
                        (_, None) => (self.rule(c, &cloc, true), None, None),
                    };
                    match c.get("Next") {
                        Some(Value::String(next)) => {
                            if let Some(rule) = rule {
                                choices.push(ChoiceBranch {
                                    rule,
                                    next: next.clone(),
                                    assign,
                                    output,
                                });
                            }
                        }
                        Some(_) => self.schema(
                            &format!("{cloc}/Next"),
                            "The value for the field 'Next' must be a STRING",
                        ),
                        None => self.schema(&cloc, "These fields are required: [Next]"),
                    }
                }
            }
            Some(Value::Array(_)) => {
                self.schema(&format!("{loc}/Choices"), "Value cannot be empty")
            }
            Some(_) => self.schema(
                &format!("{loc}/Choices"),
                "The value for the field 'Choices' must be an ARRAY",
            ),
            None => self.schema(loc, "These fields are required: [Choices]"),
        }
        let default = self.string_field(o, "Default", loc).map(String::from);
        Some(StateKind::Choice(Choice { choices, default }))
    }

    /// A JSONata choice: `Condition` (a Boolean or a `{% … %}` string), `Next`, and optionally
    /// `Comment`, `Assign` and `Output`.
    fn condition(&mut self, o: &Map<String, Value>, loc: &str) -> Option<ChoiceRule> {
        for k in o.keys() {
            if !matches!(
                k.as_str(),
                "Condition" | "Next" | "Comment" | "Assign" | "Output"
            ) {
                self.schema(
                    loc,
                    format!("The field \"{k}\" is not supported by Step Functions in a JSONata choice rule"),
                );
            }
        }
        if !o.contains_key("Condition") {
            self.schema(loc, "These fields are required: [Condition]");
            return None;
        }
        self.jsonata_scalar(o, "Condition", loc, Value::is_boolean, "a BOOLEAN")
            .map(ChoiceRule::Condition)
    }

    fn rule(&mut self, v: &Value, loc: &str, top: bool) -> Option<ChoiceRule> {
        let Some(o) = v.as_object() else {
            self.schema(loc, "A choice rule must be an OBJECT");
            return None;
        };
        let mut ops: Vec<&String> = o
            .keys()
            .filter(|k| !matches!(k.as_str(), "Variable" | "Next" | "Comment" | "Assign"))
            .collect();
        for k in o.keys() {
            if k == "Next" && !top {
                self.schema(loc, "Nested choice rules cannot have a 'Next' field");
            }
        }
        if ops.len() != 1 {
            self.schema(
                loc,
                if ops.is_empty() {
                    "A choice rule must have exactly one comparison operator or And/Or/Not"
                        .to_string()
                } else {
                    format!(
                        "A choice rule must have exactly one comparison operator, but has: [{}]",
                        ops.iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
            );
            return None;
        }
        let op = ops.remove(0).as_str();
        let val = &o[op];
        match op {
            "And" | "Or" => {
                let Some(arr) = val.as_array().filter(|a| !a.is_empty()) else {
                    self.schema(&format!("{loc}/{op}"), "Value cannot be empty");
                    return None;
                };
                if o.contains_key("Variable") {
                    self.schema(
                        loc,
                        format!("A choice rule with '{op}' cannot have a 'Variable'"),
                    );
                }
                let rules: Vec<ChoiceRule> = arr
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| self.rule(r, &format!("{loc}/{op}[{i}]"), false))
                    .collect();
                Some(if op == "And" {
                    ChoiceRule::And(rules)
                } else {
                    ChoiceRule::Or(rules)
                })
            }
            "Not" => self
                .rule(val, &format!("{loc}/Not"), false)
                .map(|r| ChoiceRule::Not(Box::new(r))),
            _ => self.comparison_rule(o, op, val, loc),
        }
    }

    /// One comparison: `Variable`, an operator and its operand (a literal of the operator's
    /// type, or a path for the `…Path` forms).
    fn comparison_rule(
        &mut self,
        o: &Map<String, Value>,
        op: &str,
        val: &Value,
        loc: &str,
    ) -> Option<ChoiceRule> {
        let (base, is_path) = match op.strip_suffix("Path") {
            Some(b) if comparison(b).is_some() && !b.starts_with("Is") => (b, true),
            _ => (op, false),
        };
        let Some(cmp) = comparison(base) else {
            self.schema(
                loc,
                format!("The field \"{op}\" is not supported by Step Functions"),
            );
            return None;
        };
        let variable = match o.get("Variable").and_then(Value::as_str).map(Path::parse) {
            Some(Ok(p)) => p,
            Some(Err(_)) => {
                self.schema(
                    &format!("{loc}/Variable"),
                    "The value for the field 'Variable' must be a valid JSONPath",
                );
                return None;
            }
            None => {
                self.schema(loc, "These fields are required: [Variable]");
                return None;
            }
        };
        let operand = if is_path {
            match val.as_str().map(Path::parse) {
                Some(Ok(p)) => Operand::Path(p),
                _ => {
                    self.schema(
                        &format!("{loc}/{op}"),
                        format!("The value for the field '{op}' must be a valid JSONPath"),
                    );
                    return None;
                }
            }
        } else {
            let ok = match cmp {
                Comparison::BooleanEquals
                | Comparison::IsNull
                | Comparison::IsPresent
                | Comparison::IsNumeric
                | Comparison::IsString
                | Comparison::IsBoolean
                | Comparison::IsTimestamp => val.is_boolean(),
                Comparison::NumericEquals
                | Comparison::NumericLessThan
                | Comparison::NumericGreaterThan
                | Comparison::NumericLessThanEquals
                | Comparison::NumericGreaterThanEquals => val.is_number(),
                _ => val.is_string(),
            };
            if !ok {
                let expected = if val.is_boolean()
                    || matches!(cmp, Comparison::BooleanEquals)
                    || base.starts_with("Is")
                {
                    "BOOLEAN"
                } else if base.starts_with("Numeric") {
                    "NUMBER"
                } else {
                    "STRING"
                };
                self.schema(
                    &format!("{loc}/{op}"),
                    format!("The value for the field '{op}' must be a {expected}"),
                );
                return None;
            }
            Operand::Literal(val.clone())
        };
        Some(ChoiceRule::Compare {
            variable,
            op: cmp,
            operand,
        })
    }
}

fn comparison(name: &str) -> Option<Comparison> {
    use Comparison::*;
    Some(match name {
        "StringEquals" => StringEquals,
        "StringLessThan" => StringLessThan,
        "StringGreaterThan" => StringGreaterThan,
        "StringLessThanEquals" => StringLessThanEquals,
        "StringGreaterThanEquals" => StringGreaterThanEquals,
        "StringMatches" => StringMatches,
        "NumericEquals" => NumericEquals,
        "NumericLessThan" => NumericLessThan,
        "NumericGreaterThan" => NumericGreaterThan,
        "NumericLessThanEquals" => NumericLessThanEquals,
        "NumericGreaterThanEquals" => NumericGreaterThanEquals,
        "BooleanEquals" => BooleanEquals,
        "TimestampEquals" => TimestampEquals,
        "TimestampLessThan" => TimestampLessThan,
        "TimestampGreaterThan" => TimestampGreaterThan,
        "TimestampLessThanEquals" => TimestampLessThanEquals,
        "TimestampGreaterThanEquals" => TimestampGreaterThanEquals,
        "IsNull" => IsNull,
        "IsPresent" => IsPresent,
        "IsNumeric" => IsNumeric,
        "IsString" => IsString,
        "IsBoolean" => IsBoolean,
        "IsTimestamp" => IsTimestamp,
        _ => return None,
    })
}
