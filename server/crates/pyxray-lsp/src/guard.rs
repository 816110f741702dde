//! Keeping a panic in one handler from taking the server down: each handler body runs under
//! `catch_unwind`; a panic is logged and, for a request, answered with InternalError.

use futures::FutureExt;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use tower_lsp::jsonrpc::{Error, ErrorCode, Result};

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

pub(crate) fn internal_error(method: &str, why: &str) -> Error {
    Error {
        code: ErrorCode::InternalError,
        message: format!("pyxray: internal error while handling {method}: {why}").into(),
        data: None,
    }
}

/// Runs a request handler; a panic becomes an InternalError response.
pub(crate) async fn request<T>(method: &'static str, handler: impl Future<Output = Result<T>>) -> Result<T> {
    match AssertUnwindSafe(handler).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => {
            let why = panic_message(payload.as_ref());
            tracing::error!("{method} panicked: {why}");
            Err(internal_error(method, &why))
        }
    }
}

/// Runs a notification handler; a panic is logged.
pub(crate) async fn notification(method: &'static str, handler: impl Future<Output = ()>) {
    if let Err(payload) = AssertUnwindSafe(handler).catch_unwind().await {
        tracing::error!("{method} panicked: {}", panic_message(payload.as_ref()));
    }
}
