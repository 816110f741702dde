//! The passes after `optimize_cfg`: unused constants, `LOAD_FAST_CHECK` insertion,
//! superinstructions, moving cold (exception-only) blocks to the end, and line numbers for
//! instructions and exit blocks that have none (PEP 626).

use super::*;

/// `remove_unused_consts`: keeps index 0 (a possible docstring) and the order of the rest.
pub fn remove_unused_consts(g: &mut Cfg, consts: &mut Vec<ConstValue>) {
    let nconsts = consts.len();
    if nconsts == 0 {
        return;
    }
    let order = g.order();
    let mut used = vec![false; nconsts];
    used[0] = true;
    for &b in &order {
        for instr in &g.blocks[b].instrs {
            if opcodes::has_const(instr.op) {
                used[instr.oparg as usize] = true;
            }
        }
    }
    if used.iter().all(|u| *u) {
        return;
    }
    let mut reverse = vec![-1i32; nconsts];
    let mut kept = Vec::with_capacity(nconsts);
    for (i, c) in consts.drain(..).enumerate() {
        if used[i] {
            reverse[i] = kept.len() as i32;
            kept.push(c);
        }
    }
    *consts = kept;
    for &b in &order {
        for instr in g.blocks[b].instrs.iter_mut() {
            if opcodes::has_const(instr.op) {
                instr.oparg = reverse[instr.oparg as usize];
            }
        }
    }
}

fn maybe_push(g: &mut Cfg, b: BlockId, unsafe_mask: u64, stack: &mut Vec<BlockId>) {
    let both = g.blocks[b].unsafe_locals_mask | unsafe_mask;
    if g.blocks[b].unsafe_locals_mask != both {
        g.blocks[b].unsafe_locals_mask = both;
        if !g.blocks[b].visited {
            stack.push(b);
            g.blocks[b].visited = true;
        }
    }
}

fn scan_block_for_locals(g: &mut Cfg, b: BlockId, stack: &mut Vec<BlockId>) {
    let mut unsafe_mask = g.blocks[b].unsafe_locals_mask;
    for i in 0..g.blocks[b].instrs.len() {
        let instr = g.blocks[b].instrs[i];
        if let Some(except) = instr.except.get() {
            maybe_push(g, except, unsafe_mask, stack);
        }
        if instr.oparg >= 64 || instr.oparg < 0 {
            continue;
        }
        let bit = 1u64 << instr.oparg;
        match instr.op {
            Op::DELETE_FAST | Op::LOAD_FAST_AND_CLEAR | Op::STORE_FAST_MAYBE_NULL => unsafe_mask |= bit,
            Op::STORE_FAST | Op::LOAD_FAST_CHECK => unsafe_mask &= !bit,
            Op::LOAD_FAST => {
                if unsafe_mask & bit != 0 {
                    g.blocks[b].instrs[i].op = Op::LOAD_FAST_CHECK;
                }
                unsafe_mask &= !bit;
            }
            _ => {}
        }
    }
    if let Some(next) = g.blocks[b].next {
        if g.blocks[b].has_fallthrough() {
            maybe_push(g, next, unsafe_mask, stack);
        }
    }
    if let Some(last) = g.blocks[b].last().copied() {
        if opcodes::has_jump(last.op) {
            maybe_push(g, last.target.get().expect("jump target"), unsafe_mask, stack);
        }
    }
}

fn fast_scan_many_locals(g: &mut Cfg, nlocals: usize) {
    let mut states = vec![0usize; nlocals - 64];
    let mut blocknum = 0usize;
    for b in g.order() {
        blocknum += 1;
        for instr in g.blocks[b].instrs.iter_mut() {
            let arg = instr.oparg;
            if arg < 64 {
                continue;
            }
            let idx = arg as usize - 64;
            if idx >= states.len() {
                continue;
            }
            match instr.op {
                Op::DELETE_FAST | Op::LOAD_FAST_AND_CLEAR | Op::STORE_FAST_MAYBE_NULL => states[idx] = blocknum - 1,
                Op::STORE_FAST => states[idx] = blocknum,
                Op::LOAD_FAST => {
                    if states[idx] != blocknum {
                        instr.op = Op::LOAD_FAST_CHECK;
                    }
                    states[idx] = blocknum;
                }
                _ => {}
            }
        }
    }
}

/// `add_checks_for_loads_of_uninitialized_variables`.
pub fn add_checks_for_loads_of_uninitialized_variables(g: &mut Cfg, nlocals: usize, nparams: usize) {
    if nlocals == 0 {
        return;
    }
    let mut nlocals = nlocals;
    if nlocals > 64 {
        fast_scan_many_locals(g, nlocals);
        nlocals = 64;
    }
    g.reset_visited();
    let mut stack = Vec::new();
    let mut start_mask = 0u64;
    for i in nparams..nlocals {
        start_mask |= 1u64 << i;
    }
    let entry = g.entry;
    maybe_push(g, entry, start_mask, &mut stack);
    for b in g.order() {
        scan_block_for_locals(g, b, &mut stack);
    }
    while let Some(b) = stack.pop() {
        g.blocks[b].visited = false;
        scan_block_for_locals(g, b, &mut stack);
    }
}

