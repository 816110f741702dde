//! Assembly (CPython `Python/assemble.c`): jump directions and offsets, `EXTENDED_ARG` and
//! `CACHE` units, the PEP 626/657 location table, the exception table, and the code object.

use crate::codegen::CodeUnitMetadata;
use crate::error::{CompileError, CompileResult};
use crate::flowgraph::OptimizedUnit;
use crate::instr_seq::{Instruction, Location};
use crate::opcodes;
use pyxray_bytecode::code::kinds::{CO_FAST_CELL, CO_FAST_FREE, CO_FAST_HIDDEN, CO_FAST_LOCAL};
use pyxray_bytecode::opcode::{table, Op, OpTable};
use pyxray_bytecode::{CodeObject, PythonVersion};

fn instr_size(t: &OpTable, instr: &Instruction) -> i32 {
    // Only 3.11 leaves opargs on instructions that take none (NOPs made by its peepholes).
    let oparg = if t.has_arg(instr.op) || t.version != PythonVersion::V3_11 { instr.oparg } else { 0 };
    let extended_args = (oparg > 0xFFFFFF) as i32 + (oparg > 0xFFFF) as i32 + (oparg > 0xFF) as i32;
    extended_args + 1 + t.caches(instr.op) as i32
}

/// `resolve_unconditional_jumps`: pseudo jumps get a direction.
fn resolve_unconditional_jumps(instrs: &mut [Instruction]) {
    for (i, instr) in instrs.iter_mut().enumerate() {
        let is_forward = instr.oparg > i as i32;
        match instr.op {
            Op::JUMP => instr.op = if is_forward { Op::JUMP_FORWARD } else { Op::JUMP_BACKWARD },
            Op::JUMP_NO_INTERRUPT => {
                instr.op = if is_forward { Op::JUMP_FORWARD } else { Op::JUMP_BACKWARD_NO_INTERRUPT }
            }
            _ => {}
        }
    }
}

/// `resolve_jump_offsets`: instruction indices become relative code-unit offsets; repeated until
/// the `EXTENDED_ARG` prefixes stop changing sizes.
fn resolve_jump_offsets(t: &OpTable, instrs: &mut [Instruction]) -> CompileResult<()> {
    for instr in instrs.iter_mut() {
        if opcodes::has_jump(instr.op) {
            instr.target = instr.oparg;
            // 3.12 sizes the first round with the label id the jump carried (3.13: the index).
            if instr.label_arg >= 0 {
                instr.oparg = instr.label_arg;
            }
        }
    }
    for _round in 0..64 {
        let mut totsize = 0;
        for instr in instrs.iter_mut() {
            instr.offset = totsize;
            totsize += instr_size(t, instr);
        }
        let mut recompile = false;
        let mut offset = 0;
        for i in 0..instrs.len() {
            let isize = instr_size(t, &instrs[i]);
            offset += isize;
            if opcodes::has_jump(instrs[i].op) {
                let target_offset = instrs[instrs[i].target as usize].offset;
                let instr = &mut instrs[i];
                instr.oparg = if target_offset < offset { offset - target_offset } else { target_offset - offset };
                if instr.op == Op::END_ASYNC_FOR {
                    // 3.14: the distance back to the END_SEND, five code units past its SEND
                    // (SEND and its cache, YIELD_VALUE, RESUME, JUMP_BACKWARD_NO_INTERRUPT).
                    instr.oparg -= 5;
                }
                if instr_size(t, instr) != isize {
                    recompile = true;
                }
            }
        }
        if !recompile {
            return Ok(());
        }
    }
    Err(CompileError::system("jump offsets did not converge"))
}

fn write_varint(out: &mut Vec<u8>, mut val: u32) {
    while val >= 64 {
        out.push(64 | (val & 63) as u8);
        val >>= 6;
    }
    out.push(val as u8);
}

fn write_signed_varint(out: &mut Vec<u8>, val: i32) {
    let uval = if val < 0 { ((0u32.wrapping_sub(val as u32)) << 1) | 1 } else { (val as u32) << 1 };
    write_varint(out, uval);
}

const SHORT0: u8 = 0;
const ONE_LINE0: u8 = 10;
const NO_COLUMNS: u8 = 13;
const LONG: u8 = 14;
const NONE: u8 = 15;

struct LineTable {
    bytes: Vec<u8>,
    lineno: i32,
}

