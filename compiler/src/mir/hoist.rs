//! Loop-invariant loads: a loop that cannot change any object header reads
//! a list's length and item buffer once, before the loop, instead of on
//! every iteration.
//!
//! A loop qualifies when its blocks only compute (`Assign`,
//! `CheckedArith`, the recursion check of an inlined call) and store items
//! of scalar lists (`StoreItem`): no call, runtime function, reference
//! count change or field store, so nothing in it can grow, shrink, move or
//! free an object. A load `d = base.field` in such a loop moves to the
//! block before the loop when `base` is a list, string, tuple or dict
//! (never `None`) that the loop does not assign and that holds a value
//! there (a parameter, or assigned in a block that dominates it), and the
//! load is the only assignment to `d`. Blocks that raise leave the loop,
//! so they are not part of it.

use super::{BlockId, LocalId, Lowered, Operand, Rvalue, Statement, Terminator};
use crate::hir::Type;
use std::collections::{HashMap, HashSet};

/// Moves the invariant loads of every qualifying loop of `body` to the
/// block before it, innermost loops first (so a load can leave a nest).
pub(super) fn hoist_invariant_loads(body: &mut Lowered) {
    let cfg = Cfg::new(body);
    let mut loops = cfg.loops();
    loops.sort_by_key(|l| l.blocks.len());
    let mut assignments: HashMap<LocalId, Vec<BlockId>> = HashMap::new();
    for (b, block) in body.blocks.iter().enumerate() {
        for s in &block.statements {
            for l in s.assigned() {
                assignments.entry(l).or_default().push(BlockId(b as u32));
            }
        }
    }
    for l in loops {
        let Some(before) = cfg.preheader(body, &l) else {
            continue;
        };
        if !l
            .blocks
            .iter()
            .all(|b| body.blocks[b.0 as usize].statements.iter().all(pure))
        {
            continue;
        }
        let assigned_in_loop: HashSet<LocalId> = l
            .blocks
            .iter()
            .flat_map(|b| body.blocks[b.0 as usize].statements.iter())
            .flat_map(Statement::assigned)
            .collect();
        let holds_value = |x: LocalId| {
            body.params.contains(&x)
                || assignments
                    .get(&x)
                    .is_some_and(|bs| bs.iter().any(|b| cfg.dominates(*b, before)))
        };
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
                        ty.is_heap()
                            && !matches!(ty, Type::Optional(_))
                            && !assigned_in_loop.contains(x)
                            && assignments.get(d).is_some_and(|bs| bs.len() == 1)
                            && holds_value(*x)
                    }
                    _ => false,
                });
            body.blocks[b.0 as usize].statements = kept;
            hoisted.extend(moved);
        }
        for s in &hoisted {
            for d in s.assigned() {
                assignments.insert(d, vec![before]);
            }
        }
        body.blocks[before.0 as usize].statements.extend(hoisted);
    }
}

/// Whether a statement can neither write an object header nor free one.
fn pure(s: &Statement) -> bool {
    matches!(
        s,
        Statement::Assign(..)
            | Statement::CheckedArith { .. }
            | Statement::StoreItem { .. }
            | Statement::CheckDepth { .. }
    )
}

/// A natural loop: its header and every block that reaches a back edge to
/// it without passing through it (the header included).
struct Loop {
    header: BlockId,
    blocks: Vec<BlockId>,
}

/// Predecessors and immediate dominators of a body's blocks.
struct Cfg {
    predecessors: Vec<Vec<BlockId>>,
    /// `None` for blocks unreachable from the entry.
    idom: Vec<Option<BlockId>>,
}

