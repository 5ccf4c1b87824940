//! The `extern "C"` functions compiled Roast code calls.
//!
//! Raising functions take the context and the Roast source position of the
//! operation (file name bytes and `line << 32 | col`), set the pending
//! exception on failure and return a dummy value; compiled code checks
//! [`Ctx::pending`] after calling them.

use crate::context::Ctx;
use crate::error::{Error, ExcKind, Location};
use crate::py::repr::float_repr;
use std::io::Write;

/// Message of the `OverflowError` raised when an `int` leaves the i64 range.
pub const INT_OVERFLOW_MESSAGE: &str = "int result out of 64-bit range";

/// Message of the `ValueError` a `math` function raises outside its domain
/// (`math.sqrt(-1.0)`).
pub const MATH_DOMAIN_MESSAGE: &str = "math domain error";

/// The message of the `OverflowError` a `math` function raises when its
/// result overflows.
pub const MATH_RANGE_MESSAGE: &str = "math range error";

/// Builds a [`Location`] from the raw pieces compiled code passes.
///
/// # Safety
/// `file` must point to `file_len` readable bytes.
unsafe fn location(file: *const u8, file_len: usize, pos: u64) -> Location {
    // SAFETY: the caller guarantees `file` points to `file_len` bytes; compiled
    // code passes a pointer into its own read-only data.
    let bytes = unsafe { std::slice::from_raw_parts(file, file_len) };
    Location::new(
        String::from_utf8_lossy(bytes),
        (pos >> 32) as u32,
        pos as u32,
    )
}

/// Records a pending exception on `ctx`.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
pub(crate) unsafe fn raise_at(
    ctx: *mut Ctx,
    kind: ExcKind,
    message: String,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: forwarded caller guarantees.
    let location = unsafe { location(file, file_len, pos) };
    // SAFETY: `ctx` is the live, unaliased context of this thread.
    unsafe { &mut *ctx }.set_error(Error::new(kind, message, location));
}

/// Records a [`PyErr`] as the pending exception on `ctx`.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
pub(crate) unsafe fn raise_py_err(
    ctx: *mut Ctx,
    err: crate::py::PyErr,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: forwarded caller guarantees.
    unsafe { raise_at(ctx, err.kind, err.message, file, file_len, pos) }
}

/// Raises exception `kind` (an [`ExcKind`] code) with a UTF-8 message.
///
/// # Safety
/// `ctx` must be this thread's live context; `msg`/`file` must point to
/// `msg_len`/`file_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_raise(
    ctx: *mut Ctx,
    kind: u32,
    msg: *const u8,
    msg_len: usize,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    let kind = ExcKind::from_code(kind).unwrap_or(ExcKind::RuntimeError);
    // SAFETY: the caller guarantees `msg` points to `msg_len` bytes.
    let message = String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(msg, msg_len) });
    // SAFETY: forwarded caller guarantees.
    unsafe { raise_at(ctx, kind, message.into_owned(), file, file_len, pos) }
}

/// Releases the `n` references a function's frame holds (null slots are
/// skipped) and clears the slots.
///
/// # Safety
/// `frame` must point to `n` words, each null or an owned object reference.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_release_frame(frame: *mut u64, n: i64) {
    for i in 0..n.max(0) as usize {
        // SAFETY: the caller guarantees `n` readable, writable words.
        let slot = unsafe { &mut *frame.add(i) };
        let w = std::mem::take(slot);
        // SAFETY: a frame slot is null or owns one reference.
        unsafe { crate::roast_rt_decref(w as *mut u8) };
    }
}

/// Raises exception `kind` with a Roast `str` object as the message.
///
/// # Safety
/// `ctx` must be this thread's live context; `msg` a live `str` object
/// (docs/runtime-abi.md layout); `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_raise_str(
    ctx: *mut Ctx,
    kind: u32,
    msg: *const u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: a live str object: byte length at 16, UTF-8 bytes at 40.
    let message = unsafe {
        let len = *(msg.add(16) as *const u64) as usize;
        String::from_utf8_lossy(std::slice::from_raw_parts(msg.add(40), len)).into_owned()
    };
    let kind = ExcKind::from_code(kind).unwrap_or(ExcKind::RuntimeError);
    // SAFETY: forwarded caller guarantees.
    unsafe { raise_at(ctx, kind, message, file, file_len, pos) }
}

pub(crate) fn write_stdout(bytes: &[u8]) {
    // A closed stdout (e.g. a broken pipe) is not a Roast exception; the
    // output is dropped as CPython drops it at interpreter exit.
    let _ = std::io::stdout().lock().write_all(bytes);
}

/// Writes a UTF-8 string to stdout.
///
/// # Safety
/// `ptr` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_print_str(ptr: *const u8, len: usize) {
    // SAFETY: the caller guarantees `ptr` points to `len` bytes.
    write_stdout(unsafe { std::slice::from_raw_parts(ptr, len) });
}

