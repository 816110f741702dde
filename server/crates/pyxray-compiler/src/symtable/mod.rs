//! The symbol table (CPython `Python/symtable.c`): one entry per scope (module, class, function,
//! lambda, comprehension, annotation and PEP 695 scopes) with each name's flags and resolved scope.
//! Built in two passes: `visit` collects raw facts, `analyze` decides LOCAL/GLOBAL/FREE/CELL.

mod analyze;
mod visit;

use crate::error::CompileError;
use crate::IndexMap;
use pyxray_bytecode::PythonVersion;
use pyxray_syntax::ast::{self, TextRange};
use rustc_hash::{FxHashMap, FxHashSet};

pub use visit::build;

// Symbol flags (Include/internal/pycore_symtable.h).
pub const DEF_GLOBAL: u32 = 1;
pub const DEF_LOCAL: u32 = 2;
pub const DEF_PARAM: u32 = 2 << 1;
pub const DEF_NONLOCAL: u32 = 2 << 2;
pub const USE: u32 = 2 << 3;
pub const DEF_FREE: u32 = 2 << 4;
pub const DEF_FREE_CLASS: u32 = 2 << 5;
pub const DEF_IMPORT: u32 = 2 << 6;
pub const DEF_ANNOT: u32 = 2 << 7;
pub const DEF_COMP_ITER: u32 = 2 << 8;
pub const DEF_TYPE_PARAM: u32 = 2 << 9;
pub const DEF_COMP_CELL: u32 = 2 << 10;
pub const DEF_BOUND: u32 = DEF_LOCAL | DEF_PARAM | DEF_IMPORT;

pub const SCOPE_OFFSET: u32 = 12;
pub const SCOPE_MASK: u32 = DEF_GLOBAL | DEF_LOCAL | DEF_PARAM | DEF_NONLOCAL;

/// The resolved scope of a name (stored in the flags above `SCOPE_OFFSET`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Local = 1,
    GlobalExplicit = 2,
    GlobalImplicit = 3,
    Free = 4,
    Cell = 5,
}

