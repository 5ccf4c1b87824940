//! If-conversion: an `if` whose arms only compute a few scalars becomes
//! both arms computed before the branch and each variable they set chosen
//! by a `Select`, which the processor runs without a branch it could
//! mispredict (`x = x // 2` or `x = 3 * x + 1` in a Collatz step, a
//! running maximum `if v > best: best = v`, `cur[j] = a if c else b`
//! written as an `if`).
//!
//! An *arm* is a chain of blocks, each entered only from the one before
//! (the first only from the branch). Its statements compute scalars
//! without side effects or traps: copies, unary and binary operations
//! (division only by a constant other than 0 and -1), selects, checked
//! arithmetic, reads of a live object's header, and reads of a list item
//! right after a bounds check that cannot fire (its flag is `false`: the
//! value ranges or loop versioning proved the index inside the list
//! wherever it is read, so reading it early is safe too), each assigning
//! a temporary that nothing else assigns. Its blocks end in a jump to the
//! next one or a branch on a flag computed in the arm (an overflow, say)
//! to a block that raises; the last one may store one list item and ends
//! in copies into variables (`x = t`, the arm's *outputs*) and a jump to
//! the *join*, where the other arm goes too (or the branch itself, for an
//! `if` without `else`). Both arms store into the same item (the same
//! buffer and index, neither assigned in the arms) or neither stores.
//! Branches are converted innermost first, so an arm that was an `if` of
//! its own (an `elif`) is straight-line code by the time the branch
//! around it is looked at.
//!
//! Both arms' computations move before the branch (a temporary of the arm
//! not taken gets a value nobody reads). Then, when the arm taken raised
//! none of its flags, each output variable gets `c ? then-value :
//! else-value`, the item gets `c ? then-item : else-item`, and control
//! goes to the join; otherwise the original arms run and raise where they
//! would have. Outputs read no output variable, so the selects may run in
//! any order.

use super::{
    BasicBlock, BinOp, BlockId, LocalId, Lowered, Operand, Rvalue, Statement, Terminator, Type,
};
use roast_runtime::ExcKind;
use std::collections::{HashMap, HashSet};

/// The most statements an arm may compute for both arms to be run.
const MAX_ARM: usize = 12;

/// One arm of a branch that can be run speculatively.
struct Arm {
    /// The statements computing temporaries, in order.
    computed: Vec<Statement>,
    /// The flags whose being set sends the arm to a raising block.
    flags: Vec<LocalId>,
    /// The item the arm stores last, if any: `(data, index, value)`.
    store: Option<(Operand, Operand, Operand)>,
    /// The closing copies into variables.
    outputs: Vec<(LocalId, Operand)>,
    /// Where the arm ends.
    join: BlockId,
}

/// Converts every branch whose arms qualify (see the module comment).
pub(super) fn convert_small_ifs(body: &mut Lowered) {
    let (mut preds, mut uses) = counts(body);
    // The item loads conversions have moved before a branch: proven in
    // bounds where they were, so wherever they are.
    let mut moved_loads: HashSet<LocalId> = HashSet::new();
    // Inner branches first: an arm that is an `if` of its own becomes
    // straight-line code the branch around it can then run (its original
    // arms, now unreachable, count no more).
    for h in (0..body.blocks.len()).rev() {
        let Terminator::Branch {
            cond: Operand::Local(c),
            then,
            otherwise,
        } = body.blocks[h].terminator
        else {
            continue;
        };
        if then == otherwise {
            continue;
        }
        let arm = |start: BlockId| arm(body, &preds, &uses, &moved_loads, start);
        // An arm may end at a block that only jumps on to where the other
        // goes (an `and`'s false way out).
        let past_jumps = |mut b: BlockId| {
            for _ in 0..body.blocks.len() {
                match &body.blocks[b.0 as usize] {
                    BasicBlock {
                        statements,
                        terminator: Terminator::Goto(next),
                        ..
                    } if statements.is_empty() && *next != b => b = *next,
                    _ => break,
                }
            }
            b
        };
        let (t, e) = match (arm(then), arm(otherwise)) {
            (Some(t), Some(e)) if t.join == e.join => (t, e),
            (Some(t), _) if past_jumps(t.join) == past_jumps(otherwise) => (t, empty(otherwise)),
            (_, Some(e)) if past_jumps(e.join) == past_jumps(then) => (empty(then), e),
            _ => continue,
        };
        // Stores: both arms store last into the same item, or neither does.
        let same_item = match (t.store, e.store) {
            (Some((d1, i1, _)), Some((d2, i2, _))) => d1 == d2 && i1 == i2,
            (None, None) => true,
            _ => false,
        };
        if !same_item {
            continue;
        }
        let outputs: Vec<LocalId> = t.outputs.iter().chain(&e.outputs).map(|o| o.0).collect();
        let reads_output = |o: &Operand| matches!(o, Operand::Local(l) if outputs.contains(l));
        if (outputs.is_empty() && t.store.is_none())
            || outputs.contains(&c)
            || outputs.iter().any(|v| body.counters.contains_key(v))
            || t.outputs
                .iter()
                .chain(&e.outputs)
                .any(|(_, o)| reads_output(o))
        {
            continue;
        }
        for s in t.computed.iter().chain(&e.computed) {
            if let Statement::Assign(l, Rvalue::LoadItem { .. }) = s {
                moved_loads.insert(*l);
            }
        }
        rewrite(body, h, c, (then, otherwise), t, e);
        (preds, uses) = counts(body);
    }
}

