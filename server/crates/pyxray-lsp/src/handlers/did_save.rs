//! `textDocument/didSave`: saving a `pyvenv.cfg`, `.python-version` or `pyproject.toml` the client
//! syncs with pyxray detects the Python versions again (for clients that do not watch files).

use crate::detection::is_watched;
use crate::scheduler;
use crate::session::Session;
use std::sync::Arc;
use tower_lsp::lsp_types::DidSaveTextDocumentParams;

pub(crate) fn handle(session: &Arc<Session>, params: DidSaveTextDocumentParams) {
    if is_watched(&params.text_document.uri) {
        tracing::info!("{} saved; detecting Python versions again", params.text_document.uri);
        session.redetect();
        scheduler::reanalyse_all(session);
    }
}
