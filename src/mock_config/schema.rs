//! Reading a MockConfigFile document, with errors that name the place in the document (a JSON
//! path such as `$.MockedResponses.R["1-2"].Throw.Error`) and what is wrong there.
//!
//! Step Functions Local answers a bad file with a plain 500 at StartExecution; sfn-harness
//! refuses it when it is loaded.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::responses::{Mocked, MockedEntry, MockedResponse};
use super::{MockConfig, MockConfigError, TestCase};

fn err(path: &str, message: impl Into<String>) -> MockConfigError {
    MockConfigError::Invalid {
        path: path.to_string(),
        message: message.into(),
    }
}

/// `path` extended by the member `key` (dot form for plain names, bracket form otherwise).
fn member(path: &str, key: &str) -> String {
    let plain = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_string()))
    }
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, MockConfigError> {
    v.as_object()
        .ok_or_else(|| err(path, format!("must be an object, not {}", kind(v))))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses a whole document.
pub(super) fn parse(doc: &Value) -> Result<MockConfig, MockConfigError> {
    let root = object(doc, "$")?;
    for k in root.keys() {
        if k != "StateMachines" && k != "MockedResponses" {
            return Err(err(
                &member("$", k),
                "is not a field of a mock configuration (StateMachines, MockedResponses)",
            ));
        }
    }
    let mut responses = HashMap::new();
    if let Some(r) = root.get("MockedResponses") {
        for (name, v) in object(r, "$.MockedResponses")? {
            let path = member("$.MockedResponses", name);
            responses.insert(name.clone(), Arc::new(response(v, &path)?));
        }
    }
    let mut machines = HashMap::new();
    if let Some(m) = root.get("StateMachines") {
        for (machine, v) in object(m, "$.StateMachines")? {
            let mpath = member("$.StateMachines", machine);
            let mo = object(v, &mpath)?;
            for k in mo.keys() {
                if k != "TestCases" {
                    return Err(err(
                        &member(&mpath, k),
                        "is not a field of a state machine's mock configuration (TestCases)",
                    ));
                }
            }
            let mut cases = HashMap::new();
            if let Some(tc) = mo.get("TestCases") {
                let tpath = member(&mpath, "TestCases");
                for (case, states) in object(tc, &tpath)? {
                    let cpath = member(&tpath, case);
                    let mut mocked = HashMap::new();
                    for (state, r) in object(states, &cpath)? {
                        let spath = member(&cpath, state);
                        let name = r.as_str().ok_or_else(|| {
                            err(
                                &spath,
                                format!("must name a mocked response, not {}", kind(r)),
                            )
                        })?;
                        let resp = responses.get(name).ok_or_else(|| {
                            err(
                                &spath,
                                format!("names the mocked response '{name}', which $.MockedResponses does not define"),
                            )
                        })?;
                        mocked.insert(state.clone(), (name.to_string(), resp.clone()));
                    }
                    cases.insert(
                        case.clone(),
                        Arc::new(TestCase {
                            name: case.clone(),
                            states: mocked,
                        }),
                    );
                }
            }
            machines.insert(machine.clone(), cases);
        }
    }
    Ok(MockConfig { machines })
}

/// An invocation key: `"3"` or `"1-2"`.
fn range(key: &str, path: &str) -> Result<(u64, u64), MockConfigError> {
    let num = |s: &str| -> Result<u64, MockConfigError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                path,
                format!(
                    "'{key}' is not an invocation number (\"0\") or an inclusive range (\"1-2\")"
                ),
            ));
        }
        s.parse()
            .map_err(|_| err(path, format!("'{key}' is too large an invocation number")))
    };
    match key.split_once('-') {
        None => {
            let n = num(key)?;
            Ok((n, n))
        }
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            if a > b {
                return Err(err(
                    path,
                    format!("the range '{key}' ends before it starts"),
                ));
            }
            Ok((a, b))
        }
    }
}

fn response(v: &Value, path: &str) -> Result<MockedResponse, MockConfigError> {
    let o = object(v, path)?;
    let mut ranges = Vec::new();
    for (key, e) in o {
        let epath = member(path, key);
        let (a, b) = range(key, &epath)?;
        ranges.push((a, b, key.clone(), entry(e, &epath)?));
    }
    ranges.sort_by_key(|r| r.0);
    let mut next = 0;
    let mut out = Vec::new();
    for (a, b, key, e) in ranges {
        if a < next {
            return Err(err(
                &member(path, &key),
                format!("the invocations of '{key}' overlap an earlier key's (invocation {a} has two responses)"),
            ));
        }
        if a > next {
            return Err(err(
                &member(path, &key),
                format!(
                    "the invocations must be numbered consecutively from 0: '{key}' starts at {a}, but invocation {next} has no response"
                ),
            ));
        }
        next = b + 1;
        out.push((a, b, e));
    }
    Ok(MockedResponse { ranges: out })
}

fn entry(v: &Value, path: &str) -> Result<MockedEntry, MockConfigError> {
    let o = object(v, path)?;
    let mut answer = None;
    let mut after_ms = 0;
    let mut answered_by_worker = false;
    for (k, x) in o {
        let kpath = member(path, k);
        match k.as_str() {
            "Return" => answer = Some(Mocked::Return(x.clone())),
            "Throw" => {
                let t = object(x, &kpath)?;
                let text = |f: &str| -> Result<String, MockConfigError> {
                    match t.get(f) {
                        Some(Value::String(s)) => Ok(s.clone()),
                        Some(other) => Err(err(
                            &member(&kpath, f),
                            format!("must be a string, not {}", kind(other)),
                        )),
                        None => Err(err(&kpath, format!("needs '{f}'"))),
                    }
                };
                for f in t.keys() {
                    if f != "Error" && f != "Cause" {
                        return Err(err(
                            &member(&kpath, f),
                            "is not a field of Throw (Error, Cause)",
                        ));
                    }
                }
                answer = Some(Mocked::Throw {
                    error: text("Error")?,
                    cause: text("Cause")?,
                });
            }
            "AfterMs" => {
                after_ms = x
                    .as_u64()
                    .ok_or_else(|| err(&kpath, "must be a non-negative integer (milliseconds)"))?;
            }
            "AnsweredByWorker" => {
                answered_by_worker = x
                    .as_bool()
                    .ok_or_else(|| err(&kpath, format!("must be true or false, not {}", kind(x))))?;
            }
            _ => {
                return Err(err(
                    &kpath,
                    "is not a field of a mocked response (Return, Throw; sfn-harness adds AfterMs, AnsweredByWorker)",
                ))
            }
        }
    }
    if o.contains_key("Return") && o.contains_key("Throw") {
        return Err(err(
            path,
            "has both Return and Throw; a response is one of them",
        ));
    }
    let answer = answer.ok_or_else(|| err(path, "needs Return or Throw"))?;
    if answered_by_worker && !o.contains_key("Return") {
        return Err(err(
            path,
            "says AnsweredByWorker, which needs a Return (the service's answer to the submission)",
        ));
    }
    Ok(MockedEntry {
        answer,
        after_ms,
        answered_by_worker,
    })
}
