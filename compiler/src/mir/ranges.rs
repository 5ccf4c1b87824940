//! Value ranges after inlining: the checks that can never fire go.
//!
//! Every int local gets an interval holding each value it has wherever it
//! is read. The checker rejects reads of variables that may be unassigned
//! and the lowering assigns each temporary before reading it, so those
//! values are among the ones its assignments produce, and the interval is
//! the least one containing the results of all its assignments given the
//! intervals of their operands (a fixpoint; a bound still moving after a
//! few rounds jumps to the i64 extreme, so the iteration ends). Sources:
//! constants; a list's or dict's length, at most `isize::MAX / 8` (its
//! items are words in one allocation, which Rust caps at `isize::MAX`
//! bytes); a `range` counter, read only while it holds one of the range's
//! values (start up to stop, the value after the last step is never read);
//! a checked operation's result, read only where it did not overflow; and
//! the lowering's own facts (`Lowered::nonneg`). Calls, parameters and
//! loads give the whole of i64.
//!
//! Steps are bounded by time: no loop runs [`FEASIBLE_STEPS`] (2^60)
//! times, which at one step per nanosecond would take 36 years. So a
//! `range` counter stays within 2^60 steps of its start, and a *stepped*
//! local — one assigned `x = x + c` or `x = x - c` with a constant `c`
//! (`count += 1`, `j -= 1`) — within 2^60 such steps of the values its
//! other assignments give (its *seeds*, whose intervals come from the same
//! fixpoint, so a seed like `x * 2` still widens to all of i64): each of
//! its values is a seed's or an earlier value moved by one step. With a
//! small seed, `count + 1` and `2 * k + 1` cannot overflow.
//!
//! Then: a checked `+`, `-` or `*` whose exact result always fits in i64
//! becomes the plain operation (its overflow branch a jump); an int
//! comparison the intervals decide becomes a constant (so `x < 0` on a
//! counter folds, and with it the floor fixups of `%` and `//` and the
//! negative-index handling of `xs[i]`); `//` and `%` of a non-negative by
//! a positive value become unsigned; and the zero test before a float
//! division by an int known not to be 0 (`1.0 / (k + 1)`) is false.

use super::heap::LEN;
use super::{BinOp, CheckedOp, Counter, FloatCond, IntCond, LocalId, Lowered};
use super::{Operand, Rvalue, Statement, Terminator, Type, UnOp};
use std::collections::HashMap;

/// The values an int local may hold where it is read, in i128 so that
/// exact results of i64 operations can be computed and compared.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Interval {
    pub(super) lo: i128,
    pub(super) hi: i128,
}

const I64_MIN: i128 = i64::MIN as i128;
const I64_MAX: i128 = i64::MAX as i128;
/// The longest list or dict (see the module comment).
const MAX_LEN: i128 = (isize::MAX / 8) as i128;
/// Rounds a local's interval may grow before its moving bounds widen.
const WIDEN_AFTER: u8 = 3;
/// More steps than any loop takes (see the module comment).
const FEASIBLE_STEPS: i128 = 1 << 60;

impl Interval {
    const FULL: Interval = Interval {
        lo: I64_MIN,
        hi: I64_MAX,
    };

    pub(super) fn new(lo: i128, hi: i128) -> Option<Interval> {
        (lo <= hi).then_some(Interval { lo, hi })
    }

    pub(super) fn exact(k: i64) -> Interval {
        Interval {
            lo: k as i128,
            hi: k as i128,
        }
    }

