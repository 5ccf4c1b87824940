//! The `math` module and `round()`: CPython's results and errors over the
//! platform's libm (the same one CPython calls).

use crate::context::Ctx;
use crate::error::ExcKind;
use crate::py::pymath;
use crate::py::round::{round_float_ndigits, round_float_to_int, round_int};
use crate::py::PyErr;
use crate::rt::{raise_py_err, MATH_DOMAIN_MESSAGE, MATH_RANGE_MESSAGE};

/// CPython's `math_1`: a NaN from a non-NaN argument is a domain error; an
/// infinity from a finite one is a range error when the function can
/// overflow, a domain error otherwise.
fn checked(x: f64, r: f64, can_overflow: bool) -> Result<f64, PyErr> {
    if r.is_nan() && !x.is_nan() {
        Err(PyErr::new(ExcKind::ValueError, MATH_DOMAIN_MESSAGE))
    } else if r.is_infinite() && x.is_finite() {
        Err(if can_overflow {
            PyErr::new(ExcKind::OverflowError, MATH_RANGE_MESSAGE)
        } else {
            PyErr::new(ExcKind::ValueError, MATH_DOMAIN_MESSAGE)
        })
    } else {
        Ok(r)
    }
}

fn log(x: f64, f: fn(f64) -> f64) -> Result<f64, PyErr> {
    if x.is_nan() || x == f64::INFINITY {
        Ok(x)
    } else if x > 0.0 {
        Ok(f(x))
    } else {
        Err(PyErr::new(ExcKind::ValueError, MATH_DOMAIN_MESSAGE))
    }
}

fn flag(b: bool) -> Result<f64, PyErr> {
    Ok(if b { 1.0 } else { 0.0 })
}

/// One-argument `math` function number `op` (the compiler's `MATH_UNARY`
/// order); `floor`/`ceil`/`trunc` give the float the caller converts, the
/// predicates give 1.0 or 0.0.
fn unary(op: i64, x: f64) -> Result<f64, PyErr> {
    match op {
        0 => checked(x, x.sqrt(), false),
        1 => Ok(x.floor()),
        2 => Ok(x.ceil()),
        3 => Ok(x.trunc()),
        4 => Ok(x.abs()),
        5 => checked(x, x.sin(), false),
        6 => checked(x, x.cos(), false),
        7 => checked(x, x.tan(), false),
        8 => checked(x, x.asin(), false),
        9 => checked(x, x.acos(), false),
        10 => checked(x, x.atan(), false),
        11 => checked(x, x.exp(), true),
        12 => log(x, f64::ln),
        13 => log(x, f64::log2),
        14 => log(x, f64::log10),
        15 => flag(x.is_nan()),
        16 => flag(x.is_infinite()),
        17 => flag(x.is_finite()),
        18 => checked(x, x.sinh(), true),
        _ => Err(PyErr::new(ExcKind::RuntimeError, "unknown math function")),
    }
}

/// CPython's `math.pow`.
fn pow(x: f64, y: f64) -> Result<f64, PyErr> {
    if x == 0.0 && y < 0.0 && y.is_finite() {
        return Err(PyErr::new(ExcKind::ValueError, MATH_DOMAIN_MESSAGE));
    }
    if x < 0.0 && x.is_finite() && y.is_finite() && y.fract() != 0.0 {
        return Err(PyErr::new(ExcKind::ValueError, MATH_DOMAIN_MESSAGE));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(PyErr::new(ExcKind::OverflowError, MATH_RANGE_MESSAGE));
    }
    Ok(r)
}

/// Two-argument `math` function number `op` (`MATH_BINARY` order).
fn binary(op: i64, x: f64, y: f64) -> Result<f64, PyErr> {
    match op {
        0 => pow(x, y),
        1 => Ok(x.atan2(y)),
        2 => Ok(pymath::hypot(x, y)),
        3 => {
            let num = log(x, f64::ln)?;
            let den = log(y, f64::ln)?;
            if den == 0.0 {
                Err(PyErr::new(
                    ExcKind::ZeroDivisionError,
                    "float division by zero",
                ))
            } else {
                Ok(num / den)
            }
        }
        4 => {
            if y == 0.0 && !x.is_nan() || x.is_infinite() && !y.is_nan() {
                Err(PyErr::new(ExcKind::ValueError, MATH_DOMAIN_MESSAGE))
            } else if y.is_infinite() && x.is_finite() {
                Ok(x)
            } else {
                Ok(x % y)
            }
        }
        _ => Err(PyErr::new(ExcKind::RuntimeError, "unknown math function")),
    }
}

