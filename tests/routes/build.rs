//! Compiles every conformance program twice: through roast-build (one
//! library, modules nested by folder) and as a list of `include_roast!`
//! modules for the macro route; both get a dispatch table by program name.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn programs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["", "errors", "overflow", "tier1"] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("conformance dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "roast") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn main() {
    let dir = Path::new("../conformance");
    roast_build::Build::new().dir(dir).compile("conformance");
    roast_build::Build::new()
        .file("roast/stress.roast")
        .compile("stress");
    roast_build::Build::new()
        .file("roast/checks.roast")
        .compile("checks");
    let mut macro_mods = String::new();
    let mut build_table = String::from("pub fn build_route(name: &str) -> Option<fn() -> Result<i32, roast::Error>> {\n    match name {\n");
    let mut macro_table = String::from("pub fn macro_route(name: &str) -> Option<fn() -> Result<i32, roast::Error>> {\n    match name {\n");
    for (i, path) in programs(dir).iter().enumerate() {
        let rel = path.strip_prefix(dir).unwrap();
        let key = rel.to_string_lossy().replace('\\', "/");
        let module_path: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let _ = writeln!(
            macro_mods,
            "pub mod p{i} {{ roast::include_roast!({:?}); }}",
            path.to_string_lossy()
        );
        let _ = writeln!(
            build_table,
            "        {key:?} => Some(conformance::{}::__roast_run_script),",
            module_path.join("::")
        );
        let _ = writeln!(
            macro_table,
            "        {key:?} => Some(p{i}::__roast_run_script),"
        );
    }
    let names: Vec<String> = programs(dir)
        .iter()
        .map(|p| {
            p.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let _ = writeln!(macro_mods, "pub const PROGRAMS: &[&str] = &{names:?};");
    build_table.push_str("        _ => None,\n    }\n}\n");
    macro_table.push_str("        _ => None,\n    }\n}\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(
        out.join("routes.rs"),
        macro_mods + &build_table + &macro_table,
    )
    .unwrap();
    println!("cargo:rerun-if-changed=../conformance");
}