fn make_super_instruction(instrs: &mut [CfgInstr], i: usize, super_op: Op) {
    let (line1, line2) = (instrs[i].loc.lineno, instrs[i + 1].loc.lineno);
    if line1 >= 0 && line2 >= 0 && line1 != line2 {
        return;
    }
    if instrs[i].oparg >= 16 || instrs[i + 1].oparg >= 16 {
        return;
    }
    let arg = (instrs[i].oparg << 4) | instrs[i + 1].oparg;
    instrs[i].set_op1(super_op, arg);
    instrs[i + 1].set_op0(Op::NOP);
}

/// `insert_superinstructions` (3.13+).
pub fn insert_superinstructions(g: &mut Cfg) {
    if g.version < PythonVersion::V3_13 {
        return;
    }
    for b in g.order() {
        let instrs = &mut g.blocks[b].instrs;
        for i in 0..instrs.len() {
            let nextop = instrs.get(i + 1).map(|n| n.op);
            match (instrs[i].op, nextop) {
                (Op::LOAD_FAST, Some(Op::LOAD_FAST)) => make_super_instruction(instrs, i, Op::LOAD_FAST_LOAD_FAST),
                (Op::STORE_FAST, Some(Op::LOAD_FAST)) => make_super_instruction(instrs, i, Op::STORE_FAST_LOAD_FAST),
                (Op::STORE_FAST, Some(Op::STORE_FAST)) => make_super_instruction(instrs, i, Op::STORE_FAST_STORE_FAST),
                _ => {}
            }
        }
    }
    optimize::remove_redundant_nops(g);
}

fn mark_warm(g: &mut Cfg) {
    g.reset_visited();
    let entry = g.entry;
    let mut stack = vec![entry];
    g.blocks[entry].visited = true;
    while let Some(b) = stack.pop() {
        g.blocks[b].warm = true;
        if let Some(next) = g.blocks[b].next {
            if g.blocks[b].has_fallthrough() && !g.blocks[next].visited {
                stack.push(next);
                g.blocks[next].visited = true;
            }
        }
        for i in 0..g.blocks[b].instrs.len() {
            let Some(t) = g.target_of(b, i, opcodes::has_jump) else { continue };
            if !g.blocks[t].visited {
                stack.push(t);
                g.blocks[t].visited = true;
            }
        }
    }
}

fn mark_cold(g: &mut Cfg) {
    mark_warm(g);
    g.reset_visited();
    let mut stack = Vec::new();
    for b in g.order() {
        if g.blocks[b].except_handler {
            stack.push(b);
            g.blocks[b].visited = true;
        }
    }
    while let Some(b) = stack.pop() {
        g.blocks[b].cold = true;
        if let Some(next) = g.blocks[b].next {
            if g.blocks[b].has_fallthrough() && !g.blocks[next].warm && !g.blocks[next].visited {
                stack.push(next);
                g.blocks[next].visited = true;
            }
        }
        for i in 0..g.blocks[b].instrs.len() {
            let Some(t) = g.target_of(b, i, opcodes::has_jump) else { continue };
            if !g.blocks[t].warm && !g.blocks[t].visited {
                stack.push(t);
                g.blocks[t].visited = true;
            }
        }
    }
}

/// `push_cold_blocks_to_end`.
pub fn push_cold_blocks_to_end(g: &mut Cfg) {
    let entry = g.entry;
    if g.blocks[entry].next.is_none() {
        return;
    }
    mark_cold(g);
    let mut next_lbl = g.get_max_label() + 1;
    // A cold block falling through into a warm one gets an explicit jump.
    for b in g.order() {
        let Some(next) = g.blocks[b].next else { continue };
        if g.blocks[b].cold && g.blocks[b].has_fallthrough() && g.blocks[next].warm {
            let explicit_jump = g.new_block();
            if g.blocks[next].label < 0 {
                g.blocks[next].label = next_lbl;
                next_lbl += 1;
            }
            let op = if g.version <= PythonVersion::V3_12 { Op::JUMP } else { Op::JUMP_NO_INTERRUPT };
            let mut instr = CfgInstr::new(op, g.blocks[next].label, NO_LOC);
            instr.target = Some(next).into();
            g.blocks[explicit_jump].instrs.push(instr);
            g.blocks[explicit_jump].cold = true;
            g.blocks[explicit_jump].next = Some(next);
            // 3.12 leaves the count at 0, so the jump never inherits a line number.
            g.blocks[explicit_jump].predecessors = (g.version >= PythonVersion::V3_13) as i32;
            g.blocks[b].next = Some(explicit_jump);
        }
    }
    let mut cold_blocks: Option<BlockId> = None;
    let mut cold_tail: Option<BlockId> = None;
    let mut b = entry;
    while g.blocks[b].next.is_some() {
        while let Some(n) = g.blocks[b].next {
            if g.blocks[n].cold {
                break;
            }
            b = n;
        }
        let Some(streak_start) = g.blocks[b].next else { break };
        let mut b_end = streak_start;
        while let Some(n) = g.blocks[b_end].next {
            if !g.blocks[n].cold {
                break;
            }
            b_end = n;
        }
        match cold_tail {
            None => cold_blocks = Some(streak_start),
            Some(t) => g.blocks[t].next = Some(streak_start),
        }
        cold_tail = Some(b_end);
        g.blocks[b].next = g.blocks[b_end].next;
        g.blocks[b_end].next = None;
    }
    g.blocks[b].next = cold_blocks;
    if cold_blocks.is_some() {
        let _ = if g.version <= PythonVersion::V3_12 {
            optimize_312::remove_redundant_jumps(g)
        } else {
            optimize::remove_redundant_nops_and_jumps(g)
        };
    }
}

