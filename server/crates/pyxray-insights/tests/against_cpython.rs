//! Insights checked against real CPython's outputs committed under `fixtures/`: every code-object
//! hover shows exactly the listing `python -m dis` prints for that code object, and the
//! compile-error and compile-warning diagnostics carry CPython's messages and lines.

use pyxray_insights::{AnalysisConfig, FileAnalysis, PythonVersion};
use pyxray_syntax::ast::{ExprKind, StmtKind};
use pyxray_syntax::walk::{walk, Node};
use std::path::{Path, PathBuf};

const VERSION: PythonVersion = PythonVersion::V3_13;

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    files
}

fn golden(source: &Path, ext: &str) -> String {
    let stem = source.file_stem().and_then(|s| s.to_str()).expect("stem");
    let path = source.parent().expect("dir").join(VERSION.as_str()).join(format!("{stem}.{ext}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn analyse(source: &Path) -> FileAnalysis {
    let text = std::fs::read_to_string(source).expect("utf-8 fixture");
    let name = source.file_name().and_then(|n| n.to_str()).expect("name");
    FileAnalysis::for_file(&text, name, &AnalysisConfig { python: VERSION, ..Default::default() })
}

/// The fenced listing of a hover, if it was not cut.
fn listing(markdown: &str) -> Option<String> {
    if markdown.contains("more lines") {
        return None;
    }
    let start = markdown.find("```text\n")? + "```text\n".len();
    let end = start + markdown[start..].find("```")?;
    Some(markdown[start..end].to_string())
}

/// Offsets to hover: each `def`/`class` name, `lambda` keyword and generator expression.
fn hover_points(analysis: &FileAnalysis) -> Vec<(u32, &'static str)> {
    let mut points = Vec::new();
    walk(&analysis.parsed().module.body, |node| {
        match node {
            Node::Stmt(s) => match &s.kind {
                StmtKind::FunctionDef(f) => points.push((f.name_range.start, "def")),
                StmtKind::ClassDef(c) => points.push((c.name_range.start, "class")),
                _ => {}
            },
            Node::Expr(e) => match &e.kind {
                ExprKind::Lambda { .. } => points.push((e.range.start, "lambda")),
                ExprKind::GeneratorExp { .. } => points.push((e.range.start, "genexp")),
                _ => {}
            },
            _ => {}
        }
        true
    });
    points
}

#[test]
fn code_object_hovers_show_cpythons_listing() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for source in fixtures("compiler") {
        let analysis = analyse(&source);
        if analysis.compiled().code.is_none() {
            continue;
        }
        let dis = golden(&source, "dis");
        for (offset, what) in hover_points(&analysis) {
            let place = format!("{}@{offset} ({what})", source.display());
            let Some(hover) = analysis.hover(offset) else {
                failures.push(format!("{place}: no hover"));
                continue;
            };
            if let Some(text) = listing(&hover.markdown) {
                checked += 1;
                if !dis.contains(&text) {
                    failures.push(format!("{place}: listing is not CPython's:\n{text}"));
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} listings checked");
    assert!(failures.is_empty(), "{} hovers wrong:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn inlined_comprehensions_say_so() {
    let text = "def f(xs):\n    return [x * 2 for x in xs]\n";
    let analysis = FileAnalysis::new(text, &AnalysisConfig { python: VERSION, ..Default::default() });
    let hover = analysis.hover(text.find('[').unwrap() as u32).expect("hover");
    assert!(hover.markdown.contains("inlined into `f`"), "{}", hover.markdown);
    assert!(hover.markdown.contains("LOAD_FAST_AND_CLEAR"), "{}", hover.markdown);
}

/// "SyntaxError: msg" and the line, from a golden JSON document's `syntax_error`.
fn golden_error(doc: &serde_json::Value) -> Option<(String, u64)> {
    let e = doc.get("syntax_error")?;
    Some((format!("{}: {}", e["error"].as_str()?, e["msg"].as_str()?), e["lineno"].as_u64()?))
}

#[test]
fn compile_diagnostics_carry_cpythons_messages() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for source in fixtures("compile_errors") {
        let analysis = analyse(&source);
        let doc: serde_json::Value = serde_json::from_str(&golden(&source, "json")).expect("json");
        let line = |offset: u32| analysis.line_index().line_of(offset) as u64 + 1;
        // CPython's own errors and warnings; `is-literal` repeats CPython's warning text first.
        let ours: Vec<(String, &str, u64)> = analysis
            .diagnostics()
            .iter()
            .filter(|d| matches!(d.code.name, "syntax-error" | "compile-error" | "compile-warning" | "is-literal"))
            .map(|d| {
                let message = match d.code.name {
                    "is-literal" => d.message.split_once(". CPython warns").map_or(d.message.clone(), |(m, _)| m.to_string()),
                    _ => d.message.clone(),
                };
                (message, d.code.name, line(d.range.start))
            })
            .collect();
        let mut expected = Vec::new();
        if let Some((message, lineno)) = golden_error(&doc) {
            let code = if analysis.parsed().errors.is_empty() { "compile-error" } else { "syntax-error" };
            expected.push((message, code, lineno));
        }
        for w in doc["warnings"].as_array().into_iter().flatten() {
            let w = w.as_str().expect("warning");
            let (message, lineno) = w.rsplit_once(" (line ").expect("warning line");
            let code = if message.contains(": \"is\" with ") || message.contains(": \"is not\" with ") {
                "is-literal"
            } else {
                "compile-warning"
            };
            expected.push((message.to_string(), code, lineno.trim_end_matches(')').parse().expect("line")));
        }
        checked += expected.len();
        // Errors stop compilation in CPython; warnings given before the error stay.
        let mut ours_sorted = ours.clone();
        ours_sorted.sort();
        expected.sort();
        if ours_sorted != expected {
            failures.push(format!("{}:\n  ours:    {ours:?}\n  CPython: {expected:?}", source.display()));
        }
    }
    assert!(checked >= 100, "only {checked} messages checked");
    assert!(failures.is_empty(), "{} files differ:\n{}", failures.len(), failures.join("\n"));
}
