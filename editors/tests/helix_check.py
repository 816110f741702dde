"""Checks editors/helix/languages.toml beyond its schema (which `taplo lint` checks): pyxray is
started as `pyxray server`, Python lists it beside another server, and every feature it names is
one Helix knows (a misspelt feature silently turns the feature off in Helix)."""

import sys
import tomllib

# Helix's LanguageServerFeature names (helix-core/src/syntax.rs).
FEATURES = {
    "format", "goto-definition", "goto-declaration", "goto-type-definition", "goto-reference",
    "goto-implementation", "signature-help", "hover", "document-highlight", "completion",
    "code-action", "workspace-command", "document-symbols", "workspace-symbols", "diagnostics",
    "rename-symbol", "inlay-hints",
}

config = tomllib.load(open(sys.argv[1], "rb"))
server = config["language-server"]["pyxray"]
assert server["args"] == ["server"], server
python = next(lang for lang in config["language"] if lang["name"] == "python")
entries = [s if isinstance(s, dict) else {"name": s} for s in python["language-servers"]]
names = [e["name"] for e in entries]
assert "pyxray" in names and len(names) > 1, f"pyxray should run beside another server: {names}"
pyxray = next(e for e in entries if e["name"] == "pyxray")
for feature in pyxray.get("only-features", []) + pyxray.get("except-features", []):
    assert feature in FEATURES, f"Helix has no feature {feature!r}"
assert {"hover", "diagnostics"} <= set(pyxray.get("only-features", FEATURES)), pyxray
print("ok - helix: languages.toml runs pyxray beside", ", ".join(n for n in names if n != "pyxray"))
