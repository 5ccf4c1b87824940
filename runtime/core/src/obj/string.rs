//! `str` objects: `len` (bytes) @16, `chars` (code points) @24, `cap`
//! (bytes allocated) @32, UTF-8 bytes inline @40, one allocation per string.
//! The empty string and the 128 one-character ASCII strings are immortal
//! statics, so `s[i]` and `list(s)` of ASCII text allocate nothing.

use super::desc::STR;
use super::heap::{block_size, Header, Obj};
use crate::py::format::PaddedInt;
use crate::py::slice::SliceIndices;
use std::cell::Cell;
use std::mem::offset_of;
use std::ptr::NonNull;

#[repr(C)]
struct StrLayout {
    header: Header,
    len: u64,
    chars: u64,
    cap: u64,
}

/// Size of everything before the bytes.
const HEAD: usize = size_of::<StrLayout>();

const _: () = assert!(
    offset_of!(StrLayout, len) == 16
        && offset_of!(StrLayout, chars) == 24
        && offset_of!(StrLayout, cap) == 32
        && HEAD == 40
);

/// An immortal string of at most 8 bytes in static memory.
#[repr(C)]
struct StaticStr {
    head: StrLayout,
    bytes: [u8; 8],
}

/// `""` at index 0, then the ASCII characters.
#[repr(C)]
pub struct Immortals([StaticStr; 129]);

/// Bytes from one immortal string of [`roast_rt_ascii_strs`] to the next.
pub const ASCII_STR_STRIDE: usize = size_of::<StaticStr>();

// SAFETY: immortal strings are never written (their counts are negative, so
// reference counting skips them): threads only ever share reads.
unsafe impl Sync for Immortals {}

/// The immortal strings: `""`, then the one-character string of each
/// ASCII byte `b` at `ASCII_STR_STRIDE * (1 + b)` bytes from the start.
/// Compiled code reads `s[i]` of an ASCII string from here.
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static roast_rt_ascii_strs: Immortals = {
    let mut table = [const {
        StaticStr {
            head: StrLayout {
                header: Header { rc: -1, desc: &STR },
                len: 0,
                chars: 0,
                cap: 0,
            },
            bytes: [0; 8],
        }
    }; 129];
    let mut b = 0;
    while b < 128 {
        table[b + 1].head.len = 1;
        table[b + 1].head.chars = 1;
        table[b + 1].bytes[0] = b as u8;
        b += 1;
    }
    Immortals(table)
};

fn immortal(i: usize) -> Obj {
    Obj::from_static(NonNull::from(&roast_rt_ascii_strs.0[i]).cast::<Header>())
}

/// A live `str` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Str(Obj);

impl Str {
    /// The `str` object `o` (whose type is `str`).
    pub(crate) fn from_obj(o: Obj) -> Str {
        debug_assert_eq!(o.desc().kind(), super::desc::Kind::Str);
        Str(o)
    }

    /// The handle for a non-null `str` pointer.
    ///
    /// # Safety
    /// `p` points to a live `str` that stays live while the handle is used.
    pub(crate) unsafe fn from_ptr(p: *mut u8) -> Str {
        // SAFETY: forwarded caller guarantee.
        Str(unsafe { Obj::from_ptr(p) }.expect("a non-null str"))
    }

    /// The object.
    pub(crate) fn obj(self) -> Obj {
        self.0
    }

    fn head(&self) -> &StrLayout {
        // SAFETY: a live str starts with this layout; its head is only
        // written through a raw pointer while no such reference exists.
        unsafe { &*self.0.cast::<StrLayout>() }
    }

