//! Which CPython the user runs, for `pythonVersion: "auto"`: read from the workspace's files —
//! the nearest virtual environment's `pyvenv.cfg`, a `.python-version`, `requires-python` in
//! `pyproject.toml` — never by running an interpreter found there. Asking the `python3` on the
//! server's own PATH is a separate, opt-in step.

use crate::version::Requested;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A version found next to the code, as written, and where (shown to the user).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detected {
    pub requested: Requested,
    /// "/repo/.venv/pyvenv.cfg", "requires-python = \">=3.11\" in /repo/pyproject.toml", …
    pub source: String,
}

/// How many directories detection looks at when no workspace root bounds it.
pub const MAX_LEVELS: usize = 10;
/// Detection gives up (finding nothing) rather than keep a request waiting longer than this, on a
/// slow or stalled file system.
pub const FILE_BUDGET: Duration = Duration::from_millis(500);
/// How long the `python3` on PATH gets to say its version.
pub const PATH_BUDGET: Duration = Duration::from_secs(2);

/// The directories from `start` up to `root` (when `root` contains `start`; otherwise up to
/// [`MAX_LEVELS`] of them), nearest first.
fn ancestors(start: &Path, root: Option<&Path>) -> Vec<PathBuf> {
    let bounded = root.filter(|r| start.starts_with(r));
    let limit = if bounded.is_some() { usize::MAX } else { MAX_LEVELS };
    let mut out = Vec::new();
    for dir in start.ancestors().take(limit) {
        out.push(dir.to_path_buf());
        if bounded.is_some_and(|r| dir == r) {
            break;
        }
    }
    out
}

/// Reads the version from a file's text, with the words that go before its path in the source.
type ReadVersion = fn(&str) -> Option<(Requested, String)>;

/// Detects the version for code in `start` (a directory), looking no higher than `root`: the
/// nearest `.venv`/`venv` `pyvenv.cfg`, else the nearest `.python-version`, else the nearest
/// `pyproject.toml` with `requires-python`. Files only: nothing found is ever run.
pub fn detect(start: &Path, root: Option<&Path>) -> Option<Detected> {
    let dirs = ancestors(start, root);
    let deadline = Instant::now() + FILE_BUDGET;
    let kinds: [(&[&str], ReadVersion); 3] = [
        (&[".venv/pyvenv.cfg", "venv/pyvenv.cfg"], |t| pyvenv_version(t).map(|r| (r, String::new()))),
        (&[".python-version"], |t| python_version_file(t).map(|r| (r, String::new()))),
        (&["pyproject.toml"], requires_python),
    ];
    for (names, read_version) in kinds {
        for dir in &dirs {
            if Instant::now() > deadline {
                return None;
            }
            for name in names {
                let file = dir.join(name);
                if let Some((requested, what)) = read(&file).and_then(|t| read_version(&t)) {
                    let source = format!("{what}{}", file.display());
                    return Some(Detected { requested, source });
                }
            }
        }
    }
    None
}

/// The `python3` the server would run: the first on `path_var` (the server's own PATH) in an
/// absolute directory that is not under any of `exclude` (the workspace), so that nothing from
/// the workspace is ever run.
pub fn python3_on_path(path_var: Option<&OsStr>, exclude: &[PathBuf]) -> Option<PathBuf> {
    std::env::split_paths(path_var?)
        .filter(|dir| dir.is_absolute() && !exclude.iter().any(|e| dir.starts_with(e)))
        .map(|dir| dir.join("python3"))
        .find(|file| is_executable(file))
}

#[cfg(unix)]
fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(file: &Path) -> bool {
    file.is_file()
}

