//! Analysis after an edit against analysis from scratch: the input is a text and an edit (an
//! insertion or deletion at a position picked by the first bytes); reusing the analysis of the
//! text before the edit must give exactly what analysing the edited text from scratch gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pyxray_insights::{AnalysisConfig, FileAnalysis};

const TYPED: &[&str] = &["x", " ", "\n", "(", ")", ":", "'", "\"\"\"", "#", "\\", "\n    pass\n", "import os\n", "class C:\n"];

fn summary(a: &FileAnalysis) -> String {
    format!("{:?}\n{:?}\n{:?}\n{:?}", a.diagnostics(), a.compiled().code, a.compiled().facts, a.parsed())
}

fuzz_target!(|data: &[u8]| {
    let [position, length, what, rest @ ..] = data else { return };
    let text = String::from_utf8_lossy(rest).into_owned();
    let mut at = (*position as usize * text.len()) / 255;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut edited = text.clone();
    if what % 4 == 0 {
        let mut end = (at + 1 + *length as usize % 8).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        edited.replace_range(at..end, "");
    } else {
        edited.insert_str(at, TYPED[*what as usize % TYPED.len()]);
    }
    for &python in pyxray_compiler::SUPPORTED {
        let config = AnalysisConfig { python, ..Default::default() };
        let before = FileAnalysis::for_file(&text, "fuzz.py", &config);
        let fresh = FileAnalysis::for_file(&edited, "fuzz.py", &config);
        let again = FileAnalysis::after_edit(&edited, "fuzz.py", &config, &before);
        assert_eq!(summary(&fresh), summary(&again), "analysis after the edit differs");
    }
});
