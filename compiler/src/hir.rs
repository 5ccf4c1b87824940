//! The typed intermediate representation `check` produces and `codegen` and
//! `interface` consume: names resolved, every expression typed, implicit
//! conversions explicit, Python's evaluation rules spelled out.

use crate::diag::Span;
pub use crate::rtabi::RtFn;

/// A Roast type. Compound types point to interned, never-freed parts, so
/// `Type` stays `Copy` and compares structurally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// 64-bit signed `int`.
    Int,
    /// IEEE-754 double `float`.
    Float,
    /// `bool`.
    Bool,
    /// `None`, the unit type.
    None,
    /// `str`.
    Str,
    /// `list[T]`.
    List(&'static Type),
    /// `dict[K, V]`.
    Dict(&'static Type, &'static Type),
    /// `tuple[A, B, ...]`.
    Tuple(&'static [Type]),
    /// `T | None`.
    Optional(&'static Type),
}

/// Interned type parts: each distinct part is leaked once.
fn intern_one(t: Type) -> &'static Type {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashSet<&'static Type>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(t) = seen.get(&t) {
        return t;
    }
    let leaked: &'static Type = Box::leak(Box::new(t));
    seen.insert(leaked);
    leaked
}

fn intern_slice(items: &[Type]) -> &'static [Type] {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashSet<&'static [Type]>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(t) = seen.get(items) {
        return t;
    }
    let leaked: &'static [Type] = Box::leak(items.to_vec().into_boxed_slice());
    seen.insert(leaked);
    leaked
}

impl Type {
    /// `list[item]`.
    pub fn list(item: Type) -> Type {
        Type::List(intern_one(item))
    }

    /// `dict[key, value]`.
    pub fn dict(key: Type, value: Type) -> Type {
        Type::Dict(intern_one(key), intern_one(value))
    }

    /// `tuple[items...]`.
    pub fn tuple(items: &[Type]) -> Type {
        Type::Tuple(intern_slice(items))
    }

    /// The type without its `| None` (itself when not optional).
    pub fn without_none(self) -> Type {
        match self {
            Type::Optional(t) => *t,
            t => t,
        }
    }

    /// `inner | None` (`inner` itself when it is already optional or `None`).
    pub fn optional(inner: Type) -> Type {
        match inner {
            Type::Optional(_) | Type::None => inner,
            _ => Type::Optional(intern_one(inner)),
        }
    }

    /// Whether values of this type are reference-counted heap objects
    /// (`T | None` always is: a scalar inside is boxed).
    pub fn is_heap(self) -> bool {
        matches!(
            self,
            Type::Str | Type::List(_) | Type::Dict(..) | Type::Tuple(_) | Type::Optional(_)
        )
    }

    /// Whether the type can be a dict key (hashable).
    pub fn is_hashable(self) -> bool {
        match self {
            Type::Int | Type::Float | Type::Bool | Type::Str => true,
            Type::Tuple(items) => items.iter().all(|t| t.is_hashable()),
            _ => false,
        }
    }

    /// Whether values of the type can cross into Rust and back: every
    /// type, except tuples of more items than Rust's own tuples implement
    /// traits for (12), at any depth.
    pub fn crosses_to_rust(self) -> bool {
        match self {
            Type::Tuple(items) => items.len() <= 12 && items.iter().all(|t| t.crosses_to_rust()),
            Type::List(t) | Type::Optional(t) => t.crosses_to_rust(),
            Type::Dict(k, v) => k.crosses_to_rust() && v.crosses_to_rust(),
            _ => true,
        }
    }

    /// The type as Python spells it.
    pub fn name(self) -> String {
        match self {
            Type::Int => "int".into(),
            Type::Float => "float".into(),
            Type::Bool => "bool".into(),
            Type::None => "None".into(),
            Type::Str => "str".into(),
            Type::List(t) => format!("list[{}]", t.name()),
            Type::Dict(k, v) => format!("dict[{}, {}]", k.name(), v.name()),
            Type::Tuple(items) => {
                let names: Vec<String> = items.iter().map(|t| t.name()).collect();
                format!("tuple[{}]", names.join(", "))
            }
            Type::Optional(t) => format!("{} | None", t.name()),
        }
    }
}

/// Index of a function in [`Module::functions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(pub u32);

/// Index of a local variable in [`Function::locals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocalId(pub u32);

