//! Tokens to AST: a recursive-descent parser for the Python 3.11+ grammar the
//! [`ast`](super::ast) covers, recovering from syntax errors at statement
//! boundaries so that one run reports every independent error.
//!
//! No input can overflow the stack: recursion through nested expressions
//! stops at [`MAX_DEPTH`] levels (and through brackets at the lexer's 200),
//! expression trees (left-nested operator chains such as `1 + 1 + ...`
//! included) at [`MAX_HEIGHT`] levels, `elif` chains at [`MAX_ELIFS`]
//! branches, and blocks at the lexer's 100 indentation levels. Each limit is
//! a diagnostic, not a crash; the parser runs on a thread with a stack that
//! is enough for all of them at once.

use super::ast::*;
use super::lexer::{encoding_error, Diags, FPiece, Field, Kw, Lexer, Op, StrLit, Tok, Token};
use crate::diag::{Diagnostic, FileId, Span};
use std::collections::{HashSet, VecDeque};

/// Deepest recursion through nested expressions: parenthesized ones, lambda
/// bodies, conditional-expression chains, `**` exponents, f-string fields.
/// More than the lexer's 200 brackets, so that too many brackets get
/// CPython's message.
const MAX_DEPTH: u32 = 250;
/// Tallest expression tree: CPython's compiler gives up near 3000 levels, and
/// the derived `Drop`, `Clone` and `Debug` of the AST recurse once per level.
const MAX_HEIGHT: u32 = 3000;
/// Most `elif` branches of one `if` (each nests one level deeper).
const MAX_ELIFS: usize = 1000;

/// Stack of the parser's thread: enough for every nesting the limits allow,
/// even in unoptimized builds (which take up to ~20 KiB per bracket level).
const PARSER_STACK: usize = 64 << 20;

