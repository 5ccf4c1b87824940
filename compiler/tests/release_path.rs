//! Freeing an object whose last reference goes: a function with float
//! locals calls the module's `_release` function, which preserves every
//! register (so a float live across the free stays in its register), and
//! other functions call the runtime's `roast_rt_decref` directly. (That
//! the programs still run right, under valgrind, is the conformance
//! suite's job: `tier1/loop_calls_keep_lengths` frees in a float loop.)

use object::{Object, ObjectSymbol};
use roast_compiler::driver::{self, Source};

/// The names of the symbols of `text` compiled for `target` (`None`: the
/// host) whose names end with `suffix`.
fn symbols_ending(text: &str, target: Option<&str>, suffix: &str) -> Vec<String> {
    let compiled = driver::compile_object(&Source::new("free.roast", text), "roast_free_", target)
        .expect("compiles");
    let file = object::File::parse(&*compiled.object).expect("an object file");
    file.symbols()
        .filter_map(|s| s.name().ok().map(str::to_string))
        .filter(|n| n.ends_with(suffix))
        .collect()
}

const FLOATS: &str = r#"
def churn(xs: list[float]) -> float:
    total = 0.5
    for x in xs:
        scratch = [x, total]
        total += scratch[0] * 2.0
    return total
"#;

const INTS: &str = r#"
def churn(xs: list[int]) -> int:
    total = 1
    for x in xs:
        scratch = [x, total]
        total += scratch[0] * 2
    return total
"#;

#[test]
fn only_functions_with_floats_free_through_the_preserving_function() {
    for target in [None, Some("aarch64-unknown-linux-gnu")] {
        assert_eq!(
            symbols_ending(FLOATS, target, "_release"),
            ["roast_free__release"],
            "{target:?}"
        );
        assert!(
            symbols_ending(INTS, target, "_release").is_empty(),
            "{target:?}"
        );
        assert_eq!(
            symbols_ending(INTS, target, "roast_rt_decref"),
            ["roast_rt_decref"],
            "{target:?}"
        );
    }
}
