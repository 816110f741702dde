//! `compile-warning`: what CPython warns about while compiling the file — invalid escape
//! sequences, `is` with a literal, calling a tuple literal, an assertion on a non-empty tuple, … —
//! with CPython's category and message for the selected version. Python prints these once, when
//! it compiles the module (at import, or when writing the `.pyc`), so they are easy to miss.

use super::Context;
use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};

pub const CODE: DiagnosticCode = DiagnosticCode {
    code: "PX003",
    name: "compile-warning",
    severity: Severity::Warning,
    summary: "CPython warns about this when it compiles the file (SyntaxWarning, DeprecationWarning).",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // `is` with a literal has its own diagnostic, with an explanation and a fix.
    for w in cx.compiled.warnings.iter().filter(|w| !super::is_literal::is_literal_warning(&w.message)) {
        out.push(Diagnostic::new(&CODE, w.range, format!("{}: {}", w.category.python_name(), w.message)));
    }
}
