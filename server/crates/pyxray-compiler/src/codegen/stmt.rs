//! Statements (`compiler_visit_stmt` and friends): bodies and docstrings, assignments, control
//! flow (if/for/while/break/continue/return), imports, assert, raise, augmented and annotated
//! assignment.

use pyxray_syntax::{PyStr, Refill};
use super::*;
use crate::ast_opt::docstring;
use pyxray_syntax::ast::{Expr, ExprKind, Stmt, StmtKind};

/// `find_ann`: whether a block contains variable annotations (needs `SETUP_ANNOTATIONS`).
pub(crate) fn find_ann(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|st| match &st.kind {
        StmtKind::AnnAssign { .. } => true,
        StmtKind::For(f) => find_ann(&f.body) || find_ann(&f.orelse),
        StmtKind::While { body, orelse, .. } | StmtKind::If { body, orelse, .. } => find_ann(body) || find_ann(orelse),
        StmtKind::With(w) => find_ann(&w.body),
        StmtKind::Try(t) => {
            t.handlers.iter().any(|h| find_ann(&h.body)) || find_ann(&t.body) || find_ann(&t.finalbody) || find_ann(&t.orelse)
        }
        StmtKind::Match { cases, .. } => cases.iter().any(|c| find_ann(&c.body)),
        _ => false,
    })
}

/// `_PyCompile_CleanDoc`: `inspect.cleandoc` without removing leading/trailing blank lines.
/// The docstring constant: since 3.13 with its indentation removed (`_PyCompile_CleanDoc`).
pub(crate) fn doc_const(version: PythonVersion, doc: &PyStr) -> ConstValue {
    if version < PythonVersion::V3_13 {
        return ConstValue::Str(std::sync::Arc::new(doc.clone()));
    }
    let cleaned = clean_doc(doc.lossy());
    ConstValue::Str(std::sync::Arc::new(Refill::new(doc).fill(&cleaned)))
}

pub(crate) fn clean_doc(doc: &str) -> String {
    let doc = expand_tabs(doc);
    let lines: Vec<&str> = doc.split('\n').collect();
    let mut margin = usize::MAX;
    for line in lines.iter().skip(1) {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent < line.len() {
            margin = margin.min(indent);
        }
    }
    if margin == usize::MAX {
        margin = 0;
    }
    let first = lines[0].trim_start_matches(' ');
    if first.len() == lines[0].len() && margin == 0 {
        return doc;
    }
    let mut out = String::with_capacity(doc.len());
    out.push_str(first);
    for line in lines.iter().skip(1) {
        out.push('\n');
        let strip = line.bytes().take(margin).take_while(|b| *b == b' ').count();
        out.push_str(&line[strip..]);
    }
    out
}

