//! The `str` methods and operators with CPython 3.11's semantics.
//!
//! Indexes and lengths count code points, as in Python, never UTF-8 bytes.
//! Optional `start`/`end` arguments follow slice rules (negative counts
//! from the end, out of range clamps). Character classes and case mappings
//! are Python's (see [`super::unicode`]), not Rust's.
//!
//! Comparison needs no function here: CPython orders `str` by code point,
//! which is the byte order of UTF-8, i.e. Rust's `Ord for str` (and `==`
//! is byte equality: Python does not normalize, so `"é"` and `"e\u{301}"`
//! differ in both).

use super::slice::slice_indices;
use super::unicode::{self, is_space};
use super::{try_reserve, PyErr};
use crate::ExcKind;
use memchr::memmem;

/// `len(s)`: the number of code points.
pub fn len(s: &str) -> i64 {
    s.chars().count() as i64
}

/// A string with its number of code points, which a `str` object keeps,
/// and perhaps a faster way than a scan to the byte offset of a code point
/// (the object's note of the position last found in it): the searches that
/// take `start` and `end` then find ASCII text (where code point indices
/// are byte offsets) and its length without scanning it, and offsets in
/// other text by a short walk, so a loop of `s.find(sub, pos)` over a long
/// text stays linear.
#[derive(Clone, Copy)]
pub struct Text<'a> {
    text: &'a str,
    chars: usize,
    locate: Option<&'a dyn Fn(usize) -> usize>,
}

