//! Stage 3: HIR to MIR. Input: a checked [`hir::Module`]; output: a
//! [`Module`] of control-flow graphs in which every Python rule is spelled
//! out: overflow checks, zero-division and `-1` divisor cases, floor
//! adjustments, short-circuit evaluation, the recursion limit, exception
//! propagation after calls, and evaluation order. Codegen translates it to
//! Cranelift IR one statement at a time and decides nothing about semantics.

use crate::diag::Span;
use crate::hir::{self, ArithOp, CmpOp, ExprKind, FuncId, FunctionRole, Type};
pub use crate::rtabi::RtFn;

mod brief;
mod cfg;
mod chars;
mod consts;
mod facts;
mod frame;
mod frozen;
mod heap;
mod hoist;
mod inline;
mod joins;
mod ranges;
mod reuse;
mod select;
mod tailcall;
mod unbox;
mod version;
use roast_runtime::{ExcKind, INT_OVERFLOW_MESSAGE};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// A local slot of a [`Body`]: HIR locals keep their ids, temporaries follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocalId(pub u32);

/// A basic block of a [`Body`]; block 0 is the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId(pub u32);

/// A module lowered to MIR.
#[derive(Debug, Clone)]
pub struct Module {
    /// Source file display name (run-time locations).
    pub file_name: String,
    /// One body per HIR function, same order and [`FuncId`]s.
    pub functions: Vec<Body>,
    /// Module initialization, if any.
    pub init: Option<Body>,
    /// The whole script.
    pub script: Body,
    /// The type of each module variable, by slot.
    pub globals: Vec<Type>,
}

/// One function as a control-flow graph.
#[derive(Debug, Clone)]
pub struct Body {
    /// The function's name.
    pub name: String,
    /// Exported, test, private or top-level code.
    pub role: FunctionRole,
    /// Parameter locals, in order: a tuple passed as its items is one
    /// local per item.
    pub params: Vec<LocalId>,
    /// The declared type of each parameter, in order.
    pub declared: Vec<Type>,
    /// Return type (`None`: no value).
    pub ret: Type,
    /// Every local's type and name (`$n` for temporaries).
    pub locals: Vec<(String, Type)>,
    /// The heap locals that own their references, kept in one in-memory
    /// frame (null on entry) that `ReleaseFrame` releases.
    pub frame: Vec<LocalId>,
    /// The blocks; the entry is block 0.
    pub blocks: Vec<BasicBlock>,
    /// The `def` header (location of a `RecursionError`).
    pub span: Span,
}

/// Straight-line statements and one terminator.
#[derive(Debug, Clone)]
pub struct BasicBlock {
    /// Executed in order.
    pub statements: Vec<Statement>,
    /// Where control goes next.
    pub terminator: Terminator,
    /// A slow path (text that is not ASCII, a list that must grow): laid
    /// out last, and its runtime calls preserve every register, so the
    /// fast path around it keeps its values in registers.
    pub cold: bool,
}

/// A value: a local or a constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operand {
    /// A local's current value.
    Local(LocalId),
    /// An `int` constant.
    Int(i64),
    /// A `float` constant.
    Float(f64),
    /// A `bool` constant.
    Bool(bool),
}

/// An argument of a runtime call.
#[derive(Debug, Clone, PartialEq)]
pub enum RtArg {
    /// The per-thread context pointer.
    Ctx,
    /// A value.
    Value(Operand),
    /// A string in read-only data, passed as pointer and length.
    Str(String),
    /// A source position, passed as file pointer, file length, `line << 32 | col`.
    Site(Span),
    /// The address of the static type descriptor of a type.
    Desc(Type),
    /// The key of this module's variables (`prefix \0 flags`), as pointer
    /// and length.
    GlobalsKey,
}

/// Integer and bool comparisons (`S`: signed, `U`: unsigned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntCond {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// signed `<`
    SLt,
    /// signed `<=`
    SLe,
    /// signed `>`
    SGt,
    /// signed `>=`
    SGe,
    /// unsigned `<`
    ULt,
    /// unsigned `<=`
    ULe,
    /// unsigned `>`
    UGt,
    /// unsigned `>=`
    UGe,
}

impl IntCond {
    /// Python's comparison `op` of two signed integers.
    fn signed(op: CmpOp) -> IntCond {
        match op {
            CmpOp::Eq => IntCond::Eq,
            CmpOp::Ne => IntCond::Ne,
            CmpOp::Lt => IntCond::SLt,
            CmpOp::Le => IntCond::SLe,
            CmpOp::Gt => IntCond::SGt,
            CmpOp::Ge => IntCond::SGe,
        }
    }

    /// The comparison true exactly where this one is false.
    pub fn negated(self) -> IntCond {
        match self {
            IntCond::Eq => IntCond::Ne,
            IntCond::Ne => IntCond::Eq,
            IntCond::SLt => IntCond::SGe,
            IntCond::SLe => IntCond::SGt,
            IntCond::SGt => IntCond::SLe,
            IntCond::SGe => IntCond::SLt,
            IntCond::ULt => IntCond::UGe,
            IntCond::ULe => IntCond::UGt,
            IntCond::UGt => IntCond::ULe,
            IntCond::UGe => IntCond::ULt,
        }
    }

    /// The comparison with its operands swapped (`a < b` is `b > a`).
    pub fn swapped(self) -> IntCond {
        match self {
            IntCond::Eq | IntCond::Ne => self,
            IntCond::SLt => IntCond::SGt,
            IntCond::SLe => IntCond::SGe,
            IntCond::SGt => IntCond::SLt,
            IntCond::SGe => IntCond::SLe,
            IntCond::ULt => IntCond::UGt,
            IntCond::ULe => IntCond::UGe,
            IntCond::UGt => IntCond::ULt,
            IntCond::UGe => IntCond::ULe,
        }
    }
}

/// Float comparisons with IEEE semantics (`Ne` is true for NaN, the others false).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatCond {
    /// ordered `==`
    Eq,
    /// unordered-or-`!=`
    Ne,
    /// ordered `<`
    Lt,
    /// ordered `<=`
    Le,
    /// ordered `>`
    Gt,
    /// ordered `>=`
    Ge,
}

/// One-operand operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// float `-x`
    FNeg,
    /// float `abs(x)`
    FAbs,
    /// `math.sqrt(x)` where `x` is not below 0 (NaN and `-0.0` included)
    FSqrt,
    /// bool `not x`
    Not,
    /// int `~x`
    BNot,
    /// int to float (round to nearest)
    IntToFloat,
    /// bool to int (0 or 1)
    BoolToInt,
}

/// Two-operand operations. Integer ones wrap; MIR only uses them where the
/// checks before them make wrapping impossible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// int `+`
    IAdd,
    /// int `-`
    ISub,
    /// int `*`
    IMul,
    /// truncating int division (divisor not 0 nor -1)
    SDiv,
    /// unsigned division (divisor not 0)
    UDiv,
    /// truncating int remainder (divisor not 0 nor -1)
    SRem,
    /// unsigned remainder (divisor not 0)
    URem,
    /// `&` (ints and bools)
    And,
    /// `|` (ints and bools)
    Or,
    /// `^` (ints and bools)
    Xor,
    /// `<<` by 0..=63
    Shl,
    /// arithmetic `>>` by 0..=63
    SShr,
    /// unsigned minimum
    UMin,
    /// int or bool comparison
    ICmp(IntCond),
    /// float `+`
    FAdd,
    /// float `-`
    FSub,
    /// float `*`
    FMul,
    /// float `/` (divisor not 0)
    FDiv,
    /// float comparison
    FCmp(FloatCond),
}

/// Overflow-checked int operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckedOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
}

/// The right-hand side of an assignment.
#[derive(Debug, Clone, PartialEq)]
pub enum Rvalue {
    /// A copy.
    Use(Operand),
    /// A one-operand operation.
    Unary(UnOp, Operand),
    /// A two-operand operation.
    Binary(BinOp, Operand, Operand),
    /// `if cond { a } else { b }` without branching.
    Select(Operand, Operand, Operand),
    /// Whether the context has an exception pending.
    Pending,
    /// The address of an immortal `str` object holding this text.
    StrLit(String),
    /// The word at `base + offset`, as the destination's type.
    Load {
        /// An object pointer.
        base: Operand,
        /// Byte offset.
        offset: i32,
    },
    /// Item `index` of the buffer at `data` (a list's items: a byte each
    /// for `bool`, a word otherwise), as the destination's type; `index` is
    /// already bounds-checked.
    LoadItem {
        /// The buffer's address.
        data: Operand,
        /// The word's index.
        index: Operand,
    },
    /// The byte at `base + offset + index`, zero-extended to an int;
    /// `index` is already bounds-checked.
    LoadByte {
        /// An object pointer.
        base: Operand,
        /// Byte offset of the bytes in the object.
        offset: i32,
        /// The byte's index.
        index: Operand,
    },
    /// The address of the runtime's immortal one-character `str` of an
    /// ASCII byte (an int below 128).
    AsciiStr(Operand),
}

