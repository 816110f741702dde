//! Reuse between compiles of one file: the code object of a top-level `def` or `class` depends
//! only on its own text, the line it starts on, and what it shares with the whole file (version,
//! file name, `from __future__ import annotations`, and the two things code generation asks of
//! the module's scope: which names imports bind there, and whether it uses `super`). A compile records each such unit; the next compile of
//! the same file (after an edit elsewhere) takes the unit from there instead of generating and
//! optimising it again, moving its byte ranges when the text before it changed length and its
//! lines when lines were added or removed before it. Line tables count from `co_firstlineno`, so
//! moving lines only changes that; but a class body stores its first line as a constant too
//! (`__firstlineno__`, 3.13+), which constant merging may share with equal literals, so a unit
//! holding a class body is only reused on the line it was compiled on.
//!
//! Not part of CPython: an editor recompiles after every keystroke, CPython compiles once.

use crate::error::CompileWarning;
use crate::symtable::{SymbolTable, DEF_IMPORT};
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
    /// What code generation asks of the module's own scope: the names an import binds there (a
    /// method call on one is not optimised, `is_import_originated`) and whether the module uses
    /// the name `super` (`can_optimize_super_call`).
    pub module_imports: Vec<String>,
    pub module_uses_super: bool,
}

impl Settings {
    pub fn new(version: PythonVersion, filename: &str, future_annotations: bool, st: &SymbolTable) -> Self {
        let module = st.entry(st.top);
        let mut module_imports: Vec<String> =
            module.symbols.iter().filter(|(_, &flags)| flags & DEF_IMPORT != 0).map(|(name, _)| name.clone()).collect();
        module_imports.sort_unstable();
        Settings {
            version: Some(version),
            filename: filename.to_string(),
            future_annotations,
            module_imports,
            module_uses_super: module.scope("super").is_some(),
        }
    }
}

/// A unit is found again by its statement's exact text, where `co_firstlineno` is relative to
/// the statement's first line, and that line itself for units that cannot move lines.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct UnitKey {
    text: Box<str>,
    pinned_line: Option<i32>,
    firstlineno_offset: i32,
}

#[derive(Clone, Debug)]
struct Unit {
    code: Arc<CodeObject>,
    /// Where the statement started when `code` was generated: byte offset and line.
    start: u32,
    line: i32,
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
        let firstlineno_offset = firstlineno - line;
        let mut key = UnitKey { text: text.into(), pinned_line: Some(line), firstlineno_offset };
        let unit = match previous.units.get(&key) {
            Some(unit) => unit,
            None => {
                key.pinned_line = None;
                previous.units.get(&key)?
            }
        };
        let delta = Delta { bytes: i64::from(start) - i64::from(unit.start), lines: i64::from(line - unit.line) };
        let moved = Unit {
            code: relocate(&unit.code, delta),
            start,
            line,
            warnings: unit
                .warnings
                .iter()
                .map(|w| CompileWarning {
                    range: shift(w.range, delta.bytes),
                    lineno: u32::try_from(i64::from(w.lineno) + delta.lines).unwrap_or(0),
                    ..w.clone()
                })
                .collect(),
        };
        let reused = Reused { code: moved.code.clone(), warnings: moved.warnings.clone() };
        self.units.insert(key, moved);
        self.reused += 1;
        Some(reused)
    }

    /// Records a unit this compile generated.
    pub(crate) fn record(
        &mut self,
        text: &str,
        start: u32,
        line: i32,
        firstlineno: i32,
        code: Arc<CodeObject>,
        warnings: Vec<CompileWarning>,
    ) {
        let pinned_line = stores_first_line(&code).then_some(line);
        let key = UnitKey { text: text.into(), pinned_line, firstlineno_offset: firstlineno - line };
        self.units.insert(key, Unit { code, start, line, warnings });
    }
}

/// Whether a class body in `code` (or nested in it) stores `__firstlineno__`.
fn stores_first_line(code: &CodeObject) -> bool {
    code.names.iter().any(|n| n == "__firstlineno__") || code.children().any(|c| stores_first_line(c))
}

/// How far a unit moved: in bytes and in lines.
#[derive(Clone, Copy)]
struct Delta {
    bytes: i64,
    lines: i64,
}

fn shift(range: TextRange, delta: i64) -> TextRange {
    let at = |offset: u32| u32::try_from(i64::from(offset) + delta).unwrap_or(0);
    TextRange::new(at(range.start), at(range.end))
}

/// `code` with every byte range and first line (its own and its nested code objects') moved.
fn relocate(code: &Arc<CodeObject>, delta: Delta) -> Arc<CodeObject> {
    if delta.bytes == 0 && delta.lines == 0 {
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
    Arc::new(CodeObject {
        consts,
        source: code.source.map(|r| shift(r, delta.bytes)),
        firstlineno: u32::try_from(i64::from(code.firstlineno) + delta.lines).unwrap_or(0),
        ..(**code).clone()
    })
}
