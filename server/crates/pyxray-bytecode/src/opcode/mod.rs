//! Per-version CPython opcode tables: which opcodes exist, their numbers, inline cache sizes,
//! `dis`'s opcode classes (`hasarg`, `hasjrel`, …) and the small name tables `dis` prints from,
//! plus stack effects ([`stack_effect()`]).
//!
//! The tables live in `generated.rs`, written by `python3 tools/gen_opcodes.py render` from dumps
//! of real CPython (`fixtures/opcodes/3.X.json`); this file defines their shape and accessors.

// Generated and checked by tests; its layout is the generator's, not rustfmt's.
#[rustfmt::skip]
mod generated;
pub mod stack_effect;

#[cfg(test)]
mod tests;

pub use generated::{Op, OP_COUNT};
pub use stack_effect::{popped_pushed, stack_effect};

use std::fmt;

use crate::version::PythonVersion;

/// Bits of [`OpTable::flags`]. The `has*` bits mirror the lists of CPython's `opcode` module in
/// that version (`ARG` from `hasarg`, or from `HAVE_ARGUMENT` in 3.11, which has no `hasarg`).
pub mod flags {
    /// Takes an oparg (`hasarg`; 3.11: number >= `HAVE_ARGUMENT`).
    pub const ARG: u16 = 1 << 0;
    /// `hasconst`.
    pub const CONST: u16 = 1 << 1;
    /// `hasname`.
    pub const NAME: u16 = 1 << 2;
    /// `hasjrel`: the oparg is a relative jump.
    pub const JREL: u16 = 1 << 3;
    /// `hasjabs` (empty in 3.11-3.14, kept for completeness).
    pub const JABS: u16 = 1 << 4;
    /// `haslocal`.
    pub const LOCAL: u16 = 1 << 5;
    /// `hasfree`.
    pub const FREE: u16 = 1 << 6;
    /// `hascompare`.
    pub const COMPARE: u16 = 1 << 7;
    /// `hasexc` (3.12+): pushes an exception handler.
    pub const EXC: u16 = 1 << 8;
    /// A jump: `hasjump` in 3.13+, `hasjrel`/`hasjabs` before, plus 3.11's virtual jumps
    /// (compile.c `IS_VIRTUAL_JUMP_OPCODE`).
    pub const JUMP: u16 = 1 << 9;
    /// `hasnargs` (3.11 only, and empty there).
    pub const NARGS: u16 = 1 << 10;
    /// A pseudo-op: numbered >= 256 in 3.12+, a negative "virtual opcode" of compile.c in 3.11.
    /// The compiler uses it; the assembler replaces it.
    pub const PSEUDO: u16 = 1 << 11;
    /// `SETUP_FINALLY`, `SETUP_CLEANUP`, `SETUP_WITH` (CPython's `IS_BLOCK_PUSH_OPCODE`).
    pub const BLOCK_PUSH: u16 = 1 << 12;
}

/// One opcode in one version. `code` is CPython's number for it: 0-255 for real instructions,
/// 256 and up for 3.12+ pseudo-ops, negative for 3.11's virtual opcodes, and
/// [`OpInfo::ABSENT_CODE`] when the version has no such opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpInfo {
    pub code: i16,
    pub caches: u8,
    pub flags: u16,
}

impl OpInfo {
    pub const ABSENT_CODE: i16 = i16::MIN;
    pub const ABSENT: OpInfo = OpInfo {
        code: Self::ABSENT_CODE,
        caches: 0,
        flags: 0,
    };
}

