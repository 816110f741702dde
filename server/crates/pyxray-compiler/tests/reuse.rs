//! Compiling after an edit with the previous compile's units gives exactly what compiling from
//! scratch gives: code objects (byte ranges included), warnings and errors, for every compiler
//! fixture, every supported version and edits before, inside and between top-level statements.

use pyxray_compiler::{compile_module, compile_module_reusing, CompileOutput, SourceMap};
use pyxray_syntax::{parse_module_with, Grammar, LineIndex};
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures/compiler");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    files
}

/// Compiles `text`, reusing `previous` when given; `None` when it does not parse.
fn compile(text: &str, version: pyxray_bytecode::PythonVersion, previous: Option<&CompileOutput>) -> Option<CompileOutput> {
    let parsed = parse_module_with(text, Grammar::of_release(version.minor()));
    if !parsed.errors.is_empty() {
        return None;
    }
    let line_index = LineIndex::new(text);
    let src = SourceMap::new(text, &line_index, "edited.py");
    Some(match previous {
        Some(p) => compile_module_reusing(&parsed.module, &src, version, &p.units),
        None => compile_module(&parsed.module, &src, version),
    })
}

/// Edits of `text`: a comment at the end of the first line (every later byte moves, no line
/// does), a space before the last top-level `def`/`class` line's end (one unit changes), a
/// blank line in the middle (the lines after it move), and an import commented out.
fn edits(text: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let first_end = text.find('\n').unwrap_or(text.len());
    out.push(("comment on line 1", format!("{} # edited{}", &text[..first_end], &text[first_end..])));
    if let Some(at) = text.rfind("\ndef ").or_else(|| text.rfind("\nclass ")) {
        let line_end = text[at + 1..].find('\n').map_or(text.len(), |e| at + 1 + e);
        out.push(("space in the last unit", format!("{} {}", &text[..line_end], &text[line_end..])));
    }
    let middle = text[..text.len() / 2].rfind('\n').map_or(0, |i| i + 1);
    out.push(("blank line in the middle", format!("{}\n{}", &text[..middle], &text[middle..])));
    // Functions compile method calls on an imported module differently (`is_import_originated`).
    if let Some(at) = text.find("\nimport ") {
        out.push(("import commented out", format!("{}#{}", &text[..at + 1], &text[at + 1..])));
    }
    out
}

#[test]
fn reusing_units_changes_nothing() {
    let mut compared = 0;
    let mut reused = 0;
    let mut failures = Vec::new();
    for version in pyxray_compiler::SUPPORTED.iter().copied() {
        for path in fixtures() {
            let text = std::fs::read_to_string(&path).expect("fixture");
            let Some(before) = compile(&text, version, None) else { continue };
            for (edit, edited) in edits(&text) {
                let (Some(fresh), Some(again)) = (compile(&edited, version, None), compile(&edited, version, Some(&before)))
                else {
                    continue;
                };
                compared += 1;
                reused += again.units.reused();
                let name = format!("{version} {} ({edit})", path.file_name().and_then(|n| n.to_str()).unwrap_or("?"));
                // Debug text rather than `==`: a NaN constant is not equal to itself.
                if format!("{:?}", fresh.code) != format!("{:?}", again.code) {
                    failures.push(format!("{name}: code objects differ"));
                }
                if fresh.warnings != again.warnings {
                    failures.push(format!("{name}: warnings differ:\n  {:?}\n  {:?}", fresh.warnings, again.warnings));
                }
                if fresh.error != again.error {
                    failures.push(format!("{name}: errors differ: {:?} / {:?}", fresh.error, again.error));
                }
            }
        }
    }
    println!("{compared} edited compiles compared, {reused} units reused");
    assert!(compared > 100, "only {compared} edited compiles");
    assert!(reused > 100, "only {reused} units were reused: the test does not exercise reuse");
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}
