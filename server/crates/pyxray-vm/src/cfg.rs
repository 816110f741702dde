//! Basic blocks of a decoded code object: where each starts, where control can go next (jumps,
//! fall-through, exception handlers), and which blocks sit on a cycle (are inside a loop).

use pyxray_bytecode::dis::{ArgVal, ExceptionEntry, Instruction};
use pyxray_bytecode::Op;

#[derive(Debug)]
pub struct Block {
    /// Index of the first and one past the last instruction.
    pub start: usize,
    pub end: usize,
    /// Successor blocks by normal control flow.
    pub succs: Vec<usize>,
    pub in_loop: bool,
}

pub struct Cfg {
    pub blocks: Vec<Block>,
    /// The strongly connected component of each block (blocks of one loop share it).
    pub component: Vec<usize>,
    /// Block index of each instruction.
    pub block_of: Vec<usize>,
}

/// Whether control can continue to the next instruction.
pub fn falls_through(op: Op) -> bool {
    !matches!(
        op,
        Op::RETURN_VALUE
            | Op::RETURN_CONST
            | Op::RAISE_VARARGS
            | Op::RERAISE
            | Op::JUMP_FORWARD
            | Op::JUMP_BACKWARD
            | Op::JUMP_BACKWARD_NO_INTERRUPT
            | Op::JUMP
            | Op::JUMP_NO_INTERRUPT
    )
}

/// The index of the instruction at byte `offset` (instructions are in offset order).
pub fn instruction_at(instrs: &[Instruction], offset: u32) -> Option<usize> {
    instrs.binary_search_by_key(&offset, |i| i.offset).ok()
}

pub fn jump_target(i: &Instruction) -> Option<u32> {
    match i.argval {
        ArgVal::Offset(o) => Some(o),
        _ => None,
    }
}

impl Cfg {
    pub fn build(instrs: &[Instruction], exceptions: &[ExceptionEntry]) -> Cfg {
        let index_of = |offset: u32| instruction_at(instrs, offset);
        let mut starts = vec![false; instrs.len() + 1];
        starts[0] = true;
        for (k, i) in instrs.iter().enumerate() {
            if let Some(t) = jump_target(i).and_then(index_of) {
                starts[t] = true;
                starts[k + 1] = true;
            }
            if !falls_through(i.op) {
                starts[k + 1] = true;
            }
        }
        for e in exceptions {
            for offset in [e.start, e.end, e.target] {
                if let Some(t) = index_of(offset) {
                    starts[t] = true;
                }
            }
        }
        let mut blocks = Vec::new();
        let mut block_of = vec![0; instrs.len()];
        let mut start = 0;
        for k in 1..=instrs.len() {
            if starts[k] || k == instrs.len() {
                if start < k {
                    for slot in &mut block_of[start..k] {
                        *slot = blocks.len();
                    }
                    blocks.push(Block { start, end: k, succs: Vec::new(), in_loop: false });
                }
                start = k;
            }
        }
        let n = blocks.len();
        for b in 0..n {
            let last = &instrs[blocks[b].end - 1];
            let mut succs = Vec::new();
            if let Some(t) = jump_target(last).and_then(index_of) {
                succs.push(block_of[t]);
            }
            if falls_through(last.op) && b + 1 < n {
                succs.push(b + 1);
            }
            blocks[b].succs = succs;
        }
        let mut cfg = Cfg { blocks, block_of, component: Vec::new() };
        cfg.mark_loops();
        cfg
    }

    /// A block is in a loop when it lies on a cycle: its strongly connected component (found
    /// with Kosaraju's two passes, iteratively) has several blocks or an edge to itself.
    fn mark_loops(&mut self) {
        let n = self.blocks.len();
        // Pass 1: finishing order on the graph.
        let mut order = Vec::with_capacity(n);
        let mut seen = vec![false; n];
        for root in 0..n {
            if seen[root] {
                continue;
            }
            seen[root] = true;
            let mut stack = vec![(root, 0usize)];
            while let Some((b, next)) = stack.pop() {
                if let Some(&s) = self.blocks[b].succs.get(next) {
                    stack.push((b, next + 1));
                    if !seen[s] {
                        seen[s] = true;
                        stack.push((s, 0));
                    }
                } else {
                    order.push(b);
                }
            }
        }
        // Pass 2: components on the reversed graph, in reverse finishing order.
        let mut preds = vec![Vec::new(); n];
        for (b, block) in self.blocks.iter().enumerate() {
            for &s in &block.succs {
                preds[s].push(b);
            }
        }
        let mut component = vec![usize::MAX; n];
        let mut sizes = Vec::new();
        for &root in order.iter().rev() {
            if component[root] != usize::MAX {
                continue;
            }
            let id = sizes.len();
            let mut size = 0;
            component[root] = id;
            let mut stack = vec![root];
            while let Some(b) = stack.pop() {
                size += 1;
                for &p in &preds[b] {
                    if component[p] == usize::MAX {
                        component[p] = id;
                        stack.push(p);
                    }
                }
            }
            sizes.push(size);
        }
        for b in 0..n {
            let self_edge = self.blocks[b].succs.contains(&b);
            self.blocks[b].in_loop = self_edge || sizes[component[b]] > 1;
        }
        self.component = component;
    }
}
