//! Comprehensions and generator expressions (`compiler_comprehension`): generator expressions
//! (and, before 3.12, every comprehension) become nested code objects; list/set/dict
//! comprehensions are inlined (PEP 709), saving and restoring the names they bind.

use super::*;
use pyxray_syntax::ast::{Comprehension, Expr, ExprKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompType {
    GenExp,
    ListComp,
    SetComp,
    DictComp,
}

/// `inlined_comprehension_state`.
#[derive(Default)]
struct InlinedState {
    pushed_locals: Vec<String>,
    temp_symbols: Option<IndexMap<String, u32>>,
    fast_hidden: Vec<String>,
    cleanup: Option<Label>,
    end: Option<Label>,
}

impl Compiler<'_> {
    #[allow(clippy::too_many_arguments)]
    fn comprehension_generator(
        &mut self,
        loc: Location,
        generators: &[Comprehension],
        gen_index: usize,
        depth: i32,
        elt: &Expr,
        val: Option<&Expr>,
        ty: CompType,
        iter_on_stack: bool,
    ) -> CompileResult<()> {
        if generators[gen_index].is_async {
            self.async_comprehension_generator(loc, generators, gen_index, depth, elt, val, ty, iter_on_stack)
        } else {
            self.sync_comprehension_generator(loc, generators, gen_index, depth, elt, val, ty, iter_on_stack)
        }
    }

    fn comprehension_element(&mut self, loc: Location, elt: &Expr, val: Option<&Expr>, ty: CompType, depth: i32) -> CompileResult<Location> {
        // 3.11 emits the element's instructions at the comprehension's own location.
        let v311 = self.version == PythonVersion::V3_11;
        let mut elt_loc = if v311 { loc } else { self.loc(elt.range) };
        match ty {
            CompType::GenExp => {
                self.visit_expr(elt)?;
                self.addop_yield(elt_loc);
                self.addop(Op::POP_TOP, elt_loc);
            }
            CompType::ListComp => {
                self.visit_expr(elt)?;
                self.addop_i(Op::LIST_APPEND, depth + 1, elt_loc);
            }
            CompType::SetComp => {
                self.visit_expr(elt)?;
                self.addop_i(Op::SET_ADD, depth + 1, elt_loc);
            }
            CompType::DictComp => {
                let val = val.expect("dict comprehension value");
                self.visit_expr(elt)?;
                self.visit_expr(val)?;
                if !v311 {
                    let vloc = self.loc(val.range);
                    elt_loc = Location::new(elt_loc.lineno, vloc.end_lineno, elt_loc.col_offset, vloc.end_col_offset);
                }
                self.addop_i(Op::MAP_ADD, depth + 1, elt_loc);
            }
        }
        Ok(elt_loc)
    }

    #[allow(clippy::too_many_arguments)]
    fn sync_comprehension_generator(
        &mut self,
        loc: Location,
        generators: &[Comprehension],
        mut gen_index: usize,
        mut depth: i32,
        elt: &Expr,
        val: Option<&Expr>,
        ty: CompType,
        iter_on_stack: bool,
    ) -> CompileResult<()> {
        let v311 = self.version == PythonVersion::V3_11;
        let loc = if v311 { self.cur_loc() } else { loc };
        let mut start = self.new_label();
        let if_cleanup = self.new_label();
        let anchor = self.new_label();
        let gen = &generators[gen_index];
        let iter_loc = if self.version == PythonVersion::V3_11 { loc } else { self.loc(gen.iter.range) };
        if !iter_on_stack {
            if gen_index == 0 {
                self.u_mut().md.argcount = 1;
                self.addop_i(Op::LOAD_FAST, 0, loc);
            } else {
                // Fast path for the temporary-variable idiom `for y in [f(x)]`.
                let elts = match &gen.iter.kind {
                    ExprKind::List { elts, .. } | ExprKind::Tuple { elts, .. } => Some(elts),
                    _ => None,
                };
                if let Some(elts) = elts {
                    if elts.len() == 1 && !matches!(elts[0].kind, ExprKind::Starred { .. }) {
                        self.visit_expr(&elts[0])?;
                        start = NO_LABEL;
                    }
                }
                if start.is_label() {
                    self.visit_expr(&gen.iter)?;
                    self.addop(Op::GET_ITER, iter_loc);
                }
            }
        }
        if start.is_label() {
            depth += 1;
            // 3.13.2's extra GET_ITER (gone again in 3.14.2).
            if self.version == PythonVersion::V3_13 {
                self.addop(Op::GET_ITER, iter_loc);
            }
            self.use_label(start);
            self.addop_j(Op::FOR_ITER, anchor, iter_loc);
        }
        self.visit_expr(&gen.target)?;
        self.comprehension_ifs(loc, &gen.ifs, if_cleanup)?;
        gen_index += 1;
        if gen_index < generators.len() {
            self.comprehension_generator(loc, generators, gen_index, depth, elt, val, ty, false)?;
        }
        let loc = if v311 { self.cur_loc() } else { loc };
        let mut elt_loc = if v311 { loc } else { self.loc(elt.range) };
        if gen_index >= generators.len() {
            elt_loc = self.comprehension_element(loc, elt, val, ty, depth)?;
        }
        self.use_label(if_cleanup);
        if start.is_label() {
            self.addop_j(Op::JUMP, start, elt_loc);
            self.use_label(anchor);
            if self.version >= PythonVersion::V3_12 {
                self.addop(Op::END_FOR, NO_LOCATION);
            }
            if self.version >= PythonVersion::V3_14 {
                self.addop(Op::POP_ITER, NO_LOCATION);
            } else if self.version >= PythonVersion::V3_13 {
                self.addop(Op::POP_TOP, NO_LOCATION);
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn async_comprehension_generator(
        &mut self,
        loc: Location,
        generators: &[Comprehension],
        mut gen_index: usize,
        mut depth: i32,
        elt: &Expr,
        val: Option<&Expr>,
        ty: CompType,
        iter_on_stack: bool,
    ) -> CompileResult<()> {
        let start = self.new_label();
        let except = self.new_label();
        let if_cleanup = self.new_label();
        let gen = &generators[gen_index];
        if !iter_on_stack {
            if gen_index == 0 {
                self.u_mut().md.argcount = 1;
                self.addop_i(Op::LOAD_FAST, 0, loc);
            } else {
                self.visit_expr(&gen.iter)?;
                let iloc = self.loc(gen.iter.range);
                self.addop(Op::GET_AITER, iloc);
            }
        }
        self.use_label(start);
        self.push_fblock(gen.iter.range, loc, FBlockType::AsyncComprehensionGenerator, start, NO_LABEL, None)?;
        self.addop_j(Op::SETUP_FINALLY, except, loc);
        self.addop(Op::GET_ANEXT, loc);
        self.addop_load_const(ConstValue::None, loc);
        let send = self.new_label();
        self.use_label(send);
        self.add_yield_from(loc, true);
        self.addop(Op::POP_BLOCK, loc);
        self.visit_expr(&gen.target)?;
        self.comprehension_ifs(loc, &gen.ifs, if_cleanup)?;
        let loc = if self.version == PythonVersion::V3_11 { self.cur_loc() } else { loc };
        depth += 1;
        gen_index += 1;
        if gen_index < generators.len() {
            self.comprehension_generator(loc, generators, gen_index, depth, elt, val, ty, false)?;
        }
        let mut elt_loc = if self.version == PythonVersion::V3_11 { loc } else { self.loc(elt.range) };
        if gen_index >= generators.len() {
            elt_loc = self.comprehension_element(loc, elt, val, ty, depth)?;
        }
        self.use_label(if_cleanup);
        self.addop_j(Op::JUMP, start, elt_loc);
        self.pop_fblock(FBlockType::AsyncComprehensionGenerator, start);
        self.use_label(except);
        if self.version >= PythonVersion::V3_14 {
            self.addop_j(Op::END_ASYNC_FOR, send, loc);
        } else {
            self.addop(Op::END_ASYNC_FOR, loc);
        }
        Ok(())
    }

    /// The `if` clauses of one `for`.
    fn comprehension_ifs(&mut self, loc: Location, ifs: &[Expr], if_cleanup: Label) -> CompileResult<()> {
        for cond in ifs {
            self.jump_if(loc, cond, if_cleanup, false)?;
        }
        Ok(())
    }

    /// `push_inlined_comprehension_state`.
    fn push_inlined_comprehension_state(&mut self, loc: Location, entry: ScopeId, state: &mut InlinedState) -> CompileResult<()> {
        let in_class_block = self.ste().kind == BlockType::Class && self.u().in_inlined_comp == 0;
        self.u_mut().in_inlined_comp += 1;
        let comp_symbols: Vec<(String, u32)> =
            self.st.entry(entry).symbols.iter().map(|(k, v)| (k.clone(), *v)).collect();
        let outer = self.u().ste;
        for (k, symbol) in comp_symbols {
            let scope = Scope::from_flags(symbol);
            let outv = self.st.entry(outer).symbols.get(&k).copied().unwrap_or(0);
            let outsc = Scope::from_flags(outv);
            let differs = scope != outsc
                && scope != Some(Scope::Free)
                && !(scope == Some(Scope::Cell) && outsc == Some(Scope::Free));
            if differs || in_class_block {
                self.st.entry_mut(outer).symbols.insert(k.clone(), symbol);
                state.temp_symbols.get_or_insert_with(IndexMap::default).insert(k.clone(), outv);
            }
            let bound_here = symbol & symtable::DEF_LOCAL != 0 && symbol & symtable::DEF_NONLOCAL == 0;
            // 3.14.2 saves only the names the comprehension binds, in class bodies too.
            if bound_here || (in_class_block && self.version < PythonVersion::V3_14) {
                if !self.ste().is_function_like() {
                    let orig = self.u().md.fasthidden.get(&k).copied();
                    if orig != Some(true) {
                        self.u_mut().md.fasthidden.insert(k.clone(), true);
                        state.fast_hidden.push(k.clone());
                    }
                }
                self.addop_name(Op::LOAD_FAST_AND_CLEAR, NameTable::Varnames, &k, loc);
                if scope == Some(Scope::Cell) {
                    if outsc == Some(Scope::Free) {
                        self.addop_name(Op::MAKE_CELL, NameTable::Freevars, &k, loc);
                    } else {
                        self.addop_name(Op::MAKE_CELL, NameTable::Cellvars, &k, loc);
                    }
                }
                state.pushed_locals.push(k);
            }
        }
        if !state.pushed_locals.is_empty() {
            self.addop_i(Op::SWAP, state.pushed_locals.len() as i32 + 1, loc);
            let cleanup = self.new_label();
            let end = self.new_label();
            state.cleanup = Some(cleanup);
            state.end = Some(end);
            self.addop_j(Op::SETUP_FINALLY, cleanup, loc);
        }
        Ok(())
    }

    fn restore_inlined_comprehension_locals(&mut self, loc: Location, state: &InlinedState) {
        let npops = state.pushed_locals.len();
        self.addop_i(Op::SWAP, npops as i32 + 1, loc);
        for k in state.pushed_locals.iter().rev() {
            self.addop_name(Op::STORE_FAST_MAYBE_NULL, NameTable::Varnames, k, loc);
        }
    }

    fn pop_inlined_comprehension_state(&mut self, loc: Location, state: InlinedState) {
        self.u_mut().in_inlined_comp -= 1;
        if let Some(temp) = &state.temp_symbols {
            let outer = self.u().ste;
            for (k, v) in temp {
                self.st.entry_mut(outer).symbols.insert(k.clone(), *v);
            }
        }
        if !state.pushed_locals.is_empty() {
            let (cleanup, end) = (state.cleanup.expect("cleanup"), state.end.expect("end"));
            self.addop(Op::POP_BLOCK, NO_LOCATION);
            self.addop_j(self.jump_no_interrupt(), end, NO_LOCATION);
            self.use_label(cleanup);
            self.addop_i(Op::SWAP, 2, NO_LOCATION);
            self.addop(Op::POP_TOP, NO_LOCATION);
            self.restore_inlined_comprehension_locals(loc, &state);
            self.addop_i(Op::RERAISE, 0, NO_LOCATION);
            self.use_label(end);
            self.restore_inlined_comprehension_locals(loc, &state);
        }
        for k in state.fast_hidden {
            self.u_mut().md.fasthidden.insert(k, false);
        }
    }

    fn comprehension_iter(&mut self, comp: &Comprehension) -> CompileResult<()> {
        self.visit_expr(&comp.iter)?;
        let loc = self.loc(comp.iter.range);
        self.addop(if comp.is_async { Op::GET_AITER } else { Op::GET_ITER }, loc);
        Ok(())
    }

    /// `compiler_comprehension`.
    pub fn comprehension(
        &mut self,
        e: &Expr,
        ty: CompType,
        name: &str,
        generators: &[Comprehension],
        elt: &Expr,
        val: Option<&Expr>,
    ) -> CompileResult<()> {
        let scope_type = self.u().scope_type;
        let entry = self
            .st
            .lookup(ScopeKey::node(e.range))
            .ok_or_else(|| CompileError::system("unknown comprehension scope"))?;
        let is_inlined = self.st.entry(entry).comp_inlined;
        let is_async_generator = self.st.entry(entry).coroutine;
        let loc = self.loc(e.range);
        let outermost = &generators[0];
        let mut state = InlinedState::default();
        if is_inlined {
            self.comprehension_iter(outermost)?;
            self.push_inlined_comprehension_state(loc, entry, &mut state)?;
        } else {
            self.enter_scope(name, ScopeType::Comprehension, ScopeKey::node(e.range), loc.lineno)?;
        }
        self.set_loc(loc);
        let result = self.comprehension_body(e, ty, generators, elt, val, is_inlined, is_async_generator, scope_type);
        if let Err(err) = result {
            if !is_inlined {
                self.exit_scope();
            }
            return Err(err);
        }
        if is_inlined {
            self.pop_inlined_comprehension_state(loc, state);
            return Ok(());
        }
        if ty != CompType::GenExp {
            let rloc = if self.version == PythonVersion::V3_11 { self.cur_loc() } else { loc };
            self.addop(Op::RETURN_VALUE, rloc);
        } else if self.version >= PythonVersion::V3_12 {
            self.wrap_in_stopiteration_handler();
        }
        let co = self.optimize_and_assemble(true);
        self.exit_scope();
        let co = co?;
        self.make_closure(loc, co, 0)?;
        self.comprehension_iter(outermost)?;
        self.addop_i(Op::CALL, 0, loc);
        if is_async_generator && ty != CompType::GenExp {
            self.addop_i(Op::GET_AWAITABLE, 0, loc);
            self.addop_load_const(ConstValue::None, loc);
            self.add_yield_from(loc, true);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn comprehension_body(
        &mut self,
        e: &Expr,
        ty: CompType,
        generators: &[Comprehension],
        elt: &Expr,
        val: Option<&Expr>,
        is_inlined: bool,
        is_async_generator: bool,
        scope_type: ScopeType,
    ) -> CompileResult<()> {
        let loc = self.loc(e.range);
        if is_async_generator
            && ty != CompType::GenExp
            && !matches!(scope_type, ScopeType::AsyncFunction | ScopeType::Comprehension)
        {
            return self.error(e.range, "asynchronous comprehension outside of an asynchronous function");
        }
        if ty != CompType::GenExp {
            let op = match ty {
                CompType::ListComp => Op::BUILD_LIST,
                CompType::SetComp => Op::BUILD_SET,
                _ => Op::BUILD_MAP,
            };
            self.addop_i(op, 0, loc);
            if is_inlined {
                self.addop_i(Op::SWAP, 2, loc);
            }
        }
        self.comprehension_generator(loc, generators, 0, 0, elt, val, ty, is_inlined)
    }

    /// `wrap_in_stopiteration_handler`.
    pub fn wrap_in_stopiteration_handler(&mut self) {
        let handler = self.new_label();
        self.seq().insert(0, Op::SETUP_CLEANUP, handler.0, NO_LOCATION);
        self.addop_load_const(ConstValue::None, NO_LOCATION);
        self.addop(Op::RETURN_VALUE, NO_LOCATION);
        self.use_label(handler);
        self.addop_i(Op::CALL_INTRINSIC_1, INTRINSIC_STOPITERATION_ERROR, NO_LOCATION);
        self.addop_i(Op::RERAISE, 1, NO_LOCATION);
    }
}
