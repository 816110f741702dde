//! `optimize_cfg` as CPython 3.12 runs it (3.12 `flowgraph.c`): empty blocks are unlinked,
//! small exit blocks inlined once per block (before and after the peepholes), and one
//! `optimize_basic_block` does the constant, tuple, jump-threading, swap and `PUSH_NULL`
//! peepholes in a single walk. The passes 3.12 shares with 3.13 live in `optimize`.

use super::optimize::{
    fold_tuple_on_constants, remove_redundant_nops, remove_redundant_nops_and_pairs, remove_unreachable,
    swap_peepholes, MAX_COPY_SIZE,
};
use super::*;
use crate::consts;
use crate::error::CompileError;

pub fn optimize_cfg(g: &mut Cfg, consts: &mut Vec<ConstValue>) -> CompileResult<()> {
    super::optimize::check_cfg(g)?;
    eliminate_empty_basic_blocks(g);
    inline_small_exit_blocks(g);
    for b in g.order() {
        optimize_basic_block(g, b, consts);
    }
    remove_redundant_nops_and_pairs(g);
    inline_small_exit_blocks(g);
    // `mark_reachable` and the deletion of what it did not reach.
    remove_unreachable(g);
    remove_redundant_nops(g);
    eliminate_empty_basic_blocks(g);
    remove_redundant_jumps(g)
}

/// `eliminate_empty_basic_blocks`: unlinks empty blocks and points jumps past them.
pub fn eliminate_empty_basic_blocks(g: &mut Cfg) {
    for b in g.order() {
        let next = g.next_nonempty_block(g.blocks[b].next);
        g.blocks[b].next = next;
    }
    if let Some(entry) = g.next_nonempty_block(Some(g.entry)) {
        g.entry = entry;
    }
    for b in g.order() {
        for i in 0..g.blocks[b].instrs.len() {
            let instr = g.blocks[b].instrs[i];
            if opcodes::has_target(instr.op) {
                let target = g.next_nonempty_block(instr.target.get());
                g.blocks[b].instrs[i].target = target.into();
            }
        }
    }
}

/// `inline_small_exit_blocks`: a jump to a scope exit of at most four instructions becomes a
/// copy of it, once per block in layout order.
fn inline_small_exit_blocks(g: &mut Cfg) {
    for b in g.order() {
        let Some(last) = g.blocks[b].last().copied() else { continue };
        if !opcodes::is_unconditional_jump(last.op) {
            continue;
        }
        let target = last.target.get().expect("jump target");
        if g.blocks[target].exits_scope() && g.blocks[target].instrs.len() <= MAX_COPY_SIZE {
            let n = g.blocks[b].instrs.len();
            g.blocks[b].instrs[n - 1].set_op0(Op::NOP);
            let appended = g.blocks[target].instrs.clone();
            g.blocks[b].instrs.extend(appended);
        }
    }
}

/// 3.11's and 3.12's `jump_thread`: retargets in place, and only within one line (3.12 also
/// through a jump without a line).
pub(super) fn jump_thread(g: &mut Cfg, bb: BlockId, i: usize, target: CfgInstr, op: Op) -> bool {
    let v312 = g.version >= PythonVersion::V3_12;
    let inst = &mut g.blocks[bb].instrs[i];
    let same_line = inst.loc.lineno == target.loc.lineno || (v312 && target.loc.lineno == -1);
    if same_line && inst.target != target.target {
        inst.target = target.target;
        inst.op = op;
        return true;
    }
    false
}

