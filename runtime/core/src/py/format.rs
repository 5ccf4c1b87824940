//! The format-spec mini-language: `format(value, spec)`, f-string
//! `{value:spec}` and `str.format`, for `int`, `bool`, `float` and `str`.
//!
//! A port of CPython 3.11's `Python/formatter_unicode.c` and of the parts of
//! `Python/pystrtod.c` (`format_float_short`) it relies on:
//!
//! ```text
//! [[fill]align][sign][z][#][0][width][grouping][.precision][type]
//! ```
//!
//! Widths count code points. The `n` type formats as in the C locale, which
//! is the locale a CPython program runs in unless it calls
//! `locale.setlocale` (Roast has no `locale` module): no grouping, `.` as
//! the decimal point.

use super::unicode::decimal_value;
use super::PyErr;
use crate::float_repr::float_repr;

/// The `,` / `_` grouping option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grouping {
    None,
    Comma,
    Underscore,
    /// `_` with `b`, `o`, `x`, `X`: every four digits.
    UnderscoreFour,
}

/// A parsed format spec (CPython's `InternalFormatSpec`).
#[derive(Debug, Clone, Copy)]
struct Spec {
    fill: char,
    align: char,
    /// `'+'`, `'-'`, `' '` or `'\0'` when absent.
    sign: char,
    no_neg_0: bool,
    alternate: bool,
    /// `-1` when absent.
    width: i64,
    grouping: Grouping,
    /// `-1` when absent.
    precision: i64,
    /// The presentation type; `'\0'` means none (for floats).
    ty: char,
}

/// Reads decimal digits (of any script, as `Py_UNICODE_TODECIMAL`) at
/// `*pos`. Returns how many were read and their value.
fn get_integer(spec: &[char], pos: &mut usize) -> Result<(usize, i64), PyErr> {
    let mut acc: i64 = 0;
    let start = *pos;
    while let Some(d) = spec.get(*pos).and_then(|&c| decimal_value(c)) {
        acc = acc
            .checked_mul(10)
            .and_then(|a| a.checked_add(i64::from(d)))
            .ok_or_else(|| PyErr::value_error("Too many decimal digits in format string"))?;
        *pos += 1;
    }
    Ok((*pos - start, acc))
}

/// `"'c'"` for printable ASCII, else `"'\xhh'"`, as CPython's messages show
/// a presentation type.
fn type_char(ty: char) -> String {
    if (' '..'\x7f').contains(&ty) && ty != ' ' {
        format!("'{ty}'")
    } else {
        format!("'\\x{:x}'", ty as u32)
    }
}

fn unknown_presentation_type(ty: char, type_name: &str) -> PyErr {
    PyErr::value_error(format!(
        "Unknown format code {} for object of type '{type_name}'",
        type_char(ty)
    ))
}