impl<'a> Text<'a> {
    /// `text`, which has `chars` code points, where `locate(i)` is the
    /// byte offset of code point `i < chars`.
    pub fn located(text: &'a str, chars: usize, locate: &'a dyn Fn(usize) -> usize) -> Text<'a> {
        debug_assert_eq!(chars, text.chars().count());
        Text {
            text,
            chars,
            locate: Some(locate),
        }
    }

    fn is_ascii(self) -> bool {
        self.chars == self.text.len()
    }

    /// Byte offset of code point `i` (`0 <= i <= len`), or the length in
    /// bytes past the end.
    fn byte_offset(self, i: i64) -> usize {
        if self.is_ascii() {
            return (i as usize).min(self.text.len());
        }
        if i as usize >= self.chars {
            return self.text.len();
        }
        match self.locate {
            Some(locate) => locate(i as usize),
            None => byte_offset(self.text, i),
        }
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(text: &'a str) -> Text<'a> {
        Text {
            text,
            chars: text.chars().count(),
            locate: None,
        }
    }
}

/// Byte offset of code point `i` (`0 <= i <= len`), or `s.len()` past the
/// end.
fn byte_offset(s: &str, i: i64) -> usize {
    if s.is_ascii() {
        return (i as usize).min(s.len());
    }
    s.char_indices().nth(i as usize).map_or(s.len(), |(b, _)| b)
}

/// `s[i]`: the code point at `i` (negative counts from the end).
/// `IndexError: string index out of range` outside.
pub fn get(s: &str, i: i64) -> Result<char, PyErr> {
    let i = if i < 0 { i + len(s) } else { i };
    let c = if i < 0 {
        None
    } else if s.is_ascii() {
        usize::try_from(i)
            .ok()
            .and_then(|i| s.as_bytes().get(i))
            .map(|&b| char::from(b))
    } else {
        s.chars().nth(i as usize)
    };
    c.ok_or_else(|| PyErr::new(ExcKind::IndexError, "string index out of range"))
}

/// `s[start:stop:step]`, each part optional, with `slice.indices`
/// clamping. A zero step is `ValueError: slice step cannot be zero`.
pub fn slice(
    s: &str,
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
) -> Result<String, PyErr> {
    let idx = slice_indices(len(s), start, stop, step)?;
    if idx.count == 0 {
        return Ok(String::new());
    }
    if idx.step == 1 {
        let b0 = byte_offset(s, idx.start);
        let b1 = byte_offset(s, idx.start + idx.count);
        return Ok(s[b0..b1].to_string());
    }
    let chars: Vec<char> = s.chars().collect();
    Ok(idx.indices().map(|i| chars[i as usize]).collect())
}

/// `s == s[::-1]`: whether the code points of `s` read the same
/// backwards (for ASCII text, its bytes).
pub fn is_palindrome(s: &str) -> bool {
    if s.is_ascii() {
        let b = s.as_bytes();
        b.iter()
            .take(b.len() / 2)
            .eq(b.iter().rev().take(b.len() / 2))
    } else {
        s.chars().eq(s.chars().rev())
    }
}

/// `sub in s`: whether `sub` occurs in `s` (the empty string occurs in
/// every string).
pub fn contains(s: &str, sub: &str) -> bool {
    match one_char(sub) {
        Some(c) => s.contains(c),
        None => find_bytes(s.as_bytes(), sub.as_bytes()).is_some(),
    }
}

/// `sub` when it is exactly one character. `str` searches for a `char`
/// with `memchr`, much faster than its general substring search, which
/// also pays a setup on every search of a short piece.
fn one_char(sub: &str) -> Option<char> {
    let mut chars = sub.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// `s * n`: `n` copies of `s`, empty when `n <= 0`.
/// `OverflowError: repeated string is too long` when the length would
/// exceed `sys.maxsize` code points. (A result that fits that bound but not
/// in memory is `MemoryError` in CPython; here it is an `OverflowError` too.)
pub fn repeat(s: &str, n: i64) -> Result<String, PyErr> {
    if n <= 0 || s.is_empty() {
        return Ok(String::new());
    }
    if len(s) > i64::MAX / n {
        return Err(PyErr::overflow_error("repeated string is too long"));
    }
    let mut out = String::new();
    let bytes = usize::try_from(n)
        .ok()
        .and_then(|n| n.checked_mul(s.len()))
        .unwrap_or(usize::MAX);
    try_reserve(&mut out, bytes)?;
    for _ in 0..n {
        out.push_str(s);
    }
    Ok(out)
}

/// `s.upper()`: the full uppercase mapping (`'ß'` becomes `"SS"`).
pub fn upper(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_uppercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        unicode::push_upper(c, &mut out);
    }
    out
}

/// Whether the `'Σ'` at `chars[i]` is word-final: preceded by a cased
/// letter and not followed by one, skipping case-ignorable characters both
/// ways (CPython's `handle_capital_sigma`).
fn is_final_sigma(chars: &[char], i: usize) -> bool {
    let before = chars[..i]
        .iter()
        .rev()
        .find(|&&c| !unicode::is_case_ignorable(c));
    let after = chars[i + 1..]
        .iter()
        .find(|&&c| !unicode::is_case_ignorable(c));
    before.is_some_and(|&c| unicode::is_cased(c)) && !after.is_some_and(|&c| unicode::is_cased(c))
}

/// Appends the lowercase of `chars[i]` in context (final sigma).
fn push_lower_at(chars: &[char], i: usize, out: &mut String) {
    match chars[i] {
        'Σ' => out.push(if is_final_sigma(chars, i) { 'ς' } else { 'σ' }),
        c => unicode::push_lower(c, out),
    }
}

/// `s.lower()`: the full lowercase mapping (`'İ'` becomes `"i̇"`), with
/// `'Σ'` becoming `'ς'` at the end of a word (`"ΟΔΟΣ"` becomes `"οδος"`).
pub fn lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for i in 0..chars.len() {
        push_lower_at(&chars, i, &mut out);
    }
    out
}

/// `s.title()`: titlecase after an uncased character, lowercase after a
/// cased one (`"they're"` becomes `"They'Re"`).
pub fn title(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut previous_is_cased = false;
    for (i, &c) in chars.iter().enumerate() {
        if previous_is_cased {
            push_lower_at(&chars, i, &mut out);
        } else {
            unicode::push_title(c, &mut out);
        }
        previous_is_cased = unicode::is_cased(c);
    }
    out
}

