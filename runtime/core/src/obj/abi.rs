//! The `extern "C"` functions compiled code calls on heap values (ABI
//! version 2; `docs/runtime-abi.md` describes the layouts and conventions).
//!
//! # Safety
//!
//! Every function here relies on the ABI contract, which the compiler
//! upholds: `ctx` is this thread's live context; each object pointer points
//! to a live object of the type the function expects (`str`, `list`, ...;
//! null only where a parameter says so), and the caller holds a reference
//! to it for the whole call; each descriptor pointer points to a descriptor
//! that lives for the whole program; each word is a valid value of the type
//! its descriptor or container implies; `file` points to `file_len` bytes.
//! Arguments are borrowed and results are new references unless a function
//! says otherwise. A function with `ctx` raises by setting the pending
//! exception and returning 0 (null, `0.0`).

use super::desc::{Kind, TypeDesc};
use super::dict::{Dict, Entry};
use super::heap::{new_box, Obj, Val, View};
use super::list::List;
use super::ops::{
    append_format, append_packed, append_str_of, compare, eq, format, format_packed, repr, to_str,
    Op,
};
use super::sort::sort_list;
use super::string::{self, new_char, new_str, Str};
use super::tuple::Tuple;
use crate::context::Ctx;
use crate::py::parse::{parse_float, parse_int, plain_decimal};
use crate::py::slice::{slice_indices, SliceIndices};
use crate::py::unicode::is_ascii_space;
use crate::py::{pystr, PyErr};
use crate::rt::{raise_py_err, write_stdout};
use crate::{ExcKind, INT_OVERFLOW_MESSAGE};
use std::ptr::null_mut;

/// `r`'s value, or `fallback` after raising its error.
///
/// # Safety
/// The ABI contract for `ctx` and the site.
unsafe fn or_raise<T>(
    ctx: *mut Ctx,
    r: Result<T, PyErr>,
    fallback: T,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            // SAFETY: forwarded caller guarantees.
            unsafe { raise_py_err(ctx, e, file, file_len, pos) };
            fallback
        }
    }
}

/// `r`'s object as a pointer, or null after raising its error.
///
/// # Safety
/// The ABI contract for `ctx` and the site.
unsafe fn ptr_or_raise(
    ctx: *mut Ctx,
    r: Result<Obj, PyErr>,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: forwarded caller guarantees.
    unsafe { or_raise(ctx, r.map(Obj::ptr), null_mut(), file, file_len, pos) }
}

/// The descriptor behind `d`.
///
/// # Safety
/// The ABI contract: `d` points to a descriptor that lives for the whole
/// program.
unsafe fn desc(d: *const TypeDesc) -> &'static TypeDesc {
    // SAFETY: forwarded caller guarantee.
    unsafe { d.as_ref() }.expect("a non-null type descriptor")
}

/// `Some(v)` when bit `bit` of `mask` says the argument was given.
fn given(mask: u64, bit: u32, v: i64) -> Option<i64> {
    (mask >> bit & 1 != 0).then_some(v)
}

/// The slice `[start:stop:step]` of `len` items, each bound given by its
/// `mask` bit (bit 0 for `start`): `ValueError` for a zero step.
fn masked_slice(
    len: i64,
    start: i64,
    stop: i64,
    step: i64,
    mask: u64,
) -> Result<SliceIndices, PyErr> {
    slice_indices(
        len,
        given(mask, 0, start),
        given(mask, 1, stop),
        given(mask, 2, step),
    )
}

/// `i` (negative from the end) as an index into `len` items.
fn seq_index(i: i64, len: usize) -> Option<usize> {
    let i = if i < 0 { i.checked_add(len as i64)? } else { i };
    usize::try_from(i).ok().filter(|&i| i < len)
}

fn new_text(s: &str) -> *mut u8 {
    new_str(s).ptr()
}

fn str_list(desc: &'static TypeDesc, items: Vec<String>) -> *mut u8 {
    List::new(desc, items.iter().map(|s| new_str(s).word()).collect())
        .obj()
        .ptr()
}

// ---------------------------------------------------------------------------
// Memory and generic operations

/// Takes a reference to an object (null and immortal objects: nothing).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_incref(p: *mut u8) {
    // SAFETY: the contract: `p` is null or a live object.
    if let Some(o) = unsafe { Obj::from_ptr(p) } {
        o.incref();
    }
}

/// Gives up a reference to an object (null: nothing); the last one
/// releases what the object holds and frees it.
///
/// # Safety
/// See the [module contract](self); the caller owned the reference.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_decref(p: *mut u8) {
    // SAFETY: the contract: `p` is null or a live object.
    if let Some(o) = unsafe { Obj::from_ptr(p) } {
        o.decref();
    }
}

/// A new box of type `desc` (a `T | None` of a scalar `T`) holding `w`
/// (a `T`; the box would take its own reference if `T` were a heap type,
/// but a `T | None` of a heap `T` is the nullable pointer itself, never a
/// box: reading one back assumes so).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_box_new(desc_: *const TypeDesc, w: u64) -> *mut u8 {
    // SAFETY: the contract.
    let d = unsafe { desc(desc_) };
    // SAFETY: the contract: `w` is a valid value of the box's inner type.
    let inner = unsafe { Val::new(w, d.param(0)) };
    new_box(d, inner).ptr()
}

/// `a == b` for two values of type `desc`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_eq(a: u64, b: u64, desc_: *const TypeDesc) -> u8 {
    // SAFETY: the contract: both words are values of `desc`.
    let (a, b) = unsafe { (Val::new(a, desc(desc_)), Val::new(b, desc(desc_))) };
    u8::from(eq(a, b))
}

/// `a < b` for two values of type `desc`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_lt(a: u64, b: u64, desc_: *const TypeDesc) -> u8 {
    // SAFETY: the contract: both words are values of `desc`.
    let (a, b) = unsafe { (Val::new(a, desc(desc_)), Val::new(b, desc(desc_))) };
    u8::from(compare(a, b, Op::Lt))
}

/// `a <= b` for two values of type `desc`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_le(a: u64, b: u64, desc_: *const TypeDesc) -> u8 {
    // SAFETY: the contract: both words are values of `desc`.
    let (a, b) = unsafe { (Val::new(a, desc(desc_)), Val::new(b, desc(desc_))) };
    u8::from(compare(a, b, Op::Le))
}

/// `repr(w)` for a value of type `desc`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_repr(w: u64, desc_: *const TypeDesc) -> *mut u8 {
    // SAFETY: the contract: `w` is a value of `desc`.
    new_text(&repr(unsafe { Val::new(w, desc(desc_)) }))
}

/// `str(w)` for a value of type `desc` (a `str` is returned itself).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str(w: u64, desc_: *const TypeDesc) -> *mut u8 {
    // SAFETY: the contract: `w` is a value of `desc`.
    to_str(unsafe { Val::new(w, desc(desc_)) }).ptr()
}

/// `format(w, spec)` for a value of type `desc`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_format(
    ctx: *mut Ctx,
    w: u64,
    desc_: *const TypeDesc,
    spec: *mut u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract: `w` is a value of `desc`, `spec` a live str.
    let (v, spec) = unsafe { (Val::new(w, desc(desc_)), Str::from_ptr(spec)) };
    let r = format(v, spec.as_str());
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

/// `format(w, spec)` for a value of type `desc` (an `int`, `bool`, `float`
/// or `str`) and a spec the compiler packed for that type.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_format_packed(
    ctx: *mut Ctx,
    w: u64,
    desc_: *const TypeDesc,
    packed: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract: `w` is a value of `desc`.
    let r = format_packed(unsafe { Val::new(w, desc(desc_)) }, packed);
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

/// A new empty string with room for `capacity` bytes, which the appends of
/// an f-string then fill in place.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_builder(capacity: i64) -> *mut u8 {
    string::alloc_str(usize::try_from(capacity).unwrap_or(0)).ptr()
}

/// `acc + str(w)` for a value of type `desc`: consumes the caller's
/// reference to `acc` and returns the result (f-strings build their text
/// this way, without a string object per field).
///
/// # Safety
/// See the [module contract](self); the caller owns a reference to `acc`.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_append_str(
    acc: *mut u8,
    w: u64,
    desc_: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: the contract: a live str and a value of `desc`.
    let (acc, v) = unsafe { (Str::from_ptr(acc), Val::new(w, desc(desc_))) };
    append_str_of(acc, v).ptr()
}

/// `acc + format(w, spec)` for a value of type `desc`: consumes the
/// caller's reference to `acc` and returns the result; if it raises, `acc`
/// is untouched (the caller's frame still releases it).
///
/// # Safety
/// See the [module contract](self); the caller owns a reference to `acc`.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_append_format(
    ctx: *mut Ctx,
    acc: *mut u8,
    w: u64,
    desc_: *const TypeDesc,
    spec: *mut u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract: live strs and a value of `desc`.
    let (acc, v, spec) = unsafe {
        (
            Str::from_ptr(acc),
            Val::new(w, desc(desc_)),
            Str::from_ptr(spec),
        )
    };
    let r = append_format(acc, v, spec.as_str());
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

/// `acc + format(w, spec)` for a value of type `desc` and a spec the
/// compiler packed for that type, as [`roast_rt_str_append_format`].
///
/// # Safety
/// See the [module contract](self); the caller owns a reference to `acc`.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_append_packed(
    ctx: *mut Ctx,
    acc: *mut u8,
    w: u64,
    desc_: *const TypeDesc,
    packed: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract: a live str and a value of `desc`.
    let (acc, v) = unsafe { (Str::from_ptr(acc), Val::new(w, desc(desc_))) };
    let r = append_packed(acc, v, packed);
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

