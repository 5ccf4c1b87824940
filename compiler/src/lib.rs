//! The Roast compiler: `.roast` source (statically typed Python) to native code
//! with Cranelift, plus the Rust bindings that expose it as typed functions.
//!
//! Stages, each a module with one input and one output type:
//! [`syntax`] (text → AST), [`check`] (AST → typed HIR), [`mir`] (HIR →
//! control-flow graphs with every check explicit), [`codegen`] (MIR →
//! Cranelift → object or JIT), [`interface`] + [`bindgen`] (HIR → exported
//! signatures → Rust source). [`driver`] strings them together for roastc,
//! roast-build and roast-macros.

pub mod bindgen;
pub mod check;
pub mod codegen;
pub mod diag;
pub mod driver;
pub mod hir;
pub mod interface;
pub mod mir;
pub mod objasm;
pub mod rtabi;
pub mod run;
pub mod syntax;
