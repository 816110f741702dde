//! Expressions (`compiler_visit_expr1` and helpers): operators, comparisons and conditional
//! jumps, displays (tuple/list/set/dict with star-unpacking), f-strings, attributes, subscripts
//! and slices, plus the compile-time warnings CPython emits for literals misused as callables,
//! subscriptables or `is` operands.

use super::*;
use pyxray_syntax::ast::{BoolOp, CmpOp, Constant, Conversion, Expr, ExprKind, Operator, UnaryOp};

/// `infer_type`: the Python type name of an expression whose type is known at compile time.
pub(crate) fn infer_type(e: &Expr) -> Option<&'static str> {
    Some(match &e.kind {
        ExprKind::Tuple { .. } => "tuple",
        ExprKind::List { .. } | ExprKind::ListComp { .. } => "list",
        ExprKind::Dict { .. } | ExprKind::DictComp { .. } => "dict",
        ExprKind::Set(_) | ExprKind::SetComp { .. } => "set",
        ExprKind::GeneratorExp { .. } => "generator",
        ExprKind::Lambda { .. } => "function",
        ExprKind::JoinedStr(_) | ExprKind::FormattedValue { .. } => "str",
        ExprKind::TemplateStr(_) | ExprKind::Interpolation { .. } => "string.templatelib.Template",
        ExprKind::Constant(c) => c.type_name(),
        _ => return None,
    })
}

/// `check_is_arg`: false for a literal other than the named singletons.
pub(crate) fn check_is_arg(e: &Expr) -> bool {
    match &e.kind {
        // Only 3.14 gets here with a tuple display of constants (earlier ones folded it).
        ExprKind::Tuple { elts, .. } => !elts.iter().all(|x| x.is_constant()),
        ExprKind::Constant(c) => matches!(c, Constant::None | Constant::Bool(_) | Constant::Ellipsis),
        _ => true,
    }
}

