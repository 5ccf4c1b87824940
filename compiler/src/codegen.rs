//! Stage 4: HIR to machine code through Cranelift. Input: a checked
//! [`hir::Module`]; output: its functions defined in a `cranelift_module`
//! [`Module`] (an object file for builds, a JIT for `roastc run`).
//!
//! Conventions (see ARCHITECTURE.md): every Roast function takes the
//! per-thread context pointer first and returns a status byte (nonzero: an
//! exception is pending in the context) followed by its value; each exported
//! function also gets a C-ABI shim `(ctx, args..., *mut ret) -> u8` that the
//! generated Rust calls. Faults branch to cold blocks that call
//! `roast_rt_raise` with the Roast source position.

use crate::diag::{SourceFile, Span};
use crate::hir::{self, ArithOp, CmpOp, Expr, ExprKind, FuncId, FunctionRole, Stmt, Type};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{
    self, condcodes::FloatCC, condcodes::IntCC, types, AbiParam, BlockArg, InstBuilder,
    MemFlagsData, Signature, UserFuncName, Value,
};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_module::{
    DataDescription, DataId, FuncId as ClifFuncId, Linkage, Module, ModuleReloc,
};
use roast_runtime::{ExcKind, CTX_DEPTH_LIMIT_OFFSET, CTX_DEPTH_OFFSET, CTX_PENDING_OFFSET};
use std::collections::HashMap;

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

/// The runtime functions compiled code imports, with their signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RtFn {
    Raise,
    PrintStr,
    PrintInt,
    PrintFloat,
    PrintBool,
    FloatFloorDiv,
    FloatMod,
    IntTrueDiv,
    IntFloatCmp,
    IntPow,
    FloatPow,
    FloatToInt,
}

impl RtFn {
    /// Every runtime function compiled code may import.
    pub(crate) const ALL: [RtFn; 12] = [
        RtFn::Raise,
        RtFn::PrintStr,
        RtFn::PrintInt,
        RtFn::PrintFloat,
        RtFn::PrintBool,
        RtFn::FloatFloorDiv,
        RtFn::FloatMod,
        RtFn::IntTrueDiv,
        RtFn::IntFloatCmp,
        RtFn::IntPow,
        RtFn::FloatPow,
        RtFn::FloatToInt,
    ];

    /// The runtime's C symbol.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RtFn::Raise => "roast_rt_raise",
            RtFn::PrintStr => "roast_rt_print_str",
            RtFn::PrintInt => "roast_rt_print_int",
            RtFn::PrintFloat => "roast_rt_print_float",
            RtFn::PrintBool => "roast_rt_print_bool",
            RtFn::FloatFloorDiv => "roast_rt_float_floordiv",
            RtFn::FloatMod => "roast_rt_float_mod",
            RtFn::IntTrueDiv => "roast_rt_int_truediv",
            RtFn::IntFloatCmp => "roast_rt_int_float_cmp",
            RtFn::IntPow => "roast_rt_int_pow",
            RtFn::FloatPow => "roast_rt_float_pow",
            RtFn::FloatToInt => "roast_rt_float_to_int",
        }
    }

    /// Parameter and return types; a trailing "site" means the three
    /// position parameters `(file ptr, file len, line << 32 | col)`.
    fn signature(self) -> (Vec<ir::Type>, Vec<ir::Type>) {
        use types::{F64, I32, I64, I8};
        let site = [I64, I64, I64];
        let with_site = |mut v: Vec<ir::Type>| {
            v.extend(site);
            v
        };
        match self {
            RtFn::Raise => (with_site(vec![I64, I32, I64, I64]), vec![]),
            RtFn::PrintStr => (vec![I64, I64], vec![]),
            RtFn::PrintInt => (vec![I64], vec![]),
            RtFn::PrintFloat => (vec![F64], vec![]),
            RtFn::PrintBool => (vec![I8], vec![]),
            RtFn::FloatFloorDiv | RtFn::FloatMod => (vec![F64, F64], vec![F64]),
            RtFn::IntTrueDiv => (vec![I64, I64], vec![F64]),
            RtFn::IntFloatCmp => (vec![I64, F64], vec![I32]),
            RtFn::IntPow => (with_site(vec![I64, I64, I64]), vec![I64]),
            RtFn::FloatPow => (with_site(vec![I64, F64, F64]), vec![F64]),
            RtFn::FloatToInt => (with_site(vec![I64, F64]), vec![I64]),
        }
    }
}

fn clif_type(ty: Type) -> Option<ir::Type> {
    match ty {
        Type::Int => Some(types::I64),
        Type::Float => Some(types::F64),
        Type::Bool => Some(types::I8),
        Type::None | Type::Str => None,
    }
}

