//! Slow paths call the runtime through the module's register-preserving
//! `_slow_<runtime function>` functions: a string subscript of text that
//! is not ASCII, a list that must grow, and freeing an object whose last
//! reference goes in a function with float locals (so a float live across
//! the free stays in its register); other functions free through the
//! runtime's `roast_rt_decref` directly. (That the programs still run
//! right, under valgrind, is the conformance suite's job:
//! `tier1/loop_calls_keep_lengths` frees in a float loop,
//! `tier1/err_char_codes` takes every slow path of a subscript.)

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
            symbols_ending(FLOATS, target, "_slow_roast_rt_decref"),
            ["roast_free__slow_roast_rt_decref"],
            "{target:?}"
        );
        assert!(
            symbols_ending(INTS, target, "_slow_roast_rt_decref").is_empty(),
            "{target:?}"
        );
        assert_eq!(
            symbols_ending(INTS, target, "roast_rt_decref"),
            ["roast_rt_decref"],
            "{target:?}"
        );
    }
}

const SUBSCRIPTS: &str = r#"
def same(s: str, t: str) -> int:
    n = 0
    for i in range(len(s)):
        if s[i] == t[i]:
            n += 1
        if s[-1 - i] < t[i]:
            n += 2
    return n


def squares(k: int) -> list[int]:
    out: list[int] = []
    for i in range(k):
        out.append(i * i)
    return out
"#;

#[test]
fn slow_paths_call_one_preserving_function_per_runtime_function() {
    for target in [None, Some("aarch64-unknown-linux-gnu")] {
        let mut slow = symbols_ending(SUBSCRIPTS, target, "");
        slow.retain(|s| s.contains("_slow_"));
        slow.sort();
        assert_eq!(
            slow,
            [
                "roast_free__slow_roast_rt_list_append",
                "roast_free__slow_roast_rt_str_ord_at"
            ],
            "{target:?}"
        );
    }
}