/// `s.capitalize()`: the first character titlecased (`'ǆ'` becomes `'ǅ'`),
/// the rest lowercased.
pub fn capitalize(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    if let Some(&first) = chars.first() {
        unicode::push_title(first, &mut out);
        for i in 1..chars.len() {
            push_lower_at(&chars, i, &mut out);
        }
    }
    out
}

/// `s.strip(chars)`: without `chars` (`None`), strips Python whitespace
/// (`str.isspace`); with them, any of those characters.
pub fn strip<'a>(s: &'a str, chars: Option<&str>) -> &'a str {
    match chars {
        None => s.trim_matches(is_space),
        Some(set) => s.trim_matches(|c| set.contains(c)),
    }
}

/// `s.lstrip(chars)`, as [`strip`] but only at the start.
pub fn lstrip<'a>(s: &'a str, chars: Option<&str>) -> &'a str {
    match chars {
        None => s.trim_start_matches(is_space),
        Some(set) => s.trim_start_matches(|c| set.contains(c)),
    }
}

/// `s.rstrip(chars)`, as [`strip`] but only at the end.
pub fn rstrip<'a>(s: &'a str, chars: Option<&str>) -> &'a str {
    match chars {
        None => s.trim_end_matches(is_space),
        Some(set) => s.trim_end_matches(|c| set.contains(c)),
    }
}

/// The number of pieces `split` may produce: `maxsplit + 1`, unlimited
/// when `maxsplit` is negative.
fn max_pieces(maxsplit: i64) -> usize {
    if maxsplit < 0 {
        usize::MAX
    } else {
        usize::try_from(maxsplit).map_or(usize::MAX, |m| m.saturating_add(1))
    }
}

fn empty_separator() -> PyErr {
    PyErr::value_error("empty separator")
}

/// `s.split(sep, maxsplit)`. With `sep` `None`: runs of Python whitespace
/// separate words, and leading/trailing whitespace gives no empty strings
/// (`" a  b ".split()` is `['a', 'b']`). With a `sep`: every occurrence
/// separates (`"a,,b".split(",")` is `['a', '', 'b']`); an empty `sep` is
/// `ValueError: empty separator`. At most `maxsplit` splits when it is
/// non-negative; the rest of the string is the last item.
pub fn split<'a>(s: &'a str, sep: Option<&str>, maxsplit: i64) -> Result<Vec<&'a str>, PyErr> {
    match sep {
        Some("") => Err(empty_separator()),
        Some(sep) => Ok(match one_char(sep) {
            Some(c) => s.splitn(max_pieces(maxsplit), c).collect(),
            None => s.splitn(max_pieces(maxsplit), sep).collect(),
        }),
        None => Ok(split_whitespace(s, maxsplit)),
    }
}

/// `s.split(None, maxsplit)`: the runs of non-whitespace, after at most
/// `maxsplit` splits (negative: no limit) the rest unsplit.
fn split_whitespace(s: &str, maxsplit: i64) -> Vec<&str> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(start) = word_start(s, i) {
        if maxsplit >= 0 && out.len() as i64 >= maxsplit {
            out.push(&s[start..]);
            break;
        }
        i = word_end(s, start);
        out.push(&s[start..i]);
    }
    out
}

/// What each byte is: [`WORD`] (ASCII, not whitespace), [`SPACE`] (ASCII
/// whitespace) or [`OTHER`] (part of a character that is not ASCII).
static BYTE_CLASS: [u8; 256] = {
    let mut class = [OTHER; 256];
    let mut b = 0;
    while b < 128 {
        class[b] = if unicode::is_ascii_space(b as u8) {
            SPACE
        } else {
            WORD
        };
        b += 1;
    }
    class
};
const WORD: u8 = 0;
const SPACE: u8 = 1;
const OTHER: u8 = 2;

