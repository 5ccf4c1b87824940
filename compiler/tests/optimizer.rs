//! The optimizer removes the checks value ranges prove unneeded, and only
//! those: counted in each function's MIR. (That the programs still mean
//! what CPython says is the conformance suite's job: `tier1/value_ranges`,
//! `overflow/range_counter_*`.)

use roast_compiler::driver::{self, Source};
use roast_compiler::mir;

/// The MIR text of each function of `text`, by name.
fn functions(text: &str) -> Vec<(String, String)> {
    let (_, module) = driver::check(&Source::new("opt.roast", text))
        .unwrap_or_else(|e| panic!("does not compile: {e:?}"));
    let dump = mir::build(&module).to_string();
    format!("\n{dump}")
        .split("\nfn ")
        .skip(1)
        .map(|f| (f.split('(').next().unwrap_or("").to_string(), f.to_string()))
        .collect()
}

/// How many times `what` occurs in function `name`'s MIR.
fn count(functions: &[(String, String)], name: &str, what: &str) -> usize {
    let (_, body) = functions
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no function {name}"));
    body.matches(what).count()
}

const SPECTRAL: &str = r#"
def eval_a(i: int, j: int) -> float:
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def mul_av(v: list[float], out: list[float]) -> None:
    n = len(v)
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * v[j]
        out[i] = s
"#;

#[test]
fn list_lengths_bound_range_counters() {
    let f = functions(SPECTRAL);
    // eval_a on its own: any ints, all five operations checked, and the
    // divisor may be 0.
    assert_eq!(count(&f, "eval_a", "CheckedArith"), 5);
    assert_eq!(count(&f, "eval_a", "FCmp(Eq)"), 1);
    // Inlined where i, j < len(v) <= isize::MAX / 8: only the product can
    // overflow, and the divisor is at least 1. The inner loop is versioned
    // (`v[j]` is in bounds when `n <= len(v)`), so its body is there
    // twice: one checked product in each copy.
    assert_eq!(count(&f, "mul_av", "CheckedArith"), 2);
    assert_eq!(count(&f, "mul_av", "op: Mul"), 2);
    assert_eq!(count(&f, "mul_av", "FCmp(Eq)"), 0);
    // Bounds checks: `out[i]`, and `v[j]` in the copy that keeps them.
    assert_eq!(count(&f, "mul_av", "ICmp(UGe)"), 2);
}

#[test]
fn checks_stay_where_a_range_reaches_the_limit() {
    let f = functions(
        r#"
LIMIT = 9223372036854775807


def up_to_the_top() -> int:
    t = 0
    for i in range(LIMIT - 2, LIMIT):
        t = i + 1
    for k in range(LIMIT - 2, LIMIT):
        t = k + 2
    return t


def down_to_the_bottom() -> int:
    t = 0
    for i in range(-LIMIT + 1, -LIMIT - 1, -1):
        t = i - 1
    for k in range(-LIMIT + 1, -LIMIT - 1, -1):
        t = k - 2
    return t


def any_bounds(a: int, b: int) -> int:
    t = 0
    for i in range(a, b):
        t = i + 1
    return t
"#,
    );
    // i + 1 <= LIMIT: plain; k + 2 can be LIMIT + 1: checked.
    assert_eq!(count(&f, "up_to_the_top", "CheckedArith"), 1);
    assert_eq!(
        count(
            &f,
            "up_to_the_top",
            "op: Add, a: Local(LocalId(2)), b: Int(2) }"
        ),
        1
    );
    // i - 1 >= -LIMIT - 1: plain; k - 2 can be below: checked.
    assert_eq!(count(&f, "down_to_the_bottom", "CheckedArith"), 1);
    assert_eq!(count(&f, "down_to_the_bottom", "op: Sub"), 1);
    // i < b <= LIMIT: i + 1 cannot overflow even with unknown bounds.
    assert_eq!(count(&f, "any_bounds", "CheckedArith"), 0);
}

#[test]
fn comparisons_and_remainders_follow_the_ranges() {
    let f = functions(
        r#"
def f(xs: list[int], d: int) -> int:
    t = 0
    for i in range(len(xs)):
        if i >= 0 and i < 4611686018427387904:
            t += i % 10 + i // 7
        if d > 0:
            t += i % d
    return t


def g(xs: list[int], d: int) -> int:
    t = 0
    for i in range(-len(xs), len(xs)):
        if i >= 0:
            t += i % 10
    return t
"#,
    );
    // In f, i is a counter from 0 below a length: both tests are true, the
    // remainders and quotient by constants are unsigned; i % d is not (d
    // is a parameter, known positive only below the branch). The first
    // `if` runs its arm before the branch (keeping the original for the
    // way its overflow check raises), so `i % 10` and `i // 7` are there
    // twice; the range's length is the other `UDiv`.
    assert_eq!(count(&f, "f", "ICmp(SGe), Local(LocalId(2)), Int(0)"), 0);
    assert_eq!(count(&f, "f", "URem"), 2);
    assert_eq!(count(&f, "f", "UDiv"), 3);
    assert_eq!(count(&f, "f", "SRem"), 1);
    assert_eq!(count(&f, "f", "SDiv"), 0);
    // In g, i may be negative: the test stays.
    assert_eq!(count(&f, "g", "ICmp(SGe)"), 1);
}

