//! CPython 3.11's string and number formatting semantics, as safe Rust
//! functions over Rust types.
//!
//! Everything here answers "what does CPython 3.11 do?" for Roast's `int`
//! (`i64`), `float` (`f64`), `bool` and `str` (`&str`, indexed in code
//! points). Where CPython raises, the functions return a [`PyErr`] with the
//! same exception class and message; where CPython would produce an `int`
//! outside `i64`, they raise `OverflowError: int result out of 64-bit range`
//! (Roast's documented deviation). The C-ABI wrappers that compiled code calls
//! are built on top of these.
//!
//! * [`format`](mod@format): the format-spec mini-language (`format()`, f-strings,
//!   `str.format`).
//! * [`round`](mod@round): `round()` for floats and ints.
//! * [`repr`]: `repr()` of `str` and `float`.
//! * [`pystr`]: the `str` methods, indexing, slicing and repetition.
//! * [`slice`](mod@slice): `slice.indices`, shared by every sequence.
//! * [`parse`]: `int(str)` and `float(str)`.
//! * [`unicode`]: the character predicates and case mappings behind them,
//!   from tables generated out of CPython's own `unicodedata`.
//! * [`str_int`], [`str_float`], [`str_bool`]: `str()` of the scalars.
//!
//! String comparison (`<`, `==`, ...) needs no function: CPython compares
//! `str` by code point, and UTF-8 byte order is code point order, so Rust's
//! `str` ordering is already Python's.
//!
//! Where a Rust value cannot follow CPython, these functions raise rather
//! than answer differently:
//!
//! * a result too large to allocate (`format(1, "1000000000000000000")`,
//!   `"x" * 2**62`) is `MemoryError` in CPython; Roast has no such class,
//!   so it is an `OverflowError` here, instead of an aborted process;
//! * `format(0xd800, "c")` is a lone surrogate in CPython, which a UTF-8
//!   `str` cannot hold: `ValueError` here.
//!
//! `tests/py_cases.txt` holds tens of thousands of CPython answers these
//! functions are checked against (`tests/gen_py_cases.py` regenerates it).

pub mod format;
pub mod parse;
pub mod pymath;
pub mod pystr;
pub mod repr;
pub mod round;
pub mod slice;
pub mod unicode;
#[rustfmt::skip]
mod unicode_tables;

use crate::ExcKind;
use std::fmt;

pub use unicode_tables::UNICODE_VERSION;

/// A Python exception raised by one of these functions: its class and its
/// message, exactly as CPython 3.11 words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyErr {
    /// The exception class.
    pub kind: ExcKind,
    /// The message (what `str(exc)` gives in CPython).
    pub message: String,
}

impl PyErr {
    /// An exception of `kind` with `message`.
    pub fn new(kind: ExcKind, message: impl Into<String>) -> PyErr {
        PyErr {
            kind,
            message: message.into(),
        }
    }

    /// A `ValueError` with `message`.
    pub fn value_error(message: impl Into<String>) -> PyErr {
        PyErr::new(ExcKind::ValueError, message)
    }

    /// An `OverflowError` with `message`.
    pub fn overflow_error(message: impl Into<String>) -> PyErr {
        PyErr::new(ExcKind::OverflowError, message)
    }

    /// Roast's `OverflowError` for an `int` result outside `i64`.
    pub fn int_overflow() -> PyErr {
        PyErr::overflow_error("int result out of 64-bit range")
    }
}

/// Reserves room for `additional` more bytes in `out`. Where CPython
/// would raise `MemoryError` (a result too large to allocate, such as a
/// width of 10**15), this returns an `OverflowError` instead: Roast has no
/// `MemoryError`, and failing cleanly beats aborting the process.
pub(crate) fn try_reserve(out: &mut String, additional: usize) -> Result<(), PyErr> {
    out.try_reserve(additional)
        .map_err(|_| PyErr::overflow_error("result too large to allocate"))
}

impl fmt::Display for PyErr {
    /// The last line of CPython's traceback: `Kind: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for PyErr {}

/// `str(v)` for an `int`: decimal digits with a leading `-` when negative.
pub fn str_int(v: i64) -> String {
    v.to_string()
}

/// `str(x)` for a `float`, which is its `repr` ([`repr::float_repr`]):
/// the shortest round-trip digits, `1.0`, `1e+16`, `inf`, `nan`.
pub fn str_float(x: f64) -> String {
    repr::float_repr(x)
}

/// `str(b)` for a `bool`: `True` or `False`.
pub fn str_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_to_str() {
        assert_eq!(str_int(i64::MIN), "-9223372036854775808");
        assert_eq!(str_int(0), "0");
        assert_eq!(str_float(1e16), "1e+16");
        assert_eq!(str_float(-0.0), "-0.0");
        assert_eq!(str_bool(true), "True");
        assert_eq!(str_bool(false), "False");
    }

    #[test]
    fn error_display() {
        let e = PyErr::value_error("empty separator");
        assert_eq!(e.to_string(), "ValueError: empty separator");
        assert_eq!(
            PyErr::int_overflow().to_string(),
            "OverflowError: int result out of 64-bit range"
        );
    }
}