/// The length of the character at byte `i` of `s` and whether it is
/// whitespace; a character is decoded only where a byte is not ASCII.
#[inline(always)]
fn char_at(s: &str, i: usize) -> (usize, bool) {
    match BYTE_CLASS[usize::from(s.as_bytes()[i])] {
        WORD => (1, false),
        SPACE => (1, true),
        _ => {
            let c = s[i..].chars().next().expect("a character starts here");
            (c.len_utf8(), is_space(c))
        }
    }
}

/// Where the first run of non-whitespace at or after byte `from` (a
/// character boundary) starts, if any.
#[inline]
pub fn word_start(s: &str, from: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = from;
    // ASCII whitespace a byte at a time, other text a character at a time.
    while i < bytes.len() {
        if BYTE_CLASS[usize::from(bytes[i])] == SPACE {
            i += 1;
            continue;
        }
        let (len, space) = char_at(s, i);
        if !space {
            return Some(i);
        }
        i += len;
    }
    None
}

/// Where the run of non-whitespace starting at byte `start` ends.
#[inline]
pub fn word_end(s: &str, start: usize) -> usize {
    let bytes = s.as_bytes();
    let mut i = start;
    // ASCII word bytes a byte at a time, other text a character at a time.
    while i < bytes.len() {
        if BYTE_CLASS[usize::from(bytes[i])] == WORD {
            i += 1;
            continue;
        }
        let (len, space) = char_at(s, i);
        if space {
            break;
        }
        i += len;
    }
    i
}

/// `s.rsplit(sep, maxsplit)`: as [`split`], but the splits are taken from
/// the right, so with a `maxsplit` the unsplit rest is the first item.
pub fn rsplit<'a>(s: &'a str, sep: Option<&str>, maxsplit: i64) -> Result<Vec<&'a str>, PyErr> {
    let mut out: Vec<&str> = match sep {
        Some("") => return Err(empty_separator()),
        Some(sep) => match one_char(sep) {
            Some(c) => s.rsplitn(max_pieces(maxsplit), c).collect(),
            None => s.rsplitn(max_pieces(maxsplit), sep).collect(),
        },
        None => {
            let mut out = Vec::new();
            let mut rest = s.trim_end_matches(is_space);
            let mut splits = 0;
            while !rest.is_empty() {
                if maxsplit >= 0 && splits >= maxsplit {
                    out.push(rest);
                    break;
                }
                let start = rest.rfind(is_space).map_or(0, |b| {
                    b + rest[b..].chars().next().map_or(0, char::len_utf8)
                });
                out.push(&rest[start..]);
                splits += 1;
                rest = rest[..start].trim_end_matches(is_space);
            }
            out
        }
    };
    out.reverse();
    Ok(out)
}

/// `sep.join(items)`.
pub fn join<S: AsRef<str>>(sep: &str, items: &[S]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

/// `s.replace(old, new, count)`: the first `count` non-overlapping
/// occurrences of `old`, left to right, or all of them when `count` is
/// negative. An empty `old` matches before every character and at the end
/// (`"ab".replace("", "-")` is `"-a-b-"`).
pub fn replace(s: &str, old: &str, new: &str, count: i64) -> String {
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if old.len() < 2 {
        return match one_char(old) {
            Some(c) => s.replacen(c, new, count),
            None => s.replacen(old, new, count),
        };
    }
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    for at in memmem::find_iter(s.as_bytes(), old.as_bytes()).take(count) {
        out.push_str(&s[copied..at]);
        out.push_str(new);
        copied = at + old.len();
    }
    out.push_str(&s[copied..]);
    out
}

/// `s.partition(sep)` (`s.rpartition(sep)` when `from_right`): the text
/// before the first (last) `sep`, `sep`, and the text after it; without
/// one, `(s, "", "")` (`("", "", s)`). `ValueError` for an empty `sep`.
pub fn partition<'a>(s: &'a str, sep: &'a str, from_right: bool) -> Result<[&'a str; 3], PyErr> {
    if sep.is_empty() {
        return Err(PyErr::value_error("empty separator"));
    }
    let found = if from_right {
        s.rfind(sep)
    } else {
        s.find(sep)
    };
    Ok(match (found, from_right) {
        (Some(at), _) => [&s[..at], sep, &s[at + sep.len()..]],
        (None, false) => [s, "", ""],
        (None, true) => ["", "", s],
    })
}