    /// Length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.head().len as usize
    }

    /// Length in code points (`len(s)`).
    pub(crate) fn chars(&self) -> usize {
        self.head().chars as usize
    }

    /// Whether every character is ASCII (one byte per code point).
    pub(crate) fn is_ascii(&self) -> bool {
        self.len() == self.chars()
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        // SAFETY: a live str holds `len` bytes of valid UTF-8 right after its
        // 40-byte head, unchanged while it is shared.
        unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                self.0.ptr().add(HEAD),
                self.len(),
            ))
        }
    }

    /// Frees the string (its count reached zero).
    pub(crate) fn release(self) {
        forget_position(self);
        let cap = self.head().cap as usize;
        // SAFETY: mortal strings are allocated by `alloc_str` with `HEAD +
        // cap` bytes; this was the last reference.
        unsafe { self.0.free(HEAD + cap) };
    }
}

thread_local! {
    /// The object (its address), code point index and byte offset of the
    /// position last found in a string that is not ASCII (see
    /// [`char_offset`]); cleared when that string is freed or moved.
    static LAST_POSITION: Cell<(usize, usize, usize)> = const { Cell::new((0, 0, 0)) };
}

/// The byte offset of code point `i` of `s` (its length in bytes past the
/// end). In ASCII text that is `i`; in other text it is found by walking
/// from the nearest position known — the start, the end, or the position
/// last found in the same string — so reading a string's characters by
/// index in order (`s[i]`, `s[i:i + 3]` for `i` in a range) costs each
/// step a walk over one character, not over the text before it.
pub(crate) fn char_offset(s: Str, i: usize) -> usize {
    let (text, chars) = (s.as_str().as_bytes(), s.chars());
    if s.is_ascii() {
        return i.min(text.len());
    }
    if i >= chars {
        return text.len();
    }
    let key = s.obj().ptr() as usize;
    let (last, at_char, at_byte) = LAST_POSITION.with(Cell::get);
    let mut here = (0, 0);
    if last == key && at_char.abs_diff(i) < i {
        here = (at_char, at_byte);
    }
    if chars - i < here.0.abs_diff(i) {
        here = (chars, text.len());
    }
    let (mut c, mut b) = here;
    while c < i {
        b += match text[b] {
            0..0x80 => 1,
            0x80..0xe0 => 2,
            0xe0..0xf0 => 3,
            _ => 4,
        };
        c += 1;
    }
    while c > i {
        b -= 1;
        // Back over continuation bytes (`10xxxxxx`) to a character's start.
        while text[b] & 0xc0 == 0x80 {
            b -= 1;
        }
        c -= 1;
    }
    LAST_POSITION.with(|p| p.set((key, i, b)));
    b
}

/// Forgets the position [`char_offset`] keeps for `s`, which is about to
/// be freed or moved (its address may then hold another string).
fn forget_position(s: Str) {
    if s.is_ascii() {
        return;
    }
    let key = s.obj().ptr() as usize;
    // The thread's cache is gone only while the thread ends; nothing
    // reads it then.
    let _ = LAST_POSITION.try_with(|p| {
        if p.get().0 == key {
            p.set((0, 0, 0));
        }
    });
}

/// A mortal string with room for at least `cap` bytes (all that its
/// block holds), `len` and `chars` 0.
pub(crate) fn alloc_str(cap: usize) -> Obj {
    let cap = block_size(HEAD + cap) - HEAD;
    let o = Obj::alloc(HEAD + cap, &STR);
    // SAFETY: `o` is a fresh allocation of a str head.
    unsafe {
        let head = o.cast::<StrLayout>();
        (*head).len = 0;
        (*head).chars = 0;
        (*head).cap = cap as u64;
    }
    o
}

/// Appends `bytes` (whose code point count is `chars`) to `o`, a string
/// this thread exclusively owns with room for them.
fn append(o: Obj, bytes: &[u8], chars: usize) {
    let head = o.cast::<StrLayout>();
    // SAFETY: `o` is exclusively owned (fresh, or a count of 1) and mortal,
    // its capacity covers `len + bytes.len()` (checked by every caller), and
    // `bytes` does not overlap its free space.
    unsafe {
        let len = (*head).len as usize;
        debug_assert!(len + bytes.len() <= (*head).cap as usize);
        let to = o.ptr().add(HEAD + len);
        copy_bytes(bytes, to);
        (*head).len = (len + bytes.len()) as u64;
        (*head).chars += chars as u64;
    }
}

