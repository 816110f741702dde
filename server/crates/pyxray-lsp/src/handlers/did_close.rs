//! `textDocument/didClose`: forget the document (and the status sent for it) and clear its
//! diagnostics.

use crate::session::Session;
use tower_lsp::lsp_types::DidCloseTextDocumentParams;

pub(crate) async fn handle(session: &Session, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    let was_open = session.documents.close(&uri);
    session.scheduler.cancel(&uri);
    session.statuses.remove(&uri);
    if !was_open {
        tracing::warn!("didClose for {uri}, which is not open");
        return;
    }
    // Under the publish lock, so no analysis finishing now can publish after the clearing.
    let _guard = session.scheduler.publish_lock().await;
    session.client.publish_diagnostics(uri, Vec::new(), None).await;
}
