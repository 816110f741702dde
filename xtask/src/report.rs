//! Rendering parity results: one line per file, details of the first mismatches with the
//! differing instruction shown side by side, a summary, and the same data as JSON.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

use crate::compare::{CodeComparison, Difference, FileComparison, FileStatus, Level};

/// What happened to one file.
pub enum FileOutcome {
    /// The oracle produced no document (its build crashed on the file, or timed out).
    NoOracle(String),
    /// pyxray crashed, timed out or printed something unusable for this file.
    PyxrayError(String),
    Compared(FileComparison),
}

pub struct FileResult {
    pub path: PathBuf,
    pub sha256: String,
    pub outcome: FileOutcome,
}

impl FileResult {
    /// The status word printed for the file.
    pub fn status(&self) -> String {
        match &self.outcome {
            FileOutcome::NoOracle(_) => "no oracle".to_string(),
            FileOutcome::PyxrayError(reason) => format!("pyxray error: {reason}"),
            FileOutcome::Compared(c) => match c.status {
                FileStatus::Ok => "ok".to_string(),
                FileStatus::OkNotBitIdentical => "ok (not bit-identical)".to_string(),
                FileStatus::Mismatch => "MISMATCH".to_string(),
            },
        }
    }
}

/// Totals over a run.
#[derive(Default, Debug, PartialEq)]
pub struct Summary {
    pub files: usize,
    pub ok: usize,
    pub ok_not_bit_identical: usize,
    pub mismatch: usize,
    pub pyxray_errors: usize,
    pub pyxray_panics: usize,
    pub no_oracle: usize,
    pub code_objects: usize,
    pub identical: usize,
    pub bit_identical: usize,
}

impl Summary {
    pub fn of(results: &[FileResult]) -> Summary {
        let mut s = Summary {
            files: results.len(),
            ..Summary::default()
        };
        for result in results {
            match &result.outcome {
                FileOutcome::NoOracle(_) => s.no_oracle += 1,
                FileOutcome::PyxrayError(reason) => {
                    s.pyxray_errors += 1;
                    if reason.starts_with("panic") {
                        s.pyxray_panics += 1;
                    }
                }
                FileOutcome::Compared(c) => {
                    match c.status {
                        FileStatus::Ok => s.ok += 1,
                        FileStatus::OkNotBitIdentical => s.ok_not_bit_identical += 1,
                        FileStatus::Mismatch => s.mismatch += 1,
                    }
                    s.code_objects += c.code_objects.len();
                    s.identical += c.identical_count();
                    s.bit_identical += c.bit_identical_count();
                }
            }
        }
        s
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// Writes the per-file lines, up to `show` detailed mismatches, and the summary.
pub fn write_text(
    out: &mut dyn Write,
    results: &[FileResult],
    show: usize,
    version: &str,
    elapsed: Duration,
) -> std::io::Result<()> {
    for result in results {
        let mut line = format!("{}: {}", result.path.display(), result.status());
        match &result.outcome {
            FileOutcome::NoOracle(reason) => line.push_str(&format!(" ({reason})")),
            FileOutcome::Compared(c) if c.status == FileStatus::OkNotBitIdentical => {
                if let Some((Some(code), diff)) = c.first_difference() {
                    line.push_str(&format!(
                        " [{} line {}: {}]",
                        code.qualname, code.firstlineno, diff.field
                    ));
                }
            }
            _ => {}
        }
        writeln!(out, "{line}")?;
    }
    let mismatches: Vec<(&FileResult, &FileComparison)> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            FileOutcome::Compared(c) if c.status == FileStatus::Mismatch => Some((r, c)),
            _ => None,
        })
        .collect();
    for (result, comparison) in mismatches.iter().take(show) {
        writeln!(out)?;
        writeln!(out, "== MISMATCH {}", result.path.display())?;
        write_detail(out, comparison)?;
    }
    if mismatches.len() > show {
        writeln!(
            out,
            "\n({} more mismatching files not shown; raise --show)",
            mismatches.len() - show
        )?;
    }
    let s = Summary::of(results);
    writeln!(out)?;
    writeln!(out, "parity with CPython {version}")?;
    writeln!(out, "  files:                 {}", s.files)?;
    writeln!(out, "    ok:                  {}", s.ok)?;
    writeln!(out, "    ok, not bit-ident.:  {}", s.ok_not_bit_identical)?;
    writeln!(out, "    mismatching:         {}", s.mismatch)?;
    writeln!(
        out,
        "    pyxray errors:       {} ({} panics)",
        s.pyxray_errors, s.pyxray_panics
    )?;
    writeln!(out, "    no oracle:           {}", s.no_oracle)?;
    writeln!(out, "  code objects compared: {}", s.code_objects)?;
    writeln!(
        out,
        "    identical:           {} ({:.2}%)",
        s.identical,
        percent(s.identical, s.code_objects)
    )?;
    writeln!(
        out,
        "    bit-identical:       {} ({:.2}%)",
        s.bit_identical,
        percent(s.bit_identical, s.code_objects)
    )?;
    writeln!(
        out,
        "  wall time:             {:.1}s",
        elapsed.as_secs_f64()
    )?;
    Ok(())
}

