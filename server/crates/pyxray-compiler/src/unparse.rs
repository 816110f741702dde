//! `_PyAST_ExprAsUnicode` (CPython `Python/ast_unparse.c`): the source text CPython stores for an
//! annotation under `from __future__ import annotations`, with its precedence-driven parentheses.

use crate::consts;
use pyxray_bytecode::{repr, PythonVersion};
use pyxray_syntax::ast::*;

const PR_TUPLE: u8 = 0;
const PR_TEST: u8 = 1;
const PR_OR: u8 = 2;
const PR_AND: u8 = 3;
const PR_NOT: u8 = 4;
const PR_CMP: u8 = 5;
const PR_EXPR: u8 = 6;
const PR_BOR: u8 = PR_EXPR;
const PR_BXOR: u8 = 7;
const PR_BAND: u8 = 8;
const PR_SHIFT: u8 = 9;
const PR_ARITH: u8 = 10;
const PR_TERM: u8 = 11;
const PR_FACTOR: u8 = 12;
const PR_POWER: u8 = 13;
const PR_AWAIT: u8 = 14;
const PR_ATOM: u8 = 15;

/// The annotation as CPython's unparser writes it.
pub fn unparse_annotation(e: &Expr, version: PythonVersion) -> String {
    let mut out = Out { text: String::new(), version };
    expr(&mut out, e, PR_TEST);
    out.text
}

/// The text being written and the release whose `repr` rules apply to constants.
struct Out {
    text: String,
    version: PythonVersion,
}

impl Out {
    fn nested(&self) -> Out {
        Out { text: String::new(), version: self.version }
    }

    fn push(&mut self, c: char) {
        self.text.push(c);
    }

    fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }
}

fn open(out: &mut Out, cond: bool) {
    if cond {
        out.push('(');
    }
}

fn close(out: &mut Out, cond: bool) {
    if cond {
        out.push(')');
    }
}

fn constant_repr(c: &Constant, version: PythonVersion) -> String {
    let r = repr::repr(&consts::from_ast(c), version);
    match c {
        Constant::Float(f) if f.is_infinite() => r.replace("inf", "1e309"),
        Constant::Complex { .. } => r.replace("inf", "1e309"),
        _ => r,
    }
}

fn constant(out: &mut Out, c: &Constant) {
    match c {
        Constant::Tuple(items) => {
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                constant(out, item);
            }
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        other => out.push_str(&constant_repr(other, out.version)),
    }
}

fn arg(out: &mut Out, a: &Arg) {
    out.push_str(&a.arg);
    if let Some(ann) = &a.annotation {
        out.push_str(": ");
        expr(out, ann, PR_TEST);
    }
}

fn args(out: &mut Out, a: &Arguments) {
    let mut first = true;
    let mut sep = |out: &mut Out| {
        if !first {
            out.push_str(", ");
        }
        first = false;
    };
    let npos = a.posonlyargs.len();
    let nargs = a.args.len();
    let ndefaults = a.defaults.len() as isize;
    for i in 0..npos + nargs {
        sep(out);
        if i < npos {
            arg(out, &a.posonlyargs[i]);
        } else {
            arg(out, &a.args[i - npos]);
        }
        let di = i as isize - npos as isize - nargs as isize + ndefaults;
        if di >= 0 {
            out.push('=');
            expr(out, &a.defaults[di as usize], PR_TEST);
        }
        if npos > 0 && i + 1 == npos {
            out.push_str(", /");
        }
    }
    if a.vararg.is_some() || !a.kwonlyargs.is_empty() {
        sep(out);
        out.push('*');
        if let Some(v) = &a.vararg {
            arg(out, v);
        }
    }
    for (i, k) in a.kwonlyargs.iter().enumerate() {
        sep(out);
        arg(out, k);
        if let Some(Some(d)) = a.kw_defaults.get(i) {
            out.push('=');
            expr(out, d, PR_TEST);
        }
    }
    if let Some(k) = &a.kwarg {
        sep(out);
        out.push_str("**");
        arg(out, k);
    }
}

