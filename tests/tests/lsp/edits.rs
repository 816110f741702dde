//! A few hundred random incremental edits (seeded, so failures reproduce) with emoji, CJK and
//! CRLF, sent to the real server; after each one the server's text must equal the client's.
//! Positions are computed here, in UTF-16 or UTF-8 as negotiated, with the standard library only.

use pyxray_tests::LspClient;
use serde_json::{json, Value};

/// xorshift64*: tiny, deterministic, good enough to pick edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] =
    &["x", " = ", "😀", "漢字", "\r\n", "\n", "é", "(", ")", "\t", "'s'", "🇫🇷", "def f():\r\n    ", ""];

/// The position of byte `offset` of `text` as (line, column in `encoding`). Lines end at `\n`,
/// `\r\n` or `\r`, as LSP says.
fn position(text: &str, offset: usize, encoding: &str) -> (usize, usize) {
    let before = &text[..offset];
    let mut line = 0;
    let mut line_start = 0;
    let bytes = before.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            line += 1;
            line_start = i + 1;
        }
        i += 1;
    }
    // `offset` just after a `\r` of a `\r\n` is not a valid position; callers avoid it.
    let prefix = &before[line_start..];
    let col = if encoding == "utf-8" { prefix.len() } else { prefix.encode_utf16().count() };
    (line, col)
}

/// A random char boundary of `text` that is not between `\r` and `\n`.
fn boundary(rng: &mut Rng, text: &str) -> usize {
    loop {
        let at = rng.below(text.len() + 1);
        let inside_crlf = at > 0 && text.as_bytes()[at - 1] == b'\r' && text.as_bytes().get(at) == Some(&b'\n');
        if text.is_char_boundary(at) && !inside_crlf {
            return at;
        }
    }
}

fn run(encoding: &str, seed: u64, edits: usize) {
    let (mut client, result) = LspClient::initialized(&[encoding], Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], encoding);
    let uri = "file:///random.py";
    let mut text = String::from("s = '😀'\r\nt = \"漢字\"\n");
    client.open(uri, &text, 0);
    let mut rng = Rng(seed);
    for version in 1..=edits as i64 {
        // One to three changes per notification, each relative to the text left by the previous.
        let mut changes = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let a = boundary(&mut rng, &text);
            let b = boundary(&mut rng, &text);
            let (start, end) = (a.min(b), a.max(b).min(a.min(b) + 12));
            let end = (start..=end).rev().find(|&e| {
                text.is_char_boundary(e)
                    && !(e > 0 && text.as_bytes()[e - 1] == b'\r' && text.as_bytes().get(e) == Some(&b'\n'))
            });
            let end = end.unwrap_or(start);
            let insert: String = (0..rng.below(3)).map(|_| PIECES[rng.below(PIECES.len())]).collect();
            let (l1, c1) = position(&text, start, encoding);
            let (l2, c2) = position(&text, end, encoding);
            changes.push(json!({
                "range": { "start": { "line": l1, "character": c1 }, "end": { "line": l2, "character": c2 } },
                "text": insert,
            }));
            text.replace_range(start..end, &insert);
        }
        client.change(uri, version, Value::Array(changes.clone()));
        let server = client.server_text(uri);
        assert_eq!(server["version"], version);
        assert_eq!(server["text"].as_str(), Some(text.as_str()), "after edit {version} (seed {seed}): {changes:#?}");
    }
    assert!(client.shutdown_and_exit().success());
}

#[test]
fn random_edits_utf16() {
    run("utf-16", 0x5eed_0001, 300);
}

#[test]
fn random_edits_utf8() {
    run("utf-8", 0x5eed_0002, 150);
}