/// Writes `str(w)` (a value of type `desc`) to stdout.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_print_obj(w: u64, desc_: *const TypeDesc) {
    // SAFETY: the contract: `w` is a value of `desc`.
    let v = unsafe { Val::new(w, desc(desc_)) };
    match v.view() {
        View::Str(s) => write_stdout(s.as_str().as_bytes()),
        _ => write_stdout(repr(v).as_bytes()),
    }
}

// ---------------------------------------------------------------------------
// str

/// `a + b`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_concat(a: *mut u8, b: *mut u8) -> *mut u8 {
    // SAFETY: the contract: live strs.
    let (a, b) = unsafe { (Str::from_ptr(a), Str::from_ptr(b)) };
    string::concat(a, b).ptr()
}

/// `a += b`: **consumes** the caller's reference to `a` and returns the
/// result (new reference). A string nobody else holds grows in place, with
/// geometric capacity growth (it may move: use the returned pointer).
///
/// # Safety
/// See the [module contract](self); the caller owns a reference to `a`.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_iadd(a: *mut u8, b: *mut u8) -> *mut u8 {
    // SAFETY: the contract: live strs.
    let (a, b) = unsafe { (Str::from_ptr(a), Str::from_ptr(b)) };
    string::iadd(a, b).ptr()
}

/// `s * n` (`n <= 0` gives `""`); a result too long is `OverflowError`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_repeat(
    ctx: *mut Ctx,
    s: *mut u8,
    n: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract: a live str.
    let s = unsafe { Str::from_ptr(s) };
    if n == 1 {
        s.obj().incref();
        return s.obj().ptr();
    }
    // Repetitions up to 64 MiB made in place; beyond, the checks of
    // `pystr::repeat` (OverflowError past i64, MemoryError).
    let small = usize::try_from(n)
        .ok()
        .filter(|&n| n >= 2 && s.len() != 0)
        .filter(|n| {
            s.len()
                .checked_mul(*n)
                .is_some_and(|b| b <= REPEAT_IN_PLACE)
        });
    if let Some(n) = small {
        return string::repeat(s, n).ptr();
    }
    let r = pystr::repeat(s.as_str(), n).map(|t| new_str(&t));
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

/// The largest `s * n` (in bytes) [`roast_rt_str_repeat`] makes in place.
const REPEAT_IN_PLACE: usize = 1 << 26;

/// `s[i]`; `IndexError: string index out of range`. O(1) for ASCII text.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_getitem(
    ctx: *mut Ctx,
    s: *mut u8,
    i: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract: a live str.
    let s = unsafe { Str::from_ptr(s) };
    let r = char_at_index(s, i);
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r.map(new_char), file, file_len, pos) }
}

/// `s[i]` as a character (see [`string::char_offset`]: reading a string's
/// characters in order by index takes linear time in any text);
/// `IndexError: string index out of range` outside it.
fn char_at_index(s: Str, i: i64) -> Result<char, PyErr> {
    seq_index(i, s.chars())
        .map(|i| {
            let at = string::char_offset(s, i);
            s.as_str()[at..]
                .chars()
                .next()
                .expect("a code point starts at every offset found")
        })
        .ok_or_else(|| PyErr::new(ExcKind::IndexError, "string index out of range"))
}

/// `ord(s[i])` without making the character: its code point;
/// `IndexError: string index out of range` as `s[i]`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_ord_at(
    ctx: *mut Ctx,
    s: *mut u8,
    i: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    // SAFETY: the contract: a live str.
    let s = unsafe { Str::from_ptr(s) };
    let r = char_at_index(s, i).map(|c| i64::from(u32::from(c)));
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `s[start:stop:step]` (`mask` says which were given).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn roast_rt_str_slice(
    ctx: *mut Ctx,
    s: *mut u8,
    start: i64,
    stop: i64,
    step: i64,
    mask: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract: a live str.
    let s = unsafe { Str::from_ptr(s) };
    if mask & 4 == 0 && s.is_ascii() {
        // `s[a:b]` of ASCII text (characters are bytes): each bound
        // clamped into the text, as `slice.indices` does for a step of 1.
        let len = s.len() as i64;
        let clamp = |i: i64| if i < 0 { (i + len).max(0) } else { i.min(len) };
        let from = if mask & 1 != 0 { clamp(start) } else { 0 };
        let to = if mask & 2 != 0 { clamp(stop) } else { len }.max(from);
        let (from, to) = (from as usize, to as usize);
        return string::new_counted(&s.as_str()[from..to], to - from).ptr();
    }
    let (start, stop, step) = (
        given(mask, 0, start),
        given(mask, 1, stop),
        given(mask, 2, step),
    );
    let r = slice_indices(s.chars() as i64, start, stop, step).and_then(|idx| {
        match string::ascii_slice(s, &idx) {
            Some(o) => Ok(o),
            None if idx.step == 1 => {
                // A run of characters: its ends found from the
                // position last found in `s`.
                let from = string::char_offset(s, idx.start as usize);
                let to = string::char_offset(s, (idx.start + idx.count) as usize);
                Ok(string::new_counted(
                    &s.as_str()[from..to],
                    idx.count as usize,
                ))
            }
            None => pystr::slice(s.as_str(), start, stop, step).map(|t| new_str(&t)),
        }
    });
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

/// `needle in hay`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_contains(hay: *mut u8, needle: *mut u8) -> u8 {
    // SAFETY: the contract: live strs.
    let (hay, needle) = unsafe { (Str::from_ptr(hay), Str::from_ptr(needle)) };
    u8::from(pystr::contains(hay.as_str(), needle.as_str()))
}

/// `s == s[::-1]`: whether `s` reads the same backwards, code point by
/// code point, without making the reversed string.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_palindrome(s: *mut u8) -> u8 {
    // SAFETY: the contract: a live str.
    let s = unsafe { Str::from_ptr(s) };
    u8::from(pystr::is_palindrome(s.as_str()))
}

/// The two strs of a search method.
///
/// # Safety
/// The contract: live strs.
unsafe fn two_strs(a: *mut u8, b: *mut u8) -> (Str, Str) {
    // SAFETY: forwarded caller guarantee.
    unsafe { (Str::from_ptr(a), Str::from_ptr(b)) }
}

/// `s.find(sub, start, end)` (`mask` says which bounds were given).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_find(
    s: *mut u8,
    sub: *mut u8,
    start: i64,
    end: i64,
    mask: u64,
) -> i64 {
    // SAFETY: the contract.
    let (s, sub) = unsafe { two_strs(s, sub) };
    pystr::find(
        pystr::Text::located(s.as_str(), s.chars(), &|i| string::char_offset(s, i)),
        sub.as_str(),
        given(mask, 0, start),
        given(mask, 1, end),
    )
}

/// `s.rfind(sub, start, end)`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_rfind(
    s: *mut u8,
    sub: *mut u8,
    start: i64,
    end: i64,
    mask: u64,
) -> i64 {
    // SAFETY: the contract.
    let (s, sub) = unsafe { two_strs(s, sub) };
    pystr::rfind(
        pystr::Text::located(s.as_str(), s.chars(), &|i| string::char_offset(s, i)),
        sub.as_str(),
        given(mask, 0, start),
        given(mask, 1, end),
    )
}

/// `s.index(sub, start, end)`; `ValueError: substring not found`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn roast_rt_str_index(
    ctx: *mut Ctx,
    s: *mut u8,
    sub: *mut u8,
    start: i64,
    end: i64,
    mask: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    // SAFETY: the contract.
    let (s, sub) = unsafe { two_strs(s, sub) };
    let r = pystr::index(
        pystr::Text::located(s.as_str(), s.chars(), &|i| string::char_offset(s, i)),
        sub.as_str(),
        given(mask, 0, start),
        given(mask, 1, end),
    );
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `s.count(sub, start, end)`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_count(
    s: *mut u8,
    sub: *mut u8,
    start: i64,
    end: i64,
    mask: u64,
) -> i64 {
    // SAFETY: the contract.
    let (s, sub) = unsafe { two_strs(s, sub) };
    pystr::count(
        pystr::Text::located(s.as_str(), s.chars(), &|i| string::char_offset(s, i)),
        sub.as_str(),
        given(mask, 0, start),
        given(mask, 1, end),
    )
}

/// `s.startswith(prefix, start, end)`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_startswith(
    s: *mut u8,
    prefix: *mut u8,
    start: i64,
    end: i64,
    mask: u64,
) -> u8 {
    // SAFETY: the contract.
    let (s, prefix) = unsafe { two_strs(s, prefix) };
    u8::from(pystr::startswith(
        pystr::Text::located(s.as_str(), s.chars(), &|i| string::char_offset(s, i)),
        prefix.as_str(),
        given(mask, 0, start),
        given(mask, 1, end),
    ))
}

/// `s.endswith(suffix, start, end)`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_endswith(
    s: *mut u8,
    suffix: *mut u8,
    start: i64,
    end: i64,
    mask: u64,
) -> u8 {
    // SAFETY: the contract.
    let (s, suffix) = unsafe { two_strs(s, suffix) };
    u8::from(pystr::endswith(
        pystr::Text::located(s.as_str(), s.chars(), &|i| string::char_offset(s, i)),
        suffix.as_str(),
        given(mask, 0, start),
        given(mask, 1, end),
    ))
}

/// A new string `f(s)`.
///
/// # Safety
/// The contract: `s` is a live str.
unsafe fn map_str(s: *mut u8, f: fn(&str) -> String) -> *mut u8 {
    // SAFETY: forwarded caller guarantee.
    let s = unsafe { Str::from_ptr(s) };
    new_text(&f(s.as_str()))
}

