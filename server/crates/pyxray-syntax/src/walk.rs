//! Generic traversal of the syntax tree: the children of any node in source order, and a
//! pre-order walk that uses an explicit stack (so a deeply nested tree cannot overflow the call
//! stack). Analyses that only need "every expression" or "the innermost node at an offset" use
//! this instead of writing their own visitor.

use crate::ast::*;

/// A reference to any node of the tree.
#[derive(Clone, Copy, Debug)]
pub enum Node<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
    Pattern(&'a Pattern),
    /// A comprehension's `for … in … if …` clause.
    Comprehension(&'a Comprehension),
    Handler(&'a ExceptHandler),
    Arg(&'a Arg),
    Keyword(&'a Keyword),
    TypeParam(&'a TypeParam),
}

impl<'a> Node<'a> {
    /// The node's source range, where it has one (comprehension clauses do not: theirs is the
    /// cover of target, iterable and conditions).
    pub fn range(&self) -> TextRange {
        match self {
            Node::Stmt(s) => s.range,
            Node::Expr(e) => e.range,
            Node::Pattern(p) => p.range,
            Node::Comprehension(c) => c.ifs.iter().fold(c.target.range.cover(c.iter.range), |r, e| r.cover(e.range)),
            Node::Handler(h) => h.range,
            Node::Arg(a) => a.range,
            Node::Keyword(k) => k.range,
            Node::TypeParam(t) => t.range,
        }
    }

    /// The source the node spans, including what CPython leaves out of its range: a decorated
    /// `def` or `class` starts at its first decorator.
    pub fn extent(&self) -> TextRange {
        let decorators = match self {
            Node::Stmt(Stmt { kind: StmtKind::FunctionDef(f), .. }) => f.decorator_list.first(),
            Node::Stmt(Stmt { kind: StmtKind::ClassDef(c), .. }) => c.decorator_list.first(),
            _ => None,
        };
        decorators.map_or(self.range(), |d| self.range().cover(d.range))
    }

    /// The direct children, in source order.
    pub fn children(&self) -> Vec<Node<'a>> {
        let mut out = Vec::new();
        match *self {
            Node::Stmt(s) => stmt_children(s, &mut out),
            Node::Expr(e) => expr_children(e, &mut out),
            Node::Pattern(p) => pattern_children(p, &mut out),
            Node::Comprehension(c) => {
                out.push(Node::Expr(&c.target));
                out.push(Node::Expr(&c.iter));
                out.extend(c.ifs.iter().map(Node::Expr));
            }
            Node::Handler(h) => {
                out.extend(h.type_.iter().map(Node::Expr));
                out.extend(h.body.iter().map(Node::Stmt));
            }
            Node::Arg(a) => out.extend(a.annotation.as_deref().map(Node::Expr)),
            Node::Keyword(k) => out.push(Node::Expr(&k.value)),
            Node::TypeParam(t) => {
                if let TypeParamKind::TypeVar { bound: Some(b) } = &t.kind {
                    out.push(Node::Expr(b));
                }
            }
        }
        out
    }
}

/// Calls `f` on every node of `body` in pre-order (a node before its children, children in
/// source order). `f` returns whether to descend into the node's children.
pub fn walk<'a>(body: &'a [Stmt], mut f: impl FnMut(Node<'a>) -> bool) {
    let mut stack: Vec<Node<'a>> = body.iter().rev().map(Node::Stmt).collect();
    while let Some(node) = stack.pop() {
        if f(node) {
            let children = node.children();
            stack.extend(children.into_iter().rev());
        }
    }
}

/// The chain of nodes containing `offset`, outermost first (touching counts at a node's end, so
/// a cursor just after a name is on it).
pub fn nodes_at(body: &[Stmt], offset: u32) -> Vec<Node<'_>> {
    let mut chain = Vec::new();
    let mut candidates: Vec<Node<'_>> = body.iter().map(Node::Stmt).collect();
    loop {
        // A node the offset is inside wins over one it merely ends at (`f(` : the call's paren,
        // not the name before it).
        // An f-string's `{x=}` debug text is a constant over the same source as `x`: the
        // expression wins.
        let is_constant = |n: &Node<'_>| matches!(n, Node::Expr(Expr { kind: ExprKind::Constant(_), .. }));
        let mut containing = candidates.iter().copied().filter(|n| n.extent().contains(offset));
        let first = containing.next();
        let inside = match first {
            Some(n) if is_constant(&n) => containing.find(|n| !is_constant(n)).or(first),
            other => other,
        };
        let Some(found) = inside.or_else(|| candidates.iter().copied().find(|n| n.extent().touches(offset))) else {
            break;
        };
        chain.push(found);
        candidates = found.children();
    }
    chain
}

fn args_children<'a>(a: &'a Arguments, out: &mut Vec<Node<'a>>) {
    // Source order: positional parameters with their defaults, `*args`, keyword-only ones with
    // theirs, `**kwargs`.
    let positional: Vec<&Arg> = a.posonlyargs.iter().chain(a.args.iter()).collect();
    let first_default = positional.len() - a.defaults.len().min(positional.len());
    for (i, arg) in positional.iter().enumerate() {
        out.push(Node::Arg(arg));
        if i >= first_default {
            out.push(Node::Expr(&a.defaults[i - first_default]));
        }
    }
    out.extend(a.vararg.iter().map(Node::Arg));
    for (arg, default) in a.kwonlyargs.iter().zip(a.kw_defaults.iter()) {
        out.push(Node::Arg(arg));
        out.extend(default.iter().map(Node::Expr));
    }
    out.extend(a.kwarg.iter().map(Node::Arg));
}

fn stmt_children<'a>(s: &'a Stmt, out: &mut Vec<Node<'a>>) {
    match &s.kind {
        StmtKind::FunctionDef(f) => {
            out.extend(f.decorator_list.iter().map(Node::Expr));
            out.extend(f.type_params.iter().map(Node::TypeParam));
            args_children(&f.args, out);
            out.extend(f.returns.iter().map(Node::Expr));
            out.extend(f.body.iter().map(Node::Stmt));
        }
        StmtKind::ClassDef(c) => {
            out.extend(c.decorator_list.iter().map(Node::Expr));
            out.extend(c.type_params.iter().map(Node::TypeParam));
            out.extend(c.bases.iter().map(Node::Expr));
            out.extend(c.keywords.iter().map(Node::Keyword));
            out.extend(c.body.iter().map(Node::Stmt));
        }
        StmtKind::Return(v) => out.extend(v.iter().map(Node::Expr)),
        StmtKind::Delete(targets) => out.extend(targets.iter().map(Node::Expr)),
        StmtKind::Assign { targets, value } => {
            out.extend(targets.iter().map(Node::Expr));
            out.push(Node::Expr(value));
        }
        StmtKind::TypeAlias { name, type_params, value } => {
            out.push(Node::Expr(name));
            out.extend(type_params.iter().map(Node::TypeParam));
            out.push(Node::Expr(value));
        }
        StmtKind::AugAssign { target, value, .. } => {
            out.push(Node::Expr(target));
            out.push(Node::Expr(value));
        }
        StmtKind::AnnAssign { target, annotation, value, .. } => {
            out.push(Node::Expr(target));
            out.push(Node::Expr(annotation));
            out.extend(value.iter().map(Node::Expr));
        }
        StmtKind::For(f) => {
            out.push(Node::Expr(&f.target));
            out.push(Node::Expr(&f.iter));
            out.extend(f.body.iter().chain(f.orelse.iter()).map(Node::Stmt));
        }
        StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
            out.push(Node::Expr(test));
            out.extend(body.iter().chain(orelse.iter()).map(Node::Stmt));
        }
        StmtKind::With(w) => {
            for item in &w.items {
                out.push(Node::Expr(&item.context_expr));
                out.extend(item.optional_vars.iter().map(Node::Expr));
            }
            out.extend(w.body.iter().map(Node::Stmt));
        }
        StmtKind::Match { subject, cases } => {
            out.push(Node::Expr(subject));
            for case in cases {
                out.push(Node::Pattern(&case.pattern));
                out.extend(case.guard.iter().map(Node::Expr));
                out.extend(case.body.iter().map(Node::Stmt));
            }
        }
        StmtKind::Raise { exc, cause } => {
            out.extend(exc.iter().map(Node::Expr));
            out.extend(cause.iter().map(Node::Expr));
        }
        StmtKind::Try(t) => {
            out.extend(t.body.iter().map(Node::Stmt));
            out.extend(t.handlers.iter().map(Node::Handler));
            out.extend(t.orelse.iter().chain(t.finalbody.iter()).map(Node::Stmt));
        }
        StmtKind::Assert { test, msg } => {
            out.push(Node::Expr(test));
            out.extend(msg.iter().map(Node::Expr));
        }
        StmtKind::Expr(e) => out.push(Node::Expr(e)),
        StmtKind::Import(_)
        | StmtKind::ImportFrom { .. }
        | StmtKind::Global(_)
        | StmtKind::Nonlocal(_)
        | StmtKind::Pass
        | StmtKind::Break
        | StmtKind::Continue => {}
    }
}

