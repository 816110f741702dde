//! The name hover: over a variable, its scope as CPython's symbol table decided it (local,
//! global, builtin, cell, free, class or module namespace, comprehension variable) and the
//! instruction the compiled code really uses there (`LOAD_FAST`, `LOAD_GLOBAL`, `LOAD_DEREF`, …),
//! with the reason.

use crate::analysis::{FileAnalysis, Hover};
use crate::compiled::InstrIndex;
use pyxray_bytecode::dis::{ArgVal, Instruction};
use pyxray_bytecode::{CodeObject, Op};
use pyxray_syntax::ast::TextRange;
use std::sync::Arc;

pub(crate) fn hover(analysis: &FileAnalysis, name: &str, range: TextRange) -> Option<Hover> {
    let compiled = analysis.compiled();
    let index = compiled.index(analysis.line_index());
    let mut found: Vec<(&Arc<CodeObject>, &Instruction)> = index.at(range).filter(|(_, i)| names(i).contains(&name)).collect();
    if found.is_empty() {
        // Superinstructions (`LOAD_FAST_LOAD_FAST x y`) carry the first name's position only.
        let line = analysis.line_index().line_of(range.start);
        found = index
            .pairs_by_line
            .get(&line)
            .into_iter()
            .flatten()
            .map(|&(c, i)| (&index.codes[c], &index.instrs[c][i]))
            .filter(|(_, i)| matches!(&i.argval, ArgVal::NamePair(a, b) if a == name || b == name))
            .collect();
    }
    let (code, instr) = *found.first()?;
    let (scope, why) = explain(name, code, instr, index);
    let ops: Vec<&str> = {
        let mut v: Vec<&str> = found.iter().map(|(_, i)| i.op.name()).collect();
        v.dedup();
        v
    };
    let version = analysis.config().python.as_str();
    let markdown = format!(
        "**`{name}`** · {scope} · in `{}` · CPython {version}\n\n`{}` here: {why}",
        code.qualname,
        ops.join("`, `")
    );
    Some(Hover { range, markdown })
}

/// The names an instruction reads or writes.
fn names(i: &Instruction) -> Vec<&str> {
    match &i.argval {
        ArgVal::Name(n) => vec![n.as_str()],
        ArgVal::NamePair(a, b) => vec![a.as_str(), b.as_str()],
        _ => vec![],
    }
}

/// The scope label and the reason CPython picked this instruction.
fn explain(name: &str, code: &CodeObject, i: &Instruction, index: &InstrIndex) -> (String, String) {
    let codes = &index.codes;
    let inner_users = || -> Vec<String> {
        codes
            .iter()
            .filter(|c| code.children().any(|k| Arc::ptr_eq(k, c)) && c.freevars().contains(&name))
            .map(|c| format!("`{}`", c.qualname))
            .collect()
    };
    match i.op {
        Op::LOAD_FAST_AND_CLEAR => (
            "comprehension variable".into(),
            "since 3.12 a list, set or dict comprehension runs inline (PEP 709); its loop variable is a fast local \
             that CPython saves and clears before the loop and restores after, so it does not leak."
                .into(),
        ),
        Op::LOAD_FAST_CHECK => (
            "local".into(),
            format!("a local of `{}`, read from the frame's array of fast locals by index; it may be unbound at this \
                     point, so CPython checks and raises UnboundLocalError if it is.", code.qualname),
        ),
        op if op.name().contains("FAST") => (
            "local".into(),
            format!("a local of `{}`: assigned somewhere in it, so the compiler gives it a slot in the frame and reads \
                     or writes it by index, with no dictionary lookup.", code.qualname),
        ),
        Op::LOAD_DEREF | Op::STORE_DEREF | Op::DELETE_DEREF | Op::MAKE_CELL => {
            if code.freevars().contains(&name) {
                (
                    "free variable".into(),
                    format!("`{}` reads it from an enclosing function through a cell; it sees the variable's value \
                             when it runs, not when it was defined.", code.qualname),
                )
            } else {
                let users = inner_users();
                (
                    "cell variable".into(),
                    format!(
                        "a local of `{}` that inner code captures{}, so it lives in a cell both share instead of a plain \
                         slot.",
                        code.qualname,
                        if users.is_empty() { String::new() } else { format!(" ({})", users.join(", ")) }
                    ),
                )
            }
        }
        Op::LOAD_GLOBAL if !module_binds(name, index) => (
            "builtin".into(),
            "not assigned in this function nor anywhere at module level, so it is found in builtins, after a miss in \
             the module's dict (the specializing interpreter caches the lookup)."
                .into(),
        ),
        Op::LOAD_GLOBAL | Op::STORE_GLOBAL | Op::DELETE_GLOBAL => (
            "global".into(),
            "not assigned in this function, so the compiler treats it as a module global: looked up in the module's \
             dict, then in builtins (the specializing interpreter caches the lookup)."
                .into(),
        ),
        Op::LOAD_NAME | Op::STORE_NAME | Op::DELETE_NAME => {
            let place = if code.name == "<module>" { "the module's namespace" } else { "the class body's namespace" };
            (
                if code.name == "<module>" { "module name".into() } else { "class namespace".into() },
                format!("at this level names live in {place} (a dict): reads try it, then the module globals, then \
                         builtins."),
            )
        }
        Op::LOAD_FROM_DICT_OR_DEREF | Op::LOAD_FROM_DICT_OR_GLOBALS => (
            "class namespace".into(),
            "inside a class body (or an annotation scope that can see one), CPython first looks in the class \
             namespace dict, then falls back to the enclosing function's cell or to the globals."
                .into(),
        ),
        other => ("name".into(), format!("compiled as `{}`.", other.name())),
    }
}

/// Whether the module binds `name` at its top level, or some function declares it global and
/// assigns it (a star import could bind anything).
fn module_binds(name: &str, index: &InstrIndex) -> bool {
    let stores = |instrs: &[Instruction], ops: &[Op]| {
        instrs.iter().any(|i| ops.contains(&i.op) && names(i).contains(&name))
    };
    let star_import = |instrs: &[Instruction]| instrs.iter().any(|i| i.argrepr.contains("IMPORT_STAR"));
    index.instrs.first().is_some_and(|module| stores(module, &[Op::STORE_NAME]) || star_import(module))
        || index.instrs.iter().any(|instrs| stores(instrs, &[Op::STORE_GLOBAL]))
}
