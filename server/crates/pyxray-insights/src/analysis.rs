//! One file's analysis: parse once, run every registered analysis, answer hovers and diagnostics
//! from the result. Built off the async runtime and shared read-only.

use crate::config::AnalysisConfig;
use crate::diagnostic::{Diagnostic, Severity, SYNTAX_ERROR};
use pyxray_syntax::ast::TextRange;
use pyxray_syntax::{parse_module, LineIndex, Parsed};

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
    diagnostics: Vec<Diagnostic>,
    config: AnalysisConfig,
}

impl FileAnalysis {
    pub fn new(text: &str, config: &AnalysisConfig) -> Self {
        let parsed = parse_module(text);
        let mut diagnostics = Vec::new();
        if config.is_enabled(&SYNTAX_ERROR) {
            for e in &parsed.errors {
                diagnostics.push(Diagnostic {
                    range: e.range,
                    severity: Severity::Error,
                    code: &SYNTAX_ERROR,
                    message: format!("{}: {}", e.kind.python_name(), e.message),
                    fixes: vec![],
                });
            }
        }
        FileAnalysis {
            text: text.to_string(),
            line_index: LineIndex::new(text),
            parsed,
            diagnostics,
            config: config.clone(),
        }
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

    pub fn config(&self) -> &AnalysisConfig {
        &self.config
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The hover at byte `offset`, if pyxray has something to say there.
    pub fn hover(&self, offset: u32) -> Option<Hover> {
        let _ = offset;
        None
    }
}
