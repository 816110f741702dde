//! The AST pass (CPython 3.11–3.13 `Python/ast_opt.c`): constant folding with CPython's size
//! limits, `__debug__`, `not (a is b)` → `a is not b`, `'%s' % (x,)` → f-string, and constant
//! tuples/frozensets for `in` and `for` operands. 3.14 keeps only `__debug__` here.

use crate::error::{CompileWarning, WarningCategory};
use crate::fold;
use pyxray_bytecode::PythonVersion;
use pyxray_syntax::ast::*;
use pyxray_syntax::{PyStr, Refill};

/// A range standing for "no location" (CPython's -1 positions on synthesized nodes).
pub const NO_RANGE: TextRange = TextRange { start: u32::MAX, end: u32::MAX };

/// Returns the warnings of the pass (3.14's PEP 765 `'return' in a 'finally' block`), their
/// `lineno` still to be filled in.
pub fn optimize_module(module: &mut Module, future_annotations: bool, version: PythonVersion) -> Vec<CompileWarning> {
    let mut s = State { future_annotations, version, cf_finally: Vec::new(), warnings: Vec::new() };
    s.body(&mut module.body);
    s.warnings
}

struct State {
    future_annotations: bool,
    version: PythonVersion,
    /// PEP 765 contexts (3.14): (in `finally`, in a function definition, in a loop).
    cf_finally: Vec<(bool, bool, bool)>,
    warnings: Vec<CompileWarning>,
}

/// The docstring of a body: its first statement when that is a string constant expression.
pub fn docstring(body: &[Stmt]) -> Option<&PyStr> {
    match &body.first()?.kind {
        StmtKind::Expr(Expr { kind: ExprKind::Constant(Constant::Str(s)), .. }) => Some(s),
        _ => None,
    }
}

fn make_const(node: &mut Expr, value: Option<Constant>) {
    if let Some(v) = value {
        node.kind = ExprKind::Constant(v);
    }
}

impl State {
    fn folds(&self) -> bool {
        self.version <= PythonVersion::V3_13
    }

    fn body(&mut self, stmts: &mut [Stmt]) {
        let had_docstring = docstring(stmts).is_some();
        for s in stmts.iter_mut() {
            self.stmt(s);
        }
        if !had_docstring && docstring(stmts).is_some() {
            // Folding must not turn an expression into a docstring.
            let st = &mut stmts[0];
            if let StmtKind::Expr(value) = &mut st.kind {
                let inner = std::mem::replace(value, Expr::new(st.range, ExprKind::Constant(Constant::None)));
                *value = Expr::new(st.range, ExprKind::JoinedStr(vec![inner]));
            }
        }
    }

