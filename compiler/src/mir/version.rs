//! Loop versioning: a counted loop whose indices provably stay in bounds
//! runs a copy of itself without its bounds checks.
//!
//! An innermost loop `for v in range(start, stop, step)` with a constant
//! positive step gives `v` only values from `start` up to below `stop`
//! (the counter's values; `v` must be assigned nowhere else in the loop).
//! A bounds check there of `v + k` (`k` a constant or a local the loop
//! does not assign; `v` itself, the counter before it steps, or a local
//! assigned once, as `v + k` or `v - k` or a copy of such a local, in a
//! block of the loop that dominates the check's) against a length `len`
//! the loop does not assign is false on every iteration when
//! `start + k >= 0` and `stop + k <= len` (for a local `k`, sums computed
//! with overflow checks, an overflow failing the test; the copy's
//! checked `v + k` then cannot overflow either, and is plain). Before the loop, those conditions for all its
//! checks are tested once: when they hold, control enters a copy of the
//! loop whose checks are constants (later passes fold the branches);
//! otherwise the original loop runs, checks and all. Both copies leave to
//! the same blocks. The fix-up of a negative index `v + k` (`k` below 0)
//! is likewise false when `start + k >= 0`. Loops of more than
//! [`MAX_STATEMENTS`] statements are not copied.
//!
//! Any innermost loop (counted or not) is also copied for its branches
//! into slow paths on a condition the loop cannot change (`s` is ASCII,
//! for `s[i]`): the copy, entered when each such condition holds, as
//! tested before the loop, jumps straight past the slow path, which it
//! then lacks, calls and all. A copy made for these reasons also jumps
//! past checks that raise on conditions the loop cannot change (`a[i]`'s
//! bounds in a loop over `k`); and where such a check guards an item load
//! that reads the same item on every iteration, the copy, made for that
//! alone if need be, loads the item (and its header's fields) once, on
//! its way in: the row of `a[i][k]`. A counted copy's checks of `v + k`
//! against such a row's length are then constants too: the way in tests
//! `stop + k <= len` after loading the row, and runs the original loop
//! when the row is too short.

use super::cfg::{self, Cfg, Loop};
use super::facts::resolve;
use super::{heap, UnOp};
use super::{BasicBlock, BinOp, BlockId, CheckedOp, IntCond, LocalId, Lowered, Operand, Rvalue};
use super::{Statement, Terminator};
use crate::hir::Type;
use std::collections::{HashMap, HashSet};

/// The most statements a loop may have to be copied.
const MAX_STATEMENTS: usize = 200;
/// The largest offset `k` a versioned check may have (`len - k` and
/// `-k` then stay far inside i64).
const MAX_OFFSET: i64 = 1 << 32;

/// What versioning one loop does.
struct Plan {
    /// The block before the loop, where the conditions are tested.
    before: BlockId,
    header: BlockId,
    blocks: Vec<BlockId>,
    /// Each check: block, statement, and the value it always has.
    checks: Vec<(BlockId, usize, bool)>,
    /// Each `(k, len)` the checks need `start + k >= 0` and
    /// `stop + k <= len` for (only the first without a length).
    bounds: Vec<(Offset, Option<LocalId>)>,
    /// The checked sums `v + k` (`k` a local) that cannot overflow in the
    /// copy: block and statement.
    plain: Vec<(BlockId, usize)>,
    /// The counted loop's `start` and `stop` (any operands without bounds).
    start: Operand,
    stop: Operand,
    /// Conditions on values the block before the loop holds that the copy
    /// needs true.
    conditions: Vec<Rvalue>,
    /// Branches into slow paths that the copy replaces by a jump: each
    /// block, and the target it keeps.
    jumps: Vec<(BlockId, BlockId)>,
    /// Item loads the copy makes once, on its way in (see
    /// [`entry_loads`]): each block and statement.
    entry_loads: Vec<(BlockId, usize)>,
    /// Each `(k, len)` with `len` the length of an item the copy loads on
    /// its way in (a row): `stop + k <= len` is tested there, after the
    /// load, and the original loop runs when it fails.
    late_bounds: Vec<(i64, LocalId)>,
    /// The counted loop's latch, if found.
    latch: Option<Latch>,
}

