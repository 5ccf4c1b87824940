//! `roastc` as other tools call it: exit codes, outputs of `build`, and the
//! shape of run-time error reports.

use std::process::Command;

fn roastc(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_roastc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("roastc runs")
}

const GOOD: &str = "def twice(n: int) -> int:\n    return 2 * n\n\n\ndef test_twice() -> None:\n    assert twice(2) == 4\n";

#[test]
fn check_exits_zero_on_good_input_and_one_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.roast"), GOOD).unwrap();
    std::fs::write(
        dir.path().join("bad.roast"),
        "def f() -> int:\n    return x\n\ndef g(:\n",
    )
    .unwrap();
    assert!(roastc(&["check", "good.roast"], dir.path())
        .status
        .success());
    let bad = roastc(&["check", "good.roast", "bad.roast"], dir.path());
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("--> bad.roast:4:6"), "{stderr}");
    let missing = roastc(&["check", "missing.roast"], dir.path());
    assert_eq!(missing.status.code(), Some(1));
    std::fs::write(dir.path().join("latin1.roast"), b"x = 1\n# caf\xe9\n").unwrap();
    let latin1 = roastc(&["check", "latin1.roast"], dir.path());
    assert_eq!(latin1.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&latin1.stderr).contains("latin1.roast:2:6"),
        "{}",
        String::from_utf8_lossy(&latin1.stderr)
    );
}

#[test]
fn an_empty_display_of_unknown_type_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("empty.roast"),
        "def total(xs: list[int]) -> int:\n    return sum(xs)\n\n\ndef f() -> int:\n    return total([]) + len(sorted([]))\n",
    )
    .unwrap();
    let out = roastc(&["check", "empty.roast"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // `total([])` takes its type from the parameter; `sorted([])` has none.
    assert_eq!(stderr.matches("error").count(), 1, "{stderr}");
    assert!(stderr.contains("--> empty.roast:6:35"), "{stderr}");
    assert!(
        stderr.contains("cannot infer the type of this empty list"),
        "{stderr}"
    );
}

#[test]
fn a_variable_whose_assignment_failed_is_not_reported_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cascade.roast"),
        "xs = [1, 2.5]\nprint(xs)\n\n\ndef f() -> None:\n    ys = [3, 4.5]\n    print(ys, xs)\n",
    )
    .unwrap();
    let out = roastc(&["check", "cascade.roast"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // One mismatch per display; no "used before it is assigned" after them.
    assert_eq!(stderr.matches("error").count(), 2, "{stderr}");
    assert!(stderr.contains("--> cascade.roast:1:10"), "{stderr}");
    assert!(stderr.contains("--> cascade.roast:6:14"), "{stderr}");
}

#[test]
fn each_rejected_construct_is_reported_once_without_follow_on_errors() {
    // (program, its one diagnostic's location, words of its headline)
    let cases = [
        (
            "def f() -> None:\n    print(5 in zip([1], [2]))\n",
            "2:16",
            "`zip(...)` as a value",
        ),
        (
            "def f() -> None:\n    first, *rest = [1, 2, 3]\n    print(first, rest)\n",
            "2:12",
            "this assignment target",
        ),
        (
            "def add(x: int, acc: list[int] = []) -> list[int]:\n    acc.append(x)\n    return acc\n\n\ndef f() -> None:\n    print(add(1), add(2))\n",
            "1:34",
            "a mutable default value",
        ),
        (
            "def f() -> None:\n    g = abs\n    print(g)\n",
            "2:9",
            "the builtin `abs` used as a value",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (source, at, headline)) in cases.iter().enumerate() {
        let name = format!("case{i}.roast");
        std::fs::write(dir.path().join(&name), source).unwrap();
        let out = roastc(&["check", &name], dir.path());
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.matches("error").count(), 1, "{source}\n{stderr}");
        assert!(
            stderr.contains(&format!("--> {name}:{at}")),
            "{source}\n{stderr}"
        );
        assert!(stderr.contains(headline), "{source}\n{stderr}");
    }
}

#[test]
fn build_writes_an_object_and_bindings_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("twice.roast"), GOOD).unwrap();
    assert!(roastc(&["build", "twice.roast", "-o", "out1"], dir.path())
        .status
        .success());
    assert!(roastc(&["build", "twice.roast", "-o", "out2"], dir.path())
        .status
        .success());
    let obj = std::fs::read(dir.path().join("out1/twice.o")).unwrap();
    assert_eq!(&obj[..4], b"\x7fELF", "an ELF object");
    assert_eq!(obj, std::fs::read(dir.path().join("out2/twice.o")).unwrap());
    // A sequential compile gives the same bytes as the parallel one.
    let sequential = Command::new(env!("CARGO_BIN_EXE_roastc"))
        .args(["build", "twice.roast", "-o", "seq"])
        .env("ROAST_JOBS", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(sequential.status.success());
    assert_eq!(obj, std::fs::read(dir.path().join("seq/twice.o")).unwrap());
    // A checkout elsewhere gives the same bytes: no absolute paths inside.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("twice.roast"), GOOD).unwrap();
    assert!(
        roastc(&["build", "twice.roast", "-o", "out"], elsewhere.path())
            .status
            .success()
    );
    assert_eq!(
        obj,
        std::fs::read(elsewhere.path().join("out/twice.o")).unwrap()
    );
    assert_eq!(
        std::fs::read(dir.path().join("out1/twice.rs")).unwrap(),
        std::fs::read(elsewhere.path().join("out/twice.rs")).unwrap()
    );
    let rs = std::fs::read_to_string(dir.path().join("out1/twice.rs")).unwrap();
    assert!(rs.contains("pub fn twice(n: i64) -> i64"), "{rs}");
    assert!(rs.contains("pub fn try_twice(n: i64)"), "{rs}");
    assert!(rs.contains("ABI_VERSION =="), "{rs}");
}

