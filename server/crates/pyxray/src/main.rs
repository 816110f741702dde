//! The `pyxray` command: parses the command line, sets up logging and runs one subcommand. Each
//! subcommand lives in its own module under `cmd/`; adding one means adding its file there and a
//! variant in [`Command`].

mod cmd;
mod files;
mod logging;
mod python;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Parsing and compiling allocate many small, short-lived objects (tree nodes, names,
/// instructions); mimalloc serves them markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXAMPLES: &str = "\
Examples:
  pyxray check src/                      Check every *.py and *.pyi file under src/
  pyxray check app.py --format json      Findings as JSON, for tools
  pyxray check . --python 3.12           Reproduce what CPython 3.12 does
  pyxray check . --ignore compile-error  Switch a diagnostic off (names or codes, comma-separated)
  pyxray dis app.py                      The bytecode of app.py, as `python3.13 -m dis app.py` prints it
  pyxray dis app.py --format json        The same as JSON, every code object and table
  pyxray explain app.py                  Every `is` with its predicted result, closures, findings
  pyxray explain app.py:12:9             The hover at line 12, column 9
  pyxray server                          Run the language server over stdin/stdout (for editors)

Logging goes to stderr; set its level with --log-level or PYXRAY_LOG (e.g. PYXRAY_LOG=debug).";

/// pyxray shows what CPython really does with your code: the bytecode it compiles, which objects
/// are the same object, what closures capture.
#[derive(Parser)]
#[command(name = "pyxray", version, after_help = EXAMPLES, propagate_version = true)]
struct Cli {
    /// Log level or filter for messages on stderr (error, warn, info, debug, trace);
    /// overrides PYXRAY_LOG.
    #[arg(long, global = true, value_name = "LEVEL")]
    log_level: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the language server, speaking LSP over stdin and stdout.
    Server(cmd::server::Args),
    /// Check Python files and report problems, like a linter.
    Check(cmd::check::Args),
    /// Show the bytecode CPython compiles files to, as `python -m dis` prints it.
    Dis(cmd::dis::Args),
    /// Explain a file: every identity comparison, closure and finding, or the hover at FILE:LINE:COL.
    Explain(cmd::explain::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Server(_) => "info",
        Command::Check(_) | Command::Dis(_) | Command::Explain(_) => "warn",
    };
    logging::init(cli.log_level.as_deref(), default_level);
    match cli.command {
        Command::Server(args) => cmd::server::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Dis(args) => cmd::dis::run(args),
        Command::Explain(args) => cmd::explain::run(args),
    }
}
