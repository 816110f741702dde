//! Guards against syntax trees too deep for recursive passes: measures the depth of rustpython's
//! tree without recursion, and takes an over-deep tree apart without recursion (its own `Drop`
//! would overflow the stack on `- - - … 1` a million levels deep).

use rustpython_parser::ast as rp;

enum Ref<'a> {
    Stmt(&'a rp::Stmt),
    Expr(&'a rp::Expr),
    Pattern(&'a rp::Pattern),
}

/// The nesting depth of the deepest statement, expression or pattern, counting each node.
pub(crate) fn max_depth(suite: &[rp::Stmt]) -> usize {
    let mut stack: Vec<(Ref<'_>, usize)> = suite.iter().map(|s| (Ref::Stmt(s), 1)).collect();
    let mut max = 0;
    let mut children = Vec::new();
    while let Some((node, depth)) = stack.pop() {
        max = max.max(depth);
        children.clear();
        match node {
            Ref::Stmt(s) => stmt_children(s, &mut children),
            Ref::Expr(e) => expr_children(e, &mut children),
            Ref::Pattern(p) => pattern_children(p, &mut children),
        }
        stack.extend(children.drain(..).map(|c| (c, depth + 1)));
    }
    max
}

fn push_exprs<'a>(v: &'a [rp::Expr], out: &mut Vec<Ref<'a>>) {
    out.extend(v.iter().map(Ref::Expr));
}

fn push_opt<'a>(e: &'a Option<Box<rp::Expr>>, out: &mut Vec<Ref<'a>>) {
    if let Some(e) = e {
        out.push(Ref::Expr(e));
    }
}

fn push_stmts<'a>(v: &'a [rp::Stmt], out: &mut Vec<Ref<'a>>) {
    out.extend(v.iter().map(Ref::Stmt));
}

fn push_args<'a>(a: &'a rp::Arguments, out: &mut Vec<Ref<'a>>) {
    for awd in a.posonlyargs.iter().chain(&a.args).chain(&a.kwonlyargs) {
        push_opt(&awd.default, out);
        push_opt(&awd.def.annotation, out);
    }
    for arg in a.vararg.iter().chain(&a.kwarg) {
        push_opt(&arg.annotation, out);
    }
}

fn push_comprehensions<'a>(v: &'a [rp::Comprehension], out: &mut Vec<Ref<'a>>) {
    for c in v {
        out.push(Ref::Expr(&c.target));
        out.push(Ref::Expr(&c.iter));
        push_exprs(&c.ifs, out);
    }
}

fn stmt_children<'a>(s: &'a rp::Stmt, out: &mut Vec<Ref<'a>>) {
    use rp::Stmt as S;
    match s {
        S::FunctionDef(f) => {
            push_args(&f.args, out);
            push_stmts(&f.body, out);
            push_exprs(&f.decorator_list, out);
            push_opt(&f.returns, out);
        }
        S::AsyncFunctionDef(f) => {
            push_args(&f.args, out);
            push_stmts(&f.body, out);
            push_exprs(&f.decorator_list, out);
            push_opt(&f.returns, out);
        }
        S::ClassDef(c) => {
            push_exprs(&c.bases, out);
            out.extend(c.keywords.iter().map(|k| Ref::Expr(&k.value)));
            push_stmts(&c.body, out);
            push_exprs(&c.decorator_list, out);
        }
        S::Return(x) => push_opt(&x.value, out),
        S::Delete(x) => push_exprs(&x.targets, out),
        S::Assign(x) => {
            push_exprs(&x.targets, out);
            out.push(Ref::Expr(&x.value));
        }
        S::TypeAlias(x) => {
            out.push(Ref::Expr(&x.name));
            out.push(Ref::Expr(&x.value));
        }
        S::AugAssign(x) => {
            out.push(Ref::Expr(&x.target));
            out.push(Ref::Expr(&x.value));
        }
        S::AnnAssign(x) => {
            out.push(Ref::Expr(&x.target));
            out.push(Ref::Expr(&x.annotation));
            push_opt(&x.value, out);
        }
        S::For(x) => {
            out.push(Ref::Expr(&x.target));
            out.push(Ref::Expr(&x.iter));
            push_stmts(&x.body, out);
            push_stmts(&x.orelse, out);
        }
        S::AsyncFor(x) => {
            out.push(Ref::Expr(&x.target));
            out.push(Ref::Expr(&x.iter));
            push_stmts(&x.body, out);
            push_stmts(&x.orelse, out);
        }
        S::While(x) => {
            out.push(Ref::Expr(&x.test));
            push_stmts(&x.body, out);
            push_stmts(&x.orelse, out);
        }
        S::If(x) => {
            out.push(Ref::Expr(&x.test));
            push_stmts(&x.body, out);
            push_stmts(&x.orelse, out);
        }
        S::With(x) => {
            for i in &x.items {
                out.push(Ref::Expr(&i.context_expr));
                push_opt(&i.optional_vars, out);
            }
            push_stmts(&x.body, out);
        }
        S::AsyncWith(x) => {
            for i in &x.items {
                out.push(Ref::Expr(&i.context_expr));
                push_opt(&i.optional_vars, out);
            }
            push_stmts(&x.body, out);
        }
        S::Match(x) => {
            out.push(Ref::Expr(&x.subject));
            for c in &x.cases {
                out.push(Ref::Pattern(&c.pattern));
                push_opt(&c.guard, out);
                push_stmts(&c.body, out);
            }
        }
        S::Raise(x) => {
            push_opt(&x.exc, out);
            push_opt(&x.cause, out);
        }
        S::Try(x) => {
            push_stmts(&x.body, out);
            for rp::ExceptHandler::ExceptHandler(h) in &x.handlers {
                push_opt(&h.type_, out);
                push_stmts(&h.body, out);
            }
            push_stmts(&x.orelse, out);
            push_stmts(&x.finalbody, out);
        }
        S::TryStar(x) => {
            push_stmts(&x.body, out);
            for rp::ExceptHandler::ExceptHandler(h) in &x.handlers {
                push_opt(&h.type_, out);
                push_stmts(&h.body, out);
            }
            push_stmts(&x.orelse, out);
            push_stmts(&x.finalbody, out);
        }
        S::Assert(x) => {
            out.push(Ref::Expr(&x.test));
            push_opt(&x.msg, out);
        }
        S::Expr(x) => out.push(Ref::Expr(&x.value)),
        S::Import(_)
        | S::ImportFrom(_)
        | S::Global(_)
        | S::Nonlocal(_)
        | S::Pass(_)
        | S::Break(_)
        | S::Continue(_) => {}
    }
}

