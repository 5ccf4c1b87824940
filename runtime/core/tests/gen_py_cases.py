#!/usr/bin/env python3
"""Generate py_cases.txt: CPython 3.11's answers for `roast_runtime::py`.

    python3 runtime/core/tests/gen_py_cases.py

Every case is computed by running the Python expression the Rust function
stands for (`format(v, spec)`, `round(x, n)`, `s.split(sep, n)`, ...) in
this interpreter, which must be CPython 3.11, the project's oracle. The
output is deterministic (fixed seeds, no set or hash ordering), so rerunning
it must reproduce the checked-in file byte for byte.

Format: one case per line, fields separated by tabs:

    function  arg...  result

Every arg and the result is typed by a prefix:

    s:TEXT     str           i:123      int          f:1.5    float (repr)
    b:True     bool          n:         None         c:TEXT   one character
    lN:A|B|..  list of N str (l0: is the empty list)
    =...       the result: one of the above (after '=')
    !Kind:MSG  the call raises Kind with message MSG

Function names are those of `roast_runtime::py` (`get` is `s[i]`, `slice`
is `s[a:b:c]`, `repeat` is `s * n`, `contains` is `sub in s`), plus `char`:
every class and case mapping of one character, as the list [flags, upper,
lower, title], flags being 0/1 for isprintable isalpha isdecimal isdigit
isnumeric isalnum isspace isupper islower istitle.

TEXT is escaped: backslash, tab, newline, carriage return and '|' as \\\\, \\t,
\\n, \\r and \\p; other control and non-printable characters as \\u{hex}.

Roast's deviations from CPython are applied here, where the expectation is
made: an int result outside i64 becomes
`OverflowError: int result out of 64-bit range`, and cases whose CPython
result a Rust str cannot hold (lone surrogates), that raise MemoryError, or
that CPython never finishes (`round(1, -2**63)` computes 10**2**63) are left
out.
"""

import math
import random
import struct
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).with_name("py_cases.txt")
I64_MIN, I64_MAX = -(2**63), 2**63 - 1
OVERFLOW = ("OverflowError", "int result out of 64-bit range")


class Skip(Exception):
    """The case has no Roast expectation (see the module docstring)."""


def esc(s):
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "|":
            out.append("\\p")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or not ch.isprintable():
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def has_surrogate(s):
    return any(0xD800 <= ord(ch) < 0xE000 for ch in s)


def enc(v, kind=None):
    """Encode a Python value as a typed field."""
    if kind == "c":
        if has_surrogate(v):
            raise Skip
        return "c:" + esc(v)
    if v is None:
        return "n:"
    if isinstance(v, bool):
        return f"b:{v}"
    if isinstance(v, int):
        if not I64_MIN <= v <= I64_MAX:
            raise OverflowError
        return f"i:{v}"
    if isinstance(v, float):
        return "f:" + repr(v)
    if isinstance(v, str):
        if has_surrogate(v):
            raise Skip
        return "s:" + esc(v)
    if isinstance(v, list):
        if any(has_surrogate(x) for x in v):
            raise Skip
        return f"l{len(v)}:" + "|".join(esc(x) for x in v)
    raise TypeError(v)


class Cases:
    def __init__(self):
        self.lines = []
        self.seen = set()

    def add(self, func, args, thunk, kind=None):
        """Record func(args) with the outcome of calling thunk()."""
        try:
            fields = [enc(a) for a in args]
        except (Skip, OverflowError):
            return
        try:
            value = thunk()
            try:
                result = "=" + enc(value, kind)
            except OverflowError:
                result = "!%s:%s" % OVERFLOW
        except Skip:
            return
        except MemoryError:
            return
        except Exception as e:  # the exception is the expectation
            result = "!%s:%s" % (type(e).__name__, esc(str(e)))
        line = "\t".join([func] + fields + [result])
        if line not in self.seen:
            self.seen.add(line)
            self.lines.append(line)


# ---------------------------------------------------------------- values

INTS = [0, 1, -1, 7, -7, 42, -42, 65, 255, -255, 1000, 4096, 1234567, -1234567,
        2**31, -(2**31), 2**53 + 1, 10**18, 0x10FFFF, 0x110000, I64_MAX, I64_MIN,
        I64_MIN + 1]

