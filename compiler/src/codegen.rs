//! Stage 4: MIR to machine code through Cranelift. Input: a [`mir::Module`];
//! output: its functions defined in a `cranelift_module` [`Module`] (an
//! object file for builds, a JIT for `roastc run`). Each MIR statement
//! becomes a few Cranelift instructions; the semantics were settled in MIR.
//!
//! Conventions (see ARCHITECTURE.md): every Roast function takes the
//! per-thread context pointer first and returns a status byte (nonzero: an
//! exception is pending in the context) followed by its value; each exported
//! function also gets a C-ABI shim `(ctx, args..., *mut ret) -> u8` that the
//! generated Rust calls. `Raise` terminators become cold blocks that call
//! `roast_rt_raise` with the Roast source position.

use crate::diag::{SourceFile, Span};
use crate::hir::{FuncId, FunctionRole, Type};
use crate::mir::{
    self, BinOp, Body, CheckedOp, FloatCond, IntCond, Operand, RtArg, RtFn, Rvalue, Statement,
    Terminator, UnOp,
};
use crate::rtabi::{Param, Ret};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{
    self, condcodes::FloatCC, condcodes::IntCC, types, AbiParam, BlockArg, InstBuilder,
    MemFlagsData, Signature, StackSlotData, StackSlotKind, UserFuncName, Value,
};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_module::{
    DataDescription, DataId, FuncId as ClifFuncId, Linkage, Module, ModuleReloc,
};
use roast_runtime::obj::ASCII_STR_STRIDE;
use roast_runtime::ExcKind;
use roast_runtime::{CTX_DEPTH_LIMIT_OFFSET, CTX_DEPTH_OFFSET, CTX_PENDING_OFFSET};
use std::collections::HashMap;

/// The symbol of the runtime's immortal ASCII strings
/// (`roast_runtime::obj::roast_rt_ascii_strs`).
pub(crate) const ASCII_STRS_SYMBOL: &str = "roast_rt_ascii_strs";

/// What the generated code will be linked into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// A relocatable object linked into a Rust program.
    Object,
    /// In-process JIT (`roastc run`): runtime functions are far away.
    Jit,
}

/// The target ISA for `triple` (`None`: the host), with Roast's settings:
/// speed-optimized, baseline CPU features (so objects do not depend on the
/// build machine). Code is not compiled with `is_pic`: every reference from
/// an object is PC-relative (colocated), which links into executables and
/// shared objects alike and keeps `objasm`'s relocation set small.
pub fn target_isa(triple: Option<&str>) -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    let set = |flags: &mut settings::Builder, k: &str, v: &str| {
        flags
            .set(k, v)
            .map_err(|e| format!("cranelift setting {k}={v}: {e}"))
    };
    set(&mut flags, "opt_level", "speed")?;
    set(&mut flags, "is_pic", "false")?;
    // A function returning a tuple's items (`mir::returned_types`) may
    // return more values than there are return registers: the caller
    // passes room for the rest.
    set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
    set(
        &mut flags,
        "enable_verifier",
        if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        },
    )?;
    let builder = match triple {
        Some(t) => cranelift_codegen::isa::lookup_by_name(t),
        None => cranelift_codegen::isa::lookup(target_lexicon::Triple::host()),
    }
    .map_err(|e| format!("unsupported target: {e}"))?;
    builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| format!("cannot configure the target: {e}"))
}

/// Symbol names of one compiled module's entry points.
#[derive(Debug, Clone)]
pub struct EntrySymbols {
    /// `(function, shim symbol)` for every exported or test function.
    pub exports: Vec<(FuncId, String)>,
    /// Module initialization (`None` when there is nothing to run).
    pub init: Option<String>,
    /// The whole script: every top-level statement, `__main__` blocks included.
    pub script: String,
}

/// A parameter or return value of type `t`; a byte is zero-extended to
/// 32 bits, as the C ABI the runtime and Rust callers are compiled for
/// expects of a `u8` or `bool` (a byte left in a register that held a
/// pointer would otherwise read as a different value).
fn abi_param(t: ir::Type) -> AbiParam {
    if t == types::I8 {
        AbiParam::new(t).uext()
    } else {
        AbiParam::new(t)
    }
}

/// Parameter and return types of runtime function `f` at the machine level.
fn rt_signature(f: RtFn) -> (Vec<ir::Type>, Vec<ir::Type>) {
    use types::{F64, I32, I64, I8};
    let mut params = Vec::new();
    for p in f.params() {
        match p {
            Param::Site => params.extend([I64, I64, I64]),
            Param::Bytes => params.extend([I64, I64]),
            Param::Ctx | Param::Word | Param::I64 | Param::Desc => params.push(I64),
            Param::F64 => params.push(F64),
            Param::U8 => params.push(I8),
            Param::I32 => params.push(I32),
        }
    }
    let returns = match f.ret() {
        Ret::Void => vec![],
        Ret::Word | Ret::I64 => vec![I64],
        Ret::F64 => vec![F64],
        Ret::U8 => vec![I8],
        Ret::I32 => vec![I32],
    };
    (params, returns)
}

/// The machine types of the values a function of return type `ret`
/// returns after its status ([`mir::returned_types`]).
fn returned_clif_types(ret: Type) -> Vec<ir::Type> {
    mir::returned_types(ret)
        .into_iter()
        .filter_map(clif_type)
        .collect()
}

fn clif_type(ty: Type) -> Option<ir::Type> {
    match ty {
        Type::Int => Some(types::I64),
        Type::Float => Some(types::F64),
        Type::Bool => Some(types::I8),
        Type::None => None,
        _ => Some(types::I64),
    }
}

/// The descriptor kind code of a type (docs/runtime-abi.md).
fn desc_kind(ty: Type) -> (u32, Vec<Type>) {
    match ty {
        Type::None => (0, vec![]),
        Type::Int => (1, vec![]),
        Type::Float => (2, vec![]),
        Type::Bool => (3, vec![]),
        Type::Str => (4, vec![]),
        Type::List(t) => (5, vec![*t]),
        Type::Dict(k, v) => (6, vec![*k, *v]),
        Type::Tuple(items) => (7, items.to_vec()),
        Type::Optional(t) => (8, vec![*t]),
    }
}

/// Defines every function of `module` (plus init, script and export shims)
/// in `out`. `prefix` makes the symbols unique in the final program.
pub fn define_module<M: Module>(
    out: &mut M,
    module: &mir::Module,
    source: &SourceFile,
    prefix: &str,
    kind: OutputKind,
    clif: Option<&mut String>,
) -> Result<EntrySymbols, String> {
    let mut gen = ModuleGen {
        out,
        module,
        source,
        prefix,
        colocate_runtime: kind == OutputKind::Object,
        clif,
        funcs: Vec::new(),
        runtime: HashMap::new(),
        data: HashMap::new(),
        descs: HashMap::new(),
        str_objects: HashMap::new(),
        ctx: Context::new(),
        built: Vec::new(),
        fctx: FunctionBuilderContext::new(),
        slow_calls: Vec::new(),
    };
    for (i, f) in module.functions.iter().enumerate() {
        let name = format!("{prefix}f{i}_{}", f.name);
        let sig = gen.internal_signature(f);
        let id = gen
            .out
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        gen.funcs.push(id);
    }
    for (i, f) in module.functions.iter().enumerate() {
        gen.define_function(gen.funcs[i], f)?;
    }
    let mut entries = EntrySymbols {
        exports: Vec::new(),
        init: None,
        script: format!("{prefix}_script"),
    };
    for (i, f) in module.functions.iter().enumerate() {
        if matches!(f.role, FunctionRole::Exported | FunctionRole::Test) {
            let name = format!("{prefix}{}", f.name);
            gen.define_shim(&name, (gen.funcs[i], FuncId(i as u32)), f)?;
            entries.exports.push((FuncId(i as u32), name));
        }
    }
    if let Some(init) = &module.init {
        let name = format!("{prefix}_init");
        gen.define_top_level(&name, init)?;
        entries.init = Some(name);
    }
    gen.define_top_level(&entries.script, &module.script)?;
    for (f, id) in std::mem::take(&mut gen.slow_calls) {
        gen.define_slow_call(f, id)?;
    }
    gen.compile_all()?;
    Ok(entries)
}

