//! `pyxray server`: the language server over stdio. The exit code follows the LSP specification:
//! 0 when the client sent `shutdown` before `exit`, 1 otherwise.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Accepted for compatibility with clients that pass it; stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

pub fn run(args: Args) -> ExitCode {
    let _ = args.stdio;
    tracing::info!("pyxray {} language server starting", env!("CARGO_PKG_VERSION"));
    let code = pyxray_lsp::run_stdio();
    // Exit right away: analyses still running on background threads are not worth waiting for.
    std::process::exit(code)
}
