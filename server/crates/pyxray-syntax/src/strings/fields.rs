//! The inside of f- and t-strings as CPython 3.12+'s tokenizer sees it: literal pieces,
//! replacement fields with their conversion, `=` and format spec, and the tokenizer's errors
//! for them (unterminated literals, unmatched brackets, misplaced `!`, `=`, `:` or quotes).

use super::{at_closing_quote, is_ident_continue, is_ident_start, Prefix, ScanError, Scanner};

/// One piece of an f-string body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FPiece {
    /// Literal text as CPython's `FSTRING_MIDDLE` token: `text` is what the token holds (an
    /// escaped brace keeps one brace), `start..end` is the token's position.
    Literal { start: usize, end: usize, text_end: usize },
    Field(FField),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FField {
    /// Offsets of `{` and `}`.
    pub open: usize,
    pub close: usize,
    pub expr_start: usize,
    pub expr_end: usize,
    /// Offset of the debug `=`, if any.
    pub debug: Option<usize>,
    /// `!` offset and the conversion name's range.
    pub conversion: Option<(usize, usize, usize)>,
    /// `:` offset and the spec's pieces.
    pub spec: Option<(usize, Vec<FPiece>)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FBody {
    pub pieces: Vec<FPiece>,
    /// Offset of the closing quotes (or of the `}` ending a format spec).
    pub end: usize,
}

/// How an f- or t-string is quoted, and which of the two it is (`kind`: `'f'` or `'t'`, the
/// letter its error messages use).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Quoting {
    /// Offset of the literal's prefix, where "unterminated" errors point.
    pub token_start: usize,
    pub quote: u8,
    pub triple: bool,
    pub raw: bool,
    pub kind: char,
}

