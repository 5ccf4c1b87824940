//! Stage 1: source text to AST. Input: one file's text; output: [`ast::Module`]
//! plus the diagnostics of every syntax error found (the parser recovers).

pub mod ast;
mod lexer;
mod parser;

use crate::diag::{Diagnostic, FileId};

/// Parses one file. Always returns a module (possibly partial) and the syntax
/// errors found; the module is only meaningful when the list is empty.
pub fn parse(file: FileId, text: &str) -> (ast::Module, Vec<Diagnostic>) {
    parser::parse_module(file, text)
}