impl LineTable {
    fn first_byte(&mut self, code: u8, length: i32) {
        self.bytes.push(0x80 | (code << 3) | (length - 1) as u8);
    }

    fn entry(&mut self, loc: Location, isize: i32) {
        if loc.lineno == -1 {
            self.first_byte(NONE, isize);
            return;
        }
        let line_delta = loc.lineno - self.lineno;
        let column = loc.col_offset;
        let end_column = loc.end_col_offset;
        if column < 0 || end_column < 0 {
            if loc.end_lineno == loc.lineno || loc.end_lineno < 0 {
                self.first_byte(NO_COLUMNS, isize);
                write_signed_varint(&mut self.bytes, line_delta);
                self.lineno = loc.lineno;
                return;
            }
        } else if loc.end_lineno == loc.lineno {
            if line_delta == 0 && column < 80 && end_column - column < 16 && end_column >= column {
                let column_low_bits = (column & 7) as u8;
                let column_group = (column >> 3) as u8;
                self.first_byte(SHORT0 + column_group, isize);
                self.bytes.push((column_low_bits << 4) | (end_column - column) as u8);
                return;
            }
            if (0..3).contains(&line_delta) && column < 128 && end_column < 128 {
                self.first_byte(ONE_LINE0 + line_delta as u8, isize);
                self.bytes.push(column as u8);
                self.bytes.push(end_column as u8);
                self.lineno = loc.lineno;
                return;
            }
        }
        self.first_byte(LONG, isize);
        write_signed_varint(&mut self.bytes, loc.lineno - self.lineno);
        write_varint(&mut self.bytes, (loc.end_lineno - loc.lineno) as u32);
        write_varint(&mut self.bytes, (loc.col_offset + 1) as u32);
        write_varint(&mut self.bytes, (loc.end_col_offset + 1) as u32);
        self.lineno = loc.lineno;
    }

    fn emit(&mut self, loc: Location, mut isize: i32) {
        if isize == 0 {
            return;
        }
        while isize > 8 {
            self.entry(loc, 8);
            isize -= 8;
        }
        self.entry(loc, isize);
    }
}

/// `assemble_location_info`.
fn location_table(t: &OpTable, instrs: &[Instruction], firstlineno: i32) -> Vec<u8> {
    let mut lt = LineTable { bytes: Vec::new(), lineno: firstlineno };
    if t.version == PythonVersion::V3_11 {
        // 3.11's `assemble_emit_location` writes one entry per instruction, even on one line.
        for instr in instrs {
            lt.emit(instr.loc, instr_size(t, instr));
        }
        return lt.bytes;
    }
    let mut loc = crate::instr_seq::NO_LOCATION;
    let mut size = 0;
    for instr in instrs {
        if instr.loc != loc {
            lt.emit(loc, size);
            loc = instr.loc;
            size = 0;
        }
        size += instr_size(t, instr);
    }
    lt.emit(loc, size);
    lt.bytes
}

fn emit_exception_item(out: &mut Vec<u8>, value: i32, mut msb: u8) {
    const CONTINUATION: u8 = 64;
    let value = value as u32;
    for shift in [24, 18, 12, 6] {
        if value >= 1 << shift {
            out.push(((value >> shift) & 0x3f) as u8 | CONTINUATION | msb);
            msb = 0;
        }
    }
    out.push((value & 0x3f) as u8 | msb);
}

/// `assemble_exception_table`.
fn exception_table(t: &OpTable, instrs: &[Instruction]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut handler = crate::instr_seq::ExceptHandlerInfo::default();
    let mut start = -1;
    let mut ioffset = 0;
    let emit = |out: &mut Vec<u8>, start: i32, end: i32, h: &crate::instr_seq::ExceptHandlerInfo| {
        let target = instrs[h.label as usize].offset;
        let mut depth = h.startdepth - 1;
        if h.preserve_lasti {
            depth -= 1;
        }
        let depth_lasti = (depth << 1) | h.preserve_lasti as i32;
        emit_exception_item(out, start, 1 << 7);
        emit_exception_item(out, end - start, 0);
        emit_exception_item(out, target, 0);
        emit_exception_item(out, depth_lasti, 0);
    };
    for instr in instrs {
        if instr.except.label != handler.label {
            if handler.label >= 0 {
                emit(&mut out, start, ioffset, &handler);
            }
            start = ioffset;
            handler = instr.except;
        }
        ioffset += instr_size(t, instr);
    }
    if handler.label >= 0 {
        emit(&mut out, start, ioffset, &handler);
    }
    out
}

