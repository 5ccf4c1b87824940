//! The bounded smoke run of every fuzz target that `cargo test` (and CI)
//! does: the seed corpus, random bytes and structure-aware mutants, each
//! required to return without a panic. Deterministic (fixed seeds), so a
//! failure reproduces; the failing input is printed. Longer runs use
//! cargo-fuzz (fuzz/README.md).

use roast_fuzz::{compile_bytes, compile_mutated, corpus, mutate, parse_bytes, XorShift};

fn no_panic(target: &str, f: fn(&[u8]), data: &[u8]) {
    let outcome = std::panic::catch_unwind(|| f(data));
    assert!(
        outcome.is_ok(),
        "target `{target}` panicked on:\n-----\n{}\n-----",
        String::from_utf8_lossy(data)
    );
}

#[test]
fn every_target_survives_the_seed_corpus() {
    let corpus = corpus();
    assert!(
        corpus.len() > 250,
        "seed corpus has {} programs",
        corpus.len()
    );
    for program in corpus {
        no_panic("parse", parse_bytes, program.as_bytes());
        no_panic("compile", compile_bytes, program.as_bytes());
    }
}

#[test]
fn random_bytes_and_mutants_never_panic() {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let mut executions = 0;
    for _ in 0..1000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        no_panic("parse", parse_bytes, &bytes);
        executions += 1;
    }
    let corpus = corpus();
    for i in 0..1500 {
        let mutant = mutate(&corpus[i % corpus.len()], &mut rng);
        no_panic("compile", compile_bytes, mutant.as_bytes());
        executions += 1;
    }
    for i in 0u32..500 {
        no_panic("mutate", compile_mutated, &i.to_le_bytes());
        executions += 1;
    }
    assert_eq!(executions, 3000);
}
