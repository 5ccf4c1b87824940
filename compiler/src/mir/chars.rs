//! Lowering of single characters of strings: `text[index]`, `for ch in
//! text`, `chr(code)`, and the places where only a character's code point
//! matters (comparisons of characters, `ord(text[i])`, `c in "aeiou"`),
//! which compare integers. Where the text is ASCII no string is made and
//! no call is needed; the paths for other text are cold blocks.

use super::heap::{val, STR_BYTES, STR_TEXT};
use super::{BinOp, Builder, IntCond, Operand, Rvalue, Statement};
use crate::diag::Span;
use crate::hir::{self, CmpOp, ExprKind, RtOperand, Type};
use crate::rtabi::RtFn;
use roast_runtime::ExcKind;

/// A character whose code point a comparison needs.
#[derive(Clone, Copy)]
pub(super) enum CharCode<'e> {
    /// `text[index]`.
    At(&'e hir::Expr, &'e hir::Expr),
    /// A one-character string literal.
    Const(i64),
}

/// The text and index of `e` when `e` is `text[index]` on a string.
pub(super) fn char_at(e: &hir::Expr) -> Option<(&hir::Expr, &hir::Expr)> {
    match &e.kind {
        ExprKind::Runtime(RtFn::StrGetItem, ops) => match ops.as_slice() {
            [RtOperand::Value(text), RtOperand::Value(index)] => Some((text, index)),
            _ => None,
        },
        _ => None,
    }
}

/// `e` as a character known to be exactly one: a subscript of a string or
/// a one-character literal.
pub(super) fn char_code_of(e: &hir::Expr) -> Option<CharCode<'_>> {
    if let Some((text, index)) = char_at(e) {
        return Some(CharCode::At(text, index));
    }
    match &e.kind {
        ExprKind::Str(s) => match s.chars().collect::<Vec<_>>().as_slice() {
            [c] => Some(CharCode::Const(i64::from(u32::from(*c)))),
            _ => None,
        },
        _ => None,
    }
}

