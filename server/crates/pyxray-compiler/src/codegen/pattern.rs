//! Structural pattern matching (PEP 634, `compiler_match` and `compiler_pattern_*`): each pattern
//! consumes the subject on top of the stack and jumps to a `fail_pop` block on failure; captured
//! names are kept on the stack and stored only when the whole case matches.

use super::*;
use pyxray_syntax::ast::{CmpOp, Expr, ExprKind, MatchCase, Pattern, PatternKind, Stmt};

#[derive(Default, Clone)]
struct PatternContext {
    stores: Vec<String>,
    allow_irrefutable: bool,
    fail_pop: Vec<Label>,
    on_top: usize,
}

fn is_wildcard(p: &Pattern) -> bool {
    matches!(p.kind, PatternKind::MatchAs { pattern: None, name: None })
}

fn is_wildcard_star(p: &Pattern) -> bool {
    matches!(p.kind, PatternKind::MatchStar(None))
}

impl Compiler<'_> {
    fn ensure_fail_pop(&mut self, pc: &mut PatternContext, n: usize) {
        while pc.fail_pop.len() < n + 1 {
            let l = self.new_label();
            pc.fail_pop.push(l);
        }
    }

    fn jump_to_fail_pop(&mut self, loc: Location, pc: &mut PatternContext, op: Op) {
        let pops = pc.on_top + pc.stores.len();
        self.ensure_fail_pop(pc, pops);
        self.addop_j(op, pc.fail_pop[pops], loc);
    }

    fn emit_and_reset_fail_pop(&mut self, loc: Location, pc: &mut PatternContext) {
        if pc.fail_pop.is_empty() {
            return;
        }
        for i in (1..pc.fail_pop.len()).rev() {
            self.use_label(pc.fail_pop[i]);
            self.addop(Op::POP_TOP, loc);
        }
        self.use_label(pc.fail_pop[0]);
        pc.fail_pop.clear();
    }

    fn pattern_helper_rotate(&mut self, loc: Location, mut count: usize) {
        while count > 1 {
            self.addop_i(Op::SWAP, count as i32, loc);
            count -= 1;
        }
    }

    fn pattern_helper_store_name(&mut self, range: TextRange, loc: Location, n: Option<&str>, pc: &mut PatternContext) -> CompileResult<()> {
        let Some(n) = n else {
            self.addop(Op::POP_TOP, loc);
            return Ok(());
        };
        self.check_forbidden(range, n, ExprContext::Store)?;
        if pc.stores.iter().any(|s| s == n) {
            return self.error(range, format!("multiple assignments to name '{n}' in pattern"));
        }
        let rotations = pc.on_top + pc.stores.len() + 1;
        self.pattern_helper_rotate(loc, rotations);
        pc.stores.push(n.to_string());
        Ok(())
    }

    fn pattern_unpack_helper(&mut self, range: TextRange, loc: Location, elts: &[Pattern]) -> CompileResult<()> {
        let n = elts.len();
        let mut seen_star = false;
        for (i, e) in elts.iter().enumerate() {
            if matches!(e.kind, PatternKind::MatchStar(_)) {
                if seen_star {
                    return self.error(range, "multiple starred expressions in sequence pattern");
                }
                if i >= (1 << 8) || (n - i - 1) >= (i32::MAX as usize >> 8) {
                    return self.error(range, "too many expressions in star-unpacking sequence pattern");
                }
                self.addop_i(Op::UNPACK_EX, (i + ((n - i - 1) << 8)) as i32, loc);
                seen_star = true;
            }
        }
        if !seen_star {
            self.addop_i(Op::UNPACK_SEQUENCE, n as i32, loc);
        }
        Ok(())
    }

    fn pattern_helper_sequence_unpack(&mut self, range: TextRange, loc: Location, patterns: &[Pattern], pc: &mut PatternContext) -> CompileResult<()> {
        self.pattern_unpack_helper(range, loc, patterns)?;
        let size = patterns.len();
        pc.on_top += size;
        for p in patterns {
            pc.on_top -= 1;
            self.pattern_subpattern(p, pc)?;
        }
        Ok(())
    }

    fn pattern_helper_sequence_subscr(&mut self, loc: Location, patterns: &[Pattern], star: usize, pc: &mut PatternContext) -> CompileResult<()> {
        pc.on_top += 1;
        let size = patterns.len();
        for (i, p) in patterns.iter().enumerate() {
            if is_wildcard(p) || i == star {
                continue;
            }
            self.addop_i(Op::COPY, 1, loc);
            if i < star {
                self.addop_load_const(consts::int_const(i as i64), loc);
            } else {
                self.addop(Op::GET_LEN, loc);
                self.addop_load_const(consts::int_const((size - i) as i64), loc);
                self.addop_binary(loc, pyxray_syntax::ast::Operator::Sub, false);
            }
            self.addop_subscr(loc);
            self.pattern_subpattern(p, pc)?;
        }
        pc.on_top -= 1;
        self.addop(Op::POP_TOP, loc);
        Ok(())
    }

    fn pattern_subpattern(&mut self, p: &Pattern, pc: &mut PatternContext) -> CompileResult<()> {
        let allow = pc.allow_irrefutable;
        pc.allow_irrefutable = true;
        self.pattern(p, pc)?;
        pc.allow_irrefutable = allow;
        Ok(())
    }

    fn pattern_as(&mut self, p: &Pattern, inner: Option<&Pattern>, name: Option<&str>, pc: &mut PatternContext) -> CompileResult<()> {
        let loc = self.loc(p.range);
        let Some(inner) = inner else {
            if !pc.allow_irrefutable {
                if let Some(n) = name {
                    return self.error(p.range, format!("name capture '{n}' makes remaining patterns unreachable"));
                }
                return self.error(p.range, "wildcard makes remaining patterns unreachable");
            }
            return self.pattern_helper_store_name(p.range, loc, name, pc);
        };
        pc.on_top += 1;
        self.addop_i(Op::COPY, 1, loc);
        self.pattern(inner, pc)?;
        pc.on_top -= 1;
        self.pattern_helper_store_name(p.range, loc, name, pc)
    }

    fn pattern_class(&mut self, p: &Pattern, cls: &Expr, patterns: &[Pattern], kwd_attrs: &[String], kwd_patterns: &[Pattern], pc: &mut PatternContext) -> CompileResult<()> {
        let loc = self.loc(p.range);
        let nargs = patterns.len();
        let nattrs = kwd_attrs.len();
        if nattrs != kwd_patterns.len() {
            return self.error(p.range, "kwd_attrs / kwd_patterns length mismatch in class pattern");
        }
        // (`validate_kwd_attrs`: 3.11 reports at the current location, moved to each pattern.)
        for (i, attr) in kwd_attrs.iter().enumerate() {
            self.set_loc(self.loc(kwd_patterns[i].range));
            self.check_forbidden(kwd_patterns[i].range, attr, ExprContext::Store)?;
            for (j, other) in kwd_attrs.iter().enumerate().skip(i + 1) {
                if other == attr {
                    self.set_loc(self.loc(kwd_patterns[j].range));
                    return self.error(kwd_patterns[j].range, format!("attribute name repeated in class pattern: {attr}"));
                }
            }
        }
        self.set_loc(loc);
        self.visit_expr(cls)?;
        let names: Vec<ConstValue> = kwd_attrs.iter().map(|a| consts::str_const(a)).collect();
        self.addop_load_const(ConstValue::Tuple(names.into()), loc);
        self.addop_i(Op::MATCH_CLASS, nargs as i32, loc);
        self.addop_i(Op::COPY, 1, loc);
        self.addop_load_const(ConstValue::None, loc);
        self.addop_i(Op::IS_OP, 1, loc);
        pc.on_top += 1;
        self.jump_to_fail_pop(loc, pc, Op::POP_JUMP_IF_FALSE);
        self.addop_i(Op::UNPACK_SEQUENCE, (nargs + nattrs) as i32, loc);
        pc.on_top += nargs + nattrs;
        pc.on_top -= 1;
        for i in 0..nargs + nattrs {
            pc.on_top -= 1;
            let sub = if i < nargs { &patterns[i] } else { &kwd_patterns[i - nargs] };
            if is_wildcard(sub) {
                self.addop(Op::POP_TOP, loc);
                continue;
            }
            self.pattern_subpattern(sub, pc)?;
        }
        Ok(())
    }

    fn pattern_mapping(&mut self, p: &Pattern, keys: &[Expr], patterns: &[Pattern], rest: Option<&str>, pc: &mut PatternContext) -> CompileResult<()> {
        let loc = self.loc(p.range);
        let size = keys.len();
        if size != patterns.len() {
            return self.error(p.range, "keys / patterns length mismatch in mapping pattern");
        }
        pc.on_top += 1;
        self.addop(Op::MATCH_MAPPING, loc);
        self.jump_to_fail_pop(loc, pc, Op::POP_JUMP_IF_FALSE);
        if size == 0 && rest.is_none() {
            pc.on_top -= 1;
            self.addop(Op::POP_TOP, loc);
            return Ok(());
        }
        if size > 0 {
            self.addop(Op::GET_LEN, loc);
            self.addop_load_const(consts::int_const(size as i64), loc);
            self.addcompare(loc, CmpOp::GtE);
            self.jump_to_fail_pop(loc, pc, Op::POP_JUMP_IF_FALSE);
        }
        let mut seen: Vec<&ast::Constant> = Vec::new();
        for key in keys {
            match &key.kind {
                ExprKind::Constant(c) => {
                    if seen.iter().any(|s| crate::ast_opt::python_eq(s, c)) {
                        let r = pyxray_bytecode::repr::repr(&consts::from_ast(c), self.version);
                        return self.error(p.range, format!("mapping pattern checks duplicate key ({r})"));
                    }
                    seen.push(c);
                }
                ExprKind::Attribute { .. } => {}
                _ => return self.error(p.range, "mapping pattern keys may only match literals and attribute lookups"),
            }
            self.visit_expr(key)?;
        }
        self.addop_i(Op::BUILD_TUPLE, size as i32, loc);
        self.addop(Op::MATCH_KEYS, loc);
        pc.on_top += 2;
        self.addop_i(Op::COPY, 1, loc);
        self.addop_load_const(ConstValue::None, loc);
        self.addop_i(Op::IS_OP, 1, loc);
        self.jump_to_fail_pop(loc, pc, Op::POP_JUMP_IF_FALSE);
        self.addop_i(Op::UNPACK_SEQUENCE, size as i32, loc);
        pc.on_top += size;
        pc.on_top -= 1;
        for sub in patterns {
            pc.on_top -= 1;
            self.pattern_subpattern(sub, pc)?;
        }
        pc.on_top -= 2;
        if let Some(rest) = rest {
            self.addop_i(Op::BUILD_MAP, 0, loc);
            self.addop_i(Op::SWAP, 3, loc);
            self.addop_i(Op::DICT_UPDATE, 2, loc);
            self.addop_i(Op::UNPACK_SEQUENCE, size as i32, loc);
            let mut s = size;
            while s > 0 {
                self.addop_i(Op::COPY, 1 + s as i32, loc);
                s -= 1;
                self.addop_i(Op::SWAP, 2, loc);
                self.addop(Op::DELETE_SUBSCR, loc);
            }
            self.pattern_helper_store_name(p.range, loc, Some(rest), pc)?;
        } else {
            self.addop(Op::POP_TOP, loc);
            self.addop(Op::POP_TOP, loc);
        }
        Ok(())
    }

    fn pattern_or(&mut self, p: &Pattern, alts: &[Pattern], pc: &mut PatternContext) -> CompileResult<()> {
        let loc = self.loc(p.range);
        let end = self.new_label();
        let size = alts.len();
        let old_pc = pc.clone();
        let mut control: Option<Vec<String>> = None;
        for (i, alt) in alts.iter().enumerate() {
            let aloc = self.loc(alt.range);
            self.set_loc(aloc);
            pc.stores = Vec::new();
            pc.allow_irrefutable = i == size - 1 && old_pc.allow_irrefutable;
            pc.fail_pop = Vec::new();
            pc.on_top = 0;
            self.addop_i(Op::COPY, 1, aloc);
            self.pattern(alt, pc)?;
            let nstores = pc.stores.len();
            match &control {
                None => control = Some(pc.stores.clone()),
                Some(ctl) if nstores != ctl.len() => return self.error(p.range, "alternative patterns bind different names"),
                Some(ctl) if nstores > 0 => {
                    let ctl = ctl.clone();
                    for icontrol in (0..nstores).rev() {
                        let name = &ctl[icontrol];
                        let Some(istores) = pc.stores.iter().position(|s| s == name) else {
                            return self.error(p.range, "alternative patterns bind different names");
                        };
                        if icontrol != istores {
                            let rotations = istores + 1;
                            let rotated: Vec<String> = pc.stores.drain(..rotations).collect();
                            let at = icontrol - istores;
                            for (k, r) in rotated.into_iter().enumerate() {
                                pc.stores.insert(at + k, r);
                            }
                            for _ in 0..rotations {
                                self.pattern_helper_rotate(aloc, icontrol + 1);
                            }
                        }
                    }
                }
                Some(_) => {}
            }
            self.addop_j(Op::JUMP, end, aloc);
            self.emit_and_reset_fail_pop(aloc, pc);
        }
        let control = control.unwrap_or_default();
        *pc = old_pc;
        self.addop(Op::POP_TOP, loc);
        self.jump_to_fail_pop(loc, pc, Op::JUMP);
        self.use_label(end);
        let nstores = control.len();
        let nrots = nstores + 1 + pc.on_top + pc.stores.len();
        for name in control.iter().take(nstores) {
            self.pattern_helper_rotate(loc, nrots);
            if pc.stores.iter().any(|s| s == name) {
                return self.error(p.range, format!("multiple assignments to name '{name}' in pattern"));
            }
            pc.stores.push(name.clone());
        }
        self.addop(Op::POP_TOP, loc);
        Ok(())
    }

    fn pattern_sequence(&mut self, p: &Pattern, patterns: &[Pattern], pc: &mut PatternContext) -> CompileResult<()> {
        let loc = self.loc(p.range);
        let size = patterns.len();
        let mut star: Option<usize> = None;
        let mut only_wildcard = true;
        let mut star_wildcard = false;
        for (i, sub) in patterns.iter().enumerate() {
            if matches!(sub.kind, PatternKind::MatchStar(_)) {
                if star.is_some() {
                    return self.error(p.range, "multiple starred names in sequence pattern");
                }
                star_wildcard = is_wildcard_star(sub);
                only_wildcard &= star_wildcard;
                star = Some(i);
                continue;
            }
            only_wildcard &= is_wildcard(sub);
        }
        pc.on_top += 1;
        self.addop(Op::MATCH_SEQUENCE, loc);
        self.jump_to_fail_pop(loc, pc, Op::POP_JUMP_IF_FALSE);
        match star {
            None => {
                self.addop(Op::GET_LEN, loc);
                self.addop_load_const(consts::int_const(size as i64), loc);
                self.addcompare(loc, CmpOp::Eq);
                self.jump_to_fail_pop(loc, pc, Op::POP_JUMP_IF_FALSE);
            }
            Some(_) if size > 1 => {
                self.addop(Op::GET_LEN, loc);
                self.addop_load_const(consts::int_const(size as i64 - 1), loc);
                self.addcompare(loc, CmpOp::GtE);
                self.jump_to_fail_pop(loc, pc, Op::POP_JUMP_IF_FALSE);
            }
            Some(_) => {}
        }
        pc.on_top -= 1;
        if only_wildcard {
            self.addop(Op::POP_TOP, loc);
        } else if star_wildcard {
            self.pattern_helper_sequence_subscr(loc, patterns, star.unwrap_or(usize::MAX), pc)?;
        } else {
            self.pattern_helper_sequence_unpack(p.range, loc, patterns, pc)?;
        }
        Ok(())
    }

    /// `compiler_pattern` (3.11 moves its current location to the pattern and leaves it there).
    fn pattern(&mut self, p: &Pattern, pc: &mut PatternContext) -> CompileResult<()> {
        let loc = self.loc(p.range);
        self.set_loc(loc);
        match &p.kind {
            PatternKind::MatchValue(value) => {
                if !matches!(value.kind, ExprKind::Constant(_) | ExprKind::Attribute { .. }) {
                    return self.error(p.range, "patterns may only match literals and attribute lookups");
                }
                self.visit_expr(value)?;
                self.addcompare(loc, CmpOp::Eq);
                self.addop_to_bool(loc);
                self.jump_to_fail_pop(loc, pc, Op::POP_JUMP_IF_FALSE);
                Ok(())
            }
            PatternKind::MatchSingleton(c) => {
                self.load_const_ast(c, loc);
                self.addcompare(loc, CmpOp::Is);
                self.jump_to_fail_pop(loc, pc, Op::POP_JUMP_IF_FALSE);
                Ok(())
            }
            PatternKind::MatchSequence(ps) => self.pattern_sequence(p, ps, pc),
            PatternKind::MatchMapping { keys, patterns, rest } => self.pattern_mapping(p, keys, patterns, rest.as_deref(), pc),
            PatternKind::MatchClass { cls, patterns, kwd_attrs, kwd_patterns } => {
                self.pattern_class(p, cls, patterns, kwd_attrs, kwd_patterns, pc)
            }
            PatternKind::MatchStar(name) => self.pattern_helper_store_name(p.range, loc, name.as_deref(), pc),
            PatternKind::MatchAs { pattern, name } => self.pattern_as(p, pattern.as_deref(), name.as_deref(), pc),
            PatternKind::MatchOr(alts) => self.pattern_or(p, alts, pc),
        }
    }

    /// `compiler_match`.
    pub fn match_stmt(&mut self, _s: &Stmt, subject: &Expr, cases: &[MatchCase]) -> CompileResult<()> {
        self.visit_expr(subject)?;
        let end = self.new_label();
        let ncases = cases.len();
        let last = &cases[ncases - 1];
        let has_default = is_wildcard(&last.pattern) && ncases > 1;
        let mut pc = PatternContext::default();
        for (i, m) in cases[..ncases - has_default as usize].iter().enumerate() {
            let ploc = self.loc(m.pattern.range);
            self.set_loc(ploc);
            if i != ncases - has_default as usize - 1 {
                self.addop_i(Op::COPY, 1, ploc);
            }
            pc.stores = Vec::new();
            pc.allow_irrefutable = m.guard.is_some() || i == ncases - 1;
            pc.fail_pop = Vec::new();
            pc.on_top = 0;
            self.pattern(&m.pattern, &mut pc)?;
            let stores = std::mem::take(&mut pc.stores);
            for name in &stores {
                self.nameop(m.pattern.range, ploc, name, ExprContext::Store)?;
            }
            if let Some(guard) = &m.guard {
                self.ensure_fail_pop(&mut pc, 0);
                let target = pc.fail_pop[0];
                self.jump_if(ploc, guard, target, false)?;
            }
            if i != ncases - has_default as usize - 1 {
                // 3.14 gives it the location of what follows (for branch events).
                let loc = if self.version >= PythonVersion::V3_14 { NEXT_LOCATION } else { ploc };
                self.addop(Op::POP_TOP, loc);
            }
            self.visit_stmts(&m.body)?;
            self.set_loc(NO_LOCATION);
            self.addop_j(Op::JUMP, end, NO_LOCATION);
            self.set_loc(ploc);
            self.emit_and_reset_fail_pop(ploc, &mut pc);
        }
        if has_default {
            let ploc = self.loc(last.pattern.range);
            self.set_loc(ploc);
            if ncases == 1 {
                self.addop(Op::POP_TOP, ploc);
            } else {
                self.addop(Op::NOP, ploc);
            }
            if let Some(guard) = &last.guard {
                self.jump_if(ploc, guard, end, false)?;
            }
            self.visit_stmts(&last.body)?;
            self.set_loc(NO_LOCATION);
        }
        self.use_label(end);
        Ok(())
    }
}
