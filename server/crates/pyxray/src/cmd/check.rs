//! `pyxray check`: analyses files and prints findings as `path:line:col: CODE message` (1-based
//! line and column, the column counting characters, as ruff does) or as JSON. Exit code 0 when
//! nothing was found, 1 when something was, 2 on a usage error or a file that could not be read
//! or decoded (the other files are still checked).

use crate::files::{self, FileError};
use pyxray_insights::{
    lookup, AnalysisConfig, Diagnostic, FileAnalysis, PositionEncoding, Severity,
    REGISTRY,
};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Stack size of the analysis threads: parsing deeply nested code recurses.
const STACK_SIZE: usize = 256 << 20;

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories to check; directories are searched for *.py and *.pyi files.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// The CPython version whose behaviour to reproduce (3.11, 3.12, 3.13, 3.14, or auto: read
    /// from a nearby .venv, .python-version or pyproject.toml; the default).
    #[arg(long, value_name = "X.Y")]
    python: Option<String>,

    /// Report only these diagnostics (names or codes, comma-separated).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    select: Vec<String>,

    /// Do not report these diagnostics (names or codes, comma-separated).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    ignore: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> ExitCode {
    let config = match config(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let (paths, mut errors) = files::discover(&args.paths);
    let results = analyse_all(&paths, &config);
    let mut findings = Vec::new();
    for (path, result) in paths.iter().zip(results) {
        match result {
            Ok(analysis) => findings.extend(analysis.diagnostics().iter().map(|d| Finding::new(path, &analysis, d))),
            Err(e) => errors.push(e),
        }
    }
    let checked = paths.len() - errors.iter().filter(|e| paths.contains(&e.path)).count();
    for e in &errors {
        eprintln!("error: {e}");
    }
    let printed = match args.format {
        Format::Text => print_text(&findings, checked),
        Format::Json => print_json(&findings),
    };
    if let Err(e) = printed {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: writing the output failed: {e}");
        }
        return ExitCode::from(2);
    }
    if !errors.is_empty() {
        ExitCode::from(2)
    } else if !findings.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn config(args: &Args) -> Result<AnalysisConfig, String> {
    let mut config = AnalysisConfig::default();
    let near = args.paths.first().map_or_else(|| std::path::PathBuf::from("."), |p| p.clone());
    crate::python::apply(&mut config, args.python.as_deref(), &near)?;
    let known = || REGISTRY.iter().map(|c| format!("{} ({})", c.name, c.code)).collect::<Vec<_>>().join(", ");
    let resolve = |flag: &str, names: &[String]| -> Result<Vec<&'static str>, String> {
        names
            .iter()
            .filter(|n| !n.trim().is_empty())
            .map(|n| {
                lookup(n.trim())
                    .map(|c| c.name)
                    .ok_or_else(|| format!("{flag} {n}: unknown diagnostic; known: {}", known()))
            })
            .collect()
    };
    let selected = resolve("--select", &args.select)?;
    let ignored = resolve("--ignore", &args.ignore)?;
    if !selected.is_empty() {
        config.disabled.extend(REGISTRY.iter().map(|c| c.name).filter(|n| !selected.contains(n)));
    }
    config.disabled.extend(ignored);
    Ok(config)
}

/// Reads and analyses every file on threads with large stacks, in order.
fn analyse_all(paths: &[PathBuf], config: &AnalysisConfig) -> Vec<Result<FileAnalysis, FileError>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(paths.len()).max(1);
    let mut results: Vec<Option<Result<FileAnalysis, FileError>>> = (0..paths.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                std::thread::Builder::new().stack_size(STACK_SIZE).spawn_scoped(scope, || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(path) = paths.get(i) else { break };
                        done.push((i, files::read_source(path).map(|text| FileAnalysis::for_file(&text, &path.display().to_string(), config))));
                    }
                    done
                })
            })
            .collect();
        for (worker, handle) in handles.into_iter().enumerate() {
            match handle.map_err(|e| e.to_string()).and_then(|h| h.join().map_err(|_| "panicked".to_string())) {
                Ok(done) => {
                    for (i, result) in done {
                        results[i] = Some(result);
                    }
                }
                Err(why) => tracing::error!("analysis worker {worker}: {why}"),
            }
        }
    });
    results
        .into_iter()
        .zip(paths)
        .map(|(r, path)| {
            r.unwrap_or_else(|| {
                Err(FileError { path: path.clone(), message: "internal error: analysis crashed".into() })
            })
        })
        .collect()
}

/// One finding, as printed. This is the JSON output's schema.
#[derive(Serialize)]
struct Finding {
    filename: String,
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: String,
    location: Location,
    end_location: Location,
    fixes: Vec<FixOut>,
}

/// 1-based row and 1-based column in characters.
#[derive(Serialize, Clone, Copy)]
struct Location {
    row: u32,
    column: u32,
}

#[derive(Serialize)]
struct FixOut {
    title: String,
    edits: Vec<EditOut>,
}

#[derive(Serialize)]
struct EditOut {
    content: String,
    location: Location,
    end_location: Location,
}

impl Finding {
    fn new(path: &std::path::Path, analysis: &FileAnalysis, d: &Diagnostic) -> Finding {
        let at = |offset: u32| {
            let lc = analysis.line_index().position(analysis.text(), offset, PositionEncoding::Utf32);
            Location { row: lc.line + 1, column: lc.col + 1 }
        };
        Finding {
            filename: path.display().to_string(),
            code: d.code.code,
            name: d.code.name,
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information => "information",
                Severity::Hint => "hint",
            },
            message: d.message.clone(),
            location: at(d.range.start),
            end_location: at(d.range.end),
            fixes: d
                .fixes
                .iter()
                .map(|f| FixOut {
                    title: f.title.clone(),
                    edits: f
                        .edits
                        .iter()
                        .map(|e| EditOut {
                            content: e.new_text.clone(),
                            location: at(e.range.start),
                            end_location: at(e.range.end),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

fn print_text(findings: &[Finding], checked: usize) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for f in findings {
        writeln!(out, "{}:{}:{}: {} {}", f.filename, f.location.row, f.location.column, f.code, f.message)?;
    }
    let files = if checked == 1 { "file" } else { "files" };
    match findings.len() {
        0 => writeln!(out, "No problems found ({checked} {files} checked).")?,
        1 => writeln!(out, "Found 1 problem ({checked} {files} checked).")?,
        n => writeln!(out, "Found {n} problems ({checked} {files} checked).")?,
    }
    out.flush()
}

fn print_json(findings: &[Finding]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, findings)?;
    writeln!(out)?;
    out.flush()
}
