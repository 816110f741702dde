//! PEP 750 t-strings (3.14; `codegen_template_str`, `codegen_interpolation`): the literal
//! strings as one tuple (adjacent ones joined with `+`, `''` between and around
//! interpolations), the interpolations as another, then `BUILD_TEMPLATE`.

use super::*;
use pyxray_syntax::ast::{Constant, Conversion, Expr, ExprKind, Operator};
use pyxray_syntax::PyStr;

impl Compiler<'_> {
    /// `codegen_template_str`.
    pub(super) fn template_str(&mut self, e: &Expr, values: &[Expr]) -> CompileResult<()> {
        let loc = self.loc(e.range);
        let is_interpolation = |v: &Expr| matches!(v.kind, ExprKind::Interpolation { .. });
        let mut last_was_interpolation = true;
        let mut strings: i32 = 0;
        let mut i = 0;
        while i < values.len() {
            if is_interpolation(&values[i]) {
                if last_was_interpolation {
                    self.addop_load_const(consts::str_const(""), loc);
                    strings += 1;
                }
                last_was_interpolation = true;
                i += 1;
                continue;
            }
            self.visit_expr(&values[i])?;
            i += 1;
            while i < values.len() && !is_interpolation(&values[i]) {
                self.visit_expr(&values[i])?;
                self.addop_binary(loc, Operator::Add, true);
                i += 1;
            }
            strings += 1;
            last_was_interpolation = false;
        }
        if last_was_interpolation {
            self.addop_load_const(consts::str_const(""), loc);
            strings += 1;
        }
        self.addop_i(Op::BUILD_TUPLE, strings, loc);
        let mut interpolations: i32 = 0;
        for v in values.iter().filter(|v| is_interpolation(v)) {
            self.visit_expr(v)?;
            interpolations += 1;
        }
        self.addop_i(Op::BUILD_TUPLE, interpolations, loc);
        self.addop(Op::BUILD_TEMPLATE, loc);
        Ok(())
    }

    /// `codegen_interpolation`: value, source text, spec if any, then `BUILD_INTERPOLATION`
    /// with 2 or 3 items and the conversion in the bits above.
    pub(super) fn interpolation(
        &mut self,
        e: &Expr,
        value: &Expr,
        text: &PyStr,
        conversion: Conversion,
        format_spec: Option<&Expr>,
    ) -> CompileResult<()> {
        let loc = self.loc(e.range);
        self.visit_expr(value)?;
        self.load_const_ast(&Constant::Str(text.clone()), loc);
        let mut oparg = 2;
        if let Some(spec) = format_spec {
            oparg += 1;
            self.visit_expr(spec)?;
        }
        oparg |= match conversion {
            Conversion::None => 0,
            Conversion::Str => 1 << 2,
            Conversion::Repr => 2 << 2,
            Conversion::Ascii => 3 << 2,
        };
        self.addop_i(Op::BUILD_INTERPOLATION, oparg, loc);
        Ok(())
    }
}
