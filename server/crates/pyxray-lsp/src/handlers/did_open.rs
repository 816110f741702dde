//! `textDocument/didOpen`: store the text and analyse it right away.

use crate::scheduler;
use crate::session::Session;
use std::sync::Arc;
use std::time::Duration;
use tower_lsp::lsp_types::DidOpenTextDocumentParams;

pub(crate) fn handle(session: &Arc<Session>, params: DidOpenTextDocumentParams) {
    let doc = params.text_document;
    tracing::debug!("opened {} version {} ({} bytes)", doc.uri, doc.version, doc.text.len());
    session.documents.open(doc.uri.clone(), doc.text, doc.version);
    scheduler::schedule(session, &doc.uri, Duration::ZERO);
}
