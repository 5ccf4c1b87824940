//! Checking of the heap types: `str`, `list`, `dict`, `tuple` and optionals:
//! displays, indexing and slicing, methods, the builtins over them,
//! iteration, comprehensions, f-strings and `str.format`.

use super::{type_mismatch, unsupported, FnChecker, Narrowed};
use crate::diag::{Diagnostic, Span};
use crate::hir::{
    ArithOp, Clause, CmpOp, Expr, ExprKind, Iter, LocalId, Pattern, RtFn, RtOperand, Stmt, Type,
};
use crate::syntax::ast::{self, ExprKind as A};
use std::collections::HashMap;

/// Whether `ty` is the placeholder of an empty display not typed yet.
pub(super) fn is_untyped(ty: Type) -> bool {
    match ty {
        Type::List(t) => *t == Type::None,
        Type::Dict(k, _) => *k == Type::None,
        _ => false,
    }
}

/// The type of a display's items when nothing around it gives one: the
/// first typed item's, made optional (`T | None`) when `None` or an
/// optional is among them (`[None, 4]`). `None` for no typed item.
fn joined_item_type(types: impl Iterator<Item = Type>) -> Option<Type> {
    let (mut base, mut optional) = (None, false);
    for t in types {
        optional |= matches!(t, Type::None | Type::Optional(_));
        if t != Type::None && !is_untyped(t) {
            base.get_or_insert(t.without_none());
        }
    }
    match (base, optional) {
        (Some(t), true) => Some(Type::optional(t)),
        (Some(t), false) => Some(t),
        (None, true) => Some(Type::None),
        (None, false) => None,
    }
}

/// `[elem for ...]` of the clauses, a `list` of the element's type.
fn list_comprehension(elem: Expr, clauses: Vec<Clause>, span: Span) -> Expr {
    let ty = Type::list(elem.ty);
    let elem = Box::new(elem);
    mk(
        ExprKind::Comprehension {
            elem,
            key: None,
            clauses,
        },
        ty,
        span,
    )
}

/// Whether evaluating `e` can neither fail nor run anything: a literal,
/// a negated number or a name.
fn is_plain_value(e: &ast::Expr) -> bool {
    match &e.kind {
        A::Int(_) | A::Float(_) | A::Str(_) | A::Bool(_) | A::NoneLit | A::Name(_) => true,
        A::Unary { operand, .. } => matches!(operand.kind, A::Int(_) | A::Float(_)),
        _ => false,
    }
}

/// Whether `items` is the list of the keys of `dict` (a local or module
/// variable), as `sorted(d)`, `max(d.keys())`... make it.
fn is_keys_of(items: &Expr, dict: &Expr) -> bool {
    let items = match &items.kind {
        ExprKind::Runtime(RtFn::ListCopy, ops) => match ops.as_slice() {
            [RtOperand::Value(inner)] => inner,
            _ => return false,
        },
        _ => items,
    };
    let ExprKind::Runtime(RtFn::DictKeys, ops) = &items.kind else {
        return false;
    };
    let Some(RtOperand::Value(of)) = ops.first() else {
        return false;
    };
    match (&of.kind, &dict.kind) {
        (ExprKind::Local(a), ExprKind::Local(b)) => a == b,
        (ExprKind::Global(a), ExprKind::Global(b)) => a == b,
        _ => false,
    }
}

/// Whether `e` calls the builtin `range`.
pub(super) fn is_range_call(e: &ast::Expr, checker: &FnChecker) -> bool {
    matches!(&e.kind, A::Call { func, .. } if matches!(&func.kind, A::Name(n) if n == "range" && !checker.shadowed(n)))
}

/// Whether `e` is a list, dict or tuple display, whose type can come from
/// its context.
fn is_display(e: &ast::Expr) -> bool {
    matches!(e.kind, A::List(_) | A::Dict(_) | A::Tuple(_))
}

/// Whether values of `ty` can change in place (a list or dict anywhere inside).
pub(super) fn is_mutable(ty: Type) -> bool {
    match ty {
        Type::List(_) | Type::Dict(..) => true,
        Type::Optional(t) => is_mutable(*t),
        Type::Tuple(items) => items.iter().any(|t| is_mutable(*t)),
        _ => false,
    }
}

/// Whether `ty` has an untyped placeholder anywhere inside.
pub(super) fn contains_untyped(ty: Type) -> bool {
    is_untyped(ty)
        || match ty {
            Type::List(t) | Type::Optional(t) => contains_untyped(*t),
            Type::Dict(k, v) => contains_untyped(*k) || contains_untyped(*v),
            Type::Tuple(items) => items.iter().any(|t| contains_untyped(*t)),
            _ => false,
        }
}

/// An expression of `kind` and `ty` at `span`.
pub(super) fn mk(kind: ExprKind, ty: Type, span: Span) -> Expr {
    Expr { kind, ty, span }
}

fn int(v: i64, span: Span) -> Expr {
    mk(ExprKind::Int(v), Type::Int, span)
}

fn string(s: &str, span: Span) -> Expr {
    mk(ExprKind::Str(s.to_string()), Type::Str, span)
}

fn val(e: Expr) -> RtOperand {
    RtOperand::Value(e)
}

/// A runtime call expression.
pub(super) fn rt(f: RtFn, args: Vec<RtOperand>, ty: Type, span: Span) -> Expr {
    mk(ExprKind::Runtime(f, args), ty, span)
}

/// `str(e)` (the value itself when it is a `str`).
pub(super) fn to_str(e: Expr) -> Expr {
    if e.ty == Type::Str {
        return e;
    }
    let (ty, span) = (e.ty, e.span);
    rt(
        RtFn::Str,
        vec![val(e), RtOperand::Desc(ty)],
        Type::Str,
        span,
    )
}

fn repr(e: Expr) -> Expr {
    let (ty, span) = (e.ty, e.span);
    rt(
        RtFn::Repr,
        vec![val(e), RtOperand::Desc(ty)],
        Type::Str,
        span,
    )
}

/// The element type of a list.
fn elem(ty: Type) -> Option<Type> {
    match ty {
        Type::List(t) => Some(*t),
        _ => None,
    }
}

