//! `late-binding-closure`: a function or lambda made in a loop that reads a variable the loop
//! keeps reassigning, and that outlives the iteration that made it (returned, stored, passed on,
//! put in a list). A closure reads the variable when it is called, not when it is made, so every
//! copy sees the loop's last value. Functions only called inside the loop are fine and are not
//! reported (the mini-VM follows where each function object goes).

use super::Context;
use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};

pub const CODE: DiagnosticCode = DiagnosticCode {
    code: "PX009",
    name: "late-binding-closure",
    severity: Severity::Warning,
    summary: "A closure made in a loop that escapes it and reads a loop variable: every copy sees the last value.",
    check,
};

fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for facts in &cx.compiled.facts {
        for c in facts.closures.iter().filter(|c| c.is_late_binding_hazard()) {
            let Some(range) = c.source else { continue };
            let names: Vec<String> = c.rebound_in_loop.iter().map(|n| format!("`{n}`")).collect();
            let what = if c.qualname.ends_with("<lambda>") { "This lambda" } else { "This function" };
            let how: Vec<&str> = c.escapes.iter().map(|e| e.describe()).collect();
            let message = format!(
                "{what} is made in a loop and reads {} when it is called, not when it is made. It is {}, so it runs \
                 after the loop has moved on and sees the last value. Bind the current value instead, e.g. \
                 `lambda {}: …` or `functools.partial`.",
                names.join(", "),
                how.join(" and "),
                c.rebound_in_loop.iter().map(|n| format!("{n}={n}")).collect::<Vec<_>>().join(", ")
            );
            out.push(Diagnostic::new(&CODE, range, message));
        }
    }
}
