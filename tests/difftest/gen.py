#!/usr/bin/env python3
"""Random well-typed Roast programs for differential testing against CPython.

    python3 tests/difftest/gen.py --seed N           # print one program
    python3 tests/difftest/gen.py --emulate FILE     # run FILE under the i64 emulation
    python3 tests/difftest/gen.py --stats 0..200     # generator self-check

A program is a deterministic function of the seed.  It stays inside Tier 1 of
the Roast language: top-level functions, locals that keep one type, module
constants and module lists/dicts, if/while/for with break/continue/else,
assert, print.  Every program computes with int/float/bool; about 70% of the
candidates (``HEAP_SHARE``, decided from a separate random stream so that the
others are the programs of the scalar-only generator) also use str, list[int],
list[float], list[str], dict[str, int], dict[int, str], tuple[int, str],
tuple[int, int], list[tuple[int, int]] and int | None: methods, slicing,
f-strings with format specs, comprehensions, sorted/min/max with key functions,
iteration, unpacking and narrowing (README.md lists it all).  It never passes an
int where a float is expected, never uses bool in arithmetic, never raises an
int to a negative int power, never reads a variable that may be unassigned,
never writes an empty ``[]``/``{}`` whose type the context does not give, and
never changes the type of a variable.

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
``int ** negative int``, no complex result, and every parameter, return value
and annotated assignment has exactly its annotated type (deeply, for lists,
dicts and tuples).  ``+`` and ``*`` on str/list/tuple go through the same
checks, ``xs += ys`` stays an in-place change, ``d[k] += v`` reads the item
before evaluating ``v`` as CPython does, and ``sum``/``round``/``divmod``
results are range-checked.
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


MAX_SIZE = 5000  # longest str or list a candidate may build (keeps generation fast)
_SEQS = (str, list, tuple)


def _roast_size(value):
    if len(value) > MAX_SIZE and _Ticks.budget is not None:
        raise BudgetExceeded()
    return value


def _roast_seq_bin(op, a, b):
    """`+` and `*` on str, list and tuple (concatenation and repetition)."""
    if op == "+" and type(a) is type(b):
        return _roast_size(a + b)
    if op == "*":
        seq, n = (a, b) if type(a) in _SEQS else (b, a)
        if type(seq) in _SEQS and type(n) is int:
            if n > 0 and len(seq) * n > MAX_SIZE and _Ticks.budget is not None:
                raise BudgetExceeded()
            return seq * n
    raise RoastGeneratorBug(f"operands of {op}: {type(a).__name__}, {type(b).__name__}")


def _roast_bin(op, a, b):
    if type(a) in _SEQS or type(b) in _SEQS:
        if type(a) is bool or type(b) is bool:
            raise RoastGeneratorBug(f"bool operand of {op}")
        return _roast_seq_bin(op, a, b)
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


_TYPE_CACHE: dict = {}


def _type_tree(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return ("|", _type_tree(node.left), _type_tree(node.right))
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return (node.value.id,) + tuple(_type_tree(a) for a in args)
    return "?"


def _type_ok(value, tree):
    if isinstance(tree, str):
        if tree == "None":
            return value is None
        expected = _TYPES.get(tree)
        return expected is None or type(value) is expected
    head = tree[0]
    if head == "|":
        return _type_ok(value, tree[1]) or _type_ok(value, tree[2])
    if head == "list":
        return type(value) is list and all(_type_ok(v, tree[1]) for v in value)
    if head == "dict":
        return type(value) is dict and all(_type_ok(k, tree[1]) and _type_ok(v, tree[2])
                                           for k, v in value.items())
    if head == "tuple":
        return (type(value) is tuple and len(value) == len(tree) - 1
                and all(_type_ok(v, t) for v, t in zip(value, tree[1:])))
    return True


def _roast_check_type(value, ty, what):
    """`value` must have exactly the annotated type `ty` (deeply: list items, dict keys ...)."""
    tree = _TYPE_CACHE.get(ty)
    if tree is None:
        tree = _TYPE_CACHE[ty] = _type_tree(ast.parse(ty, mode="eval").body)
    if not _type_ok(value, tree):
        raise RoastGeneratorBug(f"{what} is {_value_type(value)}, declared {ty}")
    return value


def _value_type(value):
    if type(value) is list:
        return "list[" + ", ".join(sorted({_value_type(v) for v in value})) + "]"
    if type(value) is tuple:
        return "tuple[" + ", ".join(_value_type(v) for v in value) + "]"
    return type(value).__name__


def _roast_aug(op, a, b):
    """`a op= b` on a name or an item: lists change in place, as in CPython."""
    if type(a) is list:
        if op == "+" and type(b) is list:
            a += b
            return _roast_size(a)
        if op == "*" and type(b) is int:
            if b > 0 and len(a) * b > MAX_SIZE and _Ticks.budget is not None:
                raise BudgetExceeded()
            a *= b
            return a
        raise RoastGeneratorBug(f"list {op}= {type(b).__name__}")
    return _roast_bin(op, a, b)


def _roast_augsub(obj, key, op, value):
    """`obj[key] op= value()`: the item is read before the right side runs."""
    old = obj[key]
    obj[key] = _roast_aug(op, old, value())


def _roast_divmod(a, b):
    result = divmod(a, b)
    if type(result[0]) is int:
        _roast_i64(result[0])
        _roast_i64(result[1])
    return result


def _roast_extend(xs, items):
    xs.extend(items)
    _roast_size(xs)


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
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    return ast.unparse(node)


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
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("int", "abs", "sum", "round"):
            return self._call("_roast_i64_", [node], node)
        if isinstance(func, ast.Name) and func.id == "divmod" and len(node.args) == 2:
            return self._call("_roast_divmod_", node.args, node)
        if isinstance(func, ast.Attribute) and func.attr in ("replace", "join"):
            return self._call("_roast_size_", [node], node)
        if isinstance(func, ast.Attribute) and func.attr == "extend" and len(node.args) == 1:
            return self._call("_roast_extend_", [func.value, node.args[0]], node)
        return node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        op = _AST_BINOP[type(node.op)]
        if isinstance(node.target, ast.Name):
            load = ast.copy_location(ast.Name(node.target.id, ast.Load()), node.target)
            value = self._call("_roast_aug_", [ast.Constant(op), load, node.value], node)
            return ast.copy_location(ast.Assign([node.target], value), node)
        if isinstance(node.target, ast.Subscript) and not isinstance(node.target.slice, ast.Slice):
            thunk = ast.Lambda(ast.arguments([], [], None, [], [], None, []), node.value)
            call = self._call("_roast_augsub_", [node.target.value, node.target.slice,
                                                 ast.Constant(op), thunk], node)
            return ast.copy_location(ast.Expr(call), node)
        return node

    def visit_AnnAssign(self, node):
        if node.value is not None:
            node.value = self.visit(node.value)
        if node.value is not None and isinstance(node.target, ast.Name):
            node.value = self._call("_roast_check_type_", [
                node.value, ast.Constant(_annotation_name(node.annotation)),
                ast.Constant(f"variable {node.target.id}")], node)
        return node

    def _tick(self, body, node):
        tick = ast.copy_location(ast.Expr(self._call("_roast_tick_", [], node)), node)
        return [tick] + body

    def visit_arg(self, node):
        return node  # annotations are types, not expressions to check

    def visit_FunctionDef(self, node):
        self.returns.append(_annotation_name(node.returns))
        returns, node.returns = node.returns, None
        self.generic_visit(node)
        node.returns = returns
        self.returns.pop()
        checks = []
        for arg in node.args.args:
            ty = _annotation_name(arg.annotation)
            if ty != "None":
                call = self._call("_roast_check_type_", [
                    ast.Name(arg.arg, ast.Load()), ast.Constant(ty),
                    ast.Constant(f"parameter {arg.arg} of {node.name}")], node)
                checks.append(ast.copy_location(ast.Expr(call), node))
        node.body = self._tick(checks + node.body, node)
        return node

    def visit_Return(self, node):
        self.generic_visit(node)
        ty = self.returns[-1] if self.returns else None
        if ty not in (None, "None") and node.value is not None:
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
    builtins._roast_aug_ = _roast_aug
    builtins._roast_augsub_ = _roast_augsub
    builtins._roast_divmod_ = _roast_divmod
    builtins._roast_extend_ = _roast_extend
    builtins._roast_size_ = _roast_size


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


AUG_HEAP = ("str", "list[int]", "list[float]", "list[str]", "list[tuple[int, int]]")


def needs_annotation(ty, value) -> bool:
    """Roast infers a local's type from its first value, except for these."""
    if ty == "int | None":
        return True
    return (isinstance(value, ast.List) and not value.elts) or (isinstance(value, ast.Dict) and not value.keys)


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
        self.iterating = set()    # lists/dicts a for loop is iterating over (not mutated)
        self.key_function = False  # a sort key: leaves module variables alone

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


# ---------------------------------------------------------------------------
# Heap types: str, lists, dicts, tuples and int | None
# ---------------------------------------------------------------------------

STR = "str"
LINT, LFLOAT, LSTR = "list[int]", "list[float]", "list[str]"
DSI, DIS = "dict[str, int]", "dict[int, str]"
TIS, PAIR, LPAIR = "tuple[int, str]", "tuple[int, int]", "list[tuple[int, int]]"
OINT = "int | None"
LIST_ELEM = {LINT: INT, LFLOAT: FLOAT, LSTR: STR, LPAIR: PAIR}
DICT_KV = {DSI: (STR, INT), DIS: (INT, STR)}
CONTAINERS = tuple(LIST_ELEM) + tuple(DICT_KV)
HEAP_TYPES = (STR,) + CONTAINERS + (TIS, PAIR, OINT)
HEAP_SHARE = 0.7  # share of candidates that also use heap types (the others are as before)
# builtins that heap expressions call: never the name of a variable or parameter
BUILTIN_NAMES = {"len", "sum", "round", "divmod", "id", "pow", "type", "sorted", "str", "repr",
                 "list", "min", "max", "abs", "int", "float", "bool", "ord", "chr", "enumerate",
                 "zip", "reversed", "range", "print"}

