//! `pyxray/status`, which CPython version pyxray uses for a document and why, in both directions:
//! - the server sends it as a notification after an analysis whenever it changed for that
//!   document, to clients that ask for it with `capabilities.experimental.pyxrayStatus: true`
//!   (others may warn about a notification they do not know); and to every client, once per
//!   message, a `window/showMessage` warning when the version asked for is one pyxray does not
//!   support at all;
//! - a client may ask for it with the request `pyxray/status {textDocument: {uri}}`.
//!
//! Either way it is `{uri, pythonVersion, requested, source, sourceKind, note, summary}`, where
//! `pythonVersion` is the version pyxray compiles for ("3.13"), `requested` the version asked for
//! as written ("3.12.1"; null for the default), `sourceKind` one of "default", "setting",
//! "detected", `source` who asked in words ("from /ws/.venv/pyvenv.cfg (3.12.1)"), `note` why the
//! version used is not the one asked for (null when it is) and `summary` the line hovers end with.

use crate::guard;
use crate::session::Session;
use pyxray_insights::{AnalysisConfig, VersionSource};
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;
use tower_lsp::jsonrpc::{Error, Result};
use tower_lsp::lsp_types::notification::Notification;
use tower_lsp::lsp_types::{MessageType, TextDocumentIdentifier, Url};

const METHOD: &str = "pyxray/status";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VersionStatus {
    pub uri: Url,
    pub python_version: String,
    pub requested: Option<String>,
    pub source_kind: String,
    pub source: String,
    pub note: Option<String>,
    pub summary: String,
}

impl VersionStatus {
    pub fn new(uri: Url, config: &AnalysisConfig) -> Self {
        let origin = &config.version_origin;
        let kind = match origin.source {
            VersionSource::Default => "default",
            VersionSource::Setting => "setting",
            VersionSource::Detected(_) => "detected",
        };
        VersionStatus {
            uri,
            python_version: config.python.as_str().to_string(),
            requested: origin.requested.clone(),
            source_kind: kind.to_string(),
            source: origin.describe_source(),
            note: config.version_note(),
            summary: config.describe_version(),
        }
    }
}

pub(crate) enum StatusNotification {}

impl Notification for StatusNotification {
    type Params = VersionStatus;
    const METHOD: &'static str = METHOD;
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatusParams {
    pub text_document: TextDocumentIdentifier,
}

/// Tells the client the status of `uri` under `config` if it changed since last time, and warns
/// (once) about a detected version pyxray does not support. A setting's unsupported version is
/// warned about when the settings are read.
pub(crate) async fn publish(session: &Session, uri: &Url, config: &AnalysisConfig) {
    let status = VersionStatus::new(uri.clone(), config);
    let wanted = session.status_notifications.load(Ordering::SeqCst);
    if wanted && session.statuses.insert(uri.clone(), status.clone()).as_ref() != Some(&status) {
        session.client.send_notification::<StatusNotification>(status).await;
    }
    let Some(warning) = config.version_warning() else { return };
    if config.version_origin.source != VersionSource::Setting && session.detection.first_time(&warning) {
        tracing::warn!("{warning}");
        session.client.show_message(MessageType::WARNING, warning).await;
    }
}

/// The request: the status of any document, open or not, as its next analysis will see it.
pub(crate) async fn handle(session: &Session, params: StatusParams) -> Result<VersionStatus> {
    let uri = params.text_document.uri;
    let (_, settings) = session.settings();
    let detection = session.detection.clone();
    let task_uri = uri.clone();
    // Detection reads files (and, when opted in, runs the python3 on PATH): not on the runtime.
    match tokio::task::spawn_blocking(move || detection.config_for(&settings, &task_uri)).await {
        Ok(config) => Ok(VersionStatus::new(uri, &config)),
        Err(e) if e.is_panic() => Err(guard::internal_error(METHOD, &guard::panic_message(e.into_panic().as_ref()))),
        Err(_) => Err(Error::request_cancelled()),
    }
}
