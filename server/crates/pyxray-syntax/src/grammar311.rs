//! What CPython 3.11's grammar refuses that the parser (3.12+ rules) accepts: PEP 695 type
//! parameters and `type` statements, and PEP 701 f-strings. A tree that parsed is checked
//! afterwards, and the refusal that comes first in the source is reported with 3.11's message
//! and position.

use crate::ast::{ExprKind, Stmt, StmtKind, TextRange};
use crate::parse::{SyntaxError, SyntaxErrorKind};
use crate::walk::{walk, Node};

/// The first thing in `body` (parsed from `text`) that 3.11's grammar does not accept.
pub(crate) fn first_refusal(text: &str, body: &[Stmt]) -> Option<SyntaxError> {
    // (sort key: where the refusal starts; then where it is reported, and the message)
    let mut found: Option<(u32, u32, String)> = None;
    let mut keep = |at: u32, message: String, sort: u32| {
        if found.as_ref().is_none_or(|f| sort < f.0) {
            found = Some((sort, at, message));
        }
    };
    let mut statements: Vec<&Stmt> = Vec::new();
    let mut fstring_end = 0u32;
    walk(body, |node| {
        match node {
            Node::Stmt(s) => {
                statements.retain(|outer| outer.range.end > s.range.start);
                statements.push(s);
                match &s.kind {
                    StmtKind::FunctionDef(f) if !f.type_params.is_empty() => {
                        let at = next_token(text, f.name_range.end);
                        keep(at, "expected '('".into(), at);
                    }
                    StmtKind::ClassDef(c) if !c.type_params.is_empty() => {
                        let at = next_token(text, c.name_range.end);
                        keep(at, "invalid syntax".into(), at);
                    }
                    StmtKind::TypeAlias { name, .. } => {
                        keep(name.range.start, "invalid syntax".into(), s.range.start);
                    }
                    _ => {}
                }
            }
            Node::Expr(e) if e.range.start >= fstring_end => {
                if let ExprKind::JoinedStr(_) = &e.kind {
                    fstring_end = e.range.end;
                    let stmt_start = statements.last().map_or(0, |s| s.range.start);
                    if let Some((sort, at, message)) = check_run(text, e.range, stmt_start) {
                        keep(at, message, sort);
                    }
                }
            }
            _ => {}
        }
        true
    });
    let (_, at, message) = found?;
    Some(SyntaxError { range: TextRange::new(at, at + 1), message, kind: SyntaxErrorKind::SyntaxError })
}

/// Where the next token after `pos` starts (skipping blanks and line continuations).
fn next_token(text: &str, mut pos: u32) -> u32 {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(pos as usize) {
        match b {
            b' ' | b'\t' | b'\x0c' => pos += 1,
            b'\\' if matches!(bytes.get(pos as usize + 1), Some(b'\n' | b'\r')) => pos += 2,
            _ => break,
        }
    }
    pos
}

/// A string token as 3.11 reads it from `start`: its end, whether it is an f-string, whether raw,
/// and its body (between the quotes).
fn string_token(bytes: &[u8], start: usize) -> Option<(usize, bool, bool, std::ops::Range<usize>)> {
    let mut i = start;
    while i < bytes.len() && bytes[i].is_ascii_alphabetic() && i - start < 3 {
        i += 1;
    }
    let prefix = &bytes[start..i];
    let quote = *bytes.get(i)?;
    if quote != b'\'' && quote != b'"' {
        return None;
    }
    let triple = bytes.get(i..i + 3) == Some(&[quote; 3][..]);
    let qlen = if triple { 3 } else { 1 };
    let body_start = i + qlen;
    let mut j = body_start;
    loop {
        match *bytes.get(j)? {
            b'\\' => j += 2,
            b'\n' if !triple => return None,
            b if b == quote && (!triple || bytes.get(j..j + 3) == Some(&[quote; 3][..])) => break,
            _ => j += 1,
        }
    }
    let f = prefix.iter().any(|c| c.eq_ignore_ascii_case(&b'f'));
    let raw = prefix.iter().any(|c| c.eq_ignore_ascii_case(&b'r'));
    Some((j + qlen, f, raw, body_start..j))
}

