//! The allocator of small objects (at most [`SMALL`] bytes): each thread
//! carves blocks of one size class out of 16 KiB pools, as CPython's
//! pymalloc does, instead of asking the system allocator for every string
//! or list header.
//!
//! A pool is one system allocation aligned to its own size, so the pool of
//! a block is its address with the low bits cleared. Its head keeps a free
//! list of the blocks given back (linked through their first word), the
//! offset of the first block never handed out, and the count of blocks in
//! use. Each thread keeps, per size class, a doubly linked list of its
//! pools that have room; a block comes from the first of them, and a pool
//! leaves the list when it fills and rejoins it when a block comes back.
//! A pool whose blocks are all back is returned to the system, unless it
//! is the only pool with room in its class (so that allocating and freeing
//! one object in a loop does not allocate a pool each time).
//!
//! Objects never cross threads, so a block is freed by the thread that
//! allocated it. When the thread ends, its list heads go away: pools still
//! holding blocks stay until their last block is freed (module variables
//! are released by a later thread-local destructor), then go back to the
//! system; a block allocated after that (during the thread's end) gets a
//! pool of its own.

use std::alloc::{dealloc, handle_alloc_error, Layout};
use std::cell::Cell;
use std::ptr::{null_mut, NonNull};

/// Blocks of at most this many bytes come from pools.
pub(crate) const SMALL: usize = 256;
/// The size classes are multiples of this many bytes.
pub(crate) const GRAIN: usize = 16;
/// The number of size classes.
const CLASSES: usize = SMALL / GRAIN;
/// The bytes of a pool, which is aligned to this size.
const POOL: usize = 16 << 10;
/// The bytes before a pool's first block (its head, rounded up).
const FIRST_BLOCK: usize = 64;

#[repr(C)]
struct PoolHead {
    /// The blocks given back, linked through their first word.
    free: *mut u8,
    /// The offset of the first block never handed out.
    fresh: usize,
    /// The blocks handed out and not given back.
    used: usize,
    /// The size of this pool's blocks.
    block: usize,
    /// Neighbours in the thread's list of pools with room of this class.
    prev: *mut PoolHead,
    next: *mut PoolHead,
    /// Whether the pool is in that list.
    listed: bool,
}

const _: () = assert!(size_of::<PoolHead>() <= FIRST_BLOCK && SMALL <= POOL - FIRST_BLOCK);

fn pool_layout() -> Layout {
    Layout::from_size_align(POOL, POOL).expect("a pool's layout is valid")
}

/// The size class of a block of `block` bytes (a multiple of [`GRAIN`]).
fn class_of(block: usize) -> usize {
    block / GRAIN - 1
}

/// A new pool of blocks of `block` bytes, none handed out, not listed.
fn new_pool(block: usize) -> *mut PoolHead {
    // SAFETY: the layout has a nonzero size.
    let p = unsafe { std::alloc::alloc(pool_layout()) }.cast::<PoolHead>();
    if p.is_null() {
        handle_alloc_error(pool_layout());
    }
    // SAFETY: `p` is a fresh allocation of `POOL` bytes, aligned for the head.
    unsafe {
        p.write(PoolHead {
            free: null_mut(),
            fresh: FIRST_BLOCK,
            used: 0,
            block,
            prev: null_mut(),
            next: null_mut(),
            listed: false,
        })
    };
    p
}

/// Hands out a block of `pool`.
///
/// # Safety
/// `pool` is a live pool of this thread with room (not full).
unsafe fn take(pool: *mut PoolHead) -> NonNull<u8> {
    // SAFETY: the caller's guarantee: a live pool head.
    let head = unsafe { &mut *pool };
    let block = if head.free.is_null() {
        // SAFETY: the pool has room, so a fresh block fits before its end.
        let b = unsafe { pool.cast::<u8>().add(head.fresh) };
        head.fresh += head.block;
        b
    } else {
        let b = head.free;
        // SAFETY: a free block's first word links to the next free one.
        head.free = unsafe { b.cast::<*mut u8>().read() };
        b
    };
    head.used += 1;
    // SAFETY: blocks lie inside the pool's allocation, so are not null.
    unsafe { NonNull::new_unchecked(block) }
}

