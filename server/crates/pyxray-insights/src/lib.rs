//! What pyxray knows about a Python file, as plain data: diagnostics (one analysis per file, all
//! listed in the registry) and hovers. No protocol types here; the LSP crate converts.

mod analyses;
mod analysis;
mod compiled;
mod config;
mod detect;
mod diagnostic;
mod disassemble;
mod hover;
mod insight;
mod version;

pub use analyses::{Context, REGISTRY};
pub use analysis::{FileAnalysis, Hover, StageTimes};
pub use compiled::Compiled;
pub use config::AnalysisConfig;
pub use detect::{detect, detect_from_path, python3_on_path, Detected};
pub use insight::Insight;
pub use disassemble::{disassemble, DisTarget, Disassembly};
pub use diagnostic::{lookup, Diagnostic, DiagnosticCode, Fix, Severity, TextEdit};
pub use pyxray_bytecode::PythonVersion;
pub use pyxray_compiler::SUPPORTED;
pub use version::{nearest_supported, Fallback, Requested, VersionOrigin, VersionSource};
pub use pyxray_syntax::ast::TextRange;
pub use pyxray_syntax::{LineCol, LineIndex, PositionEncoding};