    fn join(self, other: Interval) -> Interval {
        Interval {
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }

    pub(super) fn fits(self) -> bool {
        self.lo >= I64_MIN && self.hi <= I64_MAX
    }

    /// The result of a wrapping operation: exact if it cannot wrap.
    fn or_full(self) -> Interval {
        if self.fits() {
            self
        } else {
            Interval::FULL
        }
    }

    /// The result of a checked operation where it did not overflow.
    fn clamp(self) -> Option<Interval> {
        Interval::new(self.lo.max(I64_MIN), self.hi.min(I64_MAX))
    }

    fn nonneg(self) -> bool {
        self.lo >= 0
    }

    /// The least interval holding `f` of the corners (exact for functions
    /// monotone in each argument over the two intervals).
    fn corners(self, other: Interval, f: impl Fn(i128, i128) -> i128) -> Interval {
        let v = [
            f(self.lo, other.lo),
            f(self.lo, other.hi),
            f(self.hi, other.lo),
            f(self.hi, other.hi),
        ];
        Interval {
            lo: *v.iter().min().expect("four corners"),
            hi: *v.iter().max().expect("four corners"),
        }
    }
}

/// How an int local gets a value.
#[derive(Clone)]
enum Def<'a> {
    /// `local = rvalue`.
    Rvalue(&'a Rvalue),
    /// The value of a checked `a op b`.
    Checked(CheckedOp, Operand, Operand),
    /// A `range` counter: the range's values.
    Counter(Counter),
    /// The steps of a stepped local: its seeds' values, moved by at most
    /// [`FEASIBLE_STEPS`] times `down` below and `up` above.
    Stepped {
        seeds: Vec<Def<'a>>,
        down: i128,
        up: i128,
    },
    /// Anything else (a parameter, a call's or runtime function's result).
    Opaque,
}

/// The intervals of a body's int locals (`None`: never assigned).
struct Ranges<'a> {
    body: &'a Lowered,
    of: Vec<Option<Interval>>,
}

impl Ranges<'_> {
    fn is_int(&self, l: LocalId) -> bool {
        self.body.locals[l.0 as usize].1 == Type::Int
    }

    /// The interval of an int operand; `None` for a local not yet known
    /// to get any value, and the whole of i64 for anything but an int.
    fn operand(&self, o: Operand) -> Option<Interval> {
        match o {
            Operand::Int(k) => Some(Interval::exact(k)),
            Operand::Local(l) if self.is_int(l) => self.of[l.0 as usize],
            _ => Some(Interval::FULL),
        }
    }

    /// The interval of an int operand, if it is one.
    fn int_operand(&self, o: Operand) -> Option<Interval> {
        match o {
            Operand::Int(_) => self.operand(o),
            Operand::Local(l) if self.is_int(l) => self.operand(o),
            _ => None,
        }
    }

    fn def(&self, d: &Def) -> Option<Interval> {
        match d {
            Def::Rvalue(r) => self.rvalue(r),
            Def::Checked(op, a, b) => checked(*op, *a, *b, self)?.clamp(),
            Def::Counter(c) => {
                let (start, stop, step) = (
                    self.operand(c.start)?,
                    self.operand(c.stop)?,
                    self.operand(c.step)?,
                );
                if step.lo > 0 {
                    Interval::new(
                        start.lo,
                        (stop.hi - 1).min(start.hi + FEASIBLE_STEPS * step.hi),
                    )
                } else if step.hi < 0 {
                    Interval::new(
                        (stop.lo + 1).max(start.lo + FEASIBLE_STEPS * step.lo),
                        start.hi,
                    )
                } else {
                    Interval::new(start.lo.min(stop.lo + 1), start.hi.max(stop.hi - 1))
                }
            }
            Def::Stepped { seeds, down, up } => {
                let mut hull: Option<Interval> = None;
                for seed in seeds {
                    let v = self.def(seed)?;
                    hull = Some(hull.map_or(v, |h| h.join(v)));
                }
                let h = hull?;
                Interval::new(h.lo - FEASIBLE_STEPS * down, h.hi + FEASIBLE_STEPS * up)
                    .and_then(Interval::clamp)
            }
            Def::Opaque => Some(Interval::FULL),
        }
    }

    fn rvalue(&self, r: &Rvalue) -> Option<Interval> {
        match r {
            Rvalue::Use(o) => self.operand(*o),
            Rvalue::Unary(UnOp::BoolToInt, _) => Interval::new(0, 1),
            Rvalue::Unary(UnOp::BNot, a) => {
                let a = self.operand(*a)?;
                Interval::new(-a.hi - 1, -a.lo - 1)
            }
            Rvalue::Select(_, a, b) => Some(self.operand(*a)?.join(self.operand(*b)?)),
            Rvalue::Binary(op, a, b) => binary(*op, self.operand(*a)?, self.operand(*b)?),
            Rvalue::Load {
                base: Operand::Local(b),
                offset: LEN,
            } => match self.body.locals[b.0 as usize].1 {
                Type::List(item) if *item != Type::Bool => Interval::new(0, MAX_LEN),
                Type::Dict(..) => Interval::new(0, MAX_LEN),
                _ => Some(Interval::FULL),
            },
            _ => Some(Interval::FULL),
        }
    }
}

