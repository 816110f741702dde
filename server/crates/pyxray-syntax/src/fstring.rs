//! f-strings as CPython 3.12+ builds them (PEP 701; `Parser/action_helpers.c`), and 3.14's
//! t-strings (PEP 750) alike: one node per implicitly concatenated run, literal parts positioned
//! at their `FSTRING_MIDDLE` tokens, replacement fields at their braces, `=` debug text, format
//! specs, and the merging of adjacent constants done by `_PyPegen_concatenate_strings`.

use crate::ast::*;
use crate::pystr::PyStr;
use crate::parse::{Grammar, SyntaxError, SyntaxErrorKind};
use crate::strings::{decode_str, scan_fstring_body, FField, FPiece, Quoting, Scanner, StringToken};

type ExprParser<'p> = dyn FnMut(usize, usize) -> Result<Expr, SyntaxError> + 'p;

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(start as u32, end as u32)
}

fn error(offset: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError { range: range(offset, offset + 1), message: message.into(), kind: SyntaxErrorKind::SyntaxError }
}

/// What the run is parsed for: CPython 3.14's tokenizer (t-strings, and comments in `{x=}`
/// text found outside string literals only) or 3.12/3.13's.
type Ctx = Grammar;

fn str_const(value: PyStr, start: usize, end: usize) -> Expr {
    Expr::new(range(start, end), ExprKind::Constant(Constant::Str(value)))
}

fn is_empty_str(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Constant(Constant::Str(s)) if s.is_empty())
}

/// Builds the expression for a run of adjacent string tokens that contains an f-string or a
/// t-string, with the tokenizer of `grammar`'s release.
pub(crate) fn parse_run(
    text: &str,
    tokens: &[StringToken],
    grammar: Grammar,
    parse_expr: &mut ExprParser<'_>,
) -> Result<Expr, SyntaxError> {
    let ctx = grammar;
    let first = tokens.first().map_or(0, |t| t.start);
    let last = tokens.last().map_or(0, |t| t.end);
    if tokens.iter().any(|t| t.tstring) {
        return template_run(text, tokens, ctx, parse_expr, range(first, last));
    }
    let mut strings: Vec<Expr> = Vec::with_capacity(tokens.len());
    for tok in tokens {
        if tok.bytes {
            return Err(error(tok.start, "cannot mix bytes and nonbytes literals"));
        }
        strings.push(if tok.fstring { joined_str(text, tok, ctx, parse_expr)? } else { plain_str(text, tok) });
    }
    Ok(Expr::new(range(first, last), ExprKind::JoinedStr(concatenate(strings))))
}

fn plain_str(text: &str, tok: &StringToken) -> Expr {
    let body = &text[tok.body_start..tok.body_end];
    let value = if tok.raw { PyStr::from(body) } else { decode_str(body) };
    str_const(value, tok.start, tok.end)
}

/// The `strings` rule for a run holding a t-string: `tstring+` and `_PyPegen_concatenate_tstrings`,
/// or `invalid_string_tstring_concat` when t-strings and other literals meet (reported at the
/// last literal before the change).
fn template_run(text: &str, tokens: &[StringToken], ctx: Ctx, parse_expr: &mut ExprParser<'_>, whole: TextRange) -> Result<Expr, SyntaxError> {
    let mut strings: Vec<Expr> = Vec::with_capacity(tokens.len());
    let leading_other = tokens.iter().take_while(|t| !t.tstring).count();
    if tokens[..leading_other].iter().any(|t| t.bytes) && tokens[..leading_other].iter().any(|t| !t.bytes) {
        let at = tokens[..leading_other].iter().find(|t| t.bytes).map_or(0, |t| t.start);
        return Err(error(at, "cannot mix bytes and nonbytes literals"));
    }
    for tok in tokens {
        strings.push(if tok.tstring || tok.fstring { joined_str(text, tok, ctx, parse_expr)? } else { plain_str(text, tok) });
    }
    if let Some(k) = (1..tokens.len()).find(|&k| tokens[k].tstring != tokens[k - 1].tstring) {
        let at = &tokens[k - 1];
        return Err(SyntaxError {
            range: range(at.start, at.end),
            message: "cannot mix t-string literals with string or bytes literals".into(),
            kind: SyntaxErrorKind::SyntaxError,
        });
    }
    Ok(Expr::new(whole, ExprKind::TemplateStr(concatenate(strings))))
}