    fn stmts(&mut self, stmts: &mut [Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn exprs(&mut self, exprs: &mut [Expr]) {
        for e in exprs {
            self.expr(e);
        }
    }

    fn opt(&mut self, e: &mut Option<Expr>) {
        if let Some(e) = e {
            self.expr(e);
        }
    }

    fn opt_box(&mut self, e: &mut Option<Box<Expr>>) {
        if let Some(e) = e {
            self.expr(e);
        }
    }

    fn arguments(&mut self, a: &mut Arguments) {
        for arg in a.posonlyargs.iter_mut().chain(a.args.iter_mut()) {
            self.arg(arg);
        }
        if let Some(v) = &mut a.vararg {
            self.arg(v);
        }
        for arg in a.kwonlyargs.iter_mut() {
            self.arg(arg);
        }
        for d in a.kw_defaults.iter_mut().flatten() {
            self.expr(d);
        }
        if let Some(k) = &mut a.kwarg {
            self.arg(k);
        }
        self.exprs(&mut a.defaults);
    }

    fn arg(&mut self, a: &mut Arg) {
        if !self.future_annotations {
            self.opt_box(&mut a.annotation);
        }
    }

    fn type_params(&mut self, params: &mut [TypeParam]) {
        for p in params {
            if let TypeParamKind::TypeVar { bound: Some(b) } = &mut p.kind {
                self.expr(b);
            }
        }
    }

    /// `control_flow_in_finally_warning` (3.14, PEP 765).
    fn check_control_flow_in_finally(&mut self, s: &Stmt) {
        if self.version < PythonVersion::V3_14 {
            return;
        }
        let Some(&(in_finally, in_funcdef, in_loop)) = self.cf_finally.last() else { return };
        let kw = match s.kind {
            StmtKind::Return(_) if in_finally && !in_funcdef => "return",
            StmtKind::Break if in_finally && !in_loop => "break",
            StmtKind::Continue if in_finally && !in_loop => "continue",
            _ => return,
        };
        self.warnings.push(CompileWarning {
            category: WarningCategory::SyntaxWarning,
            message: format!("'{kw}' in a 'finally' block"),
            range: s.range,
            lineno: 0,
        });
    }

    /// Visits `stmts` in a new PEP 765 context.
    fn stmts_in_context(&mut self, stmts: &mut [Stmt], finally: bool, funcdef: bool, in_loop: bool) {
        self.cf_finally.push((finally, funcdef, in_loop));
        self.stmts(stmts);
        self.cf_finally.pop();
    }

    fn stmt(&mut self, s: &mut Stmt) {
        self.check_control_flow_in_finally(s);
        match &mut s.kind {
            StmtKind::FunctionDef(f) => {
                self.type_params(&mut f.type_params);
                self.arguments(&mut f.args);
                self.cf_finally.push((false, true, false));
                self.body(&mut f.body);
                self.cf_finally.pop();
                self.exprs(&mut f.decorator_list);
                if !self.future_annotations {
                    self.opt(&mut f.returns);
                }
            }
            StmtKind::ClassDef(c) => {
                self.type_params(&mut c.type_params);
                self.exprs(&mut c.bases);
                for k in &mut c.keywords {
                    self.expr(&mut k.value);
                }
                self.body(&mut c.body);
                self.exprs(&mut c.decorator_list);
            }
            StmtKind::Return(v) => self.opt(v),
            StmtKind::Delete(t) => self.exprs(t),
            StmtKind::Assign { targets, value } => {
                self.exprs(targets);
                self.expr(value);
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(target);
                self.expr(value);
            }
            StmtKind::AnnAssign { target, annotation, value, .. } => {
                self.expr(target);
                if !self.future_annotations {
                    self.expr(annotation);
                }
                self.opt(value);
            }
            StmtKind::TypeAlias { name, type_params, value } => {
                self.expr(name);
                self.type_params(type_params);
                self.expr(value);
            }
            StmtKind::For(f) => {
                self.expr(&mut f.target);
                self.expr(&mut f.iter);
                self.stmts_in_context(&mut f.body, false, false, true);
                self.stmts(&mut f.orelse);
                if !f.is_async {
                    self.fold_iter(&mut f.iter);
                }
            }
            StmtKind::While { test, body, orelse } => {
                self.expr(test);
                self.stmts_in_context(body, false, false, true);
                self.stmts(orelse);
            }
            StmtKind::If { test, body, orelse } => {
                self.expr(test);
                self.stmts(body);
                self.stmts(orelse);
            }
            StmtKind::With(w) => {
                for item in &mut w.items {
                    self.expr(&mut item.context_expr);
                    self.opt(&mut item.optional_vars);
                }
                self.stmts(&mut w.body);
            }
            StmtKind::Raise { exc, cause } => {
                self.opt(exc);
                self.opt(cause);
            }
            StmtKind::Try(t) => {
                self.stmts(&mut t.body);
                for h in &mut t.handlers {
                    self.opt(&mut h.type_);
                    self.stmts(&mut h.body);
                }
                self.stmts(&mut t.orelse);
                self.stmts_in_context(&mut t.finalbody, true, false, false);
            }
            StmtKind::Assert { test, msg } => {
                self.expr(test);
                self.opt(msg);
            }
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Match { subject, cases } => {
                self.expr(subject);
                for case in cases {
                    self.pattern(&mut case.pattern);
                    self.opt(&mut case.guard);
                    self.stmts(&mut case.body);
                }
            }
            StmtKind::Import(_)
            | StmtKind::ImportFrom { .. }
            | StmtKind::Global(_)
            | StmtKind::Nonlocal(_)
            | StmtKind::Pass
            | StmtKind::Break
            | StmtKind::Continue => {}
        }
    }

    fn pattern(&mut self, p: &mut Pattern) {
        match &mut p.kind {
            PatternKind::MatchValue(v) => {
                self.expr(v);
                self.fold_const_match_patterns(v);
            }
            PatternKind::MatchSingleton(_) | PatternKind::MatchStar(_) => {}
            PatternKind::MatchSequence(ps) | PatternKind::MatchOr(ps) => {
                for p in ps {
                    self.pattern(p);
                }
            }
            PatternKind::MatchMapping { keys, patterns, .. } => {
                self.exprs(keys);
                for k in keys.iter_mut() {
                    self.fold_const_match_patterns(k);
                }
                for p in patterns {
                    self.pattern(p);
                }
            }
            PatternKind::MatchClass { cls, patterns, kwd_patterns, .. } => {
                self.expr(cls);
                for p in patterns.iter_mut().chain(kwd_patterns.iter_mut()) {
                    self.pattern(p);
                }
            }
            PatternKind::MatchAs { pattern, .. } => {
                if let Some(p) = pattern {
                    self.pattern(p);
                }
            }
        }
    }

    /// `fold_const_match_patterns` (3.14): the AST pass still folds `-c` and `a ± b` in
    /// patterns (negative numbers and complex literals), though it folds nothing else.
    fn fold_const_match_patterns(&mut self, node: &mut Expr) {
        if self.folds() {
            return;
        }
        match &mut node.kind {
            ExprKind::UnaryOp { op: UnaryOp::USub, operand } => {
                if let ExprKind::Constant(c) = &operand.kind {
                    let folded = fold::unaryop(UnaryOp::USub, c);
                    make_const(node, folded);
                }
            }
            ExprKind::BinOp { left, op: op @ (Operator::Add | Operator::Sub), right } if right.is_constant() => {
                let op = *op;
                self.fold_const_match_patterns(left);
                if let (Some(l), Some(r)) = (left.as_constant(), right.as_constant()) {
                    let folded = fold::binop(op, l, r);
                    make_const(node, folded);
                }
            }
            _ => {}
        }
    }

    fn comprehensions(&mut self, gens: &mut [Comprehension]) {
        for g in gens {
            self.expr(&mut g.target);
            self.expr(&mut g.iter);
            self.exprs(&mut g.ifs);
            self.fold_iter(&mut g.iter);
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        match &mut e.kind {
            ExprKind::BoolOp { values, .. } => self.exprs(values),
            ExprKind::BinOp { left, right, .. } => {
                self.expr(left);
                self.expr(right);
                self.fold_binop(e);
            }
            ExprKind::UnaryOp { operand, .. } => {
                self.expr(operand);
                self.fold_unaryop(e);
            }
            ExprKind::Lambda { args, body } => {
                self.arguments(args);
                self.expr(body);
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(test);
                self.expr(body);
                self.expr(orelse);
            }
            ExprKind::Dict { keys, values } => {
                for k in keys.iter_mut().flatten() {
                    self.expr(k);
                }
                self.exprs(values);
            }
            ExprKind::Set(elts) => self.exprs(elts),
            ExprKind::ListComp { elt, generators }
            | ExprKind::SetComp { elt, generators }
            | ExprKind::GeneratorExp { elt, generators } => {
                self.expr(elt);
                self.comprehensions(generators);
            }
            ExprKind::DictComp { key, value, generators } => {
                self.expr(key);
                self.expr(value);
                self.comprehensions(generators);
            }
            ExprKind::Await(v) | ExprKind::YieldFrom(v) => self.expr(v),
            ExprKind::Yield(v) => self.opt_box(v),
            ExprKind::Compare { left, comparators, ops } => {
                self.expr(left);
                self.exprs(comparators);
                if self.folds() {
                    if let (Some(CmpOp::In | CmpOp::NotIn), Some(last)) = (ops.last(), comparators.last_mut()) {
                        self.fold_iter(last);
                    }
                }
            }
            ExprKind::Call { func, args, keywords } => {
                self.expr(func);
                self.exprs(args);
                for k in keywords {
                    self.expr(&mut k.value);
                }
            }
            ExprKind::FormattedValue { value, format_spec, .. } | ExprKind::Interpolation { value, format_spec, .. } => {
                self.expr(value);
                self.opt_box(format_spec);
            }
            ExprKind::JoinedStr(values) | ExprKind::TemplateStr(values) => self.exprs(values),
            ExprKind::Attribute { value, .. } => self.expr(value),
            ExprKind::Subscript { value, slice, ctx } => {
                self.expr(value);
                self.expr(slice);
                if self.folds() && *ctx == ExprContext::Load {
                    if let (Some(v), Some(i)) = (value.as_constant(), slice.as_constant()) {
                        let folded = fold::subscript(v, i);
                        make_const(e, folded);
                    }
                }
            }
            ExprKind::Starred { value, .. } => self.expr(value),
            ExprKind::Slice { lower, upper, step } => {
                self.opt_box(lower);
                self.opt_box(upper);
                self.opt_box(step);
            }
            ExprKind::List { elts, .. } => self.exprs(elts),
            ExprKind::Tuple { elts, ctx } => {
                self.exprs(elts);
                if self.folds() && *ctx == ExprContext::Load {
                    let folded = make_const_tuple(elts);
                    make_const(e, folded);
                }
            }
            ExprKind::Name { id, ctx } => {
                if *ctx == ExprContext::Load && id == "__debug__" {
                    e.kind = ExprKind::Constant(Constant::Bool(true));
                }
            }
            ExprKind::NamedExpr { value, .. } => self.expr(value),
            ExprKind::Constant(_) => {}
        }
    }

    fn fold_unaryop(&mut self, node: &mut Expr) {
        if !self.folds() {
            return;
        }
        let ExprKind::UnaryOp { op, operand } = &mut node.kind else { return };
        if let ExprKind::Constant(c) = &operand.kind {
            let folded = fold::unaryop(*op, c);
            make_const(node, folded);
            return;
        }
        // Fold `not` into a single comparison: not (a is b) -> a is not b.
        if *op == UnaryOp::Not {
            if let ExprKind::Compare { ops, .. } = &operand.kind {
                if ops.len() == 1 {
                    let inverted = match ops[0] {
                        CmpOp::Is => Some(CmpOp::IsNot),
                        CmpOp::IsNot => Some(CmpOp::Is),
                        CmpOp::In => Some(CmpOp::NotIn),
                        CmpOp::NotIn => Some(CmpOp::In),
                        _ => None,
                    };
                    if let Some(inv) = inverted {
                        let mut inner = std::mem::replace(operand.as_mut(), Expr::new(NO_RANGE, ExprKind::Constant(Constant::None)));
                        if let ExprKind::Compare { ops, .. } = &mut inner.kind {
                            ops[0] = inv;
                        }
                        // COPY_NODE copies the whole node, location included.
                        *node = inner;
                    }
                }
            }
        }
    }

    fn fold_binop(&mut self, node: &mut Expr) {
        let ExprKind::BinOp { left, op, right } = &node.kind else { return };
        let Some(lv) = left.as_constant() else { return };
        if *op == Operator::Mod {
            if let (Some(fmt), ExprKind::Tuple { elts, .. }) = (lv.as_pystr(), &right.kind) {
                if !elts.iter().any(|e| matches!(e.kind, ExprKind::Starred { .. })) {
                    if let Some(joined) = optimize_format(fmt, elts) {
                        node.kind = ExprKind::JoinedStr(joined);
                    }
                    return;
                }
            }
        }
        // 3.14 keeps only the `%`-format rewrite here; the CFG folds the rest.
        if !self.folds() {
            return;
        }
        let Some(rv) = right.as_constant() else { return };
        let folded = fold::binop(*op, lv, rv);
        make_const(node, folded);
    }

    /// `fold_iter`: a list display becomes a tuple (constant when it can be); a set display of
    /// constants becomes a frozenset.
    fn fold_iter(&mut self, arg: &mut Expr) {
        if !self.folds() {
            return;
        }
        match &mut arg.kind {
            ExprKind::List { elts, ctx } => {
                if elts.iter().any(|e| matches!(e.kind, ExprKind::Starred { .. })) {
                    return;
                }
                let folded = make_const_tuple(elts);
                let elts = std::mem::take(elts);
                let ctx = *ctx;
                arg.kind = ExprKind::Tuple { elts, ctx };
                make_const(arg, folded);
            }
            ExprKind::Set(elts) => {
                let folded = make_const_tuple(elts).map(|t| match t {
                    Constant::Tuple(items) => Constant::FrozenSet(dedup_set(items)),
                    other => other,
                });
                make_const(arg, folded);
            }
            _ => {}
        }
    }
}

/// Removes duplicates as building a frozenset would (first occurrence wins, equality by value
/// with Python's numeric equality between bool, int and float).
pub fn dedup_set(items: Vec<Constant>) -> Vec<Constant> {
    let mut out: Vec<Constant> = Vec::with_capacity(items.len());
    for item in items {
        if !out.iter().any(|o| python_eq(o, &item)) {
            out.push(item);
        }
    }
    out
}

/// Python `==` between constants (numbers compare across int/bool/float/complex).
pub fn python_eq(a: &Constant, b: &Constant) -> bool {
    use num_traits::ToPrimitive;
    let num = |c: &Constant| -> Option<(f64, f64, Option<num_bigint::BigInt>)> {
        match c {
            Constant::Bool(x) => Some((*x as u8 as f64, 0.0, Some((*x as u8).into()))),
            Constant::Int(i) => Some((i.to_f64().unwrap_or(f64::NAN), 0.0, Some(i.clone()))),
            Constant::Float(f) => Some((*f, 0.0, None)),
            Constant::Complex { re, im } => Some((*re, *im, None)),
            _ => None,
        }
    };
    match (num(a), num(b)) {
        (Some((ar, ai, aint)), Some((br, bi, bint))) => match (aint, bint) {
            (Some(x), Some(y)) => x == y,
            _ => ar == br && ai == bi,
        },
        (None, None) => match (a, b) {
            (Constant::Tuple(x), Constant::Tuple(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| python_eq(p, q)),
            _ => a == b,
        },
        _ => false,
    }
}

fn make_const_tuple(elts: &[Expr]) -> Option<Constant> {
    let mut out = Vec::with_capacity(elts.len());
    for e in elts {
        out.push(e.as_constant()?.clone());
    }
    Some(Constant::Tuple(out))
}

/// `optimize_format`: `'a%sb%r' % (x, y)` → `f'a{x}b{y!r}'`, only for `%s`, `%r`, `%a` with
/// simple flags and widths, and exactly as many items as format units.
fn optimize_format(fmt: &PyStr, elts: &[Expr]) -> Option<Vec<Expr>> {
    let chars: Vec<char> = fmt.lossy().chars().collect();
    let mut refill = Refill::new(fmt);
    let mut pos = 0usize;
    let mut cnt = 0usize;
    let mut seq = Vec::new();
    loop {
        if let Some(lit) = parse_literal(&chars, &mut pos) {
            seq.push(Expr::new(NO_RANGE, ExprKind::Constant(Constant::Str(refill.fill(&lit)))));
        }
        if pos >= chars.len() {
            break;
        }
        if cnt >= elts.len() {
            return None;
        }
        pos += 1; // the '%'
        let fv = parse_format(&chars, &mut pos, &elts[cnt])?;
        cnt += 1;
        seq.push(fv);
    }
    if cnt < elts.len() {
        return None;
    }
    Some(seq)
}

fn parse_literal(chars: &[char], pos: &mut usize) -> Option<String> {
    let start = *pos;
    let mut p = start;
    let mut out = String::new();
    while p < chars.len() {
        if chars[p] != '%' {
            out.push(chars[p]);
            p += 1;
        } else if p + 1 < chars.len() && chars[p + 1] == '%' {
            out.push('%');
            p += 2;
        } else {
            break;
        }
    }
    *pos = p;
    (p != start).then_some(out)
}

fn parse_format(chars: &[char], pos: &mut usize, arg: &Expr) -> Option<Expr> {
    const MAXDIGITS: usize = 3;
    let mut p = *pos;
    let mut next = || -> Option<char> {
        let c = chars.get(p).copied();
        p += 1;
        c
    };
    let mut ljust = false;
    let mut ch;
    loop {
        ch = next()?;
        match ch {
            '-' => ljust = true,
            '+' | ' ' | '#' | '0' => {}
            _ => break,
        }
    }
    let mut width: i32 = -1;
    let mut prec: i32 = -1;
    if ch.is_ascii_digit() {
        width = 0;
        let mut digits = 0;
        while ch.is_ascii_digit() {
            width = width * 10 + (ch as i32 - '0' as i32);
            ch = next()?;
            digits += 1;
            if digits >= MAXDIGITS {
                return None;
            }
        }
    }
    if ch == '.' {
        ch = next()?;
        prec = 0;
        if ch.is_ascii_digit() {
            let mut digits = 0;
            while ch.is_ascii_digit() {
                prec = prec * 10 + (ch as i32 - '0' as i32);
                ch = next()?;
                digits += 1;
                if digits >= MAXDIGITS {
                    return None;
                }
            }
        }
    }
    *pos = p;
    let conversion = match ch {
        's' => Conversion::Str,
        'r' => Conversion::Repr,
        'a' => Conversion::Ascii,
        _ => return None,
    };
    let mut spec = String::new();
    if !ljust && width > 0 {
        spec.push('>');
    }
    if width >= 0 {
        spec.push_str(&width.to_string());
    }
    if prec >= 0 {
        spec.push_str(&format!(".{prec}"));
    }
    let format_spec = (!spec.is_empty()).then(|| Box::new(Expr::new(NO_RANGE, ExprKind::Constant(Constant::Str(spec.into())))));
    Some(Expr::new(arg.range, ExprKind::FormattedValue { value: Box::new(arg.clone()), conversion, format_spec }))
}
