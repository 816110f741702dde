//! The code-object hover: over a `def`/`class` name, a `lambda` keyword or a comprehension, the
//! `dis` listing of the code object CPython compiles it to, under a summary (arguments, locals,
//! captured variables, stack size, flags). Long listings are cut, with a note on how to see the
//! rest; a comprehension CPython inlines (3.12+) says so and shows where its code went.

use super::CodeTarget;
use crate::analysis::{FileAnalysis, Hover};
use pyxray_bytecode::code::flags;
use pyxray_bytecode::dis::{dis_code, pretty_flags};
use pyxray_bytecode::{CodeObject, PythonVersion};
use std::fmt::Write;
use std::sync::Arc;

/// Listing lines shown before the cut.
const MAX_LISTING_LINES: usize = 60;

pub(crate) fn hover(analysis: &FileAnalysis, target: CodeTarget<'_>) -> Option<Hover> {
    let compiled = analysis.compiled();
    let version = analysis.config().python;
    let markdown = if let Some(why) = &compiled.skipped {
        format!("**{}** · {why}.", target.what)
    } else if let (None, Some(e)) = (&compiled.code, &compiled.error) {
        let line = analysis.line_index().line_of(e.range.start) + 1;
        format!(
            "**{}** · no bytecode: CPython {} refuses to compile this file (`{}: {}`, line {line}).",
            target.what,
            version.as_str(),
            e.kind.python_name(),
            e.message
        )
    } else {
        let codes = compiled.code_objects();
        let range = target.node.range();
        match codes.iter().find(|c| c.source == Some(range)) {
            Some(code) => {
                let mut md = describe(code, target.what, version, &codes);
                md.push_str(&late_binding_note(analysis, range));
                if let Some(e) = &compiled.error {
                    let line = analysis.line_index().line_of(e.range.start) + 1;
                    md.push_str(&format!(
                        "\nNote: CPython refuses this file (`{}: {}`, line {line}); this listing is what the rest of \
                         the file compiles to.\n",
                        e.kind.python_name(),
                        e.message
                    ));
                }
                md
            }
            None => inlined(&codes, range, target.what, version)?,
        }
    };
    Some(Hover { range: target.highlight, markdown })
}

/// Summary and listing of one code object.
fn describe(code: &CodeObject, what: &str, version: PythonVersion, codes: &[&Arc<CodeObject>]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "**{what} `{}`** · code object `{}` · CPython {}", code.name, code.qualname, version.as_str());
    md.push('\n');
    let _ = writeln!(md, "{}  ", summary(code));
    let _ = writeln!(md, "flags: `{}`", pretty_flags(version, code.flags));
    let cells = code.cellvars();
    let free = code.freevars();
    if !free.is_empty() {
        // Each free variable comes from the nearest enclosing code object that has it as a cell.
        let parent_of = |child: &CodeObject| codes.iter().find(|c| c.children().any(|k| std::ptr::eq(k.as_ref(), child)));
        let origins: Vec<String> = free
            .iter()
            .map(|name| {
                let mut at = parent_of(code);
                while let Some(p) = at {
                    if p.cellvars().contains(name) {
                        return format!("`{name}` (from `{}`)", p.qualname);
                    }
                    at = parent_of(p);
                }
                format!("`{name}`")
            })
            .collect();
        let _ = writeln!(md, "\ncaptures from enclosing scopes (free variables): {}", origins.join(", "));
    }
    if !cells.is_empty() {
        let users: Vec<String> = cells
            .iter()
            .map(|name| {
                let by: Vec<String> = code
                    .children()
                    .filter(|c| c.freevars().contains(name))
                    .map(|c| format!("`{}`", c.qualname.rsplit('.').next().unwrap_or(&c.qualname)))
                    .collect();
                if by.is_empty() {
                    format!("`{name}`")
                } else {
                    format!("`{name}` (used by {})", by.join(", "))
                }
            })
            .collect();
        let _ = writeln!(md, "\nshared with inner functions (cell variables): {}", users.join(", "));
    }
    if code.flags & (flags::CO_GENERATOR | flags::CO_COROUTINE | flags::CO_ASYNC_GENERATOR) != 0 {
        let kind = if code.flags & flags::CO_ASYNC_GENERATOR != 0 {
            "an async generator: calling it returns an async generator object; the body runs as it is iterated"
        } else if code.flags & flags::CO_COROUTINE != 0 {
            "a coroutine: calling it returns a coroutine object; the body runs when it is awaited"
        } else {
            "a generator: calling it returns a generator object; the body runs as it is iterated"
        };
        let _ = writeln!(md, "\n{kind}.");
    }
    md.push('\n');
    md.push_str(&listing(&dis_code(code, version)));
    md
}

