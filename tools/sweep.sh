#!/usr/bin/env bash
# Whole-machine sweep (issue 7): every .py file of every Python installed here (pyenv versions
# with their site-packages, and the system's) through `pyxray check` and `pyxray dis`, for each
# version pyxray compiles. Counts files, lines and crashes (a panic, "internal error", or death by
# signal); prints the crashing batches' stderr. Never runs the files.
# Usage: tools/sweep.sh [PYXRAY_BIN] [ROOT...]   (default: target/release/pyxray, ~/.pyenv/versions /usr/lib/python3*)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=$(realpath "${1:-target/release/pyxray}")
shift || true
ROOTS=("$@")
[ ${#ROOTS[@]} -eq 0 ] && ROOTS=("$HOME/.pyenv/versions" /usr/lib/python3*)
WORK=$(mktemp -d /tmp/pyxray-sweep-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
find "${ROOTS[@]}" -name '*.py' -type f 2>/dev/null | sort > "$WORK/files"
files=$(wc -l < "$WORK/files")
lines=$(tr '\n' '\0' < "$WORK/files" | xargs -0 cat 2>/dev/null | wc -l)
echo "sweep: $files files, $lines lines, under ${ROOTS[*]}"
versions=$("$BIN" dis --help >/dev/null 2>&1 && for v in 3.11 3.12 3.13 3.14; do
  printf 'x = 1\n' > "$WORK/probe.py"
  "$BIN" dis --python "$v" "$WORK/probe.py" 2>&1 >/dev/null | grep -q "does not compile" || echo "$v"
done)
crashes=0
split -l 200 "$WORK/files" "$WORK/batch."
for v in $versions; do
  for cmd in check dis; do
    started=$SECONDS
    bad=0
    for batch in "$WORK"/batch.*; do
      args=(--python "$v")
      [ "$cmd" = dis ] && args+=(--format json)
      tr '\n' '\0' < "$batch" | xargs -0 "$BIN" "$cmd" "${args[@]}" > /dev/null 2> "$WORK/stderr"
      code=$?
      # xargs: 123 = some invocation exited 1-125 (diagnostics, syntax errors), 125+ = killed.
      if [ "$code" -ge 124 ] || grep -qE "panicked|internal error" "$WORK/stderr"; then
        bad=$((bad + 1))
        echo "  CRASH: $cmd --python $v on $(head -1 "$batch") … (exit $code)"
        grep -E "panicked|internal error" "$WORK/stderr" | head -5 | sed 's/^/    /'
      fi
    done
    crashes=$((crashes + bad))
    echo "  $cmd --python $v: $bad crashing batches ($((SECONDS - started))s)"
  done
done
echo "sweep: $crashes crashes"
[ "$crashes" -eq 0 ]
