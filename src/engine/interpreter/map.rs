//! Map states (inline): iterations on `MaxConcurrency` lanes; the first failure fails the state.
//! A distributed Map runs in `distributed.rs`.

use std::sync::Mutex;

use futures_util::future::try_join_all;
use serde_json::Value;

use super::dataflow::{self, runtime};
use super::retry::Attempt;
use super::{Failure, Here, Run};
use crate::asl::jsonata::cause_unexpected_type;
use crate::asl::{Env, Map, PathOrNull, QueryLanguage, Seconds};
use crate::engine::history::{json_text, Event};
use crate::sync::lock;

impl Run {
    /// One attempt of a Map state.
    pub(super) async fn map_attempt(
        &self,
        at: &Attempt<'_>,
        m: &Map,
        chain: &mut u64,
    ) -> Result<Value, Failure> {
        if let Some(d) = &m.distributed {
            return self.distributed_attempt(at, m, d, chain).await;
        }
        let Attempt { here, eff, .. } = *at;
        let items = self.map_items(at, m)?;
        let max = max_concurrency(here, m, eff)?;
        let started = self.emit(chain, Event::map_state_started(items.len()));
        let lanes = if max == 0 {
            items.len()
        } else {
            max.min(items.len())
        };
        let results: Vec<Mutex<Value>> = items.iter().map(|_| Mutex::new(Value::Null)).collect();
        let name = &here.state.name;
        let item_input = |index: usize| -> Result<Value, Failure> {
            self.item_input(at, m, index, &items[index])
        };
        // AWS writes the `MapIterationStarted` of every iteration that has a lane before any
        // of their states begins, each after `MapStateStarted`
        // (`timeouts.test_timeouts.test_service_lambda_map_timeout` in ../shared/conformance/v2:
        // events 4-7 are the four iterations' starts, 8 the first `TaskStateEntered`); a later
        // iteration starts when its lane is free, after the last event of the iteration before.
        let mut first = Vec::with_capacity(lanes);
        for index in 0..lanes {
            let input = item_input(index)?;
            let mut iter_chain = started;
            self.emit(&mut iter_chain, Event::map_iteration_started(index, name));
            first.push((input, iter_chain));
        }
        let lane_futs = first.into_iter().enumerate().map(|(lane, first)| {
            let results = &results;
            let item_input = &item_input;
            let items = &items;
            async move {
                let mut index = lane;
                let (mut input, mut iter_chain) = first;
                loop {
                    match self
                        .run_program(&m.processor, input, &mut iter_chain, here.vars.clone())
                        .await
                    {
                        Ok(v) => {
                            self.emit_after(
                                iter_chain,
                                Event::map_iteration_succeeded(index, name),
                            );
                            *lock(&results[index]) = v;
                        }
                        Err(f) => {
                            self.emit_after(iter_chain, Event::map_iteration_failed(index, name));
                            return Err((f, iter_chain));
                        }
                    }
                    index += lanes;
                    if index >= items.len() {
                        return Ok(());
                    }
                    input = match item_input(index) {
                        Ok(v) => v,
                        Err(f) => return Err((f, iter_chain)),
                    };
                    self.emit(&mut iter_chain, Event::map_iteration_started(index, name));
                }
            }
        });
        let joined = try_join_all(lane_futs).await;
        let joined = joined
            .map(|_| Value::Array(results.into_iter().map(crate::sync::into_inner).collect()));
        self.join_fibers(joined, Event::map_state_succeeded(), chain)
    }

    /// The items of a Map state: JSONata `Items`, or `ItemsPath` over the effective input; AWS's
    /// errors when they are no array.
    pub(super) fn map_items(&self, at: &Attempt<'_>, m: &Map) -> Result<Vec<Value>, Failure> {
        let Attempt { here, eff, retries } = *at;
        let items = match (&m.items, &m.items_path) {
            (Some(t), _) => {
                let ctx = self.context(here, retries, None, None);
                let st = dataflow::states(eff, &ctx, None, None);
                let v = dataflow::jsonata(here, t, "Items", &st)?;
                if !v.is_array() {
                    let source = match t {
                        Value::String(s) => dataflow::source(s),
                        _ => "",
                    };
                    return Err(dataflow::query_error(
                        here,
                        "Items",
                        cause_unexpected_type(source, "Items", "array", &v),
                    ));
                }
                v
            }
            (None, PathOrNull::Default | PathOrNull::Null) => eff.clone(),
            (None, PathOrNull::Path(p)) => dataflow::read_path(here, p, eff, &Value::Null)?,
        };
        let Value::Array(items) = items else {
            if here.state.query_language == QueryLanguage::Jsonata {
                // AWS: `States.QueryEvaluationError`, an `EvaluationFailed` without a location
                // (`scenarios.test_base_scenarios.test_map_state_items_input_types[*]`).
                let mut f = dataflow::query_error(
                    here,
                    "",
                    format!(
                        "Map state input must be an array but was: {}",
                        json_text(&items)
                    ),
                );
                f.evaluation = Some(None);
                return Err(f);
            }
            return Err(runtime(
                here,
                format!(
                    "Item path '{}' must point to a JSON array, but it points to {}",
                    match &m.items_path {
                        PathOrNull::Path(p) => p.to_string(),
                        _ => "$".into(),
                    },
                    json_text(&items)
                ),
            ));
        };
        Ok(items)
    }

    /// The input of the iteration over `items[index]`: the item, or `ItemSelector` over it.
    pub(super) fn item_input(
        &self,
        at: &Attempt<'_>,
        m: &Map,
        index: usize,
        item: &Value,
    ) -> Result<Value, Failure> {
        let Attempt { here, eff, retries } = *at;
        match &m.item_selector {
            Some(t) => {
                let ctx = self.context(here, retries, None, Some((index, item)));
                dataflow::payload(here, t, "ItemSelector", eff, &ctx)
            }
            None => Ok(item.clone()),
        }
    }
}

/// A Map state's `MaxConcurrency` (0: no limit), literal or read by `MaxConcurrencyPath`.
///
/// AWS's cause for a value that is no integer is
/// `The MaxConcurrencyPath field refers to value "<value>" which is not a valid integer: <path>`
/// (`scenarios.test_base_scenarios.test_max_concurrency_path[NoNumber]` and
/// `[max_concurrency_value0]`, an object, in ../shared/conformance/v2).
pub(super) fn max_concurrency(here: &Here<'_>, m: &Map, eff: &Value) -> Result<usize, Failure> {
    match &m.max_concurrency {
        Some(Seconds::Path(p)) => {
            let v = p
                .read(&Env::new(eff, &Value::Null).with_variables(here.vars))
                .map_err(|_| {
                    runtime(
                        here,
                        format!("Invalid path '{p}': the path references no value"),
                    )
                })?;
            let shown = match &v {
                Value::String(s) => s.clone(),
                other => json_text(other),
            };
            // AWS takes a numeric string too (a variable assigned "1":
            // `test_reference_in_map_state[MAP_STATE_REFERENCE_IN_MAX_CONCURRENCY_PATH]`).
            let n = match &v {
                Value::String(s) => s.parse::<u64>().ok(),
                other => other.as_u64(),
            };
            n.map(|n| n as usize).ok_or_else(|| {
                runtime(
                    here,
                    format!(
                        "The MaxConcurrencyPath field refers to value \"{shown}\" which is not a valid integer: {p}"
                    ),
                )
            })
        }
        Some(s) => Ok(dataflow::seconds(here, s, "MaxConcurrency", eff)? as usize),
        None => Ok(0),
    }
}
