//! The evaluation environment: everything a path, a payload template, an intrinsic function or a
//! Choice rule may read.
//!
//! Every evaluator in [`asl`](crate::asl) takes one `&Env` instead of positional arguments, so
//! what the language can see grows here, not at every call site: the state input (`$`), the
//! context object (`$$`), the workflow variables (`$name`; empty until `Assign` lands) and the
//! random source behind `States.UUID` and `States.MathRandom`. JSONata's `$states.result` and
//! `$states.errorOutput` will be further setters on this type.
//!
//! Example: the unit test `asl_env_10` in `src/tests/doc_examples.rs`.

use std::cell::RefCell;
use std::fmt;

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde_json::{Map, Value};

use crate::asl::StatesError;

/// What an evaluator reads: the state input, the context object, the workflow variables and a
/// random source. Build it with [`Env::new`] and the `with_…` setters; see the
/// [module docs](crate::internals) for an example.
///
/// ```
/// use sfn_harness::internals::{Env, Path};
/// use serde_json::json;
///
/// let (input, context) = (json!({ "order": 7 }), json!({ "Execution": { "Name": "run-1" } }));
/// let env = Env::new(&input, &context);
/// assert_eq!(Path::parse("$$.Execution.Name").unwrap().read(&env).unwrap(), json!("run-1"));
/// ```
pub struct Env<'a> {
    input: &'a Value,
    context: &'a Value,
    variables: Option<&'a Map<String, Value>>,
    rng: RefCell<Random<'a>>,
}

/// Where `States.UUID` and `States.MathRandom` draw from.
enum Random<'a> {
    /// Not asked for yet: seeded on first use.
    Unset,
    Borrowed(&'a mut dyn RngCore),
    Owned(Box<StdRng>),
}

/// The seed of the generator an [`Env`] uses when none was given with [`Env::with_rng`].
pub(crate) const DEFAULT_SEED: u64 = 0;

impl<'a> Env<'a> {
    /// An environment over the state input (`$…`) and the context object (`$$…`), with no
    /// variables. Without [`with_rng`](Env::with_rng), random functions draw from a generator
    /// seeded with `DEFAULT_SEED` (0), so their results are reproducible.
    ///
    /// ```
    /// use sfn_harness::internals::{Env, Path};
    /// use serde_json::json;
    ///
    /// let (input, context) = (json!({ "a": 1 }), json!({ "State": { "Name": "S" } }));
    /// let env = Env::new(&input, &context);
    /// assert_eq!(Path::parse("$.a").unwrap().read(&env).unwrap(), json!(1));
    /// assert_eq!(Path::parse("$$.State.Name").unwrap().read(&env).unwrap(), json!("S"));
    /// ```
    pub fn new(input: &'a Value, context: &'a Value) -> Self {
        Env {
            input,
            context,
            variables: None,
            rng: RefCell::new(Random::Unset),
        }
    }

    /// The same environment, drawing random values from `rng`.
    #[must_use]
    pub(crate) fn with_rng(mut self, rng: &'a mut dyn RngCore) -> Self {
        self.rng = RefCell::new(Random::Borrowed(rng));
        self
    }

    /// The same environment, with these workflow variables in scope (name → value).
    #[must_use]
    pub(crate) fn with_variables(mut self, variables: &'a Map<String, Value>) -> Self {
        self.variables = Some(variables);
        self
    }

    /// The state input, which `$…` paths read.
    pub(crate) fn input(&self) -> &'a Value {
        self.input
    }

    /// The context object, which `$$…` paths read.
    pub(crate) fn context(&self) -> &'a Value {
        self.context
    }

    /// The workflow variable `name`, if one is in scope.
    pub(crate) fn variable(&self, name: &str) -> Option<&'a Value> {
        self.variables.and_then(|v| v.get(name))
    }

    /// Runs `f` with the random source. Fails (instead of panicking) if called again from
    /// inside `f`, which no evaluator does.
    pub(crate) fn random<R>(
        &self,
        f: impl FnOnce(&mut dyn RngCore) -> R,
    ) -> Result<R, StatesError> {
        let mut slot = self
            .rng
            .try_borrow_mut()
            .map_err(|_| StatesError::intrinsic("the random source is already in use"))?;
        if matches!(*slot, Random::Unset) {
            *slot = Random::Owned(Box::new(StdRng::seed_from_u64(DEFAULT_SEED)));
        }
        Ok(match &mut *slot {
            Random::Borrowed(rng) => f(&mut **rng),
            Random::Owned(rng) => f(&mut **rng),
            // Replaced just above; a fresh generator with the same seed would be the same draw.
            Random::Unset => f(&mut StdRng::seed_from_u64(DEFAULT_SEED)),
        })
    }
}

impl fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env")
            .field("input", self.input)
            .field("context", self.context)
            .field("variables", &self.variables)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;
    use serde_json::json;

    #[test]
    fn without_an_rng_draws_are_reproducible() {
        let v = json!(null);
        let draw = || {
            Env::new(&v, &v)
                .random(|r| r.r#gen::<u64>())
                .expect("not borrowed")
        };
        assert_eq!(draw(), draw());
    }

    #[test]
    fn a_nested_draw_fails_instead_of_panicking() {
        let v = json!(null);
        let env = Env::new(&v, &v);
        let inner = env.random(|_| env.random(|_| ())).expect("outer is free");
        assert!(inner.is_err());
    }

    #[test]
    fn variables_are_looked_up_by_name() {
        let v = json!(null);
        let mut vars = Map::new();
        vars.insert("total".into(), json!(3));
        let env = Env::new(&v, &v).with_variables(&vars);
        assert_eq!(env.variable("total"), Some(&json!(3)));
        assert_eq!(env.variable("other"), None);
    }
}
