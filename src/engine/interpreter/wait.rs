//! Wait and Fail states: when a Wait ends, and what error and cause a Fail state fails with.

use serde_json::{json, Value};

use super::dataflow::{self, runtime};
use super::{Failure, Here, Run};
use crate::asl::intrinsics;
use crate::asl::path::Path;
use crate::asl::payload::not_found_cause;
use crate::asl::{Env, Fail, StringOrPath, WaitFor};
use crate::engine::history::json_text;
use crate::time::Millis;

impl Run {
    /// A Fail state's error and cause (literal, or from `ErrorPath`/`CausePath`).
    pub(super) fn fail_state(
        &self,
        here: &Here<'_>,
        f: &Fail,
        raw: &Value,
    ) -> Result<Failure, Failure> {
        let ctx = self.context(here, 0, None, None);
        let resolve = |v: &Option<StringOrPath>, field: &str| -> Result<Option<String>, Failure> {
            match v {
                None => Ok(None),
                Some(StringOrPath::Literal(s)) => Ok(Some(s.clone())),
                Some(StringOrPath::Path(expr)) if !intrinsics::is_intrinsic(expr) => {
                    // AWS names the field `CausePath`/`ErrorPath` when the path matches
                    // nothing (`scenarios.test_base_scenarios.test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_CAUSEPATH]`
                    // in ../shared/conformance/v2).
                    let path = Path::parse(expr).map_err(|e| runtime(here, e))?;
                    let doc = if path.is_context() { &ctx } else { raw };
                    let v = path.read(&Env::new(raw, &ctx)).map_err(|_| {
                        runtime(here, not_found_cause(expr, &format!("{field}Path"), doc))
                    })?;
                    match v {
                        Value::String(s) => Ok(Some(s)),
                        other => Err(runtime(
                            here,
                            format!(
                                "The {field}Path '{expr}' must resolve to a string, but was {}",
                                json_text(&other)
                            ),
                        )),
                    }
                }
                Some(StringOrPath::Path(expr)) => {
                    let template = json!({ format!("{field}.$"): expr });
                    let out = dataflow::payload(here, &template, raw, &ctx, &self.rng)?;
                    match &out[field] {
                        Value::String(s) => Ok(Some(s.clone())),
                        other => Err(runtime(
                            here,
                            format!(
                                "The {field}Path '{expr}' must resolve to a string, but was {}",
                                json_text(other)
                            ),
                        )),
                    }
                }
            }
        };
        Ok(Failure::named(
            resolve(&f.error, "Error")?,
            resolve(&f.cause, "Cause")?,
        ))
    }

    /// When a Wait state ends: `Seconds`, `Timestamp`, `SecondsPath` or `TimestampPath`.
    ///
    /// The causes of a bad `SecondsPath`/`TimestampPath` value, and the "delay is too long"
    /// bound (2^31 - 1 seconds from now), are AWS's as recorded in
    /// `../shared/conformance/v2/base.test_wait.*` and
    /// `scenarios.test_base_scenarios.test_wait_timestamp_path[*]`.
    pub(super) fn wait_deadline(
        &self,
        here: &Here<'_>,
        w: &WaitFor,
        input: &Value,
    ) -> Result<Millis, Failure> {
        let now = self.now();
        let deadline = match w {
            WaitFor::Seconds(s) => now.saturating_add(s.saturating_mul(1000)),
            WaitFor::Timestamp(ts) => parse_timestamp(ts).ok_or_else(|| {
                runtime(
                    here,
                    format!("The timestamp '{ts}' is not a valid ISO-8601 timestamp"),
                )
            })?,
            WaitFor::SecondsPath(p) => {
                let v = read_path(here, p, input)?;
                let secs = match v.as_u64() {
                    Some(secs) => secs,
                    None if v.as_i64().is_some() => {
                        return Err(runtime(
                            here,
                            format!(
                                "The SecondsPath parameter references a negative value: {p} == {}",
                                shown(&v)
                            ),
                        ))
                    }
                    _ => {
                        return Err(runtime(
                            here,
                            format!(
                            "The SecondsPath parameter cannot be parsed as a long value: {p} == {}",
                            shown(&v)
                        ),
                        ))
                    }
                };
                now.saturating_add(secs.saturating_mul(1000))
            }
            WaitFor::TimestampPath(p) => {
                let v = read_path(here, p, input)?;
                v.as_str().and_then(parse_timestamp).ok_or_else(|| {
                    runtime(
                        here,
                        format!(
                            "The TimestampPath parameter does not reference a valid ISO-8601 \
                             extended offset date-time format string: {p} == {}",
                            shown(&v)
                        ),
                    )
                })?
            }
        };
        if deadline.saturating_sub(now) / 1000 > MAX_WAIT_SECONDS {
            return Err(runtime(here, "Wait state delay is too long."));
        }
        Ok(deadline)
    }
}

/// The longest wait AWS accepts, in seconds from now: 2^31 - 1 (a timestamp 24,855 days ahead
/// waits, 24,856 days fails with "Wait state delay is too long.":
/// `base.test_wait.test_timestamp_too_far_in_future_boundary[24856]`).
const MAX_WAIT_SECONDS: u64 = i32::MAX as u64;

/// A value as AWS prints it after `==` in Wait causes: strings bare, anything else as JSON.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => json_text(other),
    }
}

fn read_path(here: &Here<'_>, p: &Path, input: &Value) -> Result<Value, Failure> {
    p.read(&Env::new(input, &Value::Null)).map_err(|_| {
        runtime(
            here,
            format!("Invalid path '{p}': the path references no value"),
        )
    })
}

/// An ISO-8601 extended offset date-time (`2016-03-14T01:59:00Z`, `…+02:00`, fractions
/// allowed), as Java's `ISO_OFFSET_DATE_TIME` reads it: the `T` separator and an offset are
/// required (AWS refuses `2016-12-05 21:29:29Z` and `2026-12-01T16:03:36`).
fn parse_timestamp(s: &str) -> Option<Millis> {
    if !matches!(s.as_bytes().get(10), Some(b'T' | b't')) {
        return None;
    }
    s.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond().max(0) as Millis)
}
