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
use super::{str_bool, try_reserve, PyErr};
use std::fmt::Write;

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

/// Specs of at most this many bytes are parsed without allocating.
const SHORT_SPEC: usize = 24;

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

/// How CPython's messages show a presentation type: `'c'` for code points
/// 33 to 127, else `'\xhh'`.
fn type_char(ty: char) -> String {
    if ('!'..='\x7f').contains(&ty) {
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
    // Specs are short: their characters on the stack, unless long.
    let mut short = ['\0'; SHORT_SPEC];
    let long: Vec<char>;
    let chars: &[char] = if spec.len() <= SHORT_SPEC {
        let n = spec
            .chars()
            .zip(&mut short)
            .map(|(c, slot)| *slot = c)
            .count();
        &short[..n]
    } else {
        long = spec.chars().collect();
        &long
    };
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
    let (consumed, width) = get_integer(chars, &mut pos)?;
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
        let (consumed, precision) = get_integer(chars, &mut pos)?;
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

/// The value types a spec can be packed for (see [`pack_spec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecTarget {
    /// `int`.
    Int,
    /// `bool` (formatted as an `int`, named `bool` in messages).
    Bool,
    /// `float`.
    Float,
    /// `str`.
    Str,
}

impl SpecTarget {
    /// `spec` parsed for this type, with its defaults.
    fn parse(self, spec: &str) -> Result<Spec, PyErr> {
        match self {
            SpecTarget::Int => parse_spec(spec, "int", 'd', '>'),
            SpecTarget::Bool => parse_spec(spec, "bool", 'd', '>'),
            SpecTarget::Float => parse_spec(spec, "float", '\0', '>'),
            SpecTarget::Str => parse_spec(spec, "str", 's', '<'),
        }
    }
}

/// The presentation types a packed spec names, by their 4-bit index.
const PACKED_TYPES: [char; 16] = [
    '\0', 'b', 'c', 'd', 'o', 'x', 'X', 'n', 'e', 'E', 'f', 'F', 'g', 'G', '%', 's',
];
/// The alignments of a packed spec, by their 2-bit index.
const PACKED_ALIGNS: [char; 4] = ['<', '>', '=', '^'];
/// The signs of a packed spec, by their 2-bit index.
const PACKED_SIGNS: [char; 4] = ['\0', '+', '-', ' '];
/// The groupings of a packed spec, by their 2-bit index.
const PACKED_GROUPINGS: [Grouping; 4] = [
    Grouping::None,
    Grouping::Comma,
    Grouping::Underscore,
    Grouping::UnderscoreFour,
];
/// Widths and precisions take 15 bits each, stored plus one (0: absent).
const PACKED_NUMBER_BITS: u32 = 15;

/// A non-empty spec for values of `target`, parsed once (when the program
/// is compiled) and packed into a word for [`format_packed_into`]: fill
/// (bits 0–20), alignment (21–22), sign (23–24), `z` (25), `#` (26),
/// grouping (27–28), type (29–32), a plain int width (33: see
/// [`packed_int_padding`]), width + 1 (34–48), precision + 1 (49–63).
/// `None` for a spec that does not parse (formatting then raises CPython's
/// error from the spec's text) or whose numbers do not fit.
pub fn pack_spec(spec: &str, target: SpecTarget) -> Option<u64> {
    if spec.is_empty() {
        return None;
    }
    let s = target.parse(spec).ok()?;
    let index = |found: Option<usize>| found.map(|i| i as u64);
    let ty = index(PACKED_TYPES.iter().position(|&t| t == s.ty))?;
    let align = index(PACKED_ALIGNS.iter().position(|&a| a == s.align))?;
    let sign = index(PACKED_SIGNS.iter().position(|&c| c == s.sign))?;
    let grouping = index(PACKED_GROUPINGS.iter().position(|&g| g == s.grouping))?;
    let number = |n: i64| {
        u64::try_from(n + 1)
            .ok()
            .filter(|&n| n < 1 << PACKED_NUMBER_BITS)
    };
    Some(
        u64::from(s.fill)
            | align << 21
            | sign << 23
            | u64::from(s.no_neg_0) << 25
            | u64::from(s.alternate) << 26
            | grouping << 27
            | ty << 29
            | u64::from(target == SpecTarget::Int && plain_int_padding(&s).is_some())
                << PLAIN_INT_BIT
            | number(s.width)? << 34
            | number(s.precision)? << 49,
    )
}

/// The spec [`pack_spec`] packed into `packed`.
fn unpack_spec(packed: u64) -> Spec {
    let field = |at: u32, bits: u32| ((packed >> at) & ((1 << bits) - 1)) as usize;
    let number = |at: u32| field(at, PACKED_NUMBER_BITS) as i64 - 1;
    Spec {
        fill: char::from_u32(field(0, 21) as u32).expect("a spec packed by pack_spec"),
        align: PACKED_ALIGNS[field(21, 2)],
        sign: PACKED_SIGNS[field(23, 2)],
        no_neg_0: field(25, 1) == 1,
        alternate: field(26, 1) == 1,
        grouping: PACKED_GROUPINGS[field(27, 2)],
        ty: PACKED_TYPES[field(29, 4)],
        width: number(34),
        precision: number(49),
    }
}

/// The value a packed spec formats.
#[derive(Debug, Clone, Copy)]
pub enum Formattable<'a> {
    /// An `int`.
    Int(i64),
    /// A `bool`.
    Bool(bool),
    /// A `float`.
    Float(f64),
    /// A `str`.
    Str(&'a str),
}

/// The bit of a packed int spec that is a plain width.
const PLAIN_INT_BIT: u32 = 33;

/// `(zero padding, width)` when `s` is a plain int width (`5`, `05d`,
/// `>7`): what [`push_padded_int`] writes.
fn plain_int_padding(s: &Spec) -> Option<(bool, usize)> {
    let plain = s.ty == 'd'
        && s.sign == '\0'
        && !s.alternate
        && !s.no_neg_0
        && s.grouping == Grouping::None
        && s.precision == -1
        && s.width <= 1000;
    let zero = s.fill == '0' && s.align == '=';
    (plain && (zero || (s.fill == ' ' && s.align == '>')))
        .then_some((zero, s.width.max(0) as usize))
}

/// [`plain_int_padding`] of a spec [`pack_spec`] packed for ints, read
/// from the bits it set for it (nothing unpacked on the way).
pub fn packed_int_padding(packed: u64) -> Option<(bool, usize)> {
    if packed >> PLAIN_INT_BIT & 1 == 0 {
        return None;
    }
    let width = (packed >> 34 & ((1 << PACKED_NUMBER_BITS) - 1)).saturating_sub(1);
    Some((packed & 0x1f_ffff == u64::from('0'), width as usize))
}

/// `format(v, spec)` for a spec packed by [`pack_spec`] for `v`'s type,
/// appended to `out`.
pub fn format_packed_into(v: Formattable, packed: u64, out: &mut String) -> Result<(), PyErr> {
    let spec = unpack_spec(packed);
    match v {
        Formattable::Int(x) => format_long_parsed(x, &spec, "int", out),
        Formattable::Bool(b) => format_long_parsed(i64::from(b), &spec, "bool", out),
        Formattable::Float(x) => {
            if let Some(layout) = fixed_layout_of_spec(&spec) {
                if write_fixed(x, &layout, out).is_some() {
                    return Ok(());
                }
            }
            format_float_parsed(x, &spec, out)
        }
        Formattable::Str(s) => format_str_parsed(s, &spec, out),
    }
}

/// Appends `n` copies of `c` (`n <= 0` appends nothing).
fn pad(out: &mut String, c: char, n: i64) -> Result<(), PyErr> {
    if n > 0 {
        let bytes = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(c.len_utf8()))
            .unwrap_or(usize::MAX);
        try_reserve(out, bytes)?;
        out.extend(std::iter::repeat_n(c, n as usize));
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

/// [`group_digits`] without zero padding for at most 24 ASCII digits,
/// written into `buf`: a separator before every `size` digits from the
/// right.
fn group_short<'a>(digits: &str, size: usize, separator: u8, buf: &'a mut [u8; 32]) -> &'a str {
    let mut len = 0;
    for (i, d) in digits.bytes().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(size) {
            buf[len] = separator;
            len += 1;
        }
        buf[len] = d;
        len += 1;
    }
    std::str::from_utf8(&buf[..len]).expect("digits and separators are ASCII")
}

