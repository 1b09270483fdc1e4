//! Procedural macros for `sfn-harness`. The `#[sfn_harness::test]` attribute arrives with the
//! harness (see the crate README).
