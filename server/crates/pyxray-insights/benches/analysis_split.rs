//! Where a whole-file analysis spends its time: parse, compile, mini-VM and the registered
//! analyses (each one apart), median and best of N runs over one file (CPython's `Lib/typing.py`
//! by default), from scratch and after two edits (a character typed at the end of the first line,
//! a line break in the middle), reusing the previous analysis as the server does. This is the work behind the
//! edit → diagnostics latency that `cargo bench -p pyxray-tests --bench lsp_latency` measures.
//!
//!     cargo bench -p pyxray-insights --bench analysis_split -- [FILE] [--runs N] [--python 3.X]

use pyxray_insights::{AnalysisConfig, Context, FileAnalysis, PythonVersion, StageTimes, REGISTRY};
use std::time::{Duration, Instant};

fn main() {
    let home = std::env::var("HOME").unwrap_or_default();
    let mut path = format!("{home}/.pyenv/versions/3.13.0/lib/python3.13/typing.py");
    let mut runs = 30usize;
    let mut config = AnalysisConfig::default();
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs takes a number"),
            "--python" => {
                let minor = args.next().and_then(|v| v.strip_prefix("3.").and_then(|m| m.parse().ok()));
                config.python = minor.and_then(PythonVersion::from_minor).expect("--python takes a version such as 3.13");
            }
            _ => path = a,
        }
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let name = path.rsplit('/').next().unwrap_or(&path).to_string();

    let mut stages: Vec<StageTimes> = Vec::with_capacity(runs);
    let mut per_analysis: Vec<Vec<Duration>> = vec![Vec::with_capacity(runs); REGISTRY.len()];
    for _ in 0..runs.max(1) {
        let analysis = FileAnalysis::for_file(&text, &name, &config);
        stages.push(analysis.times());
        let cx = Context {
            text: analysis.text(),
            line_index: analysis.line_index(),
            parsed: analysis.parsed(),
            compiled: analysis.compiled(),
            config: &config,
        };
        for (i, code) in REGISTRY.iter().enumerate() {
            let mut out = Vec::new();
            let t = Instant::now();
            (code.check)(&cx, &mut out);
            per_analysis[i].push(t.elapsed());
        }
    }

    // After an edit, reusing the analysis of the text before it: one character typed at the end
    // of line 1 (every later byte moves, no line does), and a line break typed in the middle of
    // the file (every later line moves: the top-level units after it are compiled again).
    let before = FileAnalysis::for_file(&text, &name, &config);
    let first_end = text.find('\n').unwrap_or(text.len());
    let middle = text[..text.len() / 2].rfind('\n').unwrap_or(0);
    let edits = [
        ("a character at the end of line 1", format!("{}x{}", &text[..first_end], &text[first_end..])),
        ("a line break in the middle", format!("{}\n{}", &text[..middle], &text[middle..])),
    ];
    let mut after_edits = Vec::new();
    for (what, edited) in edits {
        let mut times: Vec<StageTimes> = Vec::with_capacity(runs);
        let mut reused = (0, 0);
        for _ in 0..runs.max(1) {
            let analysis = FileAnalysis::after_edit(&edited, &name, &config, &before);
            times.push(analysis.times());
            reused = (analysis.compiled().units.reused(), analysis.compiled().fact_cache.reused());
        }
        after_edits.push((what, times, reused));
    }

    println!(
        "{name}: {} lines, {} bytes, CPython {}, {} runs (median / best, ms)",
        text.lines().count(),
        text.len(),
        config.python.as_str(),
        stages.len()
    );
    let row = |label: &str, mut times: Vec<Duration>| {
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!("  {label:<24} {:>8.3} {:>8.3}", ms(times[times.len() / 2]), ms(times[0]));
    };
    row("parse", stages.iter().map(|s| s.parse).collect());
    row("compile", stages.iter().map(|s| s.compile).collect());
    row("mini-VM", stages.iter().map(|s| s.vm).collect());
    row("analyses", stages.iter().map(|s| s.insights).collect());
    row("total", stages.iter().map(|s| s.total()).collect());
    for (what, times, reused) in after_edits {
        println!("  after {what} ({} top-level units and {} code objects' facts reused):", reused.0, reused.1);
        row("  parse", times.iter().map(|s| s.parse).collect());
        row("  compile", times.iter().map(|s| s.compile).collect());
        row("  mini-VM", times.iter().map(|s| s.vm).collect());
        row("  analyses", times.iter().map(|s| s.insights).collect());
        row("  total", times.iter().map(|s| s.total()).collect());
    }
    println!("  each analysis:");
    for (code, times) in REGISTRY.iter().zip(per_analysis) {
        row(&format!("  {} {}", code.code, code.name), times);
    }
}
