//! `int(s, base)` and `float(s)` for a `str` argument.
//!
//! Both first do what CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`
//! does: ASCII characters stay, other whitespace (`str.isspace`) becomes
//! `' '`, decimal digits of any script become ASCII digits (`'٣'` is 3),
//! and anything else ends the text with a character no grammar accepts.
//! Then they parse ASCII, where only ASCII whitespace (`" \t\n\x0b\x0c\r"`)
//! is space, so `'\x1c'`, which `str.isspace` accepts, is rejected.

use super::repr::str_repr;
use super::unicode::{decimal_value, is_space};
use super::PyErr;

/// The ASCII text CPython parses for `s`: see the module docs. An
/// unconvertible character becomes `?` and ends the text.
fn transform_to_ascii(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        if c < '\x7f' {
            out.push(c as u8);
        } else if is_space(c) {
            out.push(b' ');
        } else if let Some(d) = decimal_value(c) {
            out.push(b'0' + d as u8);
        } else {
            out.push(b'?');
            break;
        }
    }
    out
}

/// C's `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// The value of an ASCII digit or letter (`_PyLong_DigitValue`), 37 for
/// anything else.
fn digit_value(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        b'a'..=b'z' => u32::from(b - b'a') + 10,
        b'A'..=b'Z' => u32::from(b - b'A') + 10,
        _ => 37,
    }
}