struct ModuleGen<'a, M: Module> {
    out: &'a mut M,
    module: &'a mir::Module,
    /// Receives each function's Cranelift IR (for `--emit=clif`).
    clif: Option<&'a mut String>,
    source: &'a SourceFile,
    prefix: &'a str,
    colocate_runtime: bool,
    funcs: Vec<ClifFuncId>,
    runtime: HashMap<RtFn, ClifFuncId>,
    data: HashMap<String, DataId>,
    /// Static type descriptors, by type.
    descs: HashMap<Type, DataId>,
    /// Immortal `str` objects, by text.
    str_objects: HashMap<String, DataId>,
    ctx: Context,
    /// Functions built, waiting to be compiled: `(id, name, IR)`.
    built: Vec<(ClifFuncId, String, ir::Function)>,
    fctx: FunctionBuilderContext,
    /// The module's [`ModuleGen::define_slow_call`] functions, in the
    /// order functions first called them.
    slow_calls: Vec<(RtFn, ClifFuncId)>,
}

impl<M: Module> ModuleGen<'_, M> {
    fn internal_signature(&self, f: &Body) -> Signature {
        let mut sig = self.out.make_signature();
        sig.call_conv = CallConv::SystemV;
        sig.params.push(abi_param(types::I64));
        if takes_room(f) {
            sig.params.push(abi_param(types::I64));
        }
        for p in &f.params {
            let ty = clif_type(f.locals[p.0 as usize].1).expect("parameters are scalars");
            sig.params.push(abi_param(ty));
        }
        sig.returns.push(abi_param(types::I8));
        sig.returns
            .extend(returned_clif_types(f.ret).into_iter().map(abi_param));
        sig
    }

    fn runtime_fn(&mut self, f: RtFn) -> Result<ClifFuncId, String> {
        if let Some(id) = self.runtime.get(&f) {
            return Ok(*id);
        }
        let (params, returns) = rt_signature(f);
        let mut sig = self.out.make_signature();
        sig.params.extend(params.into_iter().map(abi_param));
        sig.returns.extend(returns.into_iter().map(abi_param));
        let id = self
            .out
            .declare_function(f.name(), Linkage::Import, &sig)
            .map_err(|e| e.to_string())?;
        self.runtime.insert(f, id);
        Ok(id)
    }

    /// The signature of [`ModuleGen::define_slow_call`]'s functions: the
    /// address of the arguments, a word each, where the result goes too.
    fn slow_call_signature(&self) -> Signature {
        let mut sig = self.out.make_signature();
        sig.call_conv = CallConv::PreserveAll;
        sig.params.push(abi_param(types::I64));
        sig
    }

    /// The module's function calling runtime function `f` for a slow
    /// path, declared on first use.
    fn slow_call(&mut self, f: RtFn) -> Result<ClifFuncId, String> {
        if let Some((_, id)) = self.slow_calls.iter().find(|(g, _)| *g == f) {
            return Ok(*id);
        }
        let sig = self.slow_call_signature();
        let id = self
            .out
            .declare_function(
                &format!("{}_slow_{}", self.prefix, f.name()),
                Linkage::Local,
                &sig,
            )
            .map_err(|e| e.to_string())?;
        self.slow_calls.push((f, id));
        Ok(id)
    }

    /// A function that calls runtime function `f` with the arguments
    /// stored at the address it is given (a word each) and stores the
    /// result there, preserving every register. Slow paths call the
    /// runtime through it: they are rare, and a call that clobbers nothing
    /// and takes one argument lets the fast path around one keep its
    /// values in registers (float registers in particular, which the C ABI
    /// never preserves: a float live across an ordinary call is kept on
    /// the stack in the whole loop around it).
    fn define_slow_call(&mut self, f: RtFn, id: ClifFuncId) -> Result<(), String> {
        self.ctx.func.signature = self.slow_call_signature();
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        let runtime = self.runtime_fn(f)?;
        {
            let mut b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let at = b.block_params(entry)[0];
            let (params, _) = rt_signature(f);
            let args: Vec<Value> = params
                .iter()
                .enumerate()
                .map(|(i, ty)| b.ins().load(*ty, MemFlagsData::trusted(), at, 8 * i as i32))
                .collect();
            let callee = self.out.declare_func_in_func(runtime, b.func);
            if self.colocate_runtime {
                b.func.dfg.ext_funcs[callee].colocated = true;
            }
            let call = b.ins().call(callee, &args);
            if let Some(&v) = b.inst_results(call).first() {
                b.ins().store(MemFlagsData::trusted(), v, at, 0);
            }
            b.ins().return_(&[]);
            b.seal_all_blocks();
            b.finalize(self.out.isa().frontend_config());
        }
        self.finish_function(id, &format!("{}_slow_{}", self.prefix, f.name()))
    }

    /// The runtime's table of immortal ASCII strings, imported.
    fn ascii_strs(&mut self) -> Result<DataId, String> {
        self.out
            .declare_data(ASCII_STRS_SYMBOL, Linkage::Import, false, false)
            .map_err(|e| e.to_string())
    }

    /// A read-only data object holding `bytes` (deduplicated).
    fn data(&mut self, bytes: &str) -> Result<DataId, String> {
        if let Some(id) = self.data.get(bytes) {
            return Ok(*id);
        }
        let name = format!("{}d{}", self.prefix, self.data.len());
        let id = self
            .out
            .declare_data(&name, Linkage::Local, false, false)
            .map_err(|e| e.to_string())?;
        let mut desc = DataDescription::new();
        desc.define(bytes.as_bytes().to_vec().into_boxed_slice());
        self.out.define_data(id, &desc).map_err(|e| e.to_string())?;
        self.data.insert(bytes.to_string(), id);
        Ok(id)
    }

    /// The static descriptor of `ty`: `kind: u32, len: u32`, then the
    /// parameters' descriptor addresses.
    fn desc(&mut self, ty: Type) -> Result<DataId, String> {
        if let Some(id) = self.descs.get(&ty) {
            return Ok(*id);
        }
        let (kind, params) = desc_kind(ty);
        let children: Vec<DataId> = params
            .iter()
            .map(|p| self.desc(*p))
            .collect::<Result<_, _>>()?;
        let name = format!("{}t{}", self.prefix, self.descs.len());
        // Writable only so the linker may relocate the addresses inside.
        let id = self
            .out
            .declare_data(&name, Linkage::Local, true, false)
            .map_err(|e| e.to_string())?;
        let mut bytes = Vec::new();
        bytes.extend(kind.to_le_bytes());
        bytes.extend((params.len() as u32).to_le_bytes());
        bytes.resize(8 + 8 * params.len(), 0);
        let mut d = DataDescription::new();
        d.define(bytes.into_boxed_slice());
        d.set_align(8);
        for (i, child) in children.into_iter().enumerate() {
            let gv = self.out.declare_data_in_data(child, &mut d);
            d.write_data_addr(8 + 8 * i as u32, gv, 0);
        }
        self.out.define_data(id, &d).map_err(|e| e.to_string())?;
        self.descs.insert(ty, id);
        Ok(id)
    }

    /// An immortal `str` object in read-only data: rc -1, the `str`
    /// descriptor, byte and code-point lengths, capacity 0, the bytes.
    fn str_object(&mut self, text: &str) -> Result<DataId, String> {
        if let Some(id) = self.str_objects.get(text) {
            return Ok(*id);
        }
        let str_desc = self.desc(Type::Str)?;
        let name = format!("{}s{}", self.prefix, self.str_objects.len());
        // Never written (immortal); writable so the descriptor address can be relocated.
        let id = self
            .out
            .declare_data(&name, Linkage::Local, true, false)
            .map_err(|e| e.to_string())?;
        let mut bytes = Vec::new();
        bytes.extend((-1i64).to_le_bytes());
        bytes.extend(0u64.to_le_bytes());
        bytes.extend((text.len() as u64).to_le_bytes());
        bytes.extend((text.chars().count() as u64).to_le_bytes());
        bytes.extend(0u64.to_le_bytes());
        bytes.extend(text.as_bytes());
        // Padding to a multiple of 8 keeps neighbours aligned.
        while bytes.len() % 8 != 0 {
            bytes.push(0);
        }
        let mut d = DataDescription::new();
        d.define(bytes.into_boxed_slice());
        d.set_align(8);
        let gv = self.out.declare_data_in_data(str_desc, &mut d);
        d.write_data_addr(8, gv, 0);
        self.out.define_data(id, &d).map_err(|e| e.to_string())?;
        self.str_objects.insert(text.to_string(), id);
        Ok(id)
    }

    /// Queues the function built in `self.ctx` for compilation.
    fn finish_function(&mut self, id: ClifFuncId, name: &str) -> Result<(), String> {
        if let Some(clif) = self.clif.as_deref_mut() {
            clif.push_str(&format!("; {name}\n{}\n", self.ctx.func.display()));
        }
        let func = std::mem::replace(&mut self.ctx.func, ir::Function::new());
        self.out.clear_context(&mut self.ctx);
        self.built.push((id, name.to_string(), func));
        Ok(())
    }

    /// Compiles every queued function, in parallel on all cores, and defines
    /// the machine code in source order, so the output is the same as a
    /// sequential compile's.
    fn compile_all(&mut self) -> Result<(), String> {
        let built = std::mem::take(&mut self.built);
        let isa = self.out.isa();
        let workers = crate::driver::jobs();
        let next = std::sync::atomic::AtomicUsize::new(0);
        type Compiled = Result<(u64, Vec<u8>, Vec<ModuleReloc>), String>;
        let results: Vec<std::sync::Mutex<Option<Compiled>>> =
            built.iter().map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for _ in 0..workers.min(built.len()) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((id, name, func)) = built.get(i) else {
                        break;
                    };
                    let mut ctx = Context::for_function(func.clone());
                    let compiled = match ctx.compile(isa, &mut ControlPlane::default()) {
                        Ok(_) => {
                            let code = ctx.compiled_code().expect("just compiled");
                            let relocs = code
                                .buffer
                                .relocs()
                                .iter()
                                .map(|r| ModuleReloc::from_mach_reloc(r, &ctx.func, *id))
                                .collect();
                            Ok((
                                code.buffer.alignment as u64,
                                code.code_buffer().to_vec(),
                                relocs,
                            ))
                        }
                        Err(e) => Err(format!("cranelift failed on `{name}`: {:?}", e.inner)),
                    };
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(compiled);
                });
            }
        });
        for ((id, _, _), result) in built.iter().zip(results) {
            let (alignment, bytes, relocs) = result
                .into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every function was compiled")?;
            self.out
                .define_function_bytes(*id, alignment, &bytes, &relocs)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn define_function(&mut self, id: ClifFuncId, f: &Body) -> Result<(), String> {
        self.ctx.func.signature = self.internal_signature(f);
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        self.lower_body(f, false)?;
        self.finish_function(id, &f.name)
    }

    fn define_top_level(&mut self, name: &str, f: &Body) -> Result<(), String> {
        let sig = self.internal_signature(f);
        let id = self
            .out
            .declare_function(name, Linkage::Export, &sig)
            .map_err(|e| e.to_string())?;
        self.ctx.func.signature = sig;
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        self.lower_body(f, false)?;
        self.finish_function(id, name)
    }

    /// `extern "C" fn(ctx, args..., out: *mut Ret) -> u8` calling `target`
    /// (the function's Cranelift and MIR ids), or for a small function
    /// running its own copy of the body (a call from Rust then makes one
    /// call, not two).
    fn define_shim(
        &mut self,
        name: &str,
        (target, target_id): (ClifFuncId, FuncId),
        f: &Body,
    ) -> Result<(), String> {
        let mut sig = self.out.make_signature();
        sig.params.push(abi_param(types::I64));
        // Rust passes each parameter as declared (a tuple as its object).
        for t in &f.declared {
            let ty = clif_type(*t).expect("parameters are values");
            sig.params.push(abi_param(ty));
        }
        let ret = clif_type(f.ret);
        if ret.is_some() {
            sig.params.push(abi_param(types::I64));
        }
        sig.returns.push(abi_param(types::I8));
        let id = self
            .out
            .declare_function(name, Linkage::Export, &sig)
            .map_err(|e| e.to_string())?;
        self.ctx.func.signature = sig;
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        if mir::needs_boundary_wrapper(f) {
            // Rust passes and receives tuple objects: the shim runs a
            // wrapper that unboxes and boxes them around the call.
            let wrapper = mir::boundary_wrapper(f, target_id);
            self.lower_body(&wrapper, true)?;
            return self.finish_function(id, name);
        }
        let statements: usize = f.blocks.iter().map(|b| b.statements.len()).sum();
        if statements <= SHIM_COPY_STATEMENTS && f.frame.is_empty() {
            self.lower_body(f, true)?;
            return self.finish_function(id, name);
        }
        {
            let mut b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let params = b.block_params(entry).to_vec();
            let callee = self.out.declare_func_in_func(target, b.func);
            let nargs = 1 + f.params.len();
            // Calls from Rust start from the context's depth.
            let room = room_left(&mut b, params[0]);
            let mut args = vec![params[0], room];
            args.extend_from_slice(&params[1..nargs]);
            let call = b.ins().call(callee, &args);
            let results = b.inst_results(call).to_vec();
            if ret.is_some() {
                b.ins()
                    .store(MemFlagsData::trusted(), results[1], params[nargs], 0);
            }
            b.ins().return_(&[results[0]]);
            b.seal_all_blocks();
            b.finalize(self.out.isa().frontend_config());
        }
        self.finish_function(id, name)
    }

    fn lower_body(&mut self, f: &Body, shim: bool) -> Result<(), String> {
        let mut fctx = std::mem::take(&mut self.fctx);
        let mut func = std::mem::replace(&mut self.ctx.func, ir::Function::new());
        let config = self.out.isa().frontend_config();
        let result = {
            let mut b = FunctionBuilder::new(&mut func, &mut fctx);
            let result = FnLower::new(self, &mut b, f, shim).body(f);
            b.finalize(config);
            result
        };
        self.ctx.func = func;
        self.fctx = fctx;
        result
    }
}

