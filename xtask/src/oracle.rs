//! Calling the oracle (`../shared/oracle/oracle VERSION json|text FILE...`, real CPython) on a
//! batch of files and splitting its output back into one document per file.
//!
//! `json` mode prints `[` + the documents joined by `,\n` + `]\n`; each document is
//! `json.dumps(indent=1, sort_keys=True)`, so its closing brace is the only `}` at column 0. The
//! documents are cut out of the raw text (not re-serialised) so goldens keep the oracle's bytes.
//!
//! `text` mode joins the per-file outputs with a bare `\n`, which cannot be split reliably (a
//! disassembly has blank lines of its own). A sentinel file whose source declares an unknown
//! encoding is placed before every real file: its output is a small, unmistakable syntax-error
//! document, learned from the first copy and then used as the separator.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::process;

/// The encoding name in the sentinel file; it only has to be unknown to CPython and unique.
const SENTINEL_ENCODING: &str = "pyxray-xtask-sentinel";

/// The oracle script and how to call it.
#[derive(Clone, Debug)]
pub struct Oracle {
    script: PathBuf,
    timeout: Option<Duration>,
}

impl Oracle {
    /// Finds the oracle: `explicit`, else `$PYXRAY_ORACLE`, else `shared/oracle/oracle` beside
    /// the repository (the layout on developer machines and in CI).
    pub fn locate(explicit: Option<&Path>) -> Result<Oracle> {
        let candidate = match explicit {
            Some(path) => path.to_path_buf(),
            None => match std::env::var_os("PYXRAY_ORACLE") {
                Some(path) => PathBuf::from(path),
                None => crate::workspace_root().join("../shared/oracle/oracle"),
            },
        };
        if !candidate.is_file() {
            bail!(
                "oracle not found at {} (pass --oracle PATH or set PYXRAY_ORACLE)",
                candidate.display()
            );
        }
        let script = candidate.canonicalize().unwrap_or(candidate);
        Ok(Oracle {
            script,
            timeout: None,
        })
    }

    /// Kills an oracle call that runs longer than `timeout` (the call then counts as failed).
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Oracle {
        self.timeout = timeout;
        self
    }

    fn call(
        &self,
        version: &str,
        mode: &str,
        cwd: Option<&Path>,
        files: &[PathBuf],
    ) -> Result<String> {
        let mut args = vec![version.to_string(), mode.to_string()];
        args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
        let finished = process::run(&self.script, &args, cwd, self.timeout)
            .with_context(|| format!("running {}", self.script.display()))?;
        if !finished.success() {
            bail!(
                "oracle {version} {mode} failed: {}",
                finished.failure_reason(self.timeout)
            );
        }
        String::from_utf8(finished.stdout).context("oracle output is not UTF-8")
    }

    /// The exact CPython version the oracle runs (e.g. `3.13.2`); installs its package if needed.
    pub fn version(&self, version: &str) -> Result<String> {
        Ok(self.call(version, "version", None, &[])?.trim().to_string())
    }

    /// One canonical JSON document per file, exactly as the oracle printed it (no trailing
    /// newline). File names are passed as given, relative to `cwd`.
    pub fn json_docs(
        &self,
        version: &str,
        cwd: Option<&Path>,
        files: &[PathBuf],
    ) -> Result<Vec<String>> {
        if files.is_empty() {
            return Ok(Vec::new());
        }
        let raw = self.call(version, "json", cwd, files)?;
        let docs = split_json_array(&raw)?;
        if docs.len() != files.len() {
            bail!(
                "oracle returned {} documents for {} files",
                docs.len(),
                files.len()
            );
        }
        Ok(docs)
    }

    /// What `python -m dis` prints for each file (`text` mode), split per file.
    pub fn text_docs(
        &self,
        version: &str,
        cwd: Option<&Path>,
        files: &[PathBuf],
    ) -> Result<Vec<String>> {
        if files.is_empty() {
            return Ok(Vec::new());
        }
        let sentinel = Sentinel::create()?;
        let mut args = Vec::with_capacity(files.len() * 2);
        for file in files {
            args.push(sentinel.path.clone());
            args.push(file.clone());
        }
        let raw = self.call(version, "text", cwd, &args)?;
        let texts = split_text_output(&raw)?;
        if texts.len() != files.len() {
            bail!(
                "oracle returned {} disassemblies for {} files",
                texts.len(),
                files.len()
            );
        }
        Ok(texts)
    }
}

/// A temporary sentinel source file, removed when dropped.
struct Sentinel {
    path: PathBuf,
}