/// Clamps optional `start`/`end` to `0..=len` as CPython's
/// `ADJUST_INDICES` does (negative values count from the end). `end` may
/// come out smaller than `start`.
fn adjust_indices(len: i64, start: Option<i64>, end: Option<i64>) -> (i64, i64) {
    let start = start.unwrap_or(0);
    let end = end.unwrap_or(i64::MAX);
    let end = if end > len {
        len
    } else if end < 0 {
        (end + len).max(0)
    } else {
        end
    };
    let start = if start < 0 {
        (start + len).max(0)
    } else {
        start
    };
    (start, end)
}

/// The part of `s` that a search with `start` and `end` looks in (after
/// [`adjust_indices`]): its bytes `b0..b1` and its first code point index
/// `c0`, or `None` when `sub` cannot fit in it.
struct Window {
    b0: usize,
    b1: usize,
    c0: i64,
}

/// The [`Window`] of `s[start:end]` for `sub`.
fn window(s: Text<'_>, sub: &str, start: Option<i64>, end: Option<i64>) -> Option<Window> {
    if start.is_none() && end.is_none() {
        // The whole string: too short for `sub` only if its bytes are
        // (a search then finds nothing anyway).
        return Some(Window {
            b0: 0,
            b1: s.text.len(),
            c0: 0,
        });
    }
    let (start, end) = adjust_indices(s.chars as i64, start, end);
    if end - start < len(sub) {
        return None;
    }
    Some(Window {
        b0: s.byte_offset(start),
        b1: s.byte_offset(end),
        c0: start,
    })
}

/// `s.find(sub, start, end)`: the lowest code point index where `sub`
/// occurs within `s[start:end]`, or -1.
pub fn find(s: Text<'_>, sub: &str, start: Option<i64>, end: Option<i64>) -> i64 {
    search(s, sub, start, end, true)
}

/// `s.rfind(sub, start, end)`: the highest code point index where `sub`
/// occurs within `s[start:end]`, or -1.
pub fn rfind(s: Text<'_>, sub: &str, start: Option<i64>, end: Option<i64>) -> i64 {
    search(s, sub, start, end, false)
}

/// The code point index of the `first` (else the last) occurrence of `sub`
/// within `s[start:end]`, or -1.
fn search(s: Text<'_>, sub: &str, start: Option<i64>, end: Option<i64>, first: bool) -> i64 {
    window(s, sub, start, end)
        .and_then(|w| {
            let piece = &s.text[w.b0..w.b1];
            match (one_char(sub), first) {
                (Some(c), true) => piece.find(c),
                (Some(c), false) => piece.rfind(c),
                (None, true) => find_bytes(piece.as_bytes(), sub.as_bytes()),
                (None, false) => piece.rfind(sub),
            }
            .map(|b| {
                if s.is_ascii() {
                    (w.b0 + b) as i64
                } else {
                    w.c0 + len(&piece[..b])
                }
            })
        })
        .unwrap_or(-1)
}

/// Where `needle` first occurs in `haystack`: a short needle by `memchr`
/// of its first byte and a comparison of the rest (nothing to build
/// first: a loop of `find(sub, pos)` calls this once per match), a longer
/// one by `memmem`'s SIMD searcher; the empty needle at 0.
fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    const SHORT: usize = 4;
    match needle {
        [] => Some(0),
        [first, ..] if needle.len() <= SHORT => {
            memchr::memchr_iter(*first, haystack).find(|&at| haystack[at..].starts_with(needle))
        }
        _ => memmem::find(haystack, needle),
    }
}

fn not_found() -> PyErr {
    PyErr::value_error("substring not found")
}

