//! The abstract interpreter: runs a code object's blocks over abstract values, joining states
//! where control flow meets and widening loops, within a fuel budget. Along the way it records
//! what each `IS_OP` compares and where each new function object goes.

use crate::cfg::{jump_target, Cfg};
use crate::env::ModuleEnv;
use crate::facts::{ClosureFact, Escape, IsFact};
use crate::value::{identity, Known, Obj, Prediction, Value};
use pyxray_bytecode::dis::{canonical_const_repr, analysis_instructions, parse_exception_table, ArgVal, Instruction};
use pyxray_bytecode::opcode::{popped_pushed, stack_effect};
use pyxray_bytecode::{CodeObject, ConstValue, Op, PythonVersion};
use std::collections::{BTreeMap, HashMap};

/// Instructions interpreted per code object before giving up (loops are widened long before).
pub const FUEL: usize = 200_000;
/// Visits of one block before its state is widened.
const WIDEN_AFTER: usize = 3;
/// Deepest stack the interpreter keeps (the compiler's own limit is far lower in practice).
const MAX_STACK: usize = 10_000;

#[derive(Clone, Debug, PartialEq)]
struct State {
    stack: Vec<Value>,
    locals: Vec<Option<Value>>,
    /// Module and class namespaces (`STORE_NAME`), forgotten at any call that could change them.
    names: BTreeMap<String, Value>,
}

impl State {
    fn join(&self, other: &State) -> State {
        let depth = self.stack.len().min(other.stack.len());
        let stack = self.stack[..depth].iter().zip(&other.stack[..depth]).map(|(a, b)| a.join(b)).collect();
        let locals = self
            .locals
            .iter()
            .zip(&other.locals)
            .map(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => Some(a.join(b)),
                (Some(v), None) | (None, Some(v)) => Some(v.clone()),
                (None, None) => None,
            })
            .collect();
        let names = self
            .names
            .iter()
            .filter_map(|(k, v)| other.names.get(k).map(|w| (k.clone(), v.join(w))))
            .collect();
        State { stack, locals, names }
    }

    /// Everything that changed between `old` and `self` becomes unknown: the loop may run any
    /// number of times.
    fn widen(&self, old: &State) -> State {
        let mut s = self.clone();
        for (v, o) in s.stack.iter_mut().zip(&old.stack) {
            if v != o {
                *v = v.join(&Value::unknown("a value that changes from one iteration to the next"));
            }
        }
        for (v, o) in s.locals.iter_mut().zip(&old.locals) {
            if v != o {
                if let Some(x) = v {
                    *x = x.join(&Value::unknown("a value that changes from one iteration to the next"));
                }
            }
        }
        s.names.retain(|k, v| old.names.get(k) == Some(v));
        s
    }
}

/// What interpreting one code object found.
#[derive(Default)]
pub struct Outcome {
    pub is_facts: Vec<IsFact>,
    pub closures: Vec<ClosureFact>,
    /// Whether the fuel ran out (facts are then incomplete).
    pub out_of_fuel: bool,
}

pub struct Interp<'a> {
    code: &'a CodeObject,
    version: PythonVersion,
    instrs: Vec<Instruction>,
    cfg: Cfg,
    env: &'a ModuleEnv,
    is_facts: BTreeMap<u32, IsFact>,
    closures: BTreeMap<u32, ClosureFact>,
    fuel: usize,
}

fn null() -> Value {
    Value { obj: Obj::Unknown(None), known: Known::Null, origin: "NULL".into(), escaped: false }
}

fn is_null(v: &Value) -> bool {
    v.known == Known::Null
}

impl<'a> Interp<'a> {
    pub fn new(code: &'a CodeObject, version: PythonVersion, env: &'a ModuleEnv) -> Self {
        let instrs = analysis_instructions(code, version);
        let exceptions = parse_exception_table(&code.exceptiontable);
        let cfg = Cfg::build(&instrs, &exceptions);
        Interp { code, version, instrs, cfg, env, is_facts: BTreeMap::new(), closures: BTreeMap::new(), fuel: FUEL }
    }

