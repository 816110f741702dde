//! Every insight pyxray has about a file, as plain data for `pyxray explain`: identity
//! comparisons with their predicted results, function objects with what they capture and where
//! they go, and the diagnostics.

use crate::analysis::FileAnalysis;
use crate::compiled::Compiled;
use pyxray_syntax::ast::TextRange;

#[derive(Clone, Debug, PartialEq)]
pub enum Insight {
    /// An `is` / `is not` comparison (one `IS_OP` instruction).
    Identity { range: TextRange, operator: &'static str, prediction: &'static str, reason: String },
    /// A function or lambda object made at run time.
    Closure {
        range: TextRange,
        qualname: String,
        captured: Vec<String>,
        in_loop: bool,
        escapes: Vec<&'static str>,
        late_binding: Vec<String>,
    },
    /// A diagnostic (its code name and message).
    Diagnostic { range: TextRange, code: &'static str, name: &'static str, message: String },
}

impl Insight {
    pub fn range(&self) -> TextRange {
        match self {
            Insight::Identity { range, .. } | Insight::Closure { range, .. } | Insight::Diagnostic { range, .. } => *range,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Insight::Identity { .. } => "identity",
            Insight::Closure { .. } => "closure",
            Insight::Diagnostic { .. } => "diagnostic",
        }
    }
}

impl FileAnalysis {
    /// Every insight, in source order.
    pub fn insights(&self) -> Vec<Insight> {
        let mut out = Vec::new();
        for facts in &self.compiled().facts {
            for f in &facts.is_facts {
                let Some(range) = Compiled::range_of(self.line_index(), f.positions) else { continue };
                out.push(Insight::Identity {
                    range,
                    operator: if f.negated { "is not" } else { "is" },
                    prediction: f.prediction.as_str(),
                    reason: f.reason.clone(),
                });
            }
            // Plain functions are not news; closures and functions made in loops are.
            for c in facts.closures.iter().filter(|c| !c.captured.is_empty() || c.in_loop) {
                let Some(range) = c.source else { continue };
                out.push(Insight::Closure {
                    range,
                    qualname: c.qualname.clone(),
                    captured: c.captured.clone(),
                    in_loop: c.in_loop,
                    escapes: c.escapes.iter().map(|e| e.describe()).collect(),
                    late_binding: if c.is_late_binding_hazard() { c.rebound_in_loop.clone() } else { Vec::new() },
                });
            }
        }
        for d in self.diagnostics() {
            out.push(Insight::Diagnostic { range: d.range, code: d.code.code, name: d.code.name, message: d.message.clone() });
        }
        out.sort_by_key(|i| (i.range().start, i.range().end));
        out
    }
}