FLOATS = [0.0, -0.0, 1e-7, -1e-7, 0.1, 0.5, 1.5, 2.5, -2.5, 0.125, 2.675, 1.0, 10.0,
          123456.789, -123456.789, 1234.5, 1e15, 1e16, 9.999999999999999e15, 1e22,
          1e-5, 0.0001, 1e100, math.pi, -math.e, float("inf"), float("-inf"),
          float("nan"), 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
          0.30000000000000004, 100.0, 99.99, 0.995, 9.5, 1e-300, 12345678901234567890.0,
          999646029372079.25, -1999999999975294.25]

STRS = ["", "a", "abc", "hello world", "Hello, World!", "  spaced  out  ", "a,b,,c,",
        "aaaa", "abababa", "mississippi", "\t\n x \r\n", "UPPER lower Mixed",
        "title case words", "they're bill's friends", "123", "-42", "+7", "0",
        "12abc", "sep\x1cby\x1dinfo\x1eseparators\x1f", "tab\tsep", "l1\nl2\r\nl3",
        "café", "naïve résumé", "日本語テキスト", "😀 emoji 👍🏽 ok", "e\u0301 combining",
        "ΟΔΟΣ", "ΣΑΣ Σ", "Σ", "aΣ", "aΣb", "aΣ.", "a\u0301Σ", "AΣ\u0301", "Σa",
        "İstanbul", "ıi", "straße", "ǆǅǄ x", "ﬁ ligature", "\u2003em\u2003space\u2003",
        "\u00a0nbsp\u00a0", "\x85nel\x85", "١٢٣", "²³", "½", "Ⅻ", "ʰʲ", "ǅungla",
        "ΐ", "ŉ", "\u200bzero\u200bwidth", "x\u3000y", "MiXeD ßtraße İı",
        "123abc٣", "⁰¹", "𝟗𝟘", "ᾳ ᾼ", "'quoted'", '"dq"', "both'\"", "back\\slash",
        "a|b|c", "null\x00byte", "\x7fdel", "\U0001d400math", "\ue000private"]


def char_pool():
    """Characters that exercise every class and mapping."""
    pool = set()
    for cp in list(range(0, 0x250)) + [0x345, 0x370, 0x390, 0x3A3, 0x3C2, 0x1E9E,
                                       0x2126, 0x212A, 0x212B, 0xFB00, 0xFB03, 0x1F80,
                                       0x1FBC, 0x10400, 0x10428, 0x1E900, 0x1E922]:
        pool.add(cp)
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        if (len(ch.upper()) > 1 or len(ch.lower()) > 1 or len(ch.title()) > 1
                or ch.isspace() or unicodedata.decimal(ch, -1) == 0
                or unicodedata.category(ch) == "Lt"):
            pool.add(cp)
    return sorted(pool)


# ------------------------------------------------------------------ format

def random_spec(rng, types):
    parts = []
    r = rng.random()
    if r < 0.15:
        parts.append(rng.choice("<>^="))
    elif r < 0.3:
        parts.append(rng.choice(["*", "0", " ", "é", "日", "x", "-", "{"]) + rng.choice("<>^="))
    if rng.random() < 0.3:
        parts.append(rng.choice("+- "))
    if rng.random() < 0.08:
        parts.append("z")
    if rng.random() < 0.2:
        parts.append("#")
    if rng.random() < 0.2:
        parts.append("0")
    if rng.random() < 0.5:
        parts.append(str(rng.choice([1, 2, 5, 8, 10, 12, 15, 20, 30])))
    r = rng.random()
    if r < 0.15:
        parts.append(",")
    elif r < 0.3:
        parts.append("_")
    if rng.random() < 0.4:
        parts.append("." + str(rng.choice([0, 1, 2, 3, 5, 6, 10, 17, 20, 30])))
    if rng.random() < 0.85:
        parts.append(rng.choice(types))
    return "".join(parts)


