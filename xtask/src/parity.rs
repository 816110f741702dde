//! `cargo xtask parity`: measures how much of CPython's bytecode pyxray reproduces over a tree of
//! Python files. The oracle's JSON is cached per version and SHA-256 of the file content (the
//! WebAssembly builds need ~2 s per call, so files go in batches); pyxray's JSON comes from
//! `pyxray dis --format json --python V FILE...`, also batched. A batch that fails on either
//! side is split in halves and retried, so one pathological file only loses itself: it is then
//! recorded as "no oracle" or "pyxray error", never fatal. The oracle and pyxray run concurrently.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::compare;
use crate::oracle::Oracle;
use crate::process;
use crate::report::{self, FileOutcome, FileResult};

#[derive(Args)]
pub struct ParityArgs {
    /// Python version to compare against.
    #[arg(long = "python", value_name = "V", default_value = "3.13")]
    version: String,
    /// Skip `test`/`tests`/`idle_test` directories and `test_*.py` files.
    #[arg(long)]
    exclude_tests: bool,
    /// Oracle cache root (default ~/.cache/pyxray/oracle); documents go in DIR/V/SHA256.json.
    #[arg(long, value_name = "DIR")]
    oracle_cache: Option<PathBuf>,
    /// The pyxray binary (default: target/release/pyxray, honouring $CARGO_TARGET_DIR).
    #[arg(long, value_name = "PATH")]
    pyxray: Option<PathBuf>,
    /// How many mismatching files to describe in detail.
    #[arg(long, value_name = "N", default_value_t = 10)]
    show: usize,
    /// Also write every result as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json_report: Option<PathBuf>,
    /// Path to the oracle script (default: $PYXRAY_ORACLE, else ../shared/oracle/oracle).
    #[arg(long, value_name = "PATH")]
    oracle: Option<PathBuf>,
    /// Files per oracle or pyxray call.
    #[arg(long, value_name = "N", default_value_t = 64)]
    batch: usize,
    /// Oracle calls run at once.
    #[arg(long, value_name = "N", default_value_t = 2)]
    jobs: usize,
    /// Seconds pyxray may spend on one file (a batch of n files gets this plus n seconds).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    timeout: u64,
    /// Python files or directories (searched recursively for .py files).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// One input file.
pub struct Input {
    pub path: PathBuf,
    pub sha256: String,
}

pub fn run(args: ParityArgs) -> Result<i32> {
    let started = Instant::now();
    crate::check_version(&args.version)?;
    let version = args.version.as_str();
    let batch = args.batch.max(1);
    let oracle = Oracle::locate(args.oracle.as_deref())?
        .with_timeout(Some(Duration::from_secs(120 + 5 * batch as u64)));
    let pyxray = locate_pyxray(args.pyxray.as_deref())?;
    let cache_dir = cache_dir(args.oracle_cache.as_deref(), version)?;

    let paths = collect_python_files(&args.paths, args.exclude_tests)?;
    if paths.is_empty() {
        bail!("no .py files found");
    }
    let inputs: Vec<Input> = paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).with_context(|| path.display().to_string())?;
            Ok(Input {
                sha256: hex(&Sha256::digest(&bytes)),
                path,
            })
        })
        .collect::<Result<_>>()?;
    eprintln!(
        "parity {version}: {} files, oracle cache {}",
        inputs.len(),
        cache_dir.display()
    );

    let pyxray_run = PyxrayRun {
        binary: &pyxray,
        version,
        batch,
        per_file: Duration::from_secs(args.timeout.max(1)),
    };
    // The oracle's documents go to the cache first; then pyxray runs batch by batch and each file
    // is compared with its cached document and dropped, so memory stays bounded by one batch
    // (whole site-packages trees hold files whose documents take gigabytes once parsed).
    let oracle_status = oracle_documents(&oracle, version, &inputs, &cache_dir, batch, args.jobs);
    let mut results: Vec<FileResult> = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(batch) {
        for (input, ours) in chunk.iter().zip(pyxray_run.documents(chunk)) {
            let outcome = match oracle_status.get(&input.sha256) {
                Some(Err(reason)) => FileOutcome::NoOracle(reason.clone()),
                None => FileOutcome::NoOracle("not run".to_string()),
                Some(Ok(())) => match (read_cache(&cache_dir, &input.sha256), ours) {
                    (Some(Err(reason)), _) => FileOutcome::NoOracle(reason),
                    (None, _) => FileOutcome::NoOracle("oracle cache unreadable".to_string()),
                    (Some(Ok(_)), Err(reason)) => FileOutcome::PyxrayError(reason),
                    (Some(Ok(theirs)), Ok(ours)) => FileOutcome::Compared(compare::compare_file(&theirs, &ours)),
                },
            };
            results.push(FileResult { path: input.path.clone(), sha256: input.sha256.clone(), outcome });
        }
    }

    let elapsed = started.elapsed();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    report::write_text(&mut out, &results, args.show, version, elapsed)?;
    out.flush()?;
    if let Some(path) = &args.json_report {
        let json = report::to_json(&results, version, elapsed);
        let text = serde_json::to_string_pretty(&json)?;
        std::fs::write(path, text + "\n").with_context(|| path.display().to_string())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(0)
}

