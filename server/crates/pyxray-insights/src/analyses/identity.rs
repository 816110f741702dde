//! `identity-depends-on-cache`: `a is b` between numbers, strings, bytes or tuples where CPython
//! does not warn (no literal on either side), with the mini-VM's prediction. Such a comparison
//! is True or False because of the small-int cache, string interning or constant merging, not
//! because of anything the program means; `==` says what is meant.

use super::{operator_fix, Context};
use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};
use crate::compiled::Compiled;

pub const CODE: DiagnosticCode = DiagnosticCode {
    code: "PX005",
    name: "identity-depends-on-cache",
    severity: Severity::Warning,
    summary: "`is` between numbers or strings: the answer comes from CPython's caches, with pyxray's prediction.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let literal_warnings: Vec<_> = cx
        .compiled
        .warnings
        .iter()
        .filter(|w| super::is_literal::is_literal_warning(&w.message))
        .map(|w| w.range)
        .collect();
    for facts in &cx.compiled.facts {
        for f in facts.is_facts.iter().filter(|f| f.value_identity) {
            let Some(range) = Compiled::range_of(cx.line_index, f.positions) else { continue };
            if literal_warnings.iter().any(|r| r.start <= range.start && range.end <= r.end) {
                continue;
            }
            let op = if f.negated { "is not" } else { "is" };
            let text = cx.text.get(range.start as usize..range.end as usize).unwrap_or(op);
            let message = format!(
                "`{text}` is {} here: {}. Whether two numbers or strings are the same object depends on CPython's \
                 caches and on constant merging; compare values with `{}`.",
                match f.prediction {
                    pyxray_vm::Prediction::True => "True",
                    pyxray_vm::Prediction::False => "False",
                    pyxray_vm::Prediction::Depends => "True or False depending on the values",
                },
                f.reason,
                if f.negated { "!=" } else { "==" }
            );
            let mut d = Diagnostic::new(&CODE, range, message);
            d.fixes.extend(operator_fix(cx, range, f.negated));
            out.push(d);
        }
    }
}