fn expr_children<'a>(e: &'a rp::Expr, out: &mut Vec<Ref<'a>>) {
    use rp::Expr as E;
    match e {
        E::BoolOp(x) => push_exprs(&x.values, out),
        E::NamedExpr(x) => {
            out.push(Ref::Expr(&x.target));
            out.push(Ref::Expr(&x.value));
        }
        E::BinOp(x) => {
            out.push(Ref::Expr(&x.left));
            out.push(Ref::Expr(&x.right));
        }
        E::UnaryOp(x) => out.push(Ref::Expr(&x.operand)),
        E::Lambda(x) => {
            push_args(&x.args, out);
            out.push(Ref::Expr(&x.body));
        }
        E::IfExp(x) => {
            out.push(Ref::Expr(&x.test));
            out.push(Ref::Expr(&x.body));
            out.push(Ref::Expr(&x.orelse));
        }
        E::Dict(x) => {
            out.extend(x.keys.iter().flatten().map(Ref::Expr));
            push_exprs(&x.values, out);
        }
        E::Set(x) => push_exprs(&x.elts, out),
        E::ListComp(x) => {
            out.push(Ref::Expr(&x.elt));
            push_comprehensions(&x.generators, out);
        }
        E::SetComp(x) => {
            out.push(Ref::Expr(&x.elt));
            push_comprehensions(&x.generators, out);
        }
        E::DictComp(x) => {
            out.push(Ref::Expr(&x.key));
            out.push(Ref::Expr(&x.value));
            push_comprehensions(&x.generators, out);
        }
        E::GeneratorExp(x) => {
            out.push(Ref::Expr(&x.elt));
            push_comprehensions(&x.generators, out);
        }
        E::Await(x) => out.push(Ref::Expr(&x.value)),
        E::Yield(x) => push_opt(&x.value, out),
        E::YieldFrom(x) => out.push(Ref::Expr(&x.value)),
        E::Compare(x) => {
            out.push(Ref::Expr(&x.left));
            push_exprs(&x.comparators, out);
        }
        E::Call(x) => {
            out.push(Ref::Expr(&x.func));
            push_exprs(&x.args, out);
            out.extend(x.keywords.iter().map(|k| Ref::Expr(&k.value)));
        }
        E::FormattedValue(x) => {
            out.push(Ref::Expr(&x.value));
            push_opt(&x.format_spec, out);
        }
        E::JoinedStr(x) => push_exprs(&x.values, out),
        E::Attribute(x) => out.push(Ref::Expr(&x.value)),
        E::Subscript(x) => {
            out.push(Ref::Expr(&x.value));
            out.push(Ref::Expr(&x.slice));
        }
        E::Starred(x) => out.push(Ref::Expr(&x.value)),
        E::List(x) => push_exprs(&x.elts, out),
        E::Tuple(x) => push_exprs(&x.elts, out),
        E::Slice(x) => {
            push_opt(&x.lower, out);
            push_opt(&x.upper, out);
            push_opt(&x.step, out);
        }
        E::Constant(_) | E::Name(_) => {}
    }
}

