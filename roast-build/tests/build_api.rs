//! `roast_build::Build` outside cargo's build-script environment: module
//! trees from `.dir`, generated files, and errors as values.

use std::path::Path;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn host_env() {
    // What cargo gives a build script; `cc` reads these to archive. Set once,
    // before any test reads the environment.
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let host = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
        std::env::set_var("TARGET", &host);
        std::env::set_var("HOST", &host);
        std::env::set_var("OPT_LEVEL", "0");
        std::env::set_var("DEBUG", "false");
    });
}

#[test]
fn dir_nests_modules_as_folders_and_archives_the_code() {
    host_env();
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write(
        src.path(),
        "roast/top.roast",
        "def one() -> int:\n    return 1\n",
    );
    write(
        src.path(),
        "roast/shapes/circle.roast",
        "\"\"\"Circles.\"\"\"\n\ndef area(r: float) -> float:\n    return 3.0 * r * r\n",
    );
    roast_build::Build::new()
        .dir(src.path().join("roast"))
        .out_dir(out.path())
        .cargo_metadata(false)
        .try_compile("lib1")
        .expect("compiles");
    let rust = std::fs::read_to_string(out.path().join("roast/lib1.rs")).unwrap();
    assert!(
        rust.contains("pub mod shapes {\n    pub mod circle {\n        //! Circles."),
        "{rust}"
    );
    assert!(rust.contains("pub fn area(r: f64) -> f64"), "{rust}");
    assert!(rust.contains("pub mod top {"), "{rust}");
    assert!(
        out.path().join("roast/libroast_lib1.a").exists(),
        "static library written"
    );
}

#[test]
fn errors_come_back_as_values_with_every_diagnostic() {
    host_env();
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write(src.path(), "a.roast", "def f() -> int:\n    return 1.5\n");
    write(src.path(), "b.roast", "def g(\n");
    let err = roast_build::Build::new()
        .file(src.path().join("a.roast"))
        .file(src.path().join("b.roast"))
        .out_dir(out.path())
        .cargo_metadata(false)
        .try_compile("bad")
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, roast_build::Error::Compile(_)));
    assert!(text.contains("a.roast:2:12"), "{text}");
    assert!(text.contains("b.roast:1:6"), "{text}");
    let none = roast_build::Build::new()
        .out_dir(out.path())
        .cargo_metadata(false)
        .try_compile("empty")
        .unwrap_err();
    assert!(matches!(none, roast_build::Error::Config(_)), "{none}");
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn cache_recompiles_only_changed_files_and_never_trusts_a_bad_entry() {
    host_env();
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write(src.path(), "a.roast", "def a() -> int:\n    return 1\n");
    write(src.path(), "b.roast", "def b() -> int:\n    return 2\n");
    let build = || {
        roast_build::Build::new()
            .file(src.path().join("a.roast"))
            .file(src.path().join("b.roast"))
            .out_dir(out.path())
            .cargo_metadata(false)
            .try_compile("cached")
            .expect("compiles")
    };
    build();
    let objects = out.path().join("roast/cached.objects");
    let (key_a, key_b) = (objects.join("a.key"), objects.join("b.key"));
    let (before_a, before_b) = (modified(&key_a), modified(&key_b));
    let object_a = std::fs::read(objects.join("a.o")).unwrap();
    let rust = out.path().join("roast/cached.rs");
    let rust_written = modified(&rust);

    // Nothing changed: no entry is recompiled, the generated file is not rewritten.
    std::thread::sleep(std::time::Duration::from_millis(20));
    build();
    assert_eq!(modified(&key_a), before_a);
    assert_eq!(modified(&key_b), before_b);
    assert_eq!(
        modified(&rust),
        rust_written,
        "unchanged bindings were rewritten"
    );

    // Editing a.roast recompiles a only.
    write(src.path(), "a.roast", "def a() -> int:\n    return 10\n");
    build();
    assert_ne!(modified(&key_a), before_a, "a was not recompiled");
    assert_eq!(modified(&key_b), before_b, "b was recompiled");
    assert_ne!(std::fs::read(objects.join("a.o")).unwrap(), object_a);

    // A poisoned entry (truncated object) is detected and rebuilt.
    let good = std::fs::read(objects.join("b.o")).unwrap();
    std::fs::write(objects.join("b.o"), &good[..good.len() / 2]).unwrap();
    build();
    assert_eq!(std::fs::read(objects.join("b.o")).unwrap(), good);

    // So is an entry whose key belongs to another compiler or source.
    std::fs::write(&key_b, "0000000000000000\n0\n0\n").unwrap();
    std::fs::write(objects.join("b.o"), b"not an object").unwrap();
    build();
    assert_eq!(std::fs::read(objects.join("b.o")).unwrap(), good);
}
