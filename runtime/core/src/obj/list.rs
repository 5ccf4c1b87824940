//! `list[T]` objects: `len` @16, `cap` @24, `data` @32, a buffer of one word
//! per element (`list[int]`, `list[float]` unboxed), except `list[bool]`,
//! whose buffer holds one byte (0 or 1) per element, as Rust's `[bool]`.
//! The buffer is always the parts of a `Vec<u64>` (a `Vec<u8>` for
//! `list[bool]`), so the runtime edits it as one.

use super::desc::{Kind, TypeDesc};
use super::heap::{Header, Obj, Val};
use crate::py::slice::SliceIndices;
use std::borrow::Cow;
use std::mem::{offset_of, ManuallyDrop};

#[repr(C)]
struct ListLayout {
    header: Header,
    len: u64,
    cap: u64,
    data: *mut u8,
}

/// Whether lists with elements of type `elem` store bytes, not words.
fn byte_elements(elem: &TypeDesc) -> bool {
    elem.kind() == Kind::Bool
}

const _: () = assert!(
    offset_of!(ListLayout, len) == 16
        && offset_of!(ListLayout, cap) == 24
        && offset_of!(ListLayout, data) == 32
);

/// Fills the empty `out` with copies of `items` up to `total` elements
/// (a multiple of `items.len()`), doubling what is already there.
fn repeat_into<T: Copy>(out: &mut Vec<T>, items: &[T], total: usize) {
    if items.is_empty() || total == 0 {
        return;
    }
    out.extend_from_slice(items);
    while out.len() < total {
        let more = (total - out.len()).min(out.len());
        out.extend_from_within(..more);
    }
}

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
        let o = Obj::alloc(size_of::<ListLayout>(), desc);
        // SAFETY: `o` is a fresh list allocation (fields not yet read).
        unsafe {
            let l = o.cast::<ListLayout>();
            (*l).len = 0;
            (*l).cap = 0;
            (*l).data = std::ptr::NonNull::<u64>::dangling().as_ptr().cast();
        }
        let l = List(o);
        l.store(words);
        l
    }

    /// Whether this list's buffer holds bytes (`list[bool]`).
    fn holds_bytes(self) -> bool {
        byte_elements(self.elem())
    }

    /// Replaces the list's buffer (empty: taken out or never set) by the
    /// elements `words`.
    fn store(self, words: Vec<u64>) {
        if self.holds_bytes() {
            let bytes: Vec<u8> = words.iter().map(|&w| w as u8).collect();
            self.with_bytes(|v| *v = bytes);
        } else {
            self.with_words(|v| *v = words);
        }
    }

    /// Takes the elements out as words, leaving the list empty.
    fn take_buffer(self) -> Vec<u64> {
        if self.holds_bytes() {
            let bytes = self.with_bytes(std::mem::take);
            bytes.into_iter().map(u64::from).collect()
        } else {
            self.with_words(std::mem::take)
        }
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

    /// A new list of the same type and items (new references to them),
    /// its buffer copied at once.
    pub(crate) fn copy(self) -> List {
        self.copy_run(0..self.len())
    }

    /// A new list of the same type holding items `run` (within the list;
    /// new references to them), copied at once: `l[a:b]`.
    pub(crate) fn copy_run(self, run: std::ops::Range<usize>) -> List {
        let desc = self.obj().desc();
        if self.holds_bytes() {
            let bytes = self.bytes()[run].to_vec();
            let l = List::new(desc, Vec::new());
            l.with_bytes(|v| *v = bytes);
            return l;
        }
        let words = self.words()[run].to_vec();
        if self.elem().kind().is_heap() {
            for &w in &words {
                // SAFETY: as in `get`: items of a live `list[T]`.
                unsafe { Val::new(w, self.elem()) }.incref();
            }
        }
        List::new(desc, words)
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

    /// The element bytes of a byte list.
    fn bytes(&self) -> &[u8] {
        debug_assert!(self.holds_bytes());
        // SAFETY: a live byte list's `data` holds `len` initialized bytes (a
        // dangling pointer only when `len` is 0, which `from_raw_parts`
        // accepts as it is non-null); nothing edits them while this borrow
        // is used.
        unsafe {
            let l = self.raw();
            std::slice::from_raw_parts((*l).data, (*l).len as usize)
        }
    }

    /// The element words (converted from the bytes of a byte list).
    pub(crate) fn words(&self) -> Cow<'_, [u64]> {
        if self.holds_bytes() {
            return Cow::Owned(self.bytes().iter().map(|&b| u64::from(b)).collect());
        }
        // SAFETY: a live word list's `data` holds `len` initialized, aligned
        // words (a dangling aligned pointer only when `len` is 0); nothing
        // edits them while this borrow is used.
        Cow::Borrowed(unsafe {
            let l = self.raw();
            std::slice::from_raw_parts((*l).data.cast::<u64>(), (*l).len as usize)
        })
    }

    /// The word of element `i` (`i < len`).
    fn word(self, i: usize) -> u64 {
        assert!(i < self.len(), "list index in range");
        let data = self.data();
        // SAFETY: `i < len`, and the buffer holds `len` elements.
        unsafe {
            if self.holds_bytes() {
                u64::from(*data.add(i))
            } else {
                *data.cast::<u64>().add(i)
            }
        }
    }

    fn data(self) -> *mut u8 {
        // SAFETY: a live list starts with this layout.
        unsafe { (*self.raw()).data }
    }

    /// Element `i` (`i < len`).
    pub(crate) fn get(self, i: usize) -> Val {
        // SAFETY: the elements of a live `list[T]` are valid `T`s, alive
        // while the list holds them.
        unsafe { Val::new(self.word(i), self.elem()) }
    }

    /// The elements as values.
    pub(crate) fn items(&self) -> impl Iterator<Item = Val> + '_ {
        let d = self.elem();
        let words = self.words();
        (0..words.len()).map(move |i| {
            // SAFETY: as in `get`.
            unsafe { Val::new(words[i], d) }
        })
    }

    /// `self * n` with new references to the items; `None` if the result
    /// cannot be allocated.
    pub(crate) fn repeat(self, n: usize) -> Option<List> {
        let total = self.len().checked_mul(n)?;
        let desc = self.obj().desc();
        if self.holds_bytes() {
            let mut bytes = Vec::new();
            bytes.try_reserve_exact(total).ok()?;
            repeat_into(&mut bytes, self.bytes(), total);
            let l = List::new(desc, Vec::new());
            l.with_bytes(|v| *v = bytes);
            return Some(l);
        }
        let mut words = Vec::new();
        words.try_reserve_exact(total).ok()?;
        repeat_into(&mut words, &self.words(), total);
        if self.elem().kind().is_heap() {
            for v in self.items() {
                for _ in 0..n {
                    v.incref();
                }
            }
        }
        Some(List::new(desc, words))
    }

    /// `[w] * n`: a new list of type `desc` holding `n` new references to
    /// the element word `w`; `None` if it cannot be allocated.
    pub(crate) fn filled(desc: &'static TypeDesc, w: u64, n: usize) -> Option<List> {
        let l = List::new(desc, Vec::new());
        if l.fill_more(w, n) {
            Some(l)
        } else {
            l.release();
            None
        }
    }

    /// Appends `n` new references to the element word `w` (as
    /// `l.extend([w] * n)`, without that list); false, the list unchanged,
    /// if they cannot be allocated.
    pub(crate) fn fill_more(self, w: u64, n: usize) -> bool {
        let elem = self.elem();
        let grown = if byte_elements(elem) {
            self.with_bytes(|v| {
                v.try_reserve_exact(n)
                    .map(|()| v.resize(v.len() + n, w as u8))
            })
        } else {
            self.with_words(|v| v.try_reserve_exact(n).map(|()| v.resize(v.len() + n, w)))
        };
        if grown.is_err() {
            return false;
        }
        if elem.kind().is_heap() {
            // SAFETY: `w` is a live element of type `elem` (the caller's).
            let v = unsafe { Val::new(w, elem) };
            for _ in 0..n {
                v.incref();
            }
        }
        true
    }

    /// Appends the element word `w`, taking over its reference.
    pub(crate) fn push(self, w: u64) {
        if self.holds_bytes() {
            self.with_bytes(|v| v.push(w as u8));
        } else {
            self.with_words(|v| v.push(w));
        }
    }

    /// Room for at least `n` more elements without growing the buffer.
    pub(crate) fn reserve(self, n: usize) {
        if self.holds_bytes() {
            self.with_bytes(|v| v.reserve(n));
        } else {
            self.with_words(|v| v.reserve(n));
        }
    }

    /// Puts `w` at `i` (`i < len`), taking over its reference; returns the
    /// old element's word, whose reference passes to the caller.
    pub(crate) fn replace(self, i: usize, w: u64) -> u64 {
        let old = self.word(i);
        let data = self.data();
        // SAFETY: `i < len` (checked by `word`), and the buffer holds `len`
        // elements, exclusively this list's.
        unsafe {
            if self.holds_bytes() {
                *data.add(i) = w as u8;
            } else {
                *data.cast::<u64>().add(i) = w;
            }
        }
        old
    }

    /// `self[idx] = items`, `items` being element words whose references
    /// the list takes over: a step of 1 replaces the run `start..stop` by
    /// them (`stop` below `start` inserts at `start`), growing or shrinking
    /// the list; another step puts them at the selected positions, exactly
    /// as many as there are (the caller checks). Returns the replaced
    /// words of a list of heap values (with their references), nothing for
    /// scalars; `None`, the list unchanged, when the grown list cannot be
    /// allocated.
    pub(crate) fn store_slice(
        self,
        idx: &SliceIndices,
        items: impl ExactSizeIterator<Item = u64>,
    ) -> Option<Vec<u64>> {
        let heap = self.elem().kind().is_heap();
        let keep = |old: &mut dyn Iterator<Item = u64>| {
            if heap {
                old.collect()
            } else {
                old.for_each(drop);
                Vec::new()
            }
        };
        if idx.step == 1 {
            let (start, stop) = (idx.start as usize, idx.stop.max(idx.start) as usize);
            return self.with_vec(|v| {
                v.try_reserve(items.len().saturating_sub(stop - start))
                    .ok()?;
                Some(keep(&mut v.splice(start..stop, items)))
            });
        }
        debug_assert_eq!(items.len() as i64, idx.count);
        // The selected positions, by steps (no multiplication per item).
        let mut at = idx.start as isize;
        let mut next = move || {
            let i = at as usize;
            at += idx.step as isize;
            i
        };
        if self.holds_bytes() {
            self.with_bytes(|v| items.for_each(|w| v[next()] = w as u8));
            return Some(Vec::new());
        }
        Some(self.with_words(|v| keep(&mut items.map(|w| std::mem::replace(&mut v[next()], w)))))
    }

    /// `del self[idx]`: removes the selected elements, returning their
    /// words with the list's references.
    pub(crate) fn del_slice(self, idx: &SliceIndices) -> Vec<u64> {
        if idx.count == 0 {
            return Vec::new();
        }
        // The selected positions in increasing order: `low, low + step, ...`.
        let step = idx.step.unsigned_abs() as usize;
        let low = idx.start.min(idx.start + (idx.count - 1) * idx.step) as usize;
        let high = low + (idx.count as usize - 1) * step;
        self.with_vec(|v| {
            let mut removed = Vec::with_capacity(idx.count as usize);
            let mut at = 0;
            v.retain(|&w| {
                let selected = (low..=high).contains(&at) && (at - low).is_multiple_of(step);
                at += 1;
                if selected {
                    removed.push(w);
                }
                !selected
            });
            removed
        })
    }

    /// Runs `f` on a byte list's buffer as a `Vec<u8>`, then stores it back.
    fn with_bytes<R>(self, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        debug_assert!(self.holds_bytes());
        // SAFETY: a byte list's buffer is a `Vec<u8>`.
        unsafe { self.with_buffer(f) }
    }

    /// Runs `f` on a word list's buffer as a `Vec<u64>`, then stores it back.
    fn with_words<R>(self, f: impl FnOnce(&mut Vec<u64>) -> R) -> R {
        debug_assert!(!self.holds_bytes());
        // SAFETY: a word list's buffer is a `Vec<u64>`.
        unsafe { self.with_buffer(f) }
    }

    /// Runs `f` on the list's buffer as a `Vec<T>`, then stores it back.
    ///
    /// # Safety
    /// The buffer's (data, len, cap) are the parts of a `Vec<T>`.
    unsafe fn with_buffer<T, R>(self, f: impl FnOnce(&mut Vec<T>) -> R) -> R {
        let l = self.raw();
        // SAFETY: the caller's guarantee; the fields are not read until they
        // are written back, and a panic in `f` leaks the buffer rather than
        // freeing it twice.
        let mut v = ManuallyDrop::new(unsafe {
            Vec::from_raw_parts((*l).data.cast::<T>(), (*l).len as usize, (*l).cap as usize)
        });
        let r = f(&mut v);
        // SAFETY: as above; the list takes the parts back.
        unsafe {
            (*l).len = v.len() as u64;
            (*l).cap = v.capacity() as u64;
            (*l).data = v.as_mut_ptr().cast::<u8>();
        }
        r
    }

    /// Runs `f` on the elements as a `Vec` of words, then stores them back
    /// (a byte list converts both ways, in linear time). `f` keeps the
    /// reference counts right itself and must not touch this list through
    /// another handle.
    pub(crate) fn with_vec<R>(self, f: impl FnOnce(&mut Vec<u64>) -> R) -> R {
        if !self.holds_bytes() {
            return self.with_words(f);
        }
        let mut v = self.take_buffer();
        let r = f(&mut v);
        self.store(v);
        r
    }

    /// Removes every element, returning them with the list's references.
    pub(crate) fn take_all(self) -> Vec<u64> {
        self.with_vec(std::mem::take)
    }

    /// Frees the list (its count reached zero).
    pub(crate) fn release(self) {
        let d = self.elem();
        if d.kind().is_heap() {
            for w in self.take_all() {
                // SAFETY: the list held a reference to each element, a valid `T`.
                unsafe { Val::new(w, d) }.decref();
            }
        } else if self.holds_bytes() {
            drop(self.with_bytes(std::mem::take));
        } else {
            drop(self.take_buffer());
        }
        // SAFETY: lists are allocated by `new` with this size; this was the
        // last reference.
        unsafe { self.0.free(size_of::<ListLayout>()) };
    }
}