/// The value of `bytes` when they are the common case of `int(s)`: an
/// optional `-` and 1 to 18 ASCII digits, nothing else (so the value fits
/// in `i64`; leading zeros are fine in base 10). Everything else (spaces,
/// `+`, underscores, other digits, more digits, errors) takes the full
/// parse.
pub(crate) fn plain_decimal(bytes: &[u8]) -> Option<i64> {
    let (negative, digits) = match bytes {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut value = 0i64;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(if negative { -value } else { value })
}

/// CPython's default `sys.get_int_max_str_digits()`.
const MAX_STR_DIGITS: usize = 4300;

/// `int(s, base)`: optional whitespace, an optional sign, digits of `base`
/// (letters for bases above 10) with single underscores between them, and
/// whitespace. `base` 0 reads the base from a `0x`/`0o`/`0b` prefix, else 10,
/// where a leading zero is only allowed in zero itself (`"00"`, not `"07"`);
/// the prefix matching `base` is also allowed for 2, 8 and 16.
///
/// Errors: `ValueError: invalid literal for int() with base 10: 'x2'` (the
/// `repr` of `s`, cut at 200 characters), `ValueError: int() base must be
/// >= 2 and <= 36, or 0`, CPython's `ValueError` for more than 4300 digits
/// in a base that is not a power of two, and Roast's `OverflowError` for a
/// value outside `i64`.
pub fn parse_int(s: &str, base: u32) -> Result<i64, PyErr> {
    if let (10, Some(v)) = (base, plain_decimal(s.as_bytes())) {
        return Ok(v);
    }
    if base == 1 || base > 36 {
        return Err(PyErr::value_error(
            "int() base must be >= 2 and <= 36, or 0",
        ));
    }
    let invalid = || {
        let repr: String = str_repr(s).chars().take(200).collect();
        PyErr::value_error(format!(
            "invalid literal for int() with base {base}: {repr}"
        ))
    };
    let buf = transform_to_ascii(s);
    // A NUL ends the C string CPython parses, so read past the end as NUL.
    let at = |i: usize| buf.get(i).copied().unwrap_or(0);
    let mut p = 0;
    while at(p) != 0 && is_c_space(at(p)) {
        p += 1;
    }
    let negative = at(p) == b'-';
    if matches!(at(p), b'+' | b'-') {
        p += 1;
    }
    let mut base = base;
    let mut error_if_nonzero = false;
    if base == 0 {
        base = match (at(p), at(p + 1)) {
            (b'0', b'x' | b'X') => 16,
            (b'0', b'o' | b'O') => 8,
            (b'0', b'b' | b'B') => 2,
            (b'0', _) => {
                // An old-style octal literal, invalid unless zero.
                error_if_nonzero = true;
                10
            }
            _ => 10,
        };
    }
    if at(p) == b'0'
        && matches!(
            (base, at(p + 1)),
            (16, b'x' | b'X') | (8, b'o' | b'O') | (2, b'b' | b'B')
        )
    {
        p += 2;
        // One underscore is allowed after the prefix.
        if at(p) == b'_' {
            p += 1;
        }
    }
    if at(p) == b'_' {
        return Err(invalid());
    }
    let start = p;
    let mut digits = 0usize;
    let mut prev = 0u8;
    // The magnitude, or None once it exceeds u64.
    let mut value: Option<u64> = Some(0);
    while digit_value(at(p)) < base || at(p) == b'_' {
        let b = at(p);
        if b == b'_' {
            if prev == b'_' {
                return Err(invalid());
            }
        } else {
            digits += 1;
            value = value
                .and_then(|v| v.checked_mul(u64::from(base)))
                .and_then(|v| v.checked_add(u64::from(digit_value(b))));
        }
        prev = b;
        p += 1;
    }
    if prev == b'_' {
        return Err(invalid());
    }
    if !base.is_power_of_two() && digits > MAX_STR_DIGITS {
        return Err(PyErr::value_error(format!(
            "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: \
             value has {digits} digits; use sys.set_int_max_str_digits() to increase the limit"
        )));
    }
    if (error_if_nonzero && value != Some(0)) || p == start {
        return Err(invalid());
    }
    while at(p) != 0 && is_c_space(at(p)) {
        p += 1;
    }
    if p != buf.len() {
        return Err(invalid());
    }
    let magnitude = value.ok_or_else(PyErr::int_overflow)?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
    .ok_or_else(PyErr::int_overflow)
}

/// `float(s)`: optional whitespace, then `[sign]` and either a decimal
/// number (`1`, `1.`, `.5`, `1e5`, `1.5E-3`, with single underscores
/// between digits) or `inf`, `infinity`, `nan` in any case, then
/// whitespace. Correctly rounded; out-of-range exponents give `inf` or
/// `0.0`. Anything else is `ValueError: could not convert string to float:
/// 'abc'` (the full `repr` of `s`).
pub fn parse_float(s: &str) -> Result<f64, PyErr> {
    let invalid = || {
        PyErr::value_error(format!(
            "could not convert string to float: {}",
            str_repr(s)
        ))
    };
    let mut buf = transform_to_ascii(s);
    if buf.contains(&b'_') {
        // _Py_string_to_number_with_underscores: an underscore must sit
        // between two ASCII digits.
        let ok = buf.iter().enumerate().all(|(i, &b)| {
            b != b'_'
                || (i > 0
                    && buf[i - 1].is_ascii_digit()
                    && buf.get(i + 1).is_some_and(u8::is_ascii_digit))
        });
        if !ok {
            return Err(invalid());
        }
        buf.retain(|&b| b != b'_');
    }
    let text = std::str::from_utf8(&buf).expect("transformed text is ASCII");
    let text = text.trim_matches(|c: char| c.is_ascii() && is_c_space(c as u8));
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if body.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else if is_decimal_literal(body) {
        body.parse::<f64>().map_err(|_| invalid())?
    } else {
        return Err(invalid());
    };
    Ok(if negative { -magnitude } else { magnitude })
}

/// `digits[.digits][(e|E)[sign]digits]` with at least one mantissa digit
/// (either side of the point): what `_Py_dg_strtod` accepts after the sign.
fn is_decimal_literal(body: &str) -> bool {
    let b = body.as_bytes();
    let digits_at = |i: usize| {
        b[i.min(b.len())..]
            .iter()
            .take_while(|d| d.is_ascii_digit())
            .count()
    };
    let mut p = digits_at(0);
    let mut mantissa_digits = p;
    if b.get(p) == Some(&b'.') {
        p += 1;
        let frac = digits_at(p);
        p += frac;
        mantissa_digits += frac;
    }
    if mantissa_digits == 0 {
        return false;
    }
    if matches!(b.get(p), Some(b'e' | b'E')) {
        p += 1;
        if matches!(b.get(p), Some(b'+' | b'-')) {
            p += 1;
        }
        let exp = digits_at(p);
        if exp == 0 {
            return false;
        }
        p += exp;
    }
    p == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values are CPython 3.11's.
    #[test]
    fn ints() {
        assert_eq!(parse_int(" -0x_1f ", 0), Ok(-31));
        assert_eq!(parse_int("1_000", 10), Ok(1000));
        assert_eq!(parse_int("٣", 10), Ok(3));
        assert_eq!(parse_int("\u{2003}7\u{85}", 10), Ok(7));
        assert_eq!(parse_int("0b101", 2), Ok(5));
        assert_eq!(parse_int("0b1", 16), Ok(0xb1));
        assert_eq!(parse_int("-9223372036854775808", 10), Ok(i64::MIN));
        assert_eq!(
            parse_int("9223372036854775808", 10),
            Err(PyErr::int_overflow())
        );
        assert_eq!(parse_int("0_0", 0), Ok(0));
        let msg = |s, base| parse_int(s, base).unwrap_err().message;
        assert_eq!(
            msg("x2", 10),
            "invalid literal for int() with base 10: 'x2'"
        );
        assert_eq!(msg("07", 0), "invalid literal for int() with base 0: '07'");
        assert_eq!(
            msg("1__0", 10),
            "invalid literal for int() with base 10: '1__0'"
        );
        assert_eq!(
            msg("\x1c5", 10),
            "invalid literal for int() with base 10: '\\x1c5'"
        );
        assert_eq!(msg("1", 37), "int() base must be >= 2 and <= 36, or 0");
        assert!(msg(&"1".repeat(5000), 10).starts_with("Exceeds the limit (4300 digits)"));
        assert_eq!(
            parse_int(&"1".repeat(5000), 0x10).unwrap_err(),
            PyErr::int_overflow()
        );
        let long = parse_int(&"x".repeat(300), 10).unwrap_err().message;
        assert_eq!(
            long.chars().count(),
            "invalid literal for int() with base 10: ".len() + 200
        );
    }

    #[test]
    fn floats() {
        assert_eq!(parse_float(" 1_0.2_5e1_0 "), Ok(10.25e10));
        assert_eq!(parse_float("-iNfInItY"), Ok(f64::NEG_INFINITY));
        assert!(parse_float("nan").unwrap().is_nan());
        assert_eq!(parse_float("1e400"), Ok(f64::INFINITY));
        assert_eq!(parse_float("-1e-400"), Ok(-0.0));
        assert_eq!(parse_float(".5"), Ok(0.5));
        assert_eq!(parse_float("5."), Ok(5.0));
        assert_eq!(parse_float("١.٥"), Ok(1.5));
        for bad in [
            "", " ", ".", "e5", "1e", "1_", "_1", "1__0", "1_.5", "infinit", "0x1", "1 2",
        ] {
            assert_eq!(
                parse_float(bad).unwrap_err().message,
                format!("could not convert string to float: {}", str_repr(bad)),
            );
        }
    }
}
