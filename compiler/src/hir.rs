//! The typed intermediate representation `check` produces and `codegen` and
//! `interface` consume: names resolved, every expression typed, implicit
//! conversions explicit, Python's evaluation rules spelled out.

use crate::diag::Span;

/// A Roast type.
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
    /// `str` (only literals so far).
    Str,
}

impl Type {
    /// The type as Python spells it.
    pub fn name(self) -> &'static str {
        match self {
            Type::Int => "int",
            Type::Float => "float",
            Type::Bool => "bool",
            Type::None => "None",
            Type::Str => "str",
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
        /// The message (a literal).
        message: Option<String>,
        /// The `assert` statement.
        span: Span,
    },
    /// `print(args, sep=sep, end=end)`
    Print {
        /// The printed values.
        args: Vec<Expr>,
        /// Separator.
        sep: String,
        /// Terminator.
        end: String,
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
}
