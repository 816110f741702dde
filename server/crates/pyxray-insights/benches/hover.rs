//! Hover latency from a cached analysis, in process: analyses a file once (CPython's
//! `Lib/typing.py` by default), then hovers over every identifier, literal and keyword start in
//! it and prints p50/p99/max. The LSP round trip adds transport costs on top (see
//! `cargo xtask lsp-bench`).
//!
//!     cargo bench -p pyxray-insights --bench hover -- [FILE]

use pyxray_insights::{AnalysisConfig, FileAnalysis};
use std::time::{Duration, Instant};

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| a != "--bench")
        .unwrap_or_else(|| format!("{}/.pyenv/versions/3.13.0/lib/python3.13/typing.py", std::env::var("HOME").unwrap_or_default()));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let started = Instant::now();
    let analysis = FileAnalysis::for_file(&text, "typing.py", &AnalysisConfig::default());
    let analyse = started.elapsed();
    // Every start of a word or a literal: where a user hovers.
    let bytes = text.as_bytes();
    let offsets: Vec<u32> = (0..bytes.len())
        .filter(|&i| (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'\'' || bytes[i] == b'"') && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()))
        .map(|i| i as u32)
        .collect();
    // The first hover builds the instruction index; time it apart.
    let t = Instant::now();
    let _ = analysis.hover(offsets[offsets.len() / 2]);
    let first = t.elapsed();
    let mut times: Vec<Duration> = Vec::with_capacity(offsets.len());
    let mut shown = 0;
    for &offset in &offsets {
        let t = Instant::now();
        let h = analysis.hover(offset);
        times.push(t.elapsed());
        shown += usize::from(h.is_some());
    }
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!("{path}: {} lines, analysed in {analyse:?}; first hover (builds the index) {first:?}", text.lines().count());
    println!(
        "{} hovers ({shown} with content): p50 {:?}, p99 {:?}, max {:?}",
        times.len(),
        pct(0.5),
        pct(0.99),
        times.last().copied().unwrap_or_default()
    );
}