/// A number split the way `calc_number_widths` sees it.
struct Number<'a> {
    negative: bool,
    /// `0x`, `0X`, `0o`, `0b` or empty.
    prefix: &'a str,
    /// The ASCII digits before the decimal point, which grouping and zero
    /// padding apply to (empty for `inf`, `nan` and the `c` type).
    digits: &'a str,
    /// Whether a decimal point follows the digits.
    decimal: bool,
    /// Everything after the digits and decimal point: fraction, exponent,
    /// `%`, `inf`...
    remainder: &'a str,
}

/// `calc_number_widths` + `fill_number`: sign, prefix, grouped digits and
/// padding laid out as `<lpad><sign><prefix><spad><digits><.><rest><rpad>`.
fn layout(n: &Number, spec: &Spec, out: &mut String) -> Result<(), PyErr> {
    let sign = match spec.sign {
        '+' => Some(if n.negative { '-' } else { '+' }),
        ' ' => Some(if n.negative { '-' } else { ' ' }),
        _ => n.negative.then_some('-'),
    };
    let n_non_digit = i64::from(sign.is_some())
        + n.prefix.len() as i64
        + i64::from(n.decimal)
        + n.remainder.chars().count() as i64;
    let min_width = if spec.fill == '0' && spec.align == '=' {
        spec.width - n_non_digit
    } else {
        0
    };
    let grouping = match spec.grouping {
        Grouping::None => None,
        Grouping::Comma => Some((3, b',')),
        Grouping::Underscore => Some((3, b'_')),
        Grouping::UnderscoreFour => Some((4, b'_')),
    };
    // Fail cleanly, before building anything, on a width too large to
    // allocate.
    let width_bytes = usize::try_from(spec.width.max(0))
        .ok()
        .and_then(|w| w.checked_mul(spec.fill.len_utf8()))
        .unwrap_or(usize::MAX);
    try_reserve(
        out,
        width_bytes.saturating_add(2 * n.digits.len() + n.remainder.len() + 8),
    )?;
    // Without grouping or zero padding the digits are themselves.
    let grouped_owned;
    let mut grouped_short = [0; 32];
    let grouped = match grouping {
        _ if n.digits.is_empty() => n.digits,
        None if min_width <= n.digits.len() as i64 => n.digits,
        Some((size, separator)) if min_width <= 0 && n.digits.len() <= 24 => {
            group_short(n.digits, size as usize, separator, &mut grouped_short)
        }
        _ => {
            grouped_owned = group_digits(n.digits, min_width, grouping);
            &grouped_owned
        }
    };
    let padding = spec.width - (n_non_digit + grouped.len() as i64);
    let (left, inner, right) = match spec.align {
        _ if padding <= 0 => (0, 0, 0),
        '<' => (0, 0, padding),
        '^' => (padding / 2, 0, padding - padding / 2),
        '=' => (0, padding, 0),
        _ => (padding, 0, 0),
    };
    pad(out, spec.fill, left)?;
    out.extend(sign);
    out.push_str(n.prefix);
    pad(out, spec.fill, inner)?;
    out.push_str(grouped);
    if n.decimal {
        out.push('.');
    }
    out.push_str(n.remainder);
    pad(out, spec.fill, right)
}

/// `format(v, spec)` for an `int` (also f-string `{v:spec}` and
/// `str.format`): types `b c d o x X n` and none, and the float types
/// `e E f F g G %`, which convert `v` to `float` first.
pub fn format_int(v: i64, spec: &str) -> Result<String, PyErr> {
    let mut out = String::new();
    format_int_into(v, spec, &mut out)?;
    Ok(out)
}

