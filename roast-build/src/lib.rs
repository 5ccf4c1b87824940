//! `roast-build`: compile `.roast` files from a build script, the way the
//! `cc` crate compiles C.
//!
//! ```no_run
//! // in build.rs's `fn main`:
//! roast_build::Build::new()
//!     .file("roast/geometry.roast")
//!     .file("roast/stats.roast")
//!     .compile("geo");
//! ```
//!
//! and in the crate: `roast::include_bindings!("geo");`, which brings
//! `pub mod geometry` and `pub mod stats`. `compile` writes
//! `$OUT_DIR/roast/<name>.rs`, archives the machine code into a static
//! library that cargo links, and prints `cargo:rerun-if-changed` for every
//! file it read. On a Roast error it prints rustc-style diagnostics and fails
//! the build.

use roast_compiler::bindgen::{self, Linking};
use roast_compiler::driver::{self, Source};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A build of one group of Roast files into one library.
#[derive(Debug, Clone, Default)]
pub struct Build {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    target: Option<String>,
    cargo_metadata: bool,
}

/// Why a build failed.
#[derive(Debug)]
pub enum Error {
    /// Roast diagnostics, rendered like rustc's.
    Compile(String),
    /// Reading sources or writing outputs failed.
    Io(String),
    /// The build was misconfigured (no files, no `OUT_DIR`, ...).
    Config(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Compile(s) => f.write_str(s.trim_end()),
            Error::Io(s) | Error::Config(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for Error {}

struct Unit {
    path: PathBuf,
    /// Module path segments (`["shapes", "circle"]`).
    module: Vec<String>,
}

impl Build {
    /// A build with no files; outputs go to cargo's `OUT_DIR`.
    pub fn new() -> Build {
        Build {
            cargo_metadata: true,
            ..Build::default()
        }
    }

    /// Adds one Roast file (path relative to the crate root); its module is
    /// named after the file stem.
    pub fn file(&mut self, path: impl AsRef<Path>) -> &mut Build {
        self.files.push(path.as_ref().to_path_buf());
        self
    }

    /// Adds every `.roast` file below `dir`; modules nest as the folders do.
    pub fn dir(&mut self, dir: impl AsRef<Path>) -> &mut Build {
        self.dirs.push(dir.as_ref().to_path_buf());
        self
    }

    /// Writes outputs here instead of `OUT_DIR`.
    pub fn out_dir(&mut self, dir: impl AsRef<Path>) -> &mut Build {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Compiles for this target triple instead of cargo's `TARGET`.
    pub fn target(&mut self, triple: &str) -> &mut Build {
        self.target = Some(triple.to_string());
        self
    }

    /// Whether to print `cargo:` lines and link the library (default: yes).
    pub fn cargo_metadata(&mut self, enabled: bool) -> &mut Build {
        self.cargo_metadata = enabled;
        self
    }

    /// Compiles everything into library `name`; on failure prints the
    /// diagnostics and exits the build script with status 1, as `cc` does.
    pub fn compile(&mut self, name: &str) {
        if let Err(e) = self.try_compile(name) {
            eprintln!("{e}\n\nerror: roast-build could not compile `{name}`");
            std::process::exit(1);
        }
    }

    /// Compiles everything into library `name`.
    pub fn try_compile(&mut self, name: &str) -> Result<(), Error> {
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| {
                    Error::Config("OUT_DIR is not set: call compile() from build.rs".into())
                })?,
        };
        let units = self.units()?;
        if units.is_empty() {
            return Err(Error::Config(format!("no .roast files given for `{name}`")));
        }
        let target = self.target.clone().or_else(|| std::env::var("TARGET").ok());
        let host = std::env::var("HOST").ok();
        let triple = match (&target, &host) {
            (Some(t), Some(h)) if t == h => None,
            (Some(t), _) => Some(t.as_str()),
            _ => None,
        };
        let package = std::env::var("CARGO_PKG_NAME").unwrap_or_default();
        let roast_dir = out_dir.join("roast");
        let obj_dir = roast_dir.join(format!("{name}.objects"));
        std::fs::create_dir_all(&obj_dir)
            .map_err(|e| Error::Io(format!("creating {}: {e}", obj_dir.display())))?;
        let library = format!("roast_{name}");
        let mut jobs = Vec::new();
        for unit in &units {
            if self.cargo_metadata {
                println!("cargo:rerun-if-changed={}", unit.path.display());
            }
            let display = display_name(&unit.path);
            let text = std::fs::read_to_string(&unit.path)
                .map_err(|e| Error::Io(format!("reading {display}: {e}")))?;
            let mut source = Source::new(display, text);
            source.module_path = unit.module.join(".");
            let prefix = driver::symbol_prefix(&[&package, name, &source.module_path]);
            let stem = unit.module.join("__");
            jobs.push((unit, source, prefix, stem));
        }
        // Files compile in parallel; results are collected in file order, so
        // the output does not depend on scheduling.
        let workers = driver::jobs();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results: Vec<std::sync::Mutex<Option<Result<UnitOutput, Error>>>> =
            jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for _ in 0..workers.min(jobs.len()) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((_, source, prefix, stem)) = jobs.get(i) else {
                        break;
                    };
                    let result = compile_cached(&library, source, prefix, triple, &obj_dir, stem);
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                });
            }
        });
        let mut rendered = String::new();
        let mut objects = Vec::new();
        let mut tree = ModTree::default();
        for ((unit, ..), result) in jobs.iter().zip(results) {
            let result = result
                .into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every job ran");
            match result? {
                UnitOutput::Failed(diagnostics) => rendered.push_str(&diagnostics),
                UnitOutput::Compiled { object, items } => {
                    objects.push(object);
                    tree.insert(&unit.module, items);
                }
            }
        }
        for d in &self.dirs {
            if self.cargo_metadata {
                println!("cargo:rerun-if-changed={}", d.display());
            }
        }
        if !rendered.is_empty() {
            return Err(Error::Compile(rendered));
        }
        let mut rust = format!("// Generated by roast-build for `{name}`. Do not edit.\n");
        tree.render(&mut rust, 0);
        write_if_changed(&roast_dir.join(format!("{name}.rs")), rust.as_bytes())?;
        // The bindings name the library in `#[link]`, so only the search path
        // goes to cargo: whichever target includes them links the code.
        let mut archive = cc::Build::new();
        archive.cargo_metadata(false).out_dir(&roast_dir);
        if let Some(t) = &target {
            archive.target(t);
        }
        if let Some(h) = &host {
            archive.host(h);
        }
        archive.opt_level(0).debug(false);
        for o in &objects {
            archive.object(o);
        }
        archive
            .try_compile(&library)
            .map_err(|e| Error::Io(format!("archiving the objects: {e}")))?;
        if self.cargo_metadata {
            println!("cargo:rustc-link-search=native={}", roast_dir.display());
        }
        Ok(())
    }

    fn units(&self) -> Result<Vec<Unit>, Error> {
        let mut units: Vec<Unit> = self
            .files
            .iter()
            .map(|p| Unit {
                path: p.clone(),
                module: vec![stem(p)],
            })
            .collect();
        for dir in &self.dirs {
            let mut found = Vec::new();
            walk(dir, &mut found)
                .map_err(|e| Error::Io(format!("reading {}: {e}", dir.display())))?;
            found.sort();
            for path in found {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                let mut module: Vec<String> = rel
                    .parent()
                    .into_iter()
                    .flat_map(|p| p.components())
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                module.push(stem(&path));
                units.push(Unit { path, module });
            }
        }
        Ok(units)
    }
}