    pub fn run(mut self) -> Outcome {
        let n = self.cfg.blocks.len();
        if n == 0 {
            return Outcome::default();
        }
        let nlocals = self.code.localsplus.len();
        let mut entry = State { stack: Vec::new(), locals: vec![None; nlocals], names: BTreeMap::new() };
        // Parameters (and cells made from them) hold whatever the caller passed.
        let nargs = (self.code.argcount + self.code.kwonlyargcount) as usize
            + usize::from(self.code.flags & pyxray_bytecode::code::flags::CO_VARARGS != 0)
            + usize::from(self.code.flags & pyxray_bytecode::code::flags::CO_VARKEYWORDS != 0);
        for (i, (name, _)) in self.code.localsplus.iter().enumerate() {
            if i < nargs {
                entry.locals[i] = Some(Value::opaque(crate::value::PARAM_TOKEN + i as u32, format!("the argument `{name}`")));
            }
        }
        let mut states: Vec<Option<State>> = vec![None; n];
        let mut visits = vec![0usize; n];
        states[0] = Some(entry);
        // Exception handlers start with unknown locals and the handler's stack depth.
        for e in parse_exception_table(&self.code.exceptiontable) {
            if let Some(k) = crate::cfg::instruction_at(&self.instrs, e.target) {
                let b = self.cfg.block_of[k];
                let depth = e.depth as usize + usize::from(e.lasti) + 1;
                let unknown = |what: &str| Value::unknown(what.to_string());
                let locals = self.code.localsplus.iter().map(|(n, _)| Some(unknown(&format!("`{n}`")))).collect();
                let stack = (0..depth).map(|_| unknown("a value left by the code that raised")).collect();
                let s = State { stack, locals, names: BTreeMap::new() };
                states[b] = Some(match &states[b] {
                    Some(old) => old.join(&s),
                    None => s,
                });
            }
        }
        let mut work: Vec<usize> = (0..n).filter(|&b| states[b].is_some()).collect();
        work.reverse();
        let mut out_of_fuel = false;
        while let Some(b) = work.pop() {
            let Some(state) = states[b].clone() else { continue };
            visits[b] += 1;
            let (block_start, block_end) = (self.cfg.blocks[b].start, self.cfg.blocks[b].end);
            let mut s = state;
            let mut exits: Vec<(usize, State)> = Vec::new();
            for k in block_start..block_end {
                if self.fuel == 0 {
                    out_of_fuel = true;
                    break;
                }
                self.fuel -= 1;
                let in_loop = self.cfg.blocks[b].in_loop;
                if let Some((target, jumped)) = self.step(k, &mut s, in_loop) {
                    if let Some(t) = crate::cfg::instruction_at(&self.instrs, target) {
                        exits.push((self.cfg.block_of[t], jumped));
                    }
                }
            }
            if out_of_fuel {
                break;
            }
            let last = &self.instrs[block_end - 1];
            if crate::cfg::falls_through(last.op) && b + 1 < n {
                exits.push((b + 1, s));
            }
            for (succ, st) in exits {
                let merged = match &states[succ] {
                    None => st,
                    Some(old) => {
                        let joined = old.join(&st);
                        let joined = if visits[succ] >= WIDEN_AFTER { joined.widen(old) } else { joined };
                        if &joined == old {
                            continue;
                        }
                        joined
                    }
                };
                states[succ] = Some(merged);
                if !work.contains(&succ) {
                    work.push(succ);
                }
            }
        }
        self.find_rebound_captures();
        Outcome {
            is_facts: self.is_facts.into_values().collect(),
            closures: self.closures.into_values().collect(),
            out_of_fuel,
        }
    }