/// `is_exit_or_eval_check_without_lineno` (3.12: `is_exit_without_lineno`, exits only).
fn is_exit_or_eval_check_without_lineno(b: &BasicBlock, version: PythonVersion) -> bool {
    let eval_check = version >= PythonVersion::V3_13 && b.has_eval_break();
    (b.exits_scope() || eval_check) && b.has_no_lineno()
}

/// `duplicate_exits_without_lineno`.
fn duplicate_exits_without_lineno(g: &mut Cfg) {
    let mut next_lbl = g.get_max_label() + 1;
    let mut b = Some(g.entry);
    while let Some(id) = b {
        if let Some(last) = g.blocks[id].last().copied() {
            if opcodes::has_jump(last.op) {
                if let Some(target) = g.next_nonempty_block(last.target.get()) {
                    if is_exit_or_eval_check_without_lineno(&g.blocks[target], g.version) && g.blocks[target].predecessors > 1 {
                        let new_target = g.new_block();
                        g.blocks[new_target].instrs = g.blocks[target].instrs.clone();
                        g.blocks[new_target].instrs[0].loc = last.loc;
                        let n = g.blocks[id].instrs.len();
                        g.blocks[id].instrs[n - 1].target = Some(new_target).into();
                        g.blocks[target].predecessors -= 1;
                        g.blocks[new_target].predecessors = 1;
                        g.blocks[new_target].next = g.blocks[target].next;
                        g.blocks[new_target].label = next_lbl;
                        next_lbl += 1;
                        g.blocks[target].next = Some(new_target);
                    }
                }
            }
        }
        b = g.blocks[id].next;
    }
    let mut b = Some(g.entry);
    while let Some(id) = b {
        if let Some(next) = g.blocks[id].next {
            if g.blocks[id].has_fallthrough() && !g.blocks[id].instrs.is_empty() && is_exit_or_eval_check_without_lineno(&g.blocks[next], g.version) {
                let loc = g.blocks[id].last().expect("instr").loc;
                g.blocks[next].instrs[0].loc = loc;
            }
        }
        b = g.blocks[id].next;
    }
}

/// `propagate_line_numbers`.
pub(super) fn propagate_line_numbers(g: &mut Cfg) {
    // 3.14 fills in only NO_LOCATION, leaving NEXT_LOCATION to the assembler.
    let v314 = g.version >= PythonVersion::V3_14;
    let missing = |lineno: i32| if v314 { lineno == NO_LOC.lineno } else { lineno < 0 };
    let mut b = Some(g.entry);
    while let Some(id) = b {
        b = g.blocks[id].next;
        let Some(last) = g.blocks[id].last().copied() else { continue };
        let mut prev_location = NO_LOC;
        for instr in g.blocks[id].instrs.iter_mut() {
            if missing(instr.loc.lineno) {
                instr.loc = prev_location;
            } else {
                prev_location = instr.loc;
            }
        }
        if g.blocks[id].has_fallthrough() {
            if let Some(next) = g.blocks[id].next {
                if g.blocks[next].predecessors == 1 && !g.blocks[next].instrs.is_empty() && missing(g.blocks[next].instrs[0].loc.lineno) {
                    g.blocks[next].instrs[0].loc = prev_location;
                }
            }
        }
        if opcodes::has_jump(last.op) {
            let target = last.target.get().expect("jump target");
            if g.blocks[target].predecessors == 1 && !g.blocks[target].instrs.is_empty() && missing(g.blocks[target].instrs[0].loc.lineno) {
                g.blocks[target].instrs[0].loc = prev_location;
            }
        }
    }
}

/// `resolve_line_numbers`.
pub fn resolve_line_numbers(g: &mut Cfg) {
    duplicate_exits_without_lineno(g);
    propagate_line_numbers(g);
}

/// `guarantee_lineno_for_exits` (3.12): a return still without a line gets the line of the
/// last block that had one.
pub fn guarantee_lineno_for_exits(g: &mut Cfg, firstlineno: i32) {
    let mut lineno = firstlineno;
    for b in g.order() {
        let Some(last) = g.blocks[b].last().copied() else { continue };
        if last.loc.lineno >= 0 {
            lineno = last.loc.lineno;
        } else if last.op == Op::RETURN_VALUE {
            for instr in g.blocks[b].instrs.iter_mut() {
                instr.loc.lineno = lineno;
            }
        }
    }
}