/// Asks `python3` (see [`python3_on_path`]) for its version, in isolated mode (`-I`: no current
/// directory on `sys.path`, no `PYTHON*` variables, no user site) from the temp directory. Gives
/// up after [`PATH_BUDGET`]. Only ever called when the user opted in.
pub fn detect_from_path(python3: &Path) -> Option<Detected> {
    let mut child = std::process::Command::new(python3)
        .args(["-I", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + PATH_BUDGET;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let out = child.wait_with_output().ok()?;
    let requested = Requested::parse(String::from_utf8_lossy(&out.stdout).trim())?;
    Some(Detected { requested, source: format!("{} on PATH", python3.display()) })
}

fn read(path: &Path) -> Option<String> {
    // Configuration files are small; refuse anything that is not.
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// `version = 3.12.1` (or `version_info = 3.12.1.final.0`) in a `pyvenv.cfg`.
fn pyvenv_version(text: &str) -> Option<Requested> {
    for key in ["version", "version_info"] {
        for line in text.lines() {
            let Some((k, v)) = line.split_once('=') else { continue };
            if k.trim() == key {
                if let Some(requested) = Requested::parse(v) {
                    return Some(requested);
                }
            }
        }
    }
    None
}

/// The first CPython version in a `.python-version` file ("3.12", "3.12.1", "2.7"; "pypy3.10" and
/// "system" are not CPython versions).
fn python_version_file(text: &str) -> Option<Requested> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).find_map(Requested::parse)
}

/// `requires-python` in the `[project]` table: the lowest version it allows, and the words that
/// say where it came from.
fn requires_python(text: &str) -> Option<(Requested, String)> {
    let mut in_project = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_project = t.split('#').next().unwrap_or_default().trim() == "[project]";
            continue;
        }
        if !in_project {
            continue;
        }
        let Some((k, v)) = t.split_once('=') else { continue };
        if k.trim() != "requires-python" {
            continue;
        }
        let spec = toml_string(v)?;
        let (major, minor) = lowest_allowed(spec)?;
        let requested = Requested { text: format!("{major}.{minor}"), major, minor };
        return Some((requested, format!("requires-python = \"{spec}\" in ")));
    }
    None
}

/// The string at the start of a TOML value (`"…"` or `'…'`, comments after it ignored).
fn toml_string(value: &str) -> Option<&str> {
    let value = value.trim();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &value[1..];
    rest.find(quote).map(|end| rest[..end].trim())
}

