//! `include_roast!`: compiles a `.roast` file while rustc expands the macro
//! and expands, in place, to its typed Rust bindings with the machine code
//! carried inside `global_asm!`. No build script, no link arguments.
//! Use it through `roast::include_roast!`.

use proc_macro::TokenStream;
use quote::quote_spanned;
use roast_compiler::driver::{self, Source};
use std::path::PathBuf;
use syn::{parse_macro_input, LitStr};

/// `roast::include_roast!("src/fib.roast")` (path relative to the crate's
/// `Cargo.toml`, or to `ROAST_MANIFEST_DIR` when that is set) expands to the file's exported functions as Rust items:
/// `pub fn f(..) -> T`, `pub fn try_f(..) -> Result<T, roast::Error>`, and a
/// `#[test]` per `def test_*()`. A Roast error becomes a compile error here.
#[proc_macro]
pub fn include_roast(input: TokenStream) -> TokenStream {
    let lit = parse_macro_input!(input as LitStr);
    match expand(&lit) {
        Ok(tokens) => tokens,
        Err(message) => {
            let span = lit.span();
            quote_spanned!(span=> ::core::compile_error!(#message);).into()
        }
    }
}

fn expand(lit: &LitStr) -> Result<TokenStream, String> {
    let relative = lit.value();
    // `ROAST_MANIFEST_DIR` overrides the base for builds whose
    // CARGO_MANIFEST_DIR is not the crate's own (trybuild, other build systems).
    let manifest_dir = std::env::var("ROAST_MANIFEST_DIR")
        .or_else(|_| std::env::var("CARGO_MANIFEST_DIR"))
        .map_err(|_| "include_roast! needs CARGO_MANIFEST_DIR (build with cargo)".to_string())?;
    let path = PathBuf::from(&manifest_dir).join(&relative);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("include_roast!: cannot read `{}`: {e}", path.display()))?;
    let call_site = proc_macro::Span::call_site();
    let crate_name = std::env::var("CARGO_CRATE_NAME").unwrap_or_default();
    // The calling file, relative to the crate: symbol names must not depend
    // on where the crate was checked out.
    let file = call_site.file();
    let file = file.strip_prefix(manifest_dir.as_str()).unwrap_or(&file);
    let site = format!("{file}:{}:{}", call_site.line(), call_site.column());
    let prefix = driver::symbol_prefix(&[&crate_name, &site, &relative]);
    let source = Source::new(relative.clone(), text);
    let items = driver::compile_inline(&source, &prefix)
        .map_err(|e| format!("Roast compile error in `{relative}`:\n{e}"))?;
    let abs = path.to_string_lossy().into_owned();
    let tracking = format!("const _: &[u8] = include_bytes!({abs:?});\n");
    (tracking + &items)
        .parse()
        .map_err(|e| format!("include_roast!: generated code does not parse: {e}"))
}
