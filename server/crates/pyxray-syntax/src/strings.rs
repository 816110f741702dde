//! String literals as CPython 3.12+'s tokenizer sees them: finding every string token (f-strings
//! with nested replacement fields included, PEP 701; t-strings, PEP 750, on 3.14), grouping
//! implicitly concatenated runs, and decoding escape sequences (reporting invalid ones, which
//! CPython warns about).

use crate::parse::Grammar;
use crate::pystr::PyStr;

mod fields;
pub(crate) use fields::{scan_fstring_body, FField, FPiece, Quoting};

/// A string literal token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StringToken {
    pub start: usize,
    pub end: usize,
    /// Offset of the first content byte (after prefix and opening quotes).
    pub body_start: usize,
    /// Offset of the closing quotes.
    pub body_end: usize,
    pub quote: u8,
    pub triple: bool,
    pub raw: bool,
    pub bytes: bool,
    pub fstring: bool,
    /// A PEP 750 t-string (3.14); `fstring` is then false.
    pub tstring: bool,
    pub unicode_prefix: bool,
}

impl StringToken {
    /// The letter CPython's tokenizer messages name the literal by (`TOK_GET_STRING_PREFIX`).
    pub fn kind_letter(&self) -> char {
        if self.tstring {
            't'
        } else {
            'f'
        }
    }
}

/// A string prefix: which of CPython's letters it holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Prefix {
    pub raw: bool,
    pub bytes: bool,
    pub f: bool,
    pub t: bool,
    pub u: bool,
}

/// An invalid escape sequence found in a non-raw literal (`\d`, or an octal escape above 0o377).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidEscape {
    /// Offset of the backslash.
    pub offset: usize,
    /// Offset of the string token, or f-string literal piece, holding it.
    pub token: usize,
    /// The escape as written, e.g. `\d` or `\777`.
    pub sequence: String,
    pub octal: bool,
}

/// A scan error: a message like CPython's and where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScanError {
    pub offset: usize,
    pub message: String,
}

/// The offset of the first line break (`\n` or `\r`) in `bytes[from..end]`, or `end`: where a
/// comment ends. Comments and docstrings are much of a file, so they are searched, not stepped.
pub(crate) fn line_break(bytes: &[u8], from: usize, end: usize) -> usize {
    memchr::memchr2(b'\n', b'\r', &bytes[from..end]).map_or(end, |k| from + k)
}

/// The offset of the first backslash or `quote` in `bytes[from..end]`, or `end`: the next place
/// a triple-quoted string body may end or escape.
pub(crate) fn backslash_or_quote(bytes: &[u8], from: usize, end: usize, quote: u8) -> usize {
    memchr::memchr2(b'\\', quote, &bytes[from..end]).map_or(end, |k| from + k)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    IDENT_CONTINUE[b as usize]
}

/// Letters, digits, `_` and every non-ASCII byte: one load per byte in the scanner's hottest loop.
static IDENT_CONTINUE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
        b += 1;
    }
    t
};

/// Parses the word before a quote as a string prefix: `Ok(None)` if it is not one (the word is
/// a name). With `template_strings` (3.14) `t` is a prefix letter, and any set of distinct prefix
/// letters is a prefix, incompatible ones being an error (`_PyLexer_check_string_prefixes`).
fn prefix_flags(word: &[u8], template_strings: bool) -> Result<Option<Prefix>, String> {
    let mut p = Prefix::default();
    for &c in word {
        match c.to_ascii_lowercase() {
            b'r' if !p.raw => p.raw = true,
            b'b' if !p.bytes => p.bytes = true,
            b'f' if !p.f => p.f = true,
            b'u' if !p.u => p.u = true,
            b't' if !p.t && template_strings => p.t = true,
            _ => return Ok(None),
        }
    }
    if !template_strings {
        if word.len() > 2 || (p.u && word.len() > 1) || (p.bytes && p.f) {
            return Ok(None);
        }
        return Ok(Some(p));
    }
    let pairs = [
        (p.u && p.bytes, "u", "b"),
        (p.u && p.raw, "u", "r"),
        (p.u && p.f, "u", "f"),
        (p.u && p.t, "u", "t"),
        (p.bytes && p.f, "b", "f"),
        (p.bytes && p.t, "b", "t"),
        (p.f && p.t, "f", "t"),
    ];
    match pairs.iter().find(|(clash, _, _)| *clash) {
        Some((_, a, b)) => Err(format!("'{a}' and '{b}' prefixes are incompatible")),
        None => Ok(Some(p)),
    }
}