impl Cfg {
    fn new(body: &Lowered) -> Cfg {
        let n = body.blocks.len();
        let mut predecessors = vec![Vec::new(); n];
        for (b, block) in body.blocks.iter().enumerate() {
            for s in block.terminator.successors() {
                predecessors[s.0 as usize].push(BlockId(b as u32));
            }
        }
        // Reverse postorder from the entry, by an explicit stack.
        let mut order = Vec::with_capacity(n);
        let mut seen = vec![false; n];
        let mut stack = vec![(0usize, 0usize)];
        seen[0] = true;
        while let Some(&mut (b, ref mut next)) = stack.last_mut() {
            let successors = body.blocks[b].terminator.successors();
            if let Some(s) = successors.get(*next) {
                *next += 1;
                let s = s.0 as usize;
                if !seen[s] {
                    seen[s] = true;
                    stack.push((s, 0));
                }
            } else {
                order.push(b);
                stack.pop();
            }
        }
        let mut postorder_index = vec![usize::MAX; n];
        for (i, b) in order.iter().enumerate() {
            postorder_index[*b] = i;
        }
        order.reverse();
        // Cooper, Harvey and Kennedy's iteration over immediate dominators.
        let mut idom: Vec<Option<usize>> = vec![None; n];
        idom[0] = Some(0);
        let intersect = |idom: &[Option<usize>], mut a: usize, mut b: usize| {
            while a != b {
                while postorder_index[a] < postorder_index[b] {
                    a = idom[a].expect("processed");
                }
                while postorder_index[b] < postorder_index[a] {
                    b = idom[b].expect("processed");
                }
            }
            a
        };
        let mut changed = true;
        while changed {
            changed = false;
            for &b in order.iter().skip(1) {
                let mut new = None;
                for p in &predecessors[b] {
                    let p = p.0 as usize;
                    if idom[p].is_none() {
                        continue;
                    }
                    new = Some(match new {
                        None => p,
                        Some(q) => intersect(&idom, p, q),
                    });
                }
                if new.is_some() && idom[b] != new {
                    idom[b] = new;
                    changed = true;
                }
            }
        }
        Cfg {
            predecessors,
            idom: idom
                .into_iter()
                .map(|d| d.map(|d| BlockId(d as u32)))
                .collect(),
        }
    }

    /// Whether `a` dominates `b` (every path from the entry to `b` passes
    /// through `a`); false for unreachable blocks.
    fn dominates(&self, a: BlockId, b: BlockId) -> bool {
        let mut at = b;
        loop {
            if at == a {
                return true;
            }
            match self.idom[at.0 as usize] {
                Some(up) if up != at => at = up,
                _ => return false,
            }
        }
    }

    /// The natural loops, one per header (back edges to one header merged).
    fn loops(&self) -> Vec<Loop> {
        let mut by_header: HashMap<BlockId, HashSet<BlockId>> = HashMap::new();
        for (b, preds) in self.predecessors.iter().enumerate() {
            let header = BlockId(b as u32);
            for &tail in preds {
                if self.idom[tail.0 as usize].is_none() || !self.dominates(header, tail) {
                    continue;
                }
                let blocks = by_header
                    .entry(header)
                    .or_insert_with(|| HashSet::from([header]));
                let mut work = vec![tail];
                while let Some(x) = work.pop() {
                    if blocks.insert(x) {
                        work.extend(self.predecessors[x.0 as usize].iter().copied());
                    }
                }
            }
        }
        let mut loops: Vec<Loop> = by_header
            .into_iter()
            .map(|(header, blocks)| {
                let mut blocks: Vec<BlockId> = blocks.into_iter().collect();
                blocks.sort();
                Loop { header, blocks }
            })
            .collect();
        loops.sort_by_key(|l| l.header);
        loops
    }

    /// The one block outside `l` that jumps to its header, when it jumps
    /// nowhere else.
    fn preheader(&self, body: &Lowered, l: &Loop) -> Option<BlockId> {
        let mut outside = self.predecessors[l.header.0 as usize]
            .iter()
            .filter(|p| l.blocks.binary_search(p).is_err());
        let before = *outside.next()?;
        if outside.next().is_some() {
            return None;
        }
        matches!(body.blocks[before.0 as usize].terminator, Terminator::Goto(h) if h == l.header)
            .then_some(before)
    }
}