fn write_code(t: &OpTable, instrs: &[Instruction]) -> CompileResult<Vec<u8>> {
    // Offsets are resolved: the last instruction's end is the size in code units.
    let units = instrs.last().map_or(0, |i| i.offset + instr_size(t, i)).max(0) as usize;
    let mut code = Vec::with_capacity(2 * units);
    let extended_arg = t.number(Op::EXTENDED_ARG).unwrap_or(0);
    let cache = t.number(Op::CACHE).unwrap_or(0);
    for instr in instrs {
        let number = t
            .number(instr.op)
            .ok_or_else(|| CompileError::system(format!("{} has no opcode in this version", instr.op.name())))?;
        let oparg = instr.oparg as u32;
        let ilen = instr_size(t, instr) - t.caches(instr.op) as i32;
        for k in (1..ilen).rev() {
            code.push(extended_arg);
            code.push(((oparg >> (8 * k)) & 0xFF) as u8);
        }
        code.push(number);
        code.push((oparg & 0xFF) as u8);
        for _ in 0..t.caches(instr.op) {
            code.push(cache);
            code.push(0);
        }
    }
    Ok(code)
}

/// `compute_localsplus_info`: names and kinds of locals, cells and free variables.
fn localsplus(md: &CodeUnitMetadata, nlocalsplus: usize) -> Vec<(String, u8)> {
    let mut out: Vec<(String, u8)> = vec![(String::new(), 0); nlocalsplus];
    for (offset, k) in md.varnames.iter().enumerate() {
        let mut kind = CO_FAST_LOCAL;
        if md.fasthidden.contains_key(k) {
            kind |= CO_FAST_HIDDEN;
        }
        if md.cellvars.contains(k) {
            kind |= CO_FAST_CELL;
        }
        if offset < nlocalsplus {
            out[offset] = (k.clone(), kind);
        }
    }
    let nlocals = md.varnames.len();
    let mut numdropped = 0;
    for (v, k) in md.cellvars.iter().enumerate() {
        if md.varnames.contains(k) {
            numdropped += 1;
            continue;
        }
        let offset = v + nlocals - numdropped;
        if offset < nlocalsplus {
            out[offset] = (k.clone(), CO_FAST_CELL);
        }
    }
    for (v, k) in md.freevars.iter().enumerate() {
        let offset = md.cellvars.len() + v + nlocals - numdropped;
        if offset < nlocalsplus {
            out[offset] = (k.clone(), CO_FAST_FREE);
        }
    }
    out
}

/// `_PyAssemble_MakeCodeObject`.
pub fn make_code_object(
    md: &CodeUnitMetadata,
    unit: OptimizedUnit,
    code_flags: u32,
    filename: &str,
    version: PythonVersion,
) -> CompileResult<CodeObject> {
    let t = table(version);
    let OptimizedUnit { mut instrs, consts, stackdepth, nlocalsplus } = unit;
    instrs.resolve_next_locations();
    instrs.apply_label_map(opcodes::has_target);
    let instrs = &mut instrs.instrs;
    resolve_unconditional_jumps(instrs);
    resolve_jump_offsets(t, instrs)?;
    let code = write_code(t, instrs)?;
    let linetable = location_table(t, instrs, md.firstlineno);
    let exceptiontable = exception_table(t, instrs);
    Ok(CodeObject {
        name: md.name.clone(),
        qualname: if md.qualname.is_empty() { md.name.clone() } else { md.qualname.clone() },
        filename: filename.to_string(),
        firstlineno: md.firstlineno.max(0) as u32,
        argcount: md.posonlyargcount + md.argcount,
        posonlyargcount: md.posonlyargcount,
        kwonlyargcount: md.kwonlyargcount,
        // `init_code`: from 3.13 a zero stack size is stored as 1.
        stacksize: if version >= PythonVersion::V3_13 { stackdepth.max(1) } else { stackdepth } as u32,
        flags: code_flags,
        code,
        consts,
        names: md.names.iter().cloned().collect(),
        localsplus: localsplus(md, nlocalsplus.max(0) as usize),
        linetable,
        exceptiontable,
        source: md.source,
    })
}
