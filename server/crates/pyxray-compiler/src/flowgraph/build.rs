//! Building the CFG from the instruction sequence (`instr_sequence_to_cfg`, `cfg_builder_*`) and
//! the preprocessing passes: jump targets, exception handler marking, exception stacks.

use super::*;

/// `instr_sequence_to_cfg`: a new block starts at every jump target (3.12: at every placed
/// label) and after every terminator.
pub fn from_instruction_sequence(seq: &InstrSequence, version: PythonVersion) -> Cfg {
    let n = seq.instrs.len();
    let mut is_target = vec![false; n + 1];
    for instr in &seq.instrs {
        if opcodes::has_target(instr.op) && instr.oparg >= 0 && (instr.oparg as usize) < n {
            is_target[instr.oparg as usize] = true;
        }
    }
    // 3.12 names each block by the last label placed there, and jumps by their target's name.
    let mut label_at = Vec::new();
    if version <= PythonVersion::V3_12 {
        label_at = vec![-1; n + 1];
        for &(id, offset) in &seq.placed_labels {
            is_target[offset as usize] = true;
            label_at[offset as usize] = label_at[offset as usize].max(id);
        }
    }
    // How many instructions follow each one up to the next jump target or terminator: a block
    // starting there gets that capacity at once instead of growing several times.
    let mut run = vec![0u32; n + 1];
    for i in (0..n).rev() {
        let ends = opcodes::is_terminator(seq.instrs[i].op) || is_target[i + 1];
        run[i] = 1 + if ends { 0 } else { run[i + 1] };
    }
    let mut g = Cfg { blocks: Vec::with_capacity(n / 4 + 1), entry: 0, version };
    g.blocks.push(BasicBlock::new());
    let mut cur: BlockId = 0;
    let mut current_label: i32 = -1;
    for (i, instr) in seq.instrs.iter().enumerate() {
        if is_target[i] {
            current_label = if label_at.is_empty() { i as i32 } else { label_at[i] };
            maybe_start_new_block(&mut g, &mut cur, &mut current_label);
        }
        maybe_start_new_block(&mut g, &mut cur, &mut current_label);
        let instrs = &mut g.blocks[cur].instrs;
        if instrs.capacity() == 0 {
            instrs.reserve_exact(run[i] as usize);
        }
        let mut oparg = instr.oparg;
        if !label_at.is_empty() && opcodes::has_target(instr.op) && oparg >= 0 {
            oparg = label_at[oparg as usize];
        }
        instrs.push(CfgInstr::new(instr.op, oparg, instr.loc));
    }
    g
}

fn current_block_is_terminated(g: &mut Cfg, cur: BlockId, current_label: &mut i32) -> bool {
    let b = &mut g.blocks[cur];
    if b.last().is_some_and(|l| opcodes::is_terminator(l.op)) {
        return true;
    }
    if *current_label >= 0 {
        if b.last().is_some() || b.label >= 0 {
            return true;
        }
        b.label = *current_label;
        *current_label = -1;
    }
    false
}

fn maybe_start_new_block(g: &mut Cfg, cur: &mut BlockId, current_label: &mut i32) {
    if current_block_is_terminated(g, *cur, current_label) {
        let b = g.new_block();
        g.blocks[b].label = *current_label;
        *current_label = -1;
        g.blocks[*cur].next = Some(b);
        *cur = b;
    }
}

/// `translate_jump_labels_to_targets`.
pub fn translate_jump_labels_to_targets(g: &mut Cfg) {
    let order = g.order();
    let max_label = g.get_max_label();
    let mut label2block: Vec<Option<BlockId>> = vec![None; (max_label + 1).max(0) as usize];
    for &b in &order {
        let l = g.blocks[b].label;
        if l >= 0 {
            label2block[l as usize] = Some(b);
        }
    }
    for &b in &order {
        for instr in g.blocks[b].instrs.iter_mut() {
            if opcodes::has_target(instr.op) {
                instr.target = label2block.get(instr.oparg as usize).copied().flatten().into();
            }
        }
    }
}