INT_TYPES = "bcdoxXneEfFgG%" + "bdxd"
FLOAT_TYPES = "eEfFgGn%" + "efg"
ODD_SPECS = ["", "d", "s", "r", "y", ",", "_", ",_", "_,", ",,", "__", ".", ".d",
             "10.", "abc", "<<", "=", "0", "00", "010", "-010", "+010", "z", "z.2f",
             "#", "#x", "#o", "#b", "#X", "_x", "_b", "_o", "_d", ",x", ",d", "n",
             ",n", "c", ",c", "+c", "#c", "5c", "05c", "<5c", "\x00", ",\x00", "\n",
             "ж", "é>10", "١٠", "٣.٢f", "99999999999999999999", ".99999999999f",
             ".2147483648f", ".2147483647s", " ", "+", "-", " 5", "^", "^^", "0^7",
             "x<05", "<05", "=+10", "*=+10", "0=10,", "015,", "012_", "015,.2f",
             "07.3%", ">+#015_x", "%", ".0%", "#.0%", "#", "#g", "#.0e", "#.0f",
             ".0", ".1", ".3", ".17", ".20", "#.3", "#10.3", "e", "E", "g", "G",
             "f", "F", ".0f", ".0e", ".0g", ".1g", ".5g", ".17g", "30.20g"]


def add_format(cases):
    rng = random.Random(1)
    for i, v in enumerate(INTS):
        specs = [random_spec(rng, INT_TYPES) for _ in range(60)]
        if i % 3 == 0:
            specs += ODD_SPECS
        for spec in specs:
            cases.add("format_int", [v, spec], lambda v=v, spec=spec: format(v, spec))
    for b in (True, False):
        specs = ODD_SPECS + [random_spec(rng, INT_TYPES) for _ in range(40)]
        for spec in specs:
            cases.add("format_bool", [b, spec], lambda b=b, spec=spec: format(b, spec))
    floats = FLOATS + [rng.choice([-1, 1]) * rng.uniform(0, 10) ** rng.randint(-30, 30)
                       for _ in range(20)]
    for i, x in enumerate(floats):
        specs = [random_spec(rng, FLOAT_TYPES) for _ in range(45)]
        if i % 4 == 0:
            specs += ODD_SPECS
        for spec in specs:
            cases.add("format_float", [x, spec], lambda x=x, spec=spec: format(x, spec))
    # Rounding of the digits themselves: random doubles, many precisions.
    for _ in range(250):
        bits = rng.getrandbits(64)
        x = struct_float(bits)
        if rng.random() < 0.5:
            x = float(f"{rng.randint(0, 10**6)}.{rng.randint(0, 999)}5")
        for spec in rng.sample(["e", ".0e", ".1e", ".3e", ".16e", ".20e", "f", ".0f",
                                ".1f", ".2f", ".3f", ".17f", "g", ".1g", ".2g", ".4g",
                                ".15g", ".17g", "", ".3", ".12", "#.3g", "%", ".1%",
                                "#.0f", "#.5g"], 5):
            cases.add("format_float", [x, spec], lambda x=x, spec=spec: format(x, spec))
    # Precisions past the exact expansion of a double (767 significant, 1074
    # fractional digits): the rest is zeros.
    for x in [5e-324, 0.1, 2.5, -1e300, 1.7976931348623157e308]:
        for spec in [".1074f", ".1100f", ".767e", ".800e", ".770g", "#.800g", ".1200%"]:
            cases.add("format_float", [x, spec], lambda x=x, spec=spec: format(x, spec))
    for x in [-0.0, -1e-9, -0.004, -0.5, 0.0, -1e-300]:
        for spec in ["z", "z.0f", "z.2f", "z.1e", "z.3g", "z.0%", "z.1%", "z.3",
                     "+z.1f", " z08.2f", "z,.1f"]:
            cases.add("format_float", [x, spec], lambda x=x, spec=spec: format(x, spec))
    for v in [-1, 0, 5]:
        for spec in ["z.2f", "z.0%", "+z.1e"]:
            cases.add("format_int", [v, spec], lambda v=v, spec=spec: format(v, spec))
    str_specs = ODD_SPECS + ["s", "10s", "<10", ">10", "^10", "^11", "*^9", ".2", ".0",
                             "10.3", "^7.2s", "é>8", "=10", "+s", "#s", "z", "0",
                             "010", "0>10", ",s", "_", "1", "3.1"]
    for i, s in enumerate(STRS[:30] + ["", "x", "日本", "e\u0301"]):
        specs = [random_spec(rng, "s") for _ in range(20)]
        if i % 3 == 0:
            specs += str_specs
        for spec in specs:
            cases.add("format_str", [s, spec], lambda s=s, spec=spec: format(s, spec))


def struct_float(bits):
    """The double with these 64 bits (a NaN becomes 1.5)."""
    x = struct.unpack("<d", bits.to_bytes(8, "little"))[0]
    return 1.5 if math.isnan(x) else x


