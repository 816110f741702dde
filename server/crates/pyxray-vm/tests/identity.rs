//! The VM's `is` predictions against real CPython. Each snippet under `fixtures/identity/` prints
//! `LINE RESULT` for every identity comparison it evaluates (`show(a is b)`); the outputs of the
//! oracle's `run` mode are committed as `V/NAME.out`. A prediction of true or false must match
//! every result CPython printed for that line; "depends" counts as undecided. No prediction may
//! be wrong, and at least 90% must be decided.

use pyxray_bytecode::dis::FileResult;
use pyxray_vm::{analyze_module, Prediction};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn snippets() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures/identity");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/identity")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    files
}

/// Line → the results CPython printed for it.
fn observed(path: &Path) -> BTreeMap<i32, Vec<bool>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out: BTreeMap<i32, Vec<bool>> = BTreeMap::new();
    for line in text.lines() {
        let (n, result) = line.split_once(' ').expect("LINE RESULT");
        out.entry(n.parse().expect("line number")).or_default().push(result == "True");
    }
    out
}

#[test]
fn predictions_match_cpython() {
    let (mut checked, mut decided) = (0, 0);
    let mut wrong = Vec::new();
    for version in pyxray_compiler::SUPPORTED.iter().copied() {
        for source in snippets() {
            let name = source.file_stem().and_then(|s| s.to_str()).expect("name").to_string();
            let bytes = std::fs::read(&source).expect("read");
            let FileResult::Compiled { code, .. } = pyxray_compiler::compile_file(&bytes, &format!("{name}.py"), version)
            else {
                panic!("{name}.py does not compile");
            };
            let mut predicted: BTreeMap<i32, (Prediction, String)> = BTreeMap::new();
            for facts in analyze_module(&code, version) {
                for f in facts.is_facts {
                    let Some(line) = f.positions.0 else { continue };
                    predicted
                        .entry(line)
                        .and_modify(|p| {
                            if p.0 != f.prediction {
                                *p = (Prediction::Depends, "several comparisons on the line".into());
                            }
                        })
                        .or_insert((f.prediction, f.reason.clone()));
                }
            }
            let out = source.parent().expect("dir").join(version.as_str()).join(format!("{name}.out"));
            for (line, results) in observed(&out) {
                checked += 1;
                let Some((p, reason)) = predicted.get(&line) else {
                    wrong.push(format!("{version} {name}.py:{line}: no prediction"));
                    continue;
                };
                let truth = |b: bool| if b { Prediction::True } else { Prediction::False };
                match p {
                    Prediction::Depends => {
                        if std::env::var_os("PYXRAY_SHOW_UNDECIDED").is_some() {
                            println!("undecided {name}.py:{line}: {reason} (CPython: {results:?})");
                        }
                    }
                    p if results.iter().all(|r| truth(*r) == *p) => decided += 1,
                    p => wrong.push(format!("{version} {name}.py:{line}: predicted {p:?} ({reason}), CPython printed {results:?}")),
                }
            }
        }
    }
    let share = 100.0 * decided as f64 / checked.max(1) as f64;
    println!("identity: {checked} comparisons checked, {decided} decided ({share:.1}%), {} wrong", wrong.len());
    assert!(wrong.is_empty(), "{} wrong:\n{}", wrong.len(), wrong.join("\n"));
    assert!(share >= 90.0, "only {share:.1}% decided");
}
