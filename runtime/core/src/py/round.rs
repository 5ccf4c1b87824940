//! `round()` for `float` and `int`, as CPython 3.11 computes it.

use super::PyErr;

/// What `round(x, ndigits)` returns for a float `x`: an `int` when
/// `ndigits` is omitted or `None`, a `float` otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rounded {
    /// `round(x)`.
    Int(i64),
    /// `round(x, n)`.
    Float(f64),
}

/// `round(x, ndigits)` for a float `x`, dispatching on whether `ndigits`
/// is given: see [`round_float_to_int`] and [`round_float_ndigits`].
pub fn round_float(x: f64, ndigits: Option<i64>) -> Result<Rounded, PyErr> {
    match ndigits {
        None => round_float_to_int(x).map(Rounded::Int),
        Some(n) => round_float_ndigits(x, n).map(Rounded::Float),
    }
}

/// `round(x)`: the nearest integer, ties to even (`round(0.5)` is 0,
/// `round(1.5)` is 2, `round(-0.5)` is 0). NaN is `ValueError: cannot
/// convert float NaN to integer`, an infinity `OverflowError: cannot convert
/// float infinity to integer`, and a result outside `i64` Roast's
/// `OverflowError`.
pub fn round_float_to_int(x: f64) -> Result<i64, PyErr> {
    if x.is_nan() {
        return Err(PyErr::value_error("cannot convert float NaN to integer"));
    }
    if x.is_infinite() {
        return Err(PyErr::overflow_error(
            "cannot convert float infinity to integer",
        ));
    }
    let r = x.round_ties_even();
    // -2**63 and 2**63 are exact f64 values.
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&r) {
        Ok(r as i64)
    } else {
        Err(PyErr::int_overflow())
    }
}

/// `round(x, ndigits)` for a float: `x` rounded to a multiple of
/// `10**-ndigits`, as CPython's `double_round` does it: round the exact
/// binary value of `x` to that many decimal places, ties to even
/// (`round(2.675, 2)` is 2.67 because 2.675 is really 2.67499999...), then
/// read the decimal back correctly rounded. The sign of `x` survives a zero
/// result (`round(-0.4)` with `ndigits=0` is `-0.0`); NaN and infinities
/// are returned unchanged; a result too large for a float is
/// `OverflowError: rounded value too large to represent`.
pub fn round_float_ndigits(x: f64, ndigits: i64) -> Result<f64, PyErr> {
    // CPython's NDIGITS_MAX and NDIGITS_MIN: beyond them x always rounds
    // to itself, or to a zero of its sign.
    const NDIGITS_MAX: i64 = 323;
    const NDIGITS_MIN: i64 = -308;
    if !x.is_finite() || ndigits > NDIGITS_MAX {
        return Ok(x);
    }
    if ndigits < NDIGITS_MIN {
        return Ok(0.0 * x);
    }
    let magnitude = if ndigits >= 0 {
        // Rust rounds the exact binary value half to even.
        format!("{:.*}", ndigits as usize, x.abs())
    } else {
        let k = ndigits.unsigned_abs() as usize;
        let int_part = x.abs().trunc();
        // An integral f64 prints as its exact decimal value.
        let digits = format!("{int_part:.0}");
        let digits = format!("{digits:0>k$}");
        let (head, tail) = digits.split_at(digits.len() - k);
        let tail = tail.as_bytes();
        let rest_zero = tail[1..].iter().all(|&d| d == b'0') && int_part == x.abs();
        let head_odd = head.bytes().last().is_some_and(|d| (d - b'0') % 2 == 1);
        let round_up = tail[0] > b'5' || (tail[0] == b'5' && (!rest_zero || head_odd));
        let head = if round_up {
            increment_decimal(head)
        } else {
            head.to_string()
        };
        format!("{}e{k}", if head.is_empty() { "0" } else { &head })
    };
    let rounded: f64 = magnitude.parse().expect("a decimal numeral parses");
    if rounded.is_infinite() {
        return Err(PyErr::overflow_error(
            "rounded value too large to represent",
        ));
    }
    Ok(rounded.copysign(x))
}

/// `digits + 1` for a string of ASCII decimal digits (`""` counts as 0).
pub(super) fn increment_decimal(digits: &str) -> String {
    let mut out = digits.as_bytes().to_vec();
    for d in out.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return String::from_utf8(out).expect("ASCII digits");
        }
    }
    out.insert(0, b'1');
    String::from_utf8(out).expect("ASCII digits")
}

