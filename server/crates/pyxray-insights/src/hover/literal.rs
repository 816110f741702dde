//! The literal hover: the value CPython really loads for a literal (after constant folding, or
//! why it was not folded), and the object's identity story for the selected version — cached
//! small int, interned or cached string, singleton, or a constant the compiler keeps once per
//! module (with the other places that load the same object) — what changes in the REPL, and the
//! size `sys.getsizeof` reports on 64-bit CPython.

use crate::analysis::{FileAnalysis, Hover};
use pyxray_bytecode::dis::{canonical_const_repr, ArgVal};
use pyxray_bytecode::{ConstValue, Op, PythonVersion};
use pyxray_syntax::ast::{Expr, ExprKind, Operator};
use pyxray_syntax::walk::Node;
use std::fmt::Write;

pub(crate) fn hover(analysis: &FileAnalysis, chain: &[Node<'_>]) -> Option<Hover> {
    let Some(Node::Expr(literal)) = chain.last() else { return None };
    let ExprKind::Constant(_) = literal.kind else { return None };
    let version = analysis.config().python;
    let index = analysis.compiled().index(analysis.line_index());
    // The innermost expression, from the literal outwards, that CPython loads as one constant.
    let mut loaded: Option<(&Expr, ConstValue)> = None;
    for node in chain.iter().rev() {
        let Node::Expr(e) = node else { break };
        let constant = index.at(e.range).find_map(|(_, i)| match (&i.op, &i.argval) {
            (Op::LOAD_CONST | Op::RETURN_CONST | Op::LOAD_SMALL_INT, ArgVal::Const(c)) => Some(c.clone()),
            (Op::LOAD_SMALL_INT, ArgVal::Int(v)) => Some(ConstValue::Int((*v).into())),
            _ => None,
        });
        if let Some(c) = constant {
            loaded = Some((e, c));
            break;
        }
    }
    let text = |e: &Expr| analysis.text().get(e.range.start as usize..e.range.end as usize).unwrap_or("").to_string();
    let mut md = String::new();
    let (value, expr) = match loaded {
        Some((e, c)) => (c, e),
        None => {
            let _ = writeln!(md, "**literal `{}`** · CPython {}\n", short(&text(literal)), version.as_str());
            if let Some(why) = not_folded(chain) {
                let _ = writeln!(md, "{why}\n");
            } else {
                md.push_str("Not loaded on its own: it is part of a larger constant or display.\n\n");
            }
            return Some(Hover { range: literal.range, markdown: md });
        }
    };
    let shown = canonical_const_repr(&value, version);
    if expr.range == literal.range {
        let _ = writeln!(md, "**`{}`** · {} constant · CPython {}\n", short(&shown), value.type_name(), version.as_str());
    } else {
        let _ = writeln!(
            md,
            "**`{}`** · folded at compile time from `{}` · CPython {}\n",
            short(&shown),
            short(&text(expr)),
            version.as_str()
        );
    }
    if expr.range == literal.range {
        if let Some(why) = not_folded(chain) {
            let _ = writeln!(md, "{why}\n");
        }
    }
    let _ = writeln!(md, "{}", identity_story(&value, version));
    let others: Vec<u32> = index
        .const_loads
        .get(&(value.type_name(), shown.clone()))
        .into_iter()
        .flatten()
        .filter(|r| **r != expr.range)
        .map(|r| analysis.line_index().line_of(r.start) + 1)
        .collect();
    if merged(&value) && !others.is_empty() {
        let mut lines = others;
        lines.sort_unstable();
        lines.dedup();
        let list: Vec<String> = lines.iter().take(8).map(|l| l.to_string()).collect();
        let _ = writeln!(
            md,
            "\nThe same object as the `{}` loaded on line{} {}: the compiler keeps one copy of equal constants per \
             module.",
            short(&shown),
            if lines.len() == 1 { "" } else { "s" },
            list.join(", ")
        );
    }
    if merged(&value) {
        md.push_str(
            "\nIn the REPL each input is compiled on its own (with 3.13's new REPL, each statement), so equal \
             constants typed in separate inputs are separate objects.\n",
        );
    }
    if let Some(size) = getsizeof(&value, version) {
        let _ = writeln!(md, "\n`sys.getsizeof`: {size} bytes (64-bit CPython {}).", version.as_str());
    }
    Some(Hover { range: expr.range, markdown: md })
}

fn short(text: &str) -> String {
    if text.chars().count() <= 60 {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(57).collect::<String>())
    }
}

/// Whether identity comes from the per-module constant cache (rather than a runtime cache).
fn merged(value: &ConstValue) -> bool {
    match value {
        ConstValue::Int(i) => !small_int(i),
        // Empty and one-character Latin-1 strings are runtime singletons; others are merged.
        ConstValue::Str(s) => s.as_str().is_none_or(|t| match t.chars().count() {
            0 => false,
            1 => !latin1(t),
            _ => true,
        }),
        ConstValue::Bytes(b) => b.len() > 1,
        ConstValue::Tuple(items) => !items.is_empty(),
        ConstValue::Float(_) | ConstValue::Complex { .. } | ConstValue::FrozenSet(_) | ConstValue::Slice(_) => true,
        _ => false,
    }
}

