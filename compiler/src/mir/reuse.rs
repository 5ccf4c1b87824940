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
    down_trees(body, rewrite);
}

/// Calls `f` on each block with what the blocks before it in its tree
/// made available: each block with several (or no) ways in roots a tree
/// of blocks with one way in, down which it flows.
fn down_trees<A: Default + Clone>(body: &mut Lowered, f: fn(&mut BasicBlock, &mut A)) {
    let predecessors = super::predecessor_counts(&body.blocks, &super::reachable(&body.blocks));
    for root in 0..body.blocks.len() {
        if root != 0 && predecessors[root] == 1 {
            continue;
        }
        let mut pending = vec![(root, A::default())];
        while let Some((block, mut available)) = pending.pop() {
            f(&mut body.blocks[block], &mut available);
            for s in body.blocks[block].terminator.successors() {
                if predecessors[s.0 as usize] == 1 && s.0 != 0 {
                    pending.push((s.0 as usize, available.clone()));
                }
            }
        }
    }
}

/// What a load reads: a field of an object, an item of a list's buffer,
/// or a byte of a string's text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Place {
    Field(Arg, i32),
    Item(Arg, Arg),
    Byte(Arg, i32, Arg),
}

impl Place {
    fn of(r: &Rvalue) -> Option<Place> {
        match *r {
            // Offset 0 is the reference count, which changes.
            Rvalue::Load { base, offset } if offset != 0 => {
                Some(Place::Field(Arg::of(base)?, offset))
            }
            Rvalue::LoadItem { data, index } => Some(Place::Item(Arg::of(data)?, Arg::of(index)?)),
            Rvalue::LoadByte {
                base,
                offset,
                index,
            } => Some(Place::Byte(Arg::of(base)?, offset, Arg::of(index)?)),
            _ => None,
        }
    }

    fn mentions(self, l: LocalId) -> bool {
        let l = Arg::Local(l);
        match self {
            Place::Field(a, _) => a == l,
            Place::Item(a, b) | Place::Byte(a, _, b) => a == l || b == l,
        }
    }
}

/// Replaces loads in `body` that repeat one made earlier down the same
/// tree of blocks, with nothing in between that could store, by copies of
/// the earlier value (`cur[i]` read twice in one expression; a length
/// read by the check of each subscript).
pub(super) fn reuse_loads(body: &mut Lowered) {
    down_trees(body, rewrite_loads);
}

/// Rewrites one block's loads, given the loads done before it.
fn rewrite_loads(block: &mut BasicBlock, loaded: &mut HashMap<Place, LocalId>) {
    for s in &mut block.statements {
        let place = match s {
            Statement::Assign(t, r) => Place::of(r).map(|p| (*t, p)),
            _ => None,
        };
        let reused = place.and_then(|(t, p)| loaded.get(&p).map(|&earlier| (t, earlier)));
        if let Some((t, earlier)) = reused {
            *s = Statement::Assign(t, Rvalue::Use(Operand::Local(earlier)));
        }
        match s {
            // Changes no object's fields, items or text: reference counts
            // (never loaded here) and freeing only.
            Statement::Assign(..)
            | Statement::CheckedArith { .. }
            | Statement::IncRef(_)
            | Statement::DecRef(_) => {}
            _ => loaded.clear(),
        }
        for l in s.assigned() {
            loaded.retain(|p, v| *v != l && !p.mentions(l));
        }
        if let (Some((t, p)), None) = (place, reused) {
            if !p.mentions(t) {
                loaded.insert(p, t);
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
