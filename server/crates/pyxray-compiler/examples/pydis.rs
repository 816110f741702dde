//! Development helper: compiles a file and prints `dis` text or oracle JSON (the CLI's
//! `pyxray dis` is the user-facing command).

use pyxray_bytecode::dis::{dis_text, file_json, FileResult, JsonOptions};
use pyxray_bytecode::PythonVersion;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).cloned().unwrap_or_default();
    let version: PythonVersion = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(PythonVersion::V3_13);
    let mut docs = Vec::new();
    for path in &args[3..] {
        let bytes = std::fs::read(path).expect("read");
        let text = match pyxray_syntax::decode_source(&bytes) {
            Ok(d) => d.text,
            Err(e) => {
                let r = FileResult::SyntaxError { error: "SyntaxError".into(), msg: e.message, lineno: None, offset: None };
                docs.push(file_json(&r, JsonOptions { version }).dumps());
                continue;
            }
        };
        let parsed = pyxray_syntax::parse_module(&text);
        let line_index = pyxray_syntax::LineIndex::new(&text);
        let src = pyxray_compiler::SourceMap::new(&text, &line_index, path);
        if !parsed.errors.is_empty() {
            let r = FileResult::SyntaxError { error: "SyntaxError".into(), msg: parsed.errors[0].message.clone(), lineno: None, offset: None };
            docs.push(file_json(&r, JsonOptions { version }).dumps());
            continue;
        }
        let out = pyxray_compiler::compile_module(&parsed.module, &src, version);
        let result = match (&out.code, &out.error) {
            (Some(code), _) => FileResult::Compiled {
                code: code.clone(),
                warnings: out.warnings.iter().map(|w| format!("{}: {} (line {})", w.category.python_name(), w.message, w.lineno)).collect(),
            },
            (None, Some(e)) => {
                let loc = src.location(e.range);
                FileResult::SyntaxError { error: "SyntaxError".into(), msg: e.message.clone(), lineno: Some(loc.lineno as i64), offset: Some(loc.col_offset as i64 + 1) }
            }
            _ => FileResult::CompileError { error: "SystemError".into(), msg: "no result".into() },
        };
        if mode == "text" {
            if let FileResult::Compiled { code, .. } = &result {
                print!("{}", dis_text(code, version));
            }
        } else {
            docs.push(file_json(&result, JsonOptions { version }).dumps());
        }
    }
    if mode != "text" {
        println!("[{}]", docs.join(",\n"));
    }
}