WORDS = [
    "abc", "Hello", "a b", "  pad  ", "x,y,z", "1,2,,3", "héllo", "ÉCOLE", "straße", "ΣΑΣ",
    "İstanbul", "ǅemal", "ﬁne", "😀ok", "tab\tsep", "new\nline", "q'uote", 'dq"', "both'\"",
    "back\\slash", "", " ", "\x00nul", "zw\u200bsp", "ａｂｃ", "123", "-42", "٣٤", "²", "3.5",
    "  7 ", "\u3000wide", "nel\x85", "e\u0301", "abcabc", "aaa", "mississippi", "a-b-c",
    "The Quick Brown", "x", "A", "z9", "ß", "ǰ", "Ⅻ", "ŉ", "\r\n", "a\x1fb", "\t", "{}", "{x}",
    "%d", "0x1f", "1e3", "inf", "-0", "+5", "1_000", "ﬀ", "ΌΣΟΣ", "ǈ", "a\u2028b", "\x7f",
    "Ὀδυσσεύς", "Ⓐ", "ǆ", "x\ud7ffy", "\U0001F600\U0001F601", "日本語", "a.b.c", "one two  three",
]
CHARS = (list("abcxyzABXZ019 ,.-_'\"\\{}") +
         ["é", "ß", "Σ", "σ", "ς", "İ", "ı", "ﬁ", "😀", "\t", "\n", "\x00", "\u200b", "\xa0",
          "\u3000", "²", "٣", "ǅ", "Ω", "ŉ", "\u0301", "€", "\x7f", "\x85", "ǰ", "ẞ", "Ⅻ", "ｚ",
          "\r", "\x1c", "日", "\u2028", "K", "Å"])
# string literals spelled as written (escapes, prefixes, implicit concatenation)
STR_FORMS = [
    r'"\x41\u00e9\u03c0"', r"'tab\there'", '"""tri"ple"""', "'''a\nb'''", '"con" "cat"',
    r"'back\\'", r'"\"q\""', r"r'raw\n'", r'"nl\nnext"', r"'\101\x42'", r'"\U0001F600"', "''",
    r"'\0end'", r"'\u00DF'", r'"\x7f\x80"', r"R'C:\dir'", "u'uni'", '"line\\\ncont"',
    r"'\a\b\f\v'", r"'\x00\x01'", "\"é\" 'π'", "'''q''' \"d\"",
]
INT_STRS = ["0", "42", "-7", " 12 ", "+3", "1_000", "007", "٣", "１２", "\t-15\n", "-0", "00",
            "9223372036854775807", "-9223372036854775808", "9223372036854775808", "12.5", "",
            "abc", "1__0", "_1", "0x10", "²", " - 5", "1 2", "٠١٢", "+", "99999999999999999999"]
FLOAT_STRS = ["1.5", " -2e3 ", "inf", "-Infinity", "nan", "NaN", "1_000.5", "１.５", ".5", "5.",
              "1e400", "-1e-400", "0x10", "", "1e", "3.14159", "+0.0", "-0", "1_0e1_0", "١.٥",
              "infinity", "  12  ", "-.5e-3", "1.7976931348623157e308", "2.5E+3", "abc", "1.2.3",
              "4.35", "0.1", "1e-320"]
KEY_WORDS = ["a", "b", "c", "ab", "", "é", "key", "A", "x y", "a'b", "1", "ß", "\t", "😀"]
JOIN_SEPS = [", ", "", "-", " ", "→", "\n", "'", "|"]
SPLIT_SEPS = [",", " ", "a", "ab", ", ", "é", "\n", "-", "  ", "s"]
STRIP_CHARS = [" ", "ab", "x", "é ", "", "-_", "\t\n ", "a", "!?"]
REPL_OLD = ["a", "b", " ", "", "ab", "é", "l", "s", "ß", "x"]
REPL_NEW = ["", "-", "AB", "ß", "__", "x", "é", "{}"]
FILL_CHARS = ["*", "0", " ", "·", "_", "-", "é", "#", "x", "<", "=", "😀", "'"]
CHR_CODES = [65, 97, 122, 48, 32, 233, 223, 960, 931, 8364, 12354, 128512, 10, 9, 0, 127, 255,
             304, 452, 65313, 1632, 173, 0x10FFFF, 0xD7FF, 0xE000, 7838]


