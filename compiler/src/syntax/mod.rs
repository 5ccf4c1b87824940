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

/// Parses a string annotation such as `"list[int]"` as one expression;
/// `None` when it is anything else.
pub fn parse_expression(text: &str) -> Option<ast::Expr> {
    let (module, diags) = parser::parse_module(FileId(u32::MAX), text);
    if !diags.is_empty() {
        return None;
    }
    match module.body.as_slice() {
        [ast::Stmt {
            kind: ast::StmtKind::Expr(e),
            ..
        }] => Some(e.clone()),
        _ => None,
    }
}