/// Parses one file into a module and the diagnostics of its syntax errors
/// (at most one per logical line).
///
/// The parser recurses once per nesting level, so it runs on a thread of its
/// own with a known stack, whatever thread the caller is on (test threads get
/// 2 MiB). Dropping the returned tree needs far less: it is at most
/// [`MAX_HEIGHT`] levels deep.
pub(crate) fn parse_module(file: FileId, text: &str) -> (Module, Vec<Diagnostic>) {
    let parsed = std::thread::scope(|scope| {
        let parser = std::thread::Builder::new()
            .name("roast-parser".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, || parse_on_this_thread(file, text))
            .ok()?;
        Some(
            parser
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    parsed.unwrap_or_else(|| parse_on_this_thread(file, text))
}

fn parse_on_this_thread(file: FileId, text: &str) -> (Module, Vec<Diagnostic>) {
    let mut diags = Diags::default();
    if let Some(diag) = encoding_error(file, text) {
        diags.report(0, diag);
    }
    let body = Parser::new(file, text, Lexer::new(file, text), &mut diags, 0).module();
    let (docstring, body) = split_docstring(body);
    (Module { docstring, body }, diags.finish())
}

/// Moves a leading string-literal statement out of `body` as its docstring.
fn split_docstring(mut body: Vec<Stmt>) -> (Option<String>, Vec<Stmt>) {
    let is_docstring = matches!(
        body.first(),
        Some(Stmt {
            kind: StmtKind::Expr(Expr {
                kind: ExprKind::Str(_),
                ..
            }),
            ..
        })
    );
    if is_docstring {
        if let StmtKind::Expr(Expr {
            kind: ExprKind::Str(doc),
            ..
        }) = body.remove(0).kind
        {
            return (Some(doc), body);
        }
    }
    (None, body)
}

/// A syntax error was reported (or its line already has a diagnostic).
#[derive(Debug)]
struct Reported;

type PResult<T> = Result<T, Reported>;

/// An expression with the height of its tree (a leaf is 1), so that trees too
/// tall for the recursive passes over them are refused before they exist.
struct Node {
    expr: Expr,
    height: u32,
}

impl Node {
    fn boxed(self) -> Box<Expr> {
        Box::new(self.expr)
    }
}

/// The expressions of `nodes` and the greatest of their heights.
fn unzip(nodes: Vec<Node>) -> (Vec<Expr>, u32) {
    let height = nodes.iter().map(|n| n.height).max().unwrap_or(0);
    (nodes.into_iter().map(|n| n.expr).collect(), height)
}

/// The greatest height among optional nodes.
fn max_height(nodes: &[&Option<Node>]) -> u32 {
    nodes
        .iter()
        .filter_map(|n| n.as_ref().map(|n| n.height))
        .max()
        .unwrap_or(0)
}

/// Whether `tok` can start an expression.
fn starts_expr(tok: &Tok) -> bool {
    match tok {
        Tok::Name(_)
        | Tok::Int(_)
        | Tok::BigInt(_)
        | Tok::Float(_)
        | Tok::Imaginary(_)
        | Tok::Str(_)
        | Tok::Error => true,
        Tok::Kw(kw) => matches!(
            kw,
            Kw::True | Kw::False | Kw::None | Kw::Not | Kw::Lambda | Kw::Await
        ),
        Tok::Op(op) => matches!(
            op,
            Op::LParen
                | Op::LBracket
                | Op::LBrace
                | Op::Minus
                | Op::Plus
                | Op::Tilde
                | Op::Star
                | Op::Ellipsis
        ),
        _ => false,
    }
}

/// The binary operator `tok` stands for and its precedence (higher binds tighter).
fn binary_op(tok: &Tok) -> Option<(BinOp, u8)> {
    let Tok::Op(op) = tok else { return None };
    Some(match op {
        Op::Pipe => (BinOp::BitOr, 1),
        Op::Caret => (BinOp::BitXor, 2),
        Op::Amp => (BinOp::BitAnd, 3),
        Op::LShift => (BinOp::LShift, 4),
        Op::RShift => (BinOp::RShift, 4),
        Op::Plus => (BinOp::Add, 5),
        Op::Minus => (BinOp::Sub, 5),
        Op::Star => (BinOp::Mul, 6),
        Op::Slash => (BinOp::Div, 6),
        Op::DoubleSlash => (BinOp::FloorDiv, 6),
        Op::Percent => (BinOp::Mod, 6),
        Op::At => (BinOp::MatMul, 6),
        _ => return None,
    })
}

/// How diagnostics name an expression of this kind (`cannot assign to ...`).
fn describe(kind: &ExprKind) -> &'static str {
    match kind {
        ExprKind::Int(_)
        | ExprKind::BigInt(_)
        | ExprKind::Float(_)
        | ExprKind::Imaginary(_)
        | ExprKind::Str(_)
        | ExprKind::Bytes(_)
        | ExprKind::Ellipsis => "literal",
        ExprKind::FString(_) => "f-string expression",
        ExprKind::Bool(true) => "True",
        ExprKind::Bool(false) => "False",
        ExprKind::NoneLit => "None",
        ExprKind::Name(_) => "name",
        ExprKind::Attribute { .. } => "attribute",
        ExprKind::Subscript { .. } => "subscript",
        ExprKind::Binary { .. } | ExprKind::Unary { .. } | ExprKind::BoolOp { .. } => "expression",
        ExprKind::Compare { .. } => "comparison",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::Call { .. } => "function call",
        ExprKind::Slice { .. } => "slice",
        ExprKind::Tuple(_) => "tuple",
        ExprKind::List(_) => "list",
        ExprKind::Dict(_) => "dict literal",
        ExprKind::Set(_) => "set display",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::SetComp { .. } => "set comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::Starred(_) => "starred",
        ExprKind::NamedExpr { .. } => "named expression",
        ExprKind::Unsupported(what, _) if what == "await" => "await expression",
        ExprKind::Unsupported(..) => "yield expression",
    }
}

/// Appends literal text to f-string parts, merging with a literal before it.
fn push_literal(parts: &mut Vec<FStringPart>, text: String) {
    if text.is_empty() {
        return;
    }
    match parts.last_mut() {
        Some(FStringPart::Literal(last)) => last.push_str(&text),
        _ => parts.push(FStringPart::Literal(text)),
    }
}

/// Where a target is being assigned (or deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// `target = value`, `with ... as target`.
    Assign,
    /// `for target in ...`, also in comprehensions.
    For,
    /// `del target`.
    Del,
}

/// The parser of one file, or of one f-string field's expression.
struct Parser<'s, 'd> {
    file: FileId,
    src: &'s str,
    lexer: Lexer<'s>,
    diags: &'d mut Diags,
    /// The current token.
    tok: Token,
    /// Tokens after the current one, read ahead.
    ahead: VecDeque<Token>,
    /// The last consumed token's span.
    prev: Span,
    /// Current recursion depth (see [`MAX_DEPTH`]).
    depth: u32,
    /// The last statement had a syntax error and was skipped.
    after_error: bool,
}

impl<'s, 'd> Parser<'s, 'd> {
    fn new(
        file: FileId,
        src: &'s str,
        mut lexer: Lexer<'s>,
        diags: &'d mut Diags,
        depth: u32,
    ) -> Parser<'s, 'd> {
        let tok = lexer.next_token(diags);
        let prev = Span {
            end: tok.span.start,
            ..tok.span
        };
        Parser {
            file,
            src,
            lexer,
            diags,
            tok,
            ahead: VecDeque::new(),
            prev,
            depth,
            after_error: false,
        }
    }

    // ---- tokens ----

    /// The token `n` places after the current one (`0` is the current one).
    fn peek(&mut self, n: usize) -> &Tok {
        if n == 0 {
            return &self.tok.kind;
        }
        while self.ahead.len() < n {
            let token = self.lexer.next_token(self.diags);
            self.ahead.push_back(token);
        }
        &self.ahead[n - 1].kind
    }

    /// Consumes the current token and returns it.
    fn advance(&mut self) -> Token {
        let next = match self.ahead.pop_front() {
            Some(token) => token,
            None => self.lexer.next_token(self.diags),
        };
        let token = std::mem::replace(&mut self.tok, next);
        self.prev = token.span;
        token
    }

    fn start(&self) -> u32 {
        self.tok.span.start
    }

    /// From `start` to the end of the last consumed token.
    fn span_from(&self, start: u32) -> Span {
        Span {
            file: self.file,
            start,
            end: self.prev.end.max(start),
        }
    }

    fn at_op(&self, op: Op) -> bool {
        self.tok.kind == Tok::Op(op)
    }

    fn at_kw(&self, kw: Kw) -> bool {
        self.tok.kind == Tok::Kw(kw)
    }

    fn eat_op(&mut self, op: Op) -> bool {
        let at = self.at_op(op);
        if at {
            self.advance();
        }
        at
    }

    fn eat_kw(&mut self, kw: Kw) -> bool {
        let at = self.at_kw(kw);
        if at {
            self.advance();
        }
        at
    }

    fn expect_op(&mut self, op: Op) -> PResult<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(self.expected(&format!("'{op}'")))
        }
    }

    fn expect_kw(&mut self, kw: Kw) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.expected(&format!("'{}'", kw.text())))
        }
    }

    /// A name, as an identifier; `what` names it in the error.
    fn ident(&mut self, what: &str) -> PResult<Ident> {
        if matches!(self.tok.kind, Tok::Name(_)) {
            let token = self.advance();
            if let Tok::Name(name) = token.kind {
                return Ok(Ident {
                    name,
                    span: token.span,
                });
            }
        }
        Err(self.expected(what))
    }

    // ---- diagnostics ----

    /// Records `diag` for the current logical line.
    fn report(&mut self, diag: Diagnostic) -> Reported {
        self.diags.report(self.tok.line, diag);
        Reported
    }

    fn error(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Reported {
        self.report(Diagnostic::error(span, message).with_label(label))
    }

    /// Where to point at the current token: at a line break, just after the
    /// line's last token; at a block boundary or the end of the file (which
    /// follow a line break), at the end of the line before.
    fn here(&self) -> Span {
        let at = match self.tok.kind {
            Tok::Newline => self.prev.end,
            Tok::Indent | Tok::Dedent | Tok::Eof => self.prev.start,
            _ => return self.tok.span,
        };
        Span::new(self.file, at as usize, at as usize)
    }

    /// `expected {what}` at the current token. Silent at an invalid token:
    /// the lexer reported it.
    fn expected(&mut self, what: &str) -> Reported {
        if self.tok.kind == Tok::Error {
            return Reported;
        }
        let found = self.tok.kind.describe();
        self.error(
            self.here(),
            format!("expected {what}"),
            format!("found {found}"),
        )
    }

    /// `invalid syntax` at the current token (silent at an invalid token).
    fn invalid_syntax(&mut self) -> Reported {
        if self.tok.kind == Tok::Error {
            return Reported;
        }
        let found = self.tok.kind.describe();
        self.error(self.here(), "invalid syntax", format!("unexpected {found}"))
    }

    /// Runs `parse` one recursion level deeper, refusing past [`MAX_DEPTH`].
    fn nested<T>(&mut self, parse: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.depth >= MAX_DEPTH {
            let diag = Diagnostic::error(self.here(), "expression too deeply nested")
                .with_label(format!("more than {MAX_DEPTH} levels of nesting here"))
                .with_help("split it into smaller expressions assigned to variables");
            return Err(self.report(diag));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    /// An expression node from `start` to the last consumed token, one level
    /// above children at most `below` high; refused past [`MAX_HEIGHT`].
    fn node(&mut self, start: u32, kind: ExprKind, below: u32) -> PResult<Node> {
        let height = below + 1;
        if height > MAX_HEIGHT {
            let diag = Diagnostic::error(self.prev, "expression too complex")
                .with_label(format!(
                    "here the expression's syntax tree grows deeper than {MAX_HEIGHT} levels"
                ))
                .with_help("split it into smaller expressions assigned to variables");
            return Err(self.report(diag));
        }
        let span = self.span_from(start);
        Ok(Node {
            expr: Expr { kind, span },
            height,
        })
    }

    // ---- statements ----

    fn module(&mut self) -> Vec<Stmt> {
        let mut body = Vec::new();
        while self.tok.kind != Tok::Eof {
            self.statement(&mut body);
        }
        body
    }

    /// The statements of an indented block, after its INDENT, through its DEDENT.
    fn block(&mut self) -> Vec<Stmt> {
        let mut body = Vec::new();
        loop {
            match self.tok.kind {
                Tok::Eof => break,
                Tok::Dedent => {
                    self.advance();
                    break;
                }
                _ => self.statement(&mut body),
            }
        }
        body
    }

    /// Parses one statement (a compound statement, or a line of simple ones)
    /// into `body`. A statement with a syntax error is reported and skipped.
    fn statement(&mut self, body: &mut Vec<Stmt>) {
        let stmt = if let Some(what) = self.soft_keyword_statement() {
            let start = self.start();
            Some(self.unsupported(start, what))
        } else {
            match self.tok.kind {
                Tok::Indent => {
                    self.advance();
                    let diag = Diagnostic::error(self.tok.span, "unexpected indent")
                        .with_label("this line is indented more than the one before");
                    self.diags.report_indentation(self.tok.line, diag);
                    // Parsed for its own errors, then dropped.
                    self.block();
                    self.after_error = true;
                    return;
                }
                Tok::Kw(Kw::If) => self.if_stmt(),
                Tok::Kw(Kw::While) => self.while_stmt(),
                Tok::Kw(Kw::For) => self.for_stmt(),
                Tok::Kw(Kw::Try) => self.try_stmt(),
                Tok::Kw(Kw::With) => self.with_stmt(),
                Tok::Kw(Kw::Def) => self.function_def(Vec::new()),
                Tok::Kw(Kw::Class) => self.class_def(Vec::new()),
                Tok::Kw(Kw::Async) => self.async_stmt(),
                Tok::Op(Op::At) => self.decorated(),
                Tok::Kw(kw @ (Kw::Elif | Kw::Else | Kw::Except | Kw::Finally)) => {
                    self.stray_clause(kw);
                    return;
                }
                _ => {
                    match self.simple_line(body) {
                        Ok(()) => self.after_error = false,
                        Err(Reported) => self.recover(),
                    }
                    return;
                }
            }
        };
        if let Some(stmt) = stmt {
            body.push(stmt);
            self.after_error = false;
        }
    }

    /// An `else:` (or `elif`, `except`, `finally`) clause with no statement
    /// to continue: reported, unless it follows a statement with a syntax
    /// error or the indentation is broken (then it most likely belongs to a
    /// statement the error cut off), and skipped.
    fn stray_clause(&mut self, kw: Kw) {
        if !self.after_error && !self.diags.indentation_broken() {
            let owners = match kw {
                Kw::Elif => "an 'if'",
                Kw::Else => "an 'if', 'for', 'while' or 'try'",
                _ => "a 'try'",
            };
            let span = self.tok.span;
            self.error(
                span,
                "invalid syntax",
                format!("this '{}' does not continue {owners} statement", kw.text()),
            );
        }
        self.recover();
    }

    /// Skips the rest of a logical line with a syntax error, and then the
    /// block under it, if any (parsed for its own errors, then dropped).
    fn recover(&mut self) {
        loop {
            match self.tok.kind {
                Tok::Eof | Tok::Indent | Tok::Dedent => break,
                Tok::Newline => {
                    self.advance();
                    break;
                }
                _ => {
                    self.advance();
                }
            }
        }
        if self.tok.kind == Tok::Indent {
            self.advance();
            self.block();
        }
        self.after_error = true;
    }

    /// A statement introduced by a soft keyword that the language rejects
    /// (`match x:`, `type X = ...`): what it is, if the current line is one.
    fn soft_keyword_statement(&mut self) -> Option<&'static str> {
        let Tok::Name(name) = &self.tok.kind else {
            return None;
        };
        match name.as_str() {
            // A line starting with `match` and ending with `:` can only be a
            // match statement: an expression statement never ends with `:`.
            "match" => {
                if !starts_expr(self.peek(1)) {
                    return None;
                }
                let mut n = 1;
                while !matches!(self.peek(n + 1), Tok::Newline | Tok::Eof) {
                    n += 1;
                }
                (*self.peek(n) == Tok::Op(Op::Colon)).then_some("match statement")
            }
            "type" => (matches!(self.peek(1), Tok::Name(_))
                && matches!(self.peek(2), Tok::Op(Op::Assign | Op::LBracket)))
            .then_some("type alias statement"),
            _ => None,
        }
    }

    /// Skips a statement the language rejects (`async def`, `match`, ...):
    /// its header line and, if it has one, its block.
    fn unsupported(&mut self, start: u32, what: &str) -> Stmt {
        let mut brackets = 0usize;
        let mut header_end = None;
        while !matches!(self.tok.kind, Tok::Newline | Tok::Eof) {
            match self.tok.kind {
                Tok::Op(Op::LParen | Op::LBracket | Op::LBrace) => brackets += 1,
                Tok::Op(Op::RParen | Op::RBracket | Op::RBrace) => {
                    brackets = brackets.saturating_sub(1)
                }
                Tok::Op(Op::Colon) if brackets == 0 && header_end.is_none() => {
                    header_end = Some(self.prev.end)
                }
                _ => {}
            }
            self.advance();
        }
        let end = header_end.unwrap_or(self.prev.end);
        self.advance();
        if self.tok.kind == Tok::Indent {
            let mut depth = 0usize;
            loop {
                match self.advance().kind {
                    Tok::Indent => depth += 1,
                    Tok::Dedent if depth <= 1 => break,
                    Tok::Dedent => depth -= 1,
                    Tok::Eof => break,
                    _ => {}
                }
            }
        }
        Stmt {
            kind: StmtKind::Unsupported(what.into()),
            span: Span::new(self.file, start as usize, end as usize),
        }
    }

    /// `async def`, `async for`, `async with`: rejected, skipped.
    fn async_stmt(&mut self) -> Option<Stmt> {
        let start = self.start();
        let what = match self.peek(1) {
            Tok::Kw(Kw::Def) => "async def",
            Tok::Kw(Kw::For) => "async for",
            Tok::Kw(Kw::With) => "async with",
            _ => {
                self.advance();
                self.invalid_syntax();
                self.recover();
                return None;
            }
        };
        Some(self.unsupported(start, what))
    }

    /// One clause of a compound statement: `header ':' suite`. `header`
    /// parses from the keyword to the colon. Returns what it parsed, the
    /// header's span and the body; on a syntax error in the header, reports
    /// it, skips the clause (block included) and returns `None`.
    fn clause<T>(
        &mut self,
        header: impl FnOnce(&mut Self) -> PResult<T>,
    ) -> Option<(T, Span, Vec<Stmt>)> {
        let start = self.start();
        let parsed = header(self).and_then(|value| {
            let span = self.span_from(start);
            self.expect_op(Op::Colon)?;
            Ok((value, span))
        });
        match parsed {
            Ok((value, span)) => {
                let body = self.suite(span);
                Some((value, span, body))
            }
            Err(Reported) => {
                self.recover();
                None
            }
        }
    }

    /// The body after a clause's `:`: simple statements on the same line, or
    /// an indented block.
    fn suite(&mut self, header: Span) -> Vec<Stmt> {
        let mut body = Vec::new();
        if self.tok.kind != Tok::Newline {
            if self.simple_line(&mut body).is_err() {
                self.recover();
            }
            return body;
        }
        self.advance();
        if self.tok.kind == Tok::Indent {
            self.advance();
            return self.block();
        }
        if self.tok.kind != Tok::Error {
            let found = self.tok.kind.describe();
            let diag = Diagnostic::error(self.here(), "expected an indented block")
                .with_label(format!("found {found}"))
                .with_note(header, "this statement needs an indented block");
            self.diags.report_indentation(self.tok.line, diag);
        }
        body
    }

    /// The `else:` clause of `for`, `while` and `try` (empty if absent);
    /// `None` if it has a syntax error.
    fn else_clause(&mut self) -> Option<Vec<Stmt>> {
        if !self.at_kw(Kw::Else) {
            return Some(Vec::new());
        }
        self.clause(|p| {
            p.advance();
            Ok(())
        })
        .map(|(_, _, body)| body)
    }

    /// The header `keyword test` of `if`, `elif` and `while`.
    fn test_header(&mut self) -> PResult<Expr> {
        self.advance();
        Ok(self.named_expression()?.expr)
    }

    fn if_stmt(&mut self) -> Option<Stmt> {
        let mut ok = true;
        let mut branches = Vec::new();
        match self.clause(Self::test_header) {
            Some(branch) => branches.push(branch),
            None => ok = false,
        }
        let mut elifs = 0;
        while self.at_kw(Kw::Elif) {
            elifs += 1;
            if elifs == MAX_ELIFS + 1 {
                let span = self.tok.span;
                self.error(
                    span,
                    "too many 'elif' branches",
                    format!("more than {MAX_ELIFS} 'elif' branches in one 'if' statement"),
                );
                ok = false;
            }
            match self.clause(Self::test_header) {
                Some(branch) if ok => branches.push(branch),
                Some(_) => {}
                None => ok = false,
            }
        }
        let orelse = self.else_clause();
        let mut orelse = orelse.filter(|_| ok)?;
        for (test, span, body) in branches.into_iter().rev() {
            orelse = vec![Stmt {
                kind: StmtKind::If { test, body, orelse },
                span,
            }];
        }
        orelse.pop()
    }

    fn while_stmt(&mut self) -> Option<Stmt> {
        let head = self.clause(Self::test_header);
        let orelse = self.else_clause();
        let ((test, span, body), orelse) = (head?, orelse?);
        Some(Stmt {
            kind: StmtKind::While { test, body, orelse },
            span,
        })
    }

    fn for_stmt(&mut self) -> Option<Stmt> {
        let head = self.clause(|p| {
            p.advance();
            let target = p.comma_list(Self::target_item)?;
            p.check_target(&target.expr, Ctx::For)?;
            p.expect_kw(Kw::In)?;
            let iter = p.star_expressions()?;
            Ok((target.expr, iter.expr))
        });
        let orelse = self.else_clause();
        let (((target, iter), span, body), orelse) = (head?, orelse?);
        Some(Stmt {
            kind: StmtKind::For {
                target,
                iter,
                body,
                orelse,
            },
            span,
        })
    }

    fn try_stmt(&mut self) -> Option<Stmt> {
        let head = self.clause(|p| {
            p.advance();
            Ok(())
        });
        let mut ok = head.is_some();
        let mut handlers = Vec::new();
        let mut saw_except = false;
        let mut default: Option<Span> = None;
        while self.at_kw(Kw::Except) {
            saw_except = true;
            if let Some(span) = default.take() {
                self.error(
                    span,
                    "default 'except:' must be last",
                    "this 'except:' catches everything",
                );
                ok = false;
            }
            match self.clause(Self::except_header) {
                Some(((typ, name), span, body)) => {
                    if typ.is_none() {
                        default = Some(span);
                    }
                    handlers.push(ExceptHandler {
                        typ,
                        name,
                        body,
                        span,
                    });
                }
                None => ok = false,
            }
        }
        let orelse = if saw_except {
            self.else_clause()
        } else {
            Some(Vec::new())
        };
        let saw_finally = self.at_kw(Kw::Finally);
        let finalbody = if saw_finally {
            self.clause(|p| {
                p.advance();
                Ok(())
            })
            .map(|(_, _, body)| body)
        } else {
            Some(Vec::new())
        };
        if ok && !saw_except && !saw_finally {
            let found = self.tok.kind.describe();
            self.error(
                self.here(),
                "expected 'except' or 'finally' block",
                format!("found {found}"),
            );
            ok = false;
        }
        let (((), span, body), orelse, finalbody) = (head?, orelse?, finalbody?);
        ok.then_some(Stmt {
            kind: StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            },
            span,
        })
    }

    /// `except [type [as name]]`.
    fn except_header(&mut self) -> PResult<(Option<Expr>, Option<Ident>)> {
        self.advance();
        if self.at_op(Op::Star) {
            let span = self.tok.span;
            return Err(self.error(
                span,
                "'except*' (exception groups) is not supported",
                "exception group handler",
            ));
        }
        if self.at_op(Op::Colon) {
            return Ok((None, None));
        }
        let typ = self.expression()?;
        if self.at_op(Op::Comma) {
            return Err(self.error(
                typ.expr.span,
                "multiple exception types must be parenthesized",
                "write these types as a tuple: `(A, B)`",
            ));
        }
        let name = if self.eat_kw(Kw::As) {
            Some(self.ident("a name after 'as'")?)
        } else {
            None
        };
        Ok((Some(typ.expr), name))
    }

    fn with_stmt(&mut self) -> Option<Stmt> {
        let (items, span, body) = self.clause(|p| {
            p.advance();
            p.with_items()
        })?;
        Some(Stmt {
            kind: StmtKind::With { items, body },
            span,
        })
    }

    /// `a as b, c` or `(a as b, c,)`.
    fn with_items(&mut self) -> PResult<Vec<(Expr, Option<Expr>)>> {
        let parenthesized = self.at_op(Op::LParen) && self.parenthesized_with_items();
        if parenthesized {
            self.advance();
        }
        let mut items = Vec::new();
        loop {
            let context = self.expression()?;
            let target = if self.eat_kw(Kw::As) {
                let target = self.target_item()?;
                self.check_target(&target.expr, Ctx::Assign)?;
                Some(target.expr)
            } else {
                None
            };
            items.push((context.expr, target));
            if !self.eat_op(Op::Comma) || (parenthesized && self.at_op(Op::RParen)) {
                break;
            }
        }
        if parenthesized {
            self.close(Op::RParen)?;
        }
        Ok(items)
    }

    /// At a `(` after `with`: whether the bracket's match is followed by `:`,
    /// making it a parenthesized list of items rather than an expression.
    fn parenthesized_with_items(&mut self) -> bool {
        let mut depth = 0usize;
        let mut n = 0;
        loop {
            match self.peek(n) {
                Tok::Op(Op::LParen | Op::LBracket | Op::LBrace) => depth += 1,
                Tok::Op(Op::RParen | Op::RBracket | Op::RBrace) if depth <= 1 => {
                    return *self.peek(n + 1) == Tok::Op(Op::Colon)
                }
                Tok::Op(Op::RParen | Op::RBracket | Op::RBrace) => depth -= 1,
                Tok::Newline | Tok::Eof => return false,
                _ => {}
            }
            n += 1;
        }
    }

    /// `@decorator` lines, then the decorated definition.
    fn decorated(&mut self) -> Option<Stmt> {
        let mut decorators = Vec::new();
        let mut ok = true;
        while self.at_op(Op::At) {
            match self.decorator() {
                Ok(decorator) => decorators.push(decorator),
                Err(Reported) => {
                    ok = false;
                    self.recover();
                }
            }
        }
        let stmt = match self.tok.kind {
            Tok::Kw(Kw::Def) => self.function_def(decorators),
            Tok::Kw(Kw::Class) => self.class_def(decorators),
            Tok::Kw(Kw::Async) => self.async_stmt(),
            _ => {
                if ok {
                    self.expected("a function or class definition after the decorators");
                }
                self.recover();
                None
            }
        };
        stmt.filter(|_| ok)
    }

    fn decorator(&mut self) -> PResult<Expr> {
        self.advance();
        let decorator = self.named_expression()?;
        if self.tok.kind != Tok::Newline {
            return Err(self.invalid_syntax());
        }
        self.advance();
        Ok(decorator.expr)
    }

    fn function_def(&mut self, decorators: Vec<Expr>) -> Option<Stmt> {
        let ((name, type_params, params, returns), span, body) = self.clause(|p| {
            p.advance();
            let name = p.ident("a function name")?;
            let type_params = if p.at_op(Op::LBracket) {
                p.type_params()?
            } else {
                Vec::new()
            };
            p.expect_op(Op::LParen)?;
            let (params, _) = p.params(true)?;
            p.close(Op::RParen)?;
            let returns = if p.eat_op(Op::Arrow) {
                Some(p.expression()?.expr)
            } else {
                None
            };
            Ok((name, type_params, params, returns))
        })?;
        let (docstring, body) = split_docstring(body);
        let def = FunctionDef {
            name,
            type_params,
            params,
            returns,
            body,
            docstring,
            decorators,
        };
        Some(Stmt {
            kind: StmtKind::FunctionDef(def),
            span,
        })
    }

    /// `[T, U]` after a function's name.
    fn type_params(&mut self) -> PResult<Vec<Ident>> {
        self.advance();
        let mut params = Vec::new();
        loop {
            if self.at_op(Op::Star) || self.at_op(Op::DoubleStar) {
                let span = self.tok.span;
                return Err(self.error(
                    span,
                    "variadic type parameters are not supported",
                    "only plain type parameters like `T` are",
                ));
            }
            params.push(self.ident("a type parameter name")?);
            if self.at_op(Op::Colon) || self.at_op(Op::Assign) {
                let span = self.tok.span;
                return Err(self.error(
                    span,
                    "type parameter bounds and defaults are not supported",
                    "only plain type parameters like `T` are",
                ));
            }
            if !self.eat_op(Op::Comma) || self.at_op(Op::RBracket) {
                break;
            }
        }
        self.close(Op::RBracket)?;
        Ok(params)
    }

    /// The parameters of a `def` (`annotated`) or a `lambda`, up to (not
    /// including) the closing `)` or `:`.
    fn params(&mut self, annotated: bool) -> PResult<(Vec<Param>, u32)> {
        let close = if annotated { Op::RParen } else { Op::Colon };
        let mut params = Vec::new();
        let mut names = HashSet::new();
        let mut below = 0;
        let mut star = false;
        let mut bare_star: Option<Span> = None;
        let mut defaults = false;
        let mut kwargs = false;
        while !self.at_op(close) {
            let here = self.tok.span;
            if kwargs {
                return Err(self.error(
                    here,
                    "arguments cannot follow var-keyword argument",
                    "after `**kwargs`",
                ));
            }
            if self.at_op(Op::Slash) {
                let diag =
                    Diagnostic::error(here, "positional-only parameters ('/') are not supported")
                        .with_label("positional-only marker")
                        .with_help("remove the '/'");
                return Err(self.report(diag));
            }
            let kind = if self.eat_op(Op::DoubleStar) {
                kwargs = true;
                ParamKind::KwArgs
            } else if self.eat_op(Op::Star) {
                if star {
                    return Err(self.error(here, "* argument may appear only once", "second `*`"));
                }
                star = true;
                if self.at_op(Op::Comma) || self.at_op(close) {
                    bare_star = Some(here);
                    if !self.eat_op(Op::Comma) {
                        break;
                    }
                    continue;
                }
                ParamKind::VarArgs
            } else if star {
                bare_star = None;
                ParamKind::KeywordOnly
            } else {
                ParamKind::Normal
            };
            let name = self.ident("a parameter name")?;
            if !names.insert(name.name.clone()) {
                return Err(self.error(
                    name.span,
                    format!("duplicate argument '{}' in function definition", name.name),
                    "a parameter of the same name comes before",
                ));
            }
            let annotation = if annotated && self.eat_op(Op::Colon) {
                let annotation = self.expression()?;
                below = below.max(annotation.height);
                Some(annotation.expr)
            } else {
                None
            };
            let default = if self.at_op(Op::Assign) {
                let variadic = match kind {
                    ParamKind::VarArgs => Some("var-positional"),
                    ParamKind::KwArgs => Some("var-keyword"),
                    _ => None,
                };
                if let Some(variadic) = variadic {
                    let span = self.tok.span;
                    return Err(self.error(
                        span,
                        format!("{variadic} argument cannot have default value"),
                        "default value",
                    ));
                }
                self.advance();
                let default = self.expression()?;
                below = below.max(default.height);
                Some(default.expr)
            } else {
                None
            };
            if kind == ParamKind::Normal {
                if default.is_some() {
                    defaults = true;
                } else if defaults {
                    return Err(self.error(
                        name.span,
                        "non-default argument follows default argument",
                        "this parameter needs a default value",
                    ));
                }
            }
            params.push(Param {
                name,
                annotation,
                default,
                kind,
            });
            if !self.eat_op(Op::Comma) {
                break;
            }
        }
        if let Some(span) = bare_star {
            return Err(self.error(span, "named arguments must follow bare *", "bare `*`"));
        }
        Ok((params, below))
    }

    fn class_def(&mut self, decorators: Vec<Expr>) -> Option<Stmt> {
        let ((name, bases), span, body) = self.clause(|p| {
            p.advance();
            let name = p.ident("a class name")?;
            if p.at_op(Op::LBracket) {
                let span = p.tok.span;
                return Err(p.error(
                    span,
                    "generic classes (`class C[T]`) are not supported",
                    "type parameters",
                ));
            }
            let mut bases = Vec::new();
            if p.eat_op(Op::LParen) {
                let (args, keywords, _) = p.call_args()?;
                if let Some(keyword) = keywords.first() {
                    return Err(p.error(
                        keyword.span,
                        "keyword arguments in a class definition are not supported",
                        "class keyword argument",
                    ));
                }
                bases = args;
            }
            Ok((name, bases))
        })?;
        let (docstring, body) = split_docstring(body);
        let class = ClassDef {
            name,
            bases,
            body,
            docstring,
            decorators,
        };
        Some(Stmt {
            kind: StmtKind::ClassDef(class),
            span,
        })
    }

    /// Simple statements separated by `;`, then the end of the line.
    fn simple_line(&mut self, body: &mut Vec<Stmt>) -> PResult<()> {
        loop {
            body.push(self.simple_stmt()?);
            if !self.eat_op(Op::Semi) || self.tok.kind == Tok::Newline {
                break;
            }
        }
        if self.tok.kind != Tok::Newline {
            return Err(self.invalid_syntax());
        }
        self.advance();
        Ok(())
    }

    fn simple_stmt(&mut self) -> PResult<Stmt> {
        let start = self.start();
        let keyword = |p: &mut Self, kind| {
            p.advance();
            Ok(kind)
        };
        let kind = match self.tok.kind {
            Tok::Kw(Kw::Pass) => keyword(self, StmtKind::Pass),
            Tok::Kw(Kw::Break) => keyword(self, StmtKind::Break),
            Tok::Kw(Kw::Continue) => keyword(self, StmtKind::Continue),
            Tok::Kw(Kw::Return) => {
                self.advance();
                self.optional(Self::star_expressions).map(StmtKind::Return)
            }
            Tok::Kw(Kw::Raise) => self.raise_stmt(),
            Tok::Kw(Kw::Global) => self.names().map(StmtKind::Global),
            Tok::Kw(Kw::Nonlocal) => self.names().map(StmtKind::Nonlocal),
            Tok::Kw(Kw::Del) => self.del_stmt(),
            Tok::Kw(Kw::Assert) => self.assert_stmt(),
            Tok::Kw(Kw::Import) => self.import_stmt(),
            Tok::Kw(Kw::From) => self.import_from(),
            _ => self.expr_stmt(),
        }?;
        Ok(Stmt {
            kind,
            span: self.span_from(start),
        })
    }

    /// `parse` if an expression starts here.
    fn optional(&mut self, parse: fn(&mut Self) -> PResult<Node>) -> PResult<Option<Expr>> {
        if starts_expr(&self.tok.kind) {
            Ok(Some(parse(self)?.expr))
        } else {
            Ok(None)
        }
    }

    fn raise_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let exc = self.optional(Self::expression)?;
        let cause = if exc.is_some() && self.eat_kw(Kw::From) {
            Some(self.expression()?.expr)
        } else {
            None
        };
        Ok(StmtKind::Raise { exc, cause })
    }

    /// The names after `global` or `nonlocal`.
    fn names(&mut self) -> PResult<Vec<Ident>> {
        self.advance();
        let mut names = vec![self.ident("a name")?];
        while self.eat_op(Op::Comma) {
            names.push(self.ident("a name")?);
        }
        Ok(names)
    }

    fn del_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let mut targets = Vec::new();
        loop {
            let target = self.expression()?;
            self.check_target(&target.expr, Ctx::Del)?;
            targets.push(target.expr);
            if !self.eat_op(Op::Comma) || !starts_expr(&self.tok.kind) {
                break;
            }
        }
        Ok(StmtKind::Delete(targets))
    }

    fn assert_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let test = self.expression()?.expr;
        let msg = if self.eat_op(Op::Comma) {
            Some(self.expression()?.expr)
        } else {
            None
        };
        Ok(StmtKind::Assert { test, msg })
    }

    fn import_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let mut names = Vec::new();
        loop {
            let (name, span) = self.dotted_name()?;
            let asname = self.as_name()?;
            names.push(ImportName { name, asname, span });
            if !self.eat_op(Op::Comma) {
                break;
            }
        }
        Ok(StmtKind::Import(names))
    }

    /// `a.b.c` in an import.
    fn dotted_name(&mut self) -> PResult<(String, Span)> {
        let first = self.ident("a module name")?;
        let mut name = first.name;
        while self.eat_op(Op::Dot) {
            name.push('.');
            name.push_str(&self.ident("a name after '.'")?.name);
        }
        Ok((name, self.span_from(first.span.start)))
    }

    /// An optional `as name`.
    fn as_name(&mut self) -> PResult<Option<Ident>> {
        if self.eat_kw(Kw::As) {
            Ok(Some(self.ident("a name after 'as'")?))
        } else {
            Ok(None)
        }
    }

    fn import_from(&mut self) -> PResult<StmtKind> {
        self.advance();
        let mut level = 0u32;
        loop {
            if self.eat_op(Op::Dot) {
                level = level.saturating_add(1);
            } else if self.eat_op(Op::Ellipsis) {
                level = level.saturating_add(3);
            } else {
                break;
            }
        }
        let module = if level == 0 || matches!(self.tok.kind, Tok::Name(_)) {
            Some(self.dotted_name()?.0)
        } else {
            None
        };
        self.expect_kw(Kw::Import)?;
        if self.at_op(Op::Star) {
            let span = self.advance().span;
            let star = ImportName {
                name: "*".into(),
                asname: None,
                span,
            };
            return Ok(StmtKind::ImportFrom {
                module,
                names: vec![star],
                level,
            });
        }
        let parenthesized = self.eat_op(Op::LParen);
        let mut names = Vec::new();
        loop {
            let name = self.ident("a name to import")?;
            let asname = self.as_name()?;
            names.push(ImportName {
                name: name.name,
                asname,
                span: name.span,
            });
            if !self.eat_op(Op::Comma) || (parenthesized && self.at_op(Op::RParen)) {
                break;
            }
            if !parenthesized && self.tok.kind == Tok::Newline {
                let span = self.prev;
                return Err(self.error(
                    span,
                    "trailing comma not allowed without surrounding parentheses",
                    "trailing comma",
                ));
            }
        }
        if parenthesized {
            self.close(Op::RParen)?;
        }
        Ok(StmtKind::ImportFrom {
            module,
            names,
            level,
        })
    }

    /// An expression statement, an assignment of any kind.
    fn expr_stmt(&mut self) -> PResult<StmtKind> {
        let first = self.star_expressions_or_yield()?;
        match self.tok.kind {
            Tok::Op(Op::Assign) => {
                let mut targets = Vec::new();
                let mut value = first;
                while self.eat_op(Op::Assign) {
                    self.check_target(&value.expr, Ctx::Assign)?;
                    targets.push(value.expr);
                    value = self.star_expressions_or_yield()?;
                }
                Ok(StmtKind::Assign {
                    targets,
                    value: value.expr,
                })
            }
            Tok::Op(Op::Colon) => {
                self.check_single_target(&first.expr, false)?;
                self.advance();
                let annotation = self.expression()?.expr;
                let value = if self.eat_op(Op::Assign) {
                    Some(self.star_expressions_or_yield()?.expr)
                } else {
                    None
                };
                Ok(StmtKind::AnnAssign {
                    target: first.expr,
                    annotation,
                    value,
                })
            }
            Tok::Op(Op::AugAssign(op)) => {
                self.check_single_target(&first.expr, true)?;
                self.advance();
                let value = self.star_expressions_or_yield()?.expr;
                Ok(StmtKind::AugAssign {
                    target: first.expr,
                    op,
                    value,
                })
            }
            _ => {
                if let ExprKind::Starred(_) = first.expr.kind {
                    return Err(self.error(
                        first.expr.span,
                        "can't use starred expression here",
                        "starred expression",
                    ));
                }
                let print = matches!(&first.expr.kind, ExprKind::Name(name) if name == "print");
                if print
                    && matches!(
                        self.tok.kind,
                        Tok::Name(_) | Tok::Str(_) | Tok::Int(_) | Tok::Float(_)
                    )
                {
                    let span = first.expr.span;
                    let diag = Diagnostic::error(span, "missing parentheses in call to 'print'")
                        .with_label("Python 2 print statement")
                        .with_help("call it: print(...)");
                    return Err(self.report(diag));
                }
                Ok(StmtKind::Expr(first.expr))
            }
        }
    }

    /// Checks that `target` can be assigned to (or deleted): a name, an
    /// attribute, a subscript, or a tuple or list of targets (with at most
    /// one starred item).
    fn check_target(&mut self, target: &Expr, ctx: Ctx) -> PResult<()> {
        if let (ExprKind::Starred(_), Ctx::Assign | Ctx::For) = (&target.kind, ctx) {
            return Err(self.error(
                target.span,
                "starred assignment target must be in a list or tuple",
                "starred target",
            ));
        }
        let mut stack = vec![target];
        while let Some(expr) = stack.pop() {
            match &expr.kind {
                ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {}
                ExprKind::Tuple(items) | ExprKind::List(items) => {
                    let starred = items
                        .iter()
                        .filter(|item| matches!(item.kind, ExprKind::Starred(_)))
                        .count();
                    if starred > 1 && ctx != Ctx::Del {
                        return Err(self.error(
                            expr.span,
                            "multiple starred expressions in assignment",
                            "only one item may be starred",
                        ));
                    }
                    stack.extend(items);
                }
                ExprKind::Starred(inner) if ctx != Ctx::Del => stack.push(inner),
                kind => {
                    let what = describe(kind);
                    let diag = if ctx == Ctx::Del {
                        Diagnostic::error(expr.span, format!("cannot delete {what}"))
                            .with_label("cannot be deleted")
                    } else {
                        let diag = Diagnostic::error(expr.span, format!("cannot assign to {what}"))
                            .with_label("cannot be assigned to");
                        if ctx == Ctx::Assign {
                            diag.with_help("to compare values, use '==' instead of '='")
                        } else {
                            diag
                        }
                    };
                    return Err(self.report(diag));
                }
            }
        }
        Ok(())
    }

    /// Checks the target of an augmented (`aug`) or annotated assignment.
    fn check_single_target(&mut self, target: &Expr, aug: bool) -> PResult<()> {
        let message = match &target.kind {
            ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {
                return Ok(())
            }
            kind if aug => format!(
                "'{}' is an illegal expression for augmented assignment",
                describe(kind)
            ),
            kind @ (ExprKind::Tuple(_) | ExprKind::List(_)) => {
                format!(
                    "only single target (not {}) can be annotated",
                    describe(kind)
                )
            }
            _ => "illegal target for annotation".into(),
        };
        Err(self.error(
            target.span,
            message,
            "not a single name, attribute or subscript",
        ))
    }

    // ---- expressions ----

    /// `star_expressions`, or a `yield` expression (where an assignment's
    /// value or an expression statement may be one).
    fn star_expressions_or_yield(&mut self) -> PResult<Node> {
        if self.at_kw(Kw::Yield) {
            self.yield_expr()
        } else {
            self.star_expressions()
        }
    }

    /// `a, *b, c`: one item, or a tuple without parentheses.
    fn star_expressions(&mut self) -> PResult<Node> {
        self.comma_list(Self::star_expression)
    }

    /// `item` or `item, item, ...[,]` (a tuple).
    fn comma_list(&mut self, item: fn(&mut Self) -> PResult<Node>) -> PResult<Node> {
        let start = self.start();
        let first = item(self)?;
        if !self.at_op(Op::Comma) {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(Op::Comma) && starts_expr(&self.tok.kind) {
            items.push(item(self)?);
        }
        let (items, below) = unzip(items);
        self.node(start, ExprKind::Tuple(items), below)
    }

    /// `*operand` (with a `|`-level operand), or `parse`.
    fn starred_or(&mut self, parse: fn(&mut Self) -> PResult<Node>) -> PResult<Node> {
        if !self.at_op(Op::Star) {
            return parse(self);
        }
        let start = self.start();
        self.advance();
        let operand = self.bitwise_or()?;
        let height = operand.height;
        self.node(start, ExprKind::Starred(operand.boxed()), height)
    }

    fn star_expression(&mut self) -> PResult<Node> {
        self.starred_or(Self::expression)
    }

    fn star_named_expression(&mut self) -> PResult<Node> {
        self.starred_or(Self::named_expression)
    }

    /// An assignment target item: `*target` or a `|`-level expression.
    fn target_item(&mut self) -> PResult<Node> {
        self.starred_or(Self::bitwise_or)
    }

    /// `name := value`, or an expression.
    fn named_expression(&mut self) -> PResult<Node> {
        if matches!(self.tok.kind, Tok::Name(_)) && *self.peek(1) == Tok::Op(Op::Walrus) {
            let start = self.start();
            let target = self.ident("a name")?;
            self.advance();
            let value = self.expression()?;
            let height = value.height;
            return self.node(
                start,
                ExprKind::NamedExpr {
                    target,
                    value: value.boxed(),
                },
                height,
            );
        }
        let expr = self.expression()?;
        if self.at_op(Op::Walrus) {
            return Err(self.error(
                expr.expr.span,
                format!(
                    "cannot use assignment expressions with {}",
                    describe(&expr.expr.kind)
                ),
                "only a name can be assigned with ':='",
            ));
        }
        Ok(expr)
    }

    /// `expression`: a conditional expression or a lambda, one recursion
    /// level deeper.
    fn expression(&mut self) -> PResult<Node> {
        self.nested(Self::conditional)
    }

    fn conditional(&mut self) -> PResult<Node> {
        if self.at_kw(Kw::Lambda) {
            return self.lambda();
        }
        let start = self.start();
        let body = self.disjunction()?;
        if !self.eat_kw(Kw::If) {
            return Ok(body);
        }
        let test = self.disjunction()?;
        if !self.eat_kw(Kw::Else) {
            return Err(self.expected("'else' after 'if' expression"));
        }
        let orelse = self.expression()?;
        let below = body.height.max(test.height).max(orelse.height);
        let kind = ExprKind::IfExp {
            test: test.boxed(),
            body: body.boxed(),
            orelse: orelse.boxed(),
        };
        self.node(start, kind, below)
    }

    fn lambda(&mut self) -> PResult<Node> {
        let start = self.start();
        self.advance();
        let (params, below) = self.params(false)?;
        self.expect_op(Op::Colon)?;
        let body = self.expression()?;
        let below = below.max(body.height);
        let kind = ExprKind::Lambda {
            params,
            body: body.boxed(),
        };
        self.node(start, kind, below)
    }

    /// `yield [values]` or `yield from value`: rejected later by the checker.
    fn yield_expr(&mut self) -> PResult<Node> {
        let start = self.start();
        self.advance();
        let (what, value) = if self.eat_kw(Kw::From) {
            ("yield from", Some(self.expression()?))
        } else if starts_expr(&self.tok.kind) {
            ("yield", Some(self.star_expressions()?))
        } else {
            ("yield", None)
        };
        let below = max_height(&[&value]);
        let kind = ExprKind::Unsupported(what.into(), value.map(Node::boxed));
        self.node(start, kind, below)
    }

    fn disjunction(&mut self) -> PResult<Node> {
        self.bool_chain(Kw::Or, BoolOp::Or, Self::conjunction)
    }

    fn conjunction(&mut self) -> PResult<Node> {
        self.bool_chain(Kw::And, BoolOp::And, Self::inversion)
    }

    /// `operand (keyword operand)*` as one flat `BoolOp`.
    fn bool_chain(
        &mut self,
        kw: Kw,
        op: BoolOp,
        operand: fn(&mut Self) -> PResult<Node>,
    ) -> PResult<Node> {
        let start = self.start();
        let first = operand(self)?;
        if !self.at_kw(kw) {
            return Ok(first);
        }
        let mut values = vec![first];
        while self.eat_kw(kw) {
            values.push(operand(self)?);
        }
        let (values, below) = unzip(values);
        self.node(start, ExprKind::BoolOp { op, values }, below)
    }

    /// `not* comparison`, without recursion.
    fn inversion(&mut self) -> PResult<Node> {
        let mut nots = Vec::new();
        while self.at_kw(Kw::Not) {
            nots.push(self.start());
            self.advance();
        }
        let mut expr = self.comparison()?;
        for start in nots.into_iter().rev() {
            let height = expr.height;
            let kind = ExprKind::Unary {
                op: UnaryOp::Not,
                operand: expr.boxed(),
            };
            expr = self.node(start, kind, height)?;
        }
        Ok(expr)
    }

    fn comparison(&mut self) -> PResult<Node> {
        let start = self.start();
        let left = self.bitwise_or()?;
        let mut below = left.height;
        let mut rest = Vec::new();
        while let Some(op) = self.comparison_op() {
            let right = self.bitwise_or()?;
            below = below.max(right.height);
            rest.push((op, right.expr));
        }
        if rest.is_empty() {
            return Ok(left);
        }
        let kind = ExprKind::Compare {
            left: left.boxed(),
            rest,
        };
        self.node(start, kind, below)
    }

    /// Consumes a comparison operator, if one is next.
    fn comparison_op(&mut self) -> Option<CmpOp> {
        let op = match self.tok.kind {
            Tok::Op(Op::EqEq) => CmpOp::Eq,
            Tok::Op(Op::NotEq) => CmpOp::NotEq,
            Tok::Op(Op::Lt) => CmpOp::Lt,
            Tok::Op(Op::Le) => CmpOp::LtE,
            Tok::Op(Op::Gt) => CmpOp::Gt,
            Tok::Op(Op::Ge) => CmpOp::GtE,
            Tok::Kw(Kw::In) => CmpOp::In,
            Tok::Kw(Kw::Is) => {
                self.advance();
                return Some(if self.eat_kw(Kw::Not) {
                    CmpOp::IsNot
                } else {
                    CmpOp::Is
                });
            }
            Tok::Kw(Kw::Not) => {
                if *self.peek(1) != Tok::Kw(Kw::In) {
                    return None;
                }
                self.advance();
                CmpOp::NotIn
            }
            _ => return None,
        };
        self.advance();
        Some(op)
    }

    fn bitwise_or(&mut self) -> PResult<Node> {
        self.binary(1)
    }

    /// Binary operators of precedence `min_prec` and up, left-associative:
    /// a loop per level, recursing only into tighter levels.
    fn binary(&mut self, min_prec: u8) -> PResult<Node> {
        let start = self.start();
        let mut left = self.unary()?;
        while let Some((op, prec)) = binary_op(&self.tok.kind) {
            if prec < min_prec {
                break;
            }
            self.advance();
            let right = self.binary(prec + 1)?;
            let below = left.height.max(right.height);
            let kind = ExprKind::Binary {
                op,
                left: left.boxed(),
                right: right.boxed(),
            };
            left = self.node(start, kind, below)?;
        }
        Ok(left)
    }

    /// `-x`, `+x`, `~x` (any number of them, without recursion), then a power.
    fn unary(&mut self) -> PResult<Node> {
        let mut ops = Vec::new();
        loop {
            let op = match self.tok.kind {
                Tok::Op(Op::Minus) => UnaryOp::Neg,
                Tok::Op(Op::Plus) => UnaryOp::Pos,
                Tok::Op(Op::Tilde) => UnaryOp::Invert,
                _ => break,
            };
            ops.push((op, self.start()));
            self.advance();
        }
        let mut expr = self.power()?;
        for (op, start) in ops.into_iter().rev() {
            let height = expr.height;
            let kind = ExprKind::Unary {
                op,
                operand: expr.boxed(),
            };
            expr = self.node(start, kind, height)?;
        }
        Ok(expr)
    }

    /// `primary ** unary` (right-associative; `-2**2` is `-(2**2)`).
    fn power(&mut self) -> PResult<Node> {
        let start = self.start();
        let base = self.await_primary()?;
        if !self.eat_op(Op::DoubleStar) {
            return Ok(base);
        }
        let exponent = self.nested(Self::unary)?;
        let below = base.height.max(exponent.height);
        let kind = ExprKind::Binary {
            op: BinOp::Pow,
            left: base.boxed(),
            right: exponent.boxed(),
        };
        self.node(start, kind, below)
    }

    fn await_primary(&mut self) -> PResult<Node> {
        if !self.at_kw(Kw::Await) {
            return self.primary();
        }
        let start = self.start();
        self.advance();
        let operand = self.primary()?;
        let height = operand.height;
        let kind = ExprKind::Unsupported("await".into(), Some(operand.boxed()));
        self.node(start, kind, height)
    }

    /// An atom and its trailers: `.name`, `(args)`, `[index]`.
    fn primary(&mut self) -> PResult<Node> {
        let start = self.start();
        let mut expr = self.atom()?;
        loop {
            let (kind, below) = match self.tok.kind {
                Tok::Op(Op::Dot) => {
                    self.advance();
                    let attr = self.ident("an attribute name after '.'")?;
                    let below = expr.height;
                    let kind = ExprKind::Attribute {
                        value: expr.boxed(),
                        attr,
                    };
                    (kind, below)
                }
                Tok::Op(Op::LParen) => {
                    self.advance();
                    let (args, keywords, below) = self.call_args()?;
                    let below = below.max(expr.height);
                    let kind = ExprKind::Call {
                        func: expr.boxed(),
                        args,
                        keywords,
                    };
                    (kind, below)
                }
                Tok::Op(Op::LBracket) => {
                    self.advance();
                    let index = self.subscript()?;
                    let below = index.height.max(expr.height);
                    let kind = ExprKind::Subscript {
                        value: expr.boxed(),
                        index: index.boxed(),
                    };
                    (kind, below)
                }
                _ => return Ok(expr),
            };
            expr = self.node(start, kind, below)?;
        }
    }

    /// Call arguments after `(`, through `)`: positional ones, keyword ones
    /// and the height below them.
    fn call_args(&mut self) -> PResult<(Vec<Expr>, Vec<Keyword>, u32)> {
        let mut args = Vec::new();
        let mut keywords = Vec::new();
        let mut names = HashSet::new();
        let mut below = 0;
        let mut kwargs_unpacked = false;
        while !self.at_op(Op::RParen) {
            let start = self.start();
            if self.eat_op(Op::Star) {
                let value = self.expression()?;
                let height = value.height;
                let arg = self.node(start, ExprKind::Starred(value.boxed()), height)?;
                if kwargs_unpacked {
                    return Err(self.error(
                        arg.expr.span,
                        "iterable argument unpacking follows keyword argument unpacking",
                        "`*` argument after `**` argument",
                    ));
                }
                below = below.max(arg.height);
                args.push(arg.expr);
            } else if self.eat_op(Op::DoubleStar) {
                let value = self.expression()?;
                below = below.max(value.height);
                kwargs_unpacked = true;
                keywords.push(Keyword {
                    name: None,
                    value: value.expr,
                    span: self.span_from(start),
                });
            } else if matches!(self.tok.kind, Tok::Name(_)) && *self.peek(1) == Tok::Op(Op::Assign)
            {
                let name = self.ident("a keyword")?;
                self.advance();
                if !names.insert(name.name.clone()) {
                    return Err(self.error(
                        name.span,
                        format!("keyword argument repeated: {}", name.name),
                        "given before",
                    ));
                }
                let value = self.expression()?;
                below = below.max(value.height);
                keywords.push(Keyword {
                    name: Some(name),
                    value: value.expr,
                    span: self.span_from(start),
                });
            } else {
                let mut arg = self.named_expression()?;
                if self.at_comp_for() {
                    arg = self.comprehension(start, arg, None, |elt, generators| {
                        ExprKind::GeneratorExp { elt, generators }
                    })?;
                    if !args.is_empty() || !keywords.is_empty() || !self.at_op(Op::RParen) {
                        return Err(self.error(
                            arg.expr.span,
                            "generator expression must be parenthesized",
                            "unless it is the only argument",
                        ));
                    }
                }
                if self.at_op(Op::Assign) {
                    return Err(self.error(
                        arg.expr.span,
                        "expression cannot contain assignment, perhaps you meant \"==\"?",
                        "a keyword argument must be a plain name",
                    ));
                }
                if !keywords.is_empty() {
                    let message = if kwargs_unpacked {
                        "positional argument follows keyword argument unpacking"
                    } else {
                        "positional argument follows keyword argument"
                    };
                    return Err(self.error(arg.expr.span, message, "positional argument"));
                }
                below = below.max(arg.height);
                args.push(arg.expr);
            }
            if !self.eat_op(Op::Comma) {
                break;
            }
        }
        self.close(Op::RParen)?;
        Ok((args, keywords, below))
    }

    /// A subscript's index after `[`, through `]`: an expression, a slice,
    /// or a tuple of them.
    fn subscript(&mut self) -> PResult<Node> {
        let index = self.comma_list_until(Op::RBracket, Self::slice_item)?;
        self.close(Op::RBracket)?;
        Ok(index)
    }

    /// Like [`Parser::comma_list`], where a trailing comma may precede `close`.
    fn comma_list_until(
        &mut self,
        close: Op,
        item: fn(&mut Self) -> PResult<Node>,
    ) -> PResult<Node> {
        let start = self.start();
        let first = item(self)?;
        if !self.at_op(Op::Comma) {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(Op::Comma) && !self.at_op(close) {
            items.push(item(self)?);
        }
        let (items, below) = unzip(items);
        self.node(start, ExprKind::Tuple(items), below)
    }

    /// `lower:upper:step` (each part optional) or an index expression.
    fn slice_item(&mut self) -> PResult<Node> {
        let start = self.start();
        let lower = if self.at_op(Op::Colon) {
            None
        } else {
            let index = self.star_named_expression()?;
            if !self.at_op(Op::Colon) {
                return Ok(index);
            }
            Some(index)
        };
        self.advance();
        let upper = self.slice_bound()?;
        let step = if self.eat_op(Op::Colon) {
            self.slice_bound()?
        } else {
            None
        };
        let below = max_height(&[&lower, &upper, &step]);
        let kind = ExprKind::Slice {
            lower: lower.map(Node::boxed),
            upper: upper.map(Node::boxed),
            step: step.map(Node::boxed),
        };
        self.node(start, kind, below)
    }

    fn slice_bound(&mut self) -> PResult<Option<Node>> {
        if matches!(self.tok.kind, Tok::Op(Op::Colon | Op::Comma | Op::RBracket)) {
            Ok(None)
        } else {
            self.expression().map(Some)
        }
    }

    /// A name, a literal, or a bracketed display.
    fn atom(&mut self) -> PResult<Node> {
        match self.tok.kind {
            Tok::Op(Op::LParen) => return self.paren(),
            Tok::Op(Op::LBracket) => return self.list_display(),
            Tok::Op(Op::LBrace) => return self.brace_display(),
            Tok::Str(_) => return self.strings(),
            Tok::Name(_)
            | Tok::Int(_)
            | Tok::BigInt(_)
            | Tok::Float(_)
            | Tok::Imaginary(_)
            | Tok::Kw(Kw::True | Kw::False | Kw::None)
            | Tok::Op(Op::Ellipsis) => {}
            _ => return Err(self.expected("an expression")),
        }
        let start = self.start();
        let kind = match self.advance().kind {
            Tok::Name(name) => ExprKind::Name(name),
            Tok::Int(value) => ExprKind::Int(value),
            Tok::BigInt(digits) => ExprKind::BigInt(digits),
            Tok::Float(value) => ExprKind::Float(value),
            Tok::Imaginary(value) => ExprKind::Imaginary(value),
            Tok::Kw(Kw::True) => ExprKind::Bool(true),
            Tok::Kw(Kw::False) => ExprKind::Bool(false),
            Tok::Kw(Kw::None) => ExprKind::NoneLit,
            // The only other token let through above.
            _ => ExprKind::Ellipsis,
        };
        self.node(start, kind, 0)
    }

    /// Consumes the closing bracket `close` of a display or call.
    fn close(&mut self, close: Op) -> PResult<()> {
        if self.eat_op(close) {
            return Ok(());
        }
        if self.tok.kind == Tok::Error {
            return Err(Reported);
        }
        let found = self.tok.kind.describe();
        let mut diag = Diagnostic::error(self.here(), format!("expected ',' or '{close}'"))
            .with_label(format!("found {found}"));
        if starts_expr(&self.tok.kind) {
            diag = diag.with_help("perhaps you forgot a comma?");
        }
        Err(self.report(diag))
    }

    /// The items of a display after its first one, through `close`.
    fn display_items(&mut self, first: Node, close: Op) -> PResult<(Vec<Expr>, u32)> {
        let mut items = vec![first];
        while self.eat_op(Op::Comma) && !self.at_op(close) {
            items.push(self.star_named_expression()?);
        }
        self.close(close)?;
        Ok(unzip(items))
    }

    fn at_comp_for(&mut self) -> bool {
        self.at_kw(Kw::For) || (self.at_kw(Kw::Async) && *self.peek(1) == Tok::Kw(Kw::For))
    }

    /// The `for`/`if` clauses after a comprehension's element `elt` and the
    /// closing bracket `close` (none for a call's only argument).
    fn comprehension(
        &mut self,
        start: u32,
        elt: Node,
        close: Option<Op>,
        make: fn(Box<Expr>, Vec<Comprehension>) -> ExprKind,
    ) -> PResult<Node> {
        if let ExprKind::Starred(_) = elt.expr.kind {
            return Err(self.error(
                elt.expr.span,
                "iterable unpacking cannot be used in comprehension",
                "starred element",
            ));
        }
        let (generators, below) = self.comprehension_clauses()?;
        if let Some(close) = close {
            self.close(close)?;
        }
        let below = below.max(elt.height);
        self.node(start, make(elt.boxed(), generators), below)
    }

    fn comprehension_clauses(&mut self) -> PResult<(Vec<Comprehension>, u32)> {
        let mut generators = Vec::new();
        let mut below = 0;
        while self.at_comp_for() {
            if self.at_kw(Kw::Async) {
                let span = self.tok.span;
                return Err(self.error(
                    span,
                    "asynchronous comprehensions are not supported",
                    "async comprehension",
                ));
            }
            self.advance();
            let target = self.comma_list(Self::target_item)?;
            self.check_target(&target.expr, Ctx::For)?;
            self.expect_kw(Kw::In)?;
            let iter = self.disjunction()?;
            below = below.max(target.height).max(iter.height);
            let mut ifs = Vec::new();
            while self.eat_kw(Kw::If) {
                let condition = self.disjunction()?;
                below = below.max(condition.height);
                ifs.push(condition.expr);
            }
            generators.push(Comprehension {
                target: target.expr,
                iter: iter.expr,
                ifs,
            });
        }
        Ok((generators, below))
    }

    /// `(...)`: a parenthesized expression, a tuple, a generator expression
    /// or a parenthesized `yield`.
    fn paren(&mut self) -> PResult<Node> {
        let start = self.start();
        self.advance();
        if self.eat_op(Op::RParen) {
            return self.node(start, ExprKind::Tuple(Vec::new()), 0);
        }
        if self.at_kw(Kw::Yield) {
            let value = self.yield_expr()?;
            self.close(Op::RParen)?;
            return Ok(value);
        }
        let first = self.star_named_expression()?;
        if self.at_comp_for() {
            return self.comprehension(start, first, Some(Op::RParen), |elt, generators| {
                ExprKind::GeneratorExp { elt, generators }
            });
        }
        if self.eat_op(Op::RParen) {
            if let ExprKind::Starred(_) = first.expr.kind {
                return Err(self.error(
                    first.expr.span,
                    "cannot use starred expression here",
                    "starred expression",
                ));
            }
            return Ok(first);
        }
        let (items, below) = self.display_items(first, Op::RParen)?;
        self.node(start, ExprKind::Tuple(items), below)
    }

    /// `[...]`: a list or a list comprehension.
    fn list_display(&mut self) -> PResult<Node> {
        let start = self.start();
        self.advance();
        if self.eat_op(Op::RBracket) {
            return self.node(start, ExprKind::List(Vec::new()), 0);
        }
        let first = self.star_named_expression()?;
        if self.at_comp_for() {
            return self.comprehension(start, first, Some(Op::RBracket), |elt, generators| {
                ExprKind::ListComp { elt, generators }
            });
        }
        let (items, below) = self.display_items(first, Op::RBracket)?;
        self.node(start, ExprKind::List(items), below)
    }

    /// `{...}`: a dict, a set, or a dict or set comprehension.
    fn brace_display(&mut self) -> PResult<Node> {
        let start = self.start();
        self.advance();
        if self.eat_op(Op::RBrace) {
            return self.node(start, ExprKind::Dict(Vec::new()), 0);
        }
        if self.at_op(Op::DoubleStar) {
            return Err(self.dict_unpacking());
        }
        let first = self.star_named_expression()?;
        if !self.at_op(Op::Colon) {
            if self.at_comp_for() {
                return self.comprehension(start, first, Some(Op::RBrace), |elt, generators| {
                    ExprKind::SetComp { elt, generators }
                });
            }
            let (items, below) = self.display_items(first, Op::RBrace)?;
            return self.node(start, ExprKind::Set(items), below);
        }
        if let ExprKind::Starred(_) = first.expr.kind {
            return Err(self.error(
                first.expr.span,
                "cannot use a starred expression in a dictionary key",
                "starred key",
            ));
        }
        self.advance();
        let value = self.expression()?;
        let mut below = first.height.max(value.height);
        if self.at_comp_for() {
            let (generators, clauses) = self.comprehension_clauses()?;
            self.close(Op::RBrace)?;
            let kind = ExprKind::DictComp {
                key: first.boxed(),
                value: value.boxed(),
                generators,
            };
            return self.node(start, kind, below.max(clauses));
        }
        let mut pairs = vec![(first.expr, value.expr)];
        while self.eat_op(Op::Comma) && !self.at_op(Op::RBrace) {
            if self.at_op(Op::DoubleStar) {
                return Err(self.dict_unpacking());
            }
            let key = self.expression()?;
            self.expect_op(Op::Colon)?;
            let value = self.expression()?;
            below = below.max(key.height).max(value.height);
            pairs.push((key.expr, value.expr));
        }
        self.close(Op::RBrace)?;
        self.node(start, ExprKind::Dict(pairs), below)
    }

    fn dict_unpacking(&mut self) -> Reported {
        let span = self.tok.span;
        let diag = Diagnostic::error(
            span,
            "dict unpacking ('**') in a dict display is not supported",
        )
        .with_label("dict unpacking")
        .with_help("build the dict with `update` instead");
        self.report(diag)
    }

    /// Adjacent string literals, joined: a `str`, `bytes` or an f-string.
    fn strings(&mut self) -> PResult<Node> {
        let start = self.start();
        let line = self.tok.line;
        let mut literals = Vec::new();
        while matches!(self.tok.kind, Tok::Str(_)) {
            if let Tok::Str(literal) = self.advance().kind {
                literals.push(literal);
            }
        }
        let bytes = literals
            .iter()
            .filter(|l| matches!(l, StrLit::Bytes(_)))
            .count();
        if bytes > 0 && bytes < literals.len() {
            return Err(self.error(
                self.span_from(start),
                "cannot mix bytes and nonbytes literals",
                "bytes and str literals side by side",
            ));
        }
        let formatted = literals.iter().any(|l| matches!(l, StrLit::FStr(_)));
        let kind = if bytes > 0 {
            let mut value = Vec::new();
            for literal in literals {
                if let StrLit::Bytes(b) = literal {
                    value.extend(b);
                }
            }
            ExprKind::Bytes(value)
        } else if !formatted {
            let mut value = String::new();
            for literal in literals {
                if let StrLit::Str(s) = literal {
                    value.push_str(&s);
                }
            }
            ExprKind::Str(value)
        } else {
            let mut parts = Vec::new();
            let mut below = 0;
            for literal in literals {
                match literal {
                    StrLit::Str(s) => push_literal(&mut parts, s),
                    StrLit::FStr(pieces) => {
                        for piece in pieces {
                            match piece {
                                FPiece::Lit(s) => push_literal(&mut parts, s),
                                FPiece::Field(field) => {
                                    let (part, height) = self.fstring_field(field, line)?;
                                    below = below.max(height);
                                    parts.push(part);
                                }
                            }
                        }
                    }
                    StrLit::Bytes(_) => {}
                }
            }
            return self.node(start, ExprKind::FString(parts), below);
        };
        self.node(start, kind, 0)
    }

    /// Parses a replacement field's expression (and its spec's fields) from
    /// the source, one recursion level deeper. Returns the part and its height.
    fn fstring_field(&mut self, field: Field, line: u32) -> PResult<(FStringPart, u32)> {
        self.nested(|p| {
            let lexer = Lexer::nested(p.file, p.src, field.expr, line);
            let expr = Parser::new(p.file, p.src, lexer, p.diags, p.depth).fstring_expression()?;
            let mut below = expr.height;
            let mut spec = Vec::new();
            for piece in field.spec {
                match piece {
                    FPiece::Lit(s) => push_literal(&mut spec, s),
                    FPiece::Field(inner) => {
                        let (part, height) = p.fstring_field(inner, line)?;
                        below = below.max(height + 1);
                        spec.push(part);
                    }
                }
            }
            let part = FStringPart::Field {
                expr: expr.boxed(),
                conversion: field.conversion,
                spec,
                debug_text: field.debug_text,
            };
            Ok((part, below))
        })
    }

    /// The whole input of an f-string field's parser: one expression (a
    /// tuple without parentheses and `yield` allowed, as in parentheses).
    fn fstring_expression(&mut self) -> PResult<Node> {
        let expr = self.star_expressions_or_yield()?;
        if let ExprKind::Starred(_) = expr.expr.kind {
            return Err(self.error(
                expr.expr.span,
                "f-string: cannot use starred expression here",
                "starred expression",
            ));
        }
        if self.tok.kind != Tok::Eof {
            return Err(self.invalid_syntax());
        }
        Ok(expr)
    }
}
