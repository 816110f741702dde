//! `textDocument/hover`: what pyxray knows about the code under the cursor. Served from the
//! analysis cached for the current version when there is one; `null` outside the document.

use crate::convert::{from_proto, to_proto};
use crate::guard;
use crate::scheduler::{self, AnalysisFailed, CancelFlag};
use crate::session::Session;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::{Hover, HoverParams};

pub(crate) async fn handle(session: &Session, params: HoverParams) -> Result<Option<Hover>> {
    let uri = params.text_document_position_params.text_document.uri;
    let position = params.text_document_position_params.position;
    let Some(doc) = session.documents.get(&uri) else { return Ok(None) };
    let encoding = session.encoding();
    let Some(offset) = from_proto::offset_strict(doc.positions(encoding), position) else { return Ok(None) };
    let analysis = match scheduler::analysis(session, &doc, &CancelFlag::default()).await {
        Ok(analysis) => analysis,
        Err(AnalysisFailed::Panicked(why)) => return Err(guard::internal_error("textDocument/hover", &why)),
        Err(AnalysisFailed::Cancelled) => return Ok(None),
    };
    Ok(analysis.hover(offset).map(|h| to_proto::hover(doc.positions(encoding), &h)))
}
