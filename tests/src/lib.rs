//! Support for pyxray's end-to-end tests: finding (building, if needed) the real `pyxray` binary,
//! an LSP client that speaks JSON-RPC with Content-Length framing over the binary's stdio, and
//! scratch directories for command-line tests.

pub mod bin;
pub mod lsp;
pub mod scratch;

pub use bin::pyxray_bin;
pub use lsp::LspClient;
pub use scratch::Scratch;
