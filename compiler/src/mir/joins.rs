//! Lists made only to be joined: a local `list[str]` that is only ever
//! set to `[]`, appended to (`out.append(piece)` as a statement) and read
//! by `sep.join(out)`, every join with the same literal `sep`, becomes a
//! string built by `out += sep + piece` (in place while nothing else
//! holds it), and each join that string without its first `sep` (a read
//! of it for `""`, else a slice: `out[len(sep):]`, which is `""` while
//! nothing is appended). What each join returns is the text appended so
//! far either way; no list, no second pass over the pieces, and one-byte
//! pieces (`out.append(ch)`) are written without a call.

use crate::hir::{self, Clause, Expr, ExprKind, Iter, LocalId, Pattern, RtOperand, Stmt, Type};
use crate::rtabi::RtFn;
use std::collections::HashMap;

/// `f` with its joined lists turned into strings, or `None` when it has
/// none.
pub(super) fn strings_for_joined_lists(f: &hir::Function) -> Option<hir::Function> {
    let candidate =
        |l: LocalId| f.locals[l.0 as usize].ty == Type::list(Type::Str) && !f.params.contains(&l);
    // Most functions have no local list of strs: no copy made to look.
    if !(0..f.locals.len() as u32).map(LocalId).any(candidate) {
        return None;
    }
    let mut out = f.clone();
    let mut uses = Uses::default();
    walk_stmts(&mut out.body, &mut uses);
    // Each joined list with its separator.
    let joined: HashMap<LocalId, String> = (0..f.locals.len() as u32)
        .map(LocalId)
        .filter_map(|l| {
            let count = |m: &HashMap<LocalId, usize>| m.get(&l).copied().unwrap_or(0);
            let seps = uses.seps.get(&l)?;
            let one_sep = seps.iter().all(|s| *s == seps[0]);
            (candidate(l)
                && one_sep
                && count(&uses.appends) > 0
                && count(&uses.all) == count(&uses.inits) + count(&uses.appends) + seps.len())
            .then(|| (l, seps[0].clone()))
        })
        .collect();
    if joined.is_empty() {
        return None;
    }
    for l in joined.keys() {
        out.locals[l.0 as usize].ty = Type::Str;
    }
    walk_stmts(&mut out.body, &mut Rewrite(&joined));
    Some(out)
}

/// What [`walk_stmts`] shows each statement, expression (outer ones
/// first) and bound local to.
pub(super) trait Visitor {
    /// A statement, before what is in it.
    fn stmt(&mut self, s: &mut Stmt);
    /// An expression, before what is in it.
    fn expr(&mut self, e: &mut Expr);
    /// A local a statement, pattern or `let` binds.
    fn binder(&mut self, l: LocalId);
}

/// How often each local is mentioned: anywhere, and in each of the forms
/// a joined list may take (for joins, the separator of each).
#[derive(Default)]
struct Uses {
    all: HashMap<LocalId, usize>,
    inits: HashMap<LocalId, usize>,
    appends: HashMap<LocalId, usize>,
    seps: HashMap<LocalId, Vec<String>>,
}

impl Visitor for Uses {
    fn stmt(&mut self, s: &mut Stmt) {
        match s {
            Stmt::Assign(l, e) if matches!(&e.kind, ExprKind::List(items) if items.is_empty()) => {
                *self.inits.entry(*l).or_default() += 1;
            }
            Stmt::Expr(e) => {
                if let Some((list, _)) = append_to_local(e) {
                    *self.appends.entry(list).or_default() += 1;
                }
            }
            _ => {}
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        if let Some((list, sep)) = joined_local(e) {
            self.seps.entry(list).or_default().push(sep.to_string());
        }
        if let ExprKind::Local(l) = e.kind {
            self.binder(l);
        }
    }

    fn binder(&mut self, l: LocalId) {
        *self.all.entry(l).or_default() += 1;
    }
}

/// Rewrites the three forms of the joined lists given (with their
/// separators).
struct Rewrite<'a>(&'a HashMap<LocalId, String>);

