//! The `--python` flag shared by the subcommands: an explicit `X.Y`, or `auto` (the default),
//! which reads the version from the files around the code (see `pyxray_insights::detect`) and
//! falls back to 3.13. An unsupported version is named and the nearest supported one used.

use pyxray_insights::{detect, AnalysisConfig, PythonVersion, VersionSource};
use pyxray_bytecode::VersionError;
use std::path::Path;

/// Sets `config`'s version from `--python` (absent means `auto`), detecting near `near`.
pub fn apply(config: &mut AnalysisConfig, flag: Option<&str>, near: &Path) -> Result<(), String> {
    match flag.map(str::trim) {
        None | Some("auto") => {
            let dir = if near.is_dir() { near.to_path_buf() } else { near.parent().map(Path::to_path_buf).unwrap_or_default() };
            let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
            if let Some(d) = detect(&dir, None) {
                if let Some(note) = &d.note {
                    eprintln!("warning: {note}");
                }
                config.python = d.version;
                config.version_source = VersionSource::Detected(d.source);
            }
            Ok(())
        }
        Some(text) => match text.parse::<PythonVersion>() {
            Ok(v) => {
                config.python = v;
                config.version_source = VersionSource::Setting;
                Ok(())
            }
            // A Python 3 release pyxray does not cover is close enough to use the nearest one;
            // anything else is a mistake.
            Err(VersionError::Unsupported { requested, nearest }) if requested.starts_with("3.") => {
                eprintln!("warning: Python {requested} is not supported; using the nearest supported version, {nearest}");
                config.python = nearest;
                config.version_source = VersionSource::Setting;
                Ok(())
            }
            Err(e) => Err(format!("--python {text}: {e}")),
        },
    }
}