impl FnChecker<'_> {
    /// Converts `e` to `expected` where Python's value is the same (`T` or
    /// `None` as `T | None`); reports a mismatch otherwise.
    pub(super) fn coerce(&mut self, e: Expr, expected: Type, what: &str) -> Option<Expr> {
        if e.ty == expected {
            return Some(e);
        }
        let same_kind = matches!(
            (e.ty, expected),
            (Type::List(_), Type::List(_)) | (Type::Dict(..), Type::Dict(..))
        );
        if is_untyped(e.ty) && same_kind {
            // An empty display used where its type is known.
            self.discover(&e, expected);
            if matches!(&e.kind, ExprKind::List(items) if items.is_empty())
                || matches!(&e.kind, ExprKind::Dict(items) if items.is_empty())
            {
                self.untyped_displays.retain(|&(span, _)| span != e.span);
            }
            return Some(Expr { ty: expected, ..e });
        }
        if let Type::Optional(inner) = expected {
            if e.ty == Type::None {
                return Some(Expr { ty: expected, ..e });
            }
            if e.ty == *inner {
                let span = e.span;
                return Some(mk(ExprKind::Wrap(Box::new(e)), expected, span));
            }
        }
        self.error(type_mismatch(&e, expected, what));
        None
    }

    /// Checks `e` where a value of type `expected` is wanted: empty displays
    /// take their type from it, and the result is coerced to it.
    pub(super) fn expr_expect(
        &mut self,
        e: &ast::Expr,
        expected: Option<Type>,
        what: &str,
    ) -> Option<Expr> {
        let Some(expected) = expected else {
            return self.expr(e);
        };
        let checked = match (&e.kind, expected) {
            (A::List(items), Type::List(t)) => self.list_display(e.span, items, Some(*t)),
            (A::Dict(items), Type::Dict(k, v)) => self.dict_display(e.span, items, Some((*k, *v))),
            // `[None] * n` where a `list[int | None]` is wanted.
            (
                A::Binary {
                    op: ast::BinOp::Mul,
                    left,
                    right,
                },
                Type::List(_),
            ) if matches!(left.kind, A::List(_)) => {
                let l = self.expr_expect(left, Some(expected), what);
                let r = self.expr(right);
                self.binary(e.span, ast::BinOp::Mul, l?, r?)
            }
            (A::Tuple(items), Type::Tuple(ts)) if items.len() == ts.len() => {
                let mut out = Vec::new();
                for (item, t) in items.iter().zip(ts.iter()) {
                    out.push(self.expr_expect(item, Some(*t), what));
                }
                let out: Vec<Expr> = out.into_iter().collect::<Option<_>>()?;
                Some(mk(ExprKind::Tuple(out), expected, e.span))
            }
            _ => self.expr(e),
        }?;
        self.coerce(checked, expected, what)
    }

    /// `a` and `b`, an empty display among them typed by the other
    /// (`[] or xs`, `xs if c else []`).
    pub(super) fn unify_untyped(&mut self, a: Expr, b: Expr, what: &str) -> Option<(Expr, Expr)> {
        if is_untyped(a.ty) && !contains_untyped(b.ty) {
            let ty = b.ty;
            return Some((self.coerce(a, ty, what)?, b));
        }
        if is_untyped(b.ty) && !contains_untyped(a.ty) {
            let ty = a.ty;
            return Some((a, self.coerce(b, ty, what)?));
        }
        Some((a, b))
    }

    /// Reports the empty displays whose type no use revealed; returns the
    /// types this pass learned.
    pub(super) fn finish_inference(&mut self) -> HashMap<String, Type> {
        let discovered = std::mem::take(&mut self.discovered);
        if discovered.keys().all(|n| self.seeds.contains_key(n)) {
            for (name, span) in std::mem::take(&mut self.none_assigned) {
                let still_none = self
                    .by_name
                    .get(&name)
                    .is_some_and(|id| self.locals[id.0 as usize].ty == Type::None);
                if still_none {
                    self.error(unsupported(
                        span,
                        "a variable that is always `None`",
                        "annotate it as an optional: `x: int | None = None`",
                    ));
                }
            }
            for (span, what) in std::mem::take(&mut self.untyped_displays) {
                // A display already reported (a mismatch naming its
                // `list[None]` type) is not reported twice.
                if self.m.diags.iter().any(|d| d.span == span) {
                    continue;
                }
                let example = if what == "list" {
                    "xs: list[int] = []"
                } else {
                    "d: dict[str, int] = {}"
                };
                self.error(
                    Diagnostic::error(span, format!("cannot infer the type of this empty {what}"))
                        .with_label("empty display")
                        .with_help(format!(
                            "annotate the variable (`{example}`), or add to it before other uses"
                        )),
                );
            }
        }
        discovered
    }

    /// Records the type of an empty-display variable revealed by a use.
    pub(super) fn discover(&mut self, container: &Expr, ty: Type) {
        let (name, current) = match container.kind {
            ExprKind::Local(id) => {
                let local = &self.locals[id.0 as usize];
                (local.name.clone(), local.ty)
            }
            ExprKind::Global(slot) => {
                let (name, t) = &self.m.globals[slot as usize];
                (name.clone(), t.unwrap_or(Type::None))
            }
            _ => return,
        };
        if is_untyped(current) && !contains_untyped(ty) {
            self.discovered.entry(name).or_insert(ty);
        }
    }

    /// `[a, b, ...]`.
    pub(super) fn list_display(
        &mut self,
        span: Span,
        items: &[ast::Expr],
        expected: Option<Type>,
    ) -> Option<Expr> {
        let mut out = Vec::new();
        for item in items {
            if let A::Starred(_) = item.kind {
                self.error(unsupported(
                    item.span,
                    "`*` in a list",
                    "use `+` to join lists",
                ));
                return None;
            }
            let e = match expected {
                Some(t) => self.expr_expect(item, Some(t), "this list item")?,
                // A display takes the type of the items before it (`[[1], []]`).
                None if is_display(item) => {
                    let hint = joined_item_type(out.iter().map(|e: &Expr| e.ty));
                    self.expr_expect(item, hint.map(Type::without_none), "this list item")?
                }
                None => self.expr(item)?,
            };
            out.push(e);
        }
        let item_ty = expected
            .or_else(|| joined_item_type(out.iter().map(|e| e.ty)))
            .or_else(|| out.first().map(|e| e.ty));
        if expected.is_none() {
            if let Some(t) = item_ty {
                let mut coerced = Vec::new();
                for e in out {
                    coerced.push(self.coerce(e, t, "this list item")?);
                }
                out = coerced;
            }
        }
        let Some(item_ty) = item_ty else {
            // Typed by a later use, or reported when the pass ends.
            self.untyped_displays.push((span, "list"));
            return Some(mk(ExprKind::List(out), Type::list(Type::None), span));
        };
        if item_ty == Type::None {
            self.error(unsupported(
                span,
                "a list of `None`",
                "use a list of optionals",
            ));
            return None;
        }
        Some(mk(ExprKind::List(out), Type::list(item_ty), span))
    }

    /// `{k: v, ...}`.
    pub(super) fn dict_display(
        &mut self,
        span: Span,
        items: &[(ast::Expr, ast::Expr)],
        expected: Option<(Type, Type)>,
    ) -> Option<Expr> {
        let mut out: Vec<(Expr, Expr)> = Vec::new();
        let mut types = expected;
        for (k, v) in items {
            let key = self.expr_expect(k, types.map(|t| t.0), "this key")?;
            let value = match expected {
                Some((_, t)) => self.expr_expect(v, Some(t), "this value")?,
                None if is_display(v) => {
                    let hint = joined_item_type(out.iter().map(|(_, v)| v.ty));
                    self.expr_expect(v, hint.map(Type::without_none), "this value")?
                }
                None => self.expr(v)?,
            };
            if types.is_none() && !key.ty.is_hashable() {
                self.error(
                    Diagnostic::error(
                        key.span,
                        format!("unhashable type: `{}` as a dict key", key.ty.name()),
                    )
                    .with_label("not a valid key")
                    .with_help("keys are int, str, bool, float or tuples of those"),
                );
                return None;
            }
            types.get_or_insert((key.ty, value.ty));
            out.push((key, value));
        }
        if let (None, Some((k, first))) = (expected, types) {
            // The values' type as a list display's items (`{"a": None, "b": 1}`).
            let v = joined_item_type(out.iter().map(|(_, v)| v.ty)).unwrap_or(first);
            let mut coerced = Vec::new();
            for (key, value) in out {
                coerced.push((key, self.coerce(value, v, "this value")?));
            }
            out = coerced;
            types = Some((k, v));
        }
        let Some((k, v)) = types else {
            self.untyped_displays.push((span, "dict"));
            return Some(mk(
                ExprKind::Dict(out),
                Type::dict(Type::None, Type::None),
                span,
            ));
        };
        Some(mk(ExprKind::Dict(out), Type::dict(k, v), span))
    }

    /// `(a, b, ...)`.
    pub(super) fn tuple_display(&mut self, span: Span, items: &[ast::Expr]) -> Option<Expr> {
        if items.is_empty() {
            self.error(unsupported(span, "the empty tuple", "use a list"));
            return None;
        }
        let mut out = Vec::new();
        for item in items {
            out.push(self.expr(item));
        }
        let out: Vec<Expr> = out.into_iter().collect::<Option<_>>()?;
        let types: Vec<Type> = out.iter().map(|e| e.ty).collect();
        Some(mk(ExprKind::Tuple(out), Type::tuple(&types), span))
    }

    /// Binds `value` to a fresh hidden local so it is evaluated once; returns
    /// the local and an expression reading it.
    pub(super) fn hidden(&mut self, ty: Type, span: Span) -> (LocalId, Expr) {
        let id = self.declare(&format!("$h{}", self.locals.len()), ty);
        self.assigned.insert(id);
        (id, mk(ExprKind::Local(id), ty, span))
    }

    /// `let id = value in body`.
    fn let_in(id: LocalId, value: Expr, body: Expr) -> Expr {
        let (ty, span) = (body.ty, body.span);
        mk(ExprKind::Let(id, Box::new(value), Box::new(body)), ty, span)
    }

    /// `value[index]`.
    pub(super) fn subscript(
        &mut self,
        span: Span,
        value: &ast::Expr,
        index: &ast::Expr,
    ) -> Option<Expr> {
        let container = self.expr(value)?;
        if let A::Slice { lower, upper, step } = &index.kind {
            return self.slice(span, container, [lower, upper, step]);
        }
        match container.ty {
            Type::Str | Type::List(_) => {
                let i = self.expr(index)?;
                if i.ty != Type::Int {
                    self.error(type_mismatch(&i, Type::Int, "the index"));
                    return None;
                }
                let (f, ty) = match container.ty {
                    Type::Str => (RtFn::StrGetItem, Type::Str),
                    t => (RtFn::ListGetItem, elem(t)?),
                };
                Some(rt(f, vec![val(container), val(i)], ty, span))
            }
            Type::Dict(k, v) => {
                let key = self.expr_expect(index, Some(*k), "the key")?;
                Some(rt(
                    RtFn::DictGetItem,
                    vec![val(container), val(key)],
                    *v,
                    span,
                ))
            }
            Type::Tuple(items) => {
                let n = items.len() as i64;
                let i = match &index.kind {
                    A::Int(i) => Some(*i as i64),
                    A::Unary {
                        op: ast::UnaryOp::Neg,
                        operand,
                    } => match operand.kind {
                        A::Int(i) => Some(-(i as i64)),
                        _ => None,
                    },
                    _ => None,
                };
                let Some(i) = i else {
                    self.error(unsupported(
                        index.span,
                        "a computed tuple index",
                        "index tuples with an int literal, or unpack them",
                    ));
                    return None;
                };
                let k = if i < 0 { i + n } else { i };
                if !(0..n).contains(&k) {
                    self.error(
                        Diagnostic::error(index.span, "tuple index out of range")
                            .with_label(format!("the tuple has {n} items")),
                    );
                    return None;
                }
                let ty = items[k as usize];
                Some(mk(
                    ExprKind::TupleItem(Box::new(container), k as usize),
                    ty,
                    span,
                ))
            }
            _ => {
                self.error(
                    Diagnostic::error(
                        container.span,
                        format!("`{}` is not subscriptable", container.ty.name()),
                    )
                    .with_label("indexed here"),
                );
                None
            }
        }
    }

    fn slice(
        &mut self,
        span: Span,
        container: Expr,
        parts: [&Option<Box<ast::Expr>>; 3],
    ) -> Option<Expr> {
        let f = match container.ty {
            Type::Str => RtFn::StrSlice,
            Type::List(_) => RtFn::ListSlice,
            _ => {
                self.error(unsupported(
                    span,
                    &format!("slicing a `{}`", container.ty.name()),
                    "slice strings and lists",
                ));
                return None;
            }
        };
        let ty = container.ty;
        let mut args = vec![val(container)];
        args.extend(self.slice_bounds(span, parts)?);
        Some(rt(f, args, ty, span))
    }

    /// The operands of a slice's bounds: `start`, `stop`, `step` (0 where
    /// absent) and the mask of those given (bit 0 for `start`).
    fn slice_bounds(
        &mut self,
        span: Span,
        parts: [&Option<Box<ast::Expr>>; 3],
    ) -> Option<Vec<RtOperand>> {
        let mut args = Vec::new();
        let mut mask = 0;
        for (bit, part) in parts.iter().enumerate() {
            match part {
                Some(p) if !matches!(p.kind, A::NoneLit) => {
                    let e = self.expr(p)?;
                    if e.ty != Type::Int {
                        self.error(type_mismatch(&e, Type::Int, "a slice bound"));
                        return None;
                    }
                    mask |= 1 << bit;
                    args.push(val(e));
                }
                _ => args.push(val(int(0, span))),
            }
        }
        args.push(val(int(mask, span)));
        Some(args)
    }

    /// `xs[start:stop:step] = value` (`value` given) or `del
    /// xs[start:stop:step]` of a list: the slice replaced by the items of
    /// a list of the same type, or removed. As in CPython, the value is
    /// evaluated first, then the list and the bounds.
    pub(super) fn slice_store(
        &mut self,
        span: Span,
        container: &ast::Expr,
        parts: [&Option<Box<ast::Expr>>; 3],
        value: Option<&ast::Expr>,
    ) -> Option<Expr> {
        let list = self.expr(container)?;
        if !matches!(list.ty, Type::List(_)) || is_untyped(list.ty) {
            let what = if value.is_some() {
                "assignment to"
            } else {
                "`del` of"
            };
            self.error(unsupported(
                span,
                &format!("{what} a slice of a `{}`", list.ty.name()),
                "slices of lists can be assigned and deleted; strs and tuples cannot change",
            ));
            return None;
        }
        let ty = list.ty;
        let mut args = vec![val(list)];
        args.extend(self.slice_bounds(span, parts)?);
        let Some(value) = value else {
            return Some(rt(RtFn::ListDelSlice, args, Type::None, span));
        };
        let items = self.expr_expect(value, Some(ty), "the assigned items")?;
        if let ExprKind::Runtime(RtFn::ListRepeat, repeat) = &items.kind {
            // `xs[a::k] = [v] * n` writes `v` without making the list; `n`
            // is evaluated first, as the repetition would be (`v` is a
            // constant or a local, which cannot change meanwhile).
            if let [RtOperand::Value(l), RtOperand::Value(n)] = repeat.as_slice() {
                if let Some(v) = crate::hir::single_plain_item(l) {
                    let (nid, n_read) = self.hidden(Type::Int, n.span);
                    args.extend([val(v.clone()), val(n_read)]);
                    let store = rt(RtFn::ListFillSlice, args, Type::None, span);
                    return Some(Self::let_in(nid, n.clone(), store));
                }
            }
        }
        let (id, read) = self.hidden(ty, items.span);
        args.push(val(read));
        Some(Self::let_in(
            id,
            items,
            rt(RtFn::ListSetSlice, args, Type::None, span),
        ))
    }

    /// `obj.method(args)`; `None` when the call is not a method call.
    pub(super) fn method_call(
        &mut self,
        span: Span,
        obj: &ast::Expr,
        method: &ast::Ident,
        args: &[ast::Expr],
        keywords: &[ast::Keyword],
    ) -> Option<Expr> {
        if let A::Name(m) = &obj.kind {
            if m == "math" && self.m.math_imported && !self.shadowed(m) {
                let args = self.plain_args(span, args, keywords)?;
                return self.math_function(span, &method.name, args);
            }
        }
        if let (A::Str(fmt), "format") = (&obj.kind, method.name.as_str()) {
            return self.str_format(span, fmt, args, keywords);
        }
        let recv = self.expr(obj)?;
        let name = method.name.as_str();
        match recv.ty {
            Type::Str => self.str_method(span, recv, name, args, keywords),
            Type::List(t) => self.list_method(span, recv, *t, name, args, keywords),
            Type::Dict(k, v) => self.dict_method(span, recv, (*k, *v), name, args, keywords),
            Type::Int
                if matches!(name, "bit_length" | "bit_count")
                    && args.is_empty()
                    && keywords.is_empty() =>
            {
                let op = if name == "bit_length" { 6 } else { 7 };
                Some(rt(
                    RtFn::IntMath,
                    vec![val(int(op, span)), val(recv), val(int(0, span))],
                    Type::Int,
                    span,
                ))
            }
            ty => {
                self.error(
                    Diagnostic::error(
                        method.span,
                        format!("`{}` has no method `{name}` in Roast", ty.name()),
                    )
                    .with_label("unknown method"),
                );
                None
            }
        }
    }

    /// Positional arguments only.
    pub(super) fn plain_args(
        &mut self,
        span: Span,
        args: &[ast::Expr],
        keywords: &[ast::Keyword],
    ) -> Option<Vec<Expr>> {
        if let Some(k) = keywords.first() {
            self.error(unsupported(
                k.span,
                "a keyword argument here",
                "pass the arguments by position",
            ));
            return None;
        }
        let _ = span;
        let mut out = Vec::new();
        for a in args {
            out.push(self.expr(a));
        }
        out.into_iter().collect()
    }

    fn arity_error(&mut self, span: Span, name: &str, expected: &str, given: usize) {
        self.error(
            Diagnostic::error(
                span,
                format!("{name}() takes {expected} arguments ({given} given)"),
            )
            .with_label("wrong number of arguments"),
        );
    }

    fn expect_type(&mut self, e: Expr, ty: Type, what: &str) -> Option<Expr> {
        if e.ty == ty {
            Some(e)
        } else {
            self.error(type_mismatch(&e, ty, what));
            None
        }
    }

    fn str_method(
        &mut self,
        span: Span,
        recv: Expr,
        name: &str,
        args: &[ast::Expr],
        keywords: &[ast::Keyword],
    ) -> Option<Expr> {
        if name == "join" && args.len() == 1 && keywords.is_empty() {
            let items = if matches!(args[0].kind, A::List(_)) {
                self.expr_expect(&args[0], Some(Type::list(Type::Str)), "the joined items")?
            } else {
                let items = self.materialize_whole(&args[0])?;
                // An empty list's type may come from here (`sep.join(xs)`
                // before `xs.append(...)`).
                self.coerce(items, Type::list(Type::Str), "the joined items")?
            };
            return Some(rt(
                RtFn::StrJoin,
                vec![val(recv), val(items)],
                Type::Str,
                span,
            ));
        }
        let mut keywords = keywords.to_vec();
        // `split(sep=..., maxsplit=...)`: keywords become positions.
        let mut args = args.to_vec();
        if matches!(name, "split" | "rsplit") {
            for k in std::mem::take(&mut keywords) {
                match k.name.as_ref().map(|n| n.name.as_str()) {
                    Some("sep") if args.is_empty() => args.push(k.value),
                    Some("maxsplit") => {
                        if args.is_empty() {
                            args.push(ast::Expr {
                                kind: A::NoneLit,
                                span: k.span,
                            });
                        }
                        args.push(k.value);
                    }
                    _ => keywords.push(k),
                }
            }
        }
        let args = self.plain_args(span, &args, &keywords)?;
        let n = args.len();
        if let ("startswith" | "endswith", [choices]) = (name, args.as_slice()) {
            if let Type::Tuple(types) = choices.ty {
                if types.iter().all(|t| *t == Type::Str) {
                    let choices = args.into_iter().next()?;
                    return Some(self.affix_of_tuple(span, name, recv, choices));
                }
            }
        }
        let mut args = args.into_iter();
        let mut next_str = |me: &mut Self, what: &str| -> Option<Expr> {
            let e = args.next()?;
            me.expect_type(e, Type::Str, what)
        };
        let simple = |f: RtFn, ty: Type, recv: Expr| Some(rt(f, vec![val(recv)], ty, span));
        match name {
            "upper" | "lower" | "capitalize" | "title" if n == 0 => {
                let f = match name {
                    "upper" => RtFn::StrUpper,
                    "lower" => RtFn::StrLower,
                    "capitalize" => RtFn::StrCapitalize,
                    _ => RtFn::StrTitle,
                };
                simple(f, Type::Str, recv)
            }
            "isdigit" | "isalpha" | "isspace" | "isalnum" | "isupper" | "islower" | "isdecimal"
            | "isnumeric"
                if n == 0 =>
            {
                let f = match name {
                    "isdigit" => RtFn::StrIsdigit,
                    "isalpha" => RtFn::StrIsalpha,
                    "isspace" => RtFn::StrIsspace,
                    "isalnum" => RtFn::StrIsalnum,
                    "isupper" => RtFn::StrIsupper,
                    "islower" => RtFn::StrIslower,
                    "isdecimal" => RtFn::StrIsdecimal,
                    _ => RtFn::StrIsnumeric,
                };
                simple(f, Type::Bool, recv)
            }
            "strip" | "lstrip" | "rstrip" if n <= 1 => {
                let f = match name {
                    "strip" => RtFn::StrStrip,
                    "lstrip" => RtFn::StrLstrip,
                    _ => RtFn::StrRstrip,
                };
                let chars = match n {
                    0 => RtOperand::Null,
                    _ => val(next_str(self, "the characters")?),
                };
                Some(rt(f, vec![val(recv), chars], Type::Str, span))
            }
            "split" | "rsplit" if n <= 2 => {
                let f = if name == "split" {
                    RtFn::StrSplit
                } else {
                    RtFn::StrRsplit
                };
                let sep = match args.next() {
                    None => RtOperand::Null,
                    Some(e) if e.ty == Type::None => RtOperand::Null,
                    Some(e) => val(self.expect_type(e, Type::Str, "the separator")?),
                };
                let maxsplit = match args.next() {
                    None => int(-1, span),
                    Some(e) => self.expect_type(e, Type::Int, "maxsplit")?,
                };
                let ty = Type::list(Type::Str);
                Some(rt(
                    f,
                    vec![val(recv), sep, val(maxsplit), RtOperand::Desc(ty)],
                    ty,
                    span,
                ))
            }
            "splitlines" if n == 0 => {
                let ty = Type::list(Type::Str);
                Some(rt(
                    RtFn::StrSplitlines,
                    vec![val(recv), RtOperand::Desc(ty)],
                    ty,
                    span,
                ))
            }
            "join" if n == 1 => {
                let items = args.next()?;
                if items.ty != Type::list(Type::Str) {
                    self.error(type_mismatch(
                        &items,
                        Type::list(Type::Str),
                        "the joined items",
                    ));
                    return None;
                }
                Some(rt(
                    RtFn::StrJoin,
                    vec![val(recv), val(items)],
                    Type::Str,
                    span,
                ))
            }
            "replace" if n == 2 || n == 3 => {
                let old = next_str(self, "the old text")?;
                let new = next_str(self, "the new text")?;
                let count = match args.next() {
                    Some(c) => self.expect_type(c, Type::Int, "the count")?,
                    None => int(-1, span),
                };
                Some(rt(
                    RtFn::StrReplace,
                    vec![val(recv), val(old), val(new), val(count)],
                    Type::Str,
                    span,
                ))
            }
            "partition" | "rpartition" if n == 1 => {
                let sep = next_str(self, "the separator")?;
                let ty = Type::tuple(&[Type::Str, Type::Str, Type::Str]);
                let right = mk(ExprKind::Bool(name == "rpartition"), Type::Bool, span);
                Some(rt(
                    RtFn::StrPartition,
                    vec![val(recv), val(sep), val(right), RtOperand::Desc(ty)],
                    ty,
                    span,
                ))
            }
            "removeprefix" | "removesuffix" if n == 1 => {
                let affix = next_str(self, "the affix")?;
                let suffix = mk(ExprKind::Bool(name == "removesuffix"), Type::Bool, span);
                Some(rt(
                    RtFn::StrRemoveAffix,
                    vec![val(recv), val(affix), val(suffix)],
                    Type::Str,
                    span,
                ))
            }
            "find" | "rfind" | "index" | "count" | "startswith" | "endswith"
                if (1..=3).contains(&n) =>
            {
                let sub = next_str(self, "the substring")?;
                let mut bounds = Vec::new();
                for _ in 1..n {
                    let b = args.next()?;
                    bounds.push(self.expect_type(b, Type::Int, "a bound")?);
                }
                let mask = (1i64 << bounds.len()) - 1;
                while bounds.len() < 2 {
                    bounds.push(int(0, span));
                }
                let (f, ty) = match name {
                    "find" => (RtFn::StrFind, Type::Int),
                    "rfind" => (RtFn::StrRfind, Type::Int),
                    "index" => (RtFn::StrIndex, Type::Int),
                    "count" => (RtFn::StrCount, Type::Int),
                    "startswith" => (RtFn::StrStartswith, Type::Bool),
                    _ => (RtFn::StrEndswith, Type::Bool),
                };
                let mut ops = vec![val(recv), val(sub)];
                ops.extend(bounds.into_iter().map(val));
                ops.push(val(int(mask, span)));
                Some(rt(f, ops, ty, span))
            }
            "format" if n >= 1 => {
                // A computed template: the runtime parses it.
                let items: Vec<Expr> = args.collect();
                let types: Vec<Type> = items.iter().map(|e| e.ty).collect();
                let ty = Type::tuple(&types);
                let tuple = mk(ExprKind::Tuple(items), ty, span);
                Some(rt(
                    RtFn::StrFormat,
                    vec![val(recv), val(tuple), RtOperand::Desc(ty)],
                    Type::Str,
                    span,
                ))
            }
            "zfill" if n == 1 => {
                let w = args.next()?;
                let w = self.expect_type(w, Type::Int, "the width")?;
                Some(rt(RtFn::StrZfill, vec![val(recv), val(w)], Type::Str, span))
            }
            "ljust" | "rjust" | "center" if n == 1 || n == 2 => {
                let w = args.next()?;
                let w = self.expect_type(w, Type::Int, "the width")?;
                let fill = match args.next() {
                    Some(f) => self.expect_type(f, Type::Str, "the fill character")?,
                    None => string(" ", span),
                };
                let f = match name {
                    "ljust" => RtFn::StrLjust,
                    "rjust" => RtFn::StrRjust,
                    _ => RtFn::StrCenter,
                };
                Some(rt(f, vec![val(recv), val(w), val(fill)], Type::Str, span))
            }
            _ => {
                self.error(
                    Diagnostic::error(span, format!("unsupported `str` method call `{name}` with {n} arguments"))
                        .with_label("not available in Roast")
                        .with_help("the str methods are upper lower strip lstrip rstrip split rsplit splitlines join replace find rfind index count startswith endswith isdigit isalpha isspace isalnum zfill ljust rjust center"),
                );
                None
            }
        }
    }

    fn list_method(
        &mut self,
        span: Span,
        recv: Expr,
        item: Type,
        name: &str,
        args: &[ast::Expr],
        keywords: &[ast::Keyword],
    ) -> Option<Expr> {
        if name == "sort" {
            let (keys, reverse) = self.sort_options(span, &recv, item, keywords)?;
            if !args.is_empty() {
                self.arity_error(span, "sort", "no positional", args.len());
                return None;
            }
            return Some(self.sort_call(RtFn::ListSort, recv, keys, reverse, Type::None, span));
        }
        let n = args.len();
        if item == Type::None {
            // An empty list whose type this use reveals.
            let value = match (name, args) {
                ("append", [a]) | ("insert", [_, a]) => self.expr(a).map(|e| Type::list(e.ty)),
                ("extend", [a]) => self.materialize(a).map(|e| e.ty),
                _ => None,
            };
            if let Some(ty) = value {
                self.discover(&recv, ty);
            }
            return None;
        }
        let want_item = |me: &mut Self, a: &ast::Expr| me.expr_expect(a, Some(item), "the item");
        let none = Type::None;
        let (f, ops, ty) = match (name, n) {
            ("append", 1) => (RtFn::ListAppend, vec![want_item(self, &args[0])?], none),
            ("extend", 1) => {
                let other = self.materialize(&args[0])?;
                let other = self.coerce(other, recv.ty, "the extension")?;
                (RtFn::ListExtend, vec![other], none)
            }
            ("insert", 2) => {
                let i = self.expr(&args[0])?;
                let i = self.expect_type(i, Type::Int, "the position")?;
                (RtFn::ListInsert, vec![i, want_item(self, &args[1])?], none)
            }
            ("pop", 0 | 1) => {
                let (i, has) = match args.first() {
                    Some(a) => {
                        let i = self.expr(a)?;
                        (self.expect_type(i, Type::Int, "the index")?, true)
                    }
                    None => (int(-1, span), false),
                };
                let has = mk(ExprKind::Bool(has), Type::Bool, span);
                (RtFn::ListPop, vec![i, has], item)
            }
            ("index", 1) => (RtFn::ListIndex, vec![want_item(self, &args[0])?], Type::Int),
            ("index", 2 | 3) => return self.list_index_range(span, recv, item, args),
            ("count", 1) => (RtFn::ListCount, vec![want_item(self, &args[0])?], Type::Int),
            ("remove", 1) => (RtFn::ListRemove, vec![want_item(self, &args[0])?], none),
            ("reverse", 0) => (RtFn::ListReverse, vec![], none),
            ("copy", 0) => (RtFn::ListCopy, vec![], recv.ty),
            ("clear", 0) => (RtFn::ListClear, vec![], none),
            _ => {
                self.error(
                    Diagnostic::error(span, format!("unsupported `list` method call `{name}` with {n} arguments"))
                        .with_label("not available in Roast")
                        .with_help("the list methods are append pop insert extend index count remove sort reverse copy clear"),
                );
                return None;
            }
        };
        if let Some(k) = keywords.first() {
            self.error(unsupported(
                k.span,
                "a keyword argument here",
                "pass it by position",
            ));
            return None;
        }
        let mut all = vec![val(recv)];
        all.extend(ops.into_iter().map(val));
        Some(rt(f, all, ty, span))
    }

    /// `xs.index(x, start[, stop])`: searched in the slice, reported as an
    /// index of the whole list (the start clamped as slicing does).
    fn list_index_range(
        &mut self,
        span: Span,
        recv: Expr,
        item: Type,
        args: &[ast::Expr],
    ) -> Option<Expr> {
        let x = self.expr_expect(&args[0], Some(item), "the item")?;
        let mut bounds = Vec::new();
        for a in &args[1..] {
            let b = self.expr(a)?;
            bounds.push(self.expect_type(b, Type::Int, "a bound")?);
        }
        let (ll, l) = self.hidden(recv.ty, span);
        let (sl, start) = self.hidden(Type::Int, span);
        let stop = bounds.get(1).cloned();
        let mask = if stop.is_some() { 3 } else { 1 };
        let part = rt(
            RtFn::ListSlice,
            vec![
                val(l.clone()),
                val(start.clone()),
                val(stop.unwrap_or_else(|| int(0, span))),
                val(int(1, span)),
                val(int(mask, span)),
            ],
            recv.ty,
            span,
        );
        let found = rt(RtFn::ListIndex, vec![val(part), val(x)], Type::Int, span);
        // The start as slicing clamps it: negative counts from the end.
        let len = mk(ExprKind::Len(Box::new(l)), Type::Int, span);
        let from_end = self.binary(span, ast::BinOp::Add, start.clone(), len.clone())?;
        let from_end = mk(
            ExprKind::MinMax(true, vec![from_end, int(0, span)]),
            Type::Int,
            span,
        );
        let clamped = mk(
            ExprKind::MinMax(false, vec![start.clone(), len]),
            Type::Int,
            span,
        );
        let negative = mk(
            ExprKind::Compare(Box::new(start), vec![(CmpOp::Lt, int(0, span))]),
            Type::Bool,
            span,
        );
        let base = mk(
            ExprKind::IfExp(Box::new(negative), Box::new(from_end), Box::new(clamped)),
            Type::Int,
            span,
        );
        let sum = self.binary(span, ast::BinOp::Add, found, base)?;
        let first = bounds.remove(0);
        Some(Self::let_in(ll, recv, Self::let_in(sl, first, sum)))
    }

    fn dict_method(
        &mut self,
        span: Span,
        recv: Expr,
        (k, v): (Type, Type),
        name: &str,
        args: &[ast::Expr],
        keywords: &[ast::Keyword],
    ) -> Option<Expr> {
        if let Some(kw) = keywords.first() {
            self.error(unsupported(
                kw.span,
                "a keyword argument here",
                "pass it by position",
            ));
            return None;
        }
        let n = args.len();
        if k == Type::None {
            // An empty dict whose type this use reveals.
            if let ("get" | "setdefault" | "pop", [key, default]) = (name, args) {
                let (key, default) = (self.expr(key)?, self.expr(default)?);
                self.discover(&recv, Type::dict(key.ty, default.ty));
            }
            return None;
        }
        let key = |me: &mut Self, a: &ast::Expr| me.expr_expect(a, Some(k), "the key");
        let value = |me: &mut Self, a: &ast::Expr| me.expr_expect(a, Some(v), "the value");
        match (name, n) {
            ("get", 1) => {
                // `d.get(k)` is `d[k] if k in d else None`, each operand evaluated once.
                let kv = key(self, &args[0])?;
                let (dl, d) = self.hidden(recv.ty, span);
                let (kl, kx) = self.hidden(k, span);
                let opt = Type::optional(v);
                let found = mk(
                    ExprKind::Contains(Box::new(kx.clone()), Box::new(d.clone()), false),
                    Type::Bool,
                    span,
                );
                let item = rt(RtFn::DictGetItem, vec![val(d), val(kx)], v, span);
                let wrapped = mk(ExprKind::Wrap(Box::new(item)), opt, span);
                let body = mk(
                    ExprKind::IfExp(
                        Box::new(found),
                        Box::new(wrapped),
                        Box::new(mk(ExprKind::NoneLit, opt, span)),
                    ),
                    opt,
                    span,
                );
                Some(Self::let_in(dl, recv, Self::let_in(kl, kv, body)))
            }
            ("get", 2) | ("pop", 2) | ("setdefault", 2) => {
                let kv = key(self, &args[0])?;
                let dv = value(self, &args[1])?;
                let f = match name {
                    "get" => RtFn::DictGet,
                    "pop" => RtFn::DictPopDefault,
                    _ => RtFn::DictSetDefault,
                };
                Some(rt(f, vec![val(recv), val(kv), val(dv)], v, span))
            }
            ("pop", 1) => {
                let kv = key(self, &args[0])?;
                Some(rt(RtFn::DictPop, vec![val(recv), val(kv)], v, span))
            }
            ("keys" | "values" | "items", 0) => {
                let ty = match name {
                    "keys" => Type::list(k),
                    "values" => Type::list(v),
                    _ => Type::list(Type::tuple(&[k, v])),
                };
                let f = match name {
                    "keys" => RtFn::DictKeys,
                    "values" => RtFn::DictValues,
                    _ => RtFn::DictItems,
                };
                if !self.view_allowed {
                    self.error(unsupported(
                        span,
                        &format!("a `dict_{name}` view as a value"),
                        &format!("iterate it directly, or make a list: `list(d.{name}())`"),
                    ));
                    return None;
                }
                Some(rt(f, vec![val(recv), RtOperand::Desc(ty)], ty, span))
            }
            ("copy", 0) => Some(rt(RtFn::DictCopy, vec![val(recv)], Type::dict(k, v), span)),
            ("clear", 0) => Some(rt(RtFn::DictClear, vec![val(recv)], Type::None, span)),
            ("update", 1) => {
                let other = self.expr_expect(&args[0], Some(recv.ty), "the update")?;
                Some(rt(
                    RtFn::DictUpdate,
                    vec![val(recv), val(other)],
                    Type::None,
                    span,
                ))
            }
            ("popitem", 0) => {
                let ty = Type::tuple(&[k, v]);
                Some(rt(
                    RtFn::DictPopItem,
                    vec![val(recv), RtOperand::Desc(ty)],
                    ty,
                    span,
                ))
            }
            _ => {
                self.error(
                    Diagnostic::error(span, format!("unsupported `dict` method call `{name}` with {n} arguments"))
                        .with_label("not available in Roast")
                        .with_help("the dict methods are get keys values items pop setdefault update copy clear popitem"),
                );
                None
            }
        }
    }

    /// `key=` and `reverse=` of `sort`/`sorted`: the list of keys (computed
    /// by a comprehension over `items`) and the reverse flag.
    fn sort_options(
        &mut self,
        span: Span,
        items: &Expr,
        item: Type,
        keywords: &[ast::Keyword],
    ) -> Option<(Option<(LocalId, Expr)>, Expr)> {
        let mut keys = None;
        let mut reverse = mk(ExprKind::Bool(false), Type::Bool, span);
        for k in keywords {
            match k.name.as_ref().map(|n| n.name.as_str()) {
                Some("reverse") => {
                    let r = self.expr(&k.value)?;
                    reverse = self.expect_type(r, Type::Bool, "reverse")?;
                }
                Some("key") => {
                    // keys = [f(x) for x in items]
                    let (xl, key) = match &k.value.kind {
                        A::Attribute { value, attr }
                            if attr.name == "get" && matches!(value.kind, A::Name(_)) =>
                        {
                            // `key=d.get` over the keys of `d` itself: every
                            // key is present, so its key is `d[x]`.
                            let d = self.expr(value)?;
                            if !is_keys_of(items, &d) {
                                self.error(unsupported(
                                    k.value.span,
                                    "`key=d.get` over other items than the keys of `d`",
                                    "sort or search `d` itself (`max(d, key=d.get)`), or write a key function",
                                ));
                                return None;
                            }
                            let v = match d.ty {
                                Type::Dict(_, v) => *v,
                                _ => return None,
                            };
                            let (xl, x) = self.hidden(item, k.value.span);
                            (xl, rt(RtFn::DictGetItem, vec![val(d), val(x)], v, k.value.span))
                        }
                        _ => self.applied(
                            &k.value,
                            item,
                            "this sort key",
                            "name a function (`key=by_length`), a str method (`key=str.lower`) or write `key=lambda x: ...`",
                        )?,
                    };
                    let (il, it) = self.hidden(items.ty, span);
                    let clause = Clause::For(Pattern::Local(xl), Iter::List(Box::new(it)));
                    keys = Some((il, list_comprehension(key, vec![clause], span)));
                }
                _ => {
                    self.error(unsupported(
                        k.span,
                        "this keyword argument",
                        "sorting takes `key=` and `reverse=`",
                    ));
                    return None;
                }
            }
        }
        Some((keys, reverse))
    }

    /// `key=lambda p: body` of items of type `item`: the local bound to
    /// `p` and the body, checked with `p` local to it. The keys are made by
    /// a comprehension binding that local, which calls nothing: the body
    /// runs once per item, in order, before any comparison, as CPython
    /// calls the lambda.
    fn key_lambda(
        &mut self,
        span: Span,
        params: &[ast::Param],
        body: &ast::Expr,
        item: Type,
    ) -> Option<(LocalId, Expr)> {
        let [p] = params else {
            self.error(unsupported(
                span,
                "a key lambda without exactly one parameter",
                "write `key=lambda x: ...`",
            ));
            return None;
        };
        if p.default.is_some() || p.annotation.is_some() || p.kind != ast::ParamKind::Normal {
            self.error(unsupported(
                p.name.span,
                "this lambda parameter",
                "write a plain name: `lambda x: ...`",
            ));
            return None;
        }
        let saved = (
            self.by_name.clone(),
            self.local_names.clone(),
            self.assigned.clone(),
            self.narrowed.clone(),
        );
        let name = &p.name.name;
        self.local_names.insert(name.clone());
        self.by_name.remove(name);
        let bound = self.target_local(name, item, p.name.span, p.name.span);
        if let Some(id) = bound {
            self.assigned.insert(id);
        }
        let key = bound.and_then(|_| self.expr(body));
        (self.by_name, self.local_names, self.assigned, self.narrowed) = saved;
        Some((bound?, key?))
    }

    /// `f(x)` for a named user function or builtin `f`.
    fn apply_named(&mut self, span: Span, f: &str, x: Expr) -> Option<Expr> {
        if let Some(&id) = self
            .m
            .functions
            .get(f)
            .filter(|_| !self.local_names.contains(f))
        {
            let sig = self.m.signatures[id.0 as usize].clone();
            let (args, order) = self.bind_arguments(span, &sig, vec![x], Vec::new())?;
            return Some(mk(ExprKind::Call(id, args, order), sig.ret, span));
        }
        match f {
            "len" if matches!(x.ty, Type::Str | Type::List(_) | Type::Dict(..)) => {
                Some(mk(ExprKind::Len(Box::new(x)), Type::Int, span))
            }
            "str" | "abs" | "repr" | "int" | "float" => self.builtin(span, f, vec![x]),
            _ if super::BUILTIN_FUNCTIONS.contains(&f) => {
                self.error(unsupported(
                    span,
                    &format!("the builtin `{f}` here"),
                    &format!("write `lambda x: {f}(x)`"),
                ));
                None
            }
            _ => {
                self.error(
                    Diagnostic::error(span, format!("cannot find function `{f}` in this scope"))
                        .with_label("not a function"),
                );
                None
            }
        }
    }

    /// `list.sort`/`sorted` with the optional keys list bound first.
    fn sort_call(
        &mut self,
        f: RtFn,
        items: Expr,
        keys: Option<(LocalId, Expr)>,
        reverse: Expr,
        ty: Type,
        span: Span,
    ) -> Expr {
        match keys {
            None => rt(f, vec![val(items), RtOperand::Null, val(reverse)], ty, span),
            // `xs.sort(key=f)`: the keys come from a copy, so a key function
            // that adds to or removes from `xs` cannot make the key
            // computation run on (or stop early); the sort then finds the
            // length changed and raises, as CPython does.
            Some((il, comp)) if f == RtFn::ListSort => {
                let (rl, r) = self.hidden(items.ty, span);
                let copy = rt(RtFn::ListCopy, vec![val(r.clone())], items.ty, span);
                let call = rt(f, vec![val(r), val(comp), val(reverse)], ty, span);
                Self::let_in(rl, items, Self::let_in(il, copy, call))
            }
            Some((il, comp)) => {
                let it = mk(ExprKind::Local(il), items.ty, span);
                let call = rt(f, vec![val(it), val(comp), val(reverse)], ty, span);
                Self::let_in(il, items, call)
            }
        }
    }

    /// [`Self::materialize`] for an iterable its consumer reads whole
    /// before anything else runs (`sum`, `min`/`max` without a key,
    /// `sorted`, `list`, `join`, `print(*...)`): a generator expression
    /// becomes the list it yields, which nobody can tell from reading it
    /// lazily.
    pub(super) fn materialize_whole(&mut self, e: &ast::Expr) -> Option<Expr> {
        match &e.kind {
            A::GeneratorExp { elt, generators } => {
                self.comprehension(e.span, None, elt, generators)
            }
            A::Call {
                func,
                args,
                keywords,
            } if keywords.is_empty()
                && matches!(&func.kind, A::Name(n) if n == "map" && !self.shadowed(n)) =>
            {
                let [f, over] = args.as_slice() else {
                    self.arity_error(e.span, "map", "2", args.len());
                    return None;
                };
                self.mapped(e.span, f, over)
            }
            _ => self.materialize(e),
        }
    }

    /// `map(f, items)` read whole: `[f(x) for x in items]`, `f` a named
    /// function or builtin, a str method (`str.upper`) or a one-parameter
    /// lambda.
    fn mapped(&mut self, span: Span, f: &ast::Expr, over: &ast::Expr) -> Option<Expr> {
        let iter = self.iterable(over)?;
        let item = iter.item_type();
        let (param, elem) = self.applied(
            f,
            item,
            "this function in `map`",
            "name a function or builtin, or write `lambda x: ...`",
        )?;
        let clauses = vec![Clause::For(Pattern::Local(param), iter)];
        Some(list_comprehension(elem, clauses, span))
    }

    /// `f` applied to an item of type `item` bound to the local returned
    /// with the call: `f` a named function or builtin, a str method
    /// (`str.lower`) or a one-parameter lambda; anything else is `what`,
    /// reported with `help`.
    fn applied(
        &mut self,
        f: &ast::Expr,
        item: Type,
        what: &str,
        help: &str,
    ) -> Option<(LocalId, Expr)> {
        match &f.kind {
            A::Lambda { params, body } => self.key_lambda(f.span, params, body, item),
            A::Name(name) => {
                let (xl, x) = self.hidden(item, f.span);
                Some((xl, self.apply_named(f.span, name, x)?))
            }
            A::Attribute { value, attr }
                if matches!(&value.kind, A::Name(t) if t == "str") && item == Type::Str =>
            {
                let (xl, x) = self.hidden(item, f.span);
                Some((xl, self.str_method(f.span, x, &attr.name, &[], &[])?))
            }
            _ => {
                self.error(unsupported(f.span, what, help));
                None
            }
        }
    }

    /// An iterable expression as a list (a copy for lists, so callers own it).
    pub(super) fn materialize(&mut self, e: &ast::Expr) -> Option<Expr> {
        if let A::Call { func, .. } = &e.kind {
            let is_view = matches!(&func.kind, A::Attribute { attr, .. } if matches!(attr.name.as_str(), "keys" | "values" | "items"));
            let is_iter_builtin = matches!(&func.kind, A::Name(n) if matches!(n.as_str(), "range" | "enumerate" | "zip" | "reversed") && !self.shadowed(n));
            if is_view || is_iter_builtin {
                let saved = std::mem::replace(&mut self.view_allowed, true);
                let r = if is_view {
                    self.expr(e)
                } else {
                    let iter = self.iterable(e)?;
                    Some(self.iter_to_list(iter, e.span))
                };
                self.view_allowed = saved;
                return r;
            }
        }
        let v = self.expr(e)?;
        let span = v.span;
        match v.ty {
            Type::List(_) => Some(v),
            Type::Tuple(types) if !types.is_empty() && types.windows(2).all(|w| w[0] == w[1]) => {
                Some(self.tuple_as_list(v))
            }
            Type::Str => {
                let ty = Type::list(Type::Str);
                Some(rt(
                    RtFn::ListFromStr,
                    vec![val(v), RtOperand::Desc(ty)],
                    ty,
                    span,
                ))
            }
            Type::Dict(k, _) => {
                let ty = Type::list(*k);
                Some(rt(
                    RtFn::DictKeys,
                    vec![val(v), RtOperand::Desc(ty)],
                    ty,
                    span,
                ))
            }
            t => {
                self.error(
                    Diagnostic::error(span, format!("`{}` is not iterable", t.name()))
                        .with_label("not a list, str or dict"),
                );
                None
            }
        }
    }

    /// `[str(x) for x in items]`.
    pub(super) fn stringified(&mut self, items: Expr) -> Expr {
        let span = items.span;
        let item = elem(items.ty).unwrap_or(Type::None);
        if item == Type::Str {
            return items;
        }
        let (xl, x) = self.hidden(item, span);
        mk(
            ExprKind::Comprehension {
                elem: Box::new(to_str(x)),
                key: None,
                clauses: vec![Clause::For(Pattern::Local(xl), Iter::List(Box::new(items)))],
            },
            Type::list(Type::Str),
            span,
        )
    }

    /// `[x for x in iter]`.
    fn iter_to_list(&mut self, iter: Iter, span: Span) -> Expr {
        let ty = iter.item_type();
        let (xl, x) = self.hidden(ty, span);
        mk(
            ExprKind::Comprehension {
                elem: Box::new(x),
                key: None,
                clauses: vec![Clause::For(Pattern::Local(xl), iter)],
            },
            Type::list(ty),
            span,
        )
    }

    /// What a `for` (or comprehension) iterates.
    pub(super) fn iterable(&mut self, e: &ast::Expr) -> Option<Iter> {
        if let A::Call {
            func,
            args,
            keywords,
        } = &e.kind
        {
            if let A::Name(n) = &func.kind {
                if !self.shadowed(n) {
                    match n.as_str() {
                        "range" => return self.range_iter(e.span, args, keywords),
                        "enumerate" => {
                            let (inner, start) = match (args.as_slice(), keywords.as_slice()) {
                                ([inner], []) => (inner, int(0, e.span)),
                                ([inner, start], []) => {
                                    let s = self.expr(start)?;
                                    (inner, self.expect_type(s, Type::Int, "start")?)
                                }
                                ([inner], [k])
                                    if k.name.as_ref().is_some_and(|n| n.name == "start") =>
                                {
                                    let s = self.expr(&k.value)?;
                                    (inner, self.expect_type(s, Type::Int, "start")?)
                                }
                                _ => {
                                    self.arity_error(e.span, "enumerate", "1 or 2", args.len());
                                    return None;
                                }
                            };
                            let inner = self.iterable(inner)?;
                            return Some(Iter::Enumerate(Box::new(inner), Box::new(start)));
                        }
                        "zip" if keywords.is_empty() && args.len() >= 2 => {
                            let mut parts = Vec::new();
                            for a in args {
                                parts.push(self.iterable(a)?);
                            }
                            return Some(Iter::Zip(parts));
                        }
                        "reversed" if args.len() == 1 && keywords.is_empty() => {
                            let list = self.materialize(&args[0])?;
                            return Some(Iter::Reversed(Box::new(list)));
                        }
                        _ => {}
                    }
                }
            }
            if let A::Attribute { value, attr } = &func.kind {
                let view = match attr.name.as_str() {
                    "keys" => Some(0),
                    "values" => Some(1),
                    "items" => Some(2),
                    _ => None,
                };
                if let (Some(view), true) = (view, args.is_empty()) {
                    let d = self.expr(value)?;
                    if let Type::Dict(..) = d.ty {
                        let d = Box::new(d);
                        return Some(match view {
                            0 => Iter::DictKeys(d),
                            1 => Iter::DictValues(d),
                            _ => Iter::DictItems(d),
                        });
                    }
                    self.error(unsupported(
                        attr.span,
                        &format!("`.{}()` on a `{}`", attr.name, d.ty.name()),
                        "views are dict methods",
                    ));
                    return None;
                }
            }
        }
        if let A::Tuple(items) = &e.kind {
            // `for d in (-1, 0, 1)`: the items of a tuple display, in order,
            // as those of a list display (one type for all of them).
            if !items.is_empty() {
                let list = self.list_display(e.span, items, None)?;
                return Some(Iter::List(Box::new(list)));
            }
        }
        let v = self.expr(e)?;
        match v.ty {
            Type::List(_) => Some(Iter::List(Box::new(v))),
            Type::Str => Some(Iter::Str(Box::new(v))),
            Type::Dict(..) => Some(Iter::DictKeys(Box::new(v))),
            Type::Tuple(types) if !types.is_empty() && types.windows(2).all(|w| w[0] == w[1]) => {
                Some(Iter::List(Box::new(self.tuple_as_list(v))))
            }
            t => {
                self.error(
                    Diagnostic::error(v.span, format!("`{}` is not iterable", t.name()))
                        .with_label("iterated here")
                        .with_help("iterate a list, str, dict, range, enumerate, zip or reversed"),
                );
                None
            }
        }
    }

    fn range_iter(
        &mut self,
        span: Span,
        args: &[ast::Expr],
        keywords: &[ast::Keyword],
    ) -> Option<Iter> {
        if !keywords.is_empty() || args.is_empty() || args.len() > 3 {
            self.error(
                Diagnostic::error(
                    span,
                    format!("range expected 1 to 3 arguments, got {}", args.len()),
                )
                .with_label("wrong number of arguments"),
            );
            return None;
        }
        let mut values = Vec::new();
        for a in args {
            let e = self.expr(a)?;
            values.push(self.expect_type(e, Type::Int, "a range() argument")?);
        }
        let (start, stop, step) = match values.len() {
            1 => (int(0, span), values.remove(0), int(1, span)),
            2 => {
                let stop = values.remove(1);
                (values.remove(0), stop, int(1, span))
            }
            _ => {
                let step = values.remove(2);
                let stop = values.remove(1);
                (values.remove(0), stop, step)
            }
        };
        Some(Iter::Range(
            Box::new(start),
            Box::new(stop),
            Box::new(step),
            span,
        ))
    }

    /// Binds the names of a `for` target to items of type `ty`.
    pub(super) fn pattern(
        &mut self,
        target: &ast::Expr,
        ty: Type,
        value_span: Span,
    ) -> Option<Pattern> {
        match (&target.kind, ty) {
            (A::Name(name), _) => {
                let id = self.target_local(name, ty, target.span, value_span)?;
                self.assigned.insert(id);
                self.narrowed.remove(&Narrowed::Local(id));
                Some(Pattern::Local(id))
            }
            (A::Tuple(items) | A::List(items), Type::Tuple(types))
                if items.len() == types.len() =>
            {
                let mut out = Vec::new();
                for (item, t) in items.iter().zip(types.iter()) {
                    out.push(self.pattern(item, *t, value_span)?);
                }
                Some(Pattern::Tuple(out))
            }
            (A::Tuple(items) | A::List(items), Type::Tuple(types)) => {
                self.error(
                    Diagnostic::error(
                        target.span,
                        format!(
                            "cannot unpack {} values into {} names",
                            types.len(),
                            items.len()
                        ),
                    )
                    .with_label("wrong number of names"),
                );
                None
            }
            _ => {
                self.error(unsupported(
                    target.span,
                    &format!("this target for a `{}`", ty.name()),
                    "unpack tuples into as many names as they have items",
                ));
                None
            }
        }
    }

    /// A `for` loop over anything but a plain `range` into a name.
    pub(super) fn for_each(
        &mut self,
        target: &ast::Expr,
        iter: &ast::Expr,
        body: &[ast::Stmt],
        orelse: &[ast::Stmt],
    ) -> Vec<Stmt> {
        let Some(it) = self.iterable(iter) else {
            return vec![];
        };
        let before = (self.assigned.clone(), self.narrowed.clone());
        let Some(pattern) = self.pattern(target, it.item_type(), iter.span) else {
            return vec![];
        };
        let (body, breaks) = self.loop_body(body);
        (self.assigned, self.narrowed) = before;
        let (orelse, oa, ot) = self.branch(orelse);
        self.after_loop(breaks, true, (oa, ot));
        vec![Stmt::ForEach {
            pattern,
            iter: it,
            body,
            orelse,
        }]
    }

    /// List and dict comprehensions. Their names are local to them.
    pub(super) fn comprehension(
        &mut self,
        span: Span,
        key: Option<&ast::Expr>,
        elem: &ast::Expr,
        generators: &[ast::Comprehension],
    ) -> Option<Expr> {
        let saved = (
            self.by_name.clone(),
            self.local_names.clone(),
            self.assigned.clone(),
            self.narrowed.clone(),
        );
        let result = self.comprehension_scoped(span, key, elem, generators);
        (self.by_name, self.local_names, self.assigned, self.narrowed) = saved;
        result
    }

    fn comprehension_scoped(
        &mut self,
        span: Span,
        key: Option<&ast::Expr>,
        elem: &ast::Expr,
        generators: &[ast::Comprehension],
    ) -> Option<Expr> {
        let mut clauses = Vec::new();
        for g in generators {
            let iter = self.iterable(&g.iter)?;
            let mut names = Vec::new();
            comprehension_names(&g.target, &mut names);
            for n in names {
                self.local_names.insert(n.clone());
                self.by_name.remove(&n);
            }
            let pattern = self.pattern(&g.target, iter.item_type(), g.iter.span)?;
            clauses.push(Clause::For(pattern, iter));
            for cond in &g.ifs {
                let c = self.condition(cond)?;
                clauses.push(Clause::If(c));
                // Later clauses and the element run only where it held.
                let (holds, _) = self.narrowing(cond);
                self.narrowed.extend(holds);
            }
        }
        let value = self.expr(elem)?;
        let (key, ty) = match key {
            Some(k) => {
                let k = self.expr(k)?;
                if !k.ty.is_hashable() {
                    self.error(
                        Diagnostic::error(
                            k.span,
                            format!("unhashable type: `{}` as a dict key", k.ty.name()),
                        )
                        .with_label("not a valid key"),
                    );
                    return None;
                }
                let ty = Type::dict(k.ty, value.ty);
                (Some(Box::new(k)), ty)
            }
            None => (None, Type::list(value.ty)),
        };
        Some(mk(
            ExprKind::Comprehension {
                elem: Box::new(value),
                key,
                clauses,
            },
            ty,
            span,
        ))
    }

    /// A tuple whose items share a type (and there is one at least) as a
    /// new list of them, in order.
    fn tuple_as_list(&mut self, tuple: Expr) -> Expr {
        let Type::Tuple(types) = tuple.ty else {
            unreachable!("a tuple")
        };
        let (id, read) = self.hidden(tuple.ty, tuple.span);
        let span = tuple.span;
        let items = (0..types.len())
            .map(|i| {
                mk(
                    ExprKind::TupleItem(Box::new(read.clone()), i),
                    types[0],
                    span,
                )
            })
            .collect();
        let list = mk(ExprKind::List(items), Type::list(types[0]), span);
        Self::let_in(id, tuple, list)
    }

    /// A `list[bool]` as the `list[int]` of its items' values (1 for
    /// `True`): a comprehension of bools maps its element, any other list
    /// is read by a new comprehension.
    fn bools_as_ints(&mut self, items: Expr) -> Expr {
        let span = items.span;
        let as_int = |e: Expr| mk(ExprKind::BoolToInt(Box::new(e)), Type::Int, span);
        let (elem, clauses) = match items.kind {
            ExprKind::Comprehension {
                elem,
                key: None,
                clauses,
            } => (as_int(*elem), clauses),
            kind => {
                let (bl, b) = self.hidden(Type::Bool, span);
                let list = Expr { kind, ..items };
                let clause = Clause::For(Pattern::Local(bl), Iter::List(Box::new(list)));
                (as_int(b), vec![clause])
            }
        };
        list_comprehension(elem, clauses, span)
    }

    /// `min(items, key=..., default=...)` / `max(...)` of one iterable.
    /// A `default` is a constant or a variable (nothing that could run
    /// between the items as CPython reads them); it is the result for no
    /// items, `T | None` when it is `None`.
    fn min_max_with(
        &mut self,
        span: Span,
        is_max: bool,
        arg: &ast::Expr,
        keywords: &[ast::Keyword],
    ) -> Option<Expr> {
        let mut default = None;
        let mut key = Vec::new();
        for k in keywords {
            match k.name.as_ref().map(|n| n.name.as_str()) {
                Some("default") if is_plain_value(&k.value) => default = Some(&k.value),
                Some("default") => {
                    self.error(unsupported(
                        k.value.span,
                        "this `default=`",
                        "give a constant or a variable (`default=0`)",
                    ));
                    return None;
                }
                Some("key") => key.push(k.clone()),
                _ => {
                    self.error(unsupported(
                        k.span,
                        "this keyword argument",
                        "min() and max() take `key=` and `default=`",
                    ));
                    return None;
                }
            }
        }
        let items = if key.is_empty() {
            self.materialize_whole(arg)?
        } else {
            self.materialize(arg)?
        };
        let item = elem(items.ty)?;
        let flag = mk(ExprKind::Bool(is_max), Type::Bool, span);
        let (keys, _) = self.sort_options(span, &items, item, &key)?;
        // The items are bound to a local: the one the keys are made from.
        let (il, it) = match &keys {
            Some((kl, _)) => (*kl, mk(ExprKind::Local(*kl), items.ty, span)),
            None => self.hidden(items.ty, span),
        };
        let found = match keys {
            Some((_, comp)) => rt(
                RtFn::ListMinMaxBy,
                vec![val(it.clone()), val(comp), val(flag)],
                item,
                span,
            ),
            None => rt(
                RtFn::ListMinMax,
                vec![val(it.clone()), val(flag)],
                item,
                span,
            ),
        };
        let Some(default) = default else {
            return Some(Self::let_in(il, items, found));
        };
        let default = self.expr(default)?;
        let ty = if default.ty == Type::None {
            Type::optional(item)
        } else {
            item
        };
        let found = self.coerce(found, ty, "the result")?;
        let default = self.coerce(default, ty, "the default")?;
        let len = mk(ExprKind::Len(Box::new(it)), Type::Int, span);
        let empty = mk(
            ExprKind::Compare(Box::new(len), vec![(CmpOp::Eq, int(0, span))]),
            Type::Bool,
            span,
        );
        let pick = mk(
            ExprKind::IfExp(Box::new(empty), Box::new(default), Box::new(found)),
            ty,
            span,
        );
        Some(Self::let_in(il, items, pick))
    }

    /// `s.startswith((a, b, ...))` (or `endswith`): whether any of the
    /// tuple's strs is a prefix (suffix), tried in order.
    fn affix_of_tuple(&mut self, span: Span, name: &str, recv: Expr, choices: Expr) -> Expr {
        let Type::Tuple(types) = choices.ty else {
            unreachable!("a tuple")
        };
        let f = if name == "startswith" {
            RtFn::StrStartswith
        } else {
            RtFn::StrEndswith
        };
        let (sl, s) = self.hidden(Type::Str, recv.span);
        let (tl, t) = self.hidden(choices.ty, choices.span);
        let mut any = mk(ExprKind::Bool(false), Type::Bool, span);
        for i in (0..types.len()).rev() {
            let item = mk(ExprKind::TupleItem(Box::new(t.clone()), i), Type::Str, span);
            let (zero, none) = (int(0, span), int(0, span));
            let test = rt(
                f,
                vec![
                    val(s.clone()),
                    val(item),
                    val(zero),
                    val(none),
                    val(int(0, span)),
                ],
                Type::Bool,
                span,
            );
            any = mk(
                ExprKind::Or(Box::new(test), Box::new(any)),
                Type::Bool,
                span,
            );
        }
        Self::let_in(sl, recv, Self::let_in(tl, choices, any))
    }

    /// `dict(x)`: a copy of a dict, or the dict of the `(key, value)`
    /// pairs an iterable yields (`dict(zip(keys, values))`, `dict(pairs)`),
    /// a later pair's value replacing an earlier one's for the same key.
    fn dict_of(&mut self, span: Span, arg: &ast::Expr) -> Option<Expr> {
        let iter = match &arg.kind {
            A::Call { .. } => self.iterable(arg)?,
            _ => {
                let e = self.expr(arg)?;
                match e.ty {
                    Type::Dict(..) => {
                        let ty = e.ty;
                        return Some(rt(RtFn::DictCopy, vec![val(e)], ty, span));
                    }
                    Type::List(_) => Iter::List(Box::new(e)),
                    t => {
                        self.error(
                            Diagnostic::error(e.span, format!("dict() of a `{}`", t.name()))
                                .with_label("not a dict or a list of pairs")
                                .with_help(
                                    "give a dict, `zip(keys, values)` or a list of 2-tuples",
                                ),
                        );
                        return None;
                    }
                }
            }
        };
        let (k, v) = match iter.item_type() {
            Type::Tuple([k, v]) => (*k, *v),
            t => {
                self.error(
                    Diagnostic::error(
                        arg.span,
                        format!(
                            "dict() needs `(key, value)` pairs, not `{}` items",
                            t.name()
                        ),
                    )
                    .with_label("the items")
                    .with_help("give a dict, `zip(keys, values)` or a list of 2-tuples"),
                );
                return None;
            }
        };
        if !k.is_hashable() {
            self.error(
                Diagnostic::error(
                    arg.span,
                    format!("unhashable type: `{}` as a dict key", k.name()),
                )
                .with_label("keys of these pairs"),
            );
            return None;
        }
        let (kl, key) = self.hidden(k, span);
        let (vl, value) = self.hidden(v, span);
        let pattern = Pattern::Tuple(vec![Pattern::Local(kl), Pattern::Local(vl)]);
        Some(mk(
            ExprKind::Comprehension {
                elem: Box::new(value),
                key: Some(Box::new(key)),
                clauses: vec![Clause::For(pattern, iter)],
            },
            Type::dict(k, v),
            span,
        ))
    }

    /// `math.gcd`, `lcm`, `isqrt`, `comb`, `perm` or `factorial` (number
    /// `op` of [`INT_MATH`]) of ints.
    fn int_math(&mut self, span: Span, name: &str, op: usize, args: Vec<Expr>) -> Option<Expr> {
        for a in &args {
            if a.ty != Type::Int {
                self.error(type_mismatch(
                    a,
                    Type::Int,
                    &format!("an argument of math.{name}()"),
                ));
                return None;
            }
        }
        let n = args.len();
        let mut args = args.into_iter();
        let zero = || int(0, span);
        let (a, b) = match (name, n) {
            ("gcd", 0) => return Some(int(0, span)),
            ("lcm", 0) => return Some(int(1, span)),
            // gcd(a) is |a|, as gcd(a, 0); lcm(a) too, as lcm(a, 1).
            ("gcd", 1) => (args.next()?, zero()),
            ("lcm", 1) => (args.next()?, int(1, span)),
            ("gcd" | "lcm" | "comb", 2) => (args.next()?, args.next()?),
            ("isqrt" | "factorial", 1) => (args.next()?, zero()),
            ("perm", 1) => {
                // perm(n) is perm(n, n): `n` evaluated once.
                let x = args.next()?;
                let (id, read) = self.hidden(Type::Int, x.span);
                let call = self.int_math(span, name, op, vec![read.clone(), read])?;
                return Some(Self::let_in(id, x, call));
            }
            ("perm", 2) => (args.next()?, args.next()?),
            _ => {
                self.error(
                    Diagnostic::error(span, format!("unsupported call `math.{name}` with {n} arguments"))
                        .with_label("not available in Roast")
                        .with_help("gcd and lcm take up to two ints here (nest the calls for more); comb takes two, isqrt and factorial one, perm one or two"),
                );
                return None;
            }
        };
        Some(rt(
            RtFn::IntMath,
            vec![val(int(op as i64, span)), val(a), val(b)],
            Type::Int,
            span,
        ))
    }

    /// `any(elt for ...)` / `all(...)` of a generator expression, read
    /// only as far as CPython reads it.
    fn any_of(
        &mut self,
        span: Span,
        elt: &ast::Expr,
        generators: &[ast::Comprehension],
        all: bool,
    ) -> Option<Expr> {
        let list = self.comprehension(span, None, elt, generators)?;
        let ExprKind::Comprehension { elem, clauses, .. } = list.kind else {
            unreachable!("a list comprehension")
        };
        let elem = Box::new(self.truthy(*elem));
        Some(mk(ExprKind::AnyOf { elem, clauses, all }, Type::Bool, span))
    }

    /// An f-string.
    pub(super) fn fstring(&mut self, span: Span, parts: &[ast::FStringPart]) -> Option<Expr> {
        let mut out = Vec::new();
        for part in parts {
            match part {
                ast::FStringPart::Literal(s) => out.push(string(s, span)),
                ast::FStringPart::Field {
                    expr,
                    conversion,
                    spec,
                    debug_text,
                } => {
                    if let Some(d) = debug_text {
                        out.push(string(d, span));
                    }
                    let value = self.expr(expr)?;
                    let conversion = match (conversion, debug_text, spec.is_empty()) {
                        (Some(c), _, _) => Some(*c),
                        (None, Some(_), true) => Some('r'),
                        _ => None,
                    };
                    let spec = if spec.is_empty() {
                        None
                    } else {
                        Some(self.fstring(span, spec)?)
                    };
                    out.push(self.format_field(value, conversion, spec, span)?);
                }
            }
        }
        Some(concat(out, span))
    }

    /// `"literal" % values`: printf-style conversions (`%s %r %d %i %u %f
    /// %F %e %E %g %G %x %X %o %c %%` with the flags `-+ #0`, a width and a
    /// precision) as the fields of an f-string with the spec each stands
    /// for. The values are all evaluated first, as CPython builds the
    /// tuple before formatting. What CPython would reject when it runs
    /// (too few or too many values, a conversion a value's type does not
    /// take) is reported here.
    pub(super) fn percent_format(
        &mut self,
        span: Span,
        fmt_span: Span,
        fmt: &str,
        args: &ast::Expr,
    ) -> Option<Expr> {
        let fields = match parse_percent(fmt) {
            Ok(fields) => fields,
            Err(why) => {
                self.error(
                    Diagnostic::error(fmt_span, format!("this `%` format: {why}"))
                        .with_label("format string")
                        .with_help("use `%s`, `%d`, `%f`... with flags, width and precision, or an f-string"),
                );
                return None;
            }
        };
        // The values: each bound to a hidden local, in order.
        let mut lets = Vec::new();
        let mut values = Vec::new();
        let items: Vec<Expr> = match &args.kind {
            A::Tuple(items) => items.iter().map(|i| self.expr(i)).collect::<Option<_>>()?,
            _ => {
                let v = self.expr(args)?;
                match v.ty {
                    Type::Tuple(types) => {
                        let (id, read) = self.hidden(v.ty, v.span);
                        lets.push((id, v));
                        (0..types.len())
                            .map(|i| {
                                mk(
                                    ExprKind::TupleItem(Box::new(read.clone()), i),
                                    types[i],
                                    span,
                                )
                            })
                            .collect()
                    }
                    _ => vec![v],
                }
            }
        };
        for item in items {
            let (id, read) = self.hidden(item.ty, item.span);
            lets.push((id, item));
            values.push(read);
        }
        let wanted = fields
            .iter()
            .filter(|f| matches!(f, PercentField::Value { .. }))
            .count();
        if wanted != values.len() {
            let why = if wanted > values.len() {
                "not enough arguments for format string"
            } else {
                "not all arguments converted during string formatting"
            };
            self.error(
                Diagnostic::error(
                    args.span,
                    format!("{why} ({wanted} wanted, {} given)", values.len()),
                )
                .with_label("formatted values"),
            );
            return None;
        }
        let mut values = values.into_iter();
        let mut parts = Vec::new();
        for field in fields {
            let PercentField::Value { conversion, spec } = field else {
                let PercentField::Text(text) = field else {
                    unreachable!("two kinds of field")
                };
                parts.push(string(&text, span));
                continue;
            };
            let value = values.next()?;
            parts.push(self.percent_field(span, value, conversion, &spec)?);
        }
        let mut out = concat(parts, span);
        for (id, value) in lets.into_iter().rev() {
            out = Self::let_in(id, value, out);
        }
        Some(out)
    }

    /// One `%` conversion of `value` with the format spec it stands for.
    fn percent_field(
        &mut self,
        span: Span,
        value: Expr,
        conversion: char,
        spec: &str,
    ) -> Option<Expr> {
        let spec_expr = |spec: String| (!spec.is_empty()).then(|| string(&spec, span));
        let numeric = matches!(value.ty, Type::Int | Type::Float | Type::Bool);
        let reject = |me: &mut Self, value: &Expr| {
            me.error(
                Diagnostic::error(
                    value.span,
                    format!(
                        "`%{conversion}` format: a number is required, not `{}`",
                        value.ty.name()
                    ),
                )
                .with_label("formatted here"),
            );
        };
        match conversion {
            's' | 'r' => {
                self.format_field(value, Some(conversion), spec_expr(spec.to_string()), span)
            }
            'c' => {
                let ch = match value.ty {
                    Type::Int => self.builtin(span, "chr", vec![value])?,
                    _ => {
                        reject(self, &value);
                        return None;
                    }
                };
                self.format_field(ch, None, spec_expr(spec.to_string()), span)
            }
            'd' | 'i' | 'u' => {
                let value = match value.ty {
                    // `%d` of a float truncates it, as int() does.
                    Type::Float => self.builtin(span, "int", vec![value])?,
                    _ if numeric => value,
                    _ => {
                        reject(self, &value);
                        return None;
                    }
                };
                self.format_field(value, None, spec_expr(format!("{spec}d")), span)
            }
            'x' | 'X' | 'o' if matches!(value.ty, Type::Int | Type::Bool) => {
                self.format_field(value, None, spec_expr(format!("{spec}{conversion}")), span)
            }
            _ if numeric && !matches!(conversion, 'x' | 'X' | 'o') => {
                self.format_field(value, None, spec_expr(format!("{spec}{conversion}")), span)
            }
            _ => {
                reject(self, &value);
                None
            }
        }
    }

    /// One replacement field: conversion, then `format(value, spec)`; a
    /// bad spec raises at `span`, the whole f-string, as in CPython.
    fn format_field(
        &mut self,
        value: Expr,
        conversion: Option<char>,
        spec: Option<Expr>,
        span: Span,
    ) -> Option<Expr> {
        let value = match conversion {
            Some('r') => repr(value),
            Some('s') => to_str(value),
            Some(c) => {
                self.error(unsupported(
                    value.span,
                    &format!("the `!{c}` conversion"),
                    "use `!r` or `!s`",
                ));
                return None;
            }
            None => value,
        };
        let ty = value.ty;
        let Some(spec) = spec else {
            return Some(to_str(value));
        };
        // A literal spec is parsed now, not at each formatting.
        let (f, spec) = match packed_spec(&spec, ty) {
            Some(packed) => (RtFn::FormatPacked, int(packed as i64, spec.span)),
            None => (RtFn::Format, spec),
        };
        Some(rt(
            f,
            vec![val(value), RtOperand::Desc(ty), val(spec)],
            Type::Str,
            span,
        ))
    }

    /// `"literal {} {0:spec}".format(args)`.
    fn str_format(
        &mut self,
        span: Span,
        fmt: &str,
        args: &[ast::Expr],
        keywords: &[ast::Keyword],
    ) -> Option<Expr> {
        let values = self.plain_args(span, args, keywords)?;
        let mut locals = Vec::new();
        let mut reads = Vec::new();
        for v in &values {
            let (id, read) = self.hidden(v.ty, v.span);
            locals.push(id);
            reads.push(read);
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut auto = 0usize;
        let mut manual_used = false;
        let mut chars = fmt.chars().peekable();
        let bad = |me: &mut Self, msg: &str| {
            me.error(
                Diagnostic::error(span, format!("invalid format string: {msg}"))
                    .with_label("in this str.format call"),
            );
        };
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => {
                    bad(self, "single '}' encountered in format string");
                    return None;
                }
                '{' => {
                    let mut field = String::new();
                    let mut depth = 0;
                    loop {
                        match chars.next() {
                            Some('{') => {
                                depth += 1;
                                field.push('{');
                            }
                            Some('}') if depth == 0 => break,
                            Some('}') => {
                                depth -= 1;
                                field.push('}');
                            }
                            Some(ch) => field.push(ch),
                            None => {
                                bad(self, "expected '}' before end of string");
                                return None;
                            }
                        }
                    }
                    if !literal.is_empty() {
                        parts.push(string(&std::mem::take(&mut literal), span));
                    }
                    let (head, spec) = match field.find(':') {
                        Some(i) => (field[..i].to_string(), Some(field[i + 1..].to_string())),
                        None => (field.clone(), None),
                    };
                    let (index, conversion) = match head.find('!') {
                        Some(i) => (head[..i].to_string(), head[i + 1..].chars().next()),
                        None => (head, None),
                    };
                    if index.is_empty() == manual_used && (auto > 0 || manual_used) {
                        bad(
                            self,
                            "cannot mix automatic field numbering `{}` and manual `{0}`",
                        );
                        return None;
                    }
                    manual_used |= !index.is_empty();
                    let i = if index.is_empty() {
                        auto += 1;
                        auto - 1
                    } else {
                        match index.parse::<usize>() {
                            Ok(i) => i,
                            Err(_) => {
                                bad(self, "only positional fields `{}` and `{0}` are supported");
                                return None;
                            }
                        }
                    };
                    let Some(read) = reads.get(i).cloned() else {
                        self.error(
                            Diagnostic::error(
                                span,
                                format!(
                                    "Replacement index {i} out of range for positional args tuple"
                                ),
                            )
                            .with_label("not enough arguments"),
                        );
                        return None;
                    };
                    if spec.as_deref().is_some_and(|s| s.contains('{')) {
                        bad(self, "nested fields in a format spec are not supported");
                        return None;
                    }
                    let spec = spec.filter(|s| !s.is_empty()).map(|s| string(&s, span));
                    parts.push(self.format_field(read, conversion, spec, span)?);
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(string(&literal, span));
        }
        let mut result = concat(parts, span);
        for (id, v) in locals.into_iter().zip(values).rev() {
            result = Self::let_in(id, v, result);
        }
        Some(result)
    }

    /// `math.name(args)` or a function imported from `math`.
    pub(super) fn math_function(
        &mut self,
        span: Span,
        name: &str,
        args: Vec<Expr>,
    ) -> Option<Expr> {
        let float_arg = |me: &mut Self, e: Expr| -> Option<Expr> {
            match e.ty {
                Type::Float => Some(e),
                Type::Int => Some(super::promote(e)),
                _ => {
                    me.error(type_mismatch(&e, Type::Float, "the argument"));
                    None
                }
            }
        };
        if let Some(op) = INT_MATH.iter().position(|n| *n == name) {
            return self.int_math(span, name, op, args);
        }
        if let ([x], "floor" | "ceil" | "trunc") = (args.as_slice(), name) {
            if x.ty == Type::Int {
                // An int is its own floor (exactly, not through a float).
                return args.into_iter().next();
            }
        }
        let unary = MATH_UNARY.iter().position(|n| *n == name);
        let binary = MATH_BINARY.iter().position(|n| *n == name);
        let n = args.len();
        let mut args = args.into_iter();
        if let (Some(op), 1) = (unary, n) {
            let x = float_arg(self, args.next()?)?;
            let ty = if matches!(name, "floor" | "ceil" | "trunc") {
                Type::Int
            } else if matches!(name, "isnan" | "isinf" | "isfinite") {
                Type::Bool
            } else {
                Type::Float
            };
            let r = rt(
                RtFn::MathUnary,
                vec![val(int(op as i64, span)), val(x)],
                Type::Float,
                span,
            );
            return Some(match ty {
                Type::Int => mk(ExprKind::FloatToInt(Box::new(r)), Type::Int, span),
                Type::Bool => mk(
                    ExprKind::Compare(
                        Box::new(r),
                        vec![(CmpOp::Ne, mk(ExprKind::Float(0.0), Type::Float, span))],
                    ),
                    Type::Bool,
                    span,
                ),
                _ => r,
            });
        }
        if let (Some(op), 2) = (binary, n) {
            let x = float_arg(self, args.next()?)?;
            let y = float_arg(self, args.next()?)?;
            return Some(rt(
                RtFn::MathBinary,
                vec![val(int(op as i64, span)), val(x), val(y)],
                Type::Float,
                span,
            ));
        }
        self.error(
            Diagnostic::error(span, format!("unsupported call `math.{name}` with {n} arguments"))
                .with_label("not available in Roast")
                .with_help("the math functions are sqrt floor ceil trunc pow fabs sin cos tan asin acos atan atan2 exp log log2 log10 hypot isnan isinf isfinite gcd lcm isqrt comb perm factorial"),
        );
        None
    }

    /// A `math` constant.
    pub(super) fn math_constant(name: &str) -> Option<f64> {
        match name {
            "pi" => Some(std::f64::consts::PI),
            "e" => Some(std::f64::consts::E),
            "tau" => Some(std::f64::consts::TAU),
            "inf" => Some(f64::INFINITY),
            "nan" => Some(f64::NAN),
            _ => None,
        }
    }

    /// Builtins whose arguments need their unevaluated form (iterables,
    /// `key=`); `None` when `name` is not one of them.
    pub(super) fn container_builtin(
        &mut self,
        span: Span,
        name: &str,
        args: &[ast::Expr],
        keywords: &[ast::Keyword],
    ) -> Option<Option<Expr>> {
        let n = args.len();
        match name {
            "sorted" if n == 1 => {
                // CPython copies the items first, then calls the key
                // function on the copy's elements: a key function that
                // changes the original list does not change what is sorted.
                let keyed = keywords
                    .iter()
                    .any(|k| k.name.as_ref().is_some_and(|n| n.name == "key"));
                let items = self
                    .materialize_whole(&args[0])
                    .map(|items| match items.ty {
                        Type::List(_) if keyed => {
                            let (ty, span) = (items.ty, items.span);
                            rt(RtFn::ListCopy, vec![val(items)], ty, span)
                        }
                        _ => items,
                    });
                Some(items.and_then(|items| {
                    let item = elem(items.ty)?;
                    let (keys, reverse) = self.sort_options(span, &items, item, keywords)?;
                    let ty = items.ty;
                    Some(self.sort_call(RtFn::ListSorted, items, keys, reverse, ty, span))
                }))
            }
            "len" if n == 1 && keywords.is_empty() && is_range_call(&args[0], self) => {
                // `len(range(...))`: counted, nothing built.
                Some(self.iterable(&args[0]).and_then(|iter| match iter {
                    // A zero step raises at `range(...)`.
                    Iter::Range(start, stop, step, at) => Some(rt(
                        RtFn::RangeLen,
                        vec![val(*start), val(*stop), val(*step)],
                        Type::Int,
                        at,
                    )),
                    _ => None,
                }))
            }
            "len" if n == 1 && keywords.is_empty() => {
                let saved = std::mem::replace(&mut self.view_allowed, true);
                let e = self.expr(&args[0]);
                self.view_allowed = saved;
                Some(e.and_then(|e| match e.ty {
                    Type::Str | Type::List(_) => Some(match e.kind {
                        // `len(xs[a:b:k])` counts the slice without making it.
                        ExprKind::Runtime(RtFn::ListSlice | RtFn::StrSlice, mut parts) => {
                            let RtOperand::Value(seq) = parts.remove(0) else {
                                unreachable!("a slice's first operand is the sequence")
                            };
                            let n = mk(ExprKind::Len(Box::new(seq)), Type::Int, e.span);
                            parts.insert(0, val(n));
                            rt(RtFn::SliceLen, parts, Type::Int, e.span)
                        }
                        _ => mk(ExprKind::Len(Box::new(e)), Type::Int, span),
                    }),
                    Type::Dict(..) => Some(mk(ExprKind::Len(Box::new(e)), Type::Int, span)),
                    Type::Tuple(items) => {
                        let (id, _) = self.hidden(e.ty, span);
                        let n = int(items.len() as i64, span);
                        Some(Self::let_in(id, e, n))
                    }
                    t => {
                        self.error(
                            Diagnostic::error(
                                e.span,
                                format!("object of type `{}` has no len()", t.name()),
                            )
                            .with_label("len() of this"),
                        );
                        None
                    }
                }))
            }
            "sum" if (n == 1 || n == 2) && keywords.is_empty() => {
                let items = self.materialize_whole(&args[0]);
                let start = match args.get(1) {
                    Some(a) => self.expr(a).map(Some),
                    None => Some(None),
                };
                Some((|| {
                    let (items, start) = (items?, start?);
                    // CPython's bools are ints: `sum(flags)` counts the Trues.
                    let items = if elem(items.ty)? == Type::Bool {
                        self.bools_as_ints(items)
                    } else {
                        items
                    };
                    match elem(items.ty)? {
                        Type::Int => {
                            let start = match start {
                                Some(s) => self.expect_type(s, Type::Int, "the start")?,
                                None => int(0, span),
                            };
                            Some(rt(
                                RtFn::ListSumInt,
                                vec![val(items), val(start)],
                                Type::Int,
                                span,
                            ))
                        }
                        Type::Float => {
                            // CPython returns the start itself for an empty list:
                            // an explicit int start then raises instead (a value
                            // of another type); without a start the result is
                            // 0.0 where CPython gives the int 0 (README, limits).
                            let (f, start) = match start {
                                Some(s) if s.ty == Type::Int => {
                                    (RtFn::ListSumFloatNonEmpty, super::promote(s))
                                }
                                Some(s) => (
                                    RtFn::ListSumFloat,
                                    self.expect_type(s, Type::Float, "the start")?,
                                ),
                                None => (
                                    RtFn::ListSumFloat,
                                    mk(ExprKind::Float(0.0), Type::Float, span),
                                ),
                            };
                            Some(rt(f, vec![val(items), val(start)], Type::Float, span))
                        }
                        t => {
                            self.error(
                                Diagnostic::error(
                                    items.span,
                                    format!("sum() of `{}` items", t.name()),
                                )
                                .with_label("not numbers")
                                .with_help("sum() adds ints or floats"),
                            );
                            None
                        }
                    }
                })())
            }
            "min" | "max" if n == 1 && !keywords.is_empty() => {
                Some(self.min_max_with(span, name == "max", &args[0], keywords))
            }
            "min" | "max" if keywords.is_empty() && n >= 1 => {
                let is_max = mk(ExprKind::Bool(name == "max"), Type::Bool, span);
                if n == 1 {
                    let items = self.materialize_whole(&args[0]);
                    return Some(items.and_then(|items| {
                        let item = elem(items.ty)?;
                        Some(rt(
                            RtFn::ListMinMax,
                            vec![val(items), val(is_max)],
                            item,
                            span,
                        ))
                    }));
                }
                // Several values: scalars are compared inline (see `builtin`).
                let first = self.expr(&args[0])?;
                if !first.ty.is_heap() {
                    return None;
                }
                let list = self.list_display(span, args, Some(first.ty));
                Some(list.map(|items| {
                    rt(
                        RtFn::ListMinMax,
                        vec![val(items), val(is_max)],
                        first.ty,
                        span,
                    )
                }))
            }
            // `list()` and `dict()`: empty displays, typed as `[]` and `{}` are.
            "list" if n == 0 && keywords.is_empty() => Some(self.list_display(span, &[], None)),
            "dict" if n == 0 && keywords.is_empty() => Some(self.dict_display(span, &[], None)),
            "dict" if n == 1 && keywords.is_empty() => Some(self.dict_of(span, &args[0])),
            "list" if n == 1 && keywords.is_empty() => {
                let direct = !matches!(&args[0].kind, A::Call { .. });
                let items = self.materialize_whole(&args[0]);
                Some(items.map(|items| match (&items.kind, direct) {
                    (_, true) if matches!(items.ty, Type::List(_)) => {
                        let ty = items.ty;
                        rt(RtFn::ListCopy, vec![val(items)], ty, span)
                    }
                    (ExprKind::Local(_), _) => {
                        let ty = items.ty;
                        rt(RtFn::ListCopy, vec![val(items)], ty, span)
                    }
                    _ => items,
                }))
            }
            "any" | "all"
                if n == 1
                    && keywords.is_empty()
                    && matches!(args[0].kind, A::GeneratorExp { .. }) =>
            {
                let A::GeneratorExp { elt, generators } = &args[0].kind else {
                    unreachable!("matched above")
                };
                Some(self.any_of(span, elt, generators, name == "all"))
            }
            "any" | "all" if n == 1 && keywords.is_empty() => {
                // any(xs) is `True in [bool(x) ...]`; all(xs) is `False not in ...`.
                let items = self.materialize(&args[0]);
                Some(items.and_then(|items| {
                    let item = elem(items.ty)?;
                    let flags = if item == Type::Bool {
                        items
                    } else {
                        let (xl, x) = self.hidden(item, span);
                        let truth = self.truthy(x);
                        let clause = Clause::For(Pattern::Local(xl), Iter::List(Box::new(items)));
                        list_comprehension(truth, vec![clause], span)
                    };
                    let probe = mk(ExprKind::Bool(name == "any"), Type::Bool, span);
                    Some(mk(
                        ExprKind::Contains(Box::new(probe), Box::new(flags), name == "all"),
                        Type::Bool,
                        span,
                    ))
                }))
            }
            "map" | "filter" => {
                // Lazy: calls interleave with whatever reads it.
                self.error(unsupported(
                    span,
                    &format!("`{name}(...)` here"),
                    "it is read lazily: pass `map` to list(), sum(), min(), max(), sorted() or join(), or write a comprehension",
                ));
                Some(None)
            }
            "enumerate" | "zip" | "reversed" | "range" => {
                // As a value CPython gives a lazy iterator, not a list.
                self.error(unsupported(
                    span,
                    &format!("`{name}(...)` as a value"),
                    &format!("loop over it with `for`, or make a list: `list({name}(...))`"),
                ));
                Some(None)
            }
            _ => None,
        }
    }

    /// `+`, `*` on strings and lists.
    pub(super) fn heap_binary(
        &mut self,
        span: Span,
        op: ArithOp,
        l: Expr,
        r: Expr,
    ) -> Option<Expr> {
        let ty = l.ty;
        match (op, l.ty, r.ty) {
            (ArithOp::Add, Type::Str, Type::Str) => Some(str_sum(l, r, span)),
            (ArithOp::Add, Type::List(_), _) if l.ty == r.ty => {
                Some(rt(RtFn::ListConcat, vec![val(l), val(r)], ty, span))
            }
            (ArithOp::Mul, Type::Str, Type::Int) => {
                Some(rt(RtFn::StrRepeat, vec![val(l), val(r)], Type::Str, span))
            }
            (ArithOp::Mul, Type::Int, Type::Str) => {
                // CPython evaluates the int first, then the str: already done.
                Some(rt(RtFn::StrRepeat, vec![val(r), val(l)], Type::Str, span))
            }
            (ArithOp::Mul, Type::List(_), Type::Int) => {
                Some(rt(RtFn::ListRepeat, vec![val(l), val(r)], ty, span))
            }
            (ArithOp::Mul, Type::Int, Type::List(_)) => {
                let ty = r.ty;
                Some(rt(RtFn::ListRepeat, vec![val(r), val(l)], ty, span))
            }
            _ => None,
        }
    }
}

