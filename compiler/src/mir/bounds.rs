//! Bounds from branches: below `if n < 2: return n`, `n - 1` and `n - 2`
//! cannot overflow; inside `while i < n:`, `i += 1` cannot either.
//!
//! A branch on a comparison of an int local (`x < k`, `x <= k`, `x > k`,
//! `x >= k`, `x == k` with a constant `k`, or `x < y`, `x > y` with a local
//! `y`, either way round) tells a bound of `x` on each edge: `x <= k - 1`
//! on the true edge of `x < k`, `x >= k` on its false edge, and
//! `x <= i64::MAX - 1` on the true edge of `x < y` whatever `y` is. The
//! comparison must be made in the branching block, with neither side
//! assigned after it there. A bound holds at a point when it holds on
//! every way there: a forward analysis intersects the bounds of all edges
//! into a block (the entry block has none) and forgets a local's bounds
//! where it is assigned. A checked `x + c` or `x - c` (a constant `c`)
//! whose result the bounds of `x` keep inside i64 becomes the plain
//! operation, and its overflow branch a jump.

use super::{BinOp, CheckedOp, IntCond, LocalId, Lowered, Operand, Rvalue, Statement, Terminator};
use std::collections::{HashMap, HashSet};

/// `x <= value` (`upper`) or `x >= value`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Bound {
    x: LocalId,
    upper: bool,
    value: i64,
}

/// A set of bounds, as bits over the body's list of bounds.
#[derive(Clone, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn empty(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }

    fn full(n: usize) -> Bits {
        let mut b = Bits(vec![u64::MAX; n.div_ceil(64)]);
        if !n.is_multiple_of(64) {
            if let Some(last) = b.0.last_mut() {
                *last = (1u64 << (n % 64)) - 1;
            }
        }
        b
    }

    fn has(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    fn set(&mut self, i: usize, on: bool) {
        if on {
            self.0[i / 64] |= 1 << (i % 64);
        } else {
            self.0[i / 64] &= !(1 << (i % 64));
        }
    }

    fn meet(&mut self, other: &Bits) -> bool {
        let mut changed = false;
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            let m = *a & *b;
            changed |= m != *a;
            *a = m;
        }
        changed
    }
}

/// The checked operation a statement is, when its first operand is a
/// local and its second a constant (`c + x` counts as `x + c`).
fn candidate(s: &Statement) -> Option<(LocalId, CheckedOp, i64)> {
    match *s {
        Statement::CheckedArith {
            op: op @ (CheckedOp::Add | CheckedOp::Sub),
            a: Operand::Local(x),
            b: Operand::Int(c),
            ..
        } => Some((x, op, c)),
        Statement::CheckedArith {
            op: CheckedOp::Add,
            a: Operand::Int(c),
            b: Operand::Local(x),
            ..
        } => Some((x, CheckedOp::Add, c)),
        _ => None,
    }
}

/// The bounds that `x cond y` being `holds` tells about int locals.
fn bounds_of(x: Operand, cond: IntCond, y: Operand, holds: bool) -> Vec<Bound> {
    let (x, cond, y) = match (x, y) {
        (Operand::Local(_), _) => (x, cond, y),
        // `k < x` is `x > k`.
        (_, Operand::Local(_)) => {
            let flipped = match cond {
                IntCond::SLt => IntCond::SGt,
                IntCond::SLe => IntCond::SGe,
                IntCond::SGt => IntCond::SLt,
                IntCond::SGe => IntCond::SLe,
                IntCond::Eq => IntCond::Eq,
                IntCond::Ne => IntCond::Ne,
                _ => return Vec::new(),
            };
            (y, flipped, x)
        }
        _ => return Vec::new(),
    };
    let Operand::Local(x) = x else {
        return Vec::new();
    };
    // What holds, as `x cond y` with `cond` true.
    let cond = if holds {
        cond
    } else {
        match cond {
            IntCond::SLt => IntCond::SGe,
            IntCond::SLe => IntCond::SGt,
            IntCond::SGt => IntCond::SLe,
            IntCond::SGe => IntCond::SLt,
            IntCond::Eq => IntCond::Ne,
            IntCond::Ne => IntCond::Eq,
            _ => return Vec::new(),
        }
    };
    let upper = |value| Bound {
        x,
        upper: true,
        value,
    };
    let lower = |value| Bound {
        x,
        upper: false,
        value,
    };
    match (cond, y) {
        (IntCond::SLt, Operand::Int(k)) => k.checked_sub(1).map(upper).into_iter().collect(),
        (IntCond::SLe, Operand::Int(k)) => vec![upper(k)],
        (IntCond::SGt, Operand::Int(k)) => k.checked_add(1).map(lower).into_iter().collect(),
        (IntCond::SGe, Operand::Int(k)) => vec![lower(k)],
        (IntCond::Eq, Operand::Int(k)) => vec![upper(k), lower(k)],
        // Below or above some other int.
        (IntCond::SLt, Operand::Local(y)) => vec![
            upper(i64::MAX - 1),
            Bound {
                x: y,
                upper: false,
                value: i64::MIN + 1,
            },
        ],
        (IntCond::SGt, Operand::Local(y)) => vec![
            lower(i64::MIN + 1),
            Bound {
                x: y,
                upper: true,
                value: i64::MAX - 1,
            },
        ],
        _ => Vec::new(),
    }
}

