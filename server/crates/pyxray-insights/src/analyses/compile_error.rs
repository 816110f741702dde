//! `compile-error`: code that parses but that CPython's compiler refuses (`'return' outside
//! function`, `nonlocal` at module level, two starred targets, …), with CPython's message at the
//! node it blames. Python would raise this SyntaxError before running a single line of the file.

use super::Context;
use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};

pub const CODE: DiagnosticCode = DiagnosticCode {
    code: "PX002",
    name: "compile-error",
    severity: Severity::Error,
    summary: "CPython's compiler refuses this code after parsing (e.g. 'return' outside function).",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(e) = &cx.compiled.error else { return };
    out.push(Diagnostic::new(&CODE, e.range, format!("{}: {}", e.kind.python_name(), e.message)));
}
