//! `roastc`: the Roast compiler's command line.
//!
//! ```text
//! roastc check FILE...          type-check, print diagnostics, exit 1 on error
//! roastc run FILE               compile natively and run like `python3 FILE`
//! roastc test FILE...           run every `def test_*()` natively, in parallel
//! roastc build FILE... -o DIR   object file + Rust bindings per module
//!               [--target TRIPLE] [--emit=ast,hir,mir,clif]
//! ```
//!
//! `ROAST_TIME=1` prints per-phase compile timings on stderr.

use roast_compiler::bindgen::{self, Linking};
use roast_compiler::driver::{self, Source};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  roastc check FILE...          check FILEs, print diagnostics (exit 1 on error)
  roastc run FILE               compile FILE natively and run it like `python3 FILE`
  roastc test FILE...           run every `def test_*()` natively, in parallel
  roastc build FILE... -o DIR [--target TRIPLE] [--emit=ast,hir,mir,clif]
                                write DIR/<module>.o and DIR/<module>.rs for each FILE
environment: ROAST_TIME=1 prints per-phase compile timings";

fn main() -> ExitCode {
    driver::on_compiler_stack(command)
}

fn command() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match command.as_str() {
        "check" => check(rest),
        "run" => run(rest),
        "build" => build(rest),
        "test" => test(rest),
        "__test-one" => test_one(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("roastc: unknown command `{other}`\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &str) -> Result<Source, ExitCode> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Source::new(path, text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(&e.into_bytes()[..at]).into_owned();
                let line = text.matches('\n').count() + 1;
                let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                eprintln!("error: {path}:{line}:{col}: the file is not valid UTF-8 (invalid byte at offset {at})\n  = help: save the file as UTF-8");
                Err(ExitCode::from(1))
            }
        },
        Err(e) => {
            eprintln!("error: cannot read `{path}`: {e}");
            Err(ExitCode::from(1))
        }
    }
}

