//! Language-server latency, one client against pyxray, ruff's server and ty's server in the same
//! run: time from `didChange` to the diagnostics for that edit, hover latency p50/p99 over a few
//! hundred positions, and each server's peak memory.
//!
//!     cargo bench -p pyxray-tests --bench lsp_latency -- [FILE] [--ruff PATH] [--ty PATH] [--edits N]
//!
//! FILE defaults to CPython 3.13's `Lib/typing.py` from pyenv. `ruff` and `ty` are looked up on
//! `PATH` (`pip install ruff ty`); a server that is missing is skipped and said so. Servers that
//! advertise pull diagnostics (`textDocument/diagnostic`) are asked after each edit; the others
//! are timed to their next `publishDiagnostics` for the file.

use pyxray_tests::LspClient;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Options {
    file: PathBuf,
    ruff: Option<PathBuf>,
    ty: Option<PathBuf>,
    edits: usize,
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()))
}

fn options() -> Options {
    let home = std::env::var("HOME").unwrap_or_default();
    let mut o = Options {
        file: PathBuf::from(format!("{home}/.pyenv/versions/3.13.0/lib/python3.13/typing.py")),
        ruff: on_path("ruff"),
        ty: on_path("ty"),
        edits: 30,
    };
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(a) = args.next() {
        match a.as_str() {
            "--ruff" => o.ruff = args.next().map(PathBuf::from),
            "--ty" => o.ty = args.next().map(PathBuf::from),
            "--edits" => o.edits = args.next().and_then(|n| n.parse().ok()).unwrap_or(o.edits),
            other => o.file = PathBuf::from(other),
        }
    }
    o
}

struct Figures {
    name: String,
    edit_ms: Vec<f64>,
    hover_ms: Vec<f64>,
    peak_mib: Option<u64>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

/// Hover positions: the start of every 12th word, up to 300 of them (UTF-16 columns equal
/// UTF-8 ones on ASCII lines; non-ASCII lines are skipped).
fn hover_positions(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut words = 0;
    for (line_no, line) in text.lines().enumerate() {
        if !line.is_ascii() {
            continue;
        }
        let bytes = line.as_bytes();
        for col in 0..bytes.len() {
            let starts = (bytes[col].is_ascii_alphanumeric() || bytes[col] == b'_')
                && (col == 0 || !(bytes[col - 1].is_ascii_alphanumeric() || bytes[col - 1] == b'_'));
            if starts {
                words += 1;
                if words % 12 == 0 && out.len() < 300 {
                    out.push((line_no, col));
                }
            }
        }
    }
    out
}

fn measure(name: &str, command: Command, path: &Path, text: &str, edits: usize) -> Figures {
    let mut client = LspClient::spawn_command(command);
    let root = path.parent().map(|p| format!("file://{}", p.display()));
    let init = client.initialize_with(json!({
        "processId": std::process::id(),
        "rootUri": root,
        "capabilities": { "general": { "positionEncodings": ["utf-16"] },
                          "textDocument": { "hover": { "contentFormat": ["markdown", "plaintext"] } } },
        "initializationOptions": {},
    }));
    let pull = init["capabilities"].get("diagnosticProvider").is_some_and(|v| !v.is_null());
    let uri = format!("file://{}", path.display());
    let diagnostics_for = |client: &mut LspClient, version: i64| {
        if pull {
            let response = client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
            assert!(response.get("result").is_some(), "{name}: {response}");
        } else {
            client.notification("textDocument/publishDiagnostics", |p| {
                p["uri"] == uri.as_str() && (p.get("version").filter(|v| !v.is_null()).is_none() || p["version"] == json!(version))
            });
        }
    };
    client.open(&uri, text, 1);
    diagnostics_for(&mut client, 1);
    // Each edit types one character at the end of the first line and then deletes it again, so
    // the file stays the same size and every other edit restores it.
    let first_line_len = text.lines().next().unwrap_or("").len();
    let mut edit_ms = Vec::new();
    for i in 0..edits {
        let version = i as i64 + 2;
        let change = if i % 2 == 0 {
            json!([{ "range": { "start": { "line": 0, "character": first_line_len }, "end": { "line": 0, "character": first_line_len } }, "text": "x" }])
        } else {
            json!([{ "range": { "start": { "line": 0, "character": first_line_len }, "end": { "line": 0, "character": first_line_len + 1 } }, "text": "" }])
        };
        let start = Instant::now();
        client.change(&uri, version, change);
        diagnostics_for(&mut client, version);
        edit_ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    // Hovers on the final text, which equals the original when `edits` is even.
    let current = if edits % 2 == 1 {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines[0].push('x');
        lines.join("\n")
    } else {
        text.to_string()
    };
    let mut hover_ms = Vec::new();
    for (line, character) in hover_positions(&current) {
        let start = Instant::now();
        let response = client.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        );
        hover_ms.push(start.elapsed().as_secs_f64() * 1e3);
        assert!(response.get("error").is_none(), "{name}: {response}");
    }
    let peak_mib = client.peak_memory_mib();
    let _ = client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    std::thread::sleep(Duration::from_millis(50));
    Figures { name: name.to_string(), edit_ms, hover_ms, peak_mib }
}

fn main() {
    let o = options();
    let Ok(text) = std::fs::read_to_string(&o.file) else {
        eprintln!("cannot read {}; pass a Python file as the first argument", o.file.display());
        return;
    };
    let path = std::fs::canonicalize(&o.file).unwrap_or(o.file.clone());
    println!("{} ({} lines), {} edits, UTF-16 positions", path.display(), text.lines().count(), o.edits);
    let mut servers: Vec<(String, Command)> = Vec::new();
    let mut pyxray = Command::new(pyxray_tests::pyxray_bin());
    pyxray.args(["server"]).env("PYXRAY_LOG", "warn");
    servers.push(("pyxray".into(), pyxray));
    for (name, bin) in [("ruff", &o.ruff), ("ty", &o.ty)] {
        match bin {
            Some(bin) => {
                let mut c = Command::new(bin);
                c.arg("server");
                servers.push((name.into(), c));
            }
            None => println!("{name}: not found on PATH (pip install {name}), skipped"),
        }
    }
    let mut results = Vec::new();
    for (name, command) in servers {
        let version = Command::new(command.get_program()).arg("--version").output();
        let version = version.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
        let figures = measure(&name, command, &path, &text, o.edits);
        println!(
            "{:<7} {:<22} edit→diagnostics p50 {:>8.2} ms  p99 {:>8.2} ms | hover p50 {:>7.3} ms  p99 {:>7.3} ms ({} hovers) | peak {} MiB",
            figures.name,
            version,
            percentile(&sorted(figures.edit_ms.clone()), 0.5),
            percentile(&sorted(figures.edit_ms.clone()), 0.99),
            percentile(&sorted(figures.hover_ms.clone()), 0.5),
            percentile(&sorted(figures.hover_ms.clone()), 0.99),
            figures.hover_ms.len(),
            figures.peak_mib.map_or("?".to_string(), |m| m.to_string()),
        );
        results.push(figures);
    }
    let ours = percentile(&sorted(results[0].edit_ms.clone()), 0.5);
    for other in &results[1..] {
        let theirs = percentile(&sorted(other.edit_ms.clone()), 0.5);
        println!("edit→diagnostics p50: pyxray / {} = {:.2}", other.name, ours / theirs);
    }
}
