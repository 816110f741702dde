//! Differential tests: the fast lexer against rustpython-parser's lexer, token for token, on
//! hand-picked snippets, on random mutations of them, on the fixtures, and on any directories
//! named in `PYXRAY_LEX_CORPUS` (separated by `:`), e.g. CPython's standard library and tests.

use super::tokens;
use rustpython_parser::lexer::{lex_starts_at, LexicalErrorType};
use rustpython_parser::text_size::TextSize;
use rustpython_parser::Mode;

/// Checks the one rule that keeps output identical: when the fast lexer answers, rustpython's
/// lexer succeeds with exactly the same tokens; when rustpython's fails, the fast one declines.
/// One exception: a tab after spaces on a blank line, which CPython ignores and rustpython-parser
/// refuses. Returns whether the fast lexer answered.
fn check(src: &str, offset: u32, mode: Mode) -> bool {
    let fast = tokens(src, offset, mode);
    let reference: Result<Vec<_>, _> = lex_starts_at(src, mode, TextSize::from(offset)).collect();
    match (fast, reference) {
        (Some(fast), Ok(reference)) => {
            if fast != reference {
                let at = fast.iter().zip(&reference).position(|(a, b)| a != b).unwrap_or(fast.len().min(reference.len()));
                let lo = at.saturating_sub(3);
                panic!(
                    "token streams differ at token {at} for {src:?}\nfast:      {:?}\nreference: {:?}",
                    &fast[lo..(at + 3).min(fast.len())],
                    &reference[lo..(at + 3).min(reference.len())]
                );
            }
            true
        }
        (Some(_), Err(e)) if e.error == LexicalErrorType::TabsAfterSpaces && blank_line_at(src, e.location.to_u32() - offset) => true,
        (Some(_), Err(e)) => panic!("the fast lexer accepted what rustpython-parser refuses ({e:?}): {src:?}"),
        (None, _) => false,
    }
}

/// Whether the line holding byte `at` of `src` is blank: only spaces, tabs and form feeds before
/// its end or a comment.
fn blank_line_at(src: &str, at: u32) -> bool {
    let at = (at as usize).min(src.len());
    let start = src[..at].rfind(['\n', '\r']).map_or(0, |k| k + 1);
    let end = src[at..].find(['\n', '\r']).map_or(src.len(), |k| at + k);
    let line = &src[start..end];
    let code = line.find('#').map_or(line, |k| &line[..k]);
    code.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
}

fn check_modes(src: &str) -> bool {
    check(src, 0, Mode::Expression);
    check(src, 17, Mode::Module)
}

#[test]
fn a_tab_after_spaces_on_a_blank_line_is_ignored() {
    // CPython ignores the indentation of blank lines (3.11–3.14 compile this).
    let src = "def f():\n    y = 1\n    \t\t\n\ndef g(): pass\n";
    assert!(tokens(src, 0, Mode::Module).is_some());
    assert!(crate::parse_module(src).errors.is_empty());
    // On a line with code, rustpython-parser's lexer decides (and refuses).
    assert!(tokens("if x:\n    \ty = 1\n", 0, Mode::Module).is_none());
}

const SNIPPETS: &[&str] = &[
    "x = 1\n",
    "def f(a, b=2, *c, d, **e) -> int:\n    return a+b\n",
    "if x:\n\tif y:\n\t\tpass\n\telse:\n\t\t z\n",
    "class C:\n    def m(self):\n        pass\n\n    # comment\n  \n    x = 1\n",
    "a = (1,\n     2)\nb = [\n\n]\n",
    "x = 'a' \"b\" '''c\nd''' \"\"\"e\\\"\"\"\" r'\\n' b'x' rb'y' Br\"z\" u'w' f'{x}' Rf'{y}' fR\"\" \n",
    "s = 'line\\\ncontinued'\n",
    "x = 1 + \\\n    2\n",
    "x = 0x_1F + 0o17 + 0b1_01 + 1_000 + 0 + 00 + 1.5 + .5 + 5. + 1e10 + 1E+5 + 2.5e-3 + 3j + 1.5J + 1e5j\n",
    "x = 123456789012345678901234567890 + 0xffffffffffffffffffffffff\n",
    "x = 1if y else 2\n",
    "x = a.b...c\n",
    "x @= y; x //= 2; x **= 3; x >>= 1; x <<= 1; x != y; x -> y; x := 1; ~x\n",
    "match x:\n    case 1:\n        pass\n    case _:\n        pass\n",
    "match = 1\nmatch(x)\ncase = 2\nprint(match, case)\n",
    "match x, y:\n    case (1, 2) if z: pass\n",
    "match lambda: 1:\n    case x: pass\n",
    "type X = int\ntype Y[T] = list[T]\ntype = 3\nprint(type)\ntype(x)\n",
    "type type = int\ntype match = int\n",
    "x = 1\r\ny = 2\r\nif x:\r\n    z = '''a\r\nb'''\r\n",
    "x = 1\ry = 2\r",
    "\x0cx = 1\n\x0c    \n",
    "if x:\n    pass\n  # dedent comment\n",
    "if x:\n    y\n",
    "if x:\n    y",
    "",
    "\n\n\n",
    "   \n",
    "# only a comment",
    "x = 'é' + \"日本\" # ü\n",
    "x = f\"{a!r:>{w}}\" + f'{{}}'\n",
    "def f():\n    return\\\n        1\n",
    "x = [1,\n# comment\n  2]\n",
];

