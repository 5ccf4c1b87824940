//! `cargo fuzz run --features libfuzzer parse`: see `fuzz/README.md`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| roast_fuzz::parse_bytes(data));
