//! The CFG half of CPython 3.11's `assemble()` (3.11 `compile.c`): the prefix instructions go in
//! first, then `extend_block`, one `optimize_basic_block` + `clean_basic_block` per block,
//! reachability, exits without a line duplicated, trailing unused constants trimmed, line
//! numbers propagated, stack depth, exception targets labelled and finally `normalize_jumps`,
//! which gives every jump its direction (`POP_JUMP_FORWARD_IF_*`, `JUMP_BACKWARD`, …).
//!
//! 3.11 keeps blocks in `b_list`, newest first, and some passes walk that list: the order is
//! rebuilt from when codegen made each label and where each implicit block began.

use super::optimize::{fold_tuple_on_constants, swap_peepholes, MAX_COPY_SIZE};
use super::optimize_312::jump_thread;
use super::*;
use crate::consts;

/// Everything `assemble()` does between building the CFG and emitting code.
pub fn assemble_cfg(
    g: &mut Cfg,
    consts: &mut Vec<ConstValue>,
    md: &CodeUnitMetadata,
    code_flags: u32,
    allocation: &[(i32, i32, i32)],
) -> CompileResult<(i32, i32)> {
    let b_list = |g: &Cfg| b_list(g, allocation);
    normalize_basic_blocks(g);
    for b in b_list(g) {
        extend_block(g, b);
    }
    let nlocalsplus = finalize::prepare_localsplus(g, md, code_flags);
    optimize_cfg(g, consts, &b_list(g));
    duplicate_exits_without_lineno(g, &b_list(g));
    trim_unused_consts(g, consts);
    passes::propagate_line_numbers(g);
    passes::guarantee_lineno_for_exits(g, md.firstlineno);
    let generator = code_flags & GENERATOR_FLAGS != 0;
    let stackdepth = finalize::calculate_stackdepth_from(g, generator as i32)?;
    build::label_exception_targets(g);
    convert_exception_handlers_to_nops(g);
    for b in g.order() {
        clean_basic_block(g, b);
    }
    normalize_jumps(g);
    Ok((stackdepth, nlocalsplus))
}

const GENERATOR_FLAGS: u32 = pyxray_bytecode::code::flags::CO_GENERATOR
    | pyxray_bytecode::code::flags::CO_COROUTINE
    | pyxray_bytecode::code::flags::CO_ASYNC_GENERATOR;

/// When 3.11 allocated each block of the freshly built CFG, as a sort key: a labelled block
/// when its label was made, an implicit one (after a jump or exit) when its first instruction
/// was emitted, just after any label made at that point.
pub fn allocation_order(g: &Cfg, seq: &InstrSequence) -> Vec<(i32, i32, i32)> {
    let mut keys = vec![(i32::MAX, 0, 0); g.blocks.len()];
    let mut start = 0i32;
    for b in g.order() {
        let label = g.blocks[b].label;
        keys[b] = match seq.label_created_at.get(label.max(0) as usize) {
            _ if b == g.entry => (-1, 0, 0),
            Some(&created) if label >= 0 => (created, 0, label),
            _ => (start, 1, 0),
        };
        start += g.blocks[b].instrs.len() as i32;
    }
    keys
}

/// The blocks in the order of 3.11's `b_list` walks: newest first (blocks the passes added
/// are newer than all of codegen's).
fn b_list(g: &Cfg, allocation: &[(i32, i32, i32)]) -> Vec<BlockId> {
    let mut order = g.order();
    let key = |b: BlockId| allocation.get(b).copied().unwrap_or((i32::MAX, b as i32, 0));
    order.sort_by_key(|&b| std::cmp::Reverse(key(b)));
    order
}

/// `normalize_basic_block`: jumps skip over empty blocks.
fn normalize_basic_blocks(g: &mut Cfg) {
    for b in g.order() {
        if let Some(i) = g.blocks[b].instrs.len().checked_sub(1) {
            if opcodes::has_jump(g.blocks[b].instrs[i].op) {
                let target = g.next_nonempty_block(g.blocks[b].instrs[i].target.get());
                g.blocks[b].instrs[i].target = target.into();
            }
        }
    }
}