/// Copies `bytes` to `to`. Short runs (words, characters, the empty
/// string that `str(x)` starts from) are copied without a call: up to 16
/// bytes by two loads and two stores that may overlap.
///
/// # Safety
/// `to` is valid for writing `bytes.len()` bytes that do not overlap
/// `bytes`.
#[inline]
unsafe fn copy_bytes(bytes: &[u8], to: *mut u8) {
    let (n, from) = (bytes.len(), bytes.as_ptr());
    // SAFETY: every access is within the first `n` bytes of `from` and
    // `to`, unaligned, as the caller allows.
    unsafe {
        match n {
            0 => {}
            // The first, middle and last bytes cover one to three; a loop
            // here would become a call to `memcpy`.
            1..=3 => {
                to.write(*from);
                to.add(n / 2).write(*from.add(n / 2));
                to.add(n - 1).write(*from.add(n - 1));
            }
            4..=7 => copy_ends::<u32>(from, to, n),
            8..=16 => copy_ends::<u64>(from, to, n),
            _ => std::ptr::copy_nonoverlapping(from, to, n),
        }
    }
}

/// Copies `n` bytes (`size_of::<W>() <= n <= 2 * size_of::<W>()`) from
/// `from` to `to` as the first and the last word of type `W`, which may
/// overlap.
///
/// # Safety
/// As [`copy_bytes`]: `n` bytes readable at `from`, writable at `to`, not
/// overlapping.
#[inline]
unsafe fn copy_ends<W: Copy>(from: *const u8, to: *mut u8, n: usize) {
    let w = size_of::<W>();
    // SAFETY: both words lie within the first `n` bytes of each side.
    unsafe {
        let (a, b) = (
            from.cast::<W>().read_unaligned(),
            from.add(n - w).cast::<W>().read_unaligned(),
        );
        to.cast::<W>().write_unaligned(a);
        to.add(n - w).cast::<W>().write_unaligned(b);
    }
}

/// Whether two byte strings are equal: short ones (up to 16 bytes) by two
/// word loads each that may overlap, without a call.
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().expect("8 bytes"));
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().expect("4 bytes"));
    match n {
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        _ => a == b,
    }
}

/// A new string holding `s`.
pub(crate) fn new_str(s: &str) -> Obj {
    new_counted(s, s.chars().count())
}

/// A new string holding `s`, which has `chars` code points.
pub(crate) fn new_counted(s: &str, chars: usize) -> Obj {
    new_of_bytes(s.as_bytes(), chars)
}

/// A new `str` of ASCII `bytes`.
pub(crate) fn new_ascii(bytes: &[u8]) -> Obj {
    debug_assert!(bytes.is_ascii());
    new_of_bytes(bytes, bytes.len())
}

/// A new string of `bytes`, UTF-8 of `chars` code points: the immortal
/// one for none or one byte (a lone byte of UTF-8 is ASCII).
fn new_of_bytes(bytes: &[u8], chars: usize) -> Obj {
    match *bytes {
        [] => immortal(0),
        [b] => immortal(1 + b as usize),
        _ => {
            let o = alloc_str(bytes.len());
            append(o, bytes, chars);
            o
        }
    }
}

/// The one-character string of `c`.
pub(crate) fn new_char(c: char) -> Obj {
    if c.is_ascii() {
        immortal(1 + c as usize)
    } else {
        new_counted(c.encode_utf8(&mut [0; 4]), 1)
    }
}

/// `a + b`.
pub(crate) fn concat(a: Str, b: Str) -> Obj {
    if b.len() == 0 {
        a.obj().incref();
        return a.obj();
    }
    if a.len() == 0 {
        b.obj().incref();
        return b.obj();
    }
    let o = alloc_str(a.len() + b.len());
    append(o, a.as_str().as_bytes(), a.chars());
    append(o, b.as_str().as_bytes(), b.chars());
    o
}