/// `_PyPegen_joined_str` (or `_PyPegen_template_str`) for one f-string (t-string) token.
fn joined_str(text: &str, tok: &StringToken, ctx: Ctx, parse_expr: &mut ExprParser<'_>) -> Result<Expr, SyntaxError> {
    let mut sc = Scanner::with_grammar(text, ctx);
    let q = Quoting { token_start: tok.start, quote: tok.quote, triple: tok.triple, raw: tok.raw, kind: tok.kind_letter() };
    let body = scan_fstring_body(&mut sc, tok.body_start, tok.end, q, false).map_err(|e| error(e.offset, e.message))?;
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
            FPiece::Field(field) if tok.tstring => values.extend(interpolation(text, field, ctx, parse_expr)?),
            FPiece::Field(field) => values.extend(formatted_value(text, field, 'f', 0, ctx, parse_expr)?),
        }
    }
    let kind = if tok.tstring { ExprKind::TemplateStr(values) } else { ExprKind::JoinedStr(values) };
    Ok(Expr::new(range(tok.start, tok.end), kind))
}

/// `_get_interpolation_conversion`, reporting a bad conversion name as `fstring_conversion` does.
fn conversion(text: &str, f: &FField, kind: char) -> Result<Conversion, SyntaxError> {
    if let Some((_, name_start, name_end)) = f.conversion {
        return match &text[name_start..name_end] {
            "s" => Ok(Conversion::Str),
            "r" => Ok(Conversion::Repr),
            "a" => Ok(Conversion::Ascii),
            other => Err(error(
                name_start,
                format!("{kind}-string: invalid conversion character '{other}': expected 's', 'r', or 'a'"),
            )),
        };
    }
    Ok(if f.debug.is_some() && f.spec.is_none() { Conversion::Repr } else { Conversion::None })
}

/// Where the field's expression text ends for the tokenizer (`last_expr_end`): at the `!` of a
/// conversion, else the `:` of a spec, else the closing brace; the `=` and blanks stay in.
fn expr_text_end(f: &FField) -> usize {
    if let Some((bang, _, _)) = f.conversion {
        bang
    } else if let Some((colon, _)) = &f.spec {
        *colon
    } else {
        f.close
    }
}

/// The `{expr=}` debug text constant that precedes a field.
fn debug_text(text: &str, f: &FField, ctx: Ctx) -> Option<Expr> {
    f.debug?;
    let end = expr_text_end(f);
    let value = PyStr::from(strip_debug_comments(&text[f.expr_start..end], ctx).as_str());
    Some(str_const(value, f.expr_start, end))
}

/// The field's expression. We parse it inside parentheses; CPython does not, so an unparenthesised
/// generator expression (`{x for x in y}`) stops after its element (`invalid_replacement_field`).
fn field_expr(text: &str, f: &FField, kind: char, parse_expr: &mut ExprParser<'_>) -> Result<Expr, SyntaxError> {
    if let Some((at, kind)) = lambda_without_parentheses(text, f, kind) {
        return Err(error(at, format!("{kind}-string: lambda expressions are not allowed without parentheses")));
    }
    let value = parse_expr(f.expr_start, f.expr_end).map_err(|e| invalid_replacement_field(text, f, kind, e, parse_expr))?;
    if let ExprKind::GeneratorExp { elt, .. } = &value.kind {
        if (value.range.start as usize) < f.expr_start {
            let after = elt.range.end as usize;
            let next = after + text[after..f.expr_end].len() - text[after..f.expr_end].trim_start().len();
            return Err(error(next, format!("{kind}-string: expecting '=', or '!', or ':', or '}}'")));
        }
    }
    Ok(value)
}