    /// For each function made in a loop, the captured variables that the same loop rebinds
    /// (`STORE_DEREF` in a block of the same cycle): those the function sees late-bound.
    fn find_rebound_captures(&mut self) {
        if self.closures.is_empty() {
            return;
        }
        // The names each cycle stores with STORE_DEREF, in instruction order.
        let mut stored: HashMap<usize, Vec<String>> = HashMap::new();
        for (j, i) in self.instrs.iter().enumerate() {
            if i.op == Op::STORE_DEREF {
                let arg = i.arg.unwrap_or(0).max(0) as usize;
                let name = self.code.localsplus.get(arg).map_or_else(String::new, |(n, _)| n.clone());
                stored.entry(self.cfg.component[self.cfg.block_of[j]]).or_default().push(name);
            }
        }
        for fact in self.closures.values_mut() {
            let Some(k) = crate::cfg::instruction_at(&self.instrs, fact.offset) else { continue };
            let component = self.cfg.component[self.cfg.block_of[k]];
            for name in stored.get(&component).into_iter().flatten() {
                if fact.captured.contains(name) && !fact.rebound_in_loop.contains(name) {
                    fact.rebound_in_loop.push(name.clone());
                }
            }
        }
    }

    fn name_of(&self, i: &Instruction) -> String {
        match &i.argval {
            ArgVal::Name(n) => n.clone(),
            ArgVal::NamePair(a, _) => a.clone(),
            _ => String::new(),
        }
    }

    fn local_name(&self, index: usize) -> String {
        self.code.localsplus.get(index).map_or_else(|| "?".into(), |(n, _)| n.clone())
    }

    fn load_local(&self, s: &State, index: usize) -> Value {
        match s.locals.get(index).cloned().flatten() {
            Some(v) => v,
            None => Value::unknown(format!("`{}`", self.local_name(index))),
        }
    }

    fn store_local(&self, s: &mut State, index: usize, mut v: Value) {
        if let Some(slot) = s.locals.get_mut(index) {
            // Reasons name the variable the value now lives in when nothing better is known.
            if matches!(v.obj, Obj::Unknown(_)) && v.origin.starts_with("a value") {
                v.origin = format!("`{}`", self.local_name(index));
            }
            *slot = Some(v);
        }
    }

    /// Records that a value left the code's view; functions remember how.
    fn escape(&mut self, v: &Value, how: Escape) {
        if let Obj::Fresh { site, what: "function" } | Obj::FreshSomeRun { site, what: "function" } = v.obj {
            if let Some(c) = self.closures.get_mut(&site) {
                if !c.escapes.contains(&how) {
                    c.escapes.push(how);
                }
            }
        }
    }

    fn pop(&mut self, s: &mut State) -> Value {
        s.stack.pop().unwrap_or_else(|| Value::unknown("a value"))
    }

