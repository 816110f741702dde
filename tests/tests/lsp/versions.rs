//! The Python version per document with `pythonVersion: "auto"`: read from the workspace's
//! `.venv/pyvenv.cfg`, `.python-version` and `pyproject.toml` in that order, bounded by the
//! workspace root, detected again when those files change (watched files, didSave, configuration),
//! named with its source in hovers and in `pyxray/status`; unsupported versions named in a warning
//! shown once; and the `python3` on the server's own PATH asked only when the user opts in (a
//! fake `python3` leaves a marker file when it runs). Expected versions follow the compiler's
//! `SUPPORTED`, so these tests hold as versions are added.

use pyxray_insights::nearest_supported;
use pyxray_tests::{LspClient, Scratch};
use serde_json::{json, Value};
use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

const SOURCE: &str = "def f():\n    return 1\n";

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A server whose workspace root is `root`, with these initialization options; `watch` says
/// whether the client lets the server register file watchers. The client asks for `pyxray/status`
/// notifications.
fn server(root: &Path, options: Value, watch: bool, env: &[(&str, &OsStr)]) -> LspClient {
    let mut client = LspClient::spawn_with_env(env);
    let capabilities = json!({
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": watch } },
        "experimental": { "pyxrayStatus": true },
    });
    let folders = json!([{ "uri": uri(root), "name": "ws" }]);
    client.initialize_with(json!({
        "processId": null, "rootUri": uri(root), "workspaceFolders": folders,
        "capabilities": capabilities, "initializationOptions": options,
    }));
    client
}

/// The `pyxray/status` notification for `uri` whose `requested` is `requested`.
fn status(client: &mut LspClient, uri: &str, requested: Value) -> Value {
    client.notification("pyxray/status", |p| p["uri"] == uri && p["requested"] == requested)
}

fn hover_last_line(client: &mut LspClient, uri: &str) -> String {
    let params = json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 4 } });
    let response = client.request("textDocument/hover", params);
    let text = response["result"]["contents"]["value"].as_str().unwrap_or_else(|| panic!("{response}"));
    text.lines().last().unwrap().to_string()
}

/// The version pyxray uses for `3.minor`, as the status names it.
fn used(minor: u32) -> Value {
    json!(nearest_supported(3, minor).as_str())
}

