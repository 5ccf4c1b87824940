//! `list.sort()` and `sorted()`: stable, comparing with `<` only, and
//! `reverse=True` done as CPython does it (reverse, sort, reverse), so
//! equal elements keep their original order either way.

use super::desc::{Kind, TypeDesc};
use super::heap::{Val, View};
use super::list::List;
use super::ops::{compare, Op};
use super::string::Str;
use super::timsort;
use super::tuple::Tuple;
use crate::py::PyErr;
use std::cmp::Ordering;

/// Lists of totally ordered values up to this long are sorted comparing
/// values directly, without summaries.
const SHORT: usize = 12;

/// Whether Python's `<` on values of type `d` is a total order that
/// [`word_order`] computes: `int`, `bool`, `str`, and tuples of them
/// (not `float`, whose NaN is unordered, nor what holds floats).
fn totally_ordered(d: &TypeDesc) -> bool {
    match d.kind() {
        Kind::Int | Kind::Bool | Kind::Str => true,
        Kind::Tuple => (0..d.param_count()).all(|i| totally_ordered(d.param(i))),
        _ => false,
    }
}

/// Whether `d` is [`totally_ordered`] but for floats in it, which
/// [`word_order`] orders too when no value holds a NaN ([`nan_free`]).
fn ordered_without_nan(d: &TypeDesc) -> bool {
    match d.kind() {
        Kind::Int | Kind::Bool | Kind::Str | Kind::Float => true,
        Kind::Tuple => (0..d.param_count()).all(|i| ordered_without_nan(d.param(i))),
        _ => false,
    }
}

/// Whether the value `w` of type `d` holds no NaN float.
fn nan_free(d: &'static TypeDesc, w: u64) -> bool {
    match d.kind() {
        Kind::Float => !f64::from_bits(w).is_nan(),
        Kind::Tuple => {
            // SAFETY: as in `word_order`, a live tuple of type `d`.
            let t = unsafe { Tuple::from_ptr(w as *mut u8) };
            (0..d.param_count()).all(|i| nan_free(d.param(i), t.words()[i]))
        }
        _ => true,
    }
}

/// The order of two words of a [`totally_ordered`] type `d`, as Python's
/// `<` and `==` decide it: ints by value, strs by code points (UTF-8 byte
/// order is code point order), tuples item by item.
fn word_order(d: &'static TypeDesc, a: u64, b: u64) -> Ordering {
    match d.kind() {
        Kind::Int | Kind::Bool => (a as i64).cmp(&(b as i64)),
        _ if a == b => Ordering::Equal,
        // Only for values checked free of NaN ([`nan_free`]): `-0.0` and
        // `0.0` are equal, as in Python.
        Kind::Float => f64::from_bits(a)
            .partial_cmp(&f64::from_bits(b))
            .expect("floats without NaN"),
        Kind::Str => {
            // SAFETY: words of type `str` held by a live list (or its
            // keys), so live strs.
            let (x, y) = unsafe { (Str::from_ptr(a as *mut u8), Str::from_ptr(b as *mut u8)) };
            let (x, y) = (x.as_str().as_bytes(), y.as_str().as_bytes());
            // Most strs differ in their first byte: no call to compare.
            match (x.first(), y.first()) {
                (Some(p), Some(q)) if p != q => p.cmp(q),
                _ => x.cmp(y),
            }
        }
        Kind::Tuple => {
            // SAFETY: words of type `d` held by a live list (or its keys),
            // so live tuples of that type.
            let (x, y) = unsafe { (Tuple::from_ptr(a as *mut u8), Tuple::from_ptr(b as *mut u8)) };
            (0..d.param_count())
                .map(|i| word_order(d.param(i), x.words()[i], y.words()[i]))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        }
        _ => unreachable!("totally ordered values"),
    }
}

/// Two words that order values of a [`totally_ordered`] type as
/// [`word_order`] does, as far as they go: `summary(a) < summary(b)`
/// implies `a < b`, and equal summaries say nothing unless the type's
/// summaries are [`exact`]. An int is its value with the sign bit flipped;
/// a str its first 16 bytes, big-endian, padded with zero bytes (which
/// order below every other byte, as a shorter string orders below its
/// extensions); a tuple its first item's summary, or when that item is an
/// int (all in one word), the first words of its first two items'.
fn summary(d: &'static TypeDesc, w: u64) -> [u64; 2] {
    match d.kind() {
        Kind::Int | Kind::Bool => [w ^ (1 << 63), 0],
        // SAFETY: as in `word_order`, a live object of type `d`.
        _ => match unsafe { Val::new(w, d).view() } {
            View::Str(s) => {
                let mut head = [0u8; 16];
                let bytes = s.as_str().as_bytes();
                let n = bytes.len().min(16);
                head[..n].copy_from_slice(&bytes[..n]);
                let (a, b) = head.split_at(8);
                [
                    u64::from_be_bytes(a.try_into().expect("8 bytes")),
                    u64::from_be_bytes(b.try_into().expect("8 bytes")),
                ]
            }
            View::Tuple(t) => {
                let (first, words) = (d.param(0), t.words());
                let head = summary(first, words[0]);
                // Only an int first item is all in its summary's first
                // word (a tuple of two ints takes both).
                let one_word = matches!(first.kind(), Kind::Int | Kind::Bool);
                if one_word && words.len() > 1 {
                    [head[0], summary(d.param(1), words[1])[0]]
                } else {
                    head
                }
            }
            _ => unreachable!("totally ordered values"),
        },
    }
}