/// `str.expandtabs()` with the default tab size of 8.
fn expand_tabs(s: &str) -> String {
    if !s.contains('\t') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut col = 0usize;
    for c in s.chars() {
        match c {
            '\t' => {
                let n = 8 - (col % 8);
                out.extend(std::iter::repeat(' ').take(n));
                col += n;
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

impl Compiler<'_> {
    /// `compiler_body`: docstring, annotations set-up, then the statements.
    pub fn body(&mut self, mut loc: Location, stmts: &[Stmt], _is_module: bool) -> CompileResult<()> {
        if self.u().scope_type == ScopeType::Module && !stmts.is_empty() {
            loc = self.loc(stmts[0].range);
            self.set_loc(loc);
        }
        let v314 = self.version >= PythonVersion::V3_14;
        if if v314 { self.future_annotations && self.ste().annotations_used } else { find_ann(stmts) } {
            self.addop(Op::SETUP_ANNOTATIONS, loc);
        }
        if stmts.is_empty() {
            return Ok(());
        }
        let mut first = 0;
        if let Some(doc) = docstring(stmts) {
            first = 1;
            if let StmtKind::Expr(value) = &stmts[0].kind {
                let vloc = self.loc(value.range);
                let old = self.cur_loc();
                self.set_loc(vloc);
                self.addop_load_const(doc_const(self.version, doc), vloc);
                self.set_loc(old);
            }
            self.set_loc(NO_LOCATION);
            self.nameop(TextRange::default(), NO_LOCATION, "__doc__", ExprContext::Store)?;
        }
        for s in &stmts[first..] {
            self.visit_stmt(s)?;
        }
        if v314 && !self.future_annotations {
            self.process_deferred_annotations(loc)?;
        }
        Ok(())
    }

    pub fn visit_stmts(&mut self, stmts: &[Stmt]) -> CompileResult<()> {
        for s in stmts {
            self.visit_stmt(s)?;
        }
        Ok(())
    }

    pub fn visit_stmt(&mut self, s: &Stmt) -> CompileResult<()> {
        let conditional = matches!(
            s.kind,
            StmtKind::For(_) | StmtKind::While { .. } | StmtKind::If { .. } | StmtKind::Match { .. } | StmtKind::Try(_) | StmtKind::With(_)
        );
        if !conditional || self.version < PythonVersion::V3_14 {
            return self.visit_stmt_inner(s);
        }
        // `CODEGEN_COND_BLOCK`: annotations in here may not run.
        self.u_mut().in_conditional_block += 1;
        let r = self.visit_stmt_inner(s);
        self.u_mut().in_conditional_block -= 1;
        r
    }

    fn visit_stmt_inner(&mut self, s: &Stmt) -> CompileResult<()> {
        let loc = self.loc(s.range);
        self.set_loc(loc);
        match &s.kind {
            StmtKind::FunctionDef(f) => self.function(s, f),
            StmtKind::ClassDef(c) => self.class(s, c),
            StmtKind::TypeAlias { name, type_params, value } => self.typealias(s, name, type_params, value),
            StmtKind::Return(value) => self.return_stmt(s, value.as_ref()),
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.visit_expr(t)?;
                }
                Ok(())
            }
            StmtKind::Assign { targets, value } => {
                self.visit_expr(value)?;
                let n = targets.len();
                for (i, t) in targets.iter().enumerate() {
                    if i < n - 1 {
                        self.addop_i(Op::COPY, 1, loc);
                    }
                    self.visit_expr(t)?;
                }
                Ok(())
            }
            StmtKind::AugAssign { target, op, value } => self.augassign(s, target, *op, value),
            StmtKind::AnnAssign { target, annotation, value, simple } => {
                self.annassign(s, target, annotation, value.as_ref(), *simple)
            }
            StmtKind::For(f) => {
                if f.is_async {
                    self.async_for(s, f)
                } else {
                    self.for_stmt(s, f)
                }
            }
            StmtKind::While { test, body, orelse } => self.while_stmt(s, test, body, orelse),
            StmtKind::If { test, body, orelse } => self.if_stmt(s, test, body, orelse),
            StmtKind::Match { subject, cases } => self.match_stmt(s, subject, cases),
            StmtKind::Raise { exc, cause } => {
                let mut n = 0;
                if let Some(e) = exc {
                    self.visit_expr(e)?;
                    n += 1;
                    if let Some(c) = cause {
                        self.visit_expr(c)?;
                        n += 1;
                    }
                }
                self.addop_i(Op::RAISE_VARARGS, n, loc);
                Ok(())
            }
            StmtKind::Try(t) => {
                if t.is_star {
                    if t.finalbody.is_empty() {
                        self.try_star_except(s, t)
                    } else {
                        self.try_star_finally(s, t)
                    }
                } else if t.finalbody.is_empty() {
                    self.try_except(s, t)
                } else {
                    self.try_finally(s, t)
                }
            }
            StmtKind::Assert { test, msg } => self.assert_stmt(s, test, msg.as_ref()),
            StmtKind::Import(names) => self.import(s, names),
            StmtKind::ImportFrom { module, names, level } => self.from_import(s, module.as_deref(), names, *level),
            StmtKind::Global(_) | StmtKind::Nonlocal(_) => Ok(()),
            StmtKind::Expr(value) => self.stmt_expr(loc, value),
            StmtKind::Pass => {
                self.addop(Op::NOP, loc);
                Ok(())
            }
            StmtKind::Break => self.break_stmt(s.range, loc),
            StmtKind::Continue => self.continue_stmt(s.range, loc),
            StmtKind::With(w) => {
                if w.is_async {
                    self.async_with(s, w, 0)
                } else {
                    self.with(s, w, 0)
                }
            }
        }
    }

    /// `compiler_stmt_expr`.
    fn stmt_expr(&mut self, loc: Location, value: &Expr) -> CompileResult<()> {
        if self.interactive && self.nestlevel <= 1 {
            self.visit_expr(value)?;
            self.addop_intrinsic_1(INTRINSIC_PRINT, loc);
            self.addop(Op::POP_TOP, NO_LOCATION);
            return Ok(());
        }
        if value.is_constant() {
            self.addop(Op::NOP, loc);
            return Ok(());
        }
        self.visit_expr(value)?;
        self.set_loc(NO_LOCATION);
        self.addop(Op::POP_TOP, NO_LOCATION);
        Ok(())
    }

    fn if_stmt(&mut self, s: &Stmt, test: &Expr, body: &[Stmt], orelse: &[Stmt]) -> CompileResult<()> {
        let end = self.new_label();
        let next = if !orelse.is_empty() { self.new_label() } else { end };
        let loc = self.loc(s.range);
        self.jump_if(loc, test, next, false)?;
        self.visit_stmts(body)?;
        if !orelse.is_empty() {
            self.addop_j(self.jump_no_interrupt(), end, NO_LOCATION);
            self.use_label(next);
            self.visit_stmts(orelse)?;
        }
        self.use_label(end);
        Ok(())
    }

    fn for_stmt(&mut self, s: &Stmt, f: &ast::For) -> CompileResult<()> {
        let mut loc = self.loc(s.range);
        let start = self.new_label();
        let body = self.new_label();
        let cleanup = self.new_label();
        let end = self.new_label();
        self.push_fblock(s.range, loc, FBlockType::ForLoop, start, end, None)?;
        self.visit_expr(&f.iter)?;
        // 3.11 gets the iterator at the statement's location, 3.12+ at the iterable's.
        if self.version >= PythonVersion::V3_12 {
            loc = self.loc(f.iter.range);
        }
        self.addop(Op::GET_ITER, loc);
        self.use_label(start);
        self.addop_j(Op::FOR_ITER, cleanup, loc);
        if self.version >= PythonVersion::V3_12 {
            let tloc = self.loc(f.target.range);
            self.addop(Op::NOP, tloc);
        }
        self.use_label(body);
        self.visit_expr(&f.target)?;
        self.visit_stmts(&f.body)?;
        self.set_loc(NO_LOCATION);
        self.addop_j(Op::JUMP, start, NO_LOCATION);
        self.use_label(cleanup);
        // 3.11's FOR_ITER pops the exhausted iterator itself.
        if self.version >= PythonVersion::V3_12 {
            self.addop(Op::END_FOR, NO_LOCATION);
        }
        if self.version >= PythonVersion::V3_14 {
            self.addop(Op::POP_ITER, NO_LOCATION);
        } else if self.version >= PythonVersion::V3_13 {
            self.addop(Op::POP_TOP, NO_LOCATION);
        }
        self.pop_fblock(FBlockType::ForLoop, start);
        self.visit_stmts(&f.orelse)?;
        self.use_label(end);
        Ok(())
    }

    fn async_for(&mut self, s: &Stmt, f: &ast::For) -> CompileResult<()> {
        let loc = self.loc(s.range);
        if self.u().scope_type != ScopeType::AsyncFunction {
            return self.error(s.range, "'async for' outside async function");
        }
        let v314 = self.version >= PythonVersion::V3_14;
        let fb_type = if v314 { FBlockType::AsyncForLoop } else { FBlockType::ForLoop };
        let start = self.new_label();
        let except = self.new_label();
        let end = self.new_label();
        self.visit_expr(&f.iter)?;
        let iloc = self.loc(f.iter.range);
        self.addop(Op::GET_AITER, iloc);
        self.use_label(start);
        self.push_fblock(s.range, loc, fb_type, start, end, None)?;
        self.addop_j(Op::SETUP_FINALLY, except, loc);
        self.addop(Op::GET_ANEXT, loc);
        self.addop_load_const(ConstValue::None, loc);
        let send = self.new_label();
        self.use_label(send);
        self.add_yield_from(loc, true);
        self.addop(Op::POP_BLOCK, loc);
        if v314 {
            self.addop(Op::NOT_TAKEN, loc);
        }
        self.visit_expr(&f.target)?;
        self.visit_stmts(&f.body)?;
        self.set_loc(NO_LOCATION);
        self.addop_j(Op::JUMP, start, NO_LOCATION);
        self.pop_fblock(fb_type, start);
        self.use_label(except);
        self.set_loc(iloc);
        if v314 {
            // END_ASYNC_FOR points back at the SEND of its `__anext__` await.
            self.addop_j(Op::END_ASYNC_FOR, send, iloc);
        } else {
            self.addop(Op::END_ASYNC_FOR, iloc);
        }
        self.visit_stmts(&f.orelse)?;
        self.use_label(end);
        Ok(())
    }

    fn while_stmt(&mut self, s: &Stmt, test: &Expr, body: &[Stmt], orelse: &[Stmt]) -> CompileResult<()> {
        let loop_ = self.new_label();
        let body_label = self.new_label();
        let end = self.new_label();
        let anchor = self.new_label();
        let loc = self.loc(s.range);
        self.use_label(loop_);
        self.push_fblock(s.range, loc, FBlockType::WhileLoop, loop_, end, None)?;
        self.jump_if(loc, test, anchor, false)?;
        self.use_label(body_label);
        self.visit_stmts(body)?;
        if self.version >= PythonVersion::V3_14 {
            self.addop_j(Op::JUMP, loop_, NO_LOCATION);
        } else {
            self.set_loc(loc);
            self.jump_if(loc, test, body_label, true)?;
        }
        self.pop_fblock(FBlockType::WhileLoop, loop_);
        self.use_label(anchor);
        self.visit_stmts(orelse)?;
        self.use_label(end);
        Ok(())
    }

    fn return_stmt(&mut self, s: &Stmt, value: Option<&Expr>) -> CompileResult<()> {
        let mut loc = self.loc(s.range);
        let preserve_tos = value.is_some_and(|v| !v.is_constant());
        if !self.ste().is_function_like() {
            return self.error(s.range, "'return' outside function");
        }
        if value.is_some() && self.ste().coroutine && self.ste().generator {
            return self.error(s.range, "'return' with value in async generator");
        }
        if preserve_tos {
            self.visit_expr(value.unwrap())?;
        } else if let Some(v) = value {
            loc = self.loc(v.range);
            self.set_loc(loc);
            self.addop(Op::NOP, loc);
        }
        let stmt_line = self.loc(s.range).lineno;
        let same_line = value.is_some_and(|v| self.loc(v.range).lineno == stmt_line);
        if value.is_none() || !same_line {
            loc = self.loc(s.range);
            self.set_loc(loc);
            self.addop(Op::NOP, loc);
        }
        // An error while unwinding is reported where `loc` points: a constant value's own
        // location when it is on the statement's line.
        let origin = match value {
            Some(v) if !preserve_tos && same_line => v.range,
            _ => s.range,
        };
        self.unwind_fblock_stack(&mut loc, preserve_tos, false, origin)?;
        match value {
            None => self.addop_load_const(ConstValue::None, loc),
            Some(v) if !preserve_tos => {
                if let ExprKind::Constant(c) = &v.kind {
                    self.load_const_ast(c, loc);
                }
            }
            _ => {}
        }
        self.addop(Op::RETURN_VALUE, loc);
        Ok(())
    }

    fn break_stmt(&mut self, range: TextRange, loc: Location) -> CompileResult<()> {
        let mut loc = loc;
        self.addop(Op::NOP, loc);
        let loop_ = self.unwind_fblock_stack(&mut loc, false, true, range)?;
        let Some(loop_) = loop_ else {
            return self.error(range, "'break' outside loop");
        };
        self.unwind_fblock(&mut loc, &loop_, false)?;
        self.addop_j(Op::JUMP, loop_.exit, loc);
        Ok(())
    }

    fn continue_stmt(&mut self, range: TextRange, loc: Location) -> CompileResult<()> {
        let mut loc = loc;
        self.addop(Op::NOP, loc);
        let loop_ = self.unwind_fblock_stack(&mut loc, false, true, range)?;
        let Some(loop_) = loop_ else {
            return self.error(range, "'continue' not properly in loop");
        };
        self.addop_j(Op::JUMP, loop_.block, loc);
        Ok(())
    }

    /// `compiler_import_as`.
    fn import_as(&mut self, s: &Stmt, loc: Location, name: &str, asname: &str) -> CompileResult<()> {
        let parts: Vec<&str> = name.split('.').collect();
        if parts.len() > 1 {
            for (i, attr) in parts[1..].iter().enumerate() {
                self.addop_o(Op::IMPORT_FROM, NameTable::Names, attr, loc);
                if i + 2 < parts.len() {
                    self.addop_i(Op::SWAP, 2, loc);
                    self.addop(Op::POP_TOP, loc);
                }
            }
            self.nameop(s.range, loc, asname, ExprContext::Store)?;
            self.addop(Op::POP_TOP, loc);
            return Ok(());
        }
        self.nameop(s.range, loc, asname, ExprContext::Store)
    }

    fn import(&mut self, s: &Stmt, names: &[ast::Alias]) -> CompileResult<()> {
        let loc = self.loc(s.range);
        for alias in names {
            self.addop_load_const(consts::int_const(0), loc);
            self.addop_load_const(ConstValue::None, loc);
            self.addop_name(Op::IMPORT_NAME, NameTable::Names, &alias.name, loc);
            if let Some(asname) = &alias.asname {
                self.import_as(s, loc, &alias.name, asname)?;
            } else {
                let first = alias.name.split('.').next().unwrap_or(&alias.name).to_string();
                self.nameop(s.range, loc, &first, ExprContext::Store)?;
            }
        }
        Ok(())
    }

    fn from_import(&mut self, s: &Stmt, module: Option<&str>, names: &[ast::Alias], level: u32) -> CompileResult<()> {
        let loc = self.loc(s.range);
        self.addop_load_const(consts::int_const(level as i64), loc);
        let is_future = module == Some("__future__") && level == 0;
        if is_future {
            let f = self.future_location;
            let after = loc.lineno > f.end_lineno || (loc.lineno == f.end_lineno && loc.col_offset > f.end_col_offset);
            if after {
                let message = "from __future__ imports must occur at the beginning of the file";
                if self.version == PythonVersion::V3_11 && loc.col_offset > 0 {
                    // 3.11's `future.c` gives the 0-based column as the offset.
                    let at = s.range.start - 1;
                    return Err(CompileError::syntax(message, TextRange::new(at, at)));
                }
                return self.error(s.range, message);
            }
        }
        let tuple: Vec<ConstValue> = names.iter().map(|a| consts::str_const(&a.name)).collect();
        self.addop_load_const(ConstValue::Tuple(tuple.into()), loc);
        self.addop_name(Op::IMPORT_NAME, NameTable::Names, module.unwrap_or(""), loc);
        for (i, alias) in names.iter().enumerate() {
            if i == 0 && alias.name.starts_with('*') {
                self.addop_intrinsic_1(INTRINSIC_IMPORT_STAR, loc);
                // 3.11's IMPORT_STAR pops the module itself.
                if self.version >= PythonVersion::V3_12 {
                    self.addop(Op::POP_TOP, NO_LOCATION);
                }
                return Ok(());
            }
            self.addop_name(Op::IMPORT_FROM, NameTable::Names, &alias.name, loc);
            let store = alias.asname.as_deref().unwrap_or(&alias.name);
            self.nameop(s.range, loc, store, ExprContext::Store)?;
        }
        self.addop(Op::POP_TOP, loc);
        Ok(())
    }

    fn assert_stmt(&mut self, s: &Stmt, test: &Expr, msg: Option<&Expr>) -> CompileResult<()> {
        let loc = self.loc(s.range);
        let always_true = match &test.kind {
            ExprKind::Tuple { elts, .. } => !elts.is_empty(),
            ExprKind::Constant(ast::Constant::Tuple(t)) => !t.is_empty(),
            _ => false,
        };
        if always_true {
            self.warn(s.range, "assertion is always true, perhaps remove parentheses?");
        }
        let end = self.new_label();
        self.jump_if(loc, test, end, true)?;
        if self.version >= PythonVersion::V3_14 {
            // CONSTANT_ASSERTIONERROR.
            self.addop_i(Op::LOAD_COMMON_CONSTANT, 0, loc);
        } else {
            self.addop(Op::LOAD_ASSERTION_ERROR, loc);
        }
        if let Some(m) = msg {
            self.visit_expr(m)?;
            self.addop_i(Op::CALL, 0, loc);
        }
        // (3.11.7 raises at its current location, 3.12 at the test's.)
        let tloc = self.loc(test.range);
        self.addop_i(Op::RAISE_VARARGS, 1, tloc);
        self.use_label(end);
        Ok(())
    }

    fn augassign(&mut self, s: &Stmt, target: &Expr, op: ast::Operator, value: &Expr) -> CompileResult<()> {
        let mut loc = self.loc(target.range);
        let old = self.cur_loc();
        self.set_loc(loc);
        match &target.kind {
            ExprKind::Attribute { value: obj, attr, .. } => {
                self.visit_expr(obj)?;
                self.addop_i(Op::COPY, 1, loc);
                loc = self.update_start_location_to_match_attr(loc, target);
                self.set_loc(loc);
                self.addop_name(Op::LOAD_ATTR, NameTable::Names, attr, loc);
            }
            ExprKind::Subscript { value: obj, slice, .. } => {
                self.visit_expr(obj)?;
                if self.is_two_element_slice(slice) {
                    self.slice(slice)?;
                    self.addop_i(Op::COPY, 3, loc);
                    self.addop_i(Op::COPY, 3, loc);
                    self.addop_i(Op::COPY, 3, loc);
                    self.addop(Op::BINARY_SLICE, loc);
                } else {
                    self.visit_expr(slice)?;
                    self.addop_i(Op::COPY, 2, loc);
                    self.addop_i(Op::COPY, 2, loc);
                    self.addop_subscr(loc);
                }
            }
            ExprKind::Name { id, .. } => self.nameop(target.range, loc, id, ExprContext::Load)?,
            _ => return Err(CompileError::system("invalid node type for augmented assignment")),
        }
        let sloc = self.loc(s.range);
        self.set_loc(old);
        self.visit_expr(value)?;
        self.addop_binary(sloc, op, true);
        loc = self.loc(target.range);
        self.set_loc(loc);
        match &target.kind {
            ExprKind::Attribute { attr, .. } => {
                loc = self.update_start_location_to_match_attr(loc, target);
                self.set_loc(loc);
                self.addop_i(Op::SWAP, 2, loc);
                self.addop_name(Op::STORE_ATTR, NameTable::Names, attr, loc);
            }
            ExprKind::Subscript { slice, .. } => {
                if self.is_two_element_slice(slice) {
                    self.addop_i(Op::SWAP, 4, loc);
                    self.addop_i(Op::SWAP, 3, loc);
                    self.addop_i(Op::SWAP, 2, loc);
                    self.addop(Op::STORE_SLICE, loc);
                } else {
                    self.addop_i(Op::SWAP, 3, loc);
                    self.addop_i(Op::SWAP, 2, loc);
                    self.addop(Op::STORE_SUBSCR, loc);
                }
            }
            ExprKind::Name { id, .. } => return self.nameop(target.range, loc, id, ExprContext::Store),
            _ => {}
        }
        Ok(())
    }

    fn check_ann_expr(&mut self, e: &Expr) -> CompileResult<()> {
        self.visit_expr(e)?;
        let loc = self.loc(e.range);
        self.addop(Op::POP_TOP, loc);
        Ok(())
    }

    fn check_ann_subscr(&mut self, e: &Expr) -> CompileResult<()> {
        match &e.kind {
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper, step].into_iter().flatten() {
                    self.check_ann_expr(part)?;
                }
                Ok(())
            }
            ExprKind::Tuple { elts, .. } => {
                for elt in elts {
                    self.check_ann_subscr(elt)?;
                }
                Ok(())
            }
            _ => self.check_ann_expr(e),
        }
    }

    fn annassign(&mut self, s: &Stmt, target: &Expr, annotation: &Expr, value: Option<&Expr>, simple: bool) -> CompileResult<()> {
        let loc = self.loc(s.range);
        if let Some(v) = value {
            self.visit_expr(v)?;
            self.visit_expr(target)?;
        }
        match &target.kind {
            ExprKind::Name { id, .. } => {
                self.check_forbidden(s.range, id, ExprContext::Store)?;
                if simple
                    && matches!(self.u().scope_type, ScopeType::Module | ScopeType::Class)
                    && self.version >= PythonVersion::V3_14
                    && !self.future_annotations
                {
                    let index = self.add_deferred_annotation(id, annotation, s.range);
                    if index != -1 {
                        if self.u().scope_type == ScopeType::Class {
                            self.addop_name(Op::LOAD_DEREF, NameTable::Cellvars, "__conditional_annotations__", loc);
                        } else {
                            self.addop_name(Op::LOAD_NAME, NameTable::Names, "__conditional_annotations__", loc);
                        }
                        self.addop_load_const(consts::int_const(index as i64), loc);
                        self.addop_i(Op::SET_ADD, 1, loc);
                        self.addop(Op::POP_TOP, loc);
                    }
                } else if simple && matches!(self.u().scope_type, ScopeType::Module | ScopeType::Class) {
                    if self.future_annotations {
                        self.visit_annexpr(annotation)?;
                    } else {
                        self.visit_expr(annotation)?;
                    }
                    self.addop_name(Op::LOAD_NAME, NameTable::Names, "__annotations__", loc);
                    let mangled = self.mangle(id);
                    self.addop_load_const(consts::str_const(&mangled), loc);
                    self.addop(Op::STORE_SUBSCR, loc);
                }
            }
            ExprKind::Attribute { value: obj, attr, .. } => {
                self.check_forbidden(s.range, attr, ExprContext::Store)?;
                if value.is_none() {
                    self.check_ann_expr(obj)?;
                }
            }
            ExprKind::Subscript { value: obj, slice, .. } => {
                if value.is_none() {
                    self.check_ann_expr(obj)?;
                    self.check_ann_subscr(slice)?;
                }
            }
            _ => return Err(CompileError::system("invalid node type for annotated assignment")),
        }
        if !simple
            && !self.future_annotations
            && self.version < PythonVersion::V3_14
            && matches!(self.u().scope_type, ScopeType::Module | ScopeType::Class)
        {
            self.check_ann_expr(annotation)?;
        }
        Ok(())
    }
}

