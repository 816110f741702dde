//! `optimize_load_fast` (CPython 3.14 `flowgraph.c`): `LOAD_FAST` becomes `LOAD_FAST_BORROW`
//! (and `LOAD_FAST_LOAD_FAST` its borrowing pair) when an abstract interpretation of each block
//! shows the loaded reference is consumed before the local can change, is never stored into a
//! local, and is not left on the stack at the end of the block.

use super::*;
use pyxray_bytecode::opcode::popped_pushed;

const NOT_LOCAL: i32 = -1;
const DUMMY_INSTR: i32 = -1;
/// The loaded reference is still on the stack when the local is killed.
const SUPPORT_KILLED: u8 = 1;
/// The loaded reference is stored into a local.
const STORED_AS_LOCAL: u8 = 2;
/// The loaded reference is still on the stack at the end of the basic block.
const REF_UNCONSUMED: u8 = 4;

#[derive(Clone, Copy)]
struct Ref {
    instr: i32,
    local: i32,
}

fn kill_local(flags: &mut [u8], refs: &[Ref], local: i32) {
    for r in refs {
        if r.local == local && r.instr >= 0 {
            flags[r.instr as usize] |= SUPPORT_KILLED;
        }
    }
}

fn store_local(flags: &mut [u8], refs: &[Ref], local: i32, r: Ref) {
    kill_local(flags, refs, local);
    if r.instr != DUMMY_INSTR && r.instr >= 0 {
        flags[r.instr as usize] |= STORED_AS_LOCAL;
    }
}

fn pop(refs: &mut Vec<Ref>) -> Ref {
    refs.pop().unwrap_or(Ref { instr: DUMMY_INSTR, local: NOT_LOCAL })
}

fn push_block(g: &mut Cfg, stack: &mut Vec<BlockId>, target: BlockId) {
    if !g.blocks[target].visited {
        g.blocks[target].visited = true;
        stack.push(target);
    }
}

