"""Runs one benchmark kernel under CPython.

    python3 py_harness.py FILE N[,N...] ROUNDS WARMUP

Executes FILE (a .roast file, which is valid Python) with runpy; then for
each N calls run(N) once untimed when WARMUP is 1 (or when ROUNDS is 0, to
get a result), then ROUNDS times timed with time.perf_counter, and prints one
line: the repr of the result and the median seconds ("-" when ROUNDS is 0).
Every call with the same N must return the same result.
"""

import runpy
import sys
import time


def main() -> None:
    path, ns, rounds, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
    run = runpy.run_path(path)["run"]
    for n in ns.split(","):
        measure(path, run, int(n), rounds, warmup)


def measure(path, run, n: int, rounds: int, warmup: bool) -> None:
    results = []
    if warmup or rounds == 0:
        results.append(repr(run(n)))
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = run(n)
        times.append(time.perf_counter() - start)
        results.append(repr(result))
    if len(set(results)) != 1:
        sys.exit(f"{path}: run({n}) returned different results: {sorted(set(results))}")
    median = repr(sorted(times)[len(times) // 2]) if times else "-"
    print(results[0], median)


if __name__ == "__main__":
    main()
