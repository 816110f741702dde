//! Names, keywords, string and number literals for the fast lexer, with the values
//! rustpython-parser's lexer gives them: a string token holds its body as written (escapes
//! included, line breaks normalized to `\n`), a number its value with underscores removed.

use super::{Bail, Lexer, Step};
use num_bigint::BigInt;
use num_traits::{Num, Zero};
use rustpython_parser::{StringKind, Tok};

/// A one-letter string prefix.
fn prefix1(c: u8) -> Option<StringKind> {
    Some(match c {
        b'r' | b'R' => StringKind::RawString,
        b'f' | b'F' => StringKind::FString,
        b'u' | b'U' => StringKind::Unicode,
        b'b' | b'B' => StringKind::Bytes,
        _ => return None,
    })
}

/// A two-letter string prefix (`u` combines with nothing).
fn prefix2(c1: u8, c2: u8) -> Option<StringKind> {
    let (a, b) = (c1.to_ascii_lowercase(), c2.to_ascii_lowercase());
    Some(match (a, b) {
        (b'r', b'f') | (b'f', b'r') => StringKind::RawFString,
        (b'r', b'b') | (b'b', b'r') => StringKind::RawBytes,
        _ => return None,
    })
}

fn keyword(name: &[u8]) -> Option<Tok> {
    Some(match name {
        b"False" => Tok::False,
        b"None" => Tok::None,
        b"True" => Tok::True,
        b"and" => Tok::And,
        b"as" => Tok::As,
        b"assert" => Tok::Assert,
        b"async" => Tok::Async,
        b"await" => Tok::Await,
        b"break" => Tok::Break,
        b"case" => Tok::Case,
        b"class" => Tok::Class,
        b"continue" => Tok::Continue,
        b"def" => Tok::Def,
        b"del" => Tok::Del,
        b"elif" => Tok::Elif,
        b"else" => Tok::Else,
        b"except" => Tok::Except,
        b"finally" => Tok::Finally,
        b"for" => Tok::For,
        b"from" => Tok::From,
        b"global" => Tok::Global,
        b"if" => Tok::If,
        b"import" => Tok::Import,
        b"in" => Tok::In,
        b"is" => Tok::Is,
        b"lambda" => Tok::Lambda,
        b"match" => Tok::Match,
        b"nonlocal" => Tok::Nonlocal,
        b"not" => Tok::Not,
        b"or" => Tok::Or,
        b"pass" => Tok::Pass,
        b"raise" => Tok::Raise,
        b"return" => Tok::Return,
        b"try" => Tok::Try,
        b"type" => Tok::Type,
        b"while" => Tok::While,
        b"with" => Tok::With,
        b"yield" => Tok::Yield,
        _ => return None,
    })
}

fn is_quote(b: u8) -> bool {
    b == b'"' || b == b'\''
}

fn is_digit_of(b: u8, radix: u32) -> bool {
    match radix {
        2 => matches!(b, b'0'..=b'1'),
        8 => matches!(b, b'0'..=b'7'),
        16 => b.is_ascii_hexdigit(),
        _ => b.is_ascii_digit(),
    }
}

