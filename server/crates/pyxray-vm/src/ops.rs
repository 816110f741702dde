//! What operations produce, as far as object identity goes: arithmetic on known ints and strings
//! (cached or new), the operations CPython answers with their own operand ("returns self"), and
//! calls of a few builtins whose results are known.

use crate::value::{Known, Obj, Value};
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use pyxray_bytecode::dis::Instruction;

/// `BINARY_OP` operand numbers (`_nb_ops`); the in-place forms follow at +13.
const ADD: u32 = 0;
const AND: u32 = 1;
const FLOOR_DIVIDE: u32 = 2;
const LSHIFT: u32 = 3;
const MULTIPLY: u32 = 5;
const REMAINDER: u32 = 6;
const OR: u32 = 7;
const POWER: u32 = 8;
const RSHIFT: u32 = 9;
const SUBTRACT: u32 = 10;
const TRUE_DIVIDE: u32 = 11;
const XOR: u32 = 12;

const SYMBOLS: [&str; 13] = ["+", "&", "//", "<<", "@", "*", "%", "|", "**", ">>", "-", "/", "^"];

/// Largest string pyxray computes while interpreting (CPython's folding limit is 4096).
const MAX_STR: usize = 4096;

pub fn describe(v: &Value) -> String {
    v.origin.strip_prefix("the constant ").map_or_else(|| v.origin.clone(), str::to_string)
}

/// `left <op> right`.
pub fn binary(site: u32, oparg: u32, left: &Value, right: &Value) -> Value {
    if oparg > 25 {
        return Value::unknown("the subscript's result");
    }
    let op = oparg % 13;
    let origin = format!("the result of `{} {} {}` (computed at run time)", describe(left), SYMBOLS[op as usize], describe(right));
    match (&left.known, &right.known) {
        (Known::Int(a), Known::Int(b)) => {
            let value = match (a, b) {
                (Some(a), Some(b)) => int_op(op, a, b),
                _ => None,
            };
            match value {
                Some(v) => Value::runtime_int(site, v, origin),
                None if op == TRUE_DIVIDE => Value::fresh(site, "float", Known::Float, origin),
                None => Value { obj: Obj::FreshOrCached { site, what: "int" }, known: Known::Int(None), origin, escaped: false },
            }
        }
        (Known::Float, Known::Float | Known::Int(_)) | (Known::Int(_), Known::Float) => {
            Value::fresh(site, "float", Known::Float, origin)
        }
        (Known::Str(a), Known::Str(b)) if op == ADD => {
            // Concatenating with an empty string returns the other operand itself.
            if a.as_deref() == Some("") {
                return right.clone();
            }
            if b.as_deref() == Some("") {
                return left.clone();
            }
            match (a, b) {
                (Some(a), Some(b)) if a.len() + b.len() <= MAX_STR => Value::runtime_str(site, format!("{a}{b}"), origin),
                _ => Value::fresh(site, "str", Known::Str(None), origin),
            }
        }
        // `'%s' % s` of an exact str is that str.
        (Known::Str(Some(f)), Known::Str(_)) if op == REMAINDER && f == "%s" => right.clone(),
        (Known::Str(a), Known::Int(Some(n))) if op == MULTIPLY => {
            if n == &BigInt::from(1) {
                return left.clone();
            }
            let n = n.to_usize().unwrap_or(0);
            match a {
                Some(a) if a.len().saturating_mul(n) <= MAX_STR => Value::runtime_str(site, a.repeat(n), origin),
                _ => Value::fresh(site, "str", Known::Str(None), origin),
            }
        }
        (Known::Tuple(_), Known::Tuple(Some(0))) if op == ADD => left.clone(),
        (Known::Tuple(Some(0)), Known::Tuple(_)) if op == ADD => right.clone(),
        (Known::Tuple(_), Known::Int(Some(n))) if op == MULTIPLY && n == &BigInt::from(1) => left.clone(),
        (Known::Tuple(_), Known::Int(Some(n))) if op == MULTIPLY && n.is_zero() => {
            Value::constant(&pyxray_bytecode::ConstValue::Tuple(Vec::new().into()), "()")
        }
        (Known::Tuple(_), Known::Int(Some(_))) if op == MULTIPLY => Value::fresh(site, "tuple", Known::Tuple(None), origin),
        (Known::List, _) if op == ADD || op == MULTIPLY => Value::fresh(site, "list", Known::List, origin),
        _ => Value::opaque(site, origin),
    }
}