/// `s.upper()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_upper(s: *mut u8) -> *mut u8 {
    // SAFETY: the contract.
    match string::ascii_mapped(unsafe { Str::from_ptr(s) }, u8::to_ascii_uppercase) {
        Some(o) => o.ptr(),
        // SAFETY: the contract.
        None => unsafe { map_str(s, pystr::upper) },
    }
}

/// `s.lower()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_lower(s: *mut u8) -> *mut u8 {
    // SAFETY: the contract.
    match string::ascii_mapped(unsafe { Str::from_ptr(s) }, u8::to_ascii_lowercase) {
        Some(o) => o.ptr(),
        // SAFETY: the contract.
        None => unsafe { map_str(s, pystr::lower) },
    }
}

/// `s.capitalize()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_capitalize(s: *mut u8) -> *mut u8 {
    // SAFETY: the contract.
    unsafe { map_str(s, pystr::capitalize) }
}

/// `s.title()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_title(s: *mut u8) -> *mut u8 {
    // SAFETY: the contract.
    unsafe { map_str(s, pystr::title) }
}

/// Which ends of a string `strip`, `lstrip` and `rstrip` work on.
#[derive(Clone, Copy)]
enum Ends {
    Both,
    Start,
    End,
}

/// A new string: `s` stripped at `ends` of `chars` (null: whitespace).
///
/// # Safety
/// The contract: `s` is a live str, `chars` null or a live str.
unsafe fn strip_with(s: *mut u8, chars: *mut u8, ends: Ends) -> *mut u8 {
    // SAFETY: forwarded caller guarantee.
    let s = unsafe { Str::from_ptr(s) };
    // SAFETY: forwarded caller guarantee.
    let chars = (!chars.is_null()).then(|| unsafe { Str::from_ptr(chars) });
    let out = if s.is_ascii() && chars.is_none_or(|c| c.is_ascii()) {
        strip_ascii(
            s.as_str(),
            chars.as_ref().map(|c| c.as_str().as_bytes()),
            ends,
        )
    } else {
        let f = match ends {
            Ends::Both => pystr::strip,
            Ends::Start => pystr::lstrip,
            Ends::End => pystr::rstrip,
        };
        f(s.as_str(), chars.as_ref().map(|c| c.as_str()))
    };
    if out.len() == s.len() {
        s.obj().incref();
        return s.obj().ptr();
    }
    if s.is_ascii() {
        return string::new_counted(out, out.len()).ptr();
    }
    new_text(out)
}

/// [`strip_with`] for ASCII text and characters, byte by byte (`chars`
/// `None`: ASCII whitespace, which is all the whitespace ASCII text has).
fn strip_ascii<'a>(s: &'a str, chars: Option<&[u8]>, ends: Ends) -> &'a str {
    // The characters as a set of 128 bits in two words, each byte tested
    // with a shift and a mask.
    let set = chars.map(|chars| {
        chars.iter().fold([0u64; 2], |mut set, c| {
            set[usize::from(c >> 6 & 1)] |= 1 << (c & 63);
            set
        })
    });
    let stripped = |b: &u8| match set {
        None => is_ascii_space(*b),
        Some(set) => set[usize::from(b >> 6 & 1)] >> (b & 63) & 1 == 1,
    };
    let bytes = s.as_bytes();
    let start = match ends {
        Ends::End => 0,
        _ => bytes
            .iter()
            .position(|b| !stripped(b))
            .unwrap_or(bytes.len()),
    };
    let end = match ends {
        Ends::Start => bytes.len(),
        _ => bytes[start..]
            .iter()
            .rposition(|b| !stripped(b))
            .map_or(start, |i| start + i + 1),
    };
    &s[start..end]
}

/// `s.strip(chars)`; `chars` null means whitespace.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_strip(s: *mut u8, chars: *mut u8) -> *mut u8 {
    // SAFETY: the contract.
    unsafe { strip_with(s, chars, Ends::Both) }
}

/// `s.lstrip(chars)`; `chars` null means whitespace.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_lstrip(s: *mut u8, chars: *mut u8) -> *mut u8 {
    // SAFETY: the contract.
    unsafe { strip_with(s, chars, Ends::Start) }
}

/// `s.rstrip(chars)`; `chars` null means whitespace.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_rstrip(s: *mut u8, chars: *mut u8) -> *mut u8 {
    // SAFETY: the contract.
    unsafe { strip_with(s, chars, Ends::End) }
}

type SplitFn = for<'a> fn(&'a str, Option<&str>, i64) -> Result<Vec<&'a str>, PyErr>;

/// `s.split(sep, maxsplit)` or `rsplit` as a new `list[str]` of type
/// `list_desc`.
///
/// # Safety
/// The contract; `sep` is null or a live str.
#[allow(clippy::too_many_arguments)]
unsafe fn split_with(
    ctx: *mut Ctx,
    s: *mut u8,
    sep: *mut u8,
    maxsplit: i64,
    list_desc: *const TypeDesc,
    file: *const u8,
    file_len: usize,
    pos: u64,
    f: SplitFn,
) -> *mut u8 {
    // SAFETY: forwarded caller guarantees.
    let (s, d) = unsafe { (Str::from_ptr(s), desc(list_desc)) };
    // SAFETY: forwarded caller guarantee.
    let sep = (!sep.is_null()).then(|| unsafe { Str::from_ptr(sep) });
    // The pieces of an ASCII string are ASCII: no code points to count.
    let ascii = s.chars() == s.len();
    let r = f(s.as_str(), sep.as_ref().map(|c| c.as_str()), maxsplit).map(|parts| {
        let words = parts.iter().map(|p| {
            let chars = if ascii { p.len() } else { p.chars().count() };
            string::new_counted(p, chars).word()
        });
        List::new(d, words.collect()).obj().ptr()
    });
    // SAFETY: forwarded caller guarantees.
    unsafe { or_raise(ctx, r, null_mut(), file, file_len, pos) }
}

/// The character of `s` starting at byte `at` (a character boundary before
/// the end), as a str; its byte length says where the next one starts.
/// With it `for ch in s:` walks the text once, whatever its characters.
///
/// # Safety
/// See the [module contract](self); `at` is a character boundary of `s`
/// below its byte length.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_char_at(s: *mut u8, at: i64) -> *mut u8 {
    // SAFETY: the contract.
    let s = unsafe { Str::from_ptr(s) };
    let text = s.as_str();
    let at = usize::try_from(at).unwrap_or(usize::MAX).min(text.len());
    let c = text[at..].chars().next().expect("a character starts here");
    new_char(c).ptr()
}

/// Where the next word of `s.split()` starts: the byte offset of the first
/// non-whitespace character at or after byte `from` (0, or where the last
/// word ended), or -1 when none is left. With [`roast_rt_str_word_at`] this
/// is `for w in s.split():` without building the list.
///
/// # Safety
/// See the [module contract](self); `from` is a character boundary of `s`.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_word_start(s: *mut u8, from: i64) -> i64 {
    // SAFETY: the contract.
    let s = unsafe { Str::from_ptr(s) };
    let from = usize::try_from(from).unwrap_or(usize::MAX).min(s.len());
    let start = if s.is_ascii() {
        let bytes = s.as_str().as_bytes();
        let mut i = from;
        while i < bytes.len() && is_ascii_space(bytes[i]) {
            i += 1;
        }
        (i < bytes.len()).then_some(i)
    } else {
        pystr::word_start(s.as_str(), from)
    };
    start.map_or(-1, |i| i as i64)
}

/// The word of `s.split()` starting at byte `start` (from
/// [`roast_rt_str_word_start`]): a new `str`; its byte length says where the
/// next search starts.
///
/// # Safety
/// See the [module contract](self); `start` is where a word of `s` starts.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_word_at(s: *mut u8, start: i64) -> *mut u8 {
    // SAFETY: the contract.
    let s = unsafe { Str::from_ptr(s) };
    let text = s.as_str();
    let start = usize::try_from(start).unwrap_or(usize::MAX).min(text.len());
    if s.is_ascii() {
        let bytes = text.as_bytes();
        let mut end = start;
        while end < bytes.len() && !is_ascii_space(bytes[end]) {
            end += 1;
        }
        return string::new_ascii(&bytes[start..end]).ptr();
    }
    let word = &text[start..pystr::word_end(text, start)];
    string::new_counted(word, word.chars().count()).ptr()
}

/// `s.split(sep, maxsplit)` (`sep` null: whitespace; `maxsplit` -1: all),
/// a new list of type `list_desc`; `ValueError: empty separator`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn roast_rt_str_split(
    ctx: *mut Ctx,
    s: *mut u8,
    sep: *mut u8,
    maxsplit: i64,
    list_desc: *const TypeDesc,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    if sep.is_null() && maxsplit < 0 {
        // `s.split()`: each word made as it is found, no list of pieces.
        // SAFETY: the contract: a live str and a list type.
        let (text, d) = unsafe { (Str::from_ptr(s), desc(list_desc)) };
        let ascii = text.is_ascii();
        let (text, mut words, mut at) = (text.as_str(), Vec::new(), 0);
        while let Some(start) = pystr::word_start(text, at) {
            at = pystr::word_end(text, start);
            let word = &text[start..at];
            let chars = if ascii {
                word.len()
            } else {
                word.chars().count()
            };
            words.push(string::new_counted(word, chars).word());
        }
        return List::new(d, words).obj().ptr();
    }
    // SAFETY: the contract.
    unsafe {
        split_with(
            ctx,
            s,
            sep,
            maxsplit,
            list_desc,
            file,
            file_len,
            pos,
            pystr::split,
        )
    }
}