#[test]
fn build_emits_every_ir_on_request() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("twice.roast"), GOOD).unwrap();
    let out = roastc(
        &[
            "build",
            "twice.roast",
            "-o",
            "ir",
            "--emit=ast,hir,mir,clif",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read =
        |ext: &str| std::fs::read_to_string(dir.path().join(format!("ir/twice.{ext}"))).unwrap();
    assert!(read("ast").contains("FunctionDef"));
    assert!(read("hir").contains("Arith"));
    let mir = read("mir");
    assert!(mir.contains("fn twice(_0) -> int"), "{mir}");
    assert!(
        mir.contains("CheckedArith"),
        "int * is overflow-checked:\n{mir}"
    );
    // `2 * n`: a shift, and the overflow test one unsigned comparison.
    let clif = read("clif");
    assert!(
        clif.contains("ishl.i64") && clif.contains("icmp ugt"),
        "{clif}"
    );
    let timed = Command::new(env!("CARGO_BIN_EXE_roastc"))
        .args(["check", "twice.roast"])
        .env("ROAST_TIME", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&timed.stderr);
    assert!(
        stderr.contains("roast-time: twice.roast: parse") && stderr.contains("check"),
        "{stderr}"
    );
}

#[test]
fn run_reports_uncaught_exceptions_like_python() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("boom.roast"),
        "print(\"before\")\nx = 0\nprint(10 // x)\n",
    )
    .unwrap();
    let out = roastc(&["run", "boom.roast"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "before\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("File \"boom.roast\", line 3"), "{stderr}");
    assert_eq!(
        stderr.trim_end().lines().last(),
        Some("ZeroDivisionError: integer division or modulo by zero")
    );
}

#[test]
fn test_runs_every_test_isolating_failures() {
    let dir = tempfile::tempdir().unwrap();
    let source = format!(
        "{GOOD}\n\ndef test_wrong() -> None:\n    assert twice(2) == 5, \"twice is wrong\"\n\n\ndef _down(n: int) -> int:\n    return _down(n + 1)\n\n\ndef test_deep() -> None:\n    assert _down(0) == 0\n"
    );
    std::fs::write(dir.path().join("t.roast"), source).unwrap();
    let out = roastc(&["test", "t.roast"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("test t.roast::test_twice ... ok"),
        "{stdout}"
    );
    assert!(
        stdout.contains("test t.roast::test_wrong ... FAILED"),
        "{stdout}"
    );
    assert!(
        stdout.contains("AssertionError: twice is wrong (at t.roast:10:5)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("RecursionError: maximum recursion depth exceeded"),
        "{stdout}"
    );
    assert_eq!(stdout.trim_end().lines().last(), Some("1 passed, 2 failed"));
    // The same result set on every run.
    let again = roastc(&["test", "t.roast"], dir.path());
    assert_eq!(String::from_utf8_lossy(&again.stdout), stdout);
}
