//! Abstract values: which object a stack slot or variable holds, as far as the bytecode says —
//! a constant of the module, an object CPython caches (small ints, one-character strings, empty
//! containers, singletons), a fresh object made at a known instruction, or unknown — plus what is
//! known of its type and value. Identity (`is`) between two such values is decided here.

use num_bigint::BigInt;
use num_traits::ToPrimitive;
use pyxray_bytecode::ConstValue;
use std::sync::Arc;

/// Objects CPython keeps one of, whoever asks.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cached {
    None,
    True,
    False,
    Ellipsis,
    NotImplemented,
    /// An int in the small-int cache, -5..=256.
    SmallInt(i64),
    /// A one-character str with code point <= 0xFF.
    Char(u32),
    /// A one-byte bytes object.
    Byte(u8),
    EmptyStr,
    EmptyBytes,
    EmptyTuple,
}

/// Which object a value is.
#[derive(Clone, Debug, PartialEq)]
pub enum Obj {
    /// A constant of the compilation unit. Equal constants are one object per unit (the
    /// compiler's constant cache), so the key is the constant's canonical text.
    Const(Arc<str>),
    Cached(Cached),
    /// The object made by the instruction at this offset, the latest time it ran.
    Fresh { site: u32, what: &'static str },
    /// The object made at this site, but maybe by an earlier run of the instruction (a loop).
    FreshSomeRun { site: u32, what: &'static str },
    /// A runtime result that is a new object unless its value is one CPython caches (an int
    /// computed at run time: new, unless it is in -5..=256).
    FreshOrCached { site: u32, what: &'static str },
    /// An object we know nothing about. With a token, every value carrying the same token is
    /// the same object (one parameter, one call's result, copied around).
    Unknown(Option<u32>),
}

/// Tokens of parameters (instruction offsets are far below).
pub const PARAM_TOKEN: u32 = 0x8000_0000;

/// What is known of a value's type (and, for some, its value).
#[derive(Clone, Debug, PartialEq)]
pub enum Known {
    Int(Option<BigInt>),
    Str(Option<String>),
    Bytes(Option<Vec<u8>>),
    Float,
    Complex,
    Bool(Option<bool>),
    Tuple(Option<usize>),
    List,
    Dict,
    Set,
    Function,
    NoneType,
    /// A code-object constant (what `MAKE_FUNCTION` turns into a function).
    Code(CodeRef),
    /// A builtin the module does not rebind, by name.
    Builtin(String),
    /// The NULL CPython pushes below a callable.
    Null,
    /// A method looked up on a value (`LOAD_ATTR` for a call): its name and receiver.
    Method(String, Box<Value>),
    Other,
}

/// A code object, compared by identity (comparing whole code objects at every join is costly).
#[derive(Clone, Debug)]
pub struct CodeRef(pub Arc<pyxray_bytecode::CodeObject>);

impl PartialEq for CodeRef {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// A value on the stack or in a variable.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub obj: Obj,
    pub known: Known,
    /// How the value came about, for reasons: "the constant 257", "the result of `x + 254`".
    pub origin: String,
    /// Whether the object may have been handed to code we cannot see (stored, passed, returned).
    pub escaped: bool,
}

impl Value {
    pub fn unknown(origin: impl Into<String>) -> Value {
        Value { obj: Obj::Unknown(None), known: Known::Other, origin: origin.into(), escaped: true }
    }

    /// An unknown object, but one object: every copy of this value is it.
    pub fn opaque(token: u32, origin: impl Into<String>) -> Value {
        Value { obj: Obj::Unknown(Some(token)), known: Known::Other, origin: origin.into(), escaped: true }
    }

    /// A number, string, bytes or tuple (possibly unknown which): an object whose identity
    /// nobody should rely on. Unknown values count when they may be one.
    pub fn is_value_object(&self) -> bool {
        match &self.known {
            Known::Int(_) | Known::Str(_) | Known::Bytes(_) | Known::Float | Known::Complex | Known::Tuple(_) => {
                !matches!(self.obj, Obj::Cached(Cached::EmptyTuple))
            }
            Known::Other => matches!(self.obj, Obj::Unknown(_)),
            _ => false,
        }
    }

    /// Known to be a number, string, bytes or non-empty tuple.
    pub fn known_value_type(&self) -> bool {
        self.is_value_object() && !matches!(self.known, Known::Other)
    }

    /// Whether this value was made by the instruction at `site` (an earlier run, if asked now).
    pub fn made_at(&self, site: u32) -> bool {
        matches!(self.obj, Obj::Fresh { site: s, .. } | Obj::FreshOrCached { site: s, .. } | Obj::Unknown(Some(s)) if s == site)
    }

    /// The same object as made by an earlier run of its instruction: no longer "the latest".
    pub fn from_earlier_run(&mut self) {
        self.obj = match std::mem::replace(&mut self.obj, Obj::Unknown(None)) {
            Obj::Fresh { site, what } => Obj::FreshSomeRun { site, what },
            Obj::FreshOrCached { .. } | Obj::Unknown(_) => Obj::Unknown(None),
            other => other,
        };
    }

    /// The value of `LOAD_CONST c`.
    pub fn constant(c: &ConstValue, canonical: &str) -> Value {
        let origin = format!("the constant {}", short(canonical));
        let (obj, known) = match c {
            ConstValue::None => (Obj::Cached(Cached::None), Known::NoneType),
            ConstValue::Bool(true) => (Obj::Cached(Cached::True), Known::Bool(Some(true))),
            ConstValue::Bool(false) => (Obj::Cached(Cached::False), Known::Bool(Some(false))),
            ConstValue::Ellipsis => (Obj::Cached(Cached::Ellipsis), Known::Other),
            ConstValue::Int(i) => (int_obj(i).unwrap_or_else(|| Obj::Const(canonical.into())), Known::Int(Some(i.clone()))),
            ConstValue::Str(s) => {
                let text = s.as_str().map(str::to_string);
                let obj = text.as_deref().and_then(str_cached).map_or_else(|| Obj::Const(canonical.into()), Obj::Cached);
                (obj, Known::Str(text))
            }
            ConstValue::Bytes(b) => {
                let obj = bytes_cached(b).map_or_else(|| Obj::Const(canonical.into()), Obj::Cached);
                (obj, Known::Bytes(Some(b.to_vec())))
            }
            ConstValue::Tuple(items) if items.is_empty() => (Obj::Cached(Cached::EmptyTuple), Known::Tuple(Some(0))),
            ConstValue::Tuple(items) => (Obj::Const(canonical.into()), Known::Tuple(Some(items.len()))),
            ConstValue::Float(_) => (Obj::Const(canonical.into()), Known::Float),
            ConstValue::Complex { .. } => (Obj::Const(canonical.into()), Known::Complex),
            ConstValue::Code(code) => (Obj::Const(canonical.into()), Known::Code(CodeRef(code.clone()))),
            _ => (Obj::Const(canonical.into()), Known::Other),
        };
        Value { obj, known, origin, escaped: false }
    }

    /// A new object made at `site`.
    pub fn fresh(site: u32, what: &'static str, known: Known, origin: String) -> Value {
        Value { obj: Obj::Fresh { site, what }, known, origin, escaped: false }
    }

    /// A runtime int with a known value: the cached object if small, else a fresh one.
    pub fn runtime_int(site: u32, value: BigInt, origin: String) -> Value {
        match int_obj(&value) {
            Some(obj) => Value { obj, known: Known::Int(Some(value)), origin, escaped: false },
            None => Value::fresh(site, "int", Known::Int(Some(value)), origin),
        }
    }

    /// A runtime str with a known value: a cached object when CPython has one, else fresh.
    pub fn runtime_str(site: u32, value: String, origin: String) -> Value {
        match str_cached(&value) {
            Some(c) => Value { obj: Obj::Cached(c), known: Known::Str(Some(value)), origin, escaped: false },
            None => Value::fresh(site, "str", Known::Str(Some(value)), origin),
        }
    }

    /// The least precise value covering both (at a control-flow join).
    pub fn join(&self, other: &Value) -> Value {
        if self == other {
            return self.clone();
        }
        let obj = match (&self.obj, &other.obj) {
            (a, b) if a == b => a.clone(),
            (Obj::Fresh { site: s1, what }, Obj::Fresh { site: s2, .. } | Obj::FreshSomeRun { site: s2, .. })
            | (Obj::FreshSomeRun { site: s1, what }, Obj::Fresh { site: s2, .. } | Obj::FreshSomeRun { site: s2, .. })
                if s1 == s2 =>
            {
                Obj::FreshSomeRun { site: *s1, what }
            }
            _ => Obj::Unknown(None),
        };
        let known = if self.known == other.known {
            self.known.clone()
        } else {
            match (&self.known, &other.known) {
                (Known::Int(_), Known::Int(_)) => Known::Int(None),
                (Known::Str(_), Known::Str(_)) => Known::Str(None),
                (Known::Bool(_), Known::Bool(_)) => Known::Bool(None),
                _ => Known::Other,
            }
        };
        let origin = if self.origin == other.origin { self.origin.clone() } else { "a value that depends on the path taken".into() };
        Value { obj, known, origin, escaped: self.escaped || other.escaped }
    }
}

fn int_obj(i: &BigInt) -> Option<Obj> {
    let v = i.to_i64()?;
    (-5..=256).contains(&v).then_some(Obj::Cached(Cached::SmallInt(v)))
}

fn str_cached(s: &str) -> Option<Cached> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Some(Cached::EmptyStr),
        (Some(c), None) if (c as u32) <= 0xFF => Some(Cached::Char(c as u32)),
        _ => None,
    }
}

fn bytes_cached(b: &[u8]) -> Option<Cached> {
    match b {
        [] => Some(Cached::EmptyBytes),
        [one] => Some(Cached::Byte(*one)),
        _ => None,
    }
}

/// A constant's text, shortened for messages.
pub fn short(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(37).collect::<String>())
    }
}

