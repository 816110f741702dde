//! The compile step of an analysis: the parsed module through pyxray's CPython compiler for the
//! selected version. What failed stays data: the error, the warnings, or why nothing was compiled.

use pyxray_bytecode::dis::{canonical_const_repr, analysis_instructions, ArgVal, Instruction};
use pyxray_bytecode::Op;
use pyxray_bytecode::{CodeObject, PythonVersion};
use pyxray_syntax::ast::{Module, TextRange};
use std::collections::HashMap;
use std::sync::OnceLock;
use pyxray_compiler::{compile_module, compile_module_reusing, escape_warning, CompileError, CompileWarning, SourceMap, UnitCache, SUPPORTED};
use pyxray_syntax::{LineIndex, Parsed};
use std::sync::Arc;

/// CPython stops at the first compile error; for the rest of the file's hovers and insights,
/// compile again without the top-level statements that fail (a few attempts at most).
fn compile_without_failing_statements(
    module: &Module,
    mut failing: TextRange,
    src: &SourceMap<'_>,
    version: PythonVersion,
) -> Option<Arc<CodeObject>> {
    const ATTEMPTS: usize = 8;
    let mut body = module.body.clone();
    for _ in 0..ATTEMPTS {
        let before = body.len();
        body.retain(|s| !(s.range.start <= failing.start && failing.start < s.range.end.max(s.range.start + 1)));
        if body.len() == before || body.is_empty() {
            return None;
        }
        let out = compile_module(&Module { body: body.clone() }, src, version);
        match (out.code, out.error) {
            (Some(code), _) => return Some(code),
            (None, Some(e)) => failing = e.range,
            (None, None) => return None,
        }
    }
    None
}

/// Every instruction of the module with its source range, for hovers: what CPython runs for a
/// given piece of source.
#[derive(Debug, Default)]
pub struct InstrIndex {
    pub codes: Vec<Arc<CodeObject>>,
    pub instrs: Vec<Vec<Instruction>>,
    /// Source range → (code index, instruction index), in code order.
    pub by_range: HashMap<(u32, u32), Vec<(usize, usize)>>,
    /// `LOAD_CONST` sites by constant (type and canonical repr): where each merged object is loaded.
    pub const_loads: HashMap<(&'static str, String), Vec<TextRange>>,
    /// Superinstructions that name two variables (`LOAD_FAST_LOAD_FAST x y`), by 0-based line:
    /// only the first name has their position.
    pub pairs_by_line: HashMap<u32, Vec<(usize, usize)>>,
}

impl InstrIndex {
    /// The instructions whose positions are exactly `range`.
    pub fn at(&self, range: TextRange) -> impl Iterator<Item = (&Arc<CodeObject>, &Instruction)> {
        self.by_range
            .get(&(range.start, range.end))
            .into_iter()
            .flatten()
            .map(|&(c, i)| (&self.codes[c], &self.instrs[c][i]))
    }
}

/// The compiled module, or what stopped it.
#[derive(Debug, Default)]
pub struct Compiled {
    /// The module's code object (when the compiler got through).
    pub code: Option<Arc<CodeObject>>,
    /// The error CPython's compiler stops at, after parsing.
    pub error: Option<CompileError>,
    /// Warnings CPython gives while parsing (invalid escapes) and compiling, in that order.
    pub warnings: Vec<CompileWarning>,
    /// Why nothing was compiled, when nothing was.
    pub skipped: Option<String>,
    /// What the mini-VM found in each code object.
    pub facts: Vec<pyxray_vm::CodeFacts>,
    /// The top-level units, for compiling the next version of the file.
    pub units: UnitCache,
    /// The facts by code object, for analysing the next version of the file.
    pub fact_cache: pyxray_vm::FactCache,
    /// How long the mini-VM took to find `facts`.
    pub vm_time: std::time::Duration,
    /// Built on the first hover that needs it.
    index: OnceLock<InstrIndex>,
    version: Option<PythonVersion>,
}

impl Compiled {
    /// Compiles what parsed. When part of the file did not parse, the rest is still compiled so
    /// its functions keep their listings (CPython itself would stop at the syntax error).
    pub fn new(parsed: &Parsed, text: &str, line_index: &LineIndex, file_name: &str, version: PythonVersion) -> Self {
        Self::reusing(parsed, text, line_index, file_name, version, None)
    }

