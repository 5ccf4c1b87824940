//! Source text to tokens, following Python 3's lexical structure: INDENT and
//! DEDENT from indentation (with CPython's tab rules), NEWLINE only at the end
//! of a logical line (implicit joining inside brackets, explicit `\`
//! continuation), numbers, strings with every prefix and escape, and f-strings
//! split into literal text and replacement fields. A field keeps the byte
//! range of its expression; the parser lexes that range again with
//! [`Lexer::nested`], so every span points into the original file.
//!
//! The lexer is incremental ([`Lexer::next_token`]) and linear in its input.
//! A lexical error is reported once and leaves a [`Tok::Error`] in place of
//! the bad token, so the parser can skip the rest of the logical line quietly.

use super::ast::BinOp;
use crate::diag::{Diagnostic, FileId, Span};
use std::collections::hash_map::{Entry, HashMap};
use std::fmt;

/// Most brackets open at once (CPython's limit).
const MAX_BRACKETS: usize = 200;
/// Most indentation levels, the unindented one included (CPython's limit).
const MAX_INDENTS: usize = 100;
/// Deepest f-string format spec nesting: `f"{x:{width}}"` has one level.
const MAX_SPEC_LEVEL: u8 = 2;

/// The diagnostics of one parse, at most one per logical line so that one
/// mistake does not cascade into a heap of follow-up reports.
#[derive(Debug, Default)]
pub(crate) struct Diags {
    list: Vec<Diagnostic>,
    /// Logical lines that have a diagnostic: its index in `list`, and whether
    /// the lexer reported it.
    lines: HashMap<u32, (usize, bool)>,
    /// An indentation error was reported. After one, the block structure is
    /// guesswork, so no more are, nor errors that stem from it.
    indentation_broken: bool,
}

impl Diags {
    /// Records a syntax error for logical line `line` unless that line has a
    /// diagnostic already.
    pub(crate) fn report(&mut self, line: u32, diag: Diagnostic) {
        self.record(line, diag, false);
    }

    /// Records a lexical error (an invalid token) like [`Diags::report`].
    fn report_lexical(&mut self, line: u32, diag: Diagnostic) {
        self.record(line, diag, true);
    }

    fn record(&mut self, line: u32, diag: Diagnostic, lexical: bool) {
        if let Entry::Vacant(slot) = self.lines.entry(line) {
            slot.insert((self.list.len(), lexical));
            self.list.push(diag);
        }
    }

    /// Records an indentation error (tabs, unindent, unexpected or missing
    /// indented block, ...) if it is the first of the file.
    pub(crate) fn report_indentation(&mut self, line: u32, diag: Diagnostic) {
        if !self.indentation_broken {
            self.indentation_broken = true;
            self.report(line, diag);
        }
    }

    /// Whether an indentation error was reported.
    pub(crate) fn indentation_broken(&self) -> bool {
        self.indentation_broken
    }

    /// Records the error of a bracket still open at the end of the file. Its
    /// logical line runs to the end of the file, so the line's error after
    /// the bracket most likely stems from it: a syntax error is replaced by
    /// this one, while an invalid token (a string swallowing the closing
    /// bracket) is the better explanation and kept instead. An error before
    /// the bracket is independent: both are kept.
    fn never_closed(&mut self, line: u32, diag: Diagnostic) {
        match self.lines.entry(line) {
            Entry::Occupied(mut slot) => {
                let (index, lexical) = *slot.get();
                if self.list[index].span.start < diag.span.start {
                    self.list.push(diag);
                } else if !lexical {
                    self.list[index] = diag;
                    slot.insert((index, true));
                }
            }
            Entry::Vacant(slot) => {
                slot.insert((self.list.len(), true));
                self.list.push(diag);
            }
        }
    }

    /// The diagnostics in source order.
    pub(crate) fn finish(mut self) -> Vec<Diagnostic> {
        self.list.sort_by_key(|d| d.span.start);
        self.list
    }
}

/// A token with its location.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// What was read.
    pub(crate) kind: Tok,
    /// Where.
    pub(crate) span: Span,
    /// Index of the logical line it belongs to (diagnostics are per line).
    pub(crate) line: u32,
}

/// The token kinds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// An identifier (soft keywords such as `match` included).
    Name(String),
    /// A reserved keyword.
    Kw(Kw),
    /// An integer literal that fits in `i128`.
    Int(i128),
    /// A larger integer literal, as written without underscores.
    BigInt(String),
    /// A float literal.
    Float(f64),
    /// An imaginary literal (`2j`), its value without the `j`.
    Imaginary(f64),
    /// One string literal (the parser joins adjacent ones).
    Str(StrLit),
    /// An operator or delimiter.
    Op(Op),
    /// End of a logical line.
    Newline,
    /// Indentation increased.
    Indent,
    /// Indentation decreased by one level.
    Dedent,
    /// A lexical error, already reported.
    Error,
    /// End of input (repeated forever).
    Eof,
}

impl Tok {
    /// How a diagnostic names this token (`found ...`).
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Name(name) => format!("name '{name}'"),
            Tok::Kw(kw) => format!("keyword '{}'", kw.text()),
            Tok::Int(_) | Tok::BigInt(_) | Tok::Float(_) | Tok::Imaginary(_) => "a number".into(),
            Tok::Str(_) => "a string literal".into(),
            Tok::Op(op) => format!("'{op}'"),
            Tok::Newline => "end of line".into(),
            Tok::Indent => "an indented line".into(),
            Tok::Dedent => "the end of the block".into(),
            Tok::Error => "an invalid token".into(),
            Tok::Eof => "end of file".into(),
        }
    }
}

/// One string literal's decoded contents.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StrLit {
    /// `"..."`, `r"..."`, `u"..."`.
    Str(String),
    /// `b"..."`, `rb"..."`.
    Bytes(Vec<u8>),
    /// `f"..."`, `rf"..."`.
    FStr(Vec<FPiece>),
}

/// One piece of an f-string as the lexer splits it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FPiece {
    /// Literal text, escapes and `{{`/`}}` decoded.
    Lit(String),
    /// A replacement field.
    Field(Field),
}

/// A replacement field `{expr=!conv:spec}` before its expression is parsed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// Byte range of the expression text in the source.
    pub(crate) expr: (usize, usize),
    /// `r`, `s` or `a`.
    pub(crate) conversion: Option<char>,
    /// The format spec's pieces.
    pub(crate) spec: Vec<FPiece>,
    /// For `{x=}`: the text from after `{` through `=` and the spaces after it.
    pub(crate) debug_text: Option<String>,
}

/// Reserved keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kw {
    False,
    None,
    True,
    And,
    As,
    Assert,
    Async,
    Await,
    Break,
    Class,
    Continue,
    Def,
    Del,
    Elif,
    Else,
    Except,
    Finally,
    For,
    From,
    Global,
    If,
    Import,
    In,
    Is,
    Lambda,
    Nonlocal,
    Not,
    Or,
    Pass,
    Raise,
    Return,
    Try,
    While,
    With,
    Yield,
}

/// Every keyword with its spelling.
const KEYWORDS: [(&str, Kw); 35] = [
    ("False", Kw::False),
    ("None", Kw::None),
    ("True", Kw::True),
    ("and", Kw::And),
    ("as", Kw::As),
    ("assert", Kw::Assert),
    ("async", Kw::Async),
    ("await", Kw::Await),
    ("break", Kw::Break),
    ("class", Kw::Class),
    ("continue", Kw::Continue),
    ("def", Kw::Def),
    ("del", Kw::Del),
    ("elif", Kw::Elif),
    ("else", Kw::Else),
    ("except", Kw::Except),
    ("finally", Kw::Finally),
    ("for", Kw::For),
    ("from", Kw::From),
    ("global", Kw::Global),
    ("if", Kw::If),
    ("import", Kw::Import),
    ("in", Kw::In),
    ("is", Kw::Is),
    ("lambda", Kw::Lambda),
    ("nonlocal", Kw::Nonlocal),
    ("not", Kw::Not),
    ("or", Kw::Or),
    ("pass", Kw::Pass),
    ("raise", Kw::Raise),
    ("return", Kw::Return),
    ("try", Kw::Try),
    ("while", Kw::While),
    ("with", Kw::With),
    ("yield", Kw::Yield),
];

