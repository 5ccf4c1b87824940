//! `dict[K, V]` objects: `len` (live entries) @16, then a private table
//! laid out as CPython's compact dict: an insertion-ordered vector of
//! entries (a deleted entry leaves a hole that iteration skips) and an
//! open-addressing index of entry positions. Holes are squeezed out
//! whenever the index fills up and is rebuilt (bigger, or the same size
//! when most entries were holes).

use super::desc::Kind;
use super::desc::TypeDesc;
use super::heap::{Header, Obj, Val};
use super::ops::{eq, hash, hash_flat_items, hash_int, hash_int_items, hash_str};
use super::string::{bytes_eq, Str};
use super::tuple::Tuple;
use std::cell::Cell;
use std::mem::offset_of;

/// A slot that never held an entry: probing stops here.
const EMPTY: u32 = u32::MAX;
/// A slot whose entry was deleted: probing continues past it.
const DUMMY: u32 = u32::MAX - 1;
/// The smallest index.
const MIN_SLOTS: usize = 8;

/// One key/value pair with its key's hash. The dict holds a reference to
/// both words.
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    hash: u64,
    key: u64,
    value: u64,
}

impl Entry {
    /// The key's word (the dict's reference).
    pub(crate) fn key(self) -> u64 {
        self.key
    }

    /// The value's word (the dict's reference).
    pub(crate) fn value(self) -> u64 {
        self.value
    }
}

#[derive(Default)]
struct Table {
    /// In insertion order; `None` is a deleted entry.
    entries: Vec<Option<Entry>>,
    /// Entry positions, `EMPTY` or `DUMMY`; a power of two long, or empty.
    slots: Vec<u32>,
    /// Slots that are not `EMPTY`.
    filled: usize,
    /// Entries that are not holes.
    live: usize,
    /// The position of the entry last found or added: a store looks there
    /// first, so `d[k] = d.get(k, 0) + 1` and `d[k] += 1` probe once. A
    /// hint only: the entry there is used when it holds the very key
    /// (entries are unique), whatever happened since. (Lookups do not try
    /// it: most of them follow a lookup of another key.)
    last: Cell<usize>,
}

impl Table {
    /// The position of `key`'s entry, if the hint points at it.
    fn hinted(&self, d: Dict, keys: Keys, key: Val) -> Option<usize> {
        let e = self.last.get();
        match self.entries.get(e) {
            Some(Some(entry)) if keys.eq(d, entry.key, key) => Some(e),
            _ => None,
        }
    }
}

#[repr(C)]
struct DictLayout {
    header: Header,
    len: u64,
    table: Table,
}

const _: () = assert!(offset_of!(DictLayout, len) == 16);

/// What probing for a key found.
enum Probe {
    /// The slot index and entry position of the key.
    Found(usize, usize),
    /// The key is absent; the `EMPTY` slot where it would go.
    Absent(usize),
}

/// How a dict's keys are hashed and compared, decided once per operation
/// from the key type: `int` and `bool` keys by their word, `str` keys by
/// their bytes, other types through the generic [`hash`] and [`eq`]. Each
/// gives the same hashes as [`hash`].
#[derive(Clone, Copy)]
enum Keys {
    Words,
    Strs,
    /// Tuples of ints and bools, equal when their item words are.
    IntTuples,
    /// Tuples of ints, bools and strs (some strs), equal item by item.
    FlatTuples,
    Other,
}

impl Keys {
    /// The kind of `d`'s keys: found on every lookup, so inline (tuples,
    /// whose items are looked at, out of line).
    #[inline(always)]
    fn of(d: Dict) -> Keys {
        let desc = d.key_desc();
        match desc.kind() {
            Kind::Int | Kind::Bool => Keys::Words,
            Kind::Str => Keys::Strs,
            Kind::Tuple => Keys::of_tuples(desc),
            _ => Keys::Other,
        }
    }

    /// The kind of tuple keys of type `desc`.
    #[inline(never)]
    fn of_tuples(desc: &TypeDesc) -> Keys {
        match flat_items(desc) {
            Some(true) => Keys::IntTuples,
            Some(false) => Keys::FlatTuples,
            None => Keys::Other,
        }
    }

    #[inline]
    fn hash(self, key: Val) -> u64 {
        match self {
            Keys::Words => hash_int(key.word() as i64),
            Keys::Strs => hash_str(as_str(key)),
            Keys::IntTuples => hash_int_items(as_tuple(key.word()).words()),
            Keys::FlatTuples => hash_flat_items(key.desc(), as_tuple(key.word()).words()),
            Keys::Other => hash(key),
        }
    }

