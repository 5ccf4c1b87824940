//! Checks `roast_runtime::py` against CPython 3.11, case by case.
//!
//! The expectations in `py_cases.txt` were computed by CPython itself; to
//! regenerate them (after changing the generator, or to re-verify), run
//!
//! ```text
//! python3 runtime/core/tests/gen_py_cases.py
//! ```
//!
//! with the oracle interpreter (CPython 3.11). The file format is described
//! in the generator's docstring.

use roast_runtime::py::{self, format, parse, pymath, pystr, repr, round, PyErr};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One typed field of a case line.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    None,
    Char(char),
    List(Vec<String>),
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('p') => out.push('|'),
            Some('u') => {
                let rest: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let hex = rest.strip_prefix('{').expect("\\u{hex}");
                let cp = u32::from_str_radix(hex, 16).expect("hex code point");
                out.push(char::from_u32(cp).expect("a scalar value"));
            }
            other => panic!("bad escape \\{other:?} in {text:?}"),
        }
    }
    out
}

fn parse_val(field: &str) -> Val {
    let (tag, body) = field.split_once(':').expect("typed field");
    match tag {
        "s" => Val::Str(unescape(body)),
        "i" => Val::Int(body.parse().expect("int field")),
        "f" => Val::Float(body.parse().expect("float field")),
        "b" => Val::Bool(body == "True"),
        "n" => Val::None,
        "c" => {
            let s = unescape(body);
            let mut it = s.chars();
            let c = it.next().expect("one character");
            assert!(it.next().is_none(), "char field {field:?}");
            Val::Char(c)
        }
        _ if tag.starts_with('l') => {
            let n: usize = tag[1..].parse().expect("list length");
            let items: Vec<String> = if n == 0 {
                assert!(body.is_empty(), "list field {field:?}");
                Vec::new()
            } else {
                body.split('|').map(unescape).collect()
            };
            assert_eq!(items.len(), n, "list field {field:?}");
            Val::List(items)
        }
        _ => panic!("unknown field tag in {field:?}"),
    }
}

fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Float(x), Val::Float(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

type Outcome = Result<Val, PyErr>;

fn s(args: &[Val], i: usize) -> &str {
    match &args[i] {
        Val::Str(s) => s,
        v => panic!("argument {i} should be a str, got {v:?}"),
    }
}

fn int(args: &[Val], i: usize) -> i64 {
    match args[i] {
        Val::Int(v) => v,
        ref v => panic!("argument {i} should be an int, got {v:?}"),
    }
}

fn opt_int(args: &[Val], i: usize) -> Option<i64> {
    match args[i] {
        Val::None => None,
        _ => Some(int(args, i)),
    }
}

fn opt_str(args: &[Val], i: usize) -> Option<&str> {
    match args[i] {
        Val::None => None,
        _ => Some(s(args, i)),
    }
}

fn float(args: &[Val], i: usize) -> f64 {
    match args[i] {
        Val::Float(v) => v,
        ref v => panic!("argument {i} should be a float, got {v:?}"),
    }
}

fn one_char(args: &[Val], i: usize) -> char {
    let text = s(args, i);
    let mut it = text.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => c,
        _ => panic!("argument {i} should be one character, got {text:?}"),
    }
}

/// A list of owned copies of `pieces`.
fn strings(pieces: Vec<&str>) -> Val {
    Val::List(pieces.into_iter().map(String::from).collect())
}

fn string(s: impl Into<String>) -> Val {
    Val::Str(s.into())
}