/// `s.index(sub, start, end)`: as [`find`], but `ValueError: substring not
/// found` instead of -1.
pub fn index(s: Text<'_>, sub: &str, start: Option<i64>, end: Option<i64>) -> Result<i64, PyErr> {
    match find(s, sub, start, end) {
        -1 => Err(not_found()),
        i => Ok(i),
    }
}

/// `s.rindex(sub, start, end)`: as [`rfind`], but `ValueError: substring
/// not found` instead of -1.
pub fn rindex(s: Text<'_>, sub: &str, start: Option<i64>, end: Option<i64>) -> Result<i64, PyErr> {
    match rfind(s, sub, start, end) {
        -1 => Err(not_found()),
        i => Ok(i),
    }
}

/// `s.count(sub, start, end)`: non-overlapping occurrences of `sub` in
/// `s[start:end]`; an empty `sub` counts every position, `len + 1`.
pub fn count(s: Text<'_>, sub: &str, start: Option<i64>, end: Option<i64>) -> i64 {
    let bytes = s.text.as_bytes();
    match window(s, sub, start, end) {
        None => 0,
        Some(w) if sub.is_empty() => len(&s.text[w.b0..w.b1]) + 1,
        // One byte (an ASCII character): count bytes, which vectorizes.
        Some(w) if sub.len() == 1 => {
            let b = sub.as_bytes()[0];
            bytes[w.b0..w.b1].iter().filter(|&&c| c == b).count() as i64
        }
        Some(w) => memmem::find_iter(&bytes[w.b0..w.b1], sub.as_bytes()).count() as i64,
    }
}

/// `s.startswith(prefix, start, end)`: whether `s[start:end]` starts with
/// `prefix`.
pub fn startswith(s: Text<'_>, prefix: &str, start: Option<i64>, end: Option<i64>) -> bool {
    window(s, prefix, start, end).is_some_and(|w| s.text[w.b0..w.b1].starts_with(prefix))
}

/// `s.endswith(suffix, start, end)`: whether `s[start:end]` ends with
/// `suffix`.
pub fn endswith(s: Text<'_>, suffix: &str, start: Option<i64>, end: Option<i64>) -> bool {
    window(s, suffix, start, end).is_some_and(|w| s.text[w.b0..w.b1].ends_with(suffix))
}

/// True when `s` is not empty and every character satisfies `pred`.
fn all_nonempty(s: &str, pred: fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(pred)
}

/// `s.isdigit()`: non-empty, all Numeric_Type Digit or Decimal
/// (superscripts count, `'½'` does not).
pub fn isdigit(s: &str) -> bool {
    all_nonempty(s, unicode::is_digit)
}

/// `s.isdecimal()`: non-empty, all decimal digits of some script.
pub fn isdecimal(s: &str) -> bool {
    all_nonempty(s, unicode::is_decimal)
}

/// `s.isnumeric()`: non-empty, all with a Numeric_Type (`'½'` counts).
pub fn isnumeric(s: &str) -> bool {
    all_nonempty(s, unicode::is_numeric)
}

/// `s.isalpha()`: non-empty, all letters (categories Lm Lt Lu Ll Lo).
pub fn isalpha(s: &str) -> bool {
    all_nonempty(s, unicode::is_alpha)
}

/// `s.isalnum()`: non-empty, each character alphabetic or numeric.
pub fn isalnum(s: &str) -> bool {
    all_nonempty(s, unicode::is_alnum)
}

/// `s.isspace()`: non-empty, all Python whitespace (including
/// `'\x1c'..='\x1f'`).
pub fn isspace(s: &str) -> bool {
    all_nonempty(s, unicode::is_space)
}

/// `s.isprintable()`: every character printable (true for `""`).
pub fn isprintable(s: &str) -> bool {
    s.chars().all(unicode::is_printable)
}

/// `s.isupper()`: at least one uppercase character and no lowercase or
/// titlecase one.
pub fn isupper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if unicode::is_lower(c) || unicode::is_titlecase(c) {
            return false;
        }
        cased = cased || unicode::is_upper(c);
    }
    cased
}