/// 3.12's `optimize_basic_block`.
fn optimize_basic_block(g: &mut Cfg, bb: BlockId, consts: &mut Vec<ConstValue>) {
    let nop = CfgInstr::new(Op::NOP, 0, NO_LOC);
    let mut target = nop;
    let mut opcode = Op::NOP;
    let mut oparg = 0;
    let mut i = 0usize;
    while i < g.blocks[bb].instrs.len() {
        let inst = g.blocks[bb].instrs[i];
        let is_copy_of_load_const = opcode == Op::LOAD_CONST && inst.op == Op::COPY && inst.oparg == 1;
        if !is_copy_of_load_const {
            opcode = inst.op;
            oparg = inst.oparg;
            target = match inst.target.get() {
                Some(t) if opcodes::has_target(opcode) => g.blocks[t].instrs.first().copied().unwrap_or(nop),
                _ => nop,
            };
        }
        let len = g.blocks[bb].instrs.len();
        let next = g.blocks[bb].instrs.get(i + 1).copied();
        let nextop = next.map(|n| n.op);
        match opcode {
            Op::LOAD_CONST => match nextop {
                Some(Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE) => {
                    let is_true = consts::is_true(&consts[oparg as usize]);
                    let instrs = &mut g.blocks[bb].instrs;
                    instrs[i].set_op0(Op::NOP);
                    if is_true == (nextop == Some(Op::POP_JUMP_IF_TRUE)) {
                        instrs[i + 1].op = Op::JUMP;
                    } else {
                        instrs[i + 1].set_op0(Op::NOP);
                    }
                }
                Some(Op::IS_OP) if matches!(consts[oparg as usize], ConstValue::None) && len > i + 2 => {
                    let instrs = &mut g.blocks[bb].instrs;
                    let jump = instrs[i + 2].op;
                    if matches!(jump, Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE) {
                        let invert = (instrs[i + 1].oparg != 0) != (jump == Op::POP_JUMP_IF_FALSE);
                        instrs[i].set_op0(Op::NOP);
                        instrs[i + 1].set_op0(Op::NOP);
                        instrs[i + 2].op = if invert { Op::POP_JUMP_IF_NOT_NONE } else { Op::POP_JUMP_IF_NONE };
                    }
                }
                Some(Op::RETURN_VALUE) => {
                    let instrs = &mut g.blocks[bb].instrs;
                    instrs[i].set_op0(Op::NOP);
                    i += 1;
                    instrs[i].set_op1(Op::RETURN_CONST, oparg);
                }
                _ => {}
            },
            Op::BUILD_TUPLE => {
                if nextop == Some(Op::UNPACK_SEQUENCE) && next.is_some_and(|n| n.oparg == oparg) && (1..=3).contains(&oparg) {
                    let instrs = &mut g.blocks[bb].instrs;
                    instrs[i].set_op0(Op::NOP);
                    if oparg == 1 {
                        instrs[i + 1].set_op0(Op::NOP);
                    } else {
                        instrs[i + 1].op = Op::SWAP;
                    }
                    i += 1;
                    continue;
                }
                if i >= oparg as usize {
                    fold_tuple_on_constants(g, bb, i, oparg as usize, consts);
                }
            }
            Op::POP_JUMP_IF_NOT_NONE | Op::POP_JUMP_IF_NONE | Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE | Op::JUMP
                if target.op == Op::JUMP && jump_thread(g, bb, i, target, opcode) =>
            {
                // Look at the rethreaded jump again.
                continue;
            }
            Op::SWAP => {
                if oparg == 1 {
                    g.blocks[bb].instrs[i].set_op0(Op::NOP);
                } else {
                    swap_peepholes(&mut g.blocks[bb].instrs, &mut i, g.version);
                }
            }
            Op::PUSH_NULL => {
                if let Some(n) = next.filter(|n| n.op == Op::LOAD_GLOBAL && n.oparg & 1 == 0) {
                    let instrs = &mut g.blocks[bb].instrs;
                    instrs[i].set_op0(Op::NOP);
                    instrs[i + 1].oparg = n.oparg | 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// 3.12's `remove_redundant_jumps`: one pass; a jump to the very next block becomes a NOP.
pub(super) fn remove_redundant_jumps(g: &mut Cfg) -> CompileResult<()> {
    for b in g.order() {
        let Some(last) = g.blocks[b].last().copied() else { continue };
        if opcodes::is_unconditional_jump(last.op) {
            let Some(target) = last.target.get() else {
                return Err(CompileError::system("jump with NULL target"));
            };
            if Some(target) == g.blocks[b].next {
                g.blocks[b].instrs.last_mut().expect("instr").set_op0(Op::NOP);
            }
        }
    }
    Ok(())
}