/// `is_two_element_slice`.
pub(crate) fn is_two_element_slice(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Slice { step: None, .. })
}

/// `is_constant_slice` (3.14): a slice whose bounds are all literal constants or absent.
pub(crate) fn is_constant_slice(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Slice { lower, upper, step } => {
            [lower, upper, step].iter().all(|p| p.as_ref().is_none_or(|p| p.is_constant()))
        }
        _ => false,
    }
}

impl Compiler<'_> {
    /// `should_apply_two_element_slice_optimization` (3.14 leaves constant slices to
    /// `LOAD_CONST slice(…)`).
    pub(crate) fn is_two_element_slice(&self, e: &Expr) -> bool {
        // 3.11 has no BINARY_SLICE/STORE_SLICE: every slice is built.
        self.version >= PythonVersion::V3_12
            && is_two_element_slice(e)
            && !(self.version >= PythonVersion::V3_14 && is_constant_slice(e))
    }

    /// A subscript load: `BINARY_SUBSCR` until 3.13, `BINARY_OP 26 ([])` in 3.14.
    pub(crate) fn addop_subscr(&mut self, loc: Location) {
        if self.version >= PythonVersion::V3_14 {
            self.addop_i(Op::BINARY_OP, 26, loc);
        } else {
            self.addop(Op::BINARY_SUBSCR, loc);
        }
    }
}