/// The most statements a function may have for its export shim to run its
/// own copy of the body rather than call it.
const SHIM_COPY_STATEMENTS: usize = 24;

/// Whether a body receives its caller's room (see [`FnLower::room`]) as
/// its second parameter (every function; top-level code starts from the
/// context's depth).
fn takes_room(f: &Body) -> bool {
    f.role != FunctionRole::TopLevel
}

/// The room (see [`FnLower::room`]) of code called from Rust or running
/// at top level: the context's recursion limit minus its depth.
fn room_left(b: &mut FunctionBuilder, ctx: Value) -> Value {
    let flags = MemFlagsData::trusted();
    let depth = b.ins().load(types::I64, flags, ctx, CTX_DEPTH_OFFSET);
    let limit = b.ins().load(types::I64, flags, ctx, CTX_DEPTH_LIMIT_OFFSET);
    b.ins().isub(limit, depth)
}

/// Translates one MIR body.
struct FnLower<'g, 'a, 'b, M: Module> {
    gen: &'g mut ModuleGen<'a, M>,
    b: &'g mut FunctionBuilder<'b>,
    ctx: Value,
    /// How many calls deeper than this one the recursion limit allows: the
    /// limit minus this call's depth (the caller's plus one); negative
    /// when this call is too deep. Calls pass it on, so the limit is read
    /// only where Rust or top-level code calls in. A variable: each
    /// `EnterFrame` (on entry, and on each level of a loop that replaced
    /// tail calls) takes one.
    room: Variable,
    vars: Vec<Variable>,
    blocks: Vec<ir::Block>,
    exit: ir::Block,
    /// The types of the values the exit block returns after the status.
    returned: Vec<ir::Type>,
    /// Every local's type.
    locals: Vec<Type>,
    /// The stack slot holding the frame's locals, if any.
    frame: Option<ir::StackSlot>,
    /// Each frame local's offset in the frame (`None`: not in the frame).
    frame_index: Vec<Option<i32>>,
    /// How many locals the frame holds.
    frame_len: usize,
    funcs: HashMap<FuncId, ir::FuncRef>,
    runtime: HashMap<RtFn, ir::FuncRef>,
    /// The module's slow-path callers of runtime functions, as used here.
    slow_calls: HashMap<RtFn, ir::FuncRef>,
    /// Where the slow-path calls of each runtime function pass their
    /// arguments and get their result.
    slow_args: HashMap<RtFn, ir::StackSlot>,
    /// Whether the block being lowered is a slow path.
    cold: bool,
    /// The block that releases the frame and raises an exception given as
    /// block parameters (kind, message address and length, position), made
    /// when a first raise site needs it.
    raise: Option<ir::Block>,
    /// Lowering an export shim's own copy of the body: where the result
    /// goes (`Some(None)` for a `None` function).
    shim_out: Option<Option<Value>>,
    error: Option<String>,
}

