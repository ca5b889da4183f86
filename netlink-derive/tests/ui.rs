//! Compile errors of the derive, one mistake per file under `tests/ui/`,
//! each with its reviewed `.stderr`. Regenerate with `TRYBUILD=overwrite`
//! and read every change.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
