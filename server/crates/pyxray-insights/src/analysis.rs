//! One file's analysis: parse once, compile once, run every registered analysis, and answer
//! hovers from the result. Built off the async runtime and shared read-only.

use crate::analyses::{self, Context};
use crate::compiled::Compiled;
use crate::config::AnalysisConfig;
use crate::diagnostic::Diagnostic;
use crate::hover;
use pyxray_syntax::ast::TextRange;
use pyxray_syntax::{parse_module_with, reparse, Grammar, LineIndex, Parsed};
use std::time::{Duration, Instant};

/// A hover's content: Markdown, and the range it describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
}

/// Where one analysis spent its time, stage by stage (for logs and benchmarks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StageTimes {
    /// Parsing and the line index.
    pub parse: Duration,
    /// Symbol table, code generation, CFG passes and assembly.
    pub compile: Duration,
    /// The mini-VM over every code object.
    pub vm: Duration,
    /// The registered analyses, producing diagnostics.
    pub insights: Duration,
}

impl StageTimes {
    pub fn total(&self) -> Duration {
        self.parse + self.compile + self.vm + self.insights
    }
}

pub struct FileAnalysis {
    text: String,
    line_index: LineIndex,
    parsed: Parsed,
    compiled: Compiled,
    diagnostics: Vec<Diagnostic>,
    config: AnalysisConfig,
    times: StageTimes,
}

impl FileAnalysis {
    /// Analyses source text that has no file name (`<string>` in listings).
    pub fn new(text: &str, config: &AnalysisConfig) -> Self {
        Self::for_file(text, "<string>", config)
    }

    /// Analyses a file's text; `file_name` is what listings show as the code objects' file.
    pub fn for_file(text: &str, file_name: &str, config: &AnalysisConfig) -> Self {
        Self::analyse(text, file_name, config, None)
    }

    /// [`FileAnalysis::for_file`] for the next text of the file `previous` analysed (after an
    /// edit): the parts that did not change are reused. The result is the same as `for_file`'s.
    pub fn after_edit(text: &str, file_name: &str, config: &AnalysisConfig, previous: &FileAnalysis) -> Self {
        Self::analyse(text, file_name, config, Some(previous))
    }

    fn analyse(text: &str, file_name: &str, config: &AnalysisConfig, previous: Option<&FileAnalysis>) -> Self {
        // The previous parse is only reusable under the same grammar.
        let previous = previous.filter(|p| p.config.python == config.python);
        let started = Instant::now();
        let grammar = Grammar::of_release(config.python.minor());
        let parsed = match previous {
            Some(p) => reparse(text, grammar, &p.text, &p.parsed),
            None => parse_module_with(text, grammar),
        };
        let line_index = LineIndex::new(text);
        let parse = started.elapsed();
        let previous = previous.map(|p| &p.compiled);
        let compiled = Compiled::reusing(&parsed, text, &line_index, file_name, config.python, previous);
        let vm = compiled.vm_time;
        let compile = started.elapsed() - parse - vm;
        let diagnostics = analyses::run_all(&Context {
            text,
            line_index: &line_index,
            parsed: &parsed,
            compiled: &compiled,
            config,
        });
        let times = StageTimes { parse, compile, vm, insights: started.elapsed() - parse - compile - vm };
        FileAnalysis { text: text.to_string(), line_index, parsed, compiled, diagnostics, config: config.clone(), times }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    pub fn parsed(&self) -> &Parsed {
        &self.parsed
    }

    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    pub fn config(&self) -> &AnalysisConfig {
        &self.config
    }

    /// How long each stage of this analysis took.
    pub fn times(&self) -> StageTimes {
        self.times
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The hover at byte `offset`, if pyxray has something to say there.
    pub fn hover(&self, offset: u32) -> Option<Hover> {
        hover::hover(self, offset)
    }
}
