//! Parsing with recovery. rustpython-parser stops at the first error, and a buffer being edited is
//! usually invalid, so when the whole file fails we parse each top-level statement on its own
//! (and, inside a broken statement, each column-0 `def`/`class`/`import` line onward), keep every
//! part that parses, and report one error per broken part.

use crate::ast::{Module, TextRange};
use crate::depth;
use crate::limits;
use crate::lower::Lowerer;
use crate::strings::InvalidEscape;
use crate::{fstring, lexer, strings};
use rustpython_parser::{ast as rp, Mode, ParseErrorType, Tok};

/// Deeper trees than this are refused with CPython's RecursionError message, before any recursive
/// pass runs over them. CPython 3.13 compiles 5,000-deep expressions and refuses 10,000.
pub const MAX_TREE_DEPTH: usize = 6000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    SyntaxError,
    IndentationError,
    TabError,
    /// CPython: `RecursionError: maximum recursion depth exceeded during compilation`.
    RecursionError,
    /// CPython: `MemoryError: Parser stack overflowed - Python source too complex to parse`.
    MemoryError,
    /// CPython: `ValueError` from validating the tree the parser built (its own bug, e.g. a
    /// `{x=}` nested two format specs deep has no debug text).
    ValueError,
    /// Syntax CPython may accept that pyxray's parser does not support.
    Unsupported,
}

impl SyntaxErrorKind {
    pub fn python_name(self) -> &'static str {
        match self {
            SyntaxErrorKind::SyntaxError | SyntaxErrorKind::Unsupported => "SyntaxError",
            SyntaxErrorKind::IndentationError => "IndentationError",
            SyntaxErrorKind::TabError => "TabError",
            SyntaxErrorKind::RecursionError => "RecursionError",
            SyntaxErrorKind::MemoryError => "MemoryError",
            SyntaxErrorKind::ValueError => "ValueError",
        }
    }
}

/// A problem found while reading the source, with the byte range it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
    pub kind: SyntaxErrorKind,
}

/// The result of parsing a file: every statement that could be parsed, and the errors.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub module: Module,
    pub errors: Vec<SyntaxError>,
    /// Source ranges whose statements are missing from `module` because they did not parse.
    pub failed_regions: Vec<TextRange>,
    /// Invalid escape sequences in the string literals of `module`, in source order (CPython
    /// warns about each one while parsing).
    pub escapes: Vec<InvalidEscape>,
}

impl Parsed {
    /// True when the whole file parsed: `module` is exactly the file.
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Grammar differences between the CPython releases pyxray reproduces, beyond what the parser
/// accepts for all of them. The default is CPython 3.13's grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grammar {
    /// PEP 758 (3.14): `except A, B:` without parentheses.
    pub bare_except_tuples: bool,
    /// PEP 750 (3.14): t-strings, with 3.14's tokenizer rules for string prefixes (`'b' and 't'
    /// prefixes are incompatible`) and for comments in `{x=}` text.
    pub template_strings: bool,
    /// 3.13+: "unterminated string literal ...; perhaps you escaped the end quote?" when the
    /// literal holds an escaped quote.
    pub escaped_quote_hint: bool,
    /// CPython 3.11's grammar: no PEP 695 type parameters or `type` statements, and f-strings
    /// without PEP 701 (see `grammar311`).
    pub before_312: bool,
}

impl Default for Grammar {
    fn default() -> Grammar {
        Grammar::of_release(13)
    }
}

impl Grammar {
    /// The grammar of CPython 3.`minor`.
    pub fn of_release(minor: u32) -> Grammar {
        Grammar {
            bare_except_tuples: minor >= 14,
            template_strings: minor >= 14,
            escaped_quote_hint: minor >= 13,
            before_312: minor < 12,
        }
    }
}

/// Parses a whole module in CPython 3.13's grammar; see [`parse_module_with`].
pub fn parse_module(text: &str) -> Parsed {
    parse_module_with(text, Grammar::default())
}

