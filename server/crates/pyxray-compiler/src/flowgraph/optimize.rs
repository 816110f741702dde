//! `optimize_cfg` and its peepholes (CPython 3.13 `flowgraph.c`): inlining small exit blocks,
//! unreachable-code removal, constant conditions, `RETURN_CONST`, `TO_BOOL` folding, jump
//! threading, tuple folding, swap optimization, and NOP/jump clean-up.

use super::*;
use crate::consts;
use crate::error::CompileError;

pub(super) const MAX_COPY_SIZE: usize = 4;

pub fn optimize_cfg(g: &mut Cfg, consts: &mut Vec<ConstValue>, firstlineno: i32) -> CompileResult<()> {
    check_cfg(g)?;
    inline_small_or_no_lineno_blocks(g);
    remove_unreachable(g);
    passes::resolve_line_numbers(g);
    let _ = firstlineno;
    optimize_load_const(g, consts);
    for b in g.order() {
        optimize_basic_block(g, b, consts);
    }
    remove_redundant_nops_and_pairs(g);
    remove_unreachable(g);
    remove_redundant_nops_and_jumps(g)?;
    Ok(())
}

pub(super) fn check_cfg(g: &Cfg) -> CompileResult<()> {
    for b in g.order() {
        let instrs = &g.blocks[b].instrs;
        for (i, instr) in instrs.iter().enumerate() {
            if opcodes::is_terminator(instr.op) && i != instrs.len() - 1 {
                return Err(CompileError::system("malformed control flow graph."));
            }
        }
    }
    Ok(())
}

/// `basicblock_inline_small_or_no_lineno_blocks`.
fn inline_small_or_no_lineno_block(g: &mut Cfg, bb: BlockId) -> bool {
    let Some(last) = g.blocks[bb].last().copied() else { return false };
    if !opcodes::is_unconditional_jump(last.op) {
        return false;
    }
    let target = last.target.get().expect("jump target");
    let t = &g.blocks[target];
    let small_exit_block = t.exits_scope() && t.instrs.len() <= MAX_COPY_SIZE;
    let no_lineno_no_fallthrough = t.has_no_lineno() && !t.has_fallthrough();
    if small_exit_block || no_lineno_no_fallthrough {
        let removed_jump_opcode = last.op;
        let n = g.blocks[bb].instrs.len();
        g.blocks[bb].instrs[n - 1].set_op0(Op::NOP);
        let appended = g.blocks[target].instrs.clone();
        g.blocks[bb].consume_stale(appended.len());
        g.blocks[bb].instrs.extend(appended);
        if no_lineno_no_fallthrough {
            let last = g.blocks[bb].instrs.last_mut().expect("instr");
            if opcodes::is_unconditional_jump(last.op) && removed_jump_opcode == Op::JUMP {
                last.op = Op::JUMP;
            }
        }
        g.blocks[target].predecessors -= 1;
        return true;
    }
    false
}

fn inline_small_or_no_lineno_blocks(g: &mut Cfg) {
    loop {
        let mut changes = false;
        let mut b = Some(g.entry);
        while let Some(id) = b {
            if inline_small_or_no_lineno_block(g, id) {
                changes = true;
            }
            b = g.blocks[id].next;
        }
        if !changes {
            break;
        }
    }
}

/// `remove_unreachable`: counts predecessors and empties blocks nothing reaches.
pub fn remove_unreachable(g: &mut Cfg) {
    let order = g.order();
    for &b in &order {
        g.blocks[b].predecessors = 0;
        g.blocks[b].visited = false;
    }
    let entry = g.entry;
    let mut stack = vec![entry];
    g.blocks[entry].predecessors = 1;
    g.blocks[entry].visited = true;
    while let Some(b) = stack.pop() {
        if let Some(next) = g.blocks[b].next {
            if g.blocks[b].has_fallthrough() {
                if !g.blocks[next].visited {
                    stack.push(next);
                    g.blocks[next].visited = true;
                }
                g.blocks[next].predecessors += 1;
            }
        }
        for i in 0..g.blocks[b].instrs.len() {
            let Some(t) = g.target_of(b, i, |op| opcodes::has_jump(op) || opcodes::is_block_push(op)) else { continue };
            if !g.blocks[t].visited {
                stack.push(t);
                g.blocks[t].visited = true;
            }
            g.blocks[t].predecessors += 1;
        }
    }
    for &b in &order {
        if g.blocks[b].predecessors == 0 {
            g.blocks[b].truncate_keeping_stale(0);
            g.blocks[b].except_handler = false;
        }
    }
}