/// The run of strings `run` as 3.11 tokenizes it: the first f-string error of the group of
/// string tokens it starts with, as (where the run starts, where the error is reported, message).
/// 3.11 reports it at the token after the group (it parses the group only once it has seen it).
fn check_run(text: &str, run: TextRange, stmt_start: u32) -> Option<(u32, u32, String)> {
    let bytes = text.as_bytes();
    let mut pos = run.start as usize;
    let mut error: Option<FError> = None;
    loop {
        let Some((end, f, raw, body)) = string_token(bytes, pos) else {
            // A single-quoted string that a newline ends first: 3.11's tokenizer stops there.
            let k = pos + bytes[pos..].iter().take(3).take_while(|b| b.is_ascii_alphabetic()).count();
            if !matches!(bytes.get(k), Some(b'\'' | b'"')) {
                return None;
            }
            let line = bytes[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
            let message = format!("unterminated string literal (detected at line {line})");
            return Some(match error {
                Some(e) => (pos as u32, e.at.unwrap_or(pos as u32), e.message),
                None => (pos as u32, pos as u32, message),
            });
        };
        if f && error.is_none() {
            if let Err(e) = check_body(bytes, body.start, &bytes[body], raw, 0) {
                error = Some(e);
            }
        }
        pos = end;
        let depth = bracket_depth(bytes, stmt_start as usize, pos);
        let next = skip_blanks(bytes, pos, depth > 0);
        let starts_string = {
            let mut k = next;
            while k < bytes.len() && bytes[k].is_ascii_alphabetic() && k - next < 3 {
                k += 1;
            }
            matches!(bytes.get(k), Some(b'\'' | b'"')) && bytes[next..k].iter().all(|c| b"rRbBuUfF".contains(c))
        };
        if !starts_string {
            return error.map(|e| (run.start, e.at.unwrap_or(next as u32), e.message));
        }
        pos = next;
    }
}

/// Skips blanks (and, inside brackets, newlines and comments) from `pos`.
fn skip_blanks(bytes: &[u8], mut pos: usize, in_brackets: bool) -> usize {
    while let Some(&b) = bytes.get(pos) {
        match b {
            b' ' | b'\t' | b'\x0c' => pos += 1,
            b'\\' if matches!(bytes.get(pos + 1), Some(b'\n' | b'\r')) => pos += 2,
            b'\r' | b'\n' if in_brackets => pos += 1,
            b'#' if in_brackets => {
                while pos < bytes.len() && bytes[pos] != b'\n' {
                    pos += 1;
                }
            }
            _ => break,
        }
    }
    pos
}

/// How many brackets are open at `end`, counting from `start` (a statement's start), strings and
/// comments aside.
fn bracket_depth(bytes: &[u8], start: usize, end: usize) -> i32 {
    let mut depth = 0;
    let mut i = start;
    while i < end {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'#' => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' | b'"' => match string_token(bytes, i) {
                Some((e, ..)) => i = e - 1,
                None => return depth,
            },
            _ => {}
        }
        i += 1;
    }
    depth
}

/// An f-string error: its message and, for errors 3.11 raises while parsing a field's expression
/// on its own, where it reports them (otherwise at the token after the strings).
struct FError {
    message: String,
    at: Option<u32>,
}

impl From<String> for FError {
    fn from(message: String) -> Self {
        FError { message, at: None }
    }
}

impl From<&str> for FError {
    fn from(message: &str) -> Self {
        FError { message: message.into(), at: None }
    }
}

/// `fstring_find_literal_and_expr` over an f-string body (or, at `level` 1, a format spec),
/// 3.11's way; the index where a format spec stops (at its `}`), or the first error's message.
fn check_body(text: &[u8], base: usize, s: &[u8], raw: bool, level: u32) -> Result<usize, FError> {
    let n = s.len();
    let mut i = 0;
    loop {
        while i < n {
            let c = s[i];
            if !raw && c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'{' || c == b'}' {
                if level == 0 && s.get(i + 1) == Some(&c) {
                    i += 2;
                    continue;
                }
                if level == 0 && c == b'}' {
                    return Err("f-string: single '}' is not allowed".into());
                }
                break;
            }
            i += 1;
        }
        if i >= n || s[i] == b'}' {
            return Ok(i);
        }
        i = find_expr(text, base, s, i, raw, level)?;
    }
}

