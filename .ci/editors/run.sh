#!/usr/bin/env bash
# The editor stage of CI: installs the real editors (install.sh), builds the VS Code extension
# around the freshly built server, and drives each editor headlessly against it: VS Code 1.100
# (code-server, Chromium, playwright-core), Neovim 0.11.4 and 0.7.2, Emacs 28 with eglot 1.9 and
# with lsp-mode 8 (alone and beside pylsp), and the Helix snippet through its schema. Screenshots
# and logs go to results/editors/. Prints one line per check and a closing "editors: N passed,
# M failed".
# Usage: .ci/editors/run.sh [PYXRAY_BIN] (default: target/debug/pyxray); PYXRAY_EDITORS="nvim emacs"
# runs only those of vscode, nvim, emacs and helix.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
BIN=$(realpath "${1:-target/debug/pyxray}")
TOOLS="${PYXRAY_EDITOR_TOOLS:-$HOME/.cache/pyxray-editor-tools}"
RESULTS=$ROOT/results/editors
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
WORK=$(mktemp -d /tmp/pyxray-editors-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export CI=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

EDITORS=" ${PYXRAY_EDITORS:-vscode nvim emacs helix} "
wants() { [[ "$EDITORS" == *" $1 "* ]]; }
passed=0
failed=0
# Runs a test command; counts the "ok - " and "FAILED - " lines it prints; a command that fails
# without printing a FAILED line (it crashed or timed out) counts as one failure.
run() {
  local name=$1 log=$RESULTS/$1.log
  shift
  local started=$SECONDS
  # stderr apart: editors write progress there without line ends.
  "$@" >"$log" 2>"$RESULTS/$name.stderr"
  local code=$?
  grep -E "^(ok|FAILED) - " "$log" | sed 's/^/  /'
  local ok bad
  ok=$(grep -c "^ok - " "$log")
  bad=$(grep -c "^FAILED - " "$log")
  if [ "$code" -ne 0 ] && [ "$bad" -eq 0 ]; then
    echo "  FAILED - $name: exited with $code without reporting a check; last lines of its output:"
    cat "$log" "$RESULTS/$name.stderr" | tail -15 | sed 's/^/    /'
    bad=1
  elif [ "$bad" -gt 0 ]; then
    grep -A8 "^FAILED - " "$log" | grep -v "^FAILED - " | grep -v "^ok - " | sed 's/^/  /'
  fi
  passed=$((passed + ok))
  failed=$((failed + bad))
  echo "  ($name: $((SECONDS - started))s)"
}

echo "== editors: install"
started=$SECONDS
if ! bash .ci/editors/install.sh >"$RESULTS/install.log" 2>&1; then
  tail -30 "$RESULTS/install.log"
  echo "editors: 0 passed, 1 failed"
  exit 1
fi
echo "  installed in $((SECONDS - started))s"

fresh_sample() { cp editors/tests/sample.py "$WORK/sample.py"; }
printf '#!/bin/sh\necho "pyxray: crashed on purpose" >&2\nexit 3\n' >"$WORK/crashing-pyxray"
chmod +x "$WORK/crashing-pyxray"

vsix() {
  editors/vscode/build.sh "$BIN" && echo "ok - vscode: pyxray.vsix builds with @vscode/vsce" \
    "($(du -h editors/vscode/dist/pyxray.vsix | cut -f1), server bundled)"
}
if wants vscode; then
  echo "== editors: VS Code (code-server 4.100.3 / VS Code 1.100.3)"
  run vscode-build vsix
  run vscode env CODE_SERVER="$TOOLS/code-server-4.100.3/node_modules/.bin/code-server" PYXRAY_BIN="$BIN" \
    node editors/vscode/test/e2e.js editors/vscode/dist/pyxray.vsix editors/tests/sample.py "$RESULTS"
fi

nvim_probe() { # NVIM MODE
  fresh_sample
  env XDG_CONFIG_HOME="$WORK/xdg/config" XDG_DATA_HOME="$WORK/xdg/data" XDG_STATE_HOME="$WORK/xdg/state" \
    XDG_CACHE_HOME="$WORK/xdg/cache" PYXRAY_PLUGIN="$ROOT/editors/nvim" PYXRAY_SAMPLE="$WORK/sample.py" \
    PYXRAY_BIN="$BIN" PYXRAY_CRASHING_BIN="$WORK/crashing-pyxray" PYXRAY_MODE="$2" PYXRAY_RESULTS="$RESULTS" \
    timeout 120 "$1" --headless --clean -c "luafile $ROOT/editors/tests/nvim_probe.lua"
}
if wants nvim; then
  echo "== editors: Neovim 0.11.4"
  for mode in enable setup bad-path bad-version crash; do
    run "nvim-0.11-$mode" nvim_probe "$TOOLS/venv/bin/nvim" "$mode"
  done
  echo "== editors: Neovim 0.7.2"
  for mode in setup bad-path bad-version crash; do
    run "nvim-0.7-$mode" nvim_probe /usr/bin/nvim "$mode"
  done
fi

emacs_probe() { # CLIENT MODE
  fresh_sample
  env HOME="$WORK/emacs-home" PYXRAY_PLUGIN="$ROOT/editors/emacs" PYXRAY_SAMPLE="$WORK/sample.py" \
    PYXRAY_BIN="$BIN" PYXRAY_CRASHING_BIN="$WORK/crashing-pyxray" PYXRAY_PYLSP_DIR="$TOOLS/venv/bin" \
    PYXRAY_CLIENT="$1" PYXRAY_MODE="$2" PYXRAY_RESULTS="$RESULTS" \
    timeout 120 emacs --batch -Q -l "$ROOT/editors/tests/emacs_probe.el"
}
mkdir -p "$WORK/emacs-home"
for client in eglot lsp-mode; do
  wants emacs || break
  echo "== editors: Emacs 28 + $client"
  modes="main bad-path bad-version crash"
  [ "$client" = lsp-mode ] && modes="$modes beside-pylsp"
  for mode in $modes; do
    run "emacs-$client-$mode" emacs_probe "$client" "$mode"
  done
done

# The schema from ../shared/editors (the reference); a checkout without it uses the copy kept in
# editors/tests (same file, taken from there).
HELIX_SCHEMA="$ROOT/../shared/editors/helix-languages.schema.json"
[ -f "$HELIX_SCHEMA" ] || HELIX_SCHEMA="$ROOT/editors/tests/helix-languages.schema.json"
helix_lint() {
  "$TOOLS/venv/bin/taplo" lint --schema "file://$HELIX_SCHEMA" editors/helix/languages.toml &&
    echo "ok - helix: languages.toml is valid against helix-languages.schema.json ($HELIX_SCHEMA)"
}
if wants helix; then
  echo "== editors: Helix (languages.toml against the schema)"
  run helix-schema helix_lint
  run helix-check python3 editors/tests/helix_check.py editors/helix/languages.toml
fi

echo "== editors: screenshots, captures and logs in results/editors/"
ls "$RESULTS"/*.png "$RESULTS"/*.md "$RESULTS"/*.txt 2>/dev/null | sed "s|$ROOT/|  |"
echo "editor stage took $((SECONDS))s"
echo "editors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
