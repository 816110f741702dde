//! `workspace/didChangeConfiguration`: replace the settings, warn about invalid values, and
//! re-analyse every open document if anything changed.

use crate::scheduler;
use crate::session::Session;
use crate::settings::Settings;
use std::sync::Arc;
use std::time::Duration;
use tower_lsp::lsp_types::{DidChangeConfigurationParams, MessageType};

pub(crate) async fn handle(session: &Arc<Session>, params: DidChangeConfigurationParams) {
    let (settings, warnings) = Settings::from_json(&params.settings);
    if session.set_settings(settings) {
        tracing::info!("settings changed; re-analysing open documents");
        for uri in session.documents.uris() {
            scheduler::schedule(session, &uri, Duration::ZERO);
        }
    }
    for warning in warnings {
        tracing::warn!("{warning}");
        session.client.show_message(MessageType::WARNING, warning).await;
    }
}
