//! The JSONata reference test suite (jsonata-js 2.0.6, the version AWS runs), run through
//! `sfn_harness::internals` (`Expression`, `Host`).
//!
//! Cases live in `../shared/jsonata-test-suite` (not copied into the project). A case passes
//! when our result equals the expected one exactly (numbers compared by value, so `2` and
//! `2.0` are equal as in JavaScript), when it expects undefined and we return undefined, or
//! when it expects an error code and our error has that code. Fair-harness mappings (from the
//! engine evaluation note): a case's `timelimit` and `depth` become our `Limits`, and
//! jsonata-js's runner reports both limits as U1001, which our D1011 (depth) and D1012 (time)
//! match. jsonata-js has no time or sequence limit of its own, so cases without a `timelimit`
//! run with a generous one, and the sequence cap is raised to the range operator's 10^7.
//!
//! Cases that call `$eval`: AWS does not offer `$eval`, and our module refuses it (T1006) as
//! AWS does. Such a case counts as passing when we refuse it that way, and is listed
//! separately. The two cases with lone surrogates (which no Rust string can hold) are skipped
//! and named.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sfn_harness::internals::{Expression, Host, JsonataError};

const SUITE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/jsonata-test-suite");
const REQUIRED: usize = 1620;

struct Case {
    name: String,
    body: Value,
}

fn load_cases(root: &Path) -> Vec<Case> {
    let mut groups: Vec<PathBuf> = std::fs::read_dir(root.join("groups"))
        .unwrap_or_else(|e| panic!("cannot read {}/groups: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    groups.sort();
    let mut cases = Vec::new();
    for group in groups {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&group)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", group.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            let stem = format!(
                "{}/{}",
                group.file_name().unwrap_or_default().to_string_lossy(),
                file.file_stem().unwrap_or_default().to_string_lossy()
            );
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Array(items)) => {
                    for (i, body) in items.into_iter().enumerate() {
                        cases.push(Case {
                            name: format!("{stem}[{i}]"),
                            body,
                        });
                    }
                }
                Ok(body) => cases.push(Case { name: stem, body }),
                // serde_json refuses lone surrogates ("\uD800"): no Rust string can hold one.
                Err(e) if text.contains("\\uD8") || text.contains("\\ud8") => cases.push(Case {
                    name: stem,
                    body: Value::String(format!("lone surrogate: {e}")),
                }),
                Err(e) => panic!("{}: {e}", file.display()),
            }
        }
    }
    cases
}

/// Deep equality with numbers compared as f64 (JavaScript has one number type). Iterative.
fn same(a: &Value, b: &Value) -> bool {
    let mut stack = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                if x.as_f64() != y.as_f64() {
                    return false;
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                stack.extend(x.iter().zip(y.iter()));
            }
            (Value::Object(x), Value::Object(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                for (k, v) in x {
                    match y.get(k) {
                        Some(w) => stack.push((v, w)),
                        None => return false,
                    }
                }
            }
            (x, y) => {
                if x != y {
                    return false;
                }
            }
        }
    }
    true
}

enum Outcome {
    Pass,
    PassRefusedEval,
    Fail(String),
}

