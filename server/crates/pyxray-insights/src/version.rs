//! Which CPython an analysis reproduces. A version is asked for by a setting (or `--python`), by a
//! file next to the code (see `detect`), or by nobody (the default); pyxray then uses the nearest
//! version its compiler reproduces (`pyxray_compiler::SUPPORTED`, never a list written here) and,
//! when that is not the one asked for, says which one was asked for, where, and why another is used.

use pyxray_bytecode::PythonVersion;
use pyxray_compiler::SUPPORTED;

/// Where the version asked for came from, shown to the user next to the version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionSource {
    /// Nothing said otherwise.
    Default,
    /// The user's setting or command-line flag.
    Setting,
    /// Found outside the settings: a file ("/repo/.venv/pyvenv.cfg") or an interpreter.
    Detected(String),
}

/// A Python version as written in a setting or a file: "3.12", "3.12.1", "2.7", "cp312".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requested {
    /// The text as written (trimmed), for messages.
    pub text: String,
    pub major: u32,
    pub minor: u32,
}

impl Requested {
    /// Reads `M.m` followed by anything that does not start with a digit ("3.12", "3.12.1",
    /// "3.12.1.final.0", "3.13.0rc1", "3.13t", "2.7"), or the digits-only forms "312", "py312" and
    /// "cp312". Anything else ("system", "pypy3.10", "latest") is not a CPython version: `None`.
    pub fn parse(text: &str) -> Option<Requested> {
        let text = text.trim();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let compact = text.strip_prefix("cp").or_else(|| text.strip_prefix("py")).unwrap_or(text);
        let (major, minor) = if digits(compact) && (2..=4).contains(&compact.len()) {
            (compact[..1].parse().ok()?, compact[1..].parse().ok()?)
        } else {
            let (major, rest) = text.split_once('.')?;
            let end = rest.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(rest.len());
            if !digits(major) || end == 0 || major.len() > 2 || end > 3 {
                return None;
            }
            (major.parse().ok()?, rest[..end].parse().ok()?)
        };
        Some(Requested { text: text.to_string(), major, minor })
    }

    /// The request for a version pyxray knows, e.g. the default.
    pub fn of(version: PythonVersion) -> Requested {
        Requested { text: version.as_str().to_string(), major: 3, minor: version.minor() }
    }

    /// The version pyxray knows by this number (3.11 to 3.14), if any.
    pub fn known(&self) -> Option<PythonVersion> {
        if self.major == 3 {
            PythonVersion::from_minor(self.minor)
        } else {
            None
        }
    }
}

/// Why the version in use is not the one asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// pyxray knows the version (3.11 to 3.14) but its compiler does not reproduce it yet.
    NotCompiledYet,
    /// Not a version pyxray supports at all (3.10, 3.15, 2.7): worth a warning.
    Unsupported,
}

/// Where the version in use came from: who asked for which version, and why another one is used
/// when it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionOrigin {
    pub source: VersionSource,
    /// The version as asked for ("3.12.1"), `None` for the default.
    pub requested: Option<String>,
    pub fallback: Option<Fallback>,
}

impl Default for VersionOrigin {
    fn default() -> Self {
        VersionOrigin { source: VersionSource::Default, requested: None, fallback: None }
    }
}

/// The version to compile for when `requested` was asked for by `source` (`None`: nobody asked,
/// so the default), and where it came from.
pub fn choose(requested: Option<&Requested>, source: VersionSource) -> (PythonVersion, VersionOrigin) {
    let default = Requested::of(PythonVersion::DEFAULT);
    let wanted = requested.unwrap_or(&default);
    let used = nearest_supported(wanted.major, wanted.minor);
    let fallback = match wanted.known() {
        Some(v) if v == used => None,
        Some(_) => Some(Fallback::NotCompiledYet),
        None => Some(Fallback::Unsupported),
    };
    (used, VersionOrigin { source, requested: requested.map(|r| r.text.clone()), fallback })
}

/// The version the compiler reproduces that is closest to `major.minor` (the newer on a tie).
pub fn nearest_supported(major: u32, minor: u32) -> PythonVersion {
    let key = |major: u32, minor: u32| i64::from(major) * 100 + i64::from(minor);
    let wanted = key(major, minor);
    SUPPORTED
        .iter()
        .copied()
        .min_by_key(|v| ((key(3, v.minor()) - wanted).abs(), std::cmp::Reverse(v.minor())))
        .unwrap_or(PythonVersion::DEFAULT)
}

