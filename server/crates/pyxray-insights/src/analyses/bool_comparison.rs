//! `bool-comparison`: `x == True` / `x == False` (and `!=`). For a real bool this is `x` or
//! `not x`; for anything else it asks whether the object equals 1 or 0, which is rarely what is
//! meant (`2 == True` is False, `1.0 == True` is True). Information only and no automatic fix:
//! the operand's own `__eq__` (NumPy, SQLAlchemy) may give `==` a meaning a rewrite would lose.

use super::Context;
use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};
use pyxray_syntax::ast::{CmpOp, Constant, Expr, ExprKind};

pub const CODE: DiagnosticCode = DiagnosticCode {
    code: "PX007",
    name: "bool-comparison",
    severity: Severity::Information,
    summary: "`== True` / `== False`: tests equality with 1 or 0, not truth; no automatic fix.",
    check,
};

fn bool_value(e: &Expr) -> Option<bool> {
    match e.kind {
        ExprKind::Constant(Constant::Bool(b)) => Some(b),
        _ => None,
    }
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::for_each_comparison(cx, |prev, op, right| {
        if !matches!(op, CmpOp::Eq | CmpOp::NotEq) {
            return;
        }
        let Some(b) = bool_value(right).or_else(|| bool_value(prev)) else { return };
        let sym = if op == CmpOp::Eq { "==" } else { "!=" };
        let truthy = (op == CmpOp::Eq) == b;
        let name = if b { "True" } else { "False" };
        let message = format!(
            "`{sym} {name}` tests whether the value equals {} (so `2 {sym} {name}` is {}), not whether it is true; for a \
             bool, write `{}x` instead. Left as is if the operand's `__eq__` means something else (NumPy, SQLAlchemy).",
            u8::from(b),
            if op == CmpOp::Eq { "False" } else { "True" },
            if truthy { "" } else { "not " }
        );
        out.push(Diagnostic::new(&CODE, prev.range.cover(right.range), message));
    });
}
