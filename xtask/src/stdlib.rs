//! `cargo xtask stdlib --python V --out DIR`: copies the standard-library sources of the
//! oracle's reference build for V into DIR, so parity can be measured over "CPython V's own
//! standard library". 3.11: the native pyenv 3.11.7 `lib/python3.11`. 3.12–3.14: the `.py`
//! sources inside the pyodide package's `python_stdlib.zip` (pyodide's own `pyodide/` and
//! `_pyodide/` packages are left out). Pyodide ships no tests and unvendors a few modules
//! (tkinter, idlelib, turtle, curses, dbm, sqlite3 before 3.14, ssl, lzma, venv, ensurepip,
//! `_pydecimal`, …); `--fill-missing` adds those from the nearest native pyenv build (3.12.1 for
//! 3.12, 3.13.0 for 3.13; none exists for 3.14). `PROVENANCE.txt` in DIR records what came from
//! where. The zip is read with the native Python's `zipfile` (always present beside the oracle).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::parity::is_test_path;
use crate::process;

#[derive(Args)]
pub struct StdlibArgs {
    /// Which version's standard library.
    #[arg(long = "python", value_name = "V")]
    version: String,
    /// Output directory (created; existing files are overwritten).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// 3.12/3.13: also copy modules pyodide leaves out from the nearest native pyenv build.
    #[arg(long)]
    fill_missing: bool,
    /// Path to the oracle script, used to install its pyodide package when missing.
    #[arg(long, value_name = "PATH")]
    oracle: Option<PathBuf>,
}

/// The pyodide npm package behind each WebAssembly oracle version (see the oracle script).
fn pyodide_version(version: &str) -> Option<&'static str> {
    match version {
        "3.12" => Some("0.27.8"),
        "3.13" => Some("0.29.5"),
        "3.14" => Some("314.0.7"),
        _ => None,
    }
}

/// The nearest native build on these machines, for `--fill-missing`.
fn nearest_native(version: &str) -> Option<&'static str> {
    match version {
        "3.11" => Some("3.11.7"),
        "3.12" => Some("3.12.1"),
        "3.13" => Some("3.13.0"),
        _ => None,
    }
}

