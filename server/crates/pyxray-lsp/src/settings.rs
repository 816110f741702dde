//! The user's settings, read from `initializationOptions` or `workspace/didChangeConfiguration`
//! (either `{"pyxray": {...}}` or the bare object). An invalid value produces a warning naming
//! the setting and the value, and that setting keeps its default.

use pyxray_bytecode::VersionError;
use pyxray_insights::{lookup, AnalysisConfig, PythonVersion, VersionSource};
use serde_json::Value;
use std::collections::BTreeSet;

/// Which Python version to reproduce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PythonSetting {
    /// Detect it; until detection exists this is [`PythonVersion::DEFAULT`].
    #[default]
    Auto,
    Version(PythonVersion),
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Settings {
    pub python: PythonSetting,
    /// Setting names of diagnostics switched off.
    pub disabled: BTreeSet<&'static str>,
}

impl Settings {
    pub fn analysis_config(&self) -> AnalysisConfig {
        let (python, version_source) = match self.python {
            PythonSetting::Auto => (PythonVersion::DEFAULT, VersionSource::Default),
            PythonSetting::Version(v) => (v, VersionSource::Setting),
        };
        AnalysisConfig { python, version_source, disabled: self.disabled.clone() }
    }

    /// Reads settings from a JSON value, returning them with a warning for every value that was
    /// not understood. `null` (or nothing) means all defaults.
    pub fn from_json(value: &Value) -> (Settings, Vec<String>) {
        let mut settings = Settings::default();
        let mut warnings = Vec::new();
        let (object, prefix, bare) = match value {
            Value::Null => return (settings, warnings),
            Value::Object(o) => match o.get("pyxray") {
                Some(Value::Object(inner)) => (inner, "pyxray.", false),
                Some(Value::Null) => return (settings, warnings),
                Some(other) => {
                    warnings
                        .push(format!("pyxray: the setting 'pyxray' must be an object, not {other}; using defaults"));
                    return (settings, warnings);
                }
                None => (o, "", true),
            },
            other => {
                warnings.push(format!("pyxray: settings must be an object, not {other}; using defaults"));
                return (settings, warnings);
            }
        };
        // A bare object with none of our keys is most likely another tool's settings (some clients
        // send every server the whole configuration), so its keys are not ours to complain about.
        let ours = |k: &str| matches!(k, "pythonVersion" | "diagnostics");
        let complain_unknown = !bare || object.keys().any(|k| ours(k));
        for (key, value) in object {
            match key.as_str() {
                "pythonVersion" => settings.python = read_python(value, prefix, &mut warnings),
                "diagnostics" => settings.disabled = read_diagnostics(value, prefix, &mut warnings),
                other if complain_unknown => warnings.push(format!(
                    "pyxray: unknown setting '{prefix}{other}' (value {value}) was ignored; known settings are 'pythonVersion' and 'diagnostics'"
                )),
                other => tracing::debug!("ignoring setting {other:?}: not a pyxray setting"),
            }
        }
        (settings, warnings)
    }
}

fn read_python(value: &Value, prefix: &str, warnings: &mut Vec<String>) -> PythonSetting {
    let Value::String(s) = value else {
        warnings.push(format!(
            "pyxray: setting '{prefix}pythonVersion' must be a string such as \"3.13\" or \"auto\", not {value}; using \"auto\""
        ));
        return PythonSetting::Auto;
    };
    if s.trim().eq_ignore_ascii_case("auto") {
        return PythonSetting::Auto;
    }
    match s.parse::<PythonVersion>() {
        Ok(v) => PythonSetting::Version(v),
        Err(e @ VersionError::Unsupported { nearest, .. }) => {
            warnings.push(format!("pyxray: setting '{prefix}pythonVersion' = \"{s}\": {e}, which pyxray uses instead"));
            PythonSetting::Version(nearest)
        }
        Err(e @ VersionError::Malformed(_)) => {
            warnings.push(format!("pyxray: setting '{prefix}pythonVersion' = \"{s}\": {e}; using \"auto\""));
            PythonSetting::Auto
        }
    }
}

fn read_diagnostics(value: &Value, prefix: &str, warnings: &mut Vec<String>) -> BTreeSet<&'static str> {
    let mut disabled = BTreeSet::new();
    let Value::Object(switches) = value else {
        warnings.push(format!(
            "pyxray: setting '{prefix}diagnostics' must be an object like {{\"syntax-error\": false}}, not {value}; all diagnostics stay on"
        ));
        return disabled;
    };
    for (name, on) in switches {
        let known = names();
        match (lookup(name), on) {
            (Some(code), Value::Bool(false)) => {
                disabled.insert(code.name);
            }
            (Some(_), Value::Bool(true)) => {}
            (Some(code), other) => warnings.push(format!(
                "pyxray: setting '{prefix}diagnostics.{name}' must be true or false, not {other}; '{}' stays on",
                code.name
            )),
            (None, other) => warnings.push(format!(
                "pyxray: unknown diagnostic '{prefix}diagnostics.{name}' (value {other}) was ignored; known diagnostics are {known}"
            )),
        }
    }
    disabled
}

fn names() -> String {
    AnalysisConfig::switch_names().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_shapes_are_accepted() {
        let (a, w) =
            Settings::from_json(&json!({"pyxray": {"pythonVersion": "3.12", "diagnostics": {"syntax-error": false}}}));
        assert!(w.is_empty(), "{w:?}");
        let (b, w) = Settings::from_json(&json!({"pythonVersion": "3.12", "diagnostics": {"syntax-error": false}}));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(a, b);
        assert_eq!(a.python, PythonSetting::Version(PythonVersion::V3_12));
        assert!(a.disabled.contains("syntax-error"));
        assert_eq!(a.analysis_config().version_source, VersionSource::Setting);
    }

    #[test]
    fn invalid_values_warn_and_keep_defaults() {
        let (s, w) = Settings::from_json(
            &json!({"pyxray": {"pythonVersion": "3.10", "diagnostics": {"nope": false, "syntax-error": "off"}}}),
        );
        assert_eq!(s.python, PythonSetting::Version(PythonVersion::V3_11));
        assert!(s.disabled.is_empty());
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(
            w.iter().any(|m| m.contains("'pyxray.pythonVersion' = \"3.10\"") && m.contains("version is 3.11")),
            "{w:?}"
        );
        assert!(w.iter().any(|m| m.contains("diagnostics.nope")));
        assert!(w.iter().any(|m| m.contains("diagnostics.syntax-error") && m.contains("\"off\"")));
        let (s, w) = Settings::from_json(&json!({"pythonVersion": 3.12}));
        assert_eq!(s.python, PythonSetting::Auto);
        assert!(w[0].contains("3.12"));
    }

    #[test]
    fn other_tools_settings_are_ignored_quietly() {
        let (s, w) = Settings::from_json(&json!({"python": {"analysis": {}}}));
        assert_eq!(s, Settings::default());
        assert!(w.is_empty());
        let (_, w) = Settings::from_json(&json!({"pyxray": {"pythonVersoin": "3.12"}}));
        assert!(w[0].contains("pyxray.pythonVersoin"), "{w:?}");
    }
}
