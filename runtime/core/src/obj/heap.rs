//! Object headers, allocation (with the per-thread count of live objects),
//! reference counting, boxes, and typed words ([`Val`], [`View`]).

use super::desc::{Kind, TypeDesc};
use super::dict::Dict;
use super::list::List;
use super::pool::{self, GRAIN, SMALL};
use super::string::Str;
use super::tuple::Tuple;
use std::alloc::{alloc, dealloc, handle_alloc_error, realloc, Layout};
use std::cell::Cell;
use std::ptr::NonNull;

/// The 16 bytes every heap object starts with.
#[repr(C)]
pub struct Header {
    /// Reference count; negative for an immortal object, which is never
    /// written.
    pub rc: i64,
    /// The object's own type (`list[int]`, `str`, ...).
    pub desc: *const TypeDesc,
}

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

/// How many objects this thread has allocated and not yet freed (immortal
/// objects are never counted). Leak tests compare it before and after.
pub fn live_objects() -> i64 {
    LIVE.with(Cell::get)
}

fn count_live(delta: i64) {
    LIVE.with(|n| n.set(n.get() + delta));
}

fn layout(size: usize) -> Layout {
    Layout::from_size_align(size, 8).expect("object size below isize::MAX")
}

/// The number of bytes really allocated for an object of `size` bytes.
pub(crate) fn block_size(size: usize) -> usize {
    if size <= SMALL {
        size.next_multiple_of(GRAIN)
    } else {
        size
    }
}

/// A block of at least `size` bytes, 8-aligned: small ones from this
/// thread's pools, large ones from the system allocator.
fn alloc_block(size: usize) -> NonNull<u8> {
    let size = block_size(size);
    if size <= SMALL {
        return pool::alloc(size);
    }
    let layout = layout(size);
    // SAFETY: the layout's size is above `SMALL`, so nonzero.
    let p = unsafe { alloc(layout) };
    NonNull::new(p).unwrap_or_else(|| handle_alloc_error(layout))
}

/// Gives back a block from [`alloc_block`].
///
/// # Safety
/// `p` came from `alloc_block(size)` on this thread and is not used
/// afterwards.
unsafe fn free_block(p: NonNull<u8>, size: usize) {
    let size = block_size(size);
    if size <= SMALL {
        // SAFETY: the caller's guarantee; small blocks come from the pools.
        unsafe { pool::free(p) };
    } else {
        // SAFETY: the caller's guarantee; the block has this layout.
        unsafe { dealloc(p.as_ptr(), layout(size)) };
    }
}

/// A pointer to a live heap object.
///
/// Invariant: the object stays live (a count above zero, or immortal) for
/// as long as the handle is used. Handles come from pointers the ABI
/// contract vouches for, from allocation, or from the words of live
/// containers; a handle is not used after the reference it stands for is
/// given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Obj(NonNull<Header>);

impl Obj {
    /// The handle for `p`, `None` for null.
    ///
    /// # Safety
    /// `p` is null or points to a live object that stays live while the
    /// handle is used.
    pub(crate) unsafe fn from_ptr(p: *mut u8) -> Option<Obj> {
        NonNull::new(p.cast::<Header>()).map(Obj)
    }

    /// The handle of an immortal object in static memory.
    pub(crate) fn from_static(header: NonNull<Header>) -> Obj {
        Obj(header)
    }

    /// Allocates `size` bytes (at least the header) with count 1 and type
    /// `desc`; the caller initializes the rest before anything reads it.
    pub(crate) fn alloc(size: usize, desc: &'static TypeDesc) -> Obj {
        debug_assert!(size >= size_of::<Header>());
        let p = alloc_block(size).cast::<Header>();
        // SAFETY: `p` is a fresh, 8-aligned allocation of at least 16 bytes.
        unsafe { p.as_ptr().write(Header { rc: 1, desc }) };
        count_live(1);
        Obj(p)
    }

