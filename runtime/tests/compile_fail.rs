//! `include_roast!` turns Roast errors into compile errors at the macro call
//! that show the Roast file, line, column and snippet (trybuild pins the
//! exact text in `tests/ui/*.stderr`).

#[test]
fn roast_errors_are_compile_errors() {
    // trybuild builds the cases in its own crate; point include_roast! at ours.
    std::env::set_var("ROAST_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"));
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