/// Parses a whole module, recovering per top-level statement when the file has errors.
pub fn parse_module_with(text: &str, grammar: Grammar) -> Parsed {
    if let Some(error) = limits::check(text) {
        // Tokenizer-level limits (NUL bytes, nesting): CPython refuses the whole file, and so
        // would our parser (or it would build a tree too deep to walk). Nothing is kept.
        let failed = TextRange::new(0, text.len() as u32);
        return Parsed { module: Module::default(), errors: vec![error], failed_regions: vec![failed], escapes: vec![] };
    }
    match parse_part(text, 0, text.len(), grammar) {
        Ok((body, escapes)) => Parsed { module: Module { body }, errors: vec![], failed_regions: vec![], escapes },
        Err(_) => recover(text, grammar),
    }
}

/// Parses `text[start..end]` as a sequence of statements, ranges relative to the whole text.
/// f-strings are parsed by `fstring` (CPython 3.12+ rules and positions); rustpython-parser sees
/// a placeholder atom in their place.
pub(crate) fn parse_part(
    text: &str,
    start: usize,
    end: usize,
    grammar: Grammar,
) -> Result<(Vec<crate::ast::Stmt>, Vec<InvalidEscape>), SyntaxError> {
    parse_part_with(text, start, end, grammar, true)
}

/// [`parse_part`], trying ruff's parser first when `fast` (see `fast`); the differential tests
/// turn it off to compare both paths.
pub(crate) fn parse_part_with(
    text: &str,
    start: usize,
    end: usize,
    grammar: Grammar,
    fast: bool,
) -> Result<(Vec<crate::ast::Stmt>, Vec<InvalidEscape>), SyntaxError> {
    let Prepared { masked, placeholders, escapes, max_line_weight } = match prepare(text, start, end, grammar, fast) {
        Ok(prepared) => prepared,
        // 3.11 reads f-strings its own way, and so fails on them with its own messages.
        Err(e) if grammar.before_312 => {
            return Err(crate::grammar311::fstring_error_in(text, start, end).unwrap_or_else(|| SyntaxError {
                message: e.message.replace(" f-string literal", " string literal"),
                ..e
            }))
        }
        Err(e) => return Err(e),
    };
    let part: &str = masked.as_deref().unwrap_or(&text[start..end]);
    if fast && max_line_weight <= crate::fast::MAX_LINE_WEIGHT {
        if let Some(body) = crate::fast::parse_suite(text, part, start as u32, grammar, &placeholders) {
            return finish(text, body, escapes, grammar);
        }
    }
    let suite = match lexer::parse(part, Mode::Module, start as u32, grammar) {
        Ok(rp::Mod::Module(m)) => m.body,
        Ok(_) => Vec::new(),
        Err(e) => {
            if matches!(e.error, ParseErrorType::Eof | ParseErrorType::Lexical(rustpython_parser::lexer::LexicalErrorType::Eof)) {
                if let Some((at, bracket)) = limits::unclosed_bracket(part) {
                    let at = (start + at) as u32;
                    return Err(SyntaxError {
                        range: TextRange::new(at, at + 1),
                        message: format!("'{bracket}' was never closed"),
                        kind: SyntaxErrorKind::SyntaxError,
                    });
                }
            }
            if let Some((at, message)) = lexer::unparenthesized_except(part, start as u32, grammar, e.offset.to_u32()) {
                let range = TextRange::new(at, at + 1);
                return Err(SyntaxError { range, message: message.into(), kind: SyntaxErrorKind::SyntaxError });
            }
            let mut error = convert_error(text, e.offset.to_u32(), &e.error);
            if !grammar.template_strings && strings::at_template_string(text, e.offset.to_usize()) {
                // A t-string before 3.14 is a name followed by a string: CPython's plain message.
                error.message = "invalid syntax".into();
            }
            return Err(error);
        }
    };
    if depth::max_depth(&suite) > MAX_TREE_DEPTH {
        depth::dismantle(suite);
        return Err(too_deep(start, end));
    }
    let lowerer = Lowerer::new(text, placeholders);
    let body = lowerer.suite(suite);
    if let Some(e) = lowerer.errors.into_inner().into_iter().next() {
        return Err(e);
    }
    finish(text, body, escapes, grammar)
}

/// The checks both parsing paths share once the tree is built.
pub(crate) fn finish(
    text: &str,
    body: Vec<crate::ast::Stmt>,
    escapes: Vec<InvalidEscape>,
    grammar: Grammar,
) -> Result<(Vec<crate::ast::Stmt>, Vec<InvalidEscape>), SyntaxError> {
    if grammar.before_312 {
        if let Some(e) = crate::grammar311::first_refusal(text, &body) {
            return Err(e);
        }
    }
    Ok((body, escapes))
}