/// `invalid_replacement_field` for a field whose text does not parse: nothing valid after the
/// `{` ("expecting a valid expression after '{'"), or a valid expression followed by something
/// else ("expecting '=', or '!', or ':', or '}'"), reported where the parser stopped.
fn invalid_replacement_field(text: &str, f: &FField, kind: char, e: SyntaxError, parse_expr: &mut ExprParser<'_>) -> SyntaxError {
    let mut at = e.range.start as usize;
    if e.kind != SyntaxErrorKind::SyntaxError || at < f.expr_start {
        return e;
    }
    if at >= f.expr_end {
        // The field ends too early (`{x.}`, `{x +}`): CPython stops after the longest expression.
        match longest_expression_end(text, f, parse_expr) {
            Some(end) => at = end + text[end..f.expr_end].len() - text[end..f.expr_end].trim_start().len(),
            None => return e,
        }
    }
    if at >= f.expr_end || !text.is_char_boundary(at) {
        return e;
    }
    if text[f.expr_start..at].trim().is_empty() {
        return error(at, format!("{kind}-string: expecting a valid expression after '{{'"));
    }
    let Ok(first) = parse_expr(f.expr_start, at) else { return e };
    // `invalid_expression`: two expressions in a row inside brackets, unless the first is a
    // name before a string or a soft keyword.
    let rest = text[at..f.expr_end].trim_start();
    let name_then_string = matches!(first.kind, ExprKind::Name { .. }) && rest.starts_with(['\'', '"']);
    let soft_keyword = matches!(&first.kind, ExprKind::Name { id, .. } if matches!(id.as_str(), "match" | "case" | "type" | "_"));
    if !name_then_string && !soft_keyword && parse_expr(at, f.expr_end).is_ok() {
        return error(first.range.start as usize, "invalid syntax. Perhaps you forgot a comma?");
    }
    error(at, format!("{kind}-string: expecting '=', or '!', or ':', or '}}'"))
}

/// Where the longest expression at the start of a (short) field ends, if any does.
fn longest_expression_end(text: &str, f: &FField, parse_expr: &mut ExprParser<'_>) -> Option<usize> {
    const MAX_FIELD: usize = 256;
    if f.expr_end - f.expr_start > MAX_FIELD {
        return None;
    }
    let field = &text[f.expr_start..f.expr_end];
    let ends = (1..field.len()).rev().filter(|&k| field.is_char_boundary(k) && !field[..k].ends_with(char::is_whitespace));
    for k in ends {
        if !field[..k].trim().is_empty() && parse_expr(f.expr_start, f.expr_start + k).is_ok() {
            return Some(f.expr_start + k);
        }
    }
    None
}

/// `invalid_expression`'s `'lambda' [lambda_params] ':' &FSTRING_MIDDLE` (`&TSTRING_MIDDLE` in a
/// t-string): `{lambda x: 1}` reads as `lambda x` with the spec ` 1`. Where the `lambda` is, and
/// the letter of its message.
fn lambda_without_parentheses(text: &str, f: &FField, kind: char) -> Option<(usize, char)> {
    let field = &text[f.expr_start..f.expr_end];
    let trimmed = field.trim_start();
    let rest = trimmed.strip_prefix("lambda")?;
    if rest.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let at = f.expr_start + field.len() - trimmed.len();
    match &f.spec.as_ref()?.1[..] {
        [FPiece::Literal { start, text_end, .. }, ..] if start < text_end => Some((at, kind)),
        _ => None,
    }
}

/// `_PyPegen_formatted_value`: the field, preceded by its debug text for `{x=}`. `depth` counts the
/// format specs the field is nested in.
fn formatted_value(
    text: &str,
    f: &FField,
    kind: char,
    depth: usize,
    ctx: Ctx,
    parse_expr: &mut ExprParser<'_>,
) -> Result<Vec<Expr>, SyntaxError> {
    let value = field_expr(text, f, kind, parse_expr)?;
    let conversion = conversion(text, f, kind)?;
    let format_spec = match &f.spec {
        Some((colon, pieces)) => Some(Box::new(format_spec(text, *colon, f.close, pieces, kind, depth + 1, ctx, parse_expr)?)),
        None => None,
    };
    if f.debug.is_some() && depth >= 2 {
        // CPython's tokenizer keeps no text for a `{x=}` two specs deep; the tree then fails
        // validation (3.12-3.14).
        let message = "field 'value' is required for Constant";
        return Err(SyntaxError { range: range(f.open, f.close + 1), message: message.into(), kind: SyntaxErrorKind::ValueError });
    }
    let fv = Expr::new(
        range(f.open, f.close + 1),
        ExprKind::FormattedValue { value: Box::new(value), conversion, format_spec },
    );
    Ok(debug_text(text, f, ctx).into_iter().chain([fv]).collect())
}