/// Calls the function a case names.
fn call(func: &str, a: &[Val]) -> Outcome {
    let search = |f: fn(pystr::Text, &str, Option<i64>, Option<i64>) -> i64| {
        Val::Int(f(s(a, 0).into(), s(a, 1), opt_int(a, 2), opt_int(a, 3)))
    };
    let search_bool = |f: fn(pystr::Text, &str, Option<i64>, Option<i64>) -> bool| {
        Val::Bool(f(s(a, 0).into(), s(a, 1), opt_int(a, 2), opt_int(a, 3)))
    };
    let pred = |f: fn(&str) -> bool| Val::Bool(f(s(a, 0)));
    Ok(match func {
        "format_int" => string(format::format_int(int(a, 0), s(a, 1))?),
        "format_float" => string(format::format_float(float(a, 0), s(a, 1))?),
        "format_str" => string(format::format_str(s(a, 0), s(a, 1))?),
        "format_bool" => {
            let Val::Bool(b) = a[0] else { panic!("bool") };
            string(format::format_bool(b, s(a, 1))?)
        }
        "round_float" => match round::round_float(float(a, 0), opt_int(a, 1))? {
            round::Rounded::Int(v) => Val::Int(v),
            round::Rounded::Float(x) => Val::Float(x),
        },
        "round_int" => Val::Int(round::round_int(int(a, 0), int(a, 1))?),
        "pow_mod" => Val::Int(pymath::pow_mod(int(a, 0), int(a, 1), int(a, 2))?),
        "gcd" => Val::Int(pymath::gcd(&[int(a, 0), int(a, 1)])?),
        "lcm" => Val::Int(pymath::lcm(&[int(a, 0), int(a, 1)])?),
        "isqrt" => Val::Int(pymath::isqrt(int(a, 0))?),
        "comb" => Val::Int(pymath::comb(int(a, 0), int(a, 1))?),
        "perm" => Val::Int(pymath::perm(int(a, 0), int(a, 1))?),
        "factorial" => Val::Int(pymath::factorial(int(a, 0))?),
        "bit_length" => Val::Int(pymath::bit_length(int(a, 0))),
        "bit_count" => Val::Int(pymath::bit_count(int(a, 0))),
        "int_to_radix" => string(pymath::int_to_radix(int(a, 0), int(a, 1) as u32)),
        "hypot" => Val::Float(pymath::hypot(float(a, 0), float(a, 1))),
        "str_repr" => string(repr::str_repr(s(a, 0))),
        "parse_int" => Val::Int(parse::parse_int(s(a, 0), int(a, 1) as u32)?),
        "parse_float" => Val::Float(parse::parse_float(s(a, 0))?),
        "str_int" => string(py::str_int(int(a, 0))),
        "str_float" => string(py::str_float(float(a, 0))),
        "str_bool" => {
            let Val::Bool(b) = a[0] else { panic!("bool") };
            string(py::str_bool(b))
        }
        "len" => Val::Int(pystr::len(s(a, 0))),
        "upper" => string(pystr::upper(s(a, 0))),
        "lower" => string(pystr::lower(s(a, 0))),
        "title" => string(pystr::title(s(a, 0))),
        "capitalize" => string(pystr::capitalize(s(a, 0))),
        "isdigit" => pred(pystr::isdigit),
        "isalpha" => pred(pystr::isalpha),
        "isspace" => pred(pystr::isspace),
        "isalnum" => pred(pystr::isalnum),
        "isdecimal" => pred(pystr::isdecimal),
        "isnumeric" => pred(pystr::isnumeric),
        "isupper" => pred(pystr::isupper),
        "islower" => pred(pystr::islower),
        "istitle" => pred(pystr::istitle),
        "isprintable" => pred(pystr::isprintable),
        "strip" => string(pystr::strip(s(a, 0), opt_str(a, 1))),
        "lstrip" => string(pystr::lstrip(s(a, 0), opt_str(a, 1))),
        "rstrip" => string(pystr::rstrip(s(a, 0), opt_str(a, 1))),
        "split" => strings(pystr::split(s(a, 0), opt_str(a, 1), int(a, 2))?),
        "rsplit" => strings(pystr::rsplit(s(a, 0), opt_str(a, 1), int(a, 2))?),
        "join" => {
            let Val::List(items) = &a[1] else {
                panic!("list")
            };
            string(pystr::join(s(a, 0), items))
        }
        "replace" => string(pystr::replace(s(a, 0), s(a, 1), s(a, 2), int(a, 3))),
        "find" => search(pystr::find),
        "rfind" => search(pystr::rfind),
        "index" => Val::Int(pystr::index(
            s(a, 0).into(),
            s(a, 1),
            opt_int(a, 2),
            opt_int(a, 3),
        )?),
        "rindex" => Val::Int(pystr::rindex(
            s(a, 0).into(),
            s(a, 1),
            opt_int(a, 2),
            opt_int(a, 3),
        )?),
        "count" => search(pystr::count),
        "startswith" => search_bool(pystr::startswith),
        "endswith" => search_bool(pystr::endswith),
        "contains" => Val::Bool(pystr::contains(s(a, 0), s(a, 1))),
        "zfill" => string(pystr::zfill(s(a, 0), int(a, 1))?),
        "center" => string(pystr::center(s(a, 0), int(a, 1), one_char(a, 2))?),
        "ljust" => string(pystr::ljust(s(a, 0), int(a, 1), one_char(a, 2))?),
        "rjust" => string(pystr::rjust(s(a, 0), int(a, 1), one_char(a, 2))?),
        "get" => Val::Char(pystr::get(s(a, 0), int(a, 1))?),
        "slice" => string(pystr::slice(
            s(a, 0),
            opt_int(a, 1),
            opt_int(a, 2),
            opt_int(a, 3),
        )?),
        "repeat" => string(pystr::repeat(s(a, 0), int(a, 1))?),
        "char" => {
            let text = s(a, 0);
            let flags: String = [
                pystr::isprintable,
                pystr::isalpha,
                pystr::isdecimal,
                pystr::isdigit,
                pystr::isnumeric,
                pystr::isalnum,
                pystr::isspace,
                pystr::isupper,
                pystr::islower,
                pystr::istitle,
            ]
            .iter()
            .map(|f| if f(text) { '1' } else { '0' })
            .collect();
            Val::List(vec![
                flags,
                pystr::upper(text),
                pystr::lower(text),
                pystr::title(text),
            ])
        }
        _ => panic!("unknown function {func:?}"),
    })
}

