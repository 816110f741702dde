//! `textDocument/codeAction`: the quick fixes attached to pyxray's diagnostics in the range.

use crate::convert::{from_proto, to_proto};
use crate::guard;
use crate::scheduler::{self, AnalysisFailed, CancelFlag};
use crate::session::Session;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::{CodeActionOrCommand, CodeActionParams, CodeActionResponse};

pub(crate) async fn handle(session: &Session, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri;
    let Some(doc) = session.documents.get(&uri) else { return Ok(None) };
    let encoding = session.encoding();
    let range = from_proto::text_range(doc.positions(encoding), params.range);
    let analysis = match scheduler::analysis(session, &doc, &CancelFlag::default()).await {
        Ok(analysis) => analysis,
        Err(AnalysisFailed::Panicked(why)) => return Err(guard::internal_error("textDocument/codeAction", &why)),
        Err(AnalysisFailed::Cancelled) => return Ok(None),
    };
    let at = doc.positions(encoding);
    let actions = analysis
        .diagnostics()
        .iter()
        .filter(|d| d.range.start <= range.end && range.start <= d.range.end)
        .flat_map(|d| d.fixes.iter().map(move |fix| (d, fix)))
        .map(|(d, fix)| CodeActionOrCommand::CodeAction(to_proto::quick_fix(at, &uri, d, fix)))
        .collect();
    Ok(Some(actions))
}
