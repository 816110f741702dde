//! Bad input never kills the server or loses another document's state: malformed framing,
//! invalid JSON, JSON that is not JSON-RPC, a 10 MB document, NUL bytes, 100,000 nested
//! parentheses.

use pyxray_tests::LspClient;
use serde_json::{json, Value};
use std::time::Instant;

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// The server still holds `uri` with `text` and answers requests.
fn still_serving(client: &mut LspClient, uri: &str, text: &str) {
    assert_eq!(client.server_text(uri)["text"], text, "stderr:\n{}", client.stderr());
}

#[test]
fn malformed_framing_is_skipped() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    client.open("file:///keep.py", "keep = 1\n", 1);
    let garbage: [&[u8]; 6] = [
        b"this is not a header\r\n\r\n",
        b"Content-Length: banana\r\n\r\n{}",
        b"Content-Length: 99999999999999999999999\r\n\r\n",
        b"X-Nonsense\r\n\r\n",
        b"\x00\xff\xfe binary junk without any terminator ",
        b"\r\n\r\n\r\n",
    ];
    for junk in garbage {
        client.send_raw(junk);
        still_serving(&mut client, "file:///keep.py", "keep = 1\n");
    }
    // Garbage glued directly to the front of a valid message.
    let mut glued = b"junk!".to_vec();
    glued.extend(frame(br#"{"jsonrpc":"2.0","id":"glued","method":"pyxray/debugText","params":{"textDocument":{"uri":"file:///keep.py"}}}"#));
    client.send_raw(&glued);
    still_serving(&mut client, "file:///keep.py", "keep = 1\n");
    assert!(client.stderr_contains("not a message"), "garbage is logged:\n{}", client.stderr());
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn invalid_json_gets_parse_error() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    client.open("file:///keep.py", "keep = 1\n", 1);
    for body in [&b"{not json"[..], b"", b"\xff\xfe", b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}", b"{\"a\":"] {
        if body.is_empty() {
            client.send_raw(b"Content-Length: 0\r\n\r\n");
        } else {
            client.send_raw(&frame(body));
        }
        let response = client.null_id_response();
        assert_eq!(response["error"]["code"], -32700, "{body:?}: {response}");
        still_serving(&mut client, "file:///keep.py", "keep = 1\n");
    }
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn json_that_is_not_json_rpc_gets_invalid_request() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    client.open("file:///keep.py", "keep = 1\n", 1);
    let cases: [(&str, Value); 5] = [
        ("[1, 2, 3]", Value::Null),
        ("42", Value::Null),
        (r#"{"hello": "world"}"#, Value::Null),
        (r#"{"jsonrpc": "1.0", "id": 5, "method": "shutdown"}"#, json!(5)),
        (r#"{"jsonrpc": "2.0", "id": 6, "method": 17}"#, json!(6)),
    ];
    for (body, id) in cases {
        client.send_raw(&frame(body.as_bytes()));
        let response = if id.is_null() { client.null_id_response() } else { client.response(id.as_i64().unwrap()) };
        assert_eq!(response["error"]["code"], -32600, "{body}: {response}");
        still_serving(&mut client, "file:///keep.py", "keep = 1\n");
    }
    // A stray response to a request the server never sent is ignored.
    client.send_raw(&frame(br#"{"jsonrpc":"2.0","id":12345,"result":{}}"#));
    still_serving(&mut client, "file:///keep.py", "keep = 1\n");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn ten_megabyte_document() {
    let (mut client, _) = LspClient::initialized(&["utf-16"], Value::Null);
    // Mostly comments (with non-ASCII text), so that the time goes to the transport, the
    // document store and the line index rather than to parsing in a debug build.
    let line = "# a comment line with some text, 漢字 and 😀, to make the document big\n";
    let mut text = String::from("def f(x):\n    return x + 1\n");
    text.push_str(&line.repeat(10 * 1024 * 1024 / line.len()));
    text.push_str("broken = (\n");
    assert!(text.len() >= 10 * 1024 * 1024);
    let started = Instant::now();
    client.open("file:///big.py", &text, 1);
    client.open("file:///small.py", "small = 1\n", 1);
    // The small document is served while the big one is being analysed.
    assert_eq!(client.diagnostics("file:///small.py", 1), Vec::<Value>::new());
    let diagnostics = client.diagnostics("file:///big.py", 1);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let lines = text.lines().count() as u64;
    // On the last line, or at the end of the file just after it.
    let line = diagnostics[0]["range"]["start"]["line"].as_u64().unwrap();
    assert!(line == lines - 1 || line == lines, "line {line} of {lines}: {diagnostics:#?}");
    // Edits at the very end and in the middle of the big document.
    let end = json!({ "line": lines - 1, "character": 10 });
    let middle = json!({ "line": lines / 2, "character": 40 });
    client.change(
        "file:///big.py",
        2,
        json!([
            { "range": { "start": end, "end": end }, "text": "1)" },
            { "range": { "start": middle, "end": middle }, "text": "🇫🇷" },
        ]),
    );
    assert_eq!(client.diagnostics("file:///big.py", 2), Vec::<Value>::new());
    let server = client.server_text("file:///big.py");
    let server = server["text"].as_str().unwrap();
    assert_eq!(server.len(), text.len() + 2 + "🇫🇷".len());
    assert!(server.ends_with("broken = (1)\n"));
    let middle_line = server.lines().nth((lines / 2) as usize).unwrap();
    // UTF-16 column 40 is just before the 😀 (33 ASCII characters, 漢字, then " and ").
    assert_eq!(middle_line, "# a comment line with some text, 漢字 and 🇫🇷😀, to make the document big");
    eprintln!("10 MB document: opened, analysed, edited and re-analysed in {:?}", started.elapsed());
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn nul_bytes() {
    let (mut client, _) = LspClient::initialized(&["utf-16"], Value::Null);
    let text = "x = '漢'\0\ny = 2\n";
    client.open("file:///nul.py", text, 1);
    let diagnostics = client.diagnostics("file:///nul.py", 1);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert!(diagnostics[0]["message"].as_str().unwrap().contains("null bytes"), "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["range"]["start"], json!({ "line": 0, "character": 7 }));
    still_serving(&mut client, "file:///nul.py", text);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn hundred_thousand_nested_parentheses() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    let depth = 100_000;
    let text = format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
    client.open("file:///deep.py", &text, 1);
    client.open("file:///other.py", "other = (\n", 1);
    let diagnostics = client.diagnostics("file:///deep.py", 1);
    assert!(!diagnostics.is_empty());
    assert!(
        diagnostics.iter().any(|d| d["message"].as_str().unwrap().contains("too many nested parentheses")),
        "{diagnostics:#?}"
    );
    assert_eq!(client.diagnostics("file:///other.py", 1).len(), 1);
    // Unclosed, too, and deeply nested brackets of every kind.
    let text = format!("y = {}\n", "([{".repeat(depth / 3));
    client.change("file:///deep.py", 2, json!([{ "text": text }]));
    let diagnostics = client.diagnostics("file:///deep.py", 2);
    assert!(!diagnostics.is_empty());
    // Deep nesting without brackets is refused as CPython's compiler refuses it.
    client.change("file:///deep.py", 3, json!([{ "text": format!("z = {}1\n", "-".repeat(depth)) }]));
    let diagnostics = client.diagnostics("file:///deep.py", 3);
    assert!(
        diagnostics.iter().any(|d| d["message"].as_str().unwrap().contains("maximum recursion depth")),
        "{diagnostics:#?}"
    );
    let hover = json!({ "textDocument": { "uri": "file:///deep.py" }, "position": { "line": 0, "character": 50 } });
    assert!(client.request("textDocument/hover", hover).get("result").is_some());
    still_serving(&mut client, "file:///other.py", "other = (\n");
    assert!(client.shutdown_and_exit().success());
}
