//! The kernels of `kernels/*.roast`, written as idiomatic Rust: the same
//! algorithm, the same results bit for bit (floats do the same operations in
//! the same order).
//!
//! Python's `%` and `//` floor; every `%` and `//` below has nonnegative
//! operands (Rust's `%` and `/` agree there) except the checksum in
//! [`sort`], whose dividend can be negative and so uses `rem_euclid`.

use std::collections::HashMap;
use std::fmt::Write;

/// `fib.roast`: recursive Fibonacci.
pub fn fib(n: i64) -> i64 {
    if n < 2 {
        n
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

/// `int_loop.roast`: an integer loop with `%` and a data-dependent branch.
pub fn int_loop(n: i64) -> i64 {
    let mut total = 0;
    for i in 0..n {
        if i % 3 == 0 || i % 5 == 0 {
            total += i * i % 7;
        } else {
            total -= i % 11;
        }
    }
    total
}

fn eval_a(i: usize, j: usize) -> f64 {
    1.0 / ((i + j) * (i + j + 1) / 2 + i + 1) as f64
}

fn mul_av(v: &[f64], out: &mut [f64]) {
    for (i, o) in out.iter_mut().enumerate() {
        let mut s = 0.0;
        for (j, x) in v.iter().enumerate() {
            s += eval_a(i, j) * x;
        }
        *o = s;
    }
}

fn mul_atv(v: &[f64], out: &mut [f64]) {
    for (i, o) in out.iter_mut().enumerate() {
        let mut s = 0.0;
        for (j, x) in v.iter().enumerate() {
            s += eval_a(j, i) * x;
        }
        *o = s;
    }
}

fn mul_atav(v: &[f64], out: &mut [f64], tmp: &mut [f64]) {
    mul_av(v, tmp);
    mul_atv(tmp, out);
}

/// `spectral_norm.roast`: the spectral norm of the matrix A, on `Vec<f64>`.
pub fn spectral_norm(n: i64) -> f64 {
    let n = n as usize;
    let mut u = vec![1.0; n];
    let mut v = vec![0.0; n];
    let mut tmp = vec![0.0; n];
    for _ in 0..10 {
        mul_atav(&u, &mut v, &mut tmp);
        mul_atav(&v, &mut u, &mut tmp);
    }
    let mut vbv = 0.0;
    let mut vv = 0.0;
    for (a, b) in u.iter().zip(&v) {
        vbv += a * b;
        vv += b * b;
    }
    (vbv / vv).sqrt()
}

/// `mandelbrot.roast`: points of an n-by-n grid inside the Mandelbrot set.
pub fn mandelbrot(n: i64) -> i64 {
    let size = n as f64;
    let mut inside = 0;
    for y in 0..n {
        let ci = 2.0 * y as f64 / size - 1.0;
        for x in 0..n {
            let cr = 2.0 * x as f64 / size - 1.5;
            let (mut zr, mut zi) = (0.0_f64, 0.0_f64);
            let mut i = 0;
            while i < 50 && zr * zr + zi * zi <= 4.0 {
                (zr, zi) = (zr * zr - zi * zi + cr, 2.0 * zr * zi + ci);
                i += 1;
            }
            if i == 50 {
                inside += 1;
            }
        }
    }
    inside
}

/// `sieve.roast`: the number of primes below n, on a `Vec<bool>`.
pub fn sieve(n: i64) -> i64 {
    let n = n as usize;
    let mut is_prime = vec![true; n];
    is_prime[0] = false;
    is_prime[1] = false;
    let mut i = 2;
    while i * i < n {
        if is_prime[i] {
            for j in (i * i..n).step_by(i) {
                is_prime[j] = false;
            }
        }
        i += 1;
    }
    is_prime.iter().filter(|&&p| p).count() as i64
}

const WORDS: [&str; 20] = [
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and", "runs", "away", "from",
    "a", "big", "red", "barn", "while", "birds", "sing", "loudly",
];

fn make_text(n: i64) -> String {
    let mut parts = Vec::with_capacity(n as usize);
    let mut seed: i64 = 12345;
    for _ in 0..n {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        let word = WORDS[(seed % WORDS.len() as i64) as usize];
        if seed % 7 == 0 {
            parts.push(format!("{word}{}", seed % 100));
        } else {
            parts.push(word.to_string());
        }
    }
    parts.join(" ")
}

/// `word_freq.roast`: word frequencies in a `HashMap<&str, i64>` (the
/// default hasher) over generated text.
pub fn word_freq(n: i64) -> i64 {
    let text = make_text(n);
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word).or_insert(0) += 1;
    }
    let score: i64 = counts
        .iter()
        .map(|(word, &count)| word.len() as i64 * count * count)
        .sum();
    score + counts.len() as i64
}

/// `sort.roast`: `sort_unstable` of n pseudo-random ints (the same order as
/// Python's stable `sorted`, since equal ints are indistinguishable), then a
/// checksum of the order.
pub fn sort(n: i64) -> i64 {
    let mut seed: i64 = 42;
    let mut xs: Vec<i64> = (0..n)
        .map(|_| {
            seed = (seed * 1103515245 + 12345) % 2147483648;
            seed - 1073741824
        })
        .collect();
    xs.sort_unstable();
    xs.iter()
        .step_by(97)
        .fold(0, |check, &y| (check * 31 + y).rem_euclid(1000000009))
}

/// `string_build.roast`: `write!` into a `String`, chunks joined with `\n`.
pub fn string_build(n: i64) -> i64 {
    let mut chunks = Vec::new();
    let mut line = String::new();
    for i in 0..n {
        write!(line, "{i}:{:02},", i * 7 % 13).expect("writing to a String cannot fail");
        if line.len() > 200 {
            chunks.push(std::mem::take(&mut line));
        }
    }
    chunks.push(line);
    let out = chunks.join("\n");
    (out.len() + out.matches('7').count() + chunks.len()) as i64
}