fn too_deep(start: usize, end: usize) -> SyntaxError {
    SyntaxError {
        range: TextRange::new(start as u32, end as u32),
        message: "maximum recursion depth exceeded during compilation".into(),
        kind: SyntaxErrorKind::RecursionError,
    }
}

type Placeholders = std::collections::HashMap<u32, crate::ast::Expr>;

/// A part of the text ready for a parser.
pub(crate) struct Prepared {
    /// The text with every f-string and t-string run masked, if it has any.
    pub masked: Option<String>,
    /// The parsed runs, keyed by the offset of the `0` that stands for each in `masked`.
    pub placeholders: Placeholders,
    pub escapes: Vec<InvalidEscape>,
    /// See `strings::Scanner::max_line_weight`.
    pub max_line_weight: u32,
}

/// Finds the f-string and t-string runs in `text[start..end]`, parses each, and masks them.
pub(crate) fn prepare(text: &str, start: usize, end: usize, grammar: Grammar, fast: bool) -> Result<Prepared, SyntaxError> {
    let mut sc = strings::Scanner::with_grammar(text, grammar);
    sc.scan_code(start, end).map_err(|e| scan_error(text, e))?;
    let runs = strings::fstring_runs(&sc);
    let mut placeholders = Placeholders::new();
    // CPython warns about the first invalid escape of each token only.
    let mut escapes = std::mem::take(&mut sc.escapes);
    escapes.dedup_by_key(|e| e.token);
    let max_line_weight = sc.max_line_weight;
    if runs.is_empty() {
        return Ok(Prepared { masked: None, placeholders, escapes, max_line_weight });
    }
    let mut spans = Vec::with_capacity(runs.len());
    for run in runs {
        let tokens = &sc.tokens[run];
        let (rs, re) = (tokens[0].start, tokens[tokens.len() - 1].end);
        if !grammar.template_strings && strings::at_template_string(text, rs) {
            // `t"a" f"b"` before 3.14: a name, then strings; the placeholder would make a call.
            let range = TextRange::new(rs as u32, rs as u32 + 1);
            return Err(SyntaxError { range, message: "invalid syntax".into(), kind: SyntaxErrorKind::SyntaxError });
        }
        let expr = fstring::parse_run(text, tokens, grammar, &mut |s, e| parse_expression_at(text, s, e, grammar, fast))?;
        placeholders.insert(rs as u32 + 1, expr);
        spans.push((rs, re));
    }
    let masked = Some(strings::mask(&text[start..end], start, &spans));
    Ok(Prepared { masked, placeholders, escapes, max_line_weight })
}

/// Parses `text[start..end]` as one expression (an f-string replacement field), as CPython
/// does: inside implicit parentheses, so newlines are allowed.
fn parse_expression_at(text: &str, start: usize, end: usize, grammar: Grammar, fast: bool) -> Result<crate::ast::Expr, SyntaxError> {
    let Prepared { masked, placeholders, max_line_weight, .. } = prepare(text, start, end, grammar, fast)?;
    let inner: &str = masked.as_deref().unwrap_or(&text[start..end]);
    let wrapped = format!("({inner})");
    if fast && max_line_weight <= crate::fast::MAX_LINE_WEIGHT {
        let base = (start as u32).saturating_sub(1);
        if let Some(e) = crate::fast::parse_expression(text, &wrapped, base, grammar, &placeholders) {
            return Ok(unwrap_field_tuple(text, e, start as u32));
        }
    }
    let expr = match lexer::parse(&wrapped, Mode::Expression, (start as u32).saturating_sub(1), grammar) {
        Ok(rp::Mod::Expression(m)) => *m.body,
        Ok(_) => return Err(SyntaxError { range: TextRange::new(start as u32, end as u32), message: "f-string: invalid expression".into(), kind: SyntaxErrorKind::SyntaxError }),
        Err(e) => return starred_field(text, start, end, grammar, fast).unwrap_or_else(|| Err(convert_error(text, e.offset.to_u32(), &e.error))),
    };
    let wrapped_stmt = vec![rp::Stmt::Expr(rp::StmtExpr { range: Default::default(), value: Box::new(expr) })];
    if depth::max_depth(&wrapped_stmt) > MAX_TREE_DEPTH {
        depth::dismantle(wrapped_stmt);
        return Err(too_deep(start, end));
    }
    let lowerer = Lowerer::new(text, placeholders);
    let mut body = lowerer.suite(wrapped_stmt);
    match body.pop().map(|s| s.kind) {
        Some(crate::ast::StmtKind::Expr(e)) => Ok(unwrap_field_tuple(text, e, start as u32)),
        _ => Err(SyntaxError { range: TextRange::new(start as u32, end as u32), message: "f-string: invalid expression".into(), kind: SyntaxErrorKind::SyntaxError }),
    }
}

