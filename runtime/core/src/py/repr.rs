//! `repr()` of a `str` and of a `float`.

use super::unicode::is_printable;
use std::fmt::Write;

/// CPython's `repr(s)`: single quotes unless `s` contains `'` and no `"`;
/// the chosen quote and `\` escaped with a backslash; `\t`, `\n`, `\r` by
/// name; other control characters and DEL as `\xhh`; non-ASCII characters
/// kept unless `str.isprintable` rejects them, then `\xhh`, `\uhhhh` or
/// `\Uhhhhhhhh` (lowercase hex).
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if c.is_ascii() || !is_printable(c) => {
                let cp = c as u32;
                // Writing to a String cannot fail.
                let _ = match cp {
                    0..=0xff => write!(out, "\\x{cp:02x}"),
                    0x100..=0xffff => write!(out, "\\u{cp:04x}"),
                    _ => write!(out, "\\U{cp:08x}"),
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// CPython's `repr(x)` (also `str(x)`) of a float: the shortest digits
/// that round-trip, ties between two such candidates going to the even one
/// as in CPython's dtoa (`999646029372079.2`, not `...079.3`); fixed
/// notation for decimal exponents in `-4..16` with at least one digit after
/// the point, else scientific with at least two exponent digits (`1e+16`,
/// `1e-05`); `inf`, `-inf`, `nan`.
pub fn float_repr(x: f64) -> String {
    super::format::repr_float(x)
}

#[cfg(test)]
mod tests {
    use super::{float_repr, str_repr};

    #[test]
    fn float_ties_go_to_even() {
        // Exactly halfway between two 16-digit candidates.
        assert_eq!(float_repr(999646029372079.0 + 0.25), "999646029372079.2");
        assert_eq!(
            float_repr(-1999999999975294.0 - 0.25),
            "-1999999999975294.2"
        );
        assert_eq!(float_repr(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(-0.0), "-0.0");
        assert_eq!(float_repr(f64::NAN), "nan");
    }

    /// Expected strings are CPython 3.11's `repr`.
    #[test]
    fn matches_cpython() {
        let cases = [
            ("", "''"),
            ("a'b", "\"a'b\""),
            ("a'b\"", "'a\\'b\"'"),
            ("\"", "'\"'"),
            ("\\", "'\\\\'"),
            ("\t\n\r\x00\x7f", "'\\t\\n\\r\\x00\\x7f'"),
            ("é\u{a0}\u{ad}", "'é\\xa0\\xad'"),
            ("\u{2028}日本", "'\\u2028日本'"),
            ("\u{e0001}😀", "'\\U000e0001😀'"),
        ];
        for (s, want) in cases {
            assert_eq!(str_repr(s), want, "repr of {s:?}");
        }
    }
}
