//! The registry of analyses: each file in this folder checks one thing and defines its
//! diagnostic code; adding one means adding its file and a line in [`REGISTRY`].

mod compile_error;
mod compile_warning;
mod syntax_error;

use crate::compiled::Compiled;
use crate::config::AnalysisConfig;
use crate::diagnostic::{Diagnostic, DiagnosticCode};
use pyxray_syntax::{LineIndex, Parsed};

/// What an analysis may look at: the file at every stage.
pub struct Context<'a> {
    pub text: &'a str,
    pub line_index: &'a LineIndex,
    pub parsed: &'a Parsed,
    pub compiled: &'a Compiled,
    pub config: &'a AnalysisConfig,
}

/// Every diagnostic pyxray can emit, in the order they are reported.
pub static REGISTRY: &[&DiagnosticCode] = &[&syntax_error::CODE, &compile_error::CODE, &compile_warning::CODE];

/// Runs every enabled analysis.
pub fn run_all(cx: &Context<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for code in REGISTRY {
        if cx.config.is_enabled(code) {
            (code.check)(cx, &mut out);
        }
    }
    out
}
