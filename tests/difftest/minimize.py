#!/usr/bin/env python3
"""Shrink a program on which Roast and CPython disagree.

    python3 tests/difftest/minimize.py tests/difftest/failures/seed_52/prog.roast \\
        --roastc target/debug/roastc [-o small.roast]

The program is parsed with `ast` and shrunk greedily while the disagreement
persists: delete statements (in chunks, then one by one), replace `if`/`for`/
`while` statements by their bodies, drop `else` clauses, drop print()
arguments, replace expressions by one of their operands (also a method call
by its receiver, a slice by the sliced value, a call by itself without one of
its keyword arguments), drop list and dict items and comprehension filters.
A candidate counts as "still failing" when CPython (under the i64 emulation,
see run.py) runs it without a generator bug, roastc compiles it, and the
results differ in the same way as the original: the same Roast exit status and last stderr line
when the original differed there, otherwise stdout only.  With `--any`, any
disagreement will do.  If the original was rejected at compile time, a
candidate must be rejected with the same first diagnostic line while CPython
runs it without error.

The result is written to `-o` (default: FILE with `.min.roast`), and printed.
Comments are not kept (the program goes through ast.unparse).
"""

from __future__ import annotations

import argparse
import ast
import copy
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as difftest  # noqa: E402


class Oracle:
    def __init__(self, roastc: str, python: str, any_mismatch: bool):
        self.roastc = roastc
        self.python = python
        self.any = any_mismatch
        self.tmp = Path(tempfile.mkdtemp(prefix="roast-minimize-"))
        self.tests = 0
        self.signature = None

    def judge(self, source: str):
        """A signature of the disagreement, or None if the program agrees or is unusable."""
        self.tests += 1
        program = self.tmp / "prog.roast"
        program.write_text(source, encoding="utf-8")
        case = difftest.check_program(program, self.roastc, self.python)
        if case.outcome == "rejected":
            if case.expected.status != 0:
                return None
            return ("rejected", case.reason)
        if case.outcome != "fail":
            return None
        exp, got = case.expected, case.roast
        if exp.status != got.status or (exp.status and exp.last != got.last):
            return ("status", got.status, got.last)
        return ("stdout", got.status)

    def interesting(self, source: str) -> bool:
        try:
            ast.parse(source)
        except SyntaxError:
            return False
        sig = self.judge(source)
        if sig is None:
            return False
        if self.any and sig[0] != "rejected":
            return self.signature[0] != "rejected"
        return sig == self.signature


