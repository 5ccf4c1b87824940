//! Reuse of checked arithmetic: `(i + j) * (i + j + 1)` computes and checks
//! `i + j` once.
//!
//! Down a tree of blocks where each one is the only way into the next, a
//! checked operation whose operands were not assigned since the same
//! operation was done takes the earlier value; its overflow flag is false
//! (the earlier check would have raised), so a branch on it becomes a jump.

use super::Terminator;
use super::{Arg, BasicBlock, CheckedOp, LocalId, Lowered, Operand, Rvalue, Statement};
use crate::hir::Type;
use std::collections::{HashMap, HashSet};

type Key = (CheckedOp, Arg, Arg);

/// What the blocks walked so far have computed.
#[derive(Default, Clone)]
struct Available {
    /// Checked operations done (over the originals of copies), with the
    /// local holding each result.
    done: HashMap<Key, LocalId>,
    /// Overflow flags known to be false.
    no_overflow: HashSet<LocalId>,
    copies: Copies,
}

impl Available {
    /// `l` is assigned: what used it is no longer known.
    fn forget(&mut self, l: LocalId) {
        self.done
            .retain(|k, v| *v != l && k.1 != Arg::Local(l) && k.2 != Arg::Local(l));
        self.no_overflow.remove(&l);
        self.copies.forget(l);
    }
}

/// `t -> x` for each `t = x` still holding down a tree of blocks (`x`
/// not a copy itself).
#[derive(Default, Clone)]
struct Copies(HashMap<LocalId, LocalId>);

impl Copies {
    /// `a`, or the local it is a copy of.
    fn original(&self, a: Arg) -> Arg {
        match a {
            Arg::Local(l) => Arg::Local(self.0.get(&l).copied().unwrap_or(l)),
            k => k,
        }
    }

    /// `l` is assigned: copies of it or into it no longer hold.
    fn forget(&mut self, l: LocalId) {
        self.0.retain(|t, x| *t != l && *x != l);
    }

    /// Notes `s` if it is a copy (after forgetting what it assigns).
    fn note(&mut self, s: &Statement) {
        if let Statement::Assign(t, Rvalue::Use(Operand::Local(x))) = *s {
            if let Arg::Local(x) = self.original(Arg::Local(x)) {
                if x != t {
                    self.0.insert(t, x);
                }
            }
        }
    }
}

/// Replaces repeated checked operations in `body` by the earlier results.
pub(super) fn reuse_checked(body: &mut Lowered) {
    down_trees(&mut body.blocks, rewrite);
}

/// Calls `f` on each block with what the blocks before it in its tree
/// made available: each block with several (or no) ways in roots a tree
/// of blocks with one way in, down which it flows.
fn down_trees<A: Default + Clone>(
    blocks: &mut [BasicBlock],
    mut f: impl FnMut(&mut BasicBlock, &mut A),
) {
    let predecessors = super::predecessor_counts(blocks, &super::reachable(blocks));
    for root in 0..blocks.len() {
        if root != 0 && predecessors[root] == 1 {
            continue;
        }
        let mut pending = vec![(root, A::default())];
        while let Some((block, mut available)) = pending.pop() {
            f(&mut blocks[block], &mut available);
            for s in blocks[block].terminator.successors() {
                if predecessors[s.0 as usize] == 1 && s.0 != 0 {
                    pending.push((s.0 as usize, available.clone()));
                }
            }
        }
    }
}

/// What a load reads: a field of an object, an item of a buffer of items
/// of a type, or a byte of a string's text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Place {
    Field(Arg, i32),
    Item(Arg, Arg, Type),
    Byte(Arg, i32, Arg),
}

impl Place {
    /// The place `r` reads into a local of type `ty`.
    fn of(r: &Rvalue, ty: Type) -> Option<Place> {
        match *r {
            // Offset 0 is the reference count, which changes.
            Rvalue::Load { base, offset } if offset != 0 => {
                Some(Place::Field(Arg::of(base)?, offset))
            }
            Rvalue::LoadItem { data, index } => {
                Some(Place::Item(Arg::of(data)?, Arg::of(index)?, ty))
            }
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
            Place::Item(a, b, _) | Place::Byte(a, _, b) => a == l || b == l,
        }
    }
}

