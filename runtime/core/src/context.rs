//! The per-thread call context every compiled Roast function receives as its
//! first argument.

use crate::error::Error;
use std::cell::UnsafeCell;
use std::mem::ManuallyDrop;
use std::sync::OnceLock;

/// Default recursion limit, as CPython's `sys.getrecursionlimit()`.
const DEFAULT_DEPTH_LIMIT: u64 = 1000;

/// Per-thread state shared by compiled code and the runtime. Compiled code
/// reads and writes the leading fields at the fixed offsets below; the rest is
/// private to the runtime.
#[repr(C)]
pub struct Ctx {
    /// Current depth of Roast calls on this thread.
    pub depth: u64,
    /// Calls deeper than this raise `RecursionError`.
    pub depth_limit: u64,
    /// Nonzero while an exception is pending (set by raising runtime calls).
    pub pending: u8,
    error: Option<Error>,
}

/// Byte offset of [`Ctx::depth`].
pub const CTX_DEPTH_OFFSET: i32 = 0;
/// Byte offset of [`Ctx::depth_limit`].
pub const CTX_DEPTH_LIMIT_OFFSET: i32 = 8;
/// Byte offset of [`Ctx::pending`].
pub const CTX_PENDING_OFFSET: i32 = 16;

/// The recursion limit: `ROAST_RECURSION_LIMIT` if set, else CPython's.
fn depth_limit() -> u64 {
    static LIMIT: OnceLock<u64> = OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::env::var("ROAST_RECURSION_LIMIT")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&l| l > 0)
            .unwrap_or(DEFAULT_DEPTH_LIMIT)
    })
}

impl Ctx {
    /// A fresh context; its limit (0: not read yet) is set on first use.
    const fn new() -> Ctx {
        Ctx {
            depth: 0,
            depth_limit: 0,
            pending: 0,
            error: None,
        }
    }

    /// Records `error` as the pending exception (the first one raised wins
    /// until it is taken).
    pub fn set_error(&mut self, error: Error) {
        if self.error.is_none() {
            self.error = Some(error);
        }
        self.pending = 1;
    }

    /// Takes the pending exception, clearing it.
    pub fn take_error(&mut self) -> Option<Error> {
        self.pending = 0;
        self.error.take()
    }
}

thread_local! {
    // Constant-initialized and without a destructor, so reaching it is one
    // thread-pointer-relative address. Nothing is lost at thread exit: an
    // exception is only pending inside `invoke`, which takes it.
    static CTX: UnsafeCell<ManuallyDrop<Ctx>> = const { UnsafeCell::new(ManuallyDrop::new(Ctx::new())) };
}

/// This thread's context. Compiled code only runs while the runtime calls
/// it with this pointer, and never calls back into Rust, so the pointer is
/// never aliased.
#[inline]
pub fn current() -> *mut Ctx {
    let ctx: *mut Ctx = CTX.with(|cell| cell.get().cast());
    // SAFETY: this thread's context, not borrowed anywhere.
    if unsafe { (*ctx).depth_limit } == 0 {
        set_depth_limit(ctx);
    }
    ctx
}

#[cold]
#[inline(never)]
fn set_depth_limit(ctx: *mut Ctx) {
    // SAFETY: this thread's context, not borrowed anywhere.
    unsafe { (*ctx).depth_limit = depth_limit() };
}

/// Runs `f` with this thread's context (see [`current`]).
#[inline]
pub fn with_ctx<R>(f: impl FnOnce(*mut Ctx) -> R) -> R {
    f(current())
}