/// A statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `local = rvalue`
    Assign(LocalId, Rvalue),
    /// `value, overflow = op(a, b)` with i64 overflow detection.
    CheckedArith {
        /// The wrapped result.
        value: LocalId,
        /// Whether the true result left i64.
        overflow: LocalId,
        /// The operation.
        op: CheckedOp,
        /// Left operand.
        a: Operand,
        /// Right operand.
        b: Operand,
    },
    /// `status, values = func(ctx, args)`; status nonzero: exception pending.
    Call {
        /// Receives the status.
        status: LocalId,
        /// Receive the values the callee returns ([`returned_types`]).
        values: Vec<LocalId>,
        /// The callee.
        func: FuncId,
        /// Arguments in parameter order.
        args: Vec<Operand>,
        /// How many inlined calls deep the call sits (0 outside inlined
        /// code): the callee runs that many levels deeper.
        frames: u32,
    },
    /// `dest = runtime(args)`.
    Runtime {
        /// Receives the result, if the function has one.
        dest: Option<LocalId>,
        /// The runtime function.
        func: RtFn,
        /// Its arguments.
        args: Vec<RtArg>,
    },
    /// Takes a new reference to a heap value (null and immortals untouched).
    IncRef(Operand),
    /// Releases the local's reference (if not null) and sets it to null.
    DecRef(LocalId),
    /// Releases every reference the frame holds (on each way out).
    ReleaseFrame,
    /// Stores `value` as a word at `base + offset` (moves a reference in).
    Store {
        /// An object pointer.
        base: Operand,
        /// Byte offset.
        offset: i32,
        /// The stored value.
        value: Operand,
    },
    /// Stores `value` as item `index` of the buffer at `data` (a byte for
    /// a `bool`, a word otherwise; `index` already bounds-checked; no
    /// reference counting).
    StoreItem {
        /// The buffer's address.
        data: Operand,
        /// The word's index.
        index: Operand,
        /// The stored value.
        value: Operand,
    },
    /// The low byte of the int `value` into `base + offset + index` (a
    /// byte of a string's text that nothing else holds).
    StoreByte {
        /// An object pointer.
        base: Operand,
        /// Byte offset of the bytes in the object.
        offset: i32,
        /// The byte's index.
        index: Operand,
        /// The int whose low byte is stored.
        value: Operand,
    },
    /// An inlined call's entry: `too_deep = depth + frames > limit`, the
    /// depth itself unchanged.
    CheckDepth {
        /// Receives whether the recursion limit is exceeded.
        too_deep: LocalId,
        /// How many inlined calls deep the copy's frame is (at least 1).
        frames: u32,
    },
    /// Entering the function, or the next level of the loop that replaced
    /// its tail calls to itself (`tailcall`): `depth += 1; too_deep =
    /// depth > limit`. A caller's depth is its own: nothing undoes this.
    EnterFrame {
        /// Receives whether the recursion limit is exceeded.
        too_deep: LocalId,
    },
}

impl Rvalue {
    /// The operands the rvalue reads.
    fn reads_mut(&mut self) -> Vec<&mut Operand> {
        match self {
            Rvalue::Use(a) | Rvalue::Unary(_, a) | Rvalue::AsciiStr(a) => vec![a],
            Rvalue::Binary(_, a, b) => vec![a, b],
            Rvalue::Select(c, a, b) => vec![c, a, b],
            Rvalue::Pending | Rvalue::StrLit(_) => vec![],
            Rvalue::Load { base, .. } => vec![base],
            Rvalue::LoadItem { data, index } => vec![data, index],
            Rvalue::LoadByte { base, index, .. } => vec![base, index],
        }
    }
}

impl Statement {
    /// The locals the statement reads (a `DecRef`'s local is not one).
    fn read_locals(&self) -> Vec<LocalId> {
        self.clone()
            .reads_mut()
            .into_iter()
            .filter_map(|o| match o {
                Operand::Local(l) => Some(*l),
                _ => None,
            })
            .collect()
    }

    /// The operands the statement reads (a `DecRef`'s local is not one).
    fn reads_mut(&mut self) -> Vec<&mut Operand> {
        match self {
            Statement::Assign(_, r) => r.reads_mut(),
            Statement::CheckedArith { a, b, .. } => vec![a, b],
            Statement::Call { args, .. } => args.iter_mut().collect(),
            Statement::Runtime { args, .. } => args
                .iter_mut()
                .filter_map(|a| match a {
                    RtArg::Value(v) => Some(v),
                    _ => None,
                })
                .collect(),
            Statement::IncRef(a) => vec![a],
            Statement::Store { base, value, .. } => vec![base, value],
            Statement::StoreItem { data, index, value } => vec![data, index, value],
            Statement::StoreByte {
                base, index, value, ..
            } => vec![base, index, value],
            Statement::DecRef(_)
            | Statement::ReleaseFrame
            | Statement::EnterFrame { .. }
            | Statement::CheckDepth { .. } => vec![],
        }
    }

    /// The locals the statement assigns (as [`Statement::assigned`]), to
    /// change.
    fn assigned_mut(&mut self) -> Vec<&mut LocalId> {
        match self {
            Statement::Assign(l, _) | Statement::DecRef(l) => vec![l],
            Statement::CheckedArith {
                value, overflow, ..
            } => vec![value, overflow],
            Statement::Call { status, values, .. } => {
                let mut out = vec![status];
                out.extend(values.iter_mut());
                out
            }
            Statement::Runtime { dest, .. } => dest.as_mut().into_iter().collect(),
            Statement::EnterFrame { too_deep } | Statement::CheckDepth { too_deep, .. } => {
                vec![too_deep]
            }
            Statement::IncRef(_)
            | Statement::ReleaseFrame
            | Statement::Store { .. }
            | Statement::StoreItem { .. }
            | Statement::StoreByte { .. } => vec![],
        }
    }

    /// The locals the statement assigns.
    pub fn assigned(&self) -> impl Iterator<Item = LocalId> + '_ {
        let mut more: &[LocalId] = &[];
        let (first, second) = match self {
            Statement::Assign(l, _) | Statement::DecRef(l) => (Some(*l), None),
            Statement::CheckedArith {
                value, overflow, ..
            } => (Some(*value), Some(*overflow)),
            Statement::Call { status, values, .. } => {
                more = values;
                (Some(*status), None)
            }
            Statement::Runtime { dest, .. } => (*dest, None),
            Statement::EnterFrame { too_deep } | Statement::CheckDepth { too_deep, .. } => {
                (Some(*too_deep), None)
            }
            Statement::IncRef(_)
            | Statement::ReleaseFrame
            | Statement::Store { .. }
            | Statement::StoreItem { .. }
            | Statement::StoreByte { .. } => (None, None),
        };
        first.into_iter().chain(second).chain(more.iter().copied())
    }
}

/// How a block ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Terminator {
    /// Continue at a block.
    Goto(BlockId),
    /// Two-way branch on a bool.
    Branch {
        /// The condition.
        cond: Operand,
        /// Taken when true.
        then: BlockId,
        /// Taken when false.
        otherwise: BlockId,
    },
    /// Return normally, with the function's [`returned_types`] values.
    Return(Vec<Operand>),
    /// Raise `kind(message)` at `span` and leave the function.
    Raise {
        /// The exception class.
        kind: ExcKind,
        /// Its message.
        message: String,
        /// Where it is raised.
        span: Span,
    },
    /// Leave the function: an exception is already pending.
    Propagate,
}

impl Terminator {
    /// The operands the terminator reads.
    fn reads_mut(&mut self) -> Vec<&mut Operand> {
        match self {
            Terminator::Branch { cond, .. } => vec![cond],
            Terminator::Return(values) => values.iter_mut().collect(),
            _ => vec![],
        }
    }

    /// The blocks control can go to next, to change.
    fn successors_mut(&mut self) -> Vec<&mut BlockId> {
        match self {
            Terminator::Goto(b) => vec![b],
            Terminator::Branch {
                then, otherwise, ..
            } => vec![then, otherwise],
            _ => vec![],
        }
    }

    /// The blocks control can go to next.
    pub fn successors(&self) -> Vec<BlockId> {
        match self {
            Terminator::Goto(b) => vec![*b],
            Terminator::Branch {
                then, otherwise, ..
            } => vec![*then, *otherwise],
            _ => vec![],
        }
    }
}

/// An int operand, as a key: a local or a constant.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Arg {
    Local(LocalId),
    Int(i64),
}

impl Arg {
    /// `o` as a key, unless it is a float or bool constant.
    fn of(o: Operand) -> Option<Arg> {
        match o {
            Operand::Local(l) => Some(Arg::Local(l)),
            Operand::Int(k) => Some(Arg::Int(k)),
            _ => None,
        }
    }
}

/// Calls `f` on every local `block` mentions (assigned or read), to
/// change.
fn for_each_local(block: &mut BasicBlock, mut f: impl FnMut(&mut LocalId)) {
    for s in &mut block.statements {
        s.assigned_mut().into_iter().for_each(&mut f);
        for o in s.reads_mut() {
            if let Operand::Local(l) = o {
                f(l);
            }
        }
    }
    for o in block.terminator.reads_mut() {
        if let Operand::Local(l) = o {
            f(l);
        }
    }
}

/// Replaces every mention in `blocks` (assigned or read) of a local that
/// `renamed` maps by what it maps it to.
fn rename_locals(blocks: &mut [BasicBlock], renamed: &HashMap<LocalId, LocalId>) {
    if renamed.is_empty() {
        return;
    }
    for block in blocks {
        for_each_local(block, |l| {
            if let Some(to) = renamed.get(l) {
                *l = *to;
            }
        });
    }
}

/// Every local mentioned (assigned or read) in `block`.
fn mentioned(block: &mut BasicBlock) -> Vec<LocalId> {
    let mut out = Vec::new();
    for_each_local(block, |l| out.push(*l));
    out
}

/// The most items of a tuple of scalars that a function returns as
/// separate values rather than as a tuple object.
const MOST_RETURNED_ITEMS: usize = 8;

/// The values a function whose return type is `ret` returns, in order:
/// none for `None`; each item of a tuple of `int`, `float` and `bool`
/// (at most [`MOST_RETURNED_ITEMS`]), so that `g, x, y = egcd(a, b)`
/// makes no tuple object and such a function can be inlined; otherwise
/// the value itself.
pub fn returned_types(ret: Type) -> Vec<Type> {
    match (ret, scalar_items(ret)) {
        (Type::None, _) => Vec::new(),
        (_, Some(items)) => items.to_vec(),
        (t, None) => vec![t],
    }
}

/// The items of `ty` when it is a tuple of at most
/// [`MOST_RETURNED_ITEMS`] `int`, `float` and `bool` items: the tuples
/// that functions return, take and keep in locals as their items.
fn scalar_items(ty: Type) -> Option<&'static [Type]> {
    match ty {
        Type::Tuple(items)
            if items.len() <= MOST_RETURNED_ITEMS
                && items
                    .iter()
                    .all(|t| matches!(t, Type::Int | Type::Float | Type::Bool)) =>
        {
            Some(items)
        }
        _ => None,
    }
}

/// Whether a function of return type `ret` returns a tuple's items
/// rather than the tuple.
pub fn returns_items(ret: Type) -> bool {
    matches!(ret, Type::Tuple(_)) && returned_types(ret) != [ret]
}

