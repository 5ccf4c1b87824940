//! References held for a moment: `IncRef(x)` followed in the same block by
//! `DecRef(x)` (an item read from a list, unpacked or measured, then let
//! go, as `for k, v in pairs:` does). When nothing between them can
//! release an object or run other code — only assignments of pure values
//! and checked arithmetic — whoever held `x` before still holds it at the
//! `DecRef`, so the pair changes no count: both go, and `x` is set to null
//! where the `DecRef` was (as the `DecRef` would have left it). The same
//! holds when the reference taken is to a copy of `x` (`c = x; IncRef(c)`,
//! as a returned local is copied out before its own reference goes).

use super::{BasicBlock, LocalId, Operand, Rvalue, Statement};

/// Drops the pairs of reference counts in `blocks` that change nothing.
pub(super) fn drop_brief_references(blocks: &mut [BasicBlock]) {
    for block in blocks {
        let mut i = 0;
        while i < block.statements.len() {
            if let Statement::IncRef(Operand::Local(c)) = block.statements[i] {
                let holders = std::iter::once(c).chain(copied_from(&block.statements[..i], c));
                let released = holders
                    .filter_map(|x| Some((x, released_at(&block.statements[i + 1..], x)?)))
                    .next();
                if let Some((x, j)) = released {
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

/// The local `c` was copied from (`c = x`) by the last statement of
/// `before` that assigns it, if `x` keeps that value to the end of
/// `before`: then `c` and `x` hold the same reference.
fn copied_from(before: &[Statement], c: LocalId) -> Option<LocalId> {
    let at = before.iter().rposition(|s| s.assigned().any(|l| l == c))?;
    let Statement::Assign(_, Rvalue::Use(Operand::Local(x))) = before[at] else {
        return None;
    };
    let kept = before[at + 1..]
        .iter()
        .all(|s| s.assigned().all(|l| l != x));
    kept.then_some(x)
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