fn small_int(i: &num_bigint::BigInt) -> bool {
    i >= &(-5).into() && i <= &256.into()
}

fn interned(t: &str) -> bool {
    t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn latin1(t: &str) -> bool {
    t.chars().all(|c| (c as u32) <= 0xFF)
}

fn identity_story(value: &ConstValue, version: PythonVersion) -> String {
    match value {
        ConstValue::None | ConstValue::Bool(_) | ConstValue::Ellipsis => {
            "A singleton: there is exactly one such object in the process.".into()
        }
        ConstValue::Int(i) if small_int(i) => {
            let loader = if version >= PythonVersion::V3_14 && i >= &0.into() && i <= &255.into() {
                " (3.14 loads it with `LOAD_SMALL_INT`, without a constant slot)"
            } else {
                ""
            };
            format!("In CPython's small-int cache (-5 to 256): every {i} in the process, computed or written, is this one object{loader}.")
        }
        ConstValue::Int(_) => "Outside the small-int cache (-5 to 256): ints computed at run time with this value are new \
                               objects, so `is` against this constant is False for them."
            .into(),
        ConstValue::Str(s) => match s.as_str() {
            Some("") => "The empty string is a singleton.".into(),
            Some(t) if t.chars().count() == 1 && latin1(t) => {
                "One-character strings up to U+00FF are cached: every such string made by literals, indexing, slicing \
                 or `chr()` is this one object (but not `str(5)` or `'a'.upper()`)."
                    .into()
            }
            Some(t) if interned(t) => "Interned when the code object is created (it is made only of ASCII letters, \
                                        digits and underscores): equal strings interned anywhere are this object; \
                                        strings built at run time are not, unless `sys.intern` is used."
                .to_string(),
            _ => "Not interned (it has characters other than ASCII letters, digits and underscores): strings built at \
                  run time with this value are separate objects."
                .into(),
        },
        ConstValue::Bytes(b) if b.len() <= 1 => "Empty and one-byte bytes objects are cached singletons.".into(),
        ConstValue::Tuple(items) if items.is_empty() => "The empty tuple is a singleton.".into(),
        ConstValue::Float(_) | ConstValue::Complex { .. } => {
            "No cache for floats or complex numbers: values computed at run time are always new objects.".into()
        }
        _ => "A constant of the compiled module.".into(),
    }
}

/// Why a literal operand was not folded into its operation (CPython's size limits).
fn not_folded(chain: &[Node<'_>]) -> Option<String> {
    let Node::Expr(parent) = chain.get(chain.len().checked_sub(2)?)? else { return None };
    let ExprKind::BinOp { left, op, right } = &parent.kind else { return None };
    if !(left.is_constant() && right.is_constant()) {
        return None;
    }
    let limit = match op {
        Operator::Mult => "a product of ints is folded only when it fits in 128 bits; a str or bytes repeat only up to \
                           4096 items; a tuple repeat only up to 256 items",
        Operator::Pow => "a power is folded only when the result fits in 128 bits (and the exponent is positive)",
        Operator::LShift => "a shift is folded only when the result fits in 128 bits",
        Operator::Mod => "`%` with a str or bytes on the left is never folded",
        _ => "the operation raised an error at compile time, so it is left to run",
    };
    Some(format!("Not folded: {limit}. CPython computes it each time the line runs."))
}

/// `sys.getsizeof` on 64-bit CPython (formulas from CPython 3.11.7, 3.12.1 and 3.13.0 measured
/// natively; 3.14 adds a hash slot to tuples).
fn getsizeof(value: &ConstValue, version: PythonVersion) -> Option<u64> {
    let old = version < PythonVersion::V3_12;
    Some(match value {
        ConstValue::None | ConstValue::Ellipsis => 16,
        ConstValue::Bool(_) => 28,
        ConstValue::Int(i) => 24 + 4 * (i.magnitude().bits().div_ceil(30)).max(1),
        ConstValue::Float(_) => 24,
        ConstValue::Complex { .. } => 32,
        ConstValue::Bytes(b) => 33 + b.len() as u64,
        ConstValue::Tuple(items) => {
            let base = if version >= PythonVersion::V3_14 { 48 } else { 40 };
            base + 8 * items.len() as u64
        }
        ConstValue::Str(s) => {
            let t = s.as_str()?;
            let n = t.chars().count() as u64;
            let widest = t.chars().map(|c| c as u32).max().unwrap_or(0);
            if widest < 0x80 {
                n + if old { 49 } else { 41 }
            } else if n == 1 && widest <= 0xFF {
                // A cached one-character string's size depends on what has used it.
                return None;
            } else if widest <= 0xFF {
                n + if old { 73 } else { 57 }
            } else if widest <= 0xFFFF {
                2 * n + if old { 74 } else { 58 }
            } else {
                4 * n + if old { 76 } else { 60 }
            }
        }
        _ => return None,
    })
}
