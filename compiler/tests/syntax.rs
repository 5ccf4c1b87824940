//! The parser through its public API: precedence, statements, spans,
//! f-strings, error recovery and robustness on hostile inputs.

use roast_compiler::diag::{Diagnostic, FileId, SourceFile};
use roast_compiler::syntax::ast::*;
use roast_compiler::syntax::parse;
use std::time::{Duration, Instant};

/// Parses `src`, which must have no syntax error.
fn parse_ok(src: &str) -> Module {
    let (module, diags) = parse(FileId(0), src);
    assert!(diags.is_empty(), "{src:?}: {:?}", messages(&diags));
    module
}

fn messages(diags: &[Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.message.as_str()).collect()
}

/// The errors of `src` as (line, column, message).
fn errors(src: &str) -> Vec<(u32, u32, String)> {
    let (_, diags) = parse(FileId(0), src);
    let file = SourceFile::new("test.roast", src);
    diags
        .iter()
        .map(|d| {
            let (line, col) = file.line_col(d.span.start);
            (line, col, d.message.clone())
        })
        .collect()
}

/// The single error message of `src`.
fn error(src: &str) -> String {
    let errors = errors(src);
    assert_eq!(errors.len(), 1, "{src:?}: {errors:?}");
    errors[0].2.clone()
}

/// The one statement of `src`.
fn stmt(src: &str) -> StmtKind {
    let mut module = parse_ok(src);
    assert_eq!(module.body.len(), 1, "{src:?}");
    module.body.remove(0).kind
}

/// The expression of the expression statement `src`.
fn expr(src: &str) -> Expr {
    match stmt(src) {
        StmtKind::Expr(e) => e,
        other => panic!("not an expression statement: {other:?}"),
    }
}

/// The value of the plain string literal `src`: alone in a module, it is the
/// module's docstring.
fn string_value(src: &str) -> String {
    let module = parse_ok(src);
    assert!(module.body.is_empty(), "{src:?}");
    module
        .docstring
        .unwrap_or_else(|| panic!("{src:?} is not a docstring"))
}

/// A compact rendering of an expression, for precedence tests.
fn sexp(e: &Expr) -> String {
    let list = |items: &[Expr]| items.iter().map(sexp).collect::<Vec<_>>().join(" ");
    match &e.kind {
        ExprKind::Int(v) => v.to_string(),
        ExprKind::BigInt(s) => format!("big:{s}"),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Imaginary(v) => format!("{v:?}j"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Bytes(b) => format!("b{:?}", String::from_utf8_lossy(b)),
        ExprKind::FString(parts) => format!("(f {})", parts.len()),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::NoneLit => "None".into(),
        ExprKind::Ellipsis => "...".into(),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Binary { op, left, right } => {
            format!("({} {} {})", op.symbol(), sexp(left), sexp(right))
        }
        ExprKind::Unary { op, operand } => format!("({op:?} {})", sexp(operand)),
        ExprKind::BoolOp { op, values } => format!("({op:?} {})", list(values)),
        ExprKind::Compare { left, rest } => {
            let rest: Vec<String> = rest
                .iter()
                .map(|(op, e)| format!("{} {}", op.symbol(), sexp(e)))
                .collect();
            format!("(cmp {} {})", sexp(left), rest.join(" "))
        }
        ExprKind::IfExp { test, body, orelse } => {
            format!("(if {} {} {})", sexp(test), sexp(body), sexp(orelse))
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            let kws: Vec<String> = keywords
                .iter()
                .map(|k| {
                    let name = k
                        .name
                        .as_ref()
                        .map_or("**".into(), |n| format!("{}=", n.name));
                    format!("{name}{}", sexp(&k.value))
                })
                .collect();
            format!("(call {} [{}] [{}])", sexp(func), list(args), kws.join(" "))
        }
        ExprKind::Attribute { value, attr } => format!("(. {} {})", sexp(value), attr.name),
        ExprKind::Subscript { value, index } => format!("([] {} {})", sexp(value), sexp(index)),
        ExprKind::Slice { lower, upper, step } => {
            let part = |p: &Option<Box<Expr>>| p.as_ref().map_or("_".into(), |e| sexp(e));
            format!("(slice {} {} {})", part(lower), part(upper), part(step))
        }
        ExprKind::Tuple(items) => format!("(tuple {})", list(items)),
        ExprKind::List(items) => format!("(list {})", list(items)),
        ExprKind::Set(items) => format!("(set {})", list(items)),
        ExprKind::Dict(pairs) => {
            let pairs: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}:{}", sexp(k), sexp(v)))
                .collect();
            format!("(dict {})", pairs.join(" "))
        }
        ExprKind::ListComp { elt, generators } => {
            format!("(listcomp {} {})", sexp(elt), comps(generators))
        }
        ExprKind::SetComp { elt, generators } => {
            format!("(setcomp {} {})", sexp(elt), comps(generators))
        }
        ExprKind::GeneratorExp { elt, generators } => {
            format!("(genexp {} {})", sexp(elt), comps(generators))
        }
        ExprKind::DictComp {
            key,
            value,
            generators,
        } => {
            format!(
                "(dictcomp {}:{} {})",
                sexp(key),
                sexp(value),
                comps(generators)
            )
        }
        ExprKind::Lambda { params, body } => {
            let params: Vec<&str> = params.iter().map(|p| p.name.name.as_str()).collect();
            format!("(lambda [{}] {})", params.join(" "), sexp(body))
        }
        ExprKind::Starred(e) => format!("(* {})", sexp(e)),
        ExprKind::NamedExpr { target, value } => format!("(:= {} {})", target.name, sexp(value)),
        ExprKind::Unsupported(what, e) => {
            format!(
                "({what}{})",
                e.as_ref()
                    .map_or(String::new(), |e| format!(" {}", sexp(e)))
            )
        }
    }
}

