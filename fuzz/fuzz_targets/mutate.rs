//! `cargo fuzz run --features libfuzzer mutate`: see `fuzz/README.md`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roast_fuzz::compile_mutated(data));
