//! Support for generated bindings (re-exported as `roast::__private`); not a
//! stable API for hand-written code.

use crate::context::{current, Ctx};
use crate::error::Error;
use std::cell::Cell;
use std::thread::LocalKey;

/// A module's per-thread initialization: its top-level statements, run once
/// on each thread before that thread's first call into the module.
pub struct ModuleInit {
    initialized: &'static LocalKey<Cell<bool>>,
    init: unsafe extern "C" fn(*mut Ctx) -> u8,
}

impl ModuleInit {
    /// A module whose compiled initializer is `init`; `initialized` is the
    /// module's own thread-local flag.
    pub const fn new(
        initialized: &'static LocalKey<Cell<bool>>,
        init: unsafe extern "C" fn(*mut Ctx) -> u8,
    ) -> ModuleInit {
        ModuleInit { initialized, init }
    }
}

/// Calls compiled code: initializes `module` on this thread if needed, then
/// runs `call` with the thread's context and a slot for the result. A nonzero
/// status from either becomes the pending exception as `Err`.
#[inline]
pub fn invoke<T: Default>(
    module: Option<&ModuleInit>,
    call: impl FnOnce(*mut Ctx, &mut T) -> u8,
) -> Result<T, Error> {
    let ctx = current();
    if let Some(m) = module {
        if !m.initialized.get() {
            initialize(m, ctx)?;
        }
    }
    let mut out = T::default();
    if call(ctx, &mut out) == 0 {
        Ok(out)
    } else {
        Err(pending(ctx))
    }
}

/// Runs `m`'s initializer on this thread (first call only).
#[cold]
#[inline(never)]
fn initialize(m: &ModuleInit, ctx: *mut Ctx) -> Result<(), Error> {
    m.initialized.set(true);
    // SAFETY: `ctx` is this thread's live context and `init` is the module's
    // compiled initializer with signature `(ctx) -> u8`.
    if unsafe { (m.init)(ctx) } != 0 {
        m.initialized.set(false);
        return Err(pending(ctx));
    }
    Ok(())
}

/// Takes the exception compiled code left pending.
#[cold]
#[inline(never)]
fn pending(ctx: *mut Ctx) -> Error {
    // SAFETY: `ctx` is this thread's live context.
    unsafe { crate::rt::take_error(ctx) }
}

/// The panicking form of a call: the value, or a panic with the exception's
/// `Kind: message (at file:line:col)`.
#[inline]
#[track_caller]
pub fn unwrap_or_panic<T>(result: Result<T, Error>) -> T {
    match result {
        Ok(v) => v,
        Err(e) => raise_panic(e),
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn raise_panic(e: Error) -> ! {
    panic!("{e}")
}

/// How a module's script ends: `main()` called implicitly, if at all.
pub enum ImplicitMain {
    /// No implicit `main()`.
    None,
    /// `def main() -> None`: its shim.
    Unit(unsafe extern "C" fn(*mut Ctx) -> u8),
    /// `def main() -> int`: its shim; the result is the exit status.
    Int(unsafe extern "C" fn(*mut Ctx, *mut i64) -> u8),
}

/// Runs a module as a program on this thread: its whole script, then the
/// implicit `main()`. Returns the exit status (0, or `main()`'s int).
pub fn run_script(
    module: Option<&ModuleInit>,
    script: unsafe extern "C" fn(*mut Ctx) -> u8,
    main: ImplicitMain,
) -> Result<i32, Error> {
    if let Some(m) = module {
        // The script runs the module's top-level statements itself.
        m.initialized.set(true);
    }
    let status = invoke(None, |ctx, _: &mut ()| {
        // SAFETY: `ctx` is this thread's live context; `script` is compiled
        // code with signature `(ctx) -> u8`.
        unsafe { script(ctx) }
    });
    let code = status.and_then(|()| {
        invoke(None, |ctx, code: &mut i64| match main {
            ImplicitMain::None => 0,
            // SAFETY: live context; the shim has this signature.
            ImplicitMain::Unit(f) => unsafe { f(ctx) },
            // SAFETY: live context and a valid out slot; the shim has this signature.
            ImplicitMain::Int(f) => unsafe { f(ctx, code) },
        })
    });
    // The program is over: its module variables go, as at interpreter exit;
    // a later call on this thread initializes the module again.
    crate::release_globals();
    if let Some(m) = module {
        m.initialized.set(false);
    }
    Ok(code? as i32)
}

/// Releases a reference made for a call (a `ToRoast::to_word` result).
///
/// # Safety
/// `w` is a heap word this thread owns a reference to, released once.
pub unsafe fn release(w: u64) {
    // SAFETY: forwarded caller guarantee.
    unsafe { crate::roast_rt_decref(w as *mut u8) }
}

/// Converts a returned heap word to its Rust value and releases it.
///
/// # Safety
/// `w` is a new reference of `T`'s Roast type, made on this thread.
pub unsafe fn take<T: crate::obj::boundary::FromRoast>(w: u64) -> T {
    // SAFETY: forwarded caller guarantee: a live value of T's type.
    let v = unsafe { T::from_word(w) };
    // SAFETY: the caller owned this reference; it is released once.
    unsafe { release(w) };
    v
}

/// A `list[str]` parameter (`&[S] where S: AsRef<str>`) as a new reference.
pub fn str_list_to_word<S: AsRef<str>>(items: &[S]) -> u64 {
    use crate::obj::boundary::ToRoast;
    let strs: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    strs.as_slice().to_word()
}