/// Whether an export shim of `f` must run [`boundary_wrapper`]: `f`
/// takes or returns a tuple as its items, where Rust passes and receives
/// tuple objects.
pub fn needs_boundary_wrapper(f: &Body) -> bool {
    returns_items(f.ret) || f.params.len() != f.declared.len()
}

/// The body an export shim of `f` (function `id`) runs when
/// [`needs_boundary_wrapper`]: the declared parameters (tuple objects
/// from Rust), the items of those `f` takes as items loaded for the call,
/// the call, then — when `f` returns its tuple's items — the items boxed
/// into the tuple object that Rust receives.
pub fn boundary_wrapper(f: &Body, id: FuncId) -> Body {
    let mut locals: Vec<(String, Type)> = f
        .declared
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("arg{i}"), *t))
        .collect();
    let params: Vec<LocalId> = (0..locals.len()).map(|i| LocalId(i as u32)).collect();
    let mut entry = Vec::new();
    let mut args = Vec::new();
    let mut machine = f.params.iter();
    for (p, ty) in params.iter().zip(&f.declared) {
        let first = machine
            .next()
            .expect("a machine parameter per declared one");
        if f.locals[first.0 as usize].1 == *ty {
            args.push(Operand::Local(*p));
            continue;
        }
        let items = scalar_items(*ty).expect("a parameter passed as items is a tuple");
        for (k, t) in items.iter().enumerate() {
            if k > 0 {
                machine.next();
            }
            let item = new_temp(&mut locals, *t);
            entry.push(Statement::Assign(
                item,
                Rvalue::Load {
                    base: Operand::Local(*p),
                    offset: heap::ITEMS + 8 * k as i32,
                },
            ));
            args.push(Operand::Local(item));
        }
    }
    let status = new_temp(&mut locals, Type::Bool);
    let values: Vec<LocalId> = returned_types(f.ret)
        .into_iter()
        .map(|t| new_temp(&mut locals, t))
        .collect();
    let mut after = Vec::new();
    let returned = if returns_items(f.ret) {
        let tuple = new_temp(&mut locals, f.ret);
        after.push(Statement::Runtime {
            dest: Some(tuple),
            func: RtFn::TupleNew,
            args: vec![RtArg::Desc(f.ret)],
        });
        after.extend(values.iter().enumerate().map(|(i, v)| Statement::Store {
            base: Operand::Local(tuple),
            offset: heap::ITEMS + 8 * i as i32,
            value: Operand::Local(*v),
        }));
        vec![Operand::Local(tuple)]
    } else {
        values.iter().map(|v| Operand::Local(*v)).collect()
    };
    entry.push(Statement::Call {
        status,
        values,
        func: id,
        args,
        frames: 0,
    });
    let block = |statements, terminator| BasicBlock {
        statements,
        terminator,
        cold: false,
    };
    Body {
        name: f.name.clone(),
        role: f.role,
        params: params.clone(),
        declared: f.declared.clone(),
        ret: f.ret,
        locals,
        frame: Vec::new(),
        blocks: vec![
            block(
                entry,
                Terminator::Branch {
                    cond: Operand::Local(status),
                    then: BlockId(1),
                    otherwise: BlockId(2),
                },
            ),
            block(Vec::new(), Terminator::Propagate),
            block(after, Terminator::Return(returned)),
        ],
        span: f.span,
    }
}

/// Lowers every function of `module`.
pub fn build(module: &hir::Module) -> Module {
    let list_lengths = frozen::list_lengths(module);
    let expanded = unbox::expanded_params(module);
    let mut functions: Vec<Lowered> = module
        .functions
        .iter()
        .zip(&expanded)
        .map(|(f, passed_as_items)| {
            let folded = frozen::fold_lengths(f, &list_lengths);
            let f = folded.as_ref().unwrap_or(f);
            match joins::strings_for_joined_lists(f) {
                Some(built) => lower(module, &built, &expanded, passed_as_items),
                None => lower(module, f, &expanded, passed_as_items),
            }
        })
        .collect();
    let mut init = module
        .init
        .as_ref()
        .map(|f| lower(module, f, &expanded, &[]));
    let mut script = lower(module, &module.script, &expanded, &[]);
    let inliner = inline::Inliner::find(&functions);
    for (body, me) in functions
        .iter_mut()
        .enumerate()
        .map(|(i, f)| (f, Some(FuncId(i as u32))))
        .chain(init.as_mut().map(|f| (f, None)))
        .chain(std::iter::once((&mut script, None)))
    {
        if let Some(me) = me {
            tailcall::loop_tail_calls(body, me);
        }
        inliner.inline_into(body, me);
        reuse::reuse_checked(body);
        ranges::drop_impossible_checks(body);
        hoist::hoist_invariant_loads(body);
        hoist::hoist_invariant_arithmetic(body);
        reuse::reuse_loads(body);
        // Loads reused are copies now: checked operations of them repeat.
        reuse::reuse_checked(body);
        version::version_loops(body);
        select::convert_small_ifs(body);
        facts::apply_branch_facts(body);
        // Last: the loop passes know counted loops by their locals.
        consts::fold_constant_locals(body);
        brief::drop_brief_references(&mut body.blocks);
    }
    Module {
        file_name: module.file_name.clone(),
        functions: functions.into_iter().map(finish).collect(),
        init: init.map(finish),
        script: finish(script),
        globals: module.globals.iter().map(|g| g.1).collect(),
    }
}

/// The bounds of a `range` loop, each evaluated once before the loop.
#[derive(Clone, Copy)]
struct Counter {
    start: Operand,
    stop: Operand,
    step: Operand,
}

/// Replaces the checked operation at `block.statements[at]`, proven never
/// to overflow, by the plain `op`: its overflow flag becomes false, and a
/// branch on the flag ending the block a jump to the way on.
fn drop_overflow_check(block: &mut BasicBlock, at: usize, op: BinOp) {
    let Statement::CheckedArith {
        value,
        overflow,
        a,
        b,
        ..
    } = block.statements[at]
    else {
        return;
    };
    block.statements[at] = Statement::Assign(value, Rvalue::Binary(op, a, b));
    block.statements.insert(
        at + 1,
        Statement::Assign(overflow, Rvalue::Use(Operand::Bool(false))),
    );
    if let Terminator::Branch {
        cond: Operand::Local(c),
        otherwise,
        ..
    } = block.terminator
    {
        if c == overflow {
            block.terminator = Terminator::Goto(otherwise);
        }
    }
}

/// A function's blocks before reference-count cleanup: what inlining
/// works on.
#[derive(Clone)]
struct Lowered {
    name: String,
    role: FunctionRole,
    params: Vec<LocalId>,
    declared: Vec<Type>,
    ret: Type,
    locals: Vec<(String, Type)>,
    blocks: Vec<BasicBlock>,
    /// Heap temporaries holding borrowed references.
    borrowed: HashSet<LocalId>,
    /// Int locals known never to be negative, whatever assigns them.
    nonneg: HashSet<LocalId>,
    /// The counters of `range` loops (see [`Builder::counters`]).
    counters: HashMap<LocalId, Counter>,
    span: Span,
}

/// A new temporary of type `ty` among `locals` (named `$<id>`).
fn new_temp(locals: &mut Vec<(String, Type)>, ty: Type) -> LocalId {
    let id = LocalId(locals.len() as u32);
    locals.push((format!("${}", id.0), ty));
    id
}

/// How many edges lead into each block from the `live` blocks (those
/// the entry reaches, as [`reachable`] gives them).
fn predecessor_counts(blocks: &[BasicBlock], live: &[bool]) -> Vec<usize> {
    let mut counts = vec![0; blocks.len()];
    for (b, block) in blocks.iter().enumerate() {
        if !live[b] {
            continue;
        }
        for s in block.terminator.successors() {
            counts[s.0 as usize] += 1;
        }
    }
    counts
}

/// Which blocks control can reach from the entry.
fn reachable(blocks: &[BasicBlock]) -> Vec<bool> {
    let mut live = vec![false; blocks.len()];
    let mut work = vec![0usize];
    while let Some(b) = work.pop() {
        if !std::mem::replace(&mut live[b], true) {
            work.extend(
                blocks[b]
                    .terminator
                    .successors()
                    .iter()
                    .map(|s| s.0 as usize),
            );
        }
    }
    live
}

/// Adds the releases of owned references on every way out.
fn finish(l: Lowered) -> Body {
    let (mut blocks, mut locals) = (l.blocks, l.locals);
    // Blocks the passes cut off (a versioned loop's slow paths) are left
    // empty, a jump to themselves: nothing to lower, nothing to release.
    for (b, live) in reachable(&blocks).into_iter().enumerate() {
        if !live {
            blocks[b].statements.clear();
            blocks[b].terminator = Terminator::Goto(BlockId(b as u32));
        }
    }
    let frame = heap::insert_cleanup(&mut blocks, &mut locals, &l.params, &l.borrowed);
    let owned_params: Vec<LocalId> = l
        .params
        .iter()
        .filter(|p| frame.contains(p))
        .copied()
        .collect();
    frame::narrow_return_releases(&mut blocks, &frame, &owned_params);
    // A local released at a return may have just been copied out to return.
    brief::drop_brief_references(&mut blocks);
    Body {
        name: l.name,
        role: l.role,
        params: l.params,
        declared: l.declared,
        ret: l.ret,
        locals,
        frame,
        blocks,
        span: l.span,
    }
}