/// `fstring_find_expr` from the `{` at `i`: the index after the field's `}`.
fn find_expr(text: &[u8], base: usize, s: &[u8], mut i: usize, raw: bool, level: u32) -> Result<usize, FError> {
    const EXPECTING: &str = "f-string: expecting '}'";
    if level >= 2 {
        return Err("f-string: expressions nested too deeply".into());
    }
    let n = s.len();
    i += 1;
    let expr_start = i;
    let mut quote: Option<(u8, bool)> = None;
    let mut stack: Vec<u8> = Vec::new();
    while i < n {
        let ch = s[i];
        if ch == b'\\' {
            return Err("f-string expression part cannot include a backslash".into());
        }
        if let Some((q, triple)) = quote {
            if ch == q {
                if !triple {
                    quote = None;
                } else if s.get(i + 1) == Some(&q) && s.get(i + 2) == Some(&q) {
                    i += 2;
                    quote = None;
                }
            }
            i += 1;
            continue;
        }
        match ch {
            b'\'' | b'"' => {
                let triple = s.get(i + 1) == Some(&ch) && s.get(i + 2) == Some(&ch);
                if triple {
                    i += 2;
                }
                quote = Some((ch, triple));
            }
            b'[' | b'{' | b'(' => {
                if stack.len() >= 200 {
                    return Err("f-string: too many nested parenthesis".into());
                }
                stack.push(ch);
            }
            b'#' => return Err("f-string expression part cannot include '#'".into()),
            b'!' | b':' | b'}' | b'=' | b'<' | b'>' if stack.is_empty() => {
                let next = s.get(i + 1).copied();
                if next == Some(b'=') && matches!(ch, b'!' | b'=' | b'<' | b'>') {
                    i += 2;
                    continue;
                }
                if ch != b'<' && ch != b'>' {
                    break;
                }
            }
            b']' | b'}' | b')' => {
                let Some(opening) = stack.pop() else {
                    return Err(format!("f-string: unmatched '{}'", ch as char).into());
                };
                let matching = matches!((opening, ch), (b'(', b')') | (b'[', b']') | (b'{', b'}'));
                if !matching {
                    return Err(format!(
                        "f-string: closing parenthesis '{}' does not match opening parenthesis '{}'",
                        ch as char, opening as char
                    )
                    .into());
                }
            }
            _ => {}
        }
        i += 1;
    }
    if quote.is_some() {
        return Err("f-string: unterminated string".into());
    }
    if let Some(&opening) = stack.last() {
        return Err(format!("f-string: unmatched '{}'", opening as char).into());
    }
    if i >= n {
        return Err(EXPECTING.into());
    }
    if s[expr_start..i].iter().all(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0c')) {
        if matches!(s[i], b'!' | b':' | b'=') {
            return Err(format!("f-string: expression required before '{}'", s[i] as char).into());
        }
        return Err("f-string: empty expression not allowed".into());
    }
    // 3.11 parses the field as `(expr)` on its own and reports where that parse stands: the line
    // of the field, the column inside the parentheses.
    let in_field = |column: usize, message: &str| {
        let abs = base + expr_start;
        let line_start = text[..abs].iter().rposition(|&b| b == b'\n').map_or(0, |k| k + 1);
        FError { message: message.into(), at: Some((line_start + 1 + column) as u32) }
    };
    if let Some(star) = lone_starred(&s[expr_start..i]) {
        return Err(in_field(star, "f-string: cannot use starred expression here"));
    }
    let expr = s[expr_start..i].trim_ascii_start();
    if expr.starts_with(b"lambda") && !expr.get(6).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
        // The field stops at the lambda's `:`, so `(lambda x)` fails at its `)`.
        return Err(in_field(i - expr_start, "f-string: invalid syntax"));
    }
    if s[i] == b'=' {
        i += 1;
        while i < n && s[i].is_ascii_whitespace() {
            i += 1;
        }
    }
    if i < n && s[i] == b'!' {
        i += 1;
        let Some(&conversion) = s.get(i) else { return Err(EXPECTING.into()) };
        if !matches!(conversion, b's' | b'r' | b'a') {
            return Err("f-string: invalid conversion character: expected 's', 'r', or 'a'".into());
        }
        i += 1;
    }
    if i < n && s[i] == b':' {
        i += 1;
        i += check_body(text, base + i, &s[i..], raw, level + 1)?;
    }
    if i >= n || s[i] != b'}' {
        return Err(EXPECTING.into());
    }
    Ok(i + 1)
}

