//! Version detection for `pythonVersion: "auto"`, per document: the workspace roots (which bound
//! the search), a cache of what `pyxray_insights::detect` found per directory, the opt-in `python3`
//! on the server's own PATH, and the warnings already shown. The cache is cleared when the user
//! changes a `pyvenv.cfg`, `.python-version` or `pyproject.toml` (see [`is_watched`]) or the
//! settings. Everything here may read files or run that `python3`: call it off the async runtime.

use crate::settings::{PythonSetting, Settings};
use pyxray_insights::{detect, detect_from_path, python3_on_path, AnalysisConfig, Detected};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock};
use tower_lsp::lsp_types::Url;

/// The names of the files detection reads; a change to one of them means detecting again.
pub(crate) const WATCHED: [&str; 3] = ["pyvenv.cfg", ".python-version", "pyproject.toml"];

/// Whether `uri` names a file detection reads.
pub(crate) fn is_watched(uri: &Url) -> bool {
    uri.path_segments().and_then(|mut s| s.next_back()).is_some_and(|name| WATCHED.contains(&name))
}

#[derive(Default)]
pub(crate) struct Detection {
    roots: RwLock<Vec<PathBuf>>,
    cache: Mutex<Cache>,
    /// Held while the `python3` on PATH runs, so it runs once; [`Detection::clear`] does not
    /// wait for it.
    asking: Mutex<()>,
    /// Warnings already shown, so that each is shown once.
    warned: Mutex<HashSet<String>>,
}

#[derive(Default)]
struct Cache {
    /// Changes whenever the cache is cleared, so a detection that started before a clearing
    /// (and may have read the old files) is not stored after it.
    epoch: u64,
    by_dir: HashMap<PathBuf, Option<Detected>>,
    /// What the `python3` on PATH said, once asked (`None`: not asked since the last clearing).
    path_python: Option<Option<Detected>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Detection {
    /// The workspace folders (or root) the client named; detection never looks above the one
    /// that contains a document.
    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        *self.roots.write().unwrap_or_else(|p| p.into_inner()) = roots;
        self.clear();
    }

    pub fn roots(&self) -> Vec<PathBuf> {
        self.roots.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The analysis configuration for the document at `uri` under `settings`.
    pub fn config_for(&self, settings: &Settings, uri: &Url) -> AnalysisConfig {
        let detected = match settings.python {
            PythonSetting::Auto => self.for_document(uri, settings.detect_from_path),
            PythonSetting::Version(_) => None,
        };
        settings.analysis_config(detected.as_ref())
    }

    /// What the files around `uri` say, else (when `from_path`) the `python3` on PATH.
    fn for_document(&self, uri: &Url, from_path: bool) -> Option<Detected> {
        let found = self.scope(uri).and_then(|(dir, root)| self.in_dir(&dir, root.as_deref()));
        found.or_else(|| if from_path { self.ask_python3() } else { None })
    }

    /// Where to start looking for `uri` and where to stop: its directory and the innermost root
    /// that contains it (none: a bounded number of levels up). A document that is not a file
    /// (an unsaved buffer) belongs to the first root.
    fn scope(&self, uri: &Url) -> Option<(PathBuf, Option<PathBuf>)> {
        let roots = self.roots();
        let Some(dir) = uri.to_file_path().ok().and_then(|f| f.parent().map(Path::to_path_buf)) else {
            return roots.first().map(|r| (r.clone(), Some(r.clone())));
        };
        let root = roots.iter().filter(|r| dir.starts_with(r)).max_by_key(|r| r.components().count()).cloned();
        Some((dir, root))
    }

    fn in_dir(&self, dir: &Path, root: Option<&Path>) -> Option<Detected> {
        let epoch = {
            let cache = lock(&self.cache);
            if let Some(found) = cache.by_dir.get(dir) {
                return found.clone();
            }
            cache.epoch
        };
        let found = detect(dir, root);
        let mut cache = lock(&self.cache);
        if cache.epoch == epoch {
            cache.by_dir.insert(dir.to_path_buf(), found.clone());
        }
        found
    }

    /// The `python3` on the server's own PATH, asked once (never one inside a workspace root).
    fn ask_python3(&self) -> Option<Detected> {
        let _asking = lock(&self.asking);
        let epoch = {
            let cache = lock(&self.cache);
            if let Some(found) = &cache.path_python {
                return found.clone();
            }
            cache.epoch
        };
        let path = std::env::var_os("PATH");
        let found = python3_on_path(path.as_deref(), &self.roots()).and_then(|python3| {
            tracing::info!("asking {} for its version (pyxray.detectFromPath is on)", python3.display());
            detect_from_path(&python3)
        });
        let mut cache = lock(&self.cache);
        if cache.epoch == epoch {
            cache.path_python = Some(found.clone());
        }
        found
    }

    /// Forgets everything detected, so the next analyses read the files again.
    pub fn clear(&self) {
        let mut cache = lock(&self.cache);
        cache.epoch += 1;
        cache.by_dir.clear();
        cache.path_python = None;
    }

    /// Whether `warning` is shown for the first time (it is then remembered as shown).
    pub fn first_time(&self, warning: &str) -> bool {
        lock(&self.warned).insert(warning.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watched_files_are_recognised_by_name() {
        let uri = |s: &str| Url::parse(s).unwrap();
        assert!(is_watched(&uri("file:///ws/.venv/pyvenv.cfg")));
        assert!(is_watched(&uri("file:///ws/sub/.python-version")));
        assert!(is_watched(&uri("file:///ws/pyproject.toml")));
        assert!(!is_watched(&uri("file:///ws/pyproject.toml.bak")));
        assert!(!is_watched(&uri("file:///ws/a.py")));
    }

    #[test]
    fn the_innermost_root_bounds_the_search() {
        let d = Detection::default();
        d.set_roots(vec![PathBuf::from("/ws"), PathBuf::from("/ws/inner")]);
        let uri = |s: &str| Url::parse(s).unwrap();
        assert_eq!(d.scope(&uri("file:///ws/inner/pkg/a.py")), Some(("/ws/inner/pkg".into(), Some("/ws/inner".into()))));
        assert_eq!(d.scope(&uri("file:///ws/b.py")), Some(("/ws".into(), Some("/ws".into()))));
        assert_eq!(d.scope(&uri("file:///elsewhere/c.py")), Some(("/elsewhere".into(), None)));
        assert_eq!(d.scope(&uri("untitled:Untitled-1")), Some(("/ws".into(), Some("/ws".into()))));
    }

    #[test]
    fn results_are_cached_until_cleared() {
        let dir = std::env::temp_dir().join(format!("pyxray-lsp-detection-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".python-version"), "3.12\n").unwrap();
        let d = Detection::default();
        d.set_roots(vec![dir.clone()]);
        let found = |d: &Detection| d.in_dir(&dir, Some(&dir)).map(|f| f.requested.text);
        assert_eq!(found(&d), Some("3.12".into()));
        std::fs::write(dir.join(".python-version"), "3.14\n").unwrap();
        assert_eq!(found(&d), Some("3.12".into()), "cached");
        d.clear();
        assert_eq!(found(&d), Some("3.14".into()));
        assert!(d.first_time("w") && !d.first_time("w"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
