//! End-to-end tests of the `pyxray` command line: `check`'s exit codes (0 clean, 1 findings,
//! 2 usage or I/O errors), its text and JSON output, decoding per PEP 263, `--version`, `--help`.

use pyxray_insights::{nearest_supported, PythonVersion};
use pyxray_tests::{pyxray_bin, Scratch};
use serde_json::Value;
use std::process::{Command, Output};

fn pyxray(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(pyxray_bin()).args(args).current_dir(dir).output().expect("run pyxray")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn clean_files_exit_zero() {
    let dir = Scratch::new("clean");
    dir.write("pkg/mod.py", "def f(x):\n    return x\n");
    dir.write("pkg/stub.pyi", "def f(x: int) -> int: ...\n");
    let o = pyxray(dir.path(), &["check", "pkg"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("No problems found (2 files checked)"), "{}", stdout(&o));
    assert_eq!(stderr(&o), "");
}

#[test]
fn findings_exit_one_with_ruff_style_lines() {
    let dir = Scratch::new("findings");
    dir.write("a.py", "ok = 1\n");
    dir.write("b.py", "s = \"😀漢字\"; x = = 1\n");
    dir.write("sub/c.py", "def f():\r\n\tif x:\r\n\t\treturn ==\r\n");
    // Not searched: hidden directories, caches, virtual environments, node_modules, other files.
    for skipped in [".hidden/d.py", "__pycache__/e.py", ".venv/f.py", "venv/g.py", "node_modules/h.py", "notes.txt"] {
        dir.write(skipped, "x = (\n");
    }
    let o = pyxray(dir.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let sep = std::path::MAIN_SEPARATOR;
    assert_eq!(
        lines,
        [
            // Columns count characters from 1, like ruff: the second `=` is the 16th character.
            "b.py:1:16: PX001 SyntaxError: invalid syntax (unexpected '=')".to_string(),
            format!("sub{sep}c.py:3:10: PX001 SyntaxError: invalid syntax (unexpected '==')"),
            "Found 2 problems (3 files checked).".to_string(),
        ]
    );
}

#[test]
fn json_output_shape() {
    let dir = Scratch::new("json");
    dir.write("b.py", "s = '漢'\nx = = 1\n");
    dir.write("ok.py", "y = 2\n");
    let o = pyxray(dir.path(), &["check", "--format", "json", "b.py", "ok.py"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let findings: Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    let expected = serde_json::json!([{
        "filename": "b.py",
        "code": "PX001",
        "name": "syntax-error",
        "severity": "error",
        "message": "SyntaxError: invalid syntax (unexpected '=')",
        "location": { "row": 2, "column": 5 },
        "end_location": { "row": 2, "column": 6 },
        "fixes": []
    }]);
    assert_eq!(findings, expected);
    // No findings: an empty array, exit 0.
    let o = pyxray(dir.path(), &["check", "--format", "json", "ok.py"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap(), serde_json::json!([]));
}

#[test]
fn undecodable_file_is_an_error_and_the_others_are_still_checked() {
    let dir = Scratch::new("decode");
    dir.write("bad.py", b"x = 1\ny = '\xff'\n");
    dir.write("broken.py", "z = (\n");
    dir.write("fine.py", "w = 1\n");
    let o = pyxray(dir.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2), "I/O and decoding errors win: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("bad.py") && err.contains("line 2") && err.contains("Non-UTF-8 code starting with '\\xff'"),
        "{err}"
    );
    let out = stdout(&o);
    assert!(out.contains("broken.py:"), "the other files are still checked: {out}");
    assert!(out.contains("(2 files checked)"), "{out}");
    // The same in JSON: stdout stays a valid array of the findings.
    let o = pyxray(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(o.status.code(), Some(2));
    let findings: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(findings.as_array().unwrap().len(), 1);
    assert_eq!(findings[0]["filename"], "broken.py");
}

#[test]
fn coding_cookie_and_bom() {
    let dir = Scratch::new("cookie");
    dir.write("latin.py", b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\n");
    dir.write("latin_bad.py", b"# coding: latin-1\ns = '\xe9'; x = = 1\n");
    dir.write("bom.py", b"\xef\xbb\xbfs = '\xc3\xa9'\n");
    let o = pyxray(dir.path(), &["check", "latin.py", "bom.py"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = pyxray(dir.path(), &["check", "latin_bad.py"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Columns are characters of the decoded text: é is one.
    assert!(stdout(&o).starts_with("latin_bad.py:2:14: PX001"), "{}", stdout(&o));
}

#[test]
fn usage_and_io_errors_exit_two() {
    let dir = Scratch::new("usage");
    dir.write("a.py", "x = (\n");
    for args in [
        &["check", "--format", "xml", "a.py"][..],
        &["check", "--python", "2.7", "a.py"],
        &["check", "--python", "three", "a.py"],
        &["check", "--select", "no-such-check", "a.py"],
        &["check", "--bogus-flag"],
        &["frobnicate"],
        &[],
    ] {
        let o = pyxray(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}{}", stdout(&o), stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?} explains itself");
    }
    let o = pyxray(dir.path(), &["check", "--python", "3.10", "a.py"]);
    let nearest = format!("nearest supported version, {}", nearest_supported(3, 10));
    assert!(stderr(&o).contains(&nearest), "suggests the nearest version: {}", stderr(&o));
    let o = pyxray(dir.path(), &["check", "missing.py", "a.py"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.py"), "{}", stderr(&o));
    assert!(stdout(&o).contains("a.py:"), "the existing file is still checked");
}

#[test]
fn select_ignore_and_python() {
    let dir = Scratch::new("select");
    dir.write("a.py", "x = (\n");
    let code = |args: &[&str]| pyxray(dir.path(), args).status.code();
    assert_eq!(code(&["check", "--ignore", "syntax-error", "a.py"]), Some(0));
    assert_eq!(code(&["check", "--ignore", "PX001", "a.py"]), Some(0));
    assert_eq!(code(&["check", "--select", "compile-error", "a.py"]), Some(0));
    assert_eq!(code(&["check", "--select", "syntax-error,compile-error", "a.py"]), Some(1));
    for version in ["3.11", "3.12", "3.13", "3.14"] {
        assert_eq!(code(&["check", "--python", version, "a.py"]), Some(1), "{version}");
    }
}

#[test]
fn version_and_help() {
    let dir = Scratch::new("help");
    let o = pyxray(dir.path(), &["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).trim(), format!("pyxray {}", env!("CARGO_PKG_VERSION")));
    let o = pyxray(dir.path(), &["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for needle in ["server", "check", "Examples:", "PYXRAY_LOG"] {
        assert!(help.contains(needle), "--help mentions {needle}:\n{help}");
    }
    let o = pyxray(dir.path(), &["check", "--help"]);
    for needle in ["--format", "--python", "--select", "--ignore"] {
        assert!(stdout(&o).contains(needle), "{}", stdout(&o));
    }
}

#[test]
fn deeply_nested_code_does_not_crash_check() {
    let dir = Scratch::new("deep");
    dir.write("parens.py", format!("x = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000)));
    dir.write("minus.py", format!("x = {}1\n", "-".repeat(100_000)));
    let o = pyxray(dir.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("parens.py:1:") && out.contains("too many nested parentheses"), "{out}");
    assert!(out.contains("minus.py:1:"), "{out}");
}

/// `pyxray dis` run as a user runs it prints exactly CPython's `python -m dis` text (the golden
/// recorded from the oracle), and JSON in the oracle's format.
#[test]
fn dis_prints_cpythons_listing() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/compiler");
    for name in ["closures_and_cells", "pattern_matching", "exceptions"] {
        let o = pyxray(&fixtures, &["dis", &format!("{name}.py")]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let golden = std::fs::read_to_string(fixtures.join("3.13").join(format!("{name}.dis"))).expect("golden");
        assert!(stdout(&o) == golden, "{name}: pyxray dis differs from CPython's output");
        let o = pyxray(&fixtures, &["dis", "--format", "json", &format!("{name}.py")]);
        let golden = std::fs::read_to_string(fixtures.join("3.13").join(format!("{name}.json"))).expect("golden");
        assert_eq!(stdout(&o).trim_end(), format!("[{}]", golden.trim_end()), "{name}: JSON differs");
    }
}

#[test]
fn dis_refuses_versions_it_cannot_reproduce_and_reports_errors() {
    let dir = Scratch::new("dis-errors");
    dir.write("ok.py", "x = 1\n");
    dir.write("bad.py", "def f():\n    pass\nreturn 1\n");
    // A Python 3 release pyxray does not compile: named, and the nearest one used instead.
    let o = pyxray(dir.path(), &["dis", "--python", "3.10", "ok.py"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("does not compile for CPython 3.10"), "{}", stderr(&o));
    assert!(stdout(&o).contains("STORE_NAME"));
    let o = pyxray(dir.path(), &["dis", "--python", "2.7", "ok.py"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("2.7 is not supported"), "{}", stderr(&o));
    let o = pyxray(dir.path(), &["dis", "bad.py"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("SyntaxError: 'return' outside function"), "{}", stderr(&o));
}

#[test]
fn explain_lists_identity_predictions_and_hovers() {
    let dir = Scratch::new("explain");
    dir.write("ids.py", "def f():\n    a = 256\n    b = 256\n    c = int('257')\n    d = int('257')\n    return a is b, c is d\n");
    let o = pyxray(dir.path(), &["explain", "--format", "json", "ids.py"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let docs: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let identities: Vec<&Value> = docs.as_array().unwrap().iter().filter(|d| d["kind"] == "identity").collect();
    assert_eq!(identities.len(), 2);
    assert_eq!(identities[0]["prediction"], "true");
    assert_eq!(identities[0]["operator"], "is");
    assert_eq!(identities[0]["range"]["line"], 6);
    assert_eq!(identities[0]["range"]["column"], 11);
    assert_eq!(identities[1]["prediction"], "false");
    let o = pyxray(dir.path(), &["explain", "ids.py:2:5"]);
    assert!(stdout(&o).contains("**`a`** · local"), "{}", stdout(&o));
}

#[test]
fn python_auto_reads_the_projects_files() {
    let dir = Scratch::new("auto-version");
    dir.write("pyproject.toml", "[project]\nname = \"x\"\nrequires-python = \">=3.12\"\n");
    dir.write("src/a.py", "def f():\n    return 1\n");
    let o = pyxray(dir.path(), &["explain", "src/a.py:1:5"]);
    let pyproject = dir.path().canonicalize().unwrap().join("pyproject.toml");
    let from = format!("from requires-python = \">=3.12\" in {} (3.12)", pyproject.display());
    let used = nearest_supported(3, 12);
    let line = if used == PythonVersion::V3_12 {
        format!("CPython 3.12 — {from}")
    } else {
        format!("CPython {used} — CPython 3.12 requested ({from}); pyxray compiles {used} for now")
    };
    assert!(stdout(&o).contains(&line), "{line}\n{}", stdout(&o));
    dir.write(".venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.10.12\n");
    let o = pyxray(dir.path(), &["explain", "src/a.py:1:5"]);
    let nearest = format!("nearest supported version, {}", nearest_supported(3, 10));
    assert!(stderr(&o).contains("warning: Python 3.10.12 (from ") && stderr(&o).contains(&nearest), "{}", stderr(&o));
    let o = pyxray(dir.path(), &["check", "--python", "3.15", "src/a.py"]);
    assert_eq!(o.status.code(), Some(0));
    let nearest = format!("nearest supported version, {}", nearest_supported(3, 15));
    assert!(stderr(&o).contains("warning: Python 3.15 (as set) is not supported") && stderr(&o).contains(&nearest), "{}", stderr(&o));
}
