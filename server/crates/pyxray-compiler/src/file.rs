//! A whole file through `compile(source_bytes, filename, "exec")`: decoding, parsing and
//! compiling, with the outcome (code, or the exception CPython raises and where) and the
//! warnings, in CPython's words for each version.

use crate::{compile_owned_module, CompileWarning, ErrorKind, SourceMap, WarningCategory};
use pyxray_bytecode::dis::FileResult;
use pyxray_bytecode::PythonVersion;
use pyxray_syntax::{decode_source, parse_module_with, Grammar, InvalidEscape, LineIndex, SyntaxErrorKind};

/// Compiles the bytes of a source file as CPython `version` would.
pub fn compile_file(bytes: &[u8], filename: &str, version: PythonVersion) -> FileResult {
    let text = match decode_source(bytes) {
        Ok(d) => d.text,
        Err(e) => {
            // Encoding declarations CPython cannot honour are reported at line 0.
            let (lineno, offset) = if e.message.starts_with("unknown encoding") || e.message.contains("with BOM") {
                (0, -1)
            } else {
                (e.line as i64, e.offset as i64 + 1)
            };
            return syntax_error("SyntaxError", e.message, Some(lineno), Some(offset));
        }
    };
    let line_index = LineIndex::new(&text);
    let parsed = parse_module_with(&text, Grammar::of_release(version.minor()));
    if let Some(e) = parsed.errors.first() {
        return match e.kind {
            SyntaxErrorKind::RecursionError | SyntaxErrorKind::MemoryError | SyntaxErrorKind::ValueError => {
                FileResult::CompileError { error: e.kind.python_name().into(), msg: e.message.clone() }
            }
            _ if e.message == "source code string cannot contain null bytes" => {
                syntax_error("SyntaxError", e.message.clone(), None, None)
            }
            _ => {
                // The parser reports columns in characters.
                let at = line_index.line_col(e.range.start);
                let line_start = line_index.line_start(at.line) as usize;
                let col_chars = text[line_start..e.range.start as usize].chars().count();
                syntax_error(e.kind.python_name(), e.message.clone(), Some(at.line as i64 + 1), Some(col_chars as i64 + 1))
            }
        };
    }
    let src = SourceMap::new(&text, &line_index, filename);
    let mut warnings: Vec<CompileWarning> =
        parsed.escapes.iter().map(|e| escape_warning(e, &text, &line_index, version)).collect();
    let out = compile_owned_module(parsed.module, &src, version);
    warnings.extend(out.warnings);
    let warnings = warnings.iter().map(|w| format!("{}: {} (line {})", w.category.python_name(), w.message, w.lineno)).collect();
    match (out.code, out.error) {
        (_, Some(e)) => match e.kind {
            ErrorKind::SyntaxError => {
                // The compiler reports columns in UTF-8 bytes.
                let loc = src.location(e.range);
                syntax_error("SyntaxError", e.message, Some(loc.lineno as i64), Some(loc.col_offset as i64 + 1))
            }
            ErrorKind::RecursionError => FileResult::CompileError { error: "RecursionError".into(), msg: e.message },
            ErrorKind::SystemError | ErrorKind::Unsupported => {
                FileResult::CompileError { error: "SystemError".into(), msg: e.message }
            }
        },
        (Some(code), None) => FileResult::Compiled { code, warnings },
        (None, None) => FileResult::CompileError { error: "SystemError".into(), msg: "compiler produced no code".into() },
    }
}

fn syntax_error(error: &str, msg: String, lineno: Option<i64>, offset: Option<i64>) -> FileResult {
    FileResult::SyntaxError { error: error.into(), msg, lineno, offset }
}

/// The warning CPython's string parser gives for the first invalid escape of a literal
/// (`warn_invalid_escape_sequence`): a DeprecationWarning before 3.12; since 3.14 a longer text
/// and the escape's own line rather than the literal's.
pub fn escape_warning(e: &InvalidEscape, text: &str, line_index: &LineIndex, version: PythonVersion) -> CompileWarning {
    let category = if version >= PythonVersion::V3_12 {
        WarningCategory::SyntaxWarning
    } else {
        WarningCategory::DeprecationWarning
    };
    let kind = if e.octal { "invalid octal escape sequence" } else { "invalid escape sequence" };
    let message = if version >= PythonVersion::V3_14 {
        let seq = &e.sequence;
        format!("\"{seq}\" is an {kind}. Such sequences will not work in the future. Did you mean \"\\{seq}\"? A raw string is also an option.")
    } else {
        format!("{kind} '{}'", e.sequence)
    };
    let at = if version >= PythonVersion::V3_14 { e.offset } else { e.token };
    let lineno = line_index.line_of(at.min(text.len()) as u32) + 1;
    let range = pyxray_syntax::ast::TextRange::new(e.offset as u32, (e.offset + e.sequence.len()) as u32);
    CompileWarning { category, message, range, lineno }
}