fn comprehension_children<'a>(elts: &[&'a Expr], generators: &'a [Comprehension], out: &mut Vec<Node<'a>>) {
    out.extend(elts.iter().map(|e| Node::Expr(e)));
    out.extend(generators.iter().map(Node::Comprehension));
}

fn expr_children<'a>(e: &'a Expr, out: &mut Vec<Node<'a>>) {
    match &e.kind {
        ExprKind::BoolOp { values, .. } => out.extend(values.iter().map(Node::Expr)),
        ExprKind::NamedExpr { target, value } => {
            out.push(Node::Expr(target));
            out.push(Node::Expr(value));
        }
        ExprKind::BinOp { left, right, .. } => {
            out.push(Node::Expr(left));
            out.push(Node::Expr(right));
        }
        ExprKind::UnaryOp { operand, .. } => out.push(Node::Expr(operand)),
        ExprKind::Lambda { args, body } => {
            args_children(args, out);
            out.push(Node::Expr(body));
        }
        ExprKind::IfExp { test, body, orelse } => {
            // Source order: `body if test else orelse`.
            out.push(Node::Expr(body));
            out.push(Node::Expr(test));
            out.push(Node::Expr(orelse));
        }
        ExprKind::Dict { keys, values } => {
            for (k, v) in keys.iter().zip(values) {
                out.extend(k.iter().map(Node::Expr));
                out.push(Node::Expr(v));
            }
        }
        ExprKind::Set(elts) | ExprKind::List { elts, .. } | ExprKind::Tuple { elts, .. } => {
            out.extend(elts.iter().map(Node::Expr))
        }
        ExprKind::JoinedStr(values) | ExprKind::TemplateStr(values) => out.extend(values.iter().map(Node::Expr)),
        ExprKind::ListComp { elt, generators }
        | ExprKind::SetComp { elt, generators }
        | ExprKind::GeneratorExp { elt, generators } => comprehension_children(&[elt], generators, out),
        ExprKind::DictComp { key, value, generators } => comprehension_children(&[key, value], generators, out),
        ExprKind::Await(v) | ExprKind::YieldFrom(v) => out.push(Node::Expr(v)),
        ExprKind::Yield(v) => out.extend(v.as_deref().map(Node::Expr)),
        ExprKind::Compare { left, comparators, .. } => {
            out.push(Node::Expr(left));
            out.extend(comparators.iter().map(Node::Expr));
        }
        ExprKind::Call { func, args, keywords } => {
            out.push(Node::Expr(func));
            // Positional and keyword arguments may interleave in the source.
            let mut rest: Vec<Node<'a>> = args.iter().map(Node::Expr).chain(keywords.iter().map(Node::Keyword)).collect();
            rest.sort_by_key(|n| n.range().start);
            out.extend(rest);
        }
        ExprKind::FormattedValue { value, format_spec, .. } | ExprKind::Interpolation { value, format_spec, .. } => {
            out.push(Node::Expr(value));
            out.extend(format_spec.as_deref().map(Node::Expr));
        }
        ExprKind::Attribute { value, .. } | ExprKind::Starred { value, .. } => out.push(Node::Expr(value)),
        ExprKind::Subscript { value, slice, .. } => {
            out.push(Node::Expr(value));
            out.push(Node::Expr(slice));
        }
        ExprKind::Slice { lower, upper, step } => {
            out.extend([lower, upper, step].into_iter().flatten().map(|e| Node::Expr(e)));
        }
        ExprKind::Constant(_) | ExprKind::Name { .. } => {}
    }
}

