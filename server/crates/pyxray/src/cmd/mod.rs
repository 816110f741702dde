//! One module per subcommand, each with its `Args` and a `run` returning the exit code.

pub mod check;
pub mod dis;
pub mod explain;
pub mod server;
