//! The pipeline, stage after stage, as roastc, roast-build and roast-macros
//! use it: source → check → object (+ interface) → bindings, or → JIT run.

use crate::bindgen::{self, Linking};
use crate::codegen::{self, OutputKind};
use crate::diag::{SourceFile, SourceMap};
use crate::hir;
use crate::interface::{self, Interface};
use crate::mir;
use crate::objasm;
use crate::syntax;
use cranelift_object::{ObjectBuilder, ObjectModule};

/// A failed compile: the rendered diagnostics (rustc style) and their count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// Every diagnostic, rendered.
    pub rendered: String,
    /// How many diagnostics.
    pub count: usize,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.rendered.trim_end())
    }
}

impl std::error::Error for CompileError {}

/// One Roast source to compile.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name shown in diagnostics and run-time locations (a path as the
    /// user wrote it, relative to the crate or the working directory).
    pub display_name: String,
    /// The module path (`geometry`, `shapes.circle`).
    pub module_path: String,
    /// The text.
    pub text: String,
}

impl Source {
    /// A source whose module path is its file stem.
    pub fn new(display_name: impl Into<String>, text: impl Into<String>) -> Source {
        let display_name = display_name.into();
        let module_path = std::path::Path::new(&display_name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "module".to_string());
        Source {
            display_name,
            module_path,
            text: text.into(),
        }
    }
}

/// Stack for the compiler's recursive stages. The parser bounds nesting depth
/// and chain length, so this bounds the recursion of every later stage too;
/// it is reserved address space, touched only as deep input needs it.
const COMPILER_STACK_BYTES: usize = 512 << 20;

/// Runs `f` on a thread with [`COMPILER_STACK_BYTES`] of stack, so that deep
/// (but accepted) input never overflows the caller's smaller stack.
pub fn on_compiler_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("roast-compiler".into())
            .stack_size(COMPILER_STACK_BYTES)
            .spawn_scoped(scope, f)
            .expect("spawning the compiler thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// What a compile produces besides the object: IR dumps (`roastc build
/// --emit`) and the target.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Target triple (`None`: the host).
    pub triple: Option<String>,
    /// Keep the AST's debug dump.
    pub emit_ast: bool,
    /// Keep the HIR's debug dump.
    pub emit_hir: bool,
    /// Keep the MIR's text.
    pub emit_mir: bool,
    /// Keep the Cranelift IR of every function.
    pub emit_clif: bool,
}

/// IR dumps requested by [`Options`].
#[derive(Debug, Clone, Default)]
pub struct Dumps {
    /// The AST (`{:#?}`).
    pub ast: Option<String>,
    /// The HIR (`{:#?}`).
    pub hir: Option<String>,
    /// The MIR, one body after another.
    pub mir: Option<String>,
    /// Cranelift IR text, function after function.
    pub clif: Option<String>,
}

/// Per-phase wall-clock timings, printed to stderr when `ROAST_TIME` is set.
struct PhaseTimer {
    what: String,
    enabled: bool,
    last: std::time::Instant,
    phases: Vec<(&'static str, std::time::Duration)>,
}

impl PhaseTimer {
    fn new(what: &str) -> PhaseTimer {
        PhaseTimer {
            what: what.to_string(),
            enabled: std::env::var_os("ROAST_TIME").is_some_and(|v| !v.is_empty() && v != "0"),
            last: std::time::Instant::now(),
            phases: Vec::new(),
        }
    }

