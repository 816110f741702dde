//! Moving a syntax tree's byte ranges by a fixed amount: statements kept from the previous parse
//! of a file sit after an edit that changed the text's length. Every node kind is matched
//! exhaustively, so a new kind of node cannot be forgotten here.

use crate::ast::*;

/// Moves every byte range in `stmts` by `delta` (negative when the text before them shrank).
pub(crate) fn shift_stmts(stmts: &mut [Stmt], delta: i64) {
    if delta != 0 {
        let mut s = Shift(delta);
        for stmt in stmts {
            s.stmt(stmt);
        }
    }
}

struct Shift(i64);

impl Shift {
    fn range(&self, r: &mut TextRange) {
        let at = |offset: u32| u32::try_from(i64::from(offset) + self.0).unwrap_or(0);
        *r = TextRange::new(at(r.start), at(r.end));
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

    fn stmt(&mut self, s: &mut Stmt) {
        self.range(&mut s.range);
        match &mut s.kind {
            StmtKind::FunctionDef(f) => {
                self.range(&mut f.name_range);
                self.arguments(&mut f.args);
                self.stmts(&mut f.body);
                self.exprs(&mut f.decorator_list);
                self.opt(&mut f.returns);
                self.type_params(&mut f.type_params);
            }
            StmtKind::ClassDef(c) => {
                self.range(&mut c.name_range);
                self.exprs(&mut c.bases);
                self.keywords(&mut c.keywords);
                self.stmts(&mut c.body);
                self.exprs(&mut c.decorator_list);
                self.type_params(&mut c.type_params);
            }
            StmtKind::Return(value) => self.opt(value),
            StmtKind::Delete(targets) => self.exprs(targets),
            StmtKind::Assign { targets, value } => {
                self.exprs(targets);
                self.expr(value);
            }
            StmtKind::TypeAlias { name, type_params, value } => {
                self.expr(name);
                self.type_params(type_params);
                self.expr(value);
            }
            StmtKind::AugAssign { target, op: _, value } => {
                self.expr(target);
                self.expr(value);
            }
            StmtKind::AnnAssign { target, annotation, value, simple: _ } => {
                self.expr(target);
                self.expr(annotation);
                self.opt(value);
            }
            StmtKind::For(f) => {
                self.expr(&mut f.target);
                self.expr(&mut f.iter);
                self.stmts(&mut f.body);
                self.stmts(&mut f.orelse);
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
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
            StmtKind::Match { subject, cases } => {
                self.expr(subject);
                for case in cases {
                    self.pattern(&mut case.pattern);
                    self.opt(&mut case.guard);
                    self.stmts(&mut case.body);
                }
            }
            StmtKind::Raise { exc, cause } => {
                self.opt(exc);
                self.opt(cause);
            }
            StmtKind::Try(t) => {
                self.stmts(&mut t.body);
                for h in &mut t.handlers {
                    self.range(&mut h.range);
                    self.opt(&mut h.type_);
                    self.stmts(&mut h.body);
                }
                self.stmts(&mut t.orelse);
                self.stmts(&mut t.finalbody);
            }
            StmtKind::Assert { test, msg } => {
                self.expr(test);
                self.opt(msg);
            }
            StmtKind::Import(names) | StmtKind::ImportFrom { names, .. } => {
                for alias in names {
                    self.range(&mut alias.range);
                }
            }
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Global(_) | StmtKind::Nonlocal(_) | StmtKind::Pass | StmtKind::Break | StmtKind::Continue => {}
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        self.range(&mut e.range);
        match &mut e.kind {
            ExprKind::BoolOp { values, .. } => self.exprs(values),
            ExprKind::NamedExpr { target, value } => {
                self.expr(target);
                self.expr(value);
            }
            ExprKind::BinOp { left, right, .. } => {
                self.expr(left);
                self.expr(right);
            }
            ExprKind::UnaryOp { operand, .. } => self.expr(operand),
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
                for key in keys {
                    self.opt(key);
                }
                self.exprs(values);
            }
            ExprKind::Set(elts) | ExprKind::JoinedStr(elts) | ExprKind::TemplateStr(elts) => self.exprs(elts),
            ExprKind::List { elts, .. } | ExprKind::Tuple { elts, .. } => self.exprs(elts),
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
            ExprKind::Await(value) | ExprKind::YieldFrom(value) => self.expr(value),
            ExprKind::Yield(value) => self.opt_box(value),
            ExprKind::Compare { left, comparators, .. } => {
                self.expr(left);
                self.exprs(comparators);
            }
            ExprKind::Call { func, args, keywords } => {
                self.expr(func);
                self.exprs(args);
                self.keywords(keywords);
            }
            ExprKind::FormattedValue { value, format_spec, .. } | ExprKind::Interpolation { value, format_spec, .. } => {
                self.expr(value);
                self.opt_box(format_spec);
            }
            ExprKind::Attribute { value, .. } | ExprKind::Starred { value, .. } => self.expr(value),
            ExprKind::Subscript { value, slice, .. } => {
                self.expr(value);
                self.expr(slice);
            }
            ExprKind::Slice { lower, upper, step } => {
                self.opt_box(lower);
                self.opt_box(upper);
                self.opt_box(step);
            }
            ExprKind::Constant(_) | ExprKind::Name { .. } => {}
        }
    }

    fn comprehensions(&mut self, generators: &mut [Comprehension]) {
        for g in generators {
            self.expr(&mut g.target);
            self.expr(&mut g.iter);
            self.exprs(&mut g.ifs);
        }
    }

    fn keywords(&mut self, keywords: &mut [Keyword]) {
        for k in keywords {
            self.range(&mut k.range);
            self.expr(&mut k.value);
        }
    }

    fn arg(&mut self, a: &mut Arg) {
        self.range(&mut a.range);
        self.opt_box(&mut a.annotation);
    }

    fn arguments(&mut self, a: &mut Arguments) {
        for arg in a.posonlyargs.iter_mut().chain(a.args.iter_mut()).chain(a.kwonlyargs.iter_mut()) {
            self.arg(arg);
        }
        for arg in a.vararg.iter_mut().chain(a.kwarg.iter_mut()) {
            self.arg(arg);
        }
        for default in &mut a.kw_defaults {
            self.opt(default);
        }
        self.exprs(&mut a.defaults);
    }

    fn type_params(&mut self, params: &mut [TypeParam]) {
        for p in params {
            self.range(&mut p.range);
            match &mut p.kind {
                TypeParamKind::TypeVar { bound } => self.opt_box(bound),
                TypeParamKind::ParamSpec | TypeParamKind::TypeVarTuple => {}
            }
        }
    }

    fn pattern(&mut self, p: &mut Pattern) {
        self.range(&mut p.range);
        match &mut p.kind {
            PatternKind::MatchValue(e) => self.expr(e),
            PatternKind::MatchSingleton(_) | PatternKind::MatchStar(_) => {}
            PatternKind::MatchSequence(ps) | PatternKind::MatchOr(ps) => {
                for p in ps {
                    self.pattern(p);
                }
            }
            PatternKind::MatchMapping { keys, patterns, .. } => {
                self.exprs(keys);
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
}