fn pattern_children<'a>(p: &'a rp::Pattern, out: &mut Vec<Ref<'a>>) {
    use rp::Pattern as P;
    match p {
        P::MatchValue(x) => out.push(Ref::Expr(&x.value)),
        P::MatchSingleton(_) | P::MatchStar(_) => {}
        P::MatchSequence(x) => out.extend(x.patterns.iter().map(Ref::Pattern)),
        P::MatchMapping(x) => {
            push_exprs(&x.keys, out);
            out.extend(x.patterns.iter().map(Ref::Pattern));
        }
        P::MatchClass(x) => {
            out.push(Ref::Expr(&x.cls));
            out.extend(x.patterns.iter().chain(&x.kwd_patterns).map(Ref::Pattern));
        }
        P::MatchAs(x) => {
            if let Some(p) = &x.pattern {
                out.push(Ref::Pattern(p));
            }
        }
        P::MatchOr(x) => out.extend(x.patterns.iter().map(Ref::Pattern)),
    }
}

/// Drops a tree without recursion: every child that could nest is moved onto a heap stack before
/// its parent is dropped, so each `drop` sees only leaves.
pub(crate) fn dismantle(suite: Vec<rp::Stmt>) {
    let mut stmts: Vec<rp::Stmt> = suite;
    let mut exprs: Vec<rp::Expr> = Vec::new();
    loop {
        if let Some(mut s) = stmts.pop() {
            take_stmt_children(&mut s, &mut stmts, &mut exprs);
        } else if let Some(mut e) = exprs.pop() {
            take_expr_children(&mut e, &mut exprs);
        } else {
            break;
        }
    }
}

fn placeholder() -> rp::Expr {
    rp::Expr::Constant(rp::ExprConstant { range: Default::default(), value: rp::Constant::None, kind: None })
}

fn take_box(b: &mut Box<rp::Expr>, exprs: &mut Vec<rp::Expr>) {
    exprs.push(std::mem::replace(&mut **b, placeholder()));
}

fn take_opt(b: &mut Option<Box<rp::Expr>>, exprs: &mut Vec<rp::Expr>) {
    if let Some(b) = b.take() {
        exprs.push(*b);
    }
}

fn take_args(a: &mut rp::Arguments, exprs: &mut Vec<rp::Expr>) {
    for awd in a.posonlyargs.iter_mut().chain(&mut a.args).chain(&mut a.kwonlyargs) {
        take_opt(&mut awd.default, exprs);
        take_opt(&mut awd.def.annotation, exprs);
    }
    for arg in a.vararg.iter_mut().chain(&mut a.kwarg) {
        take_opt(&mut arg.annotation, exprs);
    }
}

fn take_comprehensions(v: &mut Vec<rp::Comprehension>, exprs: &mut Vec<rp::Expr>) {
    for c in v.drain(..) {
        exprs.push(c.target);
        exprs.push(c.iter);
        exprs.extend(c.ifs);
    }
}