/// Writes `str(x)` of an int to stdout.
#[no_mangle]
pub extern "C" fn roast_rt_print_int(x: i64) {
    write_stdout(x.to_string().as_bytes());
}

/// Writes `str(x)` of a float to stdout.
#[no_mangle]
pub extern "C" fn roast_rt_print_float(x: f64) {
    write_stdout(float_repr(x).as_bytes());
}

/// Writes `True` or `False` to stdout.
#[no_mangle]
pub extern "C" fn roast_rt_print_bool(x: u8) {
    write_stdout(if x != 0 { b"True" } else { b"False" });
}

/// Flushes stdout (called before a process exits).
#[no_mangle]
pub extern "C" fn roast_rt_flush() {
    let _ = std::io::stdout().lock().flush();
}

/// Python's `a // b` for floats, `b != 0` (checked by the caller).
#[no_mangle]
pub extern "C" fn roast_rt_float_floordiv(a: f64, b: f64) -> f64 {
    float_divmod(a, b).0
}

/// Python's `a % b` for floats, `b != 0` (checked by the caller).
#[no_mangle]
pub extern "C" fn roast_rt_float_mod(a: f64, b: f64) -> f64 {
    float_divmod(a, b).1
}

/// The quotient of `divmod(a, b)` for floats; `b == 0` raises
/// `ZeroDivisionError: float divmod()` as CPython.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_float_divmod(
    ctx: *mut Ctx,
    a: f64,
    b: f64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> f64 {
    if b == 0.0 {
        // SAFETY: forwarded caller guarantees.
        unsafe {
            raise_at(
                ctx,
                ExcKind::ZeroDivisionError,
                "float divmod()".to_string(),
                file,
                file_len,
                pos,
            )
        };
        return 0.0;
    }
    float_divmod(a, b).0
}

/// CPython's `float_divmod`: floor quotient and remainder with the divisor's sign.
fn float_divmod(a: f64, b: f64) -> (f64, f64) {
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0_f64.copysign(b);
    }
    let floordiv = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0_f64.copysign(a / b)
    };
    (floordiv, m)
}

/// Python's `a / b` for ints, correctly rounded as CPython does; `b != 0`.
#[no_mangle]
pub extern "C" fn roast_rt_int_truediv(a: i64, b: i64) -> f64 {
    const EXACT: u64 = 1 << 53;
    let (na, nb) = (a.unsigned_abs(), b.unsigned_abs());
    if na <= EXACT && nb <= EXACT {
        return a as f64 / b as f64;
    }
    let negative = (a < 0) != (b < 0);
    if na == 0 {
        return if negative { -0.0 } else { 0.0 };
    }
    // Scale the dividend to 127 bits so the quotient has at least 64
    // significant bits, fold the remainder into a sticky bit, and let the
    // u128 -> f64 conversion (round to nearest even) round once.
    let shift = 127 - (64 - na.leading_zeros());
    let scaled = (na as u128) << shift;
    let q = scaled / nb as u128;
    let sticky = !scaled.is_multiple_of(nb as u128) as u128;
    let magnitude = (q | sticky) as f64 * f64::from_bits(((1023 - shift as u64) & 0x7ff) << 52);
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// Exact comparison of an int with a float: -1, 0 or 1, or 2 when `b` is NaN.
#[no_mangle]
pub extern "C" fn roast_rt_int_float_cmp(a: i64, b: f64) -> i32 {
    use std::cmp::Ordering;
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    let ordering = if b.is_nan() {
        return 2;
    } else if a.unsigned_abs() <= 1 << 53 {
        (a as f64).partial_cmp(&b).unwrap_or(Ordering::Equal)
    } else if b >= TWO_63 {
        Ordering::Less
    } else if b < -TWO_63 {
        Ordering::Greater
    } else {
        let floor = b.floor();
        match a.cmp(&(floor as i64)) {
            Ordering::Equal if b > floor => Ordering::Less,
            other => other,
        }
    };
    ordering as i32
}

/// Python's `a ** b` for ints. A result outside i64 raises `OverflowError`;
/// a negative exponent raises `ValueError` (a documented deviation: CPython
/// returns a float).
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_int_pow(
    ctx: *mut Ctx,
    a: i64,
    b: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    let failure = if b < 0 {
        (
            ExcKind::ValueError,
            "int ** negative int is not supported in Roast (CPython would return a float); \
             use float ** int",
        )
    } else {
        match u32::try_from(b).ok().and_then(|e| a.checked_pow(e)) {
            Some(v) => return v,
            None if a == 0 || a == 1 => return a,
            None if a == -1 => return if b % 2 == 0 { 1 } else { -1 },
            None => (ExcKind::OverflowError, INT_OVERFLOW_MESSAGE),
        }
    };
    // SAFETY: forwarded caller guarantees.
    unsafe { raise_at(ctx, failure.0, failure.1.to_string(), file, file_len, pos) };
    0
}

/// Python's `a ** b` for floats, with CPython's special cases and errors.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_float_pow(
    ctx: *mut Ctx,
    a: f64,
    b: f64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> f64 {
    let failure = if a == 0.0 && b < 0.0 && b.is_finite() {
        (
            ExcKind::ZeroDivisionError,
            "0.0 cannot be raised to a negative power",
        )
    } else if a < 0.0 && a.is_finite() && b.is_finite() && b.fract() != 0.0 {
        (
            ExcKind::ValueError,
            "negative number cannot be raised to a fractional power \
             (CPython would return a complex number)",
        )
    } else {
        let r = a.powf(b);
        if r.is_infinite() && a.is_finite() && b.is_finite() {
            (
                ExcKind::OverflowError,
                "(34, 'Numerical result out of range')",
            )
        } else {
            return r;
        }
    };
    // SAFETY: forwarded caller guarantees.
    unsafe { raise_at(ctx, failure.0, failure.1.to_string(), file, file_len, pos) };
    0.0
}

/// Python's `int(x)` for a float: truncation; NaN raises `ValueError`,
/// infinities and values outside i64 raise `OverflowError`.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_float_to_int(
    ctx: *mut Ctx,
    x: f64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    let failure = if x.is_nan() {
        (ExcKind::ValueError, "cannot convert float NaN to integer")
    } else if x.is_infinite() {
        (
            ExcKind::OverflowError,
            "cannot convert float infinity to integer",
        )
    } else if x.trunc() >= TWO_63 || x.trunc() < -TWO_63 {
        (ExcKind::OverflowError, INT_OVERFLOW_MESSAGE)
    } else {
        return x.trunc() as i64;
    };
    // SAFETY: forwarded caller guarantees.
    unsafe { raise_at(ctx, failure.0, failure.1.to_string(), file, file_len, pos) };
    0
}

