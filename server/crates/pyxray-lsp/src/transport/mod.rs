//! The stdio transport: frames in, tower-lsp's service in the middle, frames out.
//!
//! This replaces `tower_lsp::Server` for two reasons. First, its codec ends the stream at the
//! first malformed header or body, which kills the server; [`framing`] skips garbage instead and
//! [`message`] answers bad JSON with the JSON-RPC error. Second, it runs up to four handlers at
//! once in whatever order they become ready (tower-lsp issue #284), so a `didChange` could be
//! applied after a later one. Here every notification runs to completion before the next
//! message is read, and every request is polled once, in arrival order, before the next message
//! is read: handlers take their snapshot of the documents before their first `.await`, so a
//! request sees exactly the edits that arrived before it. Only the rest of a request (waiting on
//! analysis) runs concurrently. A panic anywhere in a handler is caught here as a last resort
//! and answered with InternalError.

mod framing;
mod message;
mod stdio;

use crate::guard::panic_message;
use framing::{Frame, FrameReader};
use futures::{FutureExt, StreamExt};
use message::{Incoming, Rejected};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, Semaphore};
use tower_lsp::jsonrpc::{Error, ErrorCode, Id, Response};
use tower_lsp::{ClientSocket, LanguageServer, LspService};
use tower_service::Service;

/// Requests whose handlers may be waiting at once; beyond this, reading pauses (backpressure).
const MAX_IN_FLIGHT: usize = 64;
/// How long to wait for in-flight work and output at the end.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// Why serving ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ended {
    /// The client sent `exit`.
    Exit,
    /// The input stream ended (or failed) without `exit`.
    EndOfInput,
}

/// Serves `service` over `input`/`output` until `exit` or the end of the input.
pub(crate) async fn serve<S, I, O>(service: LspService<S>, socket: ClientSocket, input: I, output: O) -> Ended
where
    S: LanguageServer,
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (out_tx, out_rx) = mpsc::unbounded_channel::<String>();
    let writer = tokio::spawn(write_loop(output, out_rx));
    let ended = serve_messages(service, socket, input, out_tx).await;
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, writer).await;
    ended
}

/// Serves `service` over the process's stdin and stdout, each on a thread of its own (see
/// `stdio`), until `exit` or the end of the input.
pub(crate) async fn serve_stdio<S: LanguageServer>(service: LspService<S>, socket: ClientSocket) -> Ended {
    let (out_tx, out_rx) = mpsc::unbounded_channel::<String>();
    let Some((input, written)) = stdio::spawn(out_rx) else {
        tracing::warn!("could not start the stdio threads; using tokio's stdin and stdout");
        drop(out_tx);
        return serve(service, socket, tokio::io::stdin(), tokio::io::stdout()).await;
    };
    let ended = serve_messages(service, socket, input, out_tx).await;
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, written).await;
    ended
}

