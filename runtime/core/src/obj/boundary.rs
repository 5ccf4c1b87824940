//! Converting Rust values to Roast words and back, for generated bindings.
//!
//! [`ToRoast`] builds a Roast value (a new reference) from a Rust one;
//! [`FromRoast`] copies a Roast value (borrowed) into an owned Rust one.
//! Values never cross threads as Roast objects: each side owns its copy.

use super::desc::{intern, Kind, TypeDesc, BOOL, FLOAT, INT, STR};
use super::dict::Dict;
use super::heap::{box_word, new_box, Obj, Val};
use super::list::List;
use super::string::{new_str, Str};
use super::tuple::Tuple;
use indexmap::IndexMap;
use std::hash::{BuildHasher, Hash};

/// A Rust type that converts to a Roast value.
pub trait ToRoast {
    /// The Roast type's descriptor (interned: one per type, never freed).
    fn desc() -> &'static TypeDesc;

    /// The value as a word: the value itself for scalars, a new reference
    /// for heap types.
    fn to_word(&self) -> u64;

    /// A `list` of `items` as a word (a new reference). Element by element
    /// by default; `i64` and `f64` copy the whole slice with one memcpy.
    fn list_to_word(items: &[Self]) -> u64
    where
        Self: Sized,
    {
        let words = items.iter().map(ToRoast::to_word).collect();
        List::new(<[Self]>::desc(), words).obj().word()
    }
}

/// A Rust type that a Roast value converts to.
pub trait FromRoast: Sized {
    /// Whether words of this type are object pointers, so that a `T | None`
    /// is the pointer itself (null for `None`) rather than a box.
    const IS_HEAP: bool;

    /// Copies the value of `w` (borrowed: the caller keeps its reference).
    ///
    /// # Safety
    /// `w` is a live value of this type's Roast type, made on this thread.
    unsafe fn from_word(w: u64) -> Self;
}

/// A list of words (already owned) copied from `items` with one memcpy.
fn copy_words<T: Copy>(items: &[T]) -> Vec<u64> {
    const { assert!(size_of::<T>() == 8) };
    let mut words = Vec::<u64>::with_capacity(items.len());
    // SAFETY: `T` is 8 bytes of plain data (i64 or f64) whose bits are the
    // Roast word; the destination has room for `items.len()` words and the
    // two buffers do not overlap.
    unsafe {
        std::ptr::copy_nonoverlapping(
            items.as_ptr().cast::<u64>(),
            words.as_mut_ptr(),
            items.len(),
        );
        words.set_len(items.len());
    }
    words
}

impl ToRoast for i64 {
    fn desc() -> &'static TypeDesc {
        &INT
    }
    fn to_word(&self) -> u64 {
        *self as u64
    }
    /// One memcpy of the slice.
    fn list_to_word(items: &[i64]) -> u64 {
        List::new(<[i64]>::desc(), copy_words(items)).obj().word()
    }
}

impl ToRoast for f64 {
    fn desc() -> &'static TypeDesc {
        &FLOAT
    }
    fn to_word(&self) -> u64 {
        self.to_bits()
    }
    /// One memcpy of the slice.
    fn list_to_word(items: &[f64]) -> u64 {
        List::new(<[f64]>::desc(), copy_words(items)).obj().word()
    }
}

impl ToRoast for bool {
    fn desc() -> &'static TypeDesc {
        &BOOL
    }
    fn to_word(&self) -> u64 {
        u64::from(*self)
    }
}

impl ToRoast for str {
    fn desc() -> &'static TypeDesc {
        &STR
    }
    fn to_word(&self) -> u64 {
        new_str(self).word()
    }
}

impl ToRoast for String {
    fn desc() -> &'static TypeDesc {
        &STR
    }
    fn to_word(&self) -> u64 {
        self.as_str().to_word()
    }
}

/// References convert as what they point to, so `&str`, `&String` and
/// `&[T]` work, and a slice of them (`[&str]`) converts to a `list`.
impl<T: ToRoast + ?Sized> ToRoast for &T {
    fn desc() -> &'static TypeDesc {
        T::desc()
    }
    fn to_word(&self) -> u64 {
        (**self).to_word()
    }
}

/// A slice is a `list`: `[i64]` and `[f64]` with one memcpy, `[String]`,
/// `[&str]` and other element types item by item.
impl<T: ToRoast> ToRoast for [T] {
    fn desc() -> &'static TypeDesc {
        intern(Kind::List, &[T::desc()])
    }
    fn to_word(&self) -> u64 {
        T::list_to_word(self)
    }
}

impl<T: ToRoast> ToRoast for Vec<T> {
    fn desc() -> &'static TypeDesc {
        <[T]>::desc()
    }
    fn to_word(&self) -> u64 {
        T::list_to_word(self)
    }
}

/// `None` is null; a heap `T` is its own pointer; a scalar `T` is boxed.
impl<T: ToRoast> ToRoast for Option<T> {
    fn desc() -> &'static TypeDesc {
        intern(Kind::Optional, &[T::desc()])
    }
    fn to_word(&self) -> u64 {
        match self {
            None => 0,
            Some(v) if T::desc().kind().is_heap() => v.to_word(),
            Some(v) => {
                // SAFETY: `to_word` gives a valid scalar `T`.
                let inner = unsafe { Val::new(v.to_word(), T::desc()) };
                new_box(Self::desc(), inner).word()
            }
        }
    }
}