/// `s.islower()`: at least one lowercase character and no uppercase or
/// titlecase one.
pub fn islower(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if unicode::is_upper(c) || unicode::is_titlecase(c) {
            return false;
        }
        cased = cased || unicode::is_lower(c);
    }
    cased
}

/// `s.istitle()`: at least one cased character; uppercase and titlecase
/// ones only after uncased ones, lowercase ones only after cased ones.
pub fn istitle(s: &str) -> bool {
    let mut cased = false;
    let mut previous_is_cased = false;
    for c in s.chars() {
        if unicode::is_upper(c) || unicode::is_titlecase(c) {
            if previous_is_cased {
                return false;
            }
            previous_is_cased = true;
            cased = true;
        } else if unicode::is_lower(c) {
            if !previous_is_cased {
                return false;
            }
            previous_is_cased = true;
            cased = true;
        } else {
            previous_is_cased = false;
        }
    }
    cased
}

/// `s` with `left` and `right` copies of `fill` around it.
fn pad(s: &str, left: i64, right: i64, fill: char) -> Result<String, PyErr> {
    let mut out = String::new();
    let n = usize::try_from(left + right).unwrap_or(usize::MAX);
    try_reserve(
        &mut out,
        n.saturating_mul(fill.len_utf8()).saturating_add(s.len()),
    )?;
    out.extend(std::iter::repeat_n(fill, left as usize));
    out.push_str(s);
    out.extend(std::iter::repeat_n(fill, right as usize));
    Ok(out)
}

/// `s.zfill(width)`: `s` padded on the left with `'0'` to `width` code
/// points, after a leading `'+'` or `'-'` (`"-42".zfill(5)` is `"-0042"`).
pub fn zfill(s: &str, width: i64) -> Result<String, PyErr> {
    let fill = width - len(s);
    if fill <= 0 {
        return Ok(s.to_string());
    }
    match s.strip_prefix(['+', '-']) {
        Some(rest) => {
            let mut out = pad(rest, fill + 1, 0, '0')?;
            out.replace_range(..1, &s[..1]);
            Ok(out)
        }
        None => pad(s, fill, 0, '0'),
    }
}

/// `s.center(width, fill)`: `s` centered in `width` code points. An odd
/// margin puts the extra fill on the left only when `width` is odd
/// (CPython's `left = marg / 2 + (marg & width & 1)`).
pub fn center(s: &str, width: i64, fill: char) -> Result<String, PyErr> {
    let marg = width - len(s);
    if marg <= 0 {
        return Ok(s.to_string());
    }
    let left = marg / 2 + (marg & width & 1);
    pad(s, left, marg - left, fill)
}

/// `s.ljust(width, fill)`: `s` padded on the right to `width` code points.
pub fn ljust(s: &str, width: i64, fill: char) -> Result<String, PyErr> {
    pad(s, 0, (width - len(s)).max(0), fill)
}