/// `parse_internal_render_format_spec`: everything that can be checked
/// without knowing the value.
fn parse_spec(
    spec: &str,
    type_name: &str,
    default_type: char,
    default_align: char,
) -> Result<Spec, PyErr> {
    let chars: Vec<char> = spec.chars().collect();
    let end = chars.len();
    let at = |i: usize| chars.get(i).copied();
    let is_align = |c: Option<char>| matches!(c, Some('<' | '>' | '=' | '^'));
    let mut out = Spec {
        fill: ' ',
        align: default_align,
        sign: '\0',
        no_neg_0: false,
        alternate: false,
        width: -1,
        grouping: Grouping::None,
        precision: -1,
        ty: default_type,
    };
    let mut pos = 0;
    let mut fill_specified = false;
    let mut align_specified = false;
    if end >= 2 && is_align(at(1)) {
        out.align = chars[1];
        out.fill = chars[0];
        fill_specified = true;
        align_specified = true;
        pos = 2;
    } else if is_align(at(0)) {
        out.align = chars[0];
        align_specified = true;
        pos = 1;
    }
    if let Some(c @ ('+' | '-' | ' ')) = at(pos) {
        out.sign = c;
        pos += 1;
    }
    if at(pos) == Some('z') {
        out.no_neg_0 = true;
        pos += 1;
    }
    if at(pos) == Some('#') {
        out.alternate = true;
        pos += 1;
    }
    if !fill_specified && at(pos) == Some('0') {
        out.fill = '0';
        if !align_specified && default_align == '>' {
            out.align = '=';
        }
        pos += 1;
    }
    let (consumed, width) = get_integer(&chars, &mut pos)?;
    if consumed > 0 {
        out.width = width;
    }
    let both = || PyErr::value_error("Cannot specify both ',' and '_'.");
    if at(pos) == Some(',') {
        out.grouping = Grouping::Comma;
        pos += 1;
    }
    if at(pos) == Some('_') {
        if out.grouping != Grouping::None {
            return Err(both());
        }
        out.grouping = Grouping::Underscore;
        pos += 1;
    }
    if at(pos) == Some(',') && out.grouping == Grouping::Underscore {
        return Err(both());
    }
    if at(pos) == Some('.') {
        pos += 1;
        let (consumed, precision) = get_integer(&chars, &mut pos)?;
        if consumed == 0 {
            return Err(PyErr::value_error("Format specifier missing precision"));
        }
        out.precision = precision;
    }
    if end - pos > 1 {
        return Err(PyErr::value_error(format!(
            "Invalid format specifier '{spec}' for object of type '{type_name}'"
        )));
    }
    if end - pos == 1 {
        out.ty = chars[pos];
    }
    if out.grouping != Grouping::None {
        match out.ty {
            'd' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F' | '\0' => {}
            'b' | 'o' | 'x' | 'X' if out.grouping == Grouping::Underscore => {
                out.grouping = Grouping::UnderscoreFour;
            }
            ty => {
                let sep = if out.grouping == Grouping::Comma {
                    ','
                } else {
                    '_'
                };
                return Err(PyErr::value_error(format!(
                    "Cannot specify '{sep}' with {}.",
                    type_char(ty)
                )));
            }
        }
    }
    Ok(out)
}

/// Reserves `additional` bytes, failing cleanly where CPython would raise
/// `MemoryError` (a width or precision too large to allocate).
fn reserve(out: &mut String, additional: usize) -> Result<(), PyErr> {
    out.try_reserve(additional)
        .map_err(|_| PyErr::overflow_error("formatted result too large to allocate"))
}

/// Appends `n` copies of `c` (`n <= 0` appends nothing).
fn pad(out: &mut String, c: char, n: i64) -> Result<(), PyErr> {
    if n > 0 {
        let n = usize::try_from(n).map_err(|_| PyErr::int_overflow())?;
        let bytes = n
            .checked_mul(c.len_utf8())
            .ok_or_else(|| PyErr::overflow_error("formatted result too large to allocate"))?;
        reserve(out, bytes)?;
        out.extend(std::iter::repeat_n(c, n));
    }
    Ok(())
}

/// `_PyUnicode_InsertThousandsGrouping`: ASCII `digits` with a separator
/// every `size` digits from the right (when grouping is `Some((size, sep))`),
/// zero padded on the left, separators included, to at least `min_width`.
fn group_digits(digits: &str, min_width: i64, grouping: Option<(i64, u8)>) -> String {
    let digits = digits.as_bytes();
    // Built right to left, one group at a time: separator, digits, zeros.
    let mut rev: Vec<u8> = Vec::new();
    let mut next = digits.len();
    let mut emit = |rev: &mut Vec<u8>, n_chars: i64, n_zeros: i64, sep: Option<u8>| {
        rev.extend(sep);
        let start = next - n_chars as usize;
        rev.extend(digits[start..next].iter().rev());
        next = start;
        rev.extend(std::iter::repeat_n(b'0', n_zeros as usize));
    };
    let mut min_width = min_width.max(0);
    let mut remaining = digits.len() as i64;
    if let Some((size, separator)) = grouping {
        let mut sep = None;
        loop {
            let len = size.min(remaining.max(min_width).max(1));
            let n_zeros = (len - remaining).max(0);
            let n_chars = remaining.min(len).max(0);
            emit(&mut rev, n_chars, n_zeros, sep);
            sep = Some(separator);
            remaining -= n_chars;
            min_width -= len;
            if remaining <= 0 && min_width <= 0 {
                break;
            }
            min_width -= 1;
        }
    } else {
        let len = remaining.max(min_width).max(1);
        emit(&mut rev, remaining.min(len), (len - remaining).max(0), None);
    }
    rev.reverse();
    String::from_utf8(rev).expect("digits, zeros and separators are ASCII")
}
