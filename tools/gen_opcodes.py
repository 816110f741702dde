#!/usr/bin/env python3
"""Per-version CPython opcode tables for pyxray: dump them from a real CPython, render them as Rust.

    python3 tools/gen_opcodes.py [dump]   # under CPython 3.X: print that version's tables as JSON
    python3 tools/gen_opcodes.py render   # fixtures/opcodes/3.*.json -> opcode/generated.rs
    python3 tools/gen_opcodes.py check    # exit 1 if generated.rs differs from what render writes

`dump` (the default, because the oracle runs scripts without arguments) must run unchanged on
CPython 3.11 to 3.14; it only reads the `opcode`, `dis` and `importlib.util` modules and calls
`dis.stack_effect`. The committed dumps come from the reference patch releases:

    ~/.pyenv/versions/3.11.7/bin/python3 tools/gen_opcodes.py > fixtures/opcodes/3.11.json
    /work/shared/oracle/oracle 3.12 run tools/gen_opcodes.py > fixtures/opcodes/3.12.json
    /work/shared/oracle/oracle 3.13 run tools/gen_opcodes.py > fixtures/opcodes/3.13.json
    /work/shared/oracle/oracle 3.14 run tools/gen_opcodes.py > fixtures/opcodes/3.14.json

`render` needs only Python 3.8+ and the four dumps; it writes
server/crates/pyxray-bytecode/src/opcode/generated.rs. The Rust test `generated_tables_match_dumps`
checks that the generated file agrees with the dumps.
"""

import json
import os
import sys

REFERENCE = {"3.11": "3.11.7", "3.12": "3.12.7", "3.13": "3.13.2", "3.14": "3.14.2"}

# CPython 3.11's compiler has "virtual" opcodes that `dis.opmap` does not list: compile.c
# (v3.11.7, "Pseudo-instructions used in the compiler, but turned into NOPs or other
# instructions by the assembler") defines them as negative numbers, and `dis.stack_effect`
# accepts those numbers (without an oparg). 3.12+ list their pseudo-ops in `dis.opmap` (>= 256).
VIRTUAL_OPS_3_11 = {
    "SETUP_FINALLY": -1,
    "SETUP_CLEANUP": -2,
    "SETUP_WITH": -3,
    "POP_BLOCK": -4,
    "JUMP": -5,
    "JUMP_NO_INTERRUPT": -6,
    "POP_JUMP_IF_FALSE": -7,
    "POP_JUMP_IF_TRUE": -8,
    "POP_JUMP_IF_NONE": -9,
    "POP_JUMP_IF_NOT_NONE": -10,
}
# compile.c (v3.11.7) IS_VIRTUAL_JUMP_OPCODE: the virtual ops that are jumps.
VIRTUAL_JUMPS_3_11 = [
    "JUMP",
    "JUMP_NO_INTERRUPT",
    "POP_JUMP_IF_FALSE",
    "POP_JUMP_IF_TRUE",
    "POP_JUMP_IF_NONE",
    "POP_JUMP_IF_NOT_NONE",
]
# Pseudo-ops that push an exception handler (IS_BLOCK_PUSH_OPCODE in every version).
BLOCK_PUSH = ["SETUP_FINALLY", "SETUP_CLEANUP", "SETUP_WITH"]

# The `has*` lists of `opcode` that become flag bits, in bit order.
FLAG_LISTS = [
    "hasarg",
    "hasconst",
    "hasname",
    "hasjrel",
    "hasjabs",
    "haslocal",
    "hasfree",
    "hascompare",
    "hasexc",
    "hasjump",
    "hasnargs",
]

# Opargs tried for every op that takes an argument: small values, bit boundaries, EXTENDED_ARG
# boundaries, and values whose low/high bytes matter (UNPACK_EX splits its oparg in two bytes).
OPARGS = sorted(
    set(range(0, 18))
    | {31, 32, 33, 63, 64, 127, 128, 255, 256, 257, 511, 512, 513, 0x1234, 0xFFFF, 0x10000}
)


