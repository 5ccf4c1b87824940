//! `cargo fuzz run --features libfuzzer compile`: see `fuzz/README.md`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roast_fuzz::compile_bytes(data));
