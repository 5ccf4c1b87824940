//! The operations every value supports, dispatched on its type: `==`,
//! `<`/`<=`, hashing for dict keys, `repr()`, `str()` and `format()`, with
//! CPython 3.11's semantics.

use super::desc::{Kind, TypeDesc};
use super::heap::{Val, View};
use super::string::{self, bytes_eq, new_str, Str};
use crate::obj::heap::Obj;
use crate::py::format::{
    format_bool, format_float, format_float_into, format_int, format_int_into, format_packed_into,
    format_str, packed_int_padding, push_padded_int, simple_int_spec, Formattable,
};
use crate::py::repr::{float_repr, str_repr};
use crate::py::PyErr;
use crate::ExcKind;
use std::cell::RefCell;

/// `a == b` for two values of one type. Floats compare as IEEE doubles.
/// Identical objects are equal without looking inside, as CPython's
/// containers assume (`l == l` holds even when `l` holds a NaN).
pub(crate) fn eq(a: Val, b: Val) -> bool {
    if a.word() == b.word() && a.desc().kind().is_heap() {
        return true;
    }
    match (a.view(), b.view()) {
        (View::None, View::None) => true,
        (View::Int(x), View::Int(y)) => x == y,
        (View::Float(x), View::Float(y)) => x == y,
        (View::Bool(x), View::Bool(y)) => x == y,
        (View::Str(x), View::Str(y)) => bytes_eq(x.as_str().as_bytes(), y.as_str().as_bytes()),
        (View::List(x), View::List(y)) => {
            x.len() == y.len() && x.items().zip(y.items()).all(|(p, q)| eq(p, q))
        }
        (View::Tuple(x), View::Tuple(y)) => x.items().zip(y.items()).all(|(p, q)| eq(p, q)),
        (View::Dict(x), View::Dict(y)) => x.equals(y),
        _ => false,
    }
}

/// An ordering comparison.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
}

impl Op {
    fn apply<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
        }
    }
}

/// `a < b` or `a <= b` for two values of one type: numbers and `bool`s by
/// value, `str` by code point, `list` and `tuple` lexicographically as
/// CPython (the first items that are not `==` decide, compared with the
/// same operator; else the shorter is smaller). Types CPython cannot order
/// (`None`, `dict`) give false: the type checker rejects them.
pub(crate) fn compare(a: Val, b: Val, op: Op) -> bool {
    match (a.view(), b.view()) {
        (View::Int(x), View::Int(y)) => op.apply(x, y),
        (View::Float(x), View::Float(y)) => op.apply(x, y),
        (View::Bool(x), View::Bool(y)) => op.apply(x, y),
        (View::Str(x), View::Str(y)) => op.apply(x.as_str(), y.as_str()),
        (View::List(x), View::List(y)) => compare_items(x.items(), y.items(), op),
        (View::Tuple(x), View::Tuple(y)) => compare_items(x.items(), y.items(), op),
        _ => false,
    }
}

fn compare_items(
    mut a: impl Iterator<Item = Val>,
    mut b: impl Iterator<Item = Val>,
    op: Op,
) -> bool {
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) => {
                if !eq(x, y) {
                    return compare(x, y, op);
                }
            }
            // The shorter sequence is smaller; equal ones are `<=`.
            (None, Some(_)) => return true,
            (Some(_), None) => return false,
            (None, None) => return op == Op::Le,
        }
    }
}

const SEED: u64 = 0x9e37_79b9_7f4a_7c15;
const MUL: u64 = 0xd6e8_feb8_6659_fd93;

/// Multiplies in 128 bits and folds the halves: every input bit reaches
/// the low bits the index uses.
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The hash of an `int` key (see [`hash`]); a `bool` hashes as its int.
pub(crate) fn hash_int(x: i64) -> u64 {
    let x = x as u64;
    x ^ (x >> 32).wrapping_mul(0x9e37_79b9)
}

/// The hash of a `str` key (see [`hash`]).
pub(crate) fn hash_str(s: Str) -> u64 {
    hash_bytes(s.as_str().as_bytes())
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = SEED ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8-byte chunk"));
        h = fold_mul(h ^ w, MUL);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // The little-endian word of the zero-padded tail, byte by byte (no
        // call to copy a few bytes).
        let tail = rest.iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b));
        h = fold_mul(h ^ tail, MUL);
    }
    fold_mul(h, SEED)
}

