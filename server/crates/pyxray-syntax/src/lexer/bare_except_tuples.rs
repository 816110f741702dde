//! PEP 758 (CPython 3.14): `except A, B:` and `except* A, B:` without parentheses, when there is
//! no `as`. rustpython-parser's grammar requires the parentheses, so they are added to the token
//! stream as empty tokens around the exception list; the tuple then spans `A` to `B`, as in
//! CPython's tree.

use super::Spanned;
use rustpython_parser::text_size::TextRange;
use rustpython_parser::Tok;

/// Wraps each unparenthesised exception list of an `except` clause in `(` `)`.
pub(super) fn apply(tokens: &mut Vec<Spanned>) {
    let mut inserts: Vec<(usize, usize)> = Vec::new();
    for i in 0..tokens.len() {
        if !matches!(tokens[i].0, Tok::Except) {
            continue;
        }
        let first = if matches!(tokens.get(i + 1), Some((Tok::Star, _))) { i + 2 } else { i + 1 };
        if let Some(colon) = bare_tuple_end(&tokens[first..]) {
            inserts.push((first, first + colon));
        }
    }
    for &(first, colon) in inserts.iter().rev() {
        let start = tokens[first].1.start();
        let end = tokens[colon - 1].1.end();
        tokens.insert(colon, (Tok::Rpar, TextRange::empty(end)));
        tokens.insert(first, (Tok::Lpar, TextRange::empty(start)));
    }
}

/// The index of the clause's `:` when the tokens before it are a list with a top-level comma and
/// no `as`; `None` otherwise.
fn bare_tuple_end(tokens: &[Spanned]) -> Option<usize> {
    match scan_clause(tokens)? {
        (colon, true, false) => Some(colon),
        _ => None,
    }
}

/// Up to the clause's top-level `:`: its index, whether a top-level comma came before it, and
/// whether a top-level `as` did.
fn scan_clause(tokens: &[Spanned]) -> Option<(usize, bool, bool)> {
    let mut depth = 0usize;
    let (mut comma, mut as_) = (false, false);
    for (k, (tok, _)) in tokens.iter().enumerate() {
        match tok {
            Tok::Lpar | Tok::Lsqb | Tok::Lbrace => depth += 1,
            Tok::Rpar | Tok::Rsqb | Tok::Rbrace => depth = depth.checked_sub(1)?,
            Tok::Comma if depth == 0 && !as_ => comma = true,
            Tok::As if depth == 0 => as_ = true,
            Tok::Colon if depth == 0 => return (k > 0).then_some((k, comma, as_)),
            Tok::Newline | Tok::EndOfFile => return None,
            _ => {}
        }
    }
    None
}

/// CPython's error for an exception list the grammar refuses without parentheses, at its first
/// exception: every such list before 3.14, and one followed by `as` in 3.14. Only a list that
/// contains `error_at` (where the parser stopped) counts.
pub(crate) fn unparenthesized_error(tokens: &[Spanned], bare_allowed: bool, error_at: u32) -> Option<(u32, &'static str)> {
    for i in 0..tokens.len() {
        if !matches!(tokens[i].0, Tok::Except) {
            continue;
        }
        let first = if matches!(tokens.get(i + 1), Some((Tok::Star, _))) { i + 2 } else { i + 1 };
        let clause = scan_clause(&tokens[first..]);
        let start: u32 = tokens.get(first).map_or(u32::MAX, |t| t.1.start().into());
        let contains = |colon: usize| start <= error_at && error_at <= u32::from(tokens[first + colon].1.end());
        match clause {
            Some((colon, _, _)) if !contains(colon) => {}
            Some((_, true, true)) if bare_allowed => {
                return Some((tokens[first].1.start().into(), "multiple exception types must be parenthesized when using 'as'"));
            }
            Some((_, true, _)) if !bare_allowed => {
                return Some((tokens[first].1.start().into(), "multiple exception types must be parenthesized"));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::parse::{parse_module_with, Grammar};

    #[test]
    fn exception_lists_without_parentheses_parse_only_in_the_3_14_grammar() {
        let src = "try:\n    pass\nexcept A, B:\n    pass\ntry:\n    pass\nexcept* (C, D), E:\n    pass\n";
        let new = parse_module_with(src, Grammar::of_release(14));
        assert!(new.is_complete(), "{:?}", new.errors);
        let old = parse_module_with(src, Grammar::of_release(13));
        assert!(!old.is_complete());
        assert_eq!(old.errors[0].message, "multiple exception types must be parenthesized");
        assert_eq!(old.errors[0].range.start, 21);
        // With `as`, the parentheses stay required.
        let with_as = parse_module_with("try:\n    pass\nexcept A, B as e:\n    pass\n", Grammar::of_release(14));
        assert_eq!(with_as.errors[0].message, "multiple exception types must be parenthesized when using 'as'");
    }
}
