//! Reuse between compiles of one file: the code object of a top-level `def` or `class` depends
//! only on its own text, the line it starts on, and the file-wide settings (version, file name,
//! `from __future__ import annotations`). A compile records each such unit; the next compile of
//! the same file (after an edit elsewhere) takes the unit from there instead of generating and
//! optimising it again, moving its byte ranges when the text before it changed length.
//!
//! Not part of CPython: an editor recompiles after every keystroke, CPython compiles once.

use crate::error::CompileWarning;
use pyxray_bytecode::{CodeObject, ConstValue, PythonVersion};
use pyxray_syntax::ast::TextRange;
use std::collections::HashMap;
use std::sync::Arc;

/// What every unit of one compile shares: a unit is only reused under the same settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Settings {
    pub version: Option<PythonVersion>,
    pub filename: String,
    pub future_annotations: bool,
}

/// A unit is found again by its statement's exact text, the line that text starts on, and
/// `co_firstlineno` (the first decorator's line).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct UnitKey {
    text: Box<str>,
    line: i32,
    firstlineno: i32,
}

#[derive(Clone, Debug)]
struct Unit {
    code: Arc<CodeObject>,
    /// Where the statement started when `code` was generated.
    start: u32,
    /// The warnings generating it gave, in order.
    warnings: Vec<CompileWarning>,
}

/// The top-level units of one compile, for the next compile of the same file to reuse.
#[derive(Clone, Debug, Default)]
pub struct UnitCache {
    settings: Settings,
    units: HashMap<UnitKey, Unit>,
    /// How many units the compile that built this cache took from the previous one.
    reused: usize,
}

/// A unit taken from the cache, already moved to where its statement now starts.
pub(crate) struct Reused {
    pub code: Arc<CodeObject>,
    pub warnings: Vec<CompileWarning>,
}

impl UnitCache {
    pub(crate) fn new(settings: Settings) -> Self {
        UnitCache { settings, ..Default::default() }
    }

    /// How many top-level units this cache holds.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// How many of them the compile that built it reused rather than generated.
    pub fn reused(&self) -> usize {
        self.reused
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The unit for the statement `text` at byte `start` (line `line`), if `previous` has it; it
    /// is also recorded here, for the compile after this one.
    pub(crate) fn take(
        &mut self,
        previous: &UnitCache,
        text: &str,
        start: u32,
        line: i32,
        firstlineno: i32,
    ) -> Option<Reused> {
        let key = UnitKey { text: text.into(), line, firstlineno };
        let unit = previous.units.get(&key)?;
        let delta = i64::from(start) - i64::from(unit.start);
        let moved = Unit {
            code: relocate(&unit.code, delta),
            start,
            warnings: unit.warnings.iter().map(|w| CompileWarning { range: shift(w.range, delta), ..w.clone() }).collect(),
        };
        let reused = Reused { code: moved.code.clone(), warnings: moved.warnings.clone() };
        self.units.insert(key, moved);
        self.reused += 1;
        Some(reused)
    }

    /// Records a unit this compile generated.
    pub(crate) fn record(&mut self, text: &str, start: u32, line: i32, firstlineno: i32, code: Arc<CodeObject>, warnings: Vec<CompileWarning>) {
        self.units.insert(UnitKey { text: text.into(), line, firstlineno }, Unit { code, start, warnings });
    }
}

fn shift(range: TextRange, delta: i64) -> TextRange {
    let at = |offset: u32| u32::try_from(i64::from(offset) + delta).unwrap_or(0);
    TextRange::new(at(range.start), at(range.end))
}

/// `code` with every byte range (its own and its nested code objects') moved by `delta`.
fn relocate(code: &Arc<CodeObject>, delta: i64) -> Arc<CodeObject> {
    if delta == 0 {
        return code.clone();
    }
    let consts = code
        .consts
        .iter()
        .map(|c| match c {
            ConstValue::Code(child) => ConstValue::Code(relocate(child, delta)),
            other => other.clone(),
        })
        .collect();
    Arc::new(CodeObject { consts, source: code.source.map(|r| shift(r, delta)), ..(**code).clone() })
}
