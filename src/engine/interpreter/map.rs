//! Map states (inline): iterations on `MaxConcurrency` lanes; the first failure fails the state.

use std::sync::Mutex;

use futures_util::future::try_join_all;
use serde_json::Value;

use super::dataflow::{self, runtime};
use super::retry::Attempt;
use super::{Failure, Run};
use crate::asl::jsonata::cause_unexpected_type;
use crate::asl::{Env, Map, PathOrNull, QueryLanguage};
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
            (None, PathOrNull::Path(p)) => p
                .read(&Env::new(eff, &Value::Null).with_variables(here.vars))
                .map_err(|_| {
                    runtime(
                        here,
                        format!(
                            "Invalid path '{p}' : No results for path: {}",
                            p.normalized()
                        ),
                    )
                })?,
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
        let max = match &m.max_concurrency {
            Some(s) => dataflow::seconds(here, s, "MaxConcurrency", eff)? as usize,
            None => 0,
        };
        let started = self.emit(chain, Event::map_state_started(items.len()));
        let lanes = if max == 0 {
            items.len()
        } else {
            max.min(items.len())
        };
        let results: Vec<Mutex<Value>> = items.iter().map(|_| Mutex::new(Value::Null)).collect();
        let name = &here.state.name;
        let lane_futs = (0..lanes).map(|lane| {
            let items = &items;
            let results = &results;
            async move {
                let mut lane_chain = started;
                let mut index = lane;
                while index < items.len() {
                    let item = &items[index];
                    let input = match &m.item_selector {
                        Some(t) => {
                            let ctx = self.context(here, retries, None, Some((index, item)));
                            match dataflow::payload(here, t, "ItemSelector", eff, &ctx) {
                                Ok(v) => v,
                                Err(f) => return Err((f, lane_chain)),
                            }
                        }
                        None => item.clone(),
                    };
                    let mut iter_chain = lane_chain;
                    self.emit(&mut iter_chain, Event::map_iteration_started(index, name));
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
                    lane_chain = iter_chain;
                    index += lanes;
                }
                Ok(())
            }
        });
        let joined = try_join_all(lane_futs).await;
        let joined = joined
            .map(|_| Value::Array(results.into_iter().map(crate::sync::into_inner).collect()));
        self.join_fibers(joined, Event::map_state_succeeded(), chain)
    }
}
