//! Where a whole-file analysis spends its time: parse, compile, mini-VM and the registered
//! analyses (each one apart), median and best of N runs over one file (CPython's `Lib/typing.py`
//! by default), from scratch and after an edit (one character typed at the end of the first
//! line, reusing the previous analysis, as the server does). This is the work behind the
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

    // After an edit: type one character at the end of the first line, reusing the analysis of
    // the text before it (every later byte moves, no line does).
    let first_end = text.find('\n').unwrap_or(text.len());
    let edited = format!("{}x{}", &text[..first_end], &text[first_end..]);
    let before = FileAnalysis::for_file(&text, &name, &config);
    let mut after_edit: Vec<StageTimes> = Vec::with_capacity(runs);
    let mut reused = (0, 0);
    for _ in 0..runs.max(1) {
        let analysis = FileAnalysis::after_edit(&edited, &name, &config, &before);
        after_edit.push(analysis.times());
        reused = (analysis.compiled().units.reused(), analysis.compiled().fact_cache.reused());
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
    println!("  after an edit on line 1 ({} top-level units and {} code objects' facts reused):", reused.0, reused.1);
    row("  parse", after_edit.iter().map(|s| s.parse).collect());
    row("  compile", after_edit.iter().map(|s| s.compile).collect());
    row("  mini-VM", after_edit.iter().map(|s| s.vm).collect());
    row("  analyses", after_edit.iter().map(|s| s.insights).collect());
    row("  total", after_edit.iter().map(|s| s.total()).collect());
    println!("  each analysis:");
    for (code, times) in REGISTRY.iter().zip(per_analysis) {
        row(&format!("  {} {}", code.code, code.name), times);
    }
}
