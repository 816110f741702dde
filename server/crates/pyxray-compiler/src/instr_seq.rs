//! Source locations (`_Py_SourceLocation`) and the instruction sequence codegen emits
//! (`Python/instruction_sequence.c`): instructions with jump targets given as labels.

use pyxray_bytecode::opcode::Op;

/// CPython's `_Py_SourceLocation`: 1-based lines, 0-based UTF-8 byte columns; -1 = unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub lineno: i32,
    pub end_lineno: i32,
    pub col_offset: i32,
    pub end_col_offset: i32,
}

pub const NO_LOCATION: Location = Location { lineno: -1, end_lineno: -1, col_offset: -1, end_col_offset: -1 };
/// 3.14's `NEXT_LOCATION`: the location of the instruction that follows.
pub const NEXT_LOCATION: Location = Location { lineno: -2, end_lineno: -2, col_offset: -2, end_col_offset: -2 };

impl Location {
    pub const fn new(lineno: i32, end_lineno: i32, col_offset: i32, end_col_offset: i32) -> Self {
        Location { lineno, end_lineno, col_offset, end_col_offset }
    }
}

/// A jump target not yet resolved to an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Label(pub i32);

pub const NO_LABEL: Label = Label(-1);

impl Label {
    pub fn is_label(self) -> bool {
        self.0 >= 0
    }
}

/// Exception handler info attached to each instruction when the optimized CFG is flattened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptHandlerInfo {
    /// Index of the handler's first instruction, or -1.
    pub label: i32,
    pub startdepth: i32,
    pub preserve_lasti: bool,
}

impl Default for ExceptHandlerInfo {
    fn default() -> Self {
        ExceptHandlerInfo { label: -1, startdepth: -1, preserve_lasti: false }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Instruction {
    pub op: Op,
    /// The argument; for jumps, a label id (codegen) or instruction index (after mapping).
    pub oparg: i32,
    pub loc: Location,
    pub except: ExceptHandlerInfo,
    /// Filled in by the assembler.
    pub offset: i32,
    pub target: i32,
    /// 3.12: the label id a jump still carries when the assembler first sizes it (-1: none).
    pub label_arg: i32,
}

#[derive(Clone, Debug, Default)]
pub struct InstrSequence {
    pub instrs: Vec<Instruction>,
    next_free_label: i32,
    /// Label id → instruction index (-111 = unused).
    labelmap: Vec<i32>,
    label_map_applied: bool,
    /// Each placed label as (id, instruction index), kept once the map is applied: 3.12 starts
    /// a block at each and names blocks by these ids.
    pub placed_labels: Vec<(i32, i32)>,
    /// How many instructions had been emitted when each label was made (3.11 allocated a
    /// block per label then, and some of its passes walk blocks in allocation order).
    pub label_created_at: Vec<i32>,
}

impl InstrSequence {
    pub fn new_label(&mut self) -> Label {
        self.next_free_label += 1;
        let id = self.next_free_label as usize;
        if self.label_created_at.len() <= id {
            self.label_created_at.resize(id + 1, 0);
        }
        self.label_created_at[id] = self.instrs.len() as i32;
        Label(self.next_free_label)
    }

    pub fn use_label(&mut self, label: Label) {
        let idx = label.0 as usize;
        if self.labelmap.len() <= idx {
            self.labelmap.resize(idx + 1, -111);
        }
        self.labelmap[idx] = self.instrs.len() as i32;
    }

    pub fn addop(&mut self, op: Op, oparg: i32, loc: Location) {
        self.instrs.push(Instruction { op, oparg, loc, except: ExceptHandlerInfo::default(), offset: 0, target: 0, label_arg: -1 });
    }

    /// Inserts an instruction at `pos`, shifting labels that point at or after it.
    pub fn insert(&mut self, pos: usize, op: Op, oparg: i32, loc: Location) {
        self.instrs.insert(pos, Instruction { op, oparg, loc, except: ExceptHandlerInfo::default(), offset: 0, target: 0, label_arg: -1 });
        for l in self.labelmap.iter_mut() {
            if *l >= pos as i32 {
                *l += 1;
            }
        }
    }

    /// Inserts `instrs` at `pos`, shifting labels that point at or after it (3.14's
    /// `ANNOTATIONS_PLACEHOLDER` is replaced this way).
    pub fn insert_all(&mut self, pos: usize, instrs: Vec<Instruction>) {
        let n = instrs.len() as i32;
        self.instrs.splice(pos..pos, instrs);
        for l in self.labelmap.iter_mut() {
            if *l >= pos as i32 {
                *l += n;
            }
        }
    }

    /// Gives each `NEXT_LOCATION` instruction the location of the one after it (none for a
    /// jump or exit), as 3.14's assembler does.
    pub fn resolve_next_locations(&mut self) {
        for i in (0..self.instrs.len()).rev() {
            if self.instrs[i].loc == NEXT_LOCATION {
                let terminator = crate::opcodes::is_terminator(self.instrs[i].op);
                self.instrs[i].loc =
                    if terminator { NO_LOCATION } else { self.instrs.get(i + 1).map_or(NO_LOCATION, |n| n.loc) };
            }
        }
    }

    /// Replaces label ids in jump arguments (and handler labels) by instruction indices.
    pub fn apply_label_map(&mut self, has_target: impl Fn(Op) -> bool) {
        if self.label_map_applied {
            return;
        }
        for instr in self.instrs.iter_mut() {
            if has_target(instr.op) {
                instr.oparg = self.labelmap.get(instr.oparg as usize).copied().unwrap_or(-1);
            }
            if instr.except.label >= 0 {
                instr.except.label = self.labelmap.get(instr.except.label as usize).copied().unwrap_or(-1);
            }
        }
        self.label_map_applied = true;
        self.placed_labels =
            self.labelmap.iter().enumerate().filter(|&(_, &o)| o >= 0).map(|(id, &o)| (id as i32, o)).collect();
        self.labelmap.clear();
    }

    /// The last instruction is a `RETURN_VALUE` and no label was placed after it (3.11's
    /// `b_return` of the current block).
    pub fn ends_in_return(&self) -> bool {
        let end = self.instrs.len() as i32;
        self.instrs.last().is_some_and(|i| i.op == Op::RETURN_VALUE) && !self.labelmap.contains(&end)
    }

    pub fn len(&self) -> usize {
        self.instrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.instrs.is_empty()
    }
}
