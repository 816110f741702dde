//! Analysing after an edit (reusing the previous analysis, as the server does) gives exactly what
//! analysing from scratch gives: the same diagnostics, code objects and mini-VM facts, for every
//! example and compiler fixture, every supported version, and edits before, inside and between
//! statements.

use pyxray_insights::{AnalysisConfig, FileAnalysis, SUPPORTED};
use std::path::{Path, PathBuf};

fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures");
    let mut files = Vec::new();
    for dir in ["examples", "identity", "compiler"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "py")));
    }
    files.sort();
    files
}

/// A comment typed at the end of line 1, a character typed in the middle line, a line added at
/// a third of the file, and a character deleted at two thirds.
fn edits(text: &str) -> Vec<(&'static str, String)> {
    let line_end = |from: usize| text[from..].find('\n').map_or(text.len(), |i| from + i);
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    let boundary = |mut at: usize| {
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let middle = line_end(line_start(boundary(text.len() / 2)));
    let third = line_start(boundary(text.len() / 3));
    let two_thirds = boundary(text.len() * 2 / 3);
    let next = (two_thirds + 1..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
    vec![
        ("comment on line 1", format!("{} # edited{}", &text[..line_end(0)], &text[line_end(0)..])),
        ("character in the middle line", format!("{}x{}", &text[..middle], &text[middle..])),
        ("line added", format!("{}extra = 1\n{}", &text[..third], &text[third..])),
        ("character deleted", format!("{}{}", &text[..two_thirds], &text[next..])),
    ]
}

/// Everything an analysis reports, as text (Debug: a NaN constant is not equal to itself).
fn summary(a: &FileAnalysis) -> String {
    format!("{:?}\n{:?}\n{:?}\n{:?}", a.diagnostics(), a.compiled().code, a.compiled().facts, a.parsed())
}

#[test]
fn analysing_after_an_edit_equals_analysing_from_scratch() {
    let (mut compared, mut failures) = (0, Vec::new());
    for version in SUPPORTED.iter().copied() {
        let config = AnalysisConfig { python: version, ..Default::default() };
        for path in sources() {
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
            let before = FileAnalysis::for_file(&text, &name, &config);
            for (edit, edited) in edits(&text) {
                let fresh = FileAnalysis::for_file(&edited, &name, &config);
                let again = FileAnalysis::after_edit(&edited, &name, &config, &before);
                compared += 1;
                if summary(&fresh) != summary(&again) {
                    let parts = [
                        format!("{:?}", fresh.diagnostics()) == format!("{:?}", again.diagnostics()),
                        format!("{:?}", fresh.compiled().code) == format!("{:?}", again.compiled().code),
                        format!("{:?}", fresh.compiled().facts) == format!("{:?}", again.compiled().facts),
                        format!("{:?}", fresh.parsed()) == format!("{:?}", again.parsed()),
                    ];
                    failures.push(format!("{version} {name} ({edit}): same diagnostics, code, facts, tree: {parts:?}"));
                }
            }
        }
    }
    println!("{compared} edited analyses compared");
    assert!(compared > 100, "only {compared} edited analyses");
    assert!(failures.is_empty(), "{} differ:\n{}", failures.len(), failures.join("\n"));
}

/// Typing session: a chain of edits, each analysed from the analysis of the one before (itself
/// built by reuse), as the server does while the user types; every step is compared with a
/// from-scratch analysis.
#[test]
fn a_chain_of_edits_stays_equal_to_analysing_from_scratch() {
    const TYPED: &[&str] = &["x", " ", "\n", "1", "(", ")", ":", "\n    pass\n", "#", "'", "def g():\n    return 1\n"];
    let mut seed: u64 = 0x2545_f491;
    let mut pick = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) % n as u64) as usize
    };
    let (mut steps, mut failures) = (0, Vec::new());
    let config = AnalysisConfig::default();
    for path in sources() {
        let Ok(mut text) = std::fs::read_to_string(&path) else { continue };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        let mut previous = FileAnalysis::for_file(&text, &name, &config);
        for step in 0..8 {
            let mut at = pick(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            if pick(3) == 0 {
                let mut end = (at + 1).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                text.replace_range(at..end, "");
            } else {
                text.insert_str(at, TYPED[pick(TYPED.len())]);
            }
            let fresh = FileAnalysis::for_file(&text, &name, &config);
            let again = FileAnalysis::after_edit(&text, &name, &config, &previous);
            steps += 1;
            if summary(&fresh) != summary(&again) {
                failures.push(format!("{name} step {step}:\n{text}"));
                break;
            }
            previous = again;
        }
    }
    assert!(steps > 200, "only {steps} steps");
    assert!(failures.is_empty(), "{} chains went wrong, first:\n{}", failures.len(), failures[0]);
}
