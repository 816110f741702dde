//! Finding and reading Python files: directories are searched recursively for `*.py` and `*.pyi`
//! (skipping hidden directories, `__pycache__`, virtual environments and `node_modules`), and
//! each file is decoded the way CPython reads source (BOM, PEP 263 coding cookie, else UTF-8).

use pyxray_syntax::decode_source;
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// Directory names never searched.
const SKIPPED_DIRS: &[&str] = &["__pycache__", "venv", "node_modules"];

/// A path that could not be used, and why.
#[derive(Debug)]
pub struct FileError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// The Python files named by `paths` (files as given, directories searched), sorted and without
/// duplicates, plus the paths that could not be read.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<FileError>) {
    let mut found = BTreeSet::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut found, &mut errors),
            Ok(_) => {
                found.insert(tidy(path));
            }
            Err(e) => errors.push(FileError { path: path.clone(), message: e.to_string() }),
        }
    }
    (found.into_iter().collect(), errors)
}

/// `./a/b.py` → `a/b.py`, as the user would write it.
fn tidy(path: &Path) -> PathBuf {
    let tidy: PathBuf = path.components().skip_while(|c| matches!(c, std::path::Component::CurDir)).collect();
    if tidy.as_os_str().is_empty() {
        path.to_path_buf()
    } else {
        tidy
    }
}

fn walk(dir: &Path, found: &mut BTreeSet<PathBuf>, errors: &mut Vec<FileError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(FileError { path: dir.to_path_buf(), message: e.to_string() });
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                errors.push(FileError { path: dir.to_path_buf(), message: e.to_string() });
                continue;
            }
        };
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        // `file_type` does not follow symlinks, so a symlinked directory (possibly a cycle) is
        // not entered; a symlinked file is still read.
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_str()) {
                walk(&path, found, errors);
            }
        } else if (name.ends_with(".py") || name.ends_with(".pyi")) && path.is_file() {
            found.insert(tidy(&path));
        }
    }
}

/// Reads and decodes one source file.
pub fn read_source(path: &Path) -> Result<String, FileError> {
    let bytes = std::fs::read(path)
        .map_err(|e| FileError { path: path.to_path_buf(), message: format!("cannot read: {e}") })?;
    decode_source(&bytes).map(|d| d.text).map_err(|e| FileError {
        path: path.to_path_buf(),
        message: format!("cannot decode (line {}): {}", e.line, e.message),
    })
}
