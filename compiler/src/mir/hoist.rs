//! Loop-invariant loads: a loop that cannot change any object header reads
//! a list's length and item buffer once, before the loop, instead of on
//! every iteration.
//!
//! A loop qualifies when its blocks only compute (`Assign`,
//! `CheckedArith`, the recursion check of an inlined call), store items
//! of scalar lists (`StoreItem`), change reference counts, and call
//! runtime functions that leave existing objects alone
//! ([`RtFn::keeps_objects`](super::RtFn::keeps_objects): making strings,
//! comparing, printing): no call of Roast code, no runtime function that
//! changes an object, no field store, so nothing in it can grow, shrink or
//! move an object. It may free objects (a `DecRef` of the last
//! reference), but not one a reference it does not own points to: in a
//! loop that may free, only loads from parameters (their callers hold
//! them) and from locals that own their reference move. A load
//! `d = base.field` in such a loop moves to the block before the loop
//! when `base` is a list, string, tuple or dict (never `None`) that the
//! loop does not assign and that holds a value there (a parameter, or
//! assigned in a block that dominates it), and the load is the only
//! assignment to `d`. Blocks that raise leave the loop,
//! so they are not part of it. Two such loads of the same field of the
//! same local become one: both would run together before the loop, with
//! nothing between them, so the second's reads read the first's result
//! (and later passes see one length where the loop checked two indices
//! against it).

use super::cfg::{self, Cfg, Loop};
use super::{BinOp, BlockId, LocalId, Lowered, Operand, Rvalue, Statement};
use crate::hir::Type;
use std::collections::{HashMap, HashSet};

/// Moves the invariant loads of every qualifying loop of `body` to the
/// block before it, innermost loops first (so a load can leave a nest).
pub(super) fn hoist_invariant_loads(body: &mut Lowered) {
    let Some((cfg, loops, mut assignments)) = innermost_first(body) else {
        return;
    };
    for l in loops {
        let Some(before) = cfg.preheader(body, &l) else {
            continue;
        };
        let statements = || {
            l.blocks
                .iter()
                .flat_map(|b| body.blocks[b.0 as usize].statements.iter())
        };
        if !statements().all(keeps_headers) {
            continue;
        }
        // What a loop may free, only the references it owns keep alive.
        let frees =
            statements().any(|s| matches!(s, Statement::DecRef(_) | Statement::Runtime { .. }));
        let assigned_in_loop = assigned_in(body, &l);
        let mut hoisted = Vec::new();
        for b in &l.blocks {
            let statements = std::mem::take(&mut body.blocks[b.0 as usize].statements);
            let (moved, kept): (Vec<Statement>, Vec<Statement>) =
                statements.into_iter().partition(|s| match s {
                    Statement::Assign(
                        d,
                        Rvalue::Load {
                            base: Operand::Local(x),
                            ..
                        },
                    ) => {
                        let ty = body.locals[x.0 as usize].1;
                        let kept_alive = !frees || !body.borrowed.contains(x);
                        ty.is_heap()
                            && !matches!(ty, Type::Optional(_))
                            && kept_alive
                            && !assigned_in_loop.contains(x)
                            && assignments.get(d).is_some_and(|bs| bs.len() == 1)
                            && cfg.holds_value(body, &assignments, *x, before)
                    }
                    _ => false,
                });
            body.blocks[b.0 as usize].statements = kept;
            hoisted.extend(moved);
        }
        // A load made twice in the loop is made once before it: the
        // second one's reads read the first's result.
        let mut first: HashMap<(LocalId, i32), LocalId> = HashMap::new();
        let mut renamed: HashMap<LocalId, LocalId> = HashMap::new();
        hoisted.retain(|s| {
            let Statement::Assign(
                d,
                Rvalue::Load {
                    base: Operand::Local(x),
                    offset,
                },
            ) = *s
            else {
                return true;
            };
            match first.get(&(x, offset)) {
                Some(&e) if body.locals[e.0 as usize].1 == body.locals[d.0 as usize].1 => {
                    renamed.insert(d, e);
                    false
                }
                _ => {
                    first.insert((x, offset), d);
                    true
                }
            }
        });
        super::rename_locals(&mut body.blocks, &renamed);
        for d in renamed.keys() {
            assignments.remove(d);
        }
        for s in &hoisted {
            for d in s.assigned() {
                assignments.insert(d, vec![(before, 0)]);
            }
        }
        body.blocks[before.0 as usize].statements.extend(hoisted);
    }
}

