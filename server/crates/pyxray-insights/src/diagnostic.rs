//! The diagnostic model: plain data, no protocol types. The codes themselves live with their
//! analyses (`analyses/`), listed in `analyses::REGISTRY`.

use crate::analyses::{Context, REGISTRY};
use pyxray_syntax::ast::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

/// A text replacement, in byte offsets of the analysed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

/// A quick fix: a title and the edits that apply it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<TextEdit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: TextRange,
    pub severity: Severity,
    pub code: &'static DiagnosticCode,
    pub message: String,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// A diagnostic of `code` at its default severity, without fixes.
    pub fn new(code: &'static DiagnosticCode, range: TextRange, message: String) -> Self {
        Diagnostic { range, severity: code.severity, code, message, fixes: vec![] }
    }
}

/// One kind of diagnostic. `code` is stable; `name` is the key of its on/off setting; `check`
/// is the analysis that finds it.
#[derive(Debug)]
pub struct DiagnosticCode {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub check: fn(&Context<'_>, &mut Vec<Diagnostic>),
}

/// Codes are unique, so two entries are the same diagnostic when their codes are.
impl PartialEq for DiagnosticCode {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for DiagnosticCode {}

/// Looks a code up by its setting name or its code.
pub fn lookup(name_or_code: &str) -> Option<&'static DiagnosticCode> {
    REGISTRY.iter().copied().find(|c| c.name == name_or_code || c.code == name_or_code)
}
