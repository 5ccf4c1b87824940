//! The benchmark report: `cargo run --release -p roast-bench [-- --quick]`.
//!
//! First checks that Roast, Rust and CPython agree on every kernel, then
//! times them, measures the cost of crossing the Rust/Roast boundary and the
//! compiler's throughput, and writes the results to stdout,
//! `bench/RESULTS.md` and the chart `bench/results.svg`.

mod svg;

use roast_bench::roast_extra::calls;
use roast_bench::{cpython, generate, Kernel, KERNELS};
use roast_compiler::driver::{self, Source};
use std::hint::black_box;
use std::path::Path;
use std::process::{exit, Command};
use std::time::Instant;

/// How much to measure.
struct Settings {
    quick: bool,
    /// Timed rounds of each Roast and Rust measurement.
    rounds: usize,
    /// Timed rounds of each CPython measurement.
    py_rounds: usize,
    /// Whether `python3` is on `PATH`.
    python: bool,
}

impl Settings {
    fn n(&self, kernel: &Kernel) -> i64 {
        if self.quick {
            kernel.quick_n
        } else {
            kernel.n
        }
    }

    fn command(&self) -> &'static str {
        if self.quick {
            "cargo run --release -p roast-bench -- --quick"
        } else {
            "cargo run --release -p roast-bench"
        }
    }
}

/// One kernel's medians, in seconds.
struct Row {
    kernel: &'static str,
    n: i64,
    roast: f64,
    rust: f64,
    cpython: Option<f64>,
}

impl Row {
    fn roast_vs_rust(&self) -> f64 {
        self.roast / self.rust
    }

    fn cpython_vs_roast(&self) -> Option<f64> {
        self.cpython.map(|c| c / self.roast)
    }
}

/// The boundary measurements.
struct Boundary {
    calls: i64,
    roast_call_ns: f64,
    rust_call_ns: f64,
    list_len: usize,
    roast_list_ms: f64,
    rust_copy_ms: f64,
}

