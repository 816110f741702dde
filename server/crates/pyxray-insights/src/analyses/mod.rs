//! The registry of analyses: each file in this folder checks one thing and defines its
//! diagnostic code; adding one means adding its file and a line in [`REGISTRY`].

mod bool_comparison;
mod compile_error;
mod compile_warning;
mod identity;
mod is_literal;
mod late_binding;
mod mutable_default;
mod none_comparison;
mod syntax_error;

use crate::compiled::Compiled;
use crate::config::AnalysisConfig;
use crate::diagnostic::{Diagnostic, DiagnosticCode, Fix, TextEdit};
use pyxray_syntax::ast::TextRange;
use pyxray_syntax::{LineIndex, Parsed};

/// What an analysis may look at: the file at every stage.
pub struct Context<'a> {
    pub text: &'a str,
    pub line_index: &'a LineIndex,
    pub parsed: &'a Parsed,
    pub compiled: &'a Compiled,
    pub config: &'a AnalysisConfig,
}

/// Every diagnostic pyxray can emit, in the order they are reported.
pub static REGISTRY: &[&DiagnosticCode] = &[
    &syntax_error::CODE,
    &compile_error::CODE,
    &compile_warning::CODE,
    &is_literal::CODE,
    &identity::CODE,
    &none_comparison::CODE,
    &bool_comparison::CODE,
    &mutable_default::CODE,
    &late_binding::CODE,
];

/// Runs every enabled analysis.
pub fn run_all(cx: &Context<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for code in REGISTRY {
        if cx.config.is_enabled(code) {
            (code.check)(cx, &mut out);
        }
    }
    out
}

impl Context<'_> {
    /// The mini-VM's prediction for the identity comparison inside `range`, if there is one.
    pub fn is_prediction_at(&self, range: TextRange) -> Option<(pyxray_vm::Prediction, String)> {
        self.compiled.facts.iter().flat_map(|f| &f.is_facts).find_map(|f| {
            let r = Compiled::range_of(self.line_index, f.positions)?;
            (range.start <= r.start && r.end <= range.end).then(|| (f.prediction, f.reason.clone()))
        })
    }
}

/// Where the operator `op` (`is`, `is not`, `==`, `!=`) stands between two operands: the first
/// occurrence outside comments, as a whole word.
pub fn operator_between(text: &str, from: u32, to: u32, op: &str) -> Option<TextRange> {
    let between = text.get(from as usize..to as usize)?;
    let bytes = between.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let words: Vec<&str> = op.split(' ').collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let first = words[0].as_bytes();
        let starts_word = i == 0 || !word(bytes[i - 1]) || !word(first[0]);
        if starts_word && bytes[i..].starts_with(first) {
            let mut end = i + first.len();
            let ends_word = end >= bytes.len() || !word(bytes[end]) || !word(first[first.len() - 1]);
            if ends_word {
                if let Some(second) = words.get(1) {
                    let rest = &between[end..];
                    let trimmed = rest.trim_start();
                    if !trimmed.starts_with(second) {
                        i += 1;
                        continue;
                    }
                    end += rest.len() - trimmed.len() + second.len();
                }
                return Some(TextRange::new(from + i as u32, from + end as u32));
            }
        }
        i += 1;
    }
    None
}

/// The quick fix turning the `is` / `is not` of the comparison at `range` into `==` / `!=`.
pub fn operator_fix(cx: &Context<'_>, range: TextRange, negated: bool) -> Option<Fix> {
    use pyxray_syntax::ast::{CmpOp, Expr, ExprKind};
    use pyxray_syntax::walk::{nodes_at, Node};
    let (wanted, op, replacement) = if negated { (CmpOp::IsNot, "is not", "!=") } else { (CmpOp::Is, "is", "==") };
    let compare = nodes_at(&cx.parsed.module.body, range.start).into_iter().rev().find_map(|n| match n {
        Node::Expr(e @ Expr { kind: ExprKind::Compare { .. }, .. }) if e.range.start <= range.start && range.end <= e.range.end => {
            Some(e)
        }
        _ => None,
    })?;
    let ExprKind::Compare { left, ops, comparators } = &compare.kind else { return None };
    let mut prev: &Expr = left;
    for (o, right) in ops.iter().zip(comparators) {
        if *o == wanted {
            let at = operator_between(cx.text, prev.range.end, right.range.start, op)?;
            return Some(Fix {
                title: format!("Compare values with `{replacement}`"),
                edits: vec![TextEdit { range: at, new_text: replacement.to_string() }],
            });
        }
        prev = right;
    }
    None
}

/// Calls `f(left, op, right)` for every adjacent pair of every comparison in the file
/// (`a < b < c` gives `(a, <, b)` and `(b, <, c)`).
pub fn for_each_comparison<'a>(
    cx: &Context<'a>,
    mut f: impl FnMut(&'a pyxray_syntax::ast::Expr, pyxray_syntax::ast::CmpOp, &'a pyxray_syntax::ast::Expr),
) {
    use pyxray_syntax::ast::ExprKind;
    use pyxray_syntax::walk::{walk, Node};
    walk(&cx.parsed.module.body, |node| {
        if let Node::Expr(e) = node {
            if let ExprKind::Compare { left, ops, comparators } = &e.kind {
                let mut prev = left.as_ref();
                for (op, right) in ops.iter().zip(comparators) {
                    f(prev, *op, right);
                    prev = right;
                }
            }
        }
        true
    });
}