impl<'g, 'a, 'b, M: Module> FnLower<'g, 'a, 'b, M> {
    fn new(
        gen: &'g mut ModuleGen<'a, M>,
        b: &'g mut FunctionBuilder<'b>,
        f: &Body,
        shim: bool,
    ) -> Self {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let ctx = b.block_params(entry)[0];
        let shim_out = shim.then(|| {
            let out = 1 + f.params.len();
            clif_type(f.ret).map(|_| b.block_params(entry)[out])
        });
        // The caller passes its room; top-level code and calls from Rust
        // start from the context's depth.
        let (caller_room, first_param) = if takes_room(f) && !shim {
            (b.block_params(entry)[1], 2)
        } else {
            (room_left(b, ctx), 1)
        };
        let room = b.declare_var(types::I64);
        b.def_var(room, caller_room);
        // The frame: owned heap locals in one stack slot, null on entry.
        let mut frame_index = vec![None; f.locals.len()];
        for (i, l) in f.frame.iter().enumerate() {
            frame_index[l.0 as usize] = Some(8 * i as i32);
        }
        let frame = (!f.frame.is_empty()).then(|| {
            b.create_sized_stack_slot(StackSlotData::new(
                StackSlotKind::ExplicitSlot,
                8 * f.frame.len() as u32,
                3,
            ))
        });
        let mut vars = Vec::new();
        for (i, (_, ty)) in f.locals.iter().enumerate() {
            let ty = clif_type(*ty).unwrap_or(types::I8);
            let var = b.declare_var(ty);
            let init = match f.params.iter().position(|p| p.0 as usize == i) {
                Some(pi) => b.block_params(entry)[first_param + pi],
                None if ty == types::F64 => b.ins().f64const(0.0),
                None => b.ins().iconst(ty, 0),
            };
            if let (Some(slot), Some(offset)) = (frame, frame_index[i]) {
                b.ins().stack_store(types::I64, init, slot, offset);
            }
            b.def_var(var, init);
            vars.push(var);
        }
        let blocks: Vec<ir::Block> = f.blocks.iter().map(|_| b.create_block()).collect();
        for (block, mir_block) in blocks.iter().zip(&f.blocks) {
            if mir_block.cold
                || matches!(
                    mir_block.terminator,
                    Terminator::Raise { .. } | Terminator::Propagate
                )
            {
                b.set_cold_block(*block);
            }
        }
        b.ins().jump(blocks[0], &[]);
        let exit = b.create_block();
        b.append_block_param(exit, types::I8);
        // A shim's copy of the body returns one word (the boxing wrapper's
        // tuple, see `define_shim`).
        let returned = if shim {
            clif_type(f.ret).into_iter().collect()
        } else {
            returned_clif_types(f.ret)
        };
        for t in &returned {
            b.append_block_param(exit, *t);
        }
        FnLower {
            gen,
            b,
            ctx,
            room,
            vars,
            blocks,
            exit,
            returned,
            locals: f.locals.iter().map(|l| l.1).collect(),
            frame,
            frame_index,
            frame_len: f.frame.len(),
            funcs: HashMap::new(),
            runtime: HashMap::new(),
            slow_calls: HashMap::new(),
            slow_args: HashMap::new(),
            cold: false,
            raise: None,
            shim_out,
            error: None,
        }
    }

