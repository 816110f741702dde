//! `initialized`: the client is ready for notifications, so show the warnings about
//! `initializationOptions` that `initialize` could not send yet.

use crate::session::Session;
use tower_lsp::lsp_types::MessageType;

pub(crate) async fn handle(session: &Session) {
    for warning in session.take_startup_warnings() {
        session.client.show_message(MessageType::WARNING, warning).await;
    }
}