impl Sentinel {
    fn create() -> Result<Sentinel> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "pyxray-xtask-sentinel-{}-{n}.py",
            std::process::id()
        ));
        std::fs::write(&path, format!("# -*- coding: {SENTINEL_ENCODING} -*-\n"))
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(Sentinel { path })
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Splits the oracle's `json` output (`[doc,\ndoc,\ndoc]\n`) into the raw documents.
pub fn split_json_array(raw: &str) -> Result<Vec<String>> {
    let body = raw.trim_end_matches('\n');
    let Some(inner) = body.strip_prefix('[').and_then(|b| b.strip_suffix(']')) else {
        bail!("oracle output is not a JSON array: {}", preview(raw));
    };
    if inner.trim().is_empty() {
        return Ok(Vec::new());
    }
    // A document's closing brace is the only `}` in column 0, so `\n},\n{` separates documents.
    let docs: Vec<String> = inner
        .split("\n},\n{")
        .enumerate()
        .map(|(i, piece)| {
            let mut doc = String::with_capacity(piece.len() + 4);
            if i > 0 {
                doc.push('{');
            }
            doc.push_str(piece);
            doc
        })
        .collect();
    let count = docs.len();
    let docs: Vec<String> = docs
        .into_iter()
        .enumerate()
        .map(|(i, mut doc)| {
            if i + 1 < count {
                doc.push_str("\n}");
            }
            doc
        })
        .collect();
    for doc in &docs {
        let value: serde_json::Value = serde_json::from_str(doc)
            .with_context(|| format!("bad oracle document: {}", preview(doc)))?;
        if !value.is_object() {
            bail!("oracle document is not an object: {}", preview(doc));
        }
    }
    Ok(docs)
}

/// Splits `text` output produced for `[sentinel, f1, sentinel, f2, …]` into the texts of f1, f2, ….
pub fn split_text_output(raw: &str) -> Result<Vec<String>> {
    let marker = format!("\"msg\": \"unknown encoding: {SENTINEL_ENCODING}\"");
    let Some(marker_at) = raw.find(&marker) else {
        bail!("sentinel missing from oracle text output: {}", preview(raw));
    };
    if !raw.starts_with('{') {
        bail!(
            "oracle text output does not start with the sentinel: {}",
            preview(raw)
        );
    }
    // The sentinel document ends at the first `\n}` (column-0 closing brace) after the marker.
    let Some(end) = raw[marker_at..].find("\n}").map(|i| marker_at + i + 2) else {
        bail!("unterminated sentinel document in oracle text output");
    };
    let sentinel = &raw[..end];
    let Some(rest) = raw[end..].strip_prefix('\n') else {
        bail!("nothing follows the first sentinel in oracle text output");
    };
    let separator = format!("\n{sentinel}\n");
    Ok(rest.split(separator.as_str()).map(str::to_string).collect())
}

fn preview(text: &str) -> String {
    let short: String = text.chars().take(200).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_json_array_keeping_raw_text() {
        let raw =
            "[{\n \"a\": {\n  \"b\": 1\n }\n},\n{\n \"c\": \"}\\n},\\n{\"\n},\n{\n \"d\": []\n}]\n";
        let docs = split_json_array(raw).unwrap();
        assert_eq!(
            docs,
            vec![
                "{\n \"a\": {\n  \"b\": 1\n }\n}".to_string(),
                "{\n \"c\": \"}\\n},\\n{\"\n}".to_string(),
                "{\n \"d\": []\n}".to_string(),
            ]
        );
        assert_eq!(split_json_array("[]\n").unwrap(), Vec::<String>::new());
        assert!(split_json_array("Traceback (most recent call last):").is_err());
    }

    #[test]
    fn splits_text_output_on_sentinels() {
        let sentinel = format!(
            "{{\n \"python\": \"3.13.2\",\n \"syntax_error\": {{\n  \"error\": \"SyntaxError\",\n  \"lineno\": 0,\n  \"msg\": \"unknown encoding: {SENTINEL_ENCODING}\",\n  \"offset\": -1\n }}\n}}"
        );
        let first = "  0           0 RESUME                   0\n\n  1           2 RETURN_CONST             0 (None)\n";
        let second = "{\n \"python\": \"3.13.2\",\n \"syntax_error\": {\n  \"msg\": \"invalid syntax\"\n }\n}";
        let third = "  0 RESUME 0\n\nDisassembly of <code object f>:\n  1 RESUME 0\n";
        let raw = [
            sentinel.as_str(),
            first,
            &sentinel,
            second,
            &sentinel,
            third,
        ]
        .join("\n");
        let texts = split_text_output(&raw).unwrap();
        assert_eq!(
            texts,
            vec![first.to_string(), second.to_string(), third.to_string()]
        );
    }
}