    fn body(&mut self, f: &Body) -> Result<(), String> {
        for (i, block) in f.blocks.iter().enumerate() {
            self.b.switch_to_block(self.blocks[i]);
            self.cold = block.cold;
            // Cleanup ends every raising block with `ReleaseFrame`; the
            // shared raising block releases the frame itself.
            let statements = match (block.statements.split_last(), &block.terminator) {
                (Some((Statement::ReleaseFrame, before)), Terminator::Raise { .. }) => before,
                _ => &block.statements[..],
            };
            for s in statements {
                self.statement(s);
            }
            self.terminator(&block.terminator);
        }
        self.cold = false;
        if let Some(raise) = self.raise {
            self.b.switch_to_block(raise);
            self.statement(&Statement::ReleaseFrame);
            let ctx = self.ctx;
            let file_name = self.gen.module.file_name.clone();
            let (file, file_len) = self.string(&file_name);
            let [code, msg, msg_len, pos] =
                self.b.block_params(raise).try_into().expect("4 params");
            self.call_rt(RtFn::Raise, &[ctx, code, msg, msg_len, file, file_len, pos]);
            self.leave(1, Vec::new());
        }
        // The exit block: return (status, value), or for a shim store the
        // value and return the status.
        self.b.switch_to_block(self.exit);
        let params = self.b.block_params(self.exit).to_vec();
        match self.shim_out {
            None => {
                self.b.ins().return_(&params);
            }
            Some(out) => {
                if let (Some(out), Some(&value)) = (out, params.get(1)) {
                    self.b.ins().store(MemFlagsData::trusted(), value, out, 0);
                }
                self.b.ins().return_(&params[..1]);
            }
        }
        self.b.seal_all_blocks();
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn note_error<T: Default>(&mut self, r: Result<T, String>) -> T {
        r.unwrap_or_else(|e| {
            self.error.get_or_insert(e);
            T::default()
        })
    }

    fn func_ref(&mut self, id: FuncId) -> ir::FuncRef {
        if let Some(r) = self.funcs.get(&id) {
            return *r;
        }
        let clif = self.gen.funcs[id.0 as usize];
        let r = self.gen.out.declare_func_in_func(clif, self.b.func);
        self.funcs.insert(id, r);
        r
    }

    fn runtime_ref(&mut self, f: RtFn) -> ir::FuncRef {
        if let Some(r) = self.runtime.get(&f) {
            return *r;
        }
        let id = self.gen.runtime_fn(f);
        let id = self
            .note_error(id.map(Some))
            .unwrap_or(ClifFuncId::from_u32(0));
        let r = self.gen.out.declare_func_in_func(id, self.b.func);
        if self.gen.colocate_runtime {
            self.b.func.dfg.ext_funcs[r].colocated = true;
        }
        self.runtime.insert(f, r);
        r
    }

    fn call_rt(&mut self, f: RtFn, args: &[Value]) -> Option<Value> {
        let r = self.runtime_ref(f);
        let call = self.b.ins().call(r, args);
        self.b.inst_results(call).first().copied()
    }

    /// Calls runtime function `f` from a slow path, through the module's
    /// register-preserving caller of it ([`ModuleGen::define_slow_call`]).
    fn call_rt_slow(&mut self, f: RtFn, args: &[Value]) -> Option<Value> {
        let r = match self.slow_calls.get(&f) {
            Some(r) => *r,
            None => {
                let id = self.gen.slow_call(f);
                let id = self.note_error(id.map(Some))?;
                let r = self.gen.out.declare_func_in_func(id, self.b.func);
                self.b.func.dfg.ext_funcs[r].colocated = true;
                self.slow_calls.insert(f, r);
                r
            }
        };
        let slot = *self.slow_args.entry(f).or_insert_with(|| {
            let size = 8 * args.len().max(1) as u32;
            self.b.create_sized_stack_slot(ir::StackSlotData::new(
                ir::StackSlotKind::ExplicitSlot,
                size,
                3,
            ))
        });
        let address = self.b.ins().stack_addr(types::I64, slot, 0);
        for (i, v) in args.iter().enumerate() {
            self.b
                .ins()
                .store(MemFlagsData::trusted(), *v, address, 8 * i as i32);
        }
        self.b.ins().call(r, &[address]);
        let (_, returns) = rt_signature(f);
        let ty = *returns.first()?;
        Some(self.b.ins().load(ty, MemFlagsData::trusted(), address, 0))
    }

    /// Address and length of a string in read-only data.
    fn string(&mut self, s: &str) -> (Value, Value) {
        let id = self.gen.data(s);
        let id = self.note_error(id.map(Some));
        let len = self.b.ins().iconst(types::I64, s.len() as i64);
        let Some(id) = id else {
            let null = self.b.ins().iconst(types::I64, 0);
            return (null, len);
        };
        let gv = self.gen.out.declare_data_in_func(id, self.b.func);
        // Read-only data lives in the same object: address it PC-relatively.
        if let ir::GlobalValueData::Symbol { colocated, .. } = &mut self.b.func.global_values[gv] {
            *colocated = true;
        }
        let addr = self.b.ins().symbol_value(types::I64, gv);
        (addr, len)
    }

    /// The address of a data object of this module.
    fn data_address(&mut self, id: Result<DataId, String>) -> Value {
        let Some(id) = self.note_error(id.map(Some)) else {
            return self.b.ins().iconst(types::I64, 0);
        };
        let gv = self.gen.out.declare_data_in_func(id, self.b.func);
        if let ir::GlobalValueData::Symbol { colocated, .. } = &mut self.b.func.global_values[gv] {
            *colocated = true;
        }
        self.b.ins().symbol_value(types::I64, gv)
    }

    /// `v` as a 64-bit word (floats by their bits, bools zero-extended).
    fn as_word(&mut self, v: Value) -> Value {
        match self.b.func.dfg.value_type(v) {
            types::F64 => self.b.ins().bitcast(types::I64, MemFlagsData::new(), v),
            types::I8 | types::I32 => self.b.ins().uextend(types::I64, v),
            _ => v,
        }
    }

    /// What a store of `v` into a word writes: a float straight from its
    /// register, anything else as a word.
    fn stored(&mut self, v: Value) -> Value {
        if self.b.func.dfg.value_type(v) == types::F64 {
            v
        } else {
            self.as_word(v)
        }
    }

    /// The word at `address + offset` as a value of `ty` (a float loaded
    /// straight into a float register).
    fn load_word_as(&mut self, ty: Type, address: Value, offset: i32) -> Value {
        let flags = MemFlagsData::trusted();
        if ty == Type::Float {
            return self.b.ins().load(types::F64, flags, address, offset);
        }
        let w = self.b.ins().load(types::I64, flags, address, offset);
        self.word_as(w, ty)
    }

    /// The address of the runtime's table of immortal ASCII strings.
    fn ascii_strs(&mut self) -> Value {
        let id = self.gen.ascii_strs();
        let Some(id) = self.note_error(id.map(Some)) else {
            return self.b.ins().iconst(types::I64, 0);
        };
        let gv = self.gen.out.declare_data_in_func(id, self.b.func);
        // Linked into the same binary as the object: addressed PC-relatively.
        if let ir::GlobalValueData::Symbol { colocated, .. } = &mut self.b.func.global_values[gv] {
            *colocated = self.gen.colocate_runtime;
        }
        self.b.ins().symbol_value(types::I64, gv)
    }

    /// A word read back as a value of `ty`.
    fn word_as(&mut self, w: Value, ty: Type) -> Value {
        match clif_type(ty) {
            // `None` has no value: its locals are a placeholder byte.
            None => self.b.ins().iconst(types::I8, 0),
            Some(types::F64) => self.b.ins().bitcast(types::F64, MemFlagsData::new(), w),
            Some(types::I8) => self.b.ins().ireduce(types::I8, w),
            _ => w,
        }
    }

    /// `(file ptr, file len, line << 32 | col)` of `span`.
    fn site(&mut self, span: Span) -> [Value; 3] {
        let file_name = self.gen.module.file_name.clone();
        let (ptr, len) = self.string(&file_name);
        [ptr, len, self.position(span)]
    }

    /// A span's start as `line << 32 | col`.
    fn position(&mut self, span: Span) -> Value {
        let (line, col) = self.gen.source.line_col(span.start);
        self.b
            .ins()
            .iconst(types::I64, ((line as i64) << 32) | col as i64)
    }

    /// Raises `kind` with `message` at `span` through the function's shared
    /// raising block (one call site for all of them: less code to compile).
    fn jump_to_raise(&mut self, kind: ExcKind, message: &str, span: Span) {
        let raise = *self.raise.get_or_insert_with(|| {
            let block = self.b.create_block();
            self.b.set_cold_block(block);
            for t in [types::I32, types::I64, types::I64, types::I64] {
                self.b.append_block_param(block, t);
            }
            block
        });
        let code = self.b.ins().iconst(types::I32, kind as i64);
        let (msg, msg_len) = self.string(message);
        let pos = self.position(span);
        let args = [code, msg, msg_len, pos].map(BlockArg::Value);
        self.b.ins().jump(raise, &args);
    }

    fn operand(&mut self, op: Operand) -> Value {
        match op {
            Operand::Local(l) => self.b.use_var(self.vars[l.0 as usize]),
            Operand::Int(v) => self.b.ins().iconst(types::I64, v),
            Operand::Float(v) => self.float_constant(v),
            Operand::Bool(v) => self.b.ins().iconst(types::I8, v as i64),
        }
    }

    /// A float constant. Cranelift makes an `f64const` anew in each block
    /// that uses it (two instructions on x86-64, inside the loop too); the
    /// same bits reinterpreted from an integer constant are an ordinary
    /// value, computed once before the loop and kept in a register. Zero
    /// stays an `f64const` (one instruction, clearing a register).
    fn float_constant(&mut self, v: f64) -> Value {
        if v.to_bits() == 0 {
            return self.b.ins().f64const(v);
        }
        let bits = self.b.ins().iconst(types::I64, v.to_bits() as i64);
        self.b.ins().bitcast(types::F64, MemFlagsData::new(), bits)
    }

    /// Sets a local. A frame local is also written through to its slot,
    /// which only `ReleaseFrame` reads: reads use the SSA value.
    fn define(&mut self, local: mir::LocalId, v: Value) {
        if let (Some(slot), Some(offset)) = (self.frame, self.frame_index[local.0 as usize]) {
            self.b.ins().stack_store(types::I64, v, slot, offset);
        }
        self.b.def_var(self.vars[local.0 as usize], v);
    }

    fn statement(&mut self, s: &Statement) {
        match s {
            Statement::Assign(dest, rvalue) => {
                let dest_ty = self.locals[dest.0 as usize];
                let v = self.rvalue(rvalue, dest_ty);
                self.define(*dest, v);
            }
            Statement::CheckedArith {
                value,
                overflow,
                op,
                a,
                b,
            } => {
                let (v, of) = match (op, *a, *b) {
                    (CheckedOp::Add, x, Operand::Int(c)) | (CheckedOp::Add, Operand::Int(c), x) => {
                        self.add_constant_checked(x, i128::from(c))
                    }
                    (CheckedOp::Sub, x, Operand::Int(c)) => {
                        self.add_constant_checked(x, -i128::from(c))
                    }
                    (CheckedOp::Mul, x, Operand::Int(c)) | (CheckedOp::Mul, Operand::Int(c), x) => {
                        self.mul_constant_checked(x, c)
                    }
                    _ => {
                        let (a, b) = (self.operand(*a), self.operand(*b));
                        match op {
                            CheckedOp::Add => self.b.ins().sadd_overflow(a, b),
                            CheckedOp::Sub => self.b.ins().ssub_overflow(a, b),
                            CheckedOp::Mul => self.b.ins().smul_overflow(a, b),
                        }
                    }
                };
                self.define(*value, v);
                self.define(*overflow, of);
            }
            Statement::Call {
                status,
                values,
                func,
                args,
                frames,
            } => {
                let room = self.b.use_var(self.room);
                let room = match frames {
                    0 => room,
                    n => self.b.ins().iadd_imm_s(room, -i64::from(*n)),
                };
                let mut arguments = vec![self.ctx, room];
                for a in args {
                    arguments.push(self.operand(*a));
                }
                let r = self.func_ref(*func);
                let call = self.b.ins().call(r, &arguments);
                let results = self.b.inst_results(call).to_vec();
                self.define(*status, results[0]);
                for (v, result) in values.iter().zip(&results[1..]) {
                    self.define(*v, *result);
                }
            }
            Statement::IncRef(op) => {
                let v = self.operand(*op);
                self.incref(v);
            }
            Statement::DecRef(l) => {
                let v = self.operand(Operand::Local(*l));
                self.decref(v);
                let null = self.b.ins().iconst(types::I64, 0);
                self.define(*l, null);
            }
            Statement::ReleaseFrame => {
                if let Some(slot) = self.frame {
                    let addr = self.b.ins().stack_addr(types::I64, slot, 0);
                    let n = self.b.ins().iconst(types::I64, self.frame_len as i64);
                    self.call_rt(RtFn::ReleaseFrame, &[addr, n]);
                }
            }
            Statement::Store {
                base,
                offset,
                value,
            } => {
                let base = self.operand(*base);
                let v = self.operand(*value);
                let w = self.stored(v);
                self.b
                    .ins()
                    .store(MemFlagsData::trusted(), w, base, *offset);
            }
            Statement::StoreByte {
                base,
                offset,
                index,
                value,
            } => {
                let (base, index) = (self.operand(*base), self.operand(*index));
                let address = self.b.ins().iadd(base, index);
                let v = self.operand(*value);
                self.b
                    .ins()
                    .istore8(MemFlagsData::trusted(), v, address, *offset);
            }
            Statement::StoreItem { data, index, value } => {
                let ty = match value {
                    Operand::Local(l) => self.locals[l.0 as usize],
                    Operand::Bool(_) => Type::Bool,
                    Operand::Int(_) => Type::Int,
                    Operand::Float(_) => Type::Float,
                };
                let address = self.item_address(*data, *index, ty);
                let v = self.operand(*value);
                // `list[bool]` holds one byte per item: the bool itself.
                let w = if ty == Type::Bool { v } else { self.stored(v) };
                self.b.ins().store(MemFlagsData::trusted(), w, address, 0);
            }
            Statement::Runtime { dest, func, args } => {
                let mut values = Vec::new();
                let kinds: Vec<Param> = func
                    .params()
                    .iter()
                    .copied()
                    .filter(|p| !matches!(p, Param::Ctx | Param::Site | Param::Bytes))
                    .collect();
                let mut value_index = 0;
                for a in args {
                    match a {
                        RtArg::Ctx => values.push(self.ctx),
                        RtArg::Value(op) => {
                            let v = self.operand(*op);
                            let kind = kinds.get(value_index).copied();
                            value_index += 1;
                            let v = match kind {
                                Some(Param::Word) => self.as_word(v),
                                Some(Param::I64) if self.b.func.dfg.value_type(v) == types::I8 => {
                                    self.b.ins().uextend(types::I64, v)
                                }
                                Some(Param::I32) if self.b.func.dfg.value_type(v) == types::I64 => {
                                    self.b.ins().ireduce(types::I32, v)
                                }
                                _ => v,
                            };
                            values.push(v);
                        }
                        RtArg::GlobalsKey => {
                            let flags: String = self
                                .gen
                                .module
                                .globals
                                .iter()
                                .map(|t| if t.is_heap() { 'h' } else { 's' })
                                .collect();
                            let key = format!("{}\0{flags}", self.gen.prefix);
                            let (p, l) = self.string(&key);
                            values.extend([p, l]);
                        }
                        RtArg::Desc(ty) => {
                            value_index += 1;
                            let id = self.gen.desc(*ty);
                            let v = self.data_address(id);
                            values.push(v);
                        }
                        RtArg::Str(text) => {
                            let (p, l) = self.string(text);
                            values.extend([p, l]);
                        }
                        RtArg::Site(span) => {
                            let site = self.site(*span);
                            values.extend(site);
                        }
                    }
                }
                let result = if self.cold {
                    self.call_rt_slow(*func, &values)
                } else {
                    self.call_rt(*func, &values)
                };
                if let (Some(dest), Some(v)) = (dest, result) {
                    let dest_ty = self.locals[dest.0 as usize];
                    let v = match func.ret() {
                        // The runtime's comparison result is an i32.
                        Ret::I32 => self.b.ins().sextend(types::I64, v),
                        Ret::Word => self.word_as(v, dest_ty),
                        _ => v,
                    };
                    self.define(*dest, v);
                }
            }
            Statement::EnterFrame { too_deep } | Statement::CheckDepth { too_deep, .. } => {
                let room = self.b.use_var(self.room);
                let room = match s {
                    Statement::CheckDepth { frames, .. } => {
                        self.b.ins().iadd_imm_s(room, -i64::from(*frames))
                    }
                    _ => {
                        let deeper = self.b.ins().iadd_imm_s(room, -1);
                        self.b.def_var(self.room, deeper);
                        deeper
                    }
                };
                let v = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, room, 0);
                self.define(*too_deep, v);
            }
        }
    }