/// `s[start:stop:step]` for an ASCII `s` (where characters are bytes),
/// the bytes written straight into the new string; `None` for other text.
pub(crate) fn ascii_slice(s: Str, idx: &SliceIndices) -> Option<Obj> {
    if !s.is_ascii() {
        return None;
    }
    let bytes = s.as_str().as_bytes();
    let (start, count) = (idx.start as usize, idx.count as usize);
    Some(if idx.step == 1 {
        new_counted(&s.as_str()[start..start + count], count)
    } else {
        ascii_text(count, idx.indices().map(|i| bytes[i as usize]))
    })
}

/// `s` with `f` applied to each byte, for an ASCII `s` whose bytes `f`
/// maps to ASCII bytes (`s.upper()`, `s.lower()`); `None` for other text.
/// When `f` changes no byte the result is `s` itself, a new reference
/// (strings are immutable, so no copy is needed).
pub(crate) fn ascii_mapped(s: Str, f: fn(&u8) -> u8) -> Option<Obj> {
    let bytes = s.as_str().as_bytes();
    if !s.is_ascii() {
        return None;
    }
    if bytes.iter().all(|b| f(b) == *b) {
        s.obj().incref();
        return Some(s.obj());
    }
    Some(ascii_text(bytes.len(), bytes.iter().map(f)))
}

/// A string of the first `n` bytes `bytes` yields (at least `n`, all
/// ASCII), written straight into it (an immortal one for one byte or none).
fn ascii_text(n: usize, mut bytes: impl Iterator<Item = u8>) -> Obj {
    if n <= 1 {
        return immortal(bytes.next().map_or(0, |b| 1 + usize::from(b)));
    }
    let o = alloc_str(n);
    let head = o.cast::<StrLayout>();
    // SAFETY: `o` is fresh with room for `n` bytes after its head; the
    // caller's `n` ASCII bytes fill them, valid UTF-8 of `n` code points.
    unsafe {
        let out = std::slice::from_raw_parts_mut(o.ptr().add(HEAD), n);
        for (b, c) in out.iter_mut().zip(bytes) {
            debug_assert!(c.is_ascii());
            *b = c;
        }
        (*head).len = n as u64;
        (*head).chars = n as u64;
    }
    o
}

/// `sep.join(items)` for the words of a `list[str]`, with one allocation.
pub(crate) fn join(sep: Str, words: &[u64]) -> Obj {
    // SAFETY: the words of a live `list[str]` are live strs, unchanged
    // while the list is borrowed.
    let item = |w: u64| unsafe { Str::from_ptr(w as *mut u8) };
    match *words {
        [] => return immortal(0),
        [only] => {
            let only = item(only);
            only.obj().incref();
            return only.obj();
        }
        _ => {}
    }
    let gaps = words.len() - 1;
    let (mut len, mut chars) = (sep.len() * gaps, sep.chars() * gaps);
    for &w in words {
        let s = item(w);
        len += s.len();
        chars += s.chars();
    }
    let o = alloc_str(len);
    let sep = sep.as_str().as_bytes();
    // SAFETY: `o` is fresh with room for `len` bytes, exactly what the
    // separators and words copied here add up to; its header is set to
    // them last.
    unsafe {
        let mut to = o.ptr().add(HEAD);
        for (i, &w) in words.iter().enumerate() {
            if i > 0 && !sep.is_empty() {
                std::ptr::copy_nonoverlapping(sep.as_ptr(), to, sep.len());
                to = to.add(sep.len());
            }
            copy_bytes(item(w).as_str().as_bytes(), to);
            to = to.add(item(w).len());
        }
        let head = o.cast::<StrLayout>();
        (*head).len = len as u64;
        (*head).chars = chars as u64;
    }
    o
}