/// [`format_int`], appending to `out`. The common specs (`""`, `"d"`,
/// `"5"`, `"05d"`: an optional `0`, a width of at most three digits, an
/// optional `d`) take a fast path that parses nothing else.
pub fn format_int_into(v: i64, spec: &str, out: &mut String) -> Result<(), PyErr> {
    match simple_int_spec(spec) {
        Some((zero, width)) => {
            push_padded_int(v, zero, width, out);
            Ok(())
        }
        None => format_long(v, spec, "int", out),
    }
}

/// The decimal digits of `m`, written into `buf`.
fn decimal_str(m: u64, buf: &mut [u8; 20]) -> &str {
    let start = decimal_digits(m, buf);
    std::str::from_utf8(&buf[start..]).expect("ASCII digits")
}

/// `(zero padding, width)` of a spec `0?[0-9]{0,3}d?`, or `>[1-9][0-9]{0,2}d?`
/// (right alignment is the default for numbers; with `>`, a `0` would pad
/// before the sign, so none is taken).
pub fn simple_int_spec(spec: &str) -> Option<(bool, usize)> {
    let b = spec.strip_suffix('d').unwrap_or(spec).as_bytes();
    let (zero, digits) = match b {
        [b'>', b'0', ..] => return None,
        [b'>', rest @ ..] => (false, rest),
        [b'0', rest @ ..] => (true, rest),
        _ => (false, b),
    };
    if digits.len() > 3 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let width = digits.iter().fold(0, |w, d| w * 10 + usize::from(d - b'0'));
    Some((zero, width))
}