/// Lowers `f`, whose parameters marked in `passed_as_items` come as their
/// items, as do those of the functions `expanded` marks.
fn lower(
    module: &hir::Module,
    f: &hir::Function,
    expanded: &[Vec<bool>],
    passed_as_items: &[bool],
) -> Lowered {
    let mut locals: Vec<(String, Type)> = f.locals.iter().map(|l| (l.name.clone(), l.ty)).collect();
    // Each local kept as its items gets one local per item (parameters
    // only when passed so); the tuple local itself is never used.
    let mut unboxed = HashMap::new();
    for l in unbox::unboxed_locals(f, expanded) {
        let param = f.params.iter().position(|p| *p == l);
        if param.is_some_and(|k| !passed_as_items.get(k).copied().unwrap_or(false)) {
            continue;
        }
        let (name, ty) = locals[l.0 as usize].clone();
        let items = scalar_items(ty).expect("unboxed locals are tuples of scalars");
        let item_locals: Vec<LocalId> = items
            .iter()
            .enumerate()
            .map(|(i, t)| {
                locals.push((format!("{name}.{i}"), *t));
                LocalId(locals.len() as u32 - 1)
            })
            .collect();
        locals[l.0 as usize].1 = Type::None;
        unboxed.insert(local(l), item_locals);
    }
    let params = f
        .params
        .iter()
        .flat_map(|p| match unboxed.get(&local(*p)) {
            Some(items) => items.clone(),
            None => vec![local(*p)],
        })
        .collect();
    let mut b = Builder {
        module,
        ret: f.ret,
        expanded,
        unboxed,
        locals,
        blocks: vec![Pending::default()],
        current: BlockId(0),
        loops: Vec::new(),
        propagate: None,
        owned: Vec::new(),
        borrowed: Default::default(),
        globals_base: None,
        nonneg: nonneg_loop_vars(f),
        counters: HashMap::new(),
    };
    let too_deep = b.temp(Type::Bool);
    b.push(Statement::EnterFrame { too_deep });
    b.raise_if(
        Operand::Local(too_deep),
        ExcKind::RecursionError,
        "maximum recursion depth exceeded",
        f.span,
    );
    b.block(&f.body);
    if !b.terminated() {
        if f.ret == Type::None {
            b.terminate(Terminator::Return(Vec::new()));
        } else {
            b.terminate(Terminator::Raise {
                kind: ExcKind::RuntimeError,
                message: "function ended without returning a value".into(),
                span: f.span,
            });
        }
    }
    if let Some(base) = b.globals_base {
        // Fetched once, on entry, before anything can use it.
        b.blocks[0].statements.insert(
            0,
            Statement::Runtime {
                dest: Some(base),
                func: RtFn::Globals,
                args: vec![RtArg::Ctx, RtArg::GlobalsKey],
            },
        );
    }
    Lowered {
        name: f.name.clone(),
        role: f.role,
        params,
        declared: f.params.iter().map(|p| f.locals[p.0 as usize].ty).collect(),
        ret: f.ret,
        locals: b.locals,
        blocks: b
            .blocks
            .into_iter()
            .map(|p| BasicBlock {
                statements: p.statements,
                terminator: p.terminator.unwrap_or(Terminator::Propagate),
                cold: p.cold,
            })
            .collect(),
        borrowed: b.borrowed,
        nonneg: b.nonneg,
        counters: b.counters,
        span: f.span,
    }
}

/// A block under construction.
#[derive(Default)]
struct Pending {
    statements: Vec<Statement>,
    terminator: Option<Terminator>,
    cold: bool,
}

struct Builder<'m> {
    module: &'m hir::Module,
    /// The return type of the function being lowered.
    ret: Type,
    /// Which parameters of each function are passed as their items.
    expanded: &'m [Vec<bool>],
    /// The locals kept as their items ([`unbox`]), with the item locals.
    unboxed: HashMap<LocalId, Vec<LocalId>>,
    locals: Vec<(String, Type)>,
    blocks: Vec<Pending>,
    current: BlockId,
    /// `(continue target, break target)` of the enclosing loops.
    loops: Vec<(BlockId, BlockId)>,
    /// The shared block that propagates a pending exception.
    propagate: Option<BlockId>,
    /// Temporaries holding a reference that the current statement releases.
    owned: Vec<LocalId>,
    /// Temporaries holding a borrowed reference: never released.
    borrowed: HashSet<LocalId>,
    /// The local holding the address of this thread's module variables.
    globals_base: Option<LocalId>,
    /// Int locals that never hold a negative value (loop variables of
    /// `range(a, b, c)` with constant `a >= 0`, `c > 0`, and results
    /// computed from them): `%`, `//` and indexing skip their sign fixups.
    nonneg: HashSet<LocalId>,
    /// The counters of `range` loops, with their ranges: each is assigned
    /// the start, then `counter + step` after every iteration, and read
    /// only while it holds one of the range's values (the value after the
    /// last iteration may wrap, unread).
    counters: HashMap<LocalId, Counter>,
}

fn local(id: hir::LocalId) -> LocalId {
    LocalId(id.0)
}

/// The loop variables of `f` that only ever hold values of a
/// `range(a, b, c)` with constant `a >= 0` and `c > 0`: nothing else
/// assigns them, so they are never negative.
fn nonneg_loop_vars(f: &hir::Function) -> HashSet<LocalId> {
    fn pattern(p: &hir::Pattern, bad: &mut HashSet<LocalId>) {
        match p {
            hir::Pattern::Local(id) => {
                bad.insert(local(*id));
            }
            hir::Pattern::Tuple(items) => items.iter().for_each(|i| pattern(i, bad)),
        }
    }
    fn walk(stmts: &[hir::Stmt], good: &mut HashSet<LocalId>, bad: &mut HashSet<LocalId>) {
        for s in stmts {
            match s {
                hir::Stmt::Assign(id, _) | hir::Stmt::StrAppend(id, _) => {
                    bad.insert(local(*id));
                }
                hir::Stmt::ParallelAssign(items) => {
                    bad.extend(items.iter().map(|(id, _)| local(*id)));
                }
                hir::Stmt::Unpack(p, _) => pattern(p, bad),
                hir::Stmt::ForRange {
                    var,
                    start,
                    step,
                    body,
                    orelse,
                    ..
                } => {
                    let counted = matches!(start.kind, ExprKind::Int(a) if a >= 0)
                        && matches!(step.kind, ExprKind::Int(c) if c > 0);
                    if counted { &mut *good } else { &mut *bad }.insert(local(*var));
                    walk(body, good, bad);
                    walk(orelse, good, bad);
                }
                hir::Stmt::ForEach {
                    pattern: p,
                    body,
                    orelse,
                    ..
                } => {
                    pattern(p, bad);
                    walk(body, good, bad);
                    walk(orelse, good, bad);
                }
                hir::Stmt::If { then, orelse, .. } => {
                    walk(then, good, bad);
                    walk(orelse, good, bad);
                }
                hir::Stmt::While { body, orelse, .. } => {
                    walk(body, good, bad);
                    walk(orelse, good, bad);
                }
                _ => {}
            }
        }
    }
    let mut good = HashSet::new();
    let mut bad: HashSet<LocalId> = f.params.iter().map(|p| local(*p)).collect();
    walk(&f.body, &mut good, &mut bad);
    good.retain(|l| !bad.contains(l));
    good
}