/// The exact result of `a op b` (may leave i64).
fn checked(op: CheckedOp, a: Operand, b: Operand, ranges: &Ranges) -> Option<Interval> {
    let (x, y) = (ranges.operand(a)?, ranges.operand(b)?);
    Some(exact_result(op, x, y, a == b))
}

/// The exact result of `a op b` for `a` in `x` and `b` in `y` (`same`:
/// `a` and `b` are one value), which may leave i64.
pub(super) fn exact_result(op: CheckedOp, x: Interval, y: Interval, same: bool) -> Interval {
    match op {
        CheckedOp::Add => Interval {
            lo: x.lo + y.lo,
            hi: x.hi + y.hi,
        },
        CheckedOp::Sub => Interval {
            lo: x.lo - y.hi,
            hi: x.hi - y.lo,
        },
        CheckedOp::Mul if same => {
            let (l, h) = (x.lo * x.lo, x.hi * x.hi);
            if x.nonneg() {
                Interval { lo: l, hi: h }
            } else if x.hi <= 0 {
                Interval { lo: h, hi: l }
            } else {
                Interval {
                    lo: 0,
                    hi: l.max(h),
                }
            }
        }
        CheckedOp::Mul => x.corners(y, |p, q| p * q),
    }
}

/// A divisor's interval, without the values the division's operation
/// excludes (MIR divides by neither 0 nor, signed, -1).
fn divisor(op: BinOp, b: Interval) -> Option<Interval> {
    let lo = if b.lo == 0 { 1 } else { b.lo };
    let hi = match (op, b.hi) {
        (BinOp::SDiv | BinOp::SRem, 0) if b.lo < 0 => -2,
        (_, 0) => -1,
        (BinOp::SDiv | BinOp::SRem, -1) => -2,
        _ => b.hi,
    };
    Interval::new(lo, hi)
}

/// The result of a plain (wrapping) `a op b` on ints.
fn binary(op: BinOp, a: Interval, b: Interval) -> Option<Interval> {
    let full = Some(Interval::FULL);
    let b = match op {
        BinOp::SDiv | BinOp::SRem | BinOp::UDiv | BinOp::URem => divisor(op, b)?,
        _ => b,
    };
    match op {
        BinOp::IAdd => Some(
            Interval {
                lo: a.lo + b.lo,
                hi: a.hi + b.hi,
            }
            .or_full(),
        ),
        BinOp::ISub => Some(
            Interval {
                lo: a.lo - b.hi,
                hi: a.hi - b.lo,
            }
            .or_full(),
        ),
        BinOp::IMul => Some(a.corners(b, |p, q| p * q).or_full()),
        // Truncating division is monotone in each argument while the
        // divisor keeps its sign.
        BinOp::SDiv if b.lo > 0 || b.hi < 0 => Some(a.corners(b, |p, q| p / q).or_full()),
        BinOp::UDiv if a.nonneg() && b.lo > 0 => Some(a.corners(b, |p, q| p / q)),
        BinOp::SRem if b.lo > 0 || b.hi < 0 => {
            // The sign of the dividend, smaller in size than the divisor
            // and than the dividend.
            let m = b.lo.abs().max(b.hi.abs()) - 1;
            Interval::new(a.lo.max(-m).min(0), a.hi.min(m).max(0))
        }
        BinOp::URem if a.nonneg() && b.lo > 0 => Interval::new(0, a.hi.min(b.hi - 1)),
        // Whatever the dividend's bits, as unsigned.
        BinOp::URem if b.lo > 0 => Interval::new(0, b.hi - 1),
        BinOp::And if a.nonneg() || b.nonneg() => {
            let hi = match (a.nonneg(), b.nonneg()) {
                (true, true) => a.hi.min(b.hi),
                (true, false) => a.hi,
                _ => b.hi,
            };
            Interval::new(0, hi)
        }
        BinOp::Or | BinOp::Xor if a.nonneg() && b.nonneg() => {
            let top = a.hi.max(b.hi);
            Interval::new(0, (1i128 << (128 - top.leading_zeros())) - 1)
        }
        BinOp::SShr => {
            let shifts = Interval::new(b.lo.clamp(0, 63), b.hi.clamp(0, 63))?;
            Some(a.corners(shifts, |p, s| p >> s))
        }
        BinOp::UMin if a.nonneg() || b.nonneg() => match (a.nonneg(), b.nonneg()) {
            (true, true) => Interval::new(a.lo.min(b.lo), a.hi.min(b.hi)),
            (true, false) => Interval::new(0, a.hi),
            _ => Interval::new(0, b.hi),
        },
        _ => full,
    }
}