impl Builder<'_> {
    /// `text[index]`: a character of ASCII text is the runtime's immortal
    /// string of its byte, found without a call; other text, and indices
    /// out of range, go to the runtime (which raises).
    pub(super) fn str_get(&mut self, text: Operand, index: Operand, span: Span) -> Operand {
        let r = self.owned_temp(Type::Str);
        let (fast, slow, join) = (self.new_block(), self.new_cold_block(), self.new_block());
        let byte = self.ascii_byte_at(text, index, fast, slow, span);
        self.push(Statement::Assign(r, Rvalue::AsciiStr(byte)));
        self.slow_path_into(r, slow, join, |b| b.char_from_runtime(text, index, span))
    }

    /// Ends the fast path into `join`, then lowers the slow path in
    /// `slow` with `make`, whose value (a string's reference moving) goes
    /// into `r` too, and goes on in `join` with `r`.
    fn slow_path_into(
        &mut self,
        r: super::LocalId,
        slow: super::BlockId,
        join: super::BlockId,
        make: impl FnOnce(&mut Self) -> Operand,
    ) -> Operand {
        self.goto(join);
        self.switch_to(slow);
        let v = make(self);
        if self.locals[r.0 as usize].1.is_heap() {
            self.move_to(r, v);
        } else {
            self.push(Statement::Assign(r, Rvalue::Use(v)));
        }
        self.goto(join);
        self.switch_to(join);
        Operand::Local(r)
    }

    /// The character of `text` starting at byte `pos` (below the text's
    /// length), and `pos` moved past it: an ASCII byte is the runtime's
    /// immortal string of it, found without a call.
    pub(super) fn next_char(&mut self, text: Operand, pos: super::LocalId) -> Operand {
        let r = self.owned_temp(Type::Str);
        let (fast, slow, join) = (self.new_block(), self.new_cold_block(), self.new_block());
        let byte = self.assign(
            Type::Int,
            Rvalue::LoadByte {
                base: text,
                offset: STR_TEXT,
                index: Operand::Local(pos),
            },
        );
        let ascii = self.compare_ints(IntCond::ULt, byte, Operand::Int(128));
        self.branch(ascii, fast, slow);
        self.switch_to(fast);
        self.push(Statement::Assign(r, Rvalue::AsciiStr(byte)));
        self.push(Statement::Assign(
            pos,
            Rvalue::Binary(BinOp::IAdd, Operand::Local(pos), Operand::Int(1)),
        ));
        self.slow_path_into(r, slow, join, |b| {
            let at = Operand::Local(pos);
            let c = b.call_rt(
                RtFn::StrCharAt,
                vec![val(text), val(at)],
                Type::Str,
                Span::default(),
            );
            let bytes = b.load_word(c, STR_BYTES);
            // Both at most the text's length: no overflow.
            b.push(Statement::Assign(
                pos,
                Rvalue::Binary(BinOp::IAdd, at, bytes),
            ));
            c
        })
    }

    /// `chr(code)`: an ASCII code is the runtime's immortal string of it,
    /// found without a call; the runtime makes other characters (and
    /// raises for codes that are none).
    pub(super) fn chr(&mut self, code: Operand, span: Span) -> Operand {
        let r = self.owned_temp(Type::Str);
        let (fast, slow, join) = (self.new_block(), self.new_cold_block(), self.new_block());
        let ascii = self.compare_ints(IntCond::ULt, code, Operand::Int(128));
        self.branch(ascii, fast, slow);
        self.switch_to(fast);
        self.push(Statement::Assign(r, Rvalue::AsciiStr(code)));
        self.slow_path_into(r, slow, join, |b| {
            b.call_rt(RtFn::Chr, vec![val(code)], Type::Str, span)
        })
    }

    /// `text[index]` made by the runtime, which raises `IndexError` for an
    /// index outside the text.
    fn char_from_runtime(&mut self, text: Operand, index: Operand, span: Span) -> Operand {
        self.call_rt(
            RtFn::StrGetItem,
            vec![val(text), val(index)],
            Type::Str,
            span,
        )
    }

    /// Branches to `slow` where `text` is not ASCII; raises `IndexError`
    /// (as the subscript at `span` does) where `index`, after the negative
    /// fix-up, is outside it; else goes on in `fast` and returns the byte
    /// there.
    fn ascii_byte_at(
        &mut self,
        text: Operand,
        index: Operand,
        fast: super::BlockId,
        slow: super::BlockId,
        span: Span,
    ) -> Operand {
        let bytes = self.load_word(text, STR_BYTES);
        let chars = self.load_word(text, super::heap::STR_CHARS);
        let ascii = self.compare_ints(IntCond::Eq, bytes, chars);
        let in_text = self.new_block();
        self.branch(ascii, in_text, slow);
        self.switch_to(in_text);
        // In ASCII text, bytes are characters.
        let at = self.position(index, bytes);
        let outside = self.compare_ints(IntCond::UGe, at, bytes);
        self.raise_if(
            outside,
            ExcKind::IndexError,
            "string index out of range",
            span,
        );
        self.goto(fast);
        self.switch_to(fast);
        self.assign(
            Type::Int,
            Rvalue::LoadByte {
                base: text,
                offset: STR_TEXT,
                index: at,
            },
        )
    }

    /// The code point of a character, evaluated (and raising) as the
    /// string it stands for would be: the byte of ASCII text, else the
    /// runtime's `ord(text[index])`, which raises `IndexError` as the
    /// subscript does. `span` is the subscript's.
    pub(super) fn char_code(&mut self, c: CharCode<'_>, span: Span) -> Operand {
        let (text, index) = match c {
            CharCode::Const(k) => return Operand::Int(k),
            CharCode::At(text, index) => (self.expr(text), self.expr(index)),
        };
        let r = self.temp(Type::Int);
        let (fast, slow, join) = (self.new_block(), self.new_cold_block(), self.new_block());
        let byte = self.ascii_byte_at(text, index, fast, slow, span);
        self.push(Statement::Assign(r, Rvalue::Use(byte)));
        self.slow_path_into(r, slow, join, |b| {
            b.call_rt(RtFn::StrOrdAt, vec![val(text), val(index)], Type::Int, span)
        })
    }

    /// `ord(text)`: a character whose code point is known without the
    /// string (a literal, `s[i]`) as [`Self::char_code`] finds it; else a
    /// one-byte string (an ASCII character) is its byte, without a call,
    /// and the runtime reads longer characters (and raises `TypeError` for
    /// strings that are not one character).
    pub(super) fn ord(&mut self, text: &hir::Expr, span: Span) -> Operand {
        if let Some(c) = char_code_of(text) {
            return self.char_code(c, text.span);
        }
        let text = self.expr(text);
        self.by_one_byte(text, Type::Int, RtFn::Ord, span, |_, byte| byte)
    }

    /// `text.isdigit()` and the other character-class tests: a one-byte
    /// string (an ASCII character) by comparisons of its byte, without a
    /// call; other strings by the runtime `f`.
    pub(super) fn char_class(&mut self, f: RtFn, text: &hir::Expr) -> Operand {
        let text = self.expr(text);
        self.by_one_byte(text, Type::Bool, f, Span::default(), |b, byte| {
            b.ascii_class(f, byte)
        })
    }

    /// Whether the ASCII `byte` passes the test `f` (`StrIsdigit`, ...),
    /// as Python's tables say for ASCII: digits `0-9` (decimal and numeric
    /// alike), letters `a-z` and `A-Z`, and whitespace `\t\n\v\f\r`, the
    /// separators `\x1c-\x1f` and the space.
    fn ascii_class(&mut self, f: RtFn, byte: Operand) -> Operand {
        let digit = |b: &mut Self| b.byte_within(byte, b'0', 10);
        let letter = |b: &mut Self| {
            let folded = b.assign(
                Type::Int,
                Rvalue::Binary(BinOp::Or, byte, Operand::Int(0x20)),
            );
            b.byte_within(folded, b'a', 26)
        };
        let (p, q) = match f {
            RtFn::StrIsdigit | RtFn::StrIsdecimal | RtFn::StrIsnumeric => return digit(self),
            RtFn::StrIsalpha => return letter(self),
            RtFn::StrIslower => return self.byte_within(byte, b'a', 26),
            RtFn::StrIsupper => return self.byte_within(byte, b'A', 26),
            RtFn::StrIsalnum => (letter(self), digit(self)),
            RtFn::StrIsspace => (self.byte_within(byte, 9, 5), self.byte_within(byte, 28, 5)),
            _ => unreachable!("a character-class test"),
        };
        self.assign(Type::Bool, Rvalue::Binary(BinOp::Or, p, q))
    }

    /// Whether `first <= byte < first + count`, by one unsigned comparison.
    fn byte_within(&mut self, byte: Operand, first: u8, count: i64) -> Operand {
        let offset = self.assign(
            Type::Int,
            Rvalue::Binary(BinOp::ISub, byte, Operand::Int(i64::from(first))),
        );
        self.compare_ints(IntCond::ULt, offset, Operand::Int(count))
    }

    /// A value of type `ty` computed from `text`: for a one-byte string
    /// (an ASCII character) by `from_byte` from its byte, without a call;
    /// for other strings by the runtime function `f` of the text, in a
    /// cold block.
    fn by_one_byte(
        &mut self,
        text: Operand,
        ty: Type,
        f: RtFn,
        span: Span,
        from_byte: impl FnOnce(&mut Self, Operand) -> Operand,
    ) -> Operand {
        let r = self.temp(ty);
        let (fast, slow, join) = (self.new_block(), self.new_cold_block(), self.new_block());
        let bytes = self.load_word(text, STR_BYTES);
        let one = self.compare_ints(IntCond::Eq, bytes, Operand::Int(1));
        self.branch(one, fast, slow);
        self.switch_to(fast);
        let byte = self.assign(
            Type::Int,
            Rvalue::LoadByte {
                base: text,
                offset: STR_TEXT,
                index: Operand::Int(0),
            },
        );
        let v = from_byte(self, byte);
        self.push(Statement::Assign(r, Rvalue::Use(v)));
        self.slow_path_into(r, slow, join, |b| b.call_rt(f, vec![val(text)], ty, span))
    }

    /// `l op r` where both sides are single characters and one at least a
    /// subscript (`s[i] == s[j]`, `s[i] < "m"`): one-character strings
    /// compare as their code points. `None` for other comparisons.
    pub(super) fn compare_chars(
        &mut self,
        op: CmpOp,
        l: &hir::Expr,
        r: &hir::Expr,
    ) -> Option<Operand> {
        let (a, b) = (char_code_of(l)?, char_code_of(r)?);
        if let (CharCode::Const(_), CharCode::Const(_)) = (a, b) {
            return None;
        }
        let x = self.char_code(a, l.span);
        let y = self.char_code(b, r.span);
        // Code points are not negative: signed comparison orders them.
        Some(self.compare_ints(IntCond::signed(op), x, y))
    }

    /// `a == text[index]` for strings (or `text[index] == a` where reading
    /// `a` first changes nothing: a constant, or a variable the subscript
    /// leaves alone), lowered by [`Self::str_eq_char_at`]; `None` for
    /// other comparisons.
    pub(super) fn compare_char_at(
        &mut self,
        first: &hir::Expr,
        right: &hir::Expr,
    ) -> Option<Operand> {
        if first.ty != Type::Str {
            return None;
        }
        let (a, (text, index), span) = match (char_at(first), char_at(right)) {
            (_, Some(at)) => (first, at, right.span),
            (Some((text, index)), None)
                if match right.kind {
                    ExprKind::Str(_) => true,
                    ExprKind::Local(l) => {
                        super::heap::leaves_alone(text, super::local(l))
                            && super::heap::leaves_alone(index, super::local(l))
                    }
                    _ => false,
                } =>
            {
                (right, (text, index), first.span)
            }
            _ => return None,
        };
        let a = self.expr(a);
        let (t, i) = (self.expr(text), self.expr(index));
        Some(self.str_eq_char_at(a, t, i, span))
    }

    /// `a == text[index]` for strings: where the character is one of ASCII
    /// text, `a` is compared with its byte, and no string is made for it;
    /// elsewhere `text[index]` is made (or raises) and compared as
    /// [`Self::str_eq`] does.
    fn str_eq_char_at(&mut self, a: Operand, text: Operand, index: Operand, span: Span) -> Operand {
        let r = self.temp(Type::Bool);
        let (fast, slow, join) = (self.new_block(), self.new_cold_block(), self.new_block());
        let byte = self.ascii_byte_at(text, index, fast, slow, span);
        let len = self.load_word(a, STR_BYTES);
        let longer = self.compare_ints(IntCond::Ne, len, Operand::Int(1));
        self.decide_if(longer, r, Rvalue::Use(Operand::Bool(false)), join);
        let first = self.first_byte(a);
        self.push(Statement::Assign(
            r,
            Rvalue::Binary(BinOp::ICmp(IntCond::Eq), first, byte),
        ));
        self.goto(join);
        self.switch_to(slow);
        let c = self.char_from_runtime(text, index, span);
        let eq = self.str_eq(a, c);
        self.push(Statement::Assign(r, Rvalue::Use(eq)));
        self.goto(join);
        self.switch_to(join);
        Operand::Local(r)
    }

    /// The first byte of a string that has one.
    fn first_byte(&mut self, text: Operand) -> Operand {
        self.assign(
            Type::Int,
            Rvalue::LoadByte {
                base: text,
                offset: STR_TEXT,
                index: Operand::Int(0),
            },
        )
    }

    /// `item in set` for a string literal `set` of ASCII characters: a
    /// character (a subscript, or a string of one byte) is looked up in a
    /// bit set of the literal's bytes; other strings go to the runtime's
    /// substring search. `None` where `set` is not such a literal.
    pub(super) fn in_ascii_set(
        &mut self,
        item: &hir::Expr,
        set: &hir::Expr,
        span: Span,
    ) -> Option<Operand> {
        let ExprKind::Str(chars) = &set.kind else {
            return None;
        };
        if !chars.is_ascii() {
            return None;
        }
        if let Some(c) = char_code_of(item) {
            let code = self.char_code(c, item.span);
            return Some(self.ascii_set_has(code, chars));
        }
        let text = self.expr(item);
        let r = self.temp(Type::Bool);
        let (single, other, join) = (self.new_block(), self.new_block(), self.new_block());
        let bytes = self.load_word(text, STR_BYTES);
        let one = self.compare_ints(IntCond::Eq, bytes, Operand::Int(1));
        self.branch(one, single, other);
        self.switch_to(single);
        let byte = self.first_byte(text);
        let has = self.ascii_set_has(byte, chars);
        self.push(Statement::Assign(r, Rvalue::Use(has)));
        self.goto(join);
        self.switch_to(other);
        let hay = self.expr(set);
        let found = self.call_rt(
            RtFn::StrContains,
            vec![val(hay), val(text)],
            Type::Bool,
            span,
        );
        self.push(Statement::Assign(r, Rvalue::Use(found)));
        self.goto(join);
        self.switch_to(join);
        Some(Operand::Local(r))
    }

    /// Whether code point `code` is one of the bytes of ASCII `chars`: a
    /// test of one bit in a 64-bit mask for each half of ASCII the text
    /// uses.
    fn ascii_set_has(&mut self, code: Operand, chars: &str) -> Operand {
        let (mut low, mut high) = (0u64, 0u64);
        for b in chars.bytes() {
            match b {
                0..=63 => low |= 1 << b,
                _ => high |= 1 << (b - 64),
            }
        }
        let mut found = Operand::Bool(false);
        for (mask, first) in [(low, 0), (high, 64)] {
            if mask == 0 {
                continue;
            }
            let bit = self.mask_has(code, mask, first);
            found = match found {
                Operand::Bool(false) => bit,
                _ => self.assign(Type::Bool, Rvalue::Binary(BinOp::Or, found, bit)),
            };
        }
        found
    }

    /// Whether `code - first` is below 64 and its bit set in `mask`.
    fn mask_has(&mut self, code: Operand, mask: u64, first: i64) -> Operand {
        let at = match first {
            0 => code,
            _ => self.assign(
                Type::Int,
                Rvalue::Binary(BinOp::ISub, code, Operand::Int(first)),
            ),
        };
        let inside = self.compare_ints(IntCond::ULt, at, Operand::Int(64));
        let shift = self.assign(Type::Int, Rvalue::Binary(BinOp::And, at, Operand::Int(63)));
        // The mask's bits reinterpreted as an i64; `& 1` below ignores
        // the copies of its sign the arithmetic shift brings in.
        let shifted = self.assign(
            Type::Int,
            Rvalue::Binary(BinOp::SShr, Operand::Int(mask as i64), shift),
        );
        let bit = self.assign(
            Type::Int,
            Rvalue::Binary(BinOp::And, shifted, Operand::Int(1)),
        );
        let set = self.compare_ints(IntCond::Ne, bit, Operand::Int(0));
        self.assign(Type::Bool, Rvalue::Binary(BinOp::And, inside, set))
    }
}
