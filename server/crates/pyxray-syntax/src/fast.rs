//! The fast path of parsing: ruff's recursive-descent parser, lowered into pyxray's `ast`.
//!
//! rustpython-parser's LALRPOP tables were a third of all compile time, and ruff's parser reads
//! the same text about three times faster. It is only used where the answer cannot differ: the
//! text must parse with no error and no syntax outside the target release's grammar, and its
//! logical lines must be shallow enough for a recursive parser (see `MAX_LINE_WEIGHT`).
//! Anything else, and any node this lowering does not model, returns `None`, and the caller
//! parses with rustpython-parser as before, so every error keeps its exact CPython message. The
//! differential tests (`fast/tests.rs`) require both paths to build equal trees.

use crate::ast::*;
use crate::parse::Grammar;
use crate::pystr::PyStr;
use crate::ranges;
use num_bigint::BigInt;
use ruff_python_ast as rf;
use ruff_python_parser::{Mode, ParseOptions};
use ruff_text_size::{Ranged, TextRange as RfRange};
use std::cell::Cell;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

mod check;
#[cfg(test)]
pub(crate) mod tests;

pub(crate) use check::{compare, Outcome};
#[cfg(test)]
pub(crate) use check::fast_result;

/// Logical lines heavier than this (names, numbers, strings, operators and brackets; commas do
/// not count) go to rustpython-parser, whose parser is iterative. A tree is never deeper than
/// the weight of its line plus 100 indentation levels, so ruff's recursion and the recursive
/// lowering stay well inside an 8 MiB stack.
pub(crate) const MAX_LINE_WEIGHT: u32 = 1000;

/// Parses `part` (the text rustpython-parser would see: f-strings masked as placeholders, its
/// first byte at offset `base` of `source`) with ruff's parser. `None` means "use the slow path".
pub(crate) fn parse_suite(
    source: &str,
    part: &str,
    base: u32,
    grammar: Grammar,
    placeholders: &HashMap<u32, Expr>,
) -> Option<Vec<Stmt>> {
    let rf::Mod::Module(module) = parse(part, Mode::Module, grammar)? else { return None };
    let lowerer = Lowerer { source, base, placeholders, unsupported: Cell::new(false) };
    let body = lowerer.suite(module.body);
    (!lowerer.unsupported.get()).then_some(body)
}

/// [`parse_suite`] for one expression (an f-string replacement field, wrapped in parentheses).
pub(crate) fn parse_expression(
    source: &str,
    part: &str,
    base: u32,
    grammar: Grammar,
    placeholders: &HashMap<u32, Expr>,
) -> Option<Expr> {
    let rf::Mod::Expression(module) = parse(part, Mode::Expression, grammar)? else { return None };
    let lowerer = Lowerer { source, base, placeholders, unsupported: Cell::new(false) };
    let expr = lowerer.expr(*module.body);
    (!lowerer.unsupported.get()).then_some(expr)
}

/// ruff's tree of `part`, if it has no error in the grammar of `grammar`'s release.
fn parse(part: &str, mode: Mode, grammar: Grammar) -> Option<rf::Mod> {
    let minor = if grammar.before_312 {
        11
    } else if grammar.template_strings {
        14
    } else if grammar.escaped_quote_hint {
        13
    } else {
        12
    };
    let options = ParseOptions::from(mode).with_target_version(rf::PythonVersion { major: 3, minor });
    // A panic inside the dependency is one more reason to take the slow path, not a crash.
    let parse = std::panic::AssertUnwindSafe(|| ruff_python_parser::parse_unchecked(part, options));
    let parsed = std::panic::catch_unwind(parse).ok()?;
    if !parsed.errors().is_empty() || !parsed.unsupported_syntax_errors().is_empty() {
        return None;
    }
    Some(parsed.into_syntax())
}

struct Lowerer<'a> {
    source: &'a str,
    base: u32,
    placeholders: &'a HashMap<u32, Expr>,
    /// Set when the tree holds something this lowering does not model; the result is dropped.
    unsupported: Cell<bool>,
}

