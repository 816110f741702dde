//! The compiler against real CPython: every fixture under `fixtures/compiler` and
//! `fixtures/compile_errors` is compiled for each supported version and compared, byte for byte,
//! with the oracle's canonical JSON (`V/X.json`) and `python -m dis` text (`V/X.dis`).

use pyxray_bytecode::dis::{dis_text, file_json, FileResult, JsonOptions};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures")
}

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    files
}

/// The first line where `ours` and `theirs` differ, for the failure report.
fn first_difference(ours: &str, theirs: &str) -> String {
    for (i, (a, b)) in ours.lines().zip(theirs.lines()).enumerate() {
        if a != b {
            return format!("line {}:\n    ours:    {a}\n    CPython: {b}", i + 1);
        }
    }
    format!("lengths differ: ours {} lines, CPython {} lines", ours.lines().count(), theirs.lines().count())
}

fn check_directory(name: &str) {
    let dir = fixtures().join(name);
    let mut failures = Vec::new();
    let mut compared = 0;
    for version in pyxray_compiler::SUPPORTED.iter().copied() {
        let goldens = dir.join(version.as_str());
        for source in sources(&dir) {
            let stem = source.file_stem().and_then(|s| s.to_str()).expect("file name").to_string();
            let filename = format!("{stem}.py");
            let bytes = std::fs::read(&source).expect("read fixture");
            let result = pyxray_compiler::compile_file(&bytes, &filename, version);
            let json = file_json(&result, JsonOptions { version }).dumps();
            let expected_json = std::fs::read_to_string(goldens.join(format!("{stem}.json"))).expect("json golden");
            let text = match &result {
                FileResult::Compiled { code, .. } => dis_text(code, version),
                _ => json.clone(),
            };
            let expected_text = std::fs::read_to_string(goldens.join(format!("{stem}.dis"))).expect("dis golden");
            compared += 1;
            if json.trim_end() != expected_json.trim_end() {
                failures.push(format!("{version} {name}/{filename} (json) {}", first_difference(&json, &expected_json)));
            }
            if text != expected_text {
                failures.push(format!("{version} {name}/{filename} (dis) {}", first_difference(&text, &expected_text)));
            }
        }
    }
    assert!(compared > 0, "no fixtures found in {}", dir.display());
    assert!(failures.is_empty(), "{} of {compared} fixtures differ from CPython:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn compiler_fixtures_match_cpython() {
    check_directory("compiler");
}

#[test]
fn compile_error_fixtures_match_cpython() {
    check_directory("compile_errors");
}