/// `{*a}`: CPython parses a starred field and its compiler refuses it ("can't use starred
/// expression here"); rustpython-parser refuses it while parsing, so build the node ourselves.
fn starred_field(text: &str, start: usize, end: usize, grammar: Grammar, fast: bool) -> Option<Result<crate::ast::Expr, SyntaxError>> {
    let field = &text[start..end];
    let star = start + (field.len() - field.trim_start().len());
    if !text[star..end].starts_with('*') || text[star..end].starts_with("**") {
        return None;
    }
    let value = match parse_expression_at(text, star + 1, end, grammar, fast) {
        Ok(value) => value,
        Err(e) => return Some(Err(e)),
    };
    let range = TextRange::new(star as u32, value.range.end);
    let kind = crate::ast::ExprKind::Starred { value: Box::new(value), ctx: crate::ast::ExprContext::Load };
    Some(Ok(crate::ast::Expr::new(range, kind)))
}

/// A bare tuple in a field (`{a, b,}`) spans its elements and trailing comma, not the
/// parentheses we wrapped the field in.
fn unwrap_field_tuple(text: &str, mut e: crate::ast::Expr, start: u32) -> crate::ast::Expr {
    if let crate::ast::ExprKind::Tuple { elts, .. } = &e.kind {
        if e.range.start < start {
            if let (Some(first), Some(last)) = (elts.first(), elts.last()) {
                let mut end = last.range.end as usize;
                let rest = &text.as_bytes()[end..];
                if let Some(k) = rest.iter().position(|b| !b.is_ascii_whitespace()) {
                    if rest[k] == b',' {
                        end += k + 1;
                    }
                }
                e.range = TextRange::new(first.range.start, end as u32);
            }
        }
    }
    e
}

fn scan_error(text: &str, e: strings::ScanError) -> SyntaxError {
    let r = token_extent(text, e.offset as u32);
    SyntaxError { range: TextRange::new(e.offset as u32, r.end.max(e.offset as u32 + 1).min(text.len() as u32)), message: e.message, kind: SyntaxErrorKind::SyntaxError }
}

fn recover(text: &str, grammar: Grammar) -> Parsed {
    let mut parsed = Parsed::default();
    for (start, end) in top_level_chunks(text) {
        match parse_part(text, start, end, grammar) {
            Ok((body, escapes)) => {
                parsed.module.body.extend(body);
                parsed.escapes.extend(escapes);
            }
            Err(error) => recover_chunk(text, start, end, error, &mut parsed, grammar),
        }
    }
    parsed
}

/// A broken top-level statement: split it before each column-0 definition or import line and
/// parse the parts on their own, keeping those that parse. If every part parses (the split itself
/// hid the error, e.g. inside a multi-line string), the whole chunk is reported as broken.
fn recover_chunk(text: &str, start: usize, end: usize, error: SyntaxError, parsed: &mut Parsed, grammar: Grammar) {
    let mut cuts = column0_starts(text, start, end);
    cuts.push(end);
    let mut kept = Vec::new();
    let mut errors = Vec::new();
    let mut regions = Vec::new();
    let mut part_start = start;
    for cut in cuts {
        match parse_part(text, part_start, cut, grammar) {
            Ok((body, escapes)) => {
                kept.extend(body);
                parsed.escapes.extend(escapes);
            }
            Err(e) => {
                errors.push(e);
                regions.push(TextRange::new(part_start as u32, cut as u32));
            }
        }
        part_start = cut;
    }
    if errors.is_empty() {
        parsed.errors.push(error);
        parsed.failed_regions.push(TextRange::new(start as u32, end as u32));
    } else {
        parsed.module.body.extend(kept);
        parsed.errors.extend(errors);
        parsed.failed_regions.extend(regions);
    }
}

