//! What the user chose: the Python version to reproduce and which diagnostics to report.

use crate::analyses::REGISTRY;
use crate::diagnostic::DiagnosticCode;
use pyxray_bytecode::PythonVersion;
use std::collections::BTreeSet;

/// Where the Python version in use came from, shown to the user next to the version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionSource {
    /// Nothing said otherwise.
    Default,
    /// The user's setting or command-line flag.
    Setting,
    /// Detected from a file (path and what it said).
    Detected(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalysisConfig {
    pub python: PythonVersion,
    pub version_source: VersionSource,
    /// Setting names (`DiagnosticCode::name`) of diagnostics switched off.
    pub disabled: BTreeSet<&'static str>,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig { python: PythonVersion::DEFAULT, version_source: VersionSource::Default, disabled: BTreeSet::new() }
    }
}

impl AnalysisConfig {
    /// "CPython 3.12 (from /repo/.venv/pyvenv.cfg (3.12.1))", for hovers and status lines.
    pub fn describe_version(&self) -> String {
        match &self.version_source {
            VersionSource::Default => format!("CPython {} (the default)", self.python),
            VersionSource::Setting => format!("CPython {} (as set)", self.python),
            VersionSource::Detected(from) => format!("CPython {} (from {from})", self.python),
        }
    }

    pub fn is_enabled(&self, code: &DiagnosticCode) -> bool {
        !self.disabled.contains(code.name)
    }

    /// Every setting name that can be switched, in registry order.
    pub fn switch_names() -> impl Iterator<Item = &'static str> {
        REGISTRY.iter().map(|c| c.name)
    }
}
