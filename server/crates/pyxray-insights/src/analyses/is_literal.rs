//! `is-literal`: `x is 1`, `s is "a"` — exactly where the selected CPython warns (its
//! SyntaxWarning, with its text), explained: identity with a literal holds only when caching or
//! constant merging happens to hand back the same object, which differs between values,
//! versions and run-time paths. Quick fix: compare values (`==` / `!=`).

use super::{operator_fix, Context};
use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};

pub const CODE: DiagnosticCode = DiagnosticCode {
    code: "PX004",
    name: "is-literal",
    severity: Severity::Warning,
    summary: "`is` / `is not` with a literal, exactly where CPython warns; the result depends on caching.",
    check,
};

/// Whether a CPython compile warning is the `is`-with-a-literal one.
pub fn is_literal_warning(message: &str) -> bool {
    message.starts_with("\"is\" with ") || message.starts_with("\"is not\" with ")
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for w in cx.compiled.warnings.iter().filter(|w| is_literal_warning(&w.message)) {
        let negated = w.message.starts_with("\"is not\"");
        let prediction = cx.is_prediction_at(w.range);
        let mut message = format!(
            "{}: {}. CPython warns because identity with a literal is an accident of its caches: small ints \
             (-5 to 256), one-character strings and constants merged per module are shared objects, other values \
             are not, so the answer can change with the value, the Python version or the code path.",
            w.category.python_name(),
            w.message
        );
        if let Some((p, reason)) = prediction {
            message.push_str(&format!(" Here pyxray predicts {}: {reason}.", p.as_str()));
        }
        let mut d = Diagnostic::new(&CODE, w.range, message);
        d.fixes.extend(operator_fix(cx, w.range, negated));
        out.push(d);
    }
}
