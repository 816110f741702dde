//! pyxray's language server: the only crate that knows LSP. It keeps the open documents, converts
//! positions in the negotiated encoding, reads settings, schedules analyses off the async
//! runtime and publishes what `pyxray-insights` finds.
//!
//! Layout: `transport` (stdio framing that survives garbage), `server` (method → handler),
//! `handlers/` (one file per request or notification), `commands/` (executeCommand), `convert/`
//! (the only place positions change units), `documents`, `settings`, `detection` (the Python
//! version per document for `auto`), `scheduler`, `session`.

mod commands;
mod convert;
mod detection;
mod documents;
#[doc(hidden)]
pub mod fuzzing;
mod guard;
mod handlers;
mod scheduler;
mod server;
mod session;
mod settings;
mod transport;

/// Stack size of every runtime thread: parsing and compiling deeply nested code recurses.
pub const THREAD_STACK_SIZE: usize = 64 << 20;

/// Serves LSP over stdin/stdout until `exit` or the end of input, and returns the process exit
/// code the specification asks for: 0 if `shutdown` came first, 1 otherwise.
pub fn run_stdio() -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(THREAD_STACK_SIZE)
        .thread_name("pyxray-lsp")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!("could not start the async runtime: {e}");
            return 1;
        }
    };
    let code = runtime.block_on(async {
        let (service, socket) = server::build_service();
        let session = service.inner().session.clone();
        let ended = transport::serve_stdio(service, socket).await;
        let shutdown = session.shutdown_requested();
        tracing::info!("stopping: {ended:?}, shutdown requested: {shutdown}");
        if shutdown {
            0
        } else {
            1
        }
    });
    // Analyses still running on blocking threads are abandoned rather than awaited.
    runtime.shutdown_background();
    code
}
