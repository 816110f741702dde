//! What the user chose: the Python version to reproduce and which diagnostics to report.

use crate::analyses::REGISTRY;
use crate::diagnostic::DiagnosticCode;
use crate::version::{choose, Requested, VersionOrigin, VersionSource};
use pyxray_bytecode::PythonVersion;
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalysisConfig {
    /// The version reproduced. Set through [`AnalysisConfig::set_version`] it is always one the
    /// compiler supports; set directly, an unsupported one compiles nothing and says why.
    pub python: PythonVersion,
    /// Who asked for which version, and why `python` differs from it when it does.
    pub version_origin: VersionOrigin,
    /// Setting names (`DiagnosticCode::name`) of diagnostics switched off.
    pub disabled: BTreeSet<&'static str>,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig { python: PythonVersion::DEFAULT, version_origin: VersionOrigin::default(), disabled: BTreeSet::new() }
    }
}

impl AnalysisConfig {
    /// Uses the version nearest to `requested` that the compiler reproduces (`None`: the
    /// default), remembering who asked for what.
    pub fn set_version(&mut self, requested: Option<&Requested>, source: VersionSource) {
        (self.python, self.version_origin) = choose(requested, source);
    }

    /// "CPython 3.12 — from /repo/.venv/pyvenv.cfg (3.12.1)", for hovers and status lines.
    pub fn describe_version(&self) -> String {
        self.version_origin.describe(self.python)
    }

    /// Why the version in use is not the one asked for, if it is not.
    pub fn version_note(&self) -> Option<String> {
        self.version_origin.note(self.python)
    }

    /// A warning to show once when the version asked for is not one pyxray supports at all.
    pub fn version_warning(&self) -> Option<String> {
        self.version_origin.warning(self.python)
    }

    pub fn is_enabled(&self, code: &DiagnosticCode) -> bool {
        !self.disabled.contains(code.name)
    }

    /// Every setting name that can be switched, in registry order.
    pub fn switch_names() -> impl Iterator<Item = &'static str> {
        REGISTRY.iter().map(|c| c.name)
    }
}