/// Unary `math` functions, by the code the runtime's `roast_rt_math` takes.
pub(super) const MATH_UNARY: [&str; 19] = [
    "sqrt", "floor", "ceil", "trunc", "fabs", "sin", "cos", "tan", "asin", "acos", "atan", "exp",
    "log", "log2", "log10", "isnan", "isinf", "isfinite", "sinh",
];

/// Integer `math` functions, by the code `roast_rt_int_math` takes (the
/// runtime numbers `bit_length` 6 and `bit_count` 7 after them).
pub(super) const INT_MATH: [&str; 6] = ["gcd", "lcm", "isqrt", "comb", "perm", "factorial"];

/// Binary `math` functions, by the code `roast_rt_math2` takes.
pub(super) const MATH_BINARY: [&str; 5] = ["pow", "atan2", "hypot", "log", "fmod"];

/// Whether values of `ty` have an order (`<`).
pub(super) fn orderable(ty: Type) -> bool {
    match ty {
        Type::Int | Type::Float | Type::Bool | Type::Str => true,
        Type::List(i) => orderable(*i),
        Type::Tuple(items) => items.iter().all(|t| orderable(*t)),
        _ => false,
    }
}

/// `l + r` for two strings. A chain `a + b + c` (or a sum with an
/// f-string) becomes one [`ExprKind::Concat`] of all the parts, evaluated
/// left to right as CPython does and appended to one new string; a lone
/// `a + b` is one runtime concatenation, which allocates exactly once.
fn str_sum(l: Expr, r: Expr, span: Span) -> Expr {
    let mut parts = Vec::new();
    for e in [l, r] {
        match e.kind {
            ExprKind::Concat(ps) => parts.extend(ps),
            ExprKind::Runtime(RtFn::StrConcat, ops) => {
                parts.extend(ops.into_iter().map(|op| match op {
                    RtOperand::Value(x) => x,
                    _ => unreachable!("str_sum: two str values"),
                }));
            }
            _ => parts.push(e),
        }
    }
    match <[Expr; 2]>::try_from(parts) {
        Ok([a, b]) => rt(RtFn::StrConcat, vec![val(a), val(b)], Type::Str, span),
        Err(parts) => concat(parts, span),
    }
}