    /// Moves the object to an allocation of `new_size` bytes, keeping the
    /// first `min(old_size, new_size)`.
    ///
    /// # Safety
    /// The object was allocated with `old_size` bytes, and no other handle
    /// to it is used afterwards.
    pub(crate) unsafe fn realloc(self, old_size: usize, new_size: usize) -> Obj {
        let (old_block, new_block) = (block_size(old_size), block_size(new_size));
        if old_block == new_block {
            return self;
        }
        if old_block <= SMALL || new_block <= SMALL {
            let p = alloc_block(new_size);
            // SAFETY: both blocks hold at least the bytes copied, and they
            // are distinct allocations; the old one is then given back.
            unsafe {
                std::ptr::copy_nonoverlapping(self.ptr(), p.as_ptr(), old_size.min(new_size));
                free_block(self.0.cast(), old_size);
            }
            return Obj(p.cast());
        }
        // SAFETY: the caller guarantees the allocation's layout (large
        // blocks are allocated with their exact size); the new size is
        // nonzero and a valid layout size (checked by `layout`).
        let p = unsafe { realloc(self.ptr(), layout(old_size), layout(new_size).size()) };
        match NonNull::new(p.cast::<Header>()) {
            Some(p) => Obj(p),
            None => handle_alloc_error(layout(new_size)),
        }
    }

    /// Frees the object's memory (what it holds is already released).
    ///
    /// # Safety
    /// The object was allocated by [`Obj::alloc`] with `size` bytes, and no
    /// handle to it is used afterwards.
    pub(crate) unsafe fn free(self, size: usize) {
        count_live(-1);
        // SAFETY: forwarded caller guarantees.
        unsafe { free_block(self.0.cast(), size) };
    }

    /// The object's address.
    pub(crate) fn ptr(self) -> *mut u8 {
        self.0.as_ptr().cast()
    }

    /// The object's address as a word.
    pub(crate) fn word(self) -> u64 {
        self.ptr() as u64
    }

    /// The object's address as a pointer to its layout struct `T`.
    pub(crate) fn cast<T>(self) -> *mut T {
        self.0.as_ptr().cast()
    }

    /// The object's own type.
    pub(crate) fn desc(self) -> &'static TypeDesc {
        // SAFETY: a live object starts with a header whose descriptor lives
        // for the whole program.
        unsafe { &*(*self.0.as_ptr()).desc }
    }

    /// The reference count (negative: immortal).
    pub(crate) fn rc(self) -> i64 {
        // SAFETY: a live object starts with a header.
        unsafe { (*self.0.as_ptr()).rc }
    }

    /// Takes one more reference (nothing for an immortal object).
    pub(crate) fn incref(self) {
        let rc = self.rc();
        if rc >= 0 {
            // SAFETY: a mortal live object belongs to this thread and is
            // writable.
            unsafe { (*self.0.as_ptr()).rc = rc + 1 };
        }
    }

    /// Gives up one reference; the last one releases what the object holds
    /// and frees it.
    #[inline]
    pub(crate) fn decref(self) {
        let rc = self.rc();
        if rc < 0 {
            return;
        }
        // SAFETY: a mortal live object belongs to this thread and is writable.
        unsafe { (*self.0.as_ptr()).rc = rc - 1 };
        if rc == 1 {
            self.release();
        }
    }

    #[inline(never)]
    fn release(self) {
        match self.desc().kind() {
            Kind::Str => Str::from_obj(self).release(),
            Kind::List => List::from_obj(self).release(),
            Kind::Dict => Dict::from_obj(self).release(),
            Kind::Tuple => Tuple::from_obj(self).release(),
            Kind::Optional => {
                box_value(self).decref();
                // SAFETY: boxes are allocated by `new_box` with this size; this
                // was the last reference.
                unsafe { self.free(size_of::<BoxLayout>()) };
            }
            kind => panic!("an object of scalar type {kind:?}"),
        }
    }
}

/// A box: the object a `T | None` of a scalar `T` points to.
#[repr(C)]
struct BoxLayout {
    header: Header,
    value: u64,
}

const _: () = assert!(std::mem::offset_of!(BoxLayout, value) == 16);

/// A new box of type `desc` (a `T | None`) holding `inner` (a `T`), with its
/// own reference to it.
pub(crate) fn new_box(desc: &'static TypeDesc, inner: Val) -> Obj {
    inner.incref();
    let o = Obj::alloc(size_of::<BoxLayout>(), desc);
    // SAFETY: `o` is a fresh box allocation.
    unsafe { (*o.cast::<BoxLayout>()).value = inner.word() };
    o
}

