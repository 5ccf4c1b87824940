#!/usr/bin/env python3
"""Random well-typed Roast programs for differential testing against CPython.

    python3 tests/difftest/gen.py --seed N           # print one program
    python3 tests/difftest/gen.py --emulate FILE     # run FILE under the i64 emulation
    python3 tests/difftest/gen.py --stats 0..200     # generator self-check

A program is a deterministic function of the seed.  It stays inside the subset
that ``roastc`` compiles today (README.md, "What compiles today"): top-level
functions over int/float/bool, locals that keep one type, module constants,
if/while/for-range with break/continue/else, assert, print of numbers and string
literals.  It never passes an int where a float is expected, never uses bool in
arithmetic, never raises an int to a negative int power and never reads a
variable that may be unassigned.

Every candidate is run in-process under the i64 emulation (see below) before it
is printed.  Candidates that would run too long, print too much, or break one
of the rules above (a generator bug, reported as ``RoastGeneratorBug``) are
discarded and the next candidate for the same seed is tried.  Most accepted
programs finish normally; about one in five ends in an uncaught exception
(``OverflowError`` from leaving i64, ``ZeroDivisionError``, ``AssertionError``,
...).

The i64 emulation runs a program under CPython with Roast's documented
deviations: every int-valued ``+ - * / // % ** << >> & | ^``, unary minus,
augmented assignment, int literal, ``int()`` and ``abs()`` result is checked
against the 64-bit range and raises ``OverflowError: int result out of 64-bit
range`` outside it (the approach of tests/conformance/regen.py).  It also checks
the generator's promises at run time: no bool operand in arithmetic, no
``int ** negative int``, no complex result, and every parameter and return
value has exactly its annotated type.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import io
import math
import operator
import random
import re
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "conformance"))
from regen import needs_implicit_main  # noqa: E402  (the main() rule, shared)

I64_MIN, I64_MAX = -(2 ** 63), 2 ** 63 - 1
OVERFLOW_MESSAGE = "int result out of 64-bit range"

# ---------------------------------------------------------------------------
# i64 emulation
# ---------------------------------------------------------------------------


class RoastGeneratorBug(Exception):
    """The program broke a rule the generator promises to keep."""


class BudgetExceeded(Exception):
    """The program ran too long (only when a tick budget is set)."""


_OPS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow,
    "<<": operator.lshift, ">>": operator.rshift, "&": operator.and_,
    "|": operator.or_, "^": operator.xor,
}
_AST_BINOP = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
}
_TYPES = {"int": int, "float": float, "bool": bool}


def _roast_i64(value):
    if type(value) is int and not I64_MIN <= value <= I64_MAX:
        raise OverflowError(OVERFLOW_MESSAGE)
    return value


def _roast_bin(op, a, b):
    if type(a) is bool or type(b) is bool:
        raise RoastGeneratorBug(f"bool operand of {op}")
    if type(a) not in (int, float) or type(b) not in (int, float):
        raise RoastGeneratorBug(f"operands of {op}: {type(a).__name__}, {type(b).__name__}")
    if op in ("<<", ">>", "&", "|", "^") and (type(a) is not int or type(b) is not int):
        raise RoastGeneratorBug(f"non-int operand of {op}")
    if type(a) is int and type(b) is int:
        if op == "**":
            if b < 0:
                raise RoastGeneratorBug("int ** negative int")
            if abs(a) >= 2 and b > 64:  # certainly outside i64; do not build a huge int
                raise OverflowError(OVERFLOW_MESSAGE)
        if op == "<<" and a != 0 and b > 64:
            raise OverflowError(OVERFLOW_MESSAGE)
    result = _OPS[op](a, b)
    if type(result) is complex:
        raise RoastGeneratorBug(f"complex result of {a!r} {op} {b!r}")
    return _roast_i64(result)


def _roast_un(op, v):
    if type(v) not in (int, float):
        raise RoastGeneratorBug(f"unary {op} of {type(v).__name__}")
    if op == "-":
        return _roast_i64(-v)
    if op == "~":
        if type(v) is not int:
            raise RoastGeneratorBug("~ of a float")
        return ~v
    return +v


def _roast_check_type(value, ty, what):
    ok = value is None if ty == "None" else type(value) is _TYPES[ty]
    if not ok:
        raise RoastGeneratorBug(f"{what} is {type(value).__name__}, declared {ty}")
    return value


class _Ticks:
    budget = None
    count = 0


def _roast_tick():
    _Ticks.count += 1
    if _Ticks.budget is not None and _Ticks.count > _Ticks.budget:
        raise BudgetExceeded()


def _annotation_name(node):
    if node is None:
        return "None"
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    return None


class _Emulate(ast.NodeTransformer):
    """Range-checks int results and the generator's typing promises."""

    def __init__(self):
        self.returns = []

    @staticmethod
    def _call(name, args, node):
        call = ast.Call(ast.Name(name, ast.Load()), args, [])
        return ast.copy_location(call, node)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        op = _AST_BINOP[type(node.op)]
        return self._call("_roast_bin_", [ast.Constant(op), node.left, node.right], node)

    def visit_UnaryOp(self, node):
        if (isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)
                and type(node.operand.value) is int):
            # `-9223372036854775808` is one literal in Roast.
            return self._call("_roast_i64_", [ast.Constant(-node.operand.value)], node)
        self.generic_visit(node)
        symbol = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}.get(type(node.op))
        if symbol is None:
            return node
        return self._call("_roast_un_", [ast.Constant(symbol), node.operand], node)

    def visit_Constant(self, node):
        if type(node.value) is int:
            return self._call("_roast_i64_", [node], node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in ("int", "abs"):
            return self._call("_roast_i64_", [node], node)
        return node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if not isinstance(node.target, ast.Name):
            return node
        load = ast.copy_location(ast.Name(node.target.id, ast.Load()), node.target)
        op = _AST_BINOP[type(node.op)]
        value = self._call("_roast_bin_", [ast.Constant(op), load, node.value], node)
        return ast.copy_location(ast.Assign([node.target], value), node)

    def _tick(self, body, node):
        tick = ast.copy_location(ast.Expr(self._call("_roast_tick_", [], node)), node)
        return [tick] + body

    def visit_FunctionDef(self, node):
        self.returns.append(_annotation_name(node.returns))
        self.generic_visit(node)
        self.returns.pop()
        checks = []
        for arg in node.args.args:
            ty = _annotation_name(arg.annotation)
            if ty in _TYPES:
                call = self._call("_roast_check_type_", [
                    ast.Name(arg.arg, ast.Load()), ast.Constant(ty),
                    ast.Constant(f"parameter {arg.arg} of {node.name}")], node)
                checks.append(ast.copy_location(ast.Expr(call), node))
        node.body = self._tick(checks + node.body, node)
        return node

    def visit_Return(self, node):
        self.generic_visit(node)
        ty = self.returns[-1] if self.returns else None
        if ty in _TYPES and node.value is not None:
            node.value = self._call("_roast_check_type_", [
                node.value, ast.Constant(ty), ast.Constant("returned value")], node)
        return node

    def visit_While(self, node):
        self.generic_visit(node)
        node.body = self._tick(node.body, node)
        return node

    def visit_For(self, node):
        self.generic_visit(node)
        node.body = self._tick(node.body, node)
        return node


def _install_helpers():
    builtins._roast_i64_ = _roast_i64
    builtins._roast_bin_ = _roast_bin
    builtins._roast_un_ = _roast_un
    builtins._roast_check_type_ = _roast_check_type
    builtins._roast_tick_ = _roast_tick


def emulated_code(source: str, filename: str):
    tree = ast.parse(source, filename=filename)
    tree = ast.fix_missing_locations(_Emulate().visit(tree))
    return compile(tree, filename, "exec")


def exception_line(exc: BaseException) -> str:
    """The last line CPython's traceback would print for `exc`."""
    return traceback.format_exception_only(type(exc), exc)[-1].rstrip("\n")


def run_emulated(source: str, filename: str = "<roast>", budget: int | None = None):
    """Runs `source` in this process under the i64 emulation.

    Returns (stdout text, exit status, last stderr line or "", exception or None).
    """
    _install_helpers()
    code = emulated_code(source, filename)
    implicit = needs_implicit_main(source, filename)
    _Ticks.budget, _Ticks.count = budget, 0
    out = io.StringIO()
    saved = sys.stdout
    sys.stdout = out
    globals_ = {"__name__": "__main__", "__file__": filename, "__builtins__": builtins}
    status, last, error = 0, "", None
    try:
        exec(code, globals_)
        result = globals_["main"]() if implicit else None
        if type(result) is int:
            status = result & 0xFF
    except Exception as exc:  # noqa: BLE001 - any uncaught exception is an outcome
        status, last, error = 1, exception_line(exc), exc
    finally:
        sys.stdout = saved
        _Ticks.budget = None
    return out.getvalue(), status, last, error


def emulate_main(path: str) -> int:
    """`--emulate FILE`: run like `python3 FILE`, with Roast's i64 semantics."""
    source = Path(path).read_text(encoding="utf-8-sig")
    stdout, status, last, error = run_emulated(source, path)
    sys.stdout.write(stdout)
    sys.stdout.flush()
    if error is not None:
        sys.stderr.write("Traceback (i64 emulation):\n" + last + "\n")
        return 3 if isinstance(error, RoastGeneratorBug) else 1
    return status


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------

INT, FLOAT, BOOL = "int", "float", "bool"
SCALARS = (INT, FLOAT, BOOL)

SMALL_INTS = list(range(-10, 11)) + [12, 16, 25, 31, 32, 60, 63, 64, 99, 100, 127, 128,
                                      255, 256, 1000, 1024, -100, -128, -1000]
BIG_INTS = [
    2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 32 + 1, 10 ** 9 + 7, 10 ** 12,
    10 ** 15, 2 ** 53, 2 ** 53 + 1, -(2 ** 53) - 1, 10 ** 18, -(10 ** 18), 2 ** 62,
    2 ** 62 - 1, -(2 ** 62), 3037000499, 3037000500, -3037000500, I64_MAX, I64_MAX - 1,
    -I64_MAX, I64_MIN, I64_MIN + 1, 5 * 10 ** 18, -5 * 10 ** 18, 4611686018427387903,
    1234567890123456789, -987654321987654321,
]
FLOATS = [
    0.0, 1.0, 0.5, 2.5, 0.1, 0.2, 0.3, 1.5, 3.0, 10.0, 100.0, 0.25, 0.75, 7.0, 1e-05,
    0.0001, 0.0001234, 1e15, 1e16, 1e17, 1.5e16, 123456789.125, 9007199254740992.0,
    9007199254740993.0, 9.2e18, 9.223372036854776e18, 1e22, 1e23, 1e300, 1e308,
    1.7976931348623157e308, 5e-324, 2.2250738585072014e-308, 1e-310, 3.141592653589793,
    2.718281828459045, 0.3333333333333333, 1e-07, 4.35, 0.07, 1.1, 2.675, 1e-320,
    4503599627370496.5, 0.1 + 0.2, 1 / 3, 2 / 3, 12345.6789, 6.02214076e23,
]
INT_FORMS = {  # other spellings of some literals
    255: ["0xff", "0xFF", "0o377", "0b11111111", "2_55", "0XfF", "0B1111_1111"],
    1000: ["1_000", "0x3e8", "0o1750", "1_0_0_0"],
    I64_MAX: ["0x7FFF_FFFF_FFFF_FFFF", "9_223_372_036_854_775_807", "0o777777777777777777777",
              "0b" + "1" * 63],
    10 ** 18: ["1_000_000_000_000_000_000", "0xDE0B6B3A7640000"],
    2 ** 62: ["0x4000000000000000", "0b1" + "0" * 62],
    2 ** 31: ["0x8000_0000", "0o20000000000"],
    7: ["0b111", "0o7", "0x7", "0O7", "0X7"],
    0: ["0x0", "0b0", "0o0", "00", "0_0", "000"],
    1: ["0b1", "0x1", "0o1", "0b_1"],
    10: ["0xa", "0XA", "0b1010", "1_0"],
    100: ["0x64", "0o144", "1_00"],
    2 ** 32: ["0x1_0000_0000"],
    2 ** 63: ["0x8000_0000_0000_0000", "9_223_372_036_854_775_808"],  # only after unary minus
}
FLOAT_FORMS = {
    0.5: [".5", "5e-1", "0.50", "5E-1", "0.5e0", "50e-2"],
    1000.5: ["1_000.5", "1.0005e3", "10005e-1"],
    1000.0: ["1e3", "1E3", "1_000.0", "1000.", "1e+3", "1_0e2"],
    0.0: ["0.", "0e0", ".0", "0.0e-10", "0e+999", "1e-400", "00.0", "0_0.0"],
    1e-05: ["1e-5", "0.00001", "10e-6", "1E-0_5"],
    1e16: ["1e16", "10_000_000_000_000_000.0", "1E+16", "1e0_16"],
    2.5: ["25e-1", "2.50", "2.5e0", "2_5e-1"],
    0.1: [".1", "1e-1", "0.1000000000000000055511151231257827", "0.10000000000000001"],
    0.3: ["0.299999999999999988897769753748434595763683319091796875", "3e-1"],
    1.5: ["15e-1", "1.50", "1_5e-1"],
    100.0: ["1e2", "100.", "1_0_0.0", "100.000"],
    5e-324: ["4.9406564584124654e-324", "3e-324", "5E-324", "0." + "0" * 323 + "5"],
    1.7976931348623157e308: ["1.7976931348623158e308", "1.7976931348623157E+308", "17976931348623157e292"],
    1e22: ["10000000000000000000000.0", "1e22", "1_0e21"],
    9007199254740993.0: ["9007199254740993.0", "9007199254740993.", "9_007_199_254_740_993.0"],
    3.141592653589793: ["3.14159265358979323846264338327950288", "3.141592653589793"],
    1e309: ["1e309", "1e400", "9e999", "1.8e308"],
    2.2250738585072014e-308: ["2.2250738585072014e-308", "22250738585072014e-324"],
}
LABELS = ["a", "b", "x", "y", "r", "v", "res", "val", "sum", "n", "out", "f", "cmp", "ok",
          "step", "loop", "i", "acc", "check", "->", "=", ":", "", "tot", "mid", "é", "π≈",
          "a b", "[x]", "t\tab", "q'uote", 'dq"', "back\\slash", "end"]
# string literals spelled as written (escapes, quotes, implicit concatenation)
LABEL_FORMS = [
    r'"\x41\u00e9\u03c0"', r"'tab\there'", '"""triple"""', "'''tri ' ple'''",
    '"con" "cat"', r"'back\\'", r'"\"q\""', r"r'raw\n'", r'"nl\nnext"', r"'\101\x42'",
    r'"\U0001F600"', "''", r"'\0end'",
]
SEPS = [" ", " ", " ", ", ", "", "|", " = ", "\t", " :: ", "-", "\n"]
ENDS = ["\n", "\n", "\n", " ", ";\n", "", "!\n", " |\n", "\n\n"]
LOCAL_NAMES = ["a", "b", "c", "d", "x", "y", "z", "s", "t", "u", "acc", "total", "cnt",
               "m", "p", "q", "r", "lo", "hi", "mid", "val", "tmp", "res", "e", "g", "h",
               "flag", "ok", "best", "prev", "cur", "nxt", "num", "den", "frac", "part"]
EXOTIC_NAMES = ["match", "case", "type", "_", "len", "sum", "pow", "round", "divmod", "id",
                "café", "π", "Δt", "_x1", "__n", "x_", "MAX", "None_", "True_", "print_", "i0"]
LOOP_NAMES = ["i", "j", "k", "ii", "jj", "idx"]


def ilit(v: int, forms: bool = True, rng: random.Random | None = None) -> ast.expr:
    """An int literal node (negative values as unary minus of a literal)."""
    if v < 0:
        return ast.UnaryOp(ast.USub(), ilit(-v, forms, rng))
    if forms and rng is not None and v in INT_FORMS and rng.random() < 0.25:
        return ast.Name(rng.choice(INT_FORMS[v]), ast.Load())  # printed verbatim by unparse
    return ast.Constant(v)


def flit(v: float, rng: random.Random | None = None) -> ast.expr:
    if math.copysign(1.0, v) < 0:
        return ast.UnaryOp(ast.USub(), flit(-v, rng))
    if rng is not None and v in FLOAT_FORMS and rng.random() < 0.3:
        return ast.Name(rng.choice(FLOAT_FORMS[v]), ast.Load())
    return ast.Constant(v)


def name(n: str) -> ast.Name:
    return ast.Name(n, ast.Load())


def store(n: str) -> ast.Name:
    return ast.Name(n, ast.Store())


def binop(l, op, r) -> ast.BinOp:
    return ast.BinOp(l, op, r)


def call(fn: str, *args, keywords=()) -> ast.Call:
    return ast.Call(name(fn), list(args), list(keywords))


def compare(left, ops, comparators) -> ast.Compare:
    return ast.Compare(left, list(ops), list(comparators))


class Func:
    def __init__(self, fname, params, ret, defaults):
        self.name = fname
        self.params = params          # [(name, type)]
        self.defaults = defaults      # {param name: ast node}
        self.ret = ret                # type or None
        self.cost = 1
        self.depth_param = None       # for recursive functions: (max depth)
        self.max_depth = 0


class Ctx:
    """State of the function (or top-level code) being generated."""

    def __init__(self, gen, func, ret, top, budget, callables):
        self.gen = gen
        self.func = func
        self.ret = ret            # return type, None for `-> None`
        self.top = top
        self.types = {}           # every local ever assigned -> its one type
        self.readonly = set()     # while counters, recursion depth parameters
        self.loop_depth = 0
        self.mult = 1             # iterations of the enclosing loops (upper bound)
        self.cost = 1
        self.budget = budget
        self.callables = callables
        self.stmts_left = 0
        self.counter = 0
        self.forbidden = set()    # names that must not be assigned (functions, constants)
        self.shadow = set()       # constants this function may assign (making them local)

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"


class Scope:
    """Names readable at this point: name -> type."""

    def __init__(self, ctx, readable):
        self.ctx = ctx
        self.readable = dict(readable)

    def child(self):
        return Scope(self.ctx, self.readable)

    def of(self, ty):
        return [n for n, t in self.readable.items() if t == ty]


class Gen:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.funcs: list[Func] = []
        self.consts: dict[str, str] = {}
        self.const_nodes: list[ast.stmt] = []

    # ---- small helpers -------------------------------------------------
    def chance(self, p):
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(seq)

    def wpick(self, pairs):
        total = sum(w for w, _ in pairs)
        x = self.rng.random() * total
        for w, v in pairs:
            x -= w
            if x < 0:
                return v
        return pairs[-1][1]

    # ---- literals -------------------------------------------------------
    def int_value(self, small=False):
        if small or self.chance(0.7):
            return self.pick(SMALL_INTS)
        if self.chance(0.5):
            return self.rng.randint(-10 ** 6, 10 ** 6)
        return self.pick(BIG_INTS)

    def int_lit(self, small=False):
        return ilit(self.int_value(small), rng=self.rng)

    def float_lit(self):
        r = self.rng.random()
        if r < 0.45:
            v = self.pick(FLOATS)
        elif r < 0.75:
            v = round(self.rng.uniform(-100, 100), self.rng.randint(0, 4))
        elif r < 0.85:
            v = self.rng.uniform(-1e6, 1e6)
        elif r < 0.93:
            v = float(self.rng.randint(-50, 50))
        elif r < 0.97:
            v = self.rng.choice([1e309, 1e400, 1000.5, 1000.0])  # inf spelled as a literal
        else:
            v = math.ldexp(self.rng.random(), self.rng.randint(-1080, 1024))
        if self.chance(0.35):
            v = -v
        return flit(v, self.rng)

    # ---- expressions ---------------------------------------------------
    def var(self, sc, ty):
        ctx = sc.ctx
        names = sc.of(ty) + [c for c, t in self.consts.items()
                             if t == ty and c not in ctx.types and c not in ctx.shadow]
        return name(self.pick(names)) if names else None

    def expr(self, sc, ty, d):
        if ty == INT:
            return self.int_expr(sc, d)
        if ty == FLOAT:
            return self.float_expr(sc, d)
        return self.bool_expr(sc, d)

    def int_leaf(self, sc, small=False):
        if not small and self.chance(0.55):
            v = self.var(sc, INT)
            if v is not None:
                return v
        if small and self.chance(0.4):
            v = self.var(sc, INT)
            if v is not None:
                return binop(v, ast.Mod(), ilit(self.rng.randint(2, 50)))
        return self.int_lit(small)

    def small_int(self, sc, d):
        """An int expression whose value is usually small."""
        k = self.wpick([(5, "leaf"), (3, "mod"), (1, "clamp"), (1, "add"), (1, "neg")])
        if d <= 0 or k == "leaf":
            return self.int_leaf(sc, small=True)
        if k == "mod":
            return binop(self.int_expr(sc, d - 1), ast.Mod(),
                         ilit(self.pick([2, 3, 5, 7, 10, 16, 100, 1000, 97])))
        if k == "clamp":
            lo, hi = sorted(self.rng.sample(range(-200, 200), 2))
            return call("min", call("max", self.int_expr(sc, d - 1), ilit(lo)), ilit(hi))
        if k == "neg":
            return ast.UnaryOp(ast.USub(), self.small_int(sc, d - 1))
        return binop(self.small_int(sc, d - 1), self.pick([ast.Add(), ast.Sub()]),
                     self.small_int(sc, d - 1))

    def int_divisor(self, sc, d):
        k = self.wpick([(6, "lit"), (3, "or"), (1, "raw"), (1, "modp1")])
        if k == "lit":
            return ilit(self.pick([1, -1, 2, -2, 3, -3, 5, -7, 10, 16, -16, 100, 1000, 7,
                                   2 ** 32, -(2 ** 31), I64_MAX, I64_MIN, 97, -1]), rng=self.rng)
        if k == "or":
            return ast.BoolOp(ast.Or(), [self.int_expr(sc, d - 1), ilit(self.pick([1, 3, -2, 7]))])
        if k == "modp1":
            return binop(binop(self.int_expr(sc, d - 1), ast.Mod(), ilit(9)), ast.Add(), ilit(1))
        return self.int_expr(sc, d - 1)

    def int_expr(self, sc, d):
        if d <= 0 or self.chance(0.2):
            return self.int_leaf(sc)
        k = self.wpick([
            (8, "addsub"), (4, "mul"), (5, "divmod"), (2, "pow"), (2, "neg"), (2, "abs"),
            (2, "minmax"), (1, "int_of_float"), (1, "int_of_bool"), (2, "ifexp"), (2, "andor"),
            (2, "bit"), (2, "shift"), (4, "call"), (2, "small"), (1, "invert"), (1, "pos"),
        ])
        r = self.rng
        if k == "addsub":
            return binop(self.int_expr(sc, d - 1), self.pick([ast.Add(), ast.Sub()]),
                         self.int_expr(sc, d - 1))
        if k == "mul":
            if self.chance(0.06):
                return binop(self.int_expr(sc, d - 1), ast.Mult(), self.int_expr(sc, d - 1))
            if self.chance(0.6):
                return binop(self.small_int(sc, d - 1), ast.Mult(), self.small_int(sc, d - 1))
            factor = ilit(self.pick([-3, -2, -1, 0, 1, 2, 3, 10]))
            sides = [self.int_expr(sc, d - 1), factor]
            if self.chance(0.5):
                sides.reverse()
            return binop(sides[0], ast.Mult(), sides[1])
        if k == "divmod":
            return binop(self.int_expr(sc, d - 1), self.pick([ast.FloorDiv(), ast.Mod()]),
                         self.int_divisor(sc, d))
        if k == "pow":
            r = self.rng.random()
            if r < 0.75:
                exp = self.wpick([(3, 0), (4, 1), (5, 2), (2, 3)])
                base = self.small_int(sc, d - 1) if exp >= 2 else self.int_expr(sc, d - 1)
                return binop(base, ast.Pow(), ilit(exp))
            if r < 0.85:
                exp = binop(self.int_expr(sc, d - 1), ast.Mod(), ilit(self.pick([3, 4])))
                return binop(self.small_int(sc, d - 1), ast.Pow(), exp)
            if r < 0.97:
                base, exps = self.pick([(2, [61, 62, 63]), (-2, [62, 63, 64]), (3, [38, 39, 40]),
                                        (10, [17, 18, 19]), (7, [22, 23]), (-3, [39, 40]),
                                        (1, [10 ** 12, 63]), (-1, [999999999999, 10 ** 12]),
                                        (0, [0, 1, 100]), (3037000499, [2]), (3037000500, [2]),
                                        (-3037000499, [2]), (2097151, [3]), (2097152, [3])])
                return binop(ilit(base), ast.Pow(), ilit(self.pick(exps)))
            return binop(self.int_expr(sc, d - 1), ast.Pow(), ilit(2))
        if k == "neg":
            return ast.UnaryOp(ast.USub(), self.int_expr(sc, d - 1))
        if k == "pos":
            return ast.UnaryOp(ast.UAdd(), self.int_expr(sc, d - 1))
        if k == "invert":
            return ast.UnaryOp(ast.Invert(), self.int_expr(sc, d - 1))
        if k == "abs":
            return call("abs", self.int_expr(sc, d - 1))
        if k == "minmax":
            n = self.wpick([(5, 2), (2, 3), (1, 4)])
            return call(self.pick(["min", "max"]), *[self.int_expr(sc, d - 1) for _ in range(n)])
        if k == "int_of_float":
            return call("int", self.float_expr(sc, d - 1))
        if k == "int_of_bool":
            return call("int", self.bool_expr(sc, d - 1))
        if k == "ifexp":
            return ast.IfExp(self.cond(sc, d - 1), self.int_expr(sc, d - 1), self.int_expr(sc, d - 1))
        if k == "andor":
            return ast.BoolOp(self.pick([ast.And(), ast.Or()]),
                              [self.int_expr(sc, d - 1) for _ in range(r.choice([2, 2, 3]))])
        if k == "bit":
            return binop(self.int_expr(sc, d - 1), self.pick([ast.BitAnd(), ast.BitOr(), ast.BitXor()]),
                         self.int_expr(sc, d - 1))
        if k == "shift":
            left = self.int_expr(sc, d - 1)
            if self.chance(0.6):
                if self.chance(0.7):
                    amount = ilit(self.pick([0, 1, 2, 3, 4, 7, 8, 16, 31, 32, 62, 63, 64, 65, 100]))
                else:
                    amount = binop(self.int_expr(sc, d - 1), ast.Mod(), ilit(self.pick([8, 64, 70])))
                return binop(left, ast.RShift(), amount)
            if self.chance(0.85):
                amount = ilit(self.pick([0, 1, 2, 3, 4, 5, 8, 10, 16]))
                return binop(self.small_int(sc, d - 1), ast.LShift(), amount)
            base, amounts = self.pick([(1, [62, 63, 64]), (-1, [63, 64]), (3, [61, 62]), (0, [64, 100]),
                                       (-3, [61, 62]), (255, [55, 56])])
            return binop(ilit(base), ast.LShift(), ilit(self.pick(amounts)))
        if k == "call":
            c = self.call_expr(sc, INT, d)
            if c is not None:
                return c
            return self.int_leaf(sc)
        return self.small_int(sc, d)

    def float_leaf(self, sc):
        if self.chance(0.55):
            v = self.var(sc, FLOAT)
            if v is not None:
                return v
        if self.chance(0.03):  # nan, spelled in a few ways
            return self.pick([binop(flit(1e309), ast.Sub(), flit(1e309)),
                              binop(flit(0.0), ast.Mult(), flit(1e309)),
                              ast.UnaryOp(ast.USub(), binop(flit(1e309), ast.Mult(), flit(0.0)))])
        return self.float_lit()

    def float_divisor(self, sc, d):
        k = self.wpick([(5, "lit"), (3, "or"), (2, "raw")])
        if k == "lit":
            return self.float_lit() if self.chance(0.5) else flit(
                self.pick([2.0, -2.0, 3.0, 0.1, 1e-300, 1e300, 7.5, -0.5, 1e309, 4.0]), self.rng)
        if k == "or":
            return ast.BoolOp(ast.Or(), [self.float_expr(sc, d - 1), flit(self.pick([1.5, -2.0, 0.1]))])
        return self.float_expr(sc, d - 1)

    def num_expr(self, sc, d):
        return self.int_expr(sc, d) if self.chance(0.4) else self.float_expr(sc, d)

    def float_expr(self, sc, d):
        if d <= 0 or self.chance(0.2):
            return self.float_leaf(sc)
        k = self.wpick([
            (8, "arith"), (4, "mixed"), (4, "div"), (4, "floordivmod"), (3, "truediv_int"),
            (3, "pow"), (2, "neg"), (2, "abs"), (2, "minmax"), (3, "float_of_int"),
            (1, "float_of_bool"), (2, "ifexp"), (2, "andor"), (4, "call"),
        ])
        if k == "arith":
            return binop(self.float_expr(sc, d - 1), self.pick([ast.Add(), ast.Sub(), ast.Mult()]),
                         self.float_expr(sc, d - 1))
        if k == "mixed":
            op = self.pick([ast.Add(), ast.Sub(), ast.Mult(), ast.Div()])
            if op.__class__ is ast.Div:
                sides = [self.float_expr(sc, d - 1), self.int_divisor(sc, d)]
            else:
                sides = [self.float_expr(sc, d - 1), self.int_expr(sc, d - 1)]
            if self.chance(0.5) and op.__class__ is not ast.Div:
                sides.reverse()
            return binop(sides[0], op, sides[1])
        if k == "div":
            if self.chance(0.5):
                return binop(self.float_expr(sc, d - 1), ast.Div(), self.float_divisor(sc, d))
            return binop(self.int_expr(sc, d - 1), ast.Div(), self.float_divisor(sc, d))
        if k == "floordivmod":
            op = self.pick([ast.FloorDiv(), ast.Mod()])
            if self.chance(0.3):
                return binop(self.int_expr(sc, d - 1), op, self.float_divisor(sc, d))
            right = self.float_divisor(sc, d) if self.chance(0.75) else self.int_divisor(sc, d)
            return binop(self.float_expr(sc, d - 1), op, right)
        if k == "truediv_int":
            return binop(self.int_expr(sc, d - 1), ast.Div(), self.int_divisor(sc, d))
        if k == "pow":
            return self.float_pow(sc, d)
        if k == "neg":
            return ast.UnaryOp(ast.USub(), self.float_expr(sc, d - 1))
        if k == "abs":
            return call("abs", self.float_expr(sc, d - 1))
        if k == "minmax":
            n = self.wpick([(5, 2), (2, 3), (1, 4)])
            return call(self.pick(["min", "max"]), *[self.float_expr(sc, d - 1) for _ in range(n)])
        if k == "float_of_int":
            return call("float", self.int_expr(sc, d - 1))
        if k == "float_of_bool":
            return call("float", self.bool_expr(sc, d - 1))
        if k == "ifexp":
            return ast.IfExp(self.cond(sc, d - 1), self.float_expr(sc, d - 1), self.float_expr(sc, d - 1))
        if k == "andor":
            return ast.BoolOp(self.pick([ast.And(), ast.Or()]),
                              [self.float_expr(sc, d - 1) for _ in range(self.pick([2, 2, 3]))])
        c = self.call_expr(sc, FLOAT, d)
        return c if c is not None else self.float_leaf(sc)

    def float_pow(self, sc, d):
        k = self.wpick([(4, "f_int"), (3, "absf_f"), (2, "f_integral"), (1, "int_f"), (0.3, "f_big")])
        if k == "f_int":
            exp = self.pick([0, 1, 2, 3, -1, -2, 4, 5, 10]) if self.chance(0.7) else None
            e = ilit(exp) if exp is not None else binop(self.int_expr(sc, d - 1), ast.Mod(), ilit(6))
            return binop(self.float_expr(sc, d - 1), ast.Pow(), e)
        if k == "absf_f":
            base = call("abs", self.float_expr(sc, d - 1)) if self.chance(0.6) else flit(
                abs(self.pick(FLOATS)) or 2.0)
            if self.chance(0.7):
                exp = flit(self.pick([0.5, 1.5, -0.5, 2.0, 0.1, 3.7, -1.25, 0.0, 1e-3, 1.0 / 3.0]))
            elif self.chance(0.5):
                exp = call("min", call("max", self.float_expr(sc, d - 1), flit(-4.0)), flit(4.0))
            else:
                exp = self.float_expr(sc, d - 1)
            return binop(base, ast.Pow(), exp)
        if k == "f_integral":
            return binop(self.float_expr(sc, d - 1), ast.Pow(), flit(self.pick([2.0, 3.0, -1.0, 0.0, 1.0, -2.0])))
        if k == "int_f":
            base = ilit(self.pick([0, 1, 2, 3, 10])) if self.chance(0.6) else ilit(self.pick([-2, -3]))
            exp = self.float_expr(sc, d - 1) if base.__class__ is ast.Constant else flit(self.pick([2.0, 3.0, -1.0]))
            return binop(base, ast.Pow(), exp)
        return binop(self.float_expr(sc, d - 1), ast.Pow(), ilit(self.pick([100, 300, 1000, -300, -1100, 64])))

    def bool_expr(self, sc, d):
        if d <= 0 or self.chance(0.15):
            if self.chance(0.5):
                v = self.var(sc, BOOL)
                if v is not None:
                    return v
            if self.chance(0.3):
                return ast.Constant(self.chance(0.5))
            return self.comparison(sc, 0)
        k = self.wpick([(8, "cmp"), (2, "boolcmp"), (3, "not"), (3, "andor"), (2, "conv"),
                        (2, "ifexp"), (3, "call"), (0.4, "none")])
        if k == "none":
            op = self.pick([ast.Is(), ast.IsNot(), ast.Eq(), ast.NotEq()])
            if self.chance(0.3):
                return call("bool", self.none_expr(sc, d - 1))
            return compare(self.none_expr(sc, d - 1), [op], [self.none_expr(sc, d - 1)])
        if k == "cmp":
            return self.comparison(sc, d - 1)
        if k == "boolcmp":
            n = self.pick([2, 2, 3])
            ops = [self.pick([ast.Eq(), ast.NotEq(), ast.Lt(), ast.LtE(), ast.Gt(), ast.GtE()])
                   for _ in range(n - 1)]
            return compare(self.bool_expr(sc, d - 1), ops, [self.bool_expr(sc, d - 1) for _ in ops])
        if k == "not":
            return ast.UnaryOp(ast.Not(), self.cond(sc, d - 1))
        if k == "andor":
            return ast.BoolOp(self.pick([ast.And(), ast.Or()]),
                              [self.bool_expr(sc, d - 1) for _ in range(self.pick([2, 2, 3]))])
        if k == "conv":
            return call("bool", self.num_expr(sc, d - 1))
        if k == "ifexp":
            return ast.IfExp(self.cond(sc, d - 1), self.bool_expr(sc, d - 1), self.bool_expr(sc, d - 1))
        c = self.call_expr(sc, BOOL, d)
        return c if c is not None else self.comparison(sc, d - 1)

    def comparison(self, sc, d):
        n = self.wpick([(6, 2), (3, 3), (1, 4)])
        operands = [self.num_expr(sc, d) for _ in range(n)]
        ops = [self.pick([ast.Eq(), ast.NotEq(), ast.Lt(), ast.LtE(), ast.Gt(), ast.GtE()])
               for _ in range(n - 1)]
        return compare(operands[0], ops, operands[1:])

    def cond(self, sc, d):
        """A condition: any scalar, possibly mixing types under and/or/not."""
        k = self.wpick([(6, "bool"), (2, "num"), (2, "andor"), (1, "not"), (0.2, "none")])
        if k == "none":
            return self.none_expr(sc, d)
        if k == "bool" or d <= 0:
            return self.bool_expr(sc, max(d, 0))
        if k == "num":
            return self.num_expr(sc, d)
        if k == "not":
            return ast.UnaryOp(ast.Not(), self.cond(sc, d - 1))
        return ast.BoolOp(self.pick([ast.And(), ast.Or()]),
                          [self.cond(sc, d - 1) for _ in range(self.pick([2, 2, 3]))])

    def any_expr(self, sc, d):
        ty = self.wpick([(4, INT), (4, FLOAT), (2, BOOL), (0.3, None)])
        if ty is None:
            return ty, self.none_expr(sc, d)
        return ty, self.expr(sc, ty, d)

    def none_expr(self, sc, d):
        if self.chance(0.7):
            c = self.call_expr(sc, None, d)
            if c is not None:
                return c
        return ast.Constant(None)

    # ---- calls ----------------------------------------------------------
    def call_expr(self, sc, ty, d, stmt=False):
        ctx = sc.ctx
        room = ctx.budget - ctx.cost
        cands = [f for f in ctx.callables if (stmt or f.ret == ty) and f.cost * ctx.mult <= room]
        if not cands:
            return None
        f = self.pick(cands)
        ctx.cost += f.cost * ctx.mult
        args, keywords = [], []
        use_kw = self.chance(0.2)
        kw_items = []
        for i, (p, pty) in enumerate(f.params):
            if f.max_depth and i == 0:
                value = self.depth_arg(sc, f.max_depth, d)
            else:
                value = self.expr(sc, pty, max(d - 1, 0))
            if p in f.defaults and self.chance(0.4):
                use_kw = True  # use the default; later arguments go by keyword
                continue
            if use_kw or (p in f.defaults and self.chance(0.5)) or kw_items:
                kw_items.append(ast.keyword(p, value))
            else:
                args.append(value)
        if len(kw_items) > 1 and self.chance(0.5):
            self.rng.shuffle(kw_items)
        return ast.Call(name(f.name), args, kw_items)

    def depth_arg(self, sc, max_depth, d):
        if self.chance(0.6):
            return ilit(self.rng.randint(-1, max_depth))
        return binop(self.int_expr(sc, max(d - 1, 0)), ast.Mod(), ilit(max_depth + 1))

    # ---- statements -----------------------------------------------------
    def new_local(self, sc, ty):
        ctx = sc.ctx
        reuse = [n for n, t in ctx.types.items() if t == ty and n not in ctx.readonly]
        if reuse and self.chance(0.3):
            return self.pick(reuse)
        pool = EXOTIC_NAMES if self.chance(0.08) else LOCAL_NAMES
        if ctx.shadow and self.chance(0.3):
            pool = sorted(ctx.shadow)
        free = [n for n in pool if n not in ctx.types and n not in ctx.forbidden]
        if free and self.chance(0.8):
            return self.pick(free)
        return ctx.fresh("v")

    def assign_new(self, sc, d):
        ctx = sc.ctx
        ty = self.wpick([(4, INT), (4, FLOAT), (2, BOOL)])
        target = self.new_local(sc, ty)
        value = self.expr(sc, ty, d)
        first = target not in ctx.types
        ctx.types[target] = ty
        sc.readable[target] = ty
        if first and self.chance(0.3):
            return [ast.AnnAssign(store(target), name(ty), value, 1)], target
        return [ast.Assign([store(target)], value)], target

    def writable(self, sc, ty=None):
        return [n for n, t in sc.readable.items()
                if n in sc.ctx.types and n not in sc.ctx.readonly and (ty is None or t == ty)]

    def print_stmt(self, sc, d, values=None):
        args = []
        n = self.wpick([(1, 0), (5, 1), (6, 2), (4, 3), (2, 4)]) if values is None else 0
        if values:
            for v in values:
                if self.chance(0.5):
                    args.append(ast.Constant(v + self.pick(["", ":", " ="])))
                args.append(name(v))
        for _ in range(n):
            if self.chance(0.25):
                if self.chance(0.1):
                    args.append(ast.Name(self.pick(LABEL_FORMS), ast.Load()))
                else:
                    args.append(ast.Constant(self.pick(LABELS)))
            args.append(self.any_expr(sc, d)[1])
        keywords = []
        if self.chance(0.25):
            keywords.append(ast.keyword("sep", ast.Constant(self.pick(SEPS)) if self.chance(0.9)
                                        else ast.Name(self.pick(LABEL_FORMS), ast.Load())))
        if self.chance(0.2):
            keywords.append(ast.keyword("end", ast.Constant(self.pick(ENDS))))
        if len(keywords) == 2 and self.chance(0.5):
            keywords.reverse()
        return ast.Expr(ast.Call(name("print"), args, keywords))

    def aug_assign(self, sc, d):
        names = self.writable(sc)
        names = [n for n in names if sc.readable[n] != BOOL]
        if not names:
            return None
        target = self.pick(names)
        ty = sc.readable[target]
        if ty == INT:
            op = self.wpick([(4, ast.Add()), (3, ast.Sub()), (2, ast.Mult()), (2, ast.FloorDiv()),
                             (2, ast.Mod()), (1, ast.Pow()), (1, ast.BitAnd()), (1, ast.BitOr()),
                             (1, ast.BitXor()), (1, ast.LShift()), (1, ast.RShift())])
            if isinstance(op, (ast.FloorDiv, ast.Mod)):
                value = self.int_divisor(sc, d)
            elif isinstance(op, ast.Pow):
                value = ilit(self.pick([0, 1, 1, 2]))
            elif isinstance(op, ast.RShift):
                value = ilit(self.pick([0, 1, 2, 3, 8, 31, 63, 64]))
            elif isinstance(op, ast.LShift):
                value = ilit(self.pick([0, 1, 2, 3]))
            elif isinstance(op, ast.Mult):
                value = self.small_int(sc, d)
            else:
                value = self.int_expr(sc, d)
        else:
            op = self.wpick([(4, ast.Add()), (3, ast.Sub()), (3, ast.Mult()), (3, ast.Div()),
                             (2, ast.FloorDiv()), (2, ast.Mod()), (1, ast.Pow())])
            if isinstance(op, (ast.Div, ast.FloorDiv, ast.Mod)):
                value = self.float_divisor(sc, d) if self.chance(0.7) else self.int_divisor(sc, d)
            elif isinstance(op, ast.Pow):
                value = ilit(self.pick([0, 1, 2, 3, -1, -2])) if self.chance(0.6) else flit(
                    self.pick([2.0, 0.0, 1.0, -1.0, 3.0]))
            else:
                value = self.float_expr(sc, d) if self.chance(0.6) else self.int_expr(sc, d)
        return ast.AugAssign(store(target), op, value)

    def parallel(self, sc, d):
        ctx = sc.ctx
        k = self.wpick([(3, "swap"), (2, "fib"), (2, "new")])
        if k in ("swap", "fib"):
            ty = self.pick([INT, FLOAT, BOOL] if k == "swap" else [INT, FLOAT])
            names = self.writable(sc, ty)
            if len(names) >= 2:
                a, b = self.rng.sample(names, 2)
                if k == "swap":
                    return ast.Assign([ast.Tuple([store(a), store(b)], ast.Store())],
                                      ast.Tuple([name(b), name(a)], ast.Load()))
                plus = binop(name(a), self.pick([ast.Add(), ast.Sub()]), name(b))
                return ast.Assign([ast.Tuple([store(a), store(b)], ast.Store())],
                                  ast.Tuple([name(b), plus], ast.Load()))
        if self.chance(0.1):
            ty = self.wpick([(4, INT), (4, FLOAT), (2, BOOL)])
            t = self.new_local(sc, ty)
            ctx.types[t] = ty
            values = [self.expr(sc, ty, d), self.expr(sc, ty, d)]
            sc.readable[t] = ty
            return [ast.Assign([ast.Tuple([store(t), store(t)], ast.Store())], ast.Tuple(values, ast.Load())),
                    self.print_stmt(sc, 0, values=[t])]
        n = self.pick([2, 2, 3])
        targets, values = [], []
        for _ in range(n):
            ty = self.wpick([(4, INT), (4, FLOAT), (2, BOOL)])
            t = self.new_local(sc, ty)
            if t in targets:
                continue
            targets.append(t)
            values.append((t, ty, self.expr(sc, ty, d)))
        for t, ty, _ in values:
            ctx.types[t] = ty
        for t, ty, _ in values:
            sc.readable[t] = ty
        if len(targets) < 2:
            return ast.Assign([store(targets[0])], values[0][2])
        return ast.Assign([ast.Tuple([store(t) for t in targets], ast.Store())],
                          ast.Tuple([v for _, _, v in values], ast.Load()))

    def assert_stmt(self, sc, d):
        k = self.wpick([(4, "taut"), (1, "random")])
        if k == "taut":
            ty, e = self.any_expr(sc, d - 1)
            if ty == INT:
                test = compare(e, [ast.Eq()], [e])  # same expression twice (side effects twice)
                names = sc.of(INT)
                if names and self.chance(0.7):
                    v = name(self.pick(names))
                    test = compare(call("min", v, ilit(0)), [ast.LtE()], [call("max", v, ilit(0))])
            elif ty == FLOAT:
                names = sc.of(FLOAT)
                v = name(self.pick(names)) if names else self.float_lit()
                test = ast.BoolOp(ast.Or(), [compare(v, [ast.NotEq()], [v]),
                                             compare(call("abs", v), [ast.GtE()], [flit(0.0)])])
                if self.chance(0.3):
                    test = compare(call("abs", v), [ast.GtE()], [flit(0.0)])  # fails for nan
            else:
                test = ast.BoolOp(ast.Or(), [e, ast.UnaryOp(ast.Not(), e)])
        else:
            test = self.cond(sc, d)
        msg = [ast.Constant(self.pick(["check failed", "x must be positive", "bad", "unreachable", "é"]))] \
            if self.chance(0.6) else []
        return ast.Assert(test, msg[0] if msg else None)

    def if_stmt(self, sc, d, depth):
        n_elif = self.wpick([(5, 0), (2, 1), (1, 2)])
        has_else = self.chance(0.5)
        test = self.cond(sc, d)
        body = self.block(sc.child(), depth + 1, self.rng.randint(1, 3))
        node = ast.If(test, body, [])
        cur = node
        for _ in range(n_elif):
            nxt = ast.If(self.cond(sc, d), self.block(sc.child(), depth + 1, self.rng.randint(1, 3)), [])
            cur.orelse = [nxt]
            cur = nxt
        if has_else:
            cur.orelse = self.block(sc.child(), depth + 1, self.rng.randint(1, 3))
        return node

    def if_join(self, sc, d, depth):
        """if/elif/else assigning one new variable in every branch, read after it."""
        ctx = sc.ctx
        ty = self.wpick([(4, INT), (4, FLOAT), (2, BOOL)])
        target = self.new_local(sc, ty)
        if target in sc.readable:
            target = ctx.fresh("j")
        ctx.types[target] = ty
        branches = []
        for _ in range(self.pick([2, 2, 3])):
            inner = sc.child()
            body = self.block(inner, depth + 1, self.rng.randint(0, 2))
            if isinstance(body[-1], (ast.Break, ast.Continue, ast.Return)):
                body.pop()
            if body and isinstance(body[-1], ast.Pass):
                body.pop()
            body.append(ast.Assign([store(target)], self.expr(inner, ty, d)))
            branches.append(body)
        node = ast.If(self.cond(sc, d), branches[0], [])
        cur = node
        for body in branches[1:-1]:
            nxt = ast.If(self.cond(sc, d), body, [])
            cur.orelse = [nxt]
            cur = nxt
        cur.orelse = branches[-1]
        sc.readable[target] = ty
        return [node, self.print_stmt(sc, 0, values=[target])]

    def range_arg(self, sc, kind):
        """(node, lo, hi): an int expression for range() and bounds of its value."""
        if kind == "lit" or self.chance(0.6):
            v = self.rng.randint(-6, 12)
            return ilit(v), v, v
        k = self.rng.randint(2, 10)
        e = binop(self.int_expr(sc, 1), ast.Mod(), ilit(k))
        if self.chance(0.3):
            return ast.UnaryOp(ast.USub(), e), -(k - 1), 0
        return e, 0, k - 1

    def for_stmt(self, sc, d, depth):
        ctx = sc.ctx
        k = self.wpick([(3, "stop"), (3, "startstop"), (4, "step"), (1, "limit"), (1, "varstep")])
        if k == "limit":
            base = self.pick([I64_MAX, I64_MIN, I64_MAX - 1, I64_MIN + 1])
            step = self.pick([1, 2, 3, -1, -2, 5, 7, 2 ** 62, -(2 ** 62), I64_MAX])
            span = self.rng.randint(0, 6)
            if base > 0:
                start, stop = base - span, base
                if step < 0:
                    start, stop = base, base - span
            else:
                start, stop = base, base + span
                if step < 0:
                    start, stop = base + span, base
            args = [ilit(start), ilit(stop), ilit(step)]
            if step == 1 and self.chance(0.5):
                args = args[:2]
            iters = max(0, -(-(stop - start) // step)) if step > 0 else max(0, -(-(start - stop) // -step))
        elif k == "stop":
            e, lo, hi = self.range_arg(sc, "any")
            args, iters = [e], max(hi, 0)
        elif k == "startstop":
            a, alo, ahi = self.range_arg(sc, "any")
            b, blo, bhi = self.range_arg(sc, "any")
            args, iters = [a, b], max(bhi - alo, 0)
        elif k == "step":
            step = self.pick([1, 2, 3, -1, -1, -2, -3, 4, -5, 10])
            a, alo, ahi = self.range_arg(sc, "any")
            b, blo, bhi = self.range_arg(sc, "any")
            if step > 0:
                iters = max(0, -(-(bhi - alo) // step))
            else:
                iters = max(0, -(-(ahi - blo) // -step))
            args = [a, b, ilit(step)]
        else:
            a, alo, ahi = self.range_arg(sc, "any")
            b, blo, bhi = self.range_arg(sc, "any")
            m = self.rng.randint(2, 4)
            step = binop(self.int_expr(sc, 1), ast.Mod(), ilit(m))
            if self.chance(0.7):
                step = binop(step, ast.Add(), ilit(1))
            if self.chance(0.4):
                step = ast.UnaryOp(ast.USub(), step)
            args = [a, b, step]
            iters = max(bhi - alo, ahi - blo, 0) + 1
        if ctx.mult * max(iters, 1) > 400:
            return None
        # loop variable: a fresh name, or an existing int local (not a counter)
        existing = [n for n in self.writable(sc, INT)]
        if existing and self.chance(0.25):
            var = self.pick(existing)
        else:
            free = [n for n in LOOP_NAMES if n not in ctx.types and n not in ctx.forbidden]
            reuse = [n for n in LOOP_NAMES if ctx.types.get(n) == INT and n not in ctx.readonly]
            cands = free + reuse
            var = self.pick(cands) if cands else ctx.fresh("i")
            if ctx.types.get(var, INT) != INT:
                var = ctx.fresh("i")
        ctx.types[var] = INT
        inner = sc.child()
        inner.readable[var] = INT
        saved = ctx.mult
        ctx.mult *= max(iters, 1)
        ctx.loop_depth += 1
        body = []
        if self.chance(0.5):
            body.append(self.print_stmt(inner, 1, values=[var]))
        body += self.block(inner, depth + 1, self.rng.randint(1, 4))
        if self.chance(0.08):
            body.append(ast.AugAssign(store(var), ast.Add(), ilit(self.pick([1, 5, -3, 100]))))
            body.append(self.print_stmt(inner, 0, values=[var]))
        ctx.loop_depth -= 1
        ctx.mult = saved
        orelse = self.block(sc.child(), depth + 1, self.rng.randint(1, 2)) if self.chance(0.3) else []
        return ast.For(store(var), call("range", *args), body, orelse)

    def while_stmt(self, sc, d, depth):
        ctx = sc.ctx
        n = self.rng.randint(0, 10)
        if ctx.mult * max(n, 1) > 400:
            return None
        counter = ctx.fresh("w")
        ctx.types[counter] = INT
        ctx.readonly.add(counter)
        init = ast.Assign([store(counter)], ilit(0))
        k = self.wpick([(4, "up"), (2, "down"), (1, "truthy"), (2, "true")])
        first = []
        if k == "true":
            test = ast.Constant(True)
            bump = ast.AugAssign(store(counter), ast.Add(), ilit(1))
            first = [ast.If(compare(name(counter), [self.pick([ast.Gt(), ast.GtE()])], [ilit(n)]),
                            [ast.Break()], [])]
        elif k == "up":
            test = compare(name(counter), [self.pick([ast.Lt(), ast.NotEq()])], [ilit(n)])
            bump = ast.AugAssign(store(counter), ast.Add(), ilit(1))
        else:
            init = ast.Assign([store(counter)], ilit(n))
            test = compare(name(counter), [ast.Gt()], [ilit(0)]) if k == "down" else name(counter)
            bump = ast.AugAssign(store(counter), ast.Sub(), ilit(1))
        inner = sc.child()
        inner.readable[counter] = INT
        if self.chance(0.25) and k != "true":
            test = ast.BoolOp(self.pick([ast.And()]), [test, self.cond(inner, 1)])
        saved = ctx.mult
        ctx.mult *= max(n, 1)
        ctx.loop_depth += 1
        body = [bump] + first
        if self.chance(0.4):
            body.append(self.print_stmt(inner, 1, values=[counter]))
        body += self.block(inner, depth + 1, self.rng.randint(1, 4))
        ctx.loop_depth -= 1
        ctx.mult = saved
        orelse = self.block(sc.child(), depth + 1, self.rng.randint(1, 2)) if self.chance(0.3) else []
        sc.readable[counter] = INT
        return [init, ast.While(test, body, orelse)]

    def block(self, sc, depth, n):
        """A list of statements; `sc` is updated with the names assigned."""
        ctx = sc.ctx
        out = []
        for _ in range(n):
            if ctx.stmts_left <= 0 or ctx.cost > ctx.budget:
                break
            ctx.stmts_left -= 1
            ctx.cost += ctx.mult
            s = self.stmt(sc, depth)
            if s is None:
                continue
            if isinstance(s, list):
                out.extend(s)
            else:
                out.append(s)
            if isinstance(out[-1], (ast.Break, ast.Continue, ast.Return)):
                break
        if not out:
            out.append(self.print_stmt(sc, 1) if self.chance(0.7) else ast.Pass())
        return out

    def stmt(self, sc, depth):
        ctx = sc.ctx
        d = self.rng.randint(1, 3) if self.chance(0.95) else self.rng.randint(4, 6)
        nest = depth < 3
        choices = [(6, "assign"), (3, "reassign"), (4, "aug"), (7, "print"), (1, "parallel"),
                   (1, "assert"), (1, "callstmt")]
        if nest:
            choices += [(3, "if"), (2, "for"), (2, "while"), (1, "ifjoin")]
        if ctx.loop_depth > 0:
            choices += [(2, "breakcont"), (1, "endloop")]
        if ctx.func is not None and depth > 0:
            choices += [(1, "return")]
        k = self.wpick(choices)
        if k == "assign":
            stmts, target = self.assign_new(sc, d)
            if self.chance(0.5):
                stmts.append(self.print_stmt(sc, 0, values=[target]))
            return stmts
        if k == "reassign":
            names = self.writable(sc)
            if not names:
                return self.assign_new(sc, d)[0]
            t = self.pick(names)
            return ast.Assign([store(t)], self.expr(sc, sc.readable[t], d))
        if k == "aug":
            s = self.aug_assign(sc, d)
            if s is None:
                return self.print_stmt(sc, d)
            if self.chance(0.5):
                return [s, self.print_stmt(sc, 0, values=[s.target.id])]
            return s
        if k == "print":
            return self.print_stmt(sc, d)
        if k == "parallel":
            return self.parallel(sc, d)
        if k == "assert":
            return self.assert_stmt(sc, d)
        if k == "callstmt":
            c = self.call_expr(sc, None, d, stmt=True)
            return ast.Expr(c) if c is not None else self.print_stmt(sc, d)
        if k == "if":
            return self.if_stmt(sc, d, depth)
        if k == "ifjoin":
            return self.if_join(sc, d, depth)
        if k == "for":
            return self.for_stmt(sc, d, depth)
        if k == "while":
            return self.while_stmt(sc, d, depth)
        if k == "breakcont":
            jump = ast.Break() if self.chance(0.5) else ast.Continue()
            body = [self.print_stmt(sc, 0)] if self.chance(0.3) else []
            return ast.If(self.cond(sc, d), body + [jump], [])
        if k == "endloop":
            return ast.Break() if self.chance(0.6) else ast.Continue()
        if k == "return":
            return ast.If(self.cond(sc, d), [self.return_stmt(sc, d)], [])
        raise AssertionError(k)

    def return_stmt(self, sc, d):
        ctx = sc.ctx
        if ctx.ret is None:
            return ast.Return(None)
        return ast.Return(self.expr(sc, ctx.ret, d))

    # ---- functions --------------------------------------------------------
    def new_ctx(self, func, ret, top, budget, callables, readable):
        ctx = Ctx(self, func, ret, top, budget, callables)
        ctx.forbidden = set(self.consts) | {f.name for f in self.funcs} | {"main"}
        if not top and self.consts and self.chance(0.15):
            ctx.shadow = {self.pick(sorted(self.consts))}
            ctx.forbidden -= ctx.shadow
        sc = Scope(ctx, readable)
        for n, t in readable.items():
            ctx.types[n] = t
        return ctx, sc

    def make_params(self, fname):
        params, defaults = [], {}
        pool = ["a", "b", "c", "x", "y", "z", "p", "q", "s", "t", "lo", "hi", "flag", "scale",
                "base", "k", "m"]
        for pn in self.rng.sample(pool, self.wpick([(1, 0), (3, 1), (4, 2), (3, 3), (1, 4), (0.5, 7)])):
            ty = self.wpick([(4, INT), (4, FLOAT), (2, BOOL)])
            if self.consts and self.chance(0.05):
                pn = self.pick(sorted(self.consts))  # a parameter hiding a module constant
                if pn in [p for p, _ in params]:
                    continue
            params.append((pn, ty))
        # trailing defaults
        for pn, ty in reversed(params):
            if not self.chance(0.25):
                break
            names = [c for c, t in self.consts.items() if t == ty]
            r = self.rng.random()
            if names and r < 0.25:
                defaults[pn] = name(self.pick(names))
            elif r < 0.45:
                defaults[pn] = self.const_expr(ty)  # evaluated once, when the def runs
            else:
                defaults[pn] = self.const_value(ty)
        return params, defaults

    def const_value(self, ty):
        if ty == INT:
            return self.int_lit()
        if ty == FLOAT:
            return self.float_lit()
        if self.chance(0.2) and any(t == BOOL for t in self.consts.values()):
            return name(self.pick([c for c, t in self.consts.items() if t == BOOL]))
        return ast.Constant(self.chance(0.5))

    def func_def(self, f: Func, body):
        args = ast.arguments(
            posonlyargs=[], args=[ast.arg(p, name(t)) for p, t in f.params], vararg=None,
            kwonlyargs=[], kw_defaults=[], kwarg=None,
            defaults=[f.defaults[p] for p, _ in f.params if p in f.defaults])
        returns = name(f.ret) if f.ret is not None else (ast.Constant(None) if self.chance(0.5) else None)
        if self.chance(0.15):
            body = [ast.Expr(ast.Constant(self.pick(["Docstring.", "Compute something.\n\n    More text.\n    "])))] + body
        node = ast.FunctionDef(f.name, args, body, [], returns, None)
        node.type_params = []
        return node

    def gen_function(self, idx):
        fname = f"f{idx}"
        params, defaults = self.make_params(fname)
        ret = self.wpick([(4, INT), (4, FLOAT), (2, BOOL), (1, None)])
        f = Func(fname, params, ret, defaults)
        ctx, sc = self.new_ctx(f, ret, False, 3000, list(self.funcs), dict(params))
        ctx.stmts_left = self.rng.randint(3, 14) if self.chance(0.9) else self.rng.randint(20, 40)
        body = self.block(sc, 0, ctx.stmts_left)
        ending = self.wpick([(8, "return"), (1, "ifelse"), (1, "whiletrue")])
        if isinstance(body[-1], (ast.Return, ast.Break, ast.Continue)):
            ending = "return"
        if ending == "ifelse":
            body.append(ast.If(self.cond(sc, 2),
                               self.block(sc.child(), 1, self.rng.randint(0, 2)) + [self.return_stmt(sc, 2)],
                               self.block(sc.child(), 1, self.rng.randint(0, 2)) + [self.return_stmt(sc, 2)]))
        elif ending == "whiletrue":
            counter = ctx.fresh("w")
            ctx.types[counter] = INT
            ctx.readonly.add(counter)
            limit = self.rng.randint(0, 6)
            inner = sc.child()
            inner.readable[counter] = INT
            ctx.loop_depth += 1
            ctx.mult *= limit + 1
            loop = [ast.AugAssign(store(counter), ast.Add(), ilit(1))]
            loop += self.block(inner, 2, self.rng.randint(0, 2))
            if isinstance(loop[-1], (ast.Break, ast.Continue)):
                loop.pop()
            loop.append(ast.If(compare(name(counter), [ast.Gt()], [ilit(limit)]),
                               [self.return_stmt(inner, 2)], []))
            ctx.loop_depth -= 1
            ctx.mult = 1
            body += [ast.Assign([store(counter)], ilit(0)), ast.While(ast.Constant(True), loop, [])]
        elif not isinstance(body[-1], ast.Return) or ret is not None and body[-1].value is None:
            if ret is not None or self.chance(0.3):
                body.append(self.return_stmt(sc, self.rng.randint(1, 3)))
        f.cost = ctx.cost
        return f, self.func_def(f, body)

    def gen_recursive(self, idx):
        fname = f"rec{idx}"
        double = self.chance(0.3)
        max_depth = self.rng.randint(2, 8) if double else self.rng.randint(2, 16)
        params, defaults = self.make_params(fname)
        params = [("n", INT)] + [(p, t) for p, t in params if p != "n"][:3]
        defaults = {p: v for p, v in defaults.items() if p in dict(params)}
        ret = self.wpick([(4, INT), (4, FLOAT), (1, BOOL)])
        f = Func(fname, params, ret, defaults)
        f.max_depth = max_depth
        ctx, sc = self.new_ctx(f, ret, False, 600, list(self.funcs), dict(params))
        ctx.readonly.add("n")
        ctx.stmts_left = self.rng.randint(1, 6)
        body = self.block(sc, 1, self.rng.randint(0, 2)) if self.chance(0.5) else []
        base_test = self.pick([
            compare(name("n"), [ast.LtE()], [ilit(0)]),
            compare(name("n"), [ast.Lt()], [ilit(1)]),
            ast.UnaryOp(ast.Not(), compare(name("n"), [ast.Gt()], [ilit(0)])),
            ast.BoolOp(ast.Or(), [compare(name("n"), [ast.Eq()], [ilit(0)]),
                                  compare(name("n"), [ast.Lt()], [ilit(0)])]),
        ])
        base_body = [self.print_stmt(sc.child(), 0)] if self.chance(0.3) else []
        base_body.append(ast.Return(self.expr(sc.child(), ret, 2)))
        body.append(ast.If(base_test, base_body, []))
        body += self.block(sc, 1, self.rng.randint(0, 3))
        rec_args = []
        for p, t in params[1:]:
            rec_args.append(self.expr(sc, t, 1))
        calls = [ast.Call(name(fname), [binop(name("n"), ast.Sub(), ilit(1))] + rec_args, [])]
        if double:
            calls.append(ast.Call(name(fname), [binop(name("n"), ast.Sub(), ilit(2))]
                                  + [self.expr(sc, t, 1) for p, t in params[1:]], []))
        results = []
        for c in calls:
            r = self.new_local(sc, ret)
            if r in ctx.readonly or ctx.types.get(r, ret) != ret or r in results:
                r = ctx.fresh("r")
            ctx.types[r] = ret
            body.append(ast.Assign([store(r)], c))
            sc.readable[r] = ret
            results.append(r)
            if self.chance(0.4):
                body.append(self.print_stmt(sc, 0, values=[r, "n"]))
        body += self.block(sc, 1, self.rng.randint(0, 2))
        if ret == INT:
            e = name(results[0])
            for r in results[1:]:
                e = binop(e, ast.Add(), name(r))
            if self.chance(0.7):
                e = binop(e, self.pick([ast.Add(), ast.Sub(), ast.Mult()]), self.small_int(sc, 1))
        elif ret == FLOAT:
            e = name(results[0])
            for r in results[1:]:
                e = binop(e, self.pick([ast.Add(), ast.Sub(), ast.Mult()]), name(r))
            if self.chance(0.7):
                e = binop(e, self.pick([ast.Add(), ast.Sub(), ast.Mult(), ast.Div()]),
                          self.float_expr(sc, 1) if self.chance(0.5) else self.float_divisor(sc, 1))
        else:
            e = ast.BoolOp(self.pick([ast.And(), ast.Or()]), [name(r) for r in results] + [self.bool_expr(sc, 1)])
            if self.chance(0.5):
                e = ast.UnaryOp(ast.Not(), e)
        body.append(ast.Return(e))
        calls_n = (max_depth + 2) if not double else self._fib_calls(max_depth)
        f.cost = ctx.cost * calls_n
        return f, self.func_def(f, body)

    def gen_mutual(self, idx):
        """Two functions calling each other with a decreasing depth `n`."""
        names = [f"ping{idx}", f"pong{idx}"]
        ret = self.wpick([(4, INT), (4, FLOAT), (1, BOOL)])
        max_depth = self.rng.randint(2, 20)
        out = []
        funcs = []
        for me, other in (names, names[::-1]):
            extra = self.wpick([(1, INT), (1, FLOAT), (1, BOOL)])
            params = [("n", INT), ("acc", extra)]
            funcs.append(Func(me, params, ret, {}))
            funcs[-1].max_depth = max_depth
        for (me, other), f, g in ((names, funcs[0], funcs[1]), (names[::-1], funcs[1], funcs[0])):
            ctx, sc = self.new_ctx(f, ret, False, 400, list(self.funcs), dict(f.params))
            ctx.readonly.add("n")
            ctx.stmts_left = self.rng.randint(1, 4)
            body = [ast.If(compare(name("n"), [ast.LtE()], [ilit(0)]),
                           [ast.Return(self.expr(sc.child(), ret, 1))], [])]
            body += self.block(sc, 1, self.rng.randint(0, 2))
            step = self.pick([1, 1, 2])
            rec = ast.Call(name(other), [binop(name("n"), ast.Sub(), ilit(step)),
                                         self.expr(sc, g.params[1][1], 1)], [])
            if ret == INT:
                e = binop(rec, self.pick([ast.Add(), ast.Sub()]), self.small_int(sc, 1))
            elif ret == FLOAT:
                e = binop(rec, self.pick([ast.Add(), ast.Mult(), ast.Sub()]), self.float_expr(sc, 1))
            else:
                e = ast.UnaryOp(ast.Not(), rec) if self.chance(0.6) else ast.BoolOp(
                    self.pick([ast.And(), ast.Or()]), [self.bool_expr(sc, 1), rec])
            if self.chance(0.3):
                body.append(self.print_stmt(sc, 0, values=["n"]))
            body.append(ast.Return(e))
            f.cost = ctx.cost
            out.append((f, body))
        total = (funcs[0].cost + funcs[1].cost) * (max_depth + 2)
        result = []
        for f, body in out:
            f.cost = total
            result.append((f, self.func_def(f, body)))
        return result

    @staticmethod
    def _fib_calls(n):
        a, b = 1, 1  # calls for depth -1 and 0
        for _ in range(n):
            a, b = b, a + b + 1
        return b

    def gen_constants(self):
        nodes = []
        for i in range(self.rng.randint(0, 5)):
            cname = self.pick(["LIMIT", "SCALE", "BIG", "EPS", "N", "STEP", "BASE", "FLAG", "K",
                               "MAXV", "MINV", "HALF", "TOP", "SEED"]) + str(i)
            ty = self.wpick([(5, INT), (4, FLOAT), (1, BOOL)])
            if self.consts and self.chance(0.4):
                value = self.const_expr(ty)
            else:
                value = self.const_value(ty)
            if self.chance(0.4):
                nodes.append(ast.AnnAssign(store(cname), name(ty), value, 1))
            else:
                nodes.append(ast.Assign([store(cname)], value))
            self.consts[cname] = ty
        return nodes

    def const_expr(self, ty):
        """A pure expression over literals and earlier constants (a module constant)."""
        def leaf(t):
            names = [c for c, ct in self.consts.items() if ct == t]
            if names and self.chance(0.6):
                return name(self.pick(names))
            return self.const_value(t)
        if ty == INT:
            op = self.pick([ast.Add(), ast.Sub(), ast.Mult(), ast.FloorDiv(), ast.Mod()])
            r = ilit(self.pick([2, 3, -7, 10, 100] + [0] * self.chance(0.1))) \
                if isinstance(op, (ast.FloorDiv, ast.Mod, ast.Mult)) else leaf(INT)
            e = binop(leaf(INT), op, r)
            return ast.UnaryOp(ast.USub(), e) if self.chance(0.2) else e
        if ty == FLOAT:
            op = self.pick([ast.Add(), ast.Mult(), ast.Div(), ast.Sub(), ast.Mod(), ast.FloorDiv()])
            divisor = flit(self.pick([2.0, 0.5, 3.0] + [0.0] * self.chance(0.2)))
            return binop(leaf(FLOAT), op, self.pick([leaf(FLOAT), leaf(INT), divisor]))
        return self.pick([
            compare(leaf(INT), [self.pick([ast.Lt(), ast.Gt(), ast.Eq()])], [leaf(INT)]),
            ast.UnaryOp(ast.Not(), leaf(BOOL)),
            ast.BoolOp(ast.And(), [leaf(BOOL), compare(leaf(FLOAT), [ast.Gt()], [flit(0.0)])]),
        ])

    def main_guard(self):
        if self.chance(0.2):
            return compare(ast.Constant("__main__"), [ast.Eq()], [name("__name__")])
        return compare(name("__name__"), [ast.Eq()], [ast.Constant("__main__")])

    def guard_else(self):
        """Usually nothing; sometimes an else branch (never run by `python3 FILE`)."""
        if self.chance(0.1):
            return [ast.Expr(call("print", ast.Constant("imported, not run")))]
        return []

    def program(self, seed):
        body = [ast.Expr(ast.Constant(f"Random program for seed {seed} (tests/difftest/gen.py)."))]
        body += self.gen_constants()
        n_funcs = self.rng.randint(1, 6)
        # top-level code, possibly interleaved with the definitions
        tctx, tsc = self.new_ctx(None, None, True, 50000, [], {})
        for i in range(n_funcs):
            if self.chance(0.08):
                for f, node in self.gen_mutual(i):
                    self.funcs.append(f)
                    body.append(node)
            else:
                if self.chance(0.25):
                    f, node = self.gen_recursive(i)
                else:
                    f, node = self.gen_function(i)
                self.funcs.append(f)
                body.append(node)
            if self.chance(0.15):
                tctx.callables = list(self.funcs)
                tctx.forbidden |= {f.name for f in self.funcs}
                tctx.stmts_left = self.rng.randint(1, 4)
                body += self.block(tsc, 0, tctx.stmts_left)
        style = self.wpick([(4, "script"), (2, "main_guard"), (2, "main_implicit"),
                            (1, "main_call"), (1, "main_int"), (1, "script_guard"), (0.3, "main_twice")])
        if style == "script_guard":  # the script inside `if __name__ == "__main__":`
            tctx.callables = list(self.funcs)
            tctx.forbidden |= {f.name for f in self.funcs}
            tctx.stmts_left = self.rng.randint(8, 35)
            inner = self.block(tsc, 1, tctx.stmts_left)
            body.append(ast.If(self.main_guard(), inner, self.guard_else()))
        if style == "script":
            tctx.callables = list(self.funcs)
            tctx.forbidden |= {f.name for f in self.funcs}
            tctx.stmts_left = self.rng.randint(8, 35)
            body += self.block(tsc, 0, tctx.stmts_left)
        else:
            ret = INT if style == "main_int" else None
            main = Func("main", [], ret, {})
            ctx, sc = self.new_ctx(main, ret, False, 50000, list(self.funcs), {})
            ctx.stmts_left = self.rng.randint(8, 35)
            mbody = self.block(sc, 0, ctx.stmts_left)
            if ret == INT:
                mbody.append(ast.Return(ilit(self.pick([0, 0, 1, 2, 3, 7, 42, 255, 256, -1]))
                                        if self.chance(0.7) else
                                        binop(self.int_expr(sc, 2), ast.Mod(), ilit(256))))
            body.append(self.func_def(main, mbody))
            if style == "main_guard":
                body.append(ast.If(self.main_guard(), [ast.Expr(call("main"))], self.guard_else()))
            elif style == "main_call":
                body.append(ast.Expr(call("main")))
            elif style == "main_twice":
                body.append(ast.Expr(call("main")))
                body.append(ast.If(self.main_guard(), [ast.Expr(call("main"))], []))
        module = ast.Module(body, [])
        return ast.unparse(ast.fix_missing_locations(module)) + "\n"


# ---------------------------------------------------------------------------
# Layout: the same program spelled differently (comments, indentation, ...)
# ---------------------------------------------------------------------------

COMMENTS = ["# note", "#", "# TODO: check this", "#: typed", "# é π 😀", "# type: ignore",
            "# if x: y", "#!not a shebang", "# \"quoted\" 'text'", "# trailing\\"]
SIMPLE_START = re.compile(r"^(?!(if|elif|else|for|while|def|return|break|continue|pass)\b)"
                          r"[A-Za-z_(]")


def _same_ast(a: str, b: str) -> bool:
    try:
        return ast.dump(ast.parse(b)) == ast.dump(ast.parse(a))
    except SyntaxError:
        return False


def relayout(source: str, rng: random.Random) -> str:
    """Re-spells `source` without changing its AST: each edit is kept only if
    the program still parses to the same tree."""
    lines = source.split("\n")

    def attempt(new_lines):
        nonlocal lines
        if _same_ast("\n".join(lines), "\n".join(new_lines)):
            lines = new_lines
            return True
        return False

    if rng.random() < 0.5:  # indentation unit
        unit = rng.choice(["  ", "\t", "   ", "        ", " ", "\t "])
        out = []
        for line in lines:
            stripped = line.lstrip(" ")
            depth = (len(line) - len(stripped)) // 4
            out.append(unit * depth + stripped)
        attempt(out)
    edits = rng.randint(1, 12)
    for _ in range(edits):
        k = rng.choice(["comment", "comment", "blank", "join", "oneline", "wrap_args",
                        "backslash", "paren_cond", "trailing_space", "trailing_comma"])
        i = rng.randrange(len(lines))
        line = lines[i]
        body = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        new = list(lines)
        if k == "comment" and body:
            new[i] = line + rng.choice(["  ", " ", "\t"]) + rng.choice(COMMENTS)
        elif k == "blank":
            new.insert(i, rng.choice(["", "   ", "\t", indent + rng.choice(COMMENTS),
                                      rng.choice(COMMENTS), "  " + rng.choice(COMMENTS)]))
        elif k == "join" and i + 1 < len(lines):
            nxt = lines[i + 1]
            if (SIMPLE_START.match(body) and SIMPLE_START.match(nxt.strip())
                    and nxt.startswith(indent) and not nxt[len(indent):][:1].isspace()):
                new[i:i + 2] = [line + rng.choice(["; ", ";", " ; "]) + nxt.strip()
                                + rng.choice(["", "", ";"])]
        elif k == "oneline" and i + 1 < len(lines) and body.endswith(":") and (
                body.startswith(("if ", "elif ", "else", "while ", "for "))):
            nxt = lines[i + 1]
            after = lines[i + 2] if i + 2 < len(lines) else ""
            inner_indent = nxt[: len(nxt) - len(nxt.lstrip())]
            if len(inner_indent) > len(indent) and not after.startswith(inner_indent) \
                    and SIMPLE_START.match(nxt.strip()) or nxt.strip() in ("pass", "break", "continue"):
                new[i:i + 2] = [line + " " + nxt.strip()]
        elif k == "wrap_args" and "(" in body and body.endswith(")"):
            positions = [m.start() for m in re.finditer(", ", line)]
            if positions:
                p = rng.choice(positions)
                cont = rng.choice(["", "  ", "        ", "\t", indent + "    "])
                new[i] = line[:p + 1] + "\n" + cont + line[p + 2:]
                new = "\n".join(new).split("\n")
        elif k == "backslash" and body and not body.endswith(":"):
            positions = [m.start() for m in re.finditer(r" (\+|-|\*|and|or|==|<) ", line)]
            if positions:
                p = rng.choice(positions)
                new[i] = line[:p] + rng.choice([" \\", "\\"]) + "\n" + indent + rng.choice(["    ", "", "  "]) \
                    + line[p + 1:]
                new = "\n".join(new).split("\n")
        elif k == "paren_cond" and body.startswith(("if ", "elif ", "while ")) and body.endswith(":"):
            kw, rest = body.split(" ", 1)
            new[i] = indent + kw + " (" + rest[:-1] + "):"
        elif k == "trailing_space" and body:
            new[i] = line + rng.choice([" ", "\t", "   "])
        elif k == "trailing_comma" and body.startswith("print(") and body.endswith(")") and body != "print()":
            new[i] = line[:-1] + rng.choice([",", ", ", ",\n" + indent])  + ")"
            new = "\n".join(new).split("\n")
        attempt(new)
    text = "\n".join(lines)
    r = rng.random()
    if r < 0.05:
        text = "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n" + text
    elif r < 0.1:
        text = text.rstrip("\n")  # no newline at the end of the file
    elif r < 0.13:
        text = text.replace("\n", "\r\n")
    elif r < 0.16:
        text = "\ufeff" + text  # UTF-8 byte order mark
    return text


def candidate(seed: int, attempt: int) -> str:
    rng = random.Random(f"roast-difftest:{seed}:{attempt}")
    return Gen(rng).program(seed)


TICK_BUDGET = 20000
MAX_OUTPUT = 60000
ATTEMPTS = 30


def classify(source: str):
    """('ok' | 'error' | 'reject', detail)."""
    try:
        stdout, status, last, error = run_emulated(source, "<candidate>", TICK_BUDGET)
    except SyntaxError as e:
        return "bug", f"SyntaxError: {e}"
    if isinstance(error, BudgetExceeded):
        return "reject", "budget"
    if len(stdout) > MAX_OUTPUT:
        return "reject", "output"
    if isinstance(error, RoastGeneratorBug) or isinstance(error, (NameError, TypeError, UnboundLocalError, RecursionError)):
        return "bug", last
    if error is not None:
        return "error", last
    return "ok", ""


def generate(seed: int) -> str:
    """The program for `seed`: the first acceptable candidate, sometimes re-spelled."""
    source = choose(seed)
    layout = random.Random(f"roast-difftest-layout:{seed}")
    if layout.random() < 0.35:
        source = relayout(source, layout)
    return source


def choose(seed: int) -> str:
    keep_error = random.Random(f"roast-difftest-keep:{seed}")
    fallback = None
    for attempt in range(ATTEMPTS):
        source = candidate(seed, attempt)
        kind, _ = classify(source)
        if kind == "ok":
            return source
        if kind == "error":
            if keep_error.random() < 0.25:
                return source
            fallback = fallback or source
    if fallback is not None:
        return fallback
    raise SystemExit(f"gen.py: no acceptable program for seed {seed}")


def parse_seeds(text: str) -> list[int]:
    """`7`, `0..300` (end exclusive) or `1,5,9`."""
    seeds = []
    for part in text.split(","):
        if ".." in part:
            a, b = part.split("..")
            seeds.extend(range(int(a), int(b)))
        elif part:
            seeds.append(int(part))
    return seeds


def stats(seeds):
    from collections import Counter
    kinds, details = Counter(), Counter()
    outcomes = Counter()
    for seed in seeds:
        keep_error = random.Random(f"roast-difftest-keep:{seed}")
        for attempt in range(3):
            kind, detail = classify(candidate(seed, attempt))
            kinds[kind] += 1
            if kind != "ok":
                details[(kind, detail.split(":")[0] if kind != "bug" else detail)] += 1
            if kind == "bug":
                print(f"seed {seed} attempt {attempt}: {detail}", file=sys.stderr)
        src = generate(seed).lstrip("\ufeff")
        outcomes[classify(src)[1].split(":")[0] or "ok"] += 1
    print("candidates:", dict(kinds))
    for (k, d), n in details.most_common(30):
        print(f"  {n:5} {k} {d}")
    print("accepted programs:", dict(outcomes))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, help="print the program for this seed")
    parser.add_argument("--emulate", metavar="FILE", help="run FILE under the i64 emulation")
    parser.add_argument("--stats", metavar="SEEDS", help="self-check the generator on these seeds")
    args = parser.parse_args()
    if args.emulate:
        return emulate_main(args.emulate)
    if args.stats:
        stats(parse_seeds(args.stats))
        return 0
    if args.seed is None:
        parser.error("give --seed N (or --emulate FILE)")
    sys.stdout.flush()
    sys.stdout.buffer.write(generate(args.seed).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