/// `optimize_load_fast`.
pub fn optimize_load_fast(g: &mut Cfg) {
    let version = g.version;
    g.reset_visited();
    let entry = g.entry;
    let mut stack = vec![entry];
    g.blocks[entry].startdepth = 0;
    g.blocks[entry].visited = true;
    let mut refs: Vec<Ref> = Vec::new();
    while let Some(block) = stack.pop() {
        let n = g.blocks[block].instrs.len();
        let mut flags = vec![0u8; n];
        refs.clear();
        for _ in 0..g.blocks[block].startdepth.max(0) {
            refs.push(Ref { instr: DUMMY_INSTR, local: NOT_LOCAL });
        }
        for i in 0..n {
            let instr = g.blocks[block].instrs[i];
            let (opcode, oparg) = (instr.op, instr.oparg);
            let me = i as i32;
            match opcode {
                Op::LOAD_FAST => refs.push(Ref { instr: me, local: oparg }),
                Op::LOAD_FAST_AND_CLEAR => {
                    kill_local(&mut flags, &refs, oparg);
                    refs.push(Ref { instr: me, local: oparg });
                }
                Op::LOAD_FAST_LOAD_FAST => {
                    refs.push(Ref { instr: me, local: oparg >> 4 });
                    refs.push(Ref { instr: me, local: oparg & 15 });
                }
                // 3.14.2: deleting the local kills references still on the stack.
                Op::DELETE_FAST => kill_local(&mut flags, &refs, oparg),
                // 3.14.2: FORMAT_SIMPLE may hand back its (str) input itself.
                Op::FORMAT_SIMPLE => {}
                Op::STORE_FAST => {
                    let r = pop(&mut refs);
                    store_local(&mut flags, &refs, oparg, r);
                }
                Op::STORE_FAST_LOAD_FAST => {
                    let r = pop(&mut refs);
                    store_local(&mut flags, &refs, oparg >> 4, r);
                    refs.push(Ref { instr: me, local: oparg & 15 });
                }
                Op::STORE_FAST_STORE_FAST => {
                    let r = pop(&mut refs);
                    store_local(&mut flags, &refs, oparg >> 4, r);
                    let r = pop(&mut refs);
                    store_local(&mut flags, &refs, oparg & 15, r);
                }
                Op::COPY => {
                    let idx = refs.len() as isize - oparg as isize;
                    let r = if idx >= 0 { refs[idx as usize] } else { Ref { instr: DUMMY_INSTR, local: NOT_LOCAL } };
                    refs.push(r);
                }
                Op::SWAP => {
                    let len = refs.len();
                    if oparg as usize <= len && oparg >= 1 {
                        refs.swap(len - oparg as usize, len - 1);
                    }
                }
                // GET_YIELD_FROM_ITER hands a generator back as it is (3.14.2 counts it here).
                Op::GET_ANEXT | Op::GET_LEN | Op::GET_YIELD_FROM_ITER | Op::IMPORT_FROM | Op::MATCH_KEYS | Op::MATCH_MAPPING | Op::MATCH_SEQUENCE | Op::WITH_EXCEPT_START => {
                    let (popped, pushed) = popped_pushed(version, opcode, oparg.max(0) as u32).unwrap_or((0, 0));
                    // CPython pushes these with the index of its inner loop (a shadowed `i`).
                    for j in 0..(pushed - popped).max(0) {
                        refs.push(Ref { instr: j, local: NOT_LOCAL });
                    }
                }
                Op::DICT_MERGE | Op::DICT_UPDATE | Op::LIST_APPEND | Op::LIST_EXTEND | Op::MAP_ADD | Op::RERAISE | Op::SET_ADD | Op::SET_UPDATE => {
                    let (popped, pushed) = popped_pushed(version, opcode, oparg.max(0) as u32).unwrap_or((0, 0));
                    for _ in 0..(popped - pushed).max(0) {
                        pop(&mut refs);
                    }
                }
                Op::CHECK_EXC_MATCH => {
                    pop(&mut refs);
                    refs.push(Ref { instr: me, local: NOT_LOCAL });
                }
                Op::FOR_ITER => {
                    let target = instr.target.get().expect("target");
                    push_block(g, &mut stack, target);
                    refs.push(Ref { instr: me, local: NOT_LOCAL });
                }
                Op::LOAD_ATTR | Op::LOAD_SUPER_ATTR => {
                    let this = pop(&mut refs);
                    if opcode == Op::LOAD_SUPER_ATTR {
                        pop(&mut refs);
                        pop(&mut refs);
                    }
                    refs.push(Ref { instr: me, local: NOT_LOCAL });
                    if oparg & 1 != 0 {
                        refs.push(this);
                    }
                }
                // 3.14.2: the method and its `self` (the owner goes back on the stack).
                Op::LOAD_SPECIAL => {
                    let this = pop(&mut refs);
                    refs.push(Ref { instr: me, local: NOT_LOCAL });
                    refs.push(this);
                }
                Op::SEND => {
                    let target = instr.target.get().expect("target");
                    push_block(g, &mut stack, target);
                    pop(&mut refs);
                    refs.push(Ref { instr: me, local: NOT_LOCAL });
                }
                _ => {
                    let (popped, pushed) = popped_pushed(version, opcode, oparg.max(0) as u32).unwrap_or((0, 0));
                    if opcodes::has_target(opcode) {
                        if let Some(target) = instr.target.get() {
                            push_block(g, &mut stack, target);
                        }
                    }
                    if !opcodes::is_block_push(opcode) {
                        for _ in 0..popped {
                            pop(&mut refs);
                        }
                        for _ in 0..pushed {
                            refs.push(Ref { instr: me, local: NOT_LOCAL });
                        }
                    }
                }
            }
        }
        if let (Some(term), Some(next)) = (g.blocks[block].last().copied(), g.blocks[block].next) {
            if !(opcodes::is_unconditional_jump(term.op) || opcodes::is_scope_exit(term.op)) {
                push_block(g, &mut stack, next);
            }
        }
        for r in &refs {
            if r.instr >= 0 && (r.instr as usize) < flags.len() {
                flags[r.instr as usize] |= REF_UNCONSUMED;
            }
        }
        for (instr, f) in g.blocks[block].instrs.iter_mut().zip(&flags) {
            if *f == 0 {
                match instr.op {
                    Op::LOAD_FAST => instr.op = Op::LOAD_FAST_BORROW,
                    Op::LOAD_FAST_LOAD_FAST => instr.op = Op::LOAD_FAST_BORROW_LOAD_FAST_BORROW,
                    _ => {}
                }
            }
        }
    }
}
