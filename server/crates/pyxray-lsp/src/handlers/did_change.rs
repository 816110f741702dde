//! `textDocument/didChange`: apply the incremental edits in order, all before any `.await`, and
//! schedule a (debounced) analysis. A change for a version that is not newer than the stored one,
//! or for a document that is not open, is logged and ignored.

use crate::documents::ChangeOutcome;
use crate::scheduler;
use crate::session::Session;
use std::sync::Arc;
use tower_lsp::lsp_types::DidChangeTextDocumentParams;

pub(crate) fn handle(session: &Arc<Session>, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    match session.documents.change(&uri, version, params.content_changes, session.encoding()) {
        ChangeOutcome::Applied => scheduler::schedule(session, &uri, session.scheduler.change_delay(&uri)),
        ChangeOutcome::Stale { current } => {
            tracing::warn!("ignoring didChange for {uri}: version {version} is not newer than {current}")
        }
        ChangeOutcome::NotOpen => tracing::warn!("ignoring didChange for {uri}: the document is not open"),
    }
}