# ------------------------------------------------------------------- round

def add_round(cases):
    rng = random.Random(2)
    ndigits = [None, -400, -309, -308, -307, -300, -20, -5, -2, -1, 0, 1, 2, 3, 5,
               10, 15, 17, 20, 100, 300, 323, 324, 400]
    values = FLOATS + [0.5, -0.5, 1.5, 3.5, -3.5, 0.45, 1.005, 2.345, 1250.0, 1350.0,
                       -1250.0, 1234.5678, 9.223372036854775807e18,
                       -9.223372036854775808e18, 9.3e18, 4.5e15, 0.285, 5.5e-8,
                       1e308, 8.5e307]
    for x in values:
        for n in ndigits:
            cases.add("round_float", [x, n],
                      lambda x=x, n=n: round(x) if n is None else round(x, n))
    for _ in range(1000):
        if rng.random() < 0.5:
            x = rng.randint(-10**8, 10**8) / 10 ** rng.randint(0, 6) + 0.0
            if rng.random() < 0.3:
                x = rng.randint(-10**6, 10**6) + 0.5
        else:
            x = struct_float(rng.getrandbits(64))
        n = rng.choice([None, rng.randint(-20, 20), rng.randint(-320, 330)])
        cases.add("round_float", [x, n],
                  lambda x=x, n=n: round(x) if n is None else round(x, n))
    for v in INTS + [5, 15, 25, -5, -15, 1250, 1350, -1250, -1350, 1251, 9 * 10**18,
                     -9 * 10**18, 4 * 10**18, 5 * 10**18, -5 * 10**18]:
        # (Not I64_MIN: CPython computes 10**2**63 and never answers.)
        for n in list(range(-22, 3)) + [-1000, I64_MAX]:
            cases.add("round_int", [v, n], lambda v=v, n=n: round(v, n))
    for _ in range(300):
        v = rng.randint(I64_MIN, I64_MAX) >> rng.randint(0, 60)
        n = rng.randint(-20, 1)
        cases.add("round_int", [v, n], lambda v=v, n=n: round(v, n))


# -------------------------------------------------------------------- repr

def add_repr(cases):
    rng = random.Random(3)
    for s in STRS:
        cases.add("str_repr", [s], lambda s=s: repr(s))
    for start in range(0, 0x300, 16):
        s = "".join(chr(c) for c in range(start, start + 16))
        cases.add("str_repr", [s], lambda s=s: repr(s))
    pool = [cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]
    for _ in range(600):
        s = "".join(chr(rng.choice(pool)) for _ in range(rng.randint(1, 8)))
        if rng.random() < 0.3:
            s += rng.choice(["'", '"', "'\"", "\\"])
        cases.add("str_repr", [s], lambda s=s: repr(s))
    for s in ["'", '"', "'\"", "\"'", "a'b", 'a"b', "it's \"x\""]:
        cases.add("str_repr", [s], lambda s=s: repr(s))


# ------------------------------------------------------------------- parse