/// Python int arithmetic on known values, within sizes worth computing.
fn int_op(op: u32, a: &BigInt, b: &BigInt) -> Option<BigInt> {
    let floor_div = |a: &BigInt, b: &BigInt| -> Option<BigInt> {
        if b.is_zero() {
            return None;
        }
        let (q, r) = (a / b, a % b);
        Some(if !r.is_zero() && ((r < BigInt::zero()) != (*b < BigInt::zero())) { q - 1 } else { q })
    };
    Some(match op {
        ADD => a + b,
        SUBTRACT => a - b,
        MULTIPLY if a.bits() + b.bits() <= 4096 => a * b,
        FLOOR_DIVIDE => floor_div(a, b)?,
        REMAINDER => {
            let q = floor_div(a, b)?;
            a - q * b
        }
        AND => a & b,
        OR => a | b,
        XOR => a ^ b,
        LSHIFT => {
            let n = b.to_u32().filter(|n| *n <= 4096)?;
            a << n
        }
        RSHIFT => {
            let n = b.to_u32()?;
            a >> n.min(1 << 20)
        }
        POWER => {
            let n = b.to_u32().filter(|n| (*n as u64) * a.bits() <= 4096)?;
            num_traits::pow::Pow::pow(a, n)
        }
        _ => return None,
    })
}

/// `-v`.
pub fn negate(site: u32, v: &Value) -> Value {
    let origin = format!("the result of `-{}` (computed at run time)", describe(v));
    match &v.known {
        Known::Int(Some(i)) => Value::runtime_int(site, -i, origin),
        Known::Int(None) => Value { obj: Obj::FreshOrCached { site, what: "int" }, known: Known::Int(None), origin, escaped: false },
        Known::Float => Value::fresh(site, "float", Known::Float, origin),
        _ => Value::opaque(site, origin),
    }
}

/// `container[index]` for known strings and tuples.
pub fn subscript(site: u32, container: &Value, index: &Value) -> Value {
    let origin = format!("`{}[{}]` (computed at run time)", describe(container), describe(index));
    match (&container.known, &index.known) {
        (Known::Str(Some(s)), Known::Int(Some(k))) => {
            let chars: Vec<char> = s.chars().collect();
            let k = k.to_i64().unwrap_or(i64::MAX);
            let k = if k < 0 { k + chars.len() as i64 } else { k };
            match usize::try_from(k).ok().and_then(|k| chars.get(k)) {
                Some(c) => Value::runtime_str(site, c.to_string(), origin),
                None => Value::opaque(site, origin),
            }
        }
        _ => Value::opaque(site, origin),
    }
}

/// `container[start:end]`: a whole-sequence slice of a str, bytes or tuple is the object itself;
/// other slices of known strings are computed (one character: the cached string).
pub fn slice(site: u32, container: &Value, start: &Value, end: &Value) -> Value {
    let origin = format!("a slice of {} (computed at run time)", describe(container));
    let bound = |v: &Value| match &v.known {
        Known::NoneType => Some(None),
        Known::Int(Some(i)) => i.to_i64().map(Some),
        _ => None,
    };
    let (Some(a), Some(b)) = (bound(start), bound(end)) else {
        return match container.known {
            Known::List => Value::fresh(site, "list", Known::List, origin),
            _ => Value::opaque(site, origin),
        };
    };
    match &container.known {
        Known::List => Value::fresh(site, "list", Known::List, origin),
        Known::Str(_) | Known::Tuple(_) | Known::Bytes(_) if a.is_none() && b.is_none() => container.clone(),
        Known::Str(Some(s)) => {
            let chars: Vec<char> = s.chars().collect();
            let n = chars.len() as i64;
            let clamp = |x: Option<i64>, default: i64| x.map_or(default, |x| if x < 0 { (x + n).max(0) } else { x.min(n) });
            let (lo, hi) = (clamp(a, 0), clamp(b, n));
            if lo == 0 && hi == n {
                return container.clone();
            }
            let piece: String = if lo < hi { chars[lo as usize..hi as usize].iter().collect() } else { String::new() };
            Value::runtime_str(site, piece, origin)
        }
        _ => Value::opaque(site, origin),
    }
}

