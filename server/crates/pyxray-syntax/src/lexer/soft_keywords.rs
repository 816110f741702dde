//! Soft keywords (`match`, `case`, `type`) turned back into names where rustpython-parser's
//! soft-keyword pass would: its heuristics, applied to the finished token vector (the pass itself
//! is private to that crate and only wraps its own lexer).

use super::Spanned;
use rustpython_parser::{Mode, Tok};

/// Rewrites soft keywords used as names into `Name` tokens, in place. Each decision looks at the
/// tokens after the keyword as the lexer produced them, as the original pass does.
pub(super) fn apply(tokens: &mut [Spanned], mode: Mode) {
    let mut start_of_line = matches!(mode, Mode::Interactive | Mode::Module);
    for i in 0..tokens.len() {
        let keyword = match &tokens[i].0 {
            Tok::Match => Some("match"),
            Tok::Case => Some("case"),
            Tok::Type => Some("type"),
            _ => None,
        };
        if let Some(name) = keyword {
            let is_keyword = start_of_line
                && match tokens[i].0 {
                    Tok::Type => starts_type_alias(&tokens[i + 1..]),
                    _ => has_top_level_colon(&tokens[i + 1..]),
                };
            if !is_keyword {
                tokens[i].0 = Tok::Name { name: name.to_string() };
            }
        }
        start_of_line =
            matches!(tokens[i].0, Tok::StartModule | Tok::StartInteractive | Tok::Newline | Tok::Indent | Tok::Dedent);
    }
}

/// `match`/`case` start a statement when the logical line has a colon outside brackets that is
/// not the very next token and does not belong to a lambda.
fn has_top_level_colon(rest: &[Spanned]) -> bool {
    let mut nesting = 0i32;
    let mut first = true;
    let mut seen_colon = false;
    let mut seen_lambda = false;
    for (tok, _) in rest {
        match tok {
            Tok::Newline => break,
            Tok::Lambda if nesting == 0 => seen_lambda = true,
            Tok::Colon if nesting == 0 => {
                if seen_lambda {
                    seen_lambda = false;
                } else if !first {
                    seen_colon = true;
                }
            }
            Tok::Lpar | Tok::Lsqb | Tok::Lbrace => nesting += 1,
            Tok::Rpar | Tok::Rsqb | Tok::Rbrace => nesting -= 1,
            _ => {}
        }
        first = false;
    }
    seen_colon
}

/// `type` starts an alias when a name follows and then, after optional brackets, `=`.
fn starts_type_alias(rest: &[Spanned]) -> bool {
    let Some((next, _)) = rest.first() else { return false };
    if !matches!(next, Tok::Name { .. } | Tok::Type | Tok::Match | Tok::Case) {
        return false;
    }
    let mut nesting = 0i32;
    for (tok, _) in &rest[1..] {
        match tok {
            Tok::Newline => break,
            Tok::Equal if nesting == 0 => return true,
            Tok::Lsqb => nesting += 1,
            Tok::Rsqb => nesting -= 1,
            _ if nesting > 0 => {}
            _ => break,
        }
    }
    false
}
