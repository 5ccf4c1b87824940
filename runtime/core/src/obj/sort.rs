//! `list.sort()` and `sorted()`: stable, comparing with `<` only, and
//! `reverse=True` done as CPython does it (reverse, sort, reverse), so
//! equal elements keep their original order either way.

use super::desc::{Kind, TypeDesc};
use super::heap::{Val, View};
use super::list::List;
use super::ops::{compare, Op};
use crate::py::PyErr;
use std::cmp::Ordering;

/// Elements up to this many are sorted by insertion before merging.
const RUN: usize = 24;

/// A stable merge sort that only asks `less(a, b)` ("must `a` come before
/// `b`?"). Unlike `slice::sort_by` it needs no total order: with NaNs
/// (`less` false both ways) it still finishes and moves nothing it need not.
fn merge_sort<T: Copy>(v: &mut [T], less: &mut impl FnMut(T, T) -> bool) {
    for run in v.chunks_mut(RUN) {
        for i in 1..run.len() {
            let x = run[i];
            let mut j = i;
            while j > 0 && less(x, run[j - 1]) {
                run[j] = run[j - 1];
                j -= 1;
            }
            run[j] = x;
        }
    }
    if v.len() <= RUN {
        return;
    }
    let mut src = v.to_vec();
    let mut dst = Vec::with_capacity(v.len());
    let mut width = RUN;
    while width < v.len() {
        dst.clear();
        for pair in src.chunks(2 * width) {
            let (left, right) = pair.split_at(width.min(pair.len()));
            let (mut i, mut j) = (0, 0);
            while i < left.len() && j < right.len() {
                // Take from the right only when strictly less: stable.
                if less(right[j], left[i]) {
                    dst.push(right[j]);
                    j += 1;
                } else {
                    dst.push(left[i]);
                    i += 1;
                }
            }
            dst.extend_from_slice(&left[i..]);
            dst.extend_from_slice(&right[j..]);
        }
        std::mem::swap(&mut src, &mut dst);
        width *= 2;
    }
    v.copy_from_slice(&src);
}

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

/// The order of two words of a [`totally_ordered`] type `d`, as Python's
/// `<` and `==` decide it: ints by value, strs by code points (UTF-8 byte
/// order is code point order), tuples item by item.
fn word_order(d: &'static TypeDesc, a: u64, b: u64) -> Ordering {
    match d.kind() {
        Kind::Int | Kind::Bool => (a as i64).cmp(&(b as i64)),
        _ if a == b => Ordering::Equal,
        // SAFETY: words of type `d` held by a live list (or its keys), so
        // live objects of that type.
        _ => match unsafe { (Val::new(a, d).view(), Val::new(b, d).view()) } {
            (View::Str(x), View::Str(y)) => x.as_str().cmp(y.as_str()),
            (View::Tuple(x), View::Tuple(y)) => (0..d.param_count())
                .map(|i| word_order(d.param(i), x.words()[i], y.words()[i]))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal),
            _ => unreachable!("totally ordered values"),
        },
    }
}

/// Sorts `items` stably by `key(item)`, values of type `d`. Totally
/// ordered keys use the standard library's stable sort; anything else
/// (floats, which may be NaN, and what holds them) the merge sort above.
fn sort_by_key<T: Copy>(items: &mut [T], d: &'static TypeDesc, key: impl Fn(T) -> Val) {
    match d.kind() {
        Kind::Int | Kind::Bool => items.sort_by_key(|&t| key(t).word() as i64),
        _ if totally_ordered(d) => {
            items.sort_by(|&a, &b| word_order(d, key(a).word(), key(b).word()));
        }
        _ => merge_sort(items, &mut |a, b| compare(key(a), key(b), Op::Lt)),
    }
}

/// Sorts the element words of a list of type `d` by their own values.
/// Equal values of a totally ordered type cannot be told apart, so their
/// sort need not be stable.
fn sort_words(words: &mut [u64], d: &'static TypeDesc) {
    let value = |w: u64| {
        // SAFETY: the words are elements of a live `list[T]` (of type `d`)
        // that keeps them alive.
        unsafe { Val::new(w, d) }
    };
    match d.kind() {
        Kind::Int | Kind::Bool => words.sort_unstable_by_key(|&w| w as i64),
        _ if totally_ordered(d) => words.sort_unstable_by(|&a, &b| word_order(d, a, b)),
        _ => merge_sort(words, &mut |a, b| compare(value(a), value(b), Op::Lt)),
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
            sort_words(words, d);
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
    sort_by_key(&mut order, keys.elem(), |i| keys.get(i));
    if reverse {
        order.reverse();
    }
    let words: Vec<u64> = order.iter().map(|&i| words[i]).collect();
    l.with_vec(|v| v.copy_from_slice(&words));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::merge_sort;

    #[test]
    fn merge_sort_is_stable_and_sorts() {
        let mut v: Vec<(u32, usize)> = (0..1000).map(|i| ((i * 7919 % 13) as u32, i)).collect();
        let mut want = v.clone();
        want.sort_by_key(|&(k, _)| k);
        merge_sort(&mut v, &mut |a, b| a.0 < b.0);
        assert_eq!(v, want);
    }

    #[test]
    fn merge_sort_survives_nan() {
        let mut v: Vec<f64> = (0..100)
            .map(|i| {
                if i % 7 == 0 {
                    f64::NAN
                } else {
                    f64::from(i % 10)
                }
            })
            .collect();
        merge_sort(&mut v, &mut |a, b| a < b);
        assert_eq!(v.len(), 100);
    }
}