/// `s.rsplit(sep, maxsplit)`, as [`roast_rt_str_split`].
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn roast_rt_str_rsplit(
    ctx: *mut Ctx,
    s: *mut u8,
    sep: *mut u8,
    maxsplit: i64,
    list_desc: *const TypeDesc,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract.
    unsafe {
        split_with(
            ctx,
            s,
            sep,
            maxsplit,
            list_desc,
            file,
            file_len,
            pos,
            pystr::rsplit,
        )
    }
}

/// Whether `c` ends a line for `str.splitlines`.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// `s.splitlines()`: the lines without their breaks (`\r\n` is one break;
/// so are `\v`, `\f`, `\x1c`-`\x1e`, `\x85`, U+2028 and U+2029).
fn splitlines(s: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        match rest.find(is_line_break) {
            None => {
                lines.push(rest.to_string());
                break;
            }
            Some(b) => {
                lines.push(rest[..b].to_string());
                let brk = if rest[b..].starts_with("\r\n") {
                    2
                } else {
                    rest[b..].chars().next().map_or(1, char::len_utf8)
                };
                rest = &rest[b + brk..];
            }
        }
    }
    lines
}

/// `s.splitlines()` as a new list of type `list_desc`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_splitlines(
    s: *mut u8,
    list_desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: the contract.
    let (s, d) = unsafe { (Str::from_ptr(s), desc(list_desc)) };
    str_list(d, splitlines(s.as_str()))
}

/// `sep.join(items)` for a `list[str]`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_join(sep: *mut u8, list: *mut u8) -> *mut u8 {
    // SAFETY: the contract: a live str and a live list[str].
    let (sep, list) = unsafe { (Str::from_ptr(sep), List::from_ptr(list)) };
    string::join(sep, &list.words()).ptr()
}

/// `s.replace(old, new, count)` (`count` -1, or any negative: all).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_replace(
    s: *mut u8,
    old: *mut u8,
    new: *mut u8,
    count: i64,
) -> *mut u8 {
    // SAFETY: the contract: live strs.
    let (s, old, new) = unsafe { (Str::from_ptr(s), Str::from_ptr(old), Str::from_ptr(new)) };
    let limit = usize::try_from(count).unwrap_or(usize::MAX);
    if let Some(o) = string::replace(s, old, new, limit) {
        return o.ptr();
    }
    new_text(&pystr::replace(
        s.as_str(),
        old.as_str(),
        new.as_str(),
        count,
    ))
}

/// `s.partition(sep)` (`rpartition` when `from_right` is 1): a new
/// `tuple[str, str, str]` of type `tuple_desc`; `ValueError` for an empty
/// separator.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_partition(
    ctx: *mut Ctx,
    s: *mut u8,
    sep: *mut u8,
    from_right: u8,
    tuple_desc: *const TypeDesc,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract: live strs and a tuple descriptor.
    let (s, sep, td) = unsafe { (Str::from_ptr(s), Str::from_ptr(sep), desc(tuple_desc)) };
    let r = pystr::partition(s.as_str(), sep.as_str(), from_right != 0).map(|parts| {
        let t = Tuple::zeroed(td);
        for (i, part) in parts.into_iter().enumerate() {
            t.set(i, new_str(part).word());
        }
        t.obj()
    });
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

/// `s.removeprefix(affix)` (`removesuffix` when `suffix` is 1): `s`
/// itself (a new reference) when it does not start (end) with `affix`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_remove_affix(
    s: *mut u8,
    affix: *mut u8,
    suffix: u8,
) -> *mut u8 {
    // SAFETY: the contract: live strs.
    let (st, affix) = unsafe { (Str::from_ptr(s), Str::from_ptr(affix)) };
    let text = st.as_str();
    let rest = if suffix != 0 {
        text.strip_suffix(affix.as_str())
    } else {
        text.strip_prefix(affix.as_str())
    };
    match rest {
        Some(rest) if !affix.as_str().is_empty() => new_text(rest),
        _ => {
            st.obj().incref();
            s
        }
    }
}

/// `pred(s)` as a u8.
///
/// # Safety
/// The contract: `s` is a live str.
unsafe fn test_str(s: *mut u8, pred: fn(&str) -> bool) -> u8 {
    // SAFETY: forwarded caller guarantee.
    u8::from(pred(unsafe { Str::from_ptr(s) }.as_str()))
}

/// `s.isdigit()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_isdigit(s: *mut u8) -> u8 {
    // SAFETY: the contract.
    unsafe { test_str(s, pystr::isdigit) }
}

/// `s.isalpha()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_isalpha(s: *mut u8) -> u8 {
    // SAFETY: the contract.
    unsafe { test_str(s, pystr::isalpha) }
}

/// `s.isspace()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_isspace(s: *mut u8) -> u8 {
    // SAFETY: the contract.
    unsafe { test_str(s, pystr::isspace) }
}

/// `s.isalnum()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_isalnum(s: *mut u8) -> u8 {
    // SAFETY: the contract.
    unsafe { test_str(s, pystr::isalnum) }
}

/// `s.isupper()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_isupper(s: *mut u8) -> u8 {
    // SAFETY: the contract.
    unsafe { test_str(s, pystr::isupper) }
}

/// `s.islower()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_islower(s: *mut u8) -> u8 {
    // SAFETY: the contract.
    unsafe { test_str(s, pystr::islower) }
}

/// `s.isdecimal()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_isdecimal(s: *mut u8) -> u8 {
    // SAFETY: the contract.
    unsafe { test_str(s, pystr::isdecimal) }
}

/// `s.isnumeric()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_isnumeric(s: *mut u8) -> u8 {
    // SAFETY: the contract.
    unsafe { test_str(s, pystr::isnumeric) }
}

/// `s.zfill(width)`; a width too large to allocate is `OverflowError`
/// (CPython: `MemoryError`).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_zfill(
    ctx: *mut Ctx,
    s: *mut u8,
    width: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract: a live str.
    let s = unsafe { Str::from_ptr(s) };
    let r = pystr::zfill(s.as_str(), width).map(|t| new_str(&t));
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

type PadFn = fn(&str, i64, char) -> Result<String, PyErr>;

/// `s.ljust`/`rjust`/`center(width, fill)` through `f`.
///
/// # Safety
/// The contract: live strs, `ctx` and the site.
#[allow(clippy::too_many_arguments)]
unsafe fn pad_with(
    ctx: *mut Ctx,
    s: *mut u8,
    width: i64,
    fill: *mut u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
    f: PadFn,
) -> *mut u8 {
    // SAFETY: forwarded caller guarantee.
    let (s, fill) = unsafe { two_strs(s, fill) };
    let mut fill_chars = fill.as_str().chars();
    let r = match (fill_chars.next(), fill_chars.next()) {
        (Some(c), None) => f(s.as_str(), width, c).map(|t| new_str(&t)),
        _ => Err(PyErr::new(
            ExcKind::TypeError,
            "The fill character must be exactly one character long",
        )),
    };
    // SAFETY: forwarded caller guarantees.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

/// `s.ljust(width, fill)`; `TypeError` unless `fill` is one character.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_ljust(
    ctx: *mut Ctx,
    s: *mut u8,
    width: i64,
    fill: *mut u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract.
    unsafe { pad_with(ctx, s, width, fill, file, file_len, pos, pystr::ljust) }
}

/// `s.rjust(width, fill)`; `TypeError` unless `fill` is one character.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_rjust(
    ctx: *mut Ctx,
    s: *mut u8,
    width: i64,
    fill: *mut u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract.
    unsafe { pad_with(ctx, s, width, fill, file, file_len, pos, pystr::rjust) }
}

/// `s.center(width, fill)`; `TypeError` unless `fill` is one character.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_center(
    ctx: *mut Ctx,
    s: *mut u8,
    width: i64,
    fill: *mut u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract.
    unsafe { pad_with(ctx, s, width, fill, file, file_len, pos, pystr::center) }
}

/// `int(s)`: `ValueError: invalid literal for int() with base 10: ...`;
/// a value outside i64 is `OverflowError`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_int_parse(
    ctx: *mut Ctx,
    s: *mut u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    // SAFETY: the contract: a live str.
    let s = unsafe { Str::from_ptr(s) };
    if let Some(v) = plain_decimal(s.as_str().as_bytes()) {
        return v;
    }
    let r = parse_int(s.as_str(), 10).map_err(|e| {
        if e == PyErr::int_overflow() {
            PyErr::overflow_error(INT_OVERFLOW_MESSAGE)
        } else {
            e
        }
    });
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `float(s)`: `ValueError: could not convert string to float: ...`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_float_parse(
    ctx: *mut Ctx,
    s: *mut u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> f64 {
    // SAFETY: the contract: a live str.
    let s = unsafe { Str::from_ptr(s) };
    // SAFETY: the contract.
    unsafe { or_raise(ctx, parse_float(s.as_str()), 0.0, file, file_len, pos) }
}

/// `ord(s)`: `TypeError` unless `s` is one character.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_ord(
    ctx: *mut Ctx,
    s: *mut u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    // SAFETY: the contract: a live str.
    let s = unsafe { Str::from_ptr(s) };
    let r = match s.chars() {
        1 => Ok(s.as_str().chars().next().map_or(0, |c| c as i64)),
        n => Err(PyErr::new(
            ExcKind::TypeError,
            format!("ord() expected a character, but string of length {n} found"),
        )),
    };
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `chr(i)`: `ValueError: chr() arg not in range(0x110000)`; beyond the C
/// `int` range, `OverflowError` as CPython. A surrogate (which CPython
/// returns as a lone-surrogate string) cannot be a UTF-8 `str`: `ValueError`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_chr(
    ctx: *mut Ctx,
    i: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    let r = if i32::try_from(i).is_err() {
        Err(PyErr::overflow_error(
            "Python int too large to convert to C int",
        ))
    } else if !(0..0x110000).contains(&i) {
        Err(PyErr::value_error("chr() arg not in range(0x110000)"))
    } else {
        char::from_u32(i as u32).map(new_char).ok_or_else(|| {
            PyErr::value_error("chr() arg is a surrogate code point, which a Roast str cannot hold")
        })
    };
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

/// A new `str` holding a copy of the `len` bytes of UTF-8 at `ptr`.
/// `str_desc` is a `str` descriptor; the object gets the runtime's own
/// (descriptors are never compared by address).
///
/// # Safety
/// See the [module contract](self); `ptr` points to `len` bytes of valid
/// UTF-8.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_new(
    ptr: *const u8,
    len: usize,
    str_desc: *const TypeDesc,
) -> *mut u8 {
    // SAFETY: the contract.
    debug_assert_eq!(unsafe { desc(str_desc) }.kind(), Kind::Str);
    // SAFETY: the caller guarantees `len` bytes of UTF-8 at `ptr`.
    let s = unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len)) };
    new_text(s)
}

