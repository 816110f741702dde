//! `from __future__ import …` handling (CPython `Python/future.c`): which features are on, where
//! the last future import is, and the errors for unknown features.

use crate::ast_opt::docstring;
use crate::error::{CompileError, CompileResult};
use pyxray_bytecode::PythonVersion;
use pyxray_syntax::ast::{Module, StmtKind, TextRange};

#[derive(Clone, Debug, Default)]
pub struct FutureFeatures {
    pub annotations: bool,
    pub barry_as_bdfl: bool,
    /// Range of the last `from __future__ import` statement at the top of the module.
    pub location: Option<TextRange>,
}

const KNOWN: &[&str] = &[
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "generator_stop",
];

/// `_PyFuture_FromAST`. Errors point at the feature's name (3.13+) or at the statement (3.12).
pub fn from_ast(module: &Module, version: PythonVersion) -> CompileResult<FutureFeatures> {
    let mut ff = FutureFeatures::default();
    let skip = docstring(&module.body).is_some() as usize;
    for s in &module.body[skip.min(module.body.len())..] {
        let StmtKind::ImportFrom { module: Some(m), names, level: 0 } = &s.kind else { break };
        if m != "__future__" {
            break;
        }
        for alias in names {
            let at = if version >= PythonVersion::V3_13 { alias.range } else { s.range };
            match alias.name.as_str() {
                "annotations" => ff.annotations = true,
                "barry_as_FLUFL" => ff.barry_as_bdfl = true,
                "braces" => return Err(CompileError::syntax("not a chance", at)),
                name if KNOWN.contains(&name) => {}
                name => return Err(CompileError::syntax(format!("future feature {name} is not defined"), at)),
            }
        }
        ff.location = Some(s.range);
    }
    Ok(ff)
}