/// The word a box holds (the box is a live object of a `T | None` type).
pub(crate) fn box_word(o: Obj) -> u64 {
    // SAFETY: a live box holds its value at offset 16.
    unsafe { (*o.cast::<BoxLayout>()).value }
}

fn box_value(o: Obj) -> Val {
    // SAFETY: a box of type `T | None` holds a valid `T`, alive while the box is.
    unsafe { Val::new(box_word(o), o.desc().param(0)) }
}

/// A word together with its Roast type.
///
/// Invariant: the word is a valid value of the type for as long as the
/// `Val` is used: for a heap type, a live object of that type, or null where
/// the type allows it (`T | None`, and the items of a tuple being built,
/// which are only ever released).
#[derive(Clone, Copy)]
pub(crate) struct Val {
    w: u64,
    d: &'static TypeDesc,
}

impl Val {
    /// # Safety
    /// `w` is a valid value of type `d` that stays live while the `Val` is
    /// used.
    pub(crate) unsafe fn new(w: u64, d: &'static TypeDesc) -> Val {
        Val { w, d }
    }

    /// The word.
    pub(crate) fn word(self) -> u64 {
        self.w
    }

    /// The type.
    pub(crate) fn desc(self) -> &'static TypeDesc {
        self.d
    }

    /// The object the word points to, if the type is a heap type and the
    /// word is not null.
    #[inline]
    pub(crate) fn obj(self) -> Option<Obj> {
        if self.d.kind().is_heap() {
            // SAFETY: the `Val` invariant: a heap word is null or a live object.
            unsafe { Obj::from_ptr(self.w as *mut u8) }
        } else {
            None
        }
    }

    /// Takes a reference to the value (nothing for a scalar or null).
    pub(crate) fn incref(self) {
        if let Some(o) = self.obj() {
            o.incref();
        }
    }

    /// Gives up a reference to the value (nothing for a scalar or null).
    pub(crate) fn decref(self) {
        if let Some(o) = self.obj() {
            o.decref();
        }
    }

    /// What the value is, with `T | None` resolved to `None` or the `T`.
    #[inline]
    pub(crate) fn view(self) -> View {
        let kind = self.d.kind();
        match kind {
            Kind::None => View::None,
            Kind::Int => View::Int(self.w as i64),
            Kind::Float => View::Float(f64::from_bits(self.w)),
            Kind::Bool => View::Bool(self.w != 0),
            Kind::Optional => match self.obj() {
                None => View::None,
                Some(o) => {
                    let inner = self.d.param(0);
                    if inner.kind().is_heap() {
                        Val {
                            w: self.w,
                            d: inner,
                        }
                        .view()
                    } else {
                        box_value(o).view()
                    }
                }
            },
            Kind::Str | Kind::List | Kind::Dict | Kind::Tuple => {
                let o = self
                    .obj()
                    .unwrap_or_else(|| panic!("a null {kind:?} value"));
                match kind {
                    Kind::Str => View::Str(Str::from_obj(o)),
                    Kind::List => View::List(List::from_obj(o)),
                    Kind::Dict => View::Dict(Dict::from_obj(o)),
                    _ => View::Tuple(Tuple::from_obj(o)),
                }
            }
        }
    }
}

/// A value seen through its type.
#[derive(Clone, Copy)]
pub(crate) enum View {
    /// `None` (also an absent `T | None`).
    None,
    /// An `int`.
    Int(i64),
    /// A `float`.
    Float(f64),
    /// A `bool`.
    Bool(bool),
    /// A `str`.
    Str(Str),
    /// A `list`.
    List(List),
    /// A `dict`.
    Dict(Dict),
    /// A `tuple`.
    Tuple(Tuple),
}

impl View {
    /// Python's name of the value's class.
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            View::None => "NoneType",
            View::Int(_) => "int",
            View::Float(_) => "float",
            View::Bool(_) => "bool",
            View::Str(_) => "str",
            View::List(_) => "list",
            View::Dict(_) => "dict",
            View::Tuple(_) => "tuple",
        }
    }
}
