//! The CPython versions pyxray compiles for, and parsing of version strings.

use std::fmt;
use std::str::FromStr;

/// A CPython minor version. Each is pinned to one reference patch release (see `reference`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PythonVersion {
    V3_11,
    V3_12,
    V3_13,
    V3_14,
}

impl PythonVersion {
    pub const ALL: [PythonVersion; 4] =
        [PythonVersion::V3_11, PythonVersion::V3_12, PythonVersion::V3_13, PythonVersion::V3_14];

    /// The version used when nothing else says which one the user runs.
    pub const DEFAULT: PythonVersion = PythonVersion::V3_13;

    pub fn minor(self) -> u32 {
        match self {
            PythonVersion::V3_11 => 11,
            PythonVersion::V3_12 => 12,
            PythonVersion::V3_13 => 13,
            PythonVersion::V3_14 => 14,
        }
    }

    pub fn from_minor(minor: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.minor() == minor)
    }

    /// The patch release whose output pyxray reproduces.
    pub fn reference(self) -> &'static str {
        match self {
            PythonVersion::V3_11 => "3.11.7",
            PythonVersion::V3_12 => "3.12.7",
            PythonVersion::V3_13 => "3.13.2",
            PythonVersion::V3_14 => "3.14.2",
        }
    }

    /// `"3.13"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PythonVersion::V3_11 => "3.11",
            PythonVersion::V3_12 => "3.12",
            PythonVersion::V3_13 => "3.13",
            PythonVersion::V3_14 => "3.14",
        }
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a version string was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionError {
    /// Not of the form `3.N` (or `3.N.P`).
    Malformed(String),
    /// A well-formed version pyxray does not support; `nearest` is the closest supported one.
    Unsupported { requested: String, nearest: PythonVersion },
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionError::Malformed(s) => {
                write!(f, "'{s}' is not a Python version (expected one of 3.11, 3.12, 3.13, 3.14)")
            }
            VersionError::Unsupported { requested, nearest } => write!(
                f,
                "Python {requested} is not supported (pyxray supports 3.11, 3.12, 3.13 and 3.14); the nearest supported version is {nearest}"
            ),
        }
    }
}

impl std::error::Error for VersionError {}

impl FromStr for PythonVersion {
    type Err = VersionError;

    /// Accepts `3.13`, `3.13.2`, `313`, `py313` and `cp313`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let digits = t.trim_start_matches("cp").trim_start_matches("py");
        let (major, minor) = if let Some((major, rest)) = digits.split_once('.') {
            let minor = rest.split('.').next().unwrap_or("");
            (major.parse::<u32>().ok(), minor.parse::<u32>().ok())
        } else if digits.len() >= 2 && digits.bytes().all(|b| b.is_ascii_digit()) {
            (digits[..1].parse().ok(), digits[1..].parse().ok())
        } else {
            (None, None)
        };
        match (major, minor) {
            (Some(3), Some(minor)) => PythonVersion::from_minor(minor).ok_or_else(|| VersionError::Unsupported {
                requested: format!("3.{minor}"),
                nearest: if minor < 11 { PythonVersion::V3_11 } else { PythonVersion::V3_14 },
            }),
            (Some(major), Some(minor)) => Err(VersionError::Unsupported {
                requested: format!("{major}.{minor}"),
                nearest: if major < 3 { PythonVersion::V3_11 } else { PythonVersion::V3_14 },
            }),
            _ => Err(VersionError::Malformed(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        assert_eq!("3.13".parse(), Ok(PythonVersion::V3_13));
        assert_eq!("3.12.7".parse(), Ok(PythonVersion::V3_12));
        assert_eq!("cp311".parse(), Ok(PythonVersion::V3_11));
        assert!(matches!("3.10".parse::<PythonVersion>(), Err(VersionError::Unsupported { nearest: PythonVersion::V3_11, .. })));
        assert!(matches!("3.15".parse::<PythonVersion>(), Err(VersionError::Unsupported { nearest: PythonVersion::V3_14, .. })));
        assert!(matches!("latest".parse::<PythonVersion>(), Err(VersionError::Malformed(_))));
    }
}
