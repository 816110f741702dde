//! The control-flow graph (CPython `Python/flowgraph.c`): basic blocks built from the instruction
//! sequence, the optimization passes run in CPython's order (`_PyCfg_OptimizeCodeUnit`), and the
//! conversion back to a linear instruction sequence with stack depth and localsplus layout.

mod build;
mod finalize;
mod fold;
mod load_fast;
mod optimize;
mod optimize_311;
mod optimize_312;
mod passes;

use crate::codegen::CodeUnitMetadata;
use crate::error::CompileResult;
use crate::instr_seq::{InstrSequence, Location, NO_LOCATION};
use crate::opcodes;
use pyxray_bytecode::opcode::Op;
use pyxray_bytecode::{ConstValue, PythonVersion};

pub type BlockId = usize;

/// An optional block id in four bytes: instructions are copied around by every pass, and two
/// `Option<usize>` fields made them nearly twice as large.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRef(u32);

impl BlockRef {
    pub const NONE: BlockRef = BlockRef(u32::MAX);

    pub fn get(self) -> Option<BlockId> {
        (self.0 != u32::MAX).then_some(self.0 as BlockId)
    }
}

impl From<Option<BlockId>> for BlockRef {
    fn from(b: Option<BlockId>) -> Self {
        // A CFG never holds four billion blocks; such an id would read back as no block.
        b.map_or(BlockRef::NONE, |b| BlockRef(u32::try_from(b).unwrap_or(u32::MAX)))
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CfgInstr {
    pub op: Op,
    pub oparg: i32,
    pub loc: Location,
    pub target: BlockRef,
    pub except: BlockRef,
}

impl CfgInstr {
    pub fn new(op: Op, oparg: i32, loc: Location) -> Self {
        CfgInstr { op, oparg, loc, target: BlockRef::NONE, except: BlockRef::NONE }
    }

    /// `INSTR_SET_OP0`.
    pub fn set_op0(&mut self, op: Op) {
        self.op = op;
        self.oparg = 0;
    }

    /// `INSTR_SET_OP1`.
    pub fn set_op1(&mut self, op: Op, oparg: i32) {
        self.op = op;
        self.oparg = oparg;
    }
}

/// The exception handler stack at the start of a block (`_PyCfgExceptStack`).
#[derive(Clone, Debug, Default)]
pub struct ExceptStack {
    pub handlers: Vec<Option<BlockId>>,
}

impl ExceptStack {
    fn new() -> Self {
        ExceptStack { handlers: vec![None] }
    }

    fn depth(&self) -> usize {
        self.handlers.len() - 1
    }

    fn top(&self) -> Option<BlockId> {
        *self.handlers.last().unwrap_or(&None)
    }
}

#[derive(Clone, Debug)]
pub struct BasicBlock {
    pub label: i32,
    pub instrs: Vec<CfgInstr>,
    pub next: Option<BlockId>,
    pub exceptstack: Option<ExceptStack>,
    pub unsafe_locals_mask: u64,
    pub predecessors: i32,
    pub startdepth: i32,
    pub preserve_lasti: bool,
    pub visited: bool,
    pub except_handler: bool,
    pub cold: bool,
    pub warm: bool,
    /// The handlers left in CPython's instruction array past the block's end by removed
    /// instructions (first = the slot just past the end). 3.14 appends `NOT_TAKEN` without
    /// setting its handler, so it inherits what its slot held; a fresh slot holds none.
    pub stale_except: Vec<BlockRef>,
}

impl BasicBlock {
    fn new() -> Self {
        BasicBlock {
            label: -1,
            instrs: Vec::new(),
            next: None,
            exceptstack: None,
            unsafe_locals_mask: 0,
            predecessors: 0,
            startdepth: 0,
            preserve_lasti: false,
            visited: false,
            except_handler: false,
            cold: false,
            warm: false,
            stale_except: Vec::new(),
        }
    }

    /// Shortens the block as CPython's `b_iused = len` does, keeping the dropped slots' handlers.
    pub fn truncate_keeping_stale(&mut self, len: usize) {
        if len >= self.instrs.len() {
            return;
        }
        let mut stale: Vec<BlockRef> = self.instrs[len..].iter().map(|i| i.except).collect();
        stale.append(&mut self.stale_except);
        self.stale_except = stale;
        self.instrs.truncate(len);
    }

    /// Records that `n` instructions were added (they overwrite the first stale slots).
    pub fn consume_stale(&mut self, n: usize) {
        let n = n.min(self.stale_except.len());
        self.stale_except.drain(..n);
    }

    /// Appends an instruction whose handler CPython never sets (`basicblock_addop`).
    pub fn push_unset_except(&mut self, mut instr: CfgInstr) {
        instr.except = self.stale_except.first().copied().unwrap_or(BlockRef::NONE);
        self.consume_stale(1);
        self.instrs.push(instr);
    }

    pub fn last(&self) -> Option<&CfgInstr> {
        self.instrs.last()
    }

    /// `BB_NO_FALLTHROUGH`.
    pub fn no_fallthrough(&self) -> bool {
        self.last()
            .is_some_and(|l| opcodes::is_scope_exit(l.op) || opcodes::is_unconditional_jump(l.op))
    }

    pub fn has_fallthrough(&self) -> bool {
        !self.no_fallthrough()
    }

    pub fn exits_scope(&self) -> bool {
        self.last().is_some_and(|l| opcodes::is_scope_exit(l.op))
    }

    pub fn has_eval_break(&self) -> bool {
        self.instrs.iter().any(|i| opcodes::has_eval_break(i.op))
    }

    pub fn has_no_lineno(&self) -> bool {
        self.instrs.iter().all(|i| i.loc.lineno < 0)
    }
}

/// `cfg_builder`: blocks in an arena, linked in layout order by `next`.
#[derive(Clone, Debug)]
pub struct Cfg {
    pub blocks: Vec<BasicBlock>,
    pub entry: BlockId,
    pub version: PythonVersion,
}

impl Cfg {
    pub fn new_block(&mut self) -> BlockId {
        self.blocks.push(BasicBlock::new());
        self.blocks.len() - 1
    }

    /// Block ids in layout order.
    pub fn order(&self) -> Vec<BlockId> {
        let mut out = Vec::new();
        let mut b = Some(self.entry);
        while let Some(id) = b {
            out.push(id);
            b = self.blocks[id].next;
        }
        out
    }

    pub fn next_nonempty_block(&self, mut b: Option<BlockId>) -> Option<BlockId> {
        while let Some(id) = b {
            if !self.blocks[id].instrs.is_empty() {
                return Some(id);
            }
            b = self.blocks[id].next;
        }
        None
    }

    pub fn get_max_label(&self) -> i32 {
        let mut max = -1;
        let mut b = Some(self.entry);
        while let Some(id) = b {
            max = max.max(self.blocks[id].label);
            b = self.blocks[id].next;
        }
        max
    }

    /// `basicblock_add_jump`.
    pub fn add_jump(&mut self, b: BlockId, op: Op, target: BlockId, loc: Location) -> bool {
        if self.blocks[b].last().is_some_and(|l| opcodes::has_jump(l.op)) {
            return false;
        }
        let label = self.blocks[target].label;
        let mut instr = CfgInstr::new(op, label, loc);
        instr.target = Some(target).into();
        instr.except = self.blocks[b].stale_except.first().copied().unwrap_or(BlockRef::NONE);
        self.blocks[b].consume_stale(1);
        self.blocks[b].instrs.push(instr);
        true
    }

    /// Clears the `visited` flag of every block in layout order (`make_cfg_traversal_stack`).
    pub fn reset_visited(&mut self) {
        let mut b = Some(self.entry);
        while let Some(id) = b {
            self.blocks[id].visited = false;
            b = self.blocks[id].next;
        }
    }

    /// The target of instruction `i` of block `b` when `wanted` says its opcode counts.
    pub fn target_of(&self, b: BlockId, i: usize, wanted: impl Fn(Op) -> bool) -> Option<BlockId> {
        let instr = &self.blocks[b].instrs[i];
        if wanted(instr.op) {
            instr.target.get()
        } else {
            None
        }
    }
}

/// The result of optimizing one code unit: the linear instructions ready for assembly.
pub struct OptimizedUnit {
    pub instrs: InstrSequence,
    pub consts: Vec<ConstValue>,
    pub stackdepth: i32,
    pub nlocalsplus: i32,
}

/// `_PyCfg_OptimizeCodeUnit` followed by `_PyCfg_OptimizedCfgToInstructionSequence`.
pub fn optimize_code_unit(
    seq: &InstrSequence,
    mut consts: Vec<ConstValue>,
    md: &CodeUnitMetadata,
    nparams: usize,
    code_flags: u32,
    version: PythonVersion,
) -> CompileResult<OptimizedUnit> {
    let mut g = build::from_instruction_sequence(seq, version);
    let nlocals = md.varnames.len();
    build::translate_jump_labels_to_targets(&mut g);
    if version == PythonVersion::V3_11 {
        let allocation = optimize_311::allocation_order(&g, seq);
        let (stackdepth, nlocalsplus) = optimize_311::assemble_cfg(&mut g, &mut consts, md, code_flags, &allocation)?;
        let instrs = finalize::to_instruction_sequence(&mut g);
        return Ok(OptimizedUnit { instrs, consts, stackdepth, nlocalsplus });
    }
    build::mark_except_handlers(&mut g);
    build::label_exception_targets(&mut g);
    if version <= PythonVersion::V3_12 {
        optimize_312::optimize_cfg(&mut g, &mut consts)?;
    } else {
        optimize::optimize_cfg(&mut g, &mut consts, md.firstlineno)?;
    }
    passes::remove_unused_consts(&mut g, &mut consts);
    passes::add_checks_for_loads_of_uninitialized_variables(&mut g, nlocals, nparams);
    passes::insert_superinstructions(&mut g);
    passes::push_cold_blocks_to_end(&mut g);
    passes::resolve_line_numbers(&mut g);
    if version <= PythonVersion::V3_12 {
        passes::guarantee_lineno_for_exits(&mut g, md.firstlineno);
    }
    if version >= PythonVersion::V3_14 {
        finalize::convert_pseudo_conditional_jumps(&mut g);
    }
    let stackdepth = finalize::calculate_stackdepth(&mut g)?;
    let nlocalsplus = finalize::prepare_localsplus(&mut g, md, code_flags);
    finalize::convert_pseudo_ops(&mut g);
    finalize::normalize_jumps(&mut g);
    if version >= PythonVersion::V3_14 {
        load_fast::optimize_load_fast(&mut g);
    }
    let instrs = finalize::to_instruction_sequence(&mut g);
    Ok(OptimizedUnit { instrs, consts, stackdepth, nlocalsplus })
}

pub(crate) const NO_LOC: Location = NO_LOCATION;