/// Whether `a cond b` holds for every pair of values of the intervals
/// (`Some(true)`), for none (`Some(false)`), or depends.
pub(super) fn decide(cond: IntCond, a: Interval, b: Interval) -> Option<bool> {
    let signed = match cond {
        IntCond::ULt | IntCond::ULe | IntCond::UGt | IntCond::UGe
            if !(a.nonneg() && b.nonneg()) =>
        {
            return None
        }
        IntCond::ULt => IntCond::SLt,
        IntCond::ULe => IntCond::SLe,
        IntCond::UGt => IntCond::SGt,
        IntCond::UGe => IntCond::SGe,
        c => c,
    };
    let (always, never) = match signed {
        IntCond::SLt => (a.hi < b.lo, a.lo >= b.hi),
        IntCond::SLe => (a.hi <= b.lo, a.lo > b.hi),
        IntCond::SGt => (a.lo > b.hi, a.hi <= b.lo),
        IntCond::SGe => (a.lo >= b.hi, a.hi < b.lo),
        IntCond::Eq | IntCond::Ne => {
            let same = a.lo == a.hi && a == b;
            let apart = a.hi < b.lo || b.hi < a.lo;
            if signed == IntCond::Eq {
                (same, apart)
            } else {
                (apart, same)
            }
        }
        _ => (false, false),
    };
    if always {
        Some(true)
    } else if never {
        Some(false)
    } else {
        None
    }
}

/// The interval of each of `body`'s locals that is an int (`None` for
/// the others).
pub(super) fn int_intervals(body: &Lowered) -> Vec<Option<Interval>> {
    let ranges = analyze(body);
    (0..body.locals.len())
        .map(|l| ranges.int_operand(Operand::Local(LocalId(l as u32))))
        .collect()
}

/// The intervals of `body`'s int locals.
fn analyze(body: &Lowered) -> Ranges<'_> {
    let is_int = |l: LocalId| body.locals[l.0 as usize].1 == Type::Int;
    let mut defs: Vec<(LocalId, Def)> = Vec::new();
    for p in &body.params {
        if is_int(*p) {
            defs.push((*p, Def::Opaque));
        }
    }
    for (counter, range) in &body.counters {
        defs.push((*counter, Def::Counter(*range)));
    }
    for block in &body.blocks {
        for s in &block.statements {
            match s {
                Statement::Assign(l, r) if is_int(*l) && !body.counters.contains_key(l) => {
                    defs.push((*l, Def::Rvalue(r)));
                }
                Statement::CheckedArith {
                    value, op, a, b, ..
                } => defs.push((*value, Def::Checked(*op, *a, *b))),
                _ => {
                    for l in s.assigned() {
                        if is_int(l) && !body.counters.contains_key(&l) {
                            defs.push((l, Def::Opaque));
                        }
                    }
                }
            }
        }
    }
    let defs = with_steps(defs);
    let mut ranges = Ranges {
        body,
        of: vec![None; body.locals.len()],
    };
    let mut changes = vec![0u8; body.locals.len()];
    let floor = |l: LocalId, v: Interval| {
        if body.nonneg.contains(&l) {
            Interval::new(v.lo.max(0), v.hi)
        } else {
            Some(v)
        }
    };
    loop {
        let mut changed = false;
        for (l, d) in &defs {
            let Some(v) = ranges.def(d) else {
                continue;
            };
            let i = l.0 as usize;
            let old = ranges.of[i];
            let Some(mut new) = floor(*l, old.map_or(v, |o| o.join(v))) else {
                continue;
            };
            if old == Some(new) {
                continue;
            }
            changes[i] = changes[i].saturating_add(1);
            if let Some(o) = old.filter(|_| changes[i] > WIDEN_AFTER) {
                if new.lo < o.lo {
                    new.lo = I64_MIN;
                }
                if new.hi > o.hi {
                    new.hi = I64_MAX;
                }
                new = floor(*l, new).unwrap_or(new);
            }
            ranges.of[i] = Some(new);
            changed = true;
        }
        if !changed {
            return ranges;
        }
    }
}