/// `mark_except_handlers`.
pub fn mark_except_handlers(g: &mut Cfg) {
    let order = g.order();
    for &b in &order {
        for i in 0..g.blocks[b].instrs.len() {
            if let Some(t) = g.target_of(b, i, opcodes::is_block_push) {
                g.blocks[t].except_handler = true;
            }
        }
    }
}

/// `label_exception_targets`: walks the CFG with a stack of active handlers, records the handler
/// of every instruction, turns `POP_BLOCK` into `NOP`, and sets the depth bit of `RESUME` after
/// a `yield` inside one handler (3.13+; 3.12 puts the handler depth in `YIELD_VALUE`'s oparg).
pub fn label_exception_targets(g: &mut Cfg) {
    g.reset_visited();
    let entry = g.entry;
    let mut todo: Vec<BlockId> = vec![entry];
    g.blocks[entry].visited = true;
    g.blocks[entry].exceptstack = Some(ExceptStack::new());
    while let Some(b) = todo.pop() {
        let mut except_stack = g.blocks[b].exceptstack.take().unwrap_or_else(ExceptStack::new);
        let mut handler = except_stack.top();
        let mut last_yield_except_depth: i32 = -1;
        let n = g.blocks[b].instrs.len();
        let mut stack_moved = false;
        for i in 0..n {
            let instr = g.blocks[b].instrs[i];
            if opcodes::is_block_push(instr.op) {
                let target = instr.target.get().expect("block push target");
                if !g.blocks[target].visited {
                    g.blocks[target].exceptstack = Some(except_stack.clone());
                    todo.push(target);
                    g.blocks[target].visited = true;
                }
                if matches!(instr.op, Op::SETUP_WITH | Op::SETUP_CLEANUP) {
                    g.blocks[target].preserve_lasti = true;
                }
                except_stack.handlers.push(Some(target));
                handler = Some(target);
            } else if instr.op == Op::POP_BLOCK {
                except_stack.handlers.pop();
                handler = except_stack.top();
                if g.version >= PythonVersion::V3_13 {
                    // 3.12 keeps POP_BLOCK (with its line) until `convert_pseudo_ops`.
                    g.blocks[b].instrs[i].set_op0(Op::NOP);
                }
            } else if opcodes::has_jump(instr.op) {
                g.blocks[b].instrs[i].except = handler.into();
                let target = instr.target.get().expect("jump target");
                if !g.blocks[target].visited {
                    g.blocks[target].exceptstack = Some(except_stack.clone());
                    if !g.blocks[b].has_fallthrough() {
                        stack_moved = true;
                    }
                    todo.push(target);
                    g.blocks[target].visited = true;
                }
            } else if instr.op == Op::YIELD_VALUE {
                g.blocks[b].instrs[i].except = handler.into();
                last_yield_except_depth = except_stack.depth() as i32;
                if g.version == PythonVersion::V3_12 {
                    // 3.12's oparg is the depth of the exception stack at the yield.
                    g.blocks[b].instrs[i].oparg = last_yield_except_depth;
                }
            } else if instr.op == Op::RESUME && g.version >= PythonVersion::V3_13 {
                g.blocks[b].instrs[i].except = handler.into();
                if instr.oparg != 0 {
                    if last_yield_except_depth == 1 {
                        g.blocks[b].instrs[i].oparg |= 4;
                    }
                    last_yield_except_depth = -1;
                }
            } else {
                g.blocks[b].instrs[i].except = handler.into();
            }
        }
        if !stack_moved && g.blocks[b].has_fallthrough() {
            if let Some(next) = g.blocks[b].next {
                if !g.blocks[next].visited {
                    g.blocks[next].exceptstack = Some(except_stack);
                    todo.push(next);
                    g.blocks[next].visited = true;
                }
            }
        }
    }
}