    /// Ends the current phase, named `phase`.
    fn lap(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        self.phases.push((phase, now - self.last));
        self.last = now;
    }
}

impl Drop for PhaseTimer {
    fn drop(&mut self) {
        if self.enabled {
            let total: std::time::Duration = self.phases.iter().map(|p| p.1).sum();
            let mut line = format!("roast-time: {}:", self.what);
            for (phase, d) in &self.phases {
                line.push_str(&format!(" {phase} {:.3}ms", d.as_secs_f64() * 1e3));
            }
            line.push_str(&format!(" total {:.3}ms", total.as_secs_f64() * 1e3));
            eprintln!("{line}");
        }
    }
}

/// How many threads compile in parallel: `ROAST_JOBS` if set (1 compiles
/// sequentially), else the available cores. Outputs never depend on it.
pub fn jobs() -> usize {
    std::env::var("ROAST_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Parses and checks `source`.
pub fn check(source: &Source) -> Result<(SourceMap, hir::Module), CompileError> {
    check_timed(
        source,
        &mut PhaseTimer::new(&source.display_name),
        &mut Dumps::default(),
        &Options::default(),
    )
}

fn check_timed(
    source: &Source,
    timer: &mut PhaseTimer,
    dumps: &mut Dumps,
    options: &Options,
) -> Result<(SourceMap, hir::Module), CompileError> {
    let mut map = SourceMap::new();
    let file = map.add(SourceFile::new(&source.display_name, source.text.as_str()));
    let (ast, diags) = syntax::parse(file, &source.text);
    timer.lap("parse");
    if options.emit_ast {
        dumps.ast = Some(format!("{ast:#?}\n"));
    }
    if !diags.is_empty() {
        return Err(error(&map, &diags));
    }
    let checked = crate::check::check_module(
        &source.module_path,
        &source.display_name,
        &source.text,
        &ast,
    );
    timer.lap("check");
    match checked {
        Ok(m) => {
            if options.emit_hir {
                dumps.hir = Some(format!("{m:#?}\n"));
            }
            Ok((map, m))
        }
        Err(diags) => Err(error(&map, &diags)),
    }
}

fn error(map: &SourceMap, diags: &[crate::diag::Diagnostic]) -> CompileError {
    CompileError {
        rendered: map.render_all(diags),
        count: diags.len(),
    }
}

fn internal(message: String) -> CompileError {
    CompileError {
        rendered: format!("error: internal compiler error: {message}\n"),
        count: 1,
    }
}

/// A module compiled to a relocatable object.
#[derive(Debug, Clone)]
pub struct CompiledObject {
    /// The object file's bytes.
    pub object: Vec<u8>,
    /// What it exports.
    pub interface: Interface,
    /// IR dumps asked for in the options.
    pub dumps: Dumps,
}

/// Compiles `source` to an object for `triple` (`None`: the host).
/// `symbol_prefix` must be unique among everything linked into one program.
pub fn compile_object(
    source: &Source,
    symbol_prefix: &str,
    triple: Option<&str>,
) -> Result<CompiledObject, CompileError> {
    let options = Options {
        triple: triple.map(str::to_string),
        ..Options::default()
    };
    compile_object_with(source, symbol_prefix, &options)
}

/// [`compile_object`] with all the options.
pub fn compile_object_with(
    source: &Source,
    symbol_prefix: &str,
    options: &Options,
) -> Result<CompiledObject, CompileError> {
    on_compiler_stack(|| compile_object_here(source, symbol_prefix, options))
}

fn compile_object_here(
    source: &Source,
    symbol_prefix: &str,
    options: &Options,
) -> Result<CompiledObject, CompileError> {
    let mut timer = PhaseTimer::new(&source.display_name);
    let mut dumps = Dumps::default();
    let (map, module) = check_timed(source, &mut timer, &mut dumps, options)?;
    let isa = codegen::target_isa(options.triple.as_deref()).map_err(internal)?;
    let builder = ObjectBuilder::new(
        isa,
        symbol_prefix.as_bytes().to_vec(),
        cranelift_module::default_libcall_names(),
    )
    .map_err(|e| internal(e.to_string()))?;
    let mut out = ObjectModule::new(builder);
    let file = map.file(crate::diag::FileId(0));
    let lowered = mir::build(&module);
    timer.lap("mir");
    if options.emit_mir {
        dumps.mir = Some(lowered.to_string());
    }
    let mut clif = options.emit_clif.then(String::new);
    let entries = codegen::define_module(
        &mut out,
        &lowered,
        file,
        symbol_prefix,
        OutputKind::Object,
        clif.as_mut(),
    )
    .map_err(internal)?;
    timer.lap("codegen");
    dumps.clif = clif;
    let interface = interface::describe(&module, &entries);
    let object = out.finish().emit().map_err(|e| internal(e.to_string()))?;
    timer.lap("emit");
    Ok(CompiledObject {
        object,
        interface,
        dumps,
    })
}

/// Compiles `source` to self-contained Rust items (machine code inside
/// `global_asm!`), for `include_roast!`.
pub fn compile_inline(source: &Source, symbol_prefix: &str) -> Result<String, CompileError> {
    let compiled = compile_object(source, symbol_prefix, None)?;
    let mut timer = PhaseTimer::new(&source.display_name);
    let asm = objasm::object_to_asm(&compiled.object, symbol_prefix).map_err(internal)?;
    timer.lap("objasm");
    let items = bindgen::module_items(
        &compiled.interface,
        &source.display_name,
        Linking::InlineAsm(&asm),
    );
    timer.lap("bindgen");
    Ok(items)
}

/// A stable 64-bit FNV-1a hash of `parts` (each followed by a NUL byte), the
/// same on every machine and Rust version.
pub fn stable_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.iter().chain([&0]) {
            hash ^= b as u64;
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// A symbol prefix derived from `parts` (stable across runs and machines).
pub fn symbol_prefix(parts: &[&str]) -> String {
    let hash = stable_hash(parts.iter().map(|p| p.as_bytes()));
    let readable: String = parts
        .last()
        .unwrap_or(&"")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(24)
        .collect();
    format!("roast_{readable}_{hash:016x}_")
}

/// Compiles `source` into an in-process JIT, for `run`.
pub(crate) fn jit_module(
    source: &Source,
) -> Result<(cranelift_jit::JITModule, codegen::EntrySymbols, hir::Module), CompileError> {
    let mut timer = PhaseTimer::new(&source.display_name);
    let (map, module) = check_timed(
        source,
        &mut timer,
        &mut Dumps::default(),
        &Options::default(),
    )?;
    let isa = codegen::target_isa(None).map_err(internal)?;
    let mut builder =
        cranelift_jit::JITBuilder::with_isa(isa, cranelift_module::default_libcall_names());
    for f in mir::RtFn::ALL {
        builder.symbol(f.name(), crate::run::runtime_address(*f));
    }
    builder.symbol(
        codegen::ASCII_STRS_SYMBOL,
        std::ptr::addr_of!(roast_runtime::obj::roast_rt_ascii_strs).cast(),
    );
    let mut jit = cranelift_jit::JITModule::new(builder);
    let file = map.file(crate::diag::FileId(0));
    let prefix = symbol_prefix(&[&source.display_name]);
    let lowered = mir::build(&module);
    let entries = codegen::define_module(&mut jit, &lowered, file, &prefix, OutputKind::Jit, None)
        .map_err(internal)?;
    jit.finalize_definitions()
        .map_err(|e| internal(e.to_string()))?;
    timer.lap("codegen");
    Ok((jit, entries, module))
}
