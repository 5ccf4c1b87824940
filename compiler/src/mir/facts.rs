//! Facts from branches: what a branch tested still holds below it. Under
//! `while j >= 0 and xs[j] > key:`, the negative-index fix-up `j < 0` of
//! the body's `xs[j]` is false, and so is the bounds check `j >= len(xs)`
//! the condition already made; `j + 1 < 0` is false too. Below
//! `if n < 2: return n`, `n - 1` cannot overflow.
//!
//! A branch on an int comparison `x cond y` (each side a local or a
//! constant) tells a *fact* on each edge: `x cond y` on the true one, its
//! negation on the false one; a branch on `p and q` tells both on its true
//! edge, on `p or q` both negations on its false edge, on `not p` the
//! other way round. Operands are followed back through the block's copies
//! (`t = x`, and `t = select(k, a, b)` with a constant `k`) to the local
//! they copy, while that local is not assigned again; a fact is told of
//! each side's own name and of what it copies, where neither is assigned
//! between the comparison and the branch.
//!
//! A forward analysis keeps the facts that hold on every way into each
//! block (none on entry; the greatest solution), forgets a fact where
//! either side is assigned, and carries facts through `t = x` and through
//! `t = x + c` with a constant `c` whose result the value ranges
//! ([`super::ranges`]) prove exact: `x >= k` gives `t >= k + c`, `x < y`
//! gives `t <= y` for `c = 1`. Derived facts are derived again at most
//! [`DERIVE_ROUNDS`] times, and a body has at most [`MAX_FACTS`].
//!
//! Then, where the facts holding there decide it: an int comparison
//! becomes a constant (the same comparison or its negation is a fact, or
//! the intervals that the facts and the value ranges give its sides do);
//! a checked `+`, `-`, `*` whose exact result those intervals keep inside
//! i64 becomes the plain operation (its overflow branch a jump); a select
//! on a constant becomes a copy and a branch on a constant a jump. A
//! select decided this way can make a copy the next round sees through
//! (the negative-index fix-up's select, once `j < 0` is false), so the
//! pass runs again then, [`ROUNDS`] times at most.

use super::ranges::{self, Interval};
use super::{Arg, BasicBlock, BinOp, CheckedOp, IntCond, LocalId, Lowered, Operand};
use super::{Rvalue, Statement, Terminator, UnOp};
use std::collections::HashMap;

/// How many times the pass runs while deciding selects.
const ROUNDS: usize = 2;
/// How many times facts are derived from derived facts.
const DERIVE_ROUNDS: usize = 2;
/// The most facts one body tracks (derivation stops there).
const MAX_FACTS: usize = 4096;

/// `x cond y` holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Fact {
    x: LocalId,
    cond: IntCond,
    y: Arg,
}

impl Fact {
    /// `a cond b` as a fact about a local (`k < x` is `x > k`); none
    /// between two constants.
    fn new(a: Arg, cond: IntCond, b: Arg) -> Option<Fact> {
        match (a, b) {
            (Arg::Local(x), y) => Some(Fact { x, cond, y }),
            (Arg::Int(_), Arg::Local(x)) => Some(Fact {
                x,
                cond: cond.swapped(),
                y: a,
            }),
            _ => None,
        }
    }

    fn negated(self) -> Fact {
        Fact {
            cond: self.cond.negated(),
            ..self
        }
    }

    /// The same fact with its sides swapped, when both are locals.
    fn mirrored(self) -> Option<Fact> {
        match self.y {
            Arg::Local(y) => Some(Fact {
                x: y,
                cond: self.cond.swapped(),
                y: Arg::Local(self.x),
            }),
            Arg::Int(_) => None,
        }
    }

