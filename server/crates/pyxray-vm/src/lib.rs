//! pyxray's symbolic mini-VM: interprets compiled CPython bytecode over abstract values to tell
//! which object each value is (a merged constant, a cached small int or character, a fresh
//! object, or unknown). It predicts every `is` / `is not` as true, false or "depends", and
//! follows each function object made in a loop to see whether it escapes. It never runs user
//! code and stops after a fixed amount of work.

mod cfg;
mod env;
mod facts;
mod interp;
mod ops;
mod reuse;
mod value;

pub use env::ModuleEnv;
pub use facts::{ClosureFact, Escape, IsFact};
pub use interp::FUEL;
pub use reuse::{analyze_module_reusing, FactCache};
pub use value::{identity, Prediction, Value};

use pyxray_bytecode::{CodeObject, Op, PythonVersion};

/// What the interpreter found in one code object.
#[derive(Clone, Debug)]
pub struct CodeFacts {
    pub qualname: String,
    pub is_facts: Vec<IsFact>,
    pub closures: Vec<ClosureFact>,
    /// The fuel ran out: facts cover only what was reached.
    pub incomplete: bool,
}

/// Interprets every code object of a compiled module.
pub fn analyze_module(module: &CodeObject, version: PythonVersion) -> Vec<CodeFacts> {
    let env = ModuleEnv::of(module, version);
    let mut out = Vec::new();
    let mut stack = vec![module];
    while let Some(code) = stack.pop() {
        out.push(analyze(code, version, &env));
        let children: Vec<&CodeObject> = code.children().map(|c| c.as_ref()).collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

/// Interprets `code` (not its nested code objects) in the module described by `env`. Facts come
/// only from `IS_OP` and `MAKE_FUNCTION`: code without either has none, and is not interpreted.
pub fn analyze(code: &CodeObject, version: PythonVersion, env: &ModuleEnv) -> CodeFacts {
    if !pyxray_bytecode::dis::uses_any(code, version, &[Op::IS_OP, Op::MAKE_FUNCTION]) {
        return CodeFacts { qualname: code.qualname.clone(), is_facts: Vec::new(), closures: Vec::new(), incomplete: false };
    }
    let outcome = interp::Interp::new(code, version, env).run();
    CodeFacts {
        qualname: code.qualname.clone(),
        is_facts: outcome.is_facts,
        closures: outcome.closures,
        incomplete: outcome.out_of_fuel,
    }
}
