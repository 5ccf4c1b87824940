//! Lowering of heap values: reference counting, containers, iteration.
//!
//! Ownership rules (docs/runtime-abi.md): every heap local is null or owns
//! one reference. Runtime functions and Roast functions borrow their
//! arguments and return new references. A new reference produced inside a
//! statement lives in a temporary listed in `Builder::owned` until the
//! statement ends (or until it is moved into a local or container). Every
//! way out of a function releases every heap local but the returned one and
//! the parameters the function never reassigns (those stay borrowed).

use super::{
    local, BasicBlock, BinOp, BlockId, Builder, CheckedOp, FloatCond, IntCond, LocalId, Operand,
    RtArg, RtFn, Rvalue, Statement, Terminator, UnOp,
};
use crate::diag::Span;
use crate::hir::{self, Clause, CmpOp, ExprKind, Iter, Pattern, RtOperand, Type};
use crate::rtabi::{Param, Ret};
use roast_runtime::{ExcKind, INT_OVERFLOW_MESSAGE, MATH_DOMAIN_MESSAGE, MATH_RANGE_MESSAGE};
use std::collections::HashSet;

/// Offset of a `str`'s length in bytes.
pub(super) const STR_BYTES: i32 = 16;
/// Offset of a `str`'s code-point count.
pub(super) const STR_CHARS: i32 = 24;
/// Offset of a `str`'s capacity in bytes.
const STR_CAP: i32 = 32;
/// Offset of a `str`'s UTF-8 bytes.
pub(super) const STR_TEXT: i32 = 40;
/// Offset of a list's and a dict's length.
pub(super) const LEN: i32 = 16;
/// Whether a `str` value `e` may well be one character, so that appending
/// it is worth an inline test for a one-byte append (`s += ch`): a
/// variable (a loop's character), a character of a string, `chr()`, a
/// one-character literal. Values from elsewhere (a list's item, a
/// method's or function's result) are rarely one character.
fn may_be_one_char(e: &hir::Expr) -> bool {
    match &e.kind {
        ExprKind::Str(text) => text.chars().count() == 1,
        ExprKind::Local(_) | ExprKind::Global(_) => true,
        ExprKind::Runtime(RtFn::StrGetItem | RtFn::Chr, _) => true,
        ExprKind::Let(_, _, body) => may_be_one_char(body),
        _ => false,
    }
}

/// The items an empty list display or a comprehension has room for when
/// made (as many as Rust's `Vec` makes room for at its first push).
const FIRST_ROOM: usize = 4;
/// Offset of the first item of a tuple, and of a box's value.
pub(super) const ITEMS: i32 = 16;
/// Offset of a list's capacity (in items).
const LIST_CAP: i32 = 24;
/// Offset of a list's item buffer.
pub(super) const LIST_DATA: i32 = 32;

/// A produced item: one value, or the parts of a tuple not yet built.
pub(super) enum Item {
    /// A value of a type.
    One(Operand, Type),
    /// Tuple parts.
    Many(Vec<Item>),
}

impl Item {
    fn ty(&self) -> Type {
        match self {
            Item::One(_, t) => *t,
            Item::Many(parts) => {
                let types: Vec<Type> = parts.iter().map(Item::ty).collect();
                Type::tuple(&types)
            }
        }
    }
}

/// What one loop over an [`Iter`] keeps between iterations.
enum IterState {
    Range {
        next: LocalId,
        stop: Operand,
        step: Operand,
        done: LocalId,
    },
    Seq {
        seq: Operand,
        index: LocalId,
        ty: Type,
    },
    Reversed {
        seq: Operand,
        index: LocalId,
        ty: Type,
    },
    Dict {
        dict: Operand,
        pos: LocalId,
        cur: LocalId,
        size: LocalId,
        view: u8,
        ty: Type,
        span: Span,
    },
    /// The words of `text.split()`, found one at a time (no list):
    /// `start` is where the next one starts, `pos` where the search for it
    /// begins.
    Words {
        text: Operand,
        pos: LocalId,
        start: LocalId,
    },
    /// The characters of `text`, front to back: `pos` is the byte offset
    /// of the next one (so each step costs the same, whatever the text).
    Chars {
        text: Operand,
        pos: LocalId,
    },
    /// `enumerate`: the next count, and — unless the count starts at a
    /// constant no feasible number of steps takes past i64 — whether
    /// making it overflowed (raised when an item needs it, where CPython's
    /// count goes past i64).
    Enumerate {
        inner: Box<IterState>,
        count: LocalId,
        wrapped: Option<LocalId>,
        span: Span,
    },
    Zip(Vec<IterState>),
}

/// The operands `x` and `y` (locals) when `items` are the int `x // y`
/// and `x % y`, as `divmod(x, y)` makes them.
fn int_divmod_operands(items: &[hir::Expr]) -> Option<(Operand, Operand)> {
    let [first, second] = items else {
        return None;
    };
    let operands = |e: &hir::Expr, want: hir::ArithOp| match &e.kind {
        ExprKind::Arith(op, x, y) if *op == want && e.ty == Type::Int => match (&x.kind, &y.kind) {
            (ExprKind::Local(x), ExprKind::Local(y)) => Some((*x, *y)),
            _ => None,
        },
        _ => None,
    };
    let quotient = operands(first, hir::ArithOp::FloorDiv)?;
    (operands(second, hir::ArithOp::Mod)? == quotient).then(|| {
        (
            Operand::Local(local(quotient.0)),
            Operand::Local(local(quotient.1)),
        )
    })
}

/// The `math` function a `roast_rt_math` call's operands name, when MIR
/// lowers it itself ([`Builder::math_unary`]).
fn inline_math(ops: &[RtOperand]) -> Option<&'static str> {
    let [RtOperand::Value(code), _] = ops else {
        return None;
    };
    let ExprKind::Int(c) = code.kind else {
        return None;
    };
    crate::check::math_unary_name(c).filter(|n| {
        matches!(
            *n,
            "sqrt" | "fabs" | "sin" | "cos" | "tan" | "atan" | "exp" | "log"
        )
    })
}

/// Adds the releases to every block that leaves the function, and returns
/// the function's *frame*: the heap locals that own their references (all
/// but borrowed parameters and borrowed temporaries). Codegen keeps the
/// frame in memory, so one `ReleaseFrame` on each way out releases whatever
/// the frame holds, and the frame's locals need no SSA values across blocks.
pub(super) fn insert_cleanup(
    blocks: &mut [BasicBlock],
    locals: &mut Vec<(String, Type)>,
    params: &[LocalId],
    borrowed_temps: &HashSet<LocalId>,
) -> Vec<LocalId> {
    // Parameters the body writes are owned: take a reference on entry.
    let written: HashSet<LocalId> = blocks
        .iter()
        .flat_map(|b| &b.statements)
        .flat_map(Statement::assigned)
        .collect();
    let mut borrowed: HashSet<LocalId> = params
        .iter()
        .copied()
        .filter(|p| !written.contains(p))
        .collect();
    borrowed.extend(borrowed_temps);
    let frame: Vec<LocalId> = (0..locals.len())
        .map(|i| LocalId(i as u32))
        .filter(|l| locals[l.0 as usize].1.is_heap() && !borrowed.contains(l))
        .collect();
    let entry: Vec<Statement> = params
        .iter()
        .filter(|p| written.contains(p) && locals[p.0 as usize].1.is_heap())
        .map(|p| Statement::IncRef(Operand::Local(*p)))
        .collect();
    if let Some(first) = blocks.first_mut() {
        first.statements.splice(0..0, entry);
    }
    for b in blocks.iter_mut() {
        match b.terminator {
            Terminator::Return(ref values) if matches!(values[..], [Operand::Local(k)] if frame.contains(&k)) =>
            {
                let [Operand::Local(k)] = values[..] else {
                    unreachable!("matched: one local")
                };
                // The returned reference leaves the frame before it is released.
                let out = super::new_temp(locals, locals[k.0 as usize].1);
                b.statements
                    .push(Statement::Assign(out, Rvalue::Use(Operand::Local(k))));
                b.statements
                    .push(Statement::Assign(k, Rvalue::Use(Operand::Int(0))));
                b.statements.push(Statement::ReleaseFrame);
                b.terminator = Terminator::Return(vec![Operand::Local(out)]);
            }
            Terminator::Return(_) | Terminator::Raise { .. } | Terminator::Propagate => {
                b.statements.push(Statement::ReleaseFrame);
            }
            _ => {}
        }
    }
    frame
}

pub(super) fn val(op: Operand) -> RtArg {
    RtArg::Value(op)
}