    /// What this fact about `x` tells about `t` after `t = x + c` (`c`
    /// `None`: a copy of any type), if anything. (A fact about `t`'s old
    /// value tells nothing about the new one.)
    fn through(self, x: LocalId, t: LocalId, c: Option<i64>) -> Option<Fact> {
        if self.y == Arg::Local(t) || (self.x != x && c.is_some()) {
            return None;
        }
        let Some(c) = c else {
            return Some(if self.x == x {
                Fact { x: t, ..self }
            } else if self.y == Arg::Local(x) && self.x != t {
                Fact {
                    y: Arg::Local(t),
                    ..self
                }
            } else {
                return None;
            });
        };
        let signed = !matches!(
            self.cond,
            IntCond::ULt | IntCond::ULe | IntCond::UGt | IntCond::UGe
        );
        let cond = match (self.y, self.cond) {
            (Arg::Int(k), _) if signed => {
                return Some(Fact {
                    x: t,
                    cond: self.cond,
                    y: Arg::Int(k.checked_add(c)?),
                })
            }
            (Arg::Local(_), IntCond::SLt) if c == 1 => IntCond::SLe,
            (Arg::Local(_), IntCond::SLt | IntCond::SLe) if c <= 0 => self.cond,
            (Arg::Local(_), IntCond::SGt) if c == -1 => IntCond::SGe,
            (Arg::Local(_), IntCond::SGt | IntCond::SGe) if c >= 0 => self.cond,
            _ => return None,
        };
        Some(Fact {
            x: t,
            cond,
            y: self.y,
        })
    }
}

/// A set of facts, as bits over the body's list of facts.
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

/// Whether `l` is assigned by any of `statements`.
fn assigns(statements: &[Statement], l: LocalId) -> bool {
    statements.iter().any(|s| s.assigned().any(|a| a == l))
}

/// What `o` holds just before `statements[at]`: followed back through
/// copies to the local or constant copied, if that local still holds the
/// same value just before `statements[until]`.
pub(super) fn resolve(statements: &[Statement], at: usize, until: usize, o: Operand) -> Operand {
    let Operand::Local(l) = o else {
        return o;
    };
    let Some(k) = statements[..at]
        .iter()
        .rposition(|s| s.assigned().any(|a| a == l))
    else {
        return o;
    };
    let source = match &statements[k] {
        Statement::Assign(_, Rvalue::Use(source)) => *source,
        Statement::Assign(_, Rvalue::Select(c, a, b)) => match resolve(statements, k, k, *c) {
            Operand::Bool(true) => *a,
            Operand::Bool(false) => *b,
            _ => return o,
        },
        _ => return o,
    };
    match source {
        Operand::Local(s) if s == l || assigns(&statements[k + 1..until], s) => o,
        _ => resolve(statements, k, until, source),
    }
}

/// The facts that hold at the end of a block whose branch found `cond`
/// (as of `statements[at]`) to be `holds`.
fn told(statements: &[Statement], at: usize, cond: Operand, holds: bool, out: &mut Vec<Fact>) {
    let end = statements.len();
    let Operand::Local(c) = resolve(statements, at, end, cond) else {
        return;
    };
    let Some(k) = statements[..at]
        .iter()
        .rposition(|s| s.assigned().any(|a| a == c))
    else {
        return;
    };
    let Statement::Assign(_, r) = &statements[k] else {
        return;
    };
    match (r, holds) {
        (Rvalue::Binary(BinOp::ICmp(cond), a, b), _) => {
            // Each side by its name and by what it copies, while they hold
            // the value compared.
            let names = |o: Operand| {
                let unchanged = |a: &Arg| match a {
                    Arg::Local(l) => !assigns(&statements[k + 1..], *l),
                    Arg::Int(_) => true,
                };
                let mut names: Vec<Arg> = [o, resolve(statements, k, end, o)]
                    .into_iter()
                    .filter_map(Arg::of)
                    .filter(unchanged)
                    .collect();
                names.dedup();
                names
            };
            let cond = if holds { *cond } else { cond.negated() };
            for a in names(*a) {
                for b in names(*b) {
                    out.extend(Fact::new(a, cond, b));
                }
            }
        }
        (Rvalue::Binary(BinOp::And, a, b), true) | (Rvalue::Binary(BinOp::Or, a, b), false) => {
            told(statements, k, *a, holds, out);
            told(statements, k, *b, holds, out);
        }
        (Rvalue::Unary(UnOp::Not, a), _) => told(statements, k, *a, !holds, out),
        _ => {}
    }
}

/// `(t, x, c)`: a statement that passes the facts about `x` on to `t`,
/// as `t = x` (`c` none) or an exact `t = x + c`.
type Derivation = (LocalId, LocalId, Option<i64>);

