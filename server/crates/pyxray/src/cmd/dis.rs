//! `pyxray dis`: the bytecode CPython compiles a file to. `--format text` prints exactly what
//! `python3.X -m dis FILE` prints (memory addresses as `0x?`); `--format json` prints the oracle's
//! canonical JSON, one document per file. Exit code 0 when every file compiled, 1 when one did
//! not (its error is printed as CPython prints it), 2 on a usage or I/O error.

use pyxray_bytecode::dis::{dis_text, file_json, FileResult, JsonOptions};
use pyxray_bytecode::{PythonVersion, VersionError};
use pyxray_insights::{nearest_supported, Requested};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Stack size of the compiling thread: deeply nested code recurses.
const STACK_SIZE: usize = 256 << 20;

#[derive(clap::Args)]
pub struct Args {
    /// Python files to disassemble.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,

    /// The CPython version whose compiler to reproduce.
    #[arg(long, value_name = "X.Y", default_value = "3.13")]
    python: String,

    /// Output format: `text` as `python -m dis` prints it, `json` as the oracle does.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// The supported version nearest to the one asked for, with a warning naming it.
fn fallback(flag: &str, requested: &Requested) -> PythonVersion {
    let supported: Vec<&str> = pyxray_compiler::SUPPORTED.iter().map(|v| v.as_str()).collect();
    let used = nearest_supported(requested.major, requested.minor);
    eprintln!(
        "warning: --python {flag}: pyxray does not compile for CPython {} (it compiles {}); \
         showing CPython {used}'s bytecode instead",
        requested.text,
        supported.join(", ")
    );
    used
}

pub fn run(args: Args) -> ExitCode {
    let version = match args.python.parse::<PythonVersion>() {
        Ok(v) if pyxray_compiler::SUPPORTED.contains(&v) => v,
        // Developers measuring a version that is still being added (`cargo xtask parity`).
        Ok(v) if std::env::var_os("PYXRAY_UNSUPPORTED_VERSIONS").is_some() => v,
        Ok(v) => fallback(&args.python, &Requested::of(v)),
        // A Python 3 release pyxray does not know: the nearest one it compiles, said so.
        Err(VersionError::Unsupported { requested, .. }) if requested.starts_with("3.") => {
            match Requested::parse(&requested) {
                Some(r) => fallback(&args.python, &r),
                None => PythonVersion::DEFAULT,
            }
        }
        Err(e) => {
            eprintln!("error: --python {}: {e}", args.python);
            return ExitCode::from(2);
        }
    };
    let worker = std::thread::Builder::new().stack_size(STACK_SIZE).spawn(move || disassemble_all(&args, version));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("error: internal error: the compiler crashed");
            ExitCode::from(2)
        }
    }
}

fn disassemble_all(args: &Args, version: PythonVersion) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut status = 0u8;
    let mut docs = Vec::new();
    let many = args.files.len() > 1;
    for (i, path) in args.files.iter().enumerate() {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                status = 2;
                continue;
            }
        };
        let filename = path.display().to_string();
        let result = pyxray_compiler::compile_file(&bytes, &filename, version);
        if !matches!(result, FileResult::Compiled { .. }) {
            status = status.max(1);
        }
        match args.format {
            Format::Json => docs.push(file_json(&result, JsonOptions { version }).dumps()),
            Format::Text => {
                if many {
                    let sep = if i > 0 { "\n" } else { "" };
                    let _ = writeln!(out, "{sep}==> {filename} <==");
                }
                match &result {
                    FileResult::Compiled { code, .. } => {
                        if write!(out, "{}", dis_text(code, version)).is_err() {
                            return ExitCode::from(2);
                        }
                    }
                    failed => eprint!("{}", error_report(failed, &filename, &bytes)),
                }
            }
        }
    }
    if args.format == Format::Json && writeln!(out, "[{}]", docs.join(",\n")).is_err() {
        return ExitCode::from(2);
    }
    let _ = out.flush();
    ExitCode::from(status)
}

/// The error as CPython's traceback ends: location, source line and caret, then the exception.
fn error_report(result: &FileResult, filename: &str, bytes: &[u8]) -> String {
    match result {
        FileResult::SyntaxError { error, msg, lineno, offset } => {
            let mut s = String::new();
            if let Some(line) = lineno.filter(|l| *l > 0) {
                s.push_str(&format!("  File \"{filename}\", line {line}\n"));
                let text = String::from_utf8_lossy(bytes);
                if let Some(src) = text.lines().nth(line as usize - 1) {
                    let trimmed = src.trim_start();
                    s.push_str(&format!("    {}\n", trimmed.trim_end()));
                    if let Some(col) = offset.filter(|o| *o > 0) {
                        let indent = src.chars().count() - trimmed.chars().count();
                        let caret = (col as usize).saturating_sub(1).saturating_sub(indent);
                        s.push_str(&format!("    {}^\n", " ".repeat(caret)));
                    }
                }
            }
            s.push_str(&format!("{error}: {msg}\n"));
            s
        }
        FileResult::CompileError { error, msg } => format!("{error}: {msg}\n"),
        FileResult::Compiled { .. } => String::new(),
    }
}
