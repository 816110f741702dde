//! Line index: byte offsets ↔ (line, column) in UTF-8, UTF-16 or UTF-32 units. Lines end at `\n`,
//! `\r\n` or a lone `\r`, as both Python and LSP define them. Out-of-range positions are clamped.

/// The unit a column counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    /// Bytes of UTF-8 (CPython's `col_offset`, LSP `utf-8`).
    Utf8,
    /// UTF-16 code units (LSP's default).
    Utf16,
    /// Unicode scalar values (LSP `utf-32`).
    Utf32,
}

/// A zero-based line and a column in some `PositionEncoding`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset where each line starts; always begins with 0.
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut after_cr = usize::MAX;
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' && i == after_cr {
                // The `\n` of a `\r\n` pair: the line started after the pair, not here.
                if let Some(last) = line_starts.last_mut() {
                    *last = i as u32 + 1;
                }
            } else {
                line_starts.push(i as u32 + 1);
            }
            if bytes[i] == b'\r' {
                after_cr = i + 1;
            }
        }
        LineIndex { line_starts, len: text.len() as u32 }
    }

    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Byte offset where `line` (0-based) starts, or the end of text past the last line.
    pub fn line_start(&self, line: u32) -> u32 {
        self.line_starts.get(line as usize).copied().unwrap_or(self.len)
    }

    /// Byte offset just after the last content character of `line` (before its line break).
    pub fn line_end(&self, line: u32, text: &str) -> u32 {
        let next = self.line_starts.get(line as usize + 1).copied().unwrap_or(self.len);
        let start = self.line_start(line);
        let bytes = text.as_bytes();
        let mut end = next;
        while end > start && matches!(bytes.get(end as usize - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        end
    }

    /// The 0-based line containing `offset` (clamped to the text).
    pub fn line_of(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        (self.line_starts.partition_point(|&s| s <= offset) - 1) as u32
    }

    /// Line and UTF-8 byte column of `offset`: CPython's `lineno - 1` and `col_offset`.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        LineCol { line, col: offset - self.line_starts[line as usize] }
    }

    /// [`LineIndex::line_col`] for an offset that is probably on line `hint` or a few lines
    /// after it, as when locations are looked up in source order: those lines are tried before
    /// a binary search.
    pub fn line_col_near(&self, offset: u32, hint: u32) -> LineCol {
        let offset = offset.min(self.len);
        let first = hint as usize;
        if self.line_starts.get(first).is_some_and(|&s| s <= offset) {
            for line in first..(first + 4).min(self.line_starts.len()) {
                let next = self.line_starts.get(line + 1).copied().unwrap_or(u32::MAX);
                if offset < next {
                    return LineCol { line: line as u32, col: offset - self.line_starts[line] };
                }
            }
        }
        self.line_col(offset)
    }

    /// Converts a byte offset to a position in `encoding`.
    pub fn position(&self, text: &str, offset: u32, encoding: PositionEncoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(self.len) as usize) as u32;
        let LineCol { line, col } = self.line_col(offset);
        let start = self.line_starts[line as usize] as usize;
        let prefix = &text[start..start + col as usize];
        let col = match encoding {
            PositionEncoding::Utf8 => col,
            PositionEncoding::Utf16 => prefix.chars().map(|c| c.len_utf16() as u32).sum(),
            PositionEncoding::Utf32 => prefix.chars().count() as u32,
        };
        LineCol { line, col }
    }

    /// Converts a position in `encoding` to a byte offset. A line past the end maps to the end of
    /// the text; a column past the end of its line maps to the end of that line; a column inside
    /// a character (e.g. between UTF-16 surrogates) maps to the start of that character.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: PositionEncoding) -> u32 {
        if pos.line as usize >= self.line_starts.len() {
            return self.len;
        }
        let start = self.line_starts[pos.line as usize];
        let end = self.line_end(pos.line, text);
        let line = &text[start as usize..end as usize];
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            let width = match encoding {
                PositionEncoding::Utf8 => c.len_utf8() as u32,
                PositionEncoding::Utf16 => c.len_utf16() as u32,
                PositionEncoding::Utf32 => 1,
            };
            if units + width > pos.col {
                return start + i as u32;
            }
            units += width;
        }
        end
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use PositionEncoding::*;

    fn roundtrip(text: &str) {
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            for enc in [Utf8, Utf16, Utf32] {
                let pos = index.position(text, offset as u32, enc);
                let back = index.offset(text, pos, enc);
                let at_line_break = matches!(text.as_bytes().get(offset), Some(b'\n'))
                    && offset > 0
                    && text.as_bytes()[offset - 1] == b'\r';
                if !at_line_break {
                    assert_eq!(back, offset as u32, "{text:?} offset {offset} via {enc:?} {pos:?}");
                }
            }
        }
    }

    #[test]
    fn surrogate_pairs() {
        let text = "a😀b\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 5, Utf16), LineCol { line: 0, col: 3 });
        assert_eq!(index.position(text, 5, Utf32), LineCol { line: 0, col: 2 });
        assert_eq!(index.position(text, 5, Utf8), LineCol { line: 0, col: 5 });
        assert_eq!(index.offset(text, LineCol { line: 0, col: 3 }, Utf16), 5);
        // Inside the surrogate pair: snap to the start of the emoji.
        assert_eq!(index.offset(text, LineCol { line: 0, col: 2 }, Utf16), 1);
        roundtrip(text);
    }

    #[test]
    fn line_col_near_agrees_with_line_col() {
        let text = "a\nbc\r\n\rdef\n\nxyz";
        let idx = LineIndex::new(text);
        for hint in 0..idx.line_count() + 2 {
            for offset in 0..=text.len() as u32 + 2 {
                assert_eq!(idx.line_col_near(offset, hint), idx.line_col(offset), "offset {offset}, hint {hint}");
            }
        }
    }

    #[test]
    fn crlf_and_lone_cr() {
        let text = "ab\r\ncd\ref\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.position(text, 4, Utf16), LineCol { line: 1, col: 0 });
        assert_eq!(index.position(text, 7, Utf16), LineCol { line: 2, col: 0 });
        // A column past the end of a CRLF line stops before the CR.
        assert_eq!(index.offset(text, LineCol { line: 0, col: 10 }, Utf16), 2);
        roundtrip(text);
    }

    #[test]
    fn bom_is_a_character() {
        let text = "\u{feff}x = 1\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 3, Utf16), LineCol { line: 0, col: 1 });
        assert_eq!(index.position(text, 3, Utf8), LineCol { line: 0, col: 3 });
        roundtrip(text);
    }

    #[test]
    fn empty_lines_and_empty_text() {
        let text = "\n\n\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.offset(text, LineCol { line: 2, col: 5 }, Utf16), 2);
        assert_eq!(index.position(text, 3, Utf16), LineCol { line: 3, col: 0 });
        let empty = LineIndex::new("");
        assert_eq!(empty.offset("", LineCol { line: 0, col: 0 }, Utf16), 0);
        assert_eq!(empty.offset("", LineCol { line: 7, col: 3 }, Utf16), 0);
        roundtrip(text);
    }

    #[test]
    fn clamping() {
        let text = "héllo\nwörld";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, LineCol { line: 0, col: 99 }, Utf16), 6);
        assert_eq!(index.offset(text, LineCol { line: 9, col: 0 }, Utf16), text.len() as u32);
        assert_eq!(index.position(text, 2, Utf16), LineCol { line: 0, col: 1 }, "inside é snaps back");
        assert_eq!(index.position(text, 999, Utf16), LineCol { line: 1, col: 5 });
        roundtrip(text);
    }

    #[test]
    fn cjk_and_tabs() {
        let text = "\t漢字 = '字'\n\tx";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 7, Utf16), LineCol { line: 0, col: 3 });
        assert_eq!(index.position(text, 7, Utf8), LineCol { line: 0, col: 7 });
        roundtrip(text);
    }
}