/// `"00"` to `"99"`, two bytes each.
const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The decimal digits of `m`, written at the end of `buf`, two at a time;
/// returns the index of the first.
pub fn decimal_digits(mut m: u64, buf: &mut [u8; 20]) -> usize {
    let mut at = buf.len();
    while m >= 100 {
        let pair = (m % 100) as usize * 2;
        m /= 100;
        at -= 2;
        buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if m >= 10 {
        let pair = m as usize * 2;
        at -= 2;
        buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        buf[at] = b'0' + m as u8;
    }
    at
}

/// The text of `v` right-aligned in `width` columns (zeros between the sign
/// and the digits with `zero`: `-0005`; otherwise spaces before the sign:
/// `   -5`), as its pieces: the padding byte and count, the sign, the digits.
pub struct PaddedInt {
    digits: [u8; 20],
    start: usize,
    negative: bool,
    zero: bool,
    pad: usize,
}

impl PaddedInt {
    /// The pieces of `v` in `width` columns.
    pub fn new(v: i64, zero: bool, width: usize) -> PaddedInt {
        let mut digits = [0; 20];
        let start = decimal_digits(v.unsigned_abs(), &mut digits);
        let len = digits.len() - start + usize::from(v < 0);
        PaddedInt {
            digits,
            start,
            negative: v < 0,
            zero,
            pad: width.saturating_sub(len),
        }
    }

    /// The length of the text in bytes (all ASCII).
    pub fn byte_len(&self) -> usize {
        self.pad + usize::from(self.negative) + self.digits.len() - self.start
    }

    /// Writes the text to the start of `out`, which is [`PaddedInt::byte_len`]
    /// bytes long.
    pub fn write(&self, out: &mut [u8]) {
        let sign = usize::from(self.negative);
        let (pad_at, pad_byte, sign_at) = if self.zero {
            (sign, b'0', 0)
        } else {
            (0, b' ', self.pad)
        };
        if self.pad > 0 {
            out[pad_at..pad_at + self.pad].fill(pad_byte);
        }
        if self.negative {
            out[sign_at] = b'-';
        }
        out[self.pad + sign..].copy_from_slice(&self.digits[self.start..]);
    }
}

/// `v` right-aligned in `width` columns (see [`PaddedInt`]).
pub fn push_padded_int(v: i64, zero: bool, width: usize, out: &mut String) {
    let text = PaddedInt::new(v, zero, width);
    let mut buf = [0u8; 24];
    if text.byte_len() <= buf.len() {
        text.write(&mut buf[..text.byte_len()]);
        out.push_str(std::str::from_utf8(&buf[..text.byte_len()]).expect("ASCII text"));
    } else {
        let mut bytes = vec![0; text.byte_len()];
        text.write(&mut bytes);
        out.push_str(&String::from_utf8(bytes).expect("ASCII text"));
    }
}

/// `format(b, spec)` for a `bool`: `str(b)` for an empty spec; otherwise
/// `bool` uses `int.__format__`, so `b` formats as `0` or `1`
/// (`format(True, ">5")` is `'    1'`), with `'bool'` in error messages.
pub fn format_bool(b: bool, spec: &str) -> Result<String, PyErr> {
    if spec.is_empty() {
        return Ok(str_bool(b).to_string());
    }
    let mut out = String::new();
    format_long(i64::from(b), spec, "bool", &mut out)?;
    Ok(out)
}

/// `format(v, spec)` of an int-like value of type `type_name`, appended
/// to `out`.
fn format_long(v: i64, spec: &str, type_name: &str, out: &mut String) -> Result<(), PyErr> {
    if spec.is_empty() {
        push_padded_int(v, false, 0, out);
        return Ok(());
    }
    let spec = parse_spec(spec, type_name, 'd', '>')?;
    format_long_parsed(v, &spec, type_name, out)
}

/// [`format_long`] with the spec parsed.
fn format_long_parsed(v: i64, spec: &Spec, type_name: &str, out: &mut String) -> Result<(), PyErr> {
    match spec.ty {
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => format_long_internal(v, spec, out),
        // PyNumber_Float: i64 to f64 rounds to nearest, ties to even.
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => format_float_internal(v as f64, spec, out),
        ty => Err(unknown_presentation_type(ty, type_name)),
    }
}

fn format_long_internal(v: i64, spec: &Spec, out: &mut String) -> Result<(), PyErr> {
    if spec.precision != -1 {
        return Err(PyErr::value_error(
            "Precision not allowed in integer format specifier",
        ));
    }
    if spec.no_neg_0 {
        return Err(PyErr::value_error(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    if spec.ty == 'c' {
        if spec.sign != '\0' {
            return Err(PyErr::value_error(
                "Sign not allowed with integer format specifier 'c'",
            ));
        }
        if spec.alternate {
            return Err(PyErr::value_error(
                "Alternate form (#) not allowed with integer format specifier 'c'",
            ));
        }
        let cp = u32::try_from(v)
            .ok()
            .filter(|&cp| cp <= 0x10ffff)
            .ok_or_else(|| PyErr::overflow_error("%c arg not in range(0x110000)"))?;
        // CPython makes a one-character str of a lone surrogate here; a
        // Roast str is UTF-8 and cannot hold one.
        let c = char::from_u32(cp).ok_or_else(|| {
            PyErr::value_error("%c arg is a surrogate code point, which a Roast str cannot hold")
        })?;
        let mut buf = [0; 4];
        let number = Number {
            negative: false,
            prefix: "",
            digits: "",
            decimal: false,
            remainder: c.encode_utf8(&mut buf),
        };
        return layout(&number, spec, out);
    }
    let m = v.unsigned_abs();
    let (other_base, prefix) = match spec.ty {
        'b' => (format!("{m:b}"), "0b"),
        'o' => (format!("{m:o}"), "0o"),
        'x' => (format!("{m:x}"), "0x"),
        'X' => (format!("{m:X}"), "0X"),
        // Decimal: on the stack.
        _ => (String::new(), ""),
    };
    let mut decimal = [0; 20];
    let digits = if prefix.is_empty() {
        decimal_str(m, &mut decimal)
    } else {
        &other_base
    };
    let number = Number {
        negative: v < 0,
        prefix: if spec.alternate { prefix } else { "" },
        digits,
        decimal: false,
        remainder: "",
    };
    layout(&number, spec, out)
}

/// `format(x, spec)` for a `float`: types `e E f F g G n %` and none (like
/// `g`, but `repr(x)` when there is no precision and always a digit after
/// the point: `format(1e16, "")` is `'1e+16'`, `format(1.0, "")` is
/// `'1.0'`).
pub fn format_float(x: f64, spec: &str) -> Result<String, PyErr> {
    let mut out = String::new();
    format_float_into(x, spec, &mut out)?;
    Ok(out)
}

/// [`format_float`], appending to `out`.
pub fn format_float_into(x: f64, spec: &str, out: &mut String) -> Result<(), PyErr> {
    if spec.is_empty() {
        out.push_str(&repr_float(x));
        return Ok(());
    }
    if simple_fixed_into(x, spec, out).is_some() {
        return Ok(());
    }
    let spec = parse_spec(spec, "float", '\0', '>')?;
    format_float_parsed(x, &spec, out)
}

/// [`format_float_into`] with the spec parsed.
fn format_float_parsed(x: f64, spec: &Spec, out: &mut String) -> Result<(), PyErr> {
    match spec.ty {
        '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%' => format_float_internal(x, spec, out),
        ty => Err(unknown_presentation_type(ty, "float")),
    }
}

fn format_float_internal(x: f64, spec: &Spec, out: &mut String) -> Result<(), PyErr> {
    if spec.precision > i64::from(i32::MAX) {
        return Err(PyErr::value_error("precision too big"));
    }
    let mut ty = spec.ty;
    let mut add_dot_0 = false;
    let mut default_precision = 6;
    if ty == '\0' {
        // Like repr without a precision, else like 'g' with ".0" kept.
        add_dot_0 = true;
        ty = 'r';
        default_precision = 0;
    }
    if ty == 'n' {
        ty = 'g';
    }
    let mut x = x;
    let add_pct = ty == '%';
    if add_pct {
        ty = 'f';
        x *= 100.0;
    }
    let precision = if spec.precision < 0 {
        default_precision
    } else {
        if ty == 'r' {
            ty = 'g';
        }
        spec.precision
    };
    let flags = FloatFlags {
        add_dot_0,
        alternate: spec.alternate,
        no_neg_0: spec.no_neg_0,
    };
    let mut buf = format_float_short(x, ty, precision, flags)?;
    if add_pct {
        buf.push('%');
    }
    let (negative, body) = match buf.strip_prefix('-') {
        Some(body) => (true, body),
        None => (false, buf.as_str()),
    };
    let (digits, rest) = body.split_at(body.bytes().take_while(u8::is_ascii_digit).count());
    let (decimal, remainder) = match rest.strip_prefix('.') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let number = Number {
        negative,
        prefix: "",
        digits,
        decimal,
        remainder,
    };
    layout(&number, spec, out)
}

/// How many digits `_Py_dg_dtoa` produces.
#[derive(Clone, Copy)]
enum DtoaMode {
    /// Mode 0: the shortest digits that round-trip.
    Shortest,
    /// Mode 2: this many significant digits (at least 1).
    Significant(i64),
    /// Mode 3: this many digits after the decimal point.
    Fixed(i64),
}

/// Splits Rust's `{:e}` output `d.ddde-7` into its digits and the decimal
/// point position (`0.DIGITS × 10**decpt`).
fn split_sci(sci: &str) -> (String, i64) {
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i64 = exp.parse().expect("{:e} exponent is an integer");
    (mantissa.replace('.', ""), exp + 1)
}

/// Whether `0.DIGITS × 10**decpt` reads back as `x`.
fn round_trips(x: f64, digits: &str, decpt: i64) -> bool {
    format!("0.{digits}e{decpt}").parse::<f64>() == Ok(x)
}

/// Rust's shortest round-trip digits, with dtoa's tie rule. When the exact
/// value of `x` lies exactly halfway between two shortest candidates
/// (999646029372079.25 between ...079.2 and ...079.3), Rust takes the upper
/// one and dtoa the one with an even last digit, if it round-trips.
fn shortest_digits(x: f64) -> (String, i64) {
    let (digits, decpt) = split_sci(&format!("{x:e}"));
    let n = digits.len();
    // A tie needs the exact value to have n + 1 significant digits, the
    // last a 5; rounding to n + 1 digits then ends in 5 too (cheap filter).
    if !format!("{x:.n$e}")
        .split_once('e')
        .is_some_and(|(m, _)| m.ends_with('5'))
    {
        return (digits, decpt);
    }
    // The exact value: an f64 has at most 767 significant digits.
    let (exact, exact_decpt) = split_sci(&format!("{x:.800e}"));
    let exact = exact.trim_end_matches('0');
    if exact.len() != n + 1 || !exact.ends_with('5') {
        return (digits, decpt);
    }
    let lower = &exact[..n];
    let upper = super::round::increment_decimal(lower);
    let upper_decpt = exact_decpt + (upper.len() - n) as i64;
    let lower_is_even = (lower.as_bytes()[n - 1] - b'0').is_multiple_of(2);
    let (even, odd) = if lower_is_even {
        ((lower.to_string(), exact_decpt), (upper, upper_decpt))
    } else {
        ((upper, upper_decpt), (lower.to_string(), exact_decpt))
    };
    let (chosen, decpt) = if round_trips(x, &even.0, even.1) {
        even
    } else {
        odd
    };
    (chosen.trim_end_matches('0').to_string(), decpt)
}

/// `2^53`: below it, a finite `x >= 0` is `m / 2^k` with `m < 2^53`.
const TWO_POW_53: f64 = 9007199254740992.0;

/// A finite `0 <= x < 2^53` as `(m, k)` with `x == m / 2^k`, `m` odd
/// unless `k` is zero (or `x` is).
fn binary_fraction(x: f64) -> (u64, u32) {
    let bits = x.to_bits();
    let exponent = (bits >> 52) as u32;
    let fraction = bits & ((1 << 52) - 1);
    if exponent == 0 && fraction == 0 {
        return (0, 0);
    }
    let (m, k) = if exponent == 0 {
        (fraction, 1074)
    } else {
        (fraction | 1 << 52, 1075 - exponent)
    };
    let shift = m.trailing_zeros().min(k);
    (m >> shift, k - shift)
}

/// `x * 10**places` rounded half to even, exactly, for a finite
/// `0 <= x < 2^53` and at most 22 places (see [`small_fixed`]); `None`
/// outside that range.
fn scaled_to_places(x: f64, places: i64) -> Option<u128> {
    if !(0..=22).contains(&places) || !(0.0..TWO_POW_53).contains(&x) {
        return None;
    }
    let (m, k) = binary_fraction(x);
    let scaled = u128::from(m) * 10u128.pow(places as u32);
    Some(match k {
        0 => scaled,
        // `scaled < 2^127 <= 2^(k-1)`: less than half, rounds to zero.
        128.. => 0,
        _ => {
            let (q, r, half) = (scaled >> k, scaled & ((1 << k) - 1), 1 << (k - 1));
            q + u128::from(r > half || (r == half && q & 1 == 1))
        }
    })
}

/// How [`write_fixed`] lays out a `.Nf` number: the specs reports use
/// most, `[[fill]align][width].PRECISIONf` and `0[width].PRECISIONf` (ASCII
/// fill, no `=`, sign, `z`, `#` or grouping; `F` too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FixedLayout {
    fill: u8,
    /// `b'<'`, `b'>'` or `b'^'`.
    align: u8,
    /// Zeros between the sign and the digits (a `0` without alignment).
    zero_padded: bool,
    width: usize,
    places: usize,
}

/// The [`FixedLayout`] of a spec string, or `None` for any other spec.
fn fixed_layout_of_str(spec: &str) -> Option<FixedLayout> {
    let b = spec.as_bytes();
    let is_align = |c: u8| matches!(c, b'<' | b'>' | b'^');
    let (fill, align, mut at) = match b {
        [f, a, ..] if f.is_ascii() && is_align(*a) => (*f, *a, 2),
        [a, ..] if is_align(*a) => (b' ', *a, 1),
        _ => (b' ', b'>', 0),
    };
    let number = |at: &mut usize| {
        let digits = b[*at..].iter().take_while(|c| c.is_ascii_digit()).count();
        let text = &spec[*at..*at + digits];
        *at += digits;
        text.parse::<usize>().ok().filter(|n| *n <= 1000)
    };
    let zero_padded = at == 0 && b.first() == Some(&b'0');
    if b.get(at) == Some(&b'0') && !zero_padded {
        return None;
    }
    let width = if b.get(at).is_some_and(u8::is_ascii_digit) {
        number(&mut at)?
    } else {
        0
    };
    if b.get(at) != Some(&b'.') {
        return None;
    }
    at += 1;
    let places = number(&mut at)?;
    if !matches!(&b[at..], [b'f' | b'F']) {
        return None;
    }
    Some(FixedLayout {
        fill,
        align,
        zero_padded,
        width,
        places,
    })
}

/// The [`FixedLayout`] of a parsed spec, or `None` when it is not one.
fn fixed_layout_of_spec(spec: &Spec) -> Option<FixedLayout> {
    let plain = matches!(spec.ty, 'f' | 'F')
        && spec.sign == '\0'
        && !spec.no_neg_0
        && !spec.alternate
        && spec.grouping == Grouping::None
        && spec.fill.is_ascii()
        && (0..=1000).contains(&spec.precision)
        && spec.width <= 1000;
    let zero_padded = spec.fill == '0' && spec.align == '=';
    if !plain || (spec.align == '=' && !zero_padded) {
        return None;
    }
    Some(FixedLayout {
        fill: spec.fill as u8,
        align: if zero_padded { b'>' } else { spec.align as u8 },
        zero_padded,
        width: spec.width.max(0) as usize,
        places: spec.precision as usize,
    })
}

/// `format(x, spec)` for a spec with a [`FixedLayout`], written straight
/// into `out` from the exactly rounded digits. `None` (nothing written) for
/// any other spec or a value out of [`scaled_to_places`]'s range.
fn simple_fixed_into(x: f64, spec: &str, out: &mut String) -> Option<()> {
    write_fixed(x, &fixed_layout_of_str(spec)?, out)
}

/// `x` laid out as `layout` says, or `None` (nothing written) for a value
/// out of [`scaled_to_places`]'s range.
fn write_fixed(x: f64, layout: &FixedLayout, out: &mut String) -> Option<()> {
    let places = layout.places;
    let rounded = u64::try_from(scaled_to_places(x.abs(), places as i64)?).ok()?;
    let mut buf = [0; 20];
    let digits = decimal_str(rounded, &mut buf);
    // At least one digit before the point: zeros in front when fewer.
    let int_len = digits.len().saturating_sub(places).max(1);
    let text_len = usize::from(x.is_sign_negative()) + int_len + places + usize::from(places > 0);
    let padding = layout.width.saturating_sub(text_len);
    let (left, right) = match layout.align {
        b'<' => (0, padding),
        b'^' => (padding / 2, padding - padding / 2),
        _ => (padding, 0),
    };
    // Every `FixedLayout` has an ASCII fill.
    let fill = layout.fill;
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if layout.zero_padded {
        out.push_str(sign);
        push_repeated(out, b'0', left);
    } else {
        push_repeated(out, fill, left);
        out.push_str(sign);
    }
    // The digits with zeros in front up to `int_len + places` of them, the
    // point before the last `places`.
    let zeros = (int_len + places).saturating_sub(digits.len());
    let (int_zeros, int_digits) = (zeros.min(int_len), int_len - zeros.min(int_len));
    push_repeated(out, b'0', int_zeros);
    out.push_str(&digits[..int_digits]);
    if places > 0 {
        out.push('.');
        push_repeated(out, b'0', zeros - int_zeros);
        out.push_str(&digits[int_digits..]);
    }
    push_repeated(out, fill, right);
    Some(())
}

/// Appends `n` copies of the ASCII byte `b`.
fn push_repeated(out: &mut String, b: u8, n: usize) {
    debug_assert!(b.is_ascii());
    for _ in 0..n {
        out.push(char::from(b));
    }
}

/// `dtoa` mode 3 of a finite `0 <= x < 2^53` with at most 22 places, by
/// integer arithmetic: `x * 10**places` is `m * 10**places / 2^k`, whose
/// numerator fits in a `u128` (`2^53 * 10^22 < 2^127`), rounded half to
/// even as dtoa rounds the exact value. `None` outside that range.
fn small_fixed(x: f64, places: i64) -> Option<(String, i64)> {
    let rounded = scaled_to_places(x, places)?;
    if rounded == 0 {
        return Some(("0".to_string(), 1));
    }
    let mut digits = match u64::try_from(rounded) {
        Ok(small) => decimal_str(small, &mut [0; 20]).to_string(),
        Err(_) => rounded.to_string(),
    };
    let decpt = digits.len() as i64 - places;
    digits.truncate(digits.trim_end_matches('0').len());
    Some((digits, decpt))
}

/// Rust's shortest round-trip digits of a finite `0 <= x < 2^53` when no
/// tie can make dtoa choose others (see [`shortest_digits`]): a tie needs
/// the exact value, `m * 5^k / 10^k` (`m` odd, ending in 5 for `k > 0`), to
/// have exactly one digit more than the shortest; an integer (`k == 0`)
/// below `2^53` has no shorter neighbour, and `m * 5^k` has at least 19
/// digits once `k >= 27`, more than the 17 of any shortest form plus one.
/// `None` where a tie is possible, or `x` is out of range.
fn shortest_without_tie(x: f64) -> Option<(String, i64)> {
    if !(0.0..TWO_POW_53).contains(&x) {
        return None;
    }
    let mut text = StackText::default();
    write!(text, "{x:e}").ok()?;
    let (digits, decpt) = split_sci(text.as_str());
    let (m, k) = binary_fraction(x);
    if (1..27).contains(&k) {
        let exact = u128::from(m) * 5u128.pow(k);
        if exact.ilog10() as usize + 1 == digits.len() + 1 {
            return None;
        }
    }
    Some((digits, decpt))
}

/// A short text formatted on the stack (`{:e}` of an f64 takes at most
/// 24 bytes).
#[derive(Default)]
struct StackText {
    bytes: [u8; 32],
    len: usize,
}

impl StackText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).expect("formatted text is UTF-8")
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// `_Py_dg_dtoa` for a finite `x >= 0`: the correctly rounded decimal
/// digits of `x` without trailing zeros (`"0"` for zero) and the position
/// of the decimal point, so that `x ≈ 0.DIGITS × 10**decpt`.
///
/// `{:.*e}` and `{:.*}` round the exact binary value half to even, as dtoa
/// does. An f64 has at most 767 significant digits and 1074 fractional
/// ones, so larger requests are capped (the digits past that are zeros,
/// which dtoa strips anyway).
fn dtoa(x: f64, mode: DtoaMode) -> (String, i64) {
    match mode {
        DtoaMode::Shortest => {
            shortest_without_tie(x).unwrap_or_else(|| trimmed(shortest_digits(x)))
        }
        DtoaMode::Significant(n) => {
            trimmed(split_sci(&format!("{:.*e}", (n.min(800) - 1) as usize, x)))
        }
        DtoaMode::Fixed(n) => small_fixed(x, n).unwrap_or_else(|| general_fixed(x, n)),
    }
}

/// `dtoa` mode 3 by Rust's exact formatting.
fn general_fixed(x: f64, places: i64) -> (String, i64) {
    let fixed = format!("{:.*}", places.min(1100) as usize, x);
    let int_len = fixed.find('.').unwrap_or(fixed.len());
    trimmed((fixed.replace('.', ""), int_len as i64))
}

/// Digits and decimal point without leading or trailing zeros (`"0"`
/// and 1 for zero).
fn trimmed((mut digits, mut decpt): (String, i64)) -> (String, i64) {
    let leading = digits.bytes().take_while(|&b| b == b'0').count();
    digits.drain(..leading);
    decpt -= leading as i64;
    digits.truncate(digits.trim_end_matches('0').len());
    if digits.is_empty() {
        ("0".to_string(), 1)
    } else {
        (digits, decpt)
    }
}

/// CPython's `repr(x)` (and `str(x)`): `PyOS_double_to_string(x, 'r', 0,
/// Py_DTSF_ADD_DOT_0)`.
pub(super) fn repr_float(x: f64) -> String {
    let flags = FloatFlags {
        add_dot_0: true,
        alternate: false,
        no_neg_0: false,
    };
    format_float_short(x, 'r', 0, flags).expect("a repr is short")
}

/// Flags of `PyOS_double_to_string` that the format-spec path uses.
#[derive(Clone, Copy)]
struct FloatFlags {
    /// `Py_DTSF_ADD_DOT_0`: keep at least one digit after the point.
    add_dot_0: bool,
    /// `Py_DTSF_ALT`: `#`, keep the point and trailing zeros.
    alternate: bool,
    /// `Py_DTSF_NO_NEG_0`: `z`, drop the sign of a zero result.
    no_neg_0: bool,
}

/// `PyOS_double_to_string` + `format_float_short` for the type `ty` (one
/// of `e E f F g G r`, `r` meaning repr-like) and a non-negative
/// `precision`: the text of `x`, with a leading `-` when negative.
fn format_float_short(
    x: f64,
    ty: char,
    precision: i64,
    flags: FloatFlags,
) -> Result<String, PyErr> {
    let upper = ty.is_ascii_uppercase();
    let ty = ty.to_ascii_lowercase();
    if x.is_nan() {
        return Ok(if upper { "NAN" } else { "nan" }.to_string());
    }
    let mut negative = x.is_sign_negative();
    if x.is_infinite() {
        let inf = if upper { "INF" } else { "inf" };
        return Ok(if negative {
            format!("-{inf}")
        } else {
            inf.to_string()
        });
    }
    let mut precision = precision;
    let mode = match ty {
        'e' => {
            precision += 1;
            DtoaMode::Significant(precision)
        }
        'f' => DtoaMode::Fixed(precision),
        'g' => {
            precision = precision.max(1);
            DtoaMode::Significant(precision)
        }
        _ => DtoaMode::Shortest,
    };
    let (digits, mut decpt) = dtoa(x.abs(), mode);
    if flags.no_neg_0 && digits == "0" {
        negative = false;
    }
    let digits_len = digits.len() as i64;
    let mut vdigits_end = digits_len;
    let use_exp = match ty {
        'e' => {
            vdigits_end = precision;
            true
        }
        'f' => {
            vdigits_end = decpt + precision;
            false
        }
        'g' => {
            if flags.alternate {
                vdigits_end = precision;
            }
            let limit = if flags.add_dot_0 {
                precision - 1
            } else {
                precision
            };
            decpt <= -4 || decpt > limit
        }
        _ => decpt <= -4 || decpt > 16,
    };
    let mut exp = 0;
    if use_exp {
        exp = decpt - 1;
        decpt = 1;
    }
    let vdigits_start = if decpt <= 0 { decpt - 1 } else { 0 };
    vdigits_end = if !use_exp && flags.add_dot_0 {
        vdigits_end.max(decpt + 1)
    } else {
        vdigits_end.max(decpt)
    };
    let mut out = String::new();
    try_reserve(
        &mut out,
        usize::try_from(vdigits_end - vdigits_start + 8).unwrap_or(usize::MAX),
    )?;
    if negative {
        out.push('-');
    }
    if decpt <= 0 {
        pad(&mut out, '0', decpt - vdigits_start)?;
        out.push('.');
        pad(&mut out, '0', -decpt)?;
    } else {
        pad(&mut out, '0', -vdigits_start)?;
    }
    if 0 < decpt && decpt <= digits_len {
        out.push_str(&digits[..decpt as usize]);
        out.push('.');
        out.push_str(&digits[decpt as usize..]);
    } else {
        out.push_str(&digits);
    }
    if digits_len < decpt {
        pad(&mut out, '0', decpt - digits_len)?;
        out.push('.');
        pad(&mut out, '0', vdigits_end - decpt)?;
    } else {
        pad(&mut out, '0', vdigits_end - digits_len)?;
    }
    if out.ends_with('.') && !flags.alternate {
        out.pop();
    }
    if use_exp {
        out.push(if upper { 'E' } else { 'e' });
        out.push_str(&format!("{exp:+03}"));
    }
    Ok(out)
}

/// `format(s, spec)` for a `str`: type `s` or none; the precision
/// truncates to that many code points; no sign, `z`, `#` or `=`.
pub fn format_str(s: &str, spec: &str) -> Result<String, PyErr> {
    let mut out = String::new();
    if spec.is_empty() {
        out.push_str(s);
    } else {
        format_str_parsed(s, &parse_spec(spec, "str", 's', '<')?, &mut out)?;
    }
    Ok(out)
}

/// [`format_str`] with the spec parsed, appending to `out`.
fn format_str_parsed(s: &str, spec: &Spec, out: &mut String) -> Result<(), PyErr> {
    if spec.ty != 's' {
        return Err(unknown_presentation_type(spec.ty, "str"));
    }
    let not_allowed = |what: &str| {
        Err(PyErr::value_error(format!(
            "{what} not allowed in string format specifier"
        )))
    };
    match spec.sign {
        ' ' => return not_allowed("Space"),
        '\0' => {}
        _ => return not_allowed("Sign"),
    }
    if spec.no_neg_0 {
        return not_allowed("Negative zero coercion (z)");
    }
    if spec.alternate {
        return not_allowed("Alternate form (#)");
    }
    if spec.align == '=' {
        return not_allowed("'=' alignment");
    }
    let mut text = s;
    let mut len = s.chars().count() as i64;
    if spec.precision >= 0 && len >= spec.precision {
        len = spec.precision;
        let end = s
            .char_indices()
            .nth(len as usize)
            .map_or(s.len(), |(i, _)| i);
        text = &s[..end];
    }
    let total = spec.width.max(len);
    let left = match spec.align {
        '>' => total - len,
        '^' => (total - len) / 2,
        _ => 0,
    };
    pad(out, spec.fill, left)?;
    out.push_str(text);
    pad(out, spec.fill, total - len - left)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected strings are CPython 3.11's; the vector file
    /// (`tests/py_cases.txt`) has thousands more.
    #[test]
    fn matches_cpython() {
        assert_eq!(format_int(1234567, "_").unwrap(), "1_234_567");
        assert_eq!(format_int(1, "06,").unwrap(), "00,001");
        assert_eq!(format_int(-255, "#010x").unwrap(), "-0x00000ff");
        assert_eq!(format_int(65, "^5c").unwrap(), "  A  ");
        assert_eq!(format_int(-5, ">4").unwrap(), "  -5");
        assert_eq!(format_int(-5, ">04").unwrap(), "00-5");
        assert_eq!(format_int(-5, "04").unwrap(), "-005");
        assert_eq!(format_int(123456, ">3d").unwrap(), "123456");
        assert_eq!(format_bool(true, "").unwrap(), "True");
        assert_eq!(format_bool(true, ">5").unwrap(), "    1");
        assert_eq!(format_float(1e16, "").unwrap(), "1e+16");
        assert_eq!(format_float(1.5, ".3").unwrap(), "1.5");
        assert_eq!(format_float(100.0, ".3").unwrap(), "1e+02");
        assert_eq!(format_float(f64::INFINITY, "010").unwrap(), "0000000inf");
        assert_eq!(format_float(-0.0, "z.1f").unwrap(), "0.0");
        assert_eq!(format_float(1234.5, "#.0").unwrap(), "1.e+03");
        assert_eq!(format_str("日本語", "*^7.2").unwrap(), "**日本***");
        let err = |r: Result<String, PyErr>| r.unwrap_err().message;
        assert_eq!(
            err(format_float(1.5, "d")),
            "Unknown format code 'd' for object of type 'float'"
        );
        assert_eq!(
            err(format_str("x", "+")),
            "Sign not allowed in string format specifier"
        );
        assert_eq!(err(format_str("x", ",")), "Cannot specify ',' with 's'.");
        assert_eq!(
            err(format_int(1, ".2")),
            "Precision not allowed in integer format specifier"
        );
        assert_eq!(
            err(format_bool(true, "s")),
            "Unknown format code 's' for object of type 'bool'"
        );
    }

    /// The integer-arithmetic fast paths give what the general ones (which
    /// the CPython vectors in `tests/py_cases.txt` check) give, over floats
    /// drawn to hit every case: random bit patterns, short binary fractions
    /// (ties at every precision), integers, hundredths, subnormals.
    #[test]
    fn fast_digits_match_the_general_ones() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut values = vec![
            0.0,
            0.5,
            1.0,
            0.125,
            2.5,
            1e-300,
            5e-324,
            4503599627370495.5,
        ];
        for _ in 0..20_000 {
            let r = next();
            values.push(match r % 6 {
                0 => f64::from_bits(next() >> 2),
                1 => (next() % 1_000_000) as f64 / f64::from(1u32 << ((r >> 8) % 30)),
                2 => (next() >> 11) as f64,
                3 => (next() % 10_000_000) as f64 / 100.0,
                4 => f64::from_bits(next() % (1 << 52)),
                _ => (next() % 100_000) as f64 * 0.001 + 0.0005,
            });
        }
        for x in values.into_iter().filter(|x| x.is_finite()).map(f64::abs) {
            if let Some(fast) = shortest_without_tie(x) {
                assert_eq!(fast, shortest_digits(x), "shortest digits of {x:e}");
            }
            for places in [0, 1, 2, 3, 6, 17, 22] {
                if let Some(fast) = small_fixed(x, places) {
                    assert_eq!(fast, general_fixed(x, places), "{x:e} to {places} places");
                }
            }
        }
    }

    /// The direct path for `[[fill]align][width].Nf` writes what the
    /// general one writes, over values with ties, signs and zeros.
    #[test]
    fn simple_fixed_specs_match_the_general_path() {
        let specs = [
            ".2f", ".0f", "10.3f", "<9.1f", "*^11.2F", ">3.0f", ".22f", "1.5f", "x<4.1f", "08.3f",
            "012.0F", "0.1f", "00.2f", "03.2f",
        ];
        let values = [
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            0.125,
            0.375,
            2.675,
            1e-7,
            -1e-9,
            99.995,
            123456789.125,
            9007199254740991.0,
            4.35,
            -0.004,
            1234.5678,
        ];
        for spec in specs {
            let parsed = parse_spec(spec, "float", '\0', '>').expect("a valid spec");
            for x in values {
                let mut general = String::new();
                format_float_internal(x, &parsed, &mut general).expect("formats");
                let mut direct = String::new();
                if simple_fixed_into(x, spec, &mut direct).is_some() {
                    assert_eq!(direct, general, "{x:e} with {spec:?}");
                }
            }
        }
        let mut out = String::new();
        assert!(simple_fixed_into(-1.5, "08.2f", &mut out).is_some());
        assert_eq!(out, "-0001.50");
        out.clear();
        assert!(simple_fixed_into(1.5, "<08.2f", &mut out).is_none());
        assert!(simple_fixed_into(1.5, "+.2f", &mut out).is_none());
        assert!(simple_fixed_into(1.5, ".2e", &mut out).is_none());
        assert!(simple_fixed_into(1e300, ".2f", &mut out).is_none());
        assert!(out.is_empty());
    }

    /// Where a Rust `String` cannot follow CPython, the result is an
    /// exception, never a different value or a crash.
    #[test]
    fn deviations_raise() {
        // CPython returns the lone surrogate '\ud800'.
        let e = format_int(0xd800, "c").unwrap_err();
        assert_eq!(e.kind, crate::ExcKind::ValueError);
        // CPython raises MemoryError.
        let e = format_int(1, "1000000000000000000").unwrap_err();
        assert_eq!(e.kind, crate::ExcKind::OverflowError);
        let e = format_str("x", "<9000000000000000000").unwrap_err();
        assert_eq!(e.kind, crate::ExcKind::OverflowError);
    }
}
