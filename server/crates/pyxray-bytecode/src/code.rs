//! The code-object model: everything `dis` and the oracle's JSON read from a CPython code object,
//! plus the constant values a code object holds.

use pyxray_syntax::ast::TextRange;
use pyxray_syntax::PyStr;
use num_bigint::BigInt;
use std::sync::Arc;

/// `co_flags` bits (Include/cpython/code.h).
pub mod flags {
    pub const CO_OPTIMIZED: u32 = 0x0001;
    pub const CO_NEWLOCALS: u32 = 0x0002;
    pub const CO_VARARGS: u32 = 0x0004;
    pub const CO_VARKEYWORDS: u32 = 0x0008;
    pub const CO_NESTED: u32 = 0x0010;
    pub const CO_GENERATOR: u32 = 0x0020;
    pub const CO_NOFREE: u32 = 0x0040;
    pub const CO_COROUTINE: u32 = 0x0080;
    pub const CO_ITERABLE_COROUTINE: u32 = 0x0100;
    pub const CO_ASYNC_GENERATOR: u32 = 0x0200;
    pub const CO_HAS_DOCSTRING: u32 = 0x4000000;
    pub const CO_METHOD: u32 = 0x8000000;
    pub const CO_FUTURE_ANNOTATIONS: u32 = 0x1000000;
}

/// Kinds of entries in `co_localsplusnames` (`co_localspluskinds`).
pub mod kinds {
    pub const CO_FAST_HIDDEN: u8 = 0x10;
    pub const CO_FAST_LOCAL: u8 = 0x20;
    pub const CO_FAST_CELL: u8 = 0x40;
    pub const CO_FAST_FREE: u8 = 0x80;
}

/// A compiled code object, as CPython's `PyCodeObject` exposes it to Python.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeObject {
    pub name: String,
    pub qualname: String,
    pub filename: String,
    pub firstlineno: u32,
    pub argcount: u32,
    pub posonlyargcount: u32,
    pub kwonlyargcount: u32,
    pub stacksize: u32,
    pub flags: u32,
    /// `co_code`: code units (opcode, oparg), including EXTENDED_ARG and CACHE entries.
    pub code: Vec<u8>,
    pub consts: Vec<ConstValue>,
    pub names: Vec<String>,
    /// `co_localsplusnames` with their kinds (`CO_FAST_*` bits).
    pub localsplus: Vec<(String, u8)>,
    pub linetable: Vec<u8>,
    pub exceptiontable: Vec<u8>,
    /// Byte range of the node compiled into this code object (a `def` or `class` statement, a
    /// lambda, a comprehension); `None` for the module and implicit scopes such as type-parameter
    /// and annotation scopes. Not part of CPython's code object.
    pub source: Option<TextRange>,
}

impl CodeObject {
    /// `co_varnames`: the plain locals (parameters first), in localsplus order.
    pub fn varnames(&self) -> Vec<&str> {
        self.localsplus.iter().filter(|(_, k)| k & kinds::CO_FAST_LOCAL != 0).map(|(n, _)| n.as_str()).collect()
    }

    /// `co_cellvars`: variables captured by inner scopes, including parameters that are cells.
    pub fn cellvars(&self) -> Vec<&str> {
        self.localsplus.iter().filter(|(_, k)| k & kinds::CO_FAST_CELL != 0).map(|(n, _)| n.as_str()).collect()
    }

    /// `co_freevars`: variables this code reads from enclosing scopes.
    pub fn freevars(&self) -> Vec<&str> {
        self.localsplus.iter().filter(|(_, k)| k & kinds::CO_FAST_FREE != 0).map(|(n, _)| n.as_str()).collect()
    }

    /// `co_nlocals`.
    pub fn nlocals(&self) -> u32 {
        self.localsplus.iter().filter(|(_, k)| k & kinds::CO_FAST_LOCAL != 0).count() as u32
    }

    /// Nested code objects among the constants, in order.
    pub fn children(&self) -> impl Iterator<Item = &Arc<CodeObject>> {
        self.consts.iter().filter_map(|c| match c {
            ConstValue::Code(code) => Some(code),
            _ => None,
        })
    }

    /// This code object and every nested one, depth-first through `co_consts` (the order `dis`
    /// and the oracle list them).
    pub fn walk(&self) -> Vec<&CodeObject> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(code) = stack.pop() {
            out.push(code);
            let children: Vec<&CodeObject> = code.children().map(|c| c.as_ref()).collect();
            stack.extend(children.into_iter().rev());
        }
        out
    }
}

/// A constant in `co_consts`.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstValue {
    None,
    Bool(bool),
    Ellipsis,
    Int(BigInt),
    Float(f64),
    Complex { re: f64, im: f64 },
    Str(Arc<PyStr>),
    Bytes(Arc<[u8]>),
    Tuple(Arc<[ConstValue]>),
    FrozenSet(Arc<[ConstValue]>),
    /// `slice(start, stop, step)` constants (3.14).
    Slice(Arc<[ConstValue; 3]>),
    Code(Arc<CodeObject>),
}

impl ConstValue {
    /// Python's type name for the value.
    pub fn type_name(&self) -> &'static str {
        match self {
            ConstValue::None => "NoneType",
            ConstValue::Bool(_) => "bool",
            ConstValue::Ellipsis => "ellipsis",
            ConstValue::Int(_) => "int",
            ConstValue::Float(_) => "float",
            ConstValue::Complex { .. } => "complex",
            ConstValue::Str(_) => "str",
            ConstValue::Bytes(_) => "bytes",
            ConstValue::Tuple(_) => "tuple",
            ConstValue::FrozenSet(_) => "frozenset",
            ConstValue::Slice(_) => "slice",
            ConstValue::Code(_) => "code",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            ConstValue::Str(s) => s.as_str(),
            _ => None,
        }
    }
}
