//! Roast's heap values: `str`, `list`, `dict`, `tuple` and the boxes of
//! `T | None`, laid out as `docs/runtime-abi.md` specifies, with reference
//! counting and CPython 3.11's semantics.
//!
//! Raw pointers enter through [`abi`] (compiled code) and
//! [`boundary`] (generated Rust bindings), whose callers vouch for them.
//! Inside, objects are handled through typed handles (`Str`, `List`, ...)
//! and typed words (`Val`), which carry that promise: a handle points to a
//! live object, a `Val` is a valid value of its type. The `unsafe` blocks
//! that read object memory rely on exactly that, and say so.

pub mod abi;
pub mod boundary;
mod desc;
mod dict;
mod heap;
mod list;
mod ops;
mod pool;
mod sort;
mod string;
mod timsort;
mod tuple;

pub use desc::{intern, Kind, TypeDesc};
pub use heap::{live_objects, Header};
pub use string::{roast_rt_ascii_strs, Immortals, ASCII_STR_STRIDE};
