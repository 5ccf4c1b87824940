//! Golden tests for the generated Rust bindings: the text for a
//! representative interface is pinned in `tests/golden/*.rs`. Run with
//! `ROAST_BLESS=1` to rewrite the golden files after an intended change, and
//! review the diff.

use roast_compiler::bindgen::{self, Linking};
use roast_compiler::driver::{self, Source};
use std::path::Path;

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("ROAST_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected =
        std::fs::read_to_string(&path).expect("golden file exists (run with ROAST_BLESS=1)");
    assert_eq!(
        actual, expected,
        "bindings differ from {name}; rerun with ROAST_BLESS=1 if intended"
    );
}

fn scalars() -> Source {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/scalars.roast");
    Source::new(
        "golden/scalars.roast",
        std::fs::read_to_string(path).expect("source"),
    )
}

#[test]
fn external_bindings_for_every_scalar_boundary_type() {
    let compiled = driver::compile_object(&scalars(), "roast_golden_", None).expect("compiles");
    let rust = bindgen::module_items(
        &compiled.interface,
        "golden/scalars.roast",
        Linking::External { library: None },
    );
    golden("scalars.external.rs", &rust);
}

#[test]
fn external_bindings_for_every_heap_boundary_type() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/containers.roast");
    let source = Source::new(
        "golden/containers.roast",
        std::fs::read_to_string(path).expect("source"),
    );
    let compiled = driver::compile_object(&source, "roast_golden_", None).expect("compiles");
    // Every function but `wide`, whose thirteen-item tuple Rust's tuples
    // implement no traits for.
    assert_eq!(
        compiled.interface.functions.len(),
        12,
        "every function but one crosses the boundary"
    );
    assert!(compiled
        .interface
        .functions
        .iter()
        .all(|f| f.name != "wide"));
    let rust = bindgen::module_items(
        &compiled.interface,
        "golden/containers.roast",
        Linking::External { library: None },
    );
    golden("containers.external.rs", &rust);
}

#[test]
fn inline_bindings_carry_the_code_in_global_asm() {
    let rust = driver::compile_inline(&scalars(), "roast_golden_").expect("compiles");
    assert!(
        rust.contains("::core::arch::global_asm!("),
        "no global_asm! block"
    );
    assert!(
        rust.contains("sym ::roast::__private::rt::roast_rt_print_str"),
        "runtime calls are sym operands"
    );
    assert!(
        rust.contains(".globl roast_golden_add"),
        "exported shims are global labels"
    );
    assert!(
        !rust.contains(".globl roast_golden_f5__hidden"),
        "private functions stay local"
    );
    // Apart from the machine code, both routes generate the same Rust.
    let start = rust
        .find("\n::core::arch::global_asm!(")
        .expect("asm block");
    let end = start + rust[start..].find("\n);\n").expect("asm block end") + "\n);\n".len();
    let without_asm = format!("{}{}", &rust[..start], &rust[end..]);
    let compiled = driver::compile_object(&scalars(), "roast_golden_", None).expect("compiles");
    let external = bindgen::module_items(
        &compiled.interface,
        "golden/scalars.roast",
        Linking::External { library: None },
    );
    assert_eq!(without_asm, external);
}

#[test]
fn bindings_and_objects_are_deterministic() {
    let a = driver::compile_object(&scalars(), "roast_golden_", None).expect("compiles");
    let b = driver::compile_object(&scalars(), "roast_golden_", None).expect("compiles");
    assert_eq!(a.object, b.object, "two compiles of one source differ");
    let ia = driver::compile_inline(&scalars(), "roast_golden_").expect("compiles");
    let ib = driver::compile_inline(&scalars(), "roast_golden_").expect("compiles");
    assert_eq!(ia, ib);
}

#[test]
fn every_binding_checks_the_runtime_abi_version() {
    let compiled = driver::compile_object(&scalars(), "roast_golden_", None).expect("compiles");
    let rust = bindgen::module_items(
        &compiled.interface,
        "x.roast",
        Linking::External { library: None },
    );
    let stamp = format!(
        "::roast::__private::ABI_VERSION == {}",
        roast_runtime::ABI_VERSION
    );
    assert!(rust.contains(&stamp), "missing ABI assertion `{stamp}`");
}
