//! The user's settings, read from `initializationOptions` or `workspace/didChangeConfiguration`
//! (either `{"pyxray": {...}}` or the bare object). An invalid value produces a warning naming
//! the setting and the value, and that setting keeps its default.

use pyxray_insights::{lookup, AnalysisConfig, Detected, Requested, VersionSource};
use serde_json::Value;
use std::collections::BTreeSet;

/// Which Python version to reproduce.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum PythonSetting {
    /// Detect it from the files around each document (see [`crate::detection`]).
    #[default]
    Auto,
    /// The version as written in the setting; the analysis uses the nearest one pyxray compiles.
    Version(Requested),
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Settings {
    pub python: PythonSetting,
    /// With `auto`, whether to ask the `python3` on the server's own PATH when no file names a
    /// version (it runs that interpreter, so only when the user says so).
    pub detect_from_path: bool,
    /// Setting names of diagnostics switched off.
    pub disabled: BTreeSet<&'static str>,
}

impl Settings {
    /// The configuration for a document, given what detection found for it (used with `auto`).
    pub fn analysis_config(&self, detected: Option<&Detected>) -> AnalysisConfig {
        let mut config = AnalysisConfig { disabled: self.disabled.clone(), ..Default::default() };
        match (&self.python, detected) {
            (PythonSetting::Version(requested), _) => config.set_version(Some(requested), VersionSource::Setting),
            (PythonSetting::Auto, Some(d)) => {
                config.set_version(Some(&d.requested), VersionSource::Detected(d.source.clone()))
            }
            (PythonSetting::Auto, None) => config.set_version(None, VersionSource::Default),
        }
        config
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
        let ours = |k: &str| matches!(k, "pythonVersion" | "detectFromPath" | "diagnostics");
        let complain_unknown = !bare || object.keys().any(|k| ours(k));
        for (key, value) in object {
            match key.as_str() {
                "pythonVersion" => settings.python = read_python(value, prefix, &mut warnings),
                "detectFromPath" => match value {
                    Value::Bool(on) => settings.detect_from_path = *on,
                    other => warnings.push(format!(
                        "pyxray: setting '{prefix}detectFromPath' must be true or false, not {other}; using false"
                    )),
                },
                "diagnostics" => settings.disabled = read_diagnostics(value, prefix, &mut warnings),
                other if complain_unknown => warnings.push(format!(
                    "pyxray: unknown setting '{prefix}{other}' (value {value}) was ignored; known settings are 'pythonVersion', 'detectFromPath' and 'diagnostics'"
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
    let Some(requested) = Requested::parse(s) else {
        warnings.push(format!(
            "pyxray: setting '{prefix}pythonVersion' = \"{s}\" is not a Python version (expected \"auto\" or one such as \"3.13\"); using \"auto\""
        ));
        return PythonSetting::Auto;
    };
    // A version pyxray does not support is used as its nearest supported one, and said so.
    let config = Settings { python: PythonSetting::Version(requested.clone()), ..Default::default() }.analysis_config(None);
    if let Some(warning) = config.version_warning() {
        let why = warning.trim_start_matches("pyxray: ");
        warnings.push(format!("pyxray: setting '{prefix}pythonVersion' = \"{s}\": {why}"));
    }
    PythonSetting::Version(requested)
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
        assert_eq!(a.python, PythonSetting::Version(Requested::parse("3.12").unwrap()));
        assert!(a.disabled.contains("syntax-error"));
        assert_eq!(a.analysis_config(None).version_origin.source, VersionSource::Setting);
    }

    #[test]
    fn invalid_values_warn_and_keep_defaults() {
        let (s, w) = Settings::from_json(
            &json!({"pyxray": {"pythonVersion": "3.10", "diagnostics": {"nope": false, "syntax-error": "off"}}}),
        );
        assert_eq!(s.python, PythonSetting::Version(Requested::parse("3.10").unwrap()));
        assert!(s.disabled.is_empty());
        assert_eq!(w.len(), 3, "{w:?}");
        let lowest = pyxray_insights::SUPPORTED.iter().min().unwrap();
        assert!(
            w.iter().any(|m| m.contains("'pyxray.pythonVersion' = \"3.10\": Python 3.10 (as set) is not supported")
                && m.ends_with(&format!("nearest supported version, {lowest}"))),
            "{w:?}"
        );
        assert!(w.iter().any(|m| m.contains("diagnostics.nope")));
        assert!(w.iter().any(|m| m.contains("diagnostics.syntax-error") && m.contains("\"off\"")));
        let (s, w) = Settings::from_json(&json!({"pythonVersion": 3.12}));
        assert_eq!(s.python, PythonSetting::Auto);
        assert!(w[0].contains("3.12"));
        let (s, w) = Settings::from_json(&json!({"pythonVersion": "latest", "detectFromPath": "yes"}));
        assert_eq!((s.python, s.detect_from_path), (PythonSetting::Auto, false));
        assert!(w.iter().any(|m| m.contains("\"latest\" is not a Python version") && m.contains("using \"auto\"")), "{w:?}");
        assert!(w.iter().any(|m| m.contains("'detectFromPath' must be true or false")), "{w:?}");
    }

    #[test]
    fn detection_applies_only_to_auto() {
        let detected = Detected { requested: Requested::parse("3.15").unwrap(), source: "/p/.python-version".into() };
        let (auto, _) = Settings::from_json(&json!({"detectFromPath": true}));
        assert!(auto.detect_from_path);
        let config = auto.analysis_config(Some(&detected));
        assert_eq!(config.version_origin.source, VersionSource::Detected("/p/.python-version".into()));
        assert!(config.version_warning().unwrap().contains("Python 3.15 (from /p/.python-version (3.15))"));
        let (set, _) = Settings::from_json(&json!({"pythonVersion": "3.13"}));
        assert_eq!(set.analysis_config(Some(&detected)).version_origin.source, VersionSource::Setting);
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
