//! `workspace/didChangeConfiguration`: replace the settings, warn about invalid values, detect
//! every document's Python version again, and re-analyse every open document.

use crate::scheduler;
use crate::session::Session;
use crate::settings::Settings;
use std::sync::Arc;
use tower_lsp::lsp_types::{DidChangeConfigurationParams, MessageType};

pub(crate) async fn handle(session: &Arc<Session>, params: DidChangeConfigurationParams) {
    let (settings, warnings) = Settings::from_json(&params.settings);
    // Even unchanged settings detect again: for a client that watches no files, this is how the
    // user makes pyxray see an edited .python-version or a new virtual environment.
    if !session.set_settings(settings) {
        session.redetect();
    }
    tracing::info!("configuration received; re-analysing open documents");
    scheduler::reanalyse_all(session);
    for warning in warnings {
        tracing::warn!("{warning}");
        session.client.show_message(MessageType::WARNING, warning).await;
    }
}