impl Kw {
    /// The keyword spelled `text`, if it is one.
    fn from_text(text: &str) -> Option<Kw> {
        KEYWORDS.iter().find(|(t, _)| *t == text).map(|&(_, kw)| kw)
    }

    /// The keyword as written.
    pub(crate) fn text(self) -> &'static str {
        KEYWORDS
            .iter()
            .find(|&&(_, kw)| kw == self)
            .map_or("", |(t, _)| t)
    }
}

/// Operators and delimiters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Colon,
    Semi,
    Dot,
    Ellipsis,
    Arrow,
    Assign,
    Walrus,
    /// `@`: a decorator or matrix multiplication.
    At,
    Plus,
    Minus,
    Star,
    DoubleStar,
    Slash,
    DoubleSlash,
    Percent,
    LShift,
    RShift,
    Amp,
    Pipe,
    Caret,
    Tilde,
    Lt,
    Gt,
    Le,
    Ge,
    EqEq,
    NotEq,
    /// `+=` and the other augmented assignments.
    AugAssign(BinOp),
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Op::LParen => "(",
            Op::RParen => ")",
            Op::LBracket => "[",
            Op::RBracket => "]",
            Op::LBrace => "{",
            Op::RBrace => "}",
            Op::Comma => ",",
            Op::Colon => ":",
            Op::Semi => ";",
            Op::Dot => ".",
            Op::Ellipsis => "...",
            Op::Arrow => "->",
            Op::Assign => "=",
            Op::Walrus => ":=",
            Op::At => "@",
            Op::Plus => "+",
            Op::Minus => "-",
            Op::Star => "*",
            Op::DoubleStar => "**",
            Op::Slash => "/",
            Op::DoubleSlash => "//",
            Op::Percent => "%",
            Op::LShift => "<<",
            Op::RShift => ">>",
            Op::Amp => "&",
            Op::Pipe => "|",
            Op::Caret => "^",
            Op::Tilde => "~",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::EqEq => "==",
            Op::NotEq => "!=",
            Op::AugAssign(op) => return write!(f, "{}=", op.symbol()),
        };
        f.write_str(text)
    }
}

/// The operator starting with bytes `b0 b1 b2`, and its length.
fn operator(b0: u8, b1: u8, b2: u8) -> Option<(Op, usize)> {
    // `X` or `X=` for the operators that have an augmented form.
    let with_aug = |plain: Op, op: BinOp| {
        if b1 == b'=' {
            (Op::AugAssign(op), 2)
        } else {
            (plain, 1)
        }
    };
    // `X`, `XX`, `XX=` or `X=` (`*`, `/`, `<`, `>`).
    let doubled = |one: (Op, usize), two: Op, two_aug: Op, one_eq: Op| match (b1 == b0, b2 == b'=')
    {
        (true, true) => (two_aug, 3),
        (true, false) => (two, 2),
        _ if b1 == b'=' => (one_eq, 2),
        _ => one,
    };
    Some(match b0 {
        b'(' => (Op::LParen, 1),
        b')' => (Op::RParen, 1),
        b'[' => (Op::LBracket, 1),
        b']' => (Op::RBracket, 1),
        b'{' => (Op::LBrace, 1),
        b'}' => (Op::RBrace, 1),
        b',' => (Op::Comma, 1),
        b';' => (Op::Semi, 1),
        b'~' => (Op::Tilde, 1),
        b':' if b1 == b'=' => (Op::Walrus, 2),
        b':' => (Op::Colon, 1),
        b'.' if b1 == b'.' && b2 == b'.' => (Op::Ellipsis, 3),
        b'.' => (Op::Dot, 1),
        b'=' if b1 == b'=' => (Op::EqEq, 2),
        b'=' => (Op::Assign, 1),
        b'!' if b1 == b'=' => (Op::NotEq, 2),
        b'-' if b1 == b'>' => (Op::Arrow, 2),
        b'-' => with_aug(Op::Minus, BinOp::Sub),
        b'+' => with_aug(Op::Plus, BinOp::Add),
        b'%' => with_aug(Op::Percent, BinOp::Mod),
        b'&' => with_aug(Op::Amp, BinOp::BitAnd),
        b'|' => with_aug(Op::Pipe, BinOp::BitOr),
        b'^' => with_aug(Op::Caret, BinOp::BitXor),
        b'@' => with_aug(Op::At, BinOp::MatMul),
        b'*' => doubled(
            (Op::Star, 1),
            Op::DoubleStar,
            Op::AugAssign(BinOp::Pow),
            Op::AugAssign(BinOp::Mul),
        ),
        b'/' => doubled(
            (Op::Slash, 1),
            Op::DoubleSlash,
            Op::AugAssign(BinOp::FloorDiv),
            Op::AugAssign(BinOp::Div),
        ),
        b'<' => doubled(
            (Op::Lt, 1),
            Op::LShift,
            Op::AugAssign(BinOp::LShift),
            Op::Le,
        ),
        b'>' => doubled(
            (Op::Gt, 1),
            Op::RShift,
            Op::AugAssign(BinOp::RShift),
            Op::Ge,
        ),
        _ => return None,
    })
}

/// The error for a PEP 263 encoding declaration (`# -*- coding: latin-1 -*-`
/// on line 1 or 2) that names anything but UTF-8: the text was read as UTF-8,
/// and CPython would decode it differently.
pub(crate) fn encoding_error(file: FileId, src: &str) -> Option<Diagnostic> {
    let mut offset = 0;
    for (index, line) in src.split_inclusive('\n').take(2).enumerate() {
        let indent = line.len() - line.trim_start_matches([' ', '\t', '\x0c']).len();
        let comment = &line[indent..];
        if !comment.starts_with('#') {
            if index == 0 && comment.trim().is_empty() {
                offset += line.len();
                continue;
            }
            return None;
        }
        let cookie = comment.match_indices("coding").find_map(|(at, _)| {
            let rest = comment[at + 6..].strip_prefix([':', '='])?;
            let name_at = at + 6 + 1 + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
            let name_len = comment[name_at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
                .unwrap_or(comment.len() - name_at);
            (name_len > 0).then_some((name_at, name_len))
        });
        if let Some((at, len)) = cookie {
            let name = &comment[at..at + len];
            if is_utf8_name(name) {
                return None;
            }
            let start = offset + indent + at;
            let diag = Diagnostic::error(
                Span::new(file, start, start + len),
                format!("unsupported encoding declaration '{name}'"),
            )
            .with_label("Roast source files are UTF-8")
            .with_help("declare `# -*- coding: utf-8 -*-`, or remove the declaration");
            return Some(diag);
        }
        offset += line.len();
    }
    None
}

/// Whether CPython takes encoding name `name` for UTF-8: its tokenizer's
/// `utf-8-*` rule, or Python's codec lookup (runs of other characters than
/// letters, digits and dots become one `_`) finding a UTF-8 alias.
fn is_utf8_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let dashed: String = lower
        .chars()
        .take(12)
        .map(|c| if c == '_' { '-' } else { c })
        .collect();
    let codec = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    dashed == "utf-8"
        || dashed.starts_with("utf-8-")
        || matches!(
            codec.as_str(),
            "utf_8" | "u8" | "utf" | "utf8" | "utf8_ucs2" | "utf8_ucs4" | "cp65001"
        )
}

