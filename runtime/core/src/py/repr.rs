//! `repr()` of a `str`.

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

#[cfg(test)]
mod tests {
    use super::str_repr;

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