/// One checked Roast module.
#[derive(Debug, Clone)]
pub struct Module {
    /// The module's path (`geometry`, `shapes.circle`).
    pub name: String,
    /// The source file's display name (used in run-time error locations).
    pub file_name: String,
    /// Module docstring.
    pub docstring: Option<String>,
    /// Every `def`, in source order.
    pub functions: Vec<Function>,
    /// The top-level statements other than `def`s and folded constants, as a
    /// function; `None` when there is nothing to run.
    pub init: Option<Function>,
    /// Every top-level statement, `if __name__ == "__main__":` blocks
    /// included, as a function: what `roastc run` executes.
    pub script: Function,
    /// `main()` when the module defines it and no top-level code calls it
    /// (`roastc run` then calls it itself).
    pub implicit_main: Option<FuncId>,
    /// Module variables functions read (per-thread slots), by slot.
    pub globals: Vec<(String, Type)>,
}

/// What a function is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionRole {
    /// A `def` not starting with `_`, with boundary types: callable from Rust.
    Exported,
    /// A `def test_*()`: exported and also a Rust `#[test]`.
    Test,
    /// Compiled but not exported.
    Private,
    /// Module initialization or the whole script.
    TopLevel,
}

/// A checked function.
#[derive(Debug, Clone)]
pub struct Function {
    /// The name as written.
    pub name: String,
    /// Exported, test, private or top-level code.
    pub role: FunctionRole,
    /// Parameter locals, in order (the first locals).
    pub params: Vec<LocalId>,
    /// The return type.
    pub ret: Type,
    /// Every local, parameters first.
    pub locals: Vec<Local>,
    /// The body.
    pub body: Vec<Stmt>,
    /// The docstring.
    pub docstring: Option<String>,
    /// The `def` header.
    pub span: Span,
}

/// A local variable.
#[derive(Debug, Clone)]
pub struct Local {
    /// Its name (`$n` for compiler temporaries).
    pub name: String,
    /// Its type.
    pub ty: Type,
}

/// A statement.
#[derive(Debug, Clone)]
pub enum Stmt {
    /// `local = value`
    Assign(LocalId, Expr),
    /// `a, b = x, y`: every value is evaluated before any local is assigned.
    ParallelAssign(Vec<(LocalId, Expr)>),
    /// An expression evaluated for its effect.
    Expr(Expr),
    /// `if cond: then else: orelse` (`cond` is a bool).
    If {
        /// The condition.
        cond: Expr,
        /// Then-branch.
        then: Vec<Stmt>,
        /// Else-branch.
        orelse: Vec<Stmt>,
    },
    /// `while cond: body else: orelse`.
    While {
        /// The condition (bool), evaluated before each iteration.
        cond: Expr,
        /// The body.
        body: Vec<Stmt>,
        /// Runs when the loop ends without `break`.
        orelse: Vec<Stmt>,
    },
    /// `for var in range(start, stop, step): body else: orelse`; the bounds
    /// are evaluated once, before the loop; a zero step raises `ValueError`.
    ForRange {
        /// The loop variable.
        var: LocalId,
        /// First value.
        start: Expr,
        /// Bound (exclusive).
        stop: Expr,
        /// Increment.
        step: Expr,
        /// Location of `range(...)` for the zero-step error.
        span: Span,
        /// The body.
        body: Vec<Stmt>,
        /// Runs when the loop ends without `break`.
        orelse: Vec<Stmt>,
    },
    /// `for pattern in iter: body else: orelse` over a container.
    ForEach {
        /// What each item binds.
        pattern: Pattern,
        /// What is iterated.
        iter: Iter,
        /// The body.
        body: Vec<Stmt>,
        /// Runs when the loop ends without `break`.
        orelse: Vec<Stmt>,
    },
    /// `pattern = value` where the value is a tuple unpacked into names.
    Unpack(Pattern, Expr),
    /// `local += value` for a `str` local: appends in place when the string
    /// is not shared.
    StrAppend(LocalId, Expr),
    /// Assigns module variable `slot` (its one definition, at top level).
    SetGlobal(u32, Expr),
    /// `container[index] = value` (list or dict).
    SetItem {
        /// The list or dict.
        container: Expr,
        /// The index or key.
        index: Expr,
        /// The stored value.
        value: Expr,
        /// The statement (for `IndexError`).
        span: Span,
    },
    /// `del container[index]` (list or dict).
    DelItem {
        /// The list or dict.
        container: Expr,
        /// The index or key.
        index: Expr,
        /// The statement.
        span: Span,
    },
    /// `break`
    Break,
    /// `continue`
    Continue,
    /// `return value` (`None` for functions returning `None`).
    Return(Option<Expr>),
    /// `assert cond, message`
    Assert {
        /// The condition (bool).
        cond: Expr,
        /// The message (a `str`, evaluated only when the assertion fails).
        message: Option<Expr>,
        /// The `assert` statement.
        span: Span,
    },
    /// `print(args, sep=sep, end=end)`
    Print {
        /// The printed values.
        args: Vec<Expr>,
        /// Separator (a `str`; usually a literal).
        sep: Expr,
        /// Terminator (a `str`; usually a literal).
        end: Expr,
    },
}

