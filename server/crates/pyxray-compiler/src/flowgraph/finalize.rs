//! From the optimized CFG to a linear instruction sequence
//! (`_PyCfg_OptimizedCfgToInstructionSequence`): stack depth, the localsplus layout with
//! `MAKE_CELL`/`COPY_FREE_VARS`/`RETURN_GENERATOR` prefixes, pseudo-op conversion and forward-only
//! conditional jumps.

use super::*;
use crate::error::CompileError;
use crate::instr_seq::ExceptHandlerInfo;
use pyxray_bytecode::code::flags::{CO_ASYNC_GENERATOR, CO_COROUTINE, CO_GENERATOR};
use pyxray_bytecode::opcode::stack_effect;

fn effect(version: PythonVersion, instr: &CfgInstr, jump: bool) -> CompileResult<i32> {
    stack_effect(version, instr.op, instr.oparg.max(0) as u32, Some(jump)).ok_or_else(|| {
        CompileError::system(format!("Invalid stack effect for opcode={}, arg={}", instr.op.name(), instr.oparg))
    })
}

/// `calculate_stackdepth`.
pub fn calculate_stackdepth(g: &mut Cfg) -> CompileResult<i32> {
    calculate_stackdepth_from(g, 0)
}

/// `calculate_stackdepth` with the entry block starting at `entry_depth` (3.11's generators
/// start at 1: its RETURN_GENERATOR pushes nothing).
pub fn calculate_stackdepth_from(g: &mut Cfg, entry_depth: i32) -> CompileResult<i32> {
    let order = g.order();
    for &b in &order {
        g.blocks[b].startdepth = i32::MIN;
    }
    let mut stack: Vec<BlockId> = Vec::new();
    let mut maxdepth = 0;
    let push = |g: &mut Cfg, stack: &mut Vec<BlockId>, b: BlockId, depth: i32| -> CompileResult<()> {
        let sd = g.blocks[b].startdepth;
        if !(sd < 0 || sd == depth) {
            return Err(CompileError::system("Invalid CFG, inconsistent stackdepth"));
        }
        if sd < depth && sd < 100 {
            g.blocks[b].startdepth = depth;
            stack.push(b);
        }
        Ok(())
    };
    push(g, &mut stack, g.entry, entry_depth)?;
    while let Some(b) = stack.pop() {
        let mut depth = g.blocks[b].startdepth;
        let mut next = g.blocks[b].next;
        for i in 0..g.blocks[b].instrs.len() {
            let instr = g.blocks[b].instrs[i];
            let new_depth = depth + effect(g.version, &instr, false)?;
            if new_depth < 0 {
                return Err(CompileError::system("Invalid CFG, stack underflow"));
            }
            maxdepth = maxdepth.max(new_depth);
            if opcodes::has_target(instr.op) && instr.op != Op::END_ASYNC_FOR {
                let target_depth = depth + effect(g.version, &instr, true)?;
                maxdepth = maxdepth.max(target_depth);
                push(g, &mut stack, instr.target.get().expect("target"), target_depth)?;
            }
            depth = new_depth;
            if opcodes::is_unconditional_jump(instr.op) || opcodes::is_scope_exit(instr.op) {
                next = None;
                break;
            }
        }
        if let Some(n) = next {
            push(g, &mut stack, n, depth)?;
        }
    }
    Ok(maxdepth)
}

/// `build_cellfixedoffsets`: where each cell/free variable lives in localsplus (a parameter that
/// is also a cell keeps its parameter slot).
fn build_cellfixedoffsets(md: &CodeUnitMetadata) -> Vec<i32> {
    let nlocals = md.varnames.len() as i32;
    let noffsets = md.cellvars.len() + md.freevars.len();
    let mut fixed: Vec<i32> = (0..noffsets as i32).map(|i| nlocals + i).collect();
    for (cellindex, name) in md.cellvars.iter().enumerate() {
        if let Some(varindex) = md.varnames.get_index_of(name) {
            fixed[cellindex] = varindex as i32;
        }
    }
    fixed
}