/// A str method called on a known string.
fn str_method(site: u32, name: &str, receiver: &Value, text: &str, args: &[Value], origin: String) -> Value {
    let arg_text = |k: usize| match args.get(k).map(|a| &a.known) {
        Some(Known::Str(Some(t))) => Some(t.clone()),
        _ => None,
    };
    match (name, args.len()) {
        ("strip" | "lstrip" | "rstrip", 0) => {
            let out = match name {
                "strip" => text.trim(),
                "lstrip" => text.trim_start(),
                _ => text.trim_end(),
            };
            if out.len() == text.len() {
                receiver.clone()
            } else {
                Value::runtime_str(site, out.to_string(), origin)
            }
        }
        ("replace", 2) => match (arg_text(0), arg_text(1)) {
            (Some(old), Some(_)) if !old.is_empty() && !text.contains(old.as_str()) => receiver.clone(),
            _ => Value::fresh(site, "str", Known::Str(None), origin),
        },
        // Case conversions always build a new string, even of one character.
        ("lower" | "upper" | "title" | "casefold" | "swapcase", 0) => Value::fresh(site, "str", Known::Str(None), origin),
        _ => Value::opaque(site, origin),
    }
}

/// A call's result, for the few builtins and str methods whose answer is known.
pub fn call(site: u32, callable: &Value, _self_arg: Option<&Value>, args: &[Value], i: &Instruction) -> Value {
    if let Known::Method(name, receiver) = &callable.known {
        let origin = format!("the result of `{}.{name}(…)`", describe(receiver));
        return match &receiver.known {
            Known::Str(Some(text)) => str_method(site, name, receiver, text, args, origin),
            Known::Str(None) if matches!(name.as_str(), "lower" | "upper") => Value::fresh(site, "str", Known::Str(None), origin),
            _ => Value::opaque(site, origin),
        };
    }
    let Known::Builtin(name) = &callable.known else {
        return Value::opaque(site, format!("the value returned by the call on line {}", i.line_number.unwrap_or(0)));
    };
    let arg_text: Vec<String> = args.iter().map(describe).collect();
    let origin = format!("the result of `{name}({})`", arg_text.join(", "));
    match (name.as_str(), args) {
        ("int", [a]) => match &a.known {
            // int() of an exact int returns the same object.
            Known::Int(_) => a.clone(),
            Known::Str(Some(text)) => match parse_int(text) {
                Some(v) => Value::runtime_int(site, v, origin),
                None => Value::unknown(origin),
            },
            _ => Value { obj: Obj::FreshOrCached { site, what: "int" }, known: Known::Int(None), origin, escaped: false },
        },
        ("int", []) => Value::runtime_int(site, BigInt::zero(), origin),
        // str() of an exact str is that str; of a number, a new string (even one character long:
        // int.__str__ does not use the one-character cache).
        ("str", [a]) => match &a.known {
            Known::Str(_) => a.clone(),
            Known::Int(Some(v)) => Value::fresh(site, "str", Known::Str(Some(v.to_string())), origin),
            Known::Int(None) | Known::Float | Known::Complex | Known::Bool(_) | Known::NoneType => {
                Value::fresh(site, "str", Known::Str(None), origin)
            }
            _ => Value::unknown(origin),
        },
        ("tuple", []) => Value::constant(&pyxray_bytecode::ConstValue::Tuple(Vec::new().into()), "()"),
        ("tuple", [a]) if matches!(a.known, Known::Tuple(_)) => a.clone(),
        ("float", [a]) if a.known == Known::Float => a.clone(),
        ("float", _) => Value::fresh(site, "float", Known::Float, origin),
        ("chr", [a]) => match &a.known {
            Known::Int(Some(v)) => match v.to_u32().and_then(char::from_u32) {
                Some(c) => Value::runtime_str(site, c.to_string(), origin),
                None => Value::unknown(origin),
            },
            _ => Value::unknown(origin),
        },
        ("len", [a]) => match &a.known {
            Known::Str(Some(text)) => Value::runtime_int(site, BigInt::from(text.chars().count()), origin),
            Known::Tuple(Some(n)) => Value::runtime_int(site, BigInt::from(*n), origin),
            Known::Bytes(Some(b)) => Value::runtime_int(site, BigInt::from(b.len()), origin),
            _ => Value { obj: Obj::FreshOrCached { site, what: "int" }, known: Known::Int(None), origin, escaped: false },
        },
        ("list", _) => Value::fresh(site, "list", Known::List, origin),
        ("dict", _) => Value::fresh(site, "dict", Known::Dict, origin),
        ("set", _) => Value::fresh(site, "set", Known::Set, origin),
        ("object", []) => Value::fresh(site, "object", Known::Other, origin),
        _ => Value::opaque(site, origin),
    }
}

/// `int(text)` for decimal text (whitespace and underscores as Python allows).
fn parse_int(text: &str) -> Option<BigInt> {
    let t = text.trim();
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    t.replace('_', "").parse().ok()
}
