//! `pyxray/disassemble` and the `pyxray.disassemble` command over the protocol: the listing of the
//! function at a position (in UTF-16, after non-ASCII text), of a function by qualname after
//! lines were inserted above it, of the whole module, and the errors for bad input.

use pyxray_insights::{nearest_supported, PythonVersion};
use pyxray_tests::LspClient;
use serde_json::{json, Value};

const TEXT: &str = "s = '😀'\n\ndef outer(a):\n    def inner():\n        return a\n    return inner\n";

fn result(response: Value) -> Value {
    response.get("result").cloned().unwrap_or_else(|| panic!("request failed: {response}"))
}

#[test]
fn disassemble_request_follows_position_qualname_and_versions() {
    let (mut client, init) = LspClient::initialized(&["utf-16"], Value::Null);
    let commands = init["capabilities"]["executeCommandProvider"]["commands"].clone();
    assert!(commands.as_array().unwrap().contains(&json!("pyxray.disassemble")), "{init}");
    let uri = "file:///dis.py";
    client.open(uri, TEXT, 1);
    let at = |line, character| json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });

    let inner = result(client.request("pyxray/disassemble", at(4, 10)));
    assert_eq!(inner["qualname"], "outer.<locals>.inner", "{inner}");
    assert_eq!((inner["version"].clone(), inner["pythonVersion"].clone()), (json!(1), json!("3.13")));
    assert_eq!(inner["range"]["start"], json!({ "line": 3, "character": 4 }));
    assert!(inner["listing"].as_str().unwrap().contains("LOAD_DEREF"), "{inner}");

    let module = result(client.request("pyxray/disassemble", json!({ "textDocument": { "uri": uri } })));
    assert_eq!((module["name"].clone(), module["range"].clone()), (json!("<module>"), Value::Null));
    assert!(module["listing"].as_str().unwrap().contains("Disassembly of <code object outer"), "{module}");

    // Two lines inserted above: the qualname still finds the function, at its new place.
    let insert = json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "import os\n\n" }]);
    client.change(uri, 2, insert);
    let params = json!({ "textDocument": { "uri": uri }, "qualname": "outer.<locals>.inner" });
    let moved = result(client.request("pyxray/disassemble", params));
    assert_eq!((moved["version"].clone(), moved["range"]["start"]["line"].clone()), (json!(2), json!(5)));

    let command = json!({ "command": "pyxray.disassemble", "arguments": [uri, { "line": 4, "character": 4 }] });
    let via_command = result(client.request("workspace/executeCommand", command));
    assert_eq!(via_command["qualname"], "outer", "{via_command}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn disassemble_errors_are_readable() {
    let (mut client, _) = LspClient::initialized(&[], json!({ "pythonVersion": "3.11" }));
    let missing = client.request("pyxray/disassemble", json!({ "textDocument": { "uri": "file:///nope.py" } }));
    assert_eq!(missing["error"]["code"], -32602, "{missing}");
    assert!(missing["error"]["message"].as_str().unwrap().contains("is not open"), "{missing}");
    let bad = client.request("workspace/executeCommand", json!({ "command": "pyxray.disassemble", "arguments": [] }));
    assert!(bad["error"]["message"].as_str().unwrap().contains("pyxray.disassemble takes"), "{bad}");
    // A version pyxray cannot compile for yet: the nearest one it can, and a note that says so.
    client.open("file:///v.py", "x = 1\n", 1);
    let listed = result(client.request("pyxray/disassemble", json!({ "textDocument": { "uri": "file:///v.py" } })));
    assert!(listed["listing"].as_str().unwrap().contains("RETURN_"), "{listed}");
    let used = nearest_supported(3, 11);
    assert_eq!(listed["pythonVersion"], json!(used.as_str()), "{listed}");
    if used != PythonVersion::V3_11 {
        let note = format!("CPython 3.11 requested (as set); pyxray compiles {used} for now.");
        assert_eq!(listed["note"], json!(note), "{listed}");
    }
    assert!(client.shutdown_and_exit().success());
}
