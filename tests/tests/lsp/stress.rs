//! The server under abuse: JSON with lone surrogates, a thousand edits sent without waiting, fifty
//! open documents, storms of cancelled requests, a client that vanishes. It must keep serving,
//! answer within the stated budgets and keep its memory bounded.

use pyxray_tests::LspClient;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Generous budgets for a debug build on a busy two-core machine; a release build is far faster.
const EDIT_STORM_BUDGET: Duration = Duration::from_secs(20);
const PEAK_MEMORY_BUDGET_MIB: u64 = 1024;

fn frame(body: &str) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

#[test]
fn lone_surrogates_in_json_strings_are_refused_without_harm() {
    let (mut client, _) = LspClient::initialized(&["utf-16"], Value::Null);
    // A lone surrogate escape is not valid JSON text for a Rust string: the message is refused.
    let bad = r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///s.py","languageId":"python","version":1,"text":"x = '\ud800'\n"}}}"#;
    client.send_raw(&frame(bad));
    // A valid surrogate pair is an emoji, and positions after it count two UTF-16 units.
    let good = r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///p.py","languageId":"python","version":1,"text":"x = '\ud83d\ude00' +\n"}}}"#;
    client.send_raw(&frame(good));
    let diagnostics = client.diagnostics("file:///p.py", 1);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(client.server_text("file:///s.py"), Value::Null, "the refused document is not open");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_thousand_edits_without_waiting() {
    let (mut client, _) = LspClient::initialized(&["utf-16"], Value::Null);
    let uri = "file:///storm.py";
    client.open(uri, "", 0);
    let started = Instant::now();
    let mut expected = String::new();
    for version in 1..=1000i64 {
        let line = (version - 1) as u64;
        let text = format!("x{version} = '😀{version}'\n");
        client.change(uri, version, json!([{ "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 0 } }, "text": text }]));
        expected.push_str(&text);
    }
    let diagnostics = client.diagnostics(uri, 1000);
    let elapsed = started.elapsed();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert!(elapsed < EDIT_STORM_BUDGET, "1,000 edits took {elapsed:?} to settle");
    assert_eq!(client.server_text(uri)["text"], Value::String(expected));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn fifty_open_documents_stay_independent() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    for k in 0..50 {
        let text = if k % 2 == 0 { format!("v{k} = {k}\n") } else { format!("v{k} = (\n") };
        client.open(&format!("file:///d{k}.py"), &text, 1);
    }
    for k in 0..50 {
        let diagnostics = client.diagnostics(&format!("file:///d{k}.py"), 1);
        assert_eq!(diagnostics.len(), k % 2, "document {k}: {diagnostics:#?}");
    }
    for k in 0..50 {
        client.notify("textDocument/didClose", json!({ "textDocument": { "uri": format!("file:///d{k}.py") } }));
    }
    assert_eq!(client.server_text("file:///d7.py"), Value::Null);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn cancellation_storm() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    let uri = "file:///c.py";
    client.open(uri, "def f(a):\n    return a is 1000\n", 1);
    client.diagnostics(uri, 1);
    let ids: Vec<i64> = (0..200)
        .map(|k| {
            let params = json!({ "textDocument": { "uri": uri }, "position": { "line": k % 2, "character": 5 } });
            let id = client.send_request("textDocument/hover", params);
            client.notify("$/cancelRequest", json!({ "id": id }));
            id
        })
        .collect();
    for id in ids {
        let response = client.response(id);
        let ok = response.get("result").is_some() || response["error"]["code"] == json!(-32800);
        assert!(ok, "{response}");
    }
    let params = json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 5 } });
    let hover = client.request("textDocument/hover", params);
    assert!(hover["result"]["contents"]["value"].as_str().is_some_and(|v| v.contains("```text")), "{hover}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn a_client_that_disappears_ends_the_server() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    client.open("file:///gone.py", "x = 1\n", 1);
    client.send_request("textDocument/hover", json!({ "textDocument": { "uri": "file:///gone.py" }, "position": { "line": 0, "character": 0 } }));
    client.close_stdin();
    // No shutdown was requested: the server exits, with code 1 as the protocol says.
    let status = client.wait_exit();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn memory_stays_bounded_on_a_large_document() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    // Code every 20 lines, comments otherwise: big for the transport and the stores, and still
    // quick to analyse in a debug build.
    let block = format!("value = compute(alpha, beta) + 12345 * 'text'\n{}", "# filler comment line, 漢字 😀\n".repeat(19));
    let text = block.repeat(10 * 1024 * 1024 / block.len());
    client.open("file:///big.py", &text, 1);
    client.diagnostics("file:///big.py", 1);
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": "file:///big.py" } }));
    if let Some(peak) = client.peak_memory_mib() {
        assert!(peak < PEAK_MEMORY_BUDGET_MIB, "peak memory {peak} MiB for a 10 MB document");
    }
    assert!(client.shutdown_and_exit().success());
}