/// Scans the whole source for string tokens, in order.
pub(crate) struct Scanner<'a> {
    pub bytes: &'a [u8],
    /// Which release's tokenizer: t-strings and their prefix errors (3.14), error wording.
    pub grammar: Grammar,
    pub tokens: Vec<StringToken>,
    pub escapes: Vec<InvalidEscape>,
    /// For each token, whether the next significant token is a string continuing the same run.
    pub continues_run: Vec<bool>,
    /// The most names, numbers, strings, operators and opening brackets in one logical line: a
    /// bound on how deep its tree can be (see `fast::MAX_LINE_WEIGHT`).
    pub max_line_weight: u32,
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Self {
        Scanner {
            bytes: text.as_bytes(),
            grammar: Grammar::default(),
            tokens: Vec::new(),
            escapes: Vec::new(),
            continues_run: Vec::new(),
            max_line_weight: 0,
        }
    }

    /// A scanner for the tokenizer of `grammar`'s release.
    pub fn with_grammar(text: &'a str, grammar: Grammar) -> Self {
        Scanner { grammar, ..Scanner::new(text) }
    }

    /// The prefix `bytes[start..quote_at]`, or `None` for a name; an error at `start` for
    /// incompatible letters.
    fn prefix_at(&self, start: usize, quote_at: usize) -> Result<Option<Prefix>, ScanError> {
        prefix_flags(&self.bytes[start..quote_at], self.grammar.template_strings).map_err(|message| ScanError { offset: start, message })
    }

    /// From the identifier character at `start`: the end of the name, and the string literal it
    /// prefixes when a quote follows it (`f"…"`, `rb'…'`).
    fn name_or_prefixed_string(&mut self, start: usize, limit: usize) -> Result<(usize, Option<StringToken>), ScanError> {
        let bytes = self.bytes;
        let mut i = start;
        while i < limit && is_ident_continue(bytes[i]) {
            i += 1;
        }
        if i < limit && (bytes[i] == b'\'' || bytes[i] == b'"') {
            if let Some(flags) = self.prefix_at(start, i)? {
                return Ok((i, Some(self.scan_string(start, i, limit, flags)?)));
            }
        }
        Ok((i, None))
    }

    /// Scans `[start, end)` as Python code (a module or an f-string expression).
    pub fn scan_code(&mut self, start: usize, end: usize) -> Result<(), ScanError> {
        let bytes = self.bytes;
        let mut i = start;
        let mut depth = 0i32;
        // Index of the last string token if nothing significant came after it yet.
        let mut pending: Option<usize> = None;
        let mut weight = 0u32;
        while i < end {
            let b = bytes[i];
            match b {
                b' ' | b'\t' | b'\x0c' => i += 1,
                b'\\' => {
                    // Line continuation.
                    i += 1;
                    if i < end && bytes[i] == b'\r' {
                        i += 1;
                    }
                    if i < end && bytes[i] == b'\n' {
                        i += 1;
                    }
                }
                b'\n' | b'\r' => {
                    if depth <= 0 {
                        pending = None;
                        self.max_line_weight = self.max_line_weight.max(weight);
                        weight = 0;
                    }
                    i += 1;
                }
                b'#' => i = line_break(bytes, i, end),
                b'\'' | b'"' => {
                    let tok = self.scan_string(i, i, end, Prefix::default())?;
                    i = tok.end;
                    weight += 1;
                    self.push_token(tok, &mut pending);
                }
                b if is_ident_start(b) => match self.name_or_prefixed_string(i, end)? {
                    (_, Some(tok)) => {
                        i = tok.end;
                        self.push_token(tok, &mut pending);
                    }
                    (name_end, None) => {
                        i = name_end;
                        weight += 1;
                        pending = None;
                    }
                },
                b'0'..=b'9' => {
                    while i < end && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.') {
                        i += 1;
                    }
                    weight += 1;
                    pending = None;
                }
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    i += 1;
                    weight += 1;
                    pending = None;
                }
                b')' | b']' | b'}' => {
                    depth -= 1;
                    i += 1;
                    pending = None;
                }
                _ => {
                    weight += u32::from(b != b',');
                    i += 1;
                    pending = None;
                }
            }
        }
        self.max_line_weight = self.max_line_weight.max(weight);
        Ok(())
    }

    fn push_token(&mut self, tok: StringToken, pending: &mut Option<usize>) {
        if let Some(p) = *pending {
            self.continues_run[p] = true;
        }
        self.tokens.push(tok);
        self.continues_run.push(false);
        *pending = Some(self.tokens.len() - 1);
    }

    /// Scans one string literal whose prefix starts at `start` and quote at `quote_at`.
    fn scan_string(
        &mut self,
        start: usize,
        quote_at: usize,
        limit: usize,
        prefix: Prefix,
    ) -> Result<StringToken, ScanError> {
        let Prefix { raw, bytes: bytes_lit, f, t, u } = prefix;
        let bytes = self.bytes;
        let quote = bytes[quote_at];
        let triple = quote_at + 2 < limit && bytes[quote_at + 1] == quote && bytes[quote_at + 2] == quote;
        let body_start = quote_at + if triple { 3 } else { 1 };
        let body_end = if f || t {
            let kind = if t { 't' } else { 'f' };
            let q = Quoting { token_start: start, quote, triple, raw, kind };
            let body = scan_fstring_body(self, body_start, limit, q, false)?;
            body.end
        } else {
            self.scan_plain_body(body_start, limit, quote, triple, raw, bytes_lit, start)?
        };
        let end = body_end + if triple { 3 } else { 1 };
        Ok(StringToken {
            start,
            end,
            body_start,
            body_end,
            quote,
            triple,
            raw,
            bytes: bytes_lit,
            fstring: f,
            tstring: t,
            unicode_prefix: u,
        })
    }

    /// The tokenizer's "unterminated ..." error for a literal starting at `token_start`, noticed
    /// at `at` (a line break, or the end of the input).
    fn unterminated(&self, token_start: usize, at: usize, what: &str) -> ScanError {
        let message = format!("unterminated {what} (detected at line {})", detected_line(self.bytes, at));
        ScanError { offset: token_start, message }
    }

    /// Returns the offset of the closing quote(s).
    #[allow(clippy::too_many_arguments)]
    fn scan_plain_body(
        &mut self,
        mut i: usize,
        limit: usize,
        quote: u8,
        triple: bool,
        raw: bool,
        bytes_lit: bool,
        token_start: usize,
    ) -> Result<usize, ScanError> {
        let bytes = self.bytes;
        let mut escaped_quote = false;
        while i < limit {
            if triple {
                // Inside a triple-quoted body only a backslash or the quote matters.
                i = backslash_or_quote(bytes, i, limit, quote);
                if i >= limit {
                    break;
                }
            }
            let b = bytes[i];
            if b == b'\\' {
                if !raw {
                    self.check_escape(i, limit, bytes_lit, token_start);
                }
                escaped_quote |= bytes.get(i + 1) == Some(&quote);
                i += 2;
                if i <= limit && bytes.get(i - 1) == Some(&b'\r') && bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                continue;
            }
            if at_closing_quote(bytes, i, quote, triple) {
                return Ok(i);
            }
            if !triple && (b == b'\n' || b == b'\r') {
                return Err(self.single_quoted_unterminated(token_start, i, escaped_quote));
            }
            i += 1;
        }
        if triple {
            return Err(self.unterminated(token_start, limit, "triple-quoted string literal"));
        }
        Err(self.single_quoted_unterminated(token_start, limit, escaped_quote))
    }

    fn single_quoted_unterminated(&self, token_start: usize, at: usize, escaped_quote: bool) -> ScanError {
        let mut e = self.unterminated(token_start, at, "string literal");
        if escaped_quote && self.grammar.escaped_quote_hint {
            e.message.push_str("; perhaps you escaped the end quote?");
        }
        e
    }

    /// Records an invalid escape at the backslash at `i`, in the token (or f-string piece)
    /// starting at `token`.
    pub fn check_escape(&mut self, i: usize, limit: usize, bytes_lit: bool, token: usize) {
        let bytes = self.bytes;
        let Some(&c) = bytes.get(i + 1) else { return };
        if i + 1 >= limit {
            return;
        }
        let valid = match c {
            b'\n' | b'\r' | b'\\' | b'\'' | b'"' | b'a' | b'b' | b'f' | b'n' | b'r' | b't' | b'v' | b'x' => true,
            b'0'..=b'7' => {
                let mut j = i + 1;
                let mut value = 0u32;
                while j < i + 4 && j < limit && (b'0'..=b'7').contains(&bytes[j]) {
                    value = value * 8 + (bytes[j] - b'0') as u32;
                    j += 1;
                }
                if value > 0o377 {
                    self.escapes.push(InvalidEscape {
                        offset: i,
                        token,
                        sequence: String::from_utf8_lossy(&bytes[i..j]).into_owned(),
                        octal: true,
                    });
                }
                true
            }
            b'N' | b'u' | b'U' => !bytes_lit,
            // CPython's decoder does not report a backslash before a non-ASCII character.
            c => c >= 0x80,
        };
        if !valid {
            let len = std::str::from_utf8(&bytes[i + 1..]).ok().and_then(|s| s.chars().next()).map_or(1, |ch| ch.len_utf8());
            self.escapes.push(InvalidEscape {
                offset: i,
                token,
                sequence: String::from_utf8_lossy(&bytes[i..i + 1 + len]).into_owned(),
                octal: false,
            });
        }
    }
}

