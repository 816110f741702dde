//! One file's analysis: parse once, compile once, run every registered analysis, and answer
//! hovers from the result. Built off the async runtime and shared read-only.

use crate::analyses::{self, Context};
use crate::compiled::Compiled;
use crate::config::AnalysisConfig;
use crate::diagnostic::Diagnostic;
use crate::hover;
use pyxray_syntax::ast::TextRange;
use pyxray_syntax::{parse_module_with, Grammar, LineIndex, Parsed};

/// A hover's content: Markdown, and the range it describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
}

pub struct FileAnalysis {
    text: String,
    line_index: LineIndex,
    parsed: Parsed,
    compiled: Compiled,
    diagnostics: Vec<Diagnostic>,
    config: AnalysisConfig,
}

impl FileAnalysis {
    /// Analyses source text that has no file name (`<string>` in listings).
    pub fn new(text: &str, config: &AnalysisConfig) -> Self {
        Self::for_file(text, "<string>", config)
    }

    /// Analyses a file's text; `file_name` is what listings show as the code objects' file.
    pub fn for_file(text: &str, file_name: &str, config: &AnalysisConfig) -> Self {
        let parsed = parse_module_with(text, Grammar::of_release(config.python.minor()));
        let line_index = LineIndex::new(text);
        let compiled = Compiled::new(&parsed, text, &line_index, file_name, config.python);
        let diagnostics = analyses::run_all(&Context {
            text,
            line_index: &line_index,
            parsed: &parsed,
            compiled: &compiled,
            config,
        });
        FileAnalysis { text: text.to_string(), line_index, parsed, compiled, diagnostics, config: config.clone() }
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

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The hover at byte `offset`, if pyxray has something to say there.
    pub fn hover(&self, offset: u32) -> Option<Hover> {
        hover::hover(self, offset)
    }
}
