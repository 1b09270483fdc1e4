//! Compile errors of `#[sfn_harness::test]` used wrongly are clear (checked with trybuild).

#[test]
fn misuse_is_a_clear_compile_error() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
