//! First symbol-table pass (`symtable_visit_*`): walks the tree, creates a scope per block and
//! records each name's raw flags (bound, used, parameter, global, nonlocal, …).

use super::*;
use crate::error::CompileResult;
use pyxray_syntax::ast::{Arguments, Expr, ExprContext, ExprKind, Pattern, PatternKind, Stmt, StmtKind};

const GLOBAL_PARAM: &str = "name '{}' is parameter and global";
const NONLOCAL_PARAM: &str = "name '{}' is parameter and nonlocal";
const GLOBAL_AFTER_ASSIGN: &str = "name '{}' is assigned to before global declaration";
const NONLOCAL_AFTER_ASSIGN: &str = "name '{}' is assigned to before nonlocal declaration";
const GLOBAL_AFTER_USE: &str = "name '{}' is used prior to global declaration";
const NONLOCAL_AFTER_USE: &str = "name '{}' is used prior to nonlocal declaration";
const GLOBAL_ANNOT: &str = "annotated name '{}' can't be global";
const NONLOCAL_ANNOT: &str = "annotated name '{}' can't be nonlocal";

fn fmt1(template: &str, name: &str) -> String {
    template.replacen("{}", name, 1)
}

/// Builds and analyzes the symbol table of a module (`_PySymtable_Build`).
pub fn build(module: &ast::Module, future_annotations: bool, version: PythonVersion) -> CompileResult<SymbolTable> {
    let mut b = Builder {
        st: SymbolTable {
            entries: Vec::new(),
            top: 0,
            by_key: FxHashMap::default(),
            mangled_sets: Vec::new(),
            version,
        },
        stack: Vec::new(),
        cur: 0,
        private: None,
        future_annotations,
        version,
    };
    b.enter_block("top", BlockType::Module, ScopeKey::MODULE, TextRange::default());
    for s in &module.body {
        b.visit_stmt(s)?;
    }
    b.exit_block();
    analyze::analyze(&mut b.st)?;
    Ok(b.st)
}

struct Builder {
    st: SymbolTable,
    stack: Vec<ScopeId>,
    cur: ScopeId,
    private: Option<String>,
    future_annotations: bool,
    version: PythonVersion,
}

impl Builder {
    fn cur(&self) -> &SymbolTableEntry {
        &self.st.entries[self.cur]
    }

    fn cur_mut(&mut self) -> &mut SymbolTableEntry {
        &mut self.st.entries[self.cur]
    }

    fn enter_block(&mut self, name: &str, kind: BlockType, key: ScopeKey, range: TextRange) {
        let prev = self.stack.last().copied();
        let nested = prev.is_some_and(|p| self.st.entries[p].nested || self.st.entries[p].is_function_like());
        let mut entry = SymbolTableEntry {
            name: name.to_string(),
            kind,
            key,
            range,
            symbols: IndexMap::default(),
            varnames: Vec::new(),
            children: Vec::new(),
            directives: Vec::new(),
            mangled_names: None,
            scope_info: None,
            nested,
            free: false,
            child_free: false,
            generator: false,
            coroutine: false,
            comprehension: None,
            varargs: false,
            varkeywords: false,
            returns_value: false,
            needs_class_closure: false,
            needs_classdict: false,
            comp_inlined: false,
            comp_iter_target: false,
            can_see_class_scope: false,
            comp_iter_expr: 0,
            annotations_used: false,
            has_conditional_annotations: false,
            in_conditional_block: false,
            in_unevaluated_annotation: false,
            annotation_block: None,
            method: prev.is_some_and(|p| self.st.entries[p].kind == BlockType::Class) && kind == BlockType::Function,
        };
        if let Some(p) = prev {
            let prev = &self.st.entries[p];
            entry.comp_iter_expr = prev.comp_iter_expr;
            if prev.mangled_names.is_some() && kind != BlockType::Class {
                entry.mangled_names = prev.mangled_names;
            }
        }
        let id = self.st.entries.len();
        self.st.entries.push(entry);
        self.st.by_key.insert(key, id);
        self.stack.push(id);
        self.cur = id;
        if self.version >= PythonVersion::V3_14
            && matches!(kind, BlockType::Annotation | BlockType::TypeVariable | BlockType::TypeAlias)
        {
            // Annotation scopes take the `format` argument (PEP 649).
            let _ = self.add_def(".format", DEF_PARAM, range);
            let _ = self.add_def(".format", USE, range);
        }
        if kind == BlockType::Annotation && (self.version < PythonVersion::V3_14 || self.future_annotations) {
            return;
        }
        if kind == BlockType::Module {
            self.st.top = id;
        }
        if let Some(p) = prev {
            self.st.entries[p].children.push(id);
        }
    }