/// Versions every innermost loop of `body` that checks indices or
/// branches into slow paths (see the module comment).
pub(super) fn version_loops(body: &mut Lowered) {
    if !cfg::may_loop(body) {
        return;
    }
    let cfg = Cfg::new(body);
    let loops = cfg.loops();
    let headers: HashSet<BlockId> = loops.iter().map(|l| l.header).collect();
    let assignments = cfg::assignments(body);
    let plans: Vec<Plan> = loops
        .iter()
        .filter(|l| {
            l.blocks
                .iter()
                .all(|b| *b == l.header || !headers.contains(b))
        })
        .filter_map(|l| plan(body, &cfg, &assignments, l))
        .collect();
    for p in plans {
        apply(body, p);
    }
}

/// How to version loop `l`, if it qualifies.
fn plan(
    body: &Lowered,
    cfg: &Cfg,
    assignments: &HashMap<LocalId, Vec<(BlockId, usize)>>,
    l: &Loop,
) -> Option<Plan> {
    let size: usize = l
        .blocks
        .iter()
        .map(|b| body.blocks[b.0 as usize].statements.len())
        .sum();
    if size > MAX_STATEMENTS {
        return None;
    }
    let before = cfg.preheader(body, l)?;
    let inside = |b: &BlockId| l.blocks.binary_search(b).is_ok();
    let assigned_inside = |x: LocalId| -> Vec<(BlockId, usize)> {
        assignments
            .get(&x)
            .into_iter()
            .flatten()
            .filter(|(b, _)| inside(b))
            .copied()
            .collect()
    };
    let invariant = |o: Operand| match o {
        Operand::Local(x) => {
            assigned_inside(x).is_empty() && cfg.holds_value(body, assignments, x, before)
        }
        _ => true,
    };
    let (mut conditions, mut jumps) =
        slow_path_branches(body, l, &assigned_inside, &invariant, false);
    let (raise_conditions, raise_jumps) =
        slow_path_branches(body, l, &assigned_inside, &invariant, true);
    let entry_loads = entry_loads(
        body,
        assignments,
        l,
        &raise_jumps,
        &assigned_inside,
        &invariant,
    );
    // The length of an item loaded on the way in: `len = item.len`, the
    // loop's only assignment of `len`.
    let rows: HashSet<LocalId> = entry_loads
        .iter()
        .filter_map(|&(b, i)| match body.blocks[b.0 as usize].statements[i] {
            Statement::Assign(item, _) => Some(item),
            _ => None,
        })
        .collect();
    let row_length = |len: LocalId| match assigned_inside(len).as_slice() {
        [(b, i)] => matches!(
            body.blocks[b.0 as usize].statements[*i],
            Statement::Assign(_, Rvalue::Load { base: Operand::Local(item), offset })
                if offset == heap::LEN && rows.contains(&item)
        ),
        _ => false,
    };
    let (checks, bounds, late_bounds, plain, start, stop, latch) = counted_checks(
        body,
        cfg,
        assignments,
        l,
        &assigned_inside,
        &invariant,
        &row_length,
    )
    .unwrap_or((
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Operand::Int(0),
        Operand::Int(0),
        None,
    ));
    // Checks that raise on a condition the loop cannot change are left
    // out of a copy made anyway, or one that makes entry loads.
    let copied = !checks.is_empty() || !jumps.is_empty() || !entry_loads.is_empty();
    if copied {
        conditions.extend(raise_conditions);
        jumps.extend(raise_jumps);
    }
    copied.then(|| Plan {
        before,
        header: l.header,
        blocks: l.blocks.clone(),
        checks,
        bounds,
        plain,
        start,
        stop,
        conditions,
        jumps,
        entry_loads,
        late_bounds,
        latch,
    })
}