fn insert_prefix_instructions(g: &mut Cfg, md: &CodeUnitMetadata, fixed: &[i32], code_flags: u32) {
    let entry = g.entry;
    let before = g.blocks[entry].instrs.len();
    if code_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR) != 0 {
        let loc = Location::new(md.firstlineno, md.firstlineno, -1, -1);
        g.blocks[entry].instrs.insert(0, CfgInstr::new(Op::RETURN_GENERATOR, 0, loc));
        // 3.12 leaves the POP_TOP without a location.
        let pop_loc = if g.version <= PythonVersion::V3_12 { NO_LOC } else { loc };
        g.blocks[entry].instrs.insert(1, CfgInstr::new(Op::POP_TOP, 0, pop_loc));
    }
    let ncellvars = md.cellvars.len();
    if ncellvars > 0 {
        let nvars = ncellvars + md.varnames.len();
        let mut sorted = vec![0usize; nvars];
        for (i, &f) in fixed.iter().take(ncellvars).enumerate() {
            sorted[f as usize] = i + 1;
        }
        let mut ncellsused = 0;
        for &s in &sorted {
            if ncellsused >= ncellvars {
                break;
            }
            if s == 0 {
                continue;
            }
            g.blocks[entry].instrs.insert(ncellsused, CfgInstr::new(Op::MAKE_CELL, (s - 1) as i32, NO_LOC));
            ncellsused += 1;
        }
    }
    let nfreevars = md.freevars.len();
    if nfreevars > 0 {
        g.blocks[entry].instrs.insert(0, CfgInstr::new(Op::COPY_FREE_VARS, nfreevars as i32, NO_LOC));
    }
    let added = g.blocks[entry].instrs.len() - before;
    g.blocks[entry].consume_stale(added);
}

fn fix_cell_offsets(g: &mut Cfg, md: &CodeUnitMetadata, fixedmap: &mut [i32]) -> i32 {
    let nlocals = md.varnames.len() as i32;
    let mut numdropped = 0;
    for (i, f) in fixedmap.iter_mut().enumerate() {
        if *f == i as i32 + nlocals {
            *f -= numdropped;
        } else {
            numdropped += 1;
        }
    }
    for b in g.order() {
        for instr in g.blocks[b].instrs.iter_mut() {
            if matches!(
                instr.op,
                Op::MAKE_CELL
                    | Op::LOAD_CLOSURE
                    | Op::LOAD_DEREF
                    | Op::STORE_DEREF
                    | Op::DELETE_DEREF
                    | Op::LOAD_FROM_DICT_OR_DEREF
                    | Op::LOAD_CLASSDEREF
            ) {
                if let Some(&f) = fixedmap.get(instr.oparg as usize) {
                    instr.oparg = f;
                }
            }
        }
    }
    numdropped
}

/// `prepare_localsplus`: returns the number of localsplus slots.
pub fn prepare_localsplus(g: &mut Cfg, md: &CodeUnitMetadata, code_flags: u32) -> i32 {
    let nlocalsplus = (md.varnames.len() + md.cellvars.len() + md.freevars.len()) as i32;
    let mut fixed = build_cellfixedoffsets(md);
    insert_prefix_instructions(g, md, &fixed, code_flags);
    let numdropped = fix_cell_offsets(g, md, &mut fixed);
    nlocalsplus - numdropped
}

/// `convert_pseudo_ops`.
pub fn convert_pseudo_ops(g: &mut Cfg) {
    let version = g.version;
    for b in g.order() {
        for instr in g.blocks[b].instrs.iter_mut() {
            if opcodes::is_block_push(instr.op) || instr.op == Op::POP_BLOCK {
                instr.set_op0(Op::NOP);
            } else if instr.op == Op::LOAD_CLOSURE && version >= PythonVersion::V3_13 {
                instr.op = Op::LOAD_FAST;
            } else if instr.op == Op::STORE_FAST_MAYBE_NULL {
                instr.op = Op::STORE_FAST;
            }
        }
    }
    if version <= PythonVersion::V3_12 {
        optimize::remove_redundant_nops(g);
    } else {
        let _ = optimize::remove_redundant_nops_and_jumps(g);
    }
}

/// `normalize_jumps`: a backward conditional jump becomes an inverted forward jump over a
/// `JUMP` back.
pub fn normalize_jumps(g: &mut Cfg) {
    for b in g.order() {
        g.blocks[b].visited = false;
    }
    let mut b = Some(g.entry);
    while let Some(id) = b {
        g.blocks[id].visited = true;
        normalize_jumps_in_block(g, id);
        b = g.blocks[id].next;
    }
}