/// The lowest version a specifier set allows (the highest of its lower bounds), as
/// `(major, minor)`.
fn lowest_allowed(spec: &str) -> Option<(u32, u32)> {
    let mut lowest: Option<(u32, u32)> = None;
    for clause in spec.split(',').map(str::trim) {
        let (op, version) = ["~=", "===", "==", ">=", ">", "<=", "<", "!="]
            .iter()
            .find_map(|op| clause.strip_prefix(op).map(|v| (*op, v.trim())))?;
        let parts: Vec<&str> = version.trim_end_matches(".*").split('.').collect();
        let Some(major) = parts.first().and_then(|m| m.parse::<u32>().ok()) else { continue };
        let minor: u32 = parts.get(1).and_then(|m| m.parse().ok()).unwrap_or(0);
        let bound = match op {
            ">=" | "~=" | "==" | "===" => (major, minor),
            // `>3.9` allows 3.9.1; `>3.9.0` too; only `>3.9.*`-style exclusions push past it.
            ">" if parts.len() >= 3 => (major, minor),
            ">" => (major, minor + 1),
            _ => continue,
        };
        lowest = Some(lowest.map_or(bound, |l| l.max(bound)));
    }
    lowest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(d: Option<Detected>) -> (u32, u32) {
        let d = d.expect("a version");
        (d.requested.major, d.requested.minor)
    }

    #[test]
    fn files_are_read_in_order_of_priority() {
        let dir = std::env::temp_dir().join(format!("pyxray-detect-{}", std::process::id()));
        let sub = dir.join("pkg/mod");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(detect(&sub, Some(&dir)), None);
        std::fs::write(dir.join("pyproject.toml"), "[project]\nname = 'x'\nrequires-python = \">=3.11, <4\"  # ok\n").unwrap();
        let d = detect(&sub, Some(&dir)).unwrap();
        assert_eq!(d.requested.text, "3.11");
        assert_eq!(d.source, format!("requires-python = \">=3.11, <4\" in {}", dir.join("pyproject.toml").display()));
        std::fs::write(dir.join(".python-version"), "3.12.1\n").unwrap();
        assert_eq!(version(detect(&sub, Some(&dir))), (3, 12));
        std::fs::create_dir_all(dir.join(".venv")).unwrap();
        std::fs::write(dir.join(".venv/pyvenv.cfg"), "home = /usr/bin\nversion = 3.14.2\n").unwrap();
        let d = detect(&sub, Some(&dir)).unwrap();
        assert_eq!((d.requested.text.as_str(), d.source.clone()), ("3.14.2", dir.join(".venv/pyvenv.cfg").display().to_string()));
        std::fs::write(dir.join(".venv/pyvenv.cfg"), "version_info = 3.10.4.final.0\n").unwrap();
        assert_eq!(detect(&sub, Some(&dir)).unwrap().requested.text, "3.10.4.final.0");
        // A nearer file of a lower priority does not beat a farther one of a higher priority.
        std::fs::write(sub.join(".python-version"), "3.11\n").unwrap();
        assert_eq!(version(detect(&sub, Some(&dir))), (3, 10));
        // The root bounds the search: from `pkg`, `dir` is above the root.
        std::fs::remove_file(sub.join(".python-version")).unwrap();
        assert_eq!(detect(&sub, Some(&dir.join("pkg"))), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn without_a_root_only_a_few_levels_are_searched() {
        let deep: PathBuf = (0..MAX_LEVELS + 5).map(|i| format!("d{i}")).collect();
        assert_eq!(ancestors(&Path::new("/x").join(&deep), None).len(), MAX_LEVELS);
        assert_eq!(ancestors(Path::new("/a/b/c"), Some(Path::new("/a"))).len(), 3);
        // A root that does not contain the start does not bound anything.
        assert_eq!(ancestors(Path::new("/a/b/c"), Some(Path::new("/z"))).len(), 4);
    }

    #[test]
    fn requires_python_lower_bounds() {
        assert_eq!(lowest_allowed(">=3.9"), Some((3, 9)));
        assert_eq!(lowest_allowed(">3.10"), Some((3, 11)));
        assert_eq!(lowest_allowed(">3.10.1"), Some((3, 10)));
        assert_eq!(lowest_allowed("~=3.12.0"), Some((3, 12)));
        assert_eq!(lowest_allowed("==3.13.*"), Some((3, 13)));
        assert_eq!(lowest_allowed(">=3.8,!=3.9.*,>=3.11"), Some((3, 11)));
        assert_eq!(lowest_allowed(">=2.7, !=3.0.*"), Some((2, 7)));
        assert_eq!(lowest_allowed("<4"), None);
        assert_eq!(toml_string(" '>=3.12' # why"), Some(">=3.12"));
        assert_eq!(toml_string(" >=3.12"), None);
        let r = requires_python("[project]  # meta\nrequires-python = \">= 3.12\"\n").unwrap();
        assert_eq!((r.0.text.as_str(), r.1.as_str()), ("3.12", "requires-python = \">= 3.12\" in "));
        assert_eq!(requires_python("[tool.x]\nrequires-python = \">=3.12\"\n"), None);
    }

    #[test]
    fn version_files_skip_what_is_not_cpython() {
        assert_eq!(python_version_file("system\npypy3.10\n3.12\n").map(|r| r.text), Some("3.12".into()));
        assert_eq!(python_version_file("# pinned\n2.7.18\n").map(|r| (r.major, r.minor)), Some((2, 7)));
        assert_eq!(pyvenv_version("home = /x\nversion = banana\nversion_info = 3.13.1.final.0\n").map(|r| r.minor), Some(13));
    }

    #[test]
    fn only_an_absolute_python3_outside_the_workspace_is_found() {
        let dir = std::env::temp_dir().join(format!("pyxray-path-{}", std::process::id()));
        let (ws, tools) = (dir.join("ws"), dir.join("tools"));
        for d in [&ws, &tools] {
            std::fs::create_dir_all(d).unwrap();
            std::fs::write(d.join("python3"), "#!/bin/sh\necho 3.12.4\n").unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(d.join("python3"), std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        let path = std::env::join_paths([PathBuf::from("relative"), ws.clone(), tools.clone()]).unwrap();
        let found = python3_on_path(Some(&path), std::slice::from_ref(&ws));
        assert_eq!(found, Some(tools.join("python3")));
        assert_eq!(python3_on_path(Some(&path), std::slice::from_ref(&dir)), None);
        let d = detect_from_path(&tools.join("python3")).unwrap();
        assert_eq!((d.requested.text.as_str(), d.source), ("3.12.4", format!("{} on PATH", tools.join("python3").display())));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