fn comprehensions(out: &mut Out, gens: &[Comprehension]) {
    for g in gens {
        out.push_str(if g.is_async { " async for " } else { " for " });
        expr(out, &g.target, PR_TUPLE);
        out.push_str(" in ");
        expr(out, &g.iter, PR_TEST + 1);
        for cond in &g.ifs {
            out.push_str(" if ");
            expr(out, cond, PR_TEST + 1);
        }
    }
}

fn fstring_element(out: &mut Out, e: &Expr, is_format_spec: bool) {
    match &e.kind {
        ExprKind::Constant(Constant::Str(s)) => out.push_str(&s.lossy().replace('{', "{{").replace('}', "}}")),
        ExprKind::JoinedStr(values) => joinedstr(out, values, is_format_spec),
        ExprKind::FormattedValue { value, conversion, format_spec } => {
            formatted_value(out, value, *conversion, format_spec.as_deref())
        }
        ExprKind::Interpolation { str, conversion, format_spec, .. } => {
            interpolation(out, str, *conversion, format_spec.as_deref())
        }
        _ => {}
    }
}

/// `append_templatestr`: `t` and the quoted body.
fn templatestr(out: &mut Out, values: &[Expr]) {
    let mut body = out.nested();
    for v in values {
        fstring_element(&mut body, v, false);
    }
    out.push('t');
    out.push_str(&repr::str_repr(&body.text, out.version));
}

/// `append_interpolation`: the expression as written (`Interpolation.str`), not unparsed.
fn interpolation(out: &mut Out, text: &pyxray_syntax::PyStr, conversion: Conversion, spec: Option<&Expr>) {
    let text = text.lossy();
    out.push_str(if text.starts_with('{') { "{ " } else { "{" });
    out.push_str(text);
    conversion_suffix(out, conversion);
    if let Some(spec) = spec {
        out.push(':');
        fstring_element(out, spec, true);
    }
    out.push('}');
}

fn conversion_suffix(out: &mut Out, conversion: Conversion) {
    match conversion {
        Conversion::None => {}
        Conversion::Ascii => out.push_str("!a"),
        Conversion::Repr => out.push_str("!r"),
        Conversion::Str => out.push_str("!s"),
    }
}

fn joinedstr(out: &mut Out, values: &[Expr], is_format_spec: bool) {
    let mut body = out.nested();
    for v in values {
        fstring_element(&mut body, v, is_format_spec);
    }
    if is_format_spec {
        out.push_str(&body.text);
    } else {
        out.push('f');
        out.push_str(&repr::str_repr(&body.text, out.version));
    }
}

fn formatted_value(out: &mut Out, value: &Expr, conversion: Conversion, spec: Option<&Expr>) {
    let mut inner = out.nested();
    expr(&mut inner, value, PR_TEST + 1);
    out.push_str(if inner.text.starts_with('{') { "{ " } else { "{" });
    out.push_str(&inner.text);
    conversion_suffix(out, conversion);
    if let Some(spec) = spec {
        out.push(':');
        fstring_element(out, spec, true);
    }
    out.push('}');
}

fn seq(out: &mut Out, elts: &[Expr]) {
    for (i, e) in elts.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        expr(out, e, PR_TEST);
    }
}