/// Moves the invariant scalar arithmetic of every innermost loop of `body`
/// to the block before it: an assignment, the only one of
/// its int, float or bool local, of an operation that cannot trap (no
/// integer division) whose operands the loop does not change — or are
/// computed by such assignments moved before it. Such a value is the same
/// on every iteration, and computing it where the loop may not need it
/// does nothing but compute it. So an index's fix-up for negative values
/// and its bounds test (`bt[j]` in a loop over `t`) are made once, and
/// loop versioning sees the test as one the loop cannot change.
pub(super) fn hoist_invariant_arithmetic(body: &mut Lowered) {
    let Some((cfg, loops, mut assignments)) = innermost_first(body) else {
        return;
    };
    let defined_first = read_after_assignment(body, &cfg, &assignments);
    // Locals set once, to a constant, and read only after: a moved
    // statement reads the constant.
    let constants: HashMap<LocalId, Operand> = assignments
        .iter()
        .filter(|(l, _)| defined_first.contains(l))
        .filter_map(|(l, at)| match at.as_slice() {
            [(b, i)] => match body.blocks[b.0 as usize].statements[*i] {
                Statement::Assign(_, Rvalue::Use(c)) if !matches!(c, Operand::Local(_)) => {
                    Some((*l, c))
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    // Innermost loops only: what runs once per iteration of an outer loop
    // gains little from moving further out, and living across the whole
    // loop takes registers its inner loops need.
    let headers: HashSet<BlockId> = loops.iter().map(|l| l.header).collect();
    for l in loops {
        let innermost = l
            .blocks
            .iter()
            .all(|b| *b == l.header || !headers.contains(b));
        let Some(before) = cfg.preheader(body, &l).filter(|_| innermost) else {
            continue;
        };
        let assigned_in_loop = assigned_in(body, &l);
        let mut hoisted: Vec<Statement> = Vec::new();
        let mut moved: HashSet<LocalId> = HashSet::new();
        loop {
            let before_round = hoisted.len();
            for b in &l.blocks {
                let statements = std::mem::take(&mut body.blocks[b.0 as usize].statements);
                let mut kept = Vec::with_capacity(statements.len());
                for mut s in statements {
                    let movable = match &s {
                        Statement::Assign(d, r) => {
                            !body.locals[d.0 as usize].1.is_heap()
                                && cannot_trap(r)
                                && defined_first.contains(d)
                                && s.read_locals().iter().all(|x| {
                                    moved.contains(x)
                                        || constants.contains_key(x)
                                        || (!assigned_in_loop.contains(x)
                                            && cfg.holds_value(body, &assignments, *x, before))
                                })
                        }
                        _ => false,
                    };
                    if movable {
                        for o in s.reads_mut() {
                            if let Operand::Local(x) = *o {
                                if let Some(&c) = constants.get(&x) {
                                    *o = c;
                                }
                            }
                        }
                        moved.extend(s.assigned());
                        hoisted.push(s);
                    } else {
                        kept.push(s);
                    }
                }
                body.blocks[b.0 as usize].statements = kept;
            }
            if hoisted.len() == before_round {
                break;
            }
        }
        for s in &hoisted {
            for d in s.assigned() {
                assignments.insert(d, vec![(before, 0)]);
            }
        }
        body.blocks[before.0 as usize].statements.extend(hoisted);
    }
}

/// The locals assigned once, not parameters, whose every read comes after
/// that assignment (in a block it dominates, or later in its own): giving
/// one its value earlier changes nothing that reads it.
fn read_after_assignment(body: &Lowered, cfg: &Cfg, assignments: &Assignments) -> HashSet<LocalId> {
    let mut out: HashSet<LocalId> = assignments
        .iter()
        .filter(|(l, at)| at.len() == 1 && !body.params.contains(l))
        .map(|(l, _)| *l)
        .collect();
    for (b, block) in body.blocks.iter().enumerate() {
        let b = BlockId(b as u32);
        let mut terminator = block.terminator.clone();
        let end = block.statements.len();
        let reads: Vec<(LocalId, usize)> = block
            .statements
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.read_locals().into_iter().map(move |x| (x, i)))
            .chain(terminator.reads_mut().into_iter().filter_map(|o| match *o {
                Operand::Local(x) => Some((x, end)),
                _ => None,
            }))
            .collect();
        for (x, i) in reads {
            let Some(&[(at, j)]) = assignments.get(&x).map(Vec::as_slice) else {
                continue;
            };
            if !(cfg.dominates(at, b) && (at != b || j < i)) {
                out.remove(&x);
            }
        }
    }
    out
}

/// The locals some statement of loop `l` assigns.
fn assigned_in(body: &Lowered, l: &Loop) -> HashSet<LocalId> {
    l.blocks
        .iter()
        .flat_map(|b| body.blocks[b.0 as usize].statements.iter())
        .flat_map(Statement::assigned)
        .collect()
}

/// The control-flow graph of `body`, its loops, innermost first (so what
/// moves out of one can leave its nest), and where each local is assigned;
/// `None` when `body` cannot loop.
fn innermost_first(body: &Lowered) -> Option<(Cfg, Vec<Loop>, Assignments)> {
    if !cfg::may_loop(body) {
        return None;
    }
    let cfg = Cfg::new(body);
    let mut loops = cfg.loops();
    loops.sort_by_key(|l| l.blocks.len());
    let assignments = cfg::assignments(body);
    Some((cfg, loops, assignments))
}

/// Where each local is assigned: block and statement.
type Assignments = HashMap<LocalId, Vec<(BlockId, usize)>>;

/// Whether `r` computes something (not a copy, which costs nothing where
/// it is and which later passes follow where it is made: a fact about `i`
/// holds for `j = i` below it) and can neither trap nor read memory.
fn cannot_trap(r: &Rvalue) -> bool {
    match r {
        Rvalue::Unary(..) | Rvalue::Select(..) => true,
        Rvalue::Binary(op, ..) => {
            !matches!(op, BinOp::SDiv | BinOp::UDiv | BinOp::SRem | BinOp::URem)
        }
        _ => false,
    }
}

/// Whether a statement leaves the headers of the objects that exist
/// before it alone: it may free objects (a `DecRef`), but only ones no
/// reference it does not own points to.
fn keeps_headers(s: &Statement) -> bool {
    match s {
        Statement::Assign(..)
        | Statement::CheckedArith { .. }
        | Statement::StoreItem { .. }
        | Statement::CheckDepth { .. }
        | Statement::IncRef(_)
        | Statement::DecRef(_) => true,
        Statement::Runtime { func, .. } => func.keeps_objects(),
        _ => false,
    }
}