/// The item loads of loop `l` that its copy can make once, before it: a
/// load of an invariant index of an invariant buffer right after a bounds
/// check the copy jumps past (`a[i]` in `for k in range(n): a[i][k]`), so
/// in bounds on the way in, and the same item on every iteration — the
/// loop stores no item of its type and changes no object otherwise (no
/// call of Roast code, field store, or runtime function that changes an
/// object), and keeps no reference to it (it is borrowed). With it go the
/// loads of the item's own header (a row's length and buffer).
fn entry_loads(
    body: &Lowered,
    assignments: &HashMap<LocalId, Vec<(BlockId, usize)>>,
    l: &Loop,
    jumps: &[(BlockId, BlockId)],
    assigned_inside: &dyn Fn(LocalId) -> Vec<(BlockId, usize)>,
    invariant: &dyn Fn(Operand) -> bool,
) -> Vec<(BlockId, usize)> {
    let statements = || {
        l.blocks
            .iter()
            .flat_map(|b| body.blocks[b.0 as usize].statements.iter())
    };
    let load_of = |x: LocalId, offset: i32| -> Option<LocalId> {
        match assignments.get(&x).map(Vec::as_slice) {
            Some([(b, i)]) => match body.blocks[b.0 as usize].statements[*i] {
                Statement::Assign(
                    _,
                    Rvalue::Load {
                        base: Operand::Local(list),
                        offset: o,
                    },
                ) if o == offset => Some(list),
                _ => None,
            },
            _ => None,
        }
    };
    let mut out = Vec::new();
    for &(b, keep) in jumps {
        let check = &body.blocks[b.0 as usize];
        let Terminator::Branch {
            cond: Operand::Local(c),
            ..
        } = check.terminator
        else {
            continue;
        };
        let Some(Statement::Assign(
            d,
            Rvalue::LoadItem {
                data: Operand::Local(data),
                index,
            },
        )) = body.blocks[keep.0 as usize].statements.first()
        else {
            continue;
        };
        // The check is `index >= len` of the list whose buffer is read
        // (made in the check's block, or before the loop).
        let test = match assignments.get(&c).map(Vec::as_slice) {
            Some([(at, i)]) => Some(&body.blocks[at.0 as usize].statements[*i]),
            _ => None,
        };
        let checked = test.is_some_and(|s| {
            matches!(*s, Statement::Assign(f, Rvalue::Binary(BinOp::ICmp(IntCond::UGe), i, Operand::Local(len)))
                if f == c && i == *index
                    && load_of(len, heap::LEN).is_some()
                    && load_of(len, heap::LEN) == load_of(*data, heap::LIST_DATA))
        });
        let ty = body.locals[d.0 as usize].1;
        let loop_keeps_it = statements().all(|s| match s {
            Statement::Assign(..)
            | Statement::CheckedArith { .. }
            | Statement::CheckDepth { .. } => true,
            Statement::StoreItem { value, .. } => match value {
                Operand::Local(v) => body.locals[v.0 as usize].1 != ty,
                _ => true,
            },
            Statement::IncRef(o) => *o != Operand::Local(*d),
            Statement::DecRef(x) => x != d,
            Statement::Runtime { func, .. } => func.keeps_objects(),
            _ => false,
        });
        if checked
            && loop_keeps_it
            && invariant(Operand::Local(*data))
            && invariant(*index)
            && assigned_inside(*d).len() == 1
        {
            out.push((keep, 0));
        }
    }
    out
}

/// Bounds checks made in the loop, what they need, the checked sums that
/// become plain, the loop's start and stop, and its latch.
type Checks = (
    Vec<(BlockId, usize, bool)>,
    Vec<(Offset, Option<LocalId>)>,
    Vec<(i64, LocalId)>,
    Vec<(BlockId, usize)>,
    Operand,
    Operand,
    Option<Latch>,
);

/// How far an index is from the loop variable.
#[derive(Clone, Copy, PartialEq)]
enum Offset {
    Constant(i64),
    /// A local the loop does not assign.
    Local(LocalId),
}

/// The end of a counted loop's iteration: `left -= 1`, `next += step`,
/// `more = left != 0`, a branch on `more` back to the header. The copy
/// tests `v + step < stop` instead (`v` the loop variable), with `left`
/// gone (one counter fewer), when `stop + step` cannot overflow. (Not
/// `next < stop`: the value ranges take the counter to be read only
/// while it is below `stop`.)
#[derive(Clone, Copy)]
struct Latch {
    block: BlockId,
    /// The statement counting `left` down (before `test`).
    count_down: usize,
    /// The statement computing `more`.
    test: usize,
    var: LocalId,
    step: i64,
}

