//! The Roast benchmark suite: eight kernels written once in Roast
//! (`kernels/*.roast`), once in idiomatic Rust ([`rust_kernels`]) and run
//! under CPython ([`cpython`]), plus the boundary helpers of `extra/` and a
//! generator of large Roast modules for compile throughput ([`generate`]).
//!
//! `cargo run --release -p roast-bench` runs it (see `bench/README.md`).

use std::fmt;
use std::path::PathBuf;

pub mod cpython;
pub mod generate;
pub mod rust_kernels;

/// The kernels compiled by `build.rs` (one module per `kernels/*.roast`).
pub mod roast_kernels {
    roast::include_bindings!("kernels");
}

/// The call-overhead helpers of `extra/` (module `calls`).
pub mod roast_extra {
    roast::include_bindings!("extra");
}

/// A kernel's result: `run(n)` returns an `int` or a `float`.
#[derive(Debug, Clone, Copy)]
pub enum Value {
    /// An `int` result.
    Int(i64),
    /// A `float` result.
    Float(f64),
}

impl PartialEq for Value {
    /// Exact equality: floats compare bit for bit.
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    /// The value as CPython's `repr` writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&py_float_repr(x)),
        }
    }
}

/// CPython's `repr` of a float: the shortest digits that round-trip (as
/// Rust's `{:?}`, which also switches to exponent notation below 1e-4 and
/// from 1e16 on), with Python's spelling of exponents (`1e+16`, `1.5e-05`)
/// and of `nan`.
pub fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    let rust = format!("{x:?}");
    match rust.split_once('e') {
        Some((mantissa, exponent)) => {
            let exponent: i32 = exponent.parse().expect("Rust writes a decimal exponent");
            let sign = if exponent < 0 { '-' } else { '+' };
            format!("{mantissa}e{sign}{:02}", exponent.abs())
        }
        None => rust,
    }
}

/// One benchmark kernel: its Roast and Rust implementations and sizes.
#[derive(Debug, Clone, Copy)]
pub struct Kernel {
    /// The file stem in `kernels/`.
    pub name: &'static str,
    /// The Roast `run(n)`.
    pub roast: fn(i64) -> Result<Value, roast::Error>,
    /// The Rust version of the same algorithm.
    pub rust: fn(i64) -> Value,
    /// The size for a full run (the Rust version takes roughly 10-50 ms).
    pub n: i64,
    /// The size for `--quick`.
    pub quick_n: i64,
    /// Small sizes the tests check.
    pub test_ns: [i64; 3],
}

impl Kernel {
    /// The kernel's source file.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("kernels")
            .join(format!("{}.roast", self.name))
    }
}

/// Every kernel, in report order.
pub const KERNELS: [Kernel; 8] = {
    use roast_kernels as k;
    use rust_kernels as r;
    [
        Kernel {
            name: "fib",
            roast: |n| k::fib::try_run(n).map(Value::Int),
            rust: |n| Value::Int(r::fib(n)),
            n: 33,
            quick_n: 28,
            test_ns: [0, 10, 20],
        },
        Kernel {
            name: "int_loop",
            roast: |n| k::int_loop::try_run(n).map(Value::Int),
            rust: |n| Value::Int(r::int_loop(n)),
            n: 10_000_000,
            quick_n: 2_000_000,
            test_ns: [0, 100, 10_000],
        },
        Kernel {
            name: "spectral_norm",
            roast: |n| k::spectral_norm::try_run(n).map(Value::Float),
            rust: |n| Value::Float(r::spectral_norm(n)),
            n: 400,
            quick_n: 150,
            test_ns: [1, 10, 50],
        },
        Kernel {
            name: "mandelbrot",
            roast: |n| k::mandelbrot::try_run(n).map(Value::Int),
            rust: |n| Value::Int(r::mandelbrot(n)),
            n: 400,
            quick_n: 150,
            test_ns: [1, 16, 60],
        },
        Kernel {
            name: "sieve",
            roast: |n| k::sieve::try_run(n).map(Value::Int),
            rust: |n| Value::Int(r::sieve(n)),
            n: 4_000_000,
            quick_n: 1_000_000,
            test_ns: [2, 100, 10_000],
        },
        Kernel {
            name: "word_freq",
            roast: |n| k::word_freq::try_run(n).map(Value::Int),
            rust: |n| Value::Int(r::word_freq(n)),
            n: 200_000,
            quick_n: 50_000,
            test_ns: [0, 50, 2_000],
        },
        Kernel {
            name: "sort",
            roast: |n| k::sort::try_run(n).map(Value::Int),
            rust: |n| Value::Int(r::sort(n)),
            n: 1_000_000,
            quick_n: 200_000,
            test_ns: [0, 100, 5_000],
        },
        Kernel {
            name: "string_build",
            roast: |n| k::string_build::try_run(n).map(Value::Int),
            rust: |n| Value::Int(r::string_build(n)),
            n: 300_000,
            quick_n: 100_000,
            test_ns: [0, 30, 3_000],
        },
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_is_pythons() {
        // The expected strings are python3's `repr` of each value.
        let cases = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (1.2742241481294836, "1.2742241481294836"),
            (1e16, "1e+16"),
            (9999999999999998.0, "9999999999999998.0"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (1e300, "1e+300"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for (x, want) in cases {
            assert_eq!(py_float_repr(x), want);
        }
    }
}
