//! pyxray's plain data to LSP types: byte offsets to positions in the negotiated encoding,
//! diagnostics, hovers and quick fixes.

use super::TextPositions;
use pyxray_insights::{Diagnostic, Fix, Hover, PositionEncoding, Severity, TextRange};
use std::collections::HashMap;
use tower_lsp::lsp_types as lsp;

pub(crate) fn position(at: TextPositions<'_>, offset: u32) -> lsp::Position {
    let lc = at.index.position(at.text, offset, at.encoding);
    lsp::Position::new(lc.line, lc.col)
}

pub(crate) fn range(at: TextPositions<'_>, range: TextRange) -> lsp::Range {
    lsp::Range::new(position(at, range.start), position(at, range.end))
}

pub(crate) fn encoding(encoding: PositionEncoding) -> lsp::PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => lsp::PositionEncodingKind::UTF32,
    }
}

pub(crate) fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

pub(crate) fn diagnostic(at: TextPositions<'_>, d: &Diagnostic) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: range(at, d.range),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.code.to_string())),
        source: Some("pyxray".to_string()),
        message: d.message.clone(),
        ..Default::default()
    }
}

pub(crate) fn hover(at: TextPositions<'_>, h: &Hover) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: h.markdown.clone(),
        }),
        range: Some(range(at, h.range)),
    }
}

/// A quick fix for `diagnostic` in the document `uri`, as a `quickfix` code action.
pub(crate) fn quick_fix(at: TextPositions<'_>, uri: &lsp::Url, diagnostic: &Diagnostic, fix: &Fix) -> lsp::CodeAction {
    let edits =
        fix.edits.iter().map(|e| lsp::TextEdit { range: range(at, e.range), new_text: e.new_text.clone() }).collect();
    lsp::CodeAction {
        title: fix.title.clone(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![self::diagnostic(at, diagnostic)]),
        edit: Some(lsp::WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..Default::default() }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyxray_insights::{LineIndex, TextEdit, REGISTRY};

    #[test]
    fn positions_in_each_encoding() {
        let text = "s = '😀漢'; x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        let col = |encoding| position(TextPositions { text, index: &index, encoding }, x).character;
        assert_eq!(col(PositionEncoding::Utf8), 15);
        assert_eq!(col(PositionEncoding::Utf16), 11);
        assert_eq!(col(PositionEncoding::Utf32), 10);
    }

    #[test]
    fn quick_fix_carries_edits_and_its_diagnostic() {
        let text = "s = '😀'; x = = 1\n";
        let index = LineIndex::new(text);
        let at = TextPositions { text, index: &index, encoding: PositionEncoding::Utf16 };
        let eq = text.rfind("= 1").unwrap() as u32;
        let fix = Fix {
            title: "Remove the extra '='".into(),
            edits: vec![TextEdit { range: TextRange::new(eq, eq + 2), new_text: String::new() }],
        };
        let d = Diagnostic {
            range: TextRange::new(eq, eq + 1),
            severity: Severity::Error,
            code: REGISTRY[0],
            message: "SyntaxError: invalid syntax".into(),
            fixes: vec![fix.clone()],
        };
        let uri = lsp::Url::parse("file:///a.py").unwrap();
        let action = quick_fix(at, &uri, &d, &fix);
        assert_eq!(action.kind, Some(lsp::CodeActionKind::QUICKFIX));
        let edits = &action.edit.unwrap().changes.unwrap()[&uri];
        assert_eq!(edits[0].range, lsp::Range::new(lsp::Position::new(0, 14), lsp::Position::new(0, 16)));
        assert_eq!(action.diagnostics.unwrap()[0].code, Some(lsp::NumberOrString::String(REGISTRY[0].code.into())));
    }
}
