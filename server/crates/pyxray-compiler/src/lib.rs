//! pyxray's compiler: a parsed module to the code objects CPython would build, following
//! CPython's own stages and function names — `future` (future.c), `ast_opt` (ast_opt.c),
//! `symtable` (symtable.c), `codegen` (compile.c), `flowgraph` (flowgraph.c) and `assemble`
//! (assemble.c). Version differences are switches inside those stages.

pub mod assemble;
pub mod ast_opt;
pub mod codegen;
pub mod consts;
pub mod error;
mod file;
pub mod flowgraph;
pub mod fold;
pub mod future;
pub mod instr_seq;
pub mod opcodes;
pub mod reuse;
pub mod symtable;
pub mod unparse;

pub use error::{CompileError, CompileWarning, ErrorKind, WarningCategory};
pub use file::{compile_file, escape_warning};

/// Insertion-ordered maps and sets with a fast hash (the compiler's keys are its own).
pub type IndexMap<K, V> = indexmap::IndexMap<K, V, rustc_hash::FxBuildHasher>;
pub type IndexSet<T> = indexmap::IndexSet<T, rustc_hash::FxBuildHasher>;

/// The versions whose compiler pyxray reproduces so far.
pub const SUPPORTED: &[PythonVersion] = &[PythonVersion::V3_11, PythonVersion::V3_12, PythonVersion::V3_13, PythonVersion::V3_14];
pub use instr_seq::Location;
pub use reuse::UnitCache;
pub use symtable::SymbolTable;

use pyxray_bytecode::{CodeObject, PythonVersion};
use pyxray_syntax::ast::{Module, TextRange};
use pyxray_syntax::LineIndex;
use std::cell::Cell;
use std::sync::Arc;

/// Maps byte ranges of the source to CPython locations (1-based lines, UTF-8 byte columns).
pub struct SourceMap<'a> {
    pub text: &'a str,
    pub line_index: &'a LineIndex,
    pub filename: &'a str,
    /// The line of the last lookup: codegen asks for locations mostly in source order, so the
    /// next one is usually on the same line or just after it.
    last_line: Cell<u32>,
}

impl<'a> SourceMap<'a> {
    pub fn new(text: &'a str, line_index: &'a LineIndex, filename: &'a str) -> Self {
        SourceMap { text, line_index, filename, last_line: Cell::new(0) }
    }

    fn line_col(&self, offset: u32) -> pyxray_syntax::LineCol {
        let lc = self.line_index.line_col_near(offset, self.last_line.get());
        self.last_line.set(lc.line);
        lc
    }

    /// The source range a location starts at (its first character), for errors reported where
    /// a location points; `None` for no location.
    pub fn range_at(&self, loc: Location) -> Option<TextRange> {
        if loc.lineno < 1 || loc.col_offset < 0 || loc.lineno as u32 > self.line_index.line_count() {
            return None;
        }
        let line = loc.lineno as u32 - 1;
        let bom = if line == 0 && self.text.starts_with('\u{feff}') { 3 } else { 0 };
        let start = (self.line_index.line_start(line) + loc.col_offset as u32 + bom).min(self.text.len() as u32);
        Some(TextRange::new(start, start))
    }

    /// `LOC(node)` for a node spanning `range`; [`ast_opt::NO_RANGE`] means no location.
    pub fn location(&self, range: TextRange) -> Location {
        if range == ast_opt::NO_RANGE {
            return instr_seq::NO_LOCATION;
        }
        let start = self.line_col(range.start);
        let end = self.line_index.line_col_near(range.end, start.line);
        let bom = |line: u32| if line == 0 && self.text.starts_with('\u{feff}') { 3 } else { 0 };
        Location {
            lineno: start.line as i32 + 1,
            end_lineno: end.line as i32 + 1,
            col_offset: start.col as i32 - bom(start.line),
            end_col_offset: end.col as i32 - bom(end.line),
        }
    }
}

/// What compiling a module produced. Compilation stops at the first error, as in CPython;
/// warnings emitted before it are kept.
#[derive(Debug, Default)]
pub struct CompileOutput {
    pub code: Option<Arc<CodeObject>>,
    pub error: Option<CompileError>,
    pub warnings: Vec<CompileWarning>,
    /// The analysed symbol table (present when the symbol-table pass succeeded).
    pub symtable: Option<SymbolTable>,
    /// The top-level units, for the next compile of the same file ([`compile_module_reusing`]).
    pub units: UnitCache,
}

/// Compiles a module as `compile(source, filename, "exec")` would for `version`.
pub fn compile_module(module: &Module, src: &SourceMap<'_>, version: PythonVersion) -> CompileOutput {
    compile_tree(module.clone(), src, version, None, true)
}

/// [`compile_module`] after an edit: top-level `def`s and `class`es whose text and line did not
/// change are taken from `previous` (the `units` of the last compile of this file) instead of
/// being compiled again. The output is the same as without `previous`.
pub fn compile_module_reusing(module: &Module, src: &SourceMap<'_>, version: PythonVersion, previous: &UnitCache) -> CompileOutput {
    compile_tree(module.clone(), src, version, Some(previous), true)
}

/// [`compile_module`] for a tree the caller no longer needs, as for a one-shot compile: the AST
/// pass folds it in place, and no units are recorded for a later compile (`units` is empty).
pub fn compile_owned_module(module: Module, src: &SourceMap<'_>, version: PythonVersion) -> CompileOutput {
    compile_tree(module, src, version, None, false)
}

fn compile_tree(
    module: Module,
    src: &SourceMap<'_>,
    version: PythonVersion,
    previous: Option<&UnitCache>,
    record_units: bool,
) -> CompileOutput {
    let mut out = CompileOutput::default();
    opcodes::set_version(version);
    let future = match future::from_ast(&module, version) {
        Ok(f) => f,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    let mut folded = module;
    out.warnings = ast_opt::optimize_module(&mut folded, future.annotations, version);
    for w in out.warnings.iter_mut() {
        w.lineno = src.location(w.range).lineno.max(0) as u32;
    }
    let st = match symtable::build(&folded, future.annotations, version) {
        Ok(st) => st,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    out.symtable = Some(st.clone());
    let mut compiler = codegen::Compiler::new(st, src, version, future.annotations);
    let settings = reuse::Settings::new(version, src.filename, future.annotations, &compiler.st);
    compiler.previous_units = previous.filter(|p| *p.settings() == settings);
    compiler.unit_cache = UnitCache::new(settings);
    compiler.record_units = record_units;
    if let Some(r) = future.location {
        compiler.future_location = src.location(r);
    }
    match compiler.compile_module(&folded) {
        Ok(code) => out.code = Some(code),
        Err(e) => out.error = Some(e),
    }
    out.warnings.append(&mut compiler.warnings);
    out.units = std::mem::take(&mut compiler.unit_cache);
    out
}
