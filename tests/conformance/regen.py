#!/usr/bin/env python3
"""Regenerate (or check) the expected outputs of the Roast conformance corpus.

CPython 3.11 is the oracle: a Roast program that compiles must behave exactly
as CPython says.  For every ``*.roast`` file under this directory and its
subdirectories (``errors/``, ``tier1/``, ...) this script runs the program
with CPython, in its own process, with the working directory set to this
directory, and writes beside it:

``<name>.stdout``
    the exact bytes written to standard output;
``<name>.status``
    the exit status on the first line, and, only if it is non-zero, the last
    line of standard error on the second line (for an uncaught exception that
    is e.g. ``ZeroDivisionError: integer division or modulo by zero``; it is an
    empty line if nothing was written to standard error).

Roast calls ``main()`` implicitly when the module defines a top-level
``def main()`` without parameters and no top-level statement (outside function bodies) calls
``main``.  CPython does not, so such programs are run through a wrapper that
executes the file with ``runpy.run_path(path, run_name="__main__")``, then
calls the ``main`` of the resulting globals and uses an int return value as
the exit status.

``overflow/`` is different: there Roast raises ``OverflowError`` where CPython
returns a big int, so the expected files are written by hand and never
touched by this script.  It only sanity-checks them: the hand-written
``.stdout`` must be a prefix of what CPython prints, and the ``.status`` must
be exactly ``1`` followed by ``OverflowError: int result out of 64-bit range``.

Every program is also run a second time under an "i64 emulation": the same
CPython, but with every int-valued ``+ - * // % **``, unary minus, augmented
assignment, int literal and int-valued call result checked
against the 64-bit range (raising ``OverflowError: int result out of 64-bit range`` like
Roast).  Outside ``overflow/`` that run must behave exactly like the plain
one (so no conformance program depends on big ints); inside ``overflow/`` it
must reproduce the hand-written expected files exactly.

Usage::

    python3 tests/conformance/regen.py           # rewrite expected files
    python3 tests/conformance/regen.py --check   # compare only; exit 1 on mismatch

Only the standard library is used.  Output is deterministic, and files are only
rewritten when their content changes.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
OVERFLOW_DIR = "overflow"
OVERFLOW_STATUS = b"1\nOverflowError: int result out of 64-bit range\n"
REQUIRED_VERSION = (3, 11)
TIMEOUT_SECONDS = 300

# Run the program as __main__, then call its main() the way Roast does.
IMPLICIT_MAIN_WRAPPER = """\
import runpy, sys
_globals = runpy.run_path(sys.argv[1], run_name="__main__")
_result = _globals["main"]()
sys.exit(_result if type(_result) is int else 0)
"""


# Run the program under CPython with Roast's 64-bit int semantics emulated.
# argv: path, "1" if main() must be called implicitly else "0".
I64_EMULATION_WRAPPER = """\
import ast, builtins, sys

_LO, _HI = -(2 ** 63), 2 ** 63 - 1


def _roast_i64(value):
    if type(value) is int and not _LO <= value <= _HI:
        raise OverflowError("int result out of 64-bit range")
    return value


def _wrap(node):
    call = ast.Call(ast.Name("_roast_i64_", ast.Load()), [node], [])
    return ast.copy_location(call, node)


