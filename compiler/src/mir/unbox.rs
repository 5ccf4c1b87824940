//! Tuples of scalars kept as their items: a local whose type is a tuple of
//! `int`, `float` and `bool` items ([`super::scalar_items`]) that is only
//! ever read item by item — `z[0]`, `a, b = z`, passed where a function
//! takes such a tuple as its items, returned by a function returning its
//! tuple's items — is lowered as one local per item, so `z = (x, y)`
//! makes no tuple object. A parameter of such a type that the function
//! only reads that way is passed as its items: `cadd(cmul(z, z), c)`
//! allocates nothing. (Tuples are immutable and their identity is never
//! observed, so only the items matter.)

use super::joins::{walk_stmts, Visitor};
use super::{returns_items, scalar_items};
use crate::hir::{self, Expr, ExprKind, LocalId, Stmt};
use std::collections::{HashMap, HashSet};

/// For each function of `module`, which of its parameters are passed as
/// their items.
pub(super) fn expanded_params(module: &hir::Module) -> Vec<Vec<bool>> {
    let mut expanded: Vec<Vec<bool>> = module
        .functions
        .iter()
        .map(|f| {
            f.params
                .iter()
                .map(|p| scalar_items(f.locals[p.0 as usize].ty).is_some())
                .collect()
        })
        .collect();
    // A parameter is passed as its items while the function reads it only
    // item by item, which may depend on other parameters being so: drop
    // the ones that are not until nothing changes.
    loop {
        let mut changed = false;
        for (i, f) in module.functions.iter().enumerate() {
            let kept = unboxed_locals(f, &expanded);
            for (k, p) in f.params.iter().enumerate() {
                if expanded[i][k] && !kept.contains(p) {
                    expanded[i][k] = false;
                    changed = true;
                }
            }
        }
        if !changed {
            return expanded;
        }
    }
}

/// The locals of `f` kept as their items, given the functions' parameters
/// passed as their items.
pub(super) fn unboxed_locals(f: &hir::Function, expanded: &[Vec<bool>]) -> HashSet<LocalId> {
    let mut uses = Uses {
        expanded,
        returns_items: returns_items(f.ret),
        reads: HashMap::new(),
        item_reads: HashMap::new(),
        let_bound: HashSet::new(),
    };
    walk_stmts(&mut f.body.clone(), &mut uses);
    (0..f.locals.len() as u32)
        .map(LocalId)
        .filter(|l| {
            let count = |m: &HashMap<LocalId, usize>| m.get(l).copied().unwrap_or(0);
            scalar_items(f.locals[l.0 as usize].ty).is_some()
                && !uses.let_bound.contains(l)
                && count(&uses.reads) == count(&uses.item_reads)
        })
        .collect()
}

/// How each local is read: at all, and item by item.
struct Uses<'a> {
    expanded: &'a [Vec<bool>],
    returns_items: bool,
    reads: HashMap<LocalId, usize>,
    item_reads: HashMap<LocalId, usize>,
    /// Hidden locals bound by `let`: kept whole.
    let_bound: HashSet<LocalId>,
}

impl Uses<'_> {
    fn item_read(&mut self, e: &Expr) {
        if let ExprKind::Local(l) = e.kind {
            *self.item_reads.entry(l).or_default() += 1;
        }
    }
}

impl Visitor for Uses<'_> {
    fn stmt(&mut self, s: &mut Stmt) {
        match s {
            Stmt::Unpack(_, e) => self.item_read(e),
            Stmt::Return(Some(e)) if self.returns_items => self.item_read(e),
            _ => {}
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        match &e.kind {
            ExprKind::Local(l) => *self.reads.entry(*l).or_default() += 1,
            ExprKind::TupleItem(x, _) => self.item_read(x),
            ExprKind::Call(id, args, _) => {
                let expanded = &self.expanded[id.0 as usize];
                for (a, passed_as_items) in args.iter().zip(expanded) {
                    if *passed_as_items {
                        self.item_read(a);
                    }
                }
            }
            ExprKind::Let(l, ..) => {
                self.let_bound.insert(*l);
            }
            _ => {}
        }
    }

    fn binder(&mut self, _: LocalId) {}
}