/// Reads and dispatches messages; responses go to `out_tx` (as JSON bodies, to be framed).
async fn serve_messages<S, I>(mut service: LspService<S>, socket: ClientSocket, input: I, out_tx: mpsc::UnboundedSender<String>) -> Ended
where
    S: LanguageServer,
    I: AsyncRead + Unpin,
{
    let (mut to_client, mut from_client) = socket.split();
    let forward_tx = out_tx.clone();
    let forward = tokio::spawn(async move {
        while let Some(request) = to_client.next().await {
            send(&forward_tx, &request);
        }
    });

    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut frames = FrameReader::new(input);
    let ended = loop {
        let body = match frames.next().await {
            Ok(Some(Frame::Message(body))) => body,
            Ok(Some(Frame::Garbage { skipped, reason })) => {
                tracing::warn!("skipped {skipped} bytes of input that were not a message: {reason}");
                continue;
            }
            Ok(None) => break Ended::EndOfInput,
            Err(e) => {
                tracing::error!("reading the input failed: {e}");
                break Ended::EndOfInput;
            }
        };
        let request = match message::decode(&body) {
            Ok(Incoming::Request(request)) => request,
            Ok(Incoming::Response(response)) => {
                if let Err(e) = futures::SinkExt::send(&mut from_client, response).await {
                    tracing::warn!("could not route a response from the client: {e}");
                }
                continue;
            }
            Err(Rejected::Reply(response)) => {
                tracing::warn!("rejected a message: {}", serde_json::to_string(&response).unwrap_or_default());
                send(&out_tx, &response);
                continue;
            }
            Err(Rejected::Ignore(why)) => {
                tracing::warn!("{why}");
                continue;
            }
        };
        if futures::future::poll_fn(|cx| service.poll_ready(cx)).await.is_err() {
            break Ended::Exit;
        }
        let method = request.method().to_string();
        let id = request.id().cloned();
        let call = std::panic::catch_unwind(AssertUnwindSafe(|| service.call(request)));
        let Ok(future) = call else {
            tracing::error!("dispatching {method} panicked");
            if let Some(id) = id {
                send(&out_tx, &internal_error(id, &method, "panic while dispatching"));
            }
            continue;
        };
        let guarded = catch_panics(method.clone(), id.clone(), future);
        match id {
            None => {
                // A notification: run it to completion before reading on, so state changes
                // happen in the order the client sent them.
                if let Some(response) = guarded.await {
                    send(&out_tx, &response);
                }
            }
            Some(_) => {
                let permit = in_flight.clone().acquire_owned().await;
                let mut guarded = Box::pin(guarded);
                // Poll once now: the handler takes its snapshot before reading the next message.
                match futures::poll!(guarded.as_mut()) {
                    Poll::Ready(response) => {
                        if let Some(response) = response {
                            send(&out_tx, &response);
                        }
                    }
                    Poll::Pending => {
                        let out_tx = out_tx.clone();
                        tokio::spawn(async move {
                            if let Some(response) = guarded.await {
                                send(&out_tx, &response);
                            }
                            drop(permit);
                        });
                    }
                }
            }
        }
        if method == "exit" {
            break Ended::Exit;
        }
    };

    // Let in-flight requests finish (after `exit` tower-lsp has cancelled them), then flush.
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, in_flight.acquire_many(MAX_IN_FLIGHT as u32)).await;
    forward.abort();
    let _ = forward.await;
    drop(out_tx);
    ended
}

/// Runs a handler future, turning a panic into an InternalError response (for requests) or a
/// log line (for notifications).
fn catch_panics<F>(method: String, id: Option<Id>, future: F) -> impl Future<Output = Option<Response>> + Send
where
    F: Future<Output = Result<Option<Response>, tower_lsp::ExitedError>> + Send,
{
    AssertUnwindSafe(future).catch_unwind().map(move |result| match result {
        Ok(Ok(response)) => response,
        Ok(Err(_exited)) => None,
        Err(payload) => {
            let why = panic_message(payload.as_ref());
            tracing::error!("handler for {method} panicked: {why}");
            id.map(|id| internal_error(id, &method, &why))
        }
    })
}

fn internal_error(id: Id, method: &str, why: &str) -> Response {
    let message = format!("pyxray: internal error while handling {method}: {why}");
    Response::from_error(id, Error { code: ErrorCode::InternalError, message: message.into(), data: None })
}

fn send<T: serde::Serialize>(out: &mpsc::UnboundedSender<String>, message: &T) {
    match serde_json::to_string(message) {
        Ok(json) => {
            let _ = out.send(json);
        }
        Err(e) => tracing::error!("could not serialise an outgoing message: {e}"),
    }
}

async fn write_loop<O: AsyncWrite + Unpin>(output: O, mut rx: mpsc::UnboundedReceiver<String>) {
    let mut output = pin!(output);
    let mut broken = false;
    while let Some(json) = rx.recv().await {
        if broken {
            continue;
        }
        // One write per message: each write to tokio's stdout is a hop to a blocking thread.
        let frame = frame(&json);
        let result = async {
            output.write_all(frame.as_bytes()).await?;
            if rx.is_empty() {
                output.flush().await?;
            }
            Ok::<_, std::io::Error>(())
        }
        .await;
        if let Err(e) = result {
            tracing::error!("writing to the client failed: {e}; dropping further output");
            broken = true;
        }
    }
    let _ = output.flush().await;
}

/// A message body with its Content-Length header.
fn frame(json: &str) -> String {
    let mut frame = format!("Content-Length: {}\r\n\r\n", json.len());
    frame.push_str(json);
    frame
}

#[cfg(test)]
mod tests;
