//! Insights checked against real CPython's outputs committed under `fixtures/`: every code-object
//! hover shows exactly the listing `python -m dis` prints for that code object, and the
//! compile-error and compile-warning diagnostics carry CPython's messages and lines — for every
//! version pyxray compiles.

use pyxray_insights::{AnalysisConfig, FileAnalysis, PythonVersion};
use pyxray_syntax::ast::{ExprKind, StmtKind};
use pyxray_syntax::walk::{walk, Node};
use std::path::{Path, PathBuf};

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

/// Every fixture of `dir` with every version pyxray compiles.
fn cases(dir: &str) -> Vec<(PythonVersion, PathBuf)> {
    let files = fixtures(dir);
    pyxray_compiler::SUPPORTED.iter().flat_map(|&v| files.iter().map(move |f| (v, f.clone()))).collect()
}

/// The fixtures of `dir` CPython compiles, with each such version: a fixture whose syntax is newer
/// than a version (`compiler/tstrings.py` before 3.14) has no listing to compare hovers with.
fn compiled_cases(dir: &str) -> Vec<(PythonVersion, PathBuf)> {
    cases(dir).into_iter().filter(|(v, f)| !golden(f, *v, "json").contains("\"syntax_error\":")).collect()
}

fn golden(source: &Path, version: PythonVersion, ext: &str) -> String {
    let stem = source.file_stem().and_then(|s| s.to_str()).expect("stem");
    let path = source.parent().expect("dir").join(version.as_str()).join(format!("{stem}.{ext}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn analyse(source: &Path, version: PythonVersion) -> FileAnalysis {
    let text = std::fs::read_to_string(source).expect("utf-8 fixture");
    let name = source.file_name().and_then(|n| n.to_str()).expect("name");
    FileAnalysis::for_file(&text, name, &AnalysisConfig { python: version, ..Default::default() })
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
    for (version, source) in compiled_cases("compiler") {
        let analysis = analyse(&source, version);
        if analysis.compiled().code.is_none() {
            continue;
        }
        let dis = golden(&source, version, "dis");
        for (offset, what) in hover_points(&analysis) {
            let place = format!("{version} {}@{offset} ({what})", source.display());
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
    eprintln!("code-object hovers: {checked} listings checked against CPython's dis");
    assert!(checked > 100, "only {checked} listings checked");
    assert!(failures.is_empty(), "{} hovers wrong:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn inlined_comprehensions_say_so() {
    let text = "def f(xs):\n    return [x * 2 for x in xs]\n";
    for &python in pyxray_compiler::SUPPORTED {
        let analysis = FileAnalysis::new(text, &AnalysisConfig { python, ..Default::default() });
        let hover = analysis.hover(text.find('[').unwrap() as u32).expect("hover");
        if python < PythonVersion::V3_12 {
            // PEP 709 came with 3.12: before it a comprehension is a code object of its own.
            assert!(hover.markdown.contains("code object `f.<locals>.<listcomp>`"), "{python}: {}", hover.markdown);
            continue;
        }
        assert!(hover.markdown.contains("inlined into `f`"), "{python}: {}", hover.markdown);
        assert!(hover.markdown.contains("LOAD_FAST_AND_CLEAR"), "{python}: {}", hover.markdown);
    }
}

/// "SyntaxError: msg" and the line, from a golden JSON document's `syntax_error`.
/// CPython's error and its line; a `compile_error` (`ValueError`, `RecursionError`) has no line.
fn golden_error(doc: &serde_json::Value) -> Option<(String, Option<u64>)> {
    let e = doc.get("syntax_error").or_else(|| doc.get("compile_error"))?;
    Some((format!("{}: {}", e["error"].as_str()?, e["msg"].as_str()?), e["lineno"].as_u64()))
}

#[test]
fn compile_diagnostics_carry_cpythons_messages() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (version, source) in cases("compile_errors") {
        let analysis = analyse(&source, version);
        let doc: serde_json::Value = serde_json::from_str(&golden(&source, version, "json")).expect("json");
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
            // Without CPython's line, take ours for the same message (only the message is checked).
            let ours_line = ours.iter().find(|(m, _, _)| *m == message).map_or(0, |o| o.2);
            expected.push((message, code, lineno.unwrap_or(ours_line)));
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
            failures.push(format!("{version} {}:\n  ours:    {ours:?}\n  CPython: {expected:?}", source.display()));
        }
    }
    eprintln!("compile diagnostics: {checked} messages checked against CPython's");
    assert!(checked >= 100, "only {checked} messages checked");
    assert!(failures.is_empty(), "{} files differ:\n{}", failures.len(), failures.join("\n"));
}

/// (opname, positions) of every instruction in a golden JSON document.
fn golden_instructions(doc: &serde_json::Value) -> Vec<(String, [i64; 4])> {
    let mut out = Vec::new();
    for code in doc["code_objects"].as_array().into_iter().flatten() {
        for i in code["instructions"].as_array().into_iter().flatten() {
            let p = &i["positions"];
            let n = |k: usize| p[k].as_i64().unwrap_or(-1);
            out.push((i["opname"].as_str().unwrap_or("").to_string(), [n(0), n(1), n(2), n(3)]));
        }
    }
    out
}

#[test]
fn name_hovers_name_cpythons_instruction() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (version, source) in compiled_cases("compiler") {
        let analysis = analyse(&source, version);
        if analysis.compiled().code.is_none() {
            continue;
        }
        let doc: serde_json::Value = serde_json::from_str(&golden(&source, version, "json")).expect("json");
        let instructions = golden_instructions(&doc);
        let mut names = Vec::new();
        walk(&analysis.parsed().module.body, |node| {
            if let Node::Expr(e) = node {
                if let ExprKind::Name { .. } = e.kind {
                    names.push(e.range);
                }
            }
            true
        });
        for range in names {
            let Some(hover) = analysis.hover(range.start) else { continue };
            // "`OPNAME` here: …" (several opnames when the name is read and written there).
            let Some(ops) = hover.markdown.split("\n\n").nth(1).and_then(|l| l.split(" here:").next()) else { continue };
            let start = analysis.line_index().line_col(range.start);
            let end = analysis.line_index().line_col(range.end);
            let at = [start.line as i64 + 1, end.line as i64 + 1, start.col as i64, end.col as i64];
            for op in ops.split(", ").map(|o| o.trim_matches('`')) {
                checked += 1;
                let ok = instructions.iter().any(|(name, p)| name == op && (*p == at || (p[0] == at[0] && name.contains("_FAST_"))));
                if !ok {
                    failures.push(format!("{version} {}:{}: hover says {op}", source.display(), at[0]));
                }
            }
        }
    }
    eprintln!("name hovers: {checked} checked against CPython's instructions");
    assert!(checked > 500, "only {checked} names checked");
    assert!(failures.is_empty(), "{} of {checked} wrong:\n{}", failures.len(), failures.iter().take(30).cloned().collect::<Vec<_>>().join("\n"));
}

#[test]
fn literal_hovers_show_the_constant_cpython_loads() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (version, source) in compiled_cases("compiler") {
        let analysis = analyse(&source, version);
        if analysis.compiled().code.is_none() {
            continue;
        }
        let doc: serde_json::Value = serde_json::from_str(&golden(&source, version, "json")).expect("json");
        let mut loads: Vec<(String, [i64; 4])> = Vec::new();
        for code in doc["code_objects"].as_array().into_iter().flatten() {
            for i in code["instructions"].as_array().into_iter().flatten() {
                if matches!(i["opname"].as_str(), Some("LOAD_CONST" | "RETURN_CONST" | "LOAD_SMALL_INT")) {
                    let p = &i["positions"];
                    let n = |k: usize| p[k].as_i64().unwrap_or(-1);
                    loads.push((i["argval"].as_str().unwrap_or("").to_string(), [n(0), n(1), n(2), n(3)]));
                }
            }
        }
        let mut literals = Vec::new();
        walk(&analysis.parsed().module.body, |node| {
            if let Node::Expr(e) = node {
                if let ExprKind::Constant(_) = e.kind {
                    literals.push(e.range);
                }
            }
            true
        });
        for range in literals {
            let Some(hover) = analysis.hover(range.start) else { continue };
            // `{x=}`'s debug text shares its start with `x`, which gets the name hover.
            if !(hover.markdown.contains(" constant · ") || hover.markdown.contains("folded at compile time")) {
                continue;
            }
            // "**`VALUE`** · …" when a constant is loaded for it.
            let Some(value) = hover.markdown.strip_prefix("**`").and_then(|m| m.split("`** ·").next()) else { continue };
            if value.ends_with('…') {
                continue;
            }
            checked += 1;
            let start = analysis.line_index().line_col(hover.range.start);
            let end = analysis.line_index().line_col(hover.range.end);
            let at = [start.line as i64 + 1, end.line as i64 + 1, start.col as i64, end.col as i64];
            if !loads.iter().any(|(v, p)| v == value && *p == at) {
                failures.push(format!("{version} {}:{}: hover shows {value}", source.display(), at[0]));
            }
        }
    }
    eprintln!("literal hovers: {checked} checked against CPython's loads");
    assert!(checked > 300, "only {checked} literals checked");
    assert!(failures.is_empty(), "{} of {checked} wrong:\n{}", failures.len(), failures.iter().take(30).cloned().collect::<Vec<_>>().join("\n"));
}
