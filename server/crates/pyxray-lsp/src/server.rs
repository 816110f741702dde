//! The tower-lsp backend: maps each LSP method to its handler in [`crate::handlers`] under a
//! panic guard, and registers pyxray's custom requests. No logic lives here.

use crate::guard;
use crate::handlers::{self, debug, disassemble, status};
use crate::session::Session;
use serde_json::Value;
use std::sync::Arc;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, ClientSocket, LanguageServer, LspService};

pub(crate) struct Backend {
    pub session: Arc<Session>,
}

/// Builds the service with every standard and custom method registered.
pub(crate) fn build_service() -> (LspService<Backend>, ClientSocket) {
    LspService::build(|client: Client| Backend { session: Arc::new(Session::new(client)) })
        .custom_method("pyxray/disassemble", Backend::disassemble)
        .custom_method("pyxray/status", Backend::status)
        .custom_method("pyxray/debugText", Backend::debug_text)
        .custom_method("pyxray/debugPanic", Backend::debug_panic)
        .finish()
}

impl Backend {
    async fn disassemble(&self, params: disassemble::DisassembleParams) -> Result<disassemble::DisassembleResult> {
        guard::request("pyxray/disassemble", disassemble::handle(&self.session, params)).await
    }

    async fn status(&self, params: status::StatusParams) -> Result<status::VersionStatus> {
        guard::request("pyxray/status", status::handle(&self.session, params)).await
    }

    async fn debug_text(&self, params: debug::DebugTextParams) -> Result<Option<debug::DebugText>> {
        guard::request("pyxray/debugText", async { debug::text(&self.session, params) }).await
    }

    async fn debug_panic(&self) -> Result<()> {
        guard::request("pyxray/debugPanic", async { debug::panic() }).await
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        guard::request("initialize", async { handlers::initialize::handle(&self.session, params) }).await
    }

    async fn initialized(&self, _: InitializedParams) {
        guard::notification("initialized", handlers::initialized::handle(&self.session)).await
    }

    async fn shutdown(&self) -> Result<()> {
        guard::request("shutdown", async { handlers::shutdown::handle(&self.session) }).await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        guard::notification("textDocument/didOpen", async { handlers::did_open::handle(&self.session, params) }).await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        guard::notification("textDocument/didChange", async { handlers::did_change::handle(&self.session, params) })
            .await
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        guard::notification("textDocument/didSave", async { handlers::did_save::handle(&self.session, params) }).await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        guard::notification("textDocument/didClose", handlers::did_close::handle(&self.session, params)).await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let handler = handlers::did_change_configuration::handle(&self.session, params);
        guard::notification("workspace/didChangeConfiguration", handler).await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let handler = async { handlers::did_change_watched_files::handle(&self.session, params) };
        guard::notification("workspace/didChangeWatchedFiles", handler).await
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let handler = async { handlers::did_change_workspace_folders::handle(&self.session, params) };
        guard::notification("workspace/didChangeWorkspaceFolders", handler).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        guard::request("textDocument/hover", handlers::hover::handle(&self.session, params)).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guard::request("textDocument/codeAction", handlers::code_action::handle(&self.session, params)).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        guard::request("workspace/executeCommand", handlers::execute_command::handle(&self.session, params)).await
    }
}
