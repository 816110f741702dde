//! A byte-oriented lexer that produces exactly the token stream rustpython-parser's own lexer
//! (with its soft-keyword pass) produces, for the inputs where that lexer succeeds. Its lexer reads
//! the text one `char` at a time through a sliding window and a token queue, which made it more
//! than half of parsing time; this one works on bytes and lexes the whole text into one vector.
//!
//! It only handles what it fully understands. Anything unusual (a lexical error, a non-ASCII
//! character outside strings and comments, a byte-order mark) makes [`tokens`] return `None`, and
//! the caller lexes with rustpython-parser instead, so every error and every rare token keeps its
//! exact behaviour. The unit tests compare both lexers token for token.

mod bare_except_tuples;
mod literals;
mod soft_keywords;
#[cfg(test)]
mod tests;

use crate::parse::Grammar;
use rustpython_parser::text_size::{TextRange, TextSize};
use rustpython_parser::{Mode, Tok};
use std::cmp::Ordering;

/// A token and its range, as rustpython-parser's lexer yields them.
pub(crate) type Spanned = (Tok, TextRange);

/// Lexes `source`, whose first byte is at offset `offset` of the whole text, in `mode`. `None`
/// means the text needs rustpython-parser's own lexer (see the module documentation).
pub(crate) fn tokens(source: &str, offset: u32, mode: Mode) -> Option<Vec<Spanned>> {
    let mut lexer = Lexer::new(source, offset);
    lexer.run()?;
    let mut out = lexer.out;
    soft_keywords::apply(&mut out, mode);
    Some(out)
}

/// [`tokens`], then the rewrites `grammar` asks for (PEP 758 exception lists).
fn grammar_tokens(source: &str, offset: u32, mode: Mode, grammar: Grammar) -> Option<Vec<Spanned>> {
    let mut out = tokens(source, offset, mode)?;
    if grammar.bare_except_tuples {
        bare_except_tuples::apply(&mut out);
    }
    Some(out)
}

/// CPython's message and offset for an `except` exception list `grammar` refuses without
/// parentheses where parsing failed (`error_at`), if that is what failed.
pub(crate) fn unparenthesized_except(source: &str, offset: u32, grammar: Grammar, error_at: u32) -> Option<(u32, &'static str)> {
    let tokens = tokens(source, offset, Mode::Module)?;
    bare_except_tuples::unparenthesized_error(&tokens, grammar.bare_except_tuples, error_at)
}

/// Parses `source` (starting at `offset` of the whole text) with rustpython-parser in `grammar`,
/// lexing it with [`tokens`] when possible (rustpython-parser's own lexer, the fallback, knows only
/// the default grammar).
pub(crate) fn parse(
    source: &str,
    mode: Mode,
    offset: u32,
    grammar: Grammar,
) -> Result<rustpython_parser::ast::Mod, rustpython_parser::ParseError> {
    match grammar_tokens(source, offset, mode, grammar) {
        Some(toks) => rustpython_parser::parse_tokens(toks.into_iter().map(Ok), mode, "<source>"),
        None => rustpython_parser::parse_starts_at(source, mode, "<source>", TextSize::from(offset)),
    }
}

/// Indentation as rustpython-parser measures it: tabs and spaces counted apart.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Level {
    tabs: u32,
    spaces: u32,
}

impl Level {
    /// Compares two levels the way rustpython-parser does; `None` where it reports a TabError.
    fn compare(self, other: Level) -> Option<Ordering> {
        match self.tabs.cmp(&other.tabs) {
            Ordering::Less => (self.spaces <= other.spaces).then_some(Ordering::Less),
            Ordering::Greater => (self.spaces >= other.spaces).then_some(Ordering::Greater),
            Ordering::Equal => Some(self.spaces.cmp(&other.spaces)),
        }
    }
}

/// Why lexing stopped early: the caller falls back to rustpython-parser's lexer.
pub(crate) struct Bail;

type Step = Result<(), Bail>;

pub(crate) struct Lexer<'a> {
    bytes: &'a [u8],
    source: &'a str,
    pos: usize,
    offset: u32,
    at_begin_of_line: bool,
    nesting: usize,
    indents: Vec<Level>,
    out: Vec<Spanned>,
    /// Scratch space for the digits of a number.
    digits: String,
}