fn at_closing_quote(bytes: &[u8], i: usize, quote: u8, triple: bool) -> bool {
    if bytes.get(i) != Some(&quote) {
        return false;
    }
    !triple || (bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote))
}

/// True when `offset` is at what 3.14 reads as a t-string prefix (distinct prefix letters, one of
/// them `t`: `t'…'`, `rt'…'`, or an invalid mix such as `bt'…'`), or at the quote after one.
/// Before 3.14 the prefix is a name and the quote starts a string.
pub(crate) fn at_template_string(text: &str, offset: usize) -> bool {
    let bytes = text.as_bytes();
    let is_template_prefix = |word: &[u8]| match prefix_flags(word, true) {
        Ok(prefix) => prefix.is_some_and(|p| p.t),
        Err(_) => word.iter().any(|c| c.eq_ignore_ascii_case(&b't')),
    };
    let word_end = |from: usize| {
        let mut i = from;
        while i < bytes.len() && is_ident_continue(bytes[i]) {
            i += 1;
        }
        i
    };
    if offset >= bytes.len() {
        return false;
    }
    if matches!(bytes[offset], b'\'' | b'"') {
        let mut start = offset;
        while start > 0 && is_ident_continue(bytes[start - 1]) {
            start -= 1;
        }
        return start < offset && is_template_prefix(&bytes[start..offset]);
    }
    let starts_word = offset == 0 || !is_ident_continue(bytes[offset - 1]);
    let end = word_end(offset);
    starts_word && end < bytes.len() && matches!(bytes[end], b'\'' | b'"') && is_template_prefix(&bytes[offset..end])
}

