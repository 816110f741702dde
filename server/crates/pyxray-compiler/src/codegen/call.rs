//! Calls (`compiler_call`, `compiler_call_helper`): method calls via `LOAD_ATTR` with the method
//! bit, zero- and two-argument `super()` via `LOAD_SUPER_ATTR`, keyword names, and the
//! `CALL_FUNCTION_EX` path for star-arguments or large calls.

use super::*;
use pyxray_syntax::ast::{Expr, ExprKind, Keyword};

impl Compiler<'_> {
    /// `is_import_originated`: the name is bound by an import at module level.
    fn is_import_originated(&self, e: &Expr) -> bool {
        let ExprKind::Name { id, .. } = &e.kind else { return false };
        self.st.entry(self.st.top).symbol(id) & symtable::DEF_IMPORT != 0
    }

    /// `can_optimize_super_call`.
    pub fn can_optimize_super_call(&self, attr: &Expr) -> bool {
        // LOAD_SUPER_ATTR is 3.12's; 3.11 calls super() like any function.
        if self.version == PythonVersion::V3_11 {
            return false;
        }
        let ExprKind::Attribute { value, attr: attr_name, .. } = &attr.kind else { return false };
        let ExprKind::Call { func, args, keywords } = &value.kind else { return false };
        let ExprKind::Name { id, .. } = &func.kind else { return false };
        if id != "super" || attr_name == "__class__" || !keywords.is_empty() {
            return false;
        }
        if self.ste().scope(id) != Some(Scope::GlobalImplicit) {
            return false;
        }
        if self.st.entry(self.st.top).scope(id).is_some() {
            return false;
        }
        if args.len() == 2 {
            return !args.iter().any(|a| matches!(a.kind, ExprKind::Starred { .. }));
        }
        if !args.is_empty() {
            return false;
        }
        let md = &self.u().md;
        if md.argcount == 0 && md.posonlyargcount == 0 {
            return false;
        }
        self.get_ref_type("__class__") == Some(Scope::Free)
    }

    /// `load_args_for_super`.
    pub fn load_args_for_super(&mut self, e: &Expr) -> CompileResult<()> {
        let ExprKind::Call { func, args, .. } = &e.kind else { return Ok(()) };
        let loc = self.loc(e.range);
        if let ExprKind::Name { id, .. } = &func.kind {
            let floc = self.loc(func.range);
            self.nameop(func.range, floc, id, ExprContext::Load)?;
        }
        if args.len() == 2 {
            self.visit_expr(&args[0])?;
            self.visit_expr(&args[1])?;
            return Ok(());
        }
        self.nameop(e.range, loc, "__class__", ExprContext::Load)?;
        let first = self.u().md.varnames.get_index(0).cloned().unwrap_or_default();
        self.nameop(e.range, loc, &first, ExprContext::Load)?;
        Ok(())
    }

    /// `maybe_optimize_method_call`: returns whether the call was emitted.
    fn maybe_optimize_method_call(&mut self, e: &Expr, meth: &Expr, args: &[Expr], kwds: &[Keyword]) -> CompileResult<bool> {
        let ExprKind::Attribute { value, attr, ctx } = &meth.kind else { return Ok(false) };
        if *ctx != ExprContext::Load {
            return Ok(false);
        }
        if self.is_import_originated(value) {
            return Ok(false);
        }
        let argsl = args.len();
        let kwdsl = kwds.len();
        if argsl + kwdsl + (kwdsl != 0) as usize >= STACK_USE_GUIDELINE {
            return Ok(false);
        }
        if args.iter().any(|a| matches!(a.kind, ExprKind::Starred { .. })) || kwds.iter().any(|k| k.arg.is_none()) {
            return Ok(false);
        }
        let mut loc = self.loc(meth.range);
        if self.can_optimize_super_call(meth) {
            self.load_args_for_super(value)?;
            let ExprKind::Call { args: sargs, .. } = &value.kind else { unreachable!() };
            let op = if sargs.is_empty() { Op::LOAD_ZERO_SUPER_METHOD } else { Op::LOAD_SUPER_METHOD };
            self.addop_name(op, NameTable::Names, attr, loc);
            loc = self.update_start_location_to_match_attr(loc, meth);
            self.addop(Op::NOP, loc);
        } else {
            self.visit_expr(value)?;
            loc = self.update_start_location_to_match_attr(loc, meth);
            self.set_loc(loc);
            self.addop_name(Op::LOAD_METHOD, NameTable::Names, attr, loc);
        }
        self.visit_exprs(args)?;
        if kwdsl > 0 {
            for k in kwds {
                self.visit_expr(&k.value)?;
            }
            self.call_simple_kw_helper(loc, kwds);
            let eloc = self.update_start_location_to_match_attr(self.loc(e.range), meth);
            self.set_loc(eloc);
            self.addop_i(self.call_kw_op(), (argsl + kwdsl) as i32, eloc);
        } else {
            let eloc = self.update_start_location_to_match_attr(self.loc(e.range), meth);
            self.set_loc(eloc);
            self.addop_i(Op::CALL, argsl as i32, eloc);
        }
        Ok(true)
    }

    /// `validate_keywords`.
    fn validate_keywords(&self, keywords: &[Keyword]) -> CompileResult<()> {
        for (i, k) in keywords.iter().enumerate() {
            let Some(arg) = &k.arg else { continue };
            self.check_forbidden(k.range, arg, ExprContext::Store)?;
            for other in &keywords[i + 1..] {
                if other.arg.as_deref() == Some(arg.as_str()) {
                    // (3.11 moves its current location to the repeated keyword first.)
                    return Err(CompileError::syntax(format!("keyword argument repeated: {arg}"), other.range));
                }
            }
        }
        Ok(())
    }

    /// `check_caller`: the "'X' object is not callable" warning.
    fn check_caller(&mut self, func: &Expr) {
        let warn = matches!(
            func.kind,
            ExprKind::Constant(_)
                | ExprKind::Tuple { .. }
                | ExprKind::List { .. }
                | ExprKind::ListComp { .. }
                | ExprKind::Dict { .. }
                | ExprKind::DictComp { .. }
                | ExprKind::Set(_)
                | ExprKind::SetComp { .. }
                | ExprKind::GeneratorExp { .. }
                | ExprKind::JoinedStr(_)
                | ExprKind::FormattedValue { .. }
                | ExprKind::TemplateStr(_)
                | ExprKind::Interpolation { .. }
        );
        if warn {
            let ty = expr::infer_type(func).unwrap_or("object");
            self.warn(func.range, format!("'{ty}' object is not callable; perhaps you missed a comma?"));
        }
    }

    pub fn call(&mut self, e: &Expr, func: &Expr, args: &[Expr], keywords: &[Keyword]) -> CompileResult<()> {
        self.validate_keywords(keywords)?;
        if self.maybe_optimize_method_call(e, func, args, keywords)? {
            return Ok(());
        }
        // 3.14 jumps past the normal call when it ran an inlined all()/any()/tuple(). (No label
        // before: 3.12 starts a block at every label and numbers jumps by them.)
        let skip_normal_call = (self.version >= PythonVersion::V3_14).then(|| self.new_label());
        self.check_caller(func);
        let floc = self.loc(func.range);
        if self.version <= PythonVersion::V3_12 {
            // 3.12 pushes the NULL below the callable (3.13 above it).
            self.set_loc(floc);
            self.addop(Op::PUSH_NULL, floc);
            self.set_loc(self.loc(e.range));
            self.visit_expr(func)?;
        } else {
            self.visit_expr(func)?;
            if let Some(skip) = skip_normal_call {
                self.maybe_optimize_function_call(func, args, keywords, skip)?;
            }
            self.addop(Op::PUSH_NULL, floc);
        }
        let loc = self.loc(e.range);
        self.call_helper(loc, 0, args, keywords)?;
        if let Some(skip) = skip_normal_call {
            self.use_label(skip);
        }
        Ok(())
    }

    /// `maybe_optimize_function_call` (3.14): `all(genexp)`, `any(genexp)` and
    /// `tuple(genexp)` run the generator inline when the name is still the builtin.
    fn maybe_optimize_function_call(&mut self, func: &Expr, args: &[Expr], keywords: &[Keyword], end: Label) -> CompileResult<()> {
        let ExprKind::Name { id, .. } = &func.kind else { return Ok(()) };
        if args.len() != 1 || !keywords.is_empty() || !matches!(args[0].kind, ExprKind::GeneratorExp { .. }) {
            return Ok(());
        }
        // CONSTANT_BUILTIN_TUPLE 2, _ALL 3, _ANY 4.
        let (const_oparg, initial, continue_jump) = match id.as_str() {
            "all" => (3, Some(true), Op::POP_JUMP_IF_TRUE),
            "any" => (4, Some(false), Op::POP_JUMP_IF_FALSE),
            "tuple" => (2, None, Op::NOP),
            _ => return Ok(()),
        };
        let loc = self.loc(func.range);
        let skip_optimization = self.new_label();
        self.addop_i(Op::COPY, 1, loc);
        self.addop_i(Op::LOAD_COMMON_CONSTANT, const_oparg, loc);
        self.addcompare(loc, pyxray_syntax::ast::CmpOp::Is);
        self.addop_j(Op::POP_JUMP_IF_FALSE, skip_optimization, loc);
        self.addop(Op::POP_TOP, loc);
        if initial.is_none() {
            self.addop_i(Op::BUILD_LIST, 0, loc);
        }
        self.visit_expr(&args[0])?;
        let loop_ = self.new_label();
        let cleanup = self.new_label();
        self.use_label(loop_);
        self.addop_j(Op::FOR_ITER, cleanup, loc);
        match initial {
            None => {
                self.addop_i(Op::LIST_APPEND, 2, loc);
                self.addop_j(Op::JUMP, loop_, loc);
            }
            Some(_) => {
                self.addop(Op::TO_BOOL, loc);
                self.addop_j(continue_jump, loop_, loc);
            }
        }
        self.addop(Op::POP_ITER, NO_LOCATION);
        if let Some(init) = initial {
            self.addop_load_const(ConstValue::Bool(!init), loc);
        }
        self.addop_j(Op::JUMP, end, loc);
        self.use_label(cleanup);
        self.addop(Op::END_FOR, NO_LOCATION);
        self.addop(Op::POP_ITER, NO_LOCATION);
        match initial {
            None => self.addop_i(Op::CALL_INTRINSIC_1, INTRINSIC_LIST_TO_TUPLE, loc),
            Some(init) => self.addop_load_const(ConstValue::Bool(init), loc),
        }
        self.addop_j(Op::JUMP, end, loc);
        self.use_label(skip_optimization);
        Ok(())
    }

    /// `compiler_call_simple_kw_helper`: the tuple of keyword names, loaded before `CALL_KW`
    /// (3.13+) or named by `KW_NAMES` before `CALL` (3.12).
    fn call_simple_kw_helper(&mut self, loc: Location, keywords: &[Keyword]) {
        let names: Vec<ConstValue> = keywords.iter().map(|k| consts::str_const(k.arg.as_deref().unwrap_or(""))).collect();
        let names = ConstValue::Tuple(names.into());
        if self.version <= PythonVersion::V3_12 {
            let index = self.add_const(names);
            self.addop_i(Op::KW_NAMES, index, loc);
        } else {
            self.addop_load_const(names, loc);
        }
    }

    /// The call instruction after keyword names: `CALL_KW` from 3.13, plain `CALL` before.
    fn call_kw_op(&self) -> Op {
        if self.version <= PythonVersion::V3_12 {
            Op::CALL
        } else {
            Op::CALL_KW
        }
    }

    /// `compiler_subkwargs`.
    fn subkwargs(&mut self, loc: Location, keywords: &[Keyword], begin: usize, end: usize) -> CompileResult<()> {
        let n = end - begin;
        let big = n * 2 > STACK_USE_GUIDELINE;
        if n > 1 && !big && self.version < PythonVersion::V3_14 {
            for k in &keywords[begin..end] {
                self.visit_expr(&k.value)?;
            }
            let keys: Vec<ConstValue> =
                keywords[begin..end].iter().map(|k| consts::str_const(k.arg.as_deref().unwrap_or(""))).collect();
            self.addop_load_const(ConstValue::Tuple(keys.into()), loc);
            self.addop_i(Op::BUILD_CONST_KEY_MAP, n as i32, loc);
            return Ok(());
        }
        if big {
            self.addop_i(Op::BUILD_MAP, 0, NO_LOCATION);
        }
        for k in &keywords[begin..end] {
            self.addop_load_const(consts::str_const(k.arg.as_deref().unwrap_or("")), loc);
            self.visit_expr(&k.value)?;
            if big {
                self.addop_i(Op::MAP_ADD, 1, NO_LOCATION);
            }
        }
        if !big {
            self.addop_i(Op::BUILD_MAP, n as i32, loc);
        }
        Ok(())
    }

    /// `compiler_call_helper`: `n` arguments are already on the stack.
    pub fn call_helper(&mut self, loc: Location, n: usize, args: &[Expr], keywords: &[Keyword]) -> CompileResult<()> {
        self.validate_keywords(keywords)?;
        let nelts = args.len();
        let nkwelts = keywords.len();
        let ex_call = nelts + nkwelts * 2 > STACK_USE_GUIDELINE
            || args.iter().any(|a| matches!(a.kind, ExprKind::Starred { .. }))
            || keywords.iter().any(|k| k.arg.is_none());
        if !ex_call {
            for a in args {
                self.visit_expr(a)?;
            }
            if nkwelts > 0 {
                for k in keywords {
                    self.visit_expr(&k.value)?;
                }
                self.call_simple_kw_helper(loc, keywords);
                self.addop_i(self.call_kw_op(), (n + nelts + nkwelts) as i32, loc);
            } else {
                self.addop_i(Op::CALL, (n + nelts) as i32, loc);
            }
            return Ok(());
        }
        // CALL_FUNCTION_EX: positional arguments as one tuple, keywords as one dict.
        match args {
            [Expr { kind: ExprKind::Starred { value, .. }, .. }] if n == 0 => self.visit_expr(value)?,
            _ => self.starunpack_helper(loc, args, n, Op::BUILD_LIST, Op::LIST_APPEND, Op::LIST_EXTEND, true)?,
        }
        if nkwelts > 0 {
            let mut have_dict = false;
            let mut nseen = 0usize;
            for (i, k) in keywords.iter().enumerate() {
                if k.arg.is_none() {
                    if nseen > 0 {
                        self.subkwargs(loc, keywords, i - nseen, i)?;
                        if have_dict {
                            self.addop_i(Op::DICT_MERGE, 1, loc);
                        }
                        have_dict = true;
                        nseen = 0;
                    }
                    if !have_dict {
                        self.addop_i(Op::BUILD_MAP, 0, loc);
                        have_dict = true;
                    }
                    self.visit_expr(&k.value)?;
                    self.addop_i(Op::DICT_MERGE, 1, loc);
                } else {
                    nseen += 1;
                }
            }
            if nseen > 0 {
                self.subkwargs(loc, keywords, nkwelts - nseen, nkwelts)?;
                if have_dict {
                    self.addop_i(Op::DICT_MERGE, 1, loc);
                }
            }
        }
        if self.version >= PythonVersion::V3_14 {
            // The kwargs slot is always filled: NULL when there are no keywords.
            if nkwelts == 0 {
                self.addop(Op::PUSH_NULL, loc);
            }
            self.addop(Op::CALL_FUNCTION_EX, loc);
            return Ok(());
        }
        self.addop_i(Op::CALL_FUNCTION_EX, (nkwelts > 0) as i32, loc);
        Ok(())
    }
}