def add_parse(cases):
    rng = random.Random(4)
    int_inputs = ["0", "1", "-1", "+1", " 42 ", "\t-17\n", "1_000", "1__000", "_1",
                  "1_", "0x1f", "0X1F", "0o17", "0b101", "0b", "0x", "0x_1f", "0x__1f",
                  "0_x1", "00", "007", "0_0", "0_7", "-0", "- 1", "+-1", "", " ", "x2",
                  "12abc", "٣", "١٢٣", "𝟗𝟘", "\u20037\u2003", "\x857\x85", "\x1c5",
                  "5\x1c", "\x0b5\x0c", "1\x002", "9223372036854775807",
                  "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                  "99999999999999999999", "99999999999999999999x", "0b" + "1" * 64,
                  "-0b1" + "0" * 63, "0x7fffffffffffffff", "-0x8000000000000000",
                  "zz", "ZZ", "z_z", "1e5", "1.0", "½", "²", "١_٢", "0b1__1",
                  "0" * 30 + "7", "é", "\x7f", "1\x7f", "9" * 18, "-" + "9" * 18,
                  "1" + "0" * 18, "-1" + "0" * 17, "-", "--1", "-+1", "1-"]
    for s in int_inputs:
        for base in [0, 2, 8, 10, 16, 36]:
            cases.add("parse_int", [s, base], lambda s=s, base=base: int(s, base))
    # The 4300-digit limit (not for power-of-two bases) and the repr cut at
    # 200 characters in the message.
    for s in ["1" * 4301, "1" * 4300, "0" * 4301, "1" * 4301 + "x", "1" * 4301 + "_",
              "x" * 250, "é" * 199 + "'"]:
        for base in [10, 16]:
            cases.add("parse_int", [s, base], lambda s=s, base=base: int(s, base))
    for s in ["1", "z"]:
        for base in [1, 3, 37, 100]:
            cases.add("parse_int", [s, base], lambda s=s, base=base: int(s, base))
    alphabet = "0123456789abcdefxXoObB_ +-\t٣"
    for _ in range(600):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        base = rng.choice([0, 2, 8, 10, 16, 36, rng.randint(2, 36)])
        cases.add("parse_int", [s, base], lambda s=s, base=base: int(s, base))
    float_inputs = ["0", "1", "-1", "+1.5", " 2.5 ", "1.", ".5", ".", "-.5", "1e5",
                    "1E+5", "1e-5", "1e", "e5", "1e+", "1.5e3.2", "inf", "-inf", "+INF",
                    "Infinity", "-iNfInItY", "infinit", "infinityx", "nan", "-nan",
                    "NaN", "nan(1)", "1_000.5", "1_000._5", "1__0", "_1", "1_", "1_e5",
                    "1e_5", "1e1_0", "0x1p3", "١.٥", "٣e٢", "\u20031.5\u2003",
                    "\x851\x85", "\x1c1", "1\x00", "", " ", "abc", "1e400", "-1e400",
                    "1e-400", "2.2250738585072011e-308", "4.9406564584124654e-324",
                    "2.4703282292062327e-324", "2.4703282292062328e-324",
                    "1.7976931348623158e308", "1.7976931348623159e308",
                    "0.1000000000000000055511151231257827021181583404541015625",
                    "9007199254740993", "1" + "0" * 400, "0." + "0" * 400 + "1",
                    "1e99999999999999999999", "0e99999999999999999999",
                    "1e-99999999999999999999", "00001.5000", "+.e1", "- 1", "1 2",
                    "½", "1.5é"]
    for s in float_inputs:
        cases.add("parse_float", [s], lambda s=s: float(s))
    alphabet = "0123456789._eE+-  inafINF٣"
    for _ in range(600):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        cases.add("parse_float", [s], lambda s=s: float(s))
    for _ in range(300):
        x = struct_float(rng.getrandbits(64))
        s = rng.choice([repr(x), f"{x:.20e}", f"{x:.3e}", f"{x:.25g}"])
        cases.add("parse_float", [s], lambda s=s: float(s))


# ------------------------------------------------------------------- str()

def add_scalars(cases):
    rng = random.Random(7)
    for v in INTS:
        cases.add("str_int", [v], lambda v=v: str(v))
    # Exact values with a short binary fraction: where two shortest
    # candidates can be equally near (repr takes the even one).
    ties = [rng.randint(2**52, 2**53 - 1) / 2 ** rng.randint(1, 6) * 2.0 ** rng.randint(-70, 70)
            for _ in range(300)]
    for x in FLOATS + ties + [struct_float(rng.getrandbits(64)) for _ in range(100)]:
        cases.add("str_float", [x], lambda x=x: str(x))
    for x in ties[:100]:
        for spec in ["", ">30", "<", "+", "#", "z"]:
            cases.add("format_float", [x, spec], lambda x=x, spec=spec: format(x, spec))
    for b in (True, False):
        cases.add("str_bool", [b], lambda b=b: str(b))


# ---------------------------------------------------------------- int math