fn write_detail(out: &mut dyn Write, comparison: &FileComparison) -> std::io::Result<()> {
    let Some((code, diff)) = comparison.first_difference() else {
        return Ok(());
    };
    let location = match code {
        Some(c) => format!("code object {} (line {})", c.qualname, c.firstlineno),
        None => "file".to_string(),
    };
    match diff.instruction {
        Some(index) => writeln!(
            out,
            "  {location}: instruction {index} differs in {}",
            diff.field
        )?,
        None => writeln!(out, "  {location}: {} differs", diff.field)?,
    }
    writeln!(out, "    oracle: {}", short(&diff.oracle))?;
    writeln!(out, "    pyxray: {}", short(&diff.pyxray))?;
    if let Some(context) = &diff.context {
        let width = context
            .oracle
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
        writeln!(out, "      {:<width$} | pyxray", "oracle")?;
        for (row, (left, right)) in context.oracle.iter().zip(&context.pyxray).enumerate() {
            let mark = if row == context.marked { '*' } else { ' ' };
            writeln!(out, "    {mark} {left:<width$} | {right}")?;
        }
    }
    let others = comparison
        .code_objects
        .iter()
        .filter(|c| c.level == Level::Different)
        .count();
    if others > 1 {
        writeln!(
            out,
            "  ({others} code objects in this file are not identical)"
        )?;
    }
    Ok(())
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 160 {
        let head: String = text.chars().take(160).collect();
        format!("{head}…")
    } else {
        text
    }
}

fn difference_json(diff: &Difference) -> Value {
    json!({
        "field": diff.field,
        "instruction": diff.instruction,
        "oracle": diff.oracle,
        "pyxray": diff.pyxray,
        "context": diff.context.as_ref().map(|c| json!({
            "oracle": c.oracle, "pyxray": c.pyxray, "marked": c.marked,
        })),
    })
}

fn code_json(code: &CodeComparison) -> Value {
    json!({
        "qualname": code.qualname,
        "firstlineno": code.firstlineno,
        "level": match code.level {
            Level::BitIdentical => "bit-identical",
            Level::Identical => "identical",
            Level::Different => "different",
        },
        "difference": code.difference.as_ref().map(difference_json),
    })
}

/// Everything `write_text` shows, plus every non-bit-identical code object, as JSON.
pub fn to_json(results: &[FileResult], version: &str, elapsed: Duration) -> Value {
    let s = Summary::of(results);
    let files: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut file = json!({
                "path": r.path.display().to_string(),
                "sha256": r.sha256,
                "status": r.status(),
            });
            match &r.outcome {
                FileOutcome::NoOracle(reason) => file["no_oracle"] = json!(reason),
                FileOutcome::PyxrayError(reason) => file["pyxray_error"] = json!(reason),
                FileOutcome::Compared(c) => {
                    file["code_objects"] = json!(c.code_objects.len());
                    file["identical"] = json!(c.identical_count());
                    file["bit_identical"] = json!(c.bit_identical_count());
                    file["file_difference"] =
                        json!(c.file_difference.as_ref().map(difference_json));
                    file["differing_code_objects"] = Value::Array(
                        c.code_objects
                            .iter()
                            .filter(|c| c.level != Level::BitIdentical)
                            .map(code_json)
                            .collect(),
                    );
                }
            }
            file
        })
        .collect();
    json!({
        "python": version,
        "summary": {
            "files": s.files,
            "ok": s.ok,
            "ok_not_bit_identical": s.ok_not_bit_identical,
            "mismatch": s.mismatch,
            "pyxray_errors": s.pyxray_errors,
            "pyxray_panics": s.pyxray_panics,
            "no_oracle": s.no_oracle,
            "code_objects": s.code_objects,
            "identical": s.identical,
            "bit_identical": s.bit_identical,
            "identical_percent": percent(s.identical, s.code_objects),
            "bit_identical_percent": percent(s.bit_identical, s.code_objects),
            "wall_seconds": elapsed.as_secs_f64(),
        },
        "files": files,
    })
}