/// The compile-throughput measurement.
struct Compile {
    lines: usize,
    functions: usize,
    threads: usize,
    seconds: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = match args.as_slice() {
        [] => false,
        [flag] if flag == "--quick" => true,
        _ => {
            eprintln!("usage: cargo run --release -p roast-bench [-- --quick]");
            exit(2);
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; run with --release for meaningful numbers");
    }
    let python_version = cpython::version();
    if python_version.is_none() {
        eprintln!("note: python3 not found on PATH; the CPython columns will be n/a");
    }
    let settings = Settings {
        quick,
        rounds: if quick { 3 } else { 11 },
        py_rounds: if quick { 1 } else { 3 },
        python: python_version.is_some(),
    };

    let agreed: Vec<String> = KERNELS
        .iter()
        .map(|kernel| check(kernel, &settings))
        .collect();
    let rows: Vec<Row> = KERNELS
        .iter()
        .zip(&agreed)
        .map(|(kernel, result)| time_kernel(kernel, result, &settings))
        .collect();
    let boundary = measure_boundary(&settings);
    let compile = measure_compile(&settings);

    let results = results_text(&rows, &boundary, &compile);
    print!("{results}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let markdown = results_file(&settings, python_version.as_deref(), &results);
    write(&dir.join("RESULTS.md"), &markdown);
    write(&dir.join("results.svg"), &chart(&rows));
}

/// Checks that Roast, Rust and (when present) CPython return the same result
/// at the size that will be timed, and returns its `repr`; exits with an
/// error otherwise.
fn check(kernel: &Kernel, settings: &Settings) -> String {
    let n = settings.n(kernel);
    eprintln!("checking {} (n = {n})", kernel.name);
    let roast = (kernel.roast)(n)
        .unwrap_or_else(|e| fail(format_args!("{}: Roast run({n}) raised {e}", kernel.name)));
    let rust = (kernel.rust)(n);
    if roast != rust {
        fail(format_args!(
            "{}: results differ at n = {n}: Roast {roast}, Rust {rust}",
            kernel.name
        ));
    }
    if settings.python {
        let outcome = cpython_run(kernel, n, 0, false);
        check_cpython_repr(kernel, n, &roast.to_string(), &outcome.repr);
    }
    roast.to_string()
}

/// [`cpython::run`] for one size; exits with an error when it fails.
fn cpython_run(kernel: &Kernel, n: i64, rounds: usize, warmup: bool) -> cpython::Outcome {
    match cpython::run(&kernel.path(), &[n], rounds, warmup) {
        Ok(mut outcomes) => outcomes.remove(0),
        Err(e) => fail(format_args!("{}: {e}", kernel.name)),
    }
}

fn check_cpython_repr(kernel: &Kernel, n: i64, roast: &str, cpython: &str) {
    if roast != cpython {
        fail(format_args!(
            "{}: results differ at n = {n}: Roast {roast}, CPython {cpython}",
            kernel.name
        ));
    }
}

fn fail(message: std::fmt::Arguments) -> ! {
    eprintln!("error: {message}");
    exit(1);
}

/// Times one kernel: a warm-up call each, then rounds alternating Roast and
/// Rust; CPython in its own process (its result must still be `agreed`).
fn time_kernel(kernel: &Kernel, agreed: &str, settings: &Settings) -> Row {
    let n = settings.n(kernel);
    eprintln!("timing {} (n = {n})", kernel.name);
    let roast = || black_box((kernel.roast)(black_box(n)));
    let rust = || black_box((kernel.rust)(black_box(n)));
    roast().expect("checked before timing");
    rust();
    let mut roast_times = Vec::with_capacity(settings.rounds);
    let mut rust_times = Vec::with_capacity(settings.rounds);
    for _ in 0..settings.rounds {
        roast_times.push(seconds(roast));
        rust_times.push(seconds(rust));
    }
    let cpython = settings.python.then(|| {
        let outcome = cpython_run(kernel, n, settings.py_rounds, !settings.quick);
        check_cpython_repr(kernel, n, agreed, &outcome.repr);
        outcome.median.expect("timed rounds give a median")
    });
    Row {
        kernel: kernel.name,
        n,
        roast: median(roast_times),
        rust: median(rust_times),
        cpython,
    }
}

fn seconds<T>(f: impl FnOnce() -> T) -> f64 {
    let start = Instant::now();
    black_box(f());
    start.elapsed().as_secs_f64()
}

/// The median (the upper one for an even count).
fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

#[inline(never)]
fn rust_add(a: i64, b: i64) -> i64 {
    a + b
}

/// Seconds for `calls` calls of `add` in a loop.
fn call_loop(add: impl Fn(i64, i64) -> i64, calls: i64) -> f64 {
    seconds(|| {
        let mut acc = 0_i64;
        for i in 0..calls {
            acc = acc.wrapping_add(add(black_box(i), black_box(1)));
        }
        acc
    })
}

/// Scalar call overhead (`add`) and the cost of passing a list (`total`).
fn measure_boundary(settings: &Settings) -> Boundary {
    const CALLS: i64 = 10_000_000;
    const LIST_LEN: usize = 1_000_000;
    eprintln!("timing the boundary");
    let xs: Vec<i64> = (0..LIST_LEN as i64).collect();
    assert_eq!(calls::total(&xs), LIST_LEN as i64, "total(xs) is len(xs)");
    let variants: [&dyn Fn() -> f64; 4] = [
        &|| call_loop(calls::add, CALLS),
        &|| call_loop(rust_add, CALLS),
        &|| seconds(|| calls::total(black_box(&xs))),
        &|| seconds(|| black_box(black_box(&xs).to_vec()).len()),
    ];
    for warm_up in variants {
        warm_up();
    }
    let mut samples = [(); 4].map(|()| Vec::with_capacity(settings.rounds));
    for _ in 0..settings.rounds {
        for (variant, times) in variants.iter().zip(&mut samples) {
            times.push(variant());
        }
    }
    let [roast_call, rust_call, roast_list, rust_copy] = samples.map(median);
    Boundary {
        calls: CALLS,
        roast_call_ns: roast_call * 1e9 / CALLS as f64,
        rust_call_ns: rust_call * 1e9 / CALLS as f64,
        list_len: LIST_LEN,
        roast_list_ms: roast_list * 1e3,
        rust_copy_ms: rust_copy * 1e3,
    }
}

/// Compiles a generated ~10,000-line module to an object with the
/// roast-compiler library, in this (release) process.
fn measure_compile(settings: &Settings) -> Compile {
    eprintln!("timing the compiler");
    let module = generate::module(10_000);
    let source = Source::new("generated.roast", module.text.as_str());
    let compile = || {
        seconds(|| {
            driver::compile_object(&source, "roast_bench_generated", None)
                .unwrap_or_else(|e| fail(format_args!("the generated module:\n{e}")))
        })
    };
    let times = (0..if settings.quick { 1 } else { 3 })
        .map(|_| compile())
        .collect();
    Compile {
        lines: module.lines,
        functions: module.functions,
        threads: driver::jobs(),
        seconds: median(times),
    }
}

/// A Markdown table with padded columns; the first column is left-aligned,
/// the others right-aligned.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].len(), 3])
                .max()
                .unwrap_or(3)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &w))| match c {
                0 => format!("{cell:<w$}"),
                _ => format!("{cell:>w$}"),
            })
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    let rule: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(c, &w)| match c {
            0 => format!(":{}", "-".repeat(w - 1)),
            _ => format!("{}:", "-".repeat(w - 1)),
        })
        .collect();
    out.push_str(&format!("| {} |\n", rule.join(" | ")));
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

fn geometric_mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty())
        .then(|| (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp())
}

fn or_na(value: Option<f64>, format: impl Fn(f64) -> String) -> String {
    value.map_or_else(|| "n/a".to_string(), format)
}

