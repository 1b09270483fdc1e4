//! Wait and Fail states: when a Wait ends, and what error and cause a Fail state fails with.

use serde_json::{json, Value};

use super::dataflow::{self, runtime};
use super::{Failure, Here, Run};
use crate::asl::jsonata::cause_unexpected_type;
use crate::asl::{Env, Fail, Seconds, StringOrPath, WaitFor};
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
                Some(StringOrPath::Expression(text)) => {
                    let st = dataflow::states(raw, &ctx, None, None);
                    match dataflow::jsonata_expression(here, text, field, &st)? {
                        Value::String(s) => Ok(Some(s)),
                        other => {
                            let source = dataflow::source(text);
                            Err(dataflow::query_error(
                                here,
                                field,
                                cause_unexpected_type(source, field, "string", &other),
                            ))
                        }
                    }
                }
                Some(StringOrPath::Path(expr)) => {
                    let template = json!({ format!("{field}.$"): expr });
                    let out =
                        dataflow::payload(here, &template, &format!("{field}Path"), raw, &ctx)?;
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
    pub(super) fn wait_deadline(
        &self,
        here: &Here<'_>,
        w: &WaitFor,
        input: &Value,
    ) -> Result<Millis, Failure> {
        let now = self.now();
        let parse_ts = |s: &str| -> Result<Millis, Failure> {
            s.parse::<jiff::Timestamp>()
                .map(|t| t.as_millisecond().max(0) as Millis)
                .map_err(|_| {
                    runtime(
                        here,
                        format!("The timestamp '{s}' is not a valid ISO-8601 timestamp"),
                    )
                })
        };
        match w {
            WaitFor::Seconds(s) => Ok(now + s * 1000),
            WaitFor::Expression { timestamp, text } => {
                let ctx = self.context(here, 0, None, None);
                let st = dataflow::states(input, &ctx, None, None);
                let field = if *timestamp { "Timestamp" } else { "Seconds" };
                let v = dataflow::jsonata_expression(here, text, field, &st)?;
                let source = dataflow::source(text);
                if *timestamp {
                    match v.as_str() {
                        Some(s) => s
                            .parse::<jiff::Timestamp>()
                            .ok()
                            .filter(|_| crate::asl::choice::timestamp(s).is_some())
                            .map(|t| t.as_millisecond().max(0) as Millis)
                            .ok_or_else(|| {
                                dataflow::query_error(
                                    here,
                                    field,
                                    format!("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {s}"),
                                )
                            }),
                        None => Err(dataflow::query_error(
                            here,
                            field,
                            cause_unexpected_type(source, field, "string", &v),
                        )),
                    }
                } else {
                    match v.as_u64() {
                        Some(n) => Ok(now + n * 1000),
                        None => Err(dataflow::query_error(
                            here,
                            field,
                            cause_unexpected_type(source, field, "number", &v),
                        )),
                    }
                }
            }
            WaitFor::Timestamp(ts) => parse_ts(ts),
            WaitFor::SecondsPath(p) => {
                let secs =
                    dataflow::seconds(here, &Seconds::Path(p.clone()), "SecondsPath", input)?;
                Ok(now + secs * 1000)
            }
            WaitFor::TimestampPath(p) => {
                let v = p
                    .read(&Env::new(input, &Value::Null).with_variables(here.vars))
                    .map_err(|_| {
                        runtime(
                            here,
                            format!("Invalid path '{p}': the path references no value"),
                        )
                    })?;
                match v.as_str() {
                    Some(s) => parse_ts(s),
                    None => Err(runtime(
                        here,
                        format!(
                            "The TimestampPath '{p}' must reference a string, but was {}",
                            json_text(&v)
                        ),
                    )),
                }
            }
        }
    }
}