def stmt_lists(tree):
    """Every list of statements in the tree, as (node, field) pairs, outermost first."""
    out = []
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            value = getattr(node, field, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                out.append((node, field))
    return out


def unparse(tree) -> str:
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def fill(body):
    return body if body else [ast.Pass()]


class Minimizer:
    def __init__(self, oracle: Oracle, source: str):
        self.oracle = oracle
        self.source = source

    def try_edit(self, edit) -> bool:
        """Applies `edit(tree)` to a fresh tree; keeps it if still interesting."""
        tree = ast.parse(self.source)
        if edit(tree) is False:
            return False
        candidate = unparse(tree)
        if candidate == self.source or not self.oracle.interesting(candidate):
            return False
        self.source = candidate
        return True

    def delete_statements(self) -> bool:
        changed = False
        i = 0
        while i < len(stmt_lists(ast.parse(self.source))):
            n = len(getattr(*stmt_lists(ast.parse(self.source))[i]))
            chunk = max(1, n // 2)
            while chunk >= 1:
                start = 0
                while True:
                    lists = stmt_lists(ast.parse(self.source))
                    if i >= len(lists):
                        break
                    n = len(getattr(*lists[i]))
                    if start >= n:
                        break

                    def edit(tree, i=i, start=start, chunk=chunk):
                        node, field = stmt_lists(tree)[i]
                        body = getattr(node, field)
                        if field != "body" or isinstance(node, ast.Module):
                            kept = body[:start] + body[start + chunk:]
                        else:
                            kept = fill(body[:start] + body[start + chunk:])
                        setattr(node, field, kept)
                    if self.try_edit(edit):
                        changed = True
                    else:
                        start += chunk
                chunk //= 2
            i += 1
        return changed

    def flatten_compound(self) -> bool:
        changed = False
        i = 0
        while True:
            lists = stmt_lists(ast.parse(self.source))
            if i >= len(lists):
                return changed
            n = len(getattr(*lists[i]))
            j = 0
            while j < n:
                for part in ("body", "orelse"):
                    def edit(tree, i=i, j=j, part=part):
                        node, field = stmt_lists(tree)[i]
                        body = getattr(node, field)
                        if j >= len(body):
                            return False
                        s = body[j]
                        if not isinstance(s, (ast.If, ast.For, ast.While)):
                            return False
                        repl = getattr(s, part)
                        if part == "orelse" and not repl:
                            return False
                        setattr(node, field, body[:j] + repl + body[j + 1:])
                    if self.try_edit(edit):
                        changed = True
                    def drop_else(tree, i=i, j=j):
                        node, field = stmt_lists(tree)[i]
                        body = getattr(node, field)
                        if j >= len(body) or not getattr(body[j], "orelse", None) \
                                or isinstance(body[j], ast.FunctionDef):
                            return False
                        body[j].orelse = []
                    if self.try_edit(drop_else):
                        changed = True
                n = len(getattr(*stmt_lists(ast.parse(self.source))[i])) \
                    if i < len(stmt_lists(ast.parse(self.source))) else 0
                j += 1
            i += 1

    def simplify_expressions(self) -> bool:
        changed = False
        k = 0
        while True:
            nodes = [n for n in ast.walk(ast.parse(self.source)) if isinstance(n, ast.expr)]
            if k >= len(nodes):
                return changed
            alternatives = len(replacements(nodes[k])) + (1 if is_print(nodes[k]) else 0)
            for alt in range(alternatives):
                def edit(tree, k=k, alt=alt):
                    exprs = [n for n in ast.walk(tree) if isinstance(n, ast.expr)]
                    target = exprs[k]
                    reps = replacements(target)
                    if alt < len(reps):
                        return replace_node(tree, target, reps[alt])
                    if is_print(target) and target.args:
                        target.args = target.args[:-1] if len(target.args) > 1 else []
                        return None
                    return False
                if self.try_edit(edit):
                    changed = True
                    break
            else:
                k += 1

    def drop_print_args(self) -> bool:
        changed = False
        k = 0
        while True:
            calls = [n for n in ast.walk(ast.parse(self.source)) if is_print(n)]
            if k >= len(calls):
                return changed
            progress = False
            for a in range(len(calls[k].args) + len(calls[k].keywords)):
                def edit(tree, k=k, a=a):
                    call = [n for n in ast.walk(tree) if is_print(n)][k]
                    if a < len(call.args):
                        del call.args[a]
                    elif a - len(call.args) < len(call.keywords):
                        del call.keywords[a - len(call.args)]
                    else:
                        return False
                if self.try_edit(edit):
                    changed = progress = True
                    break
            if not progress:
                k += 1

    def run(self, log) -> str:
        rounds = 0
        while True:
            rounds += 1
            changed = self.delete_statements()
            changed |= self.flatten_compound()
            changed |= self.drop_print_args()
            changed |= self.simplify_expressions()
            log(f"round {rounds}: {len(self.source.splitlines())} lines, {self.oracle.tests} tests")
            if not changed:
                return self.source


def is_print(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"


def replacements(node):
    """Smaller expressions that might stand in for `node`."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.BoolOp):
        out = list(node.values)
        if len(node.values) > 2:
            for i in range(len(node.values)):
                out.append(ast.BoolOp(node.op, node.values[:i] + node.values[i + 1:]))
        return out
    if isinstance(node, ast.IfExp):
        return [node.body, node.orelse]
    if isinstance(node, ast.Compare):
        out = [node.left] + list(node.comparators)
        if len(node.ops) > 1:
            for i in range(len(node.ops)):
                out.append(ast.Compare(node.left if i else node.comparators[0],
                                       node.ops[:i] + node.ops[i + 1:],
                                       node.comparators[:i] + node.comparators[i + 1:] if i else node.comparators[1:]))
        return out
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
            "abs", "min", "max", "int", "float", "bool"):
        out = list(node.args)
        if node.func.id in ("min", "max") and len(node.args) > 2:
            for i in range(len(node.args)):
                out.append(ast.Call(node.func, node.args[:i] + node.args[i + 1:], []))
        return out + _without_keywords(node)
    if isinstance(node, ast.Call):
        out = _without_keywords(node)
        if isinstance(node.func, ast.Name) and node.func.id in ("sorted", "list", "str", "repr", "reversed"):
            out += node.args[:1]  # the argument itself, when the types allow it
        if isinstance(node.func, ast.Attribute) and node.func.attr in (
                "upper", "lower", "strip", "lstrip", "rstrip", "replace", "copy"):
            out.append(node.func.value)  # the receiver: same type
        return out
    if isinstance(node, ast.List) and isinstance(node.ctx, ast.Load) and len(node.elts) > 1:
        return [ast.List(node.elts[:i] + node.elts[i + 1:], ast.Load()) for i in range(len(node.elts))]
    if isinstance(node, ast.Dict) and len(node.keys) > 1:
        return [ast.Dict(node.keys[:i] + node.keys[i + 1:], node.values[:i] + node.values[i + 1:])
                for i in range(len(node.keys))]
    if isinstance(node, (ast.ListComp, ast.DictComp)) and any(g.ifs for g in node.generators):
        simpler = copy.deepcopy(node)
        for g in simpler.generators:
            g.ifs = []
        return [simpler]
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        return [node.value]  # a slice has the type of its value
    return []


def _without_keywords(node):
    """The call without one of its keyword arguments (key=, reverse=, sep= ...)."""
    return [ast.Call(node.func, node.args, node.keywords[:i] + node.keywords[i + 1:])
            for i in range(len(node.keywords))]


def replace_node(tree, target, replacement):
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field, copy.deepcopy(replacement))
                return None
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is target:
                        value[i] = copy.deepcopy(replacement)
                        return None
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("--roastc", default=str(difftest.DEFAULT_ROASTC))
    parser.add_argument("--python", default="python3")
    parser.add_argument("--any", action="store_true", help="accept any disagreement, not only the original kind")
    parser.add_argument("--timeout", type=float, default=3.0,
                        help="seconds per run while minimizing (default 3)")
    parser.add_argument("-o", "--output", help="where to write the result (default FILE.min.roast)")
    args = parser.parse_args()
    difftest.TIMEOUT = args.timeout
    path = Path(args.file)
    source = path.read_text(encoding="utf-8-sig")
    oracle = Oracle(str(Path(args.roastc).resolve()), args.python, args.any)
    oracle.signature = oracle.judge(source)
    if oracle.signature is None:
        print("minimize.py: Roast and CPython agree on this program (or it is unusable)", file=sys.stderr)
        return 1
    print(f"disagreement: {oracle.signature}", file=sys.stderr)
    # start from the unparsed form so that every candidate is formatted alike
    normalized = unparse(ast.parse(source))
    if not oracle.interesting(normalized):
        normalized = source
    result = Minimizer(oracle, normalized).run(lambda m: print(m, file=sys.stderr))
    out = Path(args.output) if args.output else path.with_suffix(".min.roast")
    out.write_text(result, encoding="utf-8")
    print(result, end="")
    print(f"written to {out} ({oracle.tests} tests)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
