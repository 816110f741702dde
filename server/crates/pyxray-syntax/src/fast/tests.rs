//! Differential tests: wherever ruff's parser takes a text, rustpython-parser's path must accept
//! it too and build the same tree, ranges included. Run over the fixtures, over random mutations
//! of them (which exercise the refusing side), and over any directories named in
//! `PYXRAY_PARSE_CORPUS` (separated by `:`), e.g. CPython's standard library and tests.

use super::{compare, fast_result, Outcome};
use crate::parse::Grammar;

const RELEASES: [u32; 4] = [11, 12, 13, 14];

/// Every `.py` file under `dir`, in a stable order (shared with the lexer's tests).
pub(crate) fn python_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            python_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

fn read_corpus(dirs: &[std::path::PathBuf]) -> Vec<(std::path::PathBuf, String)> {
    let mut files = Vec::new();
    for d in dirs {
        python_files(d, &mut files);
    }
    files
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            let text = crate::decode_source(&bytes).ok()?.text;
            Some((p, text))
        })
        .collect()
}

/// Compares every file in every release; returns (fast, slow-only) counts and the failures.
fn check_corpus(files: &[(std::path::PathBuf, String)]) -> (usize, usize, Vec<String>) {
    let (mut fast, mut slow, mut failures) = (0, 0, Vec::new());
    for (path, text) in files {
        for minor in RELEASES {
            match compare(text, Grammar::of_release(minor)) {
                Ok(Outcome::Same) => fast += 1,
                Ok(Outcome::SlowOnly) => slow += 1,
                Err(e) => failures.push(format!("{} (3.{minor}): {e}", path.display())),
            }
        }
    }
    (fast, slow, failures)
}