/// Whether `c` may start an identifier (`_`, letters; Unicode letters approximate XID_Start).
fn is_id_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

/// Whether `c` may continue an identifier (approximates XID_Continue).
fn is_id_continue(c: char) -> bool {
    c == '_' || c == '\u{b7}' || c.is_alphanumeric()
}

/// Characters that `char::is_alphanumeric` lets into identifiers but that
/// CPython rejects there or replaces by NFKC normalization (`ｘ` is `x`, `ﬁ`
/// is `fi`): superscripts, ligatures, letterlike symbols, combining marks,
/// fullwidth, mathematical and presentation forms, compatibility ideographs.
const COMPATIBILITY: [(char, char); 35] = [
    ('\u{aa}', '\u{aa}'),
    ('\u{b2}', '\u{b3}'),
    ('\u{b5}', '\u{b5}'),
    ('\u{b9}', '\u{ba}'),
    ('\u{bc}', '\u{be}'),
    ('\u{132}', '\u{133}'),
    ('\u{13f}', '\u{140}'),
    ('\u{149}', '\u{149}'),
    ('\u{17f}', '\u{17f}'),
    ('\u{1c4}', '\u{1cc}'),
    ('\u{1f1}', '\u{1f3}'),
    ('\u{2b0}', '\u{2b8}'),
    ('\u{2e0}', '\u{2e4}'),
    ('\u{300}', '\u{36f}'),
    ('\u{3d0}', '\u{3d6}'),
    ('\u{3f0}', '\u{3f9}'),
    ('\u{e33}', '\u{e33}'),
    ('\u{eb3}', '\u{eb3}'),
    ('\u{1d2c}', '\u{1dbf}'),
    ('\u{1e9b}', '\u{1e9b}'),
    ('\u{2070}', '\u{209f}'),
    ('\u{2100}', '\u{218f}'),
    ('\u{2460}', '\u{24ff}'),
    ('\u{2c7c}', '\u{2c7d}'),
    ('\u{3131}', '\u{318e}'),
    ('\u{3200}', '\u{33ff}'),
    ('\u{f900}', '\u{faff}'),
    ('\u{fb00}', '\u{fdff}'),
    ('\u{fe70}', '\u{feff}'),
    ('\u{ff00}', '\u{ffef}'),
    ('\u{1d400}', '\u{1d7ff}'),
    ('\u{1ee00}', '\u{1eeff}'),
    ('\u{1f100}', '\u{1f1ff}'),
    ('\u{2f800}', '\u{2fa1f}'),
    ('\u{e0100}', '\u{e01ef}'),
];

/// Whether `c` is in [`COMPATIBILITY`].
fn is_compatibility(c: char) -> bool {
    COMPATIBILITY
        .iter()
        .any(|&(low, high)| (low..=high).contains(&c))
}

/// The prefix of a string literal (`rb`, `f`, ...).
#[derive(Debug, Clone, Copy, Default)]
struct Prefix {
    raw: bool,
    bytes: bool,
    format: bool,
}

impl Prefix {
    /// The prefix spelled `text` (any case), if it is a valid one.
    fn parse(text: &str) -> Option<Prefix> {
        let mut prefix = Prefix::default();
        if text.len() > 2 {
            return None;
        }
        for c in text.bytes() {
            match c.to_ascii_lowercase() {
                b'r' if !prefix.raw => prefix.raw = true,
                b'b' if !prefix.bytes && !prefix.format => prefix.bytes = true,
                b'f' if !prefix.bytes && !prefix.format => prefix.format = true,
                b'u' if text.len() == 1 => {}
                _ => return None,
            }
        }
        Some(prefix)
    }
}

/// An indentation level: its column with tabs to the next multiple of 8, and
/// with tabs counting 1 (CPython compares both to detect inconsistent tabs).
#[derive(Debug, Clone, Copy)]
struct Level {
    col: u32,
    alt: u32,
}

/// The tokenizer of one file, or of one f-string field's expression.
pub(crate) struct Lexer<'s> {
    file: FileId,
    src: &'s str,
    pos: usize,
    /// End of the text to tokenize (the field's end for a nested lexer).
    end: usize,
    /// Lexing an f-string field: no NEWLINE, INDENT or DEDENT at all.
    nested: bool,
    /// Logical line counter.
    line: u32,
    levels: Vec<Level>,
    /// Open brackets and where they are.
    brackets: Vec<(u8, usize)>,
    at_line_start: bool,
    /// The current logical line has a token, so a NEWLINE is due.
    line_has_tokens: bool,
    pending_dedents: usize,
}

