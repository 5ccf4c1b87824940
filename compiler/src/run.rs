//! `roastc run`: compile a module into memory with Cranelift's JIT and run
//! it as `python3 FILE` would, in this process.

use crate::driver::{self, CompileError, Source};
use crate::hir::Type;
use crate::mir::RtFn;
use cranelift_module::{FuncOrDataId, Module};
use roast_runtime::{with_ctx, Ctx, Error};

/// How a run ended.
#[derive(Debug)]
pub struct RunOutcome {
    /// The process exit status: 0, `main()`'s int, or 1 after an exception.
    pub exit_code: i32,
    /// The uncaught exception, if any.
    pub error: Option<Error>,
}

/// The address of runtime function `f` in this process.
pub(crate) fn runtime_address(f: RtFn) -> *const u8 {
    f.address()
}

fn function_address(jit: &cranelift_jit::JITModule, name: &str) -> Option<*const u8> {
    match jit.get_name(name)? {
        FuncOrDataId::Func(id) => Some(jit.get_finalized_function(id)),
        FuncOrDataId::Data(_) => None,
    }
}

/// Compiles and runs `source`: its top-level statements (with `__main__`
/// blocks), then an implicit `main()` when nothing called it. Output goes to
/// this process's stdout.
pub fn run(source: &Source) -> Result<RunOutcome, CompileError> {
    let (jit, entries, module) = driver::jit_module(source)?;
    let script = function_address(&jit, &entries.script).expect("script was defined");
    // SAFETY: the script function was compiled with the signature
    // `extern "C" fn(*mut Ctx) -> u8` (SystemV: context in, status out).
    let script: unsafe extern "C" fn(*mut Ctx) -> u8 = unsafe { std::mem::transmute(script) };
    let outcome = with_ctx(|ctx| {
        // SAFETY: `ctx` is this thread's live context; the code only runs here.
        if unsafe { script(ctx) } != 0 {
            // SAFETY: as above.
            return Err(unsafe { roast_runtime::take_error(ctx) });
        }
        let Some(main_id) = module.implicit_main else {
            return Ok(0);
        };
        let (_, shim_name) = entries
            .exports
            .iter()
            .find(|(id, _)| *id == main_id)
            .expect("main is exported");
        let shim = function_address(&jit, shim_name).expect("main's shim was defined");
        let mut code: i64 = 0;
        let status = if module.functions[main_id.0 as usize].ret == Type::Int {
            // SAFETY: the shim of `def main() -> int` is `(ctx, *mut i64) -> u8`.
            let main: unsafe extern "C" fn(*mut Ctx, *mut i64) -> u8 =
                unsafe { std::mem::transmute(shim) };
            // SAFETY: live context and a valid out slot.
            unsafe { main(ctx, &mut code) }
        } else {
            // SAFETY: the shim of `def main() -> None` is `(ctx) -> u8`.
            let main: unsafe extern "C" fn(*mut Ctx) -> u8 = unsafe { std::mem::transmute(shim) };
            // SAFETY: live context.
            unsafe { main(ctx) }
        };
        if status != 0 {
            // SAFETY: live context.
            return Err(unsafe { roast_runtime::take_error(ctx) });
        }
        Ok(code as i32)
    });
    roast_runtime::roast_rt_flush();
    // Module variables hold objects whose descriptors live in the JIT's memory.
    roast_runtime::release_globals();
    drop(jit);
    Ok(match outcome {
        Ok(exit_code) => RunOutcome {
            exit_code,
            error: None,
        },
        Err(e) => RunOutcome {
            exit_code: 1,
            error: Some(e),
        },
    })
}

/// The `def test_*()` functions of `source`, in source order.
pub fn test_names(source: &Source) -> Result<Vec<String>, CompileError> {
    let (_, module) = driver::check(source)?;
    Ok(module
        .functions
        .iter()
        .filter(|f| f.role == crate::hir::FunctionRole::Test)
        .map(|f| f.name.clone())
        .collect())
}

/// Runs test `name` of `source` in this process, as `cargo test` runs it
/// through the bindings: module initialization (top-level statements, without
/// `__main__` blocks), then the test. `Ok(Err(e))` is a failing test.
pub fn run_test(source: &Source, name: &str) -> Result<Result<(), Error>, CompileError> {
    let (jit, entries, module) = driver::jit_module(source)?;
    let shim = module
        .functions
        .iter()
        .position(|f| f.name == name && f.role == crate::hir::FunctionRole::Test)
        .and_then(|i| entries.exports.iter().find(|(id, _)| id.0 as usize == i))
        .and_then(|(_, symbol)| function_address(&jit, symbol));
    let Some(shim) = shim else {
        return Ok(Err(Error::new(
            roast_runtime::ExcKind::RuntimeError,
            format!("no test named `{name}`"),
            roast_runtime::Location::new(source.display_name.clone(), 0, 0),
        )));
    };
    let init = entries
        .init
        .as_deref()
        .and_then(|s| function_address(&jit, s));
    let outcome = with_ctx(|ctx| {
        if let Some(init) = init {
            // SAFETY: module initialization is compiled as `(ctx) -> u8`.
            let init: unsafe extern "C" fn(*mut Ctx) -> u8 = unsafe { std::mem::transmute(init) };
            // SAFETY: `ctx` is this thread's live context.
            if unsafe { init(ctx) } != 0 {
                // SAFETY: live context.
                return Err(unsafe { roast_runtime::take_error(ctx) });
            }
        }
        // SAFETY: a test's shim is `(ctx) -> u8`: no parameters, returns None.
        let test: unsafe extern "C" fn(*mut Ctx) -> u8 = unsafe { std::mem::transmute(shim) };
        // SAFETY: live context.
        if unsafe { test(ctx) } != 0 {
            // SAFETY: live context.
            return Err(unsafe { roast_runtime::take_error(ctx) });
        }
        Ok(())
    });
    roast_runtime::roast_rt_flush();
    // Module variables hold objects whose descriptors live in the JIT's memory.
    roast_runtime::release_globals();
    drop(jit);
    Ok(outcome)
}
