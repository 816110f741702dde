//! Functions, lambdas, classes and PEP 695 scopes (`compiler_function`, `compiler_lambda`,
//! `compiler_class`, `compiler_typealias`, `compiler_type_params`): defaults, annotations,
//! decorators, the class body prologue/epilogue and generic parameter scopes.

use super::*;
use crate::ast_opt::docstring;
use pyxray_syntax::ast::{Arg, Arguments, ClassDef, Expr, ExprKind, FunctionDef, Stmt, TypeParam, TypeParamKind};

impl Compiler<'_> {
    fn decorators(&mut self, decos: &[Expr]) -> CompileResult<()> {
        self.visit_exprs(decos)
    }

    fn apply_decorators(&mut self, decos: &[Expr]) {
        let old = self.cur_loc();
        for d in decos.iter().rev() {
            let loc = self.loc(d.range);
            self.set_loc(loc);
            self.addop_i(Op::CALL, 0, loc);
        }
        self.set_loc(old);
    }

    /// `compiler_visit_kwonlydefaults`: pushes a dict of keyword-only defaults; returns whether
    /// one was pushed.
    fn visit_kwonlydefaults(&mut self, loc: Location, kwonlyargs: &[Arg], kw_defaults: &[Option<Expr>]) -> CompileResult<bool> {
        if self.version >= PythonVersion::V3_14 {
            // `BUILD_MAP` of name/value pairs instead of `BUILD_CONST_KEY_MAP`.
            let mut n = 0;
            for (arg, default) in kwonlyargs.iter().zip(kw_defaults) {
                if let Some(d) = default {
                    self.addop_load_const(consts::str_const(&self.mangle(&arg.arg)), loc);
                    self.visit_expr(d)?;
                    n += 1;
                }
            }
            if n > 0 {
                self.addop_i(Op::BUILD_MAP, n, loc);
            }
            return Ok(n > 0);
        }
        let mut keys = Vec::new();
        for (arg, default) in kwonlyargs.iter().zip(kw_defaults) {
            if let Some(d) = default {
                keys.push(consts::str_const(&self.mangle(&arg.arg)));
                self.visit_expr(d)?;
            }
        }
        if keys.is_empty() {
            return Ok(false);
        }
        let n = keys.len() as i32;
        self.addop_load_const(ConstValue::Tuple(keys.into()), loc);
        self.addop_i(Op::BUILD_CONST_KEY_MAP, n, loc);
        Ok(true)
    }

    /// `compiler_default_arguments`: returns the MAKE_FUNCTION flags for what was pushed.
    fn default_arguments(&mut self, loc: Location, args: &Arguments) -> CompileResult<u32> {
        let mut flags = 0;
        if !args.defaults.is_empty() {
            self.visit_exprs(&args.defaults)?;
            self.addop_i(Op::BUILD_TUPLE, args.defaults.len() as i32, loc);
            flags |= MAKE_FUNCTION_DEFAULTS;
        }
        if !args.kwonlyargs.is_empty() && self.visit_kwonlydefaults(loc, &args.kwonlyargs, &args.kw_defaults)? {
            flags |= MAKE_FUNCTION_KWDEFAULTS;
        }
        Ok(flags)
    }

    /// `compiler_visit_annexpr`: the annotation as a string (`from __future__ import annotations`).
    pub fn visit_annexpr(&mut self, annotation: &Expr) -> CompileResult<()> {
        let loc = self.loc(annotation.range);
        let text = crate::unparse::unparse_annotation(annotation, self.version);
        self.addop_load_const(consts::str_const(&text), loc);
        Ok(())
    }

    pub(crate) fn visit_argannotation(&mut self, id: &str, annotation: Option<&Expr>, len: &mut i32, loc: Location) -> CompileResult<()> {
        let Some(annotation) = annotation else { return Ok(()) };
        let mangled = self.mangle(id);
        self.addop_load_const(consts::str_const(&mangled), loc);
        if self.future_annotations {
            self.visit_annexpr(annotation)?;
        } else if let ExprKind::Starred { value, .. } = &annotation.kind {
            self.visit_expr(value)?;
            self.addop_i(Op::UNPACK_SEQUENCE, 1, loc);
        } else {
            self.visit_expr(annotation)?;
        }
        // A tuple of name/value pairs until 3.13; 3.14 counts dict entries.
        *len += if self.version >= PythonVersion::V3_14 { 1 } else { 2 };
        Ok(())
    }

    fn visit_argannotations(&mut self, args: &[Arg], len: &mut i32, loc: Location) -> CompileResult<()> {
        for a in args {
            self.visit_argannotation(&a.arg, a.annotation.as_deref(), len, loc)?;
        }
        Ok(())
    }

    /// `compiler_visit_annotations`: returns whether an annotations tuple was pushed.
    fn visit_annotations(&mut self, loc: Location, args: &Arguments, returns: Option<&Expr>) -> CompileResult<bool> {
        let mut len = 0;
        self.visit_argannotations(&args.args, &mut len, loc)?;
        self.visit_argannotations(&args.posonlyargs, &mut len, loc)?;
        if let Some(v) = &args.vararg {
            self.visit_argannotation(&v.arg, v.annotation.as_deref(), &mut len, loc)?;
        }
        self.visit_argannotations(&args.kwonlyargs, &mut len, loc)?;
        if let Some(k) = &args.kwarg {
            self.visit_argannotation(&k.arg, k.annotation.as_deref(), &mut len, loc)?;
        }
        self.visit_argannotation("return", returns, &mut len, loc)?;
        if len > 0 {
            self.addop_i(Op::BUILD_TUPLE, len, loc);
            return Ok(true);
        }
        Ok(false)
    }

    fn check_debug_args(&self, args: &Arguments) -> CompileResult<()> {
        for a in args.all_args() {
            self.check_forbidden(a.range, &a.arg, ExprContext::Store)?;
        }
        Ok(())
    }

    /// The function computing a type parameter's bound or default, located at the expression
    /// (3.13+) or at the type parameter (3.12, `param_loc`).
    fn type_param_bound_or_default(
        &mut self,
        e: &Expr,
        name: &str,
        key: ScopeKey,
        allow_starred: bool,
        param_loc: Location,
    ) -> CompileResult<()> {
        let lineno = self.loc(e.range).lineno;
        let eloc = if self.version <= PythonVersion::V3_12 { param_loc } else { self.loc(e.range) };
        let v314 = self.version >= PythonVersion::V3_14;
        if v314 {
            // An annotation scope: `format` defaults to 1 (VALUE).
            self.addop_load_const(ConstValue::Tuple(vec![consts::int_const(1)].into()), eloc);
            self.setup_annotations_scope(eloc, key, name)?;
        } else {
            self.enter_scope(name, ScopeType::TypeParams, key, lineno)?;
        }
        let body = (|| -> CompileResult<()> {
            match &e.kind {
                ExprKind::Starred { value, .. } if allow_starred => {
                    self.visit_expr(value)?;
                    self.addop_i(Op::UNPACK_SEQUENCE, 1, eloc);
                }
                _ => self.visit_expr(e)?,
            }
            self.addop(Op::RETURN_VALUE, eloc);
            Ok(())
        })();
        let co = body.and_then(|_| self.optimize_and_assemble(true));
        self.exit_scope();
        self.make_closure(eloc, co?, if v314 { MAKE_FUNCTION_DEFAULTS } else { 0 })
    }

    /// `compiler_type_params`.
    fn type_params(&mut self, params: &[TypeParam]) -> CompileResult<()> {
        for tp in params {
            let loc = self.loc(tp.range);
            self.addop_load_const(consts::str_const(&tp.name), loc);
            match &tp.kind {
                TypeParamKind::TypeVar { bound } => {
                    if let Some(bound) = bound {
                        self.type_param_bound_or_default(
                            bound,
                            &tp.name,
                            ScopeKey::with_tag(tp.range, ScopeKey::TAG_BOUND),
                            false,
                            loc,
                        )?;
                        let intrinsic = if matches!(bound.kind, ExprKind::Tuple { .. }) {
                            INTRINSIC_TYPEVAR_WITH_CONSTRAINTS
                        } else {
                            INTRINSIC_TYPEVAR_WITH_BOUND
                        };
                        self.addop_i(Op::CALL_INTRINSIC_2, intrinsic, loc);
                    } else {
                        self.addop_i(Op::CALL_INTRINSIC_1, INTRINSIC_TYPEVAR, loc);
                    }
                }
                TypeParamKind::TypeVarTuple => self.addop_i(Op::CALL_INTRINSIC_1, INTRINSIC_TYPEVARTUPLE, loc),
                TypeParamKind::ParamSpec => self.addop_i(Op::CALL_INTRINSIC_1, INTRINSIC_PARAMSPEC, loc),
            }
            self.addop_i(Op::COPY, 1, loc);
            self.nameop(tp.range, loc, &tp.name, ExprContext::Store)?;
        }
        let first = self.loc(params[0].range);
        self.addop_i(Op::BUILD_TUPLE, params.len() as i32, first);
        Ok(())
    }

    /// `compiler_function_body`.
    fn function_body(&mut self, s: &Stmt, f: &FunctionDef, funcflags: u32, firstlineno: i32) -> CompileResult<()> {
        if let Some(co) = self.reuse_top_level(s.range, firstlineno) {
            let loc = self.loc(s.range);
            return self.make_closure(loc, co, funcflags);
        }
        let warned = self.warnings.len();
        let scope_type = if f.is_async { ScopeType::AsyncFunction } else { ScopeType::Function };
        self.enter_scope(&f.name, scope_type, ScopeKey::node(s.range), firstlineno)?;
        let result = (|| -> CompileResult<()> {
            let mut first = 0;
            let doc = docstring(&f.body);
            if doc.is_some() {
                first = 1;
            }
            match doc {
                Some(d) => {
                    let doc = stmt::doc_const(self.version, d);
                    self.add_const(doc);
                    self.u_mut().md.has_docstring = true;
                }
                // 3.14 keeps no placeholder (`CO_HAS_DOCSTRING` tells instead).
                None if self.version >= PythonVersion::V3_14 => {}
                None => {
                    self.add_const(ConstValue::None);
                }
            }
            let md = &mut self.u_mut().md;
            md.argcount = f.args.args.len() as u32;
            md.posonlyargcount = f.args.posonlyargs.len() as u32;
            md.kwonlyargcount = f.args.kwonlyargs.len() as u32;
            let start = self.new_label();
            // 3.11 starts no block after RESUME (it matters to which NOPs survive).
            if self.version >= PythonVersion::V3_12 {
                self.use_label(start);
            }
            // 3.11 turns a leaking StopIteration into RuntimeError in the eval loop.
            let add_stopiteration_handler =
                self.version >= PythonVersion::V3_12 && (self.ste().coroutine || self.ste().generator);
            if add_stopiteration_handler {
                self.push_fblock(s.range, NO_LOCATION, FBlockType::StopIteration, start, NO_LABEL, None)?;
            }
            for st in &f.body[first..] {
                self.visit_stmt(st)?;
            }
            if add_stopiteration_handler {
                self.wrap_in_stopiteration_handler();
                self.pop_fblock(FBlockType::StopIteration, start);
            }
            Ok(())
        })();
        let co = result.and_then(|_| self.optimize_and_assemble(true));
        self.exit_scope();
        let co = co?;
        self.record_top_level(s.range, firstlineno, &co, warned);
        let loc = self.loc(s.range);
        self.make_closure(loc, co, funcflags)
    }

    /// `compiler_function`.
    pub fn function(&mut self, s: &Stmt, f: &FunctionDef) -> CompileResult<()> {
        self.check_debug_args(&f.args)?;
        self.decorators(&f.decorator_list)?;
        let firstlineno = match f.decorator_list.first() {
            Some(d) => self.loc(d.range).lineno,
            None => self.loc(s.range).lineno,
        };
        let loc = self.loc(s.range);
        let is_generic = !f.type_params.is_empty();
        // 3.12 calls the type-parameter function with a NULL pushed before everything.
        let null_first = is_generic && self.version <= PythonVersion::V3_12;
        if null_first {
            self.addop(Op::PUSH_NULL, loc);
        }
        let mut funcflags = self.default_arguments(loc, &f.args)?;
        let mut num_typeparam_args = 0;
        if is_generic {
            if funcflags & MAKE_FUNCTION_DEFAULTS != 0 {
                num_typeparam_args += 1;
            }
            if funcflags & MAKE_FUNCTION_KWDEFAULTS != 0 {
                num_typeparam_args += 1;
            }
            if num_typeparam_args == 2 {
                self.addop_i(Op::SWAP, 2, loc);
            }
            let name = format!("<generic parameters of {}>", f.name);
            self.enter_scope(&name, ScopeType::TypeParams, ScopeKey::type_params(&f.type_params), firstlineno)?;
        }
        let result = (|| -> CompileResult<()> {
            if is_generic {
                self.type_params(&f.type_params)?;
                for i in 0..num_typeparam_args {
                    self.addop_i(Op::LOAD_FAST, i, loc);
                }
            }
            if self.version >= PythonVersion::V3_14 {
                funcflags |= self.function_annotations_314(s, loc, &f.args, f.returns.as_ref())?;
            } else if self.visit_annotations(loc, &f.args, f.returns.as_ref())? {
                funcflags |= MAKE_FUNCTION_ANNOTATIONS;
            }
            self.function_body(s, f, funcflags, firstlineno)
        })();
        if is_generic {
            let co = result.and_then(|_| {
                self.addop_i(Op::SWAP, 2, loc);
                self.addop_i(Op::CALL_INTRINSIC_2, INTRINSIC_SET_FUNCTION_TYPE_PARAMS, loc);
                self.u_mut().md.argcount = num_typeparam_args as u32;
                self.optimize_and_assemble(false)
            });
            self.exit_scope();
            self.make_closure(loc, co?, 0)?;
            if null_first {
                if num_typeparam_args > 0 {
                    self.addop_i(Op::SWAP, num_typeparam_args + 1, loc);
                }
                self.addop_i(Op::CALL, num_typeparam_args, loc);
            } else if num_typeparam_args > 0 {
                self.addop_i(Op::SWAP, num_typeparam_args + 1, loc);
                self.addop_i(Op::CALL, num_typeparam_args - 1, loc);
            } else {
                self.addop(Op::PUSH_NULL, loc);
                self.addop_i(Op::CALL, 0, loc);
            }
        } else {
            result?;
        }
        self.apply_decorators(&f.decorator_list);
        self.nameop(s.range, loc, &f.name, ExprContext::Store)
    }

    /// `compiler_lambda`.
    pub fn lambda(&mut self, e: &Expr, args: &Arguments, body: &Expr) -> CompileResult<()> {
        self.check_debug_args(args)?;
        let loc = self.loc(e.range);
        let funcflags = self.default_arguments(loc, args)?;
        self.enter_scope("<lambda>", ScopeType::Lambda, ScopeKey::node(e.range), loc.lineno)?;
        if self.version < PythonVersion::V3_14 {
            self.add_const(ConstValue::None);
        }
        let md = &mut self.u_mut().md;
        md.argcount = args.args.len() as u32;
        md.posonlyargcount = args.posonlyargs.len() as u32;
        md.kwonlyargcount = args.kwonlyargs.len() as u32;
        let co = self.visit_expr(body).and_then(|_| {
            if self.ste().generator {
                self.optimize_and_assemble(false)
            } else {
                // 3.11 returns at the location its scope started with (the lambda's line).
                let bloc = if self.version == PythonVersion::V3_11 {
                    Location::new(loc.lineno, loc.lineno, 0, 0)
                } else {
                    self.loc(body.range)
                };
                self.addop(Op::RETURN_VALUE, bloc);
                self.optimize_and_assemble(true)
            }
        });
        self.exit_scope();
        self.make_closure(loc, co?, funcflags)
    }

    /// `compiler_class_body`: compiles the body into a code object and pushes
    /// `__build_class__`, the function and the name.
    fn class_body(&mut self, s: &Stmt, c: &ClassDef, firstlineno: i32) -> CompileResult<()> {
        let reused = self.reuse_top_level(s.range, firstlineno);
        let co = match reused {
            Some(co) => co,
            None => self.class_body_code(s, c, firstlineno)?,
        };
        let loc = self.loc(s.range);
        if self.version <= PythonVersion::V3_12 {
            self.addop(Op::PUSH_NULL, loc);
            self.addop(Op::LOAD_BUILD_CLASS, loc);
        } else {
            self.addop(Op::LOAD_BUILD_CLASS, loc);
            self.addop(Op::PUSH_NULL, loc);
        }
        self.make_closure(loc, co, 0)?;
        self.addop_load_const(consts::str_const(&c.name), loc);
        Ok(())
    }

    /// The class body's code object.
    fn class_body_code(&mut self, s: &Stmt, c: &ClassDef, firstlineno: i32) -> CompileResult<Arc<CodeObject>> {
        let warned = self.warnings.len();
        self.enter_scope(&c.name, ScopeType::Class, ScopeKey::node(s.range), firstlineno)?;
        let result = (|| -> CompileResult<Arc<CodeObject>> {
            let loc = Location::new(firstlineno, firstlineno, 0, 0);
            self.u_mut().private = Some(c.name.clone());
            self.nameop(s.range, loc, "__name__", ExprContext::Load)?;
            self.nameop(s.range, loc, "__module__", ExprContext::Store)?;
            let qualname = self.u().md.qualname.clone();
            self.addop_load_const(consts::str_const(&qualname), loc);
            self.nameop(s.range, loc, "__qualname__", ExprContext::Store)?;
            if self.version >= PythonVersion::V3_13 {
                self.addop_load_const(consts::int_const(firstlineno as i64), loc);
                self.nameop(s.range, loc, "__firstlineno__", ExprContext::Store)?;
            }
            if !c.type_params.is_empty() {
                self.nameop(s.range, loc, ".type_params", ExprContext::Load)?;
                self.nameop(s.range, loc, "__type_params__", ExprContext::Store)?;
            }
            if self.ste().needs_classdict {
                self.addop(Op::LOAD_LOCALS, loc);
                self.addop_o(Op::STORE_DEREF, NameTable::Cellvars, "__classdict__", loc);
            }
            self.body(loc, &c.body, false)?;
            self.set_loc(NO_LOCATION);
            if self.version >= PythonVersion::V3_13 {
                let attrs: Vec<ConstValue> = self
                    .u()
                    .static_attributes
                    .iter()
                    .flatten()
                    .map(|a| consts::str_const(a))
                    .collect();
                self.addop_load_const(ConstValue::Tuple(attrs.into()), NO_LOCATION);
                self.nameop(s.range, NO_LOCATION, "__static_attributes__", ExprContext::Store)?;
            }
            if self.ste().needs_classdict {
                let i = self.u().md.cellvars.get_index_of("__classdict__").unwrap_or(0) as i32;
                self.addop_i(Op::LOAD_CLOSURE, i, NO_LOCATION);
                self.nameop(s.range, NO_LOCATION, "__classdictcell__", ExprContext::Store)?;
            }
            if self.ste().needs_class_closure {
                let i = self.u().md.cellvars.get_index_of("__class__").unwrap_or(0) as i32;
                self.addop_i(Op::LOAD_CLOSURE, i, NO_LOCATION);
                self.addop_i(Op::COPY, 1, NO_LOCATION);
                self.nameop(s.range, NO_LOCATION, "__classcell__", ExprContext::Store)?;
            } else {
                self.addop_load_const(ConstValue::None, NO_LOCATION);
            }
            self.addop(Op::RETURN_VALUE, NO_LOCATION);
            self.optimize_and_assemble(true)
        })();
        self.exit_scope();
        let co = result?;
        self.record_top_level(s.range, firstlineno, &co, warned);
        Ok(co)
    }

    /// `compiler_class`.
    pub fn class(&mut self, s: &Stmt, c: &ClassDef) -> CompileResult<()> {
        self.decorators(&c.decorator_list)?;
        let firstlineno = match c.decorator_list.first() {
            Some(d) => self.loc(d.range).lineno,
            None => self.loc(s.range).lineno,
        };
        let loc = self.loc(s.range);
        let is_generic = !c.type_params.is_empty();
        if is_generic {
            let name = format!("<generic parameters of {}>", c.name);
            self.enter_scope(&name, ScopeType::TypeParams, ScopeKey::type_params(&c.type_params), firstlineno)?;
            self.u_mut().private = Some(c.name.clone());
            let r = self.type_params(&c.type_params).and_then(|_| self.nameop(s.range, loc, ".type_params", ExprContext::Store));
            if let Err(e) = r {
                self.exit_scope();
                return Err(e);
            }
        }
        let result = self.class_body(s, c, firstlineno);
        if is_generic {
            let co = result.and_then(|_| {
                self.nameop(s.range, loc, ".type_params", ExprContext::Load)?;
                self.addop_i(Op::CALL_INTRINSIC_1, INTRINSIC_SUBSCRIPT_GENERIC, loc);
                self.nameop(s.range, loc, ".generic_base", ExprContext::Store)?;
                let mut bases = c.bases.clone();
                bases.push(Expr::new(
                    s.range,
                    ExprKind::Name { id: ".generic_base".to_string(), ctx: ExprContext::Load },
                ));
                self.call_helper(loc, 2, &bases, &c.keywords)?;
                self.optimize_and_assemble(false)
            });
            self.exit_scope();
            self.call_type_params_function(loc, co?)?;
        } else {
            result?;
            self.call_helper(loc, 2, &c.bases, &c.keywords)?;
        }
        self.apply_decorators(&c.decorator_list);
        self.nameop(s.range, loc, &c.name, ExprContext::Store)
    }

    /// Makes the function that evaluates a class's or alias's type parameters and calls it; the
    /// NULL goes below the function in 3.12 and above it from 3.13.
    fn call_type_params_function(&mut self, loc: Location, co: Arc<CodeObject>) -> CompileResult<()> {
        if self.version <= PythonVersion::V3_12 {
            self.addop(Op::PUSH_NULL, loc);
            self.make_closure(loc, co, 0)?;
        } else {
            self.make_closure(loc, co, 0)?;
            self.addop(Op::PUSH_NULL, loc);
        }
        self.addop_i(Op::CALL, 0, loc);
        Ok(())
    }

    fn typealias_body(&mut self, s: &Stmt, name: &str, value: &Expr) -> CompileResult<()> {
        let loc = self.loc(s.range);
        let v314 = self.version >= PythonVersion::V3_14;
        if v314 {
            self.addop_load_const(ConstValue::Tuple(vec![consts::int_const(1)].into()), loc);
            self.setup_annotations_scope(loc, ScopeKey::node(s.range), name)?;
        } else {
            self.enter_scope(name, ScopeType::Function, ScopeKey::node(s.range), loc.lineno)?;
            self.add_const(ConstValue::None);
        }
        let co = self.visit_expr(value).and_then(|_| {
            self.addop(Op::RETURN_VALUE, loc);
            self.optimize_and_assemble(false)
        });
        self.exit_scope();
        self.make_closure(loc, co?, if v314 { MAKE_FUNCTION_DEFAULTS } else { 0 })?;
        self.addop_i(Op::BUILD_TUPLE, 3, loc);
        self.addop_i(Op::CALL_INTRINSIC_1, INTRINSIC_TYPEALIAS, loc);
        Ok(())
    }

    /// `compiler_typealias`.
    pub fn typealias(&mut self, s: &Stmt, name: &Expr, type_params: &[TypeParam], value: &Expr) -> CompileResult<()> {
        let loc = self.loc(s.range);
        let ExprKind::Name { id, .. } = &name.kind else { return Ok(()) };
        let is_generic = !type_params.is_empty();
        if is_generic {
            let tp_name = format!("<generic parameters of {id}>");
            self.enter_scope(&tp_name, ScopeType::TypeParams, ScopeKey::type_params(type_params), loc.lineno)?;
            self.addop_load_const(consts::str_const(id), loc);
            if let Err(e) = self.type_params(type_params) {
                self.exit_scope();
                return Err(e);
            }
        } else {
            self.addop_load_const(consts::str_const(id), loc);
            self.addop_load_const(ConstValue::None, loc);
        }
        let result = self.typealias_body(s, id, value);
        if is_generic {
            let co = result.and_then(|_| self.optimize_and_assemble(false));
            self.exit_scope();
            self.call_type_params_function(loc, co?)?;
        } else {
            result?;
        }
        self.nameop(s.range, loc, id, ExprContext::Store)
    }
}
