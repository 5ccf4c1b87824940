//! Type descriptors: `struct TypeDesc { kind: u32, len: u32, params:
//! [*const TypeDesc; len] }`, emitted by the compiler as static data and
//! built (once per type, then leaked) by the Rust boundary.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

/// The kind of a Roast type: the `kind` field of a [`TypeDesc`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Kind {
    /// `None`
    None = 0,
    /// `int`
    Int = 1,
    /// `float`
    Float = 2,
    /// `bool`
    Bool = 3,
    /// `str`
    Str = 4,
    /// `list[T]`
    List = 5,
    /// `dict[K, V]`
    Dict = 6,
    /// `tuple[A, B, ...]`
    Tuple = 7,
    /// `T | None`
    Optional = 8,
}

impl Kind {
    const ALL: [Kind; 9] = [
        Kind::None,
        Kind::Int,
        Kind::Float,
        Kind::Bool,
        Kind::Str,
        Kind::List,
        Kind::Dict,
        Kind::Tuple,
        Kind::Optional,
    ];

    /// The kind with ABI code `code`, if any.
    #[inline]
    pub fn from_code(code: u32) -> Option<Kind> {
        Kind::ALL.get(code as usize).copied()
    }

    /// Whether a word of this kind is an object pointer (or null). `T | None`
    /// always is: the nullable pointer of a heap `T`, or a box.
    #[inline]
    pub fn is_heap(self) -> bool {
        matches!(
            self,
            Kind::Str | Kind::List | Kind::Dict | Kind::Tuple | Kind::Optional
        )
    }
}

/// A Roast type, laid out as the ABI says: the kind, the number of
/// parameters, then that many descriptor pointers (a flexible array, so a
/// descriptor is only ever used by reference, never moved).
#[repr(C)]
pub struct TypeDesc {
    kind: u32,
    len: u32,
    params: [*const TypeDesc; 0],
}

// SAFETY: descriptors are immutable once built and point only to other
// descriptors that live for the whole program.
unsafe impl Sync for TypeDesc {}
// SAFETY: as above; a descriptor owns nothing.
unsafe impl Send for TypeDesc {}

impl TypeDesc {
    /// A descriptor without parameters (`int`, `str`, ...).
    pub const fn scalar(kind: Kind) -> TypeDesc {
        TypeDesc {
            kind: kind as u32,
            len: 0,
            params: [],
        }
    }

    /// The kind. An unknown code means a corrupt descriptor, which is a bug
    /// in the compiler: it panics.
    #[inline]
    pub fn kind(&self) -> Kind {
        Kind::from_code(self.kind)
            .unwrap_or_else(|| panic!("corrupt type descriptor (kind {})", self.kind))
    }

    /// The number of parameters (items of a tuple, `K` and `V` of a dict, ...).
    pub fn param_count(&self) -> usize {
        self.len as usize
    }

    /// Parameter `i` (panics when out of range).
    #[inline]
    pub fn param(&self, i: usize) -> &'static TypeDesc {
        assert!(i < self.param_count(), "type parameter {i} out of range");
        // SAFETY: a descriptor with `len` parameters is followed by `len`
        // pointers (the ABI layout), each to a descriptor that lives for the
        // whole program; `i < len`.
        unsafe { &**self.params.as_ptr().add(i) }
    }
}

/// `None`'s descriptor.
pub(crate) static NONE: TypeDesc = TypeDesc::scalar(Kind::None);
/// `int`'s descriptor.
pub(crate) static INT: TypeDesc = TypeDesc::scalar(Kind::Int);
/// `float`'s descriptor.
pub(crate) static FLOAT: TypeDesc = TypeDesc::scalar(Kind::Float);
/// `bool`'s descriptor.
pub(crate) static BOOL: TypeDesc = TypeDesc::scalar(Kind::Bool);
/// `str`'s descriptor, the type of every string the runtime makes.
pub(crate) static STR: TypeDesc = TypeDesc::scalar(Kind::Str);

type Registry = Mutex<HashMap<(Kind, Vec<usize>), &'static TypeDesc>>;

/// The descriptor of the type `kind[params...]`, built once per distinct
/// type (per process) and never freed. Descriptors without parameters are
/// the runtime's statics.
pub fn intern(kind: Kind, params: &[&'static TypeDesc]) -> &'static TypeDesc {
    if params.is_empty() {
        match kind {
            Kind::None => return &NONE,
            Kind::Int => return &INT,
            Kind::Float => return &FLOAT,
            Kind::Bool => return &BOOL,
            Kind::Str => return &STR,
            _ => {}
        }
    }
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    let key = (
        kind,
        params
            .iter()
            .map(|p| *p as *const TypeDesc as usize)
            .collect(),
    );
    let mut map = REGISTRY
        .get_or_init(Registry::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    map.entry(key).or_insert_with(|| leak(kind, params))
}

/// A new descriptor in leaked memory.
fn leak(kind: Kind, params: &[&'static TypeDesc]) -> &'static TypeDesc {
    let len = u32::try_from(params.len()).expect("fewer than 2**32 type parameters");
    let mut head = [0u8; 8];
    head[..4].copy_from_slice(&(kind as u32).to_ne_bytes());
    head[4..].copy_from_slice(&len.to_ne_bytes());
    let mut words = Vec::with_capacity(1 + params.len());
    words.push(u64::from_ne_bytes(head));
    words.extend(params.iter().map(|p| *p as *const TypeDesc as u64));
    let words: &'static [u64] = words.leak();
    // SAFETY: `words` is 8-aligned, never freed nor written again, and holds
    // `kind: u32, len: u32` followed by `len` descriptor pointers: the layout
    // of `TypeDesc` with its parameters.
    unsafe { &*words.as_ptr().cast::<TypeDesc>() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_descriptors_are_shared_and_read_back() {
        let list = intern(Kind::List, &[&INT]);
        assert!(std::ptr::eq(list, intern(Kind::List, &[&INT])));
        let dict = intern(Kind::Dict, &[&STR, list]);
        assert_eq!(dict.kind(), Kind::Dict);
        assert_eq!(dict.param_count(), 2);
        assert_eq!(dict.param(0).kind(), Kind::Str);
        assert!(std::ptr::eq(dict.param(1), list));
        assert_eq!(dict.param(1).param(0).kind(), Kind::Int);
        assert!(std::ptr::eq(intern(Kind::Int, &[]), &INT));
        assert_eq!(intern(Kind::Tuple, &[]).param_count(), 0);
    }
}