/// `basicblock_remove_redundant_nops`: returns how many were removed.
pub fn basicblock_remove_redundant_nops(g: &mut Cfg, bb: BlockId) -> usize {
    // 3.11's `clean_basic_block` looks at the next block's first instruction, NOP or not.
    let skip_nop = g.version >= PythonVersion::V3_12;
    let block = &g.blocks[bb].instrs;
    if !block.iter().any(|i| i.op == Op::NOP) {
        return 0;
    }
    // Only a NOP ending the block looks at the next one.
    let next_block_loc = if block.last().is_some_and(|i| i.op == Op::NOP) {
        let next = g.next_nonempty_block(g.blocks[bb].next);
        next.map(|n| {
            g.blocks[n]
                .instrs
                .iter()
                .find(|i| !(skip_nop && i.op == Op::NOP && i.loc.lineno == NO_LOC.lineno))
                .map_or(NO_LOC, |i| i.loc)
        })
    } else {
        None
    };
    let instrs = &mut g.blocks[bb].instrs;
    let mut dest = 0;
    let mut prev_lineno = -1;
    let n = instrs.len();
    for src in 0..n {
        let lineno = instrs[src].loc.lineno;
        if instrs[src].op == Op::NOP {
            if lineno < 0 {
                continue;
            }
            if prev_lineno == lineno {
                continue;
            }
            if src < n - 1 {
                let next_lineno = instrs[src + 1].loc.lineno;
                if next_lineno == lineno {
                    continue;
                }
                if next_lineno < 0 {
                    instrs[src + 1].loc = instrs[src].loc;
                    continue;
                }
            } else if let Some(next_loc) = next_block_loc {
                if lineno == next_loc.lineno {
                    continue;
                }
            }
        }
        if dest != src {
            instrs[dest] = instrs[src];
        }
        dest += 1;
        prev_lineno = lineno;
    }
    let removed = n - dest;
    g.blocks[bb].truncate_keeping_stale(dest);
    removed
}

pub fn remove_redundant_nops(g: &mut Cfg) -> usize {
    let mut changes = 0;
    let mut b = Some(g.entry);
    while let Some(id) = b {
        changes += basicblock_remove_redundant_nops(g, id);
        b = g.blocks[id].next;
    }
    changes
}

/// `remove_redundant_nops_and_pairs`: `LOAD_CONST; POP_TOP` and `COPY 1; POP_TOP` vanish.
pub(super) fn remove_redundant_nops_and_pairs(g: &mut Cfg) {
    let mut done = false;
    while !done {
        done = true;
        // (block, index) of the previous instruction, if it may pair with the next one.
        let mut instr: Option<(BlockId, usize)> = None;
        let mut b = Some(g.entry);
        while let Some(id) = b {
            basicblock_remove_redundant_nops(g, id);
            if g.blocks[id].label >= 0 {
                instr = None;
            }
            for i in 0..g.blocks[id].instrs.len() {
                let prev_instr = instr;
                instr = Some((id, i));
                let (prev_op, prev_oparg) = match prev_instr {
                    Some((pb, pi)) => (Some(g.blocks[pb].instrs[pi].op), g.blocks[pb].instrs[pi].oparg),
                    None => (None, 0),
                };
                let op = g.blocks[id].instrs[i].op;
                let redundant = op == Op::POP_TOP
                    && (prev_op == Some(Op::LOAD_CONST)
                        || prev_op == Some(Op::LOAD_SMALL_INT)
                        || (prev_op == Some(Op::COPY) && prev_oparg == 1));
                if redundant {
                    let (pb, pi) = prev_instr.expect("previous instruction");
                    g.blocks[pb].instrs[pi].set_op0(Op::NOP);
                    g.blocks[id].instrs[i].set_op0(Op::NOP);
                    done = false;
                }
            }
            let last_is_jump = instr.is_some_and(|(ib, ii)| opcodes::has_jump(g.blocks[ib].instrs[ii].op));
            if last_is_jump || !g.blocks[id].has_fallthrough() {
                instr = None;
            }
            b = g.blocks[id].next;
        }
    }
}

