//! A port of CPython's `dis` module for each supported version: decoding a code object into
//! instructions with the same `argval`/`argrepr`/label/line fields, and rendering them as
//! `dis.dis()` text or as the oracle's canonical JSON.

mod json;
pub mod linetable;
mod text;

pub use json::{file_json, FileResult, JsonOptions, PyJson};
pub use text::{dis_code, dis_text};

use crate::code::{CodeObject, ConstValue};
use crate::opcode::{table, Op, OpTable};
use crate::repr::{repr, str_repr};
use crate::version::PythonVersion;
use linetable::LocationEntry;

/// The resolved argument of an instruction (`Instruction.argval`).
#[derive(Clone, Debug, PartialEq)]
pub enum ArgVal {
    None,
    Int(i64),
    Const(ConstValue),
    Name(String),
    NamePair(String, String),
    /// A string shown as-is (comparison operator names).
    Str(String),
    /// A builtin callable (`CONVERT_VALUE`, `FORMAT_VALUE`): its `repr`.
    Builtin(&'static str),
    /// A jump target, as a byte offset.
    Offset(u32),
    /// `FORMAT_VALUE` (3.11/3.12): the converter's repr and whether a format spec is used.
    FormatValue(&'static str, bool),
}

impl ArgVal {
    /// `repr(argval)` as the oracle's `crepr` writes it (code objects by qualname and line,
    /// frozenset elements sorted).
    pub fn canonical_repr(&self, version: PythonVersion) -> String {
        match self {
            ArgVal::None => "None".into(),
            ArgVal::Int(i) => i.to_string(),
            ArgVal::Const(c) => canonical_const_repr(c, version),
            ArgVal::Name(n) | ArgVal::Str(n) => str_repr(n, version),
            ArgVal::NamePair(a, b) => format!("({}, {})", str_repr(a, version), str_repr(b, version)),
            ArgVal::Builtin(r) => r.to_string(),
            ArgVal::Offset(o) => o.to_string(),
            ArgVal::FormatValue(conv, spec) => format!("({conv}, {})", if *spec { "True" } else { "False" }),
        }
    }
}

/// Whether the oracle canonicalises this constant's repr (code objects, sets, or containers of
/// them).
pub fn needs_canon(c: &ConstValue) -> bool {
    match c {
        ConstValue::Code(_) | ConstValue::FrozenSet(_) => true,
        ConstValue::Tuple(items) => items.iter().any(needs_canon),
        ConstValue::Slice(parts) => parts.iter().any(needs_canon),
        _ => false,
    }
}

/// The oracle's `crepr`.
pub fn canonical_const_repr(c: &ConstValue, version: PythonVersion) -> String {
    match c {
        ConstValue::Code(code) => format!("<code object {} line {}>", code.qualname, code.firstlineno),
        ConstValue::FrozenSet(items) => {
            let mut reprs: Vec<String> = items.iter().map(|i| canonical_const_repr(i, version)).collect();
            reprs.sort();
            if reprs.is_empty() {
                "frozenset()".into()
            } else {
                format!("frozenset({{{}}})", reprs.join(", "))
            }
        }
        ConstValue::Tuple(items) => {
            let inner: Vec<String> = items.iter().map(|i| canonical_const_repr(i, version)).collect();
            if items.len() == 1 {
                format!("({},)", inner[0])
            } else {
                format!("({})", inner.join(", "))
            }
        }
        ConstValue::Slice(parts) => {
            format!(
                "slice({}, {}, {})",
                canonical_const_repr(&parts[0], version),
                canonical_const_repr(&parts[1], version),
                canonical_const_repr(&parts[2], version)
            )
        }
        other => repr(other, version),
    }
}

/// One decoded instruction (`dis.Instruction`).
#[derive(Clone, Debug, PartialEq)]
pub struct Instruction {
    pub op: Op,
    pub opcode: u8,
    pub arg: Option<i32>,
    pub argval: ArgVal,
    pub argrepr: String,
    pub offset: u32,
    pub start_offset: u32,
    /// Whether this instruction starts a new source line (`starts_line`).
    pub starts_line: bool,
    /// The line the instruction belongs to (`line_number`; `None` for no line).
    pub line_number: Option<i32>,
    /// `L<n>` label number when a jump or exception table refers to this offset (3.13+).
    pub label: Option<u32>,
    /// Whether some jump targets this instruction (`is_jump_target`).
    pub is_jump_target: bool,
    pub positions: Option<(Option<i32>, Option<i32>, Option<i32>, Option<i32>)>,
}

/// An exception table entry, in byte offsets (`dis._parse_exception_table`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptionEntry {
    pub start: u32,
    pub end: u32,
    pub target: u32,
    pub depth: u32,
    pub lasti: bool,
}

pub fn parse_exception_table(table: &[u8]) -> Vec<ExceptionEntry> {
    let mut out = Vec::new();
    let mut pos = 0;
    let varint = |pos: &mut usize| -> Option<u32> {
        let mut b = *table.get(*pos)? as u32;
        *pos += 1;
        let mut val = b & 63;
        while b & 64 != 0 {
            val <<= 6;
            b = *table.get(*pos)? as u32;
            *pos += 1;
            val |= b & 63;
        }
        Some(val)
    };
    loop {
        let Some(start) = varint(&mut pos) else { break };
        let (Some(length), Some(target), Some(dl)) = (varint(&mut pos), varint(&mut pos), varint(&mut pos)) else {
            break;
        };
        out.push(ExceptionEntry { start: start * 2, end: (start + length) * 2, target: target * 2, depth: dl >> 1, lasti: dl & 1 != 0 });
    }
    out
}

/// `dis.pretty_flags`.
pub fn pretty_flags(version: PythonVersion, flags: u32) -> String {
    let names = table(version).compiler_flag_names;
    let mut out = Vec::new();
    let mut rest = flags;
    for i in 0..32 {
        let flag = 1u32 << i;
        if flags & flag != 0 {
            match names.iter().find(|(bit, _)| *bit == flag) {
                Some((_, name)) => out.push(name.to_string()),
                None => out.push(format!("{flag:#x}")),
            }
            rest ^= flag;
            if rest == 0 {
                return out.join(", ");
            }
        }
    }
    out.push(format!("{rest:#x}"));
    out.join(", ")
}

struct RawInstr {
    offset: u32,
    start_offset: u32,
    op: Op,
    opcode: u8,
    arg: Option<i32>,
}

/// `_unpack_opargs`.
fn unpack_opargs(t: &OpTable, code: &[u8]) -> Vec<RawInstr> {
    let mut out = Vec::new();
    let mut extended_arg: i64 = 0;
    let mut extended_args_offset = 0u32;
    let mut caches = 0;
    let mut i = 0;
    while i + 1 < code.len() {
        if caches > 0 {
            caches -= 1;
            i += 2;
            continue;
        }
        let opcode = code[i];
        let op = t.op_for_number(opcode).unwrap_or(Op::CACHE);
        caches = t.caches(op);
        let arg = if t.has_arg(op) {
            let arg = code[i + 1] as i64 | extended_arg;
            extended_arg = if op == Op::EXTENDED_ARG { arg << 8 } else { 0 };
            if extended_arg >= 1 << 31 {
                extended_arg -= 1 << 32;
            }
            Some(arg as i32)
        } else {
            extended_arg = 0;
            None
        };
        let offset = i as u32;
        if op == Op::EXTENDED_ARG {
            extended_args_offset += 1;
            out.push(RawInstr { offset, start_offset: offset, op, opcode, arg });
        } else {
            out.push(RawInstr { offset, start_offset: offset - extended_args_offset * 2, op, opcode, arg });
            extended_args_offset = 0;
        }
        i += 2;
    }
    out
}

fn is_backward_jump(op: Op) -> bool {
    matches!(
        op,
        Op::JUMP_BACKWARD
            | Op::JUMP_BACKWARD_NO_INTERRUPT
            | Op::POP_JUMP_BACKWARD_IF_FALSE
            | Op::POP_JUMP_BACKWARD_IF_TRUE
            | Op::POP_JUMP_BACKWARD_IF_NONE
            | Op::POP_JUMP_BACKWARD_IF_NOT_NONE
            // 3.14: not really a jump, but it points back at its END_SEND.
            | Op::END_ASYNC_FOR
    )
}

/// `_get_jump_target`.
fn jump_target(t: &OpTable, version: PythonVersion, op: Op, arg: i32, offset: u32) -> Option<u32> {
    if t.has_jrel(op) {
        let arg = if is_backward_jump(op) { -(arg as i64) } else { arg as i64 };
        let _ = version;
        let target = offset as i64 + 2 + arg * 2 + 2 * t.caches(op) as i64;
        Some(target.max(0) as u32)
    } else if t.has_jabs(op) {
        Some(arg as u32 * 2)
    } else {
        None
    }
}

/// The instructions of a code object, as `dis.get_instructions(co)` yields them (labels count
/// jump targets only).
pub fn get_instructions(code: &CodeObject, version: PythonVersion) -> Vec<Instruction> {
    instructions(code, version, false)
}

/// Instructions with labels as `dis.dis` numbers them when `exception_labels` (jump targets and
/// exception-table boundaries), else as `get_instructions` does.
pub fn instructions(code: &CodeObject, version: PythonVersion, exception_labels: bool) -> Vec<Instruction> {
    decode(code, version, exception_labels, true)
}

/// The instructions as [`get_instructions`] gives them, except that constants get no `argrepr`
/// (their `argval` is the constant itself): for analyses, which never print them and would
/// otherwise spend much of their time in `repr`.
pub fn analysis_instructions(code: &CodeObject, version: PythonVersion) -> Vec<Instruction> {
    decode(code, version, false, false)
}

/// Whether any instruction of `code` (not of the code objects nested in it) is one of `ops`.
pub fn uses_any(code: &CodeObject, version: PythonVersion, ops: &[Op]) -> bool {
    unpack_opargs(table(version), &code.code).iter().any(|r| ops.contains(&r.op))
}

/// Each instruction that names an entry of `co_names`, with that name: a cheap scan for analyses
/// that only ask which names a code object stores, deletes or loads.
pub fn named_instructions(code: &CodeObject, version: PythonVersion) -> Vec<(Op, &str)> {
    let t = table(version);
    unpack_opargs(t, &code.code)
        .into_iter()
        .filter(|r| t.has_name(r.op))
        .filter_map(|r| {
            let arg = i64::from(r.arg?);
            let index = match r.op {
                Op::LOAD_GLOBAL if version >= PythonVersion::V3_11 => arg >> 1,
                Op::LOAD_ATTR if version >= PythonVersion::V3_12 => arg >> 1,
                Op::LOAD_SUPER_ATTR => arg >> 2,
                _ => arg,
            };
            Some((r.op, code.names.get(index as usize)?.as_str()))
        })
        .collect()
}

fn decode(code: &CodeObject, version: PythonVersion, exception_labels: bool, const_reprs: bool) -> Vec<Instruction> {
    let t = table(version);
    let raw = unpack_opargs(t, &code.code);
    let entries = linetable::decode(&code.linetable, code.firstlineno as i32);
    let lines = linetable::co_lines(&entries);
    let exceptions = parse_exception_table(&code.exceptiontable);
    let labels = labels_map(t, version, &raw, if exception_labels { &exceptions } else { &[] });
    let localsplus: Vec<&str> = code.localsplus.iter().map(|(n, _)| n.as_str()).collect();
    let names: Vec<&str> = code.names.iter().map(|s| s.as_str()).collect();
    let context = ArgContext { t, version, code, localsplus: &localsplus, names: &names, labels: &labels, const_reprs };
    let mut linestarts = std::collections::HashMap::new();
    if version <= PythonVersion::V3_12 {
        // 3.11/3.12 `findlinestarts`: only real lines, and only where the line changes.
        let mut lastline = None;
        for (start, _, line) in &lines {
            if *line >= 0 && lastline != Some(*line) {
                lastline = Some(*line);
                linestarts.insert(*start, *line);
            }
        }
    } else {
        for (start, _, line) in &lines {
            linestarts.insert(*start, *line);
        }
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut line_number: Option<i32> = None;
    for r in raw {
        let starts_line = linestarts.contains_key(&r.offset);
        if let Some(&l) = linestarts.get(&r.offset) {
            line_number = (l >= 0).then_some(l);
        }
        let positions = position_tuple(&entries, r.offset / 2);
        let (argval, argrepr) = arg_info(&context, r.op, r.arg, r.offset);
        let label = labels.iter().position(|&o| o == r.offset).map(|i| i as u32 + 1);
        let is_jump_target = label.is_some();
        out.push(Instruction {
            op: r.op,
            opcode: r.opcode,
            arg: r.arg,
            argval,
            argrepr,
            offset: r.offset,
            start_offset: r.start_offset,
            starts_line,
            line_number,
            label,
            is_jump_target,
            positions,
        });
    }
    if version <= PythonVersion::V3_12 {
        // 3.11/3.12 mark only jump targets (not exception table offsets) as targets.
        let jump_only = labels_map(t, version, &unpack_opargs(t, &code.code), &[]);
        for i in out.iter_mut() {
            i.is_jump_target = jump_only.contains(&i.offset);
            i.label = None;
        }
    }
    out
}

fn position_tuple(entries: &[LocationEntry], unit: u32) -> Option<(Option<i32>, Option<i32>, Option<i32>, Option<i32>)> {
    let opt = |v: i32| (v >= 0).then_some(v);
    match linetable::position_of(entries, unit) {
        Some((l, el, c, ec)) => Some((opt(l), opt(el), opt(c), opt(ec))),
        None => Some((None, None, None, None)),
    }
}

/// `_make_labels_map`: sorted offsets of jump targets and exception-table boundaries.
fn labels_map(t: &OpTable, version: PythonVersion, raw: &[RawInstr], exceptions: &[ExceptionEntry]) -> Vec<u32> {
    let mut labels: Vec<u32> = Vec::new();
    for r in raw {
        if let Some(arg) = r.arg {
            if let Some(target) = jump_target(t, version, r.op, arg, r.offset) {
                labels.push(target);
            }
        }
    }
    for e in exceptions {
        labels.push(e.start);
        labels.push(e.end);
        labels.push(e.target);
    }
    labels.sort_unstable();
    labels.dedup();
    labels
}

fn name_at(names: &[&str], i: i64) -> ArgVal {
    names.get(i as usize).map_or(ArgVal::Int(i), |n| ArgVal::Name(n.to_string()))
}

/// What resolving an argument needs besides the instruction.
struct ArgContext<'a> {
    t: &'a OpTable,
    version: PythonVersion,
    code: &'a CodeObject,
    localsplus: &'a [&'a str],
    names: &'a [&'a str],
    labels: &'a [u32],
    /// Whether constants get their `repr` as `argrepr`.
    const_reprs: bool,
}

