//! Every run-time check raises CPython's exception with its message at the
//! Roast source position of the failing operation, through `roastc run` and
//! through the build.rs route's `try_` functions alike. Each case names the
//! function in `roast/checks.roast` that fails, the exception line expected
//! (CPython's, except for the documented 64-bit overflow deviation), and a
//! snippet of the failing line: the expected position is where the snippet
//! starts in the source, found by the test, not typed by hand.

use std::path::Path;
use std::process::Command;

mod checks_lib {
    roast::include_bindings!("checks");
}
use checks_lib::checks;

const OVERFLOW: &str = "OverflowError: int result out of 64-bit range";

/// `(function, expected last line, snippet at the failing operation)`.
const CASES: &[(&str, &str, &str)] = &[
    ("add_overflow", OVERFLOW, "BIG + 1"),
    ("mul_overflow", OVERFLOW, "x * x"),
    ("neg_overflow", OVERFLOW, "-(-BIG - 1)"),
    ("shift_overflow", OVERFLOW, "1 << 64"),
    ("pow_overflow", OVERFLOW, "10 ** 19"),
    ("sum_overflow", OVERFLOW, "sum([BIG, 1])"),
    (
        "int_div_zero",
        "ZeroDivisionError: integer division or modulo by zero",
        "7 // n",
    ),
    (
        "int_mod_zero",
        "ZeroDivisionError: integer modulo by zero",
        "7 % n",
    ),
    (
        "float_div_zero",
        "ZeroDivisionError: float division by zero",
        "1.5 / z",
    ),
    (
        "float_mod_zero",
        "ZeroDivisionError: float modulo",
        "1.5 % z",
    ),
    ("list_index", "IndexError: list index out of range", "xs[3]"),
    (
        "list_assign",
        "IndexError: list assignment index out of range",
        "xs[-2]",
    ),
    ("pop_empty", "IndexError: pop from empty list", "xs.pop()"),
    (
        "str_index",
        "IndexError: string index out of range",
        "s[10]",
    ),
    ("key_lookup", "KeyError: 'b'", "d[\"b\"]"),
    ("key_delete", "KeyError: 2", "d[2]"),
    (
        "int_parse",
        "ValueError: invalid literal for int() with base 10: 'x2'",
        "int(\"x2\")",
    ),
    (
        "float_parse",
        "ValueError: could not convert string to float: '1.2.3'",
        "float(\"1.2.3\")",
    ),
    (
        "remove_missing",
        "ValueError: list.remove(x): x not in list",
        "xs.remove(5)",
    ),
    (
        "slice_step_zero",
        "ValueError: slice step cannot be zero",
        "\"abc\"[::0]",
    ),
    (
        "unpack_short",
        "ValueError: not enough values to unpack (expected 2, got 1)",
        "a, b",
    ),
    (
        "chr_range",
        "ValueError: chr() arg not in range(0x110000)",
        "chr(1114112)",
    ),
    (
        "recursion",
        "RecursionError: maximum recursion depth exceeded",
        "def deep",
    ),
    ("assertion", "AssertionError: x is 3", "assert x < 2"),
    (
        "tuple_items_div_zero",
        "ZeroDivisionError: integer division or modulo by zero",
        "7 // n",
    ),
    (
        "dict_changed",
        "RuntimeError: dictionary changed size during iteration",
        "d:",
    ),
];

fn source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("roast/checks.roast");
    std::fs::read_to_string(path).expect("checks.roast")
}

/// `(line, column)`, 1-based, of `snippet` inside function `func`.
fn position(src: &str, func: &str, snippet: &str) -> (u32, u32) {
    let def = format!("def {func}(");
    let start = src.find(&def).expect("function exists");
    let body_start = if snippet.starts_with("def ") {
        0
    } else {
        start
    };
    let at = body_start
        + src[body_start..]
            .find(snippet)
            .expect("snippet in function");
    let line = src[..at].matches('\n').count() as u32 + 1;
    let col = src[..at].rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
    (line, col)
}