/// A typed expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Type,
    /// Where it is (run-time errors point here).
    pub span: Span,
}

impl Expr {
    /// Whether evaluating the expression runs no Roast code and changes,
    /// frees or replaces no object that exists before it (it may read,
    /// raise, and take references it drops again): what may run while a
    /// borrowed reference to an item of a container is held.
    pub fn is_harmless(&self) -> bool {
        match &self.kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Local(_) => true,
            ExprKind::Neg(x)
            | ExprKind::Invert(x)
            | ExprKind::Not(x)
            | ExprKind::Truthy(x)
            | ExprKind::IntToFloat(x)
            | ExprKind::FloatToInt(x)
            | ExprKind::BoolToInt(x)
            | ExprKind::Abs(x)
            | ExprKind::Len(x) => x.is_harmless(),
            ExprKind::Arith(_, a, b) | ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                !a.ty.is_heap() && a.is_harmless() && b.is_harmless()
            }
            ExprKind::IfExp(c, a, b) => {
                !a.ty.is_heap() && c.is_harmless() && a.is_harmless() && b.is_harmless()
            }
            ExprKind::Compare(first, rest) => {
                !first.ty.is_heap()
                    && first.is_harmless()
                    && rest.iter().all(|(_, x)| x.is_harmless())
            }
            ExprKind::MinMax(_, items) => !self.ty.is_heap() && items.iter().all(Expr::is_harmless),
            ExprKind::Runtime(RtFn::ListGetItem, ops) => ops.iter().all(|o| match o {
                RtOperand::Value(x) => x.is_harmless(),
                RtOperand::Desc(_) | RtOperand::Null => true,
            }),
            _ => false,
        }
    }
}

/// Arithmetic on two operands of the same type (`Int` or `Float`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (int operands give a float)
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
}

/// An ordering or equality comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// The expression forms.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// An int constant.
    Int(i64),
    /// A float constant.
    Float(f64),
    /// A bool constant.
    Bool(bool),
    /// `None`.
    NoneLit,
    /// A string literal.
    Str(String),
    /// Reads a local.
    Local(LocalId),
    /// Reads module variable `slot`.
    Global(u32),
    /// Calls a function of this module with arguments in parameter order;
    /// the indices, when present, give the order in which to evaluate them
    /// (keyword arguments written out of parameter order).
    Call(FuncId, Vec<Expr>, Vec<usize>),
    /// Arithmetic; both operands have the same type (`ty` of the result may
    /// differ: int `/` int is float).
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `-x` (int or float).
    Neg(Box<Expr>),
    /// `~x` (int).
    Invert(Box<Expr>),
    /// `not x` (x is bool).
    Not(Box<Expr>),
    /// Python truthiness of an int, float or None, as a bool.
    Truthy(Box<Expr>),
    /// `first op1 second op2 third...`: each operand evaluated at most once,
    /// stopping at the first false comparison.
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    /// `a and b` (same types): `a` if `a` is falsy, else `b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b` (same types): `a` if `a` is truthy, else `b`.
    Or(Box<Expr>, Box<Expr>),
    /// `then if cond else orelse`.
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
    /// An int converted to float (arithmetic promotion, `float(n)`).
    IntToFloat(Box<Expr>),
    /// `int(x)` of a float (truncation; NaN and infinities raise).
    FloatToInt(Box<Expr>),
    /// A bool as an int (`int(b)`).
    BoolToInt(Box<Expr>),
    /// `abs(x)`.
    Abs(Box<Expr>),
    /// `min(...)`/`max(...)` of same-typed scalars (`true` for max).
    MinMax(bool, Vec<Expr>),
    /// A call of a runtime function; `Ctx` and `Site` parameters are
    /// supplied by lowering (the site is this expression's span), the other
    /// parameters come from the operands in order. A heap result is a new
    /// reference.
    Runtime(RtFn, Vec<RtOperand>),
    /// A list display `[a, b]` of type `ty`.
    List(Vec<Expr>),
    /// A dict display `{k: v}`.
    Dict(Vec<(Expr, Expr)>),
    /// A tuple display `(a, b)`.
    Tuple(Vec<Expr>),
    /// Item `n` of a tuple.
    TupleItem(Box<Expr>, usize),
    /// `len(x)` of a str (code points), list or dict.
    Len(Box<Expr>),
    /// A value of type `T` used as `T | None`.
    Wrap(Box<Expr>),
    /// A `T | None` known not to be `None`, used as `T`.
    Unwrap(Box<Expr>),
    /// `x is None` of an optional; `x is not None` when the flag is set.
    IsNone(Box<Expr>, bool),
    /// Equality or ordering of two heap values of the same type (`a op b`).
    HeapCompare(CmpOp, Box<Expr>, Box<Expr>),
    /// `item in container` (`true`: `not in`).
    Contains(Box<Expr>, Box<Expr>, bool),
    /// `let local = value in body`: `value` is evaluated once, into a
    /// hidden local that `body` reads.
    Let(LocalId, Box<Expr>, Box<Expr>),
    /// The concatenation of `str` parts (f-strings, `str.format`).
    Concat(Vec<Expr>),
    /// `any(elem for ... if ...)` (`all(...)` when `all` is set) of a
    /// generator: the clauses run only until an element (a bool) is true
    /// (false for `all`), as CPython's generator stops being read there.
    AnyOf {
        /// Each item's truth.
        elem: Box<Expr>,
        /// The `for` and `if` clauses, outermost first.
        clauses: Vec<Clause>,
        /// `all(...)` rather than `any(...)`.
        all: bool,
    },
    /// `[elem for ... if ...]` (`Some` key: a dict comprehension).
    Comprehension {
        /// The element (or the value, for a dict).
        elem: Box<Expr>,
        /// The key of a dict comprehension.
        key: Option<Box<Expr>>,
        /// The `for` and `if` clauses, outermost first.
        clauses: Vec<Clause>,
    },
}