/// For the value `e` of an assignment to the `str` local `id`: when `e` is
/// `id + a + ...`, the rest `a + ...`, so that `s = s + t` appends in place
/// as `s += t` does (CPython does the same); otherwise `e` itself.
pub(super) fn appended_to(id: LocalId, e: Expr) -> Result<Expr, Expr> {
    let reads_first = |first: &Expr| matches!(first.kind, ExprKind::Local(l) if l == id);
    match e.kind {
        ExprKind::Runtime(RtFn::StrConcat, mut ops) if matches!(&ops[0], RtOperand::Value(first) if reads_first(first)) => {
            match ops.pop() {
                Some(RtOperand::Value(rest)) => Ok(rest),
                _ => unreachable!("str_sum: two str values"),
            }
        }
        ExprKind::Concat(mut parts) if reads_first(&parts[0]) => {
            parts.remove(0);
            Ok(concat(parts, e.span))
        }
        kind => Err(Expr { kind, ..e }),
    }
}

/// The concatenation of `parts` (an empty string when there are none).
fn concat(mut parts: Vec<Expr>, span: Span) -> Expr {
    match parts.len() {
        0 => string("", span),
        1 => parts.remove(0),
        _ => mk(ExprKind::Concat(parts), Type::Str, span),
    }
}