fn pattern_children<'a>(p: &'a Pattern, out: &mut Vec<Node<'a>>) {
    match &p.kind {
        PatternKind::MatchValue(e) => out.push(Node::Expr(e)),
        PatternKind::MatchSequence(ps) | PatternKind::MatchOr(ps) => out.extend(ps.iter().map(Node::Pattern)),
        PatternKind::MatchMapping { keys, patterns, .. } => {
            for (k, v) in keys.iter().zip(patterns) {
                out.push(Node::Expr(k));
                out.push(Node::Pattern(v));
            }
        }
        PatternKind::MatchClass { cls, patterns, kwd_patterns, .. } => {
            out.push(Node::Expr(cls));
            out.extend(patterns.iter().chain(kwd_patterns.iter()).map(Node::Pattern));
        }
        PatternKind::MatchAs { pattern, .. } => out.extend(pattern.as_deref().map(Node::Pattern)),
        PatternKind::MatchSingleton(_) | PatternKind::MatchStar(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_module;

    #[test]
    fn innermost_node_at_an_offset() {
        let src = "def f(a=1):\n    return [x * a for x in range(3)]\n";
        let parsed = parse_module(src);
        let at = src.find("x *").unwrap() as u32;
        let chain = nodes_at(&parsed.module.body, at);
        let kinds: Vec<&str> = chain
            .iter()
            .map(|n| match n {
                Node::Stmt(_) => "stmt",
                Node::Expr(e) => e.kind.python_name(),
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["stmt", "stmt", "list comprehension", "expression", "name"]);
    }

    #[test]
    fn walk_visits_every_name_once_in_source_order() {
        let src = "x = f(a, k=b, *c)\nif y:\n    z = [w for w in v if w]\n";
        let parsed = parse_module(src);
        let mut names = Vec::new();
        walk(&parsed.module.body, |n| {
            if let Node::Expr(Expr { kind: ExprKind::Name { id, .. }, .. }) = n {
                names.push(id.clone());
            }
            true
        });
        assert_eq!(names, ["x", "f", "a", "b", "c", "y", "z", "w", "w", "v", "w"]);
    }
}
