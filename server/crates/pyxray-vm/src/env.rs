//! What the interpreter needs to know about the whole module: which builtin names it leaves
//! alone, and which module-level names other code may rebind behind a call's back.

use crate::value::{Cached, Obj, Value};
use pyxray_bytecode::dis::{analysis_instructions, canonical_const_repr, named_instructions, ArgVal};
use pyxray_bytecode::{CodeObject, Op, PythonVersion};
use std::collections::{HashMap, HashSet};

/// Builtins whose results the interpreter models.
const MODELLED_BUILTINS: &[&str] = &["int", "str", "tuple", "float", "chr", "len", "list", "dict", "set", "object"];

/// Names whose use means any global may change at any time.
const DYNAMIC: &[&str] = &["globals", "exec", "eval", "vars", "setattr", "delattr", "__import__", "locals"];

#[derive(Debug, Default, PartialEq)]
pub struct ModuleEnv {
    /// Names the module binds at its top level (they shadow builtins).
    bound: HashSet<String>,
    /// Names some code declares `global` and assigns or deletes.
    rebound_elsewhere: HashSet<String>,
    /// The module uses `globals()`, `exec` and the like: any name may change.
    dynamic: bool,
    /// Module names assigned exactly once, at the top level, to a constant.
    constants: HashMap<String, Value>,
}

impl ModuleEnv {
    pub fn of(module: &CodeObject, version: PythonVersion) -> ModuleEnv {
        let mut env = ModuleEnv::default();
        env.constants = single_constant_assignments(module, version);
        let mut stack = vec![module];
        let mut first = true;
        while let Some(code) = stack.pop() {
            for (op, name) in named_instructions(code, version) {
                match op {
                    Op::STORE_NAME | Op::DELETE_NAME | Op::IMPORT_NAME if first => {
                        env.bound.insert(name.to_string());
                    }
                    Op::STORE_GLOBAL | Op::DELETE_GLOBAL => {
                        env.bound.insert(name.to_string());
                        env.rebound_elsewhere.insert(name.to_string());
                    }
                    Op::LOAD_GLOBAL | Op::LOAD_NAME if DYNAMIC.contains(&name) => env.dynamic = true,
                    Op::IMPORT_FROM if name == "*" => env.dynamic = true,
                    _ => {}
                }
            }
            first = false;
            stack.extend(code.children().map(|c| c.as_ref()));
        }
        env.constants.retain(|name, _| !env.rebound_elsewhere.contains(name));
        if env.dynamic {
            env.constants.clear();
        }
        env
    }

    /// What a function sees for module-level `name`, when the module sets it once to a
    /// constant and nothing else rebinds it.
    pub fn module_constant(&self, name: &str) -> Option<Value> {
        self.constants.get(name).cloned()
    }

    /// `Ellipsis` and `NotImplemented`, when the module leaves those names alone.
    pub fn builtin_singleton(&self, name: &str) -> Option<Value> {
        let cached = match name {
            "Ellipsis" => Cached::Ellipsis,
            "NotImplemented" => Cached::NotImplemented,
            _ => return None,
        };
        (!self.dynamic && !self.bound.contains(name)).then(|| Value {
            obj: Obj::Cached(cached),
            known: crate::value::Known::Other,
            origin: format!("`{name}`"),
            escaped: false,
        })
    }

    /// Whether `name` is a builtin the interpreter models and the module leaves unbound.
    pub fn is_builtin(&self, name: &str) -> bool {
        !self.dynamic && MODELLED_BUILTINS.contains(&name) && !self.bound.contains(name)
    }

    /// Whether a call may change what module-level `name` holds.
    pub fn may_change_at_call(&self, name: &str) -> bool {
        self.dynamic || self.rebound_elsewhere.contains(name)
    }
}

/// Names the module body assigns exactly once, from `LOAD_CONST` straight into `STORE_NAME`.
fn single_constant_assignments(module: &CodeObject, version: PythonVersion) -> HashMap<String, Value> {
    let instrs = analysis_instructions(module, version);
    let mut stores: HashMap<&str, usize> = HashMap::new();
    let mut constants = HashMap::new();
    for (k, i) in instrs.iter().enumerate() {
        let ArgVal::Name(name) = &i.argval else { continue };
        if !matches!(i.op, Op::STORE_NAME | Op::DELETE_NAME) {
            continue;
        }
        *stores.entry(name.as_str()).or_default() += 1;
        if let (Op::STORE_NAME, Some(prev)) = (i.op, k.checked_sub(1).map(|p| &instrs[p])) {
            if let (Op::LOAD_CONST, ArgVal::Const(c)) = (prev.op, &prev.argval) {
                let mut v = Value::constant(c, &canonical_const_repr(c, version));
                v.origin = format!("`{name}` (the module sets it once, to {})", v.origin);
                constants.insert(name.clone(), v);
            }
        }
    }
    constants.retain(|name: &String, _| stores.get(name.as_str()) == Some(&1));
    constants
}
