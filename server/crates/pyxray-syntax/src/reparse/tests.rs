//! Reparsing against parsing from scratch: single random edits of every fixture file, each
//! compared node for node (byte ranges included) with a fresh parse of the edited text.

use super::*;
use crate::parse::parse_module;
use std::path::{Path, PathBuf};

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            python_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "py") {
            out.push(path);
        }
    }
}

/// xorshift64*: deterministic, so a failure names an edit that can be replayed.
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

const INSERTS: &[&str] = &["x", " ", "\n", "(", ")", "'", "\"", "\"\"\"", "#", ":", "1", "    ", "\\", "else:\n", "y = 2\n", "; z = 3", "@d\n", "\t"];

/// One random edit of `text`: an insertion or a deletion at a random character boundary.
fn edit(text: &str, rng: &mut Rng) -> String {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    if rng.below(3) == 0 && at < text.len() {
        let mut end = (at + 1 + rng.below(4)).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        format!("{}{}", &text[..at], &text[end..])
    } else {
        format!("{}{}{}", &text[..at], INSERTS[rng.below(INSERTS.len())], &text[at..])
    }
}

#[test]
fn reparsing_after_an_edit_equals_parsing_from_scratch() {
    let mut files = Vec::new();
    python_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures"), &mut files);
    files.sort();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut compared, mut windowed) = (0, 0);
    let mut failures = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let before = parse_module(&text);
        if !before.is_complete() {
            continue;
        }
        for _ in 0..30 {
            let edited = edit(&text, &mut rng);
            let fresh = parse_module(&edited);
            let again = reparse(&edited, Grammar::default(), &text, &before);
            compared += 1;
            if Plan::new(&edited, &text, &before.module.body).is_some() && fresh.is_complete() {
                windowed += 1;
            }
            if format!("{fresh:?}") != format!("{again:?}") {
                failures.push(format!("{}: edited text:\n{edited}", path.display()));
            }
        }
    }
    assert!(compared > 1000, "only {compared} edits");
    assert!(windowed * 4 > compared, "only {windowed} of {compared} edits were reparsed in part");
    assert!(failures.is_empty(), "{} of {compared} reparses differ, first:\n{}", failures.len(), failures[0]);
}

#[test]
fn plan_keeps_statements_around_the_edit() {
    let old = "a = 1\nb = 2\n\ndef f():\n    return 3\n\nc = 4\nd = 5\n";
    let new = old.replace("return 3", "return 33");
    let body = parse_module(old).module.body;
    let plan = Plan::new(&new, old, &body).expect("a plan");
    // `a` is kept; `b` (just before the edited statement) and `f` are parsed again; `c` and `d`
    // are kept, one byte later.
    assert_eq!((plan.keep_before, plan.keep_from, plan.delta), (1, 3, 1));
    assert_eq!(&new[plan.window_start..plan.window_end], "\nb = 2\n\ndef f():\n    return 33\n\n");
}
