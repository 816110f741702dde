//! The differential check of the two parsing paths, shared by the tests and the fuzz target
//! (`crate::fuzzing`): wherever ruff's parser takes a text, rustpython-parser's path must accept
//! it too and build the same tree, ranges included (or refuse it with the same error).

use super::{parse_suite, MAX_LINE_WEIGHT};
use crate::ast::Stmt;
use crate::parse::{finish, parse_part_with, prepare, Grammar, Prepared, SyntaxError};

#[derive(Debug, PartialEq)]
pub(crate) enum Outcome {
    /// Both paths built the same tree.
    Same,
    /// ruff's parser declined (or the text is invalid): only the slow path answered.
    SlowOnly,
}

type Result_ = Result<Vec<Stmt>, SyntaxError>;

/// The fast path's result, if it takes `text`.
pub(crate) fn fast_result(text: &str, grammar: Grammar) -> Option<Result_> {
    let Prepared { masked, placeholders, max_line_weight, escapes } = prepare(text, 0, text.len(), grammar, true).ok()?;
    if max_line_weight > MAX_LINE_WEIGHT {
        return None;
    }
    let body = parse_suite(text, masked.as_deref().unwrap_or(text), 0, grammar, &placeholders)?;
    Some(finish(text, body, escapes, grammar).map(|(body, _)| body))
}

pub(crate) fn compare(text: &str, grammar: Grammar) -> Result<Outcome, String> {
    let Some(fast) = fast_result(text, grammar) else { return Ok(Outcome::SlowOnly) };
    let slow = parse_part_with(text, 0, text.len(), grammar, false).map(|(body, _)| body);
    let (fast, slow) = match (fast, slow) {
        (Ok(fast), Ok(slow)) => (fast, slow),
        (Err(f), Err(s)) if f == s => return Ok(Outcome::Same),
        (fast, slow) => {
            let brief = |r: &Result_| r.as_ref().map(|_| "a tree".to_string()).map_err(|e| e.message.clone());
            return Err(format!("fast path gave {:?}, rustpython-parser's path {:?}", brief(&fast), brief(&slow)));
        }
    };
    if fast == slow {
        return Ok(Outcome::Same);
    }
    // Show where the two trees' debug forms part.
    let (f, s) = (format!("{fast:?}"), format!("{slow:?}"));
    let at = f.bytes().zip(s.bytes()).position(|(a, b)| a != b).unwrap_or(f.len().min(s.len()));
    let window = |t: &str| {
        let (mut a, mut b) = (at.saturating_sub(300), (at + 200).min(t.len()));
        while !t.is_char_boundary(a) {
            a -= 1;
        }
        while !t.is_char_boundary(b) {
            b += 1;
        }
        t[a..b].to_string()
    };
    Err(format!("trees differ:\n fast: …{}…\n slow: …{}…", window(&f), window(&s)))
}