// ---------------------------------------------------------------------------
// list

/// A live list from the ABI.
///
/// # Safety
/// The contract: `l` is a live list.
unsafe fn list(l: *mut u8) -> List {
    // SAFETY: forwarded caller guarantee.
    unsafe { List::from_ptr(l) }
}

/// A word from compiled code as an element of `l`.
///
/// # Safety
/// The contract: `w` is a valid value of `l`'s element type.
unsafe fn elem(l: List, w: u64) -> Val {
    // SAFETY: forwarded caller guarantee.
    unsafe { Val::new(w, l.elem()) }
}

/// A new empty list of type `desc` with room for `cap` elements.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_new(desc_: *const TypeDesc, cap: i64) -> *mut u8 {
    // SAFETY: the contract.
    let d = unsafe { desc(desc_) };
    List::new(d, Vec::with_capacity(usize::try_from(cap).unwrap_or(0)))
        .obj()
        .ptr()
}

/// `l.append(w)`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_append(l: *mut u8, w: u64) {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    // SAFETY: the contract.
    let v = unsafe { elem(l, w) };
    v.incref();
    l.push(w);
}

/// The most elements [`roast_rt_list_reserve`] makes room for at once.
const MOST_RESERVED: i64 = 1 << 24;

/// Room for `n` more elements of `l`, where a loop is about to append
/// them (`[f(x) for x in xs]`): a hint, so negative counts reserve nothing
/// and at most [`MOST_RESERVED`] are reserved (a loop that raises early
/// must not first ask for memory its whole count would need).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_reserve(l: *mut u8, n: i64) {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    l.reserve(n.clamp(0, MOST_RESERVED) as usize);
}

/// `l[i]` (a new reference); `IndexError: list index out of range`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_getitem(
    ctx: *mut Ctx,
    l: *mut u8,
    i: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> u64 {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    let r = seq_index(i, l.len())
        .map(|i| {
            let v = l.get(i);
            v.incref();
            v.word()
        })
        .ok_or_else(|| PyErr::new(ExcKind::IndexError, "list index out of range"));
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

fn assignment_out_of_range() -> PyErr {
    PyErr::new(ExcKind::IndexError, "list assignment index out of range")
}

/// `l[i] = w`; `IndexError: list assignment index out of range`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_setitem(
    ctx: *mut Ctx,
    l: *mut u8,
    i: i64,
    w: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    let Some(i) = seq_index(i, l.len()) else {
        // SAFETY: the contract.
        unsafe { raise_py_err(ctx, assignment_out_of_range(), file, file_len, pos) };
        return;
    };
    // SAFETY: the contract.
    unsafe { elem(l, w) }.incref();
    let old = l.replace(i, w);
    // SAFETY: the list held a reference to its old element.
    unsafe { elem(l, old) }.decref();
}

/// `del l[i]`; `IndexError: list assignment index out of range`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_delitem(
    ctx: *mut Ctx,
    l: *mut u8,
    i: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    let Some(i) = seq_index(i, l.len()) else {
        // SAFETY: the contract.
        unsafe { raise_py_err(ctx, assignment_out_of_range(), file, file_len, pos) };
        return;
    };
    let old = l.with_vec(|v| v.remove(i));
    // SAFETY: the list held a reference to the removed element.
    unsafe { elem(l, old) }.decref();
}

/// `l[start:stop:step]`, a new list of `l`'s type.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn roast_rt_list_slice(
    ctx: *mut Ctx,
    l: *mut u8,
    start: i64,
    stop: i64,
    step: i64,
    mask: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    let r = masked_slice(l.len() as i64, start, stop, step, mask)
        .map(|idx| match idx.step {
            1 if idx.count > 0 => l.copy_run(idx.start as usize..(idx.start + idx.count) as usize),
            _ => List::of_vals(l.obj().desc(), idx.indices().map(|i| l.get(i as usize))),
        })
        .map(List::obj);
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

/// `a + b`, a new list of `a`'s type.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_concat(a: *mut u8, b: *mut u8) -> *mut u8 {
    // SAFETY: the contract.
    let (a, b) = unsafe { (list(a), list(b)) };
    List::of_vals(a.obj().desc(), a.items().chain(b.items()))
        .obj()
        .ptr()
}

/// `l * n` (`n <= 0` gives `[]`); a result too large to allocate is
/// `OverflowError` (CPython: `MemoryError`).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_repeat(
    ctx: *mut Ctx,
    l: *mut u8,
    n: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    let n = usize::try_from(n).unwrap_or(0);
    // SAFETY: the contract.
    unsafe { new_list_or_raise(ctx, l.repeat(n), file, file_len, pos) }
}

/// `[w] * n` (`n <= 0` gives `[]`), a new list of type `list_desc`; a
/// result too large to allocate is `OverflowError` (CPython:
/// `MemoryError`).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_fill(
    ctx: *mut Ctx,
    list_desc: *const TypeDesc,
    w: u64,
    n: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract.
    let d = unsafe { desc(list_desc) };
    let n = usize::try_from(n).unwrap_or(0);
    // SAFETY: the contract.
    unsafe { new_list_or_raise(ctx, List::filled(d, w, n), file, file_len, pos) }
}

/// `l.extend([w] * n)` (`[a] + [w] * n` of a new `[a]`), without the
/// repeated list: `OverflowError: result too large to allocate` raised as
/// for [`roast_rt_list_fill`] when the items cannot be allocated.
///
/// # Safety
/// See the [module contract](self); `w` is a live element of `l`'s type.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_extend_fill(
    ctx: *mut Ctx,
    l: *mut u8,
    w: u64,
    n: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    if !l.fill_more(w, usize::try_from(n).unwrap_or(0)) {
        let e = PyErr::overflow_error(TOO_LARGE);
        // SAFETY: forwarded caller guarantee.
        unsafe { raise_py_err(ctx, e, file, file_len, pos) };
    }
}

/// The message of the error a repetition too large to allocate raises
/// (CPython: `MemoryError`).
const TOO_LARGE: &str = "result too large to allocate";

/// A new list made by repetition, or `OverflowError: result too large to
/// allocate` (CPython: `MemoryError`) raised and null when it could not
/// be allocated.
///
/// # Safety
/// The contract: `ctx` and the site are the caller's.
unsafe fn new_list_or_raise(
    ctx: *mut Ctx,
    made: Option<List>,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    match made {
        Some(l) => l.obj().ptr(),
        None => {
            let e = PyErr::overflow_error(TOO_LARGE);
            // SAFETY: forwarded caller guarantee.
            unsafe { raise_py_err(ctx, e, file, file_len, pos) };
            null_mut()
        }
    }
}

/// `l.extend(other)` (also `l += other`); `l.extend(l)` doubles `l`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_extend(l: *mut u8, other: *mut u8) {
    // SAFETY: the contract.
    let (l, other) = unsafe { (list(l), list(other)) };
    if other.elem().kind().is_heap() {
        for v in other.items() {
            v.incref();
        }
    }
    if l == other {
        // `l.extend(l)`: the items as they were before it grows.
        let added = other.words().to_vec();
        l.with_vec(|v| v.extend_from_slice(&added));
    } else {
        // Two lists, two buffers: `other`'s is read while `l`'s grows.
        let added = other.words();
        l.with_vec(|v| v.extend_from_slice(&added));
    }
}

/// `l.extend(src[start:stop:step])` (`mask` says which were given), without
/// the slice as a list of its own; errors as the slice's.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn roast_rt_list_extend_slice(
    ctx: *mut Ctx,
    l: *mut u8,
    src: *mut u8,
    start: i64,
    stop: i64,
    step: i64,
    mask: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: the contract.
    let (l, src) = unsafe { (list(l), list(src)) };
    let r = masked_slice(src.len() as i64, start, stop, step, mask).map(|idx| {
        if src.elem().kind().is_heap() {
            for i in idx.indices() {
                src.get(i as usize).incref();
            }
        }
        let words = src.words();
        if l != src && idx.step == 1 && idx.count > 0 {
            // Two buffers: `src`'s run is read while `l`'s grows.
            let run = idx.start as usize..(idx.start + idx.count) as usize;
            l.with_vec(|v| v.extend_from_slice(&words[run]));
        } else {
            let added: Vec<u64> = idx.indices().map(|i| words[i as usize]).collect();
            drop(words);
            l.with_vec(|v| v.extend_from_slice(&added));
        }
    });
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, (), file, file_len, pos) }
}

