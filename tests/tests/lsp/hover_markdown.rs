//! Hovers must render in every editor pyxray ships for (VS Code, Neovim, Helix, Emacs): Markdown
//! with fenced code blocks only, no HTML (VS Code drops unknown tags, so a bare `<module>` or
//! `<lambda>` would vanish; the terminal editors print tags as text), balanced fences, and no tab
//! characters in listings (terminal editors expand tabs unevenly). Checked on the hover at the start
//! of every word of a file with functions, lambdas, comprehensions, classes and literals.

use pyxray_tests::LspClient;
use serde_json::{json, Value};

const SOURCE: &str = "\
import os

class Box:
    size = 1000

    def grow(self, by=[]):
        return [x * 2 for x in by] + list(map(lambda v: v is 300, by))

def outer(a):
    fs = [lambda: a for _ in range(3)]
    return (y for y in fs), {k: 'é' for k in 'ab'}, a is None, b'\\x00', -5, 2 ** 100

total = sum(i for i in range(10))
";

/// The problems of one hover's Markdown, if any.
fn problems(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            if line.contains('\t') {
                out.push(format!("a tab in a listing line: {line:?}"));
            }
            continue;
        }
        // Outside fences, `<` may only appear inside code spans.
        for (i, part) in line.split('`').enumerate() {
            let outside_code_span = i % 2 == 0;
            if outside_code_span && part.contains('<') {
                out.push(format!("HTML-like text outside code: {line:?}"));
            }
        }
    }
    if in_fence {
        out.push("an unclosed code fence".into());
    }
    out
}

#[test]
fn hovers_are_plain_markdown_for_every_editor() {
    let (mut client, _) = LspClient::initialized(&["utf-8"], Value::Null);
    let uri = "file:///render.py";
    client.open(uri, SOURCE, 1);
    client.diagnostics(uri, 1);
    let mut hovers = 0;
    for (line_no, line) in SOURCE.lines().enumerate() {
        let starts = line.char_indices().filter(|&(i, c)| {
            !c.is_whitespace() && (i == 0 || !line[..i].chars().last().unwrap().is_alphanumeric())
        });
        for (col, _) in starts {
            let params = json!({ "textDocument": { "uri": uri }, "position": { "line": line_no, "character": col } });
            let response = client.request("textDocument/hover", params);
            let Some(markdown) = response["result"]["contents"]["value"].as_str() else { continue };
            hovers += 1;
            let found = problems(markdown);
            assert!(found.is_empty(), "hover at {}:{col} ({line:?}): {found:?}\n{markdown}", line_no + 1);
        }
    }
    assert!(hovers > 40, "only {hovers} hovers");
    assert!(client.shutdown_and_exit().success());
}
