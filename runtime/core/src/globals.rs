//! Module variables: each module's global slots, one set per thread (module
//! state is per thread, like module initialization). Compiled code asks for
//! its module's slots with a key naming the module and which slots hold
//! objects; the slots start zeroed (null), and the objects they hold are
//! released when the thread ends or the script finishes.

use crate::context::Ctx;
use std::cell::{Cell, RefCell};

/// One module's slots: `key` is `prefix \0 flags`, a flag `h` per slot that
/// holds an object (`s` for a scalar).
struct ModuleSlots {
    key: Vec<u8>,
    slots: Box<[u64]>,
}

impl ModuleSlots {
    fn release(&mut self) {
        let flags = self.key.rsplit(|b| *b == 0).next().unwrap_or(&[]);
        for (slot, flag) in self.slots.iter_mut().zip(flags) {
            if *flag == b'h' {
                let w = std::mem::take(slot);
                // SAFETY: a heap slot is null or owns one reference.
                unsafe { crate::roast_rt_decref(w as *mut u8) };
            }
        }
    }
}

/// This thread's modules.
#[derive(Default)]
struct Registry(Vec<ModuleSlots>);

impl Drop for Registry {
    fn drop(&mut self) {
        for m in &mut self.0 {
            m.release();
        }
    }
}

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
    /// The last module found: its key's address and length (each module's
    /// key is its own static data) and its slots, so that a function
    /// called again and again finds its slots without comparing keys.
    /// Cleared with the registry.
    static LAST: Cell<(usize, usize, usize)> = const { Cell::new((0, 0, 0)) };
}

/// The address of this thread's slots for the module `key` names (created
/// zeroed on first use; the address never changes).
///
/// # Safety
/// `key` must point to `key_len` readable bytes: `prefix \0 flags`.
#[no_mangle]
pub unsafe extern "C" fn roast_rt_globals(
    _ctx: *mut Ctx,
    key: *const u8,
    key_len: usize,
) -> *mut u64 {
    let (last_key, last_len, last_slots) = LAST.get();
    if last_key == key as usize && last_len == key_len && last_slots != 0 {
        return last_slots as *mut u64;
    }
    // SAFETY: the caller guarantees `key` points to `key_len` bytes.
    let key_bytes = unsafe { std::slice::from_raw_parts(key, key_len) };
    let slots = find_or_add(key_bytes);
    LAST.set((key as usize, key_len, slots as usize));
    slots
}

/// The slots of the module `key` names, made (zeroed) on first use. Kept
/// out of line, so that the cached path saves no registers.
#[cold]
#[inline(never)]
fn find_or_add(key: &[u8]) -> *mut u64 {
    REGISTRY.with(|r| {
        let mut r = r.borrow_mut();
        if let Some(m) = r.0.iter_mut().find(|m| m.key == key) {
            return m.slots.as_mut_ptr();
        }
        let n = key.rsplit(|b| *b == 0).next().map_or(0, <[u8]>::len);
        r.0.push(ModuleSlots {
            key: key.to_vec(),
            slots: vec![0; n].into_boxed_slice(),
        });
        r.0.last_mut()
            .map_or(std::ptr::null_mut(), |m| m.slots.as_mut_ptr())
    })
}

/// Releases every module variable of this thread (a finished script, or a
/// thread about to end). A module used on this thread afterwards must be
/// initialized again before its functions run (`run_script` arranges it).
pub fn release_globals() {
    LAST.set((0, 0, 0));
    let modules = REGISTRY.with(|r| std::mem::take(&mut r.borrow_mut().0));
    for mut m in modules {
        m.release();
    }
}