/// Snippets the fast lexer must leave to rustpython's (errors, non-ASCII names, a BOM).
const DECLINED: &[&str] = &[
    "x = $\n",
    "x = 'unterminated\n",
    "x = '''unterminated\n",
    "x = (1\n",
    "x = 1)\n",
    "if x:\n    a\n  b\n",
    "if x:\n    a\n\tb\n",
    "if x:\n  \tb\n",
    "x = 012\n",
    "x = 1.e\n",
    "x = 1._5\n",
    "x = 0x\n",
    "x = 1 \\ 2\n",
    "é = 1\n",
    "x = a😀\n",
    "\u{feff}x = 1\n",
    "x = !y\n",
    "x = 1\\",
    "x = 1 \\\n",
];

#[test]
fn snippets_match_rustpython() {
    for s in SNIPPETS {
        assert!(check_modes(s), "the fast lexer declined {s:?}");
    }
    for s in DECLINED {
        assert!(!check_modes(s), "the fast lexer accepted {s:?}");
    }
}

/// A small deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "'", "\"", "'''", "\\", "\n", "\r", "\r\n", "\t", " ", "    ", "#", "(", ")", "[", "]", "{", "}", "0", "1", "_", ".",
    "e", "j", "x", "o", "b", "r", "f", "u", "0x", "1e", "e+", ":", "=", "!", "*", "/", "<", ">", "-", "match ", "case ",
    "type ", "lambda ", "é", "😀", "\x0c", "\u{feff}", "\0", "$", "if ", "else", "...",
];

#[test]
fn mutations_never_diverge() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut accepted = 0;
    for round in 0..6000 {
        let mut s: Vec<char> = SNIPPETS[round % SNIPPETS.len()].chars().collect();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(s.len() + 1);
            match rng.below(3) {
                0 if at < s.len() => {
                    s.remove(at);
                }
                _ => {
                    let piece = PIECES[rng.below(PIECES.len())];
                    for (k, c) in piece.chars().enumerate() {
                        s.insert(at + k, c);
                    }
                }
            }
        }
        let s: String = s.into_iter().collect();
        accepted += check_modes(&s) as usize;
    }
    // The mutations must also exercise the accepting side.
    assert!(accepted > 1000, "only {accepted} mutations were lexed");
}

/// Every file as written, and as `parse` hands it to the lexer (f-strings masked).
fn check_corpus(dirs: &[std::path::PathBuf]) -> (usize, usize) {
    let mut files = Vec::new();
    for d in dirs {
        crate::fast::tests::python_files(d, &mut files);
    }
    let (mut total, mut declined) = (0, 0);
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let Ok(decoded) = crate::decode_source(&bytes) else { continue };
        let text = decoded.text;
        check(&text, 0, Mode::Module);
        if let Ok(crate::parse::Prepared { masked, .. }) = crate::parse::prepare(&text, 0, text.len(), crate::parse::Grammar::default(), false) {
            total += 1;
            if !check(masked.as_deref().unwrap_or(&text), 0, Mode::Module) {
                declined += 1;
            }
        }
    }
    (total, declined)
}

#[test]
fn fixtures_match_rustpython() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures");
    let (total, _) = check_corpus(&[fixtures]);
    assert!(total > 50, "fixtures not found");
}

#[test]
fn corpus_from_environment_matches_rustpython() {
    let Ok(dirs) = std::env::var("PYXRAY_LEX_CORPUS") else { return };
    let dirs: Vec<std::path::PathBuf> = dirs.split(':').filter(|d| !d.is_empty()).map(Into::into).collect();
    let (total, declined) = check_corpus(&dirs);
    eprintln!("{total} files lexed, {declined} left to rustpython-parser's lexer");
}
