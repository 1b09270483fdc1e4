//! Math functions: `States.MathRandom` and `States.MathAdd`.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use crate::asl::intrinsics::Args;
use crate::asl::{Env, StatesError};

/// `States.MathRandom`.
pub(super) fn math_random(args: Args, env: &Env<'_>) -> Result<Value, StatesError> {
    if !(2..=3).contains(&args.values.len()) {
        return Err(args.fail(format!(
            "expected 2 or 3 arguments but got {}",
            args.values.len()
        )));
    }
    // AWS accepts numbers with a fraction here (`States.MathRandom(12.5, 44.51)` succeeds:
    // `intrinsic_functions.test_math_operations.test_math_random.exec_hist_resp_0` in
    // ../shared/conformance/v2); they are rounded as `States.MathAdd` rounds its arguments.
    let (start, end) = (rounded(&args, 0)?, rounded(&args, 1)?);
    if start >= end {
        return Err(args.fail("the start must be less than the end"));
    }
    let value = if args.values.len() == 3 {
        let seed = args.int(2)?;
        StdRng::seed_from_u64(seed as u64).gen_range(start..end)
    } else {
        // `start < end`, so the span fits in a u64 and start + offset in an i64.
        let span = end.abs_diff(start);
        start.wrapping_add_unsigned(env.random(|rng| rng.next_u64())? % span)
    };
    Ok(json!(value))
}

/// `States.MathAdd`.
pub(super) fn math_add(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(2)?;
    let sum = rounded(&args, 0)?
        .checked_add(rounded(&args, 1)?)
        .ok_or_else(|| args.fail("the sum overflows"))?;
    Ok(json!(sum))
}

/// Argument `i` as an integer: integers as they are, other numbers rounded half up.
fn rounded(args: &Args, i: usize) -> Result<i64, StatesError> {
    let v = &args.values[i];
    v.as_i64()
        .or_else(|| v.as_f64().map(|f| (f + 0.5).floor() as i64))
        .ok_or_else(|| args.fail(format!("argument {} must be a number, but was {v}", i + 1)))
}
