//! Compile speed against CPython's own `compile()`: both compile the same files from bytes to
//! code objects (decode, parse, symbol table, codegen, CFG passes, assembly), single-threaded, and
//! the best of several rounds is compared. pyxray's time is also split by stage.
//!
//!     cargo bench -p pyxray-compiler --bench compile -- [DIR] [--python PATH] [--rounds N]
//!
//! DIR defaults to the Python files under `fixtures/`; PATH to `python3.13` on `PATH`, then
//! `~/.pyenv/versions/3.13.0/bin/python3`. Without a CPython the ratio is not printed.
//!
//! The benchmark uses mimalloc, the allocator of the `pyxray` binary, so that it measures what
//! the binary does (CPython, for its part, allocates from its own pools).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use pyxray_bytecode::PythonVersion;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const CPYTHON_TIMER: &str = r#"
import sys, time
paths = [l for l in sys.stdin.read().split("\n") if l]
sources = [(p, open(p, "rb").read()) for p in paths]
rounds = int(sys.argv[1])
best = None
for _ in range(rounds):
    t = time.perf_counter()
    for p, src in sources:
        try:
            compile(src, p, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    t = time.perf_counter() - t
    best = t if best is None or t < best else best
print(best)
"#;

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            python_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

fn find_python(explicit: Option<String>) -> Option<String> {
    let home = std::env::var("HOME").unwrap_or_default();
    let candidates = explicit
        .into_iter()
        .chain(["python3.13".to_string(), format!("{home}/.pyenv/versions/3.13.0/bin/python3")]);
    for c in candidates {
        let ok = Command::new(&c).args(["-c", "import sys; assert sys.version_info[:2] == (3, 13)"]).output();
        if ok.is_ok_and(|o| o.status.success()) {
            return Some(c);
        }
    }
    None
}

#[derive(Default, Clone, Copy)]
struct Split {
    decode_parse: Duration,
    compile: Duration,
}

fn pyxray_round(sources: &[(String, Vec<u8>)]) -> (Duration, Split) {
    let mut split = Split::default();
    let start = Instant::now();
    for (path, bytes) in sources {
        let t = Instant::now();
        let Ok(decoded) = pyxray_syntax::decode_source(bytes) else { continue };
        let parsed = pyxray_syntax::parse_module(&decoded.text);
        let line_index = pyxray_syntax::LineIndex::new(&decoded.text);
        split.decode_parse += t.elapsed();
        let t = Instant::now();
        if parsed.errors.is_empty() {
            let src = pyxray_compiler::SourceMap::new(&decoded.text, &line_index, path);
            std::hint::black_box(pyxray_compiler::compile_owned_module(parsed.module, &src, PythonVersion::V3_13));
        }
        split.compile += t.elapsed();
    }
    (start.elapsed(), split)
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut dir = None;
    let mut python = None;
    let mut rounds = 5usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--python" => python = args.next(),
            "--rounds" => rounds = args.next().and_then(|n| n.parse().ok()).unwrap_or(rounds),
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let dir = dir.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures"));
    let mut paths = Vec::new();
    python_files(&dir, &mut paths);
    let sources: Vec<(String, Vec<u8>)> = paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok().map(|b| (p.display().to_string(), b)))
        .collect();
    let bytes: usize = sources.iter().map(|(_, b)| b.len()).sum();
    println!("{} files, {:.1} MB, from {}", sources.len(), bytes as f64 / 1e6, dir.display());

    // Deep trees recurse; run on a thread with a large stack, as the CLI does.
    let sources_for_thread = sources.clone();
    let (best, split) = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut best: Option<(Duration, Split)> = None;
            for _ in 0..rounds {
                let r = pyxray_round(&sources_for_thread);
                if best.is_none_or(|b| r.0 < b.0) {
                    best = Some(r);
                }
            }
            best.expect("at least one round")
        })
        .expect("thread")
        .join()
        .expect("no panic");
    println!(
        "pyxray:  {:>8.1} ms  (decode + parse {:.1} ms, compile {:.1} ms), best of {rounds}",
        best.as_secs_f64() * 1e3,
        split.decode_parse.as_secs_f64() * 1e3,
        split.compile.as_secs_f64() * 1e3
    );
    let Some(python) = find_python(python) else {
        println!("CPython 3.13 not found (pass --python PATH): no comparison");
        return;
    };
    let mut child = Command::new(&python)
        .args(["-c", CPYTHON_TIMER, &rounds.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start CPython");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        let list: Vec<&str> = sources.iter().map(|(p, _)| p.as_str()).collect();
        stdin.write_all(list.join("\n").as_bytes()).expect("write paths");
    }
    let out = child.wait_with_output().expect("CPython ran");
    let cpython: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().expect("CPython's time");
    println!("CPython: {:>8.1} ms  compile(), {python}, best of {rounds}", cpython * 1e3);
    println!("ratio:   pyxray is {:.2}x CPython's speed", cpython / best.as_secs_f64());
}
