//! A reference path and a JSON document (separated by a NUL byte): parsing, reading and writing
//! never panic, and a value written at a definite path reads back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sfn_harness::internals::{Env, Path};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |b| *b == 0);
    let (Some(path), Some(doc)) = (parts.next(), parts.next()) else {
        return;
    };
    let (Ok(path), Ok(doc)) = (
        std::str::from_utf8(path),
        serde_json::from_slice::<Value>(doc),
    ) else {
        return;
    };
    let Ok(path) = Path::parse(path) else {
        return;
    };
    let _ = path.read(&Env::new(&doc, &doc));
    let marker = Value::String("fuzz-marker".into());
    if let Ok(written) = path.set(doc.clone(), marker.clone()) {
        if path.is_definite() && !path.is_context() {
            if let Ok(read) = path.read(&Env::new(&written, &Value::Null)) {
                assert_eq!(
                    read,
                    marker,
                    "wrote at {} and read back something else",
                    path.as_str()
                );
            }
        }
    }
});