fn run_case(root: &Path, case: &Case) -> Outcome {
    let body = &case.body;
    let expr_text = match (body.get("expr"), body.get("expr-file")) {
        (Some(Value::String(e)), _) => e.clone(),
        (_, Some(Value::String(f))) => {
            let group = case.name.split('/').next().unwrap_or_default();
            match std::fs::read_to_string(root.join("groups").join(group).join(f)) {
                Ok(t) => t,
                Err(e) => return Outcome::Fail(format!("cannot read expr-file {f}: {e}")),
            }
        }
        _ => return Outcome::Fail("no expr".into()),
    };
    let data: Option<Value> = match (body.get("data"), body.get("dataset")) {
        (Some(d), _) => Some(d.clone()),
        (None, Some(Value::String(ds))) => {
            let path = root.join("datasets").join(format!("{ds}.json"));
            match std::fs::read_to_string(&path).map(|t| serde_json::from_str(&t)) {
                Ok(Ok(v)) => Some(v),
                _ => return Outcome::Fail(format!("cannot read dataset {ds}")),
            }
        }
        _ => None,
    };
    let bindings: Vec<(String, Value)> = match body.get("bindings") {
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Vec::new(),
    };
    // jsonata-js reads the system clock ($toMillis fills missing date parts from it, and
    // jsonata-core does the same), so the host clock is the real one here. jsonata-js has no
    // time limit of its own: cases without `timelimit` get a generous one (debug builds are
    // slow), not the 1 s default.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let mut host = Host::new(now_ms, 1);
    host.limits.timeout_ms = 60_000;
    // Nor a sequence cap (the range operator's own is 10^7, which two cases reach).
    host.limits.max_sequence_length = 10_000_000;
    if let Some(t) = body.get("timelimit").and_then(Value::as_u64) {
        host.limits.timeout_ms = t;
    }
    if let Some(d) = body.get("depth").and_then(Value::as_u64) {
        host.limits.max_depth = usize::try_from(d).ok();
    }
    let refs: Vec<(&str, &Value)> = bindings.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let got: Result<Option<Value>, JsonataError> =
        Expression::parse(&expr_text).and_then(|e| e.evaluate(data.as_ref(), &refs, &mut host));

    let uses_eval = expr_text.contains("$eval");
    if uses_eval {
        if let Err(e) = &got {
            if e.code() == Some("T1006") {
                return Outcome::PassRefusedEval;
            }
        }
    }
    let describe = |g: &Result<Option<Value>, JsonataError>| match g {
        Ok(Some(v)) => format!("value {v}"),
        Ok(None) => "undefined".to_string(),
        Err(e) => format!("error {:?}: {e}", e.code()),
    };
    let code = body
        .get("code")
        .or_else(|| body.get("error").and_then(|e| e.get("code")))
        .and_then(Value::as_str);
    if let Some(code) = code {
        let ok = match &got {
            // jsonata-js's suite runner reports both its time box and its depth box as U1001;
            // jsonata-core says D1012 (time), D1011 (depth) or U1001 (its own depth cap).
            Err(e) => {
                e.code() == Some(code)
                    || (code == "U1001" && matches!(e.code(), Some("D1011" | "D1012")))
                    || (matches!(code, "D1011" | "D1012") && e.code() == Some("U1001"))
            }
            _ => false,
        };
        return if ok {
            Outcome::Pass
        } else {
            Outcome::Fail(format!("expected {code}, got {}", describe(&got)))
        };
    }
    if body.get("undefinedResult").and_then(Value::as_bool) == Some(true) {
        return match got {
            Ok(None) => Outcome::Pass,
            other => Outcome::Fail(format!("expected undefined, got {}", describe(&other))),
        };
    }
    if let Some(expected) = body.get("result") {
        return match &got {
            Ok(Some(v)) if same(v, expected) => Outcome::Pass,
            other => Outcome::Fail(format!("expected {expected}, got {}", describe(other))),
        };
    }
    Outcome::Fail("case has no result, undefinedResult or code".into())
}

fn run_suite() {
    let root = PathBuf::from(SUITE);
    assert!(
        root.join("groups").is_dir(),
        "the JSONata reference suite is missing: expected jsonata-js 2.0.6's test-suite at {} \
         (groups/, datasets/)",
        root.display()
    );
    let cases = load_cases(&root);
    let total = cases.len();
    let mut passed = 0;
    let mut refused_eval = Vec::new();
    let mut skipped = Vec::new();
    let mut failures = Vec::new();
    for case in &cases {
        if let Value::String(why) = &case.body {
            skipped.push(format!("{} ({why})", case.name));
            continue;
        }
        match run_case(&root, case) {
            Outcome::Pass => passed += 1,
            Outcome::PassRefusedEval => {
                passed += 1;
                refused_eval.push(case.name.clone());
            }
            Outcome::Fail(why) => failures.push(format!("{}: {why}", case.name)),
        }
    }
    println!("{passed} of {total} passed");
    println!(
        "  of which {} pass because $eval is refused as AWS refuses it: {}",
        refused_eval.len(),
        refused_eval.join(", ")
    );
    println!("  skipped {} (lone surrogates):", skipped.len());
    for s in &skipped {
        println!("    {s}");
    }
    println!("  {} failed:", failures.len());
    for f in &failures {
        println!("    {f}");
    }
    assert!(
        passed >= REQUIRED,
        "only {passed} of {total} reference cases passed (need {REQUIRED}); failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn jsonata_reference_suite() {
    // Deep cases (tail recursion, deep values) want more stack than a test thread's 2 MiB.
    let worker = std::thread::Builder::new()
        .name("jsonata-suite".into())
        .stack_size(256 * 1024 * 1024)
        .spawn(run_suite)
        .unwrap_or_else(|e| panic!("cannot start the suite thread: {e}"));
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
}
