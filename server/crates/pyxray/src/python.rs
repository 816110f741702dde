//! The `--python` flag shared by the subcommands: an explicit `X.Y`, or `auto` (the default),
//! which reads the version from the files around the code (see `pyxray_insights::detect`) and
//! falls back to 3.13. A version the compiler does not reproduce is replaced by the nearest one
//! it does, and a Python 3 version pyxray does not support at all is named in a warning.

use pyxray_insights::{detect, AnalysisConfig, Requested, VersionSource};
use std::path::Path;

/// Sets `config`'s version from `--python` (absent means `auto`), detecting near `near`.
pub fn apply(config: &mut AnalysisConfig, flag: Option<&str>, near: &Path) -> Result<(), String> {
    match flag.map(str::trim) {
        None | Some("auto") => {
            let dir = if near.is_dir() { near.to_path_buf() } else { near.parent().map(Path::to_path_buf).unwrap_or_default() };
            let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
            match detect(&dir, None) {
                Some(d) => config.set_version(Some(&d.requested), VersionSource::Detected(d.source)),
                None => config.set_version(None, VersionSource::Default),
            }
        }
        // A Python 3 release pyxray does not cover is close enough to use the nearest one;
        // anything else is a mistake.
        Some(text) => match Requested::parse(text) {
            Some(requested) if requested.major == 3 => config.set_version(Some(&requested), VersionSource::Setting),
            _ => return Err(format!("--python {text}: not a Python 3 version such as 3.13, nor auto")),
        },
    }
    match (config.version_warning(), config.version_note()) {
        (Some(_), Some(note)) => eprintln!("warning: {note}"),
        (None, Some(note)) => eprintln!("note: {note}"),
        _ => {}
    }
    Ok(())
}
