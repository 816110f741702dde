//! The open documents: text, version and line index per URI, plus the analysis cached for that
//! exact text. Documents are immutable snapshots (`Arc<Document>`); an edit builds a new one and
//! swaps it in under the map's lock, so readers never see a half-applied change.

use crate::convert::{from_proto, TextPositions};
use dashmap::DashMap;
use pyxray_insights::{FileAnalysis, LineIndex, PositionEncoding};
use std::sync::{Arc, Mutex};
use tower_lsp::lsp_types::{TextDocumentContentChangeEvent, Url};

/// One version of one open document.
pub(crate) struct Document {
    pub uri: Url,
    pub text: String,
    /// The file name listings show for the document's code objects (the last URI segment).
    pub file_name: String,
    pub version: i32,
    pub line_index: LineIndex,
    /// The analysis of this text, tagged with the settings generation it was computed under.
    analysis: Mutex<Option<(u64, Arc<FileAnalysis>)>>,
    /// Until this text has an analysis: the latest analysis of an earlier version, which
    /// analysing this one reuses (see [`FileAnalysis::after_edit`]).
    basis: Mutex<Option<Arc<FileAnalysis>>>,
}

impl Document {
    pub fn new(uri: Url, text: String, version: i32) -> Self {
        let line_index = LineIndex::new(&text);
        let file_name = file_name(&uri);
        Document { uri, text, file_name, version, line_index, analysis: Mutex::new(None), basis: Mutex::new(None) }
    }

    /// The analysis the next version of this document can reuse: this version's own, else the
    /// one this version was going to reuse.
    fn basis_for_next(&self) -> Option<Arc<FileAnalysis>> {
        let own = lock(&self.analysis).as_ref().map(|(_, a)| a.clone());
        own.or_else(|| lock(&self.basis).clone())
    }

    /// The analysis of an earlier version to reuse, if this text has none yet.
    pub fn basis(&self) -> Option<Arc<FileAnalysis>> {
        lock(&self.basis).clone()
    }

    pub fn positions(&self, encoding: PositionEncoding) -> TextPositions<'_> {
        TextPositions { text: &self.text, index: &self.line_index, encoding }
    }

    /// The cached analysis if it was computed under settings `generation`.
    pub fn cached_analysis(&self, generation: u64) -> Option<Arc<FileAnalysis>> {
        let slot = lock(&self.analysis);
        slot.as_ref().filter(|(g, _)| *g == generation).map(|(_, a)| a.clone())
    }

    /// Caches `analysis` and gives back the analysis it no longer needs, for the caller to drop
    /// off the latency path (freeing a large file's trees takes a while).
    #[must_use = "dropping the old analysis here is slow; hand it to a background thread"]
    pub fn cache_analysis(&self, generation: u64, analysis: Arc<FileAnalysis>) -> Option<Arc<FileAnalysis>> {
        let basis = lock(&self.basis).take();
        let mut slot = lock(&self.analysis);
        let older = match slot.as_ref() {
            Some((g, _)) => *g <= generation,
            None => true,
        };
        if older {
            *slot = Some((generation, analysis));
        }
        basis
    }
}

/// A poisoned lock still guards a consistent value here (every critical section is one store).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What became of a `didChange`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ChangeOutcome {
    Applied,
    /// The version was not newer than the stored one; nothing changed.
    Stale {
        current: i32,
    },
    /// No such document is open; nothing changed.
    NotOpen,
}

#[derive(Default)]
pub(crate) struct DocumentStore {
    docs: DashMap<Url, Arc<Document>>,
}

impl DocumentStore {
    pub fn get(&self, uri: &Url) -> Option<Arc<Document>> {
        self.docs.get(uri).map(|d| d.value().clone())
    }

    /// Opens (or reopens, replacing) a document.
    pub fn open(&self, uri: Url, text: String, version: i32) -> Arc<Document> {
        let doc = Arc::new(Document::new(uri.clone(), text, version));
        self.docs.insert(uri, doc.clone());
        doc
    }