fn pyenv_root() -> PathBuf {
    match std::env::var_os("PYENV_ROOT") {
        Some(root) => PathBuf::from(root),
        None => home().join(".pyenv"),
    }
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

fn native_lib(patch: &str) -> PathBuf {
    let minor: String = patch
        .rsplit_once('.')
        .map(|(m, _)| m.to_string())
        .unwrap_or_default();
    pyenv_root().join(format!("versions/{patch}/lib/python{minor}"))
}

fn native_python() -> PathBuf {
    let pyenv = pyenv_root().join("versions/3.11.7/bin/python3.11");
    if pyenv.is_file() {
        pyenv
    } else {
        PathBuf::from("python3")
    }
}

pub fn run(args: StdlibArgs) -> Result<i32> {
    crate::check_version(&args.version)?;
    std::fs::create_dir_all(&args.out).with_context(|| args.out.display().to_string())?;
    let mut provenance = Vec::new();
    let files: BTreeSet<PathBuf> = match pyodide_version(&args.version) {
        None => {
            let lib = native_lib(nearest_native(&args.version).unwrap_or("3.11.7"));
            let copied = copy_native(&lib, &args.out, |_| true)?;
            provenance.push(format!(
                "{} files from {} (the 3.11 oracle itself)",
                copied.len(),
                lib.display()
            ));
            copied
        }
        Some(pyodide) => {
            let zip = pyodide_zip(&args.version, pyodide, args.oracle.as_deref())?;
            let extracted = extract_zip(&zip, &args.out)?;
            provenance.push(format!(
                "{} files from {} (the sources this WebAssembly build compiles)",
                extracted.len(),
                zip.display()
            ));
            let mut all = extracted.clone();
            match nearest_native(&args.version)
                .map(native_lib)
                .filter(|lib| lib.is_dir())
            {
                Some(lib) => {
                    let native = list_native(&lib)?;
                    let missing: Vec<&PathBuf> = native
                        .iter()
                        .filter(|p| !is_test_path(p) && !extracted.contains(*p))
                        .collect();
                    let packages: BTreeSet<String> = missing
                        .iter()
                        .filter_map(|p| p.components().next())
                        .map(|c| {
                            c.as_os_str()
                                .to_string_lossy()
                                .trim_end_matches(".py")
                                .to_string()
                        })
                        .collect();
                    eprintln!(
                        "pyodide leaves out {} non-test modules that {} has: {}",
                        missing.len(),
                        lib.display(),
                        packages.into_iter().collect::<Vec<_>>().join(" ")
                    );
                    if args.fill_missing {
                        let wanted: BTreeSet<PathBuf> = missing.into_iter().cloned().collect();
                        let copied = copy_native(&lib, &args.out, |p| wanted.contains(p))?;
                        provenance.push(format!(
                            "{} files pyodide leaves out, from {} (nearest native build; compiled by the {} oracle all the same)",
                            copied.len(),
                            lib.display(),
                            args.version
                        ));
                        all.extend(copied);
                    }
                }
                None if args.fill_missing => {
                    eprintln!(
                        "no native {} build on this machine: nothing to fill missing modules from",
                        args.version
                    );
                }
                None => {}
            }
            all
        }
    };
    let tests = files.iter().filter(|p| is_test_path(p)).count();
    provenance.push(format!(
        "{} files in total, {} of them tests",
        files.len(),
        tests
    ));
    let text = format!(
        "Standard library sources for CPython {} parity runs (cargo xtask stdlib).\n{}\n",
        args.version,
        provenance.join("\n")
    );
    std::fs::write(args.out.join("PROVENANCE.txt"), &text)?;
    print!("{text}");
    Ok(0)
}

/// Finds (installing if needed) the pyodide package's `python_stdlib.zip`.
fn pyodide_zip(version: &str, pyodide: &str, oracle: Option<&Path>) -> Result<PathBuf> {
    let home_dir = match std::env::var_os("ORACLE_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => home().join(".cache/cpython-oracle"),
    };
    let zip = home_dir.join(format!(
        "pyodide-{pyodide}/node_modules/pyodide/python_stdlib.zip"
    ));
    if !zip.is_file() {
        // The oracle installs its npm package on first use; `version` mode is the cheapest call.
        let oracle = crate::oracle::Oracle::locate(oracle)?;
        oracle.version(version)?;
    }
    if !zip.is_file() {
        bail!(
            "{} not found (is the {version} oracle installed?)",
            zip.display()
        );
    }
    Ok(zip)
}

/// Extracts the `.py` members of `zip` (except pyodide's own packages) into `out`.
fn extract_zip(zip: &Path, out: &Path) -> Result<BTreeSet<PathBuf>> {
    const SCRIPT: &str = r#"
import sys, zipfile
zf = zipfile.ZipFile(sys.argv[1])
for name in zf.namelist():
    if name.endswith(".py") and not name.startswith(("pyodide/", "_pyodide/")):
        zf.extract(name, sys.argv[2])
        print(name)
"#;
    let args = vec![
        "-I".to_string(),
        "-c".to_string(),
        SCRIPT.to_string(),
        zip.to_string_lossy().into_owned(),
        out.to_string_lossy().into_owned(),
    ];
    let finished = process::run(&native_python(), &args, None, None)?;
    if !finished.success() {
        bail!(
            "extracting {} failed: {}",
            zip.display(),
            finished.failure_reason(None)
        );
    }
    Ok(String::from_utf8_lossy(&finished.stdout)
        .lines()
        .map(PathBuf::from)
        .collect())
}

/// Every `.py` file of a native `lib/pythonX.Y`, relative to it, without `site-packages`,
/// `lib-dynload`, `config-*` and caches.
fn list_native(lib: &Path) -> Result<BTreeSet<PathBuf>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) -> Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| dir.display().to_string())? {
            let path = entry?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if path.is_dir() {
                let skip = matches!(
                    name.as_str(),
                    "site-packages" | "lib-dynload" | "__pycache__"
                ) || name.starts_with("config-");
                if !skip {
                    walk(root, &path, out)?;
                }
            } else if name.ends_with(".py") {
                out.insert(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
            }
        }
        Ok(())
    }
    if !lib.is_dir() {
        bail!("{} not found", lib.display());
    }
    let mut out = BTreeSet::new();
    walk(lib, lib, &mut out)?;
    Ok(out)
}

/// Copies the files of `lib` accepted by `keep` into `out`, keeping relative paths.
fn copy_native(lib: &Path, out: &Path, keep: impl Fn(&Path) -> bool) -> Result<BTreeSet<PathBuf>> {
    let mut copied = BTreeSet::new();
    for relative in list_native(lib)? {
        if !keep(&relative) {
            continue;
        }
        let target = out.join(&relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(lib.join(&relative), &target)
            .with_context(|| target.display().to_string())?;
        copied.insert(relative);
    }
    Ok(copied)
}
