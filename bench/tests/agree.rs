//! Every kernel gives the same result in Roast, in Rust and (when `python3`
//! is on `PATH`) under CPython, at small sizes; the compile-throughput
//! generator produces a module that compiles.

use roast_bench::{cpython, generate, KERNELS};
use roast_compiler::driver::{self, Source};

#[test]
fn roast_matches_rust() {
    for kernel in &KERNELS {
        for n in kernel.test_ns {
            let roast =
                (kernel.roast)(n).unwrap_or_else(|e| panic!("{} run({n}): {e}", kernel.name));
            assert_eq!(roast, (kernel.rust)(n), "{} run({n})", kernel.name);
        }
    }
}

#[test]
fn roast_matches_cpython() {
    if cpython::version().is_none() {
        eprintln!("skipping: python3 not found");
        return;
    }
    for kernel in &KERNELS {
        let outcomes = cpython::run(&kernel.path(), &kernel.test_ns, 0, false).unwrap();
        for (n, outcome) in kernel.test_ns.into_iter().zip(outcomes) {
            let roast =
                (kernel.roast)(n).unwrap_or_else(|e| panic!("{} run({n}): {e}", kernel.name));
            assert_eq!(roast.to_string(), outcome.repr, "{} run({n})", kernel.name);
            assert_eq!(outcome.median, None);
        }
    }
}

#[test]
fn cpython_harness_times_rounds() {
    if cpython::version().is_none() {
        eprintln!("skipping: python3 not found");
        return;
    }
    let outcomes = cpython::run(&KERNELS[0].path(), &[15, 16], 2, true).unwrap();
    let reprs: Vec<&str> = outcomes.iter().map(|o| o.repr.as_str()).collect();
    assert_eq!(reprs, ["610", "987"]);
    assert!(outcomes.iter().all(|o| o.median.is_some_and(|m| m >= 0.0)));
}

#[test]
fn generated_module_compiles() {
    let module = generate::module(150);
    assert!(module.lines >= 150);
    let source = Source::new("generated.roast", module.text);
    if let Err(e) = driver::compile_object(&source, "roast_bench_generated_test", None) {
        panic!("the generated module does not compile:\n{e}");
    }
}