    pub fn close(&self, uri: &Url) -> bool {
        self.docs.remove(uri).is_some()
    }

    pub fn uris(&self) -> Vec<Url> {
        self.docs.iter().map(|e| e.key().clone()).collect()
    }

    /// Applies `changes` in order to the document, all under the map's lock for that URI so that
    /// no other change can interleave. Ranges are in `encoding` and refer to the text as left by
    /// the previous change in the list, as LSP specifies.
    pub fn change(
        &self,
        uri: &Url,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: PositionEncoding,
    ) -> ChangeOutcome {
        let Some(mut entry) = self.docs.get_mut(uri) else { return ChangeOutcome::NotOpen };
        let current = entry.version;
        if version <= current {
            return ChangeOutcome::Stale { current };
        }
        let text = apply_changes(&entry.text, &entry.line_index, changes, encoding);
        let next = Document::new(uri.clone(), text, version);
        *lock(&next.basis) = entry.basis_for_next();
        *entry = Arc::new(next);
        ChangeOutcome::Applied
    }
}

/// What CPython would call the file: the last path segment of the URI, decoded.
fn file_name(uri: &Url) -> String {
    let path = uri.path();
    let segment = path.rsplit('/').next().unwrap_or(path);
    let decoded = percent_decode(segment);
    if decoded.is_empty() {
        "<unknown>".to_string()
    } else {
        decoded
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The text after applying `changes` one after the other.
pub(crate) fn apply_changes(
    text: &str,
    index: &LineIndex,
    changes: Vec<TextDocumentContentChangeEvent>,
    encoding: PositionEncoding,
) -> String {
    let mut text = text.to_string();
    let mut index = std::borrow::Cow::Borrowed(index);
    let count = changes.len();
    for (i, change) in changes.into_iter().enumerate() {
        match change.range {
            None => text = change.text,
            Some(range) => {
                let at = TextPositions { text: &text, index: &index, encoding };
                let r = from_proto::text_range(at, range);
                text.replace_range(r.start as usize..r.end as usize, &change.text);
            }
        }
        if i + 1 < count {
            index = std::borrow::Cow::Owned(LineIndex::new(&text));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp::lsp_types::{Position, Range};

    fn edit(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn changes_apply_in_order_in_utf16() {
        let text = "a😀b\r\n漢x\n";
        let index = LineIndex::new(text);
        // Replace the emoji (2 UTF-16 units), then insert at the start of line 1 of the new text.
        let out =
            apply_changes(text, &index, vec![edit(0, 1, 0, 3, "-"), edit(1, 1, 1, 1, "+")], PositionEncoding::Utf16);
        assert_eq!(out, "a-b\r\n漢+x\n");
    }

    #[test]
    fn file_names_come_from_the_last_uri_segment() {
        let uri = |s: &str| Url::parse(s).unwrap();
        assert_eq!(file_name(&uri("file:///home/u/my%20app.py")), "my app.py");
        assert_eq!(file_name(&uri("file:///home/u/%E6%97%A5.py")), "日.py");
        assert_eq!(file_name(&uri("untitled:Untitled-1")), "Untitled-1");
        assert_eq!(file_name(&uri("file:///x/%a%C3%A9")), "%aé");
    }

    #[test]
    fn stale_and_unopened_changes_are_refused() {
        let store = DocumentStore::default();
        let uri = Url::parse("file:///a.py").unwrap();
        assert_eq!(store.change(&uri, 1, vec![], PositionEncoding::Utf16), ChangeOutcome::NotOpen);
        store.open(uri.clone(), "x".into(), 3);
        assert_eq!(
            store.change(&uri, 3, vec![edit(0, 0, 0, 1, "y")], PositionEncoding::Utf16),
            ChangeOutcome::Stale { current: 3 }
        );
        assert_eq!(store.change(&uri, 4, vec![edit(0, 0, 0, 1, "y")], PositionEncoding::Utf16), ChangeOutcome::Applied);
        assert_eq!(store.get(&uri).unwrap().text, "y");
    }
}