/// `l[start:stop:step] = src` (each bound given by its `mask` bit):
/// `ValueError` for a zero step, or for an extended slice (a step other
/// than 1) of another size than `src`. `src` may be `l` itself: its items
/// are copied first.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_set_slice(
    ctx: *mut Ctx,
    l: *mut u8,
    start: i64,
    stop: i64,
    step: i64,
    mask: u64,
    src: *mut u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: the contract.
    let (l, src) = unsafe { (list(l), list(src)) };
    let r = masked_slice(l.len() as i64, start, stop, step, mask).and_then(|idx| {
        fits_slice(&idx, src.len() as i64)?;
        if src.elem().kind().is_heap() {
            src.items().for_each(Val::incref);
        }
        // A copy first: `src` may be `l` itself.
        let items = src.words().into_owned();
        let replaced = l.store_slice(&idx, items.into_iter());
        release_items(l, replaced.ok_or_else(|| PyErr::overflow_error(TOO_LARGE))?);
        Ok(())
    });
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, (), file, file_len, pos) }
}

/// `ValueError` for an extended slice (a step other than 1) given
/// another number of items than it selects.
fn fits_slice(idx: &SliceIndices, items: i64) -> Result<(), PyErr> {
    if idx.step != 1 && items != idx.count {
        return Err(PyErr::value_error(format!(
            "attempt to assign sequence of size {items} to extended slice of size {}",
            idx.count
        )));
    }
    Ok(())
}

/// Releases element words of `l` whose references the list gave up.
fn release_items(l: List, words: Vec<u64>) {
    for w in words {
        // SAFETY: the list held a reference to each of these elements.
        unsafe { elem(l, w) }.decref();
    }
}

/// `l[start:stop:step] = [w] * n` without the repeated list (each bound
/// given by its `mask` bit): the errors of [`roast_rt_list_set_slice`]
/// for a list of `max(n, 0)` items, and `OverflowError: result too large
/// to allocate` where the grown list cannot be allocated.
///
/// # Safety
/// See the [module contract](self); `w` is a live element of `l`'s type.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_fill_slice(
    ctx: *mut Ctx,
    l: *mut u8,
    start: i64,
    stop: i64,
    step: i64,
    mask: u64,
    w: u64,
    n: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    let n = n.max(0);
    let r = masked_slice(l.len() as i64, start, stop, step, mask).and_then(|idx| {
        fits_slice(&idx, n)?;
        let replaced = l.store_slice(&idx, std::iter::repeat_n(w, n as usize));
        let replaced = replaced.ok_or_else(|| PyErr::overflow_error(TOO_LARGE))?;
        if l.elem().kind().is_heap() {
            // SAFETY: the contract: `w` is a live element of `l`'s type.
            let item = unsafe { elem(l, w) };
            for _ in 0..n {
                item.incref();
            }
        }
        release_items(l, replaced);
        Ok(())
    });
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, (), file, file_len, pos) }
}

/// `len(seq[start:stop:step])` of a str or list of `len` items, without
/// the slice (each bound given by its `mask` bit); `ValueError` for a zero
/// step.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_slice_len(
    ctx: *mut Ctx,
    len: i64,
    start: i64,
    stop: i64,
    step: i64,
    mask: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    let r = masked_slice(len, start, stop, step, mask).map(|idx| idx.count);
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `del l[start:stop:step]` (each bound given by its `mask` bit):
/// `ValueError` for a zero step.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_del_slice(
    ctx: *mut Ctx,
    l: *mut u8,
    start: i64,
    stop: i64,
    step: i64,
    mask: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    let r = masked_slice(l.len() as i64, start, stop, step, mask)
        .map(|idx| release_items(l, l.del_slice(&idx)));
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, (), file, file_len, pos) }
}

/// `w in l`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_contains(l: *mut u8, w: u64) -> u8 {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    // SAFETY: the contract.
    let x = unsafe { elem(l, w) };
    let found = l.items().any(|item| eq(item, x));
    u8::from(found)
}

/// `l.index(w)`; `ValueError: 5 is not in list` (the `repr` of `w`).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_index(
    ctx: *mut Ctx,
    l: *mut u8,
    w: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    // SAFETY: the contract.
    let x = unsafe { elem(l, w) };
    let r = l
        .items()
        .position(|item| eq(item, x))
        .map(|i| i as i64)
        .ok_or_else(|| PyErr::value_error(format!("{} is not in list", repr(x))));
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `l.count(w)`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_count(l: *mut u8, w: u64) -> i64 {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    // SAFETY: the contract.
    let x = unsafe { elem(l, w) };
    l.items().filter(|&item| eq(item, x)).count() as i64
}

/// `l.remove(w)`; `ValueError: list.remove(x): x not in list`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_remove(
    ctx: *mut Ctx,
    l: *mut u8,
    w: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    // SAFETY: the contract.
    let x = unsafe { elem(l, w) };
    let found = l.items().position(|item| eq(item, x));
    match found {
        Some(i) => {
            let old = l.with_vec(|v| v.remove(i));
            // SAFETY: the list held a reference to the removed element.
            unsafe { elem(l, old) }.decref();
        }
        None => {
            let e = PyErr::value_error("list.remove(x): x not in list");
            // SAFETY: the contract.
            unsafe { raise_py_err(ctx, e, file, file_len, pos) };
        }
    }
}

/// `l.pop()` (`has_index` 0) or `l.pop(i)`: the element, whose reference
/// passes to the caller; `IndexError: pop from empty list` / `pop index out
/// of range`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_pop(
    ctx: *mut Ctx,
    l: *mut u8,
    i: i64,
    has_index: u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> u64 {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    let len = l.len();
    let r = if len == 0 {
        Err(PyErr::new(ExcKind::IndexError, "pop from empty list"))
    } else {
        let i = if has_index != 0 { i } else { -1 };
        seq_index(i, len)
            .map(|i| l.with_vec(|v| v.remove(i)))
            .ok_or_else(|| PyErr::new(ExcKind::IndexError, "pop index out of range"))
    };
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `l.insert(i, w)`, `i` clamped to `0..=len` as CPython (negative counts
/// from the end).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_insert(l: *mut u8, i: i64, w: u64) {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    // SAFETY: the contract.
    unsafe { elem(l, w) }.incref();
    let len = l.len() as i64;
    let at = if i < 0 {
        (i.saturating_add(len)).max(0)
    } else {
        i.min(len)
    };
    l.with_vec(|v| v.insert(at as usize, w));
}

/// `l.reverse()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_reverse(l: *mut u8) {
    // SAFETY: the contract.
    unsafe { list(l) }.with_vec(|v| v.reverse());
}

/// `l.copy()` (also `l[:]`), a new list of `l`'s type.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_copy(l: *mut u8) -> *mut u8 {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    l.copy().obj().ptr()
}

/// `l.clear()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_clear(l: *mut u8) {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    for w in l.take_all() {
        // SAFETY: the list held a reference to each element.
        unsafe { elem(l, w) }.decref();
    }
}

/// `l.sort(key=..., reverse=...)`: stable; `keys` (null without a key
/// function) is a list of the same length holding each element's key.
///
/// # Safety
/// See the [module contract](self); `keys` is null or a live list.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_sort(
    ctx: *mut Ctx,
    l: *mut u8,
    keys: *mut u8,
    reverse: u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    // SAFETY: the contract: a non-null `keys` is a live list.
    let keys = (!keys.is_null()).then(|| unsafe { list(keys) });
    if let Err(e) = sort_list(l, keys, reverse != 0) {
        // SAFETY: the contract.
        unsafe { raise_py_err(ctx, e, file, file_len, pos) };
    }
}

/// `sorted(l, key=..., reverse=...)`, a new list (see
/// [`roast_rt_list_sort`]).
///
/// # Safety
/// See the [module contract](self); `keys` is null or a live list.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_sorted(l: *mut u8, keys: *mut u8, reverse: u8) -> *mut u8 {
    // SAFETY: the contract.
    let copy = unsafe { roast_rt_list_copy(l) };
    // SAFETY: `copy` is a live list; the rest is the contract.
    let (copy_list, keys) = unsafe { (list(copy), (!keys.is_null()).then(|| list(keys))) };
    sort_list(copy_list, keys, reverse != 0)
        .expect("sorted() computes the keys from its own copy, so they match");
    copy
}