/// A `dict` with the map's insertion order.
impl<K: ToRoast, V: ToRoast, S> ToRoast for IndexMap<K, V, S> {
    fn desc() -> &'static TypeDesc {
        intern(Kind::Dict, &[K::desc(), V::desc()])
    }
    fn to_word(&self) -> u64 {
        let d = Dict::new(Self::desc());
        for (k, v) in self {
            // SAFETY: `to_word` gives valid values of `K` and `V`, new
            // references that are given up once the dict holds its own.
            let (k, v) = unsafe {
                (
                    Val::new(k.to_word(), K::desc()),
                    Val::new(v.to_word(), V::desc()),
                )
            };
            d.set(k, v);
            k.decref();
            v.decref();
        }
        d.obj().word()
    }
}

macro_rules! tuple_to_roast {
    ($($t:ident $i:tt),+) => {
        /// A `tuple` of the same arity.
        impl<$($t: ToRoast),+> ToRoast for ($($t,)+) {
            fn desc() -> &'static TypeDesc {
                intern(Kind::Tuple, &[$($t::desc()),+])
            }
            fn to_word(&self) -> u64 {
                let t = Tuple::zeroed(Self::desc());
                $(t.set($i, self.$i.to_word());)+
                t.obj().word()
            }
        }
    };
}

/// The live object behind a heap word.
///
/// # Safety
/// `w` is a non-null pointer to a live object.
unsafe fn obj(w: u64) -> Obj {
    // SAFETY: forwarded caller guarantee.
    unsafe { Obj::from_ptr(w as *mut u8) }.expect("a non-null Roast object")
}

impl FromRoast for i64 {
    const IS_HEAP: bool = false;
    unsafe fn from_word(w: u64) -> i64 {
        w as i64
    }
}

impl FromRoast for f64 {
    const IS_HEAP: bool = false;
    unsafe fn from_word(w: u64) -> f64 {
        f64::from_bits(w)
    }
}

impl FromRoast for bool {
    const IS_HEAP: bool = false;
    unsafe fn from_word(w: u64) -> bool {
        w != 0
    }
}

/// `None`.
impl FromRoast for () {
    const IS_HEAP: bool = false;
    unsafe fn from_word(_: u64) {}
}

impl FromRoast for String {
    const IS_HEAP: bool = true;
    unsafe fn from_word(w: u64) -> String {
        // SAFETY: the caller guarantees a live str.
        Str::from_obj(unsafe { obj(w) }).as_str().to_string()
    }
}

impl<T: FromRoast> FromRoast for Vec<T> {
    const IS_HEAP: bool = true;
    unsafe fn from_word(w: u64) -> Vec<T> {
        // SAFETY: the caller guarantees a live list of `T`s.
        let l = List::from_obj(unsafe { obj(w) });
        l.words()
            .iter()
            // SAFETY: the elements of a live `list[T]` are live `T`s.
            .map(|&e| unsafe { T::from_word(e) })
            .collect()
    }
}

impl<T: FromRoast> FromRoast for Option<T> {
    const IS_HEAP: bool = true;
    unsafe fn from_word(w: u64) -> Option<T> {
        if w == 0 {
            return None;
        }
        let inner = if T::IS_HEAP {
            w
        } else {
            // SAFETY: a non-null `T | None` of a scalar `T` is a live box.
            box_word(unsafe { obj(w) })
        };
        // SAFETY: `inner` is a live `T` (the caller's guarantee).
        Some(unsafe { T::from_word(inner) })
    }
}

/// A `dict` in its insertion order.
impl<K: FromRoast + Hash + Eq, V: FromRoast, S: BuildHasher + Default> FromRoast
    for IndexMap<K, V, S>
{
    const IS_HEAP: bool = true;
    unsafe fn from_word(w: u64) -> IndexMap<K, V, S> {
        // SAFETY: the caller guarantees a live dict of `K` to `V`.
        let d = Dict::from_obj(unsafe { obj(w) });
        d.entries()
            // SAFETY: the keys and values of a live `dict[K, V]` are live.
            .map(|e| unsafe { (K::from_word(e.key()), V::from_word(e.value())) })
            .collect()
    }
}

macro_rules! tuple_from_roast {
    ($($t:ident $i:tt),+) => {
        /// A `tuple` of the same arity.
        impl<$($t: FromRoast),+> FromRoast for ($($t,)+) {
            const IS_HEAP: bool = true;
            unsafe fn from_word(w: u64) -> Self {
                // SAFETY: the caller guarantees a live tuple of these types.
                let t = Tuple::from_obj(unsafe { obj(w) });
                let items = t.words();
                // SAFETY: the items of a live tuple are live values of its
                // item types.
                unsafe { ($($t::from_word(items[$i]),)+) }
            }
        }
    };
}

/// Both conversions for tuples of each arity Rust implements its traits
/// for (1 to 12).
macro_rules! tuple_conversions {
    ($($t:ident $i:tt),+) => {
        tuple_to_roast!($($t $i),+);
        tuple_from_roast!($($t $i),+);
    };
}

tuple_conversions!(A 0);
tuple_conversions!(A 0, B 1);
tuple_conversions!(A 0, B 1, C 2);
tuple_conversions!(A 0, B 1, C 2, D 3);
tuple_conversions!(A 0, B 1, C 2, D 3, E 4);
tuple_conversions!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_conversions!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_conversions!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_conversions!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_conversions!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_conversions!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_conversions!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