    /// Whether the stored key `stored` (of dict `d`) equals `key`.
    #[inline]
    fn eq(self, d: Dict, stored: u64, key: Val) -> bool {
        match self {
            Keys::Words => stored == key.word(),
            Keys::Strs => strs_eq(stored, key.word()),
            Keys::IntTuples => {
                // Item by item: a few words, not worth a call to compare.
                let (a, b) = (as_tuple(stored), as_tuple(key.word()));
                stored == key.word() || a.words().iter().zip(b.words()).all(|(x, y)| x == y)
            }
            Keys::FlatTuples => {
                // Strs that are not the same object by their bytes.
                let (a, b) = (as_tuple(stored), as_tuple(key.word()));
                let mut items = a.words().iter().zip(b.words()).enumerate();
                stored == key.word()
                    || items.all(|(i, (&x, &y))| {
                        x == y || key.desc().param(i).kind() == Kind::Str && strs_eq(x, y)
                    })
            }
            Keys::Other => eq(d.key_val(stored), key),
        }
    }
}

/// Whether the strs at words `a` and `b` (keys of a live dict, or items of
/// live keys) are equal: the same object, or the same bytes.
fn strs_eq(a: u64, b: u64) -> bool {
    // SAFETY: the caller's words are live strs.
    let (a, b) = unsafe { (Str::from_ptr(a as *mut u8), Str::from_ptr(b as *mut u8)) };
    a == b || bytes_eq(a.as_str().as_bytes(), b.as_str().as_bytes())
}

/// For a tuple type `d` whose items are all ints, bools or strs: whether
/// they are all ints and bools; `None` for other tuple types.
fn flat_items(d: &TypeDesc) -> Option<bool> {
    let mut ints = true;
    for i in 0..d.param_count() {
        match d.param(i).kind() {
            Kind::Int | Kind::Bool => {}
            Kind::Str => ints = false,
            _ => return None,
        }
    }
    Some(ints)
}

/// The tuple a key word of a tuple-keyed dict is.
fn as_tuple(w: u64) -> Tuple {
    // SAFETY: the keys of a live `dict[tuple[...], V]`, and a key looked
    // up in it, are live tuples.
    unsafe { Tuple::from_ptr(w as *mut u8) }
}

/// The `str` a key of type `str` is.
fn as_str(key: Val) -> Str {
    Str::from_obj(key.obj().expect("a str key is an object"))
}

/// A live `dict` object.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dict(Obj);

impl Dict {
    /// The dict object `o` (whose type is a `dict`).
    pub(crate) fn from_obj(o: Obj) -> Dict {
        debug_assert_eq!(o.desc().kind(), super::desc::Kind::Dict);
        Dict(o)
    }

    /// The handle for a non-null dict pointer.
    ///
    /// # Safety
    /// `p` points to a live dict that stays live while the handle is used.
    pub(crate) unsafe fn from_ptr(p: *mut u8) -> Dict {
        // SAFETY: forwarded caller guarantee.
        Dict(unsafe { Obj::from_ptr(p) }.expect("a non-null dict"))
    }

    /// A new empty dict of type `desc`.
    pub(crate) fn new(desc: &'static TypeDesc) -> Dict {
        let o = Obj::alloc(size_of::<DictLayout>(), desc);
        // SAFETY: `o` is a fresh dict allocation.
        unsafe {
            let d = o.cast::<DictLayout>();
            (&raw mut (*d).len).write(0);
            (&raw mut (*d).table).write(Table::default());
        }
        Dict(o)
    }

    /// The object.
    pub(crate) fn obj(self) -> Obj {
        self.0
    }

