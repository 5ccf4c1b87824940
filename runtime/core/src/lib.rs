//! The runtime that compiled Roast code calls: the per-thread call context,
//! exceptions, printing and the numeric helpers whose Python semantics are too
//! long to inline. Users reach it through the `roast` crate.
//!
//! Everything compiled code calls is an `extern "C"` function named
//! `roast_rt_*`; the set of these symbols and the layout of [`Ctx`] form the
//! ABI, versioned by [`ABI_VERSION`].

mod context;
mod error;
mod globals;
mod math;
pub mod obj;
pub mod private;
pub mod py;
mod rt;

pub use context::{with_ctx, Ctx, CTX_DEPTH_LIMIT_OFFSET, CTX_DEPTH_OFFSET, CTX_PENDING_OFFSET};
pub use error::{Error, ExcKind, Location};
pub use globals::{release_globals, roast_rt_globals};
pub use indexmap::IndexMap;
pub use math::*;
pub use obj::abi::*;
pub use obj::live_objects;
pub use rt::*;

/// Version of the contract between compiled code and this runtime: the
/// `roast_rt_*` symbols, their signatures, and the layout of [`Ctx`].
/// Generated bindings check it at compile time.
pub const ABI_VERSION: u32 = 7;
