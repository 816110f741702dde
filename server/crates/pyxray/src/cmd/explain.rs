//! `pyxray explain`: what pyxray knows about a file, without an editor. `explain FILE` lists every
//! insight (identity comparisons with their predicted result, closures, diagnostics);
//! `explain FILE:LINE:COL` prints the hover at that spot (line and column 1-based, the column
//! counting characters). Exit code 0, or 2 on a usage or I/O error.

use crate::files;
use pyxray_insights::{AnalysisConfig, FileAnalysis, Insight, PositionEncoding, TextRange};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Stack size of the analysis thread: deeply nested code recurses.
const STACK_SIZE: usize = 256 << 20;

#[derive(clap::Args)]
pub struct Args {
    /// A Python file, or FILE:LINE:COL for the hover at that spot.
    #[arg(value_name = "FILE[:LINE:COL]")]
    target: String,

    /// The CPython version whose behaviour to reproduce (3.11, 3.12, 3.13, 3.14, or auto: the default).
    #[arg(long, value_name = "X.Y")]
    python: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// `FILE` or `FILE:LINE:COL`.
fn split_target(target: &str) -> (PathBuf, Option<(u32, u32)>) {
    let mut parts = target.rsplitn(3, ':');
    let (col, line, file) = (parts.next(), parts.next(), parts.next());
    if let (Some(col), Some(line), Some(file)) = (col, line, file) {
        if let (Ok(l), Ok(c)) = (line.parse::<u32>(), col.parse::<u32>()) {
            return (PathBuf::from(file), Some((l, c)));
        }
    }
    (PathBuf::from(target), None)
}

pub fn run(args: Args) -> ExitCode {
    let mut config = AnalysisConfig::default();
    let (path, spot) = split_target(&args.target);
    if let Err(e) = crate::python::apply(&mut config, args.python.as_deref(), &path) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let text = match files::read_source(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let name = path.display().to_string();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || FileAnalysis::for_file(&text, &name, &config));
    let Ok(Ok(analysis)) = worker.map(|h| h.join()) else {
        eprintln!("error: internal error: the analysis crashed");
        return ExitCode::from(2);
    };
    let printed = match spot {
        Some((line, col)) => print_hover(&analysis, &path, line, col, args.format),
        None => print_insights(&analysis, &path, args.format),
    };
    match printed {
        Ok(code) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: writing the output failed: {e}");
            ExitCode::from(2)
        }
    }
}

/// 1-based line, 0-based UTF-8 column, end line, end column: CPython's own convention.
fn range_json(analysis: &FileAnalysis, r: TextRange) -> serde_json::Value {
    let (a, b) = (analysis.line_index().line_col(r.start), analysis.line_index().line_col(r.end));
    json!({"line": a.line + 1, "column": a.col, "end_line": b.line + 1, "end_column": b.col})
}

fn insight_json(analysis: &FileAnalysis, i: &Insight) -> serde_json::Value {
    let range = range_json(analysis, i.range());
    match i {
        Insight::Identity { operator, prediction, reason, .. } => {
            json!({"kind": "identity", "range": range, "operator": operator, "prediction": prediction, "reason": reason})
        }
        Insight::Closure { qualname, captured, in_loop, escapes, late_binding, .. } => json!({
            "kind": "closure", "range": range, "qualname": qualname, "captured": captured, "in_loop": in_loop,
            "escapes": escapes, "late_binding": late_binding,
        }),
        Insight::Diagnostic { code, name, message, .. } => {
            json!({"kind": "diagnostic", "range": range, "code": code, "name": name, "message": message})
        }
    }
}

fn print_insights(analysis: &FileAnalysis, path: &std::path::Path, format: Format) -> std::io::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let insights = analysis.insights();
    if format == Format::Json {
        let docs: Vec<serde_json::Value> = insights.iter().map(|i| insight_json(analysis, i)).collect();
        serde_json::to_writer_pretty(&mut out, &docs)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(why) = &analysis.compiled().skipped {
        writeln!(out, "note: {why}; only syntax is analysed.")?;
    }
    for i in &insights {
        let at = analysis.line_index().position(analysis.text(), i.range().start, PositionEncoding::Utf32);
        let place = format!("{}:{}:{}", path.display(), at.line + 1, at.col + 1);
        match i {
            Insight::Identity { range, operator, prediction, reason } => {
                let code = &analysis.text()[range.start as usize..range.end as usize];
                writeln!(out, "{place}: identity `{code}` ({operator}): {prediction} — {reason}")?;
            }
            Insight::Closure { qualname, captured, in_loop, escapes, late_binding, .. } => {
                let mut s = format!("{place}: closure `{qualname}`");
                if !captured.is_empty() {
                    s.push_str(&format!(" captures {}", captured.join(", ")));
                }
                if *in_loop {
                    s.push_str(", made in a loop");
                }
                if !escapes.is_empty() {
                    s.push_str(&format!(", {}", escapes.join(" and ")));
                }
                if !late_binding.is_empty() {
                    s.push_str(&format!("; late-bound: {}", late_binding.join(", ")));
                }
                writeln!(out, "{s}")?;
            }
            Insight::Diagnostic { code, message, .. } => writeln!(out, "{place}: {code} {message}")?,
        }
    }
    if insights.is_empty() {
        writeln!(out, "No insights for {}.", path.display())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn print_hover(analysis: &FileAnalysis, path: &std::path::Path, line: u32, col: u32, format: Format) -> std::io::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if line == 0 || col == 0 || line > analysis.line_index().line_count() {
        eprintln!("error: {}:{line}:{col}: no such position (lines and columns start at 1)", path.display());
        return Ok(ExitCode::from(2));
    }
    let pos = pyxray_insights::LineCol { line: line - 1, col: col - 1 };
    let offset = analysis.line_index().offset(analysis.text(), pos, PositionEncoding::Utf32);
    let hover = analysis.hover(offset);
    match format {
        Format::Json => {
            let doc = match &hover {
                Some(h) => json!({"range": range_json(analysis, h.range), "markdown": h.markdown}),
                None => serde_json::Value::Null,
            };
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Text => match hover {
            Some(h) => writeln!(out, "{}", h.markdown.trim_end())?,
            None => writeln!(out, "Nothing to say at {}:{line}:{col}.", path.display())?,
        },
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_with_and_without_positions() {
        assert_eq!(split_target("a.py"), (PathBuf::from("a.py"), None));
        assert_eq!(split_target("a.py:3:5"), (PathBuf::from("a.py"), Some((3, 5))));
        assert_eq!(split_target("C:/x/a.py:3:5"), (PathBuf::from("C:/x/a.py"), Some((3, 5))));
        assert_eq!(split_target("weird:name.py"), (PathBuf::from("weird:name.py"), None));
    }
}