/// Takes the pending exception of `ctx` (after a compiled function returned a
/// nonzero status).
///
/// # Safety
/// `ctx` must be this thread's live context.
pub unsafe fn take_error(ctx: *mut Ctx) -> Error {
    // SAFETY: the caller guarantees `ctx` is live and unaliased.
    unsafe { &mut *ctx }.take_error().unwrap_or_else(|| {
        Error::new(
            ExcKind::RuntimeError,
            "Roast function failed without an exception",
            Location::new("<unknown>", 0, 0),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values computed with CPython 3.11 (`a // b`, `a % b`).
    #[test]
    fn float_floor_division_and_modulo_match_cpython() {
        let cases: &[(f64, f64, f64, f64)] = &[
            (7.5, 2.0, 3.0, 1.5),
            (-7.5, 2.0, -4.0, 0.5),
            (7.5, -2.0, -4.0, -0.5),
            (-7.5, -2.0, 3.0, -1.5),
            (1.0, 0.1, 9.0, 0.09999999999999995),
            (-0.0, 5.0, -0.0, 0.0),
            (0.0, -5.0, -0.0, -0.0),
        ];
        for &(a, b, q, r) in cases {
            let (fq, fr) = (roast_rt_float_floordiv(a, b), roast_rt_float_mod(a, b));
            assert_eq!(fq.to_bits(), q.to_bits(), "{a} // {b}");
            assert_eq!(fr.to_bits(), r.to_bits(), "{a} % {b}");
        }
    }

    /// Expected values are CPython 3.11's `a / b` on ints beyond 2**53.
    #[test]
    fn int_true_division_is_correctly_rounded() {
        assert_eq!(roast_rt_int_truediv(7, 2), 3.5);
        assert_eq!(
            roast_rt_int_truediv(9007199254740993, 1),
            9007199254740992.0
        );
        assert_eq!(
            roast_rt_int_truediv(9007199254740995, 1),
            9007199254740996.0
        );
        assert_eq!(roast_rt_int_truediv(i64::MAX, 3), 3.0744573456182584e+18);
        assert_eq!(roast_rt_int_truediv(-i64::MAX, 7), -1.3176245766935393e+18);
        assert_eq!(roast_rt_int_truediv(1, i64::MIN), -1.0842021724855044e-19);
    }

    /// `(2**53 + 1) < 2.0**53` etc., checked against CPython by hand.
    #[test]
    fn mixed_comparison_is_exact() {
        let big = (1i64 << 53) + 1;
        assert_eq!(roast_rt_int_float_cmp(big, 9007199254740992.0), 1);
        assert_eq!(roast_rt_int_float_cmp(big - 1, 9007199254740992.0), 0);
        assert_eq!(roast_rt_int_float_cmp(3, 3.5), -1);
        assert_eq!(roast_rt_int_float_cmp(i64::MAX, 9.3e18), -1);
        assert_eq!(roast_rt_int_float_cmp(0, f64::NAN), 2);
    }
}
