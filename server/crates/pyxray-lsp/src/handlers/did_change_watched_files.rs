//! `workspace/didChangeWatchedFiles`: when a `pyvenv.cfg`, `.python-version` or `pyproject.toml`
//! was created, changed or deleted, detect every document's Python version again and re-analyse
//! the open documents. The watchers are registered by `initialized` when the client allows it.

use crate::detection::is_watched;
use crate::scheduler;
use crate::session::Session;
use std::sync::Arc;
use tower_lsp::lsp_types::DidChangeWatchedFilesParams;

pub(crate) fn handle(session: &Arc<Session>, params: DidChangeWatchedFilesParams) {
    if let Some(change) = params.changes.iter().find(|c| is_watched(&c.uri)) {
        tracing::info!("{} changed; detecting Python versions again", change.uri);
        session.redetect();
        scheduler::reanalyse_all(session);
    }
}
