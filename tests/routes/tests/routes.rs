//! Every conformance program, run through the build.rs route and the
//! `include_roast!` route, must print exactly what CPython printed and end
//! with the same status and final exception line (the same expectations
//! `roastc run` is held to in roast-compiler's conformance test).

use std::path::{Path, PathBuf};
use std::process::Command;

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance")
}

fn programs() -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["", "errors", "overflow", "tier1"] {
        for entry in std::fs::read_dir(conformance_dir().join(sub)).expect("conformance dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "roast") {
                let rel = path.strip_prefix(conformance_dir()).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

fn check_route(route: &str) {
    let programs = programs();
    assert!(
        programs.len() >= 40,
        "corpus has {} programs",
        programs.len()
    );
    let mut failures = Vec::new();
    for program in &programs {
        let path = conformance_dir().join(program);
        let output = Command::new(env!("CARGO_BIN_EXE_roast-conformance-routes"))
            .args([route, program])
            .output()
            .expect("runner starts");
        let expected_stdout = std::fs::read(path.with_extension("stdout")).expect(".stdout");
        let status = std::fs::read_to_string(path.with_extension("status")).expect(".status");
        let mut lines = status.lines();
        let code: i32 = lines
            .next()
            .unwrap_or("0")
            .trim()
            .parse()
            .expect("status code");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut problems = Vec::new();
        if output.stdout != expected_stdout {
            problems.push(format!(
                "stdout differs:\n--- expected\n{}--- got\n{}",
                String::from_utf8_lossy(&expected_stdout),
                String::from_utf8_lossy(&output.stdout)
            ));
        }
        if output.status.code() != Some(code) {
            problems.push(format!(
                "status {:?}, expected {code}",
                output.status.code()
            ));
        }
        if let Some(want) = lines.next().filter(|l| !l.is_empty()) {
            let got = stderr.trim_end().lines().last().unwrap_or("");
            if got != want {
                problems.push(format!("last stderr line `{got}`, expected `{want}`"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{route} {program}:\n{}", problems.join("\n")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} programs differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn build_rs_route_matches_cpython() {
    check_route("build");
}

#[test]
fn include_roast_route_matches_cpython() {
    check_route("macro");
}

fn runner(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_roast-conformance-routes"))
        .args(args)
        .output()
        .expect("runner starts");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_program_in_one_process_frees_every_object() {
    for route in ["build", "macro"] {
        let (ok, stderr) = runner(&["all", route]);
        assert!(ok, "{route}: {stderr}");
        assert!(
            stderr.contains(&format!("through the {route} route, 0 leaking")),
            "{stderr}"
        );
    }
}

#[test]
fn eight_threads_of_allocation_heavy_calls_match_a_sequential_run() {
    let (ok, stderr) = runner(&["stress"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("0 failures"), "{stderr}");
}
