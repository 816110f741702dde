//! `workspace/executeCommand`: runs one of the commands in [`crate::commands`].

use crate::commands;
use crate::session::Session;
use serde_json::Value;
use std::sync::Arc;
use tower_lsp::jsonrpc::{Error, Result};
use tower_lsp::lsp_types::ExecuteCommandParams;

pub(crate) async fn handle(session: &Arc<Session>, params: ExecuteCommandParams) -> Result<Option<Value>> {
    match commands::find(&params.command) {
        Some(command) => (command.run)(session.clone(), params.arguments).await,
        None => Err(Error::invalid_params(format!("unknown command {:?}", params.command))),
    }
}
