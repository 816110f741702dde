//! Which CPython the user runs, for `pythonVersion: "auto"`: read from the workspace's files —
//! the nearest virtual environment's `pyvenv.cfg`, a `.python-version`, `requires-python` in
//! `pyproject.toml` — never by running an interpreter found there. Asking the `python3` on the
//! server's own PATH is a separate, opt-in step.

use pyxray_bytecode::PythonVersion;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A detected version and where it came from (shown to the user).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detected {
    pub version: PythonVersion,
    /// "pyvenv.cfg of .venv (3.12.1)", "/repo/.python-version (3.11)", …
    pub source: String,
    /// Set when the file named a version pyxray does not support and the nearest one is used.
    pub note: Option<String>,
}

/// The directories from `start` up to `root` (or the filesystem root), nearest first.
fn ancestors(start: &Path, root: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in start.ancestors() {
        out.push(dir.to_path_buf());
        if root.is_some_and(|r| dir == r) {
            break;
        }
    }
    out
}

/// Detects the version for code in `start` (a directory), looking no higher than `root`.
pub fn detect(start: &Path, root: Option<&Path>) -> Option<Detected> {
    let dirs = ancestors(start, root);
    for dir in &dirs {
        for venv in [".venv", "venv"] {
            let cfg = dir.join(venv).join("pyvenv.cfg");
            if let Some(v) = read(&cfg).and_then(|t| pyvenv_version(&t)) {
                let source = format!("{} ({})", cfg.display(), v.0);
                return Some(found(v, source));
            }
        }
    }
    for dir in &dirs {
        let file = dir.join(".python-version");
        if let Some(v) = read(&file).and_then(|t| python_version_file(&t)) {
            let source = format!("{} ({})", file.display(), v.0);
            return Some(found(v, source));
        }
    }
    for dir in &dirs {
        let file = dir.join("pyproject.toml");
        if let Some((spec, minor)) = read(&file).and_then(|t| requires_python(&t)) {
            let v = (format!("3.{minor}"), minor);
            return Some(found(v, format!("requires-python = \"{spec}\" in {}", file.display())));
        }
    }
    None
}

/// Asks the `python3` on the server's own PATH for its version (opt-in only; never anything
/// from the workspace). Gives up after two seconds.
pub fn detect_from_path() -> Option<Detected> {
    let mut child = std::process::Command::new("python3")
        .args(["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                return None;
            }
        }
    }
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let minor = minor_of(&text)?;
    Some(found((text.clone(), minor), format!("python3 on PATH ({text})")))
}

fn read(path: &Path) -> Option<String> {
    // Configuration files are small; refuse anything that is not.
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// A detected `(text, minor)`, mapped to a supported version (the nearest one, with a note).
fn found(v: (String, u32), source: String) -> Detected {
    let (text, minor) = v;
    match PythonVersion::from_minor(minor) {
        Some(version) => Detected { version, source, note: None },
        None => {
            let nearest = if minor < 11 { PythonVersion::V3_11 } else { PythonVersion::V3_14 };
            let note = format!("Python {text} is not supported by pyxray; using the nearest supported version, {nearest}");
            Detected { version: nearest, source, note: Some(note) }
        }
    }
}

/// The minor version in "3.12", "3.12.1", "3.12.1.final.0".
fn minor_of(text: &str) -> Option<u32> {
    let mut parts = text.trim().split('.');
    (parts.next()? == "3").then_some(())?;
    parts.next()?.trim().parse().ok()
}

/// `version = 3.12.1` (or `version_info = 3.12.1.final.0`) in a `pyvenv.cfg`.
fn pyvenv_version(text: &str) -> Option<(String, u32)> {
    for key in ["version", "version_info"] {
        for line in text.lines() {
            let Some((k, v)) = line.split_once('=') else { continue };
            if k.trim() == key {
                let v = v.trim();
                if let Some(minor) = minor_of(v) {
                    return Some((v.to_string(), minor));
                }
            }
        }
    }
    None
}

/// The first CPython version in a `.python-version` file ("3.12", "3.12.1"; "pypy3.10" and
/// "system" are not CPython versions).
fn python_version_file(text: &str) -> Option<(String, u32)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .find_map(|l| minor_of(l).map(|m| (l.to_string(), m)))
}