/// How many ways lead into each block, in the blocks the entry reaches.
fn counts(body: &Lowered) -> (Vec<usize>, Uses) {
    let live = super::reachable(&body.blocks);
    let mut uses = Uses::default();
    for (b, block) in body.blocks.iter().enumerate() {
        if live[b] {
            uses.add(block);
        }
    }
    (super::predecessor_counts(&body.blocks, &live), uses)
}

/// How many times each local is assigned and read.
#[derive(Default)]
struct Uses {
    defs: HashMap<LocalId, usize>,
    reads: HashMap<LocalId, usize>,
}

impl Uses {
    fn add(&mut self, block: &BasicBlock) {
        for s in &block.statements {
            for l in s.assigned() {
                *self.defs.entry(l).or_default() += 1;
            }
            for l in s.read_locals() {
                *self.reads.entry(l).or_default() += 1;
            }
        }
        for read in block.terminator.clone().reads_mut() {
            if let Operand::Local(l) = *read {
                *self.reads.entry(l).or_default() += 1;
            }
        }
    }

    fn defs(&self, l: LocalId) -> usize {
        self.defs.get(&l).copied().unwrap_or(0)
    }

    fn reads(&self, l: LocalId) -> usize {
        self.reads.get(&l).copied().unwrap_or(0)
    }
}

/// An arm without statements: the branch goes straight to the join.
fn empty(join: BlockId) -> Arm {
    Arm {
        computed: Vec::new(),
        flags: Vec::new(),
        store: None,
        outputs: Vec::new(),
        join,
    }
}

