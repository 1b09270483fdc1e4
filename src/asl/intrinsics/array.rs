//! Array functions: `States.Array`, `States.ArrayPartition`, `States.ArrayContains`,
//! `States.ArrayRange`, `States.ArrayGetItem`, `States.ArrayLength` and `States.ArrayUnique`.

use serde_json::{json, Value};

use crate::asl::intrinsics::Args;
use crate::asl::{Env, StatesError};

/// `States.Array`.
pub(super) fn array(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    Ok(Value::Array(args.values))
}

/// `States.ArrayPartition`.
pub(super) fn array_partition(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(2)?;
    let a = args.array(0)?;
    let size = args.int(1)?;
    if size <= 0 {
        return Err(args.fail(format!(
            "the chunk size must be greater than 0, but was {size}"
        )));
    }
    Ok(Value::Array(
        a.chunks(size as usize)
            .map(|c| Value::Array(c.to_vec()))
            .collect(),
    ))
}

/// `States.ArrayContains`.
pub(super) fn array_contains(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(2)?;
    Ok(Value::Bool(args.array(0)?.contains(&args.values[1])))
}

/// `States.ArrayRange`.
pub(super) fn array_range(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(3)?;
    let (start, end, step) = (args.int(0)?, args.int(1)?, args.int(2)?);
    if step == 0 {
        return Err(args.fail("the step must not be 0"));
    }
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i <= end) || (step < 0 && i >= end) {
        out.push(json!(i));
        if out.len() > 1000 {
            return Err(args.fail("the range has more than 1000 elements"));
        }
        // Past the integers there is nothing more in the range.
        let Some(next) = i.checked_add(step) else {
            break;
        };
        i = next;
    }
    Ok(Value::Array(out))
}

/// `States.ArrayGetItem`.
pub(super) fn array_get_item(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(2)?;
    let a = args.array(0)?;
    let i = args.int(1)?;
    usize::try_from(i)
        .ok()
        .and_then(|i| a.get(i))
        .cloned()
        .ok_or_else(|| {
            args.fail(format!(
                "the index {i} is out of bounds for an array of {} items",
                a.len()
            ))
        })
}

/// `States.ArrayLength`.
pub(super) fn array_length(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(1)?;
    Ok(json!(args.array(0)?.len()))
}

/// `States.ArrayUnique`.
pub(super) fn array_unique(args: Args, _: &Env<'_>) -> Result<Value, StatesError> {
    args.count(1)?;
    let mut out: Vec<Value> = Vec::new();
    for v in args.array(0)? {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    Ok(Value::Array(out))
}