/// Scans an f- or t-string body (or a format spec when `in_spec`) following the 3.12+ tokenizer.
pub(crate) fn scan_fstring_body(sc: &mut Scanner<'_>, start: usize, limit: usize, q: Quoting, in_spec: bool) -> Result<FBody, ScanError> {
    let Quoting { token_start, quote, triple, raw, kind } = q;
    let bytes = sc.bytes;
    let mut pieces = Vec::new();
    let mut piece_start = start;
    let mut i = start;
    let mut unicode_escape = false;
    loop {
        // After a nested field the tokenizer has left format-spec mode: a line break or the end
        // of the input is then an unterminated literal.
        let spec_mode = in_spec && !pieces.iter().any(|p| matches!(p, FPiece::Field(_)));
        if i >= limit && spec_mode && !triple && limit == bytes.len() {
            // The tokenizer ends the input with a newline, which a single-quoted spec refuses.
            let message = format!("{kind}-string: newlines are not allowed in format specifiers for single quoted {kind}-strings");
            return Err(ScanError { offset: limit, message });
        }
        if i >= limit {
            let what = if triple { format!("triple-quoted {kind}-string literal") } else { format!("{kind}-string literal") };
            return Err(sc.unterminated(token_start, limit, &what));
        }
        let c = bytes[i];
        if at_closing_quote(bytes, i, quote, triple) {
            if in_spec {
                return Err(ScanError { offset: i, message: format!("{kind}-string: expecting '}}', or format specs") });
            }
            pieces.push(FPiece::Literal { start: piece_start, end: i, text_end: i });
            return Ok(FBody { pieces, end: i });
        }
        if !triple && (c == b'\n' || c == b'\r') {
            if spec_mode {
                return Err(ScanError {
                    offset: i,
                    message: format!("{kind}-string: newlines are not allowed in format specifiers for single quoted {kind}-strings"),
                });
            }
            return Err(sc.unterminated(token_start, i, &format!("{kind}-string literal")));
        }
        match c {
            b'{' => {
                if bytes.get(i + 1) == Some(&b'{') && !in_spec {
                    pieces.push(FPiece::Literal { start: piece_start, end: i + 2, text_end: i + 1 });
                    i += 2;
                    piece_start = i;
                    continue;
                }
                pieces.push(FPiece::Literal { start: piece_start, end: i, text_end: i });
                let field = scan_field(sc, i, limit, q)?;
                i = field.close + 1;
                piece_start = i;
                pieces.push(FPiece::Field(field));
            }
            b'}' => {
                if unicode_escape {
                    unicode_escape = false;
                    i += 1;
                    continue;
                }
                if in_spec {
                    pieces.push(FPiece::Literal { start: piece_start, end: i, text_end: i });
                    return Ok(FBody { pieces, end: i });
                }
                if bytes.get(i + 1) == Some(&b'}') {
                    pieces.push(FPiece::Literal { start: piece_start, end: i + 2, text_end: i + 1 });
                    i += 2;
                    piece_start = i;
                    continue;
                }
                return Err(ScanError { offset: i, message: format!("{kind}-string: single '}}' is not allowed") });
            }
            b'\\' => {
                let peek = bytes.get(i + 1).copied();
                if matches!(peek, Some(b'{') | Some(b'}')) {
                    if !raw {
                        sc.check_escape(i, limit, false, piece_start);
                    }
                    i += 1;
                    continue;
                }
                if !raw {
                    sc.check_escape(i, limit, false, piece_start);
                    if peek == Some(b'N') && bytes.get(i + 2) == Some(&b'{') {
                        unicode_escape = true;
                        i += 3;
                        continue;
                    }
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
}

/// Scans a replacement field starting at its `{`.
fn scan_field(sc: &mut Scanner<'_>, open: usize, limit: usize, q: Quoting) -> Result<FField, ScanError> {
    let Quoting { quote, triple, kind, .. } = q;
    let bytes = sc.bytes;
    let expr_start = open + 1;
    let mut i = expr_start;
    // Offsets of the brackets open inside the field.
    let mut brackets: Vec<usize> = Vec::new();
    let mut debug = None;
    let mut conversion = None;
    let mut spec = None;
    let expr_end;
    // Scan the expression: Python code up to a top-level `=`, `!`, `:` or `}`.
    loop {
        if i >= limit {
            return Err(never_closed(open));
        }
        let c = bytes[i];
        match c {
            // Since PEP 701 a quote inside a field always opens a nested string; one that
            // cannot be closed is the enclosing f-string's end.
            b'\'' | b'"' => match sc.scan_string(i, i, limit, Prefix::default()) {
                Ok(tok) => i = tok.end,
                Err(_) if at_closing_quote(bytes, i, quote, triple) => {
                    return Err(ScanError { offset: i, message: format!("{kind}-string: expecting '}}'") });
                }
                Err(e) => return Err(e),
            },
            // A comment runs to the end of the line; if that swallows the closing brace and
            // quote, the field is never closed.
            b'#' => {
                while i < limit && !matches!(bytes[i], b'\n' | b'\r') {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                brackets.push(i);
                i += 1;
            }
            b')' | b']' | b'}' if !brackets.is_empty() => {
                let opened = brackets.pop().unwrap_or(i);
                let expected = match bytes[opened] {
                    b'(' => b')',
                    b'[' => b']',
                    _ => b'}',
                };
                if c != expected {
                    return Err(ScanError { offset: i, message: mismatched_bracket(bytes, opened, i) });
                }
                i += 1;
            }
            b')' | b']' => {
                return Err(ScanError { offset: i, message: format!("{kind}-string: unmatched '{}'", c as char) });
            }
            b'}' => {
                expr_end = i;
                break;
            }
            b'!' if brackets.is_empty() && bytes.get(i + 1) != Some(&b'=') => {
                expr_end = i;
                break;
            }
            b'!' | b'<' | b'>' | b'=' if bytes.get(i + 1) == Some(&b'=') => i += 2,
            b'=' | b':' if brackets.is_empty() => {
                expr_end = i;
                break;
            }
            b if is_ident_start(b) => {
                let (name_end, string) = sc.name_or_prefixed_string(i, limit)?;
                i = string.map_or(name_end, |tok| tok.end);
            }
            _ => i += 1,
        }
    }
    if expr_end == expr_start || bytes[expr_start..expr_end].iter().all(|b| b.is_ascii_whitespace()) {
        let before = bytes[expr_end] as char;
        return Err(ScanError { offset: expr_end, message: format!("{kind}-string: valid expression required before '{before}'") });
    }
    i = expr_end;
    if bytes[i] == b'=' {
        debug = Some(i);
        i += 1;
        loop {
            // Blanks, line breaks and explicit line continuations.
            while i < limit
                && (matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
                    || (bytes[i] == b'\\' && matches!(bytes.get(i + 1), Some(b'\n' | b'\r'))))
            {
                i += 1;
            }
            if i >= limit || bytes[i] != b'#' {
                break;
            }
            while i < limit && !matches!(bytes[i], b'\n' | b'\r') {
                i += 1;
            }
        }
        if i >= limit {
            return Err(never_closed(open));
        }
        if matches!(bytes[i], b'\'' | b'"') {
            // The tokenizer's error: a quote here ends the enclosing literal.
            return Err(ScanError { offset: i, message: format!("{kind}-string: expecting '}}'") });
        }
        if !matches!(bytes[i], b'!' | b':' | b'}') {
            return Err(ScanError { offset: i, message: format!("{kind}-string: expecting '!', or ':', or '}}'") });
        }
    }
    if bytes.get(i) == Some(&b'!') {
        let bang = i;
        i += 1;
        while i < limit && matches!(bytes[i], b' ' | b'\t') {
            i += 1;
        }
        if i >= limit {
            return Err(never_closed(open));
        }
        // `invalid_conversion_character`, and `_PyPegen_check_fstring_conversion`.
        match bytes.get(i) {
            Some(b':' | b'}') => {
                return Err(ScanError { offset: i, message: format!("{kind}-string: missing conversion character") })
            }
            Some(&b) if is_ident_start(b) => {}
            _ => return Err(ScanError { offset: i, message: format!("{kind}-string: invalid conversion character") }),
        }
        if i != bang + 1 {
            let message = format!("{kind}-string: conversion type must come right after the exclamation mark");
            return Err(ScanError { offset: bang, message });
        }
        let name_start = i;
        while i < limit && is_ident_continue(bytes[i]) {
            i += 1;
        }
        conversion = Some((bang, name_start, i));
        while i < limit && matches!(bytes[i], b' ' | b'\t') {
            i += 1;
        }
        if i >= limit {
            return Err(never_closed(open));
        }
        if !matches!(bytes[i], b':' | b'}') {
            let message = if matches!(bytes[i], b'\'' | b'"') { format!("{kind}-string: expecting '}}'") } else { format!("{kind}-string: expecting ':' or '}}'") };
            return Err(ScanError { offset: i, message });
        }
    }
    if bytes.get(i) == Some(&b':') {
        let colon = i;
        let body = scan_fstring_body(sc, i + 1, limit, q, true)?;
        spec = Some((colon, body.pieces));
        i = body.end;
    }
    if bytes.get(i) != Some(&b'}') {
        return Err(ScanError { offset: i, message: format!("{kind}-string: expecting '}}'") });
    }
    Ok(FField { open, close: i, expr_start, expr_end, debug, conversion, spec })
}

/// The end of the input inside a replacement field: the tokenizer is still inside its brace.
fn never_closed(open: usize) -> ScanError {
    ScanError { offset: open, message: "'{' was never closed".into() }
}

/// The tokenizer's message for a closing bracket at `close` that does not match the one at `open`.
fn mismatched_bracket(bytes: &[u8], open: usize, close: usize) -> String {
    let (o, c) = (bytes[open] as char, bytes[close] as char);
    let line = |at: usize| 1 + memchr::memchr_iter(b'\n', &bytes[..at]).count();
    if line(open) == line(close) {
        format!("closing parenthesis '{c}' does not match opening parenthesis '{o}'")
    } else {
        format!("closing parenthesis '{c}' does not match opening parenthesis '{o}' on line {}", line(open))
    }
}