fn normalize_jumps_in_block(g: &mut Cfg, b: BlockId) {
    let Some(last) = g.blocks[b].last().copied() else { return };
    if !opcodes::has_jump(last.op) || opcodes::is_unconditional_jump(last.op) {
        return;
    }
    let v314 = g.version >= PythonVersion::V3_14;
    if v314 && !is_conditional_jump(last.op) {
        return;
    }
    let target = last.target.get().expect("jump target");
    if !g.blocks[target].visited {
        if v314 {
            g.blocks[b].push_unset_except(CfgInstr::new(Op::NOT_TAKEN, 0, last.loc));
        }
        return;
    }
    let reversed = match last.op {
        Op::POP_JUMP_IF_NOT_NONE => Op::POP_JUMP_IF_NONE,
        Op::POP_JUMP_IF_NONE => Op::POP_JUMP_IF_NOT_NONE,
        Op::POP_JUMP_IF_FALSE => Op::POP_JUMP_IF_TRUE,
        Op::POP_JUMP_IF_TRUE => Op::POP_JUMP_IF_FALSE,
        _ => return,
    };
    let backwards_jump = g.new_block();
    if v314 {
        g.blocks[backwards_jump].push_unset_except(CfgInstr::new(Op::NOT_TAKEN, 0, last.loc));
        g.blocks[backwards_jump].startdepth = g.blocks[target].startdepth;
    }
    g.add_jump(backwards_jump, Op::JUMP, target, last.loc);
    let next = g.blocks[b].next;
    let n = g.blocks[b].instrs.len();
    let l = &mut g.blocks[b].instrs[n - 1];
    l.op = reversed;
    l.target = next.into();
    g.blocks[backwards_jump].cold = g.blocks[b].cold;
    g.blocks[backwards_jump].next = next;
    g.blocks[b].next = Some(backwards_jump);
}

/// `IS_CONDITIONAL_JUMP_OPCODE`.
fn is_conditional_jump(op: Op) -> bool {
    matches!(op, Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE | Op::POP_JUMP_IF_NONE | Op::POP_JUMP_IF_NOT_NONE)
}

/// `convert_pseudo_conditional_jumps` (3.14): `JUMP_IF_FALSE`/`JUMP_IF_TRUE` (the `and`/`or`
/// jumps that keep their operand) become `COPY 1; TO_BOOL; POP_JUMP_IF_FALSE/TRUE`.
pub fn convert_pseudo_conditional_jumps(g: &mut Cfg) {
    for b in g.order() {
        let mut i = 0;
        while i < g.blocks[b].instrs.len() {
            let instr = g.blocks[b].instrs[i];
            if matches!(instr.op, Op::JUMP_IF_FALSE | Op::JUMP_IF_TRUE) {
                let op = if instr.op == Op::JUMP_IF_FALSE { Op::POP_JUMP_IF_FALSE } else { Op::POP_JUMP_IF_TRUE };
                g.blocks[b].instrs[i].op = op;
                g.blocks[b].consume_stale(2);
                // The two new instructions share the jump's handler.
                let mut copy = CfgInstr::new(Op::COPY, 1, instr.loc);
                copy.except = instr.except;
                let mut to_bool = CfgInstr::new(Op::TO_BOOL, 0, instr.loc);
                to_bool.except = instr.except;
                g.blocks[b].instrs.insert(i, copy);
                g.blocks[b].instrs.insert(i + 1, to_bool);
                i += 2;
            }
            i += 1;
        }
    }
}

/// `_PyCfg_ToInstructionSequence`: labels become block numbers in layout order; each instruction
/// carries its exception handler.
pub fn to_instruction_sequence(g: &mut Cfg) -> InstrSequence {
    let order = g.order();
    let mut label_of = vec![-1i32; g.blocks.len()];
    for (lbl, &b) in order.iter().enumerate() {
        label_of[b] = lbl as i32;
        g.blocks[b].label = lbl as i32;
    }
    let mut seq = InstrSequence::default();
    seq.instrs.reserve(order.iter().map(|&b| g.blocks[b].instrs.len()).sum());
    for &b in &order {
        let lbl = crate::instr_seq::Label(g.blocks[b].label);
        seq.use_label(lbl);
        for instr in &g.blocks[b].instrs {
            let mut oparg = instr.oparg;
            if opcodes::has_target(instr.op) {
                oparg = label_of[instr.target.get().expect("target")];
            }
            seq.addop(instr.op, oparg, instr.loc);
            let last = seq.instrs.last_mut().expect("instr");
            if g.version <= PythonVersion::V3_12 && opcodes::has_jump(instr.op) {
                // 3.11 sizes the first round with the zero oparg codegen left in jumps.
                last.label_arg = if g.version == PythonVersion::V3_11 { 0 } else { instr.oparg };
            }
            last.except = match instr.except.get() {
                Some(h) => ExceptHandlerInfo {
                    label: label_of[h],
                    startdepth: g.blocks[h].startdepth,
                    preserve_lasti: g.blocks[h].preserve_lasti,
                },
                None => ExceptHandlerInfo::default(),
            };
        }
    }
    seq
}