/// `requires-python` in the `[project]` table, and the lowest 3.x minor it allows.
fn requires_python(text: &str) -> Option<(String, u32)> {
    let mut in_project = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_project = t == "[project]";
            continue;
        }
        if !in_project {
            continue;
        }
        let Some((k, v)) = t.split_once('=') else { continue };
        if k.trim() != "requires-python" {
            continue;
        }
        let spec = v.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
        return lowest_minor(&spec).map(|m| (spec, m));
    }
    None
}

/// The lowest Python 3 minor a specifier set allows (the highest of its lower bounds).
fn lowest_minor(spec: &str) -> Option<u32> {
    let mut lowest: Option<u32> = None;
    for clause in spec.split(',').map(str::trim) {
        let (op, version) = ["~=", "==", ">=", ">", "<=", "<", "!="]
            .iter()
            .find_map(|op| clause.strip_prefix(op).map(|v| (*op, v.trim())))?;
        let parts: Vec<&str> = version.trim_end_matches(".*").split('.').collect();
        if parts.first() != Some(&"3") {
            continue;
        }
        let minor: u32 = parts.get(1).and_then(|m| m.parse().ok()).unwrap_or(0);
        let bound = match op {
            ">=" | "~=" | "==" => minor,
            // `>3.9` allows 3.9.1; `>3.9.0` too; only `>3.9.*`-style exclusions push past it.
            ">" if parts.len() >= 3 => minor,
            ">" => minor + 1,
            _ => continue,
        };
        lowest = Some(lowest.map_or(bound, |l| l.max(bound)));
    }
    lowest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_in_order_of_priority() {
        let dir = std::env::temp_dir().join(format!("pyxray-detect-{}", std::process::id()));
        let sub = dir.join("pkg/mod");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.join("pyproject.toml"), "[project]\nname = 'x'\nrequires-python = \">=3.11, <4\"\n").unwrap();
        assert_eq!(detect(&sub, Some(&dir)).unwrap().version, PythonVersion::V3_11);
        std::fs::write(dir.join(".python-version"), "3.12.1\n").unwrap();
        assert_eq!(detect(&sub, Some(&dir)).unwrap().version, PythonVersion::V3_12);
        std::fs::create_dir_all(dir.join(".venv")).unwrap();
        std::fs::write(dir.join(".venv/pyvenv.cfg"), "home = /usr/bin\nversion = 3.14.2\n").unwrap();
        let d = detect(&sub, Some(&dir)).unwrap();
        assert_eq!(d.version, PythonVersion::V3_14);
        assert!(d.source.contains("pyvenv.cfg"), "{}", d.source);
        std::fs::write(dir.join(".venv/pyvenv.cfg"), "version_info = 3.10.4.final.0\n").unwrap();
        let d = detect(&sub, Some(&dir)).unwrap();
        assert_eq!(d.version, PythonVersion::V3_11);
        assert!(d.note.unwrap().contains("3.10.4.final.0 is not supported"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn requires_python_lower_bounds() {
        assert_eq!(lowest_minor(">=3.9"), Some(9));
        assert_eq!(lowest_minor(">3.10"), Some(11));
        assert_eq!(lowest_minor(">3.10.1"), Some(10));
        assert_eq!(lowest_minor("~=3.12.0"), Some(12));
        assert_eq!(lowest_minor("==3.13.*"), Some(13));
        assert_eq!(lowest_minor(">=3.8,!=3.9.*,>=3.11"), Some(11));
        assert_eq!(lowest_minor("<4"), None);
        assert_eq!(python_version_file("system\npypy3.10\n3.12\n"), Some(("3.12".into(), 12)));
    }
}