/// For a function made in a loop: what late binding means for it here.
fn late_binding_note(analysis: &FileAnalysis, range: pyxray_syntax::ast::TextRange) -> String {
    let facts = analysis.compiled().facts.iter().flat_map(|f| &f.closures);
    let Some(c) = facts.into_iter().find(|c| c.source == Some(range) && c.in_loop) else { return String::new() };
    if c.rebound_in_loop.is_empty() {
        return "\nMade anew on every pass of its loop.\n".into();
    }
    let names = c.rebound_in_loop.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    if c.escapes.is_empty() {
        format!(
            "\nMade in a loop that reassigns {names}; it reads them when called. It is only used inside the loop, \
             so it sees the current values: no late-binding problem here.\n"
        )
    } else {
        let how: Vec<&str> = c.escapes.iter().map(|e| e.describe()).collect();
        format!(
            "\n**Late binding:** made in a loop that reassigns {names}, and {}. It reads {names} when it is called, \
             after the loop has moved on, so every copy sees the last value.\n",
            how.join(" and ")
        )
    }
}

/// A comprehension with no code object of its own: CPython 3.12+ inlines list, set and dict
/// comprehensions (PEP 709) into the code that contains them.
fn inlined(codes: &[&Arc<CodeObject>], range: pyxray_syntax::ast::TextRange, what: &str, version: PythonVersion) -> Option<String> {
    let enclosing = codes
        .iter()
        .filter(|c| c.source.is_none_or(|s| s.start <= range.start && range.end <= s.end))
        .filter(|c| c.source.is_some() || c.name == "<module>")
        .min_by_key(|c| c.source.map_or(u32::MAX, |s| s.end - s.start))?;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "**{what}** · inlined into `{}` · CPython {}\n\nSince 3.12 CPython compiles list, set and dict comprehensions in place \
         (PEP 709): no function object is created and called, so the comprehension's instructions are part of \
         the listing of `{}` below, between `LOAD_FAST_AND_CLEAR` and the matching `STORE_FAST`.\n",
        enclosing.qualname,
        version.as_str(),
        enclosing.qualname
    );
    md.push_str(&listing(&dis_code(enclosing, version)));
    Some(md)
}

/// "2 arguments (1 keyword-only) · 3 locals · stack size 4", in plain words.
fn summary(code: &CodeObject) -> String {
    let mut parts = Vec::new();
    let mut args = plural(code.argcount + code.kwonlyargcount, "argument");
    let mut details = Vec::new();
    if code.posonlyargcount > 0 {
        details.push(format!("{} positional-only", code.posonlyargcount));
    }
    if code.kwonlyargcount > 0 {
        details.push(format!("{} keyword-only", code.kwonlyargcount));
    }
    if code.flags & flags::CO_VARARGS != 0 {
        details.push("`*args`".to_string());
    }
    if code.flags & flags::CO_VARKEYWORDS != 0 {
        details.push("`**kwargs`".to_string());
    }
    if !details.is_empty() {
        args = format!("{args} ({})", details.join(", "));
    }
    parts.push(args);
    parts.push(plural(code.nlocals(), "local"));
    parts.push(format!("stack size {}", code.stacksize));
    parts.join(" · ")
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The listing in a fenced block, cut after [`MAX_LISTING_LINES`] lines.
fn listing(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let shown = lines.len().min(MAX_LISTING_LINES);
    let mut md = String::from("```text\n");
    for line in &lines[..shown] {
        md.push_str(line.trim_end());
        md.push('\n');
    }
    md.push_str("```\n");
    if lines.len() > shown {
        let _ = write!(
            md,
            "\n… {} more lines. The whole listing: the editor's \"Show Bytecode\" command, or `pyxray dis FILE` in a terminal.",
            lines.len() - shown
        );
    }
    md
}
