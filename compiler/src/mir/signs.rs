//! Sign facts after inlining: int locals that can never be negative, and
//! the tests `x < 0` on them folded to `False`.
//!
//! The lowering already knows some locals are never negative (`range` loop
//! variables from a non-negative constant with a positive step, and what is
//! computed from them). This pass finds the rest, after inlining has copied
//! callees' parameters from the caller's arguments: the largest set of int
//! locals such that every assignment to each gives a non-negative value
//! when the set's members are non-negative (a copy of a non-negative value,
//! a checked sum or product of non-negatives, a checked square, `%` or `//`
//! of a non-negative by a positive constant, a `&` with a non-negative,
//! a shift right of a non-negative, a `range` counter stepping up from a
//! non-negative start). By induction over the run, no member ever holds a
//! negative value where it is read (every local starts at zero, and a
//! parameter is never a member). A test `x < 0` on a member is then
//! `False`, which removes the floor fixups of `%` and `//` and the
//! negative-index handling of `xs[i]` (Cranelift folds what follows), and
//! its division by a positive constant becomes unsigned.

use super::{BinOp, IntCond};
use super::{CheckedOp, LocalId, Lowered, Operand, Rvalue, Statement};
use std::collections::{HashMap, HashSet};

/// How a local gets a value.
enum Def<'a> {
    /// `local = rvalue`.
    Rvalue(&'a Rvalue),
    /// The value of a checked `a op b`.
    Checked(CheckedOp, Operand, Operand),
    /// Anything else (a parameter, a call's or runtime function's result).
    Opaque,
}

/// Folds `x < 0` to `False` for every `x` proven non-negative, and makes
/// its division and remainder by a positive constant unsigned.
pub(super) fn fold_sign_tests(body: &mut Lowered) {
    let foldable = |s: &Statement| {
        matches!(
            s,
            Statement::Assign(
                _,
                Rvalue::Binary(
                    BinOp::ICmp(IntCond::SLt) | BinOp::SDiv | BinOp::SRem,
                    Operand::Local(_),
                    Operand::Int(_)
                )
            )
        )
    };
    if !body
        .blocks
        .iter()
        .any(|b| b.statements.iter().any(foldable))
    {
        return;
    }
    let nonneg = nonneg_locals(body);
    for block in &mut body.blocks {
        for s in &mut block.statements {
            let Statement::Assign(_, r) = s else {
                continue;
            };
            match r {
                Rvalue::Binary(BinOp::ICmp(IntCond::SLt), Operand::Local(x), Operand::Int(0))
                    if nonneg.contains(x) =>
                {
                    *r = Rvalue::Use(Operand::Bool(false));
                }
                Rvalue::Binary(
                    op @ (BinOp::SDiv | BinOp::SRem),
                    Operand::Local(x),
                    Operand::Int(k),
                ) if *k > 0 && nonneg.contains(x) => {
                    *op = if *op == BinOp::SDiv {
                        BinOp::UDiv
                    } else {
                        BinOp::URem
                    };
                }
                _ => {}
            }
        }
    }
}

/// The largest set of locals every assignment of which is non-negative
/// when the set's members are (see the module comment), with the
/// lowering's facts kept whatever their assignments look like.
fn nonneg_locals(body: &Lowered) -> HashSet<LocalId> {
    let mut defs: HashMap<LocalId, Vec<Def>> = HashMap::new();
    for block in &body.blocks {
        for s in &block.statements {
            match s {
                Statement::Assign(l, r) => defs.entry(*l).or_default().push(Def::Rvalue(r)),
                Statement::CheckedArith {
                    value, op, a, b, ..
                } => defs
                    .entry(*value)
                    .or_default()
                    .push(Def::Checked(*op, *a, *b)),
                _ => {
                    for l in s.assigned() {
                        defs.entry(l).or_default().push(Def::Opaque);
                    }
                }
            }
        }
    }
    for p in &body.params {
        defs.entry(*p).or_default().push(Def::Opaque);
    }
    let mut known: HashSet<LocalId> = defs
        .keys()
        .copied()
        .chain(body.nonneg.iter().copied())
        .collect();
    loop {
        let refuted: Vec<LocalId> = defs
            .iter()
            .filter(|(l, ds)| {
                known.contains(l)
                    && !body.nonneg.contains(l)
                    && !ds
                        .iter()
                        .all(|d| nonneg_def(**l, d, &known, &body.counters))
            })
            .map(|(l, _)| *l)
            .collect();
        if refuted.is_empty() {
            return known;
        }
        for l in refuted {
            known.remove(&l);
        }
    }
}

fn nonneg_operand(o: Operand, known: &HashSet<LocalId>) -> bool {
    match o {
        Operand::Int(k) => k >= 0,
        Operand::Local(l) => known.contains(&l),
        _ => false,
    }
}

/// Whether definition `d` of `local` is non-negative when `known` are.
fn nonneg_def(
    local: LocalId,
    d: &Def,
    known: &HashSet<LocalId>,
    counters: &HashSet<LocalId>,
) -> bool {
    let n = |o| nonneg_operand(o, known);
    match d {
        Def::Rvalue(Rvalue::Use(o)) => n(*o),
        Def::Rvalue(Rvalue::Select(_, a, b)) => n(*a) && n(*b),
        Def::Rvalue(Rvalue::Binary(
            BinOp::SRem | BinOp::URem | BinOp::SDiv | BinOp::UDiv,
            a,
            Operand::Int(k),
        )) => *k > 0 && n(*a),
        Def::Rvalue(Rvalue::Binary(BinOp::And, a, b)) => n(*a) || n(*b),
        Def::Rvalue(Rvalue::Binary(BinOp::SShr, a, _)) => n(*a),
        Def::Rvalue(Rvalue::Binary(BinOp::IAdd, a, b)) if counters.contains(&local) => {
            n(*a) && n(*b)
        }
        // Used only where it did not overflow.
        Def::Checked(CheckedOp::Mul, Operand::Local(a), Operand::Local(b)) if a == b => true,
        Def::Checked(CheckedOp::Add | CheckedOp::Mul, a, b) => n(*a) && n(*b),
        _ => false,
    }
}
