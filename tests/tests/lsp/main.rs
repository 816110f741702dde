//! End-to-end tests of `pyxray server`: the real binary, spoken to over stdio with JSON-RPC and
//! Content-Length framing, as an editor would.

mod disassemble;
mod documents;
mod edits;
mod hover_markdown;
mod insights;
mod lifecycle;
mod robustness;
mod settings;
mod stress;
mod versions;
