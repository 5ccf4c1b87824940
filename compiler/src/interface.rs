//! Stage 5a: the ABI description of a compiled module. Input: a checked
//! [`hir::Module`] and the symbols codegen gave its entry points; output: an
//! [`Interface`], everything bindgen needs and nothing more, stamped with the
//! runtime ABI version.

use crate::codegen::EntrySymbols;
use crate::hir::{self, FunctionRole, Type};

/// The runtime ABI version generated code is compiled against.
pub const ABI_VERSION: u32 = roast_runtime::ABI_VERSION;

/// A type that can cross the Rust boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryType {
    /// `int` ↔ `i64`
    Int,
    /// `float` ↔ `f64`
    Float,
    /// `bool` ↔ `bool`
    Bool,
    /// `None` ↔ `()`
    Unit,
}

impl BoundaryType {
    fn from_hir(ty: Type) -> Option<BoundaryType> {
        match ty {
            Type::Int => Some(BoundaryType::Int),
            Type::Float => Some(BoundaryType::Float),
            Type::Bool => Some(BoundaryType::Bool),
            Type::None => Some(BoundaryType::Unit),
            Type::Str => None,
        }
    }

    /// The Rust spelling.
    pub fn rust(self) -> &'static str {
        match self {
            BoundaryType::Int => "i64",
            BoundaryType::Float => "f64",
            BoundaryType::Bool => "bool",
            BoundaryType::Unit => "()",
        }
    }

    /// The Roast spelling.
    pub fn roast(self) -> &'static str {
        match self {
            BoundaryType::Int => "int",
            BoundaryType::Float => "float",
            BoundaryType::Bool => "bool",
            BoundaryType::Unit => "None",
        }
    }
}

/// One function callable from Rust.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedFunction {
    /// The Roast (and Rust) name.
    pub name: String,
    /// Parameter names and types.
    pub params: Vec<(String, BoundaryType)>,
    /// Return type.
    pub ret: BoundaryType,
    /// The docstring.
    pub doc: Option<String>,
    /// The C-ABI shim's symbol: `(ctx, params..., *mut ret) -> u8`.
    pub symbol: String,
    /// Whether it is a `test_*` function (also a Rust `#[test]`).
    pub is_test: bool,
}

/// The exported surface of one compiled module.
#[derive(Debug, Clone, PartialEq)]
pub struct Interface {
    /// Runtime ABI version the code was compiled against.
    pub abi_version: u32,
    /// The Rust module name (last path segment of the Roast module).
    pub module_name: String,
    /// Module docstring.
    pub doc: Option<String>,
    /// Exported functions, in source order.
    pub functions: Vec<ExportedFunction>,
    /// Module initialization symbol `(ctx) -> u8`, if the module has any.
    pub init_symbol: Option<String>,
    /// The whole-script symbol `(ctx) -> u8` (top level with `__main__` blocks).
    pub script_symbol: String,
    /// `main()` when the script calls it implicitly: its shim symbol and
    /// whether it returns `int` (the exit status).
    pub implicit_main: Option<(String, bool)>,
}

/// Describes `module`'s exports. Functions whose types cannot cross the
/// boundary stay internal.
pub fn describe(module: &hir::Module, entries: &EntrySymbols) -> Interface {
    let mut functions = Vec::new();
    for (id, symbol) in &entries.exports {
        let f = &module.functions[id.0 as usize];
        let params: Option<Vec<_>> = f
            .params
            .iter()
            .map(|p| {
                let local = &f.locals[p.0 as usize];
                BoundaryType::from_hir(local.ty).map(|t| (local.name.clone(), t))
            })
            .collect();
        let (Some(params), Some(ret)) = (params, BoundaryType::from_hir(f.ret)) else {
            continue;
        };
        functions.push(ExportedFunction {
            name: f.name.clone(),
            params,
            ret,
            doc: f.docstring.clone(),
            symbol: symbol.clone(),
            is_test: f.role == FunctionRole::Test,
        });
    }
    Interface {
        abi_version: ABI_VERSION,
        module_name: module
            .name
            .rsplit('.')
            .next()
            .unwrap_or(&module.name)
            .to_string(),
        doc: module.docstring.clone(),
        functions,
        init_symbol: entries.init.clone(),
        script_symbol: entries.script.clone(),
        implicit_main: module.implicit_main.and_then(|id| {
            let (_, symbol) = entries.exports.iter().find(|(f, _)| *f == id)?;
            Some((
                symbol.clone(),
                module.functions[id.0 as usize].ret == Type::Int,
            ))
        }),
    }
}