/// The answer to `a is b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prediction {
    True,
    False,
    Depends,
}

impl Prediction {
    pub fn as_str(self) -> &'static str {
        match self {
            Prediction::True => "true",
            Prediction::False => "false",
            Prediction::Depends => "depends",
        }
    }

    /// For `is not`.
    pub fn negate(self) -> Prediction {
        match self {
            Prediction::True => Prediction::False,
            Prediction::False => Prediction::True,
            Prediction::Depends => Prediction::Depends,
        }
    }
}

fn cached_story(c: &Cached) -> String {
    match c {
        Cached::SmallInt(v) => format!("{v} is in CPython's small-int cache (-5 to 256), so every {v} is one object"),
        Cached::Char(_) => "one-character strings up to U+00FF are cached by CPython, so each is one object".into(),
        Cached::Byte(_) => "one-byte bytes objects are cached by CPython".into(),
        Cached::EmptyStr => "the empty string is a singleton".into(),
        Cached::EmptyBytes => "the empty bytes object is a singleton".into(),
        Cached::EmptyTuple => "the empty tuple is a singleton".into(),
        Cached::None | Cached::True | Cached::False | Cached::Ellipsis | Cached::NotImplemented => {
            "None, True, False, Ellipsis and NotImplemented are singletons".into()
        }
    }
}

