//! Errors and warnings CPython's compiler raises after parsing, with its exact messages. They are
//! data: compilation stops at the first error (as CPython does) and the caller reports it.

use pyxray_syntax::ast::TextRange;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    SyntaxError,
    /// `maximum recursion depth exceeded during compilation`.
    RecursionError,
    /// An internal limit or inconsistency (CPython would raise SystemError or similar).
    SystemError,
    /// The input uses something pyxray does not compile yet.
    Unsupported,
}

impl ErrorKind {
    pub fn python_name(self) -> &'static str {
        match self {
            ErrorKind::SyntaxError | ErrorKind::Unsupported => "SyntaxError",
            ErrorKind::RecursionError => "RecursionError",
            ErrorKind::SystemError => "SystemError",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    pub kind: ErrorKind,
    pub message: String,
    /// Where CPython reports the error.
    pub range: TextRange,
}

impl CompileError {
    pub fn syntax(message: impl Into<String>, range: TextRange) -> Self {
        CompileError { kind: ErrorKind::SyntaxError, message: message.into(), range }
    }

    pub fn system(message: impl Into<String>) -> Self {
        CompileError { kind: ErrorKind::SystemError, message: message.into(), range: TextRange::default() }
    }

    pub fn unsupported(message: impl Into<String>, range: TextRange) -> Self {
        CompileError { kind: ErrorKind::Unsupported, message: message.into(), range }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.python_name(), self.message)
    }
}

impl std::error::Error for CompileError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarningCategory {
    SyntaxWarning,
    DeprecationWarning,
}

impl WarningCategory {
    pub fn python_name(self) -> &'static str {
        match self {
            WarningCategory::SyntaxWarning => "SyntaxWarning",
            WarningCategory::DeprecationWarning => "DeprecationWarning",
        }
    }
}

/// A compile-time warning, in emission order (CPython may emit one twice, e.g. inside a
/// `finally` body that is compiled twice).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileWarning {
    pub category: WarningCategory,
    pub message: String,
    /// The range of the node the warning is about.
    pub range: TextRange,
    /// The line CPython attributes the warning to (1-based).
    pub lineno: u32,
}

pub type CompileResult<T> = Result<T, CompileError>;
