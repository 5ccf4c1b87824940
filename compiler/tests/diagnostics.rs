//! Diagnostics: every malformed program under `tests/diagnostics` is
//! rejected by `roastc check` (exit 1, never a crash) with its first error
//! at the `LINE:COL` its `.expect` file names, rendered rustc-style.

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> (PathBuf, Vec<PathBuf>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/diagnostics");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("diagnostics dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "roast"))
        .collect();
    files.sort();
    (dir, files)
}

#[test]
fn each_malformed_program_gets_a_located_diagnostic() {
    let (dir, files) = corpus();
    assert!(files.len() >= 25, "corpus has {} programs", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let expected = std::fs::read_to_string(file.with_extension("expect"))
            .expect(".expect file")
            .trim()
            .to_string();
        let output = Command::new(env!("CARGO_BIN_EXE_roastc"))
            .arg("check")
            .arg(&name)
            .current_dir(&dir)
            .output()
            .expect("roastc runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.code() != Some(1) {
            failures.push(format!(
                "{name}: exit status {:?}, expected 1\n{stderr}",
                output.status.code()
            ));
            continue;
        }
        let first = stderr
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("--> "));
        let want = format!("{name}:{expected}");
        if first != Some(want.as_str()) {
            failures.push(format!(
                "{name}: first diagnostic at {first:?}, expected {want}\n{stderr}"
            ));
        }
        if !stderr.starts_with("error") || !stderr.contains('^') {
            failures.push(format!(
                "{name}: not a rendered diagnostic with a caret:\n{stderr}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