impl<'s> Lexer<'s> {
    /// A lexer for the whole file `src`.
    pub(crate) fn new(file: FileId, src: &'s str) -> Lexer<'s> {
        Lexer {
            file,
            src,
            pos: if src.starts_with('\u{feff}') { 3 } else { 0 },
            end: src.len(),
            nested: false,
            line: 0,
            levels: vec![Level { col: 0, alt: 0 }],
            brackets: Vec::new(),
            at_line_start: true,
            line_has_tokens: false,
            pending_dedents: 0,
        }
    }

    /// A lexer for an f-string field's expression, bytes `start..end` of the
    /// file `src`, all of whose tokens belong to logical line `line`.
    pub(crate) fn nested(
        file: FileId,
        src: &'s str,
        (start, end): (usize, usize),
        line: u32,
    ) -> Lexer<'s> {
        Lexer {
            pos: start,
            end,
            nested: true,
            line,
            at_line_start: false,
            ..Lexer::new(file, src)
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn token(&self, kind: Tok, start: usize, end: usize) -> Token {
        Token {
            kind,
            span: self.span(start, end),
            line: self.line,
        }
    }

    /// The byte at `i`, or 0 past the end (for looking ahead).
    fn byte(&self, i: usize) -> u8 {
        if i < self.end {
            self.src.as_bytes()[i]
        } else {
            0
        }
    }

    /// The character at byte `i` (`'\0'` past the end).
    fn char_at(&self, i: usize) -> char {
        self.src
            .get(i..self.end)
            .and_then(|s| s.chars().next())
            .unwrap_or('\0')
    }

    /// Length of the line break at `i` (`\r\n` is one).
    fn newline_len(&self, i: usize) -> usize {
        if self.byte(i) == b'\r' && self.byte(i + 1) == b'\n' {
            2
        } else {
            1
        }
    }

    /// Reports an error on the current line and returns [`Tok::Error`].
    fn error(
        &self,
        diags: &mut Diags,
        (start, end): (usize, usize),
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Tok {
        let diag = Diagnostic::error(self.span(start, end), message).with_label(label);
        diags.report_lexical(self.line, diag);
        Tok::Error
    }

    /// The next token. After the end of input, [`Tok::Eof`] forever.
    pub(crate) fn next_token(&mut self, diags: &mut Diags) -> Token {
        if self.pending_dedents > 0 {
            self.pending_dedents -= 1;
            return self.token(Tok::Dedent, self.pos, self.pos);
        }
        loop {
            if self.at_line_start {
                self.at_line_start = false;
                if let Some(token) = self.indentation(diags) {
                    return token;
                }
            }
            while matches!(self.byte(self.pos), b' ' | b'\t' | b'\x0c') {
                self.pos += 1;
            }
            let start = self.pos;
            if start >= self.end {
                return self.end_of_input(diags);
            }
            match self.src.as_bytes()[start] {
                b'#' => {
                    while self.pos < self.end && !matches!(self.byte(self.pos), b'\n' | b'\r') {
                        if self.byte(self.pos) == 0 {
                            self.null_byte(diags, self.pos);
                        }
                        self.pos += 1;
                    }
                }
                b'\n' | b'\r' => {
                    self.pos += self.newline_len(start);
                    if !self.nested && self.brackets.is_empty() {
                        self.at_line_start = true;
                        if self.line_has_tokens {
                            self.line_has_tokens = false;
                            let token = self.token(Tok::Newline, start, self.pos);
                            self.line += 1;
                            return token;
                        }
                    }
                }
                b'\\' => {
                    let next = start + 1;
                    if matches!(self.byte(next), b'\n' | b'\r') {
                        self.pos = next + self.newline_len(next);
                        continue;
                    }
                    self.line_has_tokens = true;
                    self.pos = next;
                    let (message, label) = if next >= self.end {
                        (
                            "unexpected end of file after line continuation character",
                            "nothing follows this `\\`",
                        )
                    } else {
                        (
                            "unexpected character after line continuation character",
                            "a `\\` outside a string must end the line",
                        )
                    };
                    let kind = self.error(diags, (start, next), message, label);
                    return self.token(kind, start, next);
                }
                _ => {
                    self.line_has_tokens = true;
                    let kind = self.lex(diags);
                    return self.token(kind, start, self.pos);
                }
            }
        }
    }

    /// NEWLINE, DEDENTs and EOF at the end of input.
    fn end_of_input(&mut self, diags: &mut Diags) -> Token {
        let end = self.end;
        if !self.nested {
            if let Some(&(open, at)) = self.brackets.first() {
                self.brackets.clear();
                let diag = Diagnostic::error(
                    self.span(at, at + 1),
                    format!("'{}' was never closed", open as char),
                )
                .with_label("this bracket is never closed");
                diags.never_closed(self.line, diag);
            }
            if self.line_has_tokens {
                self.line_has_tokens = false;
                let token = self.token(Tok::Newline, end, end);
                self.line += 1;
                return token;
            }
            if self.levels.len() > 1 {
                self.levels.pop();
                return self.token(Tok::Dedent, end, end);
            }
        }
        self.token(Tok::Eof, end, end)
    }

    fn top(&self) -> Level {
        self.levels
            .last()
            .copied()
            .unwrap_or(Level { col: 0, alt: 0 })
    }

    fn indent_error(&self, diags: &mut Diags, at: (usize, usize), message: &str, label: &str) {
        let diag = Diagnostic::error(self.span(at.0, at.1), message).with_label(label);
        diags.report_indentation(self.line, diag);
    }

    fn tab_error(&self, diags: &mut Diags, at: (usize, usize)) {
        self.indent_error(
            diags,
            at,
            "inconsistent use of tabs and spaces in indentation",
            "this indentation mixes tabs and spaces differently from the lines before",
        );
    }

    /// Reads the indentation of a new line: INDENT, the first of its DEDENTs,
    /// an error, or nothing (same level, or a blank or comment-only line).
    fn indentation(&mut self, diags: &mut Diags) -> Option<Token> {
        let start = self.pos;
        let (mut col, mut alt) = (0u32, 0u32);
        loop {
            match self.byte(self.pos) {
                b' ' => {
                    col += 1;
                    alt += 1;
                }
                b'\t' => {
                    col = (col / 8 + 1) * 8;
                    alt += 1;
                }
                b'\x0c' => (col, alt) = (0, 0),
                _ => break,
            }
            self.pos += 1;
        }
        if self.pos >= self.end || matches!(self.byte(self.pos), b'#' | b'\n' | b'\r') {
            return None;
        }
        // Indentation errors point at the line's first token, as CPython's do.
        let here = (self.pos, self.pos + self.char_at(self.pos).len_utf8());
        let top = self.top();
        if col == top.col {
            if alt != top.alt {
                self.tab_error(diags, here);
            }
            return None;
        }
        if col > top.col {
            if self.levels.len() >= MAX_INDENTS {
                self.line_has_tokens = true;
                self.indent_error(
                    diags,
                    here,
                    "too many levels of indentation",
                    "this line is nested 100 blocks deep",
                );
                return Some(self.token(Tok::Error, start, self.pos));
            }
            if alt <= top.alt {
                self.tab_error(diags, here);
            }
            self.levels.push(Level { col, alt });
            return Some(self.token(Tok::Indent, start, self.pos));
        }
        let mut dedents = 0;
        let mut popped = None;
        while col < self.top().col {
            popped = self.levels.pop();
            dedents += 1;
        }
        let top = self.top();
        if col != top.col {
            self.indent_error(
                diags,
                here,
                "unindent does not match any outer indentation level",
                "this line is less indented than its block but more than the block around it",
            );
            // Keep the line in the innermost block it falls short of, so the
            // lines after it (indented like that block) cause no more errors.
            self.levels.extend(popped);
            dedents -= 1;
        } else if alt != top.alt {
            self.tab_error(diags, here);
        }
        if dedents == 0 {
            return None;
        }
        self.pending_dedents = dedents - 1;
        Some(self.token(Tok::Dedent, self.pos, self.pos))
    }

    /// Lexes the token starting at `self.pos` (not blank, not a line break).
    fn lex(&mut self, diags: &mut Diags) -> Tok {
        let start = self.pos;
        let c = self.byte(start);
        if c.is_ascii_digit() || (c == b'.' && self.byte(start + 1).is_ascii_digit()) {
            return self.number(diags);
        }
        if c == b'\'' || c == b'"' {
            return self.string(start, Prefix::default(), diags);
        }
        if c.is_ascii_alphabetic() || c == b'_' || (c >= 0x80 && is_id_start(self.char_at(start))) {
            return self.name(diags);
        }
        if let Some((op, len)) = operator(c, self.byte(start + 1), self.byte(start + 2)) {
            self.pos += len;
            return self.bracket(op, start, diags);
        }
        if c == 0 {
            self.pos += 1;
            return self.null_byte(diags, start);
        }
        let ch = self.char_at(start);
        self.pos += ch.len_utf8();
        self.error(
            diags,
            (start, self.pos),
            format!("invalid character {ch:?} (U+{:04X})", u32::from(ch)),
            "not valid in Python source",
        )
    }

    /// Reports the NUL byte at `at` (CPython rejects them anywhere).
    fn null_byte(&self, diags: &mut Diags, at: usize) -> Tok {
        self.error(
            diags,
            (at, at + 1),
            "source code cannot contain null bytes",
            "a NUL byte",
        )
    }

    /// Tracks brackets for an operator token.
    fn bracket(&mut self, op: Op, start: usize, diags: &mut Diags) -> Tok {
        let c = self.src.as_bytes()[start];
        match op {
            Op::LParen | Op::LBracket | Op::LBrace => {
                self.brackets.push((c, start));
                if self.brackets.len() > MAX_BRACKETS {
                    return self.error(
                        diags,
                        (start, start + 1),
                        "too many nested parentheses",
                        "more than 200 brackets are open here",
                    );
                }
            }
            Op::RParen | Op::RBracket | Op::RBrace => {
                let opener = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                match self.brackets.pop() {
                    None => {
                        return self.error(
                            diags,
                            (start, start + 1),
                            format!("unmatched '{}'", c as char),
                            "no bracket is open here",
                        )
                    }
                    Some((open, at)) if open != opener => {
                        let diag = Diagnostic::error(
                            self.span(start, start + 1),
                            format!(
                                "closing parenthesis '{}' does not match opening parenthesis '{}'",
                                c as char, open as char
                            ),
                        )
                        .with_label("this closes the wrong bracket")
                        .with_note(self.span(at, at + 1), "the bracket it should close");
                        diags.report_lexical(self.line, diag);
                        return Tok::Error;
                    }
                    Some(_) => {}
                }
            }
            _ => {}
        }
        Tok::Op(op)
    }

    /// End of the identifier that continues at `i`.
    fn ident_end(&self, mut i: usize) -> usize {
        while i < self.end {
            let c = self.byte(i);
            if c.is_ascii_alphanumeric() || c == b'_' {
                i += 1;
            } else if c >= 0x80 && is_id_continue(self.char_at(i)) {
                i += self.char_at(i).len_utf8();
            } else {
                break;
            }
        }
        i
    }

    /// A name, a keyword, or a string literal with a prefix.
    fn name(&mut self, diags: &mut Diags) -> Tok {
        let start = self.pos;
        self.pos = self.ident_end(start);
        let text = &self.src[start..self.pos];
        if matches!(self.byte(self.pos), b'\'' | b'"') {
            if let Some(prefix) = Prefix::parse(text) {
                return self.string(start, prefix, diags);
            }
        }
        if !text.is_ascii() {
            if let Some((at, c)) = text.char_indices().find(|&(_, c)| is_compatibility(c)) {
                let diag = Diagnostic::error(
                    self.span(start + at, start + at + c.len_utf8()),
                    format!(
                        "invalid character {c:?} (U+{:04X}) in identifier",
                        u32::from(c)
                    ),
                )
                .with_label("Python reads this character as another one (NFKC) or rejects it")
                .with_help("spell the name with plain letters and digits");
                diags.report_lexical(self.line, diag);
                return Tok::Error;
            }
        }
        match Kw::from_text(text) {
            Some(kw) => Tok::Kw(kw),
            None => Tok::Name(text.to_owned()),
        }
    }

    /// Consumes digits of `radix` with single underscores between them.
    /// False (after consuming the underscore) on a misplaced underscore.
    fn digits(&mut self, radix: u32) -> bool {
        loop {
            let c = self.byte(self.pos);
            if char::from(c).is_digit(radix) {
                self.pos += 1;
            } else if c == b'_' {
                self.pos += 1;
                if !char::from(self.byte(self.pos)).is_digit(radix) {
                    return false;
                }
            } else {
                return true;
            }
        }
    }

    /// After a number: an identifier glued to it is an error, except the
    /// keywords CPython accepts there (`1if x else 2`).
    fn number_end(&mut self, start: usize, kind: &str, diags: &mut Diags) -> Option<Tok> {
        let c = self.char_at(self.pos);
        if !(c.is_ascii_alphanumeric() || c == '_' || (!c.is_ascii() && is_id_continue(c))) {
            return None;
        }
        let rest = &self.src[self.pos..self.end];
        if ["and", "else", "for", "if", "in", "is", "not", "or"]
            .iter()
            .any(|kw| rest.starts_with(kw))
        {
            return None;
        }
        self.pos = self.ident_end(self.pos);
        Some(self.error(
            diags,
            (start, self.pos),
            format!("invalid {kind} literal"),
            "a number cannot be followed directly by a name",
        ))
    }

    /// A number literal starting at `self.pos`.
    fn number(&mut self, diags: &mut Diags) -> Tok {
        let start = self.pos;
        let radix = match (self.byte(start), self.byte(start + 1) | 0x20) {
            (b'0', b'x') => 16,
            (b'0', b'o') => 8,
            (b'0', b'b') => 2,
            _ => 10,
        };
        if radix != 10 {
            return self.radix_number(start, radix, diags);
        }
        let invalid = |lexer: &mut Self, diags: &mut Diags| {
            lexer.error(
                diags,
                (start, lexer.pos),
                "invalid decimal literal",
                "underscores must separate digits",
            )
        };
        if self.byte(start) != b'.' && !self.digits(10) {
            return invalid(self, diags);
        }
        let mut float = false;
        if self.byte(self.pos) == b'.' {
            self.pos += 1;
            float = true;
            if self.byte(self.pos).is_ascii_digit() && !self.digits(10)
                || self.byte(self.pos) == b'_'
            {
                return invalid(self, diags);
            }
        }
        if self.byte(self.pos) | 0x20 == b'e' {
            let sign = usize::from(matches!(self.byte(self.pos + 1), b'+' | b'-'));
            if self.byte(self.pos + 1 + sign).is_ascii_digit() {
                self.pos += 1 + sign;
                float = true;
                if !self.digits(10) {
                    return invalid(self, diags);
                }
            }
        }
        let imaginary = self.byte(self.pos) | 0x20 == b'j';
        if imaginary {
            self.pos += 1;
        }
        let kind = if imaginary { "imaginary" } else { "decimal" };
        if let Some(error) = self.number_end(start, kind, diags) {
            return error;
        }
        let end = self.pos - usize::from(imaginary);
        let text: String = self.src[start..end].chars().filter(|&c| c != '_').collect();
        if imaginary || float {
            // Rust's parser is correctly rounded, like CPython's.
            let value = text.parse::<f64>().unwrap_or(f64::NAN);
            return if imaginary {
                Tok::Imaginary(value)
            } else {
                Tok::Float(value)
            };
        }
        if text.len() > 1 && text.starts_with('0') && text.bytes().any(|b| b != b'0') {
            return self.error(
                diags,
                (start, self.pos),
                "leading zeros in decimal integer literals are not permitted",
                "this integer starts with 0",
            );
        }
        match text.parse::<i128>() {
            Ok(value) => Tok::Int(value),
            Err(_) => Tok::BigInt(text),
        }
    }

    /// A `0x`, `0o` or `0b` literal.
    fn radix_number(&mut self, start: usize, radix: u32, diags: &mut Diags) -> Tok {
        let name = match radix {
            16 => "hexadecimal",
            8 => "octal",
            _ => "binary",
        };
        self.pos = start + 2;
        let ok = self.digits(radix);
        let digits: String = self.src[start + 2..self.pos]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        let next = self.byte(self.pos);
        if ok && next.is_ascii_digit() {
            return self.error(
                diags,
                (self.pos, self.pos + 1),
                format!("invalid digit '{}' in {name} literal", next as char),
                format!("not a {name} digit"),
            );
        }
        if !ok || digits.is_empty() {
            return self.error(
                diags,
                (start, self.pos),
                format!("invalid {name} literal"),
                format!("expected {name} digits"),
            );
        }
        if let Some(error) = self.number_end(start, name, diags) {
            return error;
        }
        match i128::from_str_radix(&digits, radix) {
            Ok(value) => Tok::Int(value),
            Err(_) => Tok::BigInt(format!("{}{digits}", &self.src[start..start + 2])),
        }
    }

    /// A string literal whose prefix starts at `start` and whose opening
    /// quote is at `self.pos`.
    fn string(&mut self, start: usize, prefix: Prefix, diags: &mut Diags) -> Tok {
        let quote = self.byte(self.pos);
        let triple = self.byte(self.pos + 1) == quote && self.byte(self.pos + 2) == quote;
        let body_start = self.pos + if triple { 3 } else { 1 };
        let mut i = body_start;
        let mut nul = None;
        let body_end = loop {
            if i >= self.end {
                self.pos = self.end;
                let message = if triple {
                    "unterminated triple-quoted string literal"
                } else {
                    "unterminated string literal"
                };
                return self.error(
                    diags,
                    (start, body_start),
                    message,
                    "this string is never closed",
                );
            }
            match self.byte(i) {
                b'\\' => {
                    if i + 1 < self.end && self.byte(i + 1) == 0 {
                        nul = nul.or(Some(i + 1));
                    }
                    i += 1 + self.newline_len(i + 1);
                }
                c if c == quote => {
                    if !triple {
                        self.pos = i + 1;
                        break i;
                    }
                    if self.byte(i + 1) == quote && self.byte(i + 2) == quote {
                        self.pos = i + 3;
                        break i;
                    }
                    i += 1;
                }
                b'\n' | b'\r' if !triple => {
                    self.pos = i;
                    return self.error(
                        diags,
                        (start, body_start),
                        "unterminated string literal",
                        "this string is not closed on its line",
                    );
                }
                0 => {
                    nul = nul.or(Some(i));
                    i += 1;
                }
                _ => i += 1,
            }
        };
        if let Some(at) = nul {
            return self.null_byte(diags, at);
        }
        let body = (body_start, body_end);
        let value = if prefix.format {
            self.fstring_pieces(body_start, body_end, prefix.raw, 0, diags)
                .map(|(pieces, _)| StrLit::FStr(pieces))
        } else if prefix.bytes {
            self.decode_bytes(body, prefix.raw, diags)
                .map(StrLit::Bytes)
        } else {
            self.decode_str(body, prefix.raw, diags).map(StrLit::Str)
        };
        value.map_or(Tok::Error, Tok::Str)
    }

    /// Decodes the body of a `str` literal.
    fn decode_str(
        &mut self,
        (mut i, to): (usize, usize),
        raw: bool,
        diags: &mut Diags,
    ) -> Result<String, ()> {
        let mut out = String::with_capacity(to - i);
        while i < to {
            match self.byte(i) {
                b'\\' if !raw => {
                    let (value, next) = self.escape(i, to, false, diags)?;
                    out.extend(value.and_then(char::from_u32));
                    i = next;
                }
                b'\r' => {
                    out.push('\n');
                    i += self.newline_len(i);
                }
                _ => {
                    let run = self.src.as_bytes()[i..to]
                        .iter()
                        .position(|&b| b == b'\r' || (b == b'\\' && !raw))
                        .map_or(to, |n| i + n);
                    out.push_str(&self.src[i..run]);
                    i = run;
                }
            }
        }
        Ok(out)
    }

    /// Decodes the body of a `bytes` literal.
    fn decode_bytes(
        &mut self,
        (mut i, to): (usize, usize),
        raw: bool,
        diags: &mut Diags,
    ) -> Result<Vec<u8>, ()> {
        let mut out = Vec::with_capacity(to - i);
        while i < to {
            match self.byte(i) {
                b'\\' if !raw => {
                    let (value, next) = self.escape(i, to, true, diags)?;
                    // Escapes in bytes are at most 0xff (octal ones are masked).
                    out.extend(value.and_then(|v| u8::try_from(v).ok()));
                    i = next;
                }
                b'\r' => {
                    out.push(b'\n');
                    i += self.newline_len(i);
                }
                c if c >= 0x80 => {
                    let len = self.char_at(i).len_utf8();
                    self.error(
                        diags,
                        (i, i + len),
                        "bytes can only contain ASCII literal characters",
                        "not ASCII",
                    );
                    return Err(());
                }
                c => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        Ok(out)
    }

    /// Decodes the escape sequence whose backslash is at `at`, in a literal
    /// body ending at `to`. Returns its code point or byte value (`None` for
    /// a line continuation) and the index after it. An unknown escape stands
    /// for the backslash itself; the character after it is read normally.
    fn escape(
        &mut self,
        at: usize,
        to: usize,
        bytes: bool,
        diags: &mut Diags,
    ) -> Result<(Option<u32>, usize), ()> {
        let c = if at + 1 < to { self.byte(at + 1) } else { 0 };
        let simple = match c {
            b'\n' | b'\r' => return Ok((None, at + 1 + self.newline_len(at + 1))),
            b'\\' | b'\'' | b'"' => u32::from(c),
            b'a' => 0x07,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => 0x0a,
            b'r' => 0x0d,
            b't' => 0x09,
            b'v' => 0x0b,
            b'0'..=b'7' => {
                let mut value = 0;
                let mut i = at + 1;
                while i < (at + 4).min(to) && matches!(self.byte(i), b'0'..=b'7') {
                    value = value * 8 + u32::from(self.byte(i) - b'0');
                    i += 1;
                }
                return Ok((Some(if bytes { value & 0xff } else { value }), i));
            }
            b'x' => return self.hex_escape(at, 2, to, bytes, diags),
            b'u' if !bytes => return self.hex_escape(at, 4, to, bytes, diags),
            b'U' if !bytes => return self.hex_escape(at, 8, to, bytes, diags),
            b'N' if !bytes => {
                let mut end = at + 2;
                if self.byte(end) == b'{' {
                    end = self.src.as_bytes()[end..to]
                        .iter()
                        .position(|&b| b == b'}')
                        .map_or(end + 1, |n| end + n + 1);
                }
                let diag =
                    Diagnostic::error(self.span(at, end), "\\N{...} escapes are not supported")
                        .with_label("named Unicode escape")
                        .with_help("write the character itself, or use a \\u or \\U escape");
                diags.report_lexical(self.line, diag);
                return Err(());
            }
            _ => return Ok((Some(u32::from(b'\\')), at + 1)),
        };
        Ok((Some(simple), at + 2))
    }

    /// `\xhh`, `\uhhhh` or `\Uhhhhhhhh` (`digits` hex digits) at `at`.
    fn hex_escape(
        &mut self,
        at: usize,
        digits: usize,
        to: usize,
        bytes: bool,
        diags: &mut Diags,
    ) -> Result<(Option<u32>, usize), ()> {
        let letter = char::from(self.byte(at + 1));
        let mut value: u32 = 0;
        for i in at + 2..at + 2 + digits {
            let digit = if i < to {
                char::from(self.byte(i)).to_digit(16)
            } else {
                None
            };
            let Some(digit) = digit else {
                self.error(
                    diags,
                    (at, i.min(to)),
                    format!("truncated \\{letter}{} escape", "X".repeat(digits)),
                    format!("\\{letter} takes exactly {digits} hex digits"),
                );
                return Err(());
            };
            value = value * 16 + digit;
        }
        let end = at + 2 + digits;
        if !bytes && char::from_u32(value).is_none() {
            let message = if value > 0x10ffff {
                "illegal Unicode character"
            } else {
                "surrogate code points are not supported in strings"
            };
            self.error(
                diags,
                (at, end),
                message,
                format!("U+{value:04X} is not a character"),
            );
            return Err(());
        }
        Ok((Some(value), end))
    }

    /// Splits f-string text from `i` into pieces: the whole body at `level` 0,
    /// or a format spec (level 1, or 2 inside a nested field's spec), which
    /// ends at a `}` whose index is returned (`to` if there is none).
    fn fstring_pieces(
        &mut self,
        mut i: usize,
        to: usize,
        raw: bool,
        level: u8,
        diags: &mut Diags,
    ) -> Result<(Vec<FPiece>, usize), ()> {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let flush = |lit: &mut String, pieces: &mut Vec<FPiece>| {
            if !lit.is_empty() {
                pieces.push(FPiece::Lit(std::mem::take(lit)));
            }
        };
        while i < to {
            match self.byte(i) {
                b'{' if level == 0 && i + 1 < to && self.byte(i + 1) == b'{' => {
                    lit.push('{');
                    i += 2;
                }
                b'{' => {
                    if level >= MAX_SPEC_LEVEL {
                        self.error(
                            diags,
                            (i, i + 1),
                            "f-string: expressions nested too deeply",
                            "a field inside a nested field's format spec",
                        );
                        return Err(());
                    }
                    flush(&mut lit, &mut pieces);
                    let (field, next) = self.fstring_field(i, to, raw, level, diags)?;
                    pieces.push(FPiece::Field(field));
                    i = next;
                }
                b'}' if level > 0 => break,
                b'}' if i + 1 < to && self.byte(i + 1) == b'}' => {
                    lit.push('}');
                    i += 2;
                }
                b'}' => {
                    let diag = Diagnostic::error(
                        self.span(i, i + 1),
                        "f-string: single '}' is not allowed",
                    )
                    .with_label("this '}' closes no field")
                    .with_help("write '}}' for a literal '}'");
                    diags.report_lexical(self.line, diag);
                    return Err(());
                }
                b'\\' if !raw => {
                    let (value, next) = self.escape(i, to, false, diags)?;
                    lit.extend(value.and_then(char::from_u32));
                    i = next;
                }
                b'\r' => {
                    lit.push('\n');
                    i += self.newline_len(i);
                }
                _ => {
                    let run = self.src.as_bytes()[i..to]
                        .iter()
                        .position(|&b| matches!(b, b'{' | b'}' | b'\r') || (b == b'\\' && !raw))
                        .map_or(to, |n| i + n);
                    lit.push_str(&self.src[i..run]);
                    i = run;
                }
            }
        }
        flush(&mut lit, &mut pieces);
        Ok((pieces, i))
    }

    /// The replacement field whose `{` is at `open`; returns it and the index
    /// after its `}`.
    fn fstring_field(
        &mut self,
        open: usize,
        to: usize,
        raw: bool,
        level: u8,
        diags: &mut Diags,
    ) -> Result<(Field, usize), ()> {
        let byte = |lexer: &Self, i: usize| if i < to { lexer.byte(i) } else { 0 };
        let expecting = |lexer: &Self, diags: &mut Diags| {
            let diag = Diagnostic::error(lexer.span(open, open + 1), "f-string: expecting '}'")
                .with_label("this field is not closed")
                .with_help("close the field with '}', or write '{{' for a literal '{'");
            diags.report_lexical(lexer.line, diag);
        };
        let expr_start = open + 1;
        let mut i = expr_start;
        let mut depth = 0usize;
        loop {
            if i >= to {
                expecting(self, diags);
                return Err(());
            }
            let c = self.byte(i);
            match c {
                b'\'' | b'"' => {
                    i = self.skip_nested_string(i, to, diags)?;
                    continue;
                }
                b'(' | b'[' | b'{' => depth += 1,
                b'}' if depth == 0 => break,
                b')' | b']' | b'}' => {
                    if depth == 0 {
                        self.error(
                            diags,
                            (i, i + 1),
                            format!("f-string: unmatched '{}'", c as char),
                            "no bracket is open here",
                        );
                        return Err(());
                    }
                    depth -= 1;
                }
                b'#' => {
                    self.error(
                        diags,
                        (i, i + 1),
                        "f-string expression part cannot include '#'",
                        "comment character",
                    );
                    return Err(());
                }
                b'!' if depth == 0 && byte(self, i + 1) != b'=' => break,
                b':' if depth == 0 => break,
                b'=' if depth == 0
                    && byte(self, i + 1) != b'='
                    && !matches!(self.byte(i - 1), b'=' | b'!' | b'<' | b'>') =>
                {
                    break
                }
                _ => {}
            }
            i += 1;
        }
        let expr = (expr_start, i);
        if self.src.as_bytes()[expr_start..i]
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\x0c' | b'\n' | b'\r'))
        {
            self.error(
                diags,
                (open, i + 1),
                "f-string: empty expression not allowed",
                "this field has no expression",
            );
            return Err(());
        }
        let mut debug_text = None;
        if self.byte(i) == b'=' {
            i += 1;
            while matches!(byte(self, i), b' ' | b'\t' | b'\x0c' | b'\n' | b'\r') {
                i += 1;
            }
            debug_text = Some(
                self.src[expr_start..i]
                    .replace("\r\n", "\n")
                    .replace('\r', "\n"),
            );
        }
        let mut conversion = None;
        if byte(self, i) == b'!' {
            let c = byte(self, i + 1);
            if !matches!(c, b'r' | b's' | b'a') {
                self.error(
                    diags,
                    (i, i + 1 + usize::from(c != 0)),
                    "f-string: invalid conversion character: expected 's', 'r', or 'a'",
                    "invalid conversion",
                );
                return Err(());
            }
            conversion = Some(char::from(c));
            i += 2;
        }
        let mut spec = Vec::new();
        if byte(self, i) == b':' {
            (spec, i) = self.fstring_pieces(i + 1, to, raw, level + 1, diags)?;
        }
        if byte(self, i) != b'}' {
            expecting(self, diags);
            return Err(());
        }
        let field = Field {
            expr,
            conversion,
            spec,
            debug_text,
        };
        Ok((field, i + 1))
    }

    /// Skips a string literal inside an f-string field; returns the index
    /// after its closing quote.
    fn skip_nested_string(
        &mut self,
        open: usize,
        to: usize,
        diags: &mut Diags,
    ) -> Result<usize, ()> {
        let quote = self.byte(open);
        let triple = open + 2 < to && self.byte(open + 1) == quote && self.byte(open + 2) == quote;
        let len = if triple { 3 } else { 1 };
        let mut i = open + len;
        while i < to {
            match self.byte(i) {
                b'\\' => i += 2,
                c if c == quote
                    && (!triple
                        || (i + 2 < to
                            && self.byte(i + 1) == quote
                            && self.byte(i + 2) == quote)) =>
                {
                    return Ok(i + len);
                }
                _ => i += 1,
            }
        }
        self.error(
            diags,
            (open, open + len),
            "f-string: unterminated string",
            "this string inside the f-string is never closed",
        );
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All token kinds of `src` up to EOF, and the diagnostics' messages.
    fn lex(src: &str) -> (Vec<Tok>, Vec<String>) {
        let mut diags = Diags::default();
        let mut lexer = Lexer::new(FileId(0), src);
        let mut toks = Vec::new();
        loop {
            let token = lexer.next_token(&mut diags);
            if token.kind == Tok::Eof {
                break;
            }
            toks.push(token.kind);
        }
        let messages = diags.finish().into_iter().map(|d| d.message).collect();
        (toks, messages)
    }

    fn name(s: &str) -> Tok {
        Tok::Name(s.into())
    }

    fn string(s: &str) -> Tok {
        Tok::Str(StrLit::Str(s.into()))
    }

    #[test]
    fn indentation_produces_indent_and_dedent() {
        let (toks, errors) = lex("if x:\n    y\n\n  # comment\n    z\nw\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            toks,
            vec![
                Tok::Kw(Kw::If),
                name("x"),
                Tok::Op(Op::Colon),
                Tok::Newline,
                Tok::Indent,
                name("y"),
                Tok::Newline,
                name("z"),
                Tok::Newline,
                Tok::Dedent,
                name("w"),
                Tok::Newline,
            ]
        );
    }

    #[test]
    fn several_dedents_and_missing_final_newline() {
        let (toks, _) = lex("a:\n b:\n  c");
        let dedents = toks.iter().filter(|t| **t == Tok::Dedent).count();
        assert_eq!(dedents, 2);
        assert_eq!(toks.last(), Some(&Tok::Dedent));
        assert_eq!(toks.iter().filter(|t| **t == Tok::Newline).count(), 3);
    }

    #[test]
    fn tab_advances_to_multiple_of_eight() {
        // A tab then the same tab: consistent.
        let (_, errors) = lex("if x:\n\ty\n\tz\n");
        assert!(errors.is_empty());
        // Eight spaces and a tab are the same column but not the same text.
        let (_, errors) = lex("if x:\n\ty\n        z\n");
        assert_eq!(
            errors,
            vec!["inconsistent use of tabs and spaces in indentation"]
        );
        // `  \t` is column 8 like `\t`, but only with tabs of 8.
        let (_, errors) = lex("if x:\n  \ty\n\tz\n");
        assert_eq!(
            errors,
            vec!["inconsistent use of tabs and spaces in indentation"]
        );
    }

    #[test]
    fn brackets_and_backslash_join_lines() {
        let (toks, errors) = lex("x = (1,\n  2)\ny = 1 + \\\n  2\n");
        assert!(errors.is_empty());
        assert_eq!(toks.iter().filter(|t| **t == Tok::Newline).count(), 2);
        assert!(!toks.contains(&Tok::Indent));
    }

    #[test]
    fn numbers() {
        let (toks, errors) = lex(
            "0 42 1_000 0x_fF 0o17 0b1010 1.5 .5 1. 1e3 1_0.2_5e-1_0 3j 1.5J \
             170141183460469231731687303715884105728 0xffffffffffffffffffffffffffffffffff 00 1if",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            toks[..16],
            [
                Tok::Int(0),
                Tok::Int(42),
                Tok::Int(1000),
                Tok::Int(255),
                Tok::Int(15),
                Tok::Int(10),
                Tok::Float(1.5),
                Tok::Float(0.5),
                Tok::Float(1.0),
                Tok::Float(1000.0),
                Tok::Float(10.25e-10),
                Tok::Imaginary(3.0),
                Tok::Imaginary(1.5),
                Tok::BigInt("170141183460469231731687303715884105728".into()),
                Tok::BigInt("0xffffffffffffffffffffffffffffffffff".into()),
                Tok::Int(0),
            ]
        );
        assert_eq!(toks[16..18], [Tok::Int(1), Tok::Kw(Kw::If)]);
        assert_eq!(
            lex("0.1 2.2250738585072014e-308 1e400").0[..3],
            [
                Tok::Float(0.1),
                Tok::Float(2.2250738585072014e-308),
                Tok::Float(f64::INFINITY)
            ]
        );
    }

    #[test]
    fn bad_numbers() {
        for (src, message) in [
            ("1__0", "invalid decimal literal"),
            ("1_", "invalid decimal literal"),
            (
                "0777",
                "leading zeros in decimal integer literals are not permitted",
            ),
            ("0b102", "invalid digit '2' in binary literal"),
            ("0o8", "invalid digit '8' in octal literal"),
            ("0x", "invalid hexadecimal literal"),
            ("1abc", "invalid decimal literal"),
            ("1._5", "invalid decimal literal"),
        ] {
            let (toks, errors) = lex(src);
            assert_eq!(errors, vec![message], "{src}");
            assert_eq!(toks[0], Tok::Error, "{src}");
        }
    }

    #[test]
    fn string_prefixes_and_quotes() {
        let (toks, errors) =
            lex(r#"'a' "b" '''c'd''' """e"f""" r'\n' R"\q" u'x' b'y' Rb'\n' bR"z" x'q'"#);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            toks[..10],
            [
                string("a"),
                string("b"),
                string("c'd"),
                string("e\"f"),
                string("\\n"),
                string("\\q"),
                string("x"),
                Tok::Str(StrLit::Bytes(b"y".to_vec())),
                Tok::Str(StrLit::Bytes(b"\\n".to_vec())),
                Tok::Str(StrLit::Bytes(b"z".to_vec())),
            ]
        );
        // `x` is not a prefix: a name, then a string.
        assert_eq!(toks[10..12], [name("x"), string("q")]);
    }

    #[test]
    fn escapes() {
        let (toks, errors) = lex(
            r#""\n\t\\\'\"\a\b\f\v\r" "\x41\u00e9\U0001F600\101\0\777" "\d\{" "a\
b" b"\xff\777\u0041""#,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            toks[..5],
            [
                string("\n\t\\'\"\x07\x08\x0c\x0b\r"),
                string("Aé😀A\0\u{1ff}"),
                string("\\d\\{"),
                string("ab"),
                Tok::Str(StrLit::Bytes(b"\xff\xff\\u0041".to_vec())),
            ]
        );
    }

    #[test]
    fn bad_strings() {
        for (src, message) in [
            ("'abc", "unterminated string literal"),
            ("'abc\nx", "unterminated string literal"),
            ("'''abc\n", "unterminated triple-quoted string literal"),
            (r"'\x4'", "truncated \\xXX escape"),
            (r"'\u12'", "truncated \\uXXXX escape"),
            (r"'\U00110000'", "illegal Unicode character"),
            (
                r"'\ud800'",
                "surrogate code points are not supported in strings",
            ),
            (r"'\N{BULLET}'", "\\N{...} escapes are not supported"),
            ("b'é'", "bytes can only contain ASCII literal characters"),
        ] {
            let (toks, errors) = lex(src);
            assert_eq!(errors, vec![message], "{src}");
            assert_eq!(toks[0], Tok::Error, "{src}");
        }
    }

    #[test]
    fn crlf_is_one_line_break() {
        let (toks, errors) = lex("x = '''a\r\nb'''\r\ny = 1\r\n");
        assert!(errors.is_empty());
        assert_eq!(toks[2], string("a\nb"));
        assert_eq!(toks.iter().filter(|t| **t == Tok::Newline).count(), 2);
    }

    /// The pieces of the single f-string in `src`.
    fn fpieces(src: &str) -> Vec<FPiece> {
        match lex(src).0.into_iter().next() {
            Some(Tok::Str(StrLit::FStr(pieces))) => pieces,
            other => panic!("not an f-string: {other:?}"),
        }
    }

    #[test]
    fn fstring_pieces() {
        let src = r#"f"a{{b}}\n{x!r:>{w}} {y = }{d['k']}""#;
        let pieces = fpieces(src);
        assert_eq!(pieces.len(), 5);
        assert_eq!(pieces[0], FPiece::Lit("a{b}\n".into()));
        let FPiece::Field(field) = &pieces[1] else {
            panic!()
        };
        assert_eq!(&src[field.expr.0..field.expr.1], "x");
        assert_eq!(field.conversion, Some('r'));
        assert_eq!(field.spec.len(), 2);
        assert_eq!(field.spec[0], FPiece::Lit(">".into()));
        let FPiece::Field(width) = &field.spec[1] else {
            panic!()
        };
        assert_eq!(&src[width.expr.0..width.expr.1], "w");
        let FPiece::Field(debug) = &pieces[3] else {
            panic!()
        };
        assert_eq!(debug.debug_text.as_deref(), Some("y = "));
        assert_eq!(&src[debug.expr.0..debug.expr.1], "y ");
        let FPiece::Field(index) = &pieces[4] else {
            panic!()
        };
        assert_eq!(&src[index.expr.0..index.expr.1], "d['k']");
        assert_eq!(pieces[2], FPiece::Lit(" ".into()));
    }

    #[test]
    fn bad_fstrings() {
        for (src, message) in [
            ("f'{'", "f-string: expecting '}'"),
            ("f'}'", "f-string: single '}' is not allowed"),
            ("f'{}'", "f-string: empty expression not allowed"),
            ("f'{ }'", "f-string: empty expression not allowed"),
            (
                "f'{x!z}'",
                "f-string: invalid conversion character: expected 's', 'r', or 'a'",
            ),
            ("f'{x!r }'", "f-string: expecting '}'"),
            ("f'{x#}'", "f-string expression part cannot include '#'"),
            ("f'{x:{y:{z}}}'", "f-string: expressions nested too deeply"),
            ("f'{x)}'", "f-string: unmatched ')'"),
            ("f'''{\"a}'''", "f-string: unterminated string"),
        ] {
            let (toks, errors) = lex(src);
            assert_eq!(errors, vec![message], "{src}");
            assert_eq!(toks[0], Tok::Error, "{src}");
        }
    }
}
