//! `none-comparison`: `x == None` / `x != None`. `==` calls the left operand's `__eq__`, which a
//! class may override (NumPy arrays answer elementwise, ORM columns build queries); `is None`
//! asks the only question meant, whether `x` is the None singleton. Quick fix: `is` / `is not`.

use super::Context;
use crate::diagnostic::{Diagnostic, DiagnosticCode, Fix, Severity, TextEdit};
use pyxray_syntax::ast::{CmpOp, Constant, Expr, ExprKind};

pub const CODE: DiagnosticCode = DiagnosticCode {
    code: "PX006",
    name: "none-comparison",
    severity: Severity::Warning,
    summary: "`== None` / `!= None`: calls `__eq__`, which classes may override; `is None` is what is meant.",
    check,
};

fn is_none(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Constant(Constant::None))
}

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    super::for_each_comparison(cx, |prev, op, right| {
        if !(matches!(op, CmpOp::Eq | CmpOp::NotEq) && (is_none(prev) || is_none(right))) {
            return;
        }
        let negated = op == CmpOp::NotEq;
        let (wrong, right_op) = if negated { ("!=", "is not") } else { ("==", "is") };
        let message = format!(
            "Comparison to None with `{wrong}`: it calls `__eq__`, which a class may override (NumPy arrays compare \
             elementwise, ORM columns build queries). `{right_op} None` checks for the None singleton itself."
        );
        let mut d = Diagnostic::new(&CODE, prev.range.cover(right.range), message);
        if let Some(at) = super::operator_between(cx.text, prev.range.end, right.range.start, wrong) {
            d.fixes.push(Fix {
                title: format!("Use `{right_op} None`"),
                edits: vec![TextEdit { range: at, new_text: right_op.to_string() }],
            });
        }
        out.push(d);
    });
}
