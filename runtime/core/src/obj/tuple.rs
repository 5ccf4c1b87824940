//! `tuple[...]` objects: the items' words @16, as many as the type has
//! parameters. A new tuple's items are 0 until compiled code (or the
//! runtime) stores owned items; releasing one skips null heap items.

use super::desc::TypeDesc;
use super::heap::{Header, Obj, Val};

/// A live `tuple` object.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tuple(Obj);

fn size(desc: &TypeDesc) -> usize {
    size_of::<Header>() + 8 * desc.param_count()
}

impl Tuple {
    /// The tuple object `o` (whose type is a `tuple`).
    pub(crate) fn from_obj(o: Obj) -> Tuple {
        debug_assert_eq!(o.desc().kind(), super::desc::Kind::Tuple);
        Tuple(o)
    }

    /// The handle for a non-null tuple pointer.
    ///
    /// # Safety
    /// `p` points to a live tuple that stays live while the handle is used.
    pub(crate) unsafe fn from_ptr(p: *mut u8) -> Tuple {
        // SAFETY: forwarded caller guarantee.
        Tuple::from_obj(unsafe { Obj::from_ptr(p) }.expect("a non-null tuple"))
    }

    /// A new tuple of type `desc` with every item word 0.
    pub(crate) fn zeroed(desc: &'static TypeDesc) -> Tuple {
        let o = Obj::alloc(size(desc), desc);
        // SAFETY: `o` has room for `param_count` words after the header.
        unsafe {
            std::ptr::write_bytes(o.ptr().add(size_of::<Header>()), 0, 8 * desc.param_count())
        };
        Tuple(o)
    }

    /// A new tuple of type `desc` holding new references to `items` (one
    /// per parameter).
    pub(crate) fn of_vals(desc: &'static TypeDesc, items: &[Val]) -> Tuple {
        debug_assert_eq!(items.len(), desc.param_count());
        let t = Tuple::zeroed(desc);
        for (i, v) in items.iter().enumerate() {
            v.incref();
            t.set(i, v.word());
        }
        t
    }

    /// Stores word `w` as item `i` of a tuple under construction (the tuple
    /// takes over the reference; the slot was 0).
    pub(crate) fn set(self, i: usize, w: u64) {
        assert!(i < self.0.desc().param_count());
        // SAFETY: item `i` is within the tuple, which its builder owns
        // exclusively.
        unsafe { *self.0.cast::<u64>().add(2 + i) = w };
    }

    /// The object.
    pub(crate) fn obj(self) -> Obj {
        self.0
    }

    /// The item words.
    pub(crate) fn words(&self) -> &[u64] {
        // SAFETY: a live tuple holds one word per type parameter after its
        // header; items do not change once built.
        unsafe {
            std::slice::from_raw_parts(self.0.cast::<u64>().add(2), self.0.desc().param_count())
        }
    }

    /// The items as values.
    pub(crate) fn items(&self) -> impl Iterator<Item = Val> + '_ {
        let d = self.0.desc();
        self.words().iter().enumerate().map(move |(i, &w)| {
            // SAFETY: item `i` of a live tuple is a valid value of parameter
            // `i`, alive while the tuple is.
            unsafe { Val::new(w, d.param(i)) }
        })
    }

    /// Frees the tuple (its count reached zero).
    pub(crate) fn release(self) {
        for v in self.items() {
            v.decref();
        }
        // SAFETY: tuples are allocated by `zeroed` with this size; this was
        // the last reference.
        unsafe { self.0.free(size(self.0.desc())) };
    }
}