/// How a Roast file is named in diagnostics and run-time locations: relative
/// to the crate root when it is inside it, so that artifacts do not depend on
/// where the crate was checked out.
fn display_name(path: &Path) -> String {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let relative = manifest_dir
        .as_deref()
        .and_then(|dir| path.strip_prefix(dir).ok())
        .unwrap_or(path);
    relative.to_string_lossy().replace('\\', "/")
}

/// One file's outcome.
enum UnitOutput {
    /// Its object file and the Rust items of its module.
    Compiled { object: PathBuf, items: String },
    /// Its rendered diagnostics.
    Failed(String),
}

/// Identifies the compiler that runs: a hash of this build script's own
/// executable, which contains roast-compiler. A rebuilt compiler invalidates
/// every cache entry without anyone bumping a version.
fn compiler_fingerprint() -> u64 {
    static FINGERPRINT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *FINGERPRINT.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(std::fs::read)
            .unwrap_or_else(|_| env!("CARGO_PKG_VERSION").as_bytes().to_vec());
        driver::stable_hash([exe.as_slice()])
    })
}

/// Compiles one file, or reuses its cache entry under `obj_dir`.
///
/// An entry is `<stem>.o` (the object), `<stem>.rs.part` (the module's Rust
/// items) and `<stem>.key`: the hash of everything the output depends on
/// (compiler, source, names, target, ABI version) followed by the hashes of
/// the two files. Any mismatch (another compiler, an edited source, a
/// truncated or altered file) recompiles; the key is written last.
fn compile_cached(
    library: &str,
    source: &Source,
    prefix: &str,
    triple: Option<&str>,
    obj_dir: &Path,
    stem: &str,
) -> Result<UnitOutput, Error> {
    let object = obj_dir.join(format!("{stem}.o"));
    let items_path = obj_dir.join(format!("{stem}.rs.part"));
    let key_path = obj_dir.join(format!("{stem}.key"));
    let fingerprint = compiler_fingerprint().to_le_bytes();
    let abi = roast_compiler::interface::ABI_VERSION.to_le_bytes();
    let key = driver::stable_hash([
        fingerprint.as_slice(),
        &abi,
        source.text.as_bytes(),
        source.display_name.as_bytes(),
        source.module_path.as_bytes(),
        prefix.as_bytes(),
        triple.unwrap_or("host").as_bytes(),
    ]);
    let entry = |object_bytes: &[u8], items: &[u8]| {
        format!(
            "{key:016x}\n{:016x}\n{:016x}\n",
            driver::stable_hash([object_bytes]),
            driver::stable_hash([items])
        )
    };
    if let (Ok(recorded), Ok(object_bytes), Ok(items)) = (
        std::fs::read_to_string(&key_path),
        std::fs::read(&object),
        std::fs::read_to_string(&items_path),
    ) {
        if recorded == entry(&object_bytes, items.as_bytes()) {
            return Ok(UnitOutput::Compiled { object, items });
        }
    }
    let compiled = match driver::compile_object(source, prefix, triple) {
        Ok(c) => c,
        Err(e) => return Ok(UnitOutput::Failed(e.rendered)),
    };
    let mut items = String::new();
    if let Some(doc) = &compiled.interface.doc {
        for line in bindgen::doc_lines(doc) {
            let sep = if line.is_empty() { "" } else { " " };
            items.push_str(&format!("//!{sep}{line}\n"));
        }
    }
    items.push_str(&bindgen::module_items(
        &compiled.interface,
        &source.display_name,
        Linking::External {
            library: Some(library),
        },
    ));
    let _ = std::fs::remove_file(&key_path);
    write_if_changed(&object, &compiled.object)?;
    write_if_changed(&items_path, items.as_bytes())?;
    write_if_changed(
        &key_path,
        entry(&compiled.object, items.as_bytes()).as_bytes(),
    )?;
    Ok(UnitOutput::Compiled { object, items })
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "roast") {
            out.push(path);
        }
    }
    Ok(())
}

fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    std::fs::write(path, bytes).map_err(|e| Error::Io(format!("writing {}: {e}", path.display())))
}

/// Modules nested as the Roast folders are.
#[derive(Default)]
struct ModTree {
    items: Option<String>,
    children: BTreeMap<String, ModTree>,
}

impl ModTree {
    fn insert(&mut self, path: &[String], items: String) {
        match path.split_first() {
            None => self.items = Some(items),
            Some((first, rest)) => self
                .children
                .entry(first.clone())
                .or_default()
                .insert(rest, items),
        }
    }

    fn render(&self, out: &mut String, depth: usize) {
        let pad = "    ".repeat(depth);
        if let Some(items) = &self.items {
            for line in items.lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&pad);
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        for (name, child) in &self.children {
            let ident = bindgen::rust_ident(name).unwrap_or_else(|| format!("{name}_"));
            if !out.ends_with("{\n") {
                out.push('\n');
            }
            out.push_str(&format!("{pad}pub mod {ident} {{\n"));
            child.render(out, depth + 1);
            out.push_str(&format!("{pad}}}\n"));
        }
    }
}