    /// Interprets instruction `k`; returns the jump target and the state there, if it jumps.
    fn step(&mut self, k: usize, s: &mut State, in_loop: bool) -> Option<(u32, State)> {
        let i = self.instrs[k].clone();
        let arg = i.arg.unwrap_or(0).max(0) as u32;
        let depth_before = s.stack.len();
        let site = i.offset;
        renew(s, site);
        let mut handled = true;
        match i.op {
            Op::NOP | Op::RESUME | Op::CACHE | Op::EXTENDED_ARG | Op::NOT_TAKEN | Op::COPY_FREE_VARS => {}
            Op::LOAD_CONST => {
                let v = match &i.argval {
                    ArgVal::Const(c) => Value::constant(c, &canonical_const_repr(c, self.version)),
                    _ => Value::unknown("a constant"),
                };
                s.stack.push(v);
            }
            Op::RETURN_CONST => {}
            // 3.14: small ints (0..=255) come straight from the oparg.
            Op::LOAD_SMALL_INT => {
                let c = ConstValue::Int(arg.into());
                let v = Value::constant(&c, &canonical_const_repr(&c, self.version));
                s.stack.push(v);
            }
            Op::LOAD_FAST | Op::LOAD_FAST_CHECK | Op::LOAD_FAST_BORROW => {
                let v = self.load_local(s, arg as usize);
                s.stack.push(v);
            }
            Op::LOAD_FAST_AND_CLEAR => {
                let v = self.load_local(s, arg as usize);
                s.stack.push(v);
                if let Some(slot) = s.locals.get_mut(arg as usize) {
                    *slot = None;
                }
            }
            Op::LOAD_FAST_LOAD_FAST | Op::LOAD_FAST_BORROW_LOAD_FAST_BORROW => {
                let (a, b) = ((arg >> 4) as usize, (arg & 15) as usize);
                let va = self.load_local(s, a);
                let vb = self.load_local(s, b);
                s.stack.push(va);
                s.stack.push(vb);
            }
            Op::STORE_FAST => {
                let v = self.pop(s);
                self.store_local(s, arg as usize, v);
            }
            Op::STORE_FAST_STORE_FAST => {
                let first = self.pop(s);
                let second = self.pop(s);
                self.store_local(s, (arg >> 4) as usize, first);
                self.store_local(s, (arg & 15) as usize, second);
            }
            Op::STORE_FAST_LOAD_FAST => {
                let v = self.pop(s);
                self.store_local(s, (arg >> 4) as usize, v);
                let w = self.load_local(s, (arg & 15) as usize);
                s.stack.push(w);
            }
            Op::DELETE_FAST => {
                if let Some(slot) = s.locals.get_mut(arg as usize) {
                    *slot = None;
                }
            }
            Op::MAKE_CELL => {}
            Op::LOAD_DEREF => {
                // Inner functions may rebind a cell at any call, so only the unknown is safe.
                let name = self.local_name(arg as usize);
                s.stack.push(Value::opaque(site, format!("`{name}`")));
            }
            Op::STORE_DEREF => {
                let v = self.pop(s);
                self.escape(&v, Escape::Stored);
                if let Some(slot) = s.locals.get_mut(arg as usize) {
                    *slot = None;
                }
            }
            Op::LOAD_NAME => {
                let name = self.name_of(&i);
                let v = s.names.get(&name).cloned().or_else(|| self.env.builtin_singleton(&name)).unwrap_or_else(|| {
                    let mut v = Value::opaque(site, format!("`{name}`"));
                    if self.env.is_builtin(&name) {
                        v.known = Known::Builtin(name.clone());
                    }
                    v
                });
                s.stack.push(v);
            }
            Op::STORE_NAME => {
                let name = self.name_of(&i);
                let v = self.pop(s);
                self.escape(&v, Escape::Stored);
                let mut v = v;
                v.escaped = true;
                s.names.insert(name, v);
            }
            Op::DELETE_NAME => {
                let name = self.name_of(&i);
                s.names.remove(&name);
            }
            Op::LOAD_GLOBAL => {
                let name = self.name_of(&i);
                let mut v = self
                    .env
                    .module_constant(&name)
                    .or_else(|| self.env.builtin_singleton(&name))
                    .unwrap_or_else(|| Value::opaque(site, format!("`{name}`")));
                if self.env.is_builtin(&name) {
                    v.known = Known::Builtin(name.clone());
                }
                s.stack.push(v);
                if arg & 1 != 0 {
                    s.stack.push(null());
                }
            }
            Op::STORE_GLOBAL => {
                let v = self.pop(s);
                self.escape(&v, Escape::Stored);
            }
            Op::PUSH_NULL => s.stack.push(null()),
            Op::POP_TOP => {
                self.pop(s);
            }
            Op::COPY => {
                let n = arg as usize;
                let v = if n >= 1 && n <= s.stack.len() { s.stack[s.stack.len() - n].clone() } else { Value::unknown("a value") };
                s.stack.push(v);
            }
            Op::SWAP => {
                let n = arg as usize;
                let len = s.stack.len();
                if n >= 2 && n <= len {
                    s.stack.swap(len - 1, len - n);
                }
            }
            Op::IS_OP => {
                let right = self.pop(s);
                let left = self.pop(s);
                let (mut p, reason) = identity(&left, &right);
                let negated = arg == 1;
                if negated {
                    p = p.negate();
                }
                let value_identity = (left.known_value_type() || right.known_value_type())
                    && left.is_value_object()
                    && right.is_value_object();
                self.record_is(&i, p, reason, negated, value_identity);
                s.stack.push(Value {
                    obj: Obj::Unknown(None),
                    known: Known::Bool(match p {
                        Prediction::True => Some(true),
                        Prediction::False => Some(false),
                        Prediction::Depends => None,
                    }),
                    origin: "the comparison's result".into(),
                    escaped: false,
                });
            }
            Op::BINARY_OP => {
                let right = self.pop(s);
                let left = self.pop(s);
                // 3.14's subscript is `BINARY_OP 26` (`NB_SUBSCR`).
                let const_slice = match (k.checked_sub(1).map(|p| &self.instrs[p]), arg) {
                    (Some(prev), 26) if prev.op == Op::LOAD_CONST => match &prev.argval {
                        ArgVal::Const(ConstValue::Slice(parts)) if matches!(parts[2], ConstValue::None) => Some(parts.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                let v = if let Some(parts) = const_slice {
                    // `x[a:b]` with literal bounds: 3.14 loads the slice as one constant.
                    let bound = |c: &ConstValue| Value::constant(c, &canonical_const_repr(c, self.version));
                    crate::ops::slice(site, &left, &bound(&parts[0]), &bound(&parts[1]))
                } else if arg == 26 {
                    crate::ops::subscript(site, &left, &right)
                } else {
                    crate::ops::binary(site, arg, &left, &right)
                };
                s.stack.push(v);
            }
            Op::UNARY_NEGATIVE => {
                let v = self.pop(s);
                s.stack.push(crate::ops::negate(site, &v));
            }
            Op::BUILD_LIST | Op::BUILD_TUPLE | Op::BUILD_SET => {
                for _ in 0..arg {
                    let v = self.pop(s);
                    self.escape(&v, Escape::InContainer);
                }
                let (what, known) = match i.op {
                    Op::BUILD_LIST => ("list", Known::List),
                    Op::BUILD_SET => ("set", Known::Set),
                    _ => ("tuple", Known::Tuple(Some(arg as usize))),
                };
                let v = if i.op == Op::BUILD_TUPLE && arg == 0 {
                    Value::constant(&ConstValue::Tuple(Vec::new().into()), "()")
                } else {
                    Value::fresh(site, what, known, format!("the {what} display on line {}", line(&i)))
                };
                s.stack.push(v);
            }
            Op::BUILD_MAP => {
                for _ in 0..2 * arg {
                    let v = self.pop(s);
                    self.escape(&v, Escape::InContainer);
                }
                s.stack.push(Value::fresh(site, "dict", Known::Dict, format!("the dict display on line {}", line(&i))));
            }
            Op::LIST_APPEND | Op::SET_ADD | Op::LIST_EXTEND | Op::SET_UPDATE | Op::DICT_UPDATE | Op::DICT_MERGE => {
                let v = self.pop(s);
                self.escape(&v, Escape::InContainer);
            }
            Op::MAP_ADD => {
                let v = self.pop(s);
                let k = self.pop(s);
                self.escape(&v, Escape::InContainer);
                self.escape(&k, Escape::InContainer);
            }
            Op::STORE_ATTR => {
                self.pop(s);
                let v = self.pop(s);
                self.escape(&v, Escape::Stored);
            }
            Op::STORE_SUBSCR => {
                self.pop(s);
                self.pop(s);
                let v = self.pop(s);
                self.escape(&v, Escape::Stored);
            }
            Op::RETURN_VALUE => {
                let v = self.pop(s);
                self.escape(&v, Escape::Returned);
            }
            Op::LOAD_ATTR => {
                let owner = self.pop(s);
                let name = self.name_of(&i);
                // (3.11's LOAD_ATTR has no method bit: it has LOAD_METHOD.)
                if arg & 1 != 0 && self.version >= PythonVersion::V3_12 {
                    let mut method = Value::opaque(site, format!("`{}.{name}`", crate::ops::describe(&owner)));
                    method.known = Known::Method(name, Box::new(owner.clone()));
                    s.stack.push(method);
                    s.stack.push(owner);
                } else {
                    self.escape(&owner, Escape::Passed);
                    s.stack.push(Value::opaque(site, format!("`{}.{name}`", crate::ops::describe(&owner))));
                }
            }
            Op::BINARY_SUBSCR => {
                let index = self.pop(s);
                let container = self.pop(s);
                s.stack.push(crate::ops::subscript(site, &container, &index));
            }
            Op::BINARY_SLICE => {
                let end = self.pop(s);
                let start = self.pop(s);
                let container = self.pop(s);
                s.stack.push(crate::ops::slice(site, &container, &start, &end));
            }
            Op::FORMAT_SIMPLE => {
                let v = self.pop(s);
                // format() of an exact str with no spec is the str itself.
                let r = if matches!(v.known, Known::Str(_)) { v } else { Value::fresh(site, "str", Known::Str(None), "a formatted value".into()) };
                s.stack.push(r);
            }
            Op::BUILD_STRING if arg == 1 => {}
            // PEP 750: every evaluation builds new, opaque Interpolation and Template objects
            // holding what they popped.
            Op::BUILD_INTERPOLATION | Op::BUILD_TEMPLATE => {
                let popped = if i.op == Op::BUILD_TEMPLATE { 2 } else { 2 + (arg & 1) };
                for _ in 0..popped {
                    let v = self.pop(s);
                    self.escape(&v, Escape::InContainer);
                }
                let what = if i.op == Op::BUILD_TEMPLATE { "string.templatelib.Template" } else { "string.templatelib.Interpolation" };
                s.stack.push(Value::fresh(site, what, Known::Other, format!("the t-string on line {}", line(&i))));
            }
            Op::YIELD_VALUE => {
                let v = self.pop(s);
                self.escape(&v, Escape::Returned);
                s.stack.push(Value::unknown("the value sent into the generator"));
            }
            Op::CALL | Op::CALL_KW => {
                let kwnames = if i.op == Op::CALL_KW { Some(self.pop(s)) } else { None };
                let mut args: Vec<Value> = (0..arg).map(|_| self.pop(s)).collect();
                args.reverse();
                let p1 = self.pop(s);
                let p0 = self.pop(s);
                let (callable, self_arg) = if is_null(&p0) {
                    (p1, None)
                } else if is_null(&p1) {
                    (p0, None)
                } else {
                    (p0, Some(p1))
                };
                if let Some(me) = &self_arg {
                    self.escape(me, Escape::Passed);
                }
                for a in &args {
                    self.escape(a, Escape::Passed);
                }
                let _ = kwnames;
                // A call can run any code, which may rebind globals it declares `global`.
                let env = self.env;
                s.names.retain(|name, _| !env.may_change_at_call(name));
                if let Obj::Fresh { site: f, what: "function" } | Obj::FreshSomeRun { site: f, what: "function" } = callable.obj {
                    if let Some(c) = self.closures.get_mut(&f) {
                        c.called_in_place = true;
                    }
                }
                let result = crate::ops::call(site, &callable, self_arg.as_ref(), &args, &i);
                s.stack.push(result);
            }
            Op::MAKE_FUNCTION => {
                let code = self.pop(s);
                let (qualname, freevars, source) = match &code.known {
                    Known::Code(c) => (c.0.qualname.clone(), c.0.freevars().iter().map(|s| s.to_string()).collect(), c.0.source),
                    _ => (String::from("<function>"), Vec::new(), None),
                };
                self.closures.entry(site).or_insert_with(|| ClosureFact {
                    offset: site,
                    qualname: qualname.clone(),
                    source,
                    line: line(&i),
                    in_loop,
                    captured: freevars,
                    rebound_in_loop: Vec::new(),
                    escapes: Vec::new(),
                    called_in_place: false,
                });
                s.stack.push(Value::fresh(site, "function", Known::Function, format!("the function `{qualname}`")));
            }
            Op::SET_FUNCTION_ATTRIBUTE => {
                let f = self.pop(s);
                self.pop(s);
                s.stack.push(f);
            }
            _ => handled = false,
        }
        if !handled {
            self.generic(&i, arg, s);
        }
        // Keep the stack as deep as CPython's own accounting says, whatever the model did.
        if let Some(effect) = stack_effect(self.version, i.op, arg, Some(false)) {
            let want = (depth_before as i64 + i64::from(effect)).max(0) as usize;
            fit(&mut s.stack, want);
        }
        let target = jump_target(&i)?;
        let mut jumped = s.clone();
        let effect = stack_effect(self.version, i.op, arg, Some(true)).unwrap_or(0);
        let want = (depth_before as i64 + i64::from(effect)).max(0) as usize;
        if i.op == Op::FOR_ITER {
            // Exhausted: the iterator (and what the next instruction would pop) is gone.
            jumped.stack.truncate(depth_before);
        }
        fit(&mut jumped.stack, want);
        Some((target, jumped))
    }

    /// An instruction the model does not know: pop what it pops, push unknowns.
    fn generic(&mut self, i: &Instruction, arg: u32, s: &mut State) {
        let net = stack_effect(self.version, i.op, arg, Some(false)).unwrap_or(0);
        let counts = popped_pushed(self.version, i.op, arg).or_else(|| {
            // 3.11 knows net effects only: 3.12's counts where they come to the same net effect.
            let (p, q) = popped_pushed(PythonVersion::V3_12, i.op, arg).filter(|_| self.version == PythonVersion::V3_11)?;
            (q - p == net).then_some((p, q))
        });
        let (popped, pushed) = match counts {
            Some((p, q)) => (p.max(0) as usize, q.max(0) as usize),
            None if net < 0 => ((-net) as usize, 0),
            // An operation 3.11 alone has: taken to consume the top of the stack, so that no
            // operand stays there posing as its result.
            None if self.version == PythonVersion::V3_11 => (1, 1 + net as usize),
            None => (0, net as usize),
        };
        for _ in 0..popped {
            let v = self.pop(s);
            // Values handed to instructions we do not model may go anywhere.
            self.escape(&v, Escape::Passed);
        }
        for k in 0..pushed {
            let mut v = Value::unknown("a value computed at run time");
            if pushed == 1 {
                v.obj = Obj::Unknown(Some(i.offset));
            }
            let _ = k;
            s.stack.push(v);
        }
    }

    fn record_is(&mut self, i: &Instruction, p: Prediction, reason: String, negated: bool, value_identity: bool) {
        let positions = i.positions.unwrap_or((None, None, None, None));
        let fact = IsFact { offset: i.offset, negated, prediction: p, reason, value_identity, positions };
        match self.is_facts.get_mut(&i.offset) {
            None => {
                self.is_facts.insert(i.offset, fact);
            }
            Some(old) if old.prediction != p => {
                old.prediction = Prediction::Depends;
                old.reason = "the answer changes from one run of this line to another".into();
                old.value_identity &= value_identity;
            }
            Some(_) => {}
        }
    }
}

/// Values made by an earlier run of the instruction at `site` are not what it makes now.
fn renew(s: &mut State, site: u32) {
    let stale = |v: &mut Value| {
        if v.made_at(site) {
            v.from_earlier_run();
        }
    };
    s.stack.iter_mut().for_each(stale);
    s.locals.iter_mut().flatten().for_each(stale);
    s.names.values_mut().for_each(stale);
}

fn fit(stack: &mut Vec<Value>, want: usize) {
    let want = want.min(MAX_STACK);
    if stack.len() > want {
        stack.truncate(want);
    }
    while stack.len() < want {
        stack.push(Value::unknown("a value computed at run time"));
    }
}

fn line(i: &Instruction) -> i32 {
    i.line_number.unwrap_or(0)
}
