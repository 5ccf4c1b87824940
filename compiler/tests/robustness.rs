//! The compiler never panics, hangs or overflows its stack: mutated valid
//! programs and inputs of extreme shape each compile or get diagnostics.
//! Mutations are deterministic (xorshift from a fixed seed), so a failure
//! reproduces; the failing source is printed.

use roast_compiler::driver::{self, Source};
use std::path::Path;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    ":",
    "\n",
    "    ",
    "\t",
    "def ",
    "return ",
    "if ",
    "else:",
    "while ",
    "for ",
    " in range(",
    "1",
    "0",
    "-",
    "**",
    "//",
    "%",
    "/",
    "==",
    "<",
    "and ",
    "not ",
    "x",
    "\"",
    "'''",
    "f\"{",
    "}",
    "[",
    "]",
    "{",
    ",",
    "=",
    "+=",
    "True",
    "None",
    "1e308",
    "9223372036854775807",
    "lambda",
    "class ",
    "\\",
    "#",
    "é",
    "\u{0}",
    "yield ",
    "pass",
    "break",
    "print(",
    "assert ",
    "int(",
    "float(",
];

fn mutate(text: &str, rng: &mut XorShift) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(4) {
            0 if !chars.is_empty() => {
                let len = 1 + rng.below(8);
                let end = (at + len).min(chars.len());
                chars.drain(at.min(end)..end);
            }
            1 => {
                let frag = FRAGMENTS[rng.below(FRAGMENTS.len())];
                chars.splice(at..at, frag.chars());
            }
            2 if !chars.is_empty() => {
                let start = rng.below(chars.len());
                let end = (start + 1 + rng.below(40)).min(chars.len());
                let copy: Vec<char> = chars[start..end].to_vec();
                chars.splice(at..at, copy);
            }
            _ => {
                let c = char::from_u32(rng.below(0x250) as u32).unwrap_or('?');
                chars.insert(at, c);
            }
        }
    }
    chars.into_iter().collect()
}

fn compile_without_panic(text: String) {
    let source = Source::new("mutant.roast", text.clone());
    let outcome = std::panic::catch_unwind(|| {
        let _ = driver::compile_object(&source, "roast_fuzz_", None);
    });
    assert!(
        outcome.is_ok(),
        "the compiler panicked on:\n-----\n{text}\n-----"
    );
}

#[test]
fn mutated_conformance_programs_never_crash_the_compiler() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance");
    let mut programs: Vec<String> = ["", "tier1"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "roast"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    programs.sort();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut compiled = 0;
    for i in 0..1500 {
        let text = mutate(&programs[i % programs.len()], &mut rng);
        compile_without_panic(text.clone());
        compiled += driver::check(&Source::new("m.roast", text)).is_ok() as usize;
    }
    // Some mutants stay valid: those went through codegen, not just the parser.
    assert!(compiled > 10, "only {compiled} mutants compiled");
}

#[test]
fn extreme_shapes_get_diagnostics_or_compile() {
    let cases: Vec<(&str, String)> = vec![
        (
            "100,000-term sum",
            format!("x = {}\n", vec!["1"; 100_000].join(" + ")),
        ),
        (
            "5,000 nested parentheses",
            format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000)),
        ),
        ("300 nested blocks", {
            let mut s = String::from("def f(x: int) -> int:\n");
            for depth in 1..=300 {
                s.push_str(&format!("{}if x > {depth}:\n", "    ".repeat(depth)));
            }
            s.push_str(&format!("{}return 1\n    return 0\n", "    ".repeat(301)));
            s
        }),
        (
            "5,000 chained comparisons",
            format!("x = {}\n", vec!["1"; 5000].join(" < ")),
        ),
        (
            "10,000 unary minuses",
            format!("x = {}1\n", "-".repeat(10_000)),
        ),
        ("2,000 elifs", {
            let mut s = String::from("def f(x: int) -> int:\n    if x == 0:\n        return 0\n");
            for i in 1..2000 {
                s.push_str(&format!("    elif x == {i}:\n        return {i}\n"));
            }
            s.push_str("    return -1\n");
            s
        }),
        (
            "mixed tabs and spaces",
            "def f(x: int) -> int:\n    if x:\n\treturn 1\n    return 0\n".to_string(),
        ),
        ("NUL bytes", "x = 1\u{0}\u{0}\n".to_string()),
    ];
    for (name, text) in cases {
        let source = Source::new("extreme.roast", text);
        let start = std::time::Instant::now();
        let result = std::panic::catch_unwind(|| {
            driver::compile_object(&source, "roast_x_", None).map(|_| ())
        });
        let elapsed = start.elapsed();
        match result {
            Err(_) => panic!("{name}: the compiler panicked"),
            Ok(Err(e)) => assert!(
                e.rendered.contains("extreme.roast:"),
                "{name}: unlocated diagnostic {e}"
            ),
            Ok(Ok(())) => {}
        }
        // Not a timing assertion on speed, a guard against hangs.
        assert!(elapsed.as_secs() < 60, "{name}: took {elapsed:?}");
    }
}
