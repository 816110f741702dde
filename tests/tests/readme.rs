//! The README's table of diagnostic codes must match the registry: every code listed there with
//! its setting name and severity, and no code the registry does not have.

use pyxray_insights::{Severity, REGISTRY};

#[test]
fn readme_lists_every_diagnostic_code() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README.md");
    for code in REGISTRY {
        let severity = match code.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        };
        let row = format!("| `{}` | `{}` | {} |", code.code, code.name, severity);
        assert!(readme.contains(&row), "README.md lacks the row starting {row:?} (registry: {code:?})");
    }
    for line in readme.lines().filter(|l| l.starts_with("| `PX")) {
        let listed = line.split('`').nth(1).unwrap_or_default();
        assert!(
            REGISTRY.iter().any(|c| c.code == listed),
            "README.md lists {listed}, which the registry does not have"
        );
    }
}