fn take_stmt_children(s: &mut rp::Stmt, stmts: &mut Vec<rp::Stmt>, exprs: &mut Vec<rp::Expr>) {
    use rp::Stmt as S;
    match s {
        S::FunctionDef(f) => {
            stmts.append(&mut f.body);
            exprs.append(&mut f.decorator_list);
            take_args(&mut f.args, exprs);
            take_opt(&mut f.returns, exprs);
        }
        S::AsyncFunctionDef(f) => {
            stmts.append(&mut f.body);
            exprs.append(&mut f.decorator_list);
            take_args(&mut f.args, exprs);
            take_opt(&mut f.returns, exprs);
        }
        S::ClassDef(c) => {
            stmts.append(&mut c.body);
            exprs.append(&mut c.bases);
            exprs.append(&mut c.decorator_list);
            exprs.extend(c.keywords.drain(..).map(|k| k.value));
        }
        S::For(x) => {
            stmts.append(&mut x.body);
            stmts.append(&mut x.orelse);
            take_box(&mut x.iter, exprs);
        }
        S::AsyncFor(x) => {
            stmts.append(&mut x.body);
            stmts.append(&mut x.orelse);
            take_box(&mut x.iter, exprs);
        }
        S::While(x) => {
            stmts.append(&mut x.body);
            stmts.append(&mut x.orelse);
            take_box(&mut x.test, exprs);
        }
        S::If(x) => {
            stmts.append(&mut x.body);
            stmts.append(&mut x.orelse);
            take_box(&mut x.test, exprs);
        }
        S::With(x) => {
            stmts.append(&mut x.body);
            exprs.extend(x.items.drain(..).map(|i| i.context_expr));
        }
        S::AsyncWith(x) => {
            stmts.append(&mut x.body);
            exprs.extend(x.items.drain(..).map(|i| i.context_expr));
        }
        S::Match(x) => {
            for c in &mut x.cases {
                stmts.append(&mut c.body);
            }
            take_box(&mut x.subject, exprs);
        }
        S::Try(x) => {
            stmts.append(&mut x.body);
            stmts.append(&mut x.orelse);
            stmts.append(&mut x.finalbody);
            for rp::ExceptHandler::ExceptHandler(h) in &mut x.handlers {
                stmts.append(&mut h.body);
            }
        }
        S::TryStar(x) => {
            stmts.append(&mut x.body);
            stmts.append(&mut x.orelse);
            stmts.append(&mut x.finalbody);
            for rp::ExceptHandler::ExceptHandler(h) in &mut x.handlers {
                stmts.append(&mut h.body);
            }
        }
        S::Return(x) => take_opt(&mut x.value, exprs),
        S::Delete(x) => exprs.append(&mut x.targets),
        S::Assign(x) => {
            exprs.append(&mut x.targets);
            take_box(&mut x.value, exprs);
        }
        S::AugAssign(x) => take_box(&mut x.value, exprs),
        S::AnnAssign(x) => take_opt(&mut x.value, exprs),
        S::Assert(x) => take_box(&mut x.test, exprs),
        S::Expr(x) => take_box(&mut x.value, exprs),
        _ => {}
    }
}

fn take_expr_children(e: &mut rp::Expr, exprs: &mut Vec<rp::Expr>) {
    use rp::Expr as E;
    match e {
        E::BoolOp(x) => exprs.append(&mut x.values),
        E::NamedExpr(x) => take_box(&mut x.value, exprs),
        E::BinOp(x) => {
            take_box(&mut x.left, exprs);
            take_box(&mut x.right, exprs);
        }
        E::UnaryOp(x) => take_box(&mut x.operand, exprs),
        E::Lambda(x) => {
            take_box(&mut x.body, exprs);
            take_args(&mut x.args, exprs);
        }
        E::IfExp(x) => {
            take_box(&mut x.test, exprs);
            take_box(&mut x.body, exprs);
            take_box(&mut x.orelse, exprs);
        }
        E::Dict(x) => {
            exprs.extend(x.keys.drain(..).flatten());
            exprs.append(&mut x.values);
        }
        E::Set(x) => exprs.append(&mut x.elts),
        E::ListComp(x) => {
            take_box(&mut x.elt, exprs);
            take_comprehensions(&mut x.generators, exprs);
        }
        E::SetComp(x) => {
            take_box(&mut x.elt, exprs);
            take_comprehensions(&mut x.generators, exprs);
        }
        E::DictComp(x) => {
            take_box(&mut x.key, exprs);
            take_box(&mut x.value, exprs);
            take_comprehensions(&mut x.generators, exprs);
        }
        E::GeneratorExp(x) => {
            take_box(&mut x.elt, exprs);
            take_comprehensions(&mut x.generators, exprs);
        }
        E::Await(x) => take_box(&mut x.value, exprs),
        E::Yield(x) => take_opt(&mut x.value, exprs),
        E::YieldFrom(x) => take_box(&mut x.value, exprs),
        E::Compare(x) => {
            take_box(&mut x.left, exprs);
            exprs.append(&mut x.comparators);
        }
        E::Call(x) => {
            take_box(&mut x.func, exprs);
            exprs.append(&mut x.args);
            exprs.extend(x.keywords.drain(..).map(|k| k.value));
        }
        E::FormattedValue(x) => {
            take_box(&mut x.value, exprs);
            take_opt(&mut x.format_spec, exprs);
        }
        E::JoinedStr(x) => exprs.append(&mut x.values),
        E::Attribute(x) => take_box(&mut x.value, exprs),
        E::Subscript(x) => {
            take_box(&mut x.value, exprs);
            take_box(&mut x.slice, exprs);
        }
        E::Starred(x) => take_box(&mut x.value, exprs),
        E::List(x) => exprs.append(&mut x.elts),
        E::Tuple(x) => exprs.append(&mut x.elts),
        E::Slice(x) => {
            take_opt(&mut x.lower, exprs);
            take_opt(&mut x.upper, exprs);
            take_opt(&mut x.step, exprs);
        }
        E::Constant(_) | E::Name(_) => {}
    }
}
