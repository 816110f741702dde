//! The tokenizer's hard limits, checked before parsing with one linear scan: NUL bytes, more than
//! 200 nested brackets (`MAXLEVEL`) and more than 100 indentation levels (`MAXINDENT`). CPython
//! refuses such files outright, and refusing them early keeps every later pass shallow.

use crate::ast::TextRange;
use crate::parse::{SyntaxError, SyntaxErrorKind};

const MAX_LEVEL: usize = 200;
const MAX_INDENT: usize = 100;

pub(crate) fn check(text: &str) -> Option<SyntaxError> {
    let bytes = text.as_bytes();
    if let Some(at) = memchr::memchr(0, bytes) {
        return Some(error(at, at + 1, "source code cannot contain null bytes", SyntaxErrorKind::SyntaxError));
    }
    let mut depth = 0usize;
    let mut indents: Vec<usize> = vec![0];
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        if line_start && depth == 0 {
            line_start = false;
            let mut col = 0;
            let mut j = i;
            while j < bytes.len() {
                match bytes[j] {
                    b' ' => col += 1,
                    b'\t' => col = (col / 8 + 1) * 8,
                    b'\x0c' => col = 0,
                    _ => break,
                }
                j += 1;
            }
            let blank = matches!(bytes.get(j), None | Some(b'#' | b'\n' | b'\r' | b'\\'));
            if !blank {
                while col < *indents.last().unwrap_or(&0) {
                    indents.pop();
                }
                if col > *indents.last().unwrap_or(&0) {
                    indents.push(col);
                    // CPython 3.13 refuses the 100th level, and points at the line's start.
                    if indents.len() > MAX_INDENT {
                        return Some(error(
                            i,
                            i,
                            "too many levels of indentation",
                            SyntaxErrorKind::IndentationError,
                        ));
                    }
                }
            }
            i = j;
            continue;
        }
        match bytes[i] {
            b'#' => {
                i = crate::strings::line_break(bytes, i, bytes.len());
                continue;
            }
            b'\n' | b'\r' => line_start = true,
            b'\\' => {
                // A line continuation: the next line is not a new logical line.
                i += 1;
                if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_LEVEL {
                    return Some(error(i, i + 1, "too many nested parentheses", SyntaxErrorKind::SyntaxError));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\'' | b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            _ => {
                // Most bytes are none of the above: skip the run in one tight loop.
                i += 1;
                while i < bytes.len() && !SPECIAL[bytes[i] as usize] {
                    i += 1;
                }
                continue;
            }
        }
        i += 1;
    }
    None
}

/// The bytes `check` acts on: comments, line breaks, continuations, brackets and quotes.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let special = b"#\n\r\\()[]{}'\"";
    let mut k = 0;
    while k < special.len() {
        t[special[k] as usize] = true;
        k += 1;
    }
    t
};

/// The innermost bracket still open at the end of `text`, with its offset: CPython reports an
/// unexpected end of file inside brackets as "'(' was never closed" at that bracket.
pub(crate) fn unclosed_bracket(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut stack: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                i = crate::strings::line_break(bytes, i, bytes.len());
                continue;
            }
            b'\\' => i += 1,
            b'(' | b'[' | b'{' => stack.push(i),
            b')' | b']' | b'}' => {
                stack.pop();
            }
            b'\'' | b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    stack.last().map(|&at| (at, bytes[at] as char))
}

/// The offset of the bracket closing the one at `open`, skipping strings and comments.
pub(crate) fn matching_bracket(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                i = crate::strings::line_break(bytes, i, bytes.len());
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'\'' | b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            _ => {
                // Most bytes are none of the above: skip the run in one tight loop.
                i += 1;
                while i < bytes.len() && !SPECIAL[bytes[i] as usize] {
                    i += 1;
                }
                continue;
            }
        }
        i += 1;
    }
    None
}

fn error(start: usize, end: usize, message: &str, kind: SyntaxErrorKind) -> SyntaxError {
    SyntaxError { range: TextRange::new(start as u32, end as u32), message: message.into(), kind }
}

/// Skips a string literal starting at the quote at `start`; returns the offset after it (or the
/// end of the line for an unterminated single-quoted string).
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let triple = bytes.get(start + 1) == Some(&quote) && bytes.get(start + 2) == Some(&quote);
    let mut i = start + if triple { 3 } else { 1 };
    while i < bytes.len() {
        if triple {
            i = crate::strings::backslash_or_quote(bytes, i, bytes.len(), quote);
            if i >= bytes.len() {
                break;
            }
        }
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' | b'\r' if !triple => return i,
            b if b == quote => {
                if !triple {
                    return i + 1;
                }
                if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                    return i + 3;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_inside_strings_and_comments_do_not_count() {
        let s = format!("x = '{}'  # {}\n", "(".repeat(300), "[".repeat(300));
        assert!(check(&s).is_none());
    }

    #[test]
    fn indentation_limit() {
        // As CPython 3.13 answers: 99 levels compile, the 100th is "too many" (line 101, col 1).
        let ok: String = (0..99).map(|i| format!("{}if x:\n", " ".repeat(i))).collect::<String>() + &" ".repeat(99) + "pass\n";
        assert!(check(&ok).is_none());
        let bad: String = (0..101).map(|i| format!("{}if x:\n", " ".repeat(i))).collect::<String>() + &" ".repeat(101) + "pass\n";
        assert_eq!(check(&bad).unwrap().message, "too many levels of indentation");
    }

    #[test]
    fn nul_byte() {
        let e = check("x = 1\ny = 'a\0'\n").unwrap();
        assert_eq!(e.range.start, 12);
    }
}