/// Offsets (after `start`) of lines that begin at column 0 with `def`, `class`, `async def`, `@`,
/// `import` or `from`: likely starts of statements even when the lexer is confused.
fn column0_starts(text: &str, start: usize, end: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut offset = start;
    let mut after_decorator = false;
    for line in text[start..end].split_inclusive('\n') {
        let keyword = ["def ", "class ", "async def ", "@", "import ", "from "];
        let starts = keyword.iter().any(|k| line.starts_with(k));
        if offset != start && starts && !after_decorator {
            out.push(offset);
        }
        if !line.trim().is_empty() {
            after_decorator = line.starts_with('@');
        }
        offset += line.len();
    }
    out
}

/// Splits the text into top-level statements using the lexer: a statement ends at a logical
/// newline at indentation level 0 unless the next one continues it (`else`, `elif`, `except`,
/// `finally`) or it is only decorators. If the lexer fails, the rest is one chunk.
fn top_level_chunks(text: &str) -> Vec<(usize, usize)> {
    let mut chunks = Vec::new();
    let mut chunk_start = 0usize;
    let mut level = 0i32;
    let mut after_newline = true;
    let mut only_decorators = false;
    for token in rustpython_parser::lexer::lex(text, Mode::Module) {
        let Ok((tok, range)) = token else { break };
        match tok {
            Tok::Indent => level += 1,
            Tok::Dedent => level -= 1,
            Tok::EndOfFile => {}
            Tok::Newline => after_newline = true,
            _ => {
                let continues = matches!(tok, Tok::Else | Tok::Elif | Tok::Except | Tok::Finally);
                if after_newline && level == 0 && !continues && !only_decorators {
                    let boundary = line_start_before(text, range.start().to_usize());
                    if boundary > chunk_start {
                        chunks.push((chunk_start, boundary));
                        chunk_start = boundary;
                    }
                    only_decorators = tok == Tok::At;
                } else if only_decorators && level == 0 && matches!(tok, Tok::Def | Tok::Class | Tok::Async) {
                    only_decorators = false;
                }
                after_newline = false;
            }
        }
    }
    if chunk_start < text.len() {
        chunks.push((chunk_start, text.len()));
    }
    chunks
}

fn line_start_before(text: &str, offset: usize) -> usize {
    text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

fn convert_error(text: &str, offset: u32, error: &ParseErrorType) -> SyntaxError {
    use rustpython_parser::lexer::LexicalErrorType as L;
    let (kind, message) = match error {
        ParseErrorType::Eof => (SyntaxErrorKind::SyntaxError, "unexpected EOF while parsing".to_string()),
        ParseErrorType::UnrecognizedToken(Tok::Indent, _) => {
            (SyntaxErrorKind::IndentationError, "unexpected indent".to_string())
        }
        ParseErrorType::UnrecognizedToken(_, Some(expected)) if expected == "Indent" => {
            (SyntaxErrorKind::IndentationError, "expected an indented block".to_string())
        }
        ParseErrorType::UnrecognizedToken(tok, _) | ParseErrorType::ExtraToken(tok) => {
            (SyntaxErrorKind::SyntaxError, format!("invalid syntax (unexpected {})", describe_token(tok)))
        }
        ParseErrorType::InvalidToken => (SyntaxErrorKind::SyntaxError, "invalid token".to_string()),
        ParseErrorType::Lexical(L::IndentationError) => {
            (SyntaxErrorKind::IndentationError, "unindent does not match any outer indentation level".to_string())
        }
        ParseErrorType::Lexical(L::TabError) => {
            (SyntaxErrorKind::TabError, "inconsistent use of tabs and spaces in indentation".to_string())
        }
        ParseErrorType::Lexical(L::FStringError(e)) => (
            SyntaxErrorKind::Unsupported,
            format!(
                "f-string: {e} (pyxray's parser does not support Python 3.12+ f-string syntax such as nested quotes; CPython may accept this)"
            ),
        ),
        ParseErrorType::Lexical(L::UnrecognizedToken { tok }) => {
            // The lexer stops just past the character.
            let at = (offset as usize).min(text.len());
            let start = text[..at].char_indices().next_back().map_or(at, |(i, _)| i) as u32;
            let range = TextRange::new(start, start + tok.len_utf8() as u32);
            return SyntaxError { range, message: invalid_character(*tok), kind: SyntaxErrorKind::SyntaxError };
        }
        ParseErrorType::Lexical(L::Eof) => (SyntaxErrorKind::SyntaxError, "unexpected EOF while parsing".to_string()),
        ParseErrorType::Lexical(L::NestingError) => {
            // The lexer stops just past the closing bracket that has no opening one.
            let at = (offset as usize).min(text.len());
            let before = text[..at].trim_end_matches([' ', '\t']);
            let bracket = before.chars().last().filter(|c| matches!(c, ')' | ']' | '}')).unwrap_or(')');
            let start = (before.len() - bracket.len_utf8()) as u32;
            let message = format!("unmatched '{bracket}'");
            return SyntaxError { range: TextRange::new(start, start + 1), message, kind: SyntaxErrorKind::SyntaxError };
        }
        ParseErrorType::Lexical(e) => (SyntaxErrorKind::SyntaxError, e.to_string()),
    };
    SyntaxError { range: token_extent(text, offset), message, kind }
}

/// CPython's message for a character that cannot start a token.
pub(crate) fn invalid_character(c: char) -> String {
    let invisible = c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}');
    if invisible {
        format!("invalid non-printable character U+{:04X}", c as u32)
    } else {
        format!("invalid character '{c}' (U+{:04X})", c as u32)
    }
}