/// `s.replace(old, new, count)` for a nonempty `old` (at most `limit`
/// occurrences, left to right, not overlapping), with one allocation of
/// the exact size: the matches are counted first, as CPython does, then
/// the pieces copied. `s` itself (a new reference) when nothing matches;
/// `None` for an empty `old` or a result of one byte or none (immortal
/// strings, which the caller makes).
pub(crate) fn replace(s: Str, old: Str, new: Str, limit: usize) -> Option<Obj> {
    if old.len() == 0 {
        return None;
    }
    let text = s.as_str().as_bytes();
    let finder = memchr::memmem::Finder::new(old.as_str().as_bytes());
    let matches = finder.find_iter(text).take(limit).count();
    if matches == 0 {
        s.obj().incref();
        return Some(s.obj());
    }
    let len = text.len() - matches * old.len() + matches * new.len();
    if len <= 1 {
        return None;
    }
    let o = alloc_str(len);
    let (new_bytes, mut copied) = (new.as_str().as_bytes(), 0);
    for at in finder.find_iter(text).take(matches) {
        append(o, &text[copied..at], 0);
        append(o, new_bytes, 0);
        copied = at + old.len();
    }
    append(o, &text[copied..], 0);
    // SAFETY: `o` is fresh and holds exactly the `len` bytes appended
    // above: UTF-8 of this many code points, as whole code points were cut
    // out and put in.
    unsafe {
        (*o.cast::<StrLayout>()).chars =
            (s.chars() - matches * old.chars() + matches * new.chars()) as u64
    };
    Some(o)
}

/// `s * n` for `n >= 2` and a nonempty `s` whose repetition the caller
/// has found small enough to allocate: one allocation, the text copied
/// once and then in doubling runs of what is already there (one fill for
/// a one-byte `s`).
pub(crate) fn repeat(s: Str, n: usize) -> Obj {
    let bytes = s.as_str().as_bytes();
    let len = bytes.len() * n;
    let o = alloc_str(len);
    // SAFETY: `o` is fresh with room for `len` bytes; every copy below
    // stays within them, from the part already written to the part not
    // yet written (not overlapping); the header is set to them last.
    unsafe {
        let to = o.ptr().add(HEAD);
        if let [b] = bytes {
            std::ptr::write_bytes(to, *b, len);
        } else {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), to, bytes.len());
            let mut done = bytes.len();
            while done < len {
                let run = done.min(len - done);
                std::ptr::copy_nonoverlapping(to, to.add(done), run);
                done += run;
            }
        }
        let head = o.cast::<StrLayout>();
        (*head).len = len as u64;
        (*head).chars = (s.chars() * n) as u64;
    }
    o
}

/// `a += b`: consumes the caller's reference to `a` and returns the
/// result (`b` itself when `a` is empty). A string nobody else holds grows
/// in place, its capacity at least doubling, so appending in a loop takes
/// amortized linear time.
pub(crate) fn iadd(a: Str, b: Str) -> Obj {
    if a.len() == 0 {
        // `"" + b` is `b` itself (strings are immutable): no copy.
        b.obj().incref();
        a.obj().decref();
        return b.obj();
    }
    if a == b && b.len() != 0 {
        let r = concat(a, b);
        a.obj().decref();
        return r;
    }
    iadd_bytes(a, b.as_str().as_bytes(), b.chars())
}

/// `a += text`, where `bytes` is the UTF-8 of `text` (`chars` code points,
/// not inside `a`): consumes the caller's reference to `a` and returns the
/// result, grown in place when nobody else holds `a`.
pub(crate) fn iadd_bytes(a: Str, bytes: &[u8], chars: usize) -> Obj {
    if bytes.is_empty() {
        return a.obj();
    }
    let o = reserve(a, bytes.len());
    append(o, bytes, chars);
    o
}

/// `a += str(v)` or `a += format(v, spec)` for a simple int spec (see
/// [`PaddedInt`]): the text is written straight into the string. Consumes
/// the caller's reference to `a`, like [`iadd_bytes`].
pub(crate) fn iadd_int(a: Str, v: i64, zero: bool, width: usize) -> Obj {
    let text = PaddedInt::new(v, zero, width);
    let n = text.byte_len();
    let o = reserve(a, n);
    let head = o.cast::<StrLayout>();
    // SAFETY: `reserve` gave an exclusively owned mortal string with room
    // for `n` more bytes after its `len`; the text is ASCII, so it stays
    // valid UTF-8 with `n` more code points.
    unsafe {
        let len = (*head).len as usize;
        text.write(std::slice::from_raw_parts_mut(o.ptr().add(HEAD + len), n));
        (*head).len = (len + n) as u64;
        (*head).chars += n as u64;
    }
    o
}