/// The bounds checks of counted loop `l` that versioning can make
/// constants, what they need, and the loop's start and stop.
fn counted_checks(
    body: &Lowered,
    cfg: &Cfg,
    assignments: &HashMap<LocalId, Vec<(BlockId, usize)>>,
    l: &Loop,
    assigned_inside: &dyn Fn(LocalId) -> Vec<(BlockId, usize)>,
    invariant: &dyn Fn(Operand) -> bool,
    row_length: &dyn Fn(LocalId) -> bool,
) -> Option<Checks> {
    let inside = |b: &BlockId| l.blocks.binary_search(b).is_ok();
    let statement = |(b, i): (BlockId, usize)| &body.blocks[b.0 as usize].statements[i];
    // The loop variable: the header's copy of this loop's counter.
    let (copied_at, var, counter) = body.blocks[l.header.0 as usize]
        .statements
        .iter()
        .enumerate()
        .find_map(|(i, s)| match *s {
            Statement::Assign(v, Rvalue::Use(Operand::Local(c))) => {
                body.counters.get(&c).map(|counter| (i, v, (c, *counter)))
            }
            _ => None,
        })?;
    let (c, range) = counter;
    // The step: a constant, or a local assigned one constant only.
    let step = match range.step {
        Operand::Int(s) => Some(s),
        Operand::Local(s) => match assignments.get(&s).map(Vec::as_slice) {
            Some([at]) => match statement(*at) {
                Statement::Assign(_, Rvalue::Use(Operand::Int(s))) => Some(*s),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    let steps_only = assigned_inside(c).into_iter().all(|at| {
        matches!(statement(at), Statement::Assign(_, Rvalue::Binary(BinOp::IAdd, Operand::Local(x), step))
            if *x == c && *step == range.step)
    });
    if step.is_none_or(|s| s <= 0)
        || !steps_only
        || assigned_inside(var).len() != 1
        || !invariant(range.start)
        || !invariant(range.stop)
    {
        return None;
    }
    // The offset of `v + k` from `v`, for a local read at statement `i` of
    // block `b`, and where `v + k` is a checked sum (`k` a local).
    type Found = (Offset, Option<(BlockId, usize)>);
    let offset = |t: LocalId, b: BlockId, i: usize| -> Option<Found> {
        // The counter itself, in the header before it steps, is `v`.
        let counter_is_var = t == c
            && b == l.header
            && !body.blocks[b.0 as usize].statements[..i]
                .iter()
                .any(|s| s.assigned().any(|a| a == c));
        // `v` read at statement `i` of block `b`: after the header's copy.
        let reads_var = |b: BlockId, i: usize| b != l.header || copied_at < i;
        if (t == var && reads_var(b, i)) || counter_is_var {
            return Some((Offset::Constant(0), None));
        }
        // Followed back through copies (`t = u`, each assigned once, in
        // a block of the loop dominating the read).
        let mut t = t;
        let (bt, it) = loop {
            let [(bt, it)] = assignments.get(&t)?.as_slice() else {
                return None;
            };
            if !inside(bt) || !cfg.dominates(*bt, b) || (*bt == b && *it >= i) {
                return None;
            }
            match *statement((*bt, *it)) {
                Statement::Assign(_, Rvalue::Use(Operand::Local(u))) if u == var => {
                    return reads_var(*bt, *it).then_some((Offset::Constant(0), None));
                }
                Statement::Assign(_, Rvalue::Use(Operand::Local(u))) if u != t => t = u,
                _ if reads_var(*bt, *it) => break (*bt, *it),
                _ => return None,
            }
        };
        let invariant_local = |o: Operand| match o {
            Operand::Local(o) if o != var && invariant(Operand::Local(o)) => Some(o),
            _ => None,
        };
        match *statement((bt, it)) {
            Statement::Assign(
                _,
                Rvalue::Binary(BinOp::IAdd, Operand::Local(x), Operand::Int(k)),
            )
            | Statement::Assign(
                _,
                Rvalue::Binary(BinOp::IAdd, Operand::Int(k), Operand::Local(x)),
            ) if x == var => Some((Offset::Constant(k), None)),
            Statement::Assign(
                _,
                Rvalue::Binary(BinOp::ISub, Operand::Local(x), Operand::Int(k)),
            ) if x == var => Some((Offset::Constant(k.checked_neg()?), None)),
            Statement::CheckedArith {
                op: CheckedOp::Add,
                a,
                b: other,
                ..
            } => {
                let k = match (a, other) {
                    (Operand::Local(x), o) | (o, Operand::Local(x)) if x == var => {
                        invariant_local(o)?
                    }
                    _ => return None,
                };
                Some((Offset::Local(k), Some((bt, it))))
            }
            _ => None,
        }
    };
    let offset = |t: LocalId, b: BlockId, i: usize| {
        offset(t, b, i).filter(|(k, _)| match k {
            Offset::Constant(k) => k.abs() <= MAX_OFFSET,
            Offset::Local(_) => true,
        })
    };
    let mut plain = Vec::new();
    let mut plain_at = |at: Option<(BlockId, usize)>| {
        if let Some(at) = at.filter(|at| !plain.contains(at)) {
            plain.push(at);
        }
    };
    let mut checks = Vec::new();
    let mut bounds = Vec::new();
    let mut late_bounds = Vec::new();
    // The negative-index fix-ups `v + k < 0` (`k` below 0): false where
    // `start + k >= 0`. Each: its result and the `v + k` it tests.
    let mut fixups: HashMap<LocalId, LocalId> = HashMap::new();
    for &b in &l.blocks {
        let statements = &body.blocks[b.0 as usize].statements;
        for (i, s) in statements.iter().enumerate() {
            let Statement::Assign(
                negative,
                Rvalue::Binary(BinOp::ICmp(IntCond::SLt), index, Operand::Int(0)),
            ) = *s
            else {
                continue;
            };
            let Operand::Local(t) = resolve(statements, i, i, index) else {
                continue;
            };
            if let (Some((k, sum)), [_]) = (offset(t, b, i), assigned_inside(negative).as_slice()) {
                plain_at(sum);
                checks.push((b, i, false));
                fixups.insert(negative, t);
                if !bounds.contains(&(k, None)) {
                    bounds.push((k, None));
                }
            }
        }
    }
    for &b in &l.blocks {
        let statements = &body.blocks[b.0 as usize].statements;
        for (i, s) in statements.iter().enumerate() {
            let Statement::Assign(
                _,
                Rvalue::Binary(
                    BinOp::ICmp(cond @ (IntCond::UGe | IntCond::ULt)),
                    index,
                    Operand::Local(len),
                ),
            ) = *s
            else {
                continue;
            };
            let Operand::Local(t) = resolve(statements, i, i, index) else {
                continue;
            };
            let Some((k, sum)) = offset(t, b, i).or_else(|| {
                // The fixed-up position `negative ? t + len : t`, which is
                // `t` in the copy, where `negative` is false.
                let [at] = assigned_inside(t).try_into().ok()?;
                let Statement::Assign(_, Rvalue::Select(Operand::Local(c), _, u)) = *statement(at)
                else {
                    return None;
                };
                let at_statements = &body.blocks[at.0 .0 as usize].statements;
                let Operand::Local(u) = resolve(at_statements, at.1, at.1, u) else {
                    return None;
                };
                let before_check = cfg.dominates(at.0, b) && (at.0 != b || at.1 < i);
                (fixups.get(&c) == Some(&u) && before_check).then(|| offset(u, at.0, at.1))?
            }) else {
                continue;
            };
            if body.locals[len.0 as usize].1 != Type::Int {
                continue;
            }
            if !invariant(Operand::Local(len)) {
                // A row's length, known once the copy loads the row: a
                // constant offset is tested then (`start + k >= 0` before).
                let Offset::Constant(c) = k else {
                    continue;
                };
                if !row_length(len) || sum.is_some() {
                    continue;
                }
                checks.push((b, i, cond == IntCond::ULt));
                if !bounds.contains(&(k, None)) {
                    bounds.push((k, None));
                }
                if !late_bounds.contains(&(c, len)) {
                    late_bounds.push((c, len));
                }
                continue;
            }
            plain_at(sum);
            checks.push((b, i, cond == IntCond::ULt));
            if !bounds.contains(&(k, Some(len))) {
                bounds.push((k, Some(len)));
            }
        }
    }
    let latch = step.and_then(|step| latch(body, cfg, l, c, var, step));
    (!checks.is_empty()).then_some((
        checks,
        bounds,
        late_bounds,
        plain,
        range.start,
        range.stop,
        latch,
    ))
}

/// The [`Latch`] of counted loop `l` whose next value is `next`.
fn latch(
    body: &Lowered,
    cfg: &Cfg,
    l: &Loop,
    next: LocalId,
    var: LocalId,
    step: i64,
) -> Option<Latch> {
    l.blocks.iter().find_map(|&b| {
        let block = &body.blocks[b.0 as usize];
        let Terminator::Branch {
            cond: Operand::Local(more),
            then,
            ..
        } = block.terminator
        else {
            return None;
        };
        let at = |want: &dyn Fn(&Statement) -> bool| block.statements.iter().position(want);
        let test = at(&|s| matches!(s, Statement::Assign(m, _) if *m == more))?;
        let Statement::Assign(
            _,
            Rvalue::Binary(BinOp::ICmp(IntCond::Ne), Operand::Local(left), Operand::Int(0)),
        ) = block.statements[test]
        else {
            return None;
        };
        let count_down = at(&|s| {
            matches!(s, Statement::Assign(x, Rvalue::Binary(BinOp::ISub, Operand::Local(y), Operand::Int(1)))
                if *x == left && *y == left)
        })?;
        let steps = at(&|s| {
            matches!(s, Statement::Assign(x, Rvalue::Binary(BinOp::IAdd, Operand::Local(y), _))
                if *x == next && *y == next)
        })?;
        // Only the latch reads `left`, but for blocks before the loop (so
        // the copy may stop counting); `next` has stepped when tested.
        let is_left = |r: &&mut Operand| **r == Operand::Local(left);
        let counts_only_here = body.blocks.iter().enumerate().all(|(o, block)| {
            let before = o != l.header.0 as usize && cfg.dominates(BlockId(o as u32), l.header);
            let latch_reads =
                |i: usize| before || (o == b.0 as usize && (i == count_down || i == test));
            let reads = |s: &Statement| s.clone().reads_mut().iter().any(is_left);
            block
                .statements
                .iter()
                .enumerate()
                .all(|(i, s)| latch_reads(i) || !reads(s))
                && (before || !block.terminator.clone().reads_mut().iter().any(is_left))
        });
        (then == l.header && steps < test && count_down < test && counts_only_here).then_some(
            Latch {
                block: b,
                count_down,
                test,
                var,
                step,
            },
        )
    })
}

/// The branches of loop `l` on a loop-invariant condition with a slow
/// path on one side (the ASCII test of a subscript of a string the loop
/// does not change) or, when `raising`, a block that raises (a bounds
/// check of an index the loop does not change): the condition each
/// needs, computed before the loop, and the branch with the target it
/// keeps.
fn slow_path_branches(
    body: &Lowered,
    l: &Loop,
    assigned_inside: &dyn Fn(LocalId) -> Vec<(BlockId, usize)>,
    invariant: &dyn Fn(Operand) -> bool,
    raising: bool,
) -> (Vec<Rvalue>, Vec<(BlockId, BlockId)>) {
    let mut conditions = Vec::new();
    let mut jumps = Vec::new();
    for &b in &l.blocks {
        let Terminator::Branch {
            cond: Operand::Local(c),
            then,
            otherwise,
        } = body.blocks[b.0 as usize].terminator
        else {
            continue;
        };
        let cold = |t: BlockId| {
            let block = &body.blocks[t.0 as usize];
            match raising {
                false => block.cold,
                true => !block.cold && matches!(block.terminator, Terminator::Raise { .. }),
            }
        };
        let (keep, wanted) = match (cold(then), cold(otherwise)) {
            (false, true) => (then, true),
            (true, false) => (otherwise, false),
            _ => continue,
        };
        // The condition's value before the loop: `c` itself, or what its
        // one assignment in the loop computes from invariant operands
        // (earlier in the same block, so no iteration reads an old value).
        let value = match assigned_inside(c).as_slice() {
            [] if invariant(Operand::Local(c)) => Rvalue::Use(Operand::Local(c)),
            [(at, i)] if *at == b => match body.blocks[b.0 as usize].statements[*i] {
                Statement::Assign(
                    _,
                    ref r @ Rvalue::Binary(
                        BinOp::ICmp(_) | BinOp::And | BinOp::Or | BinOp::Xor,
                        x,
                        y,
                    ),
                ) if invariant(x) && invariant(y) => r.clone(),
                _ => continue,
            },
            _ => continue,
        };
        conditions.push(match wanted {
            true => value,
            false => match value {
                Rvalue::Binary(BinOp::ICmp(cond), x, y) => {
                    Rvalue::Binary(BinOp::ICmp(cond.negated()), x, y)
                }
                Rvalue::Use(x) => Rvalue::Unary(super::UnOp::Not, x),
                _ => continue,
            },
        });
        jumps.push((b, keep));
    }
    (conditions, jumps)
}

/// Tests the plan's conditions before its loop and adds the copy without
/// checks that they lead to.
fn apply(body: &mut Lowered, p: Plan) {
    let mut tests = Tests {
        statements: Vec::new(),
        fast: Operand::Bool(true),
    };
    for &(k, len) in &p.bounds {
        match k {
            Offset::Constant(k) => {
                let start = Rvalue::Binary(BinOp::ICmp(IntCond::SGe), p.start, Operand::Int(-k));
                tests.require(body, start);
                if let Some(len) = len {
                    let room = Rvalue::Binary(BinOp::ISub, Operand::Local(len), Operand::Int(k));
                    let room = tests.value(body, Type::Int, room);
                    tests.require(
                        body,
                        Rvalue::Binary(BinOp::ICmp(IntCond::SLe), p.stop, room),
                    );
                }
            }
            // `start + k >= 0` and `stop + k <= len`, each sum checked: an
            // overflow fails the test.
            Offset::Local(k) => {
                let mut ends = vec![(p.start, IntCond::SGe, Operand::Int(0))];
                ends.extend(len.map(|len| (p.stop, IntCond::SLe, Operand::Local(len))));
                for (end, cond, bound) in ends {
                    let (sum, overflow) = (
                        super::new_temp(&mut body.locals, Type::Int),
                        super::new_temp(&mut body.locals, Type::Bool),
                    );
                    tests.statements.push(Statement::CheckedArith {
                        value: sum,
                        overflow,
                        op: CheckedOp::Add,
                        a: end,
                        b: Operand::Local(k),
                    });
                    tests.require(body, Rvalue::Unary(UnOp::Not, Operand::Local(overflow)));
                    let within = Rvalue::Binary(BinOp::ICmp(cond), Operand::Local(sum), bound);
                    tests.require(body, within);
                }
            }
        }
    }
    for c in &p.conditions {
        tests.require(body, c.clone());
    }
    // The copy's latch tests `next < stop`: `stop + step` must fit.
    let latch = p.latch.filter(|_| !p.bounds.is_empty());
    if let Some(l) = latch {
        let most = Operand::Int(i64::MAX - l.step);
        tests.require(
            body,
            Rvalue::Binary(BinOp::ICmp(IntCond::SLe), p.stop, most),
        );
    }
    let Tests {
        statements: tests,
        fast,
    } = tests;
    let first_copy = body.blocks.len() as u32;
    let copy_of: HashMap<BlockId, BlockId> = p
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| (*b, BlockId(first_copy + i as u32)))
        .collect();
    for b in &p.blocks {
        let mut copy: BasicBlock = body.blocks[b.0 as usize].clone();
        for target in copy.terminator.successors_mut() {
            if let Some(c) = copy_of.get(target) {
                *target = *c;
            }
        }
        body.blocks.push(copy);
    }
    // Temporaries that live only in the loop get new names in the copy:
    // each is still assigned in one place per name (what `select` needs).
    let renamed = inner_temporaries(body, &p.blocks, first_copy as usize);
    super::rename_locals(&mut body.blocks[first_copy as usize..], &renamed);
    if let Some(l) = latch {
        let var = renamed.get(&l.var).copied().unwrap_or(l.var);
        let after = super::new_temp(&mut body.locals, Type::Int);
        let copy = &mut body.blocks[copy_of[&l.block].0 as usize];
        let Statement::Assign(more, _) = copy.statements[l.test] else {
            unreachable!("latch: the test assigns")
        };
        copy.statements[l.count_down] = Statement::Assign(
            after,
            Rvalue::Binary(BinOp::IAdd, Operand::Local(var), Operand::Int(l.step)),
        );
        copy.statements[l.test] = Statement::Assign(
            more,
            Rvalue::Binary(BinOp::ICmp(IntCond::SLt), Operand::Local(after), p.stop),
        );
    }
    for &(b, i, value) in &p.checks {
        let copy = &mut body.blocks[copy_of[&b].0 as usize];
        if let Statement::Assign(_, r) = &mut copy.statements[i] {
            *r = Rvalue::Use(Operand::Bool(value));
        }
    }
    for &(b, keep) in &p.jumps {
        let target = copy_of.get(&keep).copied().unwrap_or(keep);
        body.blocks[copy_of[&b].0 as usize].terminator = Terminator::Goto(target);
    }
    // Last, from the last statement of each block: each conversion adds
    // a statement after its own.
    let mut plain: Vec<(usize, usize)> = p
        .plain
        .iter()
        .map(|(b, i)| (copy_of[b].0 as usize, *i))
        .collect();
    plain.sort_unstable_by(|x, y| y.cmp(x));
    for (b, i) in plain {
        super::drop_overflow_check(&mut body.blocks[b], i, BinOp::IAdd);
    }
    let entry = entry_block(body, &p, &copy_of, &renamed);
    let before = &mut body.blocks[p.before.0 as usize];
    before.statements.extend(tests);
    before.terminator = Terminator::Branch {
        cond: fast,
        then: entry,
        otherwise: p.header,
    };
}

/// The tests made before a versioned loop: their statements, and whether
/// all the conditions hold so far.
struct Tests {
    statements: Vec<Statement>,
    fast: Operand,
}

impl Tests {
    /// A new temporary of type `ty` assigned `r`.
    fn value(&mut self, body: &mut Lowered, ty: Type, r: Rvalue) -> Operand {
        let l = super::new_temp(&mut body.locals, ty);
        self.statements.push(Statement::Assign(l, r));
        Operand::Local(l)
    }

    /// Adds condition `r` to those the copy needs.
    fn require(&mut self, body: &mut Lowered, r: Rvalue) {
        let holds = self.value(body, Type::Bool, r);
        let both = Rvalue::Binary(BinOp::And, self.fast, holds);
        self.fast = self.value(body, Type::Bool, both);
    }
}

/// The way into the copy: its header, or a block making the plan's entry
/// loads (and the loads of their headers the copy makes) first. Runs
/// after every other change to the copy's statements, which name them by
/// position.
fn entry_block(
    body: &mut Lowered,
    p: &Plan,
    copy_of: &HashMap<BlockId, BlockId>,
    renamed: &HashMap<LocalId, LocalId>,
) -> BlockId {
    let header = copy_of[&p.header];
    if p.entry_loads.is_empty() {
        return header;
    }
    let copies: Vec<usize> = p.blocks.iter().map(|b| copy_of[b].0 as usize).collect();
    let mut entry = Vec::new();
    for &(b, i) in &p.entry_loads {
        let block = &mut body.blocks[copy_of[&b].0 as usize];
        let Statement::Assign(item, Rvalue::LoadItem { .. }) = block.statements[i] else {
            unreachable!("version: an entry load is an item load")
        };
        entry.push(block.statements.remove(i));
        for &c in &copies {
            let (header_loads, rest): (Vec<Statement>, Vec<Statement>) =
                std::mem::take(&mut body.blocks[c].statements)
                    .into_iter()
                    .partition(|s| {
                        matches!(s, Statement::Assign(_, Rvalue::Load { base: Operand::Local(x), .. }) if *x == item)
                    });
            body.blocks[c].statements = rest;
            entry.extend(header_loads);
        }
    }
    // Each row's length bounds the indices: when one is too short, the
    // original loop runs (and raises where the indices leave the row).
    let mut tests = Tests {
        statements: entry,
        fast: Operand::Bool(true),
    };
    for &(k, len) in &p.late_bounds {
        let len = renamed.get(&len).copied().unwrap_or(len);
        let room = Rvalue::Binary(BinOp::ISub, Operand::Local(len), Operand::Int(k));
        let room = tests.value(body, Type::Int, room);
        tests.require(
            body,
            Rvalue::Binary(BinOp::ICmp(IntCond::SLe), p.stop, room),
        );
    }
    let terminator = match tests.fast {
        Operand::Bool(true) => Terminator::Goto(header),
        fast => Terminator::Branch {
            cond: fast,
            then: header,
            otherwise: p.header,
        },
    };
    body.blocks.push(BasicBlock {
        statements: tests.statements,
        terminator,
        cold: false,
    });
    BlockId(body.blocks.len() as u32 - 1)
}

/// New names for the locals that only the loop's blocks mention (and that
/// are not parameters), for the copy of the loop starting at block
/// `first_copy`.
fn inner_temporaries(
    body: &mut Lowered,
    blocks: &[BlockId],
    first_copy: usize,
) -> HashMap<LocalId, LocalId> {
    let mut outside: HashSet<LocalId> = body.params.iter().copied().collect();
    let mut inside: Vec<LocalId> = Vec::new();
    for (b, block) in body.blocks[..first_copy].iter_mut().enumerate() {
        let within = blocks.binary_search(&BlockId(b as u32)).is_ok();
        let mentioned = super::mentioned(block);
        if within {
            inside.extend(mentioned);
        } else {
            outside.extend(mentioned);
        }
    }
    let mut renamed = HashMap::new();
    for l in inside {
        if outside.contains(&l) || renamed.contains_key(&l) {
            continue;
        }
        let ty = body.locals[l.0 as usize].1;
        let to = super::new_temp(&mut body.locals, ty);
        for set in [&mut body.borrowed, &mut body.nonneg] {
            if set.contains(&l) {
                set.insert(to);
            }
        }
        renamed.insert(l, to);
    }
    renamed
}
