//! Parsing after an edit: the top-level statements before and after the edited region are taken
//! from the previous parse (those after it moved by the change in length), and only the region
//! between them is parsed again. The result is exactly what [`parse_module_with`] gives; whenever
//! that cannot be guaranteed cheaply (the previous text had errors, the region does not parse on
//! its own) the whole text is parsed instead.
//!
//! Why the parts can be parsed apart: a top-level statement starts at column 0 on a fresh line
//! with no bracket or string open, where the tokenizer's state is the same as at the start of a
//! file. The kept statements' text is unchanged, and the region parses on its own, so it closes
//! every bracket, string and block before the first kept statement after it.

use crate::ast::{Module, Stmt};
use crate::limits;
use crate::parse::{parse_module_with, parse_part, Grammar, Parsed};
use crate::shift::shift_stmts;

/// Parses `text`, the edited version of `previous_text` (whose parse is `previous`).
pub fn reparse(text: &str, grammar: Grammar, previous_text: &str, previous: &Parsed) -> Parsed {
    if !previous.is_complete() || limits::check(text).is_some() {
        return parse_module_with(text, grammar);
    }
    let Some(plan) = Plan::new(text, previous_text, &previous.module.body) else {
        return parse_module_with(text, grammar);
    };
    let Ok((middle, middle_escapes)) = parse_part(text, plan.window_start, plan.window_end, grammar) else {
        return parse_module_with(text, grammar);
    };
    let body = &previous.module.body;
    let mut stmts: Vec<Stmt> = Vec::with_capacity(plan.keep_before + middle.len() + body.len() - plan.keep_from);
    stmts.extend_from_slice(&body[..plan.keep_before]);
    stmts.extend(middle);
    let after = stmts.len();
    stmts.extend_from_slice(&body[plan.keep_from..]);
    shift_stmts(&mut stmts[after..], plan.delta);

    let old_window_end = (i64::try_from(plan.window_end).unwrap_or(i64::MAX) - plan.delta) as usize;
    let mut escapes: Vec<_> = previous.escapes.iter().filter(|e| e.offset < plan.window_start).cloned().collect();
    escapes.extend(middle_escapes);
    escapes.extend(previous.escapes.iter().filter(|e| e.offset >= old_window_end).map(|e| {
        let mut e = e.clone();
        e.offset = (e.offset as i64 + plan.delta) as usize;
        e.token = (e.token as i64 + plan.delta) as usize;
        e
    }));
    Parsed { module: Module { body: stmts }, errors: Vec::new(), failed_regions: Vec::new(), escapes }
}

/// Which statements are kept and which region of the new text is parsed again.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    /// Statements `..keep_before` of the previous parse are kept as they are.
    keep_before: usize,
    /// Statements `keep_from..` are kept, moved by `delta`.
    keep_from: usize,
    delta: i64,
    /// The region of the new text between them.
    window_start: usize,
    window_end: usize,
}

impl Plan {
    fn new(text: &str, previous_text: &str, body: &[Stmt]) -> Option<Plan> {
        let prefix = common_prefix(previous_text, text);
        let suffix = common_suffix(&previous_text[prefix..], &text[prefix..]);
        let old_end = previous_text.len() - suffix;
        let delta = text.len() as i64 - previous_text.len() as i64;
        let edit_line = line_start(text, prefix);
        // Statements that end before the edited line, less the last of them: an edit right after
        // a compound statement can extend it (`else:`), or continue it after a `;`.
        let before = body.iter().take_while(|s| (s.range.end as usize) < edit_line).count();
        let keep_before = before.saturating_sub(1);
        let window_start = if keep_before == 0 { 0 } else { body[keep_before - 1].range.end as usize };
        // The first statement after the edited region that starts a line the edit did not touch.
        let keep_from = (keep_before..body.len())
            .find(|&i| {
                let start = body[i].range.start as usize;
                start > old_end && matches!(previous_text.as_bytes()[start - 1], b'\n' | b'\r')
            })
            .unwrap_or(body.len());
        let window_end = match body.get(keep_from) {
            Some(s) => usize::try_from(i64::from(s.range.start) + delta).ok()?,
            None => text.len(),
        };
        let on_boundaries = text.is_char_boundary(window_start) && text.is_char_boundary(window_end);
        (window_start <= window_end && window_end <= text.len() && on_boundaries)
            .then_some(Plan { keep_before, keep_from, delta, window_start, window_end })
    }
}

/// The length of the longest common prefix, on a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(n) || !b.is_char_boundary(n) {
        n -= 1;
    }
    n
}

/// The length of the longest common suffix, on a character boundary.
fn common_suffix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().rev().zip(b.bytes().rev()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(a.len() - n) || !b.is_char_boundary(b.len() - n) {
        n -= 1;
    }
    n
}

/// The start of the line holding byte `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests;