impl Builder<'_> {
    /// Releases the statement temporaries created since `mark`.
    pub(super) fn release_temps(&mut self, mark: usize) {
        let temps: Vec<LocalId> = self.owned.drain(mark..).collect();
        if self.terminated() {
            return;
        }
        for t in temps {
            self.push(Statement::DecRef(t));
        }
    }

    /// A temporary of type `ty` that holds a new reference until the
    /// statement ends.
    pub(super) fn owned_temp(&mut self, ty: Type) -> LocalId {
        let t = self.temp(ty);
        if ty.is_heap() {
            self.owned.push(t);
        }
        t
    }

    /// Whether `v` is a statement temporary holding a reference.
    fn is_owned(&self, v: Operand) -> bool {
        matches!(v, Operand::Local(l) if self.owned.contains(&l))
    }

    /// `e`'s value as a reference the caller owns (for heap types): moved
    /// out of a temporary, or a new reference to a borrowed value.
    pub(super) fn expr_owned(&mut self, e: &hir::Expr) -> Operand {
        let v = self.expr(e);
        self.owned_copy(v, e.ty)
    }

    fn owned_copy(&mut self, v: Operand, ty: Type) -> Operand {
        if !ty.is_heap() {
            return v;
        }
        let t = self.temp(ty);
        self.push(Statement::Assign(t, Rvalue::Use(v)));
        if self.is_owned(v) {
            if let Operand::Local(l) = v {
                self.owned.retain(|o| *o != l);
                self.push(Statement::Assign(l, Rvalue::Use(Operand::Int(0))));
            }
        } else {
            self.push(Statement::IncRef(Operand::Local(t)));
        }
        t.into()
    }

    /// Moves an owned value (from [`Builder::owned_copy`], or a statement
    /// temporary) into `dest`, which holds nothing: the source temporary is
    /// cleared, with nothing left for the statement's end to release.
    pub(super) fn move_to(&mut self, dest: LocalId, v: Operand) {
        self.push(Statement::Assign(dest, Rvalue::Use(v)));
        if let Operand::Local(t) = v {
            self.owned.retain(|o| *o != t);
            self.push(Statement::Assign(t, Rvalue::Use(Operand::Int(0))));
        }
    }

    /// Assigns an owned value to a local, releasing its old value.
    pub(super) fn store_local(&mut self, dest: LocalId, v: Operand, ty: Type) {
        if ty.is_heap() {
            self.push(Statement::DecRef(dest));
            self.move_to(dest, v);
        } else {
            self.push(Statement::Assign(dest, Rvalue::Use(v)));
        }
    }

    /// Calls runtime function `f`: `Ctx` and `Site` parameters are filled
    /// in, the others come from `args` in order. A heap result is owned.
    pub(super) fn call_rt(&mut self, f: RtFn, args: Vec<RtArg>, ty: Type, span: Span) -> Operand {
        let mut args = args.into_iter();
        let mut full = Vec::new();
        for p in f.params() {
            match p {
                Param::Ctx => full.push(RtArg::Ctx),
                Param::Site => full.push(RtArg::Site(span)),
                _ => full.push(args.next().expect("checker: runtime call arity")),
            }
        }
        let dest = (f.ret() != Ret::Void).then(|| self.owned_temp(ty));
        self.push(Statement::Runtime {
            dest,
            func: f,
            args: full,
        });
        if f.may_raise() {
            let pending = self.assign(Type::Bool, Rvalue::Pending);
            self.propagate_if(pending);
        }
        dest.map_or(Operand::Bool(false), Operand::Local)
    }

    /// Lowers the heap expression forms.
    pub(super) fn heap_expr(&mut self, e: &hir::Expr) -> Operand {
        let span = e.span;
        match &e.kind {
            ExprKind::Runtime(RtFn::ListGetItem, ops) => {
                let [RtOperand::Value(list), RtOperand::Value(index)] = ops.as_slice() else {
                    unreachable!("checker: list[index]")
                };
                let l = self.list_for_item(list, e.ty, &[index]);
                let i = self.expr(index);
                self.list_get(l, i, e.ty, span)
            }
            ExprKind::Runtime(RtFn::StrGetItem, ops) => {
                let [RtOperand::Value(text), RtOperand::Value(index)] = ops.as_slice() else {
                    unreachable!("checker: str[index]")
                };
                let (t, i) = (self.expr(text), self.expr(index));
                self.str_get(t, i, span)
            }
            ExprKind::Runtime(RtFn::Ord, ops) => {
                let [RtOperand::Value(text)] = ops.as_slice() else {
                    unreachable!("checker: ord(text)")
                };
                self.ord(text, span)
            }
            ExprKind::Runtime(
                f @ (RtFn::StrIsdigit
                | RtFn::StrIsdecimal
                | RtFn::StrIsnumeric
                | RtFn::StrIsalpha
                | RtFn::StrIsalnum
                | RtFn::StrIslower
                | RtFn::StrIsupper
                | RtFn::StrIsspace),
                ops,
            ) => {
                let [RtOperand::Value(text)] = ops.as_slice() else {
                    unreachable!("checker: text.isdigit()")
                };
                self.char_class(*f, text)
            }
            ExprKind::Runtime(RtFn::MathUnary, ops) if inline_math(ops).is_some() => {
                let [_, RtOperand::Value(x)] = ops.as_slice() else {
                    unreachable!("matched above")
                };
                let x = self.expr(x);
                self.math_unary(inline_math(ops).expect("matched above"), x, span)
            }
            ExprKind::Runtime(RtFn::Chr, ops) => {
                let [RtOperand::Value(code)] = ops.as_slice() else {
                    unreachable!("checker: chr(code)")
                };
                let code = self.expr(code);
                self.chr(code, span)
            }
            ExprKind::Runtime(RtFn::ListExtend, ops) => {
                let [RtOperand::Value(list), RtOperand::Value(more)] = ops.as_slice() else {
                    unreachable!("checker: list.extend(items)")
                };
                let l = self.expr(list);
                self.extend_by(l, more, span);
                Operand::Bool(false)
            }
            ExprKind::Runtime(RtFn::DictSetDefault, ops) if matches!(ops.as_slice(), [_, _, RtOperand::Value(x)] if makes_empty_container(x)) =>
            {
                let [RtOperand::Value(d), RtOperand::Value(k), RtOperand::Value(default)] =
                    ops.as_slice()
                else {
                    unreachable!("matched above")
                };
                self.setdefault_made(d, k, default, e.ty, span)
            }
            ExprKind::Runtime(f @ (RtFn::ListSumInt | RtFn::ListSumFloat), ops)
                if matches!(ops.as_slice(), [RtOperand::Value(items), RtOperand::Value(start)]
                    if summed_comprehension(items, start).is_some()) =>
            {
                let [RtOperand::Value(items), RtOperand::Value(start)] = ops.as_slice() else {
                    unreachable!("matched above")
                };
                let (elem, clauses) = summed_comprehension(items, start).expect("matched above");
                self.sum_of_comprehension(*f == RtFn::ListSumInt, elem, clauses, start, span)
            }
            ExprKind::Runtime(RtFn::ListConcat, ops) if matches!(ops.as_slice(), [RtOperand::Value(a), _] if makes_new_list(a)) =>
            {
                // `a + b` where `a` makes a new list nobody else sees:
                // extended in place, it is the sum.
                let [RtOperand::Value(a), RtOperand::Value(b)] = ops.as_slice() else {
                    unreachable!("matched above")
                };
                let sum = self.expr(a);
                self.extend_by(sum, b, span);
                sum
            }
            ExprKind::Runtime(RtFn::ListRepeat, ops) if matches!(ops.as_slice(), [RtOperand::Value(l), _] if hir::single_plain_item(l).is_some()) =>
            {
                // `[x] * n`: made filled, without the one-item list.
                let [RtOperand::Value(l), RtOperand::Value(n)] = ops.as_slice() else {
                    unreachable!("matched above")
                };
                let item = self.expr(hir::single_plain_item(l).expect("matched above"));
                let n = self.expr(n);
                self.call_rt(
                    RtFn::ListFill,
                    vec![RtArg::Desc(e.ty), val(item), val(n)],
                    e.ty,
                    span,
                )
            }
            ExprKind::Runtime(RtFn::ListPop, ops) if matches!(ops.as_slice(), [_, RtOperand::Value(i), _] if matches!(i.kind, ExprKind::Int(-1))) =>
            {
                let [RtOperand::Value(list), ..] = ops.as_slice() else {
                    unreachable!("matched above")
                };
                let l = self.list_for_item(list, e.ty, &[]);
                self.list_pop_last(l, e.ty, span)
            }
            ExprKind::Runtime(RtFn::ListAppend, ops) => {
                let [RtOperand::Value(list), RtOperand::Value(item)] = ops.as_slice() else {
                    unreachable!("checker: list.append(item)")
                };
                let l = self.list_for_item(list, item.ty, &[item]);
                let v = self.expr(item);
                self.list_append(l, v, item.ty, span);
                Operand::Bool(false)
            }
            ExprKind::Runtime(f, ops) => {
                let mut args = Vec::new();
                for op in ops {
                    args.push(match op {
                        RtOperand::Value(x) => val(self.expr(x)),
                        RtOperand::Desc(t) => RtArg::Desc(*t),
                        RtOperand::Null => val(Operand::Int(0)),
                    });
                }
                self.call_rt(*f, args, e.ty, span)
            }
            ExprKind::List(items) => {
                // Room for a few items in an empty list: most get some,
                // and the first then needs no call to grow the buffer.
                let room = if items.is_empty() {
                    FIRST_ROOM
                } else {
                    items.len()
                };
                let list = self.call_rt(
                    RtFn::ListNew,
                    vec![RtArg::Desc(e.ty), val(Operand::Int(room as i64))],
                    e.ty,
                    span,
                );
                for item in items {
                    let v = self.expr(item);
                    self.call_rt(RtFn::ListAppend, vec![val(list), val(v)], Type::None, span);
                }
                list
            }
            ExprKind::Dict(items) => {
                let dict = self.call_rt(RtFn::DictNew, vec![RtArg::Desc(e.ty)], e.ty, span);
                for (k, v) in items {
                    let kv = self.expr(k);
                    let vv = self.expr(v);
                    self.dict_store(dict, kv, vv, span);
                }
                dict
            }
            ExprKind::Tuple(items) => {
                let values: Vec<(Operand, Type)> =
                    items.iter().map(|i| (self.expr_owned(i), i.ty)).collect();
                self.build_tuple(e.ty, values, span)
            }
            ExprKind::TupleItem(t, k) => {
                if let ExprKind::Local(l) = t.kind {
                    if let Some(items) = self.unboxed.get(&local(l)) {
                        return Operand::Local(items[*k]);
                    }
                }
                let base = self.expr(t);
                self.assign(
                    e.ty,
                    Rvalue::Load {
                        base,
                        offset: ITEMS + 8 * *k as i32,
                    },
                )
            }
            ExprKind::Len(x) => {
                let base = self.expr(x);
                let offset = if x.ty == Type::Str { STR_CHARS } else { LEN };
                self.load_word(base, offset)
            }
            ExprKind::Wrap(x) => {
                let v = self.expr(x);
                if x.ty.is_heap() {
                    v
                } else {
                    self.call_rt(RtFn::BoxNew, vec![RtArg::Desc(e.ty), val(v)], e.ty, span)
                }
            }
            ExprKind::Unwrap(x) => {
                let v = self.expr(x);
                let missing = self.assign(
                    Type::Bool,
                    Rvalue::Binary(BinOp::ICmp(IntCond::Eq), v, Operand::Int(0)),
                );
                self.raise_if(
                    missing,
                    ExcKind::RuntimeError,
                    "internal error: None where the checker proved a value",
                    span,
                );
                if e.ty.is_heap() {
                    v
                } else {
                    self.assign(
                        e.ty,
                        Rvalue::Load {
                            base: v,
                            offset: ITEMS,
                        },
                    )
                }
            }
            ExprKind::IsNone(x, negate) => {
                let v = self.expr(x);
                let cond = if *negate { IntCond::Ne } else { IntCond::Eq };
                self.assign(
                    Type::Bool,
                    Rvalue::Binary(BinOp::ICmp(cond), v, Operand::Int(0)),
                )
            }
            ExprKind::HeapCompare(op, l, r) => {
                if let Some(r) = self.compare_chars(*op, l, r) {
                    return r;
                }
                if let CmpOp::Eq | CmpOp::Ne = op {
                    // `s == s[::-1]`: no reversed copy (nothing can raise).
                    let eq = match reversed_copy_of(l, r).or(reversed_copy_of(r, l)) {
                        Some(text) => {
                            let s = self.expr(text);
                            let args = vec![RtArg::Value(s)];
                            Some(self.call_rt(RtFn::StrPalindrome, args, Type::Bool, span))
                        }
                        None => self.compare_char_at(l, r),
                    };
                    if let Some(eq) = eq {
                        return match op {
                            CmpOp::Eq => eq,
                            _ => self.assign(Type::Bool, Rvalue::Unary(UnOp::Not, eq)),
                        };
                    }
                }
                let (a, b) = (self.expr(l), self.expr(r));
                self.heap_compare(*op, a, b, l.ty)
            }
            ExprKind::Contains(item, container, negate) => {
                let r = match self.in_ascii_set(item, container, span) {
                    Some(r) => r,
                    None => {
                        let iv = self.expr(item);
                        let (f, cv) = match &container.kind {
                            // `k in d.keys()`, `(k, v) in d.items()`: one
                            // lookup in the dict, no list of its keys.
                            ExprKind::Runtime(f @ (RtFn::DictKeys | RtFn::DictItems), ops) => {
                                let [RtOperand::Value(d), ..] = ops.as_slice() else {
                                    unreachable!("checker: d.keys()")
                                };
                                let f = match f {
                                    RtFn::DictKeys => RtFn::DictContains,
                                    _ => RtFn::DictContainsItem,
                                };
                                (f, self.expr(d))
                            }
                            _ => {
                                let f = match container.ty {
                                    Type::Str => RtFn::StrContains,
                                    Type::List(_) => RtFn::ListContains,
                                    _ => RtFn::DictContains,
                                };
                                (f, self.expr(container))
                            }
                        };
                        self.call_rt(f, vec![val(cv), val(iv)], Type::Bool, span)
                    }
                };
                if *negate {
                    self.assign(Type::Bool, Rvalue::Unary(UnOp::Not, r))
                } else {
                    r
                }
            }
            ExprKind::Concat(parts) => {
                // A fresh string with room for the literal text and a few
                // bytes per field, appended to in place.
                let room: usize = parts
                    .iter()
                    .map(|p| match &p.kind {
                        ExprKind::Str(text) => text.len(),
                        _ => 8,
                    })
                    .sum();
                let builder = self.call_rt(
                    RtFn::StrBuilder,
                    vec![val(Operand::Int(room as i64))],
                    Type::Str,
                    span,
                );
                let Operand::Local(mut acc) = builder else {
                    unreachable!("call_rt: a local")
                };
                for p in parts {
                    acc = self.append_part(acc, p);
                }
                Operand::Local(acc)
            }
            ExprKind::Let(id, value, body) => {
                let v = self.expr_owned(value);
                self.store_local(local(*id), v, value.ty);
                self.expr(body)
            }
            ExprKind::Comprehension { elem, key, clauses } => {
                let (result, sink) = match key {
                    Some(k) => {
                        let d = self.call_rt(RtFn::DictNew, vec![RtArg::Desc(e.ty)], e.ty, span);
                        (d, Sink::Dict(d, k))
                    }
                    None => {
                        let l = self.call_rt(
                            RtFn::ListNew,
                            vec![RtArg::Desc(e.ty), val(Operand::Int(FIRST_ROOM as i64))],
                            e.ty,
                            span,
                        );
                        (l, Sink::List(l))
                    }
                };
                self.comprehension(&sink, elem, clauses, span);
                result
            }
            ExprKind::AnyOf { elem, clauses, all } => {
                // Nothing found: `False` for `any`, `True` for `all`.
                let result = self.temp(Type::Bool);
                self.push(Statement::Assign(result, Rvalue::Use(Operand::Bool(*all))));
                let exit = self.new_block();
                let sink = Sink::Find {
                    result,
                    all: *all,
                    exit,
                    outer: self.owned.len(),
                };
                self.comprehension(&sink, elem, clauses, span);
                self.goto(exit);
                self.switch_to(exit);
                Operand::Local(result)
            }
            other => unreachable!("checker: unexpected expression {other:?}"),
        }
    }

    /// `a == b` for two strings: the same object, or lengths that differ,
    /// or one byte each, decided without a call; the runtime compares the
    /// rest.
    pub(super) fn str_eq(&mut self, a: Operand, b: Operand) -> Operand {
        let r = self.temp(Type::Bool);
        let join = self.new_block();
        let identical = self.compare_ints(IntCond::Eq, a, b);
        self.decide_if(identical, r, Rvalue::Use(Operand::Bool(true)), join);
        let (la, lb) = (self.load_word(a, STR_BYTES), self.load_word(b, STR_BYTES));
        let unequal = self.compare_ints(IntCond::Ne, la, lb);
        self.decide_if(unequal, r, Rvalue::Use(Operand::Bool(false)), join);
        let one = self.compare_ints(IntCond::Eq, la, Operand::Int(1));
        let byte = |at| Rvalue::LoadByte {
            base: at,
            offset: STR_TEXT,
            index: Operand::Int(0),
        };
        let (single, longer) = (self.new_block(), self.new_block());
        self.branch(one, single, longer);
        self.switch_to(single);
        let (x, y) = (
            self.assign(Type::Int, byte(a)),
            self.assign(Type::Int, byte(b)),
        );
        self.push(Statement::Assign(
            r,
            Rvalue::Binary(BinOp::ICmp(IntCond::Eq), x, y),
        ));
        self.goto(join);
        self.switch_to(longer);
        let args = vec![val(a), val(b), RtArg::Desc(Type::Str)];
        let v = self.call_rt(RtFn::Eq, args, Type::Bool, Span::default());
        self.push(Statement::Assign(r, Rvalue::Use(v)));
        self.goto(join);
        self.switch_to(join);
        Operand::Local(r)
    }

    /// Where `cond` holds, `r = value` and on to `join`; the lowering goes
    /// on in a new block where it does not.
    pub(super) fn decide_if(&mut self, cond: Operand, r: LocalId, value: Rvalue, join: BlockId) {
        let (yes, no) = (self.new_block(), self.new_block());
        self.branch(cond, yes, no);
        self.switch_to(yes);
        self.push(Statement::Assign(r, value));
        self.goto(join);
        self.switch_to(no);
    }

    /// `a op b` for two heap values of type `ty`, by the runtime.
    pub(super) fn heap_compare(&mut self, op: CmpOp, a: Operand, b: Operand, ty: Type) -> Operand {
        if let (CmpOp::Eq | CmpOp::Ne, Type::Str) = (op, ty) {
            let eq = self.str_eq(a, b);
            return match op {
                CmpOp::Eq => eq,
                _ => self.assign(Type::Bool, Rvalue::Unary(UnOp::Not, eq)),
            };
        }
        let (f, x, y, negate) = match op {
            CmpOp::Eq => (RtFn::Eq, a, b, false),
            CmpOp::Ne => (RtFn::Eq, a, b, true),
            CmpOp::Lt => (RtFn::Lt, a, b, false),
            CmpOp::Le => (RtFn::Le, a, b, false),
            CmpOp::Gt => (RtFn::Lt, b, a, false),
            CmpOp::Ge => (RtFn::Le, b, a, false),
        };
        let args = vec![val(x), val(y), RtArg::Desc(ty)];
        let r = self.call_rt(f, args, Type::Bool, Span::default());
        if negate {
            self.assign(Type::Bool, Rvalue::Unary(UnOp::Not, r))
        } else {
            r
        }
    }

    /// `acc += v` for an owned string temporary `acc`, where `v` is the
    /// value of `part`; returns the result.
    fn append_owned(&mut self, acc: Operand, v: Operand, part: &hir::Expr) -> Operand {
        let Operand::Local(a) = acc else {
            return acc;
        };
        self.owned.retain(|o| *o != a);
        let r = self.owned_temp(Type::Str);
        self.str_iadd_into(r, a, v, may_be_one_char(part));
        self.push(Statement::Assign(a, Rvalue::Use(Operand::Int(0))));
        Operand::Local(r)
    }

    /// `acc + part` for an owned string `acc` (consumed): an f-string
    /// field is formatted straight onto `acc`.
    fn append_part(&mut self, acc: LocalId, part: &hir::Expr) -> LocalId {
        let span = part.span;
        let (f, args) = match &part.kind {
            ExprKind::Runtime(RtFn::Str, ops) => match ops.as_slice() {
                [RtOperand::Value(x), RtOperand::Desc(t)] => {
                    let x = self.expr(x);
                    (RtFn::StrAppendStr, vec![val(x), RtArg::Desc(*t)])
                }
                _ => unreachable!("checker: str(x)"),
            },
            // The spec as text, or packed when compiled.
            ExprKind::Runtime(f @ (RtFn::Format | RtFn::FormatPacked), ops) => {
                let [RtOperand::Value(x), RtOperand::Desc(t), RtOperand::Value(spec)] =
                    ops.as_slice()
                else {
                    unreachable!("checker: format(x, spec)")
                };
                let append = match f {
                    RtFn::Format => RtFn::StrAppendFormat,
                    _ => RtFn::StrAppendPacked,
                };
                let x = self.expr(x);
                let spec = self.expr(spec);
                (append, vec![val(x), RtArg::Desc(*t), val(spec)])
            }
            _ => {
                let v = self.expr(part);
                let Operand::Local(r) = self.append_owned(Operand::Local(acc), v, part) else {
                    unreachable!("append_owned: a local")
                };
                return r;
            }
        };
        self.owned.retain(|o| *o != acc);
        let mut full = vec![val(Operand::Local(acc))];
        full.extend(args);
        let r = self.call_rt(f, full, Type::Str, span);
        self.push(Statement::Assign(acc, Rvalue::Use(Operand::Int(0))));
        let Operand::Local(r) = r else {
            unreachable!("call_rt: a local")
        };
        r
    }

    /// A new tuple of type `ty` from owned item values.
    pub(super) fn build_tuple(
        &mut self,
        ty: Type,
        values: Vec<(Operand, Type)>,
        span: Span,
    ) -> Operand {
        let tuple = self.call_rt(RtFn::TupleNew, vec![RtArg::Desc(ty)], ty, span);
        for (i, (v, t)) in values.into_iter().enumerate() {
            self.push(Statement::Store {
                base: tuple,
                offset: ITEMS + 8 * i as i32,
                value: v,
            });
            if let (true, Operand::Local(l)) = (t.is_heap(), v) {
                self.push(Statement::Assign(l, Rvalue::Use(Operand::Int(0))));
            }
        }
        tuple
    }

    /// Python truthiness of a heap value.
    pub(super) fn heap_truth(&mut self, v: Operand, ty: Type) -> Operand {
        match ty {
            Type::Str | Type::List(_) | Type::Dict(..) => {
                let offset = if ty == Type::Str { STR_CHARS } else { LEN };
                let len = self.load_word(v, offset);
                self.assign(
                    Type::Bool,
                    Rvalue::Binary(BinOp::ICmp(IntCond::Ne), len, Operand::Int(0)),
                )
            }
            Type::Tuple(_) => Operand::Bool(true),
            Type::Optional(inner) => {
                let result = self.temp(Type::Bool);
                let present = self.assign(
                    Type::Bool,
                    Rvalue::Binary(BinOp::ICmp(IntCond::Ne), v, Operand::Int(0)),
                );
                self.push(Statement::Assign(result, Rvalue::Use(present)));
                let (some, join) = (self.new_block(), self.new_block());
                self.branch(present, some, join);
                self.switch_to(some);
                let inner_v = if inner.is_heap() {
                    v
                } else {
                    self.assign(
                        *inner,
                        Rvalue::Load {
                            base: v,
                            offset: ITEMS,
                        },
                    )
                };
                let t = self.truth(inner_v, *inner);
                self.push(Statement::Assign(result, Rvalue::Use(t)));
                self.goto(join);
                self.switch_to(join);
                Operand::Local(result)
            }
            _ => Operand::Bool(false),
        }
    }

    /// `a and b` / `a or b` of heap values.
    pub(super) fn heap_and_or(&mut self, is_and: bool, l: &hir::Expr, r: &hir::Expr) -> Operand {
        let result = self.owned_temp(l.ty);
        let lv = self.expr(l);
        let truth = self.truth(lv, l.ty);
        let lo = self.owned_copy(lv, l.ty);
        self.move_to(result, lo);
        let (rhs, join) = (self.new_block(), self.new_block());
        if is_and {
            self.branch(truth, rhs, join);
        } else {
            self.branch(truth, join, rhs);
        }
        self.switch_to(rhs);
        self.push(Statement::DecRef(result));
        let rv = self.expr_owned(r);
        self.move_to(result, rv);
        self.goto(join);
        self.switch_to(join);
        Operand::Local(result)
    }

    /// `t if c else f` of a heap type.
    pub(super) fn heap_if_exp(&mut self, c: &hir::Expr, t: &hir::Expr, f: &hir::Expr) -> Operand {
        let result = self.owned_temp(t.ty);
        let cv = self.expr(c);
        let (tb, fb, join) = (self.new_block(), self.new_block(), self.new_block());
        self.branch(cv, tb, fb);
        for (block, e) in [(tb, t), (fb, f)] {
            self.switch_to(block);
            let v = self.expr_owned(e);
            self.move_to(result, v);
            self.goto(join);
        }
        self.switch_to(join);
        Operand::Local(result)
    }

    /// The address of this thread's module variables.
    pub(super) fn globals_base(&mut self) -> Operand {
        let base = match self.globals_base {
            Some(b) => b,
            None => {
                let b = self.temp(Type::Int);
                self.globals_base = Some(b);
                b
            }
        };
        Operand::Local(base)
    }

    /// Assigns module variable `slot`, releasing the value it held.
    pub(super) fn set_global(&mut self, slot: u32, e: &hir::Expr) {
        let v = self.expr_owned(e);
        let base = self.globals_base();
        let offset = 8 * slot as i32;
        if e.ty.is_heap() {
            let old = self.temp(e.ty);
            self.push(Statement::Assign(old, Rvalue::Load { base, offset }));
            self.push(Statement::DecRef(old));
        }
        self.push(Statement::Store {
            base,
            offset,
            value: v,
        });
        if let (true, Operand::Local(t)) = (e.ty.is_heap(), v) {
            self.push(Statement::Assign(t, Rvalue::Use(Operand::Int(0))));
        }
    }

    /// `s += t` for a `str` local: the local's reference moves into the
    /// runtime, which appends in place when nothing else holds the string.
    pub(super) fn str_append(&mut self, target: LocalId, e: &hir::Expr) {
        let parts = match &e.kind {
            ExprKind::Concat(parts) => parts.as_slice(),
            _ => std::slice::from_ref(e),
        };
        if parts.iter().all(|p| leaves_alone(p, target)) {
            // `s += f"..."`, `s += str(x)`, `s = s + a + b`: each part
            // goes straight onto `s` (in place when `s` is not shared),
            // no temporary string. Nothing the parts compute can read
            // `s`, which is empty meanwhile.
            let mut acc = self.temp(Type::Str);
            self.push(Statement::Assign(acc, Rvalue::Use(Operand::Local(target))));
            self.push(Statement::Assign(target, Rvalue::Use(Operand::Int(0))));
            self.owned.push(acc);
            for p in parts {
                acc = self.append_part(acc, p);
            }
            self.owned.retain(|o| *o != acc);
            self.push(Statement::Assign(target, Rvalue::Use(Operand::Local(acc))));
            self.push(Statement::Assign(acc, Rvalue::Use(Operand::Int(0))));
            return;
        }
        let mut v = self.expr(e);
        if v == Operand::Local(target) {
            v = self.owned_copy(v, Type::Str);
            if let Operand::Local(t) = v {
                self.owned.push(t);
            }
        }
        let moved = self.temp(Type::Str);
        self.push(Statement::Assign(
            moved,
            Rvalue::Use(Operand::Local(target)),
        ));
        self.push(Statement::Assign(target, Rvalue::Use(Operand::Int(0))));
        self.str_iadd_into(target, moved, v, may_be_one_char(e));
        self.push(Statement::Assign(moved, Rvalue::Use(Operand::Int(0))));
    }

    /// `dest = acc + v` for strs, consuming `acc`'s reference: when `v`
    /// may be one character ([`may_be_one_char`]), a one-byte `v` is
    /// written into `acc` in place when nothing else holds `acc` and its
    /// buffer has room (no call: `s += ch`), and the runtime, called from
    /// a cold block, appends otherwise; any other `v` goes straight to the
    /// runtime (which appends in place too when it can). The caller
    /// clears `acc`.
    fn str_iadd_into(&mut self, dest: LocalId, acc: LocalId, v: Operand, one_char_test: bool) {
        let a = Operand::Local(acc);
        if !one_char_test {
            self.push(Statement::Runtime {
                dest: Some(dest),
                func: RtFn::StrIadd,
                args: vec![val(a), val(v)],
            });
            return;
        }
        let count = self.load_word(a, 0);
        let unique = self.compare_ints(IntCond::Eq, count, Operand::Int(1));
        let v_len = self.load_word(v, STR_BYTES);
        let one_byte = self.compare_ints(IntCond::Eq, v_len, Operand::Int(1));
        let len = self.load_word(a, STR_BYTES);
        let cap = self.load_word(a, STR_CAP);
        let room = self.compare_ints(IntCond::ULt, len, cap);
        let both = self.assign(Type::Bool, Rvalue::Binary(BinOp::And, unique, one_byte));
        let fits = self.assign(Type::Bool, Rvalue::Binary(BinOp::And, both, room));
        let (fast, slow, join) = (self.new_block(), self.new_cold_block(), self.new_block());
        self.branch(fits, fast, slow);
        self.switch_to(fast);
        let byte = self.assign(
            Type::Int,
            Rvalue::LoadByte {
                base: v,
                offset: STR_TEXT,
                index: Operand::Int(0),
            },
        );
        self.push(Statement::StoreByte {
            base: a,
            offset: STR_TEXT,
            index: len,
            value: byte,
        });
        // A one-byte str is one ASCII character.
        let chars = self.load_word(a, STR_CHARS);
        for (offset, old) in [(STR_BYTES, len), (STR_CHARS, chars)] {
            let value = self.assign(Type::Int, Rvalue::Binary(BinOp::IAdd, old, Operand::Int(1)));
            self.push(Statement::Store {
                base: a,
                offset,
                value,
            });
        }
        self.push(Statement::Assign(dest, Rvalue::Use(a)));
        self.goto(join);
        self.switch_to(slow);
        self.push(Statement::Runtime {
            dest: Some(dest),
            func: RtFn::StrIadd,
            args: vec![val(a), val(v)],
        });
        self.goto(join);
        self.switch_to(join);
    }

    pub(super) fn set_item(
        &mut self,
        container: &hir::Expr,
        index: &hir::Expr,
        value: &hir::Expr,
        span: Span,
    ) {
        if let Some((op, rhs)) = in_place_update(container, index, value) {
            return self.dict_update(container, index, value, op, rhs, value, span);
        }
        let c = match container.ty {
            Type::List(elem) => self.list_for_item(container, *elem, &[index, value]),
            _ => self.expr(container),
        };
        let i = self.expr(index);
        let v = self.expr(value);
        match container.ty {
            Type::List(elem) => self.list_set(c, i, v, *elem, span),
            _ => self.dict_store(c, i, v, span),
        }
    }

    /// `list`, evaluated for reading or writing one of its items of type
    /// `elem` while `then` is evaluated: where `list` is an item itself
    /// (`rows[i]` of `rows[i][j] = v`), the item is scalar and `then`
    /// harmless, the row is borrowed from its container with no reference
    /// taken, as nothing that runs meanwhile can free it.
    fn list_for_item(&mut self, list: &hir::Expr, elem: Type, then: &[&hir::Expr]) -> Operand {
        let row = match &list.kind {
            ExprKind::Runtime(RtFn::ListGetItem, ops) => match ops.as_slice() {
                [RtOperand::Value(outer), RtOperand::Value(index)] => Some((outer, index)),
                _ => None,
            },
            _ => None,
        };
        let Some((outer, index)) =
            row.filter(|_| !elem.is_heap() && then.iter().all(|e| e.is_harmless()))
        else {
            return self.expr(list);
        };
        let (l, i) = (self.expr(outer), self.expr(index));
        let (data, index) = self.list_slot(l, i, "list index out of range", list.span);
        let t = self.temp(list.ty);
        self.borrowed.insert(t);
        self.push(Statement::Assign(t, Rvalue::LoadItem { data, index }));
        Operand::Local(t)
    }

    /// `d.setdefault(k, default)` where `default` makes an empty list or
    /// dict (see [`makes_empty_container`]): one lookup finds `k`'s value,
    /// and the default is made, and stored, only when `k` is absent.
    fn setdefault_made(
        &mut self,
        d: &hir::Expr,
        k: &hir::Expr,
        default: &hir::Expr,
        ty: Type,
        span: Span,
    ) -> Operand {
        let (dv, kv) = (self.expr(d), self.expr(k));
        let r = self.owned_temp(ty);
        let slot = self.call_rt(RtFn::DictSlot, vec![val(dv), val(kv)], Type::Int, span);
        let absent = self.compare_ints(IntCond::Eq, slot, Operand::Int(0));
        let (found, missing, join) = (self.new_block(), self.new_block(), self.new_block());
        self.branch(absent, missing, found);
        self.switch_to(found);
        self.push(Statement::Assign(
            r,
            Rvalue::Load {
                base: slot,
                offset: 0,
            },
        ));
        self.push(Statement::IncRef(Operand::Local(r)));
        self.goto(join);
        self.switch_to(missing);
        let made = self.expr(default);
        self.dict_store(dv, kv, made, span);
        self.move_to(r, made);
        self.goto(join);
        self.switch_to(join);
        Operand::Local(r)
    }

    /// `d[k] = v` by the runtime (which takes its own references).
    fn dict_store(&mut self, d: Operand, k: Operand, v: Operand, span: Span) {
        self.call_rt(
            RtFn::DictSetItem,
            vec![val(d), val(k), val(v)],
            Type::None,
            span,
        );
    }

    /// `d[k] = value` where `value` is `d[k] op rhs` or `d.get(k, x) op rhs`
    /// (see [`in_place_update`]): one lookup gives the address of `k`'s
    /// value word, which is read, combined with `rhs` (checked as written)
    /// and overwritten; a missing key takes the general path (`KeyError`,
    /// or the default stored as a new entry). Between the lookup and the
    /// write only `rhs`, a constant or local, is read: nothing can change
    /// the dict.
    #[allow(clippy::too_many_arguments)]
    fn dict_update(
        &mut self,
        container: &hir::Expr,
        index: &hir::Expr,
        value: &hir::Expr,
        op: hir::ArithOp,
        rhs: &hir::Expr,
        missing: &hir::Expr,
        span: Span,
    ) {
        let c = self.expr(container);
        let i = self.expr(index);
        let slot = self.call_rt(RtFn::DictSlot, vec![val(c), val(i)], Type::Int, span);
        let absent = self.assign(
            Type::Bool,
            Rvalue::Binary(BinOp::ICmp(IntCond::Eq), slot, Operand::Int(0)),
        );
        let (found, absent_block, join) = (self.new_block(), self.new_block(), self.new_block());
        self.branch(absent, absent_block, found);
        self.switch_to(found);
        let old = self.assign(
            value.ty,
            Rvalue::Load {
                base: slot,
                offset: 0,
            },
        );
        let y = self.expr(rhs);
        let new = if value.ty == Type::Float {
            self.float_arith(op, old, y, value.span)
        } else {
            self.int_arith(op, old, y, value.span)
        };
        self.push(Statement::Store {
            base: slot,
            offset: 0,
            value: new,
        });
        self.goto(join);
        self.switch_to(absent_block);
        let v = self.expr(missing);
        self.dict_store(c, i, v, span);
        self.goto(join);
        self.switch_to(join);
    }

    /// `list.append(v)` for an item of type `item`: stored in place (with
    /// a new reference for a heap item) while the buffer has room; the
    /// runtime grows it otherwise.
    fn list_append(&mut self, list: Operand, v: Operand, item: Type, span: Span) {
        // A statement temporary's reference moves into the list: no count
        // taken here and none released at the statement's end.
        let moved = match v {
            Operand::Local(t) if item.is_heap() && self.is_owned(v) => {
                self.owned.retain(|o| *o != t);
                Some(t)
            }
            _ => None,
        };
        let len = self.load_word(list, LEN);
        let cap = self.load_word(list, LIST_CAP);
        let full = self.assign(
            Type::Bool,
            Rvalue::Binary(BinOp::ICmp(IntCond::UGe), len, cap),
        );
        let (grow, room, join) = (self.new_cold_block(), self.new_block(), self.new_block());
        self.branch(full, grow, room);
        self.switch_to(grow);
        self.call_rt(RtFn::ListAppend, vec![val(list), val(v)], Type::None, span);
        if let Some(t) = moved {
            self.push(Statement::DecRef(t));
        }
        self.goto(join);
        self.switch_to(room);
        if item.is_heap() && moved.is_none() {
            self.push(Statement::IncRef(v));
        }
        let data = self.load_word(list, LIST_DATA);
        self.push(Statement::StoreItem {
            data,
            index: len,
            value: v,
        });
        if let Some(t) = moved {
            self.push(Statement::Assign(t, Rvalue::Use(Operand::Int(0))));
        }
        let longer = self.assign(Type::Int, Rvalue::Binary(BinOp::IAdd, len, Operand::Int(1)));
        self.push(Statement::Store {
            base: list,
            offset: LEN,
            value: longer,
        });
        self.goto(join);
        self.switch_to(join);
    }

    /// `list.extend(more)` where `more` is a list only read: `[x] * n`
    /// appends the copies of `x` and `src[a:b]` the run of `src`, with no
    /// list made of either; any other list is extended from.
    fn extend_by(&mut self, list: Operand, more: &hir::Expr, span: Span) {
        match &more.kind {
            ExprKind::Runtime(RtFn::ListRepeat, parts) if matches!(parts.as_slice(), [RtOperand::Value(l), _] if hir::single_plain_item(l).is_some()) =>
            {
                let [RtOperand::Value(l), RtOperand::Value(n)] = parts.as_slice() else {
                    unreachable!("matched above")
                };
                let item = self.expr(hir::single_plain_item(l).expect("matched above"));
                let n = self.expr(n);
                let args = vec![val(list), val(item), val(n)];
                self.call_rt(RtFn::ListExtendFill, args, Type::None, more.span);
            }
            ExprKind::Runtime(RtFn::ListSlice, parts) => {
                let mut args = vec![val(list)];
                for p in parts {
                    let RtOperand::Value(x) = p else {
                        unreachable!("checker: slice operands are values")
                    };
                    args.push(val(self.expr(x)));
                }
                self.call_rt(RtFn::ListExtendSlice, args, Type::None, more.span);
            }
            _ => {
                let m = self.expr(more);
                self.call_rt(RtFn::ListExtend, vec![val(list), val(m)], Type::None, span);
            }
        }
    }

    /// `math.<name>(x)` for a function [`inline_math`] names: CPython's
    /// error tests inline, then an instruction or a plain call to libm.
    fn math_unary(&mut self, name: &str, x: Operand, span: Span) -> Operand {
        let compare = |b: &mut Self, cond, a, c| {
            b.assign(Type::Bool, Rvalue::Binary(BinOp::FCmp(cond), a, c))
        };
        let libm = |b: &mut Self, f, x| b.call_rt(f, vec![val(x)], Type::Float, span);
        match name {
            "sqrt" => {
                // Raises for a negative argument only.
                let negative = compare(self, FloatCond::Lt, x, Operand::Float(0.0));
                self.raise_if(negative, ExcKind::ValueError, MATH_DOMAIN_MESSAGE, span);
                self.assign(Type::Float, Rvalue::Unary(UnOp::FSqrt, x))
            }
            "fabs" => self.assign(Type::Float, Rvalue::Unary(UnOp::FAbs, x)),
            "atan" => libm(self, RtFn::Atan, x),
            "sin" | "cos" | "tan" => {
                // NaN from an argument that is not: only an infinite one.
                let size = self.assign(Type::Float, Rvalue::Unary(UnOp::FAbs, x));
                let infinite = compare(self, FloatCond::Eq, size, Operand::Float(f64::INFINITY));
                self.raise_if(infinite, ExcKind::ValueError, MATH_DOMAIN_MESSAGE, span);
                let f = match name {
                    "sin" => RtFn::Sin,
                    "cos" => RtFn::Cos,
                    _ => RtFn::Tan,
                };
                libm(self, f, x)
            }
            "exp" => {
                // An infinity from a finite argument overflowed.
                let r = libm(self, RtFn::Exp, x);
                let huge = compare(self, FloatCond::Eq, r, Operand::Float(f64::INFINITY));
                let finite = compare(self, FloatCond::Ne, x, Operand::Float(f64::INFINITY));
                let overflow = self.assign(
                    Type::Bool,
                    Rvalue::Select(huge, finite, Operand::Bool(false)),
                );
                self.raise_if(overflow, ExcKind::OverflowError, MATH_RANGE_MESSAGE, span);
                r
            }
            _ => {
                // `log`: 0 and below raise; NaN and infinity are their own.
                let low = compare(self, FloatCond::Le, x, Operand::Float(0.0));
                self.raise_if(low, ExcKind::ValueError, MATH_DOMAIN_MESSAGE, span);
                libm(self, RtFn::Log, x)
            }
        }
    }

    /// The buffer and the position of `list[index]`, after CPython's
    /// bounds check (a negative index counts from the end).
    fn list_slot(
        &mut self,
        list: Operand,
        index: Operand,
        message: &str,
        span: Span,
    ) -> (Operand, Operand) {
        let len = self.load_word(list, LEN);
        let position = self.position(index, len);
        // Unsigned: a position still negative is huge, so outside too.
        let outside = self.assign(
            Type::Bool,
            Rvalue::Binary(BinOp::ICmp(IntCond::UGe), position, len),
        );
        self.raise_if(outside, ExcKind::IndexError, message, span);
        let data = self.load_word(list, LIST_DATA);
        (data, position)
    }

    /// The position `index` names in a sequence of `len` items: counted
    /// from the end when negative (still negative when it is below
    /// `-len`, which an unsigned comparison with `len` then rejects).
    pub(super) fn position(&mut self, index: Operand, len: Operand) -> Operand {
        if self.is_nonneg(index) {
            return index;
        }
        let negative = self.compare_ints(IntCond::SLt, index, Operand::Int(0));
        // Wraps only when `index` is not negative, and is then not chosen.
        let from_end = self.assign(Type::Int, Rvalue::Binary(BinOp::IAdd, index, len));
        self.assign(Type::Int, Rvalue::Select(negative, from_end, index))
    }

    /// `list[index]` without a runtime call: a new reference to the item.
    pub(super) fn list_get(
        &mut self,
        list: Operand,
        index: Operand,
        elem: Type,
        span: Span,
    ) -> Operand {
        let (data, index) = self.list_slot(list, index, "list index out of range", span);
        self.list_item(data, index, elem)
    }

    /// Item `index` of a list's item buffer `data`, the index already
    /// compared with the length: a new reference to the item.
    fn list_item(&mut self, data: Operand, index: Operand, elem: Type) -> Operand {
        let item = self.owned_temp(elem);
        self.push(Statement::Assign(item, Rvalue::LoadItem { data, index }));
        if elem.is_heap() {
            self.push(Statement::IncRef(Operand::Local(item)));
        }
        Operand::Local(item)
    }

    /// `list.pop()` without a runtime call: `IndexError` for an empty list,
    /// else the length one less and the last item, whose reference moves
    /// from the list to the result.
    fn list_pop_last(&mut self, list: Operand, elem: Type, span: Span) -> Operand {
        let len = self.load_word(list, LEN);
        let empty = self.compare_ints(IntCond::Eq, len, Operand::Int(0));
        self.raise_if(empty, ExcKind::IndexError, "pop from empty list", span);
        let last = self.assign(Type::Int, Rvalue::Binary(BinOp::ISub, len, Operand::Int(1)));
        let data = self.load_word(list, LIST_DATA);
        let item = self.owned_temp(elem);
        self.push(Statement::Assign(
            item,
            Rvalue::LoadItem { data, index: last },
        ));
        self.push(Statement::Store {
            base: list,
            offset: LEN,
            value: last,
        });
        Operand::Local(item)
    }

    /// `list[index] = value` without a runtime call (`value` is borrowed).
    fn list_set(&mut self, list: Operand, index: Operand, value: Operand, elem: Type, span: Span) {
        let (data, index) = self.list_slot(list, index, "list assignment index out of range", span);
        if !elem.is_heap() {
            self.push(Statement::StoreItem { data, index, value });
            return;
        }
        self.push(Statement::IncRef(value));
        let old = self.temp(elem);
        self.push(Statement::Assign(old, Rvalue::LoadItem { data, index }));
        self.push(Statement::StoreItem { data, index, value });
        self.push(Statement::DecRef(old));
    }

    pub(super) fn del_item(&mut self, container: &hir::Expr, index: &hir::Expr, span: Span) {
        let c = self.expr(container);
        let i = self.expr(index);
        let f = match container.ty {
            Type::List(_) => RtFn::ListDelItem,
            _ => RtFn::DictDelItem,
        };
        self.call_rt(f, vec![val(c), val(i)], Type::None, span);
    }

    /// The items of `e` as values, when `e` makes its tuple on the spot
    /// (nothing lowered otherwise): after bindings of hidden locals
    /// (`divmod(x, y)` is `q, r` of `x` and `y` bound once), a tuple
    /// display's items, each into a temporary, or what a call of a
    /// function returning its tuple's items returns — no tuple object.
    fn made_items(&mut self, e: &hir::Expr) -> Option<Vec<Item>> {
        let mut made = e;
        let mut lets = Vec::new();
        while let ExprKind::Let(id, value, body) = &made.kind {
            lets.push((*id, &**value));
            made = body;
        }
        // The locals holding the items: a tuple kept as its items, or
        // what a call returning items returns.
        let item_locals = match &made.kind {
            ExprKind::Local(l) if lets.is_empty() => self.unboxed.get(&local(*l)).cloned(),
            ExprKind::Call(id, args, order) if lets.is_empty() && super::returns_items(made.ty) => {
                Some(self.call(*id, args, order))
            }
            _ => None,
        };
        if let (Some(values), Type::Tuple(types)) = (item_locals, made.ty) {
            return Some(
                values
                    .into_iter()
                    .zip(types)
                    .map(|(v, t)| Item::One(Operand::Local(v), *t))
                    .collect(),
            );
        }
        let ExprKind::Tuple(items) = &made.kind else {
            return None;
        };
        for (id, value) in lets {
            let v = self.expr_owned(value);
            self.store_local(local(id), v, value.ty);
        }
        let divmod = int_divmod_operands(items);
        let mut values: Vec<Operand> = Vec::new();
        for item in items {
            let v = match (&values[..], divmod) {
                // `divmod` of ints: the remainder from the floor quotient,
                // `x - q * y`, exact in wrapping arithmetic (the true
                // remainder fits), with no second division or zero test.
                ([q], Some((x, y))) => {
                    let product = self.assign(Type::Int, Rvalue::Binary(BinOp::IMul, *q, y));
                    self.assign(Type::Int, Rvalue::Binary(BinOp::ISub, x, product))
                }
                _ => self.expr(item),
            };
            values.push(self.assign(item.ty, Rvalue::Use(v)));
        }
        Some(
            values
                .into_iter()
                .zip(items)
                .map(|(v, item)| Item::One(v, item.ty))
                .collect(),
        )
    }

    /// `a, b = e` where `e` makes its tuple on the spot ([`Self::made_items`]):
    /// the targets bound from its items. False (nothing lowered) for
    /// other values.
    pub(super) fn unpack_made_tuple(&mut self, pattern: &Pattern, e: &hir::Expr) -> bool {
        let Pattern::Tuple(targets) = pattern else {
            return false;
        };
        if !matches!(e.ty, Type::Tuple(items) if items.len() == targets.len()) {
            return false;
        }
        match self.made_items(e) {
            Some(parts) => {
                self.bind(pattern, Item::Many(parts));
                true
            }
            None => false,
        }
    }

    /// The items of `e`, a tuple of scalars (one the function being
    /// lowered returns item by item, one a callee takes as its items, one
    /// a local kept as its items is set to): made on the spot, the item
    /// locals of a tuple kept so, or read from the tuple.
    pub(super) fn tuple_items(&mut self, e: &hir::Expr) -> Vec<Operand> {
        if let Some(parts) = self.made_items(e) {
            return parts
                .into_iter()
                .map(|part| match part {
                    Item::One(v, _) => v,
                    Item::Many(_) => unreachable!("made items are values"),
                })
                .collect();
        }
        let tuple = self.expr(e);
        self.load_items(tuple, e.ty)
    }

    /// The items of the tuple object `tuple` of type `ty`, loaded.
    fn load_items(&mut self, tuple: Operand, ty: Type) -> Vec<Operand> {
        let Type::Tuple(types) = ty else {
            unreachable!("checker: a tuple")
        };
        types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                self.assign(
                    *t,
                    Rvalue::Load {
                        base: tuple,
                        offset: ITEMS + 8 * i as i32,
                    },
                )
            })
            .collect()
    }

    /// Binds an item to a pattern, moving owned values into the locals.
    pub(super) fn bind(&mut self, pattern: &Pattern, item: Item) {
        if let Pattern::Local(id) = pattern {
            if let Some(items) = self.unboxed.get(&local(*id)).cloned() {
                let values = match item {
                    Item::Many(parts) => parts
                        .into_iter()
                        .map(|p| match p {
                            Item::One(v, _) => v,
                            Item::Many(_) => unreachable!("items of scalars"),
                        })
                        .collect(),
                    Item::One(v, ty) => self.load_items(v, ty),
                };
                self.set_items(&items, values);
                return;
            }
        }
        match (pattern, item) {
            (Pattern::Local(id), Item::One(v, ty)) => {
                let v = self.owned_copy(v, ty);
                self.store_local(local(*id), v, ty);
            }
            (Pattern::Local(id), many @ Item::Many(_)) => {
                let ty = many.ty();
                let v = self.item_value(many, Span::default());
                let v = self.owned_copy(v, ty);
                self.store_local(local(*id), v, ty);
            }
            (Pattern::Tuple(pats), Item::Many(parts)) => {
                for (p, part) in pats.iter().zip(parts) {
                    self.bind(p, part);
                }
            }
            (Pattern::Tuple(pats), Item::One(v, Type::Tuple(types))) => {
                // Read every item before binding any (the tuple may be a
                // local the pattern rebinds).
                let items: Vec<Item> = types
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let x = self.assign(
                            *t,
                            Rvalue::Load {
                                base: v,
                                offset: ITEMS + 8 * i as i32,
                            },
                        );
                        Item::One(self.owned_copy(x, *t), *t)
                    })
                    .collect();
                for (p, item) in pats.iter().zip(items) {
                    if let Item::One(Operand::Local(l), t) = &item {
                        if t.is_heap() {
                            self.owned.push(*l);
                        }
                    }
                    self.bind(p, item);
                }
            }
            (Pattern::Tuple(_), Item::One(..)) => unreachable!("checker: tuple pattern"),
        }
    }

    /// An item as one value (building a tuple from parts).
    fn item_value(&mut self, item: Item, span: Span) -> Operand {
        match item {
            Item::One(v, _) => v,
            Item::Many(parts) => {
                let types: Vec<Type> = parts.iter().map(Item::ty).collect();
                let tuple_ty = Type::tuple(&types);
                let values: Vec<(Operand, Type)> = parts
                    .into_iter()
                    .map(|p| {
                        let t = p.ty();
                        let v = self.item_value(p, span);
                        (self.owned_copy(v, t), t)
                    })
                    .collect();
                self.build_tuple(tuple_ty, values, span)
            }
        }
    }

    /// `for pattern in iter: body else: orelse`.
    pub(super) fn for_each(
        &mut self,
        pattern: &Pattern,
        iter: &Iter,
        body: &[hir::Stmt],
        orelse: &[hir::Stmt],
    ) {
        let mark = self.owned.len();
        let state = self.iter_init(iter);
        let (take, latch, else_b, after) = (
            self.new_block(),
            self.new_block(),
            self.new_block(),
            self.new_block(),
        );
        let test = |b: &mut Self, then, exhausted| b.iter_test(&state, then, exhausted);
        self.enter_rotated(&test, take, else_b);
        let item_mark = self.owned.len();
        let item = self.iter_take(&state);
        self.bind(pattern, item);
        self.release_temps(item_mark);
        self.loops.push((latch, after));
        self.block(body);
        self.loops.pop();
        self.goto(latch);
        self.switch_to(latch);
        test(self, take, else_b);
        self.switch_to(else_b);
        self.block(orelse);
        self.goto(after);
        self.switch_to(after);
        self.release_temps(mark);
    }

    /// Fills `result` (a list or dict) from the comprehension's clauses.
    fn comprehension(&mut self, sink: &Sink<'_>, elem: &hir::Expr, clauses: &[Clause], span: Span) {
        let Some((first, rest)) = clauses.split_first() else {
            let mark = self.owned.len();
            match *sink {
                Sink::Dict(d, k) => {
                    let kv = self.expr(k);
                    let vv = self.expr(elem);
                    self.dict_store(d, kv, vv, span);
                }
                Sink::List(l) => {
                    let v = self.expr(elem);
                    self.list_append(l, v, elem.ty, span);
                }
                Sink::FloatSum(total) => {
                    let v = self.expr(elem);
                    self.push(Statement::Assign(
                        total,
                        Rvalue::Binary(BinOp::FAdd, Operand::Local(total), v),
                    ));
                }
                Sink::IntSum { low, high } => {
                    let v = self.expr(elem);
                    self.add_wide(low, high, v);
                }
                Sink::Find {
                    result,
                    all,
                    exit,
                    outer,
                } => {
                    let v = self.expr(elem);
                    let (found, next) = (self.new_block(), self.new_block());
                    if all {
                        self.branch(v, next, found);
                    } else {
                        self.branch(v, found, next);
                    }
                    // Out of every loop at once: what they hold is released
                    // here (each releases it itself when it ends).
                    self.switch_to(found);
                    let releases: Vec<Statement> = self.owned[outer..]
                        .iter()
                        .map(|&t| Statement::DecRef(t))
                        .collect();
                    for release in releases {
                        self.push(release);
                    }
                    self.push(Statement::Assign(result, Rvalue::Use(Operand::Bool(!all))));
                    self.goto(exit);
                    self.switch_to(next);
                }
            }
            self.release_temps(mark);
            return;
        };
        match first {
            Clause::If(cond) => {
                let mark = self.owned.len();
                let c = self.expr(cond);
                self.release_temps(mark);
                let (yes, join) = (self.new_block(), self.new_block());
                self.branch(c, yes, join);
                self.switch_to(yes);
                self.comprehension(sink, elem, rest, span);
                self.goto(join);
                self.switch_to(join);
            }
            Clause::For(pattern, Iter::Range(start, stop, step, range_span)) => {
                let mark = self.owned.len();
                let latch = self.new_block();
                let reserve = |b: &mut Self, length| {
                    if let (Sink::List(l), []) = (sink, rest) {
                        b.reserve(*l, length);
                    }
                };
                self.counted_loop((start, stop, step), *range_span, latch, reserve, |b, i| {
                    b.bind(pattern, Item::One(i, Type::Int));
                    b.comprehension(sink, elem, rest, span);
                });
                self.release_temps(mark);
            }
            Clause::For(pattern, iter) => {
                let mark = self.owned.len();
                let state = self.iter_init(iter);
                if let (
                    Sink::List(l),
                    [],
                    IterState::Seq {
                        seq,
                        ty: Type::List(_),
                        ..
                    },
                ) = (sink, rest, &state)
                {
                    // As many items as the list iterated has.
                    let count = self.load_word(*seq, LEN);
                    self.reserve(*l, count);
                }
                let (take, done) = (self.new_block(), self.new_block());
                let test = |b: &mut Self, then, exhausted| b.iter_test(&state, then, exhausted);
                self.enter_rotated(&test, take, done);
                let item_mark = self.owned.len();
                let item = self.iter_take(&state);
                self.bind(pattern, item);
                self.release_temps(item_mark);
                self.comprehension(sink, elem, rest, span);
                test(self, take, done);
                self.switch_to(done);
                self.release_temps(mark);
            }
        }
    }

    /// `sum([elem for ...], start)` of ints (`ints`) or floats without the
    /// list: each item is added as it is made, which nobody can tell from
    /// adding them afterwards (the additions cannot fail or be seen). Ints
    /// are added into two words, so that, as CPython's exact ints do, only
    /// a total outside 64 bits raises `OverflowError` (at the end).
    fn sum_of_comprehension(
        &mut self,
        ints: bool,
        elem: &hir::Expr,
        clauses: &[Clause],
        start: &hir::Expr,
        span: Span,
    ) -> Operand {
        let first = self.expr(start);
        let low = self.temp(if ints { Type::Int } else { Type::Float });
        self.push(Statement::Assign(low, Rvalue::Use(first)));
        if !ints {
            self.comprehension(&Sink::FloatSum(low), elem, clauses, span);
            return Operand::Local(low);
        }
        let high = self.temp(Type::Int);
        self.push(Statement::Assign(high, Rvalue::Use(Operand::Int(0))));
        self.comprehension(&Sink::IntSum { low, high }, elem, clauses, span);
        let outside = self.compare_ints(IntCond::Ne, Operand::Local(high), Operand::Int(0));
        self.raise_if(outside, ExcKind::OverflowError, INT_OVERFLOW_MESSAGE, span);
        Operand::Local(low)
    }

    /// `(high, low) += v` as a 128-bit sum whose low word is `low`: a
    /// wrapping addition, and `high` moved by the carry — one way or the
    /// other when the signed addition overflowed (the sign of the result
    /// differs from the signs of both operands).
    fn add_wide(&mut self, low: LocalId, high: LocalId, v: Operand) {
        let bin = |b: &mut Self, op, x, y| b.assign(Type::Int, Rvalue::Binary(op, x, y));
        let sum = bin(self, BinOp::IAdd, Operand::Local(low), v);
        let left = bin(self, BinOp::Xor, Operand::Local(low), sum);
        let right = bin(self, BinOp::Xor, v, sum);
        let flipped = bin(self, BinOp::And, left, right);
        let carried = bin(self, BinOp::SShr, flipped, Operand::Int(63));
        let sign = bin(self, BinOp::SShr, v, Operand::Int(63));
        let way = bin(self, BinOp::Or, sign, Operand::Int(1));
        let carry = bin(self, BinOp::And, carried, way);
        self.push(Statement::Assign(
            high,
            Rvalue::Binary(BinOp::IAdd, Operand::Local(high), carry),
        ));
        self.push(Statement::Assign(low, Rvalue::Use(sum)));
    }

    /// Room in `list` for `count` more items, before a loop that appends
    /// that many (`[f(x) for x in xs]` without a filter), so the list is
    /// not regrown on the way.
    fn reserve(&mut self, list: Operand, count: Operand) {
        self.call_rt(
            RtFn::ListReserve,
            vec![val(list), val(count)],
            Type::None,
            Span::default(),
        );
    }

    /// Evaluates what a loop iterates, once, before the loop.
    fn iter_init(&mut self, iter: &Iter) -> IterState {
        let zero = |b: &mut Self| {
            let t = b.temp(Type::Int);
            b.push(Statement::Assign(t, Rvalue::Use(Operand::Int(0))));
            t
        };
        match iter {
            Iter::Range(start, stop, step, span) => {
                let start = self.expr(start);
                let next = self.temp(Type::Int);
                self.push(Statement::Assign(next, Rvalue::Use(start)));
                let stop_v = self.expr(stop);
                let stop = self.assign(Type::Int, Rvalue::Use(stop_v));
                let step_v = self.expr(step);
                let step = self.assign(Type::Int, Rvalue::Use(step_v));
                let is_zero = self.assign(
                    Type::Bool,
                    Rvalue::Binary(BinOp::ICmp(IntCond::Eq), step, Operand::Int(0)),
                );
                self.raise_if(
                    is_zero,
                    ExcKind::ValueError,
                    "range() arg 3 must not be zero",
                    *span,
                );
                let done = self.temp(Type::Bool);
                self.push(Statement::Assign(done, Rvalue::Use(Operand::Bool(false))));
                IterState::Range {
                    next,
                    stop,
                    step,
                    done,
                }
            }
            Iter::List(e) if split_on_whitespace(e).is_some() => {
                let recv = split_on_whitespace(e).expect("matched");
                let text = self.iterated(recv);
                IterState::Words {
                    text,
                    pos: zero(self),
                    start: zero(self),
                }
            }
            Iter::Str(e) => {
                let text = self.iterated(e);
                IterState::Chars {
                    text,
                    pos: zero(self),
                }
            }
            Iter::List(e) => {
                let seq = self.iterated(e);
                // The position only counts up from 0.
                let index = zero(self);
                self.nonneg.insert(index);
                IterState::Seq {
                    seq,
                    index,
                    ty: e.ty,
                }
            }
            Iter::Reversed(e) => {
                let seq = self.iterated(e);
                let len = self.load_word(seq, LEN);
                let index = self.temp(Type::Int);
                self.push(Statement::Assign(
                    index,
                    Rvalue::Binary(BinOp::ISub, len, Operand::Int(1)),
                ));
                IterState::Reversed {
                    seq,
                    index,
                    ty: e.ty,
                }
            }
            Iter::DictKeys(e) | Iter::DictValues(e) | Iter::DictItems(e) => {
                let dict = self.iterated(e);
                let size = self.temp(Type::Int);
                self.push(Statement::Assign(
                    size,
                    Rvalue::Load {
                        base: dict,
                        offset: LEN,
                    },
                ));
                let view = match iter {
                    Iter::DictKeys(_) => 0,
                    Iter::DictValues(_) => 1,
                    _ => 2,
                };
                IterState::Dict {
                    dict,
                    pos: zero(self),
                    cur: zero(self),
                    size,
                    view,
                    ty: e.ty,
                    span: e.span,
                }
            }
            Iter::Enumerate(inner, start) => {
                let inner = self.iter_init(inner);
                let s = self.expr(start);
                let count = self.temp(Type::Int);
                self.push(Statement::Assign(count, Rvalue::Use(s)));
                // No list, string or dict has 2^60 items.
                let wrapped = match s {
                    Operand::Int(c) if c.unsigned_abs() < 1 << 62 => None,
                    _ => {
                        let wrapped = self.temp(Type::Bool);
                        self.push(Statement::Assign(
                            wrapped,
                            Rvalue::Use(Operand::Bool(false)),
                        ));
                        Some(wrapped)
                    }
                };
                IterState::Enumerate {
                    inner: Box::new(inner),
                    count,
                    wrapped,
                    span: start.span,
                }
            }
            Iter::Zip(parts) => IterState::Zip(parts.iter().map(|p| self.iter_init(p)).collect()),
        }
    }

    /// Jumps to `then` when the iteration has another item (every part is
    /// checked before any item is produced, so nothing is left
    /// half-taken), to `exhausted` otherwise.
    fn iter_test(&mut self, state: &IterState, then: BlockId, exhausted: BlockId) {
        self.iter_check(state, exhausted);
        self.goto(then);
    }

    /// Continues when the iteration has another item; jumps otherwise.
    fn iter_check(&mut self, state: &IterState, exhausted: super::BlockId) {
        let go = match state {
            IterState::Range {
                next,
                stop,
                step,
                done,
            } => {
                let more = self.new_block();
                self.branch(Operand::Local(*done), exhausted, more);
                self.switch_to(more);
                let i = Operand::Local(*next);
                let up = self.assign(
                    Type::Bool,
                    Rvalue::Binary(BinOp::ICmp(IntCond::SGt), *step, Operand::Int(0)),
                );
                let below = self.compare_ints(IntCond::SLt, i, *stop);
                let above = self.compare_ints(IntCond::SGt, i, *stop);
                self.assign(Type::Bool, Rvalue::Select(up, below, above))
            }
            IterState::Seq { seq, index, .. } => {
                let len = self.load_word(*seq, LEN);
                self.compare_ints(IntCond::SLt, Operand::Local(*index), len)
            }
            IterState::Reversed { seq, index, .. } => {
                let len = self.load_word(*seq, LEN);
                let i = Operand::Local(*index);
                let non_negative = self.compare_ints(IntCond::SGe, i, Operand::Int(0));
                let below = self.compare_ints(IntCond::SLt, i, len);
                self.assign(Type::Bool, Rvalue::Binary(BinOp::And, non_negative, below))
            }
            IterState::Dict {
                dict,
                pos,
                cur,
                size,
                span,
                ..
            } => {
                let len = self.load_word(*dict, LEN);
                let changed = self.compare_ints(IntCond::Ne, len, Operand::Local(*size));
                self.raise_if(
                    changed,
                    ExcKind::RuntimeError,
                    "dictionary changed size during iteration",
                    *span,
                );
                let found = self.call_rt(
                    RtFn::DictNext,
                    vec![val(*dict), val(Operand::Local(*pos))],
                    Type::Int,
                    *span,
                );
                self.push(Statement::Assign(*cur, Rvalue::Use(found)));
                self.compare_ints(IntCond::SGe, found, Operand::Int(0))
            }
            IterState::Chars { text, pos } => {
                let len = self.load_word(*text, STR_BYTES);
                self.compare_ints(IntCond::SLt, Operand::Local(*pos), len)
            }
            IterState::Words { text, pos, start } => {
                let found = self.call_rt(
                    RtFn::StrWordStart,
                    vec![val(*text), val(Operand::Local(*pos))],
                    Type::Int,
                    Span::default(),
                );
                self.push(Statement::Assign(*start, Rvalue::Use(found)));
                self.compare_ints(IntCond::SGe, found, Operand::Int(0))
            }
            IterState::Enumerate { inner, .. } => return self.iter_check(inner, exhausted),
            IterState::Zip(parts) => {
                for p in parts {
                    self.iter_check(p, exhausted);
                }
                return;
            }
        };
        let body = self.new_block();
        self.branch(go, body, exhausted);
        self.switch_to(body);
    }

    /// The value a loop iterates over: an owned reference, released with
    /// the loop's other temporaries.
    fn iterated(&mut self, e: &hir::Expr) -> Operand {
        let v = self.expr_owned(e);
        if let Operand::Local(l) = v {
            self.owned.push(l);
        }
        v
    }

    /// The int word at `offset` in the object `base` (a length, a buffer).
    pub(super) fn load_word(&mut self, base: Operand, offset: i32) -> Operand {
        self.assign(Type::Int, Rvalue::Load { base, offset })
    }

    pub(super) fn compare_ints(&mut self, cond: IntCond, a: Operand, b: Operand) -> Operand {
        self.assign(Type::Bool, Rvalue::Binary(BinOp::ICmp(cond), a, b))
    }

    /// The piece `f(text, at)` of a str (a character or a word starting at
    /// byte `at`), with `pos` set to the byte just after it.
    fn piece_at(&mut self, f: RtFn, text: Operand, at: LocalId, pos: LocalId) -> Item {
        let piece = self.call_rt(
            f,
            vec![val(text), val(Operand::Local(at))],
            Type::Str,
            Span::default(),
        );
        let bytes = self.load_word(piece, STR_BYTES);
        // Both at most the text's length: no overflow.
        self.push(Statement::Assign(
            pos,
            Rvalue::Binary(BinOp::IAdd, Operand::Local(at), bytes),
        ));
        Item::One(piece, Type::Str)
    }

    /// Produces the item [`Builder::iter_check`] found and advances.
    fn iter_take(&mut self, state: &IterState) -> Item {
        let span = Span::default();
        match state {
            IterState::Range {
                next, step, done, ..
            } => {
                let i = Operand::Local(*next);
                let value = self.assign(Type::Int, Rvalue::Use(i));
                let overflow = self.temp(Type::Bool);
                self.push(Statement::CheckedArith {
                    value: *next,
                    overflow,
                    op: CheckedOp::Add,
                    a: value,
                    b: *step,
                });
                // `i + step` leaving i64 means the range is exhausted.
                self.push(Statement::Assign(
                    *done,
                    Rvalue::Use(Operand::Local(overflow)),
                ));
                Item::One(value, Type::Int)
            }
            IterState::Seq { seq, index, ty } | IterState::Reversed { seq, index, ty } => {
                let i = Operand::Local(*index);
                let (v, item_ty) = match ty {
                    // Going forward, `iter_check` has just compared the
                    // position with the length, and nothing ran since.
                    Type::List(t) if matches!(state, IterState::Seq { .. }) => {
                        let data = self.load_word(*seq, LIST_DATA);
                        (self.list_item(data, i, **t), **t)
                    }
                    Type::List(t) => (self.list_get(*seq, i, **t, span), **t),
                    _ => unreachable!("checker: a list"),
                };
                let op = if matches!(state, IterState::Seq { .. }) {
                    BinOp::IAdd
                } else {
                    BinOp::ISub
                };
                self.push(Statement::Assign(
                    *index,
                    Rvalue::Binary(op, i, Operand::Int(1)),
                ));
                Item::One(v, item_ty)
            }
            IterState::Dict {
                dict,
                pos,
                cur,
                view,
                ty,
                span,
                ..
            } => {
                let found = Operand::Local(*cur);
                self.push(Statement::Assign(
                    *pos,
                    Rvalue::Binary(BinOp::IAdd, found, Operand::Int(1)),
                ));
                let Type::Dict(k, v) = ty else {
                    unreachable!("checker: dict");
                };
                let take = |b: &mut Self, f: RtFn, t: Type| {
                    Item::One(b.call_rt(f, vec![val(*dict), val(found)], t, *span), t)
                };
                match view {
                    0 => take(self, RtFn::DictKeyAt, **k),
                    1 => take(self, RtFn::DictValueAt, **v),
                    _ => {
                        let key = take(self, RtFn::DictKeyAt, **k);
                        Item::Many(vec![key, take(self, RtFn::DictValueAt, **v)])
                    }
                }
            }
            IterState::Chars { text, pos } => Item::One(self.next_char(*text, *pos), Type::Str),
            IterState::Words { text, pos, start } => {
                self.piece_at(RtFn::StrWordAt, *text, *start, *pos)
            }
            IterState::Enumerate {
                inner,
                count,
                wrapped,
                span,
            } => {
                if let Some(w) = wrapped {
                    let wrapped_now = Operand::Local(*w);
                    self.raise_if(
                        wrapped_now,
                        ExcKind::OverflowError,
                        INT_OVERFLOW_MESSAGE,
                        *span,
                    );
                }
                let n = self.assign(Type::Int, Rvalue::Use(Operand::Local(*count)));
                let item = self.iter_take(inner);
                // `count` stepped by itself, so the value ranges bound it.
                let (a, b) = (Operand::Local(*count), Operand::Int(1));
                self.push(match wrapped {
                    Some(w) => Statement::CheckedArith {
                        value: *count,
                        overflow: *w,
                        op: CheckedOp::Add,
                        a,
                        b,
                    },
                    None => Statement::Assign(*count, Rvalue::Binary(BinOp::IAdd, a, b)),
                });
                Item::Many(vec![Item::One(n, Type::Int), item])
            }
            IterState::Zip(parts) => Item::Many(parts.iter().map(|p| self.iter_take(p)).collect()),
        }
    }
}

