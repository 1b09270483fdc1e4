//! An intrinsic function call and a JSON input (separated by a NUL byte): parsing and
//! evaluating never panic; failures are `States.IntrinsicFailure`-style errors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sfn_harness::internals::{evaluate_intrinsic, parse_intrinsic, Env};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |b| *b == 0);
    let Some(Ok(call)) = parts.next().map(std::str::from_utf8) else {
        return;
    };
    let input: Value = parts
        .next()
        .and_then(|d| serde_json::from_slice(d).ok())
        .unwrap_or(Value::Null);
    let Ok(call) = parse_intrinsic(call) else {
        return;
    };
    // Random functions draw from the environment's default seeded generator.
    let _ = evaluate_intrinsic(&call, &Env::new(&input, &input));
});
