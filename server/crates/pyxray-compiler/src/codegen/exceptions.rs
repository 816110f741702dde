//! Frame blocks and exception handling: `compiler_push_fblock`/`unwind_fblock` (what `return`,
//! `break` and `continue` must clean up), try/except/finally, `except*`, `with` and `async with`.

use super::*;
use pyxray_syntax::ast::{Stmt, Try, With};
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FBlockType {
    WhileLoop,
    ForLoop,
    /// `async for` (3.14; earlier versions unwind it as a `for` loop).
    AsyncForLoop,
    TryExcept,
    FinallyTry,
    FinallyEnd,
    With,
    AsyncWith,
    HandlerCleanup,
    PopValue,
    ExceptionHandler,
    ExceptionGroupHandler,
    AsyncComprehensionGenerator,
    StopIteration,
}

/// Extra data a frame block needs for unwinding.
#[derive(Clone, Debug)]
pub enum FBlockDatum {
    None,
    /// The `finally` body, compiled again wherever the block is unwound.
    FinallyBody(Rc<Vec<Stmt>>),
    /// The name bound by `except … as name`.
    HandlerName(String),
    /// Marks a handler cleanup block for an unnamed `except*` clause.
    Marker,
}

#[derive(Clone, Debug)]
pub struct FBlockInfo {
    pub fb_type: FBlockType,
    pub block: Label,
    pub loc: Location,
    pub range: TextRange,
    pub exit: Label,
    pub datum: FBlockDatum,
}