/// `max(l)` (`is_max` 1) or `min(l)`: the first of equal extremes, a new
/// reference; `ValueError: max() arg is an empty sequence`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_minmax(
    ctx: *mut Ctx,
    l: *mut u8,
    is_max: u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> u64 {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    let name = if is_max != 0 { "max" } else { "min" };
    // Unboxed ints and floats compared in place.
    let fast = match l.elem().kind() {
        Kind::Int => minmax_by(&l.words(), is_max != 0, |&a, &b| (a as i64) < (b as i64)),
        Kind::Float => minmax_by(&l.words(), is_max != 0, |&a, &b| {
            f64::from_bits(a) < f64::from_bits(b)
        }),
        _ => None,
    };
    if let Some(best) = fast {
        return best;
    }
    let mut items = l.items();
    let r = match items.next() {
        None => Err(PyErr::value_error(format!(
            "{name}() arg is an empty sequence"
        ))),
        Some(first) => {
            // CPython replaces the best only when `item > best` (max) or
            // `item < best` (min).
            let best = items.fold(first, |best, item| {
                let better = if is_max != 0 {
                    compare(best, item, Op::Lt)
                } else {
                    compare(item, best, Op::Lt)
                };
                if better {
                    item
                } else {
                    best
                }
            });
            best.incref();
            Ok(best.word())
        }
    };
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// The first of the smallest (or largest) of `words` by `less`, as CPython
/// picks it: the best so far is replaced only by an item strictly better
/// (so with NaNs among floats the answer depends on the order, as there);
/// `None` when there are none.
fn minmax_by(words: &[u64], is_max: bool, less: impl Fn(&u64, &u64) -> bool) -> Option<u64> {
    let (&first, rest) = words.split_first()?;
    Some(rest.iter().fold(first, |best, item| {
        let better = if is_max {
            less(&best, item)
        } else {
            less(item, &best)
        };
        if better {
            *item
        } else {
            best
        }
    }))
}

/// `sum(l, start)` of a `list[int]` (or `list[bool]`); only the final
/// result must fit in i64, else `OverflowError`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_sum_int(
    ctx: *mut Ctx,
    l: *mut u8,
    start: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    let total = l
        .words()
        .iter()
        .fold(i128::from(start), |acc, &w| acc + i128::from(w as i64));
    let r = i64::try_from(total).map_err(|_| PyErr::overflow_error(INT_OVERFLOW_MESSAGE));
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `sum(l, start)` of a `list[float]`, added left to right as CPython 3.11.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_sum_float(l: *mut u8, start: f64) -> f64 {
    // SAFETY: the contract.
    let l = unsafe { list(l) };
    l.words()
        .iter()
        .fold(start, |acc, &w| acc + f64::from_bits(w))
}

/// `list(s)`: a new list (of type `list_desc`) of one-character strings.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_from_str(s: *mut u8, list_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: the contract.
    let (s, d) = unsafe { (Str::from_ptr(s), desc(list_desc)) };
    let words = s.as_str().chars().map(|c| new_char(c).word()).collect();
    List::new(d, words).obj().ptr()
}

// ---------------------------------------------------------------------------
// dict

/// A live dict from the ABI.
///
/// # Safety
/// The contract: `d` is a live dict.
unsafe fn dict(d: *mut u8) -> Dict {
    // SAFETY: forwarded caller guarantee.
    unsafe { Dict::from_ptr(d) }
}

/// A key word from compiled code.
///
/// # Safety
/// The contract: `w` is a valid key of `d`.
unsafe fn key(d: Dict, w: u64) -> Val {
    // SAFETY: forwarded caller guarantee.
    unsafe { Val::new(w, d.key_desc()) }
}

/// A value word from compiled code.
///
/// # Safety
/// The contract: `w` is a valid value of `d`.
unsafe fn value(d: Dict, w: u64) -> Val {
    // SAFETY: forwarded caller guarantee.
    unsafe { Val::new(w, d.value_desc()) }
}

/// `KeyError` with the key's `repr` as the message (`KeyError: 'b'`).
fn key_error(k: Val) -> PyErr {
    PyErr::new(ExcKind::KeyError, repr(k))
}

/// A word of `v` as a new reference.
fn new_ref(v: Val) -> u64 {
    v.incref();
    v.word()
}

/// The value's word after removing `e` from `d`: the key's reference is
/// dropped, the value's passes to the caller.
fn take_value(d: Dict, e: Entry) -> u64 {
    d.entry_key(e).decref();
    e.value()
}

/// A new empty dict of type `desc`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_new(desc_: *const TypeDesc) -> *mut u8 {
    // SAFETY: the contract.
    Dict::new(unsafe { desc(desc_) }).obj().ptr()
}

/// `d[k] = v` (an existing key keeps its place and gets the new value).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_setitem(d: *mut u8, k: u64, v: u64) {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    // SAFETY: the contract.
    let (k, v) = unsafe { (key(d, k), value(d, v)) };
    d.set(k, v);
}

/// Where the value word of `k`'s entry in `d` is, or null when `k` is
/// absent. Compiled code updates a scalar value there (`d[k] += 1`,
/// `d[k] = d.get(k, 0) + 1`) before anything else can change `d`.
///
/// # Safety
/// See the [module contract](self); the pointer is used only while `d`
/// is unchanged.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_slot(d: *mut u8, k: u64) -> *mut u64 {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    // SAFETY: the contract.
    let k = unsafe { key(d, k) };
    d.value_slot(k).unwrap_or(null_mut())
}

/// `d[k]` (a new reference); `KeyError` with `repr(k)`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_getitem(
    ctx: *mut Ctx,
    d: *mut u8,
    k: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> u64 {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    // SAFETY: the contract.
    let k = unsafe { key(d, k) };
    let r = d.get(k).map(new_ref).ok_or_else(|| key_error(k));
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `d.get(k, default)` (a new reference); `default` is a word of the value
/// type.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_get(d: *mut u8, k: u64, default: u64) -> u64 {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    // SAFETY: the contract.
    let (k, default) = unsafe { (key(d, k), value(d, default)) };
    new_ref(d.get(k).unwrap_or(default))
}

/// `k in d`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_contains(d: *mut u8, k: u64) -> u8 {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    // SAFETY: the contract.
    u8::from(d.find(unsafe { key(d, k) }).is_some())
}

/// `(k, v) in d.items()`: `k` is a key of `d` whose value equals `v`
/// (one lookup, no list of the items).
///
/// # Safety
/// See the [module contract](self); `item` is a live `tuple[K, V]` of
/// `d`'s key and value types.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_contains_item(d: *mut u8, item: *mut u8) -> u8 {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    // SAFETY: the contract: a live tuple of two items.
    let pair = unsafe { Tuple::from_ptr(item) };
    let (k, v) = (pair.words()[0], pair.words()[1]);
    // SAFETY: the contract: the items are a key and a value of `d`.
    let (k, v) = unsafe { (key(d, k), value(d, v)) };
    u8::from(d.get(k).is_some_and(|stored| eq(stored, v)))
}

/// `del d[k]`; `KeyError` with `repr(k)`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_delitem(
    ctx: *mut Ctx,
    d: *mut u8,
    k: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    // SAFETY: the contract.
    let k = unsafe { key(d, k) };
    match d.remove(k) {
        Some(e) => {
            d.entry_key(e).decref();
            d.entry_value(e).decref();
        }
        None => {
            // SAFETY: the contract.
            unsafe { raise_py_err(ctx, key_error(k), file, file_len, pos) };
        }
    }
}

/// `d.pop(k)`: the value, whose reference passes to the caller; `KeyError`
/// with `repr(k)`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_pop(
    ctx: *mut Ctx,
    d: *mut u8,
    k: u64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> u64 {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    // SAFETY: the contract.
    let k = unsafe { key(d, k) };
    let r = d
        .remove(k)
        .map(|e| take_value(d, e))
        .ok_or_else(|| key_error(k));
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `d.pop(k, default)` (a new reference either way).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_pop_default(d: *mut u8, k: u64, default: u64) -> u64 {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    // SAFETY: the contract.
    let (k, default) = unsafe { (key(d, k), value(d, default)) };
    match d.remove(k) {
        Some(e) => take_value(d, e),
        None => new_ref(default),
    }
}

/// `d.setdefault(k, default)`: the value for `k`, inserting `default`
/// first if `k` is absent (a new reference).
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_setdefault(d: *mut u8, k: u64, default: u64) -> u64 {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    // SAFETY: the contract.
    let (k, default) = unsafe { (key(d, k), value(d, default)) };
    match d.get(k) {
        Some(v) => new_ref(v),
        None => {
            d.set(k, default);
            new_ref(default)
        }
    }
}

/// `list(d)` / `list(d.keys())`: a new list of type `list_desc`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_keys(d: *mut u8, list_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: the contract.
    let (d, ld) = unsafe { (dict(d), desc(list_desc)) };
    List::of_vals(ld, d.entries().map(|e| d.entry_key(e)))
        .obj()
        .ptr()
}

/// `list(d.values())`: a new list of type `list_desc`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_values(d: *mut u8, list_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: the contract.
    let (d, ld) = unsafe { (dict(d), desc(list_desc)) };
    List::of_vals(ld, d.entries().map(|e| d.entry_value(e)))
        .obj()
        .ptr()
}

/// `list(d.items())`: a new list of type `list_desc` (a
/// `list[tuple[K, V]]`) of new tuples.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_items(d: *mut u8, list_desc: *const TypeDesc) -> *mut u8 {
    // SAFETY: the contract.
    let (d, ld) = unsafe { (dict(d), desc(list_desc)) };
    let td = ld.param(0);
    let words = d
        .entries()
        .map(|e| {
            Tuple::of_vals(td, &[d.entry_key(e), d.entry_value(e)])
                .obj()
                .word()
        })
        .collect();
    List::new(ld, words).obj().ptr()
}

/// The position of the first live entry at or after `pos`, or -1: compiled
/// code iterates `for k in d` as `i = next(d, 0); while i >= 0: ...; i =
/// next(d, i + 1)`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_next(d: *mut u8, pos: i64) -> i64 {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    d.next_entry(usize::try_from(pos).unwrap_or(0))
        .map_or(-1, |(i, _)| i as i64)
}

/// The key of the live entry at position `i` (from
/// [`roast_rt_dict_next`]), a new reference; 0 if there is none.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_key_at(d: *mut u8, i: i64) -> u64 {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    usize::try_from(i)
        .ok()
        .and_then(|i| d.entry_at(i))
        .map_or(0, |e| new_ref(d.entry_key(e)))
}

/// The value of the live entry at position `i`, a new reference; 0 if
/// there is none.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_value_at(d: *mut u8, i: i64) -> u64 {
    // SAFETY: the contract.
    let d = unsafe { dict(d) };
    usize::try_from(i)
        .ok()
        .and_then(|i| d.entry_at(i))
        .map_or(0, |e| new_ref(d.entry_value(e)))
}