/// Replaces loads in `body` that repeat one made earlier down the same
/// tree of blocks, with nothing in between that could store, by copies of
/// the earlier value (`cur[i]` read twice in one expression; a length
/// read by the check of each subscript; the row of `rows[i][j]` read for
/// the load and the store of `rows[i][j] += 1`).
pub(super) fn reuse_loads(body: &mut Lowered) {
    let locals = &body.locals;
    down_trees(&mut body.blocks, |block, loaded| {
        rewrite_loads(block, loaded, locals)
    });
}

/// The loads done so far, and which locals are copies of which.
#[derive(Default, Clone)]
struct Loaded {
    done: HashMap<Place, LocalId>,
    copies: Copies,
}

impl Loaded {
    /// `p` over the originals of its operands.
    fn canonical(&self, p: Place) -> Place {
        let original = |a| self.copies.original(a);
        match p {
            Place::Field(a, k) => Place::Field(original(a), k),
            Place::Item(a, b, t) => Place::Item(original(a), original(b), t),
            Place::Byte(a, k, b) => Place::Byte(original(a), k, original(b)),
        }
    }

    /// `l` is assigned: what mentions its old value goes.
    fn forget(&mut self, l: LocalId) {
        self.done.retain(|p, v| *v != l && !p.mentions(l));
        self.copies.forget(l);
    }
}

/// Rewrites one block's loads, given the loads done before it.
fn rewrite_loads(block: &mut BasicBlock, loaded: &mut Loaded, locals: &[(String, Type)]) {
    let type_of = |o: Operand| match o {
        Operand::Local(l) => locals[l.0 as usize].1,
        Operand::Int(_) => Type::Int,
        Operand::Float(_) => Type::Float,
        Operand::Bool(_) => Type::Bool,
    };
    for s in &mut block.statements {
        let place = match s {
            Statement::Assign(t, r) => {
                Place::of(r, type_of(Operand::Local(*t))).map(|p| (*t, loaded.canonical(p)))
            }
            _ => None,
        };
        let reused = place.and_then(|(t, p)| loaded.done.get(&p).map(|&earlier| (t, earlier)));
        if let Some((t, earlier)) = reused {
            *s = Statement::Assign(t, Rvalue::Use(Operand::Local(earlier)));
        }
        match *s {
            // Changes no object's fields, items or text: reference counts
            // (never loaded here) and freeing only.
            Statement::Assign(..)
            | Statement::CheckedArith { .. }
            | Statement::IncRef(_)
            | Statement::DecRef(_) => {}
            // An item into a buffer of items of its type: no other buffer
            // (each holds items of one type), no field, no text changes.
            Statement::StoreItem { value, .. } => {
                let stored = type_of(value);
                loaded
                    .done
                    .retain(|p, _| !matches!(p, Place::Item(_, _, t) if *t == stored));
            }
            // A byte of a string's text: no field or item changes.
            Statement::StoreByte { .. } => {
                loaded.done.retain(|p, _| !matches!(p, Place::Byte(..)));
            }
            // A field: the same field of another object may be this one.
            Statement::Store { offset, .. } => {
                loaded
                    .done
                    .retain(|p, _| !matches!(p, Place::Field(_, k) if *k == offset));
            }
            // A runtime function that changes no object (`math.sqrt`,
            // making a new string).
            Statement::Runtime { func, .. } if func.keeps_objects() => {}
            _ => loaded.done.clear(),
        }
        for l in s.assigned() {
            loaded.forget(l);
        }
        loaded.copies.note(s);
        if let (Some((t, p)), None) = (place, reused) {
            if !p.mentions(t) {
                loaded.done.insert(p, t);
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
                let key = (
                    op,
                    available.copies.original(x),
                    available.copies.original(y),
                );
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
                if key.1 != Arg::Local(value) && key.2 != Arg::Local(value) {
                    available.done.insert(key, value);
                }
                out.push(s);
                continue;
            }
        }
        for l in s.assigned() {
            available.forget(l);
        }
        available.copies.note(&s);
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
