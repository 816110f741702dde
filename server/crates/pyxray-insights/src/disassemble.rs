//! "Show me the bytecode of this function": which code object a place in the file compiles into
//! (the innermost `def`, `class`, `lambda` or comprehension around it, else the module), and its
//! whole `dis` listing with the code objects nested in it, as `dis.dis(obj)` prints it. Editors
//! show this side by side with the source; plain data, the protocol is the LSP crate's business.

use crate::analysis::FileAnalysis;
use pyxray_bytecode::dis::dis_text;
use pyxray_bytecode::{CodeObject, PythonVersion};
use pyxray_syntax::ast::TextRange;
use std::sync::Arc;

/// Which code object to show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum DisTarget {
    /// The whole module.
    #[default]
    Module,
    /// The innermost code object whose source contains this byte offset.
    At(u32),
    /// The code object with this `co_qualname` (the first in file order when several share it);
    /// lets a listing follow its function while lines move above it.
    Qualname(String),
}

/// The listing of one code object, or why there is none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disassembly {
    /// `co_name` (`<module>` for the module, also when nothing compiled).
    pub name: String,
    /// `co_qualname`.
    pub qualname: String,
    /// The source the code object was compiled from; `None` for the module.
    pub range: Option<TextRange>,
    pub python: PythonVersion,
    /// `dis.dis` text of the code object and the ones nested in it; empty when nothing compiled.
    pub listing: String,
    /// What the reader should know about the listing: why it is empty, or that CPython refuses
    /// the file and this is what the rest of it compiles to.
    pub note: Option<String>,
}

/// The disassembly of `target` in `analysis`. A qualname that no longer exists (the function was
/// renamed or deleted) falls back to the module, with a note saying so; a version other than the
/// one asked for is said first.
pub fn disassemble(analysis: &FileAnalysis, target: &DisTarget) -> Disassembly {
    let mut dis = listing(analysis, target);
    if let Some(version) = analysis.config().version_note() {
        dis.note = Some(match dis.note {
            Some(note) => format!("{version}. {note}"),
            None => format!("{version}."),
        });
    }
    dis
}

fn listing(analysis: &FileAnalysis, target: &DisTarget) -> Disassembly {
    let compiled = analysis.compiled();
    let python = analysis.config().python;
    let empty = |note: String| Disassembly {
        name: "<module>".into(),
        qualname: "<module>".into(),
        range: None,
        python,
        listing: String::new(),
        note: Some(note),
    };
    if let Some(why) = &compiled.skipped {
        return empty(format!("{why}."));
    }
    let error_note = compiled.error.as_ref().map(|e| {
        let line = analysis.line_index().line_of(e.range.start) + 1;
        format!("CPython {} refuses this file ({}: {}, line {line})", python.as_str(), e.kind.python_name(), e.message)
    });
    let Some(module) = &compiled.code else {
        return empty(error_note.unwrap_or_else(|| "nothing compiled".into()) + ".");
    };
    let codes = compiled.code_objects();
    let mut note = error_note.map(|n| format!("{n}; this is what the rest of the file compiles to."));
    let code = match target {
        DisTarget::Module => module,
        DisTarget::At(offset) => innermost_at(&codes, *offset).unwrap_or(module),
        DisTarget::Qualname(q) => match codes.iter().find(|c| c.source.is_some() && &c.qualname == q) {
            Some(code) => code,
            None => {
                let gone = format!("`{q}` is no longer in the file; showing the module.");
                note = Some(note.map_or(gone.clone(), |n| format!("{n} {gone}")));
                module
            }
        },
    };
    Disassembly {
        name: code.name.clone(),
        qualname: code.qualname.clone(),
        range: code.source,
        python,
        listing: dis_text(code, python),
        note,
    }
}

/// The smallest code object whose source contains `offset` (its end included, so a cursor just
/// after a one-line lambda still counts).
fn innermost_at<'a>(codes: &[&'a Arc<CodeObject>], offset: u32) -> Option<&'a Arc<CodeObject>> {
    codes
        .iter()
        .filter_map(|c| c.source.filter(|s| s.start <= offset && offset <= s.end).map(|s| (*c, s.end - s.start)))
        .min_by_key(|&(_, len)| len)
        .map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AnalysisConfig;

    const SOURCE: &str = "x = 1\n\ndef outer(a):\n    def inner():\n        return a\n    return inner\n";

    fn dis(text: &str, target: DisTarget) -> Disassembly {
        disassemble(&FileAnalysis::new(text, &AnalysisConfig::default()), &target)
    }

    #[test]
    fn picks_the_innermost_code_object() {
        let at = |needle: &str| DisTarget::At(SOURCE.find(needle).unwrap() as u32);
        assert_eq!(dis(SOURCE, at("x = 1")).qualname, "<module>");
        let outer = dis(SOURCE, at("return inner"));
        assert_eq!(outer.qualname, "outer");
        assert!(outer.listing.contains("MAKE_CELL") && outer.listing.contains("Disassembly of <code object inner"));
        let inner = dis(SOURCE, at("return a"));
        assert_eq!((inner.name.as_str(), inner.qualname.as_str()), ("inner", "outer.<locals>.inner"));
        assert!(inner.listing.contains("LOAD_DEREF") && inner.note.is_none(), "{inner:?}");
        assert_eq!(inner.range.map(|r| &SOURCE[r.start as usize..r.start as usize + 9]), Some("def inner"));
    }

    #[test]
    fn qualnames_follow_their_function_or_fall_back_to_the_module() {
        let inner = dis(SOURCE, DisTarget::Qualname("outer.<locals>.inner".into()));
        assert!(inner.listing.contains("RETURN_VALUE"));
        let gone = dis(SOURCE, DisTarget::Qualname("renamed".into()));
        assert_eq!(gone.qualname, "<module>");
        assert!(gone.note.unwrap().contains("`renamed` is no longer in the file"));
        assert!(dis(SOURCE, DisTarget::Module).listing.contains("Disassembly of <code object outer"));
    }

    #[test]
    fn files_that_do_not_compile_say_why() {
        let refused = dis("return 1\ndef f():\n    pass\n", DisTarget::At(12));
        assert_eq!(refused.qualname, "f");
        assert!(refused.note.unwrap().contains("SyntaxError: 'return' outside function, line 1"));
        // A release pyxray knows but does not compile yet, while there is one.
        let Some(&unsupported) = PythonVersion::ALL.iter().find(|v| !pyxray_compiler::SUPPORTED.contains(v)) else {
            return;
        };
        let config = AnalysisConfig { python: unsupported, ..Default::default() };
        let skipped = disassemble(&FileAnalysis::new("x = 1\n", &config), &DisTarget::Module);
        assert!(skipped.listing.is_empty());
        assert!(skipped.note.unwrap().contains(&format!("cannot compile for CPython {unsupported}")));
    }

    #[test]
    fn a_version_other_than_the_one_asked_for_is_said_first() {
        let mut config = AnalysisConfig::default();
        config.set_version(crate::Requested::parse("3.9").as_ref(), crate::VersionSource::Setting);
        let d = disassemble(&FileAnalysis::new("return 1\n", &config), &DisTarget::Module);
        let note = d.note.unwrap();
        assert!(note.starts_with("Python 3.9 (as set) is not supported by pyxray"), "{note}");
        assert!(note.contains(". CPython 3.") && note.contains("refuses this file"), "{note}");
    }
}
