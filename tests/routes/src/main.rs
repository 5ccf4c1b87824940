//! `roast-conformance-routes build|macro PROGRAM`: runs one conformance
//! program (path relative to `tests/conformance`) through the chosen cargo
//! route, printing an uncaught exception's `Kind: message` line on stderr as
//! CPython does and exiting with the program's status. A program that
//! leaves Roast objects alive (a reference-counting leak) exits with 99.

mod conformance {
    roast::include_bindings!("conformance");
}
include!(concat!(env!("OUT_DIR"), "/routes.rs"));

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [route, program] = args.as_slice() else {
        eprintln!("usage: roast-conformance-routes build|macro PROGRAM");
        std::process::exit(2);
    };
    let run = match route.as_str() {
        "build" => build_route(program),
        "macro" => macro_route(program),
        _ => None,
    };
    let Some(run) = run else {
        eprintln!("unknown route or program: {route} {program}");
        std::process::exit(2);
    };
    let code = match run() {
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