/// The [`Derivation`] a statement is, if any.
fn derivation(s: &Statement, ranges: &[Option<Interval>]) -> Option<Derivation> {
    let Statement::Assign(t, r) = s else {
        return None;
    };
    let (x, c) = match *r {
        Rvalue::Use(Operand::Local(x)) => return Some((*t, x, None)),
        Rvalue::Binary(BinOp::IAdd, Operand::Local(x), Operand::Int(c))
        | Rvalue::Binary(BinOp::IAdd, Operand::Int(c), Operand::Local(x)) => (x, c),
        Rvalue::Binary(BinOp::ISub, Operand::Local(x), Operand::Int(c)) => (x, c.checked_neg()?),
        _ => return None,
    };
    let v = ranges[x.0 as usize]?;
    Interval::new(v.lo + i128::from(c), v.hi + i128::from(c))?
        .fits()
        .then_some((*t, x, Some(c)))
}

/// The facts of one body and where they hold.
struct Facts {
    /// The value range of each int local.
    ranges: Vec<Option<Interval>>,
    universe: Vec<Fact>,
    index: HashMap<Fact, usize>,
    /// The facts about each local (on either side), by local.
    mentioning: Vec<Vec<usize>>,
    /// The facts each block's edges tell: (target, facts).
    edges: Vec<Vec<(usize, Vec<usize>)>>,
    /// What each block's deriving statements make of which fact:
    /// `(statement, from, to)`, in statement order.
    derived: Vec<Vec<(usize, usize, usize)>>,
}

impl Facts {
    fn intern(&mut self, f: Fact) -> Option<usize> {
        if let Some(&i) = self.index.get(&f) {
            return Some(i);
        }
        if self.universe.len() >= MAX_FACTS {
            return None;
        }
        let i = self.universe.len();
        self.universe.push(f);
        self.index.insert(f, i);
        self.mentioning[f.x.0 as usize].push(i);
        if let Arg::Local(y) = f.y {
            self.mentioning[y.0 as usize].push(i);
        }
        Some(i)
    }

    fn about(&self, l: LocalId) -> &[usize] {
        &self.mentioning[l.0 as usize]
    }

    /// The set after statement `i` of block `b`, given the set before;
    /// `next` is the first of the block's derivations not yet passed.
    fn step(&self, set: &mut Bits, b: usize, i: usize, s: &Statement, next: &mut usize) {
        let mut made = Vec::new();
        while let Some(&(_, from, to)) = self.derived[b].get(*next).filter(|d| d.0 == i) {
            if set.has(from) {
                made.push(to);
            }
            *next += 1;
        }
        for l in s.assigned() {
            for &f in self.about(l) {
                set.set(f, false);
            }
        }
        for f in made {
            set.set(f, true);
        }
    }

    fn holds(&self, set: &Bits, f: Fact) -> bool {
        self.index.get(&f).is_some_and(|&i| set.has(i))
    }

    /// The values `a` may have where `set` holds: its value range narrowed
    /// by the facts about it (`None`: not an int, or no value at all).
    fn interval(&self, set: &Bits, a: Arg) -> Option<Interval> {
        let l = match a {
            Arg::Int(k) => return Some(Interval::exact(k)),
            Arg::Local(l) => l,
        };
        let mut v = self.ranges[l.0 as usize]?;
        for &i in self.about(l) {
            let f = self.universe[i];
            if f.x != l || !set.has(i) {
                continue;
            }
            let y = match f.y {
                Arg::Int(k) => Interval::exact(k),
                Arg::Local(y) => match self.ranges[y.0 as usize] {
                    Some(y) => y,
                    None => continue,
                },
            };
            let unsigned = y.lo >= 0;
            match f.cond {
                IntCond::SLt => v.hi = v.hi.min(y.hi - 1),
                IntCond::SLe => v.hi = v.hi.min(y.hi),
                IntCond::SGt => v.lo = v.lo.max(y.lo + 1),
                IntCond::SGe => v.lo = v.lo.max(y.lo),
                IntCond::Eq => {
                    v.lo = v.lo.max(y.lo);
                    v.hi = v.hi.min(y.hi);
                }
                IntCond::Ne if y.lo == y.hi && y.lo == v.lo => v.lo += 1,
                IntCond::Ne if y.lo == y.hi && y.lo == v.hi => v.hi -= 1,
                // Below a non-negative value, unsigned: from 0 up.
                IntCond::ULt if unsigned => {
                    v.lo = v.lo.max(0);
                    v.hi = v.hi.min(y.hi - 1);
                }
                IntCond::ULe if unsigned => {
                    v.lo = v.lo.max(0);
                    v.hi = v.hi.min(y.hi);
                }
                // Above a non-negative value, unsigned, and itself not
                // negative (so not above it by being negative): as signed.
                IntCond::UGt if unsigned && v.lo >= 0 => v.lo = v.lo.max(y.lo + 1),
                IntCond::UGe if unsigned && v.lo >= 0 => v.lo = v.lo.max(y.lo),
                _ => {}
            }
        }
        Interval::new(v.lo, v.hi)
    }

