//! Conformance: every program under `tests/conformance` runs through
//! `roastc run` and must reproduce CPython's stdout, exit status and final
//! exception line exactly (expected files are CPython's output, written by
//! `tests/conformance/regen.py`; `overflow/` holds hand-checked expectations
//! for the documented i64 deviation).

use std::path::{Path, PathBuf};
use std::process::Command;

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance")
}

fn programs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["", "errors", "overflow", "tier1"] {
        let dir = conformance_dir().join(sub);
        for entry in std::fs::read_dir(&dir).expect("conformance dir exists") {
            let path = entry.expect("readable").path();
            if path.extension().is_some_and(|e| e == "roast") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `(exit status, last stderr line when nonzero)` from a `.status` file.
fn expected_status(path: &Path) -> (i32, Option<String>) {
    let text = std::fs::read_to_string(path.with_extension("status")).expect(".status file");
    let mut lines = text.lines();
    let code = lines
        .next()
        .unwrap_or("0")
        .trim()
        .parse()
        .expect("status code");
    (code, lines.next().map(str::to_string))
}

#[test]
fn roastc_run_matches_cpython() {
    let programs = programs();
    assert!(
        programs.len() >= 40,
        "the corpus has {} programs",
        programs.len()
    );
    let mut failures = Vec::new();
    for program in &programs {
        let rel = program
            .strip_prefix(conformance_dir())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let output = Command::new(env!("CARGO_BIN_EXE_roastc"))
            .arg("run")
            .arg(&rel)
            .current_dir(conformance_dir())
            .output()
            .expect("roastc runs");
        let expected_stdout =
            std::fs::read(program.with_extension("stdout")).expect(".stdout file");
        let (code, last_line) = expected_status(program);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut problems = Vec::new();
        if output.stdout != expected_stdout {
            problems.push(format!(
                "stdout differs:\n--- expected\n{}\n--- roastc\n{}",
                String::from_utf8_lossy(&expected_stdout),
                String::from_utf8_lossy(&output.stdout)
            ));
        }
        if output.status.code() != Some(code) {
            problems.push(format!(
                "exit status {:?}, expected {code}",
                output.status.code()
            ));
        }
        if let Some(line) = last_line {
            let got = stderr.trim_end().lines().last().unwrap_or("");
            if got != line {
                problems.push(format!("last stderr line `{got}`, expected `{line}`"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{rel}:\n{}\nstderr:\n{stderr}",
                problems.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs differ from CPython:\n\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n\n")
    );
}

/// Where the recursion limit strikes must be exactly CPython's, also when
/// the deepest call is to a small function the compiler inlines (a leaf, or
/// a function's own call to itself, copied once). (Not corpus programs:
/// `regen.py`'s 64-bit emulation adds Python frames, which moves the limit
/// under CPython.)
#[test]
fn recursion_limit_is_exact_with_inlined_calls() {
    let leaves = r#"def leaf(n: int) -> int:
    return n + 1


def down(n: int) -> int:
    if n == 0:
        return leaf(0)
    return down(n - 1) + 1


def plain(n: int) -> int:
    if n == 0:
        return 0
    return plain(n - 1) + 1


def probe(n: int) -> None:
    print(n, down(n))


print(plain(997))
probe(994)
probe(995)
probe(996)
probe(997)
"#;
    // `fib`'s own calls are copied once: the limit must strike at the same
    // depth whether the deepest frame is a copy or a real call, so the
    // probes start one frame apart.
    let recursive = |extra_frame: bool| {
        format!(
            r#"def fib(n: int) -> int:
    if n < 2:
        return leaf(n)
    return fib(n - 1) + fib(n - 2)


def leaf(n: int) -> int:
    return n * 1


def chain(n: int) -> int:
    if n == 0:
        return 0
    return 1 + chain(n - 1)


def start(n: int) -> int:
    return chain(n)


def probe(n: int) -> None:
    print(n, {call}(n), fib(15))


for k in range(990, 1000):
    probe(k)
"#,
            call = if extra_frame { "start" } else { "chain" }
        )
    };
    // Tail calls to itself run as a loop, each time round one level
    // deeper: the limit strikes where the calls would have reached it,
    // also when the last level is a call that is not in tail position.
    let tail = r#"def count(n: int, acc: int) -> int:
    if n == 0:
        return acc
    return count(n - 1, acc + 2)


def countdown(n: int) -> None:
    if n > 0:
        countdown(n - 1)


def last_called(n: int) -> int:
    if n == 0:
        return plain(1)
    return last_called(n - 1)


def plain(n: int) -> int:
    if n == 0:
        return 0
    return plain(n - 1) + 1


def probe(n: int) -> None:
    countdown(n)
    print(n, count(n, 0), last_called(n - 2))


for k in range(990, 1000):
    probe(k)
"#;
    for (name, program) in [
        ("leaves", leaves.to_string()),
        ("tail", tail.to_string()),
        ("recursive_even", recursive(false)),
        ("recursive_odd", recursive(true)),
    ] {
        assert_recursion_like_cpython(name, &program);
    }
}

/// Runs `program` natively and under CPython: the same output, exit status
/// and `RecursionError` line.
fn assert_recursion_like_cpython(name: &str, program: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(format!("{name}.roast"));
    std::fs::write(&path, program).expect("write program");
    let python = match Command::new("python3").arg(&path).output() {
        Ok(out) => out,
        Err(_) => {
            eprintln!("skipping: python3 not found (CPython is the oracle for this test)");
            return;
        }
    };
    let roast = Command::new(env!("CARGO_BIN_EXE_roastc"))
        .arg("run")
        .arg(&path)
        .output()
        .expect("roastc runs");
    let last = |stderr: &[u8]| {
        String::from_utf8_lossy(stderr)
            .trim_end()
            .lines()
            .last()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        String::from_utf8_lossy(&roast.stdout),
        String::from_utf8_lossy(&python.stdout),
        "{name}: stdout"
    );
    assert_eq!(roast.status.code(), python.status.code(), "{name}: status");
    assert_eq!(last(&roast.stderr), last(&python.stderr), "{name}");
    assert_eq!(
        last(&python.stderr),
        "RecursionError: maximum recursion depth exceeded",
        "{name}: the program reaches the limit"
    );
}
