//! Constants as the compiler keys them (`_PyCode_ConstantKey`): equal keys are one object per
//! compilation, so `1`, `1.0` and `True` stay apart while `0x101` and `257` merge. Also the
//! conversion from syntax-tree constants to code-object constants.

use pyxray_syntax::PyStr;
use num_bigint::BigInt;
use pyxray_bytecode::{CodeObject, ConstValue};
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
    Code(CodeKey),
    /// Objects compared by identity (NaNs).
    Unique(u64),
}

/// A code object keyed by the fields `code_richcompare` compares, read from the object itself
/// rather than copied (a module's code objects nest, and each is keyed as it is added).
#[derive(Clone, Debug)]
pub struct CodeKey(Arc<CodeObject>);

impl CodeKey {
    fn scalars(&self) -> (&str, u32, u32, u32, u32, u32, &[u8]) {
        let c = &*self.0;
        (&c.name, c.argcount, c.posonlyargcount, c.kwonlyargcount, c.flags, c.firstlineno, &c.code)
    }

    fn const_keys(&self) -> impl Iterator<Item = ConstKey> + '_ {
        self.0.consts.iter().map(key_of)
    }

    fn localsplus_names(&self) -> impl Iterator<Item = &str> {
        self.0.localsplus.iter().map(|(n, _)| n.as_str())
    }

    fn tables(&self) -> (&[String], &[u8], &[u8]) {
        (&self.0.names, &self.0.linetable, &self.0.exceptiontable)
    }
}

impl PartialEq for CodeKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for CodeKey {}

impl PartialOrd for CodeKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CodeKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.scalars()
            .cmp(&other.scalars())
            .then_with(|| self.const_keys().cmp(other.const_keys()))
            .then_with(|| self.0.names.cmp(&other.0.names))
            .then_with(|| self.localsplus_names().cmp(other.localsplus_names()))
            .then_with(|| self.tables().cmp(&other.tables()))
    }
}

impl std::hash::Hash for CodeKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.scalars().hash(state);
        self.tables().hash(state);
        for name in self.localsplus_names() {
            name.hash(state);
        }
        // Constants are left out: equal keys still hash alike, and keying them would allocate.
        self.0.consts.len().hash(state);
    }
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
        ConstValue::Code(code) => ConstKey::Code(CodeKey(code.clone())),
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
