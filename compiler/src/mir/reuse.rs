//! Reuse of checked arithmetic: `(i + j) * (i + j + 1)` computes and checks
//! `i + j` once.
//!
//! Down a tree of blocks where each one is the only way into the next, a
//! checked operation whose operands were not assigned since the same
//! operation was done takes the earlier value; its overflow flag is false
//! (the earlier check would have raised), so a branch on it becomes a jump.

use super::Terminator;
use super::{Arg, BasicBlock, CheckedOp, LocalId, Lowered, Operand, Rvalue, Statement};
use std::collections::{HashMap, HashSet};

type Key = (CheckedOp, Arg, Arg);

/// What the blocks walked so far have computed.
#[derive(Default, Clone)]
struct Available {
    /// Checked operations done, with the local holding each result.
    done: HashMap<Key, LocalId>,
    /// Overflow flags known to be false.
    no_overflow: HashSet<LocalId>,
}

impl Available {
    /// `l` is assigned: what used it is no longer known.
    fn forget(&mut self, l: LocalId) {
        self.done
            .retain(|k, v| *v != l && k.1 != Arg::Local(l) && k.2 != Arg::Local(l));
        self.no_overflow.remove(&l);
    }
}

/// Replaces repeated checked operations in `body` by the earlier results.
pub(super) fn reuse_checked(body: &mut Lowered) {
    let predecessors = super::predecessor_counts(&body.blocks, &super::reachable(&body.blocks));
    // Each block with several (or no) ways in roots a tree of blocks with
    // one way in; what is available flows down the tree.
    for root in 0..body.blocks.len() {
        if root != 0 && predecessors[root] == 1 {
            continue;
        }
        let mut pending = vec![(root, Available::default())];
        while let Some((block, mut available)) = pending.pop() {
            rewrite(&mut body.blocks[block], &mut available);
            for s in body.blocks[block].terminator.successors() {
                if predecessors[s.0 as usize] == 1 && s.0 != 0 {
                    pending.push((s.0 as usize, available.clone()));
                }
            }
        }
    }
}

/// Rewrites one block, given what the chain computed before it.
fn rewrite(block: &mut BasicBlock, available: &mut Available) {
    let mut out = Vec::with_capacity(block.statements.len());
    for s in block.statements.drain(..) {
        if let Statement::CheckedArith {
            value,
            overflow,
            op,
            a,
            b,
        } = s
        {
            if let (Some(x), Some(y)) = (Arg::of(a), Arg::of(b)) {
                let key = (op, x, y);
                if let Some(&earlier) = available.done.get(&key) {
                    available.forget(value);
                    available.forget(overflow);
                    available.no_overflow.insert(overflow);
                    out.push(Statement::Assign(
                        value,
                        Rvalue::Use(Operand::Local(earlier)),
                    ));
                    out.push(Statement::Assign(
                        overflow,
                        Rvalue::Use(Operand::Bool(false)),
                    ));
                    continue;
                }
                available.forget(value);
                available.forget(overflow);
                if x != Arg::Local(value) && y != Arg::Local(value) {
                    available.done.insert(key, value);
                }
                out.push(s);
                continue;
            }
        }
        for l in s.assigned() {
            available.forget(l);
        }
        out.push(s);
    }
    block.statements = out;
    if let Terminator::Branch {
        cond: Operand::Local(c),
        otherwise,
        ..
    } = block.terminator
    {
        if available.no_overflow.contains(&c) {
            block.terminator = Terminator::Goto(otherwise);
        }
    }
}