/// Reports `r`'s error on `ctx`; the value or `fallback`.
///
/// # Safety
/// As [`raise_py_err`].
unsafe fn finish<T>(
    ctx: *mut Ctx,
    r: Result<T, PyErr>,
    fallback: T,
    site: (*const u8, usize, u64),
) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            // SAFETY: forwarded caller guarantees.
            unsafe { raise_py_err(ctx, e, site.0, site.1, site.2) };
            fallback
        }
    }
}

/// `math.<op>(x)`.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_math(
    ctx: *mut Ctx,
    op: i64,
    x: f64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> f64 {
    // SAFETY: forwarded caller guarantees.
    unsafe { finish(ctx, unary(op, x), 0.0, (file, file_len, pos)) }
}

/// `math.sin(x)` of an `x` compiled code has found finite: the platform's
/// libm, as CPython calls it.
#[no_mangle]
pub extern "C" fn roast_rt_sin(x: f64) -> f64 {
    x.sin()
}

/// `math.cos(x)` of a finite `x` (see [`roast_rt_sin`]).
#[no_mangle]
pub extern "C" fn roast_rt_cos(x: f64) -> f64 {
    x.cos()
}

/// `math.tan(x)` of a finite `x` (see [`roast_rt_sin`]).
#[no_mangle]
pub extern "C" fn roast_rt_tan(x: f64) -> f64 {
    x.tan()
}

/// `math.atan(x)`, which raises for no `x`.
#[no_mangle]
pub extern "C" fn roast_rt_atan(x: f64) -> f64 {
    x.atan()
}

/// `math.exp(x)` before compiled code's test for overflow.
#[no_mangle]
pub extern "C" fn roast_rt_exp(x: f64) -> f64 {
    x.exp()
}

/// `math.log(x)` of an `x` compiled code has found above 0 or NaN.
#[no_mangle]
pub extern "C" fn roast_rt_log(x: f64) -> f64 {
    x.ln()
}

/// `math.<op>(x, y)`.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_math2(
    ctx: *mut Ctx,
    op: i64,
    x: f64,
    y: f64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> f64 {
    // SAFETY: forwarded caller guarantees.
    unsafe { finish(ctx, binary(op, x, y), 0.0, (file, file_len, pos)) }
}

/// `round(x, ndigits)` of a float.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_float_round(
    ctx: *mut Ctx,
    x: f64,
    ndigits: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> f64 {
    let r = round_float_ndigits(x, ndigits);
    // SAFETY: forwarded caller guarantees.
    unsafe { finish(ctx, r, 0.0, (file, file_len, pos)) }
}

/// `round(x)` of a float: the nearest int, ties to even.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_float_round_int(
    ctx: *mut Ctx,
    x: f64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    let r = round_float_to_int(x);
    // SAFETY: forwarded caller guarantees.
    unsafe { finish(ctx, r, 0, (file, file_len, pos)) }
}

/// `round(n, ndigits)` of an int.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_int_round(
    ctx: *mut Ctx,
    n: i64,
    ndigits: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    let r = round_int(n, ndigits);
    // SAFETY: forwarded caller guarantees.
    unsafe { finish(ctx, r, 0, (file, file_len, pos)) }
}

/// Integer `math` function or builtin number `op` of `a` and `b` (the
/// compiler's `INT_MATH` order): `gcd`, `lcm`, `isqrt`, `comb`, `perm`,
/// `factorial`, `bit_length`, `bit_count`; one-argument ones ignore `b`.
fn int_math(op: i64, a: i64, b: i64) -> Result<i64, PyErr> {
    match op {
        0 => pymath::gcd(&[a, b]),
        1 => pymath::lcm(&[a, b]),
        2 => pymath::isqrt(a),
        3 => pymath::comb(a, b),
        4 => pymath::perm(a, b),
        5 => pymath::factorial(a),
        6 => Ok(pymath::bit_length(a)),
        7 => Ok(pymath::bit_count(a)),
        _ => Err(PyErr::new(ExcKind::RuntimeError, "unknown int function")),
    }
}

/// `math.<op>(a, b)` of ints (see [`int_math`]).
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_int_math(
    ctx: *mut Ctx,
    op: i64,
    a: i64,
    b: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    // SAFETY: forwarded caller guarantees.
    unsafe { finish(ctx, int_math(op, a, b), 0, (file, file_len, pos)) }
}

/// `pow(base, exp, modulus)` of ints.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_pow_mod(
    ctx: *mut Ctx,
    base: i64,
    exp: i64,
    modulus: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    let r = pymath::pow_mod(base, exp, modulus);
    // SAFETY: forwarded caller guarantees.
    unsafe { finish(ctx, r, 0, (file, file_len, pos)) }
}