    /// `symtable_enter_existing_block` for a module's or class's annotation block, entered again
    /// for each annotated assignment (it is already one of the parent's children).
    fn enter_existing_block(&mut self, id: ScopeId) {
        let prev = self.cur;
        self.st.entries[id].comp_iter_expr = self.st.entries[prev].comp_iter_expr;
        if self.st.entries[prev].mangled_names.is_some() {
            self.st.entries[id].mangled_names = self.st.entries[prev].mangled_names;
        }
        self.stack.push(id);
        self.cur = id;
    }

    fn exit_block(&mut self) {
        self.stack.pop();
        if let Some(&top) = self.stack.last() {
            self.cur = top;
        }
    }

    fn mangle<'n>(&self, name: &'n str) -> std::borrow::Cow<'n, str> {
        self.st.maybe_mangle(self.private.as_deref(), self.cur, name)
    }

    fn lookup(&self, name: &str) -> u32 {
        self.cur().symbol(&self.mangle(name))
    }

    fn lookup_entry(&self, entry: ScopeId, name: &str) -> u32 {
        let mangled = self.st.maybe_mangle(self.private.as_deref(), entry, name);
        self.st.entries[entry].symbol(&mangled)
    }

    /// `symtable_add_def`.
    fn add_def(&mut self, name: &str, flag: u32, range: TextRange) -> CompileResult<()> {
        if flag & DEF_TYPE_PARAM != 0 {
            if let Some(set) = self.cur().mangled_names {
                self.st.mangled_sets[set].insert(name.to_string());
            }
        }
        self.add_def_helper(name, flag, self.cur, range)
    }

    /// `symtable_add_def_helper`.
    fn add_def_helper(&mut self, name: &str, flag: u32, entry: ScopeId, range: TextRange) -> CompileResult<()> {
        let mangled = self.mangle(name);
        let ste = &mut self.st.entries[entry];
        let mut val = match ste.symbols.get(&*mangled) {
            Some(&old) => {
                if flag & DEF_PARAM != 0 && old & DEF_PARAM != 0 {
                    return Err(error(format!("duplicate argument '{name}' in function definition"), range));
                }
                if flag & DEF_TYPE_PARAM != 0 && old & DEF_TYPE_PARAM != 0 {
                    return Err(error(format!("duplicate type parameter '{name}'"), range));
                }
                old | flag
            }
            None => flag,
        };
        if ste.comp_iter_target {
            if val & (DEF_GLOBAL | DEF_NONLOCAL) != 0 {
                return Err(error(
                    format!("comprehension inner loop cannot rebind assignment expression target '{name}'"),
                    range,
                ));
            }
            val |= DEF_COMP_ITER;
        }
        // Updating in place keeps the position, as inserting an existing key would, without
        // allocating the key again.
        match ste.symbols.get_mut(&*mangled) {
            Some(v) => *v = val,
            None => {
                ste.symbols.insert(mangled.to_string(), val);
            }
        }
        if flag & DEF_PARAM != 0 {
            ste.varnames.push(mangled.into_owned());
        } else if flag & DEF_GLOBAL != 0 {
            let top = self.st.top;
            let global = &mut self.st.entries[top].symbols;
            match global.get_mut(&*mangled) {
                Some(v) => *v |= flag,
                None => {
                    global.insert(mangled.into_owned(), flag);
                }
            }
        }
        Ok(())
    }

    fn record_directive(&mut self, name: &str, range: TextRange) {
        let mangled = self.mangle(name);
        self.cur_mut().directives.push((mangled.into_owned(), range));
    }

    fn enter_type_param_block(
        &mut self,
        name: &str,
        key: ScopeKey,
        has_defaults: bool,
        has_kwdefaults: bool,
        is_class: bool,
        range: TextRange,
    ) -> CompileResult<()> {
        let current_type = self.cur().kind;
        self.enter_block(name, BlockType::TypeParameters, key, range);
        if current_type == BlockType::Class {
            self.cur_mut().can_see_class_scope = true;
            self.add_def("__classdict__", USE, range)?;
        }
        if is_class {
            self.add_def(".type_params", DEF_LOCAL, range)?;
            self.add_def(".type_params", USE, range)?;
            self.add_def(".generic_base", DEF_LOCAL, range)?;
            self.add_def(".generic_base", USE, range)?;
        }
        if has_defaults {
            self.add_def(".defaults", DEF_PARAM, range)?;
        }
        if has_kwdefaults {
            self.add_def(".kwdefaults", DEF_PARAM, range)?;
        }
        Ok(())
    }

    fn visit_stmts(&mut self, body: &[Stmt]) -> CompileResult<()> {
        for s in body {
            self.visit_stmt(s)?;
        }
        Ok(())
    }

    fn visit_exprs(&mut self, exprs: &[Expr]) -> CompileResult<()> {
        for e in exprs {
            self.visit_expr(e)?;
        }
        Ok(())
    }

    fn visit_stmt(&mut self, s: &Stmt) -> CompileResult<()> {
        match &s.kind {
            StmtKind::FunctionDef(f) => {
                self.add_def(&f.name, DEF_LOCAL, s.range)?;
                self.visit_exprs(&f.args.defaults)?;
                for d in f.args.kw_defaults.iter().flatten() {
                    self.visit_expr(d)?;
                }
                self.visit_exprs(&f.decorator_list)?;
                let generic = !f.type_params.is_empty();
                if generic {
                    let has_kwdefaults = f.args.kw_defaults.iter().any(|d| d.is_some());
                    self.enter_type_param_block(
                        &f.name,
                        ScopeKey::type_params(&f.type_params),
                        // CPython tests `args->defaults != NULL`, true even for an empty list.
                        true,
                        has_kwdefaults,
                        false,
                        s.range,
                    )?;
                    for tp in &f.type_params {
                        self.visit_type_param(tp)?;
                    }
                }
                if self.version >= PythonVersion::V3_14 {
                    self.visit_annotations_314(s, &f.args, f.returns.as_ref())?;
                } else {
                    self.visit_annotations(s, &f.args, f.returns.as_ref())?;
                }
                self.enter_block(&f.name, BlockType::Function, ScopeKey::node(s.range), s.range);
                if f.is_async {
                    self.cur_mut().coroutine = true;
                }
                self.visit_arguments(&f.args)?;
                self.visit_stmts(&f.body)?;
                self.exit_block();
                if generic {
                    self.exit_block();
                }
            }
            StmtKind::ClassDef(c) => {
                self.add_def(&c.name, DEF_LOCAL, s.range)?;
                self.visit_exprs(&c.decorator_list)?;
                let saved_private = self.private.clone();
                let generic = !c.type_params.is_empty();
                if generic {
                    self.enter_type_param_block(&c.name, ScopeKey::type_params(&c.type_params), false, false, true, s.range)?;
                    self.private = Some(c.name.clone());
                    let set = self.st.mangled_sets.len();
                    self.st.mangled_sets.push(FxHashSet::default());
                    self.cur_mut().mangled_names = Some(set);
                    for tp in &c.type_params {
                        self.visit_type_param(tp)?;
                    }
                }
                self.visit_exprs(&c.bases)?;
                for k in &c.keywords {
                    self.visit_expr(&k.value)?;
                }
                self.enter_block(&c.name, BlockType::Class, ScopeKey::node(s.range), s.range);
                self.private = Some(c.name.clone());
                if generic {
                    self.add_def("__type_params__", DEF_LOCAL, s.range)?;
                    self.add_def(".type_params", USE, s.range)?;
                }
                self.visit_stmts(&c.body)?;
                self.exit_block();
                if generic {
                    self.exit_block();
                }
                self.private = saved_private;
            }
            StmtKind::TypeAlias { name, type_params, value } => {
                self.visit_expr(name)?;
                let alias_name = match &name.kind {
                    ExprKind::Name { id, .. } => id.clone(),
                    _ => String::new(),
                };
                let in_class = self.cur().kind == BlockType::Class;
                let generic = !type_params.is_empty();
                if generic {
                    self.enter_type_param_block(&alias_name, ScopeKey::type_params(type_params), false, false, false, s.range)?;
                    for tp in type_params {
                        self.visit_type_param(tp)?;
                    }
                }
                self.enter_block(&alias_name, BlockType::TypeAlias, ScopeKey::node(s.range), s.range);
                self.cur_mut().can_see_class_scope = in_class;
                if in_class {
                    self.add_def("__classdict__", USE, value.range)?;
                }
                self.visit_expr(value)?;
                self.exit_block();
                if generic {
                    self.exit_block();
                }
            }
            StmtKind::Return(value) => {
                if let Some(v) = value {
                    self.visit_expr(v)?;
                    self.cur_mut().returns_value = true;
                }
            }
            StmtKind::Delete(targets) => self.visit_exprs(targets)?,
            StmtKind::Assign { targets, value } => {
                self.visit_exprs(targets)?;
                self.visit_expr(value)?;
            }
            StmtKind::AnnAssign { target, annotation, value, simple } => {
                if let ExprKind::Name { id, .. } = &target.kind {
                    let cur = self.lookup(id);
                    let is_global_scope = self.cur == self.st.top;
                    if cur & (DEF_GLOBAL | DEF_NONLOCAL) != 0 && !is_global_scope && *simple {
                        let msg = if cur & DEF_GLOBAL != 0 { GLOBAL_ANNOT } else { NONLOCAL_ANNOT };
                        return Err(error(fmt1(msg, id), s.range));
                    }
                    if *simple {
                        self.add_def(id, DEF_ANNOT | DEF_LOCAL, target.range)?;
                    } else if value.is_some() {
                        self.add_def(id, DEF_LOCAL, target.range)?;
                    }
                } else {
                    self.visit_expr(target)?;
                }
                if self.version >= PythonVersion::V3_14 {
                    self.cur_mut().annotations_used = true;
                    self.visit_annotation_314(annotation)?;
                } else {
                    self.visit_annotation(annotation)?;
                }
                if let Some(v) = value {
                    self.visit_expr(v)?;
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.visit_expr(target)?;
                self.visit_expr(value)?;
            }
            StmtKind::For(f) => {
                self.visit_expr(&f.target)?;
                self.visit_expr(&f.iter)?;
                let saved = self.enter_conditional_block();
                self.visit_stmts(&f.body)?;
                self.visit_stmts(&f.orelse)?;
                self.cur_mut().in_conditional_block = saved;
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                self.visit_expr(test)?;
                let saved = self.enter_conditional_block();
                self.visit_stmts(body)?;
                self.visit_stmts(orelse)?;
                self.cur_mut().in_conditional_block = saved;
            }
            StmtKind::Match { subject, cases } => {
                self.visit_expr(subject)?;
                let saved = self.enter_conditional_block();
                for case in cases {
                    self.visit_pattern(&case.pattern)?;
                    if let Some(g) = &case.guard {
                        self.visit_expr(g)?;
                    }
                    self.visit_stmts(&case.body)?;
                }
                self.cur_mut().in_conditional_block = saved;
            }
            StmtKind::Raise { exc, cause } => {
                if let Some(e) = exc {
                    self.visit_expr(e)?;
                    if let Some(c) = cause {
                        self.visit_expr(c)?;
                    }
                }
            }
            StmtKind::Try(t) => {
                let saved = self.enter_conditional_block();
                self.visit_stmts(&t.body)?;
                for h in &t.handlers {
                    if let Some(ty) = &h.type_ {
                        self.visit_expr(ty)?;
                    }
                    if let Some(name) = &h.name {
                        self.add_def(name, DEF_LOCAL, h.range)?;
                    }
                    self.visit_stmts(&h.body)?;
                }
                self.visit_stmts(&t.orelse)?;
                self.visit_stmts(&t.finalbody)?;
                self.cur_mut().in_conditional_block = saved;
            }
            StmtKind::Assert { test, msg } => {
                self.visit_expr(test)?;
                if let Some(m) = msg {
                    self.visit_expr(m)?;
                }
            }
            StmtKind::Import(names) | StmtKind::ImportFrom { names, .. } => {
                for a in names {
                    self.visit_alias(a)?;
                }
            }
            StmtKind::Global(names) => {
                for name in names {
                    let cur = self.lookup(name);
                    if cur & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT) != 0 {
                        let msg = if cur & DEF_PARAM != 0 {
                            GLOBAL_PARAM
                        } else if cur & USE != 0 {
                            GLOBAL_AFTER_USE
                        } else if cur & DEF_ANNOT != 0 {
                            GLOBAL_ANNOT
                        } else {
                            GLOBAL_AFTER_ASSIGN
                        };
                        return Err(error(fmt1(msg, name), s.range));
                    }
                    self.add_def(name, DEF_GLOBAL, s.range)?;
                    self.record_directive(name, s.range);
                }
            }
            StmtKind::Nonlocal(names) => {
                for name in names {
                    let cur = self.lookup(name);
                    if cur & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT) != 0 {
                        let msg = if cur & DEF_PARAM != 0 {
                            NONLOCAL_PARAM
                        } else if cur & USE != 0 {
                            NONLOCAL_AFTER_USE
                        } else if cur & DEF_ANNOT != 0 {
                            NONLOCAL_ANNOT
                        } else {
                            NONLOCAL_AFTER_ASSIGN
                        };
                        return Err(error(fmt1(msg, name), s.range));
                    }
                    self.add_def(name, DEF_NONLOCAL, s.range)?;
                    self.record_directive(name, s.range);
                }
            }
            StmtKind::Expr(e) => self.visit_expr(e)?,
            StmtKind::Pass | StmtKind::Break | StmtKind::Continue => {}
            StmtKind::With(w) => {
                let saved = self.enter_conditional_block();
                for item in &w.items {
                    self.visit_expr(&item.context_expr)?;
                    if let Some(v) = &item.optional_vars {
                        self.visit_expr(v)?;
                    }
                }
                self.visit_stmts(&w.body)?;
                self.cur_mut().in_conditional_block = saved;
            }
        }
        Ok(())
    }

    /// `ENTER_CONDITIONAL_BLOCK`: returns the flag to restore.
    fn enter_conditional_block(&mut self) -> bool {
        std::mem::replace(&mut self.cur_mut().in_conditional_block, true)
    }

    /// 3.14 `symtable_visit_annotation` (PEP 649): a module's or class's annotations all go to
    /// one `__annotate__` block; a function's local annotations are never evaluated.
    fn visit_annotation_314(&mut self, annotation: &Expr) -> CompileResult<()> {
        let kind = self.cur().kind;
        let is_unevaluated = kind == BlockType::Function;
        // 3.14.2 treats every module-level annotation as conditional.
        if ((kind == BlockType::Class && self.cur().in_conditional_block) || kind == BlockType::Module)
            && !self.cur().has_conditional_annotations
        {
            self.cur_mut().has_conditional_annotations = true;
            self.add_def("__conditional_annotations__", USE, annotation.range)?;
        }
        let parent = self.cur;
        match self.st.entries[parent].annotation_block {
            None => {
                let key = ScopeKey::with_tag(self.st.entries[parent].range, ScopeKey::TAG_BODY_ANNOTATIONS);
                self.enter_block("__annotate__", BlockType::Annotation, key, annotation.range);
                self.st.entries[parent].annotation_block = Some(self.cur);
                if kind == BlockType::Class && !self.future_annotations {
                    self.cur_mut().can_see_class_scope = true;
                    self.add_def("__classdict__", USE, annotation.range)?;
                }
            }
            Some(id) => self.enter_existing_block(id),
        }
        if is_unevaluated {
            self.cur_mut().in_unevaluated_annotation = true;
        }
        let r = self.visit_expr(annotation);
        if is_unevaluated {
            self.cur_mut().in_unevaluated_annotation = false;
        }
        self.exit_block();
        r
    }

    /// 3.14 `symtable_visit_annotations`: every function gets an `__annotate__` block for its
    /// parameter and return annotations (used or not: in a class it still needs `__classdict__`).
    fn visit_annotations_314(&mut self, s: &Stmt, a: &Arguments, returns: Option<&Expr>) -> CompileResult<()> {
        let is_in_class = self.cur().can_see_class_scope;
        let current_type = self.cur().kind;
        self.enter_block("__annotate__", BlockType::Annotation, ScopeKey::with_tag(s.range, ScopeKey::TAG_ANNOTATION), s.range);
        if is_in_class || current_type == BlockType::Class {
            self.cur_mut().can_see_class_scope = true;
            self.add_def("__classdict__", USE, s.range)?;
        }
        let vararg = a.vararg.as_ref().and_then(|v| v.annotation.as_deref());
        let kwarg = a.kwarg.as_ref().and_then(|v| v.annotation.as_deref());
        let anns = a.posonlyargs.iter().chain(&a.args).filter_map(|x| x.annotation.as_deref());
        let anns = anns.chain(vararg).chain(kwarg).chain(a.kwonlyargs.iter().filter_map(|x| x.annotation.as_deref()));
        for ann in anns.chain(returns) {
            self.cur_mut().annotations_used = true;
            self.visit_expr(ann)?;
        }
        self.exit_block();
        Ok(())
    }

    fn visit_alias(&mut self, a: &ast::Alias) -> CompileResult<()> {
        let name = a.asname.as_deref().unwrap_or(&a.name);
        if name == "*" {
            if self.cur().kind != BlockType::Module {
                return Err(error("import * only allowed at module level", a.range));
            }
            return Ok(());
        }
        let store = name.split('.').next().unwrap_or(name);
        self.add_def(store, DEF_IMPORT, a.range)
    }

    fn visit_annotation(&mut self, annotation: &Expr) -> CompileResult<()> {
        if self.future_annotations {
            self.enter_block(
                "_annotation",
                BlockType::Annotation,
                ScopeKey::with_tag(annotation.range, ScopeKey::TAG_ANNOTATION),
                annotation.range,
            );
        }
        self.visit_expr(annotation)?;
        if self.future_annotations {
            self.exit_block();
        }
        Ok(())
    }

    fn visit_arg_annotations(&mut self, args: &[ast::Arg]) -> CompileResult<()> {
        for a in args {
            if let Some(ann) = &a.annotation {
                self.visit_expr(ann)?;
            }
        }
        Ok(())
    }

    fn visit_annotations(&mut self, s: &Stmt, a: &Arguments, returns: Option<&Expr>) -> CompileResult<()> {
        if self.future_annotations {
            self.enter_block(
                "_annotation",
                BlockType::Annotation,
                ScopeKey::with_tag(s.range, ScopeKey::TAG_ANNOTATION),
                s.range,
            );
        }
        self.visit_arg_annotations(&a.posonlyargs)?;
        self.visit_arg_annotations(&a.args)?;
        if let Some(ann) = a.vararg.as_ref().and_then(|v| v.annotation.as_ref()) {
            self.visit_expr(ann)?;
        }
        if let Some(ann) = a.kwarg.as_ref().and_then(|v| v.annotation.as_ref()) {
            self.visit_expr(ann)?;
        }
        self.visit_arg_annotations(&a.kwonlyargs)?;
        if self.future_annotations {
            self.exit_block();
        }
        if let Some(r) = returns {
            self.visit_annotation(r)?;
        }
        Ok(())
    }

    fn visit_arguments(&mut self, a: &Arguments) -> CompileResult<()> {
        for arg in a.posonlyargs.iter().chain(&a.args).chain(&a.kwonlyargs) {
            self.add_def(&arg.arg, DEF_PARAM, arg.range)?;
        }
        if let Some(v) = &a.vararg {
            self.add_def(&v.arg, DEF_PARAM, v.range)?;
            self.cur_mut().varargs = true;
        }
        if let Some(k) = &a.kwarg {
            self.add_def(&k.arg, DEF_PARAM, k.range)?;
            self.cur_mut().varkeywords = true;
        }
        Ok(())
    }

    fn visit_type_param(&mut self, tp: &ast::TypeParam) -> CompileResult<()> {
        self.add_def(&tp.name, DEF_TYPE_PARAM | DEF_LOCAL, tp.range)?;
        if tp.name == "__classdict__" {
            return Err(error(format!("reserved name '{}' cannot be used for type parameter", tp.name), tp.range));
        }
        if let ast::TypeParamKind::TypeVar { bound: Some(bound) } = &tp.kind {
            let info = if matches!(bound.kind, ExprKind::Tuple { .. }) {
                "a TypeVar constraint"
            } else {
                "a TypeVar bound"
            };
            let in_class = self.cur().can_see_class_scope;
            self.enter_block(&tp.name, BlockType::TypeVariable, ScopeKey::with_tag(tp.range, ScopeKey::TAG_BOUND), bound.range);
            self.cur_mut().can_see_class_scope = in_class;
            if in_class {
                self.add_def("__classdict__", USE, bound.range)?;
            }
            self.cur_mut().scope_info = Some(info);
            self.visit_expr(bound)?;
            self.exit_block();
        }
        Ok(())
    }

    fn visit_pattern(&mut self, p: &Pattern) -> CompileResult<()> {
        match &p.kind {
            PatternKind::MatchValue(v) => self.visit_expr(v)?,
            PatternKind::MatchSingleton(_) => {}
            PatternKind::MatchSequence(ps) | PatternKind::MatchOr(ps) => {
                for p in ps {
                    self.visit_pattern(p)?;
                }
            }
            PatternKind::MatchStar(name) => {
                if let Some(n) = name {
                    self.add_def(n, DEF_LOCAL, p.range)?;
                }
            }
            PatternKind::MatchMapping { keys, patterns, rest } => {
                self.visit_exprs(keys)?;
                for p in patterns {
                    self.visit_pattern(p)?;
                }
                if let Some(r) = rest {
                    self.add_def(r, DEF_LOCAL, p.range)?;
                }
            }
            PatternKind::MatchClass { cls, patterns, kwd_patterns, .. } => {
                self.visit_expr(cls)?;
                for p in patterns.iter().chain(kwd_patterns) {
                    self.visit_pattern(p)?;
                }
            }
            PatternKind::MatchAs { pattern, name } => {
                if let Some(inner) = pattern {
                    self.visit_pattern(inner)?;
                }
                if let Some(n) = name {
                    self.add_def(n, DEF_LOCAL, p.range)?;
                }
            }
        }
        Ok(())
    }

    fn raise_if_annotation_block(&self, name: &str, e: &Expr) -> CompileResult<()> {
        let msg = match self.cur().kind {
            BlockType::Annotation if self.version == PythonVersion::V3_11 => {
                format!("'{name}' can not be used within an annotation")
            }
            BlockType::Annotation => format!("{name} cannot be used within an annotation"),
            BlockType::TypeVariable => {
                format!("{name} cannot be used within {}", self.cur().scope_info.unwrap_or("a TypeVar bound"))
            }
            BlockType::TypeAlias => format!("{name} cannot be used within a type alias"),
            BlockType::TypeParameters => format!("{name} cannot be used within the definition of a generic"),
            _ => return Ok(()),
        };
        Err(error(msg, e.range))
    }

    fn raise_if_comprehension_block(&self, e: &Expr) -> CompileResult<()> {
        let msg = match self.cur().comprehension {
            Some(ComprehensionKind::List) => "'yield' inside list comprehension",
            Some(ComprehensionKind::Set) => "'yield' inside set comprehension",
            Some(ComprehensionKind::Dict) => "'yield' inside dict comprehension",
            _ => "'yield' inside generator expression",
        };
        Err(error(msg, e.range))
    }

    fn visit_expr(&mut self, e: &Expr) -> CompileResult<()> {
        match &e.kind {
            ExprKind::NamedExpr { target, value } => {
                self.raise_if_annotation_block("named expression", e)?;
                self.handle_namedexpr(e, target, value)?;
            }
            ExprKind::BoolOp { values, .. } => self.visit_exprs(values)?,
            ExprKind::BinOp { left, right, .. } => {
                self.visit_expr(left)?;
                self.visit_expr(right)?;
            }
            ExprKind::UnaryOp { operand, .. } => self.visit_expr(operand)?,
            ExprKind::Lambda { args, body } => {
                self.visit_exprs(&args.defaults)?;
                for d in args.kw_defaults.iter().flatten() {
                    self.visit_expr(d)?;
                }
                self.enter_block("lambda", BlockType::Function, ScopeKey::node(e.range), e.range);
                self.visit_arguments(args)?;
                self.visit_expr(body)?;
                self.exit_block();
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.visit_expr(test)?;
                self.visit_expr(body)?;
                self.visit_expr(orelse)?;
            }
            ExprKind::Dict { keys, values } => {
                for k in keys.iter().flatten() {
                    self.visit_expr(k)?;
                }
                self.visit_exprs(values)?;
            }
            ExprKind::Set(elts) => self.visit_exprs(elts)?,
            ExprKind::GeneratorExp { elt, generators } => {
                self.handle_comprehension(e, "genexpr", ComprehensionKind::Generator, generators, elt, None)?
            }
            ExprKind::ListComp { elt, generators } => {
                self.handle_comprehension(e, "listcomp", ComprehensionKind::List, generators, elt, None)?
            }
            ExprKind::SetComp { elt, generators } => {
                self.handle_comprehension(e, "setcomp", ComprehensionKind::Set, generators, elt, None)?
            }
            ExprKind::DictComp { key, value, generators } => {
                self.handle_comprehension(e, "dictcomp", ComprehensionKind::Dict, generators, key, Some(value))?
            }
            ExprKind::Yield(value) => {
                self.raise_if_annotation_block("yield expression", e)?;
                if let Some(v) = value {
                    self.visit_expr(v)?;
                }
                self.cur_mut().generator = true;
                if self.cur().comprehension.is_some() {
                    return self.raise_if_comprehension_block(e);
                }
            }
            ExprKind::YieldFrom(value) => {
                self.raise_if_annotation_block("yield expression", e)?;
                self.visit_expr(value)?;
                self.cur_mut().generator = true;
                if self.cur().comprehension.is_some() {
                    return self.raise_if_comprehension_block(e);
                }
            }
            ExprKind::Await(value) => {
                self.raise_if_annotation_block("await expression", e)?;
                self.visit_expr(value)?;
                self.cur_mut().coroutine = true;
            }
            ExprKind::Compare { left, comparators, .. } => {
                self.visit_expr(left)?;
                self.visit_exprs(comparators)?;
            }
            ExprKind::Call { func, args, keywords } => {
                self.visit_expr(func)?;
                self.visit_exprs(args)?;
                for k in keywords {
                    self.visit_expr(&k.value)?;
                }
            }
            ExprKind::FormattedValue { value, format_spec, .. } | ExprKind::Interpolation { value, format_spec, .. } => {
                self.visit_expr(value)?;
                if let Some(spec) = format_spec {
                    self.visit_expr(spec)?;
                }
            }
            ExprKind::JoinedStr(values) | ExprKind::TemplateStr(values) => self.visit_exprs(values)?,
            ExprKind::Constant(_) => {}
            ExprKind::Attribute { value, .. } => self.visit_expr(value)?,
            ExprKind::Subscript { value, slice, .. } => {
                self.visit_expr(value)?;
                self.visit_expr(slice)?;
            }
            ExprKind::Starred { value, .. } => self.visit_expr(value)?,
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper, step].into_iter().flatten() {
                    self.visit_expr(part)?;
                }
            }
            ExprKind::Name { .. } if self.cur().in_unevaluated_annotation => {}
            ExprKind::Name { id, ctx } => {
                let flag = if *ctx == ExprContext::Load { USE } else { DEF_LOCAL };
                self.add_def(id, flag, e.range)?;
                if *ctx == ExprContext::Load && self.cur().is_function_like() && id == "super" {
                    self.add_def("__class__", USE, e.range)?;
                }
            }
            ExprKind::List { elts, .. } | ExprKind::Tuple { elts, .. } => self.visit_exprs(elts)?,
        }
        Ok(())
    }

    fn handle_namedexpr(&mut self, e: &Expr, target: &Expr, value: &Expr) -> CompileResult<()> {
        if self.cur().comp_iter_expr > 0 {
            return Err(error("assignment expression cannot be used in a comprehension iterable expression", e.range));
        }
        if self.cur().comprehension.is_some() {
            self.extend_namedexpr_scope(target)?;
        }
        self.visit_expr(value)?;
        self.visit_expr(target)?;
        Ok(())
    }

    /// `symtable_extend_namedexpr_scope`: a walrus target inside a comprehension binds in the
    /// nearest enclosing function or module scope.
    fn extend_namedexpr_scope(&mut self, target: &Expr) -> CompileResult<()> {
        let ExprKind::Name { id, .. } = &target.kind else { return Ok(()) };
        for i in (0..self.stack.len()).rev() {
            let entry = self.stack[i];
            let ste = &self.st.entries[entry];
            if ste.comprehension.is_some() {
                let in_scope = self.lookup_entry(entry, id);
                if in_scope & DEF_COMP_ITER != 0 && in_scope & DEF_LOCAL != 0 {
                    return Err(error(
                        format!("assignment expression cannot rebind comprehension iteration variable '{id}'"),
                        target.range,
                    ));
                }
                continue;
            }
            match ste.kind {
                BlockType::Function => {
                    let in_scope = self.lookup_entry(entry, id);
                    if in_scope & DEF_GLOBAL != 0 {
                        self.add_def(id, DEF_GLOBAL, target.range)?;
                    } else {
                        self.add_def(id, DEF_NONLOCAL, target.range)?;
                    }
                    self.record_directive(id, target.range);
                    return self.add_def_helper(id, DEF_LOCAL, entry, target.range);
                }
                BlockType::Module => {
                    self.add_def(id, DEF_GLOBAL, target.range)?;
                    self.record_directive(id, target.range);
                    return self.add_def_helper(id, DEF_GLOBAL, entry, target.range);
                }
                BlockType::Class => {
                    return Err(error(
                        "assignment expression within a comprehension cannot be used in a class body",
                        target.range,
                    ))
                }
                BlockType::TypeParameters => {
                    return Err(error(
                        "assignment expression within a comprehension cannot be used within the definition of a generic",
                        target.range,
                    ))
                }
                BlockType::TypeAlias => {
                    return Err(error(
                        "assignment expression within a comprehension cannot be used in a type alias",
                        target.range,
                    ))
                }
                BlockType::TypeVariable => {
                    return Err(error(
                        "assignment expression within a comprehension cannot be used in a TypeVar bound",
                        target.range,
                    ))
                }
                BlockType::Annotation => {}
            }
        }
        Ok(())
    }

    fn visit_comprehension(&mut self, c: &ast::Comprehension) -> CompileResult<()> {
        self.cur_mut().comp_iter_target = true;
        self.visit_expr(&c.target)?;
        self.cur_mut().comp_iter_target = false;
        self.cur_mut().comp_iter_expr += 1;
        self.visit_expr(&c.iter)?;
        self.cur_mut().comp_iter_expr -= 1;
        self.visit_exprs(&c.ifs)?;
        if c.is_async {
            self.cur_mut().coroutine = true;
        }
        Ok(())
    }

    fn handle_comprehension(
        &mut self,
        e: &Expr,
        scope_name: &str,
        kind: ComprehensionKind,
        generators: &[ast::Comprehension],
        elt: &Expr,
        value: Option<&Expr>,
    ) -> CompileResult<()> {
        let is_generator = kind == ComprehensionKind::Generator;
        let Some(outermost) = generators.first() else { return Ok(()) };
        self.cur_mut().comp_iter_expr += 1;
        self.visit_expr(&outermost.iter)?;
        self.cur_mut().comp_iter_expr -= 1;
        self.enter_block(scope_name, BlockType::Function, ScopeKey::node(e.range), e.range);
        self.cur_mut().comprehension = Some(kind);
        if outermost.is_async {
            self.cur_mut().coroutine = true;
        }
        let range = self.cur().range;
        self.add_def(".0", DEF_PARAM, range)?;
        self.cur_mut().comp_iter_target = true;
        self.visit_expr(&outermost.target)?;
        self.cur_mut().comp_iter_target = false;
        self.visit_exprs(&outermost.ifs)?;
        for g in &generators[1..] {
            self.visit_comprehension(g)?;
        }
        if let Some(v) = value {
            self.visit_expr(v)?;
        }
        self.visit_expr(elt)?;
        self.cur_mut().generator = is_generator;
        let is_async = self.cur().coroutine && !is_generator;
        self.exit_block();
        if is_async {
            self.cur_mut().coroutine = true;
        }
        let _ = self.version;
        Ok(())
    }
}