/// Everything pyxray needs to know about one CPython version's opcodes. Obtain one with
/// [`table`].
#[derive(Debug)]
pub struct OpTable {
    pub version: PythonVersion,
    /// The patch release the table was dumped from, e.g. `"3.13.2"`.
    pub python: &'static str,
    /// The `.pyc` magic number (`importlib.util.MAGIC_NUMBER` as a little-endian u16).
    pub magic: u16,
    /// `opcode.HAVE_ARGUMENT`. In 3.13+ it is only a numbering boundary: use [`OpTable::has_arg`].
    pub have_argument: u8,
    ops: [OpInfo; OP_COUNT],
    decode: [Option<Op>; 256],
    /// `opcode._cache_format`: the named fields of each instruction's inline cache.
    pub cache_format: &'static [(Op, &'static [(&'static str, u8)])],
    /// `BINARY_OP` opargs: (`NB_…` name, symbol dis prints), indexed by oparg.
    pub nb_ops: &'static [(&'static str, &'static str)],
    /// `dis.cmp_op`.
    pub cmp_op: &'static [&'static str],
    /// `CALL_INTRINSIC_1` argreprs (3.12+; empty in 3.11).
    pub intrinsic_1: &'static [&'static str],
    /// `CALL_INTRINSIC_2` argreprs (3.12+; empty in 3.11).
    pub intrinsic_2: &'static [&'static str],
    /// Flag names dis prints for `MAKE_FUNCTION` (≤ 3.12, `MAKE_FUNCTION_FLAGS`) or
    /// `SET_FUNCTION_ATTRIBUTE` (3.13+, `FUNCTION_ATTR_FLAGS`); bit i is name i.
    pub function_flags: &'static [&'static str],
    /// `LOAD_COMMON_CONSTANT` argreprs (3.14+), exactly as dis prints them.
    pub common_constants: &'static [&'static str],
    /// `LOAD_SPECIAL` argreprs (3.14+).
    pub special_method_names: &'static [&'static str],
    /// `dis.COMPILER_FLAG_NAMES`: (flag bit, name), in increasing bit order.
    pub compiler_flag_names: &'static [(u32, &'static str)],
    /// `FORMAT_VALUE` conversion argreprs (≤ 3.12, `dis.FORMAT_VALUE_CONVERTERS`), indexed by
    /// `oparg & 3`.
    pub format_value_converters: &'static [&'static str],
}

/// The opcode table of `version`.
pub fn table(version: PythonVersion) -> &'static OpTable {
    match version {
        PythonVersion::V3_11 => &generated::TABLE_3_11,
        PythonVersion::V3_12 => &generated::TABLE_3_12,
        PythonVersion::V3_13 => &generated::TABLE_3_13,
        PythonVersion::V3_14 => &generated::TABLE_3_14,
    }
}

