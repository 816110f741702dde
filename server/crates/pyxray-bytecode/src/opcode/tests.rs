//! Tests of the opcode tables and stack effects against the dumps of real CPython in
//! `fixtures/opcodes/3.X.json` (written by `tools/gen_opcodes.py` under CPython itself).

use std::path::PathBuf;

use serde_json::Value;

use super::*;

fn dump(version: PythonVersion) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../fixtures/opcodes")
        .join(format!("{}.json", version.as_str()));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().expect("string"))
        .collect()
}

fn op(name: &str) -> Op {
    Op::from_name(name)
        .unwrap_or_else(|| panic!("{name} is not an Op: run `python3 tools/gen_opcodes.py render`"))
}

/// "Table is current": everything `generated.rs` says agrees with the dumps.
#[test]
fn generated_tables_match_dumps() {
    for version in PythonVersion::ALL {
        let d = dump(version);
        let t = table(version);
        let v = version.as_str();
        assert_eq!(t.version, version);
        assert_eq!(d["python"], t.python, "{v}");
        assert_eq!(
            t.python,
            version.reference(),
            "{v}: dump not from the reference release"
        );
        assert_eq!(d["magic"], t.magic, "{v}");
        assert_eq!(d["have_argument"], t.have_argument, "{v}");

        let opmap = d["opmap"].as_object().unwrap();
        let virtual_ops = d["virtual"].as_object().unwrap();
        let lists = d["lists"].as_object().unwrap();
        let in_list = |list: &str, name: &str| {
            lists
                .get(list)
                .is_some_and(|l| l.as_array().unwrap().iter().any(|x| x == name))
        };
        for o in Op::ALL {
            let name = o.name();
            let code = opmap
                .get(name)
                .or_else(|| virtual_ops.get(name))
                .map(|c| c.as_i64().unwrap() as i32);
            assert_eq!(t.code(o), code, "{v} {name}");
            if code.is_none() {
                assert!(
                    !t.contains(o) && t.flags(o) == 0 && t.caches(o) == 0,
                    "{v} {name}"
                );
                continue;
            }
            let code = code.unwrap();
            assert_eq!(t.is_pseudo(o), !(0..256).contains(&code), "{v} {name}");
            assert_eq!(t.is_real(o), (0..256).contains(&code), "{v} {name}");
            let caches = d["cache_entries"]
                .get(name)
                .map_or(0, |c| c.as_u64().unwrap());
            assert_eq!(u64::from(t.caches(o)), caches, "{v} {name} caches");

            let arg = if lists.contains_key("hasarg") {
                in_list("hasarg", name)
            } else {
                (0..256).contains(&code) && code >= i32::from(t.have_argument)
            };
            assert_eq!(t.has_arg(o), arg, "{v} {name} has_arg");
            assert_eq!(t.has_const(o), in_list("hasconst", name), "{v} {name}");
            assert_eq!(t.has_name(o), in_list("hasname", name), "{v} {name}");
            assert_eq!(t.has_jrel(o), in_list("hasjrel", name), "{v} {name}");
            assert_eq!(t.has_jabs(o), in_list("hasjabs", name), "{v} {name}");
            assert_eq!(t.has_local(o), in_list("haslocal", name), "{v} {name}");
            assert_eq!(t.has_free(o), in_list("hasfree", name), "{v} {name}");
            assert_eq!(t.has_compare(o), in_list("hascompare", name), "{v} {name}");
            assert_eq!(t.has_exc(o), in_list("hasexc", name), "{v} {name}");
            assert_eq!(
                t.flags(o) & flags::NARGS != 0,
                in_list("hasnargs", name),
                "{v} {name}"
            );
            let jump = if lists.contains_key("hasjump") {
                in_list("hasjump", name)
            } else {
                in_list("hasjrel", name)
                    || in_list("hasjabs", name)
                    || strings(&d["virtual_jumps"]).contains(&name)
            };
            assert_eq!(t.is_jump(o), jump, "{v} {name} is_jump");
            let block_push = matches!(name, "SETUP_FINALLY" | "SETUP_CLEANUP" | "SETUP_WITH");
            assert_eq!(t.is_block_push(o), block_push, "{v} {name}");
        }
        for (name, code) in opmap.iter().chain(virtual_ops) {
            assert!(t.contains(op(name)), "{v} {name}");
            assert_eq!(
                t.op_for_code(code.as_i64().unwrap() as i32),
                Some(op(name)),
                "{v} {name}"
            );
        }
        for number in 0..=255u8 {
            let expected = opmap
                .iter()
                .find(|(_, c)| c.as_u64() == Some(u64::from(number)))
                .map(|(n, _)| op(n));
            assert_eq!(t.op_for_number(number), expected, "{v} opcode {number}");
        }

        let formats = d["cache_format"].as_object().unwrap();
        assert_eq!(t.cache_format.len(), formats.len(), "{v}");
        for (name, fields) in formats {
            let fields: Vec<(String, u8)> = fields
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f[0].as_str().unwrap().to_string(),
                        f[1].as_u64().unwrap() as u8,
                    )
                })
                .collect();
            let ours: Vec<(String, u8)> = t
                .cache_format(op(name))
                .iter()
                .map(|(f, s)| (f.to_string(), *s))
                .collect();
            assert_eq!(ours, fields, "{v} {name} cache format");
        }
        let nb_ops: Vec<(&str, &str)> = d["nb_ops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_str().unwrap(), p[1].as_str().unwrap()))
            .collect();
        assert_eq!(t.nb_ops, nb_ops.as_slice(), "{v}");
        assert_eq!(t.cmp_op, strings(&d["cmp_op"]).as_slice(), "{v}");
        assert_eq!(t.intrinsic_1, strings(&d["intrinsic_1"]).as_slice(), "{v}");
        assert_eq!(t.intrinsic_2, strings(&d["intrinsic_2"]).as_slice(), "{v}");
        assert_eq!(
            t.function_flags,
            strings(&d["function_flags"]).as_slice(),
            "{v}"
        );
        assert_eq!(
            t.common_constants,
            strings(&d["common_constants"]).as_slice(),
            "{v}"
        );
        assert_eq!(
            t.special_method_names,
            strings(&d["special_method_names"]).as_slice(),
            "{v}"
        );
        assert_eq!(
            t.format_value_converters,
            strings(&d["format_value_converters"]).as_slice(),
            "{v}"
        );
        // serde_json's map is ordered by key text, not by bit.
        let mut flag_names: Vec<(u32, &str)> = d["compiler_flag_names"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, n)| (k.parse().unwrap(), n.as_str().unwrap()))
            .collect();
        flag_names.sort();
        assert_eq!(t.compiler_flag_names, flag_names.as_slice(), "{v}");
    }
}

