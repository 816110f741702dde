//! Functions made in loops: the late-binding trap is reported only when the function outlives
//! the iteration that made it (returned, stored, passed on, put in a container), not when it is
//! only called inside the loop (the false positives of ruff B023 and pylint W0640).

use pyxray_bytecode::dis::FileResult;
use pyxray_bytecode::PythonVersion;
use pyxray_vm::{analyze_module, ClosureFact};

fn closures(src: &str) -> Vec<ClosureFact> {
    let FileResult::Compiled { code, .. } = pyxray_compiler::compile_file(src.as_bytes(), "t.py", PythonVersion::V3_13) else {
        panic!("does not compile: {src}");
    };
    analyze_module(&code, PythonVersion::V3_13).into_iter().flat_map(|f| f.closures).collect()
}

fn hazards(src: &str) -> Vec<String> {
    closures(src).into_iter().filter(|c| c.is_late_binding_hazard()).map(|c| c.rebound_in_loop.join(",")).collect()
}

#[test]
fn escaping_closures_in_loops_are_hazards() {
    let appended = "def f():\n    fs = []\n    for i in range(3):\n        fs.append(lambda: i)\n    return fs\n";
    assert_eq!(hazards(appended), ["i"]);
    let comprehension = "def f():\n    return [lambda: i for i in range(3)]\n";
    assert_eq!(hazards(comprehension), ["i"]);
    let stored = "def f(d):\n    for key in 'abc':\n        def handler():\n            return key\n        d[key] = handler\n";
    assert_eq!(hazards(stored), ["key"]);
    let generator = "def f():\n    for i in range(3):\n        yield lambda: i\n";
    assert_eq!(hazards(generator), ["i"]);
}

#[test]
fn closures_used_inside_the_loop_are_not() {
    let called = "def f():\n    out = []\n    for i in range(3):\n        g = lambda: i\n        out.append(g())\n    return out\n";
    assert!(hazards(called).is_empty(), "{:?}", closures(called));
    let immediately = "def f():\n    for i in range(3):\n        (lambda: i)()\n";
    assert!(hazards(immediately).is_empty());
    let bound_default = "def f():\n    return [lambda i=i: i for i in range(3)]\n";
    assert!(hazards(bound_default).is_empty());
    let no_loop = "def f(i):\n    return lambda: i\n";
    assert!(hazards(no_loop).is_empty());
}