impl From<LocalId> for Operand {
    fn from(l: LocalId) -> Operand {
        Operand::Local(l)
    }
}

/// Whether `a` and `b` are the same key expression with no effect: the
/// same local or constant, or tuple displays of such (`(x, y)`), so that
/// evaluating it once gives what evaluating each would.
fn same_plain_key(a: &hir::Expr, b: &hir::Expr) -> bool {
    match (&a.kind, &b.kind) {
        (ExprKind::Local(x), ExprKind::Local(y)) => x == y,
        (ExprKind::Int(x), ExprKind::Int(y)) => x == y,
        (ExprKind::Bool(x), ExprKind::Bool(y)) => x == y,
        (ExprKind::Str(x), ExprKind::Str(y)) => x == y,
        (ExprKind::Tuple(xs), ExprKind::Tuple(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same_plain_key(x, y))
        }
        _ => false,
    }
}

/// For `d[k] = value` (`container`, `index`): the operator and right
/// operand when `value` is `d[k] op y` (as `d[k] op= y` is checked) or
/// `d.get(k, x) op y`, with `d` a local, `k` a local or a tuple display
/// of locals and constants (`counts[(a, b)] += 1`, evaluated once), `x`
/// and `y` constants or locals, and `int` or `float` values, so that the
/// value can be updated where it is stored ([`Builder::dict_update`]).
fn in_place_update<'e>(
    container: &hir::Expr,
    index: &hir::Expr,
    value: &'e hir::Expr,
) -> Option<(hir::ArithOp, &'e hir::Expr)> {
    let (Type::Dict(_, v), ExprKind::Local(d)) = (container.ty, &container.kind) else {
        return None;
    };
    if !same_plain_key(index, index) {
        return None;
    }
    let ExprKind::Arith(op, current, rhs) = &value.kind else {
        return None;
    };
    let plain = |e: &hir::Expr| {
        matches!(
            e.kind,
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Local(_)
        )
    };
    let is = |op: &RtOperand, l: hir::LocalId| matches!(op, RtOperand::Value(e) if matches!(e.kind, ExprKind::Local(x) if x == l));
    let is_key = |op: &RtOperand| matches!(op, RtOperand::Value(e) if same_plain_key(e, index));
    let reads_entry = match &current.kind {
        ExprKind::Runtime(RtFn::DictGetItem, ops) => {
            matches!(ops.as_slice(), [a, b] if is(a, *d) && is_key(b))
        }
        ExprKind::Runtime(RtFn::DictGet, ops) => matches!(
            ops.as_slice(),
            [a, b, RtOperand::Value(x)] if is(a, *d) && is_key(b) && plain(x)
        ),
        _ => false,
    };
    let scalar = matches!(*v, Type::Int | Type::Float) && value.ty == *v;
    (reads_entry && scalar && plain(rhs)).then_some((*op, &**rhs))
}