def add_int_math(cases):
    """`pymath`: three-argument pow, gcd, lcm, isqrt, comb, perm,
    factorial, bit_length, bit_count, bin/oct/hex and math.hypot."""
    rng = random.Random(11)
    small = [0, 1, 2, 3, 5, 7, 10, 12, 18, 20, 21, 25, 30, 33, 34, 60, 62, 66, 67, 100]
    wide = [rng.randint(I64_MIN, I64_MAX) for _ in range(40)]
    mid = [rng.randint(-10**6, 10**6) for _ in range(40)]
    vals = INTS + small + [-x for x in small] + wide + mid
    for a in vals:
        cases.add("isqrt", [a], lambda a=a: math.isqrt(a))
        cases.add("bit_length", [a], lambda a=a: a.bit_length())
        cases.add("bit_count", [a], lambda a=a: a.bit_count())
        for radix, f in ((2, bin), (8, oct), (16, hex)):
            cases.add("int_to_radix", [a, radix], lambda a=a, f=f: f(a))
        if a <= 40:  # larger factorials only overflow (slowly, in CPython)
            cases.add("factorial", [a], lambda a=a: math.factorial(a))
    counts = small + [-x for x in small[1:6]] + [rng.randint(0, 70) for _ in range(30)]
    for n in counts:
        for k in counts[:25]:
            cases.add("comb", [n, k], lambda n=n, k=k: math.comb(n, k))
            cases.add("perm", [n, k], lambda n=n, k=k: math.perm(n, k))
    for _ in range(600):
        a, b = rng.choice(vals), rng.choice(vals)
        cases.add("gcd", [a, b], lambda a=a, b=b: math.gcd(a, b))
        cases.add("lcm", [a, b], lambda a=a, b=b: math.lcm(a, b))
    exps = [0, 1, 2, 3, -1, -2, -3, 63, 10**18, I64_MAX, I64_MIN]
    for _ in range(1500):
        base, mod = rng.choice(vals), rng.choice(vals + [0, 1, -1, 2, 97, -97])
        exp = rng.choice(exps + [rng.randint(-50, 10**6)])
        cases.add("pow_mod", [base, exp, mod], lambda b=base, e=exp, m=mod: pow(b, e, m))
    floats = [x for x in FLOATS if not math.isnan(x)]
    for x in floats:
        for y in floats:
            cases.add("hypot", [x, y], lambda x=x, y=y: math.hypot(x, y))
    for _ in range(3000):
        e1 = rng.randint(-1074, 1023)
        e2 = max(-1074, min(1023, e1 + rng.randint(-60, 60)))
        x, y = rng.random() * 2.0 ** e1, -rng.random() * 2.0 ** e2
        cases.add("hypot", [x, y], lambda x=x, y=y: math.hypot(x, y))


# ----------------------------------------------------------------- methods

