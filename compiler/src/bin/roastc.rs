//! `roastc`: the Roast compiler's command line.
//!
//! ```text
//! roastc check FILE...          type-check, print diagnostics, exit 1 on error
//! roastc run FILE               compile natively and run like `python3 FILE`
//! roastc build FILE... -o DIR   object file + Rust bindings per module
//! ```

use roast_compiler::bindgen::{self, Linking};
use roast_compiler::driver::{self, Source};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  roastc check FILE...          check FILEs, print diagnostics (exit 1 on error)
  roastc run FILE               compile FILE natively and run it like `python3 FILE`
  roastc build FILE... -o DIR   write DIR/<module>.o and DIR/<module>.rs for each FILE";

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
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-o" {
            out_dir = it.next().map(PathBuf::from);
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
        match driver::compile_object(&source, &prefix, None) {
            Err(e) => {
                eprint!("{}", e.rendered);
                failed = true;
            }
            Ok(compiled) => {
                let stem = &compiled.interface.module_name;
                let rust = bindgen::module_items(&compiled.interface, f, Linking::External);
                let written = std::fs::write(out_dir.join(format!("{stem}.o")), &compiled.object)
                    .and_then(|_| std::fs::write(out_dir.join(format!("{stem}.rs")), rust));
                if let Err(e) = written {
                    eprintln!("error: writing to `{}`: {e}", Path::new(&out_dir).display());
                    failed = true;
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
