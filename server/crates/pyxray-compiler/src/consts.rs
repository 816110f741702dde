//! Constants as the compiler keys them (`_PyCode_ConstantKey`): equal keys are one object per
//! compilation, so `1`, `1.0` and `True` stay apart while `0x101` and `257` merge. Also the
//! conversion from syntax-tree constants to code-object constants.

use pyxray_syntax::PyStr;
use num_bigint::BigInt;
use pyxray_bytecode::ConstValue;
use pyxray_syntax::ast::Constant;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConstKey {
    None,
    Ellipsis,
    Bool(bool),
    Int(BigInt),
    /// Float bits; `-0.0` and `0.0` differ, as CPython's key tags them apart.
    Float(u64),
    Complex(u64, u64),
    Str(Arc<PyStr>),
    Bytes(Arc<[u8]>),
    Tuple(Vec<ConstKey>),
    /// Element keys, sorted (frozenset equality ignores order).
    FrozenSet(Vec<ConstKey>),
    Slice(Box<[ConstKey; 3]>),
    /// Code objects compare by value (`code_richcompare`): a body compiled twice (a `while`
    /// test, a `finally` block) yields one constant.
    Code(Box<CodeKey>),
    /// Objects compared by identity (NaNs).
    Unique(u64),
}

/// The fields `code_richcompare` compares.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeKey {
    name: String,
    argcount: u32,
    posonlyargcount: u32,
    kwonlyargcount: u32,
    flags: u32,
    firstlineno: u32,
    code: Vec<u8>,
    consts: Vec<ConstKey>,
    names: Vec<String>,
    localsplusnames: Vec<String>,
    linetable: Vec<u8>,
    exceptiontable: Vec<u8>,
}

static NEXT_UNIQUE: AtomicU64 = AtomicU64::new(1);

pub fn unique_key() -> ConstKey {
    ConstKey::Unique(NEXT_UNIQUE.fetch_add(1, Ordering::Relaxed))
}

fn float_key(f: f64) -> ConstKey {
    if f.is_nan() {
        unique_key()
    } else {
        ConstKey::Float(f.to_bits())
    }
}

/// The key CPython's constant cache would use for `value`.
pub fn key_of(value: &ConstValue) -> ConstKey {
    match value {
        ConstValue::None => ConstKey::None,
        ConstValue::Ellipsis => ConstKey::Ellipsis,
        ConstValue::Bool(b) => ConstKey::Bool(*b),
        ConstValue::Int(i) => ConstKey::Int(i.clone()),
        ConstValue::Float(f) => float_key(*f),
        ConstValue::Complex { re, im } => {
            if re.is_nan() || im.is_nan() {
                unique_key()
            } else {
                ConstKey::Complex(re.to_bits(), im.to_bits())
            }
        }
        ConstValue::Str(s) => ConstKey::Str(s.clone()),
        ConstValue::Bytes(b) => ConstKey::Bytes(b.clone()),
        ConstValue::Tuple(items) => ConstKey::Tuple(items.iter().map(key_of).collect()),
        ConstValue::FrozenSet(items) => {
            let mut keys: Vec<ConstKey> = items.iter().map(key_of).collect();
            keys.sort();
            ConstKey::FrozenSet(keys)
        }
        ConstValue::Slice(parts) => ConstKey::Slice(Box::new([key_of(&parts[0]), key_of(&parts[1]), key_of(&parts[2])])),
        ConstValue::Code(code) => ConstKey::Code(Box::new(CodeKey {
            name: code.name.clone(),
            argcount: code.argcount,
            posonlyargcount: code.posonlyargcount,
            kwonlyargcount: code.kwonlyargcount,
            flags: code.flags,
            firstlineno: code.firstlineno,
            code: code.code.clone(),
            consts: code.consts.iter().map(key_of).collect(),
            names: code.names.clone(),
            localsplusnames: code.localsplus.iter().map(|(n, _)| n.clone()).collect(),
            linetable: code.linetable.clone(),
            exceptiontable: code.exceptiontable.clone(),
        })),
    }
}

/// Converts a syntax-tree constant to a code-object constant.
pub fn from_ast(c: &Constant) -> ConstValue {
    match c {
        Constant::None => ConstValue::None,
        Constant::Bool(b) => ConstValue::Bool(*b),
        Constant::Ellipsis => ConstValue::Ellipsis,
        Constant::Int(i) => ConstValue::Int(i.clone()),
        Constant::Float(f) => ConstValue::Float(*f),
        Constant::Complex { re, im } => ConstValue::Complex { re: *re, im: *im },
        Constant::Str(s) => ConstValue::Str(Arc::new(s.clone())),
        Constant::Bytes(b) => ConstValue::Bytes(Arc::from(b.as_slice())),
        Constant::Tuple(items) => ConstValue::Tuple(items.iter().map(from_ast).collect()),
        Constant::FrozenSet(items) => ConstValue::FrozenSet(items.iter().map(from_ast).collect()),
    }
}

pub fn str_const(s: &str) -> ConstValue {
    ConstValue::Str(Arc::new(PyStr::from(s)))
}

pub fn int_const(i: i64) -> ConstValue {
    ConstValue::Int(BigInt::from(i))
}

/// Python truthiness of a code-object constant.
pub fn is_true(c: &ConstValue) -> bool {
    use num_traits::Zero;
    match c {
        ConstValue::None => false,
        ConstValue::Bool(b) => *b,
        ConstValue::Ellipsis | ConstValue::Code(_) | ConstValue::Slice(_) => true,
        ConstValue::Int(i) => !i.is_zero(),
        ConstValue::Float(f) => *f != 0.0,
        ConstValue::Complex { re, im } => *re != 0.0 || *im != 0.0,
        ConstValue::Str(s) => !s.is_empty(),
        ConstValue::Bytes(b) => !b.is_empty(),
        ConstValue::Tuple(t) | ConstValue::FrozenSet(t) => !t.is_empty(),
    }
}