/// `str(v)` for an int: a new string with the digits written straight in.
pub(crate) fn int_text(v: i64) -> Obj {
    iadd_int(Str(immortal(0)), v, false, 0)
}

/// Consumes the caller's reference to `a` and returns a string with `a`'s
/// text that this thread exclusively owns, with room for `extra` more
/// bytes: `a` itself (grown, its capacity at least doubling) when nobody
/// else holds it, else a copy.
fn reserve(a: Str, extra: usize) -> Obj {
    if a.obj().rc() != 1 {
        let o = alloc_str(a.len() + extra);
        append(o, a.as_str().as_bytes(), a.chars());
        a.obj().decref();
        return o;
    }
    let (len, cap) = (a.len(), a.head().cap as usize);
    let need = len + extra;
    if need <= cap {
        return a.obj();
    }
    let new_cap = block_size(HEAD + need.max(cap.saturating_mul(2)).max(16)) - HEAD;
    forget_position(a);
    // SAFETY: `a` is mortal (count 1), allocated with `HEAD + cap` bytes,
    // and the caller's reference, the only one, is consumed here.
    let o = unsafe { a.obj().realloc(HEAD + cap, HEAD + new_cap) };
    // SAFETY: `o` is the moved string, exclusively owned.
    unsafe { (*o.cast::<StrLayout>()).cap = new_cap as u64 };
    o
}