#[test]
fn loop_conditions_bound_their_counters() {
    let f = functions(
        r#"
def up(n: int) -> int:
    i = 0
    while i < n:
        i += 1
    return i


def both(n: int, m: int) -> int:
    i = 0
    while i < n and m > 0:
        i += 1
        m -= 1
    return i + m


def either(n: int, m: int) -> int:
    i = 0
    while i < n or m > 0:
        i += 1
        m -= 1
    return i


def reassigned(n: int) -> int:
    i = 0
    while i < n:
        i = i * 2
        i += 1
    return i
"#,
    );
    // i < n <= i64::MAX: i + 1 fits.
    assert_eq!(count(&f, "up", "CheckedArith"), 0);
    // Both sides of `and` hold in the body (m >= 1: m - 1 fits); the sum
    // after the loop is unbounded.
    assert_eq!(count(&f, "both", "CheckedArith"), 1);
    // Either side of `or` may fail in the body: `m - 1` stays checked (m
    // is a parameter); `i` only steps up by one from 0, which cannot reach
    // i64::MAX in any feasible time (2^60 steps, see `stepped_locals_...`).
    assert_eq!(count(&f, "either", "CheckedArith"), 1);
    // The product and the increment after it (the bound died with `i = i * 2`).
    assert_eq!(count(&f, "reassigned", "CheckedArith"), 2);
}

#[test]
fn stepped_locals_and_counters_stay_within_feasible_steps_of_their_start() {
    let f = functions(
        r#"
def steps(x: int) -> int:
    count = 0
    while x != 1:
        if x % 2 == 0:
            x = x // 2
        else:
            x = 3 * x + 1
        count += 1
    return count


def odds(n: int) -> int:
    t = 0
    for k in range(n):
        t ^= 2 * k + 1
    return t


def down(n: int) -> int:
    j = 10
    while j > -n:
        j -= 2
    return j


def from_parameter(x: int) -> int:
    while x > 5:
        x += 1
    return x


def by_parameter(n: int, step: int) -> int:
    x = 0
    while x < 100:
        x += step
    return x


def wide_range(n: int) -> int:
    t = 0
    for k in range(n):
        t ^= 8 * k
    return t
"#,
    );
    // `3 * x` and `+ 1` on the parameter stay checked (twice: run before the
    // branch, and in the arm that runs to raise when one overflows);
    // `count += 1` from 0 would take 2^63 steps to overflow.
    assert_eq!(count(&f, "steps", "CheckedArith"), 4);
    // k <= 2^60 (it starts at 0 and steps by 1): 2 * k + 1 fits.
    assert_eq!(count(&f, "odds", "CheckedArith"), 0);
    // Down by 2 from 10: at least 10 - 2^61. (`-n` stays checked, in both
    // copies of the loop condition: before the loop and after the body.)
    assert_eq!(count(&f, "down", "CheckedArith"), 2);
    // Seeded by a parameter, or stepped by one: no bound.
    assert_eq!(count(&f, "from_parameter", "CheckedArith"), 1);
    assert_eq!(count(&f, "by_parameter", "CheckedArith"), 1);
    // 8 * 2^60 leaves i64.
    assert_eq!(count(&f, "wide_range", "CheckedArith"), 1);
}

