//! Byte scans of the source that bring rustpython-parser's node ranges to CPython's, where a
//! node ends at the last token its grammar rule consumed.

/// Skips spaces, tabs, form feeds and backslash continuations (not newlines or comments).
fn skip_inline_space(src: &[u8], mut i: usize) -> usize {
    while i < src.len() {
        match src[i] {
            b' ' | b'\t' | b'\x0c' => i += 1,
            b'\\' if src.get(i + 1) == Some(&b'\n') => i += 2,
            b'\\' if src.get(i + 1) == Some(&b'\r') => i += if src.get(i + 2) == Some(&b'\n') { 3 } else { 2 },
            _ => break,
        }
    }
    i
}

/// Skips whitespace, newlines, comments and continuations (inside brackets all are trivia).
fn skip_trivia(src: &[u8], mut i: usize) -> usize {
    loop {
        i = skip_inline_space(src, i);
        match src.get(i) {
            Some(b'\n' | b'\r') => i += 1,
            Some(b'#') => {
                while i < src.len() && !matches!(src[i], b'\n' | b'\r') {
                    i += 1;
                }
            }
            _ => return i,
        }
    }
}

/// Whether `[start, end)` starts with `(` whose matching `)` ends it.
pub(crate) fn paren_wrapped(src: &[u8], start: usize, end: usize) -> bool {
    if end == 0 || src.get(start) != Some(&b'(') || src.get(end - 1) != Some(&b')') {
        return false;
    }
    crate::limits::matching_bracket(src, start) == Some(end - 1)
}

/// The start of the first token at or after `from`, past whitespace, comments and continuations.
pub(crate) fn next_token(src: &[u8], from: usize) -> usize {
    skip_trivia(src, from)
}

/// The first `(` at or after `from`, past whitespace, comments and continuations.
pub(crate) fn next_open_paren(src: &[u8], from: usize) -> Option<usize> {
    let i = skip_trivia(src, from);
    (src.get(i) == Some(&b'(')).then_some(i)
}

/// The end of a compound statement whose last body statement ends at `end`: a trailing `;` is
/// the block's last token, so CPython's range includes it.
pub(crate) fn block_end(src: &[u8], end: usize) -> usize {
    let i = skip_inline_space(src, end);
    if src.get(i) == Some(&b';') {
        i + 1
    } else {
        end
    }
}

/// The end of an expression whose last operand, ending at `value_end`, is wrapped in the
/// parentheses opened between `from` and `value_start`.
pub(crate) fn after_closing_parens(src: &[u8], from: usize, value_start: usize, value_end: usize) -> usize {
    let mut opened = 0;
    let mut i = skip_trivia(src, from);
    while i < value_start && src.get(i) == Some(&b'(') {
        opened += 1;
        i = skip_trivia(src, i + 1);
    }
    let mut end = value_end;
    while opened > 0 {
        let j = skip_trivia(src, end);
        if src.get(j) != Some(&b')') {
            break;
        }
        end = j + 1;
        opened -= 1;
    }
    end
}

/// The range of a `match` subject written with top-level commas (`match a, b:`, `match a,:`),
/// from the first token after `match` to the last `,` or `)` before the `:`, and whether a comma
/// follows `last_end` (the end of the last item).
pub(crate) fn match_subject_tuple(src: &[u8], match_kw: usize, last_end: usize) -> (usize, usize, bool) {
    let start = skip_trivia(src, match_kw + "match".len());
    let mut i = last_end;
    let mut end = last_end;
    let mut comma = false;
    loop {
        i = skip_trivia(src, i);
        match src.get(i) {
            Some(b')') => {}
            Some(b',') => comma = true,
            _ => break,
        }
        i += 1;
        end = i;
    }
    (start, end, comma)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_end_takes_a_trailing_semicolon() {
        let src = b"def f(): return 1 ;\n";
        assert_eq!(block_end(src, 17), 19);
        assert_eq!(block_end(b"x = 1\n", 5), 5);
    }

    #[test]
    fn closing_parens_of_a_walrus_value() {
        let src = b"(y := ( (x := 0) ))";
        // value `x := 0` at 9..15, opened after `:=` ending at 5.
        assert_eq!(after_closing_parens(src, 5, 9, 15), 18);
    }

    #[test]
    fn match_subject_with_trailing_comma() {
        let src = b"match (x), :\n";
        assert_eq!(match_subject_tuple(src, 0, 8), (6, 10, true));
        assert_eq!(match_subject_tuple(b"match a, b:\n", 0, 10), (6, 10, false));
    }
}