fn describe_token(tok: &Tok) -> String {
    match tok {
        Tok::Newline => "end of line".into(),
        Tok::Indent => "indent".into(),
        Tok::Dedent => "dedent".into(),
        Tok::EndOfFile => "end of file".into(),
        other => format!("{other}"),
    }
}

/// The range of the token starting at `offset`: an identifier or number, or one character.
fn token_extent(text: &str, offset: u32) -> TextRange {
    let start = (offset as usize).min(text.len());
    let rest = &text[start..];
    let mut chars = rest.char_indices();
    let end = match chars.next() {
        None => start,
        Some((_, '\n' | '\r')) => start,
        Some((_, c)) if c.is_alphanumeric() || c == '_' => {
            start + rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len())
        }
        Some((_, c)) => start + c.len_utf8(),
    };
    TextRange::new(start as u32, end as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::StmtKind;

    fn names(p: &Parsed) -> Vec<String> {
        p.module
            .body
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::FunctionDef(f) => Some(f.name.clone()),
                StmtKind::ClassDef(c) => Some(c.name.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn valid_file_is_complete() {
        let p = parse_module("def f():\n    return 1\n\nclass C:\n    pass\n");
        assert!(p.is_complete());
        assert_eq!(names(&p), ["f", "C"]);
    }

    #[test]
    fn error_in_one_function_keeps_the_others() {
        let src = "def a():\n    return 1\n\ndef b(:\n    pass\n\n@dec\ndef c():\n    if x:\n        pass\n    else:\n        pass\n";
        let p = parse_module(src);
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert_eq!(names(&p), ["a", "c"]);
        let e = &p.errors[0];
        assert_eq!(&src[e.range.start as usize..e.range.end as usize], ":");
    }

    #[test]
    fn unclosed_bracket_keeps_later_definitions() {
        let src = "x = foo(\n\ndef later():\n    return 2\n";
        let p = parse_module(src);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(names(&p), ["later"]);
    }

    #[test]
    fn too_many_parentheses() {
        let src = format!("x = {}1{}\n", "(".repeat(201), ")".repeat(201));
        let p = parse_module(&src);
        assert_eq!(p.errors[0].message, "too many nested parentheses");
        let src = format!("x = {}1{}\n", "(".repeat(200), ")".repeat(200));
        assert!(parse_module(&src).is_complete());
    }

    #[test]
    fn deep_expression_is_refused_without_overflow() {
        let src = format!("x = {}1\n", "-".repeat(200_000));
        let p = parse_module(&src);
        assert_eq!(p.errors[0].kind, SyntaxErrorKind::RecursionError);
        let src = format!("x = a{}\n", ".b".repeat(100_000));
        assert_eq!(parse_module(&src).errors[0].kind, SyntaxErrorKind::RecursionError);
    }
}
