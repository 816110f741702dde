//! The transport against tower-lsp's own: the same garbled input kills `tower_lsp::Server` (so
//! this module exists) and does not kill ours.

use super::{serve, Ended};
use crate::server::build_service;
use tokio::io::AsyncReadExt;

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{}", body.len(), body).into_bytes()
}

/// initialize (id 1), garbage, then a request (id 2) and an end of input.
fn garbled_session() -> Vec<u8> {
    let mut input = frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#);
    input.extend(b"garbage\r\n\r\n");
    input.extend(frame("{not json"));
    input.extend(frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#));
    input
}

#[tokio::test]
async fn tower_lsp_server_stops_at_the_first_garbage() {
    // Upstream behaviour (tower-lsp 0.20): after a decoding error its FramedRead ends the stream,
    // so request 2 is never answered. If this starts failing, upstream has changed.
    let (service, socket) = build_service();
    let input = garbled_session();
    let mut output = Vec::new();
    tower_lsp::Server::new(&input[..], &mut output, socket).serve(service).await;
    let output = String::from_utf8(output).unwrap();
    assert!(output.contains(r#""id":1"#), "{output}");
    assert!(!output.contains(r#""id":2"#), "{output}");
}

#[tokio::test]
async fn our_transport_survives_the_same_input() {
    let (service, socket) = build_service();
    let input = garbled_session();
    let (writer, mut reader) = tokio::io::duplex(1 << 20);
    let ended = serve(service, socket, &input[..], writer).await;
    assert_eq!(ended, Ended::EndOfInput);
    let mut output = String::new();
    reader.read_to_string(&mut output).await.unwrap();
    assert!(output.contains(r#""id":1"#), "{output}");
    assert!(output.contains(r#"{"jsonrpc":"2.0","result":null,"id":2}"#), "{output}");
    assert!(output.contains(r#""code":-32700"#), "the bad body is answered: {output}");
}
