//! `syntax-error`: the file does not parse. Reported with CPython's exception name and message at
//! the token CPython points at; every broken top-level statement gets its own diagnostic, since
//! the rest of the file is still analysed.

use super::Context;
use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};

pub const CODE: DiagnosticCode = DiagnosticCode {
    code: "PX001",
    name: "syntax-error",
    severity: Severity::Error,
    summary: "The file does not parse; CPython would refuse it with a SyntaxError.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for e in &cx.parsed.errors {
        out.push(Diagnostic::new(&CODE, e.range, format!("{}: {}", e.kind.python_name(), e.message)));
    }
}
