//! `mutable-default`: a parameter default that is a list, dict or set (a display, a
//! comprehension or a `list()`/`dict()`/`set()` call). The default is evaluated once, when the
//! `def` runs, and kept in `__defaults__`; every call that omits the argument shares that one
//! object, so what one call appends the next one sees. Quick fix: default to `None` and build the
//! object at the top of the body.

use super::Context;
use crate::diagnostic::{Diagnostic, DiagnosticCode, Fix, Severity, TextEdit};
use pyxray_syntax::ast::{Arg, Expr, ExprKind, FunctionDef, Stmt, StmtKind, TextRange};
use pyxray_syntax::walk::{walk, Node};

pub const CODE: DiagnosticCode = DiagnosticCode {
    code: "PX008",
    name: "mutable-default",
    severity: Severity::Warning,
    summary: "A list, dict or set as a parameter default: built once and shared by every call.",
    check,
};

/// The kind of mutable object `e` builds, if it is one.
fn mutable_kind(e: &Expr) -> Option<&'static str> {
    match &e.kind {
        ExprKind::List { .. } | ExprKind::ListComp { .. } => Some("list"),
        ExprKind::Dict { .. } | ExprKind::DictComp { .. } => Some("dict"),
        ExprKind::Set(_) | ExprKind::SetComp { .. } => Some("set"),
        ExprKind::Call { func, .. } => match &func.kind {
            ExprKind::Name { id, .. } => match id.as_str() {
                "list" => Some("list"),
                "dict" => Some("dict"),
                "set" => Some("set"),
                "bytearray" => Some("bytearray"),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// Each parameter with its default.
fn defaults(args: &pyxray_syntax::ast::Arguments) -> Vec<(&Arg, &Expr)> {
    let positional: Vec<&Arg> = args.posonlyargs.iter().chain(args.args.iter()).collect();
    let first = positional.len().saturating_sub(args.defaults.len());
    let mut out: Vec<(&Arg, &Expr)> = positional[first..].iter().copied().zip(args.defaults.iter()).collect();
    out.extend(args.kwonlyargs.iter().zip(&args.kw_defaults).filter_map(|(a, d)| d.as_ref().map(|d| (a, d))));
    out
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    walk(&cx.parsed.module.body, |node| {
        let (args, def) = match node {
            Node::Stmt(Stmt { kind: StmtKind::FunctionDef(f), .. }) => (&f.args, Some(f.as_ref())),
            Node::Expr(Expr { kind: ExprKind::Lambda { args, .. }, .. }) => (args.as_ref(), None),
            _ => return true,
        };
        for (arg, default) in defaults(args) {
            let Some(kind) = mutable_kind(default) else { continue };
            let message = format!(
                "The default of `{}` is one {kind}, built when the `def` runs and kept in `__defaults__`: every call \
                 that leaves `{}` out gets that same {kind}, so changes made by one call show up in the next. Use \
                 `None` and create the {kind} inside the function.",
                arg.arg, arg.arg
            );
            let mut d = Diagnostic::new(&CODE, default.range, message);
            if let Some(f) = def {
                d.fixes.extend(sentinel_fix(cx.text, f, arg, default));
            }
            out.push(d);
        }
        true
    });
}

/// `def f(x=[])` → `def f(x=None)` plus `if x is None: x = []` as the body's first statement
/// (after a docstring). Only when the body starts on its own line.
fn sentinel_fix(text: &str, f: &FunctionDef, arg: &Arg, default: &Expr) -> Option<Fix> {
    let skip_doc = usize::from(matches!(
        f.body.first().map(|s| &s.kind),
        Some(StmtKind::Expr(Expr { kind: ExprKind::Constant(pyxray_syntax::ast::Constant::Str(_)), .. }))
    ) && f.body.len() > 1);
    let anchor = f.body.get(skip_doc)?;
    let line_start = text[..anchor.range.start as usize].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..anchor.range.start as usize];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let default_text = text.get(default.range.start as usize..default.range.end as usize)?;
    let name = &arg.arg;
    let insert = format!("if {name} is None:\n{indent}    {name} = {default_text}\n{indent}");
    Some(Fix {
        title: format!("Default `{name}` to None and create the object in the body"),
        edits: vec![
            TextEdit { range: default.range, new_text: "None".into() },
            TextEdit { range: TextRange::empty(anchor.range.start), new_text: insert },
        ],
    })
}
