//! Stage 2: AST to typed HIR. Input: one parsed [`ast::Module`]; output: a
//! [`hir::Module`] or the diagnostics explaining every rejection.
//!
//! Resolves names (Python's scoping: a name assigned anywhere in a function
//! is local to it), infers local types from their first assignment, checks
//! every operation against Python's rules and rejects whatever Roast does not
//! (yet) give CPython's exact meaning, with a help line saying what to write.

use crate::diag::{Diagnostic, Span};
use crate::hir::{
    self, ArithOp, CmpOp, Expr, ExprKind, FuncId, FunctionRole, Local, LocalId, RtFn, Stmt, Type,
};
use crate::syntax::ast::{self, ExprKind as A, StmtKind as S};
use std::collections::{HashMap, HashSet};

mod containers;
use containers::{mk, rt};

/// The code `RtFn::MathUnary` takes for the `math` function `name`.
pub fn math_unary_code(name: &str) -> Option<i64> {
    containers::MATH_UNARY
        .iter()
        .position(|n| *n == name)
        .map(|i| i as i64)
}

/// The `math` function of unary code `code` (the inverse of
/// [`math_unary_code`]).
pub fn math_unary_name(code: i64) -> Option<&'static str> {
    usize::try_from(code)
        .ok()
        .and_then(|i| containers::MATH_UNARY.get(i).copied())
}

/// Checks one module. `name` is its module path, `file_name` the display name
/// of its source file (recorded for run-time error locations).
pub fn check_module(
    name: &str,
    file_name: &str,
    text: &str,
    module: &ast::Module,
) -> Result<hir::Module, Vec<Diagnostic>> {
    let mut checker = ModuleChecker {
        text: text.to_string(),
        ..ModuleChecker::default()
    };
    checker.collect(module);
    if !checker.globals.is_empty() {
        // Learn the module variables' types from the top-level code first.
        let saved = checker.diags.len();
        checker.check_top_level(&module.body, true);
        checker.diags.truncate(saved);
    }
    let mut functions = Vec::new();
    for (def, sig) in checker.defs.clone().iter().zip(checker.signatures.clone()) {
        functions.push(checker.check_function(def, &sig));
    }
    let script = checker.check_top_level(&module.body, true);
    let init = if checker.diags.is_empty() {
        let init = checker.check_top_level(&module.body, false);
        (!init.body.is_empty()).then_some(init)
    } else {
        None
    };
    // Roast's convention: a `main()` that can be called without arguments and
    // that no top-level code calls runs after the script. A `main` with
    // parameters is an ordinary function.
    let implicit_main = checker
        .functions
        .get("main")
        .copied()
        .filter(|id| checker.signatures[id.0 as usize].params.is_empty())
        .filter(|_| !module.body.iter().any(top_level_calls_main));
    if let Some(id) = implicit_main {
        let sig = &checker.signatures[id.0 as usize];
        if !matches!(sig.ret, Type::Int | Type::None) {
            checker.diags.push(
                Diagnostic::error(sig.span, "an implicitly called `main()` must return `int` or `None`")
                    .with_label("called implicitly by `roastc run`")
                    .with_help("its `int` result becomes the exit status; call it yourself from `if __name__ == \"__main__\":` to use another signature"),
            );
        }
    }
    if !checker.diags.is_empty() {
        return Err(checker.diags);
    }
    Ok(hir::Module {
        name: name.to_string(),
        file_name: file_name.to_string(),
        docstring: module.docstring.clone(),
        functions,
        init,
        script,
        implicit_main,
        globals: checker
            .globals
            .iter()
            .map(|(n, t)| (n.clone(), t.unwrap_or(Type::None)))
            .collect(),
    })
}

/// A function's checked signature.
#[derive(Debug, Clone)]
struct Signature {
    name: String,
    params: Vec<(String, Type, Span)>,
    /// Each parameter's default value (a constant expression).
    defaults: Vec<Option<Expr>>,
    /// The defaults whose evaluation can raise: CPython evaluates them when
    /// the `def` runs, so module code evaluates them there too.
    raising_defaults: Vec<Expr>,
    ret: Type,
    span: Span,
}

/// Builtin functions Roast calls but cannot pass around as values
/// (`map(str, xs)`, `key=max`).
pub(super) const BUILTIN_FUNCTIONS: &[&str] = &[
    "abs",
    "all",
    "any",
    "bool",
    "chr",
    "dict",
    "divmod",
    "enumerate",
    "filter",
    "float",
    "int",
    "len",
    "list",
    "map",
    "max",
    "min",
    "ord",
    "pow",
    "print",
    "range",
    "repr",
    "reversed",
    "round",
    "sorted",
    "str",
    "sum",
    "tuple",
    "zip",
];

/// A module constant: a name assigned once, at top level, to a pure
/// expression over literals and earlier constants. Every use re-evaluates the
/// expression (same value each time, as nothing in it can change).
#[derive(Debug, Clone)]
struct Constant {
    value: Expr,
    /// Whether evaluating it can raise (its definition then also runs in
    /// module initialization, where CPython would raise).
    can_raise: bool,
}

#[derive(Default)]
struct ModuleChecker {
    /// The source text (to locate operators between operand spans).
    text: String,
    defs: Vec<ast::FunctionDef>,
    def_spans: Vec<Span>,
    signatures: Vec<Signature>,
    functions: HashMap<String, FuncId>,
    constants: HashMap<String, Constant>,
    /// Top-level names that are not folded constants (script variables).
    script_names: HashSet<String>,
    /// Names read inside function bodies.
    function_reads: HashSet<String>,
    /// Module variables read by functions: name and type (learned from the
    /// module's assignment), by slot.
    globals: Vec<(String, Option<Type>)>,
    /// Slot of each module variable.
    global_ids: HashMap<String, u32>,
    /// Whether `import math` was seen.
    math_imported: bool,
    /// Names bound by `from math import name [as alias]`: alias to name.
    math_names: HashMap<String, String>,
    /// Module variables whose assignment was reported as an error: reads
    /// of them report nothing more.
    failed_globals: HashSet<String>,
    diags: Vec<Diagnostic>,
}

fn is_main_guard(test: &ast::Expr) -> bool {
    let A::Compare { left, rest } = &test.kind else {
        return false;
    };
    let [(ast::CmpOp::Eq, right)] = rest.as_slice() else {
        return false;
    };
    let is_name = |e: &ast::Expr| matches!(&e.kind, A::Name(n) if n == "__name__");
    let is_main = |e: &ast::Expr| matches!(&e.kind, A::Str(s) if s == "__main__");
    (is_name(left) && is_main(right)) || (is_main(left) && is_name(right))
}

fn top_level_calls_main(stmt: &ast::Stmt) -> bool {
    fn expr_calls(e: &ast::Expr) -> bool {
        let mut found = false;
        visit_expr(e, &mut |e| {
            if let A::Call { func, .. } = &e.kind {
                found |= matches!(&func.kind, A::Name(n) if n == "main");
            }
        });
        found
    }
    let mut found = false;
    visit_stmt_exprs(stmt, &mut |e| found |= expr_calls(e));
    found
}

/// Calls `f` on every expression directly inside `stmt` and its nested
/// statements (not inside nested `def`s or classes).
fn visit_stmt_exprs(stmt: &ast::Stmt, f: &mut dyn FnMut(&ast::Expr)) {
    let block = |b: &[ast::Stmt], f: &mut dyn FnMut(&ast::Expr)| {
        for s in b {
            visit_stmt_exprs(s, f);
        }
    };
    match &stmt.kind {
        S::Return(Some(e)) | S::Expr(e) => f(e),
        S::Assign { targets, value } => {
            targets.iter().for_each(&mut *f);
            f(value);
        }
        S::AnnAssign { target, value, .. } => {
            f(target);
            if let Some(v) = value {
                f(v);
            }
        }
        S::AugAssign { target, value, .. } => {
            f(target);
            f(value);
        }
        S::Delete(targets) => targets.iter().for_each(&mut *f),
        S::If { test, body, orelse } | S::While { test, body, orelse } => {
            f(test);
            block(body, f);
            block(orelse, f);
        }
        S::For {
            target,
            iter,
            body,
            orelse,
        } => {
            f(target);
            f(iter);
            block(body, f);
            block(orelse, f);
        }
        S::Assert { test, msg } => {
            f(test);
            if let Some(m) = msg {
                f(m);
            }
        }
        S::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            block(body, f);
            for h in handlers {
                block(&h.body, f);
            }
            block(orelse, f);
            block(finalbody, f);
        }
        S::With { body, .. } => block(body, f),
        _ => {}
    }
}

/// Calls `f` on `e` and every sub-expression (iteratively, so deep trees
/// cannot overflow the stack).
fn visit_expr(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        f(e);
        match &e.kind {
            A::Binary { left, right, .. } => stack.extend([&**left, &**right]),
            A::Unary { operand, .. } => stack.push(operand),
            A::BoolOp { values, .. } | A::Tuple(values) | A::List(values) | A::Set(values) => {
                stack.extend(values)
            }
            A::Compare { left, rest } => {
                stack.push(left);
                stack.extend(rest.iter().map(|(_, e)| e));
            }
            A::IfExp { test, body, orelse } => stack.extend([&**test, &**body, &**orelse]),
            A::Call {
                func,
                args,
                keywords,
            } => {
                stack.push(func);
                stack.extend(args);
                stack.extend(keywords.iter().map(|k| &k.value));
            }
            A::Attribute { value, .. } | A::Starred(value) => stack.push(value),
            A::Subscript { value, index } => stack.extend([&**value, &**index]),
            A::Dict(items) => stack.extend(items.iter().flat_map(|(k, v)| [k, v])),
            A::NamedExpr { value, .. } => stack.push(value),
            A::Slice { lower, upper, step } => {
                stack.extend([lower, upper, step].into_iter().flatten().map(|b| &**b))
            }
            A::FString(parts) => fstring_exprs(parts, &mut stack),
            A::ListComp { elt, generators }
            | A::SetComp { elt, generators }
            | A::GeneratorExp { elt, generators } => {
                stack.push(elt);
                comprehension_exprs(generators, &mut stack);
            }
            A::DictComp {
                key,
                value,
                generators,
            } => {
                stack.extend([&**key, &**value]);
                comprehension_exprs(generators, &mut stack);
            }
            _ => {}
        }
    }
}

fn fstring_exprs<'a>(parts: &'a [ast::FStringPart], stack: &mut Vec<&'a ast::Expr>) {
    for p in parts {
        if let ast::FStringPart::Field { expr, spec, .. } = p {
            stack.push(expr);
            fstring_exprs(spec, stack);
        }
    }
}

fn comprehension_exprs<'a>(generators: &'a [ast::Comprehension], stack: &mut Vec<&'a ast::Expr>) {
    for g in generators {
        stack.extend([&g.target, &g.iter]);
        stack.extend(&g.ifs);
    }
}

/// Methods that change the list or dict they are called on.
const MUTATING_METHODS: [&str; 13] = [
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "sort",
    "reverse",
    "clear",
    "update",
    "setdefault",
    "popitem",
    "__setitem__",
    "__delitem__",
];

/// Names whose value is changed in place somewhere in `stmts` (a method
/// that mutates, an item assignment or `del`): such names are variables,
/// never folded constants.
fn mutated_names(stmts: &[ast::Stmt], out: &mut HashSet<String>) {
    fn subscripted(e: &ast::Expr, out: &mut HashSet<String>) {
        match &e.kind {
            A::Subscript { value, .. } => match &value.kind {
                A::Name(n) => {
                    out.insert(n.clone());
                }
                _ => subscripted(value, out),
            },
            A::Tuple(items) | A::List(items) => items.iter().for_each(|i| subscripted(i, out)),
            _ => {}
        }
    }
    for stmt in stmts {
        match &stmt.kind {
            S::Assign { targets, .. } => targets.iter().for_each(|t| subscripted(t, out)),
            S::AugAssign { target, .. } | S::AnnAssign { target, .. } => subscripted(target, out),
            S::Delete(targets) => targets.iter().for_each(|t| subscripted(t, out)),
            S::For { target, .. } => subscripted(target, out),
            S::FunctionDef(def) => function_mutations(def, out),
            _ => {}
        }
        visit_stmt_exprs(stmt, &mut |e| {
            visit_expr(e, &mut |e| {
                if let A::Call { func, .. } = &e.kind {
                    if let A::Attribute { value, attr } = &func.kind {
                        if let A::Name(n) = &value.kind {
                            if MUTATING_METHODS.contains(&attr.name.as_str()) {
                                out.insert(n.clone());
                            }
                        }
                    }
                }
            })
        });
        let nested: Vec<&[ast::Stmt]> = match &stmt.kind {
            S::If { body, orelse, .. }
            | S::While { body, orelse, .. }
            | S::For { body, orelse, .. } => {
                vec![body, orelse]
            }
            _ => vec![],
        };
        for b in nested {
            let mut inner = HashSet::new();
            for s in b {
                if let S::FunctionDef(def) = &s.kind {
                    function_mutations(def, &mut inner);
                }
            }
            out.extend(inner);
        }
    }
}

/// The module-level names a function changes in place: its parameters and
/// locals hide module names of the same spelling.
fn function_mutations(def: &ast::FunctionDef, out: &mut HashSet<String>) {
    let mut inner = HashSet::new();
    mutated_names(&def.body, &mut inner);
    let mut locals: HashSet<String> = def.params.iter().map(|p| p.name.name.clone()).collect();
    for s in &def.body {
        collect_local_names(s, &mut locals);
    }
    out.extend(inner.into_iter().filter(|n| !locals.contains(n)));
}

/// The span of `*name` / `**name` given the span of `name`.
fn star_span(text: &str, name: Span) -> Span {
    let before = text.get(..name.start as usize).unwrap_or("");
    let stars = before.len() - before.trim_end_matches('*').len();
    Span::new(name.file, name.start as usize - stars, name.end as usize)
}

/// The span of the operator written between two operand spans.
fn operator_span(text: &str, left: Span, right: Span) -> Span {
    let (from, to) = (left.end as usize, (right.start as usize).min(text.len()));
    let Some(between) = text.get(from..to) else {
        return left.to(right);
    };
    let mut start = None;
    let mut end = to;
    for (i, c) in between.char_indices() {
        match start {
            None if c.is_whitespace() || c == ')' || c == '\\' => {}
            None => start = Some(from + i),
            Some(_) if "+-*/%<>=!&|^@".contains(c) || c.is_alphabetic() => {}
            Some(_) => {
                end = from + i;
                break;
            }
        }
    }
    match start {
        Some(s) => Span::new(left.file, s, end.max(s + 1)),
        None => left.to(right),
    }
}

fn unsupported(span: Span, what: &str, help: &str) -> Diagnostic {
    Diagnostic::error(span, format!("{what} is not supported in Roast yet"))
        .with_label("not supported")
        .with_help(help.to_string())
}

impl ModuleChecker {
    /// First pass: function signatures and module constants.
    fn collect(&mut self, module: &ast::Module) {
        let mut assign_counts: HashMap<String, usize> = HashMap::new();
        for stmt in &module.body {
            count_assignments(stmt, &mut assign_counts);
        }
        // `import math` anywhere makes `math` known in every function.
        let mut fc = FnChecker::new(self, Type::None, true);
        for stmt in &module.body {
            if matches!(stmt.kind, S::Import(_) | S::ImportFrom { .. }) {
                fc.import(stmt);
            }
        }
        let mut mutated = HashSet::new();
        mutated_names(&module.body, &mut mutated);
        // Names assigned once, by a statement directly in the module body.
        let mut defined_once: Vec<(String, Option<&ast::Expr>)> = Vec::new();
        for stmt in &module.body {
            match &stmt.kind {
                S::FunctionDef(def) => {
                    let mut locals: HashSet<String> =
                        def.params.iter().map(|p| p.name.name.clone()).collect();
                    for s in &def.body {
                        collect_local_names(s, &mut locals);
                    }
                    for s in &def.body {
                        visit_stmt_exprs(s, &mut |e| {
                            visit_expr(e, &mut |e| {
                                if let A::Name(n) = &e.kind {
                                    if !locals.contains(n) {
                                        self.function_reads.insert(n.clone());
                                    }
                                }
                            })
                        });
                    }
                    self.collect_def(def, stmt.span)
                }
                S::Assign { targets, value } if targets.len() == 1 => {
                    if let A::Name(name) = &targets[0].kind {
                        if !mutated.contains(name) {
                            self.collect_constant(name, None, value, &assign_counts);
                        }
                        defined_once.push((name.clone(), None));
                    }
                }
                S::AnnAssign {
                    target,
                    annotation,
                    value: Some(value),
                } => {
                    if let A::Name(name) = &target.kind {
                        if !mutated.contains(name) {
                            self.collect_constant(name, Some(annotation), value, &assign_counts);
                        }
                        defined_once.push((name.clone(), Some(annotation)));
                    }
                }
                _ => {}
            }
        }
        // Variables that functions read become module variables: one slot
        // per thread, assigned where the module assigns them.
        for (name, annotation) in defined_once {
            let global = assign_counts.get(&name) == Some(&1)
                && !self.constants.contains_key(&name)
                && !self.functions.contains_key(&name)
                && self.function_reads.contains(&name)
                && !self.global_ids.contains_key(&name);
            if global {
                let ty = annotation.and_then(|a| self.resolve_annotation(a));
                self.global_ids
                    .insert(name.clone(), self.globals.len() as u32);
                self.globals.push((name, ty));
            }
        }
        for name in assign_counts.into_keys() {
            if !self.constants.contains_key(&name) && !self.global_ids.contains_key(&name) {
                self.script_names.insert(name);
            }
        }
    }