#[test]
fn dict_values_are_updated_where_they_are_stored_only_when_nothing_can_intervene() {
    let f = functions(
        r#"
def grow(d: dict[str, int]) -> int:
    d["new"] = 0
    return 1


def counted(words: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
        counts[w] += 2
    return counts


def general(words: list[str], other: dict[str, int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + grow(counts)
        counts[w] = other.get(w, 0) + 1
        counts[w + "!"] = counts.get(w + "!", 0) + 1
        counts[w] = counts.get(w, 0) + len(w)
    return counts
"#,
    );
    // Both statements of `counted` look the key up once and write the
    // value word in place.
    assert_eq!(count(&f, "counted", "DictSlot"), 2);
    // Where the key is missing: the default, and the KeyError of `+=`.
    assert_eq!(count(&f, "counted", "func: DictGet,"), 1);
    assert_eq!(count(&f, "counted", "func: DictGetItem,"), 1);
    // A call on the right (which may change the dict), another dict, a key
    // that is computed, and a right side that is not a constant or local:
    // each stays a lookup and a store.
    assert_eq!(count(&f, "general", "DictSlot"), 0);
    assert_eq!(count(&f, "general", "DictSetItem"), 4);
}

#[test]
fn small_pure_ifs_become_selects_and_nothing_else_does() {
    let f = functions(
        r#"
def collatz(x: int) -> int:
    if x % 2 == 0:
        x = x // 2
    else:
        x = 3 * x + 1
    return x


def running_max(v: int, best: int, at: int, i: int) -> int:
    if v > best:
        best = v
        at = i
    return best * 1000 + at


def calls(x: int) -> int:
    if x > 0:
        x = int(str(x) + "1")
    return x


def divides(x: int, y: int) -> int:
    if y != 0:
        x = x // y
    return x


def stores(xs: list[int], x: int) -> int:
    if x > 0:
        xs[0] = x
    return x


def strings(x: int) -> str:
    s = "a"
    if x > 0:
        s = "b"
    return s


def long_arm(x: int) -> int:
    if x > 0:
        x = ((((x ^ 1) ^ 2) ^ 3) ^ 4) ^ 5
        x = ((((x ^ 6) ^ 7) ^ 8) ^ 9) ^ 10
    return x
"#,
    );
    // x chosen between the arms, and whether the taken arm overflowed
    // (only `3 * x + 1` can: the original arms then run and raise).
    assert_eq!(count(&f, "collatz", "Select("), 2);
    assert_eq!(count(&f, "collatz", "Raise { kind: OverflowError"), 2);
    // Two outputs, no flags: no branch left.
    assert_eq!(count(&f, "running_max", "Select("), 2);
    // Left: the recursion check and the overflow checks of `best * 1000 + at`.
    assert_eq!(count(&f, "running_max", "Branch"), 3);
    // Runtime calls, a division by a variable, a store, a heap value, too many
    // statements: the branch stays.
    for name in ["calls", "divides", "stores", "strings", "long_arm"] {
        assert_eq!(count(&f, name, "Select("), 0, "{name}");
    }
}

#[test]
fn branch_facts_remove_the_fixups_and_repeated_checks_of_insertion_sort() {
    let f = functions(
        r#"
def insertion_sort(xs: list[int]) -> None:
    for i in range(1, len(xs)):
        key = xs[i]
        j = i - 1
        while j >= 0 and xs[j] > key:
            xs[j + 1] = xs[j]
            j -= 1
        xs[j + 1] = key
"#,
    );
    // Signed `<`: the range's `start < stop`, and the negative-index
    // fix-ups (`index < 0`). `xs[j]` in the loop condition (tested twice:
    // before the loop and at its end), `xs[j]` and `xs[j + 1]` in the body
    // all follow `j >= 0` and lose theirs; only `xs[j + 1]` after the loop,
    // where `j` may be -1, keeps one. (Without branch facts: 6.)
    assert_eq!(count(&f, "insertion_sort", "ICmp(SLt)"), 2);
    // Bounds checks: `xs[i]`, `xs[j]` in each copy of the condition,
    // `xs[j + 1]` twice; the body's `xs[j]` is the condition's. (Without
    // branch facts: 6.)
    assert_eq!(count(&f, "insertion_sort", "ICmp(UGe)"), 5);
}

#[test]
fn counted_loops_whose_indices_fit_run_a_copy_without_checks() {
    let f = functions(
        r#"
def axpy(a: float, x: list[float], y: list[float]) -> None:
    for i in range(len(y)):
        y[i] += a * x[i]


def shifted(x: list[int], y: list[int]) -> None:
    for i in range(1, len(y)):
        y[i] = x[i - 1] + x[i]


def labels(xs: list[int]) -> int:
    n = 0
    for i in range(len(xs)):
        n += len(str(xs[i]))
    return n


def reassigned(x: list[int]) -> int:
    t = 0
    for i in range(len(x)):
        i = i // 2
        t += x[i]
    return t


def grows(xs: list[int]) -> int:
    n = 0
    for i in range(len(xs)):
        n += xs[i]
        xs.append(1)
    return n
"#,
    );
    // Two copies of each loop body (its loads twice); the checks only in
    // the copy that runs when the lengths do not fit: `y[i]` (its store
    // reuses the load's check) and `x[i]`; `x[i - 1]`, `x[i]`, `y[i]`.
    assert_eq!(count(&f, "axpy", "LoadItem"), 4);
    assert_eq!(count(&f, "axpy", "ICmp(UGe)"), 2);
    assert_eq!(count(&f, "shifted", "LoadItem"), 4);
    assert_eq!(count(&f, "shifted", "ICmp(UGe)"), 3);
    // A runtime call that makes a string changes no list: still copied.
    assert_eq!(count(&f, "labels", "LoadItem"), 2);
    // The counter reassigned, or the list grown in the loop: one copy.
    assert_eq!(count(&f, "reassigned", "LoadItem"), 1);
    assert_eq!(count(&f, "grows", "LoadItem"), 1);
}

#[test]
fn arms_storing_one_item_become_one_store_of_a_select_where_indices_fit() {
    let f = functions(
        r#"
def clamp(xs: list[int], out: list[int], lo: int, hi: int) -> None:
    for i in range(len(xs)):
        if xs[i] < lo:
            out[i] = lo
        elif xs[i] > hi:
            out[i] = hi
        else:
            out[i] = xs[i]


def split(xs: list[int], evens: list[int], odds: list[int]) -> None:
    for i in range(len(xs)):
        if xs[i] % 2 == 0:
            evens[i] = xs[i]
        else:
            odds[i] = xs[i]


def negative(xs: list[int], out: list[int]) -> None:
    for i in range(-len(xs), 0):
        if xs[i] > 2:
            out[i] = xs[i]
        else:
            out[i] = -xs[i]
"#,
    );
    // The `range` setup's select; in the copy of the loop without checks,
    // the `elif`'s select (moved with the `if`'s arm; the block where it
    // was made, which the `if`'s conversion left unreachable, is emptied)
    // and the `if`'s, and one store of the latter; in the original loop
    // (where `xs[i]`, read once, is known in range after the `if`'s
    // test), the `elif`'s arms become a select of their checks and one
    // store of a select where neither fires, besides the three stores.
    assert_eq!(count(&f, "clamp", "Select("), 5);
    assert_eq!(count(&f, "clamp", "StoreItem"), 5);
    // Different lists: a branch; a negative start: no copy without
    // checks, so loads that could be outside stay behind the branch.
    for name in ["split", "negative"] {
        assert_eq!(count(&f, name, "Select("), 1, "{name}");
    }
}

#[test]
fn loops_reading_characters_run_a_copy_without_slow_paths_for_ascii_text() {
    let f = functions(
        r#"
def palindromes(s: str) -> int:
    count = 0
    for center in range(2 * len(s) - 1):
        lo = center // 2
        hi = lo + center % 2
        while lo >= 0 and hi < len(s) and s[lo] == s[hi]:
            count += 1
            lo -= 1
            hi += 1
    return count


def vowels(s: str) -> int:
    n = 0
    i = 0
    while i < len(s):
        if s[i] in "aeiou":
            n += 1
        i += 1
    return n
"#,
    );
    // The `while` condition's subscripts three times (tested once before
    // the loop, then in the loop and in its copy): the copy that runs for
    // ASCII text has no call to the runtime's `ord(s[i])`.
    assert_eq!(count(&f, "palindromes", "LoadByte"), 6);
    assert_eq!(count(&f, "palindromes", "StrOrdAt"), 4);
    assert_eq!(count(&f, "vowels", "LoadByte"), 2);
    assert_eq!(count(&f, "vowels", "StrOrdAt"), 1);
}

#[test]
fn checked_operations_use_the_range_of_the_value_just_assigned() {
    let f = functions(
        r#"
def luhn(number: int) -> int:
    total = 0
    double = False
    while number > 0:
        d = number % 10
        number //= 10
        if double:
            d *= 2
            if d > 9:
                d -= 9
        total += d
        double = not double
    return total
"#,
    );
    // d is assigned `number % 10`, `d * 2` and `d - 9`, so over the whole
    // function its range is unknown; on the way to `d *= 2` it was just
    // assigned `number % 10` (0 to 9), and before `d -= 9` it is 0 to 18:
    // neither can overflow. `total += d` can.
    assert_eq!(count(&f, "luhn", "op: Mul"), 0);
    assert_eq!(count(&f, "luhn", "op: Sub"), 0);
    assert_eq!(count(&f, "luhn", "op: Add"), 1);
}

#[test]
fn and_conditions_over_list_items_become_selects() {
    let f = functions(
        r#"
def best_before(xs: list[int], best: list[int], i: int) -> int:
    xi = xs[i]
    b = 1
    for j in range(i):
        if xs[j] < xi and best[j] + 1 > b:
            b = best[j] + 1
    return b
"#,
    );
    // The loop is versioned (j < i < len): two copies. Without these
    // passes there are two checked `best[j] + 1` in each and two selects
    // (the negative-index fix-up of `xs[i]`, the range's length). Now the
    // second `best[j] + 1` is the first's value; in the copy without
    // bounds checks both tests and the arm run before one branch, taken
    // only where the arm's overflow check fires (the original arms, kept
    // for that way, check once more), `b` chosen by the inner test's
    // select and the outer's; in the copy with bounds checks the inner
    // `if` runs before its branch (the second bounds check its flag).
    // Six selects more, of `b` and of the flags.
    assert_eq!(count(&f, "best_before", "op: Add, a: Local"), 3);
    assert_eq!(count(&f, "best_before", "Select(Local"), 8);
}

#[test]
fn indices_offset_by_an_invariant_local_are_versioned() {
    let f = functions(
        r#"
def row_sums(a: list[float], x: list[float], size: int) -> list[float]:
    y: list[float] = []
    for i in range(size):
        s = 0.0
        base = i * size
        for j in range(size):
            s += a[base + j] * x[j]
        y.append(s)
    return y
"#,
    );
    // The inner loop's copy for `0 + base >= 0` and `size + base <=
    // len(a)` (and `size <= len(x)`), tested before it, has no checks: of
    // the bounds checks, `a[base + j]` and `x[j]` are left in the original
    // loop and `y.append`'s room; of the negative-index fix-ups, the
    // original's of `base + j` (`x[j]`'s is decided: `j` is a counter); of
    // the checked sums, the original's `base + j` and the test's
    // `start + base` (an overflow there fails the test).
    assert_eq!(count(&f, "row_sums", "ICmp(UGe)"), 3);
    assert_eq!(
        count(&f, "row_sums", "ICmp(SLt), Local(LocalId(51)), Int(0)"),
        1
    );
    assert_eq!(count(&f, "row_sums", "op: Add"), 2);
}

#[test]
fn rows_read_in_a_loop_over_their_items_load_once() {
    let f = functions(
        r#"
def matvec(a: list[list[float]], x: list[float]) -> list[float]:
    y: list[float] = []
    for i in range(len(a)):
        s = 0.0
        for k in range(len(x)):
            s += a[i][k] * x[k]
        y.append(s)
    return y
"#,
    );
    let (_, body) = f.iter().find(|(n, _)| n == "matvec").expect("matvec");
    // The inner loop's copy is entered through a block that loads the row
    // `a[i]` (its bounds checked before the loop, with `x[k]`'s) and the
    // row's length and item buffer, then tests that the row is long
    // enough for every `k` (else the original loop runs): the copy reads
    // `a[i]` no more and checks no bounds.
    let entry_blocks = body
        .split("\n  bb")
        .filter(|block| {
            let lines: Vec<&str> = block
                .lines()
                .skip(1)
                .map(str::trim)
                .filter(|l| !l.is_empty() && *l != "}")
                .collect();
            matches!(lines.as_slice(), [item, len, data, .., test, branch]
                if item.contains("LoadItem")
                    && len.contains("offset: 16")
                    && data.contains("offset: 32")
                    && test.contains("Binary(And")
                    && branch.starts_with("Branch"))
        })
        .count();
    assert_eq!(entry_blocks, 1);
    // Bounds checks: in the original loop `a[i]`, `a[i][k]` and `x[k]`;
    // none in the copy; and `y.append`'s room.
    assert_eq!(count(&f, "matvec", "ICmp(UGe)"), 4);
}

#[test]
fn items_unpacked_and_let_go_take_no_reference() {
    let f = functions(
        r#"
def total(pairs: list[tuple[int, int]]) -> int:
    acc = 0
    for k, v in pairs:
        acc += k * v
    return acc


def kept(pairs: list[tuple[int, int]], out: list[tuple[int, int]]) -> int:
    acc = 0
    for p in pairs:
        out.append(p)
        acc += p[0]
    return acc
"#,
    );
    // The item is read, unpacked and let go with nothing between that
    // could release an object: no reference is taken (the list's copy in
    // the loop keeps its own).
    assert_eq!(count(&f, "total", "IncRef"), 1, "the list's, for the loop");
    assert_eq!(
        count(&f, "total", "DecRef"),
        1,
        "the list's, after the loop"
    );
    // Appended to another list: the reference is taken and kept.
    assert!(count(&f, "kept", "IncRef") >= 3);
}

#[test]
fn sums_of_comprehensions_over_ranges_add_in_a_versioned_counted_loop() {
    let f = functions(
        r#"
def dot(a: list[float], b: list[float]) -> float:
    return sum([a[t] * b[t] for t in range(len(a))])
"#,
    );
    // No list is made: the items are added as they are made.
    assert_eq!(count(&f, "dot", "ListNew"), 0);
    assert_eq!(count(&f, "dot", "ListSum"), 0);
    // The comprehension's range is a counted loop, so it is versioned:
    // the addition is in both copies, the bounds checks of `a[t]` and
    // `b[t]` only in the one that keeps them.
    assert_eq!(count(&f, "dot", "FAdd"), 2);
    assert_eq!(count(&f, "dot", "ICmp(UGe)"), 2);
}

#[test]
fn constant_indices_below_one_checked_need_no_check_and_sqrt_is_inline() {
    let f = functions(
        r#"
import math


def pull(a: list[float], b: list[float]) -> float:
    dx = a[0] - b[0]
    d = math.sqrt(dx * dx + a[6])
    a[3] -= dx * d
    a[4] -= dx * d
    b[3] += dx * b[6]
    return a[5] + b[2]
"#,
    );
    // `a[0]` and `a[6]` are checked; once `6 < len(a)` holds, so do 3, 4
    // and 5 (the length is loaded once: `math.sqrt` and the stores change
    // no list's length). `b[3]` is read before `b[6]`, so `b[0]`, `b[3]`
    // and `b[6]` are checked, and `b[2]` is not.
    assert_eq!(count(&f, "pull", "ICmp(UGe), Int(0)"), 2);
    assert_eq!(count(&f, "pull", "ICmp(UGe), Int(6)"), 2);
    assert_eq!(count(&f, "pull", "ICmp(UGe), Int(3)"), 1);
    for k in [2, 4, 5] {
        assert_eq!(
            count(&f, "pull", &format!("ICmp(UGe), Int({k})")),
            0,
            "index {k}"
        );
    }
    // The square root is an instruction after a test for a negative.
    assert_eq!(count(&f, "pull", "FSqrt"), 1);
    assert_eq!(count(&f, "pull", "MathUnary"), 0);
    assert_eq!(count(&f, "pull", "ValueError"), 1);
}

#[test]
fn new_lists_are_filled_extended_and_popped_without_extra_lists_or_calls() {
    let f = functions(
        r#"
def zeros(n: int) -> list[int]:
    return [0] * n


def row(i: int, n: int) -> list[int]:
    return [i] + [0] * n


def joined(a: list[int], b: list[int]) -> list[int]:
    return [len(a)] + b


def without(xs: list[int], i: int) -> list[int]:
    return xs[:i] + xs[i + 1:]


def top(stack: list[int]) -> int:
    return stack.pop() + stack.pop(-1)
"#,
    );
    // `[0] * n` is made filled (no one-item list, no repetition of one).
    assert_eq!(count(&f, "zeros", "ListFill"), 1);
    assert_eq!(count(&f, "zeros", "ListRepeat"), 0);
    // `[i] + [0] * n` appends the zeros to the new `[i]`: one list in all.
    assert_eq!(count(&f, "row", "func: ListFill"), 0);
    assert_eq!(count(&f, "row", "ListRepeat"), 0);
    assert_eq!(count(&f, "row", "ListConcat"), 0);
    assert_eq!(count(&f, "row", "func: ListExtendFill"), 1);
    assert_eq!(count(&f, "row", "func: ListNew"), 1);
    // `[x] + b` extends the new `[x]` (no third list).
    assert_eq!(count(&f, "joined", "ListConcat"), 0);
    assert_eq!(count(&f, "joined", "func: ListExtend,"), 1);
    // `xs[:i] + xs[i + 1:]`: the first slice extended by the run of the
    // second, which makes no list.
    assert_eq!(count(&f, "without", "func: ListSlice"), 1);
    assert_eq!(count(&f, "without", "func: ListExtendSlice"), 1);
    assert_eq!(count(&f, "without", "ListConcat"), 0);
    // `pop()` is a length test, a load and a store of the length.
    assert_eq!(count(&f, "top", "ListPop"), 0);
    assert_eq!(count(&f, "top", "pop from empty list"), 2);
}

#[test]
fn returns_release_only_what_the_frame_may_hold_and_rows_are_borrowed() {
    let f = functions(
        r#"
def move(k: int, src: int, dst: int, via: int, pegs: list[list[int]]) -> int:
    if k == 0:
        return 0
    before = move(k - 1, src, via, dst, pegs)
    disk = pegs[src].pop()
    pegs[dst].append(disk)
    return before + disk


def top(pegs: list[list[int]], k: int) -> int:
    p = pegs[k]
    x = p.pop()
    p.append(x)
    return x


def words(n: int) -> list[str]:
    out: list[str] = []
    for i in range(n):
        out.append(str(i))
    return out
"#,
    );
    let raising = |name: &str| count(&f, name, "Raise {") + count(&f, name, "Propagate");
    // `pegs[src]` and `pegs[dst]` are borrowed for a pop and an append of
    // ints: no reference taken. Nothing owned is left at either return, so
    // only the ways out by an exception release the frame.
    assert_eq!(count(&f, "move", "IncRef"), 0);
    assert_eq!(count(&f, "move", "ReleaseFrame"), raising("move"));
    // `p` holds a reference at the return: released there, inline.
    assert_eq!(count(&f, "top", "ReleaseFrame"), raising("top"));
    assert_eq!(count(&f, "top", "DecRef(LocalId(2))"), 2);
    // `str(i)` moves into the list: no count taken on the way in.
    assert_eq!(count(&f, "words", "IncRef"), 0);
}

#[test]
fn common_math_functions_call_libm_with_their_tests_inline() {
    let f = functions(
        r#"
import math


def wave(x: float) -> float:
    return math.sin(x) * math.exp(-0.1 * x) + math.log(1.0 + x) * math.cos(3.0 * x)


def rest(x: float) -> float:
    return math.tan(x) + math.atan(x) + math.fabs(x) + math.floor(x)
"#,
    );
    // No call to the runtime's dispatcher: sin, cos, exp and log call
    // libm directly after (or before) their tests.
    assert_eq!(count(&f, "wave", "MathUnary"), 0);
    for libm in ["func: Sin", "func: Cos", "func: Exp", "func: Log"] {
        assert_eq!(count(&f, "wave", libm), 1, "{libm}");
    }
    assert_eq!(count(&f, "wave", "math range error"), 1);
    assert_eq!(count(&f, "wave", "math domain error"), 3);
    // `fabs` is an instruction; `floor` (an int result) still the dispatcher.
    assert_eq!(count(&f, "rest", "MathUnary"), 1);
    assert_eq!(count(&f, "rest", "FAbs"), 2);
}

#[test]
fn divmod_unpacked_makes_no_tuple_and_divides_once() {
    let f = functions(
        r#"
def digits(x: int, b: int) -> list[int]:
    out: list[int] = []
    while x > 0:
        x, r = divmod(x, b)
        out.append(r)
    return out


def halves(a: int, b: int) -> int:
    return a // b + a % b
"#,
    );
    // `q, r = divmod(x, b)`: the floor quotient from one division (the
    // remainder it adjusts by is `x - q * b`), the remainder from the
    // quotient: no tuple, no second division, one zero test.
    assert_eq!(count(&f, "digits", "TupleNew"), 0);
    assert_eq!(count(&f, "digits", "SDiv"), 1);
    assert_eq!(count(&f, "digits", "SRem"), 0);
    assert_eq!(count(&f, "digits", "ZeroDivisionError"), 1);
    // Apart, `//` divides once and `%` once.
    assert_eq!(count(&f, "halves", "SDiv"), 1);
    assert_eq!(count(&f, "halves", "SRem"), 1);
}

#[test]
fn literal_format_specs_are_parsed_when_compiled() {
    let f = functions(
        r#"
def row(i: int, x: float, name: str, ok: bool) -> str:
    return f"{i:05d}|{name:<8}|{x:.2f}|{i:,}|{ok:>3}"


def alone(x: float) -> str:
    return f"{x:08.3f}"


def kept(x: float, spec: str) -> str:
    return f"{x:{spec}}|{x:q}|{x:.2f}"
"#,
    );
    // Each literal spec is packed into a word: no spec text at run time.
    assert_eq!(count(&f, "row", "StrAppendPacked"), 5);
    assert_eq!(count(&f, "row", "StrAppendFormat"), 0);
    assert_eq!(count(&f, "alone", "func: FormatPacked"), 1);
    assert_eq!(count(&f, "alone", "func: Format,"), 0);
    // A spec computed at run time, or one that does not parse (it raises
    // CPython's error from its text), keeps the text.
    assert_eq!(count(&f, "kept", "StrAppendFormat"), 2);
    assert_eq!(count(&f, "kept", "StrAppendPacked"), 1);
}

#[test]
fn divisibility_tests_compare_the_truncated_remainder() {
    let f = functions(
        r#"
def fizz(i: int) -> int:
    if i % 15 == 0:
        return 3
    if i % 4 != 0:
        return 2
    return 1


def divides(d: int, n: int) -> bool:
    return n % d == 0


def floor_mod(d: int, n: int) -> int:
    return n % d
"#,
    );
    // Zero or not, a remainder's sign does not matter: no rounding fixup
    // (the sign test of `floor_mod`), a mask for a power of two.
    assert_eq!(count(&f, "fizz", "SRem"), 1);
    assert_eq!(
        count(&f, "fizz", "Binary(And, Local(LocalId(0)), Int(3))"),
        1
    );
    assert_eq!(count(&f, "fizz", "Select"), 0);
    assert_eq!(count(&f, "divides", "SRem"), 1);
    assert_eq!(count(&f, "divides", "Xor"), 0);
    assert_eq!(count(&f, "divides", "integer modulo by zero"), 1);
    assert_eq!(count(&f, "floor_mod", "Xor"), 1);
}

#[test]
fn one_byte_appends_write_in_place_without_a_call() {
    let f = functions(
        r#"
def build(n: int) -> str:
    s = ""
    for i in range(n):
        s += "abcde"[i % 5]
    return s


def pieces(words: list[str]) -> str:
    s = ""
    for w in words:
        s += w
    return s
"#,
    );
    // The byte goes straight into the text; one runtime call remains, for
    // a shared or full string or a longer piece.
    for name in ["build", "pieces"] {
        assert_eq!(count(&f, name, "StoreByte"), 1, "{name}");
        assert_eq!(count(&f, name, "func: StrIadd"), 1, "{name}");
    }
}

#[test]
fn lists_only_joined_are_built_as_strings() {
    let f = functions(
        r#"
def shift(text: str) -> str:
    out: list[str] = []
    for ch in text:
        out.append(ch)
    return "".join(out)


def counted(text: str) -> str:
    out: list[str] = []
    for ch in text:
        out.append(ch)
    return "".join(out) + str(len(out))


def separated(text: str) -> str:
    out: list[str] = []
    for ch in text:
        out.append(ch)
    return ",".join(out)


def two_separators(text: str) -> str:
    out: list[str] = []
    for ch in text:
        out.append(ch)
    return ",".join(out) + ";".join(out)
"#,
    );
    // No list and no join: each character goes onto the string.
    assert_eq!(count(&f, "shift", "StrJoin"), 0);
    assert_eq!(count(&f, "shift", "ListNew"), 0);
    assert_eq!(count(&f, "shift", "StoreByte"), 1);
    // With one separator, the separator goes on before each character
    // and the join is the text after the first one: a slice.
    assert_eq!(count(&f, "separated", "StrJoin"), 0);
    assert_eq!(count(&f, "separated", "ListNew"), 0);
    assert_eq!(count(&f, "separated", "func: StrSlice"), 1);
    // A list used otherwise, or joined with two separators, stays a list.
    for name in ["counted", "two_separators"] {
        assert!(count(&f, name, "StrJoin") >= 1, "{name}");
        assert_eq!(count(&f, name, "ListNew"), 1, "{name}");
    }
}

#[test]
fn invariant_index_arithmetic_is_computed_once_before_the_loop() {
    let f = functions(
        r#"
def dot_loop(row: list[float], bt: list[list[float]], j: int, k: int) -> float:
    s = 0.0
    for t in range(k):
        s += row[t] * bt[j][t]
    return s
"#,
    );
    // `j`'s fix-up for a negative index (a select) and its bounds test are
    // made once, before the loop; so the copy of the loop that runs when
    // `row[t]` fits skips the test of `j` and loads the row `bt[j]` once,
    // on its way in, where the row's length is tested for every `t`.
    // Bounds tests left: `row[t]`, `j` (once), `bt[j][t]` in the original
    // loop, none in the copy; selects: the range's count and `j`'s fix-up.
    assert_eq!(count(&f, "dot_loop", "ICmp(UGe)"), 3);
    assert_eq!(count(&f, "dot_loop", "Select("), 2);
}

#[test]
fn lengths_of_module_lists_that_never_change_are_constants() {
    let f = functions(
        r#"
WORDS = ["the", "quick", "brown", "fox", "jumps"]
GROW = ["x"]
PASSED = ["a"]


def pick(seed: int) -> str:
    return WORDS[seed % len(WORDS)]


def grow(seed: int) -> str:
    GROW.append("y")
    return GROW[seed % len(GROW)]


def show(xs: list[str]) -> int:
    return len(xs)


def passed(seed: int) -> str:
    show(PASSED)
    return PASSED[seed % len(PASSED)]
"#,
    );
    // `% 5`: the constant divisor, no zero test, no length read for it.
    assert_eq!(count(&f, "pick", "SRem, Local(LocalId(0)), Int(5))"), 1);
    assert_eq!(count(&f, "pick", "integer modulo by zero"), 0);
    // Appended to, or passed where it could be: the live length, which
    // may be 0 as far as the compiler knows.
    for name in ["grow", "passed"] {
        assert_eq!(count(&f, name, "integer modulo by zero"), 1, "{name}");
    }
}

#[test]
fn tuples_of_scalars_read_item_by_item_are_kept_as_items() {
    let f = functions(
        r#"
def cmul(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return (a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0])


def cadd(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return (a[0] + b[0], a[1] + b[1])


def escape(c: tuple[float, float], limit: int) -> int:
    z = (0.0, 0.0)
    for i in range(limit):
        z = cadd(cmul(z, z), c)
        if z[0] * z[0] + z[1] * z[1] > 4.0:
            return i
    return limit


def kept(limit: int) -> list[tuple[int, int]]:
    out = []
    p = (0, 1)
    for i in range(limit):
        p = (p[1], p[0] + p[1])
        out.append(p)
    return out
"#,
    );
    // Parameters and results as items, both callees inlined: no tuple
    // object and no call in the loop.
    assert_eq!(count(&f, "escape", "TupleNew"), 0);
    assert_eq!(count(&f, "escape", "Call {"), 0);
    assert_eq!(count(&f, "cmul", "TupleNew"), 0);
    // `p` is appended whole: a tuple object for each display.
    assert_eq!(count(&f, "kept", "TupleNew"), 2);
}