/// "3.11", "3.11 and 3.13", "3.11, 3.12 and 3.13".
fn supported_list() -> String {
    let names: Vec<&str> = SUPPORTED.iter().map(|v| v.as_str()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

impl VersionOrigin {
    /// Who asked, in words: "the default", "as set", "from /repo/.venv/pyvenv.cfg (3.12.1)".
    pub fn describe_source(&self) -> String {
        match (&self.source, &self.requested) {
            (VersionSource::Default, _) => "the default".to_string(),
            (VersionSource::Setting, _) => "as set".to_string(),
            (VersionSource::Detected(from), Some(text)) => format!("from {from} ({text})"),
            (VersionSource::Detected(from), None) => format!("from {from}"),
        }
    }

    /// What the user should know when `python` is not what was asked for: which version was asked
    /// for, where, and why `python` is used instead; `None` when it is the one asked for.
    pub fn note(&self, python: PythonVersion) -> Option<String> {
        let requested = self.requested.clone().unwrap_or_else(|| PythonVersion::DEFAULT.to_string());
        let source = self.describe_source();
        match self.fallback? {
            Fallback::NotCompiledYet => {
                Some(format!("CPython {requested} requested ({source}); pyxray compiles {python} for now"))
            }
            Fallback::Unsupported => Some(format!(
                "Python {requested} ({source}) is not supported by pyxray (it compiles {}); using the nearest \
                 supported version, {python}",
                supported_list()
            )),
        }
    }

    /// The warning to show once for a version pyxray does not support at all.
    pub fn warning(&self, python: PythonVersion) -> Option<String> {
        match self.fallback {
            Some(Fallback::Unsupported) => self.note(python).map(|n| format!("pyxray: {n}")),
            _ => None,
        }
    }

    /// The line that ends every hover: "CPython 3.12 — from /repo/.venv/pyvenv.cfg (3.12.1)".
    pub fn describe(&self, python: PythonVersion) -> String {
        match self.note(python) {
            Some(note) => format!("CPython {python} — {note}"),
            None if self.source == VersionSource::Default => {
                format!("CPython {python} — the default (no .venv, .python-version or requires-python names a version)")
            }
            None => format!("CPython {python} — {}", self.describe_source()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(text: &str) -> Requested {
        Requested::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn versions_are_read_as_written() {
        for (text, major, minor) in [
            ("3.12", 3, 12),
            (" 3.12.1\n", 3, 12),
            ("3.12.1.final.0", 3, 12),
            ("3.13.0rc1", 3, 13),
            ("3.13t", 3, 13),
            ("3.14-dev", 3, 14),
            ("2.7.18", 2, 7),
            ("312", 3, 12),
            ("cp311", 3, 11),
            ("py313", 3, 13),
            ("3.10", 3, 10),
        ] {
            let r = req(text);
            assert_eq!((r.major, r.minor), (major, minor), "{text}");
            assert_eq!(r.text, text.trim());
        }
        for text in ["", "system", "pypy3.10", "latest", "3", "3.", "3.x", "miniconda3-4.7", "banana.12", "3.12345"] {
            assert_eq!(Requested::parse(text), None, "{text:?}");
        }
    }

    /// The expectations follow `SUPPORTED`, so they hold as versions are added to the compiler.
    #[test]
    fn the_nearest_compiled_version_is_used_and_said_so() {
        let lowest = *SUPPORTED.iter().min().unwrap();
        let highest = *SUPPORTED.iter().max().unwrap();
        for text in ["3.10", "2.7", "3.9.18"] {
            let (used, origin) = choose(Some(&req(text)), VersionSource::Setting);
            assert_eq!(used, lowest, "{text}");
            assert_eq!(origin.fallback, Some(Fallback::Unsupported));
            let warning = origin.warning(used).unwrap();
            assert!(warning.contains(&format!("Python {text} (as set) is not supported")), "{warning}");
            assert!(warning.ends_with(&format!("using the nearest supported version, {lowest}")), "{warning}");
        }
        let (used, origin) = choose(Some(&req("3.15")), VersionSource::Detected("/p/.python-version".into()));
        assert_eq!(used, highest);
        assert!(origin.describe(used).contains("Python 3.15 (from /p/.python-version (3.15)) is not supported"));
        for version in PythonVersion::ALL {
            let (used, origin) = choose(Some(&Requested::of(version)), VersionSource::Setting);
            assert!(SUPPORTED.contains(&used));
            if SUPPORTED.contains(&version) {
                assert_eq!((used, origin.fallback, origin.describe(used)), (version, None, format!("CPython {version} — as set")));
            } else {
                assert_eq!(origin.fallback, Some(Fallback::NotCompiledYet));
                assert_eq!(origin.warning(used), None, "a known version is said in the hover, not warned about");
                let expected = format!("CPython {used} — CPython {version} requested (as set); pyxray compiles {used} for now");
                assert_eq!(origin.describe(used), expected);
            }
        }
        let (used, origin) = choose(None, VersionSource::Default);
        assert!(SUPPORTED.contains(&used));
        assert!(origin.describe(used).contains("the default"), "{}", origin.describe(used));
    }

    #[test]
    fn detected_versions_name_their_file_and_text() {
        let v = *SUPPORTED.first().unwrap();
        let text = format!("{v}.1");
        let (used, origin) = choose(Some(&req(&text)), VersionSource::Detected("/repo/.venv/pyvenv.cfg".into()));
        assert_eq!(used, v);
        assert_eq!(origin.describe(used), format!("CPython {v} — from /repo/.venv/pyvenv.cfg ({text})"));
    }
}