    /// The key type.
    pub(crate) fn key_desc(self) -> &'static TypeDesc {
        self.0.desc().param(0)
    }

    /// The value type.
    pub(crate) fn value_desc(self) -> &'static TypeDesc {
        self.0.desc().param(1)
    }

    /// `len(d)`.
    pub(crate) fn len(self) -> usize {
        // SAFETY: a live dict starts with this layout.
        unsafe { (*self.0.cast::<DictLayout>()).len as usize }
    }

    fn table(&self) -> &Table {
        // SAFETY: a live dict's table is initialized; it is only mutated
        // through `with_table`, never while this borrow is used.
        unsafe { &(*self.0.cast::<DictLayout>()).table }
    }

    /// Runs `f` on the table, then updates `len`. `f` must not reach this
    /// dict through another handle (comparing keys cannot: keys are never
    /// dicts).
    fn with_table<R>(self, f: impl FnOnce(&mut Table) -> R) -> R {
        let d = self.0.cast::<DictLayout>();
        // SAFETY: a live dict's table is initialized and this thread's alone;
        // no other borrow of it is alive during `f` (see above).
        let table = unsafe { &mut (*d).table };
        let r = f(table);
        let live = table.live as u64;
        // SAFETY: as above.
        unsafe { (*d).len = live };
        r
    }

    fn key_val(self, w: u64) -> Val {
        // SAFETY: keys stored in a live `dict[K, V]` are valid `K`s.
        unsafe { Val::new(w, self.key_desc()) }
    }

    fn value_val(self, w: u64) -> Val {
        // SAFETY: values stored in a live `dict[K, V]` are valid `V`s.
        unsafe { Val::new(w, self.value_desc()) }
    }

    #[inline]
    fn probe(self, table: &Table, keys: Keys, key: Val, h: u64) -> Probe {
        let mut seq = ProbeSeq::new(h, table.slots.len());
        loop {
            let i = seq.next();
            match table.slots[i] {
                EMPTY => return Probe::Absent(i),
                DUMMY => {}
                e => {
                    let e = e as usize;
                    let entry = table.entries[e].expect("a slot points to a live entry");
                    if entry.hash == h && keys.eq(self, entry.key, key) {
                        return Probe::Found(i, e);
                    }
                }
            }
        }
    }

    /// The position of `key`'s entry.
    pub(crate) fn find(self, key: Val) -> Option<usize> {
        let table = self.table();
        if table.slots.is_empty() {
            return None;
        }
        let keys = Keys::of(self);
        match self.probe(table, keys, key, keys.hash(key)) {
            Probe::Found(_, e) => {
                table.last.set(e);
                Some(e)
            }
            Probe::Absent(_) => None,
        }
    }

    /// The value stored for `key` (borrowed from the dict).
    pub(crate) fn get(self, key: Val) -> Option<Val> {
        let e = self.find(key)?;
        let entry = self.table().entries[e].expect("found entries are live");
        Some(self.value_val(entry.value))
    }

    /// Where the value word of `key`'s entry is, if `key` is present: for
    /// compiled code that updates a scalar value in place. Valid until the
    /// dict next changes.
    pub(crate) fn value_slot(self, key: Val) -> Option<*mut u64> {
        let e = self.find(key)?;
        Some(self.with_table(|table| {
            let entry = table.entries[e].as_mut().expect("found entries are live");
            &raw mut entry.value
        }))
    }

    /// `d[key] = value`: a new key goes last; an existing key keeps its
    /// place (and its key object) and gets the new value.
    pub(crate) fn set(self, key: Val, value: Val) {
        value.incref();
        let keys = Keys::of(self);
        let old = self.with_table(|table| {
            if let Some(e) = table.hinted(self, keys, key) {
                let entry = table.entries[e].as_mut().expect("hinted entries are live");
                return Some(std::mem::replace(&mut entry.value, value.word()));
            }
            let h = keys.hash(key);
            if table.slots.is_empty() {
                table.rebuild(MIN_SLOTS);
            }
            match self.probe(table, keys, key, h) {
                Probe::Found(_, e) => {
                    table.last.set(e);
                    let entry = table.entries[e].as_mut().expect("found entries are live");
                    Some(std::mem::replace(&mut entry.value, value.word()))
                }
                Probe::Absent(mut slot) => {
                    if table.filled + 1 > usable(table.slots.len()) {
                        table.rebuild(slots_for(table.live + 1));
                        slot = match self.probe(table, keys, key, h) {
                            Probe::Absent(slot) => slot,
                            Probe::Found(..) => unreachable!("the key was absent"),
                        };
                    }
                    key.incref();
                    table.slots[slot] = u32::try_from(table.entries.len())
                        .ok()
                        .filter(|&e| e < DUMMY)
                        .expect("fewer than 2**32 - 2 dict entries");
                    table.filled += 1;
                    table.live += 1;
                    table.last.set(table.entries.len());
                    table.entries.push(Some(Entry {
                        hash: h,
                        key: key.word(),
                        value: value.word(),
                    }));
                    None
                }
            }
        });
        if let Some(old) = old {
            self.value_val(old).decref();
        }
    }

    /// Removes `key`'s entry, handing its references to the caller.
    pub(crate) fn remove(self, key: Val) -> Option<Entry> {
        if self.table().slots.is_empty() {
            return None;
        }
        let keys = Keys::of(self);
        let h = keys.hash(key);
        self.with_table(|table| match self.probe(table, keys, key, h) {
            Probe::Found(slot, e) => {
                table.slots[slot] = DUMMY;
                table.live -= 1;
                table.entries[e].take()
            }
            Probe::Absent(_) => None,
        })
    }

    /// Removes the last entry (`popitem`), handing its references to the
    /// caller.
    pub(crate) fn pop_last(self) -> Option<Entry> {
        self.with_table(|table| {
            let entry = loop {
                match table.entries.pop()? {
                    Some(entry) => break entry,
                    None => continue,
                }
            };
            let e = table.entries.len() as u32;
            let mut seq = ProbeSeq::new(entry.hash, table.slots.len());
            let slot = loop {
                let i = seq.next();
                if table.slots[i] == e {
                    break i;
                }
            };
            table.slots[slot] = DUMMY;
            table.live -= 1;
            Some(entry)
        })
    }

    /// The first live entry at position `pos` or later, with its position.
    pub(crate) fn next_entry(self, pos: usize) -> Option<(usize, Entry)> {
        let entries = &self.table().entries;
        entries
            .iter()
            .enumerate()
            .skip(pos)
            .find_map(|(i, e)| e.map(|e| (i, e)))
    }

    /// The entry at position `pos`, if live.
    pub(crate) fn entry_at(self, pos: usize) -> Option<Entry> {
        self.table().entries.get(pos).copied().flatten()
    }

    /// The key of an entry.
    pub(crate) fn entry_key(self, e: Entry) -> Val {
        self.key_val(e.key)
    }

    /// The value of an entry.
    pub(crate) fn entry_value(self, e: Entry) -> Val {
        self.value_val(e.value)
    }

    /// The live entries in order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        self.table().entries.iter().flatten().copied()
    }

    /// A new dict of the same type with the same entries (new references).
    pub(crate) fn copy(self) -> Dict {
        let copy = Dict::new(self.0.desc());
        let entries: Vec<Option<Entry>> = self.entries().map(Some).collect();
        for e in entries.iter().flatten() {
            self.key_val(e.key).incref();
            self.value_val(e.value).incref();
        }
        copy.with_table(|table| {
            table.live = entries.len();
            table.entries = entries;
            table.rebuild(slots_for(table.entries.len()));
        });
        copy
    }

    /// Removes every entry and releases them.
    pub(crate) fn clear(self) {
        let table = self.with_table(std::mem::take);
        for e in table.entries.into_iter().flatten() {
            self.key_val(e.key).decref();
            self.value_val(e.value).decref();
        }
    }

    /// `a == b` for two dicts of the same type: the same keys, each with an
    /// equal value; order does not matter.
    pub(crate) fn equals(self, other: Dict) -> bool {
        self.len() == other.len()
            && self.entries().all(|e| {
                other
                    .get(self.key_val(e.key))
                    .is_some_and(|v| eq(self.value_val(e.value), v))
            })
    }

    /// Frees the dict (its count reached zero).
    pub(crate) fn release(self) {
        self.clear();
        // SAFETY: the table is a valid (now empty) value that nothing else
        // references; dicts are allocated by `new` with this size and this
        // was the last reference.
        unsafe {
            std::ptr::drop_in_place(&raw mut (*self.0.cast::<DictLayout>()).table);
            self.0.free(size_of::<DictLayout>());
        }
    }
}