/// Every op is in some version, and names round-trip.
#[test]
fn op_names_round_trip() {
    for o in Op::ALL {
        assert_eq!(Op::from_name(o.name()), Some(o));
        assert_eq!(o.to_string(), o.name());
        assert!(
            PythonVersion::ALL.iter().any(|&v| table(v).contains(o)),
            "{o} in no version"
        );
    }
    assert_eq!(
        Op::from_name("BINARY_OP_ADD_INT"),
        None,
        "specialised ops are left out"
    );
    assert_eq!(
        Op::from_name("INSTRUMENTED_CALL"),
        None,
        "instrumented ops are left out"
    );
}

/// `stack_effect` equals `dis.stack_effect` for every (version, op, oparg, jump) in the dumps.
#[test]
fn stack_effects_match_dis() {
    let mut checked = 0;
    for version in PythonVersion::ALL {
        let d = dump(version);
        let t = table(version);
        let v = version.as_str();
        for (name, row) in d["stack_effect"].as_object().unwrap() {
            let o = op(name);
            for (key, values) in row.as_object().unwrap() {
                let expected: Vec<Option<i32>> = values
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_i64().map(|x| x as i32))
                    .collect();
                let oparg = if key == "-" {
                    // dis.stack_effect(op) without an oparg: ≤ 3.12 refuse it for ops that take
                    // one; otherwise it means oparg 0.
                    if t.has_arg(o) && version <= PythonVersion::V3_12 {
                        assert_eq!(expected, [None, None, None], "{v} {name} without oparg");
                        continue;
                    }
                    0
                } else {
                    key.parse().unwrap()
                };
                let ours: Vec<Option<i32>> = [None, Some(true), Some(false)]
                    .iter()
                    .map(|&j| stack_effect(version, o, oparg, j))
                    .collect();
                assert_eq!(
                    ours, expected,
                    "{v} {name} oparg {key} (jump None/True/False)"
                );
                checked += 3;
            }
        }
        for o in Op::ALL {
            if !t.contains(o) {
                assert_eq!(stack_effect(version, o, 0, None), None, "{v} {o} is absent");
                assert_eq!(popped_pushed(version, o, 0), None, "{v} {o} is absent");
            }
        }
    }
    assert!(checked > 10_000, "only {checked} comparisons");
}