/// The arm starting at `start`, if it qualifies.
fn arm(
    body: &Lowered,
    preds: &[usize],
    uses: &Uses,
    moved_loads: &HashSet<LocalId>,
    start: BlockId,
) -> Option<Arm> {
    let scalar = |l: LocalId| {
        matches!(
            body.locals[l.0 as usize].1,
            Type::Int | Type::Float | Type::Bool
        )
    };
    let mut statements: Vec<Statement> = Vec::new();
    let mut flags = Vec::new();
    // Each branch to a raising block: where in `statements`, its flag,
    // and whether it is a bounds check (raising `IndexError`).
    let mut guards: Vec<(usize, LocalId, bool)> = Vec::new();
    let mut cur = start;
    let mut blocks = 0;
    let mut within = Uses::default();
    let join = loop {
        let block = &body.blocks[cur.0 as usize];
        blocks += 1;
        // Statements (and blocks, even empty ones) are few in an arm.
        if preds[cur.0 as usize] != 1 || statements.len() > 2 * MAX_ARM || blocks > 2 * MAX_ARM {
            return None;
        }
        within.add(block);
        statements.extend(block.statements.iter().cloned());
        match block.terminator {
            Terminator::Goto(next) if preds[next.0 as usize] == 1 => cur = next,
            Terminator::Goto(join) => break join,
            Terminator::Branch {
                cond: Operand::Local(flag),
                then,
                otherwise,
            } => {
                let Terminator::Raise { kind, .. } = body.blocks[then.0 as usize].terminator else {
                    return None;
                };
                guards.push((statements.len(), flag, kind == ExcKind::IndexError));
                flags.push(flag);
                cur = otherwise;
            }
            _ => return None,
        }
    };
    // The closing copies into variables are the outputs; before them, the
    // arm may store an item; the rest compute. A copy into a local that
    // only the arm reads, assigned once, is a computation (run on both
    // ways, it changes nothing the other way reads).
    let arm_local = |l: LocalId| uses.defs(l) == 1 && uses.reads(l) == within.reads(l);
    let mut split = statements.len();
    while split > 0
        && matches!(statements[split - 1], Statement::Assign(v, Rvalue::Use(_)) if !arm_local(v))
    {
        split -= 1;
    }
    let outputs: Vec<(LocalId, Operand)> = statements[split..]
        .iter()
        .map(|s| match s {
            Statement::Assign(v, Rvalue::Use(o)) => (*v, *o),
            _ => unreachable!("outputs are copies"),
        })
        .collect();
    statements.truncate(split);
    let store = match statements.last() {
        Some(&Statement::StoreItem { data, index, value }) => {
            statements.pop();
            Some((data, index, value))
        }
        _ => None,
    };
    // A flag assigned `false` never sends the arm to its raising block
    // (the value ranges or loop versioning proved the check cannot fire).
    let never = |f: LocalId| {
        statements.iter().any(
            |s| matches!(s, Statement::Assign(l, Rvalue::Use(Operand::Bool(false))) if *l == f),
        )
    };
    // An item load is run early only right after a bounds check that
    // cannot fire (its index is inside the list on every way there), or
    // where an inner conversion moved such a load.
    let in_bounds = |at: usize| {
        matches!(statements[at], Statement::Assign(l, _) if moved_loads.contains(&l))
            || guards
                .iter()
                .rev()
                .find(|g| g.0 <= at)
                .is_some_and(|&(from, flag, bounds)| {
                    bounds
                        && never(flag)
                        && !statements[from..at]
                            .iter()
                            .any(|s| matches!(s, Statement::Assign(_, Rvalue::LoadItem { .. })))
                })
    };
    // An object's header can be read wherever the object is live.
    let header = |r: &Rvalue| match r {
        Rvalue::Load {
            base: Operand::Local(x),
            ..
        } => {
            let ty = body.locals[x.0 as usize].1;
            ty.is_heap() && !matches!(ty, Type::Optional(_))
        }
        _ => false,
    };
    let computes = |(at, s): (usize, &Statement)| match s {
        Statement::Assign(_, Rvalue::LoadItem { .. }) => in_bounds(at),
        Statement::Assign(_, r) => speculable(r) || header(r),
        Statement::CheckedArith { .. } => true,
        _ => false,
    };
    let temporary = |l: LocalId| scalar(l) && uses.defs(l) == 1;
    let computed_flag = |f: &LocalId| statements.iter().any(|s| s.assigned().any(|l| l == *f));
    let assigned_in_arm = |o: Operand| match o {
        Operand::Local(l) => {
            statements.iter().any(|s| s.assigned().any(|a| a == l))
                || outputs.iter().any(|(v, _)| *v == l)
        }
        _ => false,
    };
    let work = statements
        .iter()
        .filter(|s| !matches!(s, Statement::Assign(_, Rvalue::Use(Operand::Bool(false)))))
        .count();
    let fits = work <= MAX_ARM
        && statements.iter().enumerate().all(computes)
        && statements.iter().all(|s| s.assigned().all(temporary))
        && flags.iter().all(computed_flag)
        && outputs.iter().all(|(v, _)| scalar(*v))
        && store.is_none_or(|(data, index, _)| !assigned_in_arm(data) && !assigned_in_arm(index));
    flags.retain(|f| !never(*f));
    fits.then_some(Arm {
        computed: statements,
        flags,
        store,
        outputs,
        join,
    })
}

