//! Module lists whose length never changes: a module variable defined once
//! at top level by a list display (`WORDS = ["the", "quick", ...]`) and
//! otherwise only read by `len`, indexed (read or stored), sliced, searched
//! (`in`), iterated or joined — never passed on, aliased, appended to,
//! deleted from, or assigned again — has the display's length whenever a
//! function runs (the checker puts every such definition before the first
//! top-level call). In functions, `len(WORDS)` is then that constant, so
//! `seed % len(WORDS)` divides by a constant.

use super::joins::{walk_stmts, Visitor};
use crate::hir::{self, Clause, Expr, ExprKind, Iter, LocalId, RtOperand, Stmt, Type};
use crate::rtabi::RtFn;
use std::collections::HashMap;

/// The module lists of `module` whose length never changes, by slot, with
/// that length.
pub(super) fn list_lengths(module: &hir::Module) -> HashMap<u32, i64> {
    let mut uses = Uses::default();
    let mut script = module.script.clone();
    walk_stmts(&mut script.body, &mut uses);
    for f in &module.functions {
        walk_stmts(&mut f.body.clone(), &mut uses);
    }
    uses.defined
        .into_iter()
        .filter_map(|(slot, lengths)| {
            let all = uses.all.get(&slot).copied().unwrap_or(0);
            let reads = uses.reads.get(&slot).copied().unwrap_or(0);
            match lengths[..] {
                [Some(n)] if all == reads => Some((slot, n)),
                _ => None,
            }
        })
        .collect()
}

/// `f` with `len()` of the module lists in `lengths` replaced by their
/// lengths, or `None` when it takes none.
pub(super) fn fold_lengths(
    f: &hir::Function,
    lengths: &HashMap<u32, i64>,
) -> Option<hir::Function> {
    if lengths.is_empty() {
        return None;
    }
    let mut out = f.clone();
    let mut fold = Fold {
        lengths,
        folded: false,
    };
    walk_stmts(&mut out.body, &mut fold);
    fold.folded.then_some(out)
}

/// How each module variable is defined and mentioned.
#[derive(Default)]
struct Uses {
    /// Each definition of a slot: the length of a list display, `None`
    /// for another value.
    defined: HashMap<u32, Vec<Option<i64>>>,
    /// Every read of a slot.
    all: HashMap<u32, usize>,
    /// The reads that keep the list's length and do not let it escape.
    reads: HashMap<u32, usize>,
}

impl Uses {
    fn keeps_length(&mut self, e: &Expr) {
        if let ExprKind::Global(slot) = e.kind {
            *self.reads.entry(slot).or_default() += 1;
        }
    }

    fn iterated(&mut self, it: &Iter) {
        match it {
            Iter::List(e) | Iter::Reversed(e) => self.keeps_length(e),
            Iter::Enumerate(inner, _) => self.iterated(inner),
            Iter::Zip(parts) => parts.iter().for_each(|p| self.iterated(p)),
            Iter::Range(..)
            | Iter::Str(_)
            | Iter::DictKeys(_)
            | Iter::DictValues(_)
            | Iter::DictItems(_) => {}
        }
    }
}

impl Visitor for Uses {
    fn stmt(&mut self, s: &mut Stmt) {
        match s {
            Stmt::SetGlobal(slot, e) => {
                let length = match &e.kind {
                    ExprKind::List(items) if matches!(e.ty, Type::List(_)) => {
                        Some(items.len() as i64)
                    }
                    _ => None,
                };
                self.defined.entry(*slot).or_default().push(length);
            }
            Stmt::ForEach { iter, .. } => self.iterated(iter),
            Stmt::SetItem { container, .. } if matches!(container.ty, Type::List(_)) => {
                self.keeps_length(container);
            }
            _ => {}
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        match &e.kind {
            ExprKind::Global(slot) => *self.all.entry(*slot).or_default() += 1,
            ExprKind::Len(x) => self.keeps_length(x),
            ExprKind::Contains(_, container, _) => self.keeps_length(container),
            ExprKind::Runtime(RtFn::ListGetItem | RtFn::ListSlice, ops) => {
                if let Some(RtOperand::Value(list)) = ops.first() {
                    self.keeps_length(list);
                }
            }
            ExprKind::Runtime(RtFn::StrJoin, ops) => {
                if let [_, RtOperand::Value(list)] = ops.as_slice() {
                    self.keeps_length(list);
                }
            }
            ExprKind::Comprehension { clauses, .. } | ExprKind::AnyOf { clauses, .. } => {
                for c in clauses {
                    if let Clause::For(_, it) = c {
                        self.iterated(it);
                    }
                }
            }
            _ => {}
        }
    }

    fn binder(&mut self, _: LocalId) {}
}

/// Replaces `len()` of the lists it knows.
struct Fold<'a> {
    lengths: &'a HashMap<u32, i64>,
    folded: bool,
}

impl Visitor for Fold<'_> {
    fn stmt(&mut self, _: &mut Stmt) {}

    fn expr(&mut self, e: &mut Expr) {
        let ExprKind::Len(x) = &e.kind else {
            return;
        };
        let ExprKind::Global(slot) = x.kind else {
            return;
        };
        if let Some(n) = self.lengths.get(&slot) {
            e.kind = ExprKind::Int(*n);
            self.folded = true;
        }
    }

    fn binder(&mut self, _: LocalId) {}
}