def add_methods(cases):
    rng = random.Random(5)
    pieces = ["a", "b", "ab", " ", "  ", ",", "Σ", "é", "日", "😀", "\u2003", "\x1c", "X",
              "1", "٣", "ß", "İ", "ǅ", "\u0301", "'", "\t", "\n"]
    strs = STRS + ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
                   for _ in range(40)]
    preds = ["isdigit", "isalpha", "isspace", "isalnum", "isdecimal", "isnumeric",
             "isupper", "islower", "istitle", "isprintable"]
    subs = ["", "a", "ab", "Σ", "é", " ", "😀", "ss", "xyz"]
    searches = ["find", "rfind", "index", "rindex", "count", "startswith", "endswith"]
    for s in strs:
        n = len(s)
        cases.add("len", [s], lambda s=s: len(s))
        for name in ["upper", "lower", "title", "capitalize"] + preds:
            cases.add(name, [s], lambda s=s, name=name: getattr(s, name)())
        for chars in [None] + rng.sample(["", " ", "a", "ab", "Σ", " ,", "\u2003x"], 3):
            for name in ["strip", "lstrip", "rstrip"]:
                cases.add(name, [s, chars], lambda s=s, n=name, c=chars: getattr(s, n)(c))
        seps = [None, ",", " ", "a", "ab", "Σ", "", "\u2003"]
        for sep, maxsplit in [(sep, -1) for sep in seps] + [
                (rng.choice(seps), rng.choice([0, 1, 2])) for _ in range(4)]:
            for name in ["split", "rsplit"]:
                cases.add(name, [s, sep, maxsplit],
                          lambda s=s, n=name, sep=sep, m=maxsplit: getattr(s, n)(sep, m))
        bounds = [(None, None), (1, None), (-3, None), (None, -1), (2, 5), (5, 2),
                  (-100, 100), (100, None), (0, 0), (n, None), (n, n), (-1, None)]
        for sub, (start, end) in [(sub, (None, None)) for sub in subs[:4]] + [
                (rng.choice(subs), rng.choice(bounds)) for _ in range(5)]:
            for name in searches:
                cases.add(name, [s, sub, start, end],
                          lambda s=s, n=name, sub=sub, a=start, b=end: getattr(s, n)(sub, a, b))
        for sub in subs:
            cases.add("contains", [s, sub], lambda s=s, sub=sub: sub in s)
        replaces = [("a", "b"), ("", "-"), ("ab", ""), ("Σ", "σσ"), ("s", "S"), (" ", "  ")]
        for (old, new), count in [(r, -1) for r in replaces] + [
                (rng.choice(replaces), rng.choice([0, 1, 2])) for _ in range(3)]:
            cases.add("replace", [s, old, new, count],
                      lambda s=s, o=old, n=new, c=count: s.replace(o, n, c))
        for width in [-1, 3, 8, 11]:
            cases.add("zfill", [s, width], lambda s=s, w=width: s.zfill(w))
            fill = rng.choice([" ", "*", "日"])
            for name in ["center", "ljust", "rjust"]:
                cases.add(name, [s, width, fill],
                          lambda s=s, n=name, w=width, f=fill: getattr(s, n)(w, f))
        for i in sorted({0, 1, -1, n - 1, n, -n, -n - 1, 5, I64_MIN, I64_MAX}):
            cases.add("get", [s, i], lambda s=s, i=i: s[i], kind="c")
        opts = [None, 0, 1, 2, -1, -2, 3, 100, -100, I64_MIN, I64_MAX]
        for _ in range(8):
            a, b = rng.choice(opts), rng.choice(opts)
            c = rng.choice([None, 1, 2, -1, -2, 3, 0, I64_MIN, I64_MAX])
            cases.add("slice", [s, a, b, c], lambda s=s, a=a, b=b, c=c: s[a:b:c])
        for k in [-1, 0, 1, 3]:
            cases.add("repeat", [s, k], lambda s=s, k=k: s * k)
    for s in ["ab", "日", "x", ""]:
        for k in [2**62, I64_MAX]:
            cases.add("repeat", [s, k], lambda s=s, k=k: s * k)
    for sep in ["", ",", ", ", "Σ"]:
        for items in [[], [""], ["a"], ["a", "b"], ["", ""], ["日本", "😀", "x"],
                      ["a|b", "c"]]:
            cases.add("join", [sep, items], lambda sep=sep, items=items: sep.join(items))
    for s in ["-42", "+42", "42", "-", "+", "", "--1", "a-1", "-日"]:
        for width in [0, 1, 2, 3, 5]:
            cases.add("zfill", [s, width], lambda s=s, w=width: s.zfill(w))
    for s in ["a", "ab", "abc", ""]:
        for width in range(0, 8):
            for name in ["center", "ljust", "rjust"]:
                cases.add(name, [s, width, "*"],
                          lambda s=s, n=name, w=width: getattr(s, n)(w, "*"))


def add_chars(cases):
    """One line per character: every class predicate and case mapping."""
    rng = random.Random(6)
    pool = char_pool()
    others = [cp for cp in range(0x250, 0x110000) if not 0xD800 <= cp < 0xE000]
    pool = sorted(set(pool) | set(rng.sample(others, 1200)))
    for cp in pool:
        ch = chr(cp)
        flags = "".join("1" if f else "0" for f in [
            ch.isprintable(), ch.isalpha(), ch.isdecimal(), ch.isdigit(), ch.isnumeric(),
            ch.isalnum(), ch.isspace(), ch.isupper(), ch.islower(), ch.istitle()])
        cases.add("char", [ch], lambda: [flags, ch.upper(), ch.lower(), ch.title()])


def main():
    if sys.version_info[:2] != (3, 11) and "--any-python" not in sys.argv:
        sys.exit("gen_py_cases.py: run with CPython 3.11, the oracle (or pass --any-python)")
    cases = Cases()
    add_format(cases)
    add_round(cases)
    add_repr(cases)
    add_parse(cases)
    add_scalars(cases)
    add_int_math(cases)
    add_methods(cases)
    add_chars(cases)
    header = [
        "# CPython %s's answers for roast_runtime::py, one case per line." % sys.version.split()[0],
        "# Generated by `python3 runtime/core/tests/gen_py_cases.py`; do not edit.",
        "# Format: see the generator's docstring.",
    ]
    OUT.write_text("\n".join(header + cases.lines) + "\n", encoding="utf-8")
    print(f"wrote {len(cases.lines)} cases to {OUT}")


if __name__ == "__main__":
    main()