/// `extend_block`: a block ending in a plain jump to a small exit block without line numbers
/// (an implicit `return None`) gets a copy of that block instead.
fn extend_block(g: &mut Cfg, b: BlockId) {
    let Some(last) = g.blocks[b].last().copied() else { return };
    if !matches!(last.op, Op::JUMP | Op::JUMP_FORWARD | Op::JUMP_BACKWARD) {
        return;
    }
    let Some(to_copy) = last.target.get() else { return };
    let target = &g.blocks[to_copy];
    if !target.exits_scope() || target.instrs.len() > MAX_COPY_SIZE || !target.has_no_lineno() {
        return;
    }
    let copied = target.instrs.clone();
    let n = g.blocks[b].instrs.len();
    g.blocks[b].instrs[n - 1].set_op0(Op::NOP);
    g.blocks[b].instrs.extend(copied);
}

/// `clean_basic_block`: drops the NOPs no line event needs.
fn clean_basic_block(g: &mut Cfg, bb: BlockId) {
    super::optimize::basicblock_remove_redundant_nops(g, bb);
}

/// 3.11's `optimize_basic_block`.
fn optimize_basic_block(g: &mut Cfg, bb: BlockId, consts: &mut Vec<ConstValue>) {
    let nop = CfgInstr::new(Op::NOP, 0, NO_LOC);
    let mut i: isize = 0;
    while (i as usize) < g.blocks[bb].instrs.len() {
        let iu = i as usize;
        let mut inst = g.blocks[bb].instrs[iu];
        let oparg = inst.oparg;
        let next = g.blocks[bb].instrs.get(iu + 1).copied();
        let nextop = next.map(|n| n.op);
        let target = match inst.target.get() {
            Some(t) if opcodes::has_target(inst.op) => {
                let t = g.next_nonempty_block(Some(t)).expect("jump target");
                g.blocks[bb].instrs[iu].target = Some(t).into();
                inst.target = Some(t).into();
                g.blocks[t].instrs[0]
            }
            _ => nop,
        };
        let same_line = inst.loc.lineno == target.loc.lineno;
        let instrs = &mut g.blocks[bb].instrs;
        match inst.op {
            Op::LOAD_CONST => match nextop {
                Some(Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE) => {
                    // 3.11 turns instructions into NOPs keeping their oparg (jumps have none).
                    let is_true = consts::is_true(&consts[oparg as usize]);
                    instrs[iu].op = Op::NOP;
                    let jump = nextop == Some(Op::POP_JUMP_IF_TRUE);
                    instrs[iu + 1].op = if is_true == jump { Op::JUMP } else { Op::NOP };
                    instrs[iu + 1].oparg = 0;
                }
                Some(Op::JUMP_IF_FALSE_OR_POP | Op::JUMP_IF_TRUE_OR_POP) => {
                    let is_true = consts::is_true(&consts[oparg as usize]);
                    if is_true == (nextop == Some(Op::JUMP_IF_TRUE_OR_POP)) {
                        instrs[iu + 1].op = Op::JUMP;
                    } else {
                        instrs[iu].op = Op::NOP;
                        instrs[iu + 1].set_op0(Op::NOP);
                    }
                }
                Some(Op::IS_OP) if matches!(consts[oparg as usize], ConstValue::None) => {
                    let jump = instrs.get(iu + 2).map(|j| j.op);
                    if let Some(jump @ (Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE)) = jump {
                        let invert = (instrs[iu + 1].oparg != 0) != (jump == Op::POP_JUMP_IF_FALSE);
                        instrs[iu].op = Op::NOP;
                        instrs[iu + 1].op = Op::NOP;
                        instrs[iu + 2].op = if invert { Op::POP_JUMP_IF_NOT_NONE } else { Op::POP_JUMP_IF_NONE };
                    }
                }
                _ => {}
            },
            Op::BUILD_TUPLE => {
                if nextop == Some(Op::UNPACK_SEQUENCE) && next.is_some_and(|n| n.oparg == oparg) && (1..=3).contains(&oparg) {
                    instrs[iu].op = Op::NOP;
                    instrs[iu + 1].op = if oparg == 1 { Op::NOP } else { Op::SWAP };
                    i += 1;
                    continue;
                }
                if iu >= oparg as usize {
                    fold_tuple_on_constants(g, bb, iu, oparg as usize, consts);
                }
            }
            Op::JUMP_IF_FALSE_OR_POP | Op::JUMP_IF_TRUE_OR_POP => {
                let (same, opposite) = if inst.op == Op::JUMP_IF_FALSE_OR_POP {
                    (Op::POP_JUMP_IF_FALSE, Op::POP_JUMP_IF_TRUE)
                } else {
                    (Op::POP_JUMP_IF_TRUE, Op::POP_JUMP_IF_FALSE)
                };
                let other_or_pop =
                    if inst.op == Op::JUMP_IF_FALSE_OR_POP { Op::JUMP_IF_TRUE_OR_POP } else { Op::JUMP_IF_FALSE_OR_POP };
                if target.op == same {
                    i -= jump_thread(g, bb, iu, target, same) as isize;
                } else if target.op == Op::JUMP || target.op == inst.op {
                    i -= jump_thread(g, bb, iu, target, inst.op) as isize;
                } else if (target.op == other_or_pop || target.op == opposite) && same_line {
                    // The test fails again at the target: jump past it, popping the value.
                    let t = inst.target.get().expect("jump target");
                    let past = g.blocks[t].next;
                    let instr = &mut g.blocks[bb].instrs[iu];
                    instr.op = same;
                    instr.target = past.into();
                    i -= 1;
                }
            }
            Op::POP_JUMP_IF_NOT_NONE | Op::POP_JUMP_IF_NONE | Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE | Op::JUMP
                if target.op == Op::JUMP =>
            {
                i -= jump_thread(g, bb, iu, target, inst.op) as isize;
            }
            Op::SWAP => {
                if oparg == 1 {
                    instrs[iu].op = Op::NOP;
                } else {
                    let mut j = iu;
                    swap_peepholes(instrs, &mut j, PythonVersion::V3_11);
                    i = j as isize;
                }
            }
            Op::PUSH_NULL => {
                if let Some(n) = next.filter(|n| n.op == Op::LOAD_GLOBAL && n.oparg & 1 == 0) {
                    instrs[iu].set_op0(Op::NOP);
                    instrs[iu + 1].oparg = n.oparg | 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// `mark_reachable`: counts each block's predecessors from the entry.
fn mark_reachable(g: &mut Cfg) {
    for b in g.order() {
        g.blocks[b].predecessors = 0;
    }
    let entry = g.entry;
    g.blocks[entry].predecessors = 1;
    let mut stack = vec![entry];
    while let Some(b) = stack.pop() {
        if let Some(next) = g.blocks[b].next.filter(|_| g.blocks[b].has_fallthrough()) {
            if g.blocks[next].predecessors == 0 {
                stack.push(next);
            }
            g.blocks[next].predecessors += 1;
        }
        for i in 0..g.blocks[b].instrs.len() {
            if let Some(t) = g.target_of(b, i, opcodes::has_target) {
                if g.blocks[t].predecessors == 0 {
                    stack.push(t);
                }
                g.blocks[t].predecessors += 1;
            }
        }
    }
}

/// 3.11's `eliminate_empty_basic_blocks`.
fn eliminate_empty_basic_blocks(g: &mut Cfg) {
    for b in g.order() {
        let mut next = g.blocks[b].next;
        while let Some(n) = next.filter(|&n| g.blocks[n].instrs.is_empty() && g.blocks[n].next.is_some()) {
            next = g.blocks[n].next;
        }
        g.blocks[b].next = next;
    }
    for b in g.order() {
        if let Some(i) = g.blocks[b].instrs.len().checked_sub(1) {
            if opcodes::has_jump(g.blocks[b].instrs[i].op) {
                let target = g.next_nonempty_block(g.blocks[b].instrs[i].target.get());
                g.blocks[b].instrs[i].target = target.into();
            }
        }
    }
}

/// 3.11's `optimize_cfg`.
fn optimize_cfg(g: &mut Cfg, consts: &mut Vec<ConstValue>, b_list: &[BlockId]) {
    for b in g.order() {
        optimize_basic_block(g, b, consts);
        clean_basic_block(g, b);
    }
    for &b in b_list {
        extend_block(g, b);
    }
    mark_reachable(g);
    for b in g.order() {
        if g.blocks[b].predecessors == 0 {
            g.blocks[b].instrs.clear();
        }
    }
    eliminate_empty_basic_blocks(g);
    for b in g.order() {
        clean_basic_block(g, b);
    }
    let mut maybe_empty_blocks = false;
    for b in g.order() {
        let Some(last) = g.blocks[b].last().copied() else { continue };
        if matches!(last.op, Op::JUMP | Op::JUMP_NO_INTERRUPT) && last.target.get() == g.blocks[b].next {
            g.blocks[b].instrs.last_mut().expect("instr").set_op0(Op::NOP);
            maybe_empty_blocks = true;
        }
    }
    if maybe_empty_blocks {
        eliminate_empty_basic_blocks(g);
    }
}

/// `trim_unused_consts`: only the unused constants at the end go (index 0 stays).
fn trim_unused_consts(g: &Cfg, consts: &mut Vec<ConstValue>) {
    let mut max_const_index = 0;
    for b in g.order() {
        for instr in &g.blocks[b].instrs {
            if matches!(instr.op, Op::LOAD_CONST | Op::KW_NAMES) {
                max_const_index = max_const_index.max(instr.oparg as usize);
            }
        }
    }
    consts.truncate(max_const_index + 1);
}

fn is_exit_without_lineno(b: &BasicBlock) -> bool {
    b.exits_scope() && b.has_no_lineno()
}

/// 3.11's `duplicate_exits_without_lineno`: an exit block without a line that several jumps
/// reach is copied for all but one of them, each copy taking its jump's location.
fn duplicate_exits_without_lineno(g: &mut Cfg, b_list: &[BlockId]) {
    for &b in b_list {
        let Some(last) = g.blocks[b].last().copied() else { continue };
        if !opcodes::has_jump(last.op) {
            continue;
        }
        let target = last.target.get().expect("jump target");
        if is_exit_without_lineno(&g.blocks[target]) && g.blocks[target].predecessors > 1 {
            let new_target = g.new_block();
            g.blocks[new_target].instrs = g.blocks[target].instrs.clone();
            g.blocks[new_target].instrs[0].loc = last.loc;
            g.blocks[b].instrs.last_mut().expect("instr").target = Some(new_target).into();
            g.blocks[target].predecessors -= 1;
            g.blocks[new_target].predecessors = 1;
            g.blocks[new_target].next = g.blocks[target].next;
            g.blocks[target].next = Some(new_target);
        }
    }
    for b in g.order() {
        let Some(next) = g.blocks[b].next else { continue };
        if g.blocks[b].has_fallthrough() && !g.blocks[b].instrs.is_empty() && is_exit_without_lineno(&g.blocks[next]) {
            let loc = g.blocks[b].last().expect("instr").loc;
            g.blocks[next].instrs[0].loc = loc;
        }
    }
}

/// `convert_exception_handlers_to_nops`.
fn convert_exception_handlers_to_nops(g: &mut Cfg) {
    for b in g.order() {
        for instr in g.blocks[b].instrs.iter_mut() {
            if opcodes::is_block_push(instr.op) || instr.op == Op::POP_BLOCK {
                instr.set_op0(Op::NOP);
            }
        }
    }
}

/// 3.11's `normalize_jumps`: each jump becomes its forward or backward form.
fn normalize_jumps(g: &mut Cfg) {
    g.reset_visited();
    for b in g.order() {
        g.blocks[b].visited = true;
        let Some(last) = g.blocks[b].instrs.last_mut() else { continue };
        let Some(target) = last.target.get().filter(|_| opcodes::has_jump(last.op)) else { continue };
        let forward = !g.blocks[target].visited;
        let last = g.blocks[b].instrs.last_mut().expect("instr");
        let (fwd, back) = match last.op {
            Op::JUMP => (Op::JUMP_FORWARD, Op::JUMP_BACKWARD),
            Op::JUMP_NO_INTERRUPT => (Op::JUMP_FORWARD, Op::JUMP_BACKWARD_NO_INTERRUPT),
            Op::POP_JUMP_IF_NOT_NONE => (Op::POP_JUMP_FORWARD_IF_NOT_NONE, Op::POP_JUMP_BACKWARD_IF_NOT_NONE),
            Op::POP_JUMP_IF_NONE => (Op::POP_JUMP_FORWARD_IF_NONE, Op::POP_JUMP_BACKWARD_IF_NONE),
            Op::POP_JUMP_IF_FALSE => (Op::POP_JUMP_FORWARD_IF_FALSE, Op::POP_JUMP_BACKWARD_IF_FALSE),
            Op::POP_JUMP_IF_TRUE => (Op::POP_JUMP_FORWARD_IF_TRUE, Op::POP_JUMP_BACKWARD_IF_TRUE),
            _ => continue,
        };
        last.op = if forward { fwd } else { back };
    }
}
