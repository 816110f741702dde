//! pyxray's debugging requests, documented in the README:
//! - `pyxray/debugText {textDocument: {uri}}` → `{uri, version, text}` as the server holds it (or
//!   `null` when the document is not open), so tests and bug reports can check that incremental
//!   edits were applied exactly.
//! - `pyxray/debugPanic` panics inside the handler, to show that a crashing handler is answered
//!   with InternalError and the server keeps serving.

use crate::session::Session;
use serde::{Deserialize, Serialize};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::{TextDocumentIdentifier, Url};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DebugTextParams {
    pub text_document: TextDocumentIdentifier,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct DebugText {
    pub uri: Url,
    pub version: i32,
    pub text: String,
}

pub(crate) fn text(session: &Session, params: DebugTextParams) -> Result<Option<DebugText>> {
    let uri = params.text_document.uri;
    Ok(session.documents.get(&uri).map(|doc| DebugText { uri, version: doc.version, text: doc.text.clone() }))
}

pub(crate) fn panic() -> Result<()> {
    panic!("pyxray/debugPanic was called");
}