fn fixtures() -> Vec<(std::path::PathBuf, String)> {
    read_corpus(&[std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures")])
}

fn report(failures: &[String]) -> String {
    let heads: Vec<&str> = failures.iter().map(|s| &s[..s.len().min(200)]).collect();
    let show = std::env::var("PYXRAY_PARSE_SHOW").ok().and_then(|n| n.parse().ok()).unwrap_or(3);
    let shown: Vec<&str> = failures.iter().take(show).map(|s| &s[..s.len().min(3000)]).collect();
    format!("{} differences:\n{}\n\nfirst ones:\n{}", failures.len(), heads.join("\n"), shown.join("\n\n"))
}

#[test]
fn fixtures_parse_the_same_on_both_paths() {
    let files = fixtures();
    assert!(files.len() > 50, "fixtures not found");
    let (fast, slow, failures) = check_corpus(&files);
    assert!(failures.is_empty(), "{}", report(&failures));
    // Most fixtures are valid code: the fast path must be taking them.
    assert!(fast > slow, "fast path took {fast}, declined {slow}");
}

#[test]
fn snippets_parse_the_same_on_both_paths() {
    let snippets = [
        "if a:\n    pass\nelif b:\n    x = 1\nelif c:\n    pass\nelse:\n    y = 2\n",
        "match a, b:\n    case 1, 2:\n        pass\nmatch a,:\n    case _:\n        pass\n",
        "match (a, b):\n    case {'k': v, **rest} if v: pass\n    case C(1, x=[*_]) | None: pass\n",
        "f(x for x in y)\nf((x for x in y))\nf(a, *b, c=1, **d)\n",
        "(x := 1)\nprint((y := (2)))\n[z := 3, 4]\n",
        "a[*b]\na[1:2, ::3]\na[b:c, d]\n",
        "x = 0x_ff + 1_000 + 0b1 + 0o7 + 1e10 + 1.5j + 99999999999999999999999999 + 0xFFFF_FFFF_FFFF_FFFF_FF\n",
        "s = 'a' 'b' u'c'\nb = b'x' b'\\xff'\nr = r'\\d'\n",
        "def f[T: int, *Ts, **P](a, /, b=1, *c, d, e=2, **f) -> T: pass\nclass C[T](B, metaclass=M): pass\ntype X[T] = list[T]\n",
        "@d1\n@d2(x)\nasync def g():\n    async with a as b, c:\n        pass\n    async for i in j:\n        await k\n",
        "try:\n    pass\nexcept* E as e:\n    pass\n",
        "try:\n    pass\nexcept (A, B):\n    pass\nexcept C as c:\n    pass\nelse:\n    pass\nfinally:\n    pass\n",
        "lambda: 0\nlambda a, *b, c=1, **d: a\n",
        "x = f'{a!r:>{w}}' + f'{b=}' 'plain'\n",
        "global a, b\nnonlocal c\ndel a, b[0], c.d\nimport a.b as c, d\nfrom ..e import (f as g, h)\nfrom . import *\n",
        "with (open(a) as b, open(c) as d):\n    pass\n",
        "x: int = 1\n(y): int\nz.w: int\n",
        "ｗｉｄｔｈ = 1\n",
        "except_ = 1\nmatch = case = type = 2\nprint(match, case, type)\n",
        "def f():\n    return\n    yield\n    yield from g()\n",
        "assert x, 'msg'\nraise E from F\n",
        "for x, *y in z:\n    break\nelse:\n    continue\nwhile 1:\n    pass\nelse:\n    pass\n",
        "x = a if b else c if d else e\nx = not a and b or c\nx = a < b <= c is not d not in e\n",
        "x = {**a, 'b': 1}\ny = {1, *b}\nz = {k: v for k, v in w if k}\n",
        "x = [i async for i in a]\n",
        "except_tuple = 1\ntry:\n    pass\nexcept A, B:\n    pass\n",
        "x = t'{a}'\n",
    ];
    for src in snippets {
        for minor in RELEASES {
            if let Err(e) = compare(src, Grammar::of_release(minor)) {
                panic!("3.{minor}: {src:?}\n{e}");
            }
        }
    }
    // The valid ones must really take the fast path.
    assert_eq!(compare(snippets[0], Grammar::default()), Ok(Outcome::Same));
    assert_eq!(compare(snippets[8], Grammar::default()), Ok(Outcome::Same));
}

/// A small deterministic generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const PIECES: [&str; 24] = [
    "(", ")", "[", "]", ":", ",", "=", "*", "**", " if ", " else ", "lambda ", "not ", "\n", "    ", "\\\n", "'", "\"",
    "f'", "{", "}", ":=", "yield ", "0x",
];

/// Deletes, inserts or duplicates pieces of the fixtures: most mutations are invalid, and the
/// fast path must never take one that the slow path refuses or reads differently.
#[test]
fn mutations_never_diverge() {
    let files = fixtures();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let (mut taken, mut failures) = (0, Vec::new());
    for (path, text) in files.iter().filter(|(_, t)| t.len() < 20_000) {
        for _ in 0..12 {
            let mut at = rng.next(text.len().max(1));
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + rng.next(8)).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let mutated = match rng.next(3) {
                0 => format!("{}{}", &text[..at], &text[end..]),
                1 => format!("{}{}{}", &text[..at], PIECES[rng.next(PIECES.len())], &text[at..]),
                _ => format!("{}{}", &text[..end], &text[at..]),
            };
            let minor = RELEASES[rng.next(RELEASES.len())];
            match compare(&mutated, Grammar::of_release(minor)) {
                Ok(Outcome::Same) => taken += 1,
                Ok(Outcome::SlowOnly) => {}
                Err(e) => failures.push(format!("{} at {at}..{end} (3.{minor}): {e}\n{mutated:?}", path.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", report(&failures));
    assert!(taken > 100, "only {taken} mutations took the fast path");
}

#[test]
fn corpus_from_environment_parses_the_same_on_both_paths() {
    let Ok(dirs) = std::env::var("PYXRAY_PARSE_CORPUS") else { return };
    let dirs: Vec<std::path::PathBuf> = dirs.split(':').filter(|d| !d.is_empty()).map(Into::into).collect();
    let files = read_corpus(&dirs);
    let (fast, slow, failures) = check_corpus(&files);
    eprintln!("{} files × {} releases: fast path {fast}, rustpython-parser only {slow}", files.len(), RELEASES.len());
    assert!(failures.is_empty(), "{}", report(&failures));
}

/// The deepest trees a line under `MAX_LINE_WEIGHT` can build fit an 8 MiB stack (a process's
/// main thread) through ruff's recursive parser, the lowering and the drops.
#[test]
fn deepest_fast_path_lines_fit_the_main_thread_stack() {
    let n = super::MAX_LINE_WEIGHT as usize - 10;
    let lines = [
        format!("x = {}1\n", "-".repeat(n)),
        format!("x = {}1\n", "not ".repeat(n)),
        format!("x = {}1\n", "lambda: ".repeat(n / 2)),
        format!("x = {}1\n", "a if b else ".repeat(n / 4)),
        format!("x = 1{}\n", "**1".repeat(n / 3)),
        format!("x = a{}\n", ".b".repeat(n / 2)),
        format!("x = a{}\n", "()".repeat(n / 2)),
        format!("x = 1{}\n", " + 1".repeat(n / 2)),
    ];
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            for line in &lines {
                let grammar = Grammar::default();
                assert!(fast_result(line, grammar).is_some(), "fast path declined {}…", &line[..40]);
                assert_eq!(compare(line, grammar), Ok(Outcome::Same));
            }
        })
        .expect("thread")
        .join()
        .expect("no stack overflow");
}