impl Compiler<'_> {
    pub fn visit_exprs(&mut self, exprs: &[Expr]) -> CompileResult<()> {
        for e in exprs {
            self.visit_expr(e)?;
        }
        Ok(())
    }

    /// `compiler_visit_expr`: 3.11 moves its current location to the expression for the visit
    /// and puts it back afterwards.
    pub fn visit_expr(&mut self, e: &Expr) -> CompileResult<()> {
        if self.version != PythonVersion::V3_11 {
            return self.visit_expr1(e);
        }
        let old = self.cur_loc();
        self.set_loc(self.loc(e.range));
        let result = self.visit_expr1(e);
        self.set_loc(old);
        result
    }

    /// `compiler_visit_expr1`.
    fn visit_expr1(&mut self, e: &Expr) -> CompileResult<()> {
        let loc = self.loc(e.range);
        match &e.kind {
            ExprKind::NamedExpr { target, value } => {
                self.visit_expr(value)?;
                self.addop_i(Op::COPY, 1, loc);
                self.visit_expr(target)?;
            }
            ExprKind::BoolOp { op, values } => self.boolop(e, *op, values)?,
            ExprKind::BinOp { left, op, right } => {
                self.visit_expr(left)?;
                self.visit_expr(right)?;
                self.addop_binary(loc, *op, false);
            }
            ExprKind::UnaryOp { op, operand } => {
                self.visit_expr(operand)?;
                match op {
                    UnaryOp::UAdd => self.addop_intrinsic_1(INTRINSIC_UNARY_POSITIVE, loc),
                    UnaryOp::Not => {
                        self.addop_to_bool(loc);
                        self.addop(Op::UNARY_NOT, loc);
                    }
                    UnaryOp::Invert => self.addop(Op::UNARY_INVERT, loc),
                    UnaryOp::USub => self.addop(Op::UNARY_NEGATIVE, loc),
                }
            }
            ExprKind::Lambda { args, body } => self.lambda(e, args, body)?,
            ExprKind::IfExp { test, body, orelse } => {
                let end = self.new_label();
                let next = self.new_label();
                self.jump_if(loc, test, next, false)?;
                self.visit_expr(body)?;
                self.addop_j(self.jump_no_interrupt(), end, NO_LOCATION);
                self.use_label(next);
                self.visit_expr(orelse)?;
                self.use_label(end);
            }
            ExprKind::Dict { keys, values } => self.dict(e, keys, values)?,
            ExprKind::Set(elts) => self.starunpack_helper(loc, elts, 0, Op::BUILD_SET, Op::SET_ADD, Op::SET_UPDATE, false)?,
            ExprKind::GeneratorExp { elt, generators } => {
                self.comprehension(e, comprehension::CompType::GenExp, "<genexpr>", generators, elt, None)?
            }
            ExprKind::ListComp { elt, generators } => {
                self.comprehension(e, comprehension::CompType::ListComp, "<listcomp>", generators, elt, None)?
            }
            ExprKind::SetComp { elt, generators } => {
                self.comprehension(e, comprehension::CompType::SetComp, "<setcomp>", generators, elt, None)?
            }
            ExprKind::DictComp { key, value, generators } => {
                self.comprehension(e, comprehension::CompType::DictComp, "<dictcomp>", generators, key, Some(value))?
            }
            ExprKind::Yield(value) => {
                if !self.ste().is_function_like() {
                    return self.error(e.range, "'yield' outside function");
                }
                match value {
                    Some(v) => self.visit_expr(v)?,
                    None => self.addop_load_const(ConstValue::None, loc),
                }
                self.addop_yield(loc);
            }
            ExprKind::YieldFrom(value) => {
                if !self.ste().is_function_like() {
                    // (3.11 says `'yield' outside function` for both.)
                    let what = if self.version == PythonVersion::V3_11 { "yield" } else { "yield from" };
                    return self.error(e.range, format!("'{what}' outside function"));
                }
                if self.u().scope_type == ScopeType::AsyncFunction {
                    return self.error(e.range, "'yield from' inside async function");
                }
                self.visit_expr(value)?;
                self.addop(Op::GET_YIELD_FROM_ITER, loc);
                self.addop_load_const(ConstValue::None, loc);
                self.add_yield_from(loc, false);
            }
            ExprKind::Await(value) => {
                if !self.ste().is_function_like() {
                    return self.error(e.range, "'await' outside function");
                }
                if !matches!(self.u().scope_type, ScopeType::AsyncFunction | ScopeType::Comprehension) {
                    return self.error(e.range, "'await' outside async function");
                }
                self.visit_expr(value)?;
                self.addop_i(Op::GET_AWAITABLE, 0, loc);
                self.addop_load_const(ConstValue::None, loc);
                self.add_yield_from(loc, true);
            }
            ExprKind::Compare { left, ops, comparators } => self.compare(e, left, ops, comparators)?,
            ExprKind::Call { func, args, keywords } => self.call(e, func, args, keywords)?,
            ExprKind::Constant(c) => self.load_const_ast(c, loc),
            ExprKind::JoinedStr(values) => self.joined_str(e, values, None)?,
            ExprKind::TemplateStr(values) => self.template_str(e, values)?,
            ExprKind::Interpolation { value, str, conversion, format_spec } => {
                self.interpolation(e, value, str, *conversion, format_spec.as_deref())?
            }
            ExprKind::FormattedValue { value, conversion, format_spec } => {
                self.formatted_value(e, value, *conversion, format_spec.as_deref(), None)?
            }
            ExprKind::Attribute { value, attr, ctx } => self.attribute(e, value, attr, *ctx)?,
            ExprKind::Subscript { value, slice, ctx } => self.subscript(e, value, slice, *ctx)?,
            ExprKind::Starred { ctx, .. } => {
                return match ctx {
                    ExprContext::Store => self.error(e.range, "starred assignment target must be in a list or tuple"),
                    _ => self.error(e.range, "can't use starred expression here"),
                };
            }
            ExprKind::Slice { lower, upper, step } => {
                if self.version >= PythonVersion::V3_14 && stmt::is_constant_slice(e) {
                    let part = |p: &Option<Box<Expr>>| p.as_ref().and_then(|p| p.as_constant()).map_or(ConstValue::None, consts::from_ast);
                    let value = ConstValue::Slice(std::sync::Arc::new([part(lower), part(upper), part(step)]));
                    self.addop_load_const(value, loc);
                    return Ok(());
                }
                let n = self.slice(e)?;
                self.addop_i(Op::BUILD_SLICE, n, loc);
            }
            ExprKind::Name { id, ctx } => self.nameop(e.range, loc, id, *ctx)?,
            ExprKind::List { elts, ctx } => match ctx {
                ExprContext::Store => self.assignment_helper(loc, e.range, elts)?,
                ExprContext::Load => {
                    self.starunpack_helper(loc, elts, 0, Op::BUILD_LIST, Op::LIST_APPEND, Op::LIST_EXTEND, false)?
                }
                ExprContext::Del => self.visit_exprs(elts)?,
            },
            ExprKind::Tuple { elts, ctx } => match ctx {
                ExprContext::Store => self.assignment_helper(loc, e.range, elts)?,
                ExprContext::Load => {
                    self.starunpack_helper(loc, elts, 0, Op::BUILD_LIST, Op::LIST_APPEND, Op::LIST_EXTEND, true)?
                }
                ExprContext::Del => self.visit_exprs(elts)?,
            },
        }
        Ok(())
    }

    /// `addop_binary`.
    pub fn addop_binary(&mut self, loc: Location, op: Operator, inplace: bool) {
        let base = match op {
            Operator::Add => 0,
            Operator::BitAnd => 1,
            Operator::FloorDiv => 2,
            Operator::LShift => 3,
            Operator::MatMult => 4,
            Operator::Mult => 5,
            Operator::Mod => 6,
            Operator::BitOr => 7,
            Operator::Pow => 8,
            Operator::RShift => 9,
            Operator::Sub => 10,
            Operator::Div => 11,
            Operator::BitXor => 12,
        };
        self.addop_i(Op::BINARY_OP, if inplace { base + 13 } else { base }, loc);
    }

    /// `addop_yield`.
    pub fn addop_yield(&mut self, loc: Location) {
        if self.ste().generator && self.ste().coroutine {
            self.addop_intrinsic_1(INTRINSIC_ASYNC_GEN_WRAP, loc);
        }
        self.addop_i(Op::YIELD_VALUE, 0, loc);
        self.addop_i(Op::RESUME, RESUME_AFTER_YIELD, loc);
    }

    fn boolop(&mut self, e: &Expr, op: BoolOp, values: &[Expr]) -> CompileResult<()> {
        let loc = self.loc(e.range);
        let jumpi = if op == BoolOp::And { Op::POP_JUMP_IF_FALSE } else { Op::POP_JUMP_IF_TRUE };
        let end = self.new_label();
        let n = values.len() - 1;
        for v in &values[..n] {
            self.visit_expr(v)?;
            if self.version == PythonVersion::V3_11 {
                let jump = if op == BoolOp::And { Op::JUMP_IF_FALSE_OR_POP } else { Op::JUMP_IF_TRUE_OR_POP };
                self.addop_j(jump, end, loc);
                continue;
            }
            if self.version >= PythonVersion::V3_14 {
                // The pseudo-jumps keep their operand; the CFG expands them late.
                let pseudo = if op == BoolOp::And { Op::JUMP_IF_FALSE } else { Op::JUMP_IF_TRUE };
                self.addop_j(pseudo, end, loc);
                self.addop(Op::POP_TOP, loc);
                continue;
            }
            self.addop_i(Op::COPY, 1, loc);
            self.addop_to_bool(loc);
            self.addop_j(jumpi, end, loc);
            self.addop(Op::POP_TOP, loc);
        }
        self.visit_expr(&values[n])?;
        self.use_label(end);
        Ok(())
    }

    /// `check_compare`: the `"is" with a literal` SyntaxWarning.
    pub(crate) fn check_compare(&mut self, e: &Expr, left: &Expr, ops: &[CmpOp], comparators: &[Expr]) {
        let mut left_ok = check_is_arg(left);
        let mut left_expr = left;
        for (op, right_expr) in ops.iter().zip(comparators) {
            let right_ok = check_is_arg(right_expr);
            if matches!(op, CmpOp::Is | CmpOp::IsNot) && (!right_ok || !left_ok) {
                let literal = if !left_ok { left_expr } else { right_expr };
                let ty = infer_type(literal).unwrap_or("object");
                let msg = if self.version >= PythonVersion::V3_12 {
                    if *op == CmpOp::Is {
                        format!("\"is\" with '{ty}' literal. Did you mean \"==\"?")
                    } else {
                        format!("\"is not\" with '{ty}' literal. Did you mean \"!=\"?")
                    }
                } else if *op == CmpOp::Is {
                    "\"is\" with a literal. Did you mean \"==\"?".to_string()
                } else {
                    "\"is not\" with a literal. Did you mean \"!=\"?".to_string()
                };
                self.warn(e.range, msg);
                return;
            }
            left_ok = right_ok;
            left_expr = right_expr;
        }
    }

    /// `compiler_addcompare`.
    pub fn addcompare(&mut self, loc: Location, op: CmpOp) {
        let cmp = match op {
            CmpOp::Lt => 0,
            CmpOp::LtE => 1,
            CmpOp::Eq => 2,
            CmpOp::NotEq => 3,
            CmpOp::Gt => 4,
            CmpOp::GtE => 5,
            CmpOp::Is => return self.addop_i(Op::IS_OP, 0, loc),
            CmpOp::IsNot => return self.addop_i(Op::IS_OP, 1, loc),
            CmpOp::In => return self.addop_i(Op::CONTAINS_OP, 0, loc),
            CmpOp::NotIn => return self.addop_i(Op::CONTAINS_OP, 1, loc),
        };
        if self.version == PythonVersion::V3_11 {
            // 3.11's oparg is the index into `dis.cmp_op`.
            return self.addop_i(Op::COMPARE_OP, cmp, loc);
        }
        // COMPARISON_LESS_THAN = 2, GREATER_THAN = 4, EQUALS = 8, NOT_EQUALS = 7.
        let mask = [2, 2 | 8, 8, 7, 4, 4 | 8][cmp as usize];
        // The comparison sits above the mask: bits 4.. in 3.12, bits 5.. from 3.13 (bit 4 is then
        // "coerce to bool", set by the flowgraph).
        let shift = if self.version <= PythonVersion::V3_12 { 4 } else { 5 };
        self.addop_i(Op::COMPARE_OP, (cmp << shift) | mask, loc);
    }

    /// `compiler_jump_if`: jumps to `next` if `e` is true (`cond`) or false (`!cond`).
    /// In 3.11 a comparison moves the current location to itself (`SET_LOC(c, e)`) and leaves it
    /// there for whatever the caller emits next.
    pub fn jump_if(&mut self, loc: Location, e: &Expr, next: Label, cond: bool) -> CompileResult<()> {
        if matches!(e.kind, ExprKind::Compare { .. }) {
            self.set_loc(self.loc(e.range));
        }
        match &e.kind {
            ExprKind::UnaryOp { op: UnaryOp::Not, operand } => return self.jump_if(loc, operand, next, !cond),
            ExprKind::BoolOp { op, values } => {
                let n = values.len() - 1;
                let cond2 = *op == BoolOp::Or;
                let next2 = if cond2 != cond { self.new_label() } else { next };
                for v in &values[..n] {
                    self.jump_if(loc, v, next2, cond2)?;
                }
                self.jump_if(loc, &values[n], next, cond)?;
                if next2 != next {
                    self.use_label(next2);
                }
                return Ok(());
            }
            ExprKind::IfExp { test, body, orelse } => {
                let end = self.new_label();
                let next2 = self.new_label();
                self.jump_if(loc, test, next2, false)?;
                self.jump_if(loc, body, next, cond)?;
                self.addop_j(self.jump_no_interrupt(), end, NO_LOCATION);
                self.use_label(next2);
                self.jump_if(loc, orelse, next, cond)?;
                self.use_label(end);
                return Ok(());
            }
            ExprKind::Compare { left, ops, comparators } if ops.len() > 1 => {
                let eloc = self.loc(e.range);
                self.check_compare(e, left, ops, comparators);
                let cleanup = self.new_label();
                self.visit_expr(left)?;
                let n = ops.len() - 1;
                for i in 0..n {
                    self.visit_expr(&comparators[i])?;
                    self.addop_i(Op::SWAP, 2, eloc);
                    self.addop_i(Op::COPY, 2, eloc);
                    self.addcompare(eloc, ops[i]);
                    self.addop_to_bool(eloc);
                    self.addop_j(Op::POP_JUMP_IF_FALSE, cleanup, eloc);
                }
                self.visit_expr(&comparators[n])?;
                self.addcompare(eloc, ops[n]);
                self.addop_to_bool(eloc);
                self.addop_j(if cond { Op::POP_JUMP_IF_TRUE } else { Op::POP_JUMP_IF_FALSE }, next, eloc);
                let end = self.new_label();
                self.addop_j(self.jump_no_interrupt(), end, NO_LOCATION);
                self.use_label(cleanup);
                self.addop(Op::POP_TOP, eloc);
                if !cond {
                    self.addop_j(self.jump_no_interrupt(), next, NO_LOCATION);
                }
                self.use_label(end);
                return Ok(());
            }
            _ => {}
        }
        self.visit_expr(e)?;
        let eloc = self.loc(e.range);
        self.addop_to_bool(eloc);
        self.addop_j(if cond { Op::POP_JUMP_IF_TRUE } else { Op::POP_JUMP_IF_FALSE }, next, eloc);
        Ok(())
    }

    fn compare(&mut self, e: &Expr, left: &Expr, ops: &[CmpOp], comparators: &[Expr]) -> CompileResult<()> {
        let loc = self.loc(e.range);
        self.check_compare(e, left, ops, comparators);
        self.visit_expr(left)?;
        let n = ops.len() - 1;
        if n == 0 {
            self.visit_expr(&comparators[0])?;
            self.addcompare(loc, ops[0]);
        } else {
            let cleanup = self.new_label();
            for i in 0..n {
                self.visit_expr(&comparators[i])?;
                self.addop_i(Op::SWAP, 2, loc);
                self.addop_i(Op::COPY, 2, loc);
                self.addcompare(loc, ops[i]);
                if self.version == PythonVersion::V3_11 {
                    self.addop_j(Op::JUMP_IF_FALSE_OR_POP, cleanup, loc);
                    continue;
                }
                self.addop_i(Op::COPY, 1, loc);
                self.addop_to_bool(loc);
                self.addop_j(Op::POP_JUMP_IF_FALSE, cleanup, loc);
                self.addop(Op::POP_TOP, loc);
            }
            self.visit_expr(&comparators[n])?;
            self.addcompare(loc, ops[n]);
            let end = self.new_label();
            self.addop_j(self.jump_no_interrupt(), end, NO_LOCATION);
            self.use_label(cleanup);
            self.addop_i(Op::SWAP, 2, loc);
            self.addop(Op::POP_TOP, loc);
            self.use_label(end);
        }
        Ok(())
    }

    /// `starunpack_helper`: builds a tuple/list/set, with star-unpacking and the constant-run
    /// shortcut (`BUILD_LIST 0; LOAD_CONST (…); LIST_EXTEND 1`).
    #[allow(clippy::too_many_arguments)]
    pub fn starunpack_helper(
        &mut self,
        loc: Location,
        elts: &[Expr],
        pushed: usize,
        build: Op,
        add: Op,
        extend: Op,
        tuple: bool,
    ) -> CompileResult<()> {
        let n = elts.len();
        if n > 2 && elts.iter().all(|e| e.is_constant()) && self.version < PythonVersion::V3_14 {
            let folded: Vec<ConstValue> = elts.iter().map(|e| consts::from_ast(e.as_constant().unwrap())).collect();
            if tuple && pushed == 0 {
                self.addop_load_const(ConstValue::Tuple(folded.into()), loc);
            } else {
                let value = if add == Op::SET_ADD {
                    let items: Vec<Constant> = elts.iter().map(|e| e.as_constant().unwrap().clone()).collect();
                    let unique = crate::ast_opt::dedup_set(items);
                    ConstValue::FrozenSet(unique.iter().map(consts::from_ast).collect())
                } else {
                    ConstValue::Tuple(folded.into())
                };
                self.addop_i(build, pushed as i32, loc);
                self.addop_load_const(value, loc);
                self.addop_i(extend, 1, loc);
                if tuple {
                    self.addop_intrinsic_1(INTRINSIC_LIST_TO_TUPLE, loc);
                }
            }
            return Ok(());
        }
        let big = n + pushed > STACK_USE_GUIDELINE;
        let seen_star = elts.iter().any(|e| matches!(e.kind, ExprKind::Starred { .. }));
        if !seen_star && !big {
            for e in elts {
                self.visit_expr(e)?;
            }
            self.addop_i(if tuple { Op::BUILD_TUPLE } else { build }, (n + pushed) as i32, loc);
            return Ok(());
        }
        let mut sequence_built = false;
        if big {
            self.addop_i(build, pushed as i32, loc);
            sequence_built = true;
        }
        for (i, e) in elts.iter().enumerate() {
            if let ExprKind::Starred { value, .. } = &e.kind {
                if !sequence_built {
                    self.addop_i(build, (i + pushed) as i32, loc);
                    sequence_built = true;
                }
                self.visit_expr(value)?;
                self.addop_i(extend, 1, loc);
            } else {
                self.visit_expr(e)?;
                if sequence_built {
                    self.addop_i(add, 1, loc);
                }
            }
        }
        if tuple {
            self.addop_intrinsic_1(INTRINSIC_LIST_TO_TUPLE, loc);
        }
        Ok(())
    }

    /// `unpack_helper` + `assignment_helper`.
    fn assignment_helper(&mut self, loc: Location, range: TextRange, elts: &[Expr]) -> CompileResult<()> {
        let n = elts.len();
        let mut seen_star = false;
        for (i, e) in elts.iter().enumerate() {
            if matches!(e.kind, ExprKind::Starred { .. }) {
                if seen_star {
                    return self.error(range, "multiple starred expressions in assignment");
                }
                if i >= (1 << 8) || (n - i - 1) >= (i32::MAX as usize >> 8) {
                    return self.error(range, "too many expressions in star-unpacking assignment");
                }
                self.addop_i(Op::UNPACK_EX, (i + ((n - i - 1) << 8)) as i32, loc);
                seen_star = true;
            }
        }
        if !seen_star {
            self.addop_i(Op::UNPACK_SEQUENCE, n as i32, loc);
        }
        for e in elts {
            match &e.kind {
                ExprKind::Starred { value, .. } => self.visit_expr(value)?,
                _ => self.visit_expr(e)?,
            }
        }
        Ok(())
    }

    /// `compiler_subdict`.
    fn subdict(&mut self, loc: Location, keys: &[Option<Expr>], values: &[Expr], begin: usize, end: usize) -> CompileResult<()> {
        let n = end - begin;
        let big = n * 2 > STACK_USE_GUIDELINE;
        let all_const = keys[begin..end].iter().all(|k| k.as_ref().is_some_and(|k| k.is_constant()));
        if n > 1 && !big && all_const && self.version < PythonVersion::V3_14 {
            for v in &values[begin..end] {
                self.visit_expr(v)?;
            }
            let ks: Vec<ConstValue> =
                keys[begin..end].iter().map(|k| consts::from_ast(k.as_ref().unwrap().as_constant().unwrap())).collect();
            self.addop_load_const(ConstValue::Tuple(ks.into()), loc);
            self.addop_i(Op::BUILD_CONST_KEY_MAP, n as i32, loc);
            return Ok(());
        }
        if big {
            self.addop_i(Op::BUILD_MAP, 0, loc);
        }
        for i in begin..end {
            if let Some(k) = &keys[i] {
                self.visit_expr(k)?;
            }
            self.visit_expr(&values[i])?;
            if big {
                self.addop_i(Op::MAP_ADD, 1, loc);
            }
        }
        if !big {
            self.addop_i(Op::BUILD_MAP, n as i32, loc);
        }
        Ok(())
    }

    fn dict(&mut self, e: &Expr, keys: &[Option<Expr>], values: &[Expr]) -> CompileResult<()> {
        let loc = self.loc(e.range);
        let n = values.len();
        let mut have_dict = false;
        let mut elements = 0usize;
        for i in 0..n {
            if keys[i].is_none() {
                if elements > 0 {
                    self.subdict(loc, keys, values, i - elements, i)?;
                    if have_dict {
                        self.addop_i(Op::DICT_UPDATE, 1, loc);
                    }
                    have_dict = true;
                    elements = 0;
                }
                if !have_dict {
                    self.addop_i(Op::BUILD_MAP, 0, loc);
                    have_dict = true;
                }
                self.visit_expr(&values[i])?;
                self.addop_i(Op::DICT_UPDATE, 1, loc);
            } else if elements * 2 > STACK_USE_GUIDELINE {
                self.subdict(loc, keys, values, i - elements, i + 1)?;
                if have_dict {
                    self.addop_i(Op::DICT_UPDATE, 1, loc);
                }
                have_dict = true;
                elements = 0;
            } else {
                elements += 1;
            }
        }
        if elements > 0 {
            self.subdict(loc, keys, values, n - elements, n)?;
            if have_dict {
                self.addop_i(Op::DICT_UPDATE, 1, loc);
            }
            have_dict = true;
        }
        if !have_dict {
            self.addop_i(Op::BUILD_MAP, 0, loc);
        }
        Ok(())
    }

    /// The parts of an f-string. 3.11's parser gave every part (and a nested format spec) the
    /// location of the whole string, `outer`.
    pub(super) fn joined_part(&mut self, v: &Expr, outer: Location) -> CompileResult<()> {
        if self.version != PythonVersion::V3_11 {
            return self.visit_expr(v);
        }
        // The parts `%`-formatting was rewritten into keep their own locations: none for the
        // literal pieces, the argument's for each value.
        let here = match &v.kind {
            ExprKind::FormattedValue { value, .. } if v.range == value.range => self.loc(v.range),
            _ => outer,
        };
        let old = self.cur_loc();
        self.set_loc(here);
        let result = self.joined_part_311(v, outer);
        self.set_loc(old);
        result
    }

    /// [`Self::joined_part`] in 3.11, at the part's current location.
    fn joined_part_311(&mut self, v: &Expr, outer: Location) -> CompileResult<()> {
        match &v.kind {
            ExprKind::Constant(c) if v.range == crate::ast_opt::NO_RANGE => self.load_const_ast(c, NO_LOCATION),
            ExprKind::Constant(c) => self.load_const_ast(c, outer),
            ExprKind::FormattedValue { value, conversion, format_spec } => {
                let synthetic = v.range == value.range;
                let at = (!synthetic).then_some(outer);
                self.formatted_value(v, value, *conversion, format_spec.as_deref(), at)?
            }
            ExprKind::JoinedStr(values) => self.format_spec_311(v, values, outer)?,
            _ => self.visit_expr(v)?,
        }
        Ok(())
    }

    fn joined_str(&mut self, e: &Expr, values: &[Expr], outer: Option<Location>) -> CompileResult<()> {
        let run = std::mem::replace(&mut self.fstring_range, e.range);
        let result = self.joined_str_parts(e, values, outer);
        self.fstring_range = run;
        result
    }

    fn joined_str_parts(&mut self, e: &Expr, values: &[Expr], outer: Option<Location>) -> CompileResult<()> {
        let loc = outer.unwrap_or_else(|| self.loc(e.range));
        if values.len() > STACK_USE_GUIDELINE {
            self.addop_load_const(consts::str_const(""), loc);
            self.addop_name(Op::LOAD_METHOD, NameTable::Names, "join", loc);
            self.addop_i(Op::BUILD_LIST, 0, loc);
            for v in values {
                self.joined_part(v, loc)?;
                self.addop_i(Op::LIST_APPEND, 1, loc);
            }
            self.addop_i(Op::CALL, 1, loc);
        } else {
            for v in values {
                self.joined_part(v, loc)?;
            }
            // An empty f-string is `BUILD_STRING 0` in 3.12, the constant '' from 3.13.
            if values.len() > 1 || (values.is_empty() && self.version <= PythonVersion::V3_12) {
                self.addop_i(Op::BUILD_STRING, values.len() as i32, loc);
            } else if values.is_empty() {
                self.addop_load_const(consts::str_const(""), loc);
            }
        }
        Ok(())
    }

    fn formatted_value(
        &mut self,
        e: &Expr,
        value: &Expr,
        conversion: Conversion,
        spec: Option<&Expr>,
        outer: Option<Location>,
    ) -> CompileResult<()> {
        match self.field_tuple_loc_311(e, value) {
            Some(at) => {
                let old = self.cur_loc();
                self.set_loc(at);
                let result = self.visit_expr1(value);
                self.set_loc(old);
                result?
            }
            None => self.visit_expr(value)?,
        }
        let loc = outer.unwrap_or_else(|| self.loc(e.range));
        let conv = match conversion {
            Conversion::None => None,
            Conversion::Str => Some(1),
            Conversion::Repr => Some(2),
            Conversion::Ascii => Some(3),
        };
        if self.version <= PythonVersion::V3_12 {
            // One FORMAT_VALUE: the conversion in the low bits, 4 when a spec is on the stack.
            if let Some(spec) = spec {
                self.joined_part(spec, loc)?;
            }
            self.addop_i(Op::FORMAT_VALUE, conv.unwrap_or(0) | if spec.is_some() { 4 } else { 0 }, loc);
            return Ok(());
        }
        if let Some(c) = conv {
            self.addop_i(Op::CONVERT_VALUE, c, loc);
        }
        match spec {
            Some(spec) => {
                self.visit_expr(spec)?;
                self.addop(Op::FORMAT_WITH_SPEC, loc);
            }
            None => self.addop(Op::FORMAT_SIMPLE, loc),
        }
        Ok(())
    }

    /// `update_start_location_to_match_attr`: a multi-line attribute access is located at the
    /// attribute name.
    pub fn update_start_location_to_match_attr(&self, mut loc: Location, attr: &Expr) -> Location {
        let ExprKind::Attribute { attr: name, .. } = &attr.kind else { return loc };
        let aloc = self.loc(attr.range);
        if loc.lineno != aloc.end_lineno {
            loc.lineno = aloc.end_lineno;
            let len = name.chars().count() as i32;
            if len <= aloc.end_col_offset {
                loc.col_offset = aloc.end_col_offset - len;
            } else {
                loc.col_offset = -1;
                loc.end_col_offset = -1;
            }
            loc.end_lineno = loc.lineno.max(loc.end_lineno);
            if loc.lineno == loc.end_lineno {
                loc.end_col_offset = loc.col_offset.max(loc.end_col_offset);
            }
        }
        loc
    }

    /// `compiler_maybe_add_static_attribute_to_class`: `self.x = …` in a method records `x`.
    fn maybe_add_static_attribute(&mut self, value: &Expr, attr: &str, ctx: ExprContext) {
        let is_self = matches!(&value.kind, ExprKind::Name { id, .. } if id == "self");
        if !is_self || ctx != ExprContext::Store {
            return;
        }
        for u in self.units.iter_mut().rev() {
            if u.scope_type == ScopeType::Class {
                if let Some(set) = &mut u.static_attributes {
                    set.insert(attr.to_string());
                }
                break;
            }
        }
    }

    fn attribute(&mut self, e: &Expr, value: &Expr, attr: &str, ctx: ExprContext) -> CompileResult<()> {
        let mut loc = self.loc(e.range);
        if ctx == ExprContext::Load && self.can_optimize_super_call(e) {
            self.load_args_for_super(value)?;
            let ExprKind::Call { args, .. } = &value.kind else { unreachable!() };
            let op = if args.is_empty() { Op::LOAD_ZERO_SUPER_ATTR } else { Op::LOAD_SUPER_ATTR };
            self.addop_name(op, NameTable::Names, attr, loc);
            loc = self.update_start_location_to_match_attr(loc, e);
            self.addop(Op::NOP, loc);
            return Ok(());
        }
        if self.version >= PythonVersion::V3_13 {
            self.maybe_add_static_attribute(value, attr, ctx);
        }
        self.visit_expr(value)?;
        loc = self.update_start_location_to_match_attr(self.loc(e.range), e);
        self.set_loc(loc);
        match ctx {
            ExprContext::Load => self.addop_name(Op::LOAD_ATTR, NameTable::Names, attr, loc),
            ExprContext::Store => {
                self.check_forbidden(e.range, attr, ctx)?;
                self.addop_name(Op::STORE_ATTR, NameTable::Names, attr, loc);
            }
            ExprContext::Del => self.addop_name(Op::DELETE_ATTR, NameTable::Names, attr, loc),
        }
        Ok(())
    }

    /// `check_subscripter`.
    fn check_subscripter(&mut self, e: &Expr) {
        let warn = match &e.kind {
            ExprKind::Constant(c) => matches!(
                c,
                Constant::None
                    | Constant::Ellipsis
                    | Constant::Int(_)
                    | Constant::Bool(_)
                    | Constant::Float(_)
                    | Constant::Complex { .. }
                    | Constant::FrozenSet(_)
            ),
            ExprKind::Set(_)
            | ExprKind::SetComp { .. }
            | ExprKind::GeneratorExp { .. }
            | ExprKind::TemplateStr(_)
            | ExprKind::Interpolation { .. }
            | ExprKind::Lambda { .. } => true,
            _ => false,
        };
        if warn {
            let ty = infer_type(e).unwrap_or("object");
            self.warn(e.range, format!("'{ty}' object is not subscriptable; perhaps you missed a comma?"));
        }
    }

    /// `check_index`.
    fn check_index(&mut self, e: &Expr, s: &Expr) {
        let Some(index_type) = infer_type(s) else { return };
        if matches!(index_type, "int" | "bool") || matches!(s.kind, ExprKind::Slice { .. }) {
            return;
        }
        let warn = match &e.kind {
            ExprKind::Constant(c) => matches!(c, Constant::Str(_) | Constant::Bytes(_) | Constant::Tuple(_)),
            ExprKind::Tuple { .. }
            | ExprKind::List { .. }
            | ExprKind::ListComp { .. }
            | ExprKind::JoinedStr(_)
            | ExprKind::FormattedValue { .. } => true,
            _ => false,
        };
        if warn {
            let ty = infer_type(e).unwrap_or("object");
            self.warn(
                e.range,
                format!("{ty} indices must be integers or slices, not {index_type}; perhaps you missed a comma?"),
            );
        }
    }

    fn subscript(&mut self, e: &Expr, value: &Expr, slice: &Expr, ctx: ExprContext) -> CompileResult<()> {
        let loc = self.loc(e.range);
        if ctx == ExprContext::Load {
            self.check_subscripter(value);
            self.check_index(value, slice);
        }
        self.visit_expr(value)?;
        if self.is_two_element_slice(slice) && ctx != ExprContext::Del {
            self.slice(slice)?;
            if ctx == ExprContext::Load {
                self.addop(Op::BINARY_SLICE, loc);
            } else {
                self.addop(Op::STORE_SLICE, loc);
            }
        } else {
            self.visit_expr(slice)?;
            let op = match ctx {
                ExprContext::Load => {
                    self.addop_subscr(loc);
                    return Ok(());
                }
                ExprContext::Store => Op::STORE_SUBSCR,
                ExprContext::Del => Op::DELETE_SUBSCR,
            };
            self.addop(op, loc);
        }
        Ok(())
    }

    /// `compiler_slice`: pushes the bounds; returns how many values BUILD_SLICE needs.
    pub fn slice(&mut self, s: &Expr) -> CompileResult<i32> {
        let ExprKind::Slice { lower, upper, step } = &s.kind else { return Ok(0) };
        let loc = self.loc(s.range);
        let mut n = 2;
        match lower {
            Some(l) => self.visit_expr(l)?,
            None => self.addop_load_const(ConstValue::None, loc),
        }
        match upper {
            Some(u) => self.visit_expr(u)?,
            None => self.addop_load_const(ConstValue::None, loc),
        }
        if let Some(st) = step {
            n += 1;
            self.visit_expr(st)?;
        }
        Ok(n)
    }
}