/// Whether `head`'s pool has no block left to hand out.
fn is_full(head: &PoolHead) -> bool {
    head.free.is_null() && head.fresh + head.block > POOL
}

/// One thread's pools with room, by size class.
struct Pools {
    with_room: [Cell<*mut PoolHead>; CLASSES],
}

impl Pools {
    /// Puts `pool` first in its class's list.
    ///
    /// # Safety
    /// `pool` is a live, unlisted pool of this thread.
    unsafe fn list(&self, pool: *mut PoolHead) {
        // SAFETY: the caller's guarantee; listed pools are live.
        unsafe {
            let class = class_of((*pool).block);
            let first = self.with_room[class].get();
            (*pool).prev = null_mut();
            (*pool).next = first;
            (*pool).listed = true;
            if !first.is_null() {
                (*first).prev = pool;
            }
            self.with_room[class].set(pool);
        }
    }

    /// Takes `pool` out of its class's list.
    ///
    /// # Safety
    /// `pool` is a live pool in this thread's list.
    unsafe fn unlist(&self, pool: *mut PoolHead) {
        // SAFETY: the caller's guarantee; listed pools are live.
        unsafe {
            let (prev, next) = ((*pool).prev, (*pool).next);
            if prev.is_null() {
                self.with_room[class_of((*pool).block)].set(next);
            } else {
                (*prev).next = next;
            }
            if !next.is_null() {
                (*next).prev = prev;
            }
            (*pool).listed = false;
        }
    }

    fn alloc(&self, block: usize) -> NonNull<u8> {
        let mut pool = self.with_room[class_of(block)].get();
        // SAFETY: listed pools are live pools of this thread with room; a
        // new pool is live and unlisted.
        unsafe {
            if pool.is_null() {
                pool = new_pool(block);
                self.list(pool);
            }
            let b = take(pool);
            if is_full(&*pool) {
                self.unlist(pool);
            }
            b
        }
    }

    /// What to do with `pool`, from which a block was just freed: list it
    /// again if it was full; return it to the system if it is empty and
    /// not the only pool with room of its class.
    ///
    /// # Safety
    /// `pool` is a live pool of this thread.
    unsafe fn after_free(&self, pool: *mut PoolHead) {
        // SAFETY: the caller's guarantee.
        unsafe {
            let head = &*pool;
            if !head.listed {
                self.list(pool);
            } else if head.used == 0
                && !(self.with_room[class_of(head.block)].get() == pool && head.next.is_null())
            {
                self.unlist(pool);
                dealloc(pool.cast(), pool_layout());
            }
        }
    }
}

impl Drop for Pools {
    fn drop(&mut self) {
        for class in &self.with_room {
            let mut pool = class.get();
            while !pool.is_null() {
                // SAFETY: listed pools are live; an empty one holds no
                // block anyone uses, and a pool still in use is freed with
                // its last block (see `free`).
                unsafe {
                    let next = (*pool).next;
                    (*pool).listed = false;
                    if (*pool).used == 0 {
                        dealloc(pool.cast(), pool_layout());
                    }
                    pool = next;
                }
            }
            class.set(null_mut());
        }
    }
}

thread_local! {
    static POOLS: Pools = const {
        Pools { with_room: [const { Cell::new(null_mut()) }; CLASSES] }
    };
}

/// A block of `block` bytes (a multiple of [`GRAIN`], at most [`SMALL`]),
/// 16-aligned.
pub(crate) fn alloc(block: usize) -> NonNull<u8> {
    debug_assert!(block.is_multiple_of(GRAIN) && (GRAIN..=SMALL).contains(&block));
    POOLS
        .try_with(|pools| pools.alloc(block))
        .unwrap_or_else(|_| {
            // The thread is ending and its lists are gone: a pool of its own,
            // returned to the system with the block.
            // SAFETY: a new pool is live and has room.
            unsafe { take(new_pool(block)) }
        })
}