impl Compiler<'_> {
    pub fn push_fblock_datum(
        &mut self,
        range: TextRange,
        loc: Location,
        t: FBlockType,
        block: Label,
        exit: Label,
        datum: FBlockDatum,
    ) -> CompileResult<()> {
        if self.u().fblocks.len() >= max_blocks(self.version) {
            return self.error(range, "too many statically nested blocks");
        }
        self.u_mut().fblocks.push(FBlockInfo { fb_type: t, block, loc, range, exit, datum });
        Ok(())
    }

    pub fn push_fblock(
        &mut self,
        range: TextRange,
        loc: Location,
        t: FBlockType,
        block: Label,
        exit: Label,
        _datum: Option<()>,
    ) -> CompileResult<()> {
        self.push_fblock_datum(range, loc, t, block, exit, FBlockDatum::None)
    }

    pub fn pop_fblock(&mut self, t: FBlockType, _block: Label) {
        let f = self.u_mut().fblocks.pop();
        debug_assert!(f.is_some_and(|f| f.fb_type == t));
    }

    /// `compiler_call_exit_with_nones`.
    pub fn call_exit_with_nones(&mut self, loc: Location) {
        self.addop_load_const(ConstValue::None, loc);
        self.addop_load_const(ConstValue::None, loc);
        self.addop_load_const(ConstValue::None, loc);
        self.addop_i(Op::CALL, if self.version >= PythonVersion::V3_14 { 3 } else { 2 }, loc);
    }

    /// `compiler_add_yield_from`.
    pub fn add_yield_from(&mut self, loc: Location, await_: bool) {
        let send = self.new_label();
        let fail = self.new_label();
        let exit = self.new_label();
        if self.version == PythonVersion::V3_11 {
            // 3.11 throws into the subiterator from the eval loop: no handler, no END_SEND.
            let resume = self.new_label();
            self.use_label(send);
            self.addop_j(Op::SEND, exit, loc);
            self.use_label(resume);
            self.addop(Op::YIELD_VALUE, loc);
            self.addop_i(Op::RESUME, if await_ { RESUME_AFTER_AWAIT } else { RESUME_AFTER_YIELD_FROM }, loc);
            self.addop_j(Op::JUMP_NO_INTERRUPT, send, loc);
            self.use_label(exit);
            return;
        }
        self.use_label(send);
        self.addop_j(Op::SEND, exit, loc);
        self.addop_j(Op::SETUP_FINALLY, fail, loc);
        self.addop_i(Op::YIELD_VALUE, 1, loc);
        self.addop(Op::POP_BLOCK, NO_LOCATION);
        self.addop_i(Op::RESUME, if await_ { RESUME_AFTER_AWAIT } else { RESUME_AFTER_YIELD_FROM }, loc);
        self.addop_j(Op::JUMP_NO_INTERRUPT, send, loc);
        self.use_label(fail);
        self.addop(Op::CLEANUP_THROW, loc);
        self.use_label(exit);
        self.addop(Op::END_SEND, loc);
    }

    /// `compiler_pop_except_and_reraise`.
    pub fn pop_except_and_reraise(&mut self, loc: Location) {
        self.addop_i(Op::COPY, 3, loc);
        self.addop(Op::POP_EXCEPT, loc);
        self.addop_i(Op::RERAISE, 1, loc);
    }

    /// `compiler_unwind_fblock`.
    pub fn unwind_fblock(&mut self, ploc: &mut Location, info: &FBlockInfo, preserve_tos: bool) -> CompileResult<()> {
        match info.fb_type {
            FBlockType::WhileLoop
            | FBlockType::ExceptionHandler
            | FBlockType::ExceptionGroupHandler
            | FBlockType::AsyncComprehensionGenerator
            | FBlockType::StopIteration => Ok(()),
            FBlockType::ForLoop | FBlockType::AsyncForLoop => {
                if preserve_tos {
                    self.addop_i(Op::SWAP, 2, *ploc);
                }
                self.addop(Op::POP_TOP, *ploc);
                Ok(())
            }
            FBlockType::TryExcept => {
                self.addop(Op::POP_BLOCK, *ploc);
                Ok(())
            }
            FBlockType::FinallyTry => {
                self.addop(Op::POP_BLOCK, *ploc);
                if preserve_tos {
                    self.push_fblock(info.range, *ploc, FBlockType::PopValue, NO_LABEL, NO_LABEL, None)?;
                }
                if let FBlockDatum::FinallyBody(body) = &info.datum {
                    let body = body.clone();
                    self.visit_stmts(&body)?;
                }
                if preserve_tos {
                    self.pop_fblock(FBlockType::PopValue, NO_LABEL);
                }
                *ploc = NO_LOCATION;
                self.set_loc(NO_LOCATION);
                Ok(())
            }
            FBlockType::FinallyEnd => {
                if preserve_tos {
                    self.addop_i(Op::SWAP, 2, *ploc);
                }
                self.addop(Op::POP_TOP, *ploc);
                if preserve_tos {
                    self.addop_i(Op::SWAP, 2, *ploc);
                }
                self.addop(Op::POP_BLOCK, *ploc);
                self.addop(Op::POP_EXCEPT, *ploc);
                Ok(())
            }
            FBlockType::With | FBlockType::AsyncWith => {
                *ploc = info.loc;
                self.set_loc(info.loc);
                self.addop(Op::POP_BLOCK, *ploc);
                if preserve_tos {
                    if self.version >= PythonVersion::V3_14 {
                        self.addop_i(Op::SWAP, 3, *ploc);
                    }
                    self.addop_i(Op::SWAP, 2, *ploc);
                }
                self.call_exit_with_nones(*ploc);
                if info.fb_type == FBlockType::AsyncWith {
                    self.addop_i(Op::GET_AWAITABLE, 2, *ploc);
                    self.addop_load_const(ConstValue::None, *ploc);
                    self.add_yield_from(*ploc, true);
                }
                self.addop(Op::POP_TOP, *ploc);
                *ploc = NO_LOCATION;
                self.set_loc(NO_LOCATION);
                Ok(())
            }
            FBlockType::HandlerCleanup => {
                let name = match &info.datum {
                    FBlockDatum::HandlerName(n) => Some(n.clone()),
                    _ => None,
                };
                let has_datum = !matches!(info.datum, FBlockDatum::None);
                if has_datum {
                    self.addop(Op::POP_BLOCK, *ploc);
                }
                if preserve_tos {
                    self.addop_i(Op::SWAP, 2, *ploc);
                }
                self.addop(Op::POP_BLOCK, *ploc);
                self.addop(Op::POP_EXCEPT, *ploc);
                if let Some(name) = name {
                    self.addop_load_const(ConstValue::None, *ploc);
                    self.nameop(info.range, *ploc, &name, ExprContext::Store)?;
                    self.nameop(info.range, *ploc, &name, ExprContext::Del)?;
                }
                Ok(())
            }
            FBlockType::PopValue => {
                if preserve_tos {
                    self.addop_i(Op::SWAP, 2, *ploc);
                }
                self.addop(Op::POP_TOP, *ploc);
                Ok(())
            }
        }
    }

    /// `compiler_unwind_fblock_stack`: unwinds every block (or up to the innermost loop when
    /// `stop_at_loop`), returning that loop.
    pub fn unwind_fblock_stack(
        &mut self,
        ploc: &mut Location,
        preserve_tos: bool,
        stop_at_loop: bool,
        origin: TextRange,
    ) -> CompileResult<Option<FBlockInfo>> {
        let Some(top) = self.u().fblocks.last().cloned() else { return Ok(None) };
        if top.fb_type == FBlockType::ExceptionGroupHandler {
            return self.error(origin, "'break', 'continue' and 'return' cannot appear in an except* block");
        }
        if stop_at_loop && matches!(top.fb_type, FBlockType::WhileLoop | FBlockType::ForLoop | FBlockType::AsyncForLoop) {
            return Ok(Some(top));
        }
        let copy = self.u_mut().fblocks.pop().expect("fblock");
        self.unwind_fblock(ploc, &copy, preserve_tos)?;
        let result = self.unwind_fblock_stack(ploc, preserve_tos, stop_at_loop, origin)?;
        self.u_mut().fblocks.push(copy);
        Ok(result)
    }

    pub fn try_finally(&mut self, s: &Stmt, t: &Try) -> CompileResult<()> {
        let mut loc = self.loc(s.range);
        let body = self.new_label();
        let end = self.new_label();
        let exit = self.new_label();
        let cleanup = self.new_label();
        self.addop_j(Op::SETUP_FINALLY, end, loc);
        self.use_label(body);
        let finalbody = Rc::new(t.finalbody.clone());
        self.push_fblock_datum(s.range, loc, FBlockType::FinallyTry, body, end, FBlockDatum::FinallyBody(finalbody))?;
        if !t.handlers.is_empty() {
            if t.is_star {
                self.try_star_except(s, t)?;
            } else {
                self.try_except(s, t)?;
            }
        } else {
            self.visit_stmts(&t.body)?;
        }
        self.addop(Op::POP_BLOCK, NO_LOCATION);
        self.pop_fblock(FBlockType::FinallyTry, body);
        self.visit_stmts(&t.finalbody)?;
        self.addop_j(self.jump_no_interrupt(), exit, NO_LOCATION);
        self.use_label(end);
        loc = NO_LOCATION;
        self.set_loc(loc);
        self.addop_j(Op::SETUP_CLEANUP, cleanup, loc);
        self.addop(Op::PUSH_EXC_INFO, loc);
        self.push_fblock(s.range, loc, FBlockType::FinallyEnd, end, NO_LABEL, None)?;
        self.visit_stmts(&t.finalbody)?;
        self.pop_fblock(FBlockType::FinallyEnd, end);
        // 3.11 re-raises where the `finally` body left its current location.
        let loc = self.cur_or(loc);
        self.addop_i(Op::RERAISE, 0, loc);
        self.use_label(cleanup);
        self.pop_except_and_reraise(loc);
        self.use_label(exit);
        Ok(())
    }

    pub fn try_star_finally(&mut self, s: &Stmt, t: &Try) -> CompileResult<()> {
        self.try_finally(s, t)
    }

    pub fn try_except(&mut self, s: &Stmt, t: &Try) -> CompileResult<()> {
        let loc = self.loc(s.range);
        let body = self.new_label();
        let mut except = self.new_label();
        let end = self.new_label();
        let cleanup = self.new_label();
        self.addop_j(Op::SETUP_FINALLY, except, loc);
        self.use_label(body);
        self.push_fblock(s.range, loc, FBlockType::TryExcept, body, NO_LABEL, None)?;
        self.visit_stmts(&t.body)?;
        self.pop_fblock(FBlockType::TryExcept, body);
        self.addop(Op::POP_BLOCK, NO_LOCATION);
        self.visit_stmts(&t.orelse)?;
        self.addop_j(self.jump_no_interrupt(), end, NO_LOCATION);
        let n = t.handlers.len();
        self.use_label(except);
        self.set_loc(NO_LOCATION);
        self.addop_j(Op::SETUP_CLEANUP, cleanup, NO_LOCATION);
        self.addop(Op::PUSH_EXC_INFO, NO_LOCATION);
        self.push_fblock(s.range, loc, FBlockType::ExceptionHandler, NO_LABEL, NO_LABEL, None)?;
        for (i, handler) in t.handlers.iter().enumerate() {
            let hloc = self.loc(handler.range);
            self.set_loc(hloc);
            if handler.type_.is_none() && i < n - 1 {
                return self.error(handler.range, "default 'except:' must be last");
            }
            except = self.new_label();
            if let Some(ty) = &handler.type_ {
                self.visit_expr(ty)?;
                self.addop(Op::CHECK_EXC_MATCH, hloc);
                self.addop_j(Op::POP_JUMP_IF_FALSE, except, hloc);
            }
            if let Some(name) = &handler.name {
                let cleanup_end = self.new_label();
                let cleanup_body = self.new_label();
                self.nameop(handler.range, hloc, name, ExprContext::Store)?;
                self.addop_j(Op::SETUP_CLEANUP, cleanup_end, hloc);
                self.use_label(cleanup_body);
                self.push_fblock_datum(
                    handler.range,
                    hloc,
                    FBlockType::HandlerCleanup,
                    cleanup_body,
                    NO_LABEL,
                    FBlockDatum::HandlerName(name.clone()),
                )?;
                self.visit_stmts(&handler.body)?;
                self.pop_fblock(FBlockType::HandlerCleanup, cleanup_body);
                self.set_loc(NO_LOCATION);
                self.addop(Op::POP_BLOCK, NO_LOCATION);
                self.addop(Op::POP_BLOCK, NO_LOCATION);
                self.addop(Op::POP_EXCEPT, NO_LOCATION);
                self.addop_load_const(ConstValue::None, NO_LOCATION);
                self.nameop(handler.range, NO_LOCATION, name, ExprContext::Store)?;
                self.nameop(handler.range, NO_LOCATION, name, ExprContext::Del)?;
                self.addop_j(self.jump_no_interrupt(), end, NO_LOCATION);
                self.use_label(cleanup_end);
                self.addop_load_const(ConstValue::None, NO_LOCATION);
                self.nameop(handler.range, NO_LOCATION, name, ExprContext::Store)?;
                self.nameop(handler.range, NO_LOCATION, name, ExprContext::Del)?;
                self.addop_i(Op::RERAISE, 1, NO_LOCATION);
            } else {
                let cleanup_body = self.new_label();
                self.addop(Op::POP_TOP, hloc);
                self.use_label(cleanup_body);
                self.push_fblock(handler.range, hloc, FBlockType::HandlerCleanup, cleanup_body, NO_LABEL, None)?;
                self.visit_stmts(&handler.body)?;
                self.pop_fblock(FBlockType::HandlerCleanup, cleanup_body);
                self.set_loc(NO_LOCATION);
                self.addop(Op::POP_BLOCK, NO_LOCATION);
                self.addop(Op::POP_EXCEPT, NO_LOCATION);
                self.addop_j(self.jump_no_interrupt(), end, NO_LOCATION);
            }
            self.use_label(except);
        }
        self.set_loc(NO_LOCATION);
        self.pop_fblock(FBlockType::ExceptionHandler, NO_LABEL);
        self.addop_i(Op::RERAISE, 0, NO_LOCATION);
        self.use_label(cleanup);
        self.pop_except_and_reraise(NO_LOCATION);
        self.use_label(end);
        Ok(())
    }

    pub fn try_star_except(&mut self, s: &Stmt, t: &Try) -> CompileResult<()> {
        let loc = self.loc(s.range);
        let body = self.new_label();
        let mut except = self.new_label();
        let orelse = self.new_label();
        let end = self.new_label();
        let cleanup = self.new_label();
        let reraise_star = self.new_label();
        self.addop_j(Op::SETUP_FINALLY, except, loc);
        self.use_label(body);
        self.push_fblock(s.range, loc, FBlockType::TryExcept, body, NO_LABEL, None)?;
        self.visit_stmts(&t.body)?;
        self.pop_fblock(FBlockType::TryExcept, body);
        self.addop(Op::POP_BLOCK, NO_LOCATION);
        self.addop_j(self.jump_no_interrupt(), orelse, NO_LOCATION);
        let n = t.handlers.len();
        self.use_label(except);
        self.set_loc(NO_LOCATION);
        self.addop_j(Op::SETUP_CLEANUP, cleanup, NO_LOCATION);
        self.addop(Op::PUSH_EXC_INFO, NO_LOCATION);
        self.push_fblock_datum(s.range, loc, FBlockType::ExceptionGroupHandler, NO_LABEL, NO_LABEL, FBlockDatum::Marker)?;
        for (i, handler) in t.handlers.iter().enumerate() {
            let hloc = self.loc(handler.range);
            self.set_loc(hloc);
            except = self.new_label();
            let except_with_error = self.new_label();
            let no_match = self.new_label();
            if i == 0 && self.version == PythonVersion::V3_11 {
                // 3.11 copies the group first, then builds the list under it.
                self.addop_i(Op::COPY, 1, hloc);
                self.addop_i(Op::BUILD_LIST, 0, hloc);
                self.addop_i(Op::SWAP, 2, hloc);
            } else if i == 0 {
                self.addop_i(Op::BUILD_LIST, 0, hloc);
                self.addop_i(Op::COPY, 2, hloc);
            }
            if let Some(ty) = &handler.type_ {
                self.visit_expr(ty)?;
                self.addop(Op::CHECK_EG_MATCH, hloc);
                self.addop_i(Op::COPY, 1, hloc);
                self.addop_j(Op::POP_JUMP_IF_NONE, no_match, hloc);
            }
            let cleanup_end = self.new_label();
            let cleanup_body = self.new_label();
            if let Some(name) = &handler.name {
                self.nameop(handler.range, hloc, name, ExprContext::Store)?;
            } else {
                self.addop(Op::POP_TOP, hloc);
            }
            self.addop_j(Op::SETUP_CLEANUP, cleanup_end, hloc);
            self.use_label(cleanup_body);
            let datum = match &handler.name {
                Some(n) => FBlockDatum::HandlerName(n.clone()),
                None => FBlockDatum::None,
            };
            self.push_fblock_datum(handler.range, hloc, FBlockType::HandlerCleanup, cleanup_body, NO_LABEL, datum)?;
            self.visit_stmts(&handler.body)?;
            self.pop_fblock(FBlockType::HandlerCleanup, cleanup_body);
            self.set_loc(NO_LOCATION);
            self.addop(Op::POP_BLOCK, NO_LOCATION);
            if let Some(name) = &handler.name {
                self.addop_load_const(ConstValue::None, NO_LOCATION);
                self.nameop(handler.range, NO_LOCATION, name, ExprContext::Store)?;
                self.nameop(handler.range, NO_LOCATION, name, ExprContext::Del)?;
            }
            self.addop_j(self.jump_no_interrupt(), except, NO_LOCATION);
            self.use_label(cleanup_end);
            if let Some(name) = &handler.name {
                self.addop_load_const(ConstValue::None, NO_LOCATION);
                self.nameop(handler.range, NO_LOCATION, name, ExprContext::Store)?;
                self.nameop(handler.range, NO_LOCATION, name, ExprContext::Del)?;
            }
            self.addop_i(Op::LIST_APPEND, 3, NO_LOCATION);
            self.addop(Op::POP_TOP, NO_LOCATION);
            self.addop_j(self.jump_no_interrupt(), except_with_error, NO_LOCATION);
            self.use_label(except);
            self.addop(Op::NOP, NO_LOCATION);
            self.addop_j(self.jump_no_interrupt(), except_with_error, NO_LOCATION);
            self.use_label(no_match);
            self.addop(Op::POP_TOP, hloc);
            self.use_label(except_with_error);
            if i == n - 1 {
                self.addop_i(Op::LIST_APPEND, 1, NO_LOCATION);
                self.addop_j(self.jump_no_interrupt(), reraise_star, NO_LOCATION);
            }
        }
        self.pop_fblock(FBlockType::ExceptionGroupHandler, NO_LABEL);
        let reraise = self.new_label();
        self.use_label(reraise_star);
        if self.version == PythonVersion::V3_11 {
            self.addop(Op::PREP_RERAISE_STAR, NO_LOCATION);
        } else {
            self.addop_i(Op::CALL_INTRINSIC_2, INTRINSIC_PREP_RERAISE_STAR, NO_LOCATION);
        }
        self.addop_i(Op::COPY, 1, NO_LOCATION);
        self.addop_j(Op::POP_JUMP_IF_NOT_NONE, reraise, NO_LOCATION);
        self.addop(Op::POP_TOP, NO_LOCATION);
        self.addop(Op::POP_BLOCK, NO_LOCATION);
        self.addop(Op::POP_EXCEPT, NO_LOCATION);
        self.addop_j(self.jump_no_interrupt(), end, NO_LOCATION);
        self.use_label(reraise);
        self.addop(Op::POP_BLOCK, NO_LOCATION);
        self.addop_i(Op::SWAP, 2, NO_LOCATION);
        self.addop(Op::POP_EXCEPT, NO_LOCATION);
        self.addop_i(Op::RERAISE, 0, NO_LOCATION);
        self.use_label(cleanup);
        self.pop_except_and_reraise(NO_LOCATION);
        self.use_label(orelse);
        self.visit_stmts(&t.orelse)?;
        self.use_label(end);
        Ok(())
    }

    /// Loads `__exit__` and calls `__enter__` (`BEFORE_WITH` until 3.13; `LOAD_SPECIAL` in 3.14).
    fn before_with(&mut self, loc: Location, is_async: bool) {
        if self.version < PythonVersion::V3_14 {
            self.addop(if is_async { Op::BEFORE_ASYNC_WITH } else { Op::BEFORE_WITH }, loc);
            return;
        }
        // SPECIAL___ENTER__ 0, __EXIT__ 1, __AENTER__ 2, __AEXIT__ 3.
        let (enter, exit) = if is_async { (2, 3) } else { (0, 1) };
        self.addop_i(Op::COPY, 1, loc);
        self.addop_i(Op::LOAD_SPECIAL, exit, loc);
        self.addop_i(Op::SWAP, 2, loc);
        self.addop_i(Op::SWAP, 3, loc);
        self.addop_i(Op::LOAD_SPECIAL, enter, loc);
        self.addop_i(Op::CALL, 0, loc);
    }

    /// `compiler_with_except_finish`.
    fn with_except_finish(&mut self, cleanup: Label) {
        self.set_loc(NO_LOCATION);
        let suppress = self.new_label();
        if self.version == PythonVersion::V3_11 {
            // 3.11 places the cleanup handler before the suppressing path, which falls through.
            self.addop_j(Op::POP_JUMP_IF_TRUE, suppress, NO_LOCATION);
            self.addop_i(Op::RERAISE, 2, NO_LOCATION);
            self.use_label(cleanup);
            self.pop_except_and_reraise(NO_LOCATION);
            self.use_label(suppress);
            for op in [Op::POP_TOP, Op::POP_BLOCK, Op::POP_EXCEPT, Op::POP_TOP, Op::POP_TOP] {
                self.addop(op, NO_LOCATION);
            }
            return;
        }
        self.addop_to_bool(NO_LOCATION);
        self.addop_j(Op::POP_JUMP_IF_TRUE, suppress, NO_LOCATION);
        self.addop_i(Op::RERAISE, 2, NO_LOCATION);
        self.use_label(suppress);
        self.addop(Op::POP_TOP, NO_LOCATION);
        self.addop(Op::POP_BLOCK, NO_LOCATION);
        self.addop(Op::POP_EXCEPT, NO_LOCATION);
        self.addop(Op::POP_TOP, NO_LOCATION);
        self.addop(Op::POP_TOP, NO_LOCATION);
        if self.version >= PythonVersion::V3_14 {
            self.addop(Op::POP_TOP, NO_LOCATION);
        }
        let exit = self.new_label();
        self.addop_j(self.jump_no_interrupt(), exit, NO_LOCATION);
        self.use_label(cleanup);
        self.pop_except_and_reraise(NO_LOCATION);
        self.use_label(exit);
    }

    pub fn with(&mut self, s: &Stmt, w: &With, pos: usize) -> CompileResult<()> {
        let item = &w.items[pos];
        let block = self.new_label();
        let final_ = self.new_label();
        let exit = self.new_label();
        let cleanup = self.new_label();
        self.visit_expr(&item.context_expr)?;
        // 3.11 sets up and leaves the block at the statement's location, 3.12 at the item's.
        let loc = if self.version == PythonVersion::V3_11 { self.loc(s.range) } else { self.loc(item.context_expr.range) };
        self.before_with(loc, false);
        self.addop_j(Op::SETUP_WITH, final_, loc);
        self.use_label(block);
        self.push_fblock(item.context_expr.range, loc, FBlockType::With, block, final_, None)?;
        if let Some(v) = &item.optional_vars {
            self.visit_expr(v)?;
        } else {
            self.addop(Op::POP_TOP, loc);
        }
        if pos + 1 == w.items.len() {
            self.visit_stmts(&w.body)?;
        } else {
            self.with(s, w, pos + 1)?;
        }
        self.set_loc(NO_LOCATION);
        self.addop(Op::POP_BLOCK, NO_LOCATION);
        self.pop_fblock(FBlockType::With, block);
        self.set_loc(loc);
        self.call_exit_with_nones(loc);
        self.addop(Op::POP_TOP, loc);
        self.addop_j(Op::JUMP, exit, loc);
        self.use_label(final_);
        self.addop_j(Op::SETUP_CLEANUP, cleanup, loc);
        self.addop(Op::PUSH_EXC_INFO, loc);
        self.addop(Op::WITH_EXCEPT_START, loc);
        self.with_except_finish(cleanup);
        self.use_label(exit);
        Ok(())
    }

    pub fn async_with(&mut self, s: &Stmt, w: &With, pos: usize) -> CompileResult<()> {
        let item = &w.items[pos];
        if self.u().scope_type != ScopeType::AsyncFunction {
            return self.error(s.range, "'async with' outside async function");
        }
        let block = self.new_label();
        let final_ = self.new_label();
        let exit = self.new_label();
        let cleanup = self.new_label();
        self.visit_expr(&item.context_expr)?;
        let loc = if self.version == PythonVersion::V3_11 { self.loc(s.range) } else { self.loc(item.context_expr.range) };
        self.before_with(loc, true);
        self.addop_i(Op::GET_AWAITABLE, 1, loc);
        self.addop_load_const(ConstValue::None, loc);
        self.add_yield_from(loc, true);
        self.addop_j(Op::SETUP_WITH, final_, loc);
        self.use_label(block);
        self.push_fblock(item.context_expr.range, loc, FBlockType::AsyncWith, block, final_, None)?;
        if let Some(v) = &item.optional_vars {
            self.visit_expr(v)?;
        } else {
            self.addop(Op::POP_TOP, loc);
        }
        if pos + 1 == w.items.len() {
            self.visit_stmts(&w.body)?;
        } else {
            self.async_with(s, w, pos + 1)?;
        }
        self.pop_fblock(FBlockType::AsyncWith, block);
        self.addop(Op::POP_BLOCK, loc);
        self.set_loc(loc);
        self.call_exit_with_nones(loc);
        self.addop_i(Op::GET_AWAITABLE, 2, loc);
        self.addop_load_const(ConstValue::None, loc);
        self.add_yield_from(loc, true);
        self.addop(Op::POP_TOP, loc);
        self.addop_j(Op::JUMP, exit, loc);
        self.use_label(final_);
        self.addop_j(Op::SETUP_CLEANUP, cleanup, loc);
        self.addop(Op::PUSH_EXC_INFO, loc);
        self.addop(Op::WITH_EXCEPT_START, loc);
        self.addop_i(Op::GET_AWAITABLE, 2, loc);
        self.addop_load_const(ConstValue::None, loc);
        self.add_yield_from(loc, true);
        self.with_except_finish(cleanup);
        self.use_label(exit);
        Ok(())
    }
}