    /// Whether `a cond b` always holds where `set` does, or never.
    fn decide(&self, set: &Bits, a: Operand, cond: IntCond, b: Operand) -> Option<bool> {
        let (a, b) = (Arg::of(a)?, Arg::of(b)?);
        if let Some(f) = Fact::new(a, cond, b) {
            for f in std::iter::once(f).chain(f.mirrored()) {
                if self.holds(set, f) {
                    return Some(true);
                }
                if self.holds(set, f.negated()) {
                    return Some(false);
                }
            }
        }
        ranges::decide(cond, self.interval(set, a)?, self.interval(set, b)?)
    }

    /// Whether the exact result of `a op b` is inside i64 where `set` holds.
    fn fits(&self, set: &Bits, op: CheckedOp, a: Operand, b: Operand) -> bool {
        let side = |o: Operand| Arg::of(o).and_then(|o| self.interval(set, o));
        match (side(a), side(b)) {
            (Some(x), Some(y)) => ranges::exact_result(op, x, y, a == b).fits(),
            _ => false,
        }
    }
}

/// Decides the comparisons and drops the overflow checks that the facts
/// of `body`'s branches settle (see the module comment).
pub(super) fn apply_branch_facts(body: &mut Lowered) {
    // A select decided to a copy lets the next round see through it.
    for _ in 0..ROUNDS {
        if !apply_once(body) {
            break;
        }
    }
}

/// One round of [`apply_branch_facts`]: whether it decided a select.
fn apply_once(body: &mut Lowered) -> bool {
    let mut facts = Facts {
        ranges: Vec::new(),
        universe: Vec::new(),
        index: HashMap::new(),
        mentioning: vec![Vec::new(); body.locals.len()],
        edges: Vec::with_capacity(body.blocks.len()),
        derived: vec![Vec::new(); body.blocks.len()],
    };
    for block in &body.blocks {
        let mut out = Vec::new();
        let end = block.statements.len();
        if let Terminator::Branch {
            cond,
            then,
            otherwise,
        } = block.terminator
        {
            for (target, holds) in [(then, true), (otherwise, false)] {
                let mut found = Vec::new();
                told(&block.statements, end, cond, holds, &mut found);
                let told: Vec<usize> = found.into_iter().filter_map(|f| facts.intern(f)).collect();
                out.push((target.0 as usize, told));
            }
        } else {
            for s in block.terminator.successors() {
                out.push((s.0 as usize, Vec::new()));
            }
        }
        facts.edges.push(out);
    }
    if facts.universe.is_empty() {
        return false;
    }
    facts.ranges = ranges::int_intervals(body);
    let derivations: Vec<((usize, usize), Derivation)> = body
        .blocks
        .iter()
        .enumerate()
        .flat_map(|(b, block)| {
            let ranges = &facts.ranges;
            block
                .statements
                .iter()
                .enumerate()
                .filter_map(move |(i, s)| derivation(s, ranges).map(|d| ((b, i), d)))
        })
        .collect();
    for round in 0..=DERIVE_ROUNDS {
        let mut made = Vec::new();
        for &(at, (t, x, c)) in &derivations {
            for &from in facts.about(x) {
                if let Some(to) = facts.universe[from].through(x, t, c) {
                    made.push((at, from, to));
                }
            }
        }
        let last = round == DERIVE_ROUNDS;
        for (at, from, to) in made {
            let to = if last {
                facts.index.get(&to).copied()
            } else {
                facts.intern(to)
            };
            if let (Some(to), true) = (to, last) {
                facts.derived[at.0].push((at.1, from, to));
            }
        }
    }
    let n = facts.universe.len();
    let mut entry: Vec<Bits> = vec![Bits::full(n); body.blocks.len()];
    entry[0] = Bits::empty(n);
    loop {
        let mut changed = false;
        for (b, block) in body.blocks.iter().enumerate() {
            let mut set = entry[b].clone();
            let mut next = 0;
            for (i, s) in block.statements.iter().enumerate() {
                facts.step(&mut set, b, i, s, &mut next);
            }
            for (target, told) in &facts.edges[b] {
                let mut along = set.clone();
                for &f in told {
                    along.set(f, true);
                }
                changed |= entry[*target].meet(&along);
            }
        }
        if !changed {
            break;
        }
    }
    let mut selects = false;
    for (b, block) in body.blocks.iter_mut().enumerate() {
        selects |= rewrite(block, b, entry[b].clone(), &facts);
    }
    selects
}