    /// `x + c` (wrapping; `c` within `i64::MIN..=2^63`, an i64 added or
    /// subtracted) and whether the exact sum leaves i64, found by
    /// comparing `x` with the bound `c` leaves room for: a comparison the
    /// branch on it absorbs (a flag from the addition itself would be
    /// materialized and tested).
    fn add_constant_checked(&mut self, x: Operand, c: i128) -> (Value, Value) {
        let x = self.operand(x);
        let sum = self.b.ins().iadd_imm_s(x, c as i64);
        let overflow = match c {
            0 => self.b.ins().iconst(types::I8, 0),
            c if c > 0 => {
                let bound = (i128::from(i64::MAX) - c) as i64;
                self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, x, bound)
            }
            // `c` is at least `i64::MIN` (subtracting it gives the positive
            // `2^63` above), so the bound fits.
            c => {
                let bound = (i128::from(i64::MIN) - c) as i64;
                self.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, bound)
            }
        };
        (sum, overflow)
    }

    /// `x * c` (wrapping) and whether the exact product leaves i64, found
    /// by one unsigned comparison of `x` with the range that keeps it in
    /// (off the product's path, which a multiplication with an overflow
    /// flag lengthens); a power of two is a shift, 3, 5 and 9 a shift and
    /// an add.
    fn mul_constant_checked(&mut self, x: Operand, c: i64) -> (Value, Value) {
        let x = self.operand(x);
        let product = match c {
            0 => self.b.ins().iconst(types::I64, 0),
            1 => x,
            c if c > 0 && c.count_ones() == 1 => {
                self.b.ins().ishl_imm_s(x, i64::from(c.trailing_zeros()))
            }
            3 | 5 | 9 => {
                let shifted = self
                    .b
                    .ins()
                    .ishl_imm_s(x, i64::from((c - 1).trailing_zeros()));
                self.b.ins().iadd(x, shifted)
            }
            c => self.b.ins().imul_imm_s(x, c),
        };
        // `x * c` fits exactly when `low <= x <= high` (division truncates
        // toward zero: a ceiling below zero, a floor above it).
        let (low, high) = match c {
            0 => (i64::MIN, i64::MAX),
            c if c > 0 => (i64::MIN / c, i64::MAX / c),
            -1 => (-i64::MAX, i64::MAX),
            c => (i64::MAX / c, i64::MIN / c),
        };
        let offset = self.b.ins().iadd_imm_s(x, low.wrapping_neg());
        let span = high.wrapping_sub(low);
        let overflow = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedGreaterThan, offset, span);
        (product, overflow)
    }

    /// Takes a reference to `p` (null and immortals untouched), inline: the
    /// count is the object's first word, negative for an immortal.
    fn incref(&mut self, p: Value) {
        let (check, bump, done) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().brif(p, check, &[], done, &[]);
        self.b.switch_to_block(check);
        let flags = MemFlagsData::trusted();
        let rc = self.b.ins().load(types::I64, flags, p, 0);
        let mortal = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, rc, 0);
        self.b.ins().brif(mortal, bump, &[], done, &[]);
        self.b.switch_to_block(bump);
        let rc = self.b.ins().iadd_imm_s(rc, 1);
        self.b.ins().store(flags, rc, p, 0);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
    }

    /// Gives up a reference to `p` (null and immortals untouched), inline
    /// unless it is the last one: then the runtime frees the object —
    /// through the module's [`ModuleGen::define_release_last`] in a
    /// function with float locals (no float register survives an ordinary
    /// call, so a float live across the free would live on the stack),
    /// directly elsewhere (integers have registers that survive calls, and
    /// preserving every register costs each free some forty instructions).
    fn decref(&mut self, p: Value) {
        let (check, shared, maybe_last, last, done) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.set_cold_block(last);
        self.b.ins().brif(p, check, &[], done, &[]);
        self.b.switch_to_block(check);
        let flags = MemFlagsData::trusted();
        let rc = self.b.ins().load(types::I64, flags, p, 0);
        let others = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, rc, 1);
        self.b.ins().brif(others, shared, &[], maybe_last, &[]);
        self.b.switch_to_block(shared);
        let rc1 = self.b.ins().iadd_imm_s(rc, -1);
        self.b.ins().store(flags, rc1, p, 0);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(maybe_last);
        let is_last = self.b.ins().icmp_imm_s(IntCC::Equal, rc, 1);
        self.b.ins().brif(is_last, last, &[], done, &[]);
        self.b.switch_to_block(last);
        if self.locals.contains(&Type::Float) {
            self.call_rt_slow(RtFn::DecRef, &[p]);
        } else {
            self.call_rt(RtFn::DecRef, &[p]);
        }
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
    }

    fn rvalue(&mut self, r: &Rvalue, dest_ty: Type) -> Value {
        match r {
            Rvalue::Use(op) => self.operand(*op),
            Rvalue::Unary(op, x) => {
                let v = self.operand(*x);
                let ins = self.b.ins();
                match op {
                    UnOp::FNeg => ins.fneg(v),
                    UnOp::FAbs => ins.fabs(v),
                    UnOp::FSqrt => ins.sqrt(v),
                    UnOp::Not => ins.bxor_imm_s(v, 1),
                    UnOp::BNot => ins.bnot(v),
                    UnOp::IntToFloat => ins.fcvt_from_sint(types::F64, v),
                    UnOp::BoolToInt => ins.uextend(types::I64, v),
                }
            }
            Rvalue::Binary(
                op @ (BinOp::SDiv | BinOp::UDiv | BinOp::SRem | BinOp::URem),
                a,
                b @ Operand::Local(_),
            ) => {
                let (a, b) = (self.operand(*a), self.operand(*b));
                self.divide(*op, a, b)
            }
            Rvalue::Binary(op @ (BinOp::UDiv | BinOp::URem), a, Operand::Int(c)) if *c >= 2 => {
                let a = self.operand(*a);
                let quotient = self.udiv_by_constant(a, *c);
                match op {
                    BinOp::UDiv => quotient,
                    _ => {
                        let product = self.b.ins().imul_imm_s(quotient, *c);
                        self.b.ins().isub(a, product)
                    }
                }
            }
            Rvalue::Binary(op, a, b) => {
                let (a, b) = (self.operand(*a), self.operand(*b));
                let ins = self.b.ins();
                match op {
                    BinOp::IAdd => ins.iadd(a, b),
                    BinOp::ISub => ins.isub(a, b),
                    BinOp::IMul => ins.imul(a, b),
                    BinOp::SDiv => ins.sdiv(a, b),
                    BinOp::UDiv => ins.udiv(a, b),
                    BinOp::SRem => ins.srem(a, b),
                    BinOp::URem => ins.urem(a, b),
                    BinOp::And => ins.band(a, b),
                    BinOp::Or => ins.bor(a, b),
                    BinOp::Xor => ins.bxor(a, b),
                    BinOp::Shl => ins.ishl(a, b),
                    BinOp::SShr => ins.sshr(a, b),
                    BinOp::UMin => ins.umin(a, b),
                    BinOp::ICmp(cond) => ins.icmp(int_cc(*cond), a, b),
                    BinOp::FAdd => ins.fadd(a, b),
                    BinOp::FSub => ins.fsub(a, b),
                    BinOp::FMul => ins.fmul(a, b),
                    BinOp::FDiv => ins.fdiv(a, b),
                    BinOp::FCmp(cond) => ins.fcmp(float_cc(*cond), a, b),
                }
            }
            Rvalue::Select(c, a, b) => {
                let (c, a, b) = (self.operand(*c), self.operand(*a), self.operand(*b));
                self.b.ins().select(c, a, b)
            }
            Rvalue::StrLit(text) => {
                let id = self.gen.str_object(text);
                self.data_address(id)
            }
            Rvalue::Load { base, offset } => {
                let base = self.operand(*base);
                self.load_word_as(dest_ty, base, *offset)
            }
            Rvalue::LoadItem { data, index } => {
                let address = self.item_address(*data, *index, dest_ty);
                if dest_ty == Type::Bool {
                    // `list[bool]` holds one byte (0 or 1) per item.
                    return self
                        .b
                        .ins()
                        .load(types::I8, MemFlagsData::trusted(), address, 0);
                }
                self.load_word_as(dest_ty, address, 0)
            }
            Rvalue::LoadByte {
                base,
                offset,
                index,
            } => {
                let (base, index) = (self.operand(*base), self.operand(*index));
                let address = self.b.ins().iadd(base, index);
                self.b
                    .ins()
                    .uload8(types::I64, MemFlagsData::trusted(), address, *offset)
            }
            Rvalue::AsciiStr(byte) => {
                let byte = self.operand(*byte);
                let table = self.ascii_strs();
                let stride = ASCII_STR_STRIDE as i64;
                let offset = self.b.ins().imul_imm_s(byte, stride);
                let entry = self.b.ins().iadd(table, offset);
                // Entry 0 is the empty string; the byte's follows.
                self.b.ins().iadd_imm_s(entry, stride)
            }
            Rvalue::Pending => self.b.ins().load(
                types::I8,
                MemFlagsData::trusted(),
                self.ctx,
                CTX_PENDING_OFFSET,
            ),
        }
    }

    /// `x // c` for `0 <= x < 2^63` (MIR's unsigned divisions have
    /// non-negative dividends) and a constant `c >= 2`: the high word of
    /// `x * m`, shifted, with `m = 2^(63+l) / c + 1` and `l = ceil(log2 c)`
    /// (Granlund and Montgomery's theorem 4.2 for 63-bit dividends; `m`
    /// fits in 64 bits). Cranelift's own lowering of `udiv` is the same
    /// multiplication, but `udiv` may trap, so it is never shared; this is
    /// pure, so `x // c` and `x % c` of the same `x` multiply once.
    fn udiv_by_constant(&mut self, x: Value, c: i64) -> Value {
        let c = c as u64;
        let l = 64 - (c - 1).leading_zeros();
        let m = ((1u128 << (63 + l)) / u128::from(c) + 1) as u64;
        let m = self.b.ins().iconst(types::I64, m as i64);
        let high = self.b.ins().umulhi(x, m);
        self.b.ins().ushr_imm_s(high, i64::from(l - 1))
    }

    /// `a op b` for a division or remainder by a variable: by a 32-bit
    /// division when both fit in it (and are not negative), which x86
    /// processors run several times faster than a 64-bit one — as LLVM
    /// does for Rust. (A division by a constant becomes a multiplication.)
    fn divide(&mut self, op: BinOp, a: Value, b: Value) -> Value {
        let limit = match op {
            BinOp::UDiv | BinOp::URem => 1i64 << 32,
            _ => 1i64 << 31,
        };
        let both = self.b.ins().bor(a, b);
        let small = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThan, both, limit);
        let (narrow, wide, join) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.append_block_param(join, types::I64);
        self.b.ins().brif(small, narrow, &[], wide, &[]);
        self.b.switch_to_block(narrow);
        let (a32, b32) = (
            self.b.ins().ireduce(types::I32, a),
            self.b.ins().ireduce(types::I32, b),
        );
        // Both non-negative: the unsigned result is the signed one.
        let r32 = match op {
            BinOp::SDiv | BinOp::UDiv => self.b.ins().udiv(a32, b32),
            _ => self.b.ins().urem(a32, b32),
        };
        let r = self.b.ins().uextend(types::I64, r32);
        self.b.ins().jump(join, &[BlockArg::Value(r)]);
        self.b.switch_to_block(wide);
        let r = match op {
            BinOp::SDiv => self.b.ins().sdiv(a, b),
            BinOp::UDiv => self.b.ins().udiv(a, b),
            BinOp::SRem => self.b.ins().srem(a, b),
            _ => self.b.ins().urem(a, b),
        };
        self.b.ins().jump(join, &[BlockArg::Value(r)]);
        self.b.switch_to_block(join);
        self.b.block_params(join)[0]
    }

    /// The address of item `index` of a list buffer at `data` whose items
    /// are of type `item`: bytes for `bool`, words otherwise.
    fn item_address(&mut self, data: Operand, index: Operand, item: Type) -> Value {
        let (data, index) = (self.operand(data), self.operand(index));
        let offset = if item == Type::Bool {
            index
        } else {
            self.b.ins().ishl_imm_u(index, 3)
        };
        self.b.ins().iadd(data, offset)
    }

    /// Leaves the function with `status` and `values` (none: each value
    /// slot gets a zero).
    fn leave(&mut self, status: i64, values: Vec<Value>) {
        let status = self.b.ins().iconst(types::I8, status);
        let mut args = vec![BlockArg::Value(status)];
        for (i, t) in self.returned.clone().into_iter().enumerate() {
            let v = values.get(i).copied().unwrap_or_else(|| {
                if t == types::F64 {
                    self.b.ins().f64const(0.0)
                } else {
                    self.b.ins().iconst(t, 0)
                }
            });
            args.push(BlockArg::Value(v));
        }
        self.b.ins().jump(self.exit, &args);
    }

    fn terminator(&mut self, t: &Terminator) {
        match t {
            Terminator::Goto(target) => {
                self.b.ins().jump(self.blocks[target.0 as usize], &[]);
            }
            Terminator::Branch {
                cond,
                then,
                otherwise,
            } => {
                let c = self.operand(*cond);
                let (t, e) = (
                    self.blocks[then.0 as usize],
                    self.blocks[otherwise.0 as usize],
                );
                self.b.ins().brif(c, t, &[], e, &[]);
            }
            Terminator::Return(values) => {
                let values = values.iter().map(|op| self.operand(*op)).collect();
                self.leave(0, values);
            }
            Terminator::Raise {
                kind,
                message,
                span,
            } => self.jump_to_raise(*kind, message, *span),
            Terminator::Propagate => self.leave(1, Vec::new()),
        }
    }
}

fn int_cc(cond: IntCond) -> IntCC {
    match cond {
        IntCond::Eq => IntCC::Equal,
        IntCond::Ne => IntCC::NotEqual,
        IntCond::SLt => IntCC::SignedLessThan,
        IntCond::SLe => IntCC::SignedLessThanOrEqual,
        IntCond::SGt => IntCC::SignedGreaterThan,
        IntCond::SGe => IntCC::SignedGreaterThanOrEqual,
        IntCond::ULt => IntCC::UnsignedLessThan,
        IntCond::ULe => IntCC::UnsignedLessThanOrEqual,
        IntCond::UGt => IntCC::UnsignedGreaterThan,
        IntCond::UGe => IntCC::UnsignedGreaterThanOrEqual,
    }
}

fn float_cc(cond: FloatCond) -> FloatCC {
    match cond {
        FloatCond::Eq => FloatCC::Equal,
        FloatCond::Ne => FloatCC::NotEqual,
        FloatCond::Lt => FloatCC::LessThan,
        FloatCond::Le => FloatCC::LessThanOrEqual,
        FloatCond::Gt => FloatCC::GreaterThan,
        FloatCond::Ge => FloatCC::GreaterThanOrEqual,
    }
}