#[test]
fn files_are_read_in_order_and_named_in_the_hover_and_the_status() {
    let ws = Scratch::new("versions-order");
    let file = ws.write("src/pkg/a.py", SOURCE);
    let a = uri(&file);
    let pyproject = ws.write("pyproject.toml", "[project]\nname = \"x\"\nrequires-python = \">=3.11\"\n");
    let mut client = server(ws.path(), Value::Null, true, &[]);
    // The client allows watchers: the server registers one per file name detection reads.
    let registration = client.server_request("client/registerCapability");
    let globs: Vec<&str> = registration["registrations"][0]["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(globs, ["**/pyvenv.cfg", "**/.python-version", "**/pyproject.toml"]);

    client.open(&a, SOURCE, 1);
    let s = status(&mut client, &a, json!("3.11"));
    assert_eq!((&s["sourceKind"], &s["pythonVersion"]), (&json!("detected"), &used(11)), "{s}");
    let from = format!("from requires-python = \">=3.11\" in {} (3.11)", pyproject.display());
    assert_eq!(s["source"], json!(from), "{s}");
    assert!(s["summary"].as_str().unwrap().contains(&from), "{s}");
    assert_eq!(hover_last_line(&mut client, &a), s["summary"].as_str().unwrap());

    // A .python-version beats pyproject.toml, even one directory further up than the file.
    let pinned = ws.write(".python-version", "3.12.4\n");
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri(&pinned), "type": 1 }] }));
    let s = status(&mut client, &a, json!("3.12.4"));
    assert_eq!(s["source"], json!(format!("from {} (3.12.4)", pinned.display())), "{s}");
    assert_eq!(s["pythonVersion"], used(12));
    assert_eq!(hover_last_line(&mut client, &a), s["summary"].as_str().unwrap());

    // A virtual environment beats both; a nearer .python-version does not beat it.
    let cfg = ws.write(".venv/pyvenv.cfg", "home = /usr/bin\nversion_info = 3.14.0.final.0\n");
    ws.write("src/.python-version", "3.11\n");
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri(&cfg), "type": 1 }] }));
    let s = status(&mut client, &a, json!("3.14.0.final.0"));
    assert_eq!(s["source"], json!(format!("from {} (3.14.0.final.0)", cfg.display())));
    let line = hover_last_line(&mut client, &a);
    assert!(line.starts_with(&format!("CPython {}", used(14).as_str().unwrap())) && line.contains("pyvenv.cfg"), "{line}");

    // The request answers the same, for any document.
    let asked = client.request("pyxray/status", json!({ "textDocument": { "uri": a } }));
    assert_eq!(asked["result"], s, "{asked}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn the_workspace_root_bounds_the_search_and_outside_files_search_a_few_levels() {
    let outer = Scratch::new("versions-root");
    outer.write(".python-version", "3.12\n");
    let ws = outer.path().join("ws");
    let inside = outer.write("ws/a.py", SOURCE);
    let outside = outer.write("elsewhere/deep/b.py", SOURCE);
    let mut client = server(&ws, Value::Null, false, &[]);
    client.open(&uri(&inside), SOURCE, 1);
    let s = status(&mut client, &uri(&inside), Value::Null);
    assert_eq!(s["sourceKind"], "default", "the .python-version above the root is not read: {s}");
    assert!(s["summary"].as_str().unwrap().contains("the default"), "{s}");
    client.open(&uri(&outside), SOURCE, 1);
    let s = status(&mut client, &uri(&outside), json!("3.12"));
    assert_eq!(s["source"], json!(format!("from {} (3.12)", outer.path().join(".python-version").display())));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn saving_or_reconfiguring_detects_again_without_watchers() {
    let ws = Scratch::new("versions-save");
    let a = uri(&ws.write("a.py", SOURCE));
    let pinned = ws.write(".python-version", "3.13\n");
    let mut client = server(ws.path(), Value::Null, false, &[]);
    client.open(&a, SOURCE, 1);
    status(&mut client, &a, json!("3.13"));
    // No watchers: the edit is seen when the file is saved in the editor…
    std::fs::write(&pinned, "3.14\n").unwrap();
    client.notify("textDocument/didSave", json!({ "textDocument": { "uri": uri(&pinned) } }));
    let s = status(&mut client, &a, json!("3.14"));
    assert_eq!(s["pythonVersion"], used(14));
    // …or when the configuration is sent again, even unchanged.
    std::fs::write(&pinned, "3.12\n").unwrap();
    client.notify("workspace/didChangeConfiguration", json!({ "settings": { "pyxray": {} } }));
    status(&mut client, &a, json!("3.12"));
    // A setting wins over the files.
    client.notify("workspace/didChangeConfiguration", json!({ "settings": { "pyxray": { "pythonVersion": "3.13" } } }));
    let s = status(&mut client, &a, json!("3.13"));
    assert_eq!((&s["sourceKind"], &s["source"]), (&json!("setting"), &json!("as set")), "{s}");
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn unsupported_versions_are_named_once_with_the_version_used() {
    let ws = Scratch::new("versions-unsupported");
    let pinned = ws.write(".python-version", "3.10\n");
    let (a, b) = (uri(&ws.write("a.py", SOURCE)), uri(&ws.write("b.py", SOURCE)));
    let mut client = server(ws.path(), Value::Null, false, &[]);
    client.open(&a, SOURCE, 1);
    let nearest = nearest_supported(3, 10);
    let expected = format!(
        "Python 3.10 (from {} (3.10)) is not supported by pyxray (it compiles {}); using the nearest supported version, {nearest}",
        pinned.display(),
        supported_list()
    );
    let shown = client.notification("window/showMessage", |p| p["message"].as_str().is_some_and(|m| m.contains("3.10")));
    assert_eq!((shown["type"].clone(), shown["message"].clone()), (json!(2), json!(format!("pyxray: {expected}"))));
    let s = status(&mut client, &a, json!("3.10"));
    assert_eq!((s["note"].clone(), s["pythonVersion"].clone()), (json!(expected), json!(nearest.as_str())), "{s}");
    assert_eq!(hover_last_line(&mut client, &a), format!("CPython {nearest} — {expected}"));
    // Once per source: another document from the same file gets the note, not another warning.
    client.open(&b, SOURCE, 1);
    status(&mut client, &b, json!("3.10"));
    let again = client.maybe_notification("window/showMessage", Duration::from_millis(500), |_| true);
    assert_eq!(again, None);
    // Python 2, from a virtual environment.
    let cfg = ws.write("venv/pyvenv.cfg", "version = 2.7.18\n");
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri(&cfg), "type": 1 }] }));
    let shown = client.notification("window/showMessage", |p| p["message"].as_str().is_some_and(|m| m.contains("2.7.18")));
    assert!(shown["message"].as_str().unwrap().contains(&format!("Python 2.7.18 (from {} (2.7.18))", cfg.display())));
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn unsupported_settings_are_named_with_the_version_used() {
    let ws = Scratch::new("versions-setting");
    let a = uri(&ws.write("a.py", SOURCE));
    for (setting, (major, minor), expected_warning) in [("2.7", (2, 7), true), ("3.15", (3, 15), true), ("3.12", (3, 12), false)] {
        let mut client = server(ws.path(), json!({ "pythonVersion": setting }), false, &[]);
        client.open(&a, SOURCE, 1);
        let s = status(&mut client, &a, json!(setting));
        let nearest = nearest_supported(major, minor);
        assert_eq!(s["pythonVersion"], json!(nearest.as_str()), "{s}");
        let warning = client.maybe_notification("window/showMessage", Duration::from_millis(500), |_| true);
        if expected_warning {
            let m = warning.unwrap()["message"].as_str().unwrap().to_string();
            assert!(m.contains(&format!("'pythonVersion' = \"{setting}\": Python {setting} (as set) is not supported")), "{m}");
            assert!(m.ends_with(&format!("nearest supported version, {nearest}")), "{m}");
        } else {
            // A version pyxray knows but does not compile yet is said in the hover, not warned about.
            assert_eq!(warning, None);
        }
        let line = hover_last_line(&mut client, &a);
        match s["note"].as_str() {
            Some(note) => assert_eq!(line, format!("CPython {nearest} — {note}")),
            None => assert_eq!(line, format!("CPython {nearest} — as set")),
        }
        assert!(client.shutdown_and_exit().success());
    }
    // A client that did not ask for pyxray/status notifications gets none (but may ask).
    let (mut client, _) = LspClient::initialized(&[], json!({ "pythonVersion": "3.13" }));
    client.open(&a, SOURCE, 1);
    client.diagnostics(&a, 1);
    assert_eq!(client.maybe_notification("pyxray/status", Duration::from_millis(500), |_| true), None);
    let asked = client.request("pyxray/status", json!({ "textDocument": { "uri": a } }));
    assert_eq!(asked["result"]["sourceKind"], "setting", "{asked}");
    assert!(client.shutdown_and_exit().success());

    // Not a version at all: named, and detection is used instead.
    let mut client = server(ws.path(), json!({ "pythonVersion": "banana" }), false, &[]);
    let shown = client.notification("window/showMessage", |_| true);
    assert!(shown["message"].as_str().unwrap().contains("\"banana\" is not a Python version"), "{shown}");
    client.open(&a, SOURCE, 1);
    assert_eq!(status(&mut client, &a, Value::Null)["sourceKind"], "default");
    assert!(client.shutdown_and_exit().success());
}