impl Lexer<'_> {
    /// A name or keyword starting with an ASCII letter or `_`, or a prefixed string literal.
    pub(super) fn identifier_or_string(&mut self) -> Step {
        let (c, n1, n2) = (self.bytes[self.pos], self.peek(1), self.peek(2));
        // As rustpython-parser decides: a quote right after the first letter makes a one-letter
        // prefix or nothing; otherwise a quote after two letters may make a two-letter one.
        if is_quote(n1) {
            if let Some(kind) = prefix1(c) {
                return self.string(kind, 1);
            }
        } else if is_quote(n2) {
            if let Some(kind) = prefix2(c, n1) {
                return self.string(kind, 2);
            }
        }
        let start = self.pos;
        let end = start
            + self.bytes[start..].iter().position(|b| !(b.is_ascii_alphanumeric() || *b == b'_')).unwrap_or(self.bytes.len() - start);
        if self.bytes.get(end).is_some_and(|b| *b >= 0x80) {
            // A non-ASCII identifier: its characters need Unicode tables.
            return Err(Bail);
        }
        self.pos = end;
        let word = &self.bytes[start..end];
        let tok = match keyword(word) {
            Some(tok) => tok,
            None => Tok::Name { name: self.source[start..end].to_string() },
        };
        self.emit(tok, start);
        Ok(())
    }

    /// A string literal whose prefix (`prefix_len` letters) starts at the current byte.
    pub(super) fn string(&mut self, kind: StringKind, prefix_len: usize) -> Step {
        let start = self.pos;
        let bytes = self.bytes;
        let mut pos = start + prefix_len;
        let quote = bytes[pos];
        pos += 1;
        let triple = bytes.get(pos) == Some(&quote) && bytes.get(pos + 1) == Some(&quote);
        if triple {
            pos += 2;
        }
        let body_start = pos;
        let mut has_cr = false;
        let body_end = loop {
            if triple {
                // Line breaks matter only for `\r`, which is rare: look for it separately.
                let next = crate::strings::backslash_or_quote(bytes, pos, bytes.len(), quote);
                has_cr |= memchr::memchr(b'\r', &bytes[pos..next]).is_some();
                pos = next;
            }
            let b = *bytes.get(pos).ok_or(Bail)?;
            match b {
                b'\\' => {
                    // The escaped character is taken as it is, a line break included.
                    pos += 1;
                    if *bytes.get(pos).ok_or(Bail)? == b'\r' {
                        has_cr = true;
                        if bytes.get(pos + 1) == Some(&b'\n') {
                            pos += 1;
                        }
                    }
                    pos += 1;
                    continue;
                }
                b'\n' | b'\r' => {
                    if !triple {
                        return Err(Bail);
                    }
                    has_cr |= b == b'\r';
                }
                b if b == quote => {
                    if !triple {
                        pos += 1;
                        break pos - 1;
                    }
                    if bytes.get(pos + 1) == Some(&quote) && bytes.get(pos + 2) == Some(&quote) {
                        pos += 3;
                        break pos - 3;
                    }
                }
                _ => {}
            }
            pos += 1;
        };
        let body = &self.source[body_start..body_end];
        // rustpython-parser reads `\r\n` and a lone `\r` as `\n`, in string bodies too.
        let value = if has_cr { body.replace("\r\n", "\n").replace('\r', "\n") } else { body.to_string() };
        self.pos = pos;
        self.emit(Tok::String { value, kind, triple_quoted: triple }, start);
        Ok(())
    }

    /// Appends the digits of `radix` from the current byte, skipping single underscores between
    /// digits, to the scratch buffer.
    fn radix_run(&mut self, radix: u32) {
        loop {
            let b = self.peek(0);
            if is_digit_of(b, radix) {
                self.digits.push(b as char);
                self.pos += 1;
            } else if b == b'_' && is_digit_of(self.peek(1), radix) {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// An integer, float or imaginary literal, read as rustpython-parser reads it (which stops
    /// where its rules stop, e.g. before a second underscore, and lets the parser complain).
    pub(super) fn number(&mut self) -> Step {
        let start = self.pos;
        self.digits.clear();
        let radix = match (self.peek(0), self.peek(1)) {
            (b'0', b'x' | b'X') => 16,
            (b'0', b'o' | b'O') => 8,
            (b'0', b'b' | b'B') => 2,
            _ => 10,
        };
        if radix != 10 {
            self.pos += 2;
            self.radix_run(radix);
            let value = parse_int(&self.digits, radix).ok_or(Bail)?;
            self.emit(Tok::Int { value }, start);
            return Ok(());
        }
        let start_is_zero = self.peek(0) == b'0';
        self.radix_run(10);
        let is_float = self.peek(0) == b'.' || self.at_exponent();
        if !is_float {
            if matches!(self.peek(0), b'j' | b'J') {
                self.pos += 1;
                let imag: f64 = self.digits.parse().map_err(|_| Bail)?;
                self.emit(Tok::Complex { real: 0.0, imag }, start);
                return Ok(());
            }
            let value = parse_int(&self.digits, 10).ok_or(Bail)?;
            if start_is_zero && !value.is_zero() {
                return Err(Bail);
            }
            self.emit(Tok::Int { value }, start);
            return Ok(());
        }
        if self.peek(0) == b'.' {
            if self.peek(1) == b'_' {
                return Err(Bail);
            }
            self.digits.push('.');
            self.pos += 1;
            self.radix_run(10);
        }
        if matches!(self.peek(0), b'e' | b'E') {
            if self.peek(1) == b'_' {
                return Err(Bail);
            }
            self.digits.push('e');
            self.pos += 1;
            if matches!(self.peek(0), b'+' | b'-') {
                if self.peek(1) == b'_' {
                    return Err(Bail);
                }
                self.digits.push(self.peek(0) as char);
                self.pos += 1;
            }
            self.radix_run(10);
        }
        let value: f64 = self.digits.parse().map_err(|_| Bail)?;
        if matches!(self.peek(0), b'j' | b'J') {
            self.pos += 1;
            self.emit(Tok::Complex { real: 0.0, imag: value }, start);
        } else {
            self.emit(Tok::Float { value }, start);
        }
        Ok(())
    }

    fn at_exponent(&self) -> bool {
        match (self.peek(0), self.peek(1)) {
            (b'e' | b'E', b'+' | b'-') => self.peek(2).is_ascii_digit(),
            (b'e' | b'E', b'0'..=b'9') => true,
            _ => false,
        }
    }
}

/// The value of `digits` (no underscores) in `radix`; `None` when there are none.
fn parse_int(digits: &str, radix: u32) -> Option<BigInt> {
    // Most literals fit a machine word; the big-integer parser is much slower.
    if !digits.is_empty() && digits.len() <= 15 {
        return u64::from_str_radix(digits, radix).ok().map(BigInt::from);
    }
    BigInt::from_str_radix(digits, radix).ok()
}