/// An operand of [`ExprKind::Runtime`].
#[derive(Debug, Clone)]
pub enum RtOperand {
    /// A value (borrowed).
    Value(Expr),
    /// The type descriptor of a type.
    Desc(Type),
    /// A null pointer (an absent optional argument).
    Null,
}

/// A `for`/comprehension target: a name or a (nested) tuple of names.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// Binds a local.
    Local(LocalId),
    /// Unpacks a tuple item by item.
    Tuple(Vec<Pattern>),
}

/// What a `for` iterates, yielding items of [`Iter::item_type`].
#[derive(Debug, Clone)]
pub enum Iter {
    /// `range(start, stop, step)`; `Span` locates the zero-step error.
    Range(Box<Expr>, Box<Expr>, Box<Expr>, Span),
    /// The items of a list.
    List(Box<Expr>),
    /// The characters of a str.
    Str(Box<Expr>),
    /// The keys of a dict (also `.keys()`).
    DictKeys(Box<Expr>),
    /// `.values()` of a dict.
    DictValues(Box<Expr>),
    /// `.items()` of a dict.
    DictItems(Box<Expr>),
    /// `reversed(list)`.
    Reversed(Box<Expr>),
    /// `enumerate(inner, start)`.
    Enumerate(Box<Iter>, Box<Expr>),
    /// `zip(a, b, ...)`.
    Zip(Vec<Iter>),
}

impl Iter {
    /// The type of the items.
    pub fn item_type(&self) -> Type {
        match self {
            Iter::Range(..) => Type::Int,
            Iter::List(e) | Iter::Reversed(e) => match e.ty {
                Type::List(t) => *t,
                _ => Type::None,
            },
            Iter::Str(_) => Type::Str,
            Iter::DictKeys(e) | Iter::DictValues(e) | Iter::DictItems(e) => match (self, e.ty) {
                (Iter::DictKeys(_), Type::Dict(k, _)) => *k,
                (Iter::DictValues(_), Type::Dict(_, v)) => *v,
                (_, Type::Dict(k, v)) => Type::tuple(&[*k, *v]),
                _ => Type::None,
            },
            Iter::Enumerate(inner, _) => Type::tuple(&[Type::Int, inner.item_type()]),
            Iter::Zip(parts) => {
                let items: Vec<Type> = parts.iter().map(Iter::item_type).collect();
                Type::tuple(&items)
            }
        }
    }
}

/// A clause of a comprehension.
#[derive(Debug, Clone)]
pub enum Clause {
    /// `for pattern in iter`.
    For(Pattern, Iter),
    /// `if cond` (a bool).
    If(Expr),
}

/// The item of `e` when `e` is a one-item list literal whose item is a
/// constant or a local: evaluating it can neither fail nor change
/// anything, so when it is evaluated next to the count does not matter.
pub fn single_plain_item(e: &Expr) -> Option<&Expr> {
    let ExprKind::List(items) = &e.kind else {
        return None;
    };
    let [item] = items.as_slice() else {
        return None;
    };
    let plain = |x: &Expr| {
        matches!(
            x.kind,
            ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::Bool(_)
                | ExprKind::Str(_)
                | ExprKind::NoneLit
                | ExprKind::Local(_)
        )
    };
    let negated_constant = matches!(&item.kind, ExprKind::Neg(x) if matches!(x.kind, ExprKind::Int(1..) | ExprKind::Float(_)));
    (plain(item) || negated_constant).then_some(item)
}