/// `remove_redundant_jumps`: a jump to the next non-empty block becomes a NOP.
fn remove_redundant_jumps(g: &mut Cfg) -> CompileResult<usize> {
    let mut changes = 0;
    let mut b = Some(g.entry);
    while let Some(id) = b {
        if let Some(last) = g.blocks[id].last().copied() {
            if opcodes::is_unconditional_jump(last.op) {
                let jump_target = g.next_nonempty_block(last.target.get());
                if jump_target.is_none() {
                    return Err(CompileError::system("jump with NULL target"));
                }
                let next = g.next_nonempty_block(g.blocks[id].next);
                if jump_target == next {
                    changes += 1;
                    g.blocks[id].instrs.last_mut().expect("instr").set_op0(Op::NOP);
                }
            }
        }
        b = g.blocks[id].next;
    }
    Ok(changes)
}

pub fn remove_redundant_nops_and_jumps(g: &mut Cfg) -> CompileResult<()> {
    loop {
        let removed_nops = remove_redundant_nops(g);
        let removed_jumps = remove_redundant_jumps(g)?;
        if removed_nops + removed_jumps == 0 {
            return Ok(());
        }
    }
}

/// `jump_thread`: retargets the last instruction of `bb` past a jump-to-jump.
fn jump_thread(g: &mut Cfg, bb: BlockId, inst_target: Option<BlockId>, target: CfgInstr, op: Op) -> bool {
    if inst_target != target.target.get() {
        let n = g.blocks[bb].instrs.len();
        g.blocks[bb].instrs[n - 1].set_op0(Op::NOP);
        g.add_jump(bb, op, target.target.get().expect("jump target"), target.loc);
        return true;
    }
    false
}

/// `add_const`: index of `value` in `consts`, appending it if new.
pub fn add_const(value: ConstValue, consts: &mut Vec<ConstValue>) -> i32 {
    let found = match &value {
        // Singletons and booleans are equal exactly when their keys are.
        ConstValue::None | ConstValue::Ellipsis | ConstValue::Bool(_) => consts.iter().position(|c| *c == value),
        _ => {
            // Keys are only built for constants of the same type (a code object's key is costly).
            let key = consts::key_of(&value);
            let kind = std::mem::discriminant(&value);
            consts.iter().position(|c| std::mem::discriminant(c) == kind && consts::key_of(c) == key)
        }
    };
    if let Some(i) = found {
        return i as i32;
    }
    consts.push(value);
    (consts.len() - 1) as i32
}

/// `fold_tuple_on_constants`: `LOAD_CONST…; BUILD_TUPLE n` → one `LOAD_CONST` of the tuple.
pub(super) fn fold_tuple_on_constants(g: &mut Cfg, bb: BlockId, build_at: usize, n: usize, consts: &mut Vec<ConstValue>) {
    let start = build_at - n;
    let instrs = &g.blocks[bb].instrs;
    if !instrs[start..build_at].iter().all(|i| opcodes::has_const(i.op)) {
        return;
    }
    let items: Vec<ConstValue> = instrs[start..build_at].iter().map(|i| consts[i.oparg as usize].clone()).collect();
    let index = add_const(ConstValue::Tuple(items.into()), consts);
    // (3.11.7 clears the opargs here too, unlike its other peepholes.)
    let instrs = &mut g.blocks[bb].instrs;
    for instr in &mut instrs[start..build_at] {
        set_nop(instr, false);
    }
    instrs[build_at].set_op1(Op::LOAD_CONST, index);
}