fn call(func: &str) -> Result<(), roast::Error> {
    match func {
        "add_overflow" => checks::try_add_overflow().map(drop),
        "mul_overflow" => checks::try_mul_overflow().map(drop),
        "neg_overflow" => checks::try_neg_overflow().map(drop),
        "shift_overflow" => checks::try_shift_overflow().map(drop),
        "pow_overflow" => checks::try_pow_overflow().map(drop),
        "sum_overflow" => checks::try_sum_overflow().map(drop),
        "int_div_zero" => checks::try_int_div_zero().map(drop),
        "int_mod_zero" => checks::try_int_mod_zero().map(drop),
        "float_div_zero" => checks::try_float_div_zero().map(drop),
        "float_mod_zero" => checks::try_float_mod_zero().map(drop),
        "list_index" => checks::try_list_index().map(drop),
        "list_assign" => checks::try_list_assign(),
        "pop_empty" => checks::try_pop_empty().map(drop),
        "str_index" => checks::try_str_index().map(drop),
        "key_lookup" => checks::try_key_lookup().map(drop),
        "key_delete" => checks::try_key_delete(),
        "int_parse" => checks::try_int_parse().map(drop),
        "float_parse" => checks::try_float_parse().map(drop),
        "remove_missing" => checks::try_remove_missing(),
        "slice_step_zero" => checks::try_slice_step_zero().map(drop),
        "unpack_short" => checks::try_unpack_short().map(drop),
        "chr_range" => checks::try_chr_range().map(drop),
        "recursion" => checks::try_recursion().map(drop),
        "assertion" => checks::try_assertion(),
        "tuple_items_div_zero" => checks::try_tuple_items_div_zero().map(drop),
        "dict_changed" => checks::try_dict_changed(),
        other => panic!("no binding for {other}"),
    }
}

#[test]
fn every_check_raises_with_its_location_through_rust() {
    let src = source();
    for (func, expected, snippet) in CASES {
        let e = call(func).expect_err(func);
        assert_eq!(e.python_line(), *expected, "{func}");
        let (line, col) = position(&src, func, snippet);
        assert_eq!(
            (e.location().line(), e.location().col()),
            (line, col),
            "{func}: {e}"
        );
        assert!(e.location().file().ends_with("checks.roast"), "{func}: {e}");
    }
}

/// A function returning a tuple's items reaches Rust as a tuple: three
/// ints (more than the return registers hold) and five mixed items.
/// Expected values worked out by hand: 240 * -9 + 46 * 47 = 2 = gcd, and
/// the mean of [2.5, -1.0, 4.0, 0.5] is 6.0 / 4 = 1.5.
#[test]
fn tuple_items_cross_into_rust() {
    assert_eq!(checks::egcd(240, 46), (2, -9, 47));
    assert_eq!(checks::egcd(7, 0), (7, 1, 0));
    assert_eq!(
        checks::summary(&[2.5, -1.0, 4.0, 0.5]),
        (4, 1.5, -1.0, 4.0, true)
    );
    assert_eq!(checks::summary(&[1.0, 2.0]), (2, 1.5, 1.0, 2.0, false));
    let e = checks::try_summary(&[]).expect_err("min() of an empty list");
    assert_eq!(
        e.python_line(),
        "ValueError: min() arg is an empty sequence"
    );
}

/// Tuples a function takes as its items arrive from Rust as tuples: the
/// export unboxes them (`scale`, `parity_count`), and one the function
/// uses whole (`p` of `described`) stays a tuple next to one taken as
/// items (`q`). Expected values worked out by hand.
#[test]
fn tuples_taken_as_items_cross_from_rust() {
    assert_eq!(checks::scale((1.5, -2.0), 2.0), (3.0, -4.0));
    assert_eq!(checks::described((1, 2), (3, 4)), "(1, 2) 7");
    assert_eq!(checks::parity_count((true, false, true), 10), 12);
}

fn roastc() -> Option<std::path::PathBuf> {
    let exe = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/roastc");
    exe.exists().then_some(exe)
}

#[test]
fn every_check_raises_with_its_location_through_roastc_and_cpython_agrees() {
    let Some(roastc) = roastc() else {
        eprintln!("target/debug/roastc not built: skipping (cargo test --workspace builds it)");
        return;
    };
    let src = source();
    let dir = tempfile_dir();
    let python = Command::new("python3").arg("--version").output().is_ok();
    if !python {
        eprintln!("python3 not found: checking Roast against the expected lines only");
    }
    for (func, expected, snippet) in CASES {
        let path = dir.join(format!("{func}.roast"));
        std::fs::write(&path, format!("{src}\n{func}()\n")).expect("write program");
        let out = Command::new(&roastc)
            .arg("run")
            .arg(&path)
            .output()
            .expect("roastc runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{func}: {stderr}");
        assert_eq!(
            stderr.trim_end().lines().last(),
            Some(*expected),
            "{func}: {stderr}"
        );
        let (line, col) = position(&src, func, snippet);
        assert!(
            stderr.contains(&format!("line {line}, column {col}")),
            "{func}: expected line {line}, column {col} in:\n{stderr}"
        );
        if python && *expected != OVERFLOW {
            let py = Command::new("python3")
                .arg(&path)
                .output()
                .expect("python3 runs");
            let py_err = String::from_utf8_lossy(&py.stderr);
            assert_eq!(
                py_err.trim_end().lines().last(),
                Some(*expected),
                "{func}: CPython says"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("roast-checks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
