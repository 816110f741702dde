//! Locating the `pyxray` binary under test. `PYXRAY_BIN` wins; otherwise the binary is built
//! (once per test process) with the same cargo, target directory and profile as the tests
//! themselves, so `cargo test --workspace` on a clean checkout just works.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn pyxray_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| match std::env::var_os("PYXRAY_BIN") {
        Some(path) => PathBuf::from(path),
        None => build(),
    })
}

fn build() -> PathBuf {
    // Test executables live in <target>/<profile>/deps/.
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("<target>/<profile>").to_path_buf();
    let target_dir = profile_dir.parent().expect("<target>").to_path_buf();
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_string(),
        Some(other) => other.to_string(),
    };
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(["build", "--quiet", "-p", "pyxray", "--bin", "pyxray", "--profile", &profile])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .output()
        .unwrap_or_else(|e| panic!("running {cargo:?} to build pyxray: {e}"));
    assert!(
        output.status.success(),
        "building pyxray failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let bin = profile_dir.join(format!("pyxray{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.is_file(), "built pyxray but {} does not exist", bin.display());
    bin
}
