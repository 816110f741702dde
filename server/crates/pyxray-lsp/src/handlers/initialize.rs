//! `initialize`: negotiates the position encoding (UTF-8 when the client offers it, else
//! UTF-16), reads `initializationOptions` as settings, notes the workspace roots (which bound
//! version detection), whether the client lets the server watch files and wants `pyxray/status`
//! notifications (`capabilities.experimental.pyxrayStatus: true`), and advertises what pyxray can
//! do.

use crate::commands;
use crate::convert::{from_proto, to_proto};
use crate::session::Session;
use crate::settings::Settings;
use pyxray_insights::PositionEncoding;
use std::sync::atomic::Ordering;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

pub(crate) fn handle(session: &Session, params: InitializeParams) -> Result<InitializeResult> {
    let encoding = negotiate_encoding(&params.capabilities);
    session.set_encoding(encoding);
    let (settings, warnings) =
        Settings::from_json(params.initialization_options.as_ref().unwrap_or(&serde_json::Value::Null));
    for w in &warnings {
        tracing::warn!("{w}");
    }
    session.push_startup_warnings(warnings);
    session.set_settings(settings);
    let roots = from_proto::workspace_roots(&params);
    tracing::info!("initialized with position encoding {encoding:?}, workspace roots {roots:?}");
    session.detection.set_roots(roots);
    let watch = params.capabilities.workspace.as_ref().and_then(|w| w.did_change_watched_files.as_ref());
    session.watch_files.store(watch.and_then(|w| w.dynamic_registration) == Some(true), Ordering::SeqCst);
    let experimental = params.capabilities.experimental.as_ref();
    let wants_status = experimental.and_then(|e| e.get("pyxrayStatus")) == Some(&serde_json::Value::Bool(true));
    session.status_notifications.store(wants_status, Ordering::SeqCst);
    Ok(InitializeResult { capabilities: capabilities(encoding), server_info: Some(server_info()) })
}

fn negotiate_encoding(capabilities: &ClientCapabilities) -> PositionEncoding {
    let offered: Vec<PositionEncoding> = capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .map(|kinds| kinds.iter().filter_map(from_proto::encoding).collect())
        .unwrap_or_default();
    if offered.contains(&PositionEncoding::Utf8) {
        PositionEncoding::Utf8
    } else {
        PositionEncoding::Utf16
    }
}

fn capabilities(encoding: PositionEncoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(to_proto::encoding(encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::Supported(true)),
            ..Default::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: commands::names().map(String::from).collect(),
            ..Default::default()
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}

fn server_info() -> ServerInfo {
    ServerInfo { name: "pyxray".to_string(), version: Some(env!("CARGO_PKG_VERSION").to_string()) }
}