/// `if k in d: d[k] op= y` / `else: d[k] = w` (or `if k not in d:` with
/// the arms the other way round), where `d[k] op= y` is an update in
/// place ([`in_place_update`]): one lookup finds the entry to update, or
/// that `w` must be stored.
pub(super) struct UpdateOrInsert<'e> {
    container: &'e hir::Expr,
    index: &'e hir::Expr,
    value: &'e hir::Expr,
    op: hir::ArithOp,
    rhs: &'e hir::Expr,
    missing: &'e hir::Expr,
    span: Span,
}

impl<'e> UpdateOrInsert<'e> {
    /// The statement `if cond: then else: orelse`, if it is one.
    pub(super) fn of(
        cond: &'e hir::Expr,
        then: &'e [hir::Stmt],
        orelse: &'e [hir::Stmt],
    ) -> Option<UpdateOrInsert<'e>> {
        let ExprKind::Contains(key, dict, negate) = &cond.kind else {
            return None;
        };
        let (present, absent) = if *negate {
            (orelse, then)
        } else {
            (then, orelse)
        };
        let same = |a: &hir::Expr, b: &hir::Expr| matches!((&a.kind, &b.kind), (ExprKind::Local(x), ExprKind::Local(y)) if x == y);
        let [hir::Stmt::SetItem {
            container,
            index,
            value,
            span,
        }] = present
        else {
            return None;
        };
        let [hir::Stmt::SetItem {
            container: c2,
            index: i2,
            value: missing,
            ..
        }] = absent
        else {
            return None;
        };
        let (op, rhs) = in_place_update(container, index, value)?;
        (same(container, dict)
            && same_plain_key(index, key)
            && same(c2, dict)
            && same_plain_key(i2, key))
        .then_some(UpdateOrInsert {
            container,
            index,
            value,
            op,
            rhs,
            missing,
            span: *span,
        })
    }
}