/// Whether computing `r` has no effect and cannot trap.
fn speculable(r: &Rvalue) -> bool {
    match r {
        Rvalue::Use(_) | Rvalue::Unary(..) | Rvalue::Select(..) => true,
        Rvalue::Binary(BinOp::SDiv | BinOp::SRem, _, d) => {
            matches!(d, Operand::Int(k) if *k != 0 && *k != -1)
        }
        Rvalue::Binary(BinOp::UDiv | BinOp::URem, _, d) => matches!(d, Operand::Int(k) if *k != 0),
        Rvalue::Binary(..) => true,
        _ => false,
    }
}

/// Runs both arms of block `h`'s branch on `c` before it (see the module
/// comment); `targets` are the branch's two successors.
fn rewrite(body: &mut Lowered, h: usize, c: LocalId, targets: (BlockId, BlockId), t: Arm, e: Arm) {
    let join = t.join;
    let mut selects = Vec::new();
    // The store first: the arms store before their closing copies, so the
    // value stored reads the variables as they were.
    if let (Some((data, index, vt)), Some((_, _, ve))) = (t.store, e.store) {
        let ty = match vt {
            Operand::Local(l) => body.locals[l.0 as usize].1,
            Operand::Int(_) => Type::Int,
            Operand::Float(_) => Type::Float,
            Operand::Bool(_) => Type::Bool,
        };
        let value = super::new_temp(&mut body.locals, ty);
        selects.push(Statement::Assign(
            value,
            Rvalue::Select(Operand::Local(c), vt, ve),
        ));
        selects.push(Statement::StoreItem {
            data,
            index,
            value: Operand::Local(value),
        });
    }
    // Each output is selected into a temporary, then copied: a branch
    // around this one sees computations and closing copies, an arm it can
    // run in turn.
    let mut seen: Vec<LocalId> = Vec::new();
    let mut copies = Vec::new();
    for (v, _) in t.outputs.iter().chain(&e.outputs) {
        if seen.contains(v) {
            continue;
        }
        seen.push(*v);
        let value = |arm: &Arm| {
            arm.outputs
                .iter()
                .rev()
                .find(|(w, _)| w == v)
                .map_or(Operand::Local(*v), |(_, o)| *o)
        };
        let ty = body.locals[v.0 as usize].1;
        let selected = super::new_temp(&mut body.locals, ty);
        selects.push(Statement::Assign(
            selected,
            Rvalue::Select(Operand::Local(c), value(&t), value(&e)),
        ));
        copies.push(Statement::Assign(*v, Rvalue::Use(Operand::Local(selected))));
    }
    selects.extend(copies);
    let failed = |body: &mut Lowered, flags: &[LocalId], into: &mut Vec<Statement>| {
        let mut any = Operand::Bool(false);
        for f in flags {
            any = match any {
                Operand::Bool(false) => Operand::Local(*f),
                prev => {
                    let l = super::new_temp(&mut body.locals, Type::Bool);
                    into.push(Statement::Assign(
                        l,
                        Rvalue::Binary(BinOp::Or, prev, Operand::Local(*f)),
                    ));
                    Operand::Local(l)
                }
            };
        }
        any
    };
    let mut head = std::mem::take(&mut body.blocks[h].statements);
    head.extend(t.computed);
    head.extend(e.computed);
    let (ft, fe) = (
        failed(body, &t.flags, &mut head),
        failed(body, &e.flags, &mut head),
    );
    let terminator = if ft == Operand::Bool(false) && fe == Operand::Bool(false) {
        head.extend(selects);
        Terminator::Goto(join)
    } else {
        let fail = super::new_temp(&mut body.locals, Type::Bool);
        head.push(Statement::Assign(
            fail,
            Rvalue::Select(Operand::Local(c), ft, fe),
        ));
        let slow = push_block(
            body,
            Vec::new(),
            Terminator::Branch {
                cond: Operand::Local(c),
                then: targets.0,
                otherwise: targets.1,
            },
        );
        let fast = push_block(body, selects, Terminator::Goto(join));
        Terminator::Branch {
            cond: Operand::Local(fail),
            then: slow,
            otherwise: fast,
        }
    };
    body.blocks[h].statements = head;
    body.blocks[h].terminator = terminator;
}

fn push_block(body: &mut Lowered, statements: Vec<Statement>, terminator: Terminator) -> BlockId {
    body.blocks.push(BasicBlock {
        statements,
        terminator,
        cold: false,
    });
    BlockId(body.blocks.len() as u32 - 1)
}