/// `ArgResolver.get_argval_argrepr`, per version.
fn arg_info(cx: &ArgContext<'_>, op: Op, arg: Option<i32>, offset: u32) -> (ArgVal, String) {
    let Some(arg) = arg else { return (ArgVal::None, String::new()) };
    let argi = arg as i64;
    let ArgContext { t, version, code, localsplus, names, labels, .. } = *cx;
    let name_repr = |v: &ArgVal| match v {
        ArgVal::Name(n) => n.clone(),
        _ => String::new(),
    };
    if op == Op::KW_NAMES && version == PythonVersion::V3_11 {
        // 3.11's dis resolves only LOAD_CONST: KW_NAMES gets its `UNKNOWN` sentinel.
        return (ArgVal::Builtin("<unknown>"), String::new());
    }
    if t.has_const(op) {
        return match code.consts.get(arg as usize) {
            Some(c) => (ArgVal::Const(c.clone()), if cx.const_reprs { repr(c, version) } else { String::new() }),
            None => (ArgVal::Int(argi), String::new()),
        };
    }
    if t.has_name(op) {
        let (idx, null_text, null_first) = match op {
            Op::LOAD_GLOBAL if version >= PythonVersion::V3_11 => (argi >> 1, "NULL", argi & 1 != 0),
            Op::LOAD_ATTR if version >= PythonVersion::V3_12 => (argi >> 1, "NULL|self", argi & 1 != 0),
            Op::LOAD_SUPER_ATTR => (argi >> 2, "NULL|self", argi & 1 != 0),
            _ => (argi, "", false),
        };
        let v = name_at(names, idx);
        let mut r = name_repr(&v);
        if null_first && !r.is_empty() {
            r = if version >= PythonVersion::V3_13 { format!("{r} + {null_text}") } else { format!("{null_text} + {r}") };
        }
        return (v, r);
    }
    if t.is_jump(op) || t.has_exc(op) || t.has_jrel(op) {
        if let Some(target) = jump_target(t, version, op, arg, offset) {
            let r = if version >= PythonVersion::V3_13 {
                match labels.iter().position(|&o| o == target) {
                    Some(i) if op == Op::END_ASYNC_FOR => format!("from L{}", i + 1),
                    Some(i) => format!("to L{}", i + 1),
                    None => format!("to {target}"),
                }
            } else {
                format!("to {target}")
            };
            return (ArgVal::Offset(target), r);
        }
    }
    if matches!(op, Op::LOAD_FAST_LOAD_FAST | Op::STORE_FAST_LOAD_FAST | Op::STORE_FAST_STORE_FAST | Op::LOAD_FAST_BORROW_LOAD_FAST_BORROW) {
        let a = localsplus.get((argi >> 4) as usize).copied().unwrap_or("");
        let b = localsplus.get((argi & 15) as usize).copied().unwrap_or("");
        return (ArgVal::NamePair(a.to_string(), b.to_string()), format!("{a}, {b}"));
    }
    if t.has_local(op) || t.has_free(op) {
        let v = name_at(localsplus, argi);
        let r = name_repr(&v);
        return (v, r);
    }
    if t.has_compare(op) {
        let shift = match version {
            PythonVersion::V3_11 => 0,
            PythonVersion::V3_12 => 4,
            _ => 5,
        };
        let name = t.cmp_op.get((argi >> shift) as usize).copied().unwrap_or("?").to_string();
        let r = if version >= PythonVersion::V3_13 && argi & 16 != 0 { format!("bool({name})") } else { name.clone() };
        return (ArgVal::Str(name), r);
    }
    match op {
        Op::CONVERT_VALUE => {
            let (v, r) = match arg {
                1 => (ArgVal::Builtin("<class 'str'>"), "str"),
                2 => (ArgVal::Builtin("<built-in function repr>"), "repr"),
                3 => (ArgVal::Builtin("<built-in function ascii>"), "ascii"),
                _ => (ArgVal::None, ""),
            };
            (v, r.to_string())
        }
        Op::SET_FUNCTION_ATTRIBUTE | Op::MAKE_FUNCTION => {
            let r: Vec<&str> =
                t.function_flags.iter().enumerate().filter(|(i, _)| argi & (1 << i) != 0).map(|(_, s)| *s).collect();
            (ArgVal::Int(argi), r.join(", "))
        }
        Op::BINARY_OP => (ArgVal::Int(argi), t.nb_ops.get(arg as usize).map_or("", |(_, s)| s).to_string()),
        Op::CALL_INTRINSIC_1 => (ArgVal::Int(argi), t.intrinsic_1.get(arg as usize).copied().unwrap_or("").to_string()),
        Op::CALL_INTRINSIC_2 => (ArgVal::Int(argi), t.intrinsic_2.get(arg as usize).copied().unwrap_or("").to_string()),
        Op::IS_OP if version >= PythonVersion::V3_14 => (ArgVal::Int(argi), if arg != 0 { "is not" } else { "is" }.into()),
        Op::CONTAINS_OP if version >= PythonVersion::V3_14 => {
            (ArgVal::Int(argi), if arg != 0 { "not in" } else { "in" }.into())
        }
        Op::LOAD_COMMON_CONSTANT => {
            (ArgVal::Int(argi), t.common_constants.get(arg as usize).copied().unwrap_or("").to_string())
        }
        Op::LOAD_SPECIAL => (ArgVal::Int(argi), t.special_method_names.get(arg as usize).copied().unwrap_or("").to_string()),
        Op::FORMAT_VALUE => {
            let conv = t.format_value_converters.get((arg & 3) as usize).copied().unwrap_or("");
            let mut r = conv.to_string();
            if arg & 4 != 0 {
                if !r.is_empty() {
                    r.push_str(", ");
                }
                r.push_str("with format");
            }
            let converter = ["None", "<class 'str'>", "<built-in function repr>", "<built-in function ascii>"][(arg & 3) as usize];
            (ArgVal::FormatValue(converter, arg & 4 != 0), r)
        }
        _ => (ArgVal::Int(argi), String::new()),
    }
}