fn check(files: &[String]) -> ExitCode {
    if files.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for f in files {
        let source = match read(f) {
            Ok(s) => s,
            Err(_) => {
                failed = true;
                continue;
            }
        };
        if let Err(e) = driver::check(&source) {
            eprint!("{}", e.rendered);
            failed = true;
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run(args: &[String]) -> ExitCode {
    let Some(file) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let source = match read(file) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match roast_compiler::run::run(&source) {
        Err(e) => {
            eprint!("{}", e.rendered);
            ExitCode::from(1)
        }
        Ok(outcome) => {
            if let Some(err) = &outcome.error {
                let loc = err.location();
                eprintln!(
                    "Traceback (most recent call last):\n  File \"{}\", line {}, column {}\n{}",
                    loc.file(),
                    loc.line(),
                    loc.col(),
                    err.python_line()
                );
            }
            ExitCode::from(outcome.exit_code.rem_euclid(256) as u8)
        }
    }
}

fn build(args: &[String]) -> ExitCode {
    let mut files = Vec::new();
    let mut out_dir: Option<PathBuf> = None;
    let mut options = driver::Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-o" {
            out_dir = it.next().map(PathBuf::from);
        } else if a == "--target" {
            options.triple = it.next().cloned();
        } else if let Some(kinds) = a.strip_prefix("--emit=") {
            for kind in kinds.split(',') {
                match kind {
                    "ast" => options.emit_ast = true,
                    "hir" => options.emit_hir = true,
                    "clif" => options.emit_clif = true,
                    "obj" | "rust" => {}
                    "mir" => options.emit_mir = true,
                    other => {
                        eprintln!("error: unknown --emit kind `{other}` (ast, hir, mir, clif)");
                        return ExitCode::from(2);
                    }
                }
            }
        } else {
            files.push(a.clone());
        }
    }
    let (Some(out_dir), false) = (out_dir, files.is_empty()) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if let Err(e) = std::fs::create_dir_all(&out_dir) {
        eprintln!("error: cannot create `{}`: {e}", out_dir.display());
        return ExitCode::from(1);
    }
    let mut failed = false;
    for f in &files {
        let source = match read(f) {
            Ok(s) => s,
            Err(_) => {
                failed = true;
                continue;
            }
        };
        let prefix = driver::symbol_prefix(&[&source.display_name]);
        match driver::compile_object_with(&source, &prefix, &options) {
            Err(e) => {
                eprint!("{}", e.rendered);
                failed = true;
            }
            Ok(compiled) => {
                let stem = &compiled.interface.module_name;
                let rust = bindgen::module_items(
                    &compiled.interface,
                    f,
                    Linking::External { library: None },
                );
                let mut outputs = vec![
                    (format!("{stem}.o"), compiled.object.clone()),
                    (format!("{stem}.rs"), rust.into_bytes()),
                ];
                let dumps = &compiled.dumps;
                for (ext, dump) in [
                    ("ast", &dumps.ast),
                    ("hir", &dumps.hir),
                    ("mir", &dumps.mir),
                    ("clif", &dumps.clif),
                ] {
                    if let Some(text) = dump {
                        outputs.push((format!("{stem}.{ext}"), text.clone().into_bytes()));
                    }
                }
                for (name, bytes) in outputs {
                    if let Err(e) = std::fs::write(out_dir.join(&name), bytes) {
                        eprintln!(
                            "error: writing `{}`: {e}",
                            Path::new(&out_dir).join(name).display()
                        );
                        failed = true;
                    }
                }
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs every test of every file, each in its own `roastc __test-one`
/// process (so a crash takes down only its test), on all cores.
fn test(files: &[String]) -> ExitCode {
    if files.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut jobs = Vec::new();
    let mut failed_to_compile = false;
    for f in files {
        let Ok(source) = read(f) else {
            failed_to_compile = true;
            continue;
        };
        match roast_compiler::run::test_names(&source) {
            Ok(names) => jobs.extend(names.into_iter().map(|n| (f.clone(), n))),
            Err(e) => {
                eprint!("{}", e.rendered);
                failed_to_compile = true;
            }
        }
    }
    let exe = std::env::current_exe().expect("roastc knows its own path");
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<(), String>>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers.min(jobs.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((file, name)) = jobs.get(i) else {
                    break;
                };
                let outcome = match std::process::Command::new(&exe)
                    .args(["__test-one", file, name])
                    .output()
                {
                    Ok(out) if out.status.success() => Ok(()),
                    Ok(out) => {
                        let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
                        Err(match out.status.code() {
                            Some(_) => stderr,
                            None => format!("crashed ({})\n{stderr}", out.status),
                        })
                    }
                    Err(e) => Err(format!("could not start: {e}")),
                };
                *results[i].lock().expect("no poisoned results") = Some(outcome);
            });
        }
    });
    let (mut passed, mut failed) = (0, 0);
    for ((file, name), result) in jobs.iter().zip(results) {
        match result.into_inner().expect("no poisoned results") {
            Some(Ok(())) => {
                passed += 1;
                println!("test {file}::{name} ... ok");
            }
            Some(Err(message)) => {
                failed += 1;
                println!(
                    "test {file}::{name} ... FAILED\n    {}",
                    message.replace('\n', "\n    ")
                );
            }
            None => unreachable!("every job ran"),
        }
    }
    println!("\n{passed} passed, {failed} failed");
    if failed > 0 || failed_to_compile {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `roastc __test-one FILE NAME`: one test, in this process (see `test`).
fn test_one(args: &[String]) -> ExitCode {
    let [file, name] = args else {
        return ExitCode::from(2);
    };
    let Ok(source) = read(file) else {
        return ExitCode::from(1);
    };
    match roast_compiler::run::run_test(&source, name) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprint!("{}", e.rendered);
            ExitCode::from(1)
        }
    }
}
