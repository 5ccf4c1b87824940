//! Stage 5a: the ABI description of a compiled module. Input: a checked
//! [`hir::Module`] and the symbols codegen gave its entry points; output: an
//! [`Interface`], everything bindgen needs and nothing more, stamped with the
//! runtime ABI version.

use crate::codegen::EntrySymbols;
use crate::hir::{self, FunctionRole, Type};

/// The runtime ABI version generated code is compiled against.
pub const ABI_VERSION: u32 = roast_runtime::ABI_VERSION;

/// A type that can cross the Rust boundary: scalars by value, heap values
/// converted to and from owned Rust types (see `docs/boundary.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundaryType(pub Type);

impl BoundaryType {
    /// `None` for the unit return type.
    pub const UNIT: BoundaryType = BoundaryType(Type::None);

    fn from_hir(ty: Type, param: bool) -> Option<BoundaryType> {
        fn item(ty: Type) -> bool {
            match ty {
                Type::Int | Type::Float | Type::Bool | Type::Str => true,
                Type::List(t) | Type::Optional(t) => item(*t),
                Type::Dict(k, v) => item(*k) && item(*v),
                Type::Tuple(items) => items.iter().all(|t| item(*t)),
                Type::None => false,
            }
        }
        let ok = match ty {
            Type::None => !param,
            t => item(t),
        };
        ok.then_some(BoundaryType(ty))
    }

    /// Whether values travel as a reference-counted object word.
    pub fn is_heap(self) -> bool {
        self.0.is_heap()
    }

    /// The owned Rust type (returns, and items inside containers).
    pub fn rust(self) -> String {
        owned(self.0)
    }

    /// The Rust type of a parameter: borrowed forms for strings and
    /// containers; `S` is the generic of a `list[str]` parameter.
    pub fn rust_param(self) -> String {
        match self.0 {
            Type::Str => "&str".into(),
            Type::List(t) if *t == Type::Str => "&[S]".into(),
            Type::List(t) => format!("&[{}]", owned(*t)),
            Type::Dict(..) => format!("&{}", owned(self.0)),
            Type::Optional(t) if *t == Type::Str => "Option<&str>".into(),
            t => owned(t),
        }
    }

    /// The Rust type crossing the C ABI.
    pub fn rust_abi(self) -> String {
        if self.is_heap() {
            "u64".into()
        } else {
            self.rust()
        }
    }

    /// The Roast spelling.
    pub fn roast(self) -> String {
        self.0.name()
    }
}

fn owned(ty: Type) -> String {
    match ty {
        Type::Int => "i64".into(),
        Type::Float => "f64".into(),
        Type::Bool => "bool".into(),
        Type::None => "()".into(),
        Type::Str => "::std::string::String".into(),
        Type::List(t) => format!("::std::vec::Vec<{}>", owned(*t)),
        Type::Dict(k, v) => format!("::roast::IndexMap<{}, {}>", owned(*k), owned(*v)),
        Type::Tuple(items) => {
            let parts: Vec<String> = items.iter().map(|t| owned(*t)).collect();
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        Type::Optional(t) => format!("::core::option::Option<{}>", owned(*t)),
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
                BoundaryType::from_hir(local.ty, true).map(|t| (local.name.clone(), t))
            })
            .collect();
        let (Some(params), Some(ret)) = (params, BoundaryType::from_hir(f.ret, false)) else {
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
