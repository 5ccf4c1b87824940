//! Sign facts after inlining: int locals that can never be negative, and
//! the tests `x < 0` on them folded to `False`.
//!
//! The lowering already knows some locals are never negative (`range` loop
//! variables from a non-negative constant with a positive step, and what is
//! computed from them). Inlining copies a callee's parameters from the
//! caller's arguments, so facts can now flow into the copy: a local is
//! non-negative when every assignment to it is (a copy of a non-negative
//! value, a checked sum or product of non-negatives, `%` or `//` of a
//! non-negative by a positive constant). A test `x < 0` on such a local is
//! then `False`, which removes the floor fixups of `%` and `//` and the
//! negative-index handling of `xs[i]` (Cranelift folds what follows).

use super::{BinOp, IntCond};
use super::{CheckedOp, LocalId, Lowered, Operand, Rvalue, Statement};
use std::collections::{HashMap, HashSet};

/// How a local gets a value.
enum Def<'a> {
    /// `local = rvalue`.
    Rvalue(&'a Rvalue),
    /// The value of a checked `a op b`.
    Checked(CheckedOp, Operand, Operand),
    /// Anything else (a call's or runtime function's result, a release).
    Opaque,
}

/// Folds `x < 0` to `False` for every `x` proven non-negative, and makes
/// its division by a positive constant unsigned (a shift for a power of 2).
pub(super) fn fold_sign_tests(body: &mut Lowered) {
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
                Rvalue::Binary(op @ BinOp::SDiv, Operand::Local(x), Operand::Int(k))
                    if *k > 0 && nonneg.contains(x) =>
                {
                    *op = BinOp::UDiv;
                }
                _ => {}
            }
        }
    }
}

/// The locals every assignment of which is non-negative, growing from the
/// lowering's facts until nothing changes.
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
    let mut known = body.nonneg.clone();
    loop {
        let before = known.len();
        for (l, ds) in &defs {
            if !known.contains(l) && ds.iter().all(|d| nonneg_def(d, &known)) {
                known.insert(*l);
            }
        }
        if known.len() == before {
            return known;
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

fn nonneg_def(d: &Def, known: &HashSet<LocalId>) -> bool {
    let n = |o| nonneg_operand(o, known);
    match d {
        Def::Rvalue(Rvalue::Use(o)) => n(*o),
        Def::Rvalue(Rvalue::Select(_, a, b)) => n(*a) && n(*b),
        Def::Rvalue(Rvalue::Binary(
            BinOp::SRem | BinOp::SDiv | BinOp::UDiv,
            a,
            Operand::Int(k),
        )) => *k > 0 && n(*a),
        // Used only where it did not overflow.
        Def::Checked(CheckedOp::Add | CheckedOp::Mul, a, b) => n(*a) && n(*b),
        _ => false,
    }
}
