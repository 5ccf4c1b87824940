//! Fuzz targets for the Roast compiler, shared by the cargo-fuzz binaries
//! (`fuzz_targets/`) and the bounded smoke run `cargo test` does
//! (`tests/smoke.rs`). Every target must return normally on any input: the
//! compiler answers bad input with diagnostics, never a panic.

use roast_compiler::driver::{self, Source};
use std::path::Path;
use std::sync::OnceLock;

/// Deterministic xorshift64 random numbers.
pub struct XorShift(pub u64);

impl XorShift {
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Fragments the structure-aware mutator inserts: Python syntax and the
/// values most likely to reach edge cases.
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
    " in ",
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
    "str(",
    "len(",
    ".append(",
    ".items()",
    "[::-1]",
    "[1:2]",
    "{1: 2}",
    "(1, 'a')",
    " is None",
    ": list[int] = []",
    "-> str",
    "sorted(",
    "key=",
    "*",
    "global ",
    "import math\n",
];

/// Applies 1 to 4 random edits (delete, insert a fragment, duplicate a
/// span, insert a random character) to `text`.
pub fn mutate(text: &str, rng: &mut XorShift) -> String {
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

/// The seed corpus: every conformance and diagnostics program.
pub fn corpus() -> &'static [String] {
    static CORPUS: OnceLock<Vec<String>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests");
        let mut out = Vec::new();
        for dir in [
            "conformance",
            "conformance/tier1",
            "conformance/errors",
            "diagnostics",
        ] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for p in paths {
                if p.extension().is_some_and(|e| e == "roast") {
                    if let Ok(text) = std::fs::read_to_string(&p) {
                        out.push(text);
                    }
                }
            }
        }
        out
    })
}

/// The bytes as UTF-8 text (what `roastc` accepts), if they are.
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Target `parse`: lexer and parser on arbitrary bytes.
pub fn parse_bytes(data: &[u8]) {
    if let Some(text) = text(data) {
        let _ = driver::check(&Source::new("fuzz.roast", text.to_string()));
    }
}

/// Target `compile`: the whole pipeline down to an object file.
pub fn compile_bytes(data: &[u8]) {
    if let Some(text) = text(data) {
        let _ = driver::compile_object(&Source::new("fuzz.roast", text.to_string()), "fuzz_", None);
    }
}

/// Target `mutate` (structure-aware): the input picks a valid program from
/// the corpus and seeds the edits made to it; the result is compiled.
pub fn compile_mutated(data: &[u8]) {
    let corpus = corpus();
    if corpus.is_empty() {
        return;
    }
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for b in data {
        seed = (seed ^ u64::from(*b)).wrapping_mul(0x100_0000_01B3);
    }
    let mut rng = XorShift(seed | 1);
    let program = &corpus[rng.below(corpus.len())];
    let mutant = mutate(program, &mut rng);
    compile_bytes(mutant.as_bytes());
}
