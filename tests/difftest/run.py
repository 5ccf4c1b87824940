#!/usr/bin/env python3
"""Differential test: random Roast programs, CPython 3.11 versus `roastc run`.

    python3 tests/difftest/run.py --seeds 0..300 --roastc target/debug/roastc

For every seed, gen.py writes a program; it then runs

* ``python3 -X utf8 PROGRAM`` (plain CPython, with Roast's implicit ``main()``
  emulated as in tests/conformance/regen.py),
* ``python3 -X utf8 gen.py --emulate PROGRAM`` (CPython with Roast's 64-bit
  ints: any int result outside i64 raises ``OverflowError: int result out of
  64-bit range``), and
* ``roastc run PROGRAM``,

each with a 10 s timeout.  The emulated run is the expected result (it equals
the plain run unless an int leaves i64, in which case Roast must raise
OverflowError at the first such point; the plain run is only used to check the
emulation).  Roast's run must have the same stdout, the same exit status and,
for a non-zero status, the same last line of stderr.

Outcomes per seed: ``pass``; ``fail`` (a mismatch, or a compiler crash or
timeout); ``rejected`` (roastc refused the program with a compile diagnostic:
a generator bug unless the rejection is legitimate); ``skipped`` (the program
is unusable as a test: CPython timed out, the emulation disagreed with plain
CPython, or the emulation caught a generator bug).  Failures and rejections are
saved under tests/difftest/failures/seed_N/.  The last line printed is
``N passed, M failed`` (with the other counts when non-zero); the exit status is
1 if any seed failed or was rejected.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
GEN = HERE / "gen.py"
sys.path.insert(0, str(HERE.parent / "conformance"))
from regen import IMPLICIT_MAIN_WRAPPER, needs_implicit_main  # noqa: E402

TIMEOUT = 10
OVERFLOW_LINE = "OverflowError: int result out of 64-bit range"
DEFAULT_ROASTC = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug" / "roastc"


@dataclass
class Run:
    stdout: bytes
    stderr: bytes
    status: int | None  # None: timed out

    @property
    def last(self) -> str:
        """The last line of stderr (what a status file records)."""
        lines = self.stderr.decode("utf-8", errors="replace").splitlines()
        return lines[-1] if lines else ""

    def key(self):
        return (self.stdout, self.status, self.last if self.status else "")

    def status_text(self) -> str:
        if self.status is None:
            return "timeout\n"
        return f"{self.status}\n" + (self.last + "\n" if self.status else "")


def execute(cmd, cwd=None, timeout=None) -> Run:
    timeout = timeout or TIMEOUT
    try:
        proc = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return Run(e.stdout or b"", e.stderr or b"", None)
    return Run(proc.stdout, proc.stderr, proc.returncode)


def run_python(python: str, program: Path) -> Run:
    source = program.read_text(encoding="utf-8-sig")
    cmd = [python, "-X", "utf8"]
    if needs_implicit_main(source, str(program)):
        cmd += ["-c", IMPLICIT_MAIN_WRAPPER, str(program)]
    else:
        cmd += [str(program)]
    return execute(cmd, cwd=program.parent)


def run_emulated(python: str, program: Path) -> Run:
    return execute([python, "-X", "utf8", str(GEN), "--emulate", str(program)], cwd=program.parent)


def run_roast(roastc: str, program: Path) -> Run:
    return execute([roastc, "run", str(program)], cwd=program.parent)


def is_rejection(run: Run) -> bool:
    """roastc refused to compile (as opposed to a run-time error or a crash)."""
    return run.status == 1 and run.stderr.lstrip().startswith(b"error")


@dataclass
class Case:
    outcome: str        # pass | fail | rejected | skipped
    reason: str
    plain: Run | None = None
    expected: Run | None = None
    roast: Run | None = None


def check_program(program: Path, roastc: str, python: str) -> Case:
    """Runs one program three ways and judges Roast's run."""
    expected = run_emulated(python, program)
    plain = run_python(python, program)
    if expected.status is None or plain.status is None:
        return Case("skipped", "CPython timed out", plain, expected)
    if expected.status == 3 and "RoastGeneratorBug" in expected.last:
        return Case("skipped", f"generator bug: {expected.last}", plain, expected)
    if expected.status == 1 and expected.last == OVERFLOW_LINE:
        if not plain.stdout.startswith(expected.stdout):
            return Case("skipped", "emulated stdout is not a prefix of CPython's", plain, expected)
    elif expected.key() != plain.key():
        return Case("skipped", "the i64 emulation differs from CPython without an overflow",
                    plain, expected)
    roast = run_roast(roastc, program)
    if is_rejection(roast):
        first = roast.stderr.decode("utf-8", errors="replace").splitlines()[0]
        return Case("rejected", first, plain, expected, roast)
    if roast.status is None:
        return Case("fail", "roastc timed out", plain, expected, roast)
    reason = describe_mismatch(expected, roast)
    if reason:
        return Case("fail", reason, plain, expected, roast)
    return Case("pass", "", plain, expected, roast)


