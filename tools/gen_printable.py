#!/usr/bin/env python3
"""Which code points each CPython's repr() shows unescaped (`str.isprintable`), as range tables.

    python3 tools/gen_printable.py [dump]   # under CPython 3.X: print its printable ranges as JSON
    python3 tools/gen_printable.py render   # fixtures/unicode/printable-3.*.json -> printable.rs

The answer depends on the Unicode database each release ships (3.11: 14.0, 3.12: 15.0,
3.13: 15.1, 3.14: 16.0), so the dumps come from the reference patch releases:

    for v in 3.11 3.12 3.13 3.14; do
        ../shared/oracle/oracle $v run tools/gen_printable.py > fixtures/unicode/printable-$v.json
    done
    python3 tools/gen_printable.py render

`render` writes server/crates/pyxray-bytecode/src/printable.rs; the Rust test
`printable_tables_match_dumps` checks the generated file against the dumps.
"""

import json
import os
import sys

VERSIONS = ["3.11", "3.12", "3.13", "3.14"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "server", "crates", "pyxray-bytecode", "src", "printable.rs")


def dump():
    import unicodedata

    ranges = []
    start = None
    for cp in range(0x110000):
        printable = chr(cp).isprintable()
        if printable and start is None:
            start = cp
        elif not printable and start is not None:
            ranges.append([start, cp - 1])
            start = None
    if start is not None:
        ranges.append([start, 0x10FFFF])
    doc = {"python": sys.version.split()[0], "unicode": unicodedata.unidata_version, "printable": ranges}
    print(json.dumps(doc))


def render():
    out = [
        "//! Code points CPython's `repr` shows unescaped (`str.isprintable`), per release: generated",
        "//! by `tools/gen_printable.py render` from `fixtures/unicode/printable-3.X.json`. Do not edit.",
        "",
    ]
    for v in VERSIONS:
        with open(os.path.join(ROOT, "fixtures", "unicode", f"printable-{v}.json")) as f:
            doc = json.load(f)
        name = "PRINTABLE_" + v.replace(".", "_")
        out.append(f"/// CPython {doc['python']}, Unicode {doc['unicode']}: inclusive ranges.")
        out.append(f"pub(crate) const {name}: &[(u32, u32)] = &[")
        row = []
        for a, b in doc["printable"]:
            row.append(f"(0x{a:x}, 0x{b:x})")
            if len(row) == 6:
                out.append("    " + ", ".join(row) + ",")
                row = []
        if row:
            out.append("    " + ", ".join(row) + ",")
        out.append("];")
        out.append("")
    with open(OUT, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "render":
        render()
    else:
        dump()