/// The comparison a block's branch tests: `(x, cond, y)` computed in the
/// block (through copies) with neither side assigned after it.
fn tested_comparison(
    statements: &[Statement],
    cond: LocalId,
) -> Option<(Operand, IntCond, Operand)> {
    let mut c = cond;
    for (i, s) in statements.iter().enumerate().rev() {
        let Statement::Assign(l, r) = s else {
            if s.assigned().any(|l| l == c) {
                return None;
            }
            continue;
        };
        if *l != c {
            continue;
        }
        match r {
            Rvalue::Use(Operand::Local(from)) => c = *from,
            Rvalue::Binary(BinOp::ICmp(cond), a, b) => {
                let later = &statements[i + 1..];
                let unchanged = |o: &Operand| match o {
                    Operand::Local(l) => !later.iter().any(|s| s.assigned().any(|a| a == *l)),
                    _ => true,
                };
                return (unchanged(a) && unchanged(b)).then_some((*a, *cond, *b));
            }
            _ => return None,
        }
    }
    None
}

/// Removes the overflow checks of additions and subtractions of constants
/// that the branches before them prove cannot overflow.
pub(super) fn drop_proven_checks(body: &mut Lowered) {
    let wanted: HashSet<LocalId> = body
        .blocks
        .iter()
        .flat_map(|b| b.statements.iter().filter_map(candidate))
        .map(|(x, ..)| x)
        .collect();
    if wanted.is_empty() {
        return;
    }
    // Every bound some edge tells about a local some candidate reads.
    let mut universe: Vec<Bound> = Vec::new();
    let mut index: HashMap<Bound, usize> = HashMap::new();
    let mut edges: Vec<Vec<(usize, Vec<usize>)>> = Vec::with_capacity(body.blocks.len());
    for block in &body.blocks {
        let mut out = Vec::new();
        if let Terminator::Branch {
            cond: Operand::Local(c),
            then,
            otherwise,
        } = block.terminator
        {
            let tested = tested_comparison(&block.statements, c);
            for (target, holds) in [(then, true), (otherwise, false)] {
                let mut told = Vec::new();
                if let Some((x, cond, y)) = tested {
                    for bound in bounds_of(x, cond, y, holds) {
                        if !wanted.contains(&bound.x) {
                            continue;
                        }
                        let i = *index.entry(bound).or_insert_with(|| {
                            universe.push(bound);
                            universe.len() - 1
                        });
                        told.push(i);
                    }
                }
                out.push((target.0 as usize, told));
            }
        } else {
            out = block
                .terminator
                .successors()
                .into_iter()
                .map(|s| (s.0 as usize, Vec::new()))
                .collect();
        }
        edges.push(out);
    }
    if universe.is_empty() {
        return;
    }
    let n = universe.len();
    let mut by_local: HashMap<LocalId, Vec<usize>> = HashMap::new();
    for (i, b) in universe.iter().enumerate() {
        by_local.entry(b.x).or_default().push(i);
    }
    let forget = |set: &mut Bits, s: &Statement| {
        for l in s.assigned() {
            for &i in by_local.get(&l).into_iter().flatten() {
                set.set(i, false);
            }
        }
    };
    // The bounds holding on entry to each block: the greatest solution,
    // from "all" down (the entry block: none).
    let mut entry: Vec<Bits> = vec![Bits::full(n); body.blocks.len()];
    entry[0] = Bits::empty(n);
    loop {
        let mut changed = false;
        for (b, block) in body.blocks.iter().enumerate() {
            let mut out = entry[b].clone();
            for s in &block.statements {
                forget(&mut out, s);
            }
            for (target, told) in &edges[b] {
                let mut along = out.clone();
                for &i in told {
                    along.set(i, true);
                }
                changed |= entry[*target].meet(&along);
            }
        }
        if !changed {
            break;
        }
    }
    let fits = |set: &Bits, x: LocalId, op: CheckedOp, c: i64| {
        // The side the result could leave i64 by.
        let up = (op == CheckedOp::Add) == (c > 0);
        let step = if op == CheckedOp::Add {
            c as i128
        } else {
            -(c as i128)
        };
        by_local.get(&x).into_iter().flatten().any(|&i| {
            let b = universe[i];
            set.has(i) && b.upper == up && {
                let r = b.value as i128 + step;
                (i64::MIN as i128..=i64::MAX as i128).contains(&r)
            }
        })
    };
    for (b, block) in body.blocks.iter_mut().enumerate() {
        let mut set = entry[b].clone();
        let mut proven = Vec::new();
        for (i, s) in block.statements.iter().enumerate() {
            if let Some((x, op, c)) = candidate(s) {
                if c == 0 || fits(&set, x, op, c) {
                    proven.push((i, op));
                }
            }
            forget(&mut set, s);
        }
        // From the last, so that the indices before stay valid.
        for (i, op) in proven.into_iter().rev() {
            let plain = if op == CheckedOp::Add {
                BinOp::IAdd
            } else {
                BinOp::ISub
            };
            super::drop_overflow_check(block, i, plain);
        }
    }
}