/// `_PyPegen_interpolation`: a t-string field, preceded by its debug text for `{x=}`. Its `str`
/// is the expression's text without comments, trailing blanks and `=` (`_strip_interpolation_expr`).
fn interpolation(text: &str, f: &FField, ctx: Ctx, parse_expr: &mut ExprParser<'_>) -> Result<Vec<Expr>, SyntaxError> {
    let value = field_expr(text, f, 't', parse_expr)?;
    let conversion = conversion(text, f, 't')?;
    let format_spec = match &f.spec {
        Some((colon, pieces)) => Some(Box::new(format_spec(text, *colon, f.close, pieces, 't', 1, ctx, parse_expr)?)),
        None => None,
    };
    let source = strip_debug_comments(&text[f.expr_start..expr_text_end(f)], ctx);
    let str = PyStr::from(source.trim_end_matches(|c: char| c == '=' || c.is_whitespace()));
    let node = Expr::new(
        range(f.open, f.close + 1),
        ExprKind::Interpolation { value: Box::new(value), str, conversion, format_spec },
    );
    Ok(debug_text(text, f, ctx).into_iter().chain([node]).collect())
}

/// The field's expression text as the tokenizer keeps it (`set_ftstring_expr`): from a `#` to
/// the end of its line is dropped. CPython 3.12 and 3.13 drop from every `#`, even one inside a
/// string; 3.14 only from a `#` outside string literals (tracking quote characters).
fn strip_debug_comments(text: &str, ctx: Ctx) -> String {
    if !text.contains('#') {
        return text.to_string();
    }
    if ctx.template_strings {
        return strip_comments_outside_strings(text);
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

/// 3.14's `_PyLexer_set_ftstring_expr`: quotes toggle a string state (an escaped character is
/// only skipped while looking for a `#`); a `#` outside a string drops the rest of its line.
fn strip_comments_outside_strings(text: &str) -> String {
    let mut hash_detected = false;
    let (mut in_string, mut quote) = (false, '\0');
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' | '\'' if !in_string => (in_string, quote) = (true, c),
            '"' | '\'' if c == quote => in_string = false,
            '#' if !in_string => {
                hash_detected = true;
                break;
            }
            _ => {}
        }
    }
    if !hash_detected {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut quote) = (false, '\0');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                if !in_string {
                    (in_string, quote) = (true, c);
                } else if c == quote {
                    in_string = false;
                }
                out.push(c);
            }
            '#' if !in_string => {
                while chars.peek().is_some_and(|&n| n != '\n') {
                    chars.next();
                }
                if chars.next().is_some() {
                    out.push('\n');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// `_PyPegen_setup_full_format_spec`: nested fields of a spec are f-string fields even in a
/// t-string.
#[allow(clippy::too_many_arguments)]
fn format_spec(
    text: &str,
    colon: usize,
    close: usize,
    pieces: &[FPiece],
    kind: char,
    depth: usize,
    ctx: Ctx,
    parse_expr: &mut ExprParser<'_>,
) -> Result<Expr, SyntaxError> {
    let mut spec = Vec::new();
    for piece in pieces {
        match piece {
            FPiece::Literal { start, end, text_end } => {
                let value = decode_str(&text[*start..*text_end]);
                if !value.is_empty() {
                    spec.push(str_const(value, *start, *end));
                }
            }
            FPiece::Field(field) => spec.extend(formatted_value(text, field, kind, depth, ctx, parse_expr)?),
        }
    }
    let r = range(colon, close);
    if spec.is_empty() || (spec.len() == 1 && spec[0].is_constant()) {
        return Ok(Expr::new(r, ExprKind::JoinedStr(spec)));
    }
    Ok(Expr::new(r, ExprKind::JoinedStr(concatenate(spec))))
}

/// `_build_concatenated_str`: flattens f-strings and t-strings, merges adjacent constants and
/// drops empty ones.
fn concatenate(strings: Vec<Expr>) -> Vec<Expr> {
    let mut flattened = Vec::new();
    for s in strings {
        match s.kind {
            ExprKind::JoinedStr(values) | ExprKind::TemplateStr(values) => flattened.extend(values),
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
            if !is_empty_str(&e) {
                values.push(e);
            }
            continue;
        }
        let e = flattened[i].clone();
        i += 1;
        if is_empty_str(&e) {
            continue;
        }
        values.push(e);
    }
    values
}

#[cfg(test)]
mod tests;
