//! The diagnostic model (plain data, no protocol types) and the registry of every diagnostic code
//! with its setting name, default severity and one-line summary.

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

/// One kind of diagnostic. `code` is stable; `name` is the key of its on/off setting.
#[derive(Debug, PartialEq, Eq)]
pub struct DiagnosticCode {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

pub const SYNTAX_ERROR: DiagnosticCode = DiagnosticCode {
    code: "PX001",
    name: "syntax-error",
    severity: Severity::Error,
    summary: "The file does not parse; CPython would refuse it with a SyntaxError.",
};

pub const COMPILE_ERROR: DiagnosticCode = DiagnosticCode {
    code: "PX002",
    name: "compile-error",
    severity: Severity::Error,
    summary: "CPython's compiler refuses this code after parsing (e.g. 'return' outside function).",
};

/// Every diagnostic pyxray can emit. Adding one means adding its analysis file and a line here.
pub static REGISTRY: &[&DiagnosticCode] = &[&SYNTAX_ERROR, &COMPILE_ERROR];

/// Looks a code up by its setting name or its code.
pub fn lookup(name_or_code: &str) -> Option<&'static DiagnosticCode> {
    REGISTRY.iter().copied().find(|c| c.name == name_or_code || c.code == name_or_code)
}