impl<'a> Lexer<'a> {
    fn new(source: &'a str, offset: u32) -> Self {
        Lexer {
            bytes: source.as_bytes(),
            source,
            pos: 0,
            offset,
            at_begin_of_line: true,
            nesting: 0,
            indents: vec![Level::default()],
            // The standard library averages one token per seven or eight bytes; a vector that
            // must grow once is cheaper than touching memory that is never used.
            out: Vec::with_capacity(source.len() / 8 + 16),
            digits: String::new(),
        }
    }

    fn run(&mut self) -> Option<()> {
        // rustpython-parser skips a leading byte-order mark and shifts every offset; rare enough
        // to leave to it.
        if self.source.starts_with('\u{feff}') {
            return None;
        }
        loop {
            if self.at_begin_of_line {
                self.handle_indentation().ok()?;
            }
            if self.pos >= self.bytes.len() {
                self.end_of_file().ok()?;
                return Some(());
            }
            self.consume().ok()?;
        }
    }

    /// The text offset of byte `pos` of the source.
    fn at(&self, pos: usize) -> TextSize {
        TextSize::new(self.offset + pos as u32)
    }

    fn peek(&self, k: usize) -> u8 {
        self.bytes.get(self.pos + k).copied().unwrap_or(0)
    }

    fn emit(&mut self, tok: Tok, start: usize) {
        let range = TextRange::new(self.at(start), self.at(self.pos));
        self.out.push((tok, range));
    }

    /// Steps over one line break (`\r\n` counts as one, as rustpython-parser reads it).
    fn skip_newline(&mut self) {
        if self.bytes[self.pos] == b'\r' && self.peek(1) == b'\n' {
            self.pos += 1;
        }
        self.pos += 1;
    }

    fn skip_comment(&mut self) {
        self.pos = crate::strings::line_break(self.bytes, self.pos, self.bytes.len());
    }