impl Scope {
    pub fn from_flags(flags: u32) -> Option<Scope> {
        match (flags >> SCOPE_OFFSET) & SCOPE_MASK {
            1 => Some(Scope::Local),
            2 => Some(Scope::GlobalExplicit),
            3 => Some(Scope::GlobalImplicit),
            4 => Some(Scope::Free),
            5 => Some(Scope::Cell),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockType {
    Function,
    Class,
    Module,
    Annotation,
    TypeAlias,
    TypeParameters,
    TypeVariable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComprehensionKind {
    List,
    Set,
    Dict,
    Generator,
}

pub type ScopeId = usize;

/// Identifies the AST node a scope belongs to, independent of where the tree lives in memory
/// (the compiler works on a constant-folded copy; insights on the parsed tree). Ranges are unique
/// per node kind; `tag` tells apart scopes created for the same node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScopeKey {
    pub start: u32,
    pub end: u32,
    pub tag: u8,
}

impl ScopeKey {
    pub const MODULE: ScopeKey = ScopeKey { start: 0, end: 0, tag: 0 };
    pub const TAG_NODE: u8 = 1;
    pub const TAG_TYPE_PARAMS: u8 = 2;
    pub const TAG_BOUND: u8 = 3;
    pub const TAG_DEFAULT: u8 = 4;
    pub const TAG_ANNOTATION: u8 = 5;
    /// 3.14: the `__annotate__` block of a module's, class's or function's own body (a
    /// function's parameter annotations have their own, tagged `TAG_ANNOTATION`).
    pub const TAG_BODY_ANNOTATIONS: u8 = 6;

    pub fn node(range: TextRange) -> ScopeKey {
        ScopeKey { start: range.start, end: range.end, tag: Self::TAG_NODE }
    }

    pub fn with_tag(range: TextRange, tag: u8) -> ScopeKey {
        ScopeKey { start: range.start, end: range.end, tag }
    }

    /// The scope of a `def`/`class`/`type` statement's type parameter list.
    pub fn type_params(params: &[ast::TypeParam]) -> ScopeKey {
        let first = params.first().map_or(TextRange::default(), |p| p.range);
        Self::with_tag(first, Self::TAG_TYPE_PARAMS)
    }
}

/// One scope (`PySTEntryObject`).
#[derive(Clone, Debug)]
pub struct SymbolTableEntry {
    pub name: String,
    pub kind: BlockType,
    pub key: ScopeKey,
    pub range: TextRange,
    /// Name → flags, in order of first appearance.
    pub symbols: IndexMap<String, u32>,
    /// Parameters, in order.
    pub varnames: Vec<String>,
    pub children: Vec<ScopeId>,
    /// `global`/`nonlocal` statements: the name and the statement's range.
    pub directives: Vec<(String, TextRange)>,
    /// Index into `SymbolTable::mangled_sets` (shared with nested scopes, as in CPython).
    pub mangled_names: Option<usize>,
    pub scope_info: Option<&'static str>,
    pub nested: bool,
    pub free: bool,
    pub child_free: bool,
    pub generator: bool,
    pub coroutine: bool,
    pub comprehension: Option<ComprehensionKind>,
    pub varargs: bool,
    pub varkeywords: bool,
    pub returns_value: bool,
    pub needs_class_closure: bool,
    pub needs_classdict: bool,
    pub comp_inlined: bool,
    pub comp_iter_target: bool,
    pub can_see_class_scope: bool,
    pub comp_iter_expr: i32,
    /// 3.14 (PEP 649): the block has annotations (`ste_annotations_used`).
    pub annotations_used: bool,
    /// 3.14: a module/class annotation sits in a conditional block.
    pub has_conditional_annotations: bool,
    pub in_conditional_block: bool,
    pub in_unevaluated_annotation: bool,
    /// 3.14: the `__annotate__` block of a module or class body.
    pub annotation_block: Option<ScopeId>,
    /// 3.14 `ste_method`: a function defined directly in a class body.
    pub method: bool,
}

impl SymbolTableEntry {
    pub fn symbol(&self, name: &str) -> u32 {
        self.symbols.get(name).copied().unwrap_or(0)
    }

    pub fn scope(&self, name: &str) -> Option<Scope> {
        Scope::from_flags(self.symbol(name))
    }

    /// `_PyST_IsFunctionLike` (annotation blocks count from 3.14 on; before, they only exist
    /// under `from __future__ import annotations` and are never compiled).
    pub fn is_function_like(&self) -> bool {
        matches!(
            self.kind,
            BlockType::Function
                | BlockType::TypeVariable
                | BlockType::TypeAlias
                | BlockType::TypeParameters
                | BlockType::Annotation
        )
    }
}

#[derive(Clone, Debug)]
pub struct SymbolTable {
    pub entries: Vec<SymbolTableEntry>,
    pub top: ScopeId,
    pub by_key: FxHashMap<ScopeKey, ScopeId>,
    pub mangled_sets: Vec<FxHashSet<String>>,
    pub version: PythonVersion,
}

impl SymbolTable {
    pub fn lookup(&self, key: ScopeKey) -> Option<ScopeId> {
        self.by_key.get(&key).copied()
    }

    pub fn entry(&self, id: ScopeId) -> &SymbolTableEntry {
        &self.entries[id]
    }

    pub fn entry_mut(&mut self, id: ScopeId) -> &mut SymbolTableEntry {
        &mut self.entries[id]
    }

    /// `_Py_MaybeMangle`: mangles `name` for `private` unless the scope restricts mangling to
    /// its type parameters.
    pub fn maybe_mangle<'a>(&self, private: Option<&str>, scope: ScopeId, name: &'a str) -> std::borrow::Cow<'a, str> {
        if let Some(set) = self.entries[scope].mangled_names {
            if !self.mangled_sets[set].contains(name) {
                return std::borrow::Cow::Borrowed(name);
            }
        }
        mangle(private, name)
    }
}

/// `_Py_Mangle`: `__spam` inside class `Ham` becomes `_Ham__spam`.
pub fn mangle<'a>(private: Option<&str>, name: &'a str) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow;
    let Some(private) = private else { return Cow::Borrowed(name) };
    if !name.starts_with("__") || name.ends_with("__") || name.contains('.') {
        return Cow::Borrowed(name);
    }
    let stripped = private.trim_start_matches('_');
    if stripped.is_empty() {
        return Cow::Borrowed(name);
    }
    Cow::Owned(format!("_{stripped}{name}"))
}

/// Errors from the symbol table are SyntaxErrors with CPython's messages.
pub(crate) fn error(message: impl Into<String>, range: TextRange) -> CompileError {
    CompileError::syntax(message, range)
}