/// Decides `a is b`, with a one-sentence reason.
pub fn identity(a: &Value, b: &Value) -> (Prediction, String) {
    use Obj::*;
    match (&a.obj, &b.obj) {
        (Cached(x), Cached(y)) if x == y => (Prediction::True, format!("both are the same cached object: {}", cached_story(x))),
        (Cached(_), Cached(_)) => (Prediction::False, format!("{} and {} are different objects", a.origin, b.origin)),
        (Const(x), Const(y)) if x == y => (
            Prediction::True,
            format!(
                "both are {}: the compiler keeps one copy of equal constants per module, so they are the same object",
                a.origin
            ),
        ),
        (Const(_), Const(_)) => (Prediction::False, format!("{} and {} are different constants", a.origin, b.origin)),
        (Const(_), Cached(_)) | (Cached(_), Const(_)) => {
            (Prediction::False, format!("{} and {} are different objects", a.origin, b.origin))
        }
        (Fresh { site: s1, .. }, Fresh { site: s2, .. }) if s1 == s2 => {
            (Prediction::True, format!("both names hold the one object made by {}", a.origin))
        }
        (Fresh { site: s1, .. } | FreshSomeRun { site: s1, .. }, Fresh { site: s2, .. } | FreshSomeRun { site: s2, .. })
            if s1 == s2 =>
        {
            (Prediction::Depends, format!("both come from {}, but maybe from different runs of it", a.origin))
        }
        (Fresh { what, .. } | FreshSomeRun { what, .. }, Fresh { .. } | FreshSomeRun { .. }) => (
            Prediction::False,
            format!("{} and {} each make a new {what} object, so they are two different objects", a.origin, b.origin),
        ),
        (Fresh { what, .. } | FreshSomeRun { what, .. }, other) | (other, Fresh { what, .. } | FreshSomeRun { what, .. }) => {
            let (fresh, rest) = if matches!(a.obj, Fresh { .. } | FreshSomeRun { .. }) { (a, b) } else { (b, a) };
            let other_unknown = matches!(other, Unknown(_));
            if other_unknown && fresh.escaped {
                (Prediction::Depends, format!("{} may be the {what} made by {}", rest.origin, fresh.origin))
            } else {
                (Prediction::False, format!("{} makes a new {what} object each time, so it is never {}", fresh.origin, rest.origin))
            }
        }
        (FreshOrCached { what, .. }, Const(_)) | (Const(_), FreshOrCached { what, .. }) => {
            let (made, constant) = if matches!(a.obj, FreshOrCached { .. }) { (a, b) } else { (b, a) };
            (
                Prediction::False,
                format!("{} is a new {what} object (or a cached small one), never {}", made.origin, constant.origin),
            )
        }
        (FreshOrCached { what, .. }, _) | (_, FreshOrCached { what, .. }) => {
            let made = if matches!(a.obj, FreshOrCached { .. }) { a } else { b };
            (
                Prediction::Depends,
                format!("{} is a new {what} unless its value is one CPython caches, which depends on the input", made.origin),
            )
        }
        (Unknown(Some(x)), Unknown(Some(y))) if x == y => {
            (Prediction::True, format!("both are the same object: {}", a.origin))
        }
        (Unknown(_), _) | (_, Unknown(_)) => {
            let unknown = if matches!(a.obj, Unknown(_)) { a } else { b };
            (Prediction::Depends, format!("{} is not known before the program runs", unknown.origin))
        }
    }
}