fn locate_pyxray(explicit: Option<&Path>) -> Result<PathBuf> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| crate::workspace_root().join("target"));
            target.join("release/pyxray")
        }
    };
    if !path.is_file() {
        bail!(
            "pyxray binary not found at {} (build it with `cargo build --release -p pyxray` or pass --pyxray)",
            path.display()
        );
    }
    Ok(path)
}

fn cache_dir(explicit: Option<&Path>, version: &str) -> Result<PathBuf> {
    let root = match explicit {
        Some(dir) => dir.to_path_buf(),
        None => {
            let home = std::env::var_os("HOME").context("HOME is not set; pass --oracle-cache")?;
            PathBuf::from(home).join(".cache/pyxray/oracle")
        }
    };
    let dir = root.join(version);
    std::fs::create_dir_all(&dir).with_context(|| dir.display().to_string())?;
    Ok(dir)
}

/// Lower-case hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// True for paths `--exclude-tests` skips: inside a `test`, `tests` or `idle_test` directory,
/// or named `test_*.py`.
pub fn is_test_path(path: &Path) -> bool {
    let mut components: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let name = components.pop().unwrap_or_default();
    name.starts_with("test_")
        || components
            .iter()
            .any(|c| c == "test" || c == "tests" || c == "idle_test")
}

/// Every `.py` file under `paths` (files are taken as given), sorted and de-duplicated.
pub fn collect_python_files(paths: &[PathBuf], exclude_tests: bool) -> Result<Vec<PathBuf>> {
    let mut found = BTreeSet::new();
    for path in paths {
        if path.is_dir() {
            walk(path, path, exclude_tests, &mut found)?;
        } else if path.is_file() {
            found.insert(path.clone());
        } else {
            bail!("{}: no such file or directory", path.display());
        }
    }
    Ok(found.into_iter().collect())
}

fn walk(root: &Path, dir: &Path, exclude_tests: bool, found: &mut BTreeSet<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let path = entry?.path();
        // Only the part below the requested root decides whether a path is a test.
        let relative = path.strip_prefix(root).unwrap_or(&path);
        if exclude_tests && is_test_path(relative) {
            continue;
        }
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "__pycache__") {
                continue;
            }
            walk(root, &path, exclude_tests, found)?;
        } else if path.extension().is_some_and(|e| e == "py") {
            found.insert(path);
        }
    }
    Ok(())
}