/// The slots to try for a hash, as CPython probes: first `hash & mask`,
/// then `i * 5 + 1 + perturb`, where `perturb` shifts the hash's higher
/// bits in five at a time. Near keys land in near slots (small ints hash
/// to themselves), keys alike in their low bits part after one probe, and once
/// `perturb` is spent the recurrence visits every slot.
struct ProbeSeq {
    next: usize,
    perturb: u64,
    mask: usize,
}

impl ProbeSeq {
    fn new(hash: u64, slots: usize) -> ProbeSeq {
        let mask = slots - 1;
        ProbeSeq {
            next: hash as usize & mask,
            perturb: hash,
            mask,
        }
    }

    fn next(&mut self) -> usize {
        let i = self.next;
        self.perturb >>= 5;
        self.next = i
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(self.perturb as usize)
            & self.mask;
        i
    }
}

/// How many entries an index of `slots` slots takes before it is rebuilt
/// (two thirds, as CPython).
fn usable(slots: usize) -> usize {
    slots * 2 / 3
}

/// The index size for `live` entries: it takes twice as many before the
/// next rebuild.
fn slots_for(live: usize) -> usize {
    (live * 3).max(MIN_SLOTS).next_power_of_two()
}

impl Table {
    /// Squeezes the holes out of `entries` and rebuilds the index with
    /// `size` slots (a power of two with room for every entry).
    fn rebuild(&mut self, size: usize) {
        self.entries.retain(Option::is_some);
        debug_assert!(size.is_power_of_two() && self.entries.len() <= usable(size));
        self.slots.clear();
        self.slots.resize(size, EMPTY);
        for (e, entry) in self.entries.iter().enumerate() {
            let mut seq = ProbeSeq::new(entry.expect("holes were removed").hash, size);
            let slot = loop {
                let i = seq.next();
                if self.slots[i] == EMPTY {
                    break i;
                }
            };
            self.slots[slot] = e as u32;
        }
        self.filled = self.entries.len();
    }
}