/// `basicblock_optimize_load_const`.
fn optimize_load_const_block(g: &mut Cfg, bb: BlockId, consts: &mut Vec<ConstValue>) {
    let mut opcode = Op::NOP;
    let mut oparg = 0;
    let mut i = 0;
    let v314 = g.version >= PythonVersion::V3_14;
    while i < g.blocks[bb].instrs.len() {
        if v314 && g.blocks[bb].instrs[i].op == Op::LOAD_CONST {
            let value = &consts[g.blocks[bb].instrs[i].oparg as usize];
            if let Some(v) = fold::small_int(value) {
                g.blocks[bb].instrs[i].set_op1(Op::LOAD_SMALL_INT, v);
            }
        }
        let inst = g.blocks[bb].instrs[i];
        let is_copy_of_load_const = opcode == Op::LOAD_CONST && inst.op == Op::COPY && inst.oparg == 1;
        if !is_copy_of_load_const {
            opcode = inst.op;
            oparg = inst.oparg;
        }
        if opcode != Op::LOAD_CONST && opcode != Op::LOAD_SMALL_INT {
            i += 1;
            continue;
        }
        let value = fold::get_const_value(&CfgInstr::new(opcode, oparg, NO_LOC), consts);
        let len = g.blocks[bb].instrs.len();
        let nextop = if i + 1 < len { Some(g.blocks[bb].instrs[i + 1].op) } else { None };
        match nextop {
            Some(Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE | Op::JUMP_IF_FALSE | Op::JUMP_IF_TRUE) => {
                let is_true = consts::is_true(&value);
                let instrs = &mut g.blocks[bb].instrs;
                if matches!(nextop, Some(Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE)) {
                    instrs[i].set_op0(Op::NOP);
                }
                let jump_if_true = matches!(nextop, Some(Op::POP_JUMP_IF_TRUE | Op::JUMP_IF_TRUE));
                if is_true == jump_if_true {
                    instrs[i + 1].op = Op::JUMP;
                } else {
                    instrs[i + 1].set_op0(Op::NOP);
                }
            }
            Some(Op::IS_OP) => {
                if matches!(value, ConstValue::None) && len > i + 2 {
                    let instrs = &mut g.blocks[bb].instrs;
                    let is_oparg = instrs[i + 1].oparg;
                    let mut jump_idx = i + 2;
                    if instrs[jump_idx].op == Op::TO_BOOL {
                        instrs[jump_idx].set_op0(Op::NOP);
                        if len <= i + 3 {
                            i += 1;
                            continue;
                        }
                        jump_idx = i + 3;
                    }
                    let mut invert = is_oparg != 0;
                    if instrs[jump_idx].op == Op::POP_JUMP_IF_FALSE {
                        invert = !invert;
                    } else if instrs[jump_idx].op != Op::POP_JUMP_IF_TRUE {
                        i += 1;
                        continue;
                    }
                    instrs[i].set_op0(Op::NOP);
                    instrs[i + 1].set_op0(Op::NOP);
                    instrs[jump_idx].op = if invert { Op::POP_JUMP_IF_NOT_NONE } else { Op::POP_JUMP_IF_NONE };
                }
            }
            Some(Op::RETURN_VALUE) if g.version >= PythonVersion::V3_12 && g.version <= PythonVersion::V3_13 => {
                let instrs = &mut g.blocks[bb].instrs;
                instrs[i].set_op0(Op::NOP);
                i += 1;
                instrs[i].set_op1(Op::RETURN_CONST, oparg);
            }
            Some(Op::TO_BOOL) => {
                let is_true = consts::is_true(&value);
                let index = add_const(ConstValue::Bool(is_true), consts);
                let instrs = &mut g.blocks[bb].instrs;
                instrs[i].set_op0(Op::NOP);
                instrs[i + 1].set_op1(Op::LOAD_CONST, index);
            }
            _ => {}
        }
        i += 1;
    }
}

fn optimize_load_const(g: &mut Cfg, consts: &mut Vec<ConstValue>) {
    for b in g.order() {
        optimize_load_const_block(g, b, consts);
    }
}