/// A `python3` that leaves `marker` when it runs and says it is 3.12.7.
fn fake_python3(dir: &Scratch, relative: &str, marker: &Path) -> std::path::PathBuf {
    let script = format!("#!/bin/sh\necho ran >> '{}'\necho 3.12.7\n", marker.display());
    let path = dir.write(relative, script);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

#[test]
fn the_python3_on_path_is_asked_only_when_opted_in_and_never_from_the_workspace() {
    let ws = Scratch::new("versions-path-ws");
    let tools = Scratch::new("versions-path-tools");
    let a = uri(&ws.write("a.py", SOURCE));
    let marker = tools.path().join("ran");
    let python3 = fake_python3(&tools, "bin/python3", &marker);
    let in_ws = ws.path().join("ran");
    fake_python3(&ws, ".venv/bin/python3", &in_ws);
    let path = std::env::join_paths([ws.path().join(".venv/bin"), tools.path().join("bin")]).unwrap();
    let env = [("PATH", path.as_os_str())];

    // Without the opt-in nothing runs, and the default is used.
    let mut client = server(ws.path(), Value::Null, false, &env);
    client.open(&a, SOURCE, 1);
    assert_eq!(status(&mut client, &a, Value::Null)["sourceKind"], "default");
    let asked = client.request("pyxray/status", json!({ "textDocument": { "uri": a } }));
    assert_eq!(asked["result"]["sourceKind"], "default");
    assert!(client.shutdown_and_exit().success());
    assert!(!marker.exists() && !in_ws.exists(), "a python3 ran without the opt-in");

    // With it, the python3 outside the workspace is asked (once), the one inside never.
    let mut client = server(ws.path(), json!({ "pyxray": { "detectFromPath": true } }), false, &env);
    client.open(&a, SOURCE, 1);
    let s = status(&mut client, &a, json!("3.12.7"));
    assert_eq!(s["source"], json!(format!("from {} on PATH (3.12.7)", python3.display())), "{s}");
    assert_eq!(s["pythonVersion"], used(12));
    client.open(&uri(&ws.write("b.py", SOURCE)), SOURCE, 1);
    assert!(client.shutdown_and_exit().success());
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "ran\n", "asked exactly once");
    assert!(!in_ws.exists(), "the python3 inside the workspace ran");

    // A file in the workspace still wins over the interpreter.
    ws.write(".python-version", "3.13\n");
    let mut client = server(ws.path(), json!({ "detectFromPath": true }), false, &env);
    client.open(&a, SOURCE, 1);
    status(&mut client, &a, json!("3.13"));
    assert!(client.shutdown_and_exit().success());
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "ran\n");
}

/// "3.13" or "3.12, 3.13 and 3.14", as the messages list the versions pyxray compiles.
fn supported_list() -> String {
    let names: Vec<&str> = pyxray_insights::SUPPORTED.iter().map(|v| v.as_str()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}