/// The index of the `*` if `expr` is one starred expression (`*a`, not `*a, b` or `**a`).
fn lone_starred(expr: &[u8]) -> Option<usize> {
    let star = expr.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\x0c'))?;
    if expr[star] != b'*' || expr.get(star + 1) == Some(&b'*') {
        return None;
    }
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    for &b in &expr[star..] {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'(' | b'[' | b'{') => depth += 1,
            (None, b')' | b']' | b'}') => depth -= 1,
            (None, b',') if depth == 0 => return None,
            _ => {}
        }
    }
    Some(star)
}

/// The first f-string error 3.11 reports in `text[start..end]`, found from the text alone (used
/// where the 3.12+ f-string parser already failed, so no tree exists).
pub(crate) fn fstring_error_in(text: &str, start: usize, end: usize) -> Option<SyntaxError> {
    let bytes = &text.as_bytes()[..end];
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let token_start = i;
        if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80) {
                i += 1;
            }
            let prefix = &bytes[token_start..i];
            let is_prefix = prefix.len() <= 2 && prefix.iter().all(|c| b"rRbBuUfF".contains(c));
            if !(is_prefix && matches!(bytes.get(i), Some(b'\'' | b'"'))) {
                continue;
            }
        } else if b != b'\'' && b != b'"' {
            i += 1;
            continue;
        }
        let line_start = bytes[..token_start].iter().rposition(|&c| c == b'\n').map_or(0, |k| k + 1);
        match string_token(bytes, token_start) {
            Some((token_end, f, ..)) => {
                if f {
                    if let Some((_, at, message)) = check_run(text, TextRange::new(token_start as u32, token_end as u32), line_start as u32) {
                        return Some(SyntaxError { range: TextRange::new(at, at + 1), message, kind: SyntaxErrorKind::SyntaxError });
                    }
                }
                i = token_end;
            }
            None => {
                // An unterminated string: 3.11 words it as the 3.12+ scanner does, except for
                // an f-string that a newline ends, which `check_run` reads as 3.11 does.
                let quote = token_start + bytes[token_start..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
                let triple = bytes.get(quote + 1) == Some(&bytes[quote]) && bytes.get(quote + 2) == Some(&bytes[quote]);
                let f = bytes[token_start..quote].iter().any(|c| c.eq_ignore_ascii_case(&b'f'));
                if triple || !f {
                    return None;
                }
                let (_, at, message) = check_run(text, TextRange::new(token_start as u32, token_start as u32), line_start as u32)?;
                return Some(SyntaxError { range: TextRange::new(at, at + 1), message, kind: SyntaxErrorKind::SyntaxError });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::parse::{parse_module_with, Grammar};

    /// (source, message, byte offset reported) as CPython 3.11.7 refuses them.
    const REFUSED: &[(&str, &str, u32)] = &[
        ("def f[T](): pass\n", "expected '('", 5),
        ("async def f[T](): pass\n", "expected '('", 11),
        ("class C[T]: pass\n", "invalid syntax", 7),
        ("type X = int\n", "invalid syntax", 5),
        ("def f():\n    type X[T] = list[T]\n", "invalid syntax", 18),
        ("f\"{x[\"a\"]}\"\n", "f-string: unmatched '['", 6),
        ("f'{\"\\n\"}'\n", "f-string expression part cannot include a backslash", 9),
        ("f'{f'{x}'}'\n", "f-string: expecting '}'", 5),
        ("f\"{x # c\n}\"\n", "unterminated string literal (detected at line 1)", 0),
    ];

    #[test]
    fn the_3_11_grammar_refuses_what_3_12_added() {
        for &(src, message, at) in REFUSED {
            let parsed = parse_module_with(src, Grammar::of_release(11));
            let error = parsed.errors.first().unwrap_or_else(|| panic!("3.11 accepted {src:?}"));
            assert_eq!((error.message.as_str(), error.range.start), (message, at), "{src:?}");
            assert!(parse_module_with(src, Grammar::of_release(12)).errors.is_empty(), "3.12 refused {src:?}");
        }
    }

    #[test]
    fn the_3_11_grammar_keeps_what_3_11_accepts() {
        let src = "type = 1\nprint(type(type))\nx = f'{type!r:>{10}}' f\"{'a'}\" rf'\\d{x}'\nf'''{\"\"\"a\"\"\"}'''\n";
        assert!(parse_module_with(src, Grammar::of_release(11)).errors.is_empty());
    }
}