fn comps(generators: &[Comprehension]) -> String {
    generators
        .iter()
        .map(|g| {
            let ifs: String = g.ifs.iter().map(|c| format!(" if {}", sexp(c))).collect();
            format!("for {} in {}{ifs}", sexp(&g.target), sexp(&g.iter))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn s(src: &str) -> String {
    sexp(&expr(src))
}

/// The text a span covers in `src`.
fn text(src: &str, span: roast_compiler::diag::Span) -> &str {
    &src[span.start as usize..span.end as usize]
}

#[test]
fn arithmetic_precedence_and_associativity() {
    assert_eq!(s("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(s("1 - 2 - 3"), "(- (- 1 2) 3)");
    assert_eq!(s("(1 - 2) * 3"), "(* (- 1 2) 3)");
    assert_eq!(s("a / b // c % d @ e"), "(@ (% (// (/ a b) c) d) e)");
    assert_eq!(
        s("a | b ^ c & d << e + f"),
        "(| a (^ b (& c (<< d (+ e f)))))"
    );
    assert_eq!(s("a >> b << c"), "(<< (>> a b) c)");
}

#[test]
fn unary_and_power() {
    assert_eq!(s("-5"), "(Neg 5)");
    assert_eq!(s("-2 ** 2"), "(Neg (** 2 2))");
    assert_eq!(s("2 ** -1"), "(** 2 (Neg 1))");
    assert_eq!(s("2 ** 3 ** 2"), "(** 2 (** 3 2))");
    assert_eq!(s("~a ** b"), "(Invert (** a b))");
    assert_eq!(s("- - +x"), "(Neg (Neg (Pos x)))");
    assert_eq!(s("-x.y * 2"), "(* (Neg (. x y)) 2)");
    assert_eq!(s("await x ** 2"), "(** (await x) 2)");
}

#[test]
fn boolean_comparison_and_conditional() {
    assert_eq!(s("a or b and not c"), "(Or a (And b (Not c)))");
    assert_eq!(s("a or b or c"), "(Or a b c)");
    assert_eq!(s("not a == b"), "(Not (cmp a == b))");
    assert_eq!(s("a < b <= c"), "(cmp a < b <= c)");
    assert_eq!(
        s("a not in b is not c in d"),
        "(cmp a not in b is not c in d)"
    );
    assert_eq!(s("a is b != c"), "(cmp a is b != c)");
    assert_eq!(s("x if c else y if d else z"), "(if c x (if d y z))");
    assert_eq!(
        s("a + 1 if b or c else -d"),
        "(if (Or b c) (+ a 1) (Neg d))"
    );
    assert_eq!(s("lambda: 0"), "(lambda [] 0)");
    assert_eq!(
        s("lambda x, y=1: x if y else 2"),
        "(lambda [x y] (if y x 2))"
    );
    assert_eq!(s("(y := 5) + 1"), "(+ (:= y 5) 1)");
}

#[test]
fn trailers_calls_and_subscripts() {
    assert_eq!(s("x.y[1](2).z"), "(. (call ([] (. x y) 1) [2] []) z)");
    assert_eq!(s("f(a, *b, c=1, **d)"), "(call f [a (* b)] [c=1 **d])");
    assert_eq!(s("f(x for x in y)"), "(call f [(genexp x for x in y)] [])");
    assert_eq!(s("f(a=1, *b)"), "(call f [(* b)] [a=1])");
    assert_eq!(s("a[1:2:3]"), "([] a (slice 1 2 3))");
    assert_eq!(s("a[::-1]"), "([] a (slice _ _ (Neg 1)))");
    assert_eq!(s("a[:]"), "([] a (slice _ _ _))");
    assert_eq!(s("a[1:]"), "([] a (slice 1 _ _))");
    assert_eq!(s("d[1, 2]"), "([] d (tuple 1 2))");
    assert_eq!(
        s("d[1:2, ::3]"),
        "([] d (tuple (slice 1 2 _) (slice _ _ 3)))"
    );
    assert_eq!(s("d[i,]"), "([] d (tuple i))");
}

#[test]
fn displays_and_comprehensions() {
    assert_eq!(s("()"), "(tuple )");
    assert_eq!(s("(1,)"), "(tuple 1)");
    assert_eq!(s("(1)"), "1");
    assert_eq!(s("1, 2,"), "(tuple 1 2)");
    assert_eq!(s("[1, *a, 3,]"), "(list 1 (* a) 3)");
    assert_eq!(s("{}"), "(dict )");
    assert_eq!(s("{1: 'a', 2: 'b',}"), "(dict 1:\"a\" 2:\"b\")");
    assert_eq!(s("{1, 2}"), "(set 1 2)");
    assert_eq!(
        s("[x * y for x in xs if x if y for y in range(x)]"),
        "(listcomp (* x y) for x in xs if x if y for y in (call range [x] []))"
    );
    assert_eq!(
        s("{k: v for k, v in d.items()}"),
        "(dictcomp k:v for (tuple k v) in (call (. d items) [] []))"
    );
    assert_eq!(s("{x for x in s}"), "(setcomp x for x in s)");
    assert_eq!(
        s("(x for x in s if x > 0)"),
        "(genexp x for x in s if (cmp x > 0))"
    );
    assert_eq!(
        s("[a if c else b for a, b in z]"),
        "(listcomp (if c a b) for (tuple a b) in z)"
    );
    assert_eq!(s("..."), "...");
    assert_eq!(s("(yield x)"), "(yield x)");
    assert_eq!(s("(yield from g)"), "(yield from g)");
}

#[test]
fn literals() {
    assert_eq!(
        s("170141183460469231731687303715884105727"),
        i128::MAX.to_string()
    );
    assert_eq!(
        s("170141183460469231731687303715884105728"),
        "big:170141183460469231731687303715884105728"
    );
    assert_eq!(s("0xff + 0o17 + 0b11 + 1_000"), "(+ (+ (+ 255 15) 3) 1000)");
    assert_eq!(s("1.5e3"), "1500.0");
    assert_eq!(s("2j"), "2.0j");
    assert_eq!(s("True, False, None"), "(tuple true false None)");
    assert_eq!(string_value(r#"'a' "b" '''c'''"#), "abc");
    assert_eq!(s(r#"b'a' b"\x00""#), "b\"a\\0\"");
    assert_eq!(string_value(r#""\x41\u00e9""#), "Aé");
}

#[test]
fn string_escapes() {
    let cases = [
        (r#""\n\t\\\'\"\a\b\f\v\r""#, "\n\t\\'\"\x07\x08\x0c\x0b\r"),
        (r#""\101\x41\u0041\U00000041""#, "AAAA"),
        (r#""\0\7\777""#, "\0\x07\u{1ff}"),
        (r#""\q\{""#, "\\q\\{"),
        (r#"r"\n\"""#, "\\n\\\""),
        ("'a\\\nb'", "ab"),
        ("'''a\nb'''", "a\nb"),
        ("'é😀'", "é😀"),
    ];
    for (src, want) in cases {
        assert_eq!(string_value(src), want, "{src}");
    }
}

#[test]
fn assignments() {
    match stmt("a = b = 1") {
        StmtKind::Assign { targets, value } => {
            assert_eq!(targets.iter().map(sexp).collect::<Vec<_>>(), ["a", "b"]);
            assert_eq!(sexp(&value), "1");
        }
        other => panic!("{other:?}"),
    }
    match stmt("a, b = b, a") {
        StmtKind::Assign { targets, value } => {
            assert_eq!(sexp(&targets[0]), "(tuple a b)");
            assert_eq!(sexp(&value), "(tuple b a)");
        }
        other => panic!("{other:?}"),
    }
    match stmt("first, *rest = xs") {
        StmtKind::Assign { targets, .. } => assert_eq!(sexp(&targets[0]), "(tuple first (* rest))"),
        other => panic!("{other:?}"),
    }
    match stmt("x.y[0]: list[int] = []") {
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
        } => {
            assert_eq!(sexp(&target), "([] (. x y) 0)");
            assert_eq!(sexp(&annotation), "([] list int)");
            assert_eq!(value.map(|v| sexp(&v)).as_deref(), Some("(list )"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        stmt("LIMIT: int"),
        StmtKind::AnnAssign { value: None, .. }
    ));
    match stmt("total //= 2") {
        StmtKind::AugAssign { target, op, value } => {
            assert_eq!(
                (sexp(&target), op, sexp(&value)),
                ("total".into(), BinOp::FloorDiv, "2".into())
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        stmt("x = yield"),
        StmtKind::Assign {
            value: Expr {
                kind: ExprKind::Unsupported(..),
                ..
            },
            ..
        }
    ));
}

#[test]
fn simple_statements() {
    let module = parse_ok(
        "pass; break; continue\nreturn\nreturn 1, 2\nraise\nraise E('x') from err\nglobal a, b\nnonlocal c\n\
         del a, b[k], c.d\nassert x, 'msg'\nassert y\n",
    );
    let kinds: Vec<String> = module
        .body
        .iter()
        .map(|s| match &s.kind {
            StmtKind::Return(v) => format!("return {}", v.as_ref().map_or("-".into(), sexp)),
            StmtKind::Raise { exc, cause } => format!(
                "raise {} {}",
                exc.as_ref().map_or("-".into(), sexp),
                cause.as_ref().map_or("-".into(), sexp)
            ),
            StmtKind::Global(names) | StmtKind::Nonlocal(names) => names
                .iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join(","),
            StmtKind::Delete(targets) => targets.iter().map(sexp).collect::<Vec<_>>().join(","),
            StmtKind::Assert { test, msg } => format!(
                "assert {} {}",
                sexp(test),
                msg.as_ref().map_or("-".into(), sexp)
            ),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "Pass",
            "Break",
            "Continue",
            "return -",
            "return (tuple 1 2)",
            "raise - -",
            "raise (call E [\"x\"] []) err",
            "a,b",
            "c",
            "a,([] b k),(. c d)",
            "assert x \"msg\"",
            "assert y -",
        ]
    );
}

#[test]
fn imports() {
    match stmt("import a.b.c as d, e") {
        StmtKind::Import(names) => {
            assert_eq!(names[0].name, "a.b.c");
            assert_eq!(names[0].asname.as_ref().map(|i| i.name.as_str()), Some("d"));
            assert_eq!(names[1].name, "e");
            assert!(names[1].asname.is_none());
        }
        other => panic!("{other:?}"),
    }
    let cases = [
        (
            "from math import sqrt, pi as PI",
            Some("math"),
            0,
            vec!["sqrt", "pi"],
        ),
        ("from . import x", None, 1, vec!["x"]),
        (
            "from ..pkg.mod import (a, b as c,)",
            Some("pkg.mod"),
            2,
            vec!["a", "b"],
        ),
        ("from ... import y", None, 3, vec!["y"]),
        ("from .... import y", None, 4, vec!["y"]),
        ("from m import *", Some("m"), 0, vec!["*"]),
    ];
    for (src, want_module, want_level, want_names) in cases {
        match stmt(src) {
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => {
                assert_eq!(module.as_deref(), want_module, "{src}");
                assert_eq!(level, want_level, "{src}");
                assert_eq!(
                    names.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
                    want_names,
                    "{src}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn function_definitions() {
    let src = "@dec\n@other.attr(1)\ndef f[T](a, b: int = 1, *args: int, c, d=2, **kw) -> list[T]:\n    \"\"\"Doc.\"\"\"\n    return a\n";
    let module = parse_ok(src);
    let StmtKind::FunctionDef(def) = &module.body[0].kind else {
        panic!()
    };
    assert_eq!(def.name.name, "f");
    assert_eq!(text(src, def.name.span), "f");
    assert_eq!(
        def.type_params
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["T"]
    );
    let params: Vec<(&str, ParamKind, bool, bool)> = def
        .params
        .iter()
        .map(|p| {
            (
                p.name.name.as_str(),
                p.kind,
                p.annotation.is_some(),
                p.default.is_some(),
            )
        })
        .collect();
    assert_eq!(
        params,
        [
            ("a", ParamKind::Normal, false, false),
            ("b", ParamKind::Normal, true, true),
            ("args", ParamKind::VarArgs, true, false),
            ("c", ParamKind::KeywordOnly, false, false),
            ("d", ParamKind::KeywordOnly, false, true),
            ("kw", ParamKind::KwArgs, false, false),
        ]
    );
    assert_eq!(
        def.returns.as_ref().map(sexp).as_deref(),
        Some("([] list T)")
    );
    assert_eq!(def.docstring.as_deref(), Some("Doc."));
    assert_eq!(def.body.len(), 1);
    assert_eq!(
        def.decorators.iter().map(sexp).collect::<Vec<_>>(),
        ["dec", "(call (. other attr) [1] [])"]
    );
    assert_eq!(
        text(src, module.body[0].span),
        "def f[T](a, b: int = 1, *args: int, c, d=2, **kw) -> list[T]"
    );

    let StmtKind::FunctionDef(def) = stmt("def g(*, key): pass") else {
        panic!()
    };
    assert_eq!(def.params[0].kind, ParamKind::KeywordOnly);
    assert_eq!(def.body.len(), 1);
}

#[test]
fn class_definitions() {
    let src = "class Point(Base, other.Mixin):\n    '''A point.'''\n    x: int\n    def norm(self) -> float:\n        return 0.0\n";
    let module = parse_ok(src);
    let StmtKind::ClassDef(class) = &module.body[0].kind else {
        panic!()
    };
    assert_eq!(class.name.name, "Point");
    assert_eq!(
        class.bases.iter().map(sexp).collect::<Vec<_>>(),
        ["Base", "(. other Mixin)"]
    );
    assert_eq!(class.docstring.as_deref(), Some("A point."));
    assert_eq!(class.body.len(), 2);
    assert_eq!(
        text(src, module.body[0].span),
        "class Point(Base, other.Mixin)"
    );
}

#[test]
fn module_docstring_only_from_plain_strings() {
    let module = parse_ok("'''Module doc.'''\nx = 1\n");
    assert_eq!(module.docstring.as_deref(), Some("Module doc."));
    assert_eq!(module.body.len(), 1);
    let module = parse_ok("f'{x}'\n");
    assert!(module.docstring.is_none());
    assert_eq!(module.body.len(), 1);
    let module = parse_ok("x = 1\n'not a docstring'\n");
    assert!(module.docstring.is_none());
    assert_eq!(module.body.len(), 2);
}

#[test]
fn if_elif_else_nests_in_orelse() {
    let src = "if x > 0:\n    a\nelif x < 0:\n    b\nelse:\n    c\n";
    let module = parse_ok(src);
    let StmtKind::If { test, body, orelse } = &module.body[0].kind else {
        panic!()
    };
    assert_eq!(sexp(test), "(cmp x > 0)");
    assert_eq!(body.len(), 1);
    assert_eq!(text(src, module.body[0].span), "if x > 0");
    let [Stmt {
        kind: StmtKind::If { orelse: last, .. },
        span,
    }] = orelse.as_slice()
    else {
        panic!()
    };
    assert_eq!(text(src, *span), "elif x < 0");
    assert_eq!(last.len(), 1);
    assert!(matches!(
        stmt("if (n := 10) > 5: pass"),
        StmtKind::If { .. }
    ));
}

#[test]
fn loops_try_and_with() {
    let src = "while x:\n    x -= 1\nelse:\n    done()\nfor i, (a, b) in enumerate(pairs):\n    continue\nelse:\n    pass\n";
    let module = parse_ok(src);
    assert!(matches!(&module.body[0].kind, StmtKind::While { orelse, .. } if orelse.len() == 1));
    let StmtKind::For {
        target,
        iter,
        orelse,
        ..
    } = &module.body[1].kind
    else {
        panic!()
    };
    assert_eq!(sexp(target), "(tuple i (tuple a b))");
    assert_eq!(sexp(iter), "(call enumerate [pairs] [])");
    assert_eq!(orelse.len(), 1);
    assert_eq!(
        text(src, module.body[1].span),
        "for i, (a, b) in enumerate(pairs)"
    );

    let src = "try:\n    f()\nexcept (KeyError, ValueError) as e:\n    g(e)\nexcept E:\n    pass\nexcept:\n    raise\nelse:\n    h()\nfinally:\n    done()\n";
    let StmtKind::Try {
        body,
        handlers,
        orelse,
        finalbody,
    } = stmt(src)
    else {
        panic!()
    };
    assert_eq!(
        (body.len(), handlers.len(), orelse.len(), finalbody.len()),
        (1, 3, 1, 1)
    );
    assert_eq!(
        handlers[0].typ.as_ref().map(sexp).as_deref(),
        Some("(tuple KeyError ValueError)")
    );
    assert_eq!(
        handlers[0].name.as_ref().map(|n| n.name.as_str()),
        Some("e")
    );
    assert_eq!(
        text(src, handlers[0].span),
        "except (KeyError, ValueError) as e"
    );
    assert!(handlers[2].typ.is_none());
    assert!(matches!(
        stmt("try:\n    pass\nfinally:\n    pass\n"),
        StmtKind::Try { .. }
    ));

    let StmtKind::With { items, .. } = stmt("with open(p) as f, lock:\n    pass\n") else {
        panic!()
    };
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].1.as_ref().map(sexp).as_deref(), Some("f"));
    let StmtKind::With { items, .. } = stmt("with (a as b, c as d,):\n    pass\n") else {
        panic!()
    };
    assert_eq!(
        items
            .iter()
            .map(|(e, t)| format!("{} {}", sexp(e), t.as_ref().map_or("-".into(), sexp)))
            .collect::<Vec<_>>(),
        ["a b", "c d"]
    );
    let StmtKind::With { items, .. } = stmt("with (a, b) as c:\n    pass\n") else {
        panic!()
    };
    assert_eq!(sexp(&items[0].0), "(tuple a b)");
}

#[test]
fn rejected_constructs_parse_as_unsupported() {
    let src = "async def f():\n    await x\n    if y:\n        pass\nasync for x in y: pass\nmatch command:\n    case 1:\n        pass\ntype Alias = int\nmatch = 1\nmatch(x)\nx = 1\n";
    let module = parse_ok(src);
    let kinds: Vec<String> = module
        .body
        .iter()
        .map(|s| match &s.kind {
            StmtKind::Unsupported(what) => format!("{what}: {}", text(src, s.span)),
            other => format!("{other:?}").chars().take(6).collect(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "async def: async def f()",
            "async for: async for x in y",
            "match statement: match command",
            "type alias statement: type Alias = int",
            "Assign",
            "Expr(E",
            "Assign",
        ]
    );
    assert_eq!(s("await f()"), "(await (call f [] []))");
}

#[test]
fn spans_cover_the_text() {
    let src = "result = (a + b) * func(x, key=1).attr[::2]\n";
    let StmtKind::Assign { targets, value } = stmt(src) else {
        panic!()
    };
    assert_eq!(text(src, targets[0].span), "result");
    assert_eq!(text(src, value.span), "(a + b) * func(x, key=1).attr[::2]");
    let ExprKind::Binary { left, right, .. } = &value.kind else {
        panic!()
    };
    assert_eq!(text(src, left.span), "a + b");
    assert_eq!(text(src, right.span), "func(x, key=1).attr[::2]");
    let ExprKind::Subscript { value: attr, index } = &right.kind else {
        panic!()
    };
    assert_eq!(text(src, index.span), "::2");
    let ExprKind::Attribute {
        value: call,
        attr: name,
    } = &attr.kind
    else {
        panic!()
    };
    assert_eq!(text(src, name.span), "attr");
    let ExprKind::Call { keywords, .. } = &call.kind else {
        panic!()
    };
    assert_eq!(text(src, keywords[0].span), "key=1");
    let module = parse_ok(src);
    assert_eq!(text(src, module.body[0].span), src.trim_end());
}

/// The parts of the f-string expression `src`.
fn fparts(src: &str) -> Vec<FStringPart> {
    match expr(src).kind {
        ExprKind::FString(parts) => parts,
        other => panic!("{src}: {other:?}"),
    }
}

#[test]
fn fstrings() {
    let src = r#"f"x={x!r:>{width}.{p}f} {{literal}} {'a' + b}""#;
    let parts = fparts(src);
    assert_eq!(parts.len(), 4, "{parts:?}");
    assert_eq!(parts[0], FStringPart::Literal("x=".into()));
    let FStringPart::Field {
        expr,
        conversion,
        spec,
        debug_text,
    } = &parts[1]
    else {
        panic!()
    };
    assert_eq!(sexp(expr), "x");
    assert_eq!(text(src, expr.span), "x");
    assert_eq!(*conversion, Some('r'));
    assert!(debug_text.is_none());
    assert_eq!(spec.len(), 5);
    assert_eq!(spec[0], FStringPart::Literal(">".into()));
    let FStringPart::Field { expr: width, .. } = &spec[1] else {
        panic!()
    };
    assert_eq!(text(src, width.span), "width");
    assert_eq!(spec[2], FStringPart::Literal(".".into()));
    assert_eq!(spec[4], FStringPart::Literal("f".into()));
    assert_eq!(parts[2], FStringPart::Literal(" {literal} ".into()));
    let FStringPart::Field { expr, .. } = &parts[3] else {
        panic!()
    };
    assert_eq!(sexp(expr), "(+ \"a\" b)");
    assert_eq!(text(src, expr.span), "'a' + b");
}

#[test]
fn fstring_debug_and_conversions() {
    for (src, want_debug, want_conv) in [
        ("f'{x=}'", "x=", None),
        ("f'{ x = }'", " x = ", None),
        ("f'{x = !r}'", "x = ", Some('r')),
        ("f'{x=:>10}'", "x=", None),
        ("f'{a!=b=}'", "a!=b=", None),
    ] {
        let parts = fparts(src);
        let FStringPart::Field {
            debug_text,
            conversion,
            ..
        } = &parts[0]
        else {
            panic!()
        };
        assert_eq!(debug_text.as_deref(), Some(want_debug), "{src}");
        assert_eq!(*conversion, want_conv, "{src}");
    }
    for (src, conv) in [("f'{x!s}'", 's'), ("f'{x!a}'", 'a')] {
        let FStringPart::Field {
            conversion,
            debug_text,
            ..
        } = &fparts(src)[0]
        else {
            panic!()
        };
        assert_eq!((*conversion, debug_text.is_none()), (Some(conv), true));
    }
    // `!=` and `:=`-looking text are not conversions or debug fields.
    let FStringPart::Field { expr, spec, .. } = &fparts("f'{a != b}'")[0] else {
        panic!()
    };
    assert_eq!((sexp(expr), spec.len()), ("(cmp a != b)".into(), 0));
    let FStringPart::Field { expr, spec, .. } = &fparts("f'{x:=5}'")[0] else {
        panic!()
    };
    assert_eq!(
        (sexp(expr), spec),
        ("x".into(), &vec![FStringPart::Literal("=5".into())])
    );
}

#[test]
fn fstring_concatenation_nesting_and_escapes() {
    let parts = fparts(r#""plain " f"{a}\n" 'tail' rf"\d{b}""#);
    let shapes: Vec<String> = parts
        .iter()
        .map(|p| match p {
            FStringPart::Literal(s) => format!("{s:?}"),
            FStringPart::Field { expr, .. } => sexp(expr),
        })
        .collect();
    assert_eq!(shapes, ["\"plain \"", "a", "\"\\ntail\\\\d\"", "b"]);
    // A nested f-string with other quotes; a dict display in a field.
    let src = r#"f"{f'{x:>3}'} {({'k': 1})['k']} {x, y}""#;
    let parts = fparts(src);
    let FStringPart::Field { expr: inner, .. } = &parts[0] else {
        panic!()
    };
    let ExprKind::FString(inner_parts) = &inner.kind else {
        panic!()
    };
    let FStringPart::Field { expr: x, .. } = &inner_parts[0] else {
        panic!()
    };
    assert_eq!(text(src, x.span), "x");
    let FStringPart::Field { expr: tuple, .. } = &parts[4] else {
        panic!()
    };
    assert_eq!(sexp(tuple), "(tuple x y)");
    // Multi-line field in a triple-quoted f-string.
    let FStringPart::Field { expr, .. } = &fparts("f'''{a +\n  b}'''")[0] else {
        panic!()
    };
    assert_eq!(sexp(expr), "(+ a b)");
    assert_eq!(fparts("f''"), vec![]);
}

#[test]
fn bad_fstrings_are_reported_at_the_field() {
    let src = "x = f'{a b}'\n";
    assert_eq!(errors(src), [(1, 10, "invalid syntax".into())]);
    assert_eq!(
        error("x = f'{*a}'\n"),
        "f-string: cannot use starred expression here"
    );
    assert_eq!(
        error("x = f'{a!x}'\n"),
        "f-string: invalid conversion character: expected 's', 'r', or 'a'"
    );
    assert_eq!(
        error("x = f'{x}}'\n"),
        "f-string: single '}' is not allowed"
    );
    assert_eq!(error("x = f\"{d[\"k\"]}\"\n"), "f-string: expecting '}'");
    assert_eq!(error("x = f'{lambda x: 1}'\n"), "expected ':'");
}

#[test]
fn several_errors_are_reported_with_their_positions() {
    let src = "\
def f(x)
    return x

y = (1 +)
z = 'unterminated
ok = 1
w = $
class C:
    def m(self):
        return 1 2
v = [1, 2
";
    let found = errors(src);
    assert_eq!(
        found,
        [
            (1, 9, "expected ':'".into()),
            (4, 9, "expected an expression".into()),
            (5, 5, "unterminated string literal".into()),
            (7, 5, "invalid character '$' (U+0024)".into()),
            (10, 18, "invalid syntax".into()),
            (11, 5, "'[' was never closed".into()),
        ]
    );
}

#[test]
fn broken_compound_headers_do_not_cascade() {
    // The broken `if` header's body, `elif` and `else` are skipped quietly;
    // an error inside the skipped block is still reported.
    let src = "if x\n    a = 1\nelif y:\n    b = 1 +\nelse:\n    c = 1\nd = )\n";
    assert_eq!(
        errors(src),
        [
            (1, 5, "expected ':'".into()),
            (4, 12, "expected an expression".into()),
            (7, 5, "unmatched ')'".into()),
        ]
    );
    // Only one error per logical line.
    assert_eq!(errors("x = = = $ @ )\n").len(), 1);
    let src = "for x in:\n    pass\nelse:\n    pass\ntry:\n    pass\nexcept E as:\n    pass\nexcept F:\n    pass\nwhile True:\n    1 +\n";
    let found = errors(src);
    assert_eq!(
        found.iter().map(|e| e.0).collect::<Vec<_>>(),
        [1, 7, 12],
        "{found:?}"
    );
}

#[test]
fn indentation_errors() {
    assert_eq!(
        errors("x = 1\n    y = 2\n"),
        [(2, 5, "unexpected indent".into())]
    );
    let mismatch = "unindent does not match any outer indentation level";
    assert_eq!(
        errors("if x:\n        a\n    b\nc\n"),
        [(3, 5, mismatch.into())]
    );
    let tabs = "inconsistent use of tabs and spaces in indentation";
    assert_eq!(errors("if x:\n\ta\n        b\n"), [(3, 9, tabs.into())]);
    assert_eq!(
        errors("if x:\npass\n"),
        [(2, 1, "expected an indented block".into())]
    );
    assert_eq!(
        errors("def f():\n"),
        [(1, 9, "expected an indented block".into())]
    );
    // Misindented lines stay in the block they fall short of: no cascade.
    let (module, diags) = parse(
        FileId(0),
        "def f():\n    if x:\n        a\n      b\n        c\n      d\n    e\n",
    );
    assert_eq!(
        messages(&diags),
        ["unindent does not match any outer indentation level"]
    );
    let StmtKind::FunctionDef(def) = &module.body[0].kind else {
        panic!()
    };
    assert_eq!(def.body.len(), 2);
    let StmtKind::If { body, .. } = &def.body[0].kind else {
        panic!()
    };
    assert_eq!(body.len(), 4);
    // Tabs are consistent with themselves and go to multiples of 8.
    parse_ok("if x:\n\tif y:\n\t\ta\n\tb\n");
    parse_ok("if x:\n  \ty\n  \tz\n");
    // Form feeds, comments and blank lines do not matter.
    parse_ok("if x:\n    a\n\x0c\n  # comment\n\n    b\n");
}

#[test]
fn specific_syntax_errors() {
    let cases = [
        ("f() = 1\n", "cannot assign to function call"),
        ("1 = x\n", "cannot assign to literal"),
        ("a + b = c\n", "cannot assign to expression"),
        ("for 1 in x: pass\n", "cannot assign to literal"),
        ("del f()\n", "cannot delete function call"),
        (
            "(a, b) += 1\n",
            "'tuple' is an illegal expression for augmented assignment",
        ),
        (
            "a, b: int\n",
            "only single target (not tuple) can be annotated",
        ),
        (
            "a, *b, *c = d\n",
            "multiple starred expressions in assignment",
        ),
        (
            "*a = b\n",
            "starred assignment target must be in a list or tuple",
        ),
        ("*a\n", "can't use starred expression here"),
        ("x = 5 if 3\n", "expected 'else' after 'if' expression"),
        (
            "def f(a=1, b): pass\n",
            "non-default argument follows default argument",
        ),
        (
            "def f(a, a): pass\n",
            "duplicate argument 'a' in function definition",
        ),
        (
            "def f(*, **k): pass\n",
            "named arguments must follow bare *",
        ),
        ("def f(*a, *b): pass\n", "* argument may appear only once"),
        (
            "def f(**k, a): pass\n",
            "arguments cannot follow var-keyword argument",
        ),
        (
            "def f(a, /, b): pass\n",
            "positional-only parameters ('/') are not supported",
        ),
        (
            "f(a=1, b)\n",
            "positional argument follows keyword argument",
        ),
        (
            "f(**a, *b)\n",
            "iterable argument unpacking follows keyword argument unpacking",
        ),
        ("f(a=1, a=2)\n", "keyword argument repeated: a"),
        (
            "f(x for x in y, 1)\n",
            "generator expression must be parenthesized",
        ),
        (
            "f(a.b=1)\n",
            "expression cannot contain assignment, perhaps you meant \"==\"?",
        ),
        (
            "try:\n    pass\nx = 1\n",
            "expected 'except' or 'finally' block",
        ),
        (
            "try:\n    pass\nexcept:\n    pass\nexcept E:\n    pass\n",
            "default 'except:' must be last",
        ),
        (
            "try:\n    pass\nexcept A, B:\n    pass\n",
            "multiple exception types must be parenthesized",
        ),
        (
            "from a import b,\n",
            "trailing comma not allowed without surrounding parentheses",
        ),
        (
            "x = {**d}\n",
            "dict unpacking ('**') in a dict display is not supported",
        ),
        ("x = b'a' 'b'\n", "cannot mix bytes and nonbytes literals"),
        (
            "class C[T]: pass\n",
            "generic classes (`class C[T]`) are not supported",
        ),
        (
            "class C(metaclass=M): pass\n",
            "keyword arguments in a class definition are not supported",
        ),
        ("print 'hello'\n", "missing parentheses in call to 'print'"),
        ("x = (1 2)\n", "expected ',' or ')'"),
        ("x = )\n", "unmatched ')'"),
        (
            "x = (]\n",
            "closing parenthesis ']' does not match opening parenthesis '('",
        ),
        ("x = 1\0\n", "source code cannot contain null bytes"),
        (
            "x = 1 \\ 2\n",
            "unexpected character after line continuation character",
        ),
        (
            "x = 0777\n",
            "leading zeros in decimal integer literals are not permitted",
        ),
        ("x = '\\N{BULLET}'\n", "\\N{...} escapes are not supported"),
        (
            "(a.b := 1)\n",
            "cannot use assignment expressions with attribute",
        ),
        (
            "@dec\nx = 1\n",
            "expected a function or class definition after the decorators",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(error(src), want, "{src:?}");
    }
}

#[test]
fn unclosed_bracket_explains_the_errors_after_it() {
    // The parser trips over `def` inside the bracket; the bracket is the cause.
    assert_eq!(
        errors("x = foo(a,\n\ndef g():\n    pass\n"),
        [(1, 8, "'(' was never closed".into())]
    );
    // A string that swallows the closing bracket is the better explanation.
    assert_eq!(
        errors("print('a')\nprint('b)\nprint('c')\n"),
        [(2, 7, "unterminated string literal".into())]
    );
    // An earlier error on the same logical line is kept as well.
    assert_eq!(
        errors("x = 1 +* 2 + [3,\ny = 4\n"),
        [
            (1, 8, "expected an expression".into()),
            (1, 14, "'[' was never closed".into()),
        ]
    );
}

#[test]
fn stray_clauses_are_reported_unless_they_follow_an_error() {
    assert_eq!(
        errors("x = 1\nelse:\n    pass\n"),
        [(2, 1, "invalid syntax".into())]
    );
    assert_eq!(errors("x = 1\n    y\nexcept:\n    pass\n").len(), 1);
    let src = "while x\n    pass\nelif y:\n    pass\nelse:\n    pass\n";
    assert_eq!(errors(src), [(1, 8, "expected ':'".into())]);
}

#[test]
fn source_encoding() {
    // A UTF-8 byte order mark and a UTF-8 declaration are fine.
    parse_ok("\u{feff}x = 1\n");
    parse_ok("# -*- coding: utf-8 -*-\nx = 'é'\n");
    parse_ok("#!/usr/bin/env python3\n# vim: set fileencoding=UTF_8 :\nx = 1\n");
    // Any other encoding would make CPython read the text differently.
    assert_eq!(
        errors("# -*- coding: latin-1 -*-\nx = 'é'\n"),
        [(1, 15, "unsupported encoding declaration 'latin-1'".into())]
    );
    // Only the first two lines count, and only in comments.
    parse_ok("x = 1\n# coding: latin-1\n");
    parse_ok("x = 1\ny = 2\n# coding: latin-1\n");
    // NUL bytes are rejected anywhere, as by CPython.
    assert_eq!(
        error("x = 1  # \0\n"),
        "source code cannot contain null bytes"
    );
    assert_eq!(
        error("x = '\\\0'\n"),
        "source code cannot contain null bytes"
    );
}

#[test]
fn unicode_identifiers() {
    let StmtKind::Assign { targets, value } = stmt("größe = π * r_2 + время\n") else {
        panic!()
    };
    assert_eq!(sexp(&targets[0]), "größe");
    assert_eq!(sexp(&value), "(+ (* π r_2) время)");
    assert_eq!(error("x = a € b\n"), "invalid character '€' (U+20AC)");
    // Characters CPython rejects in names, or reads as others (`ｘ` is `x`).
    assert_eq!(
        error("area = π * r²\n"),
        "invalid character '²' (U+00B2) in identifier"
    );
    assert_eq!(
        error("ｘ = 1\n"),
        "invalid character 'ｘ' (U+FF58) in identifier"
    );
    assert_eq!(
        error("ﬁle = 1\n"),
        "invalid character 'ﬁ' (U+FB01) in identifier"
    );
    assert_eq!(error("² = 1\n"), "invalid character '²' (U+00B2)");
}

#[test]
fn diagnostics_render_with_label_and_location() {
    let src = "if x > 0\n    pass\n";
    let (_, diags) = parse(FileId(0), src);
    let mut sources = roast_compiler::diag::SourceMap::new();
    sources.add(SourceFile::new("prog.roast", src));
    let rendered = diags[0].render(&sources);
    assert!(rendered.contains("expected ':'"), "{rendered}");
    assert!(rendered.contains("prog.roast:1:9"), "{rendered}");
    assert!(rendered.contains("found end of line"), "{rendered}");
}

// ---- robustness ----

/// Runs `f` on a thread with a 2 MiB stack (what `cargo test` gives each
/// test): parsing must work from there, and dropping the deepest trees the
/// parser accepts must fit in it.
fn with_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the parser overflowed its stack or panicked")
}

#[test]
fn nesting_at_the_limits_fits_a_small_stack() {
    with_small_stack(|| {
        // 200 brackets are fine, 201 are not (as in CPython).
        for (open, close) in [("(", ")"), ("[", "]"), ("{", "}")] {
            let ok = format!("x = {}1{}\n", open.repeat(200), close.repeat(200));
            parse_ok(&ok);
            let bad = format!("x = {}1{}\n", open.repeat(201), close.repeat(201));
            assert_eq!(error(&bad), "too many nested parentheses");
        }
        // Parentheses inside 99 nested blocks, all inside f-string fields.
        let mut src = String::new();
        for depth in 0..99 {
            src.push_str(&format!("{}if x:\n", " ".repeat(depth)));
        }
        src.push_str(&format!(
            "{}y = f'{{ {}f\"{{ {}1{} }}\"{} }}'\n",
            " ".repeat(99),
            "(".repeat(120),
            "[".repeat(120),
            "]".repeat(120),
            ")".repeat(120)
        ));
        parse_ok(&src);
    });
}

#[test]
fn recursion_limits_give_diagnostics() {
    with_small_stack(|| {
        let deep_power = format!("x = {}2\n", "2 ** ".repeat(1000));
        assert_eq!(error(&deep_power), "expression too deeply nested");
        let deep_lambda = format!("f = {}0\n", "lambda: ".repeat(1000));
        assert_eq!(error(&deep_lambda), "expression too deeply nested");
        let deep_if = format!("x = {}0\n", "a if b else ".repeat(1000));
        assert_eq!(error(&deep_if), "expression too deeply nested");
        parse_ok(&format!("x = {}0\n", "a if b else ".repeat(200)));
        let deep_blocks: String = (0..150)
            .map(|d| format!("{}if x:\n", " ".repeat(d)))
            .collect();
        let found = errors(&format!("{deep_blocks}{}pass\n", " ".repeat(150)));
        assert_eq!(
            found[0],
            (101, 101, "too many levels of indentation".into())
        );
        assert_eq!(found.len(), 1, "{found:?}");
    });
}

#[test]
fn long_flat_chains_are_capped_without_overflow() {
    with_small_stack(|| {
        // Left-nested chains up to the height limit parse...
        let ok = format!("x = {}1\n", "1 + ".repeat(2990));
        let StmtKind::Assign { value, .. } = stmt(&ok) else {
            panic!()
        };
        assert!(matches!(
            value.kind,
            ExprKind::Binary { op: BinOp::Add, .. }
        ));
        // ... longer ones get a diagnostic, not a stack overflow.
        for long in [
            format!("x = {}1\n", "1 + ".repeat(100_000)),
            format!("x = a{}\n", ".b".repeat(100_000)),
            format!("x = f{}\n", "()".repeat(100_000)),
            format!("x = {}1\n", "-".repeat(100_000)),
            format!("x = {}a\n", "not ".repeat(100_000)),
            format!("x = ({}1){}\n", "1 * ".repeat(2000), " + 1".repeat(1500)),
        ] {
            assert_eq!(error(&long), "expression too complex");
        }
        // Wide but shallow expressions are fine.
        let wide = format!(
            "x = [{}]\ny = f({})\nz = {}\n",
            "1, ".repeat(100_000),
            "a, ".repeat(50_000),
            "a < ".repeat(50_000) + "b"
        );
        assert_eq!(parse_ok(&wide).body.len(), 3);
        // `elif` chains nest too, so they are capped.
        let chain = |n: usize| format!("if x:\n    pass\n{}", "elif y:\n    pass\n".repeat(n));
        assert_eq!(parse_ok(&chain(1000)).body.len(), 1);
        assert_eq!(error(&chain(1500)), "too many 'elif' branches");
    });
}

#[test]
fn ten_megabytes_parse_quickly() {
    let unit = "def f(a: int, b: list[int]) -> int:\n    \"\"\"Doc.\"\"\"\n    total = 0\n    for x in b:\n        if x % 2 == 0 and not a:\n            total += x * (a + 1) ** 2\n        else:\n            total -= len(f'{x:>5} {a!r}')\n    return total\n\n";
    let src = unit.repeat(10_000_000 / unit.len() + 1);
    let started = Instant::now();
    let module = parse_ok(&src);
    let elapsed = started.elapsed();
    assert_eq!(module.body.len(), 10_000_000 / unit.len() + 1);
    // Generous for unoptimized test builds; release builds take a fraction.
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}

/// A deterministic xorshift64 generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SAMPLE: &str = r#""""Sample module."""
from math import sqrt
import util.strings as us

LIMIT: int = 100

@dataclass
class Point(Base):
    x: float
    y: float = 0.0

    def norm(self) -> float:
        return sqrt(self.x ** 2 + self.y ** 2)

def f[T](xs: list[T], *, key=None, **kw) -> dict[str, int]:
    total, *rest = 0, 1, 2
    for i, x in enumerate(xs):
        if i > 2 and not x or i in (1, 2):
            continue
        elif x is not None:
            total += -i ** 2 // 3 % 4
        else:
            break
    while total < LIMIT:
        total <<= 1
    try:
        y = {k: v for k, v in kw.items() if v}
    except (KeyError, ValueError) as e:
        raise RuntimeError(f"bad {e!r:>{10}} {total=}") from e
    finally:
        pass
    with open("p") as fh, lock:
        data = [a[1:2:3] for a in fh if a][::-1]
    lam = lambda a, b=2: a if b else (yield)
    assert total >= 0, "negative"
    del y[0], lam
    return {"a": 1, 'b': 2}  # comment
"#;

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet: Vec<char> =
        "abc_xyz0129 \t\n\r\\#'\"(){}[]:;,.=+-*/%<>!&|^~@$?\0\x0cfrbuFRBU éλ€😀"
            .chars()
            .collect();
    let started = Instant::now();
    for _ in 0..3000 {
        let len = rng.below(120);
        let src: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let (_, diags) = parse(FileId(0), &src);
        for d in &diags {
            assert!(
                d.span.start <= d.span.end && d.span.end as usize <= src.len(),
                "{src:?}: {d:?}"
            );
        }
    }
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn mutated_programs_never_panic_and_keep_spans_consistent() {
    check_stmt_spans(&parse_ok(SAMPLE).body, SAMPLE);
    let tokens = [
        "(", ")", "[", "]", "{", "}", ":", ",", "=", "if ", "else", "elif x:", "\n", "\n    ",
        "    ", "\t", "'", "\"", "\"\"\"", "f'{", "}", "\\", "lambda", "*", "**", "not ", "@",
        "def ", "class ", "yield", "async ", "match x:", ".", "0x", "1_", "#", "$", "\0", "é",
    ];
    let mut rng = Rng(42);
    let mut broken = 0;
    for _ in 0..3000 {
        let mut src = SAMPLE.to_string();
        for _ in 0..1 + rng.below(4) {
            let mut at = rng.below(src.len());
            while !src.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(3) {
                0 => src.insert_str(at, tokens[rng.below(tokens.len())]),
                1 => {
                    let mut end = (at + 1 + rng.below(8)).min(src.len());
                    while !src.is_char_boundary(end) {
                        end += 1;
                    }
                    src.replace_range(at..end, "");
                }
                _ => {
                    let mut end = (at + 1 + rng.below(8)).min(src.len());
                    while !src.is_char_boundary(end) {
                        end += 1;
                    }
                    let piece = src[at..end].to_string();
                    let mut to = rng.below(src.len());
                    while !src.is_char_boundary(to) {
                        to -= 1;
                    }
                    src.insert_str(to, &piece);
                }
            }
        }
        let (module, diags) = parse(FileId(0), &src);
        if !diags.is_empty() {
            broken += 1;
        }
        // Every diagnostic has a message and a span inside the file.
        for d in &diags {
            assert!(!d.message.is_empty());
            assert!(
                d.span.start <= d.span.end && d.span.end as usize <= src.len(),
                "{src:?}: {d:?}"
            );
        }
        check_stmt_spans(&module.body, &src);
    }
    // Most mutations break the program (the rest still parse consistently).
    assert!(broken > 1000, "{broken}");
}

/// The expressions in comprehension clauses.
fn comp_exprs(generators: &[Comprehension]) -> Vec<&Expr> {
    generators
        .iter()
        .flat_map(|g| [&g.target, &g.iter].into_iter().chain(&g.ifs))
        .collect()
}

/// The direct subexpressions of `e`.
fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Binary { left, right, .. } => vec![left, right],
        ExprKind::Unary { operand, .. } => vec![operand],
        ExprKind::BoolOp { values, .. } => values.iter().collect(),
        ExprKind::Compare { left, rest } => std::iter::once(&**left)
            .chain(rest.iter().map(|(_, e)| e))
            .collect(),
        ExprKind::IfExp { test, body, orelse } => vec![test, body, orelse],
        ExprKind::Call {
            func,
            args,
            keywords,
        } => std::iter::once(&**func)
            .chain(args)
            .chain(keywords.iter().map(|k| &k.value))
            .collect(),
        ExprKind::Attribute { value, .. } | ExprKind::Starred(value) => vec![value],
        ExprKind::NamedExpr { value, .. } => vec![value],
        ExprKind::Subscript { value, index } => vec![value, index],
        ExprKind::Slice { lower, upper, step } => [lower, upper, step]
            .into_iter()
            .flatten()
            .map(|b| &**b)
            .collect(),
        ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Set(items) => {
            items.iter().collect()
        }
        ExprKind::Dict(pairs) => pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
        ExprKind::ListComp { elt, generators }
        | ExprKind::SetComp { elt, generators }
        | ExprKind::GeneratorExp { elt, generators } => std::iter::once(&**elt)
            .chain(comp_exprs(generators))
            .collect(),
        ExprKind::DictComp {
            key,
            value,
            generators,
        } => [&**key, &**value]
            .into_iter()
            .chain(comp_exprs(generators))
            .collect(),
        ExprKind::Lambda { params, body } => params
            .iter()
            .filter_map(|p| p.default.as_ref())
            .chain(std::iter::once(&**body))
            .collect(),
        ExprKind::FString(parts) => {
            let mut out = Vec::new();
            let mut stack: Vec<&FStringPart> = parts.iter().collect();
            while let Some(part) = stack.pop() {
                if let FStringPart::Field { expr, spec, .. } = part {
                    out.push(&**expr);
                    stack.extend(spec);
                }
            }
            out
        }
        ExprKind::Unsupported(_, value) => value.iter().map(|b| &**b).collect(),
        _ => Vec::new(),
    }
}

/// Checks that `e`'s span lies inside `outer` and each child's inside `e`'s.
fn check_expr_spans(e: &Expr, outer: roast_compiler::diag::Span, src: &str) {
    assert!(
        outer.start <= e.span.start && e.span.start <= e.span.end && e.span.end <= outer.end,
        "{:?} not inside {:?} in {src:?}",
        e.span,
        outer
    );
    for child in children(e) {
        check_expr_spans(child, e.span, src);
    }
}

/// Checks the spans of statements and of the expressions in them: simple
/// statements cover their expressions, compound ones their header's.
fn check_stmt_spans(body: &[Stmt], src: &str) {
    for stmt in body {
        let span = stmt.span;
        assert!(
            span.start <= span.end && span.end as usize <= src.len(),
            "{stmt:?}"
        );
        let mut exprs: Vec<&Expr> = Vec::new();
        let mut blocks: Vec<&[Stmt]> = Vec::new();
        match &stmt.kind {
            StmtKind::FunctionDef(def) => {
                exprs.extend(
                    def.params
                        .iter()
                        .flat_map(|p| p.annotation.iter().chain(&p.default)),
                );
                exprs.extend(&def.returns);
                blocks.push(&def.body);
            }
            StmtKind::ClassDef(class) => {
                exprs.extend(&class.bases);
                blocks.push(&class.body);
            }
            StmtKind::Return(value) => exprs.extend(value),
            StmtKind::Assign { targets, value } => exprs.extend(targets.iter().chain([value])),
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
            } => exprs.extend([target, annotation].into_iter().chain(value)),
            StmtKind::AugAssign { target, value, .. } => exprs.extend([target, value]),
            StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
                exprs.push(test);
                blocks.extend([&body[..], &orelse[..]]);
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                exprs.extend([target, iter]);
                blocks.extend([&body[..], &orelse[..]]);
            }
            StmtKind::Expr(e) => exprs.push(e),
            StmtKind::Assert { test, msg } => exprs.extend(std::iter::once(test).chain(msg)),
            StmtKind::Delete(targets) => exprs.extend(targets),
            StmtKind::Raise { exc, cause } => exprs.extend(exc.iter().chain(cause)),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                blocks.extend([&body[..], &orelse[..], &finalbody[..]]);
                for handler in handlers {
                    if let Some(typ) = &handler.typ {
                        check_expr_spans(typ, handler.span, src);
                    }
                    blocks.push(&handler.body);
                }
            }
            StmtKind::With { items, body } => {
                exprs.extend(items.iter().flat_map(|(e, t)| std::iter::once(e).chain(t)));
                blocks.push(body);
            }
            _ => {}
        }
        for e in exprs {
            check_expr_spans(e, span, src);
        }
        for block in blocks {
            check_stmt_spans(block, src);
        }
    }
}