/// Defines every function of `module` (plus init, script and export shims)
/// in `out`. `prefix` makes the symbols unique in the final program.
pub fn define_module<M: Module>(
    out: &mut M,
    module: &hir::Module,
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
        ctx: Context::new(),
        built: Vec::new(),
        fctx: FunctionBuilderContext::new(),
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
            gen.define_shim(&name, gen.funcs[i], f)?;
            entries.exports.push((FuncId(i as u32), name));
        }
    }
    if let Some(init) = &module.init {
        let name = format!("{prefix}_init");
        gen.define_top_level(&name, init)?;
        entries.init = Some(name);
    }
    gen.define_top_level(&entries.script, &module.script)?;
    gen.compile_all()?;
    Ok(entries)
}

struct ModuleGen<'a, M: Module> {
    out: &'a mut M,
    /// Receives each function's Cranelift IR (for `--emit=clif`).
    clif: Option<&'a mut String>,
    module: &'a hir::Module,
    source: &'a SourceFile,
    prefix: &'a str,
    colocate_runtime: bool,
    funcs: Vec<ClifFuncId>,
    runtime: HashMap<&'static str, ClifFuncId>,
    data: HashMap<String, DataId>,
    ctx: Context,
    /// Functions built, waiting to be compiled: `(id, name, IR)`.
    built: Vec<(ClifFuncId, String, ir::Function)>,
    fctx: FunctionBuilderContext,
}

