//! Cross-compilation: objects are built for the requested target triple
//! (roast-build passes cargo's `TARGET`), not for the machine compiling.

use object::{Architecture, Object};
use roast_compiler::driver::{self, Source};

const SOURCE: &str = "def twice(n: int) -> int:\n    return 2 * n\n";

#[test]
fn builds_an_aarch64_object_on_any_host() {
    let source = Source::new("twice.roast", SOURCE);
    let compiled =
        driver::compile_object(&source, "roast_cross_", Some("aarch64-unknown-linux-gnu"))
            .expect("compiles for aarch64");
    let file = object::File::parse(&*compiled.object).expect("an object file");
    assert_eq!(file.architecture(), Architecture::Aarch64);
    assert_eq!(compiled.interface.functions[0].name, "twice");
}

#[test]
fn host_objects_match_the_host() {
    let compiled =
        driver::compile_object(&Source::new("twice.roast", SOURCE), "roast_cross_", None)
            .expect("compiles");
    let file = object::File::parse(&*compiled.object).expect("an object file");
    let expected = match std::env::consts::ARCH {
        "x86_64" => Architecture::X86_64,
        "aarch64" => Architecture::Aarch64,
        other => panic!("untested host architecture {other}"),
    };
    assert_eq!(file.architecture(), expected);
}

#[test]
fn unknown_targets_are_a_clear_error() {
    let err = driver::compile_object(
        &Source::new("twice.roast", SOURCE),
        "roast_cross_",
        Some("sparc-sun-solaris"),
    )
    .unwrap_err();
    assert!(err.rendered.contains("target"), "{err}");
}
