//! `list[T]` objects: `len` @16, `cap` @24, `data` @32, a buffer of one word
//! per element (`list[int]`, `list[float]`, `list[bool]` unboxed). The
//! buffer is always the parts of a `Vec<u64>`, so the runtime edits it as one.

use super::desc::TypeDesc;
use super::heap::{Header, Obj, Val};
use std::mem::{offset_of, ManuallyDrop};

#[repr(C)]
struct ListLayout {
    header: Header,
    len: u64,
    cap: u64,
    data: *mut u64,
}

const _: () = assert!(
    offset_of!(ListLayout, len) == 16
        && offset_of!(ListLayout, cap) == 24
        && offset_of!(ListLayout, data) == 32
);

/// A live `list` object.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct List(Obj);

impl List {
    /// The list object `o` (whose type is a `list`).
    pub(crate) fn from_obj(o: Obj) -> List {
        debug_assert_eq!(o.desc().kind(), super::desc::Kind::List);
        List(o)
    }

    /// The handle for a non-null list pointer.
    ///
    /// # Safety
    /// `p` points to a live list that stays live while the handle is used.
    pub(crate) unsafe fn from_ptr(p: *mut u8) -> List {
        // SAFETY: forwarded caller guarantee.
        List(unsafe { Obj::from_ptr(p) }.expect("a non-null list"))
    }

    /// A new list of type `desc` whose elements are `words`: the caller
    /// hands over one reference to each.
    pub(crate) fn new(desc: &'static TypeDesc, words: Vec<u64>) -> List {
        let mut words = ManuallyDrop::new(words);
        let o = Obj::alloc(size_of::<ListLayout>(), desc);
        // SAFETY: `o` is a fresh list allocation; it takes over the Vec's parts.
        unsafe {
            let l = o.cast::<ListLayout>();
            (*l).len = words.len() as u64;
            (*l).cap = words.capacity() as u64;
            (*l).data = words.as_mut_ptr();
        }
        List(o)
    }

    /// A new list of type `desc` holding new references to `items`.
    pub(crate) fn of_vals(desc: &'static TypeDesc, items: impl Iterator<Item = Val>) -> List {
        List::new(
            desc,
            items
                .map(|v| {
                    v.incref();
                    v.word()
                })
                .collect(),
        )
    }

    /// The object.
    pub(crate) fn obj(self) -> Obj {
        self.0
    }

    /// The element type.
    pub(crate) fn elem(self) -> &'static TypeDesc {
        self.0.desc().param(0)
    }

    fn raw(self) -> *mut ListLayout {
        self.0.cast()
    }

    /// `len(l)`.
    pub(crate) fn len(self) -> usize {
        // SAFETY: a live list starts with this layout.
        unsafe { (*self.raw()).len as usize }
    }

    /// The element words.
    pub(crate) fn words(&self) -> &[u64] {
        // SAFETY: a live list's `data` holds `len` initialized words (a
        // dangling pointer only when `len` is 0, which `from_raw_parts`
        // accepts as it is aligned and non-null); nothing edits them while
        // this borrow is used.
        unsafe {
            let l = self.raw();
            std::slice::from_raw_parts((*l).data, (*l).len as usize)
        }
    }

    /// Element `i` (`i < len`).
    pub(crate) fn get(self, i: usize) -> Val {
        // SAFETY: the elements of a live `list[T]` are valid `T`s, alive
        // while the list holds them.
        unsafe { Val::new(self.words()[i], self.elem()) }
    }

    /// The elements as values.
    pub(crate) fn items(&self) -> impl Iterator<Item = Val> + '_ {
        let d = self.elem();
        self.words().iter().map(move |&w| {
            // SAFETY: as in `get`.
            unsafe { Val::new(w, d) }
        })
    }

    /// Runs `f` on the element buffer as a `Vec`, then stores it back. `f`
    /// keeps the reference counts right itself and must not touch this list
    /// through another handle.
    pub(crate) fn with_vec<R>(self, f: impl FnOnce(&mut Vec<u64>) -> R) -> R {
        let l = self.raw();
        // SAFETY: the list's (data, len, cap) are always the parts of a
        // `Vec<u64>` (see `new` and below); the fields are not read until
        // they are written back, and a panic in `f` leaks the buffer rather
        // than freeing it twice.
        let mut v = ManuallyDrop::new(unsafe {
            Vec::from_raw_parts((*l).data, (*l).len as usize, (*l).cap as usize)
        });
        let r = f(&mut v);
        // SAFETY: as above; the list takes the parts back.
        unsafe {
            (*l).len = v.len() as u64;
            (*l).cap = v.capacity() as u64;
            (*l).data = v.as_mut_ptr();
        }
        r
    }

    /// Removes every element, returning them with the list's references.
    pub(crate) fn take_all(self) -> Vec<u64> {
        self.with_vec(std::mem::take)
    }

    /// Frees the list (its count reached zero).
    pub(crate) fn release(self) {
        let d = self.elem();
        for w in self.take_all() {
            // SAFETY: the list held a reference to each element, a valid `T`.
            unsafe { Val::new(w, d) }.decref();
        }
        // SAFETY: lists are allocated by `new` with this size; this was the
        // last reference.
        unsafe { self.0.free(size_of::<ListLayout>()) };
    }
}
