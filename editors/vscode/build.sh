#!/usr/bin/env bash
# Builds the extension: compiles the TypeScript and packages dist/pyxray.vsix with @vscode/vsce,
# offline. With a path to a pyxray binary as argument, bundles it (without debug symbols) as
# server/pyxray.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export CI=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
[ -d node_modules/vscode-languageclient ] || npm ci --no-fund --no-audit
rm -rf out server dist
if [ "${1:-}" != "" ]; then
  mkdir -p server && strip -o server/pyxray "$1" && chmod +x server/pyxray
fi
npx tsc -p ./
mkdir -p dist
npx vsce package --out dist/pyxray.vsix