/// Every measurement as Markdown: what goes to stdout and into RESULTS.md.
fn results_text(rows: &[Row], boundary: &Boundary, compile: &Compile) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.kernel.to_string(),
                r.n.to_string(),
                format!("{:.6}", r.roast),
                format!("{:.6}", r.rust),
                format!("{:.2}", r.roast_vs_rust()),
                or_na(r.cpython, |c| format!("{c:.4}")),
                or_na(r.cpython_vs_roast(), |c| format!("{c:.1}")),
            ]
        })
        .collect();
    let header = [
        "kernel",
        "n",
        "Roast median s",
        "Rust median s",
        "Roast/Rust",
        "CPython median s",
        "CPython/Roast",
    ];
    let mut out = String::from("## Kernels\n\n");
    out.push_str(&table(&header, &cells));
    let roast_vs_rust: Vec<f64> = rows.iter().map(Row::roast_vs_rust).collect();
    let cpython_vs_roast: Vec<f64> = rows.iter().filter_map(Row::cpython_vs_roast).collect();
    let worst = rows
        .iter()
        .max_by(|a, b| a.roast_vs_rust().total_cmp(&b.roast_vs_rust()))
        .expect("there are kernels");
    out.push_str(&format!(
        "\n- geometric mean of Roast/Rust: {}\n\
         - geometric mean of CPython/Roast: {}\n\
         - worst Roast/Rust: {:.2} ({})\n",
        or_na(geometric_mean(&roast_vs_rust), |g| format!("{g:.2}")),
        or_na(
            (cpython_vs_roast.len() == rows.len())
                .then(|| geometric_mean(&cpython_vs_roast))
                .flatten(),
            |g| format!("{g:.1}")
        ),
        worst.roast_vs_rust(),
        worst.kernel,
    ));
    let b = boundary;
    out.push_str("\n## Boundary\n\n");
    out.push_str(&table(
        &["measurement", "Roast", "Rust", "difference"],
        &[
            vec![
                format!("scalar call `add(a, b)`, {} calls", b.calls),
                format!("{:.2} ns/call", b.roast_call_ns),
                format!("{:.2} ns/call", b.rust_call_ns),
                format!("{:+.2} ns/call", b.roast_call_ns - b.rust_call_ns),
            ],
            vec![
                format!("`total(xs)` with {} ints vs copying into a Vec", b.list_len),
                format!("{:.3} ms/call", b.roast_list_ms),
                format!("{:.3} ms/call", b.rust_copy_ms),
                format!("{:+.3} ms/call", b.roast_list_ms - b.rust_copy_ms),
            ],
        ],
    ));
    let c = compile;
    out.push_str(&format!(
        "\n## Compile throughput\n\n\
         A generated module of {} lines ({} functions) compiled to an object by \
         roast-compiler ({} threads): {:.3} s, {:.0} lines/s (goal: at most 1 s).\n",
        c.lines,
        c.functions,
        c.threads,
        c.seconds,
        c.lines as f64 / c.seconds,
    ));
    out
}

/// RESULTS.md: how and where the numbers were taken, then the results.
fn results_file(settings: &Settings, python: Option<&str>, results: &str) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let mut out = String::from("# Benchmark results\n\n");
    out.push_str(&format!(
        "Generated by `{}` on {}.\n\n\
         - machine: {} CPUs (`nproc`), {cpu}\n\
         - {}\n\
         - {}\n\
         - rounds: a warm-up call each, then {} timed rounds alternating Roast and Rust \
         (medians); CPython, in its own process via `py_harness.py`: {}\n\n\
         ![Roast/Rust and CPython/Roast per kernel](results.svg)\n\n",
        settings.command(),
        command_line("date", &["-u", "+%Y-%m-%d"]),
        command_line("nproc", &[]),
        command_line("rustc", &["--version"]),
        python.unwrap_or("python3: not found (CPython columns are n/a)"),
        settings.rounds,
        if settings.quick {
            format!("{} round, no warm-up", settings.py_rounds)
        } else {
            format!("a warm-up call, then {} rounds", settings.py_rounds)
        },
    ));
    out.push_str(results);
    out
}

/// The first line `program args` prints, or `unknown` when it cannot run.
fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .map(str::to_string)
        })
        .unwrap_or_else(|| format!("unknown ({program} failed)"))
}

fn chart(rows: &[Row]) -> String {
    svg::chart(&[
        svg::Panel {
            title: "Roast / Rust (median time ratio; lower is better)",
            bars: rows
                .iter()
                .map(|r| (r.kernel, Some(r.roast_vs_rust())))
                .collect(),
            references: &[1.0, 1.5, 3.0],
            fill: "#d9622b",
        },
        svg::Panel {
            title: "CPython / Roast (how many times faster Roast is)",
            bars: rows
                .iter()
                .map(|r| (r.kernel, r.cpython_vs_roast()))
                .collect(),
            references: &[1.0],
            fill: "#3b75af",
        },
    ])
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text)
        .unwrap_or_else(|e| fail(format_args!("writing {}: {e}", path.display())));
    eprintln!("wrote {}", path.display());
}
