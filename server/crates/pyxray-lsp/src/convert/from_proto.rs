//! LSP types to pyxray's: positions to byte offsets (clamped, or strict where a position outside
//! the document must mean "nothing here"), encodings, configuration values, and workspace folders
//! to directories.

use super::TextPositions;
use pyxray_insights::{LineCol, PositionEncoding, TextRange};
use std::path::PathBuf;
use tower_lsp::lsp_types::{InitializeParams, Position, PositionEncodingKind, Range, Url};

/// The byte offset of `pos`, clamped into the text (LSP clients may send positions past the end
/// of a line to mean its end).
pub(crate) fn offset(at: TextPositions<'_>, pos: Position) -> u32 {
    at.index.offset(at.text, LineCol { line: pos.line, col: pos.character }, at.encoding)
}

/// The byte offset of `pos`, or `None` when it lies outside the document: on a line past the
/// last one or past the end of its line.
pub(crate) fn offset_strict(at: TextPositions<'_>, pos: Position) -> Option<u32> {
    if pos.line >= at.index.line_count() {
        return None;
    }
    let end = at.index.line_end(pos.line, at.text);
    let end_col = at.index.position(at.text, end, at.encoding).col;
    if pos.character > end_col {
        return None;
    }
    Some(offset(at, pos))
}

/// The byte range of `range`, clamped; a reversed range is put in order.
pub(crate) fn text_range(at: TextPositions<'_>, range: Range) -> TextRange {
    let a = offset(at, range.start);
    let b = offset(at, range.end);
    TextRange::new(a.min(b), a.max(b))
}

/// The encoding an LSP `PositionEncodingKind` names, if pyxray knows it.
pub(crate) fn encoding(kind: &PositionEncodingKind) -> Option<PositionEncoding> {
    match kind.as_str() {
        "utf-8" => Some(PositionEncoding::Utf8),
        "utf-16" => Some(PositionEncoding::Utf16),
        "utf-32" => Some(PositionEncoding::Utf32),
        _ => None,
    }
}

/// The directory a workspace folder URI names (`None` for a folder that is not a local file).
pub(crate) fn folder_path(uri: &Url) -> Option<PathBuf> {
    uri.to_file_path().ok()
}

/// The workspace roots `initialize` names: its workspace folders, else `rootUri`, else the
/// deprecated `rootPath`.
#[allow(deprecated)]
pub(crate) fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = params.workspace_folders.as_ref().filter(|f| !f.is_empty()) {
        return folders.iter().filter_map(|f| folder_path(&f.uri)).collect();
    }
    if let Some(root) = params.root_uri.as_ref().and_then(folder_path) {
        return vec![root];
    }
    params.root_path.iter().map(PathBuf::from).filter(|p| p.is_absolute()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyxray_insights::LineIndex;

    fn at<'a>(text: &'a str, index: &'a LineIndex, encoding: PositionEncoding) -> TextPositions<'a> {
        TextPositions { text, index, encoding }
    }

    #[test]
    fn strict_offsets_refuse_positions_outside() {
        let text = "a😀b\r\nxy";
        let index = LineIndex::new(text);
        let p = at(text, &index, PositionEncoding::Utf16);
        assert_eq!(offset_strict(p, Position::new(0, 4)), Some(6));
        assert_eq!(offset_strict(p, Position::new(0, 5)), None);
        assert_eq!(offset_strict(p, Position::new(1, 2)), Some(text.len() as u32));
        assert_eq!(offset_strict(p, Position::new(2, 0)), None);
        assert_eq!(offset(p, Position::new(9, 9)), text.len() as u32);
    }

    #[test]
    fn reversed_range_is_ordered() {
        let text = "abc\ndef\n";
        let index = LineIndex::new(text);
        let p = at(text, &index, PositionEncoding::Utf8);
        let r = text_range(p, Range::new(Position::new(1, 1), Position::new(0, 1)));
        assert_eq!(r, TextRange::new(1, 5));
    }
}