impl<M: Module> ModuleGen<'_, M> {
    fn internal_signature(&self, f: &hir::Function) -> Signature {
        let mut sig = self.out.make_signature();
        sig.call_conv = CallConv::SystemV;
        sig.params.push(AbiParam::new(types::I64));
        for p in &f.params {
            let ty = clif_type(f.locals[p.0 as usize].ty).expect("parameters are scalars");
            sig.params.push(AbiParam::new(ty));
        }
        sig.returns.push(AbiParam::new(types::I8));
        if let Some(t) = clif_type(f.ret) {
            sig.returns.push(AbiParam::new(t));
        }
        sig
    }

    fn runtime_fn(&mut self, f: RtFn) -> Result<ClifFuncId, String> {
        if let Some(id) = self.runtime.get(f.name()) {
            return Ok(*id);
        }
        let (params, returns) = f.signature();
        let mut sig = self.out.make_signature();
        sig.params.extend(params.into_iter().map(AbiParam::new));
        sig.returns.extend(returns.into_iter().map(AbiParam::new));
        let id = self
            .out
            .declare_function(f.name(), Linkage::Import, &sig)
            .map_err(|e| e.to_string())?;
        self.runtime.insert(f.name(), id);
        Ok(id)
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

    fn define_function(&mut self, id: ClifFuncId, f: &hir::Function) -> Result<(), String> {
        self.ctx.func.signature = self.internal_signature(f);
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        self.lower_body(f)?;
        self.finish_function(id, &f.name)
    }

    fn define_top_level(&mut self, name: &str, f: &hir::Function) -> Result<(), String> {
        let sig = self.internal_signature(f);
        let id = self
            .out
            .declare_function(name, Linkage::Export, &sig)
            .map_err(|e| e.to_string())?;
        self.ctx.func.signature = sig;
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        self.lower_body(f)?;
        self.finish_function(id, name)
    }

    /// `extern "C" fn(ctx, args..., out: *mut Ret) -> u8` calling `target`.
    fn define_shim(
        &mut self,
        name: &str,
        target: ClifFuncId,
        f: &hir::Function,
    ) -> Result<(), String> {
        let mut sig = self.out.make_signature();
        sig.params.push(AbiParam::new(types::I64));
        for p in &f.params {
            let ty = clif_type(f.locals[p.0 as usize].ty).expect("parameters are scalars");
            sig.params.push(AbiParam::new(ty));
        }
        let ret = clif_type(f.ret);
        if ret.is_some() {
            sig.params.push(AbiParam::new(types::I64));
        }
        sig.returns.push(AbiParam::new(types::I8));
        let id = self
            .out
            .declare_function(name, Linkage::Export, &sig)
            .map_err(|e| e.to_string())?;
        self.ctx.func.signature = sig;
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        {
            let mut b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let params = b.block_params(entry).to_vec();
            let callee = self.out.declare_func_in_func(target, b.func);
            let nargs = 1 + f.params.len();
            let call = b.ins().call(callee, &params[..nargs]);
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

    fn lower_body(&mut self, f: &hir::Function) -> Result<(), String> {
        let mut fctx = std::mem::take(&mut self.fctx);
        let mut func = std::mem::replace(&mut self.ctx.func, ir::Function::new());
        let config = self.out.isa().frontend_config();
        let result = {
            let mut b = FunctionBuilder::new(&mut func, &mut fctx);
            let result = FnLower::new(self, &mut b, f).body(f);
            b.finalize(config);
            result
        };
        self.ctx.func = func;
        self.fctx = fctx;
        result
    }
}

/// Lowers one function body.
struct FnLower<'g, 'a, 'b, M: Module> {
    gen: &'g mut ModuleGen<'a, M>,
    b: &'g mut FunctionBuilder<'b>,
    ctx: Value,
    vars: Vec<Variable>,
    exit: ir::Block,
    ret: Type,
    /// `(continue target, break target)` of the enclosing loops.
    loops: Vec<(ir::Block, ir::Block)>,
    funcs: HashMap<FuncId, ir::FuncRef>,
    runtime: HashMap<&'static str, ir::FuncRef>,
    error: Option<String>,
}

impl<'g, 'a, 'b, M: Module> FnLower<'g, 'a, 'b, M> {
    fn new(
        gen: &'g mut ModuleGen<'a, M>,
        b: &'g mut FunctionBuilder<'b>,
        f: &hir::Function,
    ) -> Self {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let ctx = b.block_params(entry)[0];
        let mut vars = Vec::new();
        for (i, local) in f.locals.iter().enumerate() {
            let ty = clif_type(local.ty).unwrap_or(types::I8);
            let var = b.declare_var(ty);
            let init = match f.params.iter().position(|p| p.0 as usize == i) {
                Some(pi) => b.block_params(entry)[1 + pi],
                None if ty == types::F64 => b.ins().f64const(0.0),
                None => b.ins().iconst(ty, 0),
            };
            b.def_var(var, init);
            vars.push(var);
        }
        let exit = b.create_block();
        b.append_block_param(exit, types::I8);
        if let Some(t) = clif_type(f.ret) {
            b.append_block_param(exit, t);
        }
        FnLower {
            gen,
            b,
            ctx,
            vars,
            exit,
            ret: f.ret,
            loops: Vec::new(),
            funcs: HashMap::new(),
            runtime: HashMap::new(),
            error: None,
        }
    }

    fn body(&mut self, f: &hir::Function) -> Result<(), String> {
        // Recursion limit: depth += 1; raise RecursionError past the limit.
        let flags = MemFlagsData::trusted();
        let depth = self
            .b
            .ins()
            .load(types::I64, flags, self.ctx, CTX_DEPTH_OFFSET);
        let depth = self.b.ins().iadd_imm_s(depth, 1);
        self.b.ins().store(flags, depth, self.ctx, CTX_DEPTH_OFFSET);
        let limit = self
            .b
            .ins()
            .load(types::I64, flags, self.ctx, CTX_DEPTH_LIMIT_OFFSET);
        let too_deep = self.b.ins().icmp(IntCC::UnsignedGreaterThan, depth, limit);
        self.raise_if(
            too_deep,
            ExcKind::RecursionError,
            "maximum recursion depth exceeded",
            f.span,
        );
        self.block(&f.body);
        if !self.is_terminated() {
            if self.ret == Type::None {
                let ok = self.b.ins().iconst(types::I8, 0);
                self.b.ins().jump(self.exit, &[BlockArg::Value(ok)]);
            } else {
                self.raise(
                    ExcKind::RuntimeError,
                    "function ended without returning a value",
                    f.span,
                );
            }
        }
        // The exit block: depth -= 1, return (status, value).
        self.b.switch_to_block(self.exit);
        let params = self.b.block_params(self.exit).to_vec();
        let depth = self
            .b
            .ins()
            .load(types::I64, flags, self.ctx, CTX_DEPTH_OFFSET);
        let depth = self.b.ins().iadd_imm_s(depth, -1);
        self.b.ins().store(flags, depth, self.ctx, CTX_DEPTH_OFFSET);
        self.b.ins().return_(&params);
        self.b.seal_all_blocks();
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn is_terminated(&self) -> bool {
        let block = self.b.current_block().expect("always in a block");
        self.b
            .func
            .layout
            .last_inst(block)
            .is_some_and(|i| self.b.func.dfg.insts[i].opcode().is_terminator())
    }

    /// Continues in a fresh (unreachable) block after a terminator.
    fn fresh_block(&mut self) {
        let b = self.b.create_block();
        self.b.switch_to_block(b);
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
        if let Some(r) = self.runtime.get(f.name()) {
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
        self.runtime.insert(f.name(), r);
        r
    }

    fn call_rt(&mut self, f: RtFn, args: &[Value]) -> Option<Value> {
        let r = self.runtime_ref(f);
        let call = self.b.ins().call(r, args);
        self.b.inst_results(call).first().copied()
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

    /// `(file ptr, file len, line << 32 | col)` of `span`.
    fn site(&mut self, span: Span) -> [Value; 3] {
        let (line, col) = self.gen.source.line_col(span.start);
        let file_name = self.gen.module.file_name.clone();
        let (ptr, len) = self.string(&file_name);
        let pos = self
            .b
            .ins()
            .iconst(types::I64, ((line as i64) << 32) | col as i64);
        [ptr, len, pos]
    }

    /// Raises `kind(message)` at `span` and leaves the function.
    fn raise(&mut self, kind: ExcKind, message: &str, span: Span) {
        let (msg, msg_len) = self.string(message);
        let code = self.b.ins().iconst(types::I32, kind as i64);
        let [file, file_len, pos] = self.site(span);
        let ctx = self.ctx;
        self.call_rt(RtFn::Raise, &[ctx, code, msg, msg_len, file, file_len, pos]);
        self.fail();
    }

    /// Leaves the function with a failure status (the exception is pending).
    fn fail(&mut self) {
        let status = self.b.ins().iconst(types::I8, 1);
        let mut args = vec![BlockArg::Value(status)];
        if let Some(t) = clif_type(self.ret) {
            let zero = if t == types::F64 {
                self.b.ins().f64const(0.0)
            } else {
                self.b.ins().iconst(t, 0)
            };
            args.push(BlockArg::Value(zero));
        }
        self.b.ins().jump(self.exit, &args);
    }

    /// Branches to a cold block raising `kind(message)` when `cond` is true.
    fn raise_if(&mut self, cond: Value, kind: ExcKind, message: &str, span: Span) {
        let cold = self.b.create_block();
        let ok = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(cond, cold, &[], ok, &[]);
        self.b.switch_to_block(cold);
        self.raise(kind, message, span);
        self.b.switch_to_block(ok);
    }

    /// Leaves the function when `status` (an i8) is nonzero.
    fn propagate_if(&mut self, status: Value) {
        let cold = self.b.create_block();
        let ok = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(status, cold, &[], ok, &[]);
        self.b.switch_to_block(cold);
        self.fail();
        self.b.switch_to_block(ok);
    }

    /// Leaves the function when a runtime call left an exception pending.
    fn check_pending(&mut self) {
        let pending = self.b.ins().load(
            types::I8,
            MemFlagsData::trusted(),
            self.ctx,
            CTX_PENDING_OFFSET,
        );
        self.propagate_if(pending);
    }

    fn block(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            if self.is_terminated() {
                self.fresh_block();
            }
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Assign(local, e) => {
                let v = self.expr(e);
                self.b.def_var(self.vars[local.0 as usize], v);
            }
            Stmt::ParallelAssign(pairs) => {
                let values: Vec<Value> = pairs.iter().map(|(_, e)| self.expr(e)).collect();
                for ((local, _), v) in pairs.iter().zip(values) {
                    self.b.def_var(self.vars[local.0 as usize], v);
                }
            }
            Stmt::Expr(e) => {
                self.expr(e);
            }
            Stmt::If { cond, then, orelse } => {
                let c = self.expr(cond);
                let (tb, eb, join) = (
                    self.b.create_block(),
                    self.b.create_block(),
                    self.b.create_block(),
                );
                self.b.ins().brif(c, tb, &[], eb, &[]);
                self.b.switch_to_block(tb);
                self.block(then);
                if !self.is_terminated() {
                    self.b.ins().jump(join, &[]);
                }
                self.b.switch_to_block(eb);
                self.block(orelse);
                if !self.is_terminated() {
                    self.b.ins().jump(join, &[]);
                }
                self.b.switch_to_block(join);
            }
            Stmt::While { cond, body, orelse } => {
                let (header, body_b, else_b, after) = (
                    self.b.create_block(),
                    self.b.create_block(),
                    self.b.create_block(),
                    self.b.create_block(),
                );
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(header);
                let c = self.expr(cond);
                self.b.ins().brif(c, body_b, &[], else_b, &[]);
                self.b.switch_to_block(body_b);
                self.loops.push((header, after));
                self.block(body);
                self.loops.pop();
                if !self.is_terminated() {
                    self.b.ins().jump(header, &[]);
                }
                self.b.switch_to_block(else_b);
                self.block(orelse);
                if !self.is_terminated() {
                    self.b.ins().jump(after, &[]);
                }
                self.b.switch_to_block(after);
            }
            Stmt::ForRange {
                var,
                start,
                stop,
                step,
                span,
                body,
                orelse,
            } => self.for_range(*var, start, stop, step, *span, body, orelse),
            Stmt::Break | Stmt::Continue => {
                let (cont, brk) = *self.loops.last().expect("checker: break inside a loop");
                let target = if matches!(s, Stmt::Break) { brk } else { cont };
                self.b.ins().jump(target, &[]);
            }
            Stmt::Return(value) => {
                let ok = self.b.ins().iconst(types::I8, 0);
                let mut args = vec![BlockArg::Value(ok)];
                if let Some(e) = value {
                    let v = self.expr(e);
                    args.push(BlockArg::Value(v));
                }
                self.b.ins().jump(self.exit, &args);
            }
            Stmt::Assert {
                cond,
                message,
                span,
            } => {
                let c = self.expr(cond);
                let failed = self.b.ins().icmp_imm_s(IntCC::Equal, c, 0);
                self.raise_if(
                    failed,
                    ExcKind::AssertionError,
                    message.as_deref().unwrap_or(""),
                    *span,
                );
            }
            Stmt::Print { args, sep, end } => self.print(args, sep, end),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn for_range(
        &mut self,
        var: hir::LocalId,
        start: &Expr,
        stop: &Expr,
        step: &Expr,
        span: Span,
        body: &[Stmt],
        orelse: &[Stmt],
    ) {
        let start = self.expr(start);
        let stop = self.expr(stop);
        let step = self.expr(step);
        let zero_step = self.b.ins().icmp_imm_s(IntCC::Equal, step, 0);
        self.raise_if(
            zero_step,
            ExcKind::ValueError,
            "range() arg 3 must not be zero",
            span,
        );
        let (header, body_b, latch, else_b, after) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        let i = self.b.append_block_param(header, types::I64);
        self.b.ins().jump(header, &[BlockArg::Value(start)]);
        self.b.switch_to_block(header);
        let up = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, step, 0);
        let below = self.b.ins().icmp(IntCC::SignedLessThan, i, stop);
        let above = self.b.ins().icmp(IntCC::SignedGreaterThan, i, stop);
        let more = self.b.ins().select(up, below, above);
        self.b.ins().brif(more, body_b, &[], else_b, &[]);
        self.b.switch_to_block(body_b);
        self.b.def_var(self.vars[var.0 as usize], i);
        self.loops.push((latch, after));
        self.block(body);
        self.loops.pop();
        if !self.is_terminated() {
            self.b.ins().jump(latch, &[]);
        }
        // i + step overflowing i64 means the range is exhausted.
        self.b.switch_to_block(latch);
        let (next, overflow) = self.b.ins().sadd_overflow(i, step);
        self.b
            .ins()
            .brif(overflow, else_b, &[], header, &[BlockArg::Value(next)]);
        self.b.switch_to_block(else_b);
        self.block(orelse);
        if !self.is_terminated() {
            self.b.ins().jump(after, &[]);
        }
        self.b.switch_to_block(after);
    }

    fn print(&mut self, args: &[Expr], sep: &str, end: &str) {
        // Python evaluates every argument before writing anything.
        let values: Vec<Option<Value>> = args
            .iter()
            .map(|a| match a.kind {
                ExprKind::Str(_) | ExprKind::NoneLit => None,
                _ => Some(self.expr(a)),
            })
            .collect();
        let mut pending_text = String::new();
        for (i, (a, v)) in args.iter().zip(values).enumerate() {
            if i > 0 {
                pending_text.push_str(sep);
            }
            let Some(v) = v else {
                match &a.kind {
                    ExprKind::Str(s) => pending_text.push_str(s),
                    _ => pending_text.push_str("None"),
                }
                continue;
            };
            self.flush_text(&mut pending_text);
            match a.ty {
                Type::Int => self.call_rt(RtFn::PrintInt, &[v]),
                Type::Float => self.call_rt(RtFn::PrintFloat, &[v]),
                Type::Bool => self.call_rt(RtFn::PrintBool, &[v]),
                Type::None | Type::Str => {
                    let text = if a.ty == Type::None { "None" } else { "" };
                    let (p, l) = self.string(text);
                    self.call_rt(RtFn::PrintStr, &[p, l])
                }
            };
        }
        pending_text.push_str(end);
        self.flush_text(&mut pending_text);
    }

    fn flush_text(&mut self, text: &mut String) {
        if !text.is_empty() {
            let (p, l) = self.string(text);
            self.call_rt(RtFn::PrintStr, &[p, l]);
            text.clear();
        }
    }

    fn expr(&mut self, e: &Expr) -> Value {
        match &e.kind {
            ExprKind::Int(v) => self.b.ins().iconst(types::I64, *v),
            ExprKind::Float(v) => self.b.ins().f64const(*v),
            ExprKind::Bool(v) => self.b.ins().iconst(types::I8, *v as i64),
            ExprKind::NoneLit | ExprKind::Str(_) => self.b.ins().iconst(types::I8, 0),
            ExprKind::Local(id) => self.b.use_var(self.vars[id.0 as usize]),
            ExprKind::Call(id, args, order) => {
                let mut slots: Vec<Option<Value>> = vec![None; args.len()];
                if order.is_empty() {
                    for (slot, a) in slots.iter_mut().zip(args) {
                        *slot = Some(self.expr(a));
                    }
                } else {
                    for &i in order {
                        slots[i] = Some(self.expr(&args[i]));
                    }
                }
                let mut values = vec![self.ctx];
                values.extend(
                    slots
                        .into_iter()
                        .map(|v| v.expect("every argument evaluated")),
                );
                let r = self.func_ref(*id);
                let call = self.b.ins().call(r, &values);
                let results = self.b.inst_results(call).to_vec();
                self.propagate_if(results[0]);
                results
                    .get(1)
                    .copied()
                    .unwrap_or_else(|| self.b.ins().iconst(types::I8, 0))
            }
            ExprKind::Arith(op, l, r) => {
                let (lv, rv) = (self.expr(l), self.expr(r));
                if l.ty == Type::Float {
                    self.float_arith(*op, lv, rv, e.span)
                } else {
                    self.int_arith(*op, lv, rv, e.span)
                }
            }
            ExprKind::Neg(x) => {
                let v = self.expr(x);
                if x.ty == Type::Float {
                    self.b.ins().fneg(v)
                } else {
                    let zero = self.b.ins().iconst(types::I64, 0);
                    let (r, of) = self.b.ins().ssub_overflow(zero, v);
                    self.overflow_if(of, e.span);
                    r
                }
            }
            ExprKind::Invert(x) => {
                let v = self.expr(x);
                self.b.ins().bnot(v)
            }
            ExprKind::Not(x) => {
                let v = self.expr(x);
                self.b.ins().bxor_imm_s(v, 1)
            }
            ExprKind::Truthy(x) => {
                let v = self.expr(x);
                match x.ty {
                    Type::Float => {
                        let zero = self.b.ins().f64const(0.0);
                        self.b.ins().fcmp(FloatCC::NotEqual, v, zero)
                    }
                    Type::Int => self.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0),
                    _ => self.b.ins().iconst(types::I8, 0),
                }
            }
            ExprKind::Compare(first, rest) => self.compare(first, rest),
            ExprKind::And(l, r) | ExprKind::Or(l, r) => {
                let is_and = matches!(e.kind, ExprKind::And(..));
                let ty = clif_type(e.ty).unwrap_or(types::I8);
                let lv = self.expr(l);
                let truth = self.truth_of(lv, l.ty);
                let (rhs, join) = (self.b.create_block(), self.b.create_block());
                let result = self.b.append_block_param(join, ty);
                if is_and {
                    self.b
                        .ins()
                        .brif(truth, rhs, &[], join, &[BlockArg::Value(lv)]);
                } else {
                    self.b
                        .ins()
                        .brif(truth, join, &[BlockArg::Value(lv)], rhs, &[]);
                }
                self.b.switch_to_block(rhs);
                let rv = self.expr(r);
                self.b.ins().jump(join, &[BlockArg::Value(rv)]);
                self.b.switch_to_block(join);
                result
            }
            ExprKind::IfExp(c, t, f) => {
                let ty = clif_type(e.ty).unwrap_or(types::I8);
                let cv = self.expr(c);
                let (tb, fb, join) = (
                    self.b.create_block(),
                    self.b.create_block(),
                    self.b.create_block(),
                );
                let result = self.b.append_block_param(join, ty);
                self.b.ins().brif(cv, tb, &[], fb, &[]);
                self.b.switch_to_block(tb);
                let tv = self.expr(t);
                self.b.ins().jump(join, &[BlockArg::Value(tv)]);
                self.b.switch_to_block(fb);
                let fv = self.expr(f);
                self.b.ins().jump(join, &[BlockArg::Value(fv)]);
                self.b.switch_to_block(join);
                result
            }
            ExprKind::IntToFloat(x) => {
                let v = self.expr(x);
                self.b.ins().fcvt_from_sint(types::F64, v)
            }
            ExprKind::BoolToInt(x) => {
                let v = self.expr(x);
                self.b.ins().uextend(types::I64, v)
            }
            ExprKind::FloatToInt(x) => {
                let v = self.expr(x);
                let [file, len, pos] = self.site(e.span);
                let ctx = self.ctx;
                let r = self.call_rt(RtFn::FloatToInt, &[ctx, v, file, len, pos]);
                self.check_pending();
                r.expect("float_to_int returns a value")
            }
            ExprKind::Abs(x) => {
                let v = self.expr(x);
                if x.ty == Type::Float {
                    self.b.ins().fabs(v)
                } else {
                    let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, v, i64::MIN);
                    self.overflow_if(is_min, e.span);
                    let neg = self.b.ins().ineg(v);
                    let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, v, 0);
                    self.b.ins().select(negative, neg, v)
                }
            }
            ExprKind::MinMax(is_max, args) => {
                let mut acc = self.expr(&args[0]);
                for a in &args[1..] {
                    let v = self.expr(a);
                    let better = match (a.ty, is_max) {
                        (Type::Float, true) => self.b.ins().fcmp(FloatCC::GreaterThan, v, acc),
                        (Type::Float, false) => self.b.ins().fcmp(FloatCC::LessThan, v, acc),
                        (_, true) => self.b.ins().icmp(IntCC::SignedGreaterThan, v, acc),
                        (_, false) => self.b.ins().icmp(IntCC::SignedLessThan, v, acc),
                    };
                    acc = self.b.ins().select(better, v, acc);
                }
                acc
            }
        }
    }

    /// Python truthiness of a value of type `ty`, as an i8.
    fn truth_of(&mut self, v: Value, ty: Type) -> Value {
        match ty {
            Type::Float => {
                let zero = self.b.ins().f64const(0.0);
                self.b.ins().fcmp(FloatCC::NotEqual, v, zero)
            }
            Type::Int => self.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0),
            _ => v,
        }
    }

    fn overflow_if(&mut self, cond: Value, span: Span) {
        self.raise_if(
            cond,
            ExcKind::OverflowError,
            roast_runtime::INT_OVERFLOW_MESSAGE,
            span,
        );
    }

    fn int_arith(&mut self, op: ArithOp, a: Value, b: Value, span: Span) -> Value {
        match op {
            ArithOp::Add | ArithOp::Sub | ArithOp::Mul => {
                let (r, of) = match op {
                    ArithOp::Add => self.b.ins().sadd_overflow(a, b),
                    ArithOp::Sub => self.b.ins().ssub_overflow(a, b),
                    _ => self.b.ins().smul_overflow(a, b),
                };
                self.overflow_if(of, span);
                r
            }
            ArithOp::Div => {
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
                self.raise_if(zero, ExcKind::ZeroDivisionError, "division by zero", span);
                self.call_rt(RtFn::IntTrueDiv, &[a, b])
                    .expect("returns f64")
            }
            ArithOp::FloorDiv | ArithOp::Mod => {
                let floor = op == ArithOp::FloorDiv;
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
                let message = if floor {
                    "integer division or modulo by zero"
                } else {
                    "integer modulo by zero"
                };
                self.raise_if(zero, ExcKind::ZeroDivisionError, message, span);
                // b == -1 is special-cased: the machine division of i64::MIN
                // by -1 traps, and Python's results are -a and 0.
                let (minus_one, general, join) = (
                    self.b.create_block(),
                    self.b.create_block(),
                    self.b.create_block(),
                );
                let result = self.b.append_block_param(join, types::I64);
                let is_minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
                self.b
                    .ins()
                    .brif(is_minus_one, minus_one, &[], general, &[]);
                self.b.switch_to_block(minus_one);
                let special = if floor {
                    let zero = self.b.ins().iconst(types::I64, 0);
                    let (neg, of) = self.b.ins().ssub_overflow(zero, a);
                    self.overflow_if(of, span);
                    neg
                } else {
                    self.b.ins().iconst(types::I64, 0)
                };
                self.b.ins().jump(join, &[BlockArg::Value(special)]);
                self.b.switch_to_block(general);
                let q = self.b.ins().sdiv(a, b);
                let r = self.b.ins().srem(a, b);
                // Adjust toward floor when the remainder's sign differs from b's.
                let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
                let signs = self.b.ins().bxor(r, b);
                let differ = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, signs, 0);
                let adjust = self.b.ins().band(nonzero, differ);
                let value = if floor {
                    let adj = self.b.ins().uextend(types::I64, adjust);
                    self.b.ins().isub(q, adj)
                } else {
                    let plus = self.b.ins().iadd(r, b);
                    self.b.ins().select(adjust, plus, r)
                };
                self.b.ins().jump(join, &[BlockArg::Value(value)]);
                self.b.switch_to_block(join);
                result
            }
            ArithOp::Pow => {
                let [file, len, pos] = self.site(span);
                let ctx = self.ctx;
                let r = self.call_rt(RtFn::IntPow, &[ctx, a, b, file, len, pos]);
                self.check_pending();
                r.expect("int_pow returns a value")
            }
            ArithOp::BitAnd => self.b.ins().band(a, b),
            ArithOp::BitOr => self.b.ins().bor(a, b),
            ArithOp::BitXor => self.b.ins().bxor(a, b),
            ArithOp::Shl | ArithOp::Shr => {
                let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, b, 0);
                self.raise_if(negative, ExcKind::ValueError, "negative shift count", span);
                let big = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, b, 63);
                let cap = self.b.ins().iconst(types::I64, 63);
                let amount = self.b.ins().umin(b, cap);
                if op == ArithOp::Shr {
                    // Shifting right by 63 already gives 0 or -1.
                    let _ = big;
                    self.b.ins().sshr(a, amount)
                } else {
                    let shifted = self.b.ins().ishl(a, amount);
                    let back = self.b.ins().sshr(shifted, amount);
                    let lost = self.b.ins().icmp(IntCC::NotEqual, back, a);
                    let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, a, 0);
                    let big_nonzero = self.b.ins().band(big, nonzero);
                    let of = self.b.ins().bor(lost, big_nonzero);
                    self.overflow_if(of, span);
                    let zero = self.b.ins().iconst(types::I64, 0);
                    self.b.ins().select(big, zero, shifted)
                }
            }
        }
    }

    fn float_arith(&mut self, op: ArithOp, a: Value, b: Value, span: Span) -> Value {
        let zero_check = |s: &mut Self, message: &str| {
            let zero = s.b.ins().f64const(0.0);
            let is_zero = s.b.ins().fcmp(FloatCC::Equal, b, zero);
            s.raise_if(is_zero, ExcKind::ZeroDivisionError, message, span);
        };
        match op {
            ArithOp::Add => self.b.ins().fadd(a, b),
            ArithOp::Sub => self.b.ins().fsub(a, b),
            ArithOp::Mul => self.b.ins().fmul(a, b),
            ArithOp::Div => {
                zero_check(self, "float division by zero");
                self.b.ins().fdiv(a, b)
            }
            ArithOp::FloorDiv => {
                zero_check(self, "float floor division by zero");
                self.call_rt(RtFn::FloatFloorDiv, &[a, b])
                    .expect("returns f64")
            }
            ArithOp::Mod => {
                zero_check(self, "float modulo");
                self.call_rt(RtFn::FloatMod, &[a, b]).expect("returns f64")
            }
            ArithOp::Pow => {
                let [file, len, pos] = self.site(span);
                let ctx = self.ctx;
                let r = self.call_rt(RtFn::FloatPow, &[ctx, a, b, file, len, pos]);
                self.check_pending();
                r.expect("float_pow returns a value")
            }
            _ => unreachable!("checker: bit operators take ints"),
        }
    }

    fn compare(&mut self, first: &Expr, rest: &[(CmpOp, Expr)]) -> Value {
        let mut left = self.expr(first);
        let mut left_ty = first.ty;
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, types::I8);
        for (i, (op, right)) in rest.iter().enumerate() {
            let rv = self.expr(right);
            let c = self.compare_one(*op, left, left_ty, rv, right.ty);
            if i + 1 == rest.len() {
                self.b.ins().jump(done, &[BlockArg::Value(c)]);
            } else {
                let next = self.b.create_block();
                self.b.ins().brif(c, next, &[], done, &[BlockArg::Value(c)]);
                self.b.switch_to_block(next);
            }
            left = rv;
            left_ty = right.ty;
        }
        self.b.switch_to_block(done);
        result
    }

    fn compare_one(&mut self, op: CmpOp, a: Value, at: Type, b: Value, bt: Type) -> Value {
        let int_cc = |op| match op {
            CmpOp::Eq => IntCC::Equal,
            CmpOp::Ne => IntCC::NotEqual,
            CmpOp::Lt => IntCC::SignedLessThan,
            CmpOp::Le => IntCC::SignedLessThanOrEqual,
            CmpOp::Gt => IntCC::SignedGreaterThan,
            CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
        };
        match (at, bt) {
            (Type::Float, Type::Float) => {
                let cc = match op {
                    CmpOp::Eq => FloatCC::Equal,
                    CmpOp::Ne => FloatCC::NotEqual,
                    CmpOp::Lt => FloatCC::LessThan,
                    CmpOp::Le => FloatCC::LessThanOrEqual,
                    CmpOp::Gt => FloatCC::GreaterThan,
                    CmpOp::Ge => FloatCC::GreaterThanOrEqual,
                };
                self.b.ins().fcmp(cc, a, b)
            }
            (Type::Int, Type::Float) | (Type::Float, Type::Int) => {
                // Exact comparison through the runtime: -1, 0, 1, or 2 (NaN).
                let (i, f, flipped) = if at == Type::Int {
                    (a, b, false)
                } else {
                    (b, a, true)
                };
                let r = self
                    .call_rt(RtFn::IntFloatCmp, &[i, f])
                    .expect("returns i32");
                let op = if flipped {
                    match op {
                        CmpOp::Lt => CmpOp::Gt,
                        CmpOp::Le => CmpOp::Ge,
                        CmpOp::Gt => CmpOp::Lt,
                        CmpOp::Ge => CmpOp::Le,
                        other => other,
                    }
                } else {
                    op
                };
                match op {
                    CmpOp::Eq => self.b.ins().icmp_imm_s(IntCC::Equal, r, 0),
                    CmpOp::Ne => self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0),
                    CmpOp::Lt => self.b.ins().icmp_imm_s(IntCC::Equal, r, -1),
                    CmpOp::Gt => self.b.ins().icmp_imm_s(IntCC::Equal, r, 1),
                    CmpOp::Le => {
                        let le = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, r, 0);
                        le
                    }
                    CmpOp::Ge => self
                        .b
                        .ins()
                        .icmp_imm_s(IntCC::UnsignedLessThanOrEqual, r, 1),
                }
            }
            (Type::None, Type::None) => self.b.ins().iconst(types::I8, (op == CmpOp::Eq) as i64),
            (Type::Bool, _) => {
                let cc = match op {
                    CmpOp::Lt => IntCC::UnsignedLessThan,
                    CmpOp::Le => IntCC::UnsignedLessThanOrEqual,
                    CmpOp::Gt => IntCC::UnsignedGreaterThan,
                    CmpOp::Ge => IntCC::UnsignedGreaterThanOrEqual,
                    other => int_cc(other),
                };
                self.b.ins().icmp(cc, a, b)
            }
            _ => self.b.ins().icmp(int_cc(op), a, b),
        }
    }
}
