//! 3.11's f-string locations. Its parser (`Parser/string_parser.c`) gave the replacement fields
//! of an f-string, and the literal pieces before them, the location of the whole run of
//! concatenated strings; but a format spec's trailing literal piece, and the spec itself, get
//! the location of the one string token the spec is written in.

use super::*;
use pyxray_syntax::ast::{Expr, ExprKind};

/// The string token of the run `run` (implicitly concatenated literals, as 3.11 tokenizes them:
/// an f-string ends at its first unescaped closing quote) that contains `pos`.
pub(super) fn string_token_at(text: &str, run: TextRange, pos: u32) -> Option<TextRange> {
    let bytes = text.as_bytes();
    let end = (run.end as usize).min(bytes.len());
    let mut i = run.start as usize;
    while i < end {
        match bytes[i] {
            b' ' | b'\t' | b'\x0c' | b'\r' | b'\n' | b'(' | b')' => i += 1,
            b'\\' => i += 2,
            b'#' => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {
                let start = i;
                while i < end && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let quote = *bytes.get(i)?;
                if quote != b'\'' && quote != b'"' {
                    return None;
                }
                let triple = bytes.get(i..i + 3) == Some(&[quote; 3][..]);
                i += if triple { 3 } else { 1 };
                loop {
                    match bytes.get(i)? {
                        b'\\' => i += 2,
                        &b if b == quote && (!triple || bytes.get(i..i + 3) == Some(&[quote; 3][..])) => {
                            i += if triple { 3 } else { 1 };
                            break;
                        }
                        _ => i += 1,
                    }
                }
                if (start as u32) <= pos && pos < i as u32 {
                    return Some(TextRange::new(start as u32, i as u32));
                }
            }
        }
    }
    None
}

impl Compiler<'_> {
    /// 3.11 parsed a replacement field's expression between parentheses that stood in for its
    /// braces, so an unparenthesized tuple there spans from the `{` to just after the end of the
    /// expression (the `}`, `!`, `:` or `=` that ends it).
    pub(super) fn field_tuple_loc_311(&self, field: &Expr, value: &Expr) -> Option<Location> {
        let is_tuple = matches!(&value.kind, ExprKind::Tuple { .. } | ExprKind::Constant(pyxray_syntax::ast::Constant::Tuple(_)));
        if self.version != PythonVersion::V3_11 || !is_tuple || field.range == value.range {
            return None;
        }
        let bytes = self.src.text.as_bytes();
        let (start, end) = (value.range.start as usize, value.range.end as usize);
        let parenthesized = bytes.get(start) == Some(&b'(') && end > 0 && bytes.get(end - 1) == Some(&b')');
        if parenthesized || bytes.get(field.range.start as usize) != Some(&b'{') {
            return None;
        }
        let mut stop = end;
        while bytes.get(stop).is_some_and(|b| b.is_ascii_whitespace()) {
            stop += 1;
        }
        Some(self.loc(TextRange::new(field.range.start, stop as u32 + 1)))
    }

    /// A format spec `spec` (its parts `values`) of an f-string in the run `fstring_range`, in
    /// 3.11: its replacement fields and the literals before them at `outer`, its trailing literal
    /// and its `BUILD_STRING` at its own string token.
    pub(super) fn format_spec_311(&mut self, spec: &Expr, values: &[Expr], outer: Location) -> CompileResult<()> {
        let token = string_token_at(self.src.text, self.fstring_range, spec.range.start);
        let tloc = token.map_or(outer, |t| self.loc(t));
        self.set_loc(tloc);
        let n = values.len();
        for (i, v) in values.iter().enumerate() {
            match &v.kind {
                ExprKind::Constant(c) if i == n - 1 && v.range != crate::ast_opt::NO_RANGE => self.load_const_ast(c, tloc),
                _ => self.joined_part(v, outer)?,
            }
        }
        if n != 1 {
            self.addop_i(Op::BUILD_STRING, n as i32, tloc);
        }
        Ok(())
    }
}
