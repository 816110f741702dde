//! `initialized`: the client is ready for notifications, so show the warnings about
//! `initializationOptions` that `initialize` could not send yet, and register the file watchers
//! version detection needs when the client allows it.

use crate::detection::WATCHED;
use crate::session::Session;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tower_lsp::lsp_types::{
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, MessageType, Registration,
};

pub(crate) async fn handle(session: &Arc<Session>) {
    if session.watch_files.load(Ordering::SeqCst) {
        // A request to the client: its answer is read by the transport, which runs this
        // notification to completion first, so it must not be awaited here.
        let session = session.clone();
        tokio::spawn(async move {
            if let Err(e) = session.client.register_capability(vec![watchers()]).await {
                tracing::warn!("the client refused the file watchers for version detection: {e}");
            }
        });
    }
    for warning in session.take_startup_warnings() {
        session.client.show_message(MessageType::WARNING, warning).await;
    }
}

/// `**/pyvenv.cfg`, `**/.python-version` and `**/pyproject.toml`: the files detection reads.
fn watchers() -> Registration {
    let watchers = WATCHED
        .iter()
        .map(|name| FileSystemWatcher { glob_pattern: GlobPattern::String(format!("**/{name}")), kind: None })
        .collect();
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    Registration {
        id: "pyxray-version-files".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(options).ok(),
    }
}
