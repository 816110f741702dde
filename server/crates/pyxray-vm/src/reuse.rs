//! Reuse between analyses of one file: what the interpreter finds in a code object depends only
//! on that code object (with its nested ones), the module environment and the version. After an
//! edit, code objects whose content is unchanged keep their facts instead of being interpreted
//! again. Content is compared by a fingerprint of everything but the code object's own source
//! byte range, which moves when the text before it changes length: facts name the byte ranges
//! of the functions the code makes, so the fingerprint covers those relative to the code's own
//! start, and reused facts are moved by as much as the code object moved.

use crate::{analyze, CodeFacts, ModuleEnv};
use pyxray_bytecode::{CodeObject, ConstValue, PythonVersion};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use pyxray_syntax::ast::TextRange;

/// The facts of one analysis, by code object fingerprint, for the next analysis of the file.
#[derive(Debug, Default)]
pub struct FactCache {
    version: Option<PythonVersion>,
    env: ModuleEnv,
    /// Facts by fingerprint, with where their code object started then.
    facts: HashMap<u64, (Option<u32>, CodeFacts)>,
    /// How many code objects the analysis that built this cache did not interpret again.
    reused: usize,
}

impl FactCache {
    pub fn reused(&self) -> usize {
        self.reused
    }
}

/// [`crate::analyze_module`], taking the facts of unchanged code objects from `previous`.
pub fn analyze_module_reusing(
    module: &CodeObject,
    version: PythonVersion,
    previous: Option<&FactCache>,
) -> (Vec<CodeFacts>, FactCache) {
    let env = ModuleEnv::of(module, version);
    let previous = previous.filter(|p| p.version == Some(version) && p.env == env);
    let codes = module.walk();
    let prints = fingerprints(&codes);
    let mut cache = FactCache { version: Some(version), facts: HashMap::with_capacity(codes.len()), ..Default::default() };
    let mut out = Vec::with_capacity(codes.len());
    for (code, print) in codes.iter().zip(prints) {
        let start = code.source.map(|r| r.start);
        let facts = match previous.and_then(|p| p.facts.get(&print)) {
            Some((then, known)) => {
                cache.reused += 1;
                moved(known, start, *then)
            }
            None => analyze(code, version, &env),
        };
        cache.facts.insert(print, (start, facts.clone()));
        out.push(facts);
    }
    cache.env = env;
    (out, cache)
}

/// `facts` of a code object that started at `then` and now starts at `now`.
fn moved(facts: &CodeFacts, now: Option<u32>, then: Option<u32>) -> CodeFacts {
    let mut facts = facts.clone();
    let delta = match (now, then) {
        (Some(now), Some(then)) => i64::from(now) - i64::from(then),
        _ => 0,
    };
    if delta != 0 {
        let at = |offset: u32| u32::try_from(i64::from(offset) + delta).unwrap_or(0);
        for c in &mut facts.closures {
            c.source = c.source.map(|r| TextRange::new(at(r.start), at(r.end)));
        }
    }
    facts
}

/// The fingerprint of each code object of `codes` (in `CodeObject::walk` order: every code
/// object before its nested ones), each covering its nested code objects' fingerprints.
fn fingerprints(codes: &[&CodeObject]) -> Vec<u64> {
    let mut by_address: HashMap<*const CodeObject, u64> = HashMap::with_capacity(codes.len());
    let mut out = vec![0; codes.len()];
    // Nested code objects come after their parent: fingerprint from the end.
    for (i, code) in codes.iter().enumerate().rev() {
        let mut h = DefaultHasher::new();
        hash_code(code, &by_address, &mut h);
        let print = h.finish();
        by_address.insert(*code as *const CodeObject, print);
        out[i] = print;
    }
    out
}

fn hash_code(code: &CodeObject, nested: &HashMap<*const CodeObject, u64>, h: &mut DefaultHasher) {
    let CodeObject {
        name,
        qualname,
        filename,
        firstlineno,
        argcount,
        posonlyargcount,
        kwonlyargcount,
        stacksize,
        flags,
        code,
        consts,
        names,
        localsplus,
        linetable,
        exceptiontable,
        source,
    } = code;
    // Nested code objects' ranges count relative to this one's start (absolute for code that
    // has no range of its own, such as the module).
    let base = source.map_or(0, |r| i64::from(r.start));
    source.is_some().hash(h);
    (name, qualname, filename, firstlineno, argcount, posonlyargcount, kwonlyargcount).hash(h);
    (stacksize, flags, code, names, localsplus, linetable, exceptiontable).hash(h);
    consts.len().hash(h);
    for c in consts {
        hash_const(c, nested, h);
        if let ConstValue::Code(child) = c {
            child.source.map(|r| (i64::from(r.start) - base, i64::from(r.end) - base)).hash(h);
        }
    }
}

fn hash_const(c: &ConstValue, nested: &HashMap<*const CodeObject, u64>, h: &mut DefaultHasher) {
    std::mem::discriminant(c).hash(h);
    match c {
        ConstValue::None | ConstValue::Ellipsis => {}
        ConstValue::Bool(b) => b.hash(h),
        ConstValue::Int(i) => i.hash(h),
        ConstValue::Float(f) => f.to_bits().hash(h),
        ConstValue::Complex { re, im } => (re.to_bits(), im.to_bits()).hash(h),
        ConstValue::Str(s) => s.hash(h),
        ConstValue::Bytes(b) => b.hash(h),
        ConstValue::Tuple(items) | ConstValue::FrozenSet(items) => {
            items.len().hash(h);
            for item in items.iter() {
                hash_const(item, nested, h);
            }
        }
        ConstValue::Slice(parts) => {
            for part in parts.iter() {
                hash_const(part, nested, h);
            }
        }
        // Always present: nested code objects are fingerprinted first.
        ConstValue::Code(child) => nested.get(&(child.as_ref() as *const CodeObject)).hash(h),
    }
}
