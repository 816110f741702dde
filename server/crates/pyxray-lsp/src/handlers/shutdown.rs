//! `shutdown`: remembered so that `exit` can end the process with code 0 (1 without it). The
//! state machine itself (refusing requests afterwards) is tower-lsp's.

use crate::session::Session;
use tower_lsp::jsonrpc::Result;

pub(crate) fn handle(session: &Session) -> Result<()> {
    tracing::info!("shutdown requested");
    session.request_shutdown();
    Ok(())
}