/// The metadata's popped/pushed counts agree with the net effects real CPython reports, and exist
/// exactly where CPython has them.
#[test]
fn popped_pushed_agree_with_net_effects() {
    for version in PythonVersion::ALL {
        let d = dump(version);
        let t = table(version);
        let samples: Vec<u32> = d["oparg_samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as u32)
            .collect();
        for o in t.ops() {
            let has_metadata = match version {
                PythonVersion::V3_11 => false,
                PythonVersion::V3_12 | PythonVersion::V3_13 => t.is_real(o),
                PythonVersion::V3_14 => true,
            };
            for &oparg in &samples {
                let counts = popped_pushed(version, o, oparg);
                assert_eq!(counts.is_some(), has_metadata, "{version} {o}");
                if let Some((popped, pushed)) = counts {
                    assert!(popped >= 0 && pushed >= 0);
                    assert_eq!(
                        Some(pushed - popped),
                        stack_effect(version, o, oparg, Some(true)),
                        "{version} {o} {oparg}"
                    );
                }
            }
        }
    }
    // 3.14's block pushes: the metadata counts hold along the jump to the handler only.
    let v = PythonVersion::V3_14;
    assert_eq!(popped_pushed(v, Op::SETUP_CLEANUP, 0), Some((0, 2)));
    assert_eq!(stack_effect(v, Op::SETUP_CLEANUP, 0, Some(false)), Some(0));
    assert_eq!(
        popped_pushed(PythonVersion::V3_13, Op::CALL_KW, 2),
        Some((5, 1))
    );
    assert_eq!(
        popped_pushed(PythonVersion::V3_12, Op::MAKE_FUNCTION, 0x0B),
        Some((4, 1))
    );
}

#[test]
fn spot_checks() {
    let (v11, v12, v13, v14) = (
        table(PythonVersion::V3_11),
        table(PythonVersion::V3_12),
        table(PythonVersion::V3_13),
        table(PythonVersion::V3_14),
    );
    assert_eq!(v13.number(Op::LOAD_GLOBAL), Some(91));
    assert_eq!(v13.caches(Op::LOAD_GLOBAL), 4);
    assert_eq!(v13.op_for_number(91), Some(Op::LOAD_GLOBAL));
    assert_eq!(v11.caches(Op::LOAD_ATTR), 4);
    assert_eq!(v12.caches(Op::LOAD_ATTR), 9);
    assert_eq!(v14.caches(Op::BINARY_OP), 5);
    assert_eq!(
        (v11.magic, v12.magic, v13.magic, v14.magic),
        (3495, 3531, 3571, 3627)
    );
    assert_eq!(
        (
            v11.have_argument,
            v12.have_argument,
            v13.have_argument,
            v14.have_argument
        ),
        (90, 90, 44, 43)
    );

    // Pseudo-ops: numbered >= 256 from 3.12, negative virtual opcodes in 3.11.
    assert_eq!(v11.code(Op::SETUP_FINALLY), Some(-1));
    assert_eq!(v11.number(Op::SETUP_FINALLY), None);
    assert!(v11.is_pseudo(Op::POP_JUMP_IF_FALSE) && v11.is_jump(Op::POP_JUMP_IF_FALSE));
    assert!(v12.is_real(Op::POP_JUMP_IF_FALSE));
    assert!(
        v11.is_real(Op::LOAD_METHOD)
            && v12.is_pseudo(Op::LOAD_METHOD)
            && !v14.contains(Op::LOAD_METHOD)
    );
    assert!(v12.is_real(Op::LOAD_CLOSURE) && v13.is_pseudo(Op::LOAD_CLOSURE));
    assert!(v14.has_target(Op::SETUP_WITH) && !v14.is_jump(Op::SETUP_WITH));
    // 3.13+: WITH_EXCEPT_START is numbered above HAVE_ARGUMENT but takes no argument.
    assert!(
        !v13.has_arg(Op::WITH_EXCEPT_START)
            && v13.number(Op::WITH_EXCEPT_START).unwrap() >= v13.have_argument
    );

    // Sizes the assembler writes.
    assert_eq!(v12.instr_size(Op::LOAD_ATTR, 3), Some(10));
    assert_eq!(v11.instr_size(Op::LOAD_GLOBAL, 0x1_0000), Some(8));
    assert_eq!(v13.instr_size(Op::NOP, 300), Some(1));
    assert_eq!(v13.instr_size(Op::JUMP, 0), None);

    // The small tables dis prints from.
    assert_eq!(v14.nb_ops[26], ("NB_SUBSCR", "[]"));
    assert_eq!(v12.nb_ops.len(), 26);
    assert_eq!(v13.intrinsic_1[3], "INTRINSIC_STOPITERATION_ERROR");
    assert_eq!(
        v14.common_constants,
        [
            "AssertionError",
            "NotImplementedError",
            "tuple",
            "<built-in function all>",
            "<built-in function any>"
        ]
    );
    assert_eq!(v14.special_method_names[1], "__exit__");
    assert_eq!(v14.function_flags[4], "annotate");
    assert_eq!(
        v11.cache_format(Op::LOAD_GLOBAL)
            .iter()
            .map(|f| u32::from(f.1))
            .sum::<u32>(),
        5
    );

    // Stack effects with a jump.
    let v = PythonVersion::V3_11;
    assert_eq!(stack_effect(v, Op::FOR_ITER, 7, Some(true)), Some(-1));
    assert_eq!(stack_effect(v, Op::FOR_ITER, 7, Some(false)), Some(1));
    assert_eq!(stack_effect(v, Op::FOR_ITER, 7, None), Some(1));
    assert_eq!(
        stack_effect(PythonVersion::V3_12, Op::LOAD_ZERO_SUPER_ATTR, 0, None),
        Some(-1)
    );
    assert_eq!(
        stack_effect(PythonVersion::V3_14, Op::CALL_FUNCTION_EX, 0, None),
        Some(-3)
    );
    assert_eq!(
        stack_effect(PythonVersion::V3_12, Op::PRECALL, 1, None),
        None,
        "PRECALL is 3.11 only"
    );
}

/// The inline-cache table of the reference page (cpython-compiler.md §2.1), checked here so a
/// disagreement between the page and real CPython shows up as a failing test.
#[test]
fn cache_table_of_reference_page() {
    // (op, caches in 3.11, 3.12, 3.13, 3.14); None = the version has no such op.
    let rows: &[(Op, [Option<u8>; 4])] = &[
        (Op::LOAD_GLOBAL, [Some(5), Some(4), Some(4), Some(4)]),
        (Op::LOAD_ATTR, [Some(4), Some(9), Some(9), Some(9)]),
        (Op::LOAD_METHOD, [Some(10), Some(0), Some(0), None]),
        (Op::STORE_ATTR, [Some(4), Some(4), Some(4), Some(4)]),
        (Op::BINARY_SUBSCR, [Some(4), Some(1), Some(1), None]),
        (Op::BINARY_OP, [Some(1), Some(1), Some(1), Some(5)]),
        (Op::COMPARE_OP, [Some(2), Some(1), Some(1), Some(1)]),
        (Op::PRECALL, [Some(1), None, None, None]),
        (Op::CALL, [Some(4), Some(3), Some(3), Some(3)]),
        (Op::CALL_KW, [None, None, Some(0), Some(3)]),
        (Op::STORE_SUBSCR, [Some(1), Some(1), Some(1), Some(1)]),
        (Op::UNPACK_SEQUENCE, [Some(1), Some(1), Some(1), Some(1)]),
        (Op::FOR_ITER, [Some(0), Some(1), Some(1), Some(1)]),
        (Op::SEND, [Some(0), Some(1), Some(1), Some(1)]),
        (Op::LOAD_SUPER_ATTR, [None, Some(1), Some(1), Some(1)]),
        (Op::CONTAINS_OP, [Some(0), Some(0), Some(1), Some(1)]),
        (Op::TO_BOOL, [None, None, Some(3), Some(3)]),
        (Op::JUMP_BACKWARD, [Some(0), Some(0), Some(1), Some(1)]),
        (Op::POP_JUMP_IF_TRUE, [Some(0), Some(0), Some(1), Some(1)]),
        (Op::POP_JUMP_IF_FALSE, [Some(0), Some(0), Some(1), Some(1)]),
        (Op::POP_JUMP_IF_NONE, [Some(0), Some(0), Some(1), Some(1)]),
        (
            Op::POP_JUMP_IF_NOT_NONE,
            [Some(0), Some(0), Some(1), Some(1)],
        ),
    ];
    for &(o, expected) in rows {
        for (version, expected) in PythonVersion::ALL.into_iter().zip(expected) {
            let t = table(version);
            assert_eq!(
                t.contains(o).then(|| t.caches(o)),
                expected,
                "{version} {o}"
            );
        }
    }
}