# ---------------------------------------------------------------------------------------------
# dump


def _stack_effects(dis, op, oparg_given, oparg):
    """[jump=None, jump=True, jump=False] of dis.stack_effect; None where it raises ValueError."""
    out = []
    for jump in (None, True, False):
        try:
            if oparg_given:
                out.append(dis.stack_effect(op, oparg, jump=jump))
            else:
                out.append(dis.stack_effect(op, jump=jump))
        except ValueError:
            out.append(None)
    return out


def dump():
    import dis
    import importlib.util
    import opcode

    version = sys.version.split()[0]
    minor = "%d.%d" % sys.version_info[:2]

    specialised = set()
    for attr in ("_specialized_instructions", "_specialized_opmap"):
        specialised.update(getattr(opcode, attr, ()))
    for family in getattr(opcode, "_specializations", {}).values():
        specialised.update(family)

    opmap = {
        name: num
        for name, num in opcode.opmap.items()
        if not name.startswith("INSTRUMENTED_") and name not in specialised
    }
    pseudo = sorted((n for n, v in opmap.items() if v >= 256), key=opmap.get)
    virtual = {}
    if sys.version_info[:2] == (3, 11):
        virtual = dict(VIRTUAL_OPS_3_11)
    by_number = {num: name for name, num in opmap.items()}

    lists = {}
    for attr in FLAG_LISTS:
        value = getattr(opcode, attr, None)
        if isinstance(value, list):
            lists[attr] = sorted(
                (by_number[n] for n in set(value) if n in by_number), key=opmap.get
            )

    entries = opcode._inline_cache_entries
    caches = {}
    for name, num in sorted(opmap.items(), key=lambda kv: kv[1]):
        if num >= 256:
            continue
        if isinstance(entries, dict):  # 3.13+: {name: count}, only non-zero
            caches[name] = entries.get(name, 0)
        else:  # 3.11/3.12: a list indexed by opcode number
            caches[name] = entries[num]

    cache_format = {
        name: [[field, size] for field, size in fmt.items()]
        for name, fmt in opcode._cache_format.items()
        if name in opmap
    }

    nb_ops = getattr(opcode, "_nb_ops", None) or dis._nb_ops
    flags = getattr(dis, "FUNCTION_ATTR_FLAGS", None) or getattr(dis, "MAKE_FUNCTION_FLAGS")

    common_constants = []
    for obj in getattr(opcode, "_common_constants", ()):
        # Exactly what dis prints as LOAD_COMMON_CONSTANT's argrepr (3.14 dis.py).
        common_constants.append(obj.__name__ if isinstance(obj, type) else repr(obj))

    magic = importlib.util.MAGIC_NUMBER

    effects = {}
    has_arg = set(lists.get("hasarg", ()))
    for name, num in sorted(list(opmap.items()) + list(virtual.items()), key=lambda kv: kv[1]):
        takes_arg = name in has_arg if "hasarg" in lists else num >= opcode.HAVE_ARGUMENT
        row = {"-": _stack_effects(dis, num, False, 0)}
        if takes_arg:
            for oparg in OPARGS:
                row[str(oparg)] = _stack_effects(dis, num, True, oparg)
        effects[name] = row

    data = {
        "python": version,
        "minor": minor,
        "magic": int.from_bytes(magic[:2], "little"),
        "have_argument": opcode.HAVE_ARGUMENT,
        "opmap": dict(sorted(opmap.items(), key=lambda kv: kv[1])),
        "pseudo": pseudo,
        "virtual": virtual,
        "virtual_jumps": VIRTUAL_JUMPS_3_11 if virtual else [],
        "lists": lists,
        "cache_entries": caches,
        "cache_format": cache_format,
        "nb_ops": [list(pair) for pair in nb_ops],
        "cmp_op": list(opcode.cmp_op),
        "intrinsic_1": list(getattr(opcode, "_intrinsic_1_descs", ())),
        "intrinsic_2": list(getattr(opcode, "_intrinsic_2_descs", ())),
        "function_flags": list(flags),
        "common_constants": common_constants,
        "special_method_names": list(getattr(opcode, "_special_method_names", ())),
        "compiler_flag_names": {str(k): v for k, v in sorted(dis.COMPILER_FLAG_NAMES.items())},
        "format_value_converters": [
            text for _, text in getattr(dis, "FORMAT_VALUE_CONVERTERS", ())
        ],
        "oparg_samples": OPARGS,
        "stack_effect": effects,
    }
    sys.stdout.write(_to_json(data))


