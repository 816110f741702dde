//! What the interpreter reports: the predicted result of each identity comparison and, for
//! each function object made, whether it was made in a loop, what it captures, and where it went.

use crate::value::Prediction;
use pyxray_syntax::ast::TextRange;

/// One `is` / `is not` (one `IS_OP` instruction).
#[derive(Clone, Debug, PartialEq)]
pub struct IsFact {
    pub offset: u32,
    pub negated: bool,
    pub prediction: Prediction,
    pub reason: String,
    /// Whether both operands are value objects (numbers, strings, bytes, tuples) rather than
    /// singletons or containers: their identity is an accident of caching and merging.
    pub value_identity: bool,
    /// The instruction's source positions: (line, end line, column, end column), UTF-8 bytes.
    pub positions: (Option<i32>, Option<i32>, Option<i32>, Option<i32>),
}

/// How a function object left the code that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    Returned,
    Stored,
    Passed,
    InContainer,
}

impl Escape {
    pub fn describe(self) -> &'static str {
        match self {
            Escape::Returned => "returned or yielded",
            Escape::Stored => "stored in a global, a cell, an attribute or an item",
            Escape::Passed => "passed to a call",
            Escape::InContainer => "put in a list, tuple, set or dict",
        }
    }
}

/// One `MAKE_FUNCTION`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClosureFact {
    pub offset: u32,
    pub qualname: String,
    /// The `def` or `lambda` node, when the compiler recorded it.
    pub source: Option<TextRange>,
    pub line: i32,
    /// Made inside a loop (its instruction lies on a cycle of the control-flow graph).
    pub in_loop: bool,
    /// The function's free variables.
    pub captured: Vec<String>,
    /// Captured variables the same loop assigns again: the function sees their last value.
    pub rebound_in_loop: Vec<String>,
    /// Where the function object went, if anywhere.
    pub escapes: Vec<Escape>,
    /// Whether it was called where it was made.
    pub called_in_place: bool,
}

impl ClosureFact {
    /// The late-binding trap: made in a loop, seeing a loop-rebound variable, and kept beyond
    /// the iteration that made it.
    pub fn is_late_binding_hazard(&self) -> bool {
        self.in_loop && !self.rebound_in_loop.is_empty() && !self.escapes.is_empty()
    }
}
