//! Logging to stderr through `tracing` (stdout belongs to the LSP protocol and to `check`'s
//! output). The level comes from `--log-level`, else `PYXRAY_LOG`, else the subcommand's default.

use tracing_subscriber::EnvFilter;

pub fn init(flag: Option<&str>, default_level: &str) {
    let from_env = std::env::var("PYXRAY_LOG").ok().filter(|s| !s.trim().is_empty());
    let spec = flag.map(str::to_string).or(from_env).unwrap_or_else(|| default_level.to_string());
    let filter = EnvFilter::try_new(&spec).unwrap_or_else(|e| {
        eprintln!("pyxray: warning: invalid log level {spec:?} ({e}); using {default_level:?}");
        EnvFilter::new(default_level)
    });
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false).try_init();
}
