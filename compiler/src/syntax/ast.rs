//! The abstract syntax tree the parser produces: Python syntax, with spans.
//!
//! The tree covers more syntax than the checker accepts, so that constructs
//! outside the implemented subset get a precise "not supported" diagnostic
//! from `check` instead of a parse error.

use crate::diag::Span;

/// One parsed `.roast` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// The module docstring, if the file starts with a string literal.
    pub docstring: Option<String>,
    /// Top-level statements in source order (defs included).
    pub body: Vec<Stmt>,
}

/// An identifier with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name as written.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// What kind of statement.
    pub kind: StmtKind,
    /// The whole statement (first line for compound statements' headers).
    pub span: Span,
}

/// The statement forms.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `def name[T](params) -> ret: body`
    FunctionDef(FunctionDef),
    /// `class Name(Base): body`
    ClassDef(ClassDef),
    /// `return [value]`
    Return(Option<Expr>),
    /// `a = b = value` (one or more targets).
    Assign {
        /// Targets, left to right.
        targets: Vec<Expr>,
        /// The assigned value.
        value: Expr,
    },
    /// `target: annotation [= value]`
    AnnAssign {
        /// The annotated target.
        target: Expr,
        /// The type annotation.
        annotation: Expr,
        /// The value, if any.
        value: Option<Expr>,
    },
    /// `target op= value`
    AugAssign {
        /// The target.
        target: Expr,
        /// The operator (`+` for `+=`).
        op: BinOp,
        /// The right-hand side.
        value: Expr,
    },
    /// `if test: body elif ...: ... else: orelse` (`elif` nests as an `If` in `orelse`).
    If {
        /// The condition.
        test: Expr,
        /// The then-branch.
        body: Vec<Stmt>,
        /// The else-branch (empty when absent).
        orelse: Vec<Stmt>,
    },
    /// `while test: body else: orelse`
    While {
        /// The condition.
        test: Expr,
        /// The loop body.
        body: Vec<Stmt>,
        /// Runs when the loop ends without `break`.
        orelse: Vec<Stmt>,
    },
    /// `for target in iter: body else: orelse`
    For {
        /// The loop target (a name or a tuple of targets).
        target: Expr,
        /// The iterated expression.
        iter: Expr,
        /// The loop body.
        body: Vec<Stmt>,
        /// Runs when the loop ends without `break`.
        orelse: Vec<Stmt>,
    },
    /// `break`
    Break,
    /// `continue`
    Continue,
    /// `pass`
    Pass,
    /// An expression evaluated for its effect (also docstrings inside bodies).
    Expr(Expr),
    /// `assert test[, msg]`
    Assert {
        /// The asserted condition.
        test: Expr,
        /// The message expression.
        msg: Option<Expr>,
    },
    /// `import a.b [as c], ...`
    Import(Vec<ImportName>),
    /// `from module import names` (`level` counts leading dots).
    ImportFrom {
        /// The module path (`None` for `from . import x`).
        module: Option<String>,
        /// Imported names (`*` is a single name `*`).
        names: Vec<ImportName>,
        /// Number of leading dots.
        level: u32,
    },
    /// `global a, b`
    Global(Vec<Ident>),
    /// `nonlocal a, b`
    Nonlocal(Vec<Ident>),
    /// `del a, b[k]`
    Delete(Vec<Expr>),
    /// `raise [exc [from cause]]`
    Raise {
        /// The raised exception.
        exc: Option<Expr>,
        /// The `from` cause.
        cause: Option<Expr>,
    },
    /// `try: ... except ...: ... else: ... finally: ...`
    Try {
        /// The protected body.
        body: Vec<Stmt>,
        /// The `except` clauses.
        handlers: Vec<ExceptHandler>,
        /// Runs when the body raised nothing.
        orelse: Vec<Stmt>,
        /// Always runs.
        finalbody: Vec<Stmt>,
    },
    /// `with items: body`
    With {
        /// The context expressions.
        items: Vec<(Expr, Option<Expr>)>,
        /// The body.
        body: Vec<Stmt>,
    },
    /// Syntax the parser recognised but the language rejects outright
    /// (`async def`, `match`, ...); the string names the construct.
    Unsupported(String),
}

