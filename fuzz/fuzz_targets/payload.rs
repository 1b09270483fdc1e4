//! A payload template (`Parameters`, `ResultSelector`, …) and an input, as two JSON documents
//! separated by a NUL byte: evaluation never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sfn_harness::internals::{evaluate_payload, Env};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |b| *b == 0);
    let (Some(t), Some(i)) = (parts.next(), parts.next()) else {
        return;
    };
    let (Ok(template), Ok(input)) = (
        serde_json::from_slice::<Value>(t),
        serde_json::from_slice::<Value>(i),
    ) else {
        return;
    };
    // Random functions draw from the environment's default seeded generator.
    let _ = evaluate_payload(&template, &Env::new(&input, &input));
});