class HeapGen:
    """The heap-type half of the generator (mixed into Gen; used when `self.heap`)."""

    heap = False

    def heap_type(self):
        return self.wpick([(6, STR), (3, LINT), (2, LFLOAT), (3, LSTR), (2, DSI), (2, DIS),
                           (1, TIS), (1, PAIR), (1, LPAIR), (2, OINT)])

    @staticmethod
    def elem_of(ty):
        return STR if ty == STR else LIST_ELEM[ty]

    # ---- literals -------------------------------------------------------
    def str_value(self):
        r = self.rng.random()
        if r < 0.4:
            return self.pick(WORDS)
        if r < 0.55:
            return self.pick(CHARS)
        return "".join(self.pick(CHARS) for _ in range(self.rng.randint(0, 7)))

    def str_lit(self):
        if self.chance(0.07):
            return ast.Name(self.pick(STR_FORMS), ast.Load())  # printed verbatim
        return ast.Constant(self.str_value())

    def const_elem(self, ty, key=False):
        if ty == INT:
            return ilit(self.rng.randint(-3, 6)) if key else self.int_lit()
        if ty == FLOAT:
            return self.float_lit()
        if ty == STR:
            return ast.Constant(self.pick(KEY_WORDS)) if key or self.chance(0.3) else self.str_lit()
        return ast.Tuple([self.int_lit(small=True), self.int_lit(small=True)], ast.Load())

    def heap_literal(self, ty, allow_empty=False):
        """A constant of type `ty` (module variables, parameter defaults)."""
        if ty == STR:
            return self.str_lit()
        if ty == OINT:
            return ast.Constant(None) if self.chance(0.5) else self.int_lit()
        if ty in (TIS, PAIR):
            return ast.Tuple([self.int_lit(), self.const_elem(STR if ty == TIS else INT)], ast.Load())
        n = self.rng.randint(0 if allow_empty else 1, 5)
        if ty in LIST_ELEM:
            return ast.List([self.const_elem(LIST_ELEM[ty]) for _ in range(n)], ast.Load())
        kt, vt = DICT_KV[ty]
        items = [(self.const_elem(kt, key=True), self.const_elem(vt)) for _ in range(n)]
        return ast.Dict([k for k, _ in items], [v for _, v in items])

    def default_of(self, ty):
        """A short constant of a scalar or element type (the value of a guard's else)."""
        if ty == INT:
            return ilit(self.pick([0, -1, 7, 100]))
        if ty == FLOAT:
            return flit(self.pick([0.0, -1.5, 0.5]))
        if ty == STR:
            return ast.Constant(self.pick(["", "?", "-", "none"]))
        if ty == BOOL:
            return ast.Constant(self.chance(0.5))
        return ast.Tuple([ilit(0), ilit(self.pick([0, -1]))], ast.Load())

    # ---- names ------------------------------------------------------------
    def heap_names(self, sc, ty, mutable=False):
        """Readable names of type `ty` (locals and module variables)."""
        ctx = sc.ctx
        names = sc.of(ty) + [c for c, t in self.consts.items()
                             if t == ty and c not in ctx.types and c not in ctx.shadow]
        if mutable:
            names = [n for n in names if n not in ctx.iterating]
            if ctx.key_function:
                # A key function that changes a module list could change the
                # list being sorted: a documented deviation (README "Known
                # limits"; tests/difftest/found/sort_list_empty_during_sort.roast).
                names = [n for n in names if n not in self.consts]
        return names

    def atom(self, sc, ty, d=0):
        """Usually a variable: an operand that guards evaluate more than once."""
        names = self.heap_names(sc, ty)
        if names and self.chance(0.8):
            return name(self.pick(names))
        return self.expr(sc, ty, min(d, 1))

    def method(self, obj, meth, *args, keywords=()):
        return ast.Call(ast.Attribute(obj, meth, ast.Load()), list(args), list(keywords))

    # ---- expressions --------------------------------------------------------
    def hexpr(self, sc, ty, d, typed=False):
        if ty == STR:
            return self.str_expr(sc, d)
        if ty in LIST_ELEM:
            return self.list_expr(sc, ty, d, typed)
        if ty in DICT_KV:
            return self.dict_expr(sc, ty, d, typed)
        if ty in (TIS, PAIR):
            return self.tuple_expr(sc, ty, d)
        if ty == OINT:
            return self.opt_expr(sc, d)
        raise AssertionError(ty)

    def repeat(self, e, sc, d):
        n = ilit(self.pick([0, 1, 2, 3, -1, 2])) if self.chance(0.75) else \
            binop(self.int_expr(sc, max(d - 1, 0)), ast.Mod(), ilit(4))
        return binop(e, ast.Mult(), n) if self.chance(0.75) else binop(n, ast.Mult(), e)

    def slice_node(self, sc, d):
        def bound():
            r = self.rng.random()
            if r < 0.3:
                return None
            if r < 0.8:
                return ilit(self.rng.randint(-8, 8))
            if r < 0.88:
                return ilit(self.pick([I64_MAX, I64_MIN, 10 ** 18, -(10 ** 18), 2 ** 31, 100]))
            return self.int_expr(sc, max(d - 1, 0))
        lower, upper = bound(), bound()
        r = self.rng.random()
        if r < 0.45:
            step = None
        elif r < 0.9:
            step = ilit(self.pick([1, 2, 3, -1, -1, -2, -3, 5, -7]))
        elif r < 0.95:
            step = ilit(self.pick([I64_MAX, I64_MIN, -I64_MAX, 10 ** 18]))
        elif r < 0.99:
            step = binop(binop(self.int_expr(sc, max(d - 1, 0)), ast.Mod(), ilit(4)), ast.Add(), ilit(1))
            if self.chance(0.5):
                step = ast.UnaryOp(ast.USub(), step)
        else:
            step = ilit(0) if self.chance(0.5) else self.int_expr(sc, max(d - 1, 0))  # ValueError
        return ast.Slice(lower, upper, step)

    def index_expr(self, sc, seqty, d):
        """An item of a str or list: usually guarded, sometimes any index (IndexError)."""
        elem = self.elem_of(seqty)
        base = self.atom(sc, seqty, d)
        r = self.rng.random()
        if r < 0.08:
            return ast.Subscript(base, ilit(self.rng.randint(-5, 5)), ast.Load())
        if r < 0.12:
            return ast.Subscript(base, self.small_int(sc, max(d - 1, 0)), ast.Load())
        i = binop(self.int_expr(sc, max(d - 1, 0)), ast.Mod(), call("len", base))
        if self.chance(0.3):
            i = binop(ast.UnaryOp(ast.USub(), ilit(1)), ast.Sub(), i)
        return ast.IfExp(base, ast.Subscript(base, i, ast.Load()), self.default_of(elem))

    def char_expr(self, sc, d):
        """A str of length 1 (for ord)."""
        r = self.rng.random()
        if r < 0.4:
            return ast.Constant(self.pick(CHARS))
        if r < 0.5:
            return call("chr", self.chr_arg(sc, d))
        s = self.atom(sc, STR, d)
        i = binop(self.int_expr(sc, max(d - 1, 0)), ast.Mod(), call("len", s))
        return ast.IfExp(s, ast.Subscript(s, i, ast.Load()), ast.Constant(self.pick(["a", "é", " "])))

    def chr_arg(self, sc, d):
        r = self.rng.random()
        if r < 0.5:
            return ilit(self.pick(CHR_CODES))
        if r < 0.8:
            return binop(ilit(97), ast.Add(), binop(self.int_expr(sc, max(d - 1, 0)), ast.Mod(), ilit(26)))
        if r < 0.95:
            return binop(self.int_expr(sc, max(d - 1, 0)), ast.Mod(), ilit(55000))
        return self.int_expr(sc, max(d - 1, 0))  # may be outside range(0x110000)

    def key_func(self, sc, elem):
        """A key= function for items of type `elem`: a generated one or a builtin."""
        ctx = sc.ctx
        mine = [f for f in self.keyfuncs.get(elem, [])
                if f.cost * ctx.mult * 10 <= ctx.budget - ctx.cost]
        builtin = {INT: ["abs", "str"], FLOAT: ["abs", "str"],
                   STR: ["len", "str.lower", "str.upper"]}.get(elem, [])
        if mine and (not builtin or self.chance(0.75)):
            f = self.pick(mine)
            ctx.cost += f.cost * ctx.mult * 10
            return name(f.name)
        if builtin:
            return ast.Name(self.pick(builtin), ast.Load())
        return None

    def maybe_key(self, sc, elem, p=0.35):
        if self.chance(p):
            k = self.key_func(sc, elem)
            if k is not None:
                return [ast.keyword("key", k)]
        return []

    def str_expr(self, sc, d):
        if d <= 0 or self.chance(0.2):
            if self.chance(0.6):
                v = self.var(sc, STR)
                if v is not None:
                    return v
            return self.str_lit()
        k = self.wpick([(4, "concat"), (2, "repeat"), (3, "slice"), (3, "index"), (5, "method"),
                        (2, "join"), (3, "conv"), (3, "fstring"), (1, "format"), (1, "ifexp"),
                        (1, "andor"), (2, "call"), (3, "elem"), (1, "chr"), (1, "minmax")])
        if k == "concat":
            return binop(self.str_expr(sc, d - 1), ast.Add(), self.str_expr(sc, d - 1))
        if k == "repeat":
            return self.repeat(self.str_expr(sc, d - 1), sc, d)
        if k == "slice":
            return ast.Subscript(self.str_expr(sc, d - 1), self.slice_node(sc, d), ast.Load())
        if k == "index":
            return self.index_expr(sc, STR, d)
        if k == "method":
            return self.str_method(sc, d)
        if k == "join":
            sep = ast.Constant(self.pick(JOIN_SEPS)) if self.chance(0.8) else self.str_expr(sc, 0)
            return self.method(sep, "join", self.list_expr(sc, LSTR, d - 1))
        if k == "conv":
            if self.chance(0.5):
                return call("str", self.expr(sc, self.pick([INT, FLOAT, BOOL]), d - 1))
            ty = self.wpick([(2, INT), (2, FLOAT), (1, BOOL), (4, None)]) or self.heap_type()
            return call("repr", self.expr(sc, ty, d - 1))
        if k == "fstring":
            return self.fstring(sc, d - 1)
        if k == "format":
            return self.format_call(sc, d - 1)
        if k == "ifexp":
            return ast.IfExp(self.cond(sc, d - 1), self.str_expr(sc, d - 1), self.str_expr(sc, d - 1))
        if k == "andor":
            return ast.BoolOp(self.pick([ast.And(), ast.Or()]),
                              [self.str_expr(sc, d - 1), self.str_expr(sc, d - 1)])
        if k == "call":
            c = self.call_expr(sc, STR, d)
            return c if c is not None else self.str_lit()
        if k == "elem":
            r = self.rng.random()
            if r < 0.4:
                return self.index_expr(sc, LSTR, d)
            if r < 0.7:
                dd = self.atom(sc, DIS, d)
                key = self.key_leaf(sc, INT)
                if self.chance(0.7):
                    return self.method(dd, "get", key, self.str_lit())
                return ast.IfExp(compare(key, [ast.In()], [dd]), ast.Subscript(dd, key, ast.Load()),
                                 self.str_lit())
            if r < 0.85:
                return ast.Subscript(self.atom(sc, TIS, d), ilit(self.pick([1, -1])), ast.Load())
            ws = self.atom(sc, LSTR, d)
            return ast.IfExp(ws, call(self.pick(["min", "max"]), ws, keywords=self.maybe_key(sc, STR)),
                             self.str_lit())
        if k == "chr":
            return call("chr", self.chr_arg(sc, d))
        return call(self.pick(["min", "max"]), *[self.str_expr(sc, d - 1) for _ in range(self.pick([2, 2, 3]))])

    def str_method(self, sc, d):
        base = self.str_expr(sc, d - 1)
        m = self.wpick([(2, "upper"), (2, "lower"), (2, "strip"), (1, "lstrip"), (1, "rstrip"),
                        (3, "replace"), (1, "stripchars")])
        args = []
        if m == "stripchars":
            m = self.pick(["strip", "lstrip", "rstrip"])
            args = [ast.Constant(self.pick(STRIP_CHARS))]
        elif m == "replace":
            old = ast.Constant(self.pick(REPL_OLD)) if self.chance(0.85) else self.str_expr(sc, 0)
            args = [old, ast.Constant(self.pick(REPL_NEW))]
            if self.chance(0.3):
                args.append(ilit(self.pick([-1, 0, 1, 2, 3])))
        return self.method(base, m, *args)

    def key_leaf(self, sc, kt):
        """A dict key: mostly from a small pool, so that keys collide."""
        if self.chance(0.7):
            return ast.Constant(self.pick(KEY_WORDS)) if kt == STR else ilit(self.rng.randint(-3, 6))
        v = self.var(sc, kt)
        if v is not None:
            return v
        return self.str_lit() if kt == STR else ilit(self.rng.randint(-3, 6))

    def list_lit(self, sc, ty, d):
        elem = LIST_ELEM[ty]
        return ast.List([self.expr(sc, elem, d) for _ in range(self.rng.randint(1, 5))], ast.Load())

    def list_expr(self, sc, ty, d, typed=False):
        if typed and self.chance(0.1):
            return ast.List([], ast.Load())
        if d <= 0 or self.chance(0.2):
            if self.chance(0.6):
                v = self.var(sc, ty)
                if v is not None:
                    return v
            return self.list_lit(sc, ty, 0)
        k = self.wpick([(3, "lit"), (2, "concat"), (1, "repeat"), (2, "slice"), (5, "comp"),
                        (2, "sorted"), (1, "copy"), (1, "ifexp"), (1, "andor"), (2, "call"),
                        (3, "special")])
        if k == "lit":
            return self.list_lit(sc, ty, d - 1)
        if k == "concat":
            return binop(self.list_expr(sc, ty, d - 1), ast.Add(), self.list_expr(sc, ty, d - 1))
        if k == "repeat":
            return self.repeat(self.list_expr(sc, ty, d - 1), sc, d)
        if k == "slice":
            return ast.Subscript(self.list_expr(sc, ty, d - 1), self.slice_node(sc, d), ast.Load())
        if k == "comp":
            return self.list_comp(sc, ty, d)
        if k == "sorted":
            return self.sorted_expr(sc, ty, d)
        if k == "copy":
            xs = self.atom(sc, ty, d)
            if self.chance(0.7):
                return self.method(xs, "copy")
            return ast.Subscript(xs, ast.Slice(None, None, None), ast.Load())
        if k == "ifexp":
            return ast.IfExp(self.cond(sc, d - 1), self.list_expr(sc, ty, d - 1), self.list_expr(sc, ty, d - 1))
        if k == "andor":
            return ast.BoolOp(self.pick([ast.And(), ast.Or()]),
                              [self.list_expr(sc, ty, d - 1), self.list_expr(sc, ty, d - 1)])
        if k == "call":
            c = self.call_expr(sc, ty, d)
            return c if c is not None else self.list_lit(sc, ty, d - 1)
        return self.special_list(sc, ty, d)

    def special_list(self, sc, ty, d):
        r = self.rng.random()
        if ty == LSTR:
            s = self.str_expr(sc, d - 1)
            if r < 0.35:
                return self.method(s, "split")
            if r < 0.75:
                sep = ast.Constant(self.pick(SPLIT_SEPS) if self.chance(0.97) else "")
                args = [sep] + ([ilit(self.pick([-1, 0, 1, 2]))] if self.chance(0.25) else [])
                return self.method(s, "split", *args)
            if r < 0.85:
                n = ilit(self.pick([0, 1, 2, -1]))
                if self.chance(0.5):
                    return self.method(s, "split", ast.Constant(None), n)
                return self.method(s, "split", keywords=[ast.keyword("maxsplit", n)])
            dd = self.atom(sc, DSI, d)
            return call("list", dd if self.chance(0.5) else self.method(dd, "keys"))
        if ty == LINT:
            if r < 0.35:
                args = [ilit(self.rng.randint(-5, 12))]
                if self.chance(0.6):
                    args.insert(0, ilit(self.rng.randint(-5, 5)))
                    if self.chance(0.5):
                        args.append(ilit(self.pick([1, 2, 3, -1, -2])))
                return call("list", call("range", *args))
            if r < 0.55:
                return call("list", self.atom(sc, DIS, d))
            if r < 0.75:
                return call("list", self.method(self.atom(sc, DSI, d), "values"))
        if ty == LPAIR:
            if r < 0.5:
                args = [self.atom(sc, LINT, d)]
                if self.chance(0.3):
                    args.append(ilit(self.rng.randint(-2, 3)))
                return call("list", call("enumerate", *args))
            return call("list", call("zip", self.atom(sc, LINT, d), self.atom(sc, LINT, d)))
        return self.list_comp(sc, ty, d)

    def sorted_expr(self, sc, ty, d):
        elem = LIST_ELEM[ty]
        r = self.rng.random()
        if ty == LSTR and r < 0.2:
            src = self.str_expr(sc, d - 1)  # its characters
        elif ty == LSTR and r < 0.3:
            src = self.atom(sc, DSI, d)  # its keys
        elif ty == LINT and r < 0.15:
            src = self.atom(sc, DIS, d)
        elif ty == LINT and r < 0.25:
            src = self.method(self.atom(sc, DSI, d), "values")
        else:
            src = self.list_expr(sc, ty, d - 1)
        kws = self.maybe_key(sc, elem, 0.5)
        if self.chance(0.4):
            kws.append(ast.keyword("reverse", ast.Constant(self.chance(0.6)) if self.chance(0.8)
                                   else self.bool_expr(sc, 0)))
        if len(kws) == 2 and self.chance(0.3):
            kws.reverse()
        return ast.Call(name("sorted"), [src], kws)

    # comprehensions and loops share their iteration sources
    def iterable(self, sc, ty, d):
        if self.chance(0.7):
            names = self.heap_names(sc, ty)
            if names:
                return name(self.pick(names))
        return self.expr(sc, ty, max(d - 1, 0))

    def elem_target(self, elem, namer):
        if elem == PAIR and self.chance(0.4):
            a, b = namer(INT), namer(INT)
            return ast.Tuple([store(a), store(b)], ast.Store()), [(a, INT), (b, INT)]
        v = namer(elem)
        return store(v), [(v, elem)]

    def iter_source(self, sc, d, namer):
        """(target, iterable, [(name, type)] bound, names of the iterated variables)."""
        k = self.wpick([(5, "list"), (3, "str"), (1, "range"), (2, "keys"), (3, "items"),
                        (1, "values"), (2, "enumerate"), (2, "zip"), (1, "reversed")])

        def names_of(*its):
            out = []
            for it in its:
                while isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute):
                    it = it.func.value
                if isinstance(it, ast.Name):
                    out.append(it.id)
            return out
        if k == "range":
            args = [ilit(self.rng.randint(-2, 9))]
            if self.chance(0.4):
                args.insert(0, ilit(self.rng.randint(-3, 3)))
            v = namer(INT)
            return store(v), call("range", *args), [(v, INT)], []
        if k in ("keys", "items", "values"):
            dty = self.pick([DSI, DIS])
            kt, vt = DICT_KV[dty]
            dd = self.iterable(sc, dty, d)
            if k == "keys":
                it = dd if self.chance(0.6) else self.method(dd, "keys")
                v = namer(kt)
                return store(v), it, [(v, kt)], names_of(dd)
            if k == "values":
                v = namer(vt)
                return store(v), self.method(dd, "values"), [(v, vt)], names_of(dd)
            a, b = namer(kt), namer(vt)
            return (ast.Tuple([store(a), store(b)], ast.Store()), self.method(dd, "items"),
                    [(a, kt), (b, vt)], names_of(dd))
        if k == "zip":
            seqs = [self.pick([LINT, LFLOAT, LSTR, STR, LPAIR]) for _ in range(self.pick([2, 2, 2, 3]))]
            its = [self.iterable(sc, t, d) for t in seqs]
            targets, binds = [], []
            for t in seqs:
                tgt, b = self.elem_target(self.elem_of(t), namer)
                targets.append(tgt)
                binds += b
            return ast.Tuple(targets, ast.Store()), call("zip", *its), binds, names_of(*its)
        if k == "list":
            sty = self.pick([LINT, LFLOAT, LSTR, LPAIR])
        elif k == "str":
            sty = STR
        else:
            sty = self.pick([LINT, LFLOAT, LSTR, LPAIR, STR])
        it = self.iterable(sc, sty, d)
        tgt, binds = self.elem_target(self.elem_of(sty), namer)
        if k == "reversed":
            return tgt, call("reversed", it), binds, names_of(it)
        if k == "enumerate":
            i = namer(INT)
            args, kws = [it], []
            if self.chance(0.3):
                start = ilit(self.rng.randint(-3, 5))
                if self.chance(0.5):
                    args.append(start)
                else:
                    kws.append(ast.keyword("start", start))
            return (ast.Tuple([store(i), tgt], ast.Store()), ast.Call(name("enumerate"), args, kws),
                    [(i, INT)] + binds, names_of(it))
        return tgt, it, binds, names_of(it)

    def comprehension(self, sc, d):
        ctx = sc.ctx
        target, it, binds, _ = self.iter_source(sc, d - 1, lambda t: ctx.fresh("c"))
        inner = sc.child()
        for n, t in binds:
            inner.readable[n] = t
        gens = [ast.comprehension(target, it, [], 0)]
        strs = [n for n, t in binds if t == STR]
        if strs and self.chance(0.15):
            v = ctx.fresh("c")
            gens.append(ast.comprehension(store(v), name(self.pick(strs)), [], 0))
            inner.readable[v] = STR
            binds = binds + [(v, STR)]
        return gens, inner, binds

    def simple_transform(self, v, ty):
        if ty == INT:
            return self.pick([v, binop(v, ast.Mult(), ilit(2)), binop(v, ast.Mod(), ilit(7)),
                              ast.UnaryOp(ast.USub(), v), binop(v, ast.Add(), ilit(1)), call("abs", v)])
        if ty == FLOAT:
            return self.pick([v, binop(v, ast.Div(), ilit(2)), binop(v, ast.Mult(), flit(1.5)),
                              ast.UnaryOp(ast.USub(), v), binop(v, ast.Add(), flit(0.25))])
        if ty == STR:
            return self.pick([v, self.method(v, "upper"), binop(v, ast.Add(), ast.Constant("!")),
                              binop(v, ast.Mult(), ilit(2)), self.method(v, "strip"),
                              ast.Subscript(v, ast.Slice(None, None, ilit(-1)), ast.Load())])
        if ty == PAIR:
            return self.pick([v, ast.Tuple([ast.Subscript(v, ilit(1), ast.Load()),
                                             ast.Subscript(v, ilit(0), ast.Load())], ast.Load())])
        return v

    def comp_value(self, inner, ty, binds, d):
        same = [n for n, t in binds if t == ty]
        if same and self.chance(0.5):
            return self.simple_transform(name(self.pick(same)), ty)
        return self.expr(inner, ty, max(d - 1, 0))

    def list_comp(self, sc, ty, d):
        ctx = sc.ctx
        saved = ctx.mult
        ctx.mult *= 8
        gens, inner, binds = self.comprehension(sc, d)
        elt = self.comp_value(inner, LIST_ELEM[ty], binds, d)
        if self.chance(0.4):
            gens[-1].ifs.append(self.cond(inner, max(d - 1, 0)))
        ctx.mult = saved
        return ast.ListComp(elt, gens)

    def dict_lit(self, sc, ty, d):
        kt, vt = DICT_KV[ty]
        n = self.rng.randint(1, 4)
        keys = [self.key_leaf(sc, kt) if self.chance(0.8) else self.expr(sc, kt, d) for _ in range(n)]
        return ast.Dict(keys, [self.expr(sc, vt, d) for _ in range(n)])

    def dict_expr(self, sc, ty, d, typed=False):
        if typed and self.chance(0.1):
            return ast.Dict([], [])
        if d <= 0 or self.chance(0.2):
            if self.chance(0.6):
                v = self.var(sc, ty)
                if v is not None:
                    return v
            return self.dict_lit(sc, ty, 0)
        k = self.wpick([(3, "lit"), (4, "comp"), (1, "ifexp"), (1, "andor"), (2, "call")])
        if k == "lit":
            return self.dict_lit(sc, ty, d - 1)
        if k == "comp":
            kt, vt = DICT_KV[ty]
            ctx = sc.ctx
            saved = ctx.mult
            ctx.mult *= 8
            gens, inner, binds = self.comprehension(sc, d)
            key = self.comp_value(inner, kt, binds, d) if self.chance(0.6) else self.key_leaf(inner, kt)
            value = self.comp_value(inner, vt, binds, d)
            if self.chance(0.35):
                gens[-1].ifs.append(self.cond(inner, max(d - 1, 0)))
            ctx.mult = saved
            return ast.DictComp(key, value, gens)
        if k == "ifexp":
            return ast.IfExp(self.cond(sc, d - 1), self.dict_expr(sc, ty, d - 1), self.dict_expr(sc, ty, d - 1))
        if k == "andor":
            return ast.BoolOp(self.pick([ast.And(), ast.Or()]),
                              [self.dict_expr(sc, ty, d - 1), self.dict_expr(sc, ty, d - 1)])
        c = self.call_expr(sc, ty, d)
        return c if c is not None else self.dict_lit(sc, ty, d - 1)

    def tuple_lit(self, sc, ty, d):
        second = self.str_expr(sc, d) if ty == TIS else self.int_expr(sc, d)
        return ast.Tuple([self.int_expr(sc, d), second], ast.Load())

    def tuple_expr(self, sc, ty, d):
        if d <= 0 or self.chance(0.25):
            if self.chance(0.6):
                v = self.var(sc, ty)
                if v is not None:
                    return v
            return self.tuple_lit(sc, ty, 0)
        choices = [(3, "lit"), (1, "ifexp"), (2, "call"), (1, "minmax")]
        if ty == PAIR:
            choices += [(2, "elem"), (2, "divmod")]
        k = self.wpick(choices)
        if k == "lit":
            return self.tuple_lit(sc, ty, d - 1)
        if k == "ifexp":
            return ast.IfExp(self.cond(sc, d - 1), self.tuple_expr(sc, ty, d - 1), self.tuple_expr(sc, ty, d - 1))
        if k == "call":
            c = self.call_expr(sc, ty, d)
            return c if c is not None else self.tuple_lit(sc, ty, d - 1)
        if k == "minmax":
            return call(self.pick(["min", "max"]), self.tuple_expr(sc, ty, d - 1), self.tuple_expr(sc, ty, d - 1))
        if k == "elem":
            return self.index_expr(sc, LPAIR, d)
        return call("divmod", self.int_expr(sc, d - 1), self.int_divisor(sc, d))

    def opt_atom(self, sc, d):
        """An `int | None` operand that is not a literal (`5 is None` is a SyntaxWarning)."""
        v = self.var(sc, OINT)
        if v is not None and self.chance(0.7):
            return v
        if self.chance(0.5):
            c = self.call_expr(sc, OINT, d)
            if c is not None:
                return c
        return self.method(self.atom(sc, DSI, d), "get", self.key_leaf(sc, STR))

    def opt_expr(self, sc, d):
        k = self.wpick([(2, "none"), (3, "int"), (3, "atom"), (1, "ifexp")])
        if k == "none" or d <= 0 and k == "ifexp":
            return ast.Constant(None)
        if k == "int":
            return self.int_expr(sc, max(d - 1, 0))
        if k == "atom":
            return self.opt_atom(sc, d)
        branches = [self.int_expr(sc, d - 1), ast.Constant(None)]
        if self.chance(0.5):
            branches.reverse()
        return ast.IfExp(self.cond(sc, d - 1), *branches)

    # scalars computed from heap values
    def heap_int(self, sc, d):
        k = self.wpick([(4, "len"), (3, "index"), (2, "tuple"), (2, "find"), (2, "count"), (2, "ord"),
                        (2, "sum"), (2, "minmax"), (2, "intstr"), (3, "dict"), (2, "opt"), (1, "pop"),
                        (1, "listindex"), (1, "round")])
        dd = max(d - 1, 0)
        if k == "len":
            return call("len", self.expr(sc, self.pick([STR, STR, LINT, LFLOAT, LSTR, LPAIR, DSI, DIS, TIS]), dd))
        if k == "index":
            return self.index_expr(sc, LINT, d)
        if k == "tuple":
            ty = self.pick([TIS, PAIR, PAIR])
            return ast.Subscript(self.atom(sc, ty, d), ilit(self.pick([0, -2] if ty == TIS else [0, 1, -1, -2])), ast.Load())
        if k == "find":
            args = [self.str_expr(sc, 0) if self.chance(0.3) else ast.Constant(self.pick(REPL_OLD + CHARS))]
            if self.chance(0.3):
                args.append(ilit(self.rng.randint(-6, 6)) if self.chance(0.8) else self.int_expr(sc, dd))
            return self.method(self.str_expr(sc, dd), "find", *args)
        if k == "count":
            if self.chance(0.5):
                return self.method(self.str_expr(sc, dd), "count",
                                   ast.Constant(self.pick(REPL_OLD + CHARS)) if self.chance(0.7) else self.str_expr(sc, 0))
            ty = self.pick([LINT, LSTR, LPAIR])
            return self.method(self.atom(sc, ty, d), "count", self.expr(sc, LIST_ELEM[ty], 0))
        if k == "ord":
            return call("ord", self.char_expr(sc, d))
        if k == "sum":
            args = [self.list_expr(sc, LINT, dd)]
            if self.chance(0.2):
                args.append(self.int_expr(sc, 0))
            return call("sum", *args)
        if k == "minmax":
            xs = self.atom(sc, LINT, d)
            m = call(self.pick(["min", "max"]), xs, keywords=self.maybe_key(sc, INT))
            return m if self.chance(0.1) else ast.IfExp(xs, m, self.default_of(INT))
        if k == "intstr":
            r = self.rng.random()
            if r < 0.6:
                return call("int", ast.Constant(self.pick(INT_STRS)))
            if r < 0.9:
                return call("int", call("str", self.int_expr(sc, dd)))
            return call("int", self.str_expr(sc, dd))
        if k == "dict":
            dd_ = self.atom(sc, DSI, d)
            key = self.key_leaf(sc, STR)
            r = self.rng.random()
            if r < 0.35:
                return self.method(dd_, "get", key, self.default_of(INT))
            if r < 0.6:
                return ast.IfExp(compare(key, [ast.In()], [dd_]), ast.Subscript(dd_, key, ast.Load()),
                                 self.default_of(INT))
            if r < 0.7:
                return ast.Subscript(dd_, key, ast.Load())  # KeyError when missing
            if r < 0.85:
                return self.method(dd_, "pop", key, self.default_of(INT))
            return self.method(dd_, "setdefault", key, self.int_expr(sc, 0))
        if k == "opt":
            o = self.opt_atom(sc, d)
            if isinstance(o, ast.Name) and self.narrow_ok(sc):
                return ast.IfExp(compare(o, [ast.IsNot()], [ast.Constant(None)]), o, self.default_of(INT))
            return call("len", self.str_expr(sc, dd))
        if k == "pop":
            names = self.heap_names(sc, LINT, mutable=True)
            if not names:
                return call("len", self.list_expr(sc, LINT, dd))
            xs = name(self.pick(names))
            args = [] if self.chance(0.6) else [ilit(self.pick([0, -1, 1]))]
            return ast.IfExp(xs, self.method(xs, "pop", *args), self.default_of(INT))
        if k == "listindex":
            ty = self.pick([LINT, LSTR])
            xs = self.atom(sc, ty, d)
            v = self.expr(sc, LIST_ELEM[ty], 0)
            if self.chance(0.15):
                return self.method(xs, "index", v)  # ValueError when missing
            return ast.IfExp(compare(v, [ast.In()], [xs]), self.method(xs, "index", v), self.default_of(INT))
        return call("round", self.float_expr(sc, dd))

    def heap_float(self, sc, d):
        k = self.wpick([(3, "index"), (1, "sum"), (2, "minmax"), (2, "floatstr"), (2, "round"), (1, "len")])
        dd = max(d - 1, 0)
        if k == "index":
            return self.index_expr(sc, LFLOAT, d)
        if k == "sum":
            args = [self.list_expr(sc, LFLOAT, dd)]
            # Known deviation (README "Known limits"): the sum of an empty
            # list[float] without a start is int 0 in CPython, 0.0 in Roast.
            # Only a non-empty list display may go without a start.
            nonempty = isinstance(args[0], ast.List) and args[0].elts
            if not nonempty or self.chance(0.5):
                args.append(self.float_lit())
            return call("sum", *args)
        if k == "minmax":
            xs = self.atom(sc, LFLOAT, d)
            m = call(self.pick(["min", "max"]), xs, keywords=self.maybe_key(sc, FLOAT))
            return m if self.chance(0.1) else ast.IfExp(xs, m, self.default_of(FLOAT))
        if k == "floatstr":
            r = self.rng.random()
            if r < 0.6:
                return call("float", ast.Constant(self.pick(FLOAT_STRS)))
            if r < 0.9:
                return call("float", call(self.pick(["str", "repr"]), self.float_expr(sc, dd)))
            return call("float", self.str_expr(sc, dd))
        if k == "round":
            return call("round", self.float_expr(sc, dd), ilit(self.rng.randint(-3, 6)))
        return call("float", call("len", self.expr(sc, self.pick([STR, LINT, DSI]), dd)))

    def heap_bool(self, sc, d):
        k = self.wpick([(4, "in"), (4, "cmp"), (3, "pred"), (2, "none"), (1, "truthy"), (1, "sorted_eq")])
        dd = max(d - 1, 0)
        if k == "in":
            op = ast.In() if self.chance(0.75) else ast.NotIn()
            r = self.rng.random()
            if r < 0.35:
                sub = ast.Constant(self.pick(REPL_OLD + CHARS)) if self.chance(0.6) else self.str_expr(sc, dd)
                return compare(sub, [op], [self.str_expr(sc, dd)])
            if r < 0.7:
                ty = self.pick([LINT, LSTR, LFLOAT, LPAIR])
                return compare(self.expr(sc, LIST_ELEM[ty], dd), [op], [self.atom(sc, ty, d)])
            dty = self.pick([DSI, DIS])
            kt, vt = DICT_KV[dty]
            dct = self.atom(sc, dty, d)
            r = self.rng.random()
            if r < 0.6:
                return compare(self.key_leaf(sc, kt), [op], [dct])
            if r < 0.8:
                return compare(self.key_leaf(sc, kt), [op], [self.method(dct, "keys")])
            return compare(self.expr(sc, vt, 0), [op], [self.method(dct, "values")])
        if k == "cmp":
            ty = self.pick([STR, STR, STR, LINT, LSTR, TIS, PAIR, LPAIR, LFLOAT, DSI, DIS])
            ops = [ast.Eq(), ast.NotEq()] if ty in DICT_KV else \
                [ast.Eq(), ast.NotEq(), ast.Lt(), ast.LtE(), ast.Gt(), ast.GtE()]
            n = 3 if ty == STR and self.chance(0.2) else 2
            operands = [self.expr(sc, ty, dd) for _ in range(n)]
            return compare(operands[0], [self.pick(ops) for _ in range(n - 1)], operands[1:])
        if k == "pred":
            s = self.str_expr(sc, dd)
            m = self.pick(["startswith", "endswith", "isdigit", "isalpha", "isspace"])
            if m in ("startswith", "endswith"):
                arg = ast.Constant(self.pick(REPL_OLD + CHARS)) if self.chance(0.6) else self.str_expr(sc, 0)
                return self.method(s, m, arg)
            return self.method(s, m)
        if k == "none":
            return compare(self.opt_atom(sc, d), [self.pick([ast.Is(), ast.IsNot()])], [ast.Constant(None)])
        if k == "truthy":
            e = self.atom(sc, self.pick([STR, LINT, LSTR, DSI, DIS, LFLOAT]), d)
            return call("bool", e) if self.chance(0.5) else ast.UnaryOp(ast.Not(), e)
        ty = self.pick([LINT, LSTR])
        xs = self.atom(sc, ty, d)
        return compare(xs, [self.pick([ast.Eq(), ast.NotEq()])], [call("sorted", xs)])

    def heap_cond(self, sc, d):
        e = self.atom(sc, self.pick([STR, LINT, LSTR, DSI, DIS, LFLOAT, LPAIR]), d)
        return ast.UnaryOp(ast.Not(), e) if self.chance(0.3) else e

    # ---- f-strings and str.format ----------------------------------------------
    def escape_text(self, s, quote, braces=True):
        out = []
        for ch in s:
            if braces and ch in "{}":
                out.append(ch * 2)
            elif ch == "\\":
                out.append("\\\\")
            elif ch == quote:
                out.append("\\" + ch)
            elif ch in "\n\t\r":
                out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
            elif not ch.isprintable():
                o = ord(ch)
                out.append(f"\\x{o:02x}" if o < 256 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
            elif ord(ch) > 127 and self.chance(0.2):
                o = ord(ch)
                out.append(f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
            else:
                out.append(ch)
        return "".join(out)

    @staticmethod
    def fs_ok(text, quote):
        """Whether `text` can be the expression of an f-string field (Python 3.11 rules)."""
        if any(c in text for c in ("\\", quote, "{", "}", "\n", "#")):
            return False
        depth, q = 0, None
        for i, c in enumerate(text):
            if q:
                if c == q:
                    q = None
                continue
            if c in "'\"":
                q = c
            elif c in "([":
                depth += 1
            elif c in ")]":
                depth -= 1
            elif c == "!" and text[i + 1:i + 2] != "=":
                return False
            elif c == ":" and depth == 0:
                return False
        return True

    def format_spec(self, ty, quote=""):
        """A random valid format spec for a value of type int, float, bool or str."""
        num = ty != STR
        if ty == STR:
            t = self.pick(["", "", "", "s"])
        elif ty == FLOAT:
            t = self.pick(["", "", "e", "E", "f", "f", "F", "g", "G", "%"])
        else:
            t = self.pick(["", "", "d", "d", "b", "o", "x", "X", "e", "f", "g", "%", "E", "G"])
        floaty = ty == FLOAT or t in ("e", "E", "f", "F", "g", "G", "%")
        spec = ""
        if self.chance(0.5):
            fill = self.pick([c for c in FILL_CHARS if c != quote]) if self.chance(0.4) else ""
            spec += fill + self.pick(["<", ">", "^", "="] if num else ["<", ">", "^"])
        if num and self.chance(0.3):
            spec += self.pick(["+", "-", " "])
        if ty == FLOAT and self.chance(0.08):
            spec += "z"
        if num and self.chance(0.12):
            spec += "#"
        if self.chance(0.12):
            spec += "0"
        if self.chance(0.55):
            spec += str(self.rng.randint(1, 14))
        if num and self.chance(0.2):
            spec += "_" if t in ("b", "o", "x", "X") else self.pick([",", "_"])
        if (floaty and self.chance(0.6)) or (ty == STR and self.chance(0.2)):
            spec += "." + str(self.rng.randint(0, 8 if floaty else 6))
        return spec + t

    def fs_field(self, sc, d, quote):
        ty = self.wpick([(4, INT), (4, FLOAT), (3, STR), (1, BOOL), (2, None), (1, OINT)])
        if ty is None:
            ty = self.pick([LINT, LFLOAT, LSTR, DSI, DIS, TIS, PAIR, LPAIR])
        text = None
        for _ in range(3):
            if ty == OINT:
                e = self.opt_atom(sc, d)
            elif self.chance(0.6):
                e = self.expr(sc, ty, d)
            else:
                e = self.var(sc, ty) or self.expr(sc, ty, 0)
            t = ast.unparse(e)
            if self.fs_ok(t, quote):
                text = t
                break
        if text is None:
            ty, text = INT, str(self.rng.randint(0, 999))
        conv = self.pick(["!r", "!s", "!r"]) if self.chance(0.12) else ""
        spec_ty = STR if conv else ty
        spec = self.format_spec(spec_ty, quote) if spec_ty in (INT, FLOAT, STR, BOOL) and self.chance(0.65) else ""
        if self.chance(0.12):  # {x=}: the expression's text is printed too
            text = self.pick(["", "", " "]) + text + self.pick(["=", "=", " = ", "= ", " ="])
        return "{" + text + conv + (":" + spec if spec else "") + "}"

    def fstring(self, sc, d):
        quote = '"' if self.chance(0.85) else "'"
        pieces = []
        for _ in range(self.rng.randint(1, 3)):
            if self.chance(0.6):
                text = self.pick(LABELS) if self.chance(0.6) else self.str_value()
                pieces.append(self.escape_text(text + self.pick(["", " ", ": ", "="]), quote))
            pieces.append(self.fs_field(sc, max(d, 0), quote))
        if self.chance(0.4):
            pieces.append(self.escape_text(self.pick(LABELS), quote))
        prefix = self.pick(["f", "f", "f", "F"])
        return ast.Name(prefix + quote + "".join(pieces) + quote, ast.Load())  # printed verbatim

    def format_call(self, sc, d):
        parts, args = [], []
        explicit = self.chance(0.3)
        n = self.rng.randint(1, 3)
        for i in range(n):
            if self.chance(0.6):
                parts.append(self.pick(LABELS).replace("{", "{{").replace("}", "}}") + " ")
            ty = self.pick([INT, FLOAT, STR, BOOL])
            args.append(self.expr(sc, ty, max(d, 0)))
            conv = "!r" if self.chance(0.1) else ""
            spec = self.format_spec(STR if conv else ty) if self.chance(0.5) else ""
            parts.append("{" + (str(i) if explicit else "") + conv + (":" + spec if spec else "") + "}")
        if explicit and self.chance(0.4):
            parts.append(" {" + str(self.rng.randrange(n)) + "}")
        return self.method(ast.Constant("".join(parts)), "format", *args)

    # ---- statements -------------------------------------------------------------
    def heap_stmt(self, sc, d, depth, k):
        if k == "mutate":
            return self.mutate_stmt(sc, d)
        if k == "hfor":
            return self.hfor_stmt(sc, d, depth) if self.chance(0.9) else self.drain_stmt(sc, d, depth)
        if k == "narrow":
            return self.narrow_stmt(sc, d, depth)
        if k == "unpack":
            return self.unpack_stmt(sc, d)
        if k == "fprint":
            e = self.fstring(sc, d - 1) if self.chance(0.8) else self.format_call(sc, d - 1)
            args = [e]
            if self.chance(0.2):
                args.append(self.any_expr(sc, 1)[1])
            return ast.Expr(ast.Call(name("print"), args, []))
        raise AssertionError(k)

    def mutate_stmt(self, sc, d):
        tys = [t for t in CONTAINERS if self.heap_names(sc, t, mutable=True)]
        if not tys or self.chance(0.12):
            return self.assign_new(sc, d, ty=self.pick(CONTAINERS))[0]
        ty = self.pick(tys)
        target = self.pick(self.heap_names(sc, ty, mutable=True))
        pre, shown = [], [target]
        if self.chance(0.12):  # an alias: both names see the change
            alias = self.new_local(sc, ty)
            if alias != target and alias not in sc.ctx.readonly and alias not in sc.ctx.iterating:
                sc.ctx.types[alias] = ty
                sc.readable[alias] = ty
                pre = [ast.Assign([store(alias)], name(target))]
                shown = [alias, target]
                if self.chance(0.5):
                    target = alias
        if ty in LIST_ELEM:
            stmts = self.list_mutation(sc, ty, name(target), d)
        else:
            stmts = self.dict_mutation(sc, ty, name(target), d)
        if pre or self.chance(0.5):
            stmts.append(self.print_stmt(sc, 0, values=shown))
        return pre + stmts

    def drain_stmt(self, sc, d, depth):
        """`while xs: v = xs.pop(); ...`"""
        ctx = sc.ctx
        tys = [t for t in LIST_ELEM if self.heap_names(sc, t, mutable=True)]
        if not tys or ctx.mult * 10 > 400:
            return self.mutate_stmt(sc, d)
        ty = self.pick(tys)
        xs = self.pick(self.heap_names(sc, ty, mutable=True))
        elem = LIST_ELEM[ty]
        v = self.new_local(sc, elem)
        if v in ctx.readonly or ctx.types.get(v, elem) != elem:
            v = ctx.fresh("v")
        ctx.types[v] = elem
        inner = sc.child()
        inner.readable[v] = elem
        ctx.iterating.add(xs)
        saved = ctx.mult
        ctx.mult *= 10
        ctx.loop_depth += 1
        pop = self.method(name(xs), "pop", *([] if self.chance(0.6) else [ilit(0)]))
        body = [ast.Assign([store(v)], pop), self.print_stmt(inner, 0, values=[v])]
        body += self.block(inner, depth + 1, self.rng.randint(0, 2))
        ctx.loop_depth -= 1
        ctx.mult = saved
        ctx.iterating.discard(xs)
        test = name(xs) if self.chance(0.6) else compare(call("len", name(xs)), [ast.Gt()], [ilit(self.rng.randint(0, 3))])
        return ast.While(test, body, [])

    def list_mutation(self, sc, ty, xs, d):
        elem = LIST_ELEM[ty]
        k = self.wpick([(5, "append"), (2, "insert"), (2, "extend"), (2, "pop"), (1, "remove"),
                        (2, "sort"), (1, "reverse"), (0.3, "clear"), (3, "setitem"), (1, "augitem"),
                        (0.5, "del"), (1, "popprint")])
        guard_len = call("len", xs)

        def guarded(body, p=0.9):
            return [ast.If(xs, body, [])] if self.chance(p) else body

        def some_index():
            i = binop(self.int_expr(sc, max(d - 1, 0)), ast.Mod(), guard_len)
            return binop(ast.UnaryOp(ast.USub(), ilit(1)), ast.Sub(), i) if self.chance(0.3) else i
        if k == "append":
            return [ast.Expr(self.method(xs, "append", self.expr(sc, elem, d - 1)))]
        if k == "insert":
            i = ilit(self.rng.randint(-6, 8)) if self.chance(0.8) else self.int_expr(sc, d - 1)
            return [ast.Expr(self.method(xs, "insert", i, self.expr(sc, elem, d - 1)))]
        if k == "extend":
            return [ast.Expr(self.method(xs, "extend", self.list_expr(sc, ty, d - 1)))]
        if k == "pop":
            args = [] if self.chance(0.5) else [some_index() if self.chance(0.7) else ilit(self.rng.randint(-3, 3))]
            return guarded([ast.Expr(self.method(xs, "pop", *args))])
        if k == "popprint":
            args = [] if self.chance(0.5) else [some_index()]
            return guarded([ast.Expr(call("print", self.method(xs, "pop", *args), xs))])
        if k == "remove":
            v = self.expr(sc, elem, 0)
            stmt = ast.Expr(self.method(xs, "remove", v))
            return [ast.If(compare(v, [ast.In()], [xs]), [stmt], [])] if self.chance(0.85) else [stmt]
        if k == "sort":
            kws = self.maybe_key(sc, elem, 0.5)
            if self.chance(0.4):
                kws.append(ast.keyword("reverse", ast.Constant(self.chance(0.6))))
            return [ast.Expr(self.method(xs, "sort", keywords=kws))]
        if k == "reverse":
            return [ast.Expr(self.method(xs, "reverse"))]
        if k == "clear":
            return [ast.Expr(self.method(xs, "clear"))]
        if k == "setitem":
            value = self.expr(sc, elem, d - 1)
            if self.chance(0.85):
                return guarded([ast.Assign([ast.Subscript(xs, some_index(), ast.Store())], value)], 1.0)
            return [ast.Assign([ast.Subscript(xs, ilit(self.rng.randint(-4, 4)), ast.Store())], value)]
        if k == "augitem" and elem in (INT, FLOAT, STR):
            if elem == STR:
                op, value = (ast.Add(), self.str_expr(sc, d - 1)) if self.chance(0.7) else \
                    (ast.Mult(), ilit(self.pick([0, 1, 2, 3])))
            else:
                op = self.pick([ast.Add(), ast.Sub(), ast.Mult()])
                value = self.small_int(sc, d - 1) if elem == INT else self.float_expr(sc, d - 1)
            return guarded([ast.AugAssign(ast.Subscript(xs, some_index(), ast.Store()), op, value)], 1.0)
        if k == "del":
            return guarded([ast.Delete([ast.Subscript(xs, some_index(), ast.Del())])], 1.0)
        return [ast.Expr(self.method(xs, "append", self.expr(sc, elem, d - 1)))]

    def dict_mutation(self, sc, ty, dd, d):
        kt, vt = DICT_KV[ty]
        k = self.wpick([(5, "set"), (2, "aug"), (2, "del"), (2, "pop"), (2, "setdefault"), (1, "popprint")])
        key = self.key_leaf(sc, kt)
        has = compare(key, [ast.In()], [dd])
        if k == "set":
            return [ast.Assign([ast.Subscript(dd, key, ast.Store())], self.expr(sc, vt, d - 1))]
        if k == "aug":
            if vt == INT:
                op = self.pick([ast.Add(), ast.Sub(), ast.Mult()])
                value = self.small_int(sc, d - 1) if isinstance(op, ast.Mult) else self.int_expr(sc, d - 1)
            else:
                op, value = ast.Add(), self.str_expr(sc, d - 1)
            stmt = ast.AugAssign(ast.Subscript(dd, key, ast.Store()), op, value)
            return [ast.If(has, [stmt], [])] if self.chance(0.75) else [stmt]
        if k == "del":
            stmt = ast.Delete([ast.Subscript(dd, key, ast.Del())])
            return [ast.If(has, [stmt], [])] if self.chance(0.8) else [stmt]
        if k == "pop":
            if self.chance(0.5):
                return [ast.Expr(self.method(dd, "pop", key, self.expr(sc, vt, 0)))]
            stmt = ast.Expr(self.method(dd, "pop", key))
            return [ast.If(has, [stmt], [])] if self.chance(0.8) else [stmt]
        if k == "setdefault":
            e = self.method(dd, "setdefault", key, self.expr(sc, vt, d - 1))
            return [ast.Expr(call("print", e) if self.chance(0.5) else e)]
        return [ast.Expr(call("print", self.method(dd, "pop", key, self.expr(sc, vt, 0)), dd))]

    def hfor_stmt(self, sc, d, depth):
        ctx = sc.ctx
        est = 10
        if ctx.mult * est > 400:
            return None
        taken = set()

        def namer(ty):
            n = self.new_local(sc, ty)
            if n in taken or n in ctx.readonly or ctx.types.get(n, ty) != ty:
                n = ctx.fresh("i")
            taken.add(n)
            ctx.types[n] = ty
            return n
        target, it, binds, iterated = self.iter_source(sc, d, namer)
        inner = sc.child()
        for n, t in binds:
            inner.readable[n] = t
        protect = [n for n in iterated if n not in ctx.iterating] if self.chance(0.85) else []
        ctx.iterating.update(protect)
        saved = ctx.mult
        ctx.mult *= est
        ctx.loop_depth += 1
        body = []
        if self.chance(0.4):
            body.append(self.print_stmt(inner, 0, values=[n for n, _ in binds]))
        body += self.block(inner, depth + 1, self.rng.randint(1, 4))
        ctx.loop_depth -= 1
        ctx.mult = saved
        ctx.iterating.difference_update(protect)
        orelse = self.block(sc.child(), depth + 1, self.rng.randint(1, 2)) if self.chance(0.2) else []
        return ast.For(target, it, body, orelse)

    def narrow_ok(self, sc):
        """roastc does not narrow `int | None` variables of the top-level code (module
        variables): keep that rare, so that it does not hide everything else."""
        return sc.ctx.func is not None or self.chance(0.05)

    def narrow_stmt(self, sc, d, depth):
        ctx = sc.ctx
        if not self.narrow_ok(sc):
            return self.print_stmt(sc, d)
        pre = []
        names = self.writable(sc, OINT)
        if not names or self.chance(0.2):
            pre, target = self.assign_new(sc, d, ty=OINT)
            names = [target]
        o = self.pick(names)
        added = o not in ctx.readonly
        ctx.readonly.add(o)
        narrowed = sc.child()
        narrowed.readable[o] = INT
        form = self.wpick([(4, "not_none"), (2, "is_none_else"), (1, "and")])
        is_not = compare(name(o), [ast.IsNot()], [ast.Constant(None)])
        if form == "not_none":
            body = self.block(narrowed, depth + 1, self.rng.randint(1, 3))
            orelse = self.block(sc.child(), depth + 1, self.rng.randint(1, 2)) if self.chance(0.4) else []
            node = ast.If(is_not, body, orelse)
        elif form == "is_none_else":
            body = self.block(sc.child(), depth + 1, self.rng.randint(1, 2))
            orelse = self.block(narrowed, depth + 1, self.rng.randint(1, 3))
            node = ast.If(compare(name(o), [ast.Is()], [ast.Constant(None)]), body, orelse)
        else:
            test = ast.BoolOp(ast.And(), [is_not, compare(name(o), [self.pick([ast.Gt(), ast.Lt(), ast.NotEq()])],
                                                          [self.int_expr(sc, 1)])])
            node = ast.If(test, self.block(narrowed, depth + 1, self.rng.randint(1, 3)), [])
        if added:
            ctx.readonly.discard(o)
        return pre + [node]

    def unpack_stmt(self, sc, d):
        ctx = sc.ctx
        k = self.wpick([(3, "tuple"), (2, "divmod"), (1, "list"), (1, "str"), (1, "swap")])
        if k == "swap":
            ty = self.pick([STR, LINT, LSTR, DSI, TIS])
            names = self.writable(sc, ty)
            if len(names) >= 2:
                a, b = self.rng.sample(names, 2)
                return ast.Assign([ast.Tuple([store(a), store(b)], ast.Store())],
                                  ast.Tuple([name(b), name(a)], ast.Load()))
            k = "tuple"
        if k == "tuple":
            ty = self.pick([TIS, PAIR])
            value, tys = self.tuple_expr(sc, ty, d), [INT, STR if ty == TIS else INT]
        elif k == "divmod":
            if self.chance(0.6):
                value, tys = call("divmod", self.int_expr(sc, d - 1), self.int_divisor(sc, d)), [INT, INT]
            else:
                value, tys = call("divmod", self.float_expr(sc, d - 1), self.float_divisor(sc, d)), [FLOAT, FLOAT]
        elif k == "list":
            ty = self.pick([LINT, LSTR, LFLOAT])
            n = self.pick([1, 2, 2, 3])
            value, tys = self.atom(sc, ty, d), [LIST_ELEM[ty]] * n
        else:
            n = self.pick([1, 2, 2, 3])
            value, tys = self.atom(sc, STR, d), [STR] * n
        targets = []
        for t in tys:
            n_ = self.new_local(sc, t)
            if n_ in targets or n_ in ctx.readonly:
                n_ = ctx.fresh("u")
            targets.append(n_)
        for n_, t in zip(targets, tys):
            ctx.types[n_] = t
        target = ast.Tuple([store(n_) for n_ in targets], ast.Store()) if len(targets) > 1 or self.chance(0.5) \
            else ast.List([store(n_) for n_ in targets], ast.Store())
        assign = ast.Assign([target], value)
        if k in ("list", "str") and self.chance(0.85):
            inner = sc.child()
            for n_, t in zip(targets, tys):
                inner.readable[n_] = t
            test = compare(call("len", value), [ast.Eq()], [ilit(len(targets))])
            return ast.If(test, [assign, self.print_stmt(inner, 0, values=targets)], [])
        for n_, t in zip(targets, tys):
            sc.readable[n_] = t
        return [assign, self.print_stmt(sc, 0, values=targets)] if self.chance(0.5) else assign

    # ---- module level ---------------------------------------------------------
    def gen_module_heap(self):
        nodes = []
        for i in range(self.rng.randint(0, 3)):
            cname = self.pick(["WORDS", "TABLE", "NAMES", "CODES", "ITEMS", "PAIRS", "TEXT", "MEMO",
                               "SEEN", "GRID", "LOG"]) + str(i)
            ty = self.pick([STR, LINT, LFLOAT, LSTR, DSI, DIS, TIS, LPAIR])
            value = self.heap_literal(ty, allow_empty=True)
            empty = isinstance(value, (ast.List, ast.Dict)) and not (
                value.elts if isinstance(value, ast.List) else value.keys)
            if empty or self.chance(0.4):
                nodes.append(ast.AnnAssign(store(cname), name(ty), value, 1))
            else:
                nodes.append(ast.Assign([store(cname)], value))
            self.consts[cname] = ty
        return nodes

    def key_body(self, sc, p, elem, ret):
        v = name(p)
        if self.chance(0.4):
            return self.expr(sc, ret, 2)
        if elem == INT and ret == INT:
            return self.pick([binop(v, ast.Mod(), ilit(self.pick([3, 4, 7]))), ast.UnaryOp(ast.USub(), v),
                              call("abs", binop(v, ast.Sub(), ilit(self.rng.randint(-5, 5)))),
                              binop(v, ast.FloorDiv(), ilit(3))])
        if elem == STR and ret == INT:
            return self.pick([call("len", v), self.method(v, "count", ast.Constant(self.pick(["a", "b", " "]))),
                              ast.IfExp(v, call("ord", ast.Subscript(v, ilit(0), ast.Load())), ilit(0))])
        if elem == STR and ret == STR:
            return self.pick([self.method(v, "lower"), ast.Subscript(v, ast.Slice(None, None, ilit(-1)), ast.Load()),
                              ast.Subscript(v, ast.Slice(ilit(1), None, None), ast.Load())])
        if elem == STR and ret == TIS:
            return ast.Tuple([call("len", v), v], ast.Load())
        if elem == PAIR and ret == INT:
            return self.pick([ast.Subscript(v, ilit(1), ast.Load()),
                              binop(ast.Subscript(v, ilit(0), ast.Load()), ast.Sub(), ast.Subscript(v, ilit(1), ast.Load())),
                              ast.UnaryOp(ast.USub(), ast.Subscript(v, ilit(0), ast.Load()))])
        if elem == PAIR and ret == PAIR:
            return ast.Tuple([ast.Subscript(v, ilit(1), ast.Load()), ast.Subscript(v, ilit(0), ast.Load())], ast.Load())
        if elem == FLOAT and ret == FLOAT:
            return self.pick([call("abs", binop(v, ast.Sub(), flit(1.5))), ast.UnaryOp(ast.USub(), v)])
        return self.expr(sc, ret, 2)

    def gen_key_funcs(self):
        """Named functions for sorted/min/max/sort key= (also callable as ordinary functions)."""
        out = []
        for i in range(self.rng.randint(1, 3)):
            elem = self.wpick([(3, INT), (3, STR), (2, PAIR), (1, FLOAT)])
            ret = self.wpick({INT: [(4, INT), (1, STR)], STR: [(3, INT), (3, STR), (1, TIS)],
                              PAIR: [(4, INT), (1, PAIR)], FLOAT: [(2, FLOAT), (1, INT)]}[elem])
            p = self.pick(["x", "s", "item", "p", "v", "key"])
            f = Func(f"key{i}", [(p, elem)], ret, {})
            ctx, sc = self.new_ctx(f, ret, False, 300, [], {p: elem})
            ctx.key_function = True
            ctx.stmts_left = self.rng.randint(1, 2)
            body = self.block(sc, 1, ctx.stmts_left) if self.chance(0.3) else []
            if body and isinstance(body[-1], ast.Return):
                body.pop()
            body.append(ast.Return(self.key_body(sc, p, elem, ret)))
            f.cost = ctx.cost
            self.funcs.append(f)
            self.keyfuncs.setdefault(elem, []).append(f)
            out.append(self.func_def(f, body))
        return out


class Gen(HeapGen):
    def __init__(self, rng: random.Random, heap: bool = False):
        self.rng = rng
        self.heap = heap              # also str, list, dict, tuple and int | None values
        self.keyfuncs: dict[str, list[Func]] = {}
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

    def expr(self, sc, ty, d, typed=False):
        """An expression of type `ty`; `typed`: the context gives the type (`[]` is fine)."""
        if ty == INT:
            return self.int_expr(sc, d)
        if ty == FLOAT:
            return self.float_expr(sc, d)
        if ty == BOOL:
            return self.bool_expr(sc, d)
        return self.hexpr(sc, ty, d, typed)

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
        kinds = [
            (8, "addsub"), (4, "mul"), (5, "divmod"), (2, "pow"), (2, "neg"), (2, "abs"),
            (2, "minmax"), (1, "int_of_float"), (1, "int_of_bool"), (2, "ifexp"), (2, "andor"),
            (2, "bit"), (2, "shift"), (4, "call"), (2, "small"), (1, "invert"), (1, "pos"),
        ]
        if self.heap:
            kinds.append((8, "heap"))
        k = self.wpick(kinds)
        if k == "heap":
            return self.heap_int(sc, d)
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
        kinds = [
            (8, "arith"), (4, "mixed"), (4, "div"), (4, "floordivmod"), (3, "truediv_int"),
            (3, "pow"), (2, "neg"), (2, "abs"), (2, "minmax"), (3, "float_of_int"),
            (1, "float_of_bool"), (2, "ifexp"), (2, "andor"), (4, "call"),
        ]
        if self.heap:
            kinds.append((5, "heap"))
        k = self.wpick(kinds)
        if k == "heap":
            return self.heap_float(sc, d)
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
        kinds = [(8, "cmp"), (2, "boolcmp"), (3, "not"), (3, "andor"), (2, "conv"),
                 (2, "ifexp"), (3, "call"), (0.4, "none")]
        if self.heap:
            kinds.append((8, "heap"))
        k = self.wpick(kinds)
        if k == "heap":
            return self.heap_bool(sc, d)
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
        kinds = [(6, "bool"), (2, "num"), (2, "andor"), (1, "not"), (0.2, "none")]
        if self.heap:
            kinds.append((1, "heap"))
        k = self.wpick(kinds)
        if k == "heap":
            return self.heap_cond(sc, d)
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
        if self.heap and self.chance(0.4):
            ty = self.heap_type()
            return ty, self.expr(sc, ty, d)
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
                value = self.expr(sc, pty, max(d - 1, 0), typed=True)
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

    def assign_new(self, sc, d, ty=None):
        ctx = sc.ctx
        if ty is None:
            if self.heap and self.chance(0.45):
                ty = self.heap_type()
            else:
                ty = self.wpick([(4, INT), (4, FLOAT), (2, BOOL)])
        target = self.new_local(sc, ty)
        value = self.expr(sc, ty, d, typed=True)
        first = target not in ctx.types
        ctx.types[target] = ty
        sc.readable[target] = ty
        if first and (self.chance(0.3) or needs_annotation(ty, value)):
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
        if self.heap and self.chance(0.06):
            args.insert(self.rng.randint(0, len(args)), ast.Starred(
                self.expr(sc, self.pick([LINT, LSTR, LFLOAT, LPAIR, STR]), d), ast.Load()))
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
        names = [n for n in names if sc.readable[n] in (INT, FLOAT) or sc.readable[n] in AUG_HEAP]
        if not names:
            return None
        target = self.pick(names)
        ty = sc.readable[target]
        if ty in AUG_HEAP:
            if self.chance(0.75):
                return ast.AugAssign(store(target), ast.Add(), self.expr(sc, ty, d))
            return ast.AugAssign(store(target), ast.Mult(), ilit(self.pick([0, 1, 2, 2, 3, -1])))
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
            if self.heap and k == "swap" and self.chance(0.4):
                ty = self.heap_type()
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
        if self.heap and self.chance(0.4):
            ty = self.heap_type()
        target = self.new_local(sc, ty)
        if target in sc.readable:
            target = ctx.fresh("j")
        first = target not in ctx.types
        ctx.types[target] = ty
        # the branches assign it last (the first one with its annotation): code
        # generated before must not reuse the name
        hidden = ty in HEAP_TYPES and target not in ctx.readonly
        if hidden:
            ctx.readonly.add(target)
        branches = []
        for _ in range(self.pick([2, 2, 3])):
            inner = sc.child()
            body = self.block(inner, depth + 1, self.rng.randint(0, 2))
            if isinstance(body[-1], (ast.Break, ast.Continue, ast.Return)):
                body.pop()
            if body and isinstance(body[-1], ast.Pass):
                body.pop()
            if first and ty in HEAP_TYPES:  # the first branch declares it
                body.append(ast.AnnAssign(store(target), name(ty), self.expr(inner, ty, d, typed=True), 1))
                first = False
            else:
                body.append(ast.Assign([store(target)], self.expr(inner, ty, d, typed=ty in HEAP_TYPES)))
            branches.append(body)
        if hidden:
            ctx.readonly.discard(target)
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
        if self.heap:
            choices += [(6, "mutate"), (2, "fprint"), (1, "unpack"), (1, "narrow")]
            if nest:
                choices += [(3, "hfor")]
        k = self.wpick(choices)
        if k in ("mutate", "fprint", "unpack", "narrow", "hfor"):
            return self.heap_stmt(sc, d, depth, k)
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
            return ast.Assign([store(t)], self.expr(sc, sc.readable[t], d, typed=True))
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
        return ast.Return(self.expr(sc, ctx.ret, d, typed=True))

    # ---- functions --------------------------------------------------------
    def new_ctx(self, func, ret, top, budget, callables, readable):
        ctx = Ctx(self, func, ret, top, budget, callables)
        ctx.forbidden = set(self.consts) | {f.name for f in self.funcs} | {"main"}
        if self.heap:
            ctx.forbidden |= BUILTIN_NAMES
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
            if self.heap and self.chance(0.4):
                ty = self.heap_type()
            if self.consts and self.chance(0.05):
                pn = self.pick(sorted(self.consts))  # a parameter hiding a module constant
                if pn in [p for p, _ in params]:
                    continue
            params.append((pn, ty))
        # trailing defaults
        for pn, ty in reversed(params):
            if not self.chance(0.25) or ty in CONTAINERS:
                break
            if ty in HEAP_TYPES:
                defaults[pn] = self.heap_literal(ty)
                continue
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
        if self.heap and self.chance(0.4):
            ret = self.heap_type()
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
        if self.heap:
            body += self.gen_module_heap()
            body += self.gen_key_funcs()
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
    heap = random.Random(f"roast-difftest-heap:{seed}:{attempt}").random() < HEAP_SHARE
    return Gen(rng, heap).program(seed)


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
