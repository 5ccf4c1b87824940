//! `roast-conformance-routes build|macro PROGRAM`: runs one conformance
//! program (path relative to `tests/conformance`) through the chosen cargo
//! route, printing an uncaught exception's `Kind: message` line on stderr as
//! CPython does and exiting with the program's status. A program that
//! leaves Roast objects alive (a reference-counting leak) exits with 99.
//!
//! `roast-conformance-routes all build|macro` runs every program in one
//! process (for valgrind), and `roast-conformance-routes stress` runs
//! allocation-heavy Roast functions on 8 threads at once and compares every
//! result with a sequential run; both exit nonzero on a difference or leak.

mod conformance {
    roast::include_bindings!("conformance");
}
include!(concat!(env!("OUT_DIR"), "/routes.rs"));

mod stress_lib {
    roast::include_bindings!("stress");
}
use stress_lib::stress;

/// Runs `program` through `route`; `None` for an unknown route or program.
fn run(route: &str, program: &str) -> Option<Result<i32, roast::Error>> {
    let run = match route {
        "build" => build_route(program),
        "macro" => macro_route(program),
        _ => None,
    }?;
    Some(run())
}

/// Every program in one process: counts programs that leak objects.
fn run_all(route: &str) -> i32 {
    let mut leaks = 0;
    for program in PROGRAMS {
        if run(route, program).is_none() {
            eprintln!("unknown route {route}");
            return 2;
        }
        let live = roast::__private::live_objects();
        if live != 0 {
            eprintln!("LEAK: {program}: {live} Roast objects alive");
            leaks += 1;
        }
    }
    eprintln!(
        "{} programs through the {route} route, {leaks} leaking",
        PROGRAMS.len()
    );
    i32::from(leaks != 0)
}

/// One thread's work: results (or exception lines) of every call.
fn stress_work(offset: i64) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..60 {
        let n = (i + offset) % 60;
        out.push(stress::digest(n, 20 + n % 13));
        out.push(match stress::try_risky(n) {
            Ok(v) => v.to_string(),
            Err(e) => e.to_string(),
        });
        let s = (n % 3 != 0).then(|| format!("x{n}é"));
        out.push(format!("{:?}", stress::maybe_upper(s.as_deref())));
    }
    out
}

/// 8 threads at once against a sequential run, then a leak check per thread.
fn run_stress() -> i32 {
    // The sequential run: the same work, one fresh thread at a time (module
    // state is per thread).
    let sequential: Vec<Vec<String>> = (0..8)
        .map(|t| {
            std::thread::spawn(move || stress_work(t))
                .join()
                .expect("thread finished")
        })
        .collect();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                let results = stress_work(t);
                roast::__private::release_globals();
                (results, roast::__private::live_objects())
            })
        })
        .collect();
    let mut failures = 0;
    for (t, h) in threads.into_iter().enumerate() {
        let (results, live) = h.join().expect("thread finished");
        if results != sequential[t] {
            eprintln!("thread {t}: results differ from the sequential run");
            failures += 1;
        }
        if live != 0 {
            eprintln!("thread {t}: {live} Roast objects alive");
            failures += 1;
        }
    }
    let calls: usize = sequential.iter().map(Vec::len).sum();
    eprintln!("stress: 8 threads, {calls} calls each way, {failures} failures");
    i32::from(failures != 0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [mode, route] if mode == "all" => std::process::exit(run_all(route)),
        [mode] if mode == "stress" => std::process::exit(run_stress()),
        _ => {}
    }
    let [route, program] = args.as_slice() else {
        eprintln!("usage: roast-conformance-routes build|macro PROGRAM");
        std::process::exit(2);
    };
    let Some(result) = run(route, program) else {
        eprintln!("unknown route or program: {route} {program}");
        std::process::exit(2);
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "Traceback (most recent call last):\n  File \"{}\", line {}\n{}",
                e.location().file(),
                e.location().line(),
                e.python_line()
            );
            1
        }
    };
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // Every object the program made must be freed, on raising paths too.
    let live = roast::__private::live_objects();
    if live != 0 {
        eprintln!("LEAK: {live} Roast objects still alive after the program");
        std::process::exit(99);
    }
    std::process::exit(code);
}