/// Every function the vector file must exercise.
const FUNCTIONS: &[&str] = &[
    "format_int",
    "format_float",
    "format_str",
    "format_bool",
    "round_float",
    "round_int",
    "pow_mod",
    "gcd",
    "lcm",
    "isqrt",
    "comb",
    "perm",
    "factorial",
    "bit_length",
    "bit_count",
    "int_to_radix",
    "hypot",
    "str_repr",
    "parse_int",
    "parse_float",
    "str_int",
    "str_float",
    "str_bool",
    "len",
    "upper",
    "lower",
    "title",
    "capitalize",
    "isdigit",
    "isalpha",
    "isspace",
    "isalnum",
    "isdecimal",
    "isnumeric",
    "isupper",
    "islower",
    "istitle",
    "isprintable",
    "strip",
    "lstrip",
    "rstrip",
    "split",
    "rsplit",
    "join",
    "replace",
    "find",
    "rfind",
    "index",
    "rindex",
    "count",
    "startswith",
    "endswith",
    "contains",
    "zfill",
    "center",
    "ljust",
    "rjust",
    "get",
    "slice",
    "repeat",
    "char",
];

/// Runs every case of `py_cases.txt` that `call` answers (`Some`),
/// returning how many each function had and the lines that differ.
fn run_cases(
    call: impl Fn(&str, &[Val]) -> Option<Outcome>,
) -> (BTreeMap<String, usize>, Vec<String>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/py_cases.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("cannot read {path}: {e}; regenerate it with python3 runtime/core/tests/gen_py_cases.py")
    });
    let mut per_function: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (lineno, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let (func, rest) = fields.split_first().expect("a function name");
        let (expected, args) = rest.split_last().expect("a result");
        let args: Vec<Val> = args.iter().map(|f| parse_val(f)).collect();
        let Some(got) = call(func, &args) else {
            continue;
        };
        *per_function.entry(func.to_string()).or_default() += 1;
        let ok = match (expected.strip_prefix('='), &got) {
            (Some(want), Ok(v)) => same(&parse_val(want), v),
            (None, Err(e)) => {
                let want = expected.strip_prefix('!').expect("=value or !error");
                let (kind, message) = want.split_once(':').expect("Kind:message");
                e.kind.name() == kind && e.message == unescape(message)
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("line {}: {line}\n    got {got:?}", lineno + 1));
        }
    }
    (per_function, failures)
}

/// Panics listing the first `failures` out of `total` cases.
fn report(failures: &[String], total: usize) {
    if !failures.is_empty() {
        let mut report = format!("{} of {total} cases differ from CPython:\n", failures.len());
        for f in failures.iter().take(40) {
            let _ = writeln!(report, "{f}");
        }
        panic!("{report}");
    }
}

#[test]
fn matches_cpython() {
    let (per_function, failures) = run_cases(|func, args| Some(call(func, args)));
    let missing: Vec<&&str> = FUNCTIONS
        .iter()
        .filter(|f| !per_function.contains_key(**f))
        .collect();
    assert!(
        missing.is_empty(),
        "py_cases.txt has no cases for {missing:?}"
    );
    let total: usize = per_function.values().sum();
    assert!(
        total >= 10_000,
        "py_cases.txt has only {total} cases; regenerate it"
    );
    report(&failures, total);
    eprintln!("{total} cases match CPython: {per_function:?}");
}

/// The format cases again, with each spec packed as the compiler packs a
/// literal f-string spec (the ones `pack_spec` takes; the others keep
/// their text and are checked above).
#[test]
fn packed_specs_match_cpython() {
    let plain_widths = std::cell::Cell::new(0);
    let (per_function, failures) = run_cases(|func, a| {
        use format::{Formattable, SpecTarget};
        let (value, target) = match func {
            "format_int" => (Formattable::Int(int(a, 0)), SpecTarget::Int),
            "format_float" => (Formattable::Float(float(a, 0)), SpecTarget::Float),
            "format_str" => (Formattable::Str(s(a, 0)), SpecTarget::Str),
            "format_bool" => {
                let Val::Bool(b) = a[0] else { panic!("bool") };
                (Formattable::Bool(b), SpecTarget::Bool)
            }
            _ => return None,
        };
        let packed = format::pack_spec(s(a, 1), target)?;
        let mut out = String::new();
        let got = format::format_packed_into(value, packed, &mut out);
        // The plain widths the runtime writes without the general path.
        if let (Formattable::Int(x), Some((zero, width))) =
            (value, format::packed_int_padding(packed))
        {
            let mut fast = String::new();
            format::push_padded_int(x, zero, width, &mut fast);
            assert_eq!(fast, out, "format({x}, {:?}) by its plain width", s(a, 1));
            plain_widths.set(plain_widths.get() + 1);
        }
        Some(got.map(|()| string(out)))
    });
    let total: usize = per_function.values().sum();
    assert!(
        per_function.len() == 4 && total >= 2_000,
        "only {per_function:?} packed format cases"
    );
    // Plain widths (`5`, `05d`, `>7`) are common among the int cases.
    assert!(
        plain_widths.get() >= 50,
        "{} plain widths",
        plain_widths.get()
    );
    report(&failures, total);
    eprintln!("{total} packed format cases match CPython: {per_function:?}");
}
