//! Lazy annotations (PEP 649/749, CPython 3.14 `codegen.c`): a function's parameter and return
//! annotations and a module's or class's variable annotations are compiled into an
//! `__annotate__(format)` function instead of being evaluated where they appear.

use super::*;
use pyxray_syntax::ast::{Arguments, Expr};

/// `MAKE_FUNCTION_ANNOTATE`: the function's `__annotate__`.
pub const MAKE_FUNCTION_ANNOTATE: u32 = 0x10;
/// `_Py_ANNOTATE_FORMAT_VALUE_WITH_FAKE_GLOBALS`.
const FORMAT_VALUE_WITH_FAKE_GLOBALS: i64 = 2;
/// `CONSTANT_NOTIMPLEMENTEDERROR` of `LOAD_COMMON_CONSTANT`.
const CONSTANT_NOTIMPLEMENTEDERROR: i32 = 1;

/// An annotated assignment of a module or class body, compiled later into `__annotate__`
/// (`u_deferred_annotations` with `u_conditional_annotation_indices`).
#[derive(Clone, Debug)]
pub struct DeferredAnnotation {
    pub name: String,
    pub annotation: Expr,
    pub range: TextRange,
    /// Its index in `__conditional_annotations__`, or -1 when it always runs.
    pub conditional_index: i32,
}

