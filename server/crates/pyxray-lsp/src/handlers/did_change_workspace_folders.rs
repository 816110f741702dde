//! `workspace/didChangeWorkspaceFolders`: the roots that bound version detection changed, so
//! detect again and re-analyse the open documents.

use crate::convert::from_proto;
use crate::scheduler;
use crate::session::Session;
use std::sync::Arc;
use tower_lsp::lsp_types::DidChangeWorkspaceFoldersParams;

pub(crate) fn handle(session: &Arc<Session>, params: DidChangeWorkspaceFoldersParams) {
    let removed: Vec<_> = params.event.removed.iter().filter_map(|f| from_proto::folder_path(&f.uri)).collect();
    let mut roots: Vec<_> = session.detection.roots().into_iter().filter(|r| !removed.contains(r)).collect();
    roots.extend(params.event.added.iter().filter_map(|f| from_proto::folder_path(&f.uri)));
    session.detection.set_roots(roots);
    session.redetect();
    scheduler::reanalyse_all(session);
}