/// Runs the oracle on every distinct content hash in `inputs` that is not cached yet, caching
/// each document; returns, per hash, whether a document is cached (or why there is none).
fn oracle_documents(
    oracle: &Oracle,
    version: &str,
    inputs: &[Input],
    cache_dir: &Path,
    batch: usize,
    jobs: usize,
) -> HashMap<String, Result<(), String>> {
    let mut results = HashMap::new();
    let mut todo: Vec<(String, PathBuf)> = Vec::new();
    let mut seen = HashSet::new();
    for input in inputs {
        if !seen.insert(input.sha256.clone()) {
            continue;
        }
        match cache_status(cache_dir, &input.sha256) {
            Some(status) => {
                results.insert(input.sha256.clone(), status);
            }
            None => todo.push((input.sha256.clone(), absolute(&input.path))),
        }
    }
    if todo.is_empty() {
        return results;
    }
    eprintln!(
        "oracle {version}: {} cached, {} to run",
        results.len(),
        todo.len()
    );
    let total = todo.len();
    let queue: Mutex<VecDeque<Vec<(String, PathBuf)>>> =
        Mutex::new(todo.chunks(batch).map(<[_]>::to_vec).collect());
    let done = AtomicUsize::new(0);
    let collected: Mutex<Vec<(String, Result<(), String>)>> = Mutex::new(Vec::new());
    let (queue, done, collected) = (&queue, &done, &collected);
    thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            // `pop` takes the lock only for the pop itself, never during an oracle call.
            let pop = || queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
            scope.spawn(move || {
                while let Some(items) = pop() {
                    let outcome = run_oracle_batch(oracle, version, &items);
                    for (sha, result) in &outcome {
                        write_cache(cache_dir, sha, result);
                    }
                    let finished = done.fetch_add(items.len(), Ordering::Relaxed) + items.len();
                    eprintln!("oracle {version}: {finished}/{total}");
                    if let Ok(mut all) = collected.lock() {
                        all.extend(outcome.into_iter().map(|(sha, result)| (sha, result.map(|_| ()))));
                    }
                }
            });
        }
    });
    results.extend(
        collected
            .lock()
            .map(|mut all| std::mem::take(&mut *all))
            .unwrap_or_default(),
    );
    results
}

/// Runs one oracle batch; on failure splits it in halves until each failure is a single file.
fn run_oracle_batch(
    oracle: &Oracle,
    version: &str,
    items: &[(String, PathBuf)],
) -> Vec<(String, Result<Value, String>)> {
    let files: Vec<PathBuf> = items.iter().map(|(_, p)| p.clone()).collect();
    let attempt = oracle.json_docs(version, None, &files).and_then(|docs| {
        docs.iter()
            .map(|d| serde_json::from_str::<Value>(d).map_err(anyhow::Error::from))
            .collect::<Result<Vec<_>>>()
    });
    match attempt {
        Ok(docs) => items
            .iter()
            .map(|(sha, _)| sha.clone())
            .zip(docs.into_iter().map(Ok))
            .collect(),
        Err(error) if items.len() == 1 => {
            vec![(items[0].0.clone(), Err(one_line(&format!("{error:#}"))))]
        }
        Err(_) => {
            let (left, right) = items.split_at(items.len() / 2);
            let mut out = run_oracle_batch(oracle, version, left);
            out.extend(run_oracle_batch(oracle, version, right));
            out
        }
    }
}

fn read_cache(dir: &Path, sha: &str) -> Option<Result<Value, String>> {
    if let Ok(text) = std::fs::read_to_string(dir.join(format!("{sha}.json"))) {
        if let Ok(value) = serde_json::from_str(&text) {
            return Some(Ok(value));
        }
    }
    std::fs::read_to_string(dir.join(format!("{sha}.fail")))
        .ok()
        .map(|reason| Err(reason.trim().to_string()))
}

/// Whether the cache holds a document for `sha` (`Ok`), a recorded failure (`Err`), or nothing.
fn cache_status(dir: &Path, sha: &str) -> Option<Result<(), String>> {
    if dir.join(format!("{sha}.json")).is_file() {
        return Some(Ok(()));
    }
    std::fs::read_to_string(dir.join(format!("{sha}.fail")))
        .ok()
        .map(|reason| Err(reason.trim().to_string()))
}

