//! Lowering of rustpython-parser's tree into pyxray's own `ast`, so no other crate depends on the
//! parser. Positions stay byte offsets; nothing is reinterpreted here except what the parser drops
//! (the range of a `def`/`class` name) and the parser's `Arguments` shape (back to CPython's).

use crate::pystr::PyStr;
use crate::ast::*;
use unicode_normalization::UnicodeNormalization;
use crate::ranges;
use rustpython_parser::ast as rp;
use rustpython_parser::text_size::TextRange as RpRange;

pub(crate) struct Lowerer<'a> {
    pub source: &'a str,
    /// f-string runs parsed by `fstring`, keyed by the offset of the `0` that stands for them in
    /// the text rustpython-parser saw.
    pub placeholders: std::cell::RefCell<std::collections::HashMap<u32, Expr>>,
    /// Errors CPython's grammar reports that rustpython-parser's accepts (first one wins).
    pub errors: std::cell::RefCell<Vec<crate::parse::SyntaxError>>,
}

impl<'a> Lowerer<'a> {
    pub fn new(source: &'a str, placeholders: std::collections::HashMap<u32, Expr>) -> Self {
        Lowerer { source, placeholders: std::cell::RefCell::new(placeholders), errors: Default::default() }
    }

    fn error(&self, range: TextRange, message: String) {
        self.errors.borrow_mut().push(crate::parse::SyntaxError {
            range,
            message,
            kind: crate::parse::SyntaxErrorKind::SyntaxError,
        });
    }
}

fn range(r: RpRange) -> TextRange {
    TextRange::new(r.start().to_u32(), r.end().to_u32())
}