/// The hash of a dict key: equal keys hash alike (`-0.0` and `0.0`
/// included). An `int` in `0..2**32` (or a `bool`) is its own hash, as in
/// CPython, so consecutive keys fill consecutive slots; the high half of
/// larger or negative ints is multiplied into the low bits, so keys that
/// differ only there (`i << 32`, small negatives against small positives)
/// do not collide. Unhashable types (which the type checker rejects as
/// keys) hash to 0.
pub(crate) fn hash(v: Val) -> u64 {
    match v.view() {
        View::None => SEED,
        View::Int(x) => hash_int(x),
        View::Bool(b) => hash_int(i64::from(b)),
        View::Float(x) => {
            let bits = if x == 0.0 { 0 } else { x.to_bits() };
            fold_mul(bits ^ SEED, MUL)
        }
        View::Str(s) => hash_str(s),
        View::Tuple(t) => t
            .items()
            .fold(SEED, |h, item| fold_mul(h ^ hash(item), MUL)),
        View::List(_) | View::Dict(_) => 0,
    }
}

/// [`hash`] of a tuple whose items are all ints or bools, from its item
/// words: the same fold as the general case, without a view of each item.
pub(crate) fn hash_int_items(words: &[u64]) -> u64 {
    words
        .iter()
        .fold(SEED, |h, &w| fold_mul(h ^ hash_int(w as i64), MUL))
}

/// [`hash`] of a tuple of type `d` whose items are ints, bools and strs,
/// from its item words: the same fold as the general case, without a view
/// of each item.
pub(crate) fn hash_flat_items(d: &TypeDesc, words: &[u64]) -> u64 {
    words.iter().enumerate().fold(SEED, |h, (i, &w)| {
        let item = match d.param(i).kind() {
            // SAFETY: a str item word of a live tuple is a live str.
            Kind::Str => hash_str(unsafe { Str::from_ptr(w as *mut u8) }),
            _ => hash_int(w as i64),
        };
        fold_mul(h ^ item, MUL)
    })
}

/// Appends `repr(v)` to `out`, nested containers exactly as CPython prints
/// them.
pub(crate) fn repr_into(v: Val, out: &mut String) {
    fn items(out: &mut String, open: char, close: char, items: impl Iterator<Item = Val>) {
        out.push(open);
        for (i, item) in items.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            repr_into(item, out);
        }
        out.push(close);
    }
    match v.view() {
        View::None => out.push_str("None"),
        View::Int(x) => push_padded_int(x, false, 0, out),
        View::Float(x) => out.push_str(&float_repr(x)),
        View::Bool(b) => out.push_str(crate::py::str_bool(b)),
        View::Str(s) => out.push_str(&str_repr(s.as_str())),
        View::List(l) => items(out, '[', ']', l.items()),
        View::Tuple(t) if t.words().len() == 1 => {
            out.push('(');
            repr_into(t.items().next().expect("one item"), out);
            out.push_str(",)");
        }
        View::Tuple(t) => items(out, '(', ')', t.items()),
        View::Dict(d) => {
            out.push('{');
            for (i, e) in d.entries().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                repr_into(d.entry_key(e), out);
                out.push_str(": ");
                repr_into(d.entry_value(e), out);
            }
            out.push('}');
        }
    }
}

/// `repr(v)`.
pub(crate) fn repr(v: Val) -> String {
    let mut out = String::new();
    repr_into(v, &mut out);
    out
}

/// `str(v)` as a new reference: a `str` is itself; everything else is its
/// `repr` (containers show their items' `repr`).
pub(crate) fn to_str(v: Val) -> Obj {
    match v.view() {
        View::Str(s) => {
            s.obj().incref();
            s.obj()
        }
        View::Int(x) => string::int_text(x),
        _ => new_str(&repr(v)),
    }
}

/// `format(v, spec)`: the format-spec mini-language for `int`, `float`,
/// `bool` and `str`; other types accept only an empty spec (giving
/// `str(v)`), as `object.__format__` does.
pub(crate) fn format(v: Val, spec: &str) -> Result<Obj, PyErr> {
    Ok(match formatted(v, spec)? {
        Formatted::Text(text) => new_str(&text),
        Formatted::Itself(s) => {
            s.obj().incref();
            s.obj()
        }
        Formatted::Str => to_str(v),
    })
}