    /// [`Compiled::new`] for a new text of the file `previous` was compiled from: what did not
    /// change is taken from there (see [`pyxray_compiler::reuse`]). The result is the same.
    pub fn reusing(
        parsed: &Parsed,
        text: &str,
        line_index: &LineIndex,
        file_name: &str,
        version: PythonVersion,
        previous: Option<&Compiled>,
    ) -> Self {
        // Every front end chooses the version with `AnalysisConfig::set_version`, which always
        // gives one of `SUPPORTED` (the nearest to the one asked for, saying so in hovers and the
        // status). Only a configuration built by hand with another version gets here.
        if !SUPPORTED.contains(&version) {
            let supported: Vec<&str> = SUPPORTED.iter().map(|v| v.as_str()).collect();
            let skipped = format!(
                "pyxray cannot compile for CPython {} yet (it reproduces {})",
                version.as_str(),
                supported.join(", ")
            );
            return Compiled { skipped: Some(skipped), ..Default::default() };
        }
        let mut warnings: Vec<CompileWarning> =
            parsed.escapes.iter().map(|e| escape_warning(e, text, line_index, version)).collect();
        let src = SourceMap::new(text, line_index, file_name);
        let out = match previous {
            Some(previous) => compile_module_reusing(&parsed.module, &src, version, &previous.units),
            None => compile_module(&parsed.module, &src, version),
        };
        warnings.extend(out.warnings);
        let code = match (&out.code, &out.error) {
            (None, Some(e)) => compile_without_failing_statements(&parsed.module, e.range, &src, version),
            _ => out.code,
        };
        let vm_started = std::time::Instant::now();
        let previous_facts = previous.map(|p| &p.fact_cache);
        let (facts, fact_cache) =
            code.as_ref().map(|c| pyxray_vm::analyze_module_reusing(c, version, previous_facts)).unwrap_or_default();
        let vm_time = vm_started.elapsed();
        Compiled {
            code,
            units: out.units,
            fact_cache,
            error: out.error,
            warnings,
            skipped: None,
            facts,
            vm_time,
            index: OnceLock::new(),
            version: Some(version),
        }
    }

    /// The byte range of an instruction's positions (line, end line, column, end column).
    pub fn range_of(
        line_index: &LineIndex,
        positions: (Option<i32>, Option<i32>, Option<i32>, Option<i32>),
    ) -> Option<pyxray_syntax::ast::TextRange> {
        let (Some(l), Some(el), Some(c), Some(ec)) = positions else { return None };
        let at = |line: i32, col: i32| -> Option<u32> {
            let line = u32::try_from(line - 1).ok()?;
            (line < line_index.line_count()).then(|| line_index.line_start(line) + col.max(0) as u32)
        };
        Some(pyxray_syntax::ast::TextRange::new(at(l, c)?, at(el, ec)?))
    }

    /// The instruction index (built once, on first use).
    pub fn index(&self, line_index: &LineIndex) -> &InstrIndex {
        self.index.get_or_init(|| {
            let mut index = InstrIndex::default();
            let Some(version) = self.version else { return index };
            for code in self.code_objects() {
                let c = index.codes.len();
                let instrs = analysis_instructions(code, version);
                for (i, ins) in instrs.iter().enumerate() {
                    let Some(r) = ins.positions.and_then(|p| Self::range_of(line_index, p)) else { continue };
                    index.by_range.entry((r.start, r.end)).or_default().push((c, i));
                    match &ins.argval {
                        ArgVal::Const(k) if ins.op == Op::LOAD_CONST => {
                            let key = (k.type_name(), canonical_const_repr(k, version));
                            index.const_loads.entry(key).or_default().push(r);
                        }
                        ArgVal::NamePair(..) => {
                            index.pairs_by_line.entry(line_index.line_of(r.start)).or_default().push((c, i));
                        }
                        _ => {}
                    }
                }
                index.codes.push(code.clone());
                index.instrs.push(instrs);
            }
            index
        })
    }

    /// Every code object, the module first, depth first through the constants.
    pub fn code_objects(&self) -> Vec<&Arc<CodeObject>> {
        let mut out = Vec::new();
        let mut stack: Vec<&Arc<CodeObject>> = self.code.iter().collect();
        while let Some(code) = stack.pop() {
            out.push(code);
            let children: Vec<&Arc<CodeObject>> = code.children().collect();
            stack.extend(children.into_iter().rev());
        }
        out
    }
}