/// Whether equal [`summary`]s of values of type `d` mean equal values:
/// ints, and tuples of at most two ints.
fn exact(d: &TypeDesc) -> bool {
    match d.kind() {
        Kind::Int | Kind::Bool => true,
        Kind::Tuple => {
            d.param_count() <= 2
                && (0..d.param_count()).all(|i| matches!(d.param(i).kind(), Kind::Int | Kind::Bool))
        }
        _ => false,
    }
}

/// Sorts `items` by `summary(item)`, then by `tie` (if the summaries are
/// not exact) between items whose summaries are equal: most comparisons
/// read no object. Stably where `stable` asks for it; otherwise in place,
/// with no scratch buffer (equal ints, strs and tuples of them cannot be
/// told apart, so the order of equal values is nobody's business).
fn sort_summarized<T: Copy>(
    items: &mut [T],
    summary: impl Fn(T) -> [u64; 2],
    tie: Option<impl Fn(T, T) -> Ordering>,
    stable: bool,
) {
    let mut keyed: Vec<([u64; 2], T)> = items.iter().map(|&t| (summary(t), t)).collect();
    if tie.is_none() {
        if let Some((packed, position)) = packed_order(&keyed) {
            for (slot, p) in items.iter_mut().zip(packed) {
                *slot = keyed[(p & position) as usize].1;
            }
            return;
        }
    }
    match (tie, stable) {
        (None, true) => keyed.sort_by_key(|k| k.0),
        (None, false) => keyed.sort_unstable_by_key(|k| k.0),
        (Some(tie), true) => keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| tie(a.1, b.1))),
        (Some(tie), false) => {
            keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| tie(a.1, b.1)));
        }
    }
    for (slot, k) in items.iter_mut().zip(keyed) {
        *slot = k.1;
    }
}

/// Exact summaries and positions packed into one word each and sorted,
/// when they fit: each summary's distance from the smallest, its two words
/// made one number (the first times the range of the second, plus the
/// second), above the bits of its item's position. Sorting these plain
/// words orders the items by summary and equal ones by position (stably),
/// moving a quarter of the bytes a sort of (summary, item) pairs would.
/// Returns the sorted words and the mask of their position bits.
fn packed_order<T>(keyed: &[([u64; 2], T)]) -> Option<(Vec<u64>, u64)> {
    if keyed.len() < 2 {
        return None;
    }
    let (mut low, mut high) = ([u64::MAX; 2], [0; 2]);
    for (k, _) in keyed {
        for i in 0..2 {
            low[i] = low[i].min(k[i]);
            high[i] = high[i].max(k[i]);
        }
    }
    let position_bits = usize::BITS - keyed.len().saturating_sub(1).leading_zeros();
    let width = (high[1] - low[1]).checked_add(1)?;
    let largest = (high[0] - low[0])
        .checked_mul(width)?
        .checked_add(high[1] - low[1])?;
    if largest.leading_zeros() < position_bits {
        return None;
    }
    let mut packed: Vec<u64> = keyed
        .iter()
        .enumerate()
        .map(|(i, (k, _))| ((k[0] - low[0]) * width + (k[1] - low[1])) << position_bits | i as u64)
        .collect();
    packed.sort_unstable();
    Some((packed, (1u64 << position_bits) - 1))
}

