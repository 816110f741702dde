//! Code generation (CPython `Python/compile.c`, `compiler_*`/`codegen_*` functions): walks the
//! folded syntax tree and emits an instruction sequence per code unit, then hands each unit to
//! the flowgraph and the assembler. This module holds the compiler state and the shared helpers;
//! the visitors live in the submodules, split by AST family.

mod annotations;
mod call;
mod comprehension;
mod exceptions;
mod expr;
mod fstring311;
mod function;
mod pattern;
mod reuse;
mod stmt;
mod template;

use crate::assemble;
use crate::consts::{self, ConstKey};
use crate::error::{CompileError, CompileResult, CompileWarning, WarningCategory};
use crate::flowgraph;
use crate::instr_seq::{InstrSequence, Label, Location, NEXT_LOCATION, NO_LABEL, NO_LOCATION};
use crate::opcodes;
use crate::symtable::{self, BlockType, Scope, ScopeId, ScopeKey, SymbolTable};
use crate::SourceMap;
use crate::{IndexMap, IndexSet};
use pyxray_bytecode::opcode::Op;
use pyxray_bytecode::{CodeObject, ConstValue, PythonVersion};
use pyxray_syntax::ast::{self, ExprContext, TextRange};
use std::sync::Arc;

pub use exceptions::{FBlockInfo, FBlockType};

/// `COMPILER_SCOPE_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeType {
    Module,
    Class,
    Function,
    AsyncFunction,
    Lambda,
    Comprehension,
    TypeParams,
}

/// `_PyCompile_CodeUnitMetadata`.
#[derive(Clone, Debug, Default)]
pub struct CodeUnitMetadata {
    pub name: String,
    pub qualname: String,
    pub consts: IndexMap<ConstKey, ConstValue>,
    pub names: IndexSet<String>,
    pub varnames: IndexSet<String>,
    pub cellvars: IndexSet<String>,
    pub freevars: IndexSet<String>,
    /// Names temporarily made fast locals by an inlined comprehension (true while inside it).
    pub fasthidden: IndexMap<String, bool>,
    pub argcount: u32,
    pub posonlyargcount: u32,
    pub kwonlyargcount: u32,
    pub firstlineno: i32,
    /// The node this unit compiles, when it has one of its own (see `CodeObject::source`).
    pub source: Option<TextRange>,
    /// `ste_has_docstring` of a function (3.14 flags it with `CO_HAS_DOCSTRING`).
    pub has_docstring: bool,
}

/// `struct compiler_unit`: the state of one code object being generated.
pub struct CompilerUnit {
    pub ste: ScopeId,
    pub scope_type: ScopeType,
    pub private: Option<String>,
    pub static_attributes: Option<std::collections::BTreeSet<String>>,
    pub instr: InstrSequence,
    pub fblocks: Vec<FBlockInfo>,
    pub in_inlined_comp: i32,
    pub md: CodeUnitMetadata,
    /// 3.14: annotated assignments compiled into `__annotate__` at the end of the body.
    pub deferred_annotations: Vec<annotations::DeferredAnnotation>,
    pub next_conditional_annotation_index: i32,
    pub in_conditional_block: i32,
    /// 3.11's current location (`u_lineno`, `u_col_offset`, `u_end_lineno`,
    /// `u_end_col_offset`): 3.11 emits every instruction there, and `SET_LOC`/`UNSET_LOC` move it.
    pub cur_loc: Location,
}