    fn collect_constant(
        &mut self,
        name: &str,
        annotation: Option<&ast::Expr>,
        value: &ast::Expr,
        counts: &HashMap<String, usize>,
    ) {
        if counts.get(name) != Some(&1) || self.functions.contains_key(name) {
            return;
        }
        let expected = match annotation {
            Some(a) => match self.resolve_annotation(a) {
                Some(ty) => Some(ty),
                None => return,
            },
            None => None,
        };
        let Some(constant) = self.fold_constant(value, expected) else {
            return;
        };
        // An optional holding `None` is a module variable, which code
        // narrows with `is not None` as it narrows a variable.
        if matches!(constant.value.ty, Type::Optional(_))
            && !matches!(constant.value.kind, ExprKind::Wrap(_))
        {
            return;
        }
        self.constants.insert(name.to_string(), constant);
    }

    /// Checks a pure constant expression (literals, earlier constants,
    /// operators); `None` if `e` is anything else or does not check.
    fn fold_constant(&mut self, e: &ast::Expr, expected: Option<Type>) -> Option<Constant> {
        let mut pure = true;
        let mut can_raise = false;
        visit_expr(e, &mut |e| match &e.kind {
            A::Int(_) | A::Float(_) | A::Bool(_) | A::Name(_) | A::Unary { .. } => {}
            A::Str(_) | A::NoneLit | A::List(_) | A::Dict(_) | A::Tuple(_) => {}
            A::Binary { .. } => can_raise = true,
            A::Compare { .. } | A::BoolOp { .. } | A::IfExp { .. } => {}
            _ => pure = false,
        });
        if !pure {
            return None;
        }
        let saved = self.diags.len();
        let mut fc = FnChecker::new(self, Type::None, true);
        fc.defined_constants = fc.m.constants.keys().cloned().collect();
        let value = fc.expr_expect(e, expected, "the constant");
        // Hidden locals (`None is None`, chained comparisons) belong to
        // this throwaway checker: such a value is computed where it stands.
        let self_contained = fc.locals.is_empty();
        self.diags.truncate(saved);
        let value = value.filter(|_| self_contained)?;
        // Lists and dicts can change in place: those are module variables.
        (value.ty != Type::None && !containers::is_mutable(value.ty))
            .then_some(Constant { value, can_raise })
    }

    fn collect_def(&mut self, def: &ast::FunctionDef, span: Span) {
        if self.functions.contains_key(&def.name.name) {
            self.diags.push(
                Diagnostic::error(
                    def.name.span,
                    format!("`{}` is defined twice", def.name.name),
                )
                .with_label("redefined here")
                .with_help("Roast functions have one definition; rename one of them"),
            );
            return;
        }
        if let Some(d) = def.decorators.first() {
            self.diags.push(unsupported(
                d.span,
                "a decorator",
                "remove the decorator; decorators on functions are outside the language",
            ));
        }
        if let Some(t) = def.type_params.first() {
            self.diags.push(unsupported(
                t.span,
                "a generic function",
                "write the function for concrete types; generics come in a later tier",
            ));
        }
        let mut params = Vec::new();
        let mut defaults: Vec<Option<Expr>> = Vec::new();
        let mut raising_defaults = Vec::new();
        for p in &def.params {
            let ty = match p.kind {
                ast::ParamKind::VarArgs | ast::ParamKind::KwArgs => {
                    self.diags.push(
                        Diagnostic::error(
                            star_span(&self.text, p.name.span),
                            "`*args` and `**kwargs` are outside the Roast language",
                        )
                        .with_label("variadic parameter")
                        .with_help("pass a list or a tuple instead"),
                    );
                    continue;
                }
                _ => match &p.annotation {
                    Some(a) => self.annotation_type(a).unwrap_or(Type::Int),
                    None => {
                        self.diags.push(
                            Diagnostic::error(
                                p.name.span,
                                format!("parameter `{}` needs a type annotation", p.name.name),
                            )
                            .with_label("missing annotation")
                            .with_help(format!("write `{}: int` (or float, bool)", p.name.name)),
                        );
                        Type::Int
                    }
                },
            };
            let default = p.default.as_ref().map(|d| {
                // `None` typed as the parameter: the default of an optional
                // parameter, and the stand-in for a rejected default, which
                // still makes the parameter optional so that calls leaving it
                // out are not reported too (a module with errors is never
                // lowered: the stand-in is not run).
                let stand_in = Expr {
                    kind: ExprKind::NoneLit,
                    ty,
                    span: d.span,
                };
                if matches!(d.kind, A::NoneLit) && matches!(ty, Type::Optional(_)) {
                    // `xs: list[int] | None = None`: no object is shared.
                    return stand_in;
                }
                match self.fold_constant(d, Some(ty)) {
                    Some(c) if c.value.ty == ty && !containers::is_mutable(ty) => {
                        if c.can_raise {
                            raising_defaults.push(c.value.clone());
                        }
                        c.value
                    }
                    _ if containers::is_mutable(ty) => {
                        self.diags.push(unsupported(
                            d.span,
                            "a mutable default value",
                            "CPython shares one object between calls; default to None and create the container in the body",
                        ));
                        stand_in
                    }
                    Some(c) => {
                        self.diags.push(type_mismatch(&c.value, ty, "the default value"));
                        stand_in
                    }
                    None if self.fold_constant(d, None).is_some() => {
                        // A constant of another type (`x: float = 2`).
                        let c = self.fold_constant(d, None).expect("folded just above");
                        self.diags.push(type_mismatch(&c.value, ty, "the default value"));
                        stand_in
                    }
                    None => {
                        self.diags.push(unsupported(
                            d.span,
                            "a default value that is not a constant",
                            "use a literal or a module constant (CPython evaluates defaults once, at definition)",
                        ));
                        stand_in
                    }
                }
            });
            if default.is_none() && defaults.iter().any(Option::is_some) && p.default.is_none() {
                self.diags.push(
                    Diagnostic::error(
                        p.name.span,
                        "parameter without a default follows parameter with a default",
                    )
                    .with_label("needs a default value"),
                );
            }
            defaults.push(default);
            if ty == Type::None {
                self.diags.push(unsupported(
                    p.annotation.as_ref().map_or(p.name.span, |a| a.span),
                    "a parameter of type `None`",
                    "annotate it as an optional: `x: int | None = None`",
                ));
            }
            params.push((p.name.name.clone(), ty, p.name.span));
        }
        let ret = match &def.returns {
            Some(r) => self.annotation_type(r).unwrap_or(Type::None),
            None => Type::None,
        };
        let id = FuncId(self.defs.len() as u32);
        self.functions.insert(def.name.name.clone(), id);
        self.defs.push(def.clone());
        self.def_spans.push(span);
        self.signatures.push(Signature {
            name: def.name.name.clone(),
            params,
            defaults,
            raising_defaults,
            ret,
            span,
        });
    }

