use crate::diag::*; use super::ast; pub fn parse_module(_f: FileId, _t: &str) -> (ast::Module, Vec<Diagnostic>) { todo!() }
