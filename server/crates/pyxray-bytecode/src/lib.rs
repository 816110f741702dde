//! CPython bytecode as data: supported versions, per-version opcode tables and stack effects,
//! the code-object model, and rendering as `dis` text or the oracle's JSON.

pub mod code;
pub mod dis;
pub mod hash;
pub mod repr;
pub mod opcode;
mod printable;
pub mod version;

pub use code::{CodeObject, ConstValue};
pub use opcode::{table, Op, OpTable};
pub use version::{PythonVersion, VersionError};
