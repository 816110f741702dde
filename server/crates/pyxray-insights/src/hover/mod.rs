//! Hovers: find what is under the cursor and hand it to the hover that knows about it. Each kind
//! of hover lives in its own file and returns Markdown that renders in every editor (fenced code
//! blocks, no HTML).

mod code_object;
mod literal;
mod name;

use crate::analysis::{FileAnalysis, Hover};
use pyxray_syntax::ast::{ExprKind, StmtKind};
use pyxray_syntax::walk::{nodes_at, Node};

/// The hover at byte `offset`, ending with which CPython it describes and why that one.
pub fn hover(analysis: &FileAnalysis, offset: u32) -> Option<Hover> {
    let mut h = hover_content(analysis, offset)?;
    h.markdown = format!("{}\n\n---\n{}", h.markdown.trim_end(), analysis.config().describe_version());
    Some(h)
}

fn hover_content(analysis: &FileAnalysis, offset: u32) -> Option<Hover> {
    let chain = nodes_at(&analysis.parsed().module.body, offset);
    if let Some(target) = code_target(&chain, offset) {
        return code_object::hover(analysis, target);
    }
    if analysis.compiled().code.is_none() {
        return None;
    }
    match chain.last()? {
        Node::Expr(e) => match &e.kind {
            ExprKind::Name { id, .. } => name::hover(analysis, id, e.range),
            ExprKind::Constant(_) => literal::hover(analysis, &chain),
            _ => None,
        },
        _ => None,
    }
}

/// A node compiled into a code object of its own (or, for an inlined comprehension, into its
/// enclosing one), and the part of the source the hover is about.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CodeTarget<'a> {
    pub node: Node<'a>,
    /// The range the hover highlights: a name, the `lambda` keyword, a comprehension.
    pub highlight: pyxray_syntax::ast::TextRange,
    /// What to call it: "function", "class", "lambda", "list comprehension", …
    pub what: &'static str,
}

/// The innermost `def`/`class` name, `lambda` keyword or comprehension the cursor is on.
fn code_target<'a>(chain: &[Node<'a>], offset: u32) -> Option<CodeTarget<'a>> {
    let last = *chain.last()?;
    match last {
        Node::Stmt(s) => match &s.kind {
            StmtKind::FunctionDef(f) if f.name_range.touches(offset) => {
                let what = if f.is_async { "async function" } else { "function" };
                Some(CodeTarget { node: last, highlight: f.name_range, what })
            }
            StmtKind::ClassDef(c) if c.name_range.touches(offset) => {
                Some(CodeTarget { node: last, highlight: c.name_range, what: "class" })
            }
            _ => None,
        },
        Node::Expr(e) => match &e.kind {
            ExprKind::Lambda { .. } if offset <= e.range.start + "lambda".len() as u32 => {
                let keyword = pyxray_syntax::ast::TextRange::new(e.range.start, e.range.start + 6);
                Some(CodeTarget { node: last, highlight: keyword, what: "lambda" })
            }
            ExprKind::ListComp { .. } | ExprKind::SetComp { .. } | ExprKind::DictComp { .. } | ExprKind::GeneratorExp { .. } => {
                Some(CodeTarget { node: last, highlight: e.range, what: e.kind.python_name() })
            }
            _ => None,
        },
        // On `for`, `in` or `if` of a comprehension clause: the comprehension itself.
        Node::Comprehension(_) => {
            let parent = chain.len().checked_sub(2).map(|i| chain[i])?;
            match parent {
                Node::Expr(e) => Some(CodeTarget { node: parent, highlight: e.range, what: e.kind.python_name() }),
                _ => None,
            }
        }
        _ => None,
    }
}
