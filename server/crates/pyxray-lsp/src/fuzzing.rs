//! The edit and position path of the server without a client, for the fuzzers in `fuzz/`:
//! applies LSP content changes to a text and checks that every position conversion stays inside
//! the text and on character boundaries. Not part of the server's API.

use crate::convert::{from_proto, to_proto, TextPositions};
use crate::documents::apply_changes;
use pyxray_insights::{LineIndex, PositionEncoding};
use tower_lsp::lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// One edit as a client sends it: a range (line, character, line, character) in `encoding`
/// units, or the whole text when `None`, and the new text.
pub type Edit = (Option<(u32, u32, u32, u32)>, String);

/// Applies `edits` in order to `text` as the server does for `didChange`, then converts every
/// byte offset of the result to a position and back. Panics if a conversion leaves the text,
/// splits a character, or does not round-trip.
pub fn edit_and_convert(text: &str, edits: &[Edit], encoding: PositionEncoding) -> String {
    let changes = edits
        .iter()
        .map(|(range, new_text)| TextDocumentContentChangeEvent {
            range: range.map(|(l1, c1, l2, c2)| Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: new_text.clone(),
        })
        .collect();
    let text = apply_changes(text, &LineIndex::new(text), changes, encoding);
    let index = LineIndex::new(&text);
    let at = TextPositions { text: &text, index: &index, encoding };
    let bytes = text.as_bytes();
    for (offset, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        // Between the two bytes of a CRLF there is no position of its own.
        if offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n') {
            continue;
        }
        let position = to_proto::position(at, offset as u32);
        let back = from_proto::offset(at, position) as usize;
        assert_eq!(back, offset, "{position:?} of offset {offset} came back as {back}");
        let strict = from_proto::offset_strict(at, position);
        assert_eq!(strict, Some(offset as u32), "{position:?} is inside the text");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_inside_characters_and_line_breaks_leave_convertible_text() {
        let text = "a😀b\r\nc\rd\né\n";
        let edits: Vec<Edit> = vec![
            (Some((0, 2, 0, 3)), "x".into()),   // inside the surrogate pair (UTF-16)
            (Some((1, 5, 0, 90)), "\r".into()), // reversed, past the line end
            (Some((9, 0, 9, 4)), "tail".into()),
            (None, "whole\r\nnew 😀".into()),
            (Some((1, 4, 1, 5)), "".into()),
        ];
        for encoding in [PositionEncoding::Utf16, PositionEncoding::Utf8] {
            let out = edit_and_convert(text, &edits, encoding);
            assert!(out.starts_with("whole\r\n"), "{out:?}");
        }
    }
}