/// One name in an import statement.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportName {
    /// Dotted name as written (`a.b`).
    pub name: String,
    /// `as` alias.
    pub asname: Option<Ident>,
    /// Location of the name.
    pub span: Span,
}

/// One `except` clause.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptHandler {
    /// The exception type expression (`None` for a bare `except:`).
    pub typ: Option<Expr>,
    /// The `as` name.
    pub name: Option<Ident>,
    /// The handler body.
    pub body: Vec<Stmt>,
    /// Location of the `except` header.
    pub span: Span,
}

/// A function definition.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    /// The function's name.
    pub name: Ident,
    /// PEP 695 type parameters (`def f[T]`).
    pub type_params: Vec<Ident>,
    /// The parameters.
    pub params: Vec<Param>,
    /// The return annotation.
    pub returns: Option<Expr>,
    /// The body (docstring removed).
    pub body: Vec<Stmt>,
    /// The docstring, if the body starts with a string literal.
    pub docstring: Option<String>,
    /// Decorators, outermost first.
    pub decorators: Vec<Expr>,
}

/// What kind of parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// An ordinary parameter.
    Normal,
    /// `*args`
    VarArgs,
    /// `**kwargs`
    KwArgs,
    /// A parameter after a bare `*` or `*args`.
    KeywordOnly,
}

/// One function parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The parameter's name.
    pub name: Ident,
    /// Its annotation.
    pub annotation: Option<Expr>,
    /// Its default value.
    pub default: Option<Expr>,
    /// Positional, `*args`, `**kwargs` or keyword-only.
    pub kind: ParamKind,
}

/// A class definition.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassDef {
    /// The class name.
    pub name: Ident,
    /// Base-class expressions.
    pub bases: Vec<Expr>,
    /// The class body (docstring removed).
    pub body: Vec<Stmt>,
    /// The docstring.
    pub docstring: Option<String>,
    /// Decorators, outermost first.
    pub decorators: Vec<Expr>,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// The whole expression.
    pub span: Span,
}

