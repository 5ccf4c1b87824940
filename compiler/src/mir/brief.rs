//! References held for a moment: `IncRef(x)` followed in the same block by
//! `DecRef(x)` (an item read from a list, unpacked or measured, then let
//! go, as `for k, v in pairs:` does). When nothing between them can
//! release an object or run other code — only assignments of pure values
//! and checked arithmetic — whoever held `x` before still holds it at the
//! `DecRef`, so the pair changes no count: both go, and `x` is set to null
//! where the `DecRef` was (as the `DecRef` would have left it).

use super::{LocalId, Lowered, Operand, Rvalue, Statement};

/// Drops the pairs of reference counts in `body` that change nothing.
pub(super) fn drop_brief_references(body: &mut Lowered) {
    for block in &mut body.blocks {
        let mut i = 0;
        while i < block.statements.len() {
            if let Statement::IncRef(Operand::Local(x)) = block.statements[i] {
                if let Some(j) = released_at(&block.statements[i + 1..], x) {
                    block.statements[i + 1 + j] =
                        Statement::Assign(x, Rvalue::Use(Operand::Int(0)));
                    block.statements.remove(i);
                    continue;
                }
            }
            i += 1;
        }
    }
}

/// Where, among the statements after `IncRef(x)`, `x` is released, if
/// every statement before that leaves all objects alive and `x` where it
/// is: a pure assignment to another local that does not copy `x` (reading
/// it as an address is fine), or checked arithmetic.
fn released_at(rest: &[Statement], x: LocalId) -> Option<usize> {
    for (j, s) in rest.iter().enumerate() {
        match s {
            Statement::DecRef(d) if *d == x => return Some(j),
            Statement::Assign(d, r) if *d != x && !copies(r, x) => {}
            Statement::CheckedArith {
                value, overflow, ..
            } if *value != x && *overflow != x => {}
            _ => return None,
        }
    }
    None
}

/// Whether `r` may be `x` itself (a copy of the reference).
fn copies(r: &Rvalue, x: LocalId) -> bool {
    let is_x = |o: &Operand| *o == Operand::Local(x);
    match r {
        Rvalue::Use(a) => is_x(a),
        Rvalue::Select(_, a, b) => is_x(a) || is_x(b),
        _ => false,
    }
}
