//! Turning a file's bytes into source text the way CPython's tokenizer does: a UTF-8 BOM, a
//! PEP 263 coding declaration on one of the first two lines, otherwise strict UTF-8.

use std::fmt;

/// Why a file's bytes could not be decoded. The message mirrors CPython's SyntaxError text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub message: String,
    /// 1-based line of the offending byte.
    pub line: u32,
    /// Byte offset of the offending byte in the raw file.
    pub offset: usize,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (line {})", self.message, self.line)
    }
}

impl std::error::Error for DecodeError {}

/// Decoded text plus how it was decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedSource {
    pub text: String,
    /// The declared or implied encoding, normalised (`utf-8`, `latin-1`, …).
    pub encoding: String,
    /// Whether the file started with a UTF-8 byte-order mark (removed from `text`).
    pub had_bom: bool,
}

/// Decodes a Python source file following PEP 263.
pub fn decode_source(bytes: &[u8]) -> Result<DecodedSource, DecodeError> {
    let (bytes, had_bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let declared = coding_declaration(bytes);
    let encoding = declared.as_deref().map(normalize_encoding).unwrap_or_else(|| "utf-8".to_string());
    // With a BOM the declaration must be spelled as `get_normal_name` reduces to "utf-8"
    // (`utf8` is not: CPython compares names, not codecs).
    if had_bom && declared.as_deref().is_some_and(|d| !tokenizer_says_utf8(d)) {
        return Err(DecodeError {
            message: format!("encoding problem: {} with BOM", declared.unwrap_or_default()),
            line: 1,
            offset: 0,
        });
    }
    let text = match encoding.as_str() {
        "utf-8" => match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(e) => {
                let at = e.valid_up_to();
                let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count() as u32;
                let message = if declared.is_some() {
                    format!("(unicode error) 'utf-8' codec can't decode byte 0x{:02x} in position {}: invalid start byte", bytes[at], at)
                } else {
                    format!(
                        "Non-UTF-8 code starting with '\\x{:02x}' in file on line {}, but no encoding declared; see https://peps.python.org/pep-0263/ for details",
                        bytes[at], line
                    )
                };
                return Err(DecodeError { message, line, offset: at + had_bom as usize * 3 });
            }
        },
        "latin-1" => bytes.iter().map(|&b| b as char).collect(),
        "ascii" => match bytes.iter().position(|b| *b >= 0x80) {
            None => bytes.iter().map(|&b| b as char).collect(),
            Some(at) => {
                let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count() as u32;
                return Err(DecodeError {
                    message: format!(
                        "(unicode error) 'ascii' codec can't decode byte 0x{:02x} in position {}: ordinal not in range(128)",
                        bytes[at], at
                    ),
                    line,
                    offset: at,
                });
            }
        },
        other => match encoding_rs::Encoding::for_label(other.as_bytes()) {
            Some(enc) => {
                let (cow, _, had_errors) = enc.decode(bytes);
                if had_errors {
                    return Err(DecodeError {
                        message: format!("(unicode error) '{other}' codec can't decode the file"),
                        line: 1,
                        offset: 0,
                    });
                }
                cow.into_owned()
            }
            None => {
                return Err(DecodeError { message: format!("unknown encoding: {other}"), line: 1, offset: 0 });
            }
        },
    };
    Ok(DecodedSource { text, encoding, had_bom })
}

/// The encoding named by a `coding[:=]` comment on line 1 or 2 (line 2 only if line 1 is blank or
/// a comment), as CPython's `check_coding_spec` reads it.
fn coding_declaration(bytes: &[u8]) -> Option<String> {
    let mut lines = bytes.split(|b| *b == b'\n');
    for index in 0..2 {
        let line = lines.next()?;
        let trimmed: &[u8] = {
            let start = line.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\x0c')).unwrap_or(line.len());
            &line[start..]
        };
        if trimmed.first() == Some(&b'#') {
            if let Some(name) = coding_in_comment(trimmed) {
                return Some(name);
            }
        } else if index == 0 && !trimmed.iter().all(|b| b.is_ascii_whitespace()) {
            return None;
        } else if index == 1 {
            return None;
        }
    }
    None
}

fn coding_in_comment(line: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(line);
    let at = text.find("coding")?;
    let rest = &text[at + "coding".len()..];
    let rest = rest.strip_prefix([':', '='])?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    (!name.is_empty()).then_some(name)
}

/// CPython's `get_normal_name`: `utf-8*` → `utf-8`, the latin-1 family → `latin-1`.
/// Whether the tokenizer's `get_normal_name` (first 12 characters, lower-cased, `_` as `-`)
/// gives "utf-8".
fn tokenizer_says_utf8(name: &str) -> bool {
    let buf: String = name.chars().take(12).map(|c| if c == '_' { '-' } else { c.to_ascii_lowercase() }).collect();
    buf == "utf-8" || buf.starts_with("utf-8-")
}

fn normalize_encoding(name: &str) -> String {
    let lower = name.to_ascii_lowercase().replace('_', "-");
    if lower == "utf-8" || lower.starts_with("utf-8-") || lower == "utf8" {
        "utf-8".into()
    } else if ["latin-1", "iso-8859-1", "iso-latin-1"].iter().any(|p| lower == *p || lower.starts_with(&format!("{p}-")))
        || lower == "latin1"
    {
        "latin-1".into()
    } else if lower == "ascii" || lower == "us-ascii" {
        "ascii".into()
    } else {
        lower
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_needs_the_cookie_spelled_utf_8() {
        // CPython 3.13: "encoding problem: utf8 with BOM" (test/tokenizedata/bad_coding2.py).
        let e = decode_source(b"\xEF\xBB\xBF#coding: utf8\nx = 1\n").unwrap_err();
        assert_eq!(e.message, "encoding problem: utf8 with BOM");
        assert!(decode_source(b"\xEF\xBB\xBF# coding: UTF_8\nx = 1\n").is_ok());
        assert!(decode_source(b"# coding: utf8\nx = 1\n").is_ok());
    }

    #[test]
    fn plain_utf8_and_bom() {
        let d = decode_source("x = 'é'\n".as_bytes()).unwrap();
        assert_eq!(d.text, "x = 'é'\n");
        let d = decode_source(b"\xEF\xBB\xBFx = 1\n").unwrap();
        assert!(d.had_bom);
        assert_eq!(d.text, "x = 1\n");
    }

    #[test]
    fn latin1_cookie() {
        let d = decode_source(b"# -*- coding: latin-1 -*-\nx = '\xe9'\n").unwrap();
        assert_eq!(d.encoding, "latin-1");
        assert!(d.text.contains('é'));
    }

    #[test]
    fn cookie_on_second_line_only_after_comment() {
        let d = decode_source(b"#!/usr/bin/env python\n# coding=cp1252\nx = '\x80'\n").unwrap();
        assert!(d.text.contains('€'));
        assert!(decode_source(b"x = 1\n# coding: latin-1\ny = '\xe9'\n").is_err());
    }

    #[test]
    fn invalid_utf8_reports_line() {
        let e = decode_source(b"a = 1\nb = '\xff'\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.starts_with("Non-UTF-8 code starting with '\\xff'"), "{}", e.message);
    }
}