/// The expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// An integer literal that fits in `i64` (after the sign is applied by `Unary`).
    Int(i128),
    /// An integer literal too large for `i128`; kept as its digits.
    BigInt(String),
    /// A float literal.
    Float(f64),
    /// An imaginary literal (`1j`), always rejected by the checker.
    Imaginary(f64),
    /// A string literal (adjacent literals already concatenated, escapes decoded).
    Str(String),
    /// A bytes literal, always rejected by the checker.
    Bytes(Vec<u8>),
    /// An f-string: literal and formatted parts.
    FString(Vec<FStringPart>),
    /// `True` / `False`
    Bool(bool),
    /// `None`
    NoneLit,
    /// `...`
    Ellipsis,
    /// A name.
    Name(String),
    /// `left op right`
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `op operand`
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `a and b and c` / `a or b`
    BoolOp {
        /// `and` or `or`.
        op: BoolOp,
        /// Two or more operands.
        values: Vec<Expr>,
    },
    /// `a < b <= c` (one or more comparisons).
    Compare {
        /// The first operand.
        left: Box<Expr>,
        /// Each operator with its right operand.
        rest: Vec<(CmpOp, Expr)>,
    },
    /// `body if test else orelse`
    IfExp {
        /// Condition.
        test: Box<Expr>,
        /// Value when true.
        body: Box<Expr>,
        /// Value when false.
        orelse: Box<Expr>,
    },
    /// `func(args, name=value)`
    Call {
        /// The callee.
        func: Box<Expr>,
        /// Positional arguments (a `*x` argument is `Starred`).
        args: Vec<Expr>,
        /// Keyword arguments (`**x` has no name).
        keywords: Vec<Keyword>,
    },
    /// `value.attr`
    Attribute {
        /// The object.
        value: Box<Expr>,
        /// The attribute name.
        attr: Ident,
    },
    /// `value[index]`
    Subscript {
        /// The indexed object.
        value: Box<Expr>,
        /// The index (a `Slice`, or a `Tuple` for `d[a, b]`).
        index: Box<Expr>,
    },
    /// `lower:upper:step` inside a subscript.
    Slice {
        /// Start.
        lower: Option<Box<Expr>>,
        /// Stop.
        upper: Option<Box<Expr>>,
        /// Step.
        step: Option<Box<Expr>>,
    },
    /// `(a, b)` or `a, b`
    Tuple(Vec<Expr>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{k: v}`
    Dict(Vec<(Expr, Expr)>),
    /// `{a, b}`
    Set(Vec<Expr>),
    /// `[elt for ...]`
    ListComp {
        /// The element.
        elt: Box<Expr>,
        /// The `for`/`if` clauses.
        generators: Vec<Comprehension>,
    },
    /// `{elt for ...}`
    SetComp {
        /// The element.
        elt: Box<Expr>,
        /// The `for`/`if` clauses.
        generators: Vec<Comprehension>,
    },
    /// `{key: value for ...}`
    DictComp {
        /// The key.
        key: Box<Expr>,
        /// The value.
        value: Box<Expr>,
        /// The `for`/`if` clauses.
        generators: Vec<Comprehension>,
    },
    /// `(elt for ...)`
    GeneratorExp {
        /// The element.
        elt: Box<Expr>,
        /// The `for`/`if` clauses.
        generators: Vec<Comprehension>,
    },
    /// `lambda params: body`
    Lambda {
        /// The parameters.
        params: Vec<Param>,
        /// The body expression.
        body: Box<Expr>,
    },
    /// `*value` in a call or a target.
    Starred(Box<Expr>),
    /// `name := value`
    NamedExpr {
        /// The bound name.
        target: Ident,
        /// The value.
        value: Box<Expr>,
    },
    /// `await x`, `yield x`, `yield from x`: always rejected; the string names it.
    Unsupported(String, Option<Box<Expr>>),
}

/// One part of an f-string.
#[derive(Debug, Clone, PartialEq)]
pub enum FStringPart {
    /// Literal text (escapes and `{{`/`}}` decoded).
    Literal(String),
    /// A replacement field `{expr!conv:spec}`; `expr_text` is set for `{expr=}`
    /// and holds the text up to and including `=` (with its spacing).
    Field {
        /// The formatted expression.
        expr: Box<Expr>,
        /// `r`, `s` or `a` after `!`.
        conversion: Option<char>,
        /// The format spec (may itself contain fields).
        spec: Vec<FStringPart>,
        /// For `{x=}`: the literal text to print before the value.
        debug_text: Option<String>,
    },
}

/// A keyword argument at a call site.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    /// The keyword (`None` for `**mapping`).
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
    /// The whole `name=value`.
    pub span: Span,
}

/// One `for target in iter if cond...` clause of a comprehension.
#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    /// The loop target.
    pub target: Expr,
    /// The iterated expression.
    pub iter: Expr,
    /// `if` filters.
    pub ifs: Vec<Expr>,
}

/// Binary operators (also the operators of augmented assignment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `@`
    MatMul,
    /// `<<`
    LShift,
    /// `>>`
    RShift,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `&`
    BitAnd,
}

impl BinOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::MatMul => "@",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::BitAnd => "&",
        }
    }
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `not x`
    Not,
    /// `~x`
    Invert,
}

/// `and` / `or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolOp {
    /// `and`
    And,
    /// `or`
    Or,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtE,
    /// `>`
    Gt,
    /// `>=`
    GtE,
    /// `is`
    Is,
    /// `is not`
    IsNot,
    /// `in`
    In,
    /// `not in`
    NotIn,
}

impl CmpOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::NotEq => "!=",
            CmpOp::Lt => "<",
            CmpOp::LtE => "<=",
            CmpOp::Gt => ">",
            CmpOp::GtE => ">=",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
        }
    }
}