impl Lowerer<'_> {
    fn range(&self, r: RfRange) -> TextRange {
        TextRange::new(self.base + r.start().to_u32(), self.base + r.end().to_u32())
    }

    fn has_carriage_return(&self, r: TextRange) -> bool {
        memchr::memchr(b'\r', &self.source.as_bytes()[r.start as usize..r.end as usize]).is_some()
    }

    fn unsupported(&self) {
        self.unsupported.set(true);
    }

    fn suite(&self, body: Vec<rf::Stmt>) -> Vec<Stmt> {
        body.into_iter().map(|s| self.stmt(s)).collect()
    }

    fn exprs(&self, v: impl IntoIterator<Item = rf::Expr>) -> Vec<Expr> {
        v.into_iter().map(|e| self.expr(e)).collect()
    }

    fn bexpr(&self, e: Box<rf::Expr>) -> Box<Expr> {
        Box::new(self.expr(*e))
    }

    fn oexpr(&self, e: Option<Box<rf::Expr>>) -> Option<Expr> {
        e.map(|e| self.expr(*e))
    }

    fn obexpr(&self, e: Option<Box<rf::Expr>>) -> Option<Box<Expr>> {
        e.map(|e| self.bexpr(e))
    }

    /// A compound statement's range ends where its block does, as CPython's does.
    fn stmt_range(&self, r: TextRange, kind: &StmtKind) -> TextRange {
        if kind.is_compound() {
            TextRange::new(r.start, ranges::block_end(self.source.as_bytes(), r.end as usize) as u32)
        } else {
            r
        }
    }

    fn stmt(&self, s: rf::Stmt) -> Stmt {
        use rf::Stmt as S;
        let mut r = self.range(s.range());
        let kind = match s {
            S::FunctionDef(f) => {
                r.start = self.definition_start(r.start, &f.decorator_list);
                let decorator_list = self.decorators(f.decorator_list);
                StmtKind::FunctionDef(Box::new(FunctionDef {
                    is_async: f.is_async,
                    name_range: self.range(f.name.range),
                    name: ident(&f.name.id),
                    args: self.parameters(*f.parameters),
                    body: self.suite(f.body),
                    decorator_list,
                    returns: self.oexpr(f.returns),
                    type_params: self.type_params(f.type_params),
                }))
            }
            S::ClassDef(c) => {
                r.start = self.definition_start(r.start, &c.decorator_list);
                let decorator_list = self.decorators(c.decorator_list);
                let (bases, keywords) = match c.arguments {
                    Some(a) => self.arguments(*a),
                    None => (Vec::new(), Vec::new()),
                };
                StmtKind::ClassDef(Box::new(ClassDef {
                    name_range: self.range(c.name.range),
                    name: ident(&c.name.id),
                    bases,
                    keywords,
                    body: self.suite(c.body),
                    decorator_list,
                    type_params: self.type_params(c.type_params),
                }))
            }
            S::Return(x) => StmtKind::Return(self.oexpr(x.value)),
            S::Delete(x) => StmtKind::Delete(self.exprs(x.targets)),
            S::Assign(x) => StmtKind::Assign { targets: self.exprs(x.targets), value: self.expr(*x.value) },
            S::TypeAlias(x) => StmtKind::TypeAlias {
                name: self.expr(*x.name),
                type_params: self.type_params(x.type_params),
                value: self.expr(*x.value),
            },
            S::AugAssign(x) => {
                StmtKind::AugAssign { target: self.expr(*x.target), op: operator(x.op), value: self.expr(*x.value) }
            }
            S::AnnAssign(x) => {
                let target = self.expr(*x.target);
                let simple = x.simple && target.range.start == r.start;
                StmtKind::AnnAssign { target, annotation: self.expr(*x.annotation), value: self.oexpr(x.value), simple }
            }
            S::For(x) => StmtKind::For(Box::new(For {
                is_async: x.is_async,
                target: self.expr(*x.target),
                iter: self.expr(*x.iter),
                body: self.suite(x.body),
                orelse: self.suite(x.orelse),
            })),
            S::While(x) => {
                StmtKind::While { test: self.expr(*x.test), body: self.suite(x.body), orelse: self.suite(x.orelse) }
            }
            S::If(x) => StmtKind::If {
                test: self.expr(*x.test),
                body: self.suite(x.body),
                orelse: self.elif_else(x.elif_else_clauses),
            },
            S::With(x) => StmtKind::With(Box::new(With {
                is_async: x.is_async,
                items: x
                    .items
                    .into_iter()
                    .map(|i| WithItem { context_expr: self.expr(i.context_expr), optional_vars: self.oexpr(i.optional_vars) })
                    .collect(),
                body: self.suite(x.body),
            })),
            S::Match(x) => StmtKind::Match {
                subject: self.match_subject(r, *x.subject),
                cases: x
                    .cases
                    .into_iter()
                    .map(|c| MatchCase { pattern: self.pattern(c.pattern), guard: self.oexpr(c.guard), body: self.suite(c.body) })
                    .collect(),
            },
            S::Raise(x) => StmtKind::Raise { exc: self.oexpr(x.exc), cause: self.oexpr(x.cause) },
            S::Try(x) => StmtKind::Try(Box::new(Try {
                is_star: x.is_star,
                body: self.suite(x.body),
                handlers: x.handlers.into_iter().map(|h| self.handler(h)).collect(),
                orelse: self.suite(x.orelse),
                finalbody: self.suite(x.finalbody),
            })),
            S::Assert(x) => StmtKind::Assert { test: self.expr(*x.test), msg: self.oexpr(x.msg) },
            S::Import(x) => {
                if x.is_lazy {
                    self.unsupported();
                }
                StmtKind::Import(x.names.into_iter().map(|a| self.alias(a)).collect())
            }
            S::ImportFrom(x) => {
                if x.is_lazy {
                    self.unsupported();
                }
                StmtKind::ImportFrom {
                    module: x.module.map(|m| ident(&m.id)),
                    names: x.names.into_iter().map(|a| self.alias(a)).collect(),
                    level: x.level,
                }
            }
            S::Global(x) => StmtKind::Global(x.names.iter().map(|n| ident(&n.id)).collect()),
            S::Nonlocal(x) => StmtKind::Nonlocal(x.names.iter().map(|n| ident(&n.id)).collect()),
            S::Expr(x) => StmtKind::Expr(self.expr(*x.value)),
            S::Pass(_) => StmtKind::Pass,
            S::Break(_) => StmtKind::Break,
            S::Continue(_) => StmtKind::Continue,
            S::IpyEscapeCommand(_) => {
                self.unsupported();
                StmtKind::Pass
            }
        };
        Stmt { range: self.stmt_range(r, &kind), kind }
    }

    /// ruff keeps `elif`/`else` clauses in a list; CPython nests each `elif` as an `If` in the
    /// `orelse` of the one before, starting at its keyword.
    fn elif_else(&self, clauses: Vec<rf::ElifElseClause>) -> Vec<Stmt> {
        let Some(chain_end) = clauses.last().map(|c| self.range(c.range).end) else { return Vec::new() };
        let mut orelse = Vec::new();
        for clause in clauses.into_iter().rev() {
            let body = self.suite(clause.body);
            match clause.test {
                None => orelse = body,
                Some(test) => {
                    let start = self.range(clause.range).start;
                    let kind = StmtKind::If { test: self.expr(test), body, orelse };
                    let range = self.stmt_range(TextRange::new(start, chain_end), &kind);
                    orelse = vec![Stmt { range, kind }];
                }
            }
        }
        orelse
    }

    /// `match a, b:` and `match a,:` match a tuple spanning the items and commas.
    fn match_subject(&self, stmt: TextRange, subject: rf::Expr) -> Expr {
        let bare_tuple = matches!(&subject, rf::Expr::Tuple(t) if !t.parenthesized);
        let mut subject = self.expr(subject);
        if bare_tuple {
            let last_end = match &subject.kind {
                ExprKind::Tuple { elts, .. } => elts.last().map_or(subject.range.end, |e| e.range.end),
                _ => subject.range.end,
            };
            let (start, end, _) = ranges::match_subject_tuple(self.source.as_bytes(), stmt.start as usize, last_end as usize);
            subject.range = TextRange::new(start as u32, end as u32);
        }
        subject
    }

    /// A decorated definition starts at its `def`, `async` or `class`, not at the first `@`.
    fn definition_start(&self, start: u32, decorators: &[rf::Decorator]) -> u32 {
        match decorators.last() {
            Some(d) => ranges::next_token(self.source.as_bytes(), self.range(d.range).end as usize) as u32,
            None => start,
        }
    }

    fn decorators(&self, v: Vec<rf::Decorator>) -> Vec<Expr> {
        v.into_iter().map(|d| self.expr(d.expression)).collect()
    }

    fn parameters(&self, p: rf::Parameters) -> Arguments {
        let mut defaults = Vec::new();
        let mut positional = |v: Vec<rf::ParameterWithDefault>| -> Vec<Arg> {
            v.into_iter()
                .map(|pwd| {
                    if let Some(d) = pwd.default {
                        defaults.push(self.expr(*d));
                    }
                    self.arg(pwd.parameter)
                })
                .collect()
        };
        let posonlyargs = positional(p.posonlyargs);
        let args = positional(p.args);
        let mut kw_defaults = Vec::new();
        let kwonlyargs = p
            .kwonlyargs
            .into_iter()
            .map(|pwd| {
                kw_defaults.push(self.oexpr(pwd.default));
                self.arg(pwd.parameter)
            })
            .collect();
        let arguments = Arguments {
            posonlyargs,
            args,
            vararg: p.vararg.map(|v| self.arg(*v)),
            kwonlyargs,
            kw_defaults,
            kwarg: p.kwarg.map(|v| self.arg(*v)),
            defaults,
        };
        // rustpython-parser refuses a repeated parameter name with CPython's message.
        let names: Vec<&str> = arguments.all_args().map(|a| a.arg.as_str()).collect();
        if names.iter().enumerate().any(|(i, n)| names[..i].contains(n)) {
            self.unsupported();
        }
        arguments
    }

    /// A parameter spans its name and annotation (ruff's also spans a leading `*` or `**`).
    fn arg(&self, a: rf::Parameter) -> Arg {
        let range = TextRange::new(self.range(a.name.range).start, self.range(a.range).end);
        Arg { range, arg: ident(&a.name.id), annotation: self.obexpr(a.annotation) }
    }

    /// A call's (or class's) positional arguments and keywords.
    fn arguments(&self, a: rf::Arguments) -> (Vec<Expr>, Vec<Keyword>) {
        let args = self.exprs(a.args.into_vec());
        let keywords = a
            .keywords
            .into_vec()
            .into_iter()
            .map(|k| Keyword { range: self.range(k.range), arg: k.arg.map(|a| ident(&a.id)), value: self.expr(k.value) })
            .collect();
        (args, keywords)
    }

    fn alias(&self, a: rf::Alias) -> Alias {
        Alias { range: self.range(a.range), name: ident(&a.name.id), asname: a.asname.map(|n| ident(&n.id)) }
    }

    fn handler(&self, h: rf::ExceptHandler) -> ExceptHandler {
        let rf::ExceptHandler::ExceptHandler(h) = h;
        let r = self.range(h.range);
        ExceptHandler {
            range: TextRange::new(r.start, ranges::block_end(self.source.as_bytes(), r.end as usize) as u32),
            type_: self.oexpr(h.type_),
            name: h.name.map(|n| ident(&n.id)),
            body: self.suite(h.body),
        }
    }

    fn type_params(&self, v: Option<Box<rf::TypeParams>>) -> Vec<TypeParam> {
        let Some(v) = v else { return Vec::new() };
        v.type_params
            .into_iter()
            .map(|p| {
                // PEP 696 defaults are not modelled (rustpython-parser refuses them).
                let (range, name, default, kind) = match p {
                    rf::TypeParam::TypeVar(t) => {
                        (t.range, t.name, t.default, TypeParamKind::TypeVar { bound: self.obexpr(t.bound) })
                    }
                    rf::TypeParam::ParamSpec(t) => (t.range, t.name, t.default, TypeParamKind::ParamSpec),
                    rf::TypeParam::TypeVarTuple(t) => (t.range, t.name, t.default, TypeParamKind::TypeVarTuple),
                };
                if default.is_some() {
                    self.unsupported();
                }
                TypeParam { range: self.range(range), name: ident(&name.id), kind }
            })
            .collect()
    }

    fn comprehensions(&self, v: Vec<rf::Comprehension>) -> Vec<Comprehension> {
        v.into_iter()
            .map(|c| Comprehension {
                target: self.expr(c.target),
                iter: self.expr(c.iter),
                ifs: self.exprs(c.ifs),
                is_async: c.is_async,
            })
            .collect()
    }

    fn pattern(&self, p: rf::Pattern) -> Pattern {
        use rf::Pattern as P;
        let r = self.range(p.range());
        let kind = match p {
            P::MatchValue(x) => PatternKind::MatchValue(self.expr(*x.value)),
            P::MatchSingleton(x) => PatternKind::MatchSingleton(match x.value {
                rf::Singleton::None => Constant::None,
                rf::Singleton::True => Constant::Bool(true),
                rf::Singleton::False => Constant::Bool(false),
            }),
            P::MatchSequence(x) => PatternKind::MatchSequence(self.patterns(x.patterns)),
            P::MatchMapping(x) => PatternKind::MatchMapping {
                keys: self.exprs(x.keys),
                patterns: self.patterns(x.patterns),
                rest: x.rest.map(|n| ident(&n.id)),
            },
            P::MatchClass(x) => {
                let (kwd_attrs, kwd_patterns) =
                    x.arguments.keywords.into_iter().map(|k| (ident(&k.attr.id), self.pattern(k.pattern))).unzip();
                PatternKind::MatchClass {
                    cls: self.expr(*x.cls),
                    patterns: self.patterns(x.arguments.patterns),
                    kwd_attrs,
                    kwd_patterns,
                }
            }
            P::MatchStar(x) => PatternKind::MatchStar(x.name.map(|n| ident(&n.id))),
            P::MatchAs(x) => PatternKind::MatchAs {
                pattern: x.pattern.map(|p| Box::new(self.pattern(*p))),
                name: x.name.map(|n| ident(&n.id)),
            },
            P::MatchOr(x) => PatternKind::MatchOr(self.patterns(x.patterns)),
        };
        Pattern { range: r, kind }
    }

    fn patterns(&self, v: Vec<rf::Pattern>) -> Vec<Pattern> {
        v.into_iter().map(|p| self.pattern(p)).collect()
    }

    fn context(&self, c: rf::ExprContext) -> ExprContext {
        match c {
            rf::ExprContext::Load => ExprContext::Load,
            rf::ExprContext::Store => ExprContext::Store,
            rf::ExprContext::Del => ExprContext::Del,
            rf::ExprContext::Invalid => {
                self.unsupported();
                ExprContext::Load
            }
        }
    }

    fn expr(&self, e: rf::Expr) -> Expr {
        use rf::Expr as E;
        let r = self.range(e.range());
        let kind = match e {
            E::BoolOp(x) => ExprKind::BoolOp {
                op: match x.op {
                    rf::BoolOp::And => BoolOp::And,
                    rf::BoolOp::Or => BoolOp::Or,
                },
                values: self.exprs(x.values),
            },
            E::Named(x) => ExprKind::NamedExpr { target: self.bexpr(x.target), value: self.bexpr(x.value) },
            E::BinOp(x) => ExprKind::BinOp { left: self.bexpr(x.left), op: operator(x.op), right: self.bexpr(x.right) },
            E::UnaryOp(x) => ExprKind::UnaryOp {
                op: match x.op {
                    rf::UnaryOp::Invert => UnaryOp::Invert,
                    rf::UnaryOp::Not => UnaryOp::Not,
                    rf::UnaryOp::UAdd => UnaryOp::UAdd,
                    rf::UnaryOp::USub => UnaryOp::USub,
                },
                operand: self.bexpr(x.operand),
            },
            E::Lambda(x) => ExprKind::Lambda {
                args: Box::new(x.parameters.map(|p| self.parameters(*p)).unwrap_or_default()),
                body: self.bexpr(x.body),
            },
            E::If(x) => ExprKind::IfExp { test: self.bexpr(x.test), body: self.bexpr(x.body), orelse: self.bexpr(x.orelse) },
            E::Dict(x) => {
                let (keys, values) = x.items.into_iter().map(|i| (i.key.map(|k| self.expr(k)), self.expr(i.value))).unzip();
                ExprKind::Dict { keys, values }
            }
            E::Set(x) => ExprKind::Set(self.exprs(x.elts)),
            E::ListComp(x) => ExprKind::ListComp { elt: self.bexpr(x.elt), generators: self.comprehensions(x.generators) },
            E::SetComp(x) => ExprKind::SetComp { elt: self.bexpr(x.elt), generators: self.comprehensions(x.generators) },
            E::DictComp(x) => ExprKind::DictComp {
                key: self.bexpr(x.key),
                value: self.bexpr(x.value),
                generators: self.comprehensions(x.generators),
            },
            E::Generator(x) => {
                ExprKind::GeneratorExp { elt: self.bexpr(x.elt), generators: self.comprehensions(x.generators) }
            }
            E::Await(x) => ExprKind::Await(self.bexpr(x.value)),
            E::Yield(x) => ExprKind::Yield(self.obexpr(x.value)),
            E::YieldFrom(x) => ExprKind::YieldFrom(self.bexpr(x.value)),
            E::Compare(x) => ExprKind::Compare {
                left: self.bexpr(x.left),
                ops: x.ops.iter().map(|&op| cmpop(op)).collect(),
                comparators: self.exprs(x.comparators.into_vec()),
            },
            E::Call(x) => {
                let func = self.bexpr(x.func);
                let (mut args, keywords) = self.arguments(x.arguments);
                // CPython's `f(x for x in y)` genexp spans the call's parentheses.
                if args.len() == 1 && keywords.is_empty() && matches!(args[0].kind, ExprKind::GeneratorExp { .. }) {
                    let src = self.source.as_bytes();
                    if !ranges::paren_wrapped(src, args[0].range.start as usize, args[0].range.end as usize) {
                        if let Some(open) = ranges::next_open_paren(src, func.range.end as usize) {
                            args[0].range = TextRange::new(open as u32, r.end);
                        }
                    }
                }
                ExprKind::Call { func, args, keywords }
            }
            E::NumberLiteral(x) => {
                if let Some(e) = self.placeholders.get(&r.start) {
                    return e.clone();
                }
                ExprKind::Constant(match x.value {
                    rf::Number::Int(i) => Constant::Int(match i.as_u64() {
                        Some(v) => BigInt::from(v),
                        None => match big_int(&self.source[r.start as usize..r.end as usize]) {
                            Some(v) => v,
                            None => {
                                self.unsupported();
                                BigInt::default()
                            }
                        },
                    }),
                    rf::Number::Float(f) => Constant::Float(f),
                    rf::Number::Complex { real, imag } => Constant::Complex { re: real, im: imag },
                })
            }
            E::StringLiteral(x) => {
                // ruff's parser puts U+FFFD for a lone surrogate (`'\ud800'`) and keeps a
                // `\r\n` line break inside a literal; decode those strings again from the source.
                let redo = x.value.to_str().contains('\u{fffd}') || self.has_carriage_return(r);
                let value = match redo {
                    true => crate::strings::plain_run_value(self.source, r.start as usize, r.end as usize),
                    false => None,
                };
                ExprKind::Constant(Constant::Str(value.unwrap_or_else(|| PyStr::from(x.value.to_str().to_owned()))))
            }
            E::BytesLiteral(x) => {
                if self.has_carriage_return(r) {
                    self.unsupported();
                }
                ExprKind::Constant(Constant::Bytes(x.value.iter().flat_map(|part| part.value.iter().copied()).collect()))
            }
            E::BooleanLiteral(x) => ExprKind::Constant(Constant::Bool(x.value)),
            E::NoneLiteral(_) => ExprKind::Constant(Constant::None),
            E::EllipsisLiteral(_) => ExprKind::Constant(Constant::Ellipsis),
            E::Attribute(x) => {
                ExprKind::Attribute { value: self.bexpr(x.value), attr: ident(&x.attr.id), ctx: self.context(x.ctx) }
            }
            E::Subscript(x) => {
                let mut slice = self.bexpr(x.slice);
                // `a[*b]` subscripts with a one-element tuple, as CPython's `slices` rule builds it.
                if matches!(slice.kind, ExprKind::Starred { .. }) {
                    let r = slice.range;
                    slice = Box::new(Expr::new(r, ExprKind::Tuple { elts: vec![*slice], ctx: ExprContext::Load }));
                }
                ExprKind::Subscript { value: self.bexpr(x.value), slice, ctx: self.context(x.ctx) }
            }
            E::Starred(x) => ExprKind::Starred { value: self.bexpr(x.value), ctx: self.context(x.ctx) },
            E::Name(x) => ExprKind::Name { id: ident(&x.id), ctx: self.context(x.ctx) },
            E::List(x) => ExprKind::List { elts: self.exprs(x.elts), ctx: self.context(x.ctx) },
            E::Tuple(x) => ExprKind::Tuple { elts: self.exprs(x.elts), ctx: self.context(x.ctx) },
            E::Slice(x) => {
                ExprKind::Slice { lower: self.obexpr(x.lower), upper: self.obexpr(x.upper), step: self.obexpr(x.step) }
            }
            // f-strings and t-strings were masked; anything else is not Python.
            E::FString(_) | E::TString(_) | E::IpyEscapeCommand(_) => {
                self.unsupported();
                ExprKind::Constant(Constant::None)
            }
        };
        Expr { range: r, kind }
    }
}

