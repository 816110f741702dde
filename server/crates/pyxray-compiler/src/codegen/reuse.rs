//! Taking top-level `def`/`class` code objects from the previous compile of the same file, and
//! recording this compile's (see [`crate::reuse`]).

use super::Compiler;
use pyxray_bytecode::CodeObject;
use pyxray_syntax::ast::TextRange;
use std::sync::Arc;

impl<'a> Compiler<'a> {
    /// The statement's text and line when it is a unit that can be reused: compiled straight
    /// from the module (nothing but the module's unit is open) and starting a line.
    fn top_level_unit(&self, range: TextRange) -> Option<(&'a str, i32)> {
        if self.units.len() != 1 {
            return None;
        }
        let loc = self.src.location(range);
        if loc.col_offset != 0 {
            return None;
        }
        let text = self.src.text.get(range.start as usize..range.end as usize)?;
        Some((text, loc.lineno))
    }

    /// The code object of the top-level statement at `range`, from the previous compile, with
    /// the warnings generating it gave (emitted again here).
    pub(super) fn reuse_top_level(&mut self, range: TextRange, firstlineno: i32) -> Option<Arc<CodeObject>> {
        let previous = self.previous_units?;
        let (text, line) = self.top_level_unit(range)?;
        let reused = self.unit_cache.take(previous, text, range.start, line, firstlineno)?;
        self.warnings.extend(reused.warnings);
        Some(reused.code)
    }

    /// Records the code object just generated for the statement at `range`; `warned` is how many
    /// warnings there were before generating it.
    pub(super) fn record_top_level(&mut self, range: TextRange, firstlineno: i32, code: &Arc<CodeObject>, warned: usize) {
        if !self.record_units {
            return;
        }
        let Some((text, line)) = self.top_level_unit(range) else { return };
        let warnings = self.warnings[warned..].to_vec();
        self.unit_cache.record(text, range.start, line, firstlineno, code.clone(), warnings);
    }
}