impl Visitor for Rewrite<'_> {
    fn stmt(&mut self, s: &mut Stmt) {
        match s {
            Stmt::Assign(l, e) if self.0.contains_key(l) => {
                e.kind = ExprKind::Str(String::new());
                e.ty = Type::Str;
            }
            Stmt::Expr(e) => {
                if let Some((list, piece)) = append_to_local(e) {
                    if let Some(sep) = self.0.get(&list) {
                        let piece = piece.clone();
                        let appended = if sep.is_empty() {
                            piece
                        } else {
                            let span = piece.span;
                            let sep = Expr {
                                kind: ExprKind::Str(sep.clone()),
                                ty: Type::Str,
                                span,
                            };
                            Expr {
                                kind: ExprKind::Concat(vec![sep, piece]),
                                ty: Type::Str,
                                span,
                            }
                        };
                        *s = Stmt::StrAppend(list, appended);
                    }
                }
            }
            _ => {}
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        let Some((list, _)) = joined_local(e) else {
            return;
        };
        let Some(sep) = self.0.get(&list) else {
            return;
        };
        if sep.is_empty() {
            e.kind = ExprKind::Local(list);
            return;
        }
        // The text after the first separator: `list[len(sep):]`.
        let span = e.span;
        let int = |v: i64| {
            RtOperand::Value(Expr {
                kind: ExprKind::Int(v),
                ty: Type::Int,
                span,
            })
        };
        let text = RtOperand::Value(Expr {
            kind: ExprKind::Local(list),
            ty: Type::Str,
            span,
        });
        let start = sep.chars().count() as i64;
        // Operands: the text, start, stop, step, and the mask of the
        // bounds given (bit 0: start).
        e.kind = ExprKind::Runtime(
            RtFn::StrSlice,
            vec![text, int(start), int(0), int(0), int(1)],
        );
    }

    fn binder(&mut self, _: LocalId) {}
}

pub(super) fn walk_stmts(stmts: &mut [Stmt], v: &mut impl Visitor) {
    for s in stmts {
        v.stmt(s);
        match s {
            Stmt::Assign(l, e) | Stmt::StrAppend(l, e) => {
                v.binder(*l);
                walk_expr(e, v);
            }
            Stmt::ParallelAssign(items) => {
                for (l, e) in items {
                    v.binder(*l);
                    walk_expr(e, v);
                }
            }
            Stmt::Expr(e) | Stmt::SetGlobal(_, e) | Stmt::Return(Some(e)) => walk_expr(e, v),
            Stmt::If { cond, then, orelse } => {
                walk_expr(cond, v);
                walk_stmts(then, v);
                walk_stmts(orelse, v);
            }
            Stmt::While { cond, body, orelse } => {
                walk_expr(cond, v);
                walk_stmts(body, v);
                walk_stmts(orelse, v);
            }
            Stmt::ForRange {
                var,
                start,
                stop,
                step,
                body,
                orelse,
                ..
            } => {
                v.binder(*var);
                for e in [start, stop, step] {
                    walk_expr(e, v);
                }
                walk_stmts(body, v);
                walk_stmts(orelse, v);
            }
            Stmt::ForEach {
                pattern,
                iter,
                body,
                orelse,
            } => {
                walk_pattern(pattern, v);
                walk_iter(iter, v);
                walk_stmts(body, v);
                walk_stmts(orelse, v);
            }
            Stmt::Unpack(p, e) => {
                walk_pattern(p, v);
                walk_expr(e, v);
            }
            Stmt::SetItem {
                container,
                index,
                value,
                ..
            } => {
                for e in [container, index, value] {
                    walk_expr(e, v);
                }
            }
            Stmt::DelItem {
                container, index, ..
            } => {
                walk_expr(container, v);
                walk_expr(index, v);
            }
            Stmt::Break | Stmt::Continue | Stmt::Return(None) => {}
            Stmt::Assert { cond, message, .. } => {
                walk_expr(cond, v);
                if let Some(m) = message {
                    walk_expr(m, v);
                }
            }
            Stmt::Print { args, sep, end } => {
                for a in args {
                    walk_expr(a, v);
                }
                walk_expr(sep, v);
                walk_expr(end, v);
            }
        }
    }
}

fn walk_pattern(p: &Pattern, v: &mut impl Visitor) {
    match p {
        Pattern::Local(l) => v.binder(*l),
        Pattern::Tuple(items) => items.iter().for_each(|i| walk_pattern(i, v)),
    }
}

