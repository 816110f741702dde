//! f-strings as CPython 3.12+ builds them (PEP 701; `Parser/action_helpers.c`): one node per
//! implicitly concatenated run, literal parts positioned at their `FSTRING_MIDDLE` tokens,
//! replacement fields at their braces, `=` debug text, format specs, and the merging of adjacent
//! constants done by `_PyPegen_concatenate_strings`.

use crate::ast::*;
use crate::pystr::PyStr;
use crate::parse::{SyntaxError, SyntaxErrorKind};
use crate::strings::{decode_str, scan_fstring_body, FField, FPiece, Scanner, StringToken};

type ExprParser<'p> = dyn FnMut(usize, usize) -> Result<Expr, SyntaxError> + 'p;

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(start as u32, end as u32)
}

fn error(offset: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError { range: range(offset, offset + 1), message: message.into(), kind: SyntaxErrorKind::SyntaxError }
}

fn str_const(value: PyStr, start: usize, end: usize) -> Expr {
    Expr::new(range(start, end), ExprKind::Constant(Constant::Str(value)))
}

fn is_empty_str(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Constant(Constant::Str(s)) if s.is_empty())
}

/// Builds the expression for a run of adjacent string tokens that contains an f-string.
pub(crate) fn parse_run(text: &str, tokens: &[StringToken], parse_expr: &mut ExprParser<'_>) -> Result<Expr, SyntaxError> {
    let mut strings: Vec<Expr> = Vec::with_capacity(tokens.len());
    for tok in tokens {
        if tok.bytes {
            return Err(error(tok.start, "cannot mix bytes and nonbytes literals"));
        }
        let body = &text[tok.body_start..tok.body_end];
        if tok.fstring {
            strings.push(joined_str(text, tok, parse_expr)?);
        } else {
            let value = if tok.raw { PyStr::from(body) } else { decode_str(body) };
            strings.push(str_const(value, tok.start, tok.end));
        }
    }
    let first = tokens.first().map_or(0, |t| t.start);
    let last = tokens.last().map_or(0, |t| t.end);
    Ok(concatenate(strings, range(first, last), true))
}

/// `_PyPegen_joined_str` for one f-string token.
fn joined_str(text: &str, tok: &StringToken, parse_expr: &mut ExprParser<'_>) -> Result<Expr, SyntaxError> {
    let mut sc = Scanner::new(text);
    let body = scan_fstring_body(&mut sc, tok.body_start, tok.end, tok.quote, tok.triple, tok.raw, false)
        .map_err(|e| error(e.offset, e.message))?;
    let mut values = Vec::new();
    for piece in &body.pieces {
        match piece {
            FPiece::Literal { start, end, text_end } => {
                let raw_text = &text[*start..*text_end];
                let value = if tok.raw || !raw_text.contains('\\') { PyStr::from(raw_text) } else { decode_str(raw_text) };
                if !value.is_empty() {
                    values.push(str_const(value, *start, *end));
                }
            }
            FPiece::Field(field) => values.extend(formatted_value(text, field, parse_expr)?),
        }
    }
    Ok(Expr::new(range(tok.start, tok.end), ExprKind::JoinedStr(values)))
}

/// `_PyPegen_formatted_value`: the field, preceded by its debug text for `{x=}`.
fn formatted_value(text: &str, f: &FField, parse_expr: &mut ExprParser<'_>) -> Result<Vec<Expr>, SyntaxError> {
    let value = parse_expr(f.expr_start, f.expr_end)?;
    let mut conversion = Conversion::None;
    if let Some((_, name_start, name_end)) = f.conversion {
        let name = &text[name_start..name_end];
        conversion = match name {
            "s" => Conversion::Str,
            "r" => Conversion::Repr,
            "a" => Conversion::Ascii,
            other => {
                return Err(error(
                    name_start,
                    format!("f-string: invalid conversion character '{other}': expected 's', 'r', or 'a'"),
                ))
            }
        };
    } else if f.debug.is_some() && f.spec.is_none() {
        conversion = Conversion::Repr;
    }
    let format_spec = match &f.spec {
        Some((colon, pieces)) => Some(Box::new(format_spec(text, *colon, f.close, pieces, parse_expr)?)),
        None => None,
    };
    let fv = Expr::new(
        range(f.open, f.close + 1),
        ExprKind::FormattedValue { value: Box::new(value), conversion, format_spec },
    );
    if f.debug.is_none() {
        return Ok(vec![fv]);
    }
    let debug_end = if let Some((_, name_start, _)) = f.conversion {
        name_start - 1
    } else if let Some((colon, _)) = &f.spec {
        *colon
    } else {
        f.close
    };
    let debug_text = PyStr::from(strip_debug_comments(&text[f.expr_start..debug_end]).as_str());
    Ok(vec![str_const(debug_text, f.expr_start, debug_end), fv])
}

/// The `{expr=}` text as CPython 3.12 and 3.13 keep it (`set_fstring_expr`): from every `#`,
/// even one inside a string, to the end of its line is dropped.
fn strip_debug_comments(text: &str) -> String {
    if !text.contains('#') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut in_comment = false;
    for c in text.chars() {
        match c {
            '#' => in_comment = true,
            '\n' => {
                in_comment = false;
                out.push(c);
            }
            _ if !in_comment => out.push(c),
            _ => {}
        }
    }
    out
}

/// `_PyPegen_setup_full_format_spec`.
fn format_spec(text: &str, colon: usize, close: usize, pieces: &[FPiece], parse_expr: &mut ExprParser<'_>) -> Result<Expr, SyntaxError> {
    let mut spec = Vec::new();
    for piece in pieces {
        match piece {
            FPiece::Literal { start, end, text_end } => {
                let value = decode_str(&text[*start..*text_end]);
                if !value.is_empty() {
                    spec.push(str_const(value, *start, *end));
                }
            }
            FPiece::Field(field) => spec.extend(formatted_value(text, field, parse_expr)?),
        }
    }
    let r = range(colon, close);
    if spec.is_empty() || (spec.len() == 1 && spec[0].is_constant()) {
        return Ok(Expr::new(r, ExprKind::JoinedStr(spec)));
    }
    Ok(concatenate(spec, r, true))
}

/// `_PyPegen_concatenate_strings`: flattens f-strings, merges adjacent constants and drops
/// empty ones.
fn concatenate(strings: Vec<Expr>, whole: TextRange, f_string_found: bool) -> Expr {
    let mut flattened = Vec::new();
    for s in strings {
        match s.kind {
            ExprKind::JoinedStr(values) => flattened.extend(values),
            _ => flattened.push(s),
        }
    }
    let mut values: Vec<Expr> = Vec::with_capacity(flattened.len());
    let mut i = 0;
    while i < flattened.len() {
        if flattened[i].is_constant() && i + 1 < flattened.len() && flattened[i + 1].is_constant() {
            let first = flattened[i].range;
            let mut last = first;
            let mut merged = PyStr::new();
            while i < flattened.len() {
                let ExprKind::Constant(Constant::Str(s)) = &flattened[i].kind else { break };
                merged.push_pystr(s);
                last = flattened[i].range;
                i += 1;
            }
            let e = Expr::new(TextRange::new(first.start, last.end), ExprKind::Constant(Constant::Str(merged)));
            if !(f_string_found && is_empty_str(&e)) {
                values.push(e);
            }
            continue;
        }
        let e = flattened[i].clone();
        i += 1;
        if f_string_found && is_empty_str(&e) {
            continue;
        }
        values.push(e);
    }
    Expr::new(whole, ExprKind::JoinedStr(values))
}