/// `defs` with the assignments of each stepped local (see the module
/// comment) that step it replaced by one [`Def::Stepped`] over the others.
fn with_steps(defs: Vec<(LocalId, Def<'_>)>) -> Vec<(LocalId, Def<'_>)> {
    let mut count: HashMap<LocalId, usize> = HashMap::new();
    for (l, _) in &defs {
        *count.entry(*l).or_default() += 1;
    }
    // The local and step of each temporary `t` defined once, as `x + c`.
    let mut step_of: HashMap<LocalId, (LocalId, i128)> = HashMap::new();
    for (t, d) in &defs {
        if let (Some(step), Some(1)) = (step_in(d), count.get(t)) {
            step_of.insert(*t, step);
        }
    }
    // By how much a definition of `x` steps it, if it does.
    let step_by = |x: LocalId, d: &Def| {
        let (of, c) = match d {
            Def::Rvalue(Rvalue::Use(Operand::Local(t))) => *step_of.get(t)?,
            _ => step_in(d)?,
        };
        (of == x).then_some(c)
    };
    let mut steps: HashMap<LocalId, (i128, i128)> = HashMap::new();
    for (x, d) in &defs {
        if let Some(c) = step_by(*x, d) {
            let e = steps.entry(*x).or_insert((0, 0));
            if c < 0 {
                e.0 = e.0.max(-c);
            } else {
                e.1 = e.1.max(c);
            }
        }
    }
    if steps.is_empty() {
        return defs;
    }
    let mut seeds: HashMap<LocalId, Vec<Def>> = HashMap::new();
    let mut out = Vec::with_capacity(defs.len());
    for (x, d) in defs {
        if !steps.contains_key(&x) {
            out.push((x, d));
        } else if step_by(x, &d).is_none() {
            seeds.entry(x).or_default().push(d.clone());
            out.push((x, d));
        }
    }
    for (x, (down, up)) in steps {
        // Every local is assigned before it is read, so one only ever
        // stepped is never read; it gets no bound all the same.
        let seeds = seeds.remove(&x).unwrap_or_else(|| vec![Def::Opaque]);
        out.push((x, Def::Stepped { seeds, down, up }));
    }
    out
}

/// The local `x` and signed constant `c` of a definition `x + c` (or
/// `c + x`, or `x - c`, as `-c`), checked or not.
fn step_in(d: &Def) -> Option<(LocalId, i128)> {
    let (sub, a, b) = match d {
        Def::Checked(op @ (CheckedOp::Add | CheckedOp::Sub), a, b) => (*op == CheckedOp::Sub, a, b),
        Def::Rvalue(Rvalue::Binary(op @ (BinOp::IAdd | BinOp::ISub), a, b)) => {
            (*op == BinOp::ISub, a, b)
        }
        _ => return None,
    };
    match (*a, *b) {
        (Operand::Local(x), Operand::Int(c)) => {
            Some((x, if sub { -i128::from(c) } else { i128::from(c) }))
        }
        (Operand::Int(c), Operand::Local(x)) if !sub => Some((x, i128::from(c))),
        _ => None,
    }
}

/// Whether a statement is one this pass may simplify.
fn candidate(s: &Statement) -> bool {
    matches!(
        s,
        Statement::CheckedArith { .. }
            | Statement::Assign(
                _,
                Rvalue::Binary(
                    BinOp::ICmp(_) | BinOp::SDiv | BinOp::SRem | BinOp::FCmp(_),
                    _,
                    _
                )
            )
    )
}

/// Removes the checks and sign fixups that the value ranges of `body`'s
/// int locals prove unneeded (see the module comment).
pub(super) fn drop_impossible_checks(body: &mut Lowered) {
    if !body
        .blocks
        .iter()
        .any(|b| b.statements.iter().any(candidate))
    {
        return;
    }
    let ranges = analyze(body);
    let nonzero_floats = nonzero_floats(&ranges);
    let mut plain: Vec<(usize, usize, BinOp)> = Vec::new();
    let mut rewrites: Vec<(usize, usize, Rvalue)> = Vec::new();
    let mut along = AlongPath::new(&ranges);
    while let Some(b) = along.next_block() {
        for (i, s) in body.blocks[b].statements.iter().enumerate() {
            let here = &along.scoped;
            match s {
                Statement::CheckedArith { op, a, b: y, .. }
                    if checked(*op, *a, *y, here).is_some_and(Interval::fits) =>
                {
                    plain.push((b, i, plain_op(*op)));
                }
                // Comparisons are decided by the whole-function intervals
                // only: a branch folded by a path's would take its test
                // away from the facts pass, which may need it at a join.
                Statement::Assign(_, Rvalue::Binary(op, a, y)) => {
                    let by = if matches!(op, BinOp::ICmp(_)) {
                        &ranges
                    } else {
                        here
                    };
                    if let Some(r) = simplify(*op, *a, *y, by, &nonzero_floats) {
                        rewrites.push((b, i, r));
                    }
                }
                _ => {}
            }
            along.step(s);
        }
        along.leave(b);
    }
    for (b, i, r) in rewrites {
        if let Statement::Assign(_, old) = &mut body.blocks[b].statements[i] {
            *old = r;
        }
    }
    // From the last, so that the indices before stay valid.
    for (b, i, op) in plain.into_iter().rev() {
        super::drop_overflow_check(&mut body.blocks[b], i, op);
    }
}

/// The intervals along the way to each block: where a block has one
/// predecessor, the values its locals were last assigned there are the
/// only ones they can hold, so the intervals of those assignments (met
/// with the whole-function ones) hold on entry. Blocks are visited from
/// the entry, each once, a block with one predecessor after it; a block
/// with several starts from the whole-function intervals.
struct AlongPath<'r, 'a> {
    global: &'r Ranges<'a>,
    /// The whole-function intervals with the current block's refinements.
    scoped: Ranges<'a>,
    /// The refinements in force: at most [`MAX_REFINED`], the oldest
    /// forgotten first (forgetting one only loses precision).
    refined: Vec<(LocalId, Interval)>,
    /// Blocks to visit, with the refinements they start from.
    pending: Vec<(usize, Vec<(LocalId, Interval)>)>,
    predecessors: Vec<usize>,
    visited: Vec<bool>,
}

/// How many locals a path refines at once.
const MAX_REFINED: usize = 32;

impl<'r, 'a> AlongPath<'r, 'a> {
    fn new(global: &'r Ranges<'a>) -> Self {
        let blocks = &global.body.blocks;
        AlongPath {
            global,
            scoped: Ranges {
                body: global.body,
                of: global.of.clone(),
            },
            refined: Vec::new(),
            pending: vec![(0, Vec::new())],
            predecessors: super::predecessor_counts(blocks, &super::reachable(blocks)),
            visited: vec![false; blocks.len()],
        }
    }

    /// The next block to visit, its refinements in force.
    fn next_block(&mut self) -> Option<usize> {
        while let Some((b, refined)) = self.pending.pop() {
            if std::mem::replace(&mut self.visited[b], true) {
                continue;
            }
            for &(l, v) in &refined {
                self.scoped.of[l.0 as usize] = Some(v);
            }
            self.refined = refined;
            return Some(b);
        }
        None
    }

    /// Records what statement `s` assigns.
    fn step(&mut self, s: &Statement) {
        let value = match s {
            Statement::Assign(l, r) => Some((*l, self.scoped.rvalue(r))),
            Statement::CheckedArith {
                value, op, a, b, ..
            } => Some((
                *value,
                checked(*op, *a, *b, &self.scoped).and_then(Interval::clamp),
            )),
            _ => None,
        };
        for l in s.assigned() {
            if !self.scoped.is_int(l) {
                continue;
            }
            self.refined.retain(|(r, _)| *r != l);
            let global = self.global.of[l.0 as usize];
            let met = match (value, global) {
                (Some((v, Some(x))), Some(g)) if v == l => {
                    Interval::new(x.lo.max(g.lo), x.hi.min(g.hi))
                }
                _ => None,
            };
            self.scoped.of[l.0 as usize] = global;
            if let Some(m) = met {
                if self.refined.len() == MAX_REFINED {
                    let (oldest, _) = self.refined.remove(0);
                    self.scoped.of[oldest.0 as usize] = self.global.of[oldest.0 as usize];
                }
                self.refined.push((l, m));
                self.scoped.of[l.0 as usize] = Some(m);
            }
        }
    }

    /// Leaves block `b`: its successors are queued (those with one
    /// predecessor with the refinements, except the value of a checked
    /// operation on its way to the overflow), and the whole-function
    /// intervals restored.
    fn leave(&mut self, b: usize) {
        let block = &self.global.body.blocks[b];
        let overflowed = match block.terminator {
            Terminator::Branch {
                cond: Operand::Local(c),
                then,
                ..
            } => block.statements.iter().find_map(|s| match s {
                Statement::CheckedArith {
                    value, overflow, ..
                } if *overflow == c => Some((then, *value)),
                _ => None,
            }),
            _ => None,
        };
        for succ in block.terminator.successors() {
            let refined = if self.predecessors[succ.0 as usize] == 1 {
                let mut r = self.refined.clone();
                if let Some((then, value)) = overflowed {
                    if then == succ {
                        r.retain(|(l, _)| *l != value);
                    }
                }
                r
            } else {
                Vec::new()
            };
            self.pending.push((succ.0 as usize, refined));
        }
        for (l, _) in self.refined.drain(..) {
            self.scoped.of[l.0 as usize] = self.global.of[l.0 as usize];
        }
    }
}

/// The wrapping operation of a checked one.
pub(super) fn plain_op(op: CheckedOp) -> BinOp {
    match op {
        CheckedOp::Add => BinOp::IAdd,
        CheckedOp::Sub => BinOp::ISub,
        CheckedOp::Mul => BinOp::IMul,
    }
}

/// What `a op b` simplifies to, if the ranges allow.
fn simplify(
    op: BinOp,
    a: Operand,
    b: Operand,
    ranges: &Ranges,
    nonzero_floats: &[bool],
) -> Option<Rvalue> {
    match op {
        BinOp::ICmp(cond) => {
            let v = decide(cond, ranges.int_operand(a)?, ranges.int_operand(b)?)?;
            Some(Rvalue::Use(Operand::Bool(v)))
        }
        BinOp::SDiv | BinOp::SRem => {
            let x = ranges.int_operand(a)?;
            let y = divisor(op, ranges.int_operand(b)?)?;
            let unsigned = if op == BinOp::SDiv {
                BinOp::UDiv
            } else {
                BinOp::URem
            };
            (x.nonneg() && y.lo > 0).then_some(Rvalue::Binary(unsigned, a, b))
        }
        BinOp::FCmp(cond @ (FloatCond::Eq | FloatCond::Ne)) => match (a, b) {
            (Operand::Local(f), Operand::Float(z)) | (Operand::Float(z), Operand::Local(f))
                if z == 0.0 && nonzero_floats[f.0 as usize] =>
            {
                Some(Rvalue::Use(Operand::Bool(cond == FloatCond::Ne)))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Which float locals only ever hold an int converted from a value known
/// not to be 0 (never 0.0: rounding keeps a nonzero int away from 0).
fn nonzero_floats(ranges: &Ranges) -> Vec<bool> {
    let body = ranges.body;
    let mut nonzero: Vec<bool> = body.locals.iter().map(|l| l.1 == Type::Float).collect();
    for p in &body.params {
        nonzero[p.0 as usize] = false;
    }
    for block in &body.blocks {
        for s in &block.statements {
            let keeps = |r: &Rvalue| match r {
                Rvalue::Unary(UnOp::IntToFloat, x) => {
                    ranges.int_operand(*x).is_some_and(|x| x.lo > 0 || x.hi < 0)
                }
                _ => false,
            };
            match s {
                Statement::Assign(l, r) if !keeps(r) => nonzero[l.0 as usize] = false,
                Statement::Assign(..) => {}
                _ => {
                    for l in s.assigned() {
                        nonzero[l.0 as usize] = false;
                    }
                }
            }
        }
    }
    nonzero
}