    fn resolve_annotation(&self, e: &ast::Expr) -> Option<Type> {
        match &e.kind {
            A::Name(n) => match n.as_str() {
                "int" => Some(Type::Int),
                "float" => Some(Type::Float),
                "bool" => Some(Type::Bool),
                "str" => Some(Type::Str),
                "None" => Some(Type::None),
                _ => None,
            },
            A::NoneLit => Some(Type::None),
            A::Str(s) => {
                let parsed = crate::syntax::parse_expression(s)?;
                self.resolve_annotation(&parsed)
            }
            A::Binary {
                op: ast::BinOp::BitOr,
                left,
                right,
            } => {
                let (l, r) = (
                    self.resolve_annotation(left)?,
                    self.resolve_annotation(right)?,
                );
                match (l, r) {
                    (t, Type::None) | (Type::None, t) if t != Type::None => Some(Type::optional(t)),
                    _ => None,
                }
            }
            A::Subscript { value, index } => {
                let A::Name(generic) = &value.kind else {
                    return None;
                };
                let args: Vec<&ast::Expr> = match &index.kind {
                    A::Tuple(items) => items.iter().collect(),
                    _ => vec![index],
                };
                let types: Option<Vec<Type>> =
                    args.iter().map(|a| self.resolve_annotation(a)).collect();
                let types = types?;
                match (generic.as_str(), types.as_slice()) {
                    ("list" | "List", [t]) if *t != Type::None => Some(Type::list(*t)),
                    ("dict" | "Dict", [k, v]) if k.is_hashable() && *v != Type::None => {
                        Some(Type::dict(*k, *v))
                    }
                    ("tuple" | "Tuple", items) if !items.is_empty() => Some(Type::tuple(items)),
                    ("Optional", [t]) if *t != Type::None => Some(Type::optional(*t)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn annotation_type(&mut self, e: &ast::Expr) -> Option<Type> {
        let ty = self.resolve_annotation(e);
        if ty.is_none() {
            self.diags.push(
                Diagnostic::error(e.span, "unsupported type annotation")
                    .with_label("not a type Roast knows yet")
                    .with_help("the types are `int`, `float`, `bool`, `str`, `None`, `list[T]`, `dict[K, V]`, `tuple[A, B]` and `T | None`"),
            );
        }
        ty
    }

    fn check_function(&mut self, def: &ast::FunctionDef, sig: &Signature) -> hir::Function {
        self.with_inference(|m, seeds| m.check_function_pass(def, sig, seeds))
    }

    /// Runs a checking pass; when it learns the type of an empty `[]`/`{}`
    /// from a later use (`xs.append(1)`), checks again with that type known
    /// (as if annotated), dropping the first pass's diagnostics.
    fn with_inference<T>(
        &mut self,
        mut pass: impl FnMut(&mut ModuleChecker, &HashMap<String, Type>) -> (T, HashMap<String, Type>),
    ) -> T {
        let mut seeds = HashMap::new();
        for _ in 0..3 {
            let saved = self.diags.len();
            let (result, discovered) = pass(self, &seeds);
            let new: Vec<(String, Type)> = discovered
                .into_iter()
                .filter(|(n, _)| !seeds.contains_key(n))
                .collect();
            if new.is_empty() {
                return result;
            }
            self.diags.truncate(saved);
            seeds.extend(new);
        }
        pass(self, &seeds).0
    }

    fn check_function_pass(
        &mut self,
        def: &ast::FunctionDef,
        sig: &Signature,
        seeds: &HashMap<String, Type>,
    ) -> (hir::Function, HashMap<String, Type>) {
        let role = if def.name.name.starts_with("test_") && sig.params.is_empty() {
            FunctionRole::Test
        } else if def.name.name.starts_with('_')
            || !sig.params.iter().all(|(_, ty, _)| ty.crosses_to_rust())
            || !sig.ret.crosses_to_rust()
        {
            FunctionRole::Private
        } else {
            FunctionRole::Exported
        };
        let mut fc = FnChecker::new(self, sig.ret, false);
        fc.seeds = seeds.clone();
        let mut params = Vec::new();
        for (name, ty, _) in &sig.params {
            let id = fc.declare(name, *ty);
            fc.assigned.insert(id);
            params.push(id);
        }
        let mut local_names: HashSet<String> = sig.params.iter().map(|p| p.0.clone()).collect();
        for s in &def.body {
            collect_local_names(s, &mut local_names);
        }
        fc.local_names = local_names;
        let body = fc.block(&def.body);
        if sig.ret != Type::None && !fc.terminated {
            fc.m.diags.push(
                Diagnostic::error(
                    def.returns.as_ref().map_or(def.name.span, |r| r.span),
                    format!(
                        "function `{}` may end without returning a `{}`",
                        def.name.name,
                        sig.ret.name()
                    ),
                )
                .with_label("declared return type")
                .with_help(
                    "falling off the end returns None in Python; add a `return` on every path",
                ),
            );
        }
        let discovered = fc.finish_inference();
        let locals = fc.locals;
        let f = hir::Function {
            name: def.name.name.clone(),
            role,
            params,
            ret: sig.ret,
            locals,
            body,
            docstring: def.docstring.clone(),
            span: sig.span,
        };
        (f, discovered)
    }

    /// The module's top-level statements as a function: with `__main__`
    /// blocks (`script`) or without them (module initialization).
    fn check_top_level(&mut self, body: &[ast::Stmt], script: bool) -> hir::Function {
        self.with_inference(|m, seeds| m.check_top_level_pass(body, script, seeds))
    }

    fn check_top_level_pass(
        &mut self,
        body: &[ast::Stmt],
        script: bool,
        seeds: &HashMap<String, Type>,
    ) -> (hir::Function, HashMap<String, Type>) {
        let mut fc = FnChecker::new(self, Type::None, true);
        fc.seeds = seeds.clone();
        fc.local_names = fc.m.script_names.clone();
        let mut out = Vec::new();
        let mut calls_seen = false;
        for stmt in body {
            match &stmt.kind {
                S::FunctionDef(def) => {
                    let sig =
                        fc.m.functions
                            .get(&def.name.name)
                            .map(|id| &fc.m.signatures[id.0 as usize]);
                    if let Some(sig) = sig.filter(|s| s.span == stmt.span) {
                        out.extend(sig.raising_defaults.iter().cloned().map(Stmt::Expr));
                    }
                }
                // Run as a program, `__name__` is "__main__"; imported (from
                // Rust), it is the module's name and the `else` branch runs.
                S::If { test, body, orelse } if is_main_guard(test) => {
                    calls_seen |= calls_user_function(stmt, &fc.m.functions);
                    out.extend(fc.block(if script { body } else { orelse }));
                }
                _ if constant_defined(stmt, &fc.m.constants).is_some() => {
                    let name = constant_defined(stmt, &fc.m.constants).unwrap_or_default();
                    if script && calls_seen && fc.m.function_reads.contains(&name) {
                        fc.error(
                            Diagnostic::error(stmt.span, format!("module constant `{name}` is defined after top-level code that calls functions"))
                                .with_label("defined here")
                                .with_help("move the constant above the first top-level call, so functions never see it undefined"),
                        );
                    }
                    let constant = fc.m.constants[&name].clone();
                    if constant.can_raise {
                        out.push(Stmt::Expr(constant.value));
                    }
                    fc.defined_constants.insert(name);
                }
                S::Import(_) | S::ImportFrom { .. } => {}
                S::Expr(e) if matches!(e.kind, A::Str(_)) => {}
                _ => {
                    if let Some(name) = global_defined(stmt, &fc.m.global_ids) {
                        if script && calls_seen {
                            fc.error(
                                Diagnostic::error(stmt.span, format!("module variable `{name}` is defined after top-level code that calls functions"))
                                    .with_label("defined here")
                                    .with_help("move the definition above the first top-level call, so functions never see it undefined"),
                            );
                        }
                    }
                    calls_seen |= calls_user_function(stmt, &fc.m.functions);
                    out.extend(fc.stmt(stmt));
                }
            }
        }
        let discovered = fc.finish_inference();
        let locals = fc.locals;
        let f = hir::Function {
            name: if script { "$script" } else { "$init" }.to_string(),
            role: FunctionRole::TopLevel,
            params: Vec::new(),
            ret: Type::None,
            locals,
            body: out,
            docstring: None,
            span: Span::default(),
        };
        (f, discovered)
    }
}

/// The module variable a top-level statement defines, if any.
fn global_defined(stmt: &ast::Stmt, globals: &HashMap<String, u32>) -> Option<String> {
    let target = match &stmt.kind {
        S::Assign { targets, .. } if targets.len() == 1 => &targets[0],
        S::AnnAssign {
            target,
            value: Some(_),
            ..
        } => target,
        _ => return None,
    };
    match &target.kind {
        A::Name(n) if globals.contains_key(n) => Some(n.clone()),
        _ => None,
    }
}

/// The constant a top-level statement defines, if it is a folded constant's definition.
fn constant_defined(stmt: &ast::Stmt, constants: &HashMap<String, Constant>) -> Option<String> {
    let target = match &stmt.kind {
        S::Assign { targets, .. } if targets.len() == 1 => &targets[0],
        S::AnnAssign {
            target,
            value: Some(_),
            ..
        } => target,
        _ => return None,
    };
    match &target.kind {
        A::Name(n) if constants.contains_key(n) => Some(n.clone()),
        _ => None,
    }
}

fn calls_user_function(stmt: &ast::Stmt, functions: &HashMap<String, FuncId>) -> bool {
    let mut found = false;
    visit_stmt_exprs(stmt, &mut |e| {
        visit_expr(e, &mut |e| {
            if let A::Call { func, .. } = &e.kind {
                found |= matches!(&func.kind, A::Name(n) if functions.contains_key(n));
            }
        })
    });
    found
}

fn count_assignments(stmt: &ast::Stmt, counts: &mut HashMap<String, usize>) {
    let mut names = Vec::new();
    assigned_names(stmt, &mut names);
    for n in names {
        *counts.entry(n).or_default() += 1;
    }
}

/// Names bound by `stmt` (not descending into nested `def`s).
fn assigned_names(stmt: &ast::Stmt, out: &mut Vec<String>) {
    fn targets(e: &ast::Expr, out: &mut Vec<String>) {
        match &e.kind {
            A::Name(n) => out.push(n.clone()),
            A::Tuple(items) | A::List(items) => items.iter().for_each(|i| targets(i, out)),
            A::Starred(inner) => targets(inner, out),
            _ => {}
        }
    }
    let block =
        |b: &[ast::Stmt], out: &mut Vec<String>| b.iter().for_each(|s| assigned_names(s, out));
    match &stmt.kind {
        S::Assign { targets: ts, .. } => ts.iter().for_each(|t| targets(t, out)),
        S::AnnAssign { target, .. } | S::AugAssign { target, .. } => targets(target, out),
        S::For {
            target,
            body,
            orelse,
            ..
        } => {
            targets(target, out);
            block(body, out);
            block(orelse, out);
        }
        S::If { body, orelse, .. } | S::While { body, orelse, .. } => {
            block(body, out);
            block(orelse, out);
        }
        S::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            block(body, out);
            for h in handlers {
                block(&h.body, out);
            }
            block(orelse, out);
            block(finalbody, out);
        }
        S::With { body, .. } => block(body, out),
        _ => {}
    }
}

fn collect_local_names(stmt: &ast::Stmt, out: &mut HashSet<String>) {
    let mut names = Vec::new();
    assigned_names(stmt, &mut names);
    out.extend(names);
}

/// A name whose optional value is known not to be `None` at a point.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Narrowed {
    /// A local variable.
    Local(LocalId),
    /// A module variable (by slot).
    Global(u32),
}

/// Checks one function body (or the module's top-level code).
struct FnChecker<'m> {
    m: &'m mut ModuleChecker,
    ret: Type,
    top_level: bool,
    locals: Vec<Local>,
    by_name: HashMap<String, LocalId>,
    /// Names that are local to this function (assigned somewhere in it).
    local_names: HashSet<String>,
    /// Locals definitely assigned at the current point.
    assigned: HashSet<LocalId>,
    /// The current point is unreachable (after return/break/continue).
    terminated: bool,
    /// Checking a statement that follows a `return`/`break`/`continue`:
    /// it never runs, so its reads need no definite assignment.
    unreachable: bool,
    loop_depth: u32,
    /// For each enclosing loop, innermost last: the locals assigned at
    /// every `break` of it seen so far (`None`: no `break` yet).
    loop_breaks: Vec<Option<HashSet<LocalId>>>,
    /// In top-level code: the constants whose definition has run.
    defined_constants: HashSet<String>,
    /// Optional locals known not to be `None` at the current point.
    narrowed: HashSet<Narrowed>,
    /// Whether a dict view (`.keys()`...) may be used as a list here.
    view_allowed: bool,
    /// Types of empty-display variables learned by an earlier pass.
    seeds: HashMap<String, Type>,
    /// Types of empty-display variables learned in this pass.
    discovered: HashMap<String, Type>,
    /// Empty displays whose type is not known yet, and what they are.
    untyped_displays: Vec<(Span, &'static str)>,
    /// Locals whose assignment was reported as an error: reads of them
    /// report nothing more.
    failed_locals: HashSet<String>,
    /// Locals first assigned `None` with no annotation, and where: `T |
    /// None` once a later assignment gives a `T`, an error if none does.
    none_assigned: Vec<(String, Span)>,
}

impl<'m> FnChecker<'m> {
    fn new(m: &'m mut ModuleChecker, ret: Type, top_level: bool) -> Self {
        FnChecker {
            m,
            ret,
            top_level,
            locals: Vec::new(),
            by_name: HashMap::new(),
            local_names: HashSet::new(),
            assigned: HashSet::new(),
            terminated: false,
            unreachable: false,
            loop_depth: 0,
            loop_breaks: Vec::new(),
            defined_constants: HashSet::new(),
            narrowed: HashSet::new(),
            view_allowed: false,
            seeds: HashMap::new(),
            discovered: HashMap::new(),
            untyped_displays: Vec::new(),
            failed_locals: HashSet::new(),
            none_assigned: Vec::new(),
        }
    }

    fn error(&mut self, d: Diagnostic) {
        self.m.diags.push(d);
    }

    fn declare(&mut self, name: &str, ty: Type) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(Local {
            name: name.to_string(),
            ty,
        });
        if !name.starts_with('$') {
            self.by_name.insert(name.to_string(), id);
        }
        id
    }

    fn import(&mut self, stmt: &ast::Stmt) {
        let ok = match &stmt.kind {
            S::ImportFrom {
                module: Some(m),
                level: 0,
                names,
            } if m == "math" => {
                for n in names {
                    let known = containers::MATH_UNARY.contains(&n.name.as_str())
                        || containers::MATH_BINARY.contains(&n.name.as_str())
                        || containers::INT_MATH.contains(&n.name.as_str())
                        || FnChecker::math_constant(&n.name).is_some();
                    if !known {
                        self.error(unsupported(
                            n.span,
                            &format!("`math.{}`", n.name),
                            "import the math functions Roast knows by name",
                        ));
                        continue;
                    }
                    let alias = n.asname.as_ref().map_or(n.name.clone(), |a| a.name.clone());
                    self.m.math_names.insert(alias, n.name.clone());
                }
                true
            }
            S::ImportFrom {
                module: Some(m),
                level: 0,
                ..
            } => m == "__future__" || m == "typing",
            S::Import(names) => {
                let all_math = names.iter().all(|n| n.name == "math" && n.asname.is_none());
                if all_math {
                    self.m.math_imported = true;
                }
                all_math
            }
            _ => false,
        };
        if !ok {
            self.error(unsupported(
                stmt.span,
                "this import",
                "Roast accepts `import math`, `from math import ...`, `from typing import ...` and `from __future__ import annotations`",
            ));
        }
    }

    fn block(&mut self, stmts: &[ast::Stmt]) -> Vec<Stmt> {
        let mut out = Vec::new();
        for s in stmts {
            if self.terminated {
                // Unreachable code is still checked, but its effects on
                // definite assignment do not matter.
                let saved = (self.assigned.clone(), self.unreachable);
                self.unreachable = true;
                out.extend(self.stmt(s));
                (self.assigned, self.unreachable) = saved;
                self.terminated = true;
            } else {
                out.extend(self.stmt(s));
            }
        }
        out
    }

    /// Checks a branch starting from the current state; returns its HIR,
    /// the assigned set at its end and whether it terminated.
    fn branch(&mut self, stmts: &[ast::Stmt]) -> (Vec<Stmt>, HashSet<LocalId>, bool) {
        let saved = (self.assigned.clone(), self.terminated);
        let out = self.block(stmts);
        let result = (out, self.assigned.clone(), self.terminated);
        (self.assigned, self.terminated) = saved;
        result
    }

    fn join(&mut self, a: (HashSet<LocalId>, bool), b: (HashSet<LocalId>, bool)) {
        match (a.1, b.1) {
            (true, true) => {
                self.assigned = a.0;
                self.terminated = true;
            }
            (true, false) => self.assigned = b.0,
            (false, true) => self.assigned = a.0,
            (false, false) => self.assigned = a.0.intersection(&b.0).copied().collect(),
        }
    }

    fn stmt(&mut self, stmt: &ast::Stmt) -> Vec<Stmt> {
        match &stmt.kind {
            S::Pass => vec![],
            S::Expr(e) => {
                if matches!(e.kind, A::Str(_)) {
                    return vec![];
                }
                match self.print_call(e) {
                    Some(p) => p.into_iter().collect(),
                    None => self.expr(e).map(Stmt::Expr).into_iter().collect(),
                }
            }
            S::Assign { targets, value } => {
                if targets.len() == 1 {
                    return self.assign(&targets[0], None, value);
                }
                // `a = b = v`: one value, assigned to each target left to right.
                let Some(v) = self.expr(value) else {
                    return vec![];
                };
                let (id, read) = self.hidden(v.ty, v.span);
                let mut out = vec![Stmt::Assign(id, v)];
                for t in targets {
                    out.extend(self.assign_to(t, read.clone()));
                }
                out
            }
            S::AnnAssign {
                target,
                annotation,
                value,
            } => match value {
                Some(v) => self.assign(target, Some(annotation), v),
                None => {
                    self.error(unsupported(
                        stmt.span,
                        "a declaration without a value",
                        "give the variable its first value here: `x: int = 0`",
                    ));
                    vec![]
                }
            },
            S::AugAssign { target, op, value } => self.aug_assign(stmt.span, target, *op, value),
            S::If { test, body, orelse } => {
                let Some(cond) = self.condition(test) else {
                    self.branch(body);
                    self.branch(orelse);
                    return vec![];
                };
                // Each branch starts from what its condition proves; after
                // the `if`, what both (reachable) branches end with holds.
                let (then_narrow, else_narrow) = self.narrowing(test);
                let before = self.narrowed.clone();
                self.narrowed.extend(&then_narrow);
                let (then, ta, tt) = self.branch(body);
                let then_end = std::mem::replace(&mut self.narrowed, before.clone());
                self.narrowed.extend(&else_narrow);
                let (orelse, ea, et) = self.branch(orelse);
                let else_end = std::mem::take(&mut self.narrowed);
                self.narrowed = match (tt, et) {
                    (true, true) => before,
                    (true, false) => else_end,
                    (false, true) => then_end,
                    (false, false) => then_end.intersection(&else_end).copied().collect(),
                };
                self.join((ta, tt), (ea, et));
                vec![Stmt::If { cond, then, orelse }]
            }
            S::While { test, body, orelse } => {
                self.forget_narrowing_in(body);
                let cond = self.condition(test);
                let infinite =
                    matches!(test.kind, A::Bool(true)) || matches!(test.kind, A::Int(v) if v != 0);
                let before = self.narrowed.clone();
                let (then_narrow, _) = self.narrowing(test);
                self.narrowed.extend(then_narrow);
                let (body, breaks) = self.loop_body(body);
                self.narrowed = before;
                let (orelse, oa, ot) = self.branch(orelse);
                self.after_loop(breaks, !infinite, (oa, ot));
                cond.map(|cond| Stmt::While { cond, body, orelse })
                    .into_iter()
                    .collect()
            }
            S::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.forget_narrowing_in(body);
                let plain_range = matches!(target.kind, A::Name(_))
                    && matches!(&iter.kind, A::Call { func, .. } if matches!(&func.kind, A::Name(n) if n == "range" && !self.shadowed(n)));
                if plain_range {
                    self.for_range(target, iter, body, orelse)
                } else {
                    self.for_each(target, iter, body, orelse)
                }
            }
            S::Break | S::Continue => {
                if self.loop_depth == 0 {
                    let what = if matches!(stmt.kind, S::Break) {
                        "break"
                    } else {
                        "continue"
                    };
                    self.error(
                        Diagnostic::error(stmt.span, format!("`{what}` outside a loop"))
                            .with_label("not inside `for` or `while`"),
                    );
                    return vec![];
                }
                self.terminated = true;
                if matches!(stmt.kind, S::Break) {
                    let here = &self.assigned;
                    if let Some(b) = self.loop_breaks.last_mut() {
                        *b = Some(match b.take() {
                            Some(seen) => seen.intersection(here).copied().collect(),
                            None => here.clone(),
                        });
                    }
                    vec![Stmt::Break]
                } else {
                    vec![Stmt::Continue]
                }
            }
            S::Return(value) => self.return_stmt(stmt.span, value.as_ref()),
            S::Assert { test, msg } => {
                let cond = self.condition(test);
                let message = match msg {
                    None => None,
                    Some(m) => self.expr(m).map(containers::to_str),
                };
                // Past the assertion its condition holds.
                let (holds, _) = self.narrowing(test);
                self.narrowed.extend(holds);
                cond.map(|cond| Stmt::Assert {
                    cond,
                    message,
                    span: stmt.span,
                })
                .into_iter()
                .collect()
            }
            S::FunctionDef(_) => {
                self.error(unsupported(
                    stmt.span,
                    "a nested function",
                    "define the function at the top level of the module",
                ));
                vec![]
            }
            S::ClassDef(_) => {
                self.error(unsupported(
                    stmt.span,
                    "a class",
                    "classes come in a later tier; use functions over scalars for now",
                ));
                vec![]
            }
            S::Import(_) | S::ImportFrom { .. } => {
                self.import(stmt);
                vec![]
            }
            S::Global(_) | S::Nonlocal(_) => {
                self.error(unsupported(
                    stmt.span,
                    "`global`/`nonlocal`",
                    "pass values as parameters and return results",
                ));
                vec![]
            }
            S::Delete(targets) => {
                let mut out = Vec::new();
                for t in targets {
                    if let A::Subscript { value, index } = &t.kind {
                        if let A::Slice { lower, upper, step } = &index.kind {
                            let parts = [lower, upper, step];
                            out.extend(
                                self.slice_store(t.span, value, parts, None).map(Stmt::Expr),
                            );
                            continue;
                        }
                    }
                    let A::Subscript { value, index } = &t.kind else {
                        self.error(unsupported(
                            t.span,
                            "`del` of this",
                            "`del` removes list items and dict keys: `del d[k]`",
                        ));
                        continue;
                    };
                    if let Some((container, index)) = self.item_target(value, index) {
                        out.push(Stmt::DelItem {
                            container,
                            index,
                            span: t.span,
                        });
                    }
                }
                out
            }
            S::Raise { .. } | S::Try { .. } => {
                self.error(unsupported(
                    stmt.span,
                    "exception handling",
                    "`raise` and `try` come in a later tier; use `assert` for checks",
                ));
                vec![]
            }
            S::With { .. } => {
                self.error(
                    Diagnostic::error(stmt.span, "`with` is outside the Roast language")
                        .with_label("context managers are not supported"),
                );
                vec![]
            }
            S::Unsupported(what) => {
                self.error(
                    Diagnostic::error(stmt.span, format!("{what} is outside the Roast language"))
                        .with_label("not supported")
                        .with_help("Roast compiles synchronous, statically typed code"),
                );
                vec![]
            }
        }
    }

    /// Optionals known not to be `None` when `cond` is true, and when it is false.
    fn narrowing(&self, cond: &ast::Expr) -> (Vec<Narrowed>, Vec<Narrowed>) {
        let optional_local = |e: &ast::Expr| match &e.kind {
            A::Name(n) if self.local_names.contains(n) => self
                .by_name
                .get(n)
                .copied()
                .filter(|id| matches!(self.locals[id.0 as usize].ty, Type::Optional(_)))
                .map(Narrowed::Local),
            // Module variables are assigned once: narrowing them is sound.
            A::Name(n) => self
                .m
                .global_ids
                .get(n)
                .copied()
                .filter(|&slot| matches!(self.m.globals[slot as usize].1, Some(Type::Optional(_))))
                .map(Narrowed::Global),
            _ => None,
        };
        match &cond.kind {
            A::Compare { left, rest } if rest.len() == 1 => {
                let (op, right) = &rest[0];
                match (optional_local(left), &right.kind, op) {
                    (Some(id), A::NoneLit, ast::CmpOp::IsNot) => (vec![id], vec![]),
                    (Some(id), A::NoneLit, ast::CmpOp::Is) => (vec![], vec![id]),
                    _ => (vec![], vec![]),
                }
            }
            A::Unary {
                op: ast::UnaryOp::Not,
                operand,
            } => {
                let (t, e) = self.narrowing(operand);
                (e, t)
            }
            A::BoolOp { op, values } => {
                let mut out = Vec::new();
                for v in values {
                    let (t, e) = self.narrowing(v);
                    out.extend(if *op == ast::BoolOp::And { t } else { e });
                }
                if *op == ast::BoolOp::And {
                    (out, vec![])
                } else {
                    (vec![], out)
                }
            }
            A::Name(_) => (optional_local(cond).into_iter().collect(), vec![]),
            _ => (vec![], vec![]),
        }
    }

    /// A loop body that assigns a name undoes its narrowing for the whole
    /// loop (a later iteration may see the new value).
    fn forget_narrowing_in(&mut self, body: &[ast::Stmt]) {
        let mut names = Vec::new();
        for s in body {
            assigned_names(s, &mut names);
        }
        for n in names {
            if let Some(&id) = self.by_name.get(&n) {
                self.narrowed.remove(&Narrowed::Local(id));
            }
        }
    }

    /// The container and index of an item target `value[index]`.
    fn item_target(&mut self, value: &ast::Expr, index: &ast::Expr) -> Option<(Expr, Expr)> {
        let container = self.expr(value)?;
        if containers::is_untyped(container.ty) {
            let index = self.expr(index)?;
            return Some((container, index));
        }
        let index = match container.ty {
            Type::List(_) => {
                let i = self.expr(index)?;
                if i.ty != Type::Int {
                    self.error(type_mismatch(&i, Type::Int, "the index"));
                    return None;
                }
                i
            }
            Type::Dict(k, _) => self.expr_expect(index, Some(*k), "the key")?,
            t => {
                self.error(
                    Diagnostic::error(
                        container.span,
                        format!("`{}` does not support item assignment", t.name()),
                    )
                    .with_label("assigned here")
                    .with_help("lists and dicts can be changed in place; strs and tuples cannot"),
                );
                return None;
            }
        };
        Some((container, index))
    }

    /// Checks a loop body; returns it and the locals assigned at every
    /// `break` in it (`None`: it has none).
    fn loop_body(&mut self, body: &[ast::Stmt]) -> (Vec<Stmt>, Option<HashSet<LocalId>>) {
        self.loop_depth += 1;
        self.loop_breaks.push(None);
        // What the body proves (`if x is None: return` in it) holds in it
        // only: it may run no time at all.
        let before = self.narrowed.clone();
        let (out, _, _) = self.branch(body);
        self.narrowed = before;
        self.loop_depth -= 1;
        let breaks = self.loop_breaks.pop().flatten();
        (out, breaks)
    }

    /// The state after a loop: it is left by a `break` (having assigned
    /// `breaks`) or, when its `else` can run (`else_runs`), at the end of
    /// the `else` (`orelse`: assigned, terminated); with neither, never.
    fn after_loop(
        &mut self,
        breaks: Option<HashSet<LocalId>>,
        else_runs: bool,
        orelse: (HashSet<LocalId>, bool),
    ) {
        let mut exits: Vec<HashSet<LocalId>> = breaks.into_iter().collect();
        if else_runs && !orelse.1 {
            exits.push(orelse.0);
        }
        match exits.split_first() {
            None => self.terminated = true,
            Some((first, rest)) => {
                self.assigned = rest.iter().fold(first.clone(), |all, e| {
                    all.intersection(e).copied().collect()
                });
            }
        }
    }

    fn return_stmt(&mut self, span: Span, value: Option<&ast::Expr>) -> Vec<Stmt> {
        if self.top_level {
            self.error(
                Diagnostic::error(span, "`return` outside a function")
                    .with_label("at module level"),
            );
            return vec![];
        }
        self.terminated = true;
        let expected = self.ret;
        match value {
            None if expected == Type::None => vec![Stmt::Return(None)],
            None => {
                self.error(
                    Diagnostic::error(
                        span,
                        format!(
                            "`return` without a value in a function returning `{}`",
                            expected.name()
                        ),
                    )
                    .with_label("returns None")
                    .with_help(format!("return a `{}` value", expected.name())),
                );
                vec![]
            }
            Some(v) => {
                let Some(e) = self.expr_expect(v, Some(expected), "the returned value") else {
                    return vec![];
                };
                if expected == Type::None {
                    vec![Stmt::Expr(e), Stmt::Return(None)]
                } else {
                    vec![Stmt::Return(Some(e))]
                }
            }
        }
    }

    fn for_range(
        &mut self,
        target: &ast::Expr,
        iter: &ast::Expr,
        body: &[ast::Stmt],
        orelse: &[ast::Stmt],
    ) -> Vec<Stmt> {
        let range_args = match &iter.kind {
            A::Call {
                func,
                args,
                keywords,
            } if matches!(&func.kind, A::Name(n) if n == "range" && !self.shadowed(n))
                && keywords.is_empty() =>
            {
                Some(args)
            }
            _ => None,
        };
        let Some(args) = range_args else {
            self.error(unsupported(
                iter.span,
                "iterating over this",
                "loop with `for i in range(...)` for now",
            ));
            return vec![];
        };
        if args.is_empty() || args.len() > 3 {
            self.error(
                Diagnostic::error(
                    iter.span,
                    format!("range expected 1 to 3 arguments, got {}", args.len()),
                )
                .with_label("wrong number of arguments"),
            );
            return vec![];
        }
        let mut values = Vec::new();
        for a in args {
            let e = self.expr(a);
            if let Some(e) = &e {
                if e.ty != Type::Int {
                    self.error(
                        Diagnostic::error(
                            e.span,
                            format!(
                                "`{}` object cannot be interpreted as an integer",
                                e.ty.name()
                            ),
                        )
                        .with_label("range() takes ints"),
                    );
                    return vec![];
                }
            }
            values.push(e);
        }
        let values: Option<Vec<Expr>> = values.into_iter().collect();
        let Some(mut values) = values else {
            return vec![];
        };
        let lit = |v: i64| Expr {
            kind: ExprKind::Int(v),
            ty: Type::Int,
            span: iter.span,
        };
        let (start, stop, step) = match values.len() {
            1 => (lit(0), values.remove(0), lit(1)),
            2 => {
                let stop = values.remove(1);
                (values.remove(0), stop, lit(1))
            }
            _ => {
                let step = values.remove(2);
                let stop = values.remove(1);
                (values.remove(0), stop, step)
            }
        };
        let A::Name(name) = &target.kind else {
            self.error(unsupported(
                target.span,
                "this loop target",
                "use a plain name: `for i in range(n)`",
            ));
            return vec![];
        };
        let Some(var) = self.target_local(name, Type::Int, target.span, iter.span) else {
            return vec![];
        };
        let constant = |e: &Expr| match e.kind {
            ExprKind::Int(v) => Some(v),
            _ => None,
        };
        // A range known to be non-empty leaves the variable assigned.
        let runs = match (constant(&start), constant(&stop), constant(&step)) {
            (Some(a), Some(b), Some(s)) => (s > 0 && a < b) || (s < 0 && a > b),
            _ => false,
        };
        let mut before = self.assigned.clone();
        self.assigned.insert(var);
        let (body, breaks) = self.loop_body(body);
        if runs {
            before.insert(var);
        }
        self.assigned = before;
        let (orelse, oa, ot) = self.branch(orelse);
        self.after_loop(breaks, true, (oa, ot));
        vec![Stmt::ForRange {
            var,
            start,
            stop,
            step,
            span: iter.span,
            body,
            orelse,
        }]
    }

    /// Whether `name` is a local or constant hiding a builtin.
    fn shadowed(&self, name: &str) -> bool {
        self.local_names.contains(name)
            || self.m.constants.contains_key(name)
            || self.m.functions.contains_key(name)
    }

    /// The local assigned by a store to `name` with a value of type `ty`.
    /// `span` is the target; a type change is reported at `value_span`.
    fn target_local(
        &mut self,
        name: &str,
        ty: Type,
        span: Span,
        value_span: Span,
    ) -> Option<LocalId> {
        if !self.local_names.contains(name) {
            let what = if self.m.functions.contains_key(name) {
                "a function"
            } else {
                "a module constant"
            };
            self.error(
                Diagnostic::error(span, format!("cannot assign to `{name}`: it is {what}"))
                    .with_label("assigned here")
                    .with_help("choose another name"),
            );
            return None;
        }
        if let Some(&id) = self.by_name.get(name) {
            self.narrowed.remove(&Narrowed::Local(id));
        }
        match self.by_name.get(name) {
            Some(&id) => {
                let have = self.locals[id.0 as usize].ty;
                if have == Type::None && ty != Type::None {
                    // First assigned `None`: an optional, checked again.
                    self.discovered
                        .entry(name.to_string())
                        .or_insert(Type::optional(ty));
                }
                if have != ty {
                    self.error(
                        Diagnostic::error(
                            value_span,
                            format!(
                                "`{name}` has type `{}` but is assigned a `{}`",
                                have.name(),
                                ty.name()
                            ),
                        )
                        .with_label(format!("this is `{}`", ty.name()))
                        .with_note(span, "variable assigned here")
                        .with_help(
                            "a Roast variable keeps one type for its whole scope; use a new name",
                        ),
                    );
                    return None;
                }
                Some(id)
            }
            None => Some(self.declare(name, ty)),
        }
    }

    /// Reports an assignment target Roast does not support; its names
    /// are not reported again where they are read.
    fn reject_target(&mut self, target: &ast::Expr, help: &str) {
        self.error(unsupported(target.span, "this assignment target", help));
        self.forget_target(target);
    }

    /// Marks the names of a target whose assignment was reported as an
    /// error, so reads of them report nothing more.
    fn forget_target(&mut self, target: &ast::Expr) {
        match &target.kind {
            A::Name(n) => {
                self.failed_locals.insert(n.clone());
            }
            A::Tuple(items) | A::List(items) => items.iter().for_each(|t| self.forget_target(t)),
            A::Starred(t) => self.forget_target(t),
            _ => {}
        }
    }

    fn assign(
        &mut self,
        target: &ast::Expr,
        annotation: Option<&ast::Expr>,
        value: &ast::Expr,
    ) -> Vec<Stmt> {
        match &target.kind {
            A::Name(name) if self.top_level && self.m.global_ids.contains_key(name) => {
                self.define_global(name, annotation, value)
            }
            A::Name(name) => {
                let declared = annotation
                    .and_then(|a| self.m.annotation_type(a))
                    .or_else(|| self.seeds.get(name).copied());
                let existing = self
                    .by_name
                    .get(name)
                    .map(|id| self.locals[id.0 as usize].ty);
                // A local still `None` takes the type of what is assigned next.
                let expected = declared.or(existing.filter(|t| *t != Type::None));
                let Some(e) = self.expr_expect(value, expected, "the assigned value") else {
                    if let (Some(ty), false) = (declared, self.by_name.contains_key(name)) {
                        let id = self.declare(name, ty);
                        self.assigned.insert(id);
                    }
                    self.failed_locals.insert(name.clone());
                    return vec![];
                };
                if e.ty == Type::None && expected.is_none() && existing.is_none() {
                    // Typed by a later assignment (`best = None` ... `best = x`).
                    let id = self.declare(name, Type::None);
                    self.assigned.insert(id);
                    self.none_assigned.push((name.clone(), e.span));
                    return vec![Stmt::Assign(id, e)];
                }
                // A value known not to be None narrows an optional variable.
                let present = matches!(e.kind, ExprKind::Wrap(_));
                let Some(id) = self.target_local(name, e.ty, target.span, e.span) else {
                    return vec![];
                };
                self.assigned.insert(id);
                if present {
                    self.narrowed.insert(Narrowed::Local(id));
                }
                match containers::appended_to(id, e) {
                    Ok(rest) => vec![Stmt::StrAppend(id, rest)],
                    Err(e) => vec![Stmt::Assign(id, e)],
                }
            }
            A::Subscript { value: c, index } if annotation.is_none() => {
                if let A::Slice { lower, upper, step } = &index.kind {
                    let parts = [lower, upper, step];
                    return self
                        .slice_store(target.span, c, parts, Some(value))
                        .map(Stmt::Expr)
                        .into_iter()
                        .collect();
                }
                let Some((container, index)) = self.item_target(c, index) else {
                    return vec![];
                };
                if containers::is_untyped(container.ty) {
                    // `d[k] = v` reveals an empty dict's type.
                    if let (Some(v), Type::Dict(..)) = (self.expr(value), container.ty) {
                        self.discover(&container, Type::dict(index.ty, v.ty));
                    }
                    return vec![];
                }
                let item = match container.ty {
                    Type::List(t) => *t,
                    Type::Dict(_, v) => *v,
                    _ => return vec![],
                };
                let Some(v) = self.expr_expect(value, Some(item), "the stored value") else {
                    return vec![];
                };
                // CPython evaluates the value first, then the container and
                // index; reading a local (which no expression can assign),
                // a constant or a tuple of those (`d[(a, b)] = ...`) gives
                // the same before as after.
                fn plain(e: &Expr) -> bool {
                    match &e.kind {
                        ExprKind::Local(_) | ExprKind::Int(_) | ExprKind::Bool(_) => true,
                        ExprKind::Str(_) => true,
                        ExprKind::Tuple(items) => items.iter().all(plain),
                        _ => false,
                    }
                }
                if matches!(container.kind, ExprKind::Local(_)) && plain(&index) {
                    return vec![Stmt::SetItem {
                        container,
                        index,
                        value: v,
                        span: target.span,
                    }];
                }
                let (vl, vr) = self.hidden(v.ty, v.span);
                vec![
                    Stmt::Assign(vl, v),
                    Stmt::SetItem {
                        container,
                        index,
                        value: vr,
                        span: target.span,
                    },
                ]
            }
            A::Tuple(targets) | A::List(targets)
                if annotation.is_none()
                    && !targets.iter().all(|t| matches!(t.kind, A::Name(_))) =>
            {
                // Every value first, then each target left to right.
                let values: Vec<Option<Expr>> = match &value.kind {
                    A::Tuple(values) if values.len() == targets.len() => {
                        values.iter().map(|v| self.expr(v)).collect()
                    }
                    _ => vec![self.expr(value)],
                };
                let values: Option<Vec<Expr>> = values.into_iter().collect();
                let Some(values) = values else {
                    return vec![];
                };
                let mut out = Vec::new();
                let mut reads = Vec::new();
                for v in values {
                    let (id, read) = self.hidden(v.ty, v.span);
                    out.push(Stmt::Assign(id, v));
                    reads.push(read);
                }
                if reads.len() == 1 && targets.len() != 1 {
                    out.extend(self.assign_to(target, reads.remove(0)));
                } else {
                    for (t, r) in targets.iter().zip(reads) {
                        out.extend(self.assign_to(t, r));
                    }
                }
                out
            }
            A::Tuple(targets) | A::List(targets) if annotation.is_none() => {
                let A::Tuple(values) = &value.kind else {
                    let Some(v) = self.expr(value) else {
                        return vec![];
                    };
                    if !matches!(v.ty, Type::Tuple(_)) {
                        let (id, read) = self.hidden(v.ty, v.span);
                        let mut out = vec![Stmt::Assign(id, v)];
                        out.extend(self.assign_to(target, read));
                        return out;
                    }
                    let Some(p) = self.pattern(target, v.ty, v.span) else {
                        return vec![];
                    };
                    return vec![Stmt::Unpack(p, v)];
                };
                if values.len() != targets.len() {
                    self.error(
                        Diagnostic::error(
                            value.span,
                            format!(
                                "cannot unpack {} values into {} names",
                                values.len(),
                                targets.len()
                            ),
                        )
                        .with_label("wrong number of values"),
                    );
                    return vec![];
                }
                let checked: Vec<Option<Expr>> = values
                    .iter()
                    .zip(targets)
                    .map(|(v, t)| {
                        let expected = match &t.kind {
                            A::Name(n) => {
                                self.by_name.get(n).map(|id| self.locals[id.0 as usize].ty)
                            }
                            _ => None,
                        };
                        self.expr_expect(v, expected, "the assigned value")
                    })
                    .collect();
                let mut pairs = Vec::new();
                for (t, e) in targets.iter().zip(checked) {
                    let (A::Name(name), Some(e)) = (&t.kind, e) else {
                        if matches!(t.kind, A::Name(_)) {
                            self.forget_target(t);
                        } else {
                            self.reject_target(t, "assign to plain names");
                        }
                        continue;
                    };
                    if let Some(id) = self.target_local(name, e.ty, t.span, e.span) {
                        pairs.push((id, e));
                    }
                }
                for (id, _) in &pairs {
                    self.assigned.insert(*id);
                }
                vec![Stmt::ParallelAssign(pairs)]
            }
            _ => {
                self.reject_target(target, "assign to a plain name");
                vec![]
            }
        }
    }

    /// The one top-level assignment of a module variable.
    fn define_global(
        &mut self,
        name: &str,
        annotation: Option<&ast::Expr>,
        value: &ast::Expr,
    ) -> Vec<Stmt> {
        let slot = self.m.global_ids[name];
        let known = self.m.globals[slot as usize]
            .1
            .filter(|t| !containers::is_untyped(*t));
        let declared = annotation
            .and_then(|a| self.m.annotation_type(a))
            .or_else(|| self.seeds.get(name).copied())
            .or(known);
        let Some(e) = self.expr_expect(value, declared, "the assigned value") else {
            self.m.failed_globals.insert(name.to_string());
            return vec![];
        };
        if e.ty == Type::None {
            self.error(unsupported(
                e.span,
                "a variable that is always `None`",
                "annotate it as an optional: `x: int | None = None`",
            ));
            self.m.failed_globals.insert(name.to_string());
            return vec![];
        } else {
            self.m.globals[slot as usize].1 = Some(e.ty);
        }
        self.defined_constants.insert(name.to_string());
        vec![Stmt::SetGlobal(slot, e)]
    }

    /// Assigns an already evaluated value to a target: a name, an item
    /// (`xs[i]`, `d[k]`) or a tuple of targets unpacked recursively.
    fn assign_to(&mut self, target: &ast::Expr, value: Expr) -> Vec<Stmt> {
        match &target.kind {
            A::Name(name) => {
                let expected = self
                    .by_name
                    .get(name)
                    .map(|id| self.locals[id.0 as usize].ty);
                let value = match expected {
                    Some(t) => match self.coerce(value, t, "the assigned value") {
                        Some(v) => v,
                        None => return vec![],
                    },
                    None => value,
                };
                let Some(id) = self.target_local(name, value.ty, target.span, value.span) else {
                    return vec![];
                };
                self.assigned.insert(id);
                vec![Stmt::Assign(id, value)]
            }
            A::Subscript { value: c, index } => {
                let Some((container, index)) = self.item_target(c, index) else {
                    return vec![];
                };
                let item = match container.ty {
                    Type::List(t) => *t,
                    Type::Dict(_, v) => *v,
                    _ => return vec![],
                };
                let Some(value) = self.coerce(value, item, "the stored value") else {
                    return vec![];
                };
                vec![Stmt::SetItem {
                    container,
                    index,
                    value,
                    span: target.span,
                }]
            }
            A::Tuple(targets) | A::List(targets)
                if matches!(value.ty, Type::List(_) | Type::Str) =>
            {
                // A sequence must have exactly as many items as targets.
                let (item, get) = match value.ty {
                    Type::List(t) => (*t, RtFn::ListGetItem),
                    _ => (Type::Str, RtFn::StrGetItem),
                };
                let span = target.span;
                let (id, read) = self.hidden(value.ty, value.span);
                let len = mk(ExprKind::Len(Box::new(read.clone())), Type::Int, span);
                let n = mk(ExprKind::Int(targets.len() as i64), Type::Int, span);
                let v = hir::RtOperand::Value;
                let mut out = vec![
                    Stmt::Assign(id, value),
                    Stmt::Expr(rt(RtFn::UnpackCheck, vec![v(len), v(n)], Type::None, span)),
                ];
                for (i, t) in targets.iter().enumerate() {
                    let index = mk(ExprKind::Int(i as i64), Type::Int, t.span);
                    let part = rt(get, vec![v(read.clone()), v(index)], item, t.span);
                    out.extend(self.assign_to(t, part));
                }
                out
            }
            A::Tuple(targets) | A::List(targets) => {
                let Type::Tuple(types) = value.ty else {
                    self.error(unsupported(
                        value.span,
                        &format!("unpacking a `{}`", value.ty.name()),
                        "unpack a tuple, list or str",
                    ));
                    return vec![];
                };
                if types.len() != targets.len() {
                    self.error(
                        Diagnostic::error(
                            target.span,
                            format!(
                                "cannot unpack {} values into {} targets",
                                types.len(),
                                targets.len()
                            ),
                        )
                        .with_label("wrong number of targets"),
                    );
                    return vec![];
                }
                let (id, read) = self.hidden(value.ty, value.span);
                let mut out = vec![Stmt::Assign(id, value)];
                for (i, (t, ty)) in targets.iter().zip(types.iter()).enumerate() {
                    let item = mk(ExprKind::TupleItem(Box::new(read.clone()), i), *ty, t.span);
                    out.extend(self.assign_to(t, item));
                }
                out
            }
            _ => {
                self.reject_target(target, "assign to names, items or tuples of them");
                vec![]
            }
        }
    }

    fn aug_assign(
        &mut self,
        span: Span,
        target: &ast::Expr,
        op: ast::BinOp,
        value: &ast::Expr,
    ) -> Vec<Stmt> {
        if let A::Subscript { value: c, index } = &target.kind {
            // `c[i] op= v`: container and index evaluated once.
            let Some((container, index)) = self.item_target(c, index) else {
                return vec![];
            };
            let (f, item) = match container.ty {
                Type::List(t) => (RtFn::ListGetItem, *t),
                Type::Dict(_, v) => (RtFn::DictGetItem, *v),
                _ => return vec![],
            };
            // Container and index are evaluated once, before the value; a
            // local or a constant needs no copy (no expression assigns one).
            let mut out = vec![];
            let mut once = |this: &mut Self, e: Expr| match e.kind {
                ExprKind::Local(_) | ExprKind::Int(_) => e,
                _ => {
                    let (l, r) = this.hidden(e.ty, e.span);
                    out.push(Stmt::Assign(l, e));
                    r
                }
            };
            let Some(rhs) = self.expr(value) else {
                return vec![];
            };
            // `rows[i][j] op= v` with plain `i` and `j`, scalar items and a
            // harmless `v`: `rows[i]` is read twice instead of into a hidden
            // local, which lowering can then borrow (nothing that runs in
            // between can change `rows` or `i`).
            let reread = !item.is_heap()
                && matches!(index.kind, ExprKind::Local(_) | ExprKind::Int(_))
                && rhs.is_harmless()
                && match &container.kind {
                    ExprKind::Runtime(RtFn::ListGetItem, ops) => ops.iter().all(|o| {
                        matches!(o, hir::RtOperand::Value(x)
                            if matches!(x.kind, ExprKind::Local(_) | ExprKind::Int(_)))
                    }),
                    _ => false,
                };
            let cr = if reread {
                container
            } else {
                once(self, container)
            };
            let ir = once(self, index);
            let current = rt(
                f,
                vec![
                    hir::RtOperand::Value(cr.clone()),
                    hir::RtOperand::Value(ir.clone()),
                ],
                item,
                target.span,
            );
            let Some(result) = self.binary(span, op, current, rhs) else {
                return vec![];
            };
            let Some(result) = self.coerce(result, item, "the result") else {
                return vec![];
            };
            out.push(Stmt::SetItem {
                container: cr,
                index: ir,
                value: result,
                span: target.span,
            });
            return out;
        }
        let A::Name(name) = &target.kind else {
            self.reject_target(target, "assign to a plain name");
            return vec![];
        };
        let Some(current) = self.name(name, target.span) else {
            return vec![];
        };
        let Some(rhs) = self.expr(value) else {
            return vec![];
        };
        if let (ExprKind::Local(id), ast::BinOp::Add | ast::BinOp::Mul) = (&current.kind, op) {
            let id = *id;
            match current.ty {
                Type::Str if rhs.ty == Type::Str && op == ast::BinOp::Add => {
                    return vec![Stmt::StrAppend(id, rhs)];
                }
                Type::List(_) if rhs.ty == Type::Int && op == ast::BinOp::Mul => {
                    // `xs *= n` repeats the list in place, as CPython.
                    let v = hir::RtOperand::Value;
                    let ty = current.ty;
                    let (hl, hr) = self.hidden(ty, span);
                    let repeated = rt(RtFn::ListRepeat, vec![v(current.clone()), v(rhs)], ty, span);
                    return vec![
                        Stmt::Assign(hl, repeated),
                        Stmt::Expr(rt(
                            RtFn::ListClear,
                            vec![v(current.clone())],
                            Type::None,
                            span,
                        )),
                        Stmt::Expr(rt(
                            RtFn::ListExtend,
                            vec![v(current), v(hr)],
                            Type::None,
                            span,
                        )),
                    ];
                }
                Type::List(_) if rhs.ty == current.ty && op == ast::BinOp::Add => {
                    // `xs += ys` extends the list in place, as CPython.
                    return vec![Stmt::Expr(rt(
                        RtFn::ListExtend,
                        vec![hir::RtOperand::Value(current), hir::RtOperand::Value(rhs)],
                        Type::None,
                        span,
                    ))];
                }
                _ => {}
            }
        }
        let Some(result) = self.binary(span, op, current, rhs) else {
            return vec![];
        };
        match self.target_local(name, result.ty, target.span, value.span) {
            Some(id) => vec![Stmt::Assign(id, result)],
            None => vec![],
        }
    }

    /// A `print(...)` call statement, or `None` if `e` is not one.
    fn print_call(&mut self, e: &ast::Expr) -> Option<Option<Stmt>> {
        let A::Call {
            func,
            args,
            keywords,
        } = &e.kind
        else {
            return None;
        };
        if !matches!(&func.kind, A::Name(n) if n == "print" && !self.shadowed(n)) {
            return None;
        }
        let lit = |s: &str| mk(ExprKind::Str(s.to_string()), Type::Str, e.span);
        let mut sep = lit(" ");
        let mut end = lit("\n");
        let mut kw_values = Vec::new();
        for k in keywords {
            let name = k.name.as_ref().map(|n| n.name.as_str());
            if !matches!(name, Some("sep" | "end")) {
                self.error(unsupported(
                    k.span,
                    "this print() argument",
                    "print() takes `sep=` and `end=`",
                ));
                continue;
            }
            kw_values.push((name == Some("sep"), k));
        }
        let mut out = Vec::new();
        let starred = args.iter().any(|a| matches!(a.kind, A::Starred(_)));
        for a in args {
            if let A::Starred(inner) = &a.kind {
                // `print(*xs)` prints the items as separate arguments.
                if let Some(items) = self.materialize_whole(inner) {
                    out.push(self.stringified(items));
                }
                continue;
            }
            if let Some(e) = self.expr(a) {
                if starred {
                    let span = e.span;
                    let one = containers::to_str(e);
                    out.push(mk(ExprKind::List(vec![one]), Type::list(Type::Str), span));
                } else {
                    out.push(e);
                }
            }
        }
        if starred {
            // Every argument as a list of strs, joined by `sep`: the same text.
            let span = e.span;
            let all = out.into_iter().reduce(|a, b| {
                rt(
                    RtFn::ListConcat,
                    vec![hir::RtOperand::Value(a), hir::RtOperand::Value(b)],
                    Type::list(Type::Str),
                    span,
                )
            });
            let (sep_local, sep_read) = self.hidden(Type::Str, span);
            let mut joined = None;
            if let Some(all) = all {
                joined = Some(rt(
                    RtFn::StrJoin,
                    vec![
                        hir::RtOperand::Value(sep_read.clone()),
                        hir::RtOperand::Value(all),
                    ],
                    Type::Str,
                    span,
                ));
            }
            let line = joined.unwrap_or_else(|| lit(""));
            let mut stmts_sep = lit(" ");
            let mut stmt_end = lit("\n");
            for (is_sep, k) in kw_values {
                let value = match &k.value.kind {
                    A::NoneLit => continue,
                    _ => match self.expr(&k.value) {
                        Some(v) if v.ty == Type::Str => v,
                        Some(v) => {
                            self.error(type_mismatch(&v, Type::Str, "this argument"));
                            continue;
                        }
                        None => continue,
                    },
                };
                if is_sep {
                    stmts_sep = value;
                } else {
                    stmt_end = value;
                }
            }
            let line = mk(
                ExprKind::Let(sep_local, Box::new(stmts_sep), Box::new(line)),
                Type::Str,
                span,
            );
            return Some(Some(Stmt::Print {
                args: vec![line],
                sep: lit(" "),
                end: stmt_end,
            }));
        }
        // Keyword arguments are evaluated after the positional ones.
        for (is_sep, k) in kw_values {
            let value = match &k.value.kind {
                A::NoneLit => lit(if is_sep { " " } else { "\n" }),
                _ => match self.expr(&k.value) {
                    Some(v) if v.ty == Type::Str => v,
                    Some(v) => {
                        self.error(type_mismatch(
                            &v,
                            Type::Str,
                            if is_sep { "sep" } else { "end" },
                        ));
                        continue;
                    }
                    None => continue,
                },
            };
            if is_sep {
                sep = value;
            } else {
                end = value;
            }
        }
        Some(Some(Stmt::Print {
            args: out,
            sep,
            end,
        }))
    }

    /// A condition: any scalar, converted to bool by Python truthiness.
    fn condition(&mut self, e: &ast::Expr) -> Option<Expr> {
        let value = match &e.kind {
            A::BoolOp { op, values } => {
                let mut parts = Vec::new();
                let before = self.narrowed.clone();
                for v in values {
                    parts.push(self.condition(v));
                    // Later operands run only when this one was true (`and`) or false (`or`).
                    let (t, f) = self.narrowing(v);
                    self.narrowed
                        .extend(if *op == ast::BoolOp::And { t } else { f });
                }
                self.narrowed = before;
                let parts: Option<Vec<Expr>> = parts.into_iter().collect();
                let mut parts = parts?.into_iter();
                let first = parts.next()?;
                parts.fold(first, |acc, next| {
                    let span = acc.span.to(next.span);
                    let kind = match op {
                        ast::BoolOp::And => ExprKind::And(Box::new(acc), Box::new(next)),
                        ast::BoolOp::Or => ExprKind::Or(Box::new(acc), Box::new(next)),
                    };
                    Expr {
                        kind,
                        ty: Type::Bool,
                        span,
                    }
                })
            }
            A::Unary {
                op: ast::UnaryOp::Not,
                operand,
            } => {
                let inner = self.condition(operand)?;
                Expr {
                    kind: ExprKind::Not(Box::new(inner)),
                    ty: Type::Bool,
                    span: e.span,
                }
            }
            _ => self.expr(e)?,
        };
        Some(self.truthy(value))
    }

    pub(super) fn truthy(&mut self, e: Expr) -> Expr {
        let span = e.span;
        match e.ty {
            Type::Bool => e,
            Type::Str | Type::List(_) | Type::Dict(..) => {
                let len = mk(ExprKind::Len(Box::new(e)), Type::Int, span);
                mk(
                    ExprKind::Compare(
                        Box::new(len),
                        vec![(CmpOp::Ne, mk(ExprKind::Int(0), Type::Int, span))],
                    ),
                    Type::Bool,
                    span,
                )
            }
            Type::Tuple(_) => {
                // A non-empty tuple is always true (still evaluated).
                let (id, _) = self.hidden(e.ty, span);
                let t = mk(ExprKind::Bool(true), Type::Bool, span);
                mk(
                    ExprKind::Let(id, Box::new(e), Box::new(t)),
                    Type::Bool,
                    span,
                )
            }
            Type::Optional(inner) => {
                // `x` is true when it is not None and its value is true.
                let (id, read) = self.hidden(e.ty, span);
                let present = mk(
                    ExprKind::IsNone(Box::new(read.clone()), true),
                    Type::Bool,
                    span,
                );
                let value = mk(ExprKind::Unwrap(Box::new(read)), *inner, span);
                let value = self.truthy(value);
                let both = mk(
                    ExprKind::And(Box::new(present), Box::new(value)),
                    Type::Bool,
                    span,
                );
                mk(
                    ExprKind::Let(id, Box::new(e), Box::new(both)),
                    Type::Bool,
                    span,
                )
            }
            _ => {
                let span = e.span;
                Expr {
                    kind: ExprKind::Truthy(Box::new(e)),
                    ty: Type::Bool,
                    span,
                }
            }
        }
    }

    fn name(&mut self, name: &str, span: Span) -> Option<Expr> {
        if self.local_names.contains(name) {
            return match self.by_name.get(name) {
                Some(&id) if self.assigned.contains(&id) || self.unreachable => {
                    let ty = self.locals[id.0 as usize].ty;
                    let read = mk(ExprKind::Local(id), ty, span);
                    match ty {
                        Type::Optional(inner) if self.narrowed.contains(&Narrowed::Local(id)) => {
                            Some(mk(ExprKind::Unwrap(Box::new(read)), *inner, span))
                        }
                        _ => Some(read),
                    }
                }
                _ if self.failed_locals.contains(name) => None,
                _ => {
                    self.error(
                        Diagnostic::error(
                            span,
                            format!("`{name}` may be used before it is assigned"),
                        )
                        .with_label("not assigned on every path to here")
                        .with_help(
                            "CPython would raise UnboundLocalError or NameError; assign it first",
                        ),
                    );
                    None
                }
            };
        }
        if let Some(&slot) = self.m.global_ids.get(name) {
            if self.m.failed_globals.contains(name) {
                return None;
            }
            if self.top_level && !self.defined_constants.contains(name) {
                self.error(
                    Diagnostic::error(span, format!("`{name}` is used before it is defined"))
                        .with_label("defined further down")
                        .with_help("CPython would raise NameError; move the definition above"),
                );
                return None;
            }
            let Some(ty) = self.m.globals[slot as usize].1 else {
                self.error(
                    Diagnostic::error(
                        span,
                        format!("the type of module variable `{name}` is not known"),
                    )
                    .with_label("read here")
                    .with_help(format!("annotate its definition: `{name}: list[int] = []`")),
                );
                return None;
            };
            let read = mk(ExprKind::Global(slot), ty, span);
            return Some(match ty {
                Type::Optional(inner) if self.narrowed.contains(&Narrowed::Global(slot)) => {
                    mk(ExprKind::Unwrap(Box::new(read)), *inner, span)
                }
                _ => read,
            });
        }
        if let Some(c) = self.m.constants.get(name) {
            if self.top_level && !self.defined_constants.contains(name) {
                self.error(
                    Diagnostic::error(span, format!("`{name}` is used before it is defined"))
                        .with_label("defined further down")
                        .with_help("CPython would raise NameError; move the definition above"),
                );
                return None;
            }
            // A constant optional holding a value is that value: CPython
            // sees no difference, and `K is not None` needs no narrowing.
            let value = match &c.value.kind {
                ExprKind::Wrap(inner) => (**inner).clone(),
                _ => c.value.clone(),
            };
            return Some(Expr { span, ..value });
        }
        if self.m.script_names.contains(name) {
            self.error(unsupported(
                span,
                "reading a module variable that is not a constant",
                "module-level names read by functions must be assigned once, to a literal",
            ));
            return None;
        }
        if let Some(v) = self
            .m
            .math_names
            .get(name)
            .and_then(|n| FnChecker::math_constant(n))
        {
            return Some(mk(ExprKind::Float(v), Type::Float, span));
        }
        if self.m.functions.contains_key(name) {
            self.error(unsupported(
                span,
                "a function used as a value",
                "call the function",
            ));
            return None;
        }
        if BUILTIN_FUNCTIONS.contains(&name) {
            self.error(unsupported(
                span,
                &format!("the builtin `{name}` used as a value"),
                &format!("call it where the value is needed, e.g. `[{name}(x) for x in xs]`"),
            ));
            return None;
        }
        let help = match name {
            "eval" | "exec" | "getattr" | "setattr" | "globals" | "locals" => {
                "dynamic evaluation and reflection are outside the Roast language"
            }
            _ => "define it before use, or check the spelling",
        };
        self.error(
            Diagnostic::error(span, format!("cannot find `{name}` in this scope"))
                .with_label("not defined")
                .with_help(help),
        );
        None
    }

    fn expr(&mut self, e: &ast::Expr) -> Option<Expr> {
        let span = e.span;
        let mk = |kind, ty| Some(Expr { kind, ty, span });
        match &e.kind {
            A::Int(v) => match i64::try_from(*v) {
                Ok(v) => mk(ExprKind::Int(v), Type::Int),
                Err(_) => {
                    self.error(int_literal_too_large(span));
                    None
                }
            },
            A::BigInt(_) => {
                self.error(int_literal_too_large(span));
                None
            }
            A::Float(v) => mk(ExprKind::Float(*v), Type::Float),
            A::Bool(b) => mk(ExprKind::Bool(*b), Type::Bool),
            A::NoneLit => mk(ExprKind::NoneLit, Type::None),
            A::Str(s) => mk(ExprKind::Str(s.clone()), Type::Str),
            A::Name(n) => self.name(n, span),
            A::Unary { op, operand } => self.unary(span, *op, operand),
            A::Binary {
                op: ast::BinOp::Mod,
                left,
                right,
            } if matches!(left.kind, A::Str(_)) => {
                let A::Str(fmt) = &left.kind else {
                    unreachable!("matched above")
                };
                self.percent_format(span, left.span, fmt, right)
            }
            A::Binary { op, left, right } => {
                let l = self.expr(left);
                let r = self.expr(right);
                self.binary(span, *op, l?, r?)
            }
            A::BoolOp { op, values } => {
                let mut parts = Vec::new();
                let before = self.narrowed.clone();
                for v in values {
                    parts.push(self.expr(v));
                    // Later operands run only when this one was true (`and`) or false (`or`).
                    let (t, f) = self.narrowing(v);
                    self.narrowed
                        .extend(if *op == ast::BoolOp::And { t } else { f });
                }
                self.narrowed = before;
                let parts: Option<Vec<Expr>> = parts.into_iter().collect();
                let mut parts = parts?.into_iter();
                let first = parts.next()?;
                let mut acc = first;
                for next in parts {
                    let (a, next) = self.unify_untyped(acc, next, "this operand")?;
                    acc = a;
                    if next.ty != acc.ty {
                        self.error(
                            Diagnostic::error(
                                next.span,
                                format!("`{}` operands have different types: `{}` and `{}`", if *op == ast::BoolOp::And { "and" } else { "or" }, acc.ty.name(), next.ty.name()),
                            )
                            .with_label("this operand")
                            .with_help("the result could be either type; convert one operand, or use it only as a condition"),
                        );
                        return None;
                    }
                    let ty = acc.ty;
                    let s = acc.span.to(next.span);
                    let kind = match op {
                        ast::BoolOp::And => ExprKind::And(Box::new(acc), Box::new(next)),
                        ast::BoolOp::Or => ExprKind::Or(Box::new(acc), Box::new(next)),
                    };
                    acc = Expr { kind, ty, span: s };
                }
                Some(acc)
            }
            A::Compare { left, rest } => self.compare(span, left, rest),
            A::IfExp { test, body, orelse } => {
                let cond = self.condition(test);
                let (tn, en) = self.narrowing(test);
                let before = self.narrowed.clone();
                self.narrowed.extend(tn);
                let then = self.expr(body);
                self.narrowed = before.clone();
                self.narrowed.extend(en);
                let other = self.expr(orelse);
                self.narrowed = before;
                let (cond, then, other) = (cond?, then?, other?);
                let (mut then, mut other) = self.unify_untyped(then, other, "this branch")?;
                let optional = match (then.ty, other.ty) {
                    (Type::None, t) | (t, Type::None) if t != Type::None => Some(Type::optional(t)),
                    (Type::Optional(i), t) | (t, Type::Optional(i)) if *i == t => {
                        Some(Type::optional(t))
                    }
                    _ => None,
                };
                if let Some(opt) = optional {
                    then = self.coerce(then, opt, "this branch")?;
                    other = self.coerce(other, opt, "this branch")?;
                }
                if then.ty != other.ty {
                    self.error(
                        Diagnostic::error(span, format!("conditional expression branches have different types: `{}` and `{}`", then.ty.name(), other.ty.name()))
                            .with_label("branches differ")
                            .with_help("both branches must have the same type"),
                    );
                    return None;
                }
                let ty = then.ty;
                mk(
                    ExprKind::IfExp(Box::new(cond), Box::new(then), Box::new(other)),
                    ty,
                )
            }
            A::Call {
                func,
                args,
                keywords,
            } => self.call(span, func, args, keywords),
            A::FString(parts) => self.fstring(span, parts),
            A::Tuple(items) => self.tuple_display(span, items),
            A::List(items) => self.list_display(span, items, None),
            A::Dict(items) => self.dict_display(span, items, None),
            A::ListComp { elt, generators } => self.comprehension(span, None, elt, generators),
            A::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(span, Some(key), value, generators),
            A::Subscript { value, index } => self.subscript(span, value, index),
            A::Slice { .. } => {
                self.error(unsupported(
                    span,
                    "a slice here",
                    "slice a str or list: `xs[1:3]`",
                ));
                None
            }
            A::Attribute { value, attr } => {
                if let A::Name(m) = &value.kind {
                    if m == "math" && self.m.math_imported && !self.shadowed(m) {
                        if let Some(v) = FnChecker::math_constant(&attr.name) {
                            return mk(ExprKind::Float(v), Type::Float);
                        }
                    }
                }
                self.error(unsupported(
                    span,
                    "this attribute access",
                    "call methods directly (`s.upper()`); classes come in a later tier",
                ));
                None
            }
            A::Set(_) | A::SetComp { .. } => {
                self.error(unsupported(span, "a set", "sets come in a later tier"));
                None
            }
            A::Lambda { .. } => {
                self.error(unsupported(
                    span,
                    "a lambda",
                    "define a named function at the top level",
                ));
                None
            }
            A::GeneratorExp { .. } => {
                self.error(unsupported(
                    span,
                    "a generator expression here",
                    "pass it straight to sum, min, max, any, all, sorted, list or join, or use a list comprehension",
                ));
                None
            }
            A::NamedExpr { .. } => {
                self.error(unsupported(span, "`:=`", "assign in a separate statement"));
                None
            }
            A::Starred(_) => {
                self.error(unsupported(span, "`*` unpacking", "pass values separately"));
                None
            }
            A::Imaginary(_) | A::Bytes(_) | A::Ellipsis => {
                self.error(
                    Diagnostic::error(span, "this literal is outside the Roast language")
                        .with_label("complex numbers, bytes and `...` are not supported"),
                );
                None
            }
            A::Unsupported(what, _) => {
                self.error(
                    Diagnostic::error(span, format!("`{what}` is outside the Roast language"))
                        .with_label("not supported")
                        .with_help("generators and async code are not compiled by Roast"),
                );
                None
            }
        }
    }

    fn unary(&mut self, span: Span, op: ast::UnaryOp, operand: &ast::Expr) -> Option<Expr> {
        if op == ast::UnaryOp::Neg {
            if let A::Int(v) = operand.kind {
                return match i64::try_from(-v) {
                    Ok(v) => Some(Expr {
                        kind: ExprKind::Int(v),
                        ty: Type::Int,
                        span,
                    }),
                    Err(_) => {
                        self.error(int_literal_too_large(span));
                        None
                    }
                };
            }
        }
        if op == ast::UnaryOp::Not {
            let inner = self.condition(operand)?;
            return Some(Expr {
                kind: ExprKind::Not(Box::new(inner)),
                ty: Type::Bool,
                span,
            });
        }
        let e = self.expr(operand)?;
        let (kind, ty) = match (op, e.ty) {
            (ast::UnaryOp::Neg, Type::Int | Type::Float) => {
                let ty = e.ty;
                (ExprKind::Neg(Box::new(e)), ty)
            }
            (ast::UnaryOp::Pos, Type::Int | Type::Float) => return Some(Expr { span, ..e }),
            (ast::UnaryOp::Invert, Type::Int) => (ExprKind::Invert(Box::new(e)), Type::Int),
            _ => {
                let sym = match op {
                    ast::UnaryOp::Neg => "-",
                    ast::UnaryOp::Pos => "+",
                    _ => "~",
                };
                self.error(
                    Diagnostic::error(
                        span,
                        format!("bad operand type for unary {sym}: `{}`", e.ty.name()),
                    )
                    .with_label("unsupported operand")
                    .with_help(if e.ty == Type::Bool {
                        "bool is not used as a number in Roast; convert with int(...)"
                    } else {
                        "use an int or a float"
                    }),
                );
                return None;
            }
        };
        Some(Expr { kind, ty, span })
    }

    fn binary(&mut self, span: Span, op: ast::BinOp, l: Expr, r: Expr) -> Option<Expr> {
        use ast::BinOp as B;
        let arith = match op {
            B::Add => ArithOp::Add,
            B::Sub => ArithOp::Sub,
            B::Mul => ArithOp::Mul,
            B::Div => ArithOp::Div,
            B::FloorDiv => ArithOp::FloorDiv,
            B::Mod => ArithOp::Mod,
            B::Pow => ArithOp::Pow,
            B::BitAnd => ArithOp::BitAnd,
            B::BitOr => ArithOp::BitOr,
            B::BitXor => ArithOp::BitXor,
            B::LShift => ArithOp::Shl,
            B::RShift => ArithOp::Shr,
            B::MatMul => {
                self.error(unsupported(
                    span,
                    "the `@` operator",
                    "write the multiplication out",
                ));
                return None;
            }
        };
        let bitwise = matches!(
            arith,
            ArithOp::BitAnd | ArithOp::BitOr | ArithOp::BitXor | ArithOp::Shl | ArithOp::Shr
        );
        if l.ty.is_heap() || r.ty.is_heap() {
            let (lt, rt_) = (l.ty, r.ty);
            let lspan = l.span;
            let rspan = r.span;
            if let Some(e) = self.heap_binary(span, arith, l, r) {
                return Some(e);
            }
            let op_span = operator_span(&self.m.text, lspan, rspan);
            self.error(
                Diagnostic::error(
                    op_span,
                    format!(
                        "unsupported operand types for {}: `{}` and `{}`",
                        op.symbol(),
                        lt.name(),
                        rt_.name()
                    ),
                )
                .with_label(format!("`{}` and `{}`", lt.name(), rt_.name()))
                .with_help(if lt == Type::Str && arith == ArithOp::Mod {
                    "old-style `%` formatting is not supported; use an f-string: f\"{x:d}\""
                } else if lt == Type::Str || rt_ == Type::Str {
                    "strs join with `+` (convert numbers with str(...) or use an f-string) and repeat with `*` by an int"
                } else {
                    "lists join with `+` and repeat with `*` by an int"
                }),
            );
            return None;
        }
        let numeric = |t: Type| matches!(t, Type::Int | Type::Float);
        let ok = if bitwise {
            l.ty == Type::Int && r.ty == Type::Int
        } else {
            numeric(l.ty) && numeric(r.ty)
        };
        if !ok {
            let bool_involved = l.ty == Type::Bool || r.ty == Type::Bool;
            let op_span = operator_span(&self.m.text, l.span, r.span);
            self.error(
                Diagnostic::error(
                    op_span,
                    format!(
                        "unsupported operand types for {}: `{}` and `{}`",
                        op.symbol(),
                        l.ty.name(),
                        r.ty.name()
                    ),
                )
                .with_label(format!("`{}` and `{}`", l.ty.name(), r.ty.name()))
                .with_help(if bool_involved {
                    "Roast does not use bool as a number (a documented deviation); convert with int(...)"
                } else if bitwise {
                    "bit operators take ints"
                } else {
                    "arithmetic takes ints and floats"
                }),
            );
            return None;
        }
        let (l, r) = if l.ty != r.ty {
            (promote(l), promote(r))
        } else {
            (l, r)
        };
        let ty = if arith == ArithOp::Div {
            Type::Float
        } else {
            l.ty
        };
        Some(Expr {
            kind: ExprKind::Arith(arith, Box::new(l), Box::new(r)),
            ty,
            span,
        })
    }

    fn compare(
        &mut self,
        span: Span,
        left: &ast::Expr,
        rest: &[(ast::CmpOp, ast::Expr)],
    ) -> Option<Expr> {
        if let [(op, right)] = rest {
            if let Some(e) = self.special_compare(span, left, *op, right) {
                return e;
            }
        }
        let first = self.expr(left);
        let mut ops = Vec::new();
        for (op, e) in rest {
            ops.push((op, e.span, self.expr(e)));
        }
        let mut prev_ty = first.as_ref()?.ty;
        let mut prev_span = first.as_ref()?.span;
        let mut out = Vec::new();
        for (op, espan, e) in ops {
            let e = e?;
            let cmp = match op {
                ast::CmpOp::Eq => CmpOp::Eq,
                ast::CmpOp::NotEq => CmpOp::Ne,
                ast::CmpOp::Lt => CmpOp::Lt,
                ast::CmpOp::LtE => CmpOp::Le,
                ast::CmpOp::Gt => CmpOp::Gt,
                ast::CmpOp::GtE => CmpOp::Ge,
                ast::CmpOp::Is | ast::CmpOp::IsNot
                    if prev_ty == Type::None && e.ty == Type::None =>
                {
                    if *op == ast::CmpOp::Is {
                        CmpOp::Eq
                    } else {
                        CmpOp::Ne
                    }
                }
                _ => {
                    self.error(unsupported(
                        espan,
                        &format!("`{}` here", op.symbol()),
                        "compare with `==`, `!=`, `<`, `<=`, `>` or `>=`",
                    ));
                    return None;
                }
            };
            let numeric = |t: Type| matches!(t, Type::Int | Type::Float);
            let ordering = !matches!(cmp, CmpOp::Eq | CmpOp::Ne);
            let ok = (numeric(prev_ty) && numeric(e.ty))
                || (prev_ty == e.ty
                    && prev_ty.is_heap()
                    && (!ordering || containers::orderable(prev_ty)))
                || (prev_ty == e.ty
                    && matches!(prev_ty, Type::Bool | Type::None)
                    && (!ordering || prev_ty == Type::Bool));
            if !ok && rest.len() == 1 && !ordering {
                if let Some(first) = first.as_ref() {
                    if let Some(x) = self.optional_equality(span, first, &e, cmp == CmpOp::Ne) {
                        return Some(x);
                    }
                }
            }
            if !ok {
                let op_span = operator_span(&self.m.text, prev_span, espan);
                self.error(
                    Diagnostic::error(
                        op_span,
                        format!(
                            "cannot compare `{}` with `{}` using `{}`",
                            prev_ty.name(),
                            e.ty.name(),
                            op.symbol()
                        ),
                    )
                    .with_label("comparison here")
                    .with_help("compare values of the same type (ints and floats mix)"),
                );
                return None;
            }
            prev_ty = e.ty;
            prev_span = espan;
            out.push((cmp, e));
        }
        Some(Expr {
            kind: ExprKind::Compare(Box::new(first?), out),
            ty: Type::Bool,
            span,
        })
    }

    /// An argument; an empty display takes its parameter's type.
    fn argument(&mut self, a: &ast::Expr, param: Option<Type>) -> Option<Expr> {
        match param {
            Some(t) if t.is_heap() && matches!(a.kind, A::List(_) | A::Dict(_)) => {
                self.expr_expect(a, Some(t), "the argument")
            }
            _ => self.expr(a),
        }
    }

    /// `a op b` for heap values, `in`/`not in` and `is None`; `None` when
    /// the comparison is between scalars (handled by `compare`).
    fn special_compare(
        &mut self,
        span: Span,
        left: &ast::Expr,
        op: ast::CmpOp,
        right: &ast::Expr,
    ) -> Option<Option<Expr>> {
        use ast::CmpOp as C;
        if matches!(op, C::Is | C::IsNot) {
            let none_side = match (&left.kind, &right.kind) {
                (_, A::NoneLit) => Some(left),
                (A::NoneLit, _) => Some(right),
                _ => None,
            };
            let Some(operand) = none_side else {
                // `f() is g()` of two `None` values is true; other identity
                // comparisons depend on object identity Roast does not model.
                let (l, r) = (self.expr(left), self.expr(right));
                let (Some(l), Some(r)) = (l, r) else {
                    return Some(None);
                };
                if l.ty != Type::None || r.ty != Type::None {
                    self.error(unsupported(
                        span,
                        "`is` between values",
                        "`is` compares with None only; use `==` for values",
                    ));
                    return Some(None);
                }
                let (ll, _) = self.hidden(l.ty, span);
                let (rl, _) = self.hidden(r.ty, span);
                let v = mk(ExprKind::Bool(op == C::Is), Type::Bool, span);
                let inner = mk(
                    ExprKind::Let(rl, Box::new(r), Box::new(v)),
                    Type::Bool,
                    span,
                );
                return Some(Some(mk(
                    ExprKind::Let(ll, Box::new(l), Box::new(inner)),
                    Type::Bool,
                    span,
                )));
            };
            let Some(e) = self.expr(operand) else {
                return Some(None);
            };
            let negate = op == C::IsNot;
            return Some(Some(match e.ty {
                Type::Optional(_) => mk(ExprKind::IsNone(Box::new(e), negate), Type::Bool, span),
                Type::None => {
                    let (id, _) = self.hidden(e.ty, span);
                    let v = mk(ExprKind::Bool(!negate), Type::Bool, span);
                    mk(
                        ExprKind::Let(id, Box::new(e), Box::new(v)),
                        Type::Bool,
                        span,
                    )
                }
                _ => {
                    // A value that cannot be None (or was narrowed).
                    let (id, _) = self.hidden(e.ty, span);
                    let v = mk(ExprKind::Bool(negate), Type::Bool, span);
                    mk(
                        ExprKind::Let(id, Box::new(e), Box::new(v)),
                        Type::Bool,
                        span,
                    )
                }
            }));
        }
        if matches!(op, C::In | C::NotIn) && containers::is_range_call(right, self) {
            // `x in range(...)`: arithmetic, no range made.
            let item = self.expr(left);
            let range = self.iterable(right);
            let (Some(item), Some(hir::Iter::Range(start, stop, step, at))) = (item, range) else {
                return Some(None);
            };
            if item.ty != Type::Int {
                self.error(type_mismatch(
                    &item,
                    Type::Int,
                    "the value searched in a range",
                ));
                return Some(None);
            }
            let found = rt(
                RtFn::RangeContains,
                vec![
                    hir::RtOperand::Value(item),
                    hir::RtOperand::Value(*start),
                    hir::RtOperand::Value(*stop),
                    hir::RtOperand::Value(*step),
                ],
                Type::Bool,
                at,
            );
            return Some(Some(if op == C::NotIn {
                mk(ExprKind::Not(Box::new(found)), Type::Bool, span)
            } else {
                found
            }));
        }
        if matches!(op, C::In | C::NotIn) {
            let saved = std::mem::replace(&mut self.view_allowed, true);
            let item = self.expr(left);
            let container = self.expr(right);
            self.view_allowed = saved;
            let (Some(item), Some(container)) = (item, container) else {
                return Some(None);
            };
            if let Type::Tuple(types) = container.ty {
                if types.iter().all(|t| *t == item.ty) {
                    return Some(Some(self.tuple_contains(
                        span,
                        item,
                        container,
                        op == C::NotIn,
                    )));
                }
            }
            let expected = match container.ty {
                Type::Str => Type::Str,
                Type::List(t) => *t,
                Type::Dict(k, _) => *k,
                t => {
                    self.error(
                        Diagnostic::error(
                            container.span,
                            format!("`in` needs a str, list or dict, not `{}`", t.name()),
                        )
                        .with_label("searched here"),
                    );
                    return Some(None);
                }
            };
            let Some(item) = self.coerce(item, expected, "the searched value") else {
                return Some(None);
            };
            return Some(Some(mk(
                ExprKind::Contains(Box::new(item), Box::new(container), op == C::NotIn),
                Type::Bool,
                span,
            )));
        }
        let is_empty_display = |e: &ast::Expr| match &e.kind {
            A::List(items) => items.is_empty(),
            A::Dict(items) => items.is_empty(),
            _ => false,
        };
        // An empty `[]`/`{}` operand takes the other operand's type.
        let (l, r) = if is_empty_display(left) && !is_empty_display(right) {
            let Some(r) = self.expr(right) else {
                return Some(None);
            };
            let Some(l) = self.expr_expect(left, Some(r.ty), "this operand") else {
                return Some(None);
            };
            (l, r)
        } else {
            let l = match self.expr(left) {
                Some(l) if l.ty.is_heap() => l,
                Some(_) => return None,
                None => return Some(None),
            };
            let r = if is_empty_display(right) {
                self.expr_expect(right, Some(l.ty), "this operand")
            } else {
                self.expr(right)
            };
            let Some(r) = r else {
                return Some(None);
            };
            (l, r)
        };
        if matches!(op, C::Eq | C::NotEq) {
            if let Some(e) = self.optional_equality(span, &l, &r, op == C::NotEq) {
                return Some(Some(e));
            }
        }
        let cmp = match op {
            C::Eq => CmpOp::Eq,
            C::NotEq => CmpOp::Ne,
            C::Lt => CmpOp::Lt,
            C::LtE => CmpOp::Le,
            C::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        let ordering = !matches!(cmp, CmpOp::Eq | CmpOp::Ne);
        if l.ty != r.ty || (ordering && !containers::orderable(l.ty)) {
            let op_span = operator_span(&self.m.text, l.span, r.span);
            self.error(
                Diagnostic::error(
                    op_span,
                    format!(
                        "cannot compare `{}` with `{}` using `{}`",
                        l.ty.name(),
                        r.ty.name(),
                        op.symbol()
                    ),
                )
                .with_label("comparison here")
                .with_help(
                    "compare values of the same type; dicts and optionals compare with `==` only",
                ),
            );
            return Some(None);
        }
        Some(Some(mk(
            ExprKind::HeapCompare(cmp, Box::new(l), Box::new(r)),
            Type::Bool,
            span,
        )))
    }

    /// `opt == value` (or `!=`) between `T | None` and `T`: equal when the
    /// optional holds an equal value.
    fn optional_equality(&mut self, span: Span, l: &Expr, r: &Expr, negate: bool) -> Option<Expr> {
        let (opt_left, inner) = match (l.ty, r.ty) {
            (Type::Optional(i), t) if *i == t => (true, t),
            (t, Type::Optional(i)) if *i == t => (false, t),
            _ => return None,
        };
        let (ll, lr) = self.hidden(l.ty, span);
        let (rl, rr) = self.hidden(r.ty, span);
        let (opt, plain) = if opt_left { (lr, rr) } else { (rr, lr) };
        let present = mk(
            ExprKind::IsNone(Box::new(opt.clone()), true),
            Type::Bool,
            span,
        );
        let value = mk(ExprKind::Unwrap(Box::new(opt)), inner, span);
        let (a, b) = if opt_left {
            (value, plain)
        } else {
            (plain, value)
        };
        let eq = if inner.is_heap() {
            mk(
                ExprKind::HeapCompare(CmpOp::Eq, Box::new(a), Box::new(b)),
                Type::Bool,
                span,
            )
        } else {
            mk(
                ExprKind::Compare(Box::new(a), vec![(CmpOp::Eq, b)]),
                Type::Bool,
                span,
            )
        };
        let mut body = mk(
            ExprKind::And(Box::new(present), Box::new(eq)),
            Type::Bool,
            span,
        );
        if negate {
            body = mk(ExprKind::Not(Box::new(body)), Type::Bool, span);
        }
        let inner_let = mk(
            ExprKind::Let(rl, Box::new(r.clone()), Box::new(body)),
            Type::Bool,
            span,
        );
        Some(mk(
            ExprKind::Let(ll, Box::new(l.clone()), Box::new(inner_let)),
            Type::Bool,
            span,
        ))
    }

    /// `item in (a, b, ...)`: `item == a or item == b ...`, each evaluated once.
    fn tuple_contains(&mut self, span: Span, item: Expr, tuple: Expr, negate: bool) -> Expr {
        let Type::Tuple(types) = tuple.ty else {
            return item;
        };
        let (il, ir) = self.hidden(item.ty, span);
        let (tl, tr) = self.hidden(tuple.ty, span);
        let mut acc: Option<Expr> = None;
        for (k, t) in types.iter().enumerate() {
            let part = mk(ExprKind::TupleItem(Box::new(tr.clone()), k), *t, span);
            let eq = if t.is_heap() {
                mk(
                    ExprKind::HeapCompare(CmpOp::Eq, Box::new(ir.clone()), Box::new(part)),
                    Type::Bool,
                    span,
                )
            } else {
                mk(
                    ExprKind::Compare(Box::new(ir.clone()), vec![(CmpOp::Eq, part)]),
                    Type::Bool,
                    span,
                )
            };
            acc = Some(match acc {
                None => eq,
                Some(a) => mk(ExprKind::Or(Box::new(a), Box::new(eq)), Type::Bool, span),
            });
        }
        let mut body = acc.unwrap_or_else(|| mk(ExprKind::Bool(false), Type::Bool, span));
        if negate {
            body = mk(ExprKind::Not(Box::new(body)), Type::Bool, span);
        }
        let inner = mk(
            ExprKind::Let(tl, Box::new(tuple), Box::new(body)),
            Type::Bool,
            span,
        );
        mk(
            ExprKind::Let(il, Box::new(item), Box::new(inner)),
            Type::Bool,
            span,
        )
    }

    fn call(
        &mut self,
        span: Span,
        func: &ast::Expr,
        args: &[ast::Expr],
        keywords: &[ast::Keyword],
    ) -> Option<Expr> {
        if let A::Attribute { value, attr } = &func.kind {
            return self.method_call(span, value, attr, args, keywords);
        }
        let A::Name(name) = &func.kind else {
            self.error(unsupported(
                func.span,
                "calling this",
                "call a function by its name",
            ));
            return None;
        };
        if !self.shadowed(name) && !self.m.functions.contains_key(name.as_str()) {
            if let Some(math_name) = self.m.math_names.get(name).cloned() {
                let args = self.plain_args(span, args, keywords)?;
                return self.math_function(span, &math_name, args);
            }
            if let Some(result) = self.container_builtin(span, name, args, keywords) {
                return result;
            }
        }
        // A user function's parameter types type its arguments (`f([])`).
        let param_types: Vec<(String, Type)> = self
            .m
            .functions
            .get(name.as_str())
            .filter(|_| !self.local_names.contains(name.as_str()))
            .map(|id| {
                self.m.signatures[id.0 as usize]
                    .params
                    .iter()
                    .map(|(n, t, _)| (n.clone(), *t))
                    .collect()
            })
            .unwrap_or_default();
        let mut checked = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if let A::Starred(_) = a.kind {
                self.error(unsupported(
                    a.span,
                    "`*` in a call",
                    "pass each value separately",
                ));
                return None;
            }
            let expected = param_types.get(i).map(|p| p.1);
            checked.push(self.argument(a, expected));
        }
        let mut named = Vec::new();
        for k in keywords {
            let Some(kname) = &k.name else {
                self.error(unsupported(
                    k.span,
                    "`**` in a call",
                    "pass each argument separately",
                ));
                return None;
            };
            let expected = param_types.iter().find(|p| p.0 == kname.name).map(|p| p.1);
            let value = self.argument(&k.value, expected);
            named.push((kname.clone(), k.span, value));
        }
        let args: Vec<Expr> = checked.into_iter().collect::<Option<_>>()?;
        if let Some(&id) = self
            .m
            .functions
            .get(name.as_str())
            .filter(|_| !self.local_names.contains(name.as_str()))
        {
            let sig = self.m.signatures[id.0 as usize].clone();
            let (args, order) = self.bind_arguments(span, &sig, args, named)?;
            return Some(Expr {
                kind: ExprKind::Call(id, args, order),
                ty: sig.ret,
                span,
            });
        }
        if let Some((kname, kspan, _)) = named.first() {
            self.error(unsupported(
                *kspan,
                &format!("the keyword argument `{}` here", kname.name),
                "pass the arguments of builtins by position",
            ));
            return None;
        }
        if self.shadowed(name) {
            self.error(unsupported(
                func.span,
                "calling a variable",
                "call a function defined with `def`",
            ));
            return None;
        }
        self.builtin(span, name, args)
    }

    /// Binds positional and keyword arguments to `sig`'s parameters as
    /// Python does, filling defaults. Returns the arguments in parameter
    /// order and, when that differs from the written order, the order in
    /// which to evaluate them.
    fn bind_arguments(
        &mut self,
        span: Span,
        sig: &Signature,
        positional: Vec<Expr>,
        named: Vec<(ast::Ident, Span, Option<Expr>)>,
    ) -> Option<(Vec<Expr>, Vec<usize>)> {
        let count = sig.params.len();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if positional.len() > count {
            self.error(
                Diagnostic::error(
                    span,
                    format!(
                        "{}() takes {count} positional argument{} but {} were given",
                        sig.name,
                        plural(count),
                        positional.len()
                    ),
                )
                .with_label("too many arguments")
                .with_note(sig.span, "defined here"),
            );
            return None;
        }
        let mut slots: Vec<Option<(usize, Expr)>> = vec![None; count];
        let mut written = 0;
        for (i, a) in positional.into_iter().enumerate() {
            slots[i] = Some((written, a));
            written += 1;
        }
        let mut failed = false;
        for (kname, kspan, value) in named {
            let Some(index) = sig.params.iter().position(|p| p.0 == kname.name) else {
                self.error(
                    Diagnostic::error(
                        kname.span,
                        format!(
                            "{}() got an unexpected keyword argument '{}'",
                            sig.name, kname.name
                        ),
                    )
                    .with_label("no such parameter")
                    .with_note(sig.span, "defined here"),
                );
                failed = true;
                continue;
            };
            if slots[index].is_some() {
                self.error(
                    Diagnostic::error(
                        kspan,
                        format!(
                            "{}() got multiple values for argument '{}'",
                            sig.name, kname.name
                        ),
                    )
                    .with_label("already given"),
                );
                failed = true;
                continue;
            }
            match value {
                Some(v) => slots[index] = Some((written, v)),
                None => failed = true,
            }
            written += 1;
        }
        let missing: Vec<&str> = sig
            .params
            .iter()
            .zip(&slots)
            .zip(&sig.defaults)
            .filter(|((_, slot), default)| slot.is_none() && default.is_none())
            .map(|(((n, _, _), _), _)| n.as_str())
            .collect();
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|n| format!("'{n}'")).collect();
            self.error(
                Diagnostic::error(
                    span,
                    format!(
                        "{}() missing {} required argument{}: {}",
                        sig.name,
                        missing.len(),
                        plural(missing.len()),
                        names.join(" and ")
                    ),
                )
                .with_label("arguments missing")
                .with_note(sig.span, "defined here"),
            );
            return None;
        }
        if failed {
            return None;
        }
        let mut args = Vec::new();
        let mut order = Vec::new();
        for ((slot, default), (pname, pty, _)) in
            slots.into_iter().zip(&sig.defaults).zip(&sig.params)
        {
            let (seq, arg) = match slot {
                Some(s) => s,
                None => {
                    let value = default.clone().expect("missing arguments were reported");
                    (usize::MAX, Expr { span, ..value })
                }
            };
            let arg = if arg.ty == *pty {
                arg
            } else if matches!(pty, Type::Optional(inner) if **inner == arg.ty)
                || (matches!(pty, Type::Optional(_)) && arg.ty == Type::None)
            {
                self.coerce(arg, *pty, "the argument")?
            } else {
                let d = type_mismatch(&arg, *pty, &format!("argument `{pname}`"))
                    .with_note(sig.span, "parameter declared here");
                self.error(d);
                return None;
            };
            order.push(seq);
            args.push(arg);
        }
        // Evaluation order: written arguments as written, then defaults.
        let mut by_seq: Vec<usize> = (0..args.len()).collect();
        by_seq.sort_by_key(|&i| order[i]);
        let in_order = by_seq.iter().enumerate().all(|(k, &i)| k == i);
        Some((args, if in_order { Vec::new() } else { by_seq }))
    }

    fn builtin(&mut self, span: Span, name: &str, mut args: Vec<Expr>) -> Option<Expr> {
        let arity = |n: usize, args: &Vec<Expr>, me: &mut Self| {
            if args.len() != n {
                me.error(
                    Diagnostic::error(
                        span,
                        format!(
                            "{name}() takes exactly {n} argument{} ({} given)",
                            if n == 1 { "" } else { "s" },
                            args.len()
                        ),
                    )
                    .with_label("wrong number of arguments"),
                );
                false
            } else {
                true
            }
        };
        let bad_type = |me: &mut Self, e: &Expr, what: &str| {
            me.error(
                Diagnostic::error(
                    e.span,
                    format!("{name}() does not accept `{}` here", e.ty.name()),
                )
                .with_label("argument")
                .with_help(what.to_string()),
            );
        };
        match name {
            "abs" => {
                if !arity(1, &args, self) {
                    return None;
                }
                let e = args.remove(0);
                if !matches!(e.ty, Type::Int | Type::Float) {
                    bad_type(self, &e, "abs() takes an int or a float");
                    return None;
                }
                let ty = e.ty;
                Some(Expr {
                    kind: ExprKind::Abs(Box::new(e)),
                    ty,
                    span,
                })
            }
            "min" | "max" => {
                if args.len() < 2 {
                    self.error(unsupported(
                        span,
                        &format!("{name}() of fewer than two values"),
                        "pass two or more values",
                    ));
                    return None;
                }
                let ty = args[0].ty;
                if !matches!(ty, Type::Int | Type::Float) {
                    bad_type(self, &args[0], "pass ints or floats");
                    return None;
                }
                if let Some(odd) = args.iter().find(|a| a.ty != ty) {
                    let d = Diagnostic::error(odd.span, format!("{name}() arguments have different types: `{}` and `{}`", ty.name(), odd.ty.name()))
                        .with_label("this argument")
                        .with_help("CPython returns the winning argument unchanged, so its type would depend on the values; convert the ints with float(...)");
                    self.error(d);
                    return None;
                }
                Some(Expr {
                    kind: ExprKind::MinMax(name == "max", args),
                    ty,
                    span,
                })
            }
            "str" if args.is_empty() => Some(mk(ExprKind::Str(String::new()), Type::Str, span)),
            "str" | "repr" => {
                if !arity(1, &args, self) {
                    return None;
                }
                let e = args.remove(0);
                let f = if name == "str" { RtFn::Str } else { RtFn::Repr };
                if name == "str" && e.ty == Type::Str {
                    return Some(e);
                }
                let ty = e.ty;
                Some(rt(
                    f,
                    vec![hir::RtOperand::Value(e), hir::RtOperand::Desc(ty)],
                    Type::Str,
                    span,
                ))
            }
            "pow" if args.len() == 2 => {
                let b = args.pop()?;
                let a = args.pop()?;
                self.binary(span, ast::BinOp::Pow, a, b)
            }
            "pow" if args.len() == 3 => {
                for a in &args {
                    if a.ty != Type::Int {
                        bad_type(self, a, "pow() with a modulus takes three ints");
                        return None;
                    }
                }
                let ops = args.into_iter().map(hir::RtOperand::Value).collect();
                Some(rt(RtFn::PowMod, ops, Type::Int, span))
            }
            "bin" | "oct" | "hex" => {
                if !arity(1, &args, self) {
                    return None;
                }
                let n = args.remove(0);
                if n.ty != Type::Int {
                    bad_type(self, &n, &format!("{name}() takes an int"));
                    return None;
                }
                let radix = match name {
                    "bin" => 2,
                    "oct" => 8,
                    _ => 16,
                };
                let radix = mk(ExprKind::Int(radix), Type::Int, span);
                let ops = vec![hir::RtOperand::Value(n), hir::RtOperand::Value(radix)];
                Some(rt(RtFn::IntRadix, ops, Type::Str, span))
            }
            "int" if args.len() == 2 => {
                if args[0].ty != Type::Str || args[1].ty != Type::Int {
                    bad_type(self, &args[0], "int(text, base) takes a str and an int");
                    return None;
                }
                let ops = args.into_iter().map(hir::RtOperand::Value).collect();
                Some(rt(RtFn::IntParseBase, ops, Type::Int, span))
            }
            "int" | "float" if args.len() == 1 && args[0].ty == Type::Str => {
                let e = args.remove(0);
                let (f, ty) = if name == "int" {
                    (RtFn::IntParse, Type::Int)
                } else {
                    (RtFn::FloatParse, Type::Float)
                };
                Some(rt(f, vec![hir::RtOperand::Value(e)], ty, span))
            }
            "bool" if args.len() == 1 && args[0].ty.is_heap() => {
                let e = args.remove(0);
                Some(self.truthy(e))
            }
            "ord" | "chr" => {
                if !arity(1, &args, self) {
                    return None;
                }
                let e = args.remove(0);
                let (f, want, ty) = if name == "ord" {
                    (RtFn::Ord, Type::Str, Type::Int)
                } else {
                    (RtFn::Chr, Type::Int, Type::Str)
                };
                if e.ty != want {
                    bad_type(self, &e, &format!("{name}() takes a `{}`", want.name()));
                    return None;
                }
                Some(rt(f, vec![hir::RtOperand::Value(e)], ty, span))
            }
            "round" if args.len() == 1 || args.len() == 2 => {
                let x = args.remove(0);
                let digits = args.pop();
                if let Some(d) = &digits {
                    if d.ty != Type::Int {
                        bad_type(self, d, "the number of digits is an int");
                        return None;
                    }
                }
                let v = |e: Expr| hir::RtOperand::Value(e);
                match (x.ty, digits) {
                    (Type::Int, None) => Some(Expr { span, ..x }),
                    (Type::Int, Some(d)) => {
                        Some(rt(RtFn::IntRound, vec![v(x), v(d)], Type::Int, span))
                    }
                    (Type::Float, None) => {
                        Some(rt(RtFn::FloatRoundInt, vec![v(x)], Type::Int, span))
                    }
                    (Type::Float, Some(d)) => {
                        Some(rt(RtFn::FloatRound, vec![v(x), v(d)], Type::Float, span))
                    }
                    _ => {
                        bad_type(self, &x, "round() takes an int or a float");
                        None
                    }
                }
            }
            "divmod" => {
                if !arity(2, &args, self) {
                    return None;
                }
                let b = args.pop()?;
                let a = args.pop()?;
                let (al, ar) = self.hidden(a.ty, a.span);
                let (bl, br) = self.hidden(b.ty, b.span);
                let q = if ar.ty == Type::Float || br.ty == Type::Float {
                    // Float divmod by zero has its own message.
                    let (x, y) = (promote(ar.clone()), promote(br.clone()));
                    if x.ty != Type::Float || y.ty != Type::Float {
                        bad_type(self, &x, "divmod() takes ints or floats");
                        return None;
                    }
                    rt(
                        RtFn::FloatDivmod,
                        vec![hir::RtOperand::Value(x), hir::RtOperand::Value(y)],
                        Type::Float,
                        span,
                    )
                } else {
                    self.binary(span, ast::BinOp::FloorDiv, ar.clone(), br.clone())?
                };
                let r = self.binary(span, ast::BinOp::Mod, ar, br)?;
                let ty = Type::tuple(&[q.ty, r.ty]);
                let pair = mk(ExprKind::Tuple(vec![q, r]), ty, span);
                let inner = mk(ExprKind::Let(bl, Box::new(b), Box::new(pair)), ty, span);
                Some(mk(
                    ExprKind::Let(al, Box::new(a), Box::new(inner)),
                    ty,
                    span,
                ))
            }
            "int" | "float" | "bool" => {
                if !arity(1, &args, self) {
                    return None;
                }
                let e = args.remove(0);
                let kind = match (name, e.ty) {
                    ("int", Type::Int) | ("float", Type::Float) | ("bool", Type::Bool) => {
                        return Some(Expr { span, ..e })
                    }
                    ("int", Type::Float) => ExprKind::FloatToInt(Box::new(e)),
                    ("int", Type::Bool) => ExprKind::BoolToInt(Box::new(e)),
                    ("float", Type::Int) => ExprKind::IntToFloat(Box::new(e)),
                    ("float", Type::Bool) => ExprKind::IntToFloat(Box::new(Expr {
                        kind: ExprKind::BoolToInt(Box::new(e)),
                        ty: Type::Int,
                        span,
                    })),
                    ("bool", Type::Int | Type::Float | Type::None) => return Some(self.truthy(e)),
                    _ => {
                        bad_type(self, &e, "convert between int, float and bool");
                        return None;
                    }
                };
                let ty = match name {
                    "int" => Type::Int,
                    _ => Type::Float,
                };
                Some(Expr { kind, ty, span })
            }
            "print" => {
                self.error(unsupported(
                    span,
                    "print() inside an expression",
                    "call print() as a statement",
                ));
                None
            }
            "range" => {
                self.error(unsupported(
                    span,
                    "range() outside a `for` loop",
                    "write `for i in range(...)`",
                ));
                None
            }
            _ => {
                let known_elsewhere = matches!(
                    name,
                    "eval"
                        | "exec"
                        | "getattr"
                        | "setattr"
                        | "globals"
                        | "locals"
                        | "compile"
                        | "__import__"
                );
                let python_builtin = matches!(
                    name,
                    "dict"
                        | "set"
                        | "tuple"
                        | "map"
                        | "filter"
                        | "input"
                        | "open"
                        | "isinstance"
                        | "type"
                        | "id"
                        | "hash"
                        | "iter"
                        | "next"
                        | "format"
                        | "callable"
                        | "vars"
                        | "dir"
                        | "frozenset"
                        | "bytes"
                        | "bytearray"
                        | "complex"
                        | "object"
                        | "super"
                        | "hasattr"
                        | "delattr"
                        | "slice"
                        | "memoryview"
                );
                if python_builtin {
                    self.error(unsupported(
                        span,
                        &format!("the builtin `{name}()`"),
                        "write it out with a loop or a comprehension (see the Tier-1 list in the language reference)",
                    ));
                    return None;
                }
                let help = if known_elsewhere {
                    "dynamic evaluation and reflection are outside the Roast language"
                } else {
                    "define it with `def` in this module"
                };
                self.error(
                    Diagnostic::error(span, format!("cannot find function `{name}` in this scope"))
                        .with_label("not defined")
                        .with_help(help),
                );
                None
            }
        }
    }
}

