//! Loop-invariant loads: a loop that cannot change any object header reads
//! a list's length and item buffer once, before the loop, instead of on
//! every iteration.
//!
//! A loop qualifies when its blocks only compute (`Assign`,
//! `CheckedArith`, the recursion check of an inlined call) and store items
//! of scalar lists (`StoreItem`): no call, runtime function, reference
//! count change or field store, so nothing in it can grow, shrink, move or
//! free an object. A load `d = base.field` in such a loop moves to the
//! block before the loop when `base` is a list, string, tuple or dict
//! (never `None`) that the loop does not assign and that holds a value
//! there (a parameter, or assigned in a block that dominates it), and the
//! load is the only assignment to `d`. Blocks that raise leave the loop,
//! so they are not part of it.

use super::cfg::{self, Cfg};
use super::{LocalId, Lowered, Operand, Rvalue, Statement};
use crate::hir::Type;
use std::collections::HashSet;

/// Moves the invariant loads of every qualifying loop of `body` to the
/// block before it, innermost loops first (so a load can leave a nest).
pub(super) fn hoist_invariant_loads(body: &mut Lowered) {
    // A cycle has an edge to a block numbered no higher than its source:
    // without one there is no loop (the common case, checked cheaply).
    let may_loop = body.blocks.iter().enumerate().any(|(b, block)| {
        block
            .terminator
            .successors()
            .iter()
            .any(|s| s.0 as usize <= b)
    });
    if !may_loop {
        return;
    }
    let cfg = Cfg::new(body);
    let mut loops = cfg.loops();
    loops.sort_by_key(|l| l.blocks.len());
    let mut assignments = cfg::assignments(body);
    for l in loops {
        let Some(before) = cfg.preheader(body, &l) else {
            continue;
        };
        if !l
            .blocks
            .iter()
            .all(|b| body.blocks[b.0 as usize].statements.iter().all(pure))
        {
            continue;
        }
        let assigned_in_loop: HashSet<LocalId> = l
            .blocks
            .iter()
            .flat_map(|b| body.blocks[b.0 as usize].statements.iter())
            .flat_map(Statement::assigned)
            .collect();
        let holds_value = |x: LocalId| {
            body.params.contains(&x)
                || assignments
                    .get(&x)
                    .is_some_and(|bs| bs.iter().any(|(b, _)| cfg.dominates(*b, before)))
        };
        let mut hoisted = Vec::new();
        for b in &l.blocks {
            let statements = std::mem::take(&mut body.blocks[b.0 as usize].statements);
            let (moved, kept): (Vec<Statement>, Vec<Statement>) =
                statements.into_iter().partition(|s| match s {
                    Statement::Assign(
                        d,
                        Rvalue::Load {
                            base: Operand::Local(x),
                            ..
                        },
                    ) => {
                        let ty = body.locals[x.0 as usize].1;
                        ty.is_heap()
                            && !matches!(ty, Type::Optional(_))
                            && !assigned_in_loop.contains(x)
                            && assignments.get(d).is_some_and(|bs| bs.len() == 1)
                            && holds_value(*x)
                    }
                    _ => false,
                });
            body.blocks[b.0 as usize].statements = kept;
            hoisted.extend(moved);
        }
        for s in &hoisted {
            for d in s.assigned() {
                assignments.insert(d, vec![(before, 0)]);
            }
        }
        body.blocks[before.0 as usize].statements.extend(hoisted);
    }
}

/// Whether a statement can neither write an object header nor free one.
fn pure(s: &Statement) -> bool {
    matches!(
        s,
        Statement::Assign(..)
            | Statement::CheckedArith { .. }
            | Statement::StoreItem { .. }
            | Statement::CheckDepth { .. }
    )
}