def _to_json(data):
    """JSON with one top-level key per line and, inside dicts, one entry per line (small diffs)."""
    lines = ["{"]
    for i, (key, value) in enumerate(data.items()):
        comma = "," if i + 1 < len(data) else ""
        if isinstance(value, dict) and value:
            lines.append(" %s: {" % json.dumps(key))
            items = list(value.items())
            for j, (k, v) in enumerate(items):
                inner = "," if j + 1 < len(items) else ""
                lines.append("  %s: %s%s" % (json.dumps(k), json.dumps(v), inner))
            lines.append(" }" + comma)
        else:
            lines.append(" %s: %s%s" % (json.dumps(key), json.dumps(value), comma))
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# render

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DUMPS = os.path.join(ROOT, "fixtures", "opcodes")
OUT = os.path.join(
    ROOT, "server", "crates", "pyxray-bytecode", "src", "opcode", "generated.rs"
)
VERSIONS = ["3.11", "3.12", "3.13", "3.14"]


def _rs_str(s):
    return json.dumps(s)  # a JSON string literal is a valid Rust string literal for these names


def _rs_str_list(items):
    return "&[" + ", ".join(_rs_str(s) for s in items) + "]"


def render(check=False):
    dumps = {}
    for v in VERSIONS:
        with open(os.path.join(DUMPS, v + ".json"), encoding="utf-8") as f:
            dumps[v] = json.load(f)
        if dumps[v]["python"] != REFERENCE[v]:
            sys.exit(
                "%s.json comes from CPython %s, not the reference %s"
                % (v, dumps[v]["python"], REFERENCE[v])
            )

    names = set()
    for d in dumps.values():
        names.update(d["opmap"])
        names.update(d["virtual"])
    names = sorted(names)
    index = {n: i for i, n in enumerate(names)}

    out = []
    w = out.append
    w("//! Per-version CPython opcode tables. GENERATED by `python3 tools/gen_opcodes.py render` from")
    w("//! fixtures/opcodes/3.1{1,2,3,4}.json, the dumps of CPython "
      + ", ".join(REFERENCE[v] for v in VERSIONS) + ";")
    w("//! do not edit by hand. The test `generated_tables_match_dumps` checks it is current.")
    w("")
    w("use super::{flags, OpInfo, OpTable};")
    w("use crate::version::PythonVersion;")
    w("")
    w("/// Every opcode name of CPython 3.11-3.14 (real and pseudo, not specialised or")
    w("/// instrumented), spelled as CPython spells it. Which ones exist, and their numbers, depend")
    w("/// on the version: see [`OpTable`].")
    w("#[allow(non_camel_case_types)]")
    w("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]")
    w("pub enum Op {")
    for n in names:
        w("    %s," % n)
    w("}")
    w("")
    w("/// Number of [`Op`] variants.")
    w("pub const OP_COUNT: usize = %d;" % len(names))
    w("")
    w("/// Names indexed by `Op as usize` (sorted, so [`Op::from_name`] can binary-search).")
    w("pub(super) static NAMES: [&str; OP_COUNT] = [")
    for n in names:
        w("    %s," % _rs_str(n))
    w("];")
    w("")
    w("impl Op {")
    w("    /// Every variant, in declaration (alphabetical) order.")
    w("    pub const ALL: [Op; OP_COUNT] = [")
    for n in names:
        w("        Op::%s," % n)
    w("    ];")
    w("}")
    w("")

    for v in VERSIONS:
        d = dumps[v]
        ident = "TABLE_" + v.replace(".", "_")
        lists = d["lists"]
        infos = []
        for n in names:
            if n in d["opmap"]:
                code = d["opmap"][n]
            elif n in d["virtual"]:
                code = d["virtual"][n]
            else:
                infos.append("OpInfo::ABSENT")
                continue
            bits = []
            for attr in FLAG_LISTS:
                if n in lists.get(attr, ()):
                    bits.append("flags::" + attr[3:].upper())
            if "hasarg" not in lists and 0 <= code < 256 and code >= d["have_argument"]:
                bits.append("flags::ARG")
            if "hasjump" not in lists and (
                n in lists.get("hasjrel", ()) or n in lists.get("hasjabs", ())
            ):
                bits.append("flags::JUMP")
            if n in d["virtual_jumps"]:
                bits.append("flags::JUMP")
            if code >= 256 or code < 0:
                bits.append("flags::PSEUDO")
            if n in BLOCK_PUSH:
                bits.append("flags::BLOCK_PUSH")
            caches = d["cache_entries"].get(n, 0)
            infos.append(
                "OpInfo { code: %d, caches: %d, flags: %s }"
                % (code, caches, " | ".join(bits) if bits else "0")
            )
        decode = ["None"] * 256
        for n, code in d["opmap"].items():
            if 0 <= code < 256:
                decode[code] = "Some(Op::%s)" % n
        w("/// CPython %s (reference %s)." % (v, d["python"]))
        w("pub static %s: OpTable = OpTable {" % ident)
        w("    version: PythonVersion::V%s," % v.replace(".", "_"))
        w("    python: %s," % _rs_str(d["python"]))
        w("    magic: %d," % d["magic"])
        w("    have_argument: %d," % d["have_argument"])
        w("    ops: [")
        for n, info in zip(names, infos):
            w("        %s, // %s" % (info, n))
        w("    ],")
        w("    decode: [")
        for i in range(0, 256, 4):
            w("        " + " ".join(x + "," for x in decode[i : i + 4]))
        w("    ],")
        w("    cache_format: &[")
        for n, fmt in d["cache_format"].items():
            w("        (Op::%s, &[%s])," % (n, ", ".join("(%s, %d)" % (_rs_str(f), s) for f, s in fmt)))
        w("    ],")
        w("    nb_ops: &[")
        for name, sym in d["nb_ops"]:
            w("        (%s, %s)," % (_rs_str(name), _rs_str(sym)))
        w("    ],")
        w("    cmp_op: %s," % _rs_str_list(d["cmp_op"]))
        w("    intrinsic_1: %s," % _rs_str_list(d["intrinsic_1"]))
        w("    intrinsic_2: %s," % _rs_str_list(d["intrinsic_2"]))
        w("    function_flags: %s," % _rs_str_list(d["function_flags"]))
        w("    common_constants: %s," % _rs_str_list(d["common_constants"]))
        w("    special_method_names: %s," % _rs_str_list(d["special_method_names"]))
        w("    compiler_flag_names: &[")
        for k, name in d["compiler_flag_names"].items():
            w("        (0x%x, %s)," % (int(k), _rs_str(name)))
        w("    ],")
        w("    format_value_converters: %s," % _rs_str_list(d["format_value_converters"]))
        w("};")
        w("")

    text = "\n".join(out)
    if check:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit("%s is stale: run `python3 tools/gen_opcodes.py render`" % os.path.relpath(OUT, ROOT))
        print("%s is current" % os.path.relpath(OUT, ROOT))
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s (%d ops)" % (os.path.relpath(OUT, ROOT), len(names)))


def main(argv):
    mode = argv[1] if len(argv) > 1 else "dump"
    if mode == "dump":
        dump()
    elif mode == "render":
        render()
    elif mode == "check":
        render(check=True)
    else:
        sys.exit("usage: gen_opcodes.py [dump|render|check]")


if __name__ == "__main__":
    main(sys.argv)
