//! Cost of passing a list across the boundary: `cargo bench -p
//! roast-example-geometry --bench boundary`. Prints a table of medians over
//! rounds that alternate the variants (no timing assertions anywhere).

use std::hint::black_box;
use std::time::{Duration, Instant};

roast::include_bindings!("geo");

const N: usize = 1_000_000;
const ROUNDS: usize = 31;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let xs: Vec<i64> = (0..N as i64).collect();
    let expected: i64 = xs.iter().sum();
    assert_eq!(text::total(&xs), expected, "Roast and Rust agree");
    let variants: [(&str, &dyn Fn() -> i64); 4] = [
        ("Rust: xs.iter().sum()", &|| black_box(&xs).iter().sum()),
        ("Rust: copy into a Vec (one memcpy)", &|| {
            black_box(black_box(&xs).to_vec()).len() as i64
        }),
        ("Roast: len(xs) (the list conversion alone)", &|| {
            text::size(black_box(&xs))
        }),
        ("Roast: sum(xs)", &|| text::total(black_box(&xs))),
    ];
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); variants.len()];
    for _ in 0..ROUNDS {
        for (i, (_, f)) in variants.iter().enumerate() {
            let start = Instant::now();
            black_box(f());
            samples[i].push(start.elapsed());
        }
    }
    println!("| {N} ints | median | per item |");
    println!("|---|---|---|");
    for ((name, _), s) in variants.iter().zip(samples) {
        let m = median(s);
        println!(
            "| {name} | {:.3} ms | {:.2} ns |",
            m.as_secs_f64() * 1e3,
            m.as_secs_f64() * 1e9 / N as f64
        );
    }
}