impl Builder<'_> {
    /// Lowers an [`UpdateOrInsert`] with one lookup.
    pub(super) fn update_or_insert(&mut self, u: UpdateOrInsert<'_>) {
        self.dict_update(
            u.container,
            u.index,
            u.value,
            u.op,
            u.rhs,
            u.missing,
            u.span,
        );
    }
}

/// Whether evaluating `e` never reads local `l` (conservatively: shapes
/// not listed here count as reading it).
pub(super) fn leaves_alone(e: &hir::Expr, l: LocalId) -> bool {
    let all = |es: &[hir::Expr]| es.iter().all(|x| leaves_alone(x, l));
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::NoneLit
        | ExprKind::Str(_)
        | ExprKind::Global(_) => true,
        ExprKind::Local(id) => local(*id) != l,
        ExprKind::Neg(x)
        | ExprKind::Invert(x)
        | ExprKind::Not(x)
        | ExprKind::Truthy(x)
        | ExprKind::IntToFloat(x)
        | ExprKind::FloatToInt(x)
        | ExprKind::BoolToInt(x)
        | ExprKind::Abs(x)
        | ExprKind::Len(x)
        | ExprKind::Wrap(x)
        | ExprKind::Unwrap(x)
        | ExprKind::IsNone(x, _)
        | ExprKind::TupleItem(x, _) => leaves_alone(x, l),
        ExprKind::Arith(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::HeapCompare(_, a, b)
        | ExprKind::Contains(a, b, _) => leaves_alone(a, l) && leaves_alone(b, l),
        ExprKind::IfExp(c, a, b) => leaves_alone(c, l) && leaves_alone(a, l) && leaves_alone(b, l),
        ExprKind::Compare(first, rest) => {
            leaves_alone(first, l) && rest.iter().all(|(_, x)| leaves_alone(x, l))
        }
        // A called function sees its arguments, never the caller's locals.
        ExprKind::Call(_, args, _) => all(args),
        ExprKind::MinMax(_, items)
        | ExprKind::List(items)
        | ExprKind::Tuple(items)
        | ExprKind::Concat(items) => all(items),
        ExprKind::Dict(pairs) => pairs
            .iter()
            .all(|(k, v)| leaves_alone(k, l) && leaves_alone(v, l)),
        ExprKind::Runtime(_, ops) => ops.iter().all(|o| match o {
            RtOperand::Value(x) => leaves_alone(x, l),
            RtOperand::Desc(_) | RtOperand::Null => true,
        }),
        ExprKind::Let(id, value, body) => {
            local(*id) != l && leaves_alone(value, l) && leaves_alone(body, l)
        }
        _ => false,
    }
}