/// The capacity of a string (for tests of the growth policy).
#[cfg(test)]
pub(crate) fn capacity(s: Str) -> usize {
    s.head().cap as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::obj::heap::live_objects;

    #[test]
    fn positions_in_wide_text_are_found_in_any_order_and_forgotten_on_free() {
        let texts = [
            "ab€dé日本x😀z".repeat(9),
            "😀é".repeat(20),
            "xé".to_string(),
        ];
        let mut seed = 1u64;
        for round in 0..3 {
            for text in &texts {
                let o = new_str(text);
                let s = Str::from_obj(o);
                let want: Vec<usize> = text
                    .char_indices()
                    .map(|(b, _)| b)
                    .chain([text.len()])
                    .collect();
                let n = want.len() - 1;
                let mut order: Vec<usize> = (0..=n).chain((0..=n).rev()).collect();
                for _ in 0..200 {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    order.push((seed >> 33) as usize % (n + 3));
                }
                for i in order {
                    assert_eq!(
                        char_offset(s, i),
                        want[i.min(n)],
                        "round {round}, {text:?}[{i}]"
                    );
                }
                // Freed: the next string (perhaps at the same address)
                // must not start from this one's position.
                s.obj().decref();
            }
        }
    }

    #[test]
    fn short_copies_and_comparisons_match_the_general_ones() {
        let text: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for n in 0..=text.len() {
            let bytes = &text[..n];
            let mut out = vec![0xffu8; n + 8];
            // SAFETY: `out` has room for `n` bytes and does not overlap.
            unsafe { copy_bytes(bytes, out.as_mut_ptr()) };
            assert_eq!(&out[..n], bytes, "copy of {n} bytes");
            assert!(
                out[n..].iter().all(|&b| b == 0xff),
                "{n} bytes copied, no more"
            );
            assert!(bytes_eq(bytes, bytes));
            assert!(!bytes_eq(bytes, &text[..n.saturating_sub(1)]) || n == 0);
            for at in 0..n {
                let mut other = bytes.to_vec();
                other[at] ^= 0x20;
                assert!(!bytes_eq(bytes, &other), "{n} bytes differing at {at}");
            }
        }
    }

    #[test]
    fn the_exported_table_holds_each_ascii_character_at_its_stride() {
        let table = std::ptr::addr_of!(roast_rt_ascii_strs).cast::<u8>();
        assert_eq!(ASCII_STR_STRIDE, 48);
        for b in 0..128u8 {
            let c = Str::from_obj(new_char(char::from(b)));
            // Compiled code computes this address for `s[i]` (docs/runtime-abi.md).
            let at = table.wrapping_add(ASCII_STR_STRIDE * (1 + usize::from(b)));
            assert_eq!(c.obj().ptr().cast_const(), at);
            assert_eq!(c.as_str().as_bytes(), [b]);
        }
    }

    #[test]
    fn small_strings_are_immortal() {
        let before = live_objects();
        let a = Str::from_obj(new_str("a"));
        let empty = Str::from_obj(new_str(""));
        assert!(a.obj().rc() < 0 && empty.obj().rc() < 0);
        assert_eq!((a.as_str(), empty.as_str()), ("a", ""));
        let e = Str::from_obj(new_char('é'));
        assert_eq!((e.as_str(), e.len(), e.chars()), ("é", 2, 1));
        e.obj().decref();
        assert_eq!(live_objects(), before);
    }

    #[test]
    fn replace_in_place_matches_the_text_replace() {
        let before = live_objects();
        let texts = [
            "",
            "a",
            "|",
            "a|b||c|",
            "ab€€c€",
            "日本日本x",
            "aaaa",
            "x|y",
        ];
        let pieces = ["", "|", "||", "€", "aa", " | ", "本", "z"];
        for text in texts {
            for old in pieces {
                for new in pieces {
                    for count in [-1, 0, 1, 2, 5] {
                        let want = crate::py::pystr::replace(text, old, new, count);
                        let (s, o, n) = (new_str(text), new_str(old), new_str(new));
                        let limit = usize::try_from(count).unwrap_or(usize::MAX);
                        let got =
                            replace(Str::from_obj(s), Str::from_obj(o), Str::from_obj(n), limit);
                        let case = format!("{text:?}.replace({old:?}, {new:?}, {count})");
                        match got {
                            Some(r) => {
                                let r = Str::from_obj(r);
                                assert_eq!(r.as_str(), want, "{case}");
                                assert_eq!(r.chars(), want.chars().count(), "{case}");
                                r.obj().decref();
                            }
                            None => assert!(old.is_empty() || want.len() <= 1, "{case}"),
                        }
                        for x in [s, o, n] {
                            x.decref();
                        }
                    }
                }
            }
        }
        assert_eq!(live_objects(), before);
    }

    #[test]
    fn iadd_onto_an_empty_string_shares_the_right_side() {
        let before = live_objects();
        let piece = Str::from_obj(new_str("ka€"));
        let empty = Str::from_obj(new_str(""));
        let s = Str::from_obj(iadd(empty, piece));
        assert!(s == piece, "the same object, not a copy");
        assert_eq!(piece.obj().rc(), 2);
        // Shared now, so the next append copies and leaves `piece` alone.
        let s = Str::from_obj(iadd(s, piece));
        assert_eq!(s.as_str(), "ka€ka€");
        assert_eq!(piece.as_str(), "ka€");
        assert_eq!(piece.obj().rc(), 1);
        s.obj().decref();
        piece.obj().decref();
        assert_eq!(live_objects(), before);
    }

    #[test]
    fn iadd_grows_geometrically() {
        let before = live_objects();
        let piece = Str::from_obj(new_str("ab€"));
        let mut s = Str::from_obj(new_str("start"));
        let mut caps = vec![];
        for _ in 0..1000 {
            s = Str::from_obj(iadd(s, piece));
            if caps.last() != Some(&capacity(s)) {
                caps.push(capacity(s));
            }
        }
        assert_eq!(s.len(), 5 + 5000);
        assert_eq!(s.chars(), 5 + 3000);
        assert!(caps.len() < 16, "{caps:?}");
        s.obj().decref();
        piece.obj().decref();
        assert_eq!(live_objects(), before);
    }
}
