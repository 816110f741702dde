//! Parse + compile + VM + insights on arbitrary bytes, for every version pyxray compiles: no
//! input may panic, hang or overflow the stack, and both parsing paths must agree. Seeds: the standard library (see fuzz/README.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pyxray_insights::{AnalysisConfig, FileAnalysis};

fuzz_target!(|data: &[u8]| {
    for &version in pyxray_compiler::SUPPORTED {
        let _ = pyxray_compiler::compile_file(data, "fuzz.py", version);
    }
    // The server's path: text as the editor holds it, analysed and hovered.
    let text = String::from_utf8_lossy(data);
    // Both parsers: where ruff's takes the text, rustpython-parser's must build the same tree.
    for minor in [11, 12, 13, 14] {
        if let Err(difference) = pyxray_syntax::fuzzing::parse_paths_agree(&text, minor) {
            panic!("3.{minor}: the parsing paths differ: {difference}");
        }
    }
    let config = AnalysisConfig { python: pyxray_insights::PythonVersion::DEFAULT, ..Default::default() };
    let analysis = FileAnalysis::for_file(&text, "fuzz.py", &config);
    let _ = analysis.diagnostics();
    let step = (text.len() / 16).max(1);
    for offset in (0..text.len()).step_by(step) {
        let _ = analysis.hover(offset as u32);
    }
});
