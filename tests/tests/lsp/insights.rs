//! What the server shows about code over the protocol: the dis listing on a function's name,
//! scope and instruction on a variable, runtime-insight diagnostics and their quick fixes as
//! code actions, in UTF-16 positions with non-ASCII text before them.

use pyxray_tests::LspClient;
use serde_json::{json, Value};

fn hover_text(client: &mut LspClient, uri: &str, line: u64, character: u64) -> String {
    let params = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
    let response = client.request("textDocument/hover", params);
    response["result"]["contents"]["value"].as_str().unwrap_or("").to_string()
}

#[test]
fn hovers_show_bytecode_and_scopes() {
    let (mut client, _) = LspClient::initialized(&["utf-16"], Value::Null);
    let uri = "file:///hover.py";
    let text = "def outer(a):\n    s = '😀'; t = a\n    return lambda: t\n";
    client.open(uri, text, 1);
    client.diagnostics(uri, 1);
    let on_def = hover_text(&mut client, uri, 0, 5);
    assert!(on_def.contains("```text") && on_def.contains("MAKE_CELL"), "{on_def}");
    // `t` after an emoji (two UTF-16 units): a cell of `outer`, stored with STORE_DEREF.
    let prefix = "    s = '😀'; ";
    let on_t = hover_text(&mut client, uri, 1, prefix.encode_utf16().count() as u64);
    assert!(on_t.contains("cell variable") && on_t.contains("STORE_DEREF"), "{on_t}");
    let on_lambda = hover_text(&mut client, uri, 2, 11);
    assert!(on_lambda.contains("`t` (from `outer`)"), "{on_lambda}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn insight_diagnostics_come_with_quick_fixes() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    let uri = "file:///fix.py";
    client.open(uri, "def f(x, acc=[]):\n    if x == None:\n        return x is 1000\n    return acc\n", 1);
    let diagnostics = client.diagnostics(uri, 1);
    let codes: Vec<&str> = diagnostics.iter().filter_map(|d| d["code"].as_str()).collect();
    for code in ["PX004", "PX006", "PX008"] {
        assert!(codes.contains(&code), "{code} missing: {diagnostics:#?}");
    }
    let range = json!({ "start": { "line": 2, "character": 0 }, "end": { "line": 2, "character": 30 } });
    let params = json!({ "textDocument": { "uri": uri }, "range": range, "context": { "diagnostics": [] } });
    let response = client.request("textDocument/codeAction", params);
    let actions = response["result"].as_array().unwrap_or_else(|| panic!("{response}"));
    let edits: Vec<&Value> = actions.iter().flat_map(|a| a["edit"]["changes"][uri].as_array().unwrap().iter()).collect();
    assert!(edits.iter().any(|e| e["newText"] == "=="), "{actions:#?}");
    assert!(client.shutdown_and_exit().success());
}