fn walk_iter(it: &mut Iter, v: &mut impl Visitor) {
    match it {
        Iter::Range(a, b, c, _) => {
            for e in [a, b, c] {
                walk_expr(e, v);
            }
        }
        Iter::List(e)
        | Iter::Str(e)
        | Iter::DictKeys(e)
        | Iter::DictValues(e)
        | Iter::DictItems(e)
        | Iter::Reversed(e) => walk_expr(e, v),
        Iter::Enumerate(inner, start) => {
            walk_iter(inner, v);
            walk_expr(start, v);
        }
        Iter::Zip(parts) => parts.iter_mut().for_each(|p| walk_iter(p, v)),
    }
}

fn walk_expr(e: &mut Expr, v: &mut impl Visitor) {
    v.expr(e);
    match &mut e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::NoneLit
        | ExprKind::Str(_)
        | ExprKind::Local(_)
        | ExprKind::Global(_) => {}
        ExprKind::Call(_, args, _)
        | ExprKind::MinMax(_, args)
        | ExprKind::List(args)
        | ExprKind::Tuple(args)
        | ExprKind::Concat(args) => args.iter_mut().for_each(|a| walk_expr(a, v)),
        ExprKind::Arith(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::HeapCompare(_, a, b)
        | ExprKind::Contains(a, b, _) => {
            walk_expr(a, v);
            walk_expr(b, v);
        }
        ExprKind::Neg(x)
        | ExprKind::Invert(x)
        | ExprKind::Not(x)
        | ExprKind::Truthy(x)
        | ExprKind::IntToFloat(x)
        | ExprKind::FloatToInt(x)
        | ExprKind::BoolToInt(x)
        | ExprKind::Abs(x)
        | ExprKind::TupleItem(x, _)
        | ExprKind::Len(x)
        | ExprKind::Wrap(x)
        | ExprKind::Unwrap(x)
        | ExprKind::IsNone(x, _) => walk_expr(x, v),
        ExprKind::Compare(first, rest) => {
            walk_expr(first, v);
            rest.iter_mut().for_each(|(_, x)| walk_expr(x, v));
        }
        ExprKind::IfExp(c, a, b) => {
            for x in [c, a, b] {
                walk_expr(x, v);
            }
        }
        ExprKind::Runtime(_, ops) => {
            for op in ops {
                if let RtOperand::Value(x) = op {
                    walk_expr(x, v);
                }
            }
        }
        ExprKind::Dict(pairs) => {
            for (k, x) in pairs {
                walk_expr(k, v);
                walk_expr(x, v);
            }
        }
        ExprKind::Let(l, value, body) => {
            v.binder(*l);
            walk_expr(value, v);
            walk_expr(body, v);
        }
        ExprKind::Comprehension { elem, key, clauses } => {
            walk_clauses(clauses, v);
            walk_expr(elem, v);
            if let Some(k) = key {
                walk_expr(k, v);
            }
        }
        ExprKind::AnyOf { elem, clauses, .. } => {
            walk_clauses(clauses, v);
            walk_expr(elem, v);
        }
    }
}

fn walk_clauses(clauses: &mut [Clause], v: &mut impl Visitor) {
    for c in clauses {
        match c {
            Clause::For(p, it) => {
                walk_pattern(p, v);
                walk_iter(it, v);
            }
            Clause::If(cond) => walk_expr(cond, v),
        }
    }
}

/// `(list, piece)` when `e` is `list.append(piece)` of a local list.
fn append_to_local(e: &Expr) -> Option<(LocalId, &Expr)> {
    match &e.kind {
        ExprKind::Runtime(RtFn::ListAppend, ops) => match ops.as_slice() {
            [RtOperand::Value(list), RtOperand::Value(piece)] => match list.kind {
                ExprKind::Local(l) => Some((l, piece)),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// The local list `e` joins, and the literal separator it joins with
/// (`sep.join(list)`).
fn joined_local(e: &Expr) -> Option<(LocalId, &str)> {
    match &e.kind {
        ExprKind::Runtime(RtFn::StrJoin, ops) => match ops.as_slice() {
            [RtOperand::Value(sep), RtOperand::Value(list)] => match (&sep.kind, &list.kind) {
                (ExprKind::Str(s), ExprKind::Local(l)) => Some((*l, s)),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}
