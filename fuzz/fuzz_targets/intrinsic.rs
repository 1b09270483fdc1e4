//! An intrinsic function call and a JSON input (separated by a NUL byte): parsing and
//! evaluating never panic; failures are `States.IntrinsicFailure`-style errors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use serde_json::Value;
use sfn_harness::internals::{intrinsics, Env};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |b| *b == 0);
    let Some(Ok(call)) = parts.next().map(std::str::from_utf8) else {
        return;
    };
    let input: Value = parts
        .next()
        .and_then(|d| serde_json::from_slice(d).ok())
        .unwrap_or(Value::Null);
    let Ok(call) = intrinsics::parse(call) else {
        return;
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let _ = intrinsics::evaluate(&call, &Env::new(&input, &input).with_rng(&mut rng));
});
