//! Settings from `initializationOptions` and `workspace/didChangeConfiguration`: both shapes,
//! warnings for invalid values (with the defaults kept), and re-analysis when they change.

use pyxray_insights::nearest_supported;
use pyxray_tests::LspClient;
use serde_json::{json, Value};
use std::time::Duration;

fn warning(client: &mut LspClient, needle: &str) -> String {
    let params =
        client.notification("window/showMessage", |p| p["message"].as_str().is_some_and(|m| m.contains(needle)));
    assert_eq!(params["type"], 2, "a Warning: {params}");
    params["message"].as_str().unwrap().to_string()
}

#[test]
fn invalid_initialization_options_warn_after_initialized() {
    let options = json!({ "pyxray": {
        "pythonVersion": "3.10",
        "diagnostics": { "no-such-check": false, "syntax-error": "off" },
        "colour": "blue"
    }});
    let (mut client, _) = LspClient::initialized(&[], options);
    let m = warning(&mut client, "'pyxray.pythonVersion'");
    let used = nearest_supported(3, 10);
    assert!(m.contains("3.10") && m.contains(&format!("version, {used}")), "names the value and the version used instead: {m}");
    let m = warning(&mut client, "no-such-check");
    assert!(m.contains("syntax-error"), "lists the known names: {m}");
    let m = warning(&mut client, "diagnostics.syntax-error");
    assert!(m.contains("\"off\""), "{m}");
    warning(&mut client, "pyxray.colour");
    // The invalid switch kept its default (on): syntax errors are still reported.
    client.open("file:///a.py", "x = (\n", 1);
    assert_eq!(client.diagnostics("file:///a.py", 1).len(), 1);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn valid_options_need_no_warning_and_switch_diagnostics_off() {
    let options = json!({ "pythonVersion": "3.12", "diagnostics": { "syntax-error": false } });
    let (mut client, _) = LspClient::initialized(&[], options);
    client.open("file:///a.py", "x = (\n", 1);
    assert_eq!(client.diagnostics("file:///a.py", 1), Vec::<Value>::new());
    let shown = client.maybe_notification("window/showMessage", Duration::from_millis(200), |_| true);
    assert_eq!(shown, None);
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn configuration_changes_reanalyse_open_documents() {
    let (mut client, _) = LspClient::initialized(&[], Value::Null);
    client.open("file:///a.py", "x = (\n", 1);
    client.open("file:///b.py", "y = )\n", 1);
    assert_eq!(client.diagnostics("file:///a.py", 1).len(), 1);
    assert_eq!(client.diagnostics("file:///b.py", 1).len(), 1);

    // Switch syntax errors off (wrapped shape): both documents are republished, empty.
    let settings = json!({ "settings": { "pyxray": { "diagnostics": { "syntax-error": false } } } });
    client.notify("workspace/didChangeConfiguration", settings);
    assert_eq!(client.diagnostics("file:///a.py", 1), Vec::<Value>::new());
    assert_eq!(client.diagnostics("file:///b.py", 1), Vec::<Value>::new());

    // Invalid values (bare shape): a warning per setting, defaults in force, so errors are back.
    let settings = json!({ "settings": { "pythonVersion": "3.15", "diagnostics": { "syntax-error": 0 } } });
    client.notify("workspace/didChangeConfiguration", settings);
    let m = warning(&mut client, "'pythonVersion' =");
    assert!(m.contains("3.15") && m.contains(&format!("version, {}", nearest_supported(3, 15))), "{m}");
    warning(&mut client, "diagnostics.syntax-error");
    assert_eq!(client.diagnostics("file:///a.py", 1).len(), 1);

    // Not even an object.
    client.notify("workspace/didChangeConfiguration", json!({ "settings": { "pyxray": [1, 2] } }));
    warning(&mut client, "must be an object");
    client
        .notify("workspace/didChangeConfiguration", json!({ "settings": { "pyxray": { "pythonVersion": "latest" } } }));
    let m = warning(&mut client, "latest");
    assert!(m.contains("auto"), "{m}");
    assert!(client.shutdown_and_exit().success());
}
