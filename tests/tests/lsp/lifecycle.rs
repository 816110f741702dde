//! Initialization, position-encoding negotiation, the request/response basics and the
//! shutdown/exit codes the LSP specification prescribes.

use pyxray_tests::LspClient;
use serde_json::{json, Value};

#[test]
fn initialize_prefers_utf8_when_offered() {
    let (client, result) = LspClient::initialized(&["utf-16", "utf-8"], Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(result["serverInfo"]["name"], "pyxray");
    assert_eq!(result["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    let caps = &result["capabilities"];
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync: {caps}");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["codeActionProvider"]["codeActionKinds"], json!(["quickfix"]));
    assert!(caps["executeCommandProvider"]["commands"].is_array(), "{caps}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn initialize_falls_back_to_utf16() {
    for offered in [&[][..], &["utf-16"][..], &["utf-32", "utf-16"][..], &["latin-1"][..]] {
        let (client, result) = LspClient::initialized(offered, Value::Null);
        assert_eq!(result["capabilities"]["positionEncoding"], "utf-16", "offered {offered:?}");
        assert!(client.shutdown_and_exit().success());
    }
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut client = LspClient::spawn();
    let hover = json!({ "textDocument": { "uri": "file:///a.py" }, "position": { "line": 0, "character": 0 } });
    let response = client.request("textDocument/hover", hover);
    assert_eq!(response["error"]["code"], -32002, "{response}");
    // A notification before initialize is dropped silently; the server still initializes.
    client.open("file:///a.py", "x = (\n", 1);
    client.initialize(&[], Value::Null);
    let text = client.server_text("file:///a.py");
    assert_eq!(text, Value::Null, "didOpen before initialize must be ignored");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn unknown_methods() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    let response = client.request("pyxray/noSuchThing", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    // Unknown notifications (including `$/` ones) are ignored without a reply.
    client.notify("pyxray/noSuchNotification", json!({}));
    client.notify("$/setTrace", json!({ "value": "off" }));
    let response = client.request("workspace/executeCommand", json!({ "command": "pyxray.nope", "arguments": [] }));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let response = client.request("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(response["error"]["code"], -32602, "bad params are InvalidParams: {response}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn exit_code_is_zero_after_shutdown() {
    let (client, _) = LspClient::initialized(&[], Value::Null);
    let status = client.shutdown_and_exit();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_code_is_one_without_shutdown() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1));

    // Exit before initialize, too.
    let mut client = LspClient::spawn();
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1));

    // And the end of input without exit.
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    client.close_stdin();
    assert_eq!(client.wait_exit().code(), Some(1));
}

#[test]
fn requests_after_shutdown_are_invalid() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    let response = client.request("shutdown", Value::Null);
    assert_eq!(response.get("result"), Some(&Value::Null), "{response}");
    let response = client.request("pyxray/debugText", json!({ "textDocument": { "uri": "file:///a.py" } }));
    assert_eq!(response["error"]["code"], -32600, "{response}");
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(0));
}

#[test]
fn a_panicking_handler_is_answered_and_the_server_lives_on() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    client.open("file:///a.py", "x = 1\n", 1);
    let response = client.request("pyxray/debugPanic", Value::Null);
    assert_eq!(response["error"]["code"], -32603, "{response}");
    assert!(response["error"]["message"].as_str().unwrap().contains("internal error"), "{response}");
    assert_eq!(client.server_text("file:///a.py")["text"], "x = 1\n");
    assert!(client.stderr_contains("panicked"), "the panic is logged");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn cancelled_requests_do_not_break_anything() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    client.open("file:///a.py", "x = 1\n", 1);
    let id = client.send_request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///a.py" }, "position": { "line": 0, "character": 0 } }),
    );
    client.notify("$/cancelRequest", json!({ "id": id }));
    // Either answered before the cancel arrived, or cancelled (-32800); never silence.
    let response = client.response(id);
    assert!(response.get("result").is_some() || response["error"]["code"] == -32800, "{response}");
    assert_eq!(client.server_text("file:///a.py")["version"], 1);
    assert!(client.shutdown_and_exit().success());
}
