//! The control-flow graph of a lowered body: predecessors, dominators
//! (Cooper, Harvey and Kennedy's iteration) and natural loops, for the
//! passes that move or simplify code by where it can be reached from.

use super::{BlockId, LocalId, Lowered, Terminator};
use std::collections::{HashMap, HashSet};

/// Where each local is assigned: (block, statement index), in order.
pub(super) fn assignments(body: &Lowered) -> HashMap<LocalId, Vec<(BlockId, usize)>> {
    let mut out: HashMap<LocalId, Vec<(BlockId, usize)>> = HashMap::new();
    for (b, block) in body.blocks.iter().enumerate() {
        for (i, s) in block.statements.iter().enumerate() {
            for l in s.assigned() {
                out.entry(l).or_default().push((BlockId(b as u32), i));
            }
        }
    }
    out
}

/// Whether `body` may have a cycle: an edge to a block numbered no higher
/// than its source (without one there is no loop; checked cheaply).
pub(super) fn may_loop(body: &Lowered) -> bool {
    body.blocks.iter().enumerate().any(|(b, block)| {
        block
            .terminator
            .successors()
            .iter()
            .any(|s| s.0 as usize <= b)
    })
}

/// A natural loop: its header and every block that reaches a back edge to
/// it without passing through it (the header included).
pub(super) struct Loop {
    /// The block every iteration starts in.
    pub(super) header: BlockId,
    /// The loop's blocks, sorted.
    pub(super) blocks: Vec<BlockId>,
}

/// Predecessors and immediate dominators of a body's blocks.
pub(super) struct Cfg {
    /// The blocks that jump to each block.
    pub(super) predecessors: Vec<Vec<BlockId>>,
    /// `None` for blocks unreachable from the entry.
    idom: Vec<Option<BlockId>>,
}

impl Cfg {
    /// The graph of `body`'s blocks.
    pub(super) fn new(body: &Lowered) -> Cfg {
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
    pub(super) fn dominates(&self, a: BlockId, b: BlockId) -> bool {
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
    pub(super) fn loops(&self) -> Vec<Loop> {
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

    /// Whether `x` holds a value at the end of block `at`: a parameter, or
    /// assigned in a block that dominates `at` (`assignments` as
    /// [`assignments`] gives them).
    pub(super) fn holds_value(
        &self,
        body: &Lowered,
        assignments: &HashMap<LocalId, Vec<(BlockId, usize)>>,
        x: LocalId,
        at: BlockId,
    ) -> bool {
        body.params.contains(&x)
            || assignments
                .get(&x)
                .is_some_and(|bs| bs.iter().any(|(b, _)| self.dominates(*b, at)))
    }

    /// The one block outside `l` that jumps to its header, when it jumps
    /// nowhere else.
    pub(super) fn preheader(&self, body: &Lowered, l: &Loop) -> Option<BlockId> {
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
