//! Lower bounds from branches: below `if n < 2: return n`, `n - 1` and
//! `n - 2` cannot overflow, so their checks go.
//!
//! A branch on `x < k`, `x <= k`, `x > k`, `x >= k` or `x == k` (a
//! constant `k`) tells a lower bound of `x` on one of its edges. The bound
//! holds in every block that edge's target dominates (the target has no
//! other way in) when `x` is a parameter never assigned, or a local with a
//! single assignment whose block dominates the branch: then every way to
//! such a block passes the test after the value tested was made, and the
//! value cannot change before it. A checked `x - c` with a constant
//! `c >= 0` there, where `x >= 0`, is at least `-c` and never overflows:
//! it becomes a plain subtraction, and its overflow branch a jump.

use super::cfg::{self, Cfg};
use super::{
    BinOp, BlockId, CheckedOp, IntCond, LocalId, Lowered, Operand, Rvalue, Statement, Terminator,
};

/// `x >= bound` wherever `from` dominates.
struct Fact {
    x: LocalId,
    bound: i64,
    from: BlockId,
}

/// Removes the overflow checks of subtractions that a dominating branch
/// proves cannot overflow.
pub(super) fn drop_proven_checks(body: &mut Lowered) {
    let candidate = |s: &Statement| matches!(s, Statement::CheckedArith { op: CheckedOp::Sub, a: Operand::Local(_), b: Operand::Int(c), .. } if *c >= 0);
    if !body
        .blocks
        .iter()
        .any(|b| b.statements.iter().any(candidate))
    {
        return;
    }
    let cfg = Cfg::new(body);
    let assignments = cfg::assignments(body);
    let single = |x: LocalId| match assignments.get(&x).map(Vec::as_slice) {
        Some([only]) => Some(*only),
        _ => None,
    };
    // Where the value a local holds is made once and for all (a parameter
    // never assigned: before the entry block's first statement).
    let made = |x: LocalId| match assignments.get(&x) {
        None if body.params.contains(&x) => Some((BlockId(0), None)),
        _ => single(x).map(|(b, i)| (b, Some(i))),
    };
    // The comparison a branch condition copies, through single assignments
    // (a chain no longer than the locals: `m = m` copies itself).
    let comparison = |mut c: LocalId| {
        for _ in 0..body.locals.len() {
            let (b, i) = single(c)?;
            match &body.blocks[b.0 as usize].statements[i] {
                Statement::Assign(_, Rvalue::Use(Operand::Local(from))) => c = *from,
                Statement::Assign(
                    _,
                    Rvalue::Binary(BinOp::ICmp(cond), Operand::Local(x), Operand::Int(k)),
                ) => return Some((b, i, *cond, *x, *k)),
                _ => return None,
            }
        }
        None
    };
    let mut facts = Vec::new();
    for (b, block) in body.blocks.iter().enumerate() {
        let Terminator::Branch {
            cond: Operand::Local(c),
            then,
            otherwise,
        } = block.terminator
        else {
            continue;
        };
        let Some((at_block, at, cond, x, k)) = comparison(c) else {
            continue;
        };
        // The edge on which `x >= bound`.
        let (edge, bound) = match cond {
            IntCond::SLt => (otherwise, Some(k)),
            IntCond::SGe | IntCond::Eq => (then, Some(k)),
            IntCond::SLe => (otherwise, k.checked_add(1)),
            IntCond::SGt => (then, k.checked_add(1)),
            _ => continue,
        };
        let (Some(bound), Some((made_block, made_at))) = (bound, made(x)) else {
            continue;
        };
        // `x` was made before the comparison, which was made before the
        // branch, and neither changes after.
        let made_first = if made_block == at_block {
            made_at.is_none_or(|i| i < at)
        } else {
            cfg.dominates(made_block, at_block)
        };
        let here = BlockId(b as u32);
        if cfg.predecessors[edge.0 as usize].len() == 1
            && edge != here
            && made_first
            && cfg.dominates(at_block, here)
        {
            facts.push(Fact {
                x,
                bound,
                from: edge,
            });
        }
    }
    if facts.is_empty() {
        return;
    }
    for (b, block) in body.blocks.iter_mut().enumerate() {
        let here = BlockId(b as u32);
        let mut proven = Vec::new();
        for s in &mut block.statements {
            let Statement::CheckedArith {
                value,
                overflow,
                op: CheckedOp::Sub,
                a: Operand::Local(x),
                b: Operand::Int(c),
            } = *s
            else {
                continue;
            };
            let nonneg = facts
                .iter()
                .any(|f| f.x == x && f.bound >= 0 && cfg.dominates(f.from, here));
            if c >= 0 && nonneg {
                *s = Statement::Assign(
                    value,
                    Rvalue::Binary(BinOp::ISub, Operand::Local(x), Operand::Int(c)),
                );
                proven.push(overflow);
            }
        }
        for overflow in &proven {
            block.statements.push(Statement::Assign(
                *overflow,
                Rvalue::Use(Operand::Bool(false)),
            ));
        }
        if let Terminator::Branch {
            cond: Operand::Local(c),
            otherwise,
            ..
        } = block.terminator
        {
            if proven.contains(&c) {
                block.terminator = Terminator::Goto(otherwise);
            }
        }
    }
}
