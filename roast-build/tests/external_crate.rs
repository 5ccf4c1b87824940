//! End to end, as a user meets the product: a fresh crate outside this
//! workspace depends on `roast` and `roast-build` by path, uses both routes,
//! and is built with `cargo run` / `cargo test`. Editing a `.roast` file
//! changes the program; a malformed one fails the build with a located
//! diagnostic. (Slow: it runs cargo; its target dir is shared across runs.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Where the outside crate builds (shared between runs, for speed).
fn external_target() -> PathBuf {
    workspace().join("target/external-crate-test")
}

fn cargo(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args(args)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", external_target())
        .env_remove("ROAST_MANIFEST_DIR")
        .output()
        .expect("cargo runs")
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

const STATS_V1: &str = r#"
def mean_floor(total: int, count: int) -> int:
    """Python's floor division."""
    return total // count


def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def test_mean_floor() -> None:
    assert mean_floor(-7, 2) == -4, "floors toward negative infinity"
"#;

const FIB_V1: &str = r#"
def fib(n: int) -> int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def label() -> int:
    return 1


def test_fib_small() -> None:
    assert fib(10) == 55


if __name__ == "__main__":
    print("ran as a script")
else:
    print("imported once")
"#;

/// Every boundary type of the issue, in and out.
const BOUNDARY: &str = r#"
from typing import Optional


def shout(s: str) -> str:
    return s.upper() + "!"


def lengths(words: list[str]) -> list[int]:
    return [len(w) for w in words]


def scaled(xs: list[float], k: float) -> list[float]:
    return [x * k for x in xs]


def negated(bs: list[bool]) -> list[bool]:
    return [not b for b in bs]


def total(xs: list[int]) -> int:
    return sum(xs)


def split_words(s: str) -> list[str]:
    return s.split()


def swap(p: tuple[int, str]) -> tuple[str, int]:
    return (p[1], p[0])


def first_long(words: list[str], n: int) -> Optional[str]:
    for w in words:
        if len(w) >= n:
            return w
    return None


def half(x: int | None) -> int | None:
    if x is None:
        return None
    return x // 2


def counts(words: list[str]) -> dict[str, int]:
    d: dict[str, int] = {}
    for w in words:
        d[w] = d.get(w, 0) + 1
    return d


def describe(d: dict[str, int]) -> str:
    return ",".join([f"{k}={v}" for k, v in d.items()])


CALLS: list[str] = []


def churn(seed: int) -> str:
    """Allocation-heavy (strings, a list, a dict); every fifth seed raises KeyError."""
    words: list[str] = []
    for i in range(40):
        words.append(f"w{(seed * 31 + i) % 13}-{'x' * (i % 4)}")
    d: dict[str, int] = {}
    for w in words:
        d[w] = d.get(w, 0) + len(w)
    keys = [k for k in d]
    keys.sort()
    if seed % 5 == 0:
        return str(d["missing"])
    return ",".join([f"{k}:{d[k]}" for k in keys])


def record(x: str) -> int:
    """Module state is per thread."""
    CALLS.append(x)
    return len(CALLS)
"#;

const BOUNDARY_TEST: &str = r#"roast::include_bindings!("outside");

mod boundary_macro {
    roast::include_roast!("roast/boundary.roast");
}

macro_rules! check_boundary {
    ($m:ident) => {{
        use $m as b;
        assert_eq!(b::shout("grüße, ünïcödé ✓"), "GRÜSSE, ÜNÏCÖDÉ ✓!");
        assert_eq!(b::lengths(&["ab", "çé", "✓✓✓"]), vec![2, 2, 3]);
        assert_eq!(b::lengths(&vec![String::from("xyz")]), vec![3]);
        assert_eq!(b::scaled(&[1.5, -2.0], 2.0), vec![3.0, -4.0]);
        assert_eq!(b::negated(&[true, false]), vec![false, true]);
        assert_eq!(b::total(&[1, 2, 3, 4]), 10);
        assert_eq!(b::split_words("  a  bé c "), vec!["a", "bé", "c"]);
        assert_eq!(b::swap((7, "sept".to_string())), ("sept".to_string(), 7));
        assert_eq!(b::first_long(&["a", "abc"], 2), Some("abc".to_string()));
        assert_eq!(b::first_long(&["a"], 2), None);
        assert_eq!(b::half(Some(9)), Some(4));
        assert_eq!(b::half(None), None);
        let d = b::counts(&["z", "a", "z", "m", "a", "z"]);
        let order: Vec<(String, i64)> = d.clone().into_iter().collect();
        assert_eq!(
            order,
            vec![("z".to_string(), 3), ("a".to_string(), 2), ("m".to_string(), 1)],
            "insertion order"
        );
        let mut input = roast::IndexMap::new();
        input.insert("zèta".to_string(), 1);
        input.insert("alpha".to_string(), 2);
        assert_eq!(b::describe(&input), "zèta=1,alpha=2");
        assert_eq!(b::try_shout("x").unwrap(), "X!");
    }};
}

#[test]
fn every_boundary_type_through_the_build_rs_route() {
    check_boundary!(boundary);
}

#[test]
fn every_boundary_type_through_include_roast() {
    check_boundary!(boundary_macro);
}

#[test]
fn many_threads_share_literals_and_build_their_own_values() {
    let handles: Vec<_> = (0..8)
        .map(|i| {
            std::thread::spawn(move || {
                for n in 1..=200 {
                    let words = vec![format!("w{i}"), "shared".to_string(), format!("w{i}")];
                    let d = boundary::counts(&words);
                    assert_eq!(d[&format!("w{i}")], 2);
                    assert_eq!(boundary::shout("é"), "É!");
                    assert_eq!(boundary::record(&format!("t{i}")), n, "per-thread module state");
                }
                roast::__private::release_globals();
                roast::__private::live_objects()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 0, "a thread leaked Roast objects");
    }
}
"#;

/// Eight threads of allocation-heavy, partly raising Roast calls, each
/// compared with a sequential run and checked for leaked objects; the test
/// also runs it under valgrind.
const STRESS: &str = r#"roast::include_bindings!("outside");

/// One call's outcome as text: the value or the exception.
fn outcome(seed: i64) -> String {
    match boundary::try_churn(seed) {
        Ok(v) => v,
        Err(e) => e.to_string(),
    }
}

fn main() {
    let calls = 60;
    let sequential: Vec<String> = (0..calls).map(outcome).collect();
    assert!(sequential.iter().any(|s| s.starts_with("KeyError: 'missing'")), "some calls raise");
    assert!(sequential.iter().any(|s| s.starts_with("w0-")), "some calls return");
    let threads: Vec<_> = (0..8)
        .map(|_| {
            std::thread::spawn(move || {
                let results: Vec<String> = (0..calls).map(outcome).collect();
                roast::__private::release_globals();
                (results, roast::__private::live_objects())
            })
        })
        .collect();
    for t in threads {
        let (results, live) = t.join().unwrap();
        assert_eq!(results, sequential, "a thread's results differ from the sequential run");
        assert_eq!(live, 0, "a thread leaked Roast objects");
    }
    println!("stress ok: 8 threads x {calls} calls");
}
"#;

fn make_crate(root: &Path) {
    let ws = workspace();
    write(
        root,
        "Cargo.toml",
        &format!(
            r#"[package]
name = "outside"
version = "0.1.0"
edition = "2021"
default-run = "outside"

[dependencies]
roast = {{ path = "{0}/runtime" }}

[build-dependencies]
roast-build = {{ path = "{0}/roast-build" }}

[workspace]
"#,
            ws.display()
        ),
    );
    write(
        root,
        "build.rs",
        "fn main() {\n    roast_build::Build::new()\n        .file(\"roast/stats.roast\")\n        .file(\"roast/boundary.roast\")\n        .compile(\"outside\");\n}\n",
    );
    // Start from the workspace's lock file, so the outside crate builds with
    // the dependency versions this repository is tested with.
    std::fs::copy(ws.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    write(root, "roast/stats.roast", STATS_V1);
    write(root, "roast/boundary.roast", BOUNDARY);
    write(root, "tests/boundary.rs", BOUNDARY_TEST);
    write(root, "src/bin/stress.rs", STRESS);
    write(root, "src/fib.roast", FIB_V1);
    // include_roast! in a library, an integration test and an example too.
    write(
        root,
        "src/lib.rs",
        "pub mod fib {\n    roast::include_roast!(\"src/fib.roast\");\n}\n",
    );
    write(
        root,
        "tests/it.rs",
        "mod fib {\n    roast::include_roast!(\"src/fib.roast\");\n}\n\n#[test]\nfn from_an_integration_test() {\n    assert_eq!(fib::fib(12), 144);\n    assert_eq!(outside::fib::fib(12), 144);\n}\n",
    );
    write(
        root,
        "examples/demo.rs",
        "mod fib {\n    roast::include_roast!(\"src/fib.roast\");\n}\n\nfn main() {\n    println!(\"demo fib(15)={}\", fib::fib(15));\n}\n",
    );
    write(
        root,
        "src/main.rs",
        r#"roast::include_bindings!("outside");

mod fib {
    roast::include_roast!("src/fib.roast");
}

fn main() {
    println!("fib(20)={} label={}", fib::fib(20), fib::label());
    println!("mean_floor(-7, 2)={}", stats::mean_floor(-7, 2));
    let e = stats::try_mean_floor(1, 0).unwrap_err();
    println!("kind={} message={} at={}", e.kind(), e.message(), e.location());
    let caught = std::panic::catch_unwind(|| stats::mean_floor(1, 0)).is_err();
    println!("panic caught={caught}");
    println!("overflow={}", stats::try_fib(200).unwrap_err().kind());
}
"#,
    );
}

/// Runs the outside crate's 8-thread stress binary, and again under valgrind
/// when it is installed: no errors, no definite or indirect leaks.
fn stress_runs_clean(root: &Path) {
    let build = cargo(root, &["build", "--quiet", "--bin", "stress"]);
    assert!(build.status.success(), "{}", text(&build.stderr));
    let exe = external_target().join("debug/stress");
    let native = Command::new(&exe).output().expect("stress binary runs");
    assert!(
        native.status.success() && text(&native.stdout).contains("stress ok"),
        "stress run failed:\n{}{}",
        text(&native.stdout),
        text(&native.stderr)
    );
    let valgrind = Command::new("valgrind")
        .args([
            "-q",
            "--error-exitcode=1",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
        ])
        .arg(&exe)
        .output();
    match valgrind {
        Ok(out) => assert!(
            out.status.success() && text(&out.stdout).contains("stress ok"),
            "the stress run under valgrind failed:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        ),
        Err(_) => eprintln!("skipping the valgrind run of the stress binary: valgrind not found"),
    }
}

#[test]
fn outside_crate_builds_runs_tests_and_rebuilds_on_edit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    make_crate(root);

    let run = cargo(root, &["run", "--quiet"]);
    let stdout = text(&run.stdout);
    assert!(
        run.status.success(),
        "cargo run failed:\n{}",
        text(&run.stderr)
    );
    assert!(stdout.contains("fib(20)=6765 label=1"), "{stdout}");
    // Used from Rust, the module is imported: `__name__` is not "__main__".
    assert_eq!(stdout.matches("imported once").count(), 1, "{stdout}");
    assert!(!stdout.contains("ran as a script"), "{stdout}");
    assert!(stdout.contains("mean_floor(-7, 2)=-4"), "{stdout}");
    assert!(
        stdout.contains("kind=ZeroDivisionError message=integer division or modulo by zero at=roast/stats.roast:4:12"),
        "{stdout}"
    );
    assert!(stdout.contains("panic caught=true"), "{stdout}");
    assert!(stdout.contains("overflow=OverflowError"), "{stdout}");

    stress_runs_clean(root);

    let test = cargo(root, &["test", "--quiet", "--", "--list"]);
    let listed = text(&test.stdout);
    assert!(
        listed.contains("stats::__roast_tests::test_mean_floor: test"),
        "{listed}"
    );
    assert!(
        listed.contains("fib::__roast_tests::test_fib_small: test"),
        "{listed}"
    );
    for t in [
        "every_boundary_type_through_the_build_rs_route",
        "every_boundary_type_through_include_roast",
        "many_threads_share_literals_and_build_their_own_values",
    ] {
        assert!(listed.contains(t), "{t} missing from:\n{listed}");
    }
    let test = cargo(root, &["test", "--quiet"]);
    assert!(
        test.status.success(),
        "cargo test failed:\n{}{}",
        text(&test.stdout),
        text(&test.stderr)
    );

    // Editing either route's file changes the program.
    write(
        root,
        "src/fib.roast",
        &FIB_V1.replace("return 1", "return 2"),
    );
    write(
        root,
        "roast/stats.roast",
        &STATS_V1.replace("return total // count", "return total // count + 100"),
    );
    let run = cargo(root, &["run", "--quiet"]);
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains("label=2"),
        "include_roast! did not rebuild:\n{stdout}"
    );
    assert!(
        stdout.contains("mean_floor(-7, 2)=96"),
        "build.rs route did not rebuild:\n{stdout}"
    );

    // A failing Roast test fails `cargo test` with its message and location.
    write(
        root,
        "roast/stats.roast",
        &STATS_V1.replace("== -4", "== 4"),
    );
    let test = cargo(root, &["test", "--quiet"]);
    let out = text(&test.stdout) + &text(&test.stderr);
    assert!(!test.status.success());
    assert!(
        out.contains("AssertionError: floors toward negative infinity (at roast/stats.roast:15:5)"),
        "{out}"
    );

    // Malformed sources fail the build with located diagnostics, both routes.
    write(
        root,
        "roast/stats.roast",
        "def broken(x: int) -> int\n    return x\n",
    );
    let build = cargo(root, &["build", "--quiet"]);
    let err = text(&build.stderr);
    assert!(!build.status.success());
    assert!(err.contains("roast/stats.roast:1:26"), "{err}");
    write(root, "roast/stats.roast", STATS_V1);
    write(root, "src/fib.roast", "def f() -> int:\n    return 1.5\n");
    let build = cargo(root, &["build", "--quiet"]);
    let err = text(&build.stderr);
    assert!(!build.status.success());
    assert!(err.contains("src/fib.roast:2:12"), "{err}");
}
