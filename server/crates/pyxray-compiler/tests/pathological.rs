//! Inputs at CPython's limits: pyxray must answer as CPython 3.13.2 does (the expected outcomes
//! below are the oracle's, recorded when the cases were written), never overflow its stack or
//! hang. Generated here rather than committed, since some are megabytes long.

use pyxray_bytecode::dis::FileResult;
use pyxray_bytecode::PythonVersion;

/// The outcome, as "ok" or "ErrorType: message (line N)".
fn outcome(source: String) -> String {
    let run = move || match pyxray_compiler::compile_file(source.as_bytes(), "case.py", PythonVersion::V3_13) {
        FileResult::Compiled { .. } => "ok".to_string(),
        FileResult::SyntaxError { error, msg, lineno, .. } => format!("{error}: {msg} (line {})", lineno.unwrap_or(-1)),
        FileResult::CompileError { error, msg } => format!("{error}: {msg}"),
    };
    // The compiler recurses over the tree as CPython's does; give it the stack the CLI gives it.
    std::thread::Builder::new().stack_size(256 << 20).spawn(run).expect("thread").join().expect("no panic")
}

fn nested_ifs(levels: usize) -> String {
    let mut s: String = (0..levels).map(|i| format!("{}if x:\n", "    ".repeat(i))).collect();
    s.push_str(&format!("{}pass\n", "    ".repeat(levels)));
    s
}

#[test]
fn limits_match_cpython() {
    let cases: Vec<(&str, String, &str)> = vec![
        ("70,000 constants in one function", format!("def f():\n    return [{}]\n", (0..70_000).map(|i| (i * 7 + 100_000).to_string()).collect::<Vec<_>>().join(", ")), "ok"),
        ("70,000 names in one function", format!("def f():\n    return [{}]\n", (0..70_000).map(|i| format!("g.a{i}")).collect::<Vec<_>>().join(", ")), "ok"),
        ("5,000 unary minuses", format!("x = {}1\n", "-".repeat(5000)), "ok"),
        ("20,000 additions", format!("x = {}\n", vec!["a"; 20_000].join(" + ")), "RecursionError: maximum recursion depth exceeded during compilation"),
        ("199 nested brackets", format!("x = {}{}\n", "[".repeat(199), "]".repeat(199)), "ok"),
        ("100,000 nested parentheses", format!("x = {}{}\n", "(".repeat(100_000), ")".repeat(100_000)), "SyntaxError: too many nested parentheses (line 1)"),
        ("99 indentation levels", nested_ifs(99), "ok"),
        ("100 indentation levels", nested_ifs(100), "IndentationError: too many levels of indentation (line 101)"),
        ("150 nested calls", format!("x = {}{}\n", "f(".repeat(150), ")".repeat(150)), "ok"),
    ];
    for (what, source, expected) in cases {
        assert_eq!(outcome(source), expected, "{what}");
    }
}