/// The runtime's packed form of `spec` for values of type `ty`, when the
/// spec is a literal that parses (one that does not keeps its text, so
/// formatting raises CPython's error for it).
fn packed_spec(spec: &Expr, ty: Type) -> Option<u64> {
    use roast_runtime::py::format::{pack_spec, SpecTarget};
    let ExprKind::Str(text) = &spec.kind else {
        return None;
    };
    let target = match ty {
        Type::Int => SpecTarget::Int,
        Type::Bool => SpecTarget::Bool,
        Type::Float => SpecTarget::Float,
        Type::Str => SpecTarget::Str,
        _ => return None,
    };
    pack_spec(text, target)
}

/// A piece of a `%` format string.
enum PercentField {
    /// Text copied as it is (`%%` already made `%`).
    Text(String),
    /// A conversion of the next value: its letter and the format spec
    /// (without the type letter) its flags, width and precision make.
    Value { conversion: char, spec: String },
}

/// The fields of a printf-style format, or why Roast does not take it
/// (mapping keys, `*` widths, precision on integer conversions, and what
/// CPython itself rejects).
fn parse_percent(fmt: &str) -> Result<Vec<PercentField>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek() {
            if !"-+ #0".contains(f) {
                break;
            }
            flags.push(f);
            chars.next();
        }
        let mut width = String::new();
        let mut precision = None;
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            precision = Some(if p.is_empty() { "0".to_string() } else { p });
        }
        while matches!(chars.peek(), Some('h' | 'l' | 'L')) {
            chars.next();
        }
        let conversion = match chars.next() {
            None => return Err("incomplete format".to_string()),
            Some('%') if flags.is_empty() && width.is_empty() && precision.is_none() => {
                text.push('%');
                continue;
            }
            Some('(') => return Err("mapping keys (`%(name)s`) are not supported".to_string()),
            Some('*') => return Err("`*` widths are not supported".to_string()),
            Some(c) if "srcdiufFeEgGxXo".contains(c) => c,
            Some(c) => return Err(format!("unsupported format character {c:?}")),
        };
        if precision.is_some() && "diuxXoc".contains(conversion) {
            return Err(format!("a precision on `%{conversion}` is not supported"));
        }
        let text_like = "src".contains(conversion);
        let mut spec = String::new();
        if flags.contains('-') {
            spec.push('<');
        } else if !flags.contains('0') || text_like {
            spec.push('>');
        }
        if !text_like {
            if flags.contains('+') {
                spec.push('+');
            } else if flags.contains(' ') {
                spec.push(' ');
            }
            if flags.contains('#') {
                spec.push('#');
            }
            if flags.contains('0') && !flags.contains('-') {
                spec.push('0');
            }
        }
        if width.is_empty() {
            // No width: no alignment needed (nor allowed beside `0`).
            spec.retain(|c| c != '<' && c != '>');
        }
        spec.push_str(&width);
        if let Some(p) = precision {
            spec.push('.');
            spec.push_str(&p);
        }
        out.push(PercentField::Text(std::mem::take(&mut text)));
        out.push(PercentField::Value { conversion, spec });
    }
    out.push(PercentField::Text(text));
    out.retain(|f| !matches!(f, PercentField::Text(t) if t.is_empty()));
    Ok(out)
}

/// The names a comprehension target binds.
fn comprehension_names(target: &ast::Expr, out: &mut Vec<String>) {
    match &target.kind {
        A::Name(n) => out.push(n.clone()),
        A::Tuple(items) | A::List(items) => items.iter().for_each(|i| comprehension_names(i, out)),
        _ => {}
    }
}