/// `struct compiler`.
pub struct Compiler<'a> {
    pub version: PythonVersion,
    pub st: SymbolTable,
    pub src: &'a SourceMap<'a>,
    pub filename: String,
    pub future_annotations: bool,
    /// Location of the last `from __future__ import` (for the "must occur at the beginning" check).
    pub future_location: Location,
    pub units: Vec<CompilerUnit>,
    pub warnings: Vec<CompileWarning>,
    pub nestlevel: i32,
    pub interactive: bool,
    /// The previous compile's top-level units, when it was made with the same settings.
    pub previous_units: Option<&'a crate::reuse::UnitCache>,
    /// This compile's top-level units, for the next one.
    pub unit_cache: crate::reuse::UnitCache,
    /// Whether to record this compile's top-level units in `unit_cache` (not for one-shot
    /// compiles, which have no next compile to serve).
    pub record_units: bool,
    /// 3.11: the run of concatenated strings the f-string being compiled was written as.
    pub fstring_range: TextRange,
}

/// `CO_MAXBLOCKS`: how many blocks (loops, `try`, `with`, …) may nest in one function.
pub fn max_blocks(version: PythonVersion) -> usize {
    if version >= PythonVersion::V3_12 {
        21
    } else {
        20
    }
}

pub const STACK_USE_GUIDELINE: usize = 30;

// MAKE_FUNCTION / SET_FUNCTION_ATTRIBUTE flags.
pub const MAKE_FUNCTION_DEFAULTS: u32 = 0x01;
pub const MAKE_FUNCTION_KWDEFAULTS: u32 = 0x02;
pub const MAKE_FUNCTION_ANNOTATIONS: u32 = 0x04;
pub const MAKE_FUNCTION_CLOSURE: u32 = 0x08;

// RESUME opargs.
pub const RESUME_AT_FUNC_START: i32 = 0;
pub const RESUME_AFTER_YIELD: i32 = 1;
pub const RESUME_AFTER_YIELD_FROM: i32 = 2;
pub const RESUME_AFTER_AWAIT: i32 = 3;

// CALL_INTRINSIC_1 / _2 operands.
pub const INTRINSIC_PRINT: i32 = 1;
pub const INTRINSIC_IMPORT_STAR: i32 = 2;
pub const INTRINSIC_STOPITERATION_ERROR: i32 = 3;
pub const INTRINSIC_ASYNC_GEN_WRAP: i32 = 4;
pub const INTRINSIC_UNARY_POSITIVE: i32 = 5;
pub const INTRINSIC_LIST_TO_TUPLE: i32 = 6;
pub const INTRINSIC_TYPEVAR: i32 = 7;
pub const INTRINSIC_PARAMSPEC: i32 = 8;
pub const INTRINSIC_TYPEVARTUPLE: i32 = 9;
pub const INTRINSIC_SUBSCRIPT_GENERIC: i32 = 10;
pub const INTRINSIC_TYPEALIAS: i32 = 11;
pub const INTRINSIC_PREP_RERAISE_STAR: i32 = 1;
pub const INTRINSIC_TYPEVAR_WITH_BOUND: i32 = 2;
pub const INTRINSIC_TYPEVAR_WITH_CONSTRAINTS: i32 = 3;
pub const INTRINSIC_SET_FUNCTION_TYPE_PARAMS: i32 = 4;

/// Which per-unit table a name goes into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameTable {
    Names,
    Varnames,
    Cellvars,
    Freevars,
}

impl<'a> Compiler<'a> {
    pub fn new(st: SymbolTable, src: &'a SourceMap<'a>, version: PythonVersion, future_annotations: bool) -> Self {
        Compiler {
            version,
            st,
            src,
            filename: src.filename.to_string(),
            future_annotations,
            future_location: NO_LOCATION,
            units: Vec::new(),
            warnings: Vec::new(),
            nestlevel: 0,
            interactive: false,
            previous_units: None,
            unit_cache: crate::reuse::UnitCache::default(),
            record_units: true,
            fstring_range: TextRange::default(),
        }
    }

    pub fn u(&self) -> &CompilerUnit {
        self.units.last().expect("compiler unit")
    }

    pub fn u_mut(&mut self) -> &mut CompilerUnit {
        self.units.last_mut().expect("compiler unit")
    }

    pub fn ste(&self) -> &symtable::SymbolTableEntry {
        self.st.entry(self.u().ste)
    }