/// Rewrites what the facts decide in one block, `set` holding on entry;
/// whether it decided a select.
fn rewrite(block: &mut BasicBlock, b: usize, mut set: Bits, facts: &Facts) -> bool {
    let mut proven = Vec::new();
    let mut selects = false;
    let mut next = 0;
    for i in 0..block.statements.len() {
        let decided = match &block.statements[i] {
            Statement::Assign(_, Rvalue::Binary(BinOp::ICmp(cond), x, y)) => {
                let (x, y) = (
                    resolve(&block.statements, i, i, *x),
                    resolve(&block.statements, i, i, *y),
                );
                facts
                    .decide(&set, x, *cond, y)
                    .map(|v| Rvalue::Use(Operand::Bool(v)))
            }
            // Floor division and modulo of a dividend the facts keep
            // non-negative by a positive constant: unsigned, no fix-up (a
            // later round folds the fix-up's test of the remainder's sign).
            Statement::Assign(
                _,
                Rvalue::Binary(op @ (BinOp::SDiv | BinOp::SRem), x, Operand::Int(c)),
            ) if *c > 0
                && Arg::of(resolve(&block.statements, i, i, *x))
                    .and_then(|x| facts.interval(&set, x))
                    .is_some_and(|v| v.lo >= 0) =>
            {
                selects = true;
                let unsigned = match op {
                    BinOp::SDiv => BinOp::UDiv,
                    _ => BinOp::URem,
                };
                Some(Rvalue::Binary(unsigned, *x, Operand::Int(*c)))
            }
            Statement::Assign(_, Rvalue::Select(c, x, y)) => {
                match resolve(&block.statements, i, i, *c) {
                    Operand::Bool(v) => {
                        selects = true;
                        Some(Rvalue::Use(if v { *x } else { *y }))
                    }
                    _ => None,
                }
            }
            Statement::CheckedArith { op, a, b: y, .. } => {
                let (a, y) = (
                    resolve(&block.statements, i, i, *a),
                    resolve(&block.statements, i, i, *y),
                );
                if facts.fits(&set, *op, a, y) {
                    proven.push((i, *op));
                }
                None
            }
            _ => None,
        };
        if let (Some(r), Statement::Assign(_, old)) = (decided, &mut block.statements[i]) {
            *old = r;
        }
        facts.step(&mut set, b, i, &block.statements[i], &mut next);
    }
    // From the last, so that the indices before stay valid.
    for (i, op) in proven.into_iter().rev() {
        super::drop_overflow_check(block, i, ranges::plain_op(op));
    }
    let end = block.statements.len();
    if let Terminator::Branch {
        cond,
        then,
        otherwise,
    } = block.terminator
    {
        match resolve(&block.statements, end, end, cond) {
            Operand::Bool(true) => block.terminator = Terminator::Goto(then),
            Operand::Bool(false) => block.terminator = Terminator::Goto(otherwise),
            _ => {}
        }
    }
    selects
}
