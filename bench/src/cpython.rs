//! Running kernels under CPython through `py_harness.py`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of `py_harness.py` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// CPython's `repr` of the result.
    pub repr: String,
    /// The median seconds of the timed rounds (`None` when none were asked).
    pub median: Option<f64>,
}

/// `python3 --version` (`Python 3.11.7`), or `None` when `python3` is not on
/// `PATH` or does not run.
pub fn version() -> Option<String> {
    let out = Command::new("python3").arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The harness script.
pub fn harness_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("py_harness.py")
}

/// Runs `run(n)` of `file` under `python3` for each of `ns`, in one process:
/// a warm-up call if `warmup`, then `rounds` timed calls (with no rounds, one
/// untimed call for the result).
pub fn run(file: &Path, ns: &[i64], rounds: usize, warmup: bool) -> Result<Vec<Outcome>, String> {
    let ns_arg: Vec<String> = ns.iter().map(i64::to_string).collect();
    let ns_arg = ns_arg.join(",");
    let out = Command::new("python3")
        .arg(harness_path())
        .arg(file)
        .arg(&ns_arg)
        .arg(rounds.to_string())
        .arg(if warmup { "1" } else { "0" })
        .output()
        .map_err(|e| format!("running python3: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "python3 py_harness.py {} {ns_arg} failed ({}):\n{}",
            file.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        ));
    }
    let malformed = || format!("py_harness.py printed {stdout:?}, not one `REPR MEDIAN` per n");
    let outcomes = stdout
        .lines()
        .map(|line| {
            let (repr, median) = line.split_once(' ').ok_or_else(malformed)?;
            let median = match median {
                "-" => None,
                m => Some(m.parse().map_err(|_| malformed())?),
            };
            Ok(Outcome {
                repr: repr.to_string(),
                median,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if outcomes.len() != ns.len() {
        return Err(malformed());
    }
    Ok(outcomes)
}