/// An identifier as CPython stores it: non-ASCII names NFKC-normalized (PEP 3131).
fn ident(name: &str) -> String {
    if name.is_ascii() {
        name.to_owned()
    } else {
        name.nfkc().collect()
    }
}

/// The value of an integer literal too big for a `u64`, read from its text.
fn big_int(text: &str) -> Option<BigInt> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    let (radix, digits) = match digits.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("0x") => (16, &digits[2..]),
        Some("0o") => (8, &digits[2..]),
        Some("0b") => (2, &digits[2..]),
        _ => (10, &digits[..]),
    };
    BigInt::parse_bytes(digits.as_bytes(), radix)
}

fn operator(op: rf::Operator) -> Operator {
    use rf::Operator as O;
    match op {
        O::Add => Operator::Add,
        O::Sub => Operator::Sub,
        O::Mult => Operator::Mult,
        O::MatMult => Operator::MatMult,
        O::Div => Operator::Div,
        O::Mod => Operator::Mod,
        O::Pow => Operator::Pow,
        O::LShift => Operator::LShift,
        O::RShift => Operator::RShift,
        O::BitOr => Operator::BitOr,
        O::BitXor => Operator::BitXor,
        O::BitAnd => Operator::BitAnd,
        O::FloorDiv => Operator::FloorDiv,
    }
}

fn cmpop(op: rf::CmpOp) -> CmpOp {
    use rf::CmpOp as C;
    match op {
        C::Eq => CmpOp::Eq,
        C::NotEq => CmpOp::NotEq,
        C::Lt => CmpOp::Lt,
        C::LtE => CmpOp::LtE,
        C::Gt => CmpOp::Gt,
        C::GtE => CmpOp::GtE,
        C::Is => CmpOp::Is,
        C::IsNot => CmpOp::IsNot,
        C::In => CmpOp::In,
        C::NotIn => CmpOp::NotIn,
    }
}