def describe_mismatch(expected: Run, roast: Run) -> str:
    """'' if Roast's run matches the expected one, else a short description."""
    parts = []
    if expected.status != roast.status:
        parts.append(f"status {expected.status} != {roast.status}")
    elif expected.status and expected.last != roast.last:
        parts.append("last stderr line differs")
    if expected.stdout != roast.stdout:
        exp = expected.stdout.decode("utf-8", errors="replace").splitlines()
        got = roast.stdout.decode("utf-8", errors="replace").splitlines()
        line = next((i for i, (a, b) in enumerate(zip(exp, got)) if a != b), min(len(exp), len(got)))
        note = ""
        if len(exp) == len(got) and all(map(same_floats, exp, got)):
            note = " (float repr only: same values, other digits)"
        parts.append(f"stdout differs at line {line + 1}{note}")
    if parts and roast.status not in (0, 1, None):
        parts.append(f"roastc exited with {roast.status} (crash?)")
    return "; ".join(parts)


FLOAT_TOKEN = re.compile(r"-?(?:\d+\.\d*(?:e[-+]?\d+)?|\d+e[-+]?\d+)")


def same_floats(expected: str, got: str) -> bool:
    """Whether two output lines differ only in how equal floats are spelled."""
    def normal(line):
        return FLOAT_TOKEN.sub(lambda m: repr(float(m.group())), line)
    return normal(expected) == normal(got)


def save(case: Case, program: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(program, dest / "prog.roast")
    (dest / "reason.txt").write_text(f"{case.outcome}: {case.reason}\n", encoding="utf-8")
    for label, run in (("expected", case.expected), ("python", case.plain), ("roast", case.roast)):
        if run is None:
            continue
        (dest / f"{label}.stdout").write_bytes(run.stdout)
        (dest / f"{label}.stderr").write_bytes(run.stderr)
        (dest / f"{label}.status").write_text(run.status_text(), encoding="utf-8")


def generate(python: str, seed: int, dest: Path) -> str | None:
    proc = execute([python, str(GEN), "--seed", str(seed)], timeout=120)
    if proc.status != 0:
        return proc.stderr.decode("utf-8", errors="replace").strip() or "gen.py failed"
    dest.write_bytes(proc.stdout)
    return None


def parse_seeds(specs: list[str]) -> list[int]:
    """`0..300` (end exclusive), `7`, or `1,5,9`; several --seeds add up."""
    seeds: list[int] = []
    for spec in specs:
        for part in spec.split(","):
            if ".." in part:
                a, b = part.split("..", 1)
                seeds.extend(range(int(a), int(b)))
            elif part.strip():
                seeds.append(int(part))
    return seeds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", action="append", default=[],
                        help="seeds: `0..300` (end exclusive), `7` or `1,5,9`; repeatable (default 0..100)")
    parser.add_argument("--roastc", default=str(DEFAULT_ROASTC), help=f"roastc binary (default {DEFAULT_ROASTC})")
    parser.add_argument("--python", default="python3", help="CPython 3.11 (the oracle)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="seeds run in parallel (default 2)")
    parser.add_argument("--failures", default=str(HERE / "failures"),
                        help="where to save failing programs (default tests/difftest/failures)")
    parser.add_argument("-q", "--quiet", action="store_true", help="only print problems and the summary")
    args = parser.parse_args()
    seeds = parse_seeds(args.seeds or ["0..100"])
    roastc = str(Path(args.roastc).resolve())
    if not Path(roastc).exists():
        parser.error(f"no roastc at {roastc} (build it: cargo build -p roast-compiler --bin roastc)")
    failures = Path(args.failures)

    counts = {"pass": 0, "fail": 0, "rejected": 0, "skipped": 0}
    lock = threading.Lock()
    done = [0]

    with tempfile.TemporaryDirectory(prefix="roast-difftest-") as tmp:
        def one(seed: int):
            workdir = Path(tmp) / f"seed_{seed}"
            workdir.mkdir()
            program = workdir / "prog.roast"
            problem = generate(args.python, seed, program)
            if problem is not None:
                case = Case("skipped", f"gen.py: {problem.splitlines()[-1]}")
            else:
                case = check_program(program, roastc, args.python)
            dest = failures / f"seed_{seed}"
            with lock:
                if dest.exists():
                    shutil.rmtree(dest)
                if case.outcome in ("fail", "rejected"):
                    save(case, program, dest)
                counts[case.outcome] += 1
                done[0] += 1
                if case.outcome != "pass":
                    where = f" -> {dest}" if case.outcome in ("fail", "rejected") else ""
                    print(f"seed {seed}: {case.outcome.upper()}: {case.reason}{where}", flush=True)
                if not args.quiet and done[0] % 100 == 0:
                    print(f"... {done[0]}/{len(seeds)} seeds", flush=True)
            shutil.rmtree(workdir, ignore_errors=True)

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for future in [pool.submit(one, s) for s in seeds]:
                future.result()

    summary = f"{counts['pass']} passed, {counts['fail']} failed"
    if counts["rejected"]:
        summary += f", {counts['rejected']} rejected"
    if counts["skipped"]:
        summary += f", {counts['skipped']} skipped"
    print(summary)
    return 1 if counts["fail"] or counts["rejected"] else 0


if __name__ == "__main__":
    sys.exit(main())