/// `d.copy()`, a new dict of `d`'s type.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_copy(d: *mut u8) -> *mut u8 {
    // SAFETY: the contract.
    unsafe { dict(d) }.copy().obj().ptr()
}

/// `d.clear()`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_clear(d: *mut u8) {
    // SAFETY: the contract.
    unsafe { dict(d) }.clear();
}

/// `d.update(other)` for a dict of the same type.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_update(d: *mut u8, other: *mut u8) {
    // SAFETY: the contract.
    let (d, other) = unsafe { (dict(d), dict(other)) };
    if d == other {
        return;
    }
    for e in other.entries() {
        d.set(other.entry_key(e), other.entry_value(e));
    }
}

/// `d.popitem()`: the last entry as a new tuple of type `tuple_desc`;
/// `KeyError: 'popitem(): dictionary is empty'`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_dict_popitem(
    ctx: *mut Ctx,
    d: *mut u8,
    tuple_desc: *const TypeDesc,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract.
    let (d, td) = unsafe { (dict(d), desc(tuple_desc)) };
    let r = d
        .pop_last()
        .map(|e| {
            // The entry's references pass to the tuple.
            let t = Tuple::zeroed(td);
            t.set(0, e.key());
            t.set(1, e.value());
            t.obj()
        })
        .ok_or_else(|| PyErr::new(ExcKind::KeyError, "'popitem(): dictionary is empty'"));
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

// ---------------------------------------------------------------------------
// tuple

/// A new tuple of type `desc` with every item word 0; compiled code then
/// stores owned items at offset `16 + 8 * i`.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_tuple_new(desc_: *const TypeDesc) -> *mut u8 {
    // SAFETY: the contract.
    Tuple::zeroed(unsafe { desc(desc_) }).obj().ptr()
}

/// `fmt.format(*args)` for a computed format string: `args` is a tuple of
/// the positional arguments (`args_desc` its type). Fields are `{}`, `{n}`,
/// with an optional `!r`/`!s` conversion and a format spec.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_str_format(
    ctx: *mut Ctx,
    fmt: *mut u8,
    args: *mut u8,
    args_desc: *const TypeDesc,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> *mut u8 {
    // SAFETY: the contract: a live str and a live tuple of type `args_desc`.
    let (fmt, args) = unsafe { (Str::from_ptr(fmt), Val::new(args as u64, desc(args_desc))) };
    let items: Vec<Val> = match args.view() {
        View::Tuple(t) => t.items().collect(),
        _ => Vec::new(),
    };
    let r = format_fields(fmt.as_str(), &items).map(|s| new_str(&s));
    // SAFETY: the contract.
    unsafe { ptr_or_raise(ctx, r, file, file_len, pos) }
}

/// CPython's `str.format` over positional arguments.
fn format_fields(fmt: &str, args: &[Val]) -> Result<String, PyErr> {
    let value_error = |m: &str| PyErr::new(ExcKind::ValueError, m);
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    let mut auto: Option<usize> = None;
    let mut manual = false;
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '}' => return Err(value_error("Single '}' encountered in format string")),
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('{') => {
                            return Err(value_error(
                                "nested replacement fields are not supported in Roast",
                            ))
                        }
                        Some(ch) => field.push(ch),
                        None => return Err(value_error("expected '}' before end of string")),
                    }
                }
                let (head, spec) = match field.find(':') {
                    Some(i) => (&field[..i], &field[i + 1..]),
                    None => (field.as_str(), ""),
                };
                let (index, conversion) = match head.find('!') {
                    Some(i) => (&head[..i], head[i + 1..].chars().next()),
                    None => (head, None),
                };
                let i = if index.is_empty() {
                    if manual {
                        return Err(value_error(
                            "cannot switch from manual field specification to automatic field numbering",
                        ));
                    }
                    let n = auto.map_or(0, |a| a + 1);
                    auto = Some(n);
                    n
                } else {
                    if auto.is_some() {
                        return Err(value_error(
                            "cannot switch from automatic field numbering to manual field specification",
                        ));
                    }
                    manual = true;
                    index
                        .parse::<usize>()
                        .map_err(|_| PyErr::new(ExcKind::KeyError, format!("'{index}'")))?
                };
                let Some(v) = args.get(i).copied() else {
                    return Err(PyErr::new(
                        ExcKind::IndexError,
                        format!("Replacement index {i} out of range for positional args tuple"),
                    ));
                };
                let text = match conversion {
                    Some('r') => Some(repr(v)),
                    Some('s') => Some(to_text(v)),
                    Some(c) => {
                        return Err(value_error(&format!("Unknown conversion specifier {c}")))
                    }
                    None => None,
                };
                let formatted = match text {
                    Some(t) => {
                        let s = new_str(&t);
                        // SAFETY: `s` is a fresh str owned here.
                        let sv = unsafe { Val::new(s.word(), &super::desc::STR) };
                        let r = format(sv, spec);
                        s.decref();
                        r?
                    }
                    None => format(v, spec)?,
                };
                // SAFETY: `format` returns a live str owned here.
                let fs = unsafe { Str::from_ptr(formatted.ptr()) };
                out.push_str(fs.as_str());
                formatted.decref();
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// `str(v)` as Rust text.
fn to_text(v: Val) -> String {
    let o = to_str(v);
    // SAFETY: `to_str` returns a live str owned here.
    let s = unsafe { Str::from_ptr(o.ptr()) }.as_str().to_string();
    o.decref();
    s
}

/// `max(l, key=f)` / `min(l, key=f)`: `keys` holds each item's key, in
/// order; the first item with the extreme key wins, as in CPython.
///
/// # Safety
/// See the [module contract](self); `keys` is as long as `l`.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_minmax_by(
    ctx: *mut Ctx,
    l: *mut u8,
    keys: *mut u8,
    is_max: u8,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> u64 {
    // SAFETY: the contract.
    let (l, keys) = unsafe { (list(l), list(keys)) };
    let name = if is_max != 0 { "max" } else { "min" };
    let items: Vec<Val> = l.items().collect();
    let keys: Vec<Val> = keys.items().collect();
    let r = if items.is_empty() || keys.len() != items.len() {
        Err(PyErr::value_error(format!(
            "{name}() arg is an empty sequence"
        )))
    } else {
        let mut best = 0;
        for i in 1..items.len() {
            let better = if is_max != 0 {
                compare(keys[best], keys[i], Op::Lt)
            } else {
                compare(keys[i], keys[best], Op::Lt)
            };
            if better {
                best = i;
            }
        }
        items[best].incref();
        Ok(items[best].word())
    };
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `len(range(start, stop, step))`: `ValueError` for a zero step,
/// `OverflowError` past `i64::MAX` items (as CPython's `ssize_t`).
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_range_len(
    ctx: *mut Ctx,
    start: i64,
    stop: i64,
    step: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    let r = crate::py::slice::range_len(start, stop, step);
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `x in range(start, stop, step)`: `ValueError` for a zero step.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_range_contains(
    ctx: *mut Ctx,
    x: i64,
    start: i64,
    stop: i64,
    step: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> u8 {
    let r = crate::py::slice::range_contains(x, start, stop, step).map(u8::from);
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// `bin(n)`, `oct(n)` or `hex(n)` for `radix` 2, 8 or 16.
#[no_mangle]
pub extern "C" fn roast_rt_int_radix(n: i64, radix: i64) -> *mut u8 {
    new_text(&crate::py::pymath::int_to_radix(n, radix as u32))
}

/// `int(s, base)`: `ValueError` for a base other than 0 or 2 to 36 and
/// for text that is not an int in that base.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_int_parse_base(
    ctx: *mut Ctx,
    s: *mut u8,
    base: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> i64 {
    // SAFETY: the contract: a live str.
    let s = unsafe { Str::from_ptr(s) };
    let base = u32::try_from(base).unwrap_or(1);
    let r = parse_int(s.as_str(), base);
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0, file, file_len, pos) }
}

/// Checks that an unpacked sequence of `len` items fills `n` targets,
/// raising CPython's `ValueError` otherwise.
///
/// # Safety
/// `ctx` must be this thread's live context; `file` must point to `file_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_unpack_check(
    ctx: *mut Ctx,
    len: i64,
    n: i64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) {
    let r = if len < n {
        Err(PyErr::value_error(format!(
            "not enough values to unpack (expected {n}, got {len})"
        )))
    } else if len > n {
        Err(PyErr::value_error(format!(
            "too many values to unpack (expected {n})"
        )))
    } else {
        Ok(())
    };
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, (), file, file_len, pos) }
}

/// `sum(l, int_start)` of a `list[float]`: CPython returns the int start
/// for an empty list, a value of another type, so Roast raises there.
///
/// # Safety
/// See the [module contract](self).
#[no_mangle]
pub unsafe extern "C" fn roast_rt_list_sum_float_nonempty(
    ctx: *mut Ctx,
    l: *mut u8,
    start: f64,
    file: *const u8,
    file_len: usize,
    pos: u64,
) -> f64 {
    // SAFETY: the contract.
    let empty = unsafe { list(l) }.items().next().is_none();
    let r = if empty {
        Err(PyErr::value_error(
            "sum() of an empty list[float] with an int start is that int in CPython; \
             give a float start: sum(xs, 0.0)"
                .to_string(),
        ))
    } else {
        // SAFETY: the contract.
        Ok(unsafe { roast_rt_list_sum_float(l, start) })
    };
    // SAFETY: the contract.
    unsafe { or_raise(ctx, r, 0.0, file, file_len, pos) }
}