/// `round(v, ndigits)` for an int: `v` itself when `ndigits >= 0`,
/// otherwise the nearest multiple of `10**-ndigits`, ties to even
/// (`round(1250, -2)` is 1200, `round(1350, -2)` is 1400, `round(-1250, -2)`
/// is -1200). A result outside `i64` (`round(9 * 10**18, -19)`) is Roast's
/// `OverflowError`.
pub fn round_int(v: i64, ndigits: i64) -> Result<i64, PyErr> {
    if ndigits >= 0 {
        return Ok(v);
    }
    // |v| < 10**19, so for 10**20 and beyond the nearest multiple is 0.
    if ndigits < -19 {
        return Ok(0);
    }
    let p = 10i128.pow(ndigits.unsigned_abs() as u32);
    let v = i128::from(v);
    // divmod_near: floor division, then round the quotient half to even.
    let (mut q, r) = (v.div_euclid(p), v.rem_euclid(p));
    if 2 * r > p || (2 * r == p && q % 2 != 0) {
        q += 1;
    }
    i64::try_from(q * p).map_err(|_| PyErr::int_overflow())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values are CPython 3.11's.
    #[test]
    fn round_to_int() {
        assert_eq!(round_float_to_int(0.5), Ok(0));
        assert_eq!(round_float_to_int(1.5), Ok(2));
        assert_eq!(round_float_to_int(-0.5), Ok(0));
        assert_eq!(round_float_to_int(-2.5), Ok(-2));
        assert_eq!(round_float_to_int(-(2f64.powi(63))), Ok(i64::MIN));
        assert_eq!(
            round_float_to_int(2f64.powi(63)),
            Err(PyErr::int_overflow())
        );
        assert_eq!(
            round_float_to_int(f64::NAN).unwrap_err().message,
            "cannot convert float NaN to integer"
        );
        assert_eq!(
            round_float(f64::NEG_INFINITY, None).unwrap_err().message,
            "cannot convert float infinity to integer"
        );
    }

    #[test]
    fn round_to_digits() {
        let r = |x, n| round_float_ndigits(x, n).unwrap();
        assert_eq!(r(2.675, 2), 2.67);
        assert_eq!(r(0.125, 2), 0.12);
        assert_eq!(r(0.375, 2), 0.38);
        assert_eq!(r(1234.5, -1), 1230.0);
        assert_eq!(r(1250.0, -2), 1200.0);
        assert_eq!(r(1250.0001, -2), 1300.0);
        assert_eq!(r(-1350.0, -2), -1400.0);
        assert_eq!(r(999.0, -3), 1000.0);
        assert_eq!(r(499.0, -3), 0.0);
        assert!(r(-0.4, 0).is_sign_negative());
        assert!(r(-1e-300, 5).is_sign_negative());
        assert_eq!(r(5e-324, 400), 5e-324);
        assert!(r(-1e300, -400).is_sign_negative());
        assert_eq!(
            round_float(1.7976931348623157e308, Some(-308)),
            Err(PyErr::overflow_error(
                "rounded value too large to represent"
            ))
        );
        assert_eq!(round_float(2.5, Some(0)), Ok(Rounded::Float(2.0)));
    }

    #[test]
    fn round_ints() {
        assert_eq!(round_int(1234, -2), Ok(1200));
        assert_eq!(round_int(1250, -2), Ok(1200));
        assert_eq!(round_int(1350, -2), Ok(1400));
        assert_eq!(round_int(-1250, -2), Ok(-1200));
        assert_eq!(round_int(-1251, -2), Ok(-1300));
        assert_eq!(round_int(7, 3), Ok(7));
        assert_eq!(round_int(5, -1), Ok(0));
        assert_eq!(round_int(15, -1), Ok(20));
        assert_eq!(round_int(i64::MAX, -20), Ok(0));
        assert_eq!(round_int(i64::MIN, i64::MIN), Ok(0));
        assert_eq!(
            round_int(9_000_000_000_000_000_000, -19),
            Err(PyErr::int_overflow())
        );
        assert_eq!(round_int(4_000_000_000_000_000_000, -19), Ok(0));
    }
}
