//! The VS Code extension's settings must match the server: one `pyxray.diagnostics.<name>` switch
//! per registry entry (default on, described by its code and summary) and no other, and the
//! `pyxray.pythonVersion` choices must be `auto` plus every version pyxray knows. On a mismatch the
//! failure prints the exact entries to paste into `editors/vscode/package.json`.

use pyxray_insights::{PythonVersion, REGISTRY};
use serde_json::{json, Map, Value};

fn properties() -> Map<String, Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../editors/vscode/package.json");
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("package.json")).expect("JSON");
    manifest["contributes"]["configuration"]["properties"].as_object().expect("properties").clone()
}

#[test]
fn one_vscode_switch_per_diagnostic() {
    let expected: Map<String, Value> = REGISTRY
        .iter()
        .map(|c| {
            let description = format!("`{}` · {}", c.code, c.summary);
            let entry = json!({ "type": "boolean", "default": true, "markdownDescription": description });
            (format!("pyxray.diagnostics.{}", c.name), entry)
        })
        .collect();
    let actual: Map<String, Value> =
        properties().into_iter().filter(|(k, _)| k.starts_with("pyxray.diagnostics.")).collect();
    let pretty = serde_json::to_string_pretty(&Value::Object(expected.clone())).unwrap();
    assert!(actual == expected, "package.json's diagnostic switches drifted from the registry; they should be:\n{pretty}");
}

#[test]
fn vscode_python_versions_are_the_known_ones() {
    let mut expected = vec!["auto".to_string()];
    expected.extend(PythonVersion::ALL.iter().map(|v| v.as_str().to_string()));
    let listed = &properties()["pyxray.pythonVersion"]["enum"];
    assert_eq!(listed, &json!(expected));
}