/// A word that orders floats other than NaN as `<` does: the bits with the
/// sign flipped, or all flipped for a negative; `-0.0` as `0.0`, which it
/// equals.
fn float_summary(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Whether `d` is a totally ordered tuple type whose first two items are
/// ints or bools, so that its [`summary`] is those two words.
fn int_pair_head(d: &TypeDesc) -> bool {
    d.param_count() >= 2
        && totally_ordered(d)
        && (0..2).all(|i| matches!(d.param(i).kind(), Kind::Int | Kind::Bool))
}

/// Sorts `items` by `value(item)`, words of type `d` (stably where
/// `stable` asks for it, and always for floats and what is not totally
/// ordered): by [`summary`] where `d` is totally ordered, by
/// [`float_summary`] for floats when none is NaN, and otherwise (NaNs, and
/// tuples or lists holding floats) by CPython's own sort with Python's
/// `<`.
fn sort_by_value<T: Copy>(
    items: &mut [T],
    d: &'static TypeDesc,
    value: impl Fn(T) -> u64,
    stable: bool,
) {
    let val = |t: T| {
        // SAFETY: the words are elements of a live list (or its keys) of
        // type `d`, which keeps them alive.
        unsafe { Val::new(value(t), d) }
    };
    if items.len() <= SHORT && totally_ordered(d) {
        // A few items: binary insertion (all CPython's sort does for so
        // few), compared directly, with no summaries made.
        return timsort::sort(items, |a, b| word_order(d, value(a), value(b)).is_lt());
    }
    match d.kind() {
        Kind::Int | Kind::Bool => {
            let no_tie: Option<fn(T, T) -> Ordering> = None;
            sort_summarized(items, |t| summary(d, value(t)), no_tie, stable);
        }
        Kind::Float if items.iter().all(|&t| !f64::from_bits(value(t)).is_nan()) => {
            items.sort_by_key(|&t| float_summary(f64::from_bits(value(t))));
        }
        Kind::Tuple if int_pair_head(d) => {
            // The summary read straight from the first two item words.
            let head = |t: T| {
                // SAFETY: as in `word_order`, a live tuple of type `d`.
                let w = unsafe { Tuple::from_ptr(value(t) as *mut u8) };
                [w.words()[0] ^ (1 << 63), w.words()[1] ^ (1 << 63)]
            };
            let tie = |a, b| word_order(d, value(a), value(b));
            sort_summarized(items, head, (!exact(d)).then_some(tie), stable);
        }
        _ if totally_ordered(d) => {
            let tie = |a, b| word_order(d, value(a), value(b));
            sort_summarized(
                items,
                |t| summary(d, value(t)),
                (!exact(d)).then_some(tie),
                stable,
            );
        }
        // Tuples holding floats, none of them NaN: still a total order,
        // compared by words (CPython's sort making the same comparisons).
        _ if ordered_without_nan(d) && items.iter().all(|&t| nan_free(d, value(t))) => {
            timsort::sort(items, |a, b| word_order(d, value(a), value(b)).is_lt())
        }
        _ => timsort::sort(items, |a, b| compare(val(a), val(b), Op::Lt)),
    }
}

/// `l.sort(key=..., reverse=...)`, where `keys` (if any) holds each
/// element's key, in order. A key function that changed the list's length
/// leaves keys that do not match its elements: `ValueError`, as CPython
/// raises for a list modified during its sort (the list is unchanged).
pub(crate) fn sort_list(l: List, keys: Option<List>, reverse: bool) -> Result<(), PyErr> {
    let Some(keys) = keys else {
        // In place: comparing ints, floats, bools, strs and containers of
        // them runs no Roast code, so nothing can see the list meanwhile.
        let d = l.elem();
        l.with_vec(|words| {
            if reverse {
                words.reverse();
            }
            if matches!(d.kind(), Kind::Int | Kind::Bool) {
                // Equal ints cannot be told apart: no need for stability.
                words.sort_unstable_by_key(|&w| w as i64);
            } else {
                // Sorting values themselves: only floats (`0.0` and
                // `-0.0`) need stability, which their sort has anyway.
                sort_by_value(words, d, |w| w, false);
            }
            if reverse {
                words.reverse();
            }
        });
        return Ok(());
    };
    let words = l.words();
    if keys.len() != words.len() {
        return Err(PyErr::value_error("list modified during sort"));
    }
    let mut order: Vec<usize> = (0..words.len()).collect();
    if reverse {
        order.reverse();
    }
    sort_by_value(&mut order, keys.elem(), |i| keys.get(i).word(), true);
    if reverse {
        order.reverse();
    }
    let words: Vec<u64> = order.iter().map(|&i| words[i]).collect();
    l.with_vec(|v| v.copy_from_slice(&words));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sort_summarized;
    use std::cmp::Ordering;

    /// A summary and an id telling equal summaries apart.
    type Item = ([u64; 2], usize);

    /// Sorts `(summary, id)` items by exact summaries, stably, and checks
    /// the result against the standard library's stable sort.
    fn check_summarized(items: Vec<Item>) {
        let mut got = items.clone();
        let no_tie: Option<fn(Item, Item) -> Ordering> = None;
        sort_summarized(&mut got, |t| t.0, no_tie, true);
        let mut want = items;
        want.sort_by_key(|t| t.0);
        assert_eq!(got, want);
    }

    #[test]
    fn exact_summaries_sort_stably_packed_or_not() {
        let lcg = |i: u64| {
            i.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407)
        };
        // Small ranges: packed with positions into one word.
        check_summarized(
            (0..5000)
                .map(|i| ([lcg(i) % 7, lcg(i + 1) % 3], i as usize))
                .collect(),
        );
        // One word spanning all 64 bits: too wide to pack.
        check_summarized((0..5000).map(|i| ([lcg(i), 0], i as usize)).collect());
        // Ranges whose product just fits 64 bits but leaves no room for
        // positions, and one of two items, the smallest sort there is.
        check_summarized(
            (0..100)
                .map(|i| ([u64::MAX - i % 2, i % 2 * (u64::MAX / 2)], i as usize))
                .collect(),
        );
        check_summarized(vec![([5, 1], 0), ([5, 0], 1)]);
        check_summarized(vec![
            ([u64::MAX, u64::MAX], 0),
            ([0, 0], 1),
            ([u64::MAX, u64::MAX], 2),
        ]);
    }
}
