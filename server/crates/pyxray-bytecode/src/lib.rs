//! CPython bytecode as data: supported versions, per-version opcode tables and stack effects,
//! the code-object model, and rendering as `dis` text or the oracle's JSON.

pub mod version;

pub use version::{PythonVersion, VersionError};