impl Builder<'_> {
    /// Jumps to `then` if the bool `cond` is true, else to `otherwise`;
    /// `and`, `or` and `not` become jumps, so each comparison is a branch
    /// of its own (and tells its bounds on its edges).
    fn branch_on(&mut self, cond: &hir::Expr, then: BlockId, otherwise: BlockId) {
        match &cond.kind {
            ExprKind::And(l, r) if cond.ty == Type::Bool => {
                let right = self.new_block();
                self.branch_on(l, right, otherwise);
                self.switch_to(right);
                self.branch_on(r, then, otherwise);
            }
            ExprKind::Or(l, r) if cond.ty == Type::Bool => {
                let right = self.new_block();
                self.branch_on(l, then, right);
                self.switch_to(right);
                self.branch_on(r, then, otherwise);
            }
            ExprKind::Not(x) => self.branch_on(x, otherwise, then),
            _ => {
                let mark = self.owned.len();
                let c = self.expr(cond);
                self.release_temps(mark);
                self.branch(c, then, otherwise);
            }
        }
    }

    /// Starts a rotated loop, whose code goes in block `body`: `test(then,
    /// otherwise)` jumps into the loop or to `exit`. It runs once here,
    /// leading into `body` through a preheader block (where loads that no
    /// iteration changes are hoisted), and the caller runs it again at the
    /// loop's end, so an iteration takes one jump back rather than two.
    fn enter_rotated(
        &mut self,
        test: &impl Fn(&mut Self, BlockId, BlockId),
        body: BlockId,
        exit: BlockId,
    ) {
        let preheader = self.new_block();
        test(self, preheader, exit);
        self.switch_to(preheader);
        self.goto(body);
        self.switch_to(body);
    }

    fn temp(&mut self, ty: Type) -> LocalId {
        new_temp(&mut self.locals, ty)
    }

    /// A new block, cold when made while lowering a cold one (a slow path
    /// goes on there until it rejoins a block made before it).
    fn new_block(&mut self) -> BlockId {
        let cold = self
            .blocks
            .get(self.current.0 as usize)
            .is_some_and(|b| b.cold);
        self.blocks.push(Pending {
            cold,
            ..Pending::default()
        });
        BlockId(self.blocks.len() as u32 - 1)
    }

    /// A new block for a slow path (see [`BasicBlock::cold`]).
    fn new_cold_block(&mut self) -> BlockId {
        self.blocks.push(Pending {
            cold: true,
            ..Pending::default()
        });
        BlockId(self.blocks.len() as u32 - 1)
    }

    fn switch_to(&mut self, block: BlockId) {
        self.current = block;
    }

    fn terminated(&self) -> bool {
        self.blocks[self.current.0 as usize].terminator.is_some()
    }

    fn push(&mut self, s: Statement) {
        self.blocks[self.current.0 as usize].statements.push(s);
    }

    fn terminate(&mut self, t: Terminator) {
        let block = &mut self.blocks[self.current.0 as usize];
        if block.terminator.is_none() {
            block.terminator = Some(t);
        }
    }

    fn goto(&mut self, target: BlockId) {
        self.terminate(Terminator::Goto(target));
    }

    fn branch(&mut self, cond: Operand, then: BlockId, otherwise: BlockId) {
        self.terminate(Terminator::Branch {
            cond,
            then,
            otherwise,
        });
    }

    fn assign(&mut self, ty: Type, rvalue: Rvalue) -> Operand {
        let t = self.temp(ty);
        if ty.is_heap() && matches!(rvalue, Rvalue::Load { .. } | Rvalue::StrLit(_)) {
            // A reference owned by a container, or an immortal literal.
            self.borrowed.insert(t);
        }
        self.push(Statement::Assign(t, rvalue));
        Operand::Local(t)
    }

    /// Continues in a new block when `cond` is false; raises when it is true.
    fn raise_if(&mut self, cond: Operand, kind: ExcKind, message: &str, span: Span) {
        let (raise, ok) = (self.new_block(), self.new_block());
        self.branch(cond, raise, ok);
        self.switch_to(raise);
        self.terminate(Terminator::Raise {
            kind,
            message: message.to_string(),
            span,
        });
        self.switch_to(ok);
    }

    /// Continues in a new block when `failed` is false; propagates otherwise.
    fn propagate_if(&mut self, failed: Operand) {
        let propagate = match self.propagate {
            Some(b) => b,
            None => {
                let b = self.new_block();
                self.blocks[b.0 as usize].terminator = Some(Terminator::Propagate);
                self.propagate = Some(b);
                b
            }
        };
        let ok = self.new_block();
        self.branch(failed, propagate, ok);
        self.switch_to(ok);
    }

    fn runtime(&mut self, dest: Option<Type>, func: RtFn, args: Vec<RtArg>) -> Option<Operand> {
        let dest = dest.map(|ty| self.temp(ty));
        self.push(Statement::Runtime { dest, func, args });
        if func.may_raise() {
            let pending = self.assign(Type::Bool, Rvalue::Pending);
            self.propagate_if(pending);
        }
        dest.map(Operand::Local)
    }

    fn block(&mut self, stmts: &[hir::Stmt]) {
        for s in stmts {
            if self.terminated() {
                // Unreachable code still gets lowered, into a block no edge reaches.
                let dead = self.new_block();
                self.switch_to(dead);
            }
            let mark = self.owned.len();
            self.stmt(s);
            self.release_temps(mark);
        }
    }

    fn stmt(&mut self, s: &hir::Stmt) {
        match s {
            hir::Stmt::Assign(l, e) => match self.unboxed.get(&local(*l)).cloned() {
                Some(items) => {
                    let values = self.tuple_items(e);
                    self.set_items(&items, values);
                }
                None => {
                    let v = self.expr_owned(e);
                    self.store_local(local(*l), v, e.ty);
                }
            },
            hir::Stmt::ParallelAssign(pairs) => {
                // Every value is computed (and copied) before any assignment.
                let values: Vec<Vec<Operand>> = pairs
                    .iter()
                    .map(|(l, e)| {
                        if self.unboxed.contains_key(&local(*l)) {
                            let items = self.tuple_items(e);
                            return items.into_iter().map(|v| self.copy_of(v)).collect();
                        }
                        let v = self.expr_owned(e);
                        vec![if e.ty.is_heap() { v } else { self.copy_of(v) }]
                    })
                    .collect();
                for ((l, e), v) in pairs.iter().zip(values) {
                    match self.unboxed.get(&local(*l)).cloned() {
                        Some(items) => self.set_items(&items, v),
                        None => self.store_local(local(*l), v[0], e.ty),
                    }
                }
            }
            hir::Stmt::ForEach {
                pattern,
                iter,
                body,
                orelse,
            } => self.for_each(pattern, iter, body, orelse),
            hir::Stmt::Unpack(pattern, e) => {
                if !self.unpack_made_tuple(pattern, e) {
                    let v = self.expr(e);
                    self.bind(pattern, heap::Item::One(v, e.ty));
                }
            }
            hir::Stmt::StrAppend(l, e) => self.str_append(local(*l), e),
            hir::Stmt::SetGlobal(slot, e) => self.set_global(*slot, e),
            hir::Stmt::SetItem {
                container,
                index,
                value,
                span,
            } => self.set_item(container, index, value, *span),
            hir::Stmt::DelItem {
                container,
                index,
                span,
            } => self.del_item(container, index, *span),
            hir::Stmt::Expr(e) => {
                self.expr(e);
            }
            hir::Stmt::If { cond, then, orelse } => {
                if let Some(u) = heap::UpdateOrInsert::of(cond, then, orelse) {
                    return self.update_or_insert(u);
                }
                let (tb, eb, join) = (self.new_block(), self.new_block(), self.new_block());
                self.branch_on(cond, tb, eb);
                self.switch_to(tb);
                self.block(then);
                self.goto(join);
                self.switch_to(eb);
                self.block(orelse);
                self.goto(join);
                self.switch_to(join);
            }
            hir::Stmt::While { cond, body, orelse } => {
                let (body_b, latch, else_b, after) = (
                    self.new_block(),
                    self.new_block(),
                    self.new_block(),
                    self.new_block(),
                );
                let test = |b: &mut Self, then, otherwise| b.branch_on(cond, then, otherwise);
                self.enter_rotated(&test, body_b, else_b);
                self.loops.push((latch, after));
                self.block(body);
                self.loops.pop();
                self.goto(latch);
                self.switch_to(latch);
                test(self, body_b, else_b);
                self.switch_to(else_b);
                self.block(orelse);
                self.goto(after);
                self.switch_to(after);
            }
            hir::Stmt::ForRange {
                var,
                start,
                stop,
                step,
                span,
                body,
                orelse,
            } => self.for_range(local(*var), (start, stop, step), *span, body, orelse),
            hir::Stmt::Break | hir::Stmt::Continue => {
                let (cont, brk) = *self.loops.last().expect("checker: inside a loop");
                self.goto(if matches!(s, hir::Stmt::Break) {
                    brk
                } else {
                    cont
                });
            }
            hir::Stmt::Return(value) => {
                let values = match value {
                    None => Vec::new(),
                    Some(e) if returns_items(self.ret) => self.tuple_items(e),
                    Some(e) => vec![self.expr_owned(e)],
                };
                self.terminate(Terminator::Return(values));
            }
            hir::Stmt::Assert {
                cond,
                message,
                span,
            } => {
                let mark = self.owned.len();
                let c = self.expr(cond);
                self.release_temps(mark);
                let failed = self.assign(Type::Bool, Rvalue::Unary(UnOp::Not, c));
                match message {
                    None => self.raise_if(failed, ExcKind::AssertionError, "", *span),
                    Some(m) => {
                        let (fail, ok) = (self.new_block(), self.new_block());
                        self.branch(failed, fail, ok);
                        self.switch_to(fail);
                        let text = self.expr(m);
                        self.runtime(
                            None,
                            RtFn::RaiseStr,
                            vec![
                                RtArg::Ctx,
                                RtArg::Value(Operand::Int(ExcKind::AssertionError as i64)),
                                RtArg::Value(text),
                                RtArg::Site(*span),
                            ],
                        );
                        self.terminate(Terminator::Propagate);
                        self.switch_to(ok);
                    }
                }
            }
            hir::Stmt::Print { args, sep, end } => match (&sep.kind, &end.kind) {
                (ExprKind::Str(sep), ExprKind::Str(end)) => self.print(args, sep, end),
                _ => self.print_computed(args, sep, end),
            },
        }
    }

    fn for_range(
        &mut self,
        var: LocalId,
        bounds: (&hir::Expr, &hir::Expr, &hir::Expr),
        span: Span,
        body: &[hir::Stmt],
        orelse: &[hir::Stmt],
    ) {
        let (latch, after) = (self.new_block(), self.new_block());
        self.counted_loop(
            bounds,
            span,
            latch,
            |_, _| {},
            |b, i| {
                b.push(Statement::Assign(var, Rvalue::Use(i)));
                b.loops.push((latch, after));
                b.block(body);
                b.loops.pop();
            },
        );
        self.block(orelse);
        self.goto(after);
        self.switch_to(after);
    }

    /// A loop over `range(start, stop, step)` counted down from its length
    /// (the form the optimizer knows: its counter is registered in
    /// [`Builder::counters`]). The bounds are evaluated once, in order;
    /// `count(self, length)` runs before the loop with the number of
    /// iterations, `body(self, i)` lowers each iteration and the lowering
    /// goes on in `latch` after it; the loop ends with the block where the
    /// range is exhausted current.
    pub(super) fn counted_loop(
        &mut self,
        (start, stop, step): (&hir::Expr, &hir::Expr, &hir::Expr),
        span: Span,
        latch: BlockId,
        count: impl FnOnce(&mut Self, Operand),
        body: impl FnOnce(&mut Self, Operand),
    ) {
        // The bounds are evaluated once, in order, into temporaries.
        let bound = |b: &mut Self, e: &hir::Expr| {
            let v = b.expr(e);
            b.assign(Type::Int, Rvalue::Use(v))
        };
        let start = bound(self, start);
        let stop = bound(self, stop);
        let step = bound(self, step);
        let zero = self.assign(
            Type::Bool,
            Rvalue::Binary(BinOp::ICmp(IntCond::Eq), step, Operand::Int(0)),
        );
        self.raise_if(
            zero,
            ExcKind::ValueError,
            "range() arg 3 must not be zero",
            span,
        );
        let remaining = self.range_length(start, stop, step);
        count(self, Operand::Local(remaining));
        let counter = self.temp(Type::Int);
        self.counters.insert(counter, Counter { start, stop, step });
        self.push(Statement::Assign(counter, Rvalue::Use(start)));
        let (body_b, exhausted) = (self.new_block(), self.new_block());
        let test = |b: &mut Self, then, otherwise| {
            let more = b.assign(
                Type::Bool,
                Rvalue::Binary(
                    BinOp::ICmp(IntCond::Ne),
                    Operand::Local(remaining),
                    Operand::Int(0),
                ),
            );
            b.branch(more, then, otherwise);
        };
        self.enter_rotated(&test, body_b, exhausted);
        let i = Operand::Local(counter);
        body(self, i);
        self.goto(latch);
        // A counted loop: the value after the last one may wrap, unused.
        self.switch_to(latch);
        self.push(Statement::Assign(
            remaining,
            Rvalue::Binary(BinOp::ISub, Operand::Local(remaining), Operand::Int(1)),
        ));
        self.push(Statement::Assign(
            counter,
            Rvalue::Binary(BinOp::IAdd, i, step),
        ));
        test(self, body_b, exhausted);
        self.switch_to(exhausted);
    }

    /// `len(range(start, stop, step))` (`step` not 0) in a new local, as
    /// an unsigned count: exact for every i64 bound.
    fn range_length(&mut self, start: Operand, stop: Operand, step: Operand) -> LocalId {
        let bin = |b: &mut Self, ty: Type, op: BinOp, x: Operand, y: Operand| {
            b.assign(ty, Rvalue::Binary(op, x, y))
        };
        let up = bin(
            self,
            Type::Bool,
            BinOp::ICmp(IntCond::SGt),
            step,
            Operand::Int(0),
        );
        let below = bin(self, Type::Bool, BinOp::ICmp(IntCond::SLt), start, stop);
        let above = bin(self, Type::Bool, BinOp::ICmp(IntCond::SGt), start, stop);
        let nonempty = self.assign(Type::Bool, Rvalue::Select(up, below, above));
        // Both differences wrap into the right unsigned distance.
        let rising = bin(self, Type::Int, BinOp::ISub, stop, start);
        let falling = bin(self, Type::Int, BinOp::ISub, start, stop);
        let distance = self.assign(Type::Int, Rvalue::Select(up, rising, falling));
        let negated = bin(self, Type::Int, BinOp::ISub, Operand::Int(0), step);
        let stride = self.assign(Type::Int, Rvalue::Select(up, step, negated));
        let last = bin(self, Type::Int, BinOp::ISub, distance, Operand::Int(1));
        let steps = bin(self, Type::Int, BinOp::UDiv, last, stride);
        let count = bin(self, Type::Int, BinOp::IAdd, steps, Operand::Int(1));
        let length = self.temp(Type::Int);
        self.push(Statement::Assign(
            length,
            Rvalue::Select(nonempty, count, Operand::Int(0)),
        ));
        length
    }

    fn print(&mut self, args: &[hir::Expr], sep: &str, end: &str) {
        // Python evaluates every argument before writing anything.
        let values: Vec<Option<Operand>> = args
            .iter()
            .map(|a| match a.kind {
                ExprKind::Str(_) | ExprKind::NoneLit => None,
                _ => Some(self.expr(a)),
            })
            .collect();
        let mut text = String::new();
        for (i, (a, v)) in args.iter().zip(values).enumerate() {
            if i > 0 {
                text.push_str(sep);
            }
            let Some(v) = v else {
                match &a.kind {
                    ExprKind::Str(s) => text.push_str(s),
                    _ => text.push_str("None"),
                }
                continue;
            };
            self.flush_text(&mut text);
            match a.ty {
                Type::Int => self.runtime(None, RtFn::PrintInt, vec![RtArg::Value(v)]),
                Type::Float => self.runtime(None, RtFn::PrintFloat, vec![RtArg::Value(v)]),
                Type::Bool => self.runtime(None, RtFn::PrintBool, vec![RtArg::Value(v)]),
                Type::None => self.runtime(None, RtFn::PrintStr, vec![RtArg::Str("None".into())]),
                ty => self.runtime(None, RtFn::PrintObj, vec![RtArg::Value(v), RtArg::Desc(ty)]),
            };
        }
        text.push_str(end);
        self.flush_text(&mut text);
    }

    /// `print` with a computed separator or terminator.
    fn print_computed(&mut self, args: &[hir::Expr], sep: &hir::Expr, end: &hir::Expr) {
        let values: Vec<Operand> = args.iter().map(|a| self.expr(a)).collect();
        let sep_v = self.expr(sep);
        let end_v = self.expr(end);
        let print = |b: &mut Self, v: Operand, ty: Type| {
            b.runtime(None, RtFn::PrintObj, vec![RtArg::Value(v), RtArg::Desc(ty)]);
        };
        for (i, (a, v)) in args.iter().zip(values).enumerate() {
            if i > 0 {
                print(self, sep_v, Type::Str);
            }
            print(self, v, a.ty);
        }
        print(self, end_v, Type::Str);
    }

    fn flush_text(&mut self, text: &mut String) {
        if !text.is_empty() {
            self.runtime(None, RtFn::PrintStr, vec![RtArg::Str(std::mem::take(text))]);
        }
    }

    /// A copy of `v` in a new temporary.
    fn copy_of(&mut self, v: Operand) -> Operand {
        let ty = match v {
            Operand::Local(l) => self.locals[l.0 as usize].1,
            Operand::Int(_) => Type::Int,
            Operand::Float(_) => Type::Float,
            Operand::Bool(_) => Type::Bool,
        };
        self.assign(ty, Rvalue::Use(v))
    }

    /// Sets the item locals of a tuple kept as its items.
    fn set_items(&mut self, items: &[LocalId], values: Vec<Operand>) {
        for (item, v) in items.iter().zip(values) {
            self.push(Statement::Assign(*item, Rvalue::Use(v)));
        }
    }

    /// A call of function `id`: the arguments in `order` (empty: in
    /// turn; a tuple the callee takes as its items as those), the call,
    /// the propagation of its exception; the locals receiving what it
    /// returns ([`returned_types`]).
    fn call(&mut self, id: FuncId, args: &[hir::Expr], order: &[usize]) -> Vec<LocalId> {
        let mut slots: Vec<Option<Vec<Operand>>> = vec![None; args.len()];
        let evaluation: Vec<usize> = if order.is_empty() {
            (0..args.len()).collect()
        } else {
            order.to_vec()
        };
        let expanded = &self.expanded[id.0 as usize];
        for i in evaluation {
            // Copy locals: a later argument cannot change them, but a
            // copy keeps each argument's value as evaluated.
            let v = if expanded.get(i).copied().unwrap_or(false) {
                self.tuple_items(&args[i])
            } else {
                vec![self.expr(&args[i])]
            };
            slots[i] = Some(v);
        }
        let status = self.temp(Type::Bool);
        let ret = self.module.functions[id.0 as usize].ret;
        let values: Vec<LocalId> = returned_types(ret)
            .into_iter()
            .map(|t| self.temp(t))
            .collect();
        self.push(Statement::Call {
            status,
            values: values.clone(),
            func: id,
            args: slots
                .into_iter()
                .flat_map(|v| v.expect("evaluated"))
                .collect(),
            frames: 0,
        });
        self.propagate_if(Operand::Local(status));
        values
    }

    fn expr(&mut self, e: &hir::Expr) -> Operand {
        match &e.kind {
            ExprKind::Int(v) => Operand::Int(*v),
            ExprKind::Float(v) => Operand::Float(*v),
            ExprKind::Bool(v) => Operand::Bool(*v),
            ExprKind::NoneLit if e.ty.is_heap() => Operand::Int(0),
            ExprKind::NoneLit => Operand::Bool(false),
            ExprKind::Str(s) => self.assign(Type::Str, Rvalue::StrLit(s.clone())),
            ExprKind::Local(id) => match self.unboxed.get(&local(*id)).cloned() {
                // Kept as its items, which `unbox` makes sure are all that
                // is read; boxed should a read of the whole tuple remain.
                Some(items) => {
                    let parts = items
                        .iter()
                        .map(|i| (Operand::Local(*i), self.locals[i.0 as usize].1))
                        .collect();
                    self.build_tuple(e.ty, parts, e.span)
                }
                None => Operand::Local(local(*id)),
            },
            ExprKind::Global(slot) => {
                let base = self.globals_base();
                self.assign(
                    e.ty,
                    Rvalue::Load {
                        base,
                        offset: 8 * *slot as i32,
                    },
                )
            }
            ExprKind::Call(id, args, order) => {
                let ret = self.module.functions[id.0 as usize].ret;
                let values = self.call(*id, args, order);
                if returns_items(ret) {
                    let Type::Tuple(items) = ret else {
                        unreachable!("returns_items: a tuple")
                    };
                    let parts = values
                        .into_iter()
                        .map(Operand::Local)
                        .zip(items.iter().copied())
                        .collect();
                    return self.build_tuple(ret, parts, e.span);
                }
                let value = values.first().copied();
                if let Some(v) = value.filter(|_| ret.is_heap()) {
                    self.owned.push(v);
                }
                value.map_or(Operand::Bool(false), Operand::Local)
            }
            ExprKind::Arith(op, l, r) => {
                let (a, b) = (self.expr(l), self.expr(r));
                if l.ty == Type::Float {
                    self.float_arith(*op, a, b, e.span)
                } else {
                    self.int_arith(*op, a, b, e.span)
                }
            }
            ExprKind::Neg(x) => {
                let v = self.expr(x);
                if x.ty == Type::Float {
                    self.assign(Type::Float, Rvalue::Unary(UnOp::FNeg, v))
                } else {
                    self.checked(CheckedOp::Sub, Operand::Int(0), v, e.span)
                }
            }
            ExprKind::Invert(x) => self.unary(UnOp::BNot, Type::Int, x),
            ExprKind::Not(x) => self.unary(UnOp::Not, Type::Bool, x),
            ExprKind::Truthy(x) => {
                let v = self.expr(x);
                self.truth(v, x.ty)
            }
            ExprKind::Compare(first, rest) => self.compare(first, rest),
            ExprKind::And(l, r) | ExprKind::Or(l, r) if e.ty.is_heap() => {
                self.heap_and_or(matches!(e.kind, ExprKind::And(..)), l, r)
            }
            ExprKind::IfExp(c, t, f) if e.ty.is_heap() => self.heap_if_exp(c, t, f),
            ExprKind::And(l, r) | ExprKind::Or(l, r) => {
                let is_and = matches!(e.kind, ExprKind::And(..));
                let result = self.temp(e.ty);
                let lv = self.expr(l);
                self.push(Statement::Assign(result, Rvalue::Use(lv)));
                let truth = self.truth(lv, l.ty);
                let (rhs, join) = (self.new_block(), self.new_block());
                if is_and {
                    self.branch(truth, rhs, join);
                } else {
                    self.branch(truth, join, rhs);
                }
                self.switch_to(rhs);
                let rv = self.expr(r);
                self.push(Statement::Assign(result, Rvalue::Use(rv)));
                self.goto(join);
                self.switch_to(join);
                Operand::Local(result)
            }
            ExprKind::IfExp(c, t, f) => {
                let result = self.temp(e.ty);
                let cv = self.expr(c);
                let (tb, fb, join) = (self.new_block(), self.new_block(), self.new_block());
                self.branch(cv, tb, fb);
                self.switch_to(tb);
                let tv = self.expr(t);
                self.push(Statement::Assign(result, Rvalue::Use(tv)));
                self.goto(join);
                self.switch_to(fb);
                let fv = self.expr(f);
                self.push(Statement::Assign(result, Rvalue::Use(fv)));
                self.goto(join);
                self.switch_to(join);
                Operand::Local(result)
            }
            ExprKind::IntToFloat(x) => self.unary(UnOp::IntToFloat, Type::Float, x),
            ExprKind::BoolToInt(x) => self.unary(UnOp::BoolToInt, Type::Int, x),
            ExprKind::FloatToInt(x) => {
                let v = self.expr(x);
                let args = vec![RtArg::Ctx, RtArg::Value(v), RtArg::Site(e.span)];
                self.runtime(Some(Type::Int), RtFn::FloatToInt, args)
                    .expect("returns an int")
            }
            ExprKind::Abs(x) => {
                let v = self.expr(x);
                if x.ty == Type::Float {
                    self.assign(Type::Float, Rvalue::Unary(UnOp::FAbs, v))
                } else {
                    let negated = self.checked(CheckedOp::Sub, Operand::Int(0), v, e.span);
                    let negative = self.assign(
                        Type::Bool,
                        Rvalue::Binary(BinOp::ICmp(IntCond::SLt), v, Operand::Int(0)),
                    );
                    self.assign(Type::Int, Rvalue::Select(negative, negated, v))
                }
            }
            ExprKind::MinMax(is_max, args) => {
                // CPython keeps the first of equal values: a later argument
                // replaces the current one only if strictly better.
                let mut acc = self.expr(&args[0]);
                for a in &args[1..] {
                    let v = self.expr(a);
                    let op = match (a.ty, is_max) {
                        (Type::Float, true) => BinOp::FCmp(FloatCond::Gt),
                        (Type::Float, false) => BinOp::FCmp(FloatCond::Lt),
                        (_, true) => BinOp::ICmp(IntCond::SGt),
                        (_, false) => BinOp::ICmp(IntCond::SLt),
                    };
                    let better = self.assign(Type::Bool, Rvalue::Binary(op, v, acc));
                    acc = self.assign(a.ty, Rvalue::Select(better, v, acc));
                }
                acc
            }
            _ => self.heap_expr(e),
        }
    }

    /// `op` applied to the value of `x`, giving a `ty`.
    fn unary(&mut self, op: UnOp, ty: Type, x: &hir::Expr) -> Operand {
        let v = self.expr(x);
        self.assign(ty, Rvalue::Unary(op, v))
    }

    /// Python truthiness of a value of type `ty`.
    fn truth(&mut self, v: Operand, ty: Type) -> Operand {
        match ty {
            Type::Float => self.assign(
                Type::Bool,
                Rvalue::Binary(BinOp::FCmp(FloatCond::Ne), v, Operand::Float(0.0)),
            ),
            Type::Int => self.assign(
                Type::Bool,
                Rvalue::Binary(BinOp::ICmp(IntCond::Ne), v, Operand::Int(0)),
            ),
            Type::Bool => v,
            Type::None => Operand::Bool(false),
            ty => self.heap_truth(v, ty),
        }
    }

    fn checked(&mut self, op: CheckedOp, a: Operand, b: Operand, span: Span) -> Operand {
        let (value, overflow) = (self.temp(Type::Int), self.temp(Type::Bool));
        self.push(Statement::CheckedArith {
            value,
            overflow,
            op,
            a,
            b,
        });
        self.raise_if(
            Operand::Local(overflow),
            ExcKind::OverflowError,
            INT_OVERFLOW_MESSAGE,
            span,
        );
        Operand::Local(value)
    }

    /// Whether `v` is known never to be negative.
    fn is_nonneg(&self, v: Operand) -> bool {
        match v {
            Operand::Int(k) => k >= 0,
            Operand::Local(l) => self.nonneg.contains(&l),
            _ => false,
        }
    }

    /// Records that `v` (a local) is never negative.
    fn mark_nonneg(&mut self, v: Operand) -> Operand {
        if let Operand::Local(l) = v {
            self.nonneg.insert(l);
        }
        v
    }

    fn int_arith(&mut self, op: ArithOp, a: Operand, b: Operand, span: Span) -> Operand {
        let cmp = |s: &mut Self, cond, x, y| {
            s.assign(Type::Bool, Rvalue::Binary(BinOp::ICmp(cond), x, y))
        };
        let both_nonneg = self.is_nonneg(a) && self.is_nonneg(b);
        match op {
            ArithOp::Add | ArithOp::Mul => {
                let op = if op == ArithOp::Add {
                    CheckedOp::Add
                } else {
                    CheckedOp::Mul
                };
                let v = self.checked(op, a, b, span);
                // Without overflow, a sum or product of non-negatives is one.
                if both_nonneg {
                    self.mark_nonneg(v);
                }
                v
            }
            ArithOp::Sub => self.checked(CheckedOp::Sub, a, b, span),
            ArithOp::FloorDiv | ArithOp::Mod if matches!(b, Operand::Int(k) if k > 0) => {
                // A positive constant divisor: no zero or -1 case, and a
                // non-negative dividend needs no rounding fixup.
                let r = self.positive_divisor(op == ArithOp::FloorDiv, a, b);
                if op == ArithOp::Mod || self.is_nonneg(a) {
                    self.mark_nonneg(r);
                }
                r
            }
            ArithOp::Div => {
                let zero = cmp(self, IntCond::Eq, b, Operand::Int(0));
                self.raise_if(zero, ExcKind::ZeroDivisionError, "division by zero", span);
                let args = vec![RtArg::Value(a), RtArg::Value(b)];
                self.runtime(Some(Type::Float), RtFn::IntTrueDiv, args)
                    .expect("returns a float")
            }
            ArithOp::FloorDiv | ArithOp::Mod => {
                let floor = op == ArithOp::FloorDiv;
                let zero = cmp(self, IntCond::Eq, b, Operand::Int(0));
                let message = if floor {
                    "integer division or modulo by zero"
                } else {
                    "integer modulo by zero"
                };
                self.raise_if(zero, ExcKind::ZeroDivisionError, message, span);
                // A divisor of -1 is special: the machine division of i64::MIN
                // by -1 traps, and Python's results are -a and 0.
                let result = self.temp(Type::Int);
                let (minus_one, general, join) =
                    (self.new_block(), self.new_block(), self.new_block());
                let is_minus_one = cmp(self, IntCond::Eq, b, Operand::Int(-1));
                self.branch(is_minus_one, minus_one, general);
                self.switch_to(minus_one);
                let special = if floor {
                    self.checked(CheckedOp::Sub, Operand::Int(0), a, span)
                } else {
                    Operand::Int(0)
                };
                self.push(Statement::Assign(result, Rvalue::Use(special)));
                self.goto(join);
                self.switch_to(general);
                // The truncated quotient (for `//`), and the remainder from
                // it (`a - q * b`, exact: one division) or on its own.
                let q = floor.then(|| self.assign(Type::Int, Rvalue::Binary(BinOp::SDiv, a, b)));
                let r = match q {
                    Some(q) => {
                        let product = self.assign(Type::Int, Rvalue::Binary(BinOp::IMul, q, b));
                        self.assign(Type::Int, Rvalue::Binary(BinOp::ISub, a, product))
                    }
                    None => self.assign(Type::Int, Rvalue::Binary(BinOp::SRem, a, b)),
                };
                // Round toward negative infinity: adjust when the remainder is
                // nonzero and its sign differs from the divisor's.
                let nonzero = cmp(self, IntCond::Ne, r, Operand::Int(0));
                let signs = self.assign(Type::Int, Rvalue::Binary(BinOp::Xor, r, b));
                let differ = cmp(self, IntCond::SLt, signs, Operand::Int(0));
                let adjust = self.assign(Type::Bool, Rvalue::Binary(BinOp::And, nonzero, differ));
                let value = if let Some(q) = q {
                    let one = self.assign(Type::Int, Rvalue::Unary(UnOp::BoolToInt, adjust));
                    self.assign(Type::Int, Rvalue::Binary(BinOp::ISub, q, one))
                } else {
                    let plus = self.assign(Type::Int, Rvalue::Binary(BinOp::IAdd, r, b));
                    self.assign(Type::Int, Rvalue::Select(adjust, plus, r))
                };
                self.push(Statement::Assign(result, Rvalue::Use(value)));
                self.goto(join);
                self.switch_to(join);
                Operand::Local(result)
            }
            ArithOp::Pow => {
                let args = vec![
                    RtArg::Ctx,
                    RtArg::Value(a),
                    RtArg::Value(b),
                    RtArg::Site(span),
                ];
                self.runtime(Some(Type::Int), RtFn::IntPow, args)
                    .expect("returns an int")
            }
            ArithOp::BitAnd => self.assign(Type::Int, Rvalue::Binary(BinOp::And, a, b)),
            ArithOp::BitOr => self.assign(Type::Int, Rvalue::Binary(BinOp::Or, a, b)),
            ArithOp::BitXor => self.assign(Type::Int, Rvalue::Binary(BinOp::Xor, a, b)),
            ArithOp::Shl | ArithOp::Shr => {
                let negative = cmp(self, IntCond::SLt, b, Operand::Int(0));
                self.raise_if(negative, ExcKind::ValueError, "negative shift count", span);
                let amount =
                    self.assign(Type::Int, Rvalue::Binary(BinOp::UMin, b, Operand::Int(63)));
                if op == ArithOp::Shr {
                    // Shifting right by 63 already gives 0 or -1.
                    return self.assign(Type::Int, Rvalue::Binary(BinOp::SShr, a, amount));
                }
                let big = cmp(self, IntCond::SGt, b, Operand::Int(63));
                let shifted = self.assign(Type::Int, Rvalue::Binary(BinOp::Shl, a, amount));
                let back = self.assign(Type::Int, Rvalue::Binary(BinOp::SShr, shifted, amount));
                let lost = cmp(self, IntCond::Ne, back, a);
                let nonzero = cmp(self, IntCond::Ne, a, Operand::Int(0));
                let big_nonzero = self.assign(Type::Bool, Rvalue::Binary(BinOp::And, big, nonzero));
                let overflow =
                    self.assign(Type::Bool, Rvalue::Binary(BinOp::Or, lost, big_nonzero));
                self.raise_if(overflow, ExcKind::OverflowError, INT_OVERFLOW_MESSAGE, span);
                self.assign(Type::Int, Rvalue::Select(big, Operand::Int(0), shifted))
            }
        }
    }

    /// For `a % b` compared with `0` (`a % b == 0`, `!=`): a remainder
    /// that is zero exactly when Python's is, the truncated one (its sign
    /// does not matter, so no rounding fixup); a divisor of -1, whose
    /// machine division of `i64::MIN` traps, divides as 1 (both leave no
    /// remainder). `None` (nothing lowered) for any other comparison.
    fn divisibility(&mut self, left: &hir::Expr, right: &hir::Expr) -> Option<Operand> {
        let (ExprKind::Arith(ArithOp::Mod, a, b), ExprKind::Int(0)) = (&left.kind, &right.kind)
        else {
            return None;
        };
        if a.ty != Type::Int || b.ty != Type::Int {
            return None;
        }
        let (a, b) = (self.expr(a), self.expr(b));
        Some(match b {
            Operand::Int(k) if k > 0 && k.count_ones() == 1 => self.assign(
                Type::Int,
                Rvalue::Binary(BinOp::And, a, Operand::Int(k - 1)),
            ),
            Operand::Int(k) if k > 0 => self.assign(Type::Int, Rvalue::Binary(BinOp::SRem, a, b)),
            Operand::Int(_) => self.int_arith(ArithOp::Mod, a, b, left.span),
            _ => {
                let zero = self.assign(
                    Type::Bool,
                    Rvalue::Binary(BinOp::ICmp(IntCond::Eq), b, Operand::Int(0)),
                );
                let message = "integer modulo by zero";
                self.raise_if(zero, ExcKind::ZeroDivisionError, message, left.span);
                let minus_one = self.assign(
                    Type::Bool,
                    Rvalue::Binary(BinOp::ICmp(IntCond::Eq), b, Operand::Int(-1)),
                );
                let divisor = self.assign(Type::Int, Rvalue::Select(minus_one, Operand::Int(1), b));
                self.assign(Type::Int, Rvalue::Binary(BinOp::SRem, a, divisor))
            }
        })
    }

    /// `a // b` or `a % b` for a constant `b > 0`.
    fn positive_divisor(&mut self, floor: bool, a: Operand, b: Operand) -> Operand {
        if let Operand::Int(k) = b {
            if k.count_ones() == 1 {
                // Floor division by 2**n is an arithmetic shift and the floor
                // remainder a mask, whatever the sign of `a`.
                let (op, by) = if floor {
                    (BinOp::SShr, i64::from(k.trailing_zeros()))
                } else {
                    (BinOp::And, k - 1)
                };
                return self.assign(Type::Int, Rvalue::Binary(op, a, Operand::Int(by)));
            }
        }
        if self.is_nonneg(a) {
            let op = if floor { BinOp::UDiv } else { BinOp::URem };
            return self.assign(Type::Int, Rvalue::Binary(op, a, b));
        }
        let r = self.assign(Type::Int, Rvalue::Binary(BinOp::SRem, a, b));
        // Round toward negative infinity: a negative remainder moves down.
        let negative = self.assign(
            Type::Bool,
            Rvalue::Binary(BinOp::ICmp(IntCond::SLt), r, Operand::Int(0)),
        );
        if floor {
            let q = self.assign(Type::Int, Rvalue::Binary(BinOp::SDiv, a, b));
            let one = self.assign(Type::Int, Rvalue::Unary(UnOp::BoolToInt, negative));
            self.assign(Type::Int, Rvalue::Binary(BinOp::ISub, q, one))
        } else {
            let plus = self.assign(Type::Int, Rvalue::Binary(BinOp::IAdd, r, b));
            self.assign(Type::Int, Rvalue::Select(negative, plus, r))
        }
    }

    fn float_arith(&mut self, op: ArithOp, a: Operand, b: Operand, span: Span) -> Operand {
        let zero_check = |s: &mut Self, message: &str| {
            let zero = s.assign(
                Type::Bool,
                Rvalue::Binary(BinOp::FCmp(FloatCond::Eq), b, Operand::Float(0.0)),
            );
            s.raise_if(zero, ExcKind::ZeroDivisionError, message, span);
        };
        let binary = |s: &mut Self, op| s.assign(Type::Float, Rvalue::Binary(op, a, b));
        match op {
            ArithOp::Add => binary(self, BinOp::FAdd),
            ArithOp::Sub => binary(self, BinOp::FSub),
            ArithOp::Mul => binary(self, BinOp::FMul),
            ArithOp::Div => {
                zero_check(self, "float division by zero");
                binary(self, BinOp::FDiv)
            }
            ArithOp::FloorDiv | ArithOp::Mod => {
                let (message, func) = if op == ArithOp::FloorDiv {
                    ("float floor division by zero", RtFn::FloatFloorDiv)
                } else {
                    ("float modulo", RtFn::FloatMod)
                };
                zero_check(self, message);
                self.runtime(
                    Some(Type::Float),
                    func,
                    vec![RtArg::Value(a), RtArg::Value(b)],
                )
                .expect("returns a float")
            }
            ArithOp::Pow => {
                let args = vec![
                    RtArg::Ctx,
                    RtArg::Value(a),
                    RtArg::Value(b),
                    RtArg::Site(span),
                ];
                self.runtime(Some(Type::Float), RtFn::FloatPow, args)
                    .expect("returns a float")
            }
            _ => unreachable!("checker: bit operators take ints"),
        }
    }

    fn compare(&mut self, first: &hir::Expr, rest: &[(CmpOp, hir::Expr)]) -> Operand {
        if let [(op @ (CmpOp::Eq | CmpOp::Ne), right)] = rest {
            if let Some(r) = self.divisibility(first, right) {
                return self.compare_one(*op, r, Type::Int, Operand::Int(0), Type::Int);
            }
        }
        if let [(op, right)] = rest {
            let lv = self.expr(first);
            let rv = self.expr(right);
            return self.compare_one(*op, lv, first.ty, rv, right.ty);
        }
        let result = self.temp(Type::Bool);
        let done = self.new_block();
        let mut left = self.expr(first);
        let mut left_ty = first.ty;
        for (i, (op, right)) in rest.iter().enumerate() {
            let rv = self.expr(right);
            let c = self.compare_one(*op, left, left_ty, rv, right.ty);
            self.push(Statement::Assign(result, Rvalue::Use(c)));
            if i + 1 == rest.len() {
                self.goto(done);
            } else {
                // Stop at the first false comparison; each operand is
                // evaluated at most once.
                let next = self.new_block();
                self.branch(c, next, done);
                self.switch_to(next);
            }
            left = rv;
            left_ty = right.ty;
        }
        self.switch_to(done);
        Operand::Local(result)
    }

    fn compare_one(&mut self, op: CmpOp, a: Operand, at: Type, b: Operand, bt: Type) -> Operand {
        if at.is_heap() {
            return self.heap_compare(op, a, b, at);
        }
        let rvalue = match (at, bt) {
            (Type::Float, Type::Float) => {
                let cond = match op {
                    CmpOp::Eq => FloatCond::Eq,
                    CmpOp::Ne => FloatCond::Ne,
                    CmpOp::Lt => FloatCond::Lt,
                    CmpOp::Le => FloatCond::Le,
                    CmpOp::Gt => FloatCond::Gt,
                    CmpOp::Ge => FloatCond::Ge,
                };
                Rvalue::Binary(BinOp::FCmp(cond), a, b)
            }
            (Type::Int, Type::Float) | (Type::Float, Type::Int) => {
                // Exact comparison in the runtime: -1, 0, 1, or 2 (NaN).
                let (i, f, flipped) = if at == Type::Int {
                    (a, b, false)
                } else {
                    (b, a, true)
                };
                let r = self
                    .runtime(
                        Some(Type::Int),
                        RtFn::IntFloatCmp,
                        vec![RtArg::Value(i), RtArg::Value(f)],
                    )
                    .expect("returns an int");
                let op = match (flipped, op) {
                    (true, CmpOp::Lt) => CmpOp::Gt,
                    (true, CmpOp::Le) => CmpOp::Ge,
                    (true, CmpOp::Gt) => CmpOp::Lt,
                    (true, CmpOp::Ge) => CmpOp::Le,
                    (_, other) => other,
                };
                let (cond, rhs) = match op {
                    CmpOp::Eq => (IntCond::Eq, 0),
                    CmpOp::Ne => (IntCond::Ne, 0),
                    CmpOp::Lt => (IntCond::Eq, -1),
                    CmpOp::Gt => (IntCond::Eq, 1),
                    CmpOp::Le => (IntCond::SLe, 0),
                    CmpOp::Ge => (IntCond::ULe, 1),
                };
                Rvalue::Binary(BinOp::ICmp(cond), r, Operand::Int(rhs))
            }
            (Type::None, Type::None) => return Operand::Bool(op == CmpOp::Eq),
            (Type::Bool, _) => {
                let cond = match op {
                    CmpOp::Lt => IntCond::ULt,
                    CmpOp::Le => IntCond::ULe,
                    CmpOp::Gt => IntCond::UGt,
                    CmpOp::Ge => IntCond::UGe,
                    other => IntCond::signed(other),
                };
                Rvalue::Binary(BinOp::ICmp(cond), a, b)
            }
            _ => Rvalue::Binary(BinOp::ICmp(IntCond::signed(op)), a, b),
        };
        self.assign(Type::Bool, rvalue)
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Local(l) => write!(f, "_{}", l.0),
            Operand::Int(v) => write!(f, "{v}"),
            Operand::Float(v) => write!(f, "{v:?}"),
            Operand::Bool(v) => write!(f, "{v}"),
        }
    }
}

impl fmt::Display for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<String> = self.params.iter().map(|p| format!("_{}", p.0)).collect();
        writeln!(
            f,
            "fn {}({}) -> {} {{",
            self.name,
            params.join(", "),
            self.ret.name()
        )?;
        for (i, (name, ty)) in self.locals.iter().enumerate() {
            writeln!(f, "    let _{i}: {} // {name}", ty.name())?;
        }
        for (i, block) in self.blocks.iter().enumerate() {
            writeln!(f, "  bb{i}:")?;
            for s in &block.statements {
                writeln!(f, "    {s:?}")?;
            }
            writeln!(f, "    {:?}", block.terminator)?;
        }
        writeln!(f, "}}")
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for body in self
            .functions
            .iter()
            .chain(&self.init)
            .chain([&self.script])
        {
            writeln!(f, "{body}")?;
        }
        Ok(())
    }
}
