//! The server's `didChange` and position path on arbitrary edits: ranges anywhere (past line ends,
//! reversed, inside surrogate pairs and CRLFs) in UTF-16 and UTF-8 must leave a valid text whose
//! positions round-trip. Input: an initial text, then edits, separated by NUL bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pyxray_insights::PositionEncoding;
use pyxray_lsp::fuzzing::{edit_and_convert, Edit};

fn number(bytes: &[u8], at: usize) -> u32 {
    bytes.get(at).copied().map_or(0, u32::from) % 12
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0);
    let text = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    // Each later part: 4 bytes of range (line, character, line, character), then the new text;
    // a part shorter than that replaces the whole text.
    let edits: Vec<Edit> = parts
        .take(16)
        .map(|p| {
            if p.len() < 4 {
                return (None, String::from_utf8_lossy(p).into_owned());
            }
            let range = (number(p, 0), number(p, 1) * 3, number(p, 2), number(p, 3) * 3);
            (Some(range), String::from_utf8_lossy(&p[4..]).into_owned())
        })
        .collect();
    for encoding in [PositionEncoding::Utf16, PositionEncoding::Utf8] {
        edit_and_convert(&text, &edits, encoding);
    }
});