/// Gives back a block from [`alloc`].
///
/// # Safety
/// `p` came from `alloc` on this thread and is not used afterwards.
pub(crate) unsafe fn free(p: NonNull<u8>) {
    let pool = (p.as_ptr() as usize & !(POOL - 1)) as *mut PoolHead;
    // SAFETY: the caller's guarantee: `p` is a block handed out by its
    // pool, which is live while it has blocks in use; the block's first
    // word becomes the free-list link.
    unsafe {
        p.as_ptr().cast::<*mut u8>().write((*pool).free);
        (*pool).free = p.as_ptr();
        (*pool).used -= 1;
    }
    // SAFETY: as above: the pool is live and this thread's.
    let listed = POOLS.try_with(|pools| unsafe { pools.after_free(pool) });
    // SAFETY: when the thread's lists are gone, no list holds the pool, so
    // once its blocks are all back nothing refers to it.
    unsafe {
        if listed.is_err() && (*pool).used == 0 {
            dealloc(pool.cast(), pool_layout());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fills the `block`-byte block `p` with `tag`.
    fn fill(p: NonNull<u8>, block: usize, tag: u8) {
        // SAFETY: `p` is a live block of `block` bytes.
        unsafe { p.as_ptr().write_bytes(tag, block) };
    }

    /// Whether the `block`-byte block `p` still holds `tag` everywhere.
    fn holds(p: NonNull<u8>, block: usize, tag: u8) -> bool {
        // SAFETY: `p` is a live block of `block` bytes.
        unsafe { std::slice::from_raw_parts(p.as_ptr(), block) }
            .iter()
            .all(|&b| b == tag)
    }

    #[test]
    fn blocks_are_distinct_and_reused() {
        // Enough blocks of every class to fill many pools; every block
        // keeps its own bytes while others are handed out and given back.
        let mut live: Vec<(NonNull<u8>, usize, u8)> = Vec::new();
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for round in 0..6 {
            for i in 0..4000 {
                let block = (next() % CLASSES + 1) * GRAIN;
                let p = alloc(block);
                assert_eq!(p.as_ptr() as usize % GRAIN, 0);
                let tag = (i % 251) as u8;
                fill(p, block, tag);
                live.push((p, block, tag));
            }
            for &(p, block, tag) in &live {
                assert!(
                    holds(p, block, tag),
                    "round {round}: a block was overwritten"
                );
            }
            // Give back about two thirds, in a scrambled order.
            let mut kept = Vec::new();
            for (k, entry) in live.drain(..).enumerate() {
                if (k * 7 + round) % 3 == 0 {
                    kept.push(entry);
                } else {
                    // SAFETY: the block came from `alloc` and is dropped here.
                    unsafe { free(entry.0) };
                }
            }
            live = kept;
        }
        let mut addresses: Vec<usize> = live.iter().map(|e| e.0.as_ptr() as usize).collect();
        addresses.sort_unstable();
        addresses.dedup();
        assert_eq!(addresses.len(), live.len(), "a block was handed out twice");
        for (p, block, tag) in live {
            assert!(holds(p, block, tag));
            // SAFETY: as above.
            unsafe { free(p) };
        }
    }

    struct FreedAtThreadEnd(Vec<NonNull<u8>>);

    impl Drop for FreedAtThreadEnd {
        fn drop(&mut self) {
            // Runs among the thread's other destructors, maybe after the
            // pools' lists are gone: blocks still come and go.
            let extra = alloc(48);
            fill(extra, 48, 9);
            for p in self.0.drain(..) {
                assert!(holds(p, 32, 5));
                // SAFETY: the blocks came from `alloc` on this thread.
                unsafe { free(p) };
            }
            assert!(holds(extra, 48, 9));
            // SAFETY: as above.
            unsafe { free(extra) };
        }
    }

    thread_local! {
        static HELD: std::cell::RefCell<FreedAtThreadEnd> =
            const { std::cell::RefCell::new(FreedAtThreadEnd(Vec::new())) };
    }

    #[test]
    fn blocks_outlive_the_threads_lists() {
        std::thread::spawn(|| {
            for _ in 0..1000 {
                let p = alloc(32);
                fill(p, 32, 5);
                HELD.with(|h| h.borrow_mut().0.push(p));
            }
        })
        .join()
        .expect("the thread ends cleanly");
    }
}