impl Lowerer<'_> {
    pub fn suite(&self, body: Vec<rp::Stmt>) -> Vec<Stmt> {
        body.into_iter().map(|s| self.stmt(s)).collect()
    }

    fn exprs(&self, v: Vec<rp::Expr>) -> Vec<Expr> {
        v.into_iter().map(|e| self.expr(e)).collect()
    }

    fn bexpr(&self, e: Box<rp::Expr>) -> Box<Expr> {
        Box::new(self.expr(*e))
    }

    fn oexpr(&self, e: Option<Box<rp::Expr>>) -> Option<Expr> {
        e.map(|e| self.expr(*e))
    }

    fn obexpr(&self, e: Option<Box<rp::Expr>>) -> Option<Box<Expr>> {
        e.map(|e| self.bexpr(e))
    }

    fn stmt(&self, s: rp::Stmt) -> Stmt {
        use rp::Stmt as S;
        let r = range(rp::Ranged::range(&s));
        let kind = match s {
            S::FunctionDef(f) => StmtKind::FunctionDef(Box::new(self.function(
                false,
                r,
                f.name,
                *f.args,
                f.body,
                f.decorator_list,
                f.returns,
                f.type_params,
            ))),
            S::AsyncFunctionDef(f) => StmtKind::FunctionDef(Box::new(self.function(
                true,
                r,
                f.name,
                *f.args,
                f.body,
                f.decorator_list,
                f.returns,
                f.type_params,
            ))),
            S::ClassDef(c) => {
                let decorator_list = self.exprs(c.decorator_list);
                let name_range = self.name_after_keyword(r, &decorator_list, "class", c.name.as_str());
                StmtKind::ClassDef(Box::new(ClassDef {
                    name: ident(c.name),
                    name_range,
                    bases: self.exprs(c.bases),
                    keywords: c.keywords.into_iter().map(|k| self.keyword(k)).collect(),
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
                let target = self.expr(*x.target);
                if !matches!(target.kind, ExprKind::Name { .. } | ExprKind::Attribute { .. } | ExprKind::Subscript { .. }) {
                    let name = target.kind.python_name();
                    self.error(target.range, format!("'{name}' is an illegal expression for augmented assignment"));
                }
                StmtKind::AugAssign { target, op: operator(x.op), value: self.expr(*x.value) }
            }
            S::AnnAssign(x) => {
                let target = self.expr(*x.target);
                // `(name): T` is not simple: the parser cannot tell, the text can.
                let simple = x.simple && target.range.start == r.start;
                StmtKind::AnnAssign { target, annotation: self.expr(*x.annotation), value: self.oexpr(x.value), simple }
            }
            S::For(x) => StmtKind::For(Box::new(For {
                is_async: false,
                target: self.expr(*x.target),
                iter: self.expr(*x.iter),
                body: self.suite(x.body),
                orelse: self.suite(x.orelse),
            })),
            S::AsyncFor(x) => StmtKind::For(Box::new(For {
                is_async: true,
                target: self.expr(*x.target),
                iter: self.expr(*x.iter),
                body: self.suite(x.body),
                orelse: self.suite(x.orelse),
            })),
            S::While(x) => StmtKind::While {
                test: self.expr(*x.test),
                body: self.suite(x.body),
                orelse: self.suite(x.orelse),
            },
            S::If(x) => StmtKind::If {
                test: self.expr(*x.test),
                body: self.suite(x.body),
                orelse: self.suite(x.orelse),
            },
            S::With(x) => StmtKind::With(Box::new(With {
                is_async: false,
                items: x.items.into_iter().map(|i| self.with_item(i)).collect(),
                body: self.suite(x.body),
            })),
            S::AsyncWith(x) => StmtKind::With(Box::new(With {
                is_async: true,
                items: x.items.into_iter().map(|i| self.with_item(i)).collect(),
                body: self.suite(x.body),
            })),
            S::Match(x) => StmtKind::Match {
                subject: self.match_subject(r, *x.subject),
                cases: x
                    .cases
                    .into_iter()
                    .map(|c| MatchCase {
                        pattern: self.pattern(c.pattern),
                        guard: self.oexpr(c.guard),
                        body: self.suite(c.body),
                    })
                    .collect(),
            },
            S::Raise(x) => StmtKind::Raise { exc: self.oexpr(x.exc), cause: self.oexpr(x.cause) },
            S::Try(x) => StmtKind::Try(Box::new(Try {
                is_star: false,
                body: self.suite(x.body),
                handlers: x.handlers.into_iter().map(|h| self.handler(h)).collect(),
                orelse: self.suite(x.orelse),
                finalbody: self.suite(x.finalbody),
            })),
            S::TryStar(x) => StmtKind::Try(Box::new(Try {
                is_star: true,
                body: self.suite(x.body),
                handlers: x.handlers.into_iter().map(|h| self.handler(h)).collect(),
                orelse: self.suite(x.orelse),
                finalbody: self.suite(x.finalbody),
            })),
            S::Assert(x) => StmtKind::Assert { test: self.expr(*x.test), msg: self.oexpr(x.msg) },
            S::Import(x) => StmtKind::Import(x.names.into_iter().map(alias).collect()),
            S::ImportFrom(x) => StmtKind::ImportFrom {
                module: x.module.map(ident),
                names: x.names.into_iter().map(alias).collect(),
                level: x.level.map_or(0, |l| l.to_u32()),
            },
            S::Global(x) => StmtKind::Global(x.names.into_iter().map(ident).collect()),
            S::Nonlocal(x) => StmtKind::Nonlocal(x.names.into_iter().map(ident).collect()),
            S::Expr(x) => StmtKind::Expr(self.expr(*x.value)),
            S::Pass(_) => StmtKind::Pass,
            S::Break(_) => StmtKind::Break,
            S::Continue(_) => StmtKind::Continue,
        };
        let r = if kind.is_compound() {
            TextRange::new(r.start, ranges::block_end(self.source.as_bytes(), r.end as usize) as u32)
        } else {
            r
        };
        Stmt { range: r, kind }
    }

    /// `match a, b:` and `match a,:` match a tuple spanning the items and commas.
    fn match_subject(&self, stmt: TextRange, subject: rp::Expr) -> Expr {
        let whole_statement = matches!(&subject, rp::Expr::Tuple(t) if t.range.start().to_u32() == stmt.start);
        let mut subject = self.expr(subject);
        let last_end = match &subject.kind {
            ExprKind::Tuple { elts, .. } if whole_statement => elts.last().map_or(subject.range.end, |e| e.range.end),
            _ => subject.range.end,
        };
        let (start, end, comma) = ranges::match_subject_tuple(self.source.as_bytes(), stmt.start as usize, last_end as usize);
        let r = TextRange::new(start as u32, end as u32);
        if whole_statement {
            subject.range = r;
        } else if comma {
            subject = Expr::new(r, ExprKind::Tuple { elts: vec![subject], ctx: ExprContext::Load });
        }
        subject
    }

    #[allow(clippy::too_many_arguments)]
    fn function(
        &self,
        is_async: bool,
        r: TextRange,
        name: rp::Identifier,
        args: rp::Arguments,
        body: Vec<rp::Stmt>,
        decorators: Vec<rp::Expr>,
        returns: Option<Box<rp::Expr>>,
        type_params: Vec<rp::TypeParam>,
    ) -> FunctionDef {
        let decorator_list = self.exprs(decorators);
        let name_range = self.name_after_keyword(r, &decorator_list, "def", name.as_str());
        FunctionDef {
            is_async,
            name: ident(name),
            name_range,
            args: self.arguments(args),
            body: self.suite(body),
            decorator_list,
            returns: self.oexpr(returns),
            type_params: self.type_params(type_params),
        }
    }

    /// Finds the range of the name that follows `keyword` (`def`/`class`) in a definition; the
    /// parser keeps no range for it. Falls back to the statement's start.
    fn name_after_keyword(&self, stmt: TextRange, decorators: &[Expr], keyword: &str, name: &str) -> TextRange {
        let from = decorators.last().map_or(stmt.start, |d| d.range.end) as usize;
        let end = (stmt.end as usize).min(self.source.len());
        let text = self.source.get(from..end).unwrap_or("");
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(pos) = text[i..].find(keyword) {
            let at = i + pos;
            let before_ok = at == 0 || !is_ident_byte(bytes[at - 1]);
            let after = at + keyword.len();
            if before_ok && bytes.get(after).is_some_and(|b| !is_ident_byte(*b)) {
                let rest = &text[after..];
                let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '\x0c', '\\', '\r', '\n']).len();
                let start = after + skipped;
                if text[start..].starts_with(name) {
                    let s = (from + start) as u32;
                    return TextRange::new(s, s + name.len() as u32);
                }
            }
            i = after;
        }
        TextRange::new(stmt.start, stmt.start)
    }

    fn arguments(&self, a: rp::Arguments) -> Arguments {
        let mut defaults = Vec::new();
        let mut lower_positional = |v: Vec<rp::ArgWithDefault>| -> Vec<Arg> {
            v.into_iter()
                .map(|awd| {
                    if let Some(d) = awd.default {
                        defaults.push(self.expr(*d));
                    }
                    self.arg(awd.def)
                })
                .collect()
        };
        let posonlyargs = lower_positional(a.posonlyargs);
        let args = lower_positional(a.args);
        let mut kw_defaults = Vec::new();
        let kwonlyargs = a
            .kwonlyargs
            .into_iter()
            .map(|awd| {
                kw_defaults.push(self.oexpr(awd.default));
                self.arg(awd.def)
            })
            .collect();
        Arguments {
            posonlyargs,
            args,
            vararg: a.vararg.map(|v| self.arg(*v)),
            kwonlyargs,
            kw_defaults,
            kwarg: a.kwarg.map(|v| self.arg(*v)),
            defaults,
        }
    }

    fn arg(&self, a: rp::Arg) -> Arg {
        Arg { range: range(a.range), arg: ident(a.arg), annotation: self.obexpr(a.annotation) }
    }

    fn keyword(&self, k: rp::Keyword) -> Keyword {
        Keyword { range: range(k.range), arg: k.arg.map(ident), value: self.expr(k.value) }
    }

    fn with_item(&self, i: rp::WithItem) -> WithItem {
        WithItem { context_expr: self.expr(i.context_expr), optional_vars: self.oexpr(i.optional_vars) }
    }

    fn handler(&self, h: rp::ExceptHandler) -> ExceptHandler {
        let rp::ExceptHandler::ExceptHandler(h) = h;
        let r = range(h.range);
        ExceptHandler {
            range: TextRange::new(r.start, ranges::block_end(self.source.as_bytes(), r.end as usize) as u32),
            type_: self.oexpr(h.type_),
            name: h.name.map(ident),
            body: self.suite(h.body),
        }
    }

    fn type_params(&self, v: Vec<rp::TypeParam>) -> Vec<TypeParam> {
        v.into_iter()
            .map(|p| match p {
                rp::TypeParam::TypeVar(t) => TypeParam {
                    range: range(t.range),
                    name: ident(t.name),
                    kind: TypeParamKind::TypeVar { bound: self.obexpr(t.bound) },
                },
                rp::TypeParam::ParamSpec(t) => {
                    TypeParam { range: range(t.range), name: ident(t.name), kind: TypeParamKind::ParamSpec }
                }
                rp::TypeParam::TypeVarTuple(t) => TypeParam {
                    range: range(t.range),
                    name: ident(t.name),
                    kind: TypeParamKind::TypeVarTuple,
                },
            })
            .collect()
    }

    fn comprehensions(&self, v: Vec<rp::Comprehension>) -> Vec<Comprehension> {
        v.into_iter()
            .map(|c| Comprehension {
                target: self.expr(c.target),
                iter: self.expr(c.iter),
                ifs: self.exprs(c.ifs),
                is_async: c.is_async,
            })
            .collect()
    }

    fn pattern(&self, p: rp::Pattern) -> Pattern {
        use rp::Pattern as P;
        let r = range(rp::Ranged::range(&p));
        let kind = match p {
            P::MatchValue(x) => PatternKind::MatchValue(self.expr(*x.value)),
            P::MatchSingleton(x) => PatternKind::MatchSingleton(constant(x.value)),
            P::MatchSequence(x) => PatternKind::MatchSequence(self.patterns(x.patterns)),
            P::MatchMapping(x) => PatternKind::MatchMapping {
                keys: self.exprs(x.keys),
                patterns: self.patterns(x.patterns),
                rest: x.rest.map(ident),
            },
            P::MatchClass(x) => PatternKind::MatchClass {
                cls: self.expr(*x.cls),
                patterns: self.patterns(x.patterns),
                kwd_attrs: x.kwd_attrs.into_iter().map(ident).collect(),
                kwd_patterns: self.patterns(x.kwd_patterns),
            },
            P::MatchStar(x) => PatternKind::MatchStar(x.name.map(ident)),
            P::MatchAs(x) => PatternKind::MatchAs {
                pattern: x.pattern.map(|p| Box::new(self.pattern(*p))),
                name: x.name.map(ident),
            },
            P::MatchOr(x) => PatternKind::MatchOr(self.patterns(x.patterns)),
        };
        Pattern { range: r, kind }
    }

    fn patterns(&self, v: Vec<rp::Pattern>) -> Vec<Pattern> {
        v.into_iter().map(|p| self.pattern(p)).collect()
    }

    pub fn expr(&self, e: rp::Expr) -> Expr {
        use rp::Expr as E;
        let r = range(rp::Ranged::range(&e));
        let kind = match e {
            E::BoolOp(x) => ExprKind::BoolOp {
                op: match x.op {
                    rp::BoolOp::And => BoolOp::And,
                    rp::BoolOp::Or => BoolOp::Or,
                },
                values: self.exprs(x.values),
            },
            E::NamedExpr(x) => {
                let (target, value) = (self.bexpr(x.target), self.bexpr(x.value));
                let (target_end, value_start) = (target.range.end as usize, value.range.start as usize);
                let walrus = self.source.get(target_end..value_start).and_then(|t| t.find(":=")).unwrap_or(0);
                let end = ranges::after_closing_parens(
                    self.source.as_bytes(),
                    target_end + walrus + 2,
                    value.range.start as usize,
                    value.range.end as usize,
                );
                let r = TextRange::new(r.start, r.end.max(end as u32));
                return Expr { range: r, kind: ExprKind::NamedExpr { target, value } };
            }
            E::BinOp(x) => {
                ExprKind::BinOp { left: self.bexpr(x.left), op: operator(x.op), right: self.bexpr(x.right) }
            }
            E::UnaryOp(x) => ExprKind::UnaryOp {
                op: match x.op {
                    rp::UnaryOp::Invert => UnaryOp::Invert,
                    rp::UnaryOp::Not => UnaryOp::Not,
                    rp::UnaryOp::UAdd => UnaryOp::UAdd,
                    rp::UnaryOp::USub => UnaryOp::USub,
                },
                operand: self.bexpr(x.operand),
            },
            E::Lambda(x) => ExprKind::Lambda { args: Box::new(self.arguments(*x.args)), body: self.bexpr(x.body) },
            E::IfExp(x) => ExprKind::IfExp {
                test: self.bexpr(x.test),
                body: self.bexpr(x.body),
                orelse: self.bexpr(x.orelse),
            },
            E::Dict(x) => ExprKind::Dict {
                keys: x.keys.into_iter().map(|k| k.map(|k| self.expr(k))).collect(),
                values: self.exprs(x.values),
            },
            E::Set(x) => ExprKind::Set(self.exprs(x.elts)),
            E::ListComp(x) => {
                ExprKind::ListComp { elt: self.bexpr(x.elt), generators: self.comprehensions(x.generators) }
            }
            E::SetComp(x) => {
                ExprKind::SetComp { elt: self.bexpr(x.elt), generators: self.comprehensions(x.generators) }
            }
            E::DictComp(x) => ExprKind::DictComp {
                key: self.bexpr(x.key),
                value: self.bexpr(x.value),
                generators: self.comprehensions(x.generators),
            },
            E::GeneratorExp(x) => {
                ExprKind::GeneratorExp { elt: self.bexpr(x.elt), generators: self.comprehensions(x.generators) }
            }
            E::Await(x) => ExprKind::Await(self.bexpr(x.value)),
            E::Yield(x) => ExprKind::Yield(self.obexpr(x.value)),
            E::YieldFrom(x) => ExprKind::YieldFrom(self.bexpr(x.value)),
            E::Compare(x) => ExprKind::Compare {
                left: self.bexpr(x.left),
                ops: x.ops.into_iter().map(cmpop).collect(),
                comparators: self.exprs(x.comparators),
            },
            E::Call(x) => {
                let func = self.bexpr(x.func);
                let mut args = self.exprs(x.args);
                let keywords: Vec<Keyword> = x.keywords.into_iter().map(|k| self.keyword(k)).collect();
                // CPython's `f(x for x in y)` genexp spans the call's parentheses.
                if args.len() == 1 && keywords.is_empty() && matches!(args[0].kind, ExprKind::GeneratorExp { .. }) {
                    if !ranges::paren_wrapped(self.source.as_bytes(), args[0].range.start as usize, args[0].range.end as usize) {
                        if let Some(open) = ranges::next_open_paren(self.source.as_bytes(), func.range.end as usize).map(|o| o as u32) {
                            args[0].range = TextRange::new(open, r.end);
                        }
                    }
                }
                ExprKind::Call { func, args, keywords }
            }
            E::FormattedValue(x) => ExprKind::FormattedValue {
                value: self.bexpr(x.value),
                conversion: match x.conversion {
                    rp::ConversionFlag::None => Conversion::None,
                    rp::ConversionFlag::Str => Conversion::Str,
                    rp::ConversionFlag::Repr => Conversion::Repr,
                    rp::ConversionFlag::Ascii => Conversion::Ascii,
                },
                format_spec: self.obexpr(x.format_spec),
            },
            E::JoinedStr(x) => ExprKind::JoinedStr(self.exprs(x.values)),
            E::Constant(x) => {
                if let Some(e) = self.placeholders.borrow_mut().remove(&r.start) {
                    return e;
                }
                match x.value {
                    // The parser cannot represent lone surrogates (`'\ud800'`); decode those
                    // strings again from the source.
                    rp::Constant::Str(s) if s.contains('\u{fffd}') => ExprKind::Constant(Constant::Str(
                        crate::strings::plain_run_value(self.source, r.start as usize, r.end as usize)
                            .unwrap_or_else(|| PyStr::from(s)),
                    )),
                    value => ExprKind::Constant(constant(value)),
                }
            }
            E::Attribute(x) => ExprKind::Attribute {
                value: self.bexpr(x.value),
                attr: ident(x.attr),
                ctx: context(x.ctx),
            },
            E::Subscript(x) => {
                let mut slice = self.bexpr(x.slice);
                // `a[*b]` subscripts with a one-element tuple, as CPython's `slices` rule builds it.
                if matches!(slice.kind, ExprKind::Starred { .. }) {
                    let r = slice.range;
                    slice = Box::new(Expr::new(r, ExprKind::Tuple { elts: vec![*slice], ctx: ExprContext::Load }));
                }
                ExprKind::Subscript { value: self.bexpr(x.value), slice, ctx: context(x.ctx) }
            }
            E::Starred(x) => ExprKind::Starred { value: self.bexpr(x.value), ctx: context(x.ctx) },
            E::Name(x) => {
                // rustpython-parser takes an emoji for a name; CPython does not.
                if let Some(c) = x.id.chars().enumerate().find(|&(i, c)| {
                    if i == 0 { !(unicode_ident::is_xid_start(c) || c == '_') } else { !unicode_ident::is_xid_continue(c) }
                }).map(|(_, c)| c) {
                    let at = self.source[r.start as usize..].find(c).map_or(r.start, |i| r.start + i as u32);
                    self.error(TextRange::new(at, at + c.len_utf8() as u32), crate::parse::invalid_character(c));
                }
                ExprKind::Name { id: ident(x.id), ctx: context(x.ctx) }
            }
            E::List(x) => ExprKind::List { elts: self.exprs(x.elts), ctx: context(x.ctx) },
            E::Tuple(x) => ExprKind::Tuple { elts: self.exprs(x.elts), ctx: context(x.ctx) },
            E::Slice(x) => ExprKind::Slice {
                lower: self.obexpr(x.lower),
                upper: self.obexpr(x.upper),
                step: self.obexpr(x.step),
            },
        };
        Expr { range: r, kind }
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// An identifier as CPython stores it: non-ASCII names are NFKC-normalized (PEP 3131), so
/// `ｗｉｄｔｈ` and `width` are one name.
fn ident(name: rp::Identifier) -> String {
    if name.as_str().is_ascii() {
        // The parser's own string, moved rather than copied.
        String::from(name)
    } else {
        name.as_str().nfkc().collect()
    }
}

fn alias(a: rp::Alias) -> Alias {
    Alias { range: range(a.range), name: ident(a.name), asname: a.asname.map(ident) }
}

fn context(c: rp::ExprContext) -> ExprContext {
    match c {
        rp::ExprContext::Load => ExprContext::Load,
        rp::ExprContext::Store => ExprContext::Store,
        rp::ExprContext::Del => ExprContext::Del,
    }
}

fn operator(op: rp::Operator) -> Operator {
    use rp::Operator as O;
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

fn cmpop(op: rp::CmpOp) -> CmpOp {
    use rp::CmpOp as C;
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

fn constant(c: rp::Constant) -> Constant {
    match c {
        rp::Constant::None => Constant::None,
        rp::Constant::Bool(b) => Constant::Bool(b),
        rp::Constant::Str(s) => Constant::Str(PyStr::from(s)),
        rp::Constant::Bytes(b) => Constant::Bytes(b),
        rp::Constant::Int(i) => Constant::Int(i),
        rp::Constant::Tuple(t) => Constant::Tuple(t.into_iter().map(constant).collect()),
        rp::Constant::Float(f) => Constant::Float(f),
        rp::Constant::Complex { real, imag } => Constant::Complex { re: real, im: imag },
        rp::Constant::Ellipsis => Constant::Ellipsis,
    }
}