class _Checked(ast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        return _wrap(node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        return _wrap(node) if isinstance(node.op, ast.USub) else node

    def visit_Constant(self, node):
        return _wrap(node) if type(node.value) is int else node

    def visit_Call(self, node):
        # Every int a call returns (`int()`, `abs()`, `sum()`, `pow()`,
        # `math.factorial()`, ...) is range-checked; other values pass.
        self.generic_visit(node)
        return _wrap(node)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        target = node.target
        plain = (ast.Name, ast.Constant)
        if isinstance(target, ast.Name):
            load = ast.Name(target.id, ast.Load())
        elif (isinstance(target, ast.Subscript) and isinstance(target.value, plain)
              and isinstance(target.slice, plain)):
            # ``d[k] += y`` with a plain container and key: reading the
            # item again has no effect of its own.
            load = ast.Subscript(target.value, target.slice, ast.Load())
        else:
            return node
        # Keep the augmented assignment itself (``xs += ys`` extends the list
        # in place, which every alias of ``xs`` sees; ``xs = xs + ys`` would
        # not), then range-check the new value of the target.
        load = ast.copy_location(load, target)
        return [node, ast.copy_location(ast.Expr(_wrap(load)), node)]


_enumerate = builtins.enumerate


def _roast_enumerate(iterable, start=0):
    # Each count is range-checked as its item is taken.
    for count, item in _enumerate(iterable, start):
        yield _roast_i64(count), item


path, implicit_main = sys.argv[1], sys.argv[2] == "1"
with open(path, encoding="utf-8") as source_file:
    tree = ast.parse(source_file.read(), filename=path)
code = compile(ast.fix_missing_locations(_Checked().visit(tree)), path, "exec")
builtins._roast_i64_ = _roast_i64
builtins.enumerate = _roast_enumerate
module_globals = {"__name__": "__main__", "__file__": path, "__builtins__": builtins}
try:
    exec(code, module_globals)
    result = module_globals["main"]() if implicit_main else None
except RecursionError:
    # The extra range checks can move the point where the limit is hit into a
    # comparison ("... exceeded in comparison"); report it the plain way.
    raise RecursionError("maximum recursion depth exceeded") from None
sys.exit(result if type(result) is int else 0)
"""


def needs_implicit_main(source: str, filename: str) -> bool:
    """True if the module defines a top-level main() callable without
    arguments that no top-level statement calls (a main with parameters is an
    ordinary function, as in Roast)."""
    tree = ast.parse(source, filename=filename)
    defines_main = any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.name == "main"
        and not node.args.args
        and not node.args.posonlyargs
        and not node.args.kwonlyargs
        for node in tree.body
    )
    if not defines_main:
        return False

    def calls_main(node: ast.AST) -> bool:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return False  # bodies of definitions are not top-level statements
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "main"
        ):
            return True
        return any(calls_main(child) for child in ast.iter_child_nodes(node))

    return not any(calls_main(stmt) for stmt in tree.body)


def python_command(python: str) -> list[str]:
    # -I: isolated mode (no user site, no PYTHON* environment variables, no
    # script directory on sys.path); -X utf8: stdout is UTF-8 whatever the locale.
    return [python, "-I", "-X", "utf8"]


def run_program(python: str, rel: str, emulate_i64: bool = False) -> tuple[bytes, bytes]:
    """Run one program under CPython; return (stdout bytes, status file bytes)."""
    source = (ROOT / rel).read_text(encoding="utf-8")
    implicit = needs_implicit_main(source, rel)
    cmd = python_command(python)
    if emulate_i64:
        cmd += ["-c", I64_EMULATION_WRAPPER, rel, "1" if implicit else "0"]
    elif implicit:
        cmd += ["-c", IMPLICIT_MAIN_WRAPPER, rel]
    else:
        cmd += [rel]
    try:
        proc = subprocess.run(
            cmd,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        raise SystemExit(f"regen: {rel}: timed out after {TIMEOUT_SECONDS}s")
    status = f"{proc.returncode}\n"
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", errors="replace").splitlines()
        status += (lines[-1] if lines else "") + "\n"
    return proc.stdout, status.encode("utf-8")


def discover() -> list[str]:
    """All .roast files under ROOT, as sorted POSIX paths relative to ROOT."""
    return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.roast"))


def is_overflow(rel: str) -> bool:
    return rel.split("/", 1)[0] == OVERFLOW_DIR


def read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def check_python(python: str) -> None:
    out = subprocess.run(
        python_command(python) + ["-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
        stdout=subprocess.PIPE,
        check=True,
    ).stdout.split()
    version = (int(out[0]), int(out[1]))
    if version != REQUIRED_VERSION:
        raise SystemExit(
            f"regen: the oracle must be CPython {REQUIRED_VERSION[0]}.{REQUIRED_VERSION[1]}, "
            f"but {python} is {version[0]}.{version[1]} (use --python)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate in memory, list mismatching files, exit 1 if any")
    parser.add_argument("--python", default=sys.executable,
                        help="CPython 3.11 interpreter to use as the oracle (default: this one)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="programs to run in parallel")
    args = parser.parse_args()
    check_python(args.python)

    programs = discover()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda rel: run_program(args.python, rel), programs))
        emulated = list(pool.map(lambda rel: run_program(args.python, rel, True), programs))

    problems: list[str] = []
    written = 0
    for rel, (stdout, status), (i64_stdout, i64_status) in zip(programs, results, emulated):
        base = ROOT / rel[: -len(".roast")]
        stdout_path = base.with_name(base.name + ".stdout")
        status_path = base.with_name(base.name + ".status")
        if is_overflow(rel):
            expected_stdout = read_or_none(stdout_path)
            expected_status = read_or_none(status_path)
            if expected_stdout is None or not stdout.startswith(expected_stdout):
                problems.append(f"{rel}: hand-written .stdout is missing or not a prefix of CPython's stdout")
            if expected_status != OVERFLOW_STATUS:
                problems.append(f"{rel}: hand-written .status is missing or not {OVERFLOW_STATUS!r}")
            if (i64_stdout, i64_status) != (expected_stdout, expected_status):
                problems.append(f"{rel}: the i64 emulation does not reproduce the hand-written files "
                                f"(it gives status {i64_status!r})")
            continue
        if (i64_stdout, i64_status) != (stdout, status):
            problems.append(f"{rel}: behaves differently with 64-bit ints (status {i64_status!r}); "
                            f"keep every int within i64 or move it to {OVERFLOW_DIR}/")
        for path, content in ((stdout_path, stdout), (status_path, status)):
            if read_or_none(path) == content:
                continue
            shown = path.relative_to(ROOT).as_posix()
            if args.check:
                problems.append(f"{shown}: differs from CPython")
            else:
                path.write_bytes(content)
                written += 1
                print(f"wrote {shown}")

    stems = {rel[: -len(".roast")] for rel in programs}
    for path in sorted(ROOT.rglob("*")):
        if path.suffix in (".stdout", ".status"):
            stem = path.relative_to(ROOT).as_posix()[: -len(path.suffix)]
            if stem not in stems:
                print(f"warning: {path.relative_to(ROOT).as_posix()} has no .roast beside it",
                      file=sys.stderr)

    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"regen: {len(problems)} problem(s) in {len(programs)} programs", file=sys.stderr)
        return 1
    if args.check:
        print(f"regen --check: {len(programs)} programs match")
    else:
        print(f"regen: {len(programs)} programs, {written} file(s) written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