fn expr(out: &mut Out, e: &Expr, level: u8) {
    match &e.kind {
        ExprKind::BoolOp { op, values } => {
            let (text, pr) = if *op == BoolOp::And { (" and ", PR_AND) } else { (" or ", PR_OR) };
            open(out, level > pr);
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push_str(text);
                }
                expr(out, v, pr + 1);
            }
            close(out, level > pr);
        }
        ExprKind::BinOp { left, op, right } => {
            let (text, pr, rassoc) = match op {
                Operator::Add => (" + ", PR_ARITH, false),
                Operator::Sub => (" - ", PR_ARITH, false),
                Operator::Mult => (" * ", PR_TERM, false),
                Operator::MatMult => (" @ ", PR_TERM, false),
                Operator::Div => (" / ", PR_TERM, false),
                Operator::Mod => (" % ", PR_TERM, false),
                Operator::LShift => (" << ", PR_SHIFT, false),
                Operator::RShift => (" >> ", PR_SHIFT, false),
                Operator::BitOr => (" | ", PR_BOR, false),
                Operator::BitXor => (" ^ ", PR_BXOR, false),
                Operator::BitAnd => (" & ", PR_BAND, false),
                Operator::FloorDiv => (" // ", PR_TERM, false),
                Operator::Pow => (" ** ", PR_POWER, true),
            };
            open(out, level > pr);
            expr(out, left, pr + rassoc as u8);
            out.push_str(text);
            expr(out, right, pr + !rassoc as u8);
            close(out, level > pr);
        }
        ExprKind::UnaryOp { op, operand } => {
            let (text, pr) = match op {
                UnaryOp::Invert => ("~", PR_FACTOR),
                UnaryOp::Not => ("not ", PR_NOT),
                UnaryOp::UAdd => ("+", PR_FACTOR),
                UnaryOp::USub => ("-", PR_FACTOR),
            };
            open(out, level > pr);
            out.push_str(text);
            expr(out, operand, pr);
            close(out, level > pr);
        }
        ExprKind::Lambda { args: a, body } => {
            open(out, level > PR_TEST);
            let npos = a.args.len() + a.posonlyargs.len();
            out.push_str(if npos > 0 { "lambda " } else { "lambda" });
            args(out, a);
            out.push_str(": ");
            expr(out, body, PR_TEST);
            close(out, level > PR_TEST);
        }
        ExprKind::IfExp { test, body, orelse } => {
            open(out, level > PR_TEST);
            expr(out, body, PR_TEST + 1);
            out.push_str(" if ");
            expr(out, test, PR_TEST + 1);
            out.push_str(" else ");
            expr(out, orelse, PR_TEST);
            close(out, level > PR_TEST);
        }
        ExprKind::Dict { keys, values } => {
            out.push('{');
            for (i, (k, v)) in keys.iter().zip(values).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match k {
                    Some(k) => {
                        expr(out, k, PR_TEST);
                        out.push_str(": ");
                        expr(out, v, PR_TEST);
                    }
                    None => {
                        out.push_str("**");
                        expr(out, v, PR_EXPR);
                    }
                }
            }
            out.push('}');
        }
        ExprKind::Set(elts) => {
            out.push('{');
            seq(out, elts);
            out.push('}');
        }
        ExprKind::GeneratorExp { elt, generators } => {
            out.push('(');
            expr(out, elt, PR_TEST);
            comprehensions(out, generators);
            out.push(')');
        }
        ExprKind::ListComp { elt, generators } => {
            out.push('[');
            expr(out, elt, PR_TEST);
            comprehensions(out, generators);
            out.push(']');
        }
        ExprKind::SetComp { elt, generators } => {
            out.push('{');
            expr(out, elt, PR_TEST);
            comprehensions(out, generators);
            out.push('}');
        }
        ExprKind::DictComp { key, value, generators } => {
            out.push('{');
            expr(out, key, PR_TEST);
            out.push_str(": ");
            expr(out, value, PR_TEST);
            comprehensions(out, generators);
            out.push('}');
        }
        ExprKind::Yield(value) => match value {
            None => out.push_str("(yield)"),
            Some(v) => {
                out.push_str("(yield ");
                expr(out, v, PR_TEST);
                out.push(')');
            }
        },
        ExprKind::YieldFrom(v) => {
            out.push_str("(yield from ");
            expr(out, v, PR_TEST);
            out.push(')');
        }
        ExprKind::Await(v) => {
            open(out, level > PR_AWAIT);
            out.push_str("await ");
            expr(out, v, PR_ATOM);
            close(out, level > PR_AWAIT);
        }
        ExprKind::Compare { left, ops, comparators } => {
            open(out, level > PR_CMP);
            expr(out, left, PR_CMP + 1);
            for (op, c) in ops.iter().zip(comparators) {
                out.push_str(match op {
                    CmpOp::Eq => " == ",
                    CmpOp::NotEq => " != ",
                    CmpOp::Lt => " < ",
                    CmpOp::LtE => " <= ",
                    CmpOp::Gt => " > ",
                    CmpOp::GtE => " >= ",
                    CmpOp::Is => " is ",
                    CmpOp::IsNot => " is not ",
                    CmpOp::In => " in ",
                    CmpOp::NotIn => " not in ",
                });
                expr(out, c, PR_CMP + 1);
            }
            close(out, level > PR_CMP);
        }
        ExprKind::Call { func, args: call_args, keywords } => {
            expr(out, func, PR_ATOM);
            if call_args.len() == 1 && keywords.is_empty() {
                if let ExprKind::GeneratorExp { .. } = &call_args[0].kind {
                    expr(out, &call_args[0], PR_TEST);
                    return;
                }
            }
            out.push('(');
            let mut first = true;
            for a in call_args {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                expr(out, a, PR_TEST);
            }
            for k in keywords {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                match &k.arg {
                    None => out.push_str("**"),
                    Some(name) => {
                        out.push_str(name);
                        out.push('=');
                    }
                }
                expr(out, &k.value, PR_TEST);
            }
            out.push(')');
        }
        ExprKind::Constant(Constant::Ellipsis) => out.push_str("..."),
        ExprKind::Constant(c) => constant(out, c),
        ExprKind::JoinedStr(values) => joinedstr(out, values, false),
        ExprKind::FormattedValue { value, conversion, format_spec } => {
            formatted_value(out, value, *conversion, format_spec.as_deref())
        }
        ExprKind::TemplateStr(values) => templatestr(out, values),
        ExprKind::Interpolation { str, conversion, format_spec, .. } => {
            interpolation(out, str, *conversion, format_spec.as_deref())
        }
        ExprKind::Attribute { value, attr, .. } => {
            expr(out, value, PR_ATOM);
            let int_const = matches!(value.kind, ExprKind::Constant(Constant::Int(_)));
            out.push_str(if int_const { " ." } else { "." });
            out.push_str(attr);
        }
        ExprKind::Subscript { value, slice, .. } => {
            expr(out, value, PR_ATOM);
            out.push('[');
            expr(out, slice, PR_TUPLE);
            out.push(']');
        }
        ExprKind::Starred { value, .. } => {
            out.push('*');
            expr(out, value, PR_EXPR);
        }
        ExprKind::Slice { lower, upper, step } => {
            if let Some(l) = lower {
                expr(out, l, PR_TEST);
            }
            out.push(':');
            if let Some(u) = upper {
                expr(out, u, PR_TEST);
            }
            if let Some(s) = step {
                out.push(':');
                expr(out, s, PR_TEST);
            }
        }
        ExprKind::Name { id, .. } => out.push_str(id),
        ExprKind::List { elts, .. } => {
            out.push('[');
            seq(out, elts);
            out.push(']');
        }
        ExprKind::Tuple { elts, .. } => {
            if elts.is_empty() {
                out.push_str("()");
                return;
            }
            open(out, level > PR_TUPLE);
            seq(out, elts);
            if elts.len() == 1 {
                out.push(',');
            }
            close(out, level > PR_TUPLE);
        }
        ExprKind::NamedExpr { target, value } => {
            open(out, level > PR_TUPLE);
            expr(out, target, PR_ATOM);
            out.push_str(" := ");
            expr(out, value, PR_ATOM);
            close(out, level > PR_TUPLE);
        }
    }
}