    pub fn seq(&mut self) -> &mut InstrSequence {
        &mut self.u_mut().instr
    }

    /// `LOC(node)`.
    pub fn loc(&self, range: TextRange) -> Location {
        self.src.location(range)
    }

    /// `compiler_error`: 3.11 reports it at its current location, 3.12+ at `loc_range`.
    pub fn error<T>(&self, loc_range: TextRange, message: impl Into<String>) -> CompileResult<T> {
        let mut range = loc_range;
        if self.version == PythonVersion::V3_11 {
            if let Some(at) = self.units.last().and_then(|u| self.src.range_at(u.cur_loc)) {
                range = at;
            }
        }
        Err(CompileError::syntax(message, range))
    }

    /// `compiler_warn`: records a SyntaxWarning attributed to the node's first line.
    pub fn warn(&mut self, range: TextRange, message: impl Into<String>) {
        // 3.14 (`c_disable_warning`): the copy of a `finally` body on the exception path
        // does not warn again.
        if self.version >= PythonVersion::V3_14
            && self.units.iter().any(|u| u.fblocks.iter().any(|f| f.fb_type == FBlockType::FinallyEnd))
        {
            return;
        }
        let lineno = self.loc(range).lineno.max(0) as u32;
        self.warnings.push(CompileWarning {
            category: WarningCategory::SyntaxWarning,
            message: message.into(),
            range,
            lineno,
        });
    }

    // ---- instruction emission -------------------------------------------------------------

    pub fn new_label(&mut self) -> Label {
        self.seq().new_label()
    }

    pub fn use_label(&mut self, label: Label) {
        self.seq().use_label(label);
    }

    /// Where an instruction goes: `loc` from 3.12 on. 3.11 puts every instruction at the unit's
    /// current location, except the artificial ones (`ADDOP_NOLINE`, `loc` is `NO_LOCATION`).
    fn at(&self, loc: Location) -> Location {
        if self.version == PythonVersion::V3_11 && loc != NO_LOCATION {
            self.u().cur_loc
        } else {
            loc
        }
    }

    /// 3.11 `SET_LOC(c, x)` (or `UNSET_LOC(c)` with `NO_LOCATION`): moves the current location.
    pub fn set_loc(&mut self, loc: Location) {
        if self.version == PythonVersion::V3_11 {
            self.u_mut().cur_loc = loc;
        }
    }

    /// 3.11's current location (see [`CompilerUnit::cur_loc`]).
    pub fn cur_loc(&self) -> Location {
        self.u().cur_loc
    }

    /// `loc`, or in 3.11 its current location: for an instruction 3.12 made artificial that
    /// 3.11 still emitted with `ADDOP`.
    pub fn cur_or(&self, loc: Location) -> Location {
        if self.version == PythonVersion::V3_11 {
            self.u().cur_loc
        } else {
            loc
        }
    }

    pub fn addop(&mut self, op: Op, loc: Location) {
        let loc = self.at(loc);
        self.seq().addop(op, 0, loc);
    }

    pub fn addop_i(&mut self, op: Op, oparg: i32, loc: Location) {
        let loc = self.at(loc);
        if op == Op::CALL && self.version == PythonVersion::V3_11 {
            // 3.11 prepares every call with a `PRECALL` of the same count.
            self.seq().addop(Op::PRECALL, oparg, loc);
        }
        self.seq().addop(op, oparg, loc);
    }

    /// `CALL_INTRINSIC_1 which` from 3.12; 3.11 has an instruction of its own for each of them.
    pub fn addop_intrinsic_1(&mut self, which: i32, loc: Location) {
        if self.version >= PythonVersion::V3_12 {
            return self.addop_i(Op::CALL_INTRINSIC_1, which, loc);
        }
        let op = match which {
            INTRINSIC_PRINT => Op::PRINT_EXPR,
            INTRINSIC_IMPORT_STAR => Op::IMPORT_STAR,
            INTRINSIC_ASYNC_GEN_WRAP => Op::ASYNC_GEN_WRAP,
            INTRINSIC_UNARY_POSITIVE => Op::UNARY_POSITIVE,
            INTRINSIC_LIST_TO_TUPLE => Op::LIST_TO_TUPLE,
            _ => unreachable!("3.11 has no intrinsic {which}"),
        };
        self.addop(op, loc);
    }

