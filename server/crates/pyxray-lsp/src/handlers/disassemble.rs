//! `pyxray/disassemble {textDocument, position?, qualname?}`: the `dis` listing of the code object
//! at `position` (the innermost function, class, lambda or comprehension there; the module
//! outside any), of the code object named `qualname` (so a side view can follow its function while
//! the lines above it change), or of the whole module when neither is given. Answers
//! `{uri, version, pythonVersion, name, qualname, range, listing, note}`, where `version` is the
//! document version the listing was computed from and `range` the code object's source (null for
//! the module). Also reachable as the `pyxray.disassemble` command.

use crate::convert::{from_proto, to_proto};
use crate::guard;
use crate::scheduler::{self, AnalysisFailed, CancelFlag};
use crate::session::Session;
use pyxray_insights::{disassemble, DisTarget};
use serde::{Deserialize, Serialize};
use tower_lsp::jsonrpc::{Error, Result};
use tower_lsp::lsp_types::{Position, Range, TextDocumentIdentifier, Url};

const METHOD: &str = "pyxray/disassemble";

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DisassembleParams {
    pub text_document: TextDocumentIdentifier,
    #[serde(default)]
    pub position: Option<Position>,
    #[serde(default)]
    pub qualname: Option<String>,
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DisassembleResult {
    pub uri: Url,
    pub version: i32,
    pub python_version: String,
    pub name: String,
    pub qualname: String,
    pub range: Option<Range>,
    pub listing: String,
    pub note: Option<String>,
}

pub(crate) async fn handle(session: &Session, params: DisassembleParams) -> Result<DisassembleResult> {
    let uri = params.text_document.uri;
    let Some(doc) = session.documents.get(&uri) else {
        return Err(Error::invalid_params(format!("{METHOD}: {uri} is not open in the server; open it first")));
    };
    let encoding = session.encoding();
    let target = match (params.qualname, params.position) {
        (Some(q), _) => DisTarget::Qualname(q),
        (None, Some(p)) => DisTarget::At(from_proto::offset(doc.positions(encoding), p)),
        (None, None) => DisTarget::Module,
    };
    let analysis = match scheduler::analysis(session, &doc, &CancelFlag::default()).await {
        Ok(analysis) => analysis,
        Err(AnalysisFailed::Panicked(why)) => return Err(guard::internal_error(METHOD, &why)),
        Err(AnalysisFailed::Cancelled) => return Err(Error::request_cancelled()),
    };
    // Rendering a whole module's listing is CPU work: keep it off the async runtime.
    let dis = match tokio::task::spawn_blocking(move || disassemble(&analysis, &target)).await {
        Ok(dis) => dis,
        Err(e) if e.is_panic() => {
            return Err(guard::internal_error(METHOD, &guard::panic_message(e.into_panic().as_ref())))
        }
        Err(_) => return Err(Error::request_cancelled()),
    };
    Ok(DisassembleResult {
        uri,
        version: doc.version,
        python_version: dis.python.as_str().to_string(),
        name: dis.name,
        qualname: dis.qualname,
        range: dis.range.map(|r| to_proto::range(doc.positions(encoding), r)),
        listing: dis.listing,
        note: dis.note,
    })
}