impl Op {
    /// CPython's spelling, e.g. `"LOAD_FAST"`.
    pub fn name(self) -> &'static str {
        generated::NAMES[self as usize]
    }

    /// The op spelled `name` in some version 3.11-3.14.
    pub fn from_name(name: &str) -> Option<Op> {
        generated::NAMES
            .binary_search(&name)
            .ok()
            .map(|i| Op::ALL[i])
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl OpTable {
    /// The raw entry of `op` (an [`OpInfo::ABSENT`] one if this version lacks it).
    pub fn info(&self, op: Op) -> OpInfo {
        self.ops[op as usize]
    }

    /// Whether this version has `op`, as a real instruction or as a pseudo-op.
    pub fn contains(&self, op: Op) -> bool {
        self.info(op).code != OpInfo::ABSENT_CODE
    }

    /// CPython's number for `op`, pseudo-ops included (>= 256 in 3.12+, negative for 3.11's
    /// virtual opcodes): what `dis.opmap` says, and what `dis.stack_effect` takes.
    pub fn code(&self, op: Op) -> Option<i32> {
        let code = self.info(op).code;
        (code != OpInfo::ABSENT_CODE).then_some(i32::from(code))
    }

    /// The opcode byte of a real instruction; `None` for pseudo-ops and absent ops.
    pub fn number(&self, op: Op) -> Option<u8> {
        self.code(op).and_then(|c| u8::try_from(c).ok())
    }

    /// The real instruction with opcode byte `number` (not specialised ones, which the tables
    /// leave out).
    pub fn op_for_number(&self, number: u8) -> Option<Op> {
        self.decode[usize::from(number)]
    }

    /// The op CPython numbers `code` (real or pseudo).
    pub fn op_for_code(&self, code: i32) -> Option<Op> {
        if let Ok(number) = u8::try_from(code) {
            return self.op_for_number(number);
        }
        self.ops().find(|&op| self.code(op) == Some(code))
    }

    /// Every op this version has, real and pseudo, in [`Op`] order.
    pub fn ops(&self) -> impl Iterator<Item = Op> + '_ {
        Op::ALL.into_iter().filter(move |&op| self.contains(op))
    }

    /// Number of inline `CACHE` code units after `op` (0 for pseudo-ops and absent ops).
    pub fn caches(&self, op: Op) -> u8 {
        self.info(op).caches
    }

    /// The [`flags`] bits of `op` (0 if absent).
    pub fn flags(&self, op: Op) -> u16 {
        self.info(op).flags
    }

    fn has(&self, op: Op, bit: u16) -> bool {
        self.flags(op) & bit != 0
    }

    /// Takes an oparg (dis shows one; the assembler encodes it).
    pub fn has_arg(&self, op: Op) -> bool {
        self.has(op, flags::ARG)
    }
    pub fn has_const(&self, op: Op) -> bool {
        self.has(op, flags::CONST)
    }
    pub fn has_name(&self, op: Op) -> bool {
        self.has(op, flags::NAME)
    }
    pub fn has_jrel(&self, op: Op) -> bool {
        self.has(op, flags::JREL)
    }
    pub fn has_jabs(&self, op: Op) -> bool {
        self.has(op, flags::JABS)
    }
    pub fn has_local(&self, op: Op) -> bool {
        self.has(op, flags::LOCAL)
    }
    pub fn has_free(&self, op: Op) -> bool {
        self.has(op, flags::FREE)
    }
    pub fn has_compare(&self, op: Op) -> bool {
        self.has(op, flags::COMPARE)
    }
    pub fn has_exc(&self, op: Op) -> bool {
        self.has(op, flags::EXC)
    }
    /// A jump instruction or pseudo-op (see [`flags::JUMP`]).
    pub fn is_jump(&self, op: Op) -> bool {
        self.has(op, flags::JUMP)
    }
    /// `SETUP_FINALLY`/`SETUP_CLEANUP`/`SETUP_WITH`.
    pub fn is_block_push(&self, op: Op) -> bool {
        self.has(op, flags::BLOCK_PUSH)
    }
    /// Has a target block in the CFG: CPython's `HAS_TARGET` (a jump or a block push).
    pub fn has_target(&self, op: Op) -> bool {
        self.has(op, flags::JUMP | flags::BLOCK_PUSH)
    }
    pub fn is_pseudo(&self, op: Op) -> bool {
        self.has(op, flags::PSEUDO)
    }
    /// A real instruction of this version (has an opcode byte).
    pub fn is_real(&self, op: Op) -> bool {
        self.number(op).is_some()
    }

    /// Code units the assembler writes for a real `op` with `oparg`: `EXTENDED_ARG` prefixes,
    /// the instruction, its inline caches (CPython's `instr_size`). The oparg of an op without
    /// an argument counts as 0. `None` for pseudo-ops and absent ops.
    pub fn instr_size(&self, op: Op, oparg: u32) -> Option<u32> {
        self.number(op)?;
        let oparg = if self.has_arg(op) { oparg } else { 0 };
        let extended =
            u32::from(oparg > 0xFF) + u32::from(oparg > 0xFFFF) + u32::from(oparg > 0xFF_FFFF);
        Some(extended + 1 + u32::from(self.caches(op)))
    }

    /// `opcode._cache_format[op]`: (field, size in code units); empty if the op has no caches.
    pub fn cache_format(&self, op: Op) -> &'static [(&'static str, u8)] {
        self.cache_format
            .iter()
            .find(|(o, _)| *o == op)
            .map_or(&[], |(_, fields)| fields)
    }
}