/// `optimize_basic_block`.
fn optimize_basic_block(g: &mut Cfg, bb: BlockId, consts: &mut Vec<ConstValue>) {
    let mut i: isize = 0;
    while (i as usize) < g.blocks[bb].instrs.len() {
        let iu = i as usize;
        let inst = g.blocks[bb].instrs[iu];
        let opcode = inst.op;
        let oparg = inst.oparg;
        let target = if opcodes::has_target(opcode) {
            let t = inst.target.get().expect("target");
            g.blocks[t].instrs.first().copied().unwrap_or(CfgInstr::new(Op::NOP, 0, NO_LOC))
        } else {
            CfgInstr::new(Op::NOP, 0, NO_LOC)
        };
        let len = g.blocks[bb].instrs.len();
        let next = if iu + 1 < len { Some(g.blocks[bb].instrs[iu + 1]) } else { None };
        let nextop = next.map(|n| n.op);
        match opcode {
            Op::BUILD_TUPLE => {
                if nextop == Some(Op::UNPACK_SEQUENCE) && next.is_some_and(|n| n.oparg == oparg) {
                    match oparg {
                        1 => {
                            let instrs = &mut g.blocks[bb].instrs;
                            instrs[iu].set_op0(Op::NOP);
                            instrs[iu + 1].set_op0(Op::NOP);
                            i += 1;
                            continue;
                        }
                        2 | 3 => {
                            let instrs = &mut g.blocks[bb].instrs;
                            instrs[iu].set_op0(Op::NOP);
                            instrs[iu + 1].op = Op::SWAP;
                            i += 1;
                            continue;
                        }
                        _ => {}
                    }
                }
                if g.version >= PythonVersion::V3_14 {
                    fold::fold_tuple_of_constants(&mut g.blocks[bb].instrs, iu, consts);
                } else if iu >= oparg as usize {
                    fold_tuple_on_constants(g, bb, iu, oparg as usize, consts);
                }
            }
            Op::BUILD_LIST | Op::BUILD_SET if g.version >= PythonVersion::V3_14 => {
                fold::optimize_lists_and_sets(&mut g.blocks[bb].instrs, iu, nextop, consts);
            }
            Op::JUMP_IF_FALSE | Op::JUMP_IF_TRUE => {
                let inverse = if opcode == Op::JUMP_IF_FALSE { Op::JUMP_IF_TRUE } else { Op::JUMP_IF_FALSE };
                if target.op == Op::JUMP || target.op == opcode {
                    i -= jump_thread(g, bb, inst.target.get(), target, opcode) as isize;
                    i += 1;
                    continue;
                } else if target.op == inverse {
                    let t = inst.target.get().expect("target");
                    g.blocks[bb].instrs[iu].target = g.blocks[t].next.into();
                    continue;
                }
            }
            Op::UNARY_INVERT | Op::UNARY_NEGATIVE if g.version >= PythonVersion::V3_14 => {
                fold::fold_const_unaryop(&mut g.blocks[bb].instrs, iu, consts);
            }
            Op::CALL_INTRINSIC_1 if g.version >= PythonVersion::V3_14 => {
                if fold::is_list_to_tuple(&inst) {
                    if nextop == Some(Op::GET_ITER) {
                        g.blocks[bb].instrs[iu].set_op0(Op::NOP);
                    } else {
                        fold::fold_constant_intrinsic_list_to_tuple(&mut g.blocks[bb].instrs, iu, consts);
                    }
                } else if fold::is_unary_positive(&inst) {
                    fold::fold_const_unaryop(&mut g.blocks[bb].instrs, iu, consts);
                }
            }
            Op::BINARY_OP if g.version >= PythonVersion::V3_14 => {
                fold::fold_const_binop(&mut g.blocks[bb].instrs, iu, consts);
            }
            Op::POP_JUMP_IF_NOT_NONE | Op::POP_JUMP_IF_NONE | Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE => {
                if target.op == Op::JUMP {
                    i -= jump_thread(g, bb, inst.target.get(), target, opcode) as isize;
                }
            }
            Op::JUMP | Op::JUMP_NO_INTERRUPT => match target.op {
                Op::JUMP => {
                    i -= jump_thread(g, bb, inst.target.get(), target, Op::JUMP) as isize;
                    i += 1;
                    continue;
                }
                Op::JUMP_NO_INTERRUPT => {
                    i -= jump_thread(g, bb, inst.target.get(), target, opcode) as isize;
                    i += 1;
                    continue;
                }
                _ => {}
            },
            Op::STORE_FAST => {
                if let Some(n) = next {
                    if n.op == opcode && n.oparg == oparg && inst.loc.lineno == n.loc.lineno {
                        let instrs = &mut g.blocks[bb].instrs;
                        instrs[iu].op = Op::POP_TOP;
                        instrs[iu].oparg = 0;
                    }
                }
            }
            Op::SWAP => {
                if oparg == 1 {
                    g.blocks[bb].instrs[iu].set_op0(Op::NOP);
                }
            }
            Op::LOAD_GLOBAL => {
                if nextop == Some(Op::PUSH_NULL) && (oparg & 1) == 0 {
                    let instrs = &mut g.blocks[bb].instrs;
                    instrs[iu].set_op1(Op::LOAD_GLOBAL, oparg | 1);
                    instrs[iu + 1].set_op0(Op::NOP);
                }
            }
            Op::COMPARE_OP => {
                if nextop == Some(Op::TO_BOOL) {
                    let instrs = &mut g.blocks[bb].instrs;
                    instrs[iu].set_op0(Op::NOP);
                    instrs[iu + 1].set_op1(Op::COMPARE_OP, oparg | 16);
                    i += 1;
                    continue;
                }
            }
            Op::CONTAINS_OP | Op::IS_OP => {
                if nextop == Some(Op::TO_BOOL) {
                    let instrs = &mut g.blocks[bb].instrs;
                    instrs[iu].set_op0(Op::NOP);
                    instrs[iu + 1].set_op1(opcode, oparg);
                    i += 1;
                    continue;
                }
                if nextop == Some(Op::UNARY_NOT) && g.version >= PythonVersion::V3_14 {
                    let instrs = &mut g.blocks[bb].instrs;
                    instrs[iu].set_op0(Op::NOP);
                    instrs[iu + 1].set_op1(opcode, oparg ^ 1);
                    i += 1;
                    continue;
                }
            }
            Op::TO_BOOL => {
                if nextop == Some(Op::TO_BOOL) {
                    g.blocks[bb].instrs[iu].set_op0(Op::NOP);
                    i += 1;
                    continue;
                }
            }
            Op::UNARY_NOT => {
                if nextop == Some(Op::TO_BOOL) {
                    let instrs = &mut g.blocks[bb].instrs;
                    instrs[iu].set_op0(Op::NOP);
                    instrs[iu + 1].set_op0(Op::UNARY_NOT);
                    i += 1;
                    continue;
                }
                if nextop == Some(Op::UNARY_NOT) {
                    let instrs = &mut g.blocks[bb].instrs;
                    instrs[iu].set_op0(Op::NOP);
                    instrs[iu + 1].set_op0(Op::NOP);
                    i += 1;
                    continue;
                }
                if g.version >= PythonVersion::V3_14 {
                    fold::fold_const_unaryop(&mut g.blocks[bb].instrs, iu, consts);
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut i = 0;
    while i < g.blocks[bb].instrs.len() {
        if g.blocks[bb].instrs[i].op == Op::SWAP {
            swap_peepholes(&mut g.blocks[bb].instrs, &mut i, g.version);
        }
        i += 1;
    }
}

/// `swaptimize` then `apply_static_swaps` on the run of swaps at `*i`, leaving `*i` at its end.
/// Makes `instr` a NOP; 3.11 left the oparg in place (and wrote its low byte).
fn set_nop(instr: &mut CfgInstr, keep_oparg: bool) {
    if keep_oparg {
        instr.op = Op::NOP;
    } else {
        instr.set_op0(Op::NOP);
    }
}

pub(super) fn swap_peepholes(instrs: &mut [CfgInstr], i: &mut usize, version: PythonVersion) {
    swaptimize(instrs, i, version == PythonVersion::V3_11);
    apply_static_swaps(instrs, *i as isize, version);
}

/// `swaptimize`: replaces a run of SWAPs and NOPs by an optimal equivalent.
fn swaptimize(block: &mut [CfgInstr], ix: &mut usize, keep_oparg: bool) {
    let instructions = &mut block[*ix..];
    let mut depth = instructions[0].oparg as usize;
    let mut len = 0;
    let mut more = false;
    let limit = instructions.len();
    loop {
        len += 1;
        if len >= limit {
            break;
        }
        let op = instructions[len].op;
        if op == Op::SWAP {
            depth = depth.max(instructions[len].oparg as usize);
            more = true;
        } else if op != Op::NOP {
            break;
        }
    }
    if !more {
        return;
    }
    const VISITED: isize = -1;
    let mut stack: Vec<isize> = (0..depth as isize).collect();
    for instr in instructions.iter().take(len) {
        if instr.op == Op::SWAP {
            let oparg = instr.oparg as usize;
            stack.swap(0, oparg - 1);
        }
    }
    let mut current: isize = len as isize - 1;
    for i in 0..depth {
        if stack[i] == VISITED || stack[i] == i as isize {
            continue;
        }
        let mut j = i;
        loop {
            if j != 0 {
                instructions[current as usize].op = Op::SWAP;
                instructions[current as usize].oparg = j as i32 + 1;
                current -= 1;
            }
            if stack[j] == VISITED {
                break;
            }
            let next_j = stack[j] as usize;
            stack[j] = VISITED;
            j = next_j;
        }
    }
    while current >= 0 {
        set_nop(&mut instructions[current as usize], keep_oparg);
        current -= 1;
    }
    *ix += len - 1;
}

fn swappable(op: Op) -> bool {
    // STORE_FAST_MAYBE_NULL (3.12+) never reaches a 3.11 block.
    matches!(op, Op::STORE_FAST | Op::STORE_FAST_MAYBE_NULL | Op::POP_TOP)
}

fn stores_to(instr: &CfgInstr) -> i32 {
    if matches!(instr.op, Op::STORE_FAST | Op::STORE_FAST_MAYBE_NULL) {
        instr.oparg
    } else {
        -1
    }
}

fn next_swappable_instruction(block: &[CfgInstr], mut i: usize, lineno: i32) -> Option<usize> {
    loop {
        i += 1;
        if i >= block.len() {
            return None;
        }
        let instr = &block[i];
        if lineno >= 0 && instr.loc.lineno != lineno {
            return None;
        }
        if instr.op == Op::NOP {
            continue;
        }
        if swappable(instr.op) {
            return Some(i);
        }
        return None;
    }
}

/// `apply_static_swaps`: performs SWAPs on the instructions that follow instead of the stack.
fn apply_static_swaps(block: &mut [CfgInstr], mut i: isize, version: PythonVersion) {
    while i >= 0 {
        let swap = block[i as usize];
        if swap.op != Op::SWAP {
            if swap.op == Op::NOP || swappable(swap.op) {
                i -= 1;
                continue;
            }
            return;
        }
        let Some(j) = next_swappable_instruction(block, i as usize, -1) else { return };
        let mut k = j;
        let lineno = block[j].loc.lineno;
        let mut count = swap.oparg - 1;
        while count > 0 {
            match next_swappable_instruction(block, k, lineno) {
                Some(next) => k = next,
                None => return,
            }
            count -= 1;
        }
        // Two stores to one name are not swapped (3.11.7 as well as 3.12).
        let store_j = stores_to(&block[j]);
        let store_k = stores_to(&block[k]);
        if store_j >= 0 || store_k >= 0 {
            if store_j == store_k {
                return;
            }
            for idx in j + 1..k {
                let store_idx = stores_to(&block[idx]);
                if store_idx >= 0 && (store_idx == store_j || store_idx == store_k) {
                    return;
                }
            }
        }
        set_nop(&mut block[i as usize], version == PythonVersion::V3_11);
        block.swap(j, k);
        i -= 1;
    }
}
