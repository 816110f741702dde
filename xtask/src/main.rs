//! `cargo xtask`: developer tasks that check pyxray against real CPython (the oracle in
//! `../shared/oracle`): `regen` rewrites the golden files under `fixtures/`, `parity` compares
//! pyxray's bytecode with CPython's over any tree of Python files, `stdlib` extracts the reference
//! builds' standard libraries so parity can be measured on them.

mod compare;
mod oracle;
mod parity;
mod process;
mod regen;
mod report;
mod stdlib;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

/// The Python versions pyxray targets, each pinned to one patch release by the oracle.
pub const VERSIONS: [&str; 4] = ["3.11", "3.12", "3.13", "3.14"];

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "pyxray developer tasks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate golden files (`V/X.json`, `V/X.dis`) from the oracle.
    Regen(regen::RegenArgs),
    /// Compare pyxray's `dis --format json` with the oracle's, code object by code object.
    Parity(parity::ParityArgs),
    /// Extract a reference build's standard-library sources into a directory.
    Stdlib(stdlib::StdlibArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Regen(args) => regen::run(args),
        Command::Parity(args) => parity::run(args),
        Command::Stdlib(args) => stdlib::run(args),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::exit(2);
        }
    }
}

/// The workspace root (the directory holding the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Checks that `version` is one of [`VERSIONS`].
pub fn check_version(version: &str) -> anyhow::Result<()> {
    if VERSIONS.contains(&version) {
        Ok(())
    } else {
        anyhow::bail!("unsupported Python version {version:?} (expected one of {VERSIONS:?})")
    }
}