fn promote(e: Expr) -> Expr {
    if e.ty == Type::Int {
        let span = e.span;
        Expr {
            kind: ExprKind::IntToFloat(Box::new(e)),
            ty: Type::Float,
            span,
        }
    } else {
        e
    }
}

fn type_mismatch(value: &Expr, expected: Type, what: &str) -> Diagnostic {
    let found = value.ty;
    let int_division = matches!(
        &value.kind,
        ExprKind::Arith(ArithOp::Div, l, _) if l.ty == Type::Int
    );
    let help = match (expected, found) {
        (Type::Int, Type::Float) if int_division => {
            "`/` always gives a float in Python; use `//` for floor division".to_string()
        }
        (Type::Float, Type::Int) => "CPython would keep the value an int; write a float literal (`3.0`) or convert with float(...)".to_string(),
        (Type::Int, Type::Bool) => "bool is not an int in Roast; convert with int(...)".to_string(),
        (Type::Int, Type::Float) => "convert with int(...) (truncates) or change the declared type".to_string(),
        _ if containers::contains_untyped(found) => format!(
            "the type of an empty display is not known here: annotate its variable (`x: {} = {}`)",
            expected.name(),
            if matches!(expected, Type::Dict(..)) { "{}" } else { "[]" }
        ),
        _ => format!("give it a `{}` value", expected.name()),
    };
    Diagnostic::error(
        value.span,
        format!(
            "mismatched types: expected `{}`, found `{}`",
            expected.name(),
            found.name()
        ),
    )
    .with_label(format!("{what} is `{}`", found.name()))
    .with_help(help)
}

fn int_literal_too_large(span: Span) -> Diagnostic {
    Diagnostic::error(span, "integer literal does not fit in 64 bits")
        .with_label("outside -2**63 .. 2**63-1")
        .with_help("Roast ints are 64-bit; use a float literal for larger magnitudes")
}