/// Caches a result; failures are cached too (the oracle is pinned, so they would recur).
fn write_cache(dir: &Path, sha: &str, result: &Result<Value, String>) {
    let (name, text) = match result {
        Ok(doc) => (
            format!("{sha}.json"),
            serde_json::to_string(doc).unwrap_or_default(),
        ),
        Err(reason) => (format!("{sha}.fail"), format!("{reason}\n")),
    };
    // Write then rename, so an interrupted run never leaves a truncated cache entry.
    let tmp = dir.join(format!("{name}.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, dir.join(name));
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = line.chars().take(300).collect();
    short
}

/// How pyxray is called.
struct PyxrayRun<'a> {
    binary: &'a Path,
    version: &'a str,
    batch: usize,
    per_file: Duration,
}

impl PyxrayRun<'_> {
    /// pyxray's document (or the error) for each input, in order.
    fn documents(&self, inputs: &[Input]) -> Vec<Result<Value, String>> {
        let files: Vec<PathBuf> = inputs.iter().map(|i| absolute(&i.path)).collect();
        let mut out = Vec::with_capacity(files.len());
        for chunk in files.chunks(self.batch) {
            out.extend(self.run_batch(chunk));
        }
        out
    }

    fn run_batch(&self, files: &[PathBuf]) -> Vec<Result<Value, String>> {
        match self.try_batch(files) {
            Ok(docs) => docs.into_iter().map(Ok).collect(),
            Err(reason) if files.len() == 1 => vec![Err(reason)],
            Err(_) => {
                let (left, right) = files.split_at(files.len() / 2);
                let mut out = self.run_batch(left);
                out.extend(self.run_batch(right));
                out
            }
        }
    }

    fn try_batch(&self, files: &[PathBuf]) -> Result<Vec<Value>, String> {
        let mut args: Vec<String> = ["dis", "--format", "json", "--python", self.version]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
        let timeout = self.per_file + Duration::from_secs(files.len() as u64);
        let finished = process::run(self.binary, &args, None, Some(timeout))
            .map_err(|e| format!("cannot run pyxray: {e}"))?;
        if finished.timed_out {
            return Err(finished.failure_reason(Some(timeout)));
        }
        // A non-zero exit is fine as long as the JSON is complete (e.g. files with syntax errors).
        let parsed: Result<Value, _> = serde_json::from_slice(&finished.stdout);
        match parsed {
            Ok(Value::Array(docs)) if docs.len() == files.len() => Ok(docs),
            Ok(Value::Array(docs)) => Err(format!(
                "{} documents for {} files",
                docs.len(),
                files.len()
            )),
            Ok(_) => Err("output is not a JSON array".to_string()),
            Err(_) if !finished.success() => Err(one_line(&finished.failure_reason(None))),
            Err(error) => Err(format!("invalid JSON output: {error}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_paths() {
        for path in [
            "test/test_x.py",
            "a/tests/b.py",
            "idlelib/idle_test/x.py",
            "pkg/test_io.py",
            "test_a.py",
        ] {
            assert!(is_test_path(Path::new(path)), "{path}");
        }
        for path in [
            "json/decoder.py",
            "unittest/case.py",
            "testing.py",
            "contest/x.py",
            "pkg/mytest_x.py",
        ] {
            assert!(!is_test_path(Path::new(path)), "{path}");
        }
    }

    #[test]
    fn collects_fixtures_recursively() {
        let root = crate::workspace_root().join("fixtures");
        let files = collect_python_files(std::slice::from_ref(&root), false).unwrap();
        assert!(files.iter().any(|f| f.ends_with("compiler/classes.py")));
        assert!(files
            .iter()
            .all(|f| f.extension().is_some_and(|e| e == "py")));
        let mut sorted = files.clone();
        sorted.sort();
        assert_eq!(files, sorted);
    }

    #[test]
    fn sha256_hex() {
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
