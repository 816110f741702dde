//! Python `str` values: code point sequences that, unlike Rust strings, may hold lone
//! surrogates (`'\ud800'`).

use std::fmt;

/// A Python string. The text keeps every code point except surrogates, which stand in it as
/// U+FFFD and are listed, by code point index, in `surrogates`. The pair is canonical, so
/// equality and hashing are Python's.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PyStr {
    text: String,
    surrogates: Vec<(u32, u16)>,
}

/// One Python code point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodePoint {
    Char(char),
    Surrogate(u16),
}

impl CodePoint {
    pub fn value(self) -> u32 {
        match self {
            CodePoint::Char(c) => c as u32,
            CodePoint::Surrogate(s) => u32::from(s),
        }
    }
}

impl PyStr {
    pub fn new() -> Self {
        PyStr::default()
    }

    /// The string when it has no surrogates.
    pub fn as_str(&self) -> Option<&str> {
        self.surrogates.is_empty().then_some(self.text.as_str())
    }

    /// The text with surrogates shown as U+FFFD.
    pub fn lossy(&self) -> &str {
        &self.text
    }

    pub fn has_surrogates(&self) -> bool {
        !self.surrogates.is_empty()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// `len(s)`: the number of code points.
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn push(&mut self, c: char) {
        self.text.push(c);
    }

    pub fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Appends a code point given by value; surrogates are kept as such.
    pub fn push_code_point(&mut self, value: u32) {
        match char::from_u32(value) {
            Some(c) => self.text.push(c),
            None => {
                let index = self.len() as u32;
                self.surrogates.push((index, value as u16));
                self.text.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }

    pub fn push_pystr(&mut self, other: &PyStr) {
        let shift = if other.surrogates.is_empty() { 0 } else { self.len() as u32 };
        self.text.push_str(&other.text);
        self.surrogates.extend(other.surrogates.iter().map(|&(i, s)| (i + shift, s)));
    }

    pub fn code_points(&self) -> impl Iterator<Item = CodePoint> + '_ {
        let mut pending = self.surrogates.iter().peekable();
        self.text.chars().enumerate().map(move |(i, c)| match pending.peek() {
            Some(&&(at, s)) if at as usize == i => {
                pending.next();
                CodePoint::Surrogate(s)
            }
            _ => CodePoint::Char(c),
        })
    }

    /// `s * n`.
    pub fn repeat(&self, n: usize) -> PyStr {
        let mut out = PyStr { text: String::with_capacity(self.text.len() * n), surrogates: Vec::new() };
        for _ in 0..n {
            out.push_pystr(self);
        }
        out
    }

    /// `s[i]` for `0 <= i < len(s)`.
    pub fn nth(&self, i: usize) -> Option<PyStr> {
        let mut out = PyStr::new();
        match self.code_points().nth(i)? {
            CodePoint::Char(c) => out.push(c),
            CodePoint::Surrogate(s) => out.push_code_point(u32::from(s)),
        }
        Some(out)
    }
}

/// Rebuilds strings derived from a `PyStr`'s lossy text by transformations that keep its U+FFFD
/// characters in order (stripping whitespace, splitting at `%`): each U+FFFD takes back the code
/// point it stood for.
pub struct Refill<'a> {
    slots: Box<dyn Iterator<Item = CodePoint> + 'a>,
}

impl<'a> Refill<'a> {
    pub fn new(original: &'a PyStr) -> Self {
        Refill { slots: Box::new(original.code_points().filter(|cp| !matches!(cp, CodePoint::Char(c) if *c != char::REPLACEMENT_CHARACTER))) }
    }

    pub fn fill(&mut self, text: &str) -> PyStr {
        let mut out = PyStr::new();
        for c in text.chars() {
            match c {
                char::REPLACEMENT_CHARACTER => match self.slots.next() {
                    Some(cp) => out.push_code_point(cp.value()),
                    None => out.push(c),
                },
                c => out.push(c),
            }
        }
        out
    }
}

impl From<String> for PyStr {
    fn from(text: String) -> Self {
        PyStr { text, surrogates: Vec::new() }
    }
}

impl From<&str> for PyStr {
    fn from(text: &str) -> Self {
        PyStr::from(text.to_string())
    }
}

impl PartialEq<str> for PyStr {
    fn eq(&self, other: &str) -> bool {
        self.surrogates.is_empty() && self.text == other
    }
}

impl PartialEq<&str> for PyStr {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl fmt::Debug for PyStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.surrogates.is_empty() {
            return fmt::Debug::fmt(&self.text, f);
        }
        f.write_str("\"")?;
        for cp in self.code_points() {
            match cp {
                CodePoint::Char(c) => write!(f, "{}", c.escape_debug())?,
                CodePoint::Surrogate(s) => write!(f, "\\u{{{s:x}}}")?,
            }
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_surrogate(prefix: &str, s: u32, suffix: &str) -> PyStr {
        let mut p = PyStr::from(prefix);
        p.push_code_point(s);
        p.push_str(suffix);
        p
    }

    #[test]
    fn surrogates_are_distinct_code_points() {
        let a = with_surrogate("a", 0xd800, "b");
        assert_eq!(a.len(), 3);
        assert_ne!(a, PyStr::from("a\u{fffd}b"));
        assert_eq!(a.as_str(), None);
        assert_eq!(a.nth(1).unwrap().code_points().next(), Some(CodePoint::Surrogate(0xd800)));
    }

    #[test]
    fn concatenation_and_repetition_keep_positions() {
        let a = with_surrogate("xy", 0xdc00, "");
        let mut b = PyStr::from("é");
        b.push_pystr(&a);
        assert_eq!(b, with_surrogate("éxy", 0xdc00, ""));
        let r = a.repeat(2);
        let values: Vec<u32> = r.code_points().map(CodePoint::value).collect();
        assert_eq!(values, [0x78, 0x79, 0xdc00, 0x78, 0x79, 0xdc00]);
    }

    #[test]
    fn refill_restores_surrogates_after_stripping() {
        let s = with_surrogate("  a", 0xd800, "\u{fffd} ");
        let mut refill = Refill::new(&s);
        assert_eq!(refill.fill(s.lossy().trim()), with_surrogate("a", 0xd800, "\u{fffd}"));
    }

    #[test]
    fn adjacent_surrogates_do_not_pair() {
        let mut s = PyStr::new();
        s.push_code_point(0xd83d);
        s.push_code_point(0xde00);
        assert_eq!(s.len(), 2);
    }
}