    /// `TO_BOOL` before a truth test: 3.13+ only (3.12 jumps test truth themselves).
    pub fn addop_to_bool(&mut self, loc: Location) {
        if self.version >= PythonVersion::V3_13 {
            self.addop(Op::TO_BOOL, loc);
        }
    }

    /// The jump codegen uses to leave handlers and conditional chains: `JUMP_NO_INTERRUPT`
    /// from 3.13, a plain `JUMP` in 3.12 (whose only uninterruptible jump closes `yield from`).
    pub fn jump_no_interrupt(&self) -> Op {
        if self.version >= PythonVersion::V3_13 {
            Op::JUMP_NO_INTERRUPT
        } else {
            Op::JUMP
        }
    }

    pub fn addop_j(&mut self, op: Op, target: Label, loc: Location) {
        debug_assert!(target.is_label());
        let loc = self.at(loc);
        self.seq().addop(op, target.0, loc);
    }

    /// `compiler_add_const`: index of `value` in this unit's constants (merged by key).
    pub fn add_const(&mut self, value: ConstValue) -> i32 {
        let key = consts::key_of(&value);
        let consts = &mut self.u_mut().md.consts;
        match consts.get_index_of(&key) {
            Some(i) => i as i32,
            None => {
                consts.insert(key, value);
                (consts.len() - 1) as i32
            }
        }
    }

    pub fn addop_load_const(&mut self, value: ConstValue, loc: Location) {
        let arg = self.add_const(value);
        self.addop_i(Op::LOAD_CONST, arg, loc);
    }

    pub fn load_const_ast(&mut self, c: &ast::Constant, loc: Location) {
        self.addop_load_const(consts::from_ast(c), loc);
    }

    fn table(&mut self, table: NameTable) -> &mut IndexSet<String> {
        let md = &mut self.u_mut().md;
        match table {
            NameTable::Names => &mut md.names,
            NameTable::Varnames => &mut md.varnames,
            NameTable::Cellvars => &mut md.cellvars,
            NameTable::Freevars => &mut md.freevars,
        }
    }

    /// `dict_add_o`. Free variables are numbered after the cell variables, as CPython's
    /// `u_freevars` dict starts at `len(u_cellvars)`.
    pub fn dict_add(&mut self, table: NameTable, name: &str) -> i32 {
        let base = if table == NameTable::Freevars { self.u().md.cellvars.len() as i32 } else { 0 };
        let t = self.table(table);
        let index = match t.get_index_of(name) {
            Some(i) => i as i32,
            None => {
                t.insert(name.to_string());
                (t.len() - 1) as i32
            }
        };
        base + index
    }

    /// `compiler_addop_o` (no mangling).
    pub fn addop_o(&mut self, op: Op, table: NameTable, name: &str, loc: Location) {
        let arg = self.dict_add(table, name);
        self.addop_i(op, arg, loc);
    }

