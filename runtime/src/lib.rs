//! Roast for Cargo: call statically typed Python (`.roast` files) from Rust
//! as ordinary typed functions, compiled to native code at build time.
//!
//! Two routes bring Roast code into a crate:
//!
//! - **`include_roast!`** (no build script): `mod fib { roast::include_roast!("src/fib.roast"); }`
//!   compiles the file while rustc expands the macro.
//! - **build.rs** with [`roast-build`](https://docs.rs/roast-build): compile many files into a
//!   static library, then [`include_bindings!`] brings one `pub mod` per file.
//!
//! Every exported `def f(...)` becomes `pub fn f(...) -> T` (panics on an
//! uncaught Roast exception) and `pub fn try_f(...) -> Result<T, roast::Error>`.
//! Every `def test_*()` becomes a `#[test]`.
//!
//! This crate is the small runtime the compiled code links against; it never
//! contains the compiler. The `macros` feature (default) adds
//! `include_roast!`, whose proc macro runs the compiler at build time only.

pub use roast_runtime::{Error, ExcKind, IndexMap, Location};

#[cfg(feature = "macros")]
pub use roast_macros::include_roast;

/// Brings the bindings `roast_build::Build::compile(name)` generated:
/// `roast::include_bindings!("geo")` expands to one `pub mod` per Roast file.
#[macro_export]
macro_rules! include_bindings {
    ($name:literal) => {
        include!(concat!(env!("OUT_DIR"), "/roast/", $name, ".rs"));
    };
}

/// Support for generated code. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use roast_runtime::obj::boundary::{FromRoast, ToRoast};
    pub use roast_runtime::private::{
        invoke, release, run_script, str_list_to_word, take, unwrap_or_panic, ImplicitMain,
        ModuleInit,
    };
    pub use roast_runtime::{live_objects, release_globals, Ctx, ABI_VERSION};

    /// The runtime functions compiled code calls (named by `sym` operands in
    /// `include_roast!` output).
    pub mod rt {
        pub use roast_runtime::obj::abi::*;
        pub use roast_runtime::obj::roast_rt_ascii_strs;
        pub use roast_runtime::{
            roast_rt_atan, roast_rt_cos, roast_rt_exp, roast_rt_float_divmod,
            roast_rt_float_floordiv, roast_rt_float_mod, roast_rt_float_pow, roast_rt_float_round,
            roast_rt_float_round_int, roast_rt_float_to_int, roast_rt_globals,
            roast_rt_int_float_cmp, roast_rt_int_math, roast_rt_int_pow, roast_rt_int_round,
            roast_rt_int_truediv, roast_rt_log, roast_rt_math, roast_rt_math2, roast_rt_pow_mod,
            roast_rt_print_bool, roast_rt_print_float, roast_rt_print_int, roast_rt_print_str,
            roast_rt_raise, roast_rt_raise_str, roast_rt_release_frame, roast_rt_sin, roast_rt_tan,
        };
    }
}
