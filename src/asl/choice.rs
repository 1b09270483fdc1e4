//! Evaluation of Choice rules.
//!
//! Semantics follow the ASL specification and the AWS developer guide ("Choice workflow
//! state"), checked against the Choice executions recorded on AWS in `../shared/conformance`:
//! - a data-test operator compares only values of its own type: `StringEquals` against a number,
//!   `NumericEquals` against a string, `TimestampEquals` against a non-timestamp are simply false;
//! - `IsPresent` is the only operator that tolerates a missing `Variable`; any other raises
//!   `States.Runtime` ("Invalid path … The choice state's condition path references an invalid
//!   value."), and so does a `…Path` operand that selects nothing;
//! - numbers compare by value (`1` equals `1.0`); strings by code point; timestamps are RFC 3339
//!   instants compared in time (`2024-01-01T00:00:00Z` equals `2024-01-01T01:00:00+01:00`);
//! - `StringMatches` supports `*` wildcards, with `\*` and `\\` for literal characters.

use std::cmp::Ordering;

use serde_json::Value;

use crate::asl::path::Path;
use crate::asl::{Choice, ChoiceBranch, ChoiceRule, Comparison, Env, Operand, StatesError};

/// Evaluates one Choice rule in `env` (the state input, the context object, …).
pub(crate) fn evaluate(rule: &ChoiceRule, env: &Env<'_>) -> Result<bool, StatesError> {
    match rule {
        ChoiceRule::And(rules) => {
            for r in rules {
                if !evaluate(r, env)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        ChoiceRule::Or(rules) => {
            for r in rules {
                if evaluate(r, env)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        ChoiceRule::Not(r) => Ok(!evaluate(r, env)?),
        ChoiceRule::Compare {
            variable,
            op,
            operand,
        } => compare(variable, *op, operand, env),
        ChoiceRule::Condition(_) => Err(StatesError::runtime(
            "a JSONata Condition is evaluated by the JSONata data flow, not as a JSONPath rule",
        )),
    }
}

fn invalid(p: &Path) -> StatesError {
    StatesError::runtime(format!(
        "Invalid path '{p}': The choice state's condition path references an invalid value."
    ))
}

fn compare(
    variable: &Path,
    op: Comparison,
    operand: &Operand,
    env: &Env<'_>,
) -> Result<bool, StatesError> {
    use Comparison::*;
    let value = variable.read(env).ok();
    // Indefinite paths read as arrays; a definite path that matched nothing is absent.
    let rhs = match operand {
        Operand::Literal(v) => v.clone(),
        Operand::Path(p) => p.read(env).map_err(|_| invalid(p))?,
    };
    if op == IsPresent {
        return Ok(value.is_some() == (rhs == Value::Bool(true)));
    }
    let Some(v) = value else {
        return Err(invalid(variable));
    };
    let flag = rhs == Value::Bool(true);
    Ok(match op {
        IsNull => v.is_null() == flag,
        IsNumeric => v.is_number() == flag,
        IsString => v.is_string() == flag,
        IsBoolean => v.is_boolean() == flag,
        IsTimestamp => v.as_str().and_then(timestamp).is_some() == flag,
        IsPresent => unreachable!("handled above"),
        StringEquals
        | StringLessThan
        | StringGreaterThan
        | StringLessThanEquals
        | StringGreaterThanEquals => match (v.as_str(), rhs.as_str()) {
            (Some(a), Some(b)) => ordered(op, a.cmp(b)),
            _ => false,
        },
        StringMatches => match (v.as_str(), rhs.as_str()) {
            (Some(a), Some(pattern)) => string_matches(a, pattern),
            _ => false,
        },
        NumericEquals
        | NumericLessThan
        | NumericGreaterThan
        | NumericLessThanEquals
        | NumericGreaterThanEquals => match (v.as_f64(), rhs.as_f64()) {
            (Some(a), Some(b)) if v.is_number() && rhs.is_number() => {
                a.partial_cmp(&b).is_some_and(|o| ordered(op, o))
            }
            _ => false,
        },
        BooleanEquals => match (v.as_bool(), rhs.as_bool()) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        TimestampEquals
        | TimestampLessThan
        | TimestampGreaterThan
        | TimestampLessThanEquals
        | TimestampGreaterThanEquals => {
            match (
                v.as_str().and_then(timestamp),
                rhs.as_str().and_then(timestamp),
            ) {
                (Some(a), Some(b)) => ordered(op, a.cmp(&b)),
                _ => false,
            }
        }
    })
}

fn ordered(op: Comparison, o: Ordering) -> bool {
    use Comparison::*;
    match op {
        StringEquals | NumericEquals | TimestampEquals => o.is_eq(),
        StringLessThan | NumericLessThan | TimestampLessThan => o.is_lt(),
        StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => o.is_gt(),
        StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => o.is_le(),
        StringGreaterThanEquals | NumericGreaterThanEquals | TimestampGreaterThanEquals => {
            o.is_ge()
        }
        _ => false,
    }
}

/// Parses an ASL timestamp: RFC 3339 with an uppercase `T` and a `Z` or numeric offset.
pub(crate) fn timestamp(s: &str) -> Option<jiff::Timestamp> {
    let bytes = s.as_bytes();
    if bytes.len() < 20 || bytes.get(10) != Some(&b'T') {
        return None;
    }
    if s.ends_with('z') {
        return None;
    }
    s.parse::<jiff::Timestamp>().ok()
}

/// `StringMatches`: `*` matches any run of characters; `\*` and `\\` are literal.
pub(crate) fn string_matches(s: &str, pattern: &str) -> bool {
    enum Tok {
        Lit(char),
        Star,
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => toks.push(Tok::Lit(n)),
                None => toks.push(Tok::Lit('\\')),
            },
            '*' => toks.push(Tok::Star),
            c => toks.push(Tok::Lit(c)),
        }
    }
    let text: Vec<char> = s.chars().collect();
    // Iterative wildcard matching with backtracking to the last star.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match toks.get(p) {
            Some(Tok::Lit(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Tok::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    while let Some(Tok::Star) = toks.get(p) {
        p += 1;
    }
    p == toks.len()
}

/// The first branch of `choice` whose rule holds in `env`, if any (`None`: the `Default`, if
/// the state has one, applies).
pub(crate) fn select_branch<'a>(
    choice: &'a Choice,
    env: &Env<'_>,
) -> Result<Option<&'a ChoiceBranch>, StatesError> {
    for branch in &choice.choices {
        if evaluate(&branch.rule, env)? {
            return Ok(Some(branch));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn rule(op: Comparison, operand: Value) -> ChoiceRule {
        ChoiceRule::Compare {
            variable: Path::parse("$.v").unwrap(),
            op,
            operand: Operand::Literal(operand),
        }
    }

    fn eval(r: &ChoiceRule, v: Value) -> Result<bool, StatesError> {
        evaluate(r, &Env::new(&json!({ "v": v }), &json!({})))
    }

    #[test]
    fn type_mismatch_is_false_not_an_error() {
        use Comparison::*;
        assert!(!eval(&rule(StringEquals, json!("1")), json!(1)).unwrap());
        assert!(!eval(&rule(NumericEquals, json!(1)), json!("1")).unwrap());
        assert!(!eval(&rule(BooleanEquals, json!(true)), json!("true")).unwrap());
        assert!(!eval(
            &rule(TimestampEquals, json!("2024-01-01T00:00:00Z")),
            json!(0)
        )
        .unwrap());
    }

    #[test]
    fn comparisons() {
        use Comparison::*;
        assert!(eval(&rule(NumericEquals, json!(1)), json!(1.0)).unwrap());
        assert!(eval(&rule(NumericLessThanEquals, json!(2)), json!(2)).unwrap());
        assert!(eval(&rule(StringLessThan, json!("b")), json!("a")).unwrap());
        assert!(eval(
            &rule(TimestampEquals, json!("2024-01-01T00:00:00Z")),
            json!("2024-01-01T01:00:00+01:00")
        )
        .unwrap());
        assert!(eval(
            &rule(IsTimestamp, json!(true)),
            json!("2024-01-01T00:00:00.5Z")
        )
        .unwrap());
        assert!(!eval(
            &rule(IsTimestamp, json!(true)),
            json!("2024-01-01t00:00:00Z")
        )
        .unwrap());
        assert!(eval(&rule(IsNull, json!(false)), json!(0)).unwrap());
        assert!(eval(&rule(IsString, json!(true)), json!("")).unwrap());
    }

    #[test]
    fn missing_variable_raises_except_is_present() {
        use Comparison::*;
        let r = rule(IsPresent, json!(false));
        let empty = json!({});
        let env = Env::new(&empty, &empty);
        assert!(evaluate(&r, &env).unwrap());
        let e = evaluate(&rule(IsNull, json!(true)), &env).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert!(e.cause.contains("Invalid path '$.v'"));
    }

    #[test]
    fn string_matches_wildcards_and_escapes() {
        assert!(string_matches("log-2024.txt", "log-*.txt"));
        assert!(string_matches("anything", "*"));
        assert!(string_matches("", "*"));
        assert!(string_matches("a*b", "a\\*b"));
        assert!(!string_matches("axb", "a\\*b"));
        assert!(string_matches("a\\b", "a\\\\b"));
        assert!(!string_matches("abc", "a*d"));
        assert!(string_matches("aXbXc", "a*b*c"));
    }

    proptest! {
        #[test]
        fn not_inverts(n in any::<i32>(), m in any::<i32>()) {
            let r = rule(Comparison::NumericLessThan, json!(m));
            let not = ChoiceRule::Not(Box::new(r.clone()));
            prop_assert_eq!(eval(&r, json!(n)).unwrap(), !eval(&not, json!(n)).unwrap());
        }

        #[test]
        fn and_or_laws(a in any::<bool>(), b in any::<bool>()) {
            let ra = rule(Comparison::BooleanEquals, json!(true));
            let input = |x: bool| json!({ "v": x });
            let and = ChoiceRule::And(vec![ra.clone(), ra.clone()]);
            let or = ChoiceRule::Or(vec![ra.clone(), ChoiceRule::Not(Box::new(ra.clone()))]);
            let ctx = json!({});
            prop_assert_eq!(evaluate(&and, &Env::new(&input(a), &ctx)).unwrap(), a);
            let holds = evaluate(&or, &Env::new(&input(b), &ctx)).unwrap();
            prop_assert!(holds);
        }

        #[test]
        fn numeric_equals_is_reflexive(x in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
            prop_assert!(eval(&rule(Comparison::NumericEquals, json!(x)), json!(x)).unwrap());
        }

        #[test]
        fn star_matches_everything(s in "\\PC{0,30}") {
            prop_assert!(string_matches(&s, "*"));
            let escaped: String = s.chars().flat_map(|c| if c == '*' || c == '\\' { vec!['\\', c] } else { vec![c] }).collect();
            prop_assert!(string_matches(&s, &escaped));
        }

        #[test]
        fn never_panics(v in crate::asl::path::tests_support::arb_json(), pat in "\\PC{0,10}") {
            for op in [Comparison::StringMatches, Comparison::TimestampLessThan, Comparison::NumericGreaterThanEquals, Comparison::IsTimestamp] {
                let _ = eval(&rule(op, json!(pat)), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod doc_example_14 {
    // Moved from a doc example (the item is crate-private).
    #[test]
    fn example() {
        use crate::asl::{self, choice, Env};
        use serde_json::json;

        let def = asl::parse(&json!({
            "StartAt": "Route",
            "States": {
                "Route": { "Type": "Choice", "Choices": [
                    { "And": [
                        { "Variable": "$.kind", "StringMatches": "log-*" },
                        { "Variable": "$.size", "NumericGreaterThan": 10 } ],
                      "Next": "Big" } ],
                  "Default": "Small" },
                "Big": { "Type": "Succeed" },
                "Small": { "Type": "Succeed" }
            }
        }))
        .unwrap();
        let asl::StateKind::Choice(c) = &def.state("Route").unwrap().kind else {
            unreachable!()
        };
        let (big, small, ctx) = (
            json!({ "kind": "log-app", "size": 11 }),
            json!({ "kind": "metric", "size": 11 }),
            json!({}),
        );
        let next = |input| {
            choice::select_branch(c, &Env::new(input, &ctx))
                .unwrap()
                .map(|b| b.next.as_str())
                .or(c.default.as_deref())
        };
        assert_eq!(next(&big), Some("Big"));
        assert_eq!(next(&small), Some("Small"));
    }
}