    /// Reads the indentation of a line, skipping blank and comment-only lines as
    /// rustpython-parser does; the level is counted after the last form feed or skipped line.
    fn eat_indentation(&mut self) -> Result<Level, Bail> {
        let mut level = Level::default();
        // A tab after spaces: rustpython-parser refuses it even on a blank line, which CPython
        // ignores, so it only matters once the line turns out to hold code.
        let mut tab_after_space = false;
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b' ' => {
                    self.pos += 1;
                    level.spaces += 1;
                }
                b'\t' => {
                    tab_after_space |= level.spaces != 0;
                    self.pos += 1;
                    level.tabs += 1;
                }
                b'#' => {
                    self.skip_comment();
                    level = Level::default();
                    tab_after_space = false;
                }
                b'\x0c' => {
                    self.pos += 1;
                    level = Level::default();
                    tab_after_space = false;
                }
                b'\n' | b'\r' => {
                    self.skip_newline();
                    level = Level::default();
                    tab_after_space = false;
                }
                _ if tab_after_space => return Err(Bail),
                _ => {
                    self.at_begin_of_line = false;
                    return Ok(level);
                }
            }
        }
        Ok(Level::default())
    }

    fn handle_indentation(&mut self) -> Step {
        let level = self.eat_indentation()?;
        if self.nesting != 0 {
            return Ok(());
        }
        let current = *self.indents.last().ok_or(Bail)?;
        match level.compare(current).ok_or(Bail)? {
            Ordering::Equal => {}
            Ordering::Greater => {
                self.indents.push(level);
                let width = (level.spaces + level.tabs) as usize;
                self.emit(Tok::Indent, self.pos - width);
            }
            Ordering::Less => loop {
                let current = *self.indents.last().ok_or(Bail)?;
                match level.compare(current).ok_or(Bail)? {
                    Ordering::Less => {
                        self.pop_indent();
                        self.emit(Tok::Dedent, self.pos);
                    }
                    Ordering::Equal => break,
                    Ordering::Greater => return Err(Bail),
                }
            },
        }
        Ok(())
    }

    /// Pops one indentation level, never the outermost one (as rustpython-parser's stack does).
    fn pop_indent(&mut self) {
        if self.indents.len() > 1 {
            self.indents.pop();
        }
    }

    fn end_of_file(&mut self) -> Step {
        if self.nesting > 0 {
            return Err(Bail);
        }
        if !self.at_begin_of_line {
            self.at_begin_of_line = true;
            self.emit(Tok::Newline, self.pos);
        }
        while self.indents.len() > 1 {
            self.indents.pop();
            self.emit(Tok::Dedent, self.pos);
        }
        Ok(())
    }

    /// Lexes what starts at the current byte: one token, or whitespace, a comment or a line
    /// continuation.
    fn consume(&mut self) -> Step {
        let start = self.pos;
        let c = self.bytes[start];
        match c {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => return self.identifier_or_string(),
            b'0'..=b'9' => return self.number(),
            b'.' if self.peek(1).is_ascii_digit() => return self.number(),
            b'"' | b'\'' => return self.string(rustpython_parser::StringKind::String, 0),
            b'#' => {
                self.skip_comment();
                return Ok(());
            }
            b' ' | b'\t' | b'\x0c' => {
                while matches!(self.peek(0), b' ' | b'\t' | b'\x0c') {
                    self.pos += 1;
                }
                return Ok(());
            }
            b'\n' | b'\r' => {
                self.skip_newline();
                if self.nesting == 0 {
                    self.at_begin_of_line = true;
                    self.emit(Tok::Newline, start);
                }
                return Ok(());
            }
            b'\\' => {
                self.pos += 1;
                if !matches!(self.peek(0), b'\n' | b'\r') {
                    return Err(Bail);
                }
                self.skip_newline();
                return if self.pos >= self.bytes.len() { Err(Bail) } else { Ok(()) };
            }
            _ => {}
        }
        let (tok, len) = self.operator(c)?;
        self.pos += len;
        match tok {
            Tok::Lpar | Tok::Lsqb | Tok::Lbrace => self.nesting += 1,
            Tok::Rpar | Tok::Rsqb | Tok::Rbrace => {
                self.nesting = self.nesting.checked_sub(1).ok_or(Bail)?;
            }
            _ => {}
        }
        self.emit(tok, start);
        Ok(())
    }

    /// The operator or delimiter starting with `c`, and its length in bytes.
    fn operator(&self, c: u8) -> Result<(Tok, usize), Bail> {
        let (n1, n2) = (self.peek(1), self.peek(2));
        let with_equal = |plain: Tok, augmented: Tok| if n1 == b'=' { (augmented, 2) } else { (plain, 1) };
        Ok(match c {
            b'=' => with_equal(Tok::Equal, Tok::EqEqual),
            b'+' => with_equal(Tok::Plus, Tok::PlusEqual),
            b'%' => with_equal(Tok::Percent, Tok::PercentEqual),
            b'|' => with_equal(Tok::Vbar, Tok::VbarEqual),
            b'^' => with_equal(Tok::CircumFlex, Tok::CircumflexEqual),
            b'&' => with_equal(Tok::Amper, Tok::AmperEqual),
            b'@' => with_equal(Tok::At, Tok::AtEqual),
            b':' => with_equal(Tok::Colon, Tok::ColonEqual),
            b'!' if n1 == b'=' => (Tok::NotEqual, 2),
            b'*' if n1 == b'*' => if n2 == b'=' { (Tok::DoubleStarEqual, 3) } else { (Tok::DoubleStar, 2) },
            b'*' => with_equal(Tok::Star, Tok::StarEqual),
            b'/' if n1 == b'/' => if n2 == b'=' { (Tok::DoubleSlashEqual, 3) } else { (Tok::DoubleSlash, 2) },
            b'/' => with_equal(Tok::Slash, Tok::SlashEqual),
            b'<' if n1 == b'<' => if n2 == b'=' { (Tok::LeftShiftEqual, 3) } else { (Tok::LeftShift, 2) },
            b'<' => with_equal(Tok::Less, Tok::LessEqual),
            b'>' if n1 == b'>' => if n2 == b'=' { (Tok::RightShiftEqual, 3) } else { (Tok::RightShift, 2) },
            b'>' => with_equal(Tok::Greater, Tok::GreaterEqual),
            b'-' if n1 == b'>' => (Tok::Rarrow, 2),
            b'-' => with_equal(Tok::Minus, Tok::MinusEqual),
            b'.' if n1 == b'.' && n2 == b'.' => (Tok::Ellipsis, 3),
            b'.' => (Tok::Dot, 1),
            b'~' => (Tok::Tilde, 1),
            b'(' => (Tok::Lpar, 1),
            b')' => (Tok::Rpar, 1),
            b'[' => (Tok::Lsqb, 1),
            b']' => (Tok::Rsqb, 1),
            b'{' => (Tok::Lbrace, 1),
            b'}' => (Tok::Rbrace, 1),
            b';' => (Tok::Semi, 1),
            b',' => (Tok::Comma, 1),
            // A lone `!`, `$`, `?`, a backquote, control characters and every non-ASCII
            // character: errors or rare names (rustpython-parser takes emoji for names).
            _ => return Err(Bail),
        })
    }
}