/// `acc + format(v, spec)`, consuming the caller's reference to `acc`
/// (which grows in place when nobody else holds it). On an error `acc` is
/// left as it was, still the caller's.
pub(crate) fn append_format(acc: Str, v: Val, spec: &str) -> Result<Obj, PyErr> {
    match v.view() {
        View::Int(x) => {
            if let Some((zero, width)) = simple_int_spec(spec) {
                return Ok(string::iadd_int(acc, x, zero, width));
            }
            return append_text(acc, |text| format_int_into(x, spec, text));
        }
        View::Float(x) => return append_text(acc, |text| format_float_into(x, spec, text)),
        _ => {}
    }
    Ok(match formatted(v, spec)? {
        Formatted::Text(text) => string::iadd_bytes(acc, text.as_bytes(), text.chars().count()),
        Formatted::Itself(s) => string::iadd(acc, s),
        Formatted::Str => append_str_of(acc, v),
    })
}

/// `format(v, spec)` of `v` (an `int`, `bool`, `float` or `str`) for a
/// packed spec, appended to `out`.
fn write_packed(v: Val, packed: u64, out: &mut String) -> Result<(), PyErr> {
    let value = match v.view() {
        View::Int(x) => Formattable::Int(x),
        View::Bool(b) => Formattable::Bool(b),
        View::Float(x) => Formattable::Float(x),
        View::Str(s) => return format_packed_into(Formattable::Str(s.as_str()), packed, out),
        view => unreachable!(
            "specs are packed for scalars and strs, not {}",
            view.type_name()
        ),
    };
    format_packed_into(value, packed, out)
}

/// `format(v, spec)` for a spec the compiler packed for `v`'s type
/// ([`crate::py::format::pack_spec`]).
pub(crate) fn format_packed(v: Val, packed: u64) -> Result<Obj, PyErr> {
    let mut text = String::new();
    write_packed(v, packed, &mut text)?;
    Ok(new_str(&text))
}

/// `acc + format(v, spec)` for a packed spec, as [`append_format`].
pub(crate) fn append_packed(acc: Str, v: Val, packed: u64) -> Result<Obj, PyErr> {
    if let (View::Int(x), Some((zero, width))) = (v.view(), packed_int_padding(packed)) {
        return Ok(string::iadd_int(acc, x, zero, width));
    }
    append_text(acc, |text| write_packed(v, packed, text))
}

thread_local! {
    /// Reused text buffer for [`append_str_of`].
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// `acc + text`, the text written by `write` into a reused buffer; on an
/// error `acc` is left as it was, still the caller's.
fn append_text(
    acc: Str,
    write: impl FnOnce(&mut String) -> Result<(), PyErr>,
) -> Result<Obj, PyErr> {
    SCRATCH.with_borrow_mut(|text| {
        text.clear();
        write(text)?;
        Ok(string::iadd_bytes(acc, text.as_bytes(), char_count(text)))
    })
}

/// `acc + str(v)`, consuming the caller's reference to `acc` (which grows
/// in place when nobody else holds it); no intermediate string object.
pub(crate) fn append_str_of(acc: Str, v: Val) -> Obj {
    match v.view() {
        View::Str(s) => string::iadd(acc, s),
        View::Int(x) => string::iadd_int(acc, x, false, 0),
        _ => SCRATCH.with_borrow_mut(|text| {
            text.clear();
            repr_into(v, text);
            string::iadd_bytes(acc, text.as_bytes(), char_count(text))
        }),
    }
}

/// The number of code points of `text` (its length when ASCII).
fn char_count(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// What `format(v, spec)` gives.
enum Formatted {
    /// New text.
    Text(String),
    /// The string `v` itself (empty spec).
    Itself(Str),
    /// `str(v)` (empty spec, a type without a mini-language).
    Str,
}

fn formatted(v: Val, spec: &str) -> Result<Formatted, PyErr> {
    Ok(match v.view() {
        View::Int(x) => Formatted::Text(format_int(x, spec)?),
        View::Float(x) => Formatted::Text(format_float(x, spec)?),
        View::Bool(b) => Formatted::Text(format_bool(b, spec)?),
        View::Str(s) if spec.is_empty() => Formatted::Itself(s),
        View::Str(s) => Formatted::Text(format_str(s.as_str(), spec)?),
        _ if spec.is_empty() => Formatted::Str,
        view => {
            return Err(PyErr::new(
                ExcKind::TypeError,
                format!(
                    "unsupported format string passed to {}.__format__",
                    view.type_name()
                ),
            ))
        }
    })
}