    /// `_Py_MaybeMangle`; borrowed when the name stays as it is (nearly always).
    pub fn mangle<'n>(&self, name: &'n str) -> std::borrow::Cow<'n, str> {
        let u = self.u();
        self.st.maybe_mangle(u.private.as_deref(), u.ste, name)
    }

    /// `compiler_addop_name`: mangles, adds to the table, and encodes the LOAD_ATTR/LOAD_SUPER_ATTR
    /// low bits of the pseudo-ops.
    pub fn addop_name(&mut self, op: Op, table: NameTable, name: &str, loc: Location) {
        let mangled = self.mangle(name);
        let mut arg = self.dict_add(table, &mangled);
        let mut op = op;
        match op {
            // 3.11 has a real LOAD_METHOD, and LOAD_ATTR without the method bit.
            Op::LOAD_ATTR | Op::LOAD_METHOD if self.version == PythonVersion::V3_11 => {}
            Op::LOAD_ATTR => arg <<= 1,
            Op::LOAD_METHOD => {
                op = Op::LOAD_ATTR;
                arg = (arg << 1) | 1;
            }
            Op::LOAD_SUPER_ATTR => arg = (arg << 2) | 2,
            Op::LOAD_SUPER_METHOD => {
                op = Op::LOAD_SUPER_ATTR;
                arg = (arg << 2) | 3;
            }
            Op::LOAD_ZERO_SUPER_ATTR => {
                op = Op::LOAD_SUPER_ATTR;
                arg <<= 2;
            }
            Op::LOAD_ZERO_SUPER_METHOD => {
                op = Op::LOAD_SUPER_ATTR;
                arg = (arg << 2) | 1;
            }
            _ => {}
        }
        self.addop_i(op, arg, loc);
    }

    // ---- scopes ---------------------------------------------------------------------------

    /// `compiler_enter_scope`.
    pub fn enter_scope(&mut self, name: &str, scope_type: ScopeType, key: ScopeKey, lineno: i32) -> CompileResult<()> {
        let ste_id = self
            .st
            .lookup(key)
            .ok_or_else(|| CompileError::system(format!("unknown symbol table entry for {name}")))?;
        let ste = self.st.entry(ste_id);
        let source = (key.tag == ScopeKey::TAG_NODE).then(|| TextRange::new(key.start, key.end));
        let mut md = CodeUnitMetadata { name: name.to_string(), firstlineno: lineno, source, ..Default::default() };
        for v in &ste.varnames {
            md.varnames.insert(v.clone());
        }
        // dictbytype(symbols, CELL, DEF_COMP_CELL): sorted names.
        let mut cells: Vec<&String> = ste
            .symbols
            .iter()
            .filter(|(_, &f)| Scope::from_flags(f) == Some(Scope::Cell) || f & symtable::DEF_COMP_CELL != 0)
            .map(|(k, _)| k)
            .collect();
        cells.sort();
        for c in cells {
            md.cellvars.insert(c.clone());
        }
        if ste.needs_class_closure {
            md.cellvars.insert("__class__".to_string());
        }
        if ste.needs_classdict {
            md.cellvars.insert("__classdict__".to_string());
        }
        if ste.has_conditional_annotations {
            md.cellvars.insert("__conditional_annotations__".to_string());
        }
        let mut frees: Vec<&String> = ste
            .symbols
            .iter()
            .filter(|(_, &f)| Scope::from_flags(f) == Some(Scope::Free) || f & symtable::DEF_FREE_CLASS != 0)
            .map(|(k, _)| k)
            .collect();
        frees.sort();
        for f in frees {
            md.freevars.insert(f.clone());
        }
        let private = self.units.last().and_then(|u| u.private.clone());
        let unit = CompilerUnit {
            ste: ste_id,
            scope_type,
            private,
            static_attributes: (scope_type == ScopeType::Class).then(Default::default),
            instr: InstrSequence::default(),
            fblocks: Vec::new(),
            in_inlined_comp: 0,
            md,
            deferred_annotations: Vec::new(),
            next_conditional_annotation_index: 0,
            in_conditional_block: 0,
            cur_loc: Location::new(lineno, lineno, 0, 0),
        };
        self.units.push(unit);
        self.nestlevel += 1;
        let mut loc = Location::new(lineno, lineno, 0, 0);
        if scope_type == ScopeType::Module {
            loc.lineno = 0;
        } else {
            self.set_qualname();
        }
        self.set_loc(loc);
        self.addop_i(Op::RESUME, RESUME_AT_FUNC_START, loc);
        // (`compiler_mod` then moves the module's current location to line 1.)
        self.set_loc(Location::new(lineno, lineno, 0, 0));
        Ok(())
    }

    /// `compiler_exit_scope`.
    pub fn exit_scope(&mut self) -> CompilerUnit {
        self.nestlevel -= 1;
        self.units.pop().expect("compiler unit")
    }

    /// `compiler_set_qualname`.
    fn set_qualname(&mut self) {
        let n = self.units.len();
        let u = &self.units[n - 1];
        let mut base: Option<String> = None;
        // CPython's c_stack holds the enclosing units, without the module's own entry count.
        let stack_size = n - 1;
        if stack_size > 1 {
            let mut parent = &self.units[n - 2];
            if parent.scope_type == ScopeType::TypeParams {
                if stack_size == 2 {
                    let name = u.md.name.clone();
                    self.units[n - 1].md.qualname = name;
                    return;
                }
                parent = &self.units[n - 3];
            }
            let mut force_global = false;
            if matches!(u.scope_type, ScopeType::Function | ScopeType::AsyncFunction | ScopeType::Class) {
                let mangled = symtable::mangle(parent.private.as_deref(), &u.md.name);
                if self.st.entry(parent.ste).scope(&mangled) == Some(Scope::GlobalExplicit) {
                    force_global = true;
                }
            }
            if !force_global {
                if matches!(parent.scope_type, ScopeType::Function | ScopeType::AsyncFunction | ScopeType::Lambda) {
                    base = Some(format!("{}.<locals>", parent.md.qualname));
                } else {
                    base = Some(parent.md.qualname.clone());
                }
            }
        }
        let qualname = match base {
            Some(b) => format!("{b}.{}", u.md.name),
            None => u.md.name.clone(),
        };
        self.units[n - 1].md.qualname = qualname;
    }

    /// `get_ref_type`.
    pub fn get_ref_type(&self, name: &str) -> Option<Scope> {
        if self.u().scope_type == ScopeType::Class && (name == "__class__" || name == "__classdict__") {
            return Some(Scope::Cell);
        }
        if self.u().scope_type == ScopeType::Class && name == "__conditional_annotations__" && self.version >= PythonVersion::V3_14 {
            return Some(Scope::Cell);
        }
        self.ste().scope(name)
    }

    // ---- names ----------------------------------------------------------------------------

    /// `forbidden_name`.
    pub fn check_forbidden(&self, range: TextRange, name: &str, ctx: ExprContext) -> CompileResult<()> {
        if name == "__debug__" {
            match ctx {
                ExprContext::Store => return self.error(range, "cannot assign to __debug__"),
                ExprContext::Del => return self.error(range, "cannot delete __debug__"),
                ExprContext::Load => {}
            }
        }
        Ok(())
    }

    /// `compiler_nameop`: picks the FAST/GLOBAL/DEREF/NAME family from the symbol's scope.
    pub fn nameop(&mut self, range: TextRange, loc: Location, name: &str, ctx: ExprContext) -> CompileResult<()> {
        self.check_forbidden(range, name, ctx)?;
        let mangled = self.mangle(name);
        let scope = self.ste().scope(&mangled);
        #[derive(PartialEq)]
        enum OpType {
            Fast,
            Global,
            Deref,
            Name,
        }
        let mut table = NameTable::Names;
        let optype = match scope {
            Some(Scope::Free) => {
                table = NameTable::Freevars;
                OpType::Deref
            }
            Some(Scope::Cell) => {
                table = NameTable::Cellvars;
                OpType::Deref
            }
            Some(Scope::Local) => {
                if self.ste().is_function_like() || self.u().md.fasthidden.get(&*mangled) == Some(&true) {
                    OpType::Fast
                } else {
                    OpType::Name
                }
            }
            Some(Scope::GlobalImplicit) => {
                if self.ste().is_function_like() {
                    OpType::Global
                } else {
                    OpType::Name
                }
            }
            Some(Scope::GlobalExplicit) => OpType::Global,
            None => OpType::Name,
        };
        let op = match optype {
            OpType::Deref => match ctx {
                ExprContext::Load => {
                    if self.ste().kind == BlockType::Class && self.version == PythonVersion::V3_11 {
                        Op::LOAD_CLASSDEREF
                    } else if self.ste().kind == BlockType::Class && self.u().in_inlined_comp == 0 {
                        self.addop(Op::LOAD_LOCALS, loc);
                        Op::LOAD_FROM_DICT_OR_DEREF
                    } else if self.ste().can_see_class_scope {
                        self.addop_o(Op::LOAD_DEREF, NameTable::Freevars, "__classdict__", loc);
                        Op::LOAD_FROM_DICT_OR_DEREF
                    } else {
                        Op::LOAD_DEREF
                    }
                }
                ExprContext::Store => Op::STORE_DEREF,
                ExprContext::Del => Op::DELETE_DEREF,
            },
            OpType::Fast => {
                let op = match ctx {
                    ExprContext::Load => Op::LOAD_FAST,
                    ExprContext::Store => Op::STORE_FAST,
                    ExprContext::Del => Op::DELETE_FAST,
                };
                self.addop_o(op, NameTable::Varnames, &mangled, loc);
                return Ok(());
            }
            OpType::Global => match ctx {
                ExprContext::Load => {
                    if self.ste().can_see_class_scope && scope == Some(Scope::GlobalImplicit) {
                        self.addop_o(Op::LOAD_DEREF, NameTable::Freevars, "__classdict__", loc);
                        Op::LOAD_FROM_DICT_OR_GLOBALS
                    } else {
                        Op::LOAD_GLOBAL
                    }
                }
                ExprContext::Store => Op::STORE_GLOBAL,
                ExprContext::Del => Op::DELETE_GLOBAL,
            },
            OpType::Name => match ctx {
                ExprContext::Load => {
                    if self.ste().kind == BlockType::Class && self.u().in_inlined_comp > 0 {
                        Op::LOAD_GLOBAL
                    } else {
                        Op::LOAD_NAME
                    }
                }
                ExprContext::Store => Op::STORE_NAME,
                ExprContext::Del => Op::DELETE_NAME,
            },
        };
        let mut arg = self.dict_add(table, &mangled);
        if op == Op::LOAD_GLOBAL {
            arg <<= 1;
        }
        self.addop_i(op, arg, loc);
        Ok(())
    }

    // ---- code objects ---------------------------------------------------------------------

    /// `compute_code_flags`.
    fn compute_code_flags(&self) -> u32 {
        use pyxray_bytecode::code::flags::*;
        let ste = self.ste();
        let mut flags = 0;
        if ste.is_function_like() {
            flags |= CO_NEWLOCALS | CO_OPTIMIZED;
            if ste.nested {
                flags |= CO_NESTED;
            }
            if ste.generator && !ste.coroutine {
                flags |= CO_GENERATOR;
            }
            if !ste.generator && ste.coroutine {
                flags |= CO_COROUTINE;
            }
            if ste.generator && ste.coroutine {
                flags |= CO_ASYNC_GENERATOR;
            }
            if ste.varargs {
                flags |= CO_VARARGS;
            }
            if ste.varkeywords {
                flags |= CO_VARKEYWORDS;
            }
            if self.version >= PythonVersion::V3_14 {
                if self.u().md.has_docstring {
                    flags |= CO_HAS_DOCSTRING;
                }
                // `ste_method`: a function defined directly in a class body.
                let n = self.units.len();
                if ste.kind == BlockType::Function && n >= 2 && self.units[n - 2].scope_type == ScopeType::Class {
                    flags |= CO_METHOD;
                }
            }
        }
        if self.future_annotations {
            flags |= CO_FUTURE_ANNOTATIONS;
        }
        flags
    }

    /// `optimize_and_assemble`: finishes the current unit (which the caller then exits).
    pub fn optimize_and_assemble(&mut self, add_none: bool) -> CompileResult<Arc<CodeObject>> {
        let code_flags = self.compute_code_flags();
        // 3.11 adds the implicit return only when the current block does not end in one.
        let returns = self.version == PythonVersion::V3_11 && self.seq().ends_in_return();
        if !returns {
            if add_none {
                self.addop_load_const(ConstValue::None, NO_LOCATION);
            }
            self.addop(Op::RETURN_VALUE, NO_LOCATION);
        }
        let nparams = self.ste().varnames.len();
        let version = self.version;
        let filename = self.filename.clone();
        let u = self.units.last_mut().expect("compiler unit");
        let mut seq = std::mem::take(&mut u.instr);
        seq.apply_label_map(opcodes::has_target);
        let consts: Vec<ConstValue> = u.md.consts.values().cloned().collect();
        let optimized = flowgraph::optimize_code_unit(&seq, consts, &u.md, nparams, code_flags, version)?;
        let code = assemble::make_code_object(&u.md, optimized, code_flags, &filename, version)?;
        Ok(Arc::new(code))
    }

    /// `compiler_make_closure`: loads the code object (and its closure cells) and makes the
    /// function, attaching the attributes in `flags`.
    pub fn make_closure(&mut self, loc: Location, co: Arc<CodeObject>, mut flags: u32) -> CompileResult<()> {
        let frees: Vec<String> = co.freevars().iter().map(|s| s.to_string()).collect();
        if !frees.is_empty() {
            for name in &frees {
                let reftype = self.get_ref_type(name);
                let md = &self.u().md;
                let arg = if reftype == Some(Scope::Cell) {
                    md.cellvars.get_index_of(name.as_str())
                } else {
                    md.freevars.get_index_of(name.as_str()).map(|i| i + md.cellvars.len())
                };
                let Some(arg) = arg else {
                    return Err(CompileError::system(format!(
                        "compiler_lookup_arg(name='{name}') failed in {}",
                        self.u().md.name
                    )));
                };
                self.addop_i(Op::LOAD_CLOSURE, arg as i32, loc);
            }
            flags |= MAKE_FUNCTION_CLOSURE;
            self.addop_i(Op::BUILD_TUPLE, frees.len() as i32, loc);
        }
        self.addop_load_const(ConstValue::Code(co), loc);
        if self.version >= PythonVersion::V3_13 {
            self.addop(Op::MAKE_FUNCTION, loc);
            for flag in [
                MAKE_FUNCTION_CLOSURE,
                MAKE_FUNCTION_ANNOTATIONS,
                annotations::MAKE_FUNCTION_ANNOTATE,
                MAKE_FUNCTION_KWDEFAULTS,
                MAKE_FUNCTION_DEFAULTS,
            ] {
                if flags & flag != 0 {
                    self.addop_i(Op::SET_FUNCTION_ATTRIBUTE, flag as i32, loc);
                }
            }
        } else {
            self.addop_i(Op::MAKE_FUNCTION, flags as i32, loc);
        }
        Ok(())
    }

    /// The module entry point (`compiler_mod`).
    pub fn compile_module(&mut self, module: &ast::Module) -> CompileResult<Arc<CodeObject>> {
        self.enter_scope("<module>", ScopeType::Module, ScopeKey::MODULE, 1)?;
        if self.ste().has_conditional_annotations {
            // `_PyCodegen_Module` (3.14): the set of annotations that have run.
            let loc = module.body.first().map_or(Location::new(1, 1, 0, 0), |s| self.loc(s.range));
            self.addop_i(Op::BUILD_SET, 0, loc);
            self.addop_o(Op::STORE_NAME, NameTable::Names, "__conditional_annotations__", loc);
        }
        let result = self.body(Location::new(1, 1, 0, 0), &module.body, true);
        let code = result.and_then(|_| self.optimize_and_assemble(true));
        self.exit_scope();
        code
    }
}