/// `s.rjust(width, fill)`: `s` padded on the left to `width` code points.
pub fn rjust(s: &str, width: i64, fill: char) -> Result<String, PyErr> {
    pad(s, (width - len(s)).max(0), 0, fill)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Substring searches find what `str::find` and `str::matches` find,
    /// over texts of few letters (dense and overlapping candidates), with
    /// needles of every length and text that is not ASCII.
    #[test]
    fn substring_search_matches_std() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let letters = ["a", "b", "c", "é", "日"];
        for _ in 0..3000 {
            let (text_len, alphabet) = (next(60), 3 + next(3));
            let text: String = (0..text_len)
                .map(|_| letters[next(alphabet) as usize])
                .collect();
            let needle_len = 2 + next(4);
            let needle: String = (0..needle_len).map(|_| letters[next(4) as usize]).collect();
            if needle.len() < 2 {
                continue;
            }
            let at = text
                .find(&needle)
                .map_or(-1, |b| text[..b].chars().count() as i64);
            assert_eq!(
                find(Text::from(text.as_str()), &needle, None, None),
                at,
                "{text:?} {needle:?}"
            );
            assert_eq!(contains(&text, &needle), at >= 0, "{text:?} {needle:?}");
            let std = text.matches(&needle).count() as i64;
            assert_eq!(
                count(Text::from(text.as_str()), &needle, None, None),
                std,
                "{text:?} {needle:?}"
            );
            assert_eq!(
                replace(&text, &needle, "-", 2),
                text.replacen(&needle, "-", 2),
                "{text:?} {needle:?}"
            );
        }
    }

    /// Searches of text where the needle's first character is found far
    /// more often than the needle, non-ASCII text, counts. Expected values
    /// are CPython 3.11's.
    #[test]
    fn searches_with_many_false_candidates_match_cpython() {
        let long = format!("{}b", "a".repeat(1000));
        assert_eq!(find(Text::from(long.as_str()), "ab", None, None), 999);
        assert_eq!(count(Text::from(long.as_str()), "ab", None, None), 1);
        assert!(replace(&long, "ab", "X", -1).ends_with("aaX"));
        assert!(contains(&long, "ab") && !contains(&long, "ba"));
        let runs = format!("{}ab", "a".repeat(50)).repeat(40);
        assert_eq!(count(Text::from(runs.as_str()), "ab", None, None), 40);
        assert_eq!(find(Text::from(runs.as_str()), "aab", None, None), 49);
        let replaced = replace(&runs, "aab", "Z", -1);
        assert_eq!(
            (
                replaced.len(),
                count(Text::from(replaced.as_str()), "Z", None, None)
            ),
            (2000, 40)
        );
        assert_eq!(replace("aaaaa", "aa", "x", -1), "xxa");
        assert_eq!(replace("éxéyé", "éy", "!", -1), "éx!é");
        assert_eq!(find(Text::from("éxéyé"), "éy", None, None), 2);
        assert_eq!(replace("abab", "ab", "-", 1), "-ab");
    }

    /// Expected values are CPython 3.11's; the vector file
    /// (`tests/py_cases.txt`) has thousands more.
    #[test]
    fn matches_cpython() {
        assert_eq!(lower("ΟΔΟΣ ΣΑΣ"), "οδος σας");
        assert_eq!(lower("İ"), "i\u{307}");
        assert_eq!(upper("straße"), "STRASSE");
        assert_eq!(title("they're ǆungla"), "They'Re ǅungla");
        assert_eq!(capitalize("ﬁx ME"), "Fix me");
        assert_eq!(
            split(" a\u{1c}b\u{2003}c ", None, -1).unwrap(),
            ["a", "b", "c"]
        );
        assert_eq!(rsplit("a,b,c", Some(","), 1).unwrap(), ["a,b", "c"]);
        assert_eq!(
            split("x", Some(""), -1).unwrap_err().message,
            "empty separator"
        );
        assert_eq!(find(Text::from("日本語"), "語", None, None), 2);
        assert_eq!(count(Text::from("aaaa"), "aa", None, None), 2);
        assert_eq!(count(Text::from("abc"), "", Some(5), None), 0);
        assert_eq!(get("日本", -1), Ok('本'));
        assert_eq!(
            get("日本", 2).unwrap_err().message,
            "string index out of range"
        );
        assert_eq!(slice("abcdef", None, None, Some(-2)).unwrap(), "fdb");
        assert_eq!(center("ab", 5, '*').unwrap(), "**ab*");
        assert_eq!(center("abc", 6, '*').unwrap(), "*abc**");
        assert_eq!(zfill("-42", 5).unwrap(), "-0042");
        assert_eq!(replace("abc", "", "-", 2), "-a-bc");
        assert!(isupper("ABC1") && !isupper("1") && istitle("Hello World"));
        assert_eq!(
            repeat("ab", 1 << 62).unwrap_err().message,
            "repeated string is too long"
        );
    }
}