impl Compiler<'_> {
    /// `codegen_setup_annotations_scope`: enters the scope and emits
    /// `if format > VALUE_WITH_FAKE_GLOBALS: raise NotImplementedError`.
    pub(crate) fn setup_annotations_scope(&mut self, loc: Location, key: ScopeKey, name: &str) -> CompileResult<()> {
        self.enter_scope(name, ScopeType::TypeParams, key, loc.lineno)?;
        self.u_mut().md.posonlyargcount = 1;
        self.addop_i(Op::LOAD_FAST, 0, loc);
        self.addop_load_const(consts::int_const(FORMAT_VALUE_WITH_FAKE_GLOBALS), loc);
        // (Py_GT << 5) | COMPARISON_GREATER_THAN
        self.addop_i(Op::COMPARE_OP, (4 << 5) | 4, loc);
        let body = self.new_label();
        self.addop_j(Op::POP_JUMP_IF_FALSE, body, loc);
        self.addop_i(Op::LOAD_COMMON_CONSTANT, CONSTANT_NOTIMPLEMENTEDERROR, loc);
        self.addop_i(Op::RAISE_VARARGS, 1, loc);
        self.use_label(body);
        Ok(())
    }

    /// `codegen_leave_annotations_scope`: returns, assembles (naming the parameter `format`
    /// rather than the symbol table's `.format`) and makes the function.
    pub(crate) fn leave_annotations_scope(&mut self, loc: Location) -> CompileResult<()> {
        self.addop(Op::RETURN_VALUE, loc);
        let co = self.optimize_and_assemble(true);
        self.exit_scope();
        let mut co = co?;
        if let Some(first) = Arc::make_mut(&mut co).localsplus.first_mut() {
            first.0 = "format".to_string();
        }
        self.make_closure(loc, co, 0)
    }

    /// `codegen_function_annotations` (3.14): returns the MAKE_FUNCTION flag to add.
    pub(crate) fn function_annotations_314(
        &mut self,
        s: &ast::Stmt,
        loc: Location,
        args: &Arguments,
        returns: Option<&Expr>,
    ) -> CompileResult<u32> {
        let key = ScopeKey::with_tag(s.range, ScopeKey::TAG_ANNOTATION);
        let Some(ste) = self.st.lookup(key) else { return Ok(0) };
        if !self.st.entry(ste).annotations_used {
            return Ok(0);
        }
        let name = self.st.entry(ste).name.clone();
        self.setup_annotations_scope(loc, key, &name)?;
        let body = (|| -> CompileResult<i32> {
            let mut len = 0;
            let params = args.args.iter().chain(&args.posonlyargs);
            let params = params.chain(args.vararg.as_ref()).chain(&args.kwonlyargs).chain(args.kwarg.as_ref());
            for a in params {
                self.visit_argannotation(&a.arg, a.annotation.as_deref(), &mut len, loc)?;
            }
            self.visit_argannotation("return", returns, &mut len, loc)?;
            Ok(len)
        })();
        match body {
            Ok(len) => self.addop_i(Op::BUILD_MAP, len, loc),
            Err(e) => {
                self.exit_scope();
                return Err(e);
            }
        }
        self.leave_annotations_scope(loc)?;
        Ok(MAKE_FUNCTION_ANNOTATE)
    }

    /// `_PyCompile_AddDeferredAnnotation`: returns the conditional index (-1 when none).
    pub(crate) fn add_deferred_annotation(&mut self, name: &str, annotation: &Expr, range: TextRange) -> i32 {
        let u = self.u_mut();
        let conditional_index = if u.scope_type == ScopeType::Module || u.in_conditional_block > 0 {
            u.next_conditional_annotation_index += 1;
            u.next_conditional_annotation_index - 1
        } else {
            -1
        };
        u.deferred_annotations.push(DeferredAnnotation {
            name: name.to_string(),
            annotation: annotation.clone(),
            range,
            conditional_index,
        });
        conditional_index
    }

    /// `codegen_process_deferred_annotations`: the module's or class's `__annotate__`. A
    /// module's is moved to the start of its code (`ANNOTATIONS_PLACEHOLDER`).
    pub(crate) fn process_deferred_annotations(&mut self, loc: Location) -> CompileResult<()> {
        if self.u().deferred_annotations.is_empty() {
            return Ok(());
        }
        let deferred = std::mem::take(&mut self.u_mut().deferred_annotations);
        let scope_type = self.u().scope_type;
        let start = self.u().instr.len();
        let Some(block) = self.ste().annotation_block else {
            return Err(CompileError::system("annotations without an annotation block"));
        };
        let key = self.st.entry(block).key;
        let name = self.st.entry(block).name.clone();
        self.setup_annotations_scope(loc, key, &name)?;
        if let Err(e) = self.deferred_annotations_body(loc, &deferred, scope_type) {
            self.exit_scope();
            return Err(e);
        }
        self.leave_annotations_scope(loc)?;
        let is_class = self.ste().kind == BlockType::Class;
        let target = if is_class { "__annotate_func__" } else { "__annotate__" };
        self.nameop(TextRange::default(), loc, target, ExprContext::Store)?;
        if scope_type == ScopeType::Module {
            // The placeholder sits right after the module's RESUME.
            let seq = &mut self.u_mut().instr;
            let moved: Vec<_> = seq.instrs.drain(start..).collect();
            seq.insert_all(1, moved);
        }
        Ok(())
    }

    /// `codegen_deferred_annotations_body`.
    fn deferred_annotations_body(&mut self, loc: Location, deferred: &[DeferredAnnotation], scope_type: ScopeType) -> CompileResult<()> {
        self.addop_i(Op::BUILD_MAP, 0, loc);
        for d in deferred {
            let mangled = symtable::mangle(self.u().private.as_deref(), &d.name);
            let sloc = self.loc(d.range);
            let not_set = self.new_label();
            if d.conditional_index != -1 {
                self.addop_load_const(consts::int_const(d.conditional_index as i64), sloc);
                if scope_type == ScopeType::Class {
                    self.addop_name(Op::LOAD_DEREF, NameTable::Freevars, "__conditional_annotations__", sloc);
                } else {
                    self.addop_name(Op::LOAD_GLOBAL, NameTable::Names, "__conditional_annotations__", sloc);
                }
                self.addop_i(Op::CONTAINS_OP, 0, sloc);
                self.addop_j(Op::POP_JUMP_IF_FALSE, not_set, sloc);
            }
            self.visit_expr(&d.annotation)?;
            self.addop_i(Op::COPY, 2, sloc);
            self.addop_load_const(consts::str_const(&mangled), sloc);
            self.addop(Op::STORE_SUBSCR, loc);
            self.use_label(not_set);
        }
        Ok(())
    }
}