/// `text` when `copy` is `text[::-1]` and `text` a local string.
fn reversed_copy_of<'e>(text: &'e hir::Expr, copy: &hir::Expr) -> Option<&'e hir::Expr> {
    let ExprKind::Local(x) = text.kind else {
        return None;
    };
    let ExprKind::Runtime(RtFn::StrSlice, ops) = &copy.kind else {
        return None;
    };
    let int = |o: &RtOperand| match o {
        RtOperand::Value(e) => match e.kind {
            ExprKind::Int(k) => Some(k),
            _ => None,
        },
        _ => None,
    };
    match ops.as_slice() {
        [RtOperand::Value(s), start, stop, step, mask]
            if matches!(s.kind, ExprKind::Local(y) if y == x)
                && (int(start), int(stop), int(step), int(mask))
                    == (Some(0), Some(0), Some(-1), Some(0b100)) =>
        {
            Some(text)
        }
        _ => None,
    }
}

/// The string of `e` when `e` is `text.split()` (whitespace, no limit).
fn split_on_whitespace(e: &hir::Expr) -> Option<&hir::Expr> {
    match &e.kind {
        ExprKind::Runtime(RtFn::StrSplit, ops) => match ops.as_slice() {
            [RtOperand::Value(text), RtOperand::Null, RtOperand::Value(limit), RtOperand::Desc(_)]
                if matches!(limit.kind, ExprKind::Int(-1)) =>
            {
                Some(text)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether `e` makes a new empty list or dict (`[]`, `{}`): making it
/// reads nothing and cannot fail, so nothing can tell whether, or when, it
/// was made.
fn makes_empty_container(e: &hir::Expr) -> bool {
    match &e.kind {
        ExprKind::List(items) => items.is_empty(),
        ExprKind::Dict(entries) => entries.is_empty(),
        _ => false,
    }
}

/// Where the items a comprehension makes go.
enum Sink<'e> {
    /// Appended to this list.
    List(Operand),
    /// Stored in this dict under the key expression.
    Dict(Operand, &'e hir::Expr),
    /// Added to this float.
    FloatSum(LocalId),
    /// Added to the 128-bit int `high * 2^64 + low` (see
    /// [`Builder::add_wide`]).
    IntSum { low: LocalId, high: LocalId },
    /// `any`/`all` of a generator: at the first item (a bool) that is true
    /// (false for `all`), `result` becomes `!all` and control leaves for
    /// `exit`, releasing the temporaries held from `owned[outer..]` on.
    Find {
        result: LocalId,
        all: bool,
        exit: BlockId,
        outer: usize,
    },
}

/// The item and clauses of `items` when `sum(items, start)` can add the
/// items as a comprehension makes them: `items` is a list comprehension
/// and `start` a literal (evaluated after the list in CPython, so it must
/// not depend on when).
fn summed_comprehension<'e>(
    items: &'e hir::Expr,
    start: &hir::Expr,
) -> Option<(&'e hir::Expr, &'e [Clause])> {
    match (&items.kind, &start.kind) {
        (
            ExprKind::Comprehension {
                elem,
                key: None,
                clauses,
            },
            ExprKind::Int(_) | ExprKind::Float(_),
        ) => Some((elem, clauses)),
        _ => None,
    }
}

/// Whether `e` makes a new list that nothing else holds: a literal, a
/// list comprehension, or the runtime's `+`, `*` or slice of lists.
fn makes_new_list(e: &hir::Expr) -> bool {
    match &e.kind {
        ExprKind::List(_) => true,
        ExprKind::Comprehension { key, .. } => key.is_none(),
        ExprKind::Runtime(f, _) => {
            matches!(f, RtFn::ListConcat | RtFn::ListRepeat | RtFn::ListSlice)
        }
        _ => false,
    }
}
