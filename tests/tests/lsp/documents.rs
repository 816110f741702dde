//! Documents over the protocol: diagnostics published with the document version and exact
//! ranges in the negotiated encoding (non-ASCII text, tabs, CRLF, a BOM), incremental changes,
//! stale versions, hovers, closing, and independence of documents.

use pyxray_tests::LspClient;
use serde_json::{json, Value};
use std::time::Duration;

/// The column of the end of `prefix` (the text of a line before some point) in `encoding`,
/// computed with the standard library, independently of pyxray's line index.
fn col(prefix: &str, encoding: &str) -> usize {
    match encoding {
        "utf-8" => prefix.len(),
        "utf-16" => prefix.encode_utf16().count(),
        other => panic!("unknown encoding {other}"),
    }
}

/// The one diagnostic's range as ((line, character), (line, character)).
fn only_range(diagnostics: &[Value]) -> ((u64, u64), (u64, u64)) {
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let r = &diagnostics[0]["range"];
    let pos = |p: &Value| (p["line"].as_u64().unwrap(), p["character"].as_u64().unwrap());
    (pos(&r["start"]), pos(&r["end"]))
}

/// Opens `text` in a server using `encoding` and checks that the single syntax error starts on
/// `line` right after `prefix` and spans `width` characters of that line.
fn check_error_range(encoding: &str, text: &str, line: u64, prefix: &str, width: &str) {
    let (mut client, result) = LspClient::initialized(&[encoding], Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], encoding);
    client.open("file:///t.py", text, 7);
    let diagnostics = client.diagnostics("file:///t.py", 7);
    let start = col(prefix, encoding) as u64;
    let end = col(&format!("{prefix}{width}"), encoding) as u64;
    assert_eq!(only_range(&diagnostics), ((line, start), (line, end)), "{encoding} {text:?}: {diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["severity"], 1);
    assert_eq!(d["code"], "PX001");
    assert_eq!(d["source"], "pyxray");
    assert!(d["message"].as_str().unwrap().starts_with("SyntaxError"), "{d}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn syntax_error_after_emoji_and_cjk() {
    let text = "s = \"😀漢字\"; x = = 1\n";
    for encoding in ["utf-16", "utf-8"] {
        check_error_range(encoding, text, 0, "s = \"😀漢字\"; x = ", "=");
    }
}

#[test]
fn syntax_error_after_tabs_and_crlf() {
    let text = "def f():\r\n\tif x:\r\n\t\ts = '漢'; return ==\r\n";
    for encoding in ["utf-16", "utf-8"] {
        check_error_range(encoding, text, 2, "\t\ts = '漢'; return ", "=");
    }
}

#[test]
fn syntax_error_after_a_bom() {
    // Editors usually strip the BOM, but a buffer may keep it: it is one character of line 0.
    let text = "\u{feff}x = = 1\n";
    for encoding in ["utf-16", "utf-8"] {
        check_error_range(encoding, text, 0, "\u{feff}x = ", "=");
    }
}

#[test]
fn valid_file_publishes_no_diagnostics() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    client.open("file:///ok.py", "def f(x):\n    return x + 1\n", 1);
    assert_eq!(client.diagnostics("file:///ok.py", 1), Vec::<Value>::new());
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn incremental_change_fixes_and_breaks_the_file() {
    let (mut client, _) = LspClient::initialized(&["utf-16"], Value::Null);
    let uri = "file:///inc.py";
    client.open(uri, "x = (1,\ny = '😀'\n", 1);
    assert_eq!(client.diagnostics(uri, 1).len(), 1);
    // Close the parenthesis: insert ")" at the end of line 0.
    client.change(uri, 2, json!([{ "range": { "start": { "line": 0, "character": 7 }, "end": { "line": 0, "character": 7 } }, "text": ")" }]));
    assert_eq!(client.diagnostics(uri, 2), Vec::<Value>::new());
    assert_eq!(client.server_text(uri)["text"], "x = (1,)\ny = '😀'\n");
    // Two changes in one notification: each applies to the text left by the previous one.
    client.change(
        uri,
        3,
        json!([
            { "range": { "start": { "line": 1, "character": 5 }, "end": { "line": 1, "character": 7 } }, "text": "漢" },
            { "range": { "start": { "line": 1, "character": 7 }, "end": { "line": 1, "character": 7 } }, "text": " +" },
        ]),
    );
    assert_eq!(client.server_text(uri)["text"], "x = (1,)\ny = '漢' +\n");
    let diagnostics = client.diagnostics(uri, 3);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 1);
    // A full-text change (no range) replaces everything.
    client.change(uri, 4, json!([{ "text": "z = 3\n" }]));
    assert_eq!(client.diagnostics(uri, 4), Vec::<Value>::new());
    assert_eq!(client.server_text(uri), json!({ "uri": uri, "version": 4, "text": "z = 3\n" }));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn stale_versions_are_ignored() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    let uri = "file:///stale.py";
    client.open(uri, "a = 1\n", 5);
    client.diagnostics(uri, 5);
    for stale in [5, 4, -1] {
        client.change(uri, stale, json!([{ "text": "broken = (\n" }]));
    }
    assert_eq!(client.server_text(uri), json!({ "uri": uri, "version": 5, "text": "a = 1\n" }));
    let late =
        client.maybe_notification("textDocument/publishDiagnostics", Duration::from_millis(300), |p| p["uri"] == uri);
    assert_eq!(late, None, "a stale change must not cause a publication");
    client.change(uri, 6, json!([{ "text": "b = 2\n" }]));
    assert_eq!(client.server_text(uri)["text"], "b = 2\n");
    assert!(client.stderr_contains("not newer"), "stale changes are logged:\n{}", client.stderr());
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn hover_outside_the_document_is_null() {
    let (mut client, _) = LspClient::initialized(&["utf-16"], Value::Null);
    let uri = "file:///h.py";
    client.open(uri, "x = '😀'\ny = 2\n", 1);
    let hover = |client: &mut LspClient, uri: &str, line: u32, character: u32| {
        let params = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        client.request("textDocument/hover", params)
    };
    for (line, character) in [(2, 1), (3, 0), (1000, 0), (0, 9), (1, 99), (u32::MAX, u32::MAX)] {
        let response = hover(&mut client, uri, line, character);
        assert_eq!(response.get("result"), Some(&Value::Null), "({line}, {character}): {response}");
    }
    // Inside the document the request succeeds too (what it shows is up to the analyses).
    let response = hover(&mut client, uri, 0, 0);
    assert!(response.get("result").is_some(), "{response}");
    // A document that is not open has no hover either.
    let response = hover(&mut client, "file:///not-open.py", 0, 0);
    assert_eq!(response.get("result"), Some(&Value::Null), "{response}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn code_actions_answer_with_the_quick_fixes_in_range() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    let uri = "file:///ca.py";
    client.open(uri, "x = (\n", 1);
    client.diagnostics(uri, 1);
    let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 0 } });
    let params = json!({ "textDocument": { "uri": uri }, "range": range, "context": { "diagnostics": [] } });
    let response = client.request("textDocument/codeAction", params);
    // The syntax error has no quick fix; every action offered must be a quickfix with an edit.
    let actions = response["result"].as_array().unwrap_or_else(|| panic!("{response}"));
    for action in actions {
        assert_eq!(action["kind"], "quickfix", "{action}");
        assert!(action["edit"]["changes"][uri].is_array(), "{action}");
    }
    let params =
        json!({ "textDocument": { "uri": "file:///nope.py" }, "range": range, "context": { "diagnostics": [] } });
    assert_eq!(client.request("textDocument/codeAction", params).get("result"), Some(&Value::Null));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn change_for_an_unopened_document_is_ignored() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    client.open("file:///open.py", "ok = 1\n", 1);
    client.diagnostics("file:///open.py", 1);
    client.change("file:///never-opened.py", 2, json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "x" }]));
    assert_eq!(client.server_text("file:///never-opened.py"), Value::Null);
    assert_eq!(client.server_text("file:///open.py")["text"], "ok = 1\n");
    assert!(client.stderr_contains("not open"), "{}", client.stderr());
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn documents_are_independent_and_close_clears_diagnostics() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    let (a, b) = ("file:///a.py", "file:///b.py");
    client.open(a, "a = (\n", 1);
    client.open(b, "def f(:\n    pass\n", 1);
    let da = client.diagnostics(a, 1);
    let db = client.diagnostics(b, 1);
    assert_eq!((da.len(), db.len()), (1, 1));
    // Breaking `a` badly (NUL bytes) and closing it leaves `b` alone.
    client.change(a, 2, json!([{ "text": "x = 1\0\n" }]));
    let da = client.diagnostics(a, 2);
    assert!(da[0]["message"].as_str().unwrap().contains("null bytes"), "{da:#?}");
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": a } }));
    let cleared =
        client.notification("textDocument/publishDiagnostics", |p| p["uri"] == a && p["diagnostics"] == json!([]));
    assert!(matches!(cleared.get("version"), None | Some(Value::Null)), "{cleared}");
    assert_eq!(client.server_text(a), Value::Null);
    assert_eq!(client.server_text(b), json!({ "uri": b, "version": 1, "text": "def f(:\n    pass\n" }));
    // `b` still gets fresh diagnostics.
    client.change(b, 2, json!([{ "range": { "start": { "line": 0, "character": 6 }, "end": { "line": 0, "character": 6 } }, "text": ")" }]));
    assert_eq!(client.diagnostics(b, 2), Vec::<Value>::new());
    // Reopening `a` works from scratch.
    client.open(a, "a = 1\n", 1);
    assert_eq!(client.diagnostics(a, 1), Vec::<Value>::new());
    assert!(client.shutdown_and_exit().success());
}
