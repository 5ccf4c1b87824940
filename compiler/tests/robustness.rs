//! The compiler never panics, hangs or overflows its stack: inputs of
//! extreme shape each compile or get diagnostics. (Mutated and random
//! inputs are the fuzz targets' job: `fuzz/`, smoke-run by `cargo test`.)

use roast_compiler::driver::{self, Source};

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
        (
            "10,000-item list display",
            format!("xs = [{}]\nprint(len(xs))\n", vec!["1"; 10_000].join(", ")),
        ),
        (
            "300 nested lists",
            format!("xs = {}1{}\n", "[".repeat(300), "]".repeat(300)),
        ),
        (
            "100,000-character string literal",
            format!("s = \"{}\"\nprint(len(s))\n", "é".repeat(100_000)),
        ),
        ("f-string with 2,000 fields", {
            let fields: String = (0..2000).map(|i| format!("{{x + {i}}}-")).collect();
            format!("x = 1\nprint(f\"{fields}\")\n")
        }),
        ("2,000-key dict display", {
            let items: Vec<String> = (0..2000).map(|i| format!("\"k{i}\": {i}")).collect();
            format!("d = {{{}}}\nprint(len(d))\n", items.join(", "))
        }),
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

#[test]
fn a_ten_megabyte_module_is_checked() {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 10_000_000 {
        text.push_str(&format!(
            "def f{i}(xs: list[int]) -> str:\n    return str(len(xs) * {i}) + \"é\"\n\n"
        ));
        i += 1;
    }
    let source = Source::new("big.roast", text);
    let start = std::time::Instant::now();
    let (_, module) = driver::check(&source).expect("a valid module");
    assert_eq!(module.functions.len(), i);
    // A guard against hangs, not a speed assertion (about 10 s in a debug build).
    assert!(start.elapsed().as_secs() < 120);
}