/// The line the tokenizer is on when it gives up on an unterminated literal at `at`: a final
/// line break does not start a new line.
fn detected_line(bytes: &[u8], at: usize) -> usize {
    let at = at.min(bytes.len());
    let at = if at > 0 && at == bytes.len() && bytes[at - 1] == b'\n' { at - 1 } else { at };
    1 + memchr::memchr_iter(b'\n', &bytes[..at]).count()
}

/// Decodes the escapes of a (non-raw) str literal body as CPython does; invalid escapes stay
/// as written.
pub(crate) fn decode_str(body: &str) -> PyStr {
    let mut out = PyStr::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(n) = chars.next() else {
            out.push('\\');
            break;
        };
        match n {
            '\n' => {}
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = n.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push_code_point(v);
            }
            'x' | 'u' | 'U' => {
                let count = match n {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v = 0u32;
                let mut ok = true;
                for _ in 0..count {
                    match chars.peek().and_then(|c| c.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            chars.next();
                        }
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                if ok && v <= 0x10ffff {
                    out.push_code_point(v);
                } else {
                    out.push('\u{fffd}');
                }
            }
            'N' if chars.peek() == Some(&'{') => {
                chars.next();
                let mut name = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    name.push(c);
                }
                out.push(unicode_names2::character(&name).unwrap_or('\u{fffd}'));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

/// The value of a run of adjacent plain (not f-, not bytes) string literals in `[start, end)`.
pub(crate) fn plain_run_value(text: &str, start: usize, end: usize) -> Option<PyStr> {
    let mut sc = Scanner::new(text);
    sc.scan_code(start, end).ok()?;
    let mut out = PyStr::new();
    for tok in &sc.tokens {
        if tok.fstring || tok.tstring || tok.bytes {
            return None;
        }
        let body = &text[tok.body_start..tok.body_end];
        // The tokenizer reads every line break as `\n`, inside literals too.
        let body = match body.contains('\r') {
            true => std::borrow::Cow::Owned(body.replace("\r\n", "\n").replace('\r', "\n")),
            false => std::borrow::Cow::Borrowed(body),
        };
        out.push_pystr(&if tok.raw { PyStr::from(&*body) } else { decode_str(&body) });
    }
    Some(out)
}

/// The runs of adjacent string tokens that contain an f-string or a t-string, as token index
/// ranges.
pub(crate) fn fstring_runs(sc: &Scanner<'_>) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < sc.tokens.len() {
        let start = i;
        while i + 1 < sc.tokens.len() && sc.continues_run[i] {
            i += 1;
        }
        i += 1;
        if sc.tokens[start..i].iter().any(|t| t.fstring || t.tstring) {
            out.push(start..i);
        }
    }
    out
}

/// Replaces each run `[start, end)` of `text` (offsets relative to `base`) with `(0   )` of
/// the same length, keeping line breaks, so rustpython-parser sees a plain atom there.
pub(crate) fn mask(text: &str, base: usize, runs: &[(usize, usize)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(start, end) in runs {
        let (s, e) = (start - base, end - base);
        for (k, b) in bytes[s..e].iter_mut().enumerate() {
            *b = if k == 0 {
                b'('
            } else if k == 1 {
                b'0'
            } else if k == e - s - 1 {
                b')'
            } else if *b == b'\n' || *b == b'\r' {
                *b
            } else {
                b' '
            };
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_nesting() {
        let src = "x = f\"a{b['c']}\" 'd'\ny = f'{x!r:>{w}}'\nz = 'plain'\n";
        let mut sc = Scanner::new(src);
        sc.scan_code(0, src.len()).unwrap();
        // Strings nested inside replacement fields are part of their f-string token.
        let kinds: Vec<bool> = sc.tokens.iter().map(|t| t.fstring).collect();
        assert_eq!(kinds, [true, false, true, false]);
    }

    #[test]
    fn pep701_nested_quotes() {
        let src = "x = f\"{d[\"key\"]}\"\n";
        let mut sc = Scanner::new(src);
        sc.scan_code(0, src.len()).unwrap();
        assert_eq!(sc.tokens[0].end, src.len() - 1);
    }

    #[test]
    fn invalid_escapes() {
        let src = "a = '\\d' + r'\\d' + '\\777' + b'\\N'\n";
        let mut sc = Scanner::new(src);
        sc.scan_code(0, src.len()).unwrap();
        let seqs: Vec<&str> = sc.escapes.iter().map(|e| e.sequence.as_str()).collect();
        assert_eq!(seqs, ["\\d", "\\777", "\\N"]);
    }

    #[test]
    fn decoding() {
        assert_eq!(decode_str("a\\tb\\x41\\u00e9\\N{BULLET}\\q\\101"), "a\tbAé•\\qA");
    }
}
